"""Tests of helpers.losses: gradients against finite differences, hand-derived values, masking,
numerical stability and bad input."""
import numpy as np
import pytest

from helpers.activations import sigmoid, softmax
from helpers.gradcheck import gradient_check
from helpers.losses import (
    BCE_EPSILON,
    binary_cross_entropy,
    output_layer_backward,
    output_layer_forward,
    sigmoid_cross_entropy,
    softmax_cross_entropy,
)

TOL = 1e-7
N_Y, N_A, T = 3, 4, 5


def rng(seed=0):
    return np.random.default_rng(seed)


def random_mask(m, seed=1):
    """A padding mask: example i is real for its first lengths[i] steps (at least one)."""
    lengths = rng(seed).integers(1, T + 1, size=m)
    lengths[0] = 2                               # make sure something is masked out
    return (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)


def labels_to_one_hot(labels, n_y):
    """Reference one-hot built with a plain loop."""
    m, t_len = labels.shape
    y = np.zeros((n_y, m, t_len))
    for i in range(m):
        for t in range(t_len):
            y[labels[i, t], i, t] = 1.0
    return y


# ----------------------------------------------------------------------------------------------
# finite-difference gradient checks
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_sigmoid_cross_entropy_gradient(m, masked, reduction):
    r = rng(m)
    z = 2.0 * r.normal(size=(N_Y, m, T))
    y = (r.random((N_Y, m, T)) < 0.5).astype(float)
    mask = random_mask(m) if masked else None
    loss, dz = sigmoid_cross_entropy(z, y, mask=mask, reduction=reduction)
    err = gradient_check(lambda d: sigmoid_cross_entropy(d["z"], y, mask=mask, reduction=reduction)[0],
                         {"z": z}, {"z": dz})
    assert err["z"] < TOL


def test_sigmoid_cross_entropy_gradient_soft_targets():
    r = rng(7)
    z = r.normal(size=(N_Y, 3, T))
    y = r.random((N_Y, 3, T))                      # targets strictly between 0 and 1
    _, dz = sigmoid_cross_entropy(z, y)
    err = gradient_check(lambda d: sigmoid_cross_entropy(d["z"], y)[0], {"z": z}, {"z": dz})
    assert err["z"] < TOL


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("masked", [False, True])
def test_binary_cross_entropy_gradient(m, masked):
    r = rng(10 + m)
    y_hat = 0.05 + 0.9 * r.random((N_Y, m, T))   # well inside (eps, 1 - eps): no clipping
    y = (r.random((N_Y, m, T)) < 0.5).astype(float)
    mask = random_mask(m) if masked else None
    _, dy_hat = binary_cross_entropy(y_hat, y, mask=mask)
    err = gradient_check(lambda d: binary_cross_entropy(d["y_hat"], y, mask=mask)[0],
                         {"y_hat": y_hat}, {"y_hat": dy_hat})
    assert err["y_hat"] < TOL


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("label_form", ["one_hot", "indices"])
@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_softmax_cross_entropy_gradient(m, masked, label_form, reduction):
    r = rng(20 + m)
    z = 2.0 * r.normal(size=(N_Y, m, T))
    labels = r.integers(0, N_Y, size=(m, T))
    y = labels_to_one_hot(labels, N_Y) if label_form == "one_hot" else labels
    mask = random_mask(m) if masked else None
    _, dz = softmax_cross_entropy(z, y, mask=mask, reduction=reduction)
    err = gradient_check(lambda d: softmax_cross_entropy(d["z"], y, mask=mask, reduction=reduction)[0],
                         {"z": z}, {"z": dz})
    assert err["z"] < TOL


@pytest.mark.parametrize("m", [1, 3])
def test_output_layer_backward_gradient(m):
    # L = sum(G * z) has dL/dz = G exactly, so output_layer_backward(G, ...) must be dL/d(Wy, by, a)
    r = rng(30 + m)
    inputs = {"a": r.normal(size=(N_A, m, T)), "Wy": r.normal(size=(N_Y, N_A)), "by": r.normal(size=(N_Y, 1))}
    G = r.normal(size=(N_Y, m, T))

    def loss(d):
        return float(np.sum(G * output_layer_forward(d["a"], d["Wy"], d["by"])))

    dWy, dby, da = output_layer_backward(G, inputs["a"], inputs["Wy"])
    errors = gradient_check(loss, inputs, {"Wy": dWy, "by": dby, "a": da})
    assert max(errors.values()) < TOL, errors


@pytest.mark.parametrize("m", [1, 3])
@pytest.mark.parametrize("kind", ["softmax", "sigmoid"])
def test_output_layer_plus_loss_gradient(m, kind):
    r = rng(40 + m)
    inputs = {"a": np.tanh(r.normal(size=(N_A, m, T))), "Wy": r.normal(size=(N_Y, N_A)),
              "by": r.normal(size=(N_Y, 1))}
    mask = random_mask(m)
    if kind == "softmax":
        y = r.integers(0, N_Y, size=(m, T))
        loss_fn = softmax_cross_entropy
    else:
        y = (r.random((N_Y, m, T)) < 0.5).astype(float)
        loss_fn = sigmoid_cross_entropy

    def loss(d):
        return loss_fn(output_layer_forward(d["a"], d["Wy"], d["by"], kind=kind), y, mask=mask)[0]

    z = output_layer_forward(inputs["a"], inputs["Wy"], inputs["by"], kind=kind)
    _, dz = loss_fn(z, y, mask=mask)
    dWy, dby, da = output_layer_backward(dz, inputs["a"], inputs["Wy"])
    errors = gradient_check(loss, inputs, {"Wy": dWy, "by": dby, "a": da})
    assert max(errors.values()) < TOL, errors


# ----------------------------------------------------------------------------------------------
# values derived by hand
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("m", [1, 3])
def test_softmax_uniform_scores_cost_log_n_y_per_step(m):
    # equal scores -> y_hat = 1/n_y for every class -> every step costs -log(1/n_y) = log(n_y)
    labels = rng(2).integers(0, N_Y, size=(m, T))
    z = np.full((N_Y, m, T), 0.7)
    loss, dz = softmax_cross_entropy(z, labels)
    assert loss == pytest.approx(T * m * np.log(N_Y), rel=1e-14)
    np.testing.assert_allclose(dz, 1.0 / N_Y - labels_to_one_hot(labels, N_Y), atol=1e-15)
    loss_mean, _ = softmax_cross_entropy(z, labels, reduction="mean")
    assert loss_mean == pytest.approx(T * np.log(N_Y), rel=1e-14)      # divided by m, not by T


@pytest.mark.parametrize("m", [1, 3])
def test_sigmoid_cross_entropy_at_zero_is_log2_per_element(m):
    # sigmoid(0) = 1/2 -> each element costs -log(1/2) = log 2 whatever the target; dz = 1/2 - y
    y = (rng(3).random((N_Y, m, T)) < 0.5).astype(float)
    loss, dz = sigmoid_cross_entropy(np.zeros((N_Y, m, T)), y)
    assert loss == pytest.approx(N_Y * m * T * np.log(2.0), rel=1e-14)
    np.testing.assert_array_equal(dz, 0.5 - y)


def test_binary_cross_entropy_at_half_is_log2_per_element():
    y = (rng(4).random((N_Y, 2, T)) < 0.5).astype(float)
    loss, dy_hat = binary_cross_entropy(np.full((N_Y, 2, T), 0.5), y)
    assert loss == pytest.approx(N_Y * 2 * T * np.log(2.0), rel=1e-14)
    # (p - y) / (p (1 - p)) at p = 1/2 is 4 (1/2 - y) = +-2
    np.testing.assert_allclose(dy_hat, 4.0 * (0.5 - y), rtol=1e-14)


def test_one_step_softmax_by_hand():
    # z = (0, log 2, log 5): softmax = (1, 2, 5) / 8; the correct class is 1 -> loss = log 4
    z = np.log(np.array([1.0, 2.0, 5.0])).reshape(3, 1, 1)
    loss, dz = softmax_cross_entropy(z, np.array([[1]]))
    assert loss == pytest.approx(np.log(4.0), rel=1e-14)
    np.testing.assert_allclose(dz.ravel(), [1 / 8, 2 / 8 - 1, 5 / 8], rtol=1e-14, atol=1e-16)


def test_one_hot_and_indices_agree():
    r = rng(5)
    z = r.normal(size=(N_Y, 3, T))
    labels = r.integers(0, N_Y, size=(3, T))
    loss_i, dz_i = softmax_cross_entropy(z, labels)
    loss_h, dz_h = softmax_cross_entropy(z, labels_to_one_hot(labels, N_Y))
    assert loss_i == loss_h
    np.testing.assert_array_equal(dz_i, dz_h)
    # float labels holding whole numbers and plain lists are read as indices too
    assert softmax_cross_entropy(z, labels.astype(float))[0] == loss_i
    assert softmax_cross_entropy(z, labels.tolist())[0] == loss_i


def test_softmax_loss_is_minus_log_probability_of_the_label():
    # reference through helpers.activations.softmax, one element at a time
    r = rng(6)
    z = r.normal(size=(N_Y, 3, T))
    labels = r.integers(0, N_Y, size=(3, T))
    y_hat = softmax(z)
    expected = -sum(np.log(y_hat[labels[i, t], i, t]) for i in range(3) for t in range(T))
    assert softmax_cross_entropy(z, labels)[0] == pytest.approx(expected, rel=1e-13)


def test_sigmoid_and_binary_cross_entropy_agree_and_chain():
    # BCE(sigmoid(z)) is the same loss; dL/dy_hat * sigmoid'(z) must give back dL/dz = y_hat - y
    r = rng(8)
    z = r.normal(size=(N_Y, 3, T))
    y = (r.random((N_Y, 3, T)) < 0.5).astype(float)
    y_hat = sigmoid(z)
    loss_z, dz = sigmoid_cross_entropy(z, y)
    loss_p, dy_hat = binary_cross_entropy(y_hat, y)
    assert loss_p == pytest.approx(loss_z, rel=1e-12)
    np.testing.assert_allclose(dy_hat * y_hat * (1.0 - y_hat), dz, rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(dz, y_hat - y, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("loss_fn", [sigmoid_cross_entropy, softmax_cross_entropy])
def test_mean_is_sum_divided_by_batch_size(loss_fn):
    r = rng(9)
    m = 3
    z = r.normal(size=(N_Y, m, T))
    y = (r.random((N_Y, m, T)) < 0.5).astype(float) if loss_fn is sigmoid_cross_entropy \
        else r.integers(0, N_Y, size=(m, T))
    loss_s, dz_s = loss_fn(z, y)
    loss_m, dz_m = loss_fn(z, y, reduction="mean")
    assert loss_m == pytest.approx(loss_s / m, rel=1e-14)
    np.testing.assert_allclose(dz_m, dz_s / m, rtol=1e-14)


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_per_step_losses_are_the_losses_of_each_step(reduction):
    r = rng(11)
    z = r.normal(size=(N_Y, 3, T))
    labels = r.integers(0, N_Y, size=(3, T))
    loss, dz, per_step = softmax_cross_entropy(z, labels, reduction=reduction, per_step=True)
    assert per_step.shape == (T,)
    assert per_step.sum() == pytest.approx(loss, rel=1e-14)
    for t in range(T):   # the loss of step t alone, computed on a one-step sequence
        alone, _ = softmax_cross_entropy(z[:, :, t:t + 1], labels[:, t:t + 1], reduction=reduction)
        assert per_step[t] == pytest.approx(alone, rel=1e-14)
    _, dz_plain = softmax_cross_entropy(z, labels, reduction=reduction)
    np.testing.assert_array_equal(dz, dz_plain)


@pytest.mark.parametrize("loss_fn", [sigmoid_cross_entropy, binary_cross_entropy])
def test_per_step_binary(loss_fn):
    r = rng(12)
    z = r.random((N_Y, 2, T))
    y = (r.random((N_Y, 2, T)) < 0.5).astype(float)
    loss, _, per_step = loss_fn(z, y, per_step=True)
    for t in range(T):
        assert per_step[t] == pytest.approx(loss_fn(z[:, :, t:t + 1], y[:, :, t:t + 1])[0], rel=1e-14)
    assert per_step.sum() == pytest.approx(loss, rel=1e-14)


# ----------------------------------------------------------------------------------------------
# masking
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", ["sigmoid", "binary", "softmax_indices", "softmax_one_hot"])
def test_masked_steps_add_no_loss_and_no_gradient(kind):
    r = rng(13)
    m = 3
    mask = random_mask(m)
    if kind == "binary":
        z = 0.05 + 0.9 * r.random((N_Y, m, T))
    else:
        z = r.normal(size=(N_Y, m, T))
    if kind in ("sigmoid", "binary"):
        y = (r.random((N_Y, m, T)) < 0.5).astype(float)
        loss_fn = sigmoid_cross_entropy if kind == "sigmoid" else binary_cross_entropy
    else:
        labels = r.integers(0, N_Y, size=(m, T))
        y = labels if kind == "softmax_indices" else labels_to_one_hot(labels, N_Y)
        loss_fn = softmax_cross_entropy

    loss, dz, per_step = loss_fn(z, y, mask=mask, per_step=True)
    off = mask == 0
    assert off.any()
    assert np.all(dz[:, off] == 0.0)                         # exactly zero gradient there

    # the masked loss is the sum of the unmasked losses of each real (example, step) pair
    expected = 0.0
    for i in range(m):
        for t in range(T):
            if mask[i, t]:
                yt = y[i:i + 1, t:t + 1] if kind == "softmax_indices" else y[:, i:i + 1, t:t + 1]
                expected += loss_fn(z[:, i:i + 1, t:t + 1], yt)[0]
    assert loss == pytest.approx(expected, rel=1e-13)

    # changing scores at the masked steps changes nothing (scores stay valid probabilities for BCE)
    z2 = z.copy()
    z2[:, off] = 0.5 if kind == "binary" else 7.0
    loss2, dz2 = loss_fn(z2, y, mask=mask)
    assert loss2 == loss
    np.testing.assert_array_equal(dz2, dz)


def test_mask_of_all_ones_changes_nothing_and_bool_mask_works():
    r = rng(14)
    z = r.normal(size=(N_Y, 2, T))
    labels = r.integers(0, N_Y, size=(2, T))
    plain = softmax_cross_entropy(z, labels)
    ones = softmax_cross_entropy(z, labels, mask=np.ones((2, T)))
    assert plain[0] == ones[0]
    np.testing.assert_array_equal(plain[1], ones[1])
    mask = random_mask(2)
    as_float = softmax_cross_entropy(z, labels, mask=mask)
    as_bool = softmax_cross_entropy(z, labels, mask=mask.astype(bool))
    assert as_float[0] == as_bool[0]


def test_padding_targets_at_masked_steps_are_ignored():
    # padding label -1, an all-zero one-hot column and a target of 9 are fine where the mask is 0
    r = rng(15)
    z = r.normal(size=(N_Y, 2, T))
    labels = r.integers(0, N_Y, size=(2, T))
    mask = np.ones((2, T))
    mask[1, 3:] = 0.0
    padded = labels.copy()
    padded[1, 3:] = -1
    ref = softmax_cross_entropy(z, labels, mask=mask)
    assert softmax_cross_entropy(z, padded, mask=mask)[0] == ref[0]
    one_hot = labels_to_one_hot(labels, N_Y)
    one_hot[:, 1, 3:] = 0.0
    assert softmax_cross_entropy(z, one_hot, mask=mask)[0] == ref[0]
    yb = (r.random((N_Y, 2, T)) < 0.5).astype(float)
    yb_padded = yb.copy()
    yb_padded[:, 1, 3:] = 9.0
    assert sigmoid_cross_entropy(z, yb_padded, mask=mask)[0] == sigmoid_cross_entropy(z, yb, mask=mask)[0]


# ----------------------------------------------------------------------------------------------
# numerical stability (pytest turns any RuntimeWarning into an error)
# ----------------------------------------------------------------------------------------------

def test_sigmoid_cross_entropy_is_stable_for_huge_logits():
    # sigma(1000) = 1 - e^-1000: predicting 1 when the target is 0 costs -log(e^-1000) = 1000
    z = np.array([1000.0, -1000.0, 1000.0, -1000.0]).reshape(1, 1, 4)
    y = np.array([0.0, 1.0, 1.0, 0.0]).reshape(1, 1, 4)
    loss, dz, per_step = sigmoid_cross_entropy(z, y, per_step=True)
    np.testing.assert_allclose(per_step, [1000.0, 1000.0, 0.0, 0.0], rtol=1e-15, atol=1e-300)
    assert loss == pytest.approx(2000.0, rel=1e-15)
    np.testing.assert_array_equal(dz.ravel(), [1.0, -1.0, 0.0, 0.0])


def test_softmax_cross_entropy_is_stable_for_huge_scores():
    # scores (1000, -1000, 0): the second class has log-probability -2000, the first ~0
    z = np.array([1000.0, -1000.0, 0.0]).reshape(3, 1, 1)
    loss_wrong, dz_wrong = softmax_cross_entropy(np.repeat(z, 2, axis=2), np.array([[1, 0]]), per_step=True)[:2]
    assert np.isfinite(loss_wrong)
    assert loss_wrong == pytest.approx(2000.0, rel=1e-15)
    np.testing.assert_allclose(dz_wrong[:, 0, 0], [1.0, -1.0, 0.0], atol=1e-300)
    np.testing.assert_allclose(dz_wrong[:, 0, 1], [0.0, 0.0, 0.0], atol=1e-300)
    # all scores -1000: as good as uniform
    loss_low, _ = softmax_cross_entropy(np.full((3, 1, 1), -1000.0), np.array([[2]]))
    assert loss_low == pytest.approx(np.log(3.0), rel=1e-14)


def test_binary_cross_entropy_clips_certain_predictions():
    # y_hat exactly 0 or 1: the loss stays finite, -log(eps) for a certain wrong answer
    y_hat = np.array([0.0, 1.0, 0.0, 1.0]).reshape(1, 1, 4)
    y = np.array([1.0, 0.0, 0.0, 1.0]).reshape(1, 1, 4)
    loss, dy_hat, per_step = binary_cross_entropy(y_hat, y, per_step=True)
    np.testing.assert_allclose(per_step[:2], -np.log(BCE_EPSILON), rtol=1e-6)
    assert np.all(per_step[2:] < 1e-11)
    assert np.all(np.isfinite(dy_hat))
    assert dy_hat[0, 0, 0] < 0 < dy_hat[0, 0, 1]       # pushed toward the target
    loss_big_eps = binary_cross_entropy(y_hat, y, eps=1e-3)[0]
    assert loss_big_eps == pytest.approx(2 * -np.log(1e-3) + 2 * -np.log1p(-1e-3), rel=1e-9)


# ----------------------------------------------------------------------------------------------
# output layer
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("m", [1, 3])
def test_output_layer_matches_a_loop_over_steps(m):
    r = rng(50 + m)
    a = r.normal(size=(N_A, m, T))
    Wy, by = r.normal(size=(N_Y, N_A)), r.normal(size=(N_Y, 1))
    dz = r.normal(size=(N_Y, m, T))
    z = output_layer_forward(a, Wy, by)
    dWy, dby, da = output_layer_backward(dz, a, Wy)
    dWy_ref, dby_ref = np.zeros_like(Wy), np.zeros_like(by)
    for t in range(T):
        np.testing.assert_allclose(z[:, :, t], Wy @ a[:, :, t] + by, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(da[:, :, t], Wy.T @ dz[:, :, t], rtol=1e-12, atol=1e-12)
        dWy_ref += dz[:, :, t] @ a[:, :, t].T
        dby_ref += dz[:, :, t].sum(axis=1, keepdims=True)
    np.testing.assert_allclose(dWy, dWy_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dby, dby_ref, rtol=1e-12, atol=1e-12)


def test_output_layer_kinds_give_the_same_scores():
    r = rng(60)
    a, Wy, by = r.normal(size=(N_A, 2, T)), r.normal(size=(N_Y, N_A)), r.normal(size=(N_Y, 1))
    z = output_layer_forward(a, Wy, by)
    for kind in ("sigmoid", "linear"):
        np.testing.assert_array_equal(output_layer_forward(a, Wy, by, kind=kind), z)
    # a single output unit is fine for a sigmoid
    assert output_layer_forward(a, Wy[:1], by[:1], kind="sigmoid").shape == (1, 2, T)


def test_nothing_is_mutated():
    r = rng(61)
    z = r.normal(size=(N_Y, 2, T))
    labels = r.integers(0, N_Y, size=(2, T))
    yb = (r.random((N_Y, 2, T)) < 0.5).astype(float)
    y_hat = np.clip(r.random((N_Y, 2, T)), 0.0, 1.0)
    y_hat[0, 0, 0] = 0.0                              # will be clipped inside
    mask = random_mask(2)
    a, Wy, by = r.normal(size=(N_A, 2, T)), r.normal(size=(N_Y, N_A)), r.normal(size=(N_Y, 1))
    arrays = [z, labels, yb, y_hat, mask, a, Wy, by]
    copies = [x.copy() for x in arrays]
    softmax_cross_entropy(z, labels, mask=mask)
    sigmoid_cross_entropy(z, yb, mask=mask)
    binary_cross_entropy(y_hat, yb, mask=mask)
    z_out = output_layer_forward(a, Wy, by)
    output_layer_backward(z_out, a, Wy)
    for x, c in zip(arrays, copies):
        np.testing.assert_array_equal(x, c)
    _, dz = sigmoid_cross_entropy(z, yb)
    assert not np.shares_memory(dz, z)


# ----------------------------------------------------------------------------------------------
# bad input
# ----------------------------------------------------------------------------------------------

def _good(m=2):
    r = rng(70)
    return (r.normal(size=(N_Y, m, T)), r.integers(0, N_Y, size=(m, T)),
            (r.random((N_Y, m, T)) < 0.5).astype(float))


@pytest.mark.parametrize("fn", [sigmoid_cross_entropy, binary_cross_entropy, softmax_cross_entropy])
def test_bad_scores(fn):
    z, labels, yb = _good()
    z = sigmoid(z)                               # valid for all three (probabilities for BCE)
    y = labels if fn is softmax_cross_entropy else yb
    first = "y_hat" if fn is binary_cross_entropy else "z"
    with pytest.raises(ValueError, match=rf"{fn.__name__}: {first} must be 3-D .* got 2-D"):
        fn(z[:, :, 0], y)
    with pytest.raises(ValueError, match=rf"{first} has T_y = 0"):
        fn(z[:, :, :0], y[..., :0])
    for bad in (np.nan, np.inf, -np.inf):
        zb = z.copy()
        zb[1, 0, 2] = bad
        with pytest.raises(ValueError, match=rf"{first} must hold only finite numbers.*\(1, 0, 2\)"):
            fn(zb, y)
    with pytest.raises(ValueError, match=rf"{first} must be an array of real numbers"):
        fn("abc", y)
    with pytest.raises(ValueError, match=rf"{first} must have at least one"):
        fn(np.zeros((N_Y, 0, T)), y[..., :0, :] if y.ndim == 3 else y[:0])


@pytest.mark.parametrize("fn", [sigmoid_cross_entropy, binary_cross_entropy, softmax_cross_entropy])
def test_bad_options_and_mask(fn):
    z, labels, yb = _good()
    z = sigmoid(z)
    y = labels if fn is softmax_cross_entropy else yb
    with pytest.raises(ValueError, match=r"reduction must be one of 'sum', 'mean', got 'avg'"):
        fn(z, y, reduction="avg")
    with pytest.raises(ValueError, match=r"per_step must be True or False"):
        fn(z, y, per_step="yes")
    with pytest.raises(ValueError, match=r"mask must have shape \(m, T_y\) = \(2, 5\) to match .* \(3, 2, 5\), "
                                         r"got \(2, 4\)"):
        fn(z, y, mask=np.ones((2, 4)))
    with pytest.raises(ValueError, match=r"mask must be 2-D"):
        fn(z, y, mask=np.ones((1, 2, 5)))
    bad = np.ones((2, T))
    bad[1, 1] = 0.5
    with pytest.raises(ValueError, match=r"mask must hold only 0/1.*0.5 at index \(1, 1\)"):
        fn(z, y, mask=bad)
    bad[1, 1] = np.nan
    with pytest.raises(ValueError, match=r"mask must hold only finite numbers"):
        fn(z, y, mask=bad)


@pytest.mark.parametrize("fn", [sigmoid_cross_entropy, binary_cross_entropy])
def test_bad_binary_targets(fn):
    z, _, yb = _good()
    z = sigmoid(z)
    name = "y_hat" if fn is binary_cross_entropy else "z"
    with pytest.raises(ValueError, match=rf"y must have shape \(n_y, m, T_y\) = \(3, 2, 5\) to match {name} "
                                         r"\(3, 2, 5\), got \(3, 2, 4\)"):
        fn(z, yb[:, :, :4])
    for bad, pattern in ((1.5, r"y must hold targets in \[0, 1\], got 1.5"),
                         (-0.1, r"y must hold targets in \[0, 1\], got -0.1"),
                         (np.nan, r"y must hold only finite numbers")):
        yc = yb.copy()
        yc[2, 1, 3] = bad
        with pytest.raises(ValueError, match=pattern):
            fn(z, yc)


def test_bad_probabilities_and_eps_for_binary_cross_entropy():
    z, _, yb = _good()
    with pytest.raises(ValueError, match=r"binary_cross_entropy: y_hat must hold probabilities in \[0, 1\].*"
                                         r"sigmoid_cross_entropy"):
        binary_cross_entropy(z, yb)                   # logits instead of probabilities
    p = sigmoid(z)
    for eps in (0.0, -1e-3, 0.5, True, "small"):
        with pytest.raises(ValueError, match=r"binary_cross_entropy: eps must be a number in \(0, 0.5\)"):
            binary_cross_entropy(p, yb, eps=eps)


def test_bad_softmax_targets():
    z, labels, _ = _good()
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: y must have shape \(m, T_y\) = \(2, 5\) "
                                         r"to match z \(3, 2, 5\), got \(2, 4\)"):
        softmax_cross_entropy(z, labels[:, :4])
    with pytest.raises(ValueError, match=r"y must have shape \(n_y, m, T_y\) = \(3, 2, 5\) to match z "
                                         r"\(3, 2, 5\), got \(4, 2, 5\)"):
        softmax_cross_entropy(z, np.zeros((4, 2, T)))
    with pytest.raises(ValueError, match=r"y must be one-hot \(n_y, m, T_y\) = \(3, 2, 5\) or class indices "
                                         r"\(m, T_y\) = \(2, 5\) to match z \(3, 2, 5\), got 1-D"):
        softmax_cross_entropy(z, labels[0])
    for bad, pattern in ((3, r"y class indices must be in 0 \.\. n_y - 1 = 2, got 3 at index \(1, 2\)"),
                         (-1, r"y class indices must be in 0 \.\. n_y - 1 = 2, got -1 at index \(1, 2\)")):
        lb = labels.copy()
        lb[1, 2] = bad
        with pytest.raises(ValueError, match=pattern):
            softmax_cross_entropy(z, lb)
    lf = labels.astype(float)
    lf[0, 1] = 1.5
    with pytest.raises(ValueError, match=r"y as class indices must hold whole numbers, got 1.5"):
        softmax_cross_entropy(z, lf)
    lf[0, 1] = np.nan
    with pytest.raises(ValueError, match=r"y must hold only finite numbers"):
        softmax_cross_entropy(z, lf)
    with pytest.raises(ValueError, match=r"y as class indices must hold integers, got dtype bool"):
        softmax_cross_entropy(z, labels > 0)
    one_hot = labels_to_one_hot(labels, N_Y)
    two = one_hot.copy()
    two[:, 1, 4] = 1.0
    with pytest.raises(ValueError, match=r"y must be one-hot \(exactly one 1 per column\), column y\[:, 1, 4\] "
                                         r"sums to 3"):
        softmax_cross_entropy(z, two)
    soft = one_hot.copy()
    soft[:, 0, 0] = [0.2, 0.3, 0.5]
    with pytest.raises(ValueError, match=r"y must be one-hot \(entries 0 or 1\), got 0.2 at index \(0, 0, 0\)"):
        softmax_cross_entropy(z, soft)
    with pytest.raises(ValueError, match=r"y must be an array"):
        softmax_cross_entropy(z, [[0, 1], [2]])


def test_bad_output_layer_forward():
    r = rng(80)
    a, Wy, by = r.normal(size=(N_A, 2, T)), r.normal(size=(N_Y, N_A)), r.normal(size=(N_Y, 1))
    with pytest.raises(ValueError, match=r"output_layer_forward: a must have shape \(n_a, m, T_y\) = \(4, \*, \*\) "
                                         r"to match Wy \(3, 4\), got \(5, 2, 5\)"):
        output_layer_forward(r.normal(size=(5, 2, T)), Wy, by)
    with pytest.raises(ValueError, match=r"a must be 3-D"):
        output_layer_forward(a[:, :, 0], Wy, by)
    with pytest.raises(ValueError, match=r"a has T_x = 0"):
        output_layer_forward(a[:, :, :0], Wy, by)
    with pytest.raises(ValueError, match=r"Wy must be 2-D"):
        output_layer_forward(a, Wy[None], by)
    with pytest.raises(ValueError, match=r"by must have shape \(n_y, 1\) = \(3, 1\) to match Wy \(3, 4\), "
                                         r"got \(3,\)"):
        output_layer_forward(a, Wy, by.ravel())
    for name in ("a", "Wy", "by"):
        args = {"a": a.copy(), "Wy": Wy.copy(), "by": by.copy()}
        args[name].flat[1] = np.nan
        with pytest.raises(ValueError, match=rf"output_layer_forward: {name} must hold only finite numbers"):
            output_layer_forward(**args)
    with pytest.raises(ValueError, match=r"kind must be one of 'softmax', 'sigmoid', 'linear', got 'tanh'"):
        output_layer_forward(a, Wy, by, kind="tanh")
    with pytest.raises(ValueError, match=r"kind='softmax' needs n_y >= 2 .* Wy has shape \(1, 4\)"):
        output_layer_forward(a, Wy[:1], by[:1])


def test_bad_output_layer_backward():
    r = rng(81)
    a, Wy = r.normal(size=(N_A, 2, T)), r.normal(size=(N_Y, N_A))
    dz = r.normal(size=(N_Y, 2, T))
    with pytest.raises(ValueError, match=r"output_layer_backward: dz must have shape \(n_y, m, T_y\) = \(3, 2, 5\) "
                                         r"to match Wy \(3, 4\) and a \(4, 2, 5\), got \(3, 2, 4\)"):
        output_layer_backward(dz[:, :, :4], a, Wy)
    with pytest.raises(ValueError, match=r"dz must be 3-D"):
        output_layer_backward(dz[:, :, 0], a, Wy)
    with pytest.raises(ValueError, match=r"a must have shape .* to match Wy \(3, 4\), got \(5, 2, 5\)"):
        output_layer_backward(dz, r.normal(size=(5, 2, T)), Wy)
    with pytest.raises(ValueError, match=r"a has T_x = 0"):
        output_layer_backward(dz[:, :, :0], a[:, :, :0], Wy)
    for name in ("dz", "a", "Wy"):
        args = {"dz": dz.copy(), "a": a.copy(), "Wy": Wy.copy()}
        args[name].flat[0] = np.inf
        with pytest.raises(ValueError, match=rf"output_layer_backward: {name} must hold only finite numbers"):
            output_layer_backward(**args)
