"""The clipping sweep of notebook 07, as an explorer: one training run of the window-sum task per
clipping threshold (``helpers.tasks.clipping_task``), its loss and gradient norm per step, one run
highlighted by the slider.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.transforms import blended_transform_factory

from .explorer import Explorer, new_figure

__all__ = ["sweep_view", "clipping_sweep_explorer"]


def _log10(values):
    v = np.array(values, dtype=float)
    ok = np.isfinite(v) & (v > 0)
    out = np.full(v.shape, np.nan)
    out[ok] = np.log10(v[ok])
    return out


def sweep_view(sweep, threshold="none"):
    """What the threshold explorer shows for one threshold of a sweep (pure: a look-up).

    Parameters
    ----------
    sweep : dict from ``clipping_sweep``
    threshold : str, one of sweep["labels"]

    Returns
    -------
    view : dict
        label : str; step : ndarray (steps,) 1 .. steps
        loss : ndarray (steps,), the training loss (NaN where none)
        log_norm : ndarray (steps,), log10 of the gradient norm (NaN where none)
        log_threshold : float or None
        diverged_at : None or int; final_loss : float (NaN if diverged); min_loss : float
        test_accuracy : float; clipped_share : float, the share of the steps taken that were clipped
        others : dict label -> the loss of every other threshold
    """
    where = "sweep_view"
    for key in ("labels", "runs", "steps"):
        if not isinstance(sweep, dict) or key not in sweep:
            raise KeyError(f"{where}: sweep must be the dict of clipping_sweep, missing '{key}'")
    if threshold not in sweep["labels"]:
        raise ValueError(f"{where}: threshold must be one of {', '.join(sweep['labels'])}, got {threshold!r}")
    run = sweep["runs"][threshold]
    taken = np.isfinite(run["loss"])
    loss = run["loss"][taken]
    return {"label": threshold, "step": np.arange(1, sweep["steps"] + 1), "loss": run["loss"].copy(),
            "log_norm": _log10(run["grad_norm"]),
            "log_threshold": None if run["threshold"] is None else float(np.log10(run["threshold"])),
            "diverged_at": run["diverged_at"],
            "final_loss": float("nan") if run["diverged_at"] is not None else float(loss[-1]),
            "min_loss": float(loss.min()) if loss.size else float("nan"),
            "test_accuracy": run["test_accuracy"],
            "clipped_share": float(run["clipped"][taken].mean()) if taken.any() else 0.0,
            "others": {label: sweep["runs"][label]["loss"].copy() for label in sweep["labels"] if label != threshold}}


def _sweep_text(v):
    if v["diverged_at"] is not None:
        return (f"threshold {v['label']}: the loss is no longer a number from step {v['diverged_at']} on "
                f"(lowest loss before: {v['min_loss']:.3f})")
    return (f"threshold {v['label']}: final loss {v['final_loss']:.3f}, test accuracy {v['test_accuracy']:.2f}, "
            f"{100 * v['clipped_share']:.0f}% of the steps clipped")


def _label_heights(sweep, top=1.05, gap=0.075):
    """Where to write each run's label right of the loss panel: at the height its loss curve ends (the
    last value that is a number, held to [0, top]), moved apart to at least ``gap`` between two labels
    (in the order of those heights); label -> height."""
    heights = {}
    for label in sweep["labels"]:
        loss = sweep["runs"][label]["loss"]
        finite = loss[np.isfinite(loss)]
        heights[label] = float(np.clip(finite[-1], 0.0, top)) if finite.size else top
    order = sorted(heights, key=lambda label: heights[label])
    placed = []
    for label in order:                 # push up from the bottom, then down from the top if that ran over
        y = heights[label] if not placed else max(heights[label], placed[-1] + gap)
        placed.append(y)
    for i in range(len(placed) - 1, -1, -1):
        limit = top if i == len(placed) - 1 else placed[i + 1] - gap
        placed[i] = min(placed[i], limit)
    return dict(zip(order, placed))


def _sweep_norm_limits(sweep):
    """y-limits of the gradient-norm panel that hold every run of the sweep and every threshold (log10),
    so that moving the slider never changes them."""
    logs = [_log10(sweep["runs"][label]["grad_norm"]) for label in sweep["labels"]]
    logs += [np.array([np.log10(run["threshold"])]) for run in sweep["runs"].values() if run["threshold"] is not None]
    finite = np.concatenate([v[np.isfinite(v)] for v in logs])
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (-1.0, 1.0)
    return low - 0.5, high + 0.5


def clipping_sweep_explorer(sweep, threshold=None) -> Explorer:
    """A slider over the thresholds of a finished sweep: the loss curve of that run (the others in grey)
    and its gradient norm before clipping, both as log10, with the threshold and the step where the
    loss stopped being a number. compute is ``sweep_view`` (a look-up: nothing is trained here).

    The axes hold every run of the sweep, so they stay the same for every threshold and a move of the
    slider redraws only the curves (see helpers/views/explorer.py).

    Parameters
    ----------
    sweep : dict from ``clipping_sweep``
    threshold : str, the label to start on (default: the first one)
    """
    threshold = sweep["labels"][0] if threshold is None else threshold
    first = sweep_view(sweep, threshold)
    fig, (ax_l, ax_n) = new_figure(1, 2, figsize=(9.2, 3.5))
    step = first["step"]
    ghosts = {label: ax_l.plot(step, np.full(step.size, np.nan), color="0.8", lw=1)[0] for label in sweep["labels"]}
    (loss_line,) = ax_l.plot([], [], color="C0", lw=2)
    (norm_line,) = ax_n.plot([], [], color="C1", lw=1.5)
    thr_line = ax_n.axhline(0.0, color="C2", ls="--", lw=1.2)
    stops = [ax.axvline(0.0, color="C3", lw=1.2, ls=":", visible=False) for ax in (ax_l, ax_n)]
    # clipped to the axes: then the layers know where it may paint even while it is empty
    note = ax_l.text(0.03, 0.95, "", transform=ax_l.transAxes, fontsize=8.5, color="C3", va="top", clip_on=True)
    chance = float(np.log(2.0))
    # under the curves (lower zorder): they are drawn over it, so it stays in the kept background
    ax_l.axhline(chance, color="0.5", ls=":", lw=1, zorder=1.5)
    ax_l.text(step[-1], chance, "chance, ln 2 ", ha="right", va="bottom", fontsize=7.5, color="0.4", zorder=1.5)
    ax_l.set_ylim(0.0, 1.05)
    ax_l.set_xlabel("step", fontsize=9)
    ax_l.set_ylabel("training loss (above 1: off the chart)", fontsize=9)
    ax_n.set_ylim(*_sweep_norm_limits(sweep))
    ax_n.set_xlabel("step", fontsize=9)
    ax_n.set_ylabel("log10 ‖g‖", fontsize=9)
    for ax in (ax_l, ax_n):
        ax.set_xlim(0.5, step[-1] + 0.5)
        ax.grid(alpha=0.3)
        ax.tick_params(labelsize=8)
    ax_n.set_title("gradient norm ‖g‖ before clipping (dashed: the threshold c)", fontsize=9.5)
    ax_l.set_title("training loss (blue: the chosen threshold, grey: the others)", fontsize=9.5)
    # every curve is labelled with its threshold, right of its end (kept apart so that none overlap);
    # the labels never change, and one more text in blue covers the chosen curve's label
    ends = _label_heights(sweep, top=1.05)
    place = blended_transform_factory(ax_l.transAxes, ax_l.transData)
    for label, y in ends.items():
        ax_l.text(1.01, y, f"c = {label}", transform=place, fontsize=7, color="0.45", va="center", clip_on=False)
    chosen = ax_l.text(1.01, ends[threshold], "", transform=place, fontsize=7, color="C0", va="center",
                       fontweight="bold", clip_on=False,
                       bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.5})
    fig.tight_layout()

    def draw(v):
        for label, line in ghosts.items():
            line.set_ydata(v["others"][label] if label in v["others"] else np.full(step.size, np.nan))
        loss_line.set_data(step, v["loss"])
        norm_line.set_data(step, v["log_norm"])
        thr_line.set_visible(v["log_threshold"] is not None)
        if v["log_threshold"] is not None:
            thr_line.set_ydata([v["log_threshold"]] * 2)
        k = v["diverged_at"]
        for line in stops:
            line.set_visible(k is not None)
            if k is not None:
                line.set_xdata([k, k])
        note.set_text("" if k is None else f"from step {k} on the loss is not a number")
        chosen.set_text(f"c = {v['label']}")
        chosen.set_y(ends[v["label"]])

    control = widgets.SelectionSlider(options=list(sweep["labels"]), value=threshold, description="threshold c",
                                      style={"description_width": "initial"}, continuous_update=False)
    return Explorer("training a linear RNN with gradient clipping at different thresholds",
                    {"threshold": control}, fig, lambda threshold: sweep_view(sweep, threshold), draw,
                    describe=_sweep_text)
