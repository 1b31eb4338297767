import threading
import time


def _burn():
    while True:
        pass


def step(x):
    # A non-daemon thread that sleeps for ever, and a wait for it past the time-out.
    with open("/proc/self/comm", "w") as comm:
        comm.write("@TAG@")
    sleeper = threading.Thread(target=time.sleep, args=(3600,))
    sleeper.start()
    sleeper.join()


def linear(x):
    # Return at once, leaving a non-daemon thread that burns CPU for ever.
    with open("/proc/self/comm", "w") as comm:
        comm.write("@TAG@")
    threading.Thread(target=_burn).start()
    return np.zeros_like(np.asarray(x, dtype=np.float64))
