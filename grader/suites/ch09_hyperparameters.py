"""Checks for chapter 9: learning-rate schedules, ReduceLROnPlateau, and searches over eta and lmbda.

Learning rates span orders of magnitude, so they are compared relatively
(rtol 1e-6, atol 1e-15): an absolute 1e-6 would accept anything for rates
below 1e-6. The Keras schedules compute in float64 here; LearningRateScheduler
and ReduceLROnPlateau keep the rate in the optimizer's float32 variable, a
relative 6e-8 per reduction, which rtol 1e-6 covers for the few reductions of
each case (most factors are powers of 2, exact in float32).

ReduceLROnPlateau follows a path (comparisons of losses, made in float32):
the losses are dyadic (multiples of 1/64), so float32 and float64 agree.

The trainer is deterministic (full batch from zero weights) and compared in
float64; its accuracy is a count, equal unless a validation sample sits
within rounding of a tie, which generic digits do not. The searches are
checked by properties: the grid, or the recipe's seeded log-uniform draws
inside the bounds; best = the best row of the learner's own history; the
best's accuracy and every other one equal to retraining with the reference.
"""
import functools

import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check, KitForm
from nndl.i18n import t
from nndl.judges import split_search
from nndl.grader.grading.oracle import oracle, references

ref = references("ch09_hyperparameters")

RATE_TOL = dict(atol=1e-15, rtol=1e-6)


# ------------------------------------------------------------------ schedules
def step_decay_visible(rng):
    return [Case("epochs 0..24, eta 0.5, halve every 10", (np.arange(25), 0.5),
                 {"drop": 0.5, "epochs_drop": 10})]


def step_decay_hidden(rng):
    return [Case("epochs in shuffled order, drop 0.25 every 3", (rng.permutation(20), 0.1),
                 {"drop": 0.25, "epochs_drop": 3}),
            Case("a single epoch (an int) on a boundary", (8, 2.0), {"drop": 0.5, "epochs_drop": 4}),
            Case("epoch 0", (0, 0.75), {"drop": 0.1, "epochs_drop": 2}),
            Case("drop every epoch, a (2, 3) array", (np.arange(6).reshape(2, 3), 1.0),
                 {"drop": 0.5, "epochs_drop": 1}),
            Case("default drop and epochs_drop", (np.array([0, 9, 10, 19, 20, 35]), 0.125)),
            Case("drop 1 (constant)", (np.arange(7), 0.3), {"drop": 1.0, "epochs_drop": 2})]


def exponential_visible(rng):
    steps = np.arange(0, 50, 5)
    return [Case("steps 0..45, eta 0.1, rate 0.5 per 10 steps", (steps, 0.1, 10, 0.5)),
            Case("the same, staircase=True", (steps, 0.1, 10, 0.5), {"staircase": True})]


def exponential_hidden(rng):
    steps = rng.integers(0, 100, 12)
    return [Case("random steps, rate 0.9 per 7", (steps, 0.05, 7, 0.9)),
            Case("random steps, staircase, rate 0.3 per 6", (steps, 0.05, 6, 0.3), {"staircase": True}),
            Case("steps on the boundaries, staircase", (np.array([0, 4, 8, 12]), 1.0, 4, 0.5),
                 {"staircase": True}),
            Case("one step (an int), not a multiple", (13, 0.2, 5, 0.5)),
            Case("one step (an int), staircase", (13, 0.2, 5, 0.5), {"staircase": True}),
            Case("a million steps (tiny rates)", (np.array([0, 10 ** 5, 10 ** 6]), 0.1, 10 ** 4, 0.1)),
            Case("decay_rate above 1 (a growing rate), a (2, 2) array", (np.array([[0, 3], [6, 9]]), 0.01, 3, 2.0))]


def inverse_visible(rng):
    steps = np.arange(0, 40, 4)
    return [Case("steps 0..36, eta 0.5, rate 1 per 10 steps", (steps, 0.5, 10, 1.0)),
            Case("the same, staircase=True", (steps, 0.5, 10, 1.0), {"staircase": True})]


def inverse_hidden(rng):
    steps = rng.integers(0, 200, 10)
    return [Case("random steps, rate 0.5 per 20", (steps, 0.1, 20, 0.5)),
            Case("random steps, staircase, rate 2 per 15", (steps, 0.1, 15, 2.0), {"staircase": True}),
            Case("one step (an int), staircase", (7, 1.0, 3, 1.0), {"staircase": True}),
            Case("decay_rate 0 (constant)", (steps, 0.3, 5, 0.0)),
            Case("a (3, 2) array, decay_steps 1", (np.arange(6).reshape(3, 2), 0.25, 1, 0.5)),
            Case("a million steps", (np.array([10 ** 6]), 0.01, 100, 1.0))]


def piecewise_visible(rng):
    return [Case("steps 0..14, boundaries [5, 10]", (np.arange(15), [5, 10], [1.0, 0.5, 0.1]))]


def piecewise_hidden(rng):
    bounds = sorted(int(s) for s in rng.choice(np.arange(1, 60), 3, replace=False))
    values = [float(v) for v in np.round(rng.uniform(0.01, 1, 4), 4)]
    steps = np.concatenate([bounds, np.add(bounds, 1), np.subtract(bounds, 1), rng.integers(0, 80, 5)])
    return [Case("steps at, just above and just below 3 boundaries", (steps, bounds, values)),
            Case("one boundary", (np.arange(6), [2], [0.1, 0.01])),
            Case("one step (an int) equal to a boundary", (4, [4, 8], [3.0, 2.0, 1.0])),
            Case("one step (an int) past the last boundary", (9, [4, 8], [3.0, 2.0, 1.0])),
            Case("a (2, 3) array, rising values", (np.array([[0, 1, 2], [3, 100, 7]]), [1, 3, 6],
                                                    [0.001, 0.01, 0.1, 1.0]))]


# ------------------------------------------------------------------ the plateau rule
PLATEAU = [1.0, 0.75, 0.625, 0.625, 0.6875, 0.65625, 0.5, 0.53125, 0.5, 0.5, 0.5, 0.484375]


def dyadic_curve(rng, length=30):
    """A falling, noisy validation curve of losses k/64 with plateaus (exact in float32)."""
    k = np.round(128 * np.exp(-np.arange(length) / 6.0)) + 40 + rng.integers(-2, 3, length)
    return k / 64.0


def plateau_visible(rng):
    return [Case("patience 2, factor 0.5", (PLATEAU, 0.5), {"factor": 0.5, "patience": 2})]


def plateau_hidden(rng):
    curve = dyadic_curve(rng)
    flat = [0.5] * 14
    return [Case("a noisy curve, patience 3, factor 0.5", (curve, 0.25), {"factor": 0.5, "patience": 3}),
            Case("a noisy curve, min_delta 1/32, cooldown 2", (curve, 1.0),
                 {"factor": 0.25, "patience": 2, "min_delta": 1 / 32, "cooldown": 2}),
            Case("a flat curve, patience 1, cooldown 3", (flat, 0.5),
                 {"factor": 0.5, "patience": 1, "cooldown": 3}),
            Case("a flat curve, min_lr reached (factor 0.1)", (flat, 1.0),
                 {"factor": 0.1, "patience": 2, "min_lr": 0.005}),
            Case("min_lr between two rates", (flat, 0.5), {"factor": 0.5, "patience": 1, "min_lr": 0.1}),
            Case("patience 0", ([1.0, 0.5, 0.75, 0.25, 0.25, 0.125], 0.5), {"factor": 0.5, "patience": 0}),
            Case("ties are no improvement, default min_delta", ([0.5, 0.5, 0.5, 0.25, 0.25, 0.25], 0.5),
                 {"factor": 0.5, "patience": 2}),
            Case("improvements smaller than min_delta", ([1.0, 0.96875, 0.9375, 0.90625, 0.875, 0.84375], 0.5),
                 {"factor": 0.5, "patience": 2, "min_delta": 0.0625}),
            Case("defaults (patience 10): a long plateau", (np.full(25, 0.75), 0.1)),
            Case("a single epoch", ([0.25], 0.125), {"patience": 0, "factor": 0.5})]


# ------------------------------------------------------------------ the trainer and searches
@functools.lru_cache(maxsize=1)
def digits():
    from nndl.data import load_digits

    return load_digits(seed=0)


def subset(rng, n, n_val):
    data = digits()
    rows, val = rng.choice(len(data.X_train), n, replace=False), rng.choice(len(data.X_val), n_val, replace=False)
    return data.X_train[rows], data.y_train[rows], data.X_val[val], data.y_val[val]


def visible_data():
    data = digits()
    return data.X_train[:60], data.y_train[:60], data.X_val[:40], data.y_val[:40]


def train_visible(rng):
    return [Case("60 digits, eta 0.5, lmbda 1, 5 epochs", visible_data() + (0.5, 1.0, 5))]


def train_hidden(rng):
    X, y, X_val, y_val = subset(rng, 80, 50)
    blobs = rng.normal(size=(3, 5)) * 2
    labels = rng.integers(0, 3, 30)
    points = blobs[labels] + rng.normal(size=(30, 5))
    return [Case("80 digits, eta 2, lmbda 0.1, 8 epochs", (X, y, X_val, y_val, 2.0, 0.1, 8)),
            Case("lmbda 0", (X, y, X_val, y_val, 0.25, 0.0, 4)),
            Case("0 epochs: zero weights, every tie goes to class 0", (X, y, X_val, y_val, 1.0, 1.0, 0)),
            Case("a single training sample", (X[:1], y[:1], X_val, y_val, 1.0, 0.5, 3)),
            Case("a huge eta (logits in the thousands)", (X, y, X_val, y_val, 500.0, 0.01, 4)),
            Case("a strong lmbda (decay factor below 0)", (X, y, X_val, y_val, 1.0, 200.0, 3)),
            Case("3 classes, 5 features, n_out 3", (points[:20], labels[:20], points[20:], labels[20:],
                                                     0.5, 0.5, 6), {"n_out": 3})]


def grid_visible(rng):
    return [Case("3 etas x 2 lmbdas, 5 epochs", visible_data() + ([0.25, 1.0, 4.0], [0.1, 10.0], 5))]


def grid_hidden(rng):
    X, y, X_val, y_val = subset(rng, 70, 40)
    return [Case("3 etas x 3 lmbdas", (X, y, X_val, y_val, [0.5, 2.0, 8.0], [0.01, 1.0, 100.0], 4)),
            Case("one eta, four lmbdas", (X, y, X_val, y_val, [1.0], [0.0, 1.0, 30.0, 300.0], 3)),
            Case("four etas, one lmbda (not in increasing order)", (X, y, X_val, y_val,
                                                                    [4.0, 0.0625, 16.0, 1.0], [0.5], 3)),
            Case("0 epochs: every setting ties, the first wins", (X, y, X_val, y_val, [1.0, 2.0], [0.1, 1.0], 0)),
            Case("a 1 x 1 grid", (X, y, X_val, y_val, [0.75], [0.25], 2))]


def random_visible(rng):
    return [Case("6 trials, eta in [0.1, 10], lmbda in [0.01, 10], seed 0",
                 visible_data() + ((0.1, 10.0), (0.01, 10.0), 6, 5, 0))]


def random_hidden(rng):
    X, y, X_val, y_val = subset(rng, 70, 40)
    seed = int(rng.integers(1000))
    return [Case("10 trials, wide bounds", (X, y, X_val, y_val, (0.01, 100.0), (0.001, 1000.0), 10, 3, seed)),
            Case("a single trial", (X, y, X_val, y_val, (0.5, 5.0), (0.1, 1.0), 1, 3, seed + 1)),
            Case("40 trials of 1 epoch (is it log-uniform?)", (X, y, X_val, y_val, (1e-3, 1e3), (1e-4, 1e2),
                                                               40, 1, seed + 2)),
            Case("lmbda fixed by equal bounds", (X, y, X_val, y_val, (0.1, 10.0), (2.0, 2.0), 5, 3, seed + 3)),
            Case("0 epochs: every trial ties, the first wins", (X, y, X_val, y_val, (0.1, 1.0), (0.1, 1.0),
                                                                4, 0, seed + 4))]


def _check_search(got, expected, hidden, settings_message, retrain):
    """Properties shared by both searches; expected is the reference's (best, history)."""
    parts = split_search(got)
    if parts is None:
        return t("expected (best, history): best of shape (3,), history of shape (settings, 3)")
    best, history = parts
    want = expected[1]
    if history.shape != want.shape:
        return t("history has {rows} rows; expected {want}, one per setting tried",
                 rows=len(history), want=len(want))
    if not np.allclose(history[:, :2], want[:, :2], rtol=1e-9, atol=0):
        return settings_message(history[:, :2])
    if not np.array_equal(best, history[np.argmax(history[:, 2])]):
        return t("best should be the row of your history with the highest accuracy "
                 "(the first such row on a tie)")
    true_best = retrain(best[0], best[1])
    if abs(best[2] - true_best) > 1e-9:
        return (t("the best setting's accuracy {accuracy:.4g} differs from retraining it with the "
                  "reference trainer", accuracy=best[2]) + ("" if hidden else f" ({true_best:.4g})"))
    wrong = np.flatnonzero(np.abs(history[:, 2] - want[:, 2]) > 1e-9)
    if wrong.size:
        return t("{count} of {total} accuracies differ from retraining those settings with the "
                 "reference trainer (first: row {row})", count=wrong.size, total=len(want), row=wrong[0])
    return None


def compare_grid(got, expected, check, case, probe):
    X, y, X_val, y_val, etas, lmbdas, epochs = case.args

    def settings_message(settings):
        if np.allclose(np.sort(settings, axis=0), np.sort(oracle().call(ref.grid_settings, etas, lmbdas), axis=0)):
            return t("the settings are the grid's but not in its order: eta in the outer loop, lmbda inner")
        return t("history[:, :2] should be every (eta, lmbda) of the grid, in the order of the given lists")

    return _check_search(got, expected, check.visibility != VISIBLE, settings_message,
                         lambda eta, lmbda: oracle().call(ref.train_softmax_regression, X, y, X_val, y_val, eta, lmbda,
                                                          epochs)[2])


def compare_random(got, expected, check, case, probe):
    X, y, X_val, y_val, eta_range, lmbda_range, n_trials, epochs, seed = case.args
    low, high = np.array([eta_range[0], lmbda_range[0]]), np.array([eta_range[1], lmbda_range[1]])

    def settings_message(settings):
        if (settings < low * (1 - 1e-12)).any() or (settings > high * (1 + 1e-12)).any():
            return t("some settings lie outside the bounds (eta_range, lmbda_range)")
        if n_trials >= 30:
            share = np.mean(settings[:, 0] < np.sqrt(low[0] * high[0]))  # below the geometric middle
            if share < 0.25:
                return t("only {share:.0%} of the etas lie below the geometric middle of the range: "
                         "draw log10(eta) uniformly, not eta", share=share)
        return t("the settings are not the recipe's draws: np.random.default_rng(seed), then for each "
                 "trial eta = 10 ** rng.uniform(log10(low), log10(high)), then lmbda the same way")

    return _check_search(got, expected, check.visibility != VISIBLE, settings_message,
                         lambda eta, lmbda: oracle().call(ref.train_softmax_regression, X, y, X_val, y_val, eta, lmbda,
                                                          epochs)[2])


SEARCH = KitForm("search", facts=lambda check, case, expected, probe: {"best": expected[0],
                                                                       "history": expected[1]})

CHECKS = [
    Check("step_decay", "step_decay", 1, VISIBLE, step_decay_visible, ref.step_decay, **RATE_TOL,
          hint="eta * drop ** (number of whole epochs_drop periods so far)"),
    Check("step_decay_hidden", "step_decay", 2, HIDDEN, step_decay_hidden, ref.step_decay, **RATE_TOL,
          hint="use integer (floor) division of the epoch by epochs_drop; keep the shape of epoch, "
          "an int included"),
    Check("exponential_decay", "exponential_decay", 1, VISIBLE, exponential_visible, ref.exponential_decay,
          **RATE_TOL, hint="eta * decay_rate ** (step / decay_steps); staircase floors the exponent"),
    Check("exponential_decay_hidden", "exponential_decay", 2, HIDDEN, exponential_hidden,
          ref.exponential_decay, **RATE_TOL,
          hint="staircase floors step / decay_steps, not the result; without it the exponent is a "
          "true (float) division"),
    Check("inverse_time_decay", "inverse_time_decay", 1, VISIBLE, inverse_visible, ref.inverse_time_decay,
          **RATE_TOL, hint="eta / (1 + decay_rate * step / decay_steps)"),
    Check("inverse_time_decay_hidden", "inverse_time_decay", 2, HIDDEN, inverse_hidden,
          ref.inverse_time_decay, **RATE_TOL,
          hint="staircase rounds step / decay_steps down before it is multiplied by decay_rate"),
    Check("piecewise_constant", "piecewise_constant", 1, VISIBLE, piecewise_visible, ref.piecewise_constant,
          **RATE_TOL, hint="values[i] where boundaries[i-1] < step <= boundaries[i]"),
    Check("piecewise_constant_hidden", "piecewise_constant", 2, HIDDEN, piecewise_hidden,
          ref.piecewise_constant, **RATE_TOL,
          hint="a step equal to a boundary still gets the value before it; past the last boundary, "
          "values[-1]"),
    Check("reduce_lr_on_plateau", "reduce_lr_on_plateau", 2, VISIBLE, plateau_visible,
          ref.reduce_lr_on_plateau, **RATE_TOL,
          hint="rates[e] is the rate epoch e trained with: record it before looking at val_losses[e]; "
          "count epochs without improvement, reduce when the count reaches patience, then reset it",
          figure="curves", figure_labels=("learning rate",)),
    Check("reduce_lr_on_plateau_hidden", "reduce_lr_on_plateau", 4, HIDDEN, plateau_hidden,
          ref.reduce_lr_on_plateau, **RATE_TOL,
          hint="an improvement must beat the best by more than min_delta; during a cooldown count it "
          "down and do not wait; never go below min_lr, and do not reduce at min_lr"),
    Check("train_softmax_regression", "train_softmax_regression", 2, VISIBLE, train_visible,
          ref.train_softmax_regression,
          hint="start from zeros; one full-batch step per epoch: W <- (1 - eta*lmbda/n) W - eta X^T (a - Y) / n"),
    Check("train_softmax_regression_hidden", "train_softmax_regression", 4, HIDDEN, train_hidden,
          ref.train_softmax_regression,
          hint="subtract each row's max logit before exp; n is the number of training samples; "
          "the biases are not decayed; use n_out classes"),
    Check("grid_search", "grid_search", 1, VISIBLE, grid_visible, ref.grid_search, compare=compare_grid, kit=SEARCH,
          timeout=30, hint="for eta in etas: for lmbda in lmbdas: train, record [eta, lmbda, accuracy]; "
          "best is the row of highest accuracy"),
    Check("grid_search_hidden", "grid_search", 3, HIDDEN, grid_hidden, ref.grid_search, compare=compare_grid, kit=SEARCH,
          timeout=30, hint="keep the given order of both lists; on a tie the first setting stays best"),
    Check("random_search", "random_search", 1, VISIBLE, random_visible, ref.random_search,
          compare=compare_random, kit=SEARCH, timeout=30,
          hint="rng = np.random.default_rng(seed) once; per trial draw eta then lmbda as "
          "10 ** rng.uniform(log10(low), log10(high))"),
    Check("random_search_hidden", "random_search", 3, HIDDEN, random_hidden, ref.random_search,
          compare=compare_random, kit=SEARCH, timeout=30,
          hint="draw in log space; one generator for the whole search; best is the first row of "
          "highest accuracy in your own history"),
]
