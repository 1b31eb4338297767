"""The warm sandbox: a long-lived process that forks a fresh call server per chapter file."""
import json
import os
import sys

if __package__:  # imported as nndl.worker.zygote (the grader, the kit)
    from . import calls
else:           # run inside the sandbox, where nndl is not importable: __main__.py put this folder on sys.path
    import calls

# --------------------------------------------------------- the warm sandbox
# A zygote is a long-lived process in a sandbox of its own that has imported
# NumPy (and Keras, when the chapters need it) once. For each chapter file it
# is sent (the file and three pipes, over a Unix socket) it forks a child that
# loads the file and serves calls; the child starts in milliseconds, with
# nothing of earlier submissions: on "stop", or when the child exits, the
# zygote kills every other process in the sandbox, empties the scratch
# folder, /tmp and /dev/shm, removes what was added to /dev, and removes the
# System V shared memory, semaphores and message queues of the sandbox's IPC
# namespace. The zygote is not dumpable, so a child cannot read or write its
# memory through /proc or ptrace.
def _empty(folder):
    """Remove everything inside folder, whatever its permissions."""
    import shutil

    def unlock(function, path, _):
        try:
            os.chmod(os.path.dirname(path), 0o700)
            os.chmod(path, 0o700)
            function(path)
        except OSError:
            pass
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, onerror=unlock)
        else:
            try:
                os.unlink(path)
            except OSError:
                pass


def _others():
    """Every process of this PID namespace but its init (1: the zygote) and this one."""
    me = os.getpid()
    return [int(n) for n in os.listdir("/proc") if n.isdigit() and int(n) not in (1, me)]


_DEV = set()   # what /dev held when the zygote started (inside the sandbox, its own tmpfs)
_IPC_RMID = 0


def _clear_ipc():
    """Remove the System V shared memory, semaphores and message queues of this IPC namespace."""
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
    except (OSError, AttributeError):
        return
    for kind, remove in (("shm", lambda i: libc.shmctl(i, _IPC_RMID, None)),
                         ("sem", lambda i: libc.semctl(i, 0, _IPC_RMID)),
                         ("msg", lambda i: libc.msgctl(i, _IPC_RMID, None))):
        try:
            with open(f"/proc/sysvipc/{kind}") as table:
                ids = [int(line.split()[1]) for line in table.readlines()[1:] if line.strip()]
        except (OSError, ValueError, IndexError):
            continue
        for ipc_id in ids:
            remove(ipc_id)


def _clear_dev():
    """Empty /dev/shm and remove what was added to /dev (both writable in the sandbox)."""
    _empty("/dev/shm")
    try:
        names = os.listdir("/dev")
    except OSError:
        return
    for name in names:
        if name not in _DEV:
            path = os.path.join("/dev", name)
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    _empty(path)
                    os.rmdir(path)
                else:
                    os.unlink(path)
            except OSError:
                pass


def _sweep(child, namespace, scratch):
    """Kill the child and all it left behind; reap; return the child's wait status."""
    import signal
    import time
    status = None
    for attempt in range(500):
        targets = _others() if namespace else []
        if child is not None and status is None:
            try:
                os.killpg(child, signal.SIGKILL)
            except OSError:
                pass
            targets.append(child)
        for pid in targets:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        while True:  # reap what is ours; orphans are init's to reap
            try:
                pid, code = os.waitpid(-1, os.WNOHANG)
            except ChildProcessError:
                break
            if pid == 0:
                break
            if pid == child:
                status = code
        if (child is None or status is not None) and not (namespace and _others()):
            break
        # A killed process is gone within a millisecond or two: look again soon, then less often
        # (0.2 ms doubling to 10 ms; about 5 s in all before giving up).
        time.sleep(min(0.0002 * 2 ** attempt, 0.01))
    # Inside the sandbox /tmp, /dev and System V IPC are private too; outside they are everybody's.
    for folder in (scratch, "/tmp") if namespace else (scratch,):
        if os.path.isdir(folder) and os.access(folder, os.W_OK):
            _empty(folder)
    if namespace:
        _clear_dev()
        _clear_ipc()
    return status


def _nondumpable():
    try:
        import ctypes
        ctypes.CDLL(None, use_errno=True).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE = 4
    except (OSError, AttributeError):
        pass


def _child(message, fds, control):
    """The forked child: become a fresh worker for one chapter file."""
    file_fd, requests, replies, output = fds
    control.close()
    os.setsid()
    os.dup2(output, 1)
    os.dup2(output, 2)
    folder = os.path.join(os.getcwd(), "submission")
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, os.path.basename(message["name"]))
    with os.fdopen(file_fd, "rb") as source, open(path, "wb") as target:
        target.write(source.read())
    os.chmod(path, 0o444)
    keep = {0, 1, 2, requests, replies}
    for fd in os.listdir("/proc/self/fd"):
        if int(fd) not in keep:
            try:
                os.close(int(fd))
            except OSError:
                pass
    code = 1
    sys.argv = [__file__, path, str(requests), str(replies)]  # as a cold worker is started
    try:
        code = calls.main(sys.argv)
    finally:
        sys.stdout.flush()
        os._exit(code or 0)


def _cpu():
    """CPU seconds this zygote has used itself: RLIMIT_CPU counts them, forks and all."""
    times = os.times()
    return times.user + times.system


def zygote(control_fd, scratch, preload):
    """Serve start/stop requests on the control socket until it closes."""
    import select
    import socket

    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in preload:
        __import__(name)
    _nondumpable()
    # In bubblewrap's PID namespace the zygote is init (pid 1): the kernel
    # drops any signal a child sends it, and every other process there is the
    # child's doing.
    namespace = os.environ.get("NNDL_SANDBOXED") == "1" and os.getpid() == 1
    if namespace:
        _DEV.update(os.listdir("/dev"))
    control = socket.socket(fileno=control_fd)

    def tell(event):
        control.send(json.dumps(event).encode("utf-8"))

    tell({"event": "ready", "pid": os.getpid()})
    child = None
    while True:
        readable = select.select([control], [], [], 0.05 if child else None)[0]
        if child is not None:
            pid, status = os.waitpid(child, os.WNOHANG)
            if pid == child:  # it ended by itself: clear up after it, then say how
                _sweep(None, namespace, scratch)
                tell({"event": "exited", "status": status, "cpu": _cpu()})
                child = None
        if not readable:
            continue
        data, fds, _, _ = socket.recv_fds(control, 1 << 16, 4)
        if not data:
            _sweep(child, namespace, scratch)
            return 0
        message = json.loads(data.decode("utf-8"))
        if message.get("op") == "start" and child is None and len(fds) == 4:
            child = os.fork()
            if child == 0:
                _child(message, fds, control)
            for fd in fds:
                os.close(fd)
            tell({"event": "started"})
        elif message.get("op") == "stop":
            for fd in fds:
                os.close(fd)
            status = _sweep(child, namespace, scratch)
            child = None
            tell({"event": "stopped", "status": status, "cpu": _cpu()})
        else:
            for fd in fds:
                os.close(fd)
            tell({"event": "refused"})
