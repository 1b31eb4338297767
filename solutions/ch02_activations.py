"""Keras/TF references for chapter 2, activation functions (激活函数).

Values come from ``keras.activations`` in float64; derivatives from
``tf.GradientTape`` on the same functions.
"""
import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def step(x):
    return np.asarray(keras.ops.where(_f64(x) > 0, 1.0, 0.0), dtype=np.float64)


def linear(x):
    return np.asarray(keras.activations.linear(_f64(x)))


def sigmoid(x):
    return np.asarray(keras.activations.sigmoid(_f64(x)))


def tanh(x):
    return np.asarray(keras.activations.tanh(_f64(x)))


def relu(x):
    return np.asarray(keras.activations.relu(_f64(x)))


def leaky_relu(x, negative_slope=0.2):
    return np.asarray(keras.activations.leaky_relu(_f64(x), negative_slope=negative_slope))


def softmax(x, axis=-1):
    return np.asarray(keras.activations.softmax(_f64(x), axis=axis))


def _derivative(activation, x):
    """Elementwise derivative: the gradient of sum(activation(x)) with respect to x."""
    x = tf.Variable(_f64(x))
    with tf.GradientTape() as tape:
        total = tf.reduce_sum(activation(x))
    return tape.gradient(total, x).numpy()


def linear_prime(x):
    return _derivative(keras.activations.linear, x)


def sigmoid_prime(x):
    return _derivative(keras.activations.sigmoid, x)


def tanh_prime(x):
    return _derivative(keras.activations.tanh, x)


def relu_prime(x):
    return _derivative(keras.activations.relu, x)


def leaky_relu_prime(x, negative_slope=0.2):
    return _derivative(lambda t: keras.activations.leaky_relu(t, negative_slope=negative_slope), x)


def softmax_jacobian(x):
    """J[i, j] = d softmax(x)_i / d x_j for a 1-D x, by tape.jacobian."""
    x = tf.Variable(_f64(x))
    with tf.GradientTape() as tape:
        y = keras.activations.softmax(x[None, :])[0]
    return tape.jacobian(y, x).numpy()
