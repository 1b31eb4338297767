"""compile: the committed compiled checks are what the live references give, and hold no hidden check."""
import io
import json

import numpy as np
import pytest

from nndl import compiled
from nndl.grader.content import chapters
from nndl.grader.content import compile as compiler
from nndl.records import VISIBLE

CHAPTERS = chapters.available()


def _same(built, stored, where="record"):
    """Assert two decoded values are equal: JSON exactly, arrays to rounding."""
    if isinstance(built, dict):
        assert isinstance(stored, dict) and sorted(built) == sorted(stored), where
        for key in built:
            _same(built[key], stored[key], f"{where}.{key}")
    elif isinstance(built, list):
        assert isinstance(stored, list) and len(built) == len(stored), where
        for i, (a, b) in enumerate(zip(built, stored)):
            _same(a, b, f"{where}[{i}]")
    elif isinstance(built, np.ndarray):
        assert isinstance(stored, np.ndarray), where
        assert built.dtype == stored.dtype and built.shape == stored.shape, where
        assert np.allclose(built, stored, rtol=1e-9, atol=1e-12, equal_nan=True), where
    else:
        assert built == stored, where


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_compiled_checks_are_not_stale(chapter):
    """Does recompiling the chapter from the live suites and references give the committed data?"""
    record, arrays = compiler.compile_chapter(chapter)
    stored = json.loads((compiled.COMPILED_DIR / f"{chapter}.json").read_text(encoding="utf-8"))
    with np.load(compiled.COMPILED_DIR / f"{chapter}.npz", allow_pickle=False) as npz:
        stored_arrays = {k: npz[k] for k in npz.files}
    built = json.loads(json.dumps(record))  # tuples as lists, as stored
    _same(compiled._decode(built, arrays), compiled._decode(stored, stored_arrays), chapter)
    assert not [f for f in (compiled.COMPILED_DIR / f"{chapter}.json",) if not f.is_file()], \
        "run `make exercises`"


def test_manifest_hashes_every_file():
    """Does the manifest name every compiled file with its SHA-256, and only those?"""
    files = {p.name: p.read_bytes() for p in compiled.COMPILED_DIR.glob("ch*.*")}
    assert compiler.manifest(files) == json.loads((compiled.COMPILED_DIR / compiled.MANIFEST).read_text())
    assert sorted(files) == sorted(f"{c}.{x}" for c in CHAPTERS for x in ("json", "npz"))


def test_only_visible_checks_are_compiled():
    """Are exactly the visible checks compiled, with their points, and no hidden case's label?"""
    for chapter in CHAPTERS:
        visible = [c for c in chapters.checks(chapter) if c.visibility == VISIBLE]
        assert [(c.id, c.points) for c in compiled.checks(chapter)] == [(c.id, c.points) for c in visible]
        stored = {k.label for c in compiled.checks(chapter) for k in c.cases}
        visible_labels = {k.label for c in visible for k in c.cases(c.rng(chapter, 0))}
        assert stored == visible_labels
        for check in chapters.checks(chapter):
            if check.visibility != VISIBLE:
                hidden = {k.label for k in check.cases(check.rng(chapter, 12345))} - visible_labels
                assert not hidden & stored, check.id


def test_npz_files_hold_no_pickle():
    """Does every stored array load without pickle, and is the .npz the same bytes at every build?"""
    for chapter in CHAPTERS[:2]:
        data = (compiled.COMPILED_DIR / f"{chapter}.npz").read_bytes()
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            assert all(npz[k].dtype.kind in "biuf" for k in npz.files)
        assert compiler.chapter_files(chapter)[f"{chapter}.npz"] == data


def test_a_corrupt_compiled_file_is_an_error_not_a_verdict(monkeypatch):
    """Is a compiled file that no longer matches its manifest refused with a clear error?"""
    real = compiled._read
    monkeypatch.setattr(compiled, "_read", lambda name: real(name) + (b" " if name.endswith(".json") else b""))
    compiled.chapter.cache_clear()
    try:
        with pytest.raises(compiled.CompiledDataError, match="does not match its manifest"):
            compiled.checks("ch02_activations")
    finally:
        compiled.chapter.cache_clear()
