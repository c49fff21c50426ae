"""Tests of helpers.deep: stacked (deep) recurrent networks of any cell, with a head, bidirectional.

Why each expected value can be trusted:
- every gradient (each parameter of each layer and direction, the head, Wy, by, x, the initial states) is
  compared with centred finite differences of the forward pass (float64, relative error < 1e-7);
- the whole network is rebuilt here from the one-step reference cells (rnn_cell_forward, gru_cell_forward,
  lstm_cell_forward and their backward functions), step by step and layer by layer, and must agree with
  the sequence code to ~1e-12, forward and backward;
- a one-layer deep network must be exactly the cell module's own sequence function plus the output layer,
  and a one-layer deep bidirectional network exactly the BRNN of helpers.bidirectional;
- count_parameters is compared with the closed formula n_a (n_a + n_in + 1) per RNN layer (3x for the full
  GRU, 4x for the LSTM) plus n_y (n_top + 1) for the output layer.
"""
import numpy as np
import pytest

from helpers import gru, lstm, rnn
from helpers.activations import sigmoid, softmax
from helpers.bidirectional import brnn_backward, brnn_forward
from helpers.cells import get_cell
from helpers.deep import (
    count_parameters,
    deep_rnn_backward,
    deep_rnn_forward,
    flatten_parameters,
    initialize_deep_parameters,
    unflatten_parameters,
)
from helpers.gradcheck import gradient_check
from helpers.losses import sigmoid_cross_entropy, softmax_cross_entropy
from helpers.optim import SGD

N_X, N_Y, T_X = 3, 3, 4
TOL = 1e-7


def make_net(cell, n_layers, head, bidirectional, m, seed=0, options=None, n_y=N_Y, T=T_X):
    """A small network with every parameter random (biases too), an input and random initial states.

    n_a = 4, 5, 4 for layers 1, 2, 3; a bidirectional layer has 3 units per direction (6 in all), which
    keeps its finite-difference checks quick.
    """
    options = options or {}
    n_a = [3, 3, 3][:n_layers] if bidirectional else [4, 5, 4][:n_layers]
    params = initialize_deep_parameters(N_X, n_a, n_y, n_layers, cell=cell, seed=seed,
                                        head_sizes=(3,) if head else (), bidirectional=bidirectional, **options)
    rng = np.random.default_rng(seed + 100)
    flat = {k: rng.normal(0.0, 0.6, v.shape) for k, v in flatten_parameters(params).items()}
    params = unflatten_parameters(flat, params)
    x = rng.normal(0.0, 1.0, (N_X, m, T))
    h0 = [rng.normal(0.0, 0.5, ((2 if bidirectional else 1) * n, m)) for n in n_a]
    return params, x, h0


def labels_and_mask(m, loss_on, seed=7, T=T_X):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, N_Y, size=(m, T))
    mask = np.ones((m, T))
    if loss_on == "last":
        mask[:, :-1] = 0.0
    return labels, mask


# ----------------------------------------------------------------------------------------------
# gradients against finite differences
# ----------------------------------------------------------------------------------------------

# (cell, options, n_layers, head, bidirectional, loss on, m): every cell with 1, 2 and 3 layers, with and
# without head, bidirectional stacks of every cell, loss on every step or on the last one, m = 1 and m = 3
FD_CASES = [
    ("rnn", {}, 1, False, False, "every", 1),
    ("rnn", {}, 2, True, False, "last", 3),
    ("rnn", {"activation": "linear"}, 3, False, False, "every", 3),
    ("rnn", {}, 2, True, True, "every", 3),
    ("rnn", {}, 3, False, True, "last", 1),
    ("gru", {}, 1, True, False, "last", 3),
    ("gru", {}, 2, False, False, "every", 1),
    ("gru", {"simplified": True}, 3, True, False, "every", 2),
    ("gru", {}, 2, True, True, "last", 1),
    ("lstm", {}, 1, False, False, "every", 3),
    ("lstm", {"peephole": True}, 2, True, False, "every", 1),
    ("lstm", {}, 3, False, False, "last", 2),
    ("lstm", {}, 2, False, True, "every", 1),
]

# Small gradients (a loss on the last step only, three layers down) make the rounding error of the
# difference quotient, about 1e-16 |L| / eps per entry, the larger error at eps = 1e-6; at eps = 1e-5 it is
# ten times smaller while the truncation error, O(eps^2), stays far below 1e-7.
EPS = 1e-5


@pytest.mark.parametrize("cell,options,n_layers,head,bidirectional,loss_on,m", FD_CASES)
def test_backward_matches_finite_differences(cell, options, n_layers, head, bidirectional, loss_on, m):
    params, x, h0 = make_net(cell, n_layers, head, bidirectional, m, options=options)
    labels, mask = labels_and_mask(m, loss_on)
    flat = flatten_parameters(params)
    inputs = {**flat, "x": x, **{f"h0[{l + 1}]": h for l, h in enumerate(h0)}}

    def loss(d):
        p = unflatten_parameters({k: d[k] for k in flat}, params)
        states0 = [d[f"h0[{l + 1}]"] for l in range(n_layers)]
        z, _, _ = deep_rnn_forward(d["x"], p, cell=cell, h0=states0, bidirectional=bidirectional,
                                   output="linear", **options)
        return softmax_cross_entropy(z, labels, mask=mask)[0]

    z, _, caches = deep_rnn_forward(x, params, cell=cell, h0=h0, bidirectional=bidirectional,
                                    output="linear", **options)
    _, dz = softmax_cross_entropy(z, labels, mask=mask)
    grads = flatten_parameters(deep_rnn_backward(dz, caches))
    analytic = {name: grads["d" + name] for name in inputs}
    errors = gradient_check(loss, inputs, analytic, eps=EPS)
    # every parameter of every layer (and direction), the head, Wy, by, x and every h0 was checked
    assert len(errors) == len(flat) + 1 + n_layers
    assert max(errors.values()) < TOL, errors


def test_backward_matches_finite_differences_with_sigmoid_outputs():
    cell, m = "rnn", 2
    params, x, h0 = make_net(cell, 2, True, False, m, seed=3)
    y = (np.random.default_rng(5).random((N_Y, m, T_X)) > 0.5).astype(float)
    flat = flatten_parameters(params)

    def loss(d):
        p = unflatten_parameters(d, params)
        z = deep_rnn_forward(x, p, cell=cell, h0=h0, output="linear")[0]
        return sigmoid_cross_entropy(z, y)[0]

    z, _, caches = deep_rnn_forward(x, params, cell=cell, h0=h0, output="linear")
    grads = flatten_parameters(deep_rnn_backward(sigmoid_cross_entropy(z, y)[1], caches))
    errors = gradient_check(loss, flat, {name: grads["d" + name] for name in flat}, eps=EPS)
    assert max(errors.values()) < TOL, errors


# ----------------------------------------------------------------------------------------------
# the network rebuilt from the one-step reference cells
# ----------------------------------------------------------------------------------------------

def cell_step(cell, options, xt, state, p):
    """One step of the cell module's reference function; state is (a,) or (a, c) for the LSTM."""
    n_a = state[0].shape[0]
    full = {**p, "Wya": np.zeros((2, n_a)), "Wy": np.zeros((2, n_a)), "by": np.zeros((2, 1))}
    if cell == "rnn":
        a, _, cache = rnn.rnn_cell_forward(xt, state[0], full, **options)
        return (a,), cache
    if cell == "gru":
        c, _, cache = gru.gru_cell_forward(xt, state[0], full, **options)
        return (c,), cache
    a, c, _, cache = lstm.lstm_cell_forward(xt, state[0], state[1], full, **options)
    return (a, c), cache


def cell_step_backward(cell, dstate, cache):
    """Backward of one reference step: (dxt, dstate_prev, parameter gradients)."""
    if cell == "rnn":
        g = rnn.rnn_cell_backward(dstate[0], cache)
        return g.pop("dxt"), (g.pop("da_prev"),), g
    if cell == "gru":
        g = gru.gru_cell_backward(dstate[0], cache)
        return g.pop("dxt"), (g.pop("dc_prev"),), g
    g = lstm.lstm_cell_backward(dstate[0], dstate[1], cache)
    return g.pop("dxt"), (g.pop("da_prev"), g.pop("dc_prev")), g


def reference_forward_backward(cell, options, params, x, h0, dz):
    """A unidirectional deep network, one cell step at a time, and its backward pass, interleaving
    the layers and the steps: at step t, layer l receives dL/da^[l]<t> from its own step t + 1 and
    from layer l + 1 at step t. The head and output layer are applied one step at a time."""
    L, (_, m, T) = len(params["layers"]), x.shape
    states, caches = [[None] * T for _ in range(L)], [[None] * T for _ in range(L)]
    for t in range(T):
        inp = x[:, :, t]
        for l, p in enumerate(params["layers"]):
            if t > 0:
                prev = states[l][t - 1]
            else:                                   # the LSTM's memory starts at c<0> = 0
                prev = (h0[l], np.zeros_like(h0[l])) if cell == "lstm" else (h0[l],)
            states[l][t], caches[l][t] = cell_step(cell, options, inp, prev, p)
            inp = states[l][t][0]
    z = np.empty((params["Wy"].shape[0], m, T))
    d_steps = []
    for t in range(T):
        d = [states[-1][t][0]]
        for h in params["head"]:
            d.append(np.tanh(h["V"] @ d[-1] + h["e"]))
        d_steps.append(d)
        z[:, :, t] = params["Wy"] @ d[-1] + params["by"]

    grads = {"layers": [{} for _ in range(L)], "head": [{"dV": 0.0, "de": 0.0} for _ in params["head"]],
             "dWy": 0.0, "dby": 0.0, "dx": np.zeros_like(x)}
    dstate_next = [None] * L
    for t in reversed(range(T)):
        d = d_steps[t]
        grads["dWy"] = grads["dWy"] + dz[:, :, t] @ d[-1].T
        grads["dby"] = grads["dby"] + dz[:, :, t].sum(axis=1, keepdims=True)
        dd = params["Wy"].T @ dz[:, :, t]
        for k in reversed(range(len(params["head"]))):
            dpre = dd * (1.0 - d[k + 1] ** 2)
            grads["head"][k]["dV"] = grads["head"][k]["dV"] + dpre @ d[k].T
            grads["head"][k]["de"] = grads["head"][k]["de"] + dpre.sum(axis=1, keepdims=True)
            dd = params["head"][k]["V"].T @ dpre
        from_above = dd
        for l in reversed(range(L)):
            dstate = list(dstate_next[l]) if dstate_next[l] is not None else [0.0 * s for s in states[l][t]]
            dstate[0] = dstate[0] + from_above
            from_above, dstate_next[l], g = cell_step_backward(cell, dstate, caches[l][t])
            for key, value in g.items():
                grads["layers"][l][key] = grads["layers"][l].get(key, 0.0) + value
        grads["dx"][:, :, t] = from_above
    for l in range(L):
        grads["layers"][l]["dh0"] = dstate_next[l][0]
    return [np.stack([s[0] for s in states[l]], axis=2) for l in range(L)], z, grads


@pytest.mark.parametrize("cell,options", [("rnn", {}), ("rnn", {"activation": "relu"}), ("gru", {}),
                                          ("gru", {"simplified": True}), ("lstm", {}),
                                          ("lstm", {"peephole": True})])
@pytest.mark.parametrize("head", [False, True])
def test_sequence_code_equals_the_network_built_from_cells(cell, options, head):
    m = 3
    params, x, h0 = make_net(cell, 3, head, False, m, seed=11, options=options)
    dz = np.random.default_rng(2).normal(size=(N_Y, m, T_X))
    states_ref, z_ref, grads_ref = reference_forward_backward(cell, options, params, x, h0, dz)

    z, states, caches = deep_rnn_forward(x, params, cell=cell, h0=h0, output="linear", **options)
    assert np.allclose(z, z_ref, rtol=0, atol=1e-12)
    for s, s_ref in zip(states, states_ref):
        assert np.allclose(s, s_ref, rtol=0, atol=1e-12)
    grads = flatten_parameters(deep_rnn_backward(dz, caches))
    expected = flatten_parameters(grads_ref)
    assert sorted(grads) == sorted(expected)
    for name in grads:
        assert np.allclose(grads[name], expected[name], rtol=0, atol=1e-12), name


@pytest.mark.parametrize("cell", ["rnn", "gru"])
def test_one_state_of_layer_two_by_hand(cell):
    """a^[2]<3> = cell(a^[1]<3>, a^[2]<2>): one reference step from two states the network returned."""
    params, x, h0 = make_net(cell, 2, False, False, 2, seed=4)
    _, states, _ = deep_rnn_forward(x, params, cell=cell, h0=h0)
    (a23,), _ = cell_step(cell, {}, states[0][:, :, 2], (states[1][:, :, 1],), params["layers"][1])
    assert np.allclose(states[1][:, :, 2], a23, rtol=0, atol=1e-12)


def test_one_state_of_layer_two_by_hand_lstm():
    """For the LSTM the memory c^[2] stays inside the layer, so run layer 2's reference steps up to t = 3
    from the states a^[1]<1..3> that the network returned."""
    params, x, h0 = make_net("lstm", 2, False, False, 2, seed=4)
    _, states, _ = deep_rnn_forward(x, params, cell="lstm", h0=h0)
    state = (h0[1], np.zeros_like(h0[1]))
    for t in range(3):
        state, _ = cell_step("lstm", {}, states[0][:, :, t], state, params["layers"][1])
    assert np.allclose(states[1][:, :, 2], state[0], rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# a one-layer deep network is the cell module's sequence function plus the output layer
# ----------------------------------------------------------------------------------------------

def _sequence_of_the_cell_module(cell, layer, Wy, by, x, h0):
    """(states, y_pred, backward function) of rnn_forward / gru_forward / lstm_forward."""
    if cell == "rnn":
        a, y, caches = rnn.rnn_forward(x, h0, {**layer, "Wya": Wy, "by": by})
        return a, y, lambda da: rnn.rnn_backward(da, caches)
    if cell == "gru":
        c, y, caches = gru.gru_forward(x, h0, {**layer, "Wy": Wy, "by": by})
        return c, y, lambda dc: gru.gru_backward(dc, caches)
    a, y, _, caches = lstm.lstm_forward(x, h0, {**layer, "Wy": Wy, "by": by})
    return a, y, lambda da: lstm.lstm_backward(da, caches)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("m", [1, 3])
def test_one_layer_equals_the_cell_module(cell, m):
    params, x, h0 = make_net(cell, 1, False, False, m, seed=8)
    layer, Wy, by = params["layers"][0], params["Wy"], params["by"]
    states_ref, y_ref, backward_ref = _sequence_of_the_cell_module(cell, layer, Wy, by, x, h0[0])

    y_hat, states, caches = deep_rnn_forward(x, params, cell=cell, h0=h0)
    assert np.allclose(y_hat, y_ref, rtol=0, atol=1e-12)
    assert np.allclose(states[0], states_ref, rtol=0, atol=1e-12)

    dz = np.random.default_rng(1).normal(size=y_hat.shape)
    grads = deep_rnn_backward(dz, caches)
    # the output layer sends Wy.T @ dz<t> to every state; the module's BPTT does the rest
    ref = backward_ref(np.einsum("ya,ymt->amt", Wy, dz))
    for key in layer:
        assert np.allclose(grads["layers"][0]["d" + key], ref["d" + key], rtol=0, atol=1e-12), key
    assert np.allclose(grads["dx"], ref["dx"], rtol=0, atol=1e-12)
    dh0_ref = ref["dc0"] if cell == "gru" else ref["da0"]
    assert np.allclose(grads["layers"][0]["dh0"], dh0_ref, rtol=0, atol=1e-12)
    assert np.allclose(grads["dWy"], np.einsum("ymt,amt->ya", dz, states_ref), rtol=0, atol=1e-12)
    assert np.allclose(grads["dby"], dz.sum(axis=(1, 2))[:, None], rtol=0, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_bidirectional_layer_is_a_forward_and_a_reversed_run(cell):
    """Top half: the forward parameters run from t = 1; bottom half: the backward parameters run on the
    reversed sequence, read back in reversed order."""
    m = 2
    params, x, h0 = make_net(cell, 1, False, True, m, seed=9)
    n_a = 3
    fwd, bwd = params["layers"][0]["forward"], params["layers"][0]["backward"]
    Wy0 = np.zeros((2, n_a))
    by0 = np.zeros((2, 1))
    a_fwd, _, _ = _sequence_of_the_cell_module(cell, fwd, Wy0, by0, x, h0[0][:n_a])
    a_bwd_rev, _, _ = _sequence_of_the_cell_module(cell, bwd, Wy0, by0, x[:, :, ::-1], h0[0][n_a:])
    _, states, _ = deep_rnn_forward(x, params, cell=cell, h0=h0, bidirectional=True)
    assert states[0].shape == (2 * n_a, m, T_X)
    assert np.allclose(states[0][:n_a], a_fwd, rtol=0, atol=1e-12)
    assert np.allclose(states[0][n_a:], a_bwd_rev[:, :, ::-1], rtol=0, atol=1e-12)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm"])
def test_one_bidirectional_layer_equals_the_bidirectional_module(cell):
    """A one-layer deep bidirectional network is the BRNN of helpers.bidirectional (written separately)."""
    m, n_a = 3, 3
    params, x, h0 = make_net(cell, 1, False, True, m, seed=12)
    brnn_params = {**params["layers"][0], "Wy": params["Wy"], "by": params["by"]}
    y_ref, a_fwd, a_bwd, caches_ref = brnn_forward(x, brnn_params, cell=cell, h0_forward=h0[0][:n_a],
                                                   h0_backward=h0[0][n_a:])
    y_hat, states, caches = deep_rnn_forward(x, params, cell=cell, h0=h0, bidirectional=True)
    assert np.allclose(y_hat, y_ref, rtol=0, atol=1e-12)
    assert np.allclose(states[0], np.concatenate([a_fwd, a_bwd], axis=0), rtol=0, atol=1e-12)

    dz = np.random.default_rng(3).normal(size=y_hat.shape)
    grads, ref = deep_rnn_backward(dz, caches), brnn_backward(dz, caches_ref)
    layer = grads["layers"][0]
    for direction in ("forward", "backward"):
        for key, value in layer[direction].items():
            assert np.allclose(value, ref[direction][key], rtol=0, atol=1e-12), (direction, key)
    expected_dh0 = np.concatenate([ref["dh0_forward"], ref["dh0_backward"]], axis=0)
    assert np.allclose(layer["dh0"], expected_dh0, rtol=0, atol=1e-12)
    for key in ("dWy", "dby", "dx"):
        assert np.allclose(grads[key], ref[key], rtol=0, atol=1e-12), key


def test_state_gradients_at_the_ends_have_only_the_upstream_part():
    """dh_steps is the TOTAL dL/da^[l]<t>. Nothing flows back to the top layer's last step from a later
    step, so there it is Wy.T @ dz<T_x>; the backward direction's last step is t = 1, so its part of
    dh_steps at t = 1 is only what the layer above sends there."""
    m = 2
    params, x, h0 = make_net("gru", 2, False, True, m, seed=2)
    _, _, caches = deep_rnn_forward(x, params, cell="gru", h0=h0, bidirectional=True, output="linear")
    dz = np.random.default_rng(0).normal(size=(N_Y, m, T_X))
    grads = deep_rnn_backward(dz, caches, keep_state_grads=True)
    n_a = 3
    top = grads["layers"][1]["dh_steps"]
    from_output = np.einsum("ya,ymt->amt", params["Wy"], dz)
    assert np.allclose(top[:n_a, :, -1], from_output[:n_a, :, -1], rtol=0, atol=1e-12)
    assert np.allclose(top[n_a:, :, 0], from_output[n_a:, :, 0], rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# outputs, initialisation, counting, flattening
# ----------------------------------------------------------------------------------------------

def test_output_kinds_apply_their_activation_to_the_same_scores():
    params, x, h0 = make_net("lstm", 2, True, False, 3, seed=1)
    z = deep_rnn_forward(x, params, cell="lstm", h0=h0, output="linear")[0]
    y_soft = deep_rnn_forward(x, params, cell="lstm", h0=h0, output="softmax")[0]
    y_sig = deep_rnn_forward(x, params, cell="lstm", h0=h0, output="sigmoid")[0]
    assert np.allclose(y_soft.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    assert np.allclose(y_soft, softmax(z), rtol=0, atol=1e-15)
    assert np.allclose(y_sig, sigmoid(z), rtol=0, atol=1e-15)


def test_a_ready_cell_can_be_passed():
    params, x, h0 = make_net("gru", 2, False, False, 2, options={"simplified": True})
    by_name = deep_rnn_forward(x, params, cell="gru", h0=h0, simplified=True)[0]
    assert np.array_equal(by_name, deep_rnn_forward(x, params, cell=get_cell("gru", simplified=True), h0=h0)[0])


def test_default_initial_states_are_zeros():
    params, x, _ = make_net("rnn", 2, False, True, 2)
    zeros = [np.zeros((6, 2)), np.zeros((6, 2))]
    y_default = deep_rnn_forward(x, params, bidirectional=True)[0]
    assert np.array_equal(y_default, deep_rnn_forward(x, params, h0=zeros, bidirectional=True)[0])
    assert np.array_equal(y_default, deep_rnn_forward(x, params, h0=[None, zeros[1]], bidirectional=True)[0])


def test_initialize_shapes_seed_and_layers_differ():
    p = initialize_deep_parameters(3, [4, 6], 2, 2, cell="gru", head_sizes=(5,), seed=1)
    assert [layer["Wc"].shape for layer in p["layers"]] == [(4, 7), (6, 10)]
    assert p["head"][0]["V"].shape == (5, 6) and p["head"][0]["e"].shape == (5, 1)
    assert p["Wy"].shape == (2, 5) and p["by"].shape == (2, 1)
    q = initialize_deep_parameters(3, [4, 6], 2, 2, cell="gru", head_sizes=(5,), seed=1)
    pairs = zip(flatten_parameters(p).values(), flatten_parameters(q).values())
    assert all(np.array_equal(a, b) for a, b in pairs)
    r = initialize_deep_parameters(3, 4, 2, 3, cell="rnn", seed=1)
    assert not np.array_equal(r["layers"][1]["Waa"], r["layers"][2]["Waa"])
    b = initialize_deep_parameters(3, 4, 2, 1, cell="lstm", bidirectional=True)
    assert not np.array_equal(b["layers"][0]["forward"]["Wc"], b["layers"][0]["backward"]["Wc"])


def _rnn_layers_count(n_x, sizes, bidirectional):
    total, n_in, d = 0, n_x, 2 if bidirectional else 1
    for n_a in sizes:
        total += d * n_a * (n_a + n_in + 1)
        n_in = d * n_a
    return total, n_in


@pytest.mark.parametrize("bidirectional", [False, True])
def test_count_parameters_matches_the_formula(bidirectional):
    n_x, sizes, n_y = 3, [4, 5, 2], 6
    rec, n_top = _rnn_layers_count(n_x, sizes, bidirectional)
    output = n_y * (n_top + 1)
    kinds = [("rnn", {}, 1, 0), ("gru", {}, 3, 0), ("gru", {"simplified": True}, 2, 0),
             ("lstm", {}, 4, 0), ("lstm", {"peephole": True}, 4, 3)]
    for cell, options, factor, extra in kinds:
        p = initialize_deep_parameters(n_x, sizes, n_y, 3, cell=cell, bidirectional=bidirectional, **options)
        peepholes = extra * sum(sizes) * (2 if bidirectional else 1)
        assert count_parameters(p) == factor * rec + peepholes + output, cell
    # a head of 7 then 2 units adds 7 (n_top + 1) + 2 (7 + 1) and the output layer now reads 2 units
    p = initialize_deep_parameters(n_x, sizes, n_y, 3, bidirectional=bidirectional, head_sizes=(7, 2))
    assert count_parameters(p) == rec + 7 * (n_top + 1) + 2 * 8 + n_y * 3


def test_count_parameters_of_any_nesting():
    assert count_parameters({"a": [np.zeros((2, 3)), (np.zeros(4), 1.5)], "b": {}}) == 11
    with pytest.raises(ValueError, match="count_parameters: parameters must be arrays"):
        count_parameters({"a": "Waa"})


def test_flatten_names_and_round_trip():
    p = initialize_deep_parameters(3, 4, 2, 2, cell="rnn", head_sizes=(3,), bidirectional=True)
    flat = flatten_parameters(p)
    assert {"Wax[1,fwd]", "Waa[2,bwd]", "V[1]", "e[1]", "Wy", "by"} <= set(flat)
    assert count_parameters(flat) == count_parameters(p)
    back = unflatten_parameters(flat, p)
    assert all(np.array_equal(flat[k], v) for k, v in flatten_parameters(back).items())
    assert back["layers"][1]["backward"]["Waa"] is p["layers"][1]["backward"]["Waa"]
    with pytest.raises(KeyError, match="'V\\[1\\]'"):
        unflatten_parameters({k: v for k, v in flat.items() if k != "V[1]"}, p)
    with pytest.raises(ValueError, match=r"flat\['Wy'\] must have shape .* = \(2, 3\).*got \(3, 2\)"):
        unflatten_parameters({**flat, "Wy": np.zeros((3, 2))}, p)
    with pytest.raises(ValueError, match="flatten_parameters: nested must be a dict"):
        flatten_parameters([p])
    with pytest.raises(ValueError, match="flatten_parameters: layers must be a list of dicts"):
        flatten_parameters({"layers": np.zeros(3)})
    with pytest.raises(ValueError, match="unflatten_parameters: flat and like must be dicts"):
        unflatten_parameters(flat, [p])


def test_a_small_sgd_step_on_the_flat_dicts_lowers_the_loss():
    """Gradient descent theory: for a small enough step, L(p - lr * grad) < L(p)."""
    params, x, h0 = make_net("gru", 2, True, False, 3, seed=6)
    labels, _ = labels_and_mask(3, "every")

    def loss_and_grads(p):
        z, _, caches = deep_rnn_forward(x, p, cell="gru", h0=h0, output="linear")
        loss, dz = softmax_cross_entropy(z, labels)
        return loss, deep_rnn_backward(dz, caches)

    loss0, grads = loss_and_grads(params)
    new_flat = SGD(1e-3).step(flatten_parameters(params), flatten_parameters(grads))
    new_params = unflatten_parameters(new_flat, params)
    assert np.allclose(new_params["layers"][1]["Wc"],
                       params["layers"][1]["Wc"] - 1e-3 * grads["layers"][1]["dWc"], rtol=0, atol=1e-15)
    assert loss_and_grads(new_params)[0] < loss0


def test_inputs_are_not_changed_and_states_are_copies():
    params, x, h0 = make_net("lstm", 2, True, True, 2, seed=5)
    snapshot = [a.copy() for a in [x, *h0, *flatten_parameters(params).values()]]
    _, states, caches = deep_rnn_forward(x, params, cell="lstm", h0=h0, bidirectional=True, output="linear")
    dz = np.ones((N_Y, 2, T_X))
    grads = deep_rnn_backward(dz, caches)
    for s in states:
        s[...] = 1e3                                     # changing what we were given must not matter
    again = deep_rnn_backward(dz, caches)
    after = [x, *h0, *flatten_parameters(params).values()]
    assert all(np.array_equal(a, b) for a, b in zip(snapshot, after))
    assert all(np.array_equal(a, b) for a, b in
               zip(flatten_parameters(grads).values(), flatten_parameters(again).values()))


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

def _bad(path, value):
    """A copy of a 2-layer RNN net (with a head) where the entry at ``path`` is replaced (or deleted)."""
    params, x, h0 = make_net("rnn", 2, True, False, 2)
    target = params
    for key in path[:-1]:
        target = target[key]
    if value is None:
        del target[path[-1]]
    else:
        target[path[-1]] = value(target[path[-1]])
    return params, x, h0


def _nan(a):
    a = a.copy()
    a[0, 0] = np.nan
    return a


BAD_PARAMS = [
    (("layers", 1, "Waa"), lambda a: np.zeros((5, 4)), ValueError,
     r"parameters\['layers'\]\[1\]\['Waa'\] must have shape \(n_a, n_a\) = \(5, 5\).*got \(5, 4\)"),
    (("layers", 1, "Wax"), lambda a: np.zeros((5, 3)), ValueError,
     r"parameters\['layers'\]\[1\]\['Wax'\] must have shape \(n_a, n_in\) = \(5, 4\).*output size of "
     r"parameters\['layers'\]\[0\].*got \(5, 3\)"),
    (("layers", 0, "ba"), lambda a: np.zeros(4), ValueError,
     r"parameters\['layers'\]\[0\]\['ba'\] must have shape \(n_a, 1\) = \(4, 1\).*got \(4,\)"),
    (("layers", 1, "ba"), _nan, ValueError, r"parameters\['layers'\]\[1\]\['ba'\] must hold only finite"),
    (("layers", 0, "Waa"), None, KeyError, r"parameters\['layers'\]\[0\] is missing the key 'Waa'"),
    (("layers", 1, "Wax"), None, KeyError, r"parameters\['layers'\]\[1\] is missing the key 'Wax'"),
    (("layers",), None, KeyError, "parameters is missing the key 'layers'"),
    (("layers",), lambda a: [], ValueError, r"parameters\['layers'\] must be a non-empty list.*n_layers >= 1"),
    (("head", 0, "V"), lambda a: np.zeros((3, 4)), ValueError,
     r"parameters\['head'\]\[0\]\['V'\] must have shape \(n_d, n_in\) = \(\*, 5\).*got \(3, 4\)"),
    (("head", 0, "e"), None, KeyError, r"parameters\['head'\]\[0\] is missing the key 'e'"),
    (("head", 0, "V"), _nan, ValueError, r"parameters\['head'\]\[0\]\['V'\] must hold only finite"),
    (("Wy",), lambda a: np.zeros((3, 5)), ValueError,
     r"parameters\['Wy'\] must have shape \(n_y, n_in\) = \(\*, 3\).*got \(3, 5\)"),
    (("by",), lambda a: np.zeros((2, 1)), ValueError,
     r"parameters\['by'\] must have shape \(n_y, 1\) = \(3, 1\) to match parameters\['Wy'\] \(3, 3\), "
     r"got \(2, 1\)"),
    (("Wy",), _nan, ValueError, r"parameters\['Wy'\] must hold only finite"),
    (("Wy",), None, KeyError, "parameters is missing the key 'Wy'"),
]


@pytest.mark.parametrize("path,value,error,pattern", BAD_PARAMS)
def test_forward_rejects_bad_parameters(path, value, error, pattern):
    params, x, h0 = _bad(path, value)
    with pytest.raises(error, match=pattern):
        deep_rnn_forward(x, params, h0=h0)


def test_forward_rejects_bad_x():
    params, x, _ = make_net("rnn", 2, False, False, 2)
    with pytest.raises(ValueError, match=r"deep_rnn_forward: x must be 3-D with layout \(n_x, m, T_x\)"):
        deep_rnn_forward(x[:, :, 0], params)
    with pytest.raises(ValueError, match="x has T_x = 0 time steps"):
        deep_rnn_forward(x[:, :, :0], params)
    with pytest.raises(ValueError, match="x must hold only finite numbers"):
        deep_rnn_forward(np.where(x > 1.0, np.inf, x), params)
    with pytest.raises(ValueError, match=r"parameters\['layers'\]\[0\]\['Wax'\] must have shape \(n_a, n_in\) "
                                         r"= \(4, 2\).*n_x of x \(2, 2, 4\).*got \(4, 3\)"):
        deep_rnn_forward(x[:2], params)


def test_forward_rejects_bad_h0():
    params, x, h0 = make_net("gru", 2, False, False, 2)
    with pytest.raises(ValueError, match="h0 must be None or a list of 2 initial states.*length 1"):
        deep_rnn_forward(x, params, cell="gru", h0=h0[:1])
    with pytest.raises(ValueError, match=r"h0\[1\] must have shape \(n_a, m\) = \(5, 2\).*got \(5, 3\)"):
        deep_rnn_forward(x, params, cell="gru", h0=[h0[0], np.zeros((5, 3))])
    with pytest.raises(ValueError, match=r"h0\[0\] must hold only finite"):
        deep_rnn_forward(x, params, cell="gru", h0=[_nan(h0[0]), h0[1]])


def test_forward_rejects_bad_options_and_layouts():
    params, x, _ = make_net("rnn", 1, False, False, 2)
    with pytest.raises(ValueError, match="deep_rnn_forward: cell must be one of"):
        deep_rnn_forward(x, params, cell="transformer")
    with pytest.raises(ValueError, match="deep_rnn_forward: cell must be one of"):
        deep_rnn_forward(x, params, cell=None)
    with pytest.raises(ValueError, match="deep_rnn_forward: .*the rnn cell has no option peephole"):
        deep_rnn_forward(x, params, peephole=True)
    with pytest.raises(ValueError, match="deep_rnn_forward: activation must be one of"):
        deep_rnn_forward(x, params, activation="sigmoid")
    with pytest.raises(ValueError, match="deep_rnn_forward: simplified must be True or False"):
        deep_rnn_forward(x, params, cell="gru", simplified="no")
    with pytest.raises(ValueError, match="output must be one of"):
        deep_rnn_forward(x, params, output="tanh")
    with pytest.raises(ValueError, match="bidirectional must be True or False"):
        deep_rnn_forward(x, params, bidirectional="yes")
    with pytest.raises(ValueError, match=r"parameters\['layers'\]\[0\] must be a dict \{'forward'"):
        deep_rnn_forward(x, params, bidirectional=True)
    bi, _, _ = make_net("rnn", 1, False, True, 2)
    with pytest.raises(ValueError, match=r"parameters\['layers'\]\[0\] has 'forward' / 'backward'.*"
                                         r"bidirectional=True"):
        deep_rnn_forward(x, bi)
    del bi["layers"][0]["backward"]
    with pytest.raises(KeyError, match=r"parameters\['layers'\]\[0\] is missing the key 'backward'"):
        deep_rnn_forward(x, bi, bidirectional=True)
    g, _, _ = make_net("gru", 1, False, False, 2)
    with pytest.raises(ValueError, match="override .* not of a deep network"):
        deep_rnn_forward(x, g, cell="gru", override={"Gamma_u": 0.0})
    one, _, _ = make_net("rnn", 1, False, False, 2, n_y=1)
    with pytest.raises(ValueError, match="output='softmax' needs n_y >= 2"):
        deep_rnn_forward(x, one)
    assert deep_rnn_forward(x, one, output="sigmoid")[0].shape == (1, 2, T_X)


def test_forward_checks_the_layer_layout_of_its_cell():
    params, x, _ = make_net("rnn", 2, False, False, 2)
    with pytest.raises(KeyError, match=r"parameters\['layers'\]\[0\] is missing the key 'Wc'"):
        deep_rnn_forward(x, params, cell="lstm")
    lstm_params, _, _ = make_net("lstm", 2, False, True, 2)
    bad = lstm_params["layers"][1]["backward"]
    bad["Wc"] = np.zeros((4, 10))      # the backward direction must have the forward direction's n_a = 3
    with pytest.raises(ValueError, match=r"parameters\['layers'\]\[1\]\['backward'\]\['Wc'\] must have shape "
                                         r"\(n_a, n_a \+ n_in\) = \(3, 9\) with n_a = 3 \(from "
                                         r"parameters\['layers'\]\[1\]\['forward'\]\['Wc'\]\) and n_in = 6"
                                         r".*got \(4, 10\)"):
        deep_rnn_forward(x, lstm_params, cell="lstm", bidirectional=True)
    bad["Wc"] = lstm_params["layers"][1]["forward"]["Wc"]
    bad["Wf"] = np.zeros((3, 11))
    with pytest.raises(ValueError, match=r"parameters\['layers'\]\[1\]\['backward'\]\['Wf'\] must have shape "
                                         r"\(n_a, n_a \+ n_in\) = \(3, 9\).*got \(3, 11\)"):
        deep_rnn_forward(x, lstm_params, cell="lstm", bidirectional=True)


def test_backward_rejects_bad_arguments():
    params, x, _ = make_net("rnn", 2, False, False, 2)
    _, _, caches = deep_rnn_forward(x, params)
    with pytest.raises(ValueError, match=r"dz must have shape \(n_y, m, T_x\) = \(3, 2, 4\).*got \(3, 2, 5\)"):
        deep_rnn_backward(np.zeros((3, 2, 5)), caches)
    with pytest.raises(ValueError, match="dz must be 3-D"):
        deep_rnn_backward(np.zeros((3, 2)), caches)
    with pytest.raises(ValueError, match="dz must hold only finite"):
        deep_rnn_backward(np.full((3, 2, 4), np.nan), caches)
    with pytest.raises(ValueError, match="caches must be the caches returned by deep_rnn_forward"):
        deep_rnn_backward(np.zeros((3, 2, 4)), {"kind": "rnn"})
    with pytest.raises(ValueError, match="keep_state_grads must be True or False"):
        deep_rnn_backward(np.zeros((3, 2, 4)), caches, keep_state_grads=1)


@pytest.mark.parametrize("kwargs,pattern", [
    ({"n_layers": 0}, "n_layers must be an integer >= 1"),
    ({"n_a": [4, 5]}, "n_a must be an int or a list of n_layers = 3 ints, got a list of length 2"),
    ({"n_a": [4, 0, 5]}, r"n_a\[1\] must be an integer >= 1"),
    ({"n_x": 2.5}, "n_x must be an integer >= 1"),
    ({"head_sizes": 3}, "head_sizes must be a list or tuple"),
    ({"head_sizes": (3, 0)}, r"head_sizes\[1\] must be an integer >= 1"),
    ({"seed": -1}, "seed must be an integer >= 0"),
    ({"cell": "cnn"}, "cell must be one of"),
    ({"bidirectional": None}, "bidirectional must be True or False"),
])
def test_initialize_rejects_bad_arguments(kwargs, pattern):
    args = {"n_x": 3, "n_a": 4, "n_y": 2, "n_layers": 3, **kwargs}
    with pytest.raises(ValueError, match="initialize_deep_parameters: " + pattern):
        initialize_deep_parameters(**args)
