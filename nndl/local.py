"""The learner's chapter file, loaded in a child process and called through the wire format.

This is the kit's side, not the grader's: the learner's own code on the
learner's own machine, so there is no sandbox. A child process keeps a hang,
a crash or ``sys.exit`` in the learner's file from taking ``nndl check`` or
pytest down with it; a call that times out or kills the process restarts it
for the next call. The child is nndl/worker/, the same program the grader runs
in its sandbox, so the learner's outputs are converted exactly as there.
"""
import os
import select
import subprocess
import sys
import threading
import time
from pathlib import Path

from nndl import worker
from nndl.worker import wire
from nndl.checking import reply_of
from nndl.i18n import N_
from nndl.records import Reply, Rules

LOAD_TIMEOUT = 120.0    # seconds to run the chapter file (a Keras import included)
OUTPUT_TAIL = 2000      # characters of the learner's output kept for messages


def environment():
    """The learner's environment for the child only: TensorFlow quiet and with oneDNN off (the
    stored answers were computed so), unless the learner chose otherwise; plots off screen."""
    return {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0", **os.environ,
            "MPLBACKEND": "Agg", "PYTHONUNBUFFERED": "1"}


class LearnerProcess:
    """One chapter file in a child process: call(function, args, kwargs, timeout, probe) -> Reply."""

    def __init__(self, path, load_timeout=LOAD_TIMEOUT):
        self.path, self.load_timeout = Path(path).resolve(), load_timeout
        self.proc = self.load_error = None
        self.output = ""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        requests_read, self.requests = os.pipe()
        self.replies, replies_write = os.pipe()
        self.proc = subprocess.Popen(
            [sys.executable, worker.PROGRAM, str(self.path), str(requests_read), str(replies_write)],
            cwd=self.path.parent, env=environment(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, pass_fds=(requests_read, replies_write))
        os.close(requests_read)
        os.close(replies_write)
        self.output = ""
        threading.Thread(target=self._drain, args=(self.proc.stdout,), daemon=True).start()
        first = self._receive(self.load_timeout)
        if first is None:
            self.load_error = self._ended("load", N_("the chapter file did not finish loading within {seconds:g} s"),
                                          seconds=self.load_timeout)
        elif first.get("event") == "load_error":
            kind = first.get("kind") if first.get("kind") in ("syntax", "load") else "load"
            self.load_error = Reply(kind, error=first.get("error") if isinstance(first.get("error"), dict) else None)

    def _drain(self, stream):
        for line in iter(stream.readline, b""):
            self.output = (self.output + line.decode("utf-8", "replace"))[-OUTPUT_TAIL:]
        stream.close()

    def _receive(self, timeout):
        """The child's next message, or None when it is silent for timeout s or gone."""
        deadline = time.monotonic() + timeout
        try:
            head = self._read(wire.HEADER.size, deadline)
            length, blob = wire.sizes(head) if head is not None else (None, None)
            body = self._read(length, deadline) if head is not None else None
            blob = self._read(blob, deadline) if body is not None else None
            return wire.message(body, blob) if blob is not None else None
        except (OSError, ValueError):
            return None

    def _read(self, n, deadline):
        chunks = b""
        while len(chunks) < n:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.replies], [], [], left)[0]:
                return None
            chunk = os.read(self.replies, n - len(chunks))
            if not chunk:
                return None
            chunks += chunk
        return chunks

    def _ended(self, kind, template, function="", **fields):
        """A Reply of the given kind: what happened, how the process ended, its last output."""
        self.stop()
        code = self.proc.returncode if self.proc else None
        if code not in (None, -9):
            template, fields = N_("{what}; the process ended with status {code}"), {
                "what": (template, fields), "code": code}
        return Reply(kind, function=function, detail=(template, fields), output=self.output)

    def call(self, function, args=(), kwargs=None, timeout=None, probe=None, rules=Rules()):
        """function(*args, **kwargs) in the child, under the chapter's Rules."""
        if self.load_error is not None:   # the file itself is broken: every call says so
            return self.load_error
        if self.proc is None or self.proc.poll() is not None:
            self.start()
            if self.load_error is not None:
                return self.load_error
        timeout = timeout or 10.0
        try:
            worker.send(self.requests, {"call": function, "args": worker.encode(list(args)),
                                        "kwargs": worker.encode(kwargs or {}),
                                        "probe": worker.encode(probe), **rules.request(function)})
        except (OSError, worker.WireError):
            return self._ended("died", N_("{name}() could not be called"), function, name=function)
        reply = self._receive(timeout)
        if reply is None:
            if self.proc.poll() is None:
                return self._ended("timeout", N_("{name}() did not return within {seconds:g} s"), function,
                                   name=function, seconds=timeout)
            return self._ended("died", N_("{name}() crashed the process"), function, name=function)
        return reply_of(reply, function)

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        for fd in ("requests", "replies"):
            if getattr(self, fd, None) is not None:
                try:
                    os.close(getattr(self, fd))
                except OSError:
                    pass
                setattr(self, fd, None)


def check_file(chapter, path, only=None):
    """Run a chapter file's compiled visible checks (those of the functions in `only`, if given);
    a list of Results in the chapter's order."""
    from nndl import compiled
    from nndl.checking import Blame, run_check

    selected = [c for c in compiled.checks(chapter) if not only or c.function in only or c.id in only]
    rules = compiled.rules(chapter)
    with LearnerProcess(path) as process:
        def call(function, args, kwargs, timeout, probe):
            return process.call(function, args, kwargs, timeout, probe, rules)
        blame = Blame(compiled.calls(chapter))
        return [blame.note(run_check(check, call), check.function) for check in selected]
