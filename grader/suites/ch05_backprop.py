"""Checks for chapter 5: the cost, BP1, backprop (per sample and vectorised), numerical gradients.

Every gradient is compared with tf.GradientTape on a keras.Sequential of
Dense(sigmoid, float64) layers holding the same weights, so the tolerance is
1e-6. No check follows a path (nothing is trained), so random normal inputs
are safe.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.grading.oracle import references

ref = references("ch05_backprop")

CE = {"cost": "cross_entropy"}


def network(rng, sizes, scale=1.0):
    """Random kernels (n_l, n_{l+1}) and biases for a network of the given sizes."""
    weights = [rng.normal(0, scale, (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
    return weights, [rng.normal(0, scale, n) for n in sizes[1:]]


def problem(rng, sizes, batch, binary=False, scale=1.0):
    """(X, y, weights, biases): inputs, targets in [0, 1] (or 0/1) and a random network."""
    X = rng.normal(0, 1, (batch, sizes[0]))
    y = rng.uniform(0, 1, (batch, sizes[-1]))
    return (X, np.round(y) if binary else y, *network(rng, sizes, scale))


def saturated(rng, sizes, batch, spread):
    """A problem whose output layer has |z^L| around `spread`, with 0/1 targets."""
    X, y, weights, biases = problem(rng, sizes, batch, binary=True)
    weights[-1] = rng.normal(0, 0.5, weights[-1].shape)
    biases[-1] = rng.choice([-1.0, 1.0], biases[-1].shape) * spread
    return X, y, weights, biases


def visible_networks(rng):
    args = problem(rng, [3, 4, 2], 5)
    return [Case("[3, 4, 2], batch of 5, quadratic", args, {"cost": "quadratic"}),
            Case("[3, 4, 2], batch of 5, cross-entropy", args, CE)]


def hidden_networks(rng):
    """Shared by the cost and both backprops: depths, shapes and both costs."""
    return [Case("[5, 7, 3, 2], batch of 6, quadratic (the default)", problem(rng, [5, 7, 3, 2], 6)),
            Case("[4, 6, 3], batch of 8, cross-entropy with 0/1 targets",
                 problem(rng, [4, 6, 3], 8, binary=True), CE),
            Case("a single sample, cross-entropy", problem(rng, [3, 5, 2], 1), CE),
            Case("no hidden layer [4, 3], quadratic", problem(rng, [4, 3], 5)),
            Case("one output unit [3, 4, 4, 1], cross-entropy", problem(rng, [3, 4, 4, 1], 7), CE)]


def cost_visible(rng):
    return visible_networks(rng) + [
        Case("saturated outputs (|z| about 60: a is exactly 0 or 1), cross-entropy",
             saturated(rng, [3, 4, 3], 4, 60.0), CE)]


def cost_hidden(rng):
    return hidden_networks(rng) + [
        Case("nearly saturated outputs (|z| about 13), cross-entropy",
             saturated(rng, [3, 4, 3], 6, 13.0), CE),
        Case("saturated outputs (|z| about 60: a is exactly 0 or 1), cross-entropy",
             saturated(rng, [3, 4, 3], 6, 60.0), CE)]


def backprop_hidden(rng):
    X, y, weights, biases = problem(rng, [4, 5, 3], 6)
    return hidden_networks(rng) + [
        Case("a saturated output layer (|z| about 60), cross-entropy",
             saturated(rng, [3, 4, 3], 6, 60.0), CE),
        Case("large inputs saturate the first layer, quadratic", (X * 50, y, weights, biases))]


def error_visible(rng):
    z, y = rng.normal(0, 2, (4, 3)), rng.uniform(0, 1, (4, 3))
    return [Case("a (4, 3) batch, quadratic", (z, y), {"cost": "quadratic"}),
            Case("a (4, 3) batch, cross-entropy", (z, y), CE)]


def error_hidden(rng):
    huge = rng.choice([-1.0, 1.0], (4, 3)) * rng.uniform(40, 1000, (4, 3))
    ones = np.round(rng.uniform(0, 1, (4, 3)))
    return [Case("a (6, 2) batch, quadratic (the default)", (rng.normal(0, 3, (6, 2)), rng.uniform(0, 1, (6, 2)))),
            Case("0/1 targets, cross-entropy", (rng.normal(0, 3, (5, 4)), np.round(rng.uniform(0, 1, (5, 4)))), CE),
            Case("saturated outputs (|z| from 40 to 1000), cross-entropy", (huge, ones), CE),
            Case("saturated outputs (|z| from 40 to 1000), quadratic", (huge, ones)),
            Case("one sample, one unit, cross-entropy", (rng.normal(0, 2, (1, 1)), rng.uniform(0, 1, (1, 1))), CE)]


def numerical_visible(rng):
    return [Case("[3, 4, 2], batch of 4, quadratic", problem(rng, [3, 4, 2], 4), {"cost": "quadratic"}),
            Case("a coarse step h=0.01 (central differences: one-sided ones are off by O(h))",
                 problem(rng, [2, 3, 2], 3), {"h": 0.01})]


def numerical_hidden(rng):
    return [Case("[3, 4, 2], cross-entropy", problem(rng, [3, 4, 2], 5), CE),
            Case("a coarse step h=0.01 (one-sided differences are off by O(h))",
                 problem(rng, [2, 3, 2], 4), {"h": 0.01}),
            Case("no hidden layer [3, 2], a single sample, h=1e-3, cross-entropy",
                 problem(rng, [3, 2], 1), {"h": 1e-3, **CE}),
            Case("[4, 3, 3, 2], quadratic (the default)", problem(rng, [4, 3, 3, 2], 3))]


GRADIENT_HINT = ("return (nabla_W, nabla_b), first layer first, averaged over the batch; BP2 "
                 "uses the next layer's W (transposed for rows) and this layer's z")

# Its text: the cost is finite where the output saturates (np.errstate).
STABLE = {'cost_value'}

CHECKS = [
    Check("cost_value", "cost_value", 1, VISIBLE, cost_visible, ref.cost_value,
          hint="feed forward with sigmoid in every layer; sum over the output units, "
          "then average over the samples"),
    Check("cost_value_hidden", "cost_value", 2, HIDDEN, cost_hidden, ref.cost_value,
          hint="the quadratic cost has a factor 1/2; the cross-entropy has a minus sign "
          "and both ln a and ln(1 - a) terms, computed from z (softplus(z) - y z) where a saturates"),
    Check("output_error", "output_error", 1, VISIBLE, error_visible, ref.output_error,
          hint="BP1: (a - y) * sigma'(z) for the quadratic cost, a - y for the cross-entropy"),
    Check("output_error_hidden", "output_error", 2, HIDDEN, error_hidden, ref.output_error,
          hint="where the sigmoid saturates a (1 - a) is exactly 0: cancel it by hand "
          "instead of dividing by it; and do not divide by the batch size here"),
    Check("backprop_loop", "backprop_loop", 2, VISIBLE, visible_networks, ref.backprop_loop,
          hint="for each sample: forward pass keeping z and a, BP1, then BP2 back; "
          "dC/dW^l = outer(a^{l-1}, delta^l); divide the sums by the batch size"),
    Check("backprop_loop_hidden", "backprop_loop", 4, HIDDEN, backprop_hidden, ref.backprop_loop,
          hint=GRADIENT_HINT),
    Check("backprop", "backprop", 2, VISIBLE, visible_networks, ref.backprop,
          hint="nabla_W^l = A^{l-1}.T @ Delta^l / n (shape of W^l); nabla_b^l sums Delta^l "
          "over the samples, then / n"),
    Check("backprop_hidden", "backprop", 4, HIDDEN, backprop_hidden, ref.backprop,
          hint=GRADIENT_HINT),
    Check("numerical_gradient", "numerical_gradient", 2, VISIBLE, numerical_visible,
          ref.numerical_gradient,
          hint="(C(p + h) - C(p - h)) / (2 h) for each entry p, the others unchanged"),
    Check("numerical_gradient_hidden", "numerical_gradient", 3, HIDDEN, numerical_hidden,
          ref.numerical_gradient,
          hint="use the step h you are given, a central (two-sided) difference, and put "
          "each entry back before moving to the next"),
]
