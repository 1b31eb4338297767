import os


def linear(x):
    return np.asarray(x, dtype=np.float64)


os._exit(3)
