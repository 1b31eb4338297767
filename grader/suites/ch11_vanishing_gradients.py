"""Checks for chapter 11: backprop through sigmoid/ReLU layers, per-layer gradient norms,
biases that zero every weighted input, and mini-batch SGD.

Every gradient is compared with tf.GradientTape on a keras.Sequential of
Dense(float64) layers holding the same weights; training with
keras.optimizers.SGD. The gradients of the first layers of a deep sigmoid
network are around 1e-4, so the absolute tolerance is 1e-9 (float64 agrees to
about 1e-15 relative) and the relative one 1e-6.

Inputs look like the digits (64 features, multiples of 1/16 in [0, 1]) without
loading scikit-learn in the grader. Training follows a path: the inputs and
the kernels are dyadic and eta a power of 2 (Keras keeps the learning rate in
float32), the sample orders are given, and SGD has no branch besides ReLU's
z > 0 — which dyadic values decide exactly on both sides at the start, and
random values almost surely away from 0 later.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.grading.oracle import references

ref = references("ch11_vanishing_gradients")

ATOL, RTOL = 1e-9, 1e-6
CE, RELU = {"cost": "cross_entropy"}, {"activation": "relu"}
DEEP = [64, 30, 30, 30, 30, 10]


def dyadic(rng, shape, scale, step=1 / 64):
    """Normal values with the given scale, rounded to multiples of step."""
    return np.round(rng.normal(0, scale, shape) / step) * step


def digit_like(rng, batch, n_in=64):
    """Inputs in [0, 1] in steps of 1/16, as load_digits's are."""
    return rng.integers(0, 17, (batch, n_in)) / 16.0


def one_hot(rng, batch, n_out):
    return np.eye(n_out)[rng.integers(0, n_out, batch)]


def network(rng, sizes, init="nielsen"):
    """Kernels and biases: nielsen N(0, 1/n_in) and N(0, 1); he N(0, 2/n_in) and small biases."""
    weights = [dyadic(rng, (m, n), np.sqrt((2.0 if init == "he" else 1.0) / m))
               for m, n in zip(sizes[:-1], sizes[1:])]
    scale = 0.1 if init == "he" else 1.0
    return weights, [dyadic(rng, n, scale) for n in sizes[1:]]


def problem(rng, sizes, batch, init="nielsen", targets="uniform"):
    """(X, y, weights, biases) with normal inputs and targets in [0, 1] (or 0/1, or one-hot)."""
    X = rng.normal(0, 1, (batch, sizes[0]))
    y = {"uniform": lambda: rng.uniform(0, 1, (batch, sizes[-1])),
         "binary": lambda: np.round(rng.uniform(0, 1, (batch, sizes[-1]))),
         "one_hot": lambda: one_hot(rng, batch, sizes[-1])}[targets]()
    return (X, y, *network(rng, sizes, init))


def digits_problem(rng, batch, init="nielsen", sizes=DEEP):
    return (digit_like(rng, batch, sizes[0]), one_hot(rng, batch, sizes[-1]), *network(rng, sizes, init))


def chain(rng, depth, w):
    """Nielsen's chain of single neurons, weights w, biases that put every z at 0; x = 1."""
    weights = [np.full((1, 1), w) for _ in range(depth)]
    biases = [np.array([-w])] + [np.array([-w / 2]) for _ in range(depth - 1)]  # a = 1, then 1/2
    return np.ones((1, 1)), np.zeros((1, 1)), weights, biases


# --------------------------------------------------------------------- backprop
def backprop_visible(rng):
    return [Case("sigmoid [3, 4, 2], batch of 5, quadratic", problem(rng, [3, 4, 2], 5),
                 {"cost": "quadratic", "activation": "sigmoid"}),
            Case("ReLU [3, 4, 4, 2], batch of 5, cross-entropy", problem(rng, [3, 4, 4, 2], 5, "he"),
                 {**CE, **RELU})]


def backprop_hidden(rng):
    X, y, weights, biases = problem(rng, [4, 5, 3], 6)
    blank = np.zeros((2, 6))
    _, y_blank, w_blank, _ = problem(rng, [6, 5, 5, 2], 2, "he")
    return [Case("sigmoid [5, 7, 3, 2], batch of 6 (the defaults)", problem(rng, [5, 7, 3, 2], 6)),
            Case("ReLU [4, 6, 5, 3], 0/1 targets, cross-entropy",
                 problem(rng, [4, 6, 5, 3], 8, "he", "binary"), {**CE, **RELU}),
            Case("ReLU, a single sample, quadratic", problem(rng, [3, 5, 2], 1, "he"), RELU),
            Case("no hidden layer [4, 3]: the output layer is a sigmoid even with relu",
                 problem(rng, [4, 3], 5), {**CE, **RELU}),
            Case("sigmoid, one output unit [3, 4, 4, 1], cross-entropy", problem(rng, [3, 4, 4, 1], 7), CE),
            Case("ReLU, blank inputs and zero biases (z exactly 0)",
                 (blank, y_blank, w_blank, [np.zeros(5), np.zeros(5), np.zeros(2)]), RELU),
            Case("sigmoid, large inputs saturate the first layer", (X * 50, y, weights, biases)),
            Case("deep sigmoid [64, 30, 30, 30, 30, 10] on digit-like inputs, cross-entropy",
                 digits_problem(rng, 12), CE)]


# --------------------------------------------------------------- gradient norms
def norms_visible(rng):
    return [Case("sigmoid [64, 30, 30, 30, 30, 10], 20 digit-like inputs, cross-entropy",
                 digits_problem(rng, 20), CE),
            Case("ReLU + He [64, 30, 30, 30, 30, 10], 20 digit-like inputs, quadratic",
                 digits_problem(rng, 20, "he"), {"cost": "quadratic", "activation": "relu"})]


def norms_hidden(rng):
    return [Case("deep sigmoid, digit-like inputs, quadratic (the defaults)", digits_problem(rng, 16)),
            Case("deep ReLU + He, digit-like inputs, cross-entropy", digits_problem(rng, 16, "he"),
                 {**CE, **RELU}),
            Case("a chain of 6 neurons, w = 100, every z = 0: exploding gradients", chain(rng, 6, 100.0)),
            Case("a chain of 5 neurons, w = 1, every z = 0, cross-entropy", chain(rng, 5, 1.0), CE),
            Case("a single sample, no hidden layer [5, 3]", problem(rng, [5, 3], 1)),
            Case("ReLU [3, 7, 2], one-hot targets, a batch of 9",
                 problem(rng, [3, 7, 2], 9, "he", "one_hot"), RELU)]


# ------------------------------------------------------------- exploding biases
def biases_visible(rng):
    return [Case("[3, 4, 2], weights N(0, 1)", (rng.normal(0, 1, 3), network(rng, [3, 4, 2])[0]))]


def biases_hidden(rng):
    return [Case("a chain of 5 neurons, w = 100", (np.array([0.75]), [np.full((1, 1), 100.0)] * 5)),
            Case("[5, 8, 6, 3], large weights", (rng.normal(0, 2, 5), [W * 30 for W in network(rng, [5, 8, 6, 3])[0]])),
            Case("one layer [4, 2]", (rng.normal(0, 1, 4), network(rng, [4, 2])[0])),
            Case("x = 0", (np.zeros(3), network(rng, [3, 3, 4, 2])[0])),
            Case("[64, 30, 30, 10], a digit-like x", (digit_like(rng, 1)[0], network(rng, [64, 30, 30, 10])[0]))]


# -------------------------------------------------------------------- training
def orders(rng, n, epochs):
    return np.stack([rng.permutation(n) for _ in range(epochs)])


def train_visible(rng):
    return [Case("sigmoid [64, 10, 10], 20 digit-like samples, 2 epochs of batches of 10, eta 1/2",
                 (*digits_problem(rng, 20, sizes=[64, 10, 10]), 0.5, orders(rng, 20, 2)),
                 {"batch_size": 10, "cost": "quadratic", "activation": "sigmoid"})]


# Keras takes a few milliseconds per SGD step: the cases keep to about 30 steps in all.
def train_hidden(rng):
    return [Case("deep ReLU + He, 12 samples, 2 epochs, batches of 4 (the other defaults)",
                 (*digits_problem(rng, 12, "he", [64, 16, 16, 16, 10]), 0.25, orders(rng, 12, 2)),
                 {"batch_size": 4, **RELU}),
            Case("sigmoid, cross-entropy, 7 samples in batches of 3 (a short last batch)",
                 (*problem(rng, [4, 6, 3], 7, targets="binary"), 1.0, orders(rng, 7, 2)),
                 {"batch_size": 3, **CE}),
            Case("one batch of everything, 3 epochs, the default batch size",
                 (*problem(rng, [3, 5, 2], 6), 2.0, orders(rng, 6, 3))),
            Case("a single sample, ReLU, cross-entropy, batch size 1",
                 (*problem(rng, [5, 4, 2], 1, "he"), 0.5, orders(rng, 1, 4)), {"batch_size": 1, **CE, **RELU}),
            Case("0 epochs", (*problem(rng, [2, 3, 1], 4), 0.5, np.zeros((0, 4), dtype=np.int64)))]


NORMS_HINT = ("two arrays of length L, first layer first: np.linalg.norm of each whole gradient "
              "(all entries of the kernel's gradient, not per column)")

CHECKS = [
    Check("backprop", "backprop", 2, VISIBLE, backprop_visible, ref.backprop, ATOL, RTOL,
          hint="hidden layers use the given activation, the output layer the sigmoid; BP2 "
          "multiplies by f'(z) of the hidden layer; divide by the batch size once"),
    Check("backprop_hidden", "backprop", 4, HIDDEN, backprop_hidden, ref.backprop, ATOL, RTOL,
          hint="the output layer is a sigmoid whatever the hidden activation; the cross-entropy's "
          "output error is a - y; (nabla_W, nabla_b) first layer first, averaged over the batch"),
    Check("gradient_norms", "gradient_norms", 1, VISIBLE, norms_visible, ref.gradient_norms,
          ATOL, RTOL, hint=NORMS_HINT),
    Check("gradient_norms_hidden", "gradient_norms", 2, HIDDEN, norms_hidden, ref.gradient_norms,
          ATOL, RTOL, hint=NORMS_HINT + "; pass cost and activation on to backprop"),
    Check("exploding_biases", "exploding_biases", 1, VISIBLE, biases_visible, ref.exploding_biases,
          ATOL, RTOL, hint="b^l = -(a^{l-1} W^l), a row times the kernel; a^0 is x"),
    Check("exploding_biases_hidden", "exploding_biases", 2, HIDDEN, biases_hidden,
          ref.exploding_biases, ATOL, RTOL,
          hint="after the first layer every activation is sigmoid(0) = 1/2, with the width "
          "of the layer it comes from"),
    Check("train", "train", 2, VISIBLE, train_visible, ref.train, ATOL, RTOL,
          hint="one step per mini-batch of consecutive indices of orders[e], with backprop on "
          "X[batch], y[batch]; subtract eta times the gradient"),
    Check("train_hidden", "train", 3, HIDDEN, train_hidden, ref.train, ATOL, RTOL,
          hint="keep the last, shorter mini-batch; pass cost and activation on to backprop; "
          "zero epochs return the weights unchanged"),
]
