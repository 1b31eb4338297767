"""`make demo`: grade the model answers and a sample submission, offline.

Writes the model answers and both results JSON files into ./demo-results/.
"""
import contextlib
import os
import sys
from pathlib import Path

from nndl.grader.content import build

from nndl.grader.grading import harness

from nndl.grader.reports import report
from nndl.grader.content.chapters import ROOT
from nndl.grader.config import GraderConfig
from nndl.grader.processes.runner import WarmPool, preload_for

SAMPLE = ROOT / "examples" / "sample_submission"


def main(outdir="demo-results"):
    outdir = Path(outdir)
    answers = outdir / "model-answers"
    build.release(answers, answers=True)
    config = GraderConfig.from_env()
    jobs = min(2, os.cpu_count() or 1)
    submissions = (("the model answers", answers, "model-answers.json"),
                   ("a sample submission with mistakes", SAMPLE, "sample.json"))
    # One warm pool for both, as a batch shares one.
    with WarmPool(config, jobs, preload_for(p for _, s, _ in submissions for p in s.iterdir())) \
            if config.warm else contextlib.nullcontext() as pool:
        for title, submission, name in submissions:
            print(f"\nGrading {title} ({submission}) ...", flush=True)
            result = harness.grade(submission, config, jobs=jobs, pool=pool)
            report.print_report(result, title=f"nndl grade: {title}")
            report.write_json(result, outdir / name)
            print(f"results JSON: {outdir / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
