"""The kit's harness: run compiled checks on a learner's function and say what went wrong.

``run_check`` does not care how the function is called: in the learner's own
kernel (``nndl.check`` in a notebook) or in a child process that loaded the
chapter file (``nndl check``, pytest; see nndl/local.py). Either way the
output goes through the worker's conversion and wire format, so what passes
here passes in the grader.
"""
import copy
import signal
import threading

from nndl import compiled, config, judges, worker
from nndl.i18n import N_, t, tr
from nndl.records import VISIBLE, Reply, Result

CALL_TIMEOUT = 10.0   # seconds per call unless a check asks for more, as in the grader

FAILURE_TITLES = {   # in English; failed() translates them
    "not_implemented": N_("not implemented"),
    "missing": N_("missing"),
    "exception": N_("raised an exception"),
    "bad_output": N_("returned something that is not a numeric array"),
    "timeout": N_("timed out"),
    "died": N_("crashed"),
    "syntax": N_("the chapter file has a syntax error"),
    "load": N_("the chapter file failed to run"),
    "protocol": N_("broke the grader's protocol"),
    "not_submitted": N_("not submitted"),
    "grader_error": N_("GRADER ERROR"),
}


def failed(check, name, kind, message, where=None):
    """A failed Result: the failure's title, where it happened, the message (in English, translated
    here) and, for a wrong answer, the check's hint."""
    title = t(FAILURE_TITLES.get(kind, N_("wrong answer")))
    message = tr(message)
    if where:
        message = t("{where}: {message}", where=where, message=message)
    hint = ""
    if check.hint and kind in ("wrong", "bad_output"):
        hint = t("\nHint: {hint}", hint=tr(check.hint))
    return Result(name, 0.0, float(check.points), "failed",
                  t("{title} — {message}", title=title, message=message) + hint,
                  check.visibility, kind)


def not_submitted(chapter, selected):
    """A failed Result, "not submitted", for each of the selected checks of a missing chapter."""
    return [Result(f"{chapter}/{c.id}", 0.0, float(c.points), "failed", t("not submitted"),
                   c.visibility, "not_submitted") for c in selected]


def run_check(check, call):
    """Run one compiled check; call(function, args, kwargs, timeout, probe) returns a Reply."""
    name = f"{check.chapter}/{check.id}"
    for number, case in enumerate(check.cases, 1):
        reply = call(check.function, case.args, case.kwargs, check.timeout, case.probe)
        where = t("case {number}/{total} ({label})", number=number, total=len(check.cases),
                  label=tr(case.label))
        if reply.kind in ("syntax", "load", "not_implemented", "missing"):
            return failed(check, name, reply.kind, reply.message)
        if reply.kind != "ok":
            return failed(check, name, reply.kind, reply.message, where)
        message = getattr(judges, check.judge)(reply.value, case.facts, case, check)
        if message:
            return failed(check, name, "wrong", message, where)
    return Result(name, float(check.points), float(check.points), "passed",
                  t("passed {count} case(s)", count=len(check.cases)), VISIBLE)


def call_directly(function, timeout=None):
    """A call() for a function of this process: copies of the inputs, a time-out, the wire's checks."""
    def call(name, args, kwargs, check_timeout, probe):
        args, kwargs = copy.deepcopy((args, kwargs))  # a function that changes its input keeps its own
        seconds = timeout or check_timeout or CALL_TIMEOUT
        try:
            with _alarm(seconds):
                value = function(*args, **kwargs)
            plain = worker.decode(worker.encode(worker.to_plain(value, probe)))
        except NotImplementedError:
            return Reply("not_implemented", message=f"{name}() still raises NotImplementedError")
        except TimeoutError:
            return Reply("timeout", message=f"{name}() did not return within {seconds:g} s")
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


def find_checks(name):
    """(chapter, [compiled checks]) for "chapter/function" or "chapter/check id"; KeyError otherwise."""
    chapter, _, wanted = name.partition("/")
    if chapter not in compiled.chapters():
        raise KeyError(f"unknown chapter {chapter!r}")
    matches = [c for c in compiled.checks(chapter) if wanted in (c.id, c.function)]
    if not matches and wanted not in compiled.exercises(chapter):
        raise KeyError(f"no check {wanted!r} in {chapter}")
    return chapter, matches


def check_function(name, function):
    """Run the visible checks of chapter/function on function here; print ✓/✗ lines; the share earned."""
    _, selected = find_checks(name)
    return print_share([run_check(c, call_directly(function)) for c in selected])


def print_share(results):
    """Print a ✓/✗ line per result (with its message when it failed); the share of points earned."""
    earned = sum(r.score for r in results)
    total = sum(r.max_score for r in results) or 1.0
    for result in results:
        mark = "✓" if result.status == "passed" else "✗"
        print(f"{mark} {result.name}: {result.output}" if result.status != "passed" or
              config.verbose() else f"{mark} {result.name}")
    return earned / total
