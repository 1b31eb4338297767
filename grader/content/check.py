"""A check and its result: two small typed records.

A ``Check`` says which student function it calls, with which inputs (a seeded
generator of ``Case``s), what the right answer is (a reference from
``solutions/``), how close is close enough, and what to hint on failure.
"""
import zlib
from dataclasses import dataclass
from typing import Callable, Optional

import numpy as np

from nndl.records import HIDDEN, VISIBLE, Case, Result  # noqa: F401 - the suites' records


@dataclass(frozen=True)
class KitForm:
    """How the learner's kit runs a visible check from data alone (nndl.judges).

    judge names a function of nndl.judges. facts(check, case, expected, probe)
    turns the reference's answer into the plain data that judge reads (default:
    {"expected": expected}); probe(check, case, facts, probe) is what the
    learner's process gets with the call (a Keras model is run on it there).
    The course build stores both (grader/compile.py).
    """

    judge: str = "values"
    facts: Optional[Callable] = None
    probe: Optional[Callable] = None


def model_facts(check, case, expected, probe):
    """For judges.model: the reference model's rows, and its output on the probe with seeded weights.

    The weights are drawn here (not Keras's own random start) so that the compiled data is the
    same at every build; the learner's process loads them into the learner's model.
    """
    from nndl.judges import _rows
    from nndl.worker import summarise_model

    rng = np.random.default_rng(0)
    weights = [rng.normal(0, 0.5, np.shape(w)).astype(np.float32) for w in expected.get_weights()]
    expected.set_weights(weights)
    crop = (slice(None),) + tuple(slice(0, d) for d in expected.inputs[0].shape[1:])
    inputs = np.asarray(probe[crop], dtype=np.float32)
    return {"rows": _rows(summarise_model(expected, None)["$model"]), "input": inputs,
            "weights": weights, "output": np.asarray(expected(inputs, training=False))}


def model_probe(check, case, facts, probe):
    """What the learner's process runs its model on, and with which weights."""
    return {"input": facts["input"], "weights": facts["weights"]}


MODEL = KitForm("model", facts=model_facts, probe=model_probe)


def judged(kit):
    """A Check.compare made of a shared judge: the grader and the kit judge alike."""
    from nndl import judges

    def compare(got, expected, check, case, probe):
        facts = kit.facts(check, case, expected, probe) if kit.facts else {"expected": expected}
        return getattr(judges, kit.judge)(got, facts, case, check)
    return compare


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
    kit: KitForm = KitForm()                          # how the learner's kit runs it from data

    def diagnose(self, got, case, hidden, expected, exponent=False, warned=()):
        """The mistake got's error matches, as '; ...', or '' (nndl.diagnoses: this check's known
        mistakes first, each a function with the reference's signature that makes a named
        error, then the catalogue's signatures)."""
        from nndl import diagnoses

        mistakes = []
        for what, mistaken in self.mistakes:
            try:
                mistakes.append((what, mistaken(*case.args, **case.kwargs)))
            except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
                continue
        return diagnoses.diagnose(got, expected, case, self.atol, self.rtol, hidden, mistakes, exponent, warned)

    def answer(self, *args, **kwargs):
        """The reference's answer, computed as the harness computes it.

        One reference at a time (some drive shared Keras state, such as the
        global random seed) and without Keras's advice to model authors.
        """
        import warnings

        from nndl.grader.grading.oracle import oracle

        with oracle().lock:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return self.reference(*args, **kwargs)

    def rng(self, chapter, seed):
        """The generator for this check: one stream per (seed, chapter, check)."""
        return np.random.default_rng([seed, zlib.crc32(f"{chapter}/{self.id}".encode())])

