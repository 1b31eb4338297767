"""The learner's inner loop: the old path (live Keras references) against the kit (compiled checks).

Side by side in one run, on the model answers released to a temporary folder:
- old `nndl check CH`: the grader's visible checks against live references
  (`nndl grade --visible-only --chapter CH`, as `nndl check` ran before the kit);
- kit `nndl check CH`: compiled checks, the chapter file in a child process;
- old hint: loading a chapter's suite and references, as `nndl hint` did;
- kit `nndl hint`;
- a full `nndl grade --jobs 2` of the model answers, every reference computed
  (an empty cache folder each time) against a warm reference cache.
Each command runs REPEAT times; the table gives the median wall time.

    python benchmarks/kit.py [--repeat 3]
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def wall(command, cwd, repeat, cache=None):
    """Median wall time; cache(): the NNDL_CACHE_DIR of each run (default: none)."""
    times = []
    for _ in range(repeat):
        env = dict(os.environ, NNDL_CACHE_DIR=cache() if cache else "off")
        started = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
        if done.returncode:
            raise SystemExit(f"{command} failed: {done.stderr[-500:]}")
    return statistics.median(times)


def main():
    options = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    options.add_argument("--repeat", type=int, default=3)
    repeat = options.parse_args().repeat
    with tempfile.TemporaryDirectory() as folder:
        subprocess.run([BIN / "nndl", "release", folder, "--answers"], check=True, capture_output=True)
        rows = []
        for chapter in ("ch02_activations", "ch12_cnn"):
            old = wall([BIN / "nndl", "grade", ".", "--visible-only", "--chapter", chapter], folder, repeat)
            new = wall([BIN / "nndl", "check", chapter], folder, repeat)
            rows.append((f"nndl check {chapter}", old, new))
        old = wall([BIN / "python", "-c", "import nndl.solutions.ch02_activations; "
                    "from nndl.grader.content import chapters; chapters.checks('ch02_activations')"], folder, repeat)
        new = wall([BIN / "nndl", "hint", "ch02_activations/sigmoid", "--level", "1"], folder, repeat)
        rows.append(("nndl hint ch02_activations/sigmoid", old, new))
        grade = [BIN / "nndl", "grade", ".", "--jobs", "2"]
        cold = wall(grade, folder, repeat, cache=lambda: tempfile.mkdtemp(dir=folder))
        warm_dir = tempfile.mkdtemp(dir=folder)
        wall(grade, folder, 1, cache=lambda: warm_dir)  # fills it
        warm = wall(grade, folder, repeat, cache=lambda: warm_dir)
    print(f"{'command':<38} {'old (s)':>8} {'kit (s)':>8} {'ratio':>7}")
    for name, old, new in rows:
        print(f"{name:<38} {old:8.2f} {new:8.2f} {old / new:7.1f}x")
    print(f"\n{'nndl grade --jobs 2 (model answers)':<38} {'cold (s)':>8} {'warm (s)':>8} {'warm/cold':>9}")
    print(f"{'reference cache':<38} {cold:8.2f} {warm:8.2f} {warm / cold:9.2f}")


if __name__ == "__main__":
    main()
