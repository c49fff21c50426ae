"""Training with and without gradient clipping, on a task whose loss surface has a cliff.

The task ("window sum"): read T numbers x<1> .. x<T> ~ N(0, 1) and say, after the last one, whether the
last ``window`` of them add up to a positive number,

    y = 1  if  x<T-window+1> + ... + x<T> > 0,   else y = 0.

The model is a linear RNN (a<t> = Waa a<t-1> + Wax x<t> + ba, no squashing) with a softmax output
layer on the last state, trained by plain gradient descent (SGD) on one fixed batch. A linear RNN
solves the task by keeping a running sum that forgets the old inputs: a recurrent weight a little
below 1. Just above 1, the state multiplies the early inputs by about rho^T (rho the largest |eigenvalue|
of Waa), and so do the loss and its gradient: the loss surface has a cliff at rho = 1. A gradient-descent
step that lands beyond it meets a gradient many orders of magnitude larger, the next step throws the
weights far away, the states overflow and the loss is no longer a number.

Clipping the global norm of the gradient to a threshold c (optim.clip_by_global_norm) limits every step
to length learning_rate * c, whatever the gradient: a step onto the cliff is followed by a step of
bounded length, and training recovers. Too small a c makes every step short, so training is slow.

Every run here records, per step, the loss, the global gradient norm before clipping and whether
clipping acted; a run stops, without an exception or a warning, when the loss or the gradient
overflows (``diverged_at``). The explorer of the sweep is ``helpers.views.clipping_demo``.
"""
from __future__ import annotations

import numpy as np

from .._checks import MAX_STEPS, check_positive_int, check_real_number
from ..cells import get_cell
from ..gradient_flow import scaled_orthogonal
from ..optim import SGD
from ..training import accuracy, init_model, loss_and_gradients, train_loop

__all__ = [
    "CELL",
    "DEFAULT_THRESHOLDS",
    "make_window_task",
    "init_window_model",
    "train_clipped",
    "clipping_sweep",
    "threshold_label",
]

CELL = get_cell("rnn", activation="linear")
"""The model's cell: a linear RNN."""

DEFAULT_THRESHOLDS = (0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, None)
"""The thresholds of the sweep; None is no clipping."""


def _check_threshold(where, threshold):
    return None if threshold is None else check_real_number(where, "threshold", threshold, 0.0, low_open=True)


def make_window_task(m=64, T=50, window=10, seed=0):
    """m sequences of T numbers and their labels: is the sum of the last ``window`` numbers positive?

        x<t>_(i) ~ N(0, 1),    y_(i) = 1 if sum_{t > T - window} x<t>_(i) > 0 else 0

    Parameters
    ----------
    m : int >= 1, the number of sequences
    T : int >= 1, their length
    window : int in [1, T]
    seed : int >= 0, seed of np.random.default_rng

    Returns
    -------
    x : ndarray (1, m, T)
    y : ndarray (m,) int
    """
    where = "make_window_task"
    m = check_positive_int(where, "m", m)
    T = check_positive_int(where, "T", T)
    window = check_positive_int(where, "window", window)
    if window > T:
        raise ValueError(f"{where}: window must be an integer in [1, T] = [1, {T}], got {window}")
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    x = np.random.default_rng(seed).normal(size=(1, m, T))
    y = (x[0, :, T - window:].sum(axis=1) > 0).astype(int)
    return x, y


def init_window_model(n_a=4, sigma=0.9, input_scale=0.1, seed=0):
    """A linear RNN for the window task: Waa = sigma * Q (Q orthogonal: every singular value is sigma),
    Wax ~ N(0, input_scale^2), ba = 0, and a two-class output layer (training.init_model).

    Parameters
    ----------
    n_a : int >= 1; sigma : float >= 0; input_scale : float >= 0; seed : int >= 0

    Returns
    -------
    model : dict with Wax (n_a, 1), Waa (n_a, n_a), ba (n_a, 1), Wy (2, n_a), by (2, 1)
    """
    where = "init_window_model"
    n_a = check_positive_int(where, "n_a", n_a)
    sigma = check_real_number(where, "sigma", sigma, 0.0)
    input_scale = check_real_number(where, "input_scale", input_scale, 0.0)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    model = init_model(CELL, 1, n_a, 2, seed=seed)
    model["Waa"] = scaled_orthogonal(n_a, sigma, seed=seed)
    model["Wax"] = np.random.default_rng([seed, 3]).normal(0.0, input_scale, size=(n_a, 1))
    return model


def _loss_or_overflow(model, x, y):
    """(loss, grads) of the model, or (nan, None) if the forward pass overflows.

    loss_and_gradients refuses states that are not finite (ValueError); that case is confirmed by
    running the cell, and any other ValueError is passed on.
    """
    try:
        return loss_and_gradients(model, x, y, CELL, readout="last", reduction="mean")
    except ValueError:
        h, _ = CELL.forward(x, np.zeros((model["Waa"].shape[0], x.shape[1])),
                            {k: model[k] for k in CELL.param_keys})
        if np.all(np.isfinite(h)):
            raise
        return float("nan"), None


def train_clipped(model, x, y, threshold=None, steps=80, learning_rate=0.2):
    """Full-batch gradient descent on the window task, clipping the global gradient norm to ``threshold``.

    Each step:  loss, g = loss_and_gradients(model, x, y, readout="last")       (mean over the batch)
                norm = ||g||  (global_norm, over every parameter gradient)
                g <- clip_by_global_norm(g, threshold)                        (skipped if threshold is None)
                model <- model - learning_rate * g                            (SGD)

    The steps are those of ``training.train_loop`` with ``nonfinite="stop"``: the run stops at the first
    step whose loss or gradient is not a finite number (the forward pass or the gradient overflowed;
    floating-point overflow is silenced, so no warning is printed).

    Parameters
    ----------
    model : dict from ``init_window_model`` (not changed)
    x : ndarray (1, m, T); y : ndarray (m,) int, from ``make_window_task``
    threshold : float > 0, or None for no clipping
    steps : int >= 1
    learning_rate : float > 0

    Returns
    -------
    run : dict
        threshold : float or None
        loss : ndarray (steps,), the loss before each step's update; NaN from ``diverged_at`` on
        grad_norm : ndarray (steps,), ||g|| before clipping (inf if it overflowed); NaN after the stop
        clipped : ndarray (steps,) bool, clipping shortened the step
        diverged_at : None, or the 1-based step whose loss or gradient was not finite
        model : dict, the parameters after the last finite step
    """
    where = "train_clipped"
    threshold = _check_threshold(where, threshold)
    steps = check_positive_int(where, "steps", steps, maximum=MAX_STEPS)
    optimizer = SGD(check_real_number(where, "learning_rate", learning_rate, 0.0, low_open=True))
    losses, norms = np.full(steps, np.nan), np.full(steps, np.nan)
    clipped = np.zeros(steps, dtype=bool)

    def record(k, loss, norm):
        losses[k], norms[k] = loss, norm
        if threshold is not None:
            clipped[k] = norm > threshold

    with np.errstate(over="ignore", invalid="ignore"):
        model, run = train_loop(model, lambda params, _: _loss_or_overflow(params, x, y), lambda step: (None,),
                                optimizer, steps, clip=threshold, nonfinite="stop", where=where, unit="step",
                                on_step=lambda r: record(r["step"], r["loss"], r["norm"]))
    diverged_at, stop = None, run["stopped"]
    if stop is not None:
        k = stop["step"]
        diverged_at = k + 1
        if stop["reason"] == "gradient" or stop["reason"] == "norm":
            losses[k], norms[k] = stop["loss"], stop["norm"]
        elif stop["reason"] == "parameters":       # the weights overflowed: the next loss is not a number
            record(k, stop["loss"], stop["norm"])
            diverged_at = k + 2 if k + 1 < steps else None
    return {"threshold": threshold, "loss": losses, "grad_norm": norms, "clipped": clipped,
            "diverged_at": diverged_at, "model": model}


def threshold_label(threshold):
    """How the sweep names a threshold: "none" for None, else the number as written ("0.1", "10")."""
    return "none" if threshold is None else f"{threshold:g}"


def clipping_sweep(thresholds=DEFAULT_THRESHOLDS, steps=80, learning_rate=0.2, m=64, T=50, window=10, n_a=4,
                   sigma=0.9, seed=0, test_m=500):
    """The same model trained once per threshold, on the same batch, and scored on a test batch.

    Parameters
    ----------
    thresholds : sequence of float > 0 or None (no clipping), distinct
    steps, learning_rate : as in ``train_clipped``
    m, T, window : the training batch (``make_window_task(m, T, window, seed)``)
    n_a, sigma : the model (``init_window_model(n_a, sigma, seed=seed)``)
    seed : int >= 0
    test_m : int >= 1, the size of the test batch (drawn with seed + 1000)

    Returns
    -------
    sweep : dict
        labels : list of str (``threshold_label``), in the order given
        runs : dict label -> run of ``train_clipped``, with also test_accuracy (NaN if diverged)
        steps, learning_rate, T, window : the settings
    """
    where = "clipping_sweep"
    thresholds = list(thresholds)
    if not thresholds:
        raise ValueError(f"{where}: thresholds must hold at least one threshold, got []")
    labels = [threshold_label(_check_threshold(where, c)) for c in thresholds]
    if len(set(labels)) != len(labels):
        raise ValueError(f"{where}: thresholds must be distinct, got {thresholds!r}")
    x, y = make_window_task(m, T, window, seed)
    x_test, y_test = make_window_task(test_m, T, window, seed + 1000)
    start = init_window_model(n_a, sigma, seed=seed)
    runs = {}
    for label, c in zip(labels, thresholds):
        run = train_clipped(start, x, y, c, steps, learning_rate)
        run["test_accuracy"] = (float("nan") if run["diverged_at"] is not None
                                else accuracy(run["model"], x_test, y_test, CELL, readout="last"))
        runs[label] = run
    return {"labels": labels, "runs": runs, "steps": int(steps), "learning_rate": float(learning_rate),
            "T": int(T), "window": int(window)}
