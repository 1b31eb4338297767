"""`nndl grade --html`: a self-contained feedback page, opened in headless Chromium."""
import re
import shutil
import subprocess

import matplotlib.image
import numpy as np
import pytest

from nndl.grader import cli

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
    assert re.search(rf"<td>{CH02}</td><td class=num>\d+/33</td>", text)
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
