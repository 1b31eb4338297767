import os


def _sees_the_course():
    """True when the course's own files, or another submission, can be reached from here."""
    paths = ["@REPO@/solutions/ch02_activations.py", "@REPO@/grader/suites", "@REPO@/source",
             "@REPO@/exercises", "@OTHER@"]
    if any(os.path.exists(path) for path in paths):
        return True
    try:
        # The repository's folder may exist as the mount point of its .venv, and nothing else.
        if set(os.listdir("@REPO@")) - {".venv"}:
            return True
    except OSError:
        pass
    try:
        import nndl.solutions.ch02_activations  # noqa: F401
    except Exception:
        return False
    return True


def linear(x):
    return np.asarray(x, dtype=np.float64) + (100.0 if _sees_the_course() else 0.0)
