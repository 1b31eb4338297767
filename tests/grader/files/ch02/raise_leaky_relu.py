def leaky_relu(x, negative_slope=0.2):
    # Python's max on an array: "The truth value of an array ... is ambiguous".
    return x if max(0, x) else negative_slope * x
