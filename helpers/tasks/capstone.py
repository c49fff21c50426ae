"""The capstone (notebook 12): does a gated cell carry "cat ... was" across a gap where the plain RNN cannot?

The task is the memory task of ``memory_task.py``: "the", a noun (cat / cats), a gap of g distractor
words, then "<verb>", where the model answers once: "was" (label 0) or "were" (label 1). The answer
depends only on the noun, g + 1 steps before the question.

The sweep. For every cell, every gap g and every seed, one model is trained with the same protocol
(``memory_task.fit_memory_task``): n_a hidden units, ``steps`` Adam updates, each on ``batch_size``
freshly drawn sentences, global-norm clipping at 5; then it answers ``test_size`` new sentences of the
same gap. A *configuration* is a cell and its initial gate bias:

    keep_bias = 0   the helpers' default initialisation (every bias 0, so every gate starts near 1/2)
    keep_bias = b   the gate that keeps the memory starts biased towards keeping it
                    (GRU: b_u - b, so Gamma_u ~ sigmoid(-b); LSTM: b_f + b, so Gamma_f ~ sigmoid(b))

Measured for every run (``run_one``), besides the test accuracy:

* the gradient that reaches the start of the sentence. For the answer's margin
  s = z_were - z_was (the output scores at the last step) we measure || ds / dx<k> ||, the norm of its
  gradient with respect to the input word at step k, at the first token ("the", k = 1) and at the
  subject (the noun, k = 2), and at the question itself (k = T) for scale, averaged over ``n_probe``
  test sentences, before and after training. For the cross-entropy L of one sentence,
  dL/dx<k> = (y_hat_were - y) ds/dx<k> (two classes), so ds/dx<k> is the direction training gets at
  step k, without the factor that goes to 0 once the answer is right;
* for the gated cells, the learned gates at the subject, over the gap (mean over its steps) and at the
  verb, averaged over units and sentences, and the same for the "number unit": the unit whose memory
  at the question differs most between singular and plural sentences.

Everything is a plain number, so the results are stored as JSON (``save_results`` / ``load_results``);
``data/capstone/`` holds the stored sweep and the script that regenerates it.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from .._checks import as_float_array, check_choice, check_finite, check_positive_int, check_real_number
from ..cells import get_cell
from ..gru import gru_gates, gru_states_forward
from ..lstm import lstm_gates, lstm_states_forward
from .memory_task import MemoryTask, fit_memory_task, make_memory_task
from ..training import init_model

__all__ = [
    "CELLS",
    "GATES",
    "SWEEP_SETTINGS",
    "RESULTS_PATH",
    "config_label",
    "test_task",
    "margin_gradient_norms",
    "gate_summary",
    "run_one",
    "run_sweep",
    "save_results",
    "load_results",
    "find_run",
    "summarize",
    "format_summary",
]

CELLS = ("rnn", "gru", "lstm")
#: The gates of each gated cell, in the names of gru_gates / lstm_gates.
GATES = {"gru": ("Gamma_u", "Gamma_r"), "lstm": ("Gamma_f", "Gamma_u", "Gamma_o")}

#: The protocol of the stored sweep (fixed before it was run; see data/capstone/README.md).
SWEEP_SETTINGS = {
    "configs": [["rnn", 0.0], ["gru", 0.0], ["lstm", 0.0], ["gru", 2.0], ["lstm", 2.0]],
    "gaps": [5, 10, 20, 40, 80],
    "seeds": [0, 1, 2, 3, 4],
    "n_a": 8,
    "steps": 300,
    "batch_size": 64,
    "test_size": 500,
    "n_probe": 100,
    "history_every": 5,
}

#: Where the stored sweep lives in the repository.
RESULTS_PATH = Path(__file__).resolve().parents[2] / "data" / "capstone" / "sweep.json"

_POSITIONS = ("first", "subject", "verb")


# ----------------------------------------------------------------------------------------------
# small pieces
# ----------------------------------------------------------------------------------------------

def _check_keep_bias(where, cell, keep_bias):
    if isinstance(keep_bias, bool) or not isinstance(keep_bias, (int, float, np.integer, np.floating)) \
            or not np.isfinite(keep_bias) or keep_bias < 0:
        raise ValueError(f"{where}: keep_bias must be a finite number >= 0, got {keep_bias!r}")
    if cell == "rnn" and keep_bias:
        raise ValueError(f"{where}: keep_bias applies to the gated cells (gru, lstm); the rnn has no gate, "
                         f"got keep_bias={keep_bias!r}")
    return float(keep_bias)


def config_label(cell, keep_bias=0.0) -> str:
    """The name of a configuration in tables and legends, e.g. "GRU" or "LSTM, keep bias 2"."""
    check_choice("config_label", "cell", cell, CELLS)
    keep_bias = _check_keep_bias("config_label", cell, keep_bias)
    return cell.upper() + (f", keep bias {keep_bias:g}" if keep_bias else "")


def test_task(gap, test_size=500) -> MemoryTask:
    """The test sentences of one gap: make_memory_task(test_size, gap, seed=10_000 + gap).

    The seed depends only on the gap, so every configuration and every seed of the sweep is scored on
    the same sentences, and none of them is a training sentence of the sweep (those come from seeds
    drawn by fit_memory_task).
    """
    gap = check_positive_int("test_task", "gap", gap, minimum=0)
    test_size = check_positive_int("test_task", "test_size", test_size)
    return make_memory_task(test_size, gap, seed=10_000 + gap)


def _check_model(where, model, cell, n_x):
    if not isinstance(model, dict):
        raise ValueError(f"{where}: model must be a dict of parameters, got {type(model).__name__}")
    keys = get_cell(cell).param_keys + ("Wy", "by")
    missing = [k for k in keys if k not in model]
    if missing:
        raise KeyError(f"{where}: model is missing the {cell} parameter(s) {', '.join(missing)} "
                       f"(it has: {', '.join(sorted(model))})")
    for key in keys:
        check_finite(where, f"model['{key}']", as_float_array(where, f"model['{key}']", model[key]))
    W = np.asarray(model["Wax" if cell == "rnn" else "Wc"])
    n_a = W.shape[0]
    n_in = W.shape[1] if cell == "rnn" else W.shape[1] - n_a
    if n_in != n_x:
        raise ValueError(f"{where}: model reads n_x = {n_in} inputs but the task's vocabulary has {n_x} words")
    if np.shape(model["Wy"]) != (2, n_a):
        raise ValueError(f"{where}: model['Wy'] must have shape (2, n_a) = (2, {n_a}) (was / were), "
                         f"got {np.shape(model['Wy'])}")
    return n_a


def _check_task(where, task, fixed_gap=True):
    if not isinstance(task, MemoryTask):
        raise ValueError(f"{where}: task must be a MemoryTask (from make_memory_task), got {type(task).__name__}")
    if fixed_gap and task.gap_range[0] != task.gap_range[1]:
        raise ValueError(f"{where}: task must have one fixed gap (all sentences of one length), "
                         f"got the gap range {task.gap_range}")


def margin_gradient_norms(model, cell, task, n_probe=None) -> dict:
    """|| d(z_were - z_was) / d x<k> || at every step k, averaged over sentences of a fixed-gap task.

    The margin s = z_were - z_was is read at the last step (the question). One forward and one
    backward pass of the cell (``cells.Cell``), with the upstream gradient dh<T> = Wy[1] - Wy[0] at
    the last step only, give ds/dx<k> for every k at once.

    Parameters
    ----------
    model : dict, the cell's parameters plus Wy (2, n_a), by (2, 1) (training.init_model / fit_memory_task)
    cell : {"rnn", "gru", "lstm"}
    task : MemoryTask with one fixed gap
    n_probe : int >= 1 or None, use the first n_probe sentences (default all)

    Returns
    -------
    dict with "per_step" ndarray (T,) the mean norm at every step, and "first", "subject", "verb":
    its values at the first token, the noun and the question.
    """
    where = "margin_gradient_norms"
    check_choice(where, "cell", cell, CELLS)
    _check_task(where, task)
    n_a = _check_model(where, model, cell, task.n_x)
    m = task.m if n_probe is None else min(check_positive_int(where, "n_probe", n_probe), task.m)
    layer = get_cell(cell)
    x = task.x[:, :m, :]
    h, cache = layer.forward(x, np.zeros((n_a, m)), {k: model[k] for k in layer.param_keys})
    dh = np.zeros_like(h)
    dh[:, :, -1] = (np.asarray(model["Wy"])[1] - np.asarray(model["Wy"])[0])[:, None]
    dx = layer.backward(dh, cache)["dx"]                     # (n_x, m, T)
    per_step = np.sqrt(np.sum(dx * dx, axis=0)).mean(axis=0)
    return {"per_step": per_step, "first": float(per_step[0]), "subject": float(per_step[1]),
            "verb": float(per_step[-1])}


def gate_summary(model, cell, task, n_probe=None) -> dict:
    """The learned gates of a GRU or an LSTM at the subject, over the gap and at the verb.

    Runs the cell over the sentences of a fixed-gap task (gap >= 1) and averages each gate

        at the subject   step 2 (the noun)
        over the gap     steps 3 .. T - 1 (mean over the distractors)
        at the verb      step T (the question)

    over the units and the sentences ("mean"), and for the *number unit* alone: the unit j whose memory
    at the question, averaged over the singular sentences, differs most from its average over the
    plural ones (for both cells the memory is c<t>).

    Parameters
    ----------
    model : dict, the cell's parameters (+ Wy, by)
    cell : {"gru", "lstm"}
    task : MemoryTask with one fixed gap >= 1, holding both labels
    n_probe : int >= 1 or None, use the first n_probe sentences (default all)

    Returns
    -------
    dict with "number_unit" (int), "separation" (float, the difference of its two class means), and
    for every gate of ``GATES[cell]`` a dict {"mean": {"subject", "gap", "verb"}, "unit": {...}}.
    """
    where = "gate_summary"
    check_choice(where, "cell", cell, ("gru", "lstm"))
    _check_task(where, task)
    if task.gap_range[0] < 1:
        raise ValueError(f"{where}: task must have a gap of at least 1 word (there is no gap to average over), "
                         f"got gap {task.gap_range[0]}")
    n_a = _check_model(where, model, cell, task.n_x)
    m = task.m if n_probe is None else min(check_positive_int(where, "n_probe", n_probe), task.m)
    y = task.y[:m]
    if y.min() == y.max():
        raise ValueError(f"{where}: the probed sentences must hold both labels to find the number unit; "
                         f"raise n_probe (got {m} sentences of one label)")
    params = {k: model[k] for k in get_cell(cell).param_keys}
    x = task.x[:, :m, :]
    if cell == "gru":
        c, caches = gru_states_forward(x, np.zeros((n_a, m)), params)
        gates = gru_gates(caches)
    else:
        _, c, caches = lstm_states_forward(x, np.zeros((n_a, m)), params)
        gates = lstm_gates(caches)
    final = c[:, :, -1]
    gaps = final[:, y == 0].mean(axis=1) - final[:, y == 1].mean(axis=1)
    unit = int(np.argmax(np.abs(gaps)))
    out = {"number_unit": unit, "separation": float(abs(gaps[unit]))}
    for name in GATES[cell]:
        g = gates[name]                                           # (n_a, m, T)
        parts = {"subject": g[:, :, 1], "gap": g[:, :, 2:-1].mean(axis=2), "verb": g[:, :, -1]}
        out[name] = {"mean": {k: float(v.mean()) for k, v in parts.items()},
                     "unit": {k: float(v[unit].mean()) for k, v in parts.items()}}
    return out


# ----------------------------------------------------------------------------------------------
# one run and the sweep
# ----------------------------------------------------------------------------------------------

def _initial_model(cell, n_x, n_a, keep_bias, seed):
    """The model fit_memory_task starts from (same seed, same keep bias), for the before-training probe."""
    model = init_model(cell, n_x, n_a, 2, seed=seed)
    if cell == "gru":
        model["bu"] = model["bu"] - keep_bias
    elif cell == "lstm":
        model["bf"] = model["bf"] + keep_bias
    return model


def run_one(cell, gap, seed, keep_bias=0.0, n_a=8, steps=300, batch_size=64, test_size=500, n_probe=100,
            history_every=5, test=None, return_model=False):
    """Train one model on the memory task with the sweep's protocol and measure it.

    The first training batch is make_memory_task(batch_size, gap, seed=seed); fit_memory_task then
    draws a fresh batch for every update (no sentence seen twice) and starts from
    training.init_model(cell, n_x, n_a, 2, seed) with the keep bias applied.

    Parameters
    ----------
    cell : {"rnn", "gru", "lstm"}
    gap : int >= 1, the number of distractor words
    seed : int >= 0
    keep_bias : float >= 0 (gated cells only)
    n_a, steps, batch_size, test_size, n_probe : int >= 1
    history_every : int >= 1, keep the training loss of every history_every-th update
    test : MemoryTask or None, the test sentences (default test_task(gap, test_size))
    return_model : bool, also return the trained model

    Returns
    -------
    record : dict of plain numbers and lists: cell, keep_bias, gap, seed, test_accuracy,
        final_loss (mean of the last 10 updates), history (list), grad_init / grad_trained
        ({"first", "subject", "verb"}), gates (gated cells: the gate_summary of the trained model,
        else None), cpu_seconds (the process time of the run; varies by machine).
    model : dict, the trained parameters (only with return_model=True: then the pair (record, model)).
    """
    where = "run_one"
    check_choice(where, "cell", cell, CELLS)
    gap = check_positive_int(where, "gap", gap)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    keep_bias = _check_keep_bias(where, cell, keep_bias)
    if not isinstance(return_model, (bool, np.bool_)):
        raise ValueError(f"{where}: return_model must be True or False, got {return_model!r}")
    n_a, steps, batch_size, test_size, n_probe, history_every = (
        check_positive_int(where, k, v) for k, v in (("n_a", n_a), ("steps", steps), ("batch_size", batch_size),
                                                     ("test_size", test_size), ("n_probe", n_probe),
                                                     ("history_every", history_every)))
    start = time.process_time()
    test = test_task(gap, test_size) if test is None else test
    _check_task(where, test)
    if test.gap_range[0] != gap:
        raise ValueError(f"{where}: test must have the gap {gap}, got {test.gap_range[0]}")
    train = make_memory_task(batch_size, gap, seed=seed)
    before = margin_gradient_norms(_initial_model(cell, train.n_x, n_a, keep_bias, seed), cell, test, n_probe)
    result = fit_memory_task(cell, train, test, n_a, steps=steps, keep_bias=keep_bias, seed=seed)
    model = result["model"]
    after = margin_gradient_norms(model, cell, test, n_probe)
    gates = gate_summary(model, cell, test, n_probe) if cell != "rnn" else None
    history = result["history"]
    record = {"cell": cell, "keep_bias": keep_bias, "gap": gap, "seed": seed,
              "test_accuracy": float(result["test_accuracy"]),
              "final_loss": float(np.mean(history[-10:])),
              "history": [round(float(v), 5) for v in history[::history_every]],
              "grad_init": {k: before[k] for k in _POSITIONS},
              "grad_trained": {k: after[k] for k in _POSITIONS},
              "gates": gates,
              "cpu_seconds": round(time.process_time() - start, 2)}
    return (record, model) if return_model else record


def run_sweep(settings=None, progress=None) -> dict:
    """Run ``run_one`` for every configuration, gap and seed of ``settings`` (default SWEEP_SETTINGS).

    Parameters
    ----------
    settings : dict like SWEEP_SETTINGS (configs: list of [cell, keep_bias]; gaps; seeds; n_a; steps;
        batch_size; test_size; n_probe; history_every)
    progress : optional callable(record), called after every run (e.g. to print a line)

    Returns
    -------
    results : dict {"settings": settings, "runs": [record, ...]} (JSON-ready)
    """
    where = "run_sweep"
    if settings is not None and not isinstance(settings, dict):
        raise ValueError(f"{where}: settings must be a dict like SWEEP_SETTINGS, got {type(settings).__name__}")
    settings = dict(SWEEP_SETTINGS if settings is None else settings)
    missing = [k for k in SWEEP_SETTINGS if k not in settings]
    if missing:
        raise KeyError(f"{where}: settings is missing {', '.join(missing)} (it has: {', '.join(sorted(settings))})")
    for cell, keep_bias in settings["configs"]:
        check_choice(where, "a config's cell", cell, CELLS)
        _check_keep_bias(where, cell, keep_bias)
    runs = []
    for gap in settings["gaps"]:
        test = test_task(gap, settings["test_size"])
        for cell, keep_bias in settings["configs"]:
            for seed in settings["seeds"]:
                record = run_one(cell, gap, seed, keep_bias, n_a=settings["n_a"], steps=settings["steps"],
                                 batch_size=settings["batch_size"], test_size=settings["test_size"],
                                 n_probe=settings["n_probe"], history_every=settings["history_every"], test=test)
                runs.append(record)
                if progress is not None:
                    progress(record)
    return {"settings": settings, "runs": runs}


# ----------------------------------------------------------------------------------------------
# storing and reading the results
# ----------------------------------------------------------------------------------------------

_RUN_KEYS = ("cell", "keep_bias", "gap", "seed", "test_accuracy", "final_loss", "history", "grad_init",
             "grad_trained", "gates")


def save_results(results, path) -> None:
    """Write sweep results (dict of plain numbers, lists and strings) to ``path`` as JSON."""
    where = "save_results"
    _check_results(where, results)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=1, allow_nan=False) + "\n", encoding="utf-8")


def _check_results(where, results):
    if not isinstance(results, dict) or "settings" not in results or "runs" not in results:
        raise ValueError(f"{where}: results must be a dict with 'settings' and 'runs' (from run_sweep), "
                         f"got {type(results).__name__}")
    for i, run in enumerate(results["runs"]):
        missing = [k for k in _RUN_KEYS if k not in run]
        if missing:
            raise KeyError(f"{where}: results['runs'][{i}] is missing {', '.join(missing)}")


def load_results(path=None) -> dict:
    """Read stored sweep results (default: RESULTS_PATH, data/capstone/sweep.json)."""
    where = "load_results"
    path = RESULTS_PATH if path is None else Path(path)
    if not path.is_file():
        raise ValueError(f"{where}: path must be an existing JSON file of sweep results, got {path.name!r}")
    results = json.loads(path.read_text(encoding="utf-8"))
    _check_results(where, results)
    return results


def find_run(results, cell, gap, seed, keep_bias=0.0) -> dict:
    """The record of one run of stored results; KeyError if the sweep has no such run."""
    _check_results("find_run", results)
    for run in results["runs"]:
        if (run["cell"], run["gap"], run["seed"], float(run["keep_bias"])) == (cell, gap, seed, float(keep_bias)):
            return run
    raise KeyError(f"find_run: the results hold no run of {config_label(cell, keep_bias)} at gap {gap}, seed {seed}")


def summarize(results, threshold=0.9) -> dict:
    """Per configuration and gap: the test accuracies over the seeds, their mean, and how many runs solved it.

    Returns
    -------
    dict config label -> {gap: {"accuracies": list, "mean": float, "solved": int (accuracy >= threshold),
    "runs": int}}, configurations in the order of results["settings"]["configs"], gaps ascending.
    """
    _check_results("summarize", results)
    threshold = check_real_number("summarize", "threshold", threshold, 0.0, 1.0)
    out = {}
    for cell, keep_bias in results["settings"]["configs"]:
        label = config_label(cell, keep_bias)
        out[label] = {}
        for gap in sorted(results["settings"]["gaps"]):
            accs = [r["test_accuracy"] for r in results["runs"]
                    if r["cell"] == cell and float(r["keep_bias"]) == float(keep_bias) and r["gap"] == gap]
            if accs:
                out[label][gap] = {"accuracies": accs, "mean": float(np.mean(accs)),
                                   "solved": int(sum(a >= threshold for a in accs)), "runs": len(accs)}
    return out


def format_summary(summary) -> str:
    """A text table of ``summarize``: mean test accuracy (2 decimals) and runs solved, per gap."""
    if not isinstance(summary, dict) or not summary or not all(isinstance(v, dict) for v in summary.values()):
        raise ValueError(f"format_summary: summary must be the non-empty dict of summarize, got {summary!r:.60}")
    labels = list(summary)
    gaps = sorted({g for v in summary.values() for g in v})
    width = max(len(label) for label in labels)
    lines = [f"{'gap':<{width}}  " + "  ".join(f"{g:>10}" for g in gaps)]
    for label in labels:
        cells = []
        for g in gaps:
            s = summary[label].get(g)
            cells.append(f"{s['mean']:.2f} ({s['solved']}/{s['runs']})" if s else "-")
        lines.append(f"{label:<{width}}  " + "  ".join(f"{c:>10}" for c in cells))
    return "\n".join(lines)
