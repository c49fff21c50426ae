"""Activations: invariants and numerical safety."""
import numpy as np
import pytest

from helpers.activations import ACTIVATIONS, sigmoid, softmax
from helpers.gradcheck import numerical_gradient, relative_error


def test_sigmoid_matches_definition_and_symmetry():
    z = np.linspace(-20, 20, 81)
    # the tanh form is accurate in absolute terms (a few ulps of 1), which is what a gate needs
    assert np.max(np.abs(sigmoid(z) - 1.0 / (1.0 + np.exp(-z)))) < 4e-16
    # sigma(-z) = 1 - sigma(z), and sigma(0) = 1/2 exactly
    assert np.allclose(sigmoid(-z), 1.0 - sigmoid(z), atol=1e-15)
    assert sigmoid(0.0) == 0.5


def test_sigmoid_and_softmax_are_stable_at_plus_minus_1000():
    # pytest runs with -W error: an overflow RuntimeWarning would fail this test.
    z = np.array([-1000.0, 0.0, 1000.0])
    s = sigmoid(z)
    assert s[0] == 0.0 and s[1] == 0.5 and s[2] == 1.0
    p = softmax(np.array([[1000.0, -1000.0], [0.0, -1000.0], [-1000.0, -1000.0]]))
    assert np.all(np.isfinite(p))
    assert np.allclose(p[:, 0], [1.0, 0.0, 0.0])
    assert np.allclose(p[:, 1], [1 / 3, 1 / 3, 1 / 3])


def test_softmax_columns_are_probability_vectors_and_shift_invariant():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(7, 5, 4)) * 10
    p = softmax(z)
    assert np.all(p > 0)
    assert np.allclose(p.sum(axis=0), 1.0, atol=1e-14)
    # adding the same number to every score of a column does not change the probabilities
    assert np.allclose(softmax(z + 123.0), p, atol=1e-14)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_derivatives_match_finite_differences(name):
    g, dg = ACTIVATIONS[name]
    z = np.array([-1.7, -0.4, 0.3, 0.9, 2.2])  # no point near relu's kink
    numeric = np.array([numerical_gradient(lambda v: float(g(v).sum()), np.array([zi]))[0] for zi in z])
    assert relative_error(dg(g(z), z), numeric) < 1e-7
