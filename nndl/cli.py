"""The learner's `nndl` command: list, check, hint, progress, watch.

Checks run from the compiled check data (nndl/compiled/), each chapter file in
a child process of its own (nndl/local.py): no TensorFlow is imported here,
only in a chapter whose own file imports it. The instructor's grader (nndl.grader.cli)
adds release, build, grade and the rest on top of these commands.

Bad usage ends with exit status 2 and one line on stderr. Every message is in
English, or in Chinese with ``--lang zh`` (or ``NNDL_LANG=zh``); the language
is read from the command line before argparse runs, so that argparse's own
errors and the help come out in it too.
"""
import argparse
import json
import os
import sys
import time
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


def default_dir():
    """This folder when it holds chapter files, else ./exercises."""
    from nndl.course import chapter_files

    here = Path(".")
    return here if any(chapter_files(here).values()) else Path("exercises")


def add_learner_commands(sub):
    """check, hint, watch and progress, as the kit and the grader both offer them."""
    exercises = t("where the exercises are (default: this folder if it holds chapter files, "
                  "else ./exercises)")
    s = sub.add_parser("check", help=t("run the visible checks on ./exercises"))
    s.add_argument("chapter", nargs="?", help=t("a chapter id, e.g. ch02_activations"))
    s.add_argument("--dir", type=Path, default=None, help=exercises)

    s = sub.add_parser("hint", help=t("a hint for one exercise; ask again for a bigger one"))
    s.add_argument("exercise", help=t("chapter/function, e.g. ch02_activations/softmax"))
    s.add_argument("--level", type=int, help=t("1 (a nudge) to 3 (everything)"))
    s.add_argument("--dir", type=Path, default=None, help=exercises)

    s = sub.add_parser("watch", help=t("re-run a chapter's visible checks each time its file is saved"))
    s.add_argument("--dir", type=Path, default=None, help=exercises)

    s = sub.add_parser("progress", help=t("how far you are, over all fifteen chapters"))
    s.add_argument("--dir", type=Path, default=None, help=exercises)
    s.add_argument("--run", action="store_true",
                   help=t("check the chapters not checked since they changed"))



def base_parser(description):
    """The `nndl` parser with `list`, and its subparsers for the commands of one product."""
    p = Parser(prog="nndl", description=description)
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser)
    s = sub.add_parser("list", help=t("chapters, checks and points"))
    s.add_argument("--json", action="store_true", help=t("print JSON instead of a table"))
    return p, sub


def parser():
    p, sub = base_parser(t("A course on Neural Networks and Deep Learning: the learner's checks."))
    add_learner_commands(sub)
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


def chapters_asked(requested, available=None):
    """requested, each a chapter that has checks (available; default: the compiled ones);
    UsageError otherwise."""
    from nndl import compiled
    from nndl.course import UnknownName, checked_chapter

    available = compiled.chapters() if available is None else available
    try:
        return [checked_chapter(chapter, available) for chapter in requested or []] or requested
    except UnknownName as exc:
        raise UsageError(str(exc)) from None


def cmd_list(args):
    """The visible checks, per chapter: what this kit can run."""
    from nndl import compiled

    return print_list([(c, compiled.checks(c)) for c in compiled.chapters()], args.json)


def print_list(chapters, as_json):
    """A table (or JSON) of [(chapter, its checks)]: each check's name, points and visibility."""
    rows = [{"chapter": c, "checks": [{"name": f"{c}/{k.id}", "function": k.function,
                                       "points": k.points, "visibility": k.visibility}
                                      for k in checks]}
            for c, checks in chapters]
    if as_json:
        print(json.dumps(rows, indent=2))
        return 0
    for row in rows:
        total = sum(k["points"] for k in row["checks"])
        print(t("{chapter:<28} {checks:>3} checks {points:>6g} points",
                chapter=row["chapter"], checks=len(row["checks"]), points=total))
        for k in row["checks"]:
            print(f"    {k['name']:<52} {k['points']:>5.3g}  {t(k['visibility'])}")
    return 0


def _folder(args, command):
    folder = args.dir if args.dir is not None else default_dir()
    if not folder.is_dir():
        raise UsageError(t("no {folder}/ folder here: run `{command}` where your exercises are, "
                           "or give --dir", folder=folder, command=command))
    return folder


def check_folder(folder, selected):
    """A Report of the compiled visible checks of the chapter files in folder (selected ones only)."""
    from nndl import compiled
    from nndl.course import chapter_files
    from nndl.local import check_file
    from nndl.checking import not_submitted
    from nndl.records import Report

    started = time.monotonic()
    results = []
    for chapter, path in chapter_files(folder).items():
        if chapter not in compiled.chapters() or (selected and chapter not in selected):
            continue
        if path is None:
            results += not_submitted(chapter, compiled.checks(chapter))
        else:
            results += check_file(chapter, path)
    return Report(results, time.monotonic() - started, t("visible checks, from the compiled check data"))


def cmd_check(args):
    from nndl.console import print_report

    selected = chapters_asked([args.chapter] if args.chapter else None)
    folder = _folder(args, "nndl check")
    result = check_folder(folder, selected)
    print_report(result, title=f"nndl check {folder}", show_passed=True)
    _record(folder, result, selected)
    return 0


def _record(folder, result, selected):
    from nndl import learner

    files = {c: p for c, p in learner.chapter_files(folder).items() if not selected or c in selected}
    try:
        learner.record(folder, result, files)
    except OSError as exc:  # a read-only folder: the check itself still counts
        print(t("note: could not remember this check in {folder}: {error}", folder=folder, error=exc),
              file=sys.stderr)


def cmd_hint(args):
    from nndl import learner

    folder = args.dir if args.dir is not None else default_dir()
    try:
        print(learner.next_hint(folder, args.exercise, args.level))
    except learner.HintError as exc:
        raise UsageError(str(exc)) from None
    return 0


def cmd_watch(args):
    from nndl import compiled, learner
    from nndl.console import print_report

    folder = _folder(args, "nndl watch")

    def check(chapter, path):
        if chapter not in compiled.chapters():
            return
        print("\n" + t("{file} saved: checking {chapter}", file=path.name, chapter=chapter), flush=True)
        result = check_folder(folder, [chapter])
        print_report(result, title=f"nndl watch {chapter}", show_passed=True)
        _record(folder, result, [chapter])
        print(t("watching for the next save (Ctrl-C to stop)"), flush=True)

    def ready():  # said once the files as they are now are known: a save after it is seen
        print(t("watching {folder}/: save a chapter file to check it (Ctrl-C to stop)", folder=folder),
              flush=True)
    try:
        learner.watch(folder, check, on_ready=ready)
    except KeyboardInterrupt:
        print(t("stopped watching"))
    return 0


def cmd_progress(args):
    from nndl import compiled, learner

    folder = _folder(args, "nndl progress")
    rows = learner.progress(folder)
    stale = [c for c, status, _, _ in rows
             if status in ("not checked yet", "changed since the last check") and c in compiled.chapters()]
    if args.run and stale:
        _record(folder, check_folder(folder, stale), stale)
        rows = learner.progress(folder)
    learner.print_progress(rows)
    return 0


COMMANDS = {"list": cmd_list, "check": cmd_check, "hint": cmd_hint, "progress": cmd_progress,
            "watch": cmd_watch}


def run(argv, make_parser, commands, errors=()):
    """Parse argv with make_parser() and run the command; 2 and one line for bad usage."""
    from nndl.compiled import CompiledDataError

    argv = sys.argv[1:] if argv is None else list(argv)
    i18n.set_language(None)     # NNDL_LANG, else English, unless --lang says otherwise
    try:
        i18n.set_language(language(argv))
        args = make_parser().parse_args(argv)
        return commands[args.command](args)
    except (UsageError, CompiledDataError, *errors) as exc:
        # argparse's and the grader's messages come in English
        print(t("nndl: error: {error}", error=tr(str(exc))), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(t("nndl: interrupted"), file=sys.stderr)
        return 130
    except BrokenPipeError:
        # `nndl list | head`: the reader has gone, so the rest of the output has nowhere to go.
        # Point stdout at /dev/null so that Python's own flush at exit is quiet too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
        return 0
    finally:
        i18n.set_language(None)  # --lang is this command's, not the process's


def main(argv=None):
    return run(argv, parser, COMMANDS)


if __name__ == "__main__":
    sys.exit(main())
