"""nndl: a hands-on course on Nielsen's *Neural Networks and Deep Learning*, with autograding.

Learners call :func:`nndl.check` from a chapter's check cells; everything else
lives in :mod:`nndl.grader` (the grading engine) and :mod:`nndl.data`.
"""
import os

__version__ = "0.1.0"

# Quiet TensorFlow before anything imports it: its C++ start-up lines go to
# stderr, which nbgrader counts as a failure in a graded cell. oneDNN off also
# makes float results independent of the CPU's instruction set.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")


def check(name, function, hidden=False):
    """Run the checks of one exercise on `function` here and print what went wrong.

    name is "chapter/function", e.g. "ch02_activations/sigmoid". Returns the
    share of points earned (a float in [0, 1]), which nbgrader takes as
    partial credit. Messages are in English, or in Chinese after
    ``nndl.set_language("zh")`` or with ``NNDL_LANG=zh`` in the environment.
    """
    from nndl.grader.inprocess import check_function

    return check_function(name, function, hidden=hidden)


def set_language(lang):
    """The language of nndl.check's messages from now on: "en" or "zh" (None: NNDL_LANG, else "en")."""
    from nndl import i18n

    i18n.set_language(lang)
