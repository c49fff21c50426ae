"""The basic recurrent neural network: one cell, a whole sequence, and backpropagation through time.

Forward, at every time step t = 1..T_x (the same parameters at every step):

    z<t>     = Waa @ a<t-1> + Wax @ x<t> + ba
    a<t>     = g(z<t>)                            g = tanh (default), relu or linear
    y_hat<t> = softmax(Wya @ a<t> + by)

Compressed notation: stacking the two weight matrices side by side, Wa = [Waa | Wax] (n_a, n_a + n_x),
and the two inputs on top of each other, [a<t-1>; x<t>] (n_a + n_x, m), gives the same pre-activation

    z<t> = Wa @ [a<t-1>; x<t>] + ba.

Backward (BPTT). Write da<t> for the TOTAL gradient dL/da<t>. The state a<t> reaches the loss in two ways:
directly (the upstream gradient da_up<t>, e.g. from the output layer) and through the next step's
pre-activation z<t+1> = Waa @ a<t> + ..., so

    da<t>  = da_up<t> + Waa.T @ dz<t+1>           (no second term at the last step t = T_x)
    dz<t>  = da<t> * g'(z<t>)                     tanh: g' = 1 - a<t>^2, relu: g' = [z<t> > 0], linear: g' = 1
    dx<t>  = Wax.T @ dz<t>
    da0    = Waa.T @ dz<1>
    dWax   = sum_t dz<t> @ x<t>.T
    dWaa   = sum_t dz<t> @ a<t-1>.T
    dba    = sum_t dz<t> summed over the m examples

The weights are shared by all steps, so their gradients are sums over t. The sequence functions compute
these sums as one matrix product each, by laying the arrays of all steps out as (n, T_x * m) matrices:
every column is then one (time step, example) pair, and a sum over t and over examples is exactly what a
matrix product sums over. Inside, the sequence functions keep the stacked columns [a<t-1>; x<t>; 1] of
all steps in one array with time on the middle axis, (n_a + n_x + 1, T_x + 1, m), so that the weight
gradients of all steps are one product [dWaa | dWax | dba] = dz @ [a<t-1>; x<t>; 1].T over the T_x * m
columns of a view (the row of ones sums dz for dba). The input part Wax @ x<t> of every step is one
batched product before the loop; only Waa @ a<t-1> is computed step by step. Inputs and outputs keep the
course layout, time last. The gradients of the output layer (Wya, by) belong to the loss and are not
computed here.

Arrays put in a cache are private copies: changing an input or an output afterwards does not change
what the backward pass computes.
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    _fmt_shape,
    as_float_array,
    check_choice,
    check_finite,
    check_ndim,
    check_params,
    check_entries,
    check_positive_int,
    check_shape,
    check_time_steps,
    get_param,
)
from .activations import ACTIVATIONS, softmax

__all__ = [
    "rnn_cell_forward",
    "rnn_cell_backward",
    "rnn_forward",
    "rnn_states_forward",
    "rnn_backward",
    "stack_Wa",
    "split_Wa",
    "rnn_cell_forward_stacked",
    "initialize_rnn_parameters",
]

_CELL_CACHE = "rnn_cell_cache"

# a = g(z) written into a given array (the sequence loop reuses its buffers), the same values as
# ACTIVATIONS[name][0](z)
_ACTIVATION_INTO = {
    "tanh": lambda z, out: np.tanh(z, out=out),
    "relu": lambda z, out: np.maximum(z, 0.0, out=out),
    "linear": lambda z, out: np.copyto(out, z),
}
_SEQ_CACHE = "rnn_sequence_cache"


# ----------------------------------------------------------------------------------------------
# argument checks shared by the functions below
# ----------------------------------------------------------------------------------------------

def _check_activation(where, activation):
    check_choice(where, "activation", activation, tuple(ACTIVATIONS))


def _state_params(where, parameters):
    """Check Wax, Waa, ba; return them as float64 arrays (not copies) with n_a and n_x."""
    Wax = get_param(where, parameters, "Wax")
    check_ndim(where, "parameters['Wax']", Wax, 2, "(n_a, n_x)")
    check_finite(where, "parameters['Wax']", Wax)
    n_a, n_x = Wax.shape
    p = check_params(where, parameters, {
        "Waa": ((n_a, n_a), "(n_a, n_a)"),
        "ba": ((n_a, 1), "(n_a, 1)"),
    })
    return Wax, p["Waa"], p["ba"], n_a, n_x


def _output_params(where, parameters, n_a):
    """Check Wya (n_y, n_a) and by (n_y, 1); return them as float64 arrays."""
    Wya = check_params(where, parameters, {"Wya": ((None, n_a), "(n_y, n_a)")})["Wya"]
    n_y = Wya.shape[0]
    by = check_params(where, parameters, {"by": ((n_y, 1), "(n_y, 1)")})["by"]
    return Wya, by


def _check_step_inputs(where, xt, a_prev, n_a, n_x, Wax_shape, Waa_shape):
    """Check xt (n_x, m) and a_prev (n_a, m) against the weights and each other."""
    check_ndim(where, "xt", xt, 2, "(n_x, m)")
    check_ndim(where, "a_prev", a_prev, 2, "(n_a, m)")
    check_shape(where, "xt", xt, (n_x, None), "(n_x, m)", f"to match Wax {_fmt_shape(Wax_shape)}")
    m = xt.shape[1]
    check_shape(where, "a_prev", a_prev, (n_a, m), "(n_a, m)",
                f"to match Waa {_fmt_shape(Waa_shape)} and xt {_fmt_shape(xt.shape)}")
    check_finite(where, "xt", xt)
    check_finite(where, "a_prev", a_prev)


# ----------------------------------------------------------------------------------------------
# one time step
# ----------------------------------------------------------------------------------------------

def rnn_cell_forward(xt, a_prev, parameters, activation="tanh"):
    """One step of the RNN.

        a_next  = g(Waa @ a_prev + Wax @ xt + ba)
        yt_pred = softmax(Wya @ a_next + by)

    Parameters
    ----------
    xt : ndarray (n_x, m)
        Input at this time step, one column per example.
    a_prev : ndarray (n_a, m)
        Hidden state of the previous step, a<t-1>.
    parameters : dict
        Wax : ndarray (n_a, n_x), Waa : ndarray (n_a, n_a), Wya : ndarray (n_y, n_a),
        ba : ndarray (n_a, 1), by : ndarray (n_y, 1).
    activation : str
        g, one of "tanh", "relu", "linear".

    Returns
    -------
    a_next : ndarray (n_a, m)
        Hidden state a<t>.
    yt_pred : ndarray (n_y, m)
        Prediction y_hat<t>; every column is a probability vector.
    cache : opaque
        What rnn_cell_backward needs.
    """
    where = "rnn_cell_forward"
    _check_activation(where, activation)
    xt = as_float_array(where, "xt", xt)
    a_prev = as_float_array(where, "a_prev", a_prev)
    Wax, Waa, ba, n_a, n_x = _state_params(where, parameters)
    Wya, by = _output_params(where, parameters, n_a)
    _check_step_inputs(where, xt, a_prev, n_a, n_x, Wax.shape, Waa.shape)

    g = ACTIVATIONS[activation][0]
    z = Waa @ a_prev + Wax @ xt + ba
    a_next = g(z)
    yt_pred = softmax(Wya @ a_next + by)

    cache = {"kind": _CELL_CACHE, "activation": activation,
             "xt": xt.copy(), "a_prev": a_prev.copy(), "z": z, "a_next": a_next.copy(),
             "Wax": Wax.copy(), "Waa": Waa.copy()}
    return a_next, yt_pred, cache


def rnn_cell_backward(da_next, cache):
    """Backward pass through one RNN step.

        dz      = da_next * g'(z)         z = Waa @ a_prev + Wax @ xt + ba
        dxt     = Wax.T @ dz
        da_prev = Waa.T @ dz
        dWax    = dz @ xt.T
        dWaa    = dz @ a_prev.T
        dba     = dz summed over the m examples

    Parameters
    ----------
    da_next : ndarray (n_a, m)
        dL/da_next, the gradient of the loss with respect to this step's output state.
    cache : opaque
        The cache returned by rnn_cell_forward.

    Returns
    -------
    gradients : dict
        dxt : ndarray (n_x, m), da_prev : ndarray (n_a, m), dWax : ndarray (n_a, n_x),
        dWaa : ndarray (n_a, n_a), dba : ndarray (n_a, 1).
    """
    where = "rnn_cell_backward"
    if not (isinstance(cache, dict) and cache.get("kind") == _CELL_CACHE):
        raise ValueError(f"{where}: cache must be the cache returned by rnn_cell_forward, "
                         f"got {type(cache).__name__}")
    da_next = as_float_array(where, "da_next", da_next)
    a_next = cache["a_next"]
    check_shape(where, "da_next", da_next, a_next.shape, "(n_a, m)",
                f"to match a_next {_fmt_shape(a_next.shape)} in the cache")
    check_finite(where, "da_next", da_next)

    g_prime = ACTIVATIONS[cache["activation"]][1]
    dz = da_next * g_prime(a_next, cache["z"])
    return {
        "dxt": cache["Wax"].T @ dz,
        "da_prev": cache["Waa"].T @ dz,
        "dWax": dz @ cache["xt"].T,
        "dWaa": dz @ cache["a_prev"].T,
        "dba": dz.sum(axis=1, keepdims=True),
    }


# ----------------------------------------------------------------------------------------------
# a whole sequence
# ----------------------------------------------------------------------------------------------

def _states_forward(where, x, a0, parameters, activation, with_output):
    """Checks, then the recurrence. Returns a, caches and (if with_output) Wya, by."""
    _check_activation(where, activation)
    x = as_float_array(where, "x", x)
    a0 = as_float_array(where, "a0", a0)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    check_ndim(where, "a0", a0, 2, "(n_a, m)")
    check_time_steps(where, "x", x)
    Wax, Waa, ba, n_a, n_x = _state_params(where, parameters)
    out = _output_params(where, parameters, n_a) if with_output else None
    check_shape(where, "x", x, (n_x, None, None), "(n_x, m, T_x)", f"to match Wax {_fmt_shape(Wax.shape)}")
    _, m, T_x = x.shape
    check_shape(where, "a0", a0, (n_a, m), "(n_a, m)",
                f"to match Waa {_fmt_shape(Waa.shape)} and x {_fmt_shape(x.shape)}")
    check_finite(where, "x", x)
    check_finite(where, "a0", a0)

    # Layout. W = [Waa | Wax | ba] (n_a, K), K = n_a + n_x + 1, acts on the stacked column
    # [a<t-1>; x<t>; 1]. stack (K, T_x + 1, m) holds these columns for every step: stack[:, t] is
    # [a<t>; x<t+1>; 1], the input of step t + 1 (its a-rows are written by step t). Time is the MIDDLE
    # axis: each step's block is a matrix BLAS reads in place, and the (K, T_x * m) matrix of all steps,
    # which the weight gradients of rnn_backward use, is a view. z (T_x, n_a, m), read only step by
    # step, has time first: one contiguous block per step.
    K = n_a + n_x + 1
    W = np.concatenate([Waa, Wax, ba], axis=1)
    stack = np.empty((K, T_x + 1, m))
    stack[n_a:n_a + n_x, :T_x] = x.transpose(0, 2, 1)      # a private copy of x
    stack[n_a + n_x, :T_x] = 1.0
    stack[n_a:, T_x] = 0.0                                   # the last column only holds a<T_x>
    stack[:n_a, 0] = a0
    # the input part Wax @ x<t> of every step in one batched product: (n_a, n_x) @ (T_x, n_x, m)
    z = np.matmul(Wax, stack[n_a:n_a + n_x, :T_x].transpose(1, 0, 2))     # z[t] = z<t + 1>
    g = _ACTIVATION_INTO[activation]
    rec = np.empty((n_a, m))                                 # room for Waa @ a<t-1>
    for t in range(T_x):
        z_t = z[t]
        z_t += ba                                            # z<t> = Wax @ x<t> + ba + Waa @ a<t-1>
        np.matmul(Waa, stack[:n_a, t], out=rec)
        z_t += rec
        g(z_t, stack[:n_a, t + 1])                           # a<t> = g(z<t>), where step t + 1 reads it

    a = stack[:n_a, 1:].transpose(0, 2, 1).copy()           # (n_a, m, T_x), not a view of the cache
    caches = {"kind": _SEQ_CACHE, "activation": activation, "stack": stack, "z": z, "W": W}
    return a, caches, out


def rnn_states_forward(x, a0, parameters, activation="tanh"):
    """Run the recurrence over a whole sequence, without the output layer.

        a<t> = g(Waa @ a<t-1> + Wax @ x<t> + ba),   t = 1..T_x,   a<0> = a0

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        Input sequence, time on the last axis.
    a0 : ndarray (n_a, m)
        Initial hidden state.
    parameters : dict
        Wax : ndarray (n_a, n_x), Waa : ndarray (n_a, n_a), ba : ndarray (n_a, 1).
        Other keys (Wya, by) are ignored and may be absent.
    activation : str
        g, one of "tanh", "relu", "linear".

    Returns
    -------
    a : ndarray (n_a, m, T_x)
        Hidden states a<1>..a<T_x>.
    caches : opaque
        What rnn_backward needs.
    """
    a, caches, _ = _states_forward("rnn_states_forward", x, a0, parameters, activation, with_output=False)
    return a, caches


def rnn_forward(x, a0, parameters, activation="tanh"):
    """Run the RNN over a whole sequence: the recurrence, then the output layer at every step.

        a<t>      = g(Waa @ a<t-1> + Wax @ x<t> + ba),   a<0> = a0
        y_hat<t>  = softmax(Wya @ a<t> + by)

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        Input sequence, time on the last axis.
    a0 : ndarray (n_a, m)
        Initial hidden state.
    parameters : dict
        Wax : ndarray (n_a, n_x), Waa : ndarray (n_a, n_a), Wya : ndarray (n_y, n_a),
        ba : ndarray (n_a, 1), by : ndarray (n_y, 1).
    activation : str
        g, one of "tanh", "relu", "linear".

    Returns
    -------
    a : ndarray (n_a, m, T_x)
        Hidden states a<1>..a<T_x>.
    y_pred : ndarray (n_y, m, T_x)
        Predictions y_hat<t>; every (example, step) column is a probability vector.
    caches : opaque
        What rnn_backward needs.
    """
    a, caches, (Wya, by) = _states_forward("rnn_forward", x, a0, parameters, activation, with_output=True)
    n_a, m, T_x = a.shape
    # the output layer of every step in one product: (n_y, n_a) @ (n_a, m*T_x)
    y_pred = softmax(Wya @ a.reshape(n_a, m * T_x) + by).reshape(Wya.shape[0], m, T_x)
    return a, y_pred, caches


def rnn_backward(da, caches, keep_state_grads=False):
    """Backpropagation through time for a sequence run by rnn_forward or rnn_states_forward.

        da<t>  = da_up<t> + Waa.T @ dz<t+1>       (da<T_x> = da_up<T_x>)
        dz<t>  = da<t> * g'(z<t>)
        dx<t>  = Wax.T @ dz<t>,   da0 = Waa.T @ dz<1>
        dWax   = sum_t dz<t> @ x<t>.T,   dWaa = sum_t dz<t> @ a<t-1>.T,   dba = sum over t and examples of dz<t>

    Parameters
    ----------
    da : ndarray (n_a, m, T_x)
        da_up<t>: the gradient dL/da<t> that reaches each hidden state from outside the recurrence
        (e.g. from the output layer); zero where a step has no loss of its own.
    caches : opaque
        The caches returned by rnn_forward or rnn_states_forward.
    keep_state_grads : bool
        If True, also return da_steps, the total gradient of every hidden state.

    Returns
    -------
    gradients : dict
        dx : ndarray (n_x, m, T_x), da0 : ndarray (n_a, m), dWax : ndarray (n_a, n_x),
        dWaa : ndarray (n_a, n_a), dba : ndarray (n_a, 1);
        and, if keep_state_grads, da_steps : ndarray (n_a, m, T_x) with da_steps[:, :, t] = dL/da<t>
        (upstream plus what flows back from the later steps).
    """
    where = "rnn_backward"
    if not (isinstance(caches, dict) and caches.get("kind") == _SEQ_CACHE):
        raise ValueError(f"{where}: caches must be the caches returned by rnn_forward or rnn_states_forward, "
                         f"got {type(caches).__name__}")
    if not isinstance(keep_state_grads, (bool, np.bool_)):
        raise ValueError(f"{where}: keep_state_grads must be True or False, got {keep_state_grads!r}")
    # the caches (see _states_forward): stack[:, t] = [a<t>; x<t+1>; 1], z[t] = z<t+1>, W = [Waa | Wax | ba]
    stack, z, W = caches["stack"], caches["z"], caches["W"]
    T_x, n_a, m = z.shape
    K = stack.shape[0]
    n_x = K - n_a - 1
    da = as_float_array(where, "da", da)
    check_shape(where, "da", da, (n_a, m, T_x), "(n_a, m, T_x)",
                f"to match the caches of a forward pass with n_a = {n_a}, m = {m}, T_x = {T_x}")
    check_finite(where, "da", da)

    g_prime = ACTIVATIONS[caches["activation"]][1]          # g'(z), computed from a = g(z) and z
    Waa = W[:, :n_a]
    a = stack[:n_a, 1:]                                      # a[:, t] = a<t+1> = g(z[t]), the state step t wrote
    dz = np.empty((n_a, T_x, m))                             # like stack: dz[:, t] = dz<t+1>
    da_steps = np.empty((n_a, T_x, m)) if keep_state_grads else None
    da_rec = np.zeros((n_a, m))                              # Waa.T @ dz<t+1>, zero after the last step
    for t in reversed(range(T_x)):
        da_t = da[:, :, t] + da_rec
        dz[:, t] = da_t * g_prime(a[:, t], z[t])
        da_rec = Waa.T @ dz[:, t]
        if keep_state_grads:
            da_steps[:, t] = da_t

    # weight and input gradients of all steps at once, on (n, T_x * m) matrices (views of the arrays):
    # [dWaa | dWax | dba] = sum over t of dz<t> @ [a<t-1>; x<t>; 1].T (the row of ones sums dz for dba)
    dz2 = dz.reshape(n_a, T_x * m)
    dW = (stack[:, :T_x].reshape(K, T_x * m) @ dz2.T).T
    grads = {
        "dx": (W[:, n_a:n_a + n_x].T @ dz2).reshape(n_x, T_x, m).transpose(0, 2, 1).copy(),
        "da0": da_rec,
        "dWax": np.ascontiguousarray(dW[:, n_a:n_a + n_x]),
        "dWaa": np.ascontiguousarray(dW[:, :n_a]),
        "dba": np.ascontiguousarray(dW[:, n_a + n_x:]),
    }
    if keep_state_grads:
        grads["da_steps"] = da_steps.transpose(0, 2, 1).copy()
    return grads


# ----------------------------------------------------------------------------------------------
# the compressed notation Wa = [Waa | Wax]
# ----------------------------------------------------------------------------------------------

def stack_Wa(Waa, Wax):
    """Put the two weight matrices side by side: Wa = [Waa | Wax].

    Parameters
    ----------
    Waa : ndarray (n_a, n_a)
    Wax : ndarray (n_a, n_x)

    Returns
    -------
    Wa : ndarray (n_a, n_a + n_x)
        A new array; Wa @ [a_prev; xt] = Waa @ a_prev + Wax @ xt.
    """
    where = "stack_Wa"
    Waa = as_float_array(where, "Waa", Waa)
    Wax = as_float_array(where, "Wax", Wax)
    check_ndim(where, "Waa", Waa, 2, "(n_a, n_a)")
    check_ndim(where, "Wax", Wax, 2, "(n_a, n_x)")
    n_a = Waa.shape[0]
    check_shape(where, "Waa", Waa, (n_a, n_a), "(n_a, n_a)", "(square)")
    check_shape(where, "Wax", Wax, (n_a, None), "(n_a, n_x)", f"to match Waa {_fmt_shape(Waa.shape)}")
    check_finite(where, "Waa", Waa)
    check_finite(where, "Wax", Wax)
    return np.concatenate([Waa, Wax], axis=1)


def split_Wa(Wa, n_a):
    """Undo stack_Wa: the first n_a columns of Wa are Waa, the rest Wax.

    Parameters
    ----------
    Wa : ndarray (n_a, n_a + n_x)
    n_a : int
        Number of hidden units.

    Returns
    -------
    Waa : ndarray (n_a, n_a)
    Wax : ndarray (n_a, n_x)
        New arrays (not views of Wa).
    """
    where = "split_Wa"
    n_a = check_positive_int(where, "n_a", n_a)
    Wa = as_float_array(where, "Wa", Wa)
    check_ndim(where, "Wa", Wa, 2, "(n_a, n_a + n_x)")
    if Wa.shape[0] != n_a or Wa.shape[1] <= n_a:
        raise ValueError(f"{where}: Wa must have shape (n_a, n_a + n_x) with n_a = {n_a} and n_x >= 1, "
                         f"got {_fmt_shape(Wa.shape)}")
    check_finite(where, "Wa", Wa)
    return Wa[:, :n_a].copy(), Wa[:, n_a:].copy()


def rnn_cell_forward_stacked(xt, a_prev, Wa, ba, activation="tanh"):
    """One RNN step in the compressed notation.

        a_next = g(Wa @ [a_prev; xt] + ba)

    Parameters
    ----------
    xt : ndarray (n_x, m)
    a_prev : ndarray (n_a, m)
    Wa : ndarray (n_a, n_a + n_x)
        [Waa | Wax], see stack_Wa.
    ba : ndarray (n_a, 1)
    activation : str
        g, one of "tanh", "relu", "linear".

    Returns
    -------
    a_next : ndarray (n_a, m)
    """
    where = "rnn_cell_forward_stacked"
    _check_activation(where, activation)
    xt = as_float_array(where, "xt", xt)
    a_prev = as_float_array(where, "a_prev", a_prev)
    Wa = as_float_array(where, "Wa", Wa)
    ba = as_float_array(where, "ba", ba)
    check_ndim(where, "Wa", Wa, 2, "(n_a, n_a + n_x)")
    check_ndim(where, "xt", xt, 2, "(n_x, m)")
    check_ndim(where, "a_prev", a_prev, 2, "(n_a, m)")
    n_a = Wa.shape[0]
    n_x = Wa.shape[1] - n_a
    if n_x < 1:
        raise ValueError(f"{where}: Wa must have shape (n_a, n_a + n_x) with n_x >= 1, "
                         f"got {_fmt_shape(Wa.shape)}")
    check_shape(where, "a_prev", a_prev, (n_a, None), "(n_a, m)", f"to match Wa {_fmt_shape(Wa.shape)}")
    check_shape(where, "xt", xt, (n_x, a_prev.shape[1]), "(n_x, m)",
                f"to match Wa {_fmt_shape(Wa.shape)} = (n_a, n_a + n_x) and a_prev {_fmt_shape(a_prev.shape)}")
    check_shape(where, "ba", ba, (n_a, 1), "(n_a, 1)", f"to match Wa {_fmt_shape(Wa.shape)}")
    for name, arr in (("xt", xt), ("a_prev", a_prev), ("Wa", Wa), ("ba", ba)):
        check_finite(where, name, arr)

    g = ACTIVATIONS[activation][0]
    return g(Wa @ np.concatenate([a_prev, xt], axis=0) + ba)


# ----------------------------------------------------------------------------------------------
# initialisation
# ----------------------------------------------------------------------------------------------

def initialize_rnn_parameters(n_x, n_a, n_y, seed=0, scale=None):
    """Random RNN parameters, reproducible from the seed.

        Wax ~ N(0, 1/n_x),  Waa ~ N(0, 1/n_a),  Wya ~ N(0, 1/n_a)   (variance 1/fan_in), or N(0, scale^2)
        ba = 0,  by = 0

    Parameters
    ----------
    n_x : int >= 1
        Input size.
    n_a : int >= 1
        Number of hidden units.
    n_y : int >= 1
        Output size (number of classes).
    seed : int >= 0 or None
        Seed of np.random.default_rng; the weights are drawn in the order Wax, Waa, Wya.
        None gives fresh randomness.
    scale : float > 0 or None
        If given, the standard deviation of every weight; if None, 1/sqrt(fan_in).

    Returns
    -------
    parameters : dict
        Wax (n_a, n_x), Waa (n_a, n_a), Wya (n_y, n_a), ba (n_a, 1), by (n_y, 1), all float64.
    """
    where = "initialize_rnn_parameters"
    n_x = check_positive_int(where, "n_x", n_x)
    n_a = check_positive_int(where, "n_a", n_a)
    n_y = check_positive_int(where, "n_y", n_y)
    check_entries(where, n_a * (n_a + n_x + n_y + 1) + n_y, f"n_x = {n_x}, n_a = {n_a} and n_y = {n_y}")
    if seed is not None:
        seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    if scale is not None:
        if isinstance(scale, bool) or not isinstance(scale, (int, float, np.integer, np.floating)) \
                or not np.isfinite(scale) or scale <= 0:
            raise ValueError(f"{where}: scale must be a positive finite number or None, got {scale!r}")
        std_x = std_a = float(scale)
    else:
        std_x, std_a = 1.0 / np.sqrt(n_x), 1.0 / np.sqrt(n_a)

    rng = np.random.default_rng(seed)
    return {
        "Wax": rng.normal(0.0, std_x, size=(n_a, n_x)),
        "Waa": rng.normal(0.0, std_a, size=(n_a, n_a)),
        "Wya": rng.normal(0.0, std_a, size=(n_y, n_a)),
        "ba": np.zeros((n_a, 1)),
        "by": np.zeros((n_y, 1)),
    }
