"""How a submission process is started: bubblewrap where it works, else limits only.

Inside bubblewrap the submission runs as an unprivileged user (uid 65534, no
capabilities, no further user namespaces) and sees a read-only system and
Python environment, its own size-capped scratch folder as its working
directory, a private /tmp, no network and its own PID namespace. The project
folder (``solutions/``, ``source/``, the grader and its configuration) is not
mounted at all, nor is an installed copy of the nndl packages; only the worker
script and the chapter file are, read-only. Without bubblewrap the same
process runs with the same resource limits but none of that isolation, and
the grader says so.

Every worker, sandboxed or not, also gets its own pids cgroup where one can be
made (``PidsCgroup``): it caps the worker's processes and threads, which
RLIMIT_NPROC cannot do for root, and lets the grader kill whatever the worker
left behind, double-forked daemons included.
"""
import functools
import importlib.util
import glob
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import time
import uuid
from pathlib import Path

from nndl import worker

WORKER = Path(worker.FOLDER)        # the worker's programs (nndl/worker/), bound read-only
SCRATCH_MOUNT = "/scratch"
WORKER_MOUNT = "/nndl-worker"
PROGRAM_MOUNT = f"{WORKER_MOUNT}/__main__.py"
SANDBOX_UID = 65534  # "nobody": the submission's user inside the sandbox
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
    if pids_hierarchy():
        processes = "processes capped by a pids cgroup"
    elif os.getuid() != 0:
        processes = "processes capped by RLIMIT_NPROC (counted over all of the grader's user's processes)"
    else:  # root ignores RLIMIT_NPROC
        processes = ("process count NOT capped (no writable pids cgroup here; "
                     "a fork bomb is stopped only by the time-out)")
    if kind == "bwrap":
        return ("bubblewrap sandbox: read-only system, private scratch, no network, "
                f"own PID namespace; {processes}")
    return ("NO SANDBOX: bubblewrap is unavailable, so submissions ran as plain processes "
            f"with resource limits only (they could read files and reach the network); {processes}")


def python_roots():
    """Folders the Python interpreter and its packages live in.

    Besides the environment's own site-packages, every folder of sys.path that
    holds installed distributions (a user site, or one a .pth file adds): the
    submission must import what the grader's Python imports. The course's own
    packages in any of them are hidden again (course_packages).
    """
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    paths.update(p for p in sys.path if p and os.path.isdir(p) and glob.glob(os.path.join(glob.escape(p),
                                                                                          "*.dist-info")))
    return sorted(p for p in paths if p and os.path.isdir(p))


def course_packages():
    """Folders of the installed nndl packages: the grader, its checks and the references.

    A folder inside another one of them is left out: hiding the outer one hides it (and
    hiding it again would leave an empty folder there, which Python takes for a package).
    """
    folders = set()
    for name in ("nndl", "nndl.grader", "nndl.solutions"):
        spec = importlib.util.find_spec(name)
        folders.update(os.path.realpath(f) for f in (spec.submodule_search_locations if spec else []))
    return sorted(f for f in folders if not any(f.startswith(other + os.sep) for other in folders))


def bwrap_command(scratch, argv, scratch_bytes=None, submission=True, pid_1=False):
    """The bwrap command line that runs argv (a python command) inside the sandbox.

    With scratch_bytes, /scratch and /tmp are fresh in-memory folders of that
    size, and only scratch/submission (the chapter file) is bound into
    /scratch, read-only; without it the scratch folder itself is bound,
    writable, and /tmp is unbounded. A warm sandbox (submission=False) gets
    its chapter files later, through its control socket; with pid_1 the
    command is the PID namespace's init, which the kernel shields from every
    signal the namespace's other processes send it.
    """
    size = ["--size", str(scratch_bytes)] if scratch_bytes else []
    # --unshare-user with another uid drops every capability; the user
    # namespace maps only that uid, to the grader's, so RLIMIT_NPROC still
    # sees root when the grader is root: PidsCgroup bounds the processes.
    command = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
               "--uid", str(SANDBOX_UID), "--gid", str(SANDBOX_UID), "--cap-drop", "ALL",
               "--die-with-parent", "--new-session", *(["--as-pid-1"] if pid_1 else []),
               "--proc", "/proc", "--dev", "/dev", *size, "--tmpfs", "/tmp"]
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
    if scratch_bytes:
        command += [*size, "--tmpfs", SCRATCH_MOUNT]
        if submission:
            command += ["--ro-bind", str(Path(scratch) / "submission"), f"{SCRATCH_MOUNT}/submission"]
    else:
        command += ["--bind", str(scratch), SCRATCH_MOUNT]
    command += ["--ro-bind", str(WORKER), WORKER_MOUNT, "--remount-ro", "/",
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
    if os.getuid() != 0:  # root ignores RLIMIT_NPROC; PidsCgroup bounds it
        prefix.append(f"--nproc={limits.processes}")
    return prefix + ["--"]


def set_limits(limits):
    """A preexec function that applies the resource limits in the child (no prlimit)."""
    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 5))
        resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
        resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        if os.getuid() != 0:  # root ignores RLIMIT_NPROC; PidsCgroup bounds it
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
        # One TensorFlow thread per sandbox: graders run side by side (--jobs, Dask workers), and
        # the course's small models train faster on one thread than on several contending ones.
        "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
        **{k: v for k, v in os.environ.items() if k.startswith("OPENBLAS_CORETYPE")},
    }


def _start(kind, scratch, arguments, limits, fds, output, cgroup, zygote=False):
    """The one way a sandboxed process starts: the worker program (nndl/worker/) with arguments(the scratch folder as the
    worker sees it), in bubblewrap or as a plain process, with the limits, in the cgroup; the Popen."""
    if kind == "bwrap":
        argv = bwrap_command(scratch, [sys.executable, "-I", PROGRAM_MOUNT, *arguments(SCRATCH_MOUNT)],
                             limits.scratch_bytes, submission=not zygote, pid_1=zygote)
        # The zygote is its PID namespace's init: it may then sweep the whole sandbox.
        env = {**environment(SCRATCH_MOUNT), **({"NNDL_SANDBOXED": "1"} if zygote else {})}
    else:
        argv = [sys.executable, "-I", worker.PROGRAM, *arguments(str(scratch))]
        env = environment(str(scratch))
    prefix = limit_prefix(limits)
    argv = (cgroup.enter_command() if cgroup else []) + (prefix or []) + argv
    return subprocess.Popen(argv, cwd=scratch, env=env, stdin=subprocess.DEVNULL,
                            stdout=output, stderr=output, pass_fds=fds,
                            preexec_fn=None if prefix else set_limits(limits),
                            start_new_session=True)


def spawn(kind, scratch, chapter_file, limits, requests, replies, output, cgroup=None):
    """Start the worker on chapter_file (inside scratch) and return the Popen.

    requests/replies are the pipe ends the worker reads and writes; output
    receives its stdout and stderr. With a PidsCgroup, the process enters it
    before anything else runs.
    """
    relative = chapter_file.relative_to(scratch).as_posix()
    return _start(kind, scratch, lambda root: [f"{root}/{relative}", str(requests), str(replies)],
                  limits, (requests, replies), output, cgroup)


def spawn_zygote(kind, scratch, limits, control, output, cgroup=None, preload=("numpy",)):
    """Start a warm sandbox (the worker program with --zygote) that forks one worker per chapter file.

    control is the zygote's end of a Unix socket; the rest is as for spawn.
    """
    return _start(kind, scratch, lambda root: ["--zygote", str(control), root, *preload],
                  limits, (control,), output, cgroup, zygote=True)


# ------------------------------------------------------------ pids cgroups
def _own_cgroups():
    """This process's cgroup path per hierarchy, keyed by the hierarchy's controllers."""
    with open("/proc/self/cgroup", encoding="utf-8") as handle:
        rows = [line.rstrip("\n").split(":", 2) for line in handle if line.count(":") >= 2]
    return {controllers: path for _, controllers, path in rows}


def _cgroup_folders():
    """Candidate folders for child pids cgroups: cgroup v1's pids hierarchy, then v2's."""
    own = _own_cgroups()
    with open("/proc/self/mountinfo", encoding="utf-8") as handle:
        mounts = [line.split() for line in handle]
    found = []
    for fields in mounts:
        dash = fields.index("-")
        root, mountpoint, fstype = fields[3], fields[4], fields[dash + 1]
        options = fields[dash + 3].split(",") if len(fields) > dash + 3 else []
        if fstype == "cgroup" and "pids" in options:
            path = next((p for k, p in own.items() if "pids" in k.split(",")), None)
        elif fstype == "cgroup2":
            path = own.get("")
        else:
            continue
        inside = os.path.relpath(path, root) if path is not None else os.pardir
        if not inside.startswith(os.pardir):  # our cgroup lies inside what is mounted
            found.append((fstype, os.path.normpath(os.path.join(mountpoint, inside))))
    return [folder for fstype, folder in sorted(found, key=lambda f: f[0] != "cgroup")]


@functools.lru_cache(maxsize=None)
def pids_hierarchy():
    """A folder where this process can make pids cgroups with their own limit, or None.

    Probed once: a child cgroup is made, given a pids.max and removed. Where
    cgroups are read-only, absent, or (cgroup v2) not delegated with the pids
    controller enabled, there is none.
    """
    try:
        folders = _cgroup_folders()
    except (OSError, ValueError):
        return None
    for folder in folders:
        probe = Path(folder) / f"nndl-probe-{os.getpid()}"
        try:
            probe.mkdir()
        except OSError:
            continue
        try:
            (probe / "pids.max").write_text("1\n", encoding="ascii")
            return folder
        except OSError:
            continue
        finally:
            probe.rmdir()
    return None


class PidsCgroup:
    """One worker's pids cgroup: caps its tasks (processes and threads) and kills them all.

    cgroup v1 or v2 alike: `pids.max` caps the number of tasks, and
    `cgroup.procs` lists every process in the group, wherever it was
    re-parented to; a double-forked daemon cannot leave it.
    """

    def __init__(self, folder):
        self.folder = Path(folder)

    @classmethod
    def create(cls, max_tasks):
        """A fresh cgroup allowing max_tasks tasks, or None where none can be made."""
        base = pids_hierarchy()
        if base is None:
            return None
        folder = Path(base) / f"nndl-worker-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        try:
            folder.mkdir()
        except OSError:
            return None
        try:
            (folder / "pids.max").write_text(f"{max_tasks}\n", encoding="ascii")
        except OSError:
            folder.rmdir()
            return None
        return cls(folder)

    def enter_command(self):
        """A command prefix that moves itself into this cgroup, then execs the rest."""
        return ["/bin/sh", "-c", 'echo $$ > "$0" && exec "$@"', str(self.folder / "cgroup.procs")]

    def pids(self):
        """The processes in the group now."""
        try:
            text = (self.folder / "cgroup.procs").read_text(encoding="ascii")
        except OSError:
            return []
        return [int(pid) for pid in text.split()]

    def peak(self):
        """The most tasks the group held at once (None where the kernel does not say)."""
        try:
            return int((self.folder / "pids.peak").read_text(encoding="ascii"))
        except (OSError, ValueError):
            return None

    def kill(self, within=10.0):
        """SIGKILL every process in the group until none is left; True when it is empty."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            pids = self.pids()
            if not pids:
                return True
            for pid in pids:
                try:
                    os.kill(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            time.sleep(0.01)
        return not self.pids()

    def remove(self):
        """Kill what is left and delete the group; False when it could not be emptied."""
        emptied = self.kill()
        for _ in range(50):  # a killed task leaves the group a moment after its death
            try:
                self.folder.rmdir()
                return True
            except FileNotFoundError:
                return True
            except OSError:
                time.sleep(0.02)
        return emptied and not self.folder.exists()
