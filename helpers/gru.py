"""The Gated Recurrent Unit (GRU): forward pass and backpropagation through time.

The GRU keeps a memory cell c and outputs it as its activation, a<t> = c<t>. At every step two
gates, each a number in (0, 1) per unit, decide how the memory changes:

    Gamma_r   = sigmoid(Wr @ [c<t-1>; x<t>] + br)                relevance gate
    Gamma_u   = sigmoid(Wu @ [c<t-1>; x<t>] + bu)                update gate
    c_tilde<t> = tanh(Wc @ [Gamma_r * c<t-1>; x<t>] + bc)        candidate for the new memory
    c<t>      = Gamma_u * c_tilde<t> + (1 - Gamma_u) * c<t-1>
    y_hat<t>  = softmax(Wy @ c<t> + by)

Gamma_u = 1 replaces the memory by the candidate; Gamma_u = 0 copies c<t-1> unchanged, which is how
a GRU carries information (and gradient) across many steps. Gamma_r decides how much of the old
memory the candidate may look at.

The simplified GRU (``simplified=True``, the lecture's first version) has no relevance gate:

    c_tilde<t> = tanh(Wc @ [c<t-1>; x<t>] + bc)

and its parameters have no ``Wr`` / ``br``.

Shapes. Every gate weight acts on the stacked column [c<t-1>; x<t>] (c<t-1> on top):
Wu, Wr, Wc (n_a, n_a + n_x); bu, br, bc (n_a, 1); Wy (n_y, n_a); by (n_y, 1).
One step: xt (n_x, m), c_prev (n_a, m). A sequence: x (n_x, m, T_x), c0 (n_a, m), c (n_a, m, T_x).

A note on other GRUs. Some frameworks (for example the cuDNN-style GRU) apply the reset gate after
the matrix product, r * (U @ h), instead of to the state before it, and let the update gate weight
the OLD state, h<t> = z * h<t-1> + (1 - z) * h_tilde. Those are different models with different
parameters; this module implements the lecture's GRU exactly as written above.

Backward pass. Write dc for dL/dc<t> (everything that reaches c<t>: from the loss at step t and from
step t+1). The chain rule through the equations above gives, with z_u, z_r, z_c the pre-activations:

    dc_tilde  = dc * Gamma_u                    dz_c = dc_tilde * (1 - c_tilde**2)
    dGamma_u  = dc * (c_tilde - c<t-1>)         dz_u = dGamma_u * Gamma_u * (1 - Gamma_u)
    d[Gamma_r * c<t-1>; x<t>] = Wc.T @ dz_c     (split into its top n_a rows, d_rc, and the rest)
    dGamma_r  = d_rc * c<t-1>                   dz_r = dGamma_r * Gamma_r * (1 - Gamma_r)
    dWc = dz_c @ [Gamma_r * c<t-1>; x<t>].T     dWu = dz_u @ [c<t-1>; x<t>].T   (same for Wr)
    dc<t-1> = dc * (1 - Gamma_u) + d_rc * Gamma_r + top rows of (Wu.T @ dz_u + Wr.T @ dz_r)
    dx<t>   = bottom rows of (Wc.T @ dz_c + Wu.T @ dz_u + Wr.T @ dz_r)

Gate override. Every forward function takes ``override``, a dict that may hold "Gamma_u" and (full
GRU only) "Gamma_r": values in [0, 1] that are used instead of the computed gates. The notebooks use
it to set a gate by hand and watch what the memory does. An overridden gate is a constant: no
gradient flows into its weights (its dW and db are zero).

Cache layout (read only by the matching backward function and by ``gru_gates``):

    cell cache (gru_cell_forward), a dict:
        "xt" (n_x, m), "c_prev" (n_a, m), "c_next" (n_a, m),
        "Gamma_u" (n_a, m), "Gamma_r" (n_a, m) or None if simplified, "c_tilde" (n_a, m),
        "parameters" (the checked gate parameters), "simplified" (bool),
        "overridden" (tuple of the overridden gate names, e.g. ("Gamma_u",))
    sequence caches (gru_forward, gru_states_forward), a dict, every per-step array stored with time
    FIRST so that the arrays of one step are contiguous in memory (the loops over t read them fast):
        "xs" (T_x, n_x, m), "c_all" (T_x + 1, n_a, m) with c_all[0] = c0 and c_all[t] = c<t>,
        "Gamma_u", "Gamma_r" (or None), "c_tilde", each (T_x, n_a, m),
        "parameters", "simplified", "overridden" as above
    (gru_gates returns the gates in the course layout (n_a, m, T_x).)
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    check_finite,
    check_ndim,
    check_entries,
    check_positive_int,
    check_shape,
    check_time_steps,
    fmt_shape,
    get_param,
)
from .activations import sigmoid, softmax

__all__ = [
    "gru_cell_forward",
    "gru_cell_backward",
    "gru_forward",
    "gru_states_forward",
    "gru_backward",
    "gru_gates",
    "initialize_gru_parameters",
]

_CELL_CACHE_KEYS = ("xt", "c_prev", "c_next", "Gamma_u", "Gamma_r", "c_tilde",
                    "parameters", "simplified", "overridden")
_SEQUENCE_CACHE_KEYS = ("xs", "c_all", "Gamma_u", "Gamma_r", "c_tilde",
                        "parameters", "simplified", "overridden")


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _check_flag(where, name, value) -> bool:
    """Return ``value`` as a bool, or raise ValueError if it is not True / False."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def _gate_names(simplified):
    """The gates of the model, in the order used throughout: u (update), r (relevance), c (candidate)."""
    return ("u", "c") if simplified else ("u", "r", "c")


def _check_parameters(where, parameters, simplified, with_output):
    """Check the GRU parameter dict and return (checked float64 dict, n_a, n_x).

    The sizes are read from Wc (n_a, n_a + n_x); every other parameter must agree with it.
    """
    Wc = get_param(where, parameters, "Wc")
    check_ndim(where, "parameters['Wc']", Wc, 2, "(n_a, n_a + n_x)")
    n_a, width = Wc.shape
    if n_a < 1 or width <= n_a:
        raise ValueError(f"{where}: parameters['Wc'] must have shape (n_a, n_a + n_x) with n_a >= 1 and "
                         f"n_x >= 1 (more columns than rows), got {fmt_shape(Wc.shape)}")
    n_x = width - n_a
    because = f"to match parameters['Wc'] {fmt_shape(Wc.shape)}"

    expected = {}
    for g in _gate_names(simplified):
        expected["W" + g] = ((n_a, n_a + n_x), "(n_a, n_a + n_x)")
        expected["b" + g] = ((n_a, 1), "(n_a, 1)")
    if with_output:
        Wy = get_param(where, parameters, "Wy")
        check_ndim(where, "parameters['Wy']", Wy, 2, "(n_y, n_a)")
        expected["Wy"] = ((Wy.shape[0], n_a), "(n_y, n_a)")
        expected["by"] = ((Wy.shape[0], 1), "(n_y, 1)")

    checked = {}
    for key, (shape, layout) in expected.items():
        arr = get_param(where, parameters, key)
        check_shape(where, f"parameters['{key}']", arr, shape, layout, because)
        check_finite(where, f"parameters['{key}']", arr)
        checked[key] = arr
    return checked, n_a, n_x


def _check_override(where, override, simplified, target, layout):
    """Check the gate override and return a dict gate name -> own array of shape ``target``.

    override : None or dict with keys among "Gamma_u" and (full GRU only) "Gamma_r".
        Each value is a scalar or an array with as many dimensions as ``target`` whose every axis has
        length 1 or the length of ``target``'s axis, with all entries in [0, 1].
    """
    if override is None:
        return {}
    if not isinstance(override, dict):
        raise ValueError(f"{where}: override must be None or a dict of gate values, got {type(override).__name__}")
    allowed = ("Gamma_u",) if simplified else ("Gamma_u", "Gamma_r")
    fixed = {}
    for key, value in override.items():
        if key not in allowed:
            why = " (the simplified GRU has no relevance gate)" if key == "Gamma_r" else ""
            raise ValueError(f"{where}: override has an unknown key {key!r}{why}; "
                             f"allowed keys: {', '.join(allowed)}")
        name = f"override['{key}']"
        arr = as_float_array(where, name, value)
        fits = arr.ndim == 0 or (arr.ndim == len(target) and
                                 all(s in (1, n) for s, n in zip(arr.shape, target)))
        if not fits:
            raise ValueError(f"{where}: {name} must be a scalar or a {len(target)}-D array broadcastable to "
                             f"{layout} = {fmt_shape(target)}, got shape {fmt_shape(arr.shape)}")
        check_finite(where, name, arr)
        if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
            raise ValueError(f"{where}: {name} must lie in [0, 1] (it is a gate value), "
                             f"got values from {arr.min()} to {arr.max()}")
        fixed[key] = np.array(np.broadcast_to(arr, target))  # our own writable copy
    return fixed


def _check_state_and_input(where, x_name, x, x_layout, state_name, state, n_a, n_x, Wc_shape):
    """Check the previous/initial state (n_a, m) and the input (n_x, m[, T_x]); return both as float64."""
    state = as_float_array(where, state_name, state)
    check_ndim(where, state_name, state, 2, "(n_a, m)")
    check_shape(where, state_name, state, (n_a, None), "(n_a, m)",
                f"to match parameters['Wc'] {fmt_shape(Wc_shape)}")
    m = state.shape[1]

    x = as_float_array(where, x_name, x)
    ndim = 3 if "T_x" in x_layout else 2
    check_ndim(where, x_name, x, ndim, x_layout)
    if ndim == 3:
        check_time_steps(where, x_name, x)
    expected = (n_x, m, None) if ndim == 3 else (n_x, m)
    check_shape(where, x_name, x, expected, x_layout,
                f"to match parameters['Wc'] {fmt_shape(Wc_shape)} and {state_name} {fmt_shape(state.shape)}")
    check_finite(where, x_name, x)
    check_finite(where, state_name, state)
    return x, state


def _check_cache(where, name, cache, keys, made_by):
    """Raise ValueError unless ``cache`` looks like what ``made_by`` returns."""
    if not isinstance(cache, dict) or any(k not in cache for k in keys):
        raise ValueError(f"{where}: {name} must be the {name} returned by {made_by}, "
                         f"got {type(cache).__name__}")


# ----------------------------------------------------------------------------------------------
# one step
# ----------------------------------------------------------------------------------------------

def gru_cell_forward(xt, c_prev, parameters, simplified=False, override=None):
    """One step of the GRU.

        Gamma_r    = sigmoid(Wr @ [c_prev; xt] + br)              (full GRU only)
        Gamma_u    = sigmoid(Wu @ [c_prev; xt] + bu)
        c_tilde    = tanh(Wc @ [Gamma_r * c_prev; xt] + bc)       (simplified: [c_prev; xt])
        c_next     = Gamma_u * c_tilde + (1 - Gamma_u) * c_prev
        yt_pred    = softmax(Wy @ c_next + by)

    Parameters
    ----------
    xt : ndarray (n_x, m)
        Input at this step, one column per example.
    c_prev : ndarray (n_a, m)
        Memory cell after the previous step, c<t-1> (= a<t-1>).
    parameters : dict
        Wu, Wc (and Wr for the full GRU) : ndarray (n_a, n_a + n_x), acting on [c_prev; xt];
        bu, bc (and br) : ndarray (n_a, 1); Wy : ndarray (n_y, n_a); by : ndarray (n_y, 1).
    simplified : bool
        True for the GRU without relevance gate (then Wr, br are not needed).
    override : None or dict
        "Gamma_u" and/or (full GRU) "Gamma_r": gate values in [0, 1] used instead of the computed
        gates, each a scalar or an array broadcastable to (n_a, m) such as (n_a, 1).

    Returns
    -------
    c_next : ndarray (n_a, m)
        The new memory cell c<t> (= a<t>).
    yt_pred : ndarray (n_y, m)
        The prediction y_hat<t>; every column sums to 1.
    cache : dict
        What gru_cell_backward needs (see the module docstring for the layout).
    """
    where = "gru_cell_forward"
    simplified = _check_flag(where, "simplified", simplified)
    p, n_a, n_x = _check_parameters(where, parameters, simplified, with_output=True)
    xt, c_prev = _check_state_and_input(where, "xt", xt, "(n_x, m)", "c_prev", c_prev,
                                        n_a, n_x, p["Wc"].shape)
    fixed = _check_override(where, override, simplified, c_prev.shape, "(n_a, m)")

    concat = np.concatenate([c_prev, xt], axis=0)  # [c<t-1>; x<t>]
    if "Gamma_u" in fixed:
        Gamma_u = fixed["Gamma_u"]
    else:
        Gamma_u = sigmoid(p["Wu"] @ concat + p["bu"])
    if simplified:
        Gamma_r = None
        concat_r = concat
    else:
        if "Gamma_r" in fixed:
            Gamma_r = fixed["Gamma_r"]
        else:
            Gamma_r = sigmoid(p["Wr"] @ concat + p["br"])
        concat_r = np.concatenate([Gamma_r * c_prev, xt], axis=0)  # [Gamma_r * c<t-1>; x<t>]
    c_tilde = np.tanh(p["Wc"] @ concat_r + p["bc"])
    c_next = Gamma_u * c_tilde + (1.0 - Gamma_u) * c_prev
    yt_pred = softmax(p["Wy"] @ c_next + p["by"])

    gate_params = {k: v for k, v in p.items() if k not in ("Wy", "by")}
    cache = {"xt": xt, "c_prev": c_prev, "c_next": c_next,
             "Gamma_u": Gamma_u, "Gamma_r": Gamma_r, "c_tilde": c_tilde,
             "parameters": gate_params, "simplified": simplified, "overridden": tuple(sorted(fixed))}
    return c_next, yt_pred, cache


def gru_cell_backward(dc_next, cache):
    """Backward pass of one GRU step: from dL/dc<t> to the gradients of its inputs and parameters.

        dc_tilde = dc_next * Gamma_u,   dz_c = dc_tilde * (1 - c_tilde**2)
        dz_u = dc_next * (c_tilde - c_prev) * Gamma_u * (1 - Gamma_u)          (0 if Gamma_u overridden)
        d_rc = top n_a rows of Wc.T @ dz_c,   dz_r = d_rc * c_prev * Gamma_r * (1 - Gamma_r)
        dWc = dz_c @ [Gamma_r * c_prev; xt].T,  dWu = dz_u @ [c_prev; xt].T,  dWr = dz_r @ [c_prev; xt].T
        dc_prev = dc_next * (1 - Gamma_u) + d_rc * Gamma_r + top rows of (Wu.T @ dz_u + Wr.T @ dz_r)
        dxt = bottom rows of (Wc.T @ dz_c + Wu.T @ dz_u + Wr.T @ dz_r)

    (For the simplified GRU read Gamma_r = 1 and drop dz_r.)

    Parameters
    ----------
    dc_next : ndarray (n_a, m)
        dL/dc<t>, the total gradient reaching the output of this step (= dL/da<t>).
    cache : dict
        The cache returned by gru_cell_forward.

    Returns
    -------
    gradients : dict
        dxt (n_x, m), dc_prev (n_a, m), dWu (n_a, n_a + n_x), dbu (n_a, 1),
        dWr (n_a, n_a + n_x), dbr (n_a, 1) (full GRU only), dWc (n_a, n_a + n_x), dbc (n_a, 1).
    """
    where = "gru_cell_backward"
    _check_cache(where, "cache", cache, _CELL_CACHE_KEYS, "gru_cell_forward")
    c_prev, xt, c_tilde = cache["c_prev"], cache["xt"], cache["c_tilde"]
    Gamma_u, Gamma_r = cache["Gamma_u"], cache["Gamma_r"]
    p, simplified, overridden = cache["parameters"], cache["simplified"], cache["overridden"]
    dc_next = as_float_array(where, "dc_next", dc_next)
    check_ndim(where, "dc_next", dc_next, 2, "(n_a, m)")
    check_shape(where, "dc_next", dc_next, c_prev.shape, "(n_a, m)",
                f"to match the cache (c_next {fmt_shape(c_prev.shape)})")
    check_finite(where, "dc_next", dc_next)
    n_a = c_prev.shape[0]
    concat = np.concatenate([c_prev, xt], axis=0)

    # c_next = Gamma_u * c_tilde + (1 - Gamma_u) * c_prev
    dc_tilde = dc_next * Gamma_u
    dGamma_u = dc_next * (c_tilde - c_prev)
    dc_prev = dc_next * (1.0 - Gamma_u)

    # c_tilde = tanh(Wc @ [Gamma_r * c_prev; xt] + bc)
    dz_c = dc_tilde * (1.0 - c_tilde ** 2)
    concat_r = concat if simplified else np.concatenate([Gamma_r * c_prev, xt], axis=0)
    dWc = dz_c @ concat_r.T
    dbc = dz_c.sum(axis=1, keepdims=True)
    dconcat_r = p["Wc"].T @ dz_c
    d_rc = dconcat_r[:n_a]           # dL/d(Gamma_r * c_prev), or dL/dc_prev directly if simplified
    dxt = dconcat_r[n_a:].copy()
    if simplified:
        dc_prev = dc_prev + d_rc
    else:
        dc_prev = dc_prev + d_rc * Gamma_r
        dGamma_r = d_rc * c_prev

    # the gates: Gamma = sigmoid(W @ [c_prev; xt] + b), unless overridden (then a constant)
    grads = {}
    gate_grads = [("u", "Gamma_u", Gamma_u, dGamma_u)]
    if not simplified:
        gate_grads.append(("r", "Gamma_r", Gamma_r, dGamma_r))
    for g, name, Gamma, dGamma in gate_grads:
        if name in overridden:
            grads["dW" + g] = np.zeros_like(p["W" + g])
            grads["db" + g] = np.zeros_like(p["b" + g])
            continue
        dz = dGamma * Gamma * (1.0 - Gamma)
        grads["dW" + g] = dz @ concat.T
        grads["db" + g] = dz.sum(axis=1, keepdims=True)
        dconcat = p["W" + g].T @ dz
        dc_prev = dc_prev + dconcat[:n_a]
        dxt = dxt + dconcat[n_a:]

    out = {"dxt": dxt, "dc_prev": dc_prev, "dWu": grads["dWu"], "dbu": grads["dbu"]}
    if not simplified:
        out["dWr"], out["dbr"] = grads["dWr"], grads["dbr"]
    out["dWc"], out["dbc"] = dWc, dbc
    return out


# ----------------------------------------------------------------------------------------------
# a whole sequence
# ----------------------------------------------------------------------------------------------

def _states_forward(where, x, c0, parameters, simplified, override, with_output):
    """Run the GRU recurrence over all T_x steps; return (c, caches, checked parameters)."""
    simplified = _check_flag(where, "simplified", simplified)
    p, n_a, n_x = _check_parameters(where, parameters, simplified, with_output)
    x, c0 = _check_state_and_input(where, "x", x, "(n_x, m, T_x)", "c0", c0, n_a, n_x, p["Wc"].shape)
    m, T_x = x.shape[1], x.shape[2]
    fixed = _check_override(where, override, simplified, (n_a, m, T_x), "(n_a, m, T_x)")

    # Inside the loop time is the FIRST axis: the arrays of step t, e.g. xs[t] (n_x, m), are then
    # contiguous blocks of memory, which the products and element-wise operations of the loop read
    # much faster than the scattered columns x[:, :, t]. The outputs get the course layout back.
    xs = x.transpose(2, 0, 1).copy()                      # (T_x, n_x, m), a private copy
    # Input part of every computed gate at every step, in one batched matrix product:
    # W @ [c; x] + b = W[:, :n_a] @ c + (W[:, n_a:] @ x + b), and only the first term needs the loop.
    computed = [g for g in _gate_names(simplified) if g == "c" or f"Gamma_{g}" not in fixed]
    Wx = np.concatenate([p["W" + g][:, n_a:] for g in computed], axis=0)
    b = np.concatenate([p["b" + g] for g in computed], axis=0)
    xproj = np.matmul(Wx, xs)                             # (T_x, len(computed) * n_a, m)
    xproj += b
    px = {g: xproj[:, k * n_a:(k + 1) * n_a] for k, g in enumerate(computed)}   # (T_x, n_a, m) each
    Wu_c, Wc_c = p["Wu"][:, :n_a], p["Wc"][:, :n_a]
    Wr_c = None if simplified else p["Wr"][:, :n_a]

    def time_first(gate):
        """An overridden gate (n_a, m, T_x) as (T_x, n_a, m), or room for the computed one."""
        if gate in fixed:
            return np.ascontiguousarray(fixed[gate].transpose(2, 0, 1))
        return np.empty((T_x, n_a, m))

    c_all = np.empty((T_x + 1, n_a, m))                   # c_all[t] = c<t>, c_all[0] = c0
    c_all[0] = c0
    c_tilde = np.empty((T_x, n_a, m))                     # c_tilde[t - 1] = c_tilde<t>, and so on
    Gamma_u = time_first("Gamma_u")
    Gamma_r = None if simplified else time_first("Gamma_r")

    for t in range(T_x):
        c_prev = c_all[t]
        if "u" in px:
            Gamma_u[t] = sigmoid(Wu_c @ c_prev + px["u"][t])
        if simplified:
            rc = c_prev
        else:
            if "r" in px:
                Gamma_r[t] = sigmoid(Wr_c @ c_prev + px["r"][t])
            rc = Gamma_r[t] * c_prev
        c_tilde[t] = np.tanh(Wc_c @ rc + px["c"][t])
        c_all[t + 1] = Gamma_u[t] * c_tilde[t] + (1.0 - Gamma_u[t]) * c_prev

    c = c_all[1:].transpose(1, 2, 0).copy()              # (n_a, m, T_x), not a view of the cache
    gate_params = {k: v for k, v in p.items() if k not in ("Wy", "by")}
    caches = {"xs": xs, "c_all": c_all, "Gamma_u": Gamma_u, "Gamma_r": Gamma_r, "c_tilde": c_tilde,
              "parameters": gate_params, "simplified": simplified, "overridden": tuple(sorted(fixed))}
    return c, caches, p


def gru_states_forward(x, c0, parameters, simplified=False, override=None):
    """The GRU recurrence over a whole sequence, without the output layer.

        c<t> = Gamma_u<t> * c_tilde<t> + (1 - Gamma_u<t>) * c<t-1>,   t = 1 .. T_x,   c<0> = c0

    with the gates and the candidate of gru_cell_forward at each step.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        The input sequence, time on the last axis.
    c0 : ndarray (n_a, m)
        The initial memory cell c<0>.
    parameters : dict
        Wu, Wc (and Wr) : ndarray (n_a, n_a + n_x); bu, bc (and br) : ndarray (n_a, 1).
        Wy and by are not needed.
    simplified : bool
        True for the GRU without relevance gate.
    override : None or dict
        "Gamma_u" and/or (full GRU) "Gamma_r": gate values in [0, 1] used instead of the computed
        gates, each a scalar or an array broadcastable to (n_a, m, T_x), e.g. (n_a, 1, 1) or (1, 1, T_x).

    Returns
    -------
    c : ndarray (n_a, m, T_x)
        The memory cell c<t> (= a<t>) after every step.
    caches : dict
        What gru_backward and gru_gates need (see the module docstring for the layout).
    """
    c, caches, _ = _states_forward("gru_states_forward", x, c0, parameters, simplified, override,
                                   with_output=False)
    return c, caches


def gru_forward(x, c0, parameters, simplified=False, override=None):
    """Forward pass of the GRU over a whole sequence, with a softmax output at every step.

        c<t>     = Gamma_u<t> * c_tilde<t> + (1 - Gamma_u<t>) * c<t-1>,   c<0> = c0
        y_hat<t> = softmax(Wy @ c<t> + by)

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        The input sequence, time on the last axis.
    c0 : ndarray (n_a, m)
        The initial memory cell c<0>.
    parameters : dict
        Wu, Wc (and Wr) : ndarray (n_a, n_a + n_x); bu, bc (and br) : ndarray (n_a, 1);
        Wy : ndarray (n_y, n_a); by : ndarray (n_y, 1).
    simplified : bool
        True for the GRU without relevance gate.
    override : None or dict
        "Gamma_u" and/or (full GRU) "Gamma_r": gate values in [0, 1] used instead of the computed
        gates, each a scalar or an array broadcastable to (n_a, m, T_x).

    Returns
    -------
    c : ndarray (n_a, m, T_x)
        The memory cell c<t> (= a<t>) after every step.
    y_pred : ndarray (n_y, m, T_x)
        The predictions y_hat<t>; every column of every step sums to 1.
    caches : dict
        What gru_backward and gru_gates need.
    """
    c, caches, p = _states_forward("gru_forward", x, c0, parameters, simplified, override,
                                   with_output=True)
    n_a, m, T_x = c.shape
    scores = p["Wy"] @ c.reshape(n_a, m * T_x) + p["by"]  # all steps in one product
    y_pred = softmax(scores).reshape(-1, m, T_x)
    return c, y_pred, caches


def gru_backward(dc, caches, keep_state_grads=False):
    """Backpropagation through time for the GRU.

    Going backwards from t = T_x to 1, the gradient reaching c<t> is

        dc_total<t> = dc<t> + dL/dc<t> through step t+1      (dc<t> from the loss, the rest from the future)

    and each step is differentiated as in gru_cell_backward. The weight gradients are the sums over
    all steps, e.g. dWu = sum_t dz_u<t> @ [c<t-1>; x<t>].T, computed as one matrix product.

    Parameters
    ----------
    dc : ndarray (n_a, m, T_x)
        dL/dc<t> (= dL/da<t>) from outside the recurrence, e.g. from the output layer at each step.
    caches : dict
        The caches returned by gru_forward or gru_states_forward.
    keep_state_grads : bool
        If True, also return "dc_steps", the total dL/dc<t> at every step (for gradient-flow plots).

    Returns
    -------
    gradients : dict
        dx (n_x, m, T_x), dc0 (n_a, m), dWu (n_a, n_a + n_x), dbu (n_a, 1),
        dWr (n_a, n_a + n_x), dbr (n_a, 1) (full GRU only), dWc (n_a, n_a + n_x), dbc (n_a, 1),
        and dc_steps (n_a, m, T_x) if keep_state_grads.
    """
    where = "gru_backward"
    _check_cache(where, "caches", caches, _SEQUENCE_CACHE_KEYS, "gru_forward or gru_states_forward")
    keep_state_grads = _check_flag(where, "keep_state_grads", keep_state_grads)
    # the caches hold every step with time first (see _states_forward): c_all[t] = c<t>, c_all[0] = c0
    xs, c_all = caches["xs"], caches["c_all"]
    Gamma_u, Gamma_r, c_tilde = caches["Gamma_u"], caches["Gamma_r"], caches["c_tilde"]
    p, simplified, overridden = caches["parameters"], caches["simplified"], caches["overridden"]
    T_x, n_a, m = c_tilde.shape
    shape = (n_a, m, T_x)
    dc = as_float_array(where, "dc", dc)
    check_ndim(where, "dc", dc, 3, "(n_a, m, T_x)")
    check_time_steps(where, "dc", dc)
    check_shape(where, "dc", dc, shape, "(n_a, m, T_x)", f"to match the caches (c {fmt_shape(shape)})")
    check_finite(where, "dc", dc)

    c_prevs = c_all[:T_x]                                    # c<t-1> for every step, (T_x, n_a, m)
    dc_up = np.ascontiguousarray(dc.transpose(2, 0, 1))     # dc_up[t - 1] = dc<t> from outside
    computed = [g for g in _gate_names(simplified) if g == "c" or f"Gamma_{g}" not in overridden]
    dz_all = np.empty((T_x, len(computed) * n_a, m))       # pre-activation gradients of the computed gates
    dz = {g: dz_all[:, k * n_a:(k + 1) * n_a] for k, g in enumerate(computed)}   # (T_x, n_a, m) views
    Wu_c, Wc_c = p["Wu"][:, :n_a], p["Wc"][:, :n_a]
    Wr_c = None if simplified else p["Wr"][:, :n_a]
    dc_steps = np.empty((T_x, n_a, m)) if keep_state_grads else None

    dc_future = np.zeros((n_a, m))  # dL/dc<t> through step t+1
    for t in reversed(range(T_x)):
        dct = dc_up[t] + dc_future
        if keep_state_grads:
            dc_steps[t] = dct
        Gu, ct, cp = Gamma_u[t], c_tilde[t], c_prevs[t]
        dz["c"][t] = dct * Gu * (1.0 - ct ** 2)
        dc_future = dct * (1.0 - Gu)
        d_rc = Wc_c.T @ dz["c"][t]
        if simplified:
            dc_future = dc_future + d_rc
        else:
            Gr = Gamma_r[t]
            dc_future = dc_future + d_rc * Gr
            if "r" in dz:
                dz["r"][t] = d_rc * cp * Gr * (1.0 - Gr)
                dc_future = dc_future + Wr_c.T @ dz["r"][t]
        if "u" in dz:
            dz["u"][t] = dct * (ct - cp) * Gu * (1.0 - Gu)
            dc_future = dc_future + Wu_c.T @ dz["u"][t]

    # Everything that does not feed the recurrence, for all steps at once: each weight gradient is
    # one product that sums over the steps and the examples, e.g. dWu = sum_t dz_u<t> @ [c<t-1>; x<t>].T.
    Wx = np.concatenate([p["W" + g][:, n_a:] for g in computed], axis=0)
    dx = np.matmul(Wx.T, dz_all).transpose(1, 2, 0).copy()          # (n_x, m, T_x)
    concat = np.concatenate([c_prevs, xs], axis=1)  # [c<t-1>; x<t>] for every step
    concat_r = concat if simplified else np.concatenate([Gamma_r * c_prevs, xs], axis=1)
    grads = {"dx": dx, "dc0": dc_future}
    for g in _gate_names(simplified):
        if g in dz:
            grads["dW" + g] = np.tensordot(dz[g], concat_r if g == "c" else concat, axes=([0, 2], [0, 2]))
            grads["db" + g] = dz[g].sum(axis=(0, 2)).reshape(n_a, 1)
        else:  # an overridden gate is a constant
            grads["dW" + g] = np.zeros_like(p["W" + g])
            grads["db" + g] = np.zeros_like(p["b" + g])
    if keep_state_grads:
        grads["dc_steps"] = dc_steps.transpose(1, 2, 0).copy()
    return grads


def gru_gates(caches):
    """The gate values and candidates of a forward run, for plotting.

    Parameters
    ----------
    caches : dict
        The caches returned by gru_forward or gru_states_forward.

    Returns
    -------
    gates : dict
        "Gamma_u" (n_a, m, T_x), "Gamma_r" (n_a, m, T_x) (full GRU only), "c_tilde" (n_a, m, T_x);
        copies, so changing them does not change the caches.
    """
    _check_cache("gru_gates", "caches", caches, _SEQUENCE_CACHE_KEYS, "gru_forward or gru_states_forward")
    # the caches hold them with time first, (T_x, n_a, m): back to the course layout, as copies
    gates = {"Gamma_u": caches["Gamma_u"].transpose(1, 2, 0).copy()}
    if not caches["simplified"]:
        gates["Gamma_r"] = caches["Gamma_r"].transpose(1, 2, 0).copy()
    gates["c_tilde"] = caches["c_tilde"].transpose(1, 2, 0).copy()
    return gates


def initialize_gru_parameters(n_x, n_a, n_y, seed=0, simplified=False):
    """Random GRU parameters: every weight ~ N(0, 1 / fan_in), every bias 0.

    fan_in is n_a + n_x for the gate weights (they act on [c<t-1>; x<t>]) and n_a for Wy.
    The weights are drawn in the order Wu, Wc, Wy, then Wr, so a full and a simplified GRU with the
    same seed share Wu, Wc and Wy.

    Parameters
    ----------
    n_x : int >= 1, size of an input vector x<t>.
    n_a : int >= 1, number of units (size of c<t>).
    n_y : int >= 1, size of an output vector y_hat<t>.
    seed : int >= 0, seed of np.random.default_rng.
    simplified : bool, True for the GRU without relevance gate (no Wr, br).

    Returns
    -------
    parameters : dict
        Wu, Wc (and Wr) (n_a, n_a + n_x); bu, bc (and br) (n_a, 1); Wy (n_y, n_a); by (n_y, 1).
    """
    where = "initialize_gru_parameters"
    n_x = check_positive_int(where, "n_x", n_x)
    n_a = check_positive_int(where, "n_a", n_a)
    n_y = check_positive_int(where, "n_y", n_y)
    check_entries(where, 3 * n_a * (n_a + n_x + 1) + n_y * (n_a + 1), f"n_x = {n_x}, n_a = {n_a} and n_y = {n_y}")
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    simplified = _check_flag(where, "simplified", simplified)

    rng = np.random.default_rng(seed)
    gate_std = np.sqrt(1.0 / (n_a + n_x))
    parameters = {
        "Wu": rng.normal(0.0, gate_std, (n_a, n_a + n_x)), "bu": np.zeros((n_a, 1)),
        "Wc": rng.normal(0.0, gate_std, (n_a, n_a + n_x)), "bc": np.zeros((n_a, 1)),
        "Wy": rng.normal(0.0, np.sqrt(1.0 / n_a), (n_y, n_a)), "by": np.zeros((n_y, 1)),
    }
    if not simplified:
        parameters["Wr"] = rng.normal(0.0, gate_std, (n_a, n_a + n_x))
        parameters["br"] = np.zeros((n_a, 1))
    return parameters
