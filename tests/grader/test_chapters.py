"""chapters and suites: every check has its exercise and its reference, and nothing is left out."""
import ast
import importlib
import inspect

import pytest

from nndl.grader.content import build, chapters
from nndl.grader.content.check import HIDDEN, VISIBLE

CHAPTERS = chapters.available()


def source_functions(chapter):
    """name -> its parameter list as written, of the top-level functions in source/<chapter>.py."""
    tree = ast.parse((chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8"))
    return {node.name: f"({ast.unparse(node.args)})" for node in tree.body
            if isinstance(node, ast.FunctionDef)}


def exercises(chapter):
    """Functions of the source that contain a solution region: the exercises."""
    text = (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
    tree = ast.parse(text)
    lines = text.splitlines()
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef) and
            any(build.BEGIN_SOLUTION in line for line in lines[node.lineno - 1:node.end_lineno])}


SPEC_IDS = """ch01_perceptron ch02_activations ch03_networks ch04_gradient_descent ch05_backprop
ch06_cross_entropy ch07_regularization ch08_initialization ch09_hyperparameters ch10_universality
ch11_vanishing_gradients ch12_cnn ch13_rnn ch14_lstm ch15_recursive""".split()  # SPEC.md, Chapters


def test_chapter_ids_are_the_spec_ones():
    """Are the chapter ids those of the spec, in order, and is every one of them gradable
    (a source file and a suite)?"""
    assert list(chapters.CHAPTERS) == SPEC_IDS
    assert CHAPTERS == SPEC_IDS


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_exercise_is_checked_and_every_check_is_an_exercise(chapter):
    """Does every function with a solution region have checks, and every check an exercise?"""
    checked = {c.function for c in chapters.checks(chapter)}
    assert checked == exercises(chapter)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_references_have_the_exercises_signatures(chapter):
    """Does solutions/<chapter>.py define every graded function with the exercise's signature?"""
    references = importlib.import_module(f"nndl.solutions.{chapter}")
    functions = source_functions(chapter)
    for name in {c.function for c in chapters.checks(chapter)}:
        assert str(inspect.signature(getattr(references, name))) == functions[name], f"{chapter}.{name}"


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_checks_are_well_formed(chapter):
    """Are check ids unique, points positive, visibility known, and each function checked both ways?"""
    checks = chapters.checks(chapter)
    assert len({c.id for c in checks}) == len(checks)
    assert all(c.points > 0 and c.visibility in (VISIBLE, HIDDEN) and c.atol >= 0 and c.rtol >= 0
               for c in checks)
    for function in {c.function for c in checks}:
        kinds = {c.visibility for c in checks if c.function == function}
        assert kinds == {VISIBLE, HIDDEN}, function
    for check in checks:
        assert check.hint, f"{chapter}/{check.id} has no hint"


def test_find_check():
    """Does find_check find checks by id and by function, and say what is unknown?"""
    chapter, found = chapters.find_check("ch02_activations/softmax")
    assert chapter == "ch02_activations"
    assert [c.id for c in found] == ["softmax", "softmax_hidden"]
    with pytest.raises(KeyError, match="no check 'nothing'"):
        chapters.find_check("ch02_activations/nothing")
