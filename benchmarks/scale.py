"""A class at scale: threads against a Dask LocalCluster, and the marginal cost of a submission.

(a) A cohort of generated full submissions (all fifteen chapters; each
    chapter of each student the model answers, the stubs, or one of the
    misconception catalogue's mistakes, drawn with a seed) graded with
    `nndl grade DIR --out R --jobs 2` and with `--cluster local:2`: the two
    grades.csv must be identical; the cluster's wall time against the threads'
    (target: within 15%).
(b) The marginal cost of one extra full submission (the model answers: every
    check runs to its end, the CNN trains twice) in a warm batch: batches of
    SMALL and LARGE copies with --jobs 2, (T_large - T_small) / (LARGE - SMALL)
    (target: <= 2.5 s on 2 cores).

    python benchmarks/scale.py [--students 200] [--small 4] [--large 16] [--seed 0]

Both use a warm reference cache (a first batch fills it) and a public hidden
seed; wall times are time.perf_counter around a subprocess.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nndl.grader.content import build, chapters

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "grader" / "files"))
from misconceptions import CATALOGUE, apply  # noqa: E402

NNDL = str(Path(sys.executable).parent / "nndl")


def texts():
    """{chapter: (model answers, stubs)}."""
    found = {}
    for chapter in chapters.available():
        source = (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
        found[chapter] = (build.render(chapter, source, answers=True), build.render(chapter, source))
    return found


def cohort(root, students, seed):
    """students folders of full submissions: per chapter the answers (1/2), a catalogued mistake
    (3/10) or the stubs (1/5); {kind: count} of the chapters written."""
    rng, made, counts = random.Random(seed), texts(), {"answers": 0, "mistake": 0, "stubs": 0}
    mistakes = {c: [m for m in CATALOGUE if m.chapter == c] for c in made}
    for number in range(students):
        folder = root / f"student{number:03d}"
        folder.mkdir(parents=True)
        for chapter, (answers, stubs) in made.items():
            draw = rng.random()
            kind = "answers" if draw < 0.5 else "mistake" if draw < 0.8 else "stubs"
            text = answers if kind == "answers" else stubs if kind == "stubs" else \
                apply(answers, rng.choice(mistakes[chapter]))
            (folder / f"{chapter}.py").write_text(text, encoding="utf-8")
            counts[kind] += 1
    return counts


def copies(root, count):
    answers = texts()
    for number in range(count):
        folder = root / f"copy{number:03d}"
        folder.mkdir(parents=True)
        for chapter, (text, _) in answers.items():
            (folder / f"{chapter}.py").write_text(text, encoding="utf-8")


def grade(folder, out, *extra):
    """Wall seconds of `nndl grade folder --out out ...`."""
    shutil.rmtree(out, ignore_errors=True)
    started = time.perf_counter()
    subprocess.run([NNDL, "grade", str(folder), "--out", str(out), *extra], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200)
    parser.add_argument("--small", type=int, default=4)
    parser.add_argument("--large", type=int, default=16)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault("NNDL_HIDDEN_SEED", "0")
    with tempfile.TemporaryDirectory(prefix="nndl-scale-") as work:
        work = Path(work)
        copies(work / "warm", 1)
        grade(work / "warm", work / "warm-out", "--jobs", "2")        # fills the reference cache

        print(f"(b) marginal cost of a full submission, --jobs 2, {os.cpu_count()} CPUs", flush=True)
        for count in (args.small, args.large):
            copies(work / f"copies{count}", count)
        small = grade(work / f"copies{args.small}", work / "out-small", "--jobs", "2")
        large = grade(work / f"copies{args.large}", work / "out-large", "--jobs", "2")
        print(f"    {args.small} submissions {small:.1f} s, {args.large} submissions {large:.1f} s: "
              f"{(large - small) / (args.large - args.small):.2f} s per extra submission", flush=True)

        counts = cohort(work / "cohort", args.students, args.seed)
        print(f"(a) {args.students} generated full submissions ({counts})", flush=True)
        threads = grade(work / "cohort", work / "out-threads", "--jobs", "2")
        print(f"    --jobs 2:           {threads:7.1f} s ({threads / args.students:.2f} s per student)", flush=True)
        dask = grade(work / "cohort", work / "out-cluster", "--cluster", "local:2")
        print(f"    --cluster local:2:  {dask:7.1f} s ({dask / args.students:.2f} s per student); "
              f"{dask / threads - 1:+.1%} against --jobs 2", flush=True)
        same = (work / "out-threads" / "grades.csv").read_bytes() == (work / "out-cluster" / "grades.csv").read_bytes()
        print(f"    grades.csv identical: {same}")
        started = time.perf_counter()
        again = subprocess.run([NNDL, "grade", str(work / "cohort"), "--out", str(work / "out-threads"),
                                "--jobs", "2"], capture_output=True, text=True, check=True)
        skipped = [line for line in again.stderr.splitlines() if "skipped" in line]
        print(f"    the threads' run again ({time.perf_counter() - started:.1f} s): "
              f"{skipped[0].strip() if skipped else 'nothing skipped'}")
        return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
