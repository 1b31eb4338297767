"""Keras/TF references for chapter 6, the cross-entropy cost (交叉熵) and softmax.

Every loss is the functional ``keras.losses.*`` with no reduction: one value
per sample, shape (batch,) (more generally the input's shape without its last
axis). Inputs are NumPy float64 arrays, never tensors made by
``keras.activations``, which would carry their logits and make Keras skip the
clipping it applies to probabilities. Everything runs in float64, so the
checks can use atol 1e-6.
"""
import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def log_softmax(x, axis=-1):
    """log(softmax(x)) along `axis`, from keras.ops.log_softmax."""
    return np.asarray(keras.ops.log_softmax(_f64(x), axis=axis))


def binary_crossentropy(y, y_pred, from_logits=False):
    """keras.losses.binary_crossentropy: clipped, averaged over the last axis."""
    return np.asarray(keras.losses.binary_crossentropy(_f64(y), _f64(y_pred),
                                                       from_logits=from_logits))


def categorical_crossentropy(y, y_pred, from_logits=False):
    """keras.losses.categorical_crossentropy: rows rescaled to sum 1, clipped, summed."""
    return np.asarray(keras.losses.categorical_crossentropy(_f64(y), _f64(y_pred),
                                                            from_logits=from_logits))


def sparse_categorical_crossentropy(y, y_pred, from_logits=False):
    """keras.losses.sparse_categorical_crossentropy with integer labels y."""
    return np.asarray(keras.losses.sparse_categorical_crossentropy(
        np.asarray(y, dtype=np.int64), _f64(y_pred), from_logits=from_logits))


def learning_slowdown(w, b, x=1.0, y=0.0, eta=0.15, epochs=300):
    """Cost curves of one sigmoid neuron trained by gradient descent on each cost.

    The gradients come from tf.GradientTape on the Keras losses: the quadratic
    cost is half of keras.losses.mean_squared_error (Nielsen's 1/2), the
    cross-entropy is keras.losses.binary_crossentropy on the logit z.
    """
    scalars = [tf.constant(float(v), tf.float64) for v in (w, b, x, y, eta)]
    return tuple(_cost_curve(*scalars, tf.constant(int(epochs)), quadratic).numpy()
                 for quadratic in (True, False))


def _cost(z, y, quadratic):
    if quadratic:
        return 0.5 * keras.losses.mean_squared_error(y[None], keras.activations.sigmoid(z)[None])
    # from the logit: Keras's clipping of probabilities would change the curve
    return keras.losses.binary_crossentropy(y[None], z[None], from_logits=True)


@tf.function
def _cost_curve(w, b, x, y, eta, epochs, quadratic):
    # AutoGraph compiles the loop once per cost; costs[t] is the cost before update t.
    costs = tf.TensorArray(tf.float64, size=epochs + 1)
    for t in tf.range(epochs + 1):
        with tf.GradientTape() as tape:
            tape.watch([w, b])
            cost = _cost(w * x + b, y, quadratic)
        dw, db = tape.gradient(cost, [w, b])
        costs = costs.write(t, cost)
        w, b = w - eta * dw, b - eta * db
    return costs.stack()
