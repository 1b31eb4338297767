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
# # Chapter 12 — Convolutional networks (卷积神经网络)
#
# A **fully connected (全连接)** network treats an image as a list of pixels:
# it would learn the same if we shuffled the pixels first. A **convolutional
# network (卷积神经网络, CNN)** uses the fact that pixels have neighbours.
# Nielsen builds it from three ideas:
#
# * **Local receptive fields (局部感受野).** A neuron of a convolutional layer
#   looks at a small window of the image, say 3×3 pixels, not at all of it.
# * **Shared weights (共享权值).** Every neuron of one **feature map
#   (Feature Map, 特征图)** uses the same small set of weights — the **filter
#   (Filter, 卷积核)** — on its own window. Slide the filter over the image
#   and you get the feature map: where in the image the filter's pattern (an
#   edge, a stroke) occurs. A layer has several filters, hence several maps.
# * **Pooling (池化).** A pooling layer **down-samples (下采样)** each map:
#   **max pooling (Max Pooling)** keeps the largest value of each 2×2 block,
#   so a map of 8×8 becomes 4×4 and says *whether* a feature occurred near a
#   place rather than exactly where.
#
# The last layers are fully connected again: the maps are flattened into one
# vector and a `Dense` softmax layer reads the class off it.
#
# **The convolution (卷积) that Keras computes.** Images are stored
# channels-last, `X` of shape (batch, height, width, channels), and a
# `keras.layers.Conv2D` kernel has shape (kh, kw, c_in, c_out). With strides
# $(s_h, s_w)$ the output is
#
# $$Z[n, y, x, o] = \sum_{i < k_h} \sum_{j < k_w} \sum_{c < c_\text{in}}
#   X[n,\ y s_h + i,\ x s_w + j,\ c]\ K[i, j, c, o] + b[o].$$
#
# Mathematicians would call this a **cross-correlation**: a true convolution
# flips the kernel, $K[k_h - 1 - i, k_w - 1 - j]$. For a learned kernel the
# difference is only a relabelling, and every deep-learning library computes
# the form above — so do not flip.
#
# **Padding and output size.** With `padding="valid"` the window stays inside
# the image: the output has $\lfloor (H - k_h) / s_h \rfloor + 1$ rows. With
# `padding="same"` the image is surrounded by zeros (**Zero Padding, 补零**)
# so that the output has $\lceil H / s_h \rceil$ rows — exactly $H$ when
# $s_h = 1$. The padding needed is $P = \max((\lceil H/s_h\rceil - 1) s_h + k_h - H,\ 0)$
# rows; $\lfloor P/2 \rfloor$ go on top and the rest at the **bottom** — when
# $P$ is odd (an even kernel, or a stride), the extra row is at the bottom and
# the extra column on the right. Columns work the same way.
#
# **How you are checked.** The grader copies your inputs, kernel and bias into
# `keras.layers.Conv2D`, `keras.layers.MaxPooling2D` and `Flatten` + `Dense`
# layers (in float64) and compares the outputs; tolerance 1e-5. Your Keras
# models are compared layer by layer with the reference model, and the
# trained one is scored by its accuracy on digits it never saw.

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: a convolutional layer in NumPy
#
# Implement the formula above, without an activation (Keras's
# `activation=None`). `strides` is a pair $(s_h, s_w)$, `padding` is
# `"valid"` or `"same"`. A loop over the $k_h k_w$ positions of the kernel is
# enough: for each tap $(i, j)$, the slice
# `Xp[:, i : i + s_h (out_h - 1) + 1 : s_h, j : ... : s_w, :]` holds the pixel
# under that tap for every window at once, and multiplying it by
# `kernel[i, j]` (shape (c_in, c_out)) mixes the channels.

# %%
def conv2d(X, kernel, bias, strides=(1, 1), padding="valid"):
    """The output of a convolutional layer (no activation), as `keras.layers.Conv2D`.

    Z[n, y, x, o] = sum_{i, j, c} Xp[n, y*sh + i, x*sw + j, c] * kernel[i, j, c, o] + bias[o],
    where Xp is X itself ("valid") or X padded with zeros ("same": P = max((ceil(H/sh) - 1)*sh
    + kh - H, 0) rows, P // 2 on top and the rest at the bottom; columns alike).
    A cross-correlation: the kernel is not flipped.

    Args:
        X: images, shape (batch, H, W, c_in) (channels last).
        kernel: filters, shape (kh, kw, c_in, c_out).
        bias: shape (c_out,).
        strides: (sh, sw), the step of the window down and across.
        padding: "valid" or "same".
    Returns:
        float array of shape (batch, out_h, out_w, c_out): out_h = (H - kh) // sh + 1
        ("valid") or ceil(H / sh) ("same"), out_w alike.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    X, kernel = np.asarray(X, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    (kh, kw, _, c_out), (sh, sw) = kernel.shape, strides
    if padding == "same":  # the odd row (column) of padding goes at the bottom (right)
        pads = [max((-(-n // s) - 1) * s + k - n, 0) for n, k, s in zip(X.shape[1:3], (kh, kw), strides)]
        X = np.pad(X, [(0, 0)] + [(p // 2, p - p // 2) for p in pads] + [(0, 0)])
    out_h, out_w = (X.shape[1] - kh) // sh + 1, (X.shape[2] - kw) // sw + 1
    Z = np.zeros((len(X), out_h, out_w, c_out))
    for i in range(kh):
        for j in range(kw):  # tap (i, j) of every window at once
            Z += X[:, i:i + sh * (out_h - 1) + 1:sh, j:j + sw * (out_w - 1) + 1:sw] @ kernel[i, j]
    return Z + bias
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch12_cnn/conv2d", conv2d)
### BEGIN HIDDEN TESTS
nndl.check("ch12_cnn/conv2d", conv2d, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Look at it: two hand-made filters
#
# A filter that is positive on one side and negative on the other responds
# to edges. Below, a digit and its two feature maps: vertical strokes light
# up the first, horizontal strokes the second. With `"valid"` padding the
# 8×8 digit gives 6×6 maps; with `"same"`, 8×8.

# %% tags=["demo"]
import matplotlib.pyplot as plt  # plots only: the graded code does not need it
from nndl.data import load_digits

data = load_digits(seed=0, val_fraction=0.0)  # 1,438 training and 359 test digits
images_train = data.X_train.reshape(-1, 8, 8, 1)
images_test = data.X_test.reshape(-1, 8, 8, 1)
sobel = np.array([[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]])
edges = np.stack([sobel, sobel.T], axis=-1)[:, :, None, :]  # (3, 3, 1, 2): vertical, horizontal
digit = images_test[:1]
fig, axes = plt.subplots(1, 5, figsize=(13, 2.8))
axes[0].imshow(digit[0, :, :, 0], cmap="gray_r")
axes[0].set_title(f"a {data.y_test[0]}, 8x8")
for padding, pair in (("valid", axes[1:3]), ("same", axes[3:5])):
    maps = conv2d(digit, edges, np.zeros(2), padding=padding)[0]
    for ax, o, name in zip(pair, range(2), ("vertical", "horizontal")):
        ax.imshow(maps[:, :, o], cmap="RdBu", vmin=-3, vmax=3)
        ax.set_title(f"{name} edges, {padding} {maps.shape[0]}x{maps.shape[1]}")
for ax in axes:
    ax.axis("off")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Exercise 2: max pooling (池化)
#
# `keras.layers.MaxPooling2D`: each channel separately, the maximum over a
# window of `pool_size` $(p_h, p_w)$, moved by `strides` — which default to
# the pool size, so that the windows do not overlap. The output sizes follow
# the same rules as the convolution's, with $p$ for $k$. With `"same"`
# padding the windows at the border are shorter: the padding never wins a
# maximum, as if it were $-\infty$ (not 0: all the values may be negative).

# %%
def max_pool2d(X, pool_size=(2, 2), strides=None, padding="valid"):
    """The output of a max-pooling layer, as `keras.layers.MaxPooling2D`.

    Y[n, y, x, c] = max_{i < ph, j < pw} Xp[n, y*sh + i, x*sw + j, c], where Xp is X
    ("valid") or X padded with -inf as for conv2d ("same"); strides default to pool_size.

    Args:
        X: feature maps, shape (batch, H, W, channels).
        pool_size: (ph, pw), the window.
        strides: (sh, sw), or None for pool_size.
        padding: "valid" or "same".
    Returns:
        float array of shape (batch, out_h, out_w, channels), sizes as in conv2d.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    X = np.asarray(X, dtype=np.float64)
    (ph, pw), (sh, sw) = pool_size, pool_size if strides is None else strides
    if padding == "same":  # -inf loses every maximum; the odd row (column) goes at the end
        pads = [max((-(-n // s) - 1) * s + p - n, 0) for n, p, s in zip(X.shape[1:3], (ph, pw), (sh, sw))]
        X = np.pad(X, [(0, 0)] + [(p // 2, p - p // 2) for p in pads] + [(0, 0)], constant_values=-np.inf)
    out_h, out_w = (X.shape[1] - ph) // sh + 1, (X.shape[2] - pw) // sw + 1
    Y = np.full((len(X), out_h, out_w, X.shape[3]), -np.inf)
    for i in range(ph):
        for j in range(pw):
            Y = np.maximum(Y, X[:, i:i + sh * (out_h - 1) + 1:sh, j:j + sw * (out_w - 1) + 1:sw])
    return Y
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch12_cnn/max_pool2d", max_pool2d)
### BEGIN HIDDEN TESTS
nndl.check("ch12_cnn/max_pool2d", max_pool2d, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 3: the fully connected layer on top
#
# `keras.layers.Flatten` turns each sample's maps into one vector in the
# array's own (row-major, C) order: for channels-last maps the channel index
# changes fastest, then the column, then the row. A `keras.layers.Dense`
# layer with kernel $W$ of shape (H·W·C, units) follows:
# $a = f(\mathrm{flatten}(X) W + b)$, with $f$ `"linear"`, `"relu"` or
# `"softmax"` (over the units of each sample, computed without overflow).

# %%
def fully_connected(X, W, b, activation="softmax"):
    """Flatten feature maps and apply a dense layer, as `keras.layers.Flatten` + `keras.layers.Dense`.

    a = f(X.reshape(batch, H*W*C) W + b), the reshape in NumPy's row-major order.

    Args:
        X: feature maps, shape (batch, H, W, C).
        W: kernel, shape (H*W*C, units).
        b: biases, shape (units,).
        activation: "linear", "relu" or "softmax".
    Returns:
        float array of shape (batch, units).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    ### BEGIN SOLUTION
    Z = np.reshape(np.asarray(X, dtype=np.float64), (len(X), -1)) @ W + b
    if activation == "linear":
        return Z
    if activation == "relu":
        return np.maximum(Z, 0.0)
    if activation == "softmax":
        e = np.exp(Z - Z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(f"unknown activation {activation!r}")
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch12_cnn/fully_connected", fully_connected)
### BEGIN HIDDEN TESTS
nndl.check("ch12_cnn/fully_connected", fully_connected, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 4: build it with Keras
#
# Build this network as a `keras.Sequential`, in this order:
#
# | layer | Keras | output for the 8×8 digits |
# | --- | --- | --- |
# | input | `keras.Input(input_shape)` | (8, 8, 1) |
# | convolution (卷积) | `Conv2D(filters[0], (3, 3), padding="same", activation="relu")` | (8, 8, 16) |
# | pooling (池化) | `MaxPooling2D((2, 2))` | (4, 4, 16) |
# | convolution | `Conv2D(filters[1], (3, 3), padding="valid", activation="relu")` | (2, 2, 32) |
# | flatten | `Flatten()` | (128,) |
# | full connection (全连接) | `Dense(n_classes, activation="softmax")` | (10,) |
#
# That is 160 + 4,640 + 1,290 = 6,090 parameters. The grader compares your
# model with the reference layer by layer — layer type, output shape,
# parameter count, activation, padding, filters, kernel size, strides and
# pool size — and prints the differences as a diff (`-` expected,
# `+` yours); then it copies your weights into the reference model and
# compares the outputs.

# %%
def build_cnn(input_shape=(8, 8, 1), filters=(16, 32), n_classes=10):
    """A small convolutional network, as a `keras.Sequential`.

    Input(input_shape) -> Conv2D(filters[0], 3x3, same, relu) -> MaxPooling2D(2x2)
    -> Conv2D(filters[1], 3x3, valid, relu) -> Flatten -> Dense(n_classes, softmax).

    Args:
        input_shape: (H, W, channels) of one image; H and W at least 6.
        filters: the number of filters of the two convolutional layers.
        n_classes: the number of output units.
    Returns:
        an untrained keras.Sequential model.

    Framework exercise (框架): build it with Keras.
    """
    ### BEGIN SOLUTION
    import keras  # here, not at the top: the NumPy exercises do not need Keras

    return keras.Sequential([
        keras.Input(tuple(input_shape)),
        keras.layers.Conv2D(filters[0], (3, 3), padding="same", activation="relu"),
        keras.layers.MaxPooling2D((2, 2)),
        keras.layers.Conv2D(filters[1], (3, 3), padding="valid", activation="relu"),
        keras.layers.Flatten(),
        keras.layers.Dense(n_classes, activation="softmax"),
    ])
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch12_cnn/build_cnn", build_cnn)
### BEGIN HIDDEN TESTS
nndl.check("ch12_cnn/build_cnn", build_cnn, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Exercise 5: train it on the digits
#
# Train `build_cnn(X_train.shape[1:])` (ten classes) and return the trained
# model:
#
# 1. `keras.utils.set_random_seed(seed)` first, so that the same call always
#    gives the same model (the grade must not depend on luck);
# 2. compile with `keras.optimizers.Adam` and the loss
#    `"sparse_categorical_crossentropy"` (the labels are integers 0–9);
# 3. let the learning rate fall from `learning_rate` to 0 along a half cosine,
#    `keras.optimizers.schedules.CosineDecay(learning_rate, decay_steps)`,
#    over all the steps of training: `decay_steps` = `epochs` times the number
#    of mini-batches per epoch, $\lceil n / \text{batch\_size} \rceil$. The
#    last, small steps settle the weights instead of shaking them, and the
#    accuracy varies much less from seed to seed;
# 4. `model.fit(X_train, y_train, batch_size=..., epochs=..., verbose=0)`.
#
# **How you are checked.** The grader passes the 1,438 training digits of its
# fixed split (`load_digits(seed=0, val_fraction=0)`, as images of shape
# (8, 8, 1)), checks the returned model's structure as in Exercise 4, copies
# its weights into the reference model and measures the accuracy on the 359
# test digits, which your function never sees. It needs **at least 97%**, and
# `train_cnn` must return within **60 s** on the grader's 2 CPU cores (the
# model answer takes under 2 s). The hidden check trains with another seed
# on the same digits in another order, in mini-batches of 64 at a learning
# rate of 0.02: use the arguments you are given.

# %%
def train_cnn(X_train, y_train, epochs=8, batch_size=32, learning_rate=0.01, seed=0):
    """Train build_cnn(X_train.shape[1:]) with Adam and a cosine-decayed learning rate.

    set_random_seed(seed); Adam(CosineDecay(learning_rate, epochs * ceil(n / batch_size)));
    sparse categorical cross-entropy; model.fit(..., batch_size, epochs, verbose=0).
    Mirrors the reference training run; deterministic for a given seed.

    Args:
        X_train: images, shape (n, H, W, channels), values in [0, 1].
        y_train: integer labels 0..9, shape (n,).
        epochs: passes over the training data.
        batch_size: samples per mini-batch.
        learning_rate: the learning rate of the first step.
        seed: the seed of keras.utils.set_random_seed.
    Returns:
        the trained keras.Sequential model.

    Framework exercise (框架): build it with Keras.
    """
    ### BEGIN SOLUTION
    import keras

    keras.utils.set_random_seed(seed)
    model = build_cnn(np.shape(X_train)[1:])
    steps = epochs * -(-len(X_train) // batch_size)  # mini-batches in all; the last may be short
    schedule = keras.optimizers.schedules.CosineDecay(learning_rate, steps)
    model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy")
    model.fit(X_train, y_train, batch_size=batch_size, epochs=epochs, verbose=0)
    return model
    ### END SOLUTION


# %% tags=["check"]
import nndl

nndl.check("ch12_cnn/train_cnn", train_cnn)
### BEGIN HIDDEN TESTS
nndl.check("ch12_cnn/train_cnn", train_cnn, hidden=True)
### END HIDDEN TESTS

# %% [markdown]
# ## Look at it: what the network learned
#
# Your network, trained on the training digits. Top: the 16 filters of the
# first convolutional layer (3×3 each; red positive, blue negative) — many
# are edge and stroke detectors, like the hand-made ones above. Below: one
# test digit, its 16 feature maps after the first layer (ReLU), and the
# same maps after max pooling, at half the resolution.
#
# Then the whole network once more, in NumPy: your `conv2d`, `max_pool2d`
# and `fully_connected` with the trained weights give the same probabilities
# as Keras.

# %% tags=["demo"]
import time

start = time.perf_counter()
model = train_cnn(images_train, data.y_train)
seconds = time.perf_counter() - start
y_pred = model.predict(images_test, verbose=0).argmax(axis=1)
print(f"trained in {seconds:.1f} s; test accuracy {np.mean(y_pred == data.y_test):.1%}")

K1, b1, K2, b2, W, b = model.get_weights()
maps = np.maximum(conv2d(digit, K1, b1, padding="same"), 0.0)[0]
pooled = max_pool2d(maps[None])[0]
fig, axes = plt.subplots(3, 16, figsize=(16, 3.6))
limit = np.abs(K1).max()
for o in range(16):
    axes[0, o].imshow(K1[:, :, 0, o], cmap="RdBu", vmin=-limit, vmax=limit)
    axes[1, o].imshow(maps[:, :, o], cmap="viridis")
    axes[2, o].imshow(pooled[:, :, o], cmap="viridis")
for ax in axes.ravel():
    ax.set_xticks([])
    ax.set_yticks([])
for row, name in enumerate(("filters", "maps 8x8", "pooled 4x4")):
    axes[row, 0].set_ylabel(name)
fig.suptitle(f"first layer of the trained network, on a test {data.y_test[0]}")
plt.show()

# %% tags=["demo"]
hidden = np.maximum(conv2d(max_pool2d(np.maximum(conv2d(images_test, K1, b1, padding="same"), 0.0)),
                           K2, b2), 0.0)
mine = fully_connected(hidden, W, b)
keras_probabilities = model.predict(images_test, verbose=0)
print(f"NumPy forward pass vs Keras: largest difference {np.abs(mine - keras_probabilities).max():.2g}; "
      f"{np.mean(mine.argmax(axis=1) == y_pred):.1%} of the answers agree")
wrong = np.flatnonzero(y_pred != data.y_test)[:8]
fig, axes = plt.subplots(1, max(len(wrong), 1), figsize=(1.6 * max(len(wrong), 1), 2), squeeze=False)
for ax, index in zip(axes[0], wrong):
    ax.imshow(images_test[index, :, :, 0], cmap="gray_r")
    ax.set_title(f"{data.y_test[index]}, says {y_pred[index]}")
for ax in axes[0]:
    ax.axis("off")
fig.suptitle("test digits the network gets wrong")
plt.tight_layout()
plt.show()
