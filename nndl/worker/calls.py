"""The call server: load a chapter file, then answer calls of its functions over the wire.

Runs in the learner's process: in the grader's sandbox (cold, or forked by
the zygote) and in the kit's child process (nndl/local.py).
"""
import copy
import json
import linecache
import os
import sys
import sysconfig
import traceback
import warnings

if __package__:  # imported as nndl.worker.calls (the grader, the kit)
    from . import policy, wire
else:           # run inside the sandbox, where nndl is not importable: __main__.py put this folder on sys.path
    import policy
    import wire

WireError, WIRE, ALLOWED_DTYPES = wire.WireError, wire.WIRE, wire.ALLOWED_DTYPES
encode, decode, send, receive = wire.encode, wire.decode, wire.send, wire.receive
FOLDER = os.path.dirname(os.path.abspath(__file__))  # the worker's own frames live here

# Cells with these tags are not part of the graded module: checks import the
# grader (absent here) and demos train and plot.
SKIPPED_TAGS = ("check", "demo")



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


# Python's own and installed libraries' folders: an exception raised inside a library is shown at
# the learner's line that called it, not in the library's frames (host paths, nothing to fix there).
LIBRARIES = tuple(sorted({os.path.join(os.path.realpath(p), "") for key in ("stdlib", "platstdlib", "purelib", "platlib")
                          if (p := sysconfig.get_paths().get(key))}))


def _learners(filename):
    """Is this frame the learner's code (not the worker's, Python's or a library's)?"""
    if filename.startswith("<frozen") or os.path.dirname(os.path.abspath(filename)) == FOLDER:
        return False
    return not (os.path.isabs(filename) and os.path.realpath(filename).startswith(LIBRARIES))


def error_record(exc):
    """An exception of the learner's code as fields: its type, its text and the learner's own
    last frames (file, line, code; never a value). The grader decides what of it to show."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if _learners(f.filename)][-3:]
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


def call(function, args, kwargs, scratch=None, errstate=False):
    """function(*args, **kwargs) under what its chapter's text promises (policy.py): with scratch
    (the chapter's from-scratch functions) no framework may run; with errstate, no floating-point
    overflow, division by zero or invalid operation."""
    run = function
    if errstate:
        run = lambda *a, **k: policy.run_stable(function, *a, **k)  # noqa: E731
    if scratch:
        others = [name for name in scratch if isinstance(name, str)] if isinstance(scratch, list) else ()
        return policy.run_from_scratch(run, *args, others=others, code=function, **kwargs)
    return run(*args, **kwargs)


def answer(function, args, kwargs, request, passthrough=()):
    """One call of the learner's function under its chapter's rules, as the reply's record:
    {"ok": encoded result[, "warned": NumPy's warnings]} or what went wrong. Exceptions of the
    types in passthrough (the kit's time-out) are raised, not recorded."""
    try:
        before = copy.deepcopy((args, kwargs))
        with warnings.catch_warnings(record=True) as caught:   # NumPy's: named if the answer is wrong
            warnings.simplefilter("always", RuntimeWarning)
            result = call(function, args, kwargs, request.get("scratch"), request.get("errstate"))
        changed = policy.changed_argument(function, args, kwargs, before)
        if changed is not None:   # the text's promise: arguments are left unchanged
            return {"kind": "mutated", "argument": str(changed)[:60]}
        plain = encode(to_plain(result, decode(request.get("probe"), request.get(wire.BLOB))))
    except passthrough:
        raise
    except NotImplementedError:
        return {"kind": "not_implemented"}
    except policy.Forbidden as exc:
        return {"kind": "forbidden", **exc.record()}
    except FloatingPointError as exc:
        what, record = policy.float_error(exc), error_record(exc)
        return {"kind": "numeric", "what": what[0], "operation": what[1], "frames": record["frames"]} \
            if what else {"kind": "exception", "error": record}
    except WireError as exc:
        return {"kind": "bad_output", "detail": exc.record()}
    except BaseException as exc:  # noqa: B902 - SystemExit too is the submission's fault
        return {"kind": "exception", "error": error_record(exc)}
    said = policy.warned(caught)
    return {"ok": plain, **({"warned": said} if said else {})}


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
            blob = request.get(wire.BLOB)
            args, kwargs = decode(request.get("args", []), blob), decode(request.get("kwargs", {}), blob)
        except WireError as exc:
            send(replies, {"kind": "bad_output", "detail": exc.record()})
            continue
        send(replies, answer(function, args, kwargs, request))


def main(argv):
    path, requests, replies = argv[1], int(argv[2]), int(argv[3])
    os.environ.setdefault("MPLBACKEND", "Agg")
    sys.setrecursionlimit(10000)
    try:
        namespace = load_module(path)
    except json.JSONDecodeError as exc:  # a notebook that is not JSON: where, in one line, no frames
        text = f"{os.path.basename(path)} is not a valid notebook: {exc.msg} (line {exc.lineno}, column {exc.colno})"
        send(replies, {"event": "load_error", "kind": "load", "error": {"type": "", "text": text, "frames": []}})
        return 0
    except BaseException as exc:  # noqa: B902 - a broken file is reported, not raised
        kind = "syntax" if isinstance(exc, SyntaxError) else "load"
        send(replies, {"event": "load_error", "kind": kind, "error": error_record(exc)})
        return 0
    functions = sorted(k for k, v in namespace.items() if callable(v) and not k.startswith("_"))
    send(replies, {"event": "ready", "functions": functions})
    serve(namespace, requests, replies)
    return 0
