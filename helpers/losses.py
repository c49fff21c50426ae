"""Per-time-step losses on top of a recurrent network, and their gradients.

A recurrent network that predicts at every step gives scores (logits) z<t> = Wy @ a<t> + by, one column
per example, and the loss of a sequence is the SUM of the per-step losses over t (and over the batch):

    L = sum_t sum_i L<t>_(i)

Time is the last axis: z, y_hat, y are (n_y, m, T_y). With ``reduction="mean"`` the total is divided
by the batch size m (never by T_y: a longer sequence really does carry more loss).

Binary cross-entropy (one independent yes/no per output unit, e.g. "is word t a name?"):

    y_hat<t> = sigmoid(z<t>)
    L<t> = -sum_k ( y<t>_k log y_hat<t>_k + (1 - y<t>_k) log(1 - y_hat<t>_k) )
    dL/dz<t> = y_hat<t> - y<t>

    From the logits it is computed as  max(z, 0) - z * y + log(1 + exp(-|z|)),  which is the same
    number but never takes log(0) nor exp of a large positive number.

Softmax cross-entropy (one class out of n_y per step, e.g. the next word of a language model):

    y_hat<t> = softmax(z<t>)          (over the class axis 0)
    L<t> = -log y_hat<t>[y<t>]  = -sum_k y<t>_k log y_hat<t>_k      (y one-hot)
    dL/dz<t> = y_hat<t> - y<t>

    log y_hat = (z - max z) - log sum_k exp(z_k - max z): every exponent is <= 0, so nothing overflows.

Output layer (the same weights at every step):

    z<t> = Wy @ a<t> + by
    dWy = sum_t dz<t> @ a<t>.T      dby = sum_t sum_i dz<t>_(i)      da<t> = Wy.T @ dz<t>

Padding. Sequences of different lengths are padded to one T_y; a ``mask`` (m, T_y) of 0/1 says which
steps are real. A step with mask 0 adds nothing to the loss and gets a zero gradient, and its target is
not looked at (it only has to be a finite number), so padding labels such as -1 are fine.

Every loss returns ``loss, dz`` (or ``loss, dz, loss_per_step`` with ``per_step=True``), where
``loss_per_step`` (T_y,) is the loss of each step summed over the batch (divided by m for "mean"),
so that ``loss_per_step.sum() == loss``.
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    check_choice,
    check_finite,
    check_ndim,
    check_shape,
    check_time_steps,
    fmt_shape,
)
from .activations import sigmoid

__all__ = [
    "BCE_EPSILON",
    "sigmoid_cross_entropy",
    "binary_cross_entropy",
    "softmax_cross_entropy",
    "output_layer_forward",
    "output_layer_backward",
]

#: Default clipping of probabilities in ``binary_cross_entropy``: y_hat is used as
#: clip(y_hat, BCE_EPSILON, 1 - BCE_EPSILON), so log(y_hat) >= log(1e-12) ~= -27.6 and never -inf.
BCE_EPSILON = 1e-12

_REDUCTIONS = ("sum", "mean")
_KINDS = ("softmax", "sigmoid", "linear")


# ----------------------------------------------------------------------------------------------
# argument checks shared by the losses
# ----------------------------------------------------------------------------------------------

def _check_scores(where: str, name: str, z) -> np.ndarray:
    """Check a (n_y, m, T_y) array of scores or probabilities and return it as float64."""
    z = as_float_array(where, name, z)
    check_ndim(where, name, z, 3, "(n_y, m, T_y)")
    check_time_steps(where, name, z, axis="T_y")
    if z.shape[0] == 0 or z.shape[1] == 0:
        raise ValueError(f"{where}: {name} must have at least one output unit and one example, "
                         f"got shape {fmt_shape(z.shape)} (n_y, m, T_y)")
    check_finite(where, name, z)
    return z


def _check_options(where: str, reduction, per_step) -> None:
    check_choice(where, "reduction", reduction, _REDUCTIONS)
    if not isinstance(per_step, (bool, np.bool_)):
        raise ValueError(f"{where}: per_step must be True or False, got {per_step!r}")


def _check_mask(where: str, mask, zname: str, zshape) -> np.ndarray:
    """Return the mask as a float64 (m, T_y) array of 0.0 / 1.0 (all ones when ``mask`` is None)."""
    _, m, T = zshape
    if mask is None:
        return np.ones((m, T))
    mask = as_float_array(where, "mask", mask)
    check_ndim(where, "mask", mask, 2, "(m, T_y)")
    check_shape(where, "mask", mask, (m, T), "(m, T_y)", f"to match {zname} {fmt_shape(zshape)}")
    check_finite(where, "mask", mask)
    bad = (mask != 0.0) & (mask != 1.0)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}: mask must hold only 0/1 (or False/True), "
                         f"got {mask[first]} at index {first}")
    return mask


def _check_binary_targets(where: str, y, zname: str, zshape, mask: np.ndarray) -> np.ndarray:
    """Targets for the binary losses: same shape as the scores, values in [0, 1] on the real steps."""
    y = as_float_array(where, "y", y)
    check_shape(where, "y", y, zshape, "(n_y, m, T_y)", f"to match {zname} {fmt_shape(zshape)}")
    check_finite(where, "y", y)
    bad = ((y < 0.0) | (y > 1.0)) & (mask[None] == 1.0)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}: y must hold targets in [0, 1], got {y[first]} at index {first}")
    return y


def _finish(per_elem: np.ndarray, grad: np.ndarray, mask: np.ndarray, reduction: str, per_step: bool):
    """Mask, reduce and package: per_elem (m, T_y) losses, grad (n, m, T_y) their gradient."""
    m = per_elem.shape[0]
    scale = 1.0 / m if reduction == "mean" else 1.0
    loss_per_step = (per_elem * mask).sum(axis=0) * scale        # (T_y,)
    grad = grad * (mask[None] * scale)                            # a new array: inputs untouched
    loss = float(loss_per_step.sum())
    if per_step:
        return loss, grad, loss_per_step
    return loss, grad


# ----------------------------------------------------------------------------------------------
# losses
# ----------------------------------------------------------------------------------------------

def sigmoid_cross_entropy(z, y, mask=None, reduction="sum", per_step=False):
    """Binary cross-entropy computed from the logits, summed over units, examples and steps.

        y_hat = sigmoid(z)
        L = sum_t sum_i sum_k -( y * log(y_hat) + (1 - y) * log(1 - y_hat) )
          = sum_t sum_i sum_k  max(z, 0) - z * y + log(1 + exp(-|z|))        (what is computed)
        dL/dz = y_hat - y

    The second form never evaluates log(0) and never exponentiates a positive number, so |z| = 1000
    gives the exact limit (e.g. z = 1000, y = 0 costs 1000) without a warning.

    Parameters
    ----------
    z : ndarray (n_y, m, T_y)
        Logits (scores before the sigmoid), e.g. from ``output_layer_forward``.
    y : ndarray (n_y, m, T_y)
        Targets in [0, 1] (usually 0 or 1).
    mask : ndarray (m, T_y) of 0/1 or bool, optional
        Steps with mask 0 add no loss and get zero gradient; their targets are not looked at.
    reduction : {"sum", "mean"}
        "sum" (default) adds everything; "mean" divides the sum by the batch size m.
    per_step : bool
        If True, also return the loss of each step summed over the batch.

    Returns
    -------
    loss : float
    dz : ndarray (n_y, m, T_y)
        dL/dz (a new array).
    loss_per_step : ndarray (T_y,)
        Only with ``per_step=True``; ``loss_per_step.sum() == loss``.
    """
    where = "sigmoid_cross_entropy"
    z = _check_scores(where, "z", z)
    _check_options(where, reduction, per_step)
    mask = _check_mask(where, mask, "z", z.shape)
    y = _check_binary_targets(where, y, "z", z.shape, mask)

    per_unit = np.maximum(z, 0.0) - z * y + np.log1p(np.exp(-np.abs(z)))   # (n_y, m, T_y)
    dz = sigmoid(z) - y
    return _finish(per_unit.sum(axis=0), dz, mask, reduction, per_step)


def binary_cross_entropy(y_hat, y, mask=None, reduction="sum", per_step=False, eps=BCE_EPSILON):
    """Binary cross-entropy computed from probabilities (for those who applied the sigmoid first).

        p = clip(y_hat, eps, 1 - eps)
        L = sum_t sum_i sum_k -( y * log(p) + (1 - y) * log(1 - p) )
        dL/dy_hat = (p - y) / (p * (1 - p))

    The clipping keeps log(p) finite when y_hat is exactly 0 or 1. Where y_hat was clipped the
    gradient is the formula above evaluated at the clipped p (not the zero slope of the clip), so a
    saturated wrong prediction is still pushed the right way. Prefer ``sigmoid_cross_entropy`` on the
    logits: it needs no clipping, and chaining dL/dy_hat * y_hat * (1 - y_hat) gives back y_hat - y.

    Parameters
    ----------
    y_hat : ndarray (n_y, m, T_y)
        Predicted probabilities, each in [0, 1].
    y : ndarray (n_y, m, T_y)
        Targets in [0, 1] (usually 0 or 1).
    mask : ndarray (m, T_y) of 0/1 or bool, optional
        Steps with mask 0 add no loss and get zero gradient; their targets are not looked at.
    reduction : {"sum", "mean"}
        "sum" (default) adds everything; "mean" divides the sum by the batch size m.
    per_step : bool
        If True, also return the loss of each step summed over the batch.
    eps : float in (0, 0.5)
        Probabilities are clipped to [eps, 1 - eps]; default ``BCE_EPSILON`` = 1e-12.

    Returns
    -------
    loss : float
    dy_hat : ndarray (n_y, m, T_y)
        dL/dy_hat (a new array).
    loss_per_step : ndarray (T_y,)
        Only with ``per_step=True``; ``loss_per_step.sum() == loss``.
    """
    where = "binary_cross_entropy"
    y_hat = _check_scores(where, "y_hat", y_hat)
    _check_options(where, reduction, per_step)
    if isinstance(eps, (bool, np.bool_)) or not isinstance(eps, (int, float, np.floating)) \
            or not (0.0 < eps < 0.5):
        raise ValueError(f"{where}: eps must be a number in (0, 0.5), got {eps!r}")
    outside = (y_hat < 0.0) | (y_hat > 1.0)
    if outside.any():
        first = tuple(int(i) for i in np.argwhere(outside)[0])
        raise ValueError(f"{where}: y_hat must hold probabilities in [0, 1], got {y_hat[first]} at index "
                         f"{first} (for logits use sigmoid_cross_entropy)")
    mask = _check_mask(where, mask, "y_hat", y_hat.shape)
    y = _check_binary_targets(where, y, "y_hat", y_hat.shape, mask)

    p = np.clip(y_hat, eps, 1.0 - eps)
    per_unit = -(y * np.log(p) + (1.0 - y) * np.log1p(-p))
    dy_hat = (p - y) / (p * (1.0 - p))
    return _finish(per_unit.sum(axis=0), dy_hat, mask, reduction, per_step)


def _labels_to_one_hot(where: str, y, zshape, mask: np.ndarray) -> np.ndarray:
    """Class indices (m, T_y) -> one-hot (n_y, m, T_y); masked-out steps get an all-zero column."""
    n_y, m, T = zshape
    raw = np.asarray(y)
    if raw.dtype.kind == "b" or raw.dtype.kind not in "iuf":
        raise ValueError(f"{where}: y as class indices must hold integers, got dtype {raw.dtype}")
    check_shape(where, "y", raw, (m, T), "(m, T_y)", f"to match z {fmt_shape(zshape)}")
    real = mask == 1.0
    if raw.dtype.kind == "f":
        check_finite(where, "y", raw)
        bad = (raw != np.round(raw)) & real
        if bad.any():
            first = tuple(int(i) for i in np.argwhere(bad)[0])
            raise ValueError(f"{where}: y as class indices must hold whole numbers, "
                             f"got {raw[first]} at index {first}")
    bad = ((raw < 0) | (raw >= n_y)) & real
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}: y class indices must be in 0 .. n_y - 1 = {n_y - 1}, "
                         f"got {raw[first]} at index {first}")
    labels = np.where(real, raw, 0).astype(np.intp)
    one_hot = np.zeros(zshape)
    i, t = np.meshgrid(np.arange(m), np.arange(T), indexing="ij")
    one_hot[labels, i, t] = 1.0
    return one_hot * mask[None]


def _check_one_hot(where: str, y, zshape, mask: np.ndarray) -> np.ndarray:
    y = as_float_array(where, "y", y)
    check_shape(where, "y", y, zshape, "(n_y, m, T_y)", f"to match z {fmt_shape(zshape)}")
    check_finite(where, "y", y)
    real = mask == 1.0
    bad_entry = ((y != 0.0) & (y != 1.0)) & real[None]
    if bad_entry.any():
        first = tuple(int(i) for i in np.argwhere(bad_entry)[0])
        raise ValueError(f"{where}: y must be one-hot (entries 0 or 1), got {y[first]} at index {first}")
    bad_col = (y.sum(axis=0) != 1.0) & real
    if bad_col.any():
        i, t = (int(k) for k in np.argwhere(bad_col)[0])
        raise ValueError(f"{where}: y must be one-hot (exactly one 1 per column), "
                         f"column y[:, {i}, {t}] sums to {y[:, i, t].sum()}")
    return y


def softmax_cross_entropy(z, y, mask=None, reduction="sum", per_step=False):
    """Softmax cross-entropy over the class axis 0, summed over examples and steps.

        y_hat<t> = softmax(z<t>)                       (each column sums to 1)
        L = sum_t sum_i -log y_hat<t>_(i)[y<t>_(i)]    = -sum_t sum_i sum_k y<t>_k,(i) * log y_hat<t>_k,(i)
        dL/dz<t> = y_hat<t> - y<t>                     (y one-hot)

    log y_hat is computed as (z - max z) - log sum_k exp(z_k - max z), so |z| = 1000 gives the exact,
    finite loss without a warning. With all scores equal, every step costs log(n_y).

    Parameters
    ----------
    z : ndarray (n_y, m, T_y)
        Scores before the softmax (logits), e.g. from ``output_layer_forward``.
    y : ndarray (n_y, m, T_y) one-hot, or ndarray (m, T_y) of integer class indices in 0 .. n_y - 1
        The correct class of every example at every step.
    mask : ndarray (m, T_y) of 0/1 or bool, optional
        Steps with mask 0 add no loss and get zero gradient; their targets are not looked at
        (a padding label such as -1 is fine there).
    reduction : {"sum", "mean"}
        "sum" (default) adds everything; "mean" divides the sum by the batch size m.
    per_step : bool
        If True, also return the loss of each step summed over the batch.

    Returns
    -------
    loss : float
    dz : ndarray (n_y, m, T_y)
        dL/dz (a new array).
    loss_per_step : ndarray (T_y,)
        Only with ``per_step=True``; ``loss_per_step.sum() == loss``.
    """
    where = "softmax_cross_entropy"
    z = _check_scores(where, "z", z)
    _check_options(where, reduction, per_step)
    mask = _check_mask(where, mask, "z", z.shape)
    try:
        ndim = np.asarray(y).ndim
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: y must be an array (one-hot or class indices), "
                         f"got {type(y).__name__} ({exc})") from None
    if ndim == 2:
        y = _labels_to_one_hot(where, y, z.shape, mask)
    elif ndim == 3:
        y = _check_one_hot(where, y, z.shape, mask)
    else:
        n_y, m, T = z.shape
        raise ValueError(f"{where}: y must be one-hot (n_y, m, T_y) = ({n_y}, {m}, {T}) or class indices "
                         f"(m, T_y) = ({m}, {T}) to match z {fmt_shape(z.shape)}, "
                         f"got {ndim}-D array of shape {fmt_shape(np.asarray(y).shape)}")

    shifted = z - z.max(axis=0, keepdims=True)                      # every entry <= 0
    log_sum = np.log(np.exp(shifted).sum(axis=0, keepdims=True))    # >= 0: the max term is exp(0) = 1
    log_y_hat = shifted - log_sum
    per_elem = -(y * log_y_hat).sum(axis=0)                         # (m, T_y)
    dz = np.exp(log_y_hat) - y
    return _finish(per_elem, dz, mask, reduction, per_step)


# ----------------------------------------------------------------------------------------------
# output layer
# ----------------------------------------------------------------------------------------------

def _check_output_layer(where: str, a, Wy, by=None, need_by=False):
    if need_by and by is None:
        raise ValueError(f"{where}: by must be the output bias, an array (n_y, 1), got None")
    a = as_float_array(where, "a", a)
    check_ndim(where, "a", a, 3, "(n_a, m, T_y)")
    check_time_steps(where, "a", a)
    Wy = as_float_array(where, "Wy", Wy)
    check_ndim(where, "Wy", Wy, 2, "(n_y, n_a)")
    n_y, n_a = Wy.shape
    check_shape(where, "a", a, (n_a, None, None), "(n_a, m, T_y)", f"to match Wy {fmt_shape(Wy.shape)}")
    if by is not None:
        by = as_float_array(where, "by", by)
        check_shape(where, "by", by, (n_y, 1), "(n_y, 1)", f"to match Wy {fmt_shape(Wy.shape)}")
    check_finite(where, "a", a)
    check_finite(where, "Wy", Wy)
    if by is not None:
        check_finite(where, "by", by)
    return a, Wy, by


def output_layer_forward(a, Wy, by, kind="softmax"):
    """Scores of the output layer at every step, in one matrix product over all steps.

        z<t> = Wy @ a<t> + by          for t = 1 .. T_y

    The hidden states of all steps are laid side by side as one (n_a, m*T_y) matrix, so the T_y
    products Wy @ a<t> are a single Wy @ A.

    Parameters
    ----------
    a : ndarray (n_a, m, T_y)
        Hidden states of any cell (RNN, GRU, LSTM), time last.
    Wy : ndarray (n_y, n_a)
        Output weights, shared by all steps.
    by : ndarray (n_y, 1)
        Output bias.
    kind : {"softmax", "sigmoid", "linear"}
        The output activation the scores are meant for (the loss applies it: "softmax" ->
        ``softmax_cross_entropy``, "sigmoid" -> ``sigmoid_cross_entropy``). "softmax" needs n_y >= 2,
        since a softmax over a single class is always 1.

    Returns
    -------
    z : ndarray (n_y, m, T_y)
        The scores (logits); y_hat = softmax(z) or sigmoid(z) as ``kind`` says.
    """
    where = "output_layer_forward"
    a, Wy, by = _check_output_layer(where, a, Wy, by, need_by=True)
    check_choice(where, "kind", kind, _KINDS)
    if kind == "softmax" and Wy.shape[0] < 2:
        raise ValueError(f"{where}: kind='softmax' needs n_y >= 2 classes, but Wy has shape "
                         f"{fmt_shape(Wy.shape)} (one output unit: use kind='sigmoid')")
    n_a, m, T = a.shape
    z = Wy @ a.reshape(n_a, m * T) + by
    return z.reshape(Wy.shape[0], m, T)


def output_layer_backward(dz, a, Wy):
    """Gradients of the output layer, each one matrix product over all steps.

        dWy = sum_t dz<t> @ a<t>.T        dby = sum_t sum_i dz<t>_(i)        da<t> = Wy.T @ dz<t>

    Parameters
    ----------
    dz : ndarray (n_y, m, T_y)
        dL/dz, e.g. the gradient returned by a loss.
    a : ndarray (n_a, m, T_y)
        The hidden states given to ``output_layer_forward``.
    Wy : ndarray (n_y, n_a)
        The output weights given to ``output_layer_forward``.

    Returns
    -------
    dWy : ndarray (n_y, n_a)
    dby : ndarray (n_y, 1)
    da : ndarray (n_a, m, T_y)
        dL/da<t> from the output layer only; the cell's backward pass adds the gradient that comes
        back through time.
    """
    where = "output_layer_backward"
    a, Wy, _ = _check_output_layer(where, a, Wy)
    n_y, n_a = Wy.shape
    n_a, m, T = a.shape
    dz = as_float_array(where, "dz", dz)
    check_ndim(where, "dz", dz, 3, "(n_y, m, T_y)")
    check_shape(where, "dz", dz, (n_y, m, T), "(n_y, m, T_y)",
                f"to match Wy {fmt_shape(Wy.shape)} and a {fmt_shape(a.shape)}")
    check_finite(where, "dz", dz)

    DZ = dz.reshape(n_y, m * T)
    dWy = DZ @ a.reshape(n_a, m * T).T
    dby = DZ.sum(axis=1, keepdims=True)
    da = (Wy.T @ DZ).reshape(n_a, m, T)
    return dWy, dby, da
