"""Compare a submission's output with the reference and say precisely what is wrong.

Messages name the shape, dtype, NaN/inf, the largest error and where it is;
what the error looks like (a flipped sign, a factor) is nndl.diagnoses' to say.
For hidden checks they name the case by its label but never show input values
or the expected numbers, which would give the hidden inputs away.
"""
import re

import numpy as np

from nndl.i18n import t, tr


def _as_array(value):
    if isinstance(value, np.ndarray):
        return value
    if isinstance(value, (bool, int, float, np.generic)):
        return np.asarray(value)
    return None


_RETURNS = re.compile(r"Returns:\s*\n\s*\(([A-Za-z_]\w*(?:\s*,\s*[A-Za-z_]\w*)+)\)")


def output_names(docstring):
    """The names a docstring's "Returns:" gives a tuple, "(C, dW, db): ..." -> ["C", "dW", "db"],
    or None."""
    found = _RETURNS.search(docstring or "")
    return [name.strip() for name in found.group(1).split(",")] if found else None


def compare(got, expected, atol, rtol, hidden, where=None, names=None):
    """None when got matches expected within atol + rtol*|expected|, else a message. names: what
    the exercise calls the values of a tuple it returns (output_names), used in place of output[i]."""
    where = t("output") if where is None else tr(where)
    if isinstance(expected, (list, tuple)):
        if not isinstance(got, (list, tuple)):
            return t("{where}: expected a tuple of {count} values, got a single array",
                     where=where, count=len(expected))
        if len(got) != len(expected):
            return t("{where}: expected {count} values, got {got}", where=where, count=len(expected),
                     got=len(got))
        named = names is not None and len(names) == len(expected)
        labels = [names[i] if named else f"{where}[{i}]" for i in range(len(expected))]
        messages = [compare(g, e, atol, rtol, hidden, label) for g, e, label in zip(got, expected, labels)]
        wrong = [i for i, m in enumerate(messages) if m]
        if not wrong:
            return None
        return messages[wrong[0]] + _which_parts(labels, wrong, where)
    expected = np.asarray(expected)
    array = _as_array(got)
    if array is None:
        return t("{where}: expected a numeric array, got a list of {count} values",
                 where=where, count=len(got))
    if array.dtype.kind not in "biuf":
        return t("{where}: dtype {dtype} is not numeric", where=where, dtype=array.dtype)
    if array.shape != expected.shape:
        return _shape_message(array, expected, atol, rtol, where)
    shape = array.shape
    array, expected = array.astype(np.float64).ravel(), expected.astype(np.float64).ravel()
    bad = ~np.isfinite(array) & np.isfinite(expected)
    if bad.any():
        kinds = "NaN" if np.isnan(array[bad]).all() else "inf" if np.isinf(array[bad]).all() else "NaN/inf"
        return t("{where}: {kinds} in {count} of {size} values where a finite number was expected",
                 where=where, kinds=kinds, count=int(bad.sum()), size=array.size)
    with np.errstate(invalid="ignore"):
        error = np.abs(array - expected)
    same = np.isnan(error) & (np.isnan(array) == np.isnan(expected))  # NaN for NaN, inf for inf
    error[same] = 0.0
    tolerance = atol + rtol * np.abs(np.where(np.isinf(expected), 0.0, expected))  # inf: exact
    outside = ~(error <= tolerance) & ~same
    if not outside.any():
        return None
    worst = int(np.argmax(np.where(outside, np.nan_to_num(error, nan=np.inf), -1)))
    message = t("{where}: {count} of {size} values differ; max abs error {error:.3g}",
                where=where, count=int(outside.sum()), size=array.size, error=error[worst])
    if not hidden:
        index = tuple(int(i) for i in np.unravel_index(worst, shape)) if shape else ()
        message += t(" at index {index}: got {got:.6g}, expected {expected:.6g}",
                     index=index, got=array[worst], expected=expected[worst])
    return message + t(" (atol {atol:g}, rtol {rtol:g})", atol=atol, rtol=rtol)


def _which_parts(labels, wrong, where):
    """Which parts of a tuple or list are right and which wrong, when some are right: '; C right;
    dW, db wrong'. A list of per-layer gradients whose last layer alone is right is told where the
    fault must be: in what carries the error down a layer."""
    if len(wrong) == len(labels):
        return ""
    right = [label for i, label in enumerate(labels) if i not in wrong]
    message = t("; {right} right; {wrong} wrong", right=t(", ").join(right),
                wrong=t(", ").join(labels[i] for i in wrong))
    gradients = str(where).startswith(("nabla", "grad"))
    if gradients and len(labels) > 1 and wrong == list(range(len(labels) - 1)):
        message += t(" (the last layer's gradient is right and every layer below it is wrong: look at "
                     "how the error is carried down one layer, delta^l = (delta^(l+1) W^(l+1)T) * f'(z^l))")
    return message


def _shape_message(array, expected, atol, rtol, where):
    message = t("{where}: shape {got}, expected {want}", where=where, got=tuple(array.shape),
                want=tuple(expected.shape))
    if array.T.shape == expected.shape and array.ndim == 2 and \
            np.allclose(array.T, expected, atol=atol, rtol=rtol):
        message += t(" (your result is the transpose of the right one)")
    elif array.size == expected.size and np.allclose(array.reshape(expected.shape), expected,
                                                     atol=atol, rtol=rtol):
        message += t(" (right values, wrong shape: check reshape/keepdims)")
    return message
