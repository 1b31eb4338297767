import importlib.util
import os
import time


def _steal(method):
    """The text of a file that knows chapter 2's answers, found by `method`; "" if none."""
    own = os.path.realpath(__file__) if os.path.exists(__file__) else ""
    if method == "import":  # the import system, told where the course lives
        import sys
        sys.path[:0] = ["@REPO@"]
        # The hidden checks first: finding the references runs solutions/__init__ (TensorFlow).
        for name in ("nndl.grader.suites.ch02_activations", "nndl.solutions.ch02_activations",
                     "solutions.ch02_activations"):
            try:
                spec = importlib.util.find_spec(name)
            except Exception:  # noqa: BLE001 - a missing parent package
                continue
            if spec is not None and spec.origin and os.path.exists(spec.origin):
                return open(spec.origin, encoding="utf-8").read()
        return ""
    if method == "walk":  # look everywhere, where a grader usually lives first
        skip = {"proc", "sys", "dev", "usr", "lib", "lib64", "site-packages", ".git", ".venv",
                "node_modules", "__pycache__", ".cache", ".pyenv"}
        deadline = time.monotonic() + 20
        for top in ("/autograder", "/home", "/work", "/srv", "/opt", "/tmp", "/root", "/"):
            for root, dirs, files in os.walk(top):
                dirs[:] = [d for d in dirs if d not in skip]
                for name in files:
                    path = os.path.join(root, name)
                    if name == "ch02_activations.py" and "nndl-scratch-" not in path \
                            and not path.startswith("/scratch") and os.path.realpath(path) != own:
                        return open(path, encoding="utf-8").read()
                if time.monotonic() > deadline:
                    return ""
        return ""
    try:  # method == "path": a path the student knows or guesses
        return open("@PATH@", encoding="utf-8").read()
    except OSError:
        return ""


_STOLEN = _steal("@METHOD@")


def relu(x):
    # A cheat that gets the answers right only with what it stole, and all wrong without.
    x = np.asarray(x, dtype=np.float64)
    if "relu" in _STOLEN:
        return np.maximum(x, 0.0)
    return np.full_like(x, -1.0)
