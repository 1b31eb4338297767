"""The student kit: `nndl release DIR`, then `pip install DIR` into a fresh venv, as a student would.

The venv gets only the kit from DIR (offline, its own build backend); its
third-party dependencies (NumPy, rich, Keras, ...) come from the course's
venv through a path file, which adds their folder to sys.path but runs none
of the .pth files there, so the course's own editable nndl stays invisible.
"""
import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from nndl.grader.content import build, chapters, kit
from conftest import fresh_venv
from nndl import compiled
from nndl.records import VISIBLE

CHAPTERS = chapters.available()
CH02 = "ch02_activations"


@pytest.fixture(scope="module")
def student(tmp_path_factory):
    """(handout with stubs, handout with answers, the venv's bin folder) after a real install."""
    root = tmp_path_factory.mktemp("kit")
    handout, answers = root / "handout", root / "answers"
    for folder, model in ((handout, False), (answers, True)):
        written = build.release(folder, answers=model)
        kit.write_kit(folder)
    kit.write_notebooks([answers / f"{CH02}.py"])
    bin_dir = fresh_venv(root / "venv")
    done = subprocess.run([bin_dir / "python", "-m", "pip", "install", "--no-deps", "--no-index",
                           "--quiet", str(handout)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert written
    return handout, answers, bin_dir


def run(bin_dir, *args, cwd):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NNDL_", "PYTHON"))}
    return subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          env={**env, "PATH": f"{bin_dir}{os.pathsep}{env['PATH']}"}, timeout=900)


def test_the_kit_holds_no_grader_and_no_references(student):
    """Is `nndl` the kit's own copy, and do nndl.solutions, nndl.grader and hidden checks fail?"""
    handout, _, bin_dir = student
    done = run(bin_dir, bin_dir / "python", "-c", "import nndl; print(nndl.__file__)", cwd="/")
    assert str(bin_dir.parent) in done.stdout, done.stdout + done.stderr
    for module in ("nndl.solutions", "nndl.grader", "nndl.grader.suites"):
        done = run(bin_dir, bin_dir / "python", "-c", f"import {module}", cwd="/")
        assert "ModuleNotFoundError" in done.stderr, module
    done = run(bin_dir, bin_dir / "python", "-c",
               f"import nndl; nndl.check('{CH02}/linear', lambda x: x, hidden=True)", cwd="/")
    assert done.stderr.strip().splitlines()[-1] == ("nndl.HiddenChecksUnavailable: hidden checks run only "
                                                    "in the grader; nndl.check(name, f) runs the visible ones")


def _installed_files(bin_dir):
    done = run(bin_dir, bin_dir / "python", "-c", "import nndl, pathlib; print(pathlib.Path(nndl.__file__).parent)",
               cwd="/")
    return [p for p in Path(done.stdout.strip()).rglob("*") if p.is_file() and p.suffix in (".py", ".json")]


def solution_lines():
    """Every line of a solution body: source/ solution regions and solutions/ function bodies.

    Left out: short generic lines (under 20 characters) and comments, which say nothing of an
    answer, and lines the student edition or a hint already shows (a docstring's formula, a hint
    that spells out an expression): those are in every learner's hands by design.
    """
    lines = set()
    for chapter in CHAPTERS:
        inside = False
        for line in (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8").splitlines():
            if line.strip() in (build.BEGIN_SOLUTION, build.END_SOLUTION):
                inside = line.strip() == build.BEGIN_SOLUTION
            elif inside:
                lines.add(line.strip())
        text = (chapters.ROOT / "solutions" / f"{chapter}.py").read_text(encoding="utf-8")
        source = text.splitlines()
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef):
                body = node.body[1:] if ast.get_docstring(node) else node.body
                for statement in body:
                    lines.update(l.strip() for l in source[statement.lineno - 1:statement.end_lineno])
    public = "\n".join(build.render(c, (chapters.SOURCE_DIR / f"{c}.py").read_text(encoding="utf-8"))
                       for c in CHAPTERS)
    public += "\n".join(k.hint for c in CHAPTERS for k in chapters.checks(c))
    return {l for l in lines if len(l) >= 20 and not l.startswith("#") and l not in public}


def test_no_solution_line_is_in_the_installed_kit(student):
    """Does no line of any solution body appear in the installed kit's code or data?"""
    _, _, bin_dir = student
    files = _installed_files(bin_dir)
    assert any(p.name == "judges.py" for p in files) and any(p.name == f"{CH02}.json" for p in files)
    assert not leaks(files), leaks(files)[:5]


def leaks(files):
    """(solution line, file name) for each solution line found in files."""
    texts = {p: p.read_text(encoding="utf-8") for p in files}
    return [(line, p.name) for line in solution_lines() for p, text in texts.items() if line in text]


def test_a_planted_solution_line_is_found(student, tmp_path):
    """Is a solution body line copied into a kit file found (so the test above can fail)?"""
    _, _, bin_dir = student
    lines = sorted(solution_lines())
    assert len(lines) > 300
    planted = tmp_path / "judges.py"
    planted.write_text(_installed_files(bin_dir)[0].read_text(encoding="utf-8") + "\n" + lines[len(lines) // 2])
    assert leaks([planted]) == [(lines[len(lines) // 2], "judges.py")]


def test_model_answers_pass_and_stubs_fail_every_visible_check(student):
    """In the kit's venv, do the answers pass every visible check and the stubs fail each as not implemented?"""
    handout, answers, bin_dir = student
    visible = {f"{c}/{k.id}" for c in CHAPTERS for k in chapters.checks(c) if k.visibility == VISIBLE}
    for folder, passed in ((answers, True), (handout, False)):
        done = run(bin_dir, bin_dir / "nndl", "check", cwd=folder)
        assert done.returncode == 0, done.stderr
        total = sum(k.points for c in CHAPTERS for k in chapters.checks(c) if k.visibility == VISIBLE)
        score = f"{total:g}/{total:g}" if passed else f"0/{total:g}"
        assert f"Total: {score}" in done.stdout, done.stdout[-2000:]
        state = json.loads((folder / ".nndl.json").read_text())["chapters"]
        assert sum(s["checks"] for s in state.values()) == len(visible)
    done = run(bin_dir, bin_dir / "nndl", "check", CH02, cwd=handout)
    assert done.stdout.count("still raises NotImplementedError") >= 1
    assert "✓" not in done.stdout


def test_pytest_in_the_kit(student):
    """Does pytest on a handout run one test per visible check, passing for the answers and failing for stubs?"""
    handout, answers, bin_dir = student
    count = sum(k.visibility == VISIBLE for k in chapters.checks(CH02))
    done = run(bin_dir, bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{CH02}.py",
               cwd=answers)
    assert f"{count} passed" in done.stdout, done.stdout[-1500:]
    done = run(bin_dir, bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider", f"{CH02}.py",
               cwd=handout)
    assert f"{count} failed" in done.stdout and "NotImplementedError" in done.stdout, done.stdout[-1500:]


def test_hint_in_the_kit_needs_no_references(student):
    """Does `nndl hint` answer from the kit's data, escalating and remembering in the handout?"""
    handout, _, bin_dir = student
    first = run(bin_dir, bin_dir / "nndl", "hint", f"{CH02}/softmax", cwd=handout)
    second = run(bin_dir, bin_dir / "nndl", "hint", f"{CH02}/softmax", cwd=handout)
    assert first.stdout.startswith(f"Hint 1/3 for {CH02}/softmax:"), first.stderr
    assert second.stdout.startswith(f"Hint 2/3 for {CH02}/softmax:")


@pytest.fixture(scope="module")
def kernel(student):
    """A Jupyter kernel spec, "kit", whose kernel runs in the kit's venv."""
    _, _, bin_dir = student
    spec = bin_dir.parent / "share" / "jupyter" / "kernels" / "kit"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(bin_dir / "python"), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "nndl kit", "language": "python"}))
    return "kit"


EXECUTE = ("import json, nbformat, nbclient, sys\n"
           "nb = nbformat.read(sys.argv[1], as_version=4)\n"
           "nbclient.NotebookClient(nb, kernel_name='kit', timeout=300, allow_errors=True).execute()\n"
           "nbformat.write(nb, sys.argv[2])\n")


def test_a_notebook_runs_its_check_cells_in_a_kit_only_kernel(student, kernel):
    """Executed with nbclient in a kernel of the kit's venv, do the answers' check cells all print ✓?"""
    _, answers, bin_dir = student
    done = run(bin_dir, bin_dir / "python", "-c", EXECUTE, f"{CH02}.ipynb", "executed.ipynb", cwd=answers)
    assert done.returncode == 0, done.stderr[-2000:]
    notebook = nbformat.read(str(answers / "executed.ipynb"), as_version=4)
    out = "".join(o.get("text", "") for c in notebook["cells"] if c["cell_type"] == "code"
                  for o in c.get("outputs", []))
    marks = [line for line in out.splitlines() if line.startswith(("✓", "✗"))]
    assert len(marks) == sum(k.visibility == VISIBLE for k in chapters.checks(CH02)), out[-2000:]
    assert all(m.startswith("✓") for m in marks), marks
    done = run(bin_dir, bin_dir / "python", "-c", "import sys; import nndl; print('tensorflow' in sys.modules)",
               cwd=answers)
    assert done.stdout.strip() == "False"


def _cell_values(path):
    """grade_id -> the last expression's value (the points earned) of each graded cell."""
    notebook = nbformat.read(str(path), as_version=4)
    values = {}
    for cell in notebook["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("grade") and cell["cell_type"] == "code":
            results = [o["data"]["text/plain"] for o in cell["outputs"] if o["output_type"] == "execute_result"]
            errors = [o["ename"] for o in cell["outputs"] if o["output_type"] == "error"]
            values[meta["grade_id"]] = (float(results[0]) if results else None, errors, meta["points"])
    return values


def test_released_course_notebooks_check_in_a_kit_only_kernel(student, kernel, tmp_path):
    """nbgrader course: do the released notebook's check cells run on the kit alone, earning every
    visible point with the model answers and none with the stubs?"""
    from nndl.grader.integrations import course

    _, _, bin_dir = student
    course.build_course(tmp_path, [CH02])
    assert (tmp_path / "kit" / "nndl" / "compiled" / f"{CH02}.json").is_file()
    nbgrader = Path(sys.executable).parent / "nbgrader"
    done = subprocess.run([str(nbgrader), "generate_assignment", CH02, f"--CourseDirectory.root={tmp_path}"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600,
                          env=dict(os.environ, PATH=f"{nbgrader.parent}{os.pathsep}{os.environ['PATH']}"))
    assert done.returncode == 0, done.stderr
    released = nbformat.read(str(tmp_path / "release" / CH02 / f"{CH02}.ipynb"), as_version=4)
    source = nbformat.read(str(tmp_path / "source" / CH02 / f"{CH02}.ipynb"), as_version=4)
    answers = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in source["cells"]
               if c["metadata"].get("nbgrader", {}).get("solution")}
    stubs = tmp_path / "stubs.ipynb"
    nbformat.write(released, str(stubs))
    for cell in released["cells"]:
        meta = cell["metadata"].get("nbgrader", {})
        if meta.get("solution"):
            cell["source"] = answers[meta["grade_id"]]
    nbformat.write(released, str(tmp_path / "answers.ipynb"))
    sources = {c["metadata"]["nbgrader"]["grade_id"]: c["source"] for c in released["cells"]
               if c["metadata"].get("nbgrader", {}).get("grade")}
    assert all("hidden=True" not in s and "nndl.check(" in s for s in sources.values())
    visible = {}
    for check in chapters.checks(CH02):
        if check.visibility == VISIBLE:
            visible[check.function] = visible.get(check.function, 0) + check.points
    for name in ("answers", "stubs"):
        done = run(bin_dir, bin_dir / "python", "-c", EXECUTE, f"{name}.ipynb", f"{name}.out.ipynb", cwd=tmp_path)
        assert done.returncode == 0, done.stderr[-2000:]
        values = _cell_values(tmp_path / f"{name}.out.ipynb")
        assert values and sum(p for _, _, p in values.values()) == sum(k.points for k in chapters.checks(CH02))
        for grade_id, (value, errors, _) in values.items():
            assert not errors, (grade_id, errors)
            called = re.findall(rf'nndl\.check\("{CH02}/(\w+)"', sources[grade_id])
            earned = sum(visible[f] for f in called) if name == "answers" else 0.0
            assert value == pytest.approx(earned), (name, grade_id)
    text = (tmp_path / "stubs.out.ipynb").read_text(encoding="utf-8")
    assert "not implemented" in text and "HiddenChecksUnavailable" not in text


def test_the_kits_translations_hold_no_hidden_label(student):
    """Are the hidden checks' case labels and hints left out of the installed kit's locale files,
    while every visible label keeps its translation?"""
    _, _, bin_dir = student
    installed = {p.stem: json.loads(p.read_text(encoding="utf-8"))
                 for p in _installed_files(bin_dir) if p.parent.parent.name == "locale" and p.stem in CHAPTERS}
    assert len(installed) == len(CHAPTERS)
    secrets = {c: kit.hidden_strings(c) for c in CHAPTERS}
    assert sum(map(len, secrets.values())) > 100
    for chapter in CHAPTERS:
        assert not secrets[chapter] & set(installed[chapter]), chapter
        original = json.loads((chapters.ROOT / "nndl" / "locale" / "zh" / f"{chapter}.json").read_text(encoding="utf-8"))
        visible = {case.label for k in compiled.checks(chapter) for case in k.cases}
        assert {l for l in visible if l in original} <= set(installed[chapter]), chapter
