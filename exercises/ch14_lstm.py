# Student edition of the course, generated from source/ch14_lstm.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 14 — Long short-term memory and the GRU (长短时记忆网络)
#
# The **recurrent neural network (循环神经网络)** of chapter 13 carries one
# hidden state from step to step, $h_t = \tanh(x_t W + h_{t-1} U + b)$. The
# error of step $T$ reaches step $t$ through $T - t$ factors
# $\partial h_{k}/\partial h_{k-1} = \operatorname{diag}(\tanh'(z_k))\, U^T$: the
# **vanishing gradient problem (梯度消失)** of chapter 11 again, now along
# time instead of depth. A plain RNN barely learns how an output depends on
# an input many steps back — a **long-term dependency (长期依赖)**.
#
# **Long short-term memory (长短时记忆网络, LSTM)** (Hochreiter and
# Schmidhuber, 1997) adds a second state, the **cell state (单元状态)** $c_t$,
# which changes only by elementwise products and sums, and three **gates
# (门)** — layers of sigmoid units whose outputs, between 0 and 1, say how
# much of a vector passes:
#
# * the **forget gate (遗忘门)** $f_t$: how much of $c_{t-1}$ is kept;
# * the **input gate (输入门)** $i_t$: how much of the candidate state
#   $\tilde c_t$ (the notes' article calls it 当前输入的单元状态, the
#   state the current input suggests) is written;
# * the **output gate (输出门)** $o_t$: how much of the cell shows in $h_t$.
#
# $$\begin{aligned}
# i_t &= \sigma(x_t W_i + h_{t-1} U_i + b_i), &
# f_t &= \sigma(x_t W_f + h_{t-1} U_f + b_f), \\
# \tilde c_t &= \tanh(x_t W_c + h_{t-1} U_c + b_c), &
# o_t &= \sigma(x_t W_o + h_{t-1} U_o + b_o), \\
# c_t &= f_t \odot c_{t-1} + i_t \odot \tilde c_t, &
# h_t &= o_t \odot \tanh(c_t).
# \end{aligned}$$
#
# Along the cell state's direct path $\partial c_t / \partial c_{t-1}$ is just
# $\operatorname{diag}(f_t)$ (the gates' own dependence on $h_{t-1}$ adds
# other paths): with the forget gate near 1, the error flows back
# through many steps without shrinking.
#
# **The Keras layout.** `keras.layers.LSTM(units)` keeps the four gates'
# weights side by side: `kernel` $(D, 4U)$ for the inputs, `recurrent_kernel`
# $(U, 4U)$ for the previous output, `bias` $(4U,)$, where $D$ is the input
# width and $U$ = `units`. One product gives all four pre-activations,
#
# $$z_t = x_t\,\text{kernel} + h_{t-1}\,\text{recurrent\_kernel} + \text{bias}
#   \quad (\text{batch}, 4U),$$
#
# and its four blocks of $U$ columns belong, **in this order**, to
# $i$, $f$, $\tilde c$, $o$. The gates use the `recurrent_activation`
# (sigmoid), the candidate and the output the `activation` (tanh). So
# $W_i$ above is the first block of $U$ columns of `kernel`, $U_i$ (a
# $U \times U$ matrix; the letter $U$ does double duty) that of
# `recurrent_kernel`, and so on. Samples are rows, as in every chapter; the
# notes' LSTM article writes $W_f\cdot[h_{t-1}, x_t]$, which is our
# $x_t W_f + h_{t-1} U_f$ with the matrix split in two and transposed.
#
# **How you are checked.** The grader copies your weights into a
# `keras.layers.LSTMCell`, `LSTM`, `GRUCell` or `GRU` built in float64 and
# runs it on the same inputs. Tolerance: 1e-9 absolute, 1e-7 relative (both
# sides compute in float64 and agree to about 1e-15).

# %%
import numpy as np

# %% [markdown]
# The gates' activation (given: use it). Saturated gates are common — that is
# their job — so it must not overflow for large $|z|$.

# %%
def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), elementwise, without overflow for large |z|."""
    z = np.asarray(z, dtype=np.float64)
    e = np.exp(-np.abs(z))  # the exponent is never positive
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))

# %% [markdown]
# ## Exercise 1: one step of an LSTM cell
#
# Compute $z_t$ with one product per weight matrix, split it into the four
# gates in Keras's order i, f, c, o (`np.hsplit(z, 4)` cuts the columns in
# four), and return the new output and cell state. Mind the two tanh's:
# $\tilde c_t$ is the tanh of its pre-activation, $h_t$ the output gate times
# $\tanh(c_t)$, while $c_t$ itself is *not* squashed.

# %%
def lstm_cell(x_t, h_prev, c_prev, kernel, recurrent_kernel, bias):
    """One step of an LSTM: the new output h_t and cell state c_t.

    z = x_t kernel + h_prev recurrent_kernel + bias, split into the blocks
    z_i, z_f, z_c, z_o of U columns each (Keras's order i, f, c, o);
    c_t = sigmoid(z_f) * c_prev + sigmoid(z_i) * tanh(z_c);
    h_t = sigmoid(z_o) * tanh(c_t).
    Mirrors keras.layers.LSTMCell(U): cell(x_t, [h_prev, c_prev]) -> h_t, [h_t, c_t].

    Args:
        x_t: the inputs of this step, shape (batch, D).
        h_prev: the previous output, shape (batch, U).
        c_prev: the previous cell state, shape (batch, U).
        kernel: shape (D, 4U).
        recurrent_kernel: shape (U, 4U).
        bias: shape (4U,).
    Returns:
        (h_t, c_t), each of shape (batch, U).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch14_lstm/lstm_cell", lstm_cell)

# %% [markdown]
# ## Exercise 2: an LSTM layer over a whole sequence
#
# A batch of sequences `X` has shape (batch, T, D): sample, time step,
# feature. Start from `initial_state = (h_0, c_0)`, or from zeros when it is
# `None` (Keras's default), and apply your cell at $t = 1, \dots, T$ with the
# same weights at every step. What comes back follows Keras's two switches:
#
# * `return_sequences=False`: only the last output $h_T$, shape (batch, U);
#   `True`: every output $h_1, \dots, h_T$, shape (batch, T, U);
# * `return_state=True`: a tuple `(output, h_T, c_T)` — the output as above,
#   then the final states, which a second LSTM could start from (this is how
#   an encoder hands its memory to a decoder).

# %%
def lstm_forward(X, kernel, recurrent_kernel, bias, return_sequences=False, return_state=False,
                 initial_state=None):
    """An LSTM layer run over a batch of sequences.

    (h_0, c_0) = initial_state, or zeros; for t = 1..T:
    (h_t, c_t) = lstm_cell(X[:, t-1], h_{t-1}, c_{t-1}, kernel, recurrent_kernel, bias).
    Mirrors keras.layers.LSTM(U, return_sequences=..., return_state=...)(X,
    initial_state=[h_0, c_0]).

    Args:
        X: inputs, shape (batch, T, D).
        kernel: shape (D, 4U).
        recurrent_kernel: shape (U, 4U).
        bias: shape (4U,).
        return_sequences: return every step's output, not only the last.
        return_state: also return the final h_T and c_T.
        initial_state: None (zeros) or a pair (h_0, c_0), each of shape (batch, U).
    Returns:
        output: shape (batch, T, U) if return_sequences, else (batch, U);
        with return_state, the tuple (output, h_T, c_T).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch14_lstm/lstm_forward", lstm_forward)

# %% [markdown]
# ## Exercise 3: the forget gate starts open
#
# How a fresh LSTM starts matters for what it can learn. With all biases 0 and
# small weights every gate starts near $\sigma(0) = 1/2$, so at first half of
# the cell state is forgotten at every step: after 20 steps $2^{-20}$ of it
# is left, and so little error flows back that far. Jozefowicz, Zaremba and
# Sutskever (2015) found that starting the forget gate's bias at 1 helps on
# almost every task; Keras does so by default (`unit_forget_bias=True`): the
# bias starts at 0 except on the forget gate's block, where it is 1.
# (The kernels start random: Glorot uniform and orthogonal.)

# %%
def lstm_initial_bias(units, unit_forget_bias=True):
    """The bias vector a freshly built Keras LSTM layer starts with.

    Zeros in Keras's gate order i, f, c, o, except that with unit_forget_bias
    the forget gate's block (entries units .. 2*units - 1) is 1.
    Mirrors keras.layers.LSTM(units, unit_forget_bias=...).cell.bias after build.

    Args:
        units: U, the number of units.
        unit_forget_bias: start the forget gate's bias at 1 (Keras's default).
    Returns:
        float array of shape (4U,).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch14_lstm/lstm_initial_bias", lstm_initial_bias)

# %% [markdown]
# ## Look at it: how long a fresh cell remembers
#
# An LSTM with zero weights and the initial bias, fed zeros, keeps
# $c_t = f\, c_{t-1}$ with $f = \sigma(b_f)$ (its candidate $\tanh(0)$ is 0):
# run your `lstm_cell` from $c_0 = 1$ and watch what is left. With
# $b_f = 0$ the memory halves each step; with Keras's $b_f = 1$ it keeps
# $\sigma(1) \approx 0.73$ a step, and 40 steps later a few millionths of
# it ($0.73^{40} \approx 4 \cdot 10^{-6}$) instead of $2^{-40} \approx 10^{-12}$. This is also the factor that the error of $c_T$ is
# multiplied by on its way back to $c_0$. Training moves $b_f$ wherever the
# task needs it.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt

    units, steps = 3, 40
    zeros_in, zero_kernel, zero_recurrent = np.zeros((1, 1)), np.zeros((1, 4 * units)), np.zeros((units, 4 * units))
    plt.figure(figsize=(6, 3.5))
    for forget_bias in (False, True):
        bias = lstm_initial_bias(units, unit_forget_bias=forget_bias)
        h, c, kept = np.zeros((1, units)), np.ones((1, units)), [1.0]
        for t in range(steps):
            h, c = lstm_cell(zeros_in, h, c, zero_kernel, zero_recurrent, bias)
            kept.append(c[0, 0])
        print(f"unit_forget_bias={forget_bias}: c_{steps} = {kept[-1]:.3g}")
        plt.semilogy(kept, label=f"b_f = {bias[units]:g}: factor sigma(b_f) = {sigmoid(bias[units]):.2f} per step")
    plt.xlabel("step t")
    plt.ylabel("c_t, starting from c_0 = 1 (log scale)")
    plt.title("what a fresh LSTM cell keeps of its state")
    plt.legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## The GRU: two gates, one state
#
# The **gated recurrent unit (门控循环单元, GRU)** (Cho et al., 2014) merges
# the cell state into the output and uses two gates: an **update gate
# (更新门)** $z_t$ that mixes the old state with a candidate, and a **reset
# gate (重置门)** $r_t$ that says how much of the old state the candidate
# may see. Keras 3's `keras.layers.GRU(units)` computes
#
# $$\begin{aligned}
# z_t &= \sigma(x_t W_z + b^x_z + h_{t-1} U_z + b^h_z), \\
# r_t &= \sigma(x_t W_r + b^x_r + h_{t-1} U_r + b^h_r), \\
# \tilde h_t &= \tanh\big(x_t W_h + b^x_h + r_t \odot (h_{t-1} U_h + b^h_h)\big), \\
# h_t &= z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t .
# \end{aligned}$$
#
# Two details differ from the notes and from older code:
#
# * **reset_after=True** (Keras 3's default, the form cuDNN implements): the
#   reset gate multiplies the recurrent term *after* the product with $U_h$,
#   recurrent bias included. So there are two bias vectors, one added to the
#   input term and one to the recurrent term: `bias` has shape (2, 3U),
#   `bias[0]` for the inputs and `bias[1]` for $h_{t-1}$. Cho's original form
#   (`reset_after=False`, bias (3U,)) is $\tanh(x_t W_h + (r_t \odot h_{t-1})
#   U_h + b_h)$ — not the same function.
# * **Keras's $z$ is the share of the old state kept.** The notes' LSTM
#   article (like many texts) writes
#   $h_t = (1 - z_t) \odot h_{t-1} + z_t \odot \tilde h_t$; Keras's $z_t$ is
#   the notes' $1 - z_t$.
#
# The weights are laid out as the LSTM's, with three blocks in the order
# $z$, $r$, $h$: `kernel` (D, 3U), `recurrent_kernel` (U, 3U).
#
# ## Exercise 4: one step of a GRU cell

# %%
def gru_cell(x_t, h_prev, kernel, recurrent_kernel, bias):
    """One step of a GRU (Keras's reset_after=True form): the new state h_t.

    x_z, x_r, x_h = blocks of x_t kernel + bias[0];
    h_z, h_r, h_h = blocks of h_prev recurrent_kernel + bias[1];
    z = sigmoid(x_z + h_z); r = sigmoid(x_r + h_r);
    h_tilde = tanh(x_h + r * h_h); h_t = z * h_prev + (1 - z) * h_tilde.
    Mirrors keras.layers.GRUCell(U): cell(x_t, h_prev) -> h_t, h_t.

    Args:
        x_t: the inputs of this step, shape (batch, D).
        h_prev: the previous state, shape (batch, U).
        kernel: shape (D, 3U), blocks in the order z, r, h.
        recurrent_kernel: shape (U, 3U), blocks in the order z, r, h.
        bias: shape (2, 3U): bias[0] for the inputs, bias[1] for the recurrent term.
    Returns:
        h_t, shape (batch, U).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch14_lstm/gru_cell", gru_cell)

# %% [markdown]
# ## Exercise 5: a GRU layer over a whole sequence
#
# As `lstm_forward`, with one state: `initial_state` is $h_0$ itself (or
# `None` for zeros), and `return_state=True` returns the pair
# `(output, h_T)`.

# %%
def gru_forward(X, kernel, recurrent_kernel, bias, return_sequences=False, return_state=False,
                initial_state=None):
    """A GRU layer run over a batch of sequences.

    h_0 = initial_state, or zeros; for t = 1..T:
    h_t = gru_cell(X[:, t-1], h_{t-1}, kernel, recurrent_kernel, bias).
    Mirrors keras.layers.GRU(U, return_sequences=..., return_state=...)(X,
    initial_state=[h_0]).

    Args:
        X: inputs, shape (batch, T, D).
        kernel: shape (D, 3U).
        recurrent_kernel: shape (U, 3U).
        bias: shape (2, 3U).
        return_sequences: return every step's output, not only the last.
        return_state: also return the final h_T.
        initial_state: None (zeros) or h_0, shape (batch, U).
    Returns:
        output: shape (batch, T, U) if return_sequences, else (batch, U);
        with return_state, the pair (output, h_T).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch14_lstm/gru_forward", gru_forward)

# %% [markdown]
# ## Exercise 6: what the gates cost
#
# Every gate is a dense layer on $[x_t, h_{t-1}]$: $D U + U U$ weights and
# $U$ biases. Count the parameters of a layer of `units` cells on inputs of
# width `input_dim`: `"simple_rnn"` (chapter 13) has one such block, `"lstm"`
# four, `"gru"` three — plus, in Keras's reset_after form, a second bias
# vector of $3U$ for the recurrent term. Raise `ValueError` for any other
# name.

# %%
def recurrent_param_count(input_dim, units, cell="lstm"):
    """The number of trainable parameters of a Keras recurrent layer.

    simple_rnn: D U + U U + U;  lstm: 4 (D U + U U + U);
    gru (reset_after=True): 3 (D U + U U + 2 U).
    Mirrors keras.layers.SimpleRNN/LSTM/GRU(units).count_params() once built
    on inputs of shape (batch, T, input_dim).

    Args:
        input_dim: D, the width of each step's input.
        units: U.
        cell: "simple_rnn", "lstm" or "gru".
    Returns:
        int.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch14_lstm/recurrent_param_count", recurrent_param_count)

# %% [markdown]
# ## Look at it: the adding problem
#
# Hochreiter and Schmidhuber's test of long-term memory. Each step $t$ of a
# sequence of length $T$ carries two numbers: a value $v_t$ drawn uniformly
# from $[0, 1]$, and a marker $m_t \in \{0, 1\}$. Exactly two steps are
# marked, one in the first half and one in the second; the target is the sum
# of the two marked values, $y = \sum_t m_t v_t$. To answer, a network must
# hold the first marked value for up to $T$ steps while ignoring everything
# else. A network that learns nothing predicts the mean, $E[y] = 1$, and its
# mean squared error is the variance of the sum of two uniform numbers,
# $2/12 \approx 0.167$ (0.148 on our 500 validation sequences): the
# **baseline** to beat.
#
# Below: `SimpleRNN`, `LSTM` and `GRU` layers of 16 units, each followed by a
# `Dense(1)`, trained side by side with Adam on the same 2,000 sequences of
# length $T = 40$ for 10 epochs (under a minute on 2 cores). In our runs the
# GRU and then the LSTM drop far below the baseline once they discover the
# markers, while the SimpleRNN stays at the baseline: its gradient from the
# end of the sequence back to the first marker has vanished. Run longer
# sequences (raise `length`, and `epochs` with it) to see the gap widen: a
# SimpleRNN's chance of ever leaving the baseline falls quickly with $T$,
# while the gated layers keep learning, only more slowly — Hochreiter and
# Schmidhuber's LSTM solved the problem for $T = 1000$. A short run like
# this one also shows how the gated networks learn: a plateau at the
# baseline, then a sudden drop once they find the markers.
#
# At the end, the trained Keras LSTM's weights go through your `lstm_forward`
# and the `Dense` head in NumPy: the predictions agree with Keras's.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import time

    import keras


    def adding_problem(n, length, rng):
        """n sequences of (value, marker) pairs, shape (n, length, 2), and their targets, shape (n, 1)."""
        values = rng.uniform(0, 1, (n, length))
        markers = np.zeros((n, length))
        rows = np.arange(n)
        markers[rows, rng.integers(0, length // 2, n)] = 1.0        # one in the first half
        markers[rows, rng.integers(length // 2, length, n)] = 1.0   # one in the second half
        X = np.stack([values, markers], axis=-1)
        return X.astype("float32"), (values * markers).sum(axis=1, keepdims=True).astype("float32")


    length, epochs = 40, 10
    rng = np.random.default_rng(0)
    X_train, y_train = adding_problem(2000, length, rng)
    X_val, y_val = adding_problem(500, length, rng)
    baseline = float(np.mean((y_val - 1.0) ** 2))
    print(f"baseline (always predict 1): validation MSE {baseline:.4f}")

    histories, models = {}, {}
    start = time.perf_counter()
    for name, layer in (("SimpleRNN", keras.layers.SimpleRNN), ("LSTM", keras.layers.LSTM),
                        ("GRU", keras.layers.GRU)):
        keras.utils.set_random_seed(0)
        models[name] = keras.Sequential([keras.Input((length, 2)), layer(16), keras.layers.Dense(1)])
        models[name].compile(keras.optimizers.Adam(0.02), "mse")
        fit = models[name].fit(X_train, y_train, batch_size=50, epochs=epochs,
                               validation_data=(X_val, y_val), verbose=0)
        histories[name] = fit.history["val_loss"]
        print(f"{name:>9}: validation MSE by epoch {np.round(histories[name], 4)}")
    print(f"trained the three in {time.perf_counter() - start:.0f} s")

    plt.figure(figsize=(6, 3.5))
    for name, losses in histories.items():
        plt.semilogy(range(1, epochs + 1), losses, "o-", label=name)
    plt.axhline(baseline, color="gray", linestyle="--", label="baseline: predict the mean")
    plt.xlabel("epoch")
    plt.ylabel("validation MSE (log scale)")
    plt.title(f"the adding problem, T = {length}")
    plt.legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    lstm_layer, head = models["LSTM"].layers
    mine = lstm_forward(X_val[:100].astype(np.float64), *lstm_layer.get_weights()) @ head.get_weights()[0] \
        + head.get_weights()[1]
    theirs = models["LSTM"].predict(X_val[:100], verbose=0)
    print(f"your lstm_forward + the Dense head vs Keras: max difference {np.abs(mine - theirs).max():.2g} "
          f"(Keras computes in float32)")
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
