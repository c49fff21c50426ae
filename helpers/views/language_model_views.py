"""What notebooks 05 and 06 show of the language model: a progress bar for training, the loss curves, and
the probability of every step of a sequence. The model itself is ``helpers.tasks.language_model``.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np

from .._checks import MAX_STEPS, check_positive_int

__all__ = ["TrainingProgress", "plot_history", "plot_step_probabilities"]



class TrainingProgress:
    """A progress bar for ``train_language_model``: an ipywidgets bar and a status line per epoch.

    Display it in a notebook cell, then pass it as ``progress``. Its text view (what nbval compares)
    is a fixed line, so the cell's stored output does not depend on how fast the machine is; the bar
    and the status line move while the notebook runs.

    Parameters
    ----------
    epochs : int >= 1, the length of the bar
    title : str, what is being trained

    Attributes
    ----------
    records : list of the dicts received (one per epoch)
    status : str, the latest status line
    """

    def __init__(self, epochs: int, title: str = "training"):
        self.epochs = check_positive_int("TrainingProgress", "epochs", epochs, maximum=MAX_STEPS)
        self.title = str(title)
        self.bar = widgets.IntProgress(value=0, min=0, max=self.epochs, description="epoch 0",
                                       layout=widgets.Layout(width="260px"))
        self.label = widgets.HTML(value=html.escape(f"{self.title}: waiting to start", quote=False))
        self.box = widgets.HBox([self.bar, self.label])
        self.records = []
        self.status = ""

    def __call__(self, record: dict) -> None:
        """Move the bar to ``record["epoch"]`` and show the losses and the time so far."""
        self.records.append(dict(record))
        self.bar.value = min(int(record["epoch"]), self.epochs)
        self.bar.description = f"epoch {record['epoch']}"
        held = record.get("heldout_loss")
        held_text = "" if held is None or not np.isfinite(held) else f", held-out {held:.3f}"
        self.status = (f"{self.title}: epoch {record['epoch']}/{self.epochs}, loss per token: "
                       f"train {record['train_loss']:.3f}{held_text}; {record['seconds']:.1f} s")
        self.label.value = html.escape(self.status, quote=False)   # shown as written: <EOS>, <UNK>

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.box._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["text/plain"] = (f"Progress bar: {self.title}, {self.epochs} epochs "
                                f"(it moves while the notebook runs)")
        return bundle


def plot_history(history: dict, baselines: dict = None, title: str = "loss per token", unit: str = "token"):
    """Training and held-out loss per token by epoch, with horizontal lines for baselines.

    Parameters
    ----------
    history : dict from ``train_language_model``
    baselines : dict label -> loss per token (e.g. {"bigram": 2.4}), drawn dashed
    title : str
    unit : str, what a token is, for the axis label ("nats per character")

    Returns
    -------
    fig : matplotlib Figure (not shown; pass it to ``helpers.views.explorer.show_figure``)
    """
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(7, 3.2))
    epochs = history["epoch"]
    ax.plot(epochs, history["train_loss"], "o-", color="C0", label="training (mean over the epoch)")
    if np.isfinite(history["heldout_loss"]).any():
        ax.plot(epochs, history["heldout_loss"], "s-", color="C3", label="held-out (end of epoch)")
    for j, (label, value) in enumerate((baselines or {}).items()):
        ax.axhline(value, ls="--", lw=1.2, color=f"C{j + 1 if j < 2 else j + 3}", label=f"{label} baseline")
    ax.set_xlabel("epoch")
    ax.set_ylabel(f"nats per {unit}")
    ax.set_title(title)
    ax.legend(fontsize=8, loc="upper right")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    return fig


def plot_step_probabilities(results, labels=None):
    """Bar charts of P(y<t> | y<1..t-1>) for a few sequences, one row each (``sequence_probability``).

    Parameters
    ----------
    results : list of dicts from ``sequence_probability``
    labels : list of str or None, a title for each row (default: the text); log10 P is added.
        Bars below 0.05 are red, with their value written in red above them.

    Returns
    -------
    fig : matplotlib Figure (not shown)
    """
    if not isinstance(results, (list, tuple)) or not results:
        raise ValueError("plot_step_probabilities: results must be a non-empty list of sequence_probability dicts")
    T = max(len(r["tokens"]) for r in results)
    with plt.ioff():
        fig, axes = plt.subplots(len(results), 1, figsize=(max(5.0, 0.55 * T + 1.5), 1.9 * len(results)),
                                 squeeze=False)
    for i, (ax, r) in enumerate(zip(axes[:, 0], results)):
        p = r["step_probs"]
        low = p < 0.05
        ax.bar(np.arange(len(p)), p, color=np.where(low, "C3", "C0"))
        ax.set_xticks(np.arange(len(p)))
        ax.set_xticklabels(r["tokens"], fontsize=9)
        ax.set_xlim(-0.6, T - 0.4)
        ax.set_ylim(0, 1)
        ax.set_ylabel("P(y<t> | before)", fontsize=8)
        label = labels[i] if labels else f"{''.join(r['tokens'][:-1])}"
        ax.set_title(f"{label}:  log10 P = {r['log10_prob']:.2f}", fontsize=10)
        for t, q in enumerate(p):
            ax.text(t, min(q + 0.03, 0.88), f"{q:.2f}" if q >= 0.01 else f"{q:.3f}", ha="center", fontsize=7,
                    color="C3" if low[t] else ("white" if q > 0.85 else "black"))
    fig.tight_layout()
    return fig
