"""The wire format between the grader and the worker: plain data, nothing pickled.

A message is a frame: an 8-byte header (two big-endian unsigned ints: the
length of a UTF-8 JSON body and the length of a binary blob), the body, then
the blob. Arrays travel as ``{"$array": {"dtype", "shape", "at"}}`` in the
body, their raw bytes at offset ``at`` of the blob: a million values cost a
memory copy, not base64 and a JSON string of 11 MB. Only boolean, integer and
floating dtypes are allowed; a received array's dtype, shape and extent in
the blob are checked before it is read. Nothing is pickled and nothing
received is evaluated.

``encode`` turns a value into the message's data with each array held as
itself (``"at"``: a contiguous copy of it); ``send`` moves those arrays into
the blob and writes their offsets in their place. ``receive`` (and the
grader's own readers, with ``sizes`` and ``message``) returns the body with
the blob under the key ``"$blob"``, which ``decode`` reads the arrays from.
The kit's in-process calls decode what encode made without a frame, so both
paths check arrays alike.
"""
import json
import os
import struct

MAX_MESSAGE = 64 * 1024 * 1024
HEADER = struct.Struct(">II")   # (body length, blob length)
BLOB = "$blob"
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
    """Turn numbers, strings, lists, dicts and numeric arrays into the data of a message."""
    import numpy as np

    if isinstance(value, (bool, int, float, str)) or value is None:
        return value
    if isinstance(value, np.generic):
        return encode(np.asarray(value))
    if isinstance(value, np.ndarray):
        if value.dtype.name not in ALLOWED_DTYPES:
            raise WireError(WIRE["not_numeric"], dtype=value.dtype)
        return {"$array": {"dtype": value.dtype.name, "shape": list(value.shape),
                           "at": np.array(value, order="C", copy=True).reshape(-1)}}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    raise WireError(WIRE["unsendable"], type=type(value).__name__)


def decode(data, blob=None):
    """The inverse of encode, arrays read from the message's blob (or held, in-process); rejects
    anything that is not plain data."""
    import numpy as np

    if isinstance(data, (bool, int, float, str)) or data is None:
        return data
    if isinstance(data, list):
        return [decode(v, blob) for v in data]
    if not isinstance(data, dict):
        raise WireError(WIRE["unexpected"], type=type(data).__name__)
    if "$array" not in data:
        return {k: decode(v, blob) for k, v in data.items()}
    spec = data["$array"]
    if not isinstance(spec, dict):
        raise WireError(WIRE["unexpected"], type=type(spec).__name__)
    dtype, shape = spec.get("dtype"), spec.get("shape")
    if dtype not in ALLOWED_DTYPES:
        raise WireError(WIRE["dtype"], dtype=repr(dtype))
    if not (isinstance(shape, list) and all(type(n) is int and n >= 0 for n in shape)):
        raise WireError(WIRE["shape"])
    count = 1
    for n in shape:
        count *= n
    size, at = count * np.dtype(dtype).itemsize, spec.get("at")
    if isinstance(at, np.ndarray):   # in-process: what encode made (JSON never gives an array)
        if at.dtype.name != dtype or at.size != count:
            raise WireError(WIRE["data"])
        return at.reshape(shape).copy()
    if type(at) is not int or blob is None or not 0 <= at <= len(blob) - size:
        raise WireError(WIRE["data"])
    return np.frombuffer(blob, dtype=dtype, count=count, offset=at).reshape(shape).copy()


def frame(message):
    """The message as the parts of one frame: header, body, then each array's bytes."""
    parts, size = [], 0

    def out_of_band(value):   # json.dumps meets an encoded array's data: it goes to the blob
        nonlocal size
        import numpy as np

        if not isinstance(value, np.ndarray):
            raise WireError(WIRE["unsendable"], type=type(value).__name__)
        raw = memoryview(np.ascontiguousarray(value).reshape(-1).view(np.uint8))
        parts.append(raw)
        size += raw.nbytes
        return size - raw.nbytes

    body = json.dumps(message, allow_nan=True, default=out_of_band).encode("utf-8")
    return [HEADER.pack(len(body), size), body, *parts]


def send(fd, message):
    for part in frame(message):
        view = memoryview(part)
        while view:
            view = view[os.write(fd, view):]


def sizes(header):
    """(body length, blob length) of a frame's header; WireError when it is over MAX_MESSAGE."""
    length, blob = HEADER.unpack(header)
    if length + blob > MAX_MESSAGE:
        raise WireError(WIRE["too_large"], length=length + blob)
    return length, blob


def message(body, blob):
    """A frame's body as data, with its blob under "$blob" for decode."""
    data = json.loads(body.decode("utf-8"))
    if isinstance(data, dict):
        data[BLOB] = blob
    return data


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
    length, blob = sizes(read_exactly(fd, HEADER.size))
    return message(read_exactly(fd, length), read_exactly(fd, blob))
