"""The worker: the wire format (plain JSON, numeric arrays only, nothing unpickled) and loading a chapter."""
import json
import os
import pickle
import threading
from pathlib import Path

import numpy as np
import pytest

from conftest import CH02
from nndl import worker
from nndl.worker import ALLOWED_DTYPES, WireError, decode, encode
from nndl.worker.wire import BLOB


def array_spec(dtype="float64", shape=(2,), data=None, at=0):
    """An array's record as a message carries it, and the message's blob: (spec, blob)."""
    data = np.zeros(int(np.prod(shape)), dtype=dtype).tobytes() if data is None else data
    return {"$array": {"dtype": dtype, "shape": list(shape) if isinstance(shape, tuple) else shape,
                       "at": at}}, data


def through_a_pipe(value):
    """value encoded, sent as one frame through a real pipe (written by a thread: a frame may be
    larger than the pipe's buffer), received and decoded."""
    read, write = os.pipe()
    try:
        sender = threading.Thread(target=worker.send, args=(write, {"value": encode(value)}))
        sender.start()
        message = worker.receive(read)
        sender.join()
    finally:
        os.close(read)
        os.close(write)
    assert set(message) == {"value", BLOB}
    return decode(message["value"], message[BLOB])


# ------------------------------------------------------------------ the wire
@pytest.mark.parametrize("dtype", sorted(ALLOWED_DTYPES))
def test_round_trip_every_allowed_dtype(dtype):
    """Does every allowed dtype survive encode -> frame -> decode exactly, shape included, both
    through a pipe and in-process (the kit's own calls)?"""
    array = (np.arange(6) % 2).astype(dtype).reshape(3, 2)
    for back in (through_a_pipe(array), decode(encode(array))):
        assert back.dtype == array.dtype and back.shape == (3, 2)
        np.testing.assert_array_equal(back, array)
        assert back.flags.writeable  # a copy, not a view of the message


def test_round_trip_nested_values():
    """Do scalars, empty and 0-d arrays, non-contiguous arrays, lists and dicts keep their structure?"""
    value = {"a": [np.float64(2.5), np.zeros((0, 3)), np.array(7), np.arange(12.0).reshape(3, 4).T[::2]],
             "b": (1, "x", None, True)}
    for back in (through_a_pipe(value), decode(encode(value))):
        assert back["a"][0] == 2.5  # np.float64 is a float: it travels as a JSON number
        assert back["a"][1].shape == (0, 3) and back["a"][2] == 7
        np.testing.assert_array_equal(back["a"][3], value["a"][3])
        assert back["b"] == [1, "x", None, True]


def test_arrays_travel_as_raw_bytes():
    """Is an array's data in the frame's blob, not in its JSON body (no base64), and does a large
    one arrive whole?"""
    array = np.random.default_rng(0).normal(size=300_000)
    header, body, *parts = worker.wire.frame({"ok": encode(array)})
    assert worker.wire.HEADER.unpack(header) == (len(body), array.nbytes) and len(body) < 200
    assert b"".join(bytes(p) for p in parts) == array.tobytes()
    np.testing.assert_array_equal(through_a_pipe(array), array)


def test_an_encoded_value_holds_copies():
    """Does a learner's array changed after its result was encoded leave the result as it was?"""
    array = np.arange(4.0)
    encoded = encode(array)
    array[0] = 99.0
    assert decode(encoded)[0] == 0.0


def test_nan_and_inf_travel():
    """Do NaN and inf cross the wire unchanged?"""
    array = np.array([np.nan, np.inf, -np.inf, 1.0])
    np.testing.assert_array_equal(through_a_pipe(array), array)


@pytest.mark.parametrize("value", [np.array(["a", "b"]), np.array([object()]), np.array([1 + 2j]),
                                   object(), {1, 2}, b"bytes"])
def test_encode_refuses_what_is_not_plain_data(value):
    """Does encode refuse strings arrays, object and complex arrays, and arbitrary objects?"""
    with pytest.raises(WireError):
        encode(value)


@pytest.mark.parametrize("dtype", ["object", "O", "|O", "complex128", "<U3", "V8", "datetime64[s]", None, 3])
def test_decode_rejects_dtypes_that_are_not_numeric(dtype):
    """Does decode reject object (and every other non-numeric) dtype?"""
    with pytest.raises(WireError, match="dtype"):
        decode(*array_spec(dtype=dtype, shape=(2,), data=b"\0" * 16))


@pytest.mark.parametrize("shape", ["2", 2, None, {"n": 2}, [2.0], [-1], [True, 2], ["2"]])
def test_decode_rejects_shapes_that_are_not_int_lists(shape):
    """Does decode reject a shape that is not a list of non-negative ints?"""
    with pytest.raises(WireError, match="shape"):
        decode(*array_spec(shape=shape, data=b"\0" * 16))


@pytest.mark.parametrize("data, at", [(b"\0" * 15, 0), (b"", 0), (b"\0" * 16, 1), (b"\0" * 16, -1),
                                      (b"\0" * 32, 17), (b"\0" * 16, 0.0), (b"\0" * 16, "0"),
                                      (b"\0" * 16, True), (b"\0" * 16, None), (None, 0)])
def test_decode_rejects_data_outside_the_blob(data, at):
    """Does decode reject an array whose bytes would lie outside the message's blob, an offset that
    is not an int, and an array without a blob?"""
    spec, blob = array_spec(shape=(2,), data=data if data is not None else b"", at=at)
    with pytest.raises(WireError, match="does not match its shape"):
        decode(spec, blob if data is not None else None)


def test_decode_reads_its_own_extent():
    """Are two arrays in one blob read from their own offsets?"""
    blob = np.arange(2.0).tobytes() + np.array([7, 8, 9], dtype=np.int32).tobytes()
    first, second = array_spec(shape=(2,), at=0)[0], array_spec("int32", shape=(3,), at=16)[0]
    back = decode([first, second], blob)
    np.testing.assert_array_equal(back[0], [0.0, 1.0])
    np.testing.assert_array_equal(back[1], [7, 8, 9])


def test_nothing_is_unpickled():
    """Is a pickle refused as an object array, and read as raw numbers under a numeric dtype?"""
    payload = pickle.dumps(np.arange(3.0))
    for data in (payload, payload[:8]):  # also sized as one 8-byte object would be
        with pytest.raises(WireError, match="dtype 'object' is not allowed"):
            decode(*array_spec(dtype="object", shape=(1,), data=data))
    raw = payload[:len(payload) // 8 * 8]
    back = decode(*array_spec(dtype="float64", shape=(len(raw) // 8,), data=raw))
    assert back.dtype == np.float64 and back.tobytes() == raw  # the bytes as numbers, nothing more
    source = "".join(p.read_text(encoding="utf-8") for p in Path(worker.FOLDER).glob("*.py"))
    assert "import pickle" not in source and "allow_pickle" not in source and "eval(" not in source


def test_frames_round_trip_through_a_pipe():
    """Does a message sent with send() come back from receive() unchanged?"""
    read, write = os.pipe()
    try:
        worker.send(write, {"ok": encode(np.eye(2)), "warned": ["overflow"]})
        message = worker.receive(read)
    finally:
        os.close(read)
        os.close(write)
    np.testing.assert_array_equal(decode(message["ok"], message[BLOB]), np.eye(2))
    assert message["warned"] == ["overflow"]


def test_receive_refuses_oversized_messages():
    """Is a frame whose body and blob together exceed the limit refused before anything is read?"""
    for body, blob in ((worker.MAX_MESSAGE + 1, 0), (worker.MAX_MESSAGE, 1), (0, worker.MAX_MESSAGE + 1)):
        read, write = os.pipe()
        try:
            os.write(write, worker.wire.HEADER.pack(body, blob))
            with pytest.raises(WireError, match="too large"):
                worker.receive(read)
        finally:
            os.close(read)
            os.close(write)


# ------------------------------------------------------- what a function returns
class Anything:
    def __eq__(self, other):
        return True


@pytest.mark.parametrize("value, what", [
    ("x", "returned a str, expected a numeric array"),
    (Anything(), "returned a Anything, expected a numeric array"),
    (None, "returned a NoneType, expected a numeric array"),
    (np.array(["a"]), "returned an array of dtype <U1, not numbers"),
    (np.array([None]), "returned an array of dtype object, not numbers"),
])
def test_to_plain_refuses_non_arrays(value, what):
    """Are strings, look-alike objects, None and non-numeric arrays refused as results?"""
    with pytest.raises(WireError) as error:
        worker.to_plain(value)
    assert str(error.value) == what


def test_to_plain_accepts_numbers_arrays_and_tensors():
    """Are Python numbers, NumPy scalars, lists and TensorFlow tensors turned into arrays?"""
    import tensorflow as tf

    assert worker.to_plain(3).shape == () and worker.to_plain(np.float32(2)).dtype == np.float32
    first, (second,) = worker.to_plain((1.0, [2.0]))
    assert (first.tolist(), second.tolist()) == (1.0, 2.0)
    np.testing.assert_array_equal(worker.to_plain(tf.constant([1.0, 2.0])), [1.0, 2.0])


# -------------------------------------------------------------- loading a chapter
def test_split_cells_keeps_line_numbers_and_tags():
    """Are cells split at '# %%', markdown dropped, tags read, and line numbers kept?"""
    text = ('x = 1\n# %% [markdown]\n# words\n# %% tags=["check"]\nimport nndl\n'
            '# %% tags=["demo"]\nplot()\n# %%\ny = 2\n')
    cells = worker.split_cells(text)
    assert [tags for tags, _ in cells] == [(), ("check",), ("demo",), ()]
    assert cells[-1][1] == "\n" * 8 + "y = 2\n"  # y = 2 is line 9 of the file


def test_load_module_skips_check_and_demo_cells(tmp_path):
    """Does loading run the graded cells only (check cells import the grader, absent in the sandbox)?"""
    path = tmp_path / f"{CH02}.py"
    path.write_text('# %%\nx = 1\n# %% tags=["check"]\nimport no_such_grader\n'
                    '# %% tags=["demo"]\nraise SystemExit\n# %%\n%matplotlib inline\ny = x + 1\n',
                    encoding="utf-8")
    namespace = worker.load_module(str(path))
    assert (namespace["x"], namespace["y"]) == (1, 2)


def test_notebook_cells_drop_graded_test_cells():
    """Are nbgrader's read-only test cells of an .ipynb skipped like check cells?"""
    notebook = {"cells": [
        {"cell_type": "markdown", "source": "# hi", "metadata": {}},
        {"cell_type": "code", "source": ["a = 1\n", "b = 2\n"], "metadata": {}},
        {"cell_type": "code", "source": "assert a == 1",
         "metadata": {"nbgrader": {"grade": True, "solution": False}}},
        {"cell_type": "code", "source": "plot()", "metadata": {"tags": ["demo"]}},
    ]}
    cells = worker.notebook_cells(json.dumps(notebook))
    assert cells == [((), "a = 1\nb = 2\n"), (("check",), "assert a == 1"), (("demo",), "plot()")]


def test_an_error_record_holds_the_learners_frames_not_the_workers():
    """Does an exception come back as fields: type, text and the learner's frames only?"""
    namespace = {}
    exec(compile("def f():\n    return 1 / 0\n", f"{CH02}.py", "exec"), namespace)
    try:
        namespace["f"]()
    except ZeroDivisionError as exc:
        record = worker.error_record(exc)
    assert record["type"] == "ZeroDivisionError" and record["text"] == "division by zero"
    assert record["frames"][-1][:3] == [f"{CH02}.py", 2, "f"]
    assert not [frame for frame in record["frames"] if frame[0].startswith(worker.FOLDER)]
