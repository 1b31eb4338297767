"""The reference oracle: the Keras references' answers, computed once and kept.

A check's expected answer for a case is the reference solution's output on
that case's inputs. The oracle computes it when a comparison first needs it,
keeps it for the rest of the process (a batch asks for the same cases for
every student) and, for hidden checks, on disk, so only the first grade of a
course seed pays for TensorFlow and the references (see ``DiskCache``).

The suites name their references through :func:`references`, which imports a
chapter's reference module on the first call of one of its functions: a grade
whose answers all come from the cache never imports TensorFlow for them.
"""
import hashlib
import importlib
import importlib.metadata
import importlib.util
import io
import json
import os
import sys
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np

from nndl.grader.config import cache_dir
from nndl.records import Case

# What a cached answer depends on besides the case's inputs: the code that makes
# cases and references, and the versions of what computes them.
FINGERPRINTED = ("grader/suites", "solutions", "grader/content/check.py", "grader/content/inputs.py", "nndl/data.py")
VERSIONED = ("tensorflow", "tensorflow-cpu", "keras", "numpy", "scikit-learn")
FORMAT = 1


class Reference:
    """One reference function, imported when first called."""

    def __init__(self, module, name):
        self.module, self.name = module, name

    def __call__(self, *args, **kwargs):
        return getattr(importlib.import_module(self.module), self.name)(*args, **kwargs)

    def __repr__(self):
        return f"<reference {self.module}.{self.name}>"


class References:
    """A chapter's reference module whose functions load on first use (``ref.softmax``)."""

    def __init__(self, chapter):
        self._module = f"nndl.solutions.{chapter}"

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return Reference(self._module, name)


def references(chapter):
    return References(chapter)


def _package_files():
    """The fingerprinted sources, wherever nndl is installed from (repository or wheel)."""
    roots = {top: Path(importlib.util.find_spec(module).submodule_search_locations[0])  # found, not imported
             for top, module in (("grader", "nndl.grader"), ("solutions", "nndl.solutions"), ("nndl", "nndl"))}
    for entry in FINGERPRINTED:
        top, _, rest = entry.partition("/")
        path = roots[top] / rest if rest else roots[top]
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


_FINGERPRINT = None


def fingerprint():
    """A hash of the suites, the references and the library versions they run on."""
    global _FINGERPRINT
    if _FINGERPRINT is None:
        digest = hashlib.sha256(f"format {FORMAT}\n".encode())
        for path in _package_files():
            digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
        for name in VERSIONED:
            try:
                version = importlib.metadata.version(name)
            except importlib.metadata.PackageNotFoundError:
                version = "-"
            digest.update(f"{name}={version}\n".encode())
        digest.update(sys.version.encode())
        _FINGERPRINT = digest.hexdigest()
    return _FINGERPRINT


class Uncacheable(TypeError):
    """A value the disk cache does not store (a Keras model, an object of a suite's own)."""


def _encode(value, arrays):
    """JSON for value's structure, its arrays appended to arrays."""
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        arrays.append(value)
        return {"a": len(arrays) - 1}
    if isinstance(value, (np.bool_, np.number)):
        arrays.append(np.asarray(value))
        return {"s": len(arrays) - 1}
    if value is None or isinstance(value, (bool, int, float, str)) and not isinstance(value, np.generic):
        return {"p": value}
    if isinstance(value, (list, tuple)):
        return {"t" if isinstance(value, tuple) else "l": [_encode(v, arrays) for v in value]}
    if isinstance(value, dict) and all(isinstance(k, str) for k in value):
        return {"d": {k: _encode(v, arrays) for k, v in value.items()}}
    raise Uncacheable(type(value).__name__)


def _decode(tree, arrays):
    if "a" in tree:
        return arrays[tree["a"]]
    if "s" in tree:
        return arrays[tree["s"]][()]
    if "p" in tree:
        return tree["p"]
    if "d" in tree:
        return {k: _decode(v, arrays) for k, v in tree["d"].items()}
    items = [_decode(v, arrays) for v in tree.get("l", tree.get("t", []))]
    return tuple(items) if "t" in tree else items


def _digest(arrays):
    digest = hashlib.sha256()
    for array in arrays:
        digest.update(f"{array.dtype.str}{array.shape}".encode())
        digest.update(np.ascontiguousarray(array).tobytes())
    return digest.hexdigest()


def inputs_digest(case, probe=None):
    """A hash of a case's inputs (and probe); Uncacheable when they hold more than numbers, strings
    and arrays."""
    digest = hashlib.sha256()

    def feed(value):
        if isinstance(value, np.ndarray):
            if value.dtype.kind not in "biufU":
                raise Uncacheable(f"an array of {value.dtype}")
            digest.update(f"array {value.dtype.str}{value.shape}".encode())
            digest.update(np.ascontiguousarray(value).tobytes())
        elif isinstance(value, (list, tuple)):
            digest.update(f"{type(value).__name__} {len(value)}".encode())
            for item in value:
                feed(item)
        elif isinstance(value, dict):
            digest.update(f"dict {len(value)}".encode())
            for key in sorted(value, key=str):
                feed(str(key))
                feed(value[key])
        elif value is None or isinstance(value, (bool, int, float, str, np.generic)):
            digest.update(f"{type(value).__name__} {value!r}".encode())
        else:
            raise Uncacheable(type(value).__name__)

    feed(list(case.args))
    feed(dict(case.kwargs))
    feed(probe)
    return digest.hexdigest()


class DiskCache:
    """Answers on disk: ``<dir>/<fingerprint>/<chapter>/<check>/<seed>-<case>.npz``.

    Each file holds the answer's arrays and a JSON record of its key (the
    fingerprint, check, seed, case and a hash of the case's inputs), its
    structure and a SHA-256 of its arrays. A file that cannot be read, belongs
    to another key or fails its hash is not trusted: the answer is computed
    again and the file rewritten. Writes go through a temporary file and a
    rename, so graders sharing the folder never read half a file.
    """

    def __init__(self, directory):
        self.directory = Path(directory)
        self.hits = self.misses = self.rejected = 0

    def _path(self, name, seed, number, kind):
        chapter, _, check = name.partition("/")
        return self.directory / fingerprint()[:20] / chapter / check / f"{seed}-{number}-{kind}.npz"

    @staticmethod
    def key(name, seed, number, case, kind="answer", probe=None):
        return {"fingerprint": fingerprint(), "check": name, "seed": int(seed), "case": int(number),
                "kind": kind, "inputs": inputs_digest(case, probe)}

    def entry(self, name, seed, number, case, kind="answer", probe=None):
        """(path, key) of a case's answer (kind "answer") or judge's facts ("facts"); Uncacheable when
        the case's inputs are more than plain data."""
        return self._path(name, seed, number, kind), self.key(name, seed, number, case, kind, probe)

    def call_entry(self, reference, args, kwargs):
        """(path, key) of a reference's value on other inputs (a compare's own use of a reference)."""
        digest = inputs_digest(Case("", tuple(args), dict(kwargs)))
        key = {"fingerprint": fingerprint(), "call": f"{reference.module}.{reference.name}", "inputs": digest}
        return self.directory / fingerprint()[:20] / "calls" / key["call"] / f"{digest[:32]}.npz", key

    def load(self, name, seed, number, case, kind="answer", probe=None):
        """The stored answer or facts of a case, or None when there is none to trust."""
        return self.read(self.entry(name, seed, number, case, kind, probe))

    def read(self, entry):
        """The value stored at entry (path, key), or None when there is none to trust."""
        path, key = entry
        if not path.is_file():
            self.misses += 1
            return None
        try:
            with np.load(path, allow_pickle=False) as stored:
                record = json.loads(str(stored["record"]))
                arrays = [stored[f"v{i}"] for i in range(record["count"])]
            if record["key"] != key or record["sha256"] != _digest(arrays):
                raise ValueError("key or hash mismatch")
            value = _decode(record["tree"], arrays)
        except Exception:  # noqa: BLE001 - any damage means: compute it again
            self.rejected += 1
            return None
        self.hits += 1
        return value

    def write(self, entry, value):
        """Store value at entry (path, key); False when it is no plain data or cannot be written."""
        path, key = entry
        arrays = []
        try:
            tree = _encode(value, arrays)
        except Uncacheable:
            return False
        record = {"key": key, "tree": tree, "count": len(arrays), "sha256": _digest(arrays)}
        buffer = io.BytesIO()
        np.savez(buffer, record=np.array(json.dumps(record)), **{f"v{i}": a for i, a in enumerate(arrays)})
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(buffer.getvalue())
            os.replace(temporary, path)
        except OSError:
            return False  # a read-only or full cache folder only costs the next grade the time
        return True


class Oracle:
    """Expected answers: kept in memory for the process and, with a cache folder, on disk."""

    def __init__(self, directory=None):
        self.disk = DiskCache(directory) if directory else None
        self.memory = {}
        self.lock = threading.RLock()  # a reference may ask the oracle for another one

    def _kept(self, memo, entry, compute):
        """The value memo names (None: not kept in memory): from memory, else from the disk's entry
        (a function giving it, called on a miss only: it hashes the case's inputs), else compute();
        then kept in both (plain data only: a Keras model is the caller's own, since comparing it loads the
        learner's weights into it).

        One reference runs at a time: some drive shared Keras state (a model whose
        optimizer a callback adjusts, the global random seed), which two graders'
        threads must not interleave. The lock is re-entrant: computing facts asks
        for the answer, and a reference may ask the oracle for another one.
        """
        with self.lock:
            if memo is not None and memo in self.memory:
                return self.memory[memo]
            entry = entry() if callable(entry) else entry
            value = self.disk.read(entry) if entry else None
            if value is None:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # Keras's advice is for model authors, not for us
                    value = compute()
                if entry and _frozen(value):
                    self.disk.write(entry, value)
            if memo is not None and _frozen(value):
                self.memory[memo] = value
            return value

    def _entry(self, reference, make):
        """make()'s disk entry, or None: no cache folder, code outside the fingerprint, or inputs
        that are more than plain data."""
        if self.disk is None or not _fingerprinted(reference):
            return None
        try:
            return make()
        except Uncacheable:
            return None

    def answer(self, check, name, seed, number, case):
        """The reference's answer to one case."""
        return self._kept((check, name, seed, number),
                          lambda: self._entry(check.reference, lambda: self.disk.entry(name, seed, number, case)),
                          lambda: check.reference(*case.args, **case.kwargs))

    def facts(self, check, name, seed, number, case, probe):
        """What check.kit's judge reads for one case (the kit's facts), from the reference's answer.

        For the checks whose learner's process needs data from the reference
        before the call (a Keras model is run with the reference's weights):
        stored as plain data, so a warm cache needs no reference model at all.
        """
        return self._kept(("facts", check, name, seed, number),
                          lambda: self._entry(check.reference,
                                              lambda: self.disk.entry(name, seed, number, case, "facts", probe)),
                          lambda: check.kit.facts(check, case, self.answer(check, name, seed, number, case),
                                                  probe))

    def call(self, reference, *args, **kwargs):
        """reference(*args, **kwargs), kept like an answer: for a compare or a case maker that
        needs a reference's value on inputs of its own (the learner's chosen setting, a parse)."""
        if not isinstance(reference, Reference):
            return reference(*args, **kwargs)
        entry = self._entry(reference, lambda: self.disk.call_entry(reference, args, kwargs))
        if entry is None:
            return self._kept(None, None, lambda: reference(*args, **kwargs))  # nothing to name it by
        return self._kept(("call", json.dumps(entry[1], sort_keys=True)), entry, lambda: reference(*args, **kwargs))


def _fingerprinted(reference):
    """Is reference's code part of the fingerprint (a suite's or a reference module's function)?

    An answer from any other function (a check a test rebuilt with its own
    reference) is never stored on disk: its file would outlive its code.
    """
    if isinstance(reference, Reference):
        return True
    function = getattr(reference, "func", reference)  # functools.partial
    return getattr(function, "__module__", "").startswith(("nndl.grader.suites.", "nndl.solutions."))


def _frozen(value):
    """Make value's arrays read-only; False when it holds anything but numbers and arrays."""
    if isinstance(value, (list, tuple)):
        return all([_frozen(v) for v in value])
    if isinstance(value, dict):
        return all([_frozen(v) for v in value.values()])
    if value is None or isinstance(value, str):
        return True
    if isinstance(value, np.ndarray) and value.dtype.kind in "biuf":
        value.setflags(write=False)
        return True
    return isinstance(value, (bool, int, float, np.number))


_ORACLE = None
_ORACLE_LOCK = threading.Lock()


_SETTINGS = ("NNDL_CACHE_DIR", "XDG_CACHE_HOME", "HOME")   # what cache_dir() reads
_ORACLE_FOR = None


def oracle():
    """The process's oracle, on the cache folder the configuration names (``NNDL_CACHE_DIR``); a new
    one when the settings that name it change."""
    global _ORACLE, _ORACLE_FOR
    settings = tuple(os.environ.get(name) for name in _SETTINGS)
    with _ORACLE_LOCK:
        if _ORACLE is None or settings != _ORACLE_FOR:
            directory = cache_dir()
            if _ORACLE is None or (_ORACLE.disk and _ORACLE.disk.directory) != directory:
                _ORACLE = Oracle(directory)
            _ORACLE_FOR = settings
        return _ORACLE
