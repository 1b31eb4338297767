# Student edition of the course, generated from source/ch08_initialization.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 8 — Weight initialization (权重初始化)
#
# Before a network learns anything, every weight and bias needs a starting
# value. The notes put Nielsen's lesson in two lines: choosing them as
# **independent Gaussian random variables (独立高斯随机变量)** N(0, 1) is what we
# did so far; a **normalized Gaussian (归一化的高斯分布)** does better.
#
# Why? A hidden neuron computes $z = \sum_j w_j x_j + b$. With $n_{in}$
# inputs and every $w_j, b \sim N(0, 1)$, $z$ is a sum of many independent
# terms, so its variance is $\sum_j x_j^2 + 1$. Nielsen's example: 1,000
# inputs, half of them 1 and half 0, gives $\text{Var}(z) = 501$, a standard
# deviation of 22.4. Most neurons then start with $|z| \gg 1$, where the
# sigmoid is flat: the neuron is **saturated (饱和)**, $\sigma'(z) \approx 0$,
# and gradient descent barely moves its weights — the learning slowdown of
# chapter 6, this time in the hidden layer, where the cross-entropy cost does
# not help.
#
# The remedy: draw each weight from $N(0, 1/n_{in})$. Then
# $\text{Var}(z) = \frac{1}{n_{in}}\sum_j x_j^2 + 1 \le 2$ for inputs in
# $[0, 1]$ (1.5 in Nielsen's example), and the neurons start where they can
# learn. Later work refined the same idea — keep the variance of the signal
# the same from layer to layer:
#
# | initialiser | variance of each weight | for | Keras |
# | --- | --- | --- | --- |
# | Nielsen's first | $1$ | — | `RandomNormal(0, 1)` |
# | Nielsen's normalized (LeCun) | $1/n_{in}$ | sigmoid, tanh | `VarianceScaling(1, "fan_in", ...)` |
# | Glorot / Xavier (2010) | $2/(n_{in}+n_{out})$ | tanh, sigmoid: forward *and* backward | `GlorotNormal`, `GlorotUniform` |
# | He / Kaiming (2015) | $2/n_{in}$ | ReLU, which zeroes half its inputs | `HeNormal`, `HeUniform` |
#
# Glorot's compromise between $n_{in}$ and $n_{out}$ keeps the variance of
# the activations going forward *and* of the gradients going backward; He's
# factor 2 makes up for ReLU setting half the units to 0. `keras.layers.Dense`
# starts its kernel with `GlorotUniform` and its biases at 0.
#
# **Fans.** Keras calls $n_{in}$ and $n_{out}$ the **fans** of a weight
# tensor. A Dense kernel of shape (n_in, n_out) has fan_in = n_in and
# fan_out = n_out. A convolution kernel of shape (kh, kw, c_in, c_out) sees
# kh·kw·c_in inputs per output, so fan_in = kh·kw·c_in and
# fan_out = kh·kw·c_out.
#
# **Two distributions for one variance.**
#
# * **Uniform**: $U(-L, L)$ has variance $L^2/3$, so a target variance $v$
#   needs the limit $L = \sqrt{3v}$: Glorot's $\sqrt{6/(n_{in}+n_{out})}$,
#   He's $\sqrt{6/n_{in}}$.
# * **Truncated normal (截断正态分布)**: draw $N(0, s^2)$ and redraw every value
#   beyond $2s$, so that no weight is an outlier. Cutting the tails shrinks the
#   standard deviation to $0.8796\,s$. Keras compensates: for a target
#   standard deviation $\sigma$ it draws with $s = \sigma / 0.8796$, truncates
#   at $\pm 2s = \pm 2.27\,\sigma$, and the result has standard deviation
#   exactly $\sigma$. (`keras.initializers.RandomNormal` is *not* truncated.)
#
# The constant is the standard deviation of $N(0, 1)$ truncated to
# $[-a, a]$ with $a = 2$: $\sqrt{1 - \dfrac{2a\,\varphi(a)}{2\Phi(a) - 1}}$,
# where $\varphi$ and $\Phi$ are the standard normal density and CDF.
#
# **How you are graded.** Your initialisers draw from
# `np.random.default_rng(seed)`; Keras's draw from TensorFlow's generator. The
# numbers can never agree, only their distribution can. So the grader draws
# a large tensor from your function and one from the Keras initialiser and
# compares their mean, spread and tails, the largest |w| (which must respect
# the bound exactly) and the whole distribution (a Kolmogorov–Smirnov test).
# Every tolerance comes from the sample size, set so that a correct
# initialiser fails less than once in a billion gradings; a standard deviation
# off by a few percent fails every time.

# %%
import math

import numpy as np

# The standard deviation of N(0, 1) truncated to [-2, 2]; Keras writes it as 0.87962566103423978.
TRUNCATED_STD = math.sqrt(1 - 4 * math.exp(-2) / math.sqrt(2 * math.pi) / math.erf(math.sqrt(2)))

# %% [markdown]
# ## Exercise 1: fans
#
# Every initialiser below needs fan_in (and Glorot's also fan_out) of the
# shape it fills. Follow Keras's rules: a scalar shape `()` counts as (1, 1),
# a 1-D shape `(n,)` as (n, n), and for two or more axes the last two are
# (inputs, outputs) and all earlier axes form the receptive field.

# %%
def compute_fans(shape):
    """(fan_in, fan_out) of a weight tensor, as keras.initializers compute them.

    ()                        -> (1, 1)
    (n,)                      -> (n, n)
    (n_in, n_out)             -> (n_in, n_out)                 a Dense kernel
    (k1, ..., kd, c_in, c_out) -> (R * c_in, R * c_out)        a conv kernel,
                                 with the receptive field R = k1 * ... * kd

    Args:
        shape: tuple or list of ints.
    Returns:
        (fan_in, fan_out), two ints.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch08_initialization/compute_fans", compute_fans)

# %% [markdown]
# ## Exercise 2: Nielsen's two initialisations
#
# Every initialiser in this chapter is a function `(shape, seed) -> array`
# that makes its generator with `rng = np.random.default_rng(seed)` and returns
# a float array of exactly `shape`. Here $n_{in}$ is fan_in.

# %%
def standard_normal(shape, seed=None):
    """Every weight from N(0, 1): Nielsen's first initialisation.

    As keras.initializers.RandomNormal(mean=0.0, stddev=1.0, seed=seed)(shape).

    Args:
        shape: tuple or list of ints, e.g. (n_in, n_out) for a Dense kernel.
        seed: int, the seed of np.random.default_rng.
    Returns:
        float array of shape `shape`.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def scaled_normal(shape, seed=None):
    """Every weight from N(0, 1/n_in), not truncated: Nielsen's normalized Gaussian.

    w ~ N(0, 1 / fan_in), standard deviation 1 / sqrt(fan_in), as
    keras.initializers.VarianceScaling(scale=1.0, mode="fan_in",
    distribution="untruncated_normal", seed=seed)(shape).
    (keras.initializers.LecunNormal has the same variance, but truncated.)

    Args:
        shape: tuple or list of ints; fan_in as in compute_fans.
        seed: int, the seed of np.random.default_rng.
    Returns:
        float array of shape `shape`.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch08_initialization/standard_normal", standard_normal)
nndl.check("ch08_initialization/scaled_normal", scaled_normal)

# %% [markdown]
# ### Saturation, seen
#
# The hidden layer of a [n_in, 30, 10] network on the digits, before any
# training: the histogram of $z = XW + b$ over every image and every hidden
# unit, with $W$ from each initialiser (the biases from N(0, 1) in both, as
# in Nielsen's experiment). The grey band is where
# $\sigma'(z) > 0.1\,\sigma'(0)$, i.e. $|z| < 3.6$: outside it a unit is
# saturated. The 8x8 digits have only 64 inputs, with $\sum_j x_j^2 \approx 15$
# per image; MNIST's 784 pixels give about 100. So the right-hand plot blows
# each digit up to 16x16 (each pixel a 2x2 block, 256 inputs), closer to
# MNIST.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it
    from nndl.data import load_digits

    data = load_digits(seed=0)


    def upsample(X, factor):
        """Each 8x8 image blown up to (8 factor)^2 pixels, each pixel a factor x factor block."""
        return np.kron(X.reshape(-1, 8, 8), np.ones((1, factor, factor))).reshape(len(X), -1)


    def sigmoid(z):
        return 0.5 * (1.0 + np.tanh(0.5 * z))


    fig, axes = plt.subplots(1, 2, figsize=(12, 3.5))
    for ax, factor in zip(axes, (1, 2)):
        X = upsample(data.X_train, factor)
        b = standard_normal((30,), seed=2)
        for init, color in ((standard_normal, "tab:red"), (scaled_normal, "tab:blue")):
            z = X @ init((X.shape[1], 30), seed=1) + b
            saturated = np.mean(np.abs(z) > 3.6)
            ax.hist(z.ravel(), bins=120, range=(-30, 30), density=True, alpha=0.6, color=color,
                    label=f"{init.__name__}: std of z {z.std():.1f}, {saturated:.0%} saturated")
        ax.axvspan(-3.6, 3.6, color="grey", alpha=0.2)
        ax.set_title(f"hidden z on {8 * factor}x{8 * factor} digits (n_in = {X.shape[1]})")
        ax.set_xlabel("z")
        ax.legend(fontsize=8)
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ### And its effect on training speed
#
# The same [256, 30, 10] sigmoid network, trained with mini-batch SGD on the
# cross-entropy cost (sigmoid outputs, as in Nielsen's `network2.py`,
# $\eta = 0.1$, batches of 10), from each initialisation: validation accuracy
# after every epoch, averaged over two runs. With $N(0, 1/n_{in})$ it is
# ahead from the first epoch on. On the 8x8 digits themselves (set
# `FACTOR = 1`) the gap is much smaller: with 64 inputs about a third of the
# $z$'s start saturated instead of two thirds (the first plot).

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    FACTOR, EPOCHS, ETA, BATCH = 2, 8, 0.1, 10


    def train(init, X, y, X_val, y_val, seed):
        """Mini-batch SGD on the cross-entropy cost; the validation accuracy after each epoch."""
        rng = np.random.default_rng(seed)
        W1, b1 = init((X.shape[1], 30), seed=seed), standard_normal((30,), seed=seed + 100)
        W2, b2 = init((30, 10), seed=seed + 200), standard_normal((10,), seed=seed + 300)
        Y, accuracy = np.eye(10)[y], []
        for _ in range(EPOCHS):
            order = rng.permutation(len(X))
            for start in range(0, len(X), BATCH):
                rows = order[start:start + BATCH]
                a1 = sigmoid(X[rows] @ W1 + b1)
                delta2 = (sigmoid(a1 @ W2 + b2) - Y[rows]) / len(rows)   # cross-entropy: no sigma'
                delta1 = (delta2 @ W2.T) * a1 * (1 - a1)
                W2, b2 = W2 - ETA * a1.T @ delta2, b2 - ETA * delta2.sum(0)
                W1, b1 = W1 - ETA * X[rows].T @ delta1, b1 - ETA * delta1.sum(0)
            accuracy.append(np.mean((sigmoid(X_val @ W1 + b1) @ W2 + b2).argmax(1) == y_val))
        return np.array(accuracy)


    X, X_val = upsample(data.X_train, FACTOR), upsample(data.X_val, FACTOR)
    plt.figure(figsize=(6, 3.5))
    for init, color in ((standard_normal, "tab:red"), (scaled_normal, "tab:blue")):
        curve = np.mean([train(init, X, data.y_train, X_val, data.y_val, seed) for seed in (0, 1)], 0)
        plt.plot(range(1, EPOCHS + 1), curve, "o-", color=color, label=init.__name__)
    plt.xlabel("epoch")
    plt.ylabel("validation accuracy")
    plt.title(f"[{X.shape[1]}, 30, 10] sigmoid network, cross-entropy")
    plt.legend()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Exercise 3: the truncated normal
#
# Draw N(0, stddev²); while any value lies beyond 2·stddev, redraw those
# values (and only those) — TensorFlow's `truncated_normal` does the same.
# Do not clip them to the bound instead: that piles 4.6% of the weights up at
# exactly ±2·stddev, and the grader sees it. About 4.6% of the draws need a
# redraw, so the loop ends after a few rounds.

# %%
def truncated_normal(shape, stddev, seed=None):
    """N(0, stddev^2) truncated to [-2 stddev, 2 stddev], values beyond redrawn.

    As keras.initializers.TruncatedNormal(mean=0.0, stddev=stddev, seed=seed)(shape).
    The result's standard deviation is TRUNCATED_STD * stddev (0.8796 stddev).

    Args:
        shape: tuple or list of ints.
        stddev: the standard deviation of the normal before truncation, > 0.
        seed: int, the seed of np.random.default_rng.
    Returns:
        float array of shape `shape`, every |value| <= 2 * stddev.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch08_initialization/truncated_normal", truncated_normal)

# %% [markdown]
# ## Exercise 4: Glorot (Xavier) initialisation
#
# Target variance $2/(n_{in} + n_{out})$, that is fan_in and fan_out.
# `glorot_normal` uses your truncated normal, with the underlying standard
# deviation enlarged by 1 / TRUNCATED_STD so that the truncated result has the
# target variance; `glorot_uniform` draws from $U(-L, L)$ with the $L$ that
# gives the same variance.

# %%
def glorot_normal(shape, seed=None):
    """Glorot (Xavier) normal, as keras.initializers.GlorotNormal(seed=seed)(shape).

    A truncated normal (values beyond 2 s redrawn) with
    s = sqrt(2 / (fan_in + fan_out)) / TRUNCATED_STD, so that its standard
    deviation is sqrt(2 / (fan_in + fan_out)).

    Args:
        shape: tuple or list of ints; fans as in compute_fans.
        seed: int, the seed of np.random.default_rng.
    Returns:
        float array of shape `shape`.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def glorot_uniform(shape, seed=None):
    """Glorot (Xavier) uniform, as keras.initializers.GlorotUniform(seed=seed)(shape).

    w ~ U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out)): the
    variance limit^2 / 3 = 2 / (fan_in + fan_out). Keras's Dense default.

    Args:
        shape: tuple or list of ints; fans as in compute_fans.
        seed: int, the seed of np.random.default_rng.
    Returns:
        float array of shape `shape`.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch08_initialization/glorot_normal", glorot_normal)
nndl.check("ch08_initialization/glorot_uniform", glorot_uniform)

# %% [markdown]
# ## Exercise 5: He (Kaiming) initialisation
#
# Target variance $2/n_{in}$: only fan_in counts.

# %%
def he_normal(shape, seed=None):
    """He normal, as keras.initializers.HeNormal(seed=seed)(shape).

    A truncated normal (values beyond 2 s redrawn) with
    s = sqrt(2 / fan_in) / TRUNCATED_STD, so that its standard deviation is
    sqrt(2 / fan_in).

    Args:
        shape: tuple or list of ints; fan_in as in compute_fans.
        seed: int, the seed of np.random.default_rng.
    Returns:
        float array of shape `shape`.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def he_uniform(shape, seed=None):
    """He uniform, as keras.initializers.HeUniform(seed=seed)(shape).

    w ~ U(-limit, limit) with limit = sqrt(6 / fan_in): the variance 2 / fan_in.

    Args:
        shape: tuple or list of ints; fan_in as in compute_fans.
        seed: int, the seed of np.random.default_rng.
    Returns:
        float array of shape `shape`.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch08_initialization/he_normal", he_normal)
nndl.check("ch08_initialization/he_uniform", he_uniform)

# %% [markdown]
# ## What the initialisers look like, and why He is for ReLU
#
# Left: a sample of each of your initialisers for a (256, 128) kernel — the
# truncated normals stop at ±2.27 standard deviations, the uniforms at
# ±1.73. Right: the standard deviation of the activations through a deep net
# of width 256, layer after layer, fed random inputs. With tanh, 1/n_in and
# Glorot (equal here, since n_in = n_out) let the signal fade only slowly;
# with ReLU, which zeroes half of every layer, they lose a factor $\sqrt 2$
# per layer (over 100 times in 15 layers) and only He's factor 2 holds it
# steady — the first hint of the vanishing signals of chapter 11 (梯度消失).

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    shape = (256, 128)
    fig, axes = plt.subplots(1, 3, figsize=(15, 3.5))
    for init in (scaled_normal, glorot_normal, glorot_uniform, he_normal, he_uniform):
        w = init(shape, seed=0)
        axes[0].hist(w.ravel() / w.std(), bins=80, histtype="step", density=True,
                     label=f"{init.__name__} (std {w.std():.3f})")
    axes[0].set_xlabel("w / its standard deviation")
    axes[0].set_title("samples of a (256, 128) kernel")
    axes[0].legend(fontsize=7)
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 256))
    for ax, (name, activation) in zip(axes[1:], (("tanh", np.tanh), ("ReLU", lambda z: np.maximum(z, 0)))):
        for init in (scaled_normal, glorot_normal, he_normal):
            a, spread = X, []
            for layer in range(15):
                a = activation(a @ init((256, 256), seed=layer))
                spread.append(a.std())
            ax.semilogy(range(1, 16), spread, "o-", ms=3, label=init.__name__)
        ax.set_xlabel("layer")
        ax.set_ylabel("std of the activations")
        ax.set_title(f"15 {name} layers of width 256")
        ax.legend(fontsize=8)
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
