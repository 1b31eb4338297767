import socket


def _reaches_the_network():
    try:
        with socket.create_connection(("127.0.0.1", @PORT@), timeout=1):
            return True
    except OSError:
        return False


def step(x):
    return np.where(np.asarray(x) > 0, 1.0, 0.0) + (100.0 if _reaches_the_network() else 0.0)
