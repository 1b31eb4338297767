"""Hostile submissions: each attack gains nothing, harms nothing, and leaves nothing behind.

Every case is the chapter 2 model answers with one or two functions replaced
by a snippet from tests/grader/files/hostile/. Each test asserts the exact
effect: the hostile function's checks score 0 with a stated kind, every other
check keeps its full points, a clean submission graded side by side keeps
full marks, and nothing outside the submission's scratch folder changes.

Cheats are written so that they would score if the attack worked (a stolen
answer, an oracle over the network); a control run without the sandbox shows
that they do. Attacks that are not cheats (a daemon, a flood) return a wrong
answer on purpose, or raise when the attack itself failed to happen, so that
"wrong" proves the attack ran and was contained.
"""
import dataclasses
import itertools
import json
import os
import re
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from conftest import CH02, FAST, FILES, REPO, check_names, replace_functions
from nndl.grader.content import chapters
from nndl.grader import cli
from nndl.grader.grading import harness
from nndl.grader.processes import sandbox
from nndl.grader.config import GraderConfig
from nndl.grader.processes.runner import SubmissionProcess, WarmPool

HOSTILE = FILES / "hostile"
BWRAP = GraderConfig(limits=FAST.limits, sandbox="bwrap")
NO_SANDBOX = GraderConfig(limits=FAST.limits, sandbox="none")
SLOW_CALLS = dataclasses.replace(FAST.limits, call_timeout=10)
needs_bwrap = pytest.mark.skipif(
    not sandbox.bwrap_works(),
    reason="bubblewrap (bwrap) is not installed or cannot create namespaces on this machine")
needs_cgroup = pytest.mark.skipif(
    sandbox.pids_hierarchy() is None,
    reason="no writable pids cgroup here: a fork bomb would be bounded only by the time-out")
both_sandboxes = pytest.mark.parametrize("config", [
    pytest.param(BWRAP, id="bwrap", marks=needs_bwrap), pytest.param(NO_SANDBOX, id="none")])
_folders = itertools.count()


@pytest.fixture
def hostile(ch02_answers, tmp_path):
    """Write the chapter 2 model answers with functions replaced by a hostile snippet.

    hostile("fork_bomb_step", TAG=...) reads tests/grader/files/hostile/fork_bomb_step.py
    and fills in each @NAME@ placeholder.
    """
    def make(fixture, **substitutions):
        snippet = (HOSTILE / f"{fixture}.py").read_text(encoding="utf-8")
        for key, value in substitutions.items():
            snippet = snippet.replace(f"@{key}@", str(value))
        assert not re.search(r"@[A-Z_]+@", snippet), f"unfilled placeholder in {fixture}.py"
        folder = tmp_path / f"{fixture}-{next(_folders)}"
        folder.mkdir()
        path = folder / f"{CH02}.py"
        path.write_text(replace_functions(ch02_answers, snippet), encoding="utf-8")
        return path
    return make


@pytest.fixture
def clean(ch02_answers, tmp_path):
    """The chapter 2 model answers, untouched: a second submission graded side by side."""
    path = tmp_path / "clean" / f"{CH02}.py"
    path.parent.mkdir()
    path.write_text(ch02_answers, encoding="utf-8")
    return path


def grade(path, config):
    return harness.grade(path, config, selected=[CH02])


def side_by_side(path, other, config):
    """Grade two submissions at the same time; both reports."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return list(pool.map(lambda p: grade(p, config), [path, other]))


def full_marks(report):
    assert [r.name for r in report.results] == check_names(CH02)
    assert [r.status for r in report.results] == ["passed"] * len(report.results), \
        [r.output for r in report.results if r.status != "passed"]
    return report.score == report.max_score > 0


def assert_lost(report, kinds):
    """Each function in `kinds` lost all its checks with that kind; every other check passed."""
    lost = {c.id: kinds[c.function] for c in chapters.checks(CH02) if c.function in kinds}
    results = {r.name.split("/", 1)[1]: r for r in report.results}
    assert list(results) == [c.id for c in chapters.checks(CH02)]
    for check in chapters.checks(CH02):
        result = results[check.id]
        if check.id in lost:
            assert (result.status, result.kind, result.score) == ("failed", lost[check.id], 0.0), result
        else:
            assert (result.status, result.score) == ("passed", check.points), result
    points = sum(c.points for c in chapters.checks(CH02) if c.id in lost)
    assert report.score == pytest.approx(report.max_score - points)
    return results


def live_processes_named(name):
    """Pids of processes named `name` (comm) that are still alive: zombies are dead."""
    found = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        try:
            state = (comm.parent / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if comm.read_text().strip() == name and state != "Z":
                found.append(int(comm.parent.name))
        except (OSError, IndexError):
            pass  # gone meanwhile
    return found


def none_left(name, within=5.0):
    """True when no live process is called `name`, waiting up to `within` seconds."""
    deadline = time.monotonic() + within
    while live_processes_named(name):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def _cgroups():
    base = sandbox.pids_hierarchy()
    return set(Path(base).glob(f"nndl-worker-{os.getpid()}-*")) if base else set()


# A cgroup left by an earlier process that had this process's pid (pids are reused) is not ours.
_FOUND_AT_START = _cgroups()


def our_cgroups():
    """pids cgroups this test process made that still exist."""
    return sorted(_cgroups() - _FOUND_AT_START)


def tag():
    return f"nndl-{uuid.uuid4().hex[:8]}"  # a process name is at most 15 characters


def snapshot(folder):
    """Everything about a folder's entries that a submission could change."""
    state = {}
    for path in sorted(Path(folder).rglob("*")):
        info = path.lstat()
        content = path.read_bytes() if path.is_file() and not path.is_symlink() else None
        state[str(path.relative_to(folder))] = (info.st_mode, info.st_size, info.st_mtime_ns, content)
    return state


# ------------------------------------------------------- reading the answers
@needs_bwrap
@pytest.mark.parametrize("method, where", [
    ("import", ""),
    ("path", "{REPO}/solutions/ch02_activations.py"),
    ("path", "{REPO}/grader/suites/ch02_activations.py"),
    ("path", "{REPO}/grader/config.py"),
    ("path", "/proc/1/root{REPO}/solutions/ch02_activations.py"),
    ("path", "{OTHER}/ch02_activations.py"),
    ("walk", ""),
], ids=["import", "solutions", "suites", "config", "proc-root", "other-submission", "walk"])
def test_stealing_the_answers_gains_nothing(hostile, answers_dir, method, where):
    """Can a submission find the references, the hidden checks, the grader's settings or
    another submission, by import, by path or by walking the file system? It scores 0 if not."""
    path = hostile("steal_reference_relu", METHOD=method, REPO=REPO,
                   PATH=where.format(REPO=REPO, OTHER=answers_dir))
    results = assert_lost(grade(path, BWRAP), {"relu": "wrong"})
    assert "values differ" in results["relu"].output


@pytest.mark.parametrize("method, where", [
    ("import", ""), ("path", "{REPO}/solutions/ch02_activations.py"), ("walk", "")])
def test_stealing_works_without_the_sandbox(hostile, method, where):
    """Would the same cheats score without the sandbox (the control)?"""
    path = hostile("steal_reference_relu", METHOD=method, REPO=REPO, PATH=where.format(REPO=REPO))
    assert full_marks(grade(path, NO_SANDBOX))


# ------------------------------------------------------- faking a comparison
@both_sandboxes
def test_patching_numpy_builtins_and_the_grader_gains_nothing(hostile, config):
    """Do patched numpy, builtins, worker replies and (where importable) nndl.compare
    leave a wrong relu wrong? The patches live in the submission's process only."""
    results = assert_lost(grade(hostile("patch_grader_relu"), config), {"relu": "wrong"})
    assert "values differ" in results["relu"].output


def test_an_array_equal_to_anything_gains_nothing(hostile):
    """Is an ndarray subclass that equals anything sent as its plain (wrong) numbers?"""
    results = assert_lost(grade(hostile("equal_to_anything_step"), FAST), {"step": "wrong"})
    assert "values differ" in results["step"].output


# ------------------------------------------------------- forging the results
@needs_bwrap
def test_a_forged_results_file_never_lands(hostile, tmp_path, monkeypatch, capsys):
    """Does `nndl grade --json FILE` write its own results, though a daemon keeps forging
    FILE, a file next to it and /autograder/results/results.json during and after grading?"""
    out = tmp_path / "results" / "results.json"
    out.parent.mkdir()
    autograder = Path("/autograder/results/results.json")
    before = autograder.read_bytes() if autograder.exists() else None
    name = tag()
    targets = [str(out), str(out.parent / "forged.json"), str(autograder)]
    path = hostile("daemon_step", TAG=name, TARGETS=targets)
    monkeypatch.setenv("NNDL_SANDBOX", "bwrap")
    assert cli.main(["grade", str(path), "--json", str(out), "--chapter", CH02]) == 0
    time.sleep(0.5)  # a daemon that outlived the grading would strike now
    data = json.loads(out.read_text(encoding="utf-8"))
    points = sum(c.points for c in chapters.checks(CH02) if c.function == "step")
    assert (data["score"], data["max_score"]) == (data["max_score"] - points, data["max_score"])
    assert [t["name"] for t in data["tests"]] == check_names(CH02)
    assert not (out.parent / "forged.json").exists()
    assert (autograder.read_bytes() if autograder.exists() else None) == before
    assert none_left(name)
    out = capsys.readouterr().out  # the terminal shows the score graded, not one the daemon forged
    assert f"Total: {data['score']:g}/{data['max_score']:g}" in out


# -------------------------------------------------------- ending the process
EXITS = [
    ("os._exit(0)", "died", "the submission's process exited with status 0"),
    ("sys.exit(0)", "exception", "SystemExit: 0"),
    ("os.kill(os.getpid(), signal.SIGKILL)", "died", "killed by SIGKILL"),
    ("os.abort()", "died", "killed by SIGABRT"),
]


@both_sandboxes
@pytest.mark.parametrize("how, kind, message", EXITS, ids=["os._exit", "sys.exit", "SIGKILL", "abort"])
def test_ending_its_own_process_costs_only_its_function(hostile, config, how, kind, message):
    """Does a function that ends its process lose only its checks, the process restarted for the rest?"""
    results = assert_lost(grade(hostile("exit_step", HOW=how), config), {"step": kind})
    assert message in results["step"].output
    assert message.split(":")[0] in results["step_hidden"].output   # hidden: no exception text


@needs_bwrap
def test_killing_the_grader_reaches_nothing(hostile, clean):
    """Do kill(parent), kill(grader's pid), kill(-1) and kill of every small pid reach only the
    submission's own PID namespace, leaving the grader and a submission graded alongside alone?"""
    path = hostile("kill_grader_step", GRADER_PID=os.getpid())
    report, other = side_by_side(path, clean, BWRAP)
    assert_lost(report, {"step": "wrong"})  # it survived its own attack, and was wrong
    assert full_marks(other)


# ----------------------------------------------------------------- bombs
@both_sandboxes
def test_recursion_bombs_cost_only_their_functions(hostile, config):
    """Is unbounded Python recursion an exception, and a C stack overflow a crash, each costing
    only its own function?"""
    config = dataclasses.replace(config, limits=SLOW_CALLS)  # a million frames take seconds
    results = assert_lost(grade(hostile("recursion_bomb_step"), config),
                          {"step": "exception", "linear": "died"})
    assert "RecursionError" in results["step"].output or "MemoryError" in results["step"].output
    assert "killed by SIGSEGV (crash)" in results["linear"].output


@needs_cgroup
@both_sandboxes
def test_fork_bomb_is_capped_and_cleared(hostile, clean, config):
    """Is a fork bomb held to the process cap, killed on the time-out, gone after grading, and
    harmless to a submission graded at the same time?"""
    name = tag()
    report, other = side_by_side(hostile("fork_bomb_step", TAG=name), clean, config)
    results = assert_lost(report, {"step": "timeout"})
    assert results["step"].output.endswith("no answer within 2 s (time-out)")
    assert full_marks(other)
    assert none_left(name)
    assert our_cgroups() == []


@needs_cgroup
@both_sandboxes
def test_processes_are_capped(tmp_path, config):
    """Can a worker hold no more processes than its pids cgroup allows, threads and bwrap included?"""
    path = tmp_path / f"{CH02}.py"
    path.write_text((HOSTILE / "count_processes.py").read_text(encoding="utf-8"), encoding="utf-8")
    limits = dataclasses.replace(FAST.limits, processes=24)
    with SubmissionProcess(path, dataclasses.replace(config, limits=limits)) as process:
        reply = process.call("hold", (200,))
        assert reply.kind == "ok"
        assert 10 <= int(reply.value) < 24
        assert process.cgroup.peak() <= 24
    assert our_cgroups() == []


@both_sandboxes
def test_memory_bomb_is_a_memory_error(hostile, clean, config):
    """Does touching memory without end stop at the address-space limit, as a MemoryError of that
    function only, with a submission graded alongside unharmed?"""
    limits = dataclasses.replace(SLOW_CALLS, memory_bytes=512 << 20)  # page faults are slow here
    config = dataclasses.replace(config, limits=limits)
    report, other = side_by_side(hostile("memory_bomb_step"), clean, config)
    results = assert_lost(report, {"step": "exception"})
    assert "MemoryError" in results["step"].output
    assert full_marks(other)


@both_sandboxes
def test_a_flood_of_output_is_capped(hostile, clean, config):
    """Does printing 100 MB (forged results JSON) cost nothing but time, and does a crash after
    100 MB on stderr quote only a short tail?"""
    report, other = side_by_side(hostile("flood_step"), clean, config)
    results = assert_lost(report, {"step": "wrong", "linear": "died"})
    assert results["linear"].output.startswith(
        "crashed — case 1/3 (a vector in [-5, 5]): the submission's process exited with status 1; "
        "its last output:\n")
    assert len(results["linear"].output) < 800
    assert len(json.dumps(report.as_json())) < 30_000
    assert full_marks(other)


@needs_bwrap
def test_filling_the_scratch_folder_stops_at_its_size(hostile):
    """Do the scratch folder and /tmp refuse writes past their size, in memory, not on the disk?"""
    cap = 16 << 20
    config = dataclasses.replace(BWRAP, limits=dataclasses.replace(FAST.limits, scratch_bytes=cap))
    assert_lost(grade(hostile("fill_scratch_linear", CAP=cap), config), {"linear": "wrong"})


# --------------------------------------------------------------- the network
@pytest.fixture
def listeners():
    """A TCP server on the grader's 127.0.0.1 and an abstract Unix socket; their addresses."""
    abstract = f"nndl-test-{uuid.uuid4().hex}"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp, \
            socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as unix:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(16)
        unix.bind("\0" + abstract)
        unix.listen(16)
        yield {"PORT": tcp.getsockname()[1], "ABSTRACT": abstract}


@needs_bwrap
def test_no_network_oracle(hostile, listeners):
    """Do TCP to the grader's host and the internet, DNS and an abstract Unix socket all fail?"""
    results = assert_lost(grade(hostile("socket_step", **listeners), BWRAP), {"step": "wrong"})
    assert "values differ" in results["step"].output


def test_network_oracle_works_without_the_sandbox(hostile, listeners):
    """Would the oracle be reached without the sandbox (the control)?"""
    assert full_marks(grade(hostile("socket_step", **listeners), NO_SANDBOX))


# ---------------------------------------------------- threads and daemons
@both_sandboxes
def test_threads_cannot_outlive_the_grading(hostile, clean, config):
    """Does waiting on a sleeping non-daemon thread time out, does a CPU-burning thread left
    running harm no other check, and are both gone after grading?"""
    name = tag()
    report, other = side_by_side(hostile("thread_step", TAG=name), clean, config)
    assert_lost(report, {"step": "timeout", "linear": "wrong"})
    assert full_marks(other)
    assert none_left(name)


@needs_bwrap
@pytest.mark.parametrize("cgroup", [
    pytest.param(True, id="cgroup", marks=needs_cgroup), pytest.param(False, id="pid-namespace")])
def test_a_daemon_dies_with_the_sandbox(hostile, monkeypatch, cgroup):
    """Is a double-forked daemon in a session of its own gone after grading, killed through its
    pids cgroup, or, where there is none, with bwrap's PID namespace?"""
    if not cgroup:
        monkeypatch.setattr(sandbox, "pids_hierarchy", lambda: None)
    name = tag()
    assert_lost(grade(hostile("daemon_step", TAG=name, TARGETS=[]), BWRAP), {"step": "wrong"})
    assert none_left(name)
    assert our_cgroups() == []


@needs_cgroup
def test_a_daemon_dies_with_its_cgroup_without_the_sandbox(hostile):
    """Without bwrap, does the pids cgroup still kill a double-forked daemon after grading?"""
    name = tag()
    assert_lost(grade(hostile("daemon_step", TAG=name, TARGETS=[]), NO_SANDBOX), {"step": "wrong"})
    assert none_left(name)


# ---------------------------------------------- one warm sandbox, many submissions
@needs_bwrap
def test_nothing_carries_over_to_the_next_submission_in_a_warm_sandbox(hostile, ch02_answers, tmp_path):
    """A batch's warm sandbox grades submission after submission. Do files left in the scratch
    folder, HOME, /tmp, /dev/shm and /dev, and System V shared memory, semaphores and message
    queues, all vanish before the next submission runs?"""
    marker = f"nndl-marker-{uuid.uuid4().hex}"
    plant, find = ((HOSTILE / f"{name}.py").read_text(encoding="utf-8").replace("@MARKER@", marker)
                   for name in ("plant_leftovers_step", "find_leftovers_linear"))
    control = tmp_path / "control" / f"{CH02}.py"
    control.parent.mkdir()
    control.write_text(replace_functions(ch02_answers, plant + "\n" + find), encoding="utf-8")
    with WarmPool(BWRAP, 1) as pool:
        # The control plants and looks in one worker: the leftovers are there to be found.
        report = harness.grade(control, BWRAP, selected=[CH02], pool=pool)
        assert_lost(report, {"step": "wrong", "linear": "exception"})
        linear = next(r for r in report.results if r.name == f"{CH02}/linear")
        everything = [marker, f"{sandbox.SCRATCH_MOUNT}/{marker}-home", f"/tmp/{marker}",
                      f"/dev/shm/{marker}", f"/dev/{marker}", "shm", "sem", "msg"]
        assert f"RuntimeError: left behind: {everything!r}" in linear.output, linear.output
        planted = harness.grade(hostile("plant_leftovers_step", MARKER=marker), BWRAP, selected=[CH02],
                                pool=pool)
        found = harness.grade(hostile("find_leftovers_linear", MARKER=marker), BWRAP, selected=[CH02],
                              pool=pool)
        assert pool.starts == 1     # one sandbox graded all three
    assert_lost(planted, {"step": "wrong"})   # everything planted, or it would have raised
    assert full_marks(found)


# ------------------------------------------------------- files outside
@needs_bwrap
def test_nothing_outside_the_scratch_folder_changes(hostile, tmp_path):
    """Do creating, overwriting, appending, deleting, renaming, chmod-ing, symlinking and touching
    files outside the scratch folder all fail, leaving them exactly as they were?"""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "kept.txt").write_text("the grader's\n", encoding="utf-8")
    (outside / "doomed.txt").write_text("still here\n", encoding="utf-8")
    touched = [REPO / "solutions" / f"{CH02}.py", REPO / "grader" / "suites" / f"{CH02}.py",
               REPO / "grader" / "config.py"]
    before, mtimes = snapshot(outside), [p.stat().st_mtime_ns for p in touched]
    marker = f"nndl-marker-{uuid.uuid4().hex}"
    host_tmp, host_home = Path("/tmp"), Path.home()
    path = hostile("write_outside_linear", MARKER=marker, OUTSIDE=outside, REPO=REPO,
                   HOST_TMP=host_tmp, HOST_HOME=host_home, TOUCHED=[str(p) for p in touched])
    try:
        assert_lost(grade(path, BWRAP), {"linear": "wrong"})
        assert snapshot(outside) == before
        assert [p.stat().st_mtime_ns for p in touched] == mtimes
        for folder in (REPO, REPO / "solutions", host_tmp, host_home):
            assert not (folder / marker).exists(), folder
        assert not list(host_tmp.glob(f"nndl-scratch-*/**/{marker}"))
    finally:
        for folder in (REPO, REPO / "solutions"):
            (folder / marker).unlink(missing_ok=True)
