# Student edition of the course, generated from source/ch06_cross_entropy.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 6 — The cross-entropy cost and softmax (交叉熵, 柔性最大值)
#
# A sigmoid neuron trained with the **quadratic cost (二次代价函数)**
# $C = \tfrac12 (a - y)^2$ learns *slowly when it is badly wrong*. The
# gradient is
# $$\frac{\partial C}{\partial w} = (a - y)\,\sigma'(z)\,x ,$$
# and when the neuron is saturated — $a$ close to 0 or 1 — $\sigma'(z)$ is
# tiny, however large the error $a - y$. This is the **learning slowdown
# (学习缓慢)** of Nielsen's chapter 3.
#
# The **cross-entropy cost (交叉熵代价函数)**
# $$C = -\left[\,y \ln a + (1 - y) \ln(1 - a)\,\right]$$
# fixes it: its derivative with respect to $z$ is exactly $a - y$, the
# $\sigma'(z)$ cancels, and the neuron learns fastest when it is most wrong
# (神经元在犯错误时学习得更快).
#
# For several classes, a **softmax (柔性最大值)** output layer turns the
# logits $z$ into probabilities $a_j = e^{z_j} / \sum_k e^{z_k}$, and the
# **log-likelihood cost (对数似然代价函数)** $C = -\ln a_y$ (the categorical
# cross-entropy with a one-hot $y$) again has the gradient $a - y$ with
# respect to $z$.
#
# **Keras's conventions**, which the grader checks (Nielsen's differ):
#
# * Every loss here returns **one value per sample**, shape (batch,), like
#   `keras.losses.*` with `reduction=None`. Averaging over the batch is left
#   to the caller.
# * `binary_crossentropy` **averages** over the output units (the last axis);
#   Nielsen **sums** over them, so his cost is `n_out` times the Keras loss.
# * From probabilities, Keras first **clips** $p$ to
#   $[\epsilon, 1-\epsilon]$ with $\epsilon = 10^{-7}$, so that
#   $\ln 0$ never happens; `categorical_crossentropy` also **rescales** each
#   row of `y_pred` to sum to 1 before clipping.
# * `from_logits=True` means `y_pred` holds the logits $z$, not
#   probabilities. Then no clipping is needed: work with $\ln\sigma(z)$ and
#   $\ln\mathrm{softmax}(z)$ directly, which stay finite even for
#   $z = \pm 1000$, where $\sigma(z)$ rounds to exactly 0 or 1.
#
# Your functions are compared with `keras.losses.*` and `keras.ops` on the
# same NumPy inputs, in float64.

# %%
import numpy as np

EPSILON = 1e-7  # keras.backend.epsilon(): the clipping bound for probabilities


def sigmoid(z):
    """The stable sigmoid of chapter 2: 1 / (1 + exp(-z)) for any z."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


# %% [markdown]
# ## Exercise 1: a stable log-softmax
#
# $\ln \mathrm{softmax}(x)_j = x_j - \ln \sum_k e^{x_k}$. Computing
# `np.log(softmax(x))` fails for large logits: the smallest probabilities
# underflow to 0 and their logarithm is $-\infty$. Subtract $m = \max_k x_k$
# first (it changes nothing, and no exponent is then positive):
# $$\ln \mathrm{softmax}(x)_j = (x_j - m) - \ln \sum_k e^{x_k - m}.$$
# The sum is at least 1 (the term of the maximum), so its logarithm is safe.

# %%
def log_softmax(x, axis=-1):
    """log(softmax(x)) along `axis`, as `keras.ops.log_softmax(x, axis=-1)`.

    log_softmax(x)_j = x_j - log(sum_k exp(x_k)), finite for any finite x.

    Args:
        x: logits, array of shape (..., n) (e.g. (batch, n_classes)).
        axis: the axis over which softmax normalises (default the last).
    Returns:
        float array of the same shape as x; exp of it sums to 1 along `axis`.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch06_cross_entropy/log_softmax", log_softmax)

# %% [markdown]
# ## Exercise 2: binary cross-entropy, from probabilities and from logits
#
# Each output unit is a yes/no question with target $y \in [0, 1]$ and
# prediction $p = \sigma(z)$. Per sample, Keras returns the **mean** over the
# `n_out` units:
# $$L = -\frac{1}{n_\text{out}} \sum_j \left[\,y_j \ln p_j + (1 - y_j)\ln(1 - p_j)\,\right].$$
#
# * From probabilities, clip $p$ to $[\epsilon, 1 - \epsilon]$ first.
# * From logits, rewrite with the **softplus** $\ln(1 + e^{z})$:
#   $-\ln\sigma(z) = \ln(1 + e^{-z})$ and $-\ln(1 - \sigma(z)) = \ln(1 + e^{z})$.
#   `np.logaddexp(0, z)` computes $\ln(1 + e^{z})$ without overflow; or use
#   $\ln(1 + e^{z}) = \max(z, 0) + \ln(1 + e^{-|z|})$.

# %%
def binary_crossentropy(y, y_pred, from_logits=False):
    """Binary cross-entropy per sample, as `keras.losses.binary_crossentropy`.

    L = -mean_j [ y_j log p_j + (1 - y_j) log(1 - p_j) ]   (mean over the last axis)

    Nielsen's cost sums over the units instead: it is n_out times this loss.

    Args:
        y: targets in [0, 1], shape (batch, n_out) (any leading axes allowed).
        y_pred: same shape as y. Probabilities p, clipped to
            [EPSILON, 1 - EPSILON] before the logs; or, with from_logits=True,
            the logits z with p = sigmoid(z) (no clipping, finite for any z).
        from_logits: whether y_pred holds logits.
    Returns:
        float array of shape (batch,): y's shape without its last axis.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch06_cross_entropy/binary_crossentropy", binary_crossentropy)

# %% [markdown]
# ## Exercise 3: categorical cross-entropy, from probabilities and from logits
#
# With a softmax output and a one-hot (or any probability-distribution)
# target $y$, the loss of a sample is
# $$L = -\sum_j y_j \ln p_j .$$
# Here Keras **sums** over the classes. From probabilities, it first
# rescales each row, $p \leftarrow p / \sum_k p_k$, then clips to
# $[\epsilon, 1 - \epsilon]$. From logits, $\ln p_j$ is your
# `log_softmax(z)_j`.

# %%
def categorical_crossentropy(y, y_pred, from_logits=False):
    """Categorical cross-entropy per sample, as `keras.losses.categorical_crossentropy`.

    L = -sum_j y_j log p_j   (sum over the last axis)

    Args:
        y: target distributions (one-hot rows, or rows of probabilities),
            shape (batch, n_classes) (any leading axes allowed).
        y_pred: same shape as y. Probabilities: each row is first rescaled to
            sum to 1, then clipped to [EPSILON, 1 - EPSILON]. With
            from_logits=True, logits z and p = softmax(z) along the last axis.
        from_logits: whether y_pred holds logits.
    Returns:
        float array of shape (batch,): y's shape without its last axis.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch06_cross_entropy/categorical_crossentropy", categorical_crossentropy)

# %% [markdown]
# ## Exercise 4: sparse categorical cross-entropy
#
# The same loss with the targets given as class numbers instead of one-hot
# rows: $L = -\ln p_{y}$, the **log-likelihood cost (对数似然代价函数)** of
# Nielsen's softmax layer. Labels are integers in $[0, n_\text{classes})$.
# From probabilities, Keras clips $p$ to $[\epsilon, 1 - \epsilon]$ and
# normalises each row to sum to 1.

# %%
def sparse_categorical_crossentropy(y, y_pred, from_logits=False):
    """Cross-entropy with integer labels, as `keras.losses.sparse_categorical_crossentropy`.

    L = -log p[y]   for each sample

    Args:
        y: integer class labels, shape (batch,) (any leading axes allowed).
        y_pred: shape (batch, n_classes): y's shape plus a class axis.
            Probabilities (clipped to [EPSILON, 1 - EPSILON], rows normalised
            to sum to 1), or with from_logits=True logits, p = softmax(z).
        from_logits: whether y_pred holds logits.
    Returns:
        float array of shape (batch,), the shape of y.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch06_cross_entropy/sparse_categorical_crossentropy", sparse_categorical_crossentropy)

# %% [markdown]
# ## Exercise 5: the learning slowdown
#
# Nielsen's experiment: one sigmoid neuron with one input $x = 1$ and target
# $y = 0$, trained by gradient descent with $\eta = 0.15$ for 300 epochs,
# once with each cost. From $w = 0.6, b = 0.9$ both learn quickly; from
# $w = 2, b = 2$ (output $\approx 0.98$, badly wrong and saturated) the
# quadratic cost barely moves for the first hundred epochs, while the
# cross-entropy learns at once.
#
# With $z = w x + b$ and $a = \sigma(z)$, each epoch records the cost and
# then takes one step $w \leftarrow w - \eta\,\delta x$,
# $b \leftarrow b - \eta\,\delta$, where $\delta = \partial C / \partial z$:
#
# | cost | $C$ | $\delta = \partial C/\partial z$ |
# | --- | --- | --- |
# | quadratic | $\tfrac12 (a - y)^2$ | $(a - y)\,\sigma'(z) = (a - y)\,a(1 - a)$ |
# | cross-entropy | $-[y \ln a + (1 - y)\ln(1 - a)]$ | $a - y$ |
#
# Compute the cross-entropy from $z$ (as in Exercise 2), so that it stays
# finite when $a$ rounds to 0 or 1.

# %%
def learning_slowdown(w, b, x=1.0, y=0.0, eta=0.15, epochs=300):
    """Cost curves of one sigmoid neuron trained with each cost, as Nielsen's chapter 3.

    Starting from (w, b), runs `epochs` gradient-descent steps on the single
    example (x, y), once for the quadratic cost C = (a - y)^2 / 2 and once for
    the cross-entropy C = -[y log a + (1 - y) log(1 - a)], with a = sigmoid(w x + b).
    The reference differentiates keras.losses.mean_squared_error / 2 and
    keras.losses.binary_crossentropy(from_logits=True) with tf.GradientTape.

    Args:
        w, b: the starting weight and bias (floats).
        x: the input (a float); y: the target in [0, 1].
        eta: the learning rate.
        epochs: the number of updates.
    Returns:
        (quadratic_costs, cross_entropy_costs): two float arrays of shape
        (epochs + 1,); entry t is the cost after t updates (entry 0: the start).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch06_cross_entropy/learning_slowdown", learning_slowdown)

# %% [markdown]
# ## Look at it: learning slowly, and learning fast
#
# Nielsen's two starting points. On the left the neuron starts moderately
# wrong and both costs fall at once. On the right it starts saturated, and
# the quadratic cost sits on a plateau: $\sigma'(z)$ is near zero, so the
# gradient is too, although the output is badly wrong.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it

    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    for ax, (w0, b0) in zip(axes, [(0.6, 0.9), (2.0, 2.0)]):
        quadratic, cross_entropy = learning_slowdown(w0, b0, x=1.0, y=0.0, eta=0.15, epochs=300)
        ax.plot(quadratic, label="quadratic cost")
        ax.plot(cross_entropy, label="cross-entropy cost")
        ax.set_title(f"start w = {w0}, b = {b0}: output {sigmoid(w0 + b0):.2f}, target 0")
        ax.set_xlabel("epoch")
        ax.set_ylabel("cost")
        ax.legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# Why: the gradient $\partial C / \partial z$ of each cost for target
# $y = 0$, as a function of the output $a$. The cross-entropy's gradient
# grows with the error; the quadratic cost's vanishes at the wrong end.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    z = np.linspace(-8, 8, 400)
    a = sigmoid(z)
    plt.figure(figsize=(6, 3.5))
    plt.plot(a, (a - 0) * a * (1 - a), label=r"quadratic: $(a-y)\,\sigma'(z)$")
    plt.plot(a, a - 0, label=r"cross-entropy: $a-y$")
    plt.xlabel("output a (target y = 0)")
    plt.ylabel(r"$\partial C / \partial z$")
    plt.legend()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# And a real one: a softmax layer (softmax regression) on the bundled 8x8
# digits, trained by full-batch gradient descent on your sparse categorical
# cross-entropy. With softmax and the log-likelihood cost the gradient with
# respect to the logits is again just $p - y_\text{one-hot}$.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    from nndl.data import load_digits

    data = load_digits(seed=0)
    rng = np.random.default_rng(0)
    W, b = rng.normal(0, 0.01, (64, 10)), np.zeros(10)
    one_hot = np.eye(10)[data.y_train]
    train_loss, val_accuracy = [], []
    for epoch in range(200):
        logits = data.X_train @ W + b
        train_loss.append(sparse_categorical_crossentropy(data.y_train, logits, from_logits=True).mean())
        delta = (np.exp(log_softmax(logits)) - one_hot) / len(data.X_train)  # dC/dz
        W, b = W - 0.5 * data.X_train.T @ delta, b - 0.5 * delta.sum(axis=0)
        val_accuracy.append(((data.X_val @ W + b).argmax(axis=1) == data.y_val).mean())
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.5))
    axes[0].plot(train_loss)
    axes[0].set_title("training loss (mean cross-entropy)")
    axes[1].plot(val_accuracy)
    axes[1].set_title(f"validation accuracy: {val_accuracy[-1]:.1%}")
    for ax in axes:
        ax.set_xlabel("epoch")
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
