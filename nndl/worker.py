"""The submission side of the grader: runs inside the sandbox.

This file is executed as a plain script inside the sandbox (``python worker.py
CHAPTER_FILE``); it must not import anything from ``nndl``, which is not
visible there. The grader imports it too, for the wire format alone.

Wire format: each message is a 4-byte big-endian length followed by UTF-8
JSON. Arrays travel as ``{"$array": {"dtype", "shape", "data"}}`` with the raw
bytes base64-encoded; only boolean, integer and floating dtypes are allowed.
Nothing is pickled and nothing received is evaluated.
"""
import base64
import json
import linecache
import os
import struct
import sys
import traceback

MAX_MESSAGE = 64 * 1024 * 1024
ALLOWED_DTYPES = {
    "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64",
}
# Cells with these tags are not part of the graded module: checks import the
# grader (absent here) and demos train and plot.
SKIPPED_TAGS = ("check", "demo")


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


# ----------------------------------------------------------- loading the code
def split_cells(text):
    """Code cells of a py:percent file as (tags, source) pairs.

    Each source is padded with the blank lines before it, so that line numbers
    in tracebacks are those of the file.
    """
    cells, tags, lines, kind, start = [], (), [], "code", 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        if line.startswith("# %%"):
            if kind == "code":
                cells.append((tags, "\n" * start + "".join(lines)))
            header = line[4:]
            kind = "markdown" if header.lstrip().startswith("[markdown]") else "code"
            tags = tuple(t for t in SKIPPED_TAGS if f'"{t}"' in header.split("tags=")[-1]) \
                if "tags=" in header else ()
            lines, start = [], number + 1
        else:
            lines.append(line)
    if kind == "code":
        cells.append((tags, "\n" * start + "".join(lines)))
    return cells


def notebook_cells(text):
    """Code cells of an .ipynb notebook as (tags, source) pairs."""
    notebook = json.loads(text)
    cells = []
    for cell in notebook.get("cells", []):
        if cell.get("cell_type") != "code":
            continue
        meta = cell.get("metadata", {})
        tags = tuple(meta.get("tags", []))
        if meta.get("nbgrader", {}).get("grade") and not meta["nbgrader"].get("solution"):
            tags += ("check",)
        source = cell.get("source", "")
        cells.append((tags, "".join(source) if isinstance(source, list) else source))
    return cells


def strip_magics(source):
    """Comment out IPython magics and shell escapes so plain Python can run them."""
    return "".join(("# " + line) if line.lstrip().startswith(("%", "!")) else line
                   for line in source.splitlines(keepends=True))


def load_module(path):
    """Execute the graded cells of a chapter file; return its namespace."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    notebook = path.endswith(".ipynb")
    cells = notebook_cells(text) if notebook else split_cells(text)
    name = os.path.basename(path)
    namespace = {"__name__": "submission", "__file__": name}
    for index, (tags, source) in enumerate(cells):
        if any(tag in SKIPPED_TAGS for tag in tags):
            continue
        source = strip_magics(source)
        filename = f"{name} cell {index + 1}" if notebook else name
        # Registered so that tracebacks can quote the learner's line; a .py
        # file's cells keep their line numbers, so the whole file serves.
        lines = (source if notebook else text).splitlines(keepends=True)
        linecache.cache[filename] = (len(source), None, lines, filename)
        exec(compile(source, filename, "exec"), namespace)
    return namespace


def error_record(exc):
    """An exception of the learner's code as fields: its type, its text and the learner's own
    last frames (file, line, code; never a value). The grader decides what of it to show."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename != __file__][-3:]
    kind = type(exc)
    module, name = getattr(kind, "__module__", None), str(getattr(kind, "__qualname__", "Exception"))
    name = name if module in (None, "builtins", "__main__") else f"{module}.{name}"
    try:
        text = str(exc)
    except Exception:  # noqa: BLE001 - a learner's __str__ may fail too
        text = "<str() failed>"
    frames = [[f.filename[-200:], f.lineno, f.name[-200:], (f.line or "")[-300:]] for f in frames]
    if isinstance(exc, SyntaxError) and exc.lineno:  # where the parser stopped: the file's own line
        frames.append([str(exc.filename or "")[-200:], exc.lineno, "<module>", (exc.text or "").strip()[-300:]])
        text = str(exc.msg)
    return {"type": name[-200:], "text": text[-1500:], "frames": frames}


# --------------------------------------------------------------- the results
def summarise_model(model, probe):
    """Describe a Keras model as plain data: layers, weights and outputs on probe."""
    import numpy as np

    def ints(value):  # kernel_size, strides, pool_size: tuples of ints in the config
        return [int(v) for v in value] if isinstance(value, (list, tuple)) else None

    layers = []
    for layer in model.layers:
        config = layer.get_config()
        activation = config.get("activation")
        filters, rate = config.get("filters"), config.get("rate")
        layers.append({
            "class_name": type(layer).__name__,
            "output_shape": [d if d is not None else -1 for d in layer.output.shape],
            "params": int(layer.count_params()),
            "activation": activation if isinstance(activation, str) else None,
            "units": config.get("units"), "padding": config.get("padding"),
            "filters": filters if isinstance(filters, int) else None,
            "kernel_size": ints(config.get("kernel_size")), "strides": ints(config.get("strides")),
            "pool_size": ints(config.get("pool_size")),
            "rate": float(rate) if isinstance(rate, (int, float)) else None,
        })
    try:
        input_shape = [d if d is not None else -1 for d in model.inputs[0].shape[1:]]
    except AttributeError:  # an empty Sequential without a keras.Input has no inputs yet
        input_shape = None
    summary = {"layers": layers, "params": int(model.count_params()), "input_shape": input_shape,
               "weights": [np.asarray(w) for w in model.get_weights()]}
    if isinstance(probe, dict):   # the kit's probe: inputs, and the reference's weights to run them with
        try:
            if probe.get("weights") is not None:
                model.set_weights(probe["weights"])
        except Exception:  # noqa: BLE001 - weights of another architecture: no output to compare
            return {"$model": summary}
        probe = probe.get("input")
    if probe is not None and input_shape is not None and np.ndim(probe) == len(input_shape) + 1:
        # The probe is at least as large as any input the check asks for: crop it to
        # this model's input, probe[:, :width] for a Dense model, [:, :h, :w, :c] for images.
        crop = (slice(None),) + tuple(slice(0, d if d >= 0 else None) for d in input_shape)
        summary["output"] = np.asarray(model(probe[crop], training=False))
    return {"$model": summary}


def to_plain(value, probe=None):
    """Convert a student's return value into data the wire accepts."""
    import numpy as np

    if hasattr(value, "count_params") and hasattr(value, "layers"):
        return summarise_model(value, probe)
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if isinstance(value, (bool, int, float, np.generic)) and not isinstance(value, np.object_):
        return np.asarray(value)
    if type(value).__module__.split(".")[0] in ("numpy", "tensorflow", "keras", "jax", "torch") \
            or isinstance(value, np.ndarray):
        array = np.asarray(value)
        if array.dtype.name not in ALLOWED_DTYPES:
            raise WireError(WIRE["returned_dtype"], dtype=array.dtype)
        return np.array(array)
    raise WireError(WIRE["returned_type"], type=type(value).__name__)


def serve(namespace, requests, replies):
    while True:
        try:
            request = receive(requests)
        except EOFError:
            return
        function = namespace.get(request["call"])
        if not callable(function):
            send(replies, {"kind": "missing"})
            continue
        try:
            args = decode(request.get("args", []))
            kwargs = decode(request.get("kwargs", {}))
            result = function(*args, **kwargs)
            plain = encode(to_plain(result, decode(request.get("probe"))))
        except NotImplementedError:
            send(replies, {"kind": "not_implemented"})
        except WireError as exc:
            send(replies, {"kind": "bad_output", "detail": exc.record()})
        except BaseException as exc:  # noqa: B902 - SystemExit too is the submission's fault
            send(replies, {"kind": "exception", "error": error_record(exc)})
        else:
            send(replies, {"ok": plain})


def main(argv):
    path, requests, replies = argv[1], int(argv[2]), int(argv[3])
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.setrecursionlimit(10000)
    try:
        namespace = load_module(path)
    except BaseException as exc:  # noqa: B902 - a broken file is reported, not raised
        kind = "syntax" if isinstance(exc, SyntaxError) else "load"
        send(replies, {"event": "load_error", "kind": kind, "error": error_record(exc)})
        return 0
    functions = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("_"))
    send(replies, {"event": "ready", "functions": functions})
    serve(namespace, requests, replies)
    return 0


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
    for _ in range(500):
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
        time.sleep(0.01)
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
        code = main(sys.argv)
    finally:
        sys.stdout.flush()
        os._exit(code or 0)


ON_DEMAND = ("keras",)   # what a start request may ask the zygote to import first


def _import(names):
    """Import what the next chapter file needs (once: every later worker starts with it)."""
    for name in names:
        if name in ON_DEMAND and name not in sys.modules:
            try:
                __import__(name)
            except Exception:  # noqa: BLE001 - the worker will meet the same error itself, and say it
                pass


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
            _import(message.get("imports", ()))
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


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--zygote":
        sys.exit(zygote(int(sys.argv[2]), sys.argv[3], sys.argv[4:]))
    sys.exit(main(sys.argv))
