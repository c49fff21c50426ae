"""The uniform layer interface: same numbers as the cell modules, gradients checked by finite differences."""
import numpy as np
import pytest

from helpers import gru, lstm, rnn
from helpers.cells import get_cell
from helpers.gradcheck import gradient_check

CASES = [("rnn", {}), ("rnn", {"activation": "linear"}), ("gru", {}), ("gru", {"simplified": True}),
         ("lstm", {}), ("lstm", {"peephole": True})]


@pytest.mark.parametrize("kind,options", CASES)
def test_layer_backward_matches_finite_differences(kind, options):
    n_x, n_a, m, T = 3, 4, 2, 5
    rng = np.random.default_rng(3)
    cell = get_cell(kind, **options)
    params = cell.init(n_x, n_a, seed=1)
    assert tuple(params) == cell.param_keys
    x, h0, G = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m, T))

    def loss(d):
        h, _ = cell.forward(d["x"], d["h0"], {k: d[k] for k in cell.param_keys})
        return float(np.sum(G * h))

    h, cache = cell.forward(x, h0, params)
    grads = cell.backward(G, cache, keep_state_grads=True)
    analytic = {"x": grads["dx"], "h0": grads["dh0"], **{k: grads["d" + k] for k in cell.param_keys}}
    errors = gradient_check(loss, {"x": x, "h0": h0, **params}, analytic)
    assert max(errors.values()) < 1e-7, errors
    # dh_steps at the last step is only the upstream gradient there: nothing flows back from beyond T
    assert np.array_equal(grads["dh_steps"][:, :, -1], G[:, :, -1])


def test_layers_return_what_the_cell_modules_return():
    n_x, n_a, m, T = 3, 4, 2, 5
    rng = np.random.default_rng(4)
    x, h0 = rng.normal(size=(n_x, m, T)), rng.normal(size=(n_a, m))
    p = rnn.initialize_rnn_parameters(n_x, n_a, 2, seed=0)
    assert np.array_equal(get_cell("rnn").forward(x, h0, p)[0], rnn.rnn_forward(x, h0, p)[0])
    p = gru.initialize_gru_parameters(n_x, n_a, 2, seed=0)
    assert np.array_equal(get_cell("gru").forward(x, h0, p)[0], gru.gru_forward(x, h0, p)[0])
    p = lstm.initialize_lstm_parameters(n_x, n_a, 2, seed=0)
    assert np.array_equal(get_cell("lstm").forward(x, h0, p)[0], lstm.lstm_forward(x, h0, p)[0])


def test_bad_kind_and_options_are_named():
    with pytest.raises(ValueError, match="kind must be one of"):
        get_cell("transformer")
    with pytest.raises(ValueError, match="the rnn cell has no option peephole"):
        get_cell("rnn", peephole=True)


def test_the_three_one_step_functions_share_their_cache_layout_and_gradient_names():
    n_x, n_a, m = 3, 4, 2
    rng = np.random.default_rng(5)
    xt, a_prev, c_prev = rng.normal(size=(n_x, m)), rng.normal(size=(n_a, m)), rng.normal(size=(n_a, m))
    p_rnn = rnn.initialize_rnn_parameters(n_x, n_a, 2, seed=0)
    p_gru = gru.initialize_gru_parameters(n_x, n_a, 2, seed=0)
    p_lstm = lstm.initialize_lstm_parameters(n_x, n_a, 2, seed=0)
    caches = {"rnn": rnn.rnn_cell_forward(xt, a_prev, p_rnn)[-1],
              "gru": gru.gru_cell_forward(xt, c_prev, p_gru)[-1],
              "lstm": lstm.lstm_cell_forward(xt, a_prev, c_prev, p_lstm)[-1]}
    assert list(caches["rnn"]) == ["kind", "xt", "a_prev", "z", "a_next", "parameters", "activation"]
    assert list(caches["gru"]) == ["kind", "xt", "c_prev", "c_next", "Gamma_u", "Gamma_r", "c_tilde",
                                   "parameters", "simplified", "overridden"]
    assert list(caches["lstm"]) == ["kind", "xt", "a_prev", "c_prev", "a_next", "c_next", "Gamma_f", "Gamma_u",
                                    "Gamma_o", "c_tilde", "parameters", "peephole", "overridden"]
    for kind, cache in caches.items():
        assert cache["kind"] == kind + "_cell"
        assert "Wy" not in cache["parameters"] and "Wya" not in cache["parameters"]
        # private copies: no array of the cache is an input or a parameter the caller still holds
        held = [xt, a_prev, c_prev, *p_rnn.values(), *p_gru.values(), *p_lstm.values()]
        inside = [v for v in cache.values() if isinstance(v, np.ndarray)] + list(cache["parameters"].values())
        assert not any(np.shares_memory(a, b) for a in inside for b in held)

    grads = {"rnn": rnn.rnn_cell_backward(np.ones((n_a, m)), caches["rnn"]),
             "gru": gru.gru_cell_backward(np.ones((n_a, m)), caches["gru"]),
             "lstm": lstm.lstm_cell_backward(np.ones((n_a, m)), np.ones((n_a, m)), caches["lstm"])}
    assert list(grads["rnn"]) == ["dxt", "da_prev", "dWax", "dWaa", "dba"]
    assert list(grads["gru"]) == ["dxt", "dc_prev", "dWu", "dbu", "dWr", "dbr", "dWc", "dbc"]
    assert list(grads["lstm"]) == ["dxt", "da_prev", "dc_prev", "dWf", "dbf", "dWu", "dbu", "dWo", "dbo",
                                   "dWc", "dbc"]


def test_the_three_one_step_functions_word_a_size_mismatch_alike():
    """Sizes are bound in the same order in every cell (parameters, previous state(s), xt)."""
    n_x, n_a = 3, 4
    xt, state = np.zeros((n_x, 2)), np.zeros((n_a, 5))        # m = 2 in xt, 5 in the state
    calls = {"rnn": lambda: rnn.rnn_cell_forward(xt, state, rnn.initialize_rnn_parameters(n_x, n_a, 2)),
             "gru": lambda: gru.gru_cell_forward(xt, state, gru.initialize_gru_parameters(n_x, n_a, 2)),
             "lstm": lambda: lstm.lstm_cell_forward(xt, state, state, lstm.initialize_lstm_parameters(n_x, n_a, 2))}
    first = {"rnn": r"parameters\['Wax'\] \(4, 3\)", "gru": r"parameters\['Wc'\] \(4, 7\)",
             "lstm": r"parameters\['Wf'\] \(4, 7\)"}
    state_name = {"rnn": "a_prev", "gru": "c_prev", "lstm": "a_prev"}
    for kind, call in calls.items():
        with pytest.raises(ValueError, match=rf"^{kind}_cell_forward: xt must have shape \(n_x, m\) = \(3, 5\) "
                                             rf"to match {first[kind]} and {state_name[kind]} \(4, 5\), "
                                             rf"got \(3, 2\)$"):
            call()
