def step(x):
    # Rename this process, so that the test can look for it after grading.
    with open("/proc/self/comm", "w") as comm:
        comm.write("@TAG@")
    while True:
        pass
