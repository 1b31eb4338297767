"""Hidden checks on a function of the learner's own process, for nbgrader's autograde.

The visible checks of ``nndl.check`` run from compiled data (nndl/checking.py);
an nbgrader test cell's hidden part, ``nndl.check(name, f, hidden=True)``, runs
here, in the instructor's full installation, against the references.
"""
import os

from nndl.checking import call_directly
from nndl.grader import chapters
from nndl.grader.check import HIDDEN
from nndl.grader.config import GraderConfig
from nndl.grader.harness import run_check


def check_hidden(name, function):
    """Run the hidden checks of chapter/function on `function`; print; return the share."""
    chapter, selected = chapters.find_check(name)
    selected = [c for c in selected if c.visibility == HIDDEN]
    config = GraderConfig.from_env()
    results = [run_check(c, chapter, config.hidden_seed, call_directly(function, config.limits.call_timeout))
               for c in selected]
    earned = sum(r.score for r in results)
    total = sum(r.max_score for r in results) or 1.0
    for result in results:
        mark = "✓" if result.status == "passed" else "✗"
        print(f"{mark} {result.name}: {result.output}" if result.status != "passed" or
              os.environ.get("NNDL_VERBOSE") else f"{mark} {result.name}")
    return earned / total
