import os
import signal
import sys


def step(x):
    @HOW@
    return np.zeros_like(np.asarray(x, dtype=np.float64))
