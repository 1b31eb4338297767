# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Chapter 7 — Overfitting and regularization (过拟合和规范化)
#
# A network with many parameters can learn its training set by heart: the
# training accuracy keeps climbing while the accuracy on new data stalls or
# falls. That is **overfitting (过拟合)**. Nielsen shows it with 1,000 MNIST
# images and a [784, 30, 10] network: after about 280 epochs the test
# accuracy stops improving although the training cost keeps going down.
#
# The notes list the remedies this chapter builds:
#
# 1. Watch a **validation set (验证集)**, not the test set, and stop when it
#    stops improving: **early stopping (提前停止)**.
# 2. **More training data**; when there is none, **artificially expand the
#    training data (人为扩展训练数据)**, e.g. by shifting every image by one
#    pixel.
# 3. **Regularization (规范化)**: **L2 regularization (L2规范化)**, also called
#    **weight decay (权重衰减)**, adds a penalty on large weights to the cost:
#    $$C = C_0 + \frac{\lambda}{2n}\sum_w w^2,$$
#    where $C_0$ is the unregularized cost (e.g. cross-entropy, 交叉熵) and $n$
#    the size of the training set. Its gradient turns the SGD step into
#    $$w \leftarrow \left(1 - \frac{\eta\lambda}{n}\right) w - \eta \frac{\partial C_0}{\partial w},
#    \qquad b \leftarrow b - \eta \frac{\partial C_0}{\partial b}:$$
#    every step first shrinks ("decays") the weights; the biases are not
#    regularized.
# 4. **Dropout (弃权)**: during training, drop each hidden unit with
#    probability `rate`, so that no unit can rely on particular others.
# 5. **Local response normalization (局部响应规范化, LRN; the notes write
#    局部相应规范化)**: divide each activation by a measure of the activity of
#    its neighbouring channels, as AlexNet did before its ReLUs.
#
# **Keras's conventions differ from Nielsen's in two places**, and the grader
# uses Keras:
#
# * `keras.regularizers.L2(l)` adds $l \sum w^2$ — **no 1/2 and no n**. Nielsen's
#   $\lambda$ is therefore `L2(lmbda / (2 * n))`.
# * `keras.layers.Dropout` is **inverted dropout**: the units it keeps are
#   scaled by $1/(1-\text{rate})$ during training, so that nothing needs to
#   change at inference, where the layer is the identity. (Nielsen instead
#   halves the outgoing weights after training.)

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: the L2 penalty and the weight-decay step
#
# `weights` is the list of the network's kernels (Keras layout
# (n_in, n_out)); the biases are not in it, because L2 regularization leaves
# them alone. The grader compares your penalty with the sum of
# `keras.regularizers.L2(lmbda / (2 * n))` over the kernels, and your step
# with `keras.optimizers.SGD` applied to the gradient that `tf.GradientTape`
# takes of $C_0$ plus the regularizer of a `Dense` layer.

# %%
def l2_penalty(weights, lmbda, n):
    """The L2 regularization term of the cost, in Nielsen's form.

    penalty = lmbda / (2 n) * sum over every kernel W of sum(W ** 2)

    This equals the sum of keras.regularizers.L2(lmbda / (2 * n))(W) over
    the kernels: Keras's L2(l) is l * sum(W ** 2), with no 1/2.

    Args:
        weights: list of kernels; weights[l] has shape (n_in, n_out).
        lmbda: the regularization strength lambda >= 0.
        n: the number of training samples.
    Returns:
        float.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    return lmbda / (2 * n) * sum(float(np.sum(np.square(W))) for W in weights)
    ### END SOLUTION


def weight_decay_step(W, b, grad_W, grad_b, eta, lmbda, n):
    """One SGD step on the L2-regularized cost C = C0 + lmbda / (2 n) sum(W ** 2).

    W <- (1 - eta * lmbda / n) * W - eta * grad_W
    b <- b - eta * grad_b            (biases are not regularized)

    As a Dense layer with kernel_regularizer=keras.regularizers.L2(lmbda / (2 * n))
    stepped by keras.optimizers.SGD(learning_rate=eta).

    Args:
        W: kernel, shape (n_in, n_out).
        b: biases, shape (n_out,).
        grad_W: dC0/dW, the gradient of the unregularized cost, shape (n_in, n_out).
        grad_b: dC0/db, shape (n_out,).
        eta: learning rate.
        lmbda: regularization strength lambda >= 0.
        n: the number of training samples (the whole training set, not the mini-batch).
    Returns:
        (W_new, b_new), float arrays of the shapes of W and b.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    decay = 1.0 - eta * lmbda / n  # weight decay: shrink first, then follow C0's gradient
    W_new = decay * np.asarray(W, dtype=float) - eta * np.asarray(grad_W)
    b_new = np.asarray(b, dtype=float) - eta * np.asarray(grad_b)
    return W_new, b_new
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch07_regularization/l2_penalty", l2_penalty)
nndl.check("ch07_regularization/weight_decay_step", weight_decay_step)
### BEGIN HIDDEN TESTS
nndl.check("ch07_regularization/l2_penalty", l2_penalty, hidden=True)
nndl.check("ch07_regularization/weight_decay_step", weight_decay_step, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 2: inverted dropout, given the mask
#
# Keras draws its own random mask, so the mask is an argument here: 1 keeps a
# unit, 0 drops it. It may have fewer rows than `X` and is then broadcast,
# like `Dropout(rate, noise_shape=(1, units))`, which drops the same units for
# every sample. The grader runs the same TensorFlow code as
# `keras.layers.Dropout` with your mask in place of the random one.

# %%
def dropout(X, mask, rate, training=True):
    """Inverted dropout (弃权), as keras.layers.Dropout(rate).

    training:  X * mask / (1 - rate)   (kept units are scaled up, dropped ones are 0)
    inference: X                       (the identity; the mask is ignored)
    Keras's two special cases: rate = 0 drops nothing (the output is X, whatever
    the mask holds), and rate = 1 drops every unit (the output is all zeros).

    Args:
        X: activations, shape (batch, units).
        mask: 0/1 floats, shape (batch, units) or (1, units) (broadcast over
            the batch); 1 keeps a unit.
        rate: the fraction of units dropped, 0 <= rate <= 1.
        training: True during training, False at inference.
    Returns:
        float array of shape (batch, units).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    if not training or rate == 0:
        return X
    if rate == 1:
        return np.zeros_like(X)
    return X * np.asarray(mask) / (1.0 - rate)
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch07_regularization/dropout", dropout)
### BEGIN HIDDEN TESTS
nndl.check("ch07_regularization/dropout", dropout, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3: local response normalization
#
# For a channels_last batch `X[a, i, j, c]`, LRN divides each value by the
# activity of the channels within `depth_radius` of its own (at the same
# pixel), clipped at the first and last channel:
# $$\text{sqr\_sum}[a,i,j,c] = \sum_{c'=\max(0,\,c-r)}^{\min(C-1,\,c+r)} X[a,i,j,c']^2,
# \qquad \text{out} = \frac{X}{(\text{bias} + \alpha\,\text{sqr\_sum})^{\beta}}.$$
# Keras 3 has no LRN layer; the reference is `tf.nn.local_response_normalization`
# (which computes in float32, so the check allows 1e-5). Note that TensorFlow
# does not divide $\alpha$ by the window size, as some papers do.

# %%
def local_response_normalization(X, depth_radius=5, bias=1.0, alpha=1.0, beta=0.5):
    """Local response normalization over channels, as tf.nn.local_response_normalization.

    out[a, i, j, c] = X[a, i, j, c] / (bias + alpha * sum of X[a, i, j, c'] ** 2
                      over c - depth_radius <= c' <= c + depth_radius) ** beta

    Args:
        X: activations, shape (batch, height, width, channels) (channels_last).
        depth_radius: half-width r of the channel window (the window has 2r + 1 channels).
        bias, alpha, beta: the constants of the formula.
    Returns:
        float array of the shape of X.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    squares = np.square(X)
    sqr_sum = np.empty_like(X)
    channels = X.shape[-1]
    for c in range(channels):
        lo, hi = max(0, c - depth_radius), min(channels, c + depth_radius + 1)
        sqr_sum[..., c] = squares[..., lo:hi].sum(axis=-1)
    return X / (bias + alpha * sqr_sum) ** beta
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch07_regularization/local_response_normalization", local_response_normalization)
### BEGIN HIDDEN TESTS
nndl.check("ch07_regularization/local_response_normalization", local_response_normalization, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4: expanding the training data by one-pixel shifts
#
# Nielsen's `expand_mnist.py` turns 50,000 training images into 250,000: each
# image, then the same image shifted one pixel down, up, right and left. The
# pixels that move in from outside are 0 (background), nothing wraps around.
# With the expanded data his network goes from 98.9% to 99.37%.
#
# `shift_images` moves the content of every image by `dy` rows (down when
# positive) and `dx` columns (right when positive); the grader compares it
# with `tf.roll` followed by zeroing the rows and columns that wrapped around.

# %%
def shift_images(X, dy, dx):
    """Shift a batch of images by (dy, dx) pixels, filling with zeros.

    out[:, i, j] = X[:, i - dy, j - dx] where that pixel exists, else 0.
    A shift of the whole height or more gives all zeros.

    Args:
        X: images, shape (batch, height, width).
        dy: rows to move down (negative: up).
        dx: columns to move right (negative: left).
    Returns:
        float array of shape (batch, height, width).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    _, h, w = X.shape
    py, px = abs(dy), abs(dx)
    padded = np.pad(X, ((0, 0), (py, py), (px, px)))  # the zero fill
    return padded[:, py - dy:py - dy + h, px - dx:px - dx + w]
    ### END SOLUTION


def expand_dataset(X, y):
    """Nielsen's MNIST expansion: each image followed by its four one-pixel shifts.

    For every image, in order: the original, then shifted down, up, right
    and left by one pixel (the order of expand_mnist.py, without its final
    shuffle); every label repeated five times.

    Args:
        X: images, shape (n, height, width).
        y: labels, shape (n,).
    Returns:
        (X_new, y_new): X_new of shape (5 n, height, width), y_new of shape (5 n,)
        with the dtype of y.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=float)
    shifted = [X] + [shift_images(X, dy, dx) for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1))]
    X_new = np.empty((5 * len(X),) + X.shape[1:])
    for k, version in enumerate(shifted):
        X_new[k::5] = version  # version k of image i goes to row 5 i + k
    return X_new, np.repeat(y, 5)
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch07_regularization/shift_images", shift_images)
nndl.check("ch07_regularization/expand_dataset", expand_dataset)
### BEGIN HIDDEN TESTS
nndl.check("ch07_regularization/shift_images", shift_images, hidden=True)
nndl.check("ch07_regularization/expand_dataset", expand_dataset, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5: early stopping on the validation loss
#
# `keras.callbacks.EarlyStopping(monitor="val_loss", patience, min_delta,
# restore_best_weights)` is called after every epoch. An epoch counts as an
# **improvement** only when its loss beats the best so far by more than
# `min_delta`: `loss + min_delta < best` (a tie is no improvement, and an
# epoch that improves by less than `min_delta` does not become the best
# either). Training stops after the first epoch that ends `patience` or more
# epochs after the best one. With `restore_best_weights=True` the model then
# gets back the weights of its best epoch; otherwise it keeps the weights of
# the last epoch it trained.
#
# Here the "training" is a given list of validation losses, one per epoch.
# The grader drives the real `EarlyStopping` callback over the same losses.

# %%
def early_stopping(val_losses, patience=0, min_delta=0.0, restore_best_weights=False):
    """When keras.callbacks.EarlyStopping(monitor="val_loss") stops, and which weights it keeps.

    Epochs are numbered from 0. Epoch e improves when
    val_losses[e] + min_delta < the best loss so far (epoch 0 always does).
    An improving epoch never stops training; training stops after the first
    epoch e that does not improve and has e - best_epoch >= patience (with
    patience 0: the first epoch that does not improve).

    Args:
        val_losses: validation loss after each epoch, a sequence of at least
            one finite float (the epochs training would run).
        patience: how many epochs without improvement are tolerated.
        min_delta: the smallest decrease that counts as an improvement, >= 0.
        restore_best_weights: whether the best epoch's weights are restored.
    Returns:
        (stopped_epoch, kept_epoch), two ints: the last epoch trained
        (len(val_losses) - 1 if patience never runs out), and the epoch
        whose weights the model holds at the end (the best epoch if
        restore_best_weights, else stopped_epoch).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    best = np.inf
    for epoch, loss in enumerate(val_losses):
        if loss + min_delta < best:
            best, best_epoch = loss, epoch
        elif epoch - best_epoch >= patience:
            break
    return epoch, (best_epoch if restore_best_weights else epoch)
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch07_regularization/early_stopping", early_stopping)
### BEGIN HIDDEN TESTS
nndl.check("ch07_regularization/early_stopping", early_stopping, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Look at it: overfitting, and what L2 and more data do about it
#
# Nielsen's experiment in miniature: a [64, 30, 10] network (sigmoid hidden
# layer, softmax output, cross-entropy, his old N(0, 1) initialisation)
# trained on only 300 of the 8x8 digits, with your `weight_decay_step` doing
# every update. Without regularization the training accuracy reaches 100%
# while the validation accuracy stays well below it; L2 narrows the gap a
# little. The dotted line is where your `early_stopping` (patience 5) stops
# on the validation loss. The 8x8 digits overfit far less than Nielsen's
# 1,000 MNIST images: there is less to memorise in 64 pixels.
#
# The third panel trains on the expanded data (1,500 images made from the
# same 300) and does *not* beat L2 alone: on an 8x8 image one pixel is an
# eighth of the width, so a shifted digit is a rather different picture (on
# MNIST's 28x28 it is a 28th). An augmentation helps only when it keeps what
# the label depends on.

# %% tags=["demo"]
import matplotlib.pyplot as plt  # plots only: the graded code does not need it

from nndl.data import load_digits

data = load_digits(seed=0)
X_small, y_small = data.X_train[:300], data.y_train[:300]


def sigmoid(z):
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def predict(params, X):
    W1, b1, W2, b2 = params
    return softmax(sigmoid(X @ W1 + b1) @ W2 + b2)


def train(X, y, lmbda, epochs=60, eta=0.5, batch=10, seed=0):
    """Mini-batch SGD on cross-entropy + L2; accuracies (on the 300 originals) and val loss per epoch."""
    rng = np.random.default_rng(seed)
    W1, b1 = rng.normal(0, 1, (64, 30)), np.zeros(30)
    W2, b2 = rng.normal(0, 1, (30, 10)), np.zeros(10)
    Y = np.eye(10)[y]
    history = {"train": [], "val": [], "val_loss": []}
    for _ in range(epochs):
        order = rng.permutation(len(X))
        for start in range(0, len(X), batch):
            rows = order[start:start + batch]
            a1 = sigmoid(X[rows] @ W1 + b1)
            delta2 = (softmax(a1 @ W2 + b2) - Y[rows]) / len(rows)
            delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
            W2, b2 = weight_decay_step(W2, b2, a1.T @ delta2, delta2.sum(0), eta, lmbda, len(X))
            W1, b1 = weight_decay_step(W1, b1, X[rows].T @ delta1, delta1.sum(0), eta, lmbda, len(X))
        params = (W1, b1, W2, b2)
        p_val = predict(params, data.X_val)
        history["train"].append(np.mean(predict(params, X_small).argmax(1) == y_small))
        history["val"].append(np.mean(p_val.argmax(1) == data.y_val))
        cross_entropy = -np.mean(np.log(p_val[np.arange(len(p_val)), data.y_val]))
        history["val_loss"].append(cross_entropy + l2_penalty([W1, W2], lmbda, len(X)))
    return history


X_expanded, y_expanded = expand_dataset(X_small.reshape(-1, 8, 8), y_small)
runs = {"no regularization": train(X_small, y_small, lmbda=0.0),
        "L2, lambda = 0.3": train(X_small, y_small, lmbda=0.3),
        "L2 + expanded data (x5)": train(X_expanded.reshape(-1, 64), y_expanded, lmbda=0.3, epochs=30)}
fig, axes = plt.subplots(1, 3, figsize=(15, 3.6), sharey=True)
for ax, (title, history) in zip(axes, runs.items()):
    ax.plot(history["train"], label="training accuracy")
    ax.plot(history["val"], label="validation accuracy")
    stop, kept = early_stopping(history["val_loss"], patience=5, restore_best_weights=True)
    ax.axvline(stop, color="grey", ls=":", label=f"early stop (keeps epoch {kept})")
    ax.set_title(f"{title}\nlast validation accuracy {history['val'][-1]:.1%}")
    ax.set_xlabel("epoch")
    ax.legend(loc="lower right", fontsize=8)
axes[0].set_ylim(0.8, 1.005)
plt.tight_layout()
plt.show()

# %% [markdown]
# What the expansion made of one digit, and what inverted dropout and LRN do
# to a vector of activations: averaged over many random masks, inverted
# dropout gives back the activations themselves (that is why no rescaling is
# needed at inference), and LRN damps the channels that have loud neighbours.

# %% tags=["demo"]
fig, axes = plt.subplots(1, 7, figsize=(15, 2.4), gridspec_kw={"width_ratios": [1] * 5 + [2.5, 2.5]})
for ax, image, title in zip(axes, X_expanded[:5], ["original", "down", "up", "right", "left"]):
    ax.imshow(image, cmap="gray_r")
    ax.set_title(title)
    ax.axis("off")
rng = np.random.default_rng(0)
activations = np.abs(rng.normal(1, 0.5, (1, 12)))
for rate in (0.2, 0.5):
    masks = (rng.uniform(size=(2000, 12)) >= rate).astype(float)
    axes[5].plot(dropout(np.repeat(activations, 2000, 0), masks, rate).mean(0), "o-", ms=3,
                 label=f"mean over masks, rate {rate}")
axes[5].plot(activations[0], "k--", label="activations")
axes[5].set_title("inverted dropout")
axes[5].legend(fontsize=7)
channels = np.where(np.arange(16) == 5, 4.0, 1.0).reshape(1, 1, 1, 16)
axes[6].plot(channels.ravel(), "k--", label="input")
axes[6].plot(local_response_normalization(channels, depth_radius=2).ravel(), "o-", ms=3,
             label="LRN, depth_radius 2")
axes[6].set_title("local response normalization")
axes[6].legend(fontsize=7)
plt.tight_layout()
plt.show()
