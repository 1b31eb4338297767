"""One harness for every check: make the inputs, call the submission, compare, score.

``run_check`` does not care how the submission is called: through a sandboxed
process (``nndl grade``, ``nndl check``) or in the learner's own kernel
(``nndl.check`` in a notebook). ``grade`` runs whole submissions.
"""
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path


from nndl import judges
from nndl.checking import Blame, describe, failed, not_submitted
from nndl.grader.content import chapters
from nndl.grader.processes import sandbox
from nndl.grader.grading import submission
from nndl.grader.content.check import HIDDEN, VISIBLE, Result
from nndl.records import Report
from nndl.compare import compare, output_names
from nndl.grader.config import VISIBLE_SEED
from nndl.grader.grading.oracle import oracle
from nndl.i18n import N_, t, tr
from nndl.grader.processes.runner import Reply, SubmissionProcess, WarmPool, preload_for



def run_check(check, chapter, seed, call, figures=False):
    """Run one check; `call(function, args, kwargs, timeout, probe)` returns a Reply.

    A fault of the grader itself (a bug in a check) fails only this check and
    says so, rather than stopping a batch. With figures, a failed visible check
    gathers what the HTML report draws of it (which may call the learner's
    function again, on a grid): only a report that draws asks for it.
    """
    profile, name = _PROFILE, f"{chapter}/{check.id}"
    if profile is not None:
        call = profile.timed(name, "learner", call)
        started = time.perf_counter()
    try:
        return _run_check(check, chapter, seed, call, figures)
    except Exception as exc:  # noqa: BLE001 - reported, never raised into a batch
        return failed(check, name, "grader_error",
                       t("the grader failed on this check ({error}); please report it",
                         error=f"{type(exc).__name__}: {exc}"))
    finally:
        if profile is not None:
            profile.add(name, "total", time.perf_counter() - started, runs=1)


class Profile:
    """Wall time per check (``nndl grade --profile``): in the learner's process (its calls, the
    sandbox's round trips included), in the grader's references (the oracle's answers and facts,
    computed or read from the cache), and in all; summed over the students of a batch."""

    FIELDS = ("learner", "reference", "total")

    def __init__(self):
        self.rows, self.lock = {}, threading.Lock()

    def add(self, name, field, seconds, runs=0):
        with self.lock:
            row = self.rows.setdefault(name, dict.fromkeys(self.FIELDS + ("runs",), 0))
            row[field] += seconds
            row["runs"] += runs

    def timed(self, name, field, function):
        """function, its time added to the name's field at each call."""
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.add(name, field, time.perf_counter() - started)
        return timed

    def table(self, limit=25):
        """The dearest checks first, then each chapter's and the whole total: lines of text."""
        rows = sorted(self.rows.items(), key=lambda item: -item[1]["total"])
        chapters = {}
        for name, row in rows:
            into = chapters.setdefault(name.split("/")[0], dict.fromkeys(self.FIELDS, 0.0))
            for field in self.FIELDS:
                into[field] += row[field]
        line = "{:<52} {:>9} {:>9} {:>9} {:>6}"
        out = [line.format(t("check"), t("learner"), t("reference"), t("total"), t("runs"))]
        out += [line.format(name, *(f"{row[f]:.3f}" for f in self.FIELDS), row["runs"])
                for name, row in rows[:limit]]
        out += ["", line.format(t("chapter"), t("learner"), t("reference"), t("total"), "")]
        out += [line.format(chapter, *(f"{row[f]:.3f}" for f in self.FIELDS), "")
                for chapter, row in sorted(chapters.items(), key=lambda item: -item[1]["total"])]
        every = [sum(row[f] for row in chapters.values()) for f in self.FIELDS]
        out.append(line.format(t("all checks"), *(f"{v:.3f}" for v in every), ""))
        return out


_PROFILE = None


@contextmanager
def profiling():
    """Time every check run in this process while the block runs; the Profile."""
    global _PROFILE
    _PROFILE = Profile()
    try:
        yield _PROFILE
    finally:
        _PROFILE = None


def _reference(name, function, *args):
    """An oracle call (an answer, a judge's facts), timed for --profile."""
    profile = _PROFILE
    return profile.timed(name, "reference", function)(*args) if profile is not None else function(*args)


def _run_check(check, chapter, seed, call, figures):
    hidden = check.visibility != VISIBLE
    seed = seed if hidden else VISIBLE_SEED
    rng = check.rng(chapter, seed)
    name = f"{chapter}/{check.id}"
    cases = check.cases(rng)
    probe = check.probe(rng) if check.probe else None
    for number, case in enumerate(cases, 1):
        facts = None
        if check.kit.probe:  # the learner's process gets its probe from the judge's facts
            facts = _reference(name, oracle().facts, check, name, seed, number, case, probe)
            reply = call(check.function, case.args, case.kwargs, check.timeout,
                         check.kit.probe(check, case, facts, probe))
        else:
            reply = call(check.function, case.args, case.kwargs, check.timeout, probe)
        where = t("case {number}/{total} ({label})", number=number, total=len(cases),
                  label=tr(case.label))
        if reply.kind in ("syntax", "load", "not_implemented", "missing", "forbidden", "mutated"):
            return failed(check, name, reply.kind, describe(reply, hidden))
        if reply.kind != "ok":
            return failed(check, name, reply.kind, describe(reply, hidden), where)
        if facts is not None:  # the kit's judge, on data alone: no reference model needed
            message = tr(judges.judge(check.kit.judge, reply.value, facts, case, check, reply.warned))
            if message:
                return failed(check, name, "wrong", message, where)
            continue
        expected = _reference(name, oracle().answer, check, name, seed, number, case)
        if check.compare is not None:
            message = tr(check.compare(reply.value, expected, check, case, probe))
        else:
            message = compare(reply.value, expected, check.atol, check.rtol, hidden,
                              names=output_names(chapters.docstrings(chapter).get(check.function)))
        if message:
            message += tr(check.diagnose(reply.value, case, hidden, expected,
                                         exponent=check.function in chapters.stable(chapter), warned=reply.warned))
            result = failed(check, name, "wrong", message, where)
            if figures and not hidden:
                result.figure = figure_data(case, reply.value, expected, check, call, probe)
            return result
    return Result(name, float(check.points), float(check.points), "passed",
                  t("passed {count} case(s)", count=len(cases)), check.visibility)


def figure_data(case, got, expected, check=None, call=None, probe=None):
    """What the HTML report can draw of a wrong visible case (figures.py), or None.

    A boundary calls the learner's function once more, on a grid (call); never
    for a hidden check, whose picture would show its inputs.
    """
    from nndl.grader.reports import figures

    return figures.gather(check, case, got, expected, call, probe)


def select(chapter, visibility, only=None):
    return [c for c in chapters.checks(chapter) if c.visibility in visibility
            and (not only or c.function in only or c.id in only)]


def grade_chapter(chapter, path, config, visibility=(VISIBLE, HIDDEN), pool=None, on_result=None,
                  figures=False, only=None):
    """Grade one chapter file in its own sandboxed process; a list of Results (of the checks of
    the functions in `only`, if given).

    With a WarmPool, the process is forked by one of the pool's zygotes.
    on_result(index, result) is called as each check completes (Gradescope
    rewrites its results file then, so a global time-out keeps them).
    """
    selected = select(chapter, visibility, only)
    if path is None:
        results = not_submitted(chapter, selected)
        for index, result in enumerate(results if on_result is not None else ()):
            on_result(index, result)
        return results
    deadline = time.monotonic() + config.limits.chapter_timeout
    rules = chapters.call_rules(chapter, config.from_scratch)
    with SubmissionProcess(path, config, pool) as process:
        def call(function, args, kwargs, timeout, probe):
            left = deadline - time.monotonic()
            if left <= 0:
                return Reply("timeout", function=function, detail=(
                    N_("the chapter used up its {budget:g} s budget before this call"),
                    {"budget": config.limits.chapter_timeout}))
            return process.call(function, args, kwargs, min(timeout or config.limits.call_timeout, left),
                                probe, rules)
        results, blame = [], Blame(chapters.callees(chapter))
        for check in selected:
            results.append(blame.note(run_check(check, chapter, config.hidden_seed, call, figures), check.function))
            if on_result is not None:
                on_result(len(results) - 1, results[-1])
        return results


def expected_cost(chapter):
    """A chapter's relative cost: the time-outs its checks ask for beyond the default
    (training runs and searches ask for more), 0 when none does."""
    return sum(c.timeout or 0 for c in chapters.checks(chapter))


def grade(path, config, selected=None, visibility=(VISIBLE, HIDDEN), jobs=1, pool=None, figures=False):
    """Grade a submission (a folder or one chapter file); a Report.

    With jobs > 1, chapters run side by side (each in its own sandboxed
    process); results keep the course order either way. A batch passes the
    WarmPool its students share; otherwise one is made for this submission
    (unless config.warm is off).
    """
    started = time.monotonic()
    kind = sandbox.choose(config.sandbox)  # fail before grading when it is unavailable
    path = Path(path)
    files, warnings = submission.find(path)
    wanted = selected or (list(files) if path.is_file() else chapters.available())
    submitted = [c for c in wanted if c in files]
    if not files:
        warnings.append(t("no chapter files found in {path}", path=path))
    own = pool is None and config.warm and bool(submitted)
    if own:
        pool = WarmPool(config, min(max(1, jobs), len(submitted)), preload_for(files[c] for c in submitted))
    try:
        # Side by side, the slowest chapters start first (longest-first keeps one from
        # finishing alone at the end); results keep the course order.
        order = sorted(wanted, key=expected_cost, reverse=True) if jobs > 1 else wanted
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as threads:
            graded = dict(zip(order, threads.map(
                lambda c: grade_chapter(c, files.get(c), config, visibility, pool, figures=figures), order)))
        results = [result for chapter in wanted for result in graded[chapter]]
    finally:
        if own:
            pool.close()
    if kind == "none":
        warnings.append(sandbox.describe(kind))
    return Report(results, time.monotonic() - started, sandbox.describe(kind), warnings)
