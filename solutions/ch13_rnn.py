"""Keras/TF references for chapter 13, recurrent neural networks (循环神经网络).

The learner's weights are copied into a ``keras.layers.SimpleRNN`` (or a
``SimpleRNNCell``) in float64, in Keras's order: ``kernel`` W (n_in, units),
``recurrent_kernel`` U (units, units), ``bias`` b (units,). The layer computes

    h_t = tanh(x_t W + h_{t-1} U + b),   h_0 = initial_state, or zeros,

over inputs of shape (batch, timesteps, n_in), batch first.

The cost that backpropagation through time differentiates is the quadratic
cost of the hidden states, AVERAGED over the batch and SUMMED over the units
and over the time steps that have a target:

    return_sequences=True:  C = 1/n sum_x sum_t 1/2 ||h_t - y_t||^2,  y: (batch, timesteps, units)
    return_sequences=False: C = 1/n sum_x       1/2 ||h_T - y||^2,    y: (batch, units)

``tf.GradientTape`` takes its gradient with respect to the layer's three
weights, or with respect to the inputs.
"""
import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _layer(W, U, b, return_sequences=False):
    """A float64 SimpleRNN holding kernel W, recurrent kernel U and bias b."""
    layer = keras.layers.SimpleRNN(np.shape(U)[0], return_sequences=return_sequences, dtype="float64")
    layer.build((None, None, np.shape(W)[0]))
    layer.set_weights([_f64(W), _f64(U), _f64(b)])
    return layer


def _run(layer, X, initial_state):
    """The layer on X; Keras's own zero state when initial_state is None."""
    if initial_state is None:
        return layer(X)
    return layer(X, initial_state=[tf.constant(_f64(initial_state))])


def _cost(H, y):
    """1/n sum over the batch of 1/2 the squared distance of the states to their targets."""
    return 0.5 * tf.reduce_sum(tf.square(H - _f64(y))) / H.shape[0]


def rnn_cell(x_t, h_prev, W, U, b):
    """One step, h_t = tanh(x_t W + h_prev U + b), by keras.layers.SimpleRNNCell."""
    cell = keras.layers.SimpleRNNCell(np.shape(U)[0], dtype="float64")
    cell.build((None, np.shape(W)[0]))
    cell.set_weights([_f64(W), _f64(U), _f64(b)])
    output, _ = cell(tf.constant(_f64(x_t)), [tf.constant(_f64(h_prev))])
    return output.numpy()


def simple_rnn(X, W, U, b, initial_state=None, return_sequences=False):
    """All hidden states (batch, timesteps, units) or the last one (batch, units), by SimpleRNN."""
    return _run(_layer(W, U, b, return_sequences), tf.constant(_f64(X)), initial_state).numpy()


def bptt(X, y, W, U, b, initial_state=None, return_sequences=False):
    """(nabla_W, nabla_U, nabla_b): GradientTape's gradient of C through SimpleRNN's weights."""
    layer = _layer(W, U, b, return_sequences)
    with tf.GradientTape() as tape:
        cost = _cost(_run(layer, tf.constant(_f64(X)), initial_state), y)
    grads = tape.gradient(cost, [layer.cell.kernel, layer.cell.recurrent_kernel, layer.cell.bias])
    return tuple(g.numpy() for g in grads)


def gradient_norms_over_time(X, y, W, U, b, initial_state=None):
    """||dC/dx_t|| for every step t, first step first; C on the last state alone.

    GradientTape watches the input tensor; the norm of each step's slice
    (batch, n_in) of its gradient is tf.norm's Frobenius norm.
    """
    X = tf.constant(_f64(X))
    with tf.GradientTape() as tape:
        tape.watch(X)
        cost = _cost(_run(_layer(W, U, b), X, initial_state), y)
    grad = tape.gradient(cost, X)
    return np.array([float(tf.norm(grad[:, t, :])) for t in range(grad.shape[1])])
