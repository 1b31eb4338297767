"""Cohort statistics over a results folder: what an instructor looks at after a batch.

Per check: how many students passed, and the most common failure messages
(their first line, so that one wrong shape reads the same for everyone).
Over the class: the distribution of total scores. ``print_stats`` shows a
table; ``plot`` writes a PNG (matplotlib's Agg backend, no display needed).
"""
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from nndl.i18n import N_, t

TOP_FAILURES = 3
SPREAD = (N_("min"), N_("median"), N_("mean"), N_("max"))  # percentiles' keys, translated in the table


@dataclass
class CheckStats:
    """One check over the class."""

    name: str
    max_score: float
    passed: int = 0
    graded: int = 0
    failures: Counter = field(default_factory=Counter)

    @property
    def pass_rate(self):
        return self.passed / self.graded if self.graded else 0.0


@dataclass
class Cohort:
    """Every student's results JSON, and the statistics derived from them."""

    students: dict  # student -> results JSON

    @classmethod
    def load(cls, folder):
        """The <student>.json files of a results folder (grades.csv and others are skipped)."""
        students = {}
        for path in sorted(Path(folder).glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            if isinstance(data, dict) and isinstance(data.get("tests"), list):
                students[path.stem] = data
        return cls(students)

    def checks(self):
        """[CheckStats] in the order the checks were graded."""
        found = {}
        for data in self.students.values():
            for test in data["tests"]:
                stats = found.setdefault(test["name"], CheckStats(test["name"], test["max_score"]))
                stats.graded += 1
                if test["status"] == "passed":
                    stats.passed += 1
                else:
                    stats.failures[failure_line(test["output"])] += 1
        return list(found.values())

    def totals(self):
        """{student: (score, max_score)}."""
        return {s: (d["score"], d["max_score"]) for s, d in self.students.items()}


def failure_line(output):
    """The first line of a failure message, without its case number (cases differ per student)."""
    line = output.splitlines()[0] if output and output.strip() else "(no message)"
    line = re.sub(r"case \d+/\d+ \([^)]*\): ", "", line)
    return line if len(line) <= 100 else line[:97] + "..."


def percentiles(values):
    """min, median, mean and max of a list of numbers."""
    ordered = sorted(values)
    n = len(ordered)
    median = (ordered[(n - 1) // 2] + ordered[n // 2]) / 2
    return {"min": ordered[0], "median": median, "mean": sum(ordered) / n, "max": ordered[-1]}


def print_stats(cohort, console=None):
    """A table of checks (passed n/N and the top failures) and a line on the totals."""
    from nndl.console import Console
    from rich.table import Table

    console = console or Console(highlight=False)
    table = Table(title=t("nndl stats: {count} students", count=len(cohort.students)), show_lines=True)
    table.add_column(t("check"), no_wrap=True)
    table.add_column(t("passed"), justify="right", no_wrap=True)
    table.add_column(t("most common failures"), overflow="fold")
    for check in cohort.checks():
        top = [f"{count}× {message}" for message, count in check.failures.most_common(TOP_FAILURES)]
        table.add_row(check.name, f"{check.passed}/{check.graded}", "\n".join(top))
    console.print(table, markup=False)
    totals = cohort.totals()
    spread = percentiles([score for score, _ in totals.values()])
    top_score = max(m for _, m in totals.values())
    console.print(t("Scores out of {top:g}: {spread}", top=top_score,
                    spread=", ".join(f"{t(k)} {v:.4g}" for k, v in spread.items())), markup=False)


def plot(cohort, path):
    """Write a PNG: pass rate per check (left) and the histogram of total scores (right)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from nndl.grader.reports.figures import fonts, say

    checks = cohort.checks()
    scores = [score for score, _ in cohort.totals().values()]
    top_score = max(m for _, m in cohort.totals().values())
    height = max(4.0, 0.22 * len(checks) + 1.5)
    with plt.rc_context(fonts()):   # Chinese labels only where a font can draw them
        fig, (left, right) = plt.subplots(1, 2, figsize=(13, height),
                                          gridspec_kw={"width_ratios": [3, 2]})
        names = [c.name for c in checks]
        left.barh(range(len(checks)), [100 * c.pass_rate for c in checks], color="tab:green")
        left.set_yticks(range(len(checks)), names, fontsize=7)
        left.invert_yaxis()
        left.set_xlim(0, 100)
        left.set_xlabel(say(N_("students who passed (%), of {count}").format(count=len(cohort.students))))
        left.set_title(say(N_("per check")))
        right.hist(scores, bins=min(20, max(5, len(scores))), range=(0, top_score or 1), color="tab:blue")
        right.set_xlabel(say(N_("total score (out of {top})").format(top=f"{top_score:g}")))
        right.set_ylabel(say(N_("students")))
        right.yaxis.set_major_locator(MaxNLocator(integer=True))
        right.set_title(say(N_("score distribution")))
        fig.tight_layout()
        path = Path(path)
        fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
