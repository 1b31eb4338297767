"""A check and its result: two small typed records.

A ``Check`` says which student function it calls, with which inputs (a seeded
generator of ``Case``s), what the right answer is (a reference from
``solutions/``), how close is close enough, and what to hint on failure.
"""
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

from nndl.i18n import t, tr

VISIBLE, HIDDEN = "visible", "hidden"


@dataclass(frozen=True)
class Case:
    """One call: the arguments, and a label that names it without its values."""

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Check:
    """A declarative check of one student function."""

    id: str
    function: str
    points: float
    visibility: str
    cases: Callable[[np.random.Generator], list]    # rng -> [Case]
    reference: Callable                              # same signature as the student's
    atol: float = 1e-6
    rtol: float = 1e-6
    hint: str = ""
    timeout: Optional[float] = None                  # seconds per call; None: the default
    compare: Optional[Callable] = None               # (got, expected, check, case, probe) -> message | None
    probe: Optional[Callable] = None                 # rng -> input for a returned Keras model
    mistakes: tuple = ()                             # ((what, function), ...): known wrong answers
    # What the HTML report draws of a failed visible case: "values" (the output over the
    # input, or over the reference), "boundary" (the function labels the rows of its first
    # argument, 2 features: both decision boundaries on a grid), "linear_boundary" (it returns
    # (w, b) trained on the case's (X, y): both lines w.x + b = 0), "curves" (it returns
    # per-epoch histories, one array or a tuple: both against the epoch).
    figure: str = "values"
    figure_labels: tuple = ()                        # names of the "curves", in order

    def diagnose(self, got, case, hidden, expected=None):
        """The mistake got's error matches, as '; ...', or ''.

        First the known mistakes: each is a function with the reference's
        signature that makes a named, common error (a flipped kernel, gates in
        the wrong order); the learner's output is compared with it like with
        the reference. Then the catalogue of signatures (diagnoses.py) that
        needs the case's inputs and the reference's answer (computed here when
        it is not given).
        """
        from nndl import diagnoses
        from nndl.compare import compare

        for what, mistaken in self.mistakes:
            try:
                wrong = mistaken(*case.args, **case.kwargs)
            except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
                continue
            if compare(got, wrong, self.atol, self.rtol, hidden) is None:
                return t("; it matches a known mistake: {what}", what=tr(what))
        if self.compare is not None or not diagnoses.applies(got, case):
            return ""
        if expected is None:
            try:
                expected = self.answer(*case.args, **case.kwargs)
            except Exception:  # noqa: BLE001 - no diagnosis rather than a failed check
                return ""
        return diagnoses.diagnose(got, expected, case, self.atol, self.rtol, hidden)

    def answer(self, *args, **kwargs):
        """The reference's answer, computed as the harness computes it.

        One reference at a time (some drive shared Keras state, such as the
        global random seed) and without Keras's advice to model authors.
        """
        import contextlib
        import warnings

        from nndl.grader import harness

        with getattr(harness, "_REFERENCE_LOCK", None) or contextlib.nullcontext():
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self.reference(*args, **kwargs)

    def rng(self, chapter, seed):
        """The generator for this check: one stream per (seed, chapter, check)."""
        return np.random.default_rng([seed, zlib.crc32(f"{chapter}/{self.id}".encode())])


@dataclass
class Result:
    """The outcome of one check, in the shape of a Gradescope test."""

    name: str
    score: float
    max_score: float
    status: str                   # passed | failed
    output: str
    visibility: str
    kind: str = "passed"          # passed | wrong | not_implemented | missing | exception |
                                  # bad_output | timeout | died | syntax | load | not_submitted
    # A failed visible check's first wrong case, for pictures in the HTML report
    # ({"x": input or None, "got": ..., "expected": ...}); never in the JSON.
    figure: Optional[dict] = field(default=None, repr=False, compare=False)

    def as_json(self):
        return {"name": self.name, "score": self.score, "max_score": self.max_score,
                "status": self.status, "output": self.output,
                "visibility": self.visibility, "kind": self.kind}
