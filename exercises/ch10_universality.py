# Student edition of the course, generated from source/ch10_universality.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 10 — Universality (普遍性): a visual proof that neural nets can compute any function
#
# The **universality theorem (普遍性定理)** says that a network with a single
# hidden layer of sigmoid neurons can approximate any continuous function
# $f$ to any accuracy $\varepsilon > 0$, given enough hidden neurons. Nielsen
# proves it with pictures rather than with analysis, and in this chapter you
# build his pictures yourself: the weights are not learned, you *construct*
# them.
#
# **Two caveats (两个预先声明).** The network *approximates* $f$: we can make
# $|g(x) - f(x)| < \varepsilon$ for every $x$, never exactly $g = f$. And $f$
# must be **continuous (连续)**: a function with a jump cannot be matched
# everywhere by a continuous network.
#
# **One input, one output (一个输出和一个输入的普遍性).** Take a hidden
# sigmoid neuron $\sigma(wx + b)$ and make its weight $w$ large. The S-curve
# gets steeper and steeper until it is, for all practical purposes, a
# **step function (阶跃函数)** that jumps from 0 to 1 at
#
# $$ s = -\frac{b}{w}. $$
#
# From now on a hidden neuron is described by this one number $s$, its
# **step position**, plus a large steepness $w$; the bias is $b = -ws$.
#
# Two step neurons that step at $s_1 < s_2$, feeding one *linear* output
# neuron with weights $+h$ and $-h$, make a **bump (凸起)**: the output is
# $h\,\sigma(w(x - s_1)) - h\,\sigma(w(x - s_2))$, which is about $h$ on
# $[s_1, s_2]$ and about 0 elsewhere. Put $n$ such bumps side by side on
# $[j/n, (j+1)/n]$, give bump $j$ the height $h_j = f\big((j + \tfrac12)/n\big)$,
# and the output is a staircase that follows $f$. Its error is at most how far
# $f$ moves within half a bump, about $L/2n$ for a function of slope at most
# $L$: double the bumps and the error halves. That is the whole proof.
#
# In Keras the network is `Input(1) -> Dense(2n, "sigmoid") -> Dense(1,
# "linear")`. The grader copies the weights you construct into exactly that
# network and measures how well it follows $f$.

# %%
import numpy as np

# %% [markdown]
# The sigmoid of chapter 2, in the form that never overflows (given: use it).
# With $w = 10^5$ the weighted input $w(x - s)$ is huge, and
# $1/(1 + e^{-z})$ would compute $e^{100000}$ on the way.

# %%
def sigmoid(z):
    """sigma(z) = 1 / (1 + exp(-z)), elementwise, without overflow for large |z|."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))

# %% [markdown]
# ## Exercise 1: step neurons (阶跃函数 from S型神经元)
#
# A hidden layer of `units` step neurons, all with the same steepness `w`,
# the $k$-th stepping at `s[k]`. In Keras layout the layer's kernel `W` has
# shape (1, units) (one input), and its bias `b` has shape (units,).
# A negative `w` makes a neuron step *down* at `s` instead of up.

# %%
def step_neuron_params(s, w):
    """The Dense weights of sigmoid neurons that step at the positions s.

    sigma(w x + b) crosses 1/2 where w x + b = 0, at x = -b / w; so a neuron
    of steepness w steps at s when b = -w s. Mirrors the weights of
    keras.layers.Dense(units, activation="sigmoid") on one input.

    Args:
        s: step positions, shape (units,).
        w: the steepness shared by all neurons, a float (may be negative).
    Returns:
        (W, b): the kernel, shape (1, units), every entry w; the biases, shape (units,).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def hidden_layer_output(X, s, w):
    """The activations of the step neurons of step_neuron_params(s, w).

    a = sigmoid(X W + b), as keras.layers.Dense(len(s), activation="sigmoid")
    holding those weights. Column k is about 0 left of s[k] and about 1 right
    of it (the other way round for w < 0).

    Args:
        X: inputs, shape (batch, 1).
        s: step positions, shape (units,).
        w: steepness, a float.
    Returns:
        float array of shape (batch, units).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch10_universality/step_neuron_params", step_neuron_params)
nndl.check("ch10_universality/hidden_layer_output", hidden_layer_output)

# %% [markdown]
# Look at it: one neuron with $s = 0.4$ as its weight grows. By $w = 1000$
# the curve is a step for every purpose of this chapter; only a window of
# width about $10/w$ around $s$ is not yet flat.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it

    x = np.linspace(0, 1, 801)[:, None]
    plt.figure(figsize=(7, 3.2))
    for w in (5, 20, 100, 1000):
        plt.plot(x, hidden_layer_output(x, np.array([0.4]), w), label=f"w = {w}")
    plt.axvline(0.4, color="gray", lw=0.6, ls=":")
    plt.xlabel("x")
    plt.ylabel("sigmoid(w x + b)")
    plt.title("a steep sigmoid neuron is a step at s = -b/w = 0.4")
    plt.legend()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Exercise 2: a bump (凸起) from a pair of steps
#
# Two step neurons, at `s1` and at `s2`, and one linear output neuron whose
# kernel is $[[h], [-h]]$ and whose bias is 0. Keep `s1` and `s2` in the
# order given: with `s1 > s2` the same weights make a bump of height $-h$
# on $[s_2, s_1]$, and that is what the network computes.

# %%
def bump(X, s1, s2, h, w):
    """The output of a two-neuron hidden layer and a linear output: a bump of height h on [s1, s2].

    y = h sigmoid(w (x - s1)) - h sigmoid(w (x - s2)), as a keras.Sequential of
    Dense(2, "sigmoid") (stepping at s1 and s2) and Dense(1) with kernel
    [[h], [-h]] and bias 0.

    Args:
        X: inputs, shape (batch, 1).
        s1, s2: the step positions of the two hidden neurons, floats.
        h: the height of the bump, a float.
        w: steepness of both steps, a float.
    Returns:
        float array of shape (batch, 1).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch10_universality/bump", bump)

# %% [markdown]
# ## Exercise 3: many bumps approximate f (一个输出和一个输入的普遍性)
#
# A function cannot be handed to the grader, so $f$ comes as numbers:
# `f_values[k]` is $f$ at the $k$-th point of `np.linspace(0, 1, m)`, with
# `m = len(f_values)`; between grid points $f$ is the straight line through
# them. Read $f$ at the bump midpoints $(j + \frac12)/n$ with linear
# interpolation (`np.interp`); the midpoints need not be grid points.
#
# Build the weights of `Dense(2n, "sigmoid")` then `Dense(1, "linear")`:
# bump $j$ covers $[j/n, (j+1)/n]$, steps up at $j/n$ and down at
# $(j+1)/n$ with steepness `w`, and has height $f$ at its midpoint. Any
# order of the $2n$ hidden neurons gives the same function, and so passes.
# The grader evaluates your weights in that Keras network: at the midpoints
# it must be within the sigmoid tails (a few $e^{-w/2n}$) of $f$, and over
# the interior of $[0, 1]$ within $L/2n$ of $f$, where $L$ is the steepest
# slope of $f$. (At exactly $x = 0$ and $x = 1$ the end steps are only half
# on; Nielsen's proof does not care about the ends, and neither does the
# grader.)

# %%
def build_bump_network(f_values, n_bumps, w=1000.0):
    """The weights of a one-hidden-layer network of n_bumps bumps that approximates f on [0, 1].

    Bump j (j = 0 .. n-1) is a pair of step neurons at j/n (up) and (j+1)/n
    (down), steepness w, with output weights +h_j and -h_j, where
    h_j = f((j + 1/2) / n). The network is
    y = sigmoid(x W1 + b1) W2 + b2, i.e. keras.Sequential([Input((1,)),
    Dense(2 n_bumps, "sigmoid"), Dense(1)]) holding (W1, b1, W2, b2).

    Args:
        f_values: f on np.linspace(0, 1, m), shape (m,), m >= 2.
        n_bumps: the number of bumps n, an int >= 1.
        w: the steepness of every step neuron, a float > 0.
    Returns:
        (W1, b1, W2, b2) with shapes (1, 2 n_bumps), (2 n_bumps,),
        (2 n_bumps, 1) and (1,): Keras layout.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch10_universality/build_bump_network", build_bump_network)

# %% [markdown]
# ## Look at it: f, the bumps, and their sum
#
# A smooth $f$ (a seeded sum of sines), the output of your network with 10
# bumps, and the 10 bumps one by one. The network is evaluated with
# NumPy here; the grader runs the same weights through Keras.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    def network_output(X, W1, b1, W2, b2):
        """y = sigmoid(X W1 + b1) W2 + b2 for X of shape (batch, 1)."""
        return sigmoid(X @ W1 + b1) @ W2 + b2


    def sum_of_sines(x, seed=4):
        rng = np.random.default_rng(seed)
        a, nu, phase = rng.normal(0, 1, 3), rng.uniform(0.5, 3, 3), rng.uniform(0, 2 * np.pi, 3)
        return 0.3 + (a * np.sin(2 * np.pi * nu * x + phase)).sum(axis=-1)


    x = np.linspace(0, 1, 801)[:, None]
    f = sum_of_sines(x)
    n = 10
    W1, b1, W2, b2 = build_bump_network(f, n, w=1000.0)
    y = network_output(x, W1, b1, W2, b2)[:, 0]
    hidden = sigmoid(x @ W1 + b1)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    top.plot(x, f, "k", lw=2, label="f")
    top.plot(x, y, "C3", label=f"network, {n} bumps")
    top.legend()
    top.set_title("a one-hidden-layer network of steps follows f")
    for j in range(n):  # bump j: hidden unit j up, unit n + j down
        bottom.plot(x, hidden[:, j] * W2[j, 0] + hidden[:, n + j] * W2[n + j, 0])
    bottom.axhline(0, color="gray", lw=0.5)
    bottom.set_title("the individual bumps (each a pair of step neurons)")
    bottom.set_xlabel("x")
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# More bumps, smaller error: the worst error over the interior of $[0, 1]$
# falls like $1/n$ (the dashed line is Nielsen's bound $L/2n$). This is
# the universality theorem in one plot: pick $\varepsilon$, and there is an
# $n$ whose network is within $\varepsilon$ of $f$.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    inside = (x[:, 0] > 0.01) & (x[:, 0] < 0.99)
    counts = [5, 10, 20, 40, 80]
    errors = [np.abs(network_output(x, *build_bump_network(f, n, w=20000.0))[:, 0] - f)[inside].max()
              for n in counts]
    L = np.abs(np.diff(f)).max() * (len(f) - 1)
    plt.figure(figsize=(6, 3.5))
    plt.loglog(counts, errors, "o-", label="max |network - f|")
    plt.loglog(counts, [L / (2 * n) for n in counts], "k--", label="L / 2n")
    plt.xticks(counts, [str(n) for n in counts])
    plt.minorticks_off()
    plt.xlabel("number of bumps n")
    plt.ylabel("max error")
    plt.legend()
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Further: the tricks Nielsen adds (optional reading, not graded)
#
# **The inverse trick (S型神经元的延申 / 修补).** If the *output* neuron is a
# sigmoid too, as in Nielsen's figures, let the bumps approximate
# $\sigma^{-1}(f(x))$ instead of $f$: the output $\sigma(\text{sum of
# bumps})$ is then close to $f$, for any $f$ with values in $(0, 1)$.
#
# **Fixing up the steps (修补阶跃函数).** Near each step there is a window
# of width about $1/w$ where the neuron is neither 0 nor 1, and there the
# staircase can be far off. Nielsen's cure: add several copies of the
# network whose bumps are shifted by a fraction of a bump, each scaled by
# $1/M$; a point that falls in the bad window of one copy is in the good part
# of all the others.
#
# **Many inputs (多个输入变量).** With two inputs, a bump in $x$ plus a
# bump in $y$ reaches $2h$ only where both are on, over a square. Feed that
# sum to one more steep sigmoid with threshold $3h/2$ and you get a
# **tower (塔)**: about 1 on the square, about 0 elsewhere. Towers placed on
# a grid of squares, each with its own height, approximate any $f(x, y)$ the
# way bumps approximate $f(x)$ — and the same goes for more inputs.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    u = np.linspace(0, 1, 201)
    gx, gy = np.meshgrid(u, u)
    h, w = 1.0, 200.0
    both = bump(gx.reshape(-1, 1), 0.3, 0.6, h, w) + bump(gy.reshape(-1, 1), 0.4, 0.8, h, w)
    tower = sigmoid(w * (both - 1.5 * h)).reshape(gx.shape)
    fig, axes = plt.subplots(1, 2, figsize=(9, 3.8))
    axes[0].imshow(both.reshape(gx.shape), origin="lower", extent=(0, 1, 0, 1))
    axes[0].set_title("bump in x + bump in y")
    axes[1].imshow(tower, origin="lower", extent=(0, 1, 0, 1))
    axes[1].set_title("a steep sigmoid at 3h/2: a tower")
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
