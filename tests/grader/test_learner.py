"""The self-learner's loop: `nndl hint` escalates, `nndl progress` tracks checks and edits."""
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nndl import learner
from nndl.grader.content import chapters
from nndl.grader import cli

CH01, CH02 = "ch01_perceptron", "ch02_activations"


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_hints_grow_from_a_nudge_to_the_whole_story(capsys, tmp_path):
    """Does each `nndl hint` say more than the last, stop at the last level, and remember it?"""
    texts = [run(capsys, "hint", f"{CH02}/softmax", "--dir", str(tmp_path))[1] for _ in range(4)]
    assert texts[0].startswith(f"Hint 1/3 for {CH02}/softmax: exp(x) / sum of exp(x)")
    assert "subtract the max" not in texts[0] and "subtract the max" in texts[1]
    assert texts[1].startswith("Hint 2/3") and texts[2].startswith("Hint 3/3")
    assert "keras.activations.softmax" in texts[2]                 # the docstring's contract
    assert texts[3] == texts[2]
    assert learner.load_state(tmp_path)["hints"] == {f"{CH02}/softmax": 3}
    # A check id names its exercise too, and --level picks a level without moving on.
    code, out, _ = run(capsys, "hint", f"{CH02}/relu_hidden", "--level", "1", "--dir", str(tmp_path))
    assert code == 0 and out.startswith(f"Hint 1/3 for {CH02}/relu:")


@pytest.mark.parametrize("argv, fragment", [
    (["hint", f"{CH02}/nothing"], "no exercise 'nothing' in ch02_activations; its exercises: "),
    (["hint", "ch99_magic/x"], "unknown chapter 'ch99_magic'"),
    (["hint", f"{CH02}/relu", "--level", "4"], "--level must be 1 to 3"),
    (["progress", "--dir", "does-not-exist"], "no does-not-exist/ folder here"),
])
def test_bad_hint_and_progress_requests(capsys, argv, fragment):
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == "" and fragment in err and len(err.strip().splitlines()) == 1


def status(folder):
    return {chapter: (state, passed, total) for chapter, state, passed, total in learner.progress(folder)}


def test_progress_follows_checks_and_edits(capsys, tmp_path, answers_dir, stubs_dir):
    """Is a checked chapter counted, an edited one marked stale, and --run checking only the stale?"""
    folder = tmp_path / "exercises"
    folder.mkdir()
    shutil.copy(answers_dir / f"{CH01}.py", folder)
    shutil.copy(stubs_dir / f"{CH02}.py", folder)
    visible = {c: sum(k.visibility == "visible" for k in chapters.checks(c)) for c in (CH01, CH02)}
    before = status(folder)
    assert before[CH01] == ("not checked yet", 0, visible[CH01])
    assert before["ch15_recursive"][0] == "no file"

    assert run(capsys, "check", CH01, "--dir", str(folder))[0] == 0
    assert status(folder)[CH01] == ("done", visible[CH01], visible[CH01])
    assert status(folder)[CH02][0] == "not checked yet"

    path = folder / f"{CH01}.py"
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")
    assert status(folder)[CH01][0] == "changed since the last check"

    code, out, _ = run(capsys, "progress", "--run", "--dir", str(folder))
    assert code == 0
    after = status(folder)
    assert after[CH01] == ("done", visible[CH01], visible[CH01])
    assert after[CH02] == ("in progress", 0, visible[CH02])
    assert f"{visible[CH01]}/{sum(t for _, _, t in after.values())} visible checks passed" in out
    assert "1/15 chapters done" in out


def test_a_corrupt_state_file_is_started_afresh(tmp_path):
    (tmp_path / learner.STATE).write_text("{not json", encoding="utf-8")
    assert learner.load_state(tmp_path) == {"chapters": {}, "hints": {}}


def test_watch_checks_a_file_when_it_is_saved(tmp_path, answers_dir, stubs_dir):
    """Does `nndl watch` re-run a chapter's visible checks after each save, as rustlings does?"""
    folder = tmp_path / "exercises"
    folder.mkdir()
    path = folder / f"{CH01}.py"
    path.write_bytes((stubs_dir / f"{CH01}.py").read_bytes())
    nndl = Path(sys.executable).with_name("nndl")
    out_path = tmp_path / "watch.log"
    with open(out_path, "w") as log:
        proc = subprocess.Popen([str(nndl), "watch", "--dir", str(folder)], stdout=log,
                                stderr=subprocess.STDOUT, env={**os.environ, "COLUMNS": "200"})
    try:
        def wait_for(text, count=1, limit=120):
            end = time.monotonic() + limit
            while time.monotonic() < end:
                if out_path.read_text(encoding="utf-8").count(text) >= count:
                    return out_path.read_text(encoding="utf-8")
                assert proc.poll() is None, out_path.read_text(encoding="utf-8")
                time.sleep(0.2)
            raise AssertionError(f"no {text!r} in:\n{out_path.read_text(encoding='utf-8')}")

        wait_for("save a chapter file")
        path.write_bytes((stubs_dir / f"{CH01}.py").read_bytes() + b"\n# still a stub\n")
        log = wait_for("watching for the next save")
        assert f"{CH01}.py saved: checking {CH01}" in log and "not implemented" in log
        path.write_bytes((answers_dir / f"{CH01}.py").read_bytes())
        log = wait_for("watching for the next save", count=2)
        total = sum(k.points for k in chapters.checks(CH01) if k.visibility == "visible")
        assert f"Total: {total:g}/{total:g}" in log.split(f"{CH01}.py saved")[-1]
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert status(folder)[CH01][0] == "done"


def test_watch_sees_a_save_made_while_it_checks(tmp_path, stubs_dir):
    """Is a file saved again while its check runs checked once more, and is on_ready called only
    after the starting state is taken (a save right after it counts)?"""
    from nndl import learner

    path = tmp_path / f"{CH01}.py"
    path.write_bytes((stubs_dir / f"{CH01}.py").read_bytes())
    calls = []

    def ready():
        path.write_bytes(path.read_bytes() + b"\n# saved as soon as nndl watch said it watches\n")

    def on_change(chapter, changed):
        calls.append(chapter)
        if len(calls) == 1:  # the learner saves again while the first check runs
            path.write_bytes(path.read_bytes() + b"\n# saved again\n")

    learner.watch(tmp_path, on_change, interval=0.05, rounds=4, on_ready=ready)
    assert calls == [CH01, CH01]


def status_of(folder, chapter):
    return next((status, passed) for c, status, passed, _ in learner.progress(folder) if c == chapter)


def test_progress_counts_pytest_and_notebook_checks(tmp_path, answers_dir, stubs_dir, monkeypatch):
    """A chapter checked by pytest or by a notebook's nndl.check is not "not checked yet"."""
    import numpy as np

    from nndl import checking

    handout = tmp_path / "handout"
    handout.mkdir()
    shutil.copy(answers_dir / "ch01_perceptron.py", handout)
    shutil.copy(stubs_dir / "ch02_activations.py", handout)
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(handout)],
                          cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1, done.stdout[-2000:]        # the ch02 stubs fail
    from nndl import compiled

    assert status_of(handout, "ch01_perceptron") == ("done", len(compiled.checks("ch01_perceptron")))
    assert status_of(handout, "ch02_activations") == ("in progress", 0)

    # the learner finishes relu in the notebook (the kernel runs in the notebook's folder)
    monkeypatch.chdir(handout)
    assert checking.check_function("ch02_activations/relu", lambda x: np.maximum(np.asarray(x, float), 0.0)) == 1.0
    assert status_of(handout, "ch02_activations") == ("in progress", 1)
    # the file on disk is saved after the check: still counted, not "changed since the last check"
    (handout / "ch02_activations.py").write_text((handout / "ch02_activations.py").read_text() + "\n# saved\n")
    assert status_of(handout, "ch02_activations") == ("in progress", 1)


def test_every_learner_command_works_in_a_released_folder_of_any_name(tmp_path):
    """`nndl release handout/`, then inside it: check, hint (escalating, its state kept there),
    progress and pytest, with no --dir; elsewhere the error says to give --dir."""
    nndl = Path(sys.executable).parent / "nndl"

    def run_in(folder, *args):
        return subprocess.run([str(nndl), *args], cwd=folder, capture_output=True, text=True, timeout=300)

    assert run_in(tmp_path, "release", "handout").returncode == 0
    handout = tmp_path / "handout"
    done = run_in(handout, "check", CH01)
    assert done.returncode == 0 and "not implemented" in done.stdout
    hints = [run_in(handout, "hint", f"{CH02}/sigmoid").stdout for _ in range(3)]
    assert [h.split(" for ")[0] for h in hints] == ["Hint 1/3", "Hint 2/3", "Hint 3/3"]
    assert (handout / learner.STATE).is_file()
    assert "not checked yet" not in run_in(handout, "progress").stdout.split(CH01)[1].splitlines()[0]
    tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "handout"],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert tests.returncode == 1 and " failed" in tests.stdout       # tests collected and run: not exit 5
    (tmp_path / "elsewhere").mkdir()
    for command in ("check", "progress", "watch"):
        done = run_in(tmp_path / "elsewhere", command)
        assert done.returncode == 2 and "--dir" in done.stderr, (command, done.stderr)
