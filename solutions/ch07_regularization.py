"""Keras/TF references for chapter 7, overfitting and regularization (过拟合和规范化).

Each reference runs the real Keras/TF object on the learner's inputs:
``keras.regularizers.L2`` (Nielsen's lambda is ``L2(lmbda / (2 n))``, since
Keras adds l * sum(w^2) with no 1/2), a ``Dense`` layer with that kernel
regularizer stepped by ``keras.optimizers.SGD`` on the gradient of
``tf.GradientTape``, ``keras.layers.Dropout`` (its mask made explicit),
``tf.nn.local_response_normalization``, ``tf.roll`` with a mask for the
one-pixel shifts, and ``keras.callbacks.EarlyStopping`` driven over a given
sequence of validation losses.
"""
import numpy as np
import tensorflow as tf
import keras


def _f64(x):
    return np.asarray(x, dtype=np.float64)


def l2_penalty(weights, lmbda, n):
    """Nielsen's (lmbda / 2n) sum w^2 as the sum of L2(lmbda / (2n)) over the kernels.

    Keras casts the factor l through float32 (ops.cast of a Python float), so
    its value is off by a relative 6e-8 at most: the check's rtol covers it.
    """
    regularizer = keras.regularizers.L2(lmbda / (2 * n))
    return float(sum(float(regularizer(_f64(W))) for W in weights))


def weight_decay_step(W, b, grad_W, grad_b, eta, lmbda, n):
    """One SGD step on C0 + L2 penalty, for a Dense layer with kernel_regularizer=L2(lmbda/(2n)).

    C0 is stood in for by sum(grad_W * W) + sum(grad_b * b): a loss whose
    gradient is exactly (grad_W, grad_b); the tape adds the regularizer's part.
    """
    W, b = _f64(W), _f64(b)
    layer = keras.layers.Dense(W.shape[1], kernel_regularizer=keras.regularizers.L2(lmbda / (2 * n)),
                               dtype="float64")
    layer.build((None, W.shape[0]))
    layer.set_weights([W, b])
    with tf.GradientTape() as tape:
        # The variable comes first: numpy * variable would turn it into a constant.
        loss = (tf.reduce_sum(layer.kernel * _f64(grad_W)) + tf.reduce_sum(layer.bias * _f64(grad_b))
                + tf.add_n(layer.losses))
    grads = tape.gradient(loss, layer.trainable_variables)
    keras.optimizers.SGD(learning_rate=eta).apply_gradients(zip(grads, layer.trainable_variables))
    W_new, b_new = layer.get_weights()
    return W_new, b_new


def dropout(X, mask, rate, training=True):
    """keras.layers.Dropout(rate) on X, with the random keep-mask replaced by `mask`.

    Keras's TF backend calls tf.nn.experimental.stateless_dropout, which is
    general_dropout with a random uniform sampler (a unit is kept where the
    uniform draw u >= rate). Feeding the mask as the "draw" (1 kept, 0
    dropped) runs the same TF code with the learner's mask. Inference,
    rate 0 and rate 1 (all dropped) go through the real layer.
    """
    X, mask = _f64(X), _f64(mask)
    layer = keras.layers.Dropout(rate, dtype="float64")
    if not training or rate in (0.0, 1.0):
        return np.asarray(layer(X, training=training))
    sampler = lambda shape, dtype: tf.cast(tf.broadcast_to(mask, shape), dtype)  # noqa: E731
    return tf.nn.experimental.general_dropout(X, rate, uniform_sampler=sampler,
                                              noise_shape=mask.shape).numpy()


def local_response_normalization(X, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    """tf.nn.local_response_normalization on a channels_last batch.

    The op exists for float32 (and half) only, so the check uses atol/rtol 1e-5.
    """
    out = tf.nn.local_response_normalization(np.asarray(X, dtype=np.float32), depth_radius=depth_radius,
                                             bias=bias, alpha=alpha, beta=beta)
    return out.numpy().astype(np.float64)


def shift_images(X, dy, dx):
    """tf.roll by (dy, dx), then zero the rows and columns that wrapped around."""
    X = tf.constant(_f64(X))
    h, w = X.shape[1], X.shape[2]
    rolled = tf.roll(X, shift=[dy, dx], axis=[1, 2])
    rows = tf.range(h) - dy          # the source row of each output row
    cols = tf.range(w) - dx
    keep_rows = tf.cast((rows >= 0) & (rows < h), tf.float64)
    keep_cols = tf.cast((cols >= 0) & (cols < w), tf.float64)
    return (rolled * keep_rows[:, None] * keep_cols[None, :]).numpy()


# Nielsen's expand_mnist.py order: down, up, right, left.
SHIFTS = ((1, 0), (-1, 0), (0, 1), (0, -1))


def expand_dataset(X, y):
    """Each image followed by its four one-pixel shifts; each label repeated five times."""
    copies = [_f64(X)] + [shift_images(X, dy, dx) for dy, dx in SHIFTS]
    X_new = tf.reshape(tf.stack(copies, axis=1), (-1,) + tuple(np.shape(X)[1:]))
    return X_new.numpy(), tf.repeat(tf.constant(np.asarray(y)), 5).numpy()


def early_stopping(val_losses, patience=0, min_delta=0.0, restore_best_weights=False):
    """Drive keras.callbacks.EarlyStopping over the given validation losses.

    The model's single weight is set to the epoch number before each epoch's
    end, so the weight it holds after on_train_end names the epoch whose
    weights were kept. Keras compares losses in float32; the checks use
    dyadic losses so that float32 and float64 agree exactly.
    """
    model = keras.Sequential([keras.Input((1,)), keras.layers.Dense(1, use_bias=False)])
    callback = keras.callbacks.EarlyStopping(monitor="val_loss", patience=patience, min_delta=min_delta,
                                             restore_best_weights=restore_best_weights)
    callback.set_model(model)
    model.stop_training = False
    callback.on_train_begin()
    for epoch, loss in enumerate(val_losses):
        model.set_weights([np.full((1, 1), epoch, dtype=np.float32)])
        callback.on_epoch_end(epoch, {"val_loss": float(loss)})
        if model.stop_training:
            break
    callback.on_train_end()
    return epoch, int(round(float(model.get_weights()[0][0, 0])))
