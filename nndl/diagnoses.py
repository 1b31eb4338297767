"""The one catalogue of mistakes recognised by their signature, and the one rule they use.

After a comparison found a wrong answer, ``diagnose`` names the first
signature its error matches, and only that one:

1. a check's known mistakes (a flipped kernel, gates in the wrong order): the
   learner's output equals the output of that wrong answer;
2. ``overflow``: right wherever the inputs are moderate, wrong only where |x|
   is large, and every wrong value NaN, inf, 0 or +-1: exp, or 1 - sigmoid,
   left float64's range and a numerically stable form is needed (a finite
   wrong value at a large input, such as an epoch number, is not an overflow);
3. ``batch_factor``: the output is n times the right one, n the number of
   samples of the case's input (a sum where a mean belongs), or 1/n;
4. ``negated``, ``one_minus``: -output or 1 - output is the right one;
5. ``constant_factor``: output / k is the right one for one constant k.

The rule: a signature matches when the learner's output, transformed by it,
equals the reference's answer within the check's own tolerance (``matches``,
the comparison's atol + rtol |expected|). A hidden check's message names a
batch size or a factor without its value, which may be a hidden input.
"""
import numpy as np

from nndl.i18n import t, tr

LARGE = 15.0    # |x| from which exp(x) and 1 - sigmoid(x) lose float64's digits (exp(-15) ~ 3e-7)


def diagnose(got, expected, case, atol, rtol, hidden, mistakes=(), exponent=False):
    """'; ' and the first signature got's error matches (mistakes: (what, their output) pairs
    first), or ''. exponent: the function's text promises no overflow (an exponent of its
    input is computed), so a finite wrong value at a large input may be an overflow too."""
    for what, wrong in mistakes:
        if matches(got, wrong, atol, rtol):
            return t("; it matches a known mistake: {what}", what=tr(what))
    message = overflow(got, expected, case, atol, rtol, hidden, exponent)
    if message:
        return message
    for entry in CATALOGUE[1:]:
        message = entry(got, expected, case, atol, rtol, hidden)
        if message:
            return message
    return ""


def matches(got, expected, atol, rtol, transform=None):
    """Is got (each of its arrays, transformed) expected within atol + rtol |expected|?"""
    got, expected = _parts(got), _parts(expected)
    if len(got) != len(expected) or any(g is None or e is None or g.shape != e.shape
                                        for g, e in zip(got, expected)):
        return False
    with np.errstate(all="ignore"):
        return not any(_wrong(transform(g) if transform else g, e, atol, rtol).any()
                       for g, e in zip(got, expected))


# ------------------------------------------------------------------ overflow
def overflow(got, expected, case, atol, rtol, hidden, exponent=False):
    """Right for moderate inputs, wrong only where |x| is large: an overflow."""
    got, expected = _numeric(got), _numeric(expected)
    if not isinstance(got, np.ndarray) or not isinstance(expected, np.ndarray) or \
            got.shape != expected.shape or got.size == 0:
        return ""
    wrong = _wrong(got, expected, atol, rtol)
    if not wrong.any():
        return ""
    # An overflow's signature: every wrong value is inf or NaN (exp left float64's range), or
    # exactly 0 or +-1 (1 - a number that rounded to 1, a saturated exp); or, in a function whose
    # text promises no overflow, any wrong value (a clipped probability of a large logit). A
    # finite wrong value at a large input elsewhere (an epoch number, a boundary off by one) is
    # some other mistake: silent.
    with np.errstate(invalid="ignore"):
        saturated = ~np.isfinite(got) | np.isin(got, (0.0, 1.0, -1.0))
    if not exponent and (wrong & ~saturated).any():
        return ""
    for size in _magnitudes(case, expected.shape):
        if not (wrong & (size < LARGE)).any():
            return t("; it is wrong only where |x| is large ({count} of {size} values): an overflow "
                     "(exp of a large number, or 1 - a number that rounded to 1); use a numerically "
                     "stable form", count=int(wrong.sum()), size=wrong.size)
    return ""


def _magnitudes(case, shape):
    """|x| for each output value, two ways: its own input, and the largest of its input's row.

    An input of the output's shape is elementwise (sigmoid) or works on rows
    (softmax: a large entry spoils its whole row); an input with one more axis
    is reduced over its last axis (a loss per sample), so the row counts.
    """
    own = rows = None
    for a in _arrays(case):
        a = np.abs(a)
        if a.shape == shape:
            mine, row = a, (np.broadcast_to(a.max(axis=-1, keepdims=True), shape) if a.ndim else a)
        elif a.ndim and a.shape[-1] and a.shape[:-1] == shape:
            mine = row = a.max(axis=-1)
        else:
            continue
        own = mine if own is None else np.maximum(own, mine)
        rows = row if rows is None else np.maximum(rows, row)
    return [m for m in (own, rows) if m is not None]


# ------------------------------------------------------------------ batch factor
def batch_factor(got, expected, case, atol, rtol, hidden):
    """The output n (or 1/n) times the right one, n the number of samples."""
    n = _batch_size(case)
    if not n or n < 2:
        return ""
    if matches(got, expected, atol, rtol, lambda g: g / n):
        if hidden:
            return t("; it is off by a factor of the batch size: a sum where a mean belongs "
                     "(divide by the number of samples)")
        return t("; it is off by a factor of the batch size ({n} samples): a sum where a mean "
                 "belongs (divide by the number of samples)", n=n)
    if matches(got, expected, atol, rtol, lambda g: g * n):
        if hidden:
            return t("; it is off by a factor of 1 / the batch size: a mean where a sum belongs "
                     "(do not divide by the number of samples)")
        return t("; it is off by a factor of 1 / the batch size ({n} samples): a mean where a sum "
                 "belongs (do not divide by the number of samples)", n=n)
    return ""


# --------------------------------------------------- what the numbers alone show
def negated(got, expected, case, atol, rtol, hidden):
    parts = _parts(expected)
    if all(p is not None for p in parts) and max((np.abs(p).max(initial=0) for p in parts), default=0) > atol \
            and matches(got, expected, atol, rtol, np.negative):
        return t("; your output is the negative of the right one (a flipped sign?)")
    return ""


def one_minus(got, expected, case, atol, rtol, hidden):
    parts = _parts(expected)
    binary = all(p is not None and np.isin(p, (0.0, 1.0)).all() for p in parts)  # 0/1: just "wrong"
    if not binary and matches(got, expected, atol, rtol, lambda g: 1.0 - g):
        return t("; your output is 1 - the right one (a sign flipped inside exp?)")
    return ""


def constant_factor(got, expected, case, atol, rtol, hidden):
    """output / k is the right answer for one k (other than 1), found where both are non-zero."""
    got_parts, parts = _parts(got), _parts(expected)
    if len(got_parts) != len(parts) or any(g is None or e is None or g.shape != e.shape
                                           for g, e in zip(got_parts, parts)):
        return ""
    g, e = np.concatenate([p.ravel() for p in got_parts]), np.concatenate([p.ravel() for p in parts])
    both = (np.abs(e) > 1e-12) & (np.abs(g) > 1e-12)
    if both.sum() < 2 or both.sum() != (np.abs(e) > 1e-12).sum():
        return ""
    factor = float(np.median(g[both] / e[both]))
    if abs(factor - 1) <= 1e-3 or not matches(got, expected, atol, rtol, lambda a: a / factor):
        return ""
    if hidden:
        return t("; off by a constant factor (a sum for a mean, or a scale left out?)")
    return t("; off by a constant factor of {factor:.4g}", factor=factor)


def _batch_size(case):
    """The number of samples: the first axis of the case's first array of two or more axes."""
    for a in case.args:
        if isinstance(a, np.ndarray) and a.ndim >= 2:
            return a.shape[0]
    return None


# ------------------------------------------------------------------ helpers
def _numeric(value):
    """value as float64 array(s) (a tuple or list stays one), or None if not numeric."""
    if isinstance(value, (list, tuple)):
        parts = [_numeric(v) for v in value]
        return None if any(p is None for p in parts) else tuple(parts)
    if isinstance(value, (np.ndarray, np.generic, bool, int, float)):
        array = np.asarray(value)
        return array.astype(np.float64) if array.dtype.kind in "biuf" else None
    return None


def _parts(value):
    """The arrays of a value, nested tuples and lists flattened; None for a non-numeric one."""
    value = _numeric(value) if not isinstance(value, tuple) else value
    if isinstance(value, tuple):
        return [p for v in value for p in _parts(v)]
    return [value]


def _arrays(case):
    """The case's numeric array inputs (positional and keyword), as float64."""
    for a in [*case.args, *case.kwargs.values()]:
        if isinstance(a, np.ndarray) and a.dtype.kind in "biuf" and a.size:
            yield a.astype(np.float64)


def _wrong(got, expected, atol, rtol):
    """Where got is outside atol + rtol |expected| (NaN matches NaN, inf matches inf)."""
    with np.errstate(invalid="ignore"):
        error = np.abs(got - expected)
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    tolerance = atol + rtol * np.abs(np.where(np.isinf(expected), 0.0, expected))
    return ~(error <= tolerance) & ~same


CATALOGUE = (overflow, batch_factor, negated, one_minus, constant_factor)  # first match wins
