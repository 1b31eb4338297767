"""The `nndl` command: list, release, build, grade, check.

Bad usage or unreadable input ends with exit status 2 and one line on stderr.
A broken submission is never an error here: it is a failed check.
"""
import argparse
import json
import sys
from pathlib import Path


class UsageError(Exception):
    """Bad usage: reported in one line, exit status 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):
        raise UsageError(message)


def parser():
    p = Parser(prog="nndl", description="A course on Neural Networks and Deep Learning, with autograding.")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)

    s = sub.add_parser("list", help="chapters, checks and points")
    s.add_argument("--json", action="store_true", help="print JSON instead of a table")

    s = sub.add_parser("release", help="write the student edition (or the model answers) to OUTDIR")
    s.add_argument("outdir", type=Path)
    s.add_argument("--answers", action="store_true", help="the model answers, same layout")

    sub.add_parser("build", help="regenerate exercises/ from source/ (course developers)")

    s = sub.add_parser("grade", help="grade a submission folder or chapter file")
    s.add_argument("submission", type=Path)
    s.add_argument("--json", type=Path, metavar="FILE", help="write the results JSON here")
    s.add_argument("--html", type=Path, metavar="REPORT.html",
                   help="write a self-contained feedback page (scores, messages, plots) here")
    s.add_argument("--chapter", action="append", metavar="ID", help="grade only this chapter (repeatable)")
    s.add_argument("--jobs", type=int, default=1, metavar="N",
                   help="chapters (or, for a batch, students) graded side by side (default 1)")
    s.add_argument("--out", type=Path, metavar="RESULTS_DIR",
                   help="a batch (a folder of student folders): write <student>.json and grades.csv here")
    s.add_argument("--visible-only", action="store_true", help=argparse.SUPPRESS)

    s = sub.add_parser("stats", help="instructors: per-check pass counts, common failures, score spread")
    s.add_argument("results", type=Path, metavar="RESULTS_DIR", help="what `nndl grade DIR --out` wrote")
    s.add_argument("--plot", type=Path, metavar="PNG", help="where the plot goes (default RESULTS_DIR/stats.png)")

    s = sub.add_parser("gradescope", help="instructors: a Gradescope autograder bundle (zip)")
    s.add_argument("zip", type=Path, metavar="OUT.zip")

    s = sub.add_parser("check", help="run the visible checks on ./exercises")
    s.add_argument("chapter", nargs="?", help="a chapter id, e.g. ch02_activations")
    s.add_argument("--dir", type=Path, default=Path("exercises"), help="where the exercises are")

    s = sub.add_parser("hint", help="a hint for one exercise; ask again for a bigger one")
    s.add_argument("exercise", help="chapter/function, e.g. ch02_activations/softmax")
    s.add_argument("--level", type=int, help="1 (a nudge) to 3 (everything)")
    s.add_argument("--dir", type=Path, default=Path("exercises"), help="where the exercises are")

    s = sub.add_parser("watch", help="re-run a chapter's visible checks each time its file is saved")
    s.add_argument("--dir", type=Path, default=Path("exercises"), help="where the exercises are")

    s = sub.add_parser("progress", help="how far you are, over all fifteen chapters")
    s.add_argument("--dir", type=Path, default=Path("exercises"), help="where the exercises are")
    s.add_argument("--run", action="store_true", help="check the chapters not checked since they changed")

    s = sub.add_parser("course", help="instructors: an nbgrader course directory")
    course = s.add_subparsers(dest="course_command", required=True, parser_class=Parser)
    c = course.add_parser("build", help="write nbgrader_config.py and source/<chapter>/<chapter>.ipynb into DIR")
    c.add_argument("dir", type=Path)
    c.add_argument("--chapter", action="append", metavar="ID", help="only this chapter (repeatable)")
    return p


def _chapters(requested):
    from nndl.grader import chapters

    for chapter in requested or []:
        if chapter not in chapters.CHAPTERS:
            raise UsageError(f"unknown chapter {chapter!r}; see `nndl list`")
        if chapter not in chapters.available():
            raise UsageError(f"chapter {chapter} has no checks yet")
    return requested


def cmd_list(args):
    from nndl.grader import chapters

    rows = [{"chapter": c, "checks": [{"name": f"{c}/{k.id}", "function": k.function,
                                       "points": k.points, "visibility": k.visibility}
                                      for k in chapters.checks(c)]}
            for c in chapters.available()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        total = sum(k["points"] for k in row["checks"])
        print(f"{row['chapter']:<28} {len(row['checks']):>3} checks {total:>6g} points")
        for k in row["checks"]:
            print(f"    {k['name']:<52} {k['points']:>5.3g}  {k['visibility']}")
    missing = [c for c in chapters.CHAPTERS if c not in chapters.available()]
    if missing:
        print(f"not yet written: {', '.join(missing)}")
    return 0


def cmd_release(args):
    from nndl.grader import build

    written = build.release(args.outdir, answers=args.answers)
    kind = "model answers" if args.answers else "student edition"
    print(f"wrote the {kind} of {len(written)} chapters to {args.outdir}")
    return 0


def cmd_build(args):
    from nndl.grader import build

    written = build.build_exercises()
    print(f"regenerated {len(written)} files in exercises/")
    return 0


def cmd_grade(args):
    from nndl.grader import harness, report
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    selected = _chapters(args.chapter)
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    for path in (args.json, args.html):
        if path and not path.parent.is_dir():
            raise UsageError(f"cannot write {path}: no folder {path.parent}")
    if _batch(args) is not None:
        return cmd_grade_batch(args, selected, _batch(args))
    if args.out:
        raise UsageError(f"--out is for a batch, and {args.submission} holds chapter files: "
                         f"use --json FILE")
    visibility = (VISIBLE,) if args.visible_only else None
    result = harness.grade(args.submission, GraderConfig.from_env(), selected,
                           **({"visibility": visibility} if visibility else {}), jobs=args.jobs)
    report.print_report(result, title=f"nndl grade {args.submission}")
    if args.json:
        report.write_json(result, args.json)
    if args.html:
        report.write_html(result, args.html, title=f"nndl grade {args.submission.name}")
        print(f"feedback page: {args.html}")
    return 0


def _batch(args):
    from nndl.grader import batch

    return batch.students(args.submission) if args.submission.is_dir() else None


def cmd_grade_batch(args, selected, found):
    """A folder of student folders: each student graded, --jobs of them at a time."""
    from nndl.grader import batch
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    if args.json or getattr(args, "html", None):
        raise UsageError(f"{args.submission} is a batch of {len(found)} students: "
                         f"use --out RESULTS_DIR instead of --json/--html")
    if not args.out:
        raise UsageError(f"{args.submission} is a batch of {len(found)} students: "
                         f"give --out RESULTS_DIR for their results")
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"cannot write results into {args.out}: not a folder")
    print(f"batch: {len(found)} students in {args.submission}, {args.jobs} at a time", file=sys.stderr)
    visibility = (VISIBLE,) if args.visible_only else None
    done = batch.run_with_progress(found, GraderConfig.from_env(), args.out, selected,
                                   **({"visibility": visibility} if visibility else {}),
                                   jobs=args.jobs)
    print(batch.summary(done))
    print(f"wrote {len(done)} results and grades.csv to {args.out}")
    return 0


def cmd_stats(args):
    from nndl.grader import stats

    if not args.results.is_dir():
        raise UsageError(f"no results folder {args.results}")
    cohort = stats.Cohort.load(args.results)
    if not cohort.students:
        raise UsageError(f"no <student>.json results in {args.results}")
    stats.print_stats(cohort)
    png = stats.plot(cohort, args.plot or args.results / "stats.png")
    print(f"plot: {png}")
    return 0


def cmd_gradescope(args):
    from nndl.grader import gradescope

    if args.zip.suffix != ".zip":
        raise UsageError(f"{args.zip} should end in .zip")
    if not args.zip.parent.is_dir():
        raise UsageError(f"cannot write {args.zip}: no folder {args.zip.parent}")
    names = gradescope.build_bundle(args.zip)
    print(f"wrote {args.zip} ({len(names)} files); upload it as the assignment's autograder")
    return 0


def cmd_check(args):
    from nndl.grader import harness, report
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    selected = _chapters([args.chapter] if args.chapter else None)
    if not args.dir.is_dir():
        raise UsageError(f"no {args.dir}/ folder here: run `nndl check` where your exercises are")
    result = harness.grade(args.dir, GraderConfig.from_env(), selected, visibility=(VISIBLE,))
    report.print_report(result, title=f"nndl check {args.dir}", show_passed=True)
    _record(args.dir, result, selected)
    return 0


def _record(folder, result, selected):
    from nndl.grader import learner

    files = {c: p for c, p in learner.chapter_files(folder).items() if not selected or c in selected}
    try:
        learner.record(folder, result, files)
    except OSError as exc:  # a read-only folder: the check itself still counts
        print(f"note: could not remember this check in {folder}: {exc}", file=sys.stderr)


def cmd_hint(args):
    from nndl.grader import learner

    try:
        print(learner.next_hint(args.dir, args.exercise, args.level))
    except learner.HintError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_watch(args):
    from nndl.grader import chapters, harness, learner, report
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    if not args.dir.is_dir():
        raise UsageError(f"no {args.dir}/ folder here: run `nndl watch` where your exercises are")
    config = GraderConfig.from_env()

    def check(chapter, path):
        if chapter not in chapters.available():
            return
        print(f"\n{path.name} saved: checking {chapter}", flush=True)
        result = harness.grade(args.dir, config, [chapter], visibility=(VISIBLE,))
        report.print_report(result, title=f"nndl watch {chapter}", show_passed=True)
        _record(args.dir, result, [chapter])
        print("watching for the next save (Ctrl-C to stop)", flush=True)

    print(f"watching {args.dir}/: save a chapter file to check it (Ctrl-C to stop)", flush=True)
    try:
        learner.watch(args.dir, check)
    except KeyboardInterrupt:
        print("stopped watching")
    return 0


def cmd_progress(args):
    from nndl.grader import chapters, harness, learner
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    if not args.dir.is_dir():
        raise UsageError(f"no {args.dir}/ folder here: run `nndl progress` where your exercises are")
    rows = learner.progress(args.dir)
    stale = [c for c, status, _, _ in rows
             if status in ("not checked yet", "changed since the last check") and c in chapters.available()]
    if args.run and stale:
        result = harness.grade(args.dir, GraderConfig.from_env(), stale, visibility=(VISIBLE,))
        _record(args.dir, result, stale)
        rows = learner.progress(args.dir)
    learner.print_progress(rows)
    return 0


def cmd_course(args):
    from nndl.grader import course

    written = course.build_course(args.dir, _chapters(args.chapter))
    print(f"wrote nbgrader_config.py and {len(written)} source notebooks to {args.dir}; "
          f"next: cd {args.dir} && nbgrader generate_assignment <chapter>")
    return 0


COMMANDS = {"list": cmd_list, "release": cmd_release, "build": cmd_build,
            "grade": cmd_grade, "check": cmd_check}
COMMANDS["course"] = cmd_course
COMMANDS["hint"] = cmd_hint
COMMANDS["progress"] = cmd_progress
COMMANDS["watch"] = cmd_watch
COMMANDS["stats"] = cmd_stats
COMMANDS["gradescope"] = cmd_gradescope


def main(argv=None):
    from nndl.grader.sandbox import SandboxUnavailable
    from nndl.grader.submission import SubmissionError

    try:
        args = parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, SubmissionError, SandboxUnavailable) as exc:
        print(f"nndl: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("nndl: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
