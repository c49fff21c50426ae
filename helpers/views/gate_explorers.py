"""Gate explorers of the GRU and the LSTM, and the plots of the gate notebooks (08 GRU, 09 LSTM).

The explorers run the real cells of ``gru.py`` and ``lstm.py`` with their gates set by hand (the
``override`` argument), on the sentence "the cat which already ate ... <verb>", and show how the
memory cell of the number unit keeps or loses the singular/plural bit written at the noun.

GRU (full), per unit:
    c_tilde<t> = tanh(Wc @ [Gamma_r * c<t-1>; x<t>] + bc)
    c<t>       = Gamma_u<t> * c_tilde<t> + (1 - Gamma_u<t>) * c<t-1>
LSTM, per unit (peephole variant: each gate's pre-activation also gets p_g * c<t-1>):
    c<t> = Gamma_u<t> * c_tilde<t> + Gamma_f<t> * c<t-1>,      a<t> = Gamma_o<t> * tanh(c<t>)

The explorers' cells are designed, not trained, so that every effect has one cause. Unit 0 is the
"number unit": its candidate is tanh(+3) for a singular noun, tanh(-3) for a plural one and 0 for
every other word (plus, for the GRU, 2 * Gamma_r * c<t-1>: the relevance gate lets the candidate
reuse the old memory). The other units write a fixed random value for every word. The LSTM's
candidate reads x<t> only, so with the gates fixed by hand the cell path is the only path from c<t>
to c<T>. Then the gradient of the last memory with respect to an earlier one is a product of gates:

    GRU, with Gamma_r = 0:  d c<T> / d c<t> = prod_{k=t+1..T} (1 - Gamma_u<k>)
    LSTM, no peepholes:     d c<T> / d c<t> = prod_{k=t+1..T} Gamma_f<k>

(element-wise, unit by unit). The explorers compute it with the real backward pass
(``keep_state_grads``) and draw the product formula on top.

Survival. The bit is written at step w (the "write" position). It survives k steps if, for
t = w+1, ..., w+k, the number unit still holds more than half of what was written:

    |c<t> - c<w>| < 0.5 |c<w>|.

When nothing else is written on the unit after w (GRU: Gamma_r = 0, whose candidate is then 0 on the
gap words; LSTM: its candidate is 0 there anyway), c<t> = R(t) c<w> with R(t) the product above
taken from w+1 to t, so the bit survives exactly as long as R(t) > 1/2.

Also here: the 100-unit update mask of the lecture's vectorised GRU, heatmaps of the gates of a
trained cell, a gradient check of both cells' BPTT and a timing of forward + backward.
"""
from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator, NullLocator
from matplotlib.transforms import offset_copy

from .._blas import one_blas_thread, single_blas_thread
from .._checks import as_float_array, check_choice, check_finite, check_ndim, check_positive_int, check_real_number
from ..cells import get_cell
from .explorer import Explorer, new_figure
from ..gradcheck import gradient_check
from ..gru import gru_backward, gru_forward, gru_gates, gru_states_forward, initialize_gru_parameters
from ..lstm import initialize_lstm_parameters, lstm_backward, lstm_forward, lstm_gates, lstm_states_forward
from ..tasks.memory_task import VERB, MemoryTask, encode_tokens, memory_task_vocabulary

__all__ = [
    "EXPLORER_SENTENCE",
    "LSTM_PRESETS",
    "gate_demo_parameters",
    "phase_gate",
    "backward_product",
    "survival_steps",
    "retention_steps",
    "gru_gate_view",
    "gru_gate_explorer",
    "lstm_gate_view",
    "lstm_gate_explorer",
    "update_mask_demo",
    "plot_update_mask",
    "trained_gates",
    "plot_gate_heatmap",
    "cell_gradient_check",
    "time_forward_backward",
]

EXPLORER_SENTENCE = ("the", "cat", "which", "already", "ate", "a", "lot", "of", "food", "and", "then",
                     "slept", "on", "the", "mat", VERB)
_SUBJECT_POSITION = 2          # 1-based step of the noun in EXPLORER_SENTENCE
_NOUN_DRIVE = 3.0              # the number unit's candidate: tanh(+3) singular, tanh(-3) plural
_GRU_SELF = 2.0                # GRU number unit: weight of Gamma_r * c<t-1> in its candidate
_LOGIT_LIMIT = 40.0            # sigmoid(+-40) is 1 (exactly, in float64) and 4e-18
_FLOOR = 1e-16                 # smallest value drawn on the log-scale gradient axis
_N_UNITS = 3


# ----------------------------------------------------------------------------------------------
# small pure pieces (unit-tested one by one)
# ----------------------------------------------------------------------------------------------

def _check_unit_interval(where, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not np.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError(f"{where}: {name} must be a number in [0, 1] (a gate value), got {value!r}")
    return float(value)


def _check_write(where, write, T):
    write = check_positive_int(where, "write", write)
    if write > T - 1:
        raise ValueError(f"{where}: write must be a step in [1, T - 1] = [1, {T - 1}] (the last step asks "
                         f"for the verb), got {write}")
    return write


def phase_gate(T: int, write: int, at_write: float, elsewhere: float) -> np.ndarray:
    """A gate trace that takes one value at the write step and another at every other step.

        Gamma<t> = at_write if t == write else elsewhere,     t = 1 .. T

    Parameters
    ----------
    T : int >= 2, the number of steps.
    write : int in [1, T], the (1-based) write step.
    at_write, elsewhere : float in [0, 1]

    Returns
    -------
    gate : ndarray (T,) float64; gate[t - 1] is Gamma<t>.
    """
    where = "phase_gate"
    T = check_positive_int(where, "T", T, minimum=2)
    write = check_positive_int(where, "write", write)
    if write > T:
        raise ValueError(f"{where}: write must be a step in [1, T] = [1, {T}], got {write}")
    gate = np.full(T, _check_unit_interval(where, "elsewhere", elsewhere))
    gate[write - 1] = _check_unit_interval(where, "at_write", at_write)
    return gate


def backward_product(factors) -> np.ndarray:
    """The product of the factors of all LATER steps, for every step: what the chain rule gives for
    d c<T> / d c<t> when every step multiplies the memory by its factor.

        out[t] = prod_{k = t+1 .. T} factors[k]        (out[T] = 1, the empty product)

    Multiplied from the last step backwards, in the order backpropagation multiplies them.

    Parameters
    ----------
    factors : ndarray (T,), e.g. 1 - Gamma_u<t> (GRU) or Gamma_f<t> (LSTM), index t - 1 for step t.

    Returns
    -------
    out : ndarray (T,) float64
    """
    where = "backward_product"
    factors = as_float_array(where, "factors", factors)
    check_ndim(where, "factors", factors, 1, "(T,)")
    check_finite(where, "factors", factors)
    if factors.size == 0:
        raise ValueError(f"{where}: factors has T = 0 steps; a sequence needs at least one step")
    out = np.empty_like(factors)
    running = 1.0
    for t in range(factors.size - 1, -1, -1):
        out[t] = running
        running = running * factors[t]
    return out


def _check_steps_after_write(where, name, values, write, threshold):
    """A finite trace (T,), a write step in [1, T] and a threshold in [0, 1], checked and returned."""
    values = as_float_array(where, name, values)
    check_ndim(where, name, values, 1, "(T,)")
    check_finite(where, name, values)
    write = check_positive_int(where, "write", write)
    if write > values.size:
        raise ValueError(f"{where}: write must be a step in [1, T] = [1, {values.size}], got {write}")
    return values, write, check_real_number(where, "threshold", threshold, 0.0, 1.0)


def survival_steps(trace, write: int, threshold: float = 0.5) -> int:
    """How many steps after the write the stored value survives in a memory trace.

    With w = write and v = trace[w - 1] (the value at the write step), the count of steps
    t = w+1, w+2, ... up to the first t with |trace<t> - v| >= threshold * |v| (or to the end).
    A value too small to be a bit (|v| < 1e-6) survives 0 steps.

    Parameters
    ----------
    trace : ndarray (T,), the memory of one unit at steps 1 .. T.
    write : int in [1, T], the (1-based) write step.
    threshold : float in (0, 1), the tolerated fraction of |v|.

    Returns
    -------
    steps : int in [0, T - write]
    """
    trace, write, threshold = _check_steps_after_write("survival_steps", "trace", trace, write, threshold)
    stored = trace[write - 1]
    if abs(stored) < 1e-6:
        return 0
    kept = np.abs(trace[write:] - stored) < threshold * abs(stored)
    return int(kept.size if kept.all() else np.argmin(kept))


def retention_steps(factors, write: int, threshold: float = 0.5) -> int:
    """How many steps after the write the product of the gate factors stays above the threshold.

        R(t) = prod_{k = write+1 .. t} factors<k>,  steps = number of t = write+1, ... before the
        first t with R(t) <= threshold

    This is the survival that the gates alone predict: a memory that is only multiplied by the
    factors after the write (nothing new written on it) keeps the fraction R(t) of its value.

    Parameters
    ----------
    factors : ndarray (T,) in [0, 1], e.g. 1 - Gamma_u (GRU) or Gamma_f (LSTM), index t - 1 for step t.
    write : int in [1, T], the (1-based) write step.
    threshold : float in (0, 1)

    Returns
    -------
    steps : int in [0, T - write]
    """
    factors, write, threshold = _check_steps_after_write("retention_steps", "factors", factors, write, threshold)
    kept = np.cumprod(factors[write:]) > threshold
    return int(kept.size if kept.all() else np.argmin(kept))


# ----------------------------------------------------------------------------------------------
# the designed cells of the explorers
# ----------------------------------------------------------------------------------------------

def gate_demo_parameters(kind: str, vocab=None, n_a: int = _N_UNITS, seed: int = 0) -> dict:
    """Parameters of the hand-designed cells of the gate explorers (no output layer).

    Unit 0 is the number unit: its candidate weight is +3 on every singular noun of ``vocab``,
    -3 on every plural noun, 0 on all other words, and (GRU only) 2 on its own c<t-1>, which the
    candidate sees as Gamma_r * c<t-1>. Units 1 .. n_a - 1 have candidate weights ~ N(0, 1) on the
    words (drawn from np.random.default_rng(seed)) and 0 on the state. Every bias is 0 and the gate
    weights are 0: the explorers set the gates (override), or, for the LSTM with peepholes, set
    them through two extra input rows (see lstm_gate_view).

    Parameters
    ----------
    kind : "gru" or "lstm"
    vocab : tuple of str (default: memory_task_vocabulary()); nouns are "cat"/"cats"-like pairs of it.
    n_a : int >= 2, the number of units.
    seed : int >= 0

    Returns
    -------
    parameters : dict
        GRU: Wu, Wr, Wc (n_a, n_a + n_x), bu, br, bc (n_a, 1) with n_x = len(vocab).
        LSTM: Wf, Wu, Wo, Wc (n_a, n_a + n_x + 2), bf, bu, bo, bc (n_a, 1): two extra input rows
        (write flag, read flag) after the words, and pf, pu, po (n_a, 1) = 0.
    """
    where = "gate_demo_parameters"
    check_choice(where, "kind", kind, ("gru", "lstm"))
    vocab = memory_task_vocabulary() if vocab is None else tuple(vocab)
    n_a = check_positive_int(where, "n_a", n_a, minimum=2)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    singular, plural = _noun_sets(vocab)
    n_words = len(vocab)
    n_x = n_words + (2 if kind == "lstm" else 0)

    rng = np.random.default_rng(seed)
    Wc = np.zeros((n_a, n_a + n_x))
    for j, word in enumerate(vocab):
        Wc[0, n_a + j] = _NOUN_DRIVE if word in singular else (-_NOUN_DRIVE if word in plural else 0.0)
    Wc[1:, n_a:n_a + n_words] = rng.normal(0.0, 1.0, size=(n_a - 1, n_words))
    if kind == "gru":
        Wc[0, 0] = _GRU_SELF
        gates = ("u", "r")
    else:
        gates = ("f", "u", "o")
    params = {"Wc": Wc, "bc": np.zeros((n_a, 1))}
    for g in gates:
        params["W" + g] = np.zeros((n_a, n_a + n_x))
        params["b" + g] = np.zeros((n_a, 1))
    if kind == "lstm":
        for g in ("f", "u", "o"):
            params["p" + g] = np.zeros((n_a, 1))
    return params


def _noun_sets(vocab):
    """Singular and plural nouns of a memory-task vocabulary: 'x' is singular if 'xs' is in it too."""
    words = set(vocab)
    singular = {w for w in vocab if w + "s" in words}
    plural = {w + "s" for w in singular}
    return singular, plural


def _sentence(subject):
    check_choice("gate explorer", "subject", subject, ("cat", "cats"))
    tokens = list(EXPLORER_SENTENCE)
    tokens[_SUBJECT_POSITION - 1] = subject
    return tokens


_GRU_DEMO = {}


def _gru_demo():
    if not _GRU_DEMO:
        vocab = memory_task_vocabulary()
        _GRU_DEMO.update(vocab=vocab, params=gate_demo_parameters("gru", vocab))
    return _GRU_DEMO


# ----------------------------------------------------------------------------------------------
# the GRU gate explorer
# ----------------------------------------------------------------------------------------------

def gru_gate_view(subject: str = "cat", write: int = 2, u_write: float = 1.0, u_hold: float = 0.0,
                  r: float = 0.0) -> dict:
    """Everything the GRU gate explorer shows, for one setting of its controls (pure: no drawing).

    Runs the full GRU of ``gate_demo_parameters("gru")`` (3 units, c<0> = 0) on EXPLORER_SENTENCE with
    the gates overridden:

        Gamma_u<t> = u_write at t = write, u_hold at every other step;   Gamma_r<t> = r at every step

    then the real BPTT of L = c<T> of unit 0 (``gru_backward(..., keep_state_grads=True)``).

    Parameters
    ----------
    subject : "cat" or "cats", the noun at step 2.
    write : int in [1, T - 1], the step at which Gamma_u takes the value u_write.
    u_write, u_hold, r : float in [0, 1]

    Returns
    -------
    dict with
        tokens : list of T str               t : ndarray (T,) int, the steps 1 .. T
        c : ndarray (n_a, T), c<t> per unit (unit 0 is the number unit)
        c_start : ndarray (n_a,), c<0> = 0
        Gamma_u, Gamma_r : ndarray (T,)
        grad : ndarray (T,), d c<T>_0 / d c<t>_0 from the backward pass
        grad_product : ndarray (T,), prod_{k>t} (1 - Gamma_u<k>)
        c_write : float, c<write> of unit 0
        survival : int, steps the bit survives (survival_steps of unit 0)
        predicted : int, steps prod (1 - Gamma_u) keeps it (retention_steps)
        max_steps : int, T - write
        product_matches : bool, grad equals grad_product (to 1e-12)
    """
    where = "gru_gate_view"
    tokens = _sentence(subject)
    T = len(tokens)
    write = _check_write(where, write, T)
    u_write = _check_unit_interval(where, "u_write", u_write)
    u_hold = _check_unit_interval(where, "u_hold", u_hold)
    r = _check_unit_interval(where, "r", r)
    demo = _gru_demo()
    x = encode_tokens(tokens, demo["vocab"])
    n_a = demo["params"]["Wc"].shape[0]

    Gamma_u = phase_gate(T, write, u_write, u_hold)
    Gamma_r = np.full(T, r)
    override = {"Gamma_u": Gamma_u.reshape(1, 1, T), "Gamma_r": Gamma_r.reshape(1, 1, T)}
    c, caches = gru_states_forward(x, np.zeros((n_a, 1)), demo["params"], override=override)
    dc = np.zeros_like(c)
    dc[0, 0, -1] = 1.0
    grad = gru_backward(dc, caches, keep_state_grads=True)["dc_steps"][0, 0]
    grad_product = backward_product(1.0 - Gamma_u)
    c = c[:, 0, :]
    return {"tokens": tokens, "t": np.arange(1, T + 1), "c": c, "c_start": np.zeros(n_a),
            "Gamma_u": Gamma_u, "Gamma_r": Gamma_r, "grad": grad, "grad_product": grad_product, "write": write, "c_write": float(c[0, write - 1]),
            "survival": survival_steps(c[0], write), "predicted": retention_steps(1.0 - Gamma_u, write),
            "max_steps": T - write, "product_matches": bool(np.allclose(grad, grad_product, rtol=1e-12, atol=1e-15))}


def _survival_text(view, formula, short=False):
    if abs(view["c_write"]) < 1e-6:
        return f"nothing stored at step {view['write']} (c<write> = 0 on the number unit)"
    if short:
        return (f"c<write> = {view['c_write']:+.3f}   survives {view['survival']} of {view['max_steps']} steps   "
                f"({formula} > 1/2: {view['predicted']})")
    return (f"c<write> = {view['c_write']:+.3f}: the bit survives {view['survival']} of {view['max_steps']} steps "
            f"(|c<t> - c<write>| < 0.5 |c<write>|); {formula} > 1/2 predicts {view['predicted']}")


def _token_axis(ax, tokens):
    """Steps 0 .. T on the x axis: "start" (where c<0> is drawn), then the words.

    The noun's tick label is left empty and its word is a separate text at the same place, so that
    switching the noun changes one text instead of the axis' tick labels (which would make every move
    that switches it a full render). Returns that text."""
    labels = ["start"] + list(tokens)
    labels[_SUBJECT_POSITION] = ""
    ax.set_xticks(np.arange(0, len(tokens) + 1), labels, rotation=45, ha="right", fontsize=8)
    ax.set_xlim(-0.5, len(tokens) + 0.5)
    like = ax.get_xticklabels()[_SUBJECT_POSITION]     # same transform, rotation and alignment as a tick label
    return ax.text(_SUBJECT_POSITION, 0.0, tokens[_SUBJECT_POSITION - 1], transform=like.get_transform(),
                   rotation=like.get_rotation(), ha=like.get_ha(), va=like.get_va(),
                   rotation_mode=like.get_rotation_mode(), fontsize=8)


def _key(ax, x, y, entries, align="left"):
    """A legend as one row of coloured words, e.g. ("── unit 0", "C0"), starting at (x, y) in axes
    coordinates (align="right": the row ends there). The texts are drawn under the lines (zorder 1.5):
    they never change, so they stay in the explorer's kept background and cost nothing on a move,
    where a legend drawn over the lines would be drawn again on every move."""
    gap = 12.0                                              # points between two entries
    shift = 0.0
    for text, color in (entries if align == "left" else entries[::-1]):
        place = offset_copy(ax.transAxes, fig=ax.figure, x=shift, y=0.0, units="points")
        item = ax.text(x, y, text, color=color, fontsize=7.5, ha=align, va="bottom", transform=place,
                       zorder=1.5)
        width = item.get_window_extent().width * 72.0 / ax.figure.dpi
        shift += (width + gap) * (1.0 if align == "left" else -1.0)


def _memory_limit(base, c):
    """The y range of the memory panel: the smallest base * 2^k (k >= 0) that holds 1.1 max |c|.

    Coarse steps keep the axis still for most moves (a changed axis redraws the whole figure)."""
    need = 1.1 * float(np.abs(c).max())
    limit = base
    while limit < need:
        limit *= 2.0
    return limit


def _memory_panel(ax, view, ylabel, limit=1.2):
    """Lines of the memory per unit, the write marker and the survival band; returns the artists.

    The y axis spans [-limit, limit] (plus room for the key) and doubles when the memory leaves it."""
    t = np.concatenate([[0], view["t"]])
    c = np.concatenate([view["c_start"][:, None], view["c"]], axis=1)     # c<0>, c<1>, ..., c<T>
    others = [ax.plot(t, c[k], color="0.65", lw=1, label="other units" if k == 1 else None)[0]
              for k in range(1, c.shape[0])]
    (main,) = ax.plot(t, c[0], color="C0", lw=2.2, marker="o", ms=4, label="unit 0 (number unit)")
    band = [ax.plot([], [], color="C0", lw=0.8, ls=":")[0] for _ in range(2)]
    mark = ax.axvline(view["write"], color="C3", lw=1, ls="--", label="write step")
    text = ax.text(0.01, 0.04, "", transform=ax.transAxes, fontsize=8.5)
    ax.axhline(0, color="0.85", lw=0.8, zorder=1)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=5, steps=[1, 2, 5, 10]))
    ax.set_ylabel(ylabel)
    _key(ax, 0.01, 0.86, [("─●─ unit 0 (number unit)", "C0"), ("── other units", "0.55"),
                          ("- - write step", "C3"), ("····· c<write> ± ½ |c<write>|", "C0")])
    artists = {"main": main, "others": others, "band": band, "mark": mark, "text": text, "limit": limit}
    _set_memory_limit(ax, _memory_limit(limit, c))
    return artists


def _set_memory_limit(ax, limit):
    if ax.get_ylim() != (-limit, 1.35 * limit):
        ax.set_ylim(-limit, 1.35 * limit)


def _update_memory_panel(artists, view, survival_text):
    c = np.concatenate([view["c_start"][:, None], view["c"]], axis=1)
    artists["main"].set_ydata(c[0])
    for k, line in enumerate(artists["others"], start=1):
        line.set_ydata(c[k])
    v, w, T = view["c_write"], view["write"], len(view["t"])
    for line, sign in zip(artists["band"], (-1.0, 1.0)):
        line.set_data([w, T], [v + sign * 0.5 * abs(v)] * 2)
    artists["mark"].set_xdata([w, w])
    artists["text"].set_text(survival_text)
    _set_memory_limit(artists["main"].axes, _memory_limit(artists["limit"], c))


def _frame_below_lines(fig):
    """Draw every axes' frame (its spines) before the lines: a frame drawn over moving lines would be
    drawn again on every move (see helpers/views/explorer.py); under them it stays in the kept background."""
    for ax in fig.axes:
        for spine in ax.spines.values():
            spine.set_zorder(1.9)


def _pin_labels(fig):
    """Keep the axis labels where tight_layout placed them. Left to itself, matplotlib measures every
    tick label of the axes that share x (four panels of 17 words) to place the labels again on each
    full redraw. Call after tight_layout; the x labels are empty (the words are tick labels)."""
    fig.draw_without_rendering()     # the labels' places for the axes' places that tight_layout chose
    for ax in fig.axes:
        label = ax.yaxis.label
        if label.get_text():
            x = ax.transAxes.inverted().transform((label.get_position()[0], 0.0))[0]
            ax.yaxis.set_label_coords(x, 0.5)
        ax.xaxis.set_label_coords(0.5, 0.0)


def _gate_axis(ax, ylabel):
    """The y axis of a panel of gate values in [0, 1], with three fixed ticks."""
    ax.set_ylim(-0.08, 1.08)
    ax.yaxis.set_major_locator(FixedLocator([0.0, 0.5, 1.0]))
    ax.yaxis.set_major_formatter(FixedFormatter(["0", "0.5", "1"]))
    ax.set_ylabel(ylabel)


def _gradient_panel(ax, view, formula):
    t = view["t"]
    (real,) = ax.plot(t, np.maximum(np.abs(view["grad"]), _FLOOR), "o", color="C2", ms=6,
                      label="backward pass (keep_state_grads)")
    (prod,) = ax.plot(t, np.maximum(view["grad_product"], _FLOOR), "--", color="k", lw=1.2, label=formula)
    ax.set_yscale("log")
    ax.set_ylim(_FLOOR / 3, 30)
    # fixed ticks with plain-text labels (a full redraw lays out mathtext 10^k anew each time)
    ax.yaxis.set_major_locator(FixedLocator([1e-15, 1e-10, 1e-5, 1.0]))
    ax.yaxis.set_major_formatter(FixedFormatter(["10⁻¹⁵", "10⁻¹⁰", "10⁻⁵", "1"]))
    ax.yaxis.set_minor_locator(NullLocator())
    ax.set_ylabel("d c<T> / d c<t>\n(unit 0, log)", fontsize=9)
    _key(ax, 1.0, 1.02, [("● backward pass (keep_state_grads)", "C2"), ("- - " + formula, "k")], align="right")
    return real, prod


def gru_gate_explorer(subject: str = "cat", write: int = 2, u_write: float = 1.0, u_hold: float = 0.0,
                      r: float = 0.0) -> Explorer:
    """Sliders for Gamma_u (at the write step and elsewhere) and Gamma_r; the GRU memory, the gates and
    d c<T> / d c<t> on a log scale, redrawn in place (see gru_gate_view for what is computed).

    Controls: subject (Dropdown), write (IntSlider), u_write, u_hold, r (FloatSliders, step 0.05).
    """
    first = gru_gate_view(subject, write, u_write, u_hold, r)
    T = len(first["tokens"])
    # 6.3 x 5.4 in with the controls beside it: the explorer fits a laptop's screen (1366 x 768)
    fig, (ax_c, ax_g, ax_d) = new_figure(3, 1, figsize=(6.3, 5.4), sharex=True,
                                         gridspec_kw={"height_ratios": [1.3, 0.8, 1.0]})
    memory = _memory_panel(ax_c, first, "memory c<t>")
    ax_c.set_title("GRU: c<t> = Γu ⊙ c̃<t> + (1 − Γu) ⊙ c<t−1>", fontsize=10, y=1.0)
    (gu,) = ax_g.step(first["t"], first["Gamma_u"], where="mid", color="C1", lw=2, label="Γu<t>")
    (gr,) = ax_g.plot(first["t"], first["Gamma_r"], color="C4", lw=1.5, ls="-.", label="Γr<t>")
    _gate_axis(ax_g, "gates")
    _key(ax_g, 1.0, 1.02, [("── Γu<t>", "C1"), ("-·- Γr<t>", "C4")], align="right")
    real, prod = _gradient_panel(ax_d, first, "∏ (1 − Γu<k>), k > t")
    noun = _token_axis(ax_d, first["tokens"])
    _frame_below_lines(fig)
    fig.tight_layout()
    _pin_labels(fig)

    def draw(v):
        _update_memory_panel(memory, v, _survival_text(v, "∏(1 − Γu)", short=True))
        gu.set_ydata(v["Gamma_u"])
        gr.set_ydata(v["Gamma_r"])
        real.set_ydata(np.maximum(np.abs(v["grad"]), _FLOOR))
        prod.set_ydata(np.maximum(v["grad_product"], _FLOOR))
        noun.set_text(v["tokens"][_SUBJECT_POSITION - 1])

    def describe(v):
        match = "equals" if v["product_matches"] else "differs from"
        why = "" if v["product_matches"] else " (Γr > 0 lets c<t−1> reach the candidate: a second path)"
        return f"{_survival_text(v, '∏(1 − Γu)')}. The backward pass {match} ∏(1 − Γu){why}."

    style = {"description_width": "initial"}
    controls = {
        "subject": widgets.Dropdown(options=["cat", "cats"], value=subject, description="noun", style=style),
        "write": widgets.IntSlider(value=write, min=1, max=T - 1, description="write at step", style=style),
        "u_write": widgets.FloatSlider(value=u_write, min=0.0, max=1.0, step=0.05, description="Γu at write",
                                       style=style),
        "u_hold": widgets.FloatSlider(value=u_hold, min=0.0, max=1.0, step=0.05, description="Γu elsewhere",
                                      style=style),
        "r": widgets.FloatSlider(value=r, min=0.0, max=1.0, step=0.05, description="Γr", style=style),
    }
    return Explorer("the GRU memory cell, its gates Γu and Γr set by hand, and d c<T>/d c<t>", controls, fig,
                    gru_gate_view, draw, describe=describe, beside=True)


# ----------------------------------------------------------------------------------------------
# the LSTM gate explorer
# ----------------------------------------------------------------------------------------------

LSTM_PRESETS = {
    "carry c<0> to c<3> (lecture)": dict(c0=0.8, u_write=0.0, u_hold=0.0, f_write=1.0, f_hold=1.0,
                                         o_hold=1.0, o_read=1.0, peephole=False),
    "remember the noun": dict(c0=0.0, write=2, u_write=1.0, u_hold=0.0, f_write=0.0, f_hold=1.0,
                              o_hold=0.0, o_read=1.0, peephole=False),
    "leaky memory (Γf = 0.9)": dict(c0=0.0, write=2, u_write=1.0, u_hold=0.0, f_write=0.0, f_hold=0.9,
                                    o_hold=0.0, o_read=1.0, peephole=False),
    "forget at once (Γf = 0)": dict(c0=0.0, write=2, u_write=1.0, u_hold=1.0, f_write=0.0, f_hold=0.0,
                                    o_hold=1.0, o_read=1.0, peephole=False),
}


def _matching_preset(values):
    """The name of the preset whose settings all equal ``values`` (None if there is none).

    Numbers count as equal within 1e-9, so a slider value that a browser sends as 0.9000000000000001
    still matches a preset's 0.9."""
    for name, settings in LSTM_PRESETS.items():
        if all(_same_setting(values.get(k), v) for k, v in settings.items()):
            return name
    return None


def _same_setting(value, wanted):
    if isinstance(wanted, (bool, np.bool_)) or isinstance(value, (bool, np.bool_)):
        return isinstance(value, (bool, np.bool_)) and bool(value) == bool(wanted)
    if isinstance(value, (int, float, np.integer, np.floating)):
        return abs(float(value) - float(wanted)) <= 1e-9
    return False


_LSTM_DEMO = {}


def _lstm_demo():
    if not _LSTM_DEMO:
        vocab = memory_task_vocabulary()
        _LSTM_DEMO.update(vocab=vocab, params=gate_demo_parameters("lstm", vocab))
    return _LSTM_DEMO


def _logit(s):
    """log(s / (1 - s)), limited to [-40, 40] (0 and 1 map to the limits)."""
    if s <= 0.0:
        return -_LOGIT_LIMIT
    if s >= 1.0:
        return _LOGIT_LIMIT
    return float(np.clip(np.log(s) - np.log1p(-s), -_LOGIT_LIMIT, _LOGIT_LIMIT))


def lstm_gate_view(subject: str = "cat", c0: float = 0.0, write: int = 2, u_write: float = 1.0,
                   u_hold: float = 0.0, f_write: float = 0.0, f_hold: float = 1.0, o_hold: float = 0.0,
                   o_read: float = 1.0, peephole: bool = False, p: float = 2.0) -> dict:
    """Everything the LSTM gate explorer shows, for one setting of its controls (pure: no drawing).

    Runs the LSTM of ``gate_demo_parameters("lstm")`` (3 units, a<0> = 0, c<0> = c0 on every unit) on
    EXPLORER_SENTENCE with the gate values

        Gamma_u<t> = u_write at t = write, u_hold elsewhere
        Gamma_f<t> = f_write at t = write, f_hold elsewhere
        Gamma_o<t> = o_read at the last step T, o_hold elsewhere

    Without peepholes these are the gates (``override``). With peepholes the sliders set what
    [a<t-1>, x<t>] contribute and the cell adds its own memory, element-wise:

        Gamma_g<t> = sigmoid(logit(slider value at t) + p * c<t-1>),       g = f, u, o

    computed by ``lstm_forward(peephole=True)`` with pf = pu = po = p on every unit; the slider values
    reach the gates through two extra input rows (write flag, read flag) and the gate biases, the
    logits being limited to [-40, 40] so that 0 and 1 stay (to 4e-18) 0 and 1. Then the real BPTT
    of L = c<T> of unit 0 (``lstm_backward(..., keep_state_grads=True)``).

    Parameters
    ----------
    subject : "cat" or "cats", the noun at step 2.
    c0 : float in [-1, 1], the initial memory c<0> of every unit.
    write : int in [1, T - 1]
    u_write, u_hold, f_write, f_hold, o_hold, o_read : float in [0, 1]
    peephole : bool
    p : float in [-5, 5], the peephole weight (used only with peephole=True).

    Returns
    -------
    dict with
        tokens (T str), t (T,) steps 1 .. T, c and a : ndarray (n_a, T), c_start : ndarray (n_a,), c<0>,
        Gamma_f, Gamma_u, Gamma_o : ndarray (n_a, T), the gates actually used,
        c_tilde : ndarray (n_a, T), the candidates,
        grad : ndarray (T,), d c<T>_0 / d c<t>_0 from the backward pass (a<t> has no other path),
        grad_product : ndarray (T,), prod_{k>t} Gamma_f<k> of unit 0,
        c_write : float, c<write> of unit 0; survival, predicted (retention_steps of Gamma_f), max_steps,
        product_matches : bool, grad equals grad_product (to 1e-12), peephole : bool, p : float.
    """
    where = "lstm_gate_view"
    tokens = _sentence(subject)
    T = len(tokens)
    write = _check_write(where, write, T)
    c0 = check_real_number(where, "c0", c0, -1.0, 1.0)
    u_write, u_hold = (_check_unit_interval(where, n, v) for n, v in (("u_write", u_write), ("u_hold", u_hold)))
    f_write, f_hold = (_check_unit_interval(where, n, v) for n, v in (("f_write", f_write), ("f_hold", f_hold)))
    o_hold, o_read = (_check_unit_interval(where, n, v) for n, v in (("o_hold", o_hold), ("o_read", o_read)))
    if not isinstance(peephole, (bool, np.bool_)):
        raise ValueError(f"{where}: peephole must be True or False, got {peephole!r}")
    p = check_real_number(where, "p", p, -5.0, 5.0)

    demo = _lstm_demo()
    words = encode_tokens(tokens, demo["vocab"])
    flags = np.zeros((2, 1, T))
    flags[0, 0, write - 1] = 1.0     # write flag
    flags[1, 0, T - 1] = 1.0         # read flag
    x = np.concatenate([words, flags], axis=0)
    n_a = demo["params"]["Wc"].shape[0]
    a0, c_init = np.zeros((n_a, 1)), np.full((n_a, 1), c0)
    Gamma_u = phase_gate(T, write, u_write, u_hold)
    Gamma_f = phase_gate(T, write, f_write, f_hold)
    Gamma_o = phase_gate(T, T, o_read, o_hold)

    if peephole:
        params = dict(demo["params"])
        n_words = words.shape[0]
        col_write, col_read = n_a + n_words, n_a + n_words + 1
        for g, base, extra, col in (("u", u_hold, u_write, col_write), ("f", f_hold, f_write, col_write),
                                    ("o", o_hold, o_read, col_read)):
            W = np.zeros_like(params["W" + g])
            W[:, col] = _logit(extra) - _logit(base)
            params["W" + g] = W
            params["b" + g] = np.full((n_a, 1), _logit(base))
            params["p" + g] = np.full((n_a, 1), p)
        a, c, caches = lstm_states_forward(x, a0, params, peephole=True, c0=c_init)
    else:
        override = {"Gamma_u": Gamma_u.reshape(1, 1, T), "Gamma_f": Gamma_f.reshape(1, 1, T),
                    "Gamma_o": Gamma_o.reshape(1, 1, T)}
        a, c, caches = lstm_states_forward(x, a0, demo["params"], override=override, c0=c_init)
    gates = lstm_gates(caches)
    dc = np.zeros_like(c)
    dc[0, 0, -1] = 1.0
    grad = lstm_backward(np.zeros_like(a), caches, dc=dc, keep_state_grads=True)["dc_steps"][0, 0]
    f0 = gates["Gamma_f"][0, 0]
    grad_product = backward_product(f0)
    c, a = c[:, 0, :], a[:, 0, :]
    return {"tokens": tokens, "t": np.arange(1, T + 1), "c": c, "a": a, "c_start": c_init[:, 0].copy(),
            "Gamma_f": gates["Gamma_f"][:, 0], "Gamma_u": gates["Gamma_u"][:, 0], "Gamma_o": gates["Gamma_o"][:, 0],
            "c_tilde": gates["c_tilde"][:, 0], "grad": grad, "grad_product": grad_product, "write": write,
            "c_write": float(c[0, write - 1]),
            "survival": survival_steps(c[0], write), "predicted": retention_steps(f0, write),
            "max_steps": T - write, "peephole": bool(peephole), "p": p,
            "product_matches": bool(np.allclose(grad, grad_product, rtol=1e-12, atol=1e-15))}


def lstm_gate_explorer(**initial) -> Explorer:
    """Sliders for Gamma_u, Gamma_f (at the write step and elsewhere), Gamma_o (during the sentence and
    at the last step), c<0>, a peephole toggle with its weight p, and a preset menu; the LSTM memory
    c<t>, the activation a<t>, the gates of unit 0 and d c<T> / d c<t> on a log scale.

    ``initial`` sets any argument of lstm_gate_view (subject, c0, write, u_write, ..., peephole, p).

    The preset menu (``controls["preset"]``) is not an input of the picture: choosing a preset sets
    the controls it names (LSTM_PRESETS), in one update. The menu shows the preset that the current
    settings match and is empty when they match none, so after the sliders moved away from a preset,
    choosing that preset again applies it again. ``explorer.set(preset=name, ...)`` works too: the
    preset is applied (an update of its own) when its name is reached, then the names given after it.
    """
    values = dict(subject="cat", c0=0.0, write=2, u_write=1.0, u_hold=0.0, f_write=0.0, f_hold=1.0,
                  o_hold=0.0, o_read=1.0, peephole=False, p=2.0)
    unknown = sorted(set(initial) - set(values))
    if unknown:
        raise ValueError(f"lstm_gate_explorer: unknown setting(s) {', '.join(unknown)} "
                         f"(settings: {', '.join(values)})")
    values.update(initial)
    first = lstm_gate_view(**values)
    T = len(first["tokens"])

    # 6.3 x 5.8 in with the controls beside it: the explorer fits a laptop's screen (1366 x 768)
    fig, (ax_c, ax_a, ax_g, ax_d) = new_figure(4, 1, figsize=(6.3, 5.8), sharex=True,
                                               gridspec_kw={"height_ratios": [1.2, 0.8, 0.9, 1.0]})
    # 2.2 holds the number unit at any setting, |c<t>| <= |c<0>| + tanh(3) = 1.995 (plus 10 %): only the
    # grey units, piling up, make the axis double
    memory = _memory_panel(ax_c, first, "memory c<t>", limit=2.2)
    ax_c.set_title("LSTM: c<t> = Γu ⊙ c̃<t> + Γf ⊙ c<t−1>,   a<t> = Γo ⊙ tanh(c<t>)", fontsize=10, y=1.0)
    a_lines = [ax_a.plot(first["t"], first["a"][k], color="C0" if k == 0 else "0.65", lw=2.2 if k == 0 else 1,
                         marker="o" if k == 0 else "", ms=4)[0] for k in range(first["a"].shape[0])]
    ax_a.axhline(0, color="0.85", lw=0.8, zorder=1)
    ax_a.set_ylim(-1.05, 1.05)
    ax_a.yaxis.set_major_locator(FixedLocator([-1.0, 0.0, 1.0]))
    ax_a.yaxis.set_major_formatter(FixedFormatter(["−1", "0", "1"]))
    ax_a.set_ylabel("activation a<t>")
    gate_lines = {}
    for name, color, style, label in (("Gamma_f", "C2", "-", "Γf<t>"), ("Gamma_u", "C1", "--", "Γu<t>"),
                                      ("Gamma_o", "C4", "-.", "Γo<t>")):
        (gate_lines[name],) = ax_g.plot(first["t"], first[name][0], color=color, ls=style, lw=1.8,
                                        marker=".", label=label)
    _gate_axis(ax_g, "gates (unit 0)")
    _key(ax_g, 1.0, 1.02, [("── Γf<t>", "C2"), ("- - Γu<t>", "C1"), ("-·- Γo<t>", "C4")], align="right")
    peep_text = ax_g.text(0.22, 0.42, "", transform=ax_g.transAxes, fontsize=8.5)
    real, prod = _gradient_panel(ax_d, first, "∏ Γf<k>, k > t")
    noun = _token_axis(ax_d, first["tokens"])
    _frame_below_lines(fig)
    fig.tight_layout()
    _pin_labels(fig)

    style = {"description_width": "initial"}
    # not a control of the Explorer: it sets the others (apply_preset below) and follows them (draw)
    preset_menu = widgets.Dropdown(options=list(LSTM_PRESETS), value=_matching_preset(values),
                                   description="preset", style=style)
    following = {"now": False}      # True while draw sets the menu to the preset the settings match

    def draw(v):
        _update_memory_panel(memory, v, _survival_text(v, "∏ Γf", short=True))
        for k, line in enumerate(a_lines):
            line.set_ydata(v["a"][k])
        for name, line in gate_lines.items():
            line.set_ydata(v[name][0])
        peep_text.set_text(f"peepholes on, p = {v['p']:+.2f}" if v["peephole"]
                           else f"peepholes off (p = {v['p']:+.2f} unused)")
        real.set_ydata(np.maximum(np.abs(v["grad"]), _FLOOR))
        prod.set_ydata(np.maximum(v["grad_product"], _FLOOR))
        noun.set_text(v["tokens"][_SUBJECT_POSITION - 1])
        if preset_menu.value != v["preset"]:
            following["now"] = True
            try:
                preset_menu.value = v["preset"]
            finally:
                following["now"] = False

    def describe(v):
        match = "equals" if v["product_matches"] else "differs from"
        why = "" if v["product_matches"] else " (the peepholes let c<t−1> move the gates: more paths)"
        return f"{_survival_text(v, '∏ Γf')}. The backward pass {match} ∏ Γf{why}."

    def gate_slider(name, label):
        return widgets.FloatSlider(value=values[name], min=0.0, max=1.0, step=0.05, description=label,
                                   style=style)

    controls = {
        "subject": widgets.Dropdown(options=["cat", "cats"], value=values["subject"], description="noun",
                                    style=style),
        "c0": widgets.FloatSlider(value=values["c0"], min=-1.0, max=1.0, step=0.05, description="c<0>",
                                  style=style),
        "write": widgets.IntSlider(value=values["write"], min=1, max=T - 1, description="write at step",
                                   style=style),
        "u_write": gate_slider("u_write", "Γu at write"),
        "u_hold": gate_slider("u_hold", "Γu elsewhere"),
        "f_write": gate_slider("f_write", "Γf at write"),
        "f_hold": gate_slider("f_hold", "Γf elsewhere"),
        "o_hold": gate_slider("o_hold", "Γo before the end"),
        "o_read": gate_slider("o_read", "Γo at the last step"),
        "peephole": widgets.Checkbox(value=values["peephole"], description="peepholes", style=style),
        "p": widgets.FloatSlider(value=values["p"], min=-5.0, max=5.0, step=0.25, description="peephole weight p",
                                 style=style),
    }

    def compute(preset=None, **settings):
        view = lstm_gate_view(**settings)
        view["preset"] = _matching_preset(settings)
        return view

    explorer = Explorer("the LSTM memory cell, its gates Γf, Γu, Γo set by hand (optionally with peepholes), "
                        "and d c<T>/d c<t>", controls, fig, compute, draw, describe=describe, beside=True)
    # shown first, and settable with explorer.set(preset=...); its changes reach only apply_preset
    explorer.controls = {"preset": preset_menu, **explorer.controls}

    def apply_preset(change):
        if not following["now"] and change["new"] in LSTM_PRESETS:
            explorer.set(**LSTM_PRESETS[change["new"]])

    preset_menu.observe(apply_preset, names="value")
    return explorer


# ----------------------------------------------------------------------------------------------
# the vectorised gate: Gamma_u as a mask of the units that update
# ----------------------------------------------------------------------------------------------

def update_mask_demo(n_a: int = 100, T: int = 12, fraction: float = 0.1, seed: int = 0) -> dict:
    """A GRU of n_a units whose update gate is a 0/1 mask: which units take their candidate at each step.

    The mask holds 1 at the first step for every unit (the memory starts empty, everything is
    written) and afterwards 1 with probability ``fraction``, independently per unit and step (drawn
    from np.random.default_rng(seed)). The GRU (random parameters, seed) reads a memory-task sentence
    with a gap of T - 3 words, c<0> = 0, and Gamma_u overridden by the mask; Gamma_r is computed. Where
    the mask is 0 the unit copies c<t-1> exactly; where it is 1 it takes its candidate.

    Parameters
    ----------
    n_a : int >= 1, the number of units (the lecture's example: 100).
    T : int >= 3, the number of steps.
    fraction : float in [0, 1], the share of units that update at a step after the first.
    seed : int >= 0

    Returns
    -------
    dict with mask (n_a, T) of 0.0/1.0, c (n_a, T) the memory, changed (n_a, T) bool with
    changed[:, t] = c<t> != c<t-1> (c<0> = 0), tokens (T str).
    """
    where = "update_mask_demo"
    n_a = check_positive_int(where, "n_a", n_a)
    T = check_positive_int(where, "T", T, minimum=3)
    fraction = _check_unit_interval(where, "fraction", fraction)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    mask = (rng.random((n_a, T)) < fraction).astype(float)
    mask[:, 0] = 1.0
    vocab = memory_task_vocabulary()
    gap_words = [w for w in vocab if w not in ("the", "cat", "cats", VERB)]
    tokens = ["the", "cat"] + [gap_words[k] for k in rng.integers(0, len(gap_words), size=T - 3)] + [VERB]
    params = initialize_gru_parameters(len(vocab), n_a, 1, seed=seed)
    params = {k: v for k, v in params.items() if k not in ("Wy", "by")}
    c, _ = gru_states_forward(encode_tokens(tokens, vocab), np.zeros((n_a, 1)), params,
                              override={"Gamma_u": mask[:, None, :]})
    c = c[:, 0, :]
    previous = np.concatenate([np.zeros((n_a, 1)), c[:, :-1]], axis=1)
    return {"mask": mask, "c": c, "changed": c != previous, "tokens": tokens}


def plot_update_mask(demo: dict):
    """Two images side by side: the mask Gamma_u (units x steps) and the memory c<t> it produces.

    Parameters
    ----------
    demo : dict from update_mask_demo.

    Returns
    -------
    fig : matplotlib Figure (not displayed; show it with ``helpers.views.explorer.show_figure``).
    """
    for key in ("mask", "c", "tokens"):
        if not isinstance(demo, dict) or key not in demo:
            raise KeyError(f"plot_update_mask: demo must be the dict of update_mask_demo, missing '{key}'")
    mask, c, tokens = demo["mask"], demo["c"], demo["tokens"]
    fig, (ax_m, ax_c) = new_figure(1, 2, figsize=(9.0, 3.8))
    ax_m.imshow(mask, aspect="auto", cmap="Greys", vmin=0, vmax=1, interpolation="nearest")
    ax_m.set_title("Γu<t>: black = this unit updates", fontsize=10)
    # the colour scale spans the memory's own range (not [-1, 1], where its small values look pale)
    lim = float(np.abs(c).max()) or 1.0
    image = ax_c.imshow(c, aspect="auto", cmap="RdBu_r", vmin=-lim, vmax=lim, interpolation="nearest")
    ax_c.set_title("c<t>: a row keeps its colour while Γu = 0", fontsize=10)
    for ax in (ax_m, ax_c):
        ax.set_xticks(np.arange(len(tokens)))
        ax.set_xticklabels(tokens, rotation=45, ha="right", fontsize=7.5)
        ax.set_ylabel(f"unit (of {mask.shape[0]})")
    fig.colorbar(image, ax=ax_c, fraction=0.05)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# the gates of a trained cell
# ----------------------------------------------------------------------------------------------

_GATE_NAMES = {"gru": ("Gamma_u", "Gamma_r"), "lstm": ("Gamma_f", "Gamma_u", "Gamma_o")}


def trained_gates(model: dict, task: MemoryTask, i: int, cell: str) -> dict:
    """The gate values of a trained GRU or LSTM on example i of a memory task.

    Runs the cell of ``model`` (the dict of training.init_model / fit: the cell's parameters plus Wy,
    by) over the T_i real steps of example i, from a zero state, and reads its gates.

    Parameters
    ----------
    model : dict with the cell's parameters (Wu, Wr, Wc, ... or Wf, Wu, Wo, Wc, ...) of n_a units.
    task : MemoryTask
    i : int in [0, m), the example.
    cell : "gru" or "lstm"

    Returns
    -------
    dict with tokens (T_i str), label (str, "was" or "were"), state (n_a, T_i): c<t> for the GRU,
    c<t> for the LSTM (its memory; a<t> is under "a"), and every gate of the cell (n_a, T_i):
    Gamma_u, Gamma_r (GRU) or Gamma_f, Gamma_u, Gamma_o (LSTM).
    """
    where = "trained_gates"
    check_choice(where, "cell", cell, ("gru", "lstm"))
    if not isinstance(task, MemoryTask):
        raise ValueError(f"{where}: task must be a MemoryTask, got {type(task).__name__}")
    i = check_positive_int(where, "i", i, minimum=0)
    if i >= task.m:
        raise ValueError(f"{where}: i must be an example index in [0, m) = [0, {task.m}), got {i}")
    if not isinstance(model, dict):
        raise ValueError(f"{where}: model must be a dict of parameters, got {type(model).__name__}")
    keys = get_cell(cell).param_keys
    missing = [k for k in keys if k not in model]
    if missing:
        raise KeyError(f"{where}: model is missing the {cell} parameter(s) {', '.join(missing)} "
                       f"(it has: {', '.join(sorted(model))})")
    params = {k: model[k] for k in keys}
    T_i = int(task.lengths[i])
    x = task.x[:, i:i + 1, :T_i]
    n_a = params["Wc"].shape[0]
    out = {"tokens": list(task.tokens[i]), "label": task.classes[int(task.y[i])]}
    if cell == "gru":
        c, caches = gru_states_forward(x, np.zeros((n_a, 1)), params)
        gates = gru_gates(caches)
        out["state"] = c[:, 0, :]
    else:
        a, c, caches = lstm_states_forward(x, np.zeros((n_a, 1)), params)
        gates = lstm_gates(caches)
        out["state"], out["a"] = c[:, 0, :], a[:, 0, :]
    for name in _GATE_NAMES[cell]:
        out[name] = gates[name][:, 0, :]
    return out


def _sparse_token_ticks(ax, tokens, max_labels):
    """Label every step with its token, or, for long sentences, the first two steps, the last one and
    every 10th step (by its number t)."""
    T = len(tokens)
    if T <= max_labels:
        ax.set_xticks(np.arange(T))
        ax.set_xticklabels(tokens, rotation=90, fontsize=7)
        return
    ticks = [0, 1] + [t - 1 for t in range(10, T - 1, 10)] + [T - 1]
    labels = [tokens[0], tokens[1]] + [f"t={t}" for t in range(10, T - 1, 10)] + [tokens[-1]]
    ax.set_xticks(ticks)
    ax.set_xticklabels(labels, rotation=90, fontsize=7)


def plot_gate_heatmap(view: dict, gates=("Gamma_u",), order=None, max_labels: int = 20):
    """Heatmaps (units x steps) of the chosen gates of trained_gates, and of the memory, side by side.

    Parameters
    ----------
    view : dict from trained_gates.
    gates : tuple of gate names present in ``view`` (e.g. ("Gamma_u",) or ("Gamma_f", "Gamma_u")).
    order : optional int array (n_a,), the order of the units (rows), e.g. by their gate value.
    max_labels : int >= 3; a sentence longer than this gets its first two words, its last one and
        every 10th step number as tick labels instead of every word.

    Returns
    -------
    fig : matplotlib Figure (not displayed; show it with ``helpers.views.explorer.show_figure``).
    """
    where = "plot_gate_heatmap"
    if not isinstance(view, dict) or "tokens" not in view or "state" not in view:
        raise KeyError(f"{where}: view must be the dict of trained_gates (with 'tokens' and 'state')")
    if isinstance(gates, str) or not gates:
        raise ValueError(f"{where}: gates must be a non-empty tuple of gate names, got {gates!r}")
    for name in gates:
        if name not in view:
            have = ", ".join(k for k in view if k.startswith("Gamma"))
            raise KeyError(f"{where}: view has no gate '{name}' (it has: {have})")
    max_labels = check_positive_int(where, "max_labels", max_labels, minimum=3)
    n_a = view["state"].shape[0]
    order = np.arange(n_a) if order is None else np.asarray(order)
    if sorted(order.tolist()) != list(range(n_a)):
        raise ValueError(f"{where}: order must be a permutation of 0 .. n_a - 1 = {n_a - 1}, got {order!r}")
    labels = {"Gamma_u": "Γu", "Gamma_r": "Γr", "Gamma_f": "Γf", "Gamma_o": "Γo"}
    panels = list(gates) + ["state"]
    width = 2.6 + 0.28 * min(len(view["tokens"]), max_labels)
    fig, axes = new_figure(1, len(panels), figsize=(min(14.0, width * len(panels)), 3.2))
    axes = np.atleast_1d(axes)
    for ax, name in zip(axes, panels):
        if name == "state":
            span = max(1.0, float(np.abs(view["state"]).max()))
            image = ax.imshow(view["state"][order], aspect="auto", cmap="RdBu_r", vmin=-span, vmax=span,
                              interpolation="nearest")
            ax.set_title("memory c<t>", fontsize=10)
        else:
            image = ax.imshow(view[name][order], aspect="auto", cmap="viridis", vmin=0, vmax=1,
                              interpolation="nearest")
            ax.set_title(f"{labels.get(name, name)}<t>", fontsize=10)
        _sparse_token_ticks(ax, view["tokens"], max_labels)
        ax.set_yticks(np.arange(n_a))
        ax.set_yticklabels([str(k) for k in order], fontsize=7)
        ax.set_ylabel("unit")
        fig.colorbar(image, ax=ax, fraction=0.05)
    fig.suptitle(f"answer: {view['label']}", fontsize=10)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# gradient check and timing
# ----------------------------------------------------------------------------------------------

@one_blas_thread
def cell_gradient_check(cell: str, *, simplified: bool = False, peephole: bool = False, seed: int = 0,
                        n_x: int = 3, n_a: int = 4, m: int = 2, T: int = 5) -> dict:
    """Check the BPTT of the GRU or the LSTM against centred finite differences.

    The scalar loss is L = sum_t sum(y_hat<t> * G<t>) + sum_t sum(c<t> * H<t>) over the forward pass with
    outputs (gru_forward / lstm_forward) for fixed random G, H, so the upstream gradients are
    dL/dc<t> = H<t> + Wy.T @ (softmax Jacobian of G<t>) (and for the LSTM the output part reaches a<t>).
    Every parameter, the input x and the initial state(s) are checked. Runs with one BLAS thread
    (``_blas.py``: the products are tiny).

    Parameters
    ----------
    cell : "gru" or "lstm"
    simplified : bool, the simplified GRU (GRU only).
    peephole : bool, the LSTM with peepholes (LSTM only).
    seed : int >= 0; n_x, n_a, m, T : int >= 1, the sizes.

    Returns
    -------
    errors : dict name -> relative error (gradcheck.relative_error), e.g. "Wu", "x", "c0".
    """
    where = "cell_gradient_check"
    check_choice(where, "cell", cell, ("gru", "lstm"))
    if cell == "gru" and peephole:
        raise ValueError(f"{where}: peephole applies to the LSTM only, got cell='gru' with peephole=True")
    if cell == "lstm" and simplified:
        raise ValueError(f"{where}: simplified applies to the GRU only, got cell='lstm' with simplified=True")
    seed = check_positive_int(where, "seed", seed, minimum=0)
    n_x, n_a, m, T = (check_positive_int(where, n, v) for n, v in (("n_x", n_x), ("n_a", n_a), ("m", m), ("T", T)))
    n_y = 3
    rng = np.random.default_rng(seed + 1)
    if cell == "gru":
        params = initialize_gru_parameters(n_x, n_a, n_y, seed=seed, simplified=simplified)
    else:
        params = initialize_lstm_parameters(n_x, n_a, n_y, seed=seed, peephole=peephole, forget_bias=0.5)
    for k in params:  # non-zero biases (and peepholes), so every term of the backward is exercised
        if k.startswith("b") or k.startswith("p"):
            params[k] = params[k] + rng.normal(0.0, 0.3, size=params[k].shape)
    inputs = dict(params)
    inputs["x"] = rng.normal(size=(n_x, m, T))
    inputs["s0"] = rng.normal(0.0, 0.5, size=(n_a, m))
    if cell == "lstm":
        inputs["c0"] = rng.normal(0.0, 0.5, size=(n_a, m))
    G = rng.normal(size=(n_y, m, T))
    H = rng.normal(size=(n_a, m, T))

    def run(p):
        weights = {k: v for k, v in p.items() if k not in ("x", "s0", "c0")}
        if cell == "gru":
            c, y, caches = gru_forward(p["x"], p["s0"], weights, simplified=simplified)
            return None, c, y, caches
        a, y, c, caches = lstm_forward(p["x"], p["s0"], weights, peephole=peephole, c0=p["c0"])
        return a, c, y, caches

    def loss(p):
        _, c, y, _ = run(p)
        return float(np.sum(y * G) + np.sum(c * H))

    a, c, y, caches = run(inputs)
    # softmax backward: dz = y * (G - sum_j y_j G_j); then dL/d(state) = Wy.T @ dz
    dz = y * (G - np.sum(y * G, axis=0, keepdims=True))
    d_out = np.einsum("yn,ymt->nmt", params["Wy"], dz)
    dWy = np.einsum("ymt,nmt->yn", dz, a if cell == "lstm" else c)
    dby = dz.sum(axis=(1, 2))[:, None]
    if cell == "gru":
        grads = gru_backward(d_out + H, caches)
        grads["ds0"] = grads.pop("dc0")
    else:
        grads = lstm_backward(d_out, caches, dc=H)
        grads["ds0"] = grads.pop("da0")
    grads["dWy"], grads["dby"] = dWy, dby
    analytic = {k: grads["d" + k] for k in inputs}
    errors = gradient_check(loss, inputs, analytic)
    names = {"s0": "c0" if cell == "gru" else "a0"}
    return {names.get(k, k): v for k, v in errors.items()}


def time_forward_backward(cells=("gru", "lstm"), n_x: int = 27, n_a: int = 64, m: int = 32, T: int = 50,
                          repeats: int = 5) -> dict:
    """Shortest wall time, in milliseconds per time step, of one forward + backward pass of a layer of
    each cell.

    Each layer is cells.get_cell(cell) with random parameters (seed 0), random inputs and a random
    upstream gradient on every step. After one untimed run of each (warm-up), the cells take turns,
    one timed run each per round, so that a change in what else the machine is doing affects all of
    them alike; the shortest run of each is the one least disturbed. Timed with one BLAS thread, as
    the course trains (``_blas.py``).

    Parameters
    ----------
    cells : tuple of "rnn", "gru", "lstm" (or cells.Cell objects), at least one.
    n_x, n_a, m, T : int >= 1, the sizes.
    repeats : int >= 1, timed rounds.

    Returns
    -------
    ms_per_step : dict cell name (its repr for a Cell) -> float (varies from machine to machine and run to run)
    """
    where = "time_forward_backward"
    if isinstance(cells, str) or not isinstance(cells, (list, tuple)) or not cells:
        raise ValueError(f"{where}: cells must be a non-empty tuple of cell kinds, got {cells!r}")
    n_x, n_a, m, T = (check_positive_int(where, n, v) for n, v in (("n_x", n_x), ("n_a", n_a), ("m", m), ("T", T)))
    repeats = check_positive_int(where, "repeats", repeats)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n_x, m, T))
    dh = rng.normal(size=(n_a, m, T))
    h0 = np.zeros((n_a, m))
    layers = {}
    for cell in cells:
        layer = get_cell(cell)
        layers[cell if isinstance(cell, str) else repr(layer)] = (layer, layer.init(n_x, n_a, seed=0))
    times = {name: [] for name in layers}
    with single_blas_thread():
        for k in range(repeats + 1):
            for name, (layer, params) in layers.items():
                start = time.perf_counter()
                _, cache = layer.forward(x, h0, params)
                layer.backward(dh, cache)
                if k:
                    times[name].append(time.perf_counter() - start)
    return {name: float(1000.0 * min(t) / T) for name, t in times.items()}
