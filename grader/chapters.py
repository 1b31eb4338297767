"""The course's chapters and their check suites.

Chapter ids are fixed by the spec. A chapter is gradable once
``nndl.grader.suites.<id>`` exists and declares ``CHECKS``.
"""
import importlib
import importlib.resources
import importlib.util
from pathlib import Path

CHAPTERS = (
    "ch01_perceptron", "ch02_activations", "ch03_networks", "ch04_gradient_descent",
    "ch05_backprop", "ch06_cross_entropy", "ch07_regularization", "ch08_initialization",
    "ch09_hyperparameters", "ch10_universality", "ch11_vanishing_gradients", "ch12_cnn",
    "ch13_rnn", "ch14_lstm", "ch15_recursive",
)

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
    """The Check called "chapter/id"; raises KeyError with a clear message."""
    chapter, _, check_id = name.partition("/")
    if chapter not in CHAPTERS:
        raise KeyError(f"unknown chapter {chapter!r}")
    matches = [c for c in checks(chapter) if c.id == check_id or c.function == check_id]
    if not matches:
        raise KeyError(f"no check {check_id!r} in {chapter}")
    return chapter, matches
