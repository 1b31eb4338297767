"""Keras/TF references for chapter 9, choosing the hyper-parameters (超参数).

The schedules are ``keras.optimizers.schedules.ExponentialDecay`` (both
ways), ``InverseTimeDecay`` and ``PiecewiseConstantDecay``, fed float64 numbers
so that they compute in float64; step decay runs a real
``keras.callbacks.LearningRateScheduler`` and the plateau rule a real
``keras.callbacks.ReduceLROnPlateau``, both on a tiny compiled Keras model
(their rates pass through the optimizer's float32 variable).

The trainer is a ``tf.GradientTape`` of ``keras.losses.sparse_categorical_crossentropy``
(from logits) plus Nielsen's L2 term, stepped as plain SGD (w -= eta * g, the
rule ``keras.optimizers.SGD`` follows and chapter 4 checks), in float64, and
scored with ``keras.metrics.sparse_categorical_accuracy``. It is one
``tf.function`` traced once per process: the searches train dozens of times,
which eager Keras would make take seconds. Keras has no hyper-parameter search:
the searches draw their settings with NumPy's generator, as the exercise's
recipe says, and train with this trainer.
"""
import functools

import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


# ------------------------------------------------------------------ schedules
@functools.lru_cache(maxsize=1)
def _tiny_model():
    """A compiled one-weight model: callbacks read and set its optimizer's learning rate."""
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1)])
    model.compile(optimizer=keras.optimizers.SGD(learning_rate=0.1), loss="mse")
    return model


def step_decay(epoch, eta, drop=0.5, epochs_drop=10):
    """The rate keras.callbacks.LearningRateScheduler sets at each epoch's start.

    Its schedule is ExponentialDecay(eta, epochs_drop, drop, staircase=True)
    in float64; the optimizer keeps the rate in float32 (rtol 1e-6 covers it).
    """
    epoch = np.asarray(epoch)
    schedule = keras.optimizers.schedules.ExponentialDecay(np.float64(eta), epochs_drop, np.float64(drop),
                                                           staircase=True)
    model = _tiny_model()
    callback = keras.callbacks.LearningRateScheduler(lambda e: float(schedule(e)))
    callback.set_model(model)
    rates = []
    for e in range(int(epoch.max(initial=0)) + 1):
        callback.on_epoch_begin(e)
        rates.append(float(model.optimizer.learning_rate))
    return np.asarray(rates)[epoch]


def exponential_decay(step, eta, decay_steps, decay_rate, staircase=False):
    """keras.optimizers.schedules.ExponentialDecay, computed in float64."""
    schedule = keras.optimizers.schedules.ExponentialDecay(np.float64(eta), decay_steps, np.float64(decay_rate),
                                                           staircase=staircase)
    return np.asarray(schedule(np.asarray(step)))


def inverse_time_decay(step, eta, decay_steps, decay_rate, staircase=False):
    """keras.optimizers.schedules.InverseTimeDecay, computed in float64."""
    schedule = keras.optimizers.schedules.InverseTimeDecay(np.float64(eta), decay_steps, np.float64(decay_rate),
                                                           staircase=staircase)
    return np.asarray(schedule(np.asarray(step)))


def piecewise_constant(step, boundaries, values):
    """keras.optimizers.schedules.PiecewiseConstantDecay, values in float64."""
    schedule = keras.optimizers.schedules.PiecewiseConstantDecay(
        [int(b) for b in boundaries], [np.float64(v) for v in values])
    return np.asarray(schedule(np.asarray(step, dtype=np.int64)))


def reduce_lr_on_plateau(val_losses, eta, factor=0.1, patience=10, min_delta=1e-4, cooldown=0, min_lr=0.0):
    """Drive keras.callbacks.ReduceLROnPlateau over the given losses; the rate of each epoch.

    The callback writes the rate in effect into the epoch's logs before it
    reduces it, as model.fit's History records it. Keras compares the losses
    in float32 (the checks use dyadic losses) and stores the rate in float32.
    """
    model = _tiny_model()
    model.optimizer.learning_rate = float(eta)
    callback = keras.callbacks.ReduceLROnPlateau(monitor="val_loss", factor=factor, patience=patience,
                                                 min_delta=min_delta, cooldown=cooldown, min_lr=min_lr)
    callback.set_model(model)
    callback.on_train_begin()
    rates = []
    for epoch, loss in enumerate(val_losses):
        logs = {"val_loss": float(loss)}
        callback.on_epoch_end(epoch, logs)
        rates.append(logs["learning_rate"])
    return np.asarray(rates)


# ------------------------------------------------------------------ the trainer
@tf.function(input_signature=[tf.TensorSpec([None, None], tf.float64), tf.TensorSpec([None], tf.int64),
                              tf.TensorSpec([None, None], tf.float64), tf.TensorSpec([None], tf.float64),
                              tf.TensorSpec([], tf.float64), tf.TensorSpec([], tf.float64),
                              tf.TensorSpec([], tf.int64)])
def _gradient_descent(X, y, W, b, eta, lmbda, epochs):
    n = tf.cast(tf.shape(X)[0], tf.float64)
    for _ in tf.range(epochs):
        with tf.GradientTape() as tape:
            tape.watch([W, b])
            logits = tf.matmul(X, W) + b
            cost = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(y, logits, from_logits=True))
            # keras.regularizers.L2(lmbda / (2n)) would cast its factor to float32; this is exact.
            cost += lmbda / (2 * n) * tf.reduce_sum(tf.square(W))
        grad_W, grad_b = tape.gradient(cost, [W, b])
        W, b = W - eta * grad_W, b - eta * grad_b
    return W, b


def train_softmax_regression(X, y, X_val, y_val, eta, lmbda, epochs, n_out=10):
    """(W, b, validation accuracy) after `epochs` full-batch steps from zero weights."""
    X = _f64(X)
    W, b = _gradient_descent(X, np.asarray(y, dtype=np.int64), np.zeros((X.shape[1], n_out)), np.zeros(n_out),
                             float(eta), float(lmbda), int(epochs))
    W, b = W.numpy(), b.numpy()
    hits = keras.metrics.sparse_categorical_accuracy(np.asarray(y_val)[:, None], _f64(X_val) @ W + b)
    return W, b, float(np.mean(np.asarray(hits, dtype=np.float64)))


# ------------------------------------------------------------------ the searches
def _search(X, y, X_val, y_val, settings, epochs):
    history = np.array([[eta, lmbda, train_softmax_regression(X, y, X_val, y_val, eta, lmbda, epochs)[2]]
                        for eta, lmbda in settings])
    return history[np.argmax(history[:, 2])], history


def grid_search(X, y, X_val, y_val, etas, lmbdas, epochs):
    """Every (eta, lmbda) of the grid, eta in the outer loop; (best row, history)."""
    return _search(X, y, X_val, y_val, grid_settings(etas, lmbdas), epochs)


def grid_settings(etas, lmbdas):
    """The grid's (eta, lmbda) pairs in order, shape (k_eta * k_lmbda, 2)."""
    return np.array([(eta, lmbda) for eta in etas for lmbda in lmbdas], dtype=np.float64).reshape(-1, 2)


def random_settings(eta_range, lmbda_range, n_trials, seed):
    """The recipe's log-uniform draws, shape (n_trials, 2): eta then lmbda for each trial."""
    rng = np.random.default_rng(seed)
    low = np.log10([eta_range[0], lmbda_range[0]])
    high = np.log10([eta_range[1], lmbda_range[1]])
    return 10.0 ** rng.uniform(low, high, size=(n_trials, 2))


def random_search(X, y, X_val, y_val, eta_range, lmbda_range, n_trials, epochs, seed):
    """n_trials log-uniform settings from the seed's generator; (best row, history)."""
    return _search(X, y, X_val, y_val, random_settings(eta_range, lmbda_range, n_trials, seed), epochs)
