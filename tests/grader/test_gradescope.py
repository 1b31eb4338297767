"""Gradescope: the bundle's run_autograder, run against a simulated /autograder tree."""
import json
import os
import shutil
import subprocess
import sys
import time
import zipfile

import pytest

from conftest import CH02, check_names
from nndl.grader.content import chapters
from nndl.grader import cli
from nndl.grader.integrations import gradescope

CH01 = "ch01_perceptron"
STATUSES = ("passed", "failed")
VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


def schema_errors(data):
    """What keeps `data` from being a valid Gradescope results.json (a small JSON-schema check)."""
    errors = []

    def need(where, obj, key, kinds, allowed=None):
        if key not in obj:
            errors.append(f"{where}: no {key!r}")
        elif not isinstance(obj[key], kinds) or isinstance(obj[key], bool):
            errors.append(f"{where}.{key}: {type(obj[key]).__name__}")
        elif allowed and obj[key] not in allowed:
            errors.append(f"{where}.{key}: {obj[key]!r} not one of {allowed}")

    need("top", data, "score", (int, float))
    need("top", data, "execution_time", (int, float))
    need("top", data, "output", str)
    need("top", data, "visibility", str, VISIBILITIES)
    need("top", data, "tests", list)
    for number, test in enumerate(data.get("tests", [])):
        where = f"tests[{number}]"
        if not isinstance(test, dict):
            errors.append(f"{where}: not an object")
            continue
        for key in ("score", "max_score"):
            need(where, test, key, (int, float))
        for key in ("name", "output"):
            need(where, test, key, str)
        need(where, test, "visibility", str, VISIBILITIES)
        need(where, test, "status", str, STATUSES)
    if not errors and abs(data["score"] - sum(t["score"] for t in data["tests"])) > 1e-9:
        errors.append("top.score is not the sum of the tests' scores")
    return errors


def test_schema_check_catches_bad_results():
    """Does the schema check itself reject what Gradescope would?"""
    good = {"score": 1.0, "execution_time": 2, "output": "", "visibility": "visible",
            "tests": [{"name": "a", "score": 1.0, "max_score": 1.0, "output": "",
                       "visibility": "visible", "status": "passed"}]}
    assert schema_errors(good) == []
    bad = json.loads(json.dumps(good))
    bad["tests"][0].update(status="ok", visibility="secret")
    del bad["execution_time"]
    assert len(schema_errors(bad)) == 3


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    """`nndl gradescope OUT.zip`, unzipped where Gradescope puts it: ROOT/source."""
    root = tmp_path_factory.mktemp("autograder")
    assert cli.main(["gradescope", str(root / "autograder.zip"), "--public-seed"]) == 0
    with zipfile.ZipFile(root / "autograder.zip") as archive:
        archive.extractall(root / "source")
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert modes["run_autograder"] & 0o111 and modes["setup.sh"] & 0o111
    for name in ("run_autograder", "setup.sh"):
        os.chmod(root / "source" / name, 0o755)   # extractall drops the modes
    return root


def test_bundle_carries_a_wheel_of_the_grader(bundle):
    """Does setup.sh install the wheel inside the bundle (no checkout, nothing editable), and does
    the wheel hold every chapter's text, suite and references, and the kit's data?"""
    wheels = list((bundle / "source").glob("nndl-*-py3-none-any.whl"))
    assert len(wheels) == 1
    setup = (bundle / "source" / "setup.sh").read_text()
    assert f"pip install --quiet /autograder/source/{wheels[0].name}" in setup
    assert " -e " not in setup and "nndl_src" not in setup
    with zipfile.ZipFile(wheels[0]) as archive:
        names = set(archive.namelist())
    for chapter in chapters.available():
        for folder in ("nndl/grader/source", "nndl/grader/suites", "nndl/solutions"):
            assert f"{folder}/{chapter}.py" in names, (folder, chapter)
        assert f"nndl/compiled/{chapter}.npz" in names and f"nndl/locale/zh/{chapter}.json" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]
    assert "nndl-0.1.0.dist-info/entry_points.txt" in names


def run_autograder(root, submission_files):
    """Start ROOT/source/run_autograder on a fresh ROOT/submission; the process."""
    shutil.rmtree(root / "submission", ignore_errors=True)
    shutil.rmtree(root / "results", ignore_errors=True)
    (root / "submission").mkdir()
    for path in submission_files:
        shutil.copy(path, root / "submission")
    env = dict(os.environ, NNDL_AUTOGRADER_ROOT=str(root), NNDL_PYTHON=sys.executable)
    return subprocess.Popen([str(root / "source" / "run_autograder")], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_run_autograder_writes_gradescope_results(bundle, answers_dir, stubs_dir):
    """Does run_autograder grade ROOT/submission into a schema-valid ROOT/results/results.json?"""
    process = run_autograder(bundle, [answers_dir / f"{CH02}.py", stubs_dir / f"{CH01}.py"])
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output
    data = json.loads((bundle / "results" / "results.json").read_text(encoding="utf-8"))
    assert schema_errors(data) == []
    tests = {t["name"]: t for t in data["tests"]}
    assert list(tests) == [n for c in chapters.available() for n in check_names(c)]
    assert all(tests[n]["status"] == "passed" for n in check_names(CH02))
    assert all("not implemented" in tests[n]["output"] for n in check_names(CH01))
    assert tests[check_names("ch03_networks")[0]]["output"] == "not submitted"
    assert data["score"] == sum(tests[n]["max_score"] for n in check_names(CH02)) > 0
    assert f"Chapters found: {CH01}, {CH02}." in data["output"]


def test_a_global_time_out_leaves_partial_results(bundle, answers_dir, ch02_with):
    """Killed in the middle of a chapter (Gradescope's time-out), does results.json keep every
    check graded so far? Chapter 2's softmax hangs, so the kill comes while it is being checked."""
    ch02 = ch02_with("hang_softmax")
    process = run_autograder(bundle, [answers_dir / f"{CH01}.py", ch02])
    names = check_names(CH02)
    before = names[:names.index(f"{CH02}/softmax")]
    results, seen, deadline = bundle / "results" / "results.json", [], time.monotonic() + 300
    try:
        while process.poll() is None and time.monotonic() < deadline:
            if results.exists():
                data = json.loads(results.read_text(encoding="utf-8"))  # atomic: always whole
                status = {t["name"]: t["status"] for t in data["tests"]}
                seen.append(({status[n] for n in check_names(CH01)}, [status[n] for n in names]))
                if seen[-1][1][:len(before)] == ["passed"] * len(before):
                    process.kill()  # the time-out strikes while softmax hangs
                    break
            time.sleep(0.02)
    finally:
        process.kill()
        process.communicate()
    assert ({"failed"}, ["failed"] * len(names)) in seen   # everything pending before grading
    assert seen[-1][0] == {"passed"}
    data = json.loads(results.read_text(encoding="utf-8"))
    assert schema_errors(data) == []
    tests = {t["name"]: t for t in data["tests"]}
    assert [tests[n]["status"] for n in before] == ["passed"] * len(before)
    pending = names[len(before):]
    assert all(tests[n]["output"].startswith("not graded yet") for n in pending)
    assert data["score"] == sum(k.points for k in chapters.checks(CH01)) + \
        sum(tests[n]["max_score"] for n in before)
    assert f"Graded up to {before[-1]}." in data["output"]


def test_bundle_keeps_the_hidden_seed(tmp_path, monkeypatch):
    """Does the instructor's NNDL_HIDDEN_SEED travel in the bundle, not in the students' view?"""
    monkeypatch.setenv("NNDL_HIDDEN_SEED", "4242")
    gradescope.build_bundle(tmp_path / "a.zip")
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        assert json.loads(archive.read(gradescope.SETTINGS)) == {"hidden_seed": 4242}
    monkeypatch.delenv("NNDL_HIDDEN_SEED")
    with pytest.raises(gradescope.NoSeed):   # fails closed: no bundle on the public seed by accident
        gradescope.build_bundle(tmp_path / "b.zip")
    gradescope.build_bundle(tmp_path / "b.zip", public_seed=True)
    with zipfile.ZipFile(tmp_path / "b.zip") as archive:
        assert json.loads(archive.read(gradescope.SETTINGS)) == {}


def test_the_bundle_command_refuses_without_a_seed(tmp_path, capsys, monkeypatch):
    """Does `nndl gradescope` without NNDL_HIDDEN_SEED stop with one line, and write nothing?"""
    monkeypatch.delenv("NNDL_HIDDEN_SEED", raising=False)
    assert cli.main(["gradescope", str(tmp_path / "a.zip")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "NNDL_HIDDEN_SEED" in err and "--public-seed" in err
    assert not (tmp_path / "a.zip").exists()


def test_a_one_chapter_bundle_after_the_due_date(tmp_path, monkeypatch, answers_dir):
    """`--chapter ch02_activations --hidden-visibility after_due_date`: are only that chapter's checks
    graded, are the hidden ones shown after the due date, and is the seed in no result?"""
    monkeypatch.setenv("NNDL_HIDDEN_SEED", "987654321")
    root = tmp_path / "autograder"
    assert cli.main(["gradescope", str(tmp_path / "a.zip"), "--chapter", CH02,
                     "--hidden-visibility", "after_due_date"]) == 0
    with zipfile.ZipFile(tmp_path / "a.zip") as archive:
        archive.extractall(root / "source")
    monkeypatch.delenv("NNDL_HIDDEN_SEED")  # the bundle carries it
    (root / "submission").mkdir()
    shutil.copy(answers_dir / f"{CH02}.py", root / "submission")
    assert gradescope.main_root(root) == 0
    text = (root / "results" / "results.json").read_text(encoding="utf-8")
    data = json.loads(text)
    assert schema_errors(data) == [] and "987654321" not in text
    assert [t["name"] for t in data["tests"]] == check_names(CH02)
    assert {t["visibility"] for t in data["tests"]} == {"visible", "after_due_date"}
    assert data["score"] == sum(k.points for k in chapters.checks(CH02))
