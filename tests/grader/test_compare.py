"""compare: say precisely what is wrong, and for hidden checks nothing that gives the inputs away."""
import re

import numpy as np
import pytest

from nndl import diagnoses
from nndl.compare import compare
from nndl.records import Case

ATOL = RTOL = 1e-6
E = np.arange(1.0, 7.0).reshape(2, 3)


def told(got, expected, hidden):
    """What a learner is told: the comparison, then the catalogue's diagnosis (nndl.diagnoses)."""
    message = compare(got, expected, ATOL, RTOL, hidden=hidden)
    return message and message + diagnoses.diagnose(got, expected, Case("a case"), ATOL, RTOL, hidden)


def visible(got, expected):
    return told(got, expected, hidden=False)


def hidden(got, expected):
    return told(got, expected, hidden=True)


def test_match_within_tolerance_is_none():
    """Is an output within atol + rtol*|expected| accepted, whatever its numeric dtype?"""
    assert visible(E + 5e-7, E) is None
    assert visible(E.astype(np.float32), E) is None
    assert visible(np.array([True, False]), np.array([1.0, 0.0])) is None
    assert visible(np.float64(3.0), 3.0) is None


def test_just_outside_tolerance_is_wrong():
    """Is an error just above atol + rtol*|expected| reported, with its size?"""
    message = visible(np.array([0.0, 1.0 + 3e-6]), np.array([0.0, 1.0]))
    assert message.startswith("output: 1 of 2 values differ; max abs error 3e-06 at index (1,)")


def test_transpose_is_diagnosed():
    """Is a transposed result named as the transpose of the right one?"""
    assert visible(E.T, E) == \
        "output: shape (3, 2), expected (2, 3) (your result is the transpose of the right one)"


def test_right_values_wrong_shape():
    """Are right values in a wrong shape told apart from wrong values?"""
    assert visible(E.ravel(), E) == \
        "output: shape (6,), expected (2, 3) (right values, wrong shape: check reshape/keepdims)"
    assert visible(np.zeros(6), E) == "output: shape (6,), expected (2, 3)"


def test_negative_is_diagnosed():
    """Is a result that is the negative of the right one called a flipped sign?"""
    message = visible(-E, E)
    assert message.startswith("output: 6 of 6 values differ; max abs error 12 at index (1, 2): "
                              "got -6, expected 6 (atol 1e-06, rtol 1e-06)")
    assert message.endswith("; your output is the negative of the right one (a flipped sign?)")


def test_constant_factor_is_diagnosed():
    """Is a result off by a constant factor told so, with the factor?"""
    assert visible(3 * E, E).endswith("; off by a constant factor of 3")
    assert visible(E / 2, E).endswith("; off by a constant factor of 0.5")
    assert hidden(3 * E, E).endswith("; off by a constant factor (a sum for a mean, or a scale left out?)")


def test_one_minus_is_diagnosed():
    """Is 1 - the right probability recognised (a sign flipped inside exp)?"""
    s = np.array([0.2, 0.7, 0.4])
    assert visible(1 - s, s).endswith("; your output is 1 - the right one (a sign flipped inside exp?)")


def test_no_diagnosis_for_unrelated_errors():
    """Does an error with no known signature get no guess?"""
    assert visible(np.array([1.0, 2.0, 4.0]), np.array([1.0, 2.0, 3.0])).endswith("(atol 1e-06, rtol 1e-06)")


@pytest.mark.parametrize("bad, word", [(np.nan, "NaN"), (np.inf, "inf"), (-np.inf, "inf")])
def test_non_finite_where_finite_expected(bad, word):
    """Is NaN or inf where a finite number belongs reported as such, with the count, and no guess
    at its cause (an overflow, a log of 0 and 0/0 all make one: nndl.diagnoses tells them apart)?"""
    message = hidden(np.array([bad, 1.0, 1.0]), np.ones(3))
    assert message == f"output: {word} in 1 of 3 values where a finite number was expected"


def test_matching_non_finite_values_pass():
    """Are NaN where NaN is expected, and inf where the same inf is expected, accepted?"""
    assert visible(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])) is None
    assert visible(np.array([np.inf, -np.inf]), np.array([np.inf, -np.inf])) is None
    assert visible(np.array([np.inf, 0.0]), np.array([-np.inf, 0.0])) is not None
    assert visible(np.array([1.0, 0.0]), np.array([np.nan, 0.0])) is not None
    assert visible(np.array([5.0, 0.0]), np.array([np.inf, 0.0])) is not None


def test_tuples_are_compared_element_by_element():
    """Are tuple outputs checked in length and then element by element, naming the element?"""
    assert visible([E, E], (E, E)) is None
    assert visible(E, (E, E)) == "output: expected a tuple of 2 values, got a single array"
    assert visible([E], (E, E)) == "output: expected 2 values, got 1"
    assert visible([E, 2 * E], (E, E)).startswith("output[1]: 6 of 6 values differ")


def test_list_instead_of_array():
    """Is a list where one array is expected reported as a list?"""
    assert visible([E, E], E) == "output: expected a numeric array, got a list of 2 values"


@pytest.mark.parametrize("got", [-E, 3 * E, E + 0.5, np.where(E > 3, E, 0.0)])
def test_hidden_message_shows_no_values(got):
    """Does a hidden check's message leave out got/expected values and the index?"""
    message = hidden(got, E)
    assert "values differ" in message and "max abs error" in message
    for word in ("got", "expected", "index"):
        assert word not in message
    assert re.fullmatch(r"output: \d+ of 6 values differ; max abs error [\d.e+-]+ "
                        r"\(atol 1e-06, rtol 1e-06\)(; [a-z ,]+[\d.]*( \(.*\))?)?", message), message


def test_where_names_the_output():
    """Does the message start with the name it was given for the output?"""
    assert compare(E.T, E, ATOL, RTOL, False, "model output").startswith("model output: shape")
