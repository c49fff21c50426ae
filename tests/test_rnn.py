"""Tests of helpers.rnn: the basic RNN cell and sequence, forward and BPTT.

Why each expected value can be trusted:
- gradients are compared with centred finite differences of the forward pass (float64, rel. error < 1e-7);
- the sequence functions must agree with the one-step reference cell, step by step;
- small cases are worked out by hand in the comments;
- a linear RNN with Waa = s * Q (Q orthogonal) scales the backward gradient by exactly s per step.
"""
import numpy as np
import pytest

from helpers.gradcheck import gradient_check
from helpers.rnn import (
    initialize_rnn_parameters,
    rnn_backward,
    rnn_cell_backward,
    rnn_cell_forward,
    rnn_cell_forward_stacked,
    rnn_forward,
    rnn_states_forward,
    split_Wa,
    stack_Wa,
)

N_X, N_A, N_Y, T_X = 3, 5, 4, 5
ACTS = ["tanh", "relu", "linear"]
TOL = 1e-7


def make_problem(m, seed=0, T=T_X, weight_std=0.5):
    """Random parameters (biases nonzero), input x, initial state a0."""
    rng = np.random.default_rng(seed)
    params = {
        "Wax": rng.normal(0, weight_std, (N_A, N_X)),
        "Waa": rng.normal(0, weight_std, (N_A, N_A)),
        "Wya": rng.normal(0, 1.0, (N_Y, N_A)),
        "ba": rng.normal(0, 0.5, (N_A, 1)),
        "by": rng.normal(0, 0.5, (N_Y, 1)),
    }
    x = rng.normal(0, 1.0, (N_X, m, T))
    a0 = rng.normal(0, 1.0, (N_A, m))
    return params, x, a0


def preactivations(params, x, a0, a):
    """z<t> = Waa a<t-1> + Wax x<t> + ba, recomputed here from the forward's states (independent of the cache)."""
    a_prev = np.concatenate([a0[:, :, None], a[:, :, :-1]], axis=2)
    return (np.einsum("ij,jmt->imt", params["Waa"], a_prev)
            + np.einsum("ij,jmt->imt", params["Wax"], x) + params["ba"][:, :, None])


def upstream(m, mode, seed=1, T=T_X):
    rng = np.random.default_rng(seed)
    G = rng.normal(0, 1.0, (N_A, m, T))
    if mode == "last":
        G[:, :, :-1] = 0.0
    return G


def pick_relu_seed(m):
    """First seed whose pre-activations all stay at least 1e-3 away from the kink at 0."""
    for seed in range(100):
        params, x, a0 = make_problem(m, seed)
        a, _ = rnn_states_forward(x, a0, params, "relu")
        if np.min(np.abs(preactivations(params, x, a0, a))) > 1e-3:
            return seed
    raise AssertionError("no kink-free seed found")


# ----------------------------------------------------------------------------------------------
# finite-difference gradient checks
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("mode", ["all", "last"])
@pytest.mark.parametrize("forward", ["rnn_forward", "rnn_states_forward"])
def test_rnn_backward_matches_finite_differences(activation, m, mode, forward):
    seed = pick_relu_seed(m) if activation == "relu" else 0
    params, x, a0 = make_problem(m, seed)
    G = upstream(m, mode)

    def run(p, xx, aa):
        if forward == "rnn_forward":
            a, _, caches = rnn_forward(xx, aa, p, activation)
        else:
            a, caches = rnn_states_forward(xx, aa, p, activation)
        return a, caches

    a, caches = run(params, x, a0)
    if activation == "relu":
        z = preactivations(params, x, a0, a)
        assert np.min(np.abs(z)) > 1e-3       # finite differences do not cross the kink
        assert np.any(z > 0) and np.any(z < 0)  # both branches are exercised
    grads = rnn_backward(G, caches)

    def loss(d):
        p = dict(params, Wax=d["Wax"], Waa=d["Waa"], ba=d["ba"])
        return float(np.sum(G * run(p, d["x"], d["a0"])[0]))

    inputs = {"Wax": params["Wax"], "Waa": params["Waa"], "ba": params["ba"], "x": x, "a0": a0}
    analytic = {"Wax": grads["dWax"], "Waa": grads["dWaa"], "ba": grads["dba"], "x": grads["dx"], "a0": grads["da0"]}
    for name, g in analytic.items():
        assert g.shape == inputs[name].shape
        assert np.any(g != 0), name  # a check of an all-zero gradient would prove little
    errors = gradient_check(loss, inputs, analytic)
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("m", [1, 3])
def test_rnn_cell_backward_matches_finite_differences(activation, m):
    params, x, a0 = make_problem(m, seed=3)
    xt = x[:, :, 0]
    z = params["Waa"] @ a0 + params["Wax"] @ xt + params["ba"]
    if activation == "relu":
        assert np.min(np.abs(z)) > 1e-3 and np.any(z > 0) and np.any(z < 0)
    G = np.random.default_rng(4).normal(size=(N_A, m))
    _, _, cache = rnn_cell_forward(xt, a0, params, activation)
    grads = rnn_cell_backward(G, cache)

    def loss(d):
        p = dict(params, Wax=d["Wax"], Waa=d["Waa"], ba=d["ba"])
        return float(np.sum(G * rnn_cell_forward(d["xt"], d["a_prev"], p, activation)[0]))

    inputs = {"Wax": params["Wax"], "Waa": params["Waa"], "ba": params["ba"], "xt": xt, "a_prev": a0}
    analytic = {k: grads["d" + k] for k in inputs}
    assert set(grads) == {"dxt", "da_prev", "dWax", "dWaa", "dba"}
    errors = gradient_check(loss, inputs, analytic)
    assert max(errors.values()) < TOL, errors


# ----------------------------------------------------------------------------------------------
# the sequence functions agree with the one-step reference
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("m", [1, 3])
def test_sequence_equals_repeated_cells(activation, m):
    params, x, a0 = make_problem(m, seed=5)
    G = upstream(m, "all", seed=6)
    a, y_pred, caches = rnn_forward(x, a0, params, activation)
    grads = rnn_backward(G, caches, keep_state_grads=True)

    # forward, one cell at a time
    a_prev, cell_caches = a0, []
    for t in range(T_X):
        a_next, yt, cache = rnn_cell_forward(x[:, :, t], a_prev, params, activation)
        np.testing.assert_allclose(a[:, :, t], a_next, rtol=0, atol=1e-12)
        np.testing.assert_allclose(y_pred[:, :, t], yt, rtol=0, atol=1e-12)
        cell_caches.append(cache)
        a_prev = a_next

    # backward, one cell at a time, summing the weight gradients
    total = {k: np.zeros_like(params[k]) for k in ("Wax", "Waa", "ba")}
    dx = np.zeros_like(x)
    da_rec = np.zeros((N_A, m))
    for t in reversed(range(T_X)):
        da_t = G[:, :, t] + da_rec
        np.testing.assert_allclose(grads["da_steps"][:, :, t], da_t, rtol=0, atol=1e-12)
        g = rnn_cell_backward(da_t, cell_caches[t])
        dx[:, :, t] = g["dxt"]
        da_rec = g["da_prev"]
        for k in total:
            total[k] += g["d" + k]
    np.testing.assert_allclose(grads["dx"], dx, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["da0"], da_rec, rtol=0, atol=1e-12)
    for k in total:
        np.testing.assert_allclose(grads["d" + k], total[k], rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", ACTS)
def test_sequence_equals_cells_when_every_size_differs(activation):
    # n_x, n_a, m and T_x all different (2, 3, 4, 6): an axis mixed up inside the sequence functions
    # (they keep the steps on another axis than their inputs and outputs) cannot go unnoticed
    n_x, n_a, m, T = 2, 3, 4, 6
    rng = np.random.default_rng(21)
    params = {"Wax": rng.normal(0, 0.7, (n_a, n_x)), "Waa": rng.normal(0, 0.7, (n_a, n_a)),
              "ba": rng.normal(0, 0.5, (n_a, 1)), "Wya": rng.normal(0, 1, (2, n_a)), "by": np.zeros((2, 1))}
    x, a0, G = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m, T))
    a, caches = rnn_states_forward(x, a0, params, activation)
    grads = rnn_backward(G, caches, keep_state_grads=True)
    assert a.shape == (n_a, m, T) and grads["dx"].shape == (n_x, m, T) and grads["da_steps"].shape == (n_a, m, T)

    a_prev, cell_caches = a0, []
    for t in range(T):
        a_prev, _, cache = rnn_cell_forward(x[:, :, t], a_prev, params, activation)
        np.testing.assert_allclose(a[:, :, t], a_prev, rtol=0, atol=1e-12)
        cell_caches.append(cache)
    da_rec, total = np.zeros((n_a, m)), {k: 0.0 for k in ("dWax", "dWaa", "dba")}
    for t in reversed(range(T)):
        np.testing.assert_allclose(grads["da_steps"][:, :, t], G[:, :, t] + da_rec, rtol=0, atol=1e-12)
        g = rnn_cell_backward(G[:, :, t] + da_rec, cell_caches[t])
        np.testing.assert_allclose(grads["dx"][:, :, t], g["dxt"], rtol=0, atol=1e-12)
        da_rec = g["da_prev"]
        total = {k: total[k] + g[k] for k in total}
    np.testing.assert_allclose(grads["da0"], da_rec, rtol=0, atol=1e-12)
    for k in total:
        np.testing.assert_allclose(grads[k], total[k], rtol=0, atol=1e-12)


def test_states_forward_equals_forward_and_needs_no_output_layer():
    params, x, a0 = make_problem(3, seed=7)
    a, _, caches = rnn_forward(x, a0, params)
    states_only = {k: params[k] for k in ("Wax", "Waa", "ba")}
    a2, caches2 = rnn_states_forward(x, a0, states_only)
    np.testing.assert_array_equal(a, a2)
    G = upstream(3, "all")
    g1, g2 = rnn_backward(G, caches), rnn_backward(G, caches2)
    for k in g1:
        np.testing.assert_array_equal(g1[k], g2[k])


@pytest.mark.parametrize("m", [1, 3])
def test_output_layer_gives_probabilities(m):
    params, x, a0 = make_problem(m, seed=8)
    _, y_pred, _ = rnn_forward(x, a0, params)
    _, yt, _ = rnn_cell_forward(x[:, :, 0], a0, params)
    for probs, n_cols in ((y_pred, (m, T_X)), (yt, (m,))):
        assert probs.shape == (N_Y,) + n_cols
        assert np.all(probs > 0)
        np.testing.assert_allclose(probs.sum(axis=0), 1.0, rtol=0, atol=1e-12)
    # huge scores: the softmax must still give finite probabilities that sum to 1
    _, y_big, _ = rnn_forward(x, a0, dict(params, Wya=params["Wya"] * 1e4))
    assert np.all(np.isfinite(y_big)) and np.all(y_big >= 0)
    np.testing.assert_allclose(y_big.sum(axis=0), 1.0, rtol=0, atol=1e-12)


# ----------------------------------------------------------------------------------------------
# da_steps: the total gradient of every hidden state
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("m", [1, 3])
def test_state_grads_equal_da0_of_the_suffix(activation, m):
    # dL/da<t> for L = sum(G * a) is G<t> (direct) plus the gradient of the rest of the loss with
    # respect to a<t>; the rest is the same RNN run on x<t+1..T> from the initial state a<t>, whose
    # gradient with respect to its initial state is that run's da0.
    params, x, a0 = make_problem(m, seed=9)
    G = upstream(m, "all", seed=10)
    a, _, caches = rnn_forward(x, a0, params, activation)
    da_steps = rnn_backward(G, caches, keep_state_grads=True)["da_steps"]
    assert da_steps.shape == (N_A, m, T_X)
    np.testing.assert_allclose(da_steps[:, :, -1], G[:, :, -1], rtol=0, atol=1e-12)
    for t in range(T_X - 1):
        _, suffix_caches = rnn_states_forward(x[:, :, t + 1:], a[:, :, t], params, activation)
        expected = G[:, :, t] + rnn_backward(G[:, :, t + 1:], suffix_caches)["da0"]
        np.testing.assert_allclose(da_steps[:, :, t], expected, rtol=0, atol=1e-12)


def test_state_grads_are_only_returned_on_request():
    params, x, a0 = make_problem(1)
    _, _, caches = rnn_forward(x, a0, params)
    assert "da_steps" not in rnn_backward(upstream(1, "all"), caches)
    assert set(rnn_backward(upstream(1, "all"), caches)) == {"dx", "da0", "dWax", "dWaa", "dba"}


@pytest.mark.parametrize("s", [0.5, 1.5])
@pytest.mark.parametrize("m", [1, 3])
def test_linear_rnn_gradient_norm_scales_by_s_per_step(s, m):
    # Linear RNN: da<t-1> = Waa.T @ da<t> when only the last step has a loss. With Waa = s Q,
    # Q orthogonal, Waa.T = s Q.T and Q.T preserves norms, so ||da<t>|| = s^(T-t) ||da<T>||.
    rng = np.random.default_rng(11)
    Q, _ = np.linalg.qr(rng.normal(size=(N_A, N_A)))
    params, x, a0 = make_problem(m, seed=12)
    params["Waa"] = s * Q
    G = upstream(m, "last", seed=13)
    _, _, caches = rnn_forward(x, a0, params, "linear")
    grads = rnn_backward(G, caches, keep_state_grads=True)
    norm_T = np.linalg.norm(G[:, :, -1])
    for t in range(T_X):  # t is 0-based here, so T - t steps become T_X - 1 - t
        np.testing.assert_allclose(np.linalg.norm(grads["da_steps"][:, :, t]), s ** (T_X - 1 - t) * norm_T,
                                   rtol=1e-12)
    np.testing.assert_allclose(np.linalg.norm(grads["da0"]), s ** T_X * norm_T, rtol=1e-12)


# ----------------------------------------------------------------------------------------------
# a case small enough to do by hand
# ----------------------------------------------------------------------------------------------

def hand_case():
    params = {"Wax": np.array([[1.0]]), "Waa": np.array([[0.5]]), "ba": np.array([[0.0]]),
              "Wya": np.array([[1.0], [-1.0]]), "by": np.zeros((2, 1))}
    x = np.array([1.0, 0.0, 0.0]).reshape(1, 1, 3)
    a0 = np.zeros((1, 1))
    return params, x, a0


def test_hand_derived_linear_rnn():
    # a<1> = 0.5*0 + 1 = 1,  a<2> = 0.5*1 + 0 = 0.5,  a<3> = 0.5*0.5 = 0.25
    params, x, a0 = hand_case()
    a, y_pred, caches = rnn_forward(x, a0, params, "linear")
    np.testing.assert_allclose(a.ravel(), [1.0, 0.5, 0.25], rtol=0, atol=1e-15)
    # two classes with scores (a, -a): p_0 = 1 / (1 + e^(-2a))
    np.testing.assert_allclose(y_pred[0].ravel(), 1.0 / (1.0 + np.exp(-2 * np.array([1.0, 0.5, 0.25]))), rtol=1e-14)

    # L = a<3> = Waa^3 a0 + Waa^2 (Wax x1 + ba) + Waa (Wax x2 + ba) + (Wax x3 + ba), with Waa = 0.5, Wax = 1:
    # dL/da0 = Waa^3 = 0.125;  dL/dx = [Waa^2, Waa, 1] Wax = [0.25, 0.5, 1];  dL/dWax = Waa^2 x1 = 0.25;
    # dL/dba = Waa^2 + Waa + 1 = 1.75;  with a0 = 0 and x = [1, 0, 0], L = Waa^2, so dL/dWaa = 2 Waa = 1;
    # the total state gradients are dL/da<t> = Waa^(3-t): [0.25, 0.5, 1]
    da = np.zeros((1, 1, 3))
    da[0, 0, -1] = 1.0
    g = rnn_backward(da, caches, keep_state_grads=True)
    np.testing.assert_allclose(g["da0"], [[0.5 ** 3]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(g["dx"].ravel(), [0.25, 0.5, 1.0], rtol=0, atol=1e-15)
    np.testing.assert_allclose(g["dWax"], [[0.25]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(g["dba"], [[1.75]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(g["dWaa"], [[1.0]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(g["da_steps"].ravel(), [0.25, 0.5, 1.0], rtol=0, atol=1e-15)


def test_hand_derived_tanh_and_relu_cells():
    # with zero weights the cell returns g(ba)
    Wz = {"Wax": np.zeros((2, 1)), "Waa": np.zeros((2, 2)), "ba": np.array([[0.3], [-0.7]]),
          "Wya": np.zeros((3, 2)), "by": np.zeros((3, 1))}
    xt, a_prev = np.ones((1, 4)), np.ones((2, 4))
    a_t, yt, _ = rnn_cell_forward(xt, a_prev, Wz, "tanh")
    np.testing.assert_allclose(a_t, np.tile(np.tanh([[0.3], [-0.7]]), (1, 4)), rtol=0, atol=1e-15)
    np.testing.assert_allclose(yt, 1.0 / 3.0, rtol=0, atol=1e-15)  # equal scores -> uniform
    a_r, _, _ = rnn_cell_forward(xt, a_prev, Wz, "relu")
    np.testing.assert_allclose(a_r, np.tile([[0.3], [0.0]], (1, 4)), rtol=0, atol=0)


# ----------------------------------------------------------------------------------------------
# the compressed notation
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", ACTS)
@pytest.mark.parametrize("m", [1, 3])
def test_stacked_cell_equals_two_matrix_cell(activation, m):
    params, x, a0 = make_problem(m, seed=14)
    Wa = stack_Wa(params["Waa"], params["Wax"])
    assert Wa.shape == (N_A, N_A + N_X)
    a_two, _, _ = rnn_cell_forward(x[:, :, 0], a0, params, activation)
    a_one = rnn_cell_forward_stacked(x[:, :, 0], a0, Wa, params["ba"], activation)
    np.testing.assert_allclose(a_one, a_two, rtol=0, atol=1e-12)


def test_split_inverts_stack_exactly():
    params, _, _ = make_problem(1, seed=15)
    Wa = stack_Wa(params["Waa"], params["Wax"])
    np.testing.assert_array_equal(Wa[:, :N_A], params["Waa"])
    np.testing.assert_array_equal(Wa[:, N_A:], params["Wax"])
    Waa, Wax = split_Wa(Wa, N_A)
    np.testing.assert_array_equal(Waa, params["Waa"])
    np.testing.assert_array_equal(Wax, params["Wax"])
    Waa[0, 0] += 1.0  # split returns copies, not views of Wa
    assert Wa[0, 0] == params["Waa"][0, 0]


# ----------------------------------------------------------------------------------------------
# initialisation
# ----------------------------------------------------------------------------------------------

def test_initialize_shapes_reproducibility_and_scale():
    p = initialize_rnn_parameters(3, 5, 4, seed=1)
    assert {k: v.shape for k, v in p.items()} == {
        "Wax": (5, 3), "Waa": (5, 5), "Wya": (4, 5), "ba": (5, 1), "by": (4, 1)}
    assert all(v.dtype == np.float64 for v in p.values())
    np.testing.assert_array_equal(p["ba"], 0.0)
    np.testing.assert_array_equal(p["by"], 0.0)
    q = initialize_rnn_parameters(3, 5, 4, seed=1)
    for k in p:
        np.testing.assert_array_equal(p[k], q[k])
    r = initialize_rnn_parameters(3, 5, 4, seed=2)
    assert not np.array_equal(p["Waa"], r["Waa"])
    # variance 1/fan_in: on a big draw, the sample variance is close (std error ~ sqrt(2/N) relative)
    big = initialize_rnn_parameters(50, 400, 10, seed=0)
    assert abs(big["Wax"].var() * 50 - 1.0) < 0.05
    assert abs(big["Waa"].var() * 400 - 1.0) < 0.05
    fixed = initialize_rnn_parameters(50, 400, 10, seed=0, scale=0.1)
    assert abs(fixed["Waa"].std() / 0.1 - 1.0) < 0.02


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_x=0, n_a=5, n_y=4), "n_x"),
    (dict(n_x=3, n_a=2.5, n_y=4), "n_a"),
    (dict(n_x=3, n_a=5, n_y=-1), "n_y"),
    (dict(n_x=3, n_a=5, n_y=4, scale=0.0), "scale"),
    (dict(n_x=3, n_a=5, n_y=4, scale=np.inf), "scale"),
    (dict(n_x=3, n_a=5, n_y=4, seed=-3), "seed"),
])
def test_initialize_rejects_bad_sizes(kwargs, match):
    with pytest.raises(ValueError, match=match):
        initialize_rnn_parameters(**kwargs)


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

def test_cell_forward_bad_input():
    params, x, a0 = make_problem(3)
    xt = x[:, :, 0]
    # the sizes are bound in the order parameters, a_prev, xt (as in the GRU and LSTM cells): m comes from a_prev
    with pytest.raises(ValueError, match=r"rnn_cell_forward: xt must have shape \(n_x, m\) = \(3, 3\) to match "
                                         r"parameters\['Wax'\] \(5, 3\) and a_prev \(5, 3\), got \(4, 3\)"):
        rnn_cell_forward(np.zeros((4, 3)), a0, params)
    with pytest.raises(ValueError, match=r"rnn_cell_forward: a_prev must have shape \(n_a, m\) = \(5, \*\).*got \(6, 3\)"):
        rnn_cell_forward(xt, np.zeros((6, 3)), params)
    with pytest.raises(ValueError, match=r"xt must have shape \(n_x, m\) = \(3, 2\) .*a_prev \(5, 2\), got \(3, 3\)"):
        rnn_cell_forward(xt, np.zeros((5, 2)), params)
    with pytest.raises(ValueError, match=r"xt must be 2-D"):
        rnn_cell_forward(x, a0, params)
    with pytest.raises(ValueError, match=r"a_prev must hold only finite"):
        rnn_cell_forward(xt, np.where(a0 > 0, np.nan, a0), params)
    with pytest.raises(ValueError, match=r"xt must hold only finite"):
        rnn_cell_forward(np.full_like(xt, np.inf), a0, params)
    with pytest.raises(ValueError, match=r"parameters\['Wax'\] must hold only finite"):
        rnn_cell_forward(xt, a0, dict(params, Wax=np.full((N_A, N_X), np.nan)))
    with pytest.raises(ValueError, match=r"parameters\['by'\] must have shape \(n_y, 1\) = \(4, 1\)"):
        rnn_cell_forward(xt, a0, dict(params, by=np.zeros((3, 1))))
    with pytest.raises(KeyError, match="Wya"):
        rnn_cell_forward(xt, a0, {k: v for k, v in params.items() if k != "Wya"})
    with pytest.raises(ValueError, match="activation"):
        rnn_cell_forward(xt, a0, params, activation="sigmoid")


def test_cell_backward_bad_input():
    params, x, a0 = make_problem(3)
    _, _, cache = rnn_cell_forward(x[:, :, 0], a0, params)
    with pytest.raises(ValueError, match=r"da_next must have shape \(n_a, m\) = \(5, 3\).*got \(5, 2\)"):
        rnn_cell_backward(np.zeros((5, 2)), cache)
    with pytest.raises(ValueError, match=r"da_next must hold only finite"):
        rnn_cell_backward(np.full((5, 3), np.nan), cache)
    with pytest.raises(ValueError, match="cache"):
        rnn_cell_backward(np.zeros((5, 3)), (1, 2, 3))


@pytest.mark.parametrize("fn", [rnn_forward, rnn_states_forward])
def test_sequence_forward_bad_input(fn):
    name = fn.__name__
    params, x, a0 = make_problem(3)
    with pytest.raises(ValueError, match=rf"{name}: x must be 3-D with layout \(n_x, m, T_x\)"):
        fn(x[:, :, 0], a0, params)
    # the sizes are bound in the order parameters, a0, x (as in the GRU and LSTM): m comes from a0
    with pytest.raises(ValueError, match=rf"{name}: x must have shape \(n_x, m, T_x\) = \(3, 3, \*\) to match "
                                         rf"parameters\['Wax'\] \(5, 3\) and a0 \(5, 3\), got \(2, 3, 5\)"):
        fn(x[:2], a0, params)
    with pytest.raises(ValueError, match=r"x must have shape \(n_x, m, T_x\) = \(3, 1, \*\) .*a0 \(5, 1\), "
                                         r"got \(3, 3, 5\)"):
        fn(x, a0[:, :1], params)
    with pytest.raises(ValueError, match=r"a0 must have shape \(n_a, m\) = \(5, \*\).*got \(4, 3\)"):
        fn(x, a0[:4], params)
    with pytest.raises(ValueError, match=r"a0 must be 2-D"):
        fn(x, a0[:, :, None], params)
    with pytest.raises(ValueError, match=r"x has T_x = 0"):
        fn(x[:, :, :0], a0, params)
    bad_x = x.copy()
    bad_x[1, 2, 3] = np.nan
    with pytest.raises(ValueError, match=r"x must hold only finite.*\(1, 2, 3\)"):
        fn(bad_x, a0, params)
    with pytest.raises(ValueError, match=r"a0 must hold only finite"):
        fn(x, np.full_like(a0, -np.inf), params)
    bad_Waa = params["Waa"].copy()
    bad_Waa[0, 1] = np.inf
    with pytest.raises(ValueError, match=r"parameters\['Waa'\] must hold only finite"):
        fn(x, a0, dict(params, Waa=bad_Waa))
    with pytest.raises(ValueError, match=r"parameters\['ba'\] must have shape \(n_a, 1\) = \(5, 1\).*got \(5,\)"):
        fn(x, a0, dict(params, ba=params["ba"].ravel()))
    with pytest.raises(ValueError, match=r"parameters\['Wax'\] must be 2-D"):
        fn(x, a0, dict(params, Wax=params["Wax"].ravel()))
    for key in ("Wax", "Waa", "ba"):
        with pytest.raises(KeyError, match=key):
            fn(x, a0, {k: v for k, v in params.items() if k != key})
    with pytest.raises(ValueError, match="activation"):
        fn(x, a0, params, activation="softmax")
    with pytest.raises(ValueError, match="parameters must be a dict"):
        fn(x, a0, [params["Wax"]])


def test_rnn_forward_needs_output_layer_but_states_forward_does_not():
    params, x, a0 = make_problem(2)
    for key in ("Wya", "by"):
        reduced = {k: v for k, v in params.items() if k != key}
        with pytest.raises(KeyError, match=key):
            rnn_forward(x, a0, reduced)
        a, _ = rnn_states_forward(x, a0, reduced)
        assert a.shape == (N_A, 2, T_X)


def test_rnn_backward_bad_input():
    params, x, a0 = make_problem(3)
    _, _, caches = rnn_forward(x, a0, params)
    with pytest.raises(ValueError, match=r"da must have shape \(n_a, m, T_x\) = \(5, 3, 5\).*got \(5, 3, 4\)"):
        rnn_backward(np.zeros((5, 3, 4)), caches)
    with pytest.raises(ValueError, match=r"da must have shape \(n_a, m, T_x\) = \(5, 3, 5\).*got \(5, 3\)"):
        rnn_backward(np.zeros((5, 3)), caches)
    G = np.zeros((5, 3, 5))
    G[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match=r"da must hold only finite"):
        rnn_backward(G, caches)
    with pytest.raises(ValueError, match="caches"):
        rnn_backward(np.zeros((5, 3, 5)), [caches])
    _, _, cell_cache = rnn_cell_forward(x[:, :, 0], a0, params)
    with pytest.raises(ValueError, match="caches"):
        rnn_backward(np.zeros((5, 3, 5)), cell_cache)
    with pytest.raises(ValueError, match="keep_state_grads"):
        rnn_backward(np.zeros((5, 3, 5)), caches, keep_state_grads="yes")


def test_stacked_form_bad_input():
    params, x, a0 = make_problem(3)
    Wa = stack_Wa(params["Waa"], params["Wax"])
    xt = x[:, :, 0]
    with pytest.raises(ValueError, match=r"stack_Wa: Wax must have shape \(n_a, n_x\) = \(5, \*\).*got \(4, 3\)"):
        stack_Wa(params["Waa"], params["Wax"][:4])
    with pytest.raises(ValueError, match=r"stack_Wa: Waa must have shape \(n_a, n_a\) = \(5, 5\).*got \(5, 4\)"):
        stack_Wa(params["Waa"][:, :4], params["Wax"])
    with pytest.raises(ValueError, match=r"stack_Wa: Wax must hold only finite"):
        stack_Wa(params["Waa"], np.full((5, 3), np.nan))
    with pytest.raises(ValueError, match=r"split_Wa: Wa must have shape"):
        split_Wa(Wa, 4)
    with pytest.raises(ValueError, match=r"split_Wa: Wa must have shape"):
        split_Wa(Wa[:, :5], 5)
    with pytest.raises(ValueError, match=r"split_Wa: n_a must be an integer"):
        split_Wa(Wa, 0)
    with pytest.raises(ValueError, match=r"rnn_cell_forward_stacked: xt must have shape \(n_x, m\) = \(3, 3\).*got \(2, 3\)"):
        rnn_cell_forward_stacked(xt[:2], a0, Wa, params["ba"])
    with pytest.raises(ValueError, match=r"rnn_cell_forward_stacked: a_prev must have shape \(n_a, m\) = \(5, \*\).*got \(4, 3\)"):
        rnn_cell_forward_stacked(xt, a0[:4], Wa, params["ba"])
    with pytest.raises(ValueError, match=r"rnn_cell_forward_stacked: xt must have shape \(n_x, m\) = \(3, 2\).*got \(3, 3\)"):
        rnn_cell_forward_stacked(xt, a0[:, :2], Wa, params["ba"])
    with pytest.raises(ValueError, match=r"rnn_cell_forward_stacked: ba must have shape \(n_a, 1\)"):
        rnn_cell_forward_stacked(xt, a0, Wa, params["ba"].T)
    with pytest.raises(ValueError, match=r"rnn_cell_forward_stacked: Wa must hold only finite"):
        rnn_cell_forward_stacked(xt, a0, np.full_like(Wa, np.nan), params["ba"])
    with pytest.raises(ValueError, match="activation"):
        rnn_cell_forward_stacked(xt, a0, Wa, params["ba"], activation="elu")


# ----------------------------------------------------------------------------------------------
# no function changes what it is given, and caches are private
# ----------------------------------------------------------------------------------------------

def _copies(*objs):
    out = []
    for o in objs:
        out.append({k: v.copy() for k, v in o.items()} if isinstance(o, dict) else o.copy())
    return out


def _assert_same(before, after):
    for b, a in zip(before, after):
        if isinstance(b, dict):
            assert set(a) == set(b)
            for k in b:
                np.testing.assert_array_equal(a[k], b[k])
        else:
            np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("activation", ACTS)
def test_no_function_mutates_its_inputs(activation):
    params, x, a0 = make_problem(3, seed=16)
    G = upstream(3, "all")
    xt = x[:, :, 0]
    Wa = stack_Wa(params["Waa"], params["Wax"])
    snapshot = _copies(params, x, a0, G, Wa)

    _, _, cache = rnn_cell_forward(xt, a0, params, activation)
    rnn_cell_backward(G[:, :, 0], cache)
    _, _, caches = rnn_forward(x, a0, params, activation)
    rnn_backward(G, caches, keep_state_grads=True)
    _, caches2 = rnn_states_forward(x, a0, params, activation)
    rnn_backward(G, caches2)
    stack_Wa(params["Waa"], params["Wax"])
    split_Wa(Wa, N_A)
    rnn_cell_forward_stacked(xt, a0, Wa, params["ba"], activation)

    _assert_same(snapshot, [params, x, a0, G, Wa])


def test_caches_do_not_share_memory_with_inputs_or_outputs():
    params, x, a0 = make_problem(3, seed=17)
    G = upstream(3, "all")
    reference = rnn_backward(G, rnn_forward(x, a0, params)[2], keep_state_grads=True)

    # change every input and every output in place after the forward pass: the backward must not notice
    a, y_pred, caches = rnn_forward(x, a0, params)
    x += 1.0
    a0 *= -2.0
    for v in params.values():
        v += 0.3
    a[...] = 0.7
    y_pred[...] = 0.0
    got = rnn_backward(G, caches, keep_state_grads=True)
    for k in reference:
        np.testing.assert_array_equal(got[k], reference[k])
    # and a second backward from the same caches gives the same again (backward does not consume them)
    again = rnn_backward(G, caches, keep_state_grads=True)
    for k in reference:
        np.testing.assert_array_equal(again[k], reference[k])

    params, x, a0 = make_problem(3, seed=18)
    xt, gt = x[:, :, 0], G[:, :, 0]
    ref_cell = rnn_cell_backward(gt, rnn_cell_forward(xt, a0, params, "tanh")[2])
    a_next, yt, cache = rnn_cell_forward(xt, a0, params, "tanh")
    xt += 1.0
    a0 += 1.0
    a_next[...] = 0.0
    for v in params.values():
        v -= 0.2
    got_cell = rnn_cell_backward(gt, cache)
    for k in ref_cell:
        np.testing.assert_array_equal(got_cell[k], ref_cell[k])
