"""Hidden checks on a function of the learner's own process, for nbgrader's autograde.

The visible checks of ``nndl.check`` run from compiled data (nndl/checking.py);
an nbgrader test cell's hidden part, ``nndl.check(name, f, hidden=True)``, runs
here, in the instructor's full installation, against the references.
"""
from nndl.checking import call_directly, print_share
from nndl.grader.content import chapters
from nndl.grader.content.check import HIDDEN
from nndl.grader.config import GraderConfig
from nndl.grader.grading.harness import run_check


def check_hidden(name, function):
    """Run the hidden checks of chapter/function on `function`; print; return the share."""
    chapter, selected = chapters.find_check(name)
    selected = [c for c in selected if c.visibility == HIDDEN]
    config = GraderConfig.from_env()
    rules = chapters.call_rules(chapter, config.from_scratch)
    results = [run_check(c, chapter, config.hidden_seed, call_directly(function, config.limits.call_timeout, rules))
               for c in selected]
    return print_share(results)
