"""The from-scratch rule: no deep-learning framework runs while a from-scratch function runs.

A chapter marks each graded function "from scratch" (NumPy and SciPy only) or
"framework" (Keras/TensorFlow expected). While a from-scratch function runs,
a profile hook (``sys.setprofile``) sees every function entered: one whose
module belongs to TensorFlow, Keras, PyTorch or JAX ends the call. Because it
looks at what runs, not at names in the source, an alias, ``importlib``, a
helper function or a module-level layer are all seen; a Keras import at the top
of the chapter, for its Keras exercises, is not.

This is a rule of the course, not a security boundary: code that wants to can
switch the hook off. The sandbox is what protects the grader.
Only the standard library is used here (the worker runs without nndl).
"""
import linecache
import re
import os
import sys
import threading

# Top-level modules -> the framework's name in messages.
FRAMEWORKS = {
    "tensorflow": "TensorFlow", "tf_keras": "Keras", "keras": "Keras", "torch": "PyTorch",
    "jax": "JAX", "jaxlib": "JAX", "flax": "JAX", "optax": "JAX",
}
SCRATCH, FRAMEWORK = "scratch", "framework"
# Frames passed over when looking for the learner's line that reached a framework.
_PASSED_OVER = ("importlib", "_frozen_importlib", "_frozen_importlib_external")


class Forbidden(BaseException):
    """A framework ran inside a from-scratch function. A BaseException, so that a learner's
    ``except Exception`` does not swallow it (what was seen is kept regardless)."""

    def __init__(self, library, frame):
        super().__init__(library)
        self.library, self.frame = library, frame

    def record(self):
        """The reply's fields: the framework's name and the learner's line that reached it."""
        return {"library": self.library, "frames": [self.frame] if self.frame else []}


def _top(module_name):
    return module_name.partition(".")[0] if isinstance(module_name, str) else ""


def _framework_of_callable(function):
    """The framework a C function (a builtin, a method descriptor) belongs to, or None."""
    for owner in (function, getattr(function, "__self__", None), getattr(function, "__objclass__", None)):
        if owner is None:
            continue
        module = getattr(owner, "__module__", None)
        if not isinstance(module, str):
            module = getattr(type(owner), "__module__", None)
        name = FRAMEWORKS.get(_top(module))
        if name:
            return name
    return None


def _caller(frame):
    """The learner's frame that led into the framework: the first one outside frameworks and imports."""
    while frame is not None:
        top = _top(frame.f_globals.get("__name__"))
        if top not in FRAMEWORKS and top not in _PASSED_OVER and not frame.f_code.co_filename.startswith("<frozen"):
            code = frame.f_code
            try:
                line = linecache.getline(code.co_filename, frame.f_lineno).strip()
            except Exception:  # noqa: BLE001 - the line is a courtesy
                line = ""
            return [os.path.basename(code.co_filename)[-200:] if os.sep in code.co_filename
                    else code.co_filename[-200:], frame.f_lineno, code.co_name[-200:], line[-300:]]
        frame = frame.f_back
    return None


class _Watch:
    """The profile hook of one call: remembers the first framework seen, then stops the call.

    A framework reached through another of the chapter's from-scratch functions (others:
    their code objects) is that function's fault, charged when it is checked, not here.
    """

    def __init__(self, others):
        self.seen, self.others = None, others
        self.verdicts = {}  # code object -> framework name or "" (each module looked up once)

    def __call__(self, frame, event, arg):
        if self.seen is not None:
            return
        if event == "call":
            code = frame.f_code
            name = self.verdicts.get(code)
            if name is None:
                name = self.verdicts[code] = FRAMEWORKS.get(_top(frame.f_globals.get("__name__")), "")
            where = frame.f_back
        elif event == "c_call":
            name, where = _framework_of_callable(arg), frame
        else:
            return
        if name and not self._elsewhere(where):
            self.seen = Forbidden(name, _caller(where))
            raise self.seen

    def _elsewhere(self, frame):
        while frame is not None and self.others:
            if frame.f_code in self.others:
                return True
            frame = frame.f_back
        return False


def run_from_scratch(function, *args, others=(), code=None, **kwargs):
    """function(*args, **kwargs) with no framework allowed to run; Forbidden when one does.

    others: names of the chapter's other from-scratch functions (looked up in the module of code,
    the learner's function, default function itself); a framework run inside one of them is not
    this function's fault. The hook is on
    for this thread and for threads started during the call; it is removed afterwards
    whatever happens, and the first framework seen wins even if the learner's code caught
    the exception.
    """
    learners = code or function    # the learner's function, when function wraps it
    namespace = getattr(learners, "__globals__", {})
    codes = {getattr(namespace.get(name), "__code__", None) for name in others}
    codes.discard(getattr(learners, "__code__", None))
    codes.discard(None)
    watch = _Watch(frozenset(codes))
    previous, previous_threads = sys.getprofile(), getattr(threading, "_profile_hook", None)
    threading.setprofile(watch)
    sys.setprofile(watch)
    try:
        result = function(*args, **kwargs)
    except BaseException:
        if watch.seen is not None:   # whatever the learner's code made of it
            raise watch.seen from None
        raise
    finally:
        sys.setprofile(previous)
        threading.setprofile(previous_threads)
    if watch.seen is not None:
        raise watch.seen
    return result


# ------------------------------------------------------------ numerical hygiene
# What np.errstate(all="raise") says: the kind of error and the operation, e.g. "overflow encountered
# in exp". Only these words go back to the grader (a hidden check shows them too).
_FLOAT_ERROR = re.compile(r"(overflow|divide by zero|invalid value) encountered in ([A-Za-z_][\w.]{0,40})\Z")


def float_error(exc):
    """(what, operation) of a FloatingPointError that np.errstate raised, or None."""
    found = _FLOAT_ERROR.match(str(exc)) if isinstance(exc, FloatingPointError) else None
    return found.groups() if found else None


def run_stable(function, *args, **kwargs):
    """function(*args, **kwargs) with floating-point overflow, division by zero and invalid
    operations raising FloatingPointError (underflow to 0 is allowed)."""
    import numpy as np

    with np.errstate(over="raise", divide="raise", invalid="raise"):
        return function(*args, **kwargs)


# ------------------------------------------------------------ inputs left unchanged
def _same(a, b):
    import numpy as np

    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return (isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape
                and a.dtype == b.dtype and np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) or isinstance(b, dict):
        return type(a) is type(b) and a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or (a != a and b != b)   # NaN equals NaN here
    except Exception:  # noqa: BLE001 - an odd object: nothing to compare
        return True


def changed_argument(function, args, kwargs, before):
    """The name of the first argument the call changed in place (compared with before, a deep copy
    of (args, kwargs) made before the call), or None."""
    old_args, old_kwargs = before
    names = []
    try:
        import inspect

        bound = inspect.signature(function).bind_partial(*args, **kwargs)
        names = list(bound.arguments)
    except (TypeError, ValueError):
        pass
    for index, (now, then) in enumerate(zip(args, old_args)):
        if not _same(now, then):
            return names[index] if index < len(names) else f"argument {index + 1}"
    for key, now in kwargs.items():
        if not _same(now, old_kwargs.get(key)):
            return key
    return None


def warned(caught):
    """NumPy's floating-point warnings among caught ones, as "what in operation" (at most 3)."""
    found = []
    for warning in caught:
        parsed = _FLOAT_ERROR.match(str(warning.message))
        text = f"{parsed.group(1)} in {parsed.group(2)}" if parsed else None
        if text and text not in found:
            found.append(text)
    return found[:3]
