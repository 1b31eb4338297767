"""The worker: the programs that run a learner's chapter file, and the wire format they speak.

- ``wire.py``: messages as plain JSON, numeric arrays as raw bytes in a blob beside it; nothing pickled;
- ``calls.py``: the call server (load a chapter file, answer calls of its functions);
- ``policy.py``: the from-scratch rule (no framework runs inside a from-scratch function);
- ``zygote.py``: the warm sandbox, forking a fresh call server per chapter file;
- ``__main__.py``: the program started in the sandbox (PROGRAM) and by the kit.

Inside the sandbox none of nndl is importable, so these modules import only
each other and the standard library (and NumPy, Keras where a chapter needs them).
The grader and the kit import the names below.
"""
import os

from .calls import SKIPPED_TAGS, error_record, load_module, notebook_cells, split_cells, summarise_model, to_plain
from .calls import answer
from .policy import FRAMEWORKS
from .wire import ALLOWED_DTYPES, MAX_MESSAGE, WIRE, WireError, decode, encode, receive, send

PROGRAM = os.path.join(os.path.dirname(os.path.abspath(__file__)), "__main__.py")
FOLDER = os.path.dirname(PROGRAM)

__all__ = ["ALLOWED_DTYPES", "FOLDER", "SKIPPED_TAGS", "FRAMEWORKS", "answer", "MAX_MESSAGE", "PROGRAM", "WIRE", "WireError", "decode", "encode",
           "error_record", "load_module", "notebook_cells", "receive", "send", "split_cells",
           "summarise_model", "to_plain"]
