"""The harness: a broken submission is a failed check with a clear message, never a broken run.

Each hostile chapter file is the chapter 2 model answers with one function
replaced (tests/grader/files/ch02/); it must lose exactly that function's
points, and every other check must still pass.
"""
import dataclasses
import json
import re
import shutil

import jupytext
import numpy as np
import pytest

from nndl import checking

from conftest import CH02, FAST, FILES, assert_only_lost, check_names, grade_ch02, replace_functions
from nndl.grader.content import chapters
from nndl.grader.grading import harness
from nndl.grader.content.check import VISIBLE
from nndl.grader.config import DEFAULT_HIDDEN_SEED, GraderConfig, Limits
from nndl.grader.grading.harness import run_check
from nndl.grader.processes.runner import Reply


def without_time(report):
    data = report.as_json()
    del data["execution_time"]
    return data


# ---------------------------------------------------------------- wrong answers
def test_exception_costs_only_its_function(ch02_with):
    """Does a function that raises lose only its own checks, with the exception named?"""
    path = ch02_with("raise_leaky_relu")
    line = path.read_text(encoding="utf-8").splitlines().index(
        "    return x if max(0, x) else negative_slope * x") + 1
    results = assert_only_lost(grade_ch02(path), CH02, {"leaky_relu"}, "exception")
    output = results["leaky_relu"].output
    assert output.startswith("raised an exception — case 1/3 (a vector in [-5, 5]): leaky_relu() raised")
    assert f'File "{CH02}.py", line {line}, in leaky_relu' in output
    assert "ValueError: The truth value of an array" in output
    assert "calls.py" not in output and "nndl-worker" not in output  # the worker's own frames are cut


def test_an_error_inside_a_library_shows_the_learners_line(ch02_with):
    """Is an exception raised in NumPy's own code shown at the learner's line, without NumPy's frames?"""
    path = ch02_with("library_error_relu")
    line = path.read_text(encoding="utf-8").splitlines().index("    return np.linalg.inv(square) @ x") + 1
    results = assert_only_lost(grade_ch02(path), CH02, {"relu"}, "exception")
    for output in (results["relu"].output, results["relu_hidden"].output):
        assert f'File "{CH02}.py", line {line}' in output
        assert "site-packages" not in output and "linalg.py" not in output and "/lib/" not in output
    assert "LinAlgError: Singular matrix" in results["relu"].output


def test_wrong_shape_is_diagnosed(ch02_with):
    """Does a flattened result fail with a message about its shape?"""
    report = grade_ch02(ch02_with("wrong_shape_relu_prime"))
    results = assert_only_lost(report, CH02, {"relu_prime"}, "wrong")
    output = results["relu_prime"].output
    assert "case 2/3 (a (3, 4) batch in [-5, 5])" in output
    assert "shape (12,), expected (3, 4)" in output
    assert "right values, wrong shape" in output
    assert "Hint: 1 where x > 0" in output
    assert "shape (30,), expected (2, 3, 5)" in results["relu_prime_hidden"].output


def test_overflow_to_nan_fails_only_the_large_inputs(ch02_with):
    """Does a formula that overflows fail at the large inputs only, the visible check too (the
    chapter promises |x| = 1000), naming the overflow and where?"""
    report = grade_ch02(ch02_with("overflow_sigmoid_prime"))
    results = assert_only_lost(report, CH02, {"sigmoid_prime", "sigmoid_prime_hidden"}, "numeric")
    assert "case 3/3 (large |x| (-1000 to 1000, where exp overflows))" in results["sigmoid_prime"].output
    output = results["sigmoid_prime_hidden"].output
    assert "case 5/5 (large |x| (up to 1000))" in output
    assert "floating-point overflow in exp" in output and "numerically stable" in output


@pytest.mark.parametrize("fixture, function, what", [
    ("string_linear", "linear", "returned a str, expected a numeric array"),
    ("always_equal_step", "step", "returned a AlwaysEqual, expected a numeric array"),
])
def test_non_arrays_are_bad_output(ch02_with, fixture, function, what):
    """Is a string, or an object that claims to equal everything, a bad output and nothing more?"""
    report = grade_ch02(ch02_with(fixture))
    results = assert_only_lost(report, CH02, {function}, "bad_output")
    assert results[function].output.startswith("returned something that is not a numeric array")
    assert f"{function}() {what}" in results[function].output


def test_patching_numpy_comparisons_gains_nothing(ch02_with):
    """Does replacing numpy.allclose and numpy.testing with always-true leave a wrong relu wrong?"""
    report = grade_ch02(ch02_with("patch_numpy_relu"))
    results = assert_only_lost(report, CH02, {"relu"}, "wrong")
    assert "values differ" in results["relu"].output
    assert "values differ" in results["relu_hidden"].output


def test_memory_bomb_is_an_exception(ch02_with):
    """Does allocating 512 GiB fail only that function, as a MemoryError?"""
    report = grade_ch02(ch02_with("memory_bomb_relu_prime"))
    results = assert_only_lost(report, CH02, {"relu_prime"}, "exception")
    assert "MemoryError" in results["relu_prime"].output


def test_missing_function(ch02_answers, tmp_path):
    """Is a function that is not defined reported as missing, costing only its checks?"""
    path = tmp_path / f"{CH02}.py"
    path.write_text(ch02_answers.replace("def softmax_jacobian(", "def softmax_jacobean("),
                    encoding="utf-8")
    results = assert_only_lost(grade_ch02(path), CH02, {"softmax_jacobian"}, "missing")
    assert results["softmax_jacobian"].output == \
        "missing — function softmax_jacobian() is not defined"


def test_hidden_feedback_gives_no_inputs_away(ch02_with):
    """Does a failed hidden check name the case and the error size, but no values or index?"""
    report = grade_ch02(ch02_with("patch_numpy_relu"))
    results = {r.name.split("/")[1]: r.output for r in report.results}
    visible, hidden = results["relu"], results["relu_hidden"]
    assert re.search(r"at index \(\d+,\): got -?[\d.]+, expected 0", visible)
    assert "case 1/5 (random normal values)" in hidden and "max abs error" in hidden
    for word in ("got", "expected", "index"):
        assert word not in hidden


def test_hidden_failures_do_not_echo_what_the_submission_says(ch02_with):
    """Does a hidden check withhold an exception's text and the last output, where inputs can hide?"""
    report = grade_ch02(ch02_with("leak_inputs_relu"))
    results = {r.name.split("/")[1]: r for r in report.results}
    assert "INPUTS [" in results["relu"].output            # visible: the learner sees it all
    hidden = results["relu_hidden"]
    assert hidden.score == 0 and hidden.kind in ("exception", "died")
    assert "INPUTS" not in hidden.output and "withheld in a hidden check" in hidden.output


FRAMES = [["ch02_activations.py", 3, "relu", "raise ValueError(x)"]]


@pytest.mark.parametrize("reply, visible, hidden", [
    (Reply("exception", function="relu", error={"type": "ValueError", "text": "[1.5]", "frames": FRAMES}),
     'relu() raised File "ch02_activations.py", line 3, in relu\n    raise ValueError(x)\nValueError: [1.5]',
     'relu() raised File "ch02_activations.py", line 3\nValueError: ' + checking.WITHHELD),
    (Reply("exception", function="relu", error={"type": "KeyError", "text": "'secret'", "frames": []}),
     "relu() raised KeyError: 'secret'", "relu() raised KeyError: " + checking.WITHHELD),
    (Reply("died", detail=("the submission's process exited with status {code}", {"code": 3}), output="secret\n"),
     "the submission's process exited with status 3; its last output:\nsecret",
     "the submission's process exited with status 3; its last output is " + checking.WITHHELD[1:-1]),
    (Reply("timeout", function="relu", detail=("{name}() did not return within {seconds:g} s",
                                              {"name": "relu", "seconds": 2.0})),
     "relu() did not return within 2 s", "relu() did not return within 2 s"),
    # fields a crafted reply or a renamed code object could fill with an input: dropped when hidden
    (Reply("exception", function="relu", error={"type": "E[1.5]", "text": "", "frames": [
        ["[1.5]", 1, "f", "x"], ["ch02_activations.py", 9, "[1.5]", "[1.5]"]]}),
     'relu() raised File "[1.5]", line 1, in f\n    x\n  File "ch02_activations.py", line 9, in [1.5]\n'
     '    [1.5]\nE[1.5]',
     'relu() raised File "ch02_activations.py", line 9\nException'),
])
def test_describe_leaves_out_what_a_hidden_input_could_fill(reply, visible, hidden):
    """Does a hidden check's failure keep the exception's type and where it happened, but not its
    text, the process's output, nor frame fields other than the chapter file and line?"""
    assert checking.describe(reply, hidden=False) == visible
    assert checking.describe(reply, hidden=True) == hidden


# ------------------------------------------------------------ broken chapters
@pytest.fixture(scope="module")
def mixed_submission(tmp_path_factory, answers_dir):
    """ch01 right, ch02 with a syntax error, later chapters missing, and files that are not chapters."""
    folder = tmp_path_factory.mktemp("mixed")
    shutil.copy(answers_dir / "ch01_perceptron.py", folder)
    snippet = (FILES / "ch02" / "syntax_error_relu.py").read_text(encoding="utf-8")
    text = replace_functions((answers_dir / f"{CH02}.py").read_text(encoding="utf-8"), snippet)
    (folder / f"{CH02}.py").write_text(text, encoding="utf-8")
    (folder / "notes.txt").write_text("my notes\n", encoding="utf-8")
    (folder / "ch99_extra.py").write_text("print('hello')\n", encoding="utf-8")
    line = text.splitlines().index("def relu(x)") + 1
    return folder, line, harness.grade(folder, FAST)


def test_syntax_error_costs_only_its_chapter(mixed_submission):
    """Does a syntax error cost only its own chapter, every check of it, with the line number?"""
    _, line, report = mixed_submission
    assert [r.name for r in report.results] == [n for ch in chapters.available() for n in check_names(ch)]
    ch01 = [r for r in report.results if r.name.startswith("ch01_perceptron/")]
    assert all(r.status == "passed" and r.score == r.max_score for r in ch01)
    ch02 = [r for r in report.results if r.name.startswith(f"{CH02}/")]
    assert {(r.kind, r.score) for r in ch02} == {("syntax", 0.0)}
    output = ch02[0].output
    assert output.startswith("the chapter file has a syntax error — ")
    assert f"line {line}" in output and "SyntaxError" in output and "def relu(x)" in output


def test_missing_chapter_is_not_submitted(mixed_submission):
    """Does a missing chapter score 0 on every check with the message "not submitted"?"""
    _, _, report = mixed_submission
    missing = [r for r in report.results if not r.name.startswith(("ch01_perceptron/", f"{CH02}/"))]
    assert any(r.name.startswith("ch03_networks/") for r in missing)
    assert all((r.kind, r.score, r.output) == ("not_submitted", 0.0, "not submitted") for r in missing)
    total = sum(c.points for c in chapters.checks("ch01_perceptron"))
    assert report.score == pytest.approx(total)
    assert report.max_score == pytest.approx(sum(c.points for ch in chapters.available()
                                                 for c in chapters.checks(ch)))


def test_unknown_files_are_ignored_with_a_warning(mixed_submission):
    """Are files that are not chapters ignored, each with a warning?"""
    _, _, report = mixed_submission
    assert "ignored ch99_extra.py: not a chapter file" in report.warnings
    assert "ignored notes.txt: not a chapter file" in report.warnings


@pytest.mark.parametrize("fixture, why", [
    ("load_error_linear", "RuntimeError: boom while loading"),
    ("load_exit_linear", "exited with status 3"),
])
def test_chapter_that_fails_to_load(ch02_with, fixture, why, monkeypatch):
    """Does a chapter file that raises or exits while loading fail every check of it, once?"""
    from nndl.grader.processes import runner

    starts, start = [], runner.SubmissionProcess.start
    monkeypatch.setattr(runner.SubmissionProcess, "start", lambda self: starts.append(1) or start(self))
    report = grade_ch02(ch02_with(fixture))
    assert [r.name for r in report.results] == check_names(CH02)
    assert {(r.kind, r.score) for r in report.results} == {("load", 0.0)}
    assert report.results[0].output.startswith("the chapter file failed to run — ")
    assert why in report.results[0].output
    assert len(starts) == 1  # loaded once, not once per check


def test_chapter_that_hangs_while_loading(ch02_with):
    """Does a chapter file that never finishes loading cost one load time-out, not one per check?"""
    config = GraderConfig(limits=Limits(call_timeout=2, load_timeout=3))
    report = grade_ch02(ch02_with("load_hang_linear"), config)
    assert {(r.kind, r.score) for r in report.results} == {("load", 0.0)}
    assert "did not finish loading within 3 s" in report.results[0].output
    assert report.execution_time < 3 * 5


# --------------------------------------------------------------- determinism
def test_same_submission_same_results(ch02_with):
    """Does grading the same submission twice give identical scores and messages?"""
    path = ch02_with("overflow_sigmoid_prime")
    first, second = grade_ch02(path), grade_ch02(path)
    assert 0 < first.score < first.max_score
    assert json.dumps(without_time(first)) == json.dumps(without_time(second))


def test_another_hidden_seed_still_full_marks(answers_dir):
    """Do the model answers get full marks under a hidden seed other than the default?"""
    report = harness.grade(answers_dir, GraderConfig(hidden_seed=DEFAULT_HIDDEN_SEED + 1), jobs=2)
    assert [r.name for r in report.results] == [n for ch in chapters.available()
                                                for n in check_names(ch)]
    failed = [r for r in report.results if r.status != "passed"]
    assert not failed
    assert report.score == report.max_score > 0


def test_hidden_seed_moves_only_hidden_inputs():
    """Does the hidden seed change the hidden checks' inputs and leave the visible ones alone?"""
    def first_inputs(seed):
        calls = []

        def call(function, args, kwargs, timeout, probe):
            calls.append(repr((function, args, kwargs)))
            return Reply("not_implemented", function=function)
        return {c.id: (c.visibility, run_check(c, CH02, seed, call), calls.pop())
                for c in chapters.checks(CH02)}

    one, other = first_inputs(1), first_inputs(2)
    for check_id, (visibility, result, inputs) in one.items():
        assert result.kind == "not_implemented"
        if visibility == VISIBLE:
            assert inputs == other[check_id][2], check_id
        else:
            assert inputs != other[check_id][2], check_id


def test_visible_only_selection(ch02_answers, tmp_path):
    """Does grading with visibility=(visible,) run exactly the visible checks?"""
    path = tmp_path / f"{CH02}.py"
    path.write_text(ch02_answers, encoding="utf-8")
    report = harness.grade(path, FAST, visibility=(VISIBLE,))
    assert [r.name for r in report.results] == \
        [f"{CH02}/{c.id}" for c in chapters.checks(CH02) if c.visibility == VISIBLE]
    assert report.score == report.max_score


# ------------------------------------------------------------------ notebooks
def test_notebook_submission_is_graded_like_its_text(ch02_answers, tmp_path):
    """Is an .ipynb chapter (as nbgrader collects it) graded like its py:percent twin?"""
    notebook = jupytext.reads(ch02_answers, fmt="py:percent")
    folder = tmp_path / "student" / CH02
    folder.mkdir(parents=True)
    jupytext.write(notebook, folder / f"{CH02}.ipynb")
    report = harness.grade(tmp_path / "student", FAST, selected=[CH02])
    assert report.score == report.max_score > 0


def test_grader_fault_fails_only_that_check():
    """Does a bug in one check's reference fail that check as a grader error, not the batch?"""
    broken = dataclasses.replace(chapters.checks(CH02)[0], reference=lambda *a, **k: 1 / 0)
    result = run_check(broken, CH02, 0, lambda *args: Reply("ok", np.zeros(7)))
    assert (result.kind, result.score, result.status) == ("grader_error", 0.0, "failed")
    assert result.output.startswith("GRADER ERROR — the grader failed on this check (ZeroDivisionError")
    assert "please report it" in result.output


def test_chapter_budget_ends_a_slow_chapter(ch02_with):
    """Does a chapter that uses up its wall-clock budget fail its remaining checks with a clear message?"""
    config = GraderConfig(limits=Limits(call_timeout=2, load_timeout=30, chapter_timeout=3))
    report = grade_ch02(ch02_with("hang_step", TAG="nndl-budget"), config)
    assert {r.kind for r in report.results} == {"timeout"} and report.score == 0
    assert "the chapter used up its 3 s budget before this call" in report.results[-1].output
    assert report.execution_time < 30


def test_jobs_give_the_same_report(mixed_submission):
    """Does grading chapters side by side (jobs=2) give the same results, in course order?"""
    folder, _, one_by_one = mixed_submission
    side_by_side = harness.grade(folder, FAST, jobs=2)
    assert without_time(side_by_side) == without_time(one_by_one)


def test_figure_data_only_when_a_report_draws_it():
    """Does a failed visible check gather its picture (calling the learner's function again, on a
    grid) only when asked to, as `nndl grade --html` asks, and never otherwise?"""
    check = next(c for c in chapters.checks("ch01_perceptron") if c.figure == "boundary"
                 and c.visibility == VISIBLE)
    calls = []

    def call(function, args, kwargs, timeout, probe):  # a perceptron that always says 1
        calls.append(function)
        return Reply("ok", np.ones(len(np.atleast_2d(args[0])), dtype=np.int64))

    plain = run_check(check, "ch01_perceptron", 0, call)
    asked = len(calls)
    drawn = run_check(check, "ch01_perceptron", 0, call, figures=True)
    assert plain.status == drawn.status == "failed"
    assert plain.figure is None and asked == 1
    assert drawn.figure is not None and len(calls) > 2 * asked
