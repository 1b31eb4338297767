import os


def _try(action):
    try:
        action()
    except OSError:
        pass


def _write(path, text, mode="w"):
    with open(path, mode) as handle:
        handle.write(text)


def linear(x):
    # Allowed: the scratch folder and a private /tmp, which must work.
    for folder in (".", os.environ["HOME"], "/tmp"):
        _write(os.path.join(folder, "@MARKER@"), "mine")
    # Not allowed: create, overwrite, append to, delete, rename, touch anything else.
    outside, kept = "@OUTSIDE@", "@OUTSIDE@/kept.txt"
    for folder in (outside, "@REPO@", "@REPO@/solutions", "@HOST_TMP@", "@HOST_HOME@", "/"):
        _try(lambda: _write(os.path.join(folder, "@MARKER@"), "escaped"))
    _try(lambda: _write(kept, "overwritten"))
    _try(lambda: _write(kept, "appended", "a"))
    _try(lambda: os.chmod(kept, 0o777))
    _try(lambda: os.rename(kept, kept + ".moved"))
    _try(lambda: os.unlink("@OUTSIDE@/doomed.txt"))
    _try(lambda: os.symlink("/", "@OUTSIDE@/@MARKER@-link"))
    for path in @TOUCHED@:
        _try(lambda: os.utime(path))
    return np.zeros_like(np.asarray(x, dtype=np.float64))  # wrong, and it knows it
