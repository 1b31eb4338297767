"""Every released chapter, run as a notebook from top to bottom with nbclient and a real kernel.

Untouched (the stubs), "Run All" reaches the end: demo cells that wait for an
exercise say so in one line, and every check cell prints only ✗ lines saying
"not implemented". With the model answers every check cell prints only ✓ lines.
No check cell echoes the share it returns ("Out: 0.0").
"""
import jupytext
import pytest
from nbclient import NotebookClient

from nndl.grader.content import build, chapters

CHAPTERS = chapters.available()


@pytest.fixture(scope="module", params=["stubs", "answers"])
def executed(request, tmp_path_factory):
    """{chapter: the executed notebook} of one edition."""
    folder = tmp_path_factory.mktemp(request.param)
    build.release(folder, answers=request.param == "answers")
    done = {}
    for chapter in CHAPTERS:
        notebook = jupytext.read(folder / f"{chapter}.py")
        NotebookClient(notebook, timeout=600, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
        done[chapter] = notebook
    return request.param, done


def outputs(cell, kind):
    return [o for o in cell.get("outputs", []) if o.output_type == kind]


def text(cell):
    return "".join(o.get("text", "") for o in outputs(cell, "stream") if o.name == "stdout")


def test_run_all_reaches_the_end_without_an_error(executed):
    edition, notebooks = executed
    for chapter, notebook in notebooks.items():
        errors = [(o.ename, o.evalue) for c in notebook.cells if c.cell_type == "code" for o in outputs(c, "error")]
        assert errors == [], (edition, chapter, errors)


def test_check_cells_print_only_their_marks(executed):
    edition, notebooks = executed
    for chapter, notebook in notebooks.items():
        checks = [c for c in notebook.cells if "check" in c.metadata.get("tags", [])]
        assert checks, chapter
        for cell in checks:
            lines = [line for line in text(cell).splitlines() if line.strip()]
            assert lines and outputs(cell, "execute_result") == [], (chapter, cell.source, lines)
            if edition == "answers":
                assert all(line.startswith("✓ ") for line in lines), (chapter, lines)
            else:
                marks = [line for line in lines if line.startswith(("✓ ", "✗ "))]
                assert marks and all(line.startswith("✗ ") and "not implemented" in line for line in marks), \
                    (chapter, lines)


def test_waiting_demos_say_so_in_one_line(executed):
    edition, notebooks = executed
    skipped = [text(c) for n in notebooks.values() for c in n.cells if "demo" in c.metadata.get("tags", [])
               and "demo skipped" in text(c)]
    if edition == "answers":
        assert skipped == []
    else:
        assert len(skipped) >= len(CHAPTERS) and all(s.count("\n") == 1 for s in skipped)
