"""Finite-difference gradient checking.

For a scalar loss L(theta), the centred difference

    dL/dtheta_i  ~=  (L(theta + eps e_i) - L(theta - eps e_i)) / (2 eps)

has error O(eps^2), against O(eps) for the one-sided difference, so in float64 with eps = 1e-6 it
agrees with a correct analytic gradient to about 1e-9 (relative). We compare the two with

    relative_error(g, n) = ||g - n|| / max(||g|| + ||n||, tiny)

which is 0 for equal gradients, 1 for opposite ones, and does not blow up when both are ~0.
A correct backward pass gives < 1e-7; a wrong one typically gives > 1e-3.
"""
from __future__ import annotations

import math

import numpy as np

from ._checks import as_float_array, check_finite

__all__ = ["relative_error", "numerical_gradient", "gradient_check"]


def relative_error(analytic, numeric) -> float:
    """||analytic - numeric|| / (||analytic|| + ||numeric||), or 0.0 when both are exactly zero.

    analytic, numeric : ndarray of the same shape.
    """
    a = as_float_array("relative_error", "analytic", analytic)
    n = as_float_array("relative_error", "numeric", numeric)
    if a.shape != n.shape:
        raise ValueError(f"relative_error: analytic has shape {a.shape} but numeric has shape {n.shape}")
    check_finite("relative_error", "analytic", a)
    check_finite("relative_error", "numeric", n)
    denom = np.linalg.norm(a) + np.linalg.norm(n)
    if denom == 0.0:
        return 0.0
    return float(np.linalg.norm(a - n) / denom)


def numerical_gradient(f, x, eps: float = 1e-6) -> np.ndarray:
    """Centred finite-difference gradient of the scalar function ``f`` at ``x``.

    f : callable ndarray -> float
        Called with perturbed copies of ``x``; ``x`` itself is never changed.
    x : ndarray, any shape
    eps : float > 0, the step.

    Returns an ndarray with the shape of ``x``.
    """
    if isinstance(eps, bool) or not (isinstance(eps, (int, float)) and math.isfinite(eps) and eps > 0):
        raise ValueError(f"numerical_gradient: eps must be a positive number, got {eps!r}")
    if not callable(f):
        raise ValueError(f"numerical_gradient: f must be a function of an array, got {type(f).__name__}")
    x = np.array(as_float_array("numerical_gradient", "x", x))  # a private copy we may perturb
    check_finite("numerical_gradient", "x", x)
    grad = np.zeros_like(x)
    flat, gflat = x.reshape(-1), grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f(x.copy()))
        flat[i] = old - eps
        f_minus = float(f(x.copy()))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def gradient_check(loss_fn, inputs: dict, analytic: dict, eps: float = 1e-6) -> dict:
    """Compare analytic gradients with centred finite differences, one entry of ``inputs`` at a time.

    loss_fn : callable dict -> float
        Computes the scalar loss from a dict of arrays (parameters, inputs, initial states).
    inputs : dict name -> ndarray
        The point at which to check. Not changed.
    analytic : dict name -> ndarray
        dL/d(inputs[name]) from the backward pass, for every name to check (a subset of ``inputs``).
    eps : float, the finite-difference step.

    Returns a dict name -> relative error (see ``relative_error``).
    """
    if not isinstance(inputs, dict) or not isinstance(analytic, dict):
        raise ValueError("gradient_check: inputs and analytic must both be dicts of arrays, got "
                         f"{type(inputs).__name__} and {type(analytic).__name__}")
    if not analytic:
        raise ValueError("gradient_check: analytic is empty, so there is nothing to check; give the backward "
                         "pass's gradient for at least one key of inputs (e.g. {'Waa': grads['dWaa']})")
    if not callable(loss_fn):
        raise ValueError(f"gradient_check: loss_fn must be a function of a dict of arrays, got "
                         f"{type(loss_fn).__name__}")
    errors = {}
    for name, grad in analytic.items():
        if name not in inputs:
            raise KeyError(f"gradient_check: analytic has a gradient for '{name}' but inputs has no such key "
                           f"(it has: {', '.join(sorted(inputs))})")
        base = as_float_array("gradient_check", f"inputs['{name}']", inputs[name])
        grad = as_float_array("gradient_check", f"analytic['{name}']", grad)
        if grad.shape != base.shape:
            raise ValueError(f"gradient_check: analytic['{name}'] has shape {grad.shape} "
                             f"but inputs['{name}'] has shape {base.shape}")
        check_finite("gradient_check", f"analytic['{name}']", grad)

        def f(value, name=name):
            trial = dict(inputs)
            trial[name] = value
            return loss_fn(trial)

        errors[name] = relative_error(grad, numerical_gradient(f, base, eps))
    return errors
