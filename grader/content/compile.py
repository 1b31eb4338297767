"""Compile the visible checks into data: what the learner's kit runs instead of the references.

For each chapter the course build writes ``nndl/compiled/<chapter>.json`` (the
visible checks: ids, points, tolerances, hints, judges, and per case its label,
inputs, the probe sent with the call and the facts its judge reads) and
``<chapter>.npz`` (every array those refer to as ``{"$npz": key}``), plus
``manifest.json`` with each file's SHA-256 and one hash over them all.

Nothing of a hidden check goes in: not its inputs, seed, reference outputs nor
labels. Arrays are stored without pickle, and the zip entries carry a fixed
date, so the same references give byte-identical files.
"""
import copy
import hashlib
import io
import json
import zipfile
from pathlib import Path

import numpy as np

from nndl.compare import output_names
from nndl.compiled import COMPILED_DIR, FORMAT, MANIFEST
from nndl.grader.content import chapters
from nndl.grader.content.check import VISIBLE
from nndl.grader.config import VISIBLE_SEED

FIXED_DATE = (2020, 1, 1, 0, 0, 0)


class _Store:
    """Plain JSON for a value, with its arrays set aside for the .npz file."""

    def __init__(self):
        self.arrays = {}

    def __call__(self, value):
        if isinstance(value, (np.ndarray, np.generic)):
            key = f"a{len(self.arrays)}"
            self.arrays[key] = np.asarray(value)
            return {"$npz": key}
        if isinstance(value, (list, tuple)):
            return [self(v) for v in value]
        if isinstance(value, dict):
            return {str(k): self(v) for k, v in value.items()}
        if value is None or isinstance(value, (bool, int, float, str)):
            return value
        raise TypeError(f"cannot compile a {type(value).__name__} into check data")


def _mistakes(check, case, store):
    """The outputs of the check's known mistakes on this case (those that apply to it)."""
    wrong = []
    for what, mistaken in check.mistakes:
        try:
            wrong.append([what, store(mistaken(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs)))])
        except Exception:  # noqa: BLE001 - a mistake that does not apply to this case
            continue
    return wrong


def compile_case(chapter, check, case, probe, store, exponent=False):
    expected = check.answer(*copy.deepcopy(case.args), **copy.deepcopy(case.kwargs))
    kit = check.kit
    facts = kit.facts(check, case, expected, probe) if kit.facts else {"expected": expected}
    call_probe = kit.probe(check, case, facts, probe) if kit.probe else probe
    facts = store(facts)
    if kit.judge == "values":
        facts["mistakes"] = _mistakes(check, case, store)
        if exponent:   # the text promises no overflow: nndl.diagnoses may name one more readily
            facts["exponent"] = True
        names = output_names(chapters.docstrings(chapter).get(check.function))
        if names:      # what the exercise calls the values it returns, for the messages
            facts["names"] = names
    return {"label": case.label, "args": store(list(case.args)), "kwargs": store(case.kwargs),
            "probe": store(call_probe), "facts": facts}


def compile_check(chapter, check, store):
    rng = check.rng(chapter, VISIBLE_SEED)
    cases = check.cases(rng)
    probe = check.probe(rng) if check.probe else None
    return {"id": check.id, "function": check.function, "points": float(check.points),
            "atol": check.atol, "rtol": check.rtol, "hint": check.hint, "timeout": check.timeout,
            "judge": check.kit.judge,
            "cases": [compile_case(chapter, check, c, probe, store, check.function in chapters.stable(chapter))
                      for c in cases]}


docstrings = chapters.docstrings


def exercises(chapter):
    """For `nndl hint`: each graded function's hints (visible checks' first) and docstring."""
    docs = docstrings(chapter)
    out = {}
    for check in sorted(chapters.checks(chapter), key=lambda c: c.visibility != VISIBLE):
        entry = out.setdefault(check.function, {"hints": [], "docstring": docs.get(check.function, "")})
        if check.hint and check.hint not in entry["hints"]:
            entry["hints"].append(check.hint)
    return out


def compile_chapter(chapter):
    """(the chapter's JSON record, its arrays by key)."""
    store = _Store()
    checks = [compile_check(chapter, c, store) for c in chapters.checks(chapter) if c.visibility == VISIBLE]
    # Every check id a report may name (hidden ones too: grade reports show them) -> its function,
    # so that `nndl hint chapter/<check id>` works for any id a learner has seen.
    aliases = {c.id: c.function for c in chapters.checks(chapter)}
    record = {"format": FORMAT, "chapter": chapter, "checks": checks, "exercises": exercises(chapter),
              "aliases": aliases, "scratch": sorted(chapters.scratch(chapter)),
              "stable": sorted(chapters.stable(chapter)), "calls": chapters.callees(chapter)}
    return record, store.arrays


def npz_bytes(arrays):
    """An .npz file's bytes, the same for the same arrays (no dates, no pickle)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for key, array in arrays.items():
            entry = io.BytesIO()
            np.lib.format.write_array(entry, np.array(array, order="C"), allow_pickle=False)
            info = zipfile.ZipInfo(f"{key}.npy", date_time=FIXED_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, entry.getvalue())
    return buffer.getvalue()


def chapter_files(chapter):
    """{file name: bytes} of one compiled chapter."""
    record, arrays = compile_chapter(chapter)
    text = json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n"
    return {f"{chapter}.json": text.encode("utf-8"), f"{chapter}.npz": npz_bytes(arrays)}


def manifest(files):
    """The manifest for {file name: bytes}: each file's SHA-256 and one hash over them all."""
    sums = {name: hashlib.sha256(data).hexdigest() for name, data in sorted(files.items())}
    whole = hashlib.sha256("".join(f"{n}:{s}\n" for n, s in sums.items()).encode()).hexdigest()
    return {"format": FORMAT, "chapters": [c for c in chapters.available()], "files": sums, "sha256": whole}


def compile_all(outdir=COMPILED_DIR):
    """Write every chapter's compiled checks and the manifest into outdir; return the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    files = {}
    for chapter in chapters.available():
        files.update(chapter_files(chapter))
    written = []
    for name, data in {**files, MANIFEST: (json.dumps(manifest(files), indent=1) + "\n").encode()}.items():
        path = outdir / name
        if not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)
        written.append(path)
    for stale in set(outdir.glob("ch*.*")) - set(written):
        stale.unlink()
    return written
