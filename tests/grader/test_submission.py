"""submission.find: which files of a submission are chapters, and which are ignored."""
import pytest

from nndl import learner
from nndl.grader.grading import submission
from nndl.grader.grading.submission import SubmissionError


def touch(path, text="x = 1\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_folder_of_chapter_files(tmp_path):
    """Are .py and .ipynb chapter files found by their names, and nothing else?"""
    py = touch(tmp_path / "ch01_perceptron.py")
    ipynb = touch(tmp_path / "ch02_activations.ipynb", "{}")
    touch(tmp_path / ".hidden.py")
    files, warnings = submission.find(tmp_path)
    assert files == {"ch01_perceptron": py, "ch02_activations": ipynb}
    assert warnings == []


def test_unknown_files_are_warned_about(tmp_path):
    """Does each file that is not a chapter get one warning, and no entry?"""
    touch(tmp_path / "notes.txt")
    touch(tmp_path / "ch01_perceptron.txt")
    touch(tmp_path / "ch16_future.py")
    files, warnings = submission.find(tmp_path)
    assert files == {}
    assert warnings == [f"ignored {name}: not a chapter file"
                        for name in ("ch01_perceptron.txt", "ch16_future.py", "notes.txt")]


def test_nbgrader_layout(tmp_path):
    """Is nbgrader's <chapter>/<chapter>.ipynb layout found?"""
    notebook = touch(tmp_path / "ch03_networks" / "ch03_networks.ipynb", "{}")
    touch(tmp_path / "other" / "ch01_perceptron.ipynb", "{}")  # not a chapter folder
    files, _ = submission.find(tmp_path)
    assert files == {"ch03_networks": notebook}


def test_duplicate_chapter_keeps_the_first(tmp_path):
    """When a chapter comes thrice, is the .py file kept (as `nndl check` and `nndl progress` keep
    it), then the .ipynb, then the nbgrader folder, with a warning for each one ignored?"""
    touch(tmp_path / "ch03_networks.ipynb", "{}")
    first = touch(tmp_path / "ch03_networks.py")
    touch(tmp_path / "ch03_networks" / "ch03_networks.ipynb", "{}")
    files, warnings = submission.find(tmp_path)
    assert files == {"ch03_networks": first}
    assert warnings == ["ignored ch03_networks.ipynb: ch03_networks was already found as ch03_networks.py",
                        "ignored ch03_networks/ch03_networks.ipynb: ch03_networks was already found "
                        "as ch03_networks.py"]
    assert {c: p for c, p in learner.chapter_files(tmp_path).items() if p} == files  # one finder
    (tmp_path / "ch03_networks.py").unlink()
    assert submission.find(tmp_path)[0] == {"ch03_networks": tmp_path / "ch03_networks.ipynb"}


def test_single_chapter_file(tmp_path):
    """Is one chapter file a submission of that chapter alone?"""
    path = touch(tmp_path / "ch02_activations.py")
    assert submission.find(path) == ({"ch02_activations": path}, [])


@pytest.mark.parametrize("name, message", [
    ("missing.py", "no such file or folder"),
    ("homework.py", "homework.py is not a chapter file"),
    ("ch02_activations.txt", "ch02_activations.txt is not a chapter file"),
])
def test_unreadable_input_raises(tmp_path, name, message):
    """Are a missing path and a file that is not a chapter a SubmissionError (bad usage)?"""
    if name != "missing.py":
        touch(tmp_path / name)
    with pytest.raises(SubmissionError, match=message):
        submission.find(tmp_path / name)


def test_chapter_of():
    """Does chapter_of accept exactly <chapter id>.py and <chapter id>.ipynb?"""
    from pathlib import Path

    assert submission.chapter_of(Path("x/ch05_backprop.ipynb")) == "ch05_backprop"
    assert submission.chapter_of(Path("ch05_backprop.py")) == "ch05_backprop"
    assert submission.chapter_of(Path("ch05_backprop.pyc")) is None
    assert submission.chapter_of(Path("ch5_backprop.py")) is None
