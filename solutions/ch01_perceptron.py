"""Keras/TF references for chapter 1, the perceptron (感知器).

Each function has the signature of the exercise it checks. The perceptron is a
Keras ``Dense(1)`` layer, with the learner's weights copied in, followed by a
step; the learning rule runs on ``tf.Variable``s.
"""
import numpy as np
import tensorflow as tf
import keras


def step(z):
    """1.0 where z > 0, else 0.0, via keras.ops.where."""
    return np.asarray(keras.ops.where(np.asarray(z) > 0, 1.0, 0.0), dtype=np.float64)


def perceptron_predict(X, w, b):
    """step(X w + b) from a Dense(1) layer holding w (as a column) and b."""
    X = np.asarray(X, dtype=np.float64)
    layer = keras.layers.Dense(1, dtype="float64")
    layer.build((None, X.shape[1]))
    layer.set_weights([np.asarray(w, np.float64).reshape(-1, 1), np.array([float(b)])])
    return step(np.asarray(layer(X))[:, 0])


def perceptron_train(X, y, eta=0.1, epochs=10):
    """The perceptron rule from zero weights, one sample at a time, on tf.Variables."""
    X = tf.constant(np.asarray(X, dtype=np.float64))
    y = tf.constant(np.asarray(y, dtype=np.float64))
    w = tf.Variable(tf.zeros(X.shape[1], dtype=tf.float64))
    b = tf.Variable(tf.constant(0.0, dtype=tf.float64))
    _rule(X, y, w, b, tf.constant(float(eta), tf.float64), tf.constant(int(epochs)))
    return w.numpy(), float(b.numpy())


@tf.function
def _rule(X, y, w, b, eta, epochs):
    # AutoGraph turns these loops into one graph: the same updates, in order.
    for _ in tf.range(epochs):
        for i in tf.range(tf.shape(X)[0]):
            output = tf.cast(tf.tensordot(w, X[i], 1) + b > 0, tf.float64)
            w.assign_add(eta * (y[i] - output) * X[i])
            b.assign_add(eta * (y[i] - output))


def perceptron_converges(X, y, eta=0.1, epochs=100):
    """True when the trained perceptron classifies every training sample correctly."""
    w, b = perceptron_train(X, y, eta, epochs)
    return bool(np.array_equal(perceptron_predict(X, w, b), np.asarray(y, dtype=np.float64)))
