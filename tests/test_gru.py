"""Tests of helpers.gru: finite-difference gradient checks, agreement of the sequence functions with
the one-step reference, invariants of the gates, hand-computed small cases and bad input."""
import copy
import math
import re

import numpy as np
import pytest

from helpers.activations import softmax
from helpers.gradcheck import gradient_check
from helpers.gru import (
    gru_backward,
    gru_cell_backward,
    gru_cell_forward,
    gru_forward,
    gru_gates,
    gru_states_forward,
    initialize_gru_parameters,
)

N_X, N_A, N_Y, T_X = 3, 4, 2, 5
TOL = 1e-7


def gate_keys(simplified):
    return ["Wu", "bu", "Wc", "bc"] if simplified else ["Wu", "bu", "Wr", "br", "Wc", "bc"]


def make_params(simplified=False, seed=1, n_x=N_X, n_a=N_A, n_y=N_Y):
    """Random parameters with non-zero biases, so that every gradient is exercised."""
    rng = np.random.default_rng(seed)
    p = {}
    for key in gate_keys(simplified):
        shape = (n_a, n_a + n_x) if key.startswith("W") else (n_a, 1)
        p[key] = rng.normal(0.0, 0.7 if key.startswith("W") else 0.3, shape)
    p["Wy"] = rng.normal(0.0, 0.7, (n_y, n_a))
    p["by"] = rng.normal(0.0, 0.3, (n_y, 1))
    return p


def make_data(m, T=T_X, seed=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N_X, m, T)), rng.normal(size=(N_A, m)), rng.normal(size=(N_A, m, T))


def split(inputs, simplified):
    """Split a flat dict for gradient_check into (x, c0, parameters)."""
    return inputs["x"], inputs["c0"], {k: inputs[k] for k in gate_keys(simplified)}


# ------------------------------------------------------------------------------------------------
# finite-difference gradient checks
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("simplified", [False, True])
@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("last_only", [False, True])
def test_gru_backward_matches_finite_differences(simplified, m, last_only):
    p = make_params(simplified)
    x, c0, G = make_data(m)
    if last_only:  # loss only on c<T_x>
        G[..., :-1] = 0.0

    def loss(inputs):
        xx, cc0, pp = split(inputs, simplified)
        c, _ = gru_states_forward(xx, cc0, pp, simplified=simplified)
        return np.sum(G * c)

    _, caches = gru_states_forward(x, c0, p, simplified=simplified)
    grads = gru_backward(G, caches)
    inputs = {"x": x, "c0": c0, **{k: p[k] for k in gate_keys(simplified)}}
    analytic = {"x": grads["dx"], "c0": grads["dc0"], **{k: grads["d" + k] for k in gate_keys(simplified)}}
    errors = gradient_check(loss, inputs, analytic)
    assert set(errors) == set(inputs)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("simplified", [False, True])
@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("gate_u", [0.3, "per_unit_and_step"])
def test_gru_backward_with_update_gate_override(simplified, m, gate_u):
    p = make_params(simplified)
    x, c0, G = make_data(m)
    if gate_u == "per_unit_and_step":
        gate_u = np.random.default_rng(5).uniform(0.0, 1.0, (N_A, 1, T_X))
    override = {"Gamma_u": gate_u}

    def loss(inputs):
        xx, cc0, pp = split(inputs, simplified)
        c, _ = gru_states_forward(xx, cc0, pp, simplified=simplified, override=override)
        return np.sum(G * c)

    _, caches = gru_states_forward(x, c0, p, simplified=simplified, override=override)
    grads = gru_backward(G, caches)
    # an overridden gate is a constant: nothing flows into its weights
    assert np.array_equal(grads["dWu"], np.zeros((N_A, N_A + N_X)))
    assert np.array_equal(grads["dbu"], np.zeros((N_A, 1)))
    # ... and the finite differences agree (Wu, bu do not change the loss at all)
    inputs = {"x": x, "c0": c0, **{k: p[k] for k in gate_keys(simplified)}}
    analytic = {"x": grads["dx"], "c0": grads["dc0"], **{k: grads["d" + k] for k in gate_keys(simplified)}}
    errors = gradient_check(loss, inputs, analytic)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("m", [1, 3])
def test_gru_backward_with_relevance_gate_override(m):
    p = make_params(False)
    x, c0, G = make_data(m)
    override = {"Gamma_r": np.full((1, 1, T_X), 0.6)}

    def loss(inputs):
        xx, cc0, pp = split(inputs, False)
        c, _ = gru_states_forward(xx, cc0, pp, override=override)
        return np.sum(G * c)

    _, caches = gru_states_forward(x, c0, p, override=override)
    grads = gru_backward(G, caches)
    assert np.array_equal(grads["dWr"], np.zeros((N_A, N_A + N_X)))
    assert np.array_equal(grads["dbr"], np.zeros((N_A, 1)))
    inputs = {"x": x, "c0": c0, **{k: p[k] for k in gate_keys(False)}}
    analytic = {"x": grads["dx"], "c0": grads["dc0"], **{k: grads["d" + k] for k in gate_keys(False)}}
    errors = gradient_check(loss, inputs, analytic)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("simplified", [False, True])
@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("override", [None, {"Gamma_u": 0.7}])
def test_gru_cell_backward_matches_finite_differences(simplified, m, override):
    p = make_params(simplified)
    rng = np.random.default_rng(3)
    xt, c_prev, G = rng.normal(size=(N_X, m)), rng.normal(size=(N_A, m)), rng.normal(size=(N_A, m))
    full_p = dict(p)

    def loss(inputs):
        pp = {**full_p, **{k: inputs[k] for k in gate_keys(simplified)}}
        c_next, _, _ = gru_cell_forward(inputs["xt"], inputs["c_prev"], pp, simplified=simplified,
                                        override=override)
        return np.sum(G * c_next)

    _, _, cache = gru_cell_forward(xt, c_prev, p, simplified=simplified, override=override)
    grads = gru_cell_backward(G, cache)
    expected_keys = {"dxt", "dc_prev"} | {"d" + k for k in gate_keys(simplified)}
    assert set(grads) == expected_keys
    inputs = {"xt": xt, "c_prev": c_prev, **{k: p[k] for k in gate_keys(simplified)}}
    analytic = {"xt": grads["dxt"], "c_prev": grads["dc_prev"],
                **{k: grads["d" + k] for k in gate_keys(simplified)}}
    errors = gradient_check(loss, inputs, analytic)
    assert max(errors.values()) < TOL, errors
    if override is not None:
        assert not grads["dWu"].any() and not grads["dbu"].any()


# ------------------------------------------------------------------------------------------------
# the sequence functions agree with the one-step reference
# ------------------------------------------------------------------------------------------------

def run_cells(x, c0, p, simplified, override=None):
    """Forward with gru_cell_forward step by step; the override is sliced per step."""
    c_prev, caches, cs, ys = c0, [], [], []
    for t in range(x.shape[2]):
        step_override = None
        if override is not None:
            step_override = {k: np.broadcast_to(np.asarray(v, dtype=float),
                                                 (N_A, x.shape[1], x.shape[2]))[..., t]
                             for k, v in override.items()}
        c_prev, yt, cache = gru_cell_forward(x[..., t], c_prev, p, simplified=simplified,
                                             override=step_override)
        cs.append(c_prev)
        ys.append(yt)
        caches.append(cache)
    return np.stack(cs, axis=2), np.stack(ys, axis=2), caches


# (simplified, override): the simplified GRU has no relevance gate to override
AGREEMENT_CASES = [(simplified, override) for simplified in (False, True)
                   for override in (None, {"Gamma_u": np.linspace(0.1, 0.9, T_X).reshape(1, 1, T_X)},
                                    {"Gamma_r": 0.25}, {"Gamma_u": 0.6, "Gamma_r": np.full((N_A, 1, 1), 0.3)})
                   if not (simplified and override is not None and "Gamma_r" in override)]


@pytest.mark.parametrize("simplified, override", AGREEMENT_CASES)
def test_sequence_forward_equals_repeated_cells(simplified, override):
    p = make_params(simplified)
    x, c0, _ = make_data(3)
    c, y_pred, caches = gru_forward(x, c0, p, simplified=simplified, override=override)
    c_cells, y_cells, cell_caches = run_cells(x, c0, p, simplified, override)
    np.testing.assert_allclose(c, c_cells, rtol=0, atol=1e-12)
    np.testing.assert_allclose(y_pred, y_cells, rtol=0, atol=1e-12)
    gates = gru_gates(caches)
    for name in ["Gamma_u", "c_tilde"] + ([] if simplified else ["Gamma_r"]):
        from_cells = np.stack([cc[name] for cc in cell_caches], axis=2)
        np.testing.assert_allclose(gates[name], from_cells, rtol=0, atol=1e-12)
    c_states, _ = gru_states_forward(x, c0, p, simplified=simplified, override=override)
    assert np.array_equal(c_states, c)


@pytest.mark.parametrize("simplified, override", AGREEMENT_CASES)
def test_sequence_backward_equals_accumulated_cell_backwards(simplified, override):
    p = make_params(simplified)
    x, c0, dc = make_data(3)
    _, _, caches = gru_forward(x, c0, p, simplified=simplified, override=override)
    grads = gru_backward(dc, caches)
    _, _, cell_caches = run_cells(x, c0, p, simplified, override)

    totals = {"d" + k: np.zeros_like(p[k]) for k in gate_keys(simplified)}
    dx = np.zeros_like(x)
    dc_future = np.zeros_like(c0)
    for t in reversed(range(T_X)):
        step = gru_cell_backward(dc[..., t] + dc_future, cell_caches[t])
        dx[..., t] = step["dxt"]
        dc_future = step["dc_prev"]
        for k in totals:
            totals[k] += step[k]
    assert set(grads) == set(totals) | {"dx", "dc0"}
    np.testing.assert_allclose(grads["dx"], dx, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["dc0"], dc_future, rtol=0, atol=1e-12)
    for k, v in totals.items():
        np.testing.assert_allclose(grads[k], v, rtol=0, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("simplified", [False, True])
def test_state_gradients_by_suffix_construction(simplified):
    """dc_steps[..., t] = G[..., t] + (dc0 of the backward pass of the run that starts from c<t>)."""
    p = make_params(simplified)
    x, c0, G = make_data(3)
    c, caches = gru_states_forward(x, c0, p, simplified=simplified)
    grads = gru_backward(G, caches, keep_state_grads=True)
    dc_steps = grads["dc_steps"]
    assert dc_steps.shape == (N_A, 3, T_X)
    np.testing.assert_allclose(dc_steps[..., -1], G[..., -1], rtol=0, atol=1e-14)
    for t in range(T_X - 1):
        _, suffix_caches = gru_states_forward(x[..., t + 1:], c[..., t], p, simplified=simplified)
        from_future = gru_backward(G[..., t + 1:], suffix_caches)["dc0"]
        np.testing.assert_allclose(dc_steps[..., t], G[..., t] + from_future, rtol=0, atol=1e-12)
    # one step before the first: the total gradient of c<0> is dc0
    _, first_caches = gru_states_forward(x[..., :1], c0, p, simplified=simplified)
    np.testing.assert_allclose(grads["dc0"],
                               gru_backward(dc_steps[..., :1], first_caches)["dc0"], rtol=0, atol=1e-12)
    assert "dc_steps" not in gru_backward(G, caches)


# ------------------------------------------------------------------------------------------------
# invariants and hand-derivable cases
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("simplified", [False, True])
def test_update_gate_zero_keeps_the_memory_exactly(simplified):
    p = make_params(simplified)
    x, c0, dc = make_data(3)
    c, caches = gru_states_forward(x, c0, p, simplified=simplified, override={"Gamma_u": 0.0})
    for t in range(T_X):
        assert np.array_equal(c[..., t], c0)
    assert caches["overridden"] == ("Gamma_u",)
    # the gradient passes through unchanged: dL/dc<0> collects every upstream dc<t>
    grads = gru_backward(dc, caches, keep_state_grads=True)
    np.testing.assert_allclose(grads["dc_steps"][..., 0], dc.sum(axis=2), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(grads["dc0"], dc.sum(axis=2), rtol=1e-14, atol=1e-14)
    # c does not depend on x or on the candidate weights
    assert not grads["dx"].any() and not grads["dWc"].any() and not grads["dbc"].any()


@pytest.mark.parametrize("simplified", [False, True])
def test_update_gate_one_takes_the_candidate(simplified):
    p = make_params(simplified)
    x, c0, _ = make_data(3)
    c, caches = gru_states_forward(x, c0, p, simplified=simplified, override={"Gamma_u": 1.0})
    gates = gru_gates(caches)
    assert np.array_equal(c, gates["c_tilde"])
    assert np.array_equal(gates["Gamma_u"], np.ones((N_A, 3, T_X)))


@pytest.mark.parametrize("g", [0.0, 0.3, 0.9])
def test_direct_path_gradient_is_power_of_one_minus_gate(g):
    """With Gamma_u = g fixed and Wc = 0, c<t> = g * tanh(bc) + (1 - g) * c<t-1>,
    so dc<T>/dc<t> = (1 - g)^(T - t) times the identity."""
    p = make_params(False)
    p["Wc"] = np.zeros_like(p["Wc"])
    x, c0, _ = make_data(2)
    _, caches = gru_states_forward(x, c0, p, override={"Gamma_u": g})
    G = np.zeros((N_A, 2, T_X))
    G[..., -1] = 1.0  # L = sum of c<T>
    grads = gru_backward(G, caches, keep_state_grads=True)
    for t in range(T_X):  # dc_steps[..., t] is dL/dc<t+1>
        np.testing.assert_allclose(grads["dc_steps"][..., t], (1.0 - g) ** (T_X - 1 - t), rtol=1e-13, atol=0)
    np.testing.assert_allclose(grads["dc0"], (1.0 - g) ** T_X, rtol=1e-13, atol=0)
    # and the forward pass follows the same recursion
    c, _ = gru_states_forward(x, c0, p, override={"Gamma_u": g})
    expected, prev = np.empty_like(c), c0
    for t in range(T_X):
        prev = g * np.tanh(p["bc"]) + (1.0 - g) * prev
        expected[..., t] = prev
    np.testing.assert_allclose(c, expected, rtol=0, atol=1e-14)


def test_relevance_gate_zero_hides_the_old_memory_from_the_candidate():
    p = make_params(False)
    x, c0, _ = make_data(3)
    other_c0 = c0 + np.random.default_rng(9).normal(size=c0.shape)
    c_a, caches_a = gru_states_forward(x, c0, p, override={"Gamma_r": 0.0})
    c_b, caches_b = gru_states_forward(x, other_c0, p, override={"Gamma_r": 0.0})
    assert not np.allclose(c_a, c_b)  # the memory itself still differs (through Gamma_u and c<t-1>)
    assert np.array_equal(gru_gates(caches_a)["c_tilde"], gru_gates(caches_b)["c_tilde"])
    # without the override the candidate does see c<t-1>
    _, caches_c = gru_states_forward(x, c0, p)
    _, caches_d = gru_states_forward(x, other_c0, p)
    assert not np.allclose(gru_gates(caches_c)["c_tilde"], gru_gates(caches_d)["c_tilde"])


def scalar_params(simplified):
    """n_a = n_x = 1: all gate weights and biases 0 (so each gate is sigmoid(0) = 1/2), Wc = [[2, 1]]."""
    p = {"Wu": np.zeros((1, 2)), "bu": np.zeros((1, 1)), "Wc": np.array([[2.0, 1.0]]), "bc": np.zeros((1, 1)),
         "Wy": np.array([[1.0], [-1.0]]), "by": np.zeros((2, 1))}
    if not simplified:
        p["Wr"], p["br"] = np.zeros((1, 2)), np.zeros((1, 1))
    return p


@pytest.mark.parametrize("simplified, candidate", [(False, math.tanh(2 * 0.5 * 1.0 + 0.5)),
                                                    (True, math.tanh(2 * 1.0 + 0.5))])
def test_scalar_cell_by_hand(simplified, candidate):
    # c_prev = 1, xt = 0.5: full GRU c_tilde = tanh(2 * (1/2 * 1) + 1 * 0.5), simplified tanh(2 * 1 + 0.5);
    # c_next = 1/2 * c_tilde + 1/2 * 1;  y = softmax([c, -c]) = [1 / (1 + e^(-2c)), 1 / (1 + e^(2c))]
    c_next, yt, cache = gru_cell_forward(np.array([[0.5]]), np.array([[1.0]]), scalar_params(simplified),
                                         simplified=simplified)
    expected_c = 0.5 * candidate + 0.5
    assert c_next[0, 0] == pytest.approx(expected_c, rel=1e-15)
    assert cache["c_tilde"][0, 0] == pytest.approx(candidate, rel=1e-15)
    assert yt[0, 0] == pytest.approx(1.0 / (1.0 + math.exp(-2.0 * expected_c)), rel=1e-14)
    assert yt[1, 0] == pytest.approx(1.0 / (1.0 + math.exp(2.0 * expected_c)), rel=1e-14)
    # backward by hand for dc_next = 1: dbc = Gamma_u * (1 - c_tilde^2); dc_prev through the direct path 1/2
    # plus the candidate path: 1/2 * (1 - c_tilde^2) * Wc_c * Gamma_r  (Gamma_r = 1 for simplified);
    # plus the gates: dz_u = (c_tilde - c_prev) * 1/4, and Wu = 0, so nothing more reaches c_prev.
    grads = gru_cell_backward(np.array([[1.0]]), cache)
    d_tanh = 1.0 - candidate ** 2
    gamma_r = 1.0 if simplified else 0.5
    assert grads["dbc"][0, 0] == pytest.approx(0.5 * d_tanh, rel=1e-14)
    assert grads["dbu"][0, 0] == pytest.approx((candidate - 1.0) * 0.25, rel=1e-14)
    assert grads["dc_prev"][0, 0] == pytest.approx(0.5 + 0.5 * d_tanh * 2.0 * gamma_r, rel=1e-14)


def test_relevance_gate_multiplies_the_state_before_the_product():
    """Gamma_r = [1; 0] with Wc_c = all ones and c_prev = [1; 2]: the lecture's GRU gives the candidate
    tanh(Wc_c @ [1*1; 0*2]) = tanh([1; 1]); a reset applied after the product, Gamma_r * (Wc_c @ c_prev),
    would give tanh([3; 0])."""
    p = {"Wu": np.zeros((2, 3)), "bu": np.zeros((2, 1)), "Wr": np.zeros((2, 3)), "br": np.zeros((2, 1)),
         "Wc": np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]]), "bc": np.zeros((2, 1)),
         "Wy": np.eye(2), "by": np.zeros((2, 1))}
    _, _, cache = gru_cell_forward(np.array([[0.7]]), np.array([[1.0], [2.0]]), p,
                                   override={"Gamma_r": np.array([[1.0], [0.0]]), "Gamma_u": 1.0})
    np.testing.assert_allclose(cache["c_tilde"], np.tanh([[1.0], [1.0]]), rtol=1e-15)
    assert cache["overridden"] == ("Gamma_r", "Gamma_u")


def test_update_gate_weights_the_candidate_not_the_old_state():
    """Gamma_u = 1 must give c_next = c_tilde (the other convention would give c_prev)."""
    p = make_params(False)
    xt, c_prev = np.ones((N_X, 2)), np.full((N_A, 2), 3.0)
    c_next, _, cache = gru_cell_forward(xt, c_prev, p, override={"Gamma_u": 1.0})
    assert np.array_equal(c_next, cache["c_tilde"])
    assert np.all(np.abs(c_next) < 1.0)  # a tanh value, not the old 3.0


def test_predictions_are_probabilities_from_the_output_layer():
    p = make_params(False)
    x, c0, _ = make_data(3)
    c, y_pred, _ = gru_forward(x, c0, p)
    np.testing.assert_allclose(y_pred.sum(axis=0), 1.0, rtol=0, atol=1e-14)
    for t in range(T_X):
        np.testing.assert_allclose(y_pred[..., t], softmax(p["Wy"] @ c[..., t] + p["by"]), rtol=0, atol=1e-14)


def test_override_broadcast_shapes_and_gates_output():
    p = make_params(False)
    x, c0, _ = make_data(3)
    per_unit = np.linspace(0.0, 1.0, N_A).reshape(N_A, 1, 1)
    per_step = np.linspace(0.2, 0.8, T_X).reshape(1, 1, T_X)
    full = np.random.default_rng(4).uniform(size=(N_A, 3, T_X))
    for value in (0.5, per_unit, per_step, full):
        _, caches = gru_states_forward(x, c0, p, override={"Gamma_u": value, "Gamma_r": value})
        gates = gru_gates(caches)
        expected = np.broadcast_to(value, (N_A, 3, T_X))
        assert np.array_equal(gates["Gamma_u"], expected) and np.array_equal(gates["Gamma_r"], expected)
        assert caches["overridden"] == ("Gamma_r", "Gamma_u")
    _, caches = gru_states_forward(x, c0, p)
    assert caches["overridden"] == ()
    gates = gru_gates(caches)
    assert set(gates) == {"Gamma_u", "Gamma_r", "c_tilde"}
    assert all(v.shape == (N_A, 3, T_X) for v in gates.values())
    assert np.all((gates["Gamma_u"] > 0) & (gates["Gamma_u"] < 1)) and np.all(np.abs(gates["c_tilde"]) < 1)
    gates["Gamma_u"][...] = 7.0  # a copy: the caches are untouched
    assert np.all(gru_gates(caches)["Gamma_u"] < 1)
    _, caches = gru_states_forward(x, c0, make_params(True), simplified=True)
    assert set(gru_gates(caches)) == {"Gamma_u", "c_tilde"}
    # cell functions accept a scalar, (n_a, 1) and (n_a, m)
    for value in (0.4, np.full((N_A, 1), 0.4), np.full((N_A, 3), 0.4)):
        _, _, cache = gru_cell_forward(x[..., 0], c0, p, override={"Gamma_u": value})
        assert np.array_equal(cache["Gamma_u"], np.full((N_A, 3), 0.4))


def test_states_forward_needs_no_output_layer():
    p = make_params(False)
    gate_only = {k: p[k] for k in gate_keys(False)}
    x, c0, _ = make_data(3)
    c_states, _ = gru_states_forward(x, c0, gate_only)
    c, _, _ = gru_forward(x, c0, p)
    assert np.array_equal(c, c_states)
    with pytest.raises(KeyError, match="Wy"):
        gru_forward(x, c0, gate_only)


# ------------------------------------------------------------------------------------------------
# initialisation
# ------------------------------------------------------------------------------------------------

def test_initialize_shapes_zero_biases_and_seed():
    p = initialize_gru_parameters(N_X, N_A, N_Y, seed=3)
    assert set(p) == {"Wu", "bu", "Wr", "br", "Wc", "bc", "Wy", "by"}
    for k in ("Wu", "Wr", "Wc"):
        assert p[k].shape == (N_A, N_A + N_X)
    for k in ("bu", "br", "bc"):
        assert p[k].shape == (N_A, 1) and not p[k].any()
    assert p["Wy"].shape == (N_Y, N_A) and p["by"].shape == (N_Y, 1) and not p["by"].any()
    again = initialize_gru_parameters(N_X, N_A, N_Y, seed=3)
    assert all(np.array_equal(p[k], again[k]) for k in p)
    other = initialize_gru_parameters(N_X, N_A, N_Y, seed=4)
    assert not np.array_equal(p["Wu"], other["Wu"])
    simple = initialize_gru_parameters(N_X, N_A, N_Y, seed=3, simplified=True)
    assert set(simple) == {"Wu", "bu", "Wc", "bc", "Wy", "by"}
    assert all(np.array_equal(simple[k], p[k]) for k in simple)  # documented: shared draws
    # the parameters work in the forward pass
    x, c0, _ = make_data(2)
    gru_forward(x, c0, p)
    gru_forward(x, c0, simple, simplified=True)


def test_initialize_variance_is_one_over_fan_in():
    n_x, n_a, n_y = 200, 100, 150
    p = initialize_gru_parameters(n_x, n_a, n_y, seed=0)
    for k in ("Wu", "Wr", "Wc"):  # 30000 draws each: the sample variance is within ~1% of 1/300
        assert p[k].var() == pytest.approx(1.0 / (n_a + n_x), rel=0.05)
        assert abs(p[k].mean()) < 0.01
    assert p["Wy"].var() == pytest.approx(1.0 / n_a, rel=0.05)


@pytest.mark.parametrize("kwargs, name", [({"n_x": 0}, "n_x"), ({"n_a": 2.5}, "n_a"), ({"n_y": True}, "n_y"),
                                          ({"seed": -1}, "seed"), ({"simplified": "yes"}, "simplified")])
def test_initialize_bad_arguments(kwargs, name):
    args = {"n_x": 3, "n_a": 4, "n_y": 2, **kwargs}
    with pytest.raises(ValueError, match=f"initialize_gru_parameters: {name}"):
        initialize_gru_parameters(**args)


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------

def cell_args(simplified=False):
    rng = np.random.default_rng(6)
    return rng.normal(size=(N_X, 3)), rng.normal(size=(N_A, 3)), make_params(simplified)


def with_param(p, key, value):
    q = dict(p)
    q[key] = value
    return q


def without(p, key):
    return {k: v for k, v in p.items() if k != key}


def bad_params_cases():
    p = make_params(False)
    nan_wu = p["Wu"].copy()
    nan_wu[1, 2] = np.nan
    inf_by = p["by"].copy()
    inf_by[0, 0] = np.inf
    return [
        (with_param(p, "Wu", np.zeros((N_A, N_A + N_X + 1))), r"parameters\['Wu'\] must have shape"),
        (with_param(p, "Wr", np.zeros((N_A + 1, N_A + N_X))), r"parameters\['Wr'\] must have shape"),
        (with_param(p, "bu", np.zeros(N_A)), r"parameters\['bu'\] must have shape"),
        (with_param(p, "bc", np.zeros((N_A, 2))), r"parameters\['bc'\] must have shape"),
        (with_param(p, "Wc", np.zeros(N_A)), r"parameters\['Wc'\] must be 2-D"),
        (with_param(p, "Wc", np.zeros((N_A, N_A))), r"parameters\['Wc'\] must have shape"),
        (with_param(p, "Wy", np.zeros((N_Y, N_A + 1))), r"parameters\['Wy'\] must have shape"),
        (with_param(p, "by", np.zeros((N_Y + 1, 1))), r"parameters\['by'\] must have shape"),
        (with_param(p, "Wu", nan_wu), r"parameters\['Wu'\] must hold only finite"),
        (with_param(p, "by", inf_by), r"parameters\['by'\] must hold only finite"),
        (with_param(p, "Wc", "not numbers"), r"parameters\['Wc'\]"),
        ([1, 2, 3], "parameters must be a dict"),
    ]


@pytest.mark.parametrize("params, pattern", bad_params_cases())
def test_cell_forward_rejects_bad_parameters(params, pattern):
    xt, c_prev, _ = cell_args()
    with pytest.raises(ValueError, match="gru_cell_forward: " + pattern):
        gru_cell_forward(xt, c_prev, params)


@pytest.mark.parametrize("params, pattern", bad_params_cases())
def test_sequence_forward_rejects_bad_parameters(params, pattern):
    x, c0, _ = make_data(3)
    with pytest.raises(ValueError, match="gru_forward: " + pattern):
        gru_forward(x, c0, params)


@pytest.mark.parametrize("simplified, missing", [(False, "Wr"), (False, "br"), (False, "Wu"), (True, "bu"),
                                                 (True, "Wc"), (False, "bc"), (False, "Wy"), (True, "by")])
def test_missing_parameter_key(simplified, missing):
    xt, c_prev, p = cell_args(simplified)
    with pytest.raises(KeyError, match=f"gru_cell_forward: parameters is missing the key '{missing}'"):
        gru_cell_forward(xt, c_prev, without(p, missing), simplified=simplified)
    x, c0, _ = make_data(3)
    with pytest.raises(KeyError, match=f"gru_forward: parameters is missing the key '{missing}'"):
        gru_forward(x, c0, without(p, missing), simplified=simplified)
    if missing not in ("Wy", "by"):
        with pytest.raises(KeyError, match=f"gru_states_forward: parameters is missing the key '{missing}'"):
            gru_states_forward(x, c0, without(p, missing), simplified=simplified)


def test_simplified_does_not_need_relevance_parameters():
    xt, c_prev, p = cell_args(True)
    assert "Wr" not in p
    gru_cell_forward(xt, c_prev, p, simplified=True)


def nan_at(a, index, value=np.nan):
    b = a.copy()
    b[index] = value
    return b


def test_cell_forward_rejects_bad_arrays():
    xt, c_prev, p = cell_args()
    cases = [
        ((np.zeros((N_X + 1, 3)), c_prev), ValueError, "gru_cell_forward: xt must have shape (n_x, m) = (3, 3)"),
        ((np.zeros((N_X, 2)), c_prev), ValueError, "gru_cell_forward: xt must have shape (n_x, m) = (3, 3)"),
        ((np.zeros((N_X, 3, 1)), c_prev), ValueError, "gru_cell_forward: xt must be 2-D"),
        ((xt, np.zeros((N_A + 1, 3))), ValueError, "gru_cell_forward: c_prev must have shape (n_a, m) = (4, *)"),
        ((xt, np.zeros(N_A)), ValueError, "gru_cell_forward: c_prev must be 2-D"),
        ((nan_at(xt, (0, 1)), c_prev), ValueError, "gru_cell_forward: xt must hold only finite"),
        ((xt, nan_at(c_prev, (2, 0), np.inf)), ValueError, "gru_cell_forward: c_prev must hold only finite"),
    ]
    for (a, b), err, message in cases:
        with pytest.raises(err, match=re.escape(message)):
            gru_cell_forward(a, b, p)
    with pytest.raises(ValueError, match="gru_cell_forward: simplified must be True or False"):
        gru_cell_forward(xt, c_prev, p, simplified="no")


@pytest.mark.parametrize("fn", [gru_forward, gru_states_forward])
def test_sequence_forward_rejects_bad_arrays(fn):
    x, c0, _ = make_data(3)
    p = make_params(False)
    where = fn.__name__
    cases = [
        ((x[..., 0], c0), f"{where}: x must be 3-D with layout (n_x, m, T_x)"),
        ((np.zeros((N_X, 3, 0)), c0), f"{where}: x has T_x = 0 time steps"),
        ((np.zeros((N_X + 1, 3, T_X)), c0), f"{where}: x must have shape (n_x, m, T_x) = (3, 3, *)"),
        ((np.zeros((N_X, 2, T_X)), c0), f"{where}: x must have shape (n_x, m, T_x) = (3, 3, *)"),
        ((x, np.zeros((N_A + 1, 3))), f"{where}: c0 must have shape (n_a, m) = (4, *)"),
        ((x, np.zeros((N_A, 3, 1))), f"{where}: c0 must be 2-D"),
        ((nan_at(x, (1, 2, 3)), c0), f"{where}: x must hold only finite"),
        ((x, nan_at(c0, (0, 0), -np.inf)), f"{where}: c0 must hold only finite"),
    ]
    for (a, b), message in cases:
        with pytest.raises(ValueError, match=re.escape(message)):
            fn(a, b, p)
    with pytest.raises(ValueError, match=f"{where}: simplified must be True or False"):
        fn(x, c0, p, simplified=None)


@pytest.mark.parametrize("override, pattern", [
    ({"Gamma_u": 1.5}, r"override\['Gamma_u'\] must lie in \[0, 1\]"),
    ({"Gamma_r": -0.1}, r"override\['Gamma_r'\] must lie in \[0, 1\]"),
    ({"Gamma_u": np.nan}, r"override\['Gamma_u'\] must hold only finite"),
    ({"Gamma_u": np.full((N_A + 1, 1), 0.5)}, r"override\['Gamma_u'\] must be a scalar or a 2-D array"),
    ({"Gamma_u": np.full(N_A, 0.5)}, r"override\['Gamma_u'\] must be a scalar or a 2-D array"),
    ({"Gamma_r": np.full((N_A, 3, 1), 0.5)}, r"override\['Gamma_r'\] must be a scalar or a 2-D array"),
    ({"Gamma_u": "half"}, r"override\['Gamma_u'\] must be an array of real numbers"),
    ({"Gamma_f": 0.5}, "override has an unknown key 'Gamma_f'"),
    ("Gamma_u", "override must be None or a dict"),
])
def test_cell_forward_rejects_bad_override(override, pattern):
    xt, c_prev, p = cell_args()
    with pytest.raises(ValueError, match="gru_cell_forward: " + pattern):
        gru_cell_forward(xt, c_prev, p, override=override)


@pytest.mark.parametrize("fn", [gru_forward, gru_states_forward])
@pytest.mark.parametrize("override, pattern", [
    ({"Gamma_u": np.array([[[0.2, 1.01, 0.3, 0.3, 0.3]]])}, r"override\['Gamma_u'\] must lie in \[0, 1\]"),
    ({"Gamma_u": np.full((N_A, 3, T_X + 1), 0.5)}, r"override\['Gamma_u'\] must be a scalar or a 3-D array"),
    ({"Gamma_r": np.full((N_A, 3), 0.5)}, r"override\['Gamma_r'\] must be a scalar or a 3-D array"),
    ({"Gamma_r": np.full((1, 2, 1), 0.5)}, r"override\['Gamma_r'\] must be a scalar or a 3-D array"),
    ({"Gamma_u": np.inf}, r"override\['Gamma_u'\] must hold only finite"),
    ({"Gamma_o": 0.5}, "override has an unknown key 'Gamma_o'"),
])
def test_sequence_forward_rejects_bad_override(fn, override, pattern):
    x, c0, _ = make_data(3)
    with pytest.raises(ValueError, match=f"{fn.__name__}: " + pattern):
        fn(x, c0, make_params(False), override=override)


def test_simplified_rejects_relevance_override():
    xt, c_prev, p = cell_args(True)
    with pytest.raises(ValueError, match="override has an unknown key 'Gamma_r'.*no relevance gate"):
        gru_cell_forward(xt, c_prev, p, simplified=True, override={"Gamma_r": 0.5})
    x, c0, _ = make_data(3)
    with pytest.raises(ValueError, match="gru_forward: override has an unknown key 'Gamma_r'"):
        gru_forward(x, c0, p, simplified=True, override={"Gamma_r": 0.5})


def test_backward_rejects_bad_arguments():
    x, c0, dc = make_data(3)
    p = make_params(False)
    _, _, caches = gru_forward(x, c0, p)
    with pytest.raises(ValueError, match=re.escape("gru_backward: dc must have shape (n_a, m, T_x) = (4, 3, 5) "
                                                   "to match the caches (c (4, 3, 5)), got (4, 3, 6)")):
        gru_backward(np.zeros((N_A, 3, T_X + 1)), caches)
    with pytest.raises(ValueError, match=re.escape("(4, 3, 5)") + ".*" + re.escape("(4, 2, 5)")):
        gru_backward(np.zeros((N_A, 2, T_X)), caches)
    with pytest.raises(ValueError, match="gru_backward: dc must be 3-D"):
        gru_backward(dc[..., 0], caches)
    with pytest.raises(ValueError, match="gru_backward: dc has T_x = 0"):
        gru_backward(np.zeros((N_A, 3, 0)), caches)
    with pytest.raises(ValueError, match="gru_backward: dc must hold only finite"):
        gru_backward(nan_at(dc, (0, 0, 4)), caches)
    with pytest.raises(ValueError, match="gru_backward: keep_state_grads must be True or False"):
        gru_backward(dc, caches, keep_state_grads=1)
    _, _, cell_cache = gru_cell_forward(x[..., 0], c0, p)
    with pytest.raises(ValueError, match="gru_backward: caches must be the caches returned by gru_forward"):
        gru_backward(dc, cell_cache)
    with pytest.raises(ValueError, match="gru_gates: caches must be the caches returned by gru_forward"):
        gru_gates((1, 2))

    with pytest.raises(ValueError, match=re.escape("gru_cell_backward: dc_next must have shape (n_a, m) = (4, 3)")):
        gru_cell_backward(np.zeros((N_A, 2)), cell_cache)
    with pytest.raises(ValueError, match="gru_cell_backward: dc_next must be 2-D"):
        gru_cell_backward(np.zeros((N_A, 3, 1)), cell_cache)
    with pytest.raises(ValueError, match="gru_cell_backward: dc_next must hold only finite"):
        gru_cell_backward(nan_at(np.zeros((N_A, 3)), (1, 1)), cell_cache)
    with pytest.raises(ValueError, match="gru_cell_backward: cache must be the cache returned by gru_cell_forward"):
        gru_cell_backward(np.zeros((N_A, 3)), caches)


@pytest.mark.parametrize("simplified", [False, True])
def test_no_input_is_changed(simplified):
    x, c0, dc = make_data(3)
    p = make_params(simplified)
    override = {"Gamma_u": np.full((N_A, 1, 1), 0.4)}
    originals = copy.deepcopy((x, c0, dc, p, override))

    c, _, caches = gru_forward(x, c0, p, simplified=simplified, override=override)
    gru_states_forward(x, c0, p, simplified=simplified, override=override)
    gru_backward(dc, caches, keep_state_grads=True)
    _, caches = gru_states_forward(x, c0, p, simplified=simplified)
    gru_backward(dc, caches)
    _, _, cache = gru_cell_forward(x[..., 0], c0, p, simplified=simplified, override=override and
                                   {"Gamma_u": override["Gamma_u"][..., 0]})
    gru_cell_backward(dc[..., 0], cache)
    _, _, cache = gru_cell_forward(x[..., 0], c0, p, simplified=simplified)
    gru_cell_backward(dc[..., 0], cache)

    x0, c00, dc0, p0, override0 = originals
    assert np.array_equal(x, x0) and np.array_equal(c0, c00) and np.array_equal(dc, dc0)
    assert set(p) == set(p0) and all(np.array_equal(p[k], p0[k]) for k in p)
    assert set(override) == {"Gamma_u"} and np.array_equal(override["Gamma_u"], override0["Gamma_u"])
