"""What the terminal shows: a report's table, chapter by chapter."""
from collections import OrderedDict
from itertools import groupby

import rich.console
from rich.table import Table

from nndl.i18n import t, tr


class Console(rich.console.Console):
    """rich's Console, except that a closed pipe (`nndl ... | head`) is Python's BrokenPipeError,
    which nndl.cli ends quietly with status 0, rather than rich's exit with status 1."""

    def on_broken_pipe(self):
        self.quiet = True
        raise BrokenPipeError


def by_chapter(results):
    chapters = OrderedDict()
    for result in results:
        chapters.setdefault(result.name.split("/")[0], []).append(result)
    return chapters


def print_report(report, title="nndl grade", console=None, show_passed=False):
    """Per chapter: score/max and the failed checks with their messages."""
    console = console or Console(highlight=False)
    table = Table(title=title, show_lines=True)
    table.add_column(t("chapter"), no_wrap=True)
    table.add_column(t("score"), justify="right", no_wrap=True)
    table.add_column(t("checks"), overflow="fold")
    missing = {}
    for chapter, results in by_chapter(report.results).items():
        if all(r.kind == "not_submitted" for r in results):   # one row for them all, below
            missing[chapter] = sum(r.max_score for r in results)
            continue
        score = sum(r.score for r in results)
        total = sum(r.max_score for r in results)
        passed = sum(r.status == "passed" for r in results)
        lines = [t("{passed}/{total} passed", passed=passed, total=len(results))]
        for output, group in groupby(results, key=lambda r: (r.status, r.output)):
            group = list(group)
            if output[0] == "passed" and not show_passed:
                continue
            mark = "✓" if output[0] == "passed" else "✗"
            names = t(", ").join(t("{check} ({visibility})", check=r.name.split("/", 1)[1],
                                   visibility=t(r.visibility)) for r in group) \
                if len(group) < len(results) or not all(r.kind in ("load", "syntax") for r in group) \
                else t("all {count} checks", count=len(group))   # the file itself failed: said once
            lines.append(t("{mark} {names}: {output}", mark=mark, names=names, output=output[1]))
        table.add_row(chapter, f"{score:g}/{total:g}", "\n".join(lines))
    if missing:
        table.add_row(t("not submitted"), f"0/{sum(missing.values()):g}",
                      t("{count} chapter(s): {chapters}", count=len(missing), chapters=t(", ").join(missing)))
    console.print(table)
    for warning in report.warnings:
        console.print(t("[yellow]warning:[/yellow] {warning}", warning=tr(warning)))
    console.print(t("Total: [bold]{score:g}/{max_score:g}[/bold] in {seconds:.1f} s — {sandbox}",
                    score=report.score, max_score=report.max_score,
                    seconds=report.execution_time, sandbox=tr(report.sandbox)))
