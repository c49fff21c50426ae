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
"""
from __future__ import annotations

import numpy as np

from ._checks import (MAX_STEPS, as_float_array, check_choice, check_finite, check_labels, check_ndim,
                      check_entries, check_positive_int, check_real_number, check_shape, fmt_shape, get_param, told_as)
from ._blas import one_blas_thread
from .cells import as_cell
from .losses import output_layer_backward, output_layer_forward, softmax_cross_entropy
from .optim import Adam, clip_by_global_norm

__all__ = ["init_model", "model_forward", "loss_and_gradients", "fit", "predict", "accuracy"]


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


@one_blas_thread
def fit(model: dict, x, y, cell, epochs: int = 100, optimizer=None, batch_size=None, clip: float | None = 5.0,
        readout: str = "every", mask=None, lengths=None, seed: int = 0, progress=None):
    """Train ``model`` on (x, y) with mini-batches; returns (new model, history of mean loss per epoch).

    x : ndarray (n_x, N, T_x), y : int ndarray (N, T_x) or (N,) (see ``loss_and_gradients``).
    optimizer : an ``optim`` optimiser (default Adam(0.01)); its state carries across calls.
    batch_size : examples per step (default: all N); examples are shuffled each epoch with ``seed``.
    clip : global-norm threshold (None: no clipping).
    progress : optional callable(epoch, loss), called after every epoch (e.g. to update a progress bar).

    The caller's model is not changed. A loss that becomes NaN or inf stops training with a ValueError
    that says at which epoch (clipping, or a smaller learning rate, is the usual fix).
    """
    where = "fit"
    epochs = check_positive_int(where, "epochs", epochs, maximum=MAX_STEPS)
    cell = as_cell(where, cell)
    check_choice(where, "readout", readout, ("every", "last"))
    checked = _check_model(where, model, cell)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, N, T_x)")
    check_finite(where, "x", x)
    N, T = x.shape[1], x.shape[2]
    batch_size = N if batch_size is None else check_positive_int(where, "batch_size", batch_size)
    if clip is not None:
        clip = check_real_number(where, "clip", clip, low=0.0)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    if optimizer is None:
        optimizer = Adam(0.01)
    elif not callable(getattr(optimizer, "step", None)):
        raise ValueError(f"{where}: optimizer must be an optimiser of helpers.optim (SGD, Adagrad, Adam), "
                         f"got {type(optimizer).__name__}")
    # the whole data set is checked here, once: a mini-batch must never see rows that do not belong together
    n_y = checked["Wy"].shape[0]
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
    rng = np.random.default_rng(seed)
    model = {k: np.array(v, dtype=np.float64) for k, v in model.items()}
    history = []
    for epoch in range(epochs):
        order = rng.permutation(N)
        total = 0.0
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            loss, grads = _loss_and_gradients(
                where, model, x[:, idx], y[idx], cell, readout,
                mask=None if mask is None else mask[idx], lengths=None if lengths is None else lengths[idx],
                reduction="mean")
            if not np.isfinite(loss):
                raise ValueError(f"fit: the loss became {loss} at epoch {epoch}; try clipping or a smaller learning rate")
            if clip is not None:
                grads, _ = clip_by_global_norm(grads, clip)
            model = optimizer.step(model, grads)
            total += loss * len(idx)
        history.append(total / N)
        if progress is not None:
            progress(epoch, history[-1])
    return model, np.array(history)


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
