"""Small typed records that the learner's kit and the grader share.

A ``Case`` is one call of a learner's function, a ``Reply`` what came back
from it, and a ``Result`` the outcome of one check, in the shape of a
Gradescope test.
"""
from dataclasses import dataclass, field
from typing import Optional

VISIBLE, HIDDEN = "visible", "hidden"


@dataclass(frozen=True)
class Case:
    """One call: the arguments, and a label that names it without its values."""

    label: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Rules:
    """What a chapter's text promises of its functions, enforced while they run (nndl/worker/):
    scratch, the from-scratch functions (no framework may run in them); stable, the functions
    that must run without overflow, division by zero or invalid operation (np.errstate raises).
    Every function must leave its arguments unchanged."""

    scratch: frozenset = frozenset()
    stable: frozenset = frozenset()

    def request(self, function):
        """The fields a call request of function carries for the worker."""
        fields = {}
        if function in self.scratch:
            fields["scratch"] = sorted(self.scratch)
        if function in self.stable:
            fields["errstate"] = True
        return fields


@dataclass
class Reply:
    """What came back from one call: a value, or why there is none, as fields.

    Which of them a learner may see depends on the check (a hidden check's
    inputs must not come back through what the submission raised or printed),
    so a Reply holds no sentence: nndl.checking.describe makes one.
    """

    kind: str            # ok | not_implemented | missing | exception | bad_output |
                         # timeout | died | load | syntax | protocol
    value: object = None
    function: str = ""   # the function called
    error: Optional[dict] = None   # what the learner's code raised: {"type", "text", "frames"}
    detail: tuple = ()   # the grader's own account: (English template, {field: value or detail})
    output: str = ""     # the last output of the learner's process
    warned: tuple = ()   # NumPy's floating-point warnings during the call ("divide by zero in log")

    @property
    def message(self):
        """The reply in words, as a visible check shows it."""
        from nndl.checking import describe

        return describe(self, hidden=False)


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


@dataclass
class Report:
    """The results of grading one submission."""

    results: list
    execution_time: float
    sandbox: str
    warnings: list = field(default_factory=list)

    @property
    def score(self):
        return sum(r.score for r in self.results)

    @property
    def max_score(self):
        return sum(r.max_score for r in self.results)

    @classmethod
    def from_json(cls, data):
        """The Report of a results JSON (as_json's), e.g. a batch's earlier <student>.json."""
        results = [Result(str(r["name"]), float(r["score"]), float(r["max_score"]), str(r["status"]),
                          str(r["output"]), str(r["visibility"]), str(r.get("kind", "passed")))
                   for r in data["tests"]]
        return cls(results, float(data.get("execution_time", 0.0)), str(data.get("sandbox", "")),
                   [str(w) for w in data.get("warnings", [])])

    def as_json(self):
        return {"score": self.score, "max_score": self.max_score,
                "execution_time": round(self.execution_time, 3),
                "sandbox": self.sandbox, "warnings": self.warnings,
                "tests": [r.as_json() for r in self.results]}
