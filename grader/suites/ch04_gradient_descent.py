"""Checks for chapter 4: gradient descent loops, optimizer steps, a genetic algorithm.

The training loops get dyadic data (multiples of 1/8, eta a power of 2): every
product and sum is then exact or nearly so, and a correct learner follows the
reference's path to the last bit whatever order it adds in. Optimizer steps are
compared with a Keras optimizer holding the same state; runs over a gradient
sequence with a Keras optimizer fed the same gradients.

The genetic algorithm's operators draw their own random numbers, so they are
checked by properties (members of the population, genes from a parent, the
mutation rate and scale) and the algorithm by what it does (it keeps its best,
reports true costs, and fits the data).
"""
import numpy as np

from nndl import judges
from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check, KitForm, judged
from nndl.i18n import t
from nndl.grader.grading.oracle import references

ref = references("ch04_gradient_descent")

# Keras casts beta_2 to float32 before it takes beta_2^t (float32(0.999) is
# 0.999000013), which moves Adam's step by a relative 6e-6: Adam gets 1e-5.
ADAM_TOL = 1e-5


def dyadic(rng, shape, low=-2.0, high=2.0):
    return np.round(rng.uniform(low, high, shape) * 8) / 8


def unit(rng, n, n_in, n_out):
    """(X, y, W, b) of a linear unit with dyadic values."""
    return (dyadic(rng, (n, n_in)), dyadic(rng, (n, n_out)),
            dyadic(rng, (n_in, n_out), -1, 1), dyadic(rng, (n_out,), -1, 1))


def orders(rng, n, epochs):
    return np.stack([rng.permutation(n) for _ in range(epochs)])


# ------------------------------------------------------------------ cost and loops
def grad_visible(rng):
    return [Case("5 samples, 3 inputs, 2 outputs", unit(rng, 5, 3, 2))]


def grad_hidden(rng):
    X, y, W, b = unit(rng, 7, 4, 1)
    return [Case("7 samples, one output", (X, y, W, b)),
            Case("a single sample, 3 outputs", unit(rng, 1, 2, 3)),
            Case("one input, 4 outputs, batch = n_out", unit(rng, 4, 1, 4)),
            Case("large inputs", (X * 100, y, W, b)),
            Case("a perfect fit: zero gradient", (X, X @ W + b, W, b))]


def bgd_visible(rng):
    return [Case("8 samples, eta 1/8, 3 epochs", unit(rng, 8, 3, 1), {"eta": 0.125, "epochs": 3})]


# Keras takes a few milliseconds per optimizer step: the cases keep to a few dozen steps.
def bgd_hidden(rng):
    return [Case("2 outputs, 4 epochs", unit(rng, 10, 3, 2), {"eta": 0.0625, "epochs": 4}),
            Case("a single sample, 2 epochs", unit(rng, 1, 2, 1), {"eta": 0.25, "epochs": 2}),
            Case("0 epochs", unit(rng, 5, 2, 2), {"eta": 0.125, "epochs": 0}),
            Case("one input, eta 1/2", unit(rng, 6, 1, 1), {"eta": 0.5, "epochs": 3})]


def sgd_visible(rng):
    return [Case("4 samples, 2 epochs", unit(rng, 4, 3, 1),
                 {"eta": 0.125, "order": orders(rng, 4, 2)})]


def sgd_hidden(rng):
    return [Case("2 outputs, 2 epochs in different orders", unit(rng, 4, 3, 2),
                 {"eta": 0.0625, "order": orders(rng, 4, 2)}),
            Case("a single sample, 3 epochs", unit(rng, 1, 3, 1),
                 {"eta": 0.125, "order": np.zeros((3, 1), dtype=np.int64)}),
            Case("samples visited in a given order (not 0, 1, 2, ...)", unit(rng, 5, 2, 1),
                 {"eta": 0.25, "order": np.array([[4, 2, 0, 3, 1]])})]


def minibatch_visible(rng):
    return [Case("8 samples, batches of 4, 2 epochs", unit(rng, 8, 3, 1),
                 {"eta": 0.125, "batch_size": 4, "order": orders(rng, 8, 2)}),
            Case("5 samples, batches of 2: the last batch has 1", unit(rng, 5, 2, 1),
                 {"eta": 0.25, "batch_size": 2, "order": orders(rng, 5, 1)})]


def minibatch_hidden(rng):
    return [Case("batches of 3 of 7 samples: a shorter last batch", unit(rng, 7, 2, 2),
                 {"eta": 0.125, "batch_size": 3, "order": orders(rng, 7, 2)}),
            Case("batches of 1 (SGD)", unit(rng, 4, 3, 1),
                 {"eta": 0.125, "batch_size": 1, "order": orders(rng, 4, 1)}),
            Case("a batch larger than the data (batch GD)", unit(rng, 4, 2, 1),
                 {"eta": 0.25, "batch_size": 10, "order": orders(rng, 4, 2)}),
            Case("batches of 2, 3 outputs", unit(rng, 4, 2, 3),
                 {"eta": 0.0625, "batch_size": 2, "order": orders(rng, 4, 1)})]


# ------------------------------------------------------------------ optimizer steps
def momentum_visible(rng):
    W, g, v = rng.normal(size=(3, 4))
    return [Case("a vector, eta 0.1, momentum 0.9", (W, g, v), {"eta": 0.1, "momentum": 0.9}),
            Case("the same with nesterov=True", (W, g, v),
                 {"eta": 0.1, "momentum": 0.9, "nesterov": True})]


def momentum_hidden(rng):
    W, g, v = rng.normal(size=(3, 3, 2))
    return [Case("a (3, 2) matrix, momentum 0.5", (W, g, v), {"eta": 0.25, "momentum": 0.5}),
            Case("the first step (v = 0), default eta and momentum", (W, g, np.zeros_like(W))),
            Case("momentum 0: plain SGD", (W, g, v), {"eta": 0.125, "momentum": 0.0}),
            Case("a single parameter, large gradient", (W[:1, 0], g[:1, 0] * 1e3, v[:1, 0]),
                 {"eta": 0.001, "momentum": 0.99})]


def nesterov_hidden(rng):
    W, g, v = rng.normal(size=(3, 2, 3))
    return [Case("a (2, 3) matrix", (W, g, v), {"eta": 0.25, "momentum": 0.75, "nesterov": True}),
            Case("the first step (v = 0)", (W, g, np.zeros_like(W)),
                 {"eta": 0.1, "momentum": 0.9, "nesterov": True})]


def rmsprop_visible(rng):
    W, g = rng.normal(size=(2, 5))
    return [Case("a vector, eta 0.01", (W, g, rng.uniform(0, 1, 5)), {"eta": 0.01}),
            Case("a large epsilon and small gradients (epsilon goes inside the square root)",
                 (W, g * 1e-2, rng.uniform(0, 2, 5) * 1e-4), {"eta": 0.125, "epsilon": 0.5})]


def rmsprop_hidden(rng):
    W, g = rng.normal(size=(2, 3, 2))
    s = rng.uniform(0, 2, (3, 2))
    return [Case("a (3, 2) matrix, rho 0.5", (W, g, s), {"eta": 0.0625, "rho": 0.5}),
            Case("the first step (s = 0), defaults", (W, g, np.zeros_like(W))),
            Case("a large epsilon and small gradients", (W, g * 1e-2, s * 1e-4),
                 {"eta": 0.125, "epsilon": 0.5}),
            Case("a zero gradient with s = 0", (W, np.zeros_like(W), np.zeros_like(W)),
                 {"eta": 0.125}),
            Case("rho 0: only the latest gradient counts", (W[0], g[0], s[0]),
                 {"eta": 0.25, "rho": 0.0})]


def adam_visible(rng):
    W, g, m = rng.normal(size=(3, 4))
    return [Case("the first step from zero moments", (W, g, np.zeros(4), np.zeros(4), 1),
                 {"eta": 0.01}),
            Case("step 3", (W, g, m * 0.1, rng.uniform(0, 0.1, 4), 3), {"eta": 0.01})]


def adam_hidden(rng):
    W, g, m = rng.normal(size=(3, 3, 2))
    v = rng.uniform(0, 1, (3, 2))
    return [Case("a (3, 2) matrix, step 5", (W, g, m, v, 5), {"eta": 0.0625}),
            Case("a large epsilon (Keras's form, not the textbook's)", (W, g, m, v, 2),
                 {"eta": 0.125, "epsilon": 1.0}),
            Case("step 1000", (W, g, m, v, 1000), {"eta": 0.01}),
            Case("other betas", (W, g, m, v, 4), {"eta": 0.125, "beta_1": 0.5, "beta_2": 0.75}),
            Case("a single parameter, defaults", (W[:1, 0], g[:1, 0], m[:1, 0], v[:1, 0], 7))]


def path_visible(rng):
    W, grads = rng.normal(size=3), rng.normal(size=(4, 3))
    return [Case("momentum, 4 steps", (W, grads, "momentum"), {"eta": 0.1, "momentum": 0.9}),
            Case("adam, 4 steps", (W, grads, "adam"), {"eta": 0.1})]


def path_hidden(rng):
    W, grads = rng.normal(size=(2, 2)), rng.normal(size=(6, 2, 2))
    return [Case("plain sgd", (W, grads, "sgd"), {"eta": 0.25}),
            Case("momentum", (W, grads, "momentum"), {"eta": 0.125, "momentum": 0.5}),
            Case("nesterov", (W, grads, "nesterov"), {"eta": 0.125, "momentum": 0.75}),
            Case("rmsprop", (W, grads, "rmsprop"), {"eta": 0.0625, "rho": 0.75}),
            Case("adam", (W, grads, "adam"), {"eta": 0.0625, "beta_1": 0.75}),
            Case("adam with a large epsilon", (W, grads, "adam"), {"eta": 0.25, "epsilon": 1.0}),
            Case("a single step", (W, grads[:1], "rmsprop"), {"eta": 0.125})]


# ------------------------------------------------------------------ genetic algorithm
def ga_cost_visible(rng):
    return [Case("6 samples, 2 inputs, 4 individuals",
                 (rng.normal(size=(6, 2)), rng.normal(size=6), rng.normal(size=(4, 3))))]


def ga_cost_hidden(rng):
    X, y = rng.normal(size=(9, 3)), rng.normal(size=9)
    return [Case("9 samples, 3 inputs, 12 individuals", (X, y, rng.normal(size=(12, 4)))),
            Case("a single individual", (X, y, rng.normal(size=(1, 4)))),
            Case("a single sample", (X[:1], y[:1], rng.normal(size=(5, 4)))),
            Case("one input, big weights", (X[:, :1], y, rng.normal(0, 50, (7, 2))))]


def population(rng, pop, n_genes):
    return rng.normal(size=(pop, n_genes))


def select_visible(rng):
    return [Case("8 members, fitness 0..7 shuffled, 2000 picks",
                 (population(rng, 8, 3), rng.permutation(8).astype(float), 2000, 11))]


def select_hidden(rng):
    fitness = -rng.uniform(1, 5, 10)   # costs, negated: all fitness values negative
    fitness[0] = -0.5                  # the best member first: index 0 must be drawable
    return [Case("negative fitness, the best member first, 3000 picks",
                 (population(rng, 10, 4), fitness, 3000, 5)),
            Case("the best member last, 3000 picks",
                 (population(rng, 6, 2), np.arange(6.0), 3000, 123)),
            Case("a population of one", (population(rng, 1, 3), np.array([2.0]), 5, 7)),
            Case("a single pick", (population(rng, 5, 3), rng.normal(size=5), 1, 8)),
            Case("equal fitness everywhere", (population(rng, 4, 2), np.ones(4), 50, 9))]


def parents(rng, n, n_genes):
    a = rng.normal(size=(n, n_genes))
    return a, a + rng.choice([-1.0, 1.0], a.shape) * rng.uniform(0.5, 2, a.shape)


def crossover_visible(rng):
    return [Case("50 pairs of 8 genes", (*parents(rng, 50, 8), 3))]


def crossover_hidden(rng):
    a, _ = parents(rng, 10, 3)
    return [Case("200 pairs of 10 genes", (*parents(rng, 200, 10), 17)),
            Case("identical parents", (a, a.copy(), 4)),
            Case("one pair, one gene", (*parents(rng, 1, 1), 5)),
            Case("80 pairs of 2 genes", (*parents(rng, 80, 2), 6))]


def mutate_visible(rng):
    return [Case("100 x 10 genes, rate 0.3, scale 0.5", (population(rng, 100, 10), 0.3, 0.5, 1))]


def mutate_hidden(rng):
    pop = population(rng, 500, 4)
    return [Case("rate 0: nothing changes", (pop, 0.0, 1.0, 2)),
            Case("rate 1, scale 2: every gene moves", (pop, 1.0, 2.0, 3)),
            Case("rate 0.1", (pop, 0.1, 0.25, 4)),
            Case("one individual, one gene, rate 1", (pop[:1, :1], 1.0, 0.5, 5))]


def linear_data(rng, n, n_in, noise=0.0):
    X = rng.normal(size=(n, n_in))
    return X, X @ rng.uniform(-2, 2, n_in) + rng.uniform(-1, 1) + rng.normal(0, noise, n)


def ga_visible(rng):
    return [Case("30 samples, 3 inputs, 30 generations", linear_data(rng, 30, 3),
                 {"pop_size": 40, "generations": 30, "seed": 1})]


def ga_hidden(rng):
    return [Case("20 noisy samples, 2 inputs, 40 generations", linear_data(rng, 20, 2, 0.05),
                 {"pop_size": 40, "generations": 40, "seed": 2}),
            Case("one input, other mutation settings", linear_data(rng, 15, 1),
                 {"pop_size": 40, "generations": 40, "seed": 3, "mutation_rate": 0.4,
                  "mutation_scale": 0.2}),
            Case("0 generations: the start, N(0, 1) genes", linear_data(rng, 10, 3),
                 {"pop_size": 500, "generations": 0, "seed": 4}),
            Case("a population of two", linear_data(rng, 10, 2),
                 {"pop_size": 2, "generations": 15, "seed": 5}),
            Case("a single sample", linear_data(rng, 1, 2),
                 {"pop_size": 20, "generations": 10, "seed": 6})]


def compare_ga(got, expected, check, case, probe):
    X, y = case.args
    arrays, message = judges.ga_arrays(got, case)
    if message:
        return message
    best, best_costs, last = arrays
    costs = population_costs(X, y, last)
    true_best = float(population_costs(X, y, best[None])[0])
    if not np.isclose(best_costs[-1], costs.min(), rtol=1e-6, atol=1e-9) or \
            not np.isclose(true_best, costs.min(), rtol=1e-6, atol=1e-9):
        return t("best_costs[-1] and the cost of `best` should both be the lowest cost in the "
                 "last population (cost: ga_cost of the individual)")
    message = judges.ga_elitism(best_costs)
    if message:
        return message
    if case.kwargs["generations"] == 0 and case.kwargs["pop_size"] >= 100:
        if abs(last.mean()) > 0.1 or not 0.9 < last.std() < 1.1:
            return t("the starting genes have mean {mean:.3g} and standard deviation {std:.3g}; "
                     "expected N(0, 1)", mean=last.mean(), std=last.std())
    return judges.ga_progress(best_costs, ga_facts(check, case, expected, probe)["optimum"], case)



def _epsilon_outside(W, grad, s, eta=0.001, rho=0.9, epsilon=1e-7):
    """RMSprop as some texts write it: epsilon added after the square root."""
    s_new = rho * np.asarray(s) + (1 - rho) * np.asarray(grad) ** 2
    return np.asarray(W) - eta * np.asarray(grad) / (np.sqrt(s_new) + epsilon), s_new


EPSILON_OUTSIDE = ("epsilon added outside the square root, grad / (sqrt(s) + epsilon); Keras's "
                   "RMSprop divides by sqrt(s + epsilon)")

def population_costs(X, y, genes):
    """ga_cost (the quadratic cost of each individual's linear unit) in float64 NumPy.

    The grader measures the learner's own populations with it: the same values
    as the Keras reference (the ga_cost checks compare those), without starting
    TensorFlow in the grader for a sum of squares.
    """
    X, genes = np.asarray(X, np.float64), np.atleast_2d(np.asarray(genes, np.float64))
    errors = X @ genes[:, :-1].T + genes[:, -1] - np.asarray(y, np.float64)[:, None]
    return 0.5 * np.mean(errors ** 2, axis=0)


def ga_facts(check, case, expected, probe):
    """The least-squares cost of the case: the optimum the kit measures progress against."""
    X, y = case.args
    A = np.hstack([X, np.ones((len(X), 1))])
    return {"optimum": float(population_costs(X, y, np.linalg.lstsq(A, y, rcond=None)[0][None])[0])}


SELECT, CROSSOVER, MUTATE = KitForm("select"), KitForm("crossover"), KitForm("mutate")
GA = KitForm("ga", facts=ga_facts)

CHECKS = [
    Check("quadratic_cost_grad", "quadratic_cost_grad", 1, VISIBLE, grad_visible,
          ref.quadratic_cost_grad,
          hint="E = X @ W + b - y; C = sum(E^2) / (2n); dW = X.T @ E / n; db = E averaged over samples"),
    Check("quadratic_cost_grad_hidden", "quadratic_cost_grad", 2, HIDDEN, grad_hidden,
          ref.quadratic_cost_grad,
          hint="divide by the number of samples n, not by n_out; db has one entry per unit"),
    Check("batch_gradient_descent", "batch_gradient_descent", 1, VISIBLE, bgd_visible,
          ref.batch_gradient_descent, hint="each epoch: one step W -= eta * dW, b -= eta * db "
          "with the gradient over all samples"),
    Check("batch_gradient_descent_hidden", "batch_gradient_descent", 2, HIDDEN, bgd_hidden,
          ref.batch_gradient_descent,
          hint="recompute the gradient at the new W and b every epoch; epochs = 0 changes nothing"),
    Check("sgd", "sgd", 1, VISIBLE, sgd_visible, ref.sgd,
          hint="one step per sample, in the order of each row of `order`"),
    Check("sgd_hidden", "sgd", 2, HIDDEN, sgd_hidden, ref.sgd,
          hint="visit the samples order[e, 0], order[e, 1], ... (not 0, 1, 2, ...) and update "
          "after each one"),
    Check("minibatch_sgd", "minibatch_sgd", 1, VISIBLE, minibatch_visible, ref.minibatch_sgd,
          hint="split each row of `order` into consecutive pieces of batch_size; one step per piece"),
    Check("minibatch_sgd_hidden", "minibatch_sgd", 3, HIDDEN, minibatch_hidden, ref.minibatch_sgd,
          hint="keep the shorter last batch of an epoch, and average its gradient over its own size"),
    Check("sgd_momentum_step", "sgd_momentum_step", 1, VISIBLE, momentum_visible,
          ref.sgd_momentum_step,
          hint="v = momentum * v - eta * grad, then W + v (Nesterov: W + momentum * v - eta * grad)"),
    Check("sgd_momentum_step_hidden", "sgd_momentum_step", 2, HIDDEN, momentum_hidden,
          ref.sgd_momentum_step, hint="return the new velocity too; the step adds v, it does not "
          "subtract it"),
    Check("sgd_momentum_step_nesterov", "sgd_momentum_step", 1, HIDDEN, nesterov_hidden,
          ref.sgd_momentum_step, hint="Nesterov's step uses the NEW velocity: "
          "W + momentum * v_new - eta * grad"),
    Check("rmsprop_step", "rmsprop_step", 1, VISIBLE, rmsprop_visible, ref.rmsprop_step,
          hint="s = rho * s + (1 - rho) * grad^2; W - eta * grad / sqrt(s + epsilon)",
          mistakes=((EPSILON_OUTSIDE, _epsilon_outside),)),
    Check("rmsprop_step_hidden", "rmsprop_step", 3, HIDDEN, rmsprop_hidden, ref.rmsprop_step,
          hint="Keras adds epsilon inside the square root, and divides by the NEW s",
          mistakes=((EPSILON_OUTSIDE, _epsilon_outside),)),
    Check("adam_step", "adam_step", 1, VISIBLE, adam_visible, ref.adam_step,
          atol=ADAM_TOL, rtol=ADAM_TOL,
          hint="alpha = eta * sqrt(1 - beta_2^t) / (1 - beta_1^t); W - alpha * m / (sqrt(v) + epsilon) "
          "with the new m and v"),
    Check("adam_step_hidden", "adam_step", 3, HIDDEN, adam_hidden, ref.adam_step,
          atol=ADAM_TOL, rtol=ADAM_TOL,
          hint="Keras's form puts epsilon next to the uncorrected sqrt(v): "
          "alpha * m / (sqrt(v) + epsilon), not eta * m_hat / (sqrt(v_hat) + epsilon)"),
    Check("run_optimizer", "run_optimizer", 1, VISIBLE, path_visible, ref.run_optimizer,
          atol=ADAM_TOL, rtol=ADAM_TOL,
          hint="start from zero state; the first row of the path is W itself"),
    Check("run_optimizer_hidden", "run_optimizer", 3, HIDDEN, path_hidden, ref.run_optimizer,
          atol=ADAM_TOL, rtol=ADAM_TOL,
          hint="Adam counts steps from t = 1; 'sgd' is momentum 0; pass **hyper on to the step"),
    Check("ga_cost", "ga_cost", 1, VISIBLE, ga_cost_visible, ref.ga_cost,
          hint="predictions X @ w + b for every individual: shape (batch, pop); "
          "cost = mean of squared error / 2 over the samples"),
    Check("ga_cost_hidden", "ga_cost", 1, HIDDEN, ga_cost_hidden, ref.ga_cost,
          hint="the last gene is the bias; average over samples, one cost per individual"),
    Check("tournament_select", "tournament_select", 1, VISIBLE, select_visible,
          ref.tournament_select, compare=judged(SELECT), kit=SELECT,
          hint="draw 2 random indices, keep the one with the higher fitness; return population rows"),
    Check("tournament_select_hidden", "tournament_select", 2, HIDDEN, select_hidden,
          ref.tournament_select, compare=judged(SELECT), kit=SELECT,
          hint="every member, the first and the last included, must be able to enter a "
          "tournament; higher fitness wins, also when fitness is negative"),
    Check("uniform_crossover", "uniform_crossover", 1, VISIBLE, crossover_visible,
          ref.uniform_crossover, compare=judged(CROSSOVER), kit=CROSSOVER,
          hint="a random mask of the parents' shape: np.where(mask, parents_a, parents_b)"),
    Check("uniform_crossover_hidden", "uniform_crossover", 2, HIDDEN, crossover_hidden,
          ref.uniform_crossover, compare=judged(CROSSOVER), kit=CROSSOVER,
          hint="each gene of each child independently, from the same position in a parent"),
    Check("mutate", "mutate", 1, VISIBLE, mutate_visible, ref.mutate, compare=judged(MUTATE), kit=MUTATE,
          hint="a random mask with P(True) = rate, times normal noise of std `scale`"),
    Check("mutate_hidden", "mutate", 2, HIDDEN, mutate_hidden, ref.mutate, compare=judged(MUTATE), kit=MUTATE,
          hint="rate 0 must change nothing and rate 1 everything; the noise has mean 0 and "
          "standard deviation `scale`"),
    Check("genetic_algorithm", "genetic_algorithm", 2, VISIBLE, ga_visible, ref.genetic_algorithm,
          compare=compare_ga, kit=GA, timeout=30,
          hint="fitness = -cost; keep the best, then select, cross and mutate pop_size - 1 children"),
    Check("genetic_algorithm_hidden", "genetic_algorithm", 3, HIDDEN, ga_hidden,
          ref.genetic_algorithm, compare=compare_ga, kit=GA, timeout=30,
          hint="the population stays pop_size strong; best_costs[0] is the best of the random start"),
]
