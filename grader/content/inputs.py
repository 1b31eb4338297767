"""Seeded input generators shared by the suites.

Visible cases are ordinary values a learner would try; hidden cases add the
extremes where naive code breaks: |x| = 1000, exact zeros, single elements and
batched shapes.
"""
import numpy as np

from nndl.grader.content.check import Case


def visible_arrays(rng):
    """Ordinary inputs: a vector and a small batch in [-5, 5]."""
    return [Case("a vector in [-5, 5]", (rng.uniform(-5, 5, 7),)),
            Case("a (3, 4) batch in [-5, 5]", (rng.uniform(-5, 5, (3, 4)),))]


# What a chapter's text promises its functions are checked at: |x| up to 1000, where e^|x|
# overflows to inf in float64. A visible case too, so that a visible ✓ means it holds.
EXTREMES = np.array([-1000.0, -745.0, -709.0, -40.0, 0.0, 40.0, 709.0, 745.0, 1000.0])


def extreme_case():
    return Case("large |x| (-1000 to 1000, where exp overflows)", (EXTREMES.copy(),))


def hidden_arrays(rng, extremes=True):
    """Random, batched, single-element, zero and (optionally) huge inputs."""
    cases = [Case("random normal values", (rng.normal(0, 3, 11),)),
             Case("a (2, 3, 5) batch", (rng.normal(0, 2, (2, 3, 5)),)),
             Case("a single element", (rng.normal(0, 2, (1,)),)),
             Case("zeros", (np.zeros(4),))]
    if extremes:
        huge = rng.choice([-1.0, 1.0], 6) * rng.uniform(700, 1000, 6)
        cases.append(Case("large |x| (up to 1000)", (np.concatenate([huge, [-1000.0, 1000.0]]),)))
    return cases

