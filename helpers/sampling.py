"""Sampling novel sequences from a trained language model, with a temperature.

A language model gives, at every step, a probability for each possible next token. Running it as a
generator means drawing the next token from that distribution and feeding the draw back in:

    x<1> = 0,  a<0> = 0
    for t = 1, 2, ...:
        y_hat<t> = softmax(z<t> / T)                          z<t> = Wy @ h<t> + by, T the temperature
        y<t> ~ y_hat<t>            (np.random.choice(V, p=y_hat<t>); here a seeded Generator's choice)
        stop if y<t> is <EOS>, or when the sequence has max_length tokens
        x<t+1> = one-hot(y<t>)

Temperature. Dividing the scores by T > 0 before the softmax keeps their order but changes how
peaked the distribution is: T = 1 is the model itself, T < 1 sharpens it (T -> 0 always picks the
most likely token), T > 1 flattens it (T -> infinity gives every token the same probability):

    p_k(T) = exp(z_k / T) / sum_j exp(z_j / T)

<UNK> rejection. A word model may draw <UNK>. With ``reject_unk`` every such draw is thrown away and
the token drawn again, as many times as needed. Rejecting and redrawing gives exactly the
distribution with <UNK> removed and the rest renormalised, p_k / (1 - p_UNK) for k != <UNK>.

Details that keep sampling safe: <PAD> is never drawn (it only fills batches; its probability is
set to 0), and the probabilities are divided by their sum in float64 just before every draw, so
rounding can never make them fail ``choice``'s check that they add up to 1. The small matrix products
run with one BLAS thread (``_blas.single_blas_thread``), which is faster for models this size.
"""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np
from matplotlib.transforms import ScaledTranslation

from ._checks import as_float_array, check_choice, check_finite, check_ndim, check_positive_int, told_as
from .explorer import Explorer, new_figure
from .language_model import LanguageModel, _one_blas_thread, initial_state, step, tokenize
from .text import EOS, UNK

__all__ = [
    "temperature_softmax",
    "entropy_bits",
    "encode_prefix",
    "next_token_probabilities",
    "sample",
    "fraction_new",
    "temperature_view",
    "temperature_explorer",
]


def _check_temperature(where: str, temperature) -> float:
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, (int, float, np.integer, np.floating)) \
            or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"{where}: temperature must be a finite number > 0 (1 is the model itself, "
                         f"below 1 sharper, above 1 flatter), got {temperature!r}")
    return float(temperature)


def _check_lm(where: str, lm) -> LanguageModel:
    if not isinstance(lm, LanguageModel):
        raise ValueError(f"{where}: lm must be a LanguageModel, got {type(lm).__name__}")
    return lm


def temperature_softmax(z, temperature: float = 1.0) -> np.ndarray:
    """Softmax of the scores divided by the temperature, over axis 0.

        p_k = exp(z_k / T) / sum_j exp(z_j / T)        computed as exp((z_k - max z) / T) / sum

    Parameters
    ----------
    z : ndarray (V,) or (V, m), scores (logits)
    temperature : float > 0

    Returns
    -------
    p : ndarray of the same shape; every column sums to 1. A very small T gives (almost) one-hot
        columns at the largest score, without overflow.
    """
    where = "temperature_softmax"
    temperature = _check_temperature(where, temperature)
    z = as_float_array(where, "z", z)
    if z.ndim not in (1, 2) or z.shape[0] == 0:
        raise ValueError(f"{where}: z must be 1-D (V,) or 2-D (V, m) with V >= 1, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{where}: z must hold only finite numbers")
    e = np.exp((z - z.max(axis=0, keepdims=True)) / temperature)
    return e / e.sum(axis=0, keepdims=True)


def entropy_bits(p) -> float:
    """Entropy of a probability vector in bits: H = -sum_k p_k log2 p_k (terms with p_k = 0 add 0).

    p : ndarray (V,), V >= 1, entries >= 0 that sum to 1. A uniform choice among n tokens has
        H = log2 n; a certain one has H = 0.
    """
    where = "entropy_bits"
    p = as_float_array(where, "p", p)
    check_ndim(where, "p", p, 1, "(V,)")
    if p.size == 0:
        raise ValueError(f"{where}: p is empty (shape (0,)); a distribution needs at least one entry")
    check_finite(where, "p", p)
    if p.min() < 0 or abs(p.sum() - 1.0) > 1e-6:
        raise ValueError(f"{where}: p must be a probability vector (entries >= 0 that sum to 1), got entries "
                         f"from {p.min():.4g} to {p.max():.4g} that sum to {p.sum():.6g}")
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


def encode_prefix(lm: LanguageModel, prefix, unknown: str = "error") -> list:
    """Tokens of a seed text that a sample should start with.

    Parameters
    ----------
    lm : LanguageModel
    prefix : str (tokenised at the model's level), list of str tokens, or None / "" (no prefix)
    unknown : {"error", "unk"}
        What to do with tokens the vocabulary does not know: "error" raises ValueError listing them
        (the default, so a typo is not silently replaced), "unk" feeds them as <UNK>.

    Returns
    -------
    tokens : list of str, unknown ones replaced by "<UNK>" when unknown="unk"
    """
    where = "encode_prefix"
    check_choice(where, "unknown", unknown, ("error", "unk"))
    if prefix is None or prefix == "":
        return []
    if isinstance(prefix, str):
        tokens = tokenize(prefix, lm.level)[0]
    elif isinstance(prefix, (list, tuple)) and all(isinstance(t, str) for t in prefix):
        tokens = list(prefix)
    else:
        raise ValueError(f"{where}: prefix must be a str or a list of str tokens, got {prefix!r:.60}")
    if EOS in tokens:
        raise ValueError(f"{where}: prefix must not contain <EOS> (the sequence would already be over)")
    unseen = lm.vocab.unknown(tokens)
    if unseen and unknown == "error":
        listed = ", ".join(repr(tok) for _, tok in unseen)
        raise ValueError(f"{where}: prefix {prefix!r:.40} holds token(s) the model's vocabulary does not have: "
                         f"{listed}; remove them, or pass unknown='unk' to feed them as <UNK>")
    return [UNK if tok not in lm.vocab else tok for tok in tokens]


def _default_max_length(lm: LanguageModel) -> int:
    """The longest sample by default: 30 characters or 20 words."""
    return 30 if lm.level == "char" else 20


def _run_prefix(lm: LanguageModel, tokens: list, m: int):
    """Feed x<1> = 0 and then the prefix tokens; return the scores of the next token and the state."""
    state = initial_state(lm, m)
    z, state = step(lm, None, state)
    for tok in tokens:
        z, state = step(lm, np.full(m, lm.vocab.index(tok)), state)
    return z, state


def _probabilities(lm: LanguageModel, z, temperature: float, reject_unk: bool = False) -> np.ndarray:
    """Sampling distribution(s): temperature softmax, <PAD> (and <UNK> if rejected) set to 0, renormalised."""
    p = temperature_softmax(z, temperature)
    p[lm.vocab.pad_index] = 0.0
    if reject_unk:
        p[lm.vocab.unk_index] = 0.0
    total = p.sum(axis=0, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("the model gives every allowed token probability 0 at this temperature")
    return p / total


@_one_blas_thread
@told_as("next_token_probabilities")
def next_token_probabilities(lm: LanguageModel, prefix=None, temperature: float = 1.0,
                             reject_unk: bool = False, unknown: str = "error") -> np.ndarray:
    """The distribution the sampler draws the next token from, after a prefix.

        p = softmax(z / T) with p[<PAD>] = 0 (and p[<UNK>] = 0 with reject_unk), renormalised,
        where z are the scores after feeding x<1> = 0 and then the prefix tokens.

    Parameters
    ----------
    lm : LanguageModel
    prefix : str, list of str, or None (the first token of a sequence)
    temperature : float > 0
    reject_unk : bool
    unknown : {"error", "unk"}, see ``encode_prefix``

    Returns
    -------
    p : ndarray (V,), indexed like ``lm.vocab``; sums to 1
    """
    where = "next_token_probabilities"
    lm = _check_lm(where, lm)
    temperature = _check_temperature(where, temperature)
    tokens = encode_prefix(lm, prefix, unknown)
    z, _ = _run_prefix(lm, tokens, 1)
    return _probabilities(lm, z[:, 0], temperature, bool(reject_unk))


@_one_blas_thread
def sample(lm: LanguageModel, n: int = 1, *, seed=0, temperature: float = 1.0, max_length=None,
           reject_unk: bool = False, prefix=None, unknown: str = "error", max_rejections: int = 1000) -> dict:
    """Draw n sequences from a language model, feeding every draw back as the next input.

    The n sequences are run side by side (one column each); at every step each unfinished sequence
    draws its token with ``rng.choice(V, p=...)``, in order, from one seeded ``np.random.default_rng``.

    Parameters
    ----------
    lm : LanguageModel
    n : int >= 1, how many sequences
    seed : int >= 0 or None; the same seed gives the same samples (None: fresh randomness)
    temperature : float > 0 (1: the model's own distribution)
    max_length : int >= 1 or None
        Stop a sequence when it has this many tokens (the prefix included, <EOS> not counted);
        default 30 for characters, 20 for words. Such a sequence has ended = False.
    reject_unk : bool
        Throw away every <UNK> that is drawn and draw again.
    prefix : str, list of str or None
        Tokens every sample starts with (they are fed, not drawn); returned as part of each sample.
    unknown : {"error", "unk"}, for prefix tokens the vocabulary does not have (``encode_prefix``)
    max_rejections : int >= 1
        With reject_unk, the most redraws of a single token before giving up with a ValueError (only
        a model that is almost sure of <UNK> gets there).

    Returns
    -------
    dict with
        tokens : list of n lists of str (without <EOS>)
        texts : list of n str (characters joined, or words joined by spaces)
        ended : ndarray (n,) bool, True if the sequence stopped at <EOS>
        n_unk : int, <UNK> tokens in the samples (0 with reject_unk)
        n_rejected : int, draws of <UNK> that were thrown away
    """
    where = "sample"
    lm = _check_lm(where, lm)
    n = check_positive_int(where, "n", n)
    if seed is not None:
        seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    temperature = _check_temperature(where, temperature)
    if max_length is None:
        max_length = _default_max_length(lm)
    max_length = check_positive_int(where, "max_length", max_length)
    max_rejections = check_positive_int(where, "max_rejections", max_rejections)
    if not isinstance(reject_unk, (bool, np.bool_)):
        raise ValueError(f"{where}: reject_unk must be True or False, got {reject_unk!r}")
    start = encode_prefix(lm, prefix, unknown)
    if len(start) > max_length:
        raise ValueError(f"{where}: prefix has {len(start)} tokens, more than max_length = {max_length} (the "
                         f"longest sample, prefix included); shorten the prefix or pass a larger max_length")

    rng = np.random.default_rng(seed)
    vocab, V = lm.vocab, lm.V
    tokens = [list(start) for _ in range(n)]
    ended = np.zeros(n, dtype=bool)
    n_rejected = 0
    z, state = _run_prefix(lm, start, n)
    for _ in range(max_length - len(start)):
        p = _probabilities(lm, z, temperature)
        drawn = np.full(n, vocab.eos_index)
        for i in np.flatnonzero(~ended):
            k = rng.choice(V, p=p[:, i])
            if reject_unk:
                tries = 0
                while k == vocab.unk_index:
                    tries += 1
                    if tries > max_rejections:
                        raise ValueError(f"{where}: drew <UNK> {max_rejections} times in a row (P(<UNK>) = "
                                         f"{p[vocab.unk_index, i]:.4f}); the model can hardly produce anything else")
                    k = rng.choice(V, p=p[:, i])
                n_rejected += tries
            drawn[i] = k
            if k == vocab.eos_index:
                ended[i] = True
            else:
                tokens[i].append(vocab.itos[k])
        if ended.all():
            break
        z, state = step(lm, drawn, state)
    texts = [lm.join(t) for t in tokens]
    n_unk = sum(t.count(UNK) for t in tokens) - (start.count(UNK) * n)
    return {"tokens": tokens, "texts": texts, "ended": ended, "n_unk": int(n_unk), "n_rejected": int(n_rejected)}


def fraction_new(texts, known) -> tuple:
    """How many texts are not in a known collection (e.g. the training set).

    Parameters
    ----------
    texts : list of str, known : iterable of str

    Returns
    -------
    (fraction, new) : the share of ``texts`` not in ``known`` (float in [0, 1]), and those texts in order
    """
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)) or not texts:
        raise ValueError(f"fraction_new: texts must be a non-empty list of str, got {texts!r:.60}")
    known = set(known)
    new = [t for t in texts if t not in known]
    return len(new) / len(texts), new


# ----------------------------------------------------------------------------------------------
# the temperature explorer
# ----------------------------------------------------------------------------------------------

@_one_blas_thread
@told_as("temperature_view")
def temperature_view(lm: LanguageModel, temperature: float = 1.0, prefix: str = "", n: int = 10, seed: int = 0,
                     known=()) -> dict:
    """Everything the temperature explorer shows, for one setting of its controls.

    Parameters
    ----------
    lm : LanguageModel (character level, usually)
    temperature : float > 0
    prefix : str, the start of the sequence; unknown characters are read as <UNK> and listed
    n : int >= 1, samples to draw
    seed : int >= 0
    known : iterable of str, texts that count as "not new" (the training set)

    Returns
    -------
    dict with
        labels : list of str, the tokens on the bar axis (the vocabulary without <PAD>)
        probs : ndarray (len(labels),), P(next token | prefix) at this temperature
        probs_model : ndarray, the same at T = 1
        entropy, entropy_model : float, their entropies in bits
        top : str, the most likely next token
        samples : list of n str, new : list of n bool, fraction_new : float, mean_length : float
        unknown : list of (t, token) of the prefix read as <UNK>
        temperature, prefix, seed
    """
    where = "temperature_view"
    lm = _check_lm(where, lm)
    temperature = _check_temperature(where, temperature)
    if not isinstance(prefix, str):
        raise ValueError(f"{where}: prefix must be a str, got {type(prefix).__name__}")
    unknown = lm.vocab.unknown(tokenize(prefix, lm.level)[0]) if prefix else []
    keep = [i for i in range(lm.V) if i != lm.vocab.pad_index]
    start = encode_prefix(lm, prefix, "unk")
    longest = _default_max_length(lm)
    if len(start) > longest:
        unit = "characters" if lm.level == "char" else "words"
        raise ValueError(f"{where}: prefix has {len(start)} {unit}, more than the {longest} a sample holds; "
                         f"shorten it")
    z, _ = _run_prefix(lm, start, 1)
    probs = _probabilities(lm, z[:, 0], temperature)[keep]
    probs_model = _probabilities(lm, z[:, 0], 1.0)[keep]
    drawn = sample(lm, n, seed=seed, temperature=temperature, prefix=prefix, unknown="unk")
    known = set(known)
    new = [t not in known for t in drawn["texts"]]
    labels = [lm.vocab.itos[i] for i in keep]
    return {"labels": labels, "probs": probs, "probs_model": probs_model,
            "entropy": entropy_bits(probs), "entropy_model": entropy_bits(probs_model),
            "top": labels[int(np.argmax(probs))], "samples": drawn["texts"], "new": new,
            "fraction_new": float(np.mean(new)), "mean_length": float(np.mean([len(t) for t in drawn["tokens"]])),
            "unknown": unknown, "temperature": temperature, "prefix": prefix, "seed": seed}


def _short(label: str) -> str:
    """A tick label that fits one bar: "end" for <EOS>, "?" for <UNK>."""
    return {EOS: "end", UNK: "?"}.get(label, label)


def temperature_explorer(lm: LanguageModel, known=(), prefix: str = "", temperature: float = 1.0, n: int = 10,
                         seed: int = 0) -> Explorer:
    """Slider for the temperature: the next-token distribution and n fresh samples, redrawn in place.

    Left: P(next token | prefix) at the chosen temperature (bars) and at T = 1 (black outline).
    Right: n samples at that temperature, those in ``known`` (the training set) in grey.

    Parameters
    ----------
    lm : LanguageModel, known : iterable of str (texts that are not new)
    prefix, temperature, n, seed : the initial controls (see ``temperature_view``)

    Returns
    -------
    Explorer with controls temperature (0.1 .. 3), prefix (text box), seed (0 .. 50)
    """
    lm = _check_lm("temperature_explorer", lm)
    n = check_positive_int("temperature_explorer", "n", n)
    known = frozenset(known)
    first = temperature_view(lm, temperature, prefix, n, seed, known)
    fig, (ax, ax_text) = new_figure(1, 2, figsize=(9.2, 3.4), gridspec_kw={"width_ratios": [2.3, 1]})
    xs = np.arange(len(first["labels"]))
    bars = ax.bar(xs, first["probs"], color="C0", width=0.8)
    (outline,) = ax.step(xs, first["probs_model"], where="mid", color="black", lw=1, label="T = 1 (the model)")
    ax.set_xticks(xs)
    ax.set_xticklabels([_short(lab) for lab in first["labels"]], fontsize=7)
    ax.set_ylim(0, 1)
    ax.set_ylabel("P(next token)")
    ax.set_xlabel("next token (end = <EOS>, ? = <UNK>)", fontsize=8)
    # The legend is drawn under the bars (a tall bar may cross it): so it is not redrawn at every move.
    ax.legend(fontsize=8, loc="upper right").set_zorder(0.5)
    title = ax.set_title("", fontsize=10)
    ax_text.axis("off")
    # the heading's second line never changes: a text of its own, one line lower, drawn in the background
    ax_text.text(0.0, 1.0, "(grey: in the training set)", fontsize=9, va="top",
                 transform=ax_text.transAxes + ScaledTranslation(0, -1.2 * 9 / 72, fig.dpi_scale_trans))
    heading = ax_text.text(0.0, 1.0, "", fontsize=9, va="top", transform=ax_text.transAxes)
    step_y = 0.82 / max(n, 1)
    lines = [ax_text.text(0.02, 0.84 - step_y * i, "", fontsize=9, va="top", family="monospace",
                          transform=ax_text.transAxes) for i in range(n)]

    def compute(temperature, prefix, seed):
        return temperature_view(lm, temperature, prefix, n, seed, known)

    def draw(view):
        for bar, h in zip(bars, view["probs"]):
            bar.set_height(h)
        outline.set_ydata(view["probs_model"])
        shown = repr(view["prefix"]) if view["prefix"] else "the start"
        title.set_text(f"next token after {shown} at T = {view['temperature']:.2f}: "
                       f"entropy {view['entropy']:.2f} bits (model {view['entropy_model']:.2f})")
        heading.set_text(f"{n} samples at T = {view['temperature']:.2f}, {view['fraction_new']:.0%} new")
        for line, text, is_new in zip(lines, view["samples"], view["new"]):
            line.set_text(text if len(text) <= 24 else text[:23] + "…")
            line.set_color("C0" if is_new else "0.6")

    def describe(view):
        note = ""
        if view["unknown"]:
            unseen = ", ".join(repr(t) for _, t in view["unknown"])
            note = f" Not in the vocabulary, read as <UNK>: {unseen}."
        return (f"Most likely next token: {_short(view['top'])}; mean sample length "
                f"{view['mean_length']:.1f} tokens.{note}")

    controls = {
        "temperature": widgets.FloatSlider(value=temperature, min=0.1, max=3.0, step=0.05, description="T",
                                           continuous_update=True, readout_format=".2f"),
        "prefix": widgets.Text(value=prefix, description="prefix", continuous_update=False),
        "seed": widgets.IntSlider(value=seed, min=0, max=50, description="seed"),
    }
    draw(first)                      # fill the texts first, so the layout makes room for them
    fig.tight_layout()
    return Explorer("temperature: the next-token distribution and samples", controls, fig, compute, draw,
                    describe)
