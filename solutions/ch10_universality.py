"""Keras references for chapter 10, universality (普遍性): Nielsen's visual proof.

Every network here is a real ``keras.Sequential`` of ``Dense`` layers whose
weights are set, not trained. They run in float64 so that a step as steep as
w = 1e5 is still exact enough for tolerances of 1e-6. Keras stores a kernel as
(n_in, n_out): the transpose of Nielsen's w.
"""
import numpy as np
import keras


def _dense(W, b, activation):
    W = np.asarray(W, dtype=np.float64)
    layer = keras.layers.Dense(W.shape[1], activation=activation, dtype="float64")
    layer.build((None, W.shape[0]))
    layer.set_weights([W, np.asarray(b, dtype=np.float64)])
    return layer


def network_from_weights(W1, b1, W2, b2):
    """Input(1) -> Dense(units, sigmoid) -> Dense(1, linear), holding the given weights."""
    return keras.Sequential([keras.Input((1,), dtype="float64"),
                             _dense(W1, b1, "sigmoid"), _dense(W2, b2, "linear")])


def step_neuron_params(s, w):
    """Kernel (1, units) full of w and biases -w * s: Dense units that step at x = s."""
    s = keras.ops.convert_to_tensor(np.asarray(s, dtype=np.float64))
    W = keras.ops.full((1, s.shape[0]), w, dtype="float64")
    return np.asarray(W), np.asarray(keras.ops.multiply(-float(w), s))


def hidden_layer_output(X, s, w):
    """Dense(len(s), sigmoid) with the step weights, applied to X of shape (batch, 1)."""
    W, b = step_neuron_params(s, w)
    return np.asarray(_dense(W, b, "sigmoid")(np.asarray(X, dtype=np.float64)))


def bump(X, s1, s2, h, w):
    """Dense(2, sigmoid) stepping at s1 and s2, then Dense(1) with kernel [[h], [-h]]."""
    W1, b1 = step_neuron_params([s1, s2], w)
    model = network_from_weights(W1, b1, [[h], [-h]], [0.0])
    return np.asarray(model(np.asarray(X, dtype=np.float64)))


def build_bump_network(f_values, n_bumps, w=1000.0):
    """The weights of n_bumps bump pairs on [j/n, (j+1)/n], heights f at the midpoints.

    Hidden units 0..n-1 step up at the left edges, n..2n-1 step down at the right
    edges; f is read at the midpoints by linear interpolation of the grid values.
    """
    f_values = np.asarray(f_values, dtype=np.float64)
    edges = np.arange(n_bumps + 1) / n_bumps
    heights = np.interp((edges[:-1] + edges[1:]) / 2, np.linspace(0, 1, len(f_values)), f_values)
    W1, b1 = step_neuron_params(np.concatenate([edges[:-1], edges[1:]]), w)
    W2 = np.concatenate([heights, -heights])[:, None]
    return W1, b1, W2, np.zeros(1)


def bump_network_output(X, W1, b1, W2, b2):
    """The output (batch, 1) of network_from_weights on X of shape (batch, 1)."""
    model = network_from_weights(W1, b1, W2, b2)
    return np.asarray(model(np.asarray(X, dtype=np.float64)))
