# Student edition of the course, generated from source/ch02_activations.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 2 — Sigmoid neurons and activation functions (S型神经元, 激活函数)
#
# A neuron computes a weighted sum plus a bias, $z = w \cdot x + b$, and then an
# **activation function (激活函数)** decides what it outputs. The perceptron of
# chapter 1 used the **step function (阶跃函数)**: it can only say yes or no, and
# a tiny change in a weight can flip the output completely — which makes
# learning by small steps impossible.
#
# The **sigmoid neuron (S型神经元)** replaces the step by its smooth version
# $\sigma(z) = 1/(1+e^{-z})$: a small change in $w$ or $b$ now makes a small
# change in the output, and that is what gradient descent needs.
#
# | function | formula | derivative | range |
# | --- | --- | --- | --- |
# | step (阶跃函数) | $1$ if $z>0$ else $0$ | $0$ (almost everywhere) | $\{0, 1\}$ |
# | linear (线性函数) | $z$ | $1$ | $\mathbb{R}$ |
# | sigmoid | $1/(1+e^{-z})$ | $\sigma(z)(1-\sigma(z))$ | $(0, 1)$ |
# | tanh | $(e^z-e^{-z})/(e^z+e^{-z})$ | $1-\tanh^2 z$ | $(-1, 1)$ |
# | ReLU (修正线性单元) | $\max(0, z)$ | $1$ if $z>0$ else $0$ | $[0, \infty)$ |
# | leaky ReLU (弱修正ReLU) | $z$ if $z>0$ else $\alpha z$ | $1$ or $\alpha$ | $\mathbb{R}$ |
# | softmax | $e^{z_j}/\sum_k e^{z_k}$ | $s_i(\delta_{ij}-s_j)$ | probabilities |
#
# Three lessons from the notes:
#
# * A **linear** activation has a constant derivative, and a stack of linear
#   layers is still one linear function of the input: we need non-linearity.
# * **sigmoid** and **tanh** flatten out at both ends, so their gradient there
#   is tiny — the **vanishing gradient (梯度消失)** problem of chapter 11.
# * **ReLU** is cheap and does not saturate for $z>0$, but a unit stuck at
#   $z<0$ gets no gradient at all (the "dying ReLU" problem, 死亡ReLU);
#   **leaky ReLU** keeps a small slope $\alpha$ there.
#
# **Numerical stability.** Your functions are checked at $|z| = 1000$, where
# $e^{1000}$ overflows to `inf` in float64. `inf/inf` is `NaN`; a stable
# formula never builds such a quotient. Every function takes a NumPy array of
# any shape and returns an array of the same shape (softmax: along `axis`).
#
# Each function mirrors `keras.activations.<name>`; the grader compares your
# output with Keras on the same inputs, and your derivatives with
# `tf.GradientTape`.

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: step and linear

# %%
def step(x):
    """The step function (阶跃函数): 1.0 where x > 0, else 0.0.

    Args:
        x: array of any shape.
    Returns:
        float array of the same shape; step(0) = 0.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def linear(x):
    """The linear (identity) activation, `keras.activations.linear`: returns x.

    Args:
        x: array of any shape.
    Returns:
        float array equal to x.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def linear_prime(x):
    """The derivative of the linear activation: 1 everywhere.

    Args:
        x: array of any shape.
    Returns:
        float array of ones, same shape as x.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch02_activations/step", step)
nndl.check("ch02_activations/linear", linear)
nndl.check("ch02_activations/linear_prime", linear_prime)

# %% [markdown]
# ## Exercise 2: sigmoid and tanh, stable for large |x|
#
# $\sigma(x) = \dfrac{1}{1+e^{-x}}$. For $x = -1000$, $e^{-x} = e^{1000}$
# overflows. Equivalent forms avoid it: for $x<0$ use
# $\sigma(x) = \dfrac{e^{x}}{1+e^{x}}$, so the exponent is never positive.
# $\tanh$ is a rescaled sigmoid: $\tanh(x) = 2\sigma(2x) - 1$.

# %%
def sigmoid(x):
    """The sigmoid (logistic) function, `keras.activations.sigmoid`.

    sigma(x) = 1 / (1 + exp(-x)), computed without overflow for any x.

    Args:
        x: array of any shape.
    Returns:
        float array of the same shape, values in [0, 1].

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def tanh(x):
    """The hyperbolic tangent, `keras.activations.tanh`.

    tanh(x) = (e^x - e^-x) / (e^x + e^-x) = 2 sigma(2x) - 1.

    Args:
        x: array of any shape.
    Returns:
        float array of the same shape, values in [-1, 1].

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch02_activations/sigmoid", sigmoid)
nndl.check("ch02_activations/tanh", tanh)

# %% [markdown]
# ## Exercise 3: ReLU and leaky ReLU
#
# Keras's functional `keras.activations.leaky_relu` uses a default slope of
# 0.2 (the `LeakyReLU` layer defaults to 0.3): the argument name and default
# below follow the function.

# %%
def relu(x):
    """The rectified linear unit (修正线性单元), `keras.activations.relu`: max(0, x).

    Args:
        x: array of any shape.
    Returns:
        float array of the same shape.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def leaky_relu(x, negative_slope=0.2):
    """Leaky ReLU, `keras.activations.leaky_relu`: x if x > 0 else negative_slope * x.

    Args:
        x: array of any shape.
        negative_slope: the slope alpha for x <= 0 (default 0.2, as Keras).
    Returns:
        float array of the same shape.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch02_activations/relu", relu)
nndl.check("ch02_activations/leaky_relu", leaky_relu)

# %% [markdown]
# ## Exercise 4: softmax
#
# $\mathrm{softmax}(z)_j = e^{z_j} / \sum_k e^{z_k}$ turns a vector of scores
# into probabilities. Subtracting any constant $c$ from every $z_k$ leaves it
# unchanged — choose $c = \max_k z_k$ and no exponent is positive.

# %%
def softmax(x, axis=-1):
    """Softmax along `axis`, `keras.activations.softmax(x, axis=-1)`.

    softmax(x)_j = exp(x_j) / sum_k exp(x_k), stable for large |x|.

    Args:
        x: array of shape (..., n).
        axis: the axis that sums to 1 (default the last).
    Returns:
        float array of the same shape as x.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch02_activations/softmax", softmax)

# %% [markdown]
# ## Exercise 5: derivatives
#
# Backpropagation (chapter 5) needs $\sigma'(z)$ for every activation. The
# derivative of ReLU does not exist at exactly 0; like TensorFlow's gradient,
# use 0 there (and `negative_slope` for leaky ReLU).
#
# The softmax couples its outputs, so its derivative is a matrix, the
# **Jacobian** $J_{ij} = \partial s_i / \partial z_j = s_i(\delta_{ij} - s_j)$.

# %%
def sigmoid_prime(x):
    """Derivative of the sigmoid: sigma(x) * (1 - sigma(x)).

    Args:
        x: array of any shape.
    Returns:
        float array of the same shape.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def tanh_prime(x):
    """Derivative of tanh: 1 - tanh(x)^2.

    Args:
        x: array of any shape.
    Returns:
        float array of the same shape.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def relu_prime(x):
    """Derivative of ReLU: 1 where x > 0, else 0 (0 at x = 0, as TensorFlow).

    Args:
        x: array of any shape.
    Returns:
        float array of the same shape.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def leaky_relu_prime(x, negative_slope=0.2):
    """Derivative of leaky ReLU: 1 where x > 0, else negative_slope (also at 0).

    Args:
        x: array of any shape.
        negative_slope: the slope for x <= 0 (default 0.2).
    Returns:
        float array of the same shape.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def softmax_jacobian(x):
    """The Jacobian of softmax at a vector x: J[i, j] = s_i (delta_ij - s_j).

    Args:
        x: array of shape (n,).
    Returns:
        float array of shape (n, n), where s = softmax(x).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch02_activations/sigmoid_prime", sigmoid_prime)
nndl.check("ch02_activations/tanh_prime", tanh_prime)
nndl.check("ch02_activations/relu_prime", relu_prime)
nndl.check("ch02_activations/leaky_relu_prime", leaky_relu_prime)
nndl.check("ch02_activations/softmax_jacobian", softmax_jacobian)

# %% [markdown]
# ## Look at them
#
# Each curve with its derivative (dashed). Where the dashed line is near zero,
# a neuron learns slowly: both ends of sigmoid and tanh, and the left half of
# ReLU.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it

    z = np.linspace(-6, 6, 400)
    pairs = [("step", step, None), ("sigmoid", sigmoid, sigmoid_prime), ("tanh", tanh, tanh_prime),
             ("ReLU", relu, relu_prime), ("leaky ReLU", leaky_relu, leaky_relu_prime)]
    fig, axes = plt.subplots(1, len(pairs), figsize=(16, 3), sharex=True)
    for ax, (name, f, f_prime) in zip(axes, pairs):
        ax.plot(z, f(z), label=name)
        if f_prime is not None:
            ax.plot(z, f_prime(z), "--", label="derivative")
        ax.axhline(0, color="grey", lw=0.5)
        ax.set_title(name)
        ax.legend(loc="upper left", fontsize=8)
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# Softmax turns scores into probabilities, and sharpens as the scores grow:

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    scores = np.array([2.0, 1.0, 0.5, -1.0])
    for scale in (0.5, 1, 3):
        plt.plot(softmax(scale * scores), "o-", label=f"softmax({scale} z)")
    plt.xticks(range(4), ["z1", "z2", "z3", "z4"])
    plt.ylabel("probability")
    plt.legend()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
