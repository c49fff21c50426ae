"""Bidirectional recurrent networks with any cell (RNN, GRU or LSTM) as their block, forward and backward.

A unidirectional network decides at step t having read only x<1> .. x<t>. A bidirectional network
runs two independent chains over the same input, one from left to right and one from right to left,
and lets the output at every step read both:

    forward chain:    a_fwd<t> = cell(x<t>, a_fwd<t-1>)     t = 1 .. T_x,   a_fwd<0>     = h0_forward  (default 0)
    backward chain:   a_bwd<t> = cell(x<t>, a_bwd<t+1>)     t = T_x .. 1,   a_bwd<T_x+1> = h0_backward (default 0)
    output:           z<t>     = Wy @ [a_fwd<t>; a_bwd<t>] + by
                      y_hat<t> = g(z<t>)          g = softmax, sigmoid, or nothing ("linear": y_hat = z)

so z<t> depends on the whole sequence x<1> .. x<T_x>. The two chains have their own parameters and
never feed each other: a_fwd<t> is computed from the past only, a_bwd<t> from the future only, and only
the output layer reads both. The computation graph is therefore ACYCLIC, even though information flows
both ways in time, and the ordinary chain rule (backpropagation) applies to it unchanged.

The backward chain is literally the same cell run on the time-reversed sequence x[..., ::-1] with its
own parameters; its states are reversed back so that a_bwd[..., t] sits next to a_fwd[..., t]. That is
how it is implemented here: each direction is one call to the layer interface of ``cells.py``.

Backward pass. With dz<t> = dL/dz<t> given (what a loss of ``losses.py`` returns):

    dWy = sum_t dz<t> @ [a_fwd<t>; a_bwd<t>].T          dby = sum_t sum over the batch of dz<t>
    [da_fwd<t>; da_bwd<t>] = Wy.T @ dz<t>               (the top n_a rows go to the forward chain)

Each chain then gets its own BPTT: the forward chain from t = T_x down to 1 (gradient flowing to the
past), the backward chain from t = 1 up to T_x (gradient flowing to the future), which is the ordinary
BPTT of the reversed run. Every x<t> feeds both chains, so its gradient is the sum of the two:

    dx<t> = dx_fwd<t> + dx_bwd<t>

and dh0_forward, dh0_backward are the gradients of the two initial states.

Parameters, a dict:
    "forward"  : the forward chain's cell parameters (the keys of ``get_cell(cell).param_keys``)
    "backward" : the backward chain's cell parameters (same keys and shapes)
    "Wy" (n_y, 2 n_a), "by" (n_y, 1): the output layer; Wy[:, :n_a] reads a_fwd, Wy[:, n_a:] reads a_bwd.
The gradients mirror it: {"forward": {"d" + key: ...}, "backward": {...}, "dWy", "dby", "dx",
"dh0_forward", "dh0_backward"}.

The unidirectional model (for comparison on the same task) is the same code with the backward chain
left out: parameters {"forward", "Wy" (n_y, n_a), "by"}, see ``uni_forward`` / ``uni_backward``.

``input_influence`` measures how much each input position x<k> moves the output z<t> (the norm of the
Jacobian dz<t>/dx<k>), using the backward pass above. For a unidirectional network it is exactly 0
for k > t (the future is not read); for a bidirectional one it is not.

Cache layout (opaque; only brnn_backward / uni_backward read it), a dict:
    "made_by"    "brnn_forward" or "uni_forward" (or the public function that ran it)
    "cell"       the ``cells.Cell`` used by both directions
    "directions" ("forward", "backward") or ("forward",)
    "layers"     {direction: the layer cache of that direction}; the backward one is the cache of the
                 run over the REVERSED sequence, so its time axis is reversed
    "h"          ndarray (n_dir * n_a, m, T_x), the states read by the output layer, [a_fwd; a_bwd]
    "Wy"         ndarray (n_y, n_dir * n_a), a private copy
    "n_a"        int
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    check_choice,
    check_finite,
    check_ndim,
    check_params,
    check_positive_int,
    check_shape,
    check_time_steps,
    fmt_shape,
    get_param,
)
from .activations import ACTIVATIONS, sigmoid, softmax
from .cells import CELL_KINDS, Cell, get_cell
from .losses import output_layer_backward, output_layer_forward

__all__ = [
    "OUTPUTS",
    "initialize_brnn_parameters",
    "brnn_forward",
    "brnn_backward",
    "initialize_unidirectional_parameters",
    "uni_forward",
    "uni_backward",
    "input_influence",
]

#: The output activations g of y_hat<t> = g(z<t>).
OUTPUTS = ("softmax", "sigmoid", "linear")

_BOTH = ("forward", "backward")
_ONLY_FORWARD = ("forward",)
# the options a cell may take inside these networks (the gate override is left to the cell modules:
# in a bidirectional network it would have to be read in reversed time for one of the chains)
_CELL_OPTIONS = {"rnn": ("activation",), "gru": ("simplified",), "lstm": ("peephole",)}


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _resolve_cell(where, cell, cell_options) -> Cell:
    """Check the cell kind and its options, and return the layer interface of ``cells.py``."""
    if isinstance(cell, Cell):
        if cell_options:
            raise ValueError(f"{where}: cell options {', '.join(sorted(cell_options))} were given together "
                             f"with a ready {cell!r}; give either the cell's name and options, or the Cell")
        cell_options = dict(cell.options)
        kind = cell.kind
    else:
        check_choice(where, "cell", cell, CELL_KINDS)
        kind = cell
    allowed = _CELL_OPTIONS[kind]
    for name, value in cell_options.items():
        if name not in allowed:
            raise ValueError(f"{where}: the {kind} cell takes no option {name!r} here "
                             f"(it takes: {', '.join(allowed)})")
        if name == "activation":
            check_choice(where, "activation", value, tuple(ACTIVATIONS))
        elif not isinstance(value, (bool, np.bool_)):
            raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return cell if isinstance(cell, Cell) else get_cell(kind, **cell_options)


def _cell_shapes(cell, n_a, n_x) -> dict:
    """Expected shape and layout of every parameter of the cell."""
    if cell.kind == "rnn":
        return {"Wax": ((n_a, n_x), "(n_a, n_x)"), "Waa": ((n_a, n_a), "(n_a, n_a)"),
                "ba": ((n_a, 1), "(n_a, 1)")}
    W, b = ((n_a, n_a + n_x), "(n_a, n_a + n_x)"), ((n_a, 1), "(n_a, 1)")
    return {key: (W if key.startswith("W") else b) for key in cell.param_keys}


def _direction(where, parameters, direction):
    """parameters[direction], which must be a dict; a missing key raises KeyError."""
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: parameters must be a dict, got {type(parameters).__name__}")
    if direction not in parameters:
        have = ", ".join(sorted(map(str, parameters))) or "nothing"
        raise KeyError(f"{where}: parameters is missing the key '{direction}' (it has: {have})")
    sub = parameters[direction]
    if not isinstance(sub, dict):
        raise ValueError(f"{where}: parameters['{direction}'] must be a dict of the {direction} chain's "
                         f"cell parameters, got {type(sub).__name__}")
    return sub


def _sizes_from(where, cell, params, what):
    """(n_a, n_x, first key, its shape) read from the cell's first weight matrix."""
    key = cell.param_keys[0]                       # Wax for the RNN, Wu for the GRU, Wf for the LSTM
    name = f"{what}['{key}']"
    W = get_param(where, params, key, what)
    layout = "(n_a, n_x)" if cell.kind == "rnn" else "(n_a, n_a + n_x)"
    check_ndim(where, name, W, 2, layout)
    n_a = W.shape[0]
    n_x = W.shape[1] if cell.kind == "rnn" else W.shape[1] - n_a
    if n_a < 1 or n_x < 1:
        raise ValueError(f"{where}: {name} must have shape {layout} with n_a >= 1 and n_x >= 1, "
                         f"got {fmt_shape(W.shape)}")
    return n_a, n_x, name, W.shape


def _check_network(where, x, parameters, cell, h0s, output, directions):
    """Check everything a forward pass is given; return x, the cell parameters, h0s, Wy, by as float64."""
    check_choice(where, "output", output, OUTPUTS)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    check_time_steps(where, "x", x)

    subs = {d: _direction(where, parameters, d) for d in directions}
    n_a, n_x, ref_name, ref_shape = _sizes_from(where, cell, subs["forward"], "parameters['forward']")
    shapes = _cell_shapes(cell, n_a, n_x)
    cell_params = {d: check_params(where, subs[d], shapes, f"parameters['{d}']") for d in directions}

    n_h = len(directions) * n_a
    h_layout = "(n_y, 2 n_a)" if len(directions) == 2 else "(n_y, n_a)"
    Wy = get_param(where, parameters, "Wy")
    check_ndim(where, "parameters['Wy']", Wy, 2, h_layout)
    check_shape(where, "parameters['Wy']", Wy, (None, n_h), h_layout,
                f"to match {ref_name} {fmt_shape(ref_shape)} (n_a = {n_a}"
                + (", one block of columns per direction)" if len(directions) == 2 else ")"))
    n_y = Wy.shape[0]
    if n_y < 1:
        raise ValueError(f"{where}: parameters['Wy'] must have at least one row (n_y >= 1), "
                         f"got {fmt_shape(Wy.shape)}")
    by = check_params(where, parameters, {"by": ((n_y, 1), "(n_y, 1)")})["by"]
    check_finite(where, "parameters['Wy']", Wy)
    if output == "softmax" and n_y < 2:
        raise ValueError(f"{where}: output='softmax' needs n_y >= 2 classes, but parameters['Wy'] has shape "
                         f"{fmt_shape(Wy.shape)} (one output unit: use output='sigmoid')")

    check_shape(where, "x", x, (n_x, None, None), "(n_x, m, T_x)",
                f"to match {ref_name} {fmt_shape(ref_shape)}")
    m = x.shape[1]
    states = {}
    for d in directions:
        name = f"h0_{d}"
        if h0s[d] is None:
            states[d] = np.zeros((n_a, m))
            continue
        h0 = as_float_array(where, name, h0s[d])
        check_ndim(where, name, h0, 2, "(n_a, m)")
        check_shape(where, name, h0, (n_a, m), "(n_a, m)",
                    f"to match {ref_name} {fmt_shape(ref_shape)} and x {fmt_shape(x.shape)}")
        states[d] = h0
    check_finite(where, "x", x)
    for d in directions:
        check_finite(where, f"h0_{d}", states[d])
    return x, cell_params, states, Wy, by


# ----------------------------------------------------------------------------------------------
# the shared forward and backward passes (one or two directions)
# ----------------------------------------------------------------------------------------------

def _forward(where, x, parameters, cell, h0s, output, cell_options, directions):
    """Checks, then each chain over its own time order, then the output layer of all steps at once."""
    cell = _resolve_cell(where, cell, cell_options)
    x, cell_params, states, Wy, by = _check_network(where, x, parameters, cell, h0s, output, directions)

    x = x.copy()                                   # our own copy: the caller may change theirs later
    runs = {"forward": x, "backward": np.ascontiguousarray(x[..., ::-1])}
    layers, chains = {}, []
    for d in directions:
        h, layers[d] = cell.forward(runs[d], states[d], cell_params[d])
        # the backward chain ran over reversed time: flip its states back to line up with x<t>
        chains.append(h if d == "forward" else h[..., ::-1])
    h = np.concatenate(chains, axis=0)             # [a_fwd<t>; a_bwd<t>], (n_dir * n_a, m, T_x)

    z = output_layer_forward(h, Wy, by, kind="linear")   # Wy @ h<t> + by of every step, one product
    if output == "softmax":
        y_hat = softmax(z)
    elif output == "sigmoid":
        y_hat = sigmoid(z)
    else:
        y_hat = z

    n_a = h.shape[0] // len(directions)
    caches = {"made_by": where, "cell": cell, "directions": directions, "layers": layers,
              "h": h, "Wy": Wy.copy(), "n_a": n_a}
    states_out = [np.array(h[i * n_a:(i + 1) * n_a]) for i in range(len(directions))]
    return (y_hat, *states_out, caches)


def _backward(where, dz, caches, directions, producer):
    """Output layer, then BPTT through each chain; the input gradient is the sum over the chains."""
    ok = (isinstance(caches, dict) and caches.get("directions") == directions
          and all(k in caches for k in ("cell", "layers", "h", "Wy", "n_a")))
    if not ok:
        raise ValueError(f"{where}: caches must be the caches returned by {producer}, "
                         f"got {type(caches).__name__}")
    h, Wy, n_a, cell = caches["h"], caches["Wy"], caches["n_a"], caches["cell"]
    n_y = Wy.shape[0]
    _, m, T_x = h.shape
    dz = as_float_array(where, "dz", dz)
    check_ndim(where, "dz", dz, 3, "(n_y, m, T_x)")
    check_shape(where, "dz", dz, (n_y, m, T_x), "(n_y, m, T_x)",
                f"to match the caches of a forward pass with Wy {fmt_shape(Wy.shape)} "
                f"and states {fmt_shape(h.shape)}")
    check_finite(where, "dz", dz)

    dWy, dby, dh = output_layer_backward(dz, h, Wy)        # dh<t> = Wy.T @ dz<t>
    chains, dh0 = {}, {}
    dx = 0.0
    for i, d in enumerate(directions):
        dh_d = dh[i * n_a:(i + 1) * n_a]
        if d == "backward":
            dh_d = np.ascontiguousarray(dh_d[..., ::-1])   # into the reversed run's own time order
        g = cell.backward(dh_d, caches["layers"][d])
        dx_d = g.pop("dx")
        dx = dx + (dx_d if d == "forward" else dx_d[..., ::-1])   # x<t> feeds both chains
        dh0[f"dh0_{d}"] = g.pop("dh0")
        chains[d] = g                                          # "d" + every cell parameter key
    return {**chains, "dWy": dWy, "dby": dby, "dx": np.ascontiguousarray(dx), **dh0}


# ----------------------------------------------------------------------------------------------
# initialisation
# ----------------------------------------------------------------------------------------------

def _init(where, n_x, n_a, n_y, cell, seed, cell_options, directions):
    cell = _resolve_cell(where, cell, cell_options)
    n_x = check_positive_int(where, "n_x", n_x)
    n_a = check_positive_int(where, "n_a", n_a)
    n_y = check_positive_int(where, "n_y", n_y)
    if seed is not None:
        seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    rng = np.random.default_rng(seed)
    # one seed per direction, drawn first, so the forward chain is the same for the uni- and the
    # bidirectional model made with the same seed, and the two chains of a BRNN start different
    chain_seeds = dict(zip(_BOTH, (int(s) for s in rng.integers(0, 2**31 - 1, size=2))))
    parameters = {d: cell.init(n_x, n_a, seed=chain_seeds[d]) for d in directions}
    n_h = len(directions) * n_a
    parameters["Wy"] = rng.normal(0.0, 1.0 / np.sqrt(n_h), size=(n_y, n_h))
    parameters["by"] = np.zeros((n_y, 1))
    return parameters


def initialize_brnn_parameters(n_x, n_a, n_y, cell="rnn", seed=0, **cell_options):
    """Random parameters of a bidirectional network: two independent chains and one output layer.

        forward, backward : the cell's own initialisation (``cells.Cell.init``), each with its own seed
        Wy ~ N(0, 1 / (2 n_a))  (variance 1 / fan_in),   by = 0

    Parameters
    ----------
    n_x : int >= 1
        Input size.
    n_a : int >= 1
        Number of units of EACH direction (the output layer reads 2 n_a numbers per step).
    n_y : int >= 1
        Output size.
    cell : "rnn", "gru", "lstm" or a ``cells.Cell``
        The block of both chains.
    seed : int >= 0 or None
        Seeds np.random.default_rng, which draws the two chains' seeds and then Wy. None: fresh randomness.
    **cell_options
        activation (rnn), simplified (gru) or peephole (lstm).

    Returns
    -------
    parameters : dict
        "forward" : dict of the cell's parameters, "backward" : dict, same keys and shapes, other values,
        "Wy" : ndarray (n_y, 2 n_a), "by" : ndarray (n_y, 1).
    """
    return _init("initialize_brnn_parameters", n_x, n_a, n_y, cell, seed, cell_options, _BOTH)


def initialize_unidirectional_parameters(n_x, n_a, n_y, cell="rnn", seed=0, **cell_options):
    """Random parameters of the unidirectional counterpart: one forward chain and an output layer.

        forward : the same draw as the forward chain of ``initialize_brnn_parameters`` with this seed
        Wy ~ N(0, 1 / n_a),   by = 0

    Parameters
    ----------
    n_x : int >= 1
        Input size.
    n_a : int >= 1
        Number of hidden units.
    n_y : int >= 1
        Output size.
    cell : "rnn", "gru", "lstm" or a ``cells.Cell``
    seed : int >= 0 or None
    **cell_options
        activation (rnn), simplified (gru) or peephole (lstm).

    Returns
    -------
    parameters : dict
        "forward" : dict of the cell's parameters, "Wy" : ndarray (n_y, n_a), "by" : ndarray (n_y, 1).
    """
    return _init("initialize_unidirectional_parameters", n_x, n_a, n_y, cell, seed, cell_options, _ONLY_FORWARD)


# ----------------------------------------------------------------------------------------------
# forward and backward
# ----------------------------------------------------------------------------------------------

def brnn_forward(x, parameters, cell="rnn", h0_forward=None, h0_backward=None, output="softmax",
                 **cell_options):
    """Forward pass of the bidirectional network over a whole sequence.

        a_fwd<t> = cell(x<t>, a_fwd<t-1>)     t = 1 .. T_x,   a_fwd<0> = h0_forward
        a_bwd<t> = cell(x<t>, a_bwd<t+1>)     t = T_x .. 1,   a_bwd<T_x+1> = h0_backward
        z<t>     = Wy @ [a_fwd<t>; a_bwd<t>] + by,            y_hat<t> = g(z<t>)

    The backward chain is the cell run over x[..., ::-1] with parameters["backward"].

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        Input sequence, time on the last axis.
    parameters : dict
        "forward", "backward" : dicts of the cell's parameters (e.g. Wax (n_a, n_x), Waa (n_a, n_a),
        ba (n_a, 1) for the RNN; W* (n_a, n_a + n_x), b* (n_a, 1) for the GRU and the LSTM);
        "Wy" : ndarray (n_y, 2 n_a); "by" : ndarray (n_y, 1).
    cell : "rnn", "gru", "lstm" or a ``cells.Cell``
        The block of both chains.
    h0_forward : ndarray (n_a, m) or None
        a_fwd<0>; None means zeros.
    h0_backward : ndarray (n_a, m) or None
        a_bwd<T_x+1>, where the backward chain starts; None means zeros.
    output : {"softmax", "sigmoid", "linear"}
        g. With "linear", y_hat is the logits z (feed those to the losses). "softmax" needs n_y >= 2.
    **cell_options
        activation (rnn), simplified (gru) or peephole (lstm), used by both chains.

    Returns
    -------
    y_hat : ndarray (n_y, m, T_x)
        g(z<t>) at every step.
    a_fwd : ndarray (n_a, m, T_x)
        States of the forward chain; a_fwd[..., t] has read x[..., :t+1].
    a_bwd : ndarray (n_a, m, T_x)
        States of the backward chain, in the same time order as x; a_bwd[..., t] has read x[..., t:].
    caches : dict
        What brnn_backward needs (layout in the module docstring).
    """
    return _forward("brnn_forward", x, parameters, cell,
                    {"forward": h0_forward, "backward": h0_backward}, output, cell_options, _BOTH)


def brnn_backward(dz, caches):
    """Backward pass of the bidirectional network, from the gradient of the output pre-activations.

        dWy = sum_t dz<t> @ [a_fwd<t>; a_bwd<t>].T,   dby = sum_t sum over the batch of dz<t>
        [da_fwd<t>; da_bwd<t>] = Wy.T @ dz<t>,  then BPTT through each chain in its own time order
        dx<t> = dx_fwd<t> + dx_bwd<t>

    Parameters
    ----------
    dz : ndarray (n_y, m, T_x)
        dL/dz<t> for every step (zero where a step has no loss), e.g. the gradient returned by
        ``losses.softmax_cross_entropy`` or ``losses.sigmoid_cross_entropy`` applied to the logits.
    caches : dict
        The caches returned by brnn_forward.

    Returns
    -------
    gradients : dict
        "forward", "backward" : dicts with "d" + every cell parameter key (e.g. dWax, dWaa, dba);
        "dWy" : ndarray (n_y, 2 n_a); "dby" : ndarray (n_y, 1); "dx" : ndarray (n_x, m, T_x);
        "dh0_forward", "dh0_backward" : ndarray (n_a, m).
    """
    return _backward("brnn_backward", dz, caches, _BOTH, "brnn_forward")


def uni_forward(x, parameters, cell="rnn", h0_forward=None, output="softmax", **cell_options):
    """Forward pass of the unidirectional network (the forward chain alone), to compare with brnn_forward.

        a_fwd<t> = cell(x<t>, a_fwd<t-1>),   a_fwd<0> = h0_forward
        z<t>     = Wy @ a_fwd<t> + by,       y_hat<t> = g(z<t>)

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        Input sequence, time on the last axis.
    parameters : dict
        "forward" : dict of the cell's parameters; "Wy" : ndarray (n_y, n_a); "by" : ndarray (n_y, 1).
    cell : "rnn", "gru", "lstm" or a ``cells.Cell``
    h0_forward : ndarray (n_a, m) or None
        a_fwd<0>; None means zeros.
    output : {"softmax", "sigmoid", "linear"}
        g, as in brnn_forward.
    **cell_options
        activation (rnn), simplified (gru) or peephole (lstm).

    Returns
    -------
    y_hat : ndarray (n_y, m, T_x)
    a_fwd : ndarray (n_a, m, T_x)
    caches : dict
        What uni_backward needs.
    """
    return _forward("uni_forward", x, parameters, cell, {"forward": h0_forward}, output, cell_options,
                    _ONLY_FORWARD)


def uni_backward(dz, caches):
    """Backward pass of the unidirectional network.

        dWy = sum_t dz<t> @ a_fwd<t>.T,   dby = sum_t sum over the batch of dz<t>,
        da_fwd<t> = Wy.T @ dz<t>, then BPTT through the chain.

    Parameters
    ----------
    dz : ndarray (n_y, m, T_x)
        dL/dz<t> for every step.
    caches : dict
        The caches returned by uni_forward.

    Returns
    -------
    gradients : dict
        "forward" : dict with "d" + every cell parameter key; "dWy" : ndarray (n_y, n_a);
        "dby" : ndarray (n_y, 1); "dx" : ndarray (n_x, m, T_x); "dh0_forward" : ndarray (n_a, m).
    """
    return _backward("uni_backward", dz, caches, _ONLY_FORWARD, "uni_forward")


# ----------------------------------------------------------------------------------------------
# which inputs does an output look at?
# ----------------------------------------------------------------------------------------------

def input_influence(x, parameters, t, cell="rnn", bidirectional=True, **cell_options):
    """How strongly each input position x<k> moves the output scores z<t>: one Jacobian norm per k.

        influence[k] = || dz<t> / dx<k> ||_F        k = 0 .. T_x - 1

    z<t> (n_y, m) and x<k> (n_x, m) hold the whole batch; since example i's output only depends on
    example i's input, this is sqrt(sum_i ||dz<t>_(i) / dx<k>_(i)||_F^2) (the plain Jacobian norm for m = 1).

    Computed by the real backward pass, once: the batch is repeated n_y times, copy j gets the seed
    dz<t>_j = 1 (all other entries of dz 0), so the input gradient of copy j is row j of the Jacobian
    for every k at once. The initial states are zero.

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        Input sequence.
    parameters : dict
        Bidirectional: as for brnn_forward ("forward", "backward", "Wy" (n_y, 2 n_a), "by").
        Unidirectional: as for uni_forward ("forward", "Wy" (n_y, n_a), "by").
    t : int, 0 <= t < T_x
        The output step, as an index of the time axis (the lecture's step t + 1).
    cell : "rnn", "gru", "lstm" or a ``cells.Cell``
    bidirectional : bool
        Which model ``parameters`` describe.
    **cell_options
        activation (rnn), simplified (gru) or peephole (lstm).

    Returns
    -------
    influence : ndarray (T_x,)
        influence[k] >= 0. For the unidirectional model influence[k] == 0 exactly for k > t.
    """
    where = "input_influence"
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise ValueError(f"{where}: bidirectional must be True or False, got {bidirectional!r}")
    directions = _BOTH if bidirectional else _ONLY_FORWARD
    # validate everything (x, t, parameters, cell) before the replicated run
    cell = _resolve_cell(where, cell, cell_options)
    x_checked, _, _, Wy, _ = _check_network(where, x, parameters, cell, dict.fromkeys(directions),
                                            "linear", directions)
    n_x, m, T_x = x_checked.shape
    t = check_positive_int(where, "t", t, minimum=0)
    if t >= T_x:
        raise ValueError(f"{where}: t must be a time index in 0 .. T_x - 1 = {T_x - 1} for x "
                         f"{fmt_shape(x_checked.shape)}, got {t}")
    n_y = Wy.shape[0]

    x_rep = np.tile(x_checked, (1, n_y, 1))        # copy j = columns j*m .. (j+1)*m - 1
    y_rep, *_, caches = _forward(where, x_rep, parameters, cell, dict.fromkeys(directions), "linear", {},
                                 directions)
    dz = np.zeros_like(y_rep)
    for j in range(n_y):
        dz[j, j * m:(j + 1) * m, t] = 1.0          # seed: d z<t>_j of copy j
    dx = _backward(where, dz, caches, directions, where)["dx"]   # (n_x, n_y * m, T_x)
    return np.sqrt(np.sum(dx * dx, axis=(0, 1)))
