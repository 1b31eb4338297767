"""Run one chapter of a submission in its own sandboxed process and call into it.

A ``SubmissionProcess`` owns one worker process. ``call`` sends the inputs of
one call and waits, with a deadline, for the outputs. A call that times out,
or whose process dies, kills the process; the next call starts a fresh one, so
a hang or ``os._exit`` costs only the calls it happened in.
"""
import os
import select
import shutil
import signal
import struct
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nndl.grader import sandbox
from nndl.grader.worker import MAX_MESSAGE, WireError, decode, encode, send

# The failures the worker itself reports; any other reply is forged or garbled.
WORKER_FAILURES = ("not_implemented", "missing", "bad_output", "exception")
_SIGNAL_NUMBERS = {s.value for s in signal.Signals}


@dataclass
class Reply:
    """What came back from one call: a value, or why there is none."""

    kind: str            # ok | not_implemented | missing | exception | bad_output |
                         # timeout | died | load | syntax | protocol
    value: object = None
    message: str = ""


def _is_result(value):
    """What the worker's to_plain makes: an array, a list of results, or a model summary."""
    if isinstance(value, list):
        return all(_is_result(v) for v in value)
    return isinstance(value, np.ndarray) or (isinstance(value, dict) and "$model" in value)


class OutputSink(threading.Thread):
    """Drains a pipe, keeping only the first `limit` bytes."""

    def __init__(self, fd, limit):
        super().__init__(daemon=True)
        self.fd, self.limit, self.kept, self.dropped = fd, limit, bytearray(), 0

    def run(self):
        while True:
            try:
                chunk = os.read(self.fd, 1 << 16)
            except OSError:
                break
            if not chunk:
                break
            room = self.limit - len(self.kept)
            self.kept += chunk[:max(room, 0)]
            self.dropped += max(len(chunk) - max(room, 0), 0)
        os.close(self.fd)

    def text(self):
        text = self.kept.decode("utf-8", "replace")
        return text + (f"\n[... {self.dropped} more bytes of output dropped]" if self.dropped else "")


class SubmissionProcess:
    """One chapter file of a submission, loaded in a sandboxed worker on demand."""

    def __init__(self, chapter_file, config):
        self.source = Path(chapter_file)
        self.config = config
        self.kind = sandbox.choose(config.sandbox)
        self.proc = None
        self.cgroup = None
        self.scratch = None
        self.load_failure = None
        self.starts = 0

    # ------------------------------------------------------------- lifecycle
    def start(self):
        self.scratch = Path(tempfile.mkdtemp(prefix="nndl-scratch-"))
        target = self.scratch / "submission" / self.source.name
        target.parent.mkdir()
        shutil.copyfile(self.source, target)
        req_read, self.req_write = os.pipe()
        self.rep_read, rep_write = os.pipe()
        out_read, out_write = os.pipe()
        self.cgroup = sandbox.PidsCgroup.create(self.config.limits.processes)
        try:
            self.proc = sandbox.spawn(self.kind, self.scratch, target, self.config.limits,
                                      req_read, rep_write, out_write, self.cgroup)
        except BaseException:
            if self.cgroup is not None:
                self.cgroup.remove()
            raise
        finally:
            for fd in (req_read, rep_write, out_write):
                os.close(fd)
        self.sink = OutputSink(out_read, self.config.limits.output_bytes)
        self.sink.start()
        self.starts += 1
        reply = self._receive(self.config.limits.load_timeout)
        if reply.kind == "ok" and reply.value.get("event") == "ready":
            return None
        if reply.kind == "ok":
            reply = Reply(reply.value.get("kind", "load"), message=reply.value.get("error", ""))
        else:  # a hang or crash while loading would happen again: fail the file once
            reply = Reply("load", message=f"while loading the chapter file: {self._load_failure(reply)}")
        self.load_failure = reply
        self.stop()
        return reply

    def stop(self):
        """Kill the process and everything it started; remove its scratch folder."""
        if self.proc is None:
            return
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
        for fd in (self.req_write, self.rep_read):
            try:
                os.close(fd)
            except OSError:
                pass
        self.sink.join(timeout=5)
        self.proc = None
        shutil.rmtree(self.scratch, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    # ---------------------------------------------------------------- calls
    def call(self, function, args=(), kwargs=None, timeout=None, probe=None):
        """Call function(*args, **kwargs) in the submission; return a Reply."""
        if self.load_failure is not None:
            return self.load_failure
        if self.proc is None:
            failure = self.start()
            if failure is not None:
                return failure
        request = {"call": function, "args": encode(list(args)), "kwargs": encode(kwargs or {})}
        if probe is not None:
            request["probe"] = encode(probe)
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
                return Reply("ok", reply.value["ok"])
            if "ok" not in reply.value and reply.value.get("kind") in WORKER_FAILURES:
                return Reply(reply.value["kind"], message=str(reply.value.get("error", "")))
            self.stop()  # a reply the worker never sends: written by the submission itself
            return Reply("protocol", message="sent a reply that is neither a result nor a known failure")
        return reply

    def _receive(self, timeout):
        """Read one message within timeout seconds and decode it."""
        deadline = time.monotonic() + timeout
        try:
            header = self._read(4, deadline)
            (length,) = struct.unpack(">I", header)
            if length > MAX_MESSAGE:
                return Reply("protocol", message=f"sent a reply of {length} bytes (limit {MAX_MESSAGE})")
            import json
            message = json.loads(self._read(length, deadline).decode("utf-8"))
            if not isinstance(message, dict):
                raise WireError(f"a reply must be a JSON object, not {type(message).__name__}")
            if "ok" in message:
                message["ok"] = decode(message["ok"])
            return Reply("ok", message)
        except TimeoutError:
            return Reply("timeout", message=f"no answer within {timeout:g} s (time-out)")
        except EOFError:
            return Reply("died", message=self._death_message())
        except (WireError, ValueError, UnicodeDecodeError, RecursionError) as exc:
            return Reply("protocol", message=f"sent a malformed reply ({exc})")

    def _load_failure(self, reply):
        if reply.kind == "timeout":
            return f"it did not finish loading within {self.config.limits.load_timeout:g} s (time-out)"
        return reply.message

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

    def _death_message(self):
        try:
            code = self.proc.wait(timeout=5)
        except Exception:  # noqa: BLE001 - still running but closed its pipe
            code = None
        if code is not None and self.kind == "bwrap" and code - 128 in _SIGNAL_NUMBERS:
            code = 128 - code  # bwrap exits with 128 + the signal that killed the worker
        if code is not None and -code in _SIGNAL_NUMBERS:
            name = signal.Signals(-code).name
            why = {"SIGXCPU": " (CPU-time limit)", "SIGKILL": " (killed, e.g. memory)",
                   "SIGSEGV": " (crash)", "SIGXFSZ": " (file-size limit)"}.get(name, "")
            return f"the submission's process was killed by {name}{why}"
        self.sink.join(timeout=2)
        tail = self.sink.text().strip()[-600:]
        return f"the submission's process exited with status {code}" + \
            (f"; its last output:\n{tail}" if tail else "")
