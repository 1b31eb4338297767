"""Batches beyond one process: on a Dask LocalCluster, resumable, with nothing lost and nothing twice.

A real dask.distributed LocalCluster of worker processes grades the students;
a worker is SIGKILLed in the middle of a student, and the client itself is
SIGKILLed in the middle of a batch: both end with every student graded as a
clean run grades them, and the run after a kill skips what was finished.
"""
import dataclasses
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from conftest import CH02, FAST
from nndl.grader import cli
from nndl.grader.grading import batch, cluster

CH01 = "ch01_perceptron"
CHAPTERS = [CH01, CH02]
STUDENTS = 8


@pytest.fixture(scope="module")
def klass(answers_dir, stubs_dir, tmp_path_factory):
    """Eight students over chapters 1 and 2: model answers, stubs, and mixes of the two."""
    root = tmp_path_factory.mktemp("cluster-class")
    for number in range(STUDENTS):
        folder = root / f"s{number:02d}"
        folder.mkdir()
        for k, chapter in enumerate(CHAPTERS):
            source = answers_dir if (number >> k) & 1 == 0 else stubs_dir
            shutil.copy(source / f"{chapter}.py", folder)
    return root


@pytest.fixture(scope="module")
def clean(klass, tmp_path_factory):
    """A clean run with threads (--jobs 2): its grades.csv, the one every other run must equal."""
    out = tmp_path_factory.mktemp("clean")
    ran = batch.grade_batch(batch.students(klass), FAST, out, CHAPTERS, jobs=2)
    assert ran.skipped == 0 and len(ran.done) == STUDENTS and not ran.lost
    return (out / "grades.csv").read_text(encoding="utf-8")


def test_cluster_values_are_parsed_or_refused_in_one_line():
    assert cluster.parse("local:3") == ("local", 3)
    assert cluster.parse("local") == ("local", os.cpu_count())
    assert cluster.parse("tcp://10.0.0.5:8786") == ("address", "tcp://10.0.0.5:8786")
    for bad in ("local:0", "remote", "tcp://", "local:two", "http://x:1"):
        with pytest.raises(cluster.ClusterError):
            cluster.parse(bad)


def test_bad_cluster_usage_is_one_line_and_exit_2(klass, tmp_path, capsys):
    for extra in (["--cluster", "nowhere"], ["--cluster", "local:2", "--jobs", "2"]):
        assert cli.main(["grade", str(klass), "--out", str(tmp_path / "r"), *extra]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith("nndl: "), err
    assert cli.main(["grade", str(klass / "s00"), "--cluster", "local:2"]) == 2
    assert "--cluster is for a batch" in capsys.readouterr().err


def test_a_batch_run_again_grades_only_what_is_missing_or_stale(klass, clean, tmp_path):
    out = tmp_path / "out"
    shutil.copytree(klass, tmp_path / "class")
    found = batch.students(tmp_path / "class")
    first = batch.grade_batch(found, FAST, out, CHAPTERS, jobs=2)
    assert first.skipped == 0 and (out / "grades.csv").read_text(encoding="utf-8") == clean
    stamps = {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")}

    again = batch.grade_batch(found, FAST, out, CHAPTERS, jobs=2)   # nothing changed: nothing graded
    assert again.skipped == STUDENTS and {p.name: p.stat().st_mtime_ns for p in out.glob("*.json")} == stamps
    assert (out / "grades.csv").read_text(encoding="utf-8") == clean

    changed = found["s00"] / f"{CH02}.py"      # one student's file changes; one result is deleted
    changed.write_text(changed.read_text(encoding="utf-8") + "\n# a late fix\n", encoding="utf-8")
    (out / "s05.json").unlink()
    (out / "s06.json").write_text('{"tests": [', encoding="utf-8")   # a torn file is stale too
    graded = []
    third = batch.grade_batch(found, FAST, out, CHAPTERS, jobs=2, progress=lambda g: graded.append(g.student))
    assert third.skipped == STUDENTS - 3 and sorted(graded) == ["s00", "s05", "s06"]
    assert (out / "grades.csv").read_text(encoding="utf-8") == clean

    reseeded = batch.grade_batch(found, dataclasses.replace(FAST, hidden_seed=7), out, CHAPTERS)
    assert reseeded.skipped == 0        # another hidden seed: every result is stale


def test_a_local_cluster_grades_as_threads_do(klass, clean, tmp_path):
    ran = batch.grade_batch(batch.students(klass), FAST, tmp_path, CHAPTERS, cluster="local:2")
    assert not ran.lost and len(ran.done) == STUDENTS
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") == clean


def _grading_worker():
    """A Dask worker process of this test's LocalCluster that is grading now: a child of this
    process with a sandboxed chapter below it; None when none is."""
    for child in psutil.Process().children():
        try:
            below = child.children(recursive=True)
            if any("nndl-worker" in " ".join(p.cmdline()) or p.name() == "bwrap" for p in below):
                return child
        except psutil.Error:
            continue
    return None


def test_a_worker_killed_mid_student_loses_nothing(klass, clean, tmp_path):
    killed = []

    def kill_one(graded):
        deadline = time.monotonic() + 20
        while not killed and time.monotonic() < deadline:
            worker = _grading_worker()
            if worker is not None:
                worker.send_signal(signal.SIGKILL)
                killed.append(worker.pid)
            time.sleep(0.05)

    ran = batch.grade_batch(batch.students(klass), FAST, tmp_path, CHAPTERS, cluster="local:2", progress=kill_one)
    assert killed, "no worker was grading when the first student finished"
    assert not ran.lost and len(ran.done) == STUDENTS
    assert (tmp_path / "grades.csv").read_text(encoding="utf-8") == clean


def test_the_client_killed_mid_batch_loses_nothing_and_the_rerun_skips_what_was_done(klass, clean, tmp_path):
    out = tmp_path / "out"
    command = [str(Path(sys.executable).parent / "nndl"), "grade", str(klass), "--out", str(out),
               "--cluster", "local:2", "--chapter", CH01, "--chapter", CH02]
    env = {**os.environ, "NNDL_HIDDEN_SEED": str(FAST.hidden_seed)}
    client = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while len(list(out.glob("s*.json"))) < 2 and time.monotonic() < deadline and client.poll() is None:
            time.sleep(0.05)
        os.kill(client.pid, signal.SIGKILL)     # the client alone; its workers are orphaned
        client.wait()
    finally:
        try:
            os.killpg(client.pid, signal.SIGKILL)   # what the client left behind
        except ProcessLookupError:
            pass
    finished = sorted(p.name for p in out.glob("s*.json"))
    assert 2 <= len(finished) < STUDENTS, finished
    assert not (out / "grades.csv").exists() and not list(out.glob(".*.tmp"))

    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    assert f"skipped {len(finished)} students already graded" in rerun.stderr
    assert (out / "grades.csv").read_text(encoding="utf-8") == clean


def test_profile_says_where_the_time_went(klass, tmp_path, capsys):
    """--profile: per check, seconds in the learner's process and in the references, each chapter's
    sum and the whole, for a single submission and summed over a batch's students."""
    assert cli.main(["grade", str(klass / "s00"), "--chapter", CH02, "--profile"]) == 0
    err = capsys.readouterr().err.splitlines()
    header = next(i for i, line in enumerate(err) if line.split()[:4] == ["check", "learner", "reference", "total"])
    rows = [line.split() for line in err[header + 1:] if line.startswith(f"{CH02}/")]
    assert rows and all(float(r[3]) >= float(r[1]) >= 0 and r[4] == "1" for r in rows)
    assert any(line.startswith(CH02) and len(line.split()) == 4 for line in err)   # the chapter's sum
    assert any(line.startswith("all checks") for line in err)

    assert cli.main(["grade", str(klass), "--out", str(tmp_path / "r"), "--chapter", CH01, "--profile"]) == 0
    err = capsys.readouterr().err.splitlines()
    runs = {line.split()[0]: int(line.split()[4]) for line in err if line.startswith(f"{CH01}/")}
    assert runs and set(runs.values()) == {STUDENTS}            # every student's run of each check
    assert cli.main(["grade", str(klass), "--out", str(tmp_path / "q"), "--cluster", "local:2", "--profile"]) == 2
