"""Wheels made with the standard library alone, and the student kit's PEP 517 build backend.

``pack`` writes a pure-Python wheel from (archive name, bytes) pairs. Two users:

- the Gradescope bundle packs the installed grader (``nndl``, its grader,
  suites, references and chapter texts) into a wheel that ``setup.sh`` installs;
- the student kit: ``nndl release`` copies this very file into the handout as
  ``_kit/backend.py``, whose ``build_wheel`` packs the handout's ``nndl/``
  folder with the metadata in ``_kit/kit.json``. So ``pip install DIR`` needs
  nothing from a package index but the kit's dependencies.

This module imports nothing from nndl: it must run on its own inside a handout.
"""
import base64
import hashlib
import json
import os
import zipfile

FIXED_DATE = (2020, 1, 1, 0, 0, 0)  # the same files give the same wheel
KIT_ENTRY_POINTS = "[console_scripts]\nnndl = nndl.cli:main\n\n[pytest11]\nnndl = nndl.pytest_plugin\n"


def metadata(name, version, summary="", requires_python=None, requires=()):
    lines = ["Metadata-Version: 2.1", f"Name: {name}", f"Version: {version}", f"Summary: {summary}"]
    lines += [f"Requires-Python: {requires_python}"] if requires_python else []
    return "\n".join(lines + [f"Requires-Dist: {r}" for r in requires]) + "\n"


def tree(root, prefix):
    """(archive name, path) of every file under root (no caches, no dotfiles), names under prefix."""
    for folder, folders, names in os.walk(root):
        folders[:] = sorted(f for f in folders if f != "__pycache__" and not f.startswith("."))
        for name in sorted(names):
            if not name.endswith((".pyc", ".pyo")) and not name.startswith("."):
                path = os.path.join(folder, name)
                yield f"{prefix}/{os.path.relpath(path, root).replace(os.sep, '/')}", path


def pack(wheel_directory, name, version, files, meta, entry_points=""):
    """Write {name}-{version}-py3-none-any.whl into wheel_directory; its file name.

    files: (archive name, bytes) pairs; meta: the METADATA text (see metadata()).
    """
    distribution = name.replace("-", "_")
    info = f"{distribution}-{version}.dist-info"
    wheel = f"{distribution}-{version}-py3-none-any.whl"
    entries = list(files) + [
        (f"{info}/METADATA", meta.encode()),
        (f"{info}/WHEEL", b"Wheel-Version: 1.0\nGenerator: nndl\nRoot-Is-Purelib: true\nTag: py3-none-any\n")]
    if entry_points:
        entries.append((f"{info}/entry_points.txt", entry_points.encode()))
    record = []
    with zipfile.ZipFile(os.path.join(wheel_directory, wheel), "w", zipfile.ZIP_DEFLATED) as archive:
        for arcname, data in entries:
            archive.writestr(zipfile.ZipInfo(arcname, FIXED_DATE), data, zipfile.ZIP_DEFLATED)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{arcname},sha256={digest},{len(data)}")
        record.append(f"{info}/RECORD,,")
        archive.writestr(zipfile.ZipInfo(f"{info}/RECORD", FIXED_DATE), "\n".join(record) + "\n",
                         zipfile.ZIP_DEFLATED)
    return wheel


# ------------------------------------------------- the kit's PEP 517 backend
def get_requires_for_build_wheel(config_settings=None):
    return []


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    """The handout's wheel: its nndl/ folder, described by _kit/kit.json."""
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    with open(os.path.join(here, "_kit", "kit.json"), encoding="utf-8") as handle:
        kit = json.load(handle)
    files = []
    for arcname, path in tree(os.path.join(here, "nndl"), "nndl"):
        with open(path, "rb") as handle:
            files.append((arcname, handle.read()))
    meta = metadata(kit["name"], kit["version"], kit["summary"], kit["requires_python"], kit["dependencies"])
    return pack(wheel_directory, kit["name"], kit["version"], files, meta, KIT_ENTRY_POINTS)
