"""Gradescope: build an autograder bundle, and be its ``run_autograder``.

``build_bundle(OUT.zip)`` writes what Gradescope asks for: ``setup.sh`` (run
once when the image is built: installs the wheel of this grader that the
bundle carries, made from the installed nndl, not from a checkout) and
``run_autograder`` (run per submission). Gradescope unzips
the bundle into ``/autograder/source`` and the student's files arrive in
``/autograder/submission``; ``main`` grades them and writes
``/autograder/results/results.json``. ``NNDL_AUTOGRADER_ROOT`` stands in for
``/autograder`` (tests use a temporary folder).

results.json is rewritten after every check, starting with every check at
zero "not graded yet", so that Gradescope's global time-out still leaves
every check graded so far.
"""
import argparse
import contextlib
import importlib.metadata
import importlib.resources
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

from nndl.grader.content import chapters
from nndl.grader.config import GraderConfig, autograder_root, hidden_seed_set
from nndl.i18n import N_, t, tr

SETTINGS = "nndl_settings.json"
DISTRIBUTION = "nndl"
TEST_KEYS = ("name", "score", "max_score", "status", "output", "visibility")

SETUP_SH = """#!/usr/bin/env bash
# Gradescope runs this once, when it builds the autograder image.
set -euo pipefail
apt-get update -qq
apt-get install -y -qq python3 python3-pip python3-venv bubblewrap
python3 -m venv /autograder/nndl-venv
/autograder/nndl-venv/bin/python -m pip install --quiet --upgrade pip
/autograder/nndl-venv/bin/python -m pip install --quiet /autograder/source/{wheel}
"""

RUN_AUTOGRADER = """#!/usr/bin/env bash
# Gradescope runs this for every submission: grades /autograder/submission and
# writes /autograder/results/results.json (NNDL_AUTOGRADER_ROOT replaces /autograder).
set -euo pipefail
ROOT="${NNDL_AUTOGRADER_ROOT:-/autograder}"
PYTHON="${NNDL_PYTHON:-/autograder/nndl-venv/bin/python}"
exec "$PYTHON" -m nndl.grader.integrations.gradescope --root "$ROOT"
"""


VISIBILITIES = ("hidden", "after_due_date", "after_published", "visible")


NO_SEED = N_("no course seed: set NNDL_HIDDEN_SEED (kept secret), or pass --public-seed to grade "
             "hidden checks on the public default seed")


class NoSeed(ValueError):
    """A bundle was asked for without a course seed: its hidden checks would use the public one."""


def build_bundle(out_zip, hidden_seed=None, chapters_wanted=None, public_seed=False, hidden_visibility=None,
                 from_scratch=True):
    """Write the autograder zip; the list of names in it.

    The hidden seed (NNDL_HIDDEN_SEED when not given) goes into the bundle's
    settings, which Gradescope keeps out of the students' reach. Without one the
    bundle is refused (NoSeed) unless public_seed: hidden checks on the public
    default seed are hidden from no one who read the grader. chapters_wanted
    limits the bundle to those chapters; hidden_visibility sets when students
    see the hidden checks' results (Gradescope's visibility, e.g. after_due_date);
    from_scratch=False turns the chapters' from-scratch rule off.
    """
    if hidden_seed is None and hidden_seed_set():
        hidden_seed = GraderConfig.from_env().hidden_seed
    if hidden_seed is None and not public_seed:
        raise NoSeed(NO_SEED)
    settings = {"hidden_seed": hidden_seed} if hidden_seed is not None else {}
    if chapters_wanted:
        settings["chapters"] = list(chapters_wanted)
    if hidden_visibility:
        settings["hidden_visibility"] = hidden_visibility
    if not from_scratch:
        settings["from_scratch"] = False
    names = []
    with tempfile.TemporaryDirectory() as folder, zipfile.ZipFile(out_zip, "w", zipfile.ZIP_DEFLATED) as bundle:
        built = grader_wheel(folder)
        bundle.write(Path(folder) / built, built)
        names.append(built)
        for name, text in (("setup.sh", SETUP_SH.format(wheel=built)), ("run_autograder", RUN_AUTOGRADER)):
            info = zipfile.ZipInfo(name)
            info.external_attr = 0o755 << 16
            bundle.writestr(info, text)
            names.append(name)
        bundle.writestr(SETTINGS, json.dumps(settings) + "\n")
        names.append(SETTINGS)
    return names


def grader_wheel(folder):
    """A wheel of the installed grader (package, suites, references, chapter texts) in folder; its name.

    Made from the installed files, so it works from an editable checkout and a
    regular install alike; its metadata and entry points are the installed ones.
    """
    from nndl.grader.content import wheel

    distribution = importlib.metadata.distribution(DISTRIBUTION)
    files = {}
    for package, arcname in (("nndl", "nndl"), ("nndl.grader", "nndl/grader"),
                             ("nndl.solutions", "nndl/solutions")):
        files.update(wheel.tree(str(importlib.resources.files(package)), arcname))
    files.update(wheel.tree(str(chapters.SOURCE_DIR), "nndl/grader/source"))
    contents = [(name, Path(path).read_bytes()) for name, path in sorted(files.items())]
    meta = wheel.metadata(DISTRIBUTION, distribution.version, distribution.metadata["Summary"],
                          distribution.metadata["Requires-Python"], distribution.requires or [])
    return wheel.pack(folder, DISTRIBUTION, distribution.version, contents, meta,
                      distribution.read_text("entry_points.txt") or "")


def gradescope_test(result, hidden_visibility=None):
    """A Result as a test of Gradescope's results.json (its keys only); a hidden check's visibility
    is hidden_visibility when the instructor set one."""
    test = {key: result.as_json()[key] for key in TEST_KEYS}
    if hidden_visibility and test["visibility"] == "hidden":
        test["visibility"] = hidden_visibility
    return test


def pending_tests(chapter_ids, hidden_visibility=None):
    """Every check at zero, for the results written before grading starts."""
    return {c: [{"name": f"{c}/{k.id}", "score": 0.0, "max_score": float(k.points),
                 "status": "failed",
                 "visibility": hidden_visibility if hidden_visibility and k.visibility == "hidden" else k.visibility,
                 "output": t("not graded yet: the autograder stopped (time-out) before this check")}
                for k in chapters.checks(c)] for c in chapter_ids}


def write_results(path, tests_by_chapter, started, output):
    """(Re)write results.json atomically: a reader never sees half a file."""
    tests = [t for chapter_tests in tests_by_chapter.values() for t in chapter_tests]
    data = {"score": sum(t["score"] for t in tests), "execution_time": round(time.monotonic() - started),
            "output": output, "visibility": "visible", "stdout_visibility": "hidden", "tests": tests}
    partial = path.with_suffix(".json.part")
    partial.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(partial, path)
    return data


def find_submission(folder):
    """{chapter: file} and warnings; looks one folder down when the files were uploaded in one."""
    from nndl.grader.grading import submission

    files, warnings = submission.find(folder)
    if not files:
        for sub in sorted(p for p in folder.iterdir() if p.is_dir()):
            found, more = submission.find(sub)
            if found:
                return found, more
    return files, warnings


def main_root(root):
    """Grade root/submission into root/results/results.json, check by check."""
    from nndl.grader.grading import harness
    from nndl.grader.processes import sandbox

    started = time.monotonic()
    root = Path(root)
    results = root / "results" / "results.json"
    results.parent.mkdir(parents=True, exist_ok=True)
    settings_file = root / "source" / SETTINGS
    settings = json.loads(settings_file.read_text()) if settings_file.is_file() else {}
    wanted = [c for c in settings.pop("chapters", None) or chapters.available() if c in chapters.available()]
    hidden_visibility = settings.pop("hidden_visibility", None)
    config = GraderConfig.from_env(**settings)
    tests = pending_tests(wanted, hidden_visibility)
    try:
        files, warnings = find_submission(root / "submission")
        kind = sandbox.choose(config.sandbox)
    except Exception as exc:  # noqa: BLE001 - the student must still see a result
        write_results(results, tests, started, t("Your submission could not be graded: {error}", error=exc))
        return 0
    lines = [t("Graded by nndl: {sandbox}.", sandbox=tr(sandbox.describe(kind))), *map(tr, warnings)]
    submitted = ", ".join(files) or t("no chapter files (expected e.g. ch02_activations.py or .ipynb)")
    lines.append(t("Chapters found: {chapters}.", chapters=submitted))
    write_results(results, tests, started, "\n".join(lines + [t("Grading...")]))
    with harness.WarmPool(config, 1, harness.preload_for(files.values())) if config.warm \
            else contextlib.nullcontext() as pool:
        for chapter in wanted:
            def graded(index, result, chapter=chapter):
                tests[chapter][index] = gradescope_test(result, hidden_visibility)
                write_results(results, tests, started,
                              "\n".join(lines + [t("Graded up to {check}.", check=result.name)]))
            harness.grade_chapter(chapter, files.get(chapter), config, pool=pool, on_result=graded)
    write_results(results, tests, started, "\n".join(lines))
    return 0


def main(argv=None):
    p = argparse.ArgumentParser(prog="python -m nndl.grader.integrations.gradescope",
                                description="Gradescope's run_autograder: grade ROOT/submission.")
    p.add_argument("--root", default=autograder_root())
    return main_root(p.parse_args(argv).root)


if __name__ == "__main__":
    sys.exit(main())
