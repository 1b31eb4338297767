def linear(x):
    return "x"
