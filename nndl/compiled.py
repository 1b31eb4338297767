"""The compiled checks: the data the learner's kit judges with, made by the course build.

``nndl/compiled/`` holds, per chapter, a JSON record of its visible checks and
an .npz of their arrays (grader/compile.py writes them), and a manifest with
each file's SHA-256. Files are read as package data and checked against the
manifest: a file that is missing, corrupt or of another format is an error
that says to rebuild or reinstall, never a wrong verdict.
"""
import hashlib
import io
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np

from nndl.records import VISIBLE, Rules

FORMAT = 1
MANIFEST = "manifest.json"
COMPILED_DIR = Path(__file__).with_name("compiled")


class CompiledDataError(RuntimeError):
    """The compiled checks are missing, corrupt or stale: rebuild (`nndl build`) or reinstall."""


@dataclass(frozen=True)
class CompiledCase:
    """One call of a compiled check: its inputs, what goes with them, and what its judge reads."""

    label: str
    args: tuple
    kwargs: dict
    probe: object
    facts: object


@dataclass(frozen=True)
class CompiledCheck:
    """A visible check as data: the same fields as the grader's Check, with its answers computed."""

    chapter: str
    id: str
    function: str
    points: float
    atol: float
    rtol: float
    hint: str
    timeout: object
    judge: str
    cases: tuple = field(repr=False)
    visibility: str = VISIBLE


def _read(name):
    try:
        return (resources.files("nndl") / "compiled" / name).read_bytes()
    except (FileNotFoundError, OSError) as exc:
        raise CompiledDataError(f"the compiled checks have no {name} ({exc.__class__.__name__}); "
                                f"rebuild them with `nndl build` or reinstall nndl") from None


@lru_cache(maxsize=1)
def manifest():
    try:
        data = json.loads(_read(MANIFEST))
    except ValueError:
        raise CompiledDataError(f"compiled/{MANIFEST} is not valid JSON; reinstall nndl") from None
    if data.get("format") != FORMAT:
        raise CompiledDataError(f"the compiled checks are of format {data.get('format')!r}, this nndl "
                                f"reads format {FORMAT}; reinstall nndl")
    return data


def chapters():
    """The chapters that have compiled checks, in course order."""
    return list(manifest()["chapters"])


def _verified(name):
    data = _read(name)
    if hashlib.sha256(data).hexdigest() != manifest()["files"].get(name):
        raise CompiledDataError(f"compiled/{name} does not match its manifest (changed or corrupt); "
                                f"rebuild with `nndl build` or reinstall nndl")
    return data


def _decode(value, arrays):
    if isinstance(value, list):
        return [_decode(v, arrays) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$npz"}:
            return arrays[value["$npz"]]
        return {k: _decode(v, arrays) for k, v in value.items()}
    return value


@lru_cache(maxsize=None)
def chapter(chapter_id):
    """(the chapter's CompiledChecks in order, {function: {"hints", "docstring"}}, {check id: function},
    its Rules)."""
    if chapter_id not in chapters():
        raise CompiledDataError(f"no compiled checks for {chapter_id}")
    record = json.loads(_verified(f"{chapter_id}.json"))
    with np.load(io.BytesIO(_verified(f"{chapter_id}.npz")), allow_pickle=False) as npz:
        arrays = {key: npz[key] for key in npz.files}
    checks = tuple(CompiledCheck(
        chapter_id, c["id"], c["function"], c["points"], c["atol"], c["rtol"], c["hint"], c["timeout"],
        c["judge"], tuple(CompiledCase(k["label"], tuple(_decode(k["args"], arrays)),
                                       _decode(k["kwargs"], arrays), _decode(k["probe"], arrays),
                                       _decode(k["facts"], arrays)) for k in c["cases"]))
        for c in record["checks"])
    rules = Rules(frozenset(record.get("scratch", ())), frozenset(record.get("stable", ())))
    return checks, record["exercises"], record.get("aliases", {}), rules, record.get("calls", {})


def checks(chapter_id):
    return chapter(chapter_id)[0]


def exercises(chapter_id):
    return chapter(chapter_id)[1]


def calls(chapter_id):
    """{graded function: the chapter's other graded functions its model answer calls}."""
    return chapter(chapter_id)[4]


def rules(chapter_id):
    """The chapter's Rules (from-scratch and stable functions), as this kit's course set them."""
    return chapter(chapter_id)[3]


def aliases(chapter_id):
    """Every check id of the chapter (the ones reports name) -> its function."""
    return chapter(chapter_id)[2]
