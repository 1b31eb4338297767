"""Find the chapter files of a submission.

A submission is a folder of chapter files, one chapter file, or nbgrader's
collected layout (``<chapter>/<chapter>.ipynb`` inside a student's folder).
"""
from pathlib import Path

from nndl.grader.chapters import CHAPTERS


class SubmissionError(Exception):
    """The submission cannot be read at all (bad usage, not a bad answer)."""


def chapter_of(path):
    """The chapter id a file name stands for, or None."""
    return path.stem if path.suffix in (".py", ".ipynb") and path.stem in CHAPTERS else None


def find(path):
    """Map chapter id -> file, plus warnings about files that were ignored."""
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
    files, warnings = {}, []
    candidates = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
    candidates += sorted(p / f"{p.name}.ipynb" for p in path.iterdir()
                         if p.is_dir() and p.name in CHAPTERS and (p / f"{p.name}.ipynb").is_file())
    for candidate in candidates:
        chapter = chapter_of(candidate)
        if chapter is None:
            warnings.append(f"ignored {candidate.name}: not a chapter file")
        elif chapter in files:
            warnings.append(f"ignored {candidate.relative_to(path)}: {chapter} was already "
                            f"found as {files[chapter].relative_to(path)}")
        else:
            _readable(candidate)
            files[chapter] = candidate
    return files, warnings


def _readable(path):
    try:
        path.read_bytes()
    except OSError as exc:
        raise SubmissionError(f"cannot read {path}: {exc.strerror}") from None
