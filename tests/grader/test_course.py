"""The nbgrader course: build, release, autograde, feedback, export, with real nbgrader and kernels.

One course with two cheap chapters goes through nbgrader end to end (module
fixture `graded`); three students submit: the model answers (alice), the
untouched release (bob), answers with known mistakes plus one tampered
test cell (carol), and the model answers of chapter 1 with a cell that hangs
(dave); chapter 1 only, too: model answers with a test cell deleted (erin, restored),
and with a cell that kills its kernel (frank).
"""
import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nndl.grader.content import chapters

from nndl.grader.integrations import course

from nndl.grader.grading import harness
from nndl.grader.cli import main
from nndl.grader.config import GraderConfig

CHAPTERS = ["ch01_perceptron", "ch02_activations"]
BIN = Path(sys.executable).parent
FULL = {c: float(sum(k.points for k in chapters.checks(c))) for c in CHAPTERS}


def points_of(chapter, *functions):
    return float(sum(k.points for k in chapters.checks(chapter) if k.function in functions))


# carol: perceptron_train left as the stub (perceptron_converges calls it), relu left as the stub,
# sigmoid by Keras (right, but against the from-scratch rule: its points only, not sigmoid_prime's).
CAROL = {"ch01_perceptron": FULL["ch01_perceptron"] - points_of("ch01_perceptron", "perceptron_train",
                                                                 "perceptron_converges"),
         "ch02_activations": FULL["ch02_activations"] - points_of("ch02_activations", "relu", "sigmoid")}
KERAS_SIGMOID = """


import keras


def sigmoid(x):
    return np.asarray(keras.activations.sigmoid(np.asarray(x, dtype="float64")))
"""
TAMPERED = "test_perceptron_train_perceptron_converges"
CELL_TIMEOUT = 20


def nbgrader(root, *args, status=0):
    """Run the real nbgrader command line in the course directory."""
    env = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}")  # nbgrader runs `alembic`
    done = subprocess.run([str(BIN / "nbgrader"), *args, f"--CourseDirectory.root={root}"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == status, done.stdout + done.stderr
    return done.stdout + done.stderr


def grade_ids(notebook):
    return {c.metadata["nbgrader"]["grade_id"]: c for c in notebook.cells if "nbgrader" in c.metadata}


def submission(root, chapter, student):
    """A student's notebook, made from the released one (as a student would edit it)."""
    released = nbformat.read(str(root / "release" / chapter / f"{chapter}.ipynb"), as_version=4)
    answers = grade_ids(nbformat.read(str(root / "source" / chapter / f"{chapter}.ipynb"), as_version=4))
    if student == "bob":
        return released
    for grade_id, cell in grade_ids(released).items():
        meta = cell.metadata["nbgrader"]
        stubbed = student == "carol" and "def perceptron_train(" in cell.source
        if meta["solution"] and not stubbed:
            cell.source = answers[grade_id].source
        if student == "carol" and "def relu(" in cell.source:  # relu left unfinished, leaky_relu done
            cell.source += "\n\n\ndef relu(x):\n    raise NotImplementedError()\n"
        if student == "carol" and "def sigmoid(" in cell.source:
            cell.source += KERAS_SIGMOID
        if student == "dave" and "def perceptron_train(" in cell.source:  # hangs after its definitions
            cell.source += "\n\nimport time\ntime.sleep(3600)\n"
        if student == "frank" and "def perceptron_train(" in cell.source:  # kills its kernel
            cell.source += "\n\nimport os\nos._exit(1)\n"
        if student == "carol" and grade_id == TAMPERED:
            cell.source = f"{meta['points']}  # full marks, please"
    if student == "erin":  # deletes a test cell
        released.cells = [c for c in released.cells if c.metadata.get("nbgrader", {}).get("grade_id") != TAMPERED]
    return released


def place(root, student, chapter):
    """Put a student's notebook where nbgrader collects it."""
    target = root / "submitted" / student / chapter / f"{chapter}.ipynb"
    target.parent.mkdir(parents=True)
    nbformat.write(submission(root, chapter, student), str(target))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = tmp_path_factory.mktemp("course")
    assert main(["course", "build", str(root), *[f"--chapter={c}" for c in CHAPTERS]]) == 0
    for chapter in CHAPTERS:
        nbgrader(root, "generate_assignment", chapter)
    for student in ("alice", "bob", "carol"):
        for chapter in CHAPTERS:
            place(root, student, chapter)
    place(root, "dave", CHAPTERS[0])
    place(root, "erin", CHAPTERS[0])
    for chapter in CHAPTERS:
        # The slowest cell of these chapters takes about 6 s (TensorFlow's import); dave's hangs.
        nbgrader(root, "autograde", chapter, f"--Execute.timeout={CELL_TIMEOUT}")
    place(root, "frank", CHAPTERS[0])  # alone: nbgrader exits 1 when a notebook fails
    assert "DeadKernelError" in nbgrader(root, "autograde", CHAPTERS[0], "--student=frank", status=1)
    for chapter in CHAPTERS:
        nbgrader(root, "generate_feedback", chapter)
    nbgrader(root, "export")
    return root


def exported(root):
    """(student, chapter) -> score, from nbgrader's grades.csv."""
    with open(root / "grades.csv", newline="") as handle:
        return {(row["student_id"], row["assignment"]): (float(row["score"]), float(row["max_score"]))
                for row in csv.DictReader(handle)}


def test_are_the_exported_grades_full_zero_and_the_exact_partial_scores(graded):
    scores = exported(graded)
    for chapter in CHAPTERS:
        assert scores["alice", chapter] == (FULL[chapter], FULL[chapter])
        assert scores["bob", chapter] == (0.0, FULL[chapter])
        assert scores["carol", chapter] == pytest.approx((CAROL[chapter], FULL[chapter]))


def test_does_a_test_cell_give_partial_credit(graded):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded / 'gradebook.db'}", "nndl") as gb:
        cell = gb.find_grade("test_relu_leaky_relu", "ch02_activations", "ch02_activations", "carol")
        assert (cell.auto_score, cell.max_score) == (points_of("ch02_activations", "leaky_relu"),
                                                     points_of("ch02_activations", "relu", "leaky_relu"))


def test_is_a_tampered_test_cell_restored_at_autograde(graded):
    notebook = nbformat.read(str(graded / "autograded" / "carol" / "ch01_perceptron" / "ch01_perceptron.ipynb"),
                             as_version=4)
    cell = grade_ids(notebook)[TAMPERED]
    assert "full marks, please" not in cell.source
    assert 'nndl.check("ch01_perceptron/perceptron_train", perceptron_train, hidden=True)' in cell.source
    assert "perceptron_train() still raises NotImplementedError" in "".join(
        o.get("text", "") for o in cell.outputs)


def test_does_a_hanging_cell_cost_only_its_own_points(graded):
    notebook = nbformat.read(str(graded / "autograded" / "dave" / "ch01_perceptron" / "ch01_perceptron.ipynb"),
                             as_version=4)
    hung = [c for c in notebook.cells if "time.sleep(3600)" in c.source]
    assert [o.ename for o in hung[0].outputs if o.output_type == "error"]  # interrupted, not waited for
    assert exported(graded)["dave", "ch01_perceptron"] == (FULL["ch01_perceptron"],) * 2


def test_a_deleted_test_cell_is_put_back(graded):
    """Is a locked test cell the student deleted restored at autograde, and graded?"""
    assert exported(graded)["erin", "ch01_perceptron"] == (FULL["ch01_perceptron"],) * 2


def test_does_a_dead_kernel_zero_the_notebook(graded):
    """nbgrader 0.9 gives up on a notebook whose kernel dies: 0 for the chapter, no autograded copy."""
    assert exported(graded)["frank", "ch01_perceptron"] == (0.0, FULL["ch01_perceptron"])
    assert not (graded / "autograded" / "frank" / "ch01_perceptron").exists()


def test_do_released_notebooks_hold_no_solution_and_no_hidden_check(graded):
    for chapter in CHAPTERS:
        text = (graded / "release" / chapter / f"{chapter}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN" not in text and "hidden=True" not in text
        assert "raise NotImplementedError()" in text
        released = json.loads(text)
        assert "jupytext" not in released["metadata"]  # no pairing that could write answers back
        model = (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
        solution = model.split("### BEGIN SOLUTION\n")[1].split("### END SOLUTION")[0].strip()
        assert solution not in text


def test_does_every_student_get_feedback(graded):
    for student in ("alice", "bob", "carol"):
        for chapter in CHAPTERS:
            html = graded / "feedback" / student / chapter / f"{chapter}.html"
            assert html.is_file() and html.stat().st_size > 1000
    carol = (graded / "feedback" / "carol" / "ch02_activations" / "ch02_activations.html").read_text(encoding="utf-8")
    # a hidden check says what went wrong, not with which inputs
    assert "ch02_activations/relu_hidden: not implemented — relu() still raises NotImplementedError" in carol
    for student in ("alice", "bob", "carol"):
        for chapter in CHAPTERS:
            html = (graded / "feedback" / student / chapter / f"{chapter}.html").read_text(encoding="utf-8")
            # no hidden-test code (nbgrader#917), while the autograded copy still holds it
            assert "BEGIN HIDDEN TESTS" not in html and "hidden=True" not in html, (student, chapter)
    autograded = graded / "autograded" / "carol" / CHAPTERS[1] / f"{CHAPTERS[1]}.ipynb"
    assert "hidden=True" in autograded.read_text(encoding="utf-8")


def test_does_tensorflow_leave_graded_cells_without_stderr(graded):
    notebook = nbformat.read(str(graded / "autograded" / "alice" / "ch02_activations" / "ch02_activations.ipynb"),
                             as_version=4)
    graded_cells = [c for c in notebook.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert graded_cells
    for cell in graded_cells:
        assert not [o for o in cell.outputs if o.output_type == "stream" and o.name == "stderr"]
        assert not [o for o in cell.outputs if o.output_type == "error"]


@pytest.mark.parametrize("student", ["alice", "carol"])
def test_does_nndl_grade_give_the_same_scores_as_nbgrader(graded, student):
    report = json.loads(json.dumps(harness.grade(graded / "submitted" / student, GraderConfig.from_env(),
                                                 CHAPTERS).as_json()))
    ours = {}
    for test in report["tests"]:
        chapter = test["name"].partition("/")[0]
        ours[chapter] = ours.get(chapter, 0.0) + test["score"]
    scores = exported(graded)
    for chapter in CHAPTERS:
        assert ours[chapter] == pytest.approx(scores[student, chapter][0])


def test_does_every_chapter_convert_with_its_suites_points(tmp_path):
    written = course.build_course(tmp_path)
    assert len(written) == len(chapters.available())
    assert (tmp_path / "nbgrader_config.py").is_file()
    for path in written:
        chapter = path.stem
        notebook = nbformat.read(str(path), as_version=4)
        cells = grade_ids(notebook)
        tests = [c for c in cells.values() if c.metadata["nbgrader"]["grade"]]
        assert sum(c.metadata["nbgrader"]["points"] for c in tests) == \
            sum(k.points for k in chapters.checks(chapter))
        for cell in tests:
            assert cell.metadata["nbgrader"]["locked"] and cell.cell_type == "code"
            assert "BEGIN HIDDEN TESTS" in cell.source
        for cell in cells.values():
            meta = cell.metadata["nbgrader"]
            assert meta["schema_version"] == 3
            assert meta["solution"] == ("### BEGIN SOLUTION" in cell.source)
            if cell.cell_type == "markdown":
                assert meta["locked"] and not meta["grade"]
        called = {f for c in tests for f in _functions(c.source)}
        assert called == {k.function for k in chapters.checks(chapter)}, chapter
        assert "jupytext" not in notebook.metadata


def _functions(source):
    import re

    return set(re.findall(r'nndl\.check\(\s*"\w+/(\w+)"', source))


def test_does_every_chapter_release_without_solutions_or_hidden_checks(tmp_path):
    """Does plain `nbgrader generate_assignment` release all fifteen chapters, with no answer
    and no hidden check left in any of them?"""
    written = course.build_course(tmp_path)
    for path in written:
        chapter = path.stem
        nbgrader(tmp_path, "generate_assignment", chapter)
        text = (tmp_path / "release" / chapter / f"{chapter}.ipynb").read_text(encoding="utf-8")
        assert "BEGIN SOLUTION" not in text and "BEGIN HIDDEN" not in text and "hidden=True" not in text
        released = nbformat.reads(text, as_version=4)
        model = (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
        cells = "\n".join(c.source for c in released.cells)
        for solution in model.split("### BEGIN SOLUTION\n")[1:]:
            block = solution.split("### END SOLUTION")[0].rstrip(" ")
            lines = [line for line in block.splitlines() if line.strip()]
            if len(lines) >= 2:                # a lone line may also be demo code
                assert block.strip() not in cells, (chapter, block)
        assert sum(c.source.count("raise NotImplementedError()") for c in released.cells) == \
            len({k.function for k in chapters.checks(chapter)})
