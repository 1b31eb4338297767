"""The grader's settings, typed and documented in one place.

Instructors set the hidden seed through the environment (``NNDL_HIDDEN_SEED``)
so that it never sits in a file students can read; every other field has a
default that suits a 2-core machine.
"""
import os
from dataclasses import dataclass, field

VISIBLE_SEED = 0
OFF = ("0", "no", "false", "off")  # how a yes/no setting is switched off
DEFAULT_HIDDEN_SEED = 20261128


@dataclass(frozen=True)
class Limits:
    """Resource limits for one submission process (one chapter)."""

    load_timeout: float = 60.0      # seconds to execute the chapter file (Keras import included)
    call_timeout: float = 10.0      # seconds per call, unless a check asks for more
    chapter_timeout: float = 300.0  # wall-clock seconds for all calls of one chapter
    cpu_seconds: int = 300          # RLIMIT_CPU over the process's life
    memory_bytes: int = 8 << 30     # RLIMIT_AS; TensorFlow reserves a lot of address space
    file_bytes: int = 64 << 20      # RLIMIT_FSIZE: the largest file it may write
    processes: int = 256            # tasks (processes and threads, TensorFlow's included) in its
                                    # pids cgroup; RLIMIT_NPROC too where the grader is not root
    scratch_bytes: int = 256 << 20  # size of its in-memory scratch folder, and of its /tmp
    output_bytes: int = 16 << 10    # what is kept of its stdout/stderr


@dataclass(frozen=True)
class GraderConfig:
    """What a grading run needs to know besides the submission itself."""

    hidden_seed: int = DEFAULT_HIDDEN_SEED
    limits: Limits = field(default_factory=Limits)
    sandbox: str = "auto"           # "auto", "bwrap" or "none"
    warm: bool = True               # fork workers from warm sandboxes (runner.WarmPool)
    from_scratch: bool = True       # enforce the chapters' from-scratch rule (nndl/worker/policy.py)

    @classmethod
    def from_env(cls, **overrides):
        """Settings from NNDL_HIDDEN_SEED, NNDL_SANDBOX, NNDL_WARM and NNDL_FROM_SCRATCH, then the
        overrides."""
        values = {}
        if os.environ.get("NNDL_HIDDEN_SEED"):
            values["hidden_seed"] = int(os.environ["NNDL_HIDDEN_SEED"])
        if os.environ.get("NNDL_SANDBOX"):
            values["sandbox"] = os.environ["NNDL_SANDBOX"]
        if os.environ.get("NNDL_WARM"):
            values["warm"] = os.environ["NNDL_WARM"].lower() not in OFF
        if os.environ.get("NNDL_FROM_SCRATCH"):
            values["from_scratch"] = os.environ["NNDL_FROM_SCRATCH"].lower() not in OFF
        values.update(overrides)
        return cls(**values)


def autograder_root():
    """Gradescope's /autograder, or the folder ``NNDL_AUTOGRADER_ROOT`` names instead (tests)."""
    return os.environ.get("NNDL_AUTOGRADER_ROOT", "/autograder")


def hidden_seed_set():
    """Has the instructor set a hidden seed (``NNDL_HIDDEN_SEED``)?"""
    return bool(os.environ.get("NNDL_HIDDEN_SEED"))


def cache_dir():
    """Where the reference oracle keeps computed answers (``NNDL_CACHE_DIR``; "off": nowhere).

    The default is ``$XDG_CACHE_HOME/nndl/references`` (``~/.cache/nndl/references``).
    Deleting it is always safe: answers are computed again.
    """
    from pathlib import Path

    setting = os.environ.get("NNDL_CACHE_DIR", "")
    if setting.lower() in OFF:
        return None
    if setting:
        return Path(setting).expanduser().resolve()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "nndl" / "references"
