"""Networks of notebooks 10 and 11: padding independence, loss and gradients by finite differences,
training, influence by finite differences and causality, streaming, gradient checks, depth costs,
the explorer without a browser, figures, bad input."""
import numpy as np
import pytest

from helpers.views.brnn_explorers import (
    accuracy_by_role,
    brnn_computation_order,
    brnn_gradient_check,
    deep_gradient_check,
    depth_costs,
    format_tagged_sentence,
    influence_explorer,
    influence_view,
    masked_accuracy,
    output_influence,
    plot_accuracy_by_role,
    plot_brnn_graph,
    plot_deep_grid,
    plot_depth_costs,
    plot_streaming,
    streaming_probabilities,
)
from helpers.gradcheck import numerical_gradient, relative_error
from helpers.networks import (fit_network, flat_parameters, init_network, network_loss_and_gradients,
                              network_probabilities, network_scores, predict_network)
from helpers.tasks.lookahead_task import encode_lookahead, lookahead_vocabulary, make_lookahead_data

KINDS = [("uni", {}), ("bi", {}), ("deep", {"n_layers": 2}), ("deep", {"n_layers": 2, "bidirectional": True}),
         ("deep", {"n_layers": 1, "head_sizes": (3,)})]
KIND_IDS = ["uni", "bi", "deep", "deep-bi", "deep-head"]


def _moved(network, seed=0, scale=0.4):
    """The same network with every parameter moved off its initialisation (non-zero biases)."""
    rng = np.random.default_rng(seed + 50)
    out = dict(network)

    def move(tree):
        if isinstance(tree, dict):
            return {k: move(v) for k, v in tree.items()}
        if isinstance(tree, list):
            return [move(v) for v in tree]
        return tree + scale * rng.normal(size=tree.shape)

    out["parameters"] = move(network["parameters"])
    return out


def _batch(n_x=4, m=5, T=6, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n_x, m, T))
    lengths = np.array([6, 3, 6, 1, 4])[:m]
    for i, L in enumerate(lengths):
        x[:, i, L:] = 0.0
    return x, lengths


# ----------------------------------------------------------------------------------------------
# networks
# ----------------------------------------------------------------------------------------------

def test_init_network_kinds_and_shared_forward_chain():
    uni = init_network("uni", 5, 4, 2, cell="gru", seed=3)
    bi = init_network("bi", 5, 4, 2, cell="gru", seed=3)
    assert uni["parameters"]["Wy"].shape == (2, 4) and bi["parameters"]["Wy"].shape == (2, 8)
    assert not uni["bidirectional"] and bi["bidirectional"]
    for k, v in uni["parameters"]["forward"].items():       # documented: same seed, same forward chain
        assert np.array_equal(v, bi["parameters"]["forward"][k])
    deep = init_network("deep", 5, 4, 3, cell="lstm", n_layers=3, bidirectional=True, head_sizes=(6,))
    assert len(deep["parameters"]["layers"]) == 3 and deep["parameters"]["Wy"].shape == (3, 6)
    again = init_network("deep", 5, 4, 3, cell="lstm", n_layers=3, bidirectional=True, head_sizes=(6,))
    assert all(np.array_equal(a, b) for a, b in zip(flat_parameters(deep).values(), flat_parameters(again).values()))


@pytest.mark.parametrize("kind, opts", KINDS, ids=KIND_IDS)
def test_each_sequence_runs_over_its_own_length(kind, opts):
    # padding must not change the scores of the real steps: compare with each sequence run alone
    x, lengths = _batch()
    net = _moved(init_network(kind, 4, 3, 2, cell="rnn", seed=1, **opts))
    z = network_scores(net, x, lengths)
    for i, L in enumerate(lengths):
        alone = network_scores(net, x[:, i:i + 1, :L])
        assert np.allclose(z[:, i, :L], alone[:, 0], rtol=0, atol=1e-12)
        assert np.all(z[:, i, L:] == 0.0)


def test_backward_chain_would_see_the_padding_without_grouping():
    # the reason for grouping: a bidirectional network run over the padded array gives other scores
    x, lengths = _batch()
    net = _moved(init_network("bi", 4, 3, 2, seed=1))
    padded_run = network_scores(net, x[:, 1:2, :])            # sequence 1 (3 real steps) with its padding
    own_run = network_scores(net, x[:, 1:2, :3])
    assert not np.allclose(padded_run[:, 0, :3], own_run[:, 0])


# every kind with the RNN cell, and the gated cells once each: the cells' own backward passes are
# checked in test_bidirectional.py and test_deep.py; here it is the wrapper (grouping by length, masks,
# the sum over the groups, matching every parameter with its gradient) that is under test
FD_CASES = [(kind, opts, "rnn") for kind, opts in KINDS] + [("bi", {}, "lstm"), ("deep", {"n_layers": 2}, "gru")]
FD_IDS = [f"rnn-{k}" for k in KIND_IDS] + ["lstm-bi", "gru-deep"]


@pytest.mark.parametrize("kind, opts, cell", FD_CASES, ids=FD_IDS)
def test_loss_gradients_match_finite_differences(kind, opts, cell):
    x, lengths = _batch(m=4)
    rng = np.random.default_rng(7)
    y = rng.integers(0, 3, size=(4, 6))
    mask = (np.arange(6)[None, :] < lengths[:, None]).astype(float)
    mask[0, 2] = 0.0                                            # a real step without a target
    net = _moved(init_network(kind, 4, 3, 3, cell=cell, seed=2, **opts), scale=0.8)
    loss, grads = network_loss_and_gradients(net, x, y, mask, lengths)
    flat = flat_parameters(net)
    paths = list(flat)

    def rebuild(values):
        out = dict(net)
        out["parameters"] = _rebuild_like(net["parameters"], iter(values))
        return out

    def f(name):
        def loss_of(value):
            values = [value if p == name else flat[p] for p in paths]
            return network_loss_and_gradients(rebuild(values), x, y, mask, lengths)[0]
        return loss_of

    # step 1e-5: some gate gradients are ~1e-5, and the rounding noise of the centred difference grows
    # like 1 / eps (a 1e-6 step would swamp them); its truncation error ~eps**2 stays far below 1e-7
    for name in paths:
        numeric = numerical_gradient(f(name), flat[name].copy(), eps=1e-5)
        assert relative_error(grads["d" + name], numeric) < 1e-7, name


def _rebuild_like(tree, values):
    if isinstance(tree, dict):
        return {k: _rebuild_like(v, values) for k, v in tree.items()}
    if isinstance(tree, list):
        return [_rebuild_like(v, values) for v in tree]
    return next(values)


def test_loss_of_an_undecided_network_is_log_n_y_per_target():
    # Wy = 0 and by = 0 give equal scores: every target step costs log(n_y); the loss is divided by m
    x, lengths = _batch(m=5)
    net = init_network("bi", 4, 3, 3, seed=0)
    net["parameters"]["Wy"] = np.zeros_like(net["parameters"]["Wy"])
    y = np.zeros((5, 6), dtype=int)
    loss, _ = network_loss_and_gradients(net, x, y, lengths=lengths)
    assert loss == pytest.approx(lengths.sum() * np.log(3) / 5, rel=1e-12)
    mask = np.zeros((5, 6))
    mask[np.arange(5), lengths - 1] = 1.0                        # many-to-one: one target per sequence
    loss, _ = network_loss_and_gradients(net, x, y, mask, lengths)
    assert loss == pytest.approx(np.log(3), rel=1e-12)


def test_fit_network_learns_reproducibly_and_leaves_its_input_alone():
    # learn to copy the sign of the first input at every step: a bidirectional RNN can read it anywhere
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 40, 4))
    y = np.repeat((x[0, :, :1] > 0).astype(int), 4, axis=1)
    net = init_network("bi", 2, 4, 2, seed=0)
    before = {k: v.copy() for k, v in flat_parameters(net).items()}
    trained, history = fit_network(net, x, y, epochs=40, batch_size=20, learning_rate=0.05, seed=1)
    again, history2 = fit_network(net, x, y, epochs=40, batch_size=20, learning_rate=0.05, seed=1)
    assert np.array_equal(history, history2)
    assert history[-1] < 0.5 * history[0]
    assert all(np.array_equal(v, before[k]) for k, v in flat_parameters(net).items())
    assert masked_accuracy(predict_network(trained, x), y, np.ones_like(y)) > 0.9


def test_probabilities_sum_to_one_on_real_steps_and_zero_on_padding():
    x, lengths = _batch()
    net = _moved(init_network("bi", 4, 3, 3, seed=4))
    p = network_probabilities(net, x, lengths)
    real = np.arange(6)[None, :] < lengths[:, None]
    assert np.allclose(p.sum(axis=0)[real], 1.0) and np.all(p[:, ~real] == 0.0)


def test_masked_accuracy_and_roles_by_hand():
    pred = np.array([[1, 0, 1], [0, 0, 0]])
    y = np.array([[1, 1, 1], [0, 1, 0]])
    mask = np.array([[1, 1, 0], [1, 1, 1]])
    assert masked_accuracy(pred, y, mask) == pytest.approx(3 / 5)
    assert np.isnan(masked_accuracy(pred, y, np.zeros_like(mask)))
    data = {"y": y, "mask": mask, "roles": np.array([[0, 0, 3], [3, 1, -1]])}
    acc = accuracy_by_role(pred, data)
    assert acc["ambiguous"] == 0.5 and acc["surname"] == 0.0 and acc["other"] == 1.0
    assert np.isnan(acc["first name"]) and acc["all"] == pytest.approx(3 / 5)


# ----------------------------------------------------------------------------------------------
# influence and streaming
# ----------------------------------------------------------------------------------------------

def _softmax_at(net, x, t):
    z = network_scores(net, x)[:, :, t]
    e = np.exp(z - z.max(axis=0))
    return e / e.sum(axis=0)


@pytest.mark.parametrize("kind, opts", KINDS, ids=KIND_IDS)
def test_output_influence_matches_a_finite_difference_jacobian(kind, opts):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(3, 2, 5))
    net = _moved(init_network(kind, 3, 3, 3, cell="gru", seed=5, **opts))
    t = 2
    influence = output_influence(net, x, t)
    eps = 1e-6
    expected = np.zeros(5)
    for k in range(5):
        total = 0.0
        for i in range(3):
            for b in range(2):
                xp, xm = x.copy(), x.copy()
                xp[i, b, k] += eps
                xm[i, b, k] -= eps
                column = (_softmax_at(net, xp, t) - _softmax_at(net, xm, t)) / (2 * eps)
                total += np.sum(column ** 2)
        expected[k] = np.sqrt(total)
    assert np.allclose(influence, expected, rtol=1e-6, atol=1e-10)


def test_unidirectional_influence_is_exactly_zero_after_t_and_bidirectional_is_not():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(3, 1, 6))
    uni = _moved(init_network("uni", 3, 4, 2, seed=0))
    bi = _moved(init_network("bi", 3, 4, 2, seed=0))
    for t in range(6):
        u = output_influence(uni, x, t)
        b = output_influence(bi, x, t)
        assert np.all(u[t + 1:] == 0.0) and np.all(u[:t + 1] > 0.0)
        assert np.all(b > 0.0)
    view = influence_view(uni, bi, x, 3)
    assert view["future_uni"] == 0.0 and view["future_bi"] > 0.0
    assert view["uni_share"].sum() == pytest.approx(1.0) and view["bi_share"].sum() == pytest.approx(1.0)
    assert view["index"] == 2 and view["tokens"] == ["1", "2", "3", "4", "5", "6"]


def test_streaming_uni_never_changes_its_mind_and_the_last_row_is_the_full_sentence():
    rng = np.random.default_rng(5)
    x = rng.normal(size=(3, 1, 5))
    uni = _moved(init_network("uni", 3, 4, 2, seed=1))
    bi = _moved(init_network("bi", 3, 4, 2, seed=1))
    P_uni = streaming_probabilities(uni, x)
    P_bi = streaming_probabilities(bi, x)
    for P, net in ((P_uni, uni), (P_bi, bi)):
        assert np.all(np.isnan(P[np.triu_indices(5, 1)]))
        assert np.allclose(P[-1], network_probabilities(net, x)[1, 0], rtol=0, atol=1e-14)
    for t in range(5):                          # causality: the answer for word t is fixed once it is read
        assert np.allclose(P_uni[t:, t], P_uni[t, t], rtol=0, atol=1e-14)
    assert not np.allclose(np.diag(P_bi), P_bi[-1])   # a BRNN revises earlier answers as words arrive


# ----------------------------------------------------------------------------------------------
# the explorer, without a browser
# ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def tagging():
    vocab = lookahead_vocabulary()
    data = encode_lookahead(*make_lookahead_data(12, seed=9), vocab)
    uni = _moved(init_network("uni", len(vocab), 4, 2, seed=0), scale=0.1)
    bi = _moved(init_network("bi", len(vocab), 4, 2, seed=0), scale=0.1)
    return data, uni, bi


def test_influence_explorer_updates_and_clamps_t(tagging):
    data, uni, bi = tagging
    examples = [0, 1, 2]
    explorer = influence_explorer(uni, bi, data, examples, t=2)
    assert explorer.result["t"] == 2 and np.isfinite(explorer.last_update_ms)
    i = 1
    L = int(data["lengths"][i])
    r = explorer.set(sentence=i, t=L)
    assert r["tokens"] == data["tokens"][i] and r["t"] == L and r["future_uni"] == 0.0
    assert explorer.controls["t"].max == L
    assert r["tag"] == data["y"][i, L - 1]
    direct = influence_view(uni, bi, data["x"][:, i:i + 1, :L], L, data["tokens"][i])
    assert np.array_equal(r["bi"], direct["bi"])
    # the bars show the shares: the visible ones are the sentence's words
    bars = explorer.figure.axes[1].patches
    assert sum(b.get_visible() for b in bars) == L
    assert np.allclose([b.get_height() for b in bars[:L]], r["bi_share"])


def test_influence_explorer_moves_keep_the_layout_and_redraw_fast(tagging):
    import io

    from PIL import Image
    data, uni, bi = tagging
    explorer = influence_explorer(uni, bi, data, [0, 1, 2], t=1)
    explorer.set(t=2)
    explorer.set(sentence=1)                       # each control moved once: the changing artists are known
    axes = explorer.figure.axes
    limits = [ax.get_xlim() for ax in axes]
    for values in ({"t": 1}, {"sentence": 2}, {"t": int(data["lengths"][2])}, {"sentence": 0, "t": 2}):
        r = explorer.set(**values)
        assert explorer.last_render == "layers", explorer._layers.reason
        assert [ax.get_xlim() for ax in axes] == limits     # room for the longest sentence, always
        shown = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
        full = np.asarray(Image.open(io.BytesIO(explorer.snapshot_png())).convert("RGBA"))
        assert np.array_equal(shown, full), values
        words = [t.get_text() for t in explorer.word_row.members if t.get_visible()]
        assert words == list(r["tokens"])                   # the words under the bars
    texts = [a for a in explorer._layers.dynamic if type(a).__name__ == "Text"]
    assert len(texts) == 2                         # the two P(name) lines; the words are pasted pictures


def test_influence_explorer_rejects_bad_arguments(tagging):
    data, uni, bi = tagging
    with pytest.raises(ValueError, match="examples must be a non-empty list"):
        influence_explorer(uni, bi, data, [])
    with pytest.raises(ValueError, match="indices below m = 12"):
        influence_explorer(uni, bi, data, [0, 99])
    with pytest.raises(ValueError, match="example must be one of examples"):
        influence_explorer(uni, bi, data, [0, 1], example=5)
    with pytest.raises(ValueError, match="data must be the dict of encode_lookahead"):
        influence_explorer(uni, bi, {"x": data["x"]}, [0])


# ----------------------------------------------------------------------------------------------
# graph order, gradient checks, depth costs
# ----------------------------------------------------------------------------------------------

def test_computation_order_is_topological_for_the_brnn_graph():
    T = 5
    order = brnn_computation_order(T)
    position = {node: k for k, node in enumerate(order)}
    assert len(order) == 3 * T and len(position) == 3 * T
    for t in range(1, T + 1):
        if t > 1:
            assert position[("fwd", t - 1)] < position[("fwd", t)]
        if t < T:
            assert position[("bwd", t + 1)] < position[("bwd", t)]
        assert position[("fwd", t)] < position[("y", t)] and position[("bwd", t)] < position[("y", t)]


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_gradient_checks_pass(cell):
    errors = brnn_gradient_check(cell)
    assert {"forward/Wy"} & set(errors) == set() and "backward/" + ("Wax" if cell == "rnn" else "Wc") in errors
    assert max(errors.values()) < 1e-7
    errors = deep_gradient_check(cell, n_layers=2, bidirectional=True, head_sizes=(2,), m=1, T=3)
    assert "head/0/V" in errors and "layers/1/backward/" + ("Waa" if cell == "rnn" else "Wu") in errors
    assert max(errors.values()) < 1e-7


@pytest.mark.parametrize("cell, blocks", [("rnn", 1), ("gru", 3), ("lstm", 4)])
def test_depth_costs_count_the_parameters_of_the_formula(cell, blocks):
    # one layer: blocks * n_a (n_a + n_in + 1); layer 1 reads n_x, the others n_a; plus Wy, by
    n_x, n_a, n_y, T = 7, 5, 3, 11
    rows = depth_costs(cell, layers=(1, 2, 3), n_x=n_x, n_a=n_a, n_y=n_y, T=T, m=2, timing=False)
    for row in rows:
        L = row["n_layers"]
        expected = blocks * (n_a * (n_a + n_x + 1) + (L - 1) * n_a * (2 * n_a + 1)) + n_y * (n_a + 1)
        assert row["parameters"] == expected
        assert row["cell_steps"] == L * T and row["stored"] == L * T * n_a * 2
        assert np.isnan(row["ms_per_step"])
    timed = depth_costs(cell, layers=(1,), n_x=3, n_a=3, n_y=2, T=4, m=1, repeats=1)
    assert timed[0]["ms_per_step"] > 0


# ----------------------------------------------------------------------------------------------
# figures and text
# ----------------------------------------------------------------------------------------------

def test_figures_are_built():
    import matplotlib.pyplot as plt

    figs = [plot_brnn_graph(3), plot_deep_grid(2, 3, highlight=(2, 2)),
            plot_depth_costs(depth_costs("rnn", layers=(1, 2), n_x=3, n_a=3, n_y=2, T=3, m=1, repeats=1)),
            plot_depth_costs(depth_costs("rnn", layers=(1, 2), n_x=3, n_a=3, n_y=2, T=3, m=1, timing=False)),
            plot_accuracy_by_role({"a": {"all": 1.0, "x": 0.5}, "b": {"all": 0.9, "x": 0.7}}),
            plot_streaming(np.tril(np.full((3, 3), 0.5)), np.tril(np.full((3, 3), 0.2)), ["a", "b", "c"])]
    assert [len(f.axes) for f in figs[2:4]] == [2, 1]
    for f in figs:
        plt.close(f)


def test_format_tagged_sentence_marks_wrong_answers():
    text = format_tagged_sentence(["teddy", "bears"], [0, 0], [0.7, 0.1], [0.2, 0.1])
    lines = text.splitlines()
    assert lines[1].split() == ["teddy", "0", "0.70", "x", "0.20"]
    assert lines[2].split() == ["bears", "0", "0.10", "0.10"]


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

def test_bad_input_is_refused_with_clear_messages():
    net = init_network("uni", 3, 2, 2)
    x = np.zeros((3, 2, 4))
    with pytest.raises(ValueError, match="kind must be one of"):
        init_network("both", 3, 2)
    with pytest.raises(ValueError, match="options of kind='deep'"):
        init_network("bi", 3, 2, n_layers=2)
    with pytest.raises(ValueError, match="n_y must be an integer >= 2"):
        init_network("uni", 3, 2, 1)
    with pytest.raises(ValueError, match="network must be a dict made by init_network"):
        network_scores({"parameters": {}}, x)
    with pytest.raises(ValueError, match=r"lengths must lie in \[1, T_x\] = \[1, 4\]"):
        network_scores(net, x, np.array([0, 4]))
    with pytest.raises(ValueError, match=r"lengths must be an integer array of shape \(m,\) = \(2,\)"):
        network_scores(net, x, np.array([4.0, 4.0]))
    with pytest.raises(ValueError, match=r"y must be an integer array .* \(2, 4\)"):
        network_loss_and_gradients(net, x, np.zeros((2, 3), dtype=int))
    with pytest.raises(ValueError, match="mask must be 0 after each sequence's length"):
        network_loss_and_gradients(net, x, np.zeros((2, 4), dtype=int), np.ones((2, 4)), np.array([4, 2]))
    with pytest.raises(ValueError, match=r"t must be a time index in 0 .. T_x - 1 = 3"):
        output_influence(net, x, 4)
    with pytest.raises(ValueError, match=r"x must have shape \(n_x, 1, T\)"):
        streaming_probabilities(net, x)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        fit_network(net, x, np.zeros((2, 4), dtype=int), epochs=0)
    with pytest.raises(ValueError, match="clip must be a positive number or None"):
        fit_network(net, x, np.zeros((2, 4), dtype=int), clip=-1.0)
    with pytest.raises(ValueError, match="highlight must lie in the grid"):
        plot_deep_grid(2, 3, highlight=(3, 1))
    with pytest.raises(ValueError, match="one entry per word"):
        format_tagged_sentence(["a"], [0, 1], [0.1], [0.1])
    with pytest.raises(ValueError, match="layers must be a non-empty tuple"):
        depth_costs("rnn", layers=())


def test_influence_note_says_when_the_prediction_is_saturated():
    """P that rounds to 0.00 or 1.00: the shares split a tiny gradient, and the note says how tiny
    (with P to one digit instead of 0.00); otherwise P to two decimals and the later words' share."""
    from helpers.views.brnn_explorers import _influence_note
    assert _influence_note(0.5, 0.2, 0.1) == "P(name) = 0.50, from later words: 10%"
    low = _influence_note(1.46e-05, 7.1e-04, 0.25)
    assert low.startswith("P(name) = 1e-05, saturated") and "7e-04" in low and low.endswith("25%")
    high = _influence_note(1.0 - 1e-4, 0.02, 0.58)
    assert high.startswith("P(name) = 1 − 1e-04, saturated") and "2e-02" in high
    assert _influence_note(0.0, 0.0, 0.0).startswith("P(name) = 0, saturated")
    assert "0.00" not in low + high
