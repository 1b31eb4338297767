"""The learner's settings from the environment, read here and nowhere else in nndl/.

The grader's own settings (hidden seed, sandbox, warm workers, reference cache,
Gradescope's root) are in nndl.grader.config, which the kit does not have.
One flag is not a setting and is read where it is used: ``NNDL_SANDBOXED``, which
the sandbox sets for its worker (nndl/worker/ runs there without the rest of nndl).
"""
import os


def language():
    """NNDL_LANG: the messages' language ("en", "zh"; "zh_CN" reads as "zh"), or None when unset."""
    value = os.environ.get("NNDL_LANG", "")
    return value.split("_")[0].lower() or None


def verbose():
    """NNDL_VERBOSE: a notebook's nndl.check prints each passed check's message too."""
    return os.environ.get("NNDL_VERBOSE", "").lower() not in ("", "0", "no", "false")
