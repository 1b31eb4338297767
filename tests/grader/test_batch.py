"""Batch grading: a folder of student folders, graded side by side, one bad submission never stops it."""
import csv
import json
import re
import shutil
from pathlib import Path

import pytest

from conftest import CH02, FAST, check_names, replace_functions
from nndl.grader.grading import batch
from nndl.grader import cli

CH01 = "ch01_perceptron"


@pytest.fixture(scope="module")
def klass(answers_dir, stubs_dir, tmp_path_factory):
    """Four students: model answers, stubs, a syntax error, and only chapter 1 submitted."""
    root = tmp_path_factory.mktemp("class")
    for student, source in (("alice", answers_dir), ("bob", stubs_dir)):
        (root / student).mkdir()
        for chapter in (CH01, CH02):
            shutil.copy(source / f"{chapter}.py", root / student)
    (root / "carol").mkdir()
    (root / "carol" / f"{CH02}.py").write_text("def sigmoid(z:\n", encoding="utf-8")
    (root / "dave").mkdir()
    shutil.copy(answers_dir / f"{CH01}.py", root / "dave")
    return root


@pytest.fixture(scope="module")
def graded(klass, tmp_path_factory):
    """`nndl grade CLASS --out RESULTS --jobs 2` on chapters 1 and 2; the results folder."""
    out = tmp_path_factory.mktemp("results")
    assert cli.main(["grade", str(klass), "--out", str(out), "--jobs", "2",
                     "--chapter", CH01, "--chapter", CH02]) == 0
    return out


def test_a_class_folder_is_a_batch_and_a_submission_is_not(klass, answers_dir):
    """Is a folder of student folders told apart from one student's folder?"""
    assert list(batch.students(klass)) == ["alice", "bob", "carol", "dave"]
    assert batch.students(klass / "alice") is None
    assert batch.students(answers_dir) is None
    assert batch.students(answers_dir / f"{CH02}.py") is None


def test_nbgrader_submitted_tree_is_a_batch(tmp_path):
    """Is nbgrader's submitted/<student>/<chapter>/<chapter>.ipynb found from the course folder?"""
    for student in ("erin", "frank"):
        folder = tmp_path / "submitted" / student / CH02
        folder.mkdir(parents=True)
        (folder / f"{CH02}.ipynb").write_text("{}", encoding="utf-8")
    (tmp_path / "source").mkdir()
    found = batch.students(tmp_path)
    assert list(found) == ["erin", "frank"]
    assert found["erin"] == tmp_path / "submitted" / "erin"
    assert list(batch.students(tmp_path / "submitted")) == ["erin", "frank"]
    assert batch.students(tmp_path / "submitted" / "erin") is None


def test_one_results_json_per_student(graded):
    """Does every student get a results JSON with every check, scored as their files deserve?"""
    names = check_names(CH01) + check_names(CH02)
    results = load_results(graded)
    assert list(results) == ["alice", "bob", "carol", "dave"]
    for data in results.values():
        assert [t["name"] for t in data["tests"]] == names
    assert results["alice"]["score"] == results["alice"]["max_score"] > 0
    assert results["bob"]["score"] == 0
    assert {t["kind"] for t in results["bob"]["tests"]} == {"not_implemented"}
    carol = {t["name"].split("/")[0]: t["kind"] for t in results["carol"]["tests"]}
    assert carol == {CH01: "not_submitted", CH02: "syntax"}
    dave = results["dave"]["tests"]
    assert all(t["status"] == "passed" for t in dave if t["name"].startswith(CH01))
    assert all(t["kind"] == "not_submitted" for t in dave if t["name"].startswith(CH02))


def test_grades_csv(graded):
    """Does grades.csv list each student's chapter scores and total?"""
    data = load_results(graded)
    with open(graded / "grades.csv", newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["student", CH01, CH02, "total", "max_score"]
    by_student = {row[0]: row[1:] for row in rows[1:]}
    assert list(by_student) == ["alice", "bob", "carol", "dave"]
    ch01 = sum(t["max_score"] for t in data["alice"]["tests"] if t["name"].startswith(CH01))
    total = data["alice"]["max_score"]
    assert by_student["alice"] == [f"{ch01:g}", f"{total - ch01:g}", f"{total:g}", f"{total:g}"]
    assert by_student["bob"] == ["0", "0", "0", f"{total:g}"]
    assert by_student["dave"] == [f"{ch01:g}", "0", f"{ch01:g}", f"{total:g}"]


def test_an_ungradable_submission_scores_zero_with_the_reason(tmp_path):
    """When a whole submission cannot be read, does the student get zero and a reason, not a crash?"""
    graded = batch.grade_one("ghost", tmp_path / "gone", FAST, [CH02], ("visible", "hidden"))
    assert graded.report.score == 0 and graded.report.max_score > 0
    assert [r.name for r in graded.report.results] == check_names(CH02)
    assert all("could not be graded" in r.output and "no such file" in r.output
               for r in graded.report.results)


def test_batch_usage_errors(klass, tmp_path, capsys):
    """Is a batch without --out, or with --json, bad usage (exit 2, one line)?"""
    assert cli.main(["grade", str(klass)]) == 2
    assert "--out RESULTS_DIR" in capsys.readouterr().err
    assert cli.main(["grade", str(klass), "--json", str(tmp_path / "r.json")]) == 2
    assert "instead of --json" in capsys.readouterr().err
    assert cli.main(["grade", str(klass / "alice"), "--out", str(tmp_path)]) == 2
    assert "--out is for a batch" in capsys.readouterr().err


def test_nbgrader_submitted_notebooks_are_graded(answers_dir, stubs_dir, tmp_path):
    """Is nbgrader's submitted/<student>/<chapter>/<chapter>.ipynb tree graded as a batch?"""
    import jupytext

    for student, source in (("erin", answers_dir), ("frank", stubs_dir)):
        folder = tmp_path / "course" / "submitted" / student / CH02
        folder.mkdir(parents=True)
        notebook = jupytext.read(source / f"{CH02}.py")
        jupytext.write(notebook, folder / f"{CH02}.ipynb")
    out = tmp_path / "results"
    assert cli.main(["grade", str(tmp_path / "course"), "--out", str(out), "--chapter", CH02]) == 0
    results = load_results(out)
    assert results["erin"]["score"] == results["erin"]["max_score"] > 0
    assert results["frank"]["score"] == 0
    assert {t["kind"] for t in results["frank"]["tests"]} == {"not_implemented"}


def load_results(out_dir):
    """{student: results JSON} of a results folder, read as an outside script would."""
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(Path(out_dir).glob("*.json"))}


def test_progress_bar_counts_students_with_an_eta(klass, tmp_path):
    """Does the batch's progress bar count the students graded out of all, with elapsed time,
    an ETA and the last student's score?"""
    import io

    from rich.console import Console

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=150, color_system=None)
    done = batch.run_with_progress(batch.students(klass), FAST, tmp_path / "out", [CH01, CH02],
                                   jobs=2, console=console).done
    assert [g.student for g in done] == ["alice", "bob", "carol", "dave"]
    final = screen.getvalue().replace("\r", "\n").splitlines()
    last = [line for line in final if "grading" in line][-1]
    assert "4/4" in last and "ETA" in last and re.search(r"\b\d+:\d\d:\d\d\b", last), last  # elapsed h:mm:ss
    assert any(f"{g.student}: {g.report.score:g}/{g.report.max_score:g}" in line
               for g in done for line in final)


def test_a_regrade_shows_exactly_what_changed(answers_dir, stubs_dir, tmp_path, monkeypatch, capsys):
    """After one check's tolerance changes, does `--compare OLD` name exactly the students and the
    checks whose result changed (and, with nothing changed, say so)?"""
    import dataclasses
    import importlib

    klass = tmp_path / "class"
    for student, source in (("alice", answers_dir), ("erin", answers_dir), ("frank", stubs_dir)):
        (klass / student).mkdir(parents=True)
        shutil.copy(source / f"{CH02}.py", klass / student)
    erin = klass / "erin" / f"{CH02}.py"  # sigmoid 1e-4 off: wrong at rtol 1e-6, right at 1e-3
    erin.write_text(replace_functions(erin.read_text(encoding="utf-8"), "def sigmoid(x):\n"
                                      "    return 0.5 * (1 + np.tanh(np.asarray(x, dtype=float) / 2)) * (1 + 1e-4)\n"),
                    encoding="utf-8")
    grade = ["grade", str(klass), "--chapter", CH02]
    assert cli.main(grade + ["--out", str(tmp_path / "old")]) == 0
    assert cli.main(grade + ["--out", str(tmp_path / "same"), "--compare", str(tmp_path / "old")]) == 0
    assert "no student's result changed (3 compared)" in capsys.readouterr().out
    assert json.loads((tmp_path / "same" / "regrade.json").read_text()) == []

    suite = importlib.import_module(f"nndl.grader.suites.{CH02}")
    loosened = [dataclasses.replace(c, rtol=1e-3) if c.function == "sigmoid" else c for c in suite.CHECKS]
    monkeypatch.setattr(suite, "CHECKS", loosened)
    assert cli.main(grade + ["--out", str(tmp_path / "new"), "--compare", str(tmp_path / "old")]) == 0
    out = capsys.readouterr().out
    rows = json.loads((tmp_path / "new" / "regrade.json").read_text())
    sigmoid = sorted(f"{CH02}/{c.id}" for c in loosened if c.function == "sigmoid")
    points = sum(c.points for c in loosened if c.function == "sigmoid")
    assert [r["student"] for r in rows] == ["erin"]
    assert [c["name"] for c in rows[0]["checks"]] == sigmoid
    assert rows[0]["change"] == points and all(c["old"] == 0 and c["new"] > 0 for c in rows[0]["checks"])
    assert "regrade: 1 of 3 students' results changed" in out and "erin:" in out
    with open(tmp_path / "new" / "regrade.csv", newline="") as handle:
        assert [row["check"] for row in csv.DictReader(handle)] == sigmoid


def test_compare_needs_earlier_results(klass, tmp_path, capsys):
    """Is --compare without earlier results, or without a batch, a one-line usage error?"""
    (tmp_path / "empty").mkdir()
    assert cli.main(["grade", str(klass), "--out", str(tmp_path / "new"), "--compare",
                     str(tmp_path / "empty")]) == 2
    assert "no results of an earlier `nndl grade --out` there" in capsys.readouterr().err
    assert cli.main(["grade", str(klass / "alice"), "--compare", str(tmp_path / "empty")]) == 2
    assert "--compare is for a batch regrade" in capsys.readouterr().err
