"""Checks for chapter 6: cross-entropy losses and log-softmax vs keras.losses / keras.ops,
and the learning-slowdown experiment vs tf.GradientTape on the Keras losses.

Every loss returns one value per sample (Keras's reduction=None). Hidden cases
add what naive code gets wrong: probabilities of exactly 0 and 1 (Keras clips
them), logits of +-1000 (the from-logits forms must stay finite), rows that do
not sum to 1 (Keras rescales them), one sample, one unit, and a third axis
(which tells axis=-1 from axis=1). The learning-slowdown cases use inputs other
than x = 1 and y = 0 as well, where a wrong factor of x or y shows.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.grading.oracle import references

ref = references("ch06_cross_entropy")


def softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def bits(rng, shape):
    return rng.integers(0, 2, shape).astype(np.float64)


def one_hot(rng, shape):
    return np.eye(shape[-1])[rng.integers(0, shape[-1], shape[:-1])]


def labels(rng, batch, n):
    """Integer labels that include the first and the last class."""
    y = rng.integers(0, n, batch)
    y[:2] = [0, n - 1][:batch]
    return rng.permutation(y)


def saturated(rng, shape):
    return rng.choice([-1.0, 1.0], shape) * rng.choice([1000.0, 700.0, 40.0], shape)


# ------------------------------------------------------------------ log-softmax
def log_softmax_visible(rng):
    return [Case("a vector of 5 logits", (rng.normal(0, 2, 5),)),
            Case("a (4, 3) batch", (rng.normal(0, 2, (4, 3)),)),
            Case("large logits (|x| up to 1000, where exp overflows)",
                 (np.array([[1000.0, -1000.0, 0.0], [700.0, 699.0, -40.0]]),))]


def log_softmax_hidden(rng):
    return [Case("a (3, 6) batch", (rng.normal(0, 3, (3, 6)),)),
            Case("axis=0", (rng.normal(0, 3, (4, 2)),), {"axis": 0}),
            Case("a (2, 3, 4) batch", (rng.normal(0, 3, (2, 3, 4)),)),
            Case("one class per sample", (rng.normal(0, 1, (2, 1)),)),
            Case("equal logits", (np.full((2, 5), 7.0),)),
            Case("large logits (|x| up to 1000)", (saturated(rng, (3, 5)),))]


# ------------------------------------------------------------ binary CE
def bce_visible(rng):
    return [Case("(4, 3) 0/1 targets, probabilities in (0, 1)",
                 (bits(rng, (4, 3)), rng.uniform(0.05, 0.95, (4, 3)))),
            Case("probabilities of exactly 0 and 1 (clipped before the logs)",
                 (np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]), np.array([[0.0, 1.0, 1.0], [0.0, 0.0, 1.0]])))]


def bce_hidden(rng):
    y = np.array([[1, 0, 1, 0, 1, 0], [0, 1, 0, 1, 1, 0], [1, 1, 0, 0, 0, 1]], np.float64)
    p = np.array([[0, 1, 1, 0, 1e-9, 1 - 1e-9], [1, 0, 0, 1, 0.5, 1e-12],
                  [1, 0, 0, 1, 1, 0]], np.float64)
    return [Case("(5, 2) soft targets", (rng.uniform(0, 1, (5, 2)), rng.uniform(0.01, 0.99, (5, 2)))),
            Case("one sample", (bits(rng, (1, 4)), rng.uniform(0.01, 0.99, (1, 4)))),
            Case("one output unit", (bits(rng, (6, 1)), rng.uniform(0.01, 0.99, (6, 1)))),
            Case("a (2, 3, 4) batch", (bits(rng, (2, 3, 4)), rng.uniform(0.01, 0.99, (2, 3, 4)))),
            Case("probabilities of exactly 0 and 1, right and wrong", (y, p))]


def bce_logits_visible(rng):
    return [Case("(4, 3) 0/1 targets, logits", (bits(rng, (4, 3)), rng.normal(0, 3, (4, 3))),
                 {"from_logits": True})]


def bce_logits_hidden(rng):
    logits = {"from_logits": True}
    return [Case("(5, 2) soft targets", (rng.uniform(0, 1, (5, 2)), rng.normal(0, 4, (5, 2))), logits),
            Case("one sample", (bits(rng, (1, 4)), rng.normal(0, 3, (1, 4))), logits),
            Case("one output unit", (bits(rng, (6, 1)), rng.normal(0, 3, (6, 1))), logits),
            Case("a (2, 3, 4) batch", (bits(rng, (2, 3, 4)), rng.normal(0, 3, (2, 3, 4))), logits),
            Case("zero logits", (bits(rng, (3, 2)), np.zeros((3, 2))), logits),
            Case("saturated logits (|z| up to 1000)", (bits(rng, (4, 5)), saturated(rng, (4, 5))),
                 logits)]


# ------------------------------------------------------- categorical CE
def cce_visible(rng):
    return [Case("(4, 3) one-hot targets, softmax probabilities",
                 (one_hot(rng, (4, 3)), softmax(rng.normal(0, 1, (4, 3))))),
            Case("probabilities of exactly 0 and 1 (clipped before the log)",
                 (np.eye(3)[[0, 1, 2]], np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])))]


def cce_hidden(rng):
    y = np.eye(3)[[0, 1, 2, 0]]
    p = np.array([[0, 1, 0], [0, 1, 0], [0.5, 0.5, 0], [1, 0, 0]], np.float64)
    return [Case("(5, 4) one-hot targets", (one_hot(rng, (5, 4)), softmax(rng.normal(0, 2, (5, 4))))),
            Case("soft targets", (softmax(rng.normal(0, 1, (3, 5))), softmax(rng.normal(0, 1, (3, 5))))),
            Case("one sample", (one_hot(rng, (1, 6)), softmax(rng.normal(0, 1, (1, 6))))),
            Case("two classes", (one_hot(rng, (6, 2)), softmax(rng.normal(0, 1, (6, 2))))),
            Case("a (2, 3, 4) batch", (one_hot(rng, (2, 3, 4)), softmax(rng.normal(0, 1, (2, 3, 4))))),
            Case("rows that do not sum to 1 (Keras rescales them)",
                 (one_hot(rng, (4, 3)), rng.uniform(0.1, 2.0, (4, 3)))),
            Case("probabilities of exactly 0 and 1", (y, p))]


def cce_logits_visible(rng):
    return [Case("(4, 3) one-hot targets, logits", (one_hot(rng, (4, 3)), rng.normal(0, 2, (4, 3))),
                 {"from_logits": True})]


def cce_logits_hidden(rng):
    logits = {"from_logits": True}
    return [Case("(5, 4) one-hot targets", (one_hot(rng, (5, 4)), rng.normal(0, 3, (5, 4))), logits),
            Case("soft targets", (softmax(rng.normal(0, 1, (3, 5))), rng.normal(0, 3, (3, 5))), logits),
            Case("one sample", (one_hot(rng, (1, 6)), rng.normal(0, 3, (1, 6))), logits),
            Case("a (2, 3, 4) batch", (one_hot(rng, (2, 3, 4)), rng.normal(0, 3, (2, 3, 4))), logits),
            Case("equal logits", (one_hot(rng, (2, 4)), np.full((2, 4), -3.0)), logits),
            Case("saturated logits (|z| up to 1000)", (one_hot(rng, (4, 5)), saturated(rng, (4, 5))),
                 logits)]


# ------------------------------------------------ sparse categorical CE
def sparse_visible(rng):
    return [Case("5 labels, softmax probabilities over 4 classes",
                 (labels(rng, 5, 4), softmax(rng.normal(0, 1, (5, 4))))),
            Case("5 labels, logits over 4 classes", (labels(rng, 5, 4), rng.normal(0, 2, (5, 4))),
                 {"from_logits": True})]


def sparse_hidden(rng):
    p = np.array([[0, 1, 0], [1, 0, 0], [0.5, 0.5, 0], [0, 0, 1]], np.float64)
    return [Case("6 labels, 3 classes", (labels(rng, 6, 3), softmax(rng.normal(0, 2, (6, 3))))),
            Case("10 classes", (labels(rng, 7, 10), softmax(rng.normal(0, 2, (7, 10))))),
            Case("one sample", (labels(rng, 1, 5), softmax(rng.normal(0, 1, (1, 5))))),
            Case("(2, 3) labels, (2, 3, 4) probabilities",
                 (rng.integers(0, 4, (2, 3)), softmax(rng.normal(0, 1, (2, 3, 4))))),
            Case("rows that do not sum to 1", (labels(rng, 4, 3), rng.uniform(0.1, 2.0, (4, 3)))),
            Case("probabilities of exactly 0 and 1", (np.array([1, 1, 2, 0]), p))]


def sparse_logits_hidden(rng):
    logits = {"from_logits": True}
    return [Case("6 labels, 3 classes", (labels(rng, 6, 3), rng.normal(0, 3, (6, 3))), logits),
            Case("one sample", (labels(rng, 1, 5), rng.normal(0, 3, (1, 5))), logits),
            Case("(2, 3) labels, (2, 3, 4) logits",
                 (rng.integers(0, 4, (2, 3)), rng.normal(0, 3, (2, 3, 4))), logits),
            Case("saturated logits (|z| up to 1000)", (labels(rng, 5, 4), saturated(rng, (5, 4))),
                 logits)]


# ------------------------------------------------------ learning slowdown
def dyadic(rng, low, high):
    return float(np.round(rng.uniform(low, high) * 8) / 8)


def slowdown_visible(rng):
    return [Case("Nielsen's slow start: w=2, b=2, x=1, y=0, eta=0.15, 300 epochs",
                 (2.0, 2.0), {"x": 1.0, "y": 0.0, "eta": 0.15, "epochs": 300})]


def slowdown_hidden(rng):
    return [Case("Nielsen's quick start w=0.6, b=0.9", (0.6, 0.9),
                 {"x": 1.0, "y": 0.0, "eta": 0.15, "epochs": 300}),
            Case("target 1, input 0.5", (-2.0, -2.0), {"x": 0.5, "y": 1.0, "eta": 0.5, "epochs": 100}),
            Case("target 0.25, input 2, a random start", (dyadic(rng, -3, 3), dyadic(rng, -3, 3)),
                 {"x": 2.0, "y": 0.25, "eta": 0.25, "epochs": 60}),
            Case("a negative input", (dyadic(rng, -2, 2), 0.5),
                 {"x": -1.5, "y": 1.0, "eta": 0.125, "epochs": 40}),
            Case("a saturated start (z = 40)", (20.0, 20.0),
                 {"x": 1.0, "y": 0.0, "eta": 0.15, "epochs": 20}),
            Case("one epoch", (1.0, -0.5), {"x": 1.0, "y": 1.0, "eta": 1.0, "epochs": 1}),
            Case("no epochs: the starting costs only", (0.75, 0.25),
                 {"x": 2.0, "y": 0.5, "eta": 0.5, "epochs": 0})]


PROBABILITY_HINT = ("clip the probabilities to [EPSILON, 1 - EPSILON] before taking logs; "
                    "reduce over the last axis only, one loss per sample")
LOGITS_HINT = ("with logits, never form sigmoid(z) or softmax(z) and take its log: it is 0 or 1 "
               "for |z| = 1000; rewrite the log with a max-shift or softplus")

# Finite for any logits, clipped probabilities: they run under np.errstate.
STABLE = {'log_softmax', 'binary_crossentropy', 'categorical_crossentropy', 'sparse_categorical_crossentropy'}

CHECKS = [
    Check("log_softmax", "log_softmax", 1, VISIBLE, log_softmax_visible, ref.log_softmax,
          hint="x - log(sum(exp(x))) along the axis, with keepdims=True"),
    Check("log_softmax_hidden", "log_softmax", 2, HIDDEN, log_softmax_hidden, ref.log_softmax,
          hint="subtract the max along `axis` before exp; np.log(softmax(x)) gives -inf "
          "for large logits"),
    Check("binary_crossentropy", "binary_crossentropy", 1, VISIBLE, bce_visible,
          ref.binary_crossentropy,
          hint="-(y log p + (1 - y) log(1 - p)), then the MEAN over the last axis (Keras), not the sum"),
    Check("binary_crossentropy_hidden", "binary_crossentropy", 2, HIDDEN, bce_hidden,
          ref.binary_crossentropy, hint=PROBABILITY_HINT),
    Check("binary_crossentropy_logits", "binary_crossentropy", 1, VISIBLE, bce_logits_visible,
          ref.binary_crossentropy,
          hint="from_logits=True: y_pred holds z, and p = sigmoid(z); no clipping then"),
    Check("binary_crossentropy_logits_hidden", "binary_crossentropy", 2, HIDDEN, bce_logits_hidden,
          ref.binary_crossentropy, hint=LOGITS_HINT),
    Check("categorical_crossentropy", "categorical_crossentropy", 1, VISIBLE, cce_visible,
          ref.categorical_crossentropy, hint="-sum over the classes (last axis) of y log p"),
    Check("categorical_crossentropy_hidden", "categorical_crossentropy", 2, HIDDEN, cce_hidden,
          ref.categorical_crossentropy,
          hint="as Keras: rescale each row of y_pred to sum 1, THEN clip, then the log"),
    Check("categorical_crossentropy_logits", "categorical_crossentropy", 1, VISIBLE,
          cce_logits_visible, ref.categorical_crossentropy,
          hint="from_logits=True: log p is log_softmax(z) along the last axis"),
    Check("categorical_crossentropy_logits_hidden", "categorical_crossentropy", 2, HIDDEN,
          cce_logits_hidden, ref.categorical_crossentropy, hint=LOGITS_HINT),
    Check("sparse_categorical_crossentropy", "sparse_categorical_crossentropy", 1, VISIBLE,
          sparse_visible, ref.sparse_categorical_crossentropy,
          hint="-log p[label] for each sample; the labels index the last axis of y_pred"),
    Check("sparse_categorical_crossentropy_hidden", "sparse_categorical_crossentropy", 2, HIDDEN,
          sparse_hidden, ref.sparse_categorical_crossentropy,
          hint="clip before the log, normalise each row, and pick the label's entry along the "
          "LAST axis, whatever the number of leading axes"),
    Check("sparse_categorical_crossentropy_logits_hidden", "sparse_categorical_crossentropy", 2,
          HIDDEN, sparse_logits_hidden, ref.sparse_categorical_crossentropy, hint=LOGITS_HINT),
    Check("learning_slowdown", "learning_slowdown", 2, VISIBLE, slowdown_visible,
          ref.learning_slowdown,
          hint="record the cost, then update; quadratic delta = (a - y) a (1 - a), "
          "cross-entropy delta = a - y; w -= eta delta x, b -= eta delta",
          figure="curves", figure_labels=("quadratic cost", "cross-entropy cost")),
    Check("learning_slowdown_hidden", "learning_slowdown", 3, HIDDEN, slowdown_hidden,
          ref.learning_slowdown,
          hint="the input x multiplies the weight's gradient; y enters both costs and both deltas; "
          "compute the cross-entropy from z so it stays finite when a rounds to 0 or 1"),
]
