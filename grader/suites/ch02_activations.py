"""Checks for chapter 2: activation functions and their derivatives vs keras.activations."""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.content.inputs import extreme_case, hidden_arrays, visible_arrays
from nndl.grader.grading.oracle import references

ref = references("ch02_activations")


def elementwise(name, points, hint, extremes=True, kwargs=None):
    """A visible check worth 1 point and a hidden one worth the rest."""
    reference = getattr(ref, name)

    def visible(rng):
        cases = visible_arrays(rng) + ([extreme_case()] if extremes else [])
        return [Case(c.label, c.args, kwargs or {}) for c in cases]

    def hidden(rng):
        return [Case(c.label, c.args, kwargs or {}) for c in hidden_arrays(rng, extremes)]

    return [Check(name, name, 1, VISIBLE, visible, reference, hint=hint),
            Check(f"{name}_hidden", name, points - 1, HIDDEN, hidden, reference, hint=hint)]


def softmax_visible(rng):
    return [Case("a vector", (rng.normal(0, 2, 5),)),
            Case("a (4, 3) batch, rows sum to 1", (rng.normal(0, 2, (4, 3)),)),
            Case("large logits (|x| up to 1000, where exp overflows)",
                 (np.array([[1000.0, 999.0, -1000.0], [-1000.0, -999.5, -1001.0]]),))]


def softmax_hidden(rng):
    return [Case("a (3, 6) batch", (rng.normal(0, 3, (3, 6)),)),
            Case("axis=0", (rng.normal(0, 3, (4, 2)),), {"axis": 0}),
            Case("a single logit", (rng.normal(0, 1, (2, 1)),)),
            Case("equal logits", (np.full((2, 4), 7.0),)),
            Case("large logits (|x| up to 1000)", (rng.uniform(-1000, 1000, (3, 5)),))]


def jacobian_hidden(rng):
    return [Case("a 6-vector with a large entry", (np.append(rng.normal(0, 1, 5), 30.0),)),
            Case("a 1-vector", (rng.normal(0, 1, 1),))]


# The chapter promises every function at |x| = 1000 without overflow: they run under np.errstate.
STABLE = {'step', 'linear', 'sigmoid', 'tanh', 'relu', 'leaky_relu', 'softmax', 'sigmoid_prime', 'tanh_prime', 'relu_prime', 'leaky_relu_prime', 'linear_prime', 'softmax_jacobian'}

CHECKS = [
    *elementwise("step", 2, "step(0) is 0: the neuron fires only when z > 0"),
    *elementwise("linear", 2, "the identity: return x itself, as a float array"),
    *elementwise("sigmoid", 3, "1 / (1 + exp(-x)); for large negative x, exp(-x) overflows: "
                 "use exp(x) / (1 + exp(x)) there, or np.exp of -|x|"),
    *elementwise("tanh", 3, "tanh = 2 sigmoid(2x) - 1, or np.tanh; (e^x - e^-x)/(e^x + e^-x) "
                 "overflows for large |x|"),
    *elementwise("relu", 2, "max(0, x), elementwise: np.maximum, not max"),
    *elementwise("leaky_relu", 2, "x for x > 0, negative_slope * x otherwise",
                 kwargs={"negative_slope": 0.2}),
    Check("leaky_relu_slope", "leaky_relu", 1, HIDDEN,
          lambda rng: [Case("negative_slope=0.05", (rng.normal(0, 3, 9),), {"negative_slope": 0.05})],
          ref.leaky_relu, hint="use the negative_slope argument, not a constant"),
    Check("softmax", "softmax", 1, VISIBLE, softmax_visible, ref.softmax,
          hint="exp(x) / sum of exp(x) over the last axis; keepdims=True keeps shapes compatible"),
    Check("softmax_hidden", "softmax", 3, HIDDEN, softmax_hidden, ref.softmax,
          hint="subtract the max along the axis before exp: softmax is unchanged and nothing overflows"),
    *elementwise("sigmoid_prime", 3, "sigma'(x) = sigma(x) (1 - sigma(x))"),
    *elementwise("tanh_prime", 2, "tanh'(x) = 1 - tanh(x)^2"),
    *elementwise("relu_prime", 2, "1 where x > 0, else 0 (0 at x = 0, as TensorFlow's gradient)"),
    *elementwise("leaky_relu_prime", 2, "1 where x > 0, else negative_slope (also at x = 0)",
                 kwargs={"negative_slope": 0.2}),
    *elementwise("linear_prime", 2, "the derivative of a linear function is a constant: ones "
                 "with the shape of x"),
    Check("softmax_jacobian", "softmax_jacobian", 1, VISIBLE,
          lambda rng: [Case("a 3-vector", (rng.normal(0, 1, 3),))], ref.softmax_jacobian,
          hint="J[i, j] = s_i (delta_ij - s_j), with s = softmax(x)"),
    Check("softmax_jacobian_hidden", "softmax_jacobian", 2, HIDDEN, jacobian_hidden,
          ref.softmax_jacobian, hint="J[i, j] = s_i (delta_ij - s_j), with s = softmax(x)"),
]
