"""The gradient checker itself: it must pass a right gradient and catch a wrong one."""
import numpy as np
import pytest

from helpers.gradcheck import gradient_check, numerical_gradient, relative_error


def test_centred_difference_of_a_quadratic_is_exact_up_to_rounding():
    # For a quadratic the centred difference has no truncation error: f'(x) = A x + b exactly.
    rng = np.random.default_rng(1)
    A = rng.normal(size=(4, 4)); A = A + A.T
    b = rng.normal(size=4)
    x = rng.normal(size=4)
    f = lambda v: 0.5 * v @ A @ v + b @ v
    assert relative_error(numerical_gradient(f, x), A @ x + b) < 1e-9


def test_gradient_check_passes_right_and_catches_wrong_gradient():
    rng = np.random.default_rng(2)
    W = rng.normal(size=(3, 2))
    loss = lambda d: float(np.sum(np.sin(d["W"])))
    right = gradient_check(loss, {"W": W}, {"W": np.cos(W)})
    wrong = gradient_check(loss, {"W": W}, {"W": 1.01 * np.cos(W)})
    assert right["W"] < 1e-7
    assert wrong["W"] > 1e-3


def test_inputs_are_not_changed():
    W = np.arange(6.0).reshape(2, 3)
    before = W.copy()
    gradient_check(lambda d: float(np.sum(d["W"] ** 2)), {"W": W}, {"W": 2 * W})
    assert np.array_equal(W, before)


def test_relative_error_edge_cases():
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.ones(3), -np.ones(3)) == 1.0


def test_bad_input_messages_name_the_argument():
    with pytest.raises(ValueError, match="analytic\\['W'\\] has shape"):
        gradient_check(lambda d: 0.0, {"W": np.zeros((2, 2))}, {"W": np.zeros(3)})
    with pytest.raises(KeyError, match="'V'"):
        gradient_check(lambda d: 0.0, {"W": np.zeros(2)}, {"V": np.zeros(2)})
    with pytest.raises(ValueError, match="eps"):
        numerical_gradient(lambda v: 0.0, np.zeros(2), eps=0)
    with pytest.raises(ValueError, match="numeric has shape"):
        relative_error(np.zeros(2), np.zeros(3))
