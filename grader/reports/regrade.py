"""A regrade's difference: which students' scores and which checks' results changed.

``nndl grade SUBMISSIONS --out NEW --compare OLD`` grades into NEW as usual,
then compares each student's NEW/<student>.json with OLD/<student>.json (a
previous ``--out`` folder) check by check, before anything is published:
NEW/regrade.json and NEW/regrade.csv hold one row per student whose result
changed, with the old and new scores and the checks that changed.
"""
import csv
import json
from pathlib import Path

from nndl.grader.reports.stats import Cohort
from nndl.i18n import t


def _results(folder):
    """{student: {check name: test}} and {student: score} of a results folder (stats.Cohort reads it)."""
    students = Cohort.load(folder).students
    return ({student: {test["name"]: test for test in data["tests"]} for student, data in students.items()},
            {student: float(data["score"]) for student, data in students.items()})


def has_results(folder):
    return Path(folder).is_dir() and bool(_results(folder)[0])


def compare(old_dir, new_dir):
    """[{student, old, new, change, checks: [{name, old, new}]}] for each student whose results differ."""
    old_tests, old_scores = _results(old_dir)
    new_tests, new_scores = _results(new_dir)
    rows = []
    for student in sorted(set(old_tests) | set(new_tests)):
        before, after = old_tests.get(student, {}), new_tests.get(student, {})
        changed = []
        for name in sorted(set(before) | set(after)):
            a, b = before.get(name), after.get(name)
            key = lambda test: None if test is None else (test["score"], test["status"])  # noqa: E731
            if key(a) != key(b):
                changed.append({"name": name, "old": None if a is None else a["score"],
                                "new": None if b is None else b["score"]})
        if changed:
            old, new = old_scores.get(student), new_scores.get(student)
            rows.append({"student": student, "old": old, "new": new,
                         "change": None if old is None or new is None else round(new - old, 6),
                         "checks": changed})
    return rows


def write(rows, new_dir):
    """NEW/regrade.json and NEW/regrade.csv (a row per changed check)."""
    new_dir = Path(new_dir)
    (new_dir / "regrade.json").write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    with open(new_dir / "regrade.csv", "w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(["student", "old score", "new score", "check", "old", "new"])
        for row in rows:
            for check in row["checks"]:
                out.writerow([row["student"], row["old"], row["new"], check["name"], check["old"], check["new"]])


def summary(rows, total):
    """Lines for the terminal: each changed student with the score change and the checks."""
    if not rows:
        return t("regrade: no student's result changed ({total} compared)", total=total)
    lines = [t("regrade: {count} of {total} students' results changed", count=len(rows), total=total)]
    for row in rows:
        old = "-" if row["old"] is None else f"{row['old']:g}"
        new = "-" if row["new"] is None else f"{row['new']:g}"
        names = ", ".join(c["name"] for c in row["checks"])
        lines.append(f"  {row['student']}: {old} -> {new}  ({names})")
    return "\n".join(lines)
