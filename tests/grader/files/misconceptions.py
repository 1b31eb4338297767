"""A catalogue of mistakes learners really make, one per entry, over all fifteen chapters.

Each entry is a small edit of one graded function of the model answers, written
as a learner who read the exercise's text would get it wrong: a formula half
remembered, a convention from another framework, the numerically naive form
the chapter warns about, an off-by-one at a boundary. ``apply`` makes the
chapter file; tests/grader/test_misconceptions.py grades each one in the
sandbox and runs its visible checks, and benchmarks/misconceptions.py prints
what the learner is told.

Fields: the chapter, the function edited, what the mistake is, the edit (old
text -> new text inside that function, each once, or a whole new definition),
and what the visible message must say (None where the mistake is meant to be
caught by hidden checks only, which the catalogue counts apart).
"""
import re
from pathlib import Path
from typing import NamedTuple


class Mistake(NamedTuple):
    chapter: str
    function: str
    what: str
    edit: object          # [(old, new), ...] inside the function, or a whole "def ..." text
    says: object          # a substring of the visible check's message; None: caught when graded only


M = Mistake
CATALOGUE = [
    # ------------------------------------------------------------- ch01 perceptron
    M("ch01_perceptron", "perceptron_train", "the bias is never updated",
      [("            b = b + eta * error\n", "")], "w: 1 of 2 values differ"),
    M("ch01_perceptron", "perceptron_train", "the update's sign is flipped (output - target)",
      [("error = y_i - step(w @ x_i + b)", "error = step(w @ x_i + b) - y_i")], "w: 2 of 2 values differ"),
    M("ch01_perceptron", "step", "step(0) = 1 (>= in place of >)",
      [("np.asarray(z) > 0", "np.asarray(z) >= 0")], "got 1, expected 0"),
    M("ch01_perceptron", "perceptron_predict", "the raw score X w + b, without the step",
      [("return step(np.asarray(X) @ np.asarray(w) + b)", "return np.asarray(X) @ np.asarray(w) + b")],
      "values differ"),
    # ------------------------------------------------------------- ch02 activations
    M("ch02_activations", "sigmoid", "the naive 1 / (1 + exp(-x))",
      "def sigmoid(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=np.float64)))\n",
      "overflow in exp"),
    M("ch02_activations", "softmax", "softmax without subtracting the maximum",
      [("e = np.exp(x - np.max(x, axis=axis, keepdims=True))", "e = np.exp(x)")], "overflow in exp"),
    M("ch02_activations", "softmax", "the sum over the whole array, not along the axis",
      [("np.sum(e, axis=axis, keepdims=True)", "np.sum(e)")], "values differ"),
    M("ch02_activations", "relu_prime", "the derivative of ReLU is 1 at x = 0",
      [("np.asarray(x) > 0", "np.asarray(x) >= 0")], "got 1, expected 0"),
    M("ch02_activations", "tanh_prime", "1 - tanh(x), the square forgotten",
      [("1.0 - tanh(x) ** 2", "1.0 - tanh(x)")], "values differ"),
    M("ch02_activations", "softmax_jacobian", "s * s in place of the outer product",
      [("np.outer(s, s)", "s * s")], "values differ"),
    # ------------------------------------------------------------- ch03 networks
    M("ch03_networks", "dense_forward", "W used transposed (X W^T, Nielsen's w x layout)",
      [("@ np.asarray(W)", "@ np.asarray(W).T")], "transpose"),
    M("ch03_networks", "param_count", "the biases are not counted",
      [("n_in * n_out + n_out", "n_in * n_out")], "got 23820, expected 23860"),
    M("ch03_networks", "dense_forward", "softmax normalised over the batch axis",
      [("e = np.exp(z - z.max(axis=-1, keepdims=True))\n        return e / e.sum(axis=-1, keepdims=True)",
        "e = np.exp(z - z.max(axis=0, keepdims=True))\n        return e / e.sum(axis=0, keepdims=True)")],
      "values differ"),
    # ------------------------------------------------------------- ch04 gradient descent
    M("ch04_gradient_descent", "quadratic_cost_grad", "dW summed over the batch, not averaged",
      [("X.T @ error / n", "X.T @ error")], "a sum where a mean belongs"),
    M("ch04_gradient_descent", "quadratic_cost_grad", "the cost without its 1/2",
      [("0.5 * np.sum(error ** 2) / n", "np.sum(error ** 2) / n")], "constant factor of 2"),
    M("ch04_gradient_descent", "batch_gradient_descent", "W and b updated in place",
      [("W, b = W - eta * dW, b - eta * db", "W -= eta * dW\n        b -= eta * db")], "in place"),
    M("ch04_gradient_descent", "rmsprop_step", "epsilon outside the square root",
      [("np.sqrt(s + epsilon)", "(np.sqrt(s) + epsilon)")], "values differ"),
    M("ch04_gradient_descent", "adam_step", "no bias correction",
      [("alpha = eta * np.sqrt(1 - beta_2 ** t) / (1 - beta_1 ** t)", "alpha = eta")], "values differ"),
    M("ch04_gradient_descent", "sgd_momentum_step", "Nesterov's look-ahead left out",
      [("if nesterov:", "if False:")], "values differ"),
    M("ch04_gradient_descent", "minibatch_sgd", "the last, shorter mini-batch dropped",
      [("range(0, len(row), batch_size)", "range(0, len(row) - batch_size + 1, batch_size)")],
      "values differ"),
    # ------------------------------------------------------------- ch05 backprop
    M("ch05_backprop", "backprop", "BP2 with sigma'(a) in place of sigma'(z)",
      [("sigmoid_prime(zs[-l])", "sigmoid_prime(activations[-l])")], "nabla_W[1] right; nabla_W[0] wrong"),
    M("ch05_backprop", "backprop", "the gradient summed over the batch",
      [("np.asarray(y, dtype=np.float64), cost) / len(zs[-1])", "np.asarray(y, dtype=np.float64), cost)")],
      "a sum where a mean belongs"),
    M("ch05_backprop", "output_error", "cross-entropy's error keeps the sigma' factor",
      [("return a - y  # no division", "return (a - y) * sigmoid_prime(z)  # no division")], "values differ"),
    M("ch05_backprop", "numerical_gradient", "a one-sided difference (C(p + h) - C(p)) / h",
      [("p[i] = saved - h\n            minus = cost_value(X, y, weights, biases, cost)",
        "p[i] = saved\n            minus = cost_value(X, y, weights, biases, cost)"),
       ("(plus - minus) / (2 * h)", "(plus - minus) / h")], "values differ"),
    M("ch05_backprop", "cost_value", "cross-entropy from a: log(0) once the sigmoid saturates",
      [("total = np.sum(np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z))) - y * z)",
        "total = -np.sum(y * np.log(a) + (1 - y) * np.log(1 - a))")], "divide by zero in log"),
    # ------------------------------------------------------------- ch06 cross-entropy
    M("ch06_cross_entropy", "log_softmax", "log(softmax(x)) computed naively",
      [("shifted = x - np.max(x, axis=axis, keepdims=True)", "shifted = x")], "overflow in exp"),
    M("ch06_cross_entropy", "binary_crossentropy", "probabilities not clipped",
      [("p = np.clip(y_pred, EPSILON, 1.0 - EPSILON)", "p = y_pred")], "divide by zero in log"),
    M("ch06_cross_entropy", "categorical_crossentropy", "a mean over the classes, not a sum",
      [("return -np.sum(y * np.log(p), axis=-1)", "return -np.mean(y * np.log(p), axis=-1)")],
      "constant factor"),
    M("ch06_cross_entropy", "learning_slowdown", "cross-entropy's delta keeps sigma'(z)",
      [("delta = a - y  # sigma'(z)", "delta = (a - y) * a * (1.0 - a)  # sigma'(z)")], "values differ"),
    # ------------------------------------------------------------- ch07 regularization
    M("ch07_regularization", "l2_penalty", "lmbda / n, the 2 forgotten",
      [("return lmbda / (2 * n) *", "return lmbda / n *")], "constant factor of 2"),
    M("ch07_regularization", "weight_decay_step", "the biases decayed too",
      [("b_new = np.asarray(b, dtype=float) - eta * np.asarray(grad_b)",
        "b_new = decay * np.asarray(b, dtype=float) - eta * np.asarray(grad_b)")], "b_new"),
    M("ch07_regularization", "dropout", "no rescaling by 1 / (1 - rate)",
      [("return X * np.asarray(mask) / (1.0 - rate)", "return X * np.asarray(mask)")], "values differ"),
    M("ch07_regularization", "dropout", "rate 1 divides 0 by 0",
      [("    if rate == 1:\n        return np.zeros_like(X)\n", "")], "invalid value"),
    M("ch07_regularization", "early_stopping", "patience off by one (> in place of >=)",
      [("elif epoch - best_epoch >= patience:", "elif epoch - best_epoch > patience:")], "stopped_epoch:"),
    M("ch07_regularization", "shift_images", "np.roll: the pixels wrap around",
      "def shift_images(X, dy, dx):\n    return np.roll(np.asarray(X, dtype=float), (dy, dx), axis=(1, 2))\n",
      "values differ"),
    # ------------------------------------------------------------- ch08 initialization
    M("ch08_initialization", "he_normal", "He normal scaled by fan_out",
      [("fan_in, _ = compute_fans(shape)\n    return truncated_normal(shape, np.sqrt(2.0 / fan_in)",
        "_, fan_out = compute_fans(shape)\n    return truncated_normal(shape, np.sqrt(2.0 / fan_out)")], "fan_out"),
    M("ch08_initialization", "glorot_uniform", "the limit from fan_in alone",
      [("limit = np.sqrt(6.0 / (fan_in + fan_out))", "limit = np.sqrt(6.0 / fan_in)")], "where fan_in + fan_out = 700 belongs"),
    M("ch08_initialization", "scaled_normal", "1/n_in used as the std, not the variance",
      [("1.0 / np.sqrt(fan_in)", "1.0 / fan_in")], "standard deviation is 0.002499"),
    M("ch08_initialization", "compute_fans", "the receptive field left out of a conv kernel",
      [("receptive_field = int(np.prod(shape[:-2]))", "receptive_field = 1")], "fan_in: 1 of 1 values differ"),
    # ------------------------------------------------------------- ch09 hyperparameters
    M("ch09_hyperparameters", "step_decay", "no floor: a smooth decay, not steps",
      [("np.floor_divide(epoch, epochs_drop)", "(np.asarray(epoch) / epochs_drop)")], "values differ"),
    M("ch09_hyperparameters", "piecewise_constant", "the boundary step given the next value",
      [('side="left"', 'side="right"')], "values differ"),
    M("ch09_hyperparameters", "exponential_decay", "staircase ignored",
      [("    if staircase:\n        p = np.floor(p)\n    return eta * decay_rate", "    return eta * decay_rate")],
      "values differ"),
    M("ch09_hyperparameters", "random_search", "eta and lmbda drawn uniformly, not log-uniformly",
      [("eta, lmbda = 10 ** rng.uniform(low, high)",
        "eta, lmbda = rng.uniform([eta_range[0], lmbda_range[0]], [eta_range[1], lmbda_range[1]])")],
      "not the settings expected"),
    # ------------------------------------------------------------- ch10 universality
    M("ch10_universality", "step_neuron_params", "the bias -s, without the weight",
      [("-w * s", "-s")], "b: 3 of 3 values differ"),
    M("ch10_universality", "bump", "the output weights' signs swapped",
      [("np.array([[h], [-h]])", "np.array([[-h], [h]])")], "negative of the right one"),
    M("ch10_universality", "build_bump_network", "each bump's height from its left edge, not its middle",
      [("heights = np.interp(midpoints,", "heights = np.interp(edges[:-1],")], "values differ"),
    # ------------------------------------------------------------- ch11 vanishing gradients
    M("ch11_vanishing_gradients", "train", "the lists it is given changed in place",
      [("weights = [W - eta * g for W, g in zip(weights, nabla_W)]\n            biases = [b - eta * g for b, g in zip(biases, nabla_b)]",
        "for l in range(len(weights)):\n                weights[l] = weights[l] - eta * nabla_W[l]\n                biases[l] = biases[l] - eta * nabla_b[l]"),
       ("    weights = [np.array(W, dtype=np.float64) for W in weights]\n    biases = [np.array(b, dtype=np.float64) for b in biases]\n", "")],
      "in place"),
    M("ch11_vanishing_gradients", "backprop", "the hidden activation's derivative used at the sigmoid output",
      [("delta = (a - y) * sigmoid_prime(zs[-1])", "delta = (a - y) * f_prime(zs[-1])")], "values differ"),
    M("ch11_vanishing_gradients", "gradient_norms", "the sum of absolute values, not the Euclidean length",
      [("np.array([np.linalg.norm(g) for g in nabla_W])", "np.array([np.abs(g).sum() for g in nabla_W])")],
      "values differ"),
    M("ch11_vanishing_gradients", "exploding_biases", "the bias +a W, so z = 2 a W",
      [("biases.append(-(a @ W))", "biases.append(a @ W)")], "negative of the right one"),
    # ------------------------------------------------------------- ch12 cnn
    M("ch12_cnn", "conv2d", "a true convolution: the kernel flipped",
      [("@ kernel[i, j]", "@ kernel[kh - 1 - i, kw - 1 - j]")], "flipped"),
    M("ch12_cnn", "conv2d", "odd 'same' padding on the top and left",
      [("[(p // 2, p - p // 2) for p in pads] + [(0, 0)])\n    out_h",
        "[(p - p // 2, p // 2) for p in pads] + [(0, 0)])\n    out_h")], "values differ"),
    M("ch12_cnn", "max_pool2d", "the stride defaults to 1, not to the pool size",
      [("pool_size if strides is None else strides", "(1, 1) if strides is None else strides")], "shape (2, 3, 3, 3), expected (2, 2, 2, 3)"),
    M("ch12_cnn", "fully_connected", "flattened channels first (PyTorch's order)",
      [("np.reshape(np.asarray(X, dtype=np.float64), (len(X), -1))",
        "np.reshape(np.transpose(np.asarray(X, dtype=np.float64), (0, 3, 1, 2)), (len(X), -1))")],
      "values differ"),
    # ------------------------------------------------------------- ch13 rnn
    M("ch13_rnn", "rnn_cell", "W and U swapped",
      [("np.tanh(x_t @ W + h_prev @ U + b)", "np.tanh(x_t @ U + h_prev @ W + b)")], "order of the operands"),
    M("ch13_rnn", "simple_rnn", "the states stacked time first",
      [("np.stack(states, axis=1)", "np.stack(states, axis=0)")], "shape (5, 3, 4), expected (3, 5, 4)"),
    M("ch13_rnn", "bptt", "no gradient through time: each step's own error only",
      [("through_next = delta @ U.T", "through_next = 0 * delta @ U.T")], "values differ"),
    M("ch13_rnn", "gradient_norms_over_time", "the latest step first",
      [("grads.insert(0, delta @ W.T)", "grads.append(delta @ W.T)")], "values differ"),
    # ------------------------------------------------------------- ch14 lstm
    M("ch14_lstm", "lstm_cell", "the gates in the order i, f, o, c",
      [("z_i, z_f, z_c, z_o = np.hsplit(z, 4)", "z_i, z_f, z_o, z_c = np.hsplit(z, 4)")], "gate"),
    M("ch14_lstm", "lstm_initial_bias", "the forget bias on the first row",
      [("bias[1] = 1.0", "bias[0] = 1.0")], "values differ"),
    M("ch14_lstm", "gru_cell", "z and 1 - z swapped (the other papers' convention)",
      [("return z * h_prev + (1 - z) * h_tilde", "return (1 - z) * h_prev + z * h_tilde")], "values differ"),
    M("ch14_lstm", "recurrent_param_count", "a GRU without the recurrent term's own bias",
      [("3 * (block + units)", "3 * block")], "got 912, expected 960"),
    # ------------------------------------------------------------- ch15 recursive
    M("ch15_recursive", "tree_forward", "the children concatenated right then left",
      [("np.concatenate([H[left], H[right]])", "np.concatenate([H[right], H[left]])")], "values differ"),
    M("ch15_recursive", "tree_backward", "dE[tokens] += ...: a repeated word counted once",
      [("np.add.at(dE, np.asarray(tokens, dtype=np.int64), grad[:n])",
        "dE[np.asarray(tokens, dtype=np.int64)] += grad[:n]")], "dE"),
    M("ch15_recursive", "tree_gradients", "the loss log p, its sign lost",
      [("return -log_p[label],", "return log_p[label],")], "negative of the right one"),
]


def function_span(text, name):
    """(start, end) character offsets of the top-level `def name(` in text."""
    found = re.search(rf"^def {name}\(.*?(?=^\S|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    assert found, f"def {name} is not in the model answers"
    return found.start(), found.end()


def apply(answers, mistake):
    """The chapter's model answers (text) with the mistake made."""
    start, end = function_span(answers, mistake.function)
    body = answers[start:end]
    if isinstance(mistake.edit, str):
        new = mistake.edit.rstrip("\n") + "\n\n\n"
    else:
        new = body
        for old, replacement in mistake.edit:
            assert new.count(old) == 1, f"{mistake.what}: {old!r} is not once in {mistake.function}"
            new = new.replace(old, replacement)
    return answers[:start] + new + answers[end:]


# ------------------------------------------------------------------ grading a mistake
# What an overflow diagnosis says (nndl.diagnoses, nndl.checking's advice for an overflow).
OVERFLOW_WORDS = ("an overflow (", "numerically stable form", "floating-point overflow", "NumPy warned of overflow")


def affected(chapter, function):
    """The function and every graded function of the chapter that calls it, directly or not."""
    from nndl.grader.content import chapters

    calls, found = chapters.callees(chapter), {function}
    while True:
        more = {f for f, callees in calls.items() if found & set(callees)} - found
        if not more:
            return found
        found |= more


def outcome(mistake, answers, folder, config):
    """(points lost, the visible results of the affected functions, the graded results)."""
    from nndl.grader.grading import harness
    from nndl.local import check_file

    path = Path(folder) / f"{mistake.chapter}.py"
    path.write_text(apply(answers, mistake), encoding="utf-8")
    only = affected(mistake.chapter, mistake.function)
    graded = harness.grade_chapter(mistake.chapter, path, config, only=only)
    visible = check_file(mistake.chapter, path, only=only)
    lost = sum(r.max_score - r.score for r in graded)
    return lost, visible, graded


def first_failure(results):
    return next((r for r in results if r.status != "passed"), None)


OVERFLOWS = ("naive", "without subtracting the maximum")   # the catalogue's overflows, by their words


def misleads(mistake, result):
    """An overflow named for a mistake that is not one."""
    text = result.output if result else ""
    return not any(w in mistake.what for w in OVERFLOWS) and any(w in text for w in OVERFLOW_WORDS)


def label(mistake):
    return f"{mistake.chapter[:4]}-{mistake.function}-{mistake.what[:40]}"
