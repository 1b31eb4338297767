"""Checks for chapter 8: compute_fans, and six initialisers compared with keras.initializers.

compute_fans is compared exactly. An initialiser cannot reproduce
TensorFlow's random numbers, only their distribution, so each case draws a
large tensor from the learner's function and one from the Keras initialiser
(same shape, float64) and compares them by statistics:

1. shape, dtype, all values finite;
2. the bound (no randomness): |w| <= 2 sigma_0 for a truncated normal of
   underlying standard deviation sigma_0, |w| <= limit for a uniform one;
3. the mean, the mean square and the share of |w| beyond 2 target standard
   deviations: each a two-sample z test (learner vs Keras, standard errors
   estimated from the two samples) that fails beyond K standard errors;
4. the Kolmogorov-Smirnov distance between the two samples.

Tolerances come from the sample size and one number, P_CHECK: the chance
that a correct initialiser fails a check. A check makes at most
TESTS_PER_CHECK random tests (3 z tests and 1 KS test per case, at most 7
cases), each allowed P_CHECK / TESTS_PER_CHECK by the union bound:

* z tests: K = the two-sided normal quantile of that probability (6.97). They
  run only where a sample has at least MIN_N values: the two samples have the
  same size and distribution under the null, so their difference has no
  skew, and with 10^4 values the normal approximation (and the estimated
  standard error, off by at most a few percent) leaves the true tail within
  the factor-10 margin between P_CHECK = 1e-10 and the target 1e-9.
* KS: no approximation. Massart's DKW inequality P(sup|F_n - F| > eps) <=
  2 exp(-2 n eps^2) bounds each sample's distance to the true CDF; by the
  triangle inequality the two-sample distance exceeds eps_n + eps_m with
  probability at most the sum of the two.

So a correct initialiser fails a check with probability below 1e-9
(benchmarks/ch08_seeds.py runs every check over 200 hidden seeds). Wrong
initialisers are far outside: a standard deviation off by 10% is 20+
standard errors away at 10^5 values, and an untruncated normal in place of a
truncated one crosses the bound (2.27 target standard deviations) with
probability 0.023 per value.
"""
import functools
import math

import numpy as np

from nndl import judges
from nndl.grader.content.check import HIDDEN, VISIBLE, Case, Check, KitForm, judged
from nndl.grader.grading.oracle import oracle, references

ref = references("ch08_initialization")

# VarianceScaling divides by the standard deviation of N(0, 1) truncated to [-2, 2].
TRUNCATED_STD = 0.87962566103423978


def target(function, shape, stddev=None):
    """(standard deviation, bound or None) of the distribution `function` should draw from."""
    fan_in, fan_out = oracle().call(ref.compute_fans, shape)
    glorot, he = math.sqrt(2 / (fan_in + fan_out)), math.sqrt(2 / fan_in)
    return {"standard_normal": (1.0, None),
            "scaled_normal": (math.sqrt(1 / fan_in), None),
            "truncated_normal": (TRUNCATED_STD * stddev if stddev else None,
                                 2 * stddev if stddev else None),
            "glorot_normal": (glorot, 2 * glorot / TRUNCATED_STD),
            "glorot_uniform": (glorot, math.sqrt(3) * glorot),
            "he_normal": (he, 2 * he / TRUNCATED_STD),
            "he_uniform": (he, math.sqrt(3) * he)}[function]


def sample_facts(check, case, expected, probe, size=None):
    """What judges.samples needs: Keras's sample (its first `size` values; the whole of it sorted,
    for the grader), the shape asked for, and the target standard deviation and bound."""
    sigma, bound = target(check.function, case.args[0],
                          case.args[1] if check.function == "truncated_normal" else None)
    sample = np.asarray(expected, dtype=np.float64)
    fans = [int(n) for n in oracle().call(ref.compute_fans, case.args[0])]
    facts = {"shape": list(sample.shape), "sigma": sigma, "bound": bound, "fans": fans}
    if size:
        return {**facts, "sample": sample.ravel()[:size]}
    return {**facts, "sample": _sorted(check.function, case, sample), "sorted": True}


_SORTED = {}   # (function, case inputs) -> Keras's sample, sorted: once per batch, not per student


def _sorted(function, case, sample):
    """Keras's sample, sorted (the tests do not depend on its order); kept for the next student."""
    key = (function, repr(case.args), repr(sorted(case.kwargs.items())))
    found = _SORTED.get(key)
    if found is None or found.size != sample.size:
        if len(_SORTED) >= 64:
            _SORTED.clear()
        found = _SORTED[key] = np.sort(sample.ravel())
    return found


def compare_samples(got, expected, check, case, probe):
    """Compare the learner's sample with Keras's by statistics (module docstring)."""
    return judges.samples(got, sample_facts(check, case, expected, probe), case, check)


# The kit keeps 20,000 of Keras's values per case: the tests' limits follow both sample sizes.
SAMPLES = KitForm("samples", facts=functools.partial(sample_facts, size=20_000))
PAIR = KitForm("pair")


# ------------------------------------------------------------------ cases
def fans_visible(rng):
    return [Case("a Dense kernel (784, 30)", ([784, 30],)),
            Case("a Conv2D kernel (3, 3, 1, 32)", ([3, 3, 1, 32],))]


def fans_hidden(rng):
    n_in, n_out = (int(n) for n in rng.integers(2, 500, 2))
    return [Case("a Dense kernel", ([n_in, n_out],)),
            Case("a non-square Conv2D kernel", ([3, 5, n_in, n_out],)),
            Case("a Conv1D kernel (3-D)", ([7, n_in, n_out],)),
            Case("a Conv3D kernel (5-D)", ([2, 3, 4, n_in, n_out],)),
            Case("a 1-D shape (a bias vector)", ([n_out],)),
            Case("a scalar shape ()", ([],)),
            Case("a single weight (1, 1)", ([1, 1],))]


def seed(rng):
    return int(rng.integers(0, 2 ** 31 - 1))


def init_visible(rng):
    return [Case("a (400, 300) Dense kernel", ([400, 300], seed(rng)))]


def init_hidden(rng):
    """Large tensors of various fans, and edge shapes where only the bound can be tested."""
    n_in, n_out = int(rng.integers(700, 900)), int(rng.integers(120, 180))
    return [Case("a Dense kernel, about 800 x 150", ([n_in, n_out], seed(rng))),
            Case("a wide kernel: few inputs, 20000 units", ([int(rng.integers(4, 12)), 20000], seed(rng))),
            Case("a tall kernel: 20000 inputs, few units", ([20000, int(rng.integers(3, 8))], seed(rng))),
            Case("a non-square Conv2D kernel (3, 5, c_in, c_out)",
                 ([3, 5, int(rng.integers(16, 40)), int(rng.integers(48, 96))], seed(rng))),
            Case("one input (fan_in 1)", ([1, 50000], seed(rng))),
            Case("a 1-D shape of 30000", ([30000], seed(rng))),
            Case("a single weight (1, 1)", ([1, 1], seed(rng)))]


def truncated_visible(rng):
    return [Case("a (400, 300) kernel, stddev 0.05", ([400, 300], 0.05, seed(rng)))]


def truncated_hidden(rng):
    return [Case("stddev 1", ([500, 300], 1.0, seed(rng))),
            Case("stddev 3.5", ([200, 400], 3.5, seed(rng))),
            Case("a small stddev (1e-3)", ([100000], 1e-3, seed(rng))),
            Case("a Conv2D kernel, stddev 0.2", ([3, 3, 64, 64], 0.2, seed(rng))),
            Case("a single weight", ([1, 1], 0.5, seed(rng))),
            Case("a single row", ([1, 40000], 2.0, seed(rng)))]


def _pair(name, points, hint, hidden_hint, cases=(init_visible, init_hidden)):
    visible, hidden = cases
    return [Check(name, name, 1, VISIBLE, visible, getattr(ref, name), compare=compare_samples, kit=SAMPLES,
                  hint=hint),
            Check(f"{name}_hidden", name, points, HIDDEN, hidden, getattr(ref, name),
                  compare=compare_samples, kit=SAMPLES, hint=hidden_hint)]


CHECKS = [
    Check("compute_fans", "compute_fans", 1, VISIBLE, fans_visible, ref.compute_fans,
          compare=judged(PAIR), kit=PAIR,
          hint="a Dense kernel is (n_in, n_out); a conv kernel multiplies both by the receptive field"),
    Check("compute_fans_hidden", "compute_fans", 1, HIDDEN, fans_hidden, ref.compute_fans,
          compare=judged(PAIR), kit=PAIR,
          hint="the last two axes are (input channels, output channels) for any number of axes; "
          "a 1-D shape uses its length for both, a scalar shape gives (1, 1)"),
    *_pair("standard_normal", 1, "N(0, 1) from np.random.default_rng(seed), of the given shape",
           "every value from N(0, 1), whatever the shape"),
    *_pair("scaled_normal", 2, "N(0, 1/n_in): the standard deviation is 1/sqrt(n_in), not 1/n_in",
           "n_in is fan_in (for a conv kernel kh * kw * c_in), not fan_out; no truncation"),
    *_pair("truncated_normal", 2, "draw N(0, stddev^2) and redraw every value beyond 2 stddev",
           "redraw (do not clip) the values beyond 2 stddev, until none is left",
           cases=(truncated_visible, truncated_hidden)),
    *_pair("glorot_normal", 2, "a truncated normal whose final standard deviation is "
           "sqrt(2 / (fan_in + fan_out)): the underlying one is larger by 1 / TRUNCATED_STD",
           "use both fans; truncate at 2 underlying standard deviations and rescale"),
    *_pair("glorot_uniform", 2, "U(-limit, limit) with limit = sqrt(6 / (fan_in + fan_out))",
           "a uniform distribution on [-limit, limit], not [0, limit]; use both fans"),
    *_pair("he_normal", 2, "a truncated normal whose final standard deviation is sqrt(2 / fan_in)",
           "only fan_in counts; truncate at 2 underlying standard deviations and rescale"),
    *_pair("he_uniform", 2, "U(-limit, limit) with limit = sqrt(6 / fan_in)",
           "only fan_in counts, and the variance of U(-L, L) is L^2 / 3"),
]
