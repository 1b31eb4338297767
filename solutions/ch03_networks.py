"""Keras references for chapter 3, network architecture (神经网络架构).

The learner's weights are copied into real ``Dense`` layers (float64, so the
comparison can be tight). Keras stores a kernel as (n_in, n_out): the
transpose of Nielsen's w.
"""
import numpy as np
import keras


def _dense(W, b, activation):
    W = np.asarray(W, dtype=np.float64)
    layer = keras.layers.Dense(W.shape[1], activation=activation, dtype="float64")
    layer.build((None, W.shape[0]))
    layer.set_weights([W, np.asarray(b, dtype=np.float64)])
    return layer


def dense_forward(X, W, b, activation="sigmoid"):
    """activation(X W + b) from a Dense layer holding W and b."""
    return np.asarray(_dense(W, b, activation)(np.asarray(X, dtype=np.float64)))


def feedforward(X, weights, biases, activation="sigmoid"):
    """The output of a keras.Sequential of Dense layers with the given weights."""
    model = keras.Sequential([keras.Input((np.shape(weights[0])[0],), dtype="float64")]
                             + [_dense(W, b, activation) for W, b in zip(weights, biases)])
    return np.asarray(model(np.asarray(X, dtype=np.float64)))


def param_count(sizes):
    """count_params() of a Sequential of Dense layers with these layer sizes."""
    return build_mlp(sizes).count_params()


def build_mlp(sizes, activation="sigmoid", output_activation="softmax"):
    """The reference model: Input(sizes[0]), then a Dense layer per later size."""
    layers = [keras.Input((sizes[0],))]
    layers += [keras.layers.Dense(n, activation=activation) for n in sizes[1:-1]]
    layers += [keras.layers.Dense(sizes[-1], activation=output_activation)]
    return keras.Sequential(layers)
