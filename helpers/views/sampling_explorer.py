"""The temperature explorer of notebook 06: a slider for the temperature, the next-token distribution
and fresh samples redrawn in place. What it shows is computed by ``temperature_view`` from the sampling functions of
``helpers.tasks.sampling``.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np
from matplotlib.transforms import ScaledTranslation

from .._blas import one_blas_thread
from .._checks import check_positive_int, told_as
from ..tasks.language_model import LanguageModel, tokenize
from ..tasks.sampling import default_max_length, encode_prefix, entropy_bits, next_token_probabilities, sample
from ..tasks.text import EOS, UNK
from .explorer import Explorer, new_figure

__all__ = ["temperature_view", "temperature_explorer"]


@one_blas_thread
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
        probs_model : ndarray, the same at τ = 1
        entropy, entropy_model : float, their entropies in bits
        top : str, the most likely next token
        samples : list of n str, new : list of n bool, fraction_new : float, mean_length : float
        unknown : list of (t, token) of the prefix read as <UNK>
        temperature, prefix, seed
    """
    where = "temperature_view"
    if not isinstance(prefix, str):
        raise ValueError(f"{where}: prefix must be a str, got {type(prefix).__name__}")
    # (these check lm and temperature; their errors are told as temperature_view's, see told_as)
    probs = next_token_probabilities(lm, prefix, temperature, unknown="unk")
    probs_model = next_token_probabilities(lm, prefix, 1.0, unknown="unk")
    longest, length = default_max_length(lm), len(encode_prefix(lm, prefix, "unk"))
    if length > longest:
        unit = "characters" if lm.level == "char" else "words"
        raise ValueError(f"{where}: prefix has {length} {unit}, more than the {longest} a sample holds; "
                         f"shorten it")
    unknown = lm.vocab.unknown(tokenize(prefix, lm.level)[0]) if prefix else []
    keep = [i for i in range(lm.V) if i != lm.vocab.pad_index]
    probs, probs_model = probs[keep], probs_model[keep]
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

    Left: P(next token | prefix) at the chosen temperature (bars) and at τ = 1 (black outline).
    Right: n samples at that temperature, those in ``known`` (the training set) in grey.

    Parameters
    ----------
    lm : LanguageModel, known : iterable of str (texts that are not new)
    prefix, temperature, n, seed : the initial controls (see ``temperature_view``)

    Returns
    -------
    Explorer with controls temperature (0.1 .. 3), prefix (text box), seed (0 .. 50)
    """
    n = check_positive_int("temperature_explorer", "n", n)
    known = frozenset(known)
    with told_as("temperature_explorer"):                   # checks lm and the other controls' values
        first = temperature_view(lm, temperature, prefix, n, seed, known)
    fig, (ax, ax_text) = new_figure(1, 2, figsize=(9.2, 3.4), gridspec_kw={"width_ratios": [2.3, 1]})
    xs = np.arange(len(first["labels"]))
    bars = ax.bar(xs, first["probs"], color="C0", width=0.8)
    (outline,) = ax.step(xs, first["probs_model"], where="mid", color="black", lw=1, label="τ = 1 (the model)")
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
        title.set_text(f"next token after {shown} at τ = {view['temperature']:.2f}: "
                       f"entropy {view['entropy']:.2f} bits (model {view['entropy_model']:.2f})")
        heading.set_text(f"{n} samples at τ = {view['temperature']:.2f}, {view['fraction_new']:.0%} new")
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
        "temperature": widgets.FloatSlider(value=temperature, min=0.1, max=3.0, step=0.05, description="τ",
                                           continuous_update=True, readout_format=".2f"),
        "prefix": widgets.Text(value=prefix, description="prefix", continuous_update=False),
        "seed": widgets.IntSlider(value=seed, min=0, max=50, description="seed"),
    }
    draw(first)                      # fill the texts first, so the layout makes room for them
    fig.tight_layout()
    return Explorer("temperature: the next-token distribution and samples", controls, fig, compute, draw,
                    describe)
