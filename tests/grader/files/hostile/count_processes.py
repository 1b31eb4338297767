# A whole chapter file for the runner: how many processes can a worker hold at once?
import os
import time

import numpy as np


def hold(n):
    """Fork up to n children that wait; the number that could be started together."""
    children = []
    for _ in range(int(n)):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        children.append(pid)
    for pid in children:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
    return np.array(len(children))
