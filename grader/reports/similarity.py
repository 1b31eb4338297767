"""Similar answers in a batch: ``nndl similarity SUBMISSIONS --out REPORT.html`` (and a CSV).

Built on copydetect, which implements MOSS's winnowing: each answer is
tokenised (names become one letter, so renaming changes nothing), hashed in
k-grams and winnowed to fingerprints; two answers share what their
fingerprints share. What is compared is the learner's own code only:

- the graded module's cells (not the check or demo cells, not markdown);
- with docstrings and comments removed, and the code laid out afresh
  (``ast.unparse``), so that neither comments nor whitespace count;
- without what the handout already holds: statements equal to the stub's
  (imports, constants, untouched stubs) are dropped, and the stub's own
  fingerprints are boilerplate that never counts as shared.

A pair's score is the larger of two shares: how much of either answer is
shared, as a whole, or within one function. The second catches one function
copied into otherwise independent work, which is a small share of a chapter;
it counts only functions long enough that independent authors rarely write
them alike (MIN_FUNCTION_TOKENS). Pairs are ranked per chapter; the HTML shows
the top ones side by side with the shared regions marked.
"""
import ast
import csv
import html
import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from nndl.i18n import t

K = 25                     # copydetect's noise threshold: k-grams of 25 filtered characters
WINDOW = 1                 # guarantee threshold K + WINDOW - 1: every shared 25-gram is seen
MIN_FUNCTION_TOKENS = 120  # filtered characters a function needs for its own share to count
SHOWN_PER_CHAPTER = 10     # pairs drawn side by side per chapter in the HTML


# ------------------------------------------------------------------ answers
def _code_cells(path):
    """The graded module's code of a chapter file: check and demo cells left out."""
    from nndl.worker import notebook_cells, split_cells

    text = Path(path).read_text(encoding="utf-8")
    return _graded(notebook_cells(text) if str(path).endswith(".ipynb") else split_cells(text))


def _graded(cells):
    """The code of the cells the worker loads (check and demo cells left out)."""
    from nndl.worker import SKIPPED_TAGS

    return "\n".join(source for tags, source in cells if not any(tag in SKIPPED_TAGS for tag in tags))


def _without_docstrings(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) \
                    and isinstance(first.value.value, str):
                node.body = node.body[1:] or [ast.Pass()]
    return tree


def _statements(code):
    """[(name or None, source)] of a module's top-level statements, without docstrings or comments;
    None when the code does not parse."""
    try:
        tree = _without_docstrings(ast.parse(code))
    except (SyntaxError, ValueError):
        return None
    out = []
    for node in tree.body:
        name = node.name if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else None
        try:
            out.append((name, ast.unparse(node)))
        except Exception:  # noqa: BLE001 - an odd tree: keep what can be shown
            continue
    return out


def answer(code, stub_statements):
    """The learner's own code of a chapter: [(name or None, source)] with the handout's statements
    left out. Code that does not parse is kept whole, minus the stub's lines."""
    statements = _statements(code)
    stub = {source for _, source in stub_statements}
    if statements is None:
        stub_lines = {line.strip() for source in stub for line in source.splitlines()}
        kept = "\n".join(line for line in code.splitlines()
                         if line.strip() and not line.lstrip().startswith("#") and line.strip() not in stub_lines)
        return [(None, kept)] if kept else []
    return [(name, source) for name, source in statements if source not in stub]


@dataclass
class Answer:
    """One student's answer to one chapter, fingerprinted: the whole and each function's body."""

    student: str
    text: str
    boilerplate: object             # the handout's fingerprints (to draw the shared regions later)
    hashes: frozenset = frozenset()  # the whole answer's fingerprints
    functions: dict = field(default_factory=dict)  # name -> its body's fingerprints (long ones only)


def fingerprint(text, boilerplate):
    from copydetect import CodeFingerprint
    import io

    return CodeFingerprint("answer.py", K, WINDOW, boilerplate=boilerplate, fp=io.StringIO(text))


def make_answer(student, statements, boilerplate):
    """Each statement fingerprinted once; the whole answer's fingerprints are theirs together."""
    found = Answer(student, "\n\n".join(source for _, source in statements), boilerplate)
    whole = set()
    for name, source in statements:
        if name is not None and source.startswith(("def ", "async def ")):
            # the signature is the handout's: with the body's first tokens it would make any two
            # short functions look alike, so it is fingerprinted apart from the body
            head, _, body = source.partition(":\n")
            whole |= {int(h) for h in fingerprint(head, boilerplate).hashes}
            part = fingerprint(body, boilerplate)
            hashes = frozenset(int(h) for h in part.hashes)
            if len(part.filtered_code) >= MIN_FUNCTION_TOKENS:
                found.functions[name] = hashes
        else:
            hashes = {int(h) for h in fingerprint(source, boilerplate).hashes}
        whole |= hashes
    found.hashes = frozenset(whole)
    return found


# ------------------------------------------------------------------ pairs
@dataclass
class Pair:
    chapter: str
    a: str
    b: str
    score: float          # what ranks the pair: max(whole, function)
    whole: float          # the larger share of either answer's fingerprints found in the other
    function: float       # the largest share of one function's fingerprints found in the other answer
    function_name: str    # whose function that was ("" when none)
    shared: int           # fingerprints the two answers share


def _share(part, other):
    return len(part & other) / len(part) if part else 0.0


def _function_share(mine, theirs):
    """(share, name): the largest share of one of mine's functions found anywhere in theirs."""
    best, best_name = 0.0, ""
    for name, part in mine.functions.items():
        share = _share(part, theirs.hashes)
        if share > best:
            best, best_name = share, name
    return best, best_name


def compare(chapter, first, second):
    """A Pair, from fingerprint sets alone (where the shared regions lie is found only for the
    pairs the report draws: marked())."""
    one, two = first.hashes, second.hashes
    shared = len(one & two)
    whole = max(shared / len(one) if one else 0.0, shared / len(two) if two else 0.0)
    f1, n1 = _function_share(first, second)
    f2, n2 = _function_share(second, first)
    function, name = (f1, f"{first.student}: {n1}") if f1 >= f2 else (f2, f"{second.student}: {n2}")
    return Pair(chapter, first.student, second.student, max(whole, function), whole, function,
                name if function > 0 else "", shared)


def marked(first, second):
    """Both answers as HTML, the regions they share marked (copydetect's slices)."""
    from copydetect import compare_files

    _, _, slices = compare_files(fingerprint(first.text, first.boilerplate),
                                 fingerprint(second.text, second.boilerplate))
    return _marked(first.text, slices[0]), _marked(second.text, slices[1])


# ------------------------------------------------------------------ the batch
def stub_statements(chapter):
    """The handout's own statements of a chapter (what every student starts from)."""
    from nndl.grader.content import build, chapters
    from nndl.worker import split_cells

    text = build.render(chapter, (chapters.SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8"))
    return _statements(_graded(split_cells(text))) or []


def _student(student, folder, chapter_ids, stubs, boilerplate):
    """[(chapter, Answer)] of one student (run in a worker process)."""
    from nndl.grader.grading import submission

    try:
        files, _ = submission.find(folder)
    except Exception:  # noqa: BLE001 - an unreadable submission has nothing to compare
        return []
    found = []
    for chapter in chapter_ids:
        if chapter not in files:
            continue
        try:
            statements = answer(_code_cells(files[chapter]), stubs[chapter])
        except (OSError, ValueError, UnicodeDecodeError):
            continue
        if statements:
            found.append((chapter, make_answer(student, statements, boilerplate[chapter])))
    return found


def collect(students, chapter_ids, jobs=None):
    """{chapter: [Answer]} of every student's chapter files (a student without one is left out),
    fingerprinted on `jobs` processes (default: one per core)."""
    import os
    from concurrent.futures import ProcessPoolExecutor

    stubs = {c: stub_statements(c) for c in chapter_ids}
    boilerplate = {c: np.array(sorted(fingerprint("\n\n".join(s for _, s in stubs[c]), []).hashes), dtype=np.int64)
                   for c in chapter_ids}
    found = {c: [] for c in chapter_ids}
    names = list(students)
    with ProcessPoolExecutor(max_workers=jobs or os.cpu_count() or 1) as pool:
        for results in pool.map(_student, names, [students[n] for n in names], itertools.repeat(chapter_ids),
                                itertools.repeat(stubs), itertools.repeat(boilerplate), chunksize=4):
            for chapter, found_answer in results:
                found[chapter].append(found_answer)
    return found


def rank(answers_by_chapter):
    """{chapter: [Pair]} best first."""
    ranked = {}
    for chapter, answers in answers_by_chapter.items():
        pairs = [compare(chapter, a, b) for a, b in itertools.combinations(answers, 2)]
        ranked[chapter] = sorted(pairs, key=lambda p: (-p.score, p.a, p.b))
    return ranked


def run(students, chapter_ids):
    """(ranked pairs by chapter, answers by chapter, seconds)."""
    started = time.monotonic()
    answers = collect(students, chapter_ids)
    return rank(answers), answers, time.monotonic() - started


# ------------------------------------------------------------------ output
CSV_FIELDS = ["chapter", "student_a", "student_b", "score", "whole", "function", "function_name", "shared"]


def write_csv(ranked, path):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(CSV_FIELDS)
        for chapter, pairs in ranked.items():
            for p in pairs:
                writer.writerow([chapter, p.a, p.b, f"{p.score:.4f}", f"{p.whole:.4f}", f"{p.function:.4f}",
                                 p.function_name, p.shared])


def _marked(text, slices):
    from copydetect.utils import highlight_overlap

    if len(slices) == 0 or slices.shape[1] == 0:
        return html.escape(text)
    order = np.argsort(slices[0])
    marked, _ = highlight_overlap(text, slices[:, order], "<mark>", "</mark>", escape_html=True)
    return marked


PAGE = """<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font-family:system-ui,sans-serif;margin:1.5em;color:#222}} table{{border-collapse:collapse;margin:.5em 0 1.5em}}
td,th{{border:1px solid #ccc;padding:.25em .6em;text-align:left}} th{{background:#f3f3f3}}
.pair{{display:grid;grid-template-columns:1fr 1fr;gap:1em;margin-bottom:2em}}
pre{{background:#fafafa;border:1px solid #ddd;padding:.6em;overflow:auto;font-size:12px;white-space:pre-wrap}}
mark{{background:#ffd54f}} .score{{font-variant-numeric:tabular-nums}}
</style></head><body>
<h1>{title}</h1>
<p>{intro}</p>
{body}
</body></html>
"""


def write_html(ranked, answers, path, title, seconds):
    from nndl.i18n import language

    found_by = {(c, a.student): a for c, found in answers.items() for a in found}
    body = []
    for chapter, pairs in ranked.items():
        body.append(f"<h2 id='{chapter}'>{html.escape(chapter)}</h2>")
        if not pairs:
            body.append("<p>" + html.escape(t("fewer than two answers to compare")) + "</p>")
            continue
        rows = [f"<tr><th>#</th><th>{html.escape(t('student pair'))}</th><th>{html.escape(t('score'))}</th>"
                f"<th>{html.escape(t('whole answer'))}</th><th>{html.escape(t('one function'))}</th></tr>"]
        for number, p in enumerate(pairs[:SHOWN_PER_CHAPTER * 3], 1):
            link = f"<a href='#{chapter}-{number}'>{number}</a>" if number <= SHOWN_PER_CHAPTER else str(number)
            rows.append(f"<tr><td>{link}</td><td>{html.escape(p.a)} — {html.escape(p.b)}</td>"
                        f"<td class='score'>{p.score:.0%}</td><td class='score'>{p.whole:.0%}</td>"
                        f"<td class='score'>{p.function:.0%} {html.escape(p.function_name)}</td></tr>")
        body.append("<table>" + "".join(rows) + "</table>")
        for number, p in enumerate(pairs[:SHOWN_PER_CHAPTER], 1):
            left, right = marked(found_by[chapter, p.a], found_by[chapter, p.b])
            body.append(f"<h3 id='{chapter}-{number}'>{number}. {html.escape(p.a)} — {html.escape(p.b)}: "
                        f"{p.score:.0%}</h3><div class='pair'><div><b>{html.escape(p.a)}</b><pre>{left}</pre></div>"
                        f"<div><b>{html.escape(p.b)}</b><pre>{right}</pre></div></div>")
    intro = t("Pairs of answers per chapter, most similar first (copydetect's winnowing, as MOSS). Only the "
              "learners' own code is compared: docstrings, comments and the handout's code are left out, names "
              "do not count. Score: the larger share of one answer, or of one of its functions, found in the "
              "other. Marked: the shared regions. {students} students, {seconds:.1f} s.",
              students=len({s for found in answers.values() for s in (a.student for a in found)}), seconds=seconds)
    Path(path).write_text(PAGE.format(lang=language(), title=html.escape(title), intro=html.escape(intro),
                                      body="\n".join(body)), encoding="utf-8")


def summary(ranked, top=3):
    """The most similar pairs of each chapter, as lines for the terminal."""
    lines = []
    for chapter, pairs in ranked.items():
        best = [f"{p.a}–{p.b} {p.score:.0%}" for p in pairs[:top]]
        lines.append(f"{chapter}: " + (", ".join(best) if best else t("fewer than two answers to compare")))
    return "\n".join(lines)
