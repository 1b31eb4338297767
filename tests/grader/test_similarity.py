"""nndl similarity on a cohort with planted copies among independently written answers.

Five authors wrote four chapters each without seeing one another's work: the
model answers and files/independent/{terse,loops,scipy,oop} (written from the
handout alone). Planted: the model answers with every local name renamed; terse
with its functions in reverse order and new comments; loops laid out afresh with
its comments replaced; and scipy with one long function taken from oop (in
otherwise independent work). Every planted pair must rank above every pair of
independent authors, in every chapter.
"""
import ast
import csv
import io
import keyword
import shutil
import tokenize

import pytest

from nndl.grader.cli import main
from nndl.grader.content import build
from nndl.grader.reports import similarity
from nndl.worker import SKIPPED_TAGS, split_cells

from conftest import FILES

CHAPTERS = ["ch02_activations", "ch04_gradient_descent", "ch05_backprop", "ch13_rnn"]
AUTHORS = ["terse", "loops", "scipy", "oop"]
# One long function of oop's, copied into scipy's otherwise independent chapter.
COPIED = {"ch04_gradient_descent": "genetic_algorithm", "ch05_backprop": "backprop"}


def graded_code(text):
    return "\n".join(source for tags, source in split_cells(text) if not any(t in SKIPPED_TAGS for t in tags))


def renamed(text):
    """Every name a function binds (arguments and locals) renamed, as a copier hiding a copy would."""
    code = graded_code(text)
    tree = ast.parse(code)
    graded = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
    bound = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef):
            bound |= {a.arg for a in node.args.args + node.args.kwonlyargs}
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    bound -= graded | set(dir(__builtins__)) | set(keyword.kwlist)
    mapping = {name: f"my_{name[::-1]}_{i}" for i, name in enumerate(sorted(bound))}
    tokens, previous = [], None
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.NAME and token.string in mapping and previous != ".":
            token = token._replace(string=mapping[token.string])
        tokens.append(token)
        previous = token.string
    return "# %%\n" + tokenize.untokenize(tokens)


def reordered(text):
    """Top-level statements in reverse order, with comments of the copier's own."""
    tree = ast.parse(graded_code(text))
    parts = [f"# step {i}: my own work\n" + ast.get_source_segment(graded_code(text), node)
             for i, node in enumerate(reversed(tree.body))]
    imports = [p for p in parts if p.split("\n", 1)[1].startswith(("import", "from"))]
    return "# %%\n" + "\n\n\n".join(imports + [p for p in parts if p not in imports]) + "\n"


def recommented(text):
    """Laid out afresh (ast.unparse: every comment and blank line gone), then commented anew."""
    code = ast.unparse(ast.parse(graded_code(text)))
    lines = [line + ("  # why not" if i % 3 == 0 and line.strip() else "") for i, line in enumerate(code.splitlines())]
    return "# %%\n# I wrote this\n\n" + "\n\n".join(lines) + "\n"


def with_function_of(text, other, name):
    """text with its function `name` replaced by other's (the rest stays text's own work)."""
    code, theirs = graded_code(text), graded_code(other)
    mine = next(n for n in ast.parse(code).body if isinstance(n, ast.FunctionDef) and n.name == name)
    copied = next(n for n in ast.parse(theirs).body if isinstance(n, ast.FunctionDef) and n.name == name)
    lines = code.splitlines()
    start = (mine.decorator_list[0].lineno if mine.decorator_list else mine.lineno) - 1
    new = lines[:start] + ast.get_source_segment(theirs, copied).splitlines() + lines[mine.end_lineno:]
    return "# %%\n" + "\n".join(new) + "\n"


PLANTED = {("answers", "renamed"), ("terse", "reordered"), ("loops", "recommented")}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    root = tmp_path_factory.mktemp("cohort")
    answers = root / "answers"
    build.release(answers, answers=True, chapters=CHAPTERS)
    for author in AUTHORS:
        shutil.copytree(FILES / "independent" / author, root / author)
    for chapter in CHAPTERS:
        name = f"{chapter}.py"
        read = {s: (root / s / name).read_text(encoding="utf-8") for s in ["answers", *AUTHORS]}
        for student, text in (("renamed", renamed(read["answers"])), ("reordered", reordered(read["terse"])),
                              ("recommented", recommented(read["loops"]))):
            (root / student).mkdir(exist_ok=True)
            (root / student / name).write_text(text, encoding="utf-8")
        if chapter in COPIED:
            (root / "scipy" / name).write_text(with_function_of(read["scipy"], read["oop"], COPIED[chapter]),
                                               encoding="utf-8")
    return root


def planted(chapter):
    """The planted pairs of a chapter, each as (first, second) in name order."""
    return {tuple(sorted(p)) for p in PLANTED | ({("oop", "scipy")} if chapter in COPIED else set())}


@pytest.fixture(scope="module")
def report(cohort, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "similarity.html"
    assert main(["similarity", str(cohort), "--out", str(out)]) == 0
    with open(out.with_suffix(".csv"), encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return out, rows


def test_every_planted_pair_ranks_above_every_independent_pair(report):
    _, rows = report
    for chapter in CHAPTERS:
        pairs = {tuple(sorted((r["student_a"], r["student_b"]))): float(r["score"])
                 for r in rows if r["chapter"] == chapter}
        assert len(pairs) == 28, chapter   # 8 students
        copies = planted(chapter)
        lowest_copy = min(pairs[p] for p in copies)
        highest_other = max(s for p, s in pairs.items() if p not in copies)
        assert lowest_copy > highest_other, (chapter, sorted(pairs.items(), key=lambda x: -x[1])[:8])


def test_the_report_shows_each_pair_side_by_side_with_the_shared_regions_marked(report):
    out, _ = report
    page = out.read_text(encoding="utf-8")
    for chapter in CHAPTERS:
        assert f"id='{chapter}'" in page
    assert page.count("<div class='pair'>") == len(CHAPTERS) * similarity.SHOWN_PER_CHAPTER
    assert "<mark>" in page
    # docstrings and the handout's code are not compared, so not shown either
    assert "Args:" not in page and "NotImplementedError" not in page


def test_stubs_and_docstrings_are_boilerplate(tmp_path):
    """Two students who only filled in different bodies share nothing from the handout."""
    build.release(tmp_path / "one", chapters=["ch02_activations"])
    build.release(tmp_path / "two", chapters=["ch02_activations"])
    for student, body in (("one", "return np.maximum(x, 0.0)"), ("two", "return x * (x > 0)")):
        path = tmp_path / student / "ch02_activations.py"
        text = path.read_text(encoding="utf-8")
        start = text.index("def relu(")
        path.write_text(text[:start] + text[start:].replace("raise NotImplementedError()", body, 1),
                        encoding="utf-8")
    ranked, answers, _ = similarity.run({"one": tmp_path / "one", "two": tmp_path / "two"}, ["ch02_activations"])
    assert [a.text for a in answers["ch02_activations"]] == [
        "def relu(x):\n    return np.maximum(x, 0.0)", "def relu(x):\n    return x * (x > 0)"]
    assert ranked["ch02_activations"][0].score == 0.0


def test_bad_input_is_one_line(tmp_path, capsys):
    assert main(["similarity", str(tmp_path), "--out", str(tmp_path / "r.html")]) == 2
    assert main(["similarity", str(tmp_path), "--out", str(tmp_path / "r.txt")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 2 and "Traceback" not in err
