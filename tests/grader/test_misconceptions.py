"""The misconception catalogue (files/misconceptions.py): each mistake learners make loses points
when graded in the sandbox, fails a visible check that says what is wrong, and is not blamed on an
overflow it is not.

A visible check that passes must mean the lesson is learned: so every mistake of the catalogue,
each plausible for its exercise's text, must fail one (the checks of its function, or of a
function that calls it), and its message must say the thing named in the catalogue.
"""
import sys

import pytest

from conftest import FILES
from nndl.grader.config import GraderConfig
from nndl.grader.content import chapters

sys.path.insert(0, str(FILES))
import misconceptions as catalogue  # noqa: E402 - grading a mistake, as benchmarks/misconceptions.py does
from misconceptions import CATALOGUE, apply, function_span, label  # noqa: E402


def test_the_catalogue_covers_every_chapter_with_forty_mistakes_or_more():
    assert len(CATALOGUE) >= 40
    assert {m.chapter for m in CATALOGUE} == set(chapters.available())
    assert len({(m.chapter, m.what) for m in CATALOGUE}) == len(CATALOGUE)


@pytest.mark.parametrize("mistake", CATALOGUE, ids=label)
def test_each_mistake_loses_points_and_a_visible_check_says_what_is_wrong(mistake, answers_dir, tmp_path):
    answers = (answers_dir / f"{mistake.chapter}.py").read_text(encoding="utf-8")
    lost, visible, graded = catalogue.outcome(mistake, answers, tmp_path, GraderConfig.from_env())
    assert lost > 0, [(r.name, r.output) for r in graded]
    shown = catalogue.first_failure(visible)
    assert shown is not None, "every visible check passed"
    function = {c.id: c.function for c in chapters.checks(mistake.chapter)}[shown.name.split("/")[1]]
    assert function in catalogue.affected(mistake.chapter, mistake.function)
    assert mistake.says in told(shown), shown.output   # in the message, not in the check's hint
    assert not catalogue.misleads(mistake, shown), shown.output
    # the grader fails the same visible check (in its own words where its judge is its own)
    assert next(r for r in graded if r.name == shown.name).status == "failed"


def told(result):
    """What a failed check says, its hint (the same for every mistake) left out."""
    return result.output.split("\nHint:")[0]


def test_the_model_answers_pass_what_the_catalogue_grades(answers_dir, tmp_path):
    """The catalogue's edits are the only reason: unedited, every affected check passes."""
    from nndl.grader.grading import harness
    from nndl.local import check_file

    for chapter in sorted({m.chapter for m in CATALOGUE}):
        only = set().union(*(catalogue.affected(chapter, m.function) for m in CATALOGUE if m.chapter == chapter))
        path = answers_dir / f"{chapter}.py"
        graded = harness.grade_chapter(chapter, path, GraderConfig.from_env(), only=only)
        assert all(r.status == "passed" for r in graded), [(r.name, r.output) for r in graded if r.status != "passed"]
        assert all(r.status == "passed" for r in check_file(chapter, path, only=only))


def test_an_edit_that_does_not_apply_is_refused():
    mistake = CATALOGUE[0]._replace(edit=[("no such text", "x")])
    with pytest.raises(AssertionError, match="is not once in"):
        apply("def perceptron_train(X, y):\n    return X\n", mistake)
    assert function_span("a = 1\ndef f(x):\n    return x\n\nb = 2\n", "f") == (6, 30)
