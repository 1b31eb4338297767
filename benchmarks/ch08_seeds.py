"""Do chapter 8's statistical checks pass a correct initialiser for every hidden seed, and fail wrong ones?

Runs every statistical check of ch08_initialization (the hidden ones, whose
inputs change with the seed; the visible ones always use seed 0) on the model
answers with GraderConfig(hidden_seed=s) for 200 seeds, and reports how many
pass (must be all) and the largest statistic seen, as a share of its limit.
Then it runs wrong initialisers over the same seeds and reports how often
each fails (must be always).

    python benchmarks/ch08_seeds.py [--seeds 200]

The model answers run in this process (no sandbox), through the same
conversion as nndl.check, so only the checks' statistics are measured.
"""
import argparse
import math
import sys
import time

import numpy as np

from nndl import judges, worker
from nndl.grader.content import build, chapters
from nndl.grader.content.check import HIDDEN
from nndl.grader.config import GraderConfig
from nndl.grader.grading.harness import run_check
from nndl.checking import call_directly
from nndl.grader.suites import ch08_initialization as suite

CHAPTER = "ch08_initialization"


def model_answers():
    """The chapter's model answers as a namespace, without its check and demo cells."""
    text = build.render(CHAPTER, (chapters.SOURCE_DIR / f"{CHAPTER}.py").read_text(encoding="utf-8"),
                        answers=True)
    namespace = {"__name__": CHAPTER}
    for tags, source in worker.split_cells(text):
        if not tags:
            exec(compile(source, f"{CHAPTER}.py", "exec"), namespace)
    return namespace


def wrong_initialisers(answers):
    """check id -> (description, function) of initialisers with one realistic mistake each."""
    fans, truncated = answers["compute_fans"], answers["truncated_normal"]

    def untruncated_glorot(shape, seed=None):
        fan_in, fan_out = fans(shape)
        return np.random.default_rng(seed).normal(0.0, math.sqrt(2 / (fan_in + fan_out)), tuple(shape))

    def unscaled_he(shape, seed=None):
        return truncated(shape, math.sqrt(2 / fans(shape)[0]), seed)

    def clipped(shape, stddev, seed=None):
        w = np.random.default_rng(seed).normal(0.0, stddev, tuple(shape))
        return np.clip(w, -2 * stddev, 2 * stddev)

    def truncated_scaled(shape, seed=None):
        return truncated(shape, 1 / math.sqrt(fans(shape)[0]) / answers["TRUNCATED_STD"], seed)

    def fan_avg_he_uniform(shape, seed=None):
        fan_in, fan_out = fans(shape)
        limit = math.sqrt(12 / (fan_in + fan_out))
        return np.random.default_rng(seed).uniform(-limit, limit, tuple(shape))

    return [
        ("he_normal_hidden", "He normal with twice the standard deviation",
         lambda shape, seed=None: 2 * answers["he_normal"](shape, seed)),
        ("glorot_normal_hidden", "Glorot normal not truncated (right standard deviation)",
         untruncated_glorot),
        ("he_normal_hidden", "He normal truncated without rescaling (std 0.88x)", unscaled_he),
        ("truncated_normal_hidden", "truncated normal clipped instead of redrawn", clipped),
        ("scaled_normal_hidden", "N(0, 1/n_in) truncated and rescaled (LeCun normal)",
         truncated_scaled),
        ("he_uniform_hidden", "He uniform with (fan_in + fan_out) / 2 for fan_in",
         fan_avg_he_uniform),
    ]


class recording:
    """Within it, the suite's statistics also keep the largest ratio of each test in `worst`."""

    def __init__(self, worst):
        self.worst, self.original = worst, judges.statistics

    def __enter__(self):
        def statistics(*args):
            ratios = self.original(*args)
            for name, ratio in ratios.items():
                self.worst[name] = max(self.worst.get(name, 0.0), ratio)
            return ratios
        judges.statistics = statistics

    def __exit__(self, *exc):
        judges.statistics = self.original


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=200)
    args = parser.parse_args(argv)
    seeds = range(args.seeds)
    answers = model_answers()
    statistical = [c for c in chapters.checks(CHAPTER)
                   if c.visibility == HIDDEN and c.compare is suite.compare_samples]
    started, worst, passes = time.monotonic(), {}, {c.id: 0 for c in statistical}
    for s in seeds:
        config = GraderConfig(hidden_seed=s)
        for check in statistical:
            with recording(worst):
                result = run_check(check, CHAPTER, config.hidden_seed,
                                   call_directly(answers[check.function]))
            passes[check.id] += result.status == "passed"
            if result.status != "passed":
                print(f"seed {s}: {result.name} FAILED: {result.output}")
    print(f"model answers, {len(seeds)} hidden seeds ({time.monotonic() - started:.0f} s):")
    for check_id, count in passes.items():
        print(f"  {check_id:<26} passed {count}/{len(seeds)}")
    print("  largest statistic / its limit over all seeds and cases: "
          + ", ".join(f"{name} {ratio:.2f}" for name, ratio in sorted(worst.items())))
    by_id = {c.id: c for c in statistical}
    all_good = all(count == len(seeds) for count in passes.values())
    print("wrong initialisers, the same seeds:")
    for check_id, description, function in wrong_initialisers(answers):
        failures = sum(run_check(by_id[check_id], CHAPTER, GraderConfig(hidden_seed=s).hidden_seed,
                                 call_directly(function)).status != "passed" for s in seeds)
        all_good &= failures == len(seeds)
        print(f"  {description:<58} failed {failures}/{len(seeds)}  ({check_id})")
    return 0 if all_good else 1


if __name__ == "__main__":
    sys.exit(main())
