"""Chapters in Chinese: is every learner-facing text of every check translated?

A check's hint, its cases' labels (for the visible seed and a few hidden
seeds: labels may carry drawn numbers), its known mistakes' names, the names
of its figure's curves and its exercise's docstring (``nndl hint`` quotes it) must each have a zh translation
that reads as Chinese; every ``t()`` template in the suites must have a zh key
with the same fields.
"""
import ast
import functools
import json
import re
import string

import pytest

from nndl import i18n
from nndl.grader.content import chapters
from nndl.grader.config import DEFAULT_HIDDEN_SEED, VISIBLE_SEED

CHAPTERS = chapters.available()
SEEDS = (VISIBLE_SEED, DEFAULT_HIDDEN_SEED, 1, 7, 12345)
SUITES = chapters.ROOT / "grader" / "suites"
CJK = re.compile(r"[\u4e00-\u9fff]")


def docstrings(chapter):
    """The docstrings of the checked functions of source/<chapter>.py, as `nndl hint` shows them."""
    checked = {c.function for c in chapters.checks(chapter)}
    tree = ast.parse((chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8"))
    return [ast.get_docstring(node) for node in tree.body
            if isinstance(node, ast.FunctionDef) and node.name in checked and ast.get_docstring(node)]


@functools.lru_cache(maxsize=None)
def texts(chapter):
    """{text: where it comes from} of every learner-facing text of the chapter."""
    found = {}
    for check in chapters.checks(chapter):
        where = f"{chapter}/{check.id}"
        found.setdefault(check.hint, f"{where} hint")
        for seed in SEEDS:
            for case in check.cases(check.rng(chapter, seed)):
                found.setdefault(case.label, f"{where} case label")
        for what, _ in check.mistakes:
            found.setdefault(what, f"{where} mistake")
        for name in getattr(check, "figure_labels", ()):   # the curves of the HTML report's figure
            found.setdefault(name, f"{where} figure label")
    for doc in docstrings(chapter):
        found.setdefault(doc, f"{chapter} docstring")
    found.pop("", None)
    return found


def templates():
    """[(file:line, template)] of every t("...") call in the suites; template None if not a literal."""
    found = []
    for path in sorted(SUITES.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "t":
                first = node.args[0] if node.args else None
                literal = isinstance(first, ast.Constant) and isinstance(first.value, str)
                found.append((f"{path.name}:{node.lineno}", first.value if literal else None))
    return found


def fields(template):
    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


@pytest.fixture
def chinese(monkeypatch):
    monkeypatch.setattr(i18n, "_language", "zh")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_every_text_of_the_chapter_is_translated(chapter, chinese):
    """Do the hints, case labels, mistakes and docstrings all have a zh translation in Chinese?"""
    missing = [f"{where}: {text!r}" for text, where in texts(chapter).items()
               if not i18n.translated(text, "zh")]
    assert not missing, f"{len(missing)} text(s) of {chapter} without a zh translation:\n" + \
        "\n".join(missing)
    english = [f"{where}: {text!r} -> {i18n.tr(text)!r}" for text, where in texts(chapter).items()
               if not CJK.search(i18n.tr(text))]
    assert not english, "translated, but not into Chinese:\n" + "\n".join(english)


def test_every_suite_template_has_a_translation_with_its_fields():
    """Is each t() template of the suites a literal with a zh key that has the same {fields}?"""
    catalogue = i18n.catalogue("zh")
    found = templates()
    assert found, "no t() call in grader/suites"
    problems = [f"{where}: the template is not a string literal" for where, text in found if text is None]
    problems += [f"{where}: {text!r} has no zh key" for where, text in found
                 if text is not None and text not in catalogue]
    problems += [f"{where}: {text!r} -> {catalogue[text]!r}: fields differ" for where, text in found
                 if text in catalogue and fields(text) != fields(catalogue[text])]
    assert not problems, "\n".join(problems)


def test_a_text_has_one_translation_in_all_catalogues():
    """Does a text that two zh catalogues both translate get the same translation from each?"""
    seen, problems = {}, []
    for path in sorted((i18n.LOCALE / "zh").glob("*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            first = seen.setdefault(key, (path.name, value))
            if first[1] != value:
                problems.append(f"{key!r}: {first[0]} says {first[1]!r}, {path.name} says {value!r}")
    assert not problems, "\n".join(problems)


def test_chapter_catalogues_keep_their_fields_and_patterns_are_specific():
    """Does each chapter translation keep its key's {fields}, and each pattern key enough fixed text?"""
    problems = []
    for path in sorted((i18n.LOCALE / "zh").glob("ch*.json")):
        for key, value in json.loads(path.read_text(encoding="utf-8")).items():
            if fields(key) != fields(value):
                problems.append(f"{path.name}: {key!r} -> {value!r}: fields differ")
            fixed = "".join(text for text, _, _, _ in string.Formatter().parse(key))
            if fields(key) and len(re.sub(r"\W", "", fixed)) < 4:
                problems.append(f"{path.name}: {key!r} has too little fixed text to be a pattern")
    assert not problems, "\n".join(problems)
