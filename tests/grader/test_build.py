"""build: one source, generated copies; stubs never leak a solution or a hidden test."""
import jupytext
import pytest

from nndl.grader.content import build, chapters
from nndl.grader.content.build import MarkerError

CHAPTERS = chapters.available()


def source_text(chapter):
    return (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")


def regions(text):
    """Stripped, non-blank lines inside solution regions, and those outside every region."""
    inside, outside, region = set(), set(), None
    for line in text.splitlines():
        match = build.MARKER.match(line)
        if match:
            region = match.group(2).split()[2] if "BEGIN" in match.group(2) else None
        elif line.strip():
            (inside if region == "SOLUTION" else outside if region is None else set()).add(line.strip())
    return inside, outside


def solution_lines(chapter):
    """Lines that only a solution region of the source has."""
    inside, outside = regions(source_text(chapter))
    return inside - outside


def test_every_chapter_has_a_source_and_an_exercise():
    """Does every gradable chapter have its source and its committed exercise?"""
    assert CHAPTERS[:3] == ["ch01_perceptron", "ch02_activations", "ch03_networks"]
    for chapter in CHAPTERS:
        assert (chapters.EXERCISES_DIR / f"{chapter}.py").is_file(), chapter


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_committed_exercise_is_not_stale(chapter):
    """Is every committed exercises/<chapter>.py exactly what source/ generates?"""
    committed = (chapters.EXERCISES_DIR / f"{chapter}.py").read_text(encoding="utf-8")
    assert committed == build.render(chapter, source_text(chapter)), \
        f"exercises/{chapter}.py is stale: run `make exercises` and commit the result"


def test_stale_exercises_lists_none():
    """Does build.stale_exercises agree that nothing is stale?"""
    assert build.stale_exercises() == [], "stale exercises: run `make exercises`"


@pytest.mark.parametrize("chapter", CHAPTERS)
@pytest.mark.parametrize("where", ["committed", "released"])
def test_stubs_contain_no_solution(chapter, where, stubs_dir):
    """Do the stubs keep no line of any solution region, no marker and no hidden test?"""
    folder = chapters.EXERCISES_DIR if where == "committed" else stubs_dir
    stub = (folder / f"{chapter}.py").read_text(encoding="utf-8")
    stub_lines = {line.strip() for line in stub.splitlines()}
    secret = solution_lines(chapter)
    assert secret, f"source/{chapter}.py has no solution code"
    assert not secret & stub_lines
    for text in ("### BEGIN", "### END", "BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "hidden=True"):
        assert text not in stub, text
    assert stub.count("raise NotImplementedError()") == source_text(chapter).count(build.BEGIN_SOLUTION)


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_answers_keep_solutions_and_drop_hidden_tests(chapter, answers_dir):
    """Do the model answers keep every solution line but no marker and no hidden test?"""
    answers = (answers_dir / f"{chapter}.py").read_text(encoding="utf-8")
    assert solution_lines(chapter) <= {line.strip() for line in answers.splitlines()}
    for text in ("### BEGIN", "### END", "HIDDEN TESTS", "hidden=True", "NotImplementedError"):
        assert text not in answers, text


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_first_line_names_the_source(chapter, answers_dir, stubs_dir):
    """Does every generated file start with a line naming the source file to edit instead?"""
    for path in (chapters.EXERCISES_DIR / f"{chapter}.py", answers_dir / f"{chapter}.py",
                 stubs_dir / f"{chapter}.py"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first.startswith("# ") and f"source/{chapter}.py" in first, path
    assert "Student edition" in (stubs_dir / f"{chapter}.py").read_text().splitlines()[0]
    assert "Model answers" in (answers_dir / f"{chapter}.py").read_text().splitlines()[0]


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_exercise_reads_as_a_notebook(chapter):
    """Does jupytext read each exercise as a notebook of markdown and code, check cells tagged "check"?"""
    notebook = jupytext.read(chapters.EXERCISES_DIR / f"{chapter}.py")
    kinds = {cell.cell_type for cell in notebook.cells}
    assert kinds == {"markdown", "code"}
    checks = [cell for cell in notebook.cells if "nndl.check(" in cell.source]
    assert checks and all(cell.cell_type == "code" and cell.metadata.get("tags") == ["check"]
                          for cell in checks)
    stubs = [cell for cell in notebook.cells if "raise NotImplementedError()" in cell.source]
    assert stubs and all(cell.cell_type == "code" and "tags" not in cell.metadata for cell in stubs)


def test_stub_keeps_signature_docstring_and_indentation():
    """Is a solution region replaced by nbgrader's stub at the region's indentation?"""
    text = ('def f(x):\n    """Doc."""\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n'
            '\n# %% tags=["check"]\ncheck(f)\n### BEGIN HIDDEN TESTS\ncheck(f, hidden=True)\n'
            '### END HIDDEN TESTS\n')
    stub = build.render("ch02_activations", text)
    assert stub.splitlines()[1:] == ['def f(x):', '    """Doc."""', "    # YOUR CODE HERE",
                                     "    raise NotImplementedError()", "",
                                     '# %% tags=["check"]', "check(f)"]
    answers = build.render("ch02_activations", text, answers=True)
    assert answers.splitlines()[1:] == ['def f(x):', '    """Doc."""', "    return x", "",
                                        '# %% tags=["check"]', "check(f)"]


def test_jupytext_header_is_replaced_by_the_generated_line():
    """Is a leading jupytext YAML header dropped, so the generated line comes first?"""
    text = "# ---\n# jupyter:\n#   kernelspec: {}\n# ---\n\n# %%\nx = 1\n"
    assert build.render("ch01_perceptron", text) == \
        build.header("ch01_perceptron", "Student edition") + "# %%\nx = 1\n"


@pytest.mark.parametrize("text, message", [
    ("### BEGIN SOLUTION\nx = 1\n", "is never closed"),
    ("x = 1\n### END SOLUTION\n", "without its BEGIN"),
    ("### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION\n", "inside"),
    ("### BEGIN HIDDEN TESTS\n### BEGIN SOLUTION\n### END SOLUTION\n### END HIDDEN TESTS\n", "inside"),
    ("### BEGIN SOLUTION\nx = 1\n### END HIDDEN TESTS\n", "without its BEGIN"),
    ("### BEGIN HIDDEN TESTS\ncheck()\n", "is never closed"),
])
def test_unbalanced_markers_raise(text, message):
    """Do unbalanced, mismatched or nested markers raise MarkerError instead of leaking?"""
    for answers in (False, True):
        with pytest.raises(MarkerError, match=message):
            build.render("ch02_activations", text, answers=answers)


def test_marker_error_names_file_and_line():
    """Does a MarkerError say which source file and line to fix?"""
    with pytest.raises(MarkerError, match=r"^source/ch02_activations\.py:3: ### END SOLUTION without"):
        build.render("ch02_activations", "x = 1\ny = 2\n### END SOLUTION\n")


def test_release_writes_every_chapter(tmp_path):
    """Does release write exactly one file per gradable chapter and return their paths?"""
    written = build.release(tmp_path / "out", answers=True)
    assert [p.name for p in written] == [f"{c}.py" for c in CHAPTERS]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)
