"""The one catalogue of mistakes recognised by their signature, and the one rule they use.

After a comparison found a wrong answer, ``diagnose`` names one cause at
most, the first of these that holds:

0. NumPy warned while the call ran (``numpy_warned``): the warning and its
   likely cause are the evidence, and nothing is guessed beside them;
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

Signatures 2-5 are read on the first wrong array of the output (the one the
comparison's message names: dW of (C, dW, db), a layer of a list), so a sum
where a mean belongs in one gradient is told as such, once.

The rule: a signature matches when the learner's output, transformed by it,
equals the reference's answer within the check's own tolerance (``matches``,
the comparison's atol + rtol |expected|). A hidden check's message names a
batch size or a factor without its value, which may be a hidden input.
"""
import numpy as np

from nndl.i18n import N_, t, tr

LARGE = 15.0    # |x| from which exp(x) and 1 - sigmoid(x) lose float64's digits (exp(-15) ~ 3e-7)


def diagnose(got, expected, case, atol, rtol, hidden, mistakes=(), exponent=False, warned=()):
    """'; ' and the one cause got's error shows (see above), or ''. mistakes: (what, their output)
    pairs; exponent: the function's text promises no overflow (an exponent of its input is
    computed), so a finite wrong value at a large input may be an overflow too; warned: NumPy's
    floating-point warnings during the call ("invalid value in divide")."""
    part, part_expected = first_wrong(got, expected, atol, rtol)
    if warned:   # NumPy's own words; an overflow it names is told where, when the values show it
        message = overflow(part, part_expected, case, atol, rtol, hidden, exponent=True) \
            if any(w.startswith("overflow") for w in warned) else ""
        return message + t(" (NumPy warned of {warnings})", warnings=t(", ").join(warned)) if message \
            else numpy_warned(warned)
    for what, wrong in mistakes:
        if matches(got, wrong, atol, rtol):
            return t("; it matches a known mistake: {what}", what=tr(what))
    got, expected = part, part_expected
    message = overflow(got, expected, case, atol, rtol, hidden, exponent)
    if message:
        return message
    for entry in CATALOGUE[1:]:
        message = entry(got, expected, case, atol, rtol, hidden)
        if message:
            return message
    return ""


# What NumPy's floating-point warnings most likely mean.
CAUSES = {"divide by zero": N_("a division by 0, or a log of 0"),
          "invalid value": N_("0/0, inf - inf, 0 * inf or a log of a negative number"),
          "overflow": N_("a number too large for float64, such as exp of a large one")}


def numpy_warned(warned):
    """'; NumPy warned of ...' with the likely cause of each warning; '' when there is none."""
    if not warned:
        return ""
    said = t(", ").join(t("{warning} ({cause})", warning=w, cause=t(CAUSES[w.split(" in ")[0]]))
                        for w in warned)
    if not any(w.startswith("overflow") for w in warned):
        return t("; not an overflow: while it ran NumPy warned of {warnings}", warnings=said)
    return t("; while it ran NumPy warned of {warnings}", warnings=said)


def first_wrong(got, expected, atol, rtol):
    """The first (got, expected) pair of arrays, in the output's order, that do not match: the
    part the comparison's message names. The whole pair when the structures differ."""
    if isinstance(expected, (list, tuple)) and isinstance(got, (list, tuple)) and len(got) == len(expected):
        for g, e in zip(got, expected):
            if not matches(g, e, atol, rtol):
                return first_wrong(g, e, atol, rtol)
    return got, expected


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
    for size in _magnitudes(case, expected.shape, wrong):
        if not (wrong & (size < LARGE)).any():
            return t("; it is wrong only where |x| is large ({count} of {size} values): an overflow "
                     "(exp of a large number, or 1 - a number that rounded to 1); use a numerically "
                     "stable form", count=int(wrong.sum()), size=wrong.size)
    return ""


def _magnitudes(case, shape, wrong):
    """|x| for each output value, two ways: its own input, and the largest of its input's row.

    An input of the output's shape is elementwise (sigmoid) or works on rows
    (softmax: a large entry spoils its whole row); an input with one more axis
    is reduced over its last axis (a loss per sample), so the row counts. A row
    counts for an input of the output's shape only where its largest entry is
    wrong too: an overflow there spoils the rest of the row, a wrong value at a
    small entry beside right ones at large entries (relu' at 0) is no overflow.
    """
    own = rows = None
    for a in _arrays(case):
        a = np.abs(a)
        if a.shape == shape:
            mine, row = a, a
            if a.ndim:
                largest = np.take_along_axis(wrong, a.argmax(axis=-1)[..., None], axis=-1)
                spoiled = largest | ~wrong.any(axis=-1, keepdims=True)
                row = np.where(spoiled, np.broadcast_to(a.max(axis=-1, keepdims=True), shape), a)
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
    if not both.any() or both.sum() != (np.abs(e) > 1e-12).sum():
        return ""
    factor = float(np.median(g[both] / e[both]))
    if abs(factor - 1) <= 1e-3 or not matches(got, expected, atol, rtol, lambda a: a / factor):
        return ""
    # One number is always some multiple of another: only a whole factor (2, 3, ...) or its
    # inverse, to 6 digits (float32's), is a signature then (a 1/2 left out, a mean for a sum).
    whole = max(abs(factor), 1 / abs(factor))
    if both.sum() == 1 and not (round(whole) >= 2 and abs(whole - round(whole)) <= 1e-6 * whole):
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
