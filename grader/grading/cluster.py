"""A batch on Dask: one task per student, on a LocalCluster or an existing scheduler.

``nndl grade SUBMISSIONS --out R --cluster local:N`` starts a
``dask.distributed.LocalCluster`` of N worker processes on this machine;
``--cluster tcp://HOST:PORT`` uses a scheduler that is already running (a
university's Slurm through dask-jobqueue, Kubernetes through dask-kubernetes or
the Dask Helm chart: README). The workers need nndl installed, bubblewrap for
the sandbox, and nothing else: each task carries its student's files, so they
share no file system with the client.

Each Dask worker process keeps one warm sandbox pool and the grader's
reference cache for all the students it grades (``_pool``), as ``--jobs`` does
in one process. A task returns the student's results JSON; the client writes
``R/<student>.json`` as each arrives (batch.grade_batch). A worker lost in the
middle of a student (killed, out of memory, its machine gone) has its task run
again on another worker by Dask's scheduler; grading is deterministic, so the
grades equal those of a serial run.
"""
import atexit
import os
import re
import tempfile
import threading
from pathlib import Path

from nndl.i18n import t

LOCAL = re.compile(r"local(?::(\d{1,4}))?\Z")
ADDRESS = re.compile(r"(tcp|tls|ws|wss|inproc)://[^\s/]+\Z")
RETRIES = 2           # a task whose worker died is retried this many times on other workers


class ClusterError(ValueError):
    """A --cluster value that names no cluster, or a scheduler that cannot be reached."""


def parse(spec):
    """("local", N) for local[:N] (N: the CPUs when not given), or ("address", spec)."""
    spec = str(spec).strip()
    local = LOCAL.match(spec)
    if local:
        workers = int(local.group(1)) if local.group(1) else (os.cpu_count() or 1)
        if workers < 1:
            raise ClusterError(t("--cluster local:N needs at least 1 worker"))
        return "local", workers
    if ADDRESS.match(spec):
        return "address", spec
    raise ClusterError(t("--cluster {spec}: expected local, local:N or a scheduler address such as "
                         "tcp://HOST:8786", spec=spec))


def connect(spec):
    """(client, cluster or None) for a --cluster value; the caller closes both."""
    kind, value = parse(spec)
    try:
        from distributed import Client, LocalCluster
    except ImportError as exc:   # the grader's dependencies hold it; a trimmed install may not
        raise ClusterError(t("--cluster needs dask.distributed: pip install 'distributed'")) from exc
    if kind == "local":
        # One thread per worker process: each grades one student at a time, with its own sandboxes.
        cluster = LocalCluster(n_workers=value, threads_per_worker=1, processes=True,
                               dashboard_address=None, memory_limit=0, silence_logs=50)
        return Client(cluster), cluster
    try:
        return Client(value, timeout="20s"), None
    except (OSError, TimeoutError) as exc:
        raise ClusterError(t("--cluster {spec}: no Dask scheduler answered ({error})",
                             spec=value, error=exc)) from exc


def files_of(folder):
    """A student's submission as {relative path: bytes}: what the task carries to its worker."""
    folder = Path(folder)
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def submit(client, found, config, selected, visibility):
    """A future per student of found ({student: their files, files_of}), each resolving to its
    results JSON."""
    return {client.submit(grade_task, student, files, config, list(selected), tuple(visibility),
                          key=f"nndl-grade-{student}-{os.urandom(4).hex()}", pure=False, retries=RETRIES):
            student for student, files in found.items()}


# ------------------------------------------------------------------ on a Dask worker
_POOLS = {}
_LOCK = threading.Lock()


def _pool(config, preload):
    """This worker process's warm sandbox pool (one, kept for every student it grades); preload()
    names the kinds of zygote to start with it, asked only when the pool is made."""
    from nndl.grader.processes.runner import WarmPool

    with _LOCK:
        pool = _POOLS.get(config)
        if pool is None and config.warm:
            pool = _POOLS[config] = WarmPool(config, 1, preload())
            atexit.register(pool.close)
        return pool


def grade_task(student, files, config, selected, visibility):
    """Grade one student's files on this worker; the results JSON (batch.grade_one's report)."""
    from nndl.grader.grading import batch
    from nndl.grader.processes.runner import preload_for

    with tempfile.TemporaryDirectory(prefix="nndl-task-") as folder:
        for name, data in files.items():
            path = Path(folder, name)
            if not path.resolve().is_relative_to(Path(folder).resolve()):
                continue   # a name that would leave the folder is not a submission's file
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        pool = _pool(config, lambda: preload_for(Path(folder, name) for name in files))
        return batch.grade_one(student, Path(folder), config, selected, visibility, pool).report.as_json()
