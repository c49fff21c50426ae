"""The trainer: exact gradients through output layer + BPTT, masking, and that it learns an easy task."""
import numpy as np
import pytest

from helpers.gradcheck import gradient_check
from helpers.optim import Adam
from helpers.training import accuracy, fit, init_model, loss_and_gradients, predict

KINDS = ["rnn", "gru", "lstm"]


def _data(rng, n_x=3, m=3, T=4, n_y=2):
    x = rng.normal(size=(n_x, m, T))
    y = rng.integers(0, n_y, size=(m, T))
    return x, y


@pytest.mark.parametrize("kind", KINDS)
def test_every_step_gradients_with_mask_match_finite_differences(kind):
    rng = np.random.default_rng(0)
    x, y = _data(rng)
    mask = np.array([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]])
    model = init_model(kind, 3, 4, 2, seed=1)
    loss, grads = loss_and_gradients(model, x, y, kind, mask=mask)
    f = lambda p: loss_and_gradients(p, x, y, kind, mask=mask)[0]
    errors = gradient_check(f, model, {k: grads["d" + k] for k in model})
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kind", KINDS)
def test_last_step_readout_gradients_match_finite_differences(kind):
    rng = np.random.default_rng(1)
    x, _ = _data(rng)
    y = np.array([0, 1, 1])
    lengths = np.array([4, 2, 3])
    model = init_model(kind, 3, 4, 2, seed=2)
    loss, grads = loss_and_gradients(model, x, y, kind, readout="last", lengths=lengths)
    f = lambda p: loss_and_gradients(p, x, y, kind, readout="last", lengths=lengths)[0]
    errors = gradient_check(f, model, {k: grads["d" + k] for k in model})
    assert max(errors.values()) < 1e-7, errors


def test_padding_after_the_length_changes_nothing():
    # readout "last" reads at lengths-1 and the recurrence only runs forward, so what comes after cannot matter
    rng = np.random.default_rng(2)
    x, _ = _data(rng)
    y, lengths = np.array([0, 1, 0]), np.array([2, 2, 2])
    model = init_model("gru", 3, 4, 2, seed=0)
    x2 = x.copy(); x2[:, :, 2:] = rng.normal(size=(3, 3, 2)) * 5
    l1, g1 = loss_and_gradients(model, x, y, "gru", readout="last", lengths=lengths)
    l2, g2 = loss_and_gradients(model, x2, y, "gru", readout="last", lengths=lengths)
    assert l1 == l2 and all(np.array_equal(g1[k], g2[k]) for k in g1)


@pytest.mark.parametrize("kind", KINDS)
def test_fit_learns_to_copy_the_current_input_class(kind):
    # y<t> = class of x<t> needs no memory at all: any cell must reach 100 % accuracy
    rng = np.random.default_rng(3)
    labels = rng.integers(0, 3, size=(40, 5))
    x = np.eye(3)[labels].transpose(2, 0, 1)  # one-hot (3, 40, 5)
    model = init_model(kind, 3, 8, 3, seed=0)
    before = {k: v.copy() for k, v in model.items()}
    trained, history = fit(model, x, labels, kind, epochs=60, optimizer=Adam(0.05), batch_size=10)
    assert history[-1] < 0.1 * history[0]
    assert accuracy(trained, x, labels, kind) == 1.0
    assert all(np.array_equal(model[k], before[k]) for k in model)  # the caller's model is untouched
    assert predict(trained, x, kind).shape == (40, 5)


def test_bad_input_is_named():
    rng = np.random.default_rng(4)
    x, y = _data(rng)
    model = init_model("rnn", 3, 4, 2)
    with pytest.raises(ValueError, match="lengths must lie in"):
        loss_and_gradients(model, x, y[:, 0], "rnn", readout="last", lengths=np.array([1, 5, 2]))
    with pytest.raises(ValueError, match=r"y must have shape \(m,\) = \(3,\) for readout='last' \(one label per example\)"):
        loss_and_gradients(model, x, y, "rnn", readout="last")
    with pytest.raises(ValueError, match="readout must be one of"):
        loss_and_gradients(model, x, y, "rnn", readout="first")
    with pytest.raises(ValueError, match="epochs must be an integer"):
        fit(model, x, y, "rnn", epochs=0)
    with pytest.raises(ValueError, match="x must be 3-D"):
        fit(model, x[:, :, 0], y, "rnn")
    with pytest.raises(ValueError, match="y must have shape"):
        accuracy(model, x, y[:, :2], "rnn")
