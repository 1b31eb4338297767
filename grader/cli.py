"""The `nndl` command: list, release, build, grade, check.

Bad usage or unreadable input ends with exit status 2 and one line on stderr.
A broken submission is never an error here: it is a failed check.

Every message is in English, or in Chinese with ``--lang zh`` (or ``NNDL_LANG=zh``).
The language is read from the command line before argparse runs, so that
argparse's own errors and the help come out in it too.
"""
import argparse
import json
import sys
from pathlib import Path

from nndl import i18n
from nndl.i18n import t, tr


class UsageError(Exception):
    """Bad usage: reported in one line, exit status 2."""


class Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, t("usage: ") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, formatter_class=Formatter, **kwargs)
        self._positionals.title = t("positional arguments")
        self._optionals.title = t("options")
        for action in self._actions:
            if isinstance(action, argparse._HelpAction):
                action.help = t("show this help message and exit")
        self.add_argument("--lang", choices=i18n.LANGUAGES, default=argparse.SUPPRESS,
                          help=t("the language of the messages: en (default) or zh; "
                                 "also NNDL_LANG=zh"))

    def error(self, message):
        raise UsageError(message)


def parser():
    p = Parser(prog="nndl", description=t("A course on Neural Networks and Deep Learning, "
                                          "with autograding."))
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    exercises = t("where the exercises are")

    s = sub.add_parser("list", help=t("chapters, checks and points"))
    s.add_argument("--json", action="store_true", help=t("print JSON instead of a table"))

    s = sub.add_parser("release", help=t("write the student edition (or the model answers) to OUTDIR"))
    s.add_argument("outdir", type=Path)
    s.add_argument("--answers", action="store_true", help=t("the model answers, same layout"))

    sub.add_parser("build", help=t("regenerate exercises/ from source/ (course developers)"))

    s = sub.add_parser("grade", help=t("grade a submission folder or chapter file"))
    s.add_argument("submission", type=Path)
    s.add_argument("--json", type=Path, metavar="FILE", help=t("write the results JSON here"))
    s.add_argument("--html", type=Path, metavar="REPORT.html",
                   help=t("write a self-contained feedback page (scores, messages, plots) here"))
    s.add_argument("--chapter", action="append", metavar="ID",
                   help=t("grade only this chapter (repeatable)"))
    s.add_argument("--jobs", type=int, default=1, metavar="N",
                   help=t("chapters (or, for a batch, students) graded side by side (default 1)"))
    s.add_argument("--out", type=Path, metavar="RESULTS_DIR",
                   help=t("a batch (a folder of student folders): write <student>.json and "
                          "grades.csv here"))
    s.add_argument("--visible-only", action="store_true", help=argparse.SUPPRESS)

    s = sub.add_parser("stats", help=t("instructors: per-check pass counts, common failures, "
                                       "score spread"))
    s.add_argument("results", type=Path, metavar="RESULTS_DIR",
                   help=t("what `nndl grade DIR --out` wrote"))
    s.add_argument("--plot", type=Path, metavar="PNG",
                   help=t("where the plot goes (default RESULTS_DIR/stats.png)"))

    s = sub.add_parser("gradescope", help=t("instructors: a Gradescope autograder bundle (zip)"))
    s.add_argument("zip", type=Path, metavar="OUT.zip")

    s = sub.add_parser("check", help=t("run the visible checks on ./exercises"))
    s.add_argument("chapter", nargs="?", help=t("a chapter id, e.g. ch02_activations"))
    s.add_argument("--dir", type=Path, default=Path("exercises"), help=exercises)

    s = sub.add_parser("hint", help=t("a hint for one exercise; ask again for a bigger one"))
    s.add_argument("exercise", help=t("chapter/function, e.g. ch02_activations/softmax"))
    s.add_argument("--level", type=int, help=t("1 (a nudge) to 3 (everything)"))
    s.add_argument("--dir", type=Path, default=Path("exercises"), help=exercises)

    s = sub.add_parser("watch", help=t("re-run a chapter's visible checks each time its file is saved"))
    s.add_argument("--dir", type=Path, default=Path("exercises"), help=exercises)

    s = sub.add_parser("progress", help=t("how far you are, over all fifteen chapters"))
    s.add_argument("--dir", type=Path, default=Path("exercises"), help=exercises)
    s.add_argument("--run", action="store_true",
                   help=t("check the chapters not checked since they changed"))

    s = sub.add_parser("course", help=t("instructors: an nbgrader course directory"))
    course = s.add_subparsers(dest="course_command", required=True, parser_class=Parser)
    c = course.add_parser("build", help=t("write nbgrader_config.py and "
                                          "source/<chapter>/<chapter>.ipynb into DIR"))
    c.add_argument("dir", type=Path)
    c.add_argument("--chapter", action="append", metavar="ID", help=t("only this chapter (repeatable)"))
    return p


def language(argv):
    """The --lang given anywhere in argv (the last one wins), or None; UsageError for an unknown one."""
    lang = None
    for number, arg in enumerate(argv):
        if arg == "--":
            break
        if arg == "--lang" and number + 1 < len(argv):
            lang = argv[number + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    if lang is not None and lang not in i18n.LANGUAGES:
        raise UsageError(t("unknown language {lang!r}; choose one of {choices}",
                           lang=lang, choices=", ".join(i18n.LANGUAGES)))
    return lang


def _chapters(requested):
    from nndl.grader import chapters

    for chapter in requested or []:
        if chapter not in chapters.CHAPTERS:
            raise UsageError(t("unknown chapter {chapter!r}; see `nndl list`", chapter=chapter))
        if chapter not in chapters.available():
            raise UsageError(t("chapter {chapter} has no checks yet", chapter=chapter))
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
        print(t("{chapter:<28} {checks:>3} checks {points:>6g} points",
                chapter=row["chapter"], checks=len(row["checks"]), points=total))
        for k in row["checks"]:
            print(f"    {k['name']:<52} {k['points']:>5.3g}  {t(k['visibility'])}")
    missing = [c for c in chapters.CHAPTERS if c not in chapters.available()]
    if missing:
        print(t("not yet written: {chapters}", chapters=", ".join(missing)))
    return 0


def cmd_release(args):
    from nndl.grader import build

    written = build.release(args.outdir, answers=args.answers)
    if args.answers:
        print(t("wrote the model answers of {count} chapters to {outdir}",
                count=len(written), outdir=args.outdir))
    else:
        print(t("wrote the student edition of {count} chapters to {outdir}",
                count=len(written), outdir=args.outdir))
    return 0


def cmd_build(args):
    from nndl.grader import build

    written = build.build_exercises()
    print(t("regenerated {count} files in exercises/", count=len(written)))
    return 0


def cmd_grade(args):
    from nndl.grader import harness, report
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    selected = _chapters(args.chapter)
    if args.jobs < 1:
        raise UsageError(t("--jobs must be at least 1"))
    for path in (args.json, args.html):
        if path and not path.parent.is_dir():
            raise UsageError(t("cannot write {path}: no folder {folder}", path=path, folder=path.parent))
    if _course_checkout(args.submission):
        raise UsageError(t("{submission} is the course itself (source/ and solutions/), not a submission: "
                           "grade {exercises}, or a folder of chapter files",
                           submission=args.submission, exercises=args.submission / "exercises"))
    if _batch(args) is not None:
        return cmd_grade_batch(args, selected, _batch(args))
    if args.out:
        raise UsageError(t("--out is for a batch, and {submission} holds chapter files: "
                           "use --json FILE", submission=args.submission))
    visibility = (VISIBLE,) if args.visible_only else None
    result = harness.grade(args.submission, GraderConfig.from_env(), selected,
                           **({"visibility": visibility} if visibility else {}), jobs=args.jobs)
    report.print_report(result, title=f"nndl grade {args.submission}")
    if args.json:
        report.write_json(result, args.json)
    if args.html:
        report.write_html(result, args.html, title=f"nndl grade {args.submission.name}")
        print(t("feedback page: {path}", path=args.html))
    return 0


def _course_checkout(path):
    """Is path a clone of this course (its own sources and reference solutions)?"""
    return path.is_dir() and (path / "source").is_dir() and (path / "solutions" / "__init__.py").is_file()


def _batch(args):
    from nndl.grader import batch

    return batch.students(args.submission) if args.submission.is_dir() else None


def cmd_grade_batch(args, selected, found):
    """A folder of student folders: each student graded, --jobs of them at a time."""
    from nndl.grader import batch
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    if args.json or getattr(args, "html", None):
        raise UsageError(t("{submission} is a batch of {count} students: "
                           "use --out RESULTS_DIR instead of --json/--html",
                           submission=args.submission, count=len(found)))
    if not args.out:
        raise UsageError(t("{submission} is a batch of {count} students: "
                           "give --out RESULTS_DIR for their results",
                           submission=args.submission, count=len(found)))
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(t("cannot write results into {out}: not a folder", out=args.out))
    print(t("batch: {count} students in {submission}, {jobs} at a time",
            count=len(found), submission=args.submission, jobs=args.jobs), file=sys.stderr)
    visibility = (VISIBLE,) if args.visible_only else None
    done = batch.run_with_progress(found, GraderConfig.from_env(), args.out, selected,
                                   **({"visibility": visibility} if visibility else {}),
                                   jobs=args.jobs)
    print(batch.summary(done))
    print(t("wrote {count} results and grades.csv to {out}", count=len(done), out=args.out))
    return 0


def cmd_stats(args):
    from nndl.grader import stats

    if not args.results.is_dir():
        raise UsageError(t("no results folder {folder}", folder=args.results))
    cohort = stats.Cohort.load(args.results)
    if not cohort.students:
        raise UsageError(t("no <student>.json results in {folder}", folder=args.results))
    stats.print_stats(cohort)
    png = stats.plot(cohort, args.plot or args.results / "stats.png")
    print(t("plot: {path}", path=png))
    return 0


def cmd_gradescope(args):
    from nndl.grader import gradescope

    if args.zip.suffix != ".zip":
        raise UsageError(t("{path} should end in .zip", path=args.zip))
    if not args.zip.parent.is_dir():
        raise UsageError(t("cannot write {path}: no folder {folder}", path=args.zip,
                           folder=args.zip.parent))
    names = gradescope.build_bundle(args.zip)
    print(t("wrote {path} ({count} files); upload it as the assignment's autograder",
            path=args.zip, count=len(names)))
    return 0


def cmd_check(args):
    from nndl.grader import harness, report
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    selected = _chapters([args.chapter] if args.chapter else None)
    if not args.dir.is_dir():
        raise UsageError(t("no {folder}/ folder here: run `{command}` where your exercises are",
                           folder=args.dir, command="nndl check"))
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
        print(t("note: could not remember this check in {folder}: {error}", folder=folder, error=exc),
              file=sys.stderr)


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
        raise UsageError(t("no {folder}/ folder here: run `{command}` where your exercises are",
                           folder=args.dir, command="nndl watch"))
    config = GraderConfig.from_env()

    def check(chapter, path):
        if chapter not in chapters.available():
            return
        print("\n" + t("{file} saved: checking {chapter}", file=path.name, chapter=chapter), flush=True)
        result = harness.grade(args.dir, config, [chapter], visibility=(VISIBLE,))
        report.print_report(result, title=f"nndl watch {chapter}", show_passed=True)
        _record(args.dir, result, [chapter])
        print(t("watching for the next save (Ctrl-C to stop)"), flush=True)

    print(t("watching {folder}/: save a chapter file to check it (Ctrl-C to stop)", folder=args.dir),
          flush=True)
    try:
        learner.watch(args.dir, check)
    except KeyboardInterrupt:
        print(t("stopped watching"))
    return 0


def cmd_progress(args):
    from nndl.grader import chapters, harness, learner
    from nndl.grader.check import VISIBLE
    from nndl.grader.config import GraderConfig

    if not args.dir.is_dir():
        raise UsageError(t("no {folder}/ folder here: run `{command}` where your exercises are",
                           folder=args.dir, command="nndl progress"))
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
    print(t("wrote nbgrader_config.py and {count} source notebooks to {folder}; "
            "next: cd {folder} && nbgrader generate_assignment <chapter>",
            count=len(written), folder=args.dir))
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

    argv = sys.argv[1:] if argv is None else list(argv)
    i18n.set_language(None)     # NNDL_LANG, else English, unless --lang says otherwise
    try:
        i18n.set_language(language(argv))
        args = parser().parse_args(argv)
        return COMMANDS[args.command](args)
    except (UsageError, SubmissionError, SandboxUnavailable) as exc:
        # argparse's, the submission's and the sandbox's messages come in English
        print(t("nndl: error: {error}", error=tr(str(exc))), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("nndl: interrupted"), file=sys.stderr)
        return 130
    finally:
        i18n.set_language(None)  # --lang is this command's, not the process's


if __name__ == "__main__":
    sys.exit(main())
