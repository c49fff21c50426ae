"""Notebook 07 made visible: the gradient-flow explorer, the subject-verb example, value versus norm
clipping, and the latch.

Every gradient here comes from the cells' own backpropagation through time, through
``gradient_flow.state_gradient_norms`` (one forward and one backward pass); the only formulas are the
theory curves it is compared with. With a loss on the last step only, L = <g, a<T>>, BPTT gives

    dL/da<T> = g,        dL/da<t-1> = J<t>.T @ dL/da<t>,        J<t> = da<t>/da<t-1>,

and for the basic RNN, a<t> = g_act(Waa @ a<t-1> + Wax @ x<t> + ba), J<t> = diag(g_act'(z<t>)) @ Waa, so

    ||dL/da<t>|| <= (gamma * sigma_max)^(T-t) * ||g||          (Pascanu, Mikolov and Bengio, 2013)

with gamma = max |g_act'| = 1 for tanh, relu and linear. For a linear RNN with Waa = s * Q (Q orthogonal)
every J<t> = s * Q, so the norm is exactly s^(T-t) * ||g||.

Steps are counted as in the lecture, t = 1 .. T (step T is the last one); ``gradient_flow`` counts its
array columns from 0, so its column i is step i + 1 here.

The reach map M[t, k] = ||dL<t>/da<k>|| (a loss on step t, the state of step k <= t) has one row per
loss step. Row t is the gradient-norm curve of the sequence cut after step t (the steps after t do not
change L<t>). The rows come from one BPTT run over copies of the sequence, one copy per row, each seeded
at its own loss step (``reach_rows``); for long sequences the explorer computes an evenly spaced subset
of the rows (``map_rows``), always including the last one.

Clipping (optim.py), for a gradient g with N entries and a threshold c:

    by value:  g_i <- min(max(g_i, -c), c)        every entry bounded; the norm can reach c * sqrt(N),
                                                  and entries clipped by different factors turn g
    by norm:   g <- g * c / ||g||  if ||g|| > c   the length bounded by c, the direction kept

The latch (Bengio, Simard and Frasconi, 1994): one tanh unit a<t> = tanh(w a<t-1>) with w > 1 holds a
value near a fixed point a* = tanh(w a*), because the map is flat there, slope w (1 - a*^2) < 1. The
same slope multiplies the gradient at every step back, so da<T>/da<0> ~ (w (1 - a*^2))^T -> 0.
"""
from __future__ import annotations

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
from matplotlib.patches import Circle, Rectangle

from .._checks import as_float_array, check_choice, check_finite, check_ndim, check_positive_int, check_real_number
from .explorer import Explorer, new_figure
from ..gradient_flow import (  # the private ones: the same checks, passes and masks as reach_map
                             _backward,
                             _check_cell,
                             _check_layer,
                             _column_norms,
                             _first_nonfinite_step,
                             _forward,
                             _mask_backward_explosion,
                             _prefix_cell,
                             _unit_upstream,
                             gated_for_gradient_study,
                             latch_experiment,
                             linear_theory,
                             pascanu_bound,
                             rnn_for_gradient_study,
                             state_gradient_norms,
                             )
from ..losses import output_layer_backward, output_layer_forward, softmax_cross_entropy
from ..optim import clip_by_global_norm, clip_by_value
from ..tasks.text import one_hot

__all__ = [
    "CELL_CHOICES",
    "ACTIVATIONS",
    "RECURRENT_CHOICES",
    "T_MAX",
    "N_A_MAX",
    "N_X",
    "flow_network",
    "map_rows",
    "reach_rows",
    "map_image",
    "gradient_flow_view",
    "gradient_flow_explorer",
    "SENTENCE_WORDS",
    "CAT_SENTENCE",
    "sentence_gradient",
    "subject_reach",
    "plot_sentence_gradient",
    "clip_comparison",
    "clip_2d_view",
    "clip_2d_explorer",
    "latch_curves",
    "plot_latch",
]

CELL_CHOICES = ("RNN", "GRU", "LSTM")
ACTIVATIONS = ("tanh", "relu", "linear")
RECURRENT_CHOICES = ("gaussian", "orthogonal")
T_MAX = 400            # the longest sequence of the explorer
N_A_MAX = 64           # the largest hidden size of the explorer
N_X = 3                # input size of the explorer's networks
SIGMA_RANGE = (0.1, 8.0)
INPUT_SCALE_RANGE = (0.0, 3.0)
KEEP_BIAS_RANGE = (0.0, 8.0)
SEED_RANGE = (0, 9)

# Reach map rows: each row is one state_gradient_norms call on a prefix, so evenly spaced rows cost about
# R * T / 2 steps. MAP_BUDGET bounds that (in RNN steps; a GRU or LSTM step costs about _STEP_COST).
MAP_BUDGET = 1200
MAP_MIN_ROWS = 4
MAP_MAX_ROWS = 40
_STEP_COST = {"RNN": 1.0, "GRU": 5.0, "LSTM": 6.0}
_VANISH, _GROW = 1e-2, 1e2     # the verdict thresholds on ||dL/da<1>|| / ||dL/da<T>||


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _check_int_range(where, name, value, low, high):
    """Return ``value`` as int if it is an integer in [low, high]."""
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) and low <= value <= high
    if not ok:
        raise ValueError(f"{where}: {name} must be an integer in [{low}, {high}], got {value!r}")
    return int(value)


def _check_bool(where, name, value):
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


# ----------------------------------------------------------------------------------------------
# the networks of the explorer
# ----------------------------------------------------------------------------------------------

def flow_network(cell="RNN", activation="tanh", recurrent="gaussian", sigma_max=1.0, input_scale=0.1,
                 keep_bias=6.0, T=100, n_a=32, seed=0):
    """The network and input sequence the explorer studies, for one setting of its controls.

        RNN:   rnn_for_gradient_study(n_a, N_X, sigma_max, activation, seed, recurrent=..., input_scale=...)
               Waa has largest singular value sigma_max (Gaussian, or sigma_max * Q with Q orthogonal)
        GRU:   gated_for_gradient_study("gru", n_a, N_X, seed, gate_bias=-keep_bias):  Gamma_u ~ sigmoid(-keep_bias)
        LSTM:  gated_for_gradient_study("lstm", n_a, N_X, seed, gate_bias=+keep_bias): Gamma_f ~ sigmoid(+keep_bias)

    The input is the first T steps of one sequence of T_MAX steps drawn from the seed, so a longer T
    extends the sequence instead of drawing a new one. Controls that do not apply to the chosen cell
    (activation, recurrent, sigma_max, input_scale for the gated cells; keep_bias for the RNN) are
    checked but not used.

    Parameters
    ----------
    cell : "RNN", "GRU" or "LSTM"
    activation : "tanh", "relu" or "linear" (RNN)
    recurrent : "gaussian" or "orthogonal" (RNN), how Waa is drawn
    sigma_max : float in [0.1, 8], the largest singular value of Waa (RNN)
    input_scale : float in [0, 3], the standard deviation of the entries of Wax (RNN)
    keep_bias : float in [0, 8], how strongly the gated cell's gate keeps the memory
    T : int in [1, T_MAX], the number of steps
    n_a : int in [1, N_A_MAX], the number of units
    seed : int in [0, 9]

    Returns
    -------
    cell : Cell (cells.get_cell), parameters : dict, x : ndarray (N_X, 1, T)
    """
    where = "flow_network"
    check_choice(where, "cell", cell, CELL_CHOICES)
    check_choice(where, "activation", activation, ACTIVATIONS)
    check_choice(where, "recurrent", recurrent, RECURRENT_CHOICES)
    sigma_max = check_real_number(where, "sigma_max", sigma_max, *SIGMA_RANGE)
    input_scale = check_real_number(where, "input_scale", input_scale, *INPUT_SCALE_RANGE)
    keep_bias = check_real_number(where, "keep_bias", keep_bias, *KEEP_BIAS_RANGE)
    T = _check_int_range(where, "T", T, 1, T_MAX)
    n_a = _check_int_range(where, "n_a", n_a, 1, N_A_MAX)
    seed = _check_int_range(where, "seed", seed, *SEED_RANGE)
    if cell == "RNN":
        c, params, x = rnn_for_gradient_study(n_a, N_X, sigma_max, activation=activation, seed=seed, T=T_MAX,
                                              recurrent=recurrent, input_scale=input_scale)
    else:
        bias = -keep_bias if cell == "GRU" else keep_bias
        c, params, x = gated_for_gradient_study(cell.lower(), n_a, N_X, seed=seed, T=T_MAX, gate_bias=bias)
    return c, params, x[:, :, :T]


def map_rows(T, cell="RNN"):
    """Which loss steps the explorer's reach map computes: 0-based rows, evenly spaced, the last one T - 1.

        R = min(T, MAP_MAX_ROWS, max(MAP_MIN_ROWS, floor(2 * MAP_BUDGET / (T * cost))))
        rows = round(linspace(0, T - 1, R))

    (cost = 1 for the RNN, 5 for the GRU, 6 for the LSTM: their steps are that much slower). The rows run
    as one BPTT over R copies of the sequence (``reach_rows``), whose work grows with R * T for a large
    hidden size. Short sequences get every row.

    Parameters
    ----------
    T : int >= 1, the number of steps.
    cell : "RNN", "GRU" or "LSTM"

    Returns
    -------
    rows : ndarray (R,) int, strictly increasing, rows[-1] = T - 1.
    """
    where = "map_rows"
    T = check_positive_int(where, "T", T)
    check_choice(where, "cell", cell, CELL_CHOICES)
    R = int(min(T, MAP_MAX_ROWS, max(MAP_MIN_ROWS, (2 * MAP_BUDGET) // (T * _STEP_COST[cell]))))
    return np.round(np.linspace(0, T - 1, R)).astype(int)


def reach_rows(cell, parameters, x, rows, h0=None):
    """Rows of the reach map M[t, k] = ||dL<t>/dh<k>|| (L<t> = <g, h<t>>, g a unit vector), by BPTT.

    Row t is what ``state_gradient_norms`` gives for the sequence cut after step t, x[:, :, :t+1]: the
    steps after t do not change L<t>. All rows come from ONE run of BPTT (as in ``gradient_flow.reach_map``,
    but only for the rows asked for): the sequence is copied R times along the batch axis, copy i
    carries the seed g at step rows[i] only, so its gradient at step k is dL<rows[i]>/dh<k>. Entries
    k > t are NaN (h<k> comes after h<t>). An overflow marks entries NaN as ``state_gradient_norms``
    does: in the backward pass from the exploded step back to step 0 of that row (for the LSTM, also
    where the memory's gradient exploded); in the forward pass every row at or after the step whose
    state overflowed (those losses are not numbers).

    Parameters
    ----------
    cell : Cell from get_cell, or "rnn" / "gru" / "lstm"
    parameters : dict, the cell's parameters.
    x : ndarray (n_x, 1, T_x), one input sequence.
    rows : sequence of int, strictly increasing, each in [0, T_x - 1] (0-based loss steps).
    h0 : ndarray (n_a, 1) or None, the initial state.

    Returns
    -------
    result : dict
        rows : ndarray (R,) int, the rows asked for.
        map : ndarray (R, T_x), map[i, k] = ||dL<rows[i]>/dh<k>||.
        exploded : bool, some entry with k <= t overflowed.
        exploded_in : None, "forward" or "backward" (forward wins if both happened).
    """
    where = "reach_rows"
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, 1, T_x)")
    if x.shape[1] != 1 or x.shape[2] == 0:
        raise ValueError(f"{where}: x must be one sequence of shape (n_x, 1, T_x) with T_x >= 1, got {x.shape}")
    T_x = x.shape[2]
    rows_arr = np.asarray(rows)
    if rows_arr.ndim != 1 or rows_arr.size == 0 or not np.issubdtype(rows_arr.dtype, np.integer):
        raise ValueError(f"{where}: rows must be a non-empty 1-D sequence of int, got {rows!r}")
    if rows_arr.min() < 0 or rows_arr.max() > T_x - 1 or np.any(np.diff(rows_arr) <= 0):
        raise ValueError(f"{where}: rows must be strictly increasing steps in [0, T_x - 1] = [0, {T_x - 1}], "
                         f"got {rows_arr.tolist()}")
    cell = _check_cell(where, cell)
    params, x, h0, n_a = _check_layer(where, cell, parameters, x, h0)
    rows_arr = rows_arr.astype(int)
    M, exploded_in = _batched_rows(cell, params, x, h0, n_a, rows_arr)
    return {"rows": rows_arr, "map": M, "exploded": exploded_in is not None, "exploded_in": exploded_in}


def _batched_rows(cell, params, x, h0, n_a, rows):
    """(map (R, T_x), exploded_in) of ``reach_rows``, for checked arguments."""
    R, T_x = rows.size, x.shape[2]
    M = np.full((R, T_x), np.nan)
    T_run = int(rows[-1]) + 1                           # later steps cannot change any of these losses
    run_cell = _prefix_cell(cell, T_run, T_x)
    h, cache = _forward(run_cell, np.repeat(x[:, :, :T_run], R, axis=1), np.repeat(h0, R, axis=1), params)
    t_bad = _first_nonfinite_step(h[:, :1, :])          # every copy runs the same forward pass
    if t_bad is not None:
        # the losses at or after the overflow are not numbers; the earlier rows are run on the prefix
        keep = rows < t_bad
        if keep.any():
            M[keep, :t_bad], _ = _batched_rows(_prefix_cell(cell, t_bad, T_x), params, x[:, :, :t_bad], h0, n_a,
                                               rows[keep])
        return M, "forward"
    dh = np.zeros((n_a, R, T_run))
    dh[:, np.arange(R), rows] = _unit_upstream(n_a, 1)  # copy i: the seed g at step rows[i] only
    grads = _backward(run_cell, dh, cache)
    later = np.arange(T_run)[None, :] > rows[:, None]   # k > t: exactly zero, not an explosion

    def row_norms(steps):
        norms = _column_norms(steps.reshape(n_a, R * T_run)).reshape(R, T_run)
        norms[later] = 0.0
        return _mask_backward_explosion(norms)

    norms, reached = row_norms(grads["dh_steps"])
    if cell.kind == "lstm":                             # as state_gradient_norms: the memory's explosion counts
        _, c_reached = row_norms(grads["dc_steps"])
        reached = reached | c_reached
        norms[reached] = np.nan
    norms[later] = np.nan
    M[:, :T_run] = norms
    return M, ("backward" if reached.any() else None)


def _verdict(first, last, exploded_at):
    """('exploded' | 'vanishes' | 'grows' | 'survives', ratio first / last)."""
    if exploded_at is not None:
        return "exploded", float("nan")
    first, last = float(first), float(last)
    ratio = first / last if last > 0 else float("nan")
    if ratio < _VANISH:
        return "vanishes", ratio
    if ratio > _GROW:
        return "grows", ratio
    return "survives", ratio


def gradient_flow_view(cell="RNN", activation="tanh", recurrent="gaussian", sigma_max=1.0, input_scale=0.1,
                       keep_bias=6.0, T=100, n_a=32, seed=0, reach=True):
    """Everything the gradient-flow explorer shows, for one setting of its controls (pure: no drawing).

    Builds ``flow_network(...)`` and runs its BPTT with the loss on the last step only,
    L<T> = <g, a<T>> with g = ones / sqrt(n_a) (||g|| = 1):

        norms[t - 1] = ||dL<T>/da<t>||,  t = 1 .. T            (state_gradient_norms)
        bound[t - 1] = (gamma * sigma_max)^(T - t)              (pascanu_bound, gamma = 1; RNN only)
        linear[t - 1] = sigma_max^(T - t)                       (linear_theory; exact for a linear RNN with
                                                                 Waa = s * Q, Q orthogonal; RNN only)

    and, with ``reach``, the rows ``map_rows(T, cell)`` of the reach map (``reach_rows``).

    Parameters
    ----------
    cell, activation, recurrent, sigma_max, input_scale, keep_bias, T, n_a, seed : see ``flow_network``.
    reach : bool, compute the reach map.

    Returns
    -------
    view : dict
        cell, activation, recurrent, sigma_max, T, n_a : the settings used
        t : ndarray (T,) int, the steps 1 .. T
        norms : ndarray (T,), NaN where the computation overflowed
        c_norms : ndarray (T,) for the LSTM (||dL<T>/dc<t>||, the memory), else None
        bound, linear : ndarray (T,) for the RNN (inf where the power overflows), else None
        exact : bool, the linear curve is exact here (RNN, linear, orthogonal)
        bound_holds : bool or None (RNN), every finite norm is <= bound (to 1e-9 relative, 1e-300 absolute)
        theory_error : float or None, with ``exact`` the largest relative distance between the finite
            norms and the linear curve
        exploded_at : None, or the step (1-based) where the computation overflowed: in the backward
            pass the norms are NaN from this step back to step 1; in the forward pass the state of
            this step is inf or NaN, and every norm is NaN
        exploded_in : None, "forward" or "backward"
        verdict : "exploded", "vanishes" (ratio < 1e-2), "grows" (ratio > 1e2) or "survives"
        ratio : float, ||dL<T>/da<1>|| / ||dL<T>/da<T>|| (NaN if exploded); for the LSTM (T >= 2) the
            memory's ||dL<T>/dc<1>|| / ||dL<T>/dc<T-1>|| (the loss reads a<T>, so the memory's gradient
            starts at step T - 1; the hidden state gets its gradient from the memory through the gates)
        measured_on : "a" or "c", whose gradient ratio and verdict describe
        keep_bias : float, the keep bias used (gated cells)
        map : ndarray (R, T) or None, the reach-map rows; map_rows : ndarray (R,) int, their steps
            (1-based); map_exploded : bool
    """
    where = "gradient_flow_view"
    reach = _check_bool(where, "reach", reach)
    c, params, x = flow_network(cell, activation, recurrent, sigma_max, input_scale, keep_bias, T, n_a, seed)
    out = state_gradient_norms(c, params, x)
    norms = out["norms"]
    exploded_at = None if out["exploded_at"] is None else out["exploded_at"] + 1
    view = {"cell": cell, "activation": activation, "recurrent": recurrent, "sigma_max": float(sigma_max),
            "T": int(T), "n_a": int(n_a), "t": np.arange(1, T + 1), "norms": norms, "c_norms": out["c_norms"],
            "bound": None, "linear": None, "exact": False, "bound_holds": None, "theory_error": None,
            "exploded_at": exploded_at, "exploded_in": out["exploded_in"], "keep_bias": float(keep_bias),
            "measured_on": "a"}
    if cell == "RNN":
        view["bound"] = pascanu_bound(sigma_max, T, activation)
        view["linear"] = linear_theory(sigma_max, T)
        view["exact"] = activation == "linear" and recurrent == "orthogonal"
        finite = np.isfinite(norms)
        # (1e-300: below it the bound and the norms underflow to 0 or denormals in different places)
        view["bound_holds"] = bool(np.all(norms[finite] <= view["bound"][finite] * (1 + 1e-9) + 1e-300))
        if view["exact"]:
            ok = finite & np.isfinite(view["linear"]) & (view["linear"] > 0)
            gap = np.abs(norms[ok] - view["linear"][ok]) / view["linear"][ok]
            view["theory_error"] = float(gap.max()) if gap.size else None
    if cell == "LSTM" and T >= 2:
        view["measured_on"] = "c"
        view["verdict"], view["ratio"] = _verdict(out["c_norms"][0], out["c_norms"][-2], exploded_at)
    else:
        view["verdict"], view["ratio"] = _verdict(norms[0], norms[-1], exploded_at)
    view["map"], view["map_rows"], view["map_exploded"] = None, None, False
    if reach:
        rows = map_rows(T, cell)
        earlier = reach_rows(c, params, x, rows[:-1]) if rows.size > 1 else {"map": np.empty((0, T)),
                                                                            "exploded": False}
        view["map"] = np.vstack([earlier["map"], norms[None, :]])
        view["map_rows"] = rows + 1
        view["map_exploded"] = bool(earlier["exploded"] or exploded_at is not None)
    return view


# ----------------------------------------------------------------------------------------------
# drawing helpers of the explorer (presentation only)
# ----------------------------------------------------------------------------------------------

def _positive(values):
    """values with every entry that is not finite and > 0 replaced by NaN (a log axis cannot show it)."""
    v = np.array(values, dtype=float)
    with np.errstate(invalid="ignore"):
        v[~(np.isfinite(v) & (v > 0))] = np.nan
    return v


def _log10(values):
    """log10 of the finite positive entries, NaN elsewhere (0, inf and NaN cannot be drawn)."""
    v = _positive(values)
    ok = np.isfinite(v)
    v[ok] = np.log10(v[ok])
    return v


# Coarse steps for what frames the picture: axis ranges and the colour scale move only when the data
# leaves the current step, so most moves of a control redraw just the curves (see helpers/views/explorer.py).
STEP_RANGES = (10, 25, 50, 100, 200, 300, 400)
"""The x range of the explorer: steps 1 .. T are drawn on an axis that ends at the first of these >= T."""
DECADE_STEPS = (2, 3, 5, 10, 20, 30, 50, 100, 200, 350)
"""The log10 ranges: a range reaches down (up) to minus (plus) the first of these that covers the data
(|log10| of a float64 never exceeds 324)."""


def _step_range(T):
    """The end of the x axis for T steps: the first of STEP_RANGES >= T."""
    return next(r for r in STEP_RANGES if r >= T)


def _finite_range(*arrays):
    """(min, max) of the finite entries of the arrays (None entries skipped), (0, 0) if there are none."""
    finite = [np.ravel(a)[np.isfinite(np.ravel(a))] for a in arrays if a is not None]
    finite = np.concatenate(finite) if finite else np.empty(0)
    return (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)


def _decades_out(low, high):
    """(-a, b): a, b the first of DECADE_STEPS >= -low and >= high (so the range holds at least -2 .. 2)."""
    down = next(d for d in DECADE_STEPS if d >= -low)
    up = next(d for d in DECADE_STEPS if d >= high)
    return -float(down), float(up)


def _log_range(view):
    """The log10 range the explorer shows, the same for the curves' y axis and the map's colours:
    ``_decades_out`` of every finite log10 norm of the curve, the memory curve and the reach map."""
    logs = [_log10(view["norms"])]
    if view["c_norms"] is not None:
        logs.append(_log10(view["c_norms"]))
    if view["map"] is not None:
        logs.append(_log10(view["map"]))
    return _decades_out(*_finite_range(*logs))


def map_image(view):
    """The reach map as the explorer draws it: a (T, T) image of log10 norms, one band per computed row.

    Computed row t_i (1-based) fills the image rows t_(i-1) + 1 .. t_i, so every band ends on the
    diagonal at its own step; with every row computed the image is the map itself. Finite entries hold
    log10 M; k > t_i is NaN (drawn blank); an exploded entry (NaN with k <= t_i) is vmax + 1 (drawn in
    the 'over' colour); an exact zero is vmin - 1 (the 'under' colour). The colour range is the
    explorer's log10 range (``_log_range``): vmin = -d, vmax = u with d, u the first of DECADE_STEPS
    (2, 3, 5, 10, 20, ...) that reach the smallest and the largest finite log10 norm of the curve, the
    memory curve and the map, so that it changes rarely and only together with the y axis above.

    Parameters
    ----------
    view : dict from ``gradient_flow_view`` with the reach map on.

    Returns
    -------
    image : ndarray (T, T); vmin, vmax : float, the colour range (vmin <= -2, vmax >= 2).
    """
    M, rows = view["map"], view["map_rows"]
    k = np.arange(1, M.shape[1] + 1)
    below = k[None, :] <= rows[:, None]
    ok = np.isfinite(M) & (M > 0)
    logs = np.full(M.shape, np.nan)
    logs[ok] = np.log10(M[ok])
    vmin, vmax = _log_range(view)
    logs[below & ~np.isfinite(M)] = vmax + 1.0
    logs[below & np.isfinite(M) & (M <= 0)] = vmin - 1.0
    counts = np.diff(np.concatenate([[0], rows]))
    return np.repeat(logs, counts, axis=0), vmin, vmax


def _normalised(values, low, high):
    """values mapped linearly so that low -> 0 and high -> 1: (values - low) / (high - low), NaN kept.

    The explorer draws in this frame: its axes and its colour scale stay fixed at 0 .. 1 (plus headroom)
    while the range they stand for changes, and the labels beside them say which log10 values are where."""
    return (np.asarray(values, dtype=float) - low) / (high - low)


# the nice values labelled on a log10 range, as matplotlib's default locator picks them with 5 bins
_TICKS = mpl.ticker.MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10])


def _range_ticks(low, high):
    """The nice tick values of [low, high] (matplotlib's default choice with 5 bins), those inside only."""
    ticks = _TICKS.tick_values(low, high)
    eps = 1e-9 * (high - low)
    return [float(np.round(v, 9)) + 0.0 for v in ticks if low - eps <= v <= high + eps]


def _tick_text(value):
    """A tick label as matplotlib writes it: '-10' with a true minus sign."""
    return f"{value:g}".replace("-", "\N{MINUS SIGN}")


class _TickPool:
    """Tick labels, tick marks and (optionally) gridlines for one axis, drawn by artists made once.

    The explorer keeps its axes' limits fixed (a frame 0 .. 1) and the values the frame stands for change
    with the data; matplotlib's own ticks would change with them and force a full render. These artists
    only move and change their text, so a move that changes the range stays on the fast redraw. The
    labels and marks are clipped to a strip beside the axes (``side``: "left" of ``ax``, or "right" of
    it), where nothing else is drawn but the axis label, which is placed beyond the widest label.
    """

    SIZE = 8

    def __init__(self, ax, side, grid_ax=None, widest="\N{MINUS SIGN}350"):
        fig = ax.figure
        tick = mpl.rcParams["ytick.major.size"]
        pad = mpl.rcParams["ytick.major.pad"]
        size = mpl.font_manager.FontProperties(size=mpl.rcParams["ytick.labelsize"]).get_size_in_points()
        sign = -1.0 if side == "left" else 1.0
        x_axes = 0.0 if side == "left" else 1.0
        where = mpl.transforms.blended_transform_factory(ax.transAxes, ax.transData)
        strip = mpl.transforms.TransformedBbox(
            mpl.transforms.Bbox.from_extents(*((-4.0, -0.1, 0.0, 1.1) if side == "left" else (1.0, -0.1, 9.0, 1.1))),
            ax.transAxes)
        shift = mpl.transforms.offset_copy(where, fig=fig, x=sign * (tick + pad), units="points")
        color = mpl.rcParams["ytick.labelcolor"]
        color = mpl.rcParams["ytick.color"] if color == "inherit" else color
        self.labels = [ax.text(x_axes, 0.0, "", transform=shift, ha="right" if side == "left" else "left",
                               va="center_baseline", fontsize=size, color=color, clip_on=True, visible=False)
                       for _ in range(self.SIZE)]
        for label in self.labels:
            label.set_clip_box(strip)
        (self.marks,) = ax.plot([], [], ls="none", marker=mpl.markers.TICKLEFT if side == "left"
                                else mpl.markers.TICKRIGHT, ms=tick, mew=mpl.rcParams["ytick.major.width"],
                                color=mpl.rcParams["ytick.color"], transform=where, clip_on=True, zorder=2.4)
        self.marks.set_clip_box(strip)
        self.grid = None
        if grid_ax is not None:     # gridlines as the axes' own (ax.grid(alpha=0.3)), above them in order
            (self.grid,) = grid_ax.plot([], [], color=mpl.rcParams["grid.color"], lw=mpl.rcParams["grid.linewidth"],
                                        ls=mpl.rcParams["grid.linestyle"], alpha=0.3, zorder=1.6,
                                        transform=mpl.transforms.blended_transform_factory(grid_ax.transAxes,
                                                                                           grid_ax.transData))
        # the axis label goes beyond the widest label there can be (|log10| of a float64 is at most 324)
        canvas = fig.canvas
        renderer = canvas.get_renderer() if hasattr(canvas, "get_renderer") else fig._get_renderer()
        self.labels[0].set_text(widest)
        self.labels[0].set_visible(True)
        width = self.labels[0].get_window_extent(renderer).width * 72.0 / fig.dpi
        self.labels[0].set_text("")
        self.labels[0].set_visible(False)
        gap = tick + pad + width + mpl.rcParams["axes.labelpad"]
        ax.yaxis.set_label_coords(x_axes, 0.5, transform=mpl.transforms.offset_copy(
            ax.transAxes, fig=fig, x=sign * gap, units="points"))

    def show(self, values, positions):
        """Label ``values`` at the y ``positions`` (data coordinates of the axes); unused labels hidden."""
        values, positions = list(values), [float(y) for y in positions]
        if len(values) > self.SIZE:
            raise ValueError(f"_TickPool.show: at most {self.SIZE} ticks, got {len(values)}")
        for i, label in enumerate(self.labels):
            used = i < len(values)
            label.set_text(_tick_text(values[i]) if used else "")
            label.set_y(positions[i] if used else 0.0)     # (every move touches every label: all dynamic)
            label.set_visible(used)
        x = 0.0 if self.marks.get_marker() == mpl.markers.TICKLEFT else 1.0
        self.marks.set_data([x] * len(positions), positions)
        if self.grid is not None:
            xs = np.tile([0.0, 1.0, np.nan], len(positions))
            ys = np.repeat(positions, 3) if positions else np.empty(0)
            self.grid.set_data(xs, ys)


def _message(view):
    """One line saying what the curve shows."""
    k = view["exploded_at"]
    if view["exploded_in"] == "forward":
        return (f"the forward pass overflowed at step {k}: the states are inf, so the loss and its "
                f"gradient are not numbers")
    if view["exploded_in"] == "backward":
        return f"exploded at step {k}: the gradient passed 1e300 there, and stays overflowed back to step 1"
    e = np.log10(view["ratio"]) if view["ratio"] > 0 else -np.inf
    share = "0" if not np.isfinite(e) else f"10^{e:.0f}" if abs(e) >= 2 else f"{view['ratio']:.2g}"
    if view["measured_on"] == "c":
        return f"the memory's gradient {view['verdict']}: ‖∂L<T>/∂c<1>‖ = {share} × ‖∂L<T>/∂c<T−1>‖"
    return f"the gradient {view['verdict']}: ‖∂L<T>/∂a<1>‖ = {share} × ‖∂L<T>/∂a<T>‖"


def gradient_flow_explorer(cell="RNN", activation="tanh", recurrent="gaussian", sigma_max=1.0, input_scale=0.1,
                           keep_bias=6.0, T=100, n_a=32, seed=0, reach=True) -> Explorer:
    """The gradient-flow explorer: log ||dL<T>/da<t>|| against t with the theory, and the reach map.

    Controls: cell (RNN/GRU/LSTM), activation, Waa (gaussian/orthogonal), σ_max, input scale, keep
    bias (gated cells), T (1 .. 400), hidden size n_a (1 .. 64), seed (0 .. 9), reach map (on/off).
    compute is ``gradient_flow_view``. The top panel draws the norms (and, for the LSTM, those of the
    memory) on a log axis, with the Pascanu bound and the exact linear curve for the RNN; an overflow
    is a hatched region and a message. The bottom panel is the reach map, log10 colour scale, exploded
    entries in red.

    The range the picture shows moves in coarse steps: the x axes end at the first of STEP_RANGES >= T,
    the y axis and the colour scale reach the first of DECADE_STEPS that covers the data (``_log_range``);
    the legend, titles and labels never change. The y axis and the colour scale are "virtual": the axes'
    y limits and the image's colour limits stay fixed, the curves and the map are drawn normalised,
    (log10 value - low) / (high - low) for the range [low, high], and the y tick labels, tick marks and
    gridlines and the colour bar's labels are a fixed set of artists (``_TickPool``) that move and change
    their text with the range. So a change of the range changes no axes, creates no artist and rebuilds
    no colour bar, and the move stays on the fast redraw (see helpers/views/explorer.py); only a T that crosses
    one of STEP_RANGES renders the whole figure. ``explorer.frame`` holds the range drawn:
    {"log_range": (low, high), "ticks": the values labelled on the y axis and the colour bar}, and
    ``explorer.ticks`` the two ``_TickPool`` ({"y": ..., "colorbar": ...}) that label it.
    """
    # 6.3 x 5.5 in with the controls beside it: the explorer fits a laptop's screen (1366 x 768)
    fig, (ax, ax_m) = new_figure(2, 1, figsize=(6.3, 5.5), gridspec_kw={"height_ratios": [1.0, 1.0]})

    (bound_line,) = ax.plot([], [], color="0.55", lw=5, alpha=0.45, solid_capstyle="butt",
                            label="RNN bound (γσ_max)^(T−t)")
    (linear_line,) = ax.plot([], [], ls=(0, (2, 2)), color="k", lw=1.3, label="RNN s^(T−t), exact if linear, s·Q")
    (norm_line,) = ax.plot([], [], color="C0", lw=2, label="‖∂L<T>/∂a<t>‖ (BPTT)")
    (memory_line,) = ax.plot([], [], color="C2", lw=1.6, ls="--", label="LSTM memory ‖∂L<T>/∂c<t>‖")
    blast = Rectangle((0, 0), 0, 1, transform=ax.get_xaxis_transform(), facecolor="C3", alpha=0.18,
                      edgecolor="C3", hatch="///", visible=False)
    ax.add_patch(blast)
    # the texts that change are clipped to their axes: then the layers know where they may paint even
    # while they are empty, and the titles and the legend stay in the kept background
    note = ax.text(0.01, 0.96, "", transform=ax.transAxes, fontsize=8.5, va="top", color="C3", clip_on=True,
                   bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.8})
    ax.set_xlabel("step t", fontsize=9)
    ax.set_ylabel("log10 ‖∂L<T>/∂a<t>‖", fontsize=9)
    ax.grid(alpha=0.3, which="major", axis="x")
    # the fixed frame: [low, high] of the log10 range is drawn at 0 .. 1, with room on top for the message
    ax.set_ylim(-0.04, 1.16)
    ax.set_yticks([])
    # one legend for every cell, above the plot: it never changes and no curve is drawn over it
    ax.legend(handles=[norm_line, memory_line, bound_line, linear_line], loc="lower center", ncol=2,
              bbox_to_anchor=(0.5, 1.01), fontsize=7.5, frameon=False, borderaxespad=0.2, columnspacing=1.5)

    cmap = mpl.colormaps["viridis"].with_extremes(bad="white", over="red", under="0.1")
    # the colours are fixed too: 0 .. 1 stands for the log10 range; above it (exploded) is red, below (zero) dark.
    # nearest-neighbour pixels, coloured after resampling ("data"): the same picture, half the time
    image = ax_m.imshow(np.full((2, 2), np.nan), origin="lower", aspect="auto", cmap=cmap, interpolation="nearest",
                        interpolation_stage="data", vmin=0.0, vmax=1.0)
    # matplotlib before 3.11 draws an animated image in every full render too, so the kept background of
    # the fast redraw holds the map as it was then: a card of the axes' own colour, under the map and
    # redrawn with it on every move, covers that old map where the new one is smaller or switched off
    cover = Rectangle((0.0, 0.0), 1.0, 1.0, transform=ax_m.transAxes, facecolor=ax_m.get_facecolor(),
                      edgecolor="none", zorder=image.get_zorder() - 0.5)
    ax_m.add_patch(cover)
    # the colour bar shows the same fixed scale, on a mappable of its own: changing the image's data never
    # rebuilds it (a colour bar of the image would make new artists whenever the image changes)
    scale = mpl.cm.ScalarMappable(norm=mpl.colors.Normalize(0.0, 1.0), cmap=cmap)
    bar = fig.colorbar(scale, ax=ax_m, extend="both", fraction=0.04, pad=0.02,
                       label="log10 ‖∂L<t>/∂a<k>‖   (red: exploded)")
    bar.set_ticks([])
    bar.minorticks_off()
    for axes in (ax, ax_m):                  # few tick labels: a render of the whole figure is mostly text
        axes.locator_params(axis="x", nbins=5)
    ax_m.locator_params(axis="y", nbins=5)
    y_ticks = _TickPool(ax, "left", grid_ax=ax)
    bar_ticks = _TickPool(bar.ax, "right")
    frame = {"log_range": None, "ticks": None}
    map_note = ax_m.text(0.5, 0.5, "", transform=ax_m.transAxes, ha="center", va="center", fontsize=9,
                         clip_on=True)
    ax_m.set_xlabel("step k of the state a<k>", fontsize=9)
    ax_m.set_ylabel("step t of the loss L<t>", fontsize=9)
    ax_m.set_title("reach map ‖∂L<t>/∂a<k>‖: which loss reaches how far back", fontsize=9.5)
    ax_m.set_autoscale_on(False)             # the limits follow the coarse x range, not the image
    fig.tight_layout(h_pad=1.0)

    style = {"description_width": "initial"}
    controls = {
        "cell": widgets.ToggleButtons(options=list(CELL_CHOICES), value=cell, description="cell",
                                      style={"button_width": "60px"}),
        "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation",
                                       style=style, layout=widgets.Layout(width="170px")),
        "recurrent": widgets.Dropdown(options=[("Gaussian", "gaussian"), ("s·Q, Q orthogonal", "orthogonal")],
                                      value=recurrent, description="Waa", style=style,
                                      layout=widgets.Layout(width="210px")),
        "sigma_max": widgets.FloatSlider(value=sigma_max, min=SIGMA_RANGE[0], max=SIGMA_RANGE[1], step=0.05,
                                         description="σ_max(Waa)", style=style, continuous_update=False),
        "input_scale": widgets.FloatSlider(value=input_scale, min=INPUT_SCALE_RANGE[0], max=INPUT_SCALE_RANGE[1],
                                           step=0.01, description="input scale", style=style,
                                           continuous_update=False),
        "keep_bias": widgets.FloatSlider(value=keep_bias, min=KEEP_BIAS_RANGE[0], max=KEEP_BIAS_RANGE[1], step=0.5,
                                         description="keep bias (gated)", style=style, continuous_update=False),
        "T": widgets.IntSlider(value=T, min=1, max=T_MAX, description="T", style=style, continuous_update=False),
        "n_a": widgets.IntSlider(value=n_a, min=1, max=N_A_MAX, description="hidden n_a", style=style,
                                 continuous_update=False),
        "seed": widgets.IntSlider(value=seed, min=SEED_RANGE[0], max=SEED_RANGE[1], description="seed", style=style,
                                  continuous_update=False),
        "reach": widgets.Checkbox(value=reach, description="reach map", indent=False),
    }

    def set_limits(axes, x=None, y=None):
        """Set the limits only when they differ: a move that keeps the frame does no axis work at all."""
        if x is not None and axes.get_xlim() != x:
            axes.set_xlim(*x)
        if y is not None and axes.get_ylim() != y:
            axes.set_ylim(*y)

    def draw(v):
        is_rnn = v["cell"] == "RNN"
        t, T_ = v["t"], v["T"]
        steps = (0.5, _step_range(T_) + 0.5)
        low, high = _log_range(v)

        def frame_y(values):                # log10 of the values, in the frame 0 .. 1 of [low, high]
            return _normalised(_log10(values), low, high)

        norm_line.set_data(t, frame_y(v["norms"]))
        memory = frame_y(v["c_norms"]) if v["c_norms"] is not None else None
        memory_line.set_data(t, memory if memory is not None else np.full(T_, np.nan))
        memory_line.set_visible(memory is not None)
        for line, key in ((bound_line, "bound"), (linear_line, "linear")):
            line.set_visible(is_rnn)
            line.set_data(t, frame_y(v[key]) if is_rnn else np.full(T_, np.nan))
        ticks = _range_ticks(low, high)
        positions = _normalised(ticks, low, high)
        y_ticks.show(ticks, positions)
        bar_ticks.show(ticks, positions)
        frame["log_range"], frame["ticks"] = (low, high), ticks
        set_limits(ax, steps)
        k = v["exploded_at"]
        if v["exploded_in"] == "backward":
            blast.set_bounds(0.5, 0.0, k, 1.0)
        elif v["exploded_in"] == "forward":
            blast.set_bounds(k - 0.5, 0.0, T_ - k + 1, 1.0)
        blast.set_visible(k is not None)
        note.set_text(_message(v) if k is not None else "")     # the verdict itself is in the status line
        cover.stale = True                  # drawn on every move, under the map (see where it is made)
        if v["map"] is None:
            image.set_visible(False)
            map_note.set_text("reach map off (tick 'reach map')")
        else:
            data, vmin, vmax = map_image(v)     # (vmin, vmax) = (low, high): exploded > 1, zeros < 0
            image.set_data(_normalised(data, vmin, vmax))
            image.set_extent((0.5, T_ + 0.5, 0.5, T_ + 0.5))
            image.set_visible(True)
            map_note.set_text("")
        set_limits(ax_m, steps, steps)

    def describe(v):
        extra = ""
        if v["exact"] and v["theory_error"] is not None:
            extra = f" Linear RNN with Waa = s·Q: BPTT equals s^(T−t) to {v['theory_error']:.0e}."
        elif v["cell"] == "RNN" and v["bound_holds"]:
            extra = " The measured norms stay under the bound."
        if v["map_exploded"]:
            extra += " Red in the reach map: exploded entries."
        if v["map"] is not None and len(v["map_rows"]) < v["T"]:
            extra += (f" The reach map shows {len(v['map_rows'])} of the {v['T']} rows, each as a band that "
                      f"ends on its own step.")
        return _message(v) + "." + extra

    explorer = Explorer("gradient norms through time: log ‖∂L<T>/∂a<t>‖ of an RNN, GRU or LSTM, with the "
                        "theory and the reach map", controls, fig, gradient_flow_view, draw, describe=describe,
                        beside=True)
    explorer.frame = frame
    explorer.ticks = {"y": y_ticks, "colorbar": bar_ticks}

    def enable(change=None):
        """The RNN's own controls apply to the RNN, the keep bias to the gated cells."""
        is_rnn = controls["cell"].value == "RNN"
        for name in ("activation", "recurrent", "sigma_max", "input_scale"):
            controls[name].disabled = not is_rnn
        controls["keep_bias"].disabled = is_rnn
    enable()
    # observed after the explorer's own observer: a change of cell sends the picture first, then the
    # five controls' new states (the browser redraws them, which would otherwise delay the picture)
    controls["cell"].observe(enable, names="value")
    return explorer


# ----------------------------------------------------------------------------------------------
# the lecture's example: does the loss at the verb reach the subject?
# ----------------------------------------------------------------------------------------------

SENTENCE_WORDS = ("the", "cat", "cats", "which", "already", "ate", "a", "lot", "of", "food", "and", "then",
                  "slept", "on", "mat")
"""The vocabulary of the example (input row j is word j)."""

CAT_SENTENCE = ("the", "cat", "which", "already", "ate", "a", "lot", "of", "food", "and", "then", "slept",
                "on", "the", "mat")
"""The words read before the verb; the output at the last step chooses "was" or "were"."""

_VERBS = ("was", "were")
_FILLER = CAT_SENTENCE[2:]


def _sentence_network(n_a, sigma_max, input_scale, seed):
    """tanh RNN with input rows SENTENCE_WORDS, and an output layer over ("was", "were")."""
    cell, params, _ = rnn_for_gradient_study(n_a, len(SENTENCE_WORDS), sigma_max, activation="tanh", seed=seed,
                                             T=1, input_scale=input_scale)
    Wy = np.random.default_rng([seed, 2]).normal(0.0, 1.0 / np.sqrt(n_a), size=(len(_VERBS), n_a))
    return cell, params, Wy, np.zeros((len(_VERBS), 1))


def _encode(where, tokens):
    if isinstance(tokens, str) or not all(isinstance(w, str) for w in tokens) or len(tokens) < 2:
        raise ValueError(f"{where}: tokens must be a sequence of at least 2 words, got {tokens!r}")
    unknown = [w for w in tokens if w not in SENTENCE_WORDS]
    if unknown:
        raise ValueError(f"{where}: every token must be one of SENTENCE_WORDS, got {unknown[0]!r}")
    index = {w: j for j, w in enumerate(SENTENCE_WORDS)}
    return one_hot(np.array([index[w] for w in tokens]), len(SENTENCE_WORDS))[:, None, :]


def sentence_gradient(tokens=CAT_SENTENCE, subject=2, n_a=32, sigma_max=1.0, input_scale=1.0, seed=0):
    """||dL<T>/da<t>|| for every word, where L<T> is the loss of choosing the verb after the last word.

    A tanh RNN (``rnn_for_gradient_study``: Waa with largest singular value sigma_max, Wax ~ N(0,
    input_scale^2)) reads the one-hot words; after the last word T its output layer scores the verbs:

        y_hat<T> = softmax(Wy @ a<T> + by),   L<T> = -log y_hat<T>[verb],   verb = "was" if the subject
        word is "cat" else "were";   Wy ~ N(0, 1/n_a), by = 0

    The upstream gradient dL<T>/da<T> = Wy.T @ (y_hat<T> - y<T>) comes from the output layer's backward
    pass, and BPTT (state_gradient_norms with that upstream) carries it back to every word.

    Parameters
    ----------
    tokens : sequence of str, T >= 2 words of SENTENCE_WORDS (default CAT_SENTENCE)
    subject : int in [1, T], the (1-based) position of the subject
    n_a : int >= 1; sigma_max : float in [0.1, 8]; input_scale : float in [0, 3]; seed : int >= 0

    Returns
    -------
    result : dict
        tokens : tuple of T str; t : ndarray (T,) steps 1 .. T
        norms : ndarray (T,), ||dL<T>/da<t>||
        loss : float, L<T>; verb : "was" or "were"
        subject : int, its position; ratio : float, norms[subject - 1] / norms[T - 1]
    """
    where = "sentence_gradient"
    x = _encode(where, tokens)
    T = x.shape[2]
    subject = _check_int_range(where, "subject", subject, 1, T)
    n_a = check_positive_int(where, "n_a", n_a)
    sigma_max = check_real_number(where, "sigma_max", sigma_max, *SIGMA_RANGE)
    input_scale = check_real_number(where, "input_scale", input_scale, *INPUT_SCALE_RANGE)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    cell, params, Wy, by = _sentence_network(n_a, sigma_max, input_scale, seed)
    a, _ = cell.forward(x, np.zeros((n_a, 1)), params)
    last = a[:, :, -1:]
    verb = 0 if tokens[subject - 1] != "cats" else 1
    loss, dz = softmax_cross_entropy(output_layer_forward(last, Wy, by), np.array([[verb]]))
    _, _, da = output_layer_backward(dz, last, Wy)
    norms = state_gradient_norms(cell, params, x, upstream=da[:, :, 0])["norms"]
    return {"tokens": tuple(tokens), "t": np.arange(1, T + 1), "norms": norms, "loss": float(loss),
            "verb": _VERBS[verb], "subject": subject, "ratio": float(norms[subject - 1] / norms[-1])}


def subject_reach(gaps, subject_word="cat", n_a=32, sigma_max=1.0, input_scale=1.0, seed=0):
    """How much of the verb's gradient reaches the subject, for clauses of different lengths.

    For every gap g the sentence is "the", subject_word, then g words of the relative clause (CAT_SENTENCE
    from "which" on, repeated as often as needed), and ``sentence_gradient`` gives the ratio
    ||dL<T>/da<2>|| / ||dL<T>/da<T>||, T = g + 2, always with the same network.

    Parameters
    ----------
    gaps : sequence of int >= 0, the numbers of words between the subject and the verb
    subject_word : "cat" or "cats"
    n_a, sigma_max, input_scale, seed : as in ``sentence_gradient``

    Returns
    -------
    result : dict with gaps : ndarray (G,) int and ratio : ndarray (G,)
    """
    where = "subject_reach"
    check_choice(where, "subject_word", subject_word, ("cat", "cats"))
    gaps = np.asarray(gaps)
    if gaps.ndim != 1 or gaps.size == 0 or not np.issubdtype(gaps.dtype, np.integer) or gaps.min() < 0:
        raise ValueError(f"{where}: gaps must be a non-empty 1-D sequence of int >= 0, got {gaps!r}")
    ratios = []
    for g in gaps:
        filler = tuple(_FILLER[i % len(_FILLER)] for i in range(int(g)))
        out = sentence_gradient(("the", subject_word) + filler, 2, n_a, sigma_max, input_scale, seed)
        ratios.append(out["ratio"])
    return {"gaps": gaps.astype(int), "ratio": np.array(ratios)}


def plot_sentence_gradient(view, reach=None):
    """The gradient of the verb's loss at every word (log scale), and, with ``reach``, the share that
    reaches the subject against the length of the clause.

    Parameters
    ----------
    view : dict from ``sentence_gradient``
    reach : dict from ``subject_reach``, optional

    Returns
    -------
    fig : matplotlib Figure (not displayed; show it with ``helpers.views.explorer.show_figure``).
    """
    where = "plot_sentence_gradient"
    for key in ("tokens", "t", "norms", "subject", "verb"):
        if not isinstance(view, dict) or key not in view:
            raise KeyError(f"{where}: view must be the dict of sentence_gradient, missing '{key}'")
    if reach is not None and (not isinstance(reach, dict) or "gaps" not in reach or "ratio" not in reach):
        raise KeyError(f"{where}: reach must be the dict of subject_reach (with 'gaps' and 'ratio')")
    ncols = 1 if reach is None else 2
    fig, axes = new_figure(1, ncols, figsize=(9.4 if reach is not None else 6.4, 3.4),
                           gridspec_kw={"width_ratios": [1.5, 1.0]} if reach is not None else None)
    ax = axes[0] if reach is not None else axes
    t, norms, s = view["t"], _positive(view["norms"]), view["subject"]
    ax.semilogy(t, norms, "o-", color="C0", ms=4, lw=1.5)
    ax.semilogy([s], [norms[s - 1]], "o", color="C3", ms=9, label=f"subject '{view['tokens'][s - 1]}'")
    ax.set_xticks(t)
    ax.set_xticklabels(view["tokens"], rotation=45, ha="right", fontsize=8)
    ax.set_ylabel("‖∂L<T>/∂a<t>‖ (log)", fontsize=9)
    ax.set_title(f"the loss of '{view['verb']}' after the last word, pushed back by BPTT", fontsize=9.5)
    ax.grid(alpha=0.3, which="major")
    ax.legend(fontsize=8, loc="upper left")
    if reach is not None:
        ax2 = axes[1]
        ax2.semilogy(reach["gaps"], _positive(reach["ratio"]), "o-", color="C3", ms=3.5)
        ax2.set_xlabel("words between subject and verb", fontsize=9)
        ax2.set_ylabel("‖∂L/∂a<subject>‖ / ‖∂L/∂a<T>‖", fontsize=9)
        ax2.set_title("share of the gradient that reaches the subject", fontsize=9.5)
        ax2.grid(alpha=0.3, which="major")
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# clipping by value versus by norm
# ----------------------------------------------------------------------------------------------

def _flat(gradients, keys):
    return np.concatenate([np.ravel(gradients[k]) for k in keys])


def _cosine(u, v):
    """cos of the angle between two vectors, scaled first so no square overflows; 0-vectors give NaN."""
    su, sv = np.max(np.abs(u)), np.max(np.abs(v))
    if su == 0 or sv == 0:
        return float("nan")
    u, v = u / su, v / sv
    return float(np.clip(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)), -1.0, 1.0))


def clip_comparison(gradients, threshold, keys=None):
    """Clip one gradient both ways and say what each did to its length and its direction.

        by value:  clip_by_value(gradients, threshold)          every entry in [-threshold, threshold]
        by norm:   clip_by_global_norm(gradients, threshold)    ||g|| <= threshold, same direction

    Parameters
    ----------
    gradients : dict name -> ndarray, finite (e.g. {"dWaa": (n_a, n_a), "dWax": (n_a, n_x), ...})
    threshold : float > 0
    keys : list of str, optional, the entries that make up g (default: all)

    Returns
    -------
    result : dict
        n_entries : int, N;  norm : float, ||g||
        value_norm, norm_norm : float, the length after clipping by value / by norm
        value_cosine, norm_cosine : float, cos of the angle between g and the clipped gradient
        value_turn_deg, norm_turn_deg : float, that angle in degrees
        clipped_fraction : float, the share of entries that clipping by value changed
        value_norm_limit : float, threshold * sqrt(N), the largest length clipping by value allows
    """
    where = "clip_comparison"
    if not isinstance(gradients, dict) or not gradients:
        raise ValueError(f"{where}: gradients must be a non-empty dict of arrays, got {gradients!r:.60}")
    keys = list(gradients) if keys is None else list(keys)
    by_value = clip_by_value(gradients, threshold, keys=keys)
    by_norm, norm = clip_by_global_norm(gradients, threshold, keys=keys)
    g, gv, gn = _flat(gradients, keys), _flat(by_value, keys), _flat(by_norm, keys)
    cv, cn = _cosine(g, gv), _cosine(g, gn)
    return {"n_entries": int(g.size), "norm": float(norm),
            "value_norm": float(np.linalg.norm(gv)), "norm_norm": float(np.linalg.norm(gn)),
            "value_cosine": cv, "norm_cosine": cn,
            "value_turn_deg": float(np.degrees(np.arccos(cv))), "norm_turn_deg": float(np.degrees(np.arccos(cn))),
            "clipped_fraction": float(np.mean(np.abs(g) > threshold)),
            "value_norm_limit": float(threshold * np.sqrt(g.size))}


def clip_2d_view(angle=20.0, length=4.0, threshold=1.0):
    """A 2-D gradient g = length * (cos angle, sin angle) clipped by value and by norm.

    Parameters
    ----------
    angle : float in [0, 90], degrees from the first axis
    length : float in (0, 10], ||g||
    threshold : float in (0, 5], the clipping threshold c

    Returns
    -------
    view : dict
        g, by_value, by_norm : ndarray (2,)
        angle, value_angle, norm_angle : float, the direction of each, in degrees
        norm, value_norm, norm_norm : float, their lengths
        turn : float, value_angle - angle (how far clipping by value turned g)
        threshold : float
    """
    where = "clip_2d_view"
    angle = check_real_number(where, "angle", angle, 0.0, 90.0)
    length = check_real_number(where, "length", length, 0.0, 10.0)
    threshold = check_real_number(where, "threshold", threshold, 0.0, 5.0)
    if length == 0.0 or threshold == 0.0:
        raise ValueError(f"{where}: length and threshold must be > 0, got length={length!r}, threshold={threshold!r}")
    rad = np.radians(angle)
    g = length * np.array([np.cos(rad), np.sin(rad)])
    gv = clip_by_value({"dW": g}, threshold)["dW"]
    gn = clip_by_global_norm({"dW": g}, threshold)[0]["dW"]

    def direction(v):
        return float(np.degrees(np.arctan2(v[1], v[0])))

    return {"g": g, "by_value": gv, "by_norm": gn, "angle": direction(g), "value_angle": direction(gv),
            "norm_angle": direction(gn), "norm": float(np.linalg.norm(g)), "value_norm": float(np.linalg.norm(gv)),
            "norm_norm": float(np.linalg.norm(gn)), "turn": direction(gv) - direction(g), "threshold": threshold}


CLIP_RANGES = (0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0)
"""The axis ranges of the 2-D clipping picture: it shows [-0.15 r, r]^2 with r the first of these that
holds the gradient and the threshold with a margin (1.12 * max(||g||, c))."""


def _clip_range(norm, threshold):
    """r of CLIP_RANGES for a gradient of length ``norm`` and a threshold ``threshold``."""
    need = 1.12 * max(norm, threshold)
    return next((r for r in CLIP_RANGES if r >= need), CLIP_RANGES[-1])


def clip_2d_explorer(angle=20.0, length=4.0, threshold=1.0) -> Explorer:
    """Sliders for a 2-D gradient (angle, length) and the threshold c; the picture shows g, its clip by
    value (the corner of the box [-c, c]^2 it lands on) and its clip by norm (on the circle of radius c).
    compute is ``clip_2d_view``.

    The gradient and its clipped versions lie in the first quadrant (the angle is 0 .. 90°), so the
    picture shows [-0.15 r, r]^2, r from CLIP_RANGES: the axes change only when r does, and most
    moves redraw just the arrows, the box and the circle. The lengths and angles are in the status line.
    """
    fig, ax = new_figure(figsize=(6.3, 4.4))
    box = Rectangle((-1, -1), 2, 2, facecolor="C1", alpha=0.12, edgecolor="C1", lw=1.2,
                    label="by value: the box [−c, c]²")
    circle = Circle((0, 0), 1, facecolor="none", edgecolor="C2", lw=1.5, ls="--", label="by norm: circle ‖g‖ = c")
    ax.add_patch(box)
    ax.add_patch(circle)
    (g_line,) = ax.plot([], [], "-o", color="C0", lw=2, ms=6, markevery=[1], label="gradient g")
    (v_line,) = ax.plot([], [], "-s", color="C1", lw=2, ms=6, markevery=[1], label="clipped by value")
    (n_line,) = ax.plot([], [], "-D", color="C2", lw=2, ms=6, markevery=[1], label="clipped by norm")
    (guide,) = ax.plot([], [], ":", color="C0", lw=1)
    ax.set_aspect("equal")
    ax.axhline(0, color="0.7", lw=0.8, zorder=0.5)
    ax.axvline(0, color="0.7", lw=0.8, zorder=0.5)
    ax.locator_params(nbins=5)
    ax.tick_params(labelsize=8)
    # outside the axes: the legend never changes and nothing is drawn over it
    ax.legend(loc="upper left", bbox_to_anchor=(1.03, 1.0), fontsize=8, borderaxespad=0.0)
    ax.set_title("clipping a 2-D gradient at threshold c", fontsize=10)
    ax.set_anchor("W")
    fig.subplots_adjust(left=0.08, right=0.66, bottom=0.08, top=0.92)

    def draw(v):
        c = v["threshold"]
        box.set_bounds(-c, -c, 2 * c, 2 * c)
        circle.set_radius(c)
        for line, key in ((g_line, "g"), (v_line, "by_value"), (n_line, "by_norm")):
            line.set_data([0.0, v[key][0]], [0.0, v[key][1]])
        r = _clip_range(v["norm"], c)
        limits = (-0.15 * r, r)
        if ax.get_xlim() != limits:
            ax.set_xlim(*limits)
            ax.set_ylim(*limits)
        far = 2.0 * r
        guide.set_data([0.0, far * np.cos(np.radians(v["angle"]))], [0.0, far * np.sin(np.radians(v["angle"]))])

    def describe(v):
        return (f"g is {v['norm']:.2f} long at {v['angle']:.1f}°. Clipping by value turned g by {v['turn']:+.1f}° "
                f"(to {v['value_angle']:.1f}°) and left it {v['value_norm']:.2f} long; clipping by norm kept the "
                f"direction and made it {v['norm_norm']:.2f} long.")

    style = {"description_width": "initial"}
    controls = {
        "angle": widgets.FloatSlider(value=angle, min=0.0, max=90.0, step=1.0, description="angle of g (°)",
                                     style=style),
        "length": widgets.FloatSlider(value=length, min=0.1, max=10.0, step=0.1, description="‖g‖", style=style),
        "threshold": widgets.FloatSlider(value=threshold, min=0.1, max=5.0, step=0.1, description="threshold c",
                                         style=style),
    }
    return Explorer("clipping a 2-D gradient by value and by norm", controls, fig, clip_2d_view, draw,
                    describe=describe)


# ----------------------------------------------------------------------------------------------
# the latch
# ----------------------------------------------------------------------------------------------

def latch_curves(ws=(0.5, 1.5, 2.0, 3.0), T=40, a0=0.5, w_grid=None):
    """The latch a<t> = tanh(w a<t-1>) for a few self-weights, and the gradient of its last state.

    For every w in ``ws`` and every length t = 1 .. T, ``latch_experiment(w, t, a0)`` runs the unit and
    its BPTT, giving a<t> and da<t>/da<0>. Over ``w_grid`` it also lists the fixed point the state
    settles on and the slope of the map there, w * (1 - a*^2), the factor the gradient is multiplied by
    at every step once the state has settled.

    Parameters
    ----------
    ws : sequence of float >= 0, the self-weights of the curves (1 to 6 of them)
    T : int in [1, 400], the number of steps
    a0 : float, the initial state
    w_grid : sequence of float >= 0, optional (default: 0.25 .. 4 in steps of 0.05)

    Returns
    -------
    curves : dict
        ws : ndarray (W,); t : ndarray (T,) steps 1 .. T
        a : ndarray (W, T), a<t>;  grad : ndarray (W, T), da<t>/da<0> (from BPTT)
        fixed_point, slope : ndarray (W,)
        w_grid, grid_fixed_point, grid_slope : ndarray (G,)
    """
    where = "latch_curves"
    ws = as_float_array(where, "ws", ws)
    check_ndim(where, "ws", ws, 1, "(W,)")
    if not 1 <= ws.size <= 6:
        raise ValueError(f"{where}: ws must hold 1 to 6 self-weights, got {ws.size}")
    check_finite(where, "ws", ws)
    T = _check_int_range(where, "T", T, 1, T_MAX)
    a0 = check_real_number(where, "a0", a0)
    w_grid = np.arange(0.25, 4.0 + 1e-9, 0.05) if w_grid is None else as_float_array(where, "w_grid", w_grid)
    check_ndim(where, "w_grid", w_grid, 1, "(G,)")
    check_finite(where, "w_grid", w_grid)
    a = np.zeros((ws.size, T))
    grad = np.zeros((ws.size, T))
    fixed, slope = np.zeros(ws.size), np.zeros(ws.size)
    for i, w in enumerate(ws):
        full = latch_experiment(float(w), T, a0)
        a[i] = full["a"]
        fixed[i], slope[i] = full["fixed_point"], full["slope"]
        grad[i, -1] = full["da_T_da0"]
        for t in range(1, T):
            grad[i, t - 1] = latch_experiment(float(w), t, a0)["da_T_da0"]
    grid = [latch_experiment(float(w), 1, a0) for w in w_grid]
    return {"ws": ws, "t": np.arange(1, T + 1), "a": a, "grad": grad, "fixed_point": fixed, "slope": slope,
            "w_grid": w_grid, "grid_fixed_point": np.array([g["fixed_point"] for g in grid]),
            "grid_slope": np.array([g["slope"] for g in grid])}


def plot_latch(curves):
    """Three panels: the state a<t> (it holds for w > 1), |da<t>/da<0>| on a log scale (it vanishes
    exactly when the state holds), and the fixed point and the slope there against w.

    Parameters
    ----------
    curves : dict from ``latch_curves``

    Returns
    -------
    fig : matplotlib Figure (not displayed; show it with ``helpers.views.explorer.show_figure``).
    """
    for key in ("ws", "t", "a", "grad", "w_grid", "grid_fixed_point", "grid_slope"):
        if not isinstance(curves, dict) or key not in curves:
            raise KeyError(f"plot_latch: curves must be the dict of latch_curves, missing '{key}'")
    fig, (ax_a, ax_g, ax_w) = new_figure(1, 3, figsize=(11.0, 3.4))
    t = curves["t"]
    for i, w in enumerate(curves["ws"]):
        ax_a.plot(t, curves["a"][i], color=f"C{i}", lw=1.8, label=f"w = {w:g}")
        ax_g.semilogy(t, _positive(np.abs(curves["grad"][i])), color=f"C{i}", lw=1.8, label=f"w = {w:g}")
    ax_a.set_ylim(-0.05, 1.05)
    ax_a.set_xlabel("step t", fontsize=9)
    ax_a.set_title("the state a<t> = tanh(w a<t−1>)", fontsize=9.5)
    ax_a.legend(fontsize=7.5)
    ax_g.set_xlabel("step t", fontsize=9)
    ax_g.set_title("|∂a<t>/∂a<0>| by BPTT (log)", fontsize=9.5)
    ax_g.legend(fontsize=7.5)
    for ax in (ax_a, ax_g):
        ax.grid(alpha=0.3)
    w = curves["w_grid"]
    ax_w.plot(w, curves["grid_fixed_point"], color="C0", lw=2, label="held value a* (fixed point)")
    ax_w.plot(w, curves["grid_slope"], color="C3", lw=2, label="slope there, w (1 − a*²)")
    ax_w.axhline(1.0, color="0.5", lw=1, ls=":")
    ax_w.axvline(1.0, color="0.5", lw=1, ls=":")
    ax_w.set_xlabel("self-weight w", fontsize=9)
    ax_w.set_ylim(0, 2.05)
    ax_w.set_title("every value the unit holds has slope < 1", fontsize=9.5)
    ax_w.legend(fontsize=7.5, loc="upper left")
    ax_w.grid(alpha=0.3)
    fig.tight_layout()
    return fig
