"""Deep (stacked) recurrent networks of any cell, forward and backpropagation through time.

Stacking. Layer l reads, at every step, the state that layer l - 1 produced at the same step, and its
own state of the step before; every layer has its own parameters, shared over time:

    a^[0]<t> = x<t>
    a^[l]<t> = cell_l(a^[l-1]<t>, a^[l]<t-1>)        l = 1 .. L,   a^[l]<0> = h0[l] (zeros by default)

``cell_l`` is one step of the RNN, the GRU or the LSTM (``helpers.cells``): for the RNN
a^[l]<t> = g(Waa^[l] @ a^[l]<t-1> + Wax^[l] @ a^[l-1]<t> + ba^[l]); the GRU passes on its memory
c^[l]<t>; the LSTM passes on a^[l]<t> and keeps its memory c^[l]<t> (starting at 0) inside the layer.
The input size of layer l is n_a^[l-1] (n_x for the first layer).

Output. The top layer feeds, step by step, an optional "head": a stack of K non-recurrent tanh layers
applied to every step separately, and then the output layer:

    d^[0]<t> = a^[L]<t>
    d^[k]<t> = tanh(V^[k] @ d^[k-1]<t> + e^[k])       k = 1 .. K   (no head: K = 0)
    z<t>     = Wy @ d^[K]<t> + by
    y_hat<t> = softmax(z<t>)  (or sigmoid(z<t>), or z<t> itself, as ``output`` says)

Deep bidirectional. Every layer has a forward direction, run from t = 1 to T_x, and a backward
direction with its own parameters, run from t = T_x down to 1 (the same cell run on the time-reversed
sequence). The next layer, or the head, reads both, stacked:

    a_fwd^[l]<t> = cell(a^[l-1]<t>, a_fwd^[l]<t-1>)      a_bwd^[l]<t> = cell(a^[l-1]<t>, a_bwd^[l]<t+1>)
    a^[l]<t>     = [a_fwd^[l]<t>; a_bwd^[l]<t>]           (2 n_a^[l], m)

Backward pass. Layer l never reads anything from layer l + 1, so the gradient can be taken one layer at
a time, from the top down. What reaches the top layer from outside its recurrence is what the output
layer and the head send back:

    dWy = sum_t dz<t> @ d^[K]<t>.T        dby = sum_t sum_i dz<t>_(i)        dd^[K]<t> = Wy.T @ dz<t>
    dpre^[k]<t> = dd^[k]<t> * (1 - d^[k]<t>^2)
    dV^[k] = sum_t dpre^[k]<t> @ d^[k-1]<t>.T,   de^[k] = sum_t sum_i dpre^[k]<t>_(i),
    dd^[k-1]<t> = V^[k].T @ dpre^[k]<t>

and da^[L]<t> = dd^[0]<t>. BPTT through layer l (the cell's own backward pass) turns da^[l]<t> into
the gradients of layer l's parameters, of its initial state, and of its input at every step,
da^[l-1]<t>, which is what reaches layer l - 1 from outside ITS recurrence. At the bottom, da^[0] = dx.
A bidirectional layer splits da^[l]<t> into its top half (the forward direction) and its bottom half
(the backward direction, whose BPTT runs on the reversed sequence), and adds the two input gradients.

Every sum over t above is one matrix product over all steps (the (n, m, T_x) arrays laid out as
(n, m * T_x) matrices); the recurrences are the cells' sequence functions, which do the same.

Parameters, as returned by ``initialize_deep_parameters``:

    {"layers": [layer_1, ..., layer_L],     layer_l = the cell's parameter dict (e.g. Wax, Waa, ba),
                                            or {"forward": {...}, "backward": {...}} when bidirectional
     "head":   [{"V": (n_d1, n_top), "e": (n_d1, 1)}, ...],   empty without a head
     "Wy": (n_y, n_last), "by": (n_y, 1)}

where n_top is n_a^[L] (2 n_a^[L] bidirectional) and n_last the size of the last head layer (n_top
without a head). Gradients mirror that layout with "d" before every key (see ``deep_rnn_backward``).
``flatten_parameters`` turns either into one flat dict named in the lecture's notation ("Wax[2]",
"dWax[2]"), which is what the optimisers of ``helpers.optim`` take.

Caches (opaque: only ``deep_rnn_backward`` reads them) are a dict with "kind" = "deep_rnn_cache",
"cell" (the Cell), "bidirectional", "n_a" (list of the layer sizes), "layers" (the cell cache of each
layer, or the pair (forward cache, backward cache)), "d" (list d^[0] .. d^[K], each (n, m, T_x), private
copies), "V" (list of the head weights), "Wy", "n_y", "x_shape".
"""
from __future__ import annotations

import numpy as np

from ._checks import (
    as_float_array,
    check_choice,
    check_finite,
    check_ndim,
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
    "initialize_deep_parameters",
    "deep_rnn_forward",
    "deep_rnn_backward",
    "count_parameters",
    "flatten_parameters",
    "unflatten_parameters",
]

_CACHE_KIND = "deep_rnn_cache"
_OUTPUTS = ("softmax", "sigmoid", "linear")
_DIRECTIONS = ("forward", "backward")
_DIR_TAGS = {"forward": "fwd", "backward": "bwd"}


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _check_flag(where, name, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def _make_cell(where, cell, cell_options):
    """The layer interface for ``cell`` with its options checked; gate overrides are refused (a deep
    network computes the gates of every layer)."""
    if not isinstance(cell, Cell):
        check_choice(where, "cell", cell, CELL_KINDS)
    try:
        the_cell = get_cell(cell, **cell_options)
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from None
    for name, value in the_cell.options.items():
        if name == "activation":
            check_choice(where, "activation", value, tuple(ACTIVATIONS))
        elif name in ("simplified", "peephole"):
            _check_flag(where, name, value)
    if "override" in the_cell.options:
        raise ValueError(f"{where}: override (gate values set by hand) is an option of a single GRU / LSTM "
                         f"layer, not of a deep network, which computes the gates of every layer")
    return the_cell


def _layer_shapes(cell, n_a, n_in):
    """Expected shape and layout of every parameter of one layer with n_in inputs and n_a units."""
    shapes = {}
    for key in cell.param_keys:
        if cell.kind == "rnn":
            shapes[key] = {"Wax": ((n_a, n_in), "(n_a, n_in)"),
                           "Waa": ((n_a, n_a), "(n_a, n_a)"),
                           "ba": ((n_a, 1), "(n_a, 1)")}[key]
        elif key.startswith("W"):
            shapes[key] = ((n_a, n_a + n_in), "(n_a, n_a + n_in)")
        else:
            shapes[key] = ((n_a, 1), "(n_a, 1)")
    return shapes


def _check_layer(where, cell, layer, what, n_in, n_in_from, n_a=None, n_a_from=None):
    """Check one layer's parameter dict (one direction); return (checked float64 dict, n_a).

    n_in is the layer's input size and ``n_in_from`` says where it comes from, for the messages.
    n_a, if given, is the size the layer must have and ``n_a_from`` where it comes from (the backward
    direction of a bidirectional layer must match the forward one); if None it is read from the layer.
    """
    ref = "Waa" if cell.kind == "rnn" else "Wc"
    if n_a is None:
        W = get_param(where, layer, ref, what)
        check_ndim(where, f"{what}['{ref}']", W, 2, "(n_a, n_a)" if ref == "Waa" else "(n_a, n_a + n_in)")
        n_a, n_a_from = W.shape[0], f"{what}['{ref}']"
        if n_a < 1:
            raise ValueError(f"{where}: {what}['{ref}'] must have at least one row (n_a >= 1), "
                             f"got shape {fmt_shape(W.shape)}")
    checked = {}
    for key, (shape, layout) in _layer_shapes(cell, n_a, n_in).items():
        arr = get_param(where, layer, key, what)
        check_shape(where, f"{what}['{key}']", arr, shape, layout,
                    f"with n_a = {n_a} (from {n_a_from}) and n_in = {n_in} ({n_in_from})")
        check_finite(where, f"{what}['{key}']", arr)
        checked[key] = arr
    return checked, n_a


def _check_network(where, parameters, cell, bidirectional, n_x, x_shape):
    """Check the whole parameter structure against the input size n_x.

    Returns (layers, n_a list, head list of (V, e), Wy, by), all float64 arrays; ``layers`` holds one
    checked dict per layer, or a dict {"forward": ..., "backward": ...} per layer when bidirectional.
    """
    if not isinstance(parameters, dict):
        raise ValueError(f"{where}: parameters must be a dict, got {type(parameters).__name__}")
    if "layers" not in parameters:
        raise KeyError(f"{where}: parameters is missing the key 'layers' "
                       f"(it has: {', '.join(sorted(parameters)) or 'nothing'})")
    layer_list = parameters["layers"]
    if not isinstance(layer_list, (list, tuple)) or len(layer_list) == 0:
        raise ValueError(f"{where}: parameters['layers'] must be a non-empty list of layer parameter dicts "
                         f"(n_layers >= 1), got {layer_list!r:.80}")

    layers, sizes = [], []
    n_in, n_in_from = n_x, f"n_x of x {fmt_shape(x_shape)}"
    for l, layer in enumerate(layer_list):
        what = f"parameters['layers'][{l}]"
        if not isinstance(layer, dict):
            raise ValueError(f"{where}: {what} must be a dict, got {type(layer).__name__}")
        has_directions = "forward" in layer or "backward" in layer
        if has_directions and not bidirectional:
            raise ValueError(f"{where}: {what} has 'forward' / 'backward' entries, which is the layout of a "
                             f"bidirectional layer; pass bidirectional=True")
        if bidirectional:
            if not has_directions:
                raise ValueError(f"{where}: {what} must be a dict {{'forward': ..., 'backward': ...}} "
                                 f"when bidirectional=True, got the keys {sorted(layer)}")
            fwd, n_a = _check_layer(where, cell, _get_dict(where, layer, "forward", what),
                                    f"{what}['forward']", n_in, n_in_from)
            ref = "Waa" if cell.kind == "rnn" else "Wc"
            bwd, _ = _check_layer(where, cell, _get_dict(where, layer, "backward", what),
                                  f"{what}['backward']", n_in, n_in_from, n_a=n_a,
                                  n_a_from=f"{what}['forward']['{ref}']")
            layers.append({"forward": fwd, "backward": bwd})
            n_out = 2 * n_a
        else:
            checked, n_a = _check_layer(where, cell, layer, what, n_in, n_in_from)
            layers.append(checked)
            n_out = n_a
        sizes.append(n_a)
        n_in, n_in_from = n_out, f"the output size of {what}"

    head_list = parameters.get("head", [])
    if not isinstance(head_list, (list, tuple)):
        raise ValueError(f"{where}: parameters['head'] must be a list of {{'V': ..., 'e': ...}} dicts "
                         f"(empty for no head), got {type(head_list).__name__}")
    head = []
    for k, layer in enumerate(head_list):
        what = f"parameters['head'][{k}]"
        V = get_param(where, layer, "V", what)
        check_ndim(where, f"{what}['V']", V, 2, "(n_d, n_in)")
        check_shape(where, f"{what}['V']", V, (None, n_in), "(n_d, n_in)", f"to match {n_in_from} = {n_in}")
        e = get_param(where, layer, "e", what)
        check_shape(where, f"{what}['e']", e, (V.shape[0], 1), "(n_d, 1)", f"to match {what}['V'] "
                    f"{fmt_shape(V.shape)}")
        check_finite(where, f"{what}['V']", V)
        check_finite(where, f"{what}['e']", e)
        head.append((V, e))
        n_in, n_in_from = V.shape[0], f"the output size of {what}"

    Wy = get_param(where, parameters, "Wy")
    check_ndim(where, "parameters['Wy']", Wy, 2, "(n_y, n_in)")
    check_shape(where, "parameters['Wy']", Wy, (None, n_in), "(n_y, n_in)", f"to match {n_in_from} = {n_in}")
    by = get_param(where, parameters, "by")
    check_shape(where, "parameters['by']", by, (Wy.shape[0], 1), "(n_y, 1)",
                f"to match parameters['Wy'] {fmt_shape(Wy.shape)}")
    check_finite(where, "parameters['Wy']", Wy)
    check_finite(where, "parameters['by']", by)
    return layers, sizes, head, Wy, by


def _get_dict(where, parent, key, what):
    """parent[key], which must be a dict; a missing key raises KeyError naming it."""
    if key not in parent:
        raise KeyError(f"{where}: {what} is missing the key '{key}' (it has: {', '.join(sorted(parent))})")
    value = parent[key]
    if not isinstance(value, dict):
        raise ValueError(f"{where}: {what}['{key}'] must be a dict of parameters, got {type(value).__name__}")
    return value


def _check_h0(where, h0, sizes, bidirectional, m, x_shape):
    """Return the list of initial states, zeros where h0 (or its entry) is None."""
    rows = [2 * n if bidirectional else n for n in sizes]
    if h0 is None:
        return [np.zeros((r, m)) for r in rows]
    if not isinstance(h0, (list, tuple)) or len(h0) != len(sizes):
        got = f"a list of length {len(h0)}" if isinstance(h0, (list, tuple)) else type(h0).__name__
        raise ValueError(f"{where}: h0 must be None or a list of {len(sizes)} initial states, one per layer, "
                         f"got {got}")
    states = []
    layout = "(2 n_a, m)" if bidirectional else "(n_a, m)"
    for l, (state, r) in enumerate(zip(h0, rows)):
        if state is None:
            states.append(np.zeros((r, m)))
            continue
        name = f"h0[{l}]"
        state = as_float_array(where, name, state)
        check_shape(where, name, state, (r, m), layout,
                    f"to match n_a = {sizes[l]} of parameters['layers'][{l}] and x {fmt_shape(x_shape)}")
        check_finite(where, name, state)
        states.append(state)
    return states


# ----------------------------------------------------------------------------------------------
# initialisation and bookkeeping
# ----------------------------------------------------------------------------------------------

def initialize_deep_parameters(n_x, n_a, n_y, n_layers, cell="rnn", seed=0, head_sizes=(),
                               bidirectional=False, **cell_options):
    """Random parameters of a deep recurrent network, reproducible from the seed.

    Layer l (and, bidirectional, each of its two directions) gets the cell's own initialisation
    (``helpers.cells``: weights ~ N(0, 1 / fan_in), biases 0) for n_in^[l] inputs and n_a^[l] units,
    where n_in^[1] = n_x and n_in^[l] = n_a^[l-1] (2 n_a^[l-1] bidirectional). Head layer k gets
    V^[k] ~ N(0, 1 / n_in), e^[k] = 0, and the output layer Wy ~ N(0, 1 / n_in), by = 0.

    Parameters
    ----------
    n_x : int >= 1
        Size of an input vector x<t>.
    n_a : int >= 1, or list of n_layers ints >= 1
        Units per layer (one number for every layer, or n_a^[1] .. n_a^[L]).
    n_y : int >= 1
        Size of an output vector y_hat<t>.
    n_layers : int >= 1
        L, the number of stacked recurrent layers.
    cell : {"rnn", "gru", "lstm"}
        The cell of every layer.
    seed : int >= 0
        Seed of np.random.default_rng; each layer and direction draws its own seed from it.
    head_sizes : sequence of ints >= 1
        Units of the head layers d^[1] .. d^[K] between the top layer and the output; () for none.
    bidirectional : bool
        True for a deep bidirectional network (each layer entry is {"forward": ..., "backward": ...}).
    **cell_options
        Options of the cell: ``simplified`` (GRU), ``peephole`` (LSTM); ``activation`` (RNN) is
        accepted and ignored here (it does not change the parameters).

    Returns
    -------
    parameters : dict
        "layers" : list of L layer parameter dicts, "head" : list of K {"V", "e"} dicts,
        "Wy" : ndarray (n_y, n_last), "by" : ndarray (n_y, 1).
    """
    where = "initialize_deep_parameters"
    n_x = check_positive_int(where, "n_x", n_x)
    n_y = check_positive_int(where, "n_y", n_y)
    n_layers = check_positive_int(where, "n_layers", n_layers)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    bidirectional = _check_flag(where, "bidirectional", bidirectional)
    if isinstance(n_a, (list, tuple)):
        if len(n_a) != n_layers:
            raise ValueError(f"{where}: n_a must be an int or a list of n_layers = {n_layers} ints, "
                             f"got a list of length {len(n_a)}")
        sizes = [check_positive_int(where, f"n_a[{l}]", n) for l, n in enumerate(n_a)]
    else:
        sizes = [check_positive_int(where, "n_a", n_a)] * n_layers
    if not isinstance(head_sizes, (list, tuple)):
        raise ValueError(f"{where}: head_sizes must be a list or tuple of ints >= 1, got {head_sizes!r}")
    head_sizes = [check_positive_int(where, f"head_sizes[{k}]", n) for k, n in enumerate(head_sizes)]
    the_cell = _make_cell(where, cell, cell_options)

    rng = np.random.default_rng(seed)
    layers = []
    n_in = n_x
    for n in sizes:
        if bidirectional:
            layers.append({d: the_cell.init(n_in, n, seed=int(rng.integers(2**31))) for d in _DIRECTIONS})
            n_in = 2 * n
        else:
            layers.append(the_cell.init(n_in, n, seed=int(rng.integers(2**31))))
            n_in = n
    head = []
    for n in head_sizes:
        head.append({"V": rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n, n_in)), "e": np.zeros((n, 1))})
        n_in = n
    return {"layers": layers, "head": head,
            "Wy": rng.normal(0.0, np.sqrt(1.0 / n_in), size=(n_y, n_in)), "by": np.zeros((n_y, 1))}


def count_parameters(parameters) -> int:
    """Total number of scalars in a nested structure of dicts, lists and tuples of arrays.

    For a deep RNN of L layers with n_a units each (n_x inputs, n_y outputs, no head) this is
    n_a (n_a + n_x + 1) + (L - 1) n_a (2 n_a + 1) + n_y (n_a + 1); a full GRU has 3 times and an LSTM
    4 times the recurrent part (one weight block and bias per gate and candidate).

    Parameters
    ----------
    parameters : dict, list, tuple or ndarray (any nesting); a plain number counts as one scalar.

    Returns
    -------
    count : int
    """
    if isinstance(parameters, dict):
        return sum(count_parameters(v) for v in parameters.values())
    if isinstance(parameters, (list, tuple)):
        return sum(count_parameters(v) for v in parameters)
    if isinstance(parameters, np.ndarray):
        return int(parameters.size)
    if isinstance(parameters, (int, float, np.integer, np.floating)) and not isinstance(parameters, bool):
        return 1
    raise ValueError(f"count_parameters: parameters must be arrays in nested dicts / lists, "
                     f"got a {type(parameters).__name__}")


def _flat_items(where, nested):
    """(flat name, path, array) triples of a deep parameter or gradient dict, in a fixed order."""
    for key, value in nested.items():
        if key in ("layers", "head"):
            if not isinstance(value, (list, tuple)) or not all(isinstance(v, dict) for v in value):
                raise ValueError(f"{where}: {key} must be a list of dicts, got {type(value).__name__}")
            for l, layer in enumerate(value, start=1):
                for k, v in layer.items():
                    if not isinstance(v, dict):
                        yield f"{k}[{l}]", (key, l - 1, k), v
                    elif key == "layers" and k in _DIR_TAGS:      # a direction of a bidirectional layer
                        for kk, vv in v.items():
                            yield f"{kk}[{l},{_DIR_TAGS[k]}]", (key, l - 1, k, kk), vv
                    else:
                        raise ValueError(f"{where}: {key}[{l - 1}]['{k}'] is a dict; only the 'forward' and "
                                         f"'backward' entries of a layer may be")
        else:
            yield key, (key,), value


def flatten_parameters(nested) -> dict:
    """One flat dict of a deep network's parameters (or gradients), named in the lecture's notation.

    The parameter Wax of layer l is "Wax[l]" (l counted from 1, as in a^[l]); a bidirectional layer's
    directions are "Wax[l,fwd]" and "Wax[l,bwd]"; head layer k's weights are "V[k]", "e[k]"; Wy and by
    keep their names. Gradients get the same names with their "d": "dWax[l]", "dh0[l]", "dWy", "dx".
    So the gradient of flat parameter p is flat gradient "d" + p, as ``helpers.optim`` expects:

        flat = opt.step(flatten_parameters(parameters), flatten_parameters(grads))
        parameters = unflatten_parameters(flat, parameters)

    Parameters
    ----------
    nested : dict
        As returned by ``initialize_deep_parameters`` or ``deep_rnn_backward``.

    Returns
    -------
    flat : dict name -> ndarray
        The same arrays (not copies).
    """
    if not isinstance(nested, dict):
        raise ValueError(f"flatten_parameters: nested must be a dict, got {type(nested).__name__}")
    return {name: value for name, _, value in _flat_items("flatten_parameters", nested)}


def unflatten_parameters(flat, like) -> dict:
    """Undo ``flatten_parameters``: the nested layout of ``like``, filled with the arrays of ``flat``.

    Parameters
    ----------
    flat : dict name -> ndarray
        e.g. the new parameters returned by an optimiser's step.
    like : dict
        A nested parameter dict of the same network (only its layout is used).

    Returns
    -------
    nested : dict
        A new nested dict holding the arrays of ``flat`` (as float64, not copied).
    """
    where = "unflatten_parameters"
    if not isinstance(flat, dict) or not isinstance(like, dict):
        raise ValueError(f"{where}: flat and like must be dicts, got {type(flat).__name__} and "
                         f"{type(like).__name__}")
    out = {key: ([{} for _ in value] if key in ("layers", "head") else None) for key, value in like.items()}
    for name, path, template in _flat_items(where, like):
        arr = get_param(where, flat, name, "flat")
        check_shape(where, f"flat['{name}']", arr, np.shape(template), "(the shape in like)",
                    f"to match like's {name} {fmt_shape(np.shape(template))}")
        if len(path) == 1:
            out[path[0]] = arr
        elif len(path) == 3:
            out[path[0]][path[1]][path[2]] = arr
        else:
            out[path[0]][path[1]].setdefault(path[2], {})[path[3]] = arr
    return out


# ----------------------------------------------------------------------------------------------
# forward and backward
# ----------------------------------------------------------------------------------------------

def deep_rnn_forward(x, parameters, cell="rnn", h0=None, bidirectional=False, output="softmax", **cell_options):
    """Run a deep (stacked) recurrent network over a sequence.

        a^[0]<t> = x<t>,   a^[l]<t> = cell_l(a^[l-1]<t>, a^[l]<t-1>),   a^[l]<0> = h0[l]
        d^[0]<t> = a^[L]<t>,   d^[k]<t> = tanh(V^[k] @ d^[k-1]<t> + e^[k])
        z<t> = Wy @ d^[K]<t> + by,   y_hat<t> = softmax(z<t>) (or sigmoid(z<t>), or z<t>)

    Bidirectional: a^[l]<t> = [a_fwd^[l]<t>; a_bwd^[l]<t>], the backward direction running from T_x to 1
    with a_bwd^[l]<T_x + 1> = the bottom half of h0[l] (see the module docstring).

    Parameters
    ----------
    x : ndarray (n_x, m, T_x)
        Input sequence, time on the last axis.
    parameters : dict
        "layers" : list of L layer dicts (the cell's keys, e.g. Wax (n_a, n_in), Waa (n_a, n_a),
        ba (n_a, 1); or {"forward": ..., "backward": ...} when bidirectional);
        "head" : list of {"V": (n_d, n_in), "e": (n_d, 1)} (may be empty or absent);
        "Wy" : ndarray (n_y, n_last); "by" : ndarray (n_y, 1).
    cell : {"rnn", "gru", "lstm"} or a helpers.cells.Cell
        The cell of every layer.
    h0 : None or list of L entries, each None or ndarray (n_a^[l], m) ((2 n_a^[l], m) bidirectional,
        the forward direction's state on top)
        Initial states; None means zeros.
    bidirectional : bool
        Every layer bidirectional.
    output : {"softmax", "sigmoid", "linear"}
        The output activation y_hat<t> = softmax(z<t>), sigmoid(z<t>) or z<t>. "softmax" needs n_y >= 2.
    **cell_options
        ``activation`` (RNN: "tanh", "relu", "linear"), ``simplified`` (GRU), ``peephole`` (LSTM).

    Returns
    -------
    y_hat : ndarray (n_y, m, T_x)
        The predictions at every step.
    states : list of L ndarrays (n_a^[l], m, T_x) ((2 n_a^[l], m, T_x) bidirectional, forward on top)
        a^[l]<1> .. a^[l]<T_x> of every layer (new arrays).
    caches : dict
        What deep_rnn_backward needs (see the module docstring).
    """
    where = "deep_rnn_forward"
    the_cell = _make_cell(where, cell, cell_options)
    bidirectional = _check_flag(where, "bidirectional", bidirectional)
    check_choice(where, "output", output, _OUTPUTS)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    check_time_steps(where, "x", x)
    n_x, m, T_x = x.shape
    layers, sizes, head, Wy, by = _check_network(where, parameters, the_cell, bidirectional, n_x, x.shape)
    if output == "softmax" and Wy.shape[0] < 2:
        raise ValueError(f"{where}: output='softmax' needs n_y >= 2 classes, but parameters['Wy'] has shape "
                         f"{fmt_shape(Wy.shape)} (one output unit: use output='sigmoid')")
    check_finite(where, "x", x)
    states0 = _check_h0(where, h0, sizes, bidirectional, m, x.shape)

    # the recurrent layers, bottom to top: layer l reads the whole state sequence of layer l - 1
    layer_input, states, layer_caches = x, [], []
    for layer, n_a, state0 in zip(layers, sizes, states0):
        if bidirectional:
            h_fwd, cache_fwd = the_cell.forward(layer_input, state0[:n_a], layer["forward"])
            reversed_input = np.ascontiguousarray(layer_input[:, :, ::-1])
            h_bwd_reversed, cache_bwd = the_cell.forward(reversed_input, state0[n_a:], layer["backward"])
            h = np.concatenate([h_fwd, h_bwd_reversed[:, :, ::-1]], axis=0)
            layer_caches.append((cache_fwd, cache_bwd))
        else:
            h, cache = the_cell.forward(layer_input, state0, layer)
            layer_caches.append(cache)
        states.append(h)
        layer_input = h

    # the head: tanh layers applied to every step, each one matrix product over all m * T_x columns
    d = [states[-1].copy()]
    for V, e in head:
        n_in = d[-1].shape[0]
        pre = V @ d[-1].reshape(n_in, m * T_x) + e
        d.append(np.tanh(pre).reshape(V.shape[0], m, T_x))

    z = output_layer_forward(d[-1], Wy, by, kind=output)
    if output == "softmax":
        y_hat = softmax(z)
    elif output == "sigmoid":
        y_hat = sigmoid(z)
    else:
        y_hat = z

    caches = {"kind": _CACHE_KIND, "cell": the_cell, "bidirectional": bidirectional, "n_a": list(sizes),
              "layers": layer_caches, "d": d, "V": [V.copy() for V, _ in head], "Wy": Wy.copy(),
              "n_y": Wy.shape[0], "x_shape": x.shape}
    return y_hat, [h.copy() for h in states], caches


def deep_rnn_backward(dz, caches, keep_state_grads=False):
    """Backpropagation through a deep recurrent network, one layer at a time from the top down.

        dWy = sum_t dz<t> @ d^[K]<t>.T,   dby = sum_t sum_i dz<t>_(i),   dd^[K]<t> = Wy.T @ dz<t>
        dpre^[k] = dd^[k] * (1 - d^[k]^2),  dV^[k] = sum_t dpre^[k]<t> @ d^[k-1]<t>.T,
        de^[k] = sum_t sum_i dpre^[k]<t>_(i),  dd^[k-1]<t> = V^[k].T @ dpre^[k]<t>
        da^[L]<t> = dd^[0]<t>;  BPTT through layer l maps da^[l] to its parameter gradients, dh0[l] and
        da^[l-1]<t> (its input gradient);  dx = da^[0]

    Parameters
    ----------
    dz : ndarray (n_y, m, T_x)
        dL/dz<t> for the output pre-activations z<t> (e.g. the gradient a loss of ``helpers.losses``
        returns); zero at steps without a loss.
    caches : dict
        The caches returned by deep_rnn_forward.
    keep_state_grads : bool
        If True, every layer's gradients also hold dh_steps (n_a^[l], m, T_x) ((2 n_a^[l], m, T_x)
        bidirectional): the total dL/da^[l]<t>, through the layers above and through time.

    Returns
    -------
    gradients : dict
        "layers" : list of L dicts; each holds "d" + every parameter key of the cell (e.g. dWax, dWaa,
            dba) and dh0 (n_a^[l], m); a bidirectional layer holds {"forward": {"d" + key ...},
            "backward": {"d" + key ...}, "dh0": (2 n_a^[l], m)};
        "head" : list of K dicts {"dV": (n_d, n_in), "de": (n_d, 1)};
        "dWy" : ndarray (n_y, n_last); "dby" : ndarray (n_y, 1); "dx" : ndarray (n_x, m, T_x).
    """
    where = "deep_rnn_backward"
    if not (isinstance(caches, dict) and caches.get("kind") == _CACHE_KIND):
        raise ValueError(f"{where}: caches must be the caches returned by deep_rnn_forward, "
                         f"got {type(caches).__name__}")
    keep_state_grads = _check_flag(where, "keep_state_grads", keep_state_grads)
    _, m, T_x = caches["x_shape"]
    n_y = caches["n_y"]
    dz = as_float_array(where, "dz", dz)
    check_ndim(where, "dz", dz, 3, "(n_y, m, T_x)")
    check_shape(where, "dz", dz, (n_y, m, T_x), "(n_y, m, T_x)",
                f"to match the caches of a forward pass with n_y = {n_y}, m = {m}, T_x = {T_x}")
    check_finite(where, "dz", dz)

    d, cell = caches["d"], caches["cell"]
    dWy, dby, dd = output_layer_backward(dz, d[-1], caches["Wy"])

    head_grads = []
    for k in reversed(range(len(caches["V"]))):          # d[k + 1] = tanh(V_k @ d[k] + e_k)
        V, out, inp = caches["V"][k], d[k + 1], d[k]
        dpre = (dd * (1.0 - out * out)).reshape(V.shape[0], m * T_x)
        head_grads.append({"dV": dpre @ inp.reshape(inp.shape[0], m * T_x).T,
                           "de": dpre.sum(axis=1, keepdims=True)})
        dd = (V.T @ dpre).reshape(inp.shape[0], m, T_x)
    head_grads.reverse()

    # the recurrent layers, top to bottom: dh is dL/da^[l] from outside layer l's recurrence
    dh = dd
    layer_grads = [None] * len(caches["layers"])
    for l in reversed(range(len(caches["layers"]))):
        cache, n_a = caches["layers"][l], caches["n_a"][l]
        if caches["bidirectional"]:
            cache_fwd, cache_bwd = cache
            g_fwd = cell.backward(dh[:n_a], cache_fwd, keep_state_grads=keep_state_grads)
            g_bwd = cell.backward(np.ascontiguousarray(dh[n_a:, :, ::-1]), cache_bwd,
                                  keep_state_grads=keep_state_grads)
            grads = {"forward": {"d" + key: g_fwd["d" + key] for key in cell.param_keys},
                     "backward": {"d" + key: g_bwd["d" + key] for key in cell.param_keys},
                     "dh0": np.concatenate([g_fwd["dh0"], g_bwd["dh0"]], axis=0)}
            if keep_state_grads:
                grads["dh_steps"] = np.concatenate([g_fwd["dh_steps"], g_bwd["dh_steps"][:, :, ::-1]], axis=0)
            dh = g_fwd["dx"] + g_bwd["dx"][:, :, ::-1]
        else:
            g = cell.backward(dh, cache, keep_state_grads=keep_state_grads)
            grads = {"d" + key: g["d" + key] for key in cell.param_keys}
            grads["dh0"] = g["dh0"]
            if keep_state_grads:
                grads["dh_steps"] = g["dh_steps"]
            dh = g["dx"]
        layer_grads[l] = grads

    return {"layers": layer_grads, "head": head_grads, "dWy": dWy, "dby": dby, "dx": np.ascontiguousarray(dh)}
