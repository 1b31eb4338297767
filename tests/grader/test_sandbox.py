"""The sandbox: a submission sees neither the course, nor the network, nor the grader's files.

Each probe is a chapter 2 function that returns the right answer plus 100
when it gets through, so "the check passes" means "the probe found nothing".
A control run without the sandbox shows that each probe would notice.
"""
import glob
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

from conftest import CH02, FAST, REPO, assert_only_lost, grade_ch02
from nndl.grader.processes import sandbox
from nndl.grader.config import GraderConfig

needs_bwrap = pytest.mark.skipif(
    not sandbox.bwrap_works(),
    reason="bubblewrap (bwrap) is not installed or cannot create namespaces on this machine")
NO_SANDBOX = GraderConfig(limits=FAST.limits, sandbox="none")
BWRAP = GraderConfig(limits=FAST.limits, sandbox="bwrap")


@pytest.fixture
def listener():
    """A TCP server on 127.0.0.1 of the grader's machine; yields its port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def all_passed(report):
    return report.score == report.max_score > 0 and all(r.status == "passed" for r in report.results)


@needs_bwrap
def test_cannot_see_the_course(ch02_with, answers_dir):
    """Can a submission neither see the repository (solutions, suites, source) nor import nndl.solutions?"""
    path = ch02_with("see_course_linear", REPO=REPO, OTHER=answers_dir)
    report = grade_ch02(path, BWRAP)
    assert all_passed(report), [r.output for r in report.results if r.status != "passed"]
    assert report.sandbox.startswith("bubblewrap sandbox")


def test_course_probe_works_without_sandbox(ch02_with, answers_dir):
    """Would the course probe notice the repository when nothing hides it (the control)?"""
    report = grade_ch02(ch02_with("see_course_linear", REPO=REPO, OTHER=answers_dir), NO_SANDBOX)
    results = assert_only_lost(report, CH02, {"linear"}, "wrong")
    assert "off by" in results["linear"].output or "values differ" in results["linear"].output
    assert report.sandbox.startswith("NO SANDBOX")
    assert report.warnings == [report.sandbox]


@needs_bwrap
def test_cannot_reach_the_network(ch02_with, listener):
    """Does a connection to a server on the grader's 127.0.0.1 fail inside the sandbox?"""
    report = grade_ch02(ch02_with("network_step", PORT=listener), BWRAP)
    assert all_passed(report), [r.output for r in report.results if r.status != "passed"]


def test_network_probe_works_without_sandbox(ch02_with, listener):
    """Would the network probe connect when nothing stops it (the control)?"""
    report = grade_ch02(ch02_with("network_step", PORT=listener), NO_SANDBOX)
    assert_only_lost(report, CH02, {"step"}, "wrong")


@needs_bwrap
def test_files_stay_in_the_scratch_folder(ch02_with, tmp_path):
    """Do files a submission writes stay in its scratch folder and private /tmp, and vanish with them?"""
    marker = f"nndl-marker-{uuid.uuid4().hex}"
    host = tmp_path / "host"
    host.mkdir()
    path = ch02_with("write_files_linear", MARKER=marker, HOST_DIR=host, REPO=REPO)
    try:
        report = grade_ch02(path, BWRAP)
        # linear passes only if its three allowed writes succeeded
        assert all_passed(report), [r.output for r in report.results if r.status != "passed"]
        assert not (host / marker).exists()
        assert not (REPO / marker).exists()
        assert not (Path.home() / marker).exists()
        assert not (Path(tempfile.gettempdir()) / marker).exists()
        assert not list(Path(tempfile.gettempdir()).glob(f"nndl-scratch-*/**/{marker}"))
    finally:
        (REPO / marker).unlink(missing_ok=True)


def test_choose_and_describe():
    """Does `choose` honour "none", pick bwrap where it works, and refuse a missing bwrap loudly?"""
    assert sandbox.choose("none") == "none"
    assert sandbox.choose("auto") == ("bwrap" if sandbox.bwrap_works() else "none")
    assert "NO SANDBOX" in sandbox.describe("none")
    assert "no network" in sandbox.describe("bwrap")


def test_describe_says_whether_processes_are_capped(monkeypatch):
    """Does the report's sandbox line say when no pids cgroup caps the processes?"""
    monkeypatch.setattr(sandbox, "pids_hierarchy", lambda: None)
    monkeypatch.setattr(sandbox.os, "getuid", lambda: 0)
    for kind in ("bwrap", "none"):
        assert sandbox.describe(kind).endswith(
            "process count NOT capped (no writable pids cgroup here; "
            "a fork bomb is stopped only by the time-out)")
    monkeypatch.setattr(sandbox.os, "getuid", lambda: 1000)
    assert sandbox.describe("bwrap").endswith("processes capped by RLIMIT_NPROC "
                                              "(counted over all of the grader's user's processes)")
    monkeypatch.setattr(sandbox, "pids_hierarchy", lambda: "/sys/fs/cgroup/pids")
    assert sandbox.describe("bwrap").endswith("own PID namespace; processes capped by a pids cgroup")


def test_demanding_bwrap_where_it_is_missing_raises(monkeypatch):
    """Does sandbox="bwrap" fail loudly instead of running unsandboxed when bwrap is missing?"""
    monkeypatch.setattr(sandbox, "bwrap_works", lambda: False)
    with pytest.raises(RuntimeError, match="bubblewrap"):
        sandbox.choose("bwrap")
    assert sandbox.choose("auto") == "none"


def test_environment_keeps_no_secrets(monkeypatch):
    """Does the submission's environment leave out the grader's variables, such as the hidden seed?"""
    monkeypatch.setenv("NNDL_HIDDEN_SEED", "12345")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    env = sandbox.environment("/scratch")
    assert "NNDL_HIDDEN_SEED" not in env and "AWS_SECRET_ACCESS_KEY" not in env
    assert "12345" not in " ".join(env.values())
    assert env["HOME"] == "/scratch" and env["CUDA_VISIBLE_DEVICES"] == ""


def test_bwrap_command_mounts_no_project_folder(tmp_path):
    """Does the bwrap command line bind nothing of the project but the worker script?"""
    command = sandbox.bwrap_command(tmp_path, ["python"])
    for option in ("--unshare-all", "--unshare-user", "--disable-userns", "--die-with-parent",
                   "--new-session"):
        assert option in command
    sources = [Path(command[i + 1]).resolve() for i, arg in enumerate(command)
               if arg in ("--bind", "--ro-bind")]
    for secret in (REPO / "solutions", REPO / "source", REPO / "grader" / "suites", REPO / "tests"):
        assert not any(secret.resolve().is_relative_to(s) for s in sources), secret
    assert sandbox.WORKER.resolve() in sources
    assert tmp_path.resolve() in sources


def run_inside(tmp_path, code, scratch_bytes=None):
    """Run `code` with the sandbox's Python inside bwrap; its stdout."""
    scratch = tmp_path / "scratch"
    (scratch / "submission").mkdir(parents=True)
    command = sandbox.bwrap_command(scratch, [sys.executable, "-I", "-c", code], scratch_bytes)
    return subprocess.run(command, capture_output=True, text=True, timeout=60,
                          env=sandbox.environment(sandbox.SCRATCH_MOUNT)).stdout.strip()


PRIVILEGES = """
import ctypes, os, subprocess
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
def refused(action):
    try:
        action()
    except OSError:
        return "refused"
    return "allowed"
def new_user_namespace():
    if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:  # CLONE_NEWUSER
        raise OSError(ctypes.get_errno(), "unshare")
print(os.getuid(), os.getgid(), status["CapEff"].strip(), status["CapBnd"].strip())
print(refused(new_user_namespace), refused(lambda: os.mkdir("/escape")),
      refused(lambda: open("/usr/nndl-probe", "w")), refused(lambda: open("/scratch/mine", "w")))
print(subprocess.run(["unshare", "--user", "--map-root-user", "true"]).returncode != 0)
"""


@needs_bwrap
def test_the_sandbox_grants_no_privileges(tmp_path):
    """Is the submission user 65534 with no capabilities, unable to make a user namespace
    (and so to gain any), with a read-only system and a writable scratch folder?"""
    assert run_inside(tmp_path, PRIVILEGES, 1 << 20).splitlines() == [
        "65534 65534 0000000000000000 0000000000000000",
        "refused refused refused allowed",
        "True"]


@needs_bwrap
def test_background_processes_die_with_the_pid_namespace(tmp_path):
    """Does a daemon started inside bwrap die when the sandboxed command exits (no cgroup needed)?"""
    tag = f"nndl-{uuid.uuid4().hex[:8]}"
    code = ("import os, time\n"
            "if os.fork() == 0:\n"
            "    os.setsid()\n"
            "    open('/proc/self/comm', 'w').write(%r)\n"
            "    time.sleep(60)\n"
            "    os._exit(0)\n"
            "time.sleep(0.5)\n"
            "print(os.getpid())\n" % tag)
    assert run_inside(tmp_path, code) == "2"  # pid 1 is bwrap's init, its reaper
    deadline = time.monotonic() + 5
    while processes_named(tag) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_named(tag) == []


needs_cgroup = pytest.mark.skipif(sandbox.pids_hierarchy() is None,
                                  reason="no writable pids cgroup on this machine")


@needs_cgroup
def test_pids_cgroup_caps_and_kills():
    """Does a PidsCgroup cap the tasks started in it, list them, kill them all and go away?"""
    group = sandbox.PidsCgroup.create(5)
    try:
        code = ("import os, time\n"
                "n = 0\n"
                "for _ in range(20):\n"
                "    try:\n"
                "        if os.fork() == 0:\n"
                "            time.sleep(60); os._exit(0)\n"
                "        n += 1\n"
                "    except OSError:\n"
                "        break\n"
                "print(n, flush=True)\n"
                "time.sleep(60)\n")
        proc = subprocess.Popen(group.enter_command() + [sys.executable, "-c", code],
                                stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline().strip() == "4"  # the parent and 4 children: 5 tasks
        assert len(group.pids()) == 5 and group.peak() == 5
        assert group.kill() and group.pids() == []
        proc.wait(timeout=10)
    finally:
        assert group.remove()
    assert not group.folder.exists()


# That a regular install's references stay hidden in the sandbox is tested on a real install:
# tests/grader/test_install.py, where a submission looks for them in site-packages.


def processes_named(name):
    """Pids of live (not zombie) processes whose name (comm) is `name`."""
    found = []
    for comm in glob.glob("/proc/[0-9]*/comm"):
        try:
            with open(comm, encoding="utf-8") as handle, \
                    open(comm[:-4] + "stat", encoding="utf-8") as stat:
                if handle.read().strip() == name and stat.read().rsplit(")", 1)[1].split()[0] != "Z":
                    found.append(int(comm.split("/")[2]))
        except (OSError, IndexError):
            pass  # gone meanwhile
    return found


def test_course_packages_are_found():
    """Are the grader's and the references' folders among the ones to hide?"""
    packages = sandbox.course_packages()
    assert str((REPO / "solutions").resolve()) in packages
    assert str((REPO / "grader").resolve()) in packages
