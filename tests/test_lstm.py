"""Tests of helpers/lstm.py: gradient checks, agreement of cell and sequence, invariants, bad input."""
import numpy as np
import pytest

from helpers.activations import sigmoid, softmax
from helpers.gradcheck import gradient_check
from helpers.lstm import (
    initialize_lstm_parameters,
    lstm_backward,
    lstm_cell_backward,
    lstm_cell_forward,
    lstm_forward,
    lstm_gates,
    lstm_states_forward,
)

TOL = 1e-7          # finite differences against the analytic gradient (relative error)
GATE_KEYS = ["Wf", "bf", "Wu", "bu", "Wo", "bo", "Wc", "bc"]
PEEP_KEYS = ["pf", "pu", "po"]
STATE = ("x", "a0", "c0")


def make_problem(n_x=3, n_a=4, n_y=2, m=3, T_x=5, peephole=False, seed=0):
    """Random parameters (non-zero biases, so every term is exercised), input and initial states."""
    rng = np.random.default_rng(1000 + seed)
    params = initialize_lstm_parameters(n_x, n_a, n_y, seed=seed, peephole=peephole)
    for key in params:
        if key.startswith("b"):
            params[key] = rng.normal(0.0, 0.5, size=params[key].shape)
    x = rng.normal(size=(n_x, m, T_x))
    a0 = rng.normal(0.0, 0.5, size=(n_a, m))
    c0 = rng.normal(size=(n_a, m))
    return params, x, a0, c0, rng


def split(d):
    """A gradient_check input dict -> (parameters, x, a0, c0)."""
    params = {k: v for k, v in d.items() if k not in STATE}
    return params, d["x"], d["a0"], d["c0"]


def sequence_loss(G, H, peephole, override=None):
    """L = sum(G * a) + sum(H * c): dL/da<t> = G[..., t], dL/dc<t> = H[..., t] (upstream)."""
    def loss(d):
        params, x, a0, c0 = split(d)
        a, c, _ = lstm_states_forward(x, a0, params, peephole=peephole, override=override, c0=c0)
        return np.sum(G * a) + np.sum(H * c)
    return loss


def analytic_by_input(grads):
    """Rename the backward's keys (dWf, dx, da0, ...) to the names of the inputs (Wf, x, a0, ...)."""
    return {k[1:]: v for k, v in grads.items() if k not in ("da_steps", "dc_steps")}


def copy_all(*objs):
    out = []
    for o in objs:
        if isinstance(o, dict):
            out.append({k: np.array(v, copy=True) for k, v in o.items()})
        else:
            out.append(np.array(o, copy=True))
    return out


# ------------------------------------------------------------------------------------------------
# finite-difference gradient checks
# ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("peephole", [False, True])
@pytest.mark.parametrize("last_step_only", [False, True])
def test_lstm_backward_matches_finite_differences(m, peephole, last_step_only):
    params, x, a0, c0, rng = make_problem(m=m, peephole=peephole, seed=m + 2 * peephole)
    G = rng.normal(size=(4, m, 5))
    H = rng.normal(size=(4, m, 5))
    if last_step_only:
        G[..., :-1] = 0.0
        H[..., :-1] = 0.0
    _, _, caches = lstm_states_forward(x, a0, params, peephole=peephole, c0=c0)
    grads = lstm_backward(G, caches, dc=H)
    expected = {"d" + k for k in GATE_KEYS + (PEEP_KEYS if peephole else [])} | {"dx", "da0", "dc0"}
    assert set(grads) == expected
    inputs = dict(params, x=x, a0=a0, c0=c0)
    errors = gradient_check(sequence_loss(G, H, peephole), inputs, analytic_by_input(grads))
    assert max(errors.values()) < TOL, errors


def test_lstm_backward_with_only_da_matches_finite_differences():
    """dc=None means no loss on c: the gradient of L = sum(G * a) alone."""
    params, x, a0, c0, rng = make_problem(m=2, T_x=4, peephole=True, seed=7)
    G = rng.normal(size=(4, 2, 4))
    _, _, caches = lstm_states_forward(x, a0, params, peephole=True, c0=c0)
    grads = lstm_backward(G, caches)
    inputs = dict(params, x=x, a0=a0, c0=c0)
    errors = gradient_check(sequence_loss(G, np.zeros_like(G), True), inputs, analytic_by_input(grads))
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("m", [1, 3])
def test_overridden_forget_gate_is_a_constant_in_backward(m):
    params, x, a0, c0, rng = make_problem(m=m, T_x=5, peephole=True, seed=11)
    override = {"Gamma_f": rng.uniform(0.2, 0.9, size=(4, 1, 5))}
    G, H = rng.normal(size=(4, m, 5)), rng.normal(size=(4, m, 5))
    _, _, caches = lstm_states_forward(x, a0, params, peephole=True, override=override, c0=c0)
    grads = lstm_backward(G, caches, dc=H)
    for key in ("dWf", "dbf", "dpf"):
        assert np.all(grads[key] == 0.0), key
    for key in ("dWu", "dWo", "dWc", "dpu", "dpo"):
        assert np.any(grads[key] != 0.0), key
    inputs = dict(params, x=x, a0=a0, c0=c0)
    errors = gradient_check(sequence_loss(G, H, True, override), inputs, analytic_by_input(grads))
    assert max(errors.values()) < TOL, errors


def test_all_gates_overridden_with_different_broadcast_shapes_pass_finite_differences():
    params, x, a0, c0, rng = make_problem(m=3, T_x=4, peephole=True, seed=12)
    override = {"Gamma_f": 0.6, "Gamma_u": rng.uniform(size=(1, 1, 4)),
                "Gamma_o": rng.uniform(size=(4, 1, 1))}
    G, H = rng.normal(size=(4, 3, 4)), rng.normal(size=(4, 3, 4))
    _, _, caches = lstm_states_forward(x, a0, params, peephole=True, override=override, c0=c0)
    grads = lstm_backward(G, caches, dc=H)
    for g in "fuo":
        for key in ("dW" + g, "db" + g, "dp" + g):
            assert np.all(grads[key] == 0.0), key
    inputs = dict(params, x=x, a0=a0, c0=c0)
    errors = gradient_check(sequence_loss(G, H, True, override), inputs, analytic_by_input(grads))
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("peephole", [False, True])
def test_lstm_cell_backward_matches_finite_differences(m, peephole):
    params, x, a0, c0, rng = make_problem(m=m, peephole=peephole, seed=20 + m)
    xt = x[..., 0]
    Ga, Hc = rng.normal(size=(4, m)), rng.normal(size=(4, m))

    def loss(d):
        p = {k: v for k, v in d.items() if k not in ("xt", "a_prev", "c_prev")}
        a_next, c_next, _, _ = lstm_cell_forward(d["xt"], d["a_prev"], d["c_prev"], p, peephole=peephole)
        return np.sum(Ga * a_next) + np.sum(Hc * c_next)

    _, _, _, cache = lstm_cell_forward(xt, a0, c0, params, peephole=peephole)
    grads = lstm_cell_backward(Ga, Hc, cache)
    names = {"dxt": "xt", "da_prev": "a_prev", "dc_prev": "c_prev"}
    expected = {"d" + k for k in GATE_KEYS + (PEEP_KEYS if peephole else [])} | set(names)
    assert set(grads) == expected
    analytic = {names.get(k, k[1:]): v for k, v in grads.items()}
    inputs = dict(params, xt=xt, a_prev=a0, c_prev=c0)
    errors = gradient_check(loss, inputs, analytic)
    assert set(errors) == set(analytic)
    assert max(errors.values()) < TOL, errors


def test_lstm_cell_backward_with_overridden_output_gate():
    params, x, a0, c0, rng = make_problem(m=2, peephole=True, seed=30)
    override = {"Gamma_o": np.full((4, 1), 0.3)}
    Ga, Hc = rng.normal(size=(4, 2)), rng.normal(size=(4, 2))

    def loss(d):
        p = {k: v for k, v in d.items() if k not in ("xt", "a_prev", "c_prev")}
        a_next, c_next, _, _ = lstm_cell_forward(d["xt"], d["a_prev"], d["c_prev"], p, True, override)
        return np.sum(Ga * a_next) + np.sum(Hc * c_next)

    _, _, _, cache = lstm_cell_forward(x[..., 0], a0, c0, params, peephole=True, override=override)
    grads = lstm_cell_backward(Ga, Hc, cache)
    for key in ("dWo", "dbo", "dpo"):
        assert np.all(grads[key] == 0.0)
    names = {"dxt": "xt", "da_prev": "a_prev", "dc_prev": "c_prev"}
    analytic = {names.get(k, k[1:]): v for k, v in grads.items()}
    errors = gradient_check(loss, dict(params, xt=x[..., 0], a_prev=a0, c_prev=c0), analytic)
    assert max(errors.values()) < TOL, errors


# ------------------------------------------------------------------------------------------------
# the sequence functions agree with the one-step reference
# ------------------------------------------------------------------------------------------------

def run_cells(x, a0, c0, params, peephole, override):
    """The sequence forward written as a plain loop over lstm_cell_forward."""
    n_a, m, T_x = a0.shape[0], x.shape[1], x.shape[2]
    a, c, y, caches = [], [], [], []
    a_prev, c_prev = a0, c0
    for t in range(T_x):
        ov = {k: np.broadcast_to(v, (n_a, m, T_x))[..., t] for k, v in (override or {}).items()}
        a_prev, c_prev, yt, cache = lstm_cell_forward(x[..., t], a_prev, c_prev, params, peephole, ov)
        a.append(a_prev)
        c.append(c_prev)
        y.append(yt)
        caches.append(cache)
    return np.stack(a, axis=2), np.stack(y, axis=2), np.stack(c, axis=2), caches


CASES = [(False, None), (True, None),
         (True, {"Gamma_u": 0.25, "Gamma_o": np.linspace(0, 1, 5)[None, None, :]})]


@pytest.mark.parametrize("peephole,override", CASES)
def test_sequence_forward_equals_repeated_cells(peephole, override):
    params, x, a0, c0, _ = make_problem(m=3, T_x=5, peephole=peephole, seed=40)
    a, y, c, caches = lstm_forward(x, a0, params, peephole=peephole, override=override, c0=c0)
    a_ref, y_ref, c_ref, _ = run_cells(x, a0, c0, params, peephole, override)
    np.testing.assert_allclose(a, a_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(c, c_ref, rtol=0, atol=1e-12)
    np.testing.assert_allclose(y, y_ref, rtol=0, atol=1e-12)
    a2, c2, _ = lstm_states_forward(x, a0, params, peephole=peephole, override=override, c0=c0)
    np.testing.assert_array_equal(a2, a)
    np.testing.assert_array_equal(c2, c)


@pytest.mark.parametrize("peephole,override", CASES)
def test_sequence_backward_equals_accumulated_cell_backwards(peephole, override):
    params, x, a0, c0, rng = make_problem(m=3, T_x=5, peephole=peephole, seed=41)
    da, dc = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 3, 5))
    _, _, _, caches = lstm_forward(x, a0, params, peephole=peephole, override=override, c0=c0)
    grads = lstm_backward(da, caches, dc=dc, keep_state_grads=True)

    _, _, _, cell_caches = run_cells(x, a0, c0, params, peephole, override)
    keys = GATE_KEYS + (PEEP_KEYS if peephole else [])
    total = {"d" + k: np.zeros_like(params[k]) for k in keys}
    dx = np.zeros_like(x)
    da_steps, dc_steps = np.zeros_like(da), np.zeros_like(dc)
    da_prev, dc_prev = np.zeros((4, 3)), np.zeros((4, 3))
    for t in reversed(range(5)):
        da_steps[..., t] = da[..., t] + da_prev
        dc_steps[..., t] = dc[..., t] + dc_prev
        g = lstm_cell_backward(da_steps[..., t], dc_steps[..., t], cell_caches[t])
        for k in total:
            total[k] += g[k]
        dx[..., t] = g["dxt"]
        da_prev, dc_prev = g["da_prev"], g["dc_prev"]

    for k in total:
        np.testing.assert_allclose(grads[k], total[k], rtol=0, atol=1e-12, err_msg=k)
    np.testing.assert_allclose(grads["dx"], dx, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["da0"], da_prev, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["dc0"], dc_prev, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["da_steps"], da_steps, rtol=0, atol=1e-12)
    np.testing.assert_allclose(grads["dc_steps"], dc_steps, rtol=0, atol=1e-12)


def test_keep_state_grads_by_suffix_construction():
    """From step t on, L only depends on (a<t>, c<t>) through the loss at t and the rest of the sequence
    started from (a<t>, c<t>); the derivatives of that suffix loss are da_steps<t> and dc_steps<t>."""
    T_x, m = 4, 2
    params, x, a0, c0, rng = make_problem(m=m, T_x=T_x, peephole=True, seed=50)
    G, H = rng.normal(size=(4, m, T_x)), rng.normal(size=(4, m, T_x))
    a, c, caches = lstm_states_forward(x, a0, params, peephole=True, c0=c0)
    grads = lstm_backward(G, caches, dc=H, keep_state_grads=True)
    assert "da_steps" not in lstm_backward(G, caches, dc=H)

    for t in range(T_x):
        def suffix_loss(d, t=t):
            total = np.sum(G[..., t] * d["a_t"]) + np.sum(H[..., t] * d["c_t"])
            if t < T_x - 1:
                a_s, c_s, _ = lstm_states_forward(x[..., t + 1:], d["a_t"], params,
                                                  peephole=True, c0=d["c_t"])
                total += np.sum(G[..., t + 1:] * a_s) + np.sum(H[..., t + 1:] * c_s)
            return total

        errors = gradient_check(suffix_loss, {"a_t": a[..., t], "c_t": c[..., t]},
                                {"a_t": grads["da_steps"][..., t], "c_t": grads["dc_steps"][..., t]})
        assert max(errors.values()) < TOL, (t, errors)
    # at the last step nothing flows back from the future
    np.testing.assert_array_equal(grads["da_steps"][..., -1], G[..., -1])
    np.testing.assert_array_equal(grads["dc_steps"][..., -1], H[..., -1])


# ------------------------------------------------------------------------------------------------
# invariants and hand-derived cases
# ------------------------------------------------------------------------------------------------

def test_forget_one_update_zero_keeps_the_memory_exactly():
    params, x, a0, c0, _ = make_problem(m=3, T_x=6, peephole=True, seed=60)
    assert np.all(c0 != 0)
    a, c, caches = lstm_states_forward(x, a0, params, peephole=True, c0=c0,
                                       override={"Gamma_f": 1.0, "Gamma_u": 0.0})
    for t in range(6):
        np.testing.assert_array_equal(c[..., t], c0)
    # a<t> = Gamma_o<t> * tanh(c0): the memory is read out through the output gate
    np.testing.assert_array_equal(a, lstm_gates(caches)["Gamma_o"] * np.tanh(c0)[:, :, None])


def test_lectures_case_memory_carried_from_c0_to_c3():
    """Gates per step: keep c<0> through steps 1, 2, 3 (Gamma_f = 1, Gamma_u = 0), then mix."""
    params, x, a0, c0, _ = make_problem(m=2, T_x=5, peephole=True, seed=61)
    Gamma_f = np.array([1.0, 1.0, 1.0, 0.2, 0.2]).reshape(1, 1, 5)
    Gamma_u = np.array([0.0, 0.0, 0.0, 0.7, 0.7]).reshape(1, 1, 5)
    a, c, caches = lstm_states_forward(x, a0, params, peephole=True, c0=c0,
                                       override={"Gamma_f": Gamma_f, "Gamma_u": Gamma_u})
    np.testing.assert_array_equal(c[..., 2], c0)            # c<3> == c<0>, python index 2 is step 3
    c_tilde = lstm_gates(caches)["c_tilde"]
    np.testing.assert_allclose(c[..., 3], 0.7 * c_tilde[..., 3] + 0.2 * c0, rtol=1e-15, atol=0)
    assert not np.allclose(c[..., 3], c0)


def test_forget_zero_update_one_writes_the_candidate():
    params, x, a0, c0, _ = make_problem(m=3, T_x=5, seed=62)
    a, c, caches = lstm_states_forward(x, a0, params, c0=c0, override={"Gamma_f": 0.0, "Gamma_u": 1.0})
    gates = lstm_gates(caches)
    np.testing.assert_array_equal(c, gates["c_tilde"])
    # and c_tilde is tanh(Wc @ [a<t-1>; x<t>] + bc), recomputed here from the returned states
    a_prev = np.concatenate([a0[:, :, None], a[:, :, :-1]], axis=2)
    for t in range(5):
        stack = np.concatenate([a_prev[..., t], x[..., t]], axis=0)
        want = np.tanh(params["Wc"] @ stack + params["bc"])
        np.testing.assert_allclose(c[..., t], want, rtol=0, atol=1e-14)


@pytest.mark.parametrize("g", [0.5, 0.7])
def test_memory_gradient_decays_as_power_of_forget_gate(g):
    """With Gamma_f = g, Gamma_u, Gamma_o = 0 fixed and a loss only on c<T>: c<t> = g c<t-1> + (terms that
    do not reach dL/dc through a, since a = 0 * tanh(c)), so dL/dc<t> = g^(T-1-t) H<T> (0-based t)."""
    T_x, m = 5, 3
    params, x, a0, c0, rng = make_problem(m=m, T_x=T_x, peephole=True, seed=63)
    params = dict(params, pf=np.full((4, 1), 3.0), pu=np.full((4, 1), -2.0), po=np.full((4, 1), 5.0))
    override = {"Gamma_f": g, "Gamma_u": 0.4, "Gamma_o": 0.0}
    _, _, caches = lstm_states_forward(x, a0, params, peephole=True, override=override, c0=c0)
    H = np.zeros((4, m, T_x))
    H[..., -1] = rng.normal(size=(4, m))
    grads = lstm_backward(np.zeros_like(H), caches, dc=H, keep_state_grads=True)
    for t in range(T_x):
        want = g ** (T_x - 1 - t) * H[..., -1]
        np.testing.assert_allclose(grads["dc_steps"][..., t], want, rtol=1e-14, atol=0)
    np.testing.assert_allclose(grads["dc0"], g ** T_x * H[..., -1], rtol=1e-14, atol=0)
    for key in ("dWf", "dbf", "dpf", "dWu", "dbu", "dpu", "dWo", "dbo", "dpo"):
        assert np.all(grads[key] == 0.0), key


def test_output_gate_zero_gives_zero_hidden_state():
    params, x, a0, c0, _ = make_problem(m=3, T_x=5, peephole=True, seed=64)
    a, y, c, _ = lstm_forward(x, a0, params, peephole=True, c0=c0, override={"Gamma_o": 0.0})
    assert np.all(a == 0.0)
    assert np.any(c != 0.0)
    # with a = 0 the scores are by alone
    np.testing.assert_allclose(y, np.broadcast_to(softmax(params["by"])[:, :, None], y.shape), rtol=1e-15)


def test_hidden_state_is_bounded_and_outputs_are_probabilities():
    params, x, a0, c0, _ = make_problem(m=3, T_x=6, peephole=True, seed=65)
    a, y, c, _ = lstm_forward(x, a0, params, peephole=True, c0=c0)
    assert np.all(np.abs(a) < 1.0)
    np.testing.assert_allclose(y.sum(axis=0), 1.0, rtol=0, atol=1e-15)
    assert np.all(y > 0)
    # extreme inputs: no overflow warning (warnings are errors), a stays within [-1, 1]
    a, y, c, _ = lstm_forward(1000.0 * x, a0, params, peephole=True, c0=c0)
    assert np.all(np.isfinite(a)) and np.all(np.abs(a) <= 1.0)
    assert np.all(np.isfinite(y))


def test_hand_derived_one_unit_case():
    """n_x = n_a = 1, all weights 0, biases 0 except bc: every gate is sigmoid(0) = 1/2 and
    c_tilde = tanh(bc) = 0.6, so c<t> = 0.6 / 2 + c<t-1> / 2 = 0.6 (1 - 2^-t) from c<0> = 0,
    a<t> = tanh(c<t>) / 2, and with Wy = [[1], [-1]] the first class has probability sigmoid(2 a<t>)."""
    params = {k: np.zeros((1, 2)) for k in ("Wf", "Wu", "Wo", "Wc")}
    params.update({k: np.zeros((1, 1)) for k in ("bf", "bu", "bo")})
    params["bc"] = np.array([[np.arctanh(0.6)]])
    params["Wy"] = np.array([[1.0], [-1.0]])
    params["by"] = np.zeros((2, 1))
    x = np.array([[[0.3, -1.2, 2.0, 0.5]]])
    a, y, c, _ = lstm_forward(x, np.zeros((1, 1)), params)
    t = np.arange(1, 5)
    np.testing.assert_allclose(c[0, 0], 0.6 * (1 - 0.5 ** t), rtol=1e-14)
    np.testing.assert_allclose(a[0, 0], 0.5 * np.tanh(0.6 * (1 - 0.5 ** t)), rtol=1e-14)
    np.testing.assert_allclose(y[0, 0], 1.0 / (1.0 + np.exp(-2.0 * a[0, 0])), rtol=1e-14)


def test_zero_peepholes_equal_the_plain_lstm_exactly():
    params, x, a0, c0, rng = make_problem(m=3, T_x=5, seed=66)
    peep = dict(params, pf=np.zeros((4, 1)), pu=np.zeros((4, 1)), po=np.zeros((4, 1)))
    da, dc = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 3, 5))
    out_plain = lstm_forward(x, a0, params, c0=c0)
    out_peep = lstm_forward(x, a0, peep, peephole=True, c0=c0)
    for u, v in zip(out_plain[:3], out_peep[:3]):
        np.testing.assert_array_equal(u, v)
    g_plain = lstm_backward(da, out_plain[3], dc=dc)
    g_peep = lstm_backward(da, out_peep[3], dc=dc)
    for k in g_plain:
        np.testing.assert_array_equal(g_plain[k], g_peep[k], err_msg=k)
    assert all(np.any(g_peep[k] != 0) for k in ("dpf", "dpu", "dpo"))  # the peepholes would still learn
    # the same holds for the cell
    cell_plain = lstm_cell_forward(x[..., 0], a0, c0, params)
    cell_peep = lstm_cell_forward(x[..., 0], a0, c0, peep, peephole=True)
    for u, v in zip(cell_plain[:3], cell_peep[:3]):
        np.testing.assert_array_equal(u, v)


def test_nonzero_peepholes_change_the_result():
    params, x, a0, c0, _ = make_problem(m=2, T_x=3, peephole=True, seed=67)
    a_peep, _, _ = lstm_states_forward(x, a0, params, peephole=True, c0=c0)
    a_plain, _, _ = lstm_states_forward(x, a0, params, c0=c0)   # extra keys pf, pu, po ignored
    assert not np.allclose(a_peep, a_plain)


def test_lstm_gates_match_the_equations():
    params, x, a0, c0, _ = make_problem(m=3, T_x=4, peephole=True, seed=68)
    a, c, caches = lstm_states_forward(x, a0, params, peephole=True, c0=c0)
    gates = lstm_gates(caches)
    assert set(gates) == {"Gamma_f", "Gamma_u", "Gamma_o", "c_tilde"}
    a_prev = np.concatenate([a0[:, :, None], a[:, :, :-1]], axis=2)
    c_prev = np.concatenate([c0[:, :, None], c[:, :, :-1]], axis=2)
    for t in range(4):
        s = np.concatenate([a_prev[..., t], x[..., t]], axis=0)
        for g in "fuo":
            want = sigmoid(params["W" + g] @ s + params["p" + g] * c_prev[..., t] + params["b" + g])
            np.testing.assert_allclose(gates["Gamma_" + g][..., t], want, rtol=0, atol=1e-14)
        np.testing.assert_allclose(gates["c_tilde"][..., t], np.tanh(params["Wc"] @ s + params["bc"]),
                                   rtol=0, atol=1e-14)
    # every gate lies in [0, 1], c_tilde in [-1, 1]
    for g in ("Gamma_f", "Gamma_u", "Gamma_o"):
        assert np.all((gates[g] >= 0) & (gates[g] <= 1))
    assert np.all(np.abs(gates["c_tilde"]) <= 1)
    # a new dict of new arrays each call
    gates["Gamma_f"][...] = -5.0
    assert np.all(lstm_gates(caches)["Gamma_f"] >= 0)


@pytest.mark.parametrize("value", [0.3, np.full((4, 1, 1), 0.3), np.full((1, 1, 5), 0.3),
                                   np.full((4, 3, 5), 0.3), np.full((1, 5), 0.3)])
def test_override_broadcast_shapes(value):
    params, x, a0, c0, _ = make_problem(m=3, T_x=5, seed=69)
    _, _, caches = lstm_states_forward(x, a0, params, c0=c0, override={"Gamma_u": value})
    np.testing.assert_array_equal(lstm_gates(caches)["Gamma_u"], np.full((4, 3, 5), 0.3))


@pytest.mark.parametrize("value", [0.3, np.full((4, 1), 0.3), np.full((1, 3), 0.3), np.full((4, 3), 0.3)])
def test_cell_override_broadcast_shapes(value):
    params, x, a0, c0, _ = make_problem(m=3, seed=70)
    override = {"Gamma_f": value, "Gamma_o": 0.0}
    a_next, c_next, _, _ = lstm_cell_forward(x[..., 0], a0, c0, params, override=override)
    full = {"Gamma_f": np.full((4, 3), 0.3), "Gamma_o": 0.0}
    a_ref, c_ref, _, _ = lstm_cell_forward(x[..., 0], a0, c0, params, override=full)
    np.testing.assert_array_equal(c_next, c_ref)
    assert np.all(a_next == 0.0)


def test_default_c0_is_zero():
    params, x, a0, _, _ = make_problem(m=2, T_x=3, seed=71)
    a1, y1, c1, _ = lstm_forward(x, a0, params)
    a2, y2, c2, _ = lstm_forward(x, a0, params, c0=np.zeros((4, 2)))
    np.testing.assert_array_equal(a1, a2)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_array_equal(y1, y2)


# ------------------------------------------------------------------------------------------------
# initialisation
# ------------------------------------------------------------------------------------------------

def test_initialize_lstm_parameters_shapes_biases_and_seed():
    p = initialize_lstm_parameters(3, 5, 2, seed=1, forget_bias=1.5)
    assert set(p) == {"Wf", "bf", "Wu", "bu", "Wo", "bo", "Wc", "bc", "Wy", "by"}
    for g in "fuoc":
        assert p["W" + g].shape == (5, 8)
        assert p["b" + g].shape == (5, 1)
    assert p["Wy"].shape == (2, 5) and p["by"].shape == (2, 1)
    assert np.all(p["bf"] == 1.5)
    for k in ("bu", "bo", "bc", "by"):
        assert np.all(p[k] == 0.0)
    q = initialize_lstm_parameters(3, 5, 2, seed=1, forget_bias=1.5)
    assert all(np.array_equal(p[k], q[k]) for k in p)
    r = initialize_lstm_parameters(3, 5, 2, seed=2, forget_bias=1.5)
    assert not np.array_equal(p["Wf"], r["Wf"])
    assert not np.array_equal(p["Wf"], p["Wu"])
    # peepholes are drawn last: the other parameters do not change
    pp = initialize_lstm_parameters(3, 5, 2, seed=1, forget_bias=1.5, peephole=True)
    assert all(np.array_equal(p[k], pp[k]) for k in p)
    for k in PEEP_KEYS:
        assert pp[k].shape == (5, 1) and np.any(pp[k] != 0.0)


def test_initialize_lstm_parameters_scale():
    """W has variance 1 / fan_in; with 30000 draws the sample std is within ~1% (3 sigma)."""
    p = initialize_lstm_parameters(100, 100, 150, seed=3, peephole=True)
    np.testing.assert_allclose(p["Wf"].std(), np.sqrt(1 / 200), rtol=0.03)
    np.testing.assert_allclose(p["Wy"].std(), np.sqrt(1 / 100), rtol=0.03)
    peep = np.concatenate([p[k] for k in PEEP_KEYS])
    np.testing.assert_allclose(peep.std(), 0.1, rtol=0.2)     # 300 draws: ~4% per sigma


@pytest.mark.parametrize("kwargs,match", [
    (dict(n_x=0, n_a=4, n_y=2), "n_x"),
    (dict(n_x=3, n_a=0, n_y=2), "n_a"),
    (dict(n_x=3, n_a=4, n_y=2.5), "n_y"),
    (dict(n_x=3, n_a=4, n_y=2, seed=-1), "seed"),
    (dict(n_x=3, n_a=4, n_y=2, forget_bias=np.nan), "forget_bias"),
    (dict(n_x=3, n_a=4, n_y=2, peephole="yes"), "peephole"),
])
def test_initialize_lstm_parameters_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        initialize_lstm_parameters(**kwargs)


# ------------------------------------------------------------------------------------------------
# bad input
# ------------------------------------------------------------------------------------------------

def with_value(arr, index, value):
    out = np.array(arr, copy=True)
    out[index] = value
    return out


def cell_args(peephole=True):
    params, x, a0, c0, _ = make_problem(m=3, peephole=peephole, seed=80)
    return dict(xt=x[..., 0], a_prev=a0, c_prev=c0, parameters=params, peephole=peephole)


def replaced(args, **changes):
    """The parameters of ``args`` with some entries replaced."""
    return dict(args["parameters"], **changes)


def without(d, key):
    return {k: v for k, v in d.items() if k != key}


CELL_BAD = [
    ("xt", lambda a: np.zeros((4, 3)), r"xt must have shape \(n_x, m\) = \(3, 3\).*got \(4, 3\)"),
    ("xt", lambda a: np.zeros((3, 2)), r"xt must have shape .*a_prev \(4, 3\).*got \(3, 2\)"),
    ("xt", lambda a: np.zeros((3, 3, 1)), r"xt must be 2-D"),
    ("a_prev", lambda a: np.zeros((5, 3)), r"a_prev must have shape \(n_a, m\) = \(4, \*\).*got \(5, 3\)"),
    ("a_prev", lambda a: np.zeros(4), r"a_prev must be 2-D"),
    ("c_prev", lambda a: np.zeros((4, 2)), r"c_prev must have shape \(n_a, m\) = \(4, 3\).*got \(4, 2\)"),
    ("c_prev", lambda a: np.zeros((4, 3, 1)), r"c_prev must be 2-D"),
    ("xt", lambda a: with_value(a["xt"], (1, 1), np.nan), r"xt must hold only finite"),
    ("a_prev", lambda a: with_value(a["a_prev"], (0, 2), np.inf), r"a_prev must hold only finite"),
    ("c_prev", lambda a: with_value(a["c_prev"], (3, 0), -np.inf), r"c_prev must hold only finite"),
    ("parameters", lambda a: replaced(a, Wu=with_value(a["parameters"]["Wu"], (0, 0), np.nan)),
     r"parameters\['Wu'\] must hold only finite"),
    ("parameters", lambda a: replaced(a, pf=with_value(a["parameters"]["pf"], (0, 0), np.inf)),
     r"parameters\['pf'\] must hold only finite"),
    ("parameters", lambda a: replaced(a, Wy=with_value(a["parameters"]["Wy"], (0, 0), np.nan)),
     r"parameters\['Wy'\] must hold only finite"),
    ("parameters", lambda a: replaced(a, bu=np.zeros((5, 1))), r"parameters\['bu'\] must have shape"),
    ("parameters", lambda a: replaced(a, Wc=np.zeros((4, 6))), r"parameters\['Wc'\] must have shape"),
    ("parameters", lambda a: replaced(a, po=np.zeros((4,))), r"parameters\['po'\] must have shape"),
    ("parameters", lambda a: replaced(a, by=np.zeros((3, 1))), r"parameters\['by'\] must have shape"),
    ("parameters", lambda a: replaced(a, Wf=np.zeros((4, 4))), r"parameters\['Wf'\] must have shape"),
    ("parameters", lambda a: [1, 2], r"parameters must be a dict"),
    ("peephole", lambda a: "yes", r"peephole must be True or False"),
]


@pytest.mark.parametrize("name,make,match", CELL_BAD)
def test_lstm_cell_forward_bad_input(name, make, match):
    args = cell_args()
    args[name] = make(args)
    with pytest.raises(ValueError, match=match):
        lstm_cell_forward(**args)


@pytest.mark.parametrize("key,peephole", [("Wf", False), ("bc", False), ("Wy", False), ("by", False),
                                          ("pf", True), ("po", True)])
def test_missing_parameter_key_raises_key_error(key, peephole):
    args = cell_args(peephole=True)
    params = without(args["parameters"], key)
    with pytest.raises(KeyError, match=f"missing the key '{key}'"):
        lstm_cell_forward(args["xt"], args["a_prev"], args["c_prev"], params, peephole=peephole)
    x = np.zeros((3, 3, 2))
    if key not in ("Wy", "by"):
        with pytest.raises(KeyError, match=f"missing the key '{key}'"):
            lstm_states_forward(x, args["a_prev"], params, peephole=peephole)
    with pytest.raises(KeyError, match=f"missing the key '{key}'"):
        lstm_forward(x, args["a_prev"], params, peephole=peephole)


OVERRIDE_BAD = [
    ({"Gamma_f": 1.5}, r"override\['Gamma_f'\] must lie in \[0, 1\]"),
    ({"Gamma_o": -0.1}, r"override\['Gamma_o'\] must lie in \[0, 1\]"),
    ({"Gamma_u": np.nan}, r"override\['Gamma_u'\] must hold only finite"),
    ({"Gamma_r": 0.5}, r"unknown key 'Gamma_r'"),
    ({"c_tilde": 0.5}, r"unknown key 'c_tilde'"),
    ("Gamma_f", r"override must be None or a dict"),
]


@pytest.mark.parametrize("override,match", OVERRIDE_BAD + [
    ({"Gamma_f": np.full((5, 3), 0.5)},
     r"override\['Gamma_f'\] must be broadcastable to \(n_a, m\) = \(4, 3\), got shape \(5, 3\)"),
    ({"Gamma_u": np.full((4, 3, 1), 0.5)}, r"override\['Gamma_u'\] must be broadcastable"),
])
def test_lstm_cell_forward_bad_override(override, match):
    args = cell_args()
    with pytest.raises(ValueError, match=match):
        lstm_cell_forward(**args, override=override)


def seq_args(peephole=True):
    params, x, a0, c0, _ = make_problem(m=3, T_x=5, peephole=peephole, seed=81)
    return dict(x=x, a0=a0, parameters=params, peephole=peephole, c0=c0)


SEQ_BAD = [
    ("x", lambda a: np.zeros((4, 3, 5)),
     r"x must have shape \(n_x, m, T_x\) = \(3, 3, \*\).*got \(4, 3, 5\)"),
    ("x", lambda a: np.zeros((3, 2, 5)), r"x must have shape .*a0 \(4, 3\).*got \(3, 2, 5\)"),
    ("x", lambda a: np.zeros((3, 3)), r"x must be 3-D"),
    ("x", lambda a: np.zeros((3, 3, 0)), r"x has T_x = 0"),
    ("x", lambda a: with_value(a["x"], (0, 1, 4), np.nan), r"x must hold only finite"),
    ("a0", lambda a: np.zeros((5, 3)), r"a0 must have shape \(n_a, m\) = \(4, \*\).*got \(5, 3\)"),
    ("a0", lambda a: np.zeros((4, 3, 1)), r"a0 must be 2-D"),
    ("a0", lambda a: with_value(a["a0"], (2, 2), np.inf), r"a0 must hold only finite"),
    ("c0", lambda a: np.zeros((4, 2)), r"c0 must have shape \(n_a, m\) = \(4, 3\).*got \(4, 2\)"),
    ("c0", lambda a: np.zeros(4), r"c0 must be 2-D"),
    ("c0", lambda a: with_value(a["c0"], (1, 0), np.nan), r"c0 must hold only finite"),
    ("parameters", lambda a: replaced(a, bo=with_value(a["parameters"]["bo"], (0, 0), np.nan)),
     r"parameters\['bo'\] must hold only finite"),
    ("parameters", lambda a: replaced(a, pu=np.zeros((3, 1))), r"parameters\['pu'\] must have shape"),
    ("peephole", lambda a: 1, r"peephole must be True or False"),
]


@pytest.mark.parametrize("forward", [lstm_forward, lstm_states_forward])
@pytest.mark.parametrize("name,make,match", SEQ_BAD)
def test_sequence_forward_bad_input(forward, name, make, match):
    args = seq_args()
    args[name] = make(args)
    with pytest.raises(ValueError, match=f"{forward.__name__}: {match}"):
        forward(**args)


@pytest.mark.parametrize("forward", [lstm_forward, lstm_states_forward])
@pytest.mark.parametrize("override,match", OVERRIDE_BAD + [
    ({"Gamma_f": np.full((4, 3, 6), 0.5)},
     r"override\['Gamma_f'\] must be broadcastable to \(n_a, m, T_x\) = \(4, 3, 5\), got shape \(4, 3, 6\)"),
    ({"Gamma_o": np.full((1, 1, 4), 0.5)}, r"override\['Gamma_o'\] must be broadcastable"),
    ({"Gamma_u": np.full((1, 4, 3, 5), 0.5)}, r"override\['Gamma_u'\] must be broadcastable"),
])
def test_sequence_forward_bad_override(forward, override, match):
    with pytest.raises(ValueError, match=match):
        forward(**seq_args(), override=override)


def test_lstm_forward_checks_the_output_layer():
    args = seq_args()
    args["parameters"] = dict(args["parameters"], Wy=np.zeros((2, 5)))
    match = r"lstm_forward: parameters\['Wy'\] must have shape \(n_y, n_a\) = \(2, 4\)"
    with pytest.raises(ValueError, match=match):
        lstm_forward(**args)
    lstm_states_forward(**args)   # no output layer, so Wy is not read


@pytest.mark.parametrize("kwargs,match", [
    (dict(da=np.zeros((4, 3, 6))), r"da must have shape \(n_a, m, T_x\) = \(4, 3, 5\).*got \(4, 3, 6\)"),
    (dict(da=np.zeros((4, 3))), r"da must have shape \(n_a, m, T_x\) = \(4, 3, 5\).*got \(4, 3\)"),
    (dict(dc=np.zeros((4, 2, 5))), r"dc must have shape \(n_a, m, T_x\) = \(4, 3, 5\).*got \(4, 2, 5\)"),
    (dict(da=np.full((4, 3, 5), np.nan)), r"da must hold only finite"),
    (dict(dc=np.full((4, 3, 5), np.inf)), r"dc must hold only finite"),
    (dict(caches={"a": np.zeros((4, 3, 5))}), r"caches must be the caches returned by lstm_forward"),
    (dict(caches=(1, 2)), r"caches must be the caches"),
    (dict(keep_state_grads="no"), r"keep_state_grads must be True or False"),
])
def test_lstm_backward_bad_input(kwargs, match):
    a, y, c, caches = lstm_forward(**seq_args())
    args = dict(da=np.zeros((4, 3, 5)), caches=caches, dc=None, keep_state_grads=False)
    args.update(kwargs)
    with pytest.raises(ValueError, match="lstm_backward: " + match):
        lstm_backward(**args)


@pytest.mark.parametrize("kwargs,match", [
    (dict(da_next=np.zeros((4, 2))), r"da_next must have shape \(n_a, m\) = \(4, 3\).*got \(4, 2\)"),
    (dict(dc_next=np.zeros((5, 3))), r"dc_next must have shape \(n_a, m\) = \(4, 3\).*got \(5, 3\)"),
    (dict(da_next=np.full((4, 3), np.nan)), r"da_next must hold only finite"),
    (dict(dc_next=np.full((4, 3), -np.inf)), r"dc_next must hold only finite"),
    (dict(cache="cache"), r"cache must be the cache returned by lstm_cell_forward"),
])
def test_lstm_cell_backward_bad_input(kwargs, match):
    _, _, _, cache = lstm_cell_forward(**cell_args())
    args = dict(da_next=np.zeros((4, 3)), dc_next=np.zeros((4, 3)), cache=cache)
    args.update(kwargs)
    with pytest.raises(ValueError, match="lstm_cell_backward: " + match):
        lstm_cell_backward(**args)


def test_caches_of_the_wrong_kind_are_rejected():
    _, _, _, cell_cache = lstm_cell_forward(**cell_args())
    _, _, _, caches = lstm_forward(**seq_args())
    with pytest.raises(ValueError, match="lstm_backward: caches"):
        lstm_backward(np.zeros((4, 3, 5)), cell_cache)
    with pytest.raises(ValueError, match="lstm_cell_backward: cache"):
        lstm_cell_backward(np.zeros((4, 3)), np.zeros((4, 3)), caches)
    with pytest.raises(ValueError, match="lstm_gates: caches"):
        lstm_gates(cell_cache)


def test_no_function_changes_its_inputs():
    params, x, a0, c0, rng = make_problem(m=3, T_x=5, peephole=True, seed=90)
    override = {"Gamma_f": np.full((4, 1, 1), 0.5), "Gamma_u": rng.uniform(size=(4, 3, 5))}
    da, dc = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 3, 5))
    before = copy_all(params, x, a0, c0, override, da, dc)

    a, y, c, caches = lstm_forward(x, a0, params, peephole=True, override=override, c0=c0)
    lstm_states_forward(x, a0, params, peephole=True, override=override, c0=c0)
    grads = lstm_backward(da, caches, dc=dc, keep_state_grads=True)
    lstm_gates(caches)
    cell_override = {"Gamma_o": np.full((4, 3), 0.25)}
    a1, c1, y1, cache = lstm_cell_forward(x[..., 0], a0, c0, params, True, cell_override)
    lstm_cell_backward(da[..., 0], dc[..., 0], cache)

    after = copy_all(params, x, a0, c0, override, da, dc)
    for u, v in zip(before, after):
        if isinstance(u, dict):
            assert u.keys() == v.keys()
            for k in u:
                np.testing.assert_array_equal(u[k], v[k])
        else:
            np.testing.assert_array_equal(u, v)
    np.testing.assert_array_equal(cell_override["Gamma_o"], 0.25)
    # gradients are new arrays, not views of an input: writing to them leaves the next call unchanged
    grads["dx"][...] = 0.0
    grads["da_steps"][...] = 0.0
    again = lstm_backward(da, caches, dc=dc, keep_state_grads=True)
    assert np.any(again["dx"] != 0.0) and np.any(again["da_steps"] != 0.0)
