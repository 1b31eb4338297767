"""The catalogue of known mistakes: each is named when a submission makes it, and only then.

A mistake is a Check's ``mistakes`` entry: a function that makes a named error
(a flipped kernel, gates in the wrong order, epsilon outside the root), or a
signature of diagnoses.py recognised beside the case's inputs (right except
where |x| is large: an overflow; off by the batch size: a sum where a mean
belongs). Each entry here is a submission with that mistake, graded in the
sandbox.
"""
import numpy as np
import pytest

from nndl import i18n
from nndl.grader.content import chapters
from nndl.grader.grading import harness
from nndl.grader.config import GraderConfig
from nndl.grader.processes.runner import SubmissionProcess

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
     {"rmsprop_step", "rmsprop_step_hidden"}),   # the visible check has a large epsilon too
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


# The catalogue of signatures (diagnoses.py): each entry made by a real submission.
NAIVE_SOFTMAX = '''
def softmax(x, axis=-1):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
'''
NAIVE_SIGMOID = '''
def sigmoid(x):
    e = np.exp(x)
    return e / (1.0 + e)
'''
CLIPPED_LOGITS = '''
def binary_crossentropy(y, y_pred, from_logits=False):
    if from_logits:   # the probabilities' path, clipping included: finite, but wrong for large |z|
        return _right(y, np.clip(1.0 / (1.0 + np.exp(-np.asarray(y_pred, dtype=float))), 1e-7, 1 - 1e-7))
    return _right(y, y_pred)
'''
SUMMED_COST = '''
def quadratic_cost_grad(X, y, W, b):
    C, dW, db = _right(X, y, W, b)
    return C * len(X), dW * len(X), db * len(X)
'''
SUMMED_GRADIENT = '''
def backprop(X, y, weights, biases, cost="quadratic"):
    nabla_W, nabla_b = _right(X, y, weights, biases, cost)
    return [g * len(X) for g in nabla_W], [g * len(X) for g in nabla_b]
'''
AVERAGED_ERROR = '''
def output_error(z, y, cost="quadratic"):
    return _right(z, y, cost) / len(z)
'''
FLIPPED_EXP_SIGMOID = '''
def sigmoid(x):
    return 1.0 / (1.0 + np.exp(np.asarray(x, dtype=float)))    # exp(z) where exp(-z) belongs
'''
NEGATED_TANH = '''
def tanh(x):
    return -_right(x)
'''
TRANSPOSED_GRADIENT = '''
def backprop(X, y, weights, biases, cost="quadratic"):
    nabla_W, nabla_b = _right(X, y, weights, biases, cost)
    return [g.T for g in nabla_W], nabla_b    # delta @ a.T where a.T @ delta belongs
'''
ONE_MINUS = "your output is 1 - the right one (a sign flipped inside exp?)"
NEGATIVE = "your output is the negative of the right one (a flipped sign?)"
TRANSPOSE = "your result is the transpose of the right one"
OVERFLOW = "it is wrong only where |x| is large"
SUM = "off by a factor of the batch size"
MEAN = "off by a factor of 1 / the batch size"
SHORT = {OVERFLOW: "overflow", SUM: "sum", MEAN: "mean", ONE_MINUS: "one-minus", NEGATIVE: "negative",
         TRANSPOSE: "transpose"}
SIGNATURES = [
    # chapter, function, submission, a fragment of the diagnosis, checks that must say it
    ("ch02_activations", "softmax", NAIVE_SOFTMAX, OVERFLOW, {"softmax", "softmax_hidden"}),
    ("ch02_activations", "sigmoid", NAIVE_SIGMOID, OVERFLOW, {"sigmoid", "sigmoid_hidden"}),
    ("ch06_cross_entropy", "binary_crossentropy", CLIPPED_LOGITS, OVERFLOW,
     {"binary_crossentropy_logits_hidden"}),
    ("ch04_gradient_descent", "quadratic_cost_grad", SUMMED_COST, SUM,
     {"quadratic_cost_grad", "quadratic_cost_grad_hidden"}),
    ("ch05_backprop", "backprop", SUMMED_GRADIENT, SUM, {"backprop", "backprop_hidden"}),
    ("ch05_backprop", "output_error", AVERAGED_ERROR, MEAN, {"output_error", "output_error_hidden"}),
    ("ch02_activations", "sigmoid", FLIPPED_EXP_SIGMOID, ONE_MINUS, {"sigmoid", "sigmoid_hidden"}),
    ("ch02_activations", "tanh", NEGATED_TANH, NEGATIVE, {"tanh", "tanh_hidden"}),
    ("ch05_backprop", "backprop", TRANSPOSED_GRADIENT, TRANSPOSE, {"backprop", "backprop_hidden"}),
]


@pytest.mark.parametrize("chapter, function, snippet, diagnosis, where", SIGNATURES,
                         ids=[f"{e[1]}-{SHORT[e[3]]}" for e in SIGNATURES])
def test_each_signature_is_named(tmp_path, answers_dir, chapter, function, snippet, diagnosis, where):
    """Does a submission with the mistake fail with its diagnosis (and only those checks), and the
    answer pass without one?"""
    results = graded(tmp_path, answers_dir, chapter, function, snippet)
    assert {c for c, r in results.items() if r.status == "failed"} == where
    for check_id, result in results.items():
        assert (diagnosis in result.output) == (check_id in where), result.output
    right = graded(tmp_path, answers_dir, chapter, function, None)
    assert all(r.status == "passed" and diagnosis not in r.output for r in right.values())


def test_finite_wrong_values_at_large_inputs_are_an_overflow(tmp_path, answers_dir):
    """Is a loss that stays finite but is wrong for |z| = 1000 also called an overflow?"""
    results = graded(tmp_path, answers_dir, "ch06_cross_entropy", "binary_crossentropy", CLIPPED_LOGITS)
    output = results["binary_crossentropy_logits_hidden"].output
    assert "values differ" in output and "NaN" not in output and "inf" not in output
    assert OVERFLOW in output and "numerically stable form" in output


def test_a_hidden_check_names_the_batch_size_without_its_value(tmp_path, answers_dir):
    """Does a hidden check say 'a sum where a mean belongs' without the number of samples,
    where the visible check says it?"""
    results = graded(tmp_path, answers_dir, "ch04_gradient_descent", "quadratic_cost_grad", SUMMED_COST)
    visible = results["quadratic_cost_grad"].output
    hidden = results["quadratic_cost_grad_hidden"].output
    assert f"{SUM} (5 samples): a sum where a mean belongs" in visible
    diagnosis = hidden[hidden.index(SUM):].splitlines()[0]
    assert diagnosis.startswith(f"{SUM}: a sum where a mean belongs")
    assert not any(c.isdigit() for c in diagnosis), diagnosis


DIVIDED_BY_OUTPUTS = '''
def quadratic_cost_grad(X, y, W, b):
    C, dW, db = _right(X, y, W, b)
    scale = len(X) / np.shape(y)[1]    # divided by n_out instead of n
    return C * scale, dW * scale, db * scale
'''
EVERYWHERE_WRONG_SIGMOID = '''
def sigmoid(x):
    return 0.5 * (np.tanh(x) + 1.0)    # sigmoid(2x): wrong for moderate x too
'''


@pytest.mark.parametrize("function, chapter, snippet, diagnosis, where", [
    # with one output unit, n_out is 1 and dividing by it is a sum: only the visible case counts
    ("quadratic_cost_grad", "ch04_gradient_descent", DIVIDED_BY_OUTPUTS, "batch size",
     {"quadratic_cost_grad"}),
    ("sigmoid", "ch02_activations", EVERYWHERE_WRONG_SIGMOID, OVERFLOW, {"sigmoid", "sigmoid_hidden"})])
def test_a_lookalike_is_not_given_the_signature(tmp_path, answers_dir, function, chapter, snippet,
                                                diagnosis, where):
    """Is a factor other than the batch size, or an error at moderate inputs, wrong but not
    diagnosed as a batch factor or an overflow?"""
    results = graded(tmp_path, answers_dir, chapter, function, snippet)
    assert all(results[c].status == "failed" and diagnosis not in results[c].output for c in where)


def test_a_diagnosis_speaks_the_learners_language(tmp_path, answers_dir, monkeypatch):
    """With --lang zh, is the batch-size diagnosis said in Chinese?"""
    monkeypatch.setattr(i18n, "_language", "zh")
    results = graded(tmp_path, answers_dir, "ch04_gradient_descent", "quadratic_cost_grad", SUMMED_COST)
    assert "该取平均的地方用了求和" in results["quadratic_cost_grad_hidden"].output
    assert SUM not in results["quadratic_cost_grad_hidden"].output


def test_one_diagnosis_for_a_gradient_summed_over_the_batch():
    """A gradient summed over 4 samples is 4 times the right one: is it told once, as the batch
    size (the first signature that matches), and not also as a constant factor of 4?"""
    from nndl import diagnoses
    from nndl.records import Case

    X = np.arange(12.0).reshape(4, 3)
    right = np.array([[0.5, -1.0, 2.0]])
    message = diagnoses.diagnose(4 * right, right, Case("4 samples", (X,)), 1e-6, 1e-6, hidden=False)
    assert message == diagnoses.batch_factor(4 * right, right, Case("", (X,)), 1e-6, 1e-6, False) != ""
    assert "constant factor" not in message
    assert "constant factor of 3" in diagnoses.diagnose(3 * right, right, Case("", (X,)), 1e-6, 1e-6, False)


def test_an_overflow_is_named_only_on_its_signature():
    """Wrong only at large inputs is an overflow when the wrong values are NaN, inf or saturated,
    not when they are finite (a step decay without its floor, at epoch numbers of 15 and more)."""
    from nndl import diagnoses
    from nndl.records import Case

    epochs = np.array([0.0, 5.0, 10.0, 20.0, 35.0])
    expected = 0.1 * 0.5 ** np.floor(epochs / 10)
    no_floor = expected.copy()
    no_floor[3:] = 0.1 * 0.5 ** (epochs[3:] / 10)            # wrong where the epoch is large
    case = Case("epochs", (epochs, 0.1))
    assert diagnoses.overflow(no_floor, expected, case, 1e-9, 1e-9, False) == ""
    x = np.array([-1000.0, -3.0, 0.0, 3.0, 1000.0])
    right = 1 / (1 + np.exp(-np.clip(x, -50, 50)))
    nan_at_large = right.copy()
    nan_at_large[0] = np.nan
    assert "overflow" in diagnoses.overflow(nan_at_large, right, Case("x", (x,)), 1e-9, 1e-9, False)


# ------------------------------------------------ one cause, read where the output is wrong
def _case(*args):
    from nndl.records import Case
    return Case("a case", args)


def test_a_wrong_value_at_a_small_input_beside_right_ones_at_large_inputs_is_no_overflow():
    """relu'(0) = 1 in a vector that also holds +-1000: the row's largest entries are right, so the
    row is not spoiled, and nothing is said of an overflow."""
    from nndl import diagnoses

    x = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    expected = (x > 0).astype(float)
    got = (x >= 0).astype(float)
    assert diagnoses.diagnose(got, expected, _case(x), 1e-6, 1e-6, False, exponent=True) == ""
    # while a row whose largest entry overflowed, spoiling the rest (a naive log-softmax), is one
    x = np.array([[800.0, 1.0, 2.0], [0.1, 0.2, 0.3]])
    right = x - x.max(axis=1, keepdims=True) - np.log(np.exp(x - x.max(axis=1, keepdims=True)).sum(1, keepdims=True))
    spoiled = right.copy()
    spoiled[0] = [np.nan, -np.inf, -np.inf]
    assert "an overflow" in diagnoses.diagnose(spoiled, right, _case(x), 1e-6, 1e-6, False)


def test_numpy_warnings_are_the_one_cause_told():
    """0/0 in dropout at rate 1: NaN everywhere, NumPy warned of an invalid value; the message says
    that and guesses nothing else (no overflow, no factor)."""
    from nndl import diagnoses
    from nndl.compare import compare

    expected, got = np.zeros((2, 3)), np.full((2, 3), np.nan)
    said = compare(got, expected, 1e-6, 1e-6, False) + diagnoses.diagnose(
        got, expected, _case(np.ones((2, 3))), 1e-6, 1e-6, False, exponent=True,
        warned=("invalid value in divide",))
    assert said.count(";") == 1 and "not an overflow" in said and "invalid value in divide" in said
    assert "overflow?" not in said and "stable" not in said


def test_a_tuple_is_diagnosed_on_its_first_wrong_part_and_names_the_right_ones():
    """(C, dW, db) with dW and db summed where a mean belongs: C is right, so the whole tuple is no
    multiple of the answer; dW, the part the message names, is n times its answer: said once."""
    from nndl import diagnoses
    from nndl.compare import compare

    X = np.arange(12.0).reshape(4, 3)
    expected = (1.5, np.arange(6.0).reshape(3, 2) + 1, np.array([0.5, -0.25]))
    got = (1.5, expected[1] * 4, expected[2] * 4)
    said = compare(got, expected, 1e-9, 1e-9, False, names=["C", "dW", "db"]) + \
        diagnoses.diagnose(got, expected, _case(X), 1e-9, 1e-9, False)
    assert said.startswith("dW: 6 of 6 values differ")
    assert "; C right; dW, db wrong" in said
    assert said.count("a sum where a mean belongs") == 1 and "constant factor" not in said


def test_a_layer_list_says_which_layers_are_right():
    from nndl.compare import compare

    right = [np.ones((3, 4)), np.ones((4, 4)), np.ones((4, 2))]
    below = [right[0] * 2, right[1] * 2, right[2]]
    said = compare([below, right], [right, right], 1e-9, 1e-9, True, names=["nabla_W", "nabla_b"])
    assert "nabla_W[2] right; nabla_W[0], nabla_W[1] wrong" in said and "carried down one layer" in said
    assert "nabla_b right; nabla_W wrong" in said
    top = [right[0], right[1], right[2] * 2]   # the output layer wrong: no word of carrying down
    said = compare(top, right, 1e-9, 1e-9, True, where="nabla_W")
    assert "nabla_W[0], nabla_W[1] right; nabla_W[2] wrong" in said and "carried down" not in said


@pytest.mark.parametrize("got, says", [(7.9712, "off by a constant factor of 2"), (0.5 * 3.9856, "factor of 0.5"),
                                       (5.4, "")])
def test_one_number_is_told_a_factor_only_when_it_is_a_whole_one(got, says):
    from nndl import diagnoses

    said = diagnoses.diagnose(np.float64(got), np.float64(3.9856), _case(np.ones((5, 3))), 1e-6, 1e-6, False)
    assert (says in said) if says else said == ""
