"""A check and its result: two small typed records.

A ``Check`` says which student function it calls, with which inputs (a seeded
generator of ``Case``s), what the right answer is (a reference from
``solutions/``), how close is close enough, and what to hint on failure.
"""
import zlib
from dataclasses import dataclass, field
from typing import Callable, Optional

import numpy as np

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

    def diagnose(self, got, case, hidden):
        """The known mistake whose output got matches, as '; looks like ...', or ''.

        Each mistake is a function with the reference's signature that makes a
        named, common error (a flipped kernel, gates in the wrong order); the
        learner's output is compared with it like with the reference.
        """
        from nndl.grader.compare import compare

        for what, mistaken in self.mistakes:
            try:
                expected = mistaken(*case.args, **case.kwargs)
            except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
                continue
            if compare(got, expected, self.atol, self.rtol, hidden) is None:
                return f"; it matches a known mistake: {what}"
        return ""

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
