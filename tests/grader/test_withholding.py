"""A hidden check's inputs never come back through what the submission prints or raises.

The submission (tests/grader/files/ch02/smuggle_relu.py) writes a marker made from
its input, SECRET<sum of |x|>, into everything it can: its printed output, the text
and the type of an exception, a file name and a function name in the traceback,
and the output of a process that then dies. For each language, every place a
result reaches is searched: the terminal, the JSON results, the HTML report and
Gradescope's results.json. The visible checks' markers must be there (the learner
sees all of a visible failure; and so the search can fail), the hidden ones nowhere.
"""
import json

import numpy as np
import pytest

from conftest import CH02
from nndl.grader.content import chapters
from nndl.grader import cli
from nndl.grader.integrations import gradescope
from nndl.grader.config import GraderConfig
from nndl.records import VISIBLE

SMUGGLED = ("relu", "leaky_relu")


def markers(hidden_seed):
    """(visible markers, hidden markers): SECRET<sum |x|> of each case of the smuggling functions."""
    found = {True: set(), False: set()}
    for check in chapters.checks(CH02):
        if check.function in SMUGGLED:
            visible = check.visibility == VISIBLE
            for case in check.cases(check.rng(CH02, 0 if visible else hidden_seed)):
                found[visible].add("SECRET%.9f" % float(np.sum(np.abs(case.args[0]))))
                found[visible].add(("SECRET%.9f" % float(np.sum(np.abs(case.args[0])))).replace(".", "_"))
    return found[True], found[False]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_hidden_inputs_reach_no_output(lang, ch02_with, tmp_path, capsys):
    submission = ch02_with("smuggle_relu")
    visible, hidden = markers(GraderConfig.from_env().hidden_seed)
    assert visible and hidden and not visible & hidden
    code = cli.main(["grade", str(submission), "--json", str(tmp_path / "r.json"),
                     "--html", str(tmp_path / "r.html"), "--lang", lang])
    terminal = capsys.readouterr().out
    assert code == 0
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "submission" / submission.name).write_text(submission.read_text(encoding="utf-8"), encoding="utf-8")
    from nndl import i18n

    i18n.set_language(lang)
    try:
        gradescope.main_root(root)
    finally:
        i18n.set_language(None)
    places = {"terminal": terminal, "json": (tmp_path / "r.json").read_text(encoding="utf-8"),
              "html": (tmp_path / "r.html").read_text(encoding="utf-8"),
              "gradescope": (root / "results" / "results.json").read_text(encoding="utf-8")}
    for place, text in places.items():
        leaked = [m for m in hidden if m in text]
        assert not leaked, (lang, place, leaked[:2])
        assert any(m in text for m in visible) or place == "gradescope" and "SECRET" in text, (lang, place)
    tests = {t["name"]: t for t in json.loads(places["json"])["tests"]}
    for function in SMUGGLED:
        shown = [t for t in tests.values() if t["name"].split("/")[1].startswith(function + "_hidden")]
        assert shown and all(t["score"] == 0 and "SECRET" not in t["output"] for t in shown)
        assert any("withheld" in t["output"] or "不显示" in t["output"] for t in shown), shown
