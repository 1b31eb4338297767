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
    # The check's name folds, so that the failures keep room in an 80-column terminal.
    table.add_column(t("check"), overflow="fold", max_width=26)
    table.add_column(t("passed"), justify="right", no_wrap=True)
    table.add_column(t("most common failures"), overflow="fold", min_width=20)
    for check in cohort.checks():
        top = [f"{count}× {message}" for message, count in check.failures.most_common(TOP_FAILURES)]
        table.add_row(check.name, f"{check.passed}/{check.graded}", "\n".join(top))
    console.print(table, markup=False)
    totals = cohort.totals()
    spread = percentiles([score for score, _ in totals.values()])
    top_score = max(m for _, m in totals.values())
    console.print(t("Scores out of {top:g}: {spread}", top=top_score,
                    spread=", ".join(f"{t(k)} {v:.4g}" for k, v in spread.items())), markup=False)


HARDEST = 12   # checks drawn in the plot's middle panel: those the fewest students passed


def plot(cohort, path):
    """Write a PNG that reads at a glance: the pass rate per chapter (left), the checks the fewest
    students passed (middle) and the histogram of total scores (right)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    from nndl.grader.reports.figures import fonts, say

    checks = cohort.checks()
    scores = [score for score, _ in cohort.totals().values()]
    top_score = max(m for _, m in cohort.totals().values())
    by_chapter = {}
    for check in checks:
        by_chapter.setdefault(check.name.split("/")[0], []).append(check)
    chapter_rates = {c: 100 * sum(k.passed for k in ks) / max(1, sum(k.graded for k in ks))
                     for c, ks in by_chapter.items()}
    hardest = sorted(checks, key=lambda c: (c.pass_rate, c.name))[:HARDEST]
    label = say(N_("students who passed (%), of {count}").format(count=len(cohort.students)))
    with plt.rc_context(fonts()):   # Chinese labels only where a font can draw them
        fig, (left, middle, right) = plt.subplots(1, 3, figsize=(15, 5.5),
                                                  gridspec_kw={"width_ratios": [4, 5, 3]})
        left.barh(range(len(chapter_rates)), list(chapter_rates.values()), color="tab:green")
        left.set_yticks(range(len(chapter_rates)), list(chapter_rates), fontsize=9)
        left.invert_yaxis()
        left.set_xlim(0, 100)
        left.set_xlabel(say(N_("checks passed (%), all students")))
        left.set_title(say(N_("per chapter")))
        middle.barh(range(len(hardest)), [100 * c.pass_rate for c in hardest], color="tab:red")
        middle.set_yticks(range(len(hardest)), [c.name.split("/", 1)[1] + "\n" + c.name.split("/")[0]
                                                 for c in hardest], fontsize=8)
        middle.invert_yaxis()
        middle.set_xlim(0, 100)
        middle.set_xlabel(label)
        middle.set_title(say(N_("the checks the fewest students passed")))
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
