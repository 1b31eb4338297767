# Student edition of the course, generated from source/ch01_perceptron.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 1 — The perceptron (感知器)
#
# A **perceptron (感知器)**, also simply called a neuron (神经元), takes inputs
# $x_1, \dots, x_n$, weighs them with **weights (权重)** $w_j$, adds a
# **bias (偏置)** $b$ and fires when the total is positive:
#
# $$\text{output} = \begin{cases} 1 & \text{if } w \cdot x + b > 0 \\ 0 & \text{otherwise} \end{cases}$$
#
# The rule inside the brackets is the **step function (阶跃函数)**. With the
# right weights a single perceptron computes AND, OR or NAND — and since NAND
# is universal, networks of perceptrons can compute any logical function.
#
# A perceptron can fit any **linear classification (线性分类)** problem: it
# draws a line (a plane, in more dimensions) $w \cdot x + b = 0$ and answers 1
# on one side. Which side, and where the line lies, it can **learn**.
#
# **The perceptron rule (感知器规则).** Start with $w = 0$ and $b = 0$. Go
# through the training samples in order; for each $(x, y)$ compute the current
# output $\hat y$ and nudge the weights by the error:
#
# $$w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y)$$
#
# $\eta$ (`eta`) is the **learning rate (学习速率)**. A correct answer changes
# nothing; a wrong one moves the line toward the sample. One pass over all
# samples is an **epoch**. If the data are linearly separable the rule stops
# making mistakes after finitely many updates (the perceptron convergence
# theorem). XOR is not separable: no line puts (0,1) and (1,0) on one side and
# (0,0) and (1,1) on the other, so the rule never settles.
#
# The grader compares your functions with a Keras `Dense(1)` layer holding the
# same weights (followed by a step), and with the same rule run on
# `tf.Variable`s. Keras stores a kernel as (n_in, n_out); here `w` is a plain
# vector of length n_in.

# %%
import numpy as np

BITS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
GATES = {"AND": np.array([0, 0, 0, 1.0]), "OR": np.array([0, 1, 1, 1.0]),
         "NAND": np.array([1, 1, 1, 0.0]), "XOR": np.array([0, 1, 1, 0.0])}

# %% [markdown]
# ## Exercise 1: the step function and a perceptron's prediction

# %%
def step(z):
    """The step function (阶跃函数): 1.0 where z > 0, else 0.0.

    Args:
        z: array of any shape (weighted inputs).
    Returns:
        float array of the same shape; step(0) = 0, the neuron does not fire.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def perceptron_predict(X, w, b):
    """The outputs of one perceptron for a batch of inputs: step(X w + b).

    Mirrors `keras.layers.Dense(1)` (kernel = w as a column) followed by a step.

    Args:
        X: inputs, shape (n, n_in).
        w: weights, shape (n_in,).
        b: bias, a float.
    Returns:
        float array of shape (n,) with values 0.0 or 1.0.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch01_perceptron/step", step)
nndl.check("ch01_perceptron/perceptron_predict", perceptron_predict)

# %% [markdown]
# ## Exercise 2: the perceptron rule
#
# Update after **every** sample, in the order given, using the output computed
# with the weights as they are at that moment.

# %%
def perceptron_train(X, y, eta=0.1, epochs=10):
    """Train a perceptron with the perceptron rule, from w = 0 and b = 0.

    For each epoch, for each sample (x, y) in order:
        y_hat = step(w . x + b)
        w <- w + eta (y - y_hat) x
        b <- b + eta (y - y_hat)

    Args:
        X: inputs, shape (n, n_in).
        y: targets 0.0 or 1.0, shape (n,).
        eta: the learning rate.
        epochs: the number of passes over the data.
    Returns:
        (w, b): w of shape (n_in,) and b a float, after the last epoch.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def perceptron_converges(X, y, eta=0.1, epochs=100):
    """Whether the perceptron rule fits the data: True when, after training,
    every training sample is classified correctly.

    Args:
        X: inputs, shape (n, n_in).
        y: targets 0.0 or 1.0, shape (n,).
        eta: the learning rate.
        epochs: the number of passes over the data.
    Returns:
        bool.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch01_perceptron/perceptron_train", perceptron_train)
nndl.check("ch01_perceptron/perceptron_converges", perceptron_converges)

# %% [markdown]
# ## Look at it: what a perceptron can and cannot separate
#
# The shaded half-plane is where the trained perceptron outputs 1. It finds a
# line for AND, OR and NAND; for XOR every line gets at least one point wrong.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it

    grid = np.stack(np.meshgrid(np.linspace(-0.5, 1.5, 200), np.linspace(-0.5, 1.5, 200)), -1)
    fig, axes = plt.subplots(1, 4, figsize=(14, 3.5))
    for ax, (name, y) in zip(axes, GATES.items()):
        w, b = perceptron_train(BITS, y, eta=0.5, epochs=20)
        region = perceptron_predict(grid.reshape(-1, 2), w, b).reshape(grid.shape[:2])
        ax.contourf(grid[..., 0], grid[..., 1], region, levels=[-0.5, 0.5, 1.5], colors=["white", "#cde"])
        ax.scatter(BITS[:, 0], BITS[:, 1], c=y, cmap="coolwarm", s=120, edgecolors="k")
        verdict = "separable" if perceptron_converges(BITS, y, eta=0.5) else "NOT separable"
        ax.set_title(f"{name}: {verdict}")
        ax.set_xlim(-0.5, 1.5)
        ax.set_ylim(-0.5, 1.5)
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# How many mistakes does each epoch make? On OR they stop; on XOR they never do.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    def mistakes_per_epoch(X, y, eta=0.5, epochs=12):
        return [np.sum(perceptron_predict(X, *perceptron_train(X, y, eta, e)) != y)
                for e in range(1, epochs + 1)]


    for name in ("OR", "XOR"):
        plt.plot(range(1, 13), mistakes_per_epoch(BITS, GATES[name]), "o-", label=name)
    plt.xlabel("epochs of training")
    plt.ylabel("misclassified samples")
    plt.legend()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
