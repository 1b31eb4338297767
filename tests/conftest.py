"""Shared fixtures: the model answers and stubs, released once, and hostile chapter files.

Grading is the slow part (TensorFlow in the grader, a sandboxed worker per
chapter), so the releases are session-scoped and most hostile cases are small
edits of the chapter 2 model answers: one function replaced by a snippet from
``tests/grader/files/ch02/``, graded with ``selected=["ch02_activations"]``.
"""
import os
import re
import subprocess
import sysconfig
import tempfile
import venv
from pathlib import Path

import pytest

from nndl.grader.content import build, chapters

from nndl.grader.grading import harness
from nndl.grader.config import GraderConfig, Limits

TESTS = Path(__file__).resolve().parent
FILES = TESTS / "grader" / "files"
REPO = chapters.ROOT
CH02 = "ch02_activations"

# The reference oracle's disk cache starts empty for every test run (and never touches the
# user's own cache); processes the tests start inherit it.
os.environ["NNDL_CACHE_DIR"] = tempfile.mkdtemp(prefix="nndl-test-cache-")

# Short limits for hostile files: a hang costs 2 s per call instead of 10.
FAST = GraderConfig(limits=Limits(call_timeout=2, load_timeout=30))


@pytest.fixture(scope="session")
def answers_dir(tmp_path_factory):
    """The model answers of every chapter (`nndl release --answers`)."""
    outdir = tmp_path_factory.mktemp("answers")
    build.release(outdir, answers=True)
    return outdir


@pytest.fixture(scope="session")
def stubs_dir(tmp_path_factory):
    """The student edition of every chapter (`nndl release`)."""
    outdir = tmp_path_factory.mktemp("stubs")
    build.release(outdir)
    return outdir


@pytest.fixture(scope="session")
def ch02_answers(answers_dir):
    return (answers_dir / f"{CH02}.py").read_text(encoding="utf-8")


def replace_functions(text, snippet):
    """text with each top-level function that snippet defines replaced by the snippet.

    The whole snippet (imports and helpers included) takes the place of the
    first function it replaces; the other replaced functions are removed.
    The snippet need not parse: a syntax error is a fixture like any other.
    """
    lines = text.splitlines(keepends=True)
    names = [name for name in re.findall(r"^def (\w+)\(", snippet, flags=re.MULTILINE)
             if any(line.startswith(f"def {name}(") for line in lines)]
    assert names, "a snippet must replace at least one function of the model answers"
    spans = [_function_span(lines, name) for name in names]
    first = min(start for start, _ in spans)
    out = []
    for number, line in enumerate(lines):
        if number == first:
            out.append(snippet.rstrip("\n") + "\n")
        if not any(start <= number < end for start, end in spans):
            out.append(line)
    return "".join(out)


def _function_span(lines, name):
    """[start, end) line indices of the top-level `def name(`, without trailing blank lines."""
    starts = [i for i, line in enumerate(lines) if line.startswith(f"def {name}(")]
    assert len(starts) == 1, f"def {name} found {len(starts)} times in the model answers"
    end = starts[0] + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t"):
        end += 1
    while not lines[end - 1].strip():
        end -= 1
    return starts[0], end


@pytest.fixture
def ch02_with(ch02_answers, tmp_path):
    """Write the chapter 2 model answers with functions replaced by a fixture snippet.

    ch02_with("hang_step") reads tests/grader/files/ch02/hang_step.py; any
    @NAME@ in it is replaced by the keyword argument NAME.
    """
    def make(fixture, **substitutions):
        snippet = (FILES / "ch02" / f"{fixture}.py").read_text(encoding="utf-8")
        for key, value in substitutions.items():
            snippet = snippet.replace(f"@{key}@", str(value))
        assert not re.search(r"@[A-Z_]+@", snippet), f"unfilled placeholder in {fixture}.py"
        folder = tmp_path / fixture
        folder.mkdir()
        path = folder / f"{CH02}.py"
        path.write_text(replace_functions(ch02_answers, snippet), encoding="utf-8")
        return path
    return make


def grade_ch02(path, config=FAST):
    """Grade one chapter 2 file."""
    return harness.grade(path, config, selected=[CH02])


def check_names(chapter):
    return [f"{chapter}/{c.id}" for c in chapters.checks(chapter)]


def assert_only_lost(report, chapter, lost, kind):
    """The checks in `lost` (function names or check ids) failed with `kind` and 0 points;
    every other check of the chapter passed with full points. Returns the results by check id."""
    checks = chapters.checks(chapter)
    lost = [c for c in checks if c.function in lost or c.id in lost]
    assert lost, f"nothing to lose in {chapter}"
    assert [r.name for r in report.results] == check_names(chapter)
    for check, result in zip(checks, report.results):
        if check in lost:
            assert (result.status, result.kind, result.score) == ("failed", kind, 0.0), result
        else:
            assert (result.status, result.score) == ("passed", check.points), result
    assert report.score == pytest.approx(report.max_score - sum(c.points for c in lost))
    return {r.name.split("/", 1)[1]: r for r in report.results}


def fresh_venv(folder):
    """A new venv (its bin folder) that sees the course's third-party packages, not the course.

    Its dependencies come from the course's venv through a path file, which adds their folder
    to sys.path but runs none of the .pth files there: the course's editable nndl stays
    invisible, and whatever is installed into the new venv is all of nndl it has.
    """
    venv.create(folder, with_pip=True)
    bin_dir = Path(folder) / "bin"
    site = Path(subprocess.check_output([bin_dir / "python", "-c",
                                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        text=True).strip())
    (site / "course_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return bin_dir
