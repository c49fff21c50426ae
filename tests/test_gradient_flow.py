"""Gradient flow through time: checked against finite differences, exact linear theory, the Pascanu bound,
hand-derived overflow points and the latch of Bengio, Simard and Frasconi.

Index convention (as in the module): t = 0 .. T-1 is the column h[:, :, t]; T-1 is the last step.
"""
import warnings

import numpy as np
import pytest

from helpers import lstm
from helpers.cells import get_cell
from helpers.gradcheck import numerical_gradient
from helpers.gradient_flow import (
    EXPLODED,
    gated_for_gradient_study,
    jacobian_norms,
    latch_experiment,
    linear_theory,
    pascanu_bound,
    reach_map,
    rnn_for_gradient_study,
    scaled_orthogonal,
    set_sigma_max,
    state_gradient_norms,
)

CELLS = [("rnn", {}), ("gru", {}), ("gru", {"simplified": True}), ("lstm", {}), ("lstm", {"peephole": True})]


def rel(a, b):
    """Largest relative difference, entry by entry."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def small_layer(kind, options, m=1, T=5, seed=0, n_x=3, n_a=4):
    cell = get_cell(kind, **options)
    rng = np.random.default_rng(seed + 100)
    return cell, cell.init(n_x, n_a, seed=seed), rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m))


def suffix_last_state(cell, params, x, h, c, t):
    """h<T-1> as a function of h<t>: run the steps t+1 .. T-1 from h<t> (and, for the LSTM, the memory c<t>)."""
    rest = x[:, :, t + 1:]
    if cell.kind == "lstm":
        return lambda v: lstm.lstm_states_forward(rest, v, params, peephole=cell.options.get("peephole", False),
                                                  c0=c[:, :, t])[0][:, :, -1]
    return lambda v: cell.forward(rest, v, params)[0][:, :, -1]


def forward_states(cell, params, x, h0):
    """h and (for the LSTM) c of every step."""
    if cell.kind == "lstm":
        a, c, _ = lstm.lstm_states_forward(x, h0, params, peephole=cell.options.get("peephole", False))
        return a, c
    return cell.forward(x, h0, params)[0], None


# ----------------------------------------------------------------------------------------------
# state_gradient_norms
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,options", CELLS)
def test_norms_are_the_norms_of_the_cells_own_bptt(kind, options):
    cell, params, x, h0 = small_layer(kind, options, m=3, T=6)
    g = np.random.default_rng(7).normal(size=(4, 3))
    out = state_gradient_norms(cell, params, x, h0, upstream=g)
    dh = np.zeros((4, 3, 6))
    dh[:, :, -1] = g
    grads = cell.backward(dh, cell.forward(x, h0, params)[1], keep_state_grads=True)
    expected = np.sqrt(np.sum(grads["dh_steps"] ** 2, axis=(0, 1)))
    assert rel(out["norms"], expected) < 1e-12
    assert out["exploded_at"] is None and out["exploded_in"] is None
    if kind == "lstm":
        assert rel(out["c_norms"][:-1], np.sqrt(np.sum(grads["dc_steps"] ** 2, axis=(0, 1)))[:-1]) < 1e-12
    else:
        assert out["c_norms"] is None


@pytest.mark.parametrize("kind,options", CELLS)
def test_norm_at_a_step_matches_finite_differences_of_the_suffix(kind, options):
    """||dL/dh<t>|| with L = <g, h<T-1>>: perturb h<t> and rerun only the steps after t."""
    cell, params, x, h0 = small_layer(kind, options, m=3, T=6, seed=2)
    out = state_gradient_norms(cell, params, x, h0)
    g = np.full((4, 3), 1.0 / np.sqrt(12))       # the documented default seed
    h, c = forward_states(cell, params, x, h0)
    for t in (0, 3):
        last = suffix_last_state(cell, params, x, h, c, t)
        fd = numerical_gradient(lambda v: float(np.sum(g * last(v))), h[:, :, t])
        assert rel(out["norms"][t], np.linalg.norm(fd)) < 1e-7
    assert out["norms"][-1] == pytest.approx(1.0, rel=1e-15)


@pytest.mark.parametrize("s", [0.5, 1.0, 1.5])
def test_linear_rnn_with_scaled_orthogonal_weights_follows_s_to_the_power(s):
    """Each step back multiplies the gradient by s * Q.T, which scales every vector by exactly s."""
    T, n_a = 30, 5
    rng = np.random.default_rng(1)
    params = {"Wax": rng.normal(size=(n_a, 3)), "Waa": scaled_orthogonal(n_a, s, seed=4),
              "ba": rng.normal(size=(n_a, 1))}
    g = rng.normal(size=(n_a, 3))
    out = state_gradient_norms(get_cell("rnn", activation="linear"), params, rng.normal(size=(3, 3, T)),
                               rng.normal(size=(n_a, 3)), upstream=g)
    assert rel(out["norms"], linear_theory(s, T, np.linalg.norm(g))) < 1e-10


def test_tanh_norms_stay_under_the_pascanu_bound_and_shrink_every_step():
    """||dL/dh<t>|| <= (sigma_max * gamma)^(T-1-t) ||g|| with gamma = 1 for tanh; stepwise, each step back
    multiplies by diag(1 - a^2) @ Waa.T, of norm at most sigma_max = 0.8."""
    T = 40
    cell, params, x = rnn_for_gradient_study(6, 3, 0.8, seed=3, T=T, input_scale=1.0)
    norms = state_gradient_norms(cell, params, x)["norms"]
    bound = pascanu_bound(0.8, T, "tanh", norms[-1])
    assert np.all(norms <= bound * (1 + 1e-12))
    assert np.all(norms[:-1] <= 0.8 * norms[1:] * (1 + 1e-12))
    assert norms[0] < 0.8 ** 39 * (1 + 1e-12)


def test_theory_curves_by_hand():
    assert np.allclose(pascanu_bound(2.0, 3, 0.25, 5.0), [1.25, 2.5, 5.0], rtol=1e-15)
    assert np.allclose(pascanu_bound(2.0, 3, "sigmoid", 5.0), [1.25, 2.5, 5.0], rtol=1e-15)
    assert np.allclose(pascanu_bound(0.5, 2, "tanh"), [0.5, 1.0], rtol=1e-15)
    assert np.allclose(linear_theory(2.0, 3, 1.0), [4.0, 2.0, 1.0], rtol=1e-15)
    assert np.array_equal(linear_theory(0.0, 3, 2.0), [0.0, 0.0, 2.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isinf(linear_theory(10.0, 400)[0]) and np.isinf(pascanu_bound(10.0, 400)[0])


# ----------------------------------------------------------------------------------------------
# explosion: reported, never raised, never warned about
# ----------------------------------------------------------------------------------------------

def test_linear_rnn_s10_explodes_in_the_backward_pass_without_warning():
    """Zero inputs keep every state at 0 (finite forward); the gradient grows by exactly 10 per step back,
    10^(T-1-t), and passes 1e300 three hundred steps before the end."""
    T = 400
    cell, params, x = rnn_for_gradient_study(4, 3, 10.0, activation="linear", T=T, recurrent="orthogonal")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = state_gradient_norms(cell, params, np.zeros_like(x))
    t0 = out["exploded_at"]
    assert out["exploded_in"] == "backward" and t0 is not None
    theory = linear_theory(10.0, T)
    assert theory[t0] >= EXPLODED * (1 - 1e-9) and theory[t0 + 1] <= EXPLODED * (1 + 1e-9)
    assert np.all(np.isnan(out["norms"][:t0 + 1]))
    assert rel(out["norms"][t0 + 1:], theory[t0 + 1:]) < 1e-10


def test_linear_rnn_s10_with_inputs_overflows_in_the_forward_pass():
    """With inputs the states themselves grow like 10^t and overflow; the backward pass is not run."""
    T = 400
    cell, params, x = rnn_for_gradient_study(4, 3, 10.0, activation="linear", T=T, recurrent="orthogonal")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = state_gradient_norms(cell, params, x)
        t0 = out["exploded_at"]
        assert out["exploded_in"] == "forward" and 250 < t0 < T
        assert np.all(np.isnan(out["norms"]))
        with np.errstate(over="ignore", invalid="ignore"):
            assert np.all(np.isfinite(cell.forward(x[:, :, :t0], np.zeros((4, 1)), params)[0]))
            assert not np.all(np.isfinite(cell.forward(x[:, :, :t0 + 1], np.zeros((4, 1)), params)[0][:, :, -1]))


def huge_relu():
    """relu RNN with Waa = 1e200 I, Wax = 1, x = 1: a<0> = 3, a<1> = 3e200 + 3, a<2> ~ 9e400 = inf."""
    n_a, n_x, T = 2, 3, 6
    params = {"Wax": np.ones((n_a, n_x)), "Waa": 1e200 * np.eye(n_a), "ba": np.zeros((n_a, 1))}
    return get_cell("rnn", activation="relu"), params, np.ones((n_x, 1, T))


def test_relu_rnn_with_huge_weights_overflowing_in_the_forward_pass_is_reported():
    cell, params, x = huge_relu()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = state_gradient_norms(cell, params, x)
        assert out["exploded_at"] == 2 and out["exploded_in"] == "forward"
        assert np.all(np.isnan(out["norms"]))
        assert np.all(np.isnan(jacobian_norms(cell, params, x)))
        rm = reach_map(cell, params, x)
    # the losses on steps 0 and 1 are finite numbers: their rows survive; dh<1>/dh<0> = 1e200 I
    M = rm["map"]
    assert rm["exploded"] and rm["exploded_in"] == "forward"
    assert M[0, 0] == pytest.approx(1.0) and M[1, 1] == pytest.approx(1.0)
    assert M[1, 0] == pytest.approx(1e200, rel=1e-12)
    assert np.all(np.isnan(M[2:]))


def test_gru_overflowing_in_the_forward_pass_keeps_the_rows_before_it():
    """Simplified GRU, n_a = n_x = 1, Gamma_u overridden to 1/4 at every step, Wc = [-1e308 | 1e308], c<-1> = 8.
    Steps 0 and 1 (x = 0): the pre-activation -1e308 * c overflows to -inf, c_tilde = -1 exactly, so
    c<0> = -1/4 + 3/4 * 8 = 5.75 and c<1> = -1/4 + 3/4 * 5.75 = 4.0625, both finite. Step 2 (x = 10):
    -inf + inf = NaN. Row 1 of the reach map survives: dc<1>/dc<0> = 3/4 + 1/4 * (1 - c_tilde^2) * Wc = 3/4.
    The override has one value per step, so it must be cut along with the sequence for those rows."""
    T = 5
    params = {"Wu": np.zeros((1, 2)), "bu": np.zeros((1, 1)), "Wc": np.array([[-1e308, 1e308]]),
              "bc": np.zeros((1, 1))}
    x = np.zeros((1, 1, T))
    x[0, 0, 2:] = 10.0
    cell = get_cell("gru", simplified=True, override={"Gamma_u": np.full((1, 1, T), 0.25)})
    h0 = np.array([[8.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = state_gradient_norms(cell, params, x, h0)
        rm = reach_map(cell, params, x, h0)
    assert out["exploded_at"] == 2 and out["exploded_in"] == "forward"
    assert rm["exploded"] and rm["exploded_in"] == "forward" and np.all(np.isnan(rm["map"][2:]))
    assert np.allclose(rm["map"][:2, :2], [[1.0, np.nan], [0.75, 1.0]], rtol=1e-15, equal_nan=True)


def test_zero_recurrent_weights_cut_the_gradient_after_one_step():
    """Waa = 0: h<t> does not depend on h<t-1>, so only the last step sees the loss."""
    T = 6
    cell, params, x = rnn_for_gradient_study(4, 2, 0.0, T=T)
    assert np.array_equal(state_gradient_norms(cell, params, x)["norms"], [0, 0, 0, 0, 0, 1.0])
    assert np.array_equal(jacobian_norms(cell, params, x), [0, 0, 0, 0, 0, 1.0])
    assert np.array_equal(jacobian_norms(cell, params, x, ord="fro"), [0, 0, 0, 0, 0, 2.0])


# ----------------------------------------------------------------------------------------------
# sigma_max > 1 is necessary for growth, but not sufficient
# ----------------------------------------------------------------------------------------------

def test_saturated_tanh_vanishes_even_with_sigma_max_above_one():
    """Large input weights drive |z| >> 1, where tanh' = 1 - a^2 ~ 0: every step back multiplies the gradient
    by diag(1 - a^2) @ Waa.T, and the tiny first factor beats sigma_max = 1.5 (also for seeds 1 .. 7)."""
    T = 100
    cell, params, x = rnn_for_gradient_study(8, 3, 1.5, seed=0, T=T, input_scale=3.0)
    norms = state_gradient_norms(cell, params, x)["norms"]
    assert np.linalg.norm(params["Waa"], 2) == pytest.approx(1.5, rel=1e-12)
    assert norms[0] < 1e-6 * norms[-1]


def test_unsaturated_tanh_with_large_sigma_max_grows():
    """Waa ~ N(0, gain^2 / n_a) with sigma_max = 4, i.e. gain ~ 2 (sigma_max ~ 2 * gain for a square Gaussian
    matrix): a random tanh network with gain > 1 and weak input is chaotic (Sompolinsky, Crisanti and Sommers,
    1988), its largest Lyapunov exponent is positive, so products of step Jacobians grow with their length.
    Small inputs leave the units partly unsaturated. (10 of 10 seeds grow with these sizes.)"""
    T = 60
    cell, params, x = rnn_for_gradient_study(32, 3, 4.0, seed=0, T=T, input_scale=0.01)
    norms = state_gradient_norms(cell, params, x)["norms"]
    assert norms[0] > norms[-1]


# ----------------------------------------------------------------------------------------------
# reach_map
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,options", [("rnn", {}), ("rnn", {"activation": "relu"}), ("gru", {}),
                                          ("lstm", {"peephole": True})])
def test_reach_map_rows_are_prefix_runs(kind, options):
    T = 6
    cell, params, x, h0 = small_layer(kind, options, m=1, T=T, seed=5)
    out = reach_map(cell, params, x, h0)
    M = out["map"]
    assert M.shape == (T, T) and not out["exploded"] and out["exploded_in"] is None
    for t in (0, 2, T - 1):
        prefix = state_gradient_norms(cell, params, x[:, :, :t + 1], h0)["norms"]
        assert rel(M[t, :t + 1], prefix) < 1e-12
    assert np.all(np.isnan(M[np.triu_indices(T, 1)]))
    assert np.allclose(np.diag(M), 1.0, rtol=1e-14)


def test_reach_map_marks_exploded_entries():
    """Linear, Waa = 1e7 Q, zero inputs: M[t, k] = 1e7^(t-k) exactly, above 1e300 once t - k >= 43."""
    T = 50
    cell, params, x = rnn_for_gradient_study(3, 2, 1e7, activation="linear", T=T, recurrent="orthogonal")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = reach_map(cell, params, np.zeros_like(x))
    M = out["map"]
    assert out["exploded"] and out["exploded_in"] == "backward"
    t, k = np.meshgrid(np.arange(T), np.arange(T), indexing="ij")
    expect_nan = (k > t) | (t - k >= 43)
    assert np.array_equal(np.isnan(M), expect_nan)
    assert rel(M[~expect_nan], 1e7 ** (t - k)[~expect_nan].astype(float)) < 1e-10


# ----------------------------------------------------------------------------------------------
# jacobian_norms
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind,options", CELLS)
def test_jacobian_norms_match_a_finite_difference_jacobian(kind, options):
    """J(t) = dh<T-1>/dh<t>, by finite differences on h0 of the run over x[:, :, t+1:] started from h<t>."""
    T, n_a = 5, 4
    cell, params, x, h0 = small_layer(kind, options, m=1, T=T, seed=6)
    spectral = jacobian_norms(cell, params, x, h0)
    frobenius = jacobian_norms(cell, params, x, h0, ord="fro")
    h, c = forward_states(cell, params, x, h0)
    for t in (0, 2):
        last = suffix_last_state(cell, params, x, h, c, t)
        J = np.stack([numerical_gradient(lambda v, i=i: float(last(v)[i, 0]), h[:, :, t])[:, 0]
                      for i in range(n_a)])                 # row i: d h<T-1>[i] / d h<t>
        assert rel(spectral[t], np.linalg.norm(J, 2)) < 1e-7
        assert rel(frobenius[t], np.linalg.norm(J, "fro")) < 1e-7
    assert spectral[-1] == pytest.approx(1.0, rel=1e-14)          # J(T-1) = I
    assert frobenius[-1] == pytest.approx(np.sqrt(n_a), rel=1e-14)


def test_jacobian_of_a_scaled_orthogonal_linear_rnn():
    """J(t) = (s Q)^(T-1-t): every singular value is s^(T-1-t)."""
    T, n_a, s = 12, 5, 1.7
    cell, params, x = rnn_for_gradient_study(n_a, 2, s, activation="linear", T=T, recurrent="orthogonal")
    theory = linear_theory(s, T)
    assert rel(jacobian_norms(cell, params, x), theory) < 1e-12
    assert rel(jacobian_norms(cell, params, x, ord="fro"), np.sqrt(n_a) * theory) < 1e-12


def test_jacobian_norms_mark_a_backward_explosion():
    T = 400
    cell, params, x = rnn_for_gradient_study(3, 2, 10.0, activation="linear", T=T, recurrent="orthogonal")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        norms = jacobian_norms(cell, params, np.zeros_like(x))
    finite = ~np.isnan(norms)
    t0 = int(np.flatnonzero(~finite)[-1])
    assert np.all(~finite[:t0 + 1]) and np.all(finite[t0 + 1:])
    assert rel(norms[finite], linear_theory(10.0, T)[finite]) < 1e-10
    assert linear_theory(10.0, T)[t0] >= EXPLODED * (1 - 1e-9)


# ----------------------------------------------------------------------------------------------
# gates keep the gradient alive
# ----------------------------------------------------------------------------------------------

def test_gru_with_update_gate_near_zero_keeps_the_gradient():
    """With Gamma_u ~ 0, dc<t-1> ~ (1 - Gamma_u) * dc<t>: almost the identity. The plain GRU (bias 0) and a
    tanh RNN with sigma_max = 0.9 (bound 0.9^99 ~ 3e-5) do not keep it."""
    T = 100
    cell, params, x = gated_for_gradient_study("gru", 8, 3, seed=0, T=T)
    kept = state_gradient_norms(cell, params, x)["norms"]
    assert kept[0] >= 0.5 * kept[-1]
    cell, params, x = gated_for_gradient_study("gru", 8, 3, seed=0, T=T, gate_bias=0.0)
    plain = state_gradient_norms(cell, params, x)["norms"]
    assert plain[0] < 1e-3 * plain[-1]
    cell, params, x = rnn_for_gradient_study(8, 3, 0.9, seed=0, T=T)
    rnn = state_gradient_norms(cell, params, x)["norms"]
    assert rnn[0] < 1e-3 * rnn[-1]


def test_gru_with_update_gate_overridden_to_zero_copies_the_state_and_the_gradient():
    """Gamma_u = 0 at every step: c<t> = c<t-1> exactly, so every Jacobian is the identity and every loss
    reaches every earlier step with its full norm. (The override, given for one example, must follow the
    copies that reach_map and jacobian_norms make along the batch axis.)"""
    T, n_a = 6, 4
    _, params, x, h0 = small_layer("gru", {}, m=1, T=T)
    cell = get_cell("gru", override={"Gamma_u": np.zeros((n_a, 1, T))})
    assert np.allclose(state_gradient_norms(cell, params, x, h0)["norms"], 1.0, rtol=1e-14)
    assert np.allclose(jacobian_norms(cell, params, x, h0), 1.0, rtol=1e-14)
    assert np.allclose(jacobian_norms(cell, params, x, h0, ord="fro"), 2.0, rtol=1e-14)
    M = reach_map(cell, params, x, h0)["map"]
    assert np.allclose(M[np.tril_indices(T)], 1.0, rtol=1e-14)
    # a kind name means the cell with its default options
    assert np.array_equal(state_gradient_norms("gru", params, x, h0)["norms"],
                          state_gradient_norms(get_cell("gru"), params, x, h0)["norms"])


def test_lstm_with_forget_gate_near_one_keeps_the_gradient():
    """With Gamma_f ~ 1, dc<t-1> ~ Gamma_f * dc<t>: the memory carries the gradient of the loss on a<T-1>
    back to the start (c_norms). The hidden state a<t> receives it from the memory through the write gate
    at every step, so ||dL/da<t>|| does not decay with the distance (compare t = 0 with t = 50); its level
    is a constant fraction of ||g|| because the loss reads a<T-1> directly at the last step only
    (the entry into the memory passes Gamma_u and Gamma_o), so t = 0 is not compared with T-1 here.
    A tanh RNN with sigma_max = 0.9 loses at least a factor 0.9^50 ~ 5e-3 over the same 50 steps."""
    T = 100
    cell, params, x = gated_for_gradient_study("lstm", 8, 3, seed=0, T=T)
    out = state_gradient_norms(cell, params, x)
    assert out["c_norms"][0] >= 0.5 * out["c_norms"][T - 2]
    assert out["norms"][0] >= 0.25 * out["norms"][50]
    cell, params, x = gated_for_gradient_study("lstm", 8, 3, seed=0, T=T, gate_bias=0.0, write_bias=0.0)
    plain = state_gradient_norms(cell, params, x)
    assert plain["c_norms"][0] < 1e-3 * plain["c_norms"][T - 2]
    cell, params, x = rnn_for_gradient_study(8, 3, 0.9, seed=0, T=T)
    rnn = state_gradient_norms(cell, params, x)["norms"]
    assert rnn[0] <= 0.9 ** 50 * rnn[50] * (1 + 1e-12)


# ----------------------------------------------------------------------------------------------
# the latch
# ----------------------------------------------------------------------------------------------

def test_latch_holds_the_state_and_loses_the_gradient():
    w, T = 2.0, 50
    out = latch_experiment(w, T, 0.5)
    a = out["a"]
    assert abs(a[-1]) > 0.9                                         # held
    assert abs(out["da_T_da0"]) < 1e-10                             # vanished
    # chain rule on the scalar map: da<t>/da<t-1> = w * (1 - a<t>^2)
    assert rel(out["da_T_da0"], np.prod(w * (1.0 - a ** 2))) < 1e-12
    a_star = out["fixed_point"]
    assert abs(np.tanh(w * a_star) - a_star) < 1e-15 and a_star > 0.9
    assert abs(a[-1] - a_star) < 1e-12
    assert out["slope"] == pytest.approx(w * (1 - a_star ** 2)) and out["slope"] < 1
    # the first few steps (before the state settles) change only the prefactor, not the order of magnitude
    assert abs(np.log10(abs(out["da_T_da0"])) - np.log10(out["slope_power_T"])) < 2


def test_latch_below_one_decays_and_is_symmetric():
    out = latch_experiment(0.5, 50, 0.5)
    assert out["fixed_point"] == 0.0 and abs(out["a"][-1]) <= 0.5 ** 51   # |tanh(y)| <= |y|
    neg = latch_experiment(2.0, 50, -0.5)
    assert neg["fixed_point"] < -0.9
    assert np.allclose(neg["a"], -latch_experiment(2.0, 50, 0.5)["a"], rtol=0, atol=0)


# ----------------------------------------------------------------------------------------------
# matrices and builders
# ----------------------------------------------------------------------------------------------

def test_scaled_orthogonal_and_set_sigma_max():
    W = scaled_orthogonal(5, 1.3, seed=2)
    assert np.allclose(W.T @ W, 1.3 ** 2 * np.eye(5), atol=1e-13)
    assert np.array_equal(W, scaled_orthogonal(5, 1.3, seed=2))
    G = np.random.default_rng(0).normal(size=(4, 6))
    before = G.copy()
    V = set_sigma_max(G, 2.5)
    assert np.linalg.norm(V, 2) == pytest.approx(2.5, rel=1e-13)
    assert np.array_equal(G, before)                                # not changed in place
    assert np.allclose(V / np.linalg.norm(V), G / np.linalg.norm(G), rtol=1e-13)   # same direction


def test_builders():
    cell, p, x = rnn_for_gradient_study(6, 2, 1.4, activation="relu", seed=1, T=9)
    assert cell == get_cell("rnn", activation="relu") and x.shape == (2, 1, 9)
    assert p["Wax"].shape == (6, 2) and np.array_equal(p["ba"], np.zeros((6, 1)))
    assert np.linalg.norm(p["Waa"], 2) == pytest.approx(1.4, rel=1e-12)
    _, q, xq = rnn_for_gradient_study(6, 2, 1.4, seed=1, T=9, recurrent="orthogonal")
    assert np.allclose(np.linalg.svd(q["Waa"], compute_uv=False), 1.4, rtol=1e-13)
    assert np.array_equal(xq, x)                                    # same seed, same inputs
    cell, p, xg = gated_for_gradient_study("gru", 6, 2, seed=1, T=9, gate_bias=-3.0)
    assert cell.kind == "gru" and np.all(p["bu"] == -3.0) and np.array_equal(xg, x)
    cell, p, _ = gated_for_gradient_study("lstm", 6, 2, seed=1, T=9)
    assert np.all(p["bf"] == 6.0) and np.all(p["bu"] == -4.0) and set(p) == set(cell.param_keys)


def test_functions_do_not_change_their_arguments():
    cell, params, x, h0 = small_layer("lstm", {}, m=1, T=4)
    saved = {k: v.copy() for k, v in params.items()}, x.copy(), h0.copy()
    g = np.ones((4, 1))
    state_gradient_norms(cell, params, x, h0, upstream=g)
    reach_map(cell, params, x, h0)
    jacobian_norms(cell, params, x, h0)
    assert all(np.array_equal(params[k], saved[0][k]) for k in params) and set(params) == set(saved[0])
    assert np.array_equal(x, saved[1]) and np.array_equal(h0, saved[2]) and np.array_equal(g, np.ones((4, 1)))


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

LAYER_FUNCTIONS = [state_gradient_norms, reach_map, jacobian_norms]


@pytest.mark.parametrize("fn", LAYER_FUNCTIONS)
def test_layer_functions_reject_bad_arguments(fn):
    name = fn.__name__
    cell, params, x, h0 = small_layer("rnn", {}, m=1, T=4)
    with pytest.raises(ValueError, match=f"{name}: cell must be a Cell"):
        fn("transformer", params, x)
    with pytest.raises(KeyError, match=f"{name}: parameters is missing the key 'Waa'"):
        fn(cell, {k: v for k, v in params.items() if k != "Waa"}, x)
    bad = dict(params, Waa=np.full((4, 4), np.nan))
    with pytest.raises(ValueError, match=r"parameters\['Waa'\] must hold only finite"):
        fn(cell, bad, x)
    with pytest.raises(ValueError, match=r"parameters\['ba'\] must have shape \(n_a, 1\) = \(4, 1\), got \(3, 1\)"):
        fn(cell, dict(params, ba=np.zeros((3, 1))), x)
    with pytest.raises(ValueError, match=r"x must have shape \(n_x, m, T_x\) = \(3, \*, \*\) to match "
                                         r"parameters\['Wax'\] \(4, 3\), got \(2, 1, 4\)"):
        fn(cell, params, x[:2])
    with pytest.raises(ValueError, match=r"x must be 3-D"):
        fn(cell, params, x[:, :, 0])
    with pytest.raises(ValueError, match=r"x has T_x = 0"):
        fn(cell, params, x[:, :, :0])
    x_nan = x.copy()
    x_nan[0, 0, 1] = np.inf
    with pytest.raises(ValueError, match=r"x must hold only finite"):
        fn(cell, params, x_nan)
    with pytest.raises(ValueError, match=r"h0 must have shape \(n_a, m\) = \(4, 1\) .* got \(5, 1\)"):
        fn(cell, params, x, np.zeros((5, 1)))
    with pytest.raises(ValueError, match=r"h0 must hold only finite"):
        fn(cell, params, x, np.full((4, 1), np.nan))


def test_gated_layer_shapes_are_checked():
    cell, params, x, _ = small_layer("gru", {}, m=1, T=4)
    with pytest.raises(ValueError, match=r"state_gradient_norms: parameters\['Wc'\] must have shape "
                                         r"\(n_a, n_a \+ n_x\) = \(4, 7\), got \(4, 6\)"):
        state_gradient_norms(cell, dict(params, Wc=np.zeros((4, 6))), x)
    with pytest.raises(ValueError, match=r"parameters\['Wu'\] must have shape \(n_a, n_a \+ n_x\) with n_x >= 1"):
        state_gradient_norms(cell, dict(params, Wu=np.zeros((4, 4))), x)
    with pytest.raises(KeyError, match="'Wr'"):
        state_gradient_norms(cell, {k: v for k, v in params.items() if k != "Wr"}, x)


def test_specific_bad_arguments():
    cell, params, x, _ = small_layer("rnn", {}, m=2, T=4)
    with pytest.raises(ValueError, match=r"state_gradient_norms: upstream must have shape \(n_a, m\) = \(4, 2\) "
                                         r"to match h0 \(4, 2\), got \(4, 1\)"):
        state_gradient_norms(cell, params, x, upstream=np.ones((4, 1)))
    with pytest.raises(ValueError, match="upstream must hold only finite"):
        state_gradient_norms(cell, params, x, upstream=np.full((4, 2), np.nan))
    with pytest.raises(ValueError, match=r"reach_map: x must have shape \(n_x, 1, T_x\) = \(3, 1, 4\) \(one example"):
        reach_map(cell, params, x)
    with pytest.raises(ValueError, match=r"jacobian_norms: x must have shape \(n_x, 1, T_x\)"):
        jacobian_norms(cell, params, x)
    with pytest.raises(ValueError, match="jacobian_norms: ord must be one of 2, 'fro'"):
        jacobian_norms(cell, params, x[:, :1], ord=1)


def test_theory_and_builder_arguments_are_checked():
    with pytest.raises(ValueError, match="scaled_orthogonal: n must be an integer >= 1"):
        scaled_orthogonal(0, 1.0)
    with pytest.raises(ValueError, match="scaled_orthogonal: s must be a finite number >= 0"):
        scaled_orthogonal(3, -1.0)
    with pytest.raises(ValueError, match="set_sigma_max: sigma must be a finite number >= 0"):
        set_sigma_max(np.eye(2), np.inf)
    with pytest.raises(ValueError, match="set_sigma_max: W must have a nonzero singular value"):
        set_sigma_max(np.zeros((2, 2)), 1.0)
    with pytest.raises(ValueError, match="set_sigma_max: W must be 2-D"):
        set_sigma_max(np.ones(3), 1.0)
    with pytest.raises(ValueError, match="set_sigma_max: W must hold only finite"):
        set_sigma_max(np.array([[np.nan]]), 1.0)
    with pytest.raises(ValueError, match="pascanu_bound: T must be an integer >= 1"):
        pascanu_bound(0.9, 0)
    with pytest.raises(ValueError, match="pascanu_bound: gamma must be one of"):
        pascanu_bound(0.9, 5, "softplus")
    with pytest.raises(ValueError, match="pascanu_bound: sigma_max must be a finite number >= 0"):
        pascanu_bound(np.nan, 5)
    with pytest.raises(ValueError, match="linear_theory: final_norm must be a finite number >= 0"):
        linear_theory(1.0, 5, -1.0)
    with pytest.raises(ValueError, match="rnn_for_gradient_study: sigma_max must be a finite number >= 0"):
        rnn_for_gradient_study(4, 2, -0.5)
    with pytest.raises(ValueError, match="rnn_for_gradient_study: activation must be one of"):
        rnn_for_gradient_study(4, 2, 1.0, activation="sigmoid")
    with pytest.raises(ValueError, match="rnn_for_gradient_study: recurrent must be one of"):
        rnn_for_gradient_study(4, 2, 1.0, recurrent="identity")
    with pytest.raises(ValueError, match="rnn_for_gradient_study: T must be an integer >= 1"):
        rnn_for_gradient_study(4, 2, 1.0, T=0)
    with pytest.raises(ValueError, match="gated_for_gradient_study: kind must be one of 'gru', 'lstm'"):
        gated_for_gradient_study("rnn", 4, 2)
    with pytest.raises(ValueError, match="gated_for_gradient_study: write_bias is for the LSTM only"):
        gated_for_gradient_study("gru", 4, 2, write_bias=-1.0)
    with pytest.raises(ValueError, match="gated_for_gradient_study: gate_bias must be a finite number"):
        gated_for_gradient_study("lstm", 4, 2, gate_bias=np.inf)
    with pytest.raises(ValueError, match="latch_experiment: w must be a finite number >= 0"):
        latch_experiment(-2.0, 10)
    with pytest.raises(ValueError, match="latch_experiment: T must be an integer >= 1"):
        latch_experiment(2.0, 0)
    with pytest.raises(ValueError, match="latch_experiment: a0 must be a finite number"):
        latch_experiment(2.0, 10, np.nan)
