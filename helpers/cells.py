"""One interface over the three recurrent cells, so networks can be composed from any of them.

The cell modules follow the course's names (``rnn_forward`` returns ``a``, ``gru_forward`` returns ``c``,
``lstm_forward`` returns ``a`` and ``c``). To build bidirectional and deep networks, and to measure
gradient flow, we only need a *layer*: a map from an input sequence to a sequence of hidden states

    h = layer(x, h0)        x : (n_x, m, T_x)  ->  h : (n_a, m, T_x)

and its backward pass. Here ``h`` is what the cell passes on to the next layer or the output:
a<t> for the RNN and the LSTM, c<t> (= a<t>) for the GRU. The LSTM's memory cell starts at c<0> = 0
and stays inside the layer.

    cell = get_cell("gru", simplified=True)
    params = cell.init(n_x, n_a, seed=0)
    h, cache = cell.forward(x, h0, params)
    grads = cell.backward(dh, cache)     # keys: dx, dh0 and "d" + every parameter key

The one-step functions of the three modules, the readable reference for the sequence kernels, share
one layout as well. Their arguments come in the order (xt, a_prev[, c_prev], parameters, options) and
are checked by one ``check_arrays`` call that binds n_a, n_x, m (and n_y) in the order parameters, the
previous state(s), xt. Their caches are dicts of private copies with the same keys for the same thing:

    "kind"                      "rnn_cell", "gru_cell" or "lstm_cell"
    "xt", "a_prev", "c_prev"    the inputs of the step (the GRU has only c_prev, the RNN only a_prev)
    "a_next", "c_next"          the new state(s); the RNN also keeps its pre-activation "z"
    "Gamma_u", "Gamma_r", ...   the gates, as in the lecture (Gamma_f, Gamma_u, Gamma_o for the LSTM)
    "c_tilde"                   the candidate memory (GRU and LSTM)
    "parameters"                the parameters of the step, without the output layer
    options                     "activation", "simplified" or "peephole", and "overridden" (gated cells)

and their gradients are named after what they differentiate: dxt, da_prev / dc_prev, dW* and db*.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from . import gru, lstm, rnn
from ._checks import check_choice, told_as

__all__ = ["Cell", "get_cell", "as_cell", "CELL_KINDS"]

CELL_KINDS = ("rnn", "gru", "lstm")


@dataclass(frozen=True)
class Cell:
    """A recurrent cell kind with its options, seen as a layer (see the module docstring).

    kind : "rnn", "gru" or "lstm"
    options : dict of keyword options for the cell's forward: ``activation`` for the RNN,
        ``simplified`` for the GRU, ``peephole`` for the LSTM (and ``override`` for the gated cells).
    """

    kind: str
    options: dict = field(default_factory=dict)

    @property
    def param_keys(self) -> tuple:
        """The cell's parameter keys (no output layer)."""
        if self.kind == "rnn":
            return ("Wax", "Waa", "ba")
        if self.kind == "gru":
            gates = ("Wu", "bu", "Wc", "bc") if self.options.get("simplified") else ("Wu", "bu", "Wr", "br", "Wc", "bc")
            return gates
        keys = ("Wf", "bf", "Wu", "bu", "Wo", "bo", "Wc", "bc")
        return keys + (("pf", "pu", "po") if self.options.get("peephole") else ())

    def init(self, n_x: int, n_a: int, seed: int = 0) -> dict:
        """Random parameters for a layer with n_x inputs and n_a units (no output layer)."""
        if self.kind == "rnn":
            full = rnn.initialize_rnn_parameters(n_x, n_a, 1, seed=seed)
        elif self.kind == "gru":
            full = gru.initialize_gru_parameters(n_x, n_a, 1, seed=seed,
                                                 simplified=bool(self.options.get("simplified")))
        else:
            full = lstm.initialize_lstm_parameters(n_x, n_a, 1, seed=seed,
                                                   peephole=bool(self.options.get("peephole")))
        return {key: full[key] for key in self.param_keys}

    def forward(self, x, h0, parameters):
        """Run the layer: x (n_x, m, T_x), h0 (n_a, m) -> h (n_a, m, T_x), cache.

        A bad argument raises the cell function's ValueError / KeyError, told in this method's words
        (``h0``, not the cell's own ``a0`` / ``c0``).
        """
        renames = {"a0": "h0", "c0": "h0"}
        with told_as(f"{self!r}.forward", renames):
            if self.kind == "rnn":
                return rnn.rnn_states_forward(x, h0, parameters, **self.options)
            if self.kind == "gru":
                return gru.gru_states_forward(x, h0, parameters, **self.options)
            a, _c, caches = lstm.lstm_states_forward(x, h0, parameters, **self.options)
            return a, caches

    def backward(self, dh, cache, keep_state_grads: bool = False) -> dict:
        """BPTT through the layer. dh (n_a, m, T_x) is dL/dh<t> from outside the recurrence.

        Returns dx (n_x, m, T_x), dh0 (n_a, m), "d" + key for every parameter, and with
        ``keep_state_grads`` also dh_steps (n_a, m, T_x), the total dL/dh<t> at every step.
        """
        with told_as(f"{self!r}.backward", {"da": "dh", "dc": "dh", "caches": "cache"}):
            if self.kind == "rnn":
                grads = rnn.rnn_backward(dh, cache, keep_state_grads=keep_state_grads)
                renames = {"da0": "dh0", "da_steps": "dh_steps"}
            elif self.kind == "gru":
                grads = gru.gru_backward(dh, cache, keep_state_grads=keep_state_grads)
                renames = {"dc0": "dh0", "dc_steps": "dh_steps"}
            else:
                grads = lstm.lstm_backward(dh, cache, keep_state_grads=keep_state_grads)
                grads.pop("dc0")  # c<0> = 0 is fixed inside a layer
                renames = {"da0": "dh0", "da_steps": "dh_steps"}
        return {renames.get(key, key): value for key, value in grads.items()}

    def __repr__(self):
        opts = ", ".join(f"{k}={v!r}" for k, v in self.options.items() if k != "override")
        return f"Cell({self.kind!r}{', ' + opts if opts else ''})"


def get_cell(kind, **options) -> Cell:
    """The layer interface for ``kind`` ("rnn", "gru" or "lstm") with its options.

    A ``Cell`` passes through unchanged (options must then be empty).
    """
    if isinstance(kind, Cell):
        if options:
            raise ValueError(f"get_cell: options {sorted(options)} given with a ready Cell {kind!r}")
        return kind
    check_choice("get_cell", "kind", kind, CELL_KINDS)
    allowed = {"rnn": {"activation"}, "gru": {"simplified", "override"}, "lstm": {"peephole", "override"}}[kind]
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise ValueError(f"get_cell: the {kind} cell has no option {', '.join(unknown)} "
                         f"(it takes: {', '.join(sorted(allowed))})")
    return Cell(kind, dict(options))


def as_cell(where: str, cell, name: str = "cell") -> Cell:
    """The ``cell`` argument of a public function as a Cell: a Cell, or a kind name with default options.

    A bad value raises ValueError in the caller's words: ``fit: cell must be ...``.
    """
    if isinstance(cell, Cell):
        return cell
    if isinstance(cell, str) and cell in CELL_KINDS:
        return get_cell(cell)
    raise ValueError(f"{where}: {name} must be one of {', '.join(repr(k) for k in CELL_KINDS)} or a Cell "
                     f"from cells.get_cell, got {cell!r:.60}")


def zeros_state(n_a: int, m: int) -> np.ndarray:
    """The usual initial state h<0> = 0, shape (n_a, m)."""
    return np.zeros((n_a, m))
