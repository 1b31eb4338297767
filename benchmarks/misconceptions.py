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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "grader" / "files"))
from misconceptions import CATALOGUE, first_failure, misleads, outcome  # noqa: E402

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
