"""Build a real nbgrader course directory from source/.

`nndl course build DIR` writes ``DIR/nbgrader_config.py``,
``DIR/source/<chapter>/<chapter>.ipynb`` for every chapter and ``DIR/kit``, the
student kit that the students' kernels need for the released notebooks' check
cells (`pip install DIR/kit`; no answers, no hidden checks), so that plain
``nbgrader generate_assignment``, ``autograde``, ``generate_feedback`` and
``export`` work unchanged.

Passes over a chapter's cells, in order:
1. read the py:percent source as a notebook (jupytext), markers intact;
2. give each cell its nbgrader role: markdown -> read-only; a cell with
   ``### BEGIN SOLUTION`` -> solution; a cell tagged "check" -> locked, graded
   test cell whose points are those of its checks in the suite;
3. rewrite each check cell so that its last expression is the points earned
   (nbgrader >= 0.8 takes a numeric result as partial credit) and so that
   anything printed on stderr shows on stdout (nbgrader zeroes a graded cell
   with stderr output); hidden checks stay inside nbgrader's hidden-test
   markers, which ``generate_assignment`` strips;
4. drop jupytext's pairing metadata (a paired notebook would write its answers
   back to a .py file next to the release).
"""
import ast
from pathlib import Path

from nndl.grader.content import build
from nndl.grader.content.chapters import SOURCE_DIR, available, checks
from nndl.grader.content.check import VISIBLE

SCHEMA = 3

# Per-cell time-out: a check cell computes Keras references as well as the
# learner's code; the slowest chapter's cells finish well inside it. A cell
# that runs over is interrupted (interrupt_on_timeout) and scores 0; the
# notebook goes on (nbgrader's Execute always allows errors).
CONFIG = '''\
# nbgrader configuration of the nndl course, written by `nndl course build`.
import os

# Quiet TensorFlow in the kernels nbgrader starts (they inherit this process's
# environment): its start-up lines on stderr would zero a graded cell.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
{rule}
c = get_config()  # noqa: F821 - provided by nbgrader
c.CourseDirectory.course_id = "nndl"
c.Execute.timeout = {timeout}
c.Execute.interrupt_on_timeout = True
# A locked test cell the student deleted is put back from the gradebook at
# autograde, after the solution cell before it (edited ones are overwritten).
c.OverwriteCells.add_missing_cells = True
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
# Feedback shows each check's result, never the hidden checks' code (nbgrader#917):
# nbgrader's own ClearHiddenTests runs on the autograded copy before the HTML is written.
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
'''
CELL_TIMEOUT = 300


class CourseError(ValueError):
    """A source cell that cannot become an nbgrader cell."""


def points(chapter):
    """(function, visibility) -> points of the suite's checks."""
    table = {}
    for check in checks(chapter):
        key = (check.function, check.visibility == VISIBLE)
        table[key] = table.get(key, 0) + check.points
    return table


def _check_call(statement):
    """(name, hidden) of a statement `nndl.check("chapter/function", f[, hidden=True])`, or None."""
    call = statement.value if isinstance(statement, ast.Expr) else None
    if not (isinstance(call, ast.Call) and ast.unparse(call.func) == "nndl.check" and call.args
            and isinstance(call.args[0], ast.Constant)):
        return None
    hidden = any(k.arg == "hidden" and ast.literal_eval(k.value) for k in call.keywords)
    return call.args[0].value, hidden


def graded_source(chapter, source, table):
    """A check cell's code rewritten to sum its points; returns (code, max points, functions)."""
    lines = source.splitlines()
    statements = {s.lineno: s for s in ast.parse(source).body}
    body, total, functions = [], 0.0, []
    for number, line in enumerate(lines, 1):
        if line.strip() in (build.BEGIN_HIDDEN, build.END_HIDDEN):
            body.append(f"    {line.strip()}")
        statement = statements.get(number)
        if statement is None or isinstance(statement, ast.Import) and ast.unparse(statement) == "import nndl":
            continue
        found = _check_call(statement)
        if found is None:
            raise CourseError(f"{chapter}: a check cell may only call nndl.check: {line.strip()!r}")
        name, hidden = found
        function = name.partition("/")[2]
        weight = table.get((function, not hidden), 0)
        if not name.startswith(f"{chapter}/") or not weight:
            raise CourseError(f"{chapter}: no points for {line.strip()!r}")
        total += weight
        functions.append(function)
        call = ast.get_source_segment(source, statement).replace("\n", "\n    ")
        body.append(f"    earned += {weight:g} * {call}")
    code = ["# Graded by nndl: the same checks as `nndl grade`; the last line is the points earned.",
            "import contextlib, sys",
            "import nndl",
            "",
            "earned = 0.0",
            "with contextlib.redirect_stderr(sys.stdout):  # stderr output would zero this cell",
            *body,
            f"round(min(earned, {total:g}), 6)"]
    return "\n".join(code), total, list(dict.fromkeys(functions))


def _meta(grade_id, solution=False, grade=False, locked=True, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked,
            "schema_version": SCHEMA, "solution": solution}
    if points is not None:
        meta["points"] = points
    return meta


def convert(chapter, text=None):
    """The nbgrader source notebook of one chapter, as a nbformat NotebookNode."""
    import jupytext
    import nbformat

    text = text if text is not None else (SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
    build.validate(text.splitlines(keepends=True), f"source/{chapter}.py")
    notebook = jupytext.reads(text, fmt="py:percent")
    table, cells, ids = points(chapter), [], set()
    heading = nbformat.v4.new_markdown_cell(
        f"*Generated from `source/{chapter}.py` by `nndl course build`; course developers edit that file.*")
    heading.metadata["nbgrader"] = _meta("generated_from")
    cells.append(heading)
    for number, cell in enumerate(notebook.cells):
        cell.metadata.pop("lines_to_next_cell", None)
        tags = cell.metadata.get("tags", [])
        source = cell.source
        if cell.cell_type == "markdown":
            cell.metadata["nbgrader"] = _meta(f"text_{number}")
        elif "check" in tags:
            cell.source, total, functions = graded_source(chapter, source, table)
            grade_id = "test_" + "_".join(functions)
            grade_id = grade_id if len(grade_id) <= 100 else f"test_{number}"
            cell.metadata["nbgrader"] = _meta(grade_id, grade=True, points=total)
        elif "demo" in tags:
            cell.source = build.guard_demo(source)
        elif build.BEGIN_SOLUTION in source:
            cell.metadata["nbgrader"] = _meta(f"answer_{number}", solution=True, locked=False)
        elif build.BEGIN_HIDDEN in source:
            raise CourseError(f"{chapter}: hidden tests outside a check cell (cell {number})")
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id is not None and grade_id in ids:
            raise CourseError(f"{chapter}: duplicate grade_id {grade_id}")
        ids.add(grade_id)
        cells.append(cell)
    notebook.cells = cells
    notebook.metadata.pop("jupytext", None)
    notebook.metadata["kernelspec"] = {"display_name": "Python 3 (ipykernel)",
                                       "language": "python", "name": "python3"}
    return notebook


KIT_README = '''# nndl — the student kit of this nbgrader course

What the students' Jupyter environment needs to run the check cells of the
released notebooks: the learner's checker over the compiled visible checks,
with no reference solution, no hidden check and no hidden seed. Install it
into the students' image or environment (offline apart from its dependencies):

    pip install .

The hidden checks run only at `nbgrader autograde`, in the instructor's
environment where the full nndl grader is installed.
'''


ALLOW_FRAMEWORKS = '''# This course lets from-scratch exercises use frameworks (`nndl course build --allow-frameworks`).
os.environ.setdefault("NNDL_FROM_SCRATCH", "off")
'''


def build_course(directory, chapters=None, timeout=CELL_TIMEOUT, from_scratch=True):
    """Write nbgrader_config.py, source/<chapter>/<chapter>.ipynb and the students' kit/ into directory.

    from_scratch=False turns the chapters' from-scratch rule off, in the kit's visible checks
    and in autograde's hidden ones.
    """
    import nbformat

    from nndl.grader.content import kit

    directory = Path(directory)
    chapters = list(chapters or available())
    written = []
    for chapter in chapters:
        target = directory / "source" / chapter / f"{chapter}.ipynb"
        target.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(convert(chapter), str(target))
        written.append(target)
    (directory / "nbgrader_config.py").write_text(
        CONFIG.format(timeout=timeout, rule="" if from_scratch else ALLOW_FRAMEWORKS), encoding="utf-8")
    kit.write_kit(directory / "kit", readme=KIT_README, from_scratch=from_scratch)
    return written
