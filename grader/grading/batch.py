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
"""
import csv
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from nndl.grader.content import chapters

from nndl.grader.grading import harness
from nndl.course import CHAPTERS, chapter_of
from nndl.grader.content.check import HIDDEN, VISIBLE, Result
from nndl.i18n import t
from nndl.grader.reports.report import by_chapter, write_json
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


def grade_batch(found, config, out_dir, selected=None, visibility=(VISIBLE, HIDDEN), jobs=1,
                progress=None):
    """Grade every student of `found` ({student: folder}); [Graded] in student order.

    Writes ``out_dir/<student>.json`` as each student finishes and
    ``out_dir/grades.csv`` at the end. `progress(graded)` is called after each.
    """
    selected = list(selected or chapters.available())
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    done = []
    warm = WarmPool(config, max(1, jobs), preload_for(_files(found.values()))) if config.warm else None
    try:
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as threads:
            futures = [threads.submit(grade_one, s, f, config, selected, visibility, warm)
                       for s, f in found.items()]
            for future in as_completed(futures):
                graded = future.result()
                write_json(graded.report, out_dir / f"{graded.student}.json")
                done.append(graded)
                if progress:
                    progress(graded)
    finally:
        if warm is not None:
            warm.close()
    done.sort(key=lambda g: g.student)
    write_csv(done, selected, out_dir / "grades.csv")
    return done


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
                      console=None):
    """grade_batch with a rich progress bar (count, elapsed, ETA) on the console."""
    from nndl.console import Console
    from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn,
                               TimeElapsedColumn, TimeRemainingColumn)

    console = console or Console(stderr=True, highlight=False)
    columns = (TextColumn(t("grading")), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TextColumn(t("ETA")), TimeRemainingColumn(), TextColumn("{task.description}"))
    with Progress(*columns, console=console) as bar:
        task = bar.add_task("", total=len(found))

        def advance(graded):
            report = graded.report
            bar.update(task, advance=1,
                       description=f"{graded.student}: {report.score:g}/{report.max_score:g}")
        return grade_batch(found, config, out_dir, selected, visibility, jobs, advance)


def summary(done):
    """One line per student, for the terminal."""
    lines = [f"{g.student:<24} {g.report.score:>7g}/{g.report.max_score:g}" for g in done]
    return "\n".join(lines)
