"""Present a Report: a terminal table per chapter, and the results JSON."""
import json
import os
from pathlib import Path

from nndl.console import by_chapter, print_report  # noqa: F401 - the CLI's
from nndl.i18n import N_

VISIBILITIES = (N_("visible"), N_("hidden"), N_("after_due_date"))   # a Result's, shown with t()


def write_json(report, path, key=None):
    """The results JSON (with a batch's key of what was graded, if given), written to a temporary
    file then renamed: a grader killed while writing leaves the old file or the new one, never half."""
    data = report.as_json()
    if key is not None:
        data["key"] = key
    temporary = Path(path).with_name(f".{Path(path).name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(temporary, path)


# ------------------------------------------------------------------ HTML
def _png(figure):
    """A matplotlib figure as a data: URL (the report needs no other file)."""
    import base64
    import io

    import matplotlib.pyplot as plt

    from nndl.grader.reports.figures import fonts

    buffer = io.BytesIO()
    with plt.rc_context(fonts()):   # text is laid out at saving: with the fonts it was made for
        figure.savefig(buffer, format="png", dpi=90, bbox_inches="tight")
    plt.close(figure)
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _scores_plot(chapters):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from nndl.grader.reports.figures import fonts, say

    names = list(chapters)
    shares = [sum(r.score for r in rs) / max(sum(r.max_score for r in rs), 1e-12)
              for rs in chapters.values()]
    with plt.rc_context(fonts()):
        figure, axes = plt.subplots(figsize=(7, 0.35 * len(names) + 1))
        axes.barh(names, [100 * s for s in shares],
                  color=["#2e7d32" if s == 1 else "#f9a825" if s > 0 else "#c62828" for s in shares])
        axes.set_xlim(0, 100)
        axes.invert_yaxis()
        axes.set_xlabel(say("% of the chapter's points"))
        return _png(figure)


def _case_plot(name, data):
    """A check's picture (figures.py: values, decision boundaries or learning curves) as a data: URL."""
    from nndl.grader.reports import figures

    return _png(figures.draw(name, data))


def _picture(result):
    """The <img> of a result's figure, or ''; its class names the kind of picture."""
    import html

    from nndl.grader.reports import figures
    from nndl.i18n import t

    if result.figure is None:
        return ""
    kind = result.figure.get("kind", "values")
    alt = t(figures.ALT.get(kind, figures.ALT["values"]))
    return (f'<img class="plot {html.escape(kind)}" alt="{html.escape(alt)}" '
            f'src="{_case_plot(result.name, result.figure)}">')


def write_html(report, path, title="nndl report"):
    """A self-contained feedback page: the score per chapter (table and bars), every message,
    and for a failed visible check a picture: the learner's output against the reference,
    decision boundaries, or learning curves (figures.py)."""
    import html

    from nndl.i18n import language, t, tr

    chapters = by_chapter(report.results)
    rows, sections = [], []
    for chapter, results in chapters.items():
        score = sum(r.score for r in results)
        total = sum(r.max_score for r in results)
        passed = sum(r.status == "passed" for r in results)
        rows.append(f"<tr><td>{html.escape(chapter)}</td><td class=num>{score:g}/{total:g}</td>"
                    f"<td class=num>{passed}/{len(results)}</td></tr>")
        items = []
        for r in results:
            mark = "✓" if r.status == "passed" else "✗"
            items.append(f'<li class="{r.status}"><b>{mark} {html.escape(r.name.split("/", 1)[1])}'
                         f'</b> ({html.escape(t(r.visibility))}, {r.score:g}/{r.max_score:g})'
                         f'<pre>{html.escape(r.output)}</pre>{_picture(r)}</li>')
        sections.append(f"<h2>{html.escape(chapter)}</h2><ul>{''.join(items)}</ul>")
    warnings = "".join(f"<p class=warning>{html.escape(tr(w))}</p>" for w in report.warnings)
    total = t("Total: {score} in {seconds:.1f} s — {sandbox}",
              score=f"<b>{report.score:g}/{report.max_score:g}</b>", seconds=report.execution_time,
              sandbox=html.escape(tr(report.sandbox)))
    headers = "".join(f"<th>{html.escape(t(h))}</th>" for h in ("chapter", "score", "checks passed"))
    page = f"""<!doctype html>
<html lang="{language()}"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: .3em .8em; }}
td.num {{ text-align: right; }} li {{ margin: .6em 0; list-style: none; }}
li.passed b {{ color: #2e7d32; }} li.failed b {{ color: #c62828; }}
pre {{ white-space: pre-wrap; background: #f6f6f6; padding: .4em; margin: .2em 0; }}
.warning {{ color: #8a6d00; }} img.plot {{ display: block; max-width: 100%; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p id=total>{total}</p>{warnings}
<table id=scores><tr>{headers}</tr>{''.join(rows)}</table>
<img class=plot id=bars alt="{html.escape(t("score per chapter"))}" src="{_scores_plot(chapters)}">
{''.join(sections)}
<script>
// For checks and tests: how many pictures the browser decoded (all, and per kind), the
// table's rows, and where each picture lies on the page.
addEventListener("load", () => {{
  const decoded = [...document.images].filter(i => i.complete && i.naturalWidth > 0);
  document.body.dataset.plots = decoded.length;
  for (const kind of ["values", "boundary", "curves"])
    document.body.dataset[kind] = decoded.filter(i => i.classList.contains(kind)).length;
  document.body.dataset.rows = document.querySelectorAll("#scores tr").length - 1;
  for (const image of document.images) {{
    const box = image.getBoundingClientRect();
    image.dataset.box = [box.left, box.top + scrollY, box.width, box.height].map(Math.round).join(",");
  }}
}});
</script>
</body></html>
"""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(page)
