"""`nndl grade --html`: a self-contained feedback page, opened in headless Chromium.

Two pages: a ch02 submission whose sigmoid is 1 - sigmoid (the output over the
reference), and a ch01 + ch06 submission whose perceptron and learning-slowdown
experiment are wrong (decision boundaries and learning curves).
"""
import re
import shutil
import subprocess
import warnings

import matplotlib.image
import numpy as np
import pytest

from nndl.grader.content import chapters

from nndl.grader import cli

from nndl.grader.reports import figures

CH02 = "ch02_activations"
RIGHT = "np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))"
FLIPPED = "np.where(x >= 0, e / (1.0 + e), 1.0 / (1.0 + e))"    # 1 - sigmoid
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def page(tmp_path_factory, answers_dir):
    """The feedback page of a ch02 submission whose sigmoid is 1 - sigmoid."""
    folder = tmp_path_factory.mktemp("html")
    text = (answers_dir / f"{CH02}.py").read_text(encoding="utf-8")
    assert RIGHT in text
    (folder / "work").mkdir()
    (folder / "work" / f"{CH02}.py").write_text(text.replace(RIGHT, FLIPPED, 1), encoding="utf-8")
    html = folder / "report.html"
    assert cli.main(["grade", str(folder / "work"), "--chapter", CH02, "--html", str(html)]) == 0
    return html


def test_page_has_the_scores_messages_and_a_plot(page):
    """Does the page hold the score table, each message and a picture of the wrong sigmoid, inline?"""
    text = page.read_text(encoding="utf-8")
    total = sum(k.points for k in chapters.checks(CH02))
    assert re.search(rf"<td>{CH02}</td><td class=num>\d+/{total:g}</td>", text)
    assert "your output is 1 - the right one" in text
    assert text.count('alt="your output against the reference"') >= 1     # sigmoid's visible check
    assert "http" not in text.replace("http-equiv", "")                      # nothing fetched


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make installs it as root)")
def test_page_renders_in_chromium(page, tmp_path):
    """Does headless Chromium render the table and decode every plot, and is the screenshot not blank?"""
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    dom = subprocess.run([CHROMIUM, *FLAGS, *profile, "--dump-dom", page.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    plots = int(re.search(r'data-plots="(\d+)"', dom).group(1))
    assert plots == page.read_text(encoding="utf-8").count("<img") and plots >= 2
    assert 'data-rows="1"' in dom
    shot = tmp_path / "shot.png"
    subprocess.run([CHROMIUM, *FLAGS, *profile, "--window-size=1000,1400",
                    f"--screenshot={shot}", page.as_uri()], capture_output=True, timeout=120)
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (1400, 1000)
    reds = (pixels[..., 0] > 0.6) & (pixels[..., 1] < 0.3) & (pixels[..., 2] < 0.3)
    oranges = (pixels[..., 0] > 0.9) & (np.abs(pixels[..., 1] - 0.66) < 0.1) & (pixels[..., 2] < 0.3)
    assert reds.sum() > 200 and oranges.sum() > 1000     # the ✗ marks and the learner's curve; the bar


# ch01: the bias subtracted in the prediction, never updated in training; ch06: the
# cross-entropy run uses the quadratic cost's delta, so it learns as slowly.
PICTURES = {
    "ch01_perceptron": [("return step(np.asarray(X) @ np.asarray(w) + b)",
                         "return step(np.asarray(X) @ np.asarray(w) - b)"),
                        ("            b = b + eta * error\n", "            b = b + 0.0 * error\n")],
    "ch06_cross_entropy": [("delta = a - y  # sigma'(z) has cancelled: no slowdown",
                            "delta = (a - y) * a * (1.0 - a)")],
}
REFERENCE_BLUE, YOURS_RED = (0x90 / 255, 0xca / 255, 0xf9 / 255), (0xc6 / 255, 0x28 / 255, 0x28 / 255)


@pytest.fixture(scope="module")
def pictures(tmp_path_factory, answers_dir):
    """The feedback page of a submission with a wrong perceptron and a wrong slowdown experiment."""
    folder = tmp_path_factory.mktemp("pictures")
    (folder / "work").mkdir()
    for chapter, edits in PICTURES.items():
        text = (answers_dir / f"{chapter}.py").read_text(encoding="utf-8")
        for old, new in edits:
            assert old in text
            text = text.replace(old, new, 1)
        (folder / "work" / f"{chapter}.py").write_text(text, encoding="utf-8")
    html = folder / "report.html"
    args = ["grade", str(folder / "work"), "--html", str(html)]
    assert cli.main(args + [f"--chapter={c}" for c in PICTURES]) == 0
    return html


def test_page_has_boundaries_and_learning_curves_for_visible_checks_only(pictures):
    """Do the perceptron's failed visible checks show decision boundaries and the slowdown
    experiment a learning curve, while no hidden check shows a picture?"""
    text = pictures.read_text(encoding="utf-8")
    items = re.findall(r"<li class=\"failed\"><b>✗ (\w+)</b> \((\w+),.*?</li>", text, re.S)
    shown = {name: re.search(rf"<b>✗ {name}</b>.*?</li>", text, re.S).group(0) for name, _ in items}
    pictured = {name: re.findall(r'<img class="plot (\w+)"', item) for name, item in shown.items()}
    assert pictured["perceptron_predict"] == ["boundary"]
    assert pictured["perceptron_train"] == ["boundary"]
    assert pictured["learning_slowdown"] == ["curves"]
    assert all(not pictured[name] for name, visibility in items if visibility != "visible")
    assert {"perceptron_predict_hidden", "perceptron_train_hidden", "learning_slowdown_hidden"} <= set(shown)
    assert "your decision boundary against the reference&#x27;s" in text
    assert "your learning curve against the reference&#x27;s" in text


def _boxes(dom):
    """{kind: [(left, top, width, height)]} of the decoded pictures, from the page's own script."""
    boxes = {}
    for kind, box in re.findall(r'<img class="plot (\w+)"[^>]*data-box="([\d,.-]+)"', dom):
        boxes.setdefault(kind, []).append(tuple(int(v) for v in box.split(",")))
    return boxes


def _near(pixels, colour, tolerance=0.08):
    return (np.abs(pixels - np.array(colour)) < tolerance).all(axis=-1)


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make installs it as root)")
def test_boundaries_and_learning_curves_render_in_chromium(pictures, tmp_path):
    """Does headless Chromium decode every picture, and does the screenshot show both decision
    boundaries and the learning curves: the reference's thick blue and the learner's red?"""
    profile = ["--user-data-dir=" + str(tmp_path / "profile")]
    window = ["--window-size=1000,800", "--force-device-scale-factor=1", "--hide-scrollbars"]
    dom = subprocess.run([CHROMIUM, *FLAGS, *profile, *window, "--dump-dom", pictures.as_uri()],
                         capture_output=True, text=True, timeout=120).stdout
    assert int(re.search(r'data-plots="(\d+)"', dom).group(1)) == pictures.read_text(encoding="utf-8").count("<img")
    assert int(re.search(r'data-boundary="(\d+)"', dom).group(1)) == 2
    assert int(re.search(r'data-curves="(\d+)"', dom).group(1)) == 1
    boxes = _boxes(dom)
    assert all(w > 200 and h > 150 for kind in ("boundary", "curves") for _, _, w, h in boxes[kind])
    height = max(top + h for kind in boxes for _, top, _, h in boxes[kind]) + 20
    shot = tmp_path / "shot.png"
    window[0] = f"--window-size=1000,{height}"
    subprocess.run([CHROMIUM, *FLAGS, *profile, *window, f"--screenshot={shot}", pictures.as_uri()],
                   capture_output=True, timeout=120)
    pixels = matplotlib.image.imread(shot)[..., :3]
    assert pixels.shape[:2] == (height, 1000)
    for kind in ("boundary", "curves"):
        for left, top, w, h in boxes[kind]:
            crop = pixels[top:top + h, left:left + w]
            assert _near(crop, REFERENCE_BLUE).sum() > 300, (kind, "the reference's line")
            assert _near(crop, YOURS_RED).sum() > 150, (kind, "the learner's line or marks")


def test_page_in_chinese(tmp_path, answers_dir, monkeypatch):
    """With --lang zh, are the page's headings and messages in Chinese, with the same plots?"""
    monkeypatch.delenv("NNDL_LANG", raising=False)
    text = (answers_dir / f"{CH02}.py").read_text(encoding="utf-8")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / f"{CH02}.py").write_text(text.replace(RIGHT, FLIPPED, 1), encoding="utf-8")
    html = tmp_path / "report.html"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert cli.main(["grade", str(tmp_path / "work"), "--chapter", CH02, "--html", str(html),
                         "--lang", "zh"]) == 0
    if figures._cjk_font() is not None:    # every character drawn, none a missing glyph's box
        assert not [w for w in caught if "missing from font" in str(w.message)]
    page = html.read_text(encoding="utf-8")
    assert "你的输出是 1 减去正确结果" in page and "your output is 1 - the right one" not in page
    assert page.count("<img") >= 2


@pytest.mark.parametrize("font", [True, False], ids=["chinese-font", "no-chinese-font"])
def test_plot_labels_are_chinese_only_where_a_font_can_draw_them(monkeypatch, font):
    """In Chinese, do the plots' words come in Chinese where a CJK font is installed, and stay
    English (never boxes for missing glyphs) where none is?"""
    from nndl import i18n

    if font and figures._cjk_font() is None:
        pytest.skip("no Chinese font installed (make installs fonts-wqy-microhei as root)")
    if not font:
        monkeypatch.setattr(figures, "_cjk_font", lambda: None)
    i18n.set_language("zh")
    try:
        labels = [figures.say(word) for word in ("reference", "yours", "your boundary", "epoch")]
        settings = figures.fonts()
    finally:
        i18n.set_language(None)
    if font:
        assert all(re.search(r"[\u4e00-\u9fff]", label) for label in labels), labels
        assert settings["font.sans-serif"][0] == figures._cjk_font()
    else:
        assert labels == ["reference", "yours", "your boundary", "epoch"] and settings == {}
