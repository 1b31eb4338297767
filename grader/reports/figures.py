"""Pictures of a failed visible check for the HTML report: what to draw, and the drawing.

A check's ``figure`` says what picture helps (see ``Check``):

- ``values``: the learner's output over the reference's, as a curve over a 1-D
  input of the output's shape, else as a scatter against the reference;
- ``boundary``: a classifier of the rows of its first argument (2 features):
  the learner's function and the reference are both evaluated on a grid over
  the case's points, and both decision boundaries drawn;
- ``linear_boundary``: a trainer returning (w, b) of a linear classifier on the
  case's (X, y): both lines w.x + b = 0 over the training points;
- ``curves``: per-epoch histories (one array or a tuple): the learner's curve
  over the reference's against the epoch.

``gather`` runs in the harness for visible checks only (a hidden check's
picture would show its inputs); it falls back to ``values``, and to no picture,
when the output does not fit. ``draw`` makes the matplotlib figure.
"""
import functools

import numpy as np

from nndl.i18n import language, tr

GRID = 151             # points per side of a boundary's grid
GRID_TIMEOUT = 5.0     # seconds for the learner's function on the grid
LIMIT = 20000          # values at most in a picture
REFERENCE, YOURS = "#90caf9", "#c62828"

# Per kind: the <img> alt text (a template for t()).
ALT = {"values": "your output against the reference",
       "boundary": "your decision boundary against the reference's",
       "curves": "your learning curve against the reference's"}


# ------------------------------------------------------------------ the data
def gather(check, case, got, expected, call=None, probe=None):
    """What the report can draw of a wrong visible case (a dict with a "kind"), or None."""
    kind = getattr(check, "figure", "values") if check is not None else "values"
    data = None
    if kind in GATHER and kind != "values":
        try:
            data = GATHER[kind](check, case, got, expected, call, probe)
        except Exception:  # noqa: BLE001 - a picture is a bonus: never fail a check over it
            data = None
    return data or _values(check, case, got, expected, call, probe)


def _values(check, case, got, expected, call, probe):
    """numeric arrays of one shape, with the input where it is a 1-D array of that shape."""
    try:
        got, expected = np.asarray(got, dtype=float), np.asarray(expected, dtype=float)
    except (TypeError, ValueError):
        return None
    if got.shape != expected.shape or not 1 < got.size <= LIMIT:   # one value: no picture
        return None
    x = np.asarray(case.args[0]) if case.args and isinstance(case.args[0], np.ndarray) else None
    if x is None or x.shape != got.shape or not np.issubdtype(x.dtype, np.number):
        x = None
    return {"kind": "values", "x": x, "got": got, "expected": expected}


def _boundary(check, case, got, expected, call, probe):
    X = _points(case)
    if X is None or call is None:
        return None
    xx, yy, grid = _grid(X)
    rest = case.args[1:]
    reply = call(check.function, (grid, *rest), case.kwargs, GRID_TIMEOUT, probe)
    if reply.kind != "ok":
        return None
    mine = _classes(reply.value, len(grid))
    theirs = _classes(check.answer(grid, *rest, **case.kwargs), len(grid))
    if mine is None or theirs is None:
        return None
    return {"kind": "boundary", "X": X, "label": _classes(expected, len(X)),
            "predicted": _classes(got, len(X)), "xx": xx, "yy": yy,
            "mine": mine.reshape(xx.shape), "theirs": theirs.reshape(xx.shape)}


def _linear_boundary(check, case, got, expected, call, probe):
    X = _points(case)
    mine, theirs = _linear(got), _linear(expected)
    if X is None or mine is None or theirs is None or len(case.args) < 2:
        return None
    xx, yy, grid = _grid(X)
    label = _classes(np.asarray(case.args[1], dtype=float), len(X))
    (w, b), (v, c) = mine, theirs
    mine, theirs = (grid @ w + b).reshape(xx.shape), (grid @ v + c).reshape(xx.shape)
    return {"kind": "boundary", "X": X, "label": label,
            "predicted": (X @ w + b > 0).astype(int), "xx": xx, "yy": yy,
            "mine": (mine > 0).astype(int), "theirs": (theirs > 0).astype(int),
            "lines": (mine, theirs)}   # w.x + b itself: its zero line is straight


def _curves(check, case, got, expected, call, probe):
    mine, theirs = _series(got), _series(expected)
    if mine is None or theirs is None or len(mine) != len(theirs) or \
            any(m.shape != e.shape for m, e in zip(mine, theirs)):
        return None
    names = list(check.figure_labels)[:len(mine)]
    names += [f"output {i + 1}" for i in range(len(names), len(mine))]
    return {"kind": "curves", "got": mine, "expected": theirs, "labels": names}


GATHER = {"values": _values, "boundary": _boundary, "linear_boundary": _linear_boundary,
          "curves": _curves}


def _points(case):
    """The case's first argument when it is a float array of 2-D points (n, 2), else None."""
    X = case.args[0] if case.args else None
    if not isinstance(X, np.ndarray) or X.ndim != 2 or X.shape[1] != 2 or not 0 < len(X) <= LIMIT:
        return None
    X = X.astype(float)
    return X if np.isfinite(X).all() else None


def _grid(X):
    """(xx, yy, grid points (GRID^2, 2)) over X's bounding box and a margin."""
    low, high = X.min(axis=0), X.max(axis=0)
    margin = np.maximum(0.25 * (high - low), 0.5)
    xx, yy = np.meshgrid(*(np.linspace(lo - m, hi + m, GRID) for lo, hi, m in zip(low, high, margin)))
    return xx, yy, np.column_stack([xx.ravel(), yy.ravel()])


def _classes(value, n):
    """n class numbers from a classifier's output: 0/1 by 0.5, or the argmax of a row."""
    try:
        value = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if value.shape == (n, 1):
        value = value[:, 0]
    if value.shape == (n,):
        return (value > 0.5).astype(int)
    if value.ndim == 2 and value.shape[0] == n and value.shape[1] > 1:
        return np.argmax(np.nan_to_num(value, nan=-np.inf), axis=1)
    return None


def _linear(value):
    """(w of shape (2,), b) from a trainer's (w, b), or None."""
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        return None
    try:
        w, b = np.asarray(value[0], dtype=float).ravel(), float(np.asarray(value[1], dtype=float))
    except (TypeError, ValueError):
        return None
    return (w, b) if w.shape == (2,) and np.isfinite(w).all() and np.isfinite(b) else None


def _series(value):
    """A list of 1-D float arrays from one history or a tuple of them, else None."""
    parts = value if isinstance(value, (tuple, list)) else [value]
    try:
        parts = [np.asarray(p, dtype=float) for p in parts]
    except (TypeError, ValueError):
        return None
    if not 0 < len(parts) <= 4 or any(p.ndim != 1 or not 0 < p.size <= LIMIT for p in parts):
        return None
    return parts


# ------------------------------------------------------------------ the pictures
def draw(name, data):
    """A matplotlib figure of a gathered case."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with plt.rc_context(fonts()):
        return {"values": _draw_values, "boundary": _draw_boundary,
                "curves": _draw_curves}[data.get("kind", "values")](plt, name, data)


def _draw_values(plt, name, data):
    got, expected, x = data["got"].ravel(), data["expected"].ravel(), data["x"]
    figure, axes = plt.subplots(figsize=(5.5, 3.4))
    if x is not None:
        order = np.argsort(x.ravel())
        axes.plot(x.ravel()[order], expected[order], "-", lw=3, color=REFERENCE, label=say("reference"))
        axes.plot(x.ravel()[order], got[order], "--", color=YOURS, label=say("yours"))
        axes.set_xlabel(say("input"))
        axes.set_ylabel(say("output"))
    else:
        low = np.nanmin([np.nanmin(expected), np.nanmin(got)])
        high = np.nanmax([np.nanmax(expected), np.nanmax(got)])
        axes.plot([low, high], [low, high], color=REFERENCE, lw=3, label=say("yours = reference"))
        axes.plot(expected, got, ".", color=YOURS, label=say("each value"))
        axes.set_xlabel(say("reference"))
        axes.set_ylabel(say("yours"))
    axes.set_title(name, fontsize=9)
    axes.legend(fontsize=8)
    return figure


def _draw_boundary(plt, name, data):
    """The reference's regions shaded, where the learner differs hatched, both boundaries,
    and the case's points (the wrongly classified ones crossed)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    xx, yy, mine, theirs = data["xx"], data["yy"], data["mine"], data["theirs"]
    top = max(mine.max(), theirs.max(), 1)
    figure, axes = plt.subplots(figsize=(5.5, 4.2))
    axes.contourf(xx, yy, theirs, levels=np.arange(top + 2) - 0.5, cmap="Blues", alpha=0.3)
    with plt.rc_context({"hatch.color": YOURS, "hatch.linewidth": 1.2}):
        axes.contourf(xx, yy, (mine != theirs).astype(int), levels=[0.5, 1.5], colors="none",
                      hatches=["///"])
    lines = data.get("lines")
    for field, style in ((lines[1] if lines else theirs, {"colors": REFERENCE, "linewidths": 4}),
                         (lines[0] if lines else mine,
                          {"colors": YOURS, "linewidths": 2, "linestyles": "--"})):
        levels = [0.0] if lines else np.arange(top) + 0.5
        if field.min() < levels[-1] < field.max() or field.min() < levels[0] < field.max():
            axes.contour(xx, yy, field, levels=levels, **style)
    X, label, predicted = data["X"], data["label"], data["predicted"]
    if label is not None and label.max() <= 1:
        faces = np.where(label == 1, "#1a237e", "white")
    else:
        faces = plt.get_cmap("tab10")(label % 10) if label is not None else "white"
    axes.scatter(X[:, 0], X[:, 1], c=faces, edgecolors="k", s=70, zorder=3)
    if label is not None and predicted is not None:
        wrong = label != predicted
        axes.scatter(X[wrong, 0], X[wrong, 1], marker="x", color=YOURS, s=160, linewidths=3, zorder=4)
    handles = [Line2D([], [], color=REFERENCE, lw=4, label=say("reference's boundary")),
               Line2D([], [], color=YOURS, lw=2, ls="--", label=say("your boundary")),
               Patch(facecolor="none", edgecolor=YOURS, hatch="///",
                     label=say("where your classes differ")),
               Line2D([], [], color=YOURS, marker="x", ls="", ms=10, mew=3,
                      label=say("a point you classify wrongly"))]
    axes.legend(handles=handles, fontsize=8, loc="upper left", bbox_to_anchor=(1.02, 1.0),
                framealpha=0.9)
    axes.set_xlabel("x[0]")
    axes.set_ylabel("x[1]")
    axes.set_title(name, fontsize=9)
    return figure


def _draw_curves(plt, name, data):
    """One panel per history: the reference's thick, the learner's dashed, against the epoch."""
    count = len(data["got"])
    figure, panels = plt.subplots(1, count, figsize=(3.6 * count + 1, 3.4), squeeze=False)
    for axes, got, expected, label in zip(panels[0], data["got"], data["expected"], data["labels"]):
        epochs = np.arange(len(expected))
        axes.plot(epochs, expected, "-", lw=3, color=REFERENCE, label=say("reference"))
        axes.plot(epochs, np.where(np.isfinite(got), got, np.nan), "--", color=YOURS, label=say("yours"))
        axes.set_xlabel(say("epoch"))
        axes.set_title(say(label), fontsize=9)
        axes.legend(fontsize=8)
    figure.suptitle(name, fontsize=9)
    figure.tight_layout()
    return figure


# ------------------------------------------------------------------ text in pictures
_CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
              "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "AR PL UMing CN", "Droid Sans Fallback")


@functools.lru_cache(maxsize=None)
def _cjk_font():
    """The name of an installed font with Chinese glyphs, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return next((name for name in _CJK_FONTS if name in installed), None)


def fonts():
    font = _cjk_font() if language() != "en" else None
    return {"font.sans-serif": [font, "DejaVu Sans"]} if font else {}


def say(text):
    """text (a template, or text made from one) in the chosen language where a font can draw
    it, else in English."""
    if language() == "en" or _cjk_font():
        return tr(text)
    return text
