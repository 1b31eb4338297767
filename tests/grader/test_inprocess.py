"""nndl.check: the learner's own checks in a notebook agree with `nndl grade`."""
import time

import numpy as np
import pytest

import nndl
from nndl import checking


def linear(x):
    return np.asarray(x, dtype=np.float64)


def test_right_function_gets_everything(capsys):
    """Does a right function get a share of 1.0 on the visible and the hidden checks?"""
    assert nndl.check("ch02_activations/linear", linear) == 1.0
    assert nndl.check("ch02_activations/linear", linear, hidden=True) == 1.0
    assert capsys.readouterr().out == "✓ ch02_activations/linear\n✓ ch02_activations/linear_hidden\n"


def test_wrong_function_is_told_why(capsys):
    """Does a wrong function get 0 and a message with the case and the hint?"""
    assert nndl.check("ch02_activations/relu", linear) == 0.0
    out = capsys.readouterr().out
    assert out.startswith("✗ ch02_activations/relu: wrong answer — case 1/3 (a vector in [-5, 5])")
    assert "Hint: max(0, x), elementwise" in out


def test_changing_the_input_in_place_gains_nothing():
    """Does a function that doubles its input in place fail, as it would in `nndl grade`?"""
    def doubled(x):
        x *= 2
        return x

    assert nndl.check("ch02_activations/linear", doubled) == 0.0
    assert nndl.check("ch02_activations/linear", doubled, hidden=True) == 0.0


def test_stub_is_not_implemented(capsys):
    """Is a stub reported as not implemented?"""
    def stub(x):
        raise NotImplementedError()

    assert nndl.check("ch02_activations/step", stub) == 0.0
    assert "not implemented — step() still raises NotImplementedError" in capsys.readouterr().out


def test_time_out_in_the_notebook():
    """Does a function that never returns time out in the learner's kernel too?"""
    def slow(x):
        time.sleep(60)

    reply = checking.call_directly(slow, 0.5)("linear", (np.ones(2),), {}, None, None)
    assert (reply.kind, reply.message) == ("timeout", "linear() did not return within 0.5 s")


def test_unknown_check_name():
    """Is a check name that does not exist a KeyError that says so?"""
    with pytest.raises(KeyError, match="no check 'nothing' in ch02_activations"):
        nndl.check("ch02_activations/nothing", linear)
    with pytest.raises(KeyError, match="unknown chapter 'ch99'"):
        nndl.check("ch99/linear", linear)
