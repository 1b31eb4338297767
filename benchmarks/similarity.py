"""`nndl similarity` on a course-sized batch: 100 students × 15 chapters, wall time on this machine.

The students are made from the authors the tests use (the model answers for
every chapter; the four independent authors of tests/grader/files/independent
for their chapters), each chapter file disguised as the tests' planted copies
are (names renamed, functions reordered, comments and layout changed), so that
every answer is different text with realistic overlaps. One run of
`nndl similarity` over them; the time and the pair count are printed.

    python benchmarks/similarity.py [--students 100]
"""
import argparse
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "tests" / "grader")]

from nndl.grader.content import build, chapters  # noqa: E402
from test_similarity import AUTHORS, recommented, renamed, reordered  # noqa: E402

INDEPENDENT = ROOT / "tests" / "grader" / "files" / "independent"


def make_batch(root, count, seed=0):
    rng = random.Random(seed)
    answers = root / "_answers"
    build.release(answers, answers=True)
    for number in range(count):
        folder = root / f"student{number:03d}"
        folder.mkdir()
        for chapter in chapters.available():
            sources = [answers / f"{chapter}.py"] + [INDEPENDENT / a / f"{chapter}.py" for a in AUTHORS
                                                     if (INDEPENDENT / a / f"{chapter}.py").exists()]
            text = rng.choice(sources).read_text(encoding="utf-8")
            disguise = rng.choice([renamed, reordered, recommented])
            (folder / f"{chapter}.py").write_text(disguise(text), encoding="utf-8")
    return root


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "batch"
        root.mkdir()
        make_batch(root, args.students)
        (root / "_answers").rename(Path(folder) / "answers")  # not a student
        started = time.perf_counter()
        done = subprocess.run([str(Path(sys.executable).parent / "nndl"), "similarity", str(root),
                               "--out", str(Path(folder) / "similarity.html")], capture_output=True, text=True)
        seconds = time.perf_counter() - started
        if done.returncode:
            raise SystemExit(done.stderr[-800:])
        rows = (Path(folder) / "similarity.csv").read_text(encoding="utf-8").count("\n") - 1
        size = (Path(folder) / "similarity.html").stat().st_size
        print(f"nndl similarity: {args.students} students × {len(chapters.available())} chapters, "
              f"{rows} pairs, {seconds:.1f} s wall (the command, start-up included); report {size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
