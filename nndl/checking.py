"""The kit's harness: run compiled checks on a learner's function and say what went wrong.

``run_check`` does not care how the function is called: in the learner's own
kernel (``nndl.check`` in a notebook) or in a child process that loaded the
chapter file (``nndl check``, pytest; see nndl/local.py). Either way the
output goes through the worker's conversion and wire format, so what passes
here passes in the grader.
"""
import builtins
import copy
import re
import signal
import threading

from nndl import compiled, config, judges, worker
from nndl.course import checked_name
from nndl.i18n import N_, t, tr
from nndl.records import VISIBLE, Reply, Result, Rules
from nndl.worker.wire import BLOB

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
    "forbidden": N_("broke the from-scratch rule"),
    "numeric": N_("floating-point error"),
    "mutated": N_("changed its input"),
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


# What a from-scratch function that ran a framework is told (nndl/worker/policy.py).
FROM_SCRATCH = N_("{name}() ran {library} code; this exercise is from scratch: NumPy and SciPy only, "
                  "no TensorFlow, Keras, PyTorch or JAX while it runs")


# What a stable function that overflowed is told (np.errstate; nndl/worker/policy.py).
FLOAT_ERROR = N_("{name}(): floating-point {what} in {operation}; its text promises a result for any input "
                 "without overflow, division by zero or NaN (it runs under np.errstate(all=\"raise\")): {advice}")
# What each kind of floating-point error asks of the learner.
ADVICE = {"overflow": N_("use a numerically stable form (never exp of a large positive number)"),
          "divide by zero": N_("a division by 0 or a log of 0: keep what goes into a log or a denominator "
                               "away from 0 (clip probabilities, or work from logits)"),
          "invalid value": N_("0/0, inf - inf, 0 * inf or a log of a negative number: find the input that "
                              "produces it and handle that case")}
FLOAT_ERRORS = ("overflow", "divide by zero", "invalid value")
# What a function that changed an argument is told.
MUTATED = N_("{name}() changed its argument {argument} in place; it must leave its inputs unchanged and "
             "return new arrays (W = W - eta * dW makes a new array, W -= eta * dW changes the caller's)")
_ARGUMENT = re.compile(r"[A-Za-z_]\w{0,59}\Z|argument \d{1,3}\Z")
_OPERATION = re.compile(r"[A-Za-z_][\w.]{0,40}\Z")


_WARNED = re.compile(r"(overflow|divide by zero|invalid value) in [A-Za-z_][\w.]{0,40}\Z")


def warned(values):
    """The worker's "warned" list, each entry checked against what NumPy says; a tuple."""
    return tuple(v for v in values if isinstance(v, str) and _WARNED.match(v))[:3] \
        if isinstance(values, list) else ()


def worker_reply(function, record):
    """The Reply of a worker's rule record ("forbidden", "numeric", "mutated"), or None when the
    record is not one the worker sends: each field is checked against what the worker may say."""
    kind = record.get("kind") if isinstance(record, dict) else None
    if kind == "forbidden":
        return forbidden(function, record)
    if kind == "numeric":
        what, operation = record.get("what"), record.get("operation")
        if what not in FLOAT_ERRORS or not isinstance(operation, str) or not _OPERATION.match(operation):
            return None
        frames = record.get("frames")
        return Reply("numeric", function=function, detail=(FLOAT_ERROR, {
            "name": function, "what": what, "operation": operation, "advice": (ADVICE[what], {})}),
                     error={"type": "", "text": "", "frames": frames[-1:] if isinstance(frames, list) else []})
    if kind == "mutated":
        argument = record.get("argument")
        if not isinstance(argument, str) or not _ARGUMENT.match(argument):
            return None
        return Reply("mutated", function=function, detail=(MUTATED, {"name": function, "argument": argument}))
    return None


def forbidden(function, record):
    """The Reply for a worker's "forbidden" record ({"library", "frames"}), or None when the record
    is not one the worker sends: the library must be one of the frameworks it names."""
    library = record.get("library") if isinstance(record, dict) else None
    if library not in set(worker.FRAMEWORKS.values()):
        return None
    frames = record.get("frames")
    return Reply("forbidden", function=function, detail=(FROM_SCRATCH, {"name": function, "library": library}),
                 error={"type": "", "text": "", "frames": frames[:1] if isinstance(frames, list) else []})


WITHHELD = N_("(withheld in a hidden check; run the visible checks to see the details)")


def _detail(detail):
    """A (template, fields) detail in the chosen language; a field may be a detail itself."""
    template, fields = detail
    return t(template, **{k: _detail(v) if isinstance(v, tuple) else v for k, v in fields.items()})


_IDENTIFIER = re.compile(r"[A-Za-z_][\w.]{0,120}\Z")
_CHAPTER_FILE = re.compile(r"ch\d\d_\w+\.(py|ipynb)( cell \d+)?\Z")


def _frames(frames, hidden):
    """Traceback lines of the learner's frames; for a hidden check only where (chapter file and
    line): a frame's other fields can be made to carry an input (a compiled file name, a
    renamed code object, a registered source line)."""
    lines = []
    for frame in frames if isinstance(frames, list) else []:
        try:
            filename, lineno, function, code = (str(frame[0]), int(frame[1]), str(frame[2]), str(frame[3]))
        except (TypeError, ValueError, IndexError):
            continue
        if not hidden:
            lines.append(f'  File "{filename}", line {lineno}, in {function}\n' + (f"    {code.strip()}\n" if code else ""))
        elif _CHAPTER_FILE.match(filename):
            lines.append(f'  File "{filename}", line {lineno}\n')
    return "".join(lines)


def _builtin_exception(name):
    value = getattr(builtins, name, None) if _IDENTIFIER.match(name) else None
    return isinstance(value, type) and issubclass(value, BaseException)


_DOT = re.compile(r"shapes \(([\d, ]*)\) and \(([\d, ]*)\) not aligned")
_MATMUL = re.compile(r"matmul: Input operand \d has a mismatch in its core dimension")


def _product_hint(kind, text):
    """For a matrix product of mismatched shapes (NumPy's ValueError): which operand looks
    transposed, when the shapes say so, or the rule; '' otherwise. No shape is repeated, so it
    may follow a hidden check's withheld text."""
    if kind != "ValueError":
        return ""
    found = _DOT.search(text)
    which = N_("check the order of the operands, and whether one of them should be transposed (.T)")
    if found:
        a, b = ([int(n) for n in part.split(",") if n.strip()] for part in found.groups())
        if len(a) == 2 and len(b) >= 1 and a[0] == b[0] and a[1] != b[0]:
            which = N_("the first operand looks transposed (its rows match the second's rows)")
        elif len(a) >= 1 and len(b) == 2 and a[-1] == b[1] and a[-1] != b[0]:
            which = N_("the second operand looks transposed (its columns match the first's columns)")
    elif not _MATMUL.search(text):
        return ""
    return t("\nA matrix product of mismatched shapes: A @ B needs A's last axis as long as B's first; "
             "{which}", which=t(which))


def _error(error, hidden):
    """What the learner's code raised: its frames, then "Type: text". For a hidden check the
    text is withheld, and a type is named only when it is one of Python's own (a class the
    submission made could be named after its input)."""
    text, kind = str(error.get("text", "")), str(error.get("type", "Exception"))
    if hidden and not _builtin_exception(kind):
        kind = "Exception"
    shown = t(WITHHELD) if hidden else text
    head = (f"{kind}: {shown}" if kind else shown) if text else kind
    return (_frames(error.get("frames"), hidden) + head).strip() + _product_hint(kind, text)


def describe(reply, hidden):
    """A failed Reply in words, each sentence formatted once, in the chosen language.

    For a hidden check (hidden=True) the fields a submission could fill with
    what it was given are left out: the exception's text and the process's
    last output. The exception's type and the learner's own frames (file,
    line, code) stay, so the learner can still find the fault.
    """
    name = reply.function
    if reply.kind == "not_implemented":
        message = t("{name}() still raises NotImplementedError", name=name)
    elif reply.kind == "missing":
        message = t("function {name}() is not defined", name=name)
    elif reply.kind in ("forbidden", "numeric", "mutated"):  # the learner's line, then the rule it broke
        message = (_frames((reply.error or {}).get("frames"), hidden) + _detail(reply.detail)).strip()
    elif reply.kind == "exception" and reply.error:
        message = t("{name}() raised {error}", name=name, error=_error(reply.error, hidden))
    elif reply.error:       # the chapter file failed to load: no input of a check involved
        message = _error(reply.error, False)
    elif reply.kind == "bad_output" and reply.detail:
        message = t("{name}() {problem}", name=name, problem=_detail(reply.detail))
    else:
        message = _detail(reply.detail) if reply.detail else reply.kind
    output = reply.output.strip()[-600:]
    if output and hidden and reply.kind not in ("load", "syntax"):
        return t("{message}; its last output is {withheld}", message=message, withheld=t(WITHHELD)[1:-1])
    return t("{message}; its last output:\n{output}", message=message, output=output) if output else message


def run_check(check, call):
    """Run one compiled check; call(function, args, kwargs, timeout, probe) returns a Reply."""
    name = f"{check.chapter}/{check.id}"
    for number, case in enumerate(check.cases, 1):
        reply = call(check.function, case.args, case.kwargs, check.timeout, case.probe)
        where = t("case {number}/{total} ({label})", number=number, total=len(check.cases),
                  label=tr(case.label))
        if reply.kind in ("syntax", "load", "not_implemented", "missing", "forbidden", "mutated"):
            return failed(check, name, reply.kind, describe(reply, hidden=False))
        if reply.kind != "ok":
            return failed(check, name, reply.kind, describe(reply, hidden=False), where)
        message = judges.judge(check.judge, reply.value, case.facts, case, check, reply.warned)
        if message:
            return failed(check, name, "wrong", message, where)
    return Result(name, float(check.points), float(check.points), "passed",
                  t("passed {count} case(s)", count=len(check.cases)), VISIBLE)


UNFIT = ("syntax", "load", "not_submitted", "grader_error")   # nothing of the learner's ran


class Blame:
    """Tells a failed check of a function that calls another of the chapter's functions which
    failed its own checks earlier (calls: {function: callees}, from the model answers) so: the
    fault may be there. Checks are told in the chapter's order, one at a time (note)."""

    def __init__(self, calls):
        self.calls, self.failed = calls, set()

    def note(self, result, function):
        """result, with the note added when it failed while a function it calls failed; returned."""
        if result.status != "passed" and result.kind not in UNFIT:
            guilty = [c for c in self.calls.get(function, ()) if c in self.failed and c != function]
            if guilty:
                result.output += t("\nNote: {function}() calls {callees}, which fail their own checks: "
                                   "fix them first, this check may pass then",
                                   function=function, callees=t(", ").join(f"{c}()" for c in guilty))
            self.failed.add(function)
        return result


def reply_of(record, function):
    """The Reply of a worker's reply record (nndl/worker/calls.answer), in the learner's own process
    or its kit child: every rule record is checked as the grader checks it."""
    if "ok" in record:
        try:
            return Reply("ok", worker.decode(record["ok"], record.get(BLOB)), warned=warned(record.get("warned")))
        except worker.WireError as exc:
            return Reply("bad_output", function=function, detail=(exc.template, exc.fields))
    if record.get("kind") in ("forbidden", "numeric", "mutated"):
        return worker_reply(function, record) or Reply("exception", function=function)
    kind = record.get("kind") if record.get("kind") in ("not_implemented", "missing", "bad_output") else "exception"
    detail = record.get("detail") if kind == "bad_output" else None
    return Reply(kind, function=function, detail=tuple(detail) if isinstance(detail, list) else (),
                 error=record.get("error") if isinstance(record.get("error"), dict) else None)


def call_directly(function, timeout=None, rules=Rules()):
    """A call() for a function of this process: copies of the inputs, a time-out, and the worker's
    own call (nndl/worker/calls.answer: the chapter's Rules, the wire's checks)."""
    def call(name, args, kwargs, check_timeout, probe):
        args, kwargs = copy.deepcopy((args, kwargs))  # a function that changes its input keeps its own
        seconds = timeout or check_timeout or CALL_TIMEOUT
        try:
            with _alarm(seconds):
                record = worker.answer(function, args, kwargs, {**rules.request(name), "probe": worker.encode(probe)},
                                       passthrough=(TimeoutError,))
        except TimeoutError:
            return Reply("timeout", function=name,
                         detail=(N_("{name}() did not return within {seconds:g} s"), {"name": name, "seconds": seconds}))
        return reply_of(record, name)
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
    """(chapter, [compiled checks]) for "chapter/function" or "chapter/check id"; UnknownName (a
    KeyError) otherwise."""
    chapter, wanted = checked_name(name, compiled.chapters(), lambda chapter: {
        *compiled.exercises(chapter), *(n for c in compiled.checks(chapter) for n in (c.id, c.function))})
    return chapter, [c for c in compiled.checks(chapter) if wanted in (c.id, c.function)]


def check_function(name, function):
    """Run the visible checks of chapter/function on function here; print ✓/✗ lines; the share earned."""
    chapter, selected = find_checks(name)
    results = [run_check(c, call_directly(function, rules=compiled.rules(chapter))) for c in selected]
    _remember(chapter, results)
    return print_share(results)


def _remember(chapter, results):
    """Count a notebook's checks in `nndl progress`, when the notebook's folder (the kernel's) holds
    the chapter's file; never an error of the check itself."""
    import os
    from pathlib import Path

    from nndl import learner
    from nndl.course import chapter_files

    try:
        folder = Path(os.getcwd())
        if chapter_files(folder).get(chapter) is not None:
            learner.record_checks(folder, chapter, results)
    except (OSError, ValueError):
        pass


def print_share(results):
    """Print a ✓/✗ line per result (with its message when it failed); the share of points earned."""
    earned = sum(r.score for r in results)
    total = sum(r.max_score for r in results) or 1.0
    for result in results:
        mark = "✓" if result.status == "passed" else "✗"
        print(f"{mark} {result.name}: {result.output}" if result.status != "passed" or
              config.verbose() else f"{mark} {result.name}")
    return earned / total
