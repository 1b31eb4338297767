def relu(x)
    return np.maximum(np.asarray(x, dtype=np.float64), 0.0)
