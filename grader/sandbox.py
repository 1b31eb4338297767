"""How a submission process is started: bubblewrap where it works, else limits only.

Inside bubblewrap the submission sees a read-only system and Python
environment, its own scratch folder as its working directory, a private /tmp,
no network and its own PID namespace. The project folder (``solutions/``,
``source/``, the grader and its configuration) is not mounted at all, nor is
an installed copy of the nndl packages; only the worker script is, read-only.
Without bubblewrap the same process runs with the same resource limits but
none of that isolation, and the grader says so.
"""
import functools
import importlib.util
import os
import resource
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

WORKER = Path(__file__).with_name("worker.py")
SCRATCH_MOUNT = "/scratch"
WORKER_MOUNT = "/nndl/worker.py"
SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32",
               "/etc/alternatives", "/etc/ssl", "/etc/fonts", "/etc/ld.so.cache",
               "/etc/localtime", "/etc/matplotlibrc")


class SandboxUnavailable(RuntimeError):
    """The sandbox that was asked for cannot run here."""


@functools.lru_cache(maxsize=None)
def bwrap_works():
    """True when bubblewrap is installed and can create its namespaces here."""
    bwrap = shutil.which("bwrap")
    if not bwrap:
        return False
    probe = [bwrap, "--ro-bind", "/", "/", "--unshare-all", "--die-with-parent", "true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def choose(kind):
    """The sandbox to use: 'bwrap' or 'none'; raises if 'bwrap' is demanded and absent."""
    if kind == "none":
        return "none"
    if bwrap_works():
        return "bwrap"
    if kind == "bwrap":
        raise SandboxUnavailable("NNDL_SANDBOX=bwrap, but bubblewrap (bwrap) is not installed "
                                 "or cannot create namespaces here")
    return "none"


def describe(kind):
    """One line for reports: what isolation the submissions had."""
    if kind == "bwrap":
        return "bubblewrap sandbox: read-only system, private scratch, no network, own PID namespace"
    return ("NO SANDBOX: bubblewrap is unavailable, so submissions ran as plain processes "
            "with resource limits only (they could read files and reach the network)")


def python_roots():
    """Folders the Python interpreter and its packages live in."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    return sorted(p for p in paths if p and os.path.isdir(p))


def course_packages():
    """Folders of the installed nndl packages: the grader, its checks and the references."""
    folders = []
    for name in ("nndl", "nndl.grader", "nndl.solutions"):
        spec = importlib.util.find_spec(name)
        folders += spec.submodule_search_locations if spec else []
    return sorted({os.path.realpath(f) for f in folders})


def bwrap_command(scratch, argv):
    """The bwrap command line that runs argv (a python command) inside the sandbox."""
    command = ["bwrap", "--unshare-all", "--die-with-parent", "--new-session",
               "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for path in SYSTEM_DIRS:
        if os.path.lexists(path):
            command += ["--ro-bind", path, path] if not os.path.islink(path) \
                else ["--symlink", os.readlink(path), path]
    for root in python_roots():
        command += ["--ro-bind", root, root]
        # A regular (not editable) install puts the references inside site-packages: hide them.
        for package in course_packages():
            inside = os.path.relpath(package, os.path.realpath(root))
            if not inside.startswith(os.pardir):
                command += ["--tmpfs", os.path.join(root, inside)]
    command += ["--bind", str(scratch), SCRATCH_MOUNT,
                "--ro-bind", str(WORKER), WORKER_MOUNT,
                "--chdir", SCRATCH_MOUNT, "--setenv", "HOME", SCRATCH_MOUNT]
    return command + argv


def limit_prefix(limits):
    """A prlimit(1) command prefix that applies the resource limits, or None.

    prlimit sets the limits and execs the sandbox, which keeps them; unlike a
    preexec_fn it is safe when chapters are started from several threads.
    """
    prlimit = shutil.which("prlimit")
    if not prlimit:
        return None
    prefix = [prlimit, f"--cpu={limits.cpu_seconds}:{limits.cpu_seconds + 5}",
              f"--as={limits.memory_bytes}", f"--fsize={limits.file_bytes}", "--core=0"]
    if os.getuid() != 0:  # root ignores RLIMIT_NPROC; the kill on time-out bounds it
        prefix.append(f"--nproc={limits.processes}")
    return prefix + ["--"]


def set_limits(limits):
    """A preexec function that applies the resource limits in the child (no prlimit)."""
    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.getuid() != 0:  # root ignores RLIMIT_NPROC; the kill on time-out bounds it
            resource.setrlimit(resource.RLIMIT_NPROC, (limits.processes, limits.processes))
    return apply


def environment(scratch_path):
    """A minimal environment: no inherited secrets, quiet TensorFlow, no GPU, Agg plots."""
    return {
        "PATH": "/usr/bin:/bin", "HOME": scratch_path, "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0", "PYTHONUNBUFFERED": "1",
        "MPLBACKEND": "Agg", "MPLCONFIGDIR": scratch_path + "/.mpl",
        "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0",
        "CUDA_VISIBLE_DEVICES": "", "KERAS_BACKEND": "tensorflow",
        "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1",
        **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_CORETYPE")},
    }


def spawn(kind, scratch, chapter_file, limits, requests, replies, output):
    """Start the worker on chapter_file (inside scratch) and return the Popen.

    requests/replies are the pipe ends the worker reads and writes; output
    receives its stdout and stderr.
    """
    if kind == "bwrap":
        inside = f"{SCRATCH_MOUNT}/{chapter_file.relative_to(scratch)}"
        argv = bwrap_command(scratch, [sys.executable, "-I", WORKER_MOUNT, inside,
                                       str(requests), str(replies)])
        env = environment(SCRATCH_MOUNT)
    else:
        argv = [sys.executable, "-I", str(WORKER), str(chapter_file), str(requests), str(replies)]
        env = environment(str(scratch))
    prefix = limit_prefix(limits)
    return subprocess.Popen((prefix or []) + argv, cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                            stdout=output, stderr=output, pass_fds=(requests, replies),
                            preexec_fn=None if prefix else set_limits(limits),
                            start_new_session=True)

