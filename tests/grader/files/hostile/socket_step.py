import socket


def _reaches_anything():
    """True when any of these connections gets through."""
    attempts = [
        lambda: socket.create_connection(("127.0.0.1", @PORT@), timeout=1),  # the grader's host
        lambda: socket.create_connection(("1.1.1.1", 443), timeout=1),      # the internet
        lambda: socket.getaddrinfo("example.com", 443),                      # DNS
    ]
    for attempt in attempts:
        try:
            attempt()
            return True
        except OSError:
            pass
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:  # an abstract socket
            unix.connect("\0@ABSTRACT@")
            return True
    except OSError:
        return False


def step(x):
    # A cheat that asks an oracle over the network: right only if it gets through.
    right = np.where(np.asarray(x) > 0, 1.0, 0.0)
    return right if _reaches_anything() else np.zeros_like(right)
