"""Find the chapter files of a submission.

A submission is a folder of chapter files, one chapter file, or nbgrader's
collected layout (``<chapter>/<chapter>.ipynb`` inside a student's folder);
which file is a chapter's is decided by nndl.course, for the kit and the grader alike.
"""
from pathlib import Path

from nndl.course import candidates, chapter_files, chapter_of


class SubmissionError(Exception):
    """The submission cannot be read at all (bad usage, not a bad answer)."""


def find(path):
    """Map chapter id -> file, plus warnings about files that were ignored.

    A folder's chapter files are found as everywhere in nndl (nndl.course:
    ``.py``, then ``.ipynb``, then nbgrader's ``<id>/<id>.ipynb``); what else
    the folder holds is named in a warning.
    """
    path = Path(path)
    if not path.exists():
        raise SubmissionError(f"no such file or folder: {path}")
    if path.is_file():
        chapter = chapter_of(path)
        if chapter is None:
            raise SubmissionError(f"{path.name} is not a chapter file (expected one of "
                                  f"ch01_perceptron.py ... ch15_recursive.py, or .ipynb)")
        _readable(path)
        return {chapter: path}, []
    files = {c: p for c, p in chapter_files(path).items() if p is not None}
    warnings = [f"ignored {p.name}: not a chapter file" for p in sorted(path.iterdir())
                if p.is_file() and not p.name.startswith(".") and chapter_of(p) is None]
    for chapter, found in files.items():
        _readable(found)
        warnings += [f"ignored {other.relative_to(path)}: {chapter} was already found as "
                     f"{found.relative_to(path)}" for other in candidates(path, chapter)
                     if other != found and other.is_file()]
    return files, warnings


def _readable(path):
    try:
        path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror}") from None
