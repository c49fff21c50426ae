"""Bidirectional networks: gradients by finite differences, agreement with a step-by-step reference built
from the cell functions, a hand-computed case, the symmetries of the model, input influence, bad input."""
import re

import numpy as np
import pytest

from helpers import gru, lstm, rnn
from helpers.bidirectional import (
    brnn_backward,
    brnn_forward,
    initialize_brnn_parameters,
    initialize_unidirectional_parameters,
    input_influence,
    uni_backward,
    uni_forward,
)
from helpers.cells import get_cell
from helpers.gradcheck import gradient_check, numerical_gradient, relative_error
from helpers.losses import softmax_cross_entropy

CASES = [("rnn", {}), ("gru", {}), ("gru", {"simplified": True}), ("lstm", {}), ("lstm", {"peephole": True})]
IDS = ["rnn", "gru", "gru-simplified", "lstm", "lstm-peephole"]
N_X, N_A, N_Y, T = 3, 4, 3, 4


def _params(kind, options, seed=0, n_x=N_X, n_a=N_A, n_y=N_Y):
    """BRNN parameters moved off the initialisation (non-zero biases) so every gradient is generic."""
    p = initialize_brnn_parameters(n_x, n_a, n_y, cell=kind, seed=seed, **options)
    rng = np.random.default_rng(100 + seed)
    out = {d: {k: v + 0.3 * rng.normal(size=v.shape) for k, v in p[d].items()} for d in ("forward", "backward")}
    out["Wy"] = p["Wy"] + 0.3 * rng.normal(size=p["Wy"].shape)
    out["by"] = rng.normal(size=p["by"].shape)
    return out


def _flatten(p):
    flat = {f"f:{k}": v for k, v in p["forward"].items()}
    flat.update({f"b:{k}": v for k, v in p["backward"].items()})
    flat.update(Wy=p["Wy"], by=p["by"])
    return flat


def _unflatten(flat):
    return {"forward": {k[2:]: v for k, v in flat.items() if k.startswith("f:")},
            "backward": {k[2:]: v for k, v in flat.items() if k.startswith("b:")},
            "Wy": flat["Wy"], "by": flat["by"]}


def _flat_grads(g):
    flat = {f"f:{k[1:]}": v for k, v in g["forward"].items()}
    flat.update({f"b:{k[1:]}": v for k, v in g["backward"].items()})
    flat.update(Wy=g["dWy"], by=g["dby"], x=g["dx"], h0f=g["dh0_forward"], h0b=g["dh0_backward"])
    return flat


# ----------------------------------------------------------------------------------------------
# gradients against finite differences
# ----------------------------------------------------------------------------------------------

# every cell with the loss on every step and on the last step only, and with m = 1 and m = 3: the RNN
# with all four combinations, the gated cells (slower to difference) with two that cover both settings
FD_CASES = [pytest.param(kind, options, last_only, m, id=f"{name}-{'last' if last_only else 'every'}-step-m{m}")
            for (kind, options), name in zip(CASES, IDS)
            for last_only, m in ([(False, 1), (False, 3), (True, 1), (True, 3)] if kind == "rnn"
                                 else [(False, 3), (True, 1)])]


@pytest.mark.parametrize("kind,options,last_only,m", FD_CASES)
def test_brnn_backward_matches_finite_differences(kind, options, last_only, m):
    rng = np.random.default_rng(7)
    p = _params(kind, options)
    x, h0f, h0b = rng.normal(size=(N_X, m, T)), rng.normal(size=(N_A, m)), rng.normal(size=(N_A, m))
    G = rng.normal(size=(N_Y, m, T))
    if last_only:
        G[:, :, :-1] = 0.0

    def loss(d):   # L = sum_t sum G<t> * z<t>, so dL/dz = G
        z = brnn_forward(d["x"], _unflatten(d), kind, d["h0f"], d["h0b"], output="linear", **options)[0]
        return float(np.sum(G * z))

    caches = brnn_forward(x, p, kind, h0f, h0b, output="linear", **options)[3]
    analytic = _flat_grads(brnn_backward(G, caches))
    errors = gradient_check(loss, {**_flatten(p), "x": x, "h0f": h0f, "h0b": h0b}, analytic)
    assert set(errors) == {*_flatten(p), "x", "h0f", "h0b"}
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kind,options", [CASES[0], CASES[1]], ids=[IDS[0], IDS[1]])
def test_brnn_with_softmax_cross_entropy_matches_finite_differences(kind, options):
    rng = np.random.default_rng(8)
    m = 2
    p = _params(kind, options)
    x = rng.normal(size=(N_X, m, T))
    labels = rng.integers(0, N_Y, size=(m, T))

    def loss(d):
        z = brnn_forward(d["x"], _unflatten(d), kind, output="linear", **options)[0]
        return softmax_cross_entropy(z, labels)[0]

    z, _, _, caches = brnn_forward(x, p, kind, output="linear", **options)
    _, dz = softmax_cross_entropy(z, labels)
    g = _flat_grads(brnn_backward(dz, caches))
    analytic = {k: v for k, v in g.items() if k not in ("h0f", "h0b")}
    errors = gradient_check(loss, {**_flatten(p), "x": x}, analytic)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kind,options", [CASES[0], CASES[1], CASES[3]], ids=[IDS[0], IDS[1], IDS[3]])
def test_uni_backward_matches_finite_differences(kind, options):
    rng = np.random.default_rng(9)
    m = 2
    bi = _params(kind, options)
    p = {"forward": bi["forward"], "Wy": bi["Wy"][:, :N_A], "by": bi["by"]}
    x, h0 = rng.normal(size=(N_X, m, T)), rng.normal(size=(N_A, m))
    G = rng.normal(size=(N_Y, m, T))

    def loss(d):
        params = {"forward": {k: d[k] for k in p["forward"]}, "Wy": d["Wy"], "by": d["by"]}
        return float(np.sum(G * uni_forward(d["x"], params, kind, d["h0"], output="linear", **options)[0]))

    caches = uni_forward(x, p, kind, h0, output="linear", **options)[2]
    g = uni_backward(G, caches)
    assert set(g) == {"forward", "dWy", "dby", "dx", "dh0_forward"}
    analytic = {k: g["forward"]["d" + k] for k in p["forward"]}
    analytic.update(Wy=g["dWy"], by=g["dby"], x=g["dx"], h0=g["dh0_forward"])
    errors = gradient_check(loss, {**p["forward"], "Wy": p["Wy"], "by": p["by"], "x": x, "h0": h0}, analytic)
    assert max(errors.values()) < 1e-7, errors


# ----------------------------------------------------------------------------------------------
# agreement with a step-by-step reference made of the cell (one-step) functions
# ----------------------------------------------------------------------------------------------

def _step(kind, options, xt, state, params):
    """One cell step; state is h (rnn, gru) or (a, c) (lstm). Returns h_next, new state, cache."""
    dummy = {"Wya": np.zeros((1, N_A)), "Wy": np.zeros((1, N_A)), "by": np.zeros((1, 1))}
    if kind == "rnn":
        h, _, cache = rnn.rnn_cell_forward(xt, state, {**params, **dummy}, **options)
        return h, h, cache
    if kind == "gru":
        h, _, cache = gru.gru_cell_forward(xt, state, {**params, **dummy}, **options)
        return h, h, cache
    a, c, _, cache = lstm.lstm_cell_forward(xt, state[0], state[1], {**params, **dummy}, **options)
    return a, (a, c), cache


def _step_back(kind, dh, dstate_next, cache):
    """Backward of one cell step: dh is the total dL/dh<t>, dstate_next the extra dL/dc<t> (lstm)."""
    if kind == "rnn":
        g = rnn.rnn_cell_backward(dh, cache)
        return g, g.pop("da_prev"), None
    if kind == "gru":
        g = gru.gru_cell_backward(dh, cache)
        return g, g.pop("dc_prev"), None
    g = lstm.lstm_cell_backward(dh, dstate_next, cache)
    return g, g.pop("da_prev"), g.pop("dc_prev")


def _reference(kind, options, p, x, h0f, h0b, dz):
    """The BRNN written out step by step, with each chain visited in its own time order."""
    n_x, m, T_x = x.shape
    lstm_like = kind == "lstm"
    out = {}
    for d, order in (("forward", range(T_x)), ("backward", range(T_x - 1, -1, -1))):
        h0 = h0f if d == "forward" else h0b
        state = (h0, np.zeros_like(h0)) if lstm_like else h0
        hs, caches = np.empty((N_A, m, T_x)), {}
        for t in order:
            hs[:, :, t], state, caches[t] = _step(kind, options, x[:, :, t], state, p[d])
        out[d] = (hs, caches, list(order))
    H = np.concatenate([out["forward"][0], out["backward"][0]], axis=0)
    z = np.stack([p["Wy"] @ H[:, :, t] + p["by"] for t in range(T_x)], axis=-1)

    grads = {"dWy": sum(dz[:, :, t] @ H[:, :, t].T for t in range(T_x)),
             "dby": dz.sum(axis=(1, 2))[:, None], "dx": np.zeros_like(x)}
    for i, d in enumerate(("forward", "backward")):
        _, caches, order = out[d]
        carry, carry_c = np.zeros((N_A, m)), np.zeros((N_A, m))
        total = {}
        for t in reversed(order):            # the reverse of the order the chain was computed in
            dh = (p["Wy"].T @ dz[:, :, t])[i * N_A:(i + 1) * N_A] + carry
            g, carry, carry_c = _step_back(kind, dh, carry_c, caches[t])
            grads["dx"][:, :, t] += g.pop("dxt")
            for k, v in g.items():
                total[k] = total.get(k, 0.0) + v
        grads[d], grads[f"dh0_{d}"] = total, carry
    return z, out["forward"][0], out["backward"][0], grads


@pytest.mark.parametrize("kind,options", CASES, ids=IDS)
def test_forward_and_backward_equal_the_step_by_step_reference(kind, options):
    rng = np.random.default_rng(11)
    m, T_x = 3, 5
    p = _params(kind, options)
    x, h0f, h0b = rng.normal(size=(N_X, m, T_x)), rng.normal(size=(N_A, m)), rng.normal(size=(N_A, m))
    dz = rng.normal(size=(N_Y, m, T_x))
    z, a_fwd, a_bwd, caches = brnn_forward(x, p, kind, h0f, h0b, output="linear", **options)
    g = brnn_backward(dz, caches)
    z_ref, a_fwd_ref, a_bwd_ref, g_ref = _reference(kind, options, p, x, h0f, h0b, dz)

    np.testing.assert_allclose(z, z_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a_fwd, a_fwd_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a_bwd, a_bwd_ref, rtol=0, atol=1e-12)
    for key in ("dWy", "dby", "dx", "dh0_forward", "dh0_backward"):
        np.testing.assert_allclose(g[key], g_ref[key], rtol=0, atol=1e-12, err_msg=key)
    for d in ("forward", "backward"):
        assert set(g[d]) == set(g_ref[d]) == {"d" + k for k in get_cell(kind, **options).param_keys}
        for key in g[d]:
            np.testing.assert_allclose(g[d][key], g_ref[d][key], rtol=0, atol=1e-12, err_msg=f"{d} {key}")


# ----------------------------------------------------------------------------------------------
# a case computed by hand
# ----------------------------------------------------------------------------------------------

def test_scalar_linear_brnn_by_hand():
    # n_x = n_a = n_y = m = 1, linear cell, T_x = 2, x = (1, 2), zero initial states:
    #   forward  w = 2, u = 0.5:  a_fwd<1> = 2 * 1 = 2,            a_fwd<2> = 0.5 * 2 + 2 * 2 = 5
    #   backward w = 3, u = 0.5:  a_bwd<2> = 3 * 2 = 6,            a_bwd<1> = 0.5 * 6 + 3 * 1 = 6
    #   Wy = [1, 10], by = 0.25:  z<1> = 2 + 60 + 0.25 = 62.25,    z<2> = 5 + 60 + 0.25 = 65.25
    p = {"forward": {"Wax": np.array([[2.0]]), "Waa": np.array([[0.5]]), "ba": np.zeros((1, 1))},
         "backward": {"Wax": np.array([[3.0]]), "Waa": np.array([[0.5]]), "ba": np.zeros((1, 1))},
         "Wy": np.array([[1.0, 10.0]]), "by": np.array([[0.25]])}
    x = np.array([1.0, 2.0]).reshape(1, 1, 2)
    z, a_fwd, a_bwd, caches = brnn_forward(x, p, "rnn", output="linear", activation="linear")
    assert np.allclose(a_fwd.ravel(), [2.0, 5.0], rtol=0, atol=1e-14)
    assert np.allclose(a_bwd.ravel(), [6.0, 6.0], rtol=0, atol=1e-14)
    assert np.allclose(z.ravel(), [62.25, 65.25], rtol=0, atol=1e-13)

    # L = z<1> + z<2>:
    #   dWy = [a_fwd<1> + a_fwd<2>, a_bwd<1> + a_bwd<2>] = [7, 12],   dby = 2
    #   dx<1> = (2 + 10 * 3) from z<1>  +  0.5 * 2 from z<2>          = 33
    #   dx<2> = 10 * 0.5 * 3 from z<1>   +  (2 + 10 * 3) from z<2>    = 47
    #   dh0_forward = 0.5 + 0.5^2 = 0.75,   dh0_backward = 10 * (0.5 + 0.5^2) = 7.5
    #   forward:  dWax = x1 + 0.5 x1 + x2 = 3.5,  dWaa = a_fwd<1> = 2,  dba = 1 + 1.5 = 2.5
    #   backward: dWax = 10 (x2 + 0.5 x2 + x1) = 40,  dWaa = 10 a_bwd<2> = 60,  dba = 10 (1 + 1.5) = 25
    g = brnn_backward(np.ones((1, 1, 2)), caches)
    expected = {"dWy": [7.0, 12.0], "dby": [2.0], "dx": [33.0, 47.0], "dh0_forward": [0.75],
                "dh0_backward": [7.5]}
    for key, value in expected.items():
        assert np.allclose(g[key].ravel(), value, rtol=0, atol=1e-12), key
    assert np.allclose([g["forward"][k].item() for k in ("dWax", "dWaa", "dba")], [3.5, 2.0, 2.5], atol=1e-12)
    assert np.allclose([g["backward"][k].item() for k in ("dWax", "dWaa", "dba")], [40.0, 60.0, 25.0],
                       atol=1e-12)


# ----------------------------------------------------------------------------------------------
# invariants and symmetries
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,options", CASES, ids=IDS)
def test_with_the_backward_half_of_Wy_zero_the_brnn_is_the_unidirectional_model(kind, options):
    rng = np.random.default_rng(12)
    m = 2
    p = _params(kind, options)
    p["Wy"][:, N_A:] = 0.0
    uni = {"forward": p["forward"], "Wy": p["Wy"][:, :N_A].copy(), "by": p["by"]}
    x, h0f, h0b = rng.normal(size=(N_X, m, T)), rng.normal(size=(N_A, m)), rng.normal(size=(N_A, m))
    dz = rng.normal(size=(N_Y, m, T))

    y_bi, a_fwd, _, c_bi = brnn_forward(x, p, kind, h0f, h0b, **options)
    y_uni, a_uni, c_uni = uni_forward(x, uni, kind, h0f, **options)
    np.testing.assert_allclose(y_bi, y_uni, rtol=0, atol=1e-14)
    np.testing.assert_allclose(a_fwd, a_uni, rtol=0, atol=0)

    g_bi, g_uni = brnn_backward(dz, c_bi), uni_backward(dz, c_uni)
    for key in ("dx", "dh0_forward", "dby"):
        np.testing.assert_allclose(g_bi[key], g_uni[key], rtol=0, atol=1e-13, err_msg=key)
    np.testing.assert_allclose(g_bi["dWy"][:, :N_A], g_uni["dWy"], rtol=0, atol=1e-13)
    for key in g_uni["forward"]:
        np.testing.assert_allclose(g_bi["forward"][key], g_uni["forward"][key], rtol=0, atol=1e-13, err_msg=key)
    # nothing reaches the backward chain: its gradients are exactly zero
    assert not np.any(g_bi["dh0_backward"])
    assert all(not np.any(v) for v in g_bi["backward"].values())


@pytest.mark.parametrize("kind,options", CASES, ids=IDS)
def test_reversing_the_input_swaps_the_directions(kind, options):
    rng = np.random.default_rng(13)
    m = 2
    p = _params(kind, options)
    x, h0f, h0b = rng.normal(size=(N_X, m, T)), rng.normal(size=(N_A, m)), rng.normal(size=(N_A, m))
    x_rev = x[..., ::-1]
    y, a_fwd, a_bwd, caches = brnn_forward(x, p, kind, h0f, h0b, **options)

    # the backward chain is the forward chain of the reversed sequence, with the backward parameters
    alone = {"forward": p["backward"], "Wy": p["Wy"][:, N_A:], "by": p["by"]}
    _, a_alone, _ = uni_forward(x_rev, alone, kind, h0b, **options)
    np.testing.assert_allclose(a_bwd, a_alone[..., ::-1], rtol=0, atol=1e-14)

    # swapping the chains (parameters, initial states, halves of Wy) and reversing x reverses everything
    swapped = {"forward": p["backward"], "backward": p["forward"],
               "Wy": np.concatenate([p["Wy"][:, N_A:], p["Wy"][:, :N_A]], axis=1), "by": p["by"]}
    y_s, a_fwd_s, a_bwd_s, caches_s = brnn_forward(x_rev, swapped, kind, h0b, h0f, **options)
    np.testing.assert_allclose(y_s, y[..., ::-1], rtol=0, atol=1e-14)
    np.testing.assert_allclose(a_fwd_s, a_bwd[..., ::-1], rtol=0, atol=1e-14)
    np.testing.assert_allclose(a_bwd_s, a_fwd[..., ::-1], rtol=0, atol=1e-14)

    dz = rng.normal(size=(N_Y, m, T))
    g, g_s = brnn_backward(dz, caches), brnn_backward(dz[..., ::-1], caches_s)
    np.testing.assert_allclose(g_s["dx"], g["dx"][..., ::-1], rtol=0, atol=1e-13)
    np.testing.assert_allclose(g_s["dh0_forward"], g["dh0_backward"], rtol=0, atol=1e-13)
    for key in g["forward"]:
        np.testing.assert_allclose(g_s["forward"][key], g["backward"][key], rtol=0, atol=1e-13, err_msg=key)
        np.testing.assert_allclose(g_s["backward"][key], g["forward"][key], rtol=0, atol=1e-13, err_msg=key)


def test_the_output_activations():
    rng = np.random.default_rng(14)
    p = _params("gru", {})
    x = rng.normal(size=(N_X, 2, T))
    z = brnn_forward(x, p, "gru", output="linear")[0]
    y_soft = brnn_forward(x, p, "gru", output="softmax")[0]
    y_sig = brnn_forward(x, p, "gru", output="sigmoid")[0]
    assert np.allclose(y_soft.sum(axis=0), 1.0, rtol=0, atol=1e-15)
    e = np.exp(z)
    np.testing.assert_allclose(y_soft, e / e.sum(axis=0), rtol=1e-13)
    np.testing.assert_allclose(y_sig, 1.0 / (1.0 + np.exp(-z)), rtol=1e-13)


def test_a_ready_cell_and_options_give_the_same_network():
    rng = np.random.default_rng(15)
    p = _params("lstm", {"peephole": True})
    x = rng.normal(size=(N_X, 2, T))
    y1 = brnn_forward(x, p, "lstm", peephole=True)[0]
    y2 = brnn_forward(x, p, get_cell("lstm", peephole=True))[0]
    assert np.array_equal(y1, y2)


def test_nothing_given_is_changed_and_caches_are_private():
    rng = np.random.default_rng(16)
    p = _params("gru", {})
    x, h0f, h0b = rng.normal(size=(N_X, 2, T)), rng.normal(size=(N_A, 2)), rng.normal(size=(N_A, 2))
    dz = rng.normal(size=(N_Y, 2, T))
    given = [x, h0f, h0b, dz, p["Wy"], p["by"], *p["forward"].values(), *p["backward"].values()]
    before = [a.copy() for a in given]
    _, _, _, caches = brnn_forward(x, p, "gru", h0f, h0b)
    g1 = brnn_backward(dz, caches)
    assert all(np.array_equal(b, a) for b, a in zip(before, given))
    x += 1.0                      # changing the caller's input afterwards ...
    p["Wy"] += 1.0
    g2 = brnn_backward(dz, caches)  # ... does not change the backward pass of the earlier forward pass
    assert np.array_equal(g1["dx"], g2["dx"]) and np.array_equal(g1["dWy"], g2["dWy"])


def test_initialisation():
    p = initialize_brnn_parameters(N_X, N_A, N_Y, cell="lstm", seed=3, peephole=True)
    keys = get_cell("lstm", peephole=True).param_keys
    assert set(p) == {"forward", "backward", "Wy", "by"}
    assert tuple(p["forward"]) == tuple(p["backward"]) == keys
    assert p["Wy"].shape == (N_Y, 2 * N_A) and p["by"].shape == (N_Y, 1) and not p["by"].any()
    for k in keys:
        assert p["forward"][k].shape == p["backward"][k].shape
    assert not np.array_equal(p["forward"]["Wf"], p["backward"]["Wf"])      # different seeds
    again = initialize_brnn_parameters(N_X, N_A, N_Y, cell="lstm", seed=3, peephole=True)
    assert np.array_equal(p["backward"]["Wc"], again["backward"]["Wc"]) and np.array_equal(p["Wy"], again["Wy"])
    uni = initialize_unidirectional_parameters(N_X, N_A, N_Y, cell="lstm", seed=3, peephole=True)
    assert set(uni) == {"forward", "Wy", "by"} and uni["Wy"].shape == (N_Y, N_A)
    assert all(np.array_equal(uni["forward"][k], p["forward"][k]) for k in keys)   # same forward chain
    # the parameters run as they are
    y = brnn_forward(np.ones((N_X, 1, 2)), p, "lstm", peephole=True)[0]
    assert y.shape == (N_Y, 1, 2)


# ----------------------------------------------------------------------------------------------
# input influence
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("bidirectional", [True, False], ids=["bidirectional", "unidirectional"])
@pytest.mark.parametrize("kind,options", [CASES[0], CASES[2], CASES[3]], ids=[IDS[0], IDS[2], IDS[3]])
def test_input_influence_equals_the_finite_difference_jacobian_norm(kind, options, bidirectional):
    rng = np.random.default_rng(17)
    m, T_x, t = 2, 5, 2
    p = _params(kind, options)
    if not bidirectional:
        p = {"forward": p["forward"], "Wy": p["Wy"][:, :N_A], "by": p["by"]}
    run = brnn_forward if bidirectional else uni_forward
    x = rng.normal(size=(N_X, m, T_x))
    influence = input_influence(x, p, t, kind, bidirectional=bidirectional, **options)
    assert influence.shape == (T_x,)

    # the whole Jacobian dz<t> / dx by centred differences, one input entry at a time
    eps = 1e-6
    jac = np.empty((N_Y, m) + x.shape)                 # jac[j, i, l, i', k] = dz<t>_(j, i) / dx<k>_(l, i')
    for idx in np.ndindex(*x.shape):
        plus, minus = x.copy(), x.copy()
        plus[idx] += eps
        minus[idx] -= eps
        z_plus = run(plus, p, kind, output="linear", **options)[0][:, :, t]
        z_minus = run(minus, p, kind, output="linear", **options)[0][:, :, t]
        jac[(slice(None), slice(None)) + idx] = (z_plus - z_minus) / (2 * eps)
    expected = np.sqrt(np.sum(jac ** 2, axis=(0, 1, 2, 3)))
    assert relative_error(influence, expected) < 1e-7
    # example 0's scores do not move with example 1's input (and the other way round)
    assert np.all(np.abs(jac[:, 0, :, 1, :]) < 1e-9) and np.all(np.abs(jac[:, 1, :, 0, :]) < 1e-9)
    # one entry directly: dz<t>_(0, 0) / dx<0>_(0, 0) against the gradient of that single score
    single = numerical_gradient(lambda xx: run(xx, p, kind, output="linear", **options)[0][0, 0, t], x)
    assert abs(single[0, 0, 0] - jac[0, 0, 0, 0, 0]) < 1e-8


@pytest.mark.parametrize("kind,options", CASES, ids=IDS)
def test_a_unidirectional_output_is_blind_to_the_future_and_a_bidirectional_one_is_not(kind, options):
    rng = np.random.default_rng(18)
    T_x, t = 6, 2
    x = rng.normal(size=(N_X, 1, T_x))
    bi = _params(kind, options)
    uni = {"forward": bi["forward"], "Wy": bi["Wy"][:, :N_A], "by": bi["by"]}
    inf_uni = input_influence(x, uni, t, kind, bidirectional=False, **options)
    inf_bi = input_influence(x, bi, t, kind, **options)
    assert np.all(inf_uni[t + 1:] == 0.0)       # exactly: no path from x<k>, k > t, to z<t>
    assert np.all(inf_uni[:t + 1] > 1e-6)
    assert np.all(inf_bi > 1e-6)                 # the backward chain reads the future


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

def _good(kind="rnn", m=2):
    p = _params(kind, {})
    rng = np.random.default_rng(19)
    return p, rng.normal(size=(N_X, m, T))


def test_bad_x_is_named():
    p, x = _good()
    with pytest.raises(ValueError, match=r"brnn_forward: x must be 3-D with layout \(n_x, m, T_x\)"):
        brnn_forward(x[:, :, 0], p)
    with pytest.raises(ValueError, match="brnn_forward: x has T_x = 0"):
        brnn_forward(x[:, :, :0], p)
    msg = re.escape("brnn_forward: x must have shape (n_x, m, T_x) = (3, *, *) to match "
                    "parameters['forward']['Wax'] (4, 3), got (2, 2, 4)")
    with pytest.raises(ValueError, match=msg):
        brnn_forward(x[:2], p)
    bad = x.copy()
    bad[0, 1, 2] = np.inf
    with pytest.raises(ValueError, match="brnn_forward: x must hold only finite numbers"):
        brnn_forward(bad, p)
    with pytest.raises(ValueError, match="uni_forward: x must be 3-D"):
        uni_forward(x[0], {"forward": p["forward"], "Wy": p["Wy"][:, :N_A], "by": p["by"]})


def test_bad_initial_states_are_named():
    p, x = _good()
    msg = re.escape("brnn_forward: h0_forward must have shape (n_a, m) = (4, 2)")
    with pytest.raises(ValueError, match=msg + ".*got " + re.escape("(4, 3)")):
        brnn_forward(x, p, h0_forward=np.zeros((4, 3)))
    with pytest.raises(ValueError, match=re.escape("h0_backward must have shape (n_a, m) = (4, 2)")):
        brnn_forward(x, p, h0_backward=np.zeros((5, 2)))
    with pytest.raises(ValueError, match="h0_backward must be 2-D"):
        brnn_forward(x, p, h0_backward=np.zeros(4))
    with pytest.raises(ValueError, match="brnn_forward: h0_backward must hold only finite numbers"):
        brnn_forward(x, p, h0_backward=np.full((4, 2), np.nan))


def test_bad_parameters_are_named():
    p, x = _good()
    with pytest.raises(KeyError, match="parameters is missing the key 'backward'"):
        brnn_forward(x, {k: v for k, v in p.items() if k != "backward"})
    with pytest.raises(KeyError, match="parameters is missing the key 'Wy'"):
        brnn_forward(x, {k: v for k, v in p.items() if k != "Wy"})
    no_waa = {**p, "forward": {k: v for k, v in p["forward"].items() if k != "Waa"}}
    with pytest.raises(KeyError, match=re.escape("parameters['forward'] is missing the key 'Waa'")):
        brnn_forward(x, no_waa)
    wrong = {**p, "backward": {**p["backward"], "Waa": np.zeros((3, 3))}}
    with pytest.raises(ValueError, match=re.escape("parameters['backward']['Waa'] must have shape "
                                                   "(n_a, n_a) = (4, 4), got (3, 3)")):
        brnn_forward(x, wrong)
    nan = {**p, "backward": {**p["backward"], "ba": np.full((4, 1), np.nan)}}
    with pytest.raises(ValueError, match=re.escape("parameters['backward']['ba'] must hold only finite")):
        brnn_forward(x, nan)
    half = {**p, "Wy": p["Wy"][:, :N_A]}
    with pytest.raises(ValueError, match=re.escape("parameters['Wy'] must have shape (n_y, 2 n_a) = (*, 8)")
                       + ".*" + re.escape("got (3, 4)")):
        brnn_forward(x, half)
    msg = re.escape("parameters['by'] must have shape (n_y, 1) = (3, 1), got (2, 1)")
    with pytest.raises(ValueError, match=msg):
        brnn_forward(x, {**p, "by": np.zeros((2, 1))})
    with pytest.raises(ValueError, match=re.escape("parameters['Wy'] must hold only finite")):
        brnn_forward(x, {**p, "Wy": np.full_like(p["Wy"], np.inf)})
    g, xg = _good("gru")
    wrong = {**g, "forward": {**g["forward"], "Wc": np.zeros((4, 6))}}
    with pytest.raises(ValueError, match=re.escape("parameters['forward']['Wc'] must have shape "
                                                   "(n_a, n_a + n_x) = (4, 7), got (4, 6)")):
        brnn_forward(xg, wrong, "gru")
    with pytest.raises(ValueError, match="parameters must be a dict"):
        brnn_forward(x, [1, 2])
    with pytest.raises(ValueError, match=r"parameters\['forward'\] must be a dict"):
        brnn_forward(x, {**p, "forward": np.zeros(3)})


def test_bad_cell_and_output_are_named():
    p, x = _good()
    with pytest.raises(ValueError, match="brnn_forward: cell must be one of"):
        brnn_forward(x, p, cell="transformer")
    with pytest.raises(ValueError, match="brnn_forward: output must be one of"):
        brnn_forward(x, p, output="tanh")
    with pytest.raises(ValueError, match="brnn_forward: output='softmax' needs n_y >= 2"):
        brnn_forward(x, {**p, "Wy": p["Wy"][:1], "by": p["by"][:1]})
    with pytest.raises(ValueError, match="the rnn cell takes no option 'peephole'"):
        brnn_forward(x, p, peephole=True)
    with pytest.raises(ValueError, match="brnn_forward: activation must be one of"):
        brnn_forward(x, p, activation="cosine")
    g, xg = _good("gru")
    with pytest.raises(ValueError, match="brnn_forward: simplified must be True or False"):
        brnn_forward(xg, g, "gru", simplified="yes")
    with pytest.raises(ValueError, match="the gru cell takes no option 'override'"):
        brnn_forward(xg, g, "gru", override={"Gamma_u": 1.0})
    with pytest.raises(ValueError, match="cell options activation were given together with a ready"):
        brnn_forward(x, p, get_cell("rnn"), activation="relu")


def test_bad_backward_arguments_are_named():
    p, x = _good()
    _, _, _, caches = brnn_forward(x, p)
    msg = re.escape("brnn_backward: dz must have shape (n_y, m, T_x) = (3, 2, 4)")
    msg += ".*got " + re.escape("(3, 2, 3)")
    with pytest.raises(ValueError, match=msg):
        brnn_backward(np.zeros((3, 2, 3)), caches)
    with pytest.raises(ValueError, match="brnn_backward: dz must be 3-D"):
        brnn_backward(np.zeros((3, 2)), caches)
    with pytest.raises(ValueError, match="brnn_backward: dz must hold only finite numbers"):
        brnn_backward(np.full((3, 2, 4), np.nan), caches)
    uni = {"forward": p["forward"], "Wy": p["Wy"][:, :N_A], "by": p["by"]}
    _, _, uni_caches = uni_forward(x, uni)
    with pytest.raises(ValueError, match="brnn_backward: caches must be the caches returned by brnn_forward"):
        brnn_backward(np.zeros((3, 2, 4)), uni_caches)
    with pytest.raises(ValueError, match="uni_backward: caches must be the caches returned by uni_forward"):
        uni_backward(np.zeros((3, 2, 4)), caches)


def test_bad_influence_and_initialisation_arguments_are_named():
    p, x = _good()
    with pytest.raises(ValueError, match=r"input_influence: t must be a time index in 0 \.\. T_x - 1 = 3"):
        input_influence(x, p, 4)
    with pytest.raises(ValueError, match="input_influence: t must be an integer >= 0"):
        input_influence(x, p, -1)
    with pytest.raises(ValueError, match="input_influence: bidirectional must be True or False"):
        input_influence(x, p, 0, bidirectional="no")
    msg = re.escape("input_influence: parameters['Wy'] must have shape (n_y, n_a)")
    with pytest.raises(ValueError, match=msg):
        input_influence(x, p, 0, bidirectional=False)
    with pytest.raises(KeyError, match="input_influence: parameters is missing the key 'backward'"):
        input_influence(x, {"forward": p["forward"], "Wy": p["Wy"], "by": p["by"]}, 0)
    with pytest.raises(ValueError, match="input_influence: x has T_x = 0"):
        input_influence(x[:, :, :0], p, 0)
    with pytest.raises(ValueError, match="initialize_brnn_parameters: n_a must be an integer >= 1"):
        initialize_brnn_parameters(3, 0, 2)
    with pytest.raises(ValueError, match="initialize_unidirectional_parameters: seed must be an integer >= 0"):
        initialize_unidirectional_parameters(3, 4, 2, seed=-1)
    with pytest.raises(ValueError, match="initialize_brnn_parameters: cell must be one of"):
        initialize_brnn_parameters(3, 4, 2, cell="cnn")
