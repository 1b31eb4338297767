"""Checks for chapter 13: a simple RNN's step and sequence forward pass, backpropagation
through time, and the gradient's length at every time step.

Every answer is compared with keras.layers.SimpleRNN (or SimpleRNNCell) in
float64 holding the same weights, and gradients with tf.GradientTape on it.
NumPy and Keras agree to about 1e-15 relative in float64; the tolerance is
1e-7 relative and 1e-12 absolute. The absolute part is that small because the
gradient of an early step can be 1e-8 or less after 30 steps of a shrinking
recurrent kernel, and a wrong early gradient must not pass for being small.

The hidden cases are built so that the usual slips give wrong numbers rather
than luckily right ones: n_in == units (a swapped W and U still runs), batch
== timesteps (time and batch axes swapped still run), non-zero initial
states and biases, a single step, long saturating sequences, and recurrent
kernels scaled rotations (rho Q) under which the gradient vanishes or
explodes over time.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.grading.oracle import references

ref = references("ch13_rnn")

ATOL, RTOL = 1e-12, 1e-7
SEQ = {"return_sequences": True}


def weights(rng, n_in, units, scale=1.0, rho=None):
    """(W, U, b): W ~ N(0, scale^2/n_in), U ~ N(0, scale^2/units) or rho times a rotation, b ~ N(0, 0.1)."""
    W = rng.normal(0, scale / np.sqrt(n_in), (n_in, units))
    if rho is None:
        U = rng.normal(0, scale / np.sqrt(units), (units, units))
    else:
        q, r = np.linalg.qr(rng.normal(size=(units, units)))
        U = rho * q * np.sign(np.diag(r))
    return W, U, rng.normal(0, 0.1, units)


def sequences(rng, batch, steps, n_in, scale=1.0):
    return rng.normal(0, scale, (batch, steps, n_in))


def state(rng, batch, units):
    """An initial state inside tanh's range, as a previous run would leave it."""
    return np.tanh(rng.normal(0, 1, (batch, units)))


def targets(rng, batch, units, steps=None):
    """Targets in (-1, 1) for the last state, or for every state when steps is given."""
    shape = (batch, units) if steps is None else (batch, steps, units)
    return rng.uniform(-0.9, 0.9, shape)


# -------------------------------------------------------------------- rnn_cell
def cell_visible(rng):
    return [Case("4 samples, 3 inputs, 2 units",
                 (rng.normal(size=(4, 3)), state(rng, 4, 2), *weights(rng, 3, 2)))]


def cell_hidden(rng):
    return [Case("5 samples, n_in == units == 4", (rng.normal(size=(5, 4)), state(rng, 5, 4),
                                                    *weights(rng, 4, 4))),
            Case("one sample, 6 inputs, 1 unit", (rng.normal(size=(1, 6)), state(rng, 1, 1),
                                                   *weights(rng, 6, 1))),
            Case("zero inputs: only the previous state and the bias count",
                 (np.zeros((3, 2)), state(rng, 3, 5), *weights(rng, 2, 5))),
            Case("large inputs saturate tanh", (rng.normal(0, 20, (6, 3)), state(rng, 6, 3),
                                                *weights(rng, 3, 3)))]


# ------------------------------------------------------------------ simple_rnn
def rnn_visible(rng):
    X, (W, U, b) = sequences(rng, 3, 5, 2), weights(rng, 2, 4)
    return [Case("3 sequences of 5 steps, 2 inputs, 4 units, the last state", (X, W, U, b)),
            Case("the same, every state", (X, W, U, b), SEQ)]


def rnn_hidden(rng):
    return [Case("the defaults: zero initial state, the last state",
                 (sequences(rng, 4, 7, 3), *weights(rng, 3, 5))),
            Case("every state, from a given initial state",
                 (sequences(rng, 2, 6, 4), *weights(rng, 4, 3)), {"initial_state": state(rng, 2, 3), **SEQ}),
            Case("n_in == units, from a given initial state, the last state",
                 (sequences(rng, 3, 5, 4), *weights(rng, 4, 4)), {"initial_state": state(rng, 3, 4)}),
            Case("as many sequences as time steps, every state",
                 (sequences(rng, 5, 5, 2), *weights(rng, 2, 3)), SEQ),
            Case("one sequence of one step", (sequences(rng, 1, 1, 3), *weights(rng, 3, 2)), SEQ),
            Case("30 steps with large weights (saturated units)",
                 (sequences(rng, 3, 30, 2), *weights(rng, 2, 6, scale=3.0)))]


# ------------------------------------------------------------------------ bptt
def bptt_visible(rng):
    X, (W, U, b) = sequences(rng, 3, 4, 2), weights(rng, 2, 3)
    return [Case("3 sequences of 4 steps, 2 inputs, 3 units, a target for the last state",
                 (X, targets(rng, 3, 3), W, U, b)),
            Case("the same, a target for every state", (X, targets(rng, 3, 3, 4), W, U, b), SEQ)]


def bptt_hidden(rng):
    return [Case("the defaults: zero initial state, a target for the last state",
                 (sequences(rng, 4, 6, 3), targets(rng, 4, 5), *weights(rng, 3, 5))),
            Case("targets for every state, from a given initial state",
                 (sequences(rng, 3, 5, 2), targets(rng, 3, 4, 5), *weights(rng, 2, 4)),
                 {"initial_state": state(rng, 3, 4), **SEQ}),
            Case("n_in == units, from a given initial state, the last state",
                 (sequences(rng, 2, 7, 3), targets(rng, 2, 3), *weights(rng, 3, 3)),
                 {"initial_state": state(rng, 2, 3)}),
            Case("as many sequences as time steps, targets for every state",
                 (sequences(rng, 4, 4, 2), targets(rng, 4, 3, 4), *weights(rng, 2, 3)), SEQ),
            Case("one sequence of one step, from a given initial state",
                 (sequences(rng, 1, 1, 3), targets(rng, 1, 2), *weights(rng, 3, 2)),
                 {"initial_state": state(rng, 1, 2)}),
            Case("one unit, one input, 8 steps, targets for every state",
                 (sequences(rng, 5, 8, 1), targets(rng, 5, 1, 8), *weights(rng, 1, 1)), SEQ),
            Case("25 steps with large weights (saturated units)",
                 (sequences(rng, 3, 25, 2), targets(rng, 3, 6), *weights(rng, 2, 6, scale=2.5)))]


# ---------------------------------------------------- gradient_norms_over_time
def norms_visible(rng):
    return [Case("4 sequences of 10 steps, 2 inputs, 5 units",
                 (sequences(rng, 4, 10, 2), targets(rng, 4, 5), *weights(rng, 2, 5)))]


def norms_hidden(rng):
    return [Case("the defaults, 12 steps", (sequences(rng, 3, 12, 3), targets(rng, 3, 6), *weights(rng, 3, 6))),
            Case("30 steps, U = 0.5 x a rotation, tiny inputs: the gradient vanishes",
                 (sequences(rng, 4, 30, 2, 1e-7), targets(rng, 4, 8), *weights(rng, 2, 8, rho=0.5))),
            Case("30 steps, U = 1.5 x a rotation, tiny inputs: the gradient explodes",
                 (sequences(rng, 4, 30, 2, 1e-7), targets(rng, 4, 8), *weights(rng, 2, 8, rho=1.5))),
            Case("from a given initial state", (sequences(rng, 2, 6, 4), targets(rng, 2, 3),
                                                *weights(rng, 4, 3)), {"initial_state": state(rng, 2, 3)}),
            Case("as many sequences as time steps, n_in == units",
                 (sequences(rng, 6, 6, 4), targets(rng, 6, 4), *weights(rng, 4, 4))),
            Case("one sequence of one step", (sequences(rng, 1, 1, 2), targets(rng, 1, 3), *weights(rng, 2, 3)))]


CHECKS = [
    Check("rnn_cell", "rnn_cell", 1, VISIBLE, cell_visible, ref.rnn_cell, ATOL, RTOL,
          hint="h_t = tanh(x_t @ W + h_prev @ U + b): the input goes through the kernel W, "
          "the previous state through the recurrent kernel U"),
    Check("rnn_cell_hidden", "rnn_cell", 2, HIDDEN, cell_hidden, ref.rnn_cell, ATOL, RTOL,
          hint="keep both terms, x_t @ W and h_prev @ U, and do not swap W and U: they have "
          "the same shape when n_in == units"),
    Check("simple_rnn", "simple_rnn", 2, VISIBLE, rnn_visible, ref.simple_rnn, ATOL, RTOL,
          hint="X is batch first, (batch, timesteps, n_in): step t reads X[:, t]; start from "
          "zeros of shape (batch, units); return the LAST state, or every state stacked on axis 1"),
    Check("simple_rnn_hidden", "simple_rnn", 3, HIDDEN, rnn_hidden, ref.simple_rnn, ATOL, RTOL,
          hint="use initial_state when it is given; the time axis is axis 1 of X and of the "
          "stacked states, the batch axis is axis 0"),
    Check("bptt", "bptt", 2, VISIBLE, bptt_visible, ref.bptt, ATOL, RTOL,
          hint="delta_t = (e_t + delta_{t+1} U^T) * (1 - h_t**2), walking from the last step back "
          "to the first; every gradient is a SUM over all steps; divide the errors by the batch size"),
    Check("bptt_hidden", "bptt", 4, HIDDEN, bptt_hidden, ref.bptt, ATOL, RTOL,
          hint="nabla_U pairs delta_t with the PREVIOUS state h_{t-1} (h_0, the initial state, "
          "for the first step); tanh' = 1 - h**2; the recurrence multiplies by U.T"),
    Check("gradient_norms_over_time", "gradient_norms_over_time", 1, VISIBLE, norms_visible,
          ref.gradient_norms_over_time, ATOL, RTOL,
          hint="an array of length timesteps, first step first: np.linalg.norm of the whole "
          "(batch, n_in) matrix dC/dx_t = delta_t @ W.T"),
    Check("gradient_norms_over_time_hidden", "gradient_norms_over_time", 2, HIDDEN, norms_hidden,
          ref.gradient_norms_over_time, ATOL, RTOL,
          hint="only the last state has a target, C = 1/n sum 1/2 ||h_T - y||^2; going one step "
          "back multiplies by U.T and by 1 - h_t**2 of that step"),
]
