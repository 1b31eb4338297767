"""The pytest plugin: `pytest exercises/` runs a chapter's visible checks, as a learner would."""
import subprocess
import sys

import pytest

from nndl.grader.content import chapters

CH01 = "ch01_perceptron"
VISIBLE_CH01 = ["step", "perceptron_predict", "perceptron_train", "perceptron_converges"]


def run_pytest(cwd, *args):
    """pytest in a learner's folder (no project configuration there); (exit code, output)."""
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
                          cwd=cwd, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def learner(tmp_path, answers_dir):
    """A learner's folder with exercises/ch01_perceptron.py whose perceptron_converges() is negated."""
    folder = tmp_path / "exercises"
    folder.mkdir()
    text = (answers_dir / f"{CH01}.py").read_text(encoding="utf-8")
    wrong = text.replace("return bool(np.all(perceptron_predict(X, w, b) == np.asarray(y)))", "return not bool(np.all(perceptron_predict(X, w, b) == np.asarray(y)))")
    assert wrong != text
    # Were pytest to import the file, this line would leave a marker in the learner's folder.
    wrong += "\nopen('IMPORTED', 'w').close()\n"
    (folder / f"{CH01}.py").write_text(wrong, encoding="utf-8")
    return tmp_path


def test_a_folder_runs_each_visible_check(learner):
    """Does `pytest exercises/` pass the right checks and fail the wrong one with its message?"""
    code, out = run_pytest(learner, "exercises/", "-v")
    assert code == 1
    assert f"exercises/{CH01}.py::perceptron_converges FAILED" in out
    for name in VISIBLE_CH01[:-1]:
        assert f"exercises/{CH01}.py::{name} PASSED" in out
    assert f"{CH01}/perceptron_converges (0/1 points)" in out and "wrong answer" in out
    assert "1 failed, 3 passed" in out
    assert not (learner / "IMPORTED").exists()      # graded in the sandbox, never imported


def test_a_named_stub_file_fails_as_not_implemented(tmp_path, stubs_dir):
    """Does `pytest exercises/ch01_perceptron.py` on the stubs say 'not implemented' per check?"""
    (tmp_path / "exercises").mkdir()
    (tmp_path / "exercises" / f"{CH01}.py").write_bytes((stubs_dir / f"{CH01}.py").read_bytes())
    code, out = run_pytest(tmp_path, f"exercises/{CH01}.py")
    assert code == 1 and "4 failed" in out
    for name in VISIBLE_CH01:
        assert f"not implemented — {name}() still raises NotImplementedError" in out


def test_project_tests_do_not_collect_chapter_files():
    """Does the project's own pytest run leave the exercises/ stubs alone (testpaths = tests)?"""
    code, out = run_pytest(chapters.ROOT, "--collect-only", "-q")
    assert code == 0
    assert "exercises/" not in out and "test_pytest_plugin.py" in out
