"""Plots and explorers of the two opening notebooks (00 course map, 01 why sequence models).

What they show:

    slider demo        a = tanh(w z + b): w scales the slope at z = -b/w, b shifts the curve;
                       the slope at z = 0 is  da/dz = w (1 - tanh(b)^2)
    tokenizer          text -> tokens -> indices in a top-k vocabulary -> one-hot matrix X (n_x, T_x),
                       x<t>_j = 1 if j == index(token<t>) else 0; words outside the top k become <UNK>
    parameter counts   a dense first layer that reads all T_x one-hot words at once has
                       T_x n_x n_units + n_units parameters; an RNN layer has
                       n_a n_x (W_ax) + n_a n_a (W_aa) + n_a (b_a), the same for every T_x

Static figures are shown with ``explorer.show_figure`` (re-exported here).
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.transforms import blended_transform_factory

from .._checks import check_positive_int
from .explorer import Explorer, figure_bundle, new_figure, show_figure  # noqa: F401 (re-exported)
from ..tasks.text import Vocabulary, one_hot, tokenize_words

__all__ = [
    "figure_bundle",
    "show_figure",
    "tanh_curve",
    "tanh_explorer",
    "tokenizer_view",
    "tokenizer_explorer",
    "dense_first_layer_parameters",
    "rnn_layer_parameters",
    "plot_parameter_counts",
    "plot_token_counts",
]


# -- notebook 00: a first slider -----------------------------------------------------------------
def tanh_curve(w: float, b: float, z=None) -> dict:
    """a = tanh(w z + b) on a grid of z.

    Parameters
    ----------
    w, b : float, the weight and the bias.
    z : ndarray (n,), optional; default 201 points in [-3, 3].

    Returns
    -------
    dict with z (n,), a (n,), a0 = tanh(b) (the value at z = 0) and slope0 = w (1 - tanh(b)^2)
    (the derivative da/dz at z = 0).
    """
    for name, value in (("w", w), ("b", b)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)) \
                or not np.isfinite(value):
            raise ValueError(f"tanh_curve: {name} must be a finite number, got {value!r}")
    z = np.linspace(-3.0, 3.0, 201) if z is None else np.asarray(z, dtype=np.float64)
    a0 = float(np.tanh(b))
    return {"z": z, "a": np.tanh(w * z + b), "a0": a0, "slope0": float(w * (1.0 - a0 * a0))}


def tanh_explorer(w: float = 1.0, b: float = 0.0) -> Explorer:
    """Two sliders (w, b) and the curve a = tanh(w z + b), redrawn in place.

    The initial values ``w`` in [-3, 3] and ``b`` in [-2, 2] set the sliders.
    """
    fig, ax = new_figure(figsize=(6.5, 2.8))
    first = tanh_curve(w, b)
    (line,) = ax.plot(first["z"], first["a"], lw=2, color="C0")
    (dot,) = ax.plot([0.0], [first["a0"]], "o", color="C3")
    label = ax.text(-2.9, 0.75, "", fontsize=10)
    ax.axhline(0, color="0.8", lw=0.8)
    ax.axvline(0, color="0.8", lw=0.8)
    ax.set_xlim(-3, 3)
    ax.set_ylim(-1.1, 1.1)
    ax.set_xlabel("z")
    ax.set_ylabel("a = tanh(w z + b)")
    fig.tight_layout()

    def draw(r):
        line.set_ydata(r["a"])
        dot.set_ydata([r["a0"]])
        label.set_text(f"a(0) = {r['a0']:+.2f}   slope at 0 = {r['slope0']:+.2f}")

    controls = {
        "w": widgets.FloatSlider(value=w, min=-3.0, max=3.0, step=0.1, description="w"),
        "b": widgets.FloatSlider(value=b, min=-2.0, max=2.0, step=0.1, description="b"),
    }
    return Explorer("the curve a = tanh(w z + b) for the weight w and bias b on the sliders", controls, fig,
                    tanh_curve, draw,
                    describe=lambda r: f"a(0) = tanh(b) = {r['a0']:.2f}, slope at 0 = {r['slope0']:.2f}")


# -- notebook 01: the tokenizer ------------------------------------------------------------------
def tokenizer_view(vocab: Vocabulary, text: str, *, eos: bool = False, max_len: int = 12,
                   n_rows=None) -> dict:
    """Everything the tokenizer explorer shows for one sentence (pure: no drawing).

    The sentence is split with ``tokenize_words(text, punctuation="drop", eos=eos)``, encoded with
    ``vocab`` (unknown words -> "<UNK>"), and the one-hot matrix of the first ``max_len`` tokens is
    placed in a fixed-size image (shorter sentences leave empty padding columns on the right).

    Parameters
    ----------
    vocab : Vocabulary
    text : str
    eos : bool, append "<EOS>".
    max_len : int >= 1, the number of columns of the image.
    n_rows : int >= len(vocab) or None, the number of rows of the image (default len(vocab)), so
        that vocabularies of different sizes can share one picture.

    Returns
    -------
    dict with
        tokens : list of str (T_x)         indices : ndarray (T_x,) int
        unknown : list of (t, word) mapped to <UNK> (t counted from 0)
        T : int, T_x                        shown : int, min(T_x, max_len)
        cropped : int, tokens not shown     vocab_size : int, len(vocab)
        image : ndarray (n_rows, max_len) float64, the one-hot columns of the shown tokens, zeros elsewhere
        labels : list of max_len str, "token (index)" per column, "" for padding
    """
    where = "tokenizer_view"
    if not isinstance(vocab, Vocabulary):
        raise ValueError(f"{where}: vocab must be a Vocabulary, got {type(vocab).__name__}")
    max_len = check_positive_int(where, "max_len", max_len)
    n_rows = len(vocab) if n_rows is None else check_positive_int(where, "n_rows", n_rows, minimum=len(vocab))
    tokens = tokenize_words(text, punctuation="drop", eos=eos)
    indices = vocab.encode(tokens)
    T = len(tokens)
    shown = min(T, max_len)
    image = np.zeros((n_rows, max_len))
    if shown:
        image[:, :shown] = one_hot(indices[:shown], n_rows)
    labels = [f"{tokens[t]} ({indices[t]})" for t in range(shown)] + [""] * (max_len - shown)
    return {"tokens": tokens, "indices": indices, "unknown": vocab.unknown(tokens), "T": T, "shown": shown,
            "cropped": T - shown, "vocab_size": len(vocab), "image": image, "labels": labels}


def tokenizer_explorer(corpus, text: str = "", *, k: int = 20, max_k=None, eos: bool = False,
                       max_len: int = 12) -> Explorer:
    """Type a sentence; see its tokens, their indices, the <UNK> hits and the one-hot matrix.

    Parameters
    ----------
    corpus : list of lists of str, the tokenised corpus the vocabulary is built from
        (word tokens, punctuation dropped, as ``tokenize_words(..., punctuation="drop")`` gives).
    text : str, the initial sentence.
    k : int, the initial vocabulary size (top-k words by frequency, ties alphabetical).
    max_k : int or None, the largest k on the slider (default: the number of distinct words, at most 30).
    eos : bool, the initial state of the "add <EOS>" box.
    max_len : int, columns of the one-hot image; longer sentences are cropped (and the title says so).

    The rows of the image are the vocabulary for ``max_k`` (specials first, then by frequency);
    the vocabulary for a smaller k is its first rows, and the rows it leaves out are greyed.
    Controls: ``text`` (Text), ``k`` (IntSlider), ``eos`` (Checkbox).
    """
    where = "tokenizer_explorer"
    full = Vocabulary.from_tokens(corpus)
    n_words = len(full) - len(full.specials)
    max_k = min(n_words, 30) if max_k is None else check_positive_int(where, "max_k", max_k)
    max_k = min(max_k, n_words)
    k = check_positive_int(where, "k", k)
    if k > max_k:
        raise ValueError(f"{where}: k must be <= max_k = {max_k}, got {k}")
    max_len = check_positive_int(where, "max_len", max_len)
    vocabs = {}

    def vocab_for(kk):
        if kk not in vocabs:
            vocabs[kk] = Vocabulary.from_tokens(corpus, kk)
        return vocabs[kk]

    top = vocab_for(max_k)
    n_rows = len(top)
    n_special = len(top.specials)

    fig, ax = new_figure(figsize=(7.2, 4.8))
    im = ax.imshow(np.zeros((n_rows, max_len)), cmap="Greys", vmin=0.0, vmax=1.0, aspect="auto",
                   interpolation="none")
    # Row labels as plain texts rather than tick labels: the same picture, drawn faster (no tick machinery).
    ax.set_xticks([])
    ax.set_yticks([])
    rows = blended_transform_factory(ax.transAxes, ax.transData)
    row_text = [ax.text(-0.01, i, f"{i:2d} {tok}", transform=rows, ha="right", va="center", fontsize=7,
                        family="monospace") for i, tok in enumerate(top.itos)]
    ax.vlines(np.arange(0.5, max_len - 1, 1.0), -0.5, n_rows - 0.5, color="0.85", lw=0.5)
    ax.hlines(np.arange(0.5, n_rows - 1, 1.0), -0.5, max_len - 0.5, color="0.85", lw=0.5)
    ax.axhline(n_special - 0.5, color="C0", lw=1.0)
    outside = Rectangle((-0.5, n_rows - 0.5), max_len, 0.0, facecolor="0.6", alpha=0.35, edgecolor="none")
    padding = Rectangle((max_len - 0.5, -0.5), 0.0, n_rows, facecolor="C0", alpha=0.15, edgecolor="none")
    ax.add_patch(outside)
    ax.add_patch(padding)
    outside_text = ax.text(max_len / 2 - 0.5, n_rows - 1, "", ha="center", va="center", fontsize=8, color="0.2")
    padding_text = ax.text(max_len - 1, n_rows / 2, "", ha="center", va="center", rotation=90, fontsize=8,
                           color="C0")
    col_text = [ax.text(t, -0.8, "", rotation=50, ha="left", va="bottom", fontsize=7) for t in range(max_len)]
    title = ax.text(0.01, 0.985, "", transform=fig.transFigure, ha="left", va="top", fontsize=9)
    fig.subplots_adjust(left=0.17, right=0.93, top=0.8, bottom=0.03)

    def compute(text, k, eos):
        return tokenizer_view(vocab_for(k), text, eos=eos, max_len=max_len, n_rows=n_rows)

    def draw(r):
        im.set_data(r["image"])
        vs, shown = r["vocab_size"], r["shown"]
        outside.set_y(vs - 0.5)
        outside.set_height(n_rows - vs)
        outside_text.set_position((max_len / 2 - 0.5, (vs + n_rows - 1) / 2))
        outside_text.set_text(f"not in the vocabulary at k = {vs - n_special}" if vs < n_rows else "")
        padding.set_x(shown - 0.5)
        padding.set_width(max_len - shown)
        padding_text.set_position(((shown + max_len - 1) / 2, n_rows / 2))
        padding_text.set_text("padding (no token)" if shown < max_len else "")
        unknown_at = {t for t, _ in r["unknown"]}
        for t, txt in enumerate(col_text):
            txt.set_text(r["labels"][t])
            txt.set_color("C3" if t in unknown_at else "black")
        crop = f", {r['cropped']} more not shown (max {max_len})" if r["cropped"] else ""
        title.set_text(f"T_x = {r['T']} tokens{crop}   |   vocabulary: {vs} entries   |   "
                       f"<UNK> hits: {len(r['unknown'])} (red)")

    def describe(r):
        if not r["unknown"]:
            return "every word is in the vocabulary"
        words = ", ".join(w for _, w in r["unknown"])
        return f"mapped to <UNK>: {words}"

    controls = {
        "text": widgets.Text(value=text, description="sentence", continuous_update=True,
                             layout=widgets.Layout(width="420px")),
        "k": widgets.IntSlider(value=k, min=1, max=max_k, description="top k"),
        "eos": widgets.Checkbox(value=eos, description="add <EOS>", indent=False),
    }
    return Explorer("a sentence, its tokens and indices, and its one-hot matrix (rows: vocabulary, "
                    "columns: time steps)", controls, fig, compute, draw, describe=describe)


# -- notebook 01: why not a standard network ------------------------------------------------------
def dense_first_layer_parameters(T_x: int, n_x: int, n_units: int) -> int:
    """Parameters of a dense layer that reads all T_x one-hot vectors at once: T_x n_x n_units + n_units.

    Its input is the T_x columns x<1>, ..., x<T_x> (each n_x long) stacked into one vector of
    T_x n_x numbers, so its weight matrix is (n_units, T_x n_x), plus n_units biases.
    """
    where = "dense_first_layer_parameters"
    T_x = check_positive_int(where, "T_x", T_x)
    n_x = check_positive_int(where, "n_x", n_x)
    n_units = check_positive_int(where, "n_units", n_units)
    return T_x * n_x * n_units + n_units


def rnn_layer_parameters(n_x: int, n_a: int) -> int:
    """Parameters of one RNN layer, a<t> = g(W_aa a<t-1> + W_ax x<t> + b_a): n_a n_x + n_a n_a + n_a.

    W_ax (n_a, n_x), W_aa (n_a, n_a) and b_a (n_a, 1) are shared by every time step, so the count
    does not depend on T_x. (The output layer W_ya, b_y is left out, as for the dense layer.)
    """
    where = "rnn_layer_parameters"
    n_x = check_positive_int(where, "n_x", n_x)
    n_a = check_positive_int(where, "n_a", n_a)
    return n_a * n_x + n_a * n_a + n_a


def plot_parameter_counts(T_values, n_x: int = 10_000, n_units: int = 100):
    """Parameters of a dense first layer and of an RNN layer against the sentence length T_x.

    T_values : sequence of int >= 1, the lengths on the x axis.
    n_x : int, the vocabulary size; n_units : int, the hidden units (n_a for the RNN).
    Returns the figure (not displayed; pass it to ``show_figure``).
    """
    where = "plot_parameter_counts"
    T = np.asarray(T_values)
    if T.ndim != 1 or T.size == 0 or not np.issubdtype(T.dtype, np.integer) or (T < 1).any():
        raise ValueError(f"{where}: T_values must be a non-empty 1-D sequence of integers >= 1, got {T_values!r}")
    dense = [dense_first_layer_parameters(int(t), n_x, n_units) for t in T]
    rnn = rnn_layer_parameters(n_x, n_units)
    fig, ax = new_figure(figsize=(6.5, 3.2))
    ax.plot(T, dense, "o-", color="C3", label=f"dense layer on all T_x words ({n_units} units)")
    ax.plot(T, [rnn] * len(T), "s-", color="C0", label=f"RNN layer, shared over time (n_a = {n_units})")
    ax.set_ylim(0, 1.08 * max(dense))
    ax.yaxis.set_major_formatter(lambda value, pos: f"{value / 1e6:g}M")
    ax.set_xlabel("sentence length T_x (words)")
    ax.set_ylabel("parameters")
    ax.set_title(f"first-layer parameters, one-hot words with n_x = {n_x:,}", fontsize=10)
    ax.legend(fontsize=8, loc="upper left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_token_counts(vocab: Vocabulary, n: int = 25, k=None):
    """Horizontal bars of the n most frequent corpus tokens; those outside the top k are greyed.

    vocab : Vocabulary (its ``counts``); n : int, bars to draw; k : int or None, the cut-off to mark.
    Returns the figure (not displayed; pass it to ``show_figure``).
    """
    where = "plot_token_counts"
    if not isinstance(vocab, Vocabulary):
        raise ValueError(f"{where}: vocab must be a Vocabulary, got {type(vocab).__name__}")
    n = check_positive_int(where, "n", n)
    if k is not None:
        k = check_positive_int(where, "k", k)
    pairs = vocab.most_common(n)
    if not pairs:
        raise ValueError(f"{where}: vocab has no corpus counts to plot (build it with from_tokens or from_text)")
    words = [w for w, _ in pairs]
    counts = [c for _, c in pairs]
    colors = ["C0" if k is None or i < k else "0.7" for i in range(len(pairs))]
    fig, ax = new_figure(figsize=(6.5, 0.22 * len(pairs) + 1.0))
    y = np.arange(len(pairs))
    ax.barh(y, counts, color=colors)
    ax.set_yticks(y)
    ax.set_yticklabels(words, fontsize=8)
    ax.invert_yaxis()
    ax.set_xlabel("count in the corpus")
    if k is not None and k < len(pairs):
        ax.axhline(k - 0.5, color="C3", ls="--", lw=1)
        ax.text(max(counts), k - 0.3, f"top k = {k} above this line, <UNK> below", color="C3",
                ha="right", va="top", fontsize=8)
    ax.set_title(f"the {len(pairs)} most frequent words (ties in alphabetical order)", fontsize=10)
    fig.tight_layout()
    return fig
