"""Run checks on a function in the learner's own process (a notebook or a script).

This is the learner's side, not the grader's: the learner's code is trusted
here, so it is called directly. Its output goes through the same conversion
and wire format as in the sandbox, so what passes here passes in `nndl grade`.
"""
import copy
import os
import signal
import threading

from nndl import worker
from nndl.grader import chapters
from nndl.grader.check import HIDDEN, VISIBLE
from nndl.grader.config import GraderConfig
from nndl.grader.harness import run_check
from nndl.grader.runner import Reply


def _call_directly(function):
    def call(name, args, kwargs, timeout, probe):
        # Copies, as the sandbox gets: a function that changes its input in place must
        # not change the input the reference is computed on.
        args, kwargs = copy.deepcopy((args, kwargs))
        timeout = timeout or GraderConfig().limits.call_timeout
        try:
            with _alarm(timeout):
                value = function(*args, **kwargs)
            plain = worker.decode(worker.encode(worker.to_plain(value, probe)))
        except NotImplementedError:
            return Reply("not_implemented", message=f"{name}() still raises NotImplementedError")
        except TimeoutError:
            return Reply("timeout", message=f"{name}() did not return within {timeout:g} s")
        except worker.WireError as exc:
            return Reply("bad_output", message=f"{name}() {exc}")
        except Exception as exc:  # noqa: BLE001 - the learner's error, reported as such
            return Reply("exception", message=f"{name}() raised {worker.short_traceback(exc)}")
        return Reply("ok", plain)
    return call


class _alarm:
    """SIGALRM-based time-out in the main thread; a no-op elsewhere."""

    def __init__(self, seconds):
        self.seconds = seconds
        self.armed = threading.current_thread() is threading.main_thread() and hasattr(signal, "SIGALRM")

    def __enter__(self):
        if self.armed:
            def expire(*_):
                raise TimeoutError
            self.previous = signal.signal(signal.SIGALRM, expire)
            signal.setitimer(signal.ITIMER_REAL, self.seconds)

    def __exit__(self, *exc):
        if self.armed:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)


def check_function(name, function, hidden=False):
    """Run the visible (or hidden) checks of chapter/function on `function`; print; return the share."""
    chapter, selected = chapters.find_check(name)
    wanted = HIDDEN if hidden else VISIBLE
    selected = [c for c in selected if c.visibility == wanted]
    seed = GraderConfig.from_env().hidden_seed
    results = [run_check(c, chapter, seed, _call_directly(function)) for c in selected]
    earned = sum(r.score for r in results)
    total = sum(r.max_score for r in results) or 1.0
    for result in results:
        mark = "✓" if result.status == "passed" else "✗"
        print(f"{mark} {result.name}: {result.output}" if result.status != "passed" or
              os.environ.get("NNDL_VERBOSE") else f"{mark} {result.name}")
    return earned / total
