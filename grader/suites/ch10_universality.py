"""Checks for chapter 10, universality: step neurons, bumps, and a bump network that approximates f.

A function cannot cross the sandbox, so f travels as its values on a uniform
grid of [0, 1]; the grader takes f to be the piecewise-linear curve through
them, whose Lipschitz constant L is then known exactly. The learner's weights
for the bump network are copied into a real Keras network (float64) and
judged by what it computes: near-exact values at the bump midpoints (up to the
sigmoid tails, a bound that shrinks as exp(-w / 2n)), a max error over the
interior of [0, 1] within L / 2n (so it halves as the bumps double), and the
same function as the reference construction.
"""
import numpy as np

from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check, KitForm
from nndl.compare import compare
from nndl.i18n import t
from nndl.judges import bump_weights
from nndl.grader.grading.oracle import oracle, references

ref = references("ch10_universality")

FINE = np.linspace(0.0, 1.0, 2001)  # the grid the bump network is judged on


def sines(rng, m=801, terms=3, amplitude=1.0):
    """f on np.linspace(0, 1, m): a random sum of sines plus an offset (smooth, seeded).

    m = 801 puts the midpoints of 5, 10, 20 and 40 bumps on the grid.
    """
    x = np.linspace(0.0, 1.0, m)[:, None]
    a, nu, phase = rng.normal(0, 1, terms), rng.uniform(0.5, 3.0, terms), rng.uniform(0, 2 * np.pi, terms)
    return amplitude * (rng.normal(0, 0.5) + (a * np.sin(2 * np.pi * nu * x + phase)).sum(axis=1))


# ----------------------------------------------------------- steps and bumps
def params_visible(rng):
    return [Case("three steps at 0.25, 0.5, 0.75, w 100", (np.array([0.25, 0.5, 0.75]), 100.0))]


def params_hidden(rng):
    return [Case("five random steps, w 1000", (rng.uniform(0, 1, 5), 1000.0)),
            Case("a single neuron", (rng.uniform(0, 1, 1), 40.0)),
            Case("negative w (steps down)", (rng.uniform(0, 1, 3), -30.0)),
            Case("steps outside [0, 1]", (rng.uniform(-3, 4, 4), 7.0)),
            Case("very steep, w 1e5", (rng.uniform(0, 1, 6), 1e5))]


def grid(n, low=0.0, high=1.0):
    return np.linspace(low, high, n)[:, None]


def layer_visible(rng):
    return [Case("9 inputs in [0, 1], steps at 0.25, 0.5, 0.75, w 20",
                 (grid(9), np.array([0.25, 0.5, 0.75]), 20.0))]


def layer_hidden(rng):
    return [Case("50 inputs, four steep steps (w 1000)",
                 (rng.uniform(0, 1, (50, 1)), rng.uniform(0, 1, 4), 1000.0)),
            Case("a single sample, a single neuron", (rng.uniform(0, 1, (1, 1)), rng.uniform(0, 1, 1), 25.0)),
            Case("negative w (steps down)", (grid(21), rng.uniform(0, 1, 3), -30.0)),
            Case("saturated: inputs far outside, w 1e4", (grid(11, -50, 50), rng.uniform(0, 1, 2), 1e4)),
            Case("gentle slope, w 0.5", (grid(7), rng.uniform(0, 1, 5), 0.5))]


def bump_visible(rng):
    return [Case("11 inputs, a bump of height 0.8 on [0.3, 0.6], w 50", (grid(11), 0.3, 0.6, 0.8, 50.0))]


def bump_hidden(rng):
    s1, s2 = np.sort(rng.uniform(0, 1, 2))
    X = rng.uniform(0, 1, (40, 1))
    return [Case("a steep bump, w 1000", (X, s1, s2, rng.uniform(0.5, 2), 1000.0)),
            Case("a negative height", (X, s1, s2, -rng.uniform(0.5, 2), 60.0)),
            Case("s1 > s2 (the edges swapped)", (X, s2, s1, rng.uniform(0.5, 2), 45.0)),
            Case("s1 == s2 (zero width)", (X, s1, s1, 1.5, 80.0)),
            Case("a single sample", (X[:1], s1, s2, 2.5, 35.0)),
            Case("saturated: w 1e5, inputs far outside", (grid(9, -100, 100), s1, s2, 3.0, 1e5))]


# ------------------------------------------------------------ the bump network
def network_visible(rng):
    return [Case("a sum of sines on 801 points, 10 bumps, default w", (sines(rng), 10))]


def network_hidden(rng):
    f = sines(rng)
    line = rng.normal(0, 1, 2)
    return [Case(f"a sum of sines, {n} bumps, w 2000", (f, n), {"w": 2000.0}) for n in (5, 10, 20, 40)] + [
        Case("20 bumps, default w", (f, 20)),
        Case("a single bump on a straight line given by 2 points", (line, 1)),
        Case("a grid that misses the midpoints (1000 points), 7 bumps, w 3000",
             (sines(rng, m=1000), 7), {"w": 3000.0}),
        Case("a constant negative f on 5 points, 3 bumps", (np.full(5, -rng.uniform(1, 3)), 3)),
        Case("large values (amplitude 500), 40 bumps, w 1e5", (sines(rng, amplitude=500.0), 40), {"w": 1e5})]


def compare_network(got, expected, check, case, probe):
    """Judge the learner's weights by the function their Keras network computes."""
    f_values, n = np.asarray(case.args[0], dtype=np.float64), case.args[1]
    w = case.kwargs.get("w", 1000.0)
    weights, message = bump_weights(got, n)
    if message:
        return message
    x_grid = np.linspace(0.0, 1.0, len(f_values))
    f = np.interp(FINE, x_grid, f_values)
    mids = (np.arange(n) + 0.5) / n
    output = oracle().call(ref.bump_network_output, np.concatenate([FINE, mids])[:, None], *weights)[:, 0]
    net, net_mids = output[:len(FINE)], output[len(FINE):]
    top = np.abs(f_values).max()
    # Sigmoid tails: the bump's own deficit plus its neighbours' leaks, each at least half a bump away.
    tail = 4 * top * np.exp(-w / (2 * n)) / (1 - np.exp(-w / n)) + 1e-9 * (1 + top)
    error = np.abs(net_mids - np.interp(mids, x_grid, f_values)).max()
    if not error <= tail:
        return t("at the bump midpoints the network is off by up to {error:.3g}; with w = {w:g} it "
                 "should be within {tail:.3g} of f there (a bump's height is f at its midpoint)",
                 error=error, w=w, tail=tail)
    inside = (FINE >= 25 / w) & (FINE <= 1 - 25 / w)  # at x = 0 and 1 the end steps are half on
    slope = np.abs(np.diff(f_values)).max(initial=0.0) * (len(f_values) - 1)
    bound = slope * (1 / (2 * n) + 1 / w) * 1.01 + tail
    error = np.abs(net - f)[inside].max()
    if not error <= bound:
        detail = "" if check.visibility != VISIBLE else f" = {bound:.3g} (L = {slope:.3g})"
        return t("max error {error:.3g} over [{low:g}, {high:g}]; {n} bumps of f should "
                 "stay within L/2n + L/w{detail}, L the steepest slope of f",
                 error=error, low=25 / w, high=1 - 25 / w, n=n, detail=detail)
    want = oracle().call(ref.bump_network_output, FINE[inside][:, None], *expected)[:, 0]
    return compare(net[inside], want, 1e-6 * (1 + top), 1e-6, check.visibility != VISIBLE,
                   t("the network's output over the interior of [0, 1] (vs bumps on [j/n, (j+1)/n])"))


def network_facts(check, case, expected, probe):
    """The reference network's output inside [0, 1], and the tolerance compare_network uses there."""
    f_values, w = np.asarray(case.args[0], dtype=np.float64), case.kwargs.get("w", 1000.0)
    inside = FINE[(FINE >= 25 / w) & (FINE <= 1 - 25 / w)]
    return {"x": inside, "output": oracle().call(ref.bump_network_output, inside[:, None], *expected)[:, 0],
            "tolerance": 1e-6 * (1 + np.abs(f_values).max())}


NETWORK = KitForm("network", facts=network_facts)

CHECKS = [
    Check("step_neuron_params", "step_neuron_params", 1, VISIBLE, params_visible, ref.step_neuron_params,
          hint="the step sits where w * x + b = 0; W is a (1, units) Keras kernel"),
    Check("step_neuron_params_hidden", "step_neuron_params", 2, HIDDEN, params_hidden,
          ref.step_neuron_params,
          hint="solve w * s + b = 0 for b; it must hold for every sign and size of w"),
    Check("hidden_layer_output", "hidden_layer_output", 1, VISIBLE, layer_visible, ref.hidden_layer_output,
          hint="sigmoid(X @ W + b) with the weights of step_neuron_params"),
    Check("hidden_layer_output_hidden", "hidden_layer_output", 2, HIDDEN, layer_hidden,
          ref.hidden_layer_output,
          hint="one column per step; a stable sigmoid for large |w (x - s)|"),
    Check("bump", "bump", 1, VISIBLE, bump_visible, ref.bump,
          hint="two step neurons feeding one linear output with weights +h and -h"),
    Check("bump_hidden", "bump", 2, HIDDEN, bump_hidden, ref.bump,
          hint="keep the output shape (batch, 1), and do not reorder s1 and s2 yourself"),
    Check("build_bump_network", "build_bump_network", 2, VISIBLE, network_visible, ref.build_bump_network,
          compare=compare_network, kit=NETWORK, timeout=30,
          hint="bump j covers [j/n, (j+1)/n] and its height is f at the midpoint, read from the grid"),
    Check("build_bump_network_hidden", "build_bump_network", 4, HIDDEN, network_hidden,
          ref.build_bump_network, compare=compare_network, kit=NETWORK, timeout=30,
          hint="use the w you are given for every step, read f between grid points by linear "
          "interpolation, and let the output bias be what makes the heights right"),
]
