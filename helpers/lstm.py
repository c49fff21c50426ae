"""The long short-term memory (LSTM) cell and sequence, forward and backpropagation through time.

Forward, one time step (stack = [a<t-1>; x<t>], the previous state on top, shape (n_a + n_x, m)):

    Gamma_f  = sigmoid(Wf @ stack + bf)          forget gate: how much of c<t-1> to keep
    Gamma_u  = sigmoid(Wu @ stack + bu)          update gate: how much of c_tilde to write
    Gamma_o  = sigmoid(Wo @ stack + bo)          output gate: how much of the memory to show
    c_tilde  = tanh(Wc @ stack + bc)             candidate memory
    c<t>     = Gamma_u * c_tilde + Gamma_f * c<t-1>
    a<t>     = Gamma_o * tanh(c<t>)
    y_hat<t> = softmax(Wy @ a<t> + by)

Every gate has its own weights W (n_a, n_a + n_x) and bias b (n_a, 1). (The course assignment calls
the update gate the "input gate" and its weights Wi; here it is Wu, as in the lecture.)

With peepholes (``peephole=True``) each gate also looks at the previous memory c<t-1>, element-wise,
through its own vector p (n_a, 1):

    Gamma_f = sigmoid(Wf @ stack + pf * c<t-1> + bf)     and likewise Gamma_u with pu, Gamma_o with po.

We follow the lecture and feed c<t-1> to all three gates. Some peephole LSTMs feed the new memory c<t>
to the output gate instead (it is known by the time Gamma_o is needed); that variant is not used here.

Backward, one time step. Given da = dL/da<t> and dc_next = dL/dc<t> arriving from outside the step
(the loss on c<t> and the next time step), the chain rule through the equations above gives

    dc       = dc_next + da * Gamma_o * (1 - tanh(c<t>)^2)      all of dL/dc<t>, also through a<t>
    dGamma_o = da * tanh(c<t>)
    dGamma_u = dc * c_tilde        dc_tilde = dc * Gamma_u        dGamma_f = dc * c<t-1>
    dz_g     = dGamma_g * Gamma_g * (1 - Gamma_g)   for g = f, u, o (sigmoid' = s (1 - s))
    dz_c     = dc_tilde * (1 - c_tilde^2)           (tanh' = 1 - tanh^2)
    dW_g     = dz_g @ stack.T      db_g = sum of dz_g over the batch      dp_g = sum of dz_g * c<t-1>
    dstack   = Wf.T @ dz_f + Wu.T @ dz_u + Wo.T @ dz_o + Wc.T @ dz_c
    da_prev  = the top n_a rows of dstack,  dxt = the bottom n_x rows
    dc_prev  = dc * Gamma_f  (+ pf * dz_f + pu * dz_u + po * dz_o with peepholes)

Gate override. Every forward function accepts ``override``, a dict that may set "Gamma_f", "Gamma_u",
"Gamma_o" to fixed values in [0, 1] instead of computing them. An overridden gate is a constant: its
dz_g is 0 in the backward pass, so the gradients of its W, b and peephole vector are exactly zero.
This is what the gate-explorer notebooks use ("set Gamma_f = 1, Gamma_u = 0 and watch c<t> stay put").

Layout: time is the last axis, x (n_x, m, T_x), a and c (n_a, m, T_x), y (n_y, m, T_x). The sequence
functions may return transposed views of new arrays in that layout: the values count, not the memory order.

Caches (opaque: only the matching backward function reads them) are dicts.
    lstm_cell_forward -> private copies, laid out like the RNN's and the GRU's (see helpers.cells):
        "kind" = "lstm_cell", "xt", "a_prev", "c_prev", "a_next", "c_next", "Gamma_f", "Gamma_u",
        "Gamma_o", "c_tilde" (all (n_*, m)), "parameters" (the gate parameters), "peephole",
        "overridden" (tuple of overridden gate names).
    lstm_forward / lstm_states_forward -> "kind" = "lstm_sequence", "stack" (n_a + n_x + 1, T_x + 1, m) with stack[:, t - 1] =
        [a<t-1>; x<t>; 1], the stacked column of step t (time on the MIDDLE axis, so that the
        (n_a + n_x + 1, T_x * m) matrix of all steps, which gives all weight and bias gradients in one
        product, is a view); "c_all" (n_a, T_x + 1, m) with c_all[:, t] = c<t>; the arrays read only
        step by step stored with time FIRST, one contiguous block per step: "acts" (T_x, 4 n_a, m) =
        [Gamma_f; Gamma_u; Gamma_o; c_tilde] of every step with views of it "Gamma_f", "Gamma_u",
        "Gamma_o", "c_tilde" (T_x, n_a, m), "tanh_c" (T_x, n_a, m); "W" (4 n_a, n_a + n_x + 1) =
        rows [f; u; o; c] of [W_g | b_g]; "peep" (3, n_a, 1) or None; "overridden", "peephole", "parameters".
        lstm_gates returns the gates in the course layout (n_a, m, T_x).
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
    check_positive_int,
    check_shape,
    check_time_steps,
    private_copy,
    fmt_shape,
)
from .activations import sigmoid, softmax

__all__ = [
    "lstm_cell_forward",
    "lstm_cell_backward",
    "lstm_forward",
    "lstm_states_forward",
    "lstm_backward",
    "lstm_gates",
    "initialize_lstm_parameters",
]

GATES = ("Gamma_f", "Gamma_u", "Gamma_o")
_GATE_LETTERS = ("f", "u", "o", "c")   # the four weight blocks, in the order they are stacked
_PEEP_LETTERS = ("f", "u", "o")        # the gates that may have peephole vectors


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _layouts(peephole, with_output):
    """The layouts of the LSTM parameters, for check_arrays; Wf first, so the sizes are read from it."""
    layouts = {}
    for g in _GATE_LETTERS:
        layouts["W" + g] = "(n_a, n_a + n_x)"
        layouts["b" + g] = "(n_a, 1)"
    if peephole:
        for g in _PEEP_LETTERS:
            layouts["p" + g] = "(n_a, 1)"
    if with_output:
        layouts.update(Wy="(n_y, n_a)", by="(n_y, 1)")
    return layouts


def _check_override(where, override, shape, layout):
    """Return {gate name: its fixed value broadcast to ``shape``}, a new array for each gate."""
    if override is None:
        return {}
    if not isinstance(override, dict):
        raise ValueError(f"{where}: override must be None or a dict with keys among "
                         f"{', '.join(GATES)}, got {type(override).__name__}")
    fixed = {}
    for key, value in override.items():
        if key not in GATES:
            raise ValueError(f"{where}: override has the unknown key {key!r}; "
                             f"only {', '.join(GATES)} can be overridden")
        name = f"override['{key}']"
        arr = as_float_array(where, name, value)
        try:
            fits = np.broadcast_shapes(arr.shape, shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{where}: {name} must be broadcastable to {layout} = {fmt_shape(shape)}, "
                             f"got shape {fmt_shape(arr.shape)}")
        check_finite(where, name, arr)
        if arr.size and (arr.min() < 0.0 or arr.max() > 1.0):
            raise ValueError(f"{where}: {name} must lie in [0, 1] like the sigmoid it replaces, "
                             f"got values from {arr.min()} to {arr.max()}")
        fixed[key] = np.broadcast_to(arr, shape).copy()
    return fixed


def _check_upstream(where, name, value, shape, layout, against):
    arr = as_float_array(where, name, value)
    check_shape(where, name, arr, shape, layout, f"to match {against} {fmt_shape(shape)} of the forward pass")
    check_finite(where, name, arr)
    return arr


# ----------------------------------------------------------------------------------------------
# one time step: the readable reference
# ----------------------------------------------------------------------------------------------

def lstm_cell_forward(xt, a_prev, c_prev, parameters, peephole=False, override=None):
    """One LSTM time step.

        concat  = [a_prev; xt]
        Gamma_f = sigmoid(Wf @ concat + bf)        (+ pf * c_prev inside, with peepholes)
        Gamma_u = sigmoid(Wu @ concat + bu)        (+ pu * c_prev)
        Gamma_o = sigmoid(Wo @ concat + bo)        (+ po * c_prev)
        c_tilde = tanh(Wc @ concat + bc)
        c_next  = Gamma_u * c_tilde + Gamma_f * c_prev
        a_next  = Gamma_o * tanh(c_next)
        yt_pred = softmax(Wy @ a_next + by)

    Parameters
    ----------
    xt : ndarray (n_x, m)
        Input at this step x<t>, one column per example.
    a_prev : ndarray (n_a, m)
        Previous hidden state a<t-1>.
    c_prev : ndarray (n_a, m)
        Previous memory cell c<t-1>.
    parameters : dict
        Wf, Wu, Wo, Wc : ndarray (n_a, n_a + n_x), acting on [a_prev; xt]; bf, bu, bo, bc : ndarray (n_a, 1);
        Wy : ndarray (n_y, n_a); by : ndarray (n_y, 1); with peephole=True also pf, pu, po : ndarray (n_a, 1).
    peephole : bool
        Let the three gates see c_prev through pf, pu, po.
    override : None or dict
        Fixed gate values in [0, 1], keys among "Gamma_f", "Gamma_u", "Gamma_o", each an ndarray
        broadcastable to (n_a, m). An overridden gate is a constant for lstm_cell_backward.

    Returns
    -------
    a_next : ndarray (n_a, m)
        The new hidden state a<t>.
    c_next : ndarray (n_a, m)
        The new memory cell c<t>.
    yt_pred : ndarray (n_y, m)
        Softmax probabilities; every column sums to 1.
    cache : dict
        What lstm_cell_backward needs: private copies of "xt", "a_prev", "c_prev", "a_next", "c_next",
        "Gamma_f", "Gamma_u", "Gamma_o", "c_tilde" and of the gate "parameters", with "peephole" and
        "overridden" (the names of the overridden gates).
    """
    where = "lstm_cell_forward"
    peephole = check_flag(where, "peephole", peephole)
    p, a_prev, c_prev, xt = check_arrays(where, parameters=(parameters, _layouts(peephole, with_output=True)),
                                         a_prev=(a_prev, "(n_a, m)"), c_prev=(c_prev, "(n_a, m)"),
                                         xt=(xt, "(n_x, m)"))
    fixed = _check_override(where, override, c_prev.shape, "(n_a, m)")
    Wf, Wu, Wo, Wc = p["Wf"], p["Wu"], p["Wo"], p["Wc"]
    bf, bu, bo, bc, Wy, by = p["bf"], p["bu"], p["bo"], p["bc"], p["Wy"], p["by"]
    pf, pu, po = (p.get(k, 0.0) for k in ("pf", "pu", "po"))                   # 0 without peepholes

    concat = np.concatenate([a_prev, xt], axis=0)
    Gamma_f = fixed["Gamma_f"] if "Gamma_f" in fixed else sigmoid(Wf @ concat + bf + pf * c_prev)
    Gamma_u = fixed["Gamma_u"] if "Gamma_u" in fixed else sigmoid(Wu @ concat + bu + pu * c_prev)
    Gamma_o = fixed["Gamma_o"] if "Gamma_o" in fixed else sigmoid(Wo @ concat + bo + po * c_prev)
    c_tilde = np.tanh(Wc @ concat + bc)
    c_next = Gamma_u * c_tilde + Gamma_f * c_prev
    a_next = Gamma_o * np.tanh(c_next)
    yt_pred = softmax(Wy @ a_next + by)

    cache = {"kind": "lstm_cell", "xt": xt, "a_prev": a_prev, "c_prev": c_prev, "a_next": a_next,
             "c_next": c_next, "Gamma_f": Gamma_f, "Gamma_u": Gamma_u, "Gamma_o": Gamma_o, "c_tilde": c_tilde,
             "parameters": {k: v for k, v in p.items() if k not in ("Wy", "by")},
             "peephole": peephole, "overridden": tuple(sorted(fixed))}
    return a_next, c_next, yt_pred, private_copy(cache)


def lstm_cell_backward(da_next, dc_next, cache):
    """Backward pass of one LSTM time step (the module docstring derives it).

        dc       = dc_next + da_next * Gamma_o * (1 - tanh(c_next)^2)
        dz_f     = dc * c_prev * Gamma_f * (1 - Gamma_f)
        dz_u     = dc * c_tilde * Gamma_u * (1 - Gamma_u)
        dz_o     = da_next * tanh(c_next) * Gamma_o * (1 - Gamma_o)
        dz_c     = dc * Gamma_u * (1 - c_tilde^2)
        dW_g     = dz_g @ concat.T,   db_g = dz_g summed over the m examples,   concat = [a_prev; xt]
        [da_prev; dxt] = Wf.T @ dz_f + Wu.T @ dz_u + Wo.T @ dz_o + Wc.T @ dz_c
        dc_prev  = dc * Gamma_f   (+ pf * dz_f + pu * dz_u + po * dz_o with peepholes,
                                   and dp_g = sum over m of dz_g * c_prev)

    An overridden gate g is a constant: dz_g = 0.

    Parameters
    ----------
    da_next : ndarray (n_a, m)
        dL/da<t>, everything that reaches a_next (the output layer and the next step).
    dc_next : ndarray (n_a, m)
        dL/dc<t> that reaches c_next from outside this step (the next step, a loss on c).
    cache : dict
        The cache returned by lstm_cell_forward.

    Returns
    -------
    gradients : dict
        dxt : ndarray (n_x, m), da_prev : ndarray (n_a, m), dc_prev : ndarray (n_a, m),
        dWf, dWu, dWo, dWc : ndarray (n_a, n_a + n_x), dbf, dbu, dbo, dbc : ndarray (n_a, 1);
        with peepholes also dpf, dpu, dpo : ndarray (n_a, 1).
    """
    check_cache("lstm_cell_backward", "cache", cache, "lstm_cell", "lstm_cell_forward")
    xt, a_prev, c_prev, c_next = cache["xt"], cache["a_prev"], cache["c_prev"], cache["c_next"]
    Gamma_f, Gamma_u, Gamma_o, c_tilde = cache["Gamma_f"], cache["Gamma_u"], cache["Gamma_o"], cache["c_tilde"]
    Wf, Wu, Wo, Wc = (cache["parameters"][k] for k in ("Wf", "Wu", "Wo", "Wc"))
    pf, pu, po = (cache["parameters"].get(k, 0.0) for k in ("pf", "pu", "po"))     # 0 without peepholes
    peephole, overridden = cache["peephole"], cache["overridden"]
    da_next, dc_next = check_arrays("lstm_cell_backward", known=("a_next", cache["a_next"], "(n_a, m)"),
                                    da_next=(da_next, "(n_a, m)"), dc_next=(dc_next, "(n_a, m)"))
    n_a, zero, tanh_c = a_prev.shape[0], np.zeros_like(c_prev), np.tanh(c_next)

    dc = dc_next + da_next * Gamma_o * (1.0 - tanh_c ** 2)
    dz_f = zero if "Gamma_f" in overridden else dc * c_prev * Gamma_f * (1.0 - Gamma_f)
    dz_u = zero if "Gamma_u" in overridden else dc * c_tilde * Gamma_u * (1.0 - Gamma_u)
    dz_o = zero if "Gamma_o" in overridden else da_next * tanh_c * Gamma_o * (1.0 - Gamma_o)
    dz_c = dc * Gamma_u * (1.0 - c_tilde ** 2)
    concat = np.concatenate([a_prev, xt], axis=0)
    dconcat = Wf.T @ dz_f + Wu.T @ dz_u + Wo.T @ dz_o + Wc.T @ dz_c
    dc_prev = dc * Gamma_f + pf * dz_f + pu * dz_u + po * dz_o

    gradients = {"dxt": dconcat[n_a:], "da_prev": dconcat[:n_a], "dc_prev": dc_prev}
    for g, dz in zip(_GATE_LETTERS, (dz_f, dz_u, dz_o, dz_c)):
        gradients["dW" + g] = dz @ concat.T
        gradients["db" + g] = dz.sum(axis=1, keepdims=True)
    if peephole:
        for g, dz in zip(_PEEP_LETTERS, (dz_f, dz_u, dz_o)):
            gradients["dp" + g] = (dz * c_prev).sum(axis=1, keepdims=True)
    return gradients


# ----------------------------------------------------------------------------------------------
# whole sequences: one matrix product for the inputs, a loop over t for the recurrence
# ----------------------------------------------------------------------------------------------

def _sequence_forward(where, x, a0, parameters, peephole, override, c0, with_output):
    peephole = check_flag(where, "peephole", peephole)
    p, a0, c0, x = check_arrays(where, parameters=(parameters, _layouts(peephole, with_output)),
                                a0=(a0, "(n_a, m)"), c0=(c0, "(n_a, m) or None"), x=(x, "(n_x, m, T_x)"))
    check_time_steps(where, "x", x)
    n_x, m, T_x = x.shape
    n_a = a0.shape[0]
    if c0 is None:
        c0 = np.zeros((n_a, m))
    out = {k: p.pop(k) for k in ("Wy", "by")} if with_output else None
    fixed = _check_override(where, override, (n_a, m, T_x), "(n_a, m, T_x)")

    # The four gates side by side: rows [f; u; o; c] of W (4 n_a, K), each row block [W_g | b_g], with
    # K = n_a + n_x + 1 columns for the stacked column [a<t-1>; x<t>; 1]: the first n_a columns (Wa)
    # multiply a<t-1>, the next n_x x<t>, the last one is the bias.
    K = n_a + n_x + 1
    W = np.concatenate([np.concatenate([p["W" + g], p["b" + g]], axis=1) for g in _GATE_LETTERS], axis=0)
    peep = np.stack([p["p" + g] for g in _PEEP_LETTERS]) if peephole else None   # (3, n_a, 1), a copy
    # Gamma_g = sigmoid(z_g) = (1 + tanh(z_g / 2)) / 2 for f, u, o (as activations.sigmoid computes it),
    # c_tilde = tanh(z_c): one tanh call for all four gates if the loop holds z_g / 2 for f, u, o. So the
    # rows of f, u, o (and their peepholes) are halved once here: exact, 0.5 is a power of two.
    W_half = W.copy()
    W_half[:3 * n_a] *= 0.5
    Wa = np.ascontiguousarray(W_half[:, :n_a])               # (4 n_a, n_a), acts on a<t-1>
    peep_half = 0.5 * peep if peephole else None
    # overridden gates with time first, so that the value of step t is one contiguous block
    fixed_steps = [(k, np.ascontiguousarray(fixed[name].transpose(2, 0, 1)))
                   for k, name in enumerate(GATES) if name in fixed]

    # Layout. stack (K, T_x + 1, m) holds the stacked columns of every step: stack[:, t] is
    # [a<t>; x<t+1>; 1], the input of step t + 1 (its a-rows are written by step t). Time is the MIDDLE
    # axis, so each step's block is a matrix BLAS reads in place and the (K, T_x * m) matrix of all
    # steps, which the weight gradients need, is a view. c_all (n_a, T_x + 1, m) likewise, with
    # c_all[:, t] = c<t>. The gates and tanh(c), read only step by step, are stored with time FIRST,
    # gates[t] = [Gamma_f; Gamma_u; Gamma_o; c_tilde] of step t + 1: one contiguous block per step,
    # which the element-wise operations below go through fastest.
    stack = np.empty((K, T_x + 1, m))
    stack[n_a:n_a + n_x, :T_x] = x.transpose(0, 2, 1)      # a private copy of x
    stack[n_a + n_x, :T_x] = 1.0
    stack[n_a:, T_x] = 0.0                                   # the last column only holds a<T_x>
    stack[:n_a, 0] = a0
    c_all = np.empty((n_a, T_x + 1, m))
    c_all[:, 0] = c0
    # the input part of every step, bias included, in one batched product:
    # [Wx | b] (4 n_a, n_x + 1) @ [x<t>; 1] (T_x, n_x + 1, m)
    gates = np.matmul(W_half[:, n_a:], stack[n_a:, :T_x].transpose(1, 0, 2))   # (T_x, 4 n_a, m)
    tanh_c = np.empty((T_x, n_a, m))                         # tanh_c[t] = tanh(c<t + 1>)
    rec = np.empty((4 * n_a, m))                             # room for Wa @ a<t-1>
    fc = np.empty((n_a, m))                                  # room for Gamma_f * c<t-1>
    for t in range(T_x):
        z = gates[t]
        # z = Wx @ x<t> + b + Wa @ a<t-1> (+ p_g * c<t-1> with peepholes), halved for f, u, o
        np.matmul(Wa, stack[:n_a, t], out=rec)
        z += rec
        c_prev = c_all[:, t]
        if peephole:
            z[:3 * n_a].reshape(3, n_a, m)[...] += peep_half * c_prev
        np.tanh(z, out=z)
        sig = z[:3 * n_a]                                    # tanh(z_g / 2) -> (1 + tanh(z_g / 2)) / 2
        sig += 1.0
        sig *= 0.5
        for k, values in fixed_steps:
            z[k * n_a:(k + 1) * n_a] = values[t]
        Gamma_f, Gamma_u, Gamma_o, c_tilde = z[:n_a], z[n_a:2 * n_a], z[2 * n_a:3 * n_a], z[3 * n_a:]
        # c<t> = Gamma_u * c_tilde + Gamma_f * c<t-1>
        c_next = c_all[:, t + 1]
        np.multiply(Gamma_u, c_tilde, out=c_next)
        np.multiply(Gamma_f, c_prev, out=fc)
        c_next += fc
        # a<t> = Gamma_o * tanh(c<t>), written where step t + 1 reads it
        np.tanh(c_next, out=tanh_c[t])
        np.multiply(Gamma_o, tanh_c[t], out=stack[:n_a, t + 1])

    # a and c in the course layout (n_a, m, T_x): transposed views of private copies (a straight copy
    # costs much less than a transposing one; a[:, :, t] is then one block)
    a = np.ascontiguousarray(stack[:n_a, 1:]).transpose(0, 2, 1)
    c = np.ascontiguousarray(c_all[:, 1:]).transpose(0, 2, 1)
    caches = {"kind": "lstm_sequence", "stack": stack, "c_all": c_all, "tanh_c": tanh_c, "W": W, "peep": peep,
              "acts": gates, "Gamma_f": gates[:, :n_a], "Gamma_u": gates[:, n_a:2 * n_a],
              "Gamma_o": gates[:, 2 * n_a:3 * n_a], "c_tilde": gates[:, 3 * n_a:],
              "overridden": tuple(sorted(fixed)), "peephole": peephole, "parameters": p}
    if not with_output:
        return a, c, caches
    n_y = out["Wy"].shape[0]
    # the output layer of all steps in one product on the (n_a, T_x * m) matrix of the states (a view)
    y = softmax(out["Wy"] @ stack[:n_a, 1:].reshape(n_a, T_x * m) + out["by"]).reshape(n_y, T_x, m)
    y = y.transpose(0, 2, 1)                                 # (n_y, m, T_x)
    return a, y, c, caches


def lstm_forward(x, a0, parameters, peephole=False, override=None, c0=None):
    """Run the LSTM over a whole sequence, with a softmax output at every step.

    Implements, for t = 1 .. T_x, with c<0> = c0 (zeros unless given) and a<0> = a0:
        a<t>, c<t> = the LSTM step of lstm_cell_forward applied to x<t>, a<t-1>, c<t-1>,
        y_hat<t>   = softmax(Wy @ a<t> + by).

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        Input sequence, time on the last axis.
    a0 : ndarray (n_a, m)
        Initial hidden state.
    parameters : dict
        Wf, Wu, Wo, Wc : ndarray (n_a, n_a + n_x); bf, bu, bo, bc : ndarray (n_a, 1);
        Wy : ndarray (n_y, n_a); by : ndarray (n_y, 1); with peephole=True also pf, pu, po (n_a, 1).
    peephole : bool
        Let the gates see c<t-1> through pf, pu, po.
    override : dict or None
        Fixed gate values in [0, 1], keys among "Gamma_f", "Gamma_u", "Gamma_o", each an ndarray
        broadcastable to (n_a, m, T_x): a scalar, (n_a, 1, 1) per unit, (1, 1, T_x) per step, ...
    c0 : ndarray (n_a, m) or None
        Initial memory cell; None means zeros.

    Returns
    -------
    a : ndarray (n_a, m, T_x)
        Hidden states a<1> .. a<T_x>.
    y : ndarray (n_y, m, T_x)
        Predictions y_hat<t>; every column of every step sums to 1.
    c : ndarray (n_a, m, T_x)
        Memory cells c<1> .. c<T_x>.
    caches : dict
        What lstm_backward and lstm_gates need.
    """
    return _sequence_forward("lstm_forward", x, a0, parameters, peephole, override, c0, True)


def lstm_states_forward(x, a0, parameters, peephole=False, override=None, c0=None):
    """Run the LSTM over a sequence without an output layer (no Wy, by needed).

    Implements the recurrence of lstm_forward, for t = 1 .. T_x:
        c<t> = Gamma_u<t> * c_tilde<t> + Gamma_f<t> * c<t-1>,   a<t> = Gamma_o<t> * tanh(c<t>).

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
    a0 : ndarray (n_a, m)
    parameters : dict
        Wf, Wu, Wo, Wc : ndarray (n_a, n_a + n_x); bf, bu, bo, bc : ndarray (n_a, 1);
        with peephole=True also pf, pu, po : ndarray (n_a, 1).
    peephole : bool
    override : dict or None
        As for lstm_forward: values in [0, 1] broadcastable to (n_a, m, T_x).
    c0 : ndarray (n_a, m) or None
        Initial memory cell; None means zeros.

    Returns
    -------
    a : ndarray (n_a, m, T_x)
    c : ndarray (n_a, m, T_x)
    caches : dict
        What lstm_backward and lstm_gates need.
    """
    return _sequence_forward("lstm_states_forward", x, a0, parameters, peephole, override, c0, False)


def lstm_backward(da, caches, dc=None, keep_state_grads=False):
    """Backpropagation through time for the LSTM.

    Implements, for t = T_x .. 1, with da_next = dc_next = 0 after the last step:
        da_steps<t> = da<t> + da_next,   dc_steps<t> = dc<t> + dc_next,
        (da_next, dc_next, per-step gradients) = the step of lstm_cell_backward(da_steps<t>, dc_steps<t>),
    and sums the per-step weight gradients: dW_g = sum over t of dz_g<t> @ [a<t-1>; x<t>].T, computed
    after the loop as a single matrix product over all steps.

    Parameters
    ----------
    da : ndarray (n_a, m, T_x)
        Upstream gradient dL/da<t> at every step (e.g. from the output layer), not counting the
        part that flows back from later steps.
    caches : dict
        The caches returned by lstm_forward or lstm_states_forward.
    dc : ndarray (n_a, m, T_x) or None
        Upstream gradient dL/dc<t> from a loss that reads the memory directly; None means zero.
    keep_state_grads : bool
        Also return "da_steps" and "dc_steps" (n_a, m, T_x): the total dL/da<t> and dL/dc<t> at
        each step, upstream plus what flows back from the future, each taken with the other state
        held fixed (a<t> and c<t> seen as the two inputs of the rest of the sequence).

    Returns
    -------
    gradients : dict
        dx (n_x, m, T_x), da0 (n_a, m), dc0 (n_a, m), dWf, dWu, dWo, dWc (n_a, n_a + n_x),
        dbf, dbu, dbo, dbc (n_a, 1); with peepholes dpf, dpu, dpo (n_a, 1);
        with keep_state_grads da_steps, dc_steps (n_a, m, T_x).
    """
    where = "lstm_backward"
    check_cache(where, "caches", caches, "lstm_sequence", "lstm_forward or lstm_states_forward")
    keep_state_grads = check_flag(where, "keep_state_grads", keep_state_grads)
    T_x, n_a, m = caches["tanh_c"].shape
    shape = (n_a, m, T_x)
    da = _check_upstream(where, "da", da, shape, "(n_a, m, T_x)", "a")
    if dc is not None:
        dc = _check_upstream(where, "dc", dc, shape, "(n_a, m, T_x)", "c")

    fixed, peephole = caches["overridden"], caches["peephole"]
    stack, c_all, tanh_c, gates, W = (caches[k] for k in ("stack", "c_all", "tanh_c", "acts", "W"))
    K = stack.shape[0]
    n_x = K - n_a - 1
    Wa_T = np.ascontiguousarray(W[:, :n_a].T)               # (n_a, 4 n_a), a copy BLAS reads faster
    fixed_rows = [k for k, name in enumerate(GATES) if name in fixed]
    peep = caches["peep"]                                    # (3, n_a, 1) with peepholes

    dz_all = np.empty((4 * n_a, T_x, m))     # pre-activation gradients, rows [f; u; o; c], like stack
    if keep_state_grads:
        da_steps, dc_steps = np.empty((n_a, T_x, m)), np.empty((n_a, T_x, m))
    # buffers of one step, reused: every operation of the loop writes into one of them
    dz = np.empty((4 * n_a, m))
    da_t, dc_sum, tmp, sig_prime = (np.empty((n_a, m)), np.empty((n_a, m)), np.empty((n_a, m)),
                                    np.empty((3 * n_a, m)))
    da_next, dc_next = np.zeros((n_a, m)), np.zeros((n_a, m))   # what flows back from step t + 1
    for t in reversed(range(T_x)):
        z = gates[t]
        Gamma_f, Gamma_u, Gamma_o, c_tilde = z[:n_a], z[n_a:2 * n_a], z[2 * n_a:3 * n_a], z[3 * n_a:]
        tc = tanh_c[t]
        # all of dL/da<t> and of dL/dc<t> (from outside plus from step t + 1)
        # (da[:, :, t] is read in place: one strided pass per step costs less than a transposed copy)
        np.add(da[:, :, t], da_next, out=da_t)
        dc_t = dc_next if dc is None else np.add(dc[:, :, t], dc_next, out=dc_next)
        if keep_state_grads:
            da_steps[:, t], dc_steps[:, t] = da_t, dc_t
        # dc = dc_t + da_t * Gamma_o * (1 - tanh(c<t>)^2), the memory's gradient also through a<t>
        np.multiply(tc, tc, out=tmp)
        np.subtract(1.0, tmp, out=tmp)
        tmp *= Gamma_o
        tmp *= da_t
        np.add(dc_t, tmp, out=dc_sum)
        # dGamma_f = dc * c<t-1>,  dGamma_u = dc * c_tilde,  dGamma_o = da_t * tanh(c<t>)
        np.multiply(dc_sum, c_all[:, t], out=dz[:n_a])
        np.multiply(dc_sum, c_tilde, out=dz[n_a:2 * n_a])
        np.multiply(da_t, tc, out=dz[2 * n_a:3 * n_a])
        # dz_g = dGamma_g * Gamma_g * (1 - Gamma_g) for g = f, u, o; zero for an overridden gate
        np.subtract(1.0, z[:3 * n_a], out=sig_prime)
        sig_prime *= z[:3 * n_a]
        dz[:3 * n_a] *= sig_prime
        for k in fixed_rows:
            dz[k * n_a:(k + 1) * n_a] = 0.0
        # dz_c = dc * Gamma_u * (1 - c_tilde^2)
        dz_c = dz[3 * n_a:]
        np.multiply(c_tilde, c_tilde, out=dz_c)
        np.subtract(1.0, dz_c, out=dz_c)
        dz_c *= Gamma_u
        dz_c *= dc_sum
        # to step t - 1: da<t-1> gets the a-rows of W.T @ dz, dc<t-1> = dc * Gamma_f (+ peepholes)
        np.matmul(Wa_T, dz, out=da_next)
        np.multiply(dc_sum, Gamma_f, out=dc_next)
        if peephole:
            dc_next += (peep * dz[:3 * n_a].reshape(3, n_a, m)).sum(axis=0)
        dz_all[:, t] = dz

    # Everything that does not feed the recurrence, for all steps at once, on (n, T_x * m) matrices
    # (views): [dW_g | db_g] = sum over t of dz_g<t> @ [a<t-1>; x<t>; 1].T, one product for all gates
    # (the row of ones gives the bias gradients), and dx<t> = the x-rows of W.T @ dz<t>.
    dz2 = dz_all.reshape(4 * n_a, T_x * m)
    dW = (stack[:, :T_x].reshape(K, T_x * m) @ dz2.T).T    # (4 n_a, K)
    # dx (n_x, m, T_x): a transposed view of the (n_x, T_x * m) product, a new array
    dx = (W[:, n_a:n_a + n_x].T @ dz2).reshape(n_x, T_x, m).transpose(0, 2, 1)

    gradients = {"dx": dx, "da0": da_next, "dc0": dc_next}
    for k, g in enumerate(_GATE_LETTERS):
        gradients["dW" + g] = np.ascontiguousarray(dW[k * n_a:(k + 1) * n_a, :n_a + n_x])
        gradients["db" + g] = np.ascontiguousarray(dW[k * n_a:(k + 1) * n_a, n_a + n_x:])
    if peephole:
        c_prevs = c_all[:, :T_x]                             # c<t-1> of every step
        for k, g in enumerate(_PEEP_LETTERS):
            gradients["dp" + g] = (dz_all[k * n_a:(k + 1) * n_a] * c_prevs).sum(axis=(1, 2))[:, None]
    if keep_state_grads:
        gradients["da_steps"] = da_steps.transpose(0, 2, 1)   # new arrays, viewed in the course layout
        gradients["dc_steps"] = dc_steps.transpose(0, 2, 1)
    return gradients


def lstm_gates(caches):
    """The gate values of a forward pass, for plotting.

    Returns Gamma_f<t>, Gamma_u<t>, Gamma_o<t> (overridden values where an override was given) and
    c_tilde<t> = tanh(Wc @ [a<t-1>; x<t>] + bc), for every step.

    Parameters
    ----------
    caches : dict
        The caches returned by lstm_forward or lstm_states_forward.

    Returns
    -------
    gates : dict
        "Gamma_f", "Gamma_u", "Gamma_o", "c_tilde" : ndarray (n_a, m, T_x), new arrays.
    """
    check_cache("lstm_gates", "caches", caches, "lstm_sequence", "lstm_forward or lstm_states_forward")
    return {name: caches[name].transpose(1, 2, 0).copy() for name in GATES + ("c_tilde",)}


def initialize_lstm_parameters(n_x, n_a, n_y, seed=0, peephole=False, forget_bias=0.0):
    """Random LSTM parameters.

    Draws, from np.random.default_rng(seed) and in this order,
        Wf, Wu, Wo, Wc ~ N(0, 1 / (n_a + n_x))   (variance 1 / fan_in),
        Wy ~ N(0, 1 / n_a),
        pf, pu, po ~ N(0, 0.1^2)                  (standard deviation 0.1; only with peephole=True),
    and sets the biases to 0 except bf = forget_bias (a positive forget_bias starts Gamma_f near 1,
    so the memory is kept by default). The peephole vectors are drawn last, so for the same seed the
    other parameters are the same with and without peepholes.

    Parameters
    ----------
    n_x : int >= 1, input size.
    n_a : int >= 1, hidden state (and memory cell) size.
    n_y : int >= 1, number of output classes.
    seed : int >= 0 or None
    peephole : bool
    forget_bias : float, the initial value of every entry of bf.

    Returns
    -------
    parameters : dict
        Wf, bf, Wu, bu, Wo, bo, Wc, bc, Wy, by (and pf, pu, po), shapes as in lstm_forward.
    """
    where = "initialize_lstm_parameters"
    n_x = check_positive_int(where, "n_x", n_x)
    n_a = check_positive_int(where, "n_a", n_a)
    n_y = check_positive_int(where, "n_y", n_y)
    check_entries(where, 4 * n_a * (n_a + n_x + 2) + n_y * (n_a + 1), f"n_x = {n_x}, n_a = {n_a} and n_y = {n_y}")
    if seed is not None:
        seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    peephole = check_flag(where, "peephole", peephole)
    is_real = (isinstance(forget_bias, (int, float, np.integer, np.floating))
               and not isinstance(forget_bias, bool))
    if not is_real or not np.isfinite(forget_bias):
        raise ValueError(f"{where}: forget_bias must be a finite real number, got {forget_bias!r}")

    rng = np.random.default_rng(seed)
    parameters = {}
    for g in _GATE_LETTERS:
        parameters["W" + g] = rng.normal(0.0, np.sqrt(1.0 / (n_a + n_x)), size=(n_a, n_a + n_x))
        parameters["b" + g] = np.zeros((n_a, 1))
    parameters["bf"] = np.full((n_a, 1), float(forget_bias))
    parameters["Wy"] = rng.normal(0.0, np.sqrt(1.0 / n_a), size=(n_y, n_a))
    parameters["by"] = np.zeros((n_y, 1))
    if peephole:
        for g in _PEEP_LETTERS:
            parameters["p" + g] = rng.normal(0.0, 0.1, size=(n_a, 1))
    return parameters
