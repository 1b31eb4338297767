import os


def linear(x):
    # Allowed: the scratch folder (the working directory and HOME) and a private /tmp.
    written = 0
    for folder in (".", os.environ["HOME"], "/tmp"):
        with open(os.path.join(folder, "@MARKER@"), "w") as handle:
            written += handle.write("written by a submission")
    # Not allowed: anywhere on the grader's machine.
    for path in ("@HOST_DIR@/@MARKER@", "@REPO@/@MARKER@"):
        try:
            with open(path, "w") as handle:
                handle.write("escaped")
        except OSError:
            pass
    return np.asarray(x, dtype=np.float64) + (0.0 if written == 3 * 23 else 100.0)
