"""Mutation testing: how many small mistakes in the model answers do the hidden checks catch?

Each mutant changes one thing inside one solution region of a chapter's model
answer — a flipped operator or comparison, a changed constant, a dropped
negation, a wrong axis, a swapped NumPy function — and is graded with the
hidden checks alone. A mutant is killed when it loses points.

    python benchmarks/mutants.py [CHAPTER ...] [--show-survivors]
"""
import argparse
import ast
import copy
import sys
import tempfile
import time
from pathlib import Path

from nndl.grader.content import build, chapters

from nndl.grader.grading import harness
from nndl.grader.content.check import HIDDEN
from nndl.grader.config import GraderConfig

OPERATORS = {ast.Add: ast.Sub, ast.Sub: ast.Add, ast.Mult: ast.Div, ast.Div: ast.Mult,
             ast.Pow: ast.Mult, ast.MatMult: ast.Mult}
COMPARISONS = {ast.Gt: ast.GtE, ast.GtE: ast.Gt, ast.Lt: ast.LtE, ast.LtE: ast.Lt,
               ast.Eq: ast.NotEq, ast.NotEq: ast.Eq}
FUNCTIONS = {"max": "min", "min": "max", "maximum": "minimum", "minimum": "maximum",
             "sum": "mean", "mean": "sum", "exp": "expm1", "tanh": "sinh", "abs": "negative",
             "zeros": "ones", "ones": "zeros", "outer": "multiply", "diag": "diagflat"}


def solution_lines(chapter):
    """Line numbers (in the answers file) that lie inside solution regions."""
    text = (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
    answers = build.render(chapter, text, answers=True).splitlines()
    source = build.drop_region(build.drop_yaml_header(text.splitlines(keepends=True)),
                               build.BEGIN_HIDDEN, build.END_HIDDEN)
    lines, inside, out = set(), False, 1  # out: line number in answers (line 1 is the header)
    for line in source:
        marker = build.MARKER.match(line)
        if marker and "SOLUTION" in marker.group(2):
            inside = "BEGIN" in marker.group(2)
            continue
        out += 1
        if inside:
            lines.add(out)
    assert len(answers) >= out - 1
    return lines


def variants(node):
    """Mutated copies of one AST node, each with a description."""
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        yield f"{type(node.op).__name__} -> {OPERATORS[type(node.op)].__name__}", \
            ast.BinOp(node.left, OPERATORS[type(node.op)](), node.right)
    if isinstance(node, ast.Compare) and type(node.ops[0]) in COMPARISONS:
        yield f"{type(node.ops[0]).__name__} -> {COMPARISONS[type(node.ops[0])].__name__}", \
            ast.Compare(node.left, [COMPARISONS[type(node.ops[0])]()] + node.ops[1:], node.comparators)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        yield "drop a minus sign", node.operand
    if isinstance(node, ast.Constant) and type(node.value) in (int, float):
        yield f"constant {node.value!r} -> {node.value + 1!r}", ast.Constant(node.value + 1)
        if node.value:
            yield f"constant {node.value!r} -> {-node.value!r}", ast.Constant(-node.value)
    if isinstance(node, ast.Constant) and isinstance(node.value, bool):
        yield f"{node.value} -> {not node.value}", ast.Constant(not node.value)
    if isinstance(node, ast.Attribute) and node.attr in FUNCTIONS:
        yield f"{node.attr} -> {FUNCTIONS[node.attr]}", ast.Attribute(node.value, FUNCTIONS[node.attr], node.ctx)
    if isinstance(node, ast.keyword) and node.arg == "axis":
        try:
            axis = ast.literal_eval(node.value)  # -1 is a negated constant in the tree
        except ValueError:
            axis = None
        if isinstance(axis, int):
            other = 0 if axis != 0 else -1
            yield f"axis={axis} -> axis={other}", ast.keyword("axis", ast.Constant(other))
    if isinstance(node, ast.Assign) and isinstance(node.value, ast.BinOp):
        yield "drop an update (x = x + ... -> x = x)", ast.Assign(node.targets, node.value.left)


def mutants(chapter):
    """(description, line, text) for every mutant of the chapter's model answer."""
    text = build.render(chapter, (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8"),
                        answers=True)
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line.encode("utf-8")))
    raw = text.encode("utf-8")
    wanted = solution_lines(chapter)
    for node in ast.walk(ast.parse(text)):
        if getattr(node, "lineno", None) not in wanted or not hasattr(node, "end_col_offset"):
            continue
        for description, replacement in variants(copy.deepcopy(node)):
            start = offsets[node.lineno - 1] + node.col_offset
            end = offsets[node.end_lineno - 1] + node.end_col_offset
            new = ast.unparse(ast.fix_missing_locations(replacement))
            if isinstance(node, ast.BinOp) or isinstance(node, ast.Compare):
                new = f"({new})"
            mutated = raw[:start] + new.encode("utf-8") + raw[end:]
            yield description, node.lineno, mutated.decode("utf-8")


def run(chapter, config, show_survivors):
    killed, survivors, started = 0, [], time.monotonic()
    found = list(mutants(chapter))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{chapter}.py"
        for description, line, text in found:
            path.write_text(text, encoding="utf-8")
            results = harness.grade_chapter(chapter, path, config, visibility=(HIDDEN,))
            if sum(r.score for r in results) < sum(r.max_score for r in results):
                killed += 1
            else:
                survivors.append(f"line {line}: {description}")
    rate = killed / len(found) if found else 1.0
    print(f"{chapter:<26} {killed:>4}/{len(found):<4} killed  {rate:6.1%}  "
          f"({time.monotonic() - started:.0f} s)", flush=True)
    if show_survivors:
        for survivor in survivors:
            print(f"    survived: {survivor}")
    return killed, len(found)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--show-survivors", action="store_true")
    args = parser.parse_args(argv)
    config = GraderConfig.from_env()
    total_killed = total = 0
    for chapter in args.chapters or chapters.available():
        k, n = run(chapter, config, args.show_survivors)
        total_killed, total = total_killed + k, total + n
    print(f"{'all':<26} {total_killed:>4}/{total:<4} killed  {total_killed / max(total, 1):6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
