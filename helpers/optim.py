"""Gradient clipping and parameter updates.

Gradients come as a dict whose keys are the parameter keys prefixed by "d": the gradient of
``parameters["Waa"]`` is ``gradients["dWaa"]``. No function here changes the dicts or arrays it is
given; each returns new ones.

Clipping (against exploding gradients):

    by value:        g <- min(max(g, -max_value), max_value)        element by element
    by global norm:  ||g|| = sqrt( sum over all arrays of sum g^2 )
                     if ||g|| > max_norm:  g <- g * max_norm / ||g||  (Pascanu, Mikolov & Bengio, 2013)

Clipping by value bounds each entry but can turn the gradient (entries that were clipped shrink more
than the others) and lets the norm reach max_value * sqrt(N) for N entries. Clipping by global norm keeps
the direction and bounds the length.

Updates, for each parameter p with gradient g (element-wise; lr is the learning rate):

    SGD:      p <- p - lr * g
    Adagrad:  G <- G + g * g                                 (G starts at 0)
              p <- p - lr * g / (sqrt(G) + eps)
    Adam:     m <- beta1 * m + (1 - beta1) * g               (m, v start at 0; t counts the steps)
              v <- beta2 * v + (1 - beta2) * g * g
              m_hat = m / (1 - beta1^t)      v_hat = v / (1 - beta2^t)       (bias correction)
              p <- p - lr * m_hat / (sqrt(v_hat) + eps)

On the first step both Adagrad and Adam move every parameter by lr * g / (|g| + eps), i.e. by almost
exactly lr against the sign of its gradient, whatever the gradient's size.
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import check_finite, check_shape, fmt_shape, get_param

__all__ = ["clip_by_value", "global_norm", "clip_by_global_norm", "SGD", "Adagrad", "Adam"]


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _check_number(where: str, name: str, value, low: float, high: float = math.inf,
                  low_closed: bool = False) -> float:
    """Return ``value`` as float if it is a real number in (low, high) (or [low, high) if low_closed)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{where}: {name} must be a real number, got {value!r}")
    value = float(value)
    above = value >= low if low_closed else value > low
    if not (math.isfinite(value) and above and value < high):
        interval = ("[" if low_closed else "(") + f"{low:g}, {high:g})"
        raise ValueError(f"{where}: {name} must be a finite number in {interval}, got {value!r}")
    return value


def _select(where: str, gradients, keys, finite: bool = True) -> dict:
    """Return {key: float64 array} for ``keys`` (all keys if None), checked to be finite if ``finite``."""
    if not isinstance(gradients, dict):
        raise ValueError(f"{where}: gradients must be a dict of arrays, got {type(gradients).__name__}")
    if keys is None:
        keys = list(gradients)
    elif isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
        raise ValueError(f"{where}: keys must be a list of key names, got {keys!r}")
    chosen = {}
    for key in keys:
        g = get_param(where, gradients, key, "gradients")
        if finite:
            check_finite(where, f"gradients['{key}']", g)
        chosen[key] = g
    return chosen


def _copy_rest(source: dict, done: dict) -> dict:
    """A new dict: the arrays of ``done``, and copies of every other entry of ``source``, in source order."""
    out = {}
    for key, value in source.items():
        if key in done:
            out[key] = done[key]
        else:
            out[key] = value.copy() if isinstance(value, np.ndarray) else value
    return out


def _norm(arrays) -> float:
    """sqrt(sum of squares) of all arrays, scaled by the largest entry so no square can overflow."""
    biggest = max((float(np.max(np.abs(g))) for g in arrays if g.size), default=0.0)
    if biggest == 0.0:
        return 0.0
    total = sum(float(np.sum((g / biggest) ** 2)) for g in arrays)
    return biggest * math.sqrt(total)          # Python floats: inf if beyond float64, no warning


# ----------------------------------------------------------------------------------------------
# clipping
# ----------------------------------------------------------------------------------------------

def clip_by_value(gradients, max_value, keys=None):
    """Clip every gradient entry to [-max_value, max_value], returning new arrays.

        g <- min(max(g, -max_value), max_value)        element-wise

    Bounds each entry, not the norm (N entries can reach a norm of max_value * sqrt(N)), and can change
    the direction of the gradient.

    Parameters
    ----------
    gradients : dict name -> ndarray (any shape)
        e.g. {"dWaa": (n_a, n_a), "dWax": (n_a, n_x), "dba": (n_a, 1), ...}. Not changed.
    max_value : float > 0
    keys : list of str, optional
        The entries to clip (default: all). The others are copied unchanged.

    Returns
    -------
    clipped : dict name -> ndarray
        A new dict of new arrays, same keys as ``gradients``.
    """
    where = "clip_by_value"
    max_value = _check_number(where, "max_value", max_value, 0.0)
    chosen = _select(where, gradients, keys)
    clipped = {key: np.clip(g, -max_value, max_value) for key, g in chosen.items()}
    return _copy_rest(gradients, clipped)


def global_norm(gradients, keys=None) -> float:
    """The length of all gradients taken together as one long vector.

        ||g|| = sqrt( sum_k sum_entries gradients[k]^2 )

    Computed after dividing by the largest entry, so entries of 1e200 give the right norm instead of
    overflowing; the result is inf only if the norm itself exceeds the largest float64.

    Parameters
    ----------
    gradients : dict name -> ndarray (any shape)
    keys : list of str, optional
        The entries to include (default: all), e.g. only the parameter gradients, not "dx".

    Returns
    -------
    norm : float
    """
    return _norm(_select("global_norm", gradients, keys).values())


def clip_by_global_norm(gradients, max_norm, keys=None):
    """Rescale the gradients so that their global norm is at most ``max_norm``, keeping the direction.

        ||g|| = sqrt( sum_k sum_entries gradients[k]^2 )
        g <- g * max_norm / ||g||      if ||g|| > max_norm, else g unchanged

    (Pascanu, Mikolov & Bengio, 2013.) A gradient holding NaN or inf raises ValueError: it has no
    direction to keep, and training should stop rather than carry on with NaNs.

    Parameters
    ----------
    gradients : dict name -> ndarray (any shape)
        Not changed.
    max_norm : float > 0
    keys : list of str, optional
        The entries that make up g (default: all); the others are copied unchanged.

    Returns
    -------
    clipped : dict name -> ndarray
        A new dict of new arrays, same keys as ``gradients``.
    norm_before : float
        ||g|| before clipping (useful to plot, to see how often clipping acts).
    """
    where = "clip_by_global_norm"
    max_norm = _check_number(where, "max_norm", max_norm, 0.0)
    chosen = _select(where, gradients, keys, finite=False)
    for key, g in chosen.items():
        bad = ~np.isfinite(g)
        if bad.any():
            raise ValueError(f"{where}: the global norm of the gradients is not finite: gradients['{key}'] "
                             f"holds {int(bad.sum())} NaN/inf value(s), and a NaN or infinite gradient cannot "
                             f"be rescaled; stop training and find where it comes from")
    norm = _norm(chosen.values())
    if not math.isfinite(norm):
        raise ValueError(f"{where}: the global norm of the gradients is larger than the largest float64 "
                         f"(got {norm}), so it cannot be rescaled; stop training and lower the learning rate")
    if norm > max_norm:
        scale = max_norm / norm
        clipped = {key: g * scale for key, g in chosen.items()}
    else:
        clipped = {key: g.copy() for key, g in chosen.items()}
    return _copy_rest(gradients, clipped), norm


# ----------------------------------------------------------------------------------------------
# optimisers
# ----------------------------------------------------------------------------------------------

class _Optimizer:
    """Shared bookkeeping: argument checks, the per-parameter state and the new-dict return.

    Subclasses implement ``_update(key, p, g, state) -> new p``; ``state`` is this parameter's own
    dict (empty on its first step), which ``_update`` fills in.
    """

    def __init__(self, learning_rate):
        self.learning_rate = _check_number(type(self).__name__, "learning_rate", learning_rate, 0.0)
        self.state = {}          # parameter name -> dict of running quantities for that parameter

    def reset(self):
        """Forget every running quantity, as if no step had been taken."""
        self.state = {}

    def step(self, parameters, gradients, keys=None):
        """One update of every parameter (or of those named in ``keys``), returning a new dict.

        Parameters
        ----------
        parameters : dict name -> ndarray
            e.g. {"Waa": (n_a, n_a), "Wax": (n_a, n_x), "ba": (n_a, 1), ...}. Not changed.
        gradients : dict "d" + name -> ndarray
            The gradient of ``parameters[name]`` is ``gradients["d" + name]``, of the same shape.
            Other entries (e.g. "dx", "da0") are ignored. Not changed.
        keys : list of str, optional
            The parameters to update (default: all of ``parameters``); the others are copied.

        Returns
        -------
        new_parameters : dict name -> ndarray
            A new dict of new arrays, same keys as ``parameters``.
        """
        where = f"{type(self).__name__}.step"
        if not isinstance(parameters, dict):
            raise ValueError(f"{where}: parameters must be a dict of arrays, got {type(parameters).__name__}")
        if not isinstance(gradients, dict):
            raise ValueError(f"{where}: gradients must be a dict of arrays, got {type(gradients).__name__}")
        if keys is None:
            keys = list(parameters)
        elif isinstance(keys, str) or not all(isinstance(k, str) for k in keys):
            raise ValueError(f"{where}: keys must be a list of parameter names, got {keys!r}")

        # check everything before touching any state, so a bad call leaves the optimiser as it was
        pairs = {}
        for key in keys:
            p = get_param(where, parameters, key, "parameters")
            check_finite(where, f"parameters['{key}']", p)
            g = get_param(where, gradients, "d" + key, "gradients")
            check_shape(where, f"gradients['d{key}']", g, p.shape, "(same as the parameter)",
                        f"to match parameters['{key}'] {fmt_shape(p.shape)}")
            check_finite(where, f"gradients['d{key}']", g)
            for name, value in self.state.get(key, {}).items():
                if isinstance(value, np.ndarray) and value.shape != p.shape:
                    raise ValueError(f"{where}: parameters['{key}'] has shape {fmt_shape(p.shape)} but the "
                                     f"optimiser's state '{name}' for it has shape {fmt_shape(value.shape)} "
                                     f"from earlier steps; call reset() or use a new optimiser for a new model")
            pairs[key] = (p, g)

        updated = {key: self._update(key, p, g, self.state.setdefault(key, {})) for key, (p, g) in pairs.items()}
        return _copy_rest(parameters, updated)

    def _update(self, key, p, g, state):
        raise NotImplementedError

    def __repr__(self):
        args = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k != "state")
        return f"{type(self).__name__}({args})"


class SGD(_Optimizer):
    """Plain gradient descent.

        p <- p - lr * g

    Parameters
    ----------
    learning_rate : float > 0
    """

    def _update(self, key, p, g, state):
        return p - self.learning_rate * g


class Adagrad(_Optimizer):
    """Adagrad: each entry's step is divided by the root of the sum of its squared gradients so far.

        G <- G + g * g                          (G starts at 0, one per parameter)
        p <- p - lr * g / (sqrt(G) + eps)

    Entries that keep getting large gradients take smaller and smaller steps.

    Parameters
    ----------
    learning_rate : float > 0
    eps : float > 0
        Keeps the division finite where G = 0.
    """

    def __init__(self, learning_rate, eps=1e-8):
        super().__init__(learning_rate)
        self.eps = _check_number("Adagrad", "eps", eps, 0.0)

    def _update(self, key, p, g, state):
        G = state.get("G", 0.0) + g * g
        state["G"] = G
        return p - self.learning_rate * g / (np.sqrt(G) + self.eps)


class Adam(_Optimizer):
    """Adam: a step along the running mean of the gradient, scaled by its running root mean square.

        t <- t + 1                                     (counted per parameter)
        m <- beta1 * m + (1 - beta1) * g               (m, v start at 0)
        v <- beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1^t)      v_hat = v / (1 - beta2^t)
        p <- p - lr * m_hat / (sqrt(v_hat) + eps)

    The bias correction undoes the pull of the zero start: at t = 1, m_hat = g and v_hat = g * g.

    Parameters
    ----------
    learning_rate : float > 0
    beta1 : float in [0, 1)
        Decay of the running mean of g.
    beta2 : float in [0, 1)
        Decay of the running mean of g * g.
    eps : float > 0
        Keeps the division finite where v_hat = 0.
    """

    def __init__(self, learning_rate, beta1=0.9, beta2=0.999, eps=1e-8):
        super().__init__(learning_rate)
        self.beta1 = _check_number("Adam", "beta1", beta1, 0.0, 1.0, low_closed=True)
        self.beta2 = _check_number("Adam", "beta2", beta2, 0.0, 1.0, low_closed=True)
        self.eps = _check_number("Adam", "eps", eps, 0.0)

    def _update(self, key, p, g, state):
        t = state.get("t", 0) + 1
        m = self.beta1 * state.get("m", 0.0) + (1.0 - self.beta1) * g
        v = self.beta2 * state.get("v", 0.0) + (1.0 - self.beta2) * g * g
        state.update(t=t, m=m, v=v)
        m_hat = m / (1.0 - self.beta1 ** t)
        v_hat = v / (1.0 - self.beta2 ** t)
        return p - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.eps)
