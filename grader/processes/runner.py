"""Run one chapter of a submission in its own sandboxed process and call into it.

A ``SubmissionProcess`` owns one worker process. ``call`` sends the inputs of
one call and waits, with a deadline, for the outputs. A call that times out,
or whose process dies, kills the process; the next call starts a fresh one, so
a hang or ``os._exit`` costs only the calls it happened in.
"""
import json
import os
import queue
import re
import select
import shutil
import signal
import socket
import string
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import numpy as np

from nndl.checking import warned, worker_reply
from nndl.grader.processes import sandbox
from nndl.records import Reply, Rules
from nndl.i18n import N_
from nndl.worker import MAX_MESSAGE, WIRE, WireError, decode, encode, send
from nndl.worker.wire import BLOB, HEADER, message as wire_message

# The failures the worker itself reports; any other reply is forged or garbled.
WORKER_FAILURES = ("not_implemented", "missing", "bad_output", "exception", "forbidden", "numeric", "mutated")


def worker_error(record):
    """An error record from the worker ({"type", "text", "frames"}), checked field by field, or None."""
    if not isinstance(record, dict):
        return None
    frames = record.get("frames")
    return {"type": str(record.get("type", "Exception"))[:200], "text": str(record.get("text", ""))[:1500],
            "frames": frames[:3] if isinstance(frames, list) else []}


def worker_failure(value, function):
    """The Reply of a failure the worker reports, or None when the reply is none it sends."""
    kind = value.get("kind")
    if "ok" in value or kind not in WORKER_FAILURES:
        return None
    if kind == "exception":
        return Reply(kind, function=function, error=worker_error(value.get("error")))
    if kind in ("forbidden", "numeric", "mutated"):  # a rule the text states, broken: checked field by field
        return worker_reply(function, value)
    if kind == "bad_output":
        detail = value.get("detail")
        if not (isinstance(detail, list) and len(detail) == 2 and detail[0] in WIRE.values()
                and isinstance(detail[1], dict) and all(isinstance(v, str) for v in detail[1].values())
                and set(detail[1]) == {f for _, f, _, _ in string.Formatter().parse(detail[0]) if f}):
            return None
        return Reply(kind, function=function, detail=(detail[0], {k: v[:100] for k, v in detail[1].items()}))
    return Reply(kind, function=function)
_SIGNAL_NUMBERS = {s.value for s in signal.Signals}



def _is_result(value):
    """What the worker's to_plain makes: an array, a list of results, or a model summary."""
    if isinstance(value, list):
        return all(_is_result(v) for v in value)
    return isinstance(value, np.ndarray) or (isinstance(value, dict) and "$model" in value)


class OutputSink(threading.Thread):
    """Drains a pipe, keeping its last `limit` bytes and a count of all it read.

    mark() and since(mark) give the output of one call alone: what a
    submission printed during an earlier (hidden) check never comes back
    with a later check's failure.
    """

    def __init__(self, fd, limit):
        super().__init__(daemon=True)
        self.fd, self.limit, self.tail, self.total = fd, limit, bytearray(), 0
        self.lock = threading.Lock()

    def run(self):
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            with self.lock:
                self.total += len(chunk)
                self.tail = (self.tail + chunk)[-self.limit:]
        os.close(self.fd)

    def mark(self):
        with self.lock:
            return self.total

    def since(self, mark=0):
        """The output read after mark (at most the last `limit` bytes of it), as text."""
        with self.lock:
            count = min(self.total - mark, len(self.tail))
            return bytes(self.tail[len(self.tail) - count:]).decode("utf-8", "replace") if count > 0 else ""

    def text(self):
        return self.since(0)


class ZygoteError(RuntimeError):
    """A warm sandbox that did not start or stopped answering."""


class Zygote:
    """A warm sandbox: one sandboxed process that forks a fresh worker per chapter file.

    It imports what preload names (NumPy, and Keras for the chapter files that
    import it: kind_of) as it starts; each worker it forks
    starts with nothing of the one before (see nndl/worker/zygote.py), so a batch pays
    the imports and the sandbox's start once per zygote, not per chapter.
    """

    def __init__(self, config, preload=("numpy",)):
        self.config, self.preload = config, tuple(preload)
        self.kind = sandbox.choose(config.sandbox)
        self.scratch = Path(tempfile.mkdtemp(prefix="nndl-warm-"))
        self.control, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        out_read, out_write = os.pipe()
        self.cgroup = sandbox.PidsCgroup.create(config.limits.processes)
        try:
            self.proc = sandbox.spawn_zygote(self.kind, self.scratch, config.limits, theirs.fileno(),
                                             out_write, self.cgroup, tuple(preload))
        except BaseException:
            self.close()
            raise
        finally:
            theirs.close()
            os.close(out_write)
        self.sink = OutputSink(out_read, config.limits.output_bytes)
        self.sink.start()
        self.exit_status = None
        self.cpu = 0.0   # CPU seconds it has used itself, as it last said

    def wait_ready(self):
        """Wait until it has made its imports; raises ZygoteError (and closes) if it fails."""
        event = self._event(self.config.limits.load_timeout + 30)
        if event is None or event.get("event") != "ready":
            self.sink.join(timeout=2)
            self.close()
            raise ZygoteError(f"the warm sandbox did not start: {self.sink.text().strip()[-300:]}")

    def _event(self, timeout):
        """The zygote's next event, or None when it is silent for timeout s or gone."""
        if not select.select([self.control], [], [], timeout)[0]:
            return None
        try:
            data = self.control.recv(1 << 16)
        except OSError:
            return None
        if not data:
            return None
        try:
            event = json.loads(data.decode("utf-8"))
        except ValueError:
            return None
        if event.get("event") == "exited":
            self.exit_status = event.get("status")
        if isinstance(event.get("cpu"), (int, float)):
            self.cpu = float(event["cpu"])
        return event

    def start(self, chapter_file, requests, replies, output):
        """Fork a worker for chapter_file on these pipe ends; raises ZygoteError."""
        self.exit_status = None
        with open(chapter_file, "rb") as source:
            message = json.dumps({"op": "start", "name": Path(chapter_file).name}).encode("utf-8")
            try:
                socket.send_fds(self.control, [message], [source.fileno(), requests, replies, output])
            except OSError as exc:
                raise ZygoteError(f"the warm sandbox is gone ({exc})") from None
        event = self._event(10)
        if event is None or event.get("event") != "started":
            raise ZygoteError("the warm sandbox did not start a worker")

    def wait_exit(self, timeout):
        """The wait status of a worker that ended by itself (None if unknown)."""
        deadline = time.monotonic() + timeout
        while self.exit_status is None and time.monotonic() < deadline:
            if self._event(max(deadline - time.monotonic(), 0)) is None:
                break
        return self.exit_status

    def stop(self, timeout=10):
        """Kill the worker and all it left behind; False when the zygote did not answer."""
        try:
            self.control.send(json.dumps({"op": "stop"}).encode("utf-8"))
        except OSError:
            return False
        deadline = time.monotonic() + timeout
        while True:
            event = self._event(max(deadline - time.monotonic(), 0))
            if event is None:
                return False
            if event.get("event") == "stopped":
                break
        if self.kind == "none" and self.cgroup is not None:  # no PID namespace to sweep
            for pid in self.cgroup.pids():
                if pid != self.proc.pid:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except (ProcessLookupError, PermissionError):
                        pass
        return True

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def close(self):
        """Kill the sandbox and everything in it; remove its scratch folder."""
        proc = getattr(self, "proc", None)
        if proc is not None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
            self.proc = None
        if self.cgroup is not None:
            self.cgroup.remove()
            self.cgroup = None
        self.control.close()
        if hasattr(self, "sink"):
            self.sink.join(timeout=5)
        shutil.rmtree(self.scratch, ignore_errors=True)


_IMPORTS_KERAS = re.compile(r'^[ \t]*(?:import|from)[ \t]+(?:keras|tensorflow)\b', re.MULTILINE)


def imports_for(path):
    """What a zygote should import before forking a worker for this chapter file: Keras if
    the file imports it (in a .py file, or in a notebook's code)."""
    try:
        text = Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    if Path(path).suffix == ".ipynb":
        try:
            cells = json.loads(text).get("cells", [])
            text = "\n".join("".join(c.get("source", "")) for c in cells if isinstance(c, dict))
        except (ValueError, AttributeError, TypeError):
            pass    # not a notebook after all: searched as text
    return ["keras"] if _IMPORTS_KERAS.search(text) else []


def kind_of(path):
    """The kind of zygote that forks the worker of this chapter file: what it has imported."""
    return ("numpy", *imports_for(path))


def preload_for(files):
    """The kinds of zygote these chapter files need (kind_of), to start as a pool starts so that
    their imports overlap the grader's own rather than waiting for a file."""
    kinds = set()
    for path in files:   # a batch's thousands of files: read until both kinds are seen
        kinds.add(kind_of(path))
        if len(kinds) == 2:
            break
    return sorted(kinds) or [("numpy",)]


class WarmPool:
    """Up to `size` zygotes of each kind, shared by the threads that grade; each lends one at a time.

    A chapter file that imports Keras is forked by a zygote that has imported
    it; every other file by one with NumPy alone, which forks and ends its
    workers faster (about 10 ms a chapter: a process holding TensorFlow has
    ten times the memory to map). The kinds in `preload` start now, the others
    on their first file.

    A zygote that fails is closed and replaced on the next acquire; a pool
    that cannot start one at all (no fork here, a broken sandbox) is cold:
    SubmissionProcess then starts a worker of its own per chapter, as without
    a pool.

    A zygote retires (is closed, and its slot starts a new one) once its own
    CPU time reaches retire_cpu, half of RLIMIT_CPU by default, so that the
    limit never ends it in the middle of a submission.

    Zygotes are started from one thread that lives as long as the pool:
    bubblewrap's --die-with-parent kills the sandbox when the thread that
    started it ends, and the graders' threads come and go.
    """

    def __init__(self, config, size=1, preload=(("numpy",),), retire_cpu=None):
        self.config, self.size = config, max(1, size)
        # A zygote's own CPU time grows with every fork; RLIMIT_CPU would kill it, and the
        # worker it is serving with it. It retires well before: at half its limit.
        self.retire_cpu = config.limits.cpu_seconds / 2 if retire_cpu is None else retire_cpu
        self.idle = {}   # kind -> LifoQueue of its slots: a Zygote, a Future of one, or None (empty)
        self.lock = threading.Lock()
        self.zygotes = []
        self.cold = False
        self.starts = 0
        self.spawner = ThreadPoolExecutor(max_workers=1, thread_name_prefix="nndl-zygotes")
        for kind in preload:
            self._slots(tuple(kind), start=True)

    def _slots(self, kind, start=False):
        """The queue of a kind's slots, made (and, with start, its zygotes started) on first use."""
        with self.lock:
            slots = self.idle.get(kind)
            if slots is None:
                slots = self.idle[kind] = queue.LifoQueue()
                for _ in range(self.size):
                    slots.put(self.spawner.submit(Zygote, self.config, kind) if start else None)
            return slots

    def acquire(self, kind=("numpy",)):
        """A live zygote of this kind (the caller's until release), or None when the pool is cold."""
        slots = self._slots(tuple(kind))
        item = slots.get()
        if isinstance(item, Zygote) and item.alive():
            return item
        if isinstance(item, Zygote):
            self._discard(item)
        if self.cold:
            slots.put(None)
            return None
        try:
            pending = item if isinstance(item, Future) else self.spawner.submit(Zygote, self.config, tuple(kind))
            zygote = pending.result()
            zygote.wait_ready()
        except (ZygoteError, OSError):
            self.cold = True  # every chapter after this one starts a cold sandbox of its own
            slots.put(None)
            return None
        with self.lock:
            self.zygotes.append(zygote)
            self.starts += 1
        return zygote

    def release(self, zygote, healthy=True):
        slots = self._slots(zygote.preload)
        if not healthy or zygote.cpu >= self.retire_cpu:
            self._discard(zygote)
            zygote = None
        slots.put(zygote)

    def _discard(self, zygote):
        zygote.close()
        with self.lock:
            if zygote in self.zygotes:
                self.zygotes.remove(zygote)

    def close(self):
        with self.lock:
            queues = list(self.idle.values())
        for slots in queues:
            while True:   # zygotes started but never lent
                try:
                    item = slots.get_nowait()
                except queue.Empty:
                    break
                if isinstance(item, Future):
                    try:
                        item.result().close()
                    except (ZygoteError, OSError):
                        pass
        with self.lock:
            zygotes, self.zygotes = self.zygotes, []
        for zygote in zygotes:
            zygote.close()
        self.spawner.shutdown(wait=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class SubmissionProcess:
    """One chapter file of a submission, loaded in a sandboxed worker on demand.

    With a WarmPool the worker is forked by one of its zygotes; without one it
    is a sandboxed process of its own.
    """

    def __init__(self, chapter_file, config, pool=None):
        self.source = Path(chapter_file)
        self.config = config
        self.pool = pool
        self.zygote = None
        self.kind = sandbox.choose(config.sandbox)
        self.proc = None
        self.cgroup = None
        self.scratch = None
        self.load_failure = None
        self.call_mark = 0  # the output count when the current call began (OutputSink.mark)
        self.starts = 0

    # ------------------------------------------------------------- lifecycle
    def _launch(self, start, undo):
        """Run start(requests, replies, output) with the worker's ends of three new pipes and keep
        ours; on failure undo() and close them all. The one way both start paths connect."""
        req_read, req_write = os.pipe()
        rep_read, rep_write = os.pipe()
        out_read, out_write = os.pipe()
        try:
            self.proc = start(req_read, rep_write, out_write)
        except BaseException:
            undo()
            for fd in (out_read, req_write, rep_read):
                os.close(fd)
            raise
        finally:
            for fd in (req_read, rep_write, out_write):
                os.close(fd)
        self.req_write, self.rep_read = req_write, rep_read
        self.sink = OutputSink(out_read, self.config.limits.output_bytes)
        self.sink.start()
        self.call_mark = 0

    def _start_warm(self):
        """Fork the worker in a zygote of the pool; False when the pool is cold."""
        zygote = self.pool.acquire(kind_of(self.source))
        if zygote is None:
            return False

        def start(requests, replies, output):
            zygote.start(self.source, requests, replies, output)
            return zygote
        self._launch(start, lambda: self.pool.release(zygote, healthy=False))
        self.zygote = zygote
        return True

    def start(self):
        if self.pool is not None:
            for _ in range(2):  # a zygote killed by the last submission is replaced once
                try:
                    started = self._start_warm()
                except ZygoteError:
                    continue
                if started:
                    return self._ready()
                break
        self.scratch = Path(tempfile.mkdtemp(prefix="nndl-scratch-"))
        target = self.scratch / "submission" / self.source.name
        target.parent.mkdir()
        shutil.copyfile(self.source, target)
        self.cgroup = sandbox.PidsCgroup.create(self.config.limits.processes)

        def start(requests, replies, output):
            return sandbox.spawn(self.kind, self.scratch, target, self.config.limits,
                                 requests, replies, output, self.cgroup)
        self._launch(start, lambda: self.cgroup.remove() if self.cgroup is not None else None)
        return self._ready()

    def _ready(self):
        """Wait for the worker to load the chapter file; None, or the Reply that failed it."""
        self.starts += 1
        reply = self._receive(self.config.limits.load_timeout)
        if reply.kind == "ok" and reply.value.get("event") == "ready":
            return None
        if reply.kind == "ok":
            kind = reply.value.get("kind") if reply.value.get("kind") in ("syntax", "load") else "load"
            reply = Reply(kind, error=worker_error(reply.value.get("error")))
        else:  # a hang or crash while loading would happen again: fail the file once
            reply = self._load_failure(reply)
        self.load_failure = reply
        self.stop()
        return reply

    def stop(self):
        """Kill the process and everything it started; remove its scratch folder."""
        if self.proc is None:
            return
        if self.zygote is not None:  # it kills the worker and empties its scratch folder
            self.pool.release(self.zygote, self.zygote.stop())
            self.zygote = None
        else:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            self.proc.wait()
            # bwrap's PID namespace dies with the sandbox; the cgroup also catches what a
            # worker without bwrap left behind (a daemon in a session of its own).
            if self.cgroup is not None:
                self.cgroup.remove()
                self.cgroup = None
            shutil.rmtree(self.scratch, ignore_errors=True)
        for fd in (self.req_write, self.rep_read):
            try:
                os.close(fd)
            except OSError:
                pass
        self.sink.join(timeout=5)
        self.proc = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---------------------------------------------------------------- calls
    def call(self, function, args=(), kwargs=None, timeout=None, probe=None, rules=Rules()):
        """Call function(*args, **kwargs) in the submission, under the chapter's Rules; a Reply."""
        if self.load_failure is not None:
            return self.load_failure
        if self.proc is None:
            failure = self.start()
            if failure is not None:
                return failure
        self.call_mark = self.sink.mark()
        request = {"call": function, "args": encode(list(args)), "kwargs": encode(kwargs or {})}
        if probe is not None:
            request["probe"] = encode(probe)
        request.update(rules.request(function))
        try:
            send(self.req_write, request)
        except OSError:
            pass  # the process is gone; _receive reports it
        timeout = timeout or self.config.limits.call_timeout
        reply = self._receive(timeout)
        if reply.kind in ("timeout", "died", "protocol"):
            self.stop()
        elif reply.kind == "ok":
            if "ok" in reply.value and _is_result(reply.value["ok"]):
                return Reply("ok", reply.value["ok"], warned=warned(reply.value.get("warned")))
            failure = worker_failure(reply.value, function)
            if failure is not None:
                return failure
            self.stop()  # a reply the worker never sends: written by the submission itself
            return Reply("protocol", function=function,
                         detail=(N_("sent a reply that is neither a result nor a known failure"), {}))
        reply.function = function
        return reply

    def _receive(self, timeout):
        """Read one message within timeout seconds and decode it."""
        deadline = time.monotonic() + timeout
        try:
            length, blob = HEADER.unpack(self._read(HEADER.size, deadline))
            if length + blob > MAX_MESSAGE:
                return Reply("protocol", detail=(N_("sent a reply of {length} bytes (limit {limit})"),
                                                 {"length": length + blob, "limit": MAX_MESSAGE}))
            message = wire_message(self._read(length, deadline), self._read(blob, deadline))
            if not isinstance(message, dict):
                raise WireError(N_("a reply must be a JSON object, not {type}"), type=type(message).__name__)
            blob = message.pop(BLOB)
            if "ok" in message:
                message["ok"] = decode(message["ok"], blob)
            return Reply("ok", message)
        except TimeoutError:
            return Reply("timeout", detail=(N_("no answer within {seconds:g} s (time-out)"), {"seconds": timeout}))
        except EOFError:
            return self._death()
        except (WireError, ValueError, UnicodeDecodeError, RecursionError) as exc:
            return Reply("protocol", detail=(N_("sent a malformed reply ({problem})"),
                                             {"problem": str(exc)[:200]}))

    def _load_failure(self, reply):
        """The Reply of a chapter file that hung or crashed while loading."""
        if reply.kind == "timeout":
            return Reply("load", detail=(N_("while loading the chapter file: it did not finish loading within "
                                            "{seconds:g} s (time-out)"), {"seconds": self.config.limits.load_timeout}))
        return Reply("load", detail=(N_("while loading the chapter file: {problem}"), {"problem": reply.detail}),
                     output=reply.output)

    def _read(self, n, deadline):
        chunks = []
        while n:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.rep_read], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(self.rep_read, min(n, 1 << 20))
            if not chunk:
                raise EOFError
            chunks.append(chunk)
            n -= len(chunk)
        return b"".join(chunks)

    def _death(self):
        """The Reply of a process that ended: how (a signal, an exit status) and its last output."""
        if self.zygote is not None:
            status = self.zygote.wait_exit(5)
            code = os.waitstatus_to_exitcode(status) if status is not None else None
        else:
            try:
                code = self.proc.wait(timeout=5)
            except Exception:  # noqa: BLE001 - still running but closed its pipe
                code = None
        if code is not None and self.kind == "bwrap" and self.zygote is None \
                and code - 128 in _SIGNAL_NUMBERS:
            code = 128 - code  # bwrap exits with 128 + the signal that killed the worker
        if code is not None and -code in _SIGNAL_NUMBERS:
            name = signal.Signals(-code).name
            why = {"SIGXCPU": N_("the submission's process was killed by {signal} (CPU-time limit)"),
                   "SIGKILL": N_("the submission's process was killed by {signal} (killed, e.g. memory)"),
                   "SIGSEGV": N_("the submission's process was killed by {signal} (crash)"),
                   "SIGXFSZ": N_("the submission's process was killed by {signal} (file-size limit)")}
            return Reply("died", detail=(why.get(name, N_("the submission's process was killed by {signal}")),
                                         {"signal": name}))
        self.sink.join(timeout=2)
        return Reply("died", detail=(N_("the submission's process exited with status {code}"), {"code": code}),
                     output=self.sink.since(self.call_mark).strip()[-600:])
