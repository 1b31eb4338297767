"""Framework calls inside from-scratch functions: each a right answer that breaks the rule.

Each entry is (chapter, function, code): the code, appended to the model answers'
chapter file, redefines that one function with TensorFlow or Keras doing the work,
reached in the ways a learner might (directly, through an alias, importlib,
__import__, a helper, a module-level object, a layer or a cell, GradientTape).
With the rule off these get the function's points; with it on, they lose exactly those.
"""

CORPUS = [
    ("ch02_activations", "sigmoid", '''
import keras
def sigmoid(x):
    return np.asarray(keras.activations.sigmoid(np.asarray(x, dtype="float64")))
'''),
    ("ch02_activations", "relu", '''
import tensorflow as np2
def relu(x):
    return np2.nn.relu(np.asarray(x, dtype="float64")).numpy()
'''),
    ("ch02_activations", "tanh", '''
import importlib
def tanh(x):
    return importlib.import_module("tensorflow").math.tanh(np.asarray(x, dtype="float64")).numpy()
'''),
    ("ch02_activations", "softmax", '''
def _normalise(x, axis):
    import tensorflow as tf
    return tf.nn.softmax(x, axis=axis).numpy()
def softmax(x, axis=-1):
    return _normalise(np.asarray(x, dtype="float64"), axis)
'''),
    ("ch04_gradient_descent", "quadratic_cost_grad", '''
import tensorflow as tf
def quadratic_cost_grad(X, y, W, b):
    W, b = tf.Variable(np.asarray(W, dtype="float64")), tf.Variable(np.asarray(b, dtype="float64"))
    with tf.GradientTape() as tape:
        cost = 0.5 * tf.reduce_sum((tf.constant(X, dtype="float64") @ W + b - y) ** 2) / len(X)
    dW, db = tape.gradient(cost, [W, b])
    return float(cost), dW.numpy(), db.numpy()
'''),
    ("ch05_backprop", "backprop", '''
import tensorflow as tf
def backprop(X, y, weights, biases, cost="quadratic"):
    Ws = [tf.Variable(np.asarray(W, dtype="float64")) for W in weights]
    bs = [tf.Variable(np.asarray(b, dtype="float64")) for b in biases]
    with tf.GradientTape() as tape:
        a = tf.constant(np.asarray(X, dtype="float64"))
        for W, b in zip(Ws, bs):
            z = a @ W + b
            a = tf.sigmoid(z)
        y = tf.constant(np.asarray(y, dtype="float64"))
        if cost == "quadratic":
            c = 0.5 * tf.reduce_sum((a - y) ** 2) / len(X)
        else:  # from the logits: finite where the output saturates
            c = tf.reduce_sum(tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=z)) / len(X)
    gW, gb = tape.gradient(c, [Ws, bs])
    return [g.numpy() for g in gW], [g.numpy() for g in gb]
'''),
    ("ch06_cross_entropy", "log_softmax", '''
import keras
_log_softmax = keras.activations.log_softmax
def log_softmax(x, axis=-1):
    return np.asarray(_log_softmax(np.asarray(x, dtype="float64"), axis=axis))
'''),
    ("ch06_cross_entropy", "binary_crossentropy", '''
def binary_crossentropy(y, y_pred, from_logits=False):
    losses = __import__("keras").losses
    return np.asarray(losses.binary_crossentropy(np.asarray(y, dtype="float64"),
                                                 np.asarray(y_pred, dtype="float64"), from_logits=from_logits))
'''),
    ("ch07_regularization", "l2_penalty", '''
import keras
def l2_penalty(weights, lmbda, n):
    rule = keras.regularizers.L2(lmbda / (2 * n))
    return float(sum(float(rule(np.asarray(W, dtype="float64"))) for W in weights))
'''),
    ("ch12_cnn", "conv2d", '''
import tensorflow as tf
def conv2d(X, kernel, bias, strides=(1, 1), padding="valid"):
    Z = tf.nn.conv2d(np.asarray(X, dtype="float64"), np.asarray(kernel, dtype="float64"),
                     strides=[1, *strides, 1], padding=padding.upper())
    return Z.numpy() + bias
'''),
    ("ch12_cnn", "max_pool2d", '''
import tensorflow as tf
def max_pool2d(X, pool_size=(2, 2), strides=None, padding="valid"):
    return tf.nn.max_pool2d(np.asarray(X, dtype="float64"), ksize=pool_size,
                            strides=strides or pool_size, padding=padding.upper()).numpy()
'''),
    ("ch12_cnn", "fully_connected", '''
import keras
OPS = keras.ops
def fully_connected(X, W, b, activation="softmax"):
    Z = OPS.matmul(OPS.reshape(np.asarray(X, dtype="float64"), (len(X), -1)), W) + b
    return np.asarray(keras.activations.get(activation)(Z))
'''),
    ("ch13_rnn", "rnn_cell", '''
import tensorflow as tf
def rnn_cell(x_t, h_prev, W, U, b):
    return tf.tanh(tf.matmul(x_t, W) + tf.matmul(h_prev, U) + b).numpy()
'''),
    ("ch14_lstm", "lstm_cell", '''
import keras
def lstm_cell(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    cell = keras.layers.LSTMCell(h_prev.shape[1], dtype="float64")
    cell.build((None, x_t.shape[1]))
    cell.set_weights([kernel, recurrent_kernel, bias])
    h_t, (_, c_t) = cell(np.asarray(x_t, dtype="float64"), [h_prev, c_prev])
    return np.asarray(h_t), np.asarray(c_t)
'''),
    ("ch08_initialization", "glorot_uniform", '''
import keras
def glorot_uniform(shape, seed=None):
    return np.asarray(keras.initializers.GlorotUniform(seed=seed)(tuple(shape), dtype="float64"))
'''),
]
