"""Training with and without gradient clipping (notebook 07).

Expected values come from the definitions and from two facts of gradient descent with clipping:
- one SGD step moves the parameters by exactly learning_rate * g, and after clipping the global norm to c
  its length is learning_rate * min(||g||, c);
- so n clipped steps move the parameters at most n * learning_rate * c in total (triangle inequality):
  too small a threshold cannot get far.
A linear RNN with every singular value of Waa equal to s > 1 multiplies the input of step t by s^(T-t) on
the way to the last state, so a large s makes the loss and its gradient overflow.
"""
import warnings

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.tasks.clipping_task import (
    CELL,
    DEFAULT_THRESHOLDS,
    clipping_sweep,
    init_window_model,
    make_window_task,
    threshold_label,
    train_clipped,
)
from helpers.views.clipping_demo import clipping_sweep_explorer, sweep_view
from helpers.optim import global_norm
from helpers.training import loss_and_gradients


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def distance(a, b):
    """Global Euclidean distance between two parameter dicts."""
    return float(np.sqrt(sum(np.sum((a[k] - b[k]) ** 2) for k in a)))


@pytest.fixture(scope="module")
def sweep():
    return clipping_sweep(thresholds=(0.01, 0.3, 10.0, None), steps=40, learning_rate=0.2)


def test_window_task_labels_by_hand():
    x, y = make_window_task(m=5, T=6, window=2, seed=3)
    assert x.shape == (1, 5, 6) and y.shape == (5,)
    assert np.array_equal(y, (x[0, :, 4] + x[0, :, 5] > 0).astype(int))
    x2, y2 = make_window_task(m=5, T=6, window=2, seed=3)
    assert np.array_equal(x, x2) and np.array_equal(y, y2)
    with pytest.raises(ValueError, match=r"make_window_task: window must be an integer in \[1, T\] = \[1, 6\], got 7"):
        make_window_task(T=6, window=7)
    with pytest.raises(ValueError, match="make_window_task: m must be an integer >= 1"):
        make_window_task(m=0)


def test_window_model_has_the_chosen_singular_values():
    model = init_window_model(n_a=5, sigma=0.9, input_scale=0.2, seed=1)
    assert set(model) == {"Wax", "Waa", "ba", "Wy", "by"}
    assert np.allclose(np.linalg.svd(model["Waa"], compute_uv=False), 0.9, rtol=1e-12)
    assert model["Wax"].shape == (5, 1) and model["Wy"].shape == (2, 5)
    with pytest.raises(ValueError, match="init_window_model: sigma must be a finite number >= 0"):
        init_window_model(sigma=-1.0)


def test_one_step_is_sgd_on_the_clipped_gradient():
    x, y = make_window_task(m=16, T=20, window=5)
    start = init_window_model(n_a=3, sigma=0.9)
    loss, g = loss_and_gradients(start, x, y, CELL, readout="last", reduction="mean")
    norm = global_norm(g)
    for c in (None, 10 * norm, 0.5 * norm):
        run = train_clipped(start, x, y, threshold=c, steps=1, learning_rate=0.3)
        assert run["loss"][0] == loss and run["grad_norm"][0] == norm and run["diverged_at"] is None
        scale = 1.0 if c is None or c >= norm else c / norm
        for k in start:
            assert np.allclose(run["model"][k], start[k] - 0.3 * scale * g["d" + k], rtol=0, atol=1e-15)
        assert run["clipped"][0] == (c is not None and c < norm)
        assert distance(run["model"], start) == pytest.approx(0.3 * min(norm, c or np.inf), rel=1e-12)


def test_a_small_threshold_cannot_move_far():
    x, y = make_window_task(m=16, T=20, window=5)
    start = init_window_model(n_a=3, sigma=0.9)
    run = train_clipped(start, x, y, threshold=0.01, steps=30, learning_rate=0.2)
    assert distance(run["model"], start) <= 30 * 0.2 * 0.01 * (1 + 1e-12)
    assert run["clipped"].all()                                     # every gradient here is longer than 0.01


def test_no_clipping_past_the_cliff_stops_without_a_warning():
    """sigma = 1.3, T = 50: the early inputs reach the last state multiplied by ~1.3^49 ~ 4e5; a large step
    follows, the weights and states overflow. The run reports it and keeps the last finite model."""
    x, y = make_window_task(m=16, T=50, window=10)
    start = init_window_model(n_a=3, sigma=1.3, input_scale=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = train_clipped(start, x, y, threshold=None, steps=60, learning_rate=0.5)
    k = run["diverged_at"]
    assert k is not None and 1 <= k <= 60
    assert np.all(np.isnan(run["loss"][k:])) and np.all(np.isfinite(run["loss"][:k - 1]))
    assert all(np.all(np.isfinite(v)) for v in run["model"].values())
    clipped = train_clipped(start, x, y, threshold=1.0, steps=60, learning_rate=0.5)
    assert clipped["diverged_at"] is None


def test_an_enormous_threshold_is_the_same_as_none():
    x, y = make_window_task(m=16, T=20, window=5)
    start = init_window_model(n_a=3, sigma=0.9)
    a = train_clipped(start, x, y, threshold=None, steps=10)
    b = train_clipped(start, x, y, threshold=1e300, steps=10)
    assert np.array_equal(a["loss"], b["loss"]) and not b["clipped"].any()


def test_train_clipped_leaves_the_model_alone_and_checks_its_arguments():
    x, y = make_window_task(m=8, T=10, window=3)
    start = init_window_model(n_a=2)
    saved = {k: v.copy() for k, v in start.items()}
    train_clipped(start, x, y, threshold=0.1, steps=3)
    assert all(np.array_equal(start[k], saved[k]) for k in saved)
    with pytest.raises(ValueError, match="train_clipped: threshold must be a finite number > 0, got 0.0"):
        train_clipped(start, x, y, threshold=0.0)
    with pytest.raises(ValueError, match="train_clipped: learning_rate must be a finite number > 0"):
        train_clipped(start, x, y, learning_rate=np.nan)
    with pytest.raises(ValueError, match="train_clipped: steps must be an integer >= 1"):
        train_clipped(start, x, y, steps=0)


def test_sweep_runs_every_threshold_from_the_same_start(sweep):
    assert sweep["labels"] == ["0.01", "0.3", "10", "none"]
    first = {label: run["loss"][0] for label, run in sweep["runs"].items()}
    assert len(set(first.values())) == 1                            # same model, same batch
    for run in sweep["runs"].values():
        assert (run["diverged_at"] is None) != np.isnan(run["test_accuracy"])
    assert [threshold_label(c) for c in DEFAULT_THRESHOLDS][-2:] == ["10", "none"]
    with pytest.raises(ValueError, match="clipping_sweep: thresholds must be distinct"):
        clipping_sweep(thresholds=(0.1, 0.1), steps=1)
    with pytest.raises(ValueError, match="clipping_sweep: threshold must be a finite number > 0"):
        clipping_sweep(thresholds=(-1.0,), steps=1)


def test_sweep_view_is_a_look_up(sweep):
    v = sweep_view(sweep, "0.3")
    run = sweep["runs"]["0.3"]
    assert np.array_equal(v["loss"], run["loss"], equal_nan=True) and v["log_threshold"] == pytest.approx(np.log10(0.3))
    assert set(v["others"]) == {"0.01", "10", "none"}
    assert sweep_view(sweep, "none")["log_threshold"] is None
    with pytest.raises(ValueError, match="sweep_view: threshold must be one of 0.01, 0.3, 10, none, got '1'"):
        sweep_view(sweep, "1")
    with pytest.raises(KeyError, match="sweep_view: sweep must be the dict of clipping_sweep"):
        sweep_view({}, "1")


def test_sweep_explorer_redraws_in_place(sweep):
    ex = clipping_sweep_explorer(sweep, "none")
    ax_l = ex.figure.axes[0]
    blue = [ln for ln in ax_l.lines if ln.get_color() == "C0"]
    for label in sweep["labels"]:
        r = ex.set(threshold=label)
        assert r["label"] == label and np.array_equal(blue[0].get_ydata(), r["loss"], equal_nan=True)
        ex.figure.canvas.draw()
    ex.set(threshold="none")
    assert "threshold none" in ex.status.value
    assert ("no longer a number" in ex.status.value) == (sweep["runs"]["none"]["diverged_at"] is not None)


def test_sweep_explorer_keeps_its_axes_for_every_threshold(sweep):
    """The axes hold every run, so after each curve has changed once every move is a fast redraw."""
    ex = clipping_sweep_explorer(sweep, "none")
    ax_l, ax_n = ex.figure.axes
    limits = (ax_l.get_xlim(), ax_l.get_ylim(), ax_n.get_xlim(), ax_n.get_ylim())
    logs = np.concatenate([np.log10(run["grad_norm"][np.isfinite(run["grad_norm"]) & (run["grad_norm"] > 0)])
                           for run in sweep["runs"].values()] + [np.log10([0.01, 0.3, 10.0])])
    assert ax_n.get_ylim() == pytest.approx((logs.min() - 0.5, logs.max() + 0.5))
    for label in sweep["labels"] + sweep["labels"][::-1]:
        ex.set(threshold=label)
    for label in sweep["labels"] + sweep["labels"][::-1]:
        ex.set(threshold=label)
        assert ex.last_render == "layers", (label, ex._layers.reason)
        assert (ax_l.get_xlim(), ax_l.get_ylim(), ax_n.get_xlim(), ax_n.get_ylim()) == limits
    dynamic_texts = [a for a in ex._layers.dynamic if type(a).__name__ == "Text"]
    # only the "not a number" note and the blue label of the chosen curve
    assert len(dynamic_texts) == 2
    note, = [t for t in dynamic_texts if t.get_clip_on()]
    chosen, = [t for t in dynamic_texts if not t.get_clip_on()]
    assert chosen.get_text() == f"c = {sweep['labels'][0]}"        # the last set() went back to the first label


def test_every_sweep_curve_is_labelled_and_the_labels_do_not_overlap(sweep):
    ex = clipping_sweep_explorer(sweep, "none")
    ax_l = ex.figure.axes[0]
    labels = {t.get_text(): t.get_position()[1] for t in ax_l.texts if t.get_text().startswith("c = ")
              and t.get_color() != "C0"}
    assert set(labels) == {f"c = {label}" for label in sweep["labels"]}
    heights = sorted(labels.values())
    assert all(b - a >= 0.075 - 1e-12 for a, b in zip(heights, heights[1:]))        # kept apart
    assert all(0.0 <= y <= 1.05 for y in heights)                                    # within the panel
    # a run that ends on the chart is labelled where its curve ends, as far as the others allow
    ends = {label: sweep["runs"][label]["loss"][-1] for label in sweep["labels"]}
    lowest = min((label for label in ends if np.isfinite(ends[label])), key=lambda label: ends[label])
    assert labels[f"c = {lowest}"] == pytest.approx(ends[lowest])
