"""The sequence functions of the three cells on odd shapes: m = 1, T_x = 1, n_a = 1, n_x = 1.

The sequence functions keep their own buffers (stacked columns [s; x; 1] with time in the middle, gates
with time first, reshaped views for the weight gradients), so the edge cases of those layouts (a single
step, a single example, a single unit) get their own tests:

- the same states and gradients as the readable one-step reference (the cell functions in a loop), to
  1e-12: both compute the same equations, only the order of the floating-point sums differs;
- gradients that pass a centred finite-difference check (relative error < 1e-7) of the loss
  L = sum_t sum(a<t> * G<t>), whose gradient with respect to a<t> from outside is G<t>;
- the arrays of the cache are private: changing what the forward pass returned, or the inputs it was
  given, changes nothing in the backward pass.
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers.gradcheck import gradient_check
from helpers.gru import (gru_backward, gru_cell_backward, gru_cell_forward, gru_states_forward,
                         initialize_gru_parameters)
from helpers.lstm import (initialize_lstm_parameters, lstm_backward, lstm_cell_backward, lstm_cell_forward,
                          lstm_states_forward)
from helpers.rnn import initialize_rnn_parameters, rnn_backward, rnn_cell_backward, rnn_cell_forward, \
    rnn_states_forward

# (n_x, n_a, m, T_x): every size 1 alone and all together, and one ordinary shape
SHAPES = [(1, 1, 1, 1), (3, 4, 1, 5), (3, 4, 5, 1), (2, 1, 3, 4), (1, 3, 2, 3), (4, 5, 3, 6)]
# (cell, options): every variant the sequence functions implement
VARIANTS = [("rnn", {"activation": "tanh"}), ("rnn", {"activation": "relu"}), ("rnn", {"activation": "linear"}),
            ("gru", {}), ("gru", {"simplified": True}), ("lstm", {}), ("lstm", {"peephole": True})]


def _problem(cell, options, n_x, n_a, m, T_x, seed=0):
    rng = np.random.default_rng(seed)
    if cell == "rnn":
        p = initialize_rnn_parameters(n_x, n_a, 2, seed=seed)
    elif cell == "gru":
        p = initialize_gru_parameters(n_x, n_a, 2, seed=seed, simplified=options.get("simplified", False))
    else:
        p = initialize_lstm_parameters(n_x, n_a, 2, seed=seed, peephole=options.get("peephole", False))
    for key in p:                      # non-zero biases, so a misplaced bias column would show
        if key.startswith("b"):
            p[key] = 0.3 * rng.standard_normal(p[key].shape)
    x = rng.standard_normal((n_x, m, T_x))
    s0 = 0.5 * rng.standard_normal((n_a, m))
    c0 = 0.5 * rng.standard_normal((n_a, m))
    G = rng.standard_normal((n_a, m, T_x))
    return p, x, s0, c0, G


def _sequence(cell, options, p, x, s0, c0, G):
    """States (n_a, m, T_x) and gradients from the sequence functions, names as in the per-step loop."""
    if cell == "rnn":
        a, caches = rnn_states_forward(x, s0, p, **options)
        g = rnn_backward(G, caches)
        return a, g
    if cell == "gru":
        c, caches = gru_states_forward(x, s0, p, **options)
        g = gru_backward(G, caches)
        g["ds0"] = g.pop("dc0")
        return c, g
    a, _, caches = lstm_states_forward(x, s0, p, c0=c0, **options)
    g = lstm_backward(G, caches)
    return a, g


def _per_step(cell, options, p, x, s0, c0, G):
    """The same with the readable one-step functions in a Python loop."""
    T_x = x.shape[2]
    states, caches, s, c = [], [], s0, c0
    for t in range(T_x):
        if cell == "rnn":
            s, _, cache = rnn_cell_forward(x[:, :, t], s, p, **options)
        elif cell == "gru":
            s, _, cache = gru_cell_forward(x[:, :, t], s, p, **options)
        else:
            s, c, _, cache = lstm_cell_forward(x[:, :, t], s, c, p, **options)
        states.append(s)
        caches.append(cache)
    grads = {"dx": np.zeros_like(x)}
    ds_next, dc_next = np.zeros_like(s0), np.zeros_like(c0)
    for t in reversed(range(T_x)):
        if cell == "rnn":
            step = rnn_cell_backward(G[:, :, t] + ds_next, caches[t])
            ds_next = step.pop("da_prev")
        elif cell == "gru":
            step = gru_cell_backward(G[:, :, t] + ds_next, caches[t])
            ds_next = step.pop("dc_prev")
        else:
            step = lstm_cell_backward(G[:, :, t] + ds_next, dc_next, caches[t])
            ds_next, dc_next = step.pop("da_prev"), step.pop("dc_prev")
        grads["dx"][:, :, t] = step.pop("dxt")
        for key, value in step.items():
            grads[key] = grads.get(key, 0.0) + value
    grads["ds0"] = ds_next
    if cell == "lstm":
        grads["dc0"] = dc_next
    return np.stack(states, axis=2), grads


def _names(cell, g):
    """The sequence functions name the gradient of the initial state da0 (RNN, LSTM) or dc0 (GRU)."""
    if "da0" in g:
        g["ds0"] = g.pop("da0")
    return g


@pytest.mark.parametrize("cell, options", VARIANTS)
@pytest.mark.parametrize("shape", SHAPES)
def test_sequence_functions_agree_with_the_cell_functions(cell, options, shape):
    problem = _problem(cell, options, *shape)
    s_seq, g_seq = _sequence(cell, options, *problem)
    s_ref, g_ref = _per_step(cell, options, *problem)
    g_seq = _names(cell, g_seq)
    assert s_seq.shape == shape[1:2] + shape[2:]
    np.testing.assert_allclose(s_seq, s_ref, rtol=1e-12, atol=1e-14)
    assert set(g_seq) == set(g_ref)
    for key, ref in g_ref.items():
        assert g_seq[key].shape == np.shape(ref), key
        np.testing.assert_allclose(g_seq[key], ref, rtol=1e-12, atol=1e-14, err_msg=key)


@pytest.mark.parametrize("cell, options", [v for v in VARIANTS if v[1].get("activation") != "relu"])
@pytest.mark.parametrize("shape", [(1, 1, 1, 1), (2, 1, 1, 3), (1, 2, 3, 1), (2, 3, 2, 4)])
def test_sequence_gradients_pass_finite_differences(cell, options, shape):
    """relu is left out: its kink makes finite differences unreliable where z is near 0. The step is
    1e-5: with a single unit some gradients are small (e.g. dL/da0 = -1.8e-4 for the RNN of shape
    (2, 1, 1, 3)), and the rounding error of the loss divided by a step of 1e-6 is then a visible share of
    them; the truncation error of the centred difference, O(eps^2), stays far below the 1e-7 check."""
    p, x, s0, c0, G = _problem(cell, options, *shape, seed=3)
    inputs = dict(p, x=x, s0=s0)
    if cell == "lstm":
        inputs["c0"] = c0

    def loss(d):
        params = {k: v for k, v in d.items() if k not in ("x", "s0", "c0")}
        if cell == "rnn":
            s, _ = rnn_states_forward(d["x"], d["s0"], params, **options)
        elif cell == "gru":
            s, _ = gru_states_forward(d["x"], d["s0"], params, **options)
        else:
            s, _, _ = lstm_states_forward(d["x"], d["s0"], params, c0=d["c0"], **options)
        return float(np.sum(s * G))

    _, g = _sequence(cell, options, p, x, s0, c0, G)
    g = _names(cell, g)
    analytic = {k: g["d" + k] for k in p if "d" + k in g}
    analytic.update(x=g["dx"], s0=g["ds0"])
    if cell == "lstm":
        analytic["c0"] = g["dc0"]
    errors = gradient_check(loss, {k: inputs[k] for k in analytic}, analytic, eps=1e-5)
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("cell, options", [("rnn", {}), ("gru", {}), ("lstm", {"peephole": True})])
def test_the_backward_pass_reads_private_copies(cell, options):
    """Overwriting the inputs and the returned states after the forward pass changes no gradient."""
    p, x, s0, c0, G = _problem(cell, options, 3, 4, 2, 5)
    if cell == "rnn":
        a, caches = rnn_states_forward(x, s0, p, **options)
        expected = rnn_backward(G, caches)
        a[...] = 7.0
        x[...] = -3.0
        s0[...] = 2.0
        for v in p.values():
            v[...] = 0.5
        got = rnn_backward(G, caches)
    elif cell == "gru":
        c, caches = gru_states_forward(x, s0, p, **options)
        expected = gru_backward(G, caches)
        c[...] = 7.0
        x[...] = -3.0
        s0[...] = 2.0
        for v in p.values():
            v[...] = 0.5
        got = gru_backward(G, caches)
    else:
        a, c, caches = lstm_states_forward(x, s0, p, c0=c0, **options)
        expected = lstm_backward(G, caches)
        a[...] = 7.0
        c[...] = 7.0
        x[...] = -3.0
        s0[...] = 2.0
        c0[...] = 2.0
        for v in p.values():
            v[...] = 0.5
        got = lstm_backward(G, caches)
    assert set(got) == set(expected)
    for key in expected:
        assert np.array_equal(got[key], expected[key]), key
