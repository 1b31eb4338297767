"""Present a Report: a terminal table per chapter, and the results JSON."""
import json
from collections import OrderedDict
from itertools import groupby

from rich.console import Console
from rich.table import Table


def by_chapter(results):
    chapters = OrderedDict()
    for result in results:
        chapters.setdefault(result.name.split("/")[0], []).append(result)
    return chapters


def print_report(report, title="nndl grade", console=None, show_passed=False):
    """Per chapter: score/max and the failed checks with their messages."""
    console = console or Console(highlight=False)
    table = Table(title=title, show_lines=True)
    table.add_column("chapter", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("checks", overflow="fold")
    for chapter, results in by_chapter(report.results).items():
        score = sum(r.score for r in results)
        total = sum(r.max_score for r in results)
        passed = sum(r.status == "passed" for r in results)
        lines = [f"{passed}/{len(results)} passed"]
        for output, group in groupby(results, key=lambda r: (r.status, r.output)):
            group = list(group)
            if output[0] == "passed" and not show_passed:
                continue
            mark = "✓" if output[0] == "passed" else "✗"
            names = ", ".join(f"{r.name.split('/', 1)[1]} ({r.visibility})" for r in group)
            lines.append(f"{mark} {names}: {output[1]}")
        table.add_row(chapter, f"{score:g}/{total:g}", "\n".join(lines))
    console.print(table)
    for warning in report.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")
    console.print(f"Total: [bold]{report.score:g}/{report.max_score:g}[/bold] "
                  f"in {report.execution_time:.1f} s — {report.sandbox}")


def write_json(report, path):
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(report.as_json(), handle, indent=2, ensure_ascii=False)
        handle.write("\n")
