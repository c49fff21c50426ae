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
columns of a view (the row of ones sums dz for dba). The input part Wax @ x<t> + ba of every step is one
batched product before the loop, [Wax | ba] @ [x<t>; 1]; only Waa @ a<t-1> is computed step by step.
Inputs and outputs keep the course layout, time last (the arrays returned may be transposed views of
new arrays: their values are what counts, not their memory order). The gradients of the output layer
(Wya, by) belong to the loss and are not computed here.

Arrays put in a cache are private copies: changing an input or an output afterwards does not change
what the backward pass computes.
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    _fmt_shape,
    as_float_array,
    check_arrays,
    check_cache,
    check_choice,
    check_finite,
    check_flag,
    check_ndim,
    check_entries,
    check_positive_int,
    check_shape,
    check_time_steps,
    private_copy,
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

# a = g(z) written into a given array (the sequence loop reuses its buffers), the same values as
# ACTIVATIONS[name][0](z)
_ACTIVATION_INTO = {
    "tanh": lambda z, out: np.tanh(z, out=out),
    "relu": lambda z, out: np.maximum(z, 0.0, out=out),
    "linear": lambda z, out: np.copyto(out, z),
}

# the layouts of the parameters, for check_arrays
_PARAMS = {"Wax": "(n_a, n_x)", "Waa": "(n_a, n_a)", "ba": "(n_a, 1)"}
_OUTPUT = {"Wya": "(n_y, n_a)", "by": "(n_y, 1)"}


# ----------------------------------------------------------------------------------------------
# one time step
# ----------------------------------------------------------------------------------------------

def rnn_cell_forward(xt, a_prev, parameters, activation="tanh"):
    """One step of the RNN.

        z       = Waa @ a_prev + Wax @ xt + ba
        a_next  = g(z)                            g = tanh, relu or linear
        yt_pred = softmax(Wya @ a_next + by)

    Parameters
    ----------
    xt : ndarray (n_x, m)
        Input at this time step x<t>, one column per example.
    a_prev : ndarray (n_a, m)
        Hidden state of the previous step, a<t-1>.
    parameters : dict
        Wax : ndarray (n_a, n_x), Waa : ndarray (n_a, n_a), ba : ndarray (n_a, 1),
        Wya : ndarray (n_y, n_a), by : ndarray (n_y, 1).
    activation : str
        g, one of "tanh", "relu", "linear".

    Returns
    -------
    a_next : ndarray (n_a, m)
        Hidden state a<t>.
    yt_pred : ndarray (n_y, m)
        Prediction y_hat<t>; every column is a probability vector.
    cache : dict
        What rnn_cell_backward needs: "kind" = "rnn_cell", private copies of "xt", "a_prev", "z",
        "a_next" and of the "parameters" Wax, Waa, ba, and "activation" (see helpers.cells).
    """
    where = "rnn_cell_forward"
    check_choice(where, "activation", activation, tuple(ACTIVATIONS))
    p, a_prev, xt = check_arrays(where, parameters=(parameters, {**_PARAMS, **_OUTPUT}),
                                 a_prev=(a_prev, "(n_a, m)"), xt=(xt, "(n_x, m)"))
    Wax, Waa, ba, Wya, by = p["Wax"], p["Waa"], p["ba"], p["Wya"], p["by"]
    g = ACTIVATIONS[activation][0]

    z = Waa @ a_prev + Wax @ xt + ba
    a_next = g(z)
    yt_pred = softmax(Wya @ a_next + by)

    cache = {"kind": "rnn_cell", "xt": xt, "a_prev": a_prev, "z": z, "a_next": a_next,
             "parameters": {"Wax": Wax, "Waa": Waa, "ba": ba}, "activation": activation}
    return a_next, yt_pred, private_copy(cache)


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
    cache : dict
        The cache returned by rnn_cell_forward.

    Returns
    -------
    gradients : dict
        dxt : ndarray (n_x, m), da_prev : ndarray (n_a, m), dWax : ndarray (n_a, n_x),
        dWaa : ndarray (n_a, n_a), dba : ndarray (n_a, 1).
    """
    check_cache("rnn_cell_backward", "cache", cache, "rnn_cell", "rnn_cell_forward")
    xt, a_prev, z, a_next = cache["xt"], cache["a_prev"], cache["z"], cache["a_next"]
    Wax, Waa = cache["parameters"]["Wax"], cache["parameters"]["Waa"]
    [da_next] = check_arrays("rnn_cell_backward", known=("a_next", a_next, "(n_a, m)"),
                             da_next=(da_next, "(n_a, m)"))
    g_prime = ACTIVATIONS[cache["activation"]][1]

    dz = da_next * g_prime(a_next, z)
    return {
        "dxt": Wax.T @ dz,
        "da_prev": Waa.T @ dz,
        "dWax": dz @ xt.T,
        "dWaa": dz @ a_prev.T,
        "dba": dz.sum(axis=1, keepdims=True),
    }


# ----------------------------------------------------------------------------------------------
# a whole sequence
# ----------------------------------------------------------------------------------------------

def _states_forward(where, x, a0, parameters, activation, with_output):
    """Checks, then the recurrence. Returns a, caches and (if with_output) Wya, by."""
    check_choice(where, "activation", activation, tuple(ACTIVATIONS))
    p, a0, x = check_arrays(where, parameters=(parameters, {**_PARAMS, **_OUTPUT} if with_output else _PARAMS),
                            a0=(a0, "(n_a, m)"), x=(x, "(n_x, m, T_x)"))
    check_time_steps(where, "x", x)
    Wax, Waa, ba = p["Wax"], p["Waa"], p["ba"]
    out = (p["Wya"], p["by"]) if with_output else None
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]

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
    # the input part of every step, bias included, in one batched product:
    # [Wax | ba] (n_a, n_x + 1) @ [x<t>; 1] (T_x, n_x + 1, m)
    z = np.matmul(W[:, n_a:], stack[n_a:, :T_x].transpose(1, 0, 2))     # z[t] = z<t + 1>, (T_x, n_a, m)
    g = _ACTIVATION_INTO[activation]
    rec = np.empty((n_a, m))                                 # room for Waa @ a<t-1>
    for t in range(T_x):
        z_t = z[t]
        np.matmul(Waa, stack[:n_a, t], out=rec)
        z_t += rec                                           # z<t> = Wax @ x<t> + ba + Waa @ a<t-1>
        g(z_t, stack[:n_a, t + 1])                           # a<t> = g(z<t>), where step t + 1 reads it

    # a in the course layout (n_a, m, T_x): a transposed view of a private copy (a straight copy costs
    # much less than a transposing one)
    a = np.ascontiguousarray(stack[:n_a, 1:]).transpose(0, 2, 1)
    caches = {"kind": "rnn_sequence", "activation": activation, "stack": stack, "z": z, "W": W}
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
    # the output layer of every step in one product: (n_y, n_a) @ (n_a, T_x * m), the states of the
    # cache with time in the middle (a view), then seen in the course layout (n_y, m, T_x)
    states = caches["stack"][:n_a, 1:].reshape(n_a, T_x * m)
    y_pred = softmax(Wya @ states + by).reshape(Wya.shape[0], T_x, m).transpose(0, 2, 1)
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
    check_cache(where, "caches", caches, "rnn_sequence", "rnn_forward or rnn_states_forward")
    keep_state_grads = check_flag(where, "keep_state_grads", keep_state_grads)
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
        "dx": (W[:, n_a:n_a + n_x].T @ dz2).reshape(n_x, T_x, m).transpose(0, 2, 1),   # a new array
        "da0": da_rec,
        "dWax": np.ascontiguousarray(dW[:, n_a:n_a + n_x]),
        "dWaa": np.ascontiguousarray(dW[:, :n_a]),
        "dba": np.ascontiguousarray(dW[:, n_a + n_x:]),
    }
    if keep_state_grads:
        grads["da_steps"] = da_steps.transpose(0, 2, 1)      # a new array, in the course layout
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
    Waa, Wax = check_arrays("stack_Wa", Waa=(Waa, "(n_a, n_a)"), Wax=(Wax, "(n_a, n_x)"))
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
    check_choice(where, "activation", activation, tuple(ACTIVATIONS))
    Wa, a_prev, xt, ba = check_arrays(where, Wa=(Wa, "(n_a, n_a + n_x)"), a_prev=(a_prev, "(n_a, m)"),
                                      xt=(xt, "(n_x, m)"), ba=(ba, "(n_a, 1)"))
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
