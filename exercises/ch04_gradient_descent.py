# Student edition of the course, generated from source/ch04_gradient_descent.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 4 — Learning with gradient descent (梯度下降)
#
# A network learns by finding weights and biases that make a **cost function
# (代价函数)** small. Nielsen's **quadratic cost (二次代价函数)** over $n$
# training samples is
#
# $$C(W, b) = \frac{1}{2n} \sum_x \lVert a(x) - y(x) \rVert^2 .$$
#
# **Gradient descent (梯度下降)** walks downhill: it computes the gradient
# $\nabla C$ and takes a small step against it, $W \leftarrow W - \eta\,
# \partial C/\partial W$, where $\eta$ is the **learning rate (学习速率)**.
#
# How much data goes into one gradient is the difference between three loops:
#
# * **batch gradient descent (批梯度下降)** uses every sample for every step:
#   exact, but one step per pass over the data;
# * **stochastic gradient descent (随机梯度下降, SGD)** uses one sample per
#   step: many noisy steps per pass. The noise is not all bad: on a non-convex
#   cost it can shake the weights out of a poor **local minimum (局部最小值)**;
# * **mini-batch SGD (小批量)** averages the gradient over a few samples: the
#   compromise everybody uses (`model.fit(batch_size=32)`).
#
# One pass over the training data is an **epoch (迭代期)**.
#
# Plain steps are slow in long narrow valleys. The notes list the remedies that
# Keras ships as `keras.optimizers.*`:
#
# * **momentum (动量)**: keep a velocity $v \leftarrow \mu v - \eta g$ and move
#   $W \leftarrow W + v$, so steps in a steady direction add up;
# * **Nesterov momentum**: the same velocity, but the step looks ahead,
#   $W \leftarrow W + \mu v_{new} - \eta g$;
# * **RMSprop**: divide each gradient component by a running root mean square
#   of its past values, so steep and flat directions move at similar speeds;
# * **Adam (自适应矩估计)**: momentum and RMSprop together, with a correction
#   for the zero start of both averages.
#
# Last, a learning method that needs no gradient at all: the **genetic
# algorithm (遗传算法)** keeps a **population (种群)** of candidate weight
# vectors, and breeds the fitter ones (**selection, 选择**), mixes their genes
# (**crossover, 交叉**) and perturbs them at random (**mutation, 变异**).
#
# This chapter's linear unit (线性单元) is a Keras `Dense` layer without
# activation: $\hat y = X W + b$ with $X$ of shape (batch, n_in), $W$ of shape
# (n_in, n_out) and $b$ of shape (n_out,). The grader trains a `Dense` layer
# with `keras.optimizers.SGD` on your data and compares the weights you end
# with.

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: the quadratic cost and its gradient
#
# With the error $E = X W + b - y$ of shape (batch, n_out):
# $C = \frac{1}{2n}\sum E^2$, $\;\partial C/\partial W = X^T E / n$,
# $\;\partial C/\partial b = $ the mean of the rows of $E$.

# %%
def quadratic_cost_grad(X, y, W, b):
    """The quadratic cost of a linear unit and its gradient, as tf.GradientTape gives it.

    C = 1/(2n) sum over samples and units of (X W + b - y)^2

    Args:
        X: inputs, shape (batch, n_in).
        y: targets, shape (batch, n_out).
        W: kernel, shape (n_in, n_out).
        b: biases, shape (n_out,).
    Returns:
        (C, dW, db): a float, and arrays of the shapes of W and b.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch04_gradient_descent/quadratic_cost_grad", quadratic_cost_grad)

# %% [markdown]
# ## Exercise 2: batch, stochastic and mini-batch gradient descent
#
# All three start from the given W and b and return the final (W, b). To make
# the path reproducible, SGD and mini-batch SGD do not shuffle: `order` has
# one row per epoch, and each row lists the sample indices in the order to
# visit them (a real program would draw a fresh permutation each epoch).
# Mini-batches are consecutive pieces of a row of length `batch_size`; the
# last one of an epoch may be shorter. Each step uses the **mean** gradient
# of its batch, as Keras does.

# %%
def batch_gradient_descent(X, y, W, b, eta, epochs):
    """Batch gradient descent (批梯度下降): one step on all samples per epoch.

    For each epoch: W -= eta * dC/dW, b -= eta * dC/db, with C over all of X.
    Mirrors keras.optimizers.SGD(eta) with model.fit(batch_size=len(X)).

    Args:
        X: inputs, shape (batch, n_in); y: targets, shape (batch, n_out).
        W: initial kernel, shape (n_in, n_out); b: initial biases, shape (n_out,).
        eta: learning rate.
        epochs: number of steps (passes over the data); 0 returns W and b.
    Returns:
        (W, b) after training, as new arrays.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def minibatch_sgd(X, y, W, b, eta, batch_size, order):
    """Mini-batch stochastic gradient descent (小批量随机梯度下降).

    For each row of `order` (one epoch), for each consecutive piece `index`
    of it of length batch_size: W -= eta * dC/dW, b -= eta * dC/db with C
    over X[index], y[index]. Mirrors keras.optimizers.SGD(eta) with
    model.fit(batch_size=batch_size, shuffle=False) on data put in that order.

    Args:
        X: inputs, shape (batch, n_in); y: targets, shape (batch, n_out).
        W: initial kernel, shape (n_in, n_out); b: initial biases, shape (n_out,).
        eta: learning rate.
        batch_size: samples per step; the last batch of an epoch may be smaller.
        order: int array, shape (epochs, batch): the sample indices of each epoch.
    Returns:
        (W, b) after training.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def sgd(X, y, W, b, eta, order):
    """Stochastic gradient descent (随机梯度下降): one step per sample.

    For each row of `order`, for each index i in it:
    W -= eta * dC/dW, b -= eta * dC/db, with C over the one sample X[i], y[i].

    Args:
        X: inputs, shape (batch, n_in); y: targets, shape (batch, n_out).
        W: initial kernel, shape (n_in, n_out); b: initial biases, shape (n_out,).
        eta: learning rate.
        order: int array, shape (epochs, batch): the sample indices of each epoch.
    Returns:
        (W, b) after training.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch04_gradient_descent/batch_gradient_descent", batch_gradient_descent)
nndl.check("ch04_gradient_descent/sgd", sgd)
nndl.check("ch04_gradient_descent/minibatch_sgd", minibatch_sgd)

# %% [markdown]
# ## Look at it: three loops on the same data
#
# The cost after each epoch, for the same linear regression problem, the same
# start and the same learning rate. Per epoch, SGD takes 200 small steps and
# batch gradient descent one.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it

    rng = np.random.default_rng(0)
    X_demo = rng.normal(size=(200, 3))
    y_demo = X_demo @ np.array([[1.5], [-2.0], [0.5]]) + 0.7 + rng.normal(0, 0.1, (200, 1))
    W0, b0 = np.zeros((3, 1)), np.zeros(1)
    runs = {"batch GD": lambda W, b, order: batch_gradient_descent(X_demo, y_demo, W, b, 0.05, 1),
            "mini-batch (10)": lambda W, b, order: minibatch_sgd(X_demo, y_demo, W, b, 0.05, 10, order),
            "SGD": lambda W, b, order: sgd(X_demo, y_demo, W, b, 0.05, order)}
    fig, ax = plt.subplots(figsize=(6, 3.5))
    for name, run in runs.items():
        W, b = W0, b0
        costs = [quadratic_cost_grad(X_demo, y_demo, W, b)[0]]
        for epoch in range(20):
            W, b = run(W, b, rng.permutation(200)[None])
            costs.append(quadratic_cost_grad(X_demo, y_demo, W, b)[0])
        ax.semilogy(costs, marker=".", label=name)
    ax.set_xlabel("epoch")
    ax.set_ylabel("quadratic cost C")
    ax.legend()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Exercise 3: one step of each optimizer
#
# Each function is **pure**: it takes the parameters, their gradient and the
# optimizer's state, and returns the new parameters and the new state without
# changing its inputs. W, grad and every state array have the same shape
# (any shape). These are Keras's formulas, which differ from some textbooks in
# where $\epsilon$ goes:
#
# * RMSprop: $s \leftarrow \rho s + (1-\rho) g^2$,
#   $\;W \leftarrow W - \eta\, g / \sqrt{s + \epsilon}$ ($\epsilon$ **inside**
#   the square root);
# * Adam, at step $t = 1, 2, \dots$: $m \leftarrow \beta_1 m + (1-\beta_1) g$,
#   $\;v \leftarrow \beta_2 v + (1-\beta_2) g^2$,
#   $\;\alpha = \eta \sqrt{1-\beta_2^t} / (1-\beta_1^t)$,
#   $\;W \leftarrow W - \alpha\, m / (\sqrt{v} + \epsilon)$. The textbook form
#   $\eta\, \hat m / (\sqrt{\hat v} + \epsilon)$ with bias-corrected
#   $\hat m, \hat v$ is the same except for how $\epsilon$ is scaled: the
#   grader tries a large $\epsilon$.

# %%
def sgd_momentum_step(W, grad, v, eta=0.01, momentum=0.9, nesterov=False):
    """One step of SGD with momentum (动量), as keras.optimizers.SGD(eta, momentum, nesterov).

    v_new = momentum * v - eta * grad
    W_new = W + v_new                              (nesterov=False)
    W_new = W + momentum * v_new - eta * grad      (nesterov=True)

    Args:
        W: parameters, any shape; grad: dC/dW, same shape.
        v: velocity, same shape (zeros at the start).
        eta: learning rate; momentum: mu in [0, 1); nesterov: look-ahead step.
    Returns:
        (W_new, v_new).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def rmsprop_step(W, grad, s, eta=0.001, rho=0.9, epsilon=1e-7):
    """One step of RMSprop, as keras.optimizers.RMSprop(eta, rho, epsilon=epsilon).

    s_new = rho * s + (1 - rho) * grad^2
    W_new = W - eta * grad / sqrt(s_new + epsilon)

    Args:
        W: parameters, any shape; grad: dC/dW, same shape.
        s: running mean of grad^2, same shape (zeros at the start).
        eta: learning rate; rho: decay of the mean; epsilon: added inside the root.
    Returns:
        (W_new, s_new).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def adam_step(W, grad, m, v, t, eta=0.001, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
    """Step number t of Adam (自适应矩估计), as keras.optimizers.Adam(eta, beta_1, beta_2, epsilon).

    m_new = beta_1 * m + (1 - beta_1) * grad
    v_new = beta_2 * v + (1 - beta_2) * grad^2
    alpha = eta * sqrt(1 - beta_2^t) / (1 - beta_1^t)
    W_new = W - alpha * m_new / (sqrt(v_new) + epsilon)

    Args:
        W: parameters, any shape; grad: dC/dW, same shape.
        m, v: first and second moment estimates, same shape (zeros at the start).
        t: the number of this step, 1 for the first.
        eta, beta_1, beta_2, epsilon: Keras's hyperparameters.
    Returns:
        (W_new, m_new, v_new).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch04_gradient_descent/sgd_momentum_step", sgd_momentum_step)
nndl.check("ch04_gradient_descent/rmsprop_step", rmsprop_step)
nndl.check("ch04_gradient_descent/adam_step", adam_step)

# %% [markdown]
# ## Exercise 4: an optimizer run over a gradient sequence
#
# Chain your steps: start with zero state, feed the gradients one after the
# other, and record where W goes. The grader feeds the same gradients to a
# Keras optimizer and compares the whole path. `method` is one of "sgd"
# (plain steps: momentum 0), "momentum", "nesterov", "rmsprop" and "adam";
# `hyper` are the keyword arguments of that method's step function.

# %%
def run_optimizer(W, grads, method, **hyper):
    """The path of W under one optimizer fed a fixed sequence of gradients.

    Mirrors calling optimizer.apply_gradients once per gradient on a
    tf.Variable holding W.

    Args:
        W: initial parameters, any shape.
        grads: the gradients in order, shape (steps, *W.shape).
        method: "sgd", "momentum", "nesterov", "rmsprop" or "adam".
        **hyper: e.g. eta=0.1, momentum=0.9 (passed on to the step function).
    Returns:
        array of shape (steps + 1, *W.shape): W before the first step, then after each.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch04_gradient_descent/run_optimizer", run_optimizer)

# %% [markdown]
# ## Look at it: the optimizers on one surface
#
# A long, curved valley with its minimum at (1, 1) (Rosenbrock's function,
# scaled down). Each optimizer starts at the same point and takes 300 steps
# with the gradient of the point it is at; the right panel shows the cost
# along each path.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    def surface(w):
        return 0.1 * (1 - w[0]) ** 2 + (w[1] - w[0] ** 2) ** 2


    def surface_grad(w):
        return np.array([-0.2 * (1 - w[0]) - 4 * w[0] * (w[1] - w[0] ** 2), 2 * (w[1] - w[0] ** 2)])


    def walk(method, hyper, w, steps=300):
        """The points visited by one optimizer, following the gradient where it is."""
        m, v, path = np.zeros_like(w), np.zeros_like(w), [w]
        for t in range(1, steps + 1):
            g = surface_grad(w)
            if method == "adam":
                w, m, v = adam_step(w, g, m, v, t, **hyper)
            elif method == "rmsprop":
                w, v = rmsprop_step(w, g, v, **hyper)
            else:
                w, v = sgd_momentum_step(w, g, v, **hyper)
            path.append(w)
        return np.array(path)


    settings = {"sgd": ("sgd", {"eta": 0.05, "momentum": 0.0}),
                "momentum": ("sgd", {"eta": 0.01, "momentum": 0.9}),
                "nesterov": ("sgd", {"eta": 0.01, "momentum": 0.9, "nesterov": True}),
                "rmsprop": ("rmsprop", {"eta": 0.01}), "adam": ("adam", {"eta": 0.05})}
    a, c = np.meshgrid(np.linspace(-1.5, 1.7, 200), np.linspace(-0.6, 2.2, 200))
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 4.5))
    left.contour(a, c, surface(np.stack([a, c])), levels=np.logspace(-3, 1, 15), cmap="Greys")
    for name, (method, hyper) in settings.items():
        path = walk(method, hyper, np.array([-1.2, 1.8]))
        left.plot(path[:, 0], path[:, 1], ".-", ms=2, label=name)
        right.semilogy([surface(p) for p in path], label=name)
    left.plot(1, 1, "k*", ms=12)
    left.legend()
    left.set_title("paths from (-1.2, 1.8)")
    right.set_xlabel("step")
    right.set_ylabel("cost")
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Exercise 5: a genetic algorithm (遗传算法)
#
# No gradients this time. An **individual (个体)** is a vector of **genes
# (基因)**: here the weights w (n_in of them) and then the bias b of a linear
# unit with one output. Its **fitness (适应度)** is minus its quadratic cost on
# the data, so fitter means better (fitness may be negative).
#
# * **tournament selection (锦标赛选择)**: draw two members at random (with
#   replacement) and keep the fitter one (the first drawn on a tie); repeat n
#   times;
# * **uniform crossover (均匀交叉)**: a child takes each gene from its first or
#   its second parent, with probability 1/2 each, independently per gene;
# * **Gaussian mutation (高斯变异)**: each gene, with probability `rate`, gets
#   normal noise of standard deviation `scale` added.
#
# Randomness comes from `np.random.default_rng(seed)`. `seed` may be an int or
# an existing `np.random.Generator` (which `default_rng` hands back unchanged),
# so the algorithm can pass its own generator to the operators. The grader
# does not expect your random numbers to be the reference's: it checks what
# your operators do (their outputs' properties) and that your algorithm
# learns.

# %%
def ga_cost(X, y, genes):
    """The quadratic cost of each individual's linear unit.

    cost[k] = 1/(2n) sum_i (X[i] . genes[k, :-1] + genes[k, -1] - y[i])^2

    Args:
        X: inputs, shape (batch, n_in).
        y: targets, shape (batch,).
        genes: one individual per row, shape (pop, n_in + 1): weights then bias.
    Returns:
        costs, shape (pop,).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def tournament_select(population, fitness, n, seed):
    """n members chosen by 2-way tournaments (selection, 选择).

    Args:
        population: shape (pop, n_genes).
        fitness: shape (pop,), higher is better.
        n: how many to select.
        seed: int or np.random.Generator, for np.random.default_rng.
    Returns:
        the selected rows of population, shape (n, n_genes).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def uniform_crossover(parents_a, parents_b, seed):
    """Children of pairs of parents by uniform crossover (交叉).

    child[k, j] is parents_a[k, j] or parents_b[k, j], each with probability 1/2.

    Args:
        parents_a, parents_b: shape (n, n_genes); row k of each is a pair.
        seed: int or np.random.Generator.
    Returns:
        children, shape (n, n_genes).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def mutate(population, rate, scale, seed):
    """Gaussian mutation (变异): each gene, with probability rate, gets N(0, scale^2) noise.

    Args:
        population: shape (pop, n_genes).
        rate: probability that a gene mutates, in [0, 1].
        scale: standard deviation of the noise.
        seed: int or np.random.Generator.
    Returns:
        a new array of the same shape; rate = 0 returns an unchanged copy.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def genetic_algorithm(X, y, pop_size=40, generations=60, seed=0, mutation_rate=0.2,
                      mutation_scale=0.3):
    """Fit a linear unit to (X, y) by a genetic algorithm (遗传算法), with elitism.

    Start: pop_size individuals with N(0, 1) genes. Each generation: keep the
    best individual unchanged (elitism, 精英保留), and fill the other
    pop_size - 1 places with children: tournament-select 2 (pop_size - 1)
    parents, cross them in pairs, mutate the children.

    Args:
        X: inputs, shape (batch, n_in); y: targets, shape (batch,).
        pop_size: individuals per generation (at least 2).
        generations: number of generations; 0 returns the best of the start.
        seed: int, for np.random.default_rng (one generator for the whole run).
        mutation_rate, mutation_scale: as in mutate.
    Returns:
        (best, best_costs, population): the best individual, shape (n_in + 1,);
        the lowest cost in each generation, the start included,
        shape (generations + 1,); the last population, shape (pop_size, n_in + 1).

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch04_gradient_descent/ga_cost", ga_cost)
nndl.check("ch04_gradient_descent/tournament_select", tournament_select)
nndl.check("ch04_gradient_descent/uniform_crossover", uniform_crossover)
nndl.check("ch04_gradient_descent/mutate", mutate)
nndl.check("ch04_gradient_descent/genetic_algorithm", genetic_algorithm)

# %% [markdown]
# ## Look at it: evolution against gradient descent
#
# The same linear regression as above, fitted by your genetic algorithm and by
# batch gradient descent, counted in cost evaluations: the GA evaluates a
# whole population per generation; gradient descent one gradient per step.
# The right panel shows the last population's first two weights around the
# true ones.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    y_flat = y_demo[:, 0]
    best, best_costs, population = genetic_algorithm(X_demo, y_flat, pop_size=40, generations=80, seed=1)
    W, b, gd_costs = W0, b0, []
    for step in range(80):
        gd_costs.append(quadratic_cost_grad(X_demo, y_demo, W, b)[0])
        W, b = batch_gradient_descent(X_demo, y_demo, W, b, 0.1, 1)
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4))
    left.semilogy(np.arange(81) * 40, best_costs, label="genetic algorithm (best of 40)")
    left.semilogy(np.arange(80), gd_costs, label="batch gradient descent")
    left.set_xlabel("cost evaluations")
    left.set_ylabel("quadratic cost")
    left.legend()
    right.scatter(population[:, 0], population[:, 1], s=12, label="last population")
    right.plot(1.5, -2.0, "r*", ms=14, label="true weights")
    right.set_xlabel("gene 0 (w[0])")
    right.set_ylabel("gene 1 (w[1])")
    right.legend()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
