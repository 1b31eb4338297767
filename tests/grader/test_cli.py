"""The `nndl` command: release and grade end to end; bad usage is one line on stderr and exit 2."""
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, check_names
from nndl.grader.content import chapters
from nndl.grader import cli

NNDL = Path(sys.executable).with_name("nndl")


def all_checks():
    return [name for chapter in chapters.available() for name in check_names(chapter)]


def run_nndl(*args, cwd=None):
    """The installed console script, as a user runs it."""
    return subprocess.run([str(NNDL), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=600)


@pytest.fixture(scope="module")
def answers_json(tmp_path_factory):
    """`nndl release X --answers && nndl grade X --json F`, in this process; F's content."""
    folder = tmp_path_factory.mktemp("cli")
    assert cli.main(["release", str(folder / "answers"), "--answers"]) == 0
    assert cli.main(["grade", str(folder / "answers"), "--json", str(folder / "results.json"),
                     "--jobs", "2"]) == 0
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def test_model_answers_get_full_marks(answers_json):
    """Do the model answers get every point of every check of every chapter?"""
    assert answers_json["score"] == answers_json["max_score"] > 0
    assert [t["name"] for t in answers_json["tests"]] == all_checks()
    failed = [t for t in answers_json["tests"] if t["status"] != "passed"]
    assert not failed
    assert all(t["score"] == t["max_score"] > 0 and t["kind"] == "passed" for t in answers_json["tests"])


def test_results_json_follows_the_spec(answers_json):
    """Does the results JSON have Gradescope's fields, and names and visibilities as the spec says?"""
    assert {"score", "max_score", "execution_time", "tests"} <= set(answers_json)
    assert answers_json["execution_time"] > 0
    assert answers_json["score"] == pytest.approx(sum(t["score"] for t in answers_json["tests"]))
    for test in answers_json["tests"]:
        assert {"name", "score", "max_score", "status", "output", "visibility"} <= set(test)
        chapter, _, check = test["name"].partition("/")
        assert chapter in chapters.available() and check
        assert test["visibility"] in ("visible", "hidden", "after_due_date")
    assert {t["visibility"] for t in answers_json["tests"]} == {"visible", "hidden"}


def test_stubs_score_zero_everywhere(tmp_path):
    """Does the student edition, released and graded by the installed `nndl`, get 0 with every check not implemented?"""
    released = run_nndl("release", tmp_path / "stubs")
    assert released.returncode == 0, released.stderr
    assert "wrote the student edition of" in released.stdout
    graded = run_nndl("grade", tmp_path / "stubs", "--json", tmp_path / "stubs.json", "--jobs", "2")
    assert graded.returncode == 0, graded.stderr
    assert "Traceback" not in graded.stderr
    data = json.loads((tmp_path / "stubs.json").read_text(encoding="utf-8"))
    assert data["score"] == 0 and data["max_score"] > 0
    assert [t["name"] for t in data["tests"]] == all_checks()
    assert {(t["kind"], t["score"], t["status"]) for t in data["tests"]} == {("not_implemented", 0, "failed")}
    assert all("still raises NotImplementedError" in t["output"] for t in data["tests"])


# ---------------------------------------------------------------- bad usage
def assert_usage_error(capsys, argv, fragment):
    code = cli.main(argv)
    out, err = capsys.readouterr()
    assert code == 2
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("nndl: error: "), err
    assert fragment in lines[0]
    assert "Traceback" not in out + err


def test_nonexistent_submission(capsys, tmp_path):
    """Is a path that does not exist a usage error, in one line?"""
    assert_usage_error(capsys, ["grade", str(tmp_path / "nowhere")], "no such file or folder")


def test_unknown_chapter(capsys, answers_dir):
    """Is an unknown --chapter a usage error that points to `nndl list`?"""
    assert_usage_error(capsys, ["grade", str(answers_dir), "--chapter", "ch99_magic"],
                       "unknown chapter 'ch99_magic'; see `nndl list`")


def test_chapter_without_checks(capsys, answers_dir, monkeypatch):
    """Is a course chapter that has no checks yet a usage error?"""
    missing = chapters.CHAPTERS[-1]
    monkeypatch.setattr(chapters, "available", lambda: list(chapters.CHAPTERS[:-1]))
    assert_usage_error(capsys, ["grade", str(answers_dir), "--chapter", missing], "has no checks yet")


def test_file_that_is_not_a_chapter(capsys, tmp_path):
    """Is a single file that is not a chapter file a usage error?"""
    path = tmp_path / "homework.py"
    path.write_text("x = 1\n", encoding="utf-8")
    assert_usage_error(capsys, ["grade", str(path)], "homework.py is not a chapter file")


@pytest.mark.parametrize("argv, fragment", [
    ([], "the following arguments are required"),
    (["frobnicate"], "invalid choice"),
    (["grade"], "the following arguments are required: submission"),
    (["grade", ".", "--jobs", "0"], "--jobs must be at least 1"),
    (["grade", ".", "--jobs", "many"], "invalid int value"),
    (["grade", ".", "--json", "/no/such/folder/results.json"], "no folder /no/such/folder"),
])
def test_bad_arguments(capsys, argv, fragment):
    """Are missing, unknown or invalid arguments one line on stderr and exit 2?"""
    assert_usage_error(capsys, argv, fragment)


def test_grading_the_course_itself_is_bad_usage(capsys):
    """Is `nndl grade .` in a clone of the course (source/, solutions/, exercises/) one line that
    points to exercises/, not a batch of 'students' named source and solutions?"""
    assert_usage_error(capsys, ["grade", str(REPO)],
                       f"{REPO} is the course itself (source/ and solutions/), not a submission: "
                       f"grade {REPO / 'exercises'}")


def test_check_without_exercises_folder(capsys, tmp_path, monkeypatch):
    """Does `nndl check` where there is no exercises/ folder say so in one line?"""
    monkeypatch.chdir(tmp_path)
    assert_usage_error(capsys, ["check"], "no exercises/ folder here")


def test_console_script_usage_error(tmp_path):
    """Does the installed `nndl` exit 2 with one line on stderr and no traceback?"""
    result = run_nndl("grade", tmp_path / "nowhere")
    assert result.returncode == 2
    assert result.stderr == f"nndl: error: no such file or folder: {tmp_path / 'nowhere'}\n"


def test_unknown_files_are_ignored_with_a_warning(capsys, tmp_path):
    """Does grading a folder ignore files that are not chapters, warn about each, and exit 0?"""
    folder = tmp_path / "submission"
    folder.mkdir()
    for name in ("notes.txt", "ch99_extra.py", "helper.py"):
        (folder / name).write_text("x = 1\n", encoding="utf-8")
    assert cli.main(["grade", str(folder), "--chapter", "ch01_perceptron",
                     "--json", str(tmp_path / "r.json")]) == 0
    out, err = capsys.readouterr()
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    for name in ("ch99_extra.py", "helper.py", "notes.txt"):
        assert f"ignored {name}: not a chapter file" in data["warnings"]
        assert f"ignored {name}: not a chapter file" in out
    assert [t["name"] for t in data["tests"]] == check_names("ch01_perceptron")
    assert {t["output"] for t in data["tests"]} == {"not submitted"} and data["score"] == 0
    assert err == "warning: hidden checks use the public default seed; set NNDL_HIDDEN_SEED\n"


def test_grade_warns_once_without_a_seed_and_never_shows_it(tmp_path, capsys, monkeypatch, answers_dir):
    """Does `nndl grade` say once that hidden checks use the public seed, and, with a course seed,
    say nothing of it anywhere (terminal, JSON, HTML)?"""
    monkeypatch.delenv("NNDL_HIDDEN_SEED", raising=False)
    path = answers_dir / "ch01_perceptron.py"
    assert cli.main(["grade", str(path)]) == 0
    assert capsys.readouterr().err.count("public default seed") == 1
    assert cli.main(["grade", str(path), "--visible-only"]) == 0
    assert capsys.readouterr().err == ""  # no hidden check, nothing to warn of
    monkeypatch.setenv("NNDL_HIDDEN_SEED", "987654321")
    assert cli.main(["grade", str(path), "--json", str(tmp_path / "r.json"), "--html", str(tmp_path / "r.html")]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    for text in (out, (tmp_path / "r.json").read_text(encoding="utf-8"), (tmp_path / "r.html").read_text(encoding="utf-8")):
        assert "987654321" not in text


# ------------------------------------------------------------- other commands
def test_list_json_matches_the_suites(capsys):
    """Does `nndl list --json` list every check with its points and visibility?"""
    assert cli.main(["list", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [row["chapter"] for row in rows] == chapters.available()
    assert [c["name"] for row in rows for c in row["checks"]] == all_checks()
    for row in rows:
        for listed, check in zip(row["checks"], chapters.checks(row["chapter"])):
            assert (listed["points"], listed["visibility"], listed["function"]) == \
                (check.points, check.visibility, check.function)


def test_check_runs_only_visible_checks(capsys, tmp_path, answers_dir, monkeypatch):
    """Does `nndl check CHAPTER` grade ./exercises on the visible checks only?"""
    shutil.copytree(answers_dir, tmp_path / "exercises")
    monkeypatch.chdir(tmp_path)
    assert cli.main(["check", "ch01_perceptron"]) == 0
    out = capsys.readouterr().out
    visible = [c for c in chapters.checks("ch01_perceptron") if c.visibility == "visible"]
    assert f"{len(visible)}/{len(visible)} passed" in out
    assert "hidden" not in out.split("Total")[0]


def piped_into_head(command, cwd):
    """`command | head -1` in a shell: (command's exit status, its stderr)."""
    nndl = Path(sys.executable).parent / "nndl"
    done = subprocess.run(["bash", "-c", f"set -o pipefail; {nndl} {command} 2>err.txt | head -1 >/dev/null; "
                                          "echo $? > status.txt"], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return int((cwd / "status.txt").read_text()), (cwd / "err.txt").read_text()


def test_a_closed_pipe_ends_quietly(tmp_path):
    status, err = piped_into_head("list", tmp_path)
    assert status == 0 and "Traceback" not in err and "BrokenPipe" not in err


def test_report_files_are_written_before_the_table(tmp_path, answers_dir):
    shutil.copy(answers_dir / "ch01_perceptron.py", tmp_path)
    status, err = piped_into_head(f"grade {tmp_path / 'ch01_perceptron.py'} --html {tmp_path / 'r.html'} "
                                  f"--json {tmp_path / 'r.json'}", tmp_path)
    assert status == 0 and "Traceback" not in err
    assert json.loads((tmp_path / "r.json").read_text())["score"] > 0
    assert "<html" in (tmp_path / "r.html").read_text(encoding="utf-8")


def test_an_empty_or_one_chapter_submission_gets_a_short_report(tmp_path, answers_dir):
    (tmp_path / "empty").mkdir()
    done = run_nndl("grade", str(tmp_path / "empty"))
    code, out = done.returncode, done.stdout
    assert code == 0 and "no chapter files found" in out and len(out.splitlines()) < 20
    (tmp_path / "one").mkdir()
    shutil.copy(answers_dir / "ch01_perceptron.py", tmp_path / "one")
    done = run_nndl("grade", str(tmp_path / "one"))
    code, out = done.returncode, done.stdout
    assert code == 0 and "14 chapter(s)" in out and "ch15_recursive" in out
    assert len(out.splitlines()) < 25 and "no chapter files found" not in out


def test_a_notebook_that_is_not_json_is_one_line_without_host_paths(tmp_path):
    (tmp_path / "ch02_activations.ipynb").write_text('{"cells": [\n', encoding="utf-8")
    done = run_nndl("grade", str(tmp_path), "--chapter", "ch02_activations", "--json", str(tmp_path / "r.json"))
    code, out = done.returncode, done.stdout
    assert code == 0 and out.count("is not a valid notebook") == 1 and "all 27 checks" in out
    results = json.loads((tmp_path / "r.json").read_text())["tests"]
    assert all("ch02_activations.ipynb is not a valid notebook: Expecting value (line 2, column 1)" in r["output"]
               for r in results)
    assert not any("decoder.py" in r["output"] or "site-packages" in r["output"] or "/lib/" in r["output"]
                   for r in results)
