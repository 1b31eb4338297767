# Student edition of the course, generated from source/ch05_backprop.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 5 — How backpropagation works (反向传播算法如何工作)
#
# Gradient descent (梯度下降) needs the **gradient (梯度)** of the
# **cost function (代价函数)** with respect to every **weight (权重)** and
# **bias (偏置)** of the network. **Backpropagation (反向传播算法)** is, in the
# notes' words, "a fast way to compute the gradient of the cost function": one
# forward pass and one backward pass give all of them, where nudging each
# weight in turn would need one forward pass per weight.
#
# **Notation (the Keras layout).** Layer $l$ has a kernel $W^l$ of shape
# (n_in, n_out) and biases $b^l$ of shape (n_out,), exactly a
# `keras.layers.Dense` layer; samples are rows. For one sample $x$ (a row):
#
# $$a^0 = x, \qquad z^l = a^{l-1} W^l + b^l, \qquad a^l = \sigma(z^l), \qquad l = 1, \dots, L.$$
#
# $z^l$ is the **weighted input (带权输入)** of layer $l$ and $a^l$ its
# **activation (激活值)**; $a^L$ is the **output layer's (输出层)** answer.
# Nielsen writes $z^l = w^l a^{l-1} + b^l$ with column vectors: his $w^l$ is
# the transpose of our $W^l$, so every product below appears transposed
# compared with the book.
#
# **Two costs.** Both are the average over the $n$ samples of the batch of a
# per-sample cost $C_x$ that sums over the output units:
#
# * the **quadratic cost (二次代价函数)** $C = \frac{1}{n}\sum_x \tfrac12\|a^L_x - y_x\|^2$;
# * the **cross-entropy cost (交叉熵代价函数)**
#   $C = -\frac{1}{n}\sum_x \sum_j \big[y_j \ln a^L_j + (1-y_j)\ln(1-a^L_j)\big]$.
#
# So every gradient in this chapter is the **average over the batch** of the
# per-sample gradients. (In Keras terms, the quadratic cost is
# `n_out / 2 * keras.losses.MeanSquaredError()` and the cross-entropy is
# `n_out * keras.losses.BinaryCrossentropy()`: Keras averages over the units
# where Nielsen sums.)
#
# ## The four equations of backpropagation
#
# Define the **error (误差)** of layer $l$ as $\delta^l = \partial C_x / \partial z^l$,
# a row of shape (n_l,). The **chain rule (链式法则)** gives four equations:
#
# | | equation | what it says |
# | --- | --- | --- |
# | **BP1** | $\delta^L = \nabla_a C_x \odot \sigma'(z^L)$ | the error of the output layer: how fast the cost changes with the output, times how fast the output changes with $z$ |
# | **BP2** | $\delta^l = \big(\delta^{l+1} (W^{l+1})^T\big) \odot \sigma'(z^l)$ | the error moves **backward (反向)** one layer through the transposed weights |
# | **BP3** | $\partial C_x / \partial b^l = \delta^l$ | a bias's gradient is the error of its neuron |
# | **BP4** | $\partial C_x / \partial W^l = (a^{l-1})^T \delta^l$ | a weight's gradient is (input activation) $\times$ (output error): an outer product of shape (n_in, n_out) |
#
# $\odot$ is the elementwise product and $\sigma'(z) = \sigma(z)(1-\sigma(z))$.
# For the quadratic cost $\nabla_a C_x = a^L - y$. For the cross-entropy
# $\nabla_a C_x = \frac{a^L - y}{a^L(1-a^L)}$, and the $\sigma'(z^L) = a^L(1-a^L)$
# of BP1 cancels it exactly: $\delta^L = a^L - y$. Use the cancelled form —
# where the sigmoid saturates, $a^L(1 - a^L)$ is exactly 0 in floating point
# and the uncancelled quotient is $0/0$.
#
# **A whole batch at once.** Stack the samples' rows into matrices $A^{l}$
# (batch, n_l) and $\Delta^l$ (batch, n_l). BP2 works on all rows together,
# and the batch average of BP3 and BP4 becomes
#
# $$\frac{\partial C}{\partial W^l} = \frac{1}{n} (A^{l-1})^T \Delta^l, \qquad
#   \frac{\partial C}{\partial b^l} = \frac{1}{n} \sum_{\text{rows}} \Delta^l .$$
#
# One matrix product replaces a Python loop over samples — the speed-up you
# will measure below.
#
# **How you are checked.** The grader copies your weights into a
# `keras.Sequential` of `Dense(activation="sigmoid", dtype="float64")` layers
# and asks `tf.GradientTape` for the gradient of the same cost: automatic
# differentiation is backpropagation done by the framework. Tolerance: 1e-6.

# %%
import time

import numpy as np

# %% [markdown]
# The sigmoid and its derivative, as in chapter 2 (given: use them).

# %%
def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), elementwise, without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # the exponent is never positive
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_prime(z):
    """sigma'(z) = sigma(z) (1 - sigma(z)), elementwise."""
    s = sigmoid(z)
    return s * (1.0 - s)

# %% [markdown]
# ## Exercise 1: the cost, and the error of the output layer (BP1)
#
# `cost` is `"quadratic"` or `"cross_entropy"`; raise `ValueError` for any
# other name. `y` has the shape of the output, (batch, n_out), with values in
# [0, 1].

# %%
def _forward(X, weights, biases):
    zs, acts = [], [np.asarray(X, np.float64)]
    for W, b in zip(weights, biases):
        zs.append(acts[-1] @ W + b)
        acts.append(sigmoid(zs[-1]))
    return zs, acts


def cost_value(X, y, weights, biases, cost="quadratic"):
    """The cost of a sigmoid network on a batch, averaged over the batch.

    quadratic:     C = 1/n sum_x 1/2 ||a^L - y||^2
    cross_entropy: C = -1/n sum_x sum_j [y_j ln a^L_j + (1 - y_j) ln(1 - a^L_j)]
    where a^L is the output of the network: a = X, then a = sigmoid(a W + b)
    for every layer. Mirrors n_out/2 * keras.losses.MeanSquaredError() and
    n_out * keras.losses.BinaryCrossentropy() on a Sequential of Dense(sigmoid).

    Args:
        X: inputs, shape (batch, n_in).
        y: targets, shape (batch, n_out).
        weights: list of kernels; weights[l] has shape (n_l, n_{l+1}).
        biases: list of bias vectors; biases[l] has shape (n_{l+1},).
        cost: "quadratic" or "cross_entropy".
    Returns:
        float.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    (*_, z), (*_, a) = _forward(X, weights, biases)
    y = np.asarray(y, np.float64)
    if cost == "quadratic":
        return float(((a - y) ** 2).sum() / 2 / len(a))
    if cost == "cross_entropy":
        return float((np.logaddexp(0, z) - y * z).sum() / len(a))
    raise ValueError(f"unknown cost {cost!r}")


def output_error(z, y, cost="quadratic"):
    """BP1: the error of the output layer, delta^L = dC_x/dz^L, for every sample.

    quadratic:     delta^L = (a - y) * sigma'(z)
    cross_entropy: delta^L = a - y      (sigma'(z) cancels)
    with a = sigmoid(z). Per sample: NOT divided by the batch size. Mirrors
    tf.GradientTape's gradient of the summed per-sample cost with respect to z.

    Args:
        z: weighted inputs of the output layer, shape (batch, n_out).
        y: targets, shape (batch, n_out).
        cost: "quadratic" or "cross_entropy".
    Returns:
        float array of shape (batch, n_out).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    z = np.asarray(z, np.float64)
    d = sigmoid(z) - y
    if cost == "quadratic":
        return d * sigmoid_prime(z)
    if cost == "cross_entropy":
        return d
    raise ValueError(f"unknown cost {cost!r}")


# %% tags=["check"]
import nndl

nndl.check("ch05_backprop/cost_value", cost_value)
nndl.check("ch05_backprop/output_error", output_error)

# %% [markdown]
# ## Exercise 2: backpropagation, one sample at a time
#
# This is Nielsen's `backprop` and `update_mini_batch`: for each sample (a
# row `x` of `X`, of shape (n_in,)), run the forward pass keeping every $z^l$
# and $a^l$, get $\delta^L$ from BP1 (your `output_error`, on a batch of one
# or on 1-D rows), walk back with BP2, and add BP3 and BP4 to running sums.
# Return the **averages** over the batch, as lists ordered from the first
# layer to the last. `np.outer(u, v)` is the (len(u), len(v)) matrix
# $u_i v_j$.

# %%
def backprop_loop(X, y, weights, biases, cost="quadratic"):
    """The gradient of the batch-averaged cost by backpropagation, looping over samples.

    For each sample: forward pass; delta^L by BP1; delta^l = (delta^{l+1} W^{l+1}.T)
    * sigma'(z^l) (BP2); dC_x/db^l = delta^l (BP3); dC_x/dW^l = outer(a^{l-1}, delta^l)
    (BP4). The result is the mean over the samples. Mirrors tf.GradientTape on a
    keras.Sequential of Dense(sigmoid) layers holding the same weights.

    Args:
        X: inputs, shape (batch, n_in).
        y: targets, shape (batch, n_out).
        weights: list of kernels; weights[l] has shape (n_l, n_{l+1}).
        biases: list of bias vectors; biases[l] has shape (n_{l+1},).
        cost: "quadratic" or "cross_entropy".
    Returns:
        (nabla_W, nabla_b): lists with the shapes of weights and biases.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    gW = [np.zeros(np.shape(W)) for W in weights]
    gb = [np.zeros(np.shape(b)) for b in biases]
    for x, t in zip(np.asarray(X, np.float64), np.asarray(y, np.float64)):
        zs, acts = _forward(x, weights, biases)
        d = output_error(zs[-1], t, cost)
        for l in range(len(weights) - 1, -1, -1):
            gW[l] += np.outer(acts[l], d)
            gb[l] += d
            if l:
                d = weights[l] @ d * sigmoid_prime(zs[l - 1])
    return [g / len(X) for g in gW], [g / len(X) for g in gb]


# %% tags=["check"]
import nndl

nndl.check("ch05_backprop/backprop_loop", backprop_loop)

# %% [markdown]
# ## Exercise 3: backpropagation for the whole mini-batch at once
#
# The same gradients, without a loop over samples: keep the activations as
# (batch, n_l) matrices, let BP2 act on all rows at once, and replace the sum
# of outer products by one matrix product $(A^{l-1})^T \Delta^l$. The only
# loop left is over the layers.

# %%
def backprop(X, y, weights, biases, cost="quadratic"):
    """The gradient of the batch-averaged cost by backpropagation, vectorised over the batch.

    Delta^L = output_error(Z^L, y) (batch, n_L); Delta^l = (Delta^{l+1} W^{l+1}.T) * sigma'(Z^l);
    nabla_W^l = A^{l-1}.T Delta^l / n;  nabla_b^l = sum over rows of Delta^l / n.
    Mirrors tf.GradientTape on a keras.Sequential of Dense(sigmoid) layers
    holding the same weights.

    Args:
        X: inputs, shape (batch, n_in).
        y: targets, shape (batch, n_out).
        weights: list of kernels; weights[l] has shape (n_l, n_{l+1}).
        biases: list of bias vectors; biases[l] has shape (n_{l+1},).
        cost: "quadratic" or "cross_entropy".
    Returns:
        (nabla_W, nabla_b): lists with the shapes of weights and biases.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    zs, acts = _forward(X, weights, biases)
    d, n = output_error(zs[-1], y, cost), len(acts[0])
    gW, gb = [], []
    for l in reversed(range(len(weights))):
        gW.insert(0, acts[l].T @ d / n)
        gb.insert(0, d.sum(0) / n)
        if l:
            d = d @ np.transpose(weights[l]) * sigmoid_prime(zs[l - 1])
    return gW, gb


# %% tags=["check"]
import nndl

nndl.check("ch05_backprop/backprop", backprop)

# %% [markdown]
# ## Exercise 4: check the gradient numerically
#
# How do you know backprop is right? Compare it with the definition of a
# derivative. For every single parameter $p$ (each entry of each $W^l$ and
# $b^l$), with all the others fixed, the **central difference**
#
# $$\frac{\partial C}{\partial p} \approx \frac{C(p + h) - C(p - h)}{2h}$$
#
# is accurate to $O(h^2)$ (a one-sided difference only to $O(h)$). It costs
# two forward passes per parameter — millions for a real network, which is
# why nobody trains this way and why backprop matters — but on a small
# network it is the standard test of a backprop implementation (梯度检验).
#
# Use your `cost_value`. Work on copies of the weights, and put each entry
# back before moving to the next.

# %%
def numerical_gradient(X, y, weights, biases, cost="quadratic", h=1e-5):
    """The gradient of cost_value by central differences, one parameter at a time.

    dC/dp ~ (C(p + h) - C(p - h)) / (2 h) for every entry p of every W^l and b^l.
    Mirrors the same differences of the cost of a keras.Sequential of
    Dense(sigmoid) layers holding the same weights.

    Args:
        X: inputs, shape (batch, n_in).
        y: targets, shape (batch, n_out).
        weights: list of kernels; weights[l] has shape (n_l, n_{l+1}).
        biases: list of bias vectors; biases[l] has shape (n_{l+1},).
        cost: "quadratic" or "cross_entropy".
        h: the step.
    Returns:
        (nabla_W, nabla_b): lists with the shapes of weights and biases.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    shapes = [np.shape(p) for p in (*weights, *biases)]
    cuts = np.cumsum([int(np.prod(s)) for s in shapes])[:-1]
    theta = np.concatenate([np.ravel(p) for p in (*weights, *biases)]).astype(np.float64)
    unpack = lambda v: [c.reshape(s) for c, s in zip(np.split(v, cuts), shapes)]
    C = lambda v: cost_value(X, y, unpack(v)[:len(weights)], unpack(v)[len(weights):], cost)
    g = unpack(np.array([C(theta + e) - C(theta - e) for e in h * np.eye(theta.size)]) / (2 * h))
    return g[:len(weights)], g[len(weights):]


# %% tags=["check"]
import nndl

nndl.check("ch05_backprop/numerical_gradient", numerical_gradient)

# %% [markdown]
# ## Look at it: backprop against the definition
#
# Every dot is one parameter of a random [4, 5, 3] network: backprop's
# derivative against the central difference. They should lie on the diagonal,
# with a relative error $\|g_{bp} - g_{num}\| / (\|g_{bp}\| + \|g_{num}\|)$
# around $10^{-10}$; a bug in one of the four equations shows up as
# something like $10^{-2}$.

# %% tags=["demo"]
import matplotlib.pyplot as plt  # plots only: the graded code does not need it

rng = np.random.default_rng(5)
sizes = [4, 5, 3]
weights = [rng.normal(0, 1, (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
biases = [rng.normal(0, 1, n) for n in sizes[1:]]
X_small, y_small = rng.normal(size=(6, 4)), rng.uniform(size=(6, 3))
fig, axes = plt.subplots(1, 2, figsize=(10, 4.2))
for ax, cost in zip(axes, ("quadratic", "cross_entropy")):
    exact = np.concatenate([g.ravel() for g in sum(backprop(X_small, y_small, weights, biases, cost), [])])
    approx = np.concatenate([g.ravel() for g in
                             sum(numerical_gradient(X_small, y_small, weights, biases, cost), [])])
    error = np.linalg.norm(exact - approx) / (np.linalg.norm(exact) + np.linalg.norm(approx))
    ax.plot([exact.min(), exact.max()], [exact.min(), exact.max()], color="lightgray")
    ax.scatter(exact, approx, s=14)
    ax.set_xlabel("backprop")
    ax.set_ylabel("central difference")
    ax.set_title(f"{cost}: relative error {error:.1e}")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Look at it: why vectorise
#
# The same gradient over the whole digits training set (about 1,100 images,
# network [64, 30, 10]): a Python loop over samples against one matrix
# product per layer. Both give the same numbers.

# %% tags=["demo"]
from nndl.data import load_digits

data = load_digits(seed=0)
Y_train = np.eye(10)[data.y_train]  # one-hot targets for the 10 output neurons
rng = np.random.default_rng(0)
sizes = [64, 30, 10]
weights = [rng.normal(0, 1 / np.sqrt(m), (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
biases = [rng.normal(0, 1, n) for n in sizes[1:]]


def best_time(function, repeats):
    """The fastest of `repeats` runs, in seconds: the one least disturbed by other work."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function(data.X_train, Y_train, weights, biases, "cross_entropy")
        times.append(time.perf_counter() - start)
    return min(times)


loop_s, vector_s = best_time(backprop_loop, 3), best_time(backprop, 20)
same = all(np.allclose(a, b) for a, b in zip(
    sum(backprop_loop(data.X_train, Y_train, weights, biases, "cross_entropy"), []),
    sum(backprop(data.X_train, Y_train, weights, biases, "cross_entropy"), [])))
print(f"loop {loop_s * 1e3:.1f} ms, vectorised {vector_s * 1e3:.2f} ms: "
      f"{loop_s / vector_s:.0f}x faster; same gradients: {same}")
plt.figure(figsize=(5, 3))
plt.barh(["one sample at a time", "whole batch"], [loop_s * 1e3, vector_s * 1e3],
         color=["#c66", "#6a6"])
plt.xlabel(f"milliseconds for {len(data.X_train)} samples")
plt.title(f"vectorised backprop: {loop_s / vector_s:.0f}x faster")
plt.tight_layout()
plt.show()

# %% [markdown]
# ## Look at it: backprop at work
#
# Mini-batch stochastic gradient descent (随机梯度下降, SGD) with your
# `backprop` on the digits, network [64, 30, 30, 10], ten samples per step:
# $W \leftarrow W - \eta\, \nabla_W C$. Left: validation accuracy per epoch
# for both costs. Right: the size of the gradient of each layer's biases
# (by BP3, the size of its error $\delta^l$) during training with the
# cross-entropy cost. The weights start as Nielsen's do, N(0, 1). In the first
# epochs the layers nearest the input get the smallest gradients, so they
# learn the slowest — a first sight of the vanishing gradient problem
# (梯度消失) of chapter 11. As the network fits the data, every gradient
# shrinks, and the order need not last.

# %% tags=["demo"]
def train(cost, eta, epochs=20, batch_size=10, seed=1):
    """SGD from a seeded start; validation accuracy and mean |nabla_b| per layer, per epoch."""
    rng = np.random.default_rng(seed)
    sizes = [64, 30, 30, 10]
    weights = [rng.normal(0, 1, (m, n)) for m, n in zip(sizes[:-1], sizes[1:])]
    biases = [rng.normal(0, 1, n) for n in sizes[1:]]
    accuracy, norms = [], []
    for _ in range(epochs):
        order = rng.permutation(len(data.X_train))
        epoch_norms = []
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            nabla_W, nabla_b = backprop(data.X_train[batch], Y_train[batch], weights, biases, cost)
            weights = [W - eta * g for W, g in zip(weights, nabla_W)]
            biases = [b - eta * g for b, g in zip(biases, nabla_b)]
            epoch_norms.append([np.linalg.norm(g) for g in nabla_b])
        a = data.X_val
        for W, b in zip(weights, biases):
            a = sigmoid(a @ W + b)
        accuracy.append(np.mean(a.argmax(axis=1) == data.y_val))
        norms.append(np.mean(epoch_norms, axis=0))
    return np.array(accuracy), np.array(norms)


start = time.perf_counter()
runs = {"quadratic, eta 3.0": train("quadratic", 3.0),
        "cross-entropy, eta 0.5": train("cross_entropy", 0.5)}
print(f"trained twice in {time.perf_counter() - start:.1f} s")
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
for label, (accuracy, _) in runs.items():
    left.plot(range(1, len(accuracy) + 1), accuracy, label=f"{label}: {accuracy[-1]:.1%}")
left.set_xlabel("epoch")
left.set_ylabel("validation accuracy")
left.legend()
norms = runs["cross-entropy, eta 0.5"][1]
for l in range(norms.shape[1]):
    right.semilogy(range(1, len(norms) + 1), norms[:, l], label=f"layer {l + 1}")
right.set_xlabel("epoch")
right.set_ylabel("mean ||nabla_b|| per mini-batch")
right.legend()
plt.tight_layout()
plt.show()
