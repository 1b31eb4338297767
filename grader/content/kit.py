"""The student kit: the learner's package and its compiled checks, written into a handout.

``nndl release DIR`` writes the chapter files and, beside them, what a student
installs with ``pip install DIR`` (offline: the build backend is in DIR itself
and needs nothing from an index): the ``nndl`` package as the repository's
``nndl/`` folder holds it, the learner's half only (no ``nndl.grader``, no
``nndl.solutions``) with the compiled visible checks. Its import name is
``nndl``, so notebooks' ``nndl.check(...)`` cells, ``nndl check`` and pytest
work as in the course's own clone.
"""
import importlib.metadata
import json
import shutil
from pathlib import Path

import nndl
from nndl.grader.content import wheel
from nndl.records import VISIBLE

KIT_NAME = "nndl-kit"
PACKAGE = Path(nndl.__file__).parent
# What the instructor's grader needs and a learner does not.
INSTRUCTOR_ONLY = ("nbgrader", "jupytext", "pytest", "copydetect", "distributed")

PYPROJECT = '''# The nndl student kit: `pip install .` here (no package index needed but for its dependencies).
[build-system]
requires = []
build-backend = "backend"
backend-path = ["_kit"]
'''

README = '''# nndl — the student kit

Each `chNN_*.py` file here is one chapter: a Python script that is also a
notebook (jupytext `py:percent`; `--format ipynb` releases give `.ipynb` files too).
Install the checker once, from this folder:

    pip install .

then fill in each `raise NotImplementedError()` and check your work:

    nndl check ch02_activations        # the visible checks of one chapter
    nndl check                         # every chapter in this folder
    nndl hint ch02_activations/softmax # a nudge; ask again for more
    nndl progress                      # how far you are
    nndl watch                         # re-check a chapter each time you save it
    pytest .                           # the same checks as pytest tests

In a notebook, the check cells call `nndl.check(...)`. The checks compare your
outputs with answers computed by the course's Keras references; the grader also
runs hidden checks, with inputs you do not see.
'''


def dependencies():
    """The learner's requirements: the grader's own, without what only instructors use."""
    requires = importlib.metadata.requires("nndl") or []
    return [r for r in requires if "extra ==" not in r
            and not r.split(";")[0].strip().lower().startswith(INSTRUCTOR_ONLY)]


def write_notebooks(paths):
    """An .ipynb beside each chapter file (for plain Jupyter or Colab); the notebooks' paths."""
    import jupytext

    written = []
    for path in paths:
        notebook = jupytext.reads(Path(path).read_text(encoding="utf-8"), fmt="py:percent")
        target = Path(path).with_suffix(".ipynb")
        jupytext.write(notebook, target, fmt="ipynb")
        written.append(target)
    return written


def hidden_strings(chapter):
    """The texts only the chapter's hidden checks use (case labels, hints): kept out of the kit's locale."""
    from nndl.compiled import COMPILED_DIR
    from nndl.grader.content import chapters
    from nndl.grader.config import DEFAULT_HIDDEN_SEED

    def texts(value, found):
        if isinstance(value, str):
            found.add(value)
        elif isinstance(value, (list, dict)):
            for item in value.values() if isinstance(value, dict) else value:
                texts(item, found)
        return found

    visible = texts(json.loads((COMPILED_DIR / f"{chapter}.json").read_text(encoding="utf-8")), set())
    hidden = set()
    for check in chapters.checks(chapter):
        if check.visibility != VISIBLE:
            hidden.add(check.hint)
            hidden.update(case.label for case in check.cases(check.rng(chapter, DEFAULT_HIDDEN_SEED)))
    return hidden - visible


def _strip_locale(package):
    """Drop the hidden checks' texts from each chapter's translations in the copied package."""
    for path in sorted((package / "locale").glob("*/ch*.json")):
        secret = hidden_strings(path.stem)
        entries = json.loads(path.read_text(encoding="utf-8"))
        kept = {k: v for k, v in entries.items() if k not in secret}
        path.write_text(json.dumps(kept, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def _allow_frameworks(package):
    """The kit's compiled checks without the from-scratch rule, and their manifest made again."""
    from nndl.grader.content import compile as compiler

    folder = package / "compiled"
    files = {}
    for path in sorted(folder.glob("ch*.*")):
        data = path.read_bytes()
        if path.suffix == ".json":
            record = json.loads(data)
            record["scratch"] = []
            data = (json.dumps(record, indent=1, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
            path.write_bytes(data)
        files[path.name] = data
    (folder / compiler.MANIFEST).write_text(json.dumps(compiler.manifest(files), indent=1) + "\n")


def write_kit(outdir, readme=None, from_scratch=True):
    """Write the kit's package, build backend, pyproject.toml and README into outdir; the paths.
    With from_scratch=False its visible checks do not enforce the from-scratch rule."""
    outdir = Path(outdir)
    target = outdir / "nndl"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(PACKAGE, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    _strip_locale(target)
    if not from_scratch:
        _allow_frameworks(target)
    (outdir / "_kit").mkdir(exist_ok=True)
    shutil.copyfile(wheel.__file__, outdir / "_kit" / "backend.py")  # stdlib only: runs on its own
    kit = {"name": KIT_NAME, "version": nndl.__version__, "requires_python": ">=3.10",
           "summary": "The learner's checker of the nndl course (compiled visible checks, no answers)",
           "dependencies": dependencies()}
    (outdir / "_kit" / "kit.json").write_text(json.dumps(kit, indent=1) + "\n", encoding="utf-8")
    (outdir / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (outdir / "README.md").write_text(readme or README, encoding="utf-8")
    return [target, outdir / "_kit", outdir / "pyproject.toml", outdir / "README.md"]
