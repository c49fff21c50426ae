"""The capstone's figures and the explorer of the stored sweep (notebook 12): accuracy and gradient against
the gap, the learned gates, and one configuration's runs at one gap. The runs themselves are made and
summarised by ``helpers.tasks.capstone``.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .._checks import check_choice
from ..tasks.capstone import _POSITIONS, _check_results, config_label, summarize
from .explorer import Explorer, new_figure

__all__ = ["plot_accuracy_vs_gap", "plot_gradient_vs_gap", "plot_gate_summary", "sweep_view", "sweep_explorer"]


# ----------------------------------------------------------------------------------------------
# figures
# ----------------------------------------------------------------------------------------------

_STYLE = {"rnn": ("C0", "o"), "gru": ("C1", "s"), "lstm": ("C2", "^")}


def _config_style(cell, keep_bias):
    color, marker = _STYLE[cell]
    return dict(color=color, marker=marker, ls="-" if keep_bias else "--", mfc=color if keep_bias else "white")


def plot_accuracy_vs_gap(results, title="test accuracy against the gap (each dot: one seed)"):
    """Test accuracy of every run against the gap, one colour per cell, with the mean over the seeds.

    Dashed, open markers: default initialisation; solid, filled: with a keep bias.
    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    summary = summarize(results)
    fig, ax = new_figure(figsize=(8.0, 3.6))
    configs = results["settings"]["configs"]
    n = len(configs)
    for j, (cell, keep_bias) in enumerate(configs):
        label = config_label(cell, keep_bias)
        gaps = sorted(summary[label])
        style = _config_style(cell, keep_bias)
        positions = np.arange(len(gaps)) + (j - (n - 1) / 2) * 0.08
        ax.plot(positions, [summary[label][g]["mean"] for g in gaps], label=label, **style)
        for p, g in zip(positions, gaps):
            accs = summary[label][g]["accuracies"]
            ax.scatter(np.full(len(accs), p), accs, s=10, color=style["color"], alpha=0.5, zorder=1)
    gaps = sorted(results["settings"]["gaps"])
    ax.set_xticks(np.arange(len(gaps)))
    ax.set_xticklabels([str(g) for g in gaps])
    ax.axhline(0.5, color="0.4", lw=1, ls=":")
    ax.text(len(gaps) - 0.5, 0.51, "chance", fontsize=8, color="0.4", ha="right", va="bottom")
    ax.set_ylim(0.4, 1.03)
    ax.set_xlabel("gap (distractor words between the noun and the verb)")
    ax.set_ylabel("test accuracy")
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=8, ncol=2, loc="lower left")
    fig.tight_layout()
    return fig


def plot_gradient_vs_gap(results, position="subject",
                         title="how much of the answer's gradient reaches the subject"):
    """Median over the seeds of || d(z_were - z_was) / d x<k> || at ``position``, before and after training.

    position : "first", "subject" or "verb". Log scale.
    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    check_choice("plot_gradient_vs_gap", "position", position, _POSITIONS)
    fig, axes = new_figure(1, 2, figsize=(9.0, 3.4), sharey=True)
    gaps = sorted(results["settings"]["gaps"])
    for ax, when, name in zip(axes, ("grad_init", "grad_trained"), ("before training", "after training")):
        for cell, keep_bias in results["settings"]["configs"]:
            values = []
            for g in gaps:
                v = [r[when][position] for r in results["runs"]
                     if r["cell"] == cell and float(r["keep_bias"]) == float(keep_bias) and r["gap"] == g]
                values.append(np.median(v))
            ax.plot(gaps, np.maximum(values, 1e-30), label=config_label(cell, keep_bias),
                    **_config_style(cell, keep_bias))
        ax.set_yscale("log")
        ax.set_xscale("log")
        ax.set_xticks(gaps)
        ax.set_xticklabels([str(g) for g in gaps])
        ax.minorticks_off()
        ax.set_xlabel("gap")
        ax.set_title(name, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel(f"||d margin / d x<{position}>||")
    axes[1].legend(fontsize=7.5, loc="lower left")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


def plot_gate_summary(records, title="learned gates at the subject, over the gap and at the verb"):
    """Bars of the trained gates (mean over the records) of a GRU and an LSTM, mean unit and number unit.

    Parameters
    ----------
    records : dict label -> list of run records (of one gated cell) or of gate_summary dicts; each
        label gets one panel.

    Returns the figure (not displayed; show it with ``intro_views.show_figure``).
    """
    where = "plot_gate_summary"
    if not isinstance(records, dict) or not records:
        raise ValueError(f"{where}: records must be a non-empty dict label -> list of records")
    fig, axes = new_figure(1, len(records), figsize=(4.6 * len(records), 3.3), sharey=True)
    axes = np.atleast_1d(axes)
    parts = ("subject", "gap", "verb")
    for ax, (label, recs) in zip(axes, records.items()):
        summaries = [r["gates"] if "gates" in r else r for r in recs]
        if not summaries or any(s is None for s in summaries):
            raise ValueError(f"{where}: records[{label!r}] must hold gate summaries of a GRU or an LSTM")
        names = [k for k in ("Gamma_f", "Gamma_u", "Gamma_r", "Gamma_o") if k in summaries[0]]
        width = 0.8 / len(names)
        for j, name in enumerate(names):
            for kind, alpha in (("mean", 0.45), ("unit", 1.0)):
                vals = [np.mean([s[name][kind][p] for s in summaries]) for p in parts]
                xs = np.arange(3) + (j - (len(names) - 1) / 2) * width
                ax.bar(xs, vals, width=width * (0.9 if kind == "mean" else 0.45), color=f"C{j + 3}", alpha=alpha,
                       label=f"{name.replace('Gamma_', 'Γ')} ({'all units' if kind == 'mean' else 'number unit'})")
        ax.set_xticks(np.arange(3))
        ax.set_xticklabels(["at the subject", "over the gap", "at the verb"])
        ax.set_ylim(0, 1.45)
        ax.set_yticks(np.linspace(0, 1, 6))
        ax.set_title(label, fontsize=10)
        ax.legend(fontsize=7, loc="upper center", ncol=3)
    axes[0].set_ylabel("gate value")
    fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# browsing the stored runs
# ----------------------------------------------------------------------------------------------

def sweep_view(results, config, gap) -> dict:
    """The runs of one configuration at one gap, as the sweep explorer shows them (pure).

    Parameters
    ----------
    results : dict from run_sweep / load_results
    config : str, a configuration label (config_label), e.g. "GRU, keep bias 2"
    gap : int, one of results["settings"]["gaps"]

    Returns
    -------
    dict with config, gap, steps (ndarray of the update numbers where the loss was kept), seeds (list),
    histories (list of ndarrays, one per seed), accuracies (list), grad_init / grad_trained (lists of
    the subject's margin gradient), solved (runs with test accuracy >= 0.9).
    """
    where = "sweep_view"
    _check_results(where, results)
    labels = {config_label(c, kb): (c, float(kb)) for c, kb in results["settings"]["configs"]}
    check_choice(where, "config", config, tuple(labels))
    check_choice(where, "gap", gap, tuple(results["settings"]["gaps"]))
    cell, kb = labels[config]
    runs = sorted((r for r in results["runs"] if r["cell"] == cell and float(r["keep_bias"]) == kb
                   and r["gap"] == gap), key=lambda r: r["seed"])
    every = results["settings"]["history_every"]
    histories = [np.asarray(r["history"], dtype=float) for r in runs]
    steps = np.arange(len(histories[0])) * every + 1 if histories else np.zeros(0)
    accuracies = [r["test_accuracy"] for r in runs]
    return {"config": config, "gap": gap, "steps": steps, "seeds": [r["seed"] for r in runs],
            "histories": histories, "accuracies": accuracies,
            "grad_init": [r["grad_init"]["subject"] for r in runs],
            "grad_trained": [r["grad_trained"]["subject"] for r in runs],
            "solved": int(sum(a >= 0.9 for a in accuracies))}


def sweep_explorer(results, config=None, gap=None) -> Explorer:
    """Browse the stored sweep: the training loss of every seed of one configuration at one gap.

    Parameters
    ----------
    results : dict from load_results
    config : str or None, the first configuration shown (default the first of the sweep)
    gap : int or None, the first gap shown (default the longest)

    Returns
    -------
    Explorer with controls "config" (Dropdown of the configuration labels) and "gap" (SelectionSlider).
    """
    where = "sweep_explorer"
    _check_results(where, results)
    labels = [config_label(c, kb) for c, kb in results["settings"]["configs"]]
    gaps = sorted(results["settings"]["gaps"])
    config = labels[0] if config is None else config
    gap = gaps[-1] if gap is None else gap
    check_choice(where, "config", config, tuple(labels))
    check_choice(where, "gap", gap, tuple(gaps))
    n_seeds = len(results["settings"]["seeds"])

    controls = {"config": widgets.Dropdown(options=labels, value=config, description="cell"),
                "gap": widgets.SelectionSlider(options=gaps, value=gap, description="gap",
                                               continuous_update=True)}
    fig, ax = new_figure(figsize=(8.5, 3.2))
    lines = [ax.plot([], [], lw=1.4, color=f"C{k}")[0] for k in range(n_seeds)]
    ax.axhline(np.log(2.0), color="0.4", ls="--", lw=1)
    ax.text(3, np.log(2.0) + 0.02, "chance: ln 2", ha="left", va="bottom", fontsize=8, color="0.4")
    ax.set_xlim(0, results["settings"]["steps"])
    ax.set_ylim(0.0, 1.0)
    ax.set_xlabel("update step")
    ax.set_ylabel("training loss")
    title = ax.set_title("a title line as long as the real one, reserved", fontsize=10)
    legend_labels = [f"seed {s}: test 0.00" for s in results["settings"]["seeds"]]  # room for the real text
    legend = ax.legend(lines, legend_labels, fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()

    def compute(config, gap):
        return sweep_view(results, config, gap)

    def draw(v):
        for k, line in enumerate(lines):
            if k < len(v["histories"]):
                line.set_data(v["steps"], np.minimum(v["histories"][k], 0.99))
                line.set_visible(True)
                legend.get_texts()[k].set_text(f"seed {v['seeds'][k]}: test {v['accuracies'][k]:.2f}")
            else:
                line.set_visible(False)
        legend.stale = True      # its texts changed (a legend's texts do not tell it themselves)
        title.set_text(f"{v['config']}, gap {v['gap']}: {v['solved']} of {len(v['accuracies'])} runs "
                       f"reached test accuracy 0.9")

    def describe(v):
        init = np.median(v["grad_init"])
        return (f"median gradient of the answer reaching the subject before training: {init:.1e} "
                f"(after: {np.median(v['grad_trained']):.1e})")

    return Explorer("the stored sweep: training loss of every seed for one cell and one gap",
                    controls, fig, compute, draw, describe)
