"""The course's chapters and their check suites.

Chapter ids are fixed by the spec. A chapter is gradable once
``nndl.grader.suites.<id>`` exists and declares ``CHECKS``.
"""
import importlib
import importlib.resources
import importlib.util
from pathlib import Path

from nndl.course import CHAPTERS, checked_name  # the chapter ids and names, defined once in nndl.course

_PACKAGE = Path(importlib.resources.files("nndl.grader"))
# The chapter texts: source/ in the repository, installed as the grader's package data
# nndl/grader/source/ (pyproject.toml); an editable install reads the repository's.
SOURCE_DIR = _PACKAGE / "source" if (_PACKAGE / "source").is_dir() else _PACKAGE.parent / "source"
# The course's own checkout: what only course developers' commands use (`nndl build`
# regenerates exercises/ there; `make demo` grades examples/).
ROOT = SOURCE_DIR.parent
EXERCISES_DIR = ROOT / "exercises"


def available():
    """Chapter ids that have a source file and a check suite, in course order."""
    return [c for c in CHAPTERS if (SOURCE_DIR / f"{c}.py").exists()
            and importlib.util.find_spec(f"nndl.grader.suites.{c}") is not None]


def checks(chapter):
    """The checks of one chapter, in the order they are graded."""
    return importlib.import_module(f"nndl.grader.suites.{chapter}").CHECKS


def find_check(name):
    """(chapter, the Checks called "chapter/id" or of "chapter/function"); UnknownName (a KeyError)
    with a clear message otherwise."""
    chapter, check_id = checked_name(name, available(), lambda c: {n for k in checks(c) for n in (k.id, k.function)})
    return chapter, [c for c in checks(chapter) if check_id in (c.id, c.function)]
