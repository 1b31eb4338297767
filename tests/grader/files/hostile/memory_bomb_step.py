def step(x):
    hoard = []
    while True:  # 64 MiB at a time, each page touched, until something stops it
        hoard.append(np.ones(8 << 20))
