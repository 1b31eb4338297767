# Student edition of the course, generated from source/ch09_hyperparameters.py by `nndl build`; course developers edit that file.
# %% [markdown]
# # Chapter 9 — Choosing the hyper-parameters (超参数)
#
# **Hyper-parameters (超参数)** are the settings fixed before learning starts
# (开始学习之前设置的参数): the **learning rate (学习速率)** $\eta$, the
# **regularization parameter (规范化参数)** $\lambda$, the mini-batch size, the
# number of epochs. Gradient descent learns the weights; nobody learns
# $\eta$ and $\lambda$ for us. Nielsen's advice, in short:
#
# 1. **Get any signal first.** Shrink the problem (fewer classes, fewer
#    images, a smaller network) until one run takes seconds, and watch the
#    **validation accuracy (验证集准确率)**, never the test set.
# 2. **The learning rate by orders of magnitude.** Try $\eta = 0.01, 0.1, 1,
#    10, \dots$ and find the threshold above which the training cost
#    oscillates or grows; a good $\eta$ is about half of it.
# 3. **A learning-rate schedule (学习速率调整).** A large $\eta$ early gets
#    close quickly; a smaller one later settles in. Nielsen halves $\eta$
#    each time the validation accuracy stops improving, and stops once it is
#    1/128 of where it began.
# 4. **$\lambda$ after $\eta$**: start from $\lambda = 0$, then scan
#    $\lambda$ by factors of 10 and refine.
# 5. **Automate it**: a **grid search (网格搜索)** tries every combination of
#    a few values of each hyper-parameter; a **random search (随机搜索)**
#    (Bergstra and Bengio, 2012) draws them at random, which covers each
#    single hyper-parameter far better for the same number of runs.
#    Hyper-parameters that act multiplicatively, like $\eta$ and $\lambda$,
#    are drawn **log-uniformly (对数均匀)**: $\log\eta$ is uniform, so
#    $[0.001, 0.01]$ gets as many draws as $[0.1, 1]$.
#
# Keras packages the schedules as `keras.optimizers.schedules.*` (functions
# of the optimizer's step) and `keras.callbacks.LearningRateScheduler` /
# `ReduceLROnPlateau` (called once per epoch). This chapter rebuilds them in
# NumPy, then searches $\eta$ and $\lambda$ for a small softmax regression on
# the 8x8 digits.

# %%
import numpy as np

# %% [markdown]
# ## Exercise 1: learning-rate schedules as functions of the step
#
# Each schedule maps a step (an optimizer step, or an epoch) to a learning
# rate. `step` may be one int or an array of ints; return an array of the
# same shape (a 0-d array or a float for one int). With $s$ the step:
#
# | schedule | learning rate | Keras |
# | --- | --- | --- |
# | step decay | $\eta \cdot \text{drop}^{\lfloor s / \text{epochs\_drop} \rfloor}$ | `LearningRateScheduler`, e.g. with `ExponentialDecay(staircase=True)` |
# | exponential decay | $\eta \cdot r^{s / d}$, staircase: $\eta \cdot r^{\lfloor s / d \rfloor}$ | `ExponentialDecay(eta, d, r, staircase)` |
# | inverse time decay | $\eta / (1 + r \cdot s / d)$, staircase: $\lfloor s / d \rfloor$ in place of $s / d$ | `InverseTimeDecay(eta, d, r, staircase)` |
# | piecewise constant | `values[i]` for `boundaries[i-1] < s <= boundaries[i]` | `PiecewiseConstantDecay(boundaries, values)` |
#
# Note the `<=` of the piecewise schedule: at a step equal to a boundary the
# rate is still the one *before* it.
#
# The grader feeds the Keras schedules float64 numbers, so they agree with
# NumPy to rounding and the checks compare relatively (rtol 1e-6: an
# absolute 1e-6 would accept any answer for rates below 1e-6). Step decay
# goes through a real `LearningRateScheduler`, which stores the rate in the
# optimizer's float32 variable: a relative 6e-8 that rtol 1e-6 covers.

# %%
def step_decay(epoch, eta, drop=0.5, epochs_drop=10):
    """Step decay: the rate is multiplied by `drop` every `epochs_drop` epochs.

    eta_epoch = eta * drop ** floor(epoch / epochs_drop)

    What keras.callbacks.LearningRateScheduler sets at the start of each epoch
    when its schedule is keras.optimizers.schedules.ExponentialDecay(eta,
    epochs_drop, drop, staircase=True).

    Args:
        epoch: int >= 0, or an int array of any shape (epochs count from 0).
        eta: the initial learning rate.
        drop: the factor applied at each drop, 0 < drop <= 1.
        epochs_drop: epochs between two drops, an int >= 1.
    Returns:
        float array of the shape of epoch.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def exponential_decay(step, eta, decay_steps, decay_rate, staircase=False):
    """Exponential decay, as keras.optimizers.schedules.ExponentialDecay.

    eta_step = eta * decay_rate ** (step / decay_steps)
    staircase: the exponent is floor(step / decay_steps), so the rate drops
    once every decay_steps steps.

    Args:
        step: int >= 0, or an int array of any shape.
        eta: the initial learning rate.
        decay_steps: int >= 1.
        decay_rate: the factor per decay_steps steps, > 0.
        staircase: whether the exponent is rounded down.
    Returns:
        float array of the shape of step.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def inverse_time_decay(step, eta, decay_steps, decay_rate, staircase=False):
    """Inverse time decay, as keras.optimizers.schedules.InverseTimeDecay.

    eta_step = eta / (1 + decay_rate * step / decay_steps)
    staircase: floor(step / decay_steps) in place of step / decay_steps.

    Args:
        step: int >= 0, or an int array of any shape.
        eta: the initial learning rate.
        decay_steps: int >= 1.
        decay_rate: >= 0.
        staircase: whether step / decay_steps is rounded down.
    Returns:
        float array of the shape of step.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def piecewise_constant(step, boundaries, values):
    """Piecewise constant rates, as keras.optimizers.schedules.PiecewiseConstantDecay.

    values[0]  where step <= boundaries[0]
    values[i]  where boundaries[i-1] < step <= boundaries[i]
    values[-1] where step > boundaries[-1]

    Args:
        step: int >= 0, or an int array of any shape.
        boundaries: increasing ints, a list of length k >= 1.
        values: the rates, a list of length k + 1.
    Returns:
        float array of the shape of step.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch09_hyperparameters/step_decay", step_decay)
nndl.check("ch09_hyperparameters/exponential_decay", exponential_decay)
nndl.check("ch09_hyperparameters/inverse_time_decay", inverse_time_decay)
nndl.check("ch09_hyperparameters/piecewise_constant", piecewise_constant)

# %% [markdown]
# ## Exercise 2: halve the rate when the validation loss stops improving
#
# Nielsen's schedule reacts to the validation data instead of the clock.
# Keras's version is `keras.callbacks.ReduceLROnPlateau(monitor="val_loss",
# factor, patience, min_delta, cooldown, min_lr)`; after every epoch it runs:
#
# 1. if a **cooldown (冷却)** is running (`cooldown_counter > 0`): count it
#    down by one and set `wait = 0`;
# 2. if the loss **improves** — `loss + min_delta < best` (epoch 0 always
#    does) — set `best = loss` and `wait = 0`;
# 3. otherwise, if no cooldown is running (`cooldown_counter == 0` after
#    step 1): `wait += 1`, and once `wait >= patience` and the rate is
#    above `min_lr`, set the rate to `max(rate * factor, min_lr)`,
#    `cooldown_counter = cooldown` and `wait = 0`.
#
# The new rate applies from the next epoch. Your function gets the whole
# sequence of validation losses and returns the rate each epoch trained
# with — what `model.fit`'s History records as `"learning_rate"`. The grader
# drives the real callback on a tiny compiled Keras model over the same
# losses. Keras compares losses in float32 and keeps the rate in a float32
# variable: the checks use dyadic losses (multiples of 1/64, exact in
# float32) and compare rates with rtol 1e-6.

# %%
def reduce_lr_on_plateau(val_losses, eta, factor=0.1, patience=10, min_delta=1e-4,
                         cooldown=0, min_lr=0.0):
    """The learning rate of each epoch under keras.callbacks.ReduceLROnPlateau(monitor="val_loss").

    Epochs count from 0; epoch 0 trains with eta. After epoch e ends, its loss
    val_losses[e] goes through the three steps above; the rate they leave is
    the one epoch e + 1 trains with.

    Args:
        val_losses: the validation loss after each epoch, a sequence of n >= 1
            finite floats.
        eta: the initial learning rate.
        factor: the rate is multiplied by it, 0 < factor < 1.
        patience: epochs without improvement before a reduction, int >= 0.
        min_delta: the smallest decrease that counts as an improvement, >= 0.
        cooldown: epochs after a reduction during which no new one starts, int >= 0.
        min_lr: the rate never goes below it.
    Returns:
        float array of shape (n,): the rate epoch e trained with, for each e.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch09_hyperparameters/reduce_lr_on_plateau", reduce_lr_on_plateau)

# %% [markdown]
# ## Exercise 3: the model whose hyper-parameters we search
#
# A search needs something cheap to train. **Softmax regression
# (softmax回归)** is a network with no hidden layer: logits $z = XW + b$,
# softmax outputs, cross-entropy cost, plus Nielsen's L2 term:
# $$C = -\frac{1}{n}\sum_x \ln a_{y(x)} + \frac{\lambda}{2n}\sum_w w^2,
# \qquad \frac{\partial C}{\partial z} = \frac{a - \text{onehot}(y)}{n}.$$
# Train it by **full-batch gradient descent** from $W = 0$, $b = 0$: every
# epoch is one step on all $n$ samples, so the run is deterministic and the
# same $(\eta, \lambda)$ always gives the same accuracy, which a search
# needs. The step is the weight-decay step of chapter 7:
# $$W \leftarrow \left(1 - \frac{\eta\lambda}{n}\right) W - \eta X^T\frac{a - \text{onehot}(y)}{n},
# \qquad b \leftarrow b - \eta \sum_x \frac{a - \text{onehot}(y)}{n}.$$
#
# Large $\eta$ make large logits: compute the softmax stably (subtract each
# row's maximum before `exp`). The reference is a `tf.GradientTape` of
# `keras.losses.sparse_categorical_crossentropy(from_logits=True)` plus the
# L2 term, in float64; the accuracy is `keras.metrics.sparse_categorical_accuracy`
# (ties of the argmax go to the first class, as `np.argmax` does).

# %%
def train_softmax_regression(X, y, X_val, y_val, eta, lmbda, epochs, n_out=10):
    """Full-batch gradient descent on L2-regularized softmax regression; (W, b, accuracy).

    Starts from W = 0, b = 0; each epoch is one step of the rule above on all
    of X. accuracy = the share of validation samples whose largest logit
    (first, on a tie) is at their label.

    Args:
        X: training inputs, shape (n, n_in).
        y: training labels, ints in [0, n_out), shape (n,).
        X_val: validation inputs, shape (n_val, n_in).
        y_val: validation labels, shape (n_val,).
        eta: learning rate.
        lmbda: L2 strength (Nielsen's lambda; the penalty is lmbda / (2 n) sum W^2).
        epochs: number of steps, int >= 0.
        n_out: number of classes.
    Returns:
        (W, b, accuracy): W of shape (n_in, n_out), b of shape (n_out,), a float in [0, 1].

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch09_hyperparameters/train_softmax_regression", train_softmax_regression)

# %% [markdown]
# ## Exercise 4: grid search and random search over $\eta$ and $\lambda$
#
# Both searches train `train_softmax_regression` once per setting and
# return `(best, history)`:
#
# * `history`: one row `[eta, lmbda, accuracy]` per setting tried, in the
#   order tried, shape (number of settings, 3);
# * `best`: the row of `history` with the highest validation accuracy (the
#   first such row on a tie), shape (3,).
#
# **Grid search** tries every pair of the given lists: for each `eta` in
# `etas` (outer loop), for each `lmbda` in `lmbdas`.
#
# **Random search** draws `n_trials` settings **log-uniformly** within the
# bounds, with NumPy's generator so that a seed gives the same search on
# every machine:
#
# ```python
# rng = np.random.default_rng(seed)
# # for each trial, eta first, then lmbda:
# eta = 10 ** rng.uniform(np.log10(eta_low), np.log10(eta_high))
# lmbda = 10 ** rng.uniform(np.log10(lmbda_low), np.log10(lmbda_high))
# ```
#
# The grader checks that a grid search covers exactly the grid, in order;
# that a random search's draws are these, inside the bounds; that `best` is
# the best row of your own history; and that the accuracies are those of
# retraining each setting with the reference trainer.

# %%
def grid_search(X, y, X_val, y_val, etas, lmbdas, epochs):
    """Grid search (网格搜索) over eta and lmbda with train_softmax_regression.

    Args:
        X, y, X_val, y_val: as for train_softmax_regression (10 classes).
        etas: learning rates to try, a list of length k_eta >= 1.
        lmbdas: L2 strengths to try, a list of length k_lmbda >= 1.
        epochs: epochs of each training run.
    Returns:
        (best, history): history of shape (k_eta * k_lmbda, 3), rows
        [eta, lmbda, validation accuracy] with eta in the outer loop; best,
        shape (3,), its first row of highest accuracy.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


def random_search(X, y, X_val, y_val, eta_range, lmbda_range, n_trials, epochs, seed):
    """Random search (随机搜索): n_trials log-uniform draws of (eta, lmbda).

    Each draw is 10 ** uniform(log10(low), log10(high)) from
    np.random.default_rng(seed), eta then lmbda for each trial in turn.

    Args:
        X, y, X_val, y_val: as for train_softmax_regression (10 classes).
        eta_range: (eta_low, eta_high), 0 < eta_low <= eta_high.
        lmbda_range: (lmbda_low, lmbda_high), 0 < lmbda_low <= lmbda_high.
        n_trials: number of settings to try, int >= 1.
        epochs: epochs of each training run.
        seed: the seed of the generator.
    Returns:
        (best, history): history of shape (n_trials, 3), rows
        [eta, lmbda, validation accuracy] in the order drawn; best, shape (3,),
        its first row of highest accuracy.

    From scratch (从零实现): NumPy and SciPy only; no TensorFlow, Keras, PyTorch or JAX while it runs.
    """
    # YOUR CODE HERE
    raise NotImplementedError()


# %% tags=["check"]
import nndl

nndl.check("ch09_hyperparameters/grid_search", grid_search)
nndl.check("ch09_hyperparameters/random_search", random_search)

# %% [markdown]
# ## Look at it: the schedules, side by side
#
# Every schedule starts at $\eta = 0.5$ and spends 100 epochs. The
# continuous exponential decay is the smooth version of the staircase; the
# inverse time decay falls fast at first and then slowly (it never gets
# anywhere near zero); the piecewise schedule is the hand-made version of
# the step decay.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    import matplotlib.pyplot as plt  # plots only: the graded code does not need it

    epochs_axis = np.arange(100)
    plt.figure(figsize=(8, 3.8))
    plt.plot(epochs_axis, step_decay(epochs_axis, 0.5, drop=0.5, epochs_drop=20), label="step decay (halve every 20)")
    plt.plot(epochs_axis, exponential_decay(epochs_axis, 0.5, 20, 0.5), label="exponential decay, r = 0.5 per 20")
    plt.plot(epochs_axis, exponential_decay(epochs_axis, 0.5, 20, 0.5, staircase=True), ":",
             label="... staircase=True")
    plt.plot(epochs_axis, inverse_time_decay(epochs_axis, 0.5, 10, 1.0), label="inverse time decay, r = 1 per 10")
    plt.plot(epochs_axis, piecewise_constant(epochs_axis, [30, 70], [0.5, 0.1, 0.02]), "--",
             label="piecewise constant [30, 70]")
    plt.yscale("log")
    plt.xlabel("epoch")
    plt.ylabel("learning rate")
    plt.legend(fontsize=8)
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Look at it: Nielsen's "halve when it stops improving", on the digits
#
# Mini-batch SGD on softmax regression with a deliberately large $\eta = 4$,
# once with a constant rate and once with your `reduce_lr_on_plateau`
# (factor 0.5, patience 2, and Nielsen's floor: `min_lr` = 1/128 of the
# start). The rate for the next epoch depends only on the
# losses so far, so each epoch the function is asked about the losses seen
# plus one placeholder whose value cannot matter. With the constant rate the
# validation loss keeps bouncing; every halving lets it settle lower.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    from nndl.data import load_digits

    data = load_digits(seed=0)


    def softmax(z):
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


    def val_loss(W, b):
        p = softmax(data.X_val @ W + b)
        return -np.mean(np.log(p[np.arange(len(p)), data.y_val]))


    def train_sgd(plateau, epochs=40, eta=4.0, batch=10, seed=0):
        rng = np.random.default_rng(seed)
        W, b, Y = np.zeros((64, 10)), np.zeros(10), np.eye(10)[data.y_train]
        losses, rates = [], []
        for _ in range(epochs):
            rate = eta
            if plateau:  # the placeholder loss (inf) is never looked at for the rate it returns
                rate = reduce_lr_on_plateau(losses + [np.inf], eta, factor=0.5, patience=2, min_lr=eta / 128)[-1]
            for rows in np.array_split(rng.permutation(len(data.X_train)), len(data.X_train) // batch):
                delta = (softmax(data.X_train[rows] @ W + b) - Y[rows]) / len(rows)
                W, b = W - rate * data.X_train[rows].T @ delta, b - rate * delta.sum(axis=0)
            losses.append(val_loss(W, b))
            rates.append(rate)
        return losses, rates


    fig, (ax_loss, ax_rate) = plt.subplots(1, 2, figsize=(11, 3.6))
    for plateau, label in ((False, "constant eta = 4"), (True, "ReduceLROnPlateau(0.5, patience 2)")):
        losses, rates = train_sgd(plateau)
        ax_loss.plot(losses, label=label)
        ax_rate.plot(rates, label=label)
    ax_loss.set(xlabel="epoch", ylabel="validation cross-entropy", title="validation loss")
    ax_rate.set(xlabel="epoch", ylabel="learning rate", yscale="log", title="learning rate")
    ax_loss.legend(fontsize=8)
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)

# %% [markdown]
# ## Look at it: where the good settings are
#
# Both searches get the same budget, 25 training runs of 30 epochs on 300
# training digits, scored on the validation set. The grid spends it on 5
# values of each hyper-parameter; the random search tries 25 different
# values of each. Accuracy depends mostly on $\eta$ here, and much less on
# $\lambda$ — exactly the case where the random search's extra values of
# $\eta$ pay off.

# %% tags=["demo"]
try:  # a demo: it runs once the exercises it uses are done, and says which it waits for
    X_small, y_small = data.X_train[:300], data.y_train[:300]
    etas, lmbdas = [0.03, 0.1, 0.3, 1.0, 3.0], [0.01, 0.1, 1.0, 10.0, 100.0]
    best_grid, grid = grid_search(X_small, y_small, data.X_val, data.y_val, etas, lmbdas, epochs=30)
    best_random, trials = random_search(X_small, y_small, data.X_val, data.y_val, (0.03, 3.0), (0.01, 100.0),
                                        n_trials=25, epochs=30, seed=0)

    fig, (ax_grid, ax_random) = plt.subplots(1, 2, figsize=(11, 4))
    image = ax_grid.imshow(grid[:, 2].reshape(len(etas), len(lmbdas)), cmap="viridis", origin="lower",
                           vmin=trials[:, 2].min(), vmax=1.0)
    for k, (eta, lmbda, accuracy) in enumerate(grid):
        ax_grid.text(k % len(lmbdas), k // len(lmbdas), f"{accuracy:.0%}", ha="center", va="center",
                     color="white", fontsize=8)
    ax_grid.set(xticks=range(len(lmbdas)), xticklabels=lmbdas, yticks=range(len(etas)), yticklabels=etas,
                xlabel="lmbda", ylabel="eta",
                title=f"grid search: best {best_grid[2]:.1%} at eta {best_grid[0]:g}, lmbda {best_grid[1]:g}")
    points = ax_random.scatter(trials[:, 1], trials[:, 0], c=trials[:, 2], cmap="viridis",
                               vmin=trials[:, 2].min(), vmax=1.0)
    ax_random.scatter(best_random[1], best_random[0], s=200, facecolors="none", edgecolors="red")
    ax_random.set(xscale="log", yscale="log", xlabel="lmbda", ylabel="eta",
                  title=f"random search: best {best_random[2]:.1%} at eta {best_random[0]:.3g}, "
                        f"lmbda {best_random[1]:.3g}")
    fig.colorbar(points, ax=ax_random, label="validation accuracy")
    plt.tight_layout()
    plt.show()
except (NotImplementedError, NameError) as unfinished:
    import nndl
    nndl.skipped(unfinished)
