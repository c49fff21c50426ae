"""The capstone sweep: margin gradients by finite differences and by hand, gate summaries of designed cells,
one run and a tiny sweep end to end, JSON round trip, summaries by hand, the stored results, bad input."""
import json

import numpy as np
import pytest

from helpers.activations import sigmoid
from helpers.tasks.capstone import (
    GATES,
    RESULTS_PATH,
    SWEEP_SETTINGS,
    config_label,
    find_run,
    format_summary,
    gate_summary,
    load_results,
    margin_gradient_norms,
    run_one,
    run_sweep,
    save_results,
    summarize,
)
from helpers.tasks.capstone import test_task as capstone_test_task
from helpers.views.capstone_views import plot_accuracy_vs_gap, plot_gate_summary, plot_gradient_vs_gap, sweep_explorer, sweep_view
from helpers.cells import get_cell
from helpers.tasks.memory_task import make_memory_task
from helpers.training import init_model

def _random_model(cell, n_x, n_a=3, seed=0, scale=0.6):
    model = init_model(cell, n_x, n_a, 2, seed=seed)
    rng = np.random.default_rng(seed + 11)
    return {k: v + scale * rng.normal(size=v.shape) for k, v in model.items()}


def _margin(model, cell, x):
    """z_were - z_was at the last step, summed over the batch (each example's margin reads only its x)."""
    layer = get_cell(cell)
    n_a = model["Wy"].shape[1]
    h, _ = layer.forward(x, np.zeros((n_a, x.shape[1])), {k: model[k] for k in layer.param_keys})
    z = model["Wy"] @ h[:, :, -1] + model["by"]
    return float(np.sum(z[1] - z[0]))


# ----------------------------------------------------------------------------------------------
# margin gradients
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_margin_gradient_norms_match_finite_differences(cell):
    task = make_memory_task(4, 3, seed=1)
    model = _random_model(cell, task.n_x, seed=2)
    got = margin_gradient_norms(model, cell, task)
    eps = 1e-6
    x = task.x
    norms = np.zeros((task.m, task.T_x))
    for i in range(task.m):
        for k in range(task.T_x):
            g = np.zeros(task.n_x)
            for j in range(task.n_x):
                xp, xm = x[:, i:i + 1].copy(), x[:, i:i + 1].copy()
                xp[j, 0, k] += eps
                xm[j, 0, k] -= eps
                g[j] = (_margin(model, cell, xp) - _margin(model, cell, xm)) / (2 * eps)
            norms[i, k] = np.linalg.norm(g)
    expected = norms.mean(axis=0)
    assert np.allclose(got["per_step"], expected, rtol=1e-6, atol=1e-10)
    assert (got["first"], got["subject"], got["verb"]) == (got["per_step"][0], got["per_step"][1],
                                                          got["per_step"][-1])


def test_margin_gradient_of_a_memoryless_rnn_stops_at_the_last_word():
    # Waa = 0: the last state reads only the last input, so no earlier word moves the answer; at the
    # last word the gradient is ||Wax.T diag(1 - a^2) (Wy[1] - Wy[0])||, the same for every sentence
    task = make_memory_task(5, 4, seed=0)
    model = _random_model("rnn", task.n_x, seed=3)
    model["Waa"] = np.zeros_like(model["Waa"])
    got = margin_gradient_norms(model, "rnn", task)
    assert np.all(got["per_step"][:-1] == 0.0)
    a = np.tanh(model["Wax"] @ task.x[:, 0, -1] + model["ba"][:, 0])
    by_hand = np.linalg.norm(model["Wax"].T @ ((1 - a ** 2) * (model["Wy"][1] - model["Wy"][0])))
    assert got["verb"] == pytest.approx(by_hand, rel=1e-12)


def test_n_probe_uses_the_first_sentences():
    task = make_memory_task(20, 2, seed=0)
    model = _random_model("gru", task.n_x, seed=1)
    a = margin_gradient_norms(model, "gru", task, n_probe=7)["per_step"]
    b = margin_gradient_norms(model, "gru", make_memory_task(20, 2, seed=0), n_probe=7)["per_step"]
    assert np.array_equal(a, b)
    assert not np.allclose(a, margin_gradient_norms(model, "gru", task)["per_step"])


# ----------------------------------------------------------------------------------------------
# gate summaries
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_constant_gates_are_reported_exactly(cell):
    # gate weights 0 and bias b: every gate is sigmoid(b) at every unit, step and sentence
    task = make_memory_task(10, 4, seed=2)
    model = _random_model(cell, task.n_x, n_a=3)
    biases = {"Gamma_u": 1.5, "Gamma_r": -0.5, "Gamma_f": 2.0, "Gamma_o": -1.0}
    for name in GATES[cell]:
        letter = name[-1]
        model["W" + letter] = np.zeros_like(model["W" + letter])
        model["b" + letter] = np.full_like(model["b" + letter], biases[name])
    summary = gate_summary(model, cell, task)
    for name in GATES[cell]:
        for kind in ("mean", "unit"):
            for part in ("subject", "gap", "verb"):
                assert summary[name][kind][part] == pytest.approx(sigmoid(biases[name]), rel=1e-12)


def test_the_number_unit_is_the_one_that_stores_the_noun():
    # a designed GRU: unit 2 writes +-tanh(3) for cat / cats and holds it (Gamma_u = 1 at the noun only);
    # the other units never write (their candidate is 0), so their memory stays exactly 0
    task = make_memory_task(12, 3, seed=4)
    n_x, n_a = task.n_x, 4
    model = init_model("gru", n_x, n_a, 2, seed=0)
    cat, cats = task.vocab.index("cat"), task.vocab.index("cats")
    model["Wc"] = np.zeros((n_a, n_a + n_x))
    model["bc"] = np.zeros((n_a, 1))
    model["Wc"][2, n_a + cat], model["Wc"][2, n_a + cats] = 3.0, -3.0
    model["Wu"] = np.zeros((n_a, n_a + n_x))
    model["bu"] = np.full((n_a, 1), -40.0)                     # closed ...
    model["Wu"][:, n_a + cat] = model["Wu"][:, n_a + cats] = 80.0   # ... except at the noun
    summary = gate_summary(model, "gru", task)
    assert summary["number_unit"] == 2
    assert summary["separation"] == pytest.approx(2 * np.tanh(3.0), rel=1e-9)
    assert summary["Gamma_u"]["unit"]["subject"] == pytest.approx(1.0) and summary["Gamma_u"]["unit"]["gap"] < 1e-15


# ----------------------------------------------------------------------------------------------
# one run, a tiny sweep, storage, summaries
# ----------------------------------------------------------------------------------------------

TINY = dict(n_a=3, steps=3, batch_size=8, test_size=20, n_probe=10, history_every=1)


def test_run_one_is_reproducible_and_json_ready():
    a = run_one("lstm", 2, 1, keep_bias=1.0, **TINY)
    b = run_one("lstm", 2, 1, keep_bias=1.0, **TINY)
    a.pop("cpu_seconds"), b.pop("cpu_seconds")
    assert a == b
    assert json.loads(json.dumps(a)) == a
    assert len(a["history"]) == 3 and 0.0 <= a["test_accuracy"] <= 1.0
    assert set(a["gates"]) >= {"Gamma_f", "Gamma_u", "Gamma_o", "number_unit"}
    assert run_one("rnn", 2, 0, **TINY)["gates"] is None


def test_run_one_starts_from_the_model_fit_memory_task_trains():
    # before training, the probe must see the model with its keep bias. Along the memory path the
    # subject's gradient is about Gamma_u (at the noun) * (1 - Gamma_u)^(gap + 1): with the gates near
    # 1/2 that is 0.5^14 ~ 6e-5 for gap 12; with keep bias 3, sigmoid(-3) * (1 - sigmoid(-3))^13 ~ 0.025
    plain = run_one("gru", 12, 0, keep_bias=0.0, **TINY)["grad_init"]["subject"]
    kept = run_one("gru", 12, 0, keep_bias=3.0, **TINY)["grad_init"]["subject"]
    assert kept > 10 * plain


def test_a_tiny_sweep_has_every_run_and_round_trips_through_json(tmp_path):
    settings = dict(SWEEP_SETTINGS, configs=[["rnn", 0.0], ["gru", 2.0]], gaps=[1, 2], seeds=[0, 1], **TINY)
    seen = []
    results = run_sweep(settings, progress=seen.append)
    assert len(results["runs"]) == 2 * 2 * 2 == len(seen)
    path = tmp_path / "sweep.json"
    save_results(results, path)
    assert load_results(path) == json.loads(json.dumps(results))
    assert find_run(results, "gru", 2, 1, 2.0)["seed"] == 1
    with pytest.raises(KeyError, match="no run of GRU at gap 2, seed 1"):
        find_run(results, "gru", 2, 1, 0.0)


def _fake_results():
    runs = []
    for cell, kb, accs in (("rnn", 0.0, (1.0, 0.5, 0.95)), ("gru", 2.0, (0.88, 0.9, 1.0))):
        for seed, acc in enumerate(accs):
            for gap, scale in ((5, 1.0), (10, 0.1)):
                runs.append({"cell": cell, "keep_bias": kb, "gap": gap, "seed": seed, "test_accuracy": acc, "final_loss": 0.1, "history": [0.7, 0.1],
                             "grad_init": {"first": scale, "subject": scale, "verb": 1.0},
                             "grad_trained": {"first": scale, "subject": scale, "verb": 1.0},
                             "gates": None if cell == "rnn" else {
                                 "number_unit": 0, "separation": 1.0,
                                 "Gamma_u": {"mean": {"subject": 0.8, "gap": 0.1, "verb": 0.5},
                                             "unit": {"subject": 0.9, "gap": 0.0, "verb": 0.5}},
                                 "Gamma_r": {"mean": {"subject": 0.5, "gap": 0.5, "verb": 0.5},
                                             "unit": {"subject": 0.5, "gap": 0.5, "verb": 0.5}}}})
    return {"settings": dict(SWEEP_SETTINGS, configs=[["rnn", 0.0], ["gru", 2.0]], gaps=[5, 10], seeds=[0, 1, 2]),
            "runs": runs}


def test_summarize_by_hand():
    summary = summarize(_fake_results())
    assert list(summary) == ["RNN", "GRU, keep bias 2"]
    assert summary["RNN"][5]["mean"] == pytest.approx((1.0 + 0.5 + 0.95) / 3)
    assert summary["RNN"][5]["solved"] == 2 and summary["GRU, keep bias 2"][10]["solved"] == 2
    table = format_summary(summary)
    assert "0.82 (2/3)" in table and "0.93 (2/3)" in table


def test_figures_are_built_from_results():
    import matplotlib.pyplot as plt

    results = _fake_results()
    gru_runs = [r for r in results["runs"] if r["cell"] == "gru"]
    for fig in (plot_accuracy_vs_gap(results), plot_gradient_vs_gap(results),
                plot_gradient_vs_gap(results, position="first"), plot_gate_summary({"GRU": gru_runs})):
        plt.close(fig)
    with pytest.raises(ValueError, match="gate summaries of a GRU or an LSTM"):
        plot_gate_summary({"RNN": [r for r in results["runs"] if r["cell"] == "rnn"]})


def test_sweep_view_and_explorer_show_the_stored_runs():
    results = _fake_results()
    v = sweep_view(results, "RNN", 5)
    assert v["seeds"] == [0, 1, 2] and v["accuracies"] == [1.0, 0.5, 0.95] and v["solved"] == 2
    every = results["settings"]["history_every"]
    assert np.array_equal(v["steps"], np.array([1, 1 + every]))       # two stored losses per run
    explorer = sweep_explorer(results, config="GRU, keep bias 2", gap=10)
    r = explorer.set(config="RNN", gap=10)
    assert r["config"] == "RNN" and r["gap"] == 10 and np.isfinite(explorer.last_update_ms)
    lines = explorer.figure.axes[0].lines[:3]
    assert np.array_equal(lines[1].get_ydata(), np.minimum(r["histories"][1], 0.99))
    assert "1 of 3" not in explorer.figure.axes[0].get_title() and "2 of 3" in explorer.figure.axes[0].get_title()
    with pytest.raises(ValueError, match="config must be one of"):
        sweep_view(results, "GRU", 5)
    with pytest.raises(ValueError, match="gap must be one of"):
        sweep_explorer(results, gap=7)


def test_run_one_can_return_the_trained_model():
    record, model = run_one("gru", 2, 0, return_model=True, **TINY)
    assert set(model) >= {"Wu", "Wr", "Wc", "Wy", "by"} and model["Wy"].shape == (2, 3)
    again = run_one("gru", 2, 0, **TINY)
    assert record["test_accuracy"] == again["test_accuracy"]
    with pytest.raises(ValueError, match="return_model must be True or False"):
        run_one("gru", 2, 0, return_model=1, **TINY)


def test_labels_and_test_sets():
    assert config_label("gru", 2.0) == "GRU, keep bias 2" and config_label("rnn") == "RNN"
    a, b = capstone_test_task(7, 30), make_memory_task(30, 7, seed=10_007)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)


def test_sweep_explorer_redraws_fast_and_shows_the_new_legend():
    import io

    import matplotlib.pyplot as plt
    from PIL import Image

    explorer = sweep_explorer(_fake_results(), config="RNN", gap=5)
    explorer.set(gap=10)
    explorer.set(config="GRU, keep bias 2")        # each control moved once: the changing artists are known
    for values in ({"gap": 5}, {"config": "RNN"}, {"gap": 10}):
        r = explorer.set(**values)
        assert explorer.last_render == "layers", explorer._layers.reason
        legend = [t.get_text() for t in explorer.figure.axes[0].get_legend().get_texts()]
        assert legend == [f"seed {s}: test {a:.2f}" for s, a in zip(r["seeds"], r["accuracies"])]
        # the fast redraw shows what a full render shows, the legend's new accuracies included
        shown = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
        full = np.asarray(Image.open(io.BytesIO(explorer.snapshot_png())).convert("RGBA"))
        assert np.array_equal(shown, full), values
    plt.close(explorer.figure)


# ----------------------------------------------------------------------------------------------
# the stored sweep
# ----------------------------------------------------------------------------------------------

def test_the_stored_sweep_is_complete_and_follows_the_protocol():
    results = load_results()
    assert RESULTS_PATH.name == "sweep.json"
    assert results["settings"] == json.loads(json.dumps(SWEEP_SETTINGS))
    s = results["settings"]
    keys = {(r["cell"], float(r["keep_bias"]), r["gap"], r["seed"]) for r in results["runs"]}
    assert keys == {(c, float(kb), g, seed) for c, kb in s["configs"] for g in s["gaps"] for seed in s["seeds"]}
    for r in results["runs"]:
        assert 0.0 <= r["test_accuracy"] <= 1.0
        assert len(r["history"]) == len(range(0, s["steps"], s["history_every"]))
        assert (r["gates"] is None) == (r["cell"] == "rnn")


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

def test_bad_input_is_refused_with_clear_messages(tmp_path):
    task = make_memory_task(6, 3, seed=0)
    model = _random_model("gru", task.n_x)
    with pytest.raises(ValueError, match="keep_bias applies to the gated cells"):
        run_one("rnn", 3, 0, keep_bias=1.0, **TINY)
    with pytest.raises(ValueError, match="keep_bias must be a finite number >= 0"):
        config_label("gru", -1.0)
    with pytest.raises(ValueError, match="cell must be one of"):
        margin_gradient_norms(model, "tcn", task)
    with pytest.raises(ValueError, match="one fixed gap"):
        margin_gradient_norms(model, "gru", make_memory_task(6, (2, 4), seed=0))
    with pytest.raises(KeyError, match="missing the lstm parameter"):
        margin_gradient_norms(model, "lstm", task)
    with pytest.raises(ValueError, match="model reads n_x = 5 inputs"):
        margin_gradient_norms(_random_model("gru", 5), "gru", task)
    with pytest.raises(ValueError, match="a gap of at least 1 word"):
        gate_summary(model, "gru", make_memory_task(6, 0, seed=0))
    with pytest.raises(ValueError, match="must hold both labels"):
        gate_summary(model, "gru", task, n_probe=1)
    with pytest.raises(ValueError, match="test must have the gap 4"):
        run_one("gru", 4, 0, test=task, **TINY)
    with pytest.raises(KeyError, match="settings is missing"):
        run_sweep({"configs": []})
    with pytest.raises(ValueError, match="existing JSON file"):
        load_results(tmp_path / "nothing.json")
    with pytest.raises(ValueError, match="results must be a dict with 'settings' and 'runs'"):
        save_results({"runs": []}, tmp_path / "x.json")
