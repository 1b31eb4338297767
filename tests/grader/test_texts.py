"""Exercise texts that say exactly what the reference does, and the hidden cases that decide them.

Each snippet is what the old text allowed (or literally said); graded, it loses
exactly the points of the check that now decides, and the model answers keep theirs.
"""
import pytest

from conftest import replace_functions
from nndl.grader.config import GraderConfig
from nndl.grader.grading import harness

NAIVE_CROSS_ENTROPY = '''
def cost_value(X, y, weights, biases, cost="quadratic"):
    a = np.asarray(X, dtype=np.float64)
    for W, b in zip(weights, biases):
        a = sigmoid(a @ W + b)
    y = np.asarray(y, dtype=np.float64)
    if cost == "quadratic":
        total = 0.5 * np.sum((a - y) ** 2)
    else:
        total = -np.sum(y * np.log(a) + (1.0 - y) * np.log(1.0 - a))
    return float(total / len(a))
'''

DROPOUT_MASK_AT_RATE_0 = '''
def dropout(X, mask, rate, training=True):
    X = np.asarray(X, dtype=float)
    if not training:
        return X
    if rate == 1:
        return np.zeros_like(X)
    return X * np.asarray(mask) / (1.0 - rate)
'''

EARLY_STOPPING_AS_OLD_TEXT_READ = '''
def early_stopping(val_losses, patience=0, min_delta=0.0, restore_best_weights=False):
    best = np.inf
    for epoch, loss in enumerate(val_losses):
        if loss + min_delta < best:
            best, best_epoch = loss, epoch
        if epoch - best_epoch >= patience:
            break
    return epoch, (best_epoch if restore_best_weights else epoch)
'''


@pytest.mark.parametrize("chapter, snippet, lost", [
    ("ch05_backprop", NAIVE_CROSS_ENTROPY, {"cost_value", "cost_value_hidden"}),  # a visible case now too
    ("ch07_regularization", DROPOUT_MASK_AT_RATE_0, {"dropout_hidden"}),
    ("ch07_regularization", EARLY_STOPPING_AS_OLD_TEXT_READ, {"early_stopping", "early_stopping_hidden"}),
])
def test_what_the_old_text_allowed_now_loses_its_check(chapter, snippet, lost, answers_dir, tmp_path):
    path = tmp_path / f"{chapter}.py"
    path.write_text(replace_functions((answers_dir / path.name).read_text(encoding="utf-8"), snippet),
                    encoding="utf-8")
    results = harness.grade(path, GraderConfig.from_env(), [chapter]).results
    assert {r.name.split("/")[1] for r in results if r.status != "passed"} == lost


NAIVE_SOFTMAX = '''
def softmax(x, axis=-1):
    e = np.exp(x)
    return e / e.sum(axis=axis, keepdims=True)
'''

NAIVE_TANH = '''
def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
'''


@pytest.mark.parametrize("snippet, function, also", [(NAIVE_SOFTMAX, "softmax", []),
                                                     (NAIVE_TANH, "tanh", ["tanh_prime"])])  # it calls tanh
def test_the_promised_large_inputs_are_in_the_visible_checks(snippet, function, also, ch02_answers, tmp_path):
    """"Your functions are checked at |z| = 1000": a visible check says so before grading does."""
    from nndl.local import check_file

    path = tmp_path / "ch02_activations.py"
    path.write_text(replace_functions(ch02_answers, snippet), encoding="utf-8")
    failed = [r for r in check_file("ch02_activations", path) if r.status != "passed"]
    assert [r.name for r in failed] == [f"ch02_activations/{f}" for f in [function, *also]]
    assert "where exp overflows" in failed[0].output and "NaN" in failed[0].output
