import sys


def _down(n):
    return _down(n + 1) + 1


class _Deep:
    def __repr__(self):
        return repr(_Deep()) + "."  # each level goes through C: the C stack overflows


def step(x):
    sys.setrecursionlimit(200_000)  # far past the default, well within the C stack
    return _down(0)


def linear(x):
    sys.setrecursionlimit(10 ** 8)
    return repr(_Deep())
