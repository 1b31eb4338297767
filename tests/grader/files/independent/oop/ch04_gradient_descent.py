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
from dataclasses import dataclass, field

# %% [markdown]
# ## Exercise 1: the quadratic cost and its gradient
#
# With the error $E = X W + b - y$ of shape (batch, n_out):
# $C = \frac{1}{2n}\sum E^2$, $\;\partial C/\partial W = X^T E / n$,
# $\;\partial C/\partial b = $ the mean of the rows of $E$.

# %%
@dataclass
class LinearUnit:
    """A Dense layer without activation: y_hat = X @ kernel + bias.

    The arrays are copied on construction, so training never touches the
    caller's arrays.
    """

    kernel: np.ndarray
    bias: np.ndarray

    def __post_init__(self):
        self.kernel = np.array(self.kernel, dtype=np.float64, copy=True)
        self.bias = np.array(self.bias, dtype=np.float64, copy=True)
        if self.kernel.ndim != 2:
            raise ValueError(f"kernel must be 2-D (n_in, n_out), got {self.kernel.shape}")
        if self.bias.shape != (self.kernel.shape[1],):
            raise ValueError(f"bias must have shape ({self.kernel.shape[1]},), got {self.bias.shape}")

    def predict(self, inputs):
        """The unit's output for a batch of inputs."""
        return inputs @ self.kernel + self.bias

    def cost_and_gradient(self, inputs, targets):
        """Quadratic cost 1/(2n) sum (y_hat - y)^2 and its gradients (dW, db)."""
        if len(inputs) == 0:
            raise ValueError("a batch needs at least one sample")
        error = self.predict(inputs) - targets
        count = inputs.shape[0]
        cost = 0.5 * float(np.einsum("ij,ij->", error, error)) / count
        grad_kernel = np.einsum("bi,bo->io", inputs, error) / count
        grad_bias = error.sum(axis=0) / count
        return cost, grad_kernel, grad_bias

    def step(self, inputs, targets, learning_rate):
        """One plain gradient-descent step on this batch, in place on the unit."""
        _, grad_kernel, grad_bias = self.cost_and_gradient(inputs, targets)
        self.kernel -= learning_rate * grad_kernel
        self.bias -= learning_rate * grad_bias

    def parameters(self):
        """(kernel, bias) as fresh arrays."""
        return self.kernel.copy(), self.bias.copy()


def _as_data(X, y):
    """Validate a data set: X (batch, n_in) and y (batch, n_out) as float64."""
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (batch, n_in), got {X.shape}")
    if y.ndim == 1:
        y = y[:, None]
    if y.shape[0] != X.shape[0]:
        raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
    return X, y


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
    X, y = _as_data(X, y)
    unit = LinearUnit(W, b)
    return unit.cost_and_gradient(X, y)


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
    if epochs < 0:
        raise ValueError("epochs must be >= 0")
    X, y = _as_data(X, y)
    unit = LinearUnit(W, b)
    for _ in range(int(epochs)):
        unit.step(X, y, eta)
    return unit.parameters()


class EpochSchedule:
    """The index batches of a training run, from a fixed visiting order."""

    def __init__(self, order, batch_size):
        order = np.asarray(order)
        if order.ndim == 1:
            order = order[None, :]
        if order.ndim != 2:
            raise ValueError(f"order must be (epochs, batch), got shape {order.shape}")
        if int(batch_size) < 1:
            raise ValueError("batch_size must be at least 1")
        self.order = order.astype(np.intp)
        self.batch_size = int(batch_size)

    def __iter__(self):
        """Yield consecutive slices of each epoch's row, epoch after epoch."""
        for row in self.order:
            start = 0
            while start < row.size:
                yield row[start:start + self.batch_size]
                start += self.batch_size


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
    X, y = _as_data(X, y)
    unit = LinearUnit(W, b)
    for index in EpochSchedule(order, batch_size):
        unit.step(X[index], y[index], eta)
    return unit.parameters()


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
    # stochastic gradient descent is mini-batch SGD with batches of one
    X, y = _as_data(X, y)
    unit = LinearUnit(W, b)
    for index in EpochSchedule(order, 1):
        unit.step(X[index], y[index], eta)
    return unit.parameters()


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
def _same_shape_floats(**named):
    """The named arrays as float64, in order; ValueError unless they all share one shape."""
    arrays = {name: np.asarray(value, dtype=np.float64) for name, value in named.items()}
    shapes = {name: arr.shape for name, arr in arrays.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"W, its gradient and the optimizer state must share a shape: {shapes}")
    return tuple(arrays.values())


@dataclass(frozen=True)
class MomentumRule:
    """Keras's SGD update: a velocity that remembers past steps, optionally Nesterov's look-ahead."""

    eta: float
    momentum: float
    nesterov: bool = False

    def __post_init__(self):
        if not 0.0 <= self.momentum <= 1.0:
            raise ValueError("momentum must lie in [0, 1]")

    def _decay_then_push(self, vector, gradient):
        """A fresh array holding mu * vector - eta * gradient."""
        result = np.array(vector, dtype=np.float64, copy=True)
        result *= self.momentum
        result -= self.eta * gradient
        return result

    def next_velocity(self, velocity, gradient):
        """The new velocity mu v - eta g."""
        return self._decay_then_push(velocity, gradient)

    def displacement(self, new_velocity, gradient):
        """How far the parameters move: the velocity itself, or Nesterov's look-ahead step."""
        if not self.nesterov:
            return new_velocity
        return self._decay_then_push(new_velocity, gradient)


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
    params, gradient, velocity = _same_shape_floats(W=W, grad=grad, v=v)
    rule = MomentumRule(eta, momentum, bool(nesterov))
    new_velocity = rule.next_velocity(velocity, gradient)
    return params + rule.displacement(new_velocity, gradient), new_velocity


@dataclass(frozen=True)
class RMSpropRule:
    """Keras's RMSprop: each component's step is divided by a running root mean square.

    Keras puts epsilon inside the square root.
    """

    eta: float
    rho: float
    epsilon: float

    def __post_init__(self):
        if not 0.0 <= self.rho <= 1.0:
            raise ValueError("rho must lie in [0, 1]")
        if self.epsilon < 0:
            raise ValueError("epsilon must be non-negative")

    def track(self, mean_square, gradient):
        """The running mean of the squared gradient after this step."""
        return self.rho * mean_square + (1.0 - self.rho) * np.square(gradient)

    def increment(self, gradient, mean_square):
        """eta g / sqrt(s + epsilon)."""
        return self.eta * gradient / np.sqrt(mean_square + self.epsilon)


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
    params, gradient, mean_square = _same_shape_floats(W=W, grad=grad, s=s)
    rule = RMSpropRule(eta, rho, epsilon)
    mean_square = rule.track(mean_square, gradient)
    return params - rule.increment(gradient, mean_square), mean_square


@dataclass(frozen=True)
class AdamRule:
    """Keras's Adam: momentum on the gradient, RMSprop-like scaling, bias corrections folded into the rate."""

    eta: float
    beta_1: float
    beta_2: float
    epsilon: float

    def __post_init__(self):
        for name in ("beta_1", "beta_2"):
            if not 0.0 <= getattr(self, name) < 1.0:
                raise ValueError(f"{name} must lie in [0, 1)")

    def moments(self, first, second, gradient):
        """The updated first and second moment estimates."""
        first = first + (1.0 - self.beta_1) * (gradient - first)
        second = second + (1.0 - self.beta_2) * (np.square(gradient) - second)
        return first, second

    def rate(self, t):
        """The corrected learning rate of step t: eta sqrt(1 - beta_2^t) / (1 - beta_1^t)."""
        if t < 1:
            raise ValueError("Adam counts its steps from t = 1")
        return self.eta * np.sqrt(1.0 - np.power(self.beta_2, t)) / (1.0 - np.power(self.beta_1, t))


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
    params, gradient, first, second = _same_shape_floats(W=W, grad=grad, m=m, v=v)
    rule = AdamRule(eta, beta_1, beta_2, epsilon)
    first, second = rule.moments(first, second, gradient)
    update = rule.rate(t) * first / (np.sqrt(second) + rule.epsilon)
    return params - update, first, second


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
@dataclass
class OptimizerState:
    """An optimizer's running state: the parameters, its slots and the step count."""

    method: str
    params: np.ndarray
    hyper: dict
    slots: list = field(default_factory=list)
    step_count: int = 0

    KNOWN = ("sgd", "momentum", "nesterov", "rmsprop", "adam")

    def __post_init__(self):
        if self.method not in self.KNOWN:
            raise ValueError(f"method must be one of {self.KNOWN}, got {self.method!r}")
        self.params = np.array(self.params, dtype=np.float64, copy=True)
        slot_count = 2 if self.method == "adam" else 1
        self.slots = [np.zeros_like(self.params) for _ in range(slot_count)]

    def apply(self, grad):
        """Feed one gradient and update params and slots."""
        self.step_count += 1
        if self.method == "adam":
            self.params, self.slots[0], self.slots[1] = adam_step(
                self.params, grad, self.slots[0], self.slots[1], self.step_count, **self.hyper)
        elif self.method == "rmsprop":
            self.params, self.slots[0] = rmsprop_step(self.params, grad, self.slots[0], **self.hyper)
        else:
            options = dict(self.hyper)
            options["nesterov"] = self.method == "nesterov"
            if self.method == "sgd":
                options["momentum"] = 0.0
            self.params, self.slots[0] = sgd_momentum_step(self.params, grad, self.slots[0], **options)
        return self.params


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
    state = OptimizerState(method, W, dict(hyper))
    grads = np.asarray(grads, dtype=np.float64)
    if grads.shape[1:] != state.params.shape:
        raise ValueError(f"grads must have shape (steps, *{state.params.shape}), got {grads.shape}")
    path = np.empty((grads.shape[0] + 1,) + state.params.shape)
    path[0] = state.params
    for k in range(grads.shape[0]):
        path[k + 1] = state.apply(grads[k])
    return path


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
@dataclass(frozen=True)
class Genome:
    """Decodes a population matrix: weights in the first columns, the bias last."""

    genes: np.ndarray

    @property
    def weights(self):
        """(pop, n_in) weight vectors."""
        return self.genes[:, :-1]

    @property
    def bias(self):
        """(pop,) biases."""
        return self.genes[:, -1]

    def costs(self, inputs, targets):
        """The quadratic cost 1/(2n) sum (x.w + b - y)^2 of every individual."""
        if self.genes.shape[1] != inputs.shape[1] + 1:
            raise ValueError("each individual needs n_in + 1 genes")
        outputs = np.einsum("pi,bi->pb", self.weights, inputs) + self.bias[:, None]
        residual = outputs - targets[None, :]
        return np.einsum("pb,pb->p", residual, residual) / (2.0 * inputs.shape[0])


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
    X = np.asarray(X, dtype=np.float64)
    targets = np.asarray(y, dtype=np.float64).reshape(-1)
    if X.ndim != 2 or targets.shape[0] != X.shape[0]:
        raise ValueError("X must be (batch, n_in) and y (batch,)")
    genome = Genome(np.atleast_2d(np.asarray(genes, dtype=np.float64)))
    return genome.costs(X, targets)


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
    population = np.asarray(population)
    fitness = np.asarray(fitness, dtype=np.float64)
    if len(population) == 0:
        raise ValueError("cannot select from an empty population")
    if fitness.shape != (len(population),):
        raise ValueError("fitness needs one value per member")
    rng = np.random.default_rng(seed)
    chosen = np.empty(int(n), dtype=np.intp)
    for k in range(int(n)):
        a, b = rng.integers(len(population), size=2)
        chosen[k] = b if fitness[b] > fitness[a] else a
    return population[chosen].copy()


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
    parents_a = np.asarray(parents_a)
    parents_b = np.asarray(parents_b)
    if parents_a.shape != parents_b.shape:
        raise ValueError("both parent arrays need the same shape")
    rng = np.random.default_rng(seed)
    take_a = rng.integers(0, 2, size=parents_a.shape).astype(bool)
    children = np.array(parents_b, dtype=np.result_type(parents_a, parents_b), copy=True)
    children[take_a] = parents_a[take_a]
    return children


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
    if not 0.0 <= rate <= 1.0:
        raise ValueError("rate must lie in [0, 1]")
    if scale < 0:
        raise ValueError("scale must be non-negative")
    mutated = np.array(population, dtype=np.float64, copy=True)
    rng = np.random.default_rng(seed)
    if rate == 0.0:
        return mutated
    mask = rng.random(mutated.shape) < rate
    mutated[mask] += rng.normal(0.0, scale, size=int(mask.sum()))
    return mutated


class Evolution:
    """A population of linear units evolving under selection, crossover and mutation."""

    def __init__(self, X, y, pop_size, rng, rate, scale):
        self.X = np.asarray(X, dtype=np.float64)
        self.y = np.asarray(y, dtype=np.float64).reshape(-1)
        self.rng = rng
        self.rate, self.scale = rate, scale
        self.population = rng.normal(0.0, 1.0, size=(pop_size, self.X.shape[1] + 1))
        self.costs = ga_cost(self.X, self.y, self.population)

    def best(self):
        """The member with the lowest cost, copied."""
        return self.population[int(np.argmin(self.costs))].copy()

    def advance(self):
        """One generation with elitism: the best survives, the rest are children."""
        n_children = len(self.population) - 1
        parents = tournament_select(self.population, -self.costs, 2 * n_children, self.rng)
        children = uniform_crossover(parents[0::2], parents[1::2], self.rng)
        children = mutate(children, self.rate, self.scale, self.rng)
        self.population = np.concatenate([self.best()[None, :], children], axis=0)
        self.costs = ga_cost(self.X, self.y, self.population)


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
    if pop_size < 2:
        raise ValueError("pop_size must be at least 2")
    if generations < 0:
        raise ValueError("generations must be >= 0")
    evolution = Evolution(X, y, int(pop_size), np.random.default_rng(seed),
                          mutation_rate, mutation_scale)
    lowest = [float(evolution.costs.min())]
    for _ in range(int(generations)):
        evolution.advance()
        lowest.append(float(evolution.costs.min()))
    return evolution.best(), np.array(lowest), evolution.population.copy()


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
