"""Judges: how a learner's output is told right or wrong, from data alone.

A judge is ``judge(got, facts, case, check) -> message or None``: ``got`` is
the learner's output as the worker sends it, ``facts`` what the course build
(or the grader, for a hidden check) computed from the Keras reference, ``case``
the call's inputs and ``check`` a record with ``atol``, ``rtol`` and
``visibility``. Nothing here computes an answer: the learner's kit runs the
same judges over compiled data as the grader runs over its references.
"""
import difflib
import math
from statistics import NormalDist

import numpy as np

from nndl import diagnoses
from nndl.compare import compare
from nndl.i18n import t
from nndl.records import VISIBLE


def hidden(check):
    return check.visibility != VISIBLE


def judge(name, got, facts, case, check, warned=()):
    """The message of the judge called name, or None. warned: NumPy's floating-point warnings during
    the call; with a wrong answer they are the one cause told (nndl.diagnoses)."""
    if name == "values":
        return values(got, facts, case, check, warned)
    message = globals()[name](got, facts, case, check)
    return message + diagnoses.numpy_warned(warned) if message else message


# -------------------------------------------------------------------- values
def values(got, facts, case, check, warned=()):
    """Equal to the reference's output within the check's tolerance; then what the error looks like.

    facts: {"expected": the reference's output, "mistakes": [[what, output], ...]}, the outputs
    of known wrong answers on this case (a flipped kernel, gates in the wrong order).
    """
    expected = facts["expected"]
    message = compare(got, expected, check.atol, check.rtol, hidden(check), names=facts.get("names"))
    if not message:
        return None
    return message + diagnoses.diagnose(got, expected, case, check.atol, check.rtol, hidden(check),
                                        facts.get("mistakes", ()), bool(facts.get("exponent")), warned)


def pair(got, facts, case, check):
    """Exactly the reference's pair of numbers (compute_fans)."""
    if not (isinstance(got, list) and len(got) == 2):
        return t("expected a pair (fan_in, fan_out)")
    return compare(got, list(facts["expected"]), 0, 0, hidden(check), names=("fan_in", "fan_out"))


# ------------------------------------------------- genetic operators (ch04)
def select(got, facts, case, check):
    population, fitness, n, _ = case.args
    got = np.asarray(got) if isinstance(got, np.ndarray) else None
    if got is None or got.shape != (n, population.shape[1]):
        return t("expected an array of shape {shape} (n rows of the population)",
                 shape=(n, population.shape[1]))
    member = (got[:, None, :] == population[None, :, :]).all(axis=2)   # (n, pop)
    if not member.any(axis=1).all():
        return t("{count} selected rows are not members of the population",
                 count=int((~member.any(axis=1)).sum()))
    if n < 500 or np.ptp(fitness) == 0:
        return None
    counts = member.argmax(axis=1)
    share = np.bincount(counts, minlength=len(population)) / n
    best, worst, fair = np.argmax(fitness), np.argmin(fitness), 1 / len(population)
    if share[best] < 1.3 * fair or share[worst] > 0.8 * fair:
        return t("the fittest member was picked {best:.1%} of the time and the least fit "
                 "{worst:.1%} (with no preference each would get {fair:.1%}): "
                 "selection should favour fitter members",
                 best=share[best], worst=share[worst], fair=fair)
    return None


def crossover(got, facts, case, check):
    a, b, _ = case.args
    if not isinstance(got, np.ndarray) or got.shape != a.shape:
        return t("expected an array of shape {shape}, the shape of the parents", shape=a.shape)
    from_a, from_b = got == a, got == b
    if not (from_a | from_b).all():
        return t("{count} genes of the children come from neither parent at that position",
                 count=int((~(from_a | from_b)).sum()))
    if a.size < 100:
        return None
    mixed = from_a[a != b]
    if not 0.4 <= mixed.mean() <= 0.6:
        return t("{share:.1%} of the genes come from the first parent; expected about 50%",
                 share=mixed.mean())
    per_gene = from_a.mean(axis=0)
    if len(a) >= 50 and not ((per_gene > 0.2) & (per_gene < 0.8)).all():
        return t("at some gene position nearly all children take the same parent: draw per child")
    if a.shape[1] >= 8 and (from_a.all(axis=1) | from_b.all(axis=1)).mean() > 0.2:
        return t("many children are a copy of one parent: choose each gene independently")
    return None


def mutate(got, facts, case, check):
    pop, rate, scale, _ = case.args
    if not isinstance(got, np.ndarray) or got.shape != pop.shape:
        return t("expected an array of shape {shape}, the shape of the population", shape=pop.shape)
    if not np.isfinite(got).all():
        return t("NaN or inf in the mutated population")
    changed = got != pop
    share, delta = changed.mean(), (got - pop)[changed]
    spread = np.sqrt(rate * (1 - rate) / pop.size)
    if abs(share - rate) > 5 * spread + 1e-12:
        return t("{share:.1%} of the genes changed; expected about {rate:.0%}", share=share, rate=rate)
    if delta.size >= 100:
        if abs(delta.mean()) > 0.2 * scale or not 0.85 < delta.std() / scale < 1.15:
            return t("the changes have mean {mean:.3g} and standard deviation {std:.3g}; "
                     "expected about 0 and {scale:g}", mean=delta.mean(), std=delta.std(), scale=scale)
    return None


def ga_arrays(got, case):
    """(best, best_costs, population) as float arrays and None, or None and what is wrong."""
    X, _ = case.args
    pop_size, generations = case.kwargs["pop_size"], case.kwargs["generations"]
    n_genes = X.shape[1] + 1
    shapes = [(n_genes,), (generations + 1,), (pop_size, n_genes)]
    if not (isinstance(got, list) and len(got) == 3 and all(
            isinstance(g, np.ndarray) and g.shape == s for g, s in zip(got, shapes))):
        return None, t("expected (best, best_costs, population) of shapes {shapes}", shapes=shapes)
    return [g.astype(np.float64) for g in got], None


def ga_elitism(best_costs):
    """A message when the best cost ever rises from one generation to the next."""
    if (np.diff(best_costs) > 1e-9 * (1 + best_costs[:-1])).any():
        return t("the best cost rose from one generation to the next: keep the best (elitism)")
    return None


def ga_progress(best_costs, optimum, case):
    """A message when a long enough run is still far from the least-squares optimum.

    Measured above the optimum, which noisy data keeps above 0. A correct GA
    sometimes converges early: the model answer's worst of 300 seeds still had
    15% of the way to go, its 99th percentile 1.5%; selecting the worst instead
    of the best leaves about 100%.
    """
    pop_size, generations = case.kwargs["pop_size"], case.kwargs["generations"]
    if generations >= 20 and pop_size >= 20:
        left = (best_costs[-1] - optimum) / max(best_costs[0] - optimum, 1e-12)
        if left > 0.25:
            return t("after {generations} generations the best cost is still {left:.1%} of the "
                     "way from the starting best to the optimum; expected under 25%",
                     generations=generations, left=left)
    return None


def ga(got, facts, case, check):
    """The learner's own history of a genetic algorithm: shapes, elitism, progress to the optimum.

    The kit holds no cost function (ga_cost is an exercise), so the costs judged
    are the ones the learner's algorithm reports; the grader recomputes them.
    facts: {"optimum": the least-squares cost of the case}.
    """
    arrays, message = ga_arrays(got, case)
    if message:
        return message
    best_costs = arrays[1]
    if not np.isfinite(best_costs).all():
        return t("NaN or inf in best_costs")
    return ga_elitism(best_costs) or ga_progress(best_costs, facts["optimum"], case)


# ------------------------------------------------ distributions (ch08)
P_CHECK = 1e-10
TESTS_PER_CHECK = 28
P_TEST = P_CHECK / TESTS_PER_CHECK
K = NormalDist().inv_cdf(1 - P_TEST / 2)
MIN_N = 10_000
# Relative slack on the bound. Keras's TF backend passes minval/maxval through
# tf.cast(python_float, dtype), which goes via float32: its uniform limit can be
# float32(limit), up to 2**-24 (6e-8) above the exact one (seen at 1.4e-8 in 3 of 200 seeds).
BOUND_SLACK = 1e-7


def ks_limit(n, m):
    """The KS distance two samples of sizes n, m from one distribution exceed with prob < P_TEST."""
    eps = lambda size: math.sqrt(math.log(4 / P_TEST) / (2 * size))  # noqa: E731 - P_TEST/2 each
    return eps(n) + eps(m)


def ks_distance(x, y, y_sorted=False):
    """sup |F_x - F_y| of two samples' empirical CDFs (y_sorted: y is sorted already).

    The two sorted samples are merged (a stable sort of two sorted runs is one
    merge) and the CDFs' difference, counted in whole steps of 1/(n m), is read
    after the last of each run of equal values."""
    x, y = np.sort(x), (y if y_sorted else np.sort(y))
    if not x.size or not y.size:
        return 1.0 if x.size != y.size else 0.0
    values = np.concatenate([x, y])
    order = np.argsort(values, kind="stable")
    steps = np.cumsum(np.where(order < x.size, y.size, -x.size))   # (F_x - F_y) * n * m
    merged = values[order]
    last = np.append(merged[1:] != merged[:-1], True)
    return float(np.abs(steps[last]).max() / (x.size * y.size))


def z_score(a, b):
    """(mean(a) - mean(b)) in standard errors estimated from the samples; 0 when both are constant."""
    se = math.sqrt(a.var() / a.size + b.var() / b.size)
    diff = float(a.mean() - b.mean())
    return 0.0 if se == 0 and diff == 0 else diff / se if se else math.inf


def statistics(x, y, sigma, bound, y_sorted=False):
    """The learner's sample x against Keras's y: each test's statistic over its limit (fail: > 1).

    "bound": max |x| over the bound; "mean", "square", "tail": z scores of the
    mean, the mean square and the share beyond 2 sigma, over K (only from MIN_N
    values on); "ks": the KS distance over ks_limit.
    """
    if bound is not None and np.abs(y).max(initial=0) > bound * (1 + BOUND_SLACK):
        raise AssertionError("Keras's own sample exceeds the bound this suite assumes")
    ratios = {}
    if bound is not None:
        ratios["bound"] = np.abs(x).max(initial=0) / (bound * (1 + BOUND_SLACK))
    if x.size >= MIN_N:
        ratios["mean"] = abs(z_score(x, y)) / K
        ratios["square"] = abs(z_score(x ** 2, y ** 2)) / K
        x_tail, y_tail = np.abs(x) > 2 * sigma, np.abs(y) > 2 * sigma
        if y_tail.any() or x_tail.any():   # never, for the uniform ones
            ratios["tail"] = abs(z_score(x_tail.astype(float), y_tail.astype(float))) / K
    ratios["ks"] = ks_distance(x, y, y_sorted) / ks_limit(x.size, y.size)
    return ratios


def fan_mistake(ratio, fans, hidden=False):
    """The fan a learner's scale corresponds to: variance goes as 1 / fan, so a standard deviation
    `ratio` times Keras's is 1 / ratio^2 times its fan. A pair of the weights' fans ((fan_in,
    fan_out), from the grader's facts) whose quotient is that (within 3%), as words (for a hidden
    check without their values: the shape is an input), or ''."""
    if not fans or ratio <= 0:
        return ""
    fan_in, fan_out = fans
    named = {"fan_in": fan_in, "fan_out": fan_out, "fan_in + fan_out": fan_in + fan_out,
             "(fan_in + fan_out) / 2": (fan_in + fan_out) / 2}
    for used, a in named.items():
        for meant, b in named.items():
            if used != meant and a != b and abs(a / b * ratio ** 2 - 1) < 0.03:
                if hidden:
                    return t(": as if it used {used} where {meant} belongs", used=used, meant=meant)
                return t(": as if it used {used} = {a:g} where {meant} = {b:g} belongs", used=used, a=a,
                         meant=meant, b=b)
    return ""


def sample_tests(x, y, sigma, bound, fans=None, hidden=False, y_sorted=False):
    """Messages for the ways the learner's sample x differs from Keras's sample y (none: []).

    A scale that is off is said first, as the standard deviations and the fan it corresponds to
    (fans: the weights' (fan_in, fan_out)); values outside the bound are then only its consequence."""
    ratios = statistics(x, y, sigma, bound, y_sorted)
    if ratios.get("square", 0) > 1:
        ratio = math.sqrt(np.mean(x ** 2) / np.mean(y ** 2))
        if abs(ratio - 1) > 0.02 and hidden:
            return [t("their standard deviation is {ratio:.4g} times Keras's{fan}", ratio=ratio,
                      fan=fan_mistake(ratio, fans, hidden))]
        if abs(ratio - 1) > 0.02:
            return [t("their standard deviation is {std:.4g}, {ratio:.4g} times Keras's {keras:.4g}{fan}",
                      std=math.sqrt(np.mean(x ** 2)), ratio=ratio, keras=math.sqrt(np.mean(y ** 2)),
                      fan=fan_mistake(ratio, fans))]
    if ratios.get("bound", 0) > 1:
        outside = int((np.abs(x) > bound * (1 + BOUND_SLACK)).sum())
        return [t("{outside} of {size} values lie outside the bound (the largest |w| is "
                  "{ratio:.4g} times the bound)", outside=outside, size=x.size,
                  ratio=np.abs(x).max() / bound)]
    messages = []
    if ratios.get("mean", 0) > 1:
        messages.append(t("the mean is {mean:+.3g} target standard deviations, "
                          "Keras's {keras:+.3g} ({errors:.1f} standard errors)",
                          mean=x.mean() / sigma, keras=y.mean() / sigma, errors=ratios["mean"] * K))
    if ratios.get("square", 0) > 1:
        ratio = math.sqrt(np.mean(x ** 2) / np.mean(y ** 2))
        messages.append(t("the root mean square is {ratio:.4g} times Keras's "
                          "({errors:.1f} standard errors)", ratio=ratio, errors=ratios["square"] * K))
    if ratios.get("tail", 0) > 1:
        messages.append(t("{share:.2%} of the values lie beyond 2 target standard deviations, "
                          "{keras:.2%} of Keras's ({errors:.1f} standard errors)",
                          share=np.mean(np.abs(x) > 2 * sigma), keras=np.mean(np.abs(y) > 2 * sigma),
                          errors=ratios["tail"] * K))
    if ratios["ks"] > 1:
        messages.append(t("the distributions differ: Kolmogorov-Smirnov distance {distance:.4f} "
                          "(a correct initialiser stays below {limit:.4f})",
                          distance=ratios["ks"] * ks_limit(x.size, y.size), limit=ks_limit(x.size, y.size)))
    return messages


def samples(got, facts, case, check):
    """The learner's sample against Keras's by statistics (see ch08's suite for the tolerances).

    facts: {"sample": Keras's values, "shape": the shape asked for, "sigma": the target standard
    deviation, "bound": the largest |w| allowed, or None, "fans": (fan_in, fan_out) of the shape}.
    """
    shape = tuple(facts["shape"])
    if not isinstance(got, np.ndarray) or got.dtype.kind not in "fiu":
        return t("expected a numeric array")
    if got.shape != shape:
        return t("shape {got}, expected {want}: the shape asked for", got=got.shape, want=shape)
    if not np.isfinite(got).all():
        return t("NaN or inf among the values")
    expected = np.asarray(facts["sample"], dtype=np.float64).ravel()
    messages = sample_tests(got.astype(np.float64).ravel(), expected, facts["sigma"], facts["bound"],
                            facts.get("fans"), hidden(check), bool(facts.get("sorted")))
    return "; ".join(messages) or None


# ------------------------------------------------------ searches (ch09)
def split_search(got):
    """(best, history) as float arrays, or None when they are not shaped so."""
    if not (isinstance(got, (list, tuple)) and len(got) == 2
            and all(isinstance(g, np.ndarray) and g.dtype.kind in "biuf" for g in got)):
        return None
    best, history = (g.astype(np.float64) for g in got)
    if best.shape != (3,) or history.ndim != 2 or history.shape[1] != 3:
        return None
    return best, history


def search(got, facts, case, check):
    """The reference's (best, history) of a grid or random search, row for row.

    facts: {"best": ..., "history": ...}. The grader also retrains settings that
    differ; the kit says how they differ.
    """
    parts = split_search(got)
    if parts is None:
        return t("expected (best, history): best of shape (3,), history of shape (settings, 3)")
    best, history = parts
    want = np.asarray(facts["history"], dtype=np.float64)
    if history.shape != want.shape:
        return t("history has {rows} rows; expected {want}, one per setting tried",
                 rows=len(history), want=len(want))
    if not np.allclose(history[:, :2], want[:, :2], rtol=1e-9, atol=0):
        if np.allclose(np.sort(history[:, :2], axis=0), np.sort(want[:, :2], axis=0), rtol=1e-9, atol=0):
            return t("the settings are the right ones but not in the right order: eta in the outer "
                     "loop, lmbda inner, or the recipe's order of draws")
        return t("history[:, :2] are not the settings expected: every (eta, lmbda) of the grid in "
                 "the order of the given lists, or the recipe's draws from np.random.default_rng(seed)")
    if not np.array_equal(best, history[np.argmax(history[:, 2])]):
        return t("best should be the row of your history with the highest accuracy "
                 "(the first such row on a tie)")
    return compare(history[:, 2], want[:, 2], 1e-9, 1e-9, hidden(check),
                   t("the accuracies in history[:, 2]"))


# ---------------------------------------------------- bump network (ch10)
def bump_weights(got, n):
    """The learner's four arrays as float64, or a message saying what is wrong with them."""
    if not (isinstance(got, (list, tuple)) and len(got) == 4):
        return None, t("expected a tuple of 4 arrays (W1, b1, W2, b2)")
    shapes = [(1, 2 * n), (2 * n,), (2 * n, 1), (1,)]
    arrays = []
    for name, value, shape in zip(("W1", "b1", "W2", "b2"), got, shapes):
        array = np.asarray(value) if isinstance(value, (np.ndarray, float, int)) else None
        if array is None or array.dtype.kind not in "biuf":
            return None, t("{name} is not a numeric array", name=name)
        if array.shape != shape:
            return None, t("{name} has shape {got}, expected {want} for {n} bumps (Keras layout)",
                           name=name, got=array.shape, want=shape, n=n)
        if not np.isfinite(array).all():
            return None, t("{name} holds NaN or inf", name=name)
        arrays.append(array.astype(np.float64))
    return arrays, None


def network(got, facts, case, check):
    """The function the learner's bump network computes, against the reference network's.

    facts: {"x": points inside [0, 1], "output": the reference network there,
    "tolerance": how far a correct network may be from it}.
    """
    n = case.args[1]
    weights, message = bump_weights(got, n)
    if message:
        return message
    W1, b1, W2, b2 = weights
    x = np.asarray(facts["x"], dtype=np.float64)[:, None]
    z = x @ W1 + b1
    hidden_layer = np.exp(-np.logaddexp(0.0, -z))        # a sigmoid that never overflows
    output = (hidden_layer @ W2 + b2)[:, 0]
    return compare(output, facts["output"], facts["tolerance"], 1e-6, hidden(check),
                   t("the network's output over the interior of [0, 1] (vs bumps on [j/n, (j+1)/n])"))


# ------------------------------------------------------- Keras models (ch03, ch12)
FIELDS = ("output_shape", "params", "activation", "padding", "filters", "kernel_size", "strides",
          "pool_size", "units", "rate")
SECRET = ("output_shape", "params", "filters", "units")  # they follow from a hidden check's arguments
NAMES = {"output_shape": "output", "kernel_size": "kernel", "pool_size": "pool"}


def _text(value):
    return str(tuple(value)) if isinstance(value, (list, tuple)) else str(value)


def _rows(summary):
    """The model's input, then its layers: dicts with class_name and FIELDS, shapes without the batch."""
    layers = [{**layer, "output_shape": (layer.get("output_shape") or [None])[1:]}
              for layer in summary["layers"] if layer["class_name"] != "InputLayer"]  # keras.Model lists it
    return [{"class_name": "Input", "output_shape": summary.get("input_shape")}] + layers


def _line(row, hidden, differs=()):
    parts = [row["class_name"]] + [f"{NAMES.get(key, key)} {_text(row[key])}" for key in FIELDS
                                   if row.get(key) is not None and not (hidden and key in SECRET)]
    names = ", ".join(NAMES.get(key, key) for key in differs)
    return "  ".join(parts) + ("  [" + t("differs in: {names}", names=names) + "]" if differs else "")


def structure_diff(mine, expected, hidden):
    """None when two models' rows (_rows) match field by field, else a unified diff of them."""
    key = lambda row: (row["class_name"],) + tuple(row.get(k) for k in FIELDS)  # noqa: E731
    if [key(r) for r in mine] == [key(r) for r in expected]:
        return None
    lines_expected = [_line(r, hidden) for r in expected]
    lines_mine = []
    for i, row in enumerate(mine):  # hidden: name the secret fields that differ, not their values
        twin = expected[i] if i < len(expected) else None
        differs = [k for k in SECRET if hidden and twin and twin["class_name"] == row["class_name"]
                   and twin.get(k) != row.get(k)]
        lines_mine.append(_line(row, hidden, differs))
    diff = difflib.unified_diff(lines_expected, lines_mine, t("expected"), t("yours"), lineterm="",
                                n=len(expected) + len(mine))
    return (t("the model differs from the specification (- expected, + yours):") + "\n"
            + "\n".join(line for line in diff if not line.startswith("@@")))


def _model(got, facts, check):
    """(the learner's model summary, message): the structure must be the reference's."""
    if not (isinstance(got, dict) and "$model" in got):
        return None, t("expected a Keras model (keras.Sequential or keras.Model), got an array")
    got = got["$model"]
    return got, structure_diff(_rows(got), facts["rows"], hidden(check))


def model(got, facts, case, check):
    """The reference's layers; then, with the same weights, the same outputs on a probe.

    facts: {"rows": the reference model's rows, "output": its output on the probe with the
    weights the probe carries}. The learner's process loads those weights into its own model.
    """
    summary, message = _model(got, facts, check)
    if message or summary is None:
        return message
    if summary.get("output") is None:
        return t("your model could not be run on images of its own input shape")
    return compare(summary["output"], facts["output"], 1e-5, 1e-5, hidden(check),
                   t("model output with the reference's weights"))


def trained(got, facts, case, check):
    """The reference's layers, and at least facts["floor"] accuracy on held-out digits.

    facts: {"rows", "labels": the held-out digits' classes, "floor"}; the learner's process
    ran its trained model on those digits (the probe).
    """
    summary, message = _model(got, facts, check)
    if message or summary is None:
        return message
    output = summary.get("output")
    labels = np.asarray(facts["labels"])
    if output is None or np.shape(output) != (len(labels), int(np.max(labels)) + 1):
        return t("your model could not be run on the held-out digits")
    accuracy = float(np.mean(np.asarray(output).argmax(axis=1) == labels))
    if accuracy < facts["floor"]:
        return t("test accuracy {accuracy:.1%} on the {n} held-out digits, below the "
                 "{floor:.0%} floor (an untrained network gets about 10%)",
                 accuracy=accuracy, n=len(labels), floor=facts["floor"])
    return None
