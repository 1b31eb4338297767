"""The wire format between the grader and the worker: plain data, nothing pickled.

Each message is a 4-byte big-endian length followed by UTF-8 JSON. Arrays
travel as ``{"$array": {"dtype", "shape", "data"}}`` with the raw bytes
base64-encoded; only boolean, integer and floating dtypes are allowed.
Nothing is pickled and nothing received is evaluated.
"""
import base64
import json
import os
import struct

MAX_MESSAGE = 64 * 1024 * 1024
ALLOWED_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64",
}
def N_(template):
    """An English template that the grader translates (nndl.i18n's N_; this script runs alone)."""
    return template


# What can be wrong with a message, as templates (the grader accepts a reply's detail only
# when it is one of these: a submission may write replies of its own).
WIRE = {
    "not_numeric": N_("an array of dtype {dtype} is not numeric"),
    "unsendable": N_("cannot send a {type}"),
    "unexpected": N_("unexpected {type} in message"),
    "dtype": N_("array dtype {dtype} is not allowed"),
    "shape": N_("array shape must be a list of non-negative ints"),
    "data": N_("array data does not match its shape"),
    "too_large": N_("message of {length} bytes is too large"),
    "returned_dtype": N_("returned an array of dtype {dtype}, not numbers"),
    "returned_type": N_("returned a {type}, expected a numeric array"),
}


class WireError(ValueError):
    """A message that does not follow the wire format: an English template and its fields."""

    def __init__(self, template, **fields):
        self.template, self.fields = template, {k: str(v) for k, v in fields.items()}
        super().__init__(template.format(**self.fields))

    def record(self):
        """The reply's "detail": [template, fields], formatted (and translated) by the grader."""
        return [self.template, self.fields]


# ---------------------------------------------------------------- wire format
def encode(value):
    """Turn numbers, strings, lists, dicts and numeric arrays into JSON data."""
    import numpy as np

    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return encode(np.asarray(value))
    if isinstance(value, np.ndarray):
        if value.dtype.name not in ALLOWED_DTYPES:
            raise WireError(WIRE["not_numeric"], dtype=value.dtype)
        data = np.ascontiguousarray(value).tobytes()
        return {"$array": {"dtype": value.dtype.name, "shape": list(value.shape),
                           "data": base64.b64encode(data).decode("ascii")}}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise WireError(WIRE["unsendable"], type=type(value).__name__)


def decode(data):
    """The inverse of encode; rejects anything that is not plain data."""
    import numpy as np

    if isinstance(data, (bool, int, float, str)) or data is None:
        return data
    if isinstance(data, list):
        return [decode(v) for v in data]
    if not isinstance(data, dict):
        raise WireError(WIRE["unexpected"], type=type(data).__name__)
    if "$array" not in data:
        return {k: decode(v) for k, v in data.items()}
    spec = data["$array"]
    dtype, shape = spec.get("dtype"), spec.get("shape")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(WIRE["dtype"], dtype=repr(dtype))
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)):
        raise WireError(WIRE["shape"])
    raw = base64.b64decode(spec.get("data", ""), validate=True)
    count = 1
    for n in shape:
        count *= n
    if len(raw) != count * np.dtype(dtype).itemsize:
        raise WireError(WIRE["data"])
    return np.frombuffer(raw, dtype=dtype).reshape(shape).copy()


def send(fd, message):
    body = json.dumps(message, allow_nan=True).encode("utf-8")
    payload = struct.pack(">I", len(body)) + body
    view = memoryview(payload)
    while view:
        view = view[os.write(fd, view):]


def read_exactly(fd, n):
    chunks = []
    while n:
        chunk = os.read(fd, n)
        if not chunk:
            raise EOFError("pipe closed")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def receive(fd):
    (length,) = struct.unpack(">I", read_exactly(fd, 4))
    if length > MAX_MESSAGE:
        raise WireError(WIRE["too_large"], length=length)
    return json.loads(read_exactly(fd, length).decode("utf-8"))
