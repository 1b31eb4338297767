"""nndl: a hands-on course on Nielsen's *Neural Networks and Deep Learning*, with autograding.

Learners call :func:`nndl.check` from a chapter's check cells; everything else
lives in :mod:`nndl.grader` (the grading engine) and :mod:`nndl.data`.
"""
__version__ = "0.1.0"

# Importing nndl changes nothing in the environment: TensorFlow's settings go to the
# processes nndl starts (nndl/local.py, grader/sandbox.py), to the grader's references
# (nndl/solutions) and to the kernels of an nbgrader course (its nbgrader_config.py).


class HiddenChecksUnavailable(RuntimeError):
    """Hidden checks were asked for where only the learner's kit is installed."""


def check(name, function, hidden=False):
    """Run the checks of one exercise on `function` here and print what went wrong.

    name is "chapter/function", e.g. "ch02_activations/sigmoid". The visible
    checks run from the compiled check data; hidden=True runs the hidden checks,
    which only the grader has (nbgrader's autograde). Returns the share of
    points earned (a float in [0, 1]), which nbgrader takes as partial credit.
    Messages are in English, or in Chinese after ``nndl.set_language("zh")``
    or with ``NNDL_LANG=zh`` in the environment.
    """
    if not hidden:
        from nndl.checking import check_function

        return Share(check_function(name, function))
    try:
        from nndl.grader.grading.inprocess import check_hidden
    except ImportError:
        raise HiddenChecksUnavailable("hidden checks run only in the grader; nndl.check(name, f) "
                                      "runs the visible ones") from None
    return Share(check_hidden(name, function))


class Share(float):
    """nndl.check's share of points: a float, which a notebook does not echo as "Out: 0.0" under its
    ✓/✗ lines (nbgrader's test cells add the shares up and show the plain float they make)."""

    def _ipython_display_(self):
        pass


def set_language(lang):
    """The language of nndl.check's messages from now on: "en" or "zh" (None: NNDL_LANG, else "en")."""
    from nndl import i18n

    i18n.set_language(lang)


def skipped(error):
    """A demo cell's except clause: say in one line why the demo waits, so "Run All" goes on.

    NotImplementedError from a stub: that exercise is not done yet. NameError raised by the demo
    cell itself: it needs what an earlier, skipped demo makes. Anything else, or a NameError
    inside the learner's own function, is a real error and is raised again.
    """
    import traceback

    from nndl.i18n import t

    frames = traceback.extract_tb(error.__traceback__)
    if isinstance(error, NotImplementedError) and frames:
        print(t("demo skipped: {name}() is not implemented yet", name=frames[-1].name))
    elif isinstance(error, NameError) and len(frames) == 1:
        print(t("demo skipped: it needs {name}, which an earlier demo makes (skipped above)",
                name=getattr(error, "name", None) or str(error)))
    else:
        raise error
