"""Check and Result: small typed records; one random stream per (seed, chapter, check)."""
import numpy as np

from nndl.grader.content import chapters
from nndl.grader.content.check import Result


def test_rng_is_a_stream_per_seed_chapter_and_check():
    """Does the same (seed, chapter, check) give the same numbers, and any change other numbers?"""
    one, two = chapters.checks("ch02_activations")[:2]
    draw = lambda check, chapter, seed: check.rng(chapter, seed).random(4)  # noqa: E731
    np.testing.assert_array_equal(draw(one, "ch02_activations", 5), draw(one, "ch02_activations", 5))
    assert not np.array_equal(draw(one, "ch02_activations", 5), draw(one, "ch02_activations", 6))
    assert not np.array_equal(draw(one, "ch02_activations", 5), draw(two, "ch02_activations", 5))
    assert not np.array_equal(draw(one, "ch02_activations", 5), draw(one, "ch01_perceptron", 5))


def test_result_json_is_gradescope_shaped():
    """Does a Result serialise to a Gradescope test, with its kind?"""
    result = Result("ch02_activations/step", 0.0, 1.0, "failed", "timed out", "hidden", "timeout")
    assert result.as_json() == {"name": "ch02_activations/step", "score": 0.0, "max_score": 1.0,
                                "status": "failed", "output": "timed out", "visibility": "hidden",
                                "kind": "timeout"}
