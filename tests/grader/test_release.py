"""`nndl release` into a learner's folder never loses their work (issue: "Work lost")."""
import json

from nndl.grader.cli import main
from nndl.grader.content import build

CH = "ch02_activations.py"


def released(tmp_path, capsys, *args):
    assert main(["release", str(tmp_path), *args]) == 0
    return capsys.readouterr().out


def test_a_changed_chapter_file_is_kept_and_the_new_version_put_beside_it(tmp_path, capsys):
    released(tmp_path, capsys)
    mine = (tmp_path / CH).read_text(encoding="utf-8").replace("raise NotImplementedError()", "return x", 1)
    (tmp_path / CH).write_text(mine, encoding="utf-8")
    untouched = (tmp_path / "ch01_perceptron.py").read_text(encoding="utf-8")

    out = released(tmp_path, capsys, "--answers")
    assert (tmp_path / CH).read_text(encoding="utf-8") == mine                  # the learner's work
    assert "### BEGIN" not in (tmp_path / build.NEW_DIR / CH).read_text(encoding="utf-8")
    assert "return np.where" in (tmp_path / build.NEW_DIR / CH).read_text(encoding="utf-8")  # the answers
    assert (tmp_path / "ch01_perceptron.py").read_text(encoding="utf-8") != untouched  # refreshed
    assert f"kept your {CH}" in out and "--force" in out

    released(tmp_path, capsys)                 # again: still kept, still no loss
    assert (tmp_path / CH).read_text(encoding="utf-8") == mine
    released(tmp_path, capsys, "--force")
    assert (tmp_path / CH).read_text(encoding="utf-8") != mine


def test_a_file_that_was_there_before_any_release_is_kept(tmp_path, capsys):
    (tmp_path / CH).write_text("# my own chapter 2\n", encoding="utf-8")
    out = released(tmp_path, capsys, "--format", "ipynb")
    assert (tmp_path / CH).read_text(encoding="utf-8") == "# my own chapter 2\n"
    assert (tmp_path / "ch02_activations.ipynb").is_file() and "kept your" in out
    record = json.loads((tmp_path / build.RECORD).read_text(encoding="utf-8"))
    assert CH not in record and "ch02_activations.ipynb" in record


def test_a_notebook_the_learner_edited_is_kept(tmp_path, capsys):
    released(tmp_path, capsys, "--format", "ipynb")
    notebook = tmp_path / "ch02_activations.ipynb"
    notebook.write_text(notebook.read_text(encoding="utf-8").replace("NotImplementedError", "ValueError"),
                        encoding="utf-8")
    edited = notebook.read_bytes()
    released(tmp_path, capsys, "--format", "ipynb", "--answers")
    assert notebook.read_bytes() == edited
    assert (tmp_path / build.NEW_DIR / "ch02_activations.ipynb").is_file()
