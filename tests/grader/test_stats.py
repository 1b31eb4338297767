"""Cohort statistics: pass counts per check, the common failures, the score spread, a PNG."""
import json

import pytest

from nndl.grader import cli

from nndl.grader.reports import stats


def test_(name, passed, output="passed 3 case(s)", points=2.0):
    return {"name": name, "score": points if passed else 0.0, "max_score": points,
            "status": "passed" if passed else "failed", "output": output, "visibility": "visible"}


test_.__test__ = False  # a record builder, not a test


@pytest.fixture
def results(tmp_path):
    """Three students' results JSON in the shape `nndl grade --out` writes."""
    shape = "wrong answer — case {}/3 (batch of 4): shape (4, 3) should be (4,)"
    students = {
        "alice": [test_("ch02_activations/sigmoid", True), test_("ch02_activations/relu", True)],
        "bob": [test_("ch02_activations/sigmoid", False, shape.format(1)),
                test_("ch02_activations/relu", False, "not implemented — relu() still raises")],
        "carol": [test_("ch02_activations/sigmoid", False, shape.format(2) + "\nHint: axis"),
                  test_("ch02_activations/relu", True)],
    }
    for student, tests in students.items():
        data = {"score": sum(t["score"] for t in tests), "max_score": 4.0, "tests": tests}
        (tmp_path / f"{student}.json").write_text(json.dumps(data), encoding="utf-8")
    (tmp_path / "grades.csv").write_text("student,total\n", encoding="utf-8")
    return tmp_path


def test_pass_counts_and_common_failures(results):
    """Are passes counted per check, and failures that differ only in the case number grouped?"""
    cohort = stats.Cohort.load(results)
    assert list(cohort.students) == ["alice", "bob", "carol"]
    sigmoid, relu = cohort.checks()
    assert (sigmoid.name, sigmoid.passed, sigmoid.graded) == ("ch02_activations/sigmoid", 1, 3)
    assert sigmoid.failures.most_common() == [
        ("wrong answer — shape (4, 3) should be (4,)", 2)]
    assert (relu.passed, relu.graded) == (2, 3)
    assert relu.pass_rate == pytest.approx(2 / 3)


def test_score_distribution(results):
    """Are the totals summarised by min, median, mean and max?"""
    cohort = stats.Cohort.load(results)
    assert cohort.totals() == {"alice": (4.0, 4.0), "bob": (0.0, 4.0), "carol": (2.0, 4.0)}
    assert stats.percentiles([4.0, 0.0, 2.0]) == {"min": 0.0, "median": 2.0, "mean": 2.0, "max": 4.0}
    assert stats.percentiles([1.0, 3.0])["median"] == 2.0


def test_nndl_stats_prints_a_table_and_writes_a_png(results, capsys, monkeypatch):
    """Does `nndl stats RESULTS_DIR` print each check's pass count and write a PNG plot?"""
    monkeypatch.setenv("COLUMNS", "200")  # a wide terminal: no wrapped messages
    assert cli.main(["stats", str(results)]) == 0
    out = capsys.readouterr().out
    assert "ch02_activations/sigmoid" in out and "1/3" in out and "2/3" in out
    assert "2× wrong answer — shape (4, 3) should be (4,)" in out
    assert "min 0, median 2, mean 2, max 4" in out
    png = (results / "stats.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_nndl_stats_without_results_is_bad_usage(tmp_path, capsys):
    """Is an empty or missing results folder one line on stderr and exit 2?"""
    assert cli.main(["stats", str(tmp_path)]) == 2
    assert "no <student>.json results" in capsys.readouterr().err
    assert cli.main(["stats", str(tmp_path / "nope")]) == 2


def test_nndl_stats_in_chinese(results, capsys, monkeypatch):
    """With --lang zh, are the table's title, columns and the score line in Chinese?"""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("NNDL_LANG", raising=False)
    assert cli.main(["stats", str(results), "--lang", "zh"]) == 0
    out = capsys.readouterr().out
    assert "nndl 统计：3 名学生" in out and "最常见的失败" in out
    assert "满分 4，总分分布：最低 0, 中位数 2, 平均 2, 最高 4" in out
    assert "Scores out of" not in out and "most common failures" not in out


def test_stats_plot_in_chinese_draws_every_character(results, capsys, monkeypatch):
    """With --lang zh and a Chinese font installed, is the PNG drawn without a missing glyph?"""
    import warnings

    from nndl.grader.reports import figures

    if figures._cjk_font() is None:
        pytest.skip("no Chinese font installed (make installs fonts-wqy-microhei as root)")
    monkeypatch.delenv("NNDL_LANG", raising=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cli.main(["stats", str(results), "--lang", "zh"]) == 0
    assert not [w for w in caught if "missing from font" in str(w.message)]
    capsys.readouterr()
    assert (results / "stats.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def course_results(tmp_path):
    """20 students' results over every check of the course, failing more often in later chapters."""
    import random

    from nndl.grader.content import chapters

    rng = random.Random(0)
    names = [(f"{c}/{k.id}", k.visibility) for c in chapters.available() for k in chapters.checks(c)]
    for number in range(20):
        tests = []
        for index, (name, visibility) in enumerate(names):
            passed = rng.random() > index / len(names) * 0.8
            tests.append(dict(test_(name, passed, output="wrong answer — case 1/2 (a batch): NaN in 3 of 4 "
                                    "values where a finite number was expected"), visibility=visibility))
        data = {"score": sum(t["score"] for t in tests), "max_score": 2.0 * len(tests), "tests": tests}
        (tmp_path / f"student{number:02d}.json").write_text(json.dumps(data), encoding="utf-8")
    return tmp_path


def test_stats_reads_at_80_columns(course_results):
    from nndl.console import Console

    console = Console(width=80, record=True, highlight=False)
    stats.print_stats(stats.Cohort.load(course_results), console=console)
    text = console.export_text()
    assert max(len(line) for line in text.splitlines()) <= 80
    assert "NaN in 3 of 4 values" in " ".join(text.split())   # the failures column is there
    assert "ch11_vanishing_gradients" in text


def test_stats_plot_reads_at_a_glance(course_results):
    from matplotlib.image import imread

    png = stats.plot(stats.Cohort.load(course_results), course_results / "stats.png")
    height, width = imread(png).shape[:2]
    assert width <= 1600 and height <= 700, (width, height)
