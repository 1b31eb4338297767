"""The course's chapters, and how a folder's chapter files are found.

Chapter ids are fixed by the spec. A chapter file is ``<id>.py`` (jupytext
py:percent) or ``<id>.ipynb``; nbgrader's collected layout puts it in
``<id>/<id>.ipynb``. Where a folder holds more than one file for a chapter,
the first of that order wins: ``.py``, then ``.ipynb``, then nbgrader's.
"""
from pathlib import Path

from nndl.i18n import t

CHAPTERS = (
    "ch01_perceptron", "ch02_activations", "ch03_networks", "ch04_gradient_descent",
    "ch05_backprop", "ch06_cross_entropy", "ch07_regularization", "ch08_initialization",
    "ch09_hyperparameters", "ch10_universality", "ch11_vanishing_gradients", "ch12_cnn",
    "ch13_rnn", "ch14_lstm", "ch15_recursive",
)


def chapter_of(path):
    """The chapter id a file name stands for, or None."""
    path = Path(path)
    return path.stem if path.suffix in (".py", ".ipynb") and path.stem in CHAPTERS else None


def candidates(folder, chapter):
    """The places a chapter's file may be in folder, in order of precedence."""
    folder = Path(folder)
    return [folder / f"{chapter}.py", folder / f"{chapter}.ipynb", folder / chapter / f"{chapter}.ipynb"]


def chapter_files(folder):
    """chapter -> its file in folder (the first of candidates()), or None."""
    return {chapter: next((p for p in candidates(folder, chapter) if p.is_file()), None)
            for chapter in CHAPTERS}


class UnknownName(KeyError):
    """A chapter or "chapter/exercise" name that names nothing with checks."""

    def __str__(self):
        return str(self.args[0])


def checked_chapter(chapter, available):
    """chapter, when it is a chapter id that has checks (one of available); UnknownName otherwise."""
    if chapter not in CHAPTERS:
        raise UnknownName(t("unknown chapter {chapter!r}; see `nndl list`", chapter=chapter))
    if chapter not in available:
        raise UnknownName(t("chapter {chapter} has no checks yet", chapter=chapter))
    return chapter


def checked_name(name, available, known):
    """(chapter, item) of "chapter/item" (a function or a check id); UnknownName unless the chapter
    has checks (available) and item is one of known(chapter)."""
    chapter, _, item = str(name).partition("/")
    checked_chapter(chapter, available)
    if item not in known(chapter):
        raise UnknownName(t("no check {item!r} in {chapter}", item=item, chapter=chapter))
    return chapter, item
