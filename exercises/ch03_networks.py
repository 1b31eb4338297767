# Student edition of the course, generated from source/ch03_networks.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 3 — The architecture of neural networks (神经网络架构)
#
# A **neural network (神经网络)** is neurons connected by a fixed rule. In a
# **fully connected (全连接, FC)** network:
#
# * neurons are arranged in **layers (层)**: the **input layer (输入层)** on the
#   left receives the data, the **output layer (输出层)** on the right gives the
#   answer, and the **hidden layers (隐藏层)** in between are invisible from
#   outside;
# * neurons of the same layer are not connected to each other;
# * every neuron of layer $l$ is connected to **all** neurons of layer $l-1$,
#   and each connection has a **weight (权值)**.
#
# One layer computes $a' = \sigma(a W + b)$ for a batch of activations $a$ of
# shape (batch, n_in), a weight matrix $W$ of shape (n_in, n_out) and a bias
# vector $b$ of shape (n_out,). This is exactly `keras.layers.Dense`, whose
# kernel has shape (n_in, n_out). Nielsen writes $a' = \sigma(w a + b)$ with
# $w$ of shape (n_out, n_in) acting on one column vector: his $w$ is the
# transpose of the Keras kernel. This course uses the Keras layout and puts
# samples in rows.
#
# A **feed-forward (前馈)** network applies its layers in order. Nielsen's
# network for MNIST has sizes [784, 30, 10]: 784 input pixels, 30 hidden
# neurons and 10 outputs, with $784 \cdot 30 + 30 + 30 \cdot 10 + 10 = 23\,860$
# parameters.
#
# In the last exercise you build the same kind of network with Keras; the
# grader compares your model with a reference model layer by layer.

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: one dense layer, then a whole network
#
# `activation` is one of "sigmoid", "tanh", "relu", "linear" and "softmax"
# (over the units of each sample). You may reuse your chapter 2 functions by
# writing them here.

# %%
def dense_forward(X, W, b, activation="sigmoid"):
    """The output of one fully connected layer, as `keras.layers.Dense`.

    a = activation(X W + b)

    Args:
        X: inputs, shape (batch, n_in).
        W: kernel, shape (n_in, n_out) (the transpose of Nielsen's w).
        b: biases, shape (n_out,).
        activation: "sigmoid", "tanh", "relu", "linear" or "softmax".
    Returns:
        float array of shape (batch, n_out).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def feedforward(X, weights, biases, activation="sigmoid"):
    """The output of a fully connected network, as a `keras.Sequential` of `Dense` layers.

    a = X; then for every layer: a = activation(a W + b).

    Args:
        X: inputs, shape (batch, sizes[0]).
        weights: list of kernels; weights[l] has shape (sizes[l], sizes[l + 1]).
        biases: list of bias vectors; biases[l] has shape (sizes[l + 1],).
        activation: the activation of every layer, the last one included.
    Returns:
        float array of shape (batch, sizes[-1]).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def param_count(sizes):
    """The number of weights and biases of a fully connected network, as
    `model.count_params()`.

    Args:
        sizes: layer sizes, e.g. [784, 30, 10].
    Returns:
        int.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch03_networks/dense_forward", dense_forward)
nndl.check("ch03_networks/feedforward", feedforward)
nndl.check("ch03_networks/param_count", param_count)

# %% [markdown]
# ## Exercise 2: build it with Keras
#
# Build the network of Exercise 1 as a Keras model: a `keras.Input` of width
# `sizes[0]`, then one `keras.layers.Dense` per later size, with `activation`
# in the hidden layers and `output_activation` in the last one. The grader
# checks the layer types, output shapes, parameter counts and activations,
# then copies your model's weights into its reference model and compares the
# outputs.

# %%
def build_mlp(sizes, activation="sigmoid", output_activation="softmax"):
    """A `keras.Sequential` multilayer perceptron with the given layer sizes.

    Args:
        sizes: layer sizes, e.g. [64, 30, 10]; sizes[0] is the input width.
        activation: activation of the hidden layers.
        output_activation: activation of the output layer.
    Returns:
        a keras.Sequential model with len(sizes) - 1 Dense layers.

    Framework exercise (框架): build it with Keras.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch03_networks/build_mlp", build_mlp)

# %% [markdown]
# ## Look at it: what depth does to a function
#
# Random networks with two inputs and one sigmoid output, drawn over the
# plane. One layer can only draw a straight boundary; each extra hidden layer
# composes more bends.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it

    rng = np.random.default_rng(3)
    grid = np.stack(np.meshgrid(np.linspace(-3, 3, 150), np.linspace(-3, 3, 150)), -1).reshape(-1, 2)
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.4))
    for ax, depth in zip(axes, (0, 1, 2, 4)):
        sizes = [2] + [16] * depth + [1]
        weights = [rng.normal(0, 2, (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
        biases = [rng.normal(0, 1, n) for n in sizes[1:]]
        out = feedforward(grid, weights, biases, activation="sigmoid").reshape(150, 150)
        ax.imshow(out, extent=(-3, 3, -3, 3), origin="lower", cmap="viridis")
        ax.set_title(f"{depth} hidden layer(s), {param_count(sizes)} params")
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# And a real one: your Keras model, trained for a few seconds on the bundled
# 8x8 digits (the course's offline stand-in for MNIST), then the first test
# digits with its answers.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    from nndl.data import load_digits

    data = load_digits(seed=0)
    model = build_mlp([64, 30, 10], activation="sigmoid", output_activation="softmax")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.fit(data.X_train, data.y_train, epochs=30, batch_size=32, verbose=0)
    loss, accuracy = model.evaluate(data.X_test, data.y_test, verbose=0)
    predicted = model.predict(data.X_test[:8], verbose=0).argmax(axis=1)
    fig, axes = plt.subplots(1, 8, figsize=(12, 2))
    for ax, image, label in zip(axes, data.X_test[:8], predicted):
        ax.imshow(image.reshape(8, 8), cmap="gray_r")
        ax.set_title(f"says {label}")
        ax.axis("off")
    fig.suptitle(f"[64, 30, 10] on digits: test accuracy {accuracy:.1%}")
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
