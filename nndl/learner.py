"""The self-learner's loop: graded hints and progress over the fifteen chapters.

State lives in ``<exercises>/.nndl.json``, next to the learner's files:
for each chapter the hash of the file last checked and what its visible checks
gave, and for each exercise how many hints were shown. A chapter edited since
its last check is reported as such instead of with a stale score.
"""
import hashlib
import json
import re
import time
from pathlib import Path

from nndl import compiled
from nndl.course import UnknownName, checked_chapter, chapter_files
from nndl.i18n import N_, t, tr

STATE = ".nndl.json"
LEVELS = 3


class HintError(ValueError):
    """A hint was asked for something that is not an exercise."""


def load_state(folder):
    try:
        state = json.loads((Path(folder) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {"chapters": {}, "hints": {}}
    if not isinstance(state, dict):
        return {"chapters": {}, "hints": {}}
    state.setdefault("chapters", {})
    state.setdefault("hints", {})
    return state


def save_state(folder, state):
    path = Path(folder) / STATE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)


def file_hash(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _marks(state, chapter, results, when):
    """Remember each check's latest outcome (state["checks"][chapter][check id])."""
    marks = state.setdefault("checks", {}).setdefault(chapter, {})
    for result in results:
        marks[result.name.split("/", 1)[1]] = {"passed": result.status == "passed", "at": when}


def record(folder, report, files):
    """Remember what the visible checks gave for each checked chapter file (nndl check, pytest)."""
    state, when = load_state(folder), time.time()
    for chapter, path in files.items():
        results = [r for r in report.results if r.name.startswith(chapter + "/")]
        if path is None or not results:
            continue
        state["chapters"][chapter] = {
            "sha256": file_hash(path), "passed": sum(r.status == "passed" for r in results),
            "checks": len(results), "score": sum(r.score for r in results),
            "max_score": sum(r.max_score for r in results), "at": when}
        _marks(state, chapter, results, when)
    save_state(folder, state)


def record_checks(folder, chapter, results):
    """Remember the checks a notebook's nndl.check ran on one function (the file on disk may not
    hold that code yet, so no hash: they count until a later check of the whole file)."""
    state = load_state(folder)
    _marks(state, chapter, results, time.time())
    save_state(folder, state)


def progress(folder):
    """One row per chapter: (chapter, status, passed, visible checks); status in English.

    Counts are each check's latest outcome, from nndl check, pytest and notebooks alike. A
    chapter whose file changed after its last whole-file check, with no notebook check since,
    is "changed since the last check"."""
    state = load_state(folder)
    available = set(compiled.chapters())
    rows = []
    for chapter, path in chapter_files(folder).items():
        total = len(compiled.checks(chapter)) if chapter in available else 0
        seen = state["chapters"].get(chapter)
        marks = state.get("checks", {}).get(chapter) or {}
        marks = {k: v for k, v in marks.items() if isinstance(v, dict)}
        if path is None:
            rows.append((chapter, N_("no file"), 0, total))
            continue
        if seen is None and not marks:
            rows.append((chapter, N_("not checked yet"), 0, total))
            continue
        passed = sum(bool(m.get("passed")) for m in marks.values()) if marks else int(seen.get("passed", 0))
        newest = max((float(m.get("at", 0)) for m in marks.values()), default=0.0)
        if seen is not None and seen.get("sha256") != file_hash(path) and newest <= float(seen.get("at", 0)):
            rows.append((chapter, N_("changed since the last check"), passed, total))
        else:
            rows.append((chapter, N_("done") if passed == total else N_("in progress"), passed, total))
    return rows


def print_progress(rows, console=None):
    from nndl.console import Console
    from rich.progress_bar import ProgressBar
    from rich.table import Table

    console = console or Console(highlight=False)
    table = Table(title=t("nndl progress (visible checks)"))
    table.add_column(t("chapter"), no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column(t("passed"), justify="right", no_wrap=True)
    table.add_column(t("status"))
    for chapter, status, passed, total in rows:
        bar = ProgressBar(total=max(total, 1), completed=passed, width=20)
        table.add_row(chapter, bar, f"{passed}/{total}", t(status))
    console.print(table)
    done = sum(p for _, _, p, _ in rows)
    total = sum(t for _, _, _, t in rows)
    chapters_done = sum(status == "done" for _, status, _, _ in rows)
    overall = Table.grid(padding=(0, 1))
    overall.add_row(ProgressBar(total=max(total, 1), completed=done, width=40),
                    t("{done}/{total} visible checks passed", done=done, total=total))
    console.print(overall)
    console.print(t("{done}/{total} chapters done", done=chapters_done, total=len(rows))
                  + ("" if all(s in ("done", "in progress", "no file") for _, s, _, _ in rows)
                     else t(" — run `nndl progress --run` to check the rest")))


# ------------------------------------------------------------------ hints
def exercise(name):
    """(chapter, function, {"hints", "docstring"}) for "chapter/function" or "chapter/check id";
    raises HintError."""
    chapter, _, function = name.partition("/")
    try:
        checked_chapter(chapter, compiled.chapters())
    except UnknownName as exc:
        raise HintError(str(exc)) from None
    exercises = compiled.exercises(chapter)
    function = compiled.aliases(chapter).get(function, function)
    if function not in exercises:
        raise HintError(t("no exercise {function!r} in {chapter}; its exercises: {names}",
                          function=function, chapter=chapter, names=", ".join(sorted(exercises))))
    return chapter, function, exercises[function]


def _clauses(hint):
    """A hint's clauses: split at "; " (English) or "；" (Chinese)."""
    return [part.strip() for part in re.split(r";\s+|；\s*", hint) if part.strip()]


def hint_text(name, level):
    """The hint for an exercise at level 1 (a nudge), 2 (the approach) or 3 (the whole story)."""
    chapter, function, entry = exercise(name)
    clauses = []
    for hint in (tr(h) for h in entry["hints"]):
        clauses += [c for c in _clauses(hint) if c not in clauses]
    if not clauses:
        clauses = [t("read the docstring: it states the shapes and the formula")]
    key = f"{chapter}/{function}"
    if level <= 1:
        return t("Hint 1/{levels} for {exercise}: {clause}.", levels=LEVELS, exercise=key,
                 clause=clauses[0].rstrip("。"))
    steps = "\n".join(f"  - {c}" for c in clauses)
    if level == 2:
        return t("Hint 2/{levels} for {exercise}:", levels=LEVELS, exercise=key) + "\n" + steps
    doc = tr(entry["docstring"])
    doc = "\n".join("    " + line for line in doc.splitlines())
    return (t("Hint 3/{levels} for {exercise} — the contract, then every pitfall the checks "
              "look for:", levels=LEVELS, exercise=key) + f"\n{doc}\n{steps}\n" +
            t("Run `nndl check {chapter}` to see the failing case and by how much it is off.",
              chapter=chapter))


def next_hint(folder, name, level=None):
    """The next hint for an exercise (or the one at level), remembering how far the learner got."""
    chapter, function, _ = exercise(name)
    key = f"{chapter}/{function}"
    state = load_state(folder)
    if level is None:
        level = min(int(state["hints"].get(key, 0)) + 1, LEVELS)
    if not 1 <= level <= LEVELS:
        raise HintError(t("--level must be 1 to {levels}", levels=LEVELS))
    text = hint_text(key, level)
    if Path(folder).is_dir():
        state["hints"][key] = max(level, int(state["hints"].get(key, 0)))
        save_state(folder, state)
    return text


# ------------------------------------------------------------------ watch
def snapshot(folder):
    """chapter file -> (mtime_ns, size) for the chapter files in folder."""
    out = {}
    for path in chapter_files(folder).values():
        if path is not None:
            try:
                stat = path.stat()
            except OSError:
                continue
            out[path] = (stat.st_mtime_ns, stat.st_size)
    return out


def watch(folder, on_change, interval=0.5, rounds=None, on_ready=None):
    """Call on_change(chapter, path) whenever a chapter file in folder is saved.

    Polls (no extra dependency, works on every file system); rounds bounds the
    loop for callers that must stop, None runs until interrupted. on_ready()
    is called once the starting state is taken: every save after it is seen,
    including one made while on_change runs.
    """
    seen = snapshot(folder)
    if on_ready is not None:
        on_ready()
    done = 0
    while rounds is None or done < rounds:
        time.sleep(interval)
        done += 1
        now = snapshot(folder)
        for path, stamp in sorted(now.items()):
            if seen.get(path) != stamp:
                on_change(path.stem, path)
        seen = now     # a save during on_change differs from it: checked at the next round
