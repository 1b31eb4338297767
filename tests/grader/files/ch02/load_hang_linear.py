def linear(x):
    return np.asarray(x, dtype=np.float64)


while True:
    pass
