"""What an exercise's text promises is checked while the function runs (issue 20's holes).

- "computed without overflow for any x": the call runs under np.errstate(all="raise"), so a
  naive sigmoid (right values, with an overflow in exp on the way) fails, naming the overflow;
- "as new arrays" / "Do not change the lists you are given": the arguments are compared with
  copies after the call, so an in-place update fails, naming the argument.
Both hold in the grader's sandbox, in the kit's child process and in a notebook's nndl.check.
"""
import numpy as np
import pytest

from conftest import replace_functions
from nndl import checking
from nndl.grader.config import GraderConfig
from nndl.grader.grading import harness
from nndl.local import check_file
from nndl.grader.processes.runner import worker_failure

NAIVE_SIGMOID = '''
def sigmoid(x):
    return 1 / (1 + np.exp(-x))
'''
BOTH_BRANCHES_SIGMOID = '''
def sigmoid(x):
    x = np.asarray(x, dtype=float)
    return np.where(x >= 0, 1 / (1 + np.exp(-x)), np.exp(x) / (1 + np.exp(x)))
'''
IN_PLACE_DESCENT = '''
def batch_gradient_descent(X, y, W, b, eta, epochs):
    for _ in range(epochs):
        _, dW, db = quadratic_cost_grad(X, y, W, b)
        W -= eta * dW
        b -= eta * db
    return W, b
'''
LISTS_CHANGED = '''
def train(X, y, weights, biases, eta, orders, batch_size=10, cost="quadratic",
          activation="sigmoid"):
    X, y = np.asarray(X, dtype=np.float64), np.asarray(y, dtype=np.float64)
    for order in orders:
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            nabla_W, nabla_b = backprop(X[batch], y[batch], weights, biases, cost, activation)
            for l in range(len(weights)):
                weights[l] = weights[l] - eta * nabla_W[l]
                biases[l] = biases[l] - eta * nabla_b[l]
    return weights, biases
'''

HOLES = [  # chapter, snippet, the function, its checks' failure kind, what the message says
    ("ch02_activations", NAIVE_SIGMOID, "sigmoid", "numeric", "floating-point overflow in exp"),
    ("ch02_activations", BOTH_BRANCHES_SIGMOID, "sigmoid", "numeric", "floating-point overflow in exp"),
    ("ch04_gradient_descent", IN_PLACE_DESCENT, "batch_gradient_descent", "mutated",
     "changed its argument W in place"),
    ("ch11_vanishing_gradients", LISTS_CHANGED, "train", "mutated", "changed its argument weights in place"),
]


def chapter_file(tmp_path, answers_dir, chapter, snippet):
    path = tmp_path / f"{chapter}.py"
    path.write_text(replace_functions((answers_dir / path.name).read_text(encoding="utf-8"), snippet),
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("chapter, snippet, function, kind, says", HOLES)
def test_a_hole_loses_its_points_when_graded(chapter, snippet, function, kind, says, answers_dir, tmp_path):
    results = harness.grade(chapter_file(tmp_path, answers_dir, chapter, snippet), GraderConfig.from_env(),
                            [chapter]).results
    mine = [r for r in results if r.name.split("/")[1] in (function, f"{function}_hidden")]
    assert mine and all(r.status == "failed" and r.kind == kind and says in r.output for r in mine)
    others = [r for r in results if r not in mine and r.status != "passed"]
    # what calls the broken function may fail with it (sigmoid_prime calls sigmoid), nothing else
    assert all(r.kind == kind for r in others), [(r.name, r.output) for r in others]


@pytest.mark.parametrize("chapter, snippet, function, kind, says", HOLES)
def test_a_visible_check_catches_each_hole(chapter, snippet, function, kind, says, answers_dir, tmp_path):
    results = check_file(chapter, chapter_file(tmp_path, answers_dir, chapter, snippet))
    mine = next(r for r in results if r.name == f"{chapter}/{function}")
    assert mine.status == "failed" and mine.kind == kind and says in mine.output


def test_in_a_notebook_too():
    def naive(x):
        return 1 / (1 + np.exp(-x))

    def stable(x):
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))

    assert checking.check_function("ch02_activations/sigmoid", naive) == 0.0
    assert checking.check_function("ch02_activations/sigmoid", stable) == 1.0

    def in_place(X, y, W, b, eta, epochs):
        W -= eta
        return W, b
    assert checking.check_function("ch04_gradient_descent/batch_gradient_descent", in_place) == 0.0


def test_a_hidden_checks_floating_point_error_names_the_operation_and_the_line_only(answers_dir, tmp_path):
    results = harness.grade(chapter_file(tmp_path, answers_dir, "ch02_activations", NAIVE_SIGMOID),
                            GraderConfig.from_env(), ["ch02_activations"]).results
    hidden = next(r for r in results if r.name == "ch02_activations/sigmoid_hidden").output
    assert "overflow in exp" in hidden and 'ch02_activations.py", line' in hidden
    assert "1 / (1 + np.exp(-x))" not in hidden      # a hidden check shows no source line


@pytest.mark.parametrize("record", [
    {"kind": "numeric", "what": "overflow", "operation": "exp(secret=42)"},
    {"kind": "numeric", "what": "the input was 42", "operation": "exp"},
    {"kind": "mutated", "argument": "W was [1, 2, 3]"},
])
def test_a_forged_rule_reply_is_refused(record):
    assert worker_failure(record, "sigmoid") is None


# The lesson of each exercise is in its visible checks: these mistakes used to pass every visible
# check and lose their points only when graded.
LESSONS = [
    ("ch04_gradient_descent", "rmsprop_step", '''
def rmsprop_step(W, grad, s, eta=0.001, rho=0.9, epsilon=1e-7):
    s = rho * np.asarray(s) + (1 - rho) * np.square(grad)
    return W - eta * np.asarray(grad) / (np.sqrt(s) + epsilon), s
'''),
    ("ch05_backprop", "numerical_gradient", '''
def numerical_gradient(X, y, weights, biases, cost="quadratic", h=1e-5):
    weights = [np.array(W, dtype=np.float64) for W in weights]
    biases = [np.array(b, dtype=np.float64) for b in biases]
    base = cost_value(X, y, weights, biases, cost)
    grads = []
    for p in weights + biases:
        grad = np.empty_like(p)
        for i in np.ndindex(p.shape):
            saved = p[i]
            p[i] = saved + h
            grad[i] = (cost_value(X, y, weights, biases, cost) - base) / h
            p[i] = saved
        grads.append(grad)
    return grads[:len(weights)], grads[len(weights):]
'''),
    ("ch06_cross_entropy", "binary_crossentropy", '''
def binary_crossentropy(y, y_pred, from_logits=False):
    y, p = np.asarray(y, dtype=np.float64), np.asarray(y_pred, dtype=np.float64)
    if from_logits:
        p = 1 / (1 + np.exp(-p))
    return np.mean(-(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)), axis=-1)
'''),
    ("ch07_regularization", "dropout", '''
def dropout(X, mask, rate, training=True):
    X = np.asarray(X, dtype=float)
    return X * np.asarray(mask) / (1.0 - rate) if training and rate > 0 else X
'''),
]


@pytest.mark.parametrize("chapter, function, snippet", LESSONS)
def test_the_lesson_is_in_the_visible_checks(chapter, function, snippet, answers_dir, tmp_path):
    results = check_file(chapter, chapter_file(tmp_path, answers_dir, chapter, snippet))
    assert f"{chapter}/{function}" in {r.name for r in results if r.status != "passed"}


def test_odd_same_padding_on_the_wrong_side_fails_a_visible_check(answers_dir, tmp_path):
    text = (answers_dir / "ch12_cnn.py").read_text(encoding="utf-8")
    wrong = text.replace("[(p // 2, p - p // 2) for p in pads]", "[(p - p // 2, p // 2) for p in pads]", 1)
    assert wrong != text
    path = tmp_path / "ch12_cnn.py"
    path.write_text(wrong, encoding="utf-8")
    failed = {r.name for r in check_file("ch12_cnn", path) if r.status != "passed"}
    assert "ch12_cnn/conv2d" in failed


STUB_TRAIN = '''
def perceptron_train(X, y, eta=0.1, epochs=10):
    raise NotImplementedError()
'''


def test_a_check_that_fails_because_another_function_fails_says_so(answers_dir, tmp_path):
    """perceptron_converges is right but calls the learner's unfinished perceptron_train."""
    path = chapter_file(tmp_path, answers_dir, "ch01_perceptron", STUB_TRAIN)
    note = "Note: perceptron_converges() calls perceptron_train(), which fail their own checks"
    for results in (harness.grade(path, GraderConfig.from_env(), ["ch01_perceptron"]).results,
                    check_file("ch01_perceptron", path)):
        converges = [r for r in results if r.name.startswith("ch01_perceptron/perceptron_converges")]
        assert converges and all(note in r.output for r in converges)
        train = [r for r in results if r.name.startswith("ch01_perceptron/perceptron_train")]
        assert train and not any("Note:" in r.output for r in train)


WRONG_DB = '''
def quadratic_cost_grad(X, y, W, b):
    X = np.asarray(X, dtype=float)
    error = X @ W + b - y
    return 0.5 * np.sum(error ** 2) / len(X), X.T @ error / len(X), error.sum(axis=0)
'''


def test_a_tuple_output_is_named_as_in_the_docstring(answers_dir, tmp_path):
    """quadratic_cost_grad returns (C, dW, db): a wrong db is "db", not "output[2]"."""
    path = chapter_file(tmp_path, answers_dir, "ch04_gradient_descent", WRONG_DB)
    graded = harness.grade(path, GraderConfig.from_env(), ["ch04_gradient_descent"]).results
    for results in (graded, check_file("ch04_gradient_descent", path)):
        visible = next(r for r in results if r.name == "ch04_gradient_descent/quadratic_cost_grad")
        assert visible.status == "failed" and "db: " in visible.output and "output[2]" not in visible.output


HE_WITH_FAN_OUT = '''
def he_normal(shape, seed=None):
    _, fan_out = compute_fans(shape)
    return truncated_normal(shape, np.sqrt(2.0 / fan_out) / TRUNCATED_STD, seed)
'''


def test_an_initialiser_with_the_wrong_fan_is_told_its_std_and_the_fan(answers_dir, tmp_path):
    """He normal with fan_out: the scale is said first, with the fan it corresponds to, not the
    values outside the bound that follow from it; a hidden check says which fan without values."""
    path = chapter_file(tmp_path, answers_dir, "ch08_initialization", HE_WITH_FAN_OUT)
    results = {r.name.split("/")[1]: r for r in harness.grade(path, GraderConfig.from_env(),
                                                                ["ch08_initialization"]).results}
    visible, hidden = results["he_normal"].output, results["he_normal_hidden"].output
    assert "as if it used fan_out = 300 where fan_in = 400 belongs" in visible
    assert "outside the bound" not in visible
    assert "as if it used fan_out where fan_in belongs" in hidden
    assert not any(c.isdigit() for c in hidden.split("as if")[1].split("\n")[0])


DOT_TRANSPOSED = '''
def dense_forward(X, W, b, activation="sigmoid"):
    z = np.dot(X, W.T) + b
    return 1 / (1 + np.exp(-z)) if activation == "sigmoid" else z
'''


def test_a_shape_error_in_a_product_says_which_operand_looks_transposed(answers_dir, tmp_path):
    from nndl.checking import _product_hint

    assert "first operand looks transposed" in _product_hint(
        "ValueError", "shapes (4,3) and (4,5) not aligned: 3 (dim 1) != 4 (dim 0)")
    assert "second operand looks transposed" in _product_hint(
        "ValueError", "shapes (2,3) and (5,3) not aligned: 3 (dim 1) != 5 (dim 0)")
    assert "whether one of them should be transposed" in _product_hint(
        "ValueError", "matmul: Input operand 1 has a mismatch in its core dimension 0, with gufunc "
                      "signature (n?,k),(k,m?)->(n?,m?) (size 4 is different from 3)")
    assert _product_hint("ValueError", "operands could not be broadcast together") == ""
    path = chapter_file(tmp_path, answers_dir, "ch03_networks", DOT_TRANSPOSED)
    results = {r.name.split("/")[1]: r for r in check_file("ch03_networks", path)}
    assert "A matrix product of mismatched shapes" in results["dense_forward"].output


DROPOUT_ZERO_OVER_ZERO = '''
def dropout(X, mask, rate, training=True):
    X = np.asarray(X, dtype=float)
    return X * np.asarray(mask) / (1.0 - rate) if training and rate > 0 else X
'''


def test_nan_from_zero_over_zero_is_named_as_such(answers_dir, tmp_path):
    """Dropout at rate 1 as X * 0 / 0: NaN, and NumPy's own warning says where it came from."""
    path = chapter_file(tmp_path, answers_dir, "ch07_regularization", DROPOUT_ZERO_OVER_ZERO)
    said = "not an overflow: while it ran NumPy warned of invalid value in divide (0/0"
    graded = harness.grade(path, GraderConfig.from_env(), ["ch07_regularization"]).results
    for results in (graded, check_file("ch07_regularization", path)):
        dropout = [r for r in results if r.name.startswith("ch07_regularization/dropout")]
        assert dropout and all(r.status == "failed" and said in r.output for r in dropout)
    assert all("NumPy warned" not in r.output for r in graded if "dropout" not in r.name)
