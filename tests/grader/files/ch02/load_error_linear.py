def linear(x):
    return np.asarray(x, dtype=np.float64)


raise RuntimeError("boom while loading")
