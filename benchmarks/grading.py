"""How long grading takes, side by side in one run, against the course's targets.

(a) `nndl grade` on the full model answers, cold: a fresh process, TensorFlow
    import included (target: under 30 s wall).
(b) nbgrader: `nbgrader autograde` of the full model answers (all fifteen
    chapters, one student) in the course `nndl course build` writes, against
    (a) (target: nndl grade at least 3x faster). nbgrader runs every cell of
    the notebooks, the demo cells' plots and training runs included.
(c) a batch of 40 submissions of chapters 1 and 2 (the two cheapest; variants
    of the model answers and the stubs), `nndl grade DIR --out R` with --jobs 1
    and --jobs 2, against a cold single grade of one such submission; the cost
    of each extra submission relative to that cold grade (target: <= 25%).
(e) a batch of 6 full submissions (all fifteen chapters, each the model
    answers: the dearest case, every check runs to the end, the CNN trains),
    `nndl grade DIR --out R --jobs 2`, against the cold single grade (a): the
    cost of each extra full submission (target: <= 25%).
(d) one epoch of mini-batch SGD on the digits ([64, 30, 10], ten samples per
    step) with the chapter 5 model answers: `backprop` (vectorised over the
    mini-batch) against `backprop_loop` (one sample at a time; target: >= 5x).

    python benchmarks/grading.py [--jobs N]   # N: --jobs of (a), default 2

Wall times come from time.perf_counter around a subprocess; /usr/bin/time -f
adds the peak memory of the largest process where it exists.
"""
import argparse
import ast
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from nndl.grader.content import build
from nndl.grader.content.chapters import available

NNDL = str(Path(sys.executable).with_name("nndl"))
BATCH_CHAPTERS = ("ch01_perceptron", "ch02_activations")
STUDENTS = 40
FULL_STUDENTS = 6


def timed(*args):
    """(wall seconds, peak RSS in MiB or None) of `nndl ARGS` in a fresh process."""
    command = [NNDL, *map(str, args)]
    gnu_time = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    rss_file = Path(tempfile.mktemp(suffix=".rss"))
    if gnu_time:
        command = [gnu_time, "-f", "%M", "-o", str(rss_file), *command]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed:\n{done.stderr[-2000:]}")
    rss = int(rss_file.read_text().split()[-1]) / 1024 if rss_file.exists() else None
    rss_file.unlink(missing_ok=True)
    return seconds, rss


def make_class(root, answers, stubs):
    """40 student folders: full answers, stubs, answers missing chapter 2, and a mix, in turn."""
    for number in range(STUDENTS):
        folder = root / f"student{number:02d}"
        folder.mkdir(parents=True)
        kind = number % 4
        for chapter in BATCH_CHAPTERS:
            source = stubs if kind == 1 or (kind == 3 and chapter == BATCH_CHAPTERS[1]) else answers
            if kind == 2 and chapter == BATCH_CHAPTERS[1]:
                continue
            shutil.copy(source / f"{chapter}.py", folder)
    return root


def chapter_args():
    return [a for c in BATCH_CHAPTERS for a in ("--chapter", c)]


def bench_full(answers, jobs, work):
    seconds, rss = timed("grade", answers, "--jobs", jobs, "--json", work / "full.json")
    return seconds, rss


def bench_batch(answers, stubs, work):
    klass = make_class(work / "class", answers, stubs)
    single, _ = timed("grade", klass / "student00", *chapter_args(), "--json", work / "one.json")
    rows = {}
    for jobs in (1, 2):
        seconds, rss = timed("grade", klass, "--out", work / f"results{jobs}", "--jobs", jobs,
                             *chapter_args())
        rows[jobs] = (seconds, rss, (seconds - single) / (STUDENTS - 1))
    return single, rows


def bench_full_batch(answers, jobs, work):
    """(wall seconds, peak MiB) of a batch of FULL_STUDENTS copies of the full model answers."""
    klass = work / "full-class"
    for number in range(FULL_STUDENTS):
        shutil.copytree(answers, klass / f"student{number:02d}")
    return timed("grade", klass, "--out", work / "full-results", "--jobs", jobs)


def bench_nbgrader(work, chapters):
    """Seconds for `nbgrader autograde` of the chapters' model answers, summed over chapters."""
    root = work / "course"
    timed("course", "build", root, *[a for c in chapters for a in ("--chapter", c)])
    binary = Path(sys.executable).with_name("nbgrader")
    env = dict(os.environ, PATH=f"{binary.parent}{os.pathsep}{os.environ['PATH']}")

    def nbgrader(*args):
        done = subprocess.run([str(binary), *args, f"--CourseDirectory.root={root}"], cwd=root,
                              env=env, capture_output=True, text=True)
        if done.returncode != 0:
            sys.exit(f"nbgrader {' '.join(args)} failed:\n{(done.stdout + done.stderr)[-2000:]}")
    seconds = 0.0
    for chapter in chapters:
        nbgrader("generate_assignment", chapter)
        target = root / "submitted" / "model" / chapter
        target.mkdir(parents=True)
        shutil.copy(root / "source" / chapter / f"{chapter}.ipynb", target)
        started = time.perf_counter()
        nbgrader("autograde", chapter)
        seconds += time.perf_counter() - started
    return seconds


def chapter5_functions(answers):
    """backprop, backprop_loop and their helpers, taken from the chapter 5 model answers."""
    tree = ast.parse((answers / "ch05_backprop.py").read_text(encoding="utf-8"))
    wanted = {"sigmoid", "sigmoid_prime", "output_error", "backprop_loop", "backprop"}
    module = ast.Module([n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in wanted],
                        type_ignores=[])
    namespace = {"np": np}
    exec(compile(module, "ch05_backprop.py", "exec"), namespace)
    return namespace


def sgd_epoch(gradient, X, Y, eta=0.5, batch_size=10, seed=0):
    """One epoch of mini-batch SGD from a seeded start; (seconds, the final weights)."""
    rng = np.random.default_rng(seed)
    sizes = [64, 30, 10]
    weights = [rng.normal(0, 1 / np.sqrt(m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0, 1, n) for n in sizes[1:]]
    order = rng.permutation(len(X))
    started = time.perf_counter()
    for start in range(0, len(order), batch_size):
        batch = order[start:start + batch_size]
        nabla_W, nabla_b = gradient(X[batch], Y[batch], weights, biases, "cross_entropy")
        weights = [W - eta * g for W, g in zip(weights, nabla_W)]
        biases = [b - eta * g for b, g in zip(biases, nabla_b)]
    return time.perf_counter() - started, weights


def bench_epoch(answers, repeats=5):
    from nndl.data import load_digits

    functions = chapter5_functions(answers)
    data = load_digits(seed=0)
    Y = np.eye(10)[data.y_train]
    rows = {}
    for batch_size in (10, 100):
        best = {}
        for name in ("backprop_loop", "backprop"):
            runs = [sgd_epoch(functions[name], data.X_train, Y, batch_size=batch_size)
                    for _ in range(repeats)]
            best[name] = (min(s for s, _ in runs), runs[0][1])
        same = all(np.allclose(a, b) for a, b in zip(best["backprop_loop"][1], best["backprop"][1]))
        rows[batch_size] = (best["backprop_loop"][0], best["backprop"][0], same)
    return len(data.X_train), rows


def machine():
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load average {load:.1f} at start")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=2, help="--jobs of the full grade (a)")
    args = p.parse_args()
    print(f"machine: {machine()}; sandbox: NNDL_SANDBOX={os.environ.get('NNDL_SANDBOX', 'auto')}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        answers, stubs = work / "answers", work / "stubs"
        build.release(answers, answers=True)
        build.release(stubs)
        full, full_rss = bench_full(answers, args.jobs, work)
        single, batch = bench_batch(answers, stubs, work)
        full_batch, full_batch_rss = bench_full_batch(answers, args.jobs, work)
        autograde = bench_nbgrader(work, available())
        n, epochs = bench_epoch(answers)
    mem = f", peak {full_rss:.0f} MiB" if full_rss else ""
    print(f"\n(a) nndl grade, full model answers, cold, --jobs {args.jobs}: {full:6.1f} s wall{mem}"
          f"   target < 30 s: {'met' if full < 30 else 'NOT met'}")
    print(f"(b) nbgrader autograde, full model answers ({len(available())} chapters), one student: "
          f"{autograde:6.1f} s wall; nndl grade (a) is {autograde / full:.1f}x faster"
          f"   target >= 3x: {'met' if autograde >= 3 * full else 'NOT met'}")
    print(f"(c) {STUDENTS} submissions of {', '.join(BATCH_CHAPTERS)}; cold single grade {single:.1f} s")
    for jobs, (seconds, rss, extra) in batch.items():
        print(f"    --jobs {jobs}: {seconds:6.1f} s wall, {extra:5.2f} s per extra submission = "
              f"{100 * extra / single:4.0f}% of a cold grade   target <= 25%: "
              f"{'met' if extra <= 0.25 * single else 'NOT met'}")
    extra = (full_batch - full) / (FULL_STUDENTS - 1)
    print(f"(e) {FULL_STUDENTS} full submissions (model answers, {len(available())} chapters), "
          f"--jobs {args.jobs}: {full_batch:6.1f} s wall, peak {full_batch_rss or 0:.0f} MiB; "
          f"{extra:5.2f} s per extra submission = {100 * extra / full:4.0f}% of the cold grade (a)"
          f"   target <= 25%: {'met' if extra <= 0.25 * full else 'NOT met'}")
    print(f"(d) one SGD epoch on the digits ({n} training images, [64, 30, 10]), best of 5:")
    for batch_size, (loop, vector, same) in epochs.items():
        print(f"    mini-batch {batch_size:3d}: per-sample loop {loop * 1e3:7.1f} ms, vectorised "
              f"{vector * 1e3:6.1f} ms: {loop / vector:4.1f}x; same weights: {same}"
              + (f"   target >= 5x: {'met' if loop >= 5 * vector else 'NOT met'}"
                 if batch_size == 10 else ""))


if __name__ == "__main__":
    main()
