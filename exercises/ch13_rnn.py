# Student edition of the course, generated from source/ch13_rnn.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 13 — Recurrent neural networks (循环神经网络)
#
# A **fully connected (全连接)** network looks at each input on its own. Words
# in a sentence, notes in a melody, the readings of a sensor come as a
# *sequence*, and what an element means depends on what came before it. A
# **recurrent neural network (循环神经网络, RNN)** reads a sequence one step
# at a time and carries a **hidden state** from one step to the next: its
# **hidden layer (隐藏层)** feeds into itself. The state $h_t$ after step $t$
# is a summary of $x_1, \dots, x_t$, computed with the *same* weights at
# every step:
#
# $$h_t = \tanh(x_t W + h_{t-1} U + b), \qquad h_0 = \text{the initial state (zeros by default)}.$$
#
# Unrolled over time, an RNN is a deep feed-forward network with one layer
# per time step, all layers sharing $W$, $U$ and $b$. It is trained the same
# way, by the **backpropagation algorithm (反向传播算法)** run backwards
# through the unrolled steps — **backpropagation through time (BPTT)** —
# and, being deep, it has chapter 11's **vanishing gradient problem
# (梯度消失问题)**, now along the time axis.
#
# **Notation (the Keras layout).** Inputs come batch first,
# `X.shape == (batch, timesteps, n_in)`; in the maths $x_t$ is `X[:, t - 1]`
# (steps count from 1, Python from 0), a matrix with one row per sequence.
# The **weights (权值)** are Keras's `kernel` $W$ of shape (n_in, units), its
# `recurrent_kernel` $U$ of shape (units, units) and the **bias (偏置)**
# $b$ of shape (units,); the **activation function (激活函数)** is tanh.
# Careful when you read the "零基础入门深度学习(5)" article the notes link
# to: it writes $s_t = f(U x_t + W s_{t-1})$ with column vectors — its $U$
# is our input kernel $W^T$ and its $W$ our recurrent kernel $U^T$.
#
# **How you are checked.** The grader copies your weights into a
# `keras.layers.SimpleRNN(units, dtype="float64")` (or a `SimpleRNNCell`),
# runs it on the same inputs, and takes gradients with `tf.GradientTape`.
# Everything is compared in float64 with a tolerance of 1e-7 relative and
# 1e-12 absolute: keep your arrays float64.

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: one step of a simple RNN
#
# Given a batch of inputs $x_t$ and the states $h_{t-1}$ of the previous
# step, return the new states $h_t = \tanh(x_t W + h_{t-1} U + b)$.
# The input goes through the kernel $W$, the previous state through the
# recurrent kernel $U$; both have `units` columns.

# %%
def rnn_cell(x_t, h_prev, W, U, b):
    """One time step of a simple RNN: h_t = tanh(x_t W + h_prev U + b).

    Mirrors keras.layers.SimpleRNNCell, whose weights are [kernel, recurrent_kernel, bias].

    Args:
        x_t: the inputs of this step, shape (batch, n_in).
        h_prev: the states after the previous step, shape (batch, units).
        W: the input kernel, shape (n_in, units).
        U: the recurrent kernel, shape (units, units).
        b: the bias, shape (units,).
    Returns:
        h_t, shape (batch, units).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch13_rnn/rnn_cell", rnn_cell)

# %% [markdown]
# ## Exercise 2: run it over a batch of sequences
#
# Start from $h_0$ (`initial_state`, or zeros of shape (batch, units) when it
# is `None`) and apply your cell to $x_1, x_2, \dots, x_T$ in turn. Like
# Keras's `return_sequences`, return either every state, stacked along the
# time axis in the input's layout (batch, timesteps, units), or only the
# last one, $h_T$.

# %%
def simple_rnn(X, W, U, b, initial_state=None, return_sequences=False):
    """The hidden states of a simple RNN over a batch of sequences.

    h_0 = initial_state (zeros when None); h_t = tanh(x_t W + h_{t-1} U + b)
    for t = 1..T, where x_t = X[:, t - 1]. Mirrors
    keras.layers.SimpleRNN(units, return_sequences=...)(X, initial_state=[h_0]).

    Args:
        X: the input sequences, shape (batch, timesteps, n_in).
        W: the input kernel, shape (n_in, units).
        U: the recurrent kernel, shape (units, units).
        b: the bias, shape (units,).
        initial_state: h_0, shape (batch, units), or None for zeros.
        return_sequences: True for every state h_1..h_T, False for h_T alone.
    Returns:
        shape (batch, timesteps, units) if return_sequences, else (batch, units).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch13_rnn/simple_rnn", simple_rnn)

# %% [markdown]
# ## Look at it: how long a network remembers
#
# One input channel that is 0 everywhere but for a pulse at step 5, three
# hidden units, $b = 0$, and a recurrent kernel $U = \rho Q$: a random
# rotation $Q$ (an orthogonal matrix, what Keras's default `orthogonal`
# initialiser draws) scaled by $\rho$. After the pulse the input is silent,
# so $h_t = \tanh(h_{t-1} U)$: every step multiplies the state by $U$ (and
# shrinks it a little more through tanh). With $\rho = 0.5$ the network
# forgets the pulse within a few steps; with $\rho = 0.95$ it echoes for
# dozens; with $\rho = 1.5$ the state grows until tanh saturates, and the
# network keeps oscillating by itself, in a rhythm that no longer says how
# strong the pulse was or when it came.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt


    def orthogonal(n, seed):
        """A random n x n orthogonal matrix: the Q of a QR factorisation of a normal matrix."""
        q, r = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
        return q * np.sign(np.diag(r))


    pulse = np.zeros((1, 60, 1))
    pulse[0, 4, 0] = 2.0
    W_pulse, Q = np.random.default_rng(1).normal(0, 1, (1, 3)), orthogonal(3, seed=6)
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.5), sharey=True)
    for ax, rho in zip(axes, (0.5, 0.95, 1.5)):
        H = simple_rnn(pulse, W_pulse, rho * Q, np.zeros(3), return_sequences=True)
        assert np.allclose(H[:, -1], simple_rnn(pulse, W_pulse, rho * Q, np.zeros(3)))
        ax.plot(range(1, 61), H[0], label=[f"unit {j}" for j in range(3)])
        ax.axvline(5, color="grey", linestyle=":")
        ax.set_title(f"U = {rho} x orthogonal")
        ax.set_xlabel("time step t")
    axes[0].set_ylabel("hidden state h_t")
    axes[0].legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Backpropagation through time (BPTT)
#
# **The cost.** The quadratic cost of the hidden states themselves, as in
# chapter 5: averaged over the $n$ sequences of the batch, summed over the
# units and over the steps that have a target. With `return_sequences=True`
# every step has one, `y.shape == (batch, timesteps, units)`; otherwise only
# the last, `y.shape == (batch, units)`:
#
# $$C = \frac1n \sum_x \sum_{t=1}^{T} \tfrac12 \|h_t - y_t\|^2
#   \quad\text{or}\quad C = \frac1n \sum_x \tfrac12 \|h_T - y\|^2 .$$
#
# **The error term (误差项).** Write $z_t = x_t W + h_{t-1} U + b$, so
# $h_t = \tanh(z_t)$, and $\delta_t = \partial C / \partial z_t$ (a matrix
# with one row per sequence). The state $h_t$ affects the cost in two ways:
# directly, if step $t$ has a target, and through $z_{t+1} = \dots + h_t U$.
# So, walking back from $t = T$ to $t = 1$,
#
# $$\frac{\partial C}{\partial h_t} = e_t + \delta_{t+1} U^T, \qquad
#   \delta_t = \frac{\partial C}{\partial h_t} \odot (1 - h_t^2),$$
#
# where $e_t = (h_t - y_t)/n$ for a step with a target and 0 otherwise,
# $\delta_{T+1} = 0$ (nothing comes after the last step), and
# $\tanh'(z) = 1 - \tanh^2(z)$.
#
# **The gradients.** $W$, $U$ and $b$ are used at every step, so their
# gradients are *sums over time* of what each step contributes, each step
# with its own input and its own *previous* state:
#
# $$\frac{\partial C}{\partial W} = \sum_{t=1}^{T} x_t^T \delta_t, \qquad
#   \frac{\partial C}{\partial U} = \sum_{t=1}^{T} h_{t-1}^T \delta_t, \qquad
#   \frac{\partial C}{\partial b} = \sum_{t=1}^{T} \sum_\text{rows} \delta_t .$$
#
# ## Exercise 3: BPTT by hand
#
# Run the forward pass once with your `simple_rnn(..., return_sequences=True)`
# to keep every $h_t$ (remember $h_0$ for the first step), then walk back
# through time with the two formulas above and add up the three gradients.

# %%
def bptt(X, y, W, U, b, initial_state=None, return_sequences=False):
    """Backpropagation through time: the gradient of the quadratic cost of a simple RNN.

    C = 1/n sum_x sum_t 1/2 ||h_t - y_t||^2 (return_sequences) or 1/n sum_x 1/2 ||h_T - y||^2;
    dC/dh_t = e_t + delta_{t+1} U^T with e_t = (h_t - y_t)/n where step t has a target;
    delta_t = dC/dh_t * (1 - h_t^2), delta_{T+1} = 0;
    nabla_W = sum_t x_t^T delta_t, nabla_U = sum_t h_{t-1}^T delta_t, nabla_b = sum_t sum_rows delta_t.
    Mirrors tf.GradientTape on keras.layers.SimpleRNN holding the same weights.

    Args:
        X: the input sequences, shape (batch, timesteps, n_in).
        y: the targets, shape (batch, timesteps, units) if return_sequences, else (batch, units).
        W: the input kernel, shape (n_in, units).
        U: the recurrent kernel, shape (units, units).
        b: the bias, shape (units,).
        initial_state: h_0, shape (batch, units), or None for zeros.
        return_sequences: whether every step has a target, or only the last.
    Returns:
        (nabla_W, nabla_U, nabla_b), with the shapes of W, U and b.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch13_rnn/bptt", bptt)

# %% [markdown]
# ## Look at it: a gradient check, then a student RNN learns a teacher's states
#
# First chapter 5's **gradient check**: nudge one entry of $U$ by $\pm
# \epsilon$ and compare $(C(U + \epsilon) - C(U - \epsilon)) / 2\epsilon$ with
# your `bptt`. Then put the gradient to work: a *teacher* RNN with fixed
# random weights turns 64 random input sequences into hidden-state
# sequences, and a *student* RNN of the same shape, started from other
# weights, learns to produce the same states by plain gradient descent on
# $C$ with `return_sequences=True`. The task is a fair one — the teacher's
# weights solve it exactly — and the student's cost should fall steadily.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    def cost(X, y, W, U, b, return_sequences=False):
        """The cost bptt differentiates, from the forward pass alone."""
        H = simple_rnn(X, W, U, b, return_sequences=return_sequences)
        return 0.5 * np.sum((H - y) ** 2) / len(X)


    rng = np.random.default_rng(0)
    n_in, units, steps = 2, 4, 15
    X_seq = rng.normal(0, 1, (64, steps, n_in))
    teacher = (rng.normal(0, 1, (n_in, units)), 0.9 * orthogonal(units, seed=3), rng.normal(0, 0.3, units))
    Y_seq = simple_rnn(X_seq, *teacher, return_sequences=True)
    W, U, b = rng.normal(0, 0.5, (n_in, units)), rng.normal(0, 0.5, (units, units)), np.zeros(units)

    eps, (i, j) = 1e-6, (1, 2)
    U_plus, U_minus = U.copy(), U.copy()
    U_plus[i, j] += eps
    U_minus[i, j] -= eps
    numerical = (cost(X_seq, Y_seq, W, U_plus, b, True) - cost(X_seq, Y_seq, W, U_minus, b, True)) / (2 * eps)
    print(f"dC/dU[{i}, {j}]: bptt {bptt(X_seq, Y_seq, W, U, b, return_sequences=True)[1][i, j]:.8f}, "
          f"central difference {numerical:.8f}")

    X_new = rng.normal(0, 1, (1, steps, n_in))  # a sequence the student never trains on
    before = simple_rnn(X_new, W, U, b, return_sequences=True)
    eta, history = 0.1, []
    for step in range(600):
        history.append(cost(X_seq, Y_seq, W, U, b, True))
        nabla_W, nabla_U, nabla_b = bptt(X_seq, Y_seq, W, U, b, return_sequences=True)
        W, U, b = W - eta * nabla_W, U - eta * nabla_U, b - eta * nabla_b
    print(f"cost {history[0]:.4g} at the start, {history[-1]:.3g} after {len(history)} steps")

    fig, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    axes[0].semilogy(history)
    axes[0].set_xlabel("gradient-descent step")
    axes[0].set_ylabel("cost C (log scale)")
    axes[0].set_title(f"the student learns, eta = {eta}")
    axes[1].plot(range(1, steps + 1), simple_rnn(X_new, *teacher, return_sequences=True)[0, :, 0],
                 "k-", lw=3, alpha=0.4, label="teacher")
    axes[1].plot(range(1, steps + 1), before[0, :, 0], "o--", label="student, before")
    axes[1].plot(range(1, steps + 1), simple_rnn(X_new, W, U, b, return_sequences=True)[0, :, 0],
                 "s-", label="student, after")
    axes[1].set_xlabel("time step t")
    axes[1].set_ylabel("unit 0 of h_t")
    axes[1].set_title("on a new sequence")
    axes[1].legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## The gradient vanishes (or explodes) over time
#
# How much does the input of step $t$ still matter to a cost on the last
# state? Take the cost on $h_T$ alone (`return_sequences=False`). Since
# $z_t = x_t W + \dots$, the gradient with respect to the input of step $t$
# is $\partial C / \partial x_t = \delta_t W^T$, and going one step further
# back multiplies $\delta$ by $U^T$ and by the tanh derivatives:
#
# $$\delta_{t} = \big(\delta_{t+1} U^T\big) \odot (1 - h_t^2).$$
#
# After $k$ steps back, that is $k$ factors, just like chapter 11's $k$
# layers: when $U$ shrinks vectors (or tanh saturates) the gradient fades
# geometrically and the network cannot learn that an early input matters;
# when $U$ stretches vectors and the units stay in tanh's linear part, it
# grows geometrically — the **exploding gradient**.
#
# ## Exercise 4: the gradient's length at every step
#
# Return an array of length $T$, first step first: the Frobenius norm
# (`np.linalg.norm` of the whole (batch, n_in) matrix) of
# $\partial C / \partial x_t$, for the cost on the last state,
# $C = \frac1n \sum_x \frac12\|h_T - y\|^2$.

# %%
def gradient_norms_over_time(X, y, W, U, b, initial_state=None):
    """The length of the gradient of the cost with respect to the input of every time step.

    C = 1/n sum_x 1/2 ||h_T - y||^2; dC/dh_T = (h_T - y)/n;
    delta_t = dC/dh_t * (1 - h_t^2), dC/dh_{t-1} = delta_t U^T, dC/dx_t = delta_t W^T;
    norms[t - 1] = ||dC/dx_t|| (Frobenius over the batch and the inputs).
    Mirrors tf.norm of each step of tf.GradientTape's gradient with respect to
    the input of keras.layers.SimpleRNN.

    Args:
        X: the input sequences, shape (batch, timesteps, n_in).
        y: the targets of the last state, shape (batch, units).
        W: the input kernel, shape (n_in, units).
        U: the recurrent kernel, shape (units, units).
        b: the bias, shape (units,).
        initial_state: h_0, shape (batch, units), or None for zeros.
    Returns:
        norms, shape (timesteps,).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch13_rnn/gradient_norms_over_time", gradient_norms_over_time)

# %% [markdown]
# ## Look at it: how far back the gradient reaches
#
# Sixteen inputs and sixteen units, sequences of 50 steps, an input kernel
# $W$ that is a rotation (so that $\|\delta_t W^T\| = \|\delta_t\|$) and
# $U = \rho Q$ for another rotation $Q$. With tiny inputs the units stay in
# tanh's linear part and each step back multiplies the gradient's length by
# $\rho$: it vanishes for $\rho < 1$, keeps its length for $\rho = 1$ and
# explodes for $\rho > 1$. With large inputs the units
# saturate, $1 - h_t^2$ is small, and even $\rho = 1.5$ cannot keep the
# gradient alive. Keras initialises `recurrent_kernel` orthogonal, $\rho = 1$,
# for this reason; chapter 14's LSTM goes further and gives the gradient a
# path that does not pass through $U$ at all.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    rng = np.random.default_rng(4)
    steps, units = 50, 16
    W_in, Q = orthogonal(units, seed=6), orthogonal(units, seed=5)
    X_small, X_large = rng.normal(0, 1e-6, (8, steps, units)), rng.normal(0, 1, (8, steps, units))
    y_half = np.full((8, units), 0.5)
    plt.figure(figsize=(7, 4))
    for rho, X_in, style in ((0.8, X_small, "o-"), (1.0, X_small, "s-"), (1.2, X_small, "^-"),
                             (1.5, X_large, "x--")):
        norms = gradient_norms_over_time(X_in, y_half, W_in, rho * Q, np.zeros(units))
        size = "tiny" if X_in is X_small else "large, saturating"
        print(f"rho = {rho}, {size} inputs: ||dC/dx_1|| / ||dC/dx_T|| = {norms[0] / norms[-1]:.3g}")
        plt.semilogy(steps - np.arange(1, steps + 1), norms, style, ms=3, label=f"U = {rho} Q, {size} inputs")
    plt.xlabel("steps back from the last step, T - t")
    plt.ylabel("||dC/dx_t|| (log scale)")
    plt.title("the gradient over time: a product of one factor per step")
    plt.legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
