"""Tests of helpers.optim: clipping invariants, hand-derived optimiser steps, convergence on a
quadratic, per-parameter state, no mutation, and bad input."""
import numpy as np
import pytest

from helpers.optim import SGD, Adagrad, Adam, clip_by_global_norm, clip_by_value, global_norm


def rng(seed=0):
    return np.random.default_rng(seed)


def random_grads(seed=0, scale=1.0):
    r = rng(seed)
    return {"dWaa": scale * r.normal(size=(5, 5)), "dWax": scale * r.normal(size=(5, 3)),
            "dba": scale * r.normal(size=(5, 1))}


def flat(d, keys=None):
    keys = list(d) if keys is None else keys
    return np.concatenate([np.ravel(d[k]) for k in keys])


def cosine(u, v):
    return float(u @ v / (np.linalg.norm(u) * np.linalg.norm(v)))


def copies(d):
    return {k: v.copy() for k, v in d.items()}


def assert_same(d1, d2):
    assert list(d1) == list(d2)
    for k in d1:
        np.testing.assert_array_equal(d1[k], d2[k])


# ----------------------------------------------------------------------------------------------
# clip_by_value
# ----------------------------------------------------------------------------------------------

def test_clip_by_value_bounds_every_entry_and_keeps_small_ones():
    grads = random_grads(1, scale=10.0)
    before = copies(grads)
    clipped = clip_by_value(grads, 5.0)
    assert list(clipped) == list(grads)
    for k, g in grads.items():
        c = clipped[k]
        assert np.all(np.abs(c) <= 5.0)
        small = np.abs(g) <= 5.0
        np.testing.assert_array_equal(c[small], g[small])                  # untouched inside the box
        np.testing.assert_array_equal(c[~small], 5.0 * np.sign(g[~small]))  # on the box otherwise
        assert not np.shares_memory(c, g)
    assert_same(grads, before)                                            # input not mutated


def test_clip_by_value_can_change_the_direction():
    # (10, 1) clipped to 2 is (2, 1): no longer parallel to (10, 1)
    clipped = clip_by_value({"dW": np.array([[10.0, 1.0]])}, 2.0)
    np.testing.assert_array_equal(clipped["dW"], [[2.0, 1.0]])
    assert cosine(flat(clipped), np.array([10.0, 1.0])) < 0.99


def test_clip_by_value_does_not_bound_the_norm():
    # N entries all at the bound: the norm is max_value * sqrt(N), far above max_value
    n = 36
    clipped = clip_by_value({"dW": np.full((6, 6), 100.0)}, 1.0)
    assert global_norm(clipped) == pytest.approx(1.0 * np.sqrt(n), rel=1e-15)
    assert global_norm(clipped) > 1.0


def test_clip_by_value_keys_and_other_entries():
    grads = random_grads(2, scale=10.0)
    grads["dx"] = np.full((3, 2, 4), 50.0)
    clipped = clip_by_value(grads, 1.0, keys=["dWaa", "dba"])
    assert np.abs(clipped["dWaa"]).max() <= 1.0 and np.abs(clipped["dba"]).max() <= 1.0
    np.testing.assert_array_equal(clipped["dWax"], grads["dWax"])
    np.testing.assert_array_equal(clipped["dx"], grads["dx"])
    assert not np.shares_memory(clipped["dx"], grads["dx"])


# ----------------------------------------------------------------------------------------------
# global norm and clip_by_global_norm
# ----------------------------------------------------------------------------------------------

def test_global_norm_by_hand():
    # 3-4-5: the arrays together form the vector (3, 4, 0, 0)
    grads = {"dW": np.array([[3.0, 0.0]]), "db": np.array([[4.0], [0.0]])}
    assert global_norm(grads) == 5.0
    assert global_norm(grads, keys=["dW"]) == 3.0
    assert global_norm({}) == 0.0
    assert global_norm({"dW": np.zeros((2, 2))}) == 0.0
    r = random_grads(3)
    assert global_norm(r) == pytest.approx(np.linalg.norm(flat(r)), rel=1e-14)


def test_global_norm_of_huge_entries_does_not_overflow():
    # squaring 1e200 overflows float64; the norm of four of them is still 2e200
    grads = {"dW": np.full((2, 2), 1e200)}
    assert global_norm(grads) == pytest.approx(2e200, rel=1e-15)


def test_clip_by_global_norm_above_the_threshold():
    grads = random_grads(4, scale=10.0)
    before = copies(grads)
    norm = np.linalg.norm(flat(grads))
    assert norm > 3.0
    clipped, norm_before = clip_by_global_norm(grads, 3.0)
    assert norm_before == pytest.approx(norm, rel=1e-14)
    assert np.linalg.norm(flat(clipped)) == pytest.approx(3.0, rel=1e-14)       # length is max_norm
    assert cosine(flat(clipped), flat(grads)) == pytest.approx(1.0, abs=1e-14)  # direction kept
    assert_same(grads, before)
    for k in grads:
        assert not np.shares_memory(clipped[k], grads[k])


def test_clip_by_global_norm_below_the_threshold_changes_nothing():
    grads = random_grads(5)
    norm = np.linalg.norm(flat(grads))
    clipped, norm_before = clip_by_global_norm(grads, norm * 1.01)
    assert norm_before == pytest.approx(norm, rel=1e-14)
    assert_same(clipped, grads)
    for k in grads:
        assert not np.shares_memory(clipped[k], grads[k])


def test_clip_by_global_norm_by_hand_and_with_keys():
    grads = {"dW": np.array([[3.0]]), "db": np.array([[4.0]]), "dx": np.array([[100.0]])}
    clipped, norm = clip_by_global_norm(grads, 1.0, keys=["dW", "db"])
    assert norm == 5.0
    np.testing.assert_allclose(clipped["dW"], [[0.6]], rtol=1e-15)
    np.testing.assert_allclose(clipped["db"], [[0.8]], rtol=1e-15)
    np.testing.assert_array_equal(clipped["dx"], [[100.0]])     # not part of the norm, not rescaled


def test_clip_by_global_norm_of_huge_entries():
    clipped, norm = clip_by_global_norm({"dW": np.full((2, 2), 1e200)}, 1.0)
    assert norm == pytest.approx(2e200, rel=1e-15)
    np.testing.assert_allclose(clipped["dW"], 0.5, rtol=1e-15)


def test_clipping_is_the_same_for_value_and_norm_on_a_single_entry():
    # for one number, both clippings give sign(g) * min(|g|, c): an independent cross-check
    for g in (-7.0, -0.5, 0.3, 9.0):
        by_value = clip_by_value({"dW": np.array([[g]])}, 2.0)["dW"]
        by_norm = clip_by_global_norm({"dW": np.array([[g]])}, 2.0)[0]["dW"]
        np.testing.assert_allclose(by_norm, by_value, rtol=1e-15)


# ----------------------------------------------------------------------------------------------
# optimisers: steps by hand
# ----------------------------------------------------------------------------------------------

def params_and_grads(seed=0):
    r = rng(seed)
    params = {"Waa": r.normal(size=(5, 5)), "Wax": r.normal(size=(5, 3)), "ba": r.normal(size=(5, 1))}
    grads = {"d" + k: r.normal(size=v.shape) for k, v in params.items()}
    return params, grads


def test_sgd_step_is_p_minus_lr_g():
    params, grads = params_and_grads(1)
    new = SGD(0.1).step(params, grads)
    assert list(new) == list(params)
    for k in params:
        np.testing.assert_allclose(new[k], params[k] - 0.1 * grads["d" + k], rtol=1e-15)


@pytest.mark.parametrize("make", [lambda: Adam(0.01), lambda: Adagrad(0.01),
                                  lambda: Adam(0.01, beta1=0.5, beta2=0.3)])
def test_first_adaptive_step_moves_by_lr_against_the_sign(make):
    # Adam at t = 1: m_hat = g, v_hat = g^2; Adagrad: G = g^2. Both give lr * g / (|g| + eps).
    params, grads = params_and_grads(2)
    grads["dWaa"] *= 1e4                     # the size of the gradient does not matter
    grads["dba"] *= 1e-4
    new = make().step(params, grads)
    for k in params:
        g = grads["d" + k]
        step = new[k] - params[k]
        np.testing.assert_allclose(step, -0.01 * np.sign(g), rtol=1e-8 / np.abs(g).min() + 1e-14)


@pytest.mark.parametrize("opt", [Adam(0.1), Adagrad(0.1)])
def test_zero_gradient_moves_nothing(opt):
    params, _ = params_and_grads(3)
    new = opt.step(params, {"d" + k: np.zeros_like(v) for k, v in params.items()})
    assert_same(new, params)


def test_adagrad_second_step_by_hand():
    # G = 3^2 + 4^2 = 25 after two steps: the second step is lr * 4 / (5 + eps)
    opt = Adagrad(1.0, eps=1e-8)
    p1 = opt.step({"W": np.array([[0.0]])}, {"dW": np.array([[3.0]])})
    np.testing.assert_allclose(p1["W"], [[-3.0 / (3.0 + 1e-8)]], rtol=1e-15)
    p2 = opt.step(p1, {"dW": np.array([[4.0]])})
    np.testing.assert_allclose(p2["W"] - p1["W"], [[-4.0 / (5.0 + 1e-8)]], rtol=1e-14)


def test_adam_second_step_by_hand():
    # beta1 = beta2 = 1/2, gradients 1 then -1:
    #   m = 1/2, v = 1/2  ->  m = 1/4 - 1/2 = -1/4,  v = 1/4 + 1/2 = 3/4
    #   m_hat = (-1/4) / (1 - 1/4) = -1/3,  v_hat = (3/4) / (3/4) = 1  ->  p moves by +lr/3
    opt = Adam(0.3, beta1=0.5, beta2=0.5, eps=1e-12)
    p1 = opt.step({"W": np.array([[2.0]])}, {"dW": np.array([[1.0]])})
    np.testing.assert_allclose(p1["W"], [[2.0 - 0.3]], rtol=1e-12)
    p2 = opt.step(p1, {"dW": np.array([[-1.0]])})
    np.testing.assert_allclose(p2["W"] - p1["W"], [[0.3 / 3.0]], rtol=1e-10)


# ----------------------------------------------------------------------------------------------
# optimisers: convergence, state, no mutation
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("opt, steps", [(SGD(0.1), 300), (Adagrad(0.5), 300), (Adam(0.05), 600)])
def test_optimisers_minimise_a_quadratic(opt, steps):
    # L = 0.5 ||p - p*||^2 has gradient p - p* and its minimum at p*
    r = rng(4)
    target = {"W": r.normal(size=(3, 4)), "b": r.normal(size=(3, 1))}
    params = {"W": np.zeros((3, 4)), "b": np.zeros((3, 1))}
    start = sum(0.5 * np.sum((params[k] - target[k]) ** 2) for k in params)
    for _ in range(steps):
        params = opt.step(params, {"d" + k: params[k] - target[k] for k in params})
    end = sum(0.5 * np.sum((params[k] - target[k]) ** 2) for k in params)
    assert start > 1.0
    assert end < 1e-12
    for k in params:
        np.testing.assert_allclose(params[k], target[k], atol=1e-6)


@pytest.mark.parametrize("make", [lambda: Adam(0.01), lambda: Adagrad(0.01)])
def test_state_is_kept_per_parameter_name(make):
    params, grads = params_and_grads(5)
    opt = make()
    for _ in range(5):                                   # only Waa is updated for a while
        params = opt.step(params, grads, keys=["Waa"])
    assert set(opt.state) == {"Waa"}
    before = copies(params)
    new = opt.step(params, grads)                        # first step of Wax and ba
    for k in ("Wax", "ba"):                              # a first step: lr * g / (|g| + eps)
        g = grads["d" + k]
        np.testing.assert_allclose(new[k] - before[k], -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-10)
    # Waa is on its sixth step with the same gradient: for Adagrad G = 6 g^2, so the step has shrunk
    # to lr * g / (sqrt(6) |g| + eps)
    if isinstance(opt, Adagrad):
        g = grads["dWaa"]
        np.testing.assert_allclose(new["Waa"] - before["Waa"], -0.01 * g / (np.sqrt(6) * np.abs(g) + 1e-8),
                                   rtol=1e-10)
    # for Adam, a constant gradient gives m = (1 - beta1^t) g and v = (1 - beta2^t) g^2, so the bias
    # correction gives back m_hat = g, v_hat = g^2 and every step is lr * g / (|g| + eps)
    if isinstance(opt, Adam):
        g = grads["dWaa"]
        np.testing.assert_allclose(new["Waa"] - before["Waa"], -0.01 * g / (np.abs(g) + 1e-8), rtol=1e-9)
    assert set(opt.state) == {"Waa", "Wax", "ba"}
    opt.reset()
    assert opt.state == {}


def test_adam_step_count_is_per_parameter():
    params, grads = params_and_grads(6)
    opt = Adam(0.01)
    for _ in range(3):
        params = opt.step(params, grads, keys=["Waa", "Wax"])
    opt.step(params, grads)
    assert opt.state["Waa"]["t"] == 4 and opt.state["ba"]["t"] == 1


@pytest.mark.parametrize("opt", [SGD(0.1), Adagrad(0.1), Adam(0.1)])
def test_step_mutates_nothing_and_returns_new_arrays(opt):
    params, grads = params_and_grads(7)
    grads["dx"] = np.ones((3, 2, 4))                    # extra entries are ignored
    params["extra"] = "not an array"                      # entries not in keys are passed along
    p0, g0 = copies({k: v for k, v in params.items() if k != "extra"}), copies(grads)
    new = opt.step(params, grads, keys=["Waa", "Wax", "ba"])
    for k in p0:
        np.testing.assert_array_equal(params[k], p0[k])
        assert not np.shares_memory(new[k], params[k])
    assert_same(grads, g0)
    assert new["extra"] == "not an array"
    new2 = opt.step(params, grads, keys=["Waa"])
    np.testing.assert_array_equal(new2["ba"], params["ba"])
    assert not np.shares_memory(new2["ba"], params["ba"])


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

def test_bad_clip_arguments():
    grads = random_grads(8)
    for fn, name in ((clip_by_value, "max_value"), (clip_by_global_norm, "max_norm")):
        for bad in (0.0, -1.0, np.nan, np.inf, True, "1"):
            with pytest.raises(ValueError, match=rf"{fn.__name__}: {name} must be"):
                fn(grads, bad)
        with pytest.raises(ValueError, match=rf"{fn.__name__}: gradients must be a dict"):
            fn([grads["dWaa"]], 1.0)
        with pytest.raises(KeyError, match=rf"{fn.__name__}: gradients is missing the key 'dWya'"):
            fn(grads, 1.0, keys=["dWaa", "dWya"])
        with pytest.raises(ValueError, match=rf"{fn.__name__}: keys must be a list"):
            fn(grads, 1.0, keys="dWaa")
    with pytest.raises(ValueError, match=r"global_norm: gradients must be a dict"):
        global_norm(grads["dWaa"])
    with pytest.raises(KeyError, match=r"global_norm: gradients is missing the key 'dby'"):
        global_norm(grads, keys=["dby"])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_gradients_are_refused(bad):
    grads = random_grads(9)
    grads["dWax"][2, 1] = bad
    with pytest.raises(ValueError, match=r"clip_by_global_norm: the global norm of the gradients is not finite: "
                                         r"gradients\['dWax'\] holds 1 NaN/inf"):
        clip_by_global_norm(grads, 1.0)
    with pytest.raises(ValueError, match=r"clip_by_value: gradients\['dWax'\] must hold only finite numbers"):
        clip_by_value(grads, 1.0)
    with pytest.raises(ValueError, match=r"global_norm: gradients\['dWax'\] must hold only finite numbers"):
        global_norm(grads)
    # not part of the selection: fine
    assert clip_by_global_norm(grads, 1.0, keys=["dWaa"])[1] == pytest.approx(np.linalg.norm(grads["dWaa"]))


def test_bad_hyperparameters():
    for bad in (0.0, -0.1, np.nan, np.inf, True, "0.1", None):
        for cls in (SGD, Adagrad, Adam):
            with pytest.raises(ValueError, match=rf"{cls.__name__}: learning_rate must be"):
                cls(bad)
    for name in ("beta1", "beta2"):
        for bad in (1.0, -0.1, 1.5, np.nan):
            with pytest.raises(ValueError, match=rf"Adam: {name} must be a finite number in \[0, 1\)"):
                Adam(0.1, **{name: bad})
        Adam(0.1, **{name: 0.0})                                      # 0 is allowed
    for cls in (Adagrad, Adam):
        for bad in (0.0, -1e-8, np.inf):
            with pytest.raises(ValueError, match=rf"{cls.__name__}: eps must be"):
                cls(0.1, eps=bad)


@pytest.mark.parametrize("cls", [SGD, Adagrad, Adam])
def test_bad_step_arguments(cls):
    opt = cls(0.1)
    where = f"{cls.__name__}.step"
    params, grads = params_and_grads(10)
    missing = {k: v for k, v in grads.items() if k != "dWax"}
    with pytest.raises(KeyError, match=rf"{where}: gradients is missing the key 'dWax'"):
        opt.step(params, missing)
    missing["dWax"] = grads["dWax"]
    with pytest.raises(KeyError, match=rf"{where}: parameters is missing the key 'Wya'"):
        opt.step(params, grads, keys=["Waa", "Wya"])
    wrong = dict(grads, dWax=grads["dWax"].T)
    with pytest.raises(ValueError, match=rf"{where}: gradients\['dWax'\] must have shape .* = \(5, 3\) "
                                         r"to match parameters\['Wax'\] \(5, 3\), got \(3, 5\)"):
        opt.step(params, wrong)
    for bad in (np.nan, np.inf):
        g = copies(grads)
        g["dba"][0, 0] = bad
        with pytest.raises(ValueError, match=rf"{where}: gradients\['dba'\] must hold only finite numbers"):
            opt.step(params, g)
        p = copies(params)
        p["Waa"][1, 1] = bad
        with pytest.raises(ValueError, match=rf"{where}: parameters\['Waa'\] must hold only finite numbers"):
            opt.step(p, grads)
    with pytest.raises(ValueError, match=rf"{where}: parameters must be a dict"):
        opt.step([params["Waa"]], grads)
    with pytest.raises(ValueError, match=rf"{where}: gradients must be a dict"):
        opt.step(params, None)
    with pytest.raises(ValueError, match=rf"{where}: keys must be a list"):
        opt.step(params, grads, keys="Waa")
    assert opt.state == {}                          # failed calls left no state behind


@pytest.mark.parametrize("cls", [Adagrad, Adam])
def test_state_of_another_shape_is_refused(cls):
    opt = cls(0.1)
    opt.step({"W": np.zeros((2, 3))}, {"dW": np.ones((2, 3))})
    state_before = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in opt.state["W"].items()}
    with pytest.raises(ValueError, match=rf"{cls.__name__}.step: parameters\['W'\] has shape \(3, 3\) but the "
                                         r"optimiser's state .* has shape \(2, 3\)"):
        opt.step({"W": np.zeros((3, 3))}, {"dW": np.ones((3, 3))})
    for k, v in opt.state["W"].items():
        np.testing.assert_array_equal(v, state_before[k])
