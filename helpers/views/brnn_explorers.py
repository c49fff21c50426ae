"""Bidirectional and deep networks in practice (notebooks 10 and 11): training, influence, streaming, plots.

Networks. The models (``init_network``: "uni", "bi" or "deep", in one small dict), their scores, loss
and training (``fit_network``) live in the core module ``helpers.networks``; this module explores and
draws them.

Influence. How much does the input word x<k> move the prediction y_hat<t>?

    influence[k] = || d y_hat<t> / d x<k> ||_F         (the Jacobian of the n_y probabilities)

computed with the real backward pass: the seed of copy j of the batch is dL/dz<t> = d y_hat_j<t>/dz<t>
= y_hat_j<t> (e_j - y_hat<t>) (the softmax Jacobian), zero at the other steps, so the input gradient
of copy j is row j of the Jacobian for every k at once. A unidirectional network has influence[k] = 0
exactly for k > t: nothing it computes before step t reads a later word.

Streaming. A bidirectional network cannot answer before the sentence is over: run on the first s
words only, its backward chain starts at word s, so its prediction for word t < s can still change
when word s + 1 arrives. ``streaming_probabilities`` runs a network on every prefix of a sentence and
records the prediction for every word read so far; for a unidirectional network the prediction for
word t is fixed the moment word t is read.

Also here: the gradient checks of the bidirectional and the deep backward passes, the parameter and
time cost of depth, and the figures of the two notebooks.
"""
from __future__ import annotations

import time

import ipywidgets as widgets
import numpy as np
from matplotlib.transforms import blended_transform_factory

from .._checks import (
    as_float_array,
    check_choice,
    check_ndim,
    check_positive_int,
    check_shape,
    fmt_shape,
)
from ..cells import CELL_KINDS
from ..deep import count_parameters
from .diagrams import CachedDrawing
from .explorer import Explorer, new_figure
from ..gradcheck import gradient_check
from ..losses import softmax_cross_entropy
from ..networks import (_backward, _check_batch, _check_network, _forward, _get, _grad_path, _leaves, _name,
                        _rebuild, init_network, network_probabilities)

__all__ = [
    "masked_accuracy",
    "accuracy_by_role",
    "output_influence",
    "influence_view",
    "influence_explorer",
    "streaming_probabilities",
    "plot_streaming",
    "plot_accuracy_by_role",
    "format_tagged_sentence",
    "plot_brnn_graph",
    "brnn_computation_order",
    "brnn_gradient_check",
    "deep_gradient_check",
    "depth_costs",
    "plot_depth_costs",
    "plot_deep_grid",
]


def masked_accuracy(pred, y, mask) -> float:
    """Fraction of the steps with mask 1 where pred == y (NaN if the mask is all 0).

    Parameters
    ----------
    pred, y : int ndarrays of the same shape, e.g. (m, T_x)
    mask : ndarray of 0/1 of that shape
    """
    where = "masked_accuracy"
    pred, y = np.asarray(pred), np.asarray(y)
    mask = as_float_array(where, "mask", mask)
    if pred.shape != y.shape or mask.shape != y.shape:
        raise ValueError(f"{where}: pred, y and mask must have one shape, got {fmt_shape(pred.shape)}, "
                         f"{fmt_shape(y.shape)} and {fmt_shape(mask.shape)}")
    chosen = mask.astype(bool)
    if not chosen.any():
        return float("nan")
    return float(np.mean(pred[chosen] == y[chosen]))


def accuracy_by_role(pred, data) -> dict:
    """Tagging accuracy over all real words and separately for each word role of the lookahead task.

    Parameters
    ----------
    pred : int ndarray (m, T_x), predicted tags
    data : dict from lookahead_task.encode_lookahead (y, mask, roles)

    Returns
    -------
    dict "all" -> accuracy, and role -> accuracy for every role of lookahead_task.ROLES.
    """
    from ..tasks.lookahead_task import ROLES

    if not isinstance(data, dict) or not all(k in data for k in ("y", "mask", "roles")):
        raise ValueError("accuracy_by_role: data must be the dict of encode_lookahead (with y, mask, roles)")
    out = {"all": masked_accuracy(pred, data["y"], data["mask"])}
    for r, role in enumerate(ROLES):
        out[role] = masked_accuracy(pred, data["y"], data["roles"] == r)
    return out


# ----------------------------------------------------------------------------------------------
# which input words move the prediction at step t?
# ----------------------------------------------------------------------------------------------

def output_influence(network, x, t):
    """|| d y_hat<t> / d x<k> ||_F for every input position k: how much word k moves the prediction at t.

    y_hat<t> = softmax(z<t>) (n_y probabilities). Computed by one forward and one backward pass of the
    network's own code: the batch is repeated n_y times and copy j gets the seed
    dz<t> = y_hat_j<t> (e_j - y_hat<t>) (zero elsewhere), so its input gradient is d y_hat_j<t> / dx
    at every position. The norm runs over the n_y outputs, the n_x input entries and the batch.

    Parameters
    ----------
    network : dict from init_network (any kind)
    x : ndarray (n_x, m, T_x), sequences without padding (all T_x steps real), usually m = 1.
    t : int, 0 <= t < T_x, the output step as an index of the time axis.

    Returns
    -------
    influence : ndarray (T_x,), >= 0; exactly 0 for k > t for a unidirectional network.
    """
    where = "output_influence"
    network = _check_network(where, network)
    x, _ = _check_batch(where, x, None)
    n_x, m, T = x.shape
    t = check_positive_int(where, "t", t, minimum=0)
    if t >= T:
        raise ValueError(f"{where}: t must be a time index in 0 .. T_x - 1 = {T - 1} for x {fmt_shape(x.shape)}, "
                         f"got {t}")
    z, _ = _forward(network, x)
    n_y = z.shape[0]
    x_rep = np.tile(x, (1, n_y, 1))
    z_rep, cache = _forward(network, x_rep)
    zt = z_rep[:, :, t] - z_rep[:, :, t].max(axis=0, keepdims=True)
    y_hat = np.exp(zt) / np.exp(zt).sum(axis=0, keepdims=True)          # (n_y, n_y * m)
    dz = np.zeros_like(z_rep)
    for j in range(n_y):
        cols = slice(j * m, (j + 1) * m)
        e_j = np.zeros((n_y, 1))
        e_j[j] = 1.0
        dz[:, cols, t] = y_hat[j, cols] * (e_j - y_hat[:, cols])
    dx = _backward(network, dz, cache)["dx"]
    return np.sqrt(np.sum(dx * dx, axis=(0, 1)))


def influence_view(uni, bi, x, t, tokens=None) -> dict:
    """What the influence explorer shows for one sentence and one output step (pure).

    Parameters
    ----------
    uni, bi : networks from init_network (a unidirectional and a bidirectional one), 2 classes
        (class 1 = "part of a name").
    x : ndarray (n_x, 1, T) one sentence, no padding.
    t : int in 1 .. T, the output step in the lecture's numbering (word t).
    tokens : list of T str or None (labels only).

    Returns
    -------
    dict with tokens, t (1-based), index (t - 1), uni / bi: the influence (T,), uni_share / bi_share:
    influence / its sum, future_uni / future_bi: the share of the words after t, p_uni / p_bi: the
    probability of class 1 at word t.
    """
    where = "influence_view"
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, 1, T_x)")
    check_shape(where, "x", x, (None, 1, None), "(n_x, 1, T_x)", "(one sentence)")
    T = x.shape[2]
    t = check_positive_int(where, "t", t, minimum=1)
    if t > T:
        raise ValueError(f"{where}: t must be a word position in 1 .. {T}, got {t}")
    if tokens is None:
        tokens = [str(k + 1) for k in range(T)]
    if len(tokens) != T:
        raise ValueError(f"{where}: tokens must hold one label per step ({T}), got {len(tokens)}")
    out = {"tokens": list(tokens), "t": t, "index": t - 1}
    for name, net in (("uni", uni), ("bi", bi)):
        infl = output_influence(net, x, t - 1)
        total = infl.sum()
        share = infl / total if total > 0 else np.zeros_like(infl)
        out[name] = infl
        out[f"{name}_share"] = share
        out[f"future_{name}"] = float(share[t:].sum())
        out[f"p_{name}"] = float(network_probabilities(net, x)[1, 0, t - 1])
    return out


def _influence_note(p, total, future):
    """The line above one model's bars: P(name) at word t, the share of the later words, and, when P is
    saturated (it rounds to 0.00 or 1.00), P to one digit and how small the gradient is that the bars
    share out (the shares of a gradient near 0 say little about what moves the prediction)."""
    if 0.005 <= p <= 0.995:
        return f"P(name) = {p:.2f}, from later words: {100 * future:.0f}%"
    shown = ("0" if p == 0.0 else f"{p:.0e}") if p < 0.005 else ("1" if p == 1.0 else f"1 − {1.0 - p:.0e}")
    return f"P(name) = {shown}, saturated (total gradient {total:.0e}); later words: {100 * future:.0f}%"


def influence_explorer(uni, bi, data, examples, example=None, t=1) -> Explorer:
    """Pick a sentence and a word t: which words move the prediction at t, uni- vs bidirectional?

    Two bar charts, one per model, of the share of || d y_hat<t> / d x<k> || that comes from each
    word k (``influence_view``); word t is outlined, the words after it drawn in orange.

    Parameters
    ----------
    uni, bi : trained networks ("uni" and "bi" kinds or any unidirectional / bidirectional ones)
    data : dict from lookahead_task.encode_lookahead (x, lengths, tokens, y)
    examples : list of int, the sentences offered in the menu (indices into data)
    example : int or None, the first sentence shown (default examples[0])
    t : int, the first word shown (1-based)

    Returns
    -------
    Explorer with controls "sentence" (Dropdown of example indices) and "t" (IntSlider, 1-based).
    """
    where = "influence_explorer"
    if not isinstance(data, dict) or not all(k in data for k in ("x", "lengths", "tokens", "y")):
        raise ValueError(f"{where}: data must be the dict of encode_lookahead (with x, lengths, tokens, y)")
    m = data["x"].shape[1]
    if isinstance(examples, (str, bytes)) or not isinstance(examples, (list, tuple)) or not examples:
        raise ValueError(f"{where}: examples must be a non-empty list of sentence indices, got {examples!r:.60}")
    for i in examples:
        check_positive_int(where, "examples[...]", i, minimum=0)
        if i >= m:
            raise ValueError(f"{where}: examples must be indices below m = {m}, got {i}")
    example = examples[0] if example is None else example
    if example not in examples:
        raise ValueError(f"{where}: example must be one of examples, got {example!r}")
    T_max = int(max(data["lengths"][i] for i in examples))

    options = [(" ".join(data["tokens"][i]), int(i)) for i in examples]
    sentence = widgets.Dropdown(options=options, value=int(example), description="sentence",
                                layout=widgets.Layout(width="420px"))
    slider = widgets.IntSlider(value=min(t, int(data["lengths"][example])), min=1,
                               max=int(data["lengths"][example]), description="word t",
                               continuous_update=True)

    fig, axes = new_figure(2, 1, figsize=(7.5, 4.4), sharex=True)
    # The layout stays still while the controls move (the explorer then redraws only what changes):
    # room for the longest sentence, the words as texts under the bars, and short changing texts.
    bars, notes = {}, {}
    for ax, name, label in zip(axes, ("uni", "bi"), ("unidirectional", "bidirectional")):
        bars[name] = ax.bar(np.arange(T_max), np.zeros(T_max), color="C0", edgecolor="k", linewidth=0)
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("share of influence")
        ax.set_title(label, fontsize=10, loc="left")
        notes[name] = ax.text(1.0, 1.0, "", transform=ax.title.get_transform(), ha="right", va="baseline",
                              fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        ax.set_axisbelow(True)     # the grid behind the bars, as the fast redraw draws them
    ax_bottom = axes[1]
    ax_bottom.set_xlim(-0.6, T_max - 0.4)
    ax_bottom.set_xticks([])
    under = blended_transform_factory(ax_bottom.transData, ax_bottom.transAxes)
    words = [ax_bottom.text(k, -0.04, "", transform=under, ha="center", va="top", fontsize=9)
             for k in range(T_max)]
    ax_bottom.set_xlabel(" ", fontsize=9)     # the room of one line of tick labels, for the words
    fig.tight_layout()

    def show_words(i):
        tokens = data["tokens"][i]
        for k, text in enumerate(words):
            text.set_visible(k < len(tokens))
            text.set_text(tokens[k] if k < len(tokens) else "")

    # the words under the bars depend only on the sentence: drawn once per sentence, then pasted
    word_row = CachedDrawing(ax_bottom, words, show_words, int(example), states=[int(i) for i in examples])

    def compute(sentence, t):
        i = int(sentence)
        T_i = int(data["lengths"][i])
        t = int(min(max(t, 1), T_i))
        view = influence_view(uni, bi, data["x"][:, i:i + 1, :T_i], t, data["tokens"][i])
        view["tag"] = int(data["y"][i, t - 1])
        view["sentence"] = i
        return view

    def draw(v):
        T_i = len(v["tokens"])
        for name in ("uni", "bi"):
            for k, bar in enumerate(bars[name]):
                visible = k < T_i
                bar.set_visible(visible)
                if not visible:
                    continue
                bar.set_height(v[f"{name}_share"][k])
                bar.set_facecolor("C1" if k > v["index"] else "C0")
                bar.set_linewidth(2.0 if k == v["index"] else 0.0)
            notes[name].set_text(_influence_note(v[f"p_{name}"], v[name].sum(), v[f"future_{name}"]))
        word_row.show(v["sentence"])

    def describe(v):
        truth = "part of a name" if v["tag"] else "not a name"
        return (f"word {v['t']} = '{v['tokens'][v['index']]}' ({truth}). Blue: words up to t, "
                f"orange: words after t, outlined: word t.")

    explorer = Explorer("how much each word moves the prediction at word t, uni- vs bidirectional",
                        {"sentence": sentence, "t": slider}, fig, compute, draw, describe)
    explorer.link_max("sentence", "t", lambda i: int(data["lengths"][i]))   # t spans the chosen sentence
    explorer.word_row = word_row     # the cached words under the bars (its state: the sentence)
    return explorer


# ----------------------------------------------------------------------------------------------
# streaming: the answer for word t, as the words arrive one by one
# ----------------------------------------------------------------------------------------------

def streaming_probabilities(network, x, cls=1):
    """P(class ``cls`` at word t) after reading only the first s words, for every s and t <= s.

    Parameters
    ----------
    network : dict from init_network
    x : ndarray (n_x, 1, T), one sentence, no padding.
    cls : int, the class whose probability is reported.

    Returns
    -------
    P : ndarray (T, T); P[s - 1, t - 1] = P(cls at word t | words 1..s) for t <= s, NaN for t > s.
        Row s - 1 is what the network says once word s has arrived; the last row is the full sentence.
    """
    where = "streaming_probabilities"
    network = _check_network(where, network)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, 1, T)")
    check_shape(where, "x", x, (None, 1, None), "(n_x, 1, T)", "(one sentence)")
    cls = check_positive_int(where, "cls", cls, minimum=0)
    T = x.shape[2]
    P = np.full((T, T), np.nan)
    for s in range(1, T + 1):
        p = network_probabilities(network, x[:, :, :s])
        if cls >= p.shape[0]:
            raise ValueError(f"{where}: cls must be a class index below n_y = {p.shape[0]}, got {cls}")
        P[s - 1, :s] = p[cls, 0, :]
    return P


def plot_streaming(P_uni, P_bi, tokens, title="P(name) for each word as the words arrive"):
    """Two heatmaps (uni, bi) of ``streaming_probabilities``: rows = words read so far, columns = word t.

    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    where = "plot_streaming"
    P_uni = as_float_array(where, "P_uni", P_uni)
    P_bi = as_float_array(where, "P_bi", P_bi)
    T = len(tokens)
    check_shape(where, "P_uni", P_uni, (T, T), "(T, T)", f"to match {T} tokens")
    check_shape(where, "P_bi", P_bi, (T, T), "(T, T)", f"to match {T} tokens")
    fig, axes = new_figure(1, 2, figsize=(10.0, 3.8))
    for ax, P, label in zip(axes, (P_uni, P_bi), ("unidirectional", "bidirectional")):
        image = ax.imshow(np.ma.masked_invalid(P), cmap="viridis", vmin=0, vmax=1, interpolation="nearest")
        for s in range(T):
            for t in range(s + 1):
                ax.text(t, s, f"{P[s, t]:.2f}", ha="center", va="center", fontsize=7,
                        color="w" if P[s, t] < 0.6 else "k")
        ax.set_xticks(np.arange(T))
        ax.set_xticklabels(tokens, rotation=45, ha="right", fontsize=8)
        ax.set_yticks(np.arange(T))
        ax.set_yticklabels([f"after '{w}'" for w in tokens], fontsize=8)
        ax.set_xlabel("prediction for word t")
        ax.set_title(label, fontsize=10)
    axes[0].set_ylabel("words read so far")
    fig.colorbar(image, ax=axes, fraction=0.03)
    fig.suptitle(title, fontsize=10)
    return fig


# ----------------------------------------------------------------------------------------------
# figures and text of notebook 10
# ----------------------------------------------------------------------------------------------

def plot_accuracy_by_role(results: dict, title="tagging accuracy on the test sentences, by kind of word"):
    """Grouped bars: accuracy of each model (dict label -> accuracy_by_role dict) for every word role.

    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    where = "plot_accuracy_by_role"
    if not isinstance(results, dict) or not results:
        raise ValueError(f"{where}: results must be a non-empty dict label -> accuracy_by_role dict")
    groups = list(next(iter(results.values())).keys())
    for label, acc in results.items():
        if not isinstance(acc, dict) or list(acc.keys()) != groups:
            raise ValueError(f"{where}: results[{label!r}] must be an accuracy_by_role dict with keys {groups}")
    fig, ax = new_figure(figsize=(7.5, 3.2))
    width = 0.8 / len(results)
    for j, (label, acc) in enumerate(results.items()):
        xs = np.arange(len(groups)) + (j - (len(results) - 1) / 2) * width
        values = [acc[g] for g in groups]
        ax.bar(xs, values, width=width, label=label, color=f"C{j}")
        for xv, v in zip(xs, values):
            ax.text(xv, v + 0.02, f"{v:.2f}", ha="center", fontsize=8)
    ax.axhline(0.5, color="0.4", ls="--", lw=1, label="a coin")
    ax.set_xticks(np.arange(len(groups)))
    ax.set_xticklabels(groups)
    ax.set_ylim(0, 1.12)
    ax.set_ylabel("accuracy")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    return fig


def format_tagged_sentence(tokens, tags, p_uni, p_bi) -> str:
    """A small table: each word, its true tag, and P(name) of the uni- and bidirectional model.

    A probability on the wrong side of 0.5 is marked with "x". Probabilities are rounded to 2 decimals.
    """
    where = "format_tagged_sentence"
    n = len(tokens)
    if not (len(tags) == len(p_uni) == len(p_bi) == n):
        raise ValueError(f"{where}: tokens, tags, p_uni and p_bi must have one entry per word ({n}), "
                         f"got {len(tags)}, {len(p_uni)}, {len(p_bi)}")
    width = max(4, max(len(w) for w in tokens))
    lines = [f"{'word':<{width}}  tag   P(name) uni   P(name) bi"]
    for w, tag, pu, pb in zip(tokens, tags, p_uni, p_bi):
        mark_u = " " if (pu > 0.5) == bool(tag) else "x"
        mark_b = " " if (pb > 0.5) == bool(tag) else "x"
        lines.append(f"{w:<{width}}  {int(tag)}     {pu:5.2f} {mark_u}       {pb:5.2f} {mark_b}")
    return "\n".join(lines)


def brnn_computation_order(T: int) -> list:
    """One valid order in which a BRNN of T steps can compute its nodes (a topological order).

    The forward chain a_fwd<1> .. a_fwd<T> left to right, then the backward chain a_bwd<T> .. a_bwd<1>
    right to left, then the outputs y_hat<1> .. y_hat<T>. Every node comes after all the nodes it reads,
    which is possible only because the graph has no cycle.

    Returns
    -------
    order : list of (kind, t) with kind in {"fwd", "bwd", "y"} and t in 1 .. T.
    """
    T = check_positive_int("brnn_computation_order", "T", T)
    return ([("fwd", t) for t in range(1, T + 1)] + [("bwd", t) for t in range(T, 0, -1)]
            + [("y", t) for t in range(1, T + 1)])


def _brnn_edges(T):
    """The edges (source, target) of the BRNN graph, nodes written (kind, t)."""
    edges = []
    for t in range(1, T + 1):
        edges += [(("x", t), ("fwd", t)), (("x", t), ("bwd", t)), (("fwd", t), ("y", t)), (("bwd", t), ("y", t))]
        if t > 1:
            edges.append((("fwd", t - 1), ("fwd", t)))
        if t < T:
            edges.append((("bwd", t + 1), ("bwd", t)))
    return edges


def plot_brnn_graph(T: int = 4):
    """The BRNN's computation graph, each node numbered in the order of ``brnn_computation_order``.

    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    T = check_positive_int("plot_brnn_graph", "T", T)
    order = {node: k + 1 for k, node in enumerate(brnn_computation_order(T))}
    rows = {"x": 0.0, "fwd": 1.0, "bwd": 2.0, "y": 3.0}
    labels = {"x": "x", "fwd": r"\overrightarrow{a}", "bwd": r"\overleftarrow{a}", "y": r"\hat{y}"}
    colors = {"x": "0.85", "fwd": "#9ecae1", "bwd": "#fdae6b", "y": "#a1d99b"}
    fig, ax = new_figure(figsize=(1.6 * T + 1.5, 4.2))
    pos = {}
    for kind, yv in rows.items():
        for t in range(1, T + 1):
            pos[(kind, t)] = (1.6 * t, yv)
    for src, dst in _brnn_edges(T):
        (x0, y0), (x1, y1) = pos[src], pos[dst]
        rad = 0.0
        if src[0] == "fwd" and dst[0] == "y":
            rad = -0.35
        if src[0] == "x" and dst[0] == "bwd":
            rad = 0.35
        ax.annotate("", xy=(x1, y1), xytext=(x0, y0),
                    arrowprops=dict(arrowstyle="-|>", color="0.35", lw=1.0, shrinkA=13, shrinkB=13,
                                    connectionstyle=f"arc3,rad={rad}"))
    for node, (xv, yv) in pos.items():
        kind, t = node
        ax.scatter([xv], [yv], s=900, color=colors[kind], edgecolors="k", zorder=3)
        ax.text(xv, yv, f"${labels[kind]}^{{\\langle {t} \\rangle}}$", ha="center", va="center", fontsize=10,
                zorder=4)
        if kind != "x":
            ax.text(xv + 0.32, yv + 0.25, str(order[node]), fontsize=8, color="C3", zorder=4)
    ax.set_xlim(0.8, 1.6 * T + 0.8)
    ax.set_ylim(-0.5, 3.5)
    ax.axis("off")
    ax.set_title("BRNN computation graph (red numbers: one order in which every node can be computed)",
                 fontsize=9)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# gradient checks of the bidirectional and the deep backward passes
# ----------------------------------------------------------------------------------------------

def _perturbed(tree, rng, scale):
    """A copy of a parameter tree with every array moved by scale * N(0, 1) (non-zero biases)."""
    return _rebuild(tree, lambda p, v: v + scale * rng.normal(size=np.shape(v)))


def _network_gradient_check(where, network, n_x, m, T, seed):
    rng = np.random.default_rng(seed + 1)
    params = _perturbed(network["parameters"], rng, 0.8)
    x = rng.normal(size=(n_x, m, T))
    n_y = params["Wy"].shape[0]
    y = rng.integers(0, n_y, size=(m, T))
    paths = [p for p, _ in _leaves(params)]
    inputs = {_name(p): _get(params, p) for p in paths}
    inputs["x"] = x

    def unpack(flat):
        net = dict(network)
        net["parameters"] = _rebuild(params, lambda p, _: flat[_name(p)])
        return net

    def loss(flat):
        z, _ = _forward(unpack(flat), flat["x"])
        return softmax_cross_entropy(z, y, reduction="sum")[0]

    net = unpack(inputs)
    z, cache = _forward(net, x)
    _, dz = softmax_cross_entropy(z, y, reduction="sum")
    g = _backward(net, dz, cache)
    analytic = {_name(p): _get(g, _grad_path(p)) for p in paths}
    analytic["x"] = g["dx"]
    # step 1e-5: some gate gradients are ~1e-5, and the rounding noise of a centred difference grows like
    # 1 / eps (a 1e-6 step would swamp them); its truncation error, ~eps**2, stays far below 1e-7
    return gradient_check(loss, inputs, analytic, eps=1e-5)


def brnn_gradient_check(cell="rnn", seed=0, n_x=3, n_a=4, n_y=3, m=2, T=4) -> dict:
    """Check brnn_backward against centred finite differences, for every parameter and the input.

    The loss is the softmax cross-entropy (summed) of random labels on the scores of brnn_forward, with
    every parameter moved off its initialisation by 0.8 N(0, 1) (biases non-zero, gates away from 1/2),
    in float64; the centred differences use the step 1e-5.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    seed : int >= 0
    n_x, n_a, n_y, m, T : int, the sizes (n_y >= 2).

    Returns
    -------
    errors : dict name -> relative error: "forward/Wax", ..., "backward/...", "Wy", "by", "x".
    """
    where = "brnn_gradient_check"
    check_choice(where, "cell", cell, CELL_KINDS)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    n_x, n_a, m, T = (check_positive_int(where, k, v) for k, v in (("n_x", n_x), ("n_a", n_a), ("m", m), ("T", T)))
    n_y = check_positive_int(where, "n_y", n_y, minimum=2)
    network = init_network("bi", n_x, n_a, n_y, cell=cell, seed=seed)
    return _network_gradient_check(where, network, n_x, m, T, seed)


def deep_gradient_check(cell="rnn", n_layers=2, bidirectional=False, head_sizes=(), seed=0, n_x=3, n_a=3,
                        n_y=3, m=2, T=4) -> dict:
    """Check deep_rnn_backward against centred finite differences, for every parameter and the input.

    Same loss as ``brnn_gradient_check``, on the scores of deep_rnn_forward.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    n_layers : int >= 1
    bidirectional : bool
    head_sizes : tuple of int, the non-recurrent head
    seed : int >= 0
    n_x, n_a, n_y, m, T : int, the sizes (n_y >= 2).

    Returns
    -------
    errors : dict name -> relative error, e.g. "layers/0/Wax", "layers/1/forward/Wc", "head/0/V", "Wy", "x".
    """
    where = "deep_gradient_check"
    check_choice(where, "cell", cell, CELL_KINDS)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    n_x, n_a, m, T = (check_positive_int(where, k, v) for k, v in (("n_x", n_x), ("n_a", n_a), ("m", m), ("T", T)))
    n_y = check_positive_int(where, "n_y", n_y, minimum=2)
    network = init_network("deep", n_x, n_a, n_y, cell=cell, seed=seed, n_layers=n_layers,
                           bidirectional=bidirectional, head_sizes=head_sizes)
    return _network_gradient_check(where, network, n_x, m, T, seed)


# ----------------------------------------------------------------------------------------------
# notebook 11: what depth costs
# ----------------------------------------------------------------------------------------------

def depth_costs(cell="rnn", layers=(1, 2, 3), n_x=100, n_a=64, n_y=10, T=50, m=16, repeats=3,
                timing=True) -> list:
    """Parameters, work and (optionally) time per step of deep networks of 1, 2, 3, ... layers.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    layers : tuple of int >= 1, the depths to measure.
    n_x, n_a, n_y : int >= 1, the sizes (n_a units in every layer).
    T, m : int >= 1, steps and batch size of the timed sequence.
    repeats : int >= 1, timed runs of forward + backward (the median is reported).
    timing : bool, measure the time (False: only the counts, which do not depend on the machine).

    Returns
    -------
    rows : list of dicts with n_layers, parameters (count_parameters of the network), cell_steps
        (L * T: cell evaluations per sequence), stored (numbers of the states a^[l]<t> kept for
        backpropagation: L * T * n_a * m), and ms_per_step (median wall time of forward + backward
        divided by T; NaN if timing is False).
    """
    where = "depth_costs"
    check_choice(where, "cell", cell, CELL_KINDS)
    if isinstance(layers, (str, bytes)) or not isinstance(layers, (list, tuple)) or not layers:
        raise ValueError(f"{where}: layers must be a non-empty tuple of ints >= 1, got {layers!r}")
    layers = [check_positive_int(where, "layers[...]", L) for L in layers]
    n_x, n_a, T, m = (check_positive_int(where, k, v) for k, v in (("n_x", n_x), ("n_a", n_a), ("T", T), ("m", m)))
    n_y = check_positive_int(where, "n_y", n_y, minimum=2)
    repeats = check_positive_int(where, "repeats", repeats)
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n_x, m, T))
    dz = rng.normal(size=(n_y, m, T))
    rows = []
    for L in layers:
        net = init_network("deep", n_x, n_a, n_y, cell=cell, seed=0, n_layers=L)
        ms = float("nan")
        if timing:
            times = []
            for k in range(repeats + 1):
                start = time.perf_counter()
                _, cache = _forward(net, x)
                _backward(net, dz, cache)
                if k:
                    times.append(time.perf_counter() - start)
            ms = 1000.0 * float(np.median(times)) / T
        rows.append({"n_layers": L, "parameters": count_parameters(net["parameters"]), "cell_steps": L * T,
                     "stored": L * T * n_a * m, "ms_per_step": ms})
    return rows


def plot_depth_costs(rows, title="what each extra layer costs"):
    """Bars of the parameter count and the time per step (if measured) against the number of layers.

    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    where = "plot_depth_costs"
    if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(r, dict) for r in rows):
        raise ValueError(f"{where}: rows must be the non-empty list of dicts of depth_costs")
    L = [r["n_layers"] for r in rows]
    timed = all(np.isfinite(r["ms_per_step"]) for r in rows)
    fig, axes = new_figure(1, 2 if timed else 1, figsize=(8.0 if timed else 4.2, 2.8))
    axes = np.atleast_1d(axes)
    axes[0].bar([str(v) for v in L], [r["parameters"] for r in rows], color="C0")
    axes[0].set_xlabel("layers")
    axes[0].set_ylabel("parameters")
    if timed:
        axes[1].bar([str(v) for v in L], [r["ms_per_step"] for r in rows], color="C1")
        axes[1].set_xlabel("layers")
        axes[1].set_ylabel("ms per time step (fwd + bwd)")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_deep_grid(n_layers: int = 3, T: int = 4, highlight=(2, 3)):
    """The grid of a deep RNN's activations a^[l]<t>, with the two inputs of one node highlighted.

    Parameters
    ----------
    n_layers : int >= 1; T : int >= 1
    highlight : (l, t), 1-based; its inputs a^[l]<t-1> (from the left) and a^[l-1]<t> (from below,
        x<t> if l = 1) are drawn in red.

    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    where = "plot_deep_grid"
    n_layers = check_positive_int(where, "n_layers", n_layers)
    T = check_positive_int(where, "T", T)
    if not (isinstance(highlight, (tuple, list)) and len(highlight) == 2):
        raise ValueError(f"{where}: highlight must be a pair (l, t), got {highlight!r}")
    hl, ht = (check_positive_int(where, n, v) for n, v in zip(("highlight[0]", "highlight[1]"), highlight))
    if hl > n_layers or ht > T:
        raise ValueError(f"{where}: highlight must lie in the grid (l <= {n_layers}, t <= {T}), got {highlight!r}")
    fig, ax = new_figure(figsize=(1.5 * T + 1.8, 1.05 * n_layers + 2.0))

    def arrow(p0, p1, red):
        ax.annotate("", xy=p1, xytext=p0, arrowprops=dict(arrowstyle="-|>", lw=2.0 if red else 0.9,
                                                          color="C3" if red else "0.5", shrinkA=14, shrinkB=14))

    for t in range(0, T + 1):
        for level in range(0, n_layers + 2):
            xy = (1.5 * t, 1.05 * level)
            if t == 0 and level in (0, n_layers + 1):
                continue
            if level == 0:
                text, color = f"$x^{{\\langle {t} \\rangle}}$", "0.85"
            elif level == n_layers + 1:
                text, color = f"$\\hat y^{{\\langle {t} \\rangle}}$", "#a1d99b"
            else:
                text = f"$a^{{[{level}]\\langle {t} \\rangle}}$"
                color = "#fcbba1" if (level, t) == (hl, ht) else ("0.95" if t == 0 else "#9ecae1")
            ax.scatter([xy[0]], [xy[1]], s=1100, color=color, edgecolors="k", zorder=3)
            ax.text(*xy, text, ha="center", va="center", fontsize=8, zorder=4)
            if t >= 1 and 1 <= level <= n_layers + 1:
                arrow((xy[0], xy[1] - 1.05), xy, red=(level, t) == (hl, ht))
            if t >= 1 and 1 <= level <= n_layers:
                arrow((xy[0] - 1.5, xy[1]), xy, red=(level, t) == (hl, ht))
    ax.set_xlim(-0.8, 1.5 * T + 0.8)
    ax.set_ylim(-0.6, 1.05 * (n_layers + 1) + 0.6)
    ax.axis("off")
    ax.set_title(f"a deep RNN with {n_layers} layers: $a^{{[{hl}]\\langle {ht} \\rangle}}$ reads the two red arrows",
                 fontsize=9)
    fig.tight_layout()
    return fig
