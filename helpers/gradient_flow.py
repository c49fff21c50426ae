"""How the gradient travels back through time, measured with the real BPTT code of the cells.

Take a layer h<t> = f(h<t-1>, x<t>) (see cells.py: h = a for the RNN and the LSTM, h = c for the GRU)
and a loss that reads only the last state, L = <g, h<T>>. Backpropagation through time hands every
step its total gradient

    dL/dh<T> = g,        dL/dh<t> = J<t+1>.T @ dL/dh<t+1>,        J<t+1> = dh<t+1>/dh<t>,

so the gradient that reaches step t is g pushed back through the product of T - t step Jacobians.
For the basic RNN, h<t+1> = g_act(Waa @ h<t> + Wax @ x<t+1> + ba), one Jacobian is

    J<t+1> = diag(g_act'(z<t+1>)) @ Waa,     ||J<t+1>|| <= gamma * sigma_max(Waa),

where gamma bounds |g_act'| (1 for tanh, relu and linear, 1/4 for the sigmoid) and sigma_max is the
largest singular value. Multiplying the bounds over the steps between t and the last one gives the
bound of Pascanu, Mikolov and Bengio (2013):

    ||dL/dh<t>|| <= (gamma * sigma_max)^(T-1-t) * ||g||,     t = 0 .. T-1 (T-1 the last step).

If gamma * sigma_max < 1 the gradient that reaches early steps shrinks geometrically (vanishes).
sigma_max > 1 only makes growth possible: saturated units (g_act' ~ 0) still kill the gradient.
For a linear RNN with Waa = s * Q (Q orthogonal) every Jacobian is s * Q, whose norm is exactly s, so

    ||dL/dh<t>|| = s^(T-1-t) * ||g||        exactly.

Gated cells add a path that skips the squashing: in the GRU c<t> = Gamma_u * c_tilde + (1 - Gamma_u) * c<t-1>,
so with Gamma_u near 0 the Jacobian is close to the identity; in the LSTM c<t> = Gamma_f * c<t-1> + ...,
so with Gamma_f near 1 the memory carries the gradient unchanged.

Time indices in this module are numpy's: t = 0 .. T_x - 1 is the column h[:, :, t], the state after
the (t+1)-th input (h<t+1> in the lecture's 1-based notation); t = T_x - 1 is the last step.

Every number here comes from one forward and one backward pass of the cell code (cells.py), never from
a separate formula; the only formulas are the theory curves (pascanu_bound, linear_theory). Overflow is
part of the lesson, so it is reported, not raised: a state or gradient that overflows (inf / NaN, or a
norm above 1e300) marks the step where it happened as "exploded", and the norms from there on are NaN.
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    check_real_number,
    as_float_array,
    check_choice,
    check_finite,
    check_ndim,
    check_params,
    check_entries,
    check_positive_int,
    check_shape,
    check_time_steps,
    fmt_shape,
    get_param,
)
from .cells import CELL_KINDS, Cell, get_cell

__all__ = [
    "EXPLODED",
    "GAMMA",
    "state_gradient_norms",
    "reach_map",
    "jacobian_norms",
    "scaled_orthogonal",
    "set_sigma_max",
    "pascanu_bound",
    "linear_theory",
    "rnn_for_gradient_study",
    "gated_for_gradient_study",
    "latch_experiment",
]

EXPLODED = 1e300
"""A gradient (or Jacobian) norm above this counts as exploded, like inf and NaN."""

GAMMA = {"tanh": 1.0, "relu": 1.0, "linear": 1.0, "sigmoid": 0.25}
"""gamma = max |g'(z)| of each activation, the factor of the Pascanu bound."""


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _check_cell(where, cell) -> Cell:
    """Accept a Cell from get_cell, or a kind name ("rnn", "gru", "lstm") with the default options."""
    if isinstance(cell, Cell):
        return cell
    if isinstance(cell, str) and cell in CELL_KINDS:
        return get_cell(cell)
    raise ValueError(f"{where}: cell must be a Cell from get_cell or one of "
                     f"{', '.join(repr(k) for k in CELL_KINDS)}, got {cell!r}")


def _check_layer(where, cell, parameters, x, h0):
    """Check a layer's parameters, its input sequence x and initial state h0.

    Returns the checked parameters (a new dict of float64 arrays, only the cell's keys), x, h0 (zeros if
    None) and n_a. Sizes come from the first weight: Wax (n_a, n_x) for the RNN, Wu / Wf (n_a, n_a + n_x)
    for the GRU / LSTM.
    """
    first = cell.param_keys[0]
    W = get_param(where, parameters, first)
    name = f"parameters['{first}']"
    if cell.kind == "rnn":
        check_ndim(where, name, W, 2, "(n_a, n_x)")
        n_a, n_x = W.shape
    else:
        check_ndim(where, name, W, 2, "(n_a, n_a + n_x)")
        n_a, n_x = W.shape[0], W.shape[1] - W.shape[0]
        if n_x < 1:
            raise ValueError(f"{where}: {name} must have shape (n_a, n_a + n_x) with n_x >= 1, "
                             f"got {fmt_shape(W.shape)}")
    shapes = {}
    for key in cell.param_keys:
        if key.startswith("W"):
            shapes[key] = ((n_a, n_x), "(n_a, n_x)") if key == "Wax" else \
                ((n_a, n_a), "(n_a, n_a)") if key == "Waa" else ((n_a, n_a + n_x), "(n_a, n_a + n_x)")
        else:
            shapes[key] = ((n_a, 1), "(n_a, 1)")
    params = check_params(where, parameters, shapes)

    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    check_time_steps(where, "x", x)
    check_shape(where, "x", x, (n_x, None, None), "(n_x, m, T_x)", f"to match {name} {fmt_shape(W.shape)}")
    check_finite(where, "x", x)
    m = x.shape[1]
    if h0 is None:
        h0 = np.zeros((n_a, m))
    else:
        h0 = as_float_array(where, "h0", h0)
        check_ndim(where, "h0", h0, 2, "(n_a, m)")
        check_shape(where, "h0", h0, (n_a, m), "(n_a, m)",
                    f"to match {name} {fmt_shape(W.shape)} and x {fmt_shape(x.shape)}")
        check_finite(where, "h0", h0)
    return params, x, h0, n_a


def _check_one_example(where, x, why):
    check_shape(where, "x", x, (x.shape[0], 1, x.shape[2]), "(n_x, 1, T_x)", f"(one example: {why})")


def _check_seed(where, seed):
    return check_positive_int(where, "seed", seed, minimum=0, maximum=None)


# ----------------------------------------------------------------------------------------------
# small tools: norms that do not overflow, explosion masks, the forward and backward passes
# ----------------------------------------------------------------------------------------------

def _column_norms(v):
    """Euclidean norm of every column of v (k, n) -> (n,), without overflow in the squares.

    Each column is divided by its largest |entry| before squaring, so a column of entries ~1e200 has
    norm ~1e200 instead of inf. A column holding inf or NaN gets NaN.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        scale = np.max(np.abs(v), axis=0)
        usable = np.isfinite(scale) & (scale > 0)
        s = np.where(usable, scale, 1.0)
        norms = s * np.sqrt(np.sum((v / s) ** 2, axis=0))
    norms[~np.isfinite(scale)] = np.nan
    return norms


def _bad(norms):
    """True where a norm counts as exploded: inf, NaN or above EXPLODED."""
    with np.errstate(invalid="ignore"):
        return ~(np.abs(norms) <= EXPLODED)


def _mask_backward_explosion(norms):
    """NaN from the latest exploded step back to step 0 along the last axis; return (norms, mask)."""
    bad = _bad(norms)
    # reached[..., t] is True if step t or a later step has exploded: the gradient there is garbage
    reached = np.flip(np.logical_or.accumulate(np.flip(bad, axis=-1), axis=-1), axis=-1)
    norms = np.where(reached, np.nan, norms)
    return norms, reached


def _first_nonfinite_step(h):
    """The first time index t where h (n_a, m, T_x) holds inf or NaN, or None."""
    bad_steps = ~np.all(np.isfinite(h), axis=(0, 1))
    return int(np.argmax(bad_steps)) if bad_steps.any() else None


def _forward(cell, x, h0, params):
    with np.errstate(over="ignore", invalid="ignore"):
        return cell.forward(x, h0, params)


def _backward(cell, dh, cache):
    with np.errstate(over="ignore", invalid="ignore"):
        return cell.backward(dh, cache, keep_state_grads=True)


def _prefix_cell(cell, T_keep, T_x):
    """The cell to run on the first T_keep steps: a gate override with a time axis is cut to match."""
    override = cell.options.get("override")
    if not isinstance(override, dict):
        return cell
    cut = {}
    for key, value in override.items():
        arr = np.asarray(value, dtype=np.float64)
        cut[key] = arr[..., :T_keep] if arr.ndim >= 1 and arr.shape[-1] == T_x else arr
    return Cell(cell.kind, {**cell.options, "override": cut})


def _unit_upstream(n_a, m):
    """The default seed g: all ones, scaled to unit Frobenius norm."""
    return np.full((n_a, m), 1.0 / np.sqrt(n_a * m))


# ----------------------------------------------------------------------------------------------
# gradient norms through time
# ----------------------------------------------------------------------------------------------

def state_gradient_norms(cell, parameters, x, h0=None, upstream=None):
    """||dL/dh<t>|| at every step for a loss on the last step only, by one run of BPTT.

        L = <g, h<T_x - 1>> = sum(g * h[:, :, -1]),      norms[t] = ||dL/dh<t>||   (Frobenius over (n_a, m))

    The gradient at step t is what the cell's own backward pass (keep_state_grads) computes: g at the
    last step, then pushed back step by step through the recurrence.

    Parameters
    ----------
    cell : Cell from get_cell, or "rnn" / "gru" / "lstm" (default options)
    parameters : dict
        The cell's parameters (cell.param_keys), e.g. Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1).
    x : ndarray (n_x, m, T_x)
        Input sequence.
    h0 : ndarray (n_a, m) or None
        Initial state (a<0> for the RNN and the LSTM, whose memory starts at c<0> = 0; c<0> for the GRU).
        None means zeros.
    upstream : ndarray (n_a, m) or None
        g = dL/dh at the last step. None means all ones / sqrt(n_a * m), a unit vector.

    Returns
    -------
    result : dict
        norms : ndarray (T_x,), ||dL/dh<t>||, NaN from the exploded step back to step 0.
        c_norms : ndarray (T_x,) for the LSTM, else None: ||dL/dc<t>|| of the memory cell, the part that
            flows back from the later steps with a<t> held fixed (0 at the last step, where the loss reads
            only a); same masking.
        exploded_at : None, or the time index t where the computation overflowed: in the backward pass
            the first step, counting back from the last one, whose norm is inf / NaN / above 1e300;
            in the forward pass the first step whose state holds inf or NaN (then every norm is NaN,
            the loss itself is not a number, and the backward pass is not run).
        exploded_in : None, "forward" or "backward".
    """
    where = "state_gradient_norms"
    cell = _check_cell(where, cell)
    params, x, h0, n_a = _check_layer(where, cell, parameters, x, h0)
    _, m, T_x = x.shape
    if upstream is None:
        g = _unit_upstream(n_a, m)
    else:
        g = as_float_array(where, "upstream", upstream)
        check_ndim(where, "upstream", g, 2, "(n_a, m)")
        check_shape(where, "upstream", g, (n_a, m), "(n_a, m)", f"to match h0 {fmt_shape(h0.shape)}")
        check_finite(where, "upstream", g)

    nan = np.full(T_x, np.nan)
    c_nan = nan.copy() if cell.kind == "lstm" else None
    h, cache = _forward(cell, x, h0, params)
    t_bad = _first_nonfinite_step(h)
    if t_bad is not None:
        return {"norms": nan, "c_norms": c_nan, "exploded_at": t_bad, "exploded_in": "forward"}

    dh = np.zeros((n_a, m, T_x))
    dh[:, :, -1] = g
    grads = _backward(cell, dh, cache)
    norms, reached = _mask_backward_explosion(_column_norms(grads["dh_steps"].reshape(n_a * m, T_x)))
    c_norms = None
    if cell.kind == "lstm":
        c_norms, c_reached = _mask_backward_explosion(_column_norms(grads["dc_steps"].reshape(n_a * m, T_x)))
        reached = reached | c_reached
        norms[reached], c_norms[reached] = np.nan, np.nan
    exploded_at = int(np.flatnonzero(reached)[-1]) if reached.any() else None
    return {"norms": norms, "c_norms": c_norms, "exploded_at": exploded_at,
            "exploded_in": None if exploded_at is None else "backward"}


def reach_map(cell, parameters, x, h0=None):
    """M[t, k] = ||dL<t>/dh<k>||: how far back the loss on each step reaches, from ONE backward pass.

        L<t> = <g, h<t>>  (g all ones / sqrt(n_a), a unit vector),   M[t, k] = ||dL<t>/dh<k>|| for k <= t,
        M[t, k] = NaN for k > t (h<k> comes after h<t> and cannot change it),   M[t, t] = ||g|| = 1.

    The one example is copied T_x times along the batch axis; copy t carries the seed g at step t only,
    so a single run of BPTT computes every row at once: row t is state_gradient_norms of the prefix
    x[:, :, :t+1].

    Parameters
    ----------
    cell : Cell from get_cell, or "rnn" / "gru" / "lstm"
    parameters : dict, the cell's parameters (cell.param_keys).
    x : ndarray (n_x, 1, T_x)
        ONE input sequence (m = 1).
    h0 : ndarray (n_a, 1) or None
        Initial state; None means zeros.

    Returns
    -------
    result : dict
        map : ndarray (T_x, T_x), M[t, k] as above. Entries that overflowed are NaN: in row t every k
            from the earliest exploded step back to 0; if the forward pass overflowed at step t0, every
            row t >= t0 (those losses are not numbers).
        exploded : bool, True if any entry overflowed.
        exploded_in : None, "forward" or "backward" (the forward pass wins if both did).
    """
    where = "reach_map"
    cell = _check_cell(where, cell)
    params, x, h0, n_a = _check_layer(where, cell, parameters, x, h0)
    _check_one_example(where, x, "reach_map copies it T_x times along the batch axis")
    return _reach(cell, params, x, h0, n_a)


def _reach(cell, params, x, h0, n_a):
    T_x = x.shape[2]
    xs = np.repeat(x, T_x, axis=1)                      # (n_x, T_x copies, T_x steps)
    h, cache = _forward(cell, xs, np.repeat(h0, T_x, axis=1), params)
    t_bad = _first_nonfinite_step(h[:, :1, :])          # every copy runs the same forward pass
    if t_bad is not None:
        M = np.full((T_x, T_x), np.nan)
        if t_bad > 0:                                    # the rows before the overflow are still good
            M[:t_bad, :t_bad] = _reach(_prefix_cell(cell, t_bad, T_x), params, x[:, :, :t_bad], h0, n_a)["map"]
        return {"map": M, "exploded": True, "exploded_in": "forward"}

    dh = np.zeros((n_a, T_x, T_x))
    steps = np.arange(T_x)
    dh[:, steps, steps] = 1.0 / np.sqrt(n_a)            # copy t: the seed g at step t only
    grads = _backward(cell, dh, cache)
    # dh_steps[:, t, k] = dL<t>/dh<k>; row t of the map is copy t
    M = _column_norms(grads["dh_steps"].reshape(n_a, T_x * T_x)).reshape(T_x, T_x)
    M[np.triu_indices(T_x, 1)] = 0.0                    # k > t: exactly zero, and not an explosion
    M, reached = _mask_backward_explosion(M)
    M[np.triu_indices(T_x, 1)] = np.nan
    exploded = bool(reached.any())
    return {"map": M, "exploded": exploded, "exploded_in": "backward" if exploded else None}


def jacobian_norms(cell, parameters, x, h0=None, ord=2):
    """||dh<T_x-1>/dh<t>|| for every step t: the norm of the state-to-state Jacobian, by ONE backward pass.

        J(t) = dh<T_x-1>/dh<t>  (n_a, n_a),   J(T_x-1) = I,   J(t) = J(t+1) @ dh<t+1>/dh<t>,
        norms[t] = ||J(t)||_2 (largest singular value), or ||J(t)||_F with ord="fro".

    The one example is copied n_a times along the batch axis and copy i is seeded with the unit
    vector e_i at the last step, so BPTT returns row i of every J(t) in copy i.
    For the LSTM h = a, and J(t) is the total derivative of a<T_x-1> with respect to a<t> with the
    memory c<t> held fixed: the change travels on through both the hidden state and the memory.
    To check J(t) by finite differences, perturb h0 of the suffix run x[:, :, t+1:] started from h<t>
    (and, for the LSTM, from c<t>).

    Parameters
    ----------
    cell : Cell from get_cell, or "rnn" / "gru" / "lstm"
    parameters : dict, the cell's parameters (cell.param_keys).
    x : ndarray (n_x, 1, T_x)
        ONE input sequence (m = 1).
    h0 : ndarray (n_a, 1) or None
        Initial state; None means zeros.
    ord : 2 or "fro"
        Spectral norm (default) or Frobenius norm.

    Returns
    -------
    norms : ndarray (T_x,)
        ||J(t)||; NaN where the computation overflowed (every step if the forward pass did; otherwise
        from the first exploded step, counting back from the last one, down to step 0).
    """
    where = "jacobian_norms"
    cell = _check_cell(where, cell)
    check_choice(where, "ord", ord, (2, "fro"))
    params, x, h0, n_a = _check_layer(where, cell, parameters, x, h0)
    _check_one_example(where, x, "jacobian_norms copies it n_a times along the batch axis")
    T_x = x.shape[2]

    h, cache = _forward(cell, np.repeat(x, n_a, axis=1), np.repeat(h0, n_a, axis=1), params)
    if _first_nonfinite_step(h[:, :1, :]) is not None:
        return np.full(T_x, np.nan)
    dh = np.zeros((n_a, n_a, T_x))
    dh[:, :, -1] = np.eye(n_a)                          # copy i: L_i = h<T_x-1>[i]
    J_T = _backward(cell, dh, cache)["dh_steps"]        # J_T[:, :, t] = J(t).T

    if ord == "fro":
        norms = _column_norms(J_T.reshape(n_a * n_a, T_x))
    else:
        norms = np.full(T_x, np.nan)
        with np.errstate(invalid="ignore"):
            scale = np.max(np.abs(J_T), axis=(0, 1))
        ok = np.isfinite(scale) & (scale > 0)
        if ok.any():
            # scaling by the largest entry keeps the SVD away from overflow; the norm scales back exactly
            mats = np.moveaxis(J_T[:, :, ok], 2, 0) / scale[ok][:, None, None]
            with np.errstate(over="ignore"):
                norms[ok] = scale[ok] * np.linalg.svd(mats, compute_uv=False)[:, 0]
        norms[scale == 0] = 0.0
    return _mask_backward_explosion(norms)[0]


# ----------------------------------------------------------------------------------------------
# theory: matrices with a chosen largest singular value, and the curves to compare with
# ----------------------------------------------------------------------------------------------

def _orthogonal(rng, n):
    """A random orthogonal matrix: Q of the QR factorisation of a Gaussian matrix, with the signs fixed
    so that R has a positive diagonal (this makes Q uniformly distributed and the result unique)."""
    Q, R = np.linalg.qr(rng.normal(size=(n, n)))
    signs = np.where(np.diag(R) < 0, -1.0, 1.0)
    return Q * signs


def scaled_orthogonal(n, s, seed=0):
    """s * Q with Q a random orthogonal matrix: every singular value is exactly s.

        Q R = G  (QR of G ~ N(0, 1), n x n),  Q <- Q * sign(diag(R)),   return s * Q

    Parameters
    ----------
    n : int >= 1, the size.
    s : float >= 0, the scale (the gain of every direction).
    seed : int >= 0, seed of np.random.default_rng.

    Returns
    -------
    W : ndarray (n, n), with W.T @ W = s^2 I.
    """
    where = "scaled_orthogonal"
    n = check_positive_int(where, "n", n)
    check_entries(where, 2 * n * n, f"n = {n}")
    s = check_real_number(where, "s", s, 0.0)
    return s * _orthogonal(np.random.default_rng(_check_seed(where, seed)), n)


def set_sigma_max(W, sigma):
    """W rescaled so that its largest singular value is sigma:  W * sigma / sigma_max(W).

    Parameters
    ----------
    W : ndarray (n, k), finite and not all zero.
    sigma : float >= 0, the wanted largest singular value.

    Returns
    -------
    W_scaled : ndarray (n, k), a new array.
    """
    where = "set_sigma_max"
    W = as_float_array(where, "W", W)
    check_ndim(where, "W", W, 2, "(n, k)")
    check_finite(where, "W", W)
    sigma = check_real_number(where, "sigma", sigma, 0.0)
    top = np.linalg.norm(W, 2) if W.size else 0.0
    if top == 0.0:
        raise ValueError(f"{where}: W must have a nonzero singular value to be rescaled, got an all-zero "
                         f"matrix of shape {fmt_shape(W.shape)}")
    return W * (sigma / top)


def _check_gamma(where, gamma):
    if isinstance(gamma, str):
        check_choice(where, "gamma", gamma, tuple(GAMMA))
        return GAMMA[gamma]
    return check_real_number(where, "gamma", gamma, 0.0)


def pascanu_bound(sigma_max, T, gamma=1.0, final_norm=1.0):
    """Upper bound on ||dL/dh<t>|| for a basic RNN with a loss on the last step only.

        bound[t] = (sigma_max * gamma)^(T-1-t) * final_norm,    t = 0 .. T-1

    Each step back multiplies the gradient by diag(g'(z)) @ Waa.T, whose norm is at most gamma * sigma_max.

    Parameters
    ----------
    sigma_max : float >= 0, largest singular value of Waa.
    T : int >= 1, number of steps.
    gamma : float >= 0 or an activation name, max |g'|: GAMMA["tanh"] = GAMMA["relu"] = GAMMA["linear"] = 1,
        GAMMA["sigmoid"] = 1/4.
    final_norm : float >= 0, ||dL/dh<T-1>||, the norm at the last step.

    Returns
    -------
    bound : ndarray (T,); inf where the power overflows.
    """
    where = "pascanu_bound"
    sigma_max = check_real_number(where, "sigma_max", sigma_max, 0.0)
    T = check_positive_int(where, "T", T)
    gamma = _check_gamma(where, gamma)
    final_norm = check_real_number(where, "final_norm", final_norm, 0.0)
    steps_back = np.arange(T - 1, -1, -1, dtype=np.float64)
    with np.errstate(over="ignore", invalid="ignore"):
        return (sigma_max * gamma) ** steps_back * final_norm


def linear_theory(s, T, final_norm=1.0):
    """Exact ||dL/dh<t>|| of a linear RNN with Waa = s * Q (Q orthogonal), loss on the last step only.

        norm[t] = s^(T-1-t) * final_norm,     t = 0 .. T-1

    Every step back multiplies the gradient by s * Q.T, which scales every vector by exactly s.

    Parameters
    ----------
    s : float >= 0, the scale of Waa.
    T : int >= 1, number of steps.
    final_norm : float >= 0, the norm at the last step.

    Returns
    -------
    norms : ndarray (T,); inf where the power overflows.
    """
    where = "linear_theory"
    s = check_real_number(where, "s", s, 0.0)
    T = check_positive_int(where, "T", T)
    final_norm = check_real_number(where, "final_norm", final_norm, 0.0)
    with np.errstate(over="ignore", invalid="ignore"):
        return s ** np.arange(T - 1, -1, -1, dtype=np.float64) * final_norm


# ----------------------------------------------------------------------------------------------
# ready-made networks for the explorer
# ----------------------------------------------------------------------------------------------

def _study_inputs(seed, n_x, T):
    """x ~ N(0, 1) of shape (n_x, 1, T), from a stream of its own: every builder with the same seed,
    n_x and T feeds the same sequence, so the cells can be compared on equal inputs."""
    return np.random.default_rng([seed, 1]).normal(size=(n_x, 1, T))


def rnn_for_gradient_study(n_a, n_x, sigma_max, activation="tanh", seed=0, T=100,
                           recurrent="gaussian", input_scale=0.1):
    """A basic RNN and one input sequence to watch gradients vanish or explode.

        Waa = set_sigma_max(G, sigma_max), G ~ N(0, 1/n_a)     (recurrent="gaussian")
        Waa = sigma_max * Q, Q orthogonal                        (recurrent="orthogonal": all singular values equal)
        Wax ~ N(0, input_scale^2),  ba = 0,  x ~ N(0, 1)

    Parameters
    ----------
    n_a : int >= 1, number of units.
    n_x : int >= 1, input size.
    sigma_max : float >= 0, the largest singular value of Waa.
    activation : "tanh", "relu" or "linear".
    seed : int >= 0, seeds the weights (and, separately, the inputs).
    T : int >= 1, number of time steps.
    recurrent : "gaussian" or "orthogonal", how Waa is drawn (the same seed gives the same Wax and x).
    input_scale : float >= 0, the standard deviation of the entries of Wax; large values saturate tanh.

    Returns
    -------
    cell : Cell, get_cell("rnn", activation=activation).
    parameters : dict, Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1).
    x : ndarray (n_x, 1, T).
    """
    where = "rnn_for_gradient_study"
    n_a = check_positive_int(where, "n_a", n_a)
    n_x = check_positive_int(where, "n_x", n_x)
    sigma_max = check_real_number(where, "sigma_max", sigma_max, 0.0)
    check_choice(where, "activation", activation, ("tanh", "relu", "linear"))
    seed = _check_seed(where, seed)
    T = check_positive_int(where, "T", T)
    check_choice(where, "recurrent", recurrent, ("gaussian", "orthogonal"))
    input_scale = check_real_number(where, "input_scale", input_scale, 0.0)

    rng = np.random.default_rng(seed)
    if recurrent == "orthogonal":
        Waa = sigma_max * _orthogonal(rng, n_a)
    else:
        G = rng.normal(0.0, 1.0 / np.sqrt(n_a), size=(n_a, n_a))
        Waa = G * (sigma_max / np.linalg.norm(G, 2))
    parameters = {"Wax": rng.normal(0.0, input_scale, size=(n_a, n_x)), "Waa": Waa, "ba": np.zeros((n_a, 1))}
    return get_cell("rnn", activation=activation), parameters, _study_inputs(seed, n_x, T)


def gated_for_gradient_study(kind, n_a, n_x, seed=0, T=100, gate_bias=None, write_bias=None):
    """A GRU or an LSTM whose memory gate is biased towards keeping, and one input sequence.

        GRU:   bu = gate_bias (default -6), so Gamma_u = sigmoid(... + bu) ~ 0:  c<t> ~ c<t-1>
        LSTM:  bf = gate_bias (default +6), so Gamma_f = sigmoid(... + bf) ~ 1:  c<t> ~ c<t-1> + Gamma_u * c_tilde
               bu = write_bias (default -4), so Gamma_u is small and the memory writes little

    Why the LSTM also writes little: a memory that keeps everything and writes Gamma_u ~ 1/2 of c_tilde at
    every step adds up to |c| >> 1, where tanh(c) is flat; a<t> = Gamma_o * tanh(c<t>) can then no longer
    read the memory, and the gradient of a loss on a<t> cannot enter it. (The GRU has no such read-out:
    its state is the memory.)

    The other parameters are the cell's usual random initialisation (cell.init); x ~ N(0, 1), the same
    sequence as rnn_for_gradient_study with the same seed, n_x and T.

    Parameters
    ----------
    kind : "gru" or "lstm".
    n_a : int >= 1, number of units.
    n_x : int >= 1, input size.
    seed : int >= 0.
    T : int >= 1, number of time steps.
    gate_bias : float or None, the bias of the gate that decides to keep the memory (every entry of
        bu for the GRU, of bf for the LSTM); None for the default above. 0 gives the plain cell.
    write_bias : float or None, LSTM only: every entry of bu; None for the default -4.

    Returns
    -------
    cell : Cell, get_cell(kind).
    parameters : dict, the cell's parameters.
    x : ndarray (n_x, 1, T).
    """
    where = "gated_for_gradient_study"
    check_choice(where, "kind", kind, ("gru", "lstm"))
    n_a = check_positive_int(where, "n_a", n_a)
    n_x = check_positive_int(where, "n_x", n_x)
    seed = _check_seed(where, seed)
    T = check_positive_int(where, "T", T)
    key = "bu" if kind == "gru" else "bf"
    if gate_bias is None:
        gate_bias = -6.0 if kind == "gru" else 6.0
    gate_bias = check_real_number(where, "gate_bias", gate_bias)
    if kind == "gru" and write_bias is not None:
        raise ValueError(f"{where}: write_bias is for the LSTM only (the GRU's update gate is set by gate_bias), "
                         f"got write_bias={write_bias!r} with kind='gru'")
    write_bias = check_real_number(where, "write_bias", -4.0 if write_bias is None else write_bias)

    cell = get_cell(kind)
    parameters = cell.init(n_x, n_a, seed=seed)
    parameters[key] = np.full((n_a, 1), gate_bias)
    if kind == "lstm":
        parameters["bu"] = np.full((n_a, 1), write_bias)
    return cell, parameters, _study_inputs(seed, n_x, T)


# ----------------------------------------------------------------------------------------------
# the latch: holding a bit costs the gradient (Bengio, Simard and Frasconi, 1994)
# ----------------------------------------------------------------------------------------------

def _tanh_fixed_point(w):
    """The largest a* in [0, 1] with a* = tanh(w * a*): 0 if w <= 1, else the positive root (bisection)."""
    if w <= 1.0:
        return 0.0
    lo, hi = 0.0, 1.0                  # tanh(w a) - a is >= 0 at lo and <= 0 at hi
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        if np.tanh(w * mid) - mid > 0.0:
            lo = mid
        else:
            hi = mid
    return lo


def latch_experiment(w, T, a0=0.5):
    """One tanh unit feeding itself: a<t> = tanh(w * a<t-1>), a<0> = a0, and da<T>/da<0> by real BPTT.

    For w > 1 the unit has two stable fixed points +-a* (a* = tanh(w a*) > 0): it latches a bit. But
    holding means sitting where the map is flat: the slope there is w * (1 - a*^2) < 1, so

        da<T>/da<0> = prod_t w * (1 - a<t>^2)  ~  (w * (1 - a*^2))^T  ->  0,

    the state remembers and the gradient forgets. For w <= 1 the only fixed point is 0 and the state decays.
    The derivative comes from the RNN cell's backward pass (n_a = n_x = 1, Waa = w, Wax = 0, ba = 0).

    Parameters
    ----------
    w : float >= 0, the self-weight.
    T : int >= 1, number of steps.
    a0 : float, the initial state.

    Returns
    -------
    result : dict
        a : ndarray (T,), a<1> .. a<T>.
        fixed_point : float, the stable fixed point the state heads for (sign(a0) * a*; 0 if w <= 1 or a0 = 0).
        slope : float, w * (1 - fixed_point^2), the derivative of the map at the fixed point.
        da_T_da0 : float, da<T>/da<0> from BPTT.
        slope_power_T : float, slope^T, the order of magnitude expected for da_T_da0.
    """
    where = "latch_experiment"
    w = check_real_number(where, "w", w, 0.0)
    T = check_positive_int(where, "T", T)
    a0 = check_real_number(where, "a0", a0)

    cell = get_cell("rnn", activation="tanh")
    params = {"Wax": np.zeros((1, 1)), "Waa": np.array([[w]]), "ba": np.zeros((1, 1))}
    a, cache = cell.forward(np.zeros((1, 1, T)), np.array([[a0]]), params)
    seed = np.zeros((1, 1, T))
    seed[0, 0, -1] = 1.0
    da_T_da0 = float(cell.backward(seed, cache)["dh0"][0, 0])

    fixed_point = float(np.sign(a0)) * _tanh_fixed_point(w)
    slope = w * (1.0 - fixed_point ** 2)
    with np.errstate(over="ignore"):       # a0 = 0 sits on the unstable fixed point 0, slope w > 1
        slope_power_T = float(np.float64(slope) ** T)
    return {"a": a[0, 0, :].copy(), "fixed_point": fixed_point, "slope": slope,
            "da_T_da0": da_T_da0, "slope_power_T": slope_power_T}
