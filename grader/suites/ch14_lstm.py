"""Checks for chapter 14: LSTM and GRU cells and layers, the LSTM's initial bias, parameter counts.

Every output is compared with keras.layers.LSTMCell/LSTM/GRUCell/GRU built in
float64 and holding the learner's weights. Both sides compute in float64 and
agree to about 1e-15, so the tolerance is 1e-9 absolute and 1e-7 relative:
tight enough that no wrong gate order, missing tanh or swapped bias row
passes, loose enough for any order of summation.

The cases are built so that each realistic mistake changes the numbers: the
previous states are non-zero (a tanh wrongly applied to c_{t-1}, or the
GRU's reset gate applied before the recurrent product, only show then);
some cases have D == U (kernel and recurrent kernel swapped still multiply),
T != batch and T != D (a stack along the wrong axis, a loop over the wrong
axis), and GRU biases whose two rows differ. Hidden cases add other shapes,
given initial states, a single step, a single unit, and saturated gates.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check
from nndl.grader.grading.oracle import references

ref = references("ch14_lstm")

ATOL, RTOL = 1e-9, 1e-7
SEQUENCES, STATE = {"return_sequences": True}, {"return_state": True}


def weights(rng, D, U, gates, scale=0.5):
    """(kernel, recurrent_kernel, bias): normal weights; the GRU's bias (2, 3U), the LSTM's (4U,)."""
    bias_shape = (2, 3 * U) if gates == 3 else (4 * U,)
    return (rng.normal(0, scale, (D, gates * U)), rng.normal(0, scale, (U, gates * U)),
            rng.normal(0, scale, bias_shape))


def states(rng, batch, U, scale=1.0):
    return rng.normal(0, scale, (batch, U))


def lstm_step(rng, batch, D, U, scale=0.5, h_scale=1.0, c_scale=1.0):
    """(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias) for one LSTM step."""
    return (rng.normal(0, 1, (batch, D)), states(rng, batch, U, h_scale), states(rng, batch, U, c_scale),
            *weights(rng, D, U, 4, scale))


def gru_step(rng, batch, D, U, scale=0.5, h_scale=1.0):
    """(x_t, h_prev, kernel, recurrent_kernel, bias) for one GRU step."""
    return (rng.normal(0, 1, (batch, D)), states(rng, batch, U, h_scale), *weights(rng, D, U, 3, scale))


def sequence(rng, batch, T, D, U, gates, scale=0.5, x_scale=1.0):
    """(X, kernel, recurrent_kernel, bias) for a layer over a batch of sequences."""
    return (rng.normal(0, x_scale, (batch, T, D)), *weights(rng, D, U, gates, scale))


# -------------------------------------------------------------------- LSTM cell
def lstm_cell_visible(rng):
    return [Case("batch of 3, D = 4, U = 5, non-zero h_prev and c_prev", lstm_step(rng, 3, 4, 5))]


def lstm_cell_hidden(rng):
    x, h, c, kernel, recurrent, _ = lstm_step(rng, 4, 3, 6, scale=0.3)
    fresh = (x, h, c, kernel, recurrent, np.repeat([0.0, 1.0, 0.0, 0.0], 6))  # Keras's initial bias
    return [Case("batch of 7, D = 3, U = 8", lstm_step(rng, 7, 3, 8)),
            Case("D == U == 4, batch of 2", lstm_step(rng, 2, 4, 4)),
            Case("one sample, one input, one unit", lstm_step(rng, 1, 1, 1, scale=1.5)),
            Case("zero h_prev, a large c_prev", lstm_step(rng, 3, 2, 5, h_scale=0.0, c_scale=4.0)),
            Case("zero h_prev and c_prev (the first step)", lstm_step(rng, 3, 5, 4, h_scale=0.0, c_scale=0.0)),
            Case("large weights: saturated gates", lstm_step(rng, 5, 4, 3, scale=8.0, c_scale=3.0)),
            Case("small weights and Keras's initial bias", fresh)]


# ------------------------------------------------------------------ LSTM layer
def lstm_forward_visible(rng):
    return [Case("batch of 2, T = 5, D = 3, U = 4 (the defaults: last output only)",
                 sequence(rng, 2, 5, 3, 4, 4)),
            Case("return_sequences=True", sequence(rng, 2, 5, 3, 4, 4), SEQUENCES),
            Case("return_sequences=True, return_state=True", sequence(rng, 3, 4, 2, 5, 4),
                 {**SEQUENCES, **STATE}),
            Case("a given initial state (h_0, c_0), return_state", sequence(rng, 2, 4, 3, 3, 4),
                 {**STATE, "initial_state": (states(rng, 2, 3), states(rng, 2, 3))})]


def lstm_forward_hidden(rng):
    def given(batch, U):
        return (states(rng, batch, U), states(rng, batch, U, 2.0))
    return [Case("batch of 5, T = 7, D = 2, U = 6, a given initial state, return_state",
                 sequence(rng, 5, 7, 2, 6, 4), {**STATE, "initial_state": given(5, 6)}),
            Case("a given initial state, every output", sequence(rng, 3, 6, 4, 4, 4),
                 {**SEQUENCES, "initial_state": given(3, 4)}),
            Case("a single step, every output and the state", sequence(rng, 4, 1, 3, 2, 4),
                 {**SEQUENCES, **STATE}),
            Case("one sequence, T = 9, D = 5, U = 3, the defaults", sequence(rng, 1, 9, 5, 3, 4)),
            Case("one unit, one input, T = 8, every output", sequence(rng, 3, 8, 1, 1, 4, scale=1.5),
                 SEQUENCES),
            Case("T = 25, small weights, return_state", sequence(rng, 2, 25, 3, 5, 4, scale=0.2), STATE),
            Case("large inputs: saturated gates, every output and the state",
                 sequence(rng, 4, 6, 3, 7, 4, x_scale=20.0), {**SEQUENCES, **STATE})]


# ------------------------------------------------------------ LSTM initial bias
def bias_visible(rng):
    return [Case("units = 3", (3,))]


def bias_hidden(rng):
    return [Case("units = 1", (1,)), Case("units = 7", (7,)),
            Case("units = 5, unit_forget_bias=False", (5,), {"unit_forget_bias": False}),
            Case("units = 16, unit_forget_bias=True", (16,), {"unit_forget_bias": True})]


# --------------------------------------------------------------------- GRU cell
def gru_cell_visible(rng):
    return [Case("batch of 3, D = 4, U = 5, a non-zero h_prev", gru_step(rng, 3, 4, 5))]


def gru_cell_hidden(rng):
    x, h, kernel, recurrent, bias = gru_step(rng, 4, 3, 5)
    return [Case("batch of 6, D = 2, U = 7", gru_step(rng, 6, 2, 7)),
            Case("D == U == 4, batch of 2", gru_step(rng, 2, 4, 4)),
            Case("one sample, one input, one unit", gru_step(rng, 1, 1, 1, scale=1.5)),
            Case("zero h_prev (the first step)", gru_step(rng, 3, 5, 4, h_scale=0.0)),
            Case("no input bias, only a recurrent bias",
                 (x, h, kernel, recurrent, np.stack([np.zeros(15), bias[1]]))),
            Case("only an input bias", (x, h, kernel, recurrent, np.stack([bias[0], np.zeros(15)]))),
            Case("large weights: saturated gates", gru_step(rng, 5, 3, 4, scale=6.0, h_scale=0.9))]


# -------------------------------------------------------------------- GRU layer
def gru_forward_visible(rng):
    return [Case("batch of 2, T = 5, D = 3, U = 4 (the defaults: last output only)",
                 sequence(rng, 2, 5, 3, 4, 3)),
            Case("return_sequences=True", sequence(rng, 2, 5, 3, 4, 3), SEQUENCES),
            Case("return_sequences=True, return_state=True", sequence(rng, 3, 4, 2, 5, 3),
                 {**SEQUENCES, **STATE}),
            Case("a given initial state h_0, return_state", sequence(rng, 2, 4, 3, 3, 3),
                 {**STATE, "initial_state": states(rng, 2, 3)})]


def gru_forward_hidden(rng):
    return [Case("batch of 5, T = 7, D = 2, U = 6, a given initial state, return_state",
                 sequence(rng, 5, 7, 2, 6, 3), {**STATE, "initial_state": states(rng, 5, 6)}),
            Case("a given initial state, every output", sequence(rng, 3, 6, 4, 4, 3),
                 {**SEQUENCES, "initial_state": states(rng, 3, 4)}),
            Case("a single step, every output and the state", sequence(rng, 4, 1, 3, 2, 3),
                 {**SEQUENCES, **STATE}),
            Case("one sequence, T = 9, D = 5, U = 3, the defaults", sequence(rng, 1, 9, 5, 3, 3)),
            Case("one unit, one input, T = 8, every output", sequence(rng, 3, 8, 1, 1, 3, scale=1.5),
                 SEQUENCES),
            Case("T = 25, small weights, return_state", sequence(rng, 2, 25, 3, 5, 3, scale=0.2), STATE),
            Case("large inputs: saturated gates, every output and the state",
                 sequence(rng, 4, 6, 3, 7, 3, x_scale=20.0), {**SEQUENCES, **STATE})]


# ------------------------------------------------------------ parameter counts
def count_visible(rng):
    return [Case("LSTM, D = 2, U = 16 (the adding problem's)", (2, 16, "lstm")),
            Case("GRU, D = 2, U = 16", (2, 16, "gru"))]


def count_hidden(rng):
    return [Case("SimpleRNN, D = 8, U = 4", (8, 4, "simple_rnn")),
            Case("the default cell, D = 28, U = 128", (28, 128)),
            Case("GRU, D = 1, U = 1", (1, 1, "gru")),
            Case("LSTM, D = 1, U = 1", (1, 1, "lstm")),
            Case("GRU, D = 100, U = 3", (100, 3, "gru")),
            Case("SimpleRNN, D = 1, U = 1", (1, 1, "simple_rnn"))]


LSTM_HINT = ("z = x_t @ kernel + h_prev @ recurrent_kernel + bias, blocks in the order i, f, c, o; "
             "gates through sigmoid, the candidate through tanh; c_t = f*c_prev + i*tanh(z_c); "
             "h_t = o*tanh(c_t)")
GRU_HINT = ("bias[0] goes with the inputs, bias[1] with h_prev; blocks z, r, h; the reset gate "
            "multiplies (h_prev @ U_h + bias[1] block h) AFTER the product; "
            "h_t = z*h_prev + (1 - z)*h_tilde")
LAYER_HINT = ("start from initial_state or zeros; one cell step per time step X[:, t]; "
              "return_sequences stacks the outputs along axis 1")


def _ifoc(array):
    """array with its last axis's blocks 3 and 4 swapped: the weights of a learner who reads
    the gates as i, f, o, c get Keras's i, f, c, o from this."""
    i, f, c, o = np.split(np.asarray(array), 4, axis=-1)
    return np.concatenate([i, f, o, c], axis=-1)


def _cell_gates_ifoc(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    return ref.lstm_cell(x_t, h_prev, c_prev, _ifoc(kernel), _ifoc(recurrent_kernel), _ifoc(bias))


def _forward_gates_ifoc(X, kernel, recurrent_kernel, bias, *args, **kwargs):
    return ref.lstm_forward(X, _ifoc(kernel), _ifoc(recurrent_kernel), _ifoc(bias), *args, **kwargs)


GATE_ORDER = "the gates read in the order i, f, o, c; Keras's kernel blocks are i, f, c, o"

CHECKS = [
    Check("lstm_cell", "lstm_cell", 1, VISIBLE, lstm_cell_visible, ref.lstm_cell, ATOL, RTOL,
          hint=LSTM_HINT, mistakes=((GATE_ORDER, _cell_gates_ifoc),)),
    Check("lstm_cell_hidden", "lstm_cell", 3, HIDDEN, lstm_cell_hidden, ref.lstm_cell, ATOL, RTOL,
          hint=LSTM_HINT + "; c_prev enters unsquashed; the sigmoid must not overflow",
          mistakes=((GATE_ORDER, _cell_gates_ifoc),)),
    Check("lstm_forward", "lstm_forward", 2, VISIBLE, lstm_forward_visible, ref.lstm_forward,
          ATOL, RTOL, hint=LAYER_HINT + "; return_state adds h_T and c_T, in that order",
          mistakes=((GATE_ORDER, _forward_gates_ifoc),)),
    Check("lstm_forward_hidden", "lstm_forward", 4, HIDDEN, lstm_forward_hidden, ref.lstm_forward,
          ATOL, RTOL, hint=LAYER_HINT + "; initial_state is the pair (h_0, c_0); with return_state "
          "return (output, h_T, c_T) whatever return_sequences is",
          mistakes=((GATE_ORDER, _forward_gates_ifoc),)),
    Check("lstm_initial_bias", "lstm_initial_bias", 1, VISIBLE, bias_visible, ref.lstm_initial_bias,
          ATOL, RTOL, hint="4*units zeros; ones on the forget gate's block, the second of i, f, c, o"),
    Check("lstm_initial_bias_hidden", "lstm_initial_bias", 1, HIDDEN, bias_hidden,
          ref.lstm_initial_bias, ATOL, RTOL,
          hint="the forget block is entries units .. 2*units - 1; without unit_forget_bias all zeros"),
    Check("gru_cell", "gru_cell", 1, VISIBLE, gru_cell_visible, ref.gru_cell, ATOL, RTOL,
          hint=GRU_HINT),
    Check("gru_cell_hidden", "gru_cell", 3, HIDDEN, gru_cell_hidden, ref.gru_cell, ATOL, RTOL,
          hint=GRU_HINT + "; Keras's z keeps the OLD state"),
    Check("gru_forward", "gru_forward", 2, VISIBLE, gru_forward_visible, ref.gru_forward, ATOL, RTOL,
          hint=LAYER_HINT + "; return_state adds h_T"),
    Check("gru_forward_hidden", "gru_forward", 4, HIDDEN, gru_forward_hidden, ref.gru_forward,
          ATOL, RTOL, hint=LAYER_HINT + "; initial_state is h_0 itself; with return_state "
          "return (output, h_T) whatever return_sequences is"),
    Check("recurrent_param_count", "recurrent_param_count", 1, VISIBLE, count_visible,
          ref.recurrent_param_count, ATOL, RTOL,
          hint="each gate: input_dim*units weights, units*units recurrent weights, units biases"),
    Check("recurrent_param_count_hidden", "recurrent_param_count", 1, HIDDEN, count_hidden,
          ref.recurrent_param_count, ATOL, RTOL,
          hint="simple_rnn has one block, lstm four, gru three plus 3*units recurrent biases; "
          "cell defaults to \"lstm\""),
]
