"""What the sandbox costs: the model answers graded with and without bubblewrap, in one run.

The same submission (`nndl release --answers`) is graded with NNDL_SANDBOX=bwrap
and NNDL_SANDBOX=none, alternately, after one unmeasured warm-up grading that
pays the grader's own one-off costs (importing TensorFlow for the references).
Each mode keeps its fastest run; the ratio is bwrap / none.

    python benchmarks/sandbox_overhead.py [CHAPTER ...] [--repeats N] [--jobs N]
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from nndl.grader.content import build, chapters

from nndl.grader.grading import harness

from nndl.grader.processes import sandbox
from nndl.grader.config import GraderConfig


def grade_once(folder, mode, selected, jobs):
    """Seconds to grade folder with NNDL_SANDBOX=mode; fails loudly on a lost point."""
    os.environ["NNDL_SANDBOX"] = mode
    started = time.perf_counter()
    report = harness.grade(folder, GraderConfig.from_env(), selected, jobs=jobs)
    seconds = time.perf_counter() - started
    lost = [r.name for r in report.results if r.status != "passed"]
    if lost:
        sys.exit(f"the model answers lost points with NNDL_SANDBOX={mode}: {lost}")
    return seconds


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*", help="chapter ids (default: every gradable chapter)")
    parser.add_argument("--repeats", type=int, default=2, help="runs per mode (default 2)")
    parser.add_argument("--jobs", type=int, default=1, help="chapters side by side (default 1)")
    args = parser.parse_args(argv)
    if not sandbox.bwrap_works():
        sys.exit("bubblewrap (bwrap) does not work here: there is no overhead to measure")
    selected = args.chapters or chapters.available()
    with tempfile.TemporaryDirectory(prefix="nndl-overhead-") as tmp:
        build.release(Path(tmp), answers=True)
        grade_once(tmp, "none", selected, args.jobs)  # warm-up, not measured
        times = {"bwrap": [], "none": []}
        for _ in range(args.repeats):
            for mode in ("bwrap", "none"):
                times[mode].append(grade_once(tmp, mode, selected, args.jobs))
    print(f"model answers of {len(selected)} chapter(s), jobs={args.jobs}, "
          f"{args.repeats} run(s) per mode")
    for mode, runs in times.items():
        print(f"  NNDL_SANDBOX={mode:<5}  best {min(runs):7.2f} s   "
              f"runs {', '.join(f'{t:.2f}' for t in runs)}")
    print(f"  {sandbox.describe('bwrap')}")
    print(f"overhead ratio (bwrap / none): {min(times['bwrap']) / min(times['none']):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
