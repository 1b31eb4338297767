"""Checks for chapter 1: the step function, prediction and the perceptron rule.

Inputs of the learning rule are dyadic (multiples of 1/8, eta a power of 2) so
that every sum is exact in floating point: a correct rule and the reference
then take the same path, whatever order the learner adds in.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.content.inputs import hidden_arrays, visible_arrays
from nndl.grader.grading.oracle import references

ref = references("ch01_perceptron")

BITS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float64)
GATES = {"AND": [0, 0, 0, 1], "OR": [0, 1, 1, 1], "NAND": [1, 1, 1, 0], "XOR": [0, 1, 1, 0]}


def gate(name):
    return BITS.copy(), np.array(GATES[name], dtype=np.float64)


def separable(rng, n=24, n_in=3):
    """A seeded linearly separable problem with dyadic inputs."""
    X = np.round(rng.uniform(-2, 2, (n, n_in)) * 8) / 8
    w, b = rng.normal(size=n_in), rng.normal() * 0.3
    return X, (X @ w + b > 0).astype(np.float64)


def parity(n_in=3):
    """3-bit parity: no line (plane) separates it."""
    X = np.array([[(i >> k) & 1 for k in range(n_in)] for i in range(2 ** n_in)], np.float64)
    return X, X.sum(axis=1) % 2


def predict_visible(rng):
    return [Case("AND weights on the four bit pairs", (BITS, np.array([1.0, 1.0]), -1.5)),
            Case("random weights", (rng.normal(size=(5, 3)), rng.normal(size=3), 0.2))]


def predict_hidden(rng):
    X = rng.normal(size=(9, 5))
    w = rng.normal(size=5)
    return [Case("a batch of 9 samples with 5 inputs", (X, w, float(rng.normal()))),
            Case("a single sample", (X[:1], w, 0.1)),
            Case("points exactly on the boundary (w.x + b = 0)", (BITS, np.array([1.0, 1.0]), -1.0)),
            Case("a negative bias that no input overcomes", (BITS, np.array([0.5, 0.5]), -3.0))]


def train_visible(rng):
    return [Case("AND, eta=0.5, 10 epochs", gate("AND"), {"eta": 0.5, "epochs": 10})]


def train_hidden(rng):
    X, y = separable(rng)
    return [Case("OR, eta=0.25, 10 epochs", gate("OR"), {"eta": 0.25, "epochs": 10}),
            Case("NAND, eta=1.0, 6 epochs", gate("NAND"), {"eta": 1.0, "epochs": 6}),
            Case("XOR (it never settles), eta=0.5, 7 epochs", gate("XOR"), {"eta": 0.5, "epochs": 7}),
            Case("a random separable problem, 3 inputs", (X, y), {"eta": 0.25, "epochs": 20}),
            Case("one epoch only", gate("AND"), {"eta": 0.5, "epochs": 1})]


def converges_visible(rng):
    return [Case("AND", gate("AND")), Case("XOR", gate("XOR"))]


def converges_hidden(rng):
    X, y = separable(rng, n=16, n_in=2)
    return [Case("OR", gate("OR")), Case("NAND", gate("NAND")),
            Case("a random separable problem", (X, y), {"eta": 0.5, "epochs": 200}),
            Case("3-bit parity", parity(), {"eta": 0.5, "epochs": 50})]


def step_visible(rng):
    """Ordinary inputs, and z = 0 itself: `>=` where `>` belongs is the commonest mistake."""
    return visible_arrays(rng) + [Case("z = 0 between two tiny numbers", (np.array([-1e-9, 0.0, 1e-9]),))]


def elementwise_step(visibility, points):
    cases = step_visible if visibility == VISIBLE else hidden_arrays
    return Check("step" if visibility == VISIBLE else "step_hidden", "step", points, visibility,
                 cases, ref.step, hint="1.0 where z > 0, else 0.0 (also 0.0 at z = 0)")


CHECKS = [
    elementwise_step(VISIBLE, 1),
    elementwise_step(HIDDEN, 2),
    Check("perceptron_predict", "perceptron_predict", 1, VISIBLE, predict_visible,
          ref.perceptron_predict, hint="step(X @ w + b): one 0/1 output per row of X",
          figure="boundary"),
    Check("perceptron_predict_hidden", "perceptron_predict", 2, HIDDEN, predict_hidden,
          ref.perceptron_predict, hint="w.x + b = 0 gives 0: the neuron fires only when z > 0"),
    Check("perceptron_train", "perceptron_train", 2, VISIBLE, train_visible, ref.perceptron_train,
          atol=1e-9, hint="start from w = 0, b = 0; for each sample in order: "
          "w += eta (y - output) x and b += eta (y - output)", figure="linear_boundary"),
    Check("perceptron_train_hidden", "perceptron_train", 4, HIDDEN, train_hidden,
          ref.perceptron_train, atol=1e-9,
          hint="update after every sample (not once per epoch), and use the output "
          "computed with the current weights"),
    Check("perceptron_converges", "perceptron_converges", 1, VISIBLE, converges_visible,
          ref.perceptron_converges, hint="train, then compare the predictions with y"),
    Check("perceptron_converges_hidden", "perceptron_converges", 2, HIDDEN, converges_hidden,
          ref.perceptron_converges, hint="True only when every training sample is classified right"),
]
