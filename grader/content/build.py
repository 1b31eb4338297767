"""Generate the student edition and the model answers from source/.

Passes over the lines of a source file, in order:
1. check that the markers are balanced and not nested (a malformed file fails
   loudly instead of leaking a solution);
2. drop hidden-test regions (before anything else, so that a solution marker
   inside hidden tests can never survive);
3. replace solution regions by nbgrader's stub, or keep their code (answers);
4. replace jupytext's YAML header by the "generated from" line (the header
   must be a file's first line, and the generated line must be too; jupytext
   reads the result as a notebook all the same).
"""
import re
from pathlib import Path

from nndl.grader.content.chapters import EXERCISES_DIR, SOURCE_DIR, available

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
MARKER = re.compile(r"^(\s*)(### (?:BEGIN|END) (?:SOLUTION|HIDDEN TESTS))\s*$")
STUB = ("# YOUR CODE HERE", "raise NotImplementedError()")


class MarkerError(ValueError):
    """Unbalanced or nested nbgrader markers in a source file."""


def header(chapter, edition):
    return (f"# {edition} of the course, generated from source/{chapter}.py by `nndl build`; "
            f"course developers edit that file.\n")


def drop_yaml_header(lines):
    """Lines without a leading jupytext header (# --- ... # ---)."""
    if not lines or lines[0].rstrip() != "# ---":
        return lines
    for end, line in enumerate(lines[1:], 1):
        if line.rstrip() == "# ---":
            rest = lines[end + 1:]
            return rest[1:] if rest and not rest[0].strip() else rest
    return lines


def validate(lines, name):
    """Raise MarkerError unless every BEGIN has its END, with no nesting."""
    open_marker = None
    for number, line in enumerate(lines, 1):
        match = MARKER.match(line)
        if not match:
            continue
        marker = match.group(2)
        if marker.startswith("### BEGIN"):
            if open_marker:
                raise MarkerError(f"{name}:{number}: {marker} inside {open_marker}")
            open_marker = marker
        else:
            if open_marker is None or open_marker.replace("BEGIN", "END") != marker:
                raise MarkerError(f"{name}:{number}: {marker} without its BEGIN")
            open_marker = None
    if open_marker:
        raise MarkerError(f"{name}: {open_marker} is never closed")


def replace_regions(lines, begin, end, replacement=lambda indent: []):
    """lines with each begin..end region (markers included) replaced by replacement(its indent)."""
    out, inside = [], False
    for line in lines:
        marker = MARKER.match(line)
        if marker and marker.group(2) == begin:
            inside = True
            out += replacement(marker.group(1))
        elif marker and marker.group(2) == end:
            inside = False
        elif not inside:
            out.append(line)
    return out


def drop_region(lines, begin, end):
    return replace_regions(lines, begin, end)


def stub_solutions(lines):
    return replace_regions(lines, BEGIN_SOLUTION, END_SOLUTION,
                           lambda indent: [f"{indent}{stub}\n" for stub in STUB])


def keep_solutions(lines):
    return [line for line in lines if not (MARKER.match(line) and "SOLUTION" in line)]


DEMO_TRY = "try:  # a demo: it runs once the exercises it uses are done, and says which it waits for\n"
DEMO_EXCEPT = ("except (NotImplementedError, NameError) as unfinished:\n"
               "    import nndl\n"
               "    nndl.skipped(unfinished)\n")


def guard_demo(source):
    """A demo cell's code inside try/except, so that "Run All" on unfinished exercises goes on with
    one line per waiting demo (nndl.skipped) instead of stopping at a traceback."""
    body = source.rstrip("\n").splitlines(keepends=True)
    if not any(line.strip() for line in body):
        return source
    indented = "".join(("    " + line) if line.strip() else line for line in body)
    return DEMO_TRY + indented.rstrip("\n") + "\n" + DEMO_EXCEPT + source[len(source.rstrip("\n")) + 1:]


def guard_demos(lines):
    """lines with each py:percent demo cell's code guarded (guard_demo)."""
    out, cell, demo = [], [], False
    for line in lines + ["# %%\n"]:
        if line.startswith("# %%"):
            code = "".join(cell)
            if demo:
                stripped = code.rstrip("\n")
                code = guard_demo(stripped + "\n") + code[len(stripped) + 1:]
            out.append(code)
            cell, demo = [], '"demo"' in line.split("tags=")[-1] and "tags=" in line
            out.append(line)
        else:
            cell.append(line)
    return "".join(out[:-1]).splitlines(keepends=True)


def render(chapter, text, answers=False):
    """The student edition (stubs) or, with answers=True, the model answers."""
    lines = text.splitlines(keepends=True)
    validate(lines, f"source/{chapter}.py")
    lines = drop_region(drop_yaml_header(lines), BEGIN_HIDDEN, END_HIDDEN)
    lines = keep_solutions(lines) if answers else guard_demos(stub_solutions(lines))
    edition = "Model answers" if answers else "Student edition"
    return header(chapter, edition) + "".join(lines)


def release(outdir, answers=False, chapters=None):
    """Write one chapter file per chapter into outdir; return the paths."""
    outdir = Path(outdir)
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for chapter in chapters or available():
        text = (SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
        target = outdir / f"{chapter}.py"
        target.write_text(render(chapter, text, answers), encoding="utf-8")
        written.append(target)
    return written


def build_exercises():
    """Regenerate the committed exercises/ folder from source/."""
    return release(EXERCISES_DIR)


def stale_exercises():
    """Chapters whose committed exercise differs from what source/ generates."""
    stale = []
    for chapter in available():
        text = (SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8")
        target = EXERCISES_DIR / f"{chapter}.py"
        if not target.exists() or target.read_text(encoding="utf-8") != render(chapter, text):
            stale.append(chapter)
    return stale


# ------------------------------------------------------------- a learner's folder
RECORD = ".nndl-release.json"   # what `nndl release` last wrote into a folder: file -> SHA-256
NEW_DIR = "nndl-new"            # where a new version goes when the learner changed the file


class Handout:
    """What a release into a learner's folder did: files written, and files kept because the
    learner changed them since they were released (their new version written under NEW_DIR)."""

    def __init__(self, outdir, force=False):
        import json

        self.outdir, self.force = Path(outdir), force
        self.written, self.kept = [], []
        try:
            self.record = json.loads((self.outdir / RECORD).read_text(encoding="utf-8"))
            if not isinstance(self.record, dict):
                self.record = {}
        except (OSError, ValueError):
            self.record = {}

    def write(self, name, data):
        """Write outdir/name, unless the learner changed it: then keep theirs, and put this
        version under outdir/NEW_DIR/name. The path written."""
        import hashlib

        data = data.encode("utf-8") if isinstance(data, str) else data
        target = self.outdir / name
        digest = hashlib.sha256(data).hexdigest()
        if target.exists() and not self.force:
            current = hashlib.sha256(target.read_bytes()).hexdigest()
            if current not in (digest, self.record.get(name)):   # changed since it was released
                beside = self.outdir / NEW_DIR / name
                beside.parent.mkdir(parents=True, exist_ok=True)
                beside.write_bytes(data)
                self.kept.append((target, beside))
                return beside
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.record[name] = digest
        self.written.append(target)
        return target

    def save(self):
        import json

        (self.outdir / RECORD).write_text(json.dumps(self.record, indent=1, sort_keys=True) + "\n",
                                          encoding="utf-8")


def release_safely(outdir, answers=False, chapters=None, notebooks=False, force=False):
    """Release into a learner's folder without losing their work; a Handout (what was written
    and what was kept). Unchanged released files are refreshed; force overwrites all."""
    import jupytext

    handout = Handout(outdir, force)
    handout.outdir.mkdir(parents=True, exist_ok=True)
    for chapter in chapters or available():
        text = render(chapter, (SOURCE_DIR / f"{chapter}.py").read_text(encoding="utf-8"), answers)
        handout.write(f"{chapter}.py", text)
        if notebooks:
            handout.write(f"{chapter}.ipynb", jupytext.writes(jupytext.reads(text, fmt="py:percent"), fmt="ipynb"))
    handout.save()
    return handout
