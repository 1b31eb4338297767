"""Grade a whole class: one folder per student, graded side by side.

``nndl grade DIR`` grades a batch when DIR holds students rather than chapter
files: either one sub-folder per student (``DIR/<student>/ch02_activations.py``)
or nbgrader's collected tree (``DIR/submitted/<student>/<chapter>/<chapter>.ipynb``,
DIR being the course folder or its ``submitted/`` folder itself).

Each student is graded by ``harness.grade`` in a thread of its own, so
TensorFlow is imported once, by the grader, and each reference answer is
computed once for the whole class. The chapters run in sandboxed workers that
`jobs` warm sandboxes fork (``runner.WarmPool``): NumPy and, when the
submissions use it, Keras are imported once per sandbox, not per student or
chapter. A student whose submission cannot be graded at all gets a zero with
the reason; the batch goes on.

With a cluster (``--cluster``, grader/grading/cluster.py) the students are
Dask tasks instead, each Dask worker with warm sandboxes of its own.

Nothing is lost and nothing graded twice: ``<student>.json`` is written
atomically as each student finishes and carries the key of what was graded (a
hash of the submission's files, the grader's version, the hidden seed, the
chapters and checks asked for). A batch run again after it was stopped at any
point grades only the students whose result is missing or stale, and says how
many it skipped.
"""
import csv
import functools
import hashlib
import json
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nndl.grader.content import chapters

from nndl.grader.grading import cluster as dask_cluster, harness
from nndl.course import CHAPTERS, chapter_of
from nndl.grader.content.check import HIDDEN, VISIBLE, Result
from nndl.i18n import t
from nndl.grader.reports.report import by_chapter, write_json
from nndl.records import Report
from nndl.grader.processes.runner import WarmPool, preload_for


def _has_chapters(folder):
    """Does folder itself look like one submission (chapter files, or nbgrader's <chapter>/)?"""
    return any((p.is_file() and chapter_of(p)) or (p.is_dir() and p.name in CHAPTERS)
               for p in folder.iterdir())


def students(path):
    """{student: folder} when path is a batch, else None (a single submission)."""
    path = Path(path)
    if not path.is_dir() or _has_chapters(path):
        return None
    root = path / "submitted" if (path / "submitted").is_dir() else path
    found = {p.name: p for p in sorted(root.iterdir())
             if p.is_dir() and not p.name.startswith(".") and _has_chapters(p)}
    return found or None


@dataclass
class Graded:
    """One student's outcome: a Report, or the reason there is none."""

    student: str
    report: harness.Report


def _unreadable(student, error, selected, visibility, started):
    """A zero Report naming why the whole submission could not be graded."""
    message = t("the submission could not be graded: {error}", error=error)
    results = [Result(f"{c}/{k.id}", 0.0, float(k.points), "failed", message, k.visibility,
                      "grader_error")
               for c in selected for k in harness.select(c, visibility)]
    return harness.Report(results, time.monotonic() - started, "not run", [message])


def grade_one(student, folder, config, selected, visibility, pool=None):
    started = time.monotonic()
    try:
        report = harness.grade(folder, config, selected, visibility, jobs=1, pool=pool)
    except Exception as exc:  # noqa: BLE001 - one bad submission never stops the batch
        report = _unreadable(student, f"{type(exc).__name__}: {exc}", selected, visibility,
                             started)
    return Graded(student, report)


@dataclass
class Batch:
    """What a batch run did: every student's outcome (graded now or before), in student order,
    how many were skipped as already graded, and the students the cluster could not grade."""

    done: list
    skipped: int = 0
    lost: tuple = ()


def grade_batch(found, config, out_dir, selected=None, visibility=(VISIBLE, HIDDEN), jobs=1,
                progress=None, cluster=None, started=None):
    """Grade every student of `found` ({student: folder}) whose results in out_dir are missing or
    stale; a Batch.

    Writes ``out_dir/<student>.json`` atomically as each student finishes and
    ``out_dir/grades.csv`` at the end. `progress(graded)` is called after each;
    `started(todo, skipped)` once, before the first. With `cluster` (a
    --cluster value) the students are tasks of a Dask cluster; else `jobs`
    threads of this process grade them.
    """
    selected = list(selected or chapters.available())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    keys, done, todo, carried = {}, [], {}, {}
    for student, folder in found.items():
        files = dask_cluster.files_of(folder)
        keys[student] = submission_key(files, config, selected, visibility)
        previous = _previous(out_dir / f"{student}.json", keys[student])
        if previous is not None:
            done.append(Graded(student, previous))
        else:
            todo[student] = folder
            if cluster:   # what its task carries, read once
                carried[student] = files
    if started:
        started(len(todo), len(done))
    skipped = len(done)

    def finished(graded):
        write_json(graded.report, out_dir / f"{graded.student}.json", keys[graded.student])
        done.append(graded)
        if progress:
            progress(graded)

    lost = _on_cluster(carried, config, selected, visibility, cluster, finished) if cluster and todo else \
        _in_threads(todo, config, selected, visibility, jobs, finished) if todo else ()
    done.sort(key=lambda g: g.student)
    write_csv(done, selected, out_dir / "grades.csv")
    return Batch(done, skipped, tuple(lost))


def _in_threads(todo, config, selected, visibility, jobs, finished):
    warm = WarmPool(config, max(1, jobs), preload_for(_files(todo.values()))) if config.warm else None
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as threads:
            futures = [threads.submit(grade_one, s, f, config, selected, visibility, warm)
                       for s, f in todo.items()]
            for future in as_completed(futures):
                finished(future.result())
    finally:
        if warm is not None:
            warm.close()
    return ()


def _on_cluster(todo, config, selected, visibility, spec, finished):
    """The students of todo ({student: their files}) as Dask tasks; those the cluster could not grade
    (a task whose workers all died), with the reason. Their results are not written, so the next
    run grades them."""
    from distributed import as_completed as arrived

    client, cluster = dask_cluster.connect(spec)
    lost = []
    try:
        futures = dask_cluster.submit(client, todo, config, selected, visibility)
        for future in arrived(futures):
            student = futures[future]
            try:
                report = Report.from_json(future.result())
            except Exception as exc:  # noqa: BLE001 - the cluster's fault, not the student's
                lost.append((student, f"{type(exc).__name__}: {exc}"))
                continue
            finished(Graded(student, report))
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return lost


# ------------------------------------------------------------------ nothing lost, nothing twice
@functools.lru_cache(maxsize=1)
def grader_version():
    """The grader's version: the package's and a hash of the checks, references and texts that
    decide a grade (a changed check makes every earlier result stale)."""
    from importlib import metadata

    import nndl
    from nndl.grader import suites

    digest = hashlib.sha256()
    try:
        digest.update(metadata.version("nndl").encode())
    except metadata.PackageNotFoundError:
        pass
    roots = [Path(suites.__file__).parent, chapters.SOURCE_DIR, Path(nndl.__file__).parent / "compiled"]
    for root in roots:
        for path in sorted(root.glob("*")):
            if path.is_file() and path.suffix in (".py", ".json", ".npz"):
                digest.update(path.name.encode() + b"\0" + hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def submission_key(files, config, selected, visibility):
    """A hash of what decides a student's grades: the submission's files ({path: bytes},
    cluster.files_of), the grader's version, the hidden seed, the from-scratch rule, the chapters
    and the checks asked for."""
    digest = hashlib.sha256()
    for part in (grader_version(), str(config.hidden_seed), str(config.from_scratch), ",".join(selected),
                 ",".join(visibility)):
        digest.update(part.encode() + b"\0")
    for name, data in files.items():
        digest.update(name.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()


def _previous(path, key):
    """The Report in a student's results file when it was graded with this key; else None."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Report.from_json(data) if isinstance(data, dict) and data.get("key") == key else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _files(folders):
    """Every file in the students' folders (for what the warm sandboxes should import)."""
    for folder in folders:
        yield from (p for p in Path(folder).rglob("*") if p.is_file())


def write_csv(done, selected, path):
    """student, one column per chapter, total and max_score."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["student", *selected, "total", "max_score"])
        for graded in done:
            scores = {c: sum(r.score for r in rs) for c, rs in by_chapter(graded.report.results).items()}
            writer.writerow([graded.student, *(f"{scores.get(c, 0.0):g}" for c in selected),
                             f"{graded.report.score:g}", f"{graded.report.max_score:g}"])


def run_with_progress(found, config, out_dir, selected=None, visibility=(VISIBLE, HIDDEN), jobs=1,
                      console=None, cluster=None):
    """grade_batch with a rich progress bar (count, elapsed, ETA) on the console; a Batch."""
    from nndl.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    console = console or Console(stderr=True, highlight=False)
    columns = (TextColumn(t("grading")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn(t("ETA")), TimeRemainingColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("", total=len(found))

        def started(todo, skipped):
            if skipped:
                bar.console.print(t("skipped {count} students already graded (their results are up to date)",
                                    count=skipped))
            bar.update(task, total=todo)

        def advance(graded):
            report = graded.report
            bar.update(task, advance=1,
                       description=f"{graded.student}: {report.score:g}/{report.max_score:g}")
        return grade_batch(found, config, out_dir, selected, visibility, jobs, advance, cluster, started)


def summary(done):
    """One line per student, for the terminal."""
    lines = [f"{g.student:<24} {g.report.score:>7g}/{g.report.max_score:g}" for g in done]
    return "\n".join(lines)
