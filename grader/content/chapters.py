"""The course's chapters and their check suites.

Chapter ids are fixed by the spec. A chapter is gradable once
``nndl.grader.suites.<id>`` exists and declares ``CHECKS``.
"""
import ast
import importlib
import importlib.resources
import importlib.util
import threading
from functools import lru_cache
from pathlib import Path

from nndl.course import CHAPTERS, checked_name  # the chapter ids and names, defined once in nndl.course

_PACKAGE = Path(importlib.resources.files("nndl.grader"))
# The chapter texts: source/ in the repository, installed as the grader's package data
# nndl/grader/source/ (pyproject.toml); an editable install reads the repository's.
SOURCE_DIR = _PACKAGE / "source" if (_PACKAGE / "source").is_dir() else _PACKAGE.parent / "source"
# The course's own checkout: what only course developers' commands use (`nndl build`
# regenerates exercises/ there; `make demo` grades examples/).
ROOT = SOURCE_DIR.parent
EXERCISES_DIR = ROOT / "exercises"


def available():
    """Chapter ids that have a source file and a check suite, in course order."""
    return [c for c in CHAPTERS if (SOURCE_DIR / f"{c}.py").exists()
            and importlib.util.find_spec(f"nndl.grader.suites.{c}") is not None]


_PARSING = threading.Lock()


@lru_cache(maxsize=None)
def _tree(chapter):
    """The chapter source's syntax tree, parsed once. One parse at a time: CPython 3.11's parser
    may fail when two threads parse at once (grading chapters side by side)."""
    with _PARSING:
        return ast.parse((SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8"))


# How a chapter marks each graded function, as a line of its docstring (nndl/worker/policy.py).
RULE_MARKS = {"From scratch (从零实现):": "scratch", "Framework exercise (框架):": "framework"}


@lru_cache(maxsize=None)
def rules(chapter):
    """{graded function: "scratch" or "framework"}, as the chapter's docstrings mark them."""
    tree = _tree(chapter)
    found = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            lines = [line.strip() for line in (ast.get_docstring(node) or "").splitlines()]
            marks = {rule for line in lines for mark, rule in RULE_MARKS.items() if line.startswith(mark)}
            if len(marks) == 1:
                found[node.name] = marks.pop()
    return found


@lru_cache(maxsize=None)
def docstrings(chapter):
    """{function: its docstring}, as the chapter's source states it."""
    tree = _tree(chapter)
    return {node.name: ast.get_docstring(node) or "" for node in tree.body if isinstance(node, ast.FunctionDef)}


def scratch(chapter):
    """The chapter's from-scratch functions: no framework may run while they do."""
    return frozenset(f for f, rule in rules(chapter).items() if rule == "scratch")


def stable(chapter):
    """The chapter's functions whose text promises no overflow (the suite's STABLE)."""
    return frozenset(getattr(importlib.import_module(f"nndl.grader.suites.{chapter}"), "STABLE", ()))


def call_rules(chapter, from_scratch=True):
    """The Rules a chapter's functions are called under (from_scratch=False: the course turned
    the from-scratch rule off)."""
    from nndl.records import Rules

    return Rules(scratch(chapter) if from_scratch else frozenset(), stable(chapter))


@lru_cache(maxsize=None)
def callees(chapter):
    """{graded function: the chapter's other graded functions its model answer calls}, in the
    chapter's order: a check that fails while one of those fails is told to fix that one first."""
    graded = list(dict.fromkeys(c.function for c in checks(chapter)))
    tree = _tree(chapter)
    helpers = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    found = {}
    for name in graded:
        seen, todo, calls = set(), [name], []
        while todo:   # through the model answer's own helpers, which are not graded
            node = helpers.get(todo.pop())
            for call in ast.walk(node) if node is not None else ():
                if isinstance(call, ast.Call) and isinstance(call.func, ast.Name):
                    callee = call.func.id
                    if callee in graded and callee != name and callee not in calls:
                        calls.append(callee)
                    elif callee in helpers and callee not in graded and callee not in seen:
                        seen.add(callee)
                        todo.append(callee)
        found[name] = calls
    return found


def checks(chapter):
    """The checks of one chapter, in the order they are graded."""
    return importlib.import_module(f"nndl.grader.suites.{chapter}").CHECKS


def find_check(name):
    """(chapter, the Checks called "chapter/id" or of "chapter/function"); UnknownName (a KeyError)
    with a clear message otherwise."""
    chapter, check_id = checked_name(name, available(), lambda c: {n for k in checks(c) for n in (k.id, k.function)})
    return chapter, [c for c in checks(chapter) if check_id in (c.id, c.function)]
