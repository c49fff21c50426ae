"""Networks of uni-, bi-directional and deep recurrent layers, as one dict, and their training (notebooks 10, 11).

``init_network`` wraps the three kinds of model of the course in one small dict, so that the notebooks
can train and compare them with the same code:

    "uni"   one forward chain and an output layer               (bidirectional.uni_forward)
    "bi"    a forward and a backward chain, one output layer      (bidirectional.brnn_forward)
    "deep"  L stacked layers (each uni- or bidirectional), an optional non-recurrent head
                                                                  (deep.deep_rnn_forward)

    network = {"kind": ..., "cell": ..., "bidirectional": bool, "parameters": {...}}

Every model scores every step, z<t> = Wy @ h<t> + by, and is trained with the softmax cross-entropy of
the steps that have a target (``mask``): a tagger has a target at every real word, a many-to-one
classifier only at the last word of each sequence. Training (``fit_network``) runs
``training.train_loop`` on the flat dict of the parameters (``flat_parameters``), the one model
representation of the course's training loops, and rebuilds the nesting at its boundary.

Padding. A batch holds sequences of different lengths, padded at the end with zero columns. A forward
chain never reads past its own last word, but a backward chain starts at the END of the array, so it
would first run through the padding. ``network_scores`` therefore runs each group of sequences of
equal length on its own, over its own T_i steps: every chain starts exactly at its sequence's end.
"""
from __future__ import annotations

import numpy as np

from ._blas import one_blas_thread
from ._checks import as_float_array, check_choice, check_finite, check_ndim, check_positive_int, check_shape, fmt_shape
from .bidirectional import (
    brnn_backward,
    brnn_forward,
    initialize_brnn_parameters,
    initialize_unidirectional_parameters,
    uni_backward,
    uni_forward,
)
from .cells import CELL_KINDS
from .deep import deep_rnn_backward, deep_rnn_forward, initialize_deep_parameters
from .losses import softmax_cross_entropy
from .optim import Adam
from .training import _lengths, train_loop

__all__ = [
    "NETWORK_KINDS",
    "init_network",
    "network_scores",
    "network_loss_and_gradients",
    "flat_parameters",
    "fit_network",
    "network_probabilities",
    "predict_network",
]

NETWORK_KINDS = ("uni", "bi", "deep")


# ----------------------------------------------------------------------------------------------
# nested parameter dicts <-> flat dicts for the optimisers
# ----------------------------------------------------------------------------------------------

def _leaves(tree, path=()):
    """(path, array) of every array in nested dicts / lists, in a fixed order."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from _leaves(value, path + (key,))
    elif isinstance(tree, (list, tuple)):
        for i, value in enumerate(tree):
            yield from _leaves(value, path + (i,))
    else:
        yield path, tree


def _get(tree, path):
    for key in path:
        tree = tree[key]
    return tree


def _rebuild(tree, leaf_fn, path=()):
    """The same nesting as ``tree`` with every array replaced by leaf_fn(path, array)."""
    if isinstance(tree, dict):
        return {k: _rebuild(v, leaf_fn, path + (k,)) for k, v in tree.items()}
    if isinstance(tree, (list, tuple)):
        return [_rebuild(v, leaf_fn, path + (i,)) for i, v in enumerate(tree)]
    return leaf_fn(path, tree)


def _name(path) -> str:
    return "/".join(str(p) for p in path)


def _grad_path(path):
    """Where the gradient of the parameter at ``path`` sits in the gradient dict: 'd' before the last key."""
    return path[:-1] + ("d" + path[-1],)


# ----------------------------------------------------------------------------------------------
# networks
# ----------------------------------------------------------------------------------------------

def _check_network(where, network):
    ok = isinstance(network, dict) and all(k in network for k in ("kind", "cell", "bidirectional", "parameters"))
    if not ok:
        raise ValueError(f"{where}: network must be a dict made by init_network (with kind, cell, "
                         f"bidirectional, parameters), got {type(network).__name__}")
    check_choice(where, "network['kind']", network["kind"], NETWORK_KINDS)
    return network


def init_network(kind, n_x, n_a, n_y=2, cell="rnn", seed=0, n_layers=1, bidirectional=False, head_sizes=()):
    """A network of one of the three kinds, with random parameters (reproducible from ``seed``).

    Parameters
    ----------
    kind : {"uni", "bi", "deep"}
        "uni" and "bi" use ``bidirectional.initialize_unidirectional_parameters`` /
        ``initialize_brnn_parameters`` (the same seed gives both the same forward chain);
        "deep" uses ``deep.initialize_deep_parameters``.
    n_x : int >= 1
        Input size (the vocabulary size for one-hot words).
    n_a : int >= 1
        Units per chain and layer.
    n_y : int >= 2
        Number of classes (softmax output).
    cell : {"rnn", "gru", "lstm"}
    seed : int >= 0
    n_layers : int >= 1
        Number of stacked layers ("deep" only; "uni" and "bi" have one).
    bidirectional : bool
        Every layer bidirectional ("deep" only; "bi" is always bidirectional, "uni" never).
    head_sizes : tuple of int >= 1
        Sizes of the non-recurrent tanh layers between the top layer and the output ("deep" only).

    Returns
    -------
    network : dict with kind, cell, bidirectional (bool), n_layers (int), parameters (nested dict).
    """
    where = "init_network"
    check_choice(where, "kind", kind, NETWORK_KINDS)
    check_choice(where, "cell", cell, CELL_KINDS)
    n_x = check_positive_int(where, "n_x", n_x)
    n_a = check_positive_int(where, "n_a", n_a)
    n_y = check_positive_int(where, "n_y", n_y, minimum=2)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    n_layers = check_positive_int(where, "n_layers", n_layers)
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise ValueError(f"{where}: bidirectional must be True or False, got {bidirectional!r}")
    if not isinstance(head_sizes, (list, tuple)):
        raise ValueError(f"{where}: head_sizes must be a tuple of ints >= 1, got {head_sizes!r}")
    if kind != "deep" and (n_layers != 1 or bidirectional or head_sizes):
        raise ValueError(f"{where}: n_layers, bidirectional and head_sizes are options of kind='deep'; "
                         f"kind={kind!r} has one layer (got n_layers={n_layers}, bidirectional={bidirectional}, "
                         f"head_sizes={tuple(head_sizes)})")
    if kind == "uni":
        params = initialize_unidirectional_parameters(n_x, n_a, n_y, cell=cell, seed=seed)
    elif kind == "bi":
        params = initialize_brnn_parameters(n_x, n_a, n_y, cell=cell, seed=seed)
    else:
        params = initialize_deep_parameters(n_x, n_a, n_y, n_layers, cell=cell, seed=seed,
                                            head_sizes=tuple(head_sizes), bidirectional=bool(bidirectional))
    return {"kind": kind, "cell": cell, "bidirectional": kind == "bi" or bool(bidirectional),
            "n_layers": n_layers, "parameters": params}


def _forward(network, x):
    """(z, cache) of one batch whose sequences all have T_x real steps."""
    kind, cell, params = network["kind"], network["cell"], network["parameters"]
    if kind == "uni":
        z, _, cache = uni_forward(x, params, cell=cell, output="linear")
    elif kind == "bi":
        z, _, _, cache = brnn_forward(x, params, cell=cell, output="linear")
    else:
        z, _, cache = deep_rnn_forward(x, params, cell=cell, bidirectional=network["bidirectional"],
                                       output="linear")
    return z, cache


def _backward(network, dz, cache):
    kind = network["kind"]
    if kind == "uni":
        return uni_backward(dz, cache)
    if kind == "bi":
        return brnn_backward(dz, cache)
    return deep_rnn_backward(dz, cache)


def _check_batch(where, x, lengths):
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    check_finite(where, "x", x)
    _, m, T = x.shape
    if T == 0 or m == 0:
        raise ValueError(f"{where}: x must hold at least one sequence of at least one step, "
                         f"got shape {fmt_shape(x.shape)}")
    return x, _lengths(where, lengths, m, T).astype(np.int64)


def network_scores(network, x, lengths=None):
    """The scores z<t> of every real step, each sequence run over its own length.

    Parameters
    ----------
    network : dict from init_network
    x : ndarray (n_x, m, T_x)
        Inputs, padded at the end.
    lengths : int ndarray (m,) or None
        The number of real steps of each sequence (default: all T_x).

    Returns
    -------
    z : ndarray (n_y, m, T_x)
        z<t> = Wy @ h<t> + by at the real steps of each sequence, 0 at its padding.
    """
    where = "network_scores"
    network = _check_network(where, network)
    x, lengths = _check_batch(where, x, lengths)
    z = None
    for T_i in np.unique(lengths):
        idx = np.flatnonzero(lengths == T_i)
        z_i, _ = _forward(network, x[:, idx, :T_i])
        if z is None:
            z = np.zeros((z_i.shape[0],) + x.shape[1:])
        z[:, idx, :T_i] = z_i
    return z


def _check_targets(where, y, mask, m, T, lengths):
    y = np.asarray(y)
    if y.shape != (m, T) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"{where}: y must be an integer array of class indices with shape (m, T_x) = "
                         f"({m}, {T}), got {y.dtype} array of shape {fmt_shape(y.shape)}")
    if mask is None:
        mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)
    else:
        mask = as_float_array(where, "mask", mask)
        check_shape(where, "mask", mask, (m, T), "(m, T_x)", "to match y")
        if not np.all((mask == 0.0) | (mask == 1.0)):
            raise ValueError(f"{where}: mask must hold only 0 and 1, got other values")
        if np.any(mask * (np.arange(T)[None, :] >= lengths[:, None])):
            raise ValueError(f"{where}: mask must be 0 after each sequence's length (a padded step has no "
                             f"prediction), got 1 at a padded step")
    return y, mask


def network_loss_and_gradients(network, x, y, mask=None, lengths=None):
    """Softmax cross-entropy of the masked steps (summed, divided by m) and its gradient.

        L = (1/m) sum_i sum_t mask_(i)<t> * -log softmax(z_(i)<t>)[y_(i)<t>]

    Parameters
    ----------
    network : dict from init_network
    x : ndarray (n_x, m, T_x)
    y : int ndarray (m, T_x), the class of every step (any value where mask is 0)
    mask : ndarray (m, T_x) of 0/1 or None
        The steps with a target (default: every real step). A many-to-one task has one 1 per row.
    lengths : int ndarray (m,) or None, real lengths (default all T_x).

    Returns
    -------
    loss : float
    gradients : dict flat name -> ndarray, "d" + every name of ``flat_parameters(network)``.
    """
    where = "network_loss_and_gradients"
    network = _check_network(where, network)
    x, lengths = _check_batch(where, x, lengths)
    _, m, T = x.shape
    y, mask = _check_targets(where, y, mask, m, T, lengths)
    return _loss_and_gradients(network, x, y, mask, lengths)


def _loss_and_gradients(network, x, y, mask, lengths):
    m = x.shape[1]
    paths = [path for path, _ in _leaves(network["parameters"])]
    total = 0.0
    grads = {"d" + _name(p): 0.0 for p in paths}
    for T_i in np.unique(lengths):
        idx = np.flatnonzero(lengths == T_i)
        z, cache = _forward(network, x[:, idx, :T_i])
        loss, dz = softmax_cross_entropy(z, y[idx, :T_i], mask=mask[idx, :T_i], reduction="sum")
        g = _backward(network, dz / m, cache)
        total += loss / m
        for p in paths:
            grads["d" + _name(p)] = grads["d" + _name(p)] + _get(g, _grad_path(p))
    return total, grads


def flat_parameters(network) -> dict:
    """The network's parameters as one flat dict "path/to/key" -> array (the arrays, not copies)."""
    network = _check_network("flat_parameters", network)
    return {_name(p): v for p, v in _leaves(network["parameters"])}


@one_blas_thread
def fit_network(network, x, y, mask=None, lengths=None, epochs=30, batch_size=32, learning_rate=0.01,
                clip=5.0, seed=0):
    """Train a network with Adam on mini-batches; returns (trained network, mean loss per epoch).

    One step of ``training.train_loop``: the loss of ``network_loss_and_gradients`` on a batch, the
    gradient clipped to global norm ``clip`` (``optim.clip_by_global_norm``), one ``optim.Adam`` update of
    every parameter. The loop trains the flat dict of ``flat_parameters`` (one float64 array per
    "path/to/key"), the model representation of every training loop of the course; the nested network
    is rebuilt from it for each forward pass. The examples are shuffled every epoch with
    np.random.default_rng(seed). The given network is not changed. Runs with one BLAS thread
    (``_blas.py``: the products are small).

    Parameters
    ----------
    network : dict from init_network
    x : ndarray (n_x, N, T_x); y : int ndarray (N, T_x); mask : (N, T_x) or None; lengths : (N,) or None
        As in network_loss_and_gradients.
    epochs : int >= 1
    batch_size : int >= 1
    learning_rate : float > 0
    clip : float > 0 or None (no clipping)
    seed : int >= 0

    Returns
    -------
    network : dict, a new network with the trained parameters
    history : ndarray (epochs,), the mean training loss per example of every epoch
    """
    where = "fit_network"
    network = _check_network(where, network)
    x, lengths = _check_batch(where, x, lengths)
    _, N, T = x.shape
    y, mask = _check_targets(where, y, mask, N, T, lengths)
    epochs = check_positive_int(where, "epochs", epochs)
    batch_size = check_positive_int(where, "batch_size", batch_size)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    if clip is not None and (isinstance(clip, bool) or not isinstance(clip, (int, float)) or not clip > 0):
        raise ValueError(f"{where}: clip must be a positive number or None, got {clip!r}")
    optimizer = Adam(learning_rate)
    structure = network["parameters"]

    def nested(flat):
        """The network with the parameters of the flat dict (the loop's model) in its nesting."""
        current = dict(network)
        current["parameters"] = _rebuild(structure, lambda p, _: flat[_name(p)])
        return current

    rng = np.random.default_rng(seed)

    def batches(epoch):
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            yield order[start:start + batch_size]

    def on_epoch(epoch, flat, records):
        total = 0.0
        for r in records:
            total += r["loss"] * len(r["batch"])
        return total / N

    flat = {_name(p): v for p, v in _leaves(structure)}
    flat, run = train_loop(flat, lambda flat, idx: _loss_and_gradients(nested(flat), x[:, idx], y[idx], mask[idx],
                                                                      lengths[idx]),
                           batches, optimizer, epochs, clip=clip, on_epoch=on_epoch, where=where,
                           advice="lower learning_rate or clip")
    return nested(flat), np.array(run["epochs"], dtype=np.float64)


def network_probabilities(network, x, lengths=None):
    """softmax(z<t>) of every real step: ndarray (n_y, m, T_x), 0 at padded steps."""
    z = network_scores(network, x, lengths)
    z = z - z.max(axis=0, keepdims=True)
    p = np.exp(z)
    p /= p.sum(axis=0, keepdims=True)
    if lengths is not None:
        T = z.shape[2]
        p = p * (np.arange(T)[None, :] < np.asarray(lengths)[:, None])[None]
    return p


def predict_network(network, x, lengths=None):
    """The most likely class of every step: int ndarray (m, T_x) (meaningless at padded steps)."""
    return np.argmax(network_scores(network, x, lengths), axis=0)
