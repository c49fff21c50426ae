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
(The sequence functions may return transposed views of new arrays in that layout: the values count,
not the memory order.)

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

    cell cache (gru_cell_forward), a dict of private copies laid out like the RNN's and the LSTM's
    (see helpers.cells): "kind" = "gru_cell", "xt" (n_x, m), "c_prev" (n_a, m), "c_next" (n_a, m),
        "Gamma_u" (n_a, m), "Gamma_r" (n_a, m) or None if simplified, "c_tilde" (n_a, m),
        "parameters" (the checked gate parameters), "simplified" (bool),
        "overridden" (tuple of the overridden gate names, e.g. ("Gamma_u",))
    sequence caches (gru_forward, gru_states_forward), a dict: "kind" = "gru_sequence",
        "stack" (n_a + n_x + 1, T_x + 1, m) with stack[:, t - 1] = [c<t-1>; x<t>; 1] and "rstack"
        (n_a + n_x + 1, T_x, m) with rstack[:, t - 1] = [Gamma_r * c<t-1>; x<t>; 1] (None if simplified),
        time on the MIDDLE axis so that the matrices of all steps, which give the weight and bias
        gradients in one product each, are views; "gates" (T_x, n_g * n_a, m) = [Gamma_u; Gamma_r;
        c_tilde] of every step, time FIRST (one contiguous block per step), with views of it
        "Gamma_u", "Gamma_r" (or None), "c_tilde", each (T_x, n_a, m); "W" (n_g * n_a, n_a + n_x + 1) =
        rows [u; r; c] of [W_g | b_g]; "parameters", "simplified", "overridden" as above
    (gru_gates returns the gates in the course layout (n_a, m, T_x).)
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    check_arrays,
    check_cache,
    check_entries,
    check_finite,
    check_flag,
    check_ndim,
    check_positive_int,
    check_shape,
    check_time_steps,
    private_copy,
    fmt_shape,
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

# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _gate_names(simplified):
    """The gates of the model, in the order used throughout: u (update), r (relevance), c (candidate)."""
    return ("u", "c") if simplified else ("u", "r", "c")


def _layouts(simplified, with_output):
    """The layouts of the GRU parameters, for check_arrays; Wc first, so the sizes are read from it."""
    layouts = {}
    for g in ("c",) + _gate_names(simplified)[:-1]:
        layouts["W" + g] = "(n_a, n_a + n_x)"
        layouts["b" + g] = "(n_a, 1)"
    if with_output:
        layouts.update(Wy="(n_y, n_a)", by="(n_y, 1)")
    return layouts


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


# ----------------------------------------------------------------------------------------------
# one step
# ----------------------------------------------------------------------------------------------

def gru_cell_forward(xt, c_prev, parameters, simplified=False, override=None):
    """One step of the GRU.

        concat  = [c_prev; xt]
        Gamma_r = sigmoid(Wr @ concat + br)                     (full GRU only)
        Gamma_u = sigmoid(Wu @ concat + bu)
        c_tilde = tanh(Wc @ [Gamma_r * c_prev; xt] + bc)        (simplified: Wc @ concat)
        c_next  = Gamma_u * c_tilde + (1 - Gamma_u) * c_prev
        yt_pred = softmax(Wy @ c_next + by)

    Parameters
    ----------
    xt : ndarray (n_x, m)
        Input at this step x<t>, one column per example.
    c_prev : ndarray (n_a, m)
        Memory cell after the previous step, c<t-1> (= a<t-1>).
    parameters : dict
        Wc, Wu (and Wr for the full GRU) : ndarray (n_a, n_a + n_x), acting on [c_prev; xt];
        bc, bu (and br) : ndarray (n_a, 1); Wy : ndarray (n_y, n_a); by : ndarray (n_y, 1).
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
        What gru_cell_backward needs: private copies of "xt", "c_prev", "c_next", "Gamma_u",
        "Gamma_r" (None if simplified), "c_tilde" and of the gate "parameters", with "simplified" and
        "overridden" (the names of the overridden gates).
    """
    where = "gru_cell_forward"
    simplified = check_flag(where, "simplified", simplified)
    p, c_prev, xt = check_arrays(where, parameters=(parameters, _layouts(simplified, with_output=True)),
                                 c_prev=(c_prev, "(n_a, m)"), xt=(xt, "(n_x, m)"))
    fixed = _check_override(where, override, simplified, c_prev.shape, "(n_a, m)")
    Wu, Wr, Wc, bu, br, bc = (p.get(k) for k in ("Wu", "Wr", "Wc", "bu", "br", "bc"))   # no Wr, br if simplified
    Wy, by = p["Wy"], p["by"]

    concat = np.concatenate([c_prev, xt], axis=0)
    Gamma_u = fixed["Gamma_u"] if "Gamma_u" in fixed else sigmoid(Wu @ concat + bu)
    if simplified:
        Gamma_r, concat_r = None, concat
    else:
        Gamma_r = fixed["Gamma_r"] if "Gamma_r" in fixed else sigmoid(Wr @ concat + br)
        concat_r = np.concatenate([Gamma_r * c_prev, xt], axis=0)
    c_tilde = np.tanh(Wc @ concat_r + bc)
    c_next = Gamma_u * c_tilde + (1.0 - Gamma_u) * c_prev
    yt_pred = softmax(Wy @ c_next + by)

    cache = {"kind": "gru_cell", "xt": xt, "c_prev": c_prev, "c_next": c_next,
             "Gamma_u": Gamma_u, "Gamma_r": Gamma_r, "c_tilde": c_tilde,
             "parameters": {k: v for k, v in p.items() if k not in ("Wy", "by")},
             "simplified": simplified, "overridden": tuple(sorted(fixed))}
    return c_next, yt_pred, private_copy(cache)


def gru_cell_backward(dc_next, cache):
    """Backward pass of one GRU step: from dL/dc<t> to the gradients of its inputs and parameters.

        dz_c = dc_next * Gamma_u * (1 - c_tilde**2)                       through c_tilde
        d_rc = top n_a rows of Wc.T @ dz_c                                the gradient of Gamma_r * c_prev
        dz_u = dc_next * (c_tilde - c_prev) * Gamma_u * (1 - Gamma_u)     (sigmoid' = s (1 - s))
        dz_r = d_rc * c_prev * Gamma_r * (1 - Gamma_r)
        dWc = dz_c @ [Gamma_r * c_prev; xt].T,  dWu = dz_u @ concat.T,  dWr = dz_r @ concat.T
        dc_prev = dc_next * (1 - Gamma_u) + d_rc * Gamma_r + top rows of (Wu.T @ dz_u + Wr.T @ dz_r)
        dxt = bottom rows of (Wc.T @ dz_c + Wu.T @ dz_u + Wr.T @ dz_r)

    with concat = [c_prev; xt]. For the simplified GRU read Gamma_r = 1 and drop dz_r; an overridden
    gate is a constant, its dz is 0.

    Parameters
    ----------
    dc_next : ndarray (n_a, m)
        dL/dc<t>, the total gradient reaching the output of this step (= dL/da<t>).
    cache : dict
        The cache returned by gru_cell_forward.

    Returns
    -------
    gradients : dict
        dxt : ndarray (n_x, m), dc_prev : ndarray (n_a, m), dWu : ndarray (n_a, n_a + n_x),
        dbu : ndarray (n_a, 1), dWr, dbr (full GRU only, same shapes), dWc : ndarray (n_a, n_a + n_x),
        dbc : ndarray (n_a, 1).
    """
    check_cache("gru_cell_backward", "cache", cache, "gru_cell", "gru_cell_forward")
    xt, c_prev, c_next = cache["xt"], cache["c_prev"], cache["c_next"]
    Gamma_u, Gamma_r, c_tilde = cache["Gamma_u"], cache["Gamma_r"], cache["c_tilde"]
    Wu, Wr, Wc = (cache["parameters"].get(k) for k in ("Wu", "Wr", "Wc"))       # no Wr if simplified
    simplified, overridden = cache["simplified"], cache["overridden"]
    [dc_next] = check_arrays("gru_cell_backward", known=("c_next", c_next, "(n_a, m)"),
                             dc_next=(dc_next, "(n_a, m)"))
    n_a, zero = c_prev.shape[0], np.zeros_like(c_prev)
    concat = np.concatenate([c_prev, xt], axis=0)
    concat_r = concat if simplified else np.concatenate([Gamma_r * c_prev, xt], axis=0)

    dz_c = dc_next * Gamma_u * (1.0 - c_tilde ** 2)                    # through c_tilde
    dconcat_c = Wc.T @ dz_c
    d_rc = dconcat_c[:n_a]                                             # d(Gamma_r * c_prev)
    dz_u = zero if "Gamma_u" in overridden else dc_next * (c_tilde - c_prev) * Gamma_u * (1.0 - Gamma_u)
    dconcat_u = Wu.T @ dz_u
    grads = {"dWu": dz_u @ concat.T, "dbu": dz_u.sum(axis=1, keepdims=True)}
    if simplified:
        dc_prev = dc_next * (1.0 - Gamma_u) + d_rc + dconcat_u[:n_a]
        dxt = dconcat_c[n_a:] + dconcat_u[n_a:]
    else:
        dz_r = zero if "Gamma_r" in overridden else d_rc * c_prev * Gamma_r * (1.0 - Gamma_r)
        dconcat_r = Wr.T @ dz_r
        dc_prev = dc_next * (1.0 - Gamma_u) + d_rc * Gamma_r + dconcat_u[:n_a] + dconcat_r[:n_a]
        dxt = dconcat_c[n_a:] + dconcat_u[n_a:] + dconcat_r[n_a:]
        grads.update(dWr=dz_r @ concat.T, dbr=dz_r.sum(axis=1, keepdims=True))
    grads.update(dWc=dz_c @ concat_r.T, dbc=dz_c.sum(axis=1, keepdims=True))
    return {"dxt": dxt, "dc_prev": dc_prev, **grads}


# ----------------------------------------------------------------------------------------------
# a whole sequence
# ----------------------------------------------------------------------------------------------

def _states_forward(where, x, c0, parameters, simplified, override, with_output):
    """Run the GRU recurrence over all T_x steps; return (c, caches, checked parameters)."""
    simplified = check_flag(where, "simplified", simplified)
    p, c0, x = check_arrays(where, parameters=(parameters, _layouts(simplified, with_output)),
                            c0=(c0, "(n_a, m)"), x=(x, "(n_x, m, T_x)"))
    check_time_steps(where, "x", x)
    n_x, m, T_x = x.shape
    n_a = c0.shape[0]
    fixed = _check_override(where, override, simplified, (n_a, m, T_x), "(n_a, m, T_x)")

    # The gates side by side: rows [u; r; c] of W (no r if simplified), each row block [W_g | b_g], with
    # K = n_a + n_x + 1 columns for a stacked column [s; x<t>; 1]: the first n_a columns multiply the
    # state part s (c<t-1>, or Gamma_r * c<t-1> for the full GRU's candidate), the next n_x x<t>, the
    # last one is the bias.
    names = _gate_names(simplified)
    n_g = len(names)
    K = n_a + n_x + 1
    W = np.concatenate([np.concatenate([p["W" + g], p["b" + g]], axis=1) for g in names], axis=0)
    # Gamma_g = sigmoid(z_g) = (1 + tanh(z_g / 2)) / 2 (as activations.sigmoid computes it): the loop
    # holds z_g / 2 for the sigmoid gates, so their rows are halved once here (exact: 0.5 is a power of
    # two), and one tanh call serves them (and, simplified, the candidate c_tilde = tanh(z_c))
    n_sig = n_a if simplified else 2 * n_a                   # rows of the sigmoid gates u (and r)
    W_half = W.copy()
    W_half[:n_sig] *= 0.5
    # the gates whose state part is c<t-1>: u and r (simplified: u and c), one product per step;
    # the full GRU's candidate reads Gamma_r * c<t-1> and takes a second one
    n_first = n_g * n_a if simplified else 2 * n_a
    W_first_c = np.ascontiguousarray(W_half[:n_first, :n_a])
    Wc_c = np.ascontiguousarray(W[2 * n_a:, :n_a])
    # overridden gates with time first, so that the value of step t is one contiguous block
    fixed_steps = [(k, np.ascontiguousarray(fixed["Gamma_" + g].transpose(2, 0, 1)))
                   for k, g in enumerate(names) if "Gamma_" + g in fixed]

    # Layout. stack (K, T_x + 1, m) holds the stacked columns of every step: stack[:, t] is
    # [c<t>; x<t+1>; 1], the input of step t + 1 (its c-rows are written by step t); rstack (K, T_x, m)
    # those of the full GRU's candidate, rstack[:, t] = [Gamma_r * c<t>; x<t+1>; 1]. Time is the MIDDLE
    # axis, so each step's block is a matrix BLAS reads in place and the (K, T_x * m) matrices of all
    # steps, which the weight gradients need, are views. gates (T_x, n_g n_a, m), read only step by
    # step, has time FIRST: gates[t] = [Gamma_u; Gamma_r; c_tilde] of step t + 1, one contiguous block.
    stack = np.empty((K, T_x + 1, m))
    stack[n_a:n_a + n_x, :T_x] = x.transpose(0, 2, 1)      # a private copy of x
    stack[n_a + n_x, :T_x] = 1.0
    stack[n_a:, T_x] = 0.0                                   # the last column only holds c<T_x>
    stack[:n_a, 0] = c0
    rstack = None
    if not simplified:
        rstack = np.empty((K, T_x, m))
        rstack[n_a:] = stack[n_a:, :T_x]
    # the input part of every gate at every step, bias included, in one batched product:
    # [Wx | b] (n_g n_a, n_x + 1) @ [x<t>; 1] (T_x, n_x + 1, m)
    gates = np.matmul(W_half[:, n_a:], stack[n_a:, :T_x].transpose(1, 0, 2))  # (T_x, n_g n_a, m)
    rec = np.empty((n_first, m))                             # room for the recurrent parts
    keep = np.empty((n_a, m))                                # room for (1 - Gamma_u) * c<t-1>
    for t in range(T_x):
        z = gates[t]
        c_prev = stack[:n_a, t]
        # z_g = Wx_g @ x<t> + b_g + Wc_g @ c<t-1> for u and r (simplified: u and c), halved for u, r
        np.matmul(W_first_c, c_prev, out=rec)
        z[:n_first] += rec
        np.tanh(z[:n_first], out=z[:n_first])
        sig = z[:n_sig]                                      # tanh(z_g / 2) -> (1 + tanh(z_g / 2)) / 2
        sig += 1.0
        sig *= 0.5
        for k, values in fixed_steps:
            z[k * n_a:(k + 1) * n_a] = values[t]
        Gamma_u, c_tilde = z[:n_a], z[(n_g - 1) * n_a:]
        if not simplified:
            # c_tilde = tanh(Wx_c @ x<t> + bc + Wc_c @ (Gamma_r * c<t-1>))
            rc = rstack[:n_a, t]
            np.multiply(z[n_a:2 * n_a], c_prev, out=rc)
            np.matmul(Wc_c, rc, out=rec[:n_a])
            c_tilde += rec[:n_a]
            np.tanh(c_tilde, out=c_tilde)
        # c<t> = Gamma_u * c_tilde + (1 - Gamma_u) * c<t-1>, written where step t + 1 reads it
        np.subtract(1.0, Gamma_u, out=keep)
        keep *= c_prev
        c_next = stack[:n_a, t + 1]
        np.multiply(Gamma_u, c_tilde, out=c_next)
        c_next += keep

    # c in the course layout (n_a, m, T_x): a transposed view of a private copy (a straight copy costs
    # much less than a transposing one)
    c = np.ascontiguousarray(stack[:n_a, 1:]).transpose(0, 2, 1)
    gate_params = {k: v for k, v in p.items() if k not in ("Wy", "by")}
    caches = {"kind": "gru_sequence", "stack": stack, "rstack": rstack, "gates": gates, "W": W,
              "Gamma_u": gates[:, :n_a], "Gamma_r": None if simplified else gates[:, n_a:2 * n_a],
              "c_tilde": gates[:, (n_g - 1) * n_a:],
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
    # all steps in one product, on the states of the cache with time in the middle (a view), then seen
    # in the course layout (n_y, m, T_x)
    scores = p["Wy"] @ caches["stack"][:n_a, 1:].reshape(n_a, T_x * m) + p["by"]
    y_pred = softmax(scores).reshape(-1, T_x, m).transpose(0, 2, 1)
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
    check_cache(where, "caches", caches, "gru_sequence", "gru_forward or gru_states_forward")
    keep_state_grads = check_flag(where, "keep_state_grads", keep_state_grads)
    # the caches (see _states_forward): stack[:, t] = [c<t>; x<t+1>; 1], gates[t] = [Gamma_u; Gamma_r;
    # c_tilde] of step t + 1 (no Gamma_r if simplified), rstack[:, t] = [Gamma_r * c<t>; x<t+1>; 1]
    stack, rstack, gates, W = caches["stack"], caches["rstack"], caches["gates"], caches["W"]
    simplified, overridden = caches["simplified"], caches["overridden"]
    T_x, n_a, m = caches["c_tilde"].shape
    shape = (n_a, m, T_x)
    dc = as_float_array(where, "dc", dc)
    check_ndim(where, "dc", dc, 3, "(n_a, m, T_x)")
    check_time_steps(where, "dc", dc)
    check_shape(where, "dc", dc, shape, "(n_a, m, T_x)", f"to match the caches (c {fmt_shape(shape)})")
    check_finite(where, "dc", dc)

    names = _gate_names(simplified)
    n_g = len(names)
    K = stack.shape[0]
    n_x = K - n_a - 1
    fixed_rows = [k for k, g in enumerate(names) if "Gamma_" + g in overridden]
    # the c<t-1>-columns of the gates that read [c<t-1>; x<t>] (u, r; simplified: u, c), transposed,
    # and the full GRU's candidate columns that read Gamma_r * c<t-1>: copies, which BLAS reads faster
    W_first_T = np.ascontiguousarray(W[:n_g * n_a if simplified else 2 * n_a, :n_a].T)
    Wc_c_T = np.ascontiguousarray(W[2 * n_a:, :n_a].T)

    dz_all = np.empty((n_g * n_a, T_x, m))                   # pre-activation gradients, rows like gates
    dc_steps = np.empty((n_a, T_x, m)) if keep_state_grads else None
    # buffers of one step, reused: every operation of the loop writes into one of them
    dz = np.empty((n_g * n_a, m))
    dct, d_rc, tmp, back = (np.empty((n_a, m)) for _ in range(4))
    dc_future = np.zeros((n_a, m))                           # dL/dc<t> through step t + 1
    for t in reversed(range(T_x)):
        z = gates[t]
        Gu, ct, cp = z[:n_a], z[(n_g - 1) * n_a:], stack[:n_a, t]
        dz_u, dz_c = dz[:n_a], dz[(n_g - 1) * n_a:]
        np.add(dc[:, :, t], dc_future, out=dct)              # all of dL/dc<t> (dc read in place)
        if keep_state_grads:
            dc_steps[:, t] = dct
        # dz_c = dc * Gamma_u * (1 - c_tilde^2)
        np.multiply(ct, ct, out=dz_c)
        np.subtract(1.0, dz_c, out=dz_c)
        dz_c *= Gu
        dz_c *= dct
        # dz_u = dc * (c_tilde - c<t-1>) * Gamma_u * (1 - Gamma_u)
        np.subtract(ct, cp, out=dz_u)
        dz_u *= dct
        np.subtract(1.0, Gu, out=tmp)
        tmp *= Gu
        dz_u *= tmp
        # the direct path: dc<t-1> = dc * (1 - Gamma_u) + ...
        np.subtract(1.0, Gu, out=dc_future)
        dc_future *= dct
        if simplified:
            for k in fixed_rows:
                dz[k * n_a:(k + 1) * n_a] = 0.0
            # ... + the c-rows of Wu.T @ dz_u + Wc.T @ dz_c (both read [c<t-1>; x<t>])
            np.matmul(W_first_T, dz, out=back)
            dc_future += back
        else:
            Gr, dz_r = z[n_a:2 * n_a], dz[n_a:2 * n_a]
            # d(Gamma_r * c<t-1>) = the top rows of Wc.T @ dz_c;  ... + d_rc * Gamma_r
            np.matmul(Wc_c_T, dz_c, out=d_rc)
            np.multiply(d_rc, Gr, out=tmp)
            dc_future += tmp
            # dz_r = d_rc * c<t-1> * Gamma_r * (1 - Gamma_r)
            np.multiply(d_rc, cp, out=dz_r)
            np.subtract(1.0, Gr, out=tmp)
            tmp *= Gr
            dz_r *= tmp
            for k in fixed_rows:
                dz[k * n_a:(k + 1) * n_a] = 0.0
            # ... + the c-rows of Wu.T @ dz_u + Wr.T @ dz_r
            np.matmul(W_first_T, dz[:2 * n_a], out=back)
            dc_future += back
        dz_all[:, t] = dz

    # Everything that does not feed the recurrence, for all steps at once, on (n, T_x * m) matrices
    # (views): [dW_g | db_g] = sum over t of dz_g<t> @ [c<t-1>; x<t>; 1].T for the gates that read it,
    # the full GRU's candidate with [Gamma_r * c<t-1>; x<t>; 1] (the row of ones gives db), and
    # dx<t> = the x-rows of W.T @ dz<t> over all gates.
    dz2 = dz_all.reshape(n_g * n_a, T_x * m)
    stack2 = stack[:, :T_x].reshape(K, T_x * m)
    if simplified:
        dW = (stack2 @ dz2.T).T
    else:
        dW = np.concatenate([(stack2 @ dz2[:2 * n_a].T).T,
                             (rstack.reshape(K, T_x * m) @ dz2[2 * n_a:].T).T], axis=0)
    dx = (W[:, n_a:n_a + n_x].T @ dz2).reshape(n_x, T_x, m).transpose(0, 2, 1)   # (n_x, m, T_x), new
    grads = {"dx": dx, "dc0": dc_future}
    for k, g in enumerate(names):
        grads["dW" + g] = np.ascontiguousarray(dW[k * n_a:(k + 1) * n_a, :n_a + n_x])
        grads["db" + g] = np.ascontiguousarray(dW[k * n_a:(k + 1) * n_a, n_a + n_x:])
    if keep_state_grads:
        grads["dc_steps"] = dc_steps.transpose(0, 2, 1)      # a new array, in the course layout
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
    check_cache("gru_gates", "caches", caches, "gru_sequence", "gru_forward or gru_states_forward")
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
    simplified = check_flag(where, "simplified", simplified)

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
