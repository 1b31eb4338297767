"""Keras/TF references for chapter 11, the vanishing gradient problem (梯度消失).

The learner's weights are copied into a ``keras.Sequential`` of ``Dense``
layers in float64 (hidden layers with the given activation, a sigmoid output
layer) and ``tf.GradientTape`` differentiates the cost through it; training
steps go through ``keras.optimizers.SGD``.

The costs are Nielsen's, AVERAGED over the batch and SUMMED over the output
units, as in chapter 5:

    quadratic:     C = n_out/2 * mean(keras.losses.mean_squared_error)
    cross_entropy: C = n_out * mean(keras.losses.binary_crossentropy)

``binary_crossentropy`` is fed the sigmoid layer's output tensor itself, so
Keras uses the logits it carries: no clipping at 1e-7, exact where the output
saturates.
"""
import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def _model(weights, biases, activation):
    """Dense(activation) hidden layers and a Dense(sigmoid) output layer, float64, these weights."""
    if activation not in ("sigmoid", "relu"):
        raise ValueError(f"unknown activation {activation!r}")
    n_in = np.shape(weights[0])[0]
    layers = [keras.layers.Dense(np.shape(W)[1], dtype="float64",
                                 activation=activation if l < len(weights) - 1 else "sigmoid")
              for l, W in enumerate(weights)]
    model = keras.Sequential([keras.Input((n_in,), dtype="float64")] + layers)
    model.set_weights([_f64(p) for pair in zip(weights, biases) for p in pair])
    return model


def _cost(model, X, y, cost):
    a = model(X)
    n_out = a.shape[-1]
    if cost == "quadratic":
        per_sample = 0.5 * n_out * keras.losses.mean_squared_error(y, a)
    elif cost == "cross_entropy":
        per_sample = n_out * keras.losses.binary_crossentropy(y, a)
    else:
        raise ValueError(f"unknown cost {cost!r}")
    return tf.reduce_mean(per_sample)


def _gradients(model, X, y, cost):
    with tf.GradientTape() as tape:
        total = _cost(model, tf.constant(_f64(X)), tf.constant(_f64(y)), cost)
    return tape.gradient(total, model.trainable_weights)


def backprop(X, y, weights, biases, cost="quadratic", activation="sigmoid"):
    """(nabla_W, nabla_b): GradientTape's gradient of the batch-averaged cost."""
    grads = [g.numpy() for g in _gradients(_model(weights, biases, activation), X, y, cost)]
    return grads[0::2], grads[1::2]


def gradient_norms(X, y, weights, biases, cost="quadratic", activation="sigmoid"):
    """(norms_W, norms_b): tf.norm of each layer's kernel and bias gradient, first layer first."""
    norms = np.array([float(tf.norm(g)) for g in
                      _gradients(_model(weights, biases, activation), X, y, cost)])
    return norms[0::2], norms[1::2]


def exploding_biases(x, weights):
    """Biases that make every weighted input zero for the sample x, layer by layer through Keras.

    Each layer is a bias-free Dense holding W^l: its output is a^{l-1} W^l, and
    b^l is minus that; then a^l = keras.activations.sigmoid(0) = 1/2.
    """
    a = _f64(x)[None, :]
    biases = []
    for W in weights:
        layer = keras.layers.Dense(np.shape(W)[1], use_bias=False, dtype="float64")
        layer.build((None, np.shape(W)[0]))
        layer.set_weights([_f64(W)])
        z = layer(a)
        biases.append(-z.numpy()[0])
        a = keras.activations.sigmoid(z - z)
    return biases


def train(X, y, weights, biases, eta, orders, batch_size=10, cost="quadratic",
          activation="sigmoid"):
    """Mini-batch SGD with keras.optimizers.SGD(eta) on GradientTape's gradients.

    orders[e] is the sample order of epoch e; batches are its consecutive
    slices of batch_size (the last may be shorter). eta is a power of 2, so
    Keras's float32 learning rate is exact in the float64 update.
    """
    model = _model(weights, biases, activation)
    optimizer = keras.optimizers.SGD(learning_rate=eta)
    X, y = _f64(X), _f64(y)
    for order in np.asarray(orders, dtype=np.int64):
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            grads = _gradients(model, X[batch], y[batch], cost)
            optimizer.apply_gradients(zip(grads, model.trainable_weights))
    params = [p.numpy() for p in model.trainable_weights]
    return params[0::2], params[1::2]
