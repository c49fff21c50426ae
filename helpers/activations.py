"""Activation functions used by the cells, written to be numerically safe.

    sigmoid(z) = 1 / (1 + exp(-z))      computed as (1 + tanh(z / 2)) / 2, which never overflows
    softmax(z)_i = exp(z_i) / sum_j exp(z_j)   over axis 0 (the class axis), after subtracting the max

Both accept any real input, including +-1000, without a RuntimeWarning. Every function takes an array of
any shape (element-wise; softmax over axis 0) and refuses complex numbers, None and text with a ValueError;
NaN and inf pass through as in numpy (the cells check their inputs before they call these).
"""
from __future__ import annotations

import numpy as np

from ._checks import as_float_array

__all__ = ["sigmoid", "softmax", "tanh", "relu", "linear", "ACTIVATIONS"]


def sigmoid(z):
    """Logistic function sigma(z) = 1 / (1 + e^-z), element-wise.

    Uses the identity sigma(z) = (1 + tanh(z/2)) / 2: tanh never overflows, so neither does this, and
    it is several times faster than a branch on the sign of z. Its error is absolute (about 1e-16),
    which is what a gate needs; a loss that needs log(sigma(z)) far in the negative tail is computed
    from the logits instead (see losses.py).
    Derivative: sigma'(z) = sigma(z) (1 - sigma(z)).
    """
    s = np.tanh(0.5 * as_float_array("sigmoid", "z", z))
    s += 1.0
    s *= 0.5
    return s


def softmax(z):
    """Softmax over axis 0: column j of the result is a probability vector.

    z : ndarray (n_y, ...) -- scores; every column is normalised separately.
    Subtracting the column maximum first leaves the result unchanged (the factor e^-max cancels)
    and keeps every exponent <= 0, so nothing overflows.
    """
    z = as_float_array("softmax", "z", z)
    e = np.exp(z - z.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


def tanh(z):
    """Hyperbolic tangent; derivative 1 - tanh(z)^2."""
    return np.tanh(as_float_array("tanh", "z", z))


def relu(z):
    """max(0, z); derivative 1 where z > 0, else 0."""
    return np.maximum(as_float_array("relu", "z", z), 0.0)


def linear(z):
    """Identity; derivative 1."""
    return as_float_array("linear", "z", z)


# name -> (g, g' expressed through the activation's *output* a = g(z) and its input z)
ACTIVATIONS = {
    "tanh": (tanh, lambda a, z: 1.0 - a * a),
    "relu": (relu, lambda a, z: (z > 0).astype(np.float64)),
    "linear": (linear, lambda a, z: np.ones_like(a)),
}
