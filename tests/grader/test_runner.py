"""The runner: one sandboxed process per chapter; a hang, a crash or garbage costs only its calls."""
import glob
import shutil
import struct
import uuid

import numpy as np
import pytest

from conftest import CH02, FAST, FILES, assert_only_lost, grade_ch02
from nndl.grader.config import GraderConfig, Limits
from nndl.grader.processes.runner import SubmissionProcess, WarmPool, imports_for, preload_for
from nndl.worker import MAX_MESSAGE

TINY = FILES / "tiny" / f"{CH02}.py"


def processes_named(name):
    """Pids of live processes whose name (comm) is `name`."""
    found = []
    for comm in glob.glob("/proc/[0-9]*/comm"):
        try:
            with open(comm, encoding="utf-8") as handle:
                if handle.read().strip() == name:
                    found.append(int(comm.split("/")[2]))
        except OSError:
            pass  # gone meanwhile
    return found


# ------------------------------------------------------- through the harness
def test_infinite_loop_costs_only_its_function(ch02_with):
    """Does a function that loops forever time out, lose only its checks, and leave no process behind?"""
    tag = f"nndl-{uuid.uuid4().hex[:8]}"  # a process name is at most 15 characters
    report = grade_ch02(ch02_with("hang_step", TAG=tag))
    results = assert_only_lost(report, CH02, {"step"}, "timeout")
    assert results["step"].output == \
        "timed out — case 1/3 (a vector in [-5, 5]): no answer within 2 s (time-out)"
    assert results["step_hidden"].output == \
        "timed out — case 1/5 (random normal values): no answer within 2 s (time-out)"
    assert processes_named(tag) == []


def test_os_exit_costs_only_its_function(ch02_with):
    """Does a function that calls os._exit(0) count as a crash of its own checks only?"""
    report = grade_ch02(ch02_with("exit_step"))
    results = assert_only_lost(report, CH02, {"step"}, "died")
    assert results["step"].output == ("crashed — case 1/3 (a vector in [-5, 5]): "
                                      "the submission's process exited with status 0")


def test_garbage_on_the_reply_pipe_costs_only_its_function(ch02_with):
    """Is a submission that writes its own garbage to the reply pipe a protocol failure, and nothing more?"""
    report = grade_ch02(ch02_with("garbage_step", PAYLOAD='struct.pack(">II", 1 << 31, 0)'))
    results = assert_only_lost(report, CH02, {"step"}, "protocol")
    assert results["step"].output == (
        "broke the grader's protocol — case 1/3 (a vector in [-5, 5]): "
        f"sent a reply of {1 << 31} bytes (limit {MAX_MESSAGE})")


# ---------------------------------------------------- SubmissionProcess itself
@pytest.fixture
def tiny(tmp_path):
    """A SubmissionProcess on a tiny chapter file, stopped afterwards."""
    path = tmp_path / TINY.name
    shutil.copy(TINY, path)
    config = GraderConfig(limits=Limits(call_timeout=2, load_timeout=30, output_bytes=1000))
    with SubmissionProcess(path, config) as process:
        yield process


def test_call_returns_the_value(tiny):
    """Does a call come back with the function's value, as an array?"""
    reply = tiny.call("step", (np.array([-1.0, 0.0, 2.0]),))
    assert reply.kind == "ok"
    np.testing.assert_array_equal(reply.value, [0.0, 0.0, 1.0])
    assert tiny.starts == 1


def test_failures_the_worker_reports(tiny):
    """Are NotImplementedError and an undefined function reported by kind, without a restart?"""
    assert (tiny.call("unfinished", (1.0,)).kind, tiny.call("nowhere", (1.0,)).kind) == \
        ("not_implemented", "missing")
    assert tiny.call("nowhere", (1.0,)).message == "function nowhere() is not defined"
    assert tiny.starts == 1 and tiny.proc is not None


def test_time_out_kills_and_restarts(tiny):
    """Does a time-out kill the process, and the next call start a fresh one?"""
    reply = tiny.call("hang", (1.0,))
    assert (reply.kind, reply.message) == ("timeout", "no answer within 2 s (time-out)")
    assert tiny.proc is None
    assert tiny.call("step", (np.ones(2),)).kind == "ok"
    assert tiny.starts == 2


def test_per_call_timeout_overrides_the_default(tiny):
    """Does a check's own time-out replace the default one?"""
    reply = tiny.call("hang", (1.0,), timeout=0.5)
    assert reply.message == "no answer within 0.5 s (time-out)"


def test_death_reports_the_exit_status_and_last_output(tiny):
    """Does a crash say how the process ended and show its last output?"""
    reply = tiny.call("die", (1.0,))
    assert (reply.kind, reply.message) == ("died", "the submission's process exited with status 7")
    reply = tiny.call("stderr_then_die", (1.0,))
    assert reply.kind == "died"
    assert reply.message.endswith("exited with status 1; its last output:\nlast words")
    assert tiny.starts == 2


def test_output_is_capped(tiny):
    """Is a flood of output cut to the configured number of bytes (its end kept, its size counted)?"""
    assert tiny.call("shout", (np.ones(1),)).kind == "ok"
    tiny.stop()
    assert tiny.sink.text() == "x" * 1000 and tiny.sink.total == 100_000


def frame(body, blob=b""):
    return struct.pack(">II", len(body), len(blob)) + body + blob


@pytest.mark.parametrize("payload, message", [
    (struct.pack(">II", MAX_MESSAGE + 1, 0), f"sent a reply of {MAX_MESSAGE + 1} bytes (limit {MAX_MESSAGE})"),
    (struct.pack(">II", 8, MAX_MESSAGE), f"sent a reply of {MAX_MESSAGE + 8} bytes (limit {MAX_MESSAGE})"),
    (frame(b"not json!"), "sent a malformed reply (Expecting value"),
    (frame(b"\xff\xfe"), "sent a malformed reply ("),
    (frame(b"5"), "sent a malformed reply (a reply must be a JSON object, not int)"),
    (frame(b"[" * 100000 + b"]" * 100000), "sent a malformed reply (maximum recursion depth"),
    (frame(b'{"ok": {"$array": {"dtype": "object", "shape": [1], "at": 0}}}', b"\0" * 8),
     "sent a malformed reply (array dtype 'object' is not allowed)"),
    (frame(b'{"ok": {"$array": {"dtype": "float64", "shape": [4], "at": 0}}}', b"\0" * 16),
     "sent a malformed reply (array data does not match its shape)"),
    (frame(b'{"ok": null}'), "sent a reply that is neither a result nor a known failure"),
    (frame(b'{"ok": "text"}'), "sent a reply that is neither a result nor a known failure"),
    (frame(b'{"kind": "ok"}'), "sent a reply that is neither a result nor a known failure"),
    (frame(b'{"kind": "passed", "error": ""}'), "sent a reply that is neither a result nor a known failure"),
], ids=["huge", "huge-blob", "not-json", "not-utf8", "not-an-object", "deep", "object-dtype", "outside-the-blob", "null-result",
        "text-result", "forged-ok", "forged-kind"])
def test_garbage_replies_are_protocol_failures(tiny, payload, message):
    """Is every kind of garbage on the reply pipe a protocol failure that restarts the process?"""
    reply = tiny.call("write_reply", (np.frombuffer(payload, dtype=np.uint8),))
    assert reply.kind == "protocol"
    assert reply.message.startswith(message), reply.message
    assert tiny.proc is None
    assert tiny.call("step", (np.ones(2),)).kind == "ok"
    assert tiny.starts == 2


def test_scratch_folder_is_removed(tiny):
    """Is the process's scratch folder deleted when it stops?"""
    tiny.call("step", (1.0,))
    scratch = tiny.scratch
    assert (scratch / "submission" / TINY.name).is_file()
    tiny.stop()
    assert not scratch.exists()


def test_load_failure_is_not_retried(tmp_path):
    """Is a chapter file that fails to load loaded once, not once per call?"""
    path = tmp_path / TINY.name
    path.write_text(TINY.read_text(encoding="utf-8") + "\nimport no_such_module\n", encoding="utf-8")
    with SubmissionProcess(path, FAST) as process:
        first, second = process.call("step", (1.0,)), process.call("step", (1.0,))
    assert first.kind == second.kind == "load"
    assert "ModuleNotFoundError: No module named 'no_such_module'" in first.message
    assert process.starts == 1



# ------------------------------------------------------------ warm sandboxes
KERAS_AT_LOAD = '''import sys
import numpy as np
LOADED_WITH_KERAS = "keras" in sys.modules   # before this file imports it
import keras


def step(x):
    return np.array([float(LOADED_WITH_KERAS)])
'''


def test_imports_for_finds_keras_in_code_and_in_notebooks(tmp_path):
    """Does a file that imports keras or tensorflow (a .py, or a notebook's quoted source) ask
    for Keras, and one that only mentions it not?"""
    files = {"import.py": "import keras\n", "from.py": "from tensorflow import keras\n",
             "mention.py": "# compare with keras.activations.relu\nx = 'import keras'\n",
             "notebook.ipynb": '{"cells": [{"source": ["x = 1\\n", "import keras\\n"]}]}'}
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    assert {n: imports_for(tmp_path / n) for n in files} == {
        "import.py": ["keras"], "from.py": ["keras"], "mention.py": [], "notebook.ipynb": ["keras"]}
    assert preload_for([tmp_path / "mention.py"]) == [("numpy",)]
    assert preload_for([tmp_path / "mention.py", tmp_path / "from.py"]) == [("numpy",), ("numpy", "keras")]
    assert preload_for([tmp_path / "import.py"]) == [("numpy", "keras")]


def test_a_warm_sandbox_has_keras_for_the_file_that_needs_it_and_only_for_it(tmp_path):
    """Is the worker of a file that imports Keras forked by a zygote that has it (so the file finds
    it loaded, though the pool started with NumPy alone), the same zygote for the next such file,
    and the worker of a file that does not by a zygote without it?"""
    path, plain = tmp_path / TINY.name, tmp_path / "plain" / TINY.name
    path.write_text(KERAS_AT_LOAD, encoding="utf-8")
    plain.parent.mkdir()
    plain.write_text(KERAS_AT_LOAD.replace("import keras\n", ""), encoding="utf-8")
    config = GraderConfig(limits=Limits(call_timeout=20, load_timeout=60))
    with WarmPool(config, 1, preload=[("numpy",)]) as pool:
        for file, loaded in ((path, 1.0), (plain, 0.0), (path, 1.0), (plain, 0.0)):
            with SubmissionProcess(file, config, pool) as process:
                reply = process.call("step", (np.zeros(1),))
                assert (reply.kind, reply.value.tolist()) == ("ok", [loaded])
                assert process.zygote.preload == (("numpy", "keras") if loaded else ("numpy",))
        assert pool.starts == 2
    with SubmissionProcess(path, config) as cold:   # a cold worker imports it itself
        assert cold.call("step", (np.zeros(1),)).value.tolist() == [0.0]


def test_a_zygote_past_its_cpu_budget_is_replaced_between_files(tmp_path):
    """Does a zygote report the CPU time it used, keep serving below its budget, and retire
    (a new one serving the next file) once past it, before RLIMIT_CPU could end it mid-file?"""
    path = tmp_path / TINY.name
    shutil.copy(TINY, path)
    config = GraderConfig(limits=Limits(call_timeout=5, load_timeout=60))
    for retire, starts in ((None, 1), (0.0, 3)):
        with WarmPool(config, 1, retire_cpu=retire) as pool:
            for _ in range(3):
                with SubmissionProcess(path, config, pool) as process:
                    assert process.call("step", (np.array([-1.0, 2.0]),)).value.tolist() == [0.0, 1.0]
                    zygote = process.zygote
                assert 0 < zygote.cpu < config.limits.cpu_seconds / 2
            assert pool.starts == starts
