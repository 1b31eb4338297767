"""Keras references for chapter 14, long short-term memory (长短时记忆网络) and the GRU.

The learner's weights are copied into ``keras.layers.LSTMCell``/``LSTM`` and
``keras.layers.GRUCell``/``GRU`` built in float64, and the layer itself runs
the sequence. Keras 3 lays the weights out as follows (each verified
numerically against a NumPy loop):

    LSTM: kernel (D, 4U), recurrent_kernel (U, 4U), bias (4U,); gate order
          i, f, c, o; recurrent activation sigmoid, activation tanh;
          unit_forget_bias=True starts the bias at 1 on the forget gate, 0 elsewhere.
    GRU:  kernel (D, 3U), recurrent_kernel (U, 3U), bias (2, 3U) (input bias,
          recurrent bias); gate order z, r, h; reset_after=True, so the reset
          gate multiplies h U_h + b_rec_h AFTER the recurrent matmul, and
          h_t = z * h_{t-1} + (1 - z) * h_tilde.
"""
import numpy as np
import keras

DTYPE = "float64"


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _layer(kind, kernel, recurrent_kernel, bias, **options):
    """A float64 keras.layers.LSTM/GRU (or their Cell) holding these weights."""
    kernel = _f64(kernel)
    layer = kind(np.shape(kernel)[1] // (4 if kind in (keras.layers.LSTM, keras.layers.LSTMCell) else 3),
                 dtype=DTYPE, **options)
    shape = (None, kernel.shape[0]) if kind in (keras.layers.LSTMCell, keras.layers.GRUCell) \
        else (None, None, kernel.shape[0])
    layer.build(shape)
    layer.set_weights([kernel, _f64(recurrent_kernel), _f64(bias)])
    return layer


def lstm_cell(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """(h_t, c_t) from keras.layers.LSTMCell: cell(x_t, [h_prev, c_prev]) -> h_t, [h_t, c_t]."""
    cell = _layer(keras.layers.LSTMCell, kernel, recurrent_kernel, bias)
    _, (h_t, c_t) = cell(_f64(x_t), [_f64(h_prev), _f64(c_prev)])
    return np.asarray(h_t), np.asarray(c_t)


def _run(kind, X, kernel, recurrent_kernel, bias, return_sequences, return_state, initial_state):
    layer = _layer(kind, kernel, recurrent_kernel, bias,
                   return_sequences=return_sequences, return_state=return_state)
    state = None if initial_state is None else [_f64(s) for s in initial_state]
    out = layer(_f64(X), initial_state=state)
    return tuple(np.asarray(o) for o in out) if return_state else np.asarray(out)


def lstm_forward(X, kernel, recurrent_kernel, bias, return_sequences=False, return_state=False,
                 initial_state=None):
    """keras.layers.LSTM(units, return_sequences, return_state)(X, initial_state) with these weights."""
    return _run(keras.layers.LSTM, X, kernel, recurrent_kernel, bias,
                return_sequences, return_state, initial_state)


def lstm_initial_bias(units, unit_forget_bias=True):
    """The bias a freshly built keras.layers.LSTM(units, unit_forget_bias=...) starts with."""
    layer = keras.layers.LSTM(units, unit_forget_bias=unit_forget_bias, dtype=DTYPE)
    layer.build((None, None, 1))
    return np.asarray(layer.cell.bias)


def gru_cell(x_t, h_prev, kernel, recurrent_kernel, bias):
    """h_t from keras.layers.GRUCell (reset_after=True): cell(x_t, h_prev) -> h_t, h_t."""
    cell = _layer(keras.layers.GRUCell, kernel, recurrent_kernel, bias)
    h_t, _ = cell(_f64(x_t), _f64(h_prev))
    return np.asarray(h_t)


def gru_forward(X, kernel, recurrent_kernel, bias, return_sequences=False, return_state=False,
                initial_state=None):
    """keras.layers.GRU(units, return_sequences, return_state)(X, initial_state) with these weights."""
    if initial_state is not None:
        initial_state = [initial_state]  # Keras takes a list of states; the GRU has one
    return _run(keras.layers.GRU, X, kernel, recurrent_kernel, bias,
                return_sequences, return_state, initial_state)


def recurrent_param_count(input_dim, units, cell="lstm"):
    """count_params() of keras.layers.SimpleRNN/LSTM/GRU(units) on inputs of width input_dim."""
    kinds = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM, "gru": keras.layers.GRU}
    if cell not in kinds:
        raise ValueError(f"unknown cell {cell!r}")
    layer = kinds[cell](units)
    layer.build((None, None, input_dim))
    return layer.count_params()
