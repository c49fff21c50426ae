"""Training a small recurrent model: one recurrent layer of any cell, an output layer, a loss, BPTT.

The model reads a sequence and predicts either at every step (many-to-many, T_y = T_x, e.g. tagging
each word) or once, from the state after the last real step (many-to-one, e.g. sentiment):

    h<t> = cell(x<t>, h<t-1>),  h<0> = 0                         (RNN: a<t>; GRU: c<t>; LSTM: a<t>)
    z<t> = Wy @ h<t> + by                                          readout="every"
    z    = Wy @ h<T_i> + by     (T_i = length of example i)        readout="last"
    L    = sum over predicted steps of the softmax cross-entropy   (sum over the batch; mean with "mean")

One training step: forward, loss, backward through the output layer, BPTT through the cell, clip the
global gradient norm, update with the optimiser. The model is a flat dict: the cell's parameters
(``cell.param_keys``) plus ``Wy`` (n_y, n_a) and ``by`` (n_y, 1); its gradients use the same keys with a
leading ``d``, so the optimisers of ``optim.py`` apply directly.

``train_loop`` is the course's one training loop: epochs of batches, each step loss-and-gradients,
a check that the loss is finite, clipping by global norm, an optimiser step and callbacks per step and
per epoch. ``fit`` is a thin wrapper over it, and so are the other training functions of the course
(``networks.fit_network``, ``tasks.memory_task.fit_memory_task``, ``tasks.toy_tasks.fit_encoder_decoder``,
``tasks.language_model.train_language_model``, ``tasks.clipping_task.train_clipped``): each supplies
its own loss-and-gradients function and its own batches, and trains a flat dict of float64 arrays.
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import (MAX_STEPS, as_float_array, check_choice, check_finite, check_labels, check_ndim,
                      check_entries, check_positive_int, check_real_number, check_shape, fmt_shape, get_param, told_as)
from ._blas import one_blas_thread
from .cells import as_cell
from .losses import output_layer_backward, output_layer_forward, softmax_cross_entropy
from .optim import Adam, clip_by_global_norm, global_norm

__all__ = ["init_model", "model_forward", "loss_and_gradients", "train_loop", "fit", "predict", "accuracy"]


def init_model(cell, n_x: int, n_a: int, n_y: int, seed: int = 0) -> dict:
    """Random model: the cell's parameters (seeded) and an output layer Wy ~ N(0, 1/n_a), by = 0.

    cell : "rnn", "gru", "lstm" or a ``cells.Cell``.
    Returns a dict with ``cell.param_keys`` and ``Wy`` (n_y, n_a), ``by`` (n_y, 1).
    """
    where = "init_model"
    cell = as_cell(where, cell)
    n_x = check_positive_int(where, "n_x", n_x)
    n_a = check_positive_int(where, "n_a", n_a)
    n_y = check_positive_int(where, "n_y", n_y)
    blocks = {"rnn": 1, "gru": 3, "lstm": 4}[cell.kind]      # weight blocks of (n_a, n_a + n_x)
    check_entries(where, blocks * n_a * (n_a + n_x + 2) + n_y * (n_a + 1),
                  f"n_x = {n_x}, n_a = {n_a} and n_y = {n_y}")
    if seed is not None:
        seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    model = cell.init(n_x, n_a, seed=seed)
    rng = np.random.default_rng(None if seed is None else seed + 7919)
    model["Wy"] = rng.normal(0.0, 1.0 / np.sqrt(n_a), size=(n_y, n_a))
    model["by"] = np.zeros((n_y, 1))
    return model


def _check_model(where, model, cell):
    """The model's arrays (the cell's keys, Wy, by) as float64; a missing key is a KeyError naming it and
    every key a model of this cell has; the output layer must be Wy (n_y, n_a), by (n_y, 1), finite.
    The cell's own arrays are checked by the cell's forward pass (shapes against each other and x)."""
    if not isinstance(model, dict):
        raise ValueError(f"{where}: model must be a dict of arrays (from init_model), got {type(model).__name__}")
    keys = cell.param_keys + ("Wy", "by")
    missing = [k for k in keys if k not in model]
    if missing:
        have = ", ".join(sorted(map(str, model))) or "nothing"
        raise KeyError(f"{where}: model is missing the key '{missing[0]}': a model of {cell!r} has "
                       f"{', '.join(keys)} (init_model makes one); it has: {have}")
    arrays = {k: get_param(where, model, k, "model") for k in keys}
    Wy, first = arrays["Wy"], cell.param_keys[0]      # Wax, Wu or Wf: n_a rows
    check_ndim(where, "model['Wy']", Wy, 2, "(n_y, n_a)")
    if arrays[first].ndim == 2:
        n_a = arrays[first].shape[0]
        check_shape(where, "model['Wy']", Wy, (None, n_a), "(n_y, n_a)",
                    f"to match model['{first}'] {fmt_shape(arrays[first].shape)}")
    check_shape(where, "model['by']", arrays["by"], (Wy.shape[0], 1), "(n_y, 1)",
                f"to match model['Wy'] {fmt_shape(Wy.shape)}")
    for k in keys:
        check_finite(where, f"model['{k}']", arrays[k])
    return arrays


def _forward_states(where, model, x, cell):
    """h (n_a, m, T_x) of the recurrent layer from h<0> = 0, the cell's errors told in ``where``'s words."""
    n_a, m = model["Wy"].shape[1], x.shape[1]
    with told_as(where, {"parameters": "model"}):
        return cell.forward(x, np.zeros((n_a, m)), {k: model[k] for k in cell.param_keys})


def _lengths(where, lengths, m, T):
    if lengths is None:
        return np.full(m, T)
    lengths = np.asarray(lengths)
    if lengths.shape != (m,) or not np.issubdtype(lengths.dtype, np.integer):
        raise ValueError(f"{where}: lengths must be an integer array of shape (m,) = ({m},), "
                         f"got {lengths.dtype} array of shape {fmt_shape(lengths.shape)}")
    if lengths.min() < 1 or lengths.max() > T:
        raise ValueError(f"{where}: lengths must lie in [1, T_x] = [1, {T}], "
                         f"got values from {lengths.min()} to {lengths.max()}")
    return lengths


def model_forward(model: dict, x, cell, readout: str = "every", lengths=None):
    """Scores of the model for a batch.

    x : ndarray (n_x, m, T_x)
    readout : "every" -> z (n_y, m, T_x);  "last" -> z (n_y, m, 1), read at step lengths[i] - 1.
    lengths : optional int array (m,), the real length of each (padded) example; default T_x.

    Returns z and a cache for ``loss_and_gradients``.
    """
    return _model_forward("model_forward", model, x, cell, readout, lengths)


def _model_forward(where, model, x, cell, readout, lengths):
    cell = as_cell(where, cell)
    check_choice(where, "readout", readout, ("every", "last"))
    model = _check_model(where, model, cell)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    m = x.shape[1]
    lengths = _lengths(where, lengths, m, x.shape[2])
    h, cache = _forward_states(where, model, x, cell)
    if readout == "every":
        read = h
    else:
        read = h[:, np.arange(m), lengths - 1][:, :, None]  # (n_a, m, 1)
    z = output_layer_forward(read, model["Wy"], model["by"])
    return z, (cell, cache, h, read, readout, lengths)


def loss_and_gradients(model: dict, x, y, cell, readout: str = "every", mask=None, lengths=None,
                       reduction: str = "mean"):
    """Softmax cross-entropy of the model on (x, y) and its gradient for every parameter.

    x : ndarray (n_x, m, T_x)
    y : int ndarray (m, T_x) of class indices for readout "every"; (m,) for readout "last".
    mask : optional (m, T_x) 0/1, steps that count (readout "every"); padded steps add nothing.
    lengths : optional int (m,) real lengths (readout "last" reads there).
    reduction : "mean" (divide by m, the default for training) or "sum".

    Returns (loss, grads) with grads keyed "d" + every model key.
    """
    return _loss_and_gradients("loss_and_gradients", model, x, y, cell, readout, mask, lengths, reduction)


def _labels(where, y, z, readout):
    """y checked against the scores z (n_y, m, T): (m, T) for readout "every", (m,) for "last"."""
    n_y, m, T = z.shape
    if readout == "last":
        return check_labels(where, "y", y, n_y, (m,), "(m,)", "for readout='last' (one label per example)")
    return check_labels(where, "y", y, n_y, (m, T), "(m, T_x)", "to match x")


def _loss_and_gradients(where, model, x, y, cell, readout, mask, lengths, reduction):
    check_choice(where, "reduction", reduction, ("mean", "sum"))
    z, (cell, cache, h, read, readout, lengths) = _model_forward(where, model, x, cell, readout, lengths)
    labels = _labels(where, y, z, readout)
    if readout == "last":
        labels = labels[:, None]
    if mask is not None and readout == "every":
        mask = as_float_array(where, "mask", mask)
        check_shape(where, "mask", mask, labels.shape, "(m, T_x)", "to match y")
    loss, dz = softmax_cross_entropy(z, labels, mask=mask if readout == "every" else None, reduction=reduction)
    dWy, dby, dread = output_layer_backward(dz, read, model["Wy"])
    if readout == "every":
        dh = dread
    else:
        dh = np.zeros_like(h)
        dh[:, np.arange(h.shape[1]), lengths - 1] = dread[:, :, 0]
    grads = cell.backward(dh, cache)
    out = {"d" + k: grads["d" + k] for k in cell.param_keys}
    out["dWy"], out["dby"] = dWy, dby
    return loss, out


def _check_callable(where, name, value, what, optional=False):
    if value is None and optional:
        return
    if not callable(value):
        raise ValueError(f"{where}: {name} must be {what}{' or None' if optional else ''}, "
                         f"got {type(value).__name__}")


def check_optimizer(where: str, optimizer):
    """The optimiser, if it is one of ``optim`` (anything with a callable ``step``); else ValueError."""
    if not callable(getattr(optimizer, "step", None)):
        raise ValueError(f"{where}: optimizer must be an optimiser of helpers.optim (SGD, Adagrad, Adam), "
                         f"got {type(optimizer).__name__}")
    return optimizer


def _all_finite(arrays: dict) -> bool:
    return all(np.all(np.isfinite(v)) for v in arrays.values())


def train_loop(params: dict, loss_and_gradients, batches, optimizer, epochs: int = 1, *, clip: float | None = None,
               on_step=None, on_epoch=None, nonfinite: str = "raise", where: str = "train_loop",
               unit: str = "epoch", first: int = 0, advice: str = "try clipping or a smaller learning rate"):
    """The training loop of the course: every other training function supplies its loss and its batches.

    For each epoch e = 0 .. epochs - 1, for each batch of ``batches(e)``, one step:

        loss, g = loss_and_gradients(params, batch)        g keyed "d" + every parameter key
        stop if the loss is not finite                     (see ``nonfinite``)
        g, norm = clip_by_global_norm(g, clip)             (skipped if clip is None)
        params = optimizer.step(params, g)
        on_step(record)

    and after the epoch's last step, ``on_epoch(e, params, records)`` whose return value is kept as the
    epoch's entry of the history (e.g. the mean loss of the epoch, computed the caller's way).

    Parameters
    ----------
    params : dict name -> array, the model (e.g. from ``init_model``). Not changed: the loop trains a
        float64 copy.
    loss_and_gradients : callable(params, batch) -> (loss, grads); grads may be None when the loss is not
        a number (a forward pass that overflowed).
    batches : callable(epoch) -> iterable of batches (anything ``loss_and_gradients`` takes), called at
        the start of every epoch, so that the shuffling draws happen in epoch order.
    optimizer : an ``optim`` optimiser (its state carries across calls).
    epochs : int >= 1, the number of passes; a loop of single steps passes one batch per "epoch" and
        says so with ``unit="step"``.
    clip : float >= 0 or None, the global-norm threshold.
    on_step : callable(record) or None; record is a dict with step (0-based over the whole run), epoch,
        batch, loss and norm (the global gradient norm before clipping; NaN when not measured, that is
        with clip None and nonfinite "raise").
    on_epoch : callable(epoch, params, records) or None, records being those of the epoch's steps.
    nonfinite : "raise" (a loss that is NaN or inf is a ValueError naming the epoch) or "stop" (the run
        ends quietly at the first step whose loss, gradient, gradient norm or updated parameters are not
        finite; the parameters are those of the last finite step).
    where, unit, first, advice : how the error speaks: "{where}: the loss became nan at {unit}
        {e + first}; {advice}".

    Returns
    -------
    params : dict, the trained parameters (new arrays)
    run : dict with loss (ndarray, one entry per completed step), norm (likewise), epochs (list of the
        values of on_epoch) and stopped: None, or a dict with step, epoch, reason ("loss", "gradient",
        "norm" or "parameters"), loss and norm of the step that stopped the run.
    """
    if not isinstance(params, dict):
        raise ValueError(f"{where}: params must be a dict of arrays (from init_model), got {type(params).__name__}")
    _check_callable(where, "loss_and_gradients", loss_and_gradients, "a function (params, batch) -> (loss, grads)")
    _check_callable(where, "batches", batches, "a function (epoch) -> iterable of batches")
    check_optimizer(where, optimizer)
    epochs = check_positive_int(where, "epochs", epochs, maximum=None)
    if clip is not None:
        clip = check_real_number(where, "clip", clip, low=0.0)
    _check_callable(where, "on_step", on_step, "a function (record)", optional=True)
    _check_callable(where, "on_epoch", on_epoch, "a function (epoch, params, records)", optional=True)
    check_choice(where, "nonfinite", nonfinite, ("raise", "stop"))
    stop = nonfinite == "stop"
    params = {k: np.array(v, dtype=np.float64) for k, v in params.items()}
    losses, norms, epoch_values, stopped = [], [], [], None
    step = 0
    for epoch in range(epochs):
        records = []
        for batch in batches(epoch):
            loss, grads = loss_and_gradients(params, batch)
            norm = math.nan
            if stop:
                reason = None
                if grads is None or not math.isfinite(loss):
                    reason = "loss"
                elif not _all_finite(grads):
                    reason, norm = "gradient", math.inf
                else:
                    norm = global_norm(grads)
                    if not math.isfinite(norm):
                        reason = "norm"
                if reason is not None:
                    stopped = {"step": step, "epoch": epoch, "reason": reason, "loss": loss, "norm": norm}
                    break
            elif not np.isfinite(loss):
                raise ValueError(f"{where}: the loss became {loss} at {unit} {epoch + first}; {advice}")
            if clip is not None:
                grads, measured = clip_by_global_norm(grads, clip)
                if not stop:
                    norm = measured
            new = optimizer.step(params, grads)
            if stop and not _all_finite(new):
                stopped = {"step": step, "epoch": epoch, "reason": "parameters", "loss": loss, "norm": norm}
                break
            params = new
            record = {"step": step, "epoch": epoch, "batch": batch, "loss": loss, "norm": norm}
            records.append(record)
            losses.append(loss)
            norms.append(norm)
            step += 1
            if on_step is not None:
                on_step(record)
        if stopped is not None:
            break
        if on_epoch is not None:
            epoch_values.append(on_epoch(epoch, params, records))
    return params, {"loss": np.array(losses, dtype=np.float64), "norm": np.array(norms, dtype=np.float64),
                    "epochs": epoch_values, "stopped": stopped}


def _example_mean(records, N):
    """The mean loss per example of an epoch whose steps returned batch means: sum(loss * m_batch) / N."""
    total = 0.0
    for record in records:
        total += record["loss"] * record["batch"]["size"]
    return total / N


def _example_batches(rng, N, batch_size, data):
    """Shuffle the N examples with rng and cut them into batches of batch_size (the last may be smaller)."""
    order = rng.permutation(N)
    for start in range(0, N, batch_size):
        idx = order[start:start + batch_size]
        yield {"x": data["x"][:, idx], "y": data["y"][idx],
               "mask": None if data["mask"] is None else data["mask"][idx],
               "lengths": None if data["lengths"] is None else data["lengths"][idx], "size": len(idx)}


def _fit_data(where, n_y, x, y, readout, mask, lengths):
    """The whole data set of ``fit`` (x already checked: float64, (n_x, N, T_x), finite), checked once:
    a mini-batch must never see rows that do not belong together."""
    N, T = x.shape[1], x.shape[2]
    if readout == "every":
        y = check_labels(where, "y", y, n_y, (N, T), "(N, T_x)", f"to match x {fmt_shape(x.shape)}")
    else:
        y = check_labels(where, "y", y, n_y, (N,), "(N,)", f"for readout='last', one label per example of x "
                                                         f"{fmt_shape(x.shape)}")
    if mask is not None:
        mask = as_float_array(where, "mask", mask)
        check_shape(where, "mask", mask, (N, T), "(N, T_x)", f"to match x {fmt_shape(x.shape)}")
    if lengths is not None:
        lengths = _lengths(where, lengths, N, T)
    return {"x": x, "y": y, "mask": mask, "lengths": lengths, "N": N}


def _batch_loss(where, cell, readout):
    """loss_and_gradients(params, batch) of the model on a batch of ``_example_batches`` (mean over it)."""
    def loss_fn(params, batch):
        return _loss_and_gradients(where, params, batch["x"], batch["y"], cell, readout, mask=batch["mask"],
                                   lengths=batch["lengths"], reduction="mean")
    return loss_fn


@one_blas_thread
def fit(model: dict, x, y, cell, epochs: int = 100, optimizer=None, batch_size=None, clip: float | None = 5.0,
        readout: str = "every", mask=None, lengths=None, seed: int = 0, progress=None):
    """Train ``model`` on (x, y) with mini-batches; returns (new model, history of mean loss per epoch).

    x : ndarray (n_x, N, T_x), y : int ndarray (N, T_x) or (N,) (see ``loss_and_gradients``).
    optimizer : an ``optim`` optimiser (default Adam(0.01)); its state carries across calls.
    batch_size : examples per step (default: all N); examples are shuffled each epoch with ``seed``.
    clip : global-norm threshold (None: no clipping).
    progress : optional callable(epoch, loss), called after every epoch (e.g. to update a progress bar).

    The steps are those of ``train_loop``. The caller's model is not changed. A loss that becomes NaN or
    inf stops training with a ValueError that says at which epoch (clipping, or a smaller learning rate,
    is the usual fix).
    """
    where = "fit"
    epochs = check_positive_int(where, "epochs", epochs, maximum=MAX_STEPS)
    cell = as_cell(where, cell)
    check_choice(where, "readout", readout, ("every", "last"))
    checked = _check_model(where, model, cell)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, N, T_x)")
    check_finite(where, "x", x)
    N = x.shape[1]
    batch_size = N if batch_size is None else check_positive_int(where, "batch_size", batch_size)
    if clip is not None:
        clip = check_real_number(where, "clip", clip, low=0.0)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    optimizer = Adam(0.01) if optimizer is None else check_optimizer(where, optimizer)
    _check_callable(where, "progress", progress, "a function (epoch, loss)", optional=True)
    data = _fit_data(where, checked["Wy"].shape[0], x, y, readout, mask, lengths)
    rng = np.random.default_rng(seed)

    def on_epoch(epoch, params, records):
        mean = _example_mean(records, N)
        if progress is not None:
            progress(epoch, mean)
        return mean

    model, run = train_loop(model, _batch_loss(where, cell, readout),
                            lambda epoch: _example_batches(rng, N, batch_size, data), optimizer, epochs,
                            clip=clip, on_epoch=on_epoch, where=where)
    return model, np.array(run["epochs"])


def predict(model: dict, x, cell, readout: str = "every", lengths=None):
    """Most likely class: int ndarray (m, T_x) for readout "every", (m,) for "last"."""
    return _predict("predict", model, x, cell, readout, lengths)


def _predict(where, model, x, cell, readout, lengths):
    z, _ = _model_forward(where, model, x, cell, readout, lengths)
    labels = np.argmax(z, axis=0)
    return labels if readout == "every" else labels[:, 0]


def accuracy(model: dict, x, y, cell, readout: str = "every", mask=None, lengths=None) -> float:
    """Fraction of predictions equal to y (only steps with mask 1 count).

    y : int ndarray (m, T_x) for readout "every", (m,) for "last", class labels in 0 .. n_y - 1 (a label
        the model cannot predict, a fraction or a str is an error, not a miss).
    mask : optional (m, T_x) of 0 / 1 (readout "every"); at least one step must count.
    """
    where = "accuracy"
    pred = _predict(where, model, x, cell, readout, lengths)
    n_y = np.asarray(model["Wy"]).shape[0]
    layout = "(m, T_x)" if readout == "every" else "(m,)"
    y = check_labels(where, "y", y, n_y, pred.shape, layout, "to match the predictions")
    hits = pred == y
    if mask is None:
        return float(hits.mean())
    mask = as_float_array(where, "mask", mask)
    check_shape(where, "mask", mask, pred.shape, layout, "to match the predictions")
    if not np.all((mask == 0.0) | (mask == 1.0)):
        raise ValueError(f"{where}: mask must hold only 0 and 1, got values {np.unique(mask)[:5]}")
    if not mask.any():
        raise ValueError(f"{where}: mask has no step that counts (all 0); the accuracy of nothing is undefined")
    return float(hits[mask == 1.0].mean())
