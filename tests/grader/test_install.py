"""A regular install, as an instructor outside the repository would have it: `pip install .`
(not editable) and the Gradescope bundle's wheel, each in a fresh venv.

Each venv gets nndl alone, without an index; its third-party dependencies come from the
course's venv through a path file (which runs none of the .pth files there, so the
course's editable nndl stays invisible).
"""
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import fresh_venv
from nndl.grader.content import chapters

from nndl.grader.integrations import gradescope

REPO = chapters.ROOT
CH02 = "ch02_activations"


def run(bin_dir, *args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, timeout=900,
                          env={**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def install(bin_dir, target, cwd):
    run(bin_dir, bin_dir / "python", "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", target, cwd=cwd)
    where = run(bin_dir, bin_dir / "python", "-c", "import nndl.grader.content.chapters as c; print(c.__file__); "
                "print(c.SOURCE_DIR)", cwd=cwd).stdout.split()
    assert all(str(bin_dir.parent) in w for w in where), where  # the venv's own copy, texts included


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The repository's tracked files, copied as a fresh clone has them."""
    target = tmp_path_factory.mktemp("clone")
    files = subprocess.check_output(["git", "ls-files", "-z"], cwd=REPO, text=True).split("\0")
    for name in filter(None, files):
        source = REPO / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(source.read_bytes())
    return target


def test_a_regular_install_grades_outside_the_repository(clone, tmp_path):
    """`pip install .` (not editable), then from another folder: `nndl release DIR --answers` and
    `nndl grade DIR` give full marks on every chapter."""
    # pip builds the clone's wheel with the course venv's setuptools (the fresh venv's own is
    # older than pyproject.toml asks for, and no index is reachable), then installs it.
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-index",
                           "--no-build-isolation", "-w", tmp_path / "dist", clone], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    bin_dir = fresh_venv(tmp_path / "venv")
    install(bin_dir, next((tmp_path / "dist").glob("nndl-*.whl")), cwd=tmp_path)
    listed = json.loads(run(bin_dir, bin_dir / "nndl", "list", "--json", cwd=tmp_path).stdout)
    assert [c["chapter"] for c in listed] == list(chapters.CHAPTERS)
    run(bin_dir, bin_dir / "nndl", "release", tmp_path / "answers", "--answers", cwd=tmp_path)
    assert len(list((tmp_path / "answers").glob("ch*.py"))) == len(chapters.CHAPTERS)
    run(bin_dir, bin_dir / "nndl", "grade", tmp_path / "answers", "--jobs", "2", "--json", tmp_path / "r.json",
        cwd=tmp_path)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    total = sum(k.points for c in chapters.available() for k in chapters.checks(c))
    assert report["score"] == total, [t["output"] for t in report["tests"] if t["status"] != "passed"][:3]

    # The install put the references inside site-packages, where the submission's Python looks:
    # a chapter file that finds them fails to load; one that does not, gets full marks.
    site = Path(run(bin_dir, bin_dir / "python", "-c", "import nndl, pathlib; "
                    "print(pathlib.Path(nndl.__file__).parent.parent)", cwd=tmp_path).stdout.strip())
    secrets = [site / "nndl" / "solutions" / f"{CH02}.py", site / "nndl" / "grader" / "suites" / f"{CH02}.py"]
    assert all(p.is_file() for p in secrets)
    spy = tmp_path / "spy" / f"{CH02}.py"
    spy.parent.mkdir()
    spy.write_text(SPY.format(paths=[str(p) for p in secrets]) + (tmp_path / "answers" / f"{CH02}.py").read_text(),
                   encoding="utf-8")
    run(bin_dir, bin_dir / "nndl", "grade", spy, "--json", tmp_path / "spy.json", cwd=tmp_path)
    spied = json.loads((tmp_path / "spy.json").read_text(encoding="utf-8"))
    assert "SAW THE COURSE" not in json.dumps(spied)
    assert spied["score"] == sum(k.points for k in chapters.checks(CH02))


SPY = """import importlib.util as _util, os as _os
if any(_os.path.exists(_p) for _p in {paths}) or _util.find_spec("nndl.solutions") is not None:
    raise RuntimeError("SAW THE COURSE")
"""


def test_the_gradescope_wheel_installs_and_grades(tmp_path):
    """Does the bundle's wheel install on its own and grade a chapter fully?"""
    gradescope.build_bundle(tmp_path / "autograder.zip", public_seed=True)
    with zipfile.ZipFile(tmp_path / "autograder.zip") as archive:
        archive.extractall(tmp_path / "source")
    wheel = next((tmp_path / "source").glob("*.whl"))
    bin_dir = fresh_venv(tmp_path / "venv")
    install(bin_dir, wheel, cwd=tmp_path)
    run(bin_dir, bin_dir / "nndl", "release", tmp_path / "answers", "--answers", cwd=tmp_path)
    run(bin_dir, bin_dir / "nndl", "grade", tmp_path / "answers" / f"{CH02}.py", "--json", tmp_path / "r.json",
        cwd=tmp_path)
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["score"] == sum(k.points for k in chapters.checks(CH02)) > 0
