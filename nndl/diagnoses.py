"""Mistakes recognised by their signature beside the case's inputs.

compare.py names what the numbers alone show (a negated output, 1 - the
output, a constant factor, a transpose); a Check's ``mistakes`` name the
errors one exercise invites (a flipped kernel, gates in the wrong order). The
entries here also need the inputs of the case that failed:

- ``overflow``: the output is right wherever the inputs are moderate and wrong
  (NaN, inf, or a finite wrong number) only where |x| is large: exp, or
  1 - sigmoid, left float64's range, and a numerically stable form is needed;
- ``batch_factor``: every wrong value is n times the right one, with n the
  number of samples of the case's input (a sum where a mean belongs), or 1/n
  (the reverse).

Each entry returns a message fragment ("; ...") or "". A hidden check's
message names the batch size without its value.
"""
import numpy as np

from nndl.i18n import t

LARGE = 15.0    # |x| from which exp(x) and 1 - sigmoid(x) lose float64's digits (exp(-15) ~ 3e-7)


def diagnose(got, expected, case, atol, rtol, hidden):
    """The first entry of the catalogue that got's error matches, or ''."""
    for entry in CATALOGUE:
        message = entry(got, expected, case, atol, rtol, hidden)
        if message:
            return message
    return ""


def applies(got, case):
    """Could an entry apply? Cheap, before the reference is computed a second time."""
    if _numeric(got) is None:
        return False
    return (_batch_size(case) or 0) > 1 or any(np.abs(a).max() >= LARGE for a in _arrays(case))


# ------------------------------------------------------------------ overflow
def overflow(got, expected, case, atol, rtol, hidden):
    """Right for moderate inputs, wrong only where |x| is large: an overflow."""
    got, expected = _numeric(got), _numeric(expected)
    if not isinstance(got, np.ndarray) or not isinstance(expected, np.ndarray) or \
            got.shape != expected.shape or got.size == 0:
        return ""
    wrong = _wrong(got, expected, atol, rtol)
    if not wrong.any():
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
    """Every wrong value n (or 1/n) times the right one, n the number of samples."""
    n = _batch_size(case)
    if not n or n < 2:
        return ""
    got, expected = _parts(got), _parts(expected)
    if len(got) != len(expected):
        return ""
    ratios = []
    for g, e in zip(got, expected):
        if g is None or e is None or g.shape != e.shape:
            return ""
        wrong = _wrong(g, e, atol, rtol)
        if not wrong.any():
            continue
        scaled = np.abs(e) > atol
        if (wrong & ~scaled).any():     # a factor keeps a zero zero
            return ""
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios.append(g[scaled] / e[scaled])
    if not ratios:
        return ""
    ratio = np.concatenate(ratios)
    if np.allclose(ratio, n, rtol=1e-5, atol=0):
        if hidden:
            return t("; it is off by a factor of the batch size: a sum where a mean belongs "
                     "(divide by the number of samples)")
        return t("; it is off by a factor of the batch size ({n} samples): a sum where a mean "
                 "belongs (divide by the number of samples)", n=n)
    if np.allclose(ratio, 1 / n, rtol=1e-5, atol=0):
        if hidden:
            return t("; it is off by a factor of 1 / the batch size: a mean where a sum belongs "
                     "(do not divide by the number of samples)")
        return t("; it is off by a factor of 1 / the batch size ({n} samples): a mean where a sum "
                 "belongs (do not divide by the number of samples)", n=n)
    return ""


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


CATALOGUE = (overflow, batch_factor)
