"""The catalogue of known mistakes: each is named when a submission makes it, and only then.

A mistake is a Check's ``mistakes`` entry: a function that makes a named error
(a flipped kernel, gates in the wrong order, epsilon outside the root). Each
entry here is a submission with that mistake, graded in the sandbox.
"""
import numpy as np
import pytest

from nndl.grader import chapters, harness
from nndl.grader.config import GraderConfig
from nndl.grader.runner import SubmissionProcess

# Wrappers around the model answer: the learner's function is the right one fed
# what the mistake feeds it, which is exactly what the mistake computes.
FLIPPED_CONV = '''
def conv2d(X, kernel, bias, strides=(1, 1), padding="valid"):
    return _right(X, np.asarray(kernel)[::-1, ::-1], bias, strides, padding)
'''
NO_BIAS_CONV = '''
def conv2d(X, kernel, bias, strides=(1, 1), padding="valid"):
    return _right(X, kernel, np.zeros_like(bias), strides, padding)
'''
IFOC = '''
def _ifoc(a):
    i, f, c, o = np.split(np.asarray(a), 4, axis=-1)
    return np.concatenate([i, f, o, c], axis=-1)

def lstm_cell(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    return _right(x_t, h_prev, c_prev, _ifoc(kernel), _ifoc(recurrent_kernel), _ifoc(bias))
'''
EPSILON_OUTSIDE = '''
def rmsprop_step(W, grad, s, eta=0.001, rho=0.9, epsilon=1e-7):
    s = rho * s + (1 - rho) * grad ** 2
    return W - eta * grad / (np.sqrt(s) + epsilon), s
'''
ENTRIES = [
    # chapter, function, submission, a fragment of the diagnosis, checks that must say it
    ("ch12_cnn", "conv2d", FLIPPED_CONV, "the kernel flipped", {"conv2d", "conv2d_hidden"}),
    ("ch14_lstm", "lstm_cell", IFOC, "the gates read in the order i, f, o, c",
     {"lstm_cell", "lstm_cell_hidden"}),
    ("ch04_gradient_descent", "rmsprop_step", EPSILON_OUTSIDE, "epsilon added outside the square root",
     {"rmsprop_step_hidden"}),
]


def graded(tmp_path, answers_dir, chapter, function, snippet):
    """The Results of `function`'s checks on the model answers with function replaced by snippet."""
    text = (answers_dir / f"{chapter}.py").read_text(encoding="utf-8")
    if snippet is not None:
        assert f"def {function}(" in text
        text = text.replace(f"def {function}(", "def _right(", 1) + "\n# %%\n" + snippet
    path = tmp_path / f"{chapter}.py"
    path.write_text(text, encoding="utf-8")
    config = GraderConfig()
    checks = [c for c in chapters.checks(chapter) if c.function == function]
    with SubmissionProcess(path, config) as process:
        def call(name, args, kwargs, timeout, probe):
            return process.call(name, args, kwargs, timeout or config.limits.call_timeout, probe)
        return {c.id: harness.run_check(c, chapter, config.hidden_seed, call) for c in checks}


@pytest.mark.parametrize("chapter, function, snippet, diagnosis, where", ENTRIES,
                         ids=[e[1] for e in ENTRIES])
def test_each_known_mistake_is_named(tmp_path, answers_dir, chapter, function, snippet, diagnosis, where):
    """Does a submission with the mistake fail with the mistake's name, and the answer pass silently?"""
    results = graded(tmp_path, answers_dir, chapter, function, snippet)
    for check_id, result in results.items():
        if check_id in where:
            assert result.status == "failed" and f"it matches a known mistake: {diagnosis}" in result.output
        else:
            assert "known mistake" not in result.output
    right = graded(tmp_path, answers_dir, chapter, function, None)
    assert all(r.status == "passed" and "known mistake" not in r.output for r in right.values())


def test_another_mistake_is_not_mistaken_for_a_known_one(tmp_path, answers_dir):
    """Is a convolution without its bias wrong, but not called a flipped kernel?"""
    results = graded(tmp_path, answers_dir, "ch12_cnn", "conv2d", NO_BIAS_CONV)
    assert all(r.status == "failed" and "known mistake" not in r.output for r in results.values())


def test_every_mistake_differs_from_its_reference():
    """Does each catalogued mistake actually change the answer on some case of its check?"""
    for chapter in chapters.available():
        for check in chapters.checks(chapter):
            for what, mistaken in check.mistakes:
                cases = check.cases(check.rng(chapter, 0))
                differs = False
                for case in cases:
                    try:
                        got = mistaken(*case.args, **case.kwargs)
                    except Exception:  # noqa: BLE001
                        continue
                    expected = check.reference(*case.args, **case.kwargs)
                    pairs = zip(got, expected) if isinstance(expected, tuple) else [(got, expected)]
                    differs |= any(not np.allclose(np.asarray(g), np.asarray(e), atol=check.atol)
                                   for g, e in pairs)
                assert differs or check.visibility == "visible", f"{check.id}: {what}"
