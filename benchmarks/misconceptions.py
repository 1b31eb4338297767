"""The misconception catalogue (tests/grader/files/misconceptions.py): what each mistake costs and
what the learner is told.

Each mistake is graded in the sandbox (the checks of the function it is in and of the
functions that call it, visible and hidden) and run through the kit's visible checks
(`nndl check`), and the first failed visible check's message is printed.

    python benchmarks/misconceptions.py [CHAPTER ...] [--messages]
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

from nndl.grader.config import GraderConfig
from nndl.grader.content import build, chapters
from nndl.grader.grading import harness
from nndl.local import check_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "grader" / "files"))
from misconceptions import CATALOGUE, apply  # noqa: E402

# What an overflow diagnosis says (nndl.diagnoses, nndl.checking's advice for an overflow).
OVERFLOW_WORDS = ("an overflow (", "numerically stable form", "floating-point overflow", "NumPy warned of overflow")


def affected(chapter, function):
    """The function and every graded function of the chapter that calls it, directly or not."""
    calls, found = chapters.callees(chapter), {function}
    while True:
        more = {f for f, callees in calls.items() if found & set(callees)} - found
        if not more:
            return found
        found |= more


def outcome(mistake, answers, folder, config):
    """(points lost, the visible results of the affected functions, the graded results)."""
    path = Path(folder) / f"{mistake.chapter}.py"
    path.write_text(apply(answers, mistake), encoding="utf-8")
    only = affected(mistake.chapter, mistake.function)
    graded = harness.grade_chapter(mistake.chapter, path, config, only=only)
    visible = check_file(mistake.chapter, path, only=only)
    lost = sum(r.max_score - r.score for r in graded)
    return lost, visible, graded


def first_failure(results):
    return next((r for r in results if r.status != "passed"), None)


OVERFLOWS = ("naive", "without subtracting the maximum")   # the catalogue's overflows, by their words


def misleads(mistake, result):
    """An overflow named for a mistake that is not one."""
    text = result.output if result else ""
    return not any(w in mistake.what for w in OVERFLOWS) and any(w in text for w in OVERFLOW_WORDS)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--messages", action="store_true", help="print each visible message in full")
    args = parser.parse_args(argv)
    config, started = GraderConfig.from_env(), time.monotonic()
    wanted = [m for m in CATALOGUE if not args.chapters or m.chapter in args.chapters]
    texts = {c: build.render(c, (chapters.SOURCE_DIR / f"{c}.py").read_text(encoding="utf-8"), answers=True)
             for c in {m.chapter for m in wanted}}
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for mistake in wanted:
            lost, visible, graded = outcome(mistake, texts[mistake.chapter], folder, config)
            shown = first_failure(visible)
            rows.append((mistake, lost, shown))
            said = shown.output.replace("\n", " | ") if shown else "(all visible checks pass)"
            print(f"{mistake.chapter[:4]} {mistake.function:<26} lost {lost:5.1f}  "
                  f"{'VISIBLE' if shown else 'hidden '}  {mistake.what}", flush=True)
            if args.messages or not shown:
                print(f"      {said[:600]}")
    caught = sum(1 for _, _, shown in rows if shown)
    losing = sum(1 for _, lost, _ in rows if lost > 0)
    wrong = [m.what for m, _, shown in rows if misleads(m, shown)]
    print(f"\n{len(rows)} mistakes over {len({m.chapter for m in wanted})} chapters: "
          f"{losing} lose points, {caught} ({caught / max(len(rows), 1):.0%}) fail a visible check, "
          f"{len(wrong)} blamed on an overflow that is not one; {time.monotonic() - started:.0f} s")
    for what in wrong:
        print(f"  misleading: {what}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
