"""report: a table per chapter with the failed checks' messages, and the results JSON."""
import json

from rich.console import Console

from nndl.grader.reports import report
from nndl.grader.content.check import Result
from nndl.grader.grading.harness import Report

RESULTS = [
    Result("ch01_perceptron/step", 1.0, 1.0, "passed", "passed 2 case(s)", "visible"),
    Result("ch02_activations/relu", 0.0, 1.0, "failed", "wrong answer — shape", "visible", "wrong"),
    Result("ch02_activations/relu_hidden", 0.0, 2.0, "failed", "wrong answer — shape", "hidden", "wrong"),
]


def render(**kwargs):
    console = Console(record=True, width=200, highlight=False)
    report.print_report(Report(RESULTS, 1.5, "some sandbox", ["ignored x.txt"]), console=console, **kwargs)
    return console.export_text()


def test_table_shows_scores_and_failures():
    """Does the table give each chapter's score and group identical failures?"""
    text = render()
    assert "1/1" in text and "0/3" in text
    assert "✗ relu (visible), relu_hidden (hidden): wrong answer — shape" in text
    assert "passed 2 case(s)" not in text
    assert "warning: ignored x.txt" in text
    assert "Total: 1/4 in 1.5 s — some sandbox" in text


def test_passed_checks_on_request():
    """Are passed checks listed when show_passed is set (nndl check)?"""
    assert "✓ step (visible): passed 2 case(s)" in render(show_passed=True)


def test_write_json(tmp_path):
    """Is the JSON file the report's as_json, with score as the sum of the tests?"""
    path = tmp_path / "results.json"
    report.write_json(Report(RESULTS, 1.5, "some sandbox"), path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert (data["score"], data["max_score"], data["execution_time"]) == (1.0, 4.0, 1.5)
    assert [t["name"] for t in data["tests"]] == [r.name for r in RESULTS]
