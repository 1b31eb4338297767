"""The instructor's `nndl` command: the learner's commands (nndl/cli.py), and list, release,
build, grade, course, stats and gradescope.

Bad usage or unreadable input ends with exit status 2 and one line on stderr.
A broken submission is never an error here: it is a failed check.

Every message is in English, or in Chinese with ``--lang zh`` (or ``NNDL_LANG=zh``).
The language is read from the command line before argparse runs, so that
argparse's own errors and the help come out in it too.
"""
import argparse
import contextlib
import sys
from pathlib import Path

from nndl.cli import COMMANDS as LEARNER_COMMANDS
from nndl.cli import Parser, UsageError, add_learner_commands, base_parser, chapters_asked, print_list, run
from nndl.i18n import t


def parser():
    p, sub = base_parser(t("A course on Neural Networks and Deep Learning, with autograding."))

    s = sub.add_parser("release", help=t("write the student edition (or the model answers) to OUTDIR"))
    s.add_argument("outdir", type=Path)
    s.add_argument("--answers", action="store_true", help=t("the model answers, same layout"))
    s.add_argument("--force", action="store_true",
                   help=t("overwrite chapter files you changed (by default they are kept, and the new "
                          "version goes to OUTDIR/nndl-new/)"))
    s.add_argument("--format", choices=("py", "ipynb"), default="py",
                   help=t("ipynb: a notebook beside each chapter file too (plain Jupyter, Colab)"))

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
                          "grades.csv here; run again, it grades only the students not graded yet"))
    s.add_argument("--cluster", metavar="local[:N]|tcp://HOST:PORT",
                   help=t("a batch on Dask: a LocalCluster of N worker processes here, or the scheduler "
                          "at that address (one task per student)"))
    s.add_argument("--compare", type=Path, metavar="OLD_DIR",
                   help=t("a batch regrade: show and write (regrade.json, regrade.csv) which students and "
                          "checks changed since the results in OLD_DIR"))
    s.add_argument("--allow-frameworks", action="store_true",
                   help=t("let from-scratch exercises use TensorFlow, Keras, PyTorch or JAX (the course's "
                          "from-scratch rule off)"))
    s.add_argument("--profile", action="store_true",
                   help=t("after grading, print where the time went: per check, seconds in the learner's "
                          "process and in the references (summed over a batch's students)"))
    s.add_argument("--visible-only", action="store_true", help=argparse.SUPPRESS)

    s = sub.add_parser("stats", help=t("instructors: per-check pass counts, common failures, "
                                       "score spread"))
    s.add_argument("results", type=Path, metavar="RESULTS_DIR",
                   help=t("what `nndl grade DIR --out` wrote"))
    s.add_argument("--plot", type=Path, metavar="PNG",
                   help=t("where the plot goes (default RESULTS_DIR/stats.png)"))

    s = sub.add_parser("gradescope", help=t("instructors: a Gradescope autograder bundle (zip)"))
    s.add_argument("zip", type=Path, metavar="OUT.zip")
    s.add_argument("--chapter", action="append", metavar="ID",
                   help=t("only this chapter (repeatable); default: every chapter"))
    s.add_argument("--public-seed", action="store_true",
                   help=t("allow a bundle without NNDL_HIDDEN_SEED (hidden checks on the public default seed)"))
    s.add_argument("--hidden-visibility", choices=("hidden", "after_due_date", "after_published", "visible"),
                   help=t("when students see the hidden checks' results (default: hidden)"))
    s.add_argument("--allow-frameworks", action="store_true",
                   help=t("let from-scratch exercises use TensorFlow, Keras, PyTorch or JAX (the course's "
                          "from-scratch rule off)"))

    s = sub.add_parser("similarity", help=t("instructors: pairs of similar answers in a batch, per chapter "
                                            "(an HTML report and a CSV)"))
    s.add_argument("submissions", type=Path, metavar="SUBMISSIONS",
                   help=t("a folder of student folders (or nbgrader's course folder with submitted/)"))
    s.add_argument("--out", type=Path, required=True, metavar="REPORT.html",
                   help=t("the report; the CSV of every pair goes beside it (REPORT.csv)"))
    s.add_argument("--chapter", action="append", metavar="ID", help=t("only this chapter (repeatable)"))

    add_learner_commands(sub)

    s = sub.add_parser("course", help=t("instructors: an nbgrader course directory"))
    course = s.add_subparsers(dest="course_command", required=True, parser_class=Parser)
    c = course.add_parser("build", help=t("write nbgrader_config.py and "
                                          "source/<chapter>/<chapter>.ipynb into DIR"))
    c.add_argument("dir", type=Path)
    c.add_argument("--chapter", action="append", metavar="ID", help=t("only this chapter (repeatable)"))
    c.add_argument("--allow-frameworks", action="store_true",
                   help=t("let from-scratch exercises use TensorFlow, Keras, PyTorch or JAX (the course's "
                          "from-scratch rule off)"))
    return p


def cmd_list(args):
    """Every check, hidden ones included, with its points."""
    from nndl.grader.content import chapters

    print_list([(c, chapters.checks(c)) for c in chapters.available()], args.json)
    missing = [c for c in chapters.CHAPTERS if c not in chapters.available()]
    if missing and not args.json:
        print(t("not yet written: {chapters}", chapters=", ".join(missing)))
    return 0


def cmd_release(args):
    from nndl.grader.content import build, kit

    handout = build.release_safely(args.outdir, answers=args.answers, notebooks=args.format == "ipynb",
                                   force=args.force)
    kit.write_kit(args.outdir)
    chapters = sum(1 for p in handout.written + [k for k, _ in handout.kept] if p.suffix == ".py")
    if args.answers:
        print(t("wrote the model answers of {count} chapters to {outdir}", count=chapters, outdir=args.outdir))
    else:
        print(t("wrote the student edition of {count} chapters to {outdir}", count=chapters, outdir=args.outdir))
    for mine, beside in handout.kept:
        print(t("kept your {file} (changed since it was released); the new version is {new}",
                file=mine.name, new=beside.relative_to(args.outdir)))
    if handout.kept:
        print(t("{count} of your files kept; `--force` would overwrite them", count=len(handout.kept)))
    return 0


def cmd_build(args):
    from nndl.grader.content import build

    from nndl.grader.content import compile

    written = build.build_exercises()
    print(t("regenerated {count} files in exercises/", count=len(written)))
    compiled = compile.compile_all()
    print(t("compiled the visible checks into {count} files in nndl/compiled/", count=len(compiled)))
    return 0


def cmd_grade(args):
    from nndl.grader.content import chapters
    from nndl.grader.grading import harness
    from nndl.grader.reports import report
    from nndl.grader.content.check import VISIBLE
    from nndl.grader.grading import submission

    selected = chapters_asked(args.chapter, chapters.available())
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
    if args.compare is not None:
        raise UsageError(t("--compare is for a batch regrade (with --out)"))
    if args.cluster is not None:
        raise UsageError(t("--cluster is for a batch (a folder of student folders, with --out)"))
    if args.out:
        raise UsageError(t("--out is for a batch, and {submission} holds chapter files: "
                           "use --json FILE", submission=args.submission))
    submission.find(args.submission)  # a submission that cannot be read is the one line on stderr
    _warn_public_seed(args)
    visibility = (VISIBLE,) if args.visible_only else None
    with _profile(args):
        result = harness.grade(args.submission, _config(args), selected,
                               **({"visibility": visibility} if visibility else {}), jobs=args.jobs,
                               figures=bool(args.html))
    # Files first: a reader of the table that goes away (`| head`) must not cost them.
    if args.json:
        report.write_json(result, args.json)
    if args.html:
        report.write_html(result, args.html, title=f"nndl grade {args.submission.name}")
    report.print_report(result, title=f"nndl grade {args.submission}")
    if args.html:
        print(t("feedback page: {path}", path=args.html))
    return 0


@contextlib.contextmanager
def _profile(args):
    """With --profile, time every check while the block runs and print the table on stderr after."""
    from nndl.grader.grading import harness

    if not getattr(args, "profile", False):
        yield None
        return
    with harness.profiling() as profile:
        yield profile
    print("\n".join(profile.table()), file=sys.stderr)


def _config(args):
    """The grader's settings from the environment, with the rule of --allow-frameworks."""
    from nndl.grader.config import GraderConfig

    return GraderConfig.from_env(**({"from_scratch": False} if args.allow_frameworks else {}))


def _course_checkout(path):
    """Is path a clone of this course (its own sources and reference solutions)?"""
    return path.is_dir() and (path / "source").is_dir() and (path / "solutions" / "__init__.py").is_file()


def _batch(args):
    from nndl.grader.grading import batch

    return batch.students(args.submission) if args.submission.is_dir() else None


def _warn_public_seed(args):
    """One line when hidden checks run on the public default seed; the seed itself is never shown."""
    from nndl.grader.config import hidden_seed_set

    if not args.visible_only and not hidden_seed_set():
        print(t("warning: hidden checks use the public default seed; set NNDL_HIDDEN_SEED"), file=sys.stderr)


def cmd_grade_batch(args, selected, found):
    """A folder of student folders: each student graded, --jobs of them at a time."""
    from nndl.grader.grading import batch, cluster
    from nndl.grader.content.check import VISIBLE
    from nndl.grader.reports import regrade

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
    if args.cluster is not None and args.jobs != 1:
        raise UsageError(t("--jobs and --cluster: give one (a cluster's workers each grade one student at a time)"))
    kind = value = None
    if args.cluster is not None and args.profile:
        raise UsageError(t("--profile times the checks run in this process: use it with --jobs, not --cluster"))
    if args.cluster is not None:
        try:
            kind, value = cluster.parse(args.cluster)
        except cluster.ClusterError as exc:
            raise UsageError(str(exc)) from None
    if args.compare is not None and not regrade.has_results(args.compare):
        raise UsageError(t("--compare {old}: no results of an earlier `nndl grade --out` there", old=args.compare))
    if args.compare is not None and args.compare.resolve() == args.out.resolve():
        raise UsageError(t("--compare needs the earlier results in another folder than --out"))
    _warn_public_seed(args)
    if args.cluster is not None:
        where = t("on a local Dask cluster of {count} workers", count=value) if kind == "local" else \
            t("on the Dask cluster at {address}", address=value)
        print(t("batch: {count} students in {submission}, {where}", count=len(found),
                submission=args.submission, where=where), file=sys.stderr)
    else:
        print(t("batch: {count} students in {submission}, {jobs} at a time",
                count=len(found), submission=args.submission, jobs=args.jobs), file=sys.stderr)
    visibility = (VISIBLE,) if args.visible_only else None
    try:
        with _profile(args):
            ran = batch.run_with_progress(found, _config(args), args.out, selected,
                                          **({"visibility": visibility} if visibility else {}),
                                          jobs=args.jobs, cluster=args.cluster)
    except cluster.ClusterError as exc:
        raise UsageError(str(exc)) from None
    done = ran.done
    print(batch.summary(done))
    print(t("wrote {count} results and grades.csv to {out}", count=len(done) - ran.skipped, out=args.out))
    for student, reason in ran.lost:
        print(t("{student}: not graded, the cluster lost it ({reason}); run the same command again to grade it",
                student=student, reason=reason), file=sys.stderr)
    if args.compare is not None:
        rows = regrade.compare(args.compare, args.out)
        regrade.write(rows, args.out)
        print(regrade.summary(rows, len(done)))
    return 0


def cmd_stats(args):
    from nndl.grader.reports import stats

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
    from nndl.grader.integrations import gradescope

    if args.zip.suffix != ".zip":
        raise UsageError(t("{path} should end in .zip", path=args.zip))
    if not args.zip.parent.is_dir():
        raise UsageError(t("cannot write {path}: no folder {folder}", path=args.zip,
                           folder=args.zip.parent))
    from nndl.grader.content import chapters

    try:
        names = gradescope.build_bundle(args.zip, chapters_wanted=chapters_asked(args.chapter, chapters.available()),
                                        public_seed=args.public_seed, hidden_visibility=args.hidden_visibility,
                                        from_scratch=not args.allow_frameworks)
    except gradescope.NoSeed:
        raise UsageError(t(gradescope.NO_SEED)) from None
    print(t("wrote {path} ({count} files); upload it as the assignment's autograder",
            path=args.zip, count=len(names)))
    return 0


def cmd_similarity(args):
    from nndl.grader.content import chapters
    from nndl.grader.grading import batch
    from nndl.grader.reports import similarity

    selected = chapters_asked(args.chapter, chapters.available()) or chapters.available()
    if args.out.suffix.lower() not in (".html", ".htm"):
        raise UsageError(t("{path} should end in .html", path=args.out))
    if not args.out.parent.is_dir():
        raise UsageError(t("cannot write {path}: no folder {folder}", path=args.out, folder=args.out.parent))
    students = batch.students(args.submissions) if args.submissions.is_dir() else None
    if not students or len(students) < 2:
        raise UsageError(t("{submissions} is not a batch of at least two student folders with chapter files",
                           submissions=args.submissions))
    ranked, answers, seconds = similarity.run(students, selected)
    csv_path = args.out.with_suffix(".csv")
    similarity.write_csv(ranked, csv_path)
    similarity.write_html(ranked, answers, args.out, f"nndl similarity {args.submissions.name}", seconds)
    print(similarity.summary(ranked))
    print(t("compared {count} students in {seconds:.1f} s; report: {html}, every pair: {csv}",
            count=len(students), seconds=seconds, html=args.out, csv=csv_path))
    return 0


def cmd_course(args):
    from nndl.grader.content import chapters
    from nndl.grader.integrations import course

    written = course.build_course(args.dir, chapters_asked(args.chapter, chapters.available()),
                                  from_scratch=not args.allow_frameworks)
    print(t("wrote nbgrader_config.py, {count} source notebooks and the students' kit to {folder}; "
            "install {folder}/kit where the students' notebooks run; "
            "next: cd {folder} && nbgrader generate_assignment <chapter>",
            count=len(written), folder=args.dir))
    return 0


COMMANDS = {**LEARNER_COMMANDS, "list": cmd_list, "release": cmd_release, "build": cmd_build,
            "grade": cmd_grade, "course": cmd_course, "stats": cmd_stats, "gradescope": cmd_gradescope,
            "similarity": cmd_similarity}


def main(argv=None):
    from nndl.grader.processes.sandbox import SandboxUnavailable
    from nndl.grader.grading.submission import SubmissionError

    return run(argv, parser, COMMANDS, (SubmissionError, SandboxUnavailable))


if __name__ == "__main__":
    sys.exit(main())
