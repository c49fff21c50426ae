"""Gradient-flow explorer, subject-verb example, value versus norm clipping and the latch (notebook 07).

Expected values come from theory, not from the code's own output:
- one step back multiplies dL/da by diag(g'(z)) Waa.T, of norm <= gamma * sigma_max (gamma = 1 for tanh,
  relu, linear): the Pascanu bound (gamma sigma_max)^(T-t), and for a linear RNN with Waa = s Q (Q
  orthogonal) exactly s^(T-t);
- a Gaussian n x n matrix rescaled to largest singular value sigma has spectral radius about sigma / 2
  (quarter-circle and circular laws), so a random tanh RNN with sigma_max = 1.5 has gain ~0.75 < 1 and its
  gradients vanish, while sigma_max = 4 (gain ~2 > 1) makes it chaotic and its gradients grow
  (Sompolinsky, Crisanti and Sommers, 1988);
- the gated cells' memory Jacobians are ~diag(1 - Gamma_u) (GRU) and ~diag(Gamma_f) (LSTM);
- clipping by value and by norm by hand on small vectors;
- the latch's chain rule da<T>/da<0> = prod w (1 - a<t>^2) and its fixed point a* = tanh(w a*).
Rows of the reach map are compared with gradient_flow.reach_map, itself checked by finite differences.
"""
import io
import itertools

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.ticker import MaxNLocator

from helpers.cells import get_cell
from helpers.gradcheck import numerical_gradient
from helpers.views.gradient_explorers import (
    ACTIVATIONS,
    CAT_SENTENCE,
    N_A_MAX,
    RECURRENT_CHOICES,
    T_MAX,
    clip_2d_explorer,
    clip_2d_view,
    clip_comparison,
    flow_network,
    gradient_flow_explorer,
    gradient_flow_view,
    latch_curves,
    map_image,
    map_rows,
    plot_latch,
    plot_sentence_gradient,
    reach_rows,
    sentence_gradient,
    subject_reach,
)
from helpers.gradient_flow import latch_experiment, reach_map, state_gradient_norms


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def rel(a, b):
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


# ----------------------------------------------------------------------------------------------
# the networks and the reach-map rows
# ----------------------------------------------------------------------------------------------

def test_flow_network_builds_what_the_controls_say():
    cell, p, x = flow_network("RNN", "relu", "orthogonal", sigma_max=1.7, input_scale=0.3, T=20, n_a=6, seed=2)
    assert cell == get_cell("rnn", activation="relu") and x.shape == (3, 1, 20)
    assert np.allclose(np.linalg.svd(p["Waa"], compute_uv=False), 1.7, rtol=1e-12)
    _, p, _ = flow_network("RNN", "tanh", "gaussian", sigma_max=0.6, n_a=6)
    assert np.linalg.norm(p["Waa"], 2) == pytest.approx(0.6, rel=1e-12)
    cell, p, _ = flow_network("GRU", keep_bias=5.0, n_a=4)
    assert cell.kind == "gru" and np.all(p["bu"] == -5.0)          # Gamma_u = sigmoid(... - 5) ~ 0
    cell, p, _ = flow_network("LSTM", keep_bias=5.0, n_a=4)
    assert cell.kind == "lstm" and np.all(p["bf"] == 5.0)          # Gamma_f = sigmoid(... + 5) ~ 1


def test_a_longer_sequence_extends_the_same_inputs():
    _, _, short = flow_network(T=30, seed=4)
    _, _, long = flow_network(T=T_MAX, seed=4)
    assert np.array_equal(short, long[:, :, :30])
    _, _, gated = flow_network("LSTM", T=30, seed=4)
    assert np.array_equal(gated, short)                            # every cell reads the same sequence


def test_gated_cells_ignore_the_rnn_only_controls():
    a = gradient_flow_view("GRU", "tanh", "gaussian", 1.0, 0.1, T=40, n_a=5)
    b = gradient_flow_view("GRU", "linear", "orthogonal", 7.0, 2.5, T=40, n_a=5)
    assert np.array_equal(a["norms"], b["norms"]) and np.array_equal(a["map"], b["map"], equal_nan=True)
    c = gradient_flow_view("RNN", keep_bias=0.0, T=40, n_a=5)
    d = gradient_flow_view("RNN", keep_bias=8.0, T=40, n_a=5)
    assert np.array_equal(c["norms"], d["norms"])


def test_map_rows_by_hand():
    assert np.array_equal(map_rows(1), [0])
    assert np.array_equal(map_rows(10), np.arange(10))             # 2 * 1200 / 10 = 240 >= 10: every row
    rows = map_rows(200)                                            # 2 * 1200 / 200 = 12 rows
    assert rows.size == 12 and rows[0] == 0 and rows[-1] == 199 and np.all(np.diff(rows) > 0)
    assert map_rows(400, "GRU").size == 4                           # 2400 / 2000 = 1, raised to the minimum 4
    assert map_rows(50).size == 40                                  # 2400 / 50 = 48, capped at 40
    with pytest.raises(ValueError, match="map_rows: cell must be one of"):
        map_rows(10, "rnn")


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
def test_reach_rows_are_rows_of_the_reach_map(kind):
    T = 9
    cell = get_cell(kind)
    rng = np.random.default_rng(3)
    params = cell.init(2, 4, seed=1)
    x = rng.normal(size=(2, 1, T))
    full = reach_map(cell, params, x)["map"]
    out = reach_rows(cell, params, x, [0, 4, 8])
    assert np.array_equal(out["rows"], [0, 4, 8]) and not out["exploded"] and out["exploded_in"] is None
    assert np.allclose(out["map"], full[[0, 4, 8]], rtol=1e-12, equal_nan=True)
    assert np.all(np.isnan(out["map"][0, 1:])) and np.all(np.isnan(out["map"][1, 5:]))


def test_reach_rows_report_a_forward_overflow():
    """relu RNN with Waa = 1e200 I, Wax = 1, x = 1: a<0> = 3, a<1> = 3e200 + 3, a<2> ~ 9e400 = inf."""
    params = {"Wax": np.ones((2, 3)), "Waa": 1e200 * np.eye(2), "ba": np.zeros((2, 1))}
    out = reach_rows(get_cell("rnn", activation="relu"), params, np.ones((3, 1, 5)), [1, 2, 4])
    assert out["exploded"] and out["exploded_in"] == "forward"
    assert out["map"][0, 1] == pytest.approx(1.0) and out["map"][0, 0] == pytest.approx(1e200, rel=1e-12)
    assert np.all(np.isnan(out["map"][1:]))


def test_reach_rows_refuse_bad_rows_and_inputs():
    cell = get_cell("rnn")
    params = cell.init(2, 3, seed=0)
    x = np.zeros((2, 1, 5))
    with pytest.raises(ValueError, match=r"reach_rows: rows must be strictly increasing steps in \[0, T_x - 1\]"):
        reach_rows(cell, params, x, [2, 1])
    with pytest.raises(ValueError, match=r"reach_rows: rows must be strictly increasing steps"):
        reach_rows(cell, params, x, [0, 5])
    with pytest.raises(ValueError, match="reach_rows: rows must be a non-empty 1-D sequence of int"):
        reach_rows(cell, params, x, [])
    with pytest.raises(ValueError, match="reach_rows: rows must be a non-empty 1-D sequence of int"):
        reach_rows(cell, params, x, [0.5])
    with pytest.raises(ValueError, match=r"reach_rows: x must be one sequence of shape \(n_x, 1, T_x\)"):
        reach_rows(cell, params, np.zeros((2, 2, 5)), [0])
    with pytest.raises(ValueError, match="reach_rows: x must be 3-D"):
        reach_rows(cell, params, np.zeros((2, 5)), [0])


# ----------------------------------------------------------------------------------------------
# the facts the notebook asserts
# ----------------------------------------------------------------------------------------------

def test_sigma_below_one_vanishes_geometrically_under_the_bound():
    """Every step back multiplies by diag(1 - a^2) Waa.T, of norm <= sigma_max = 0.8."""
    v = gradient_flow_view(sigma_max=0.8, T=100, n_a=32)
    n = v["norms"]
    assert v["verdict"] == "vanishes" and v["bound_holds"]
    assert np.all(n[:-1] <= 0.8 * n[1:] * (1 + 1e-12))
    assert n[0] <= 0.8 ** 99 * (1 + 1e-12)


@pytest.mark.parametrize("activation,recurrent", list(itertools.product(ACTIVATIONS, RECURRENT_CHOICES)))
@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.5])
def test_the_pascanu_bound_always_holds(activation, recurrent, sigma):
    v = gradient_flow_view("RNN", activation, recurrent, sigma, 1.0, T=60, n_a=8, seed=1, reach=False)
    assert v["bound_holds"]
    assert np.array_equal(v["bound"], sigma ** np.arange(59, -1, -1.0))


@pytest.mark.parametrize("seed", range(10))
def test_sigma_one_and_a_half_is_not_enough_to_explode(seed):
    """Gaussian Waa with sigma_max = 1.5 has spectral radius ~0.75: the gain is below 1."""
    v = gradient_flow_view(sigma_max=1.5, input_scale=0.1, T=100, n_a=32, seed=seed, reach=False)
    assert v["verdict"] == "vanishes"                              # below 1e-2 of the last step
    saturated = gradient_flow_view(sigma_max=1.5, input_scale=3.0, T=100, n_a=32, seed=seed, reach=False)
    assert saturated["ratio"] < v["ratio"]                         # saturated units pass even less


def test_saturation_makes_even_a_large_sigma_vanish():
    """With input scale 3 most tanh units sit where tanh' = 1 - tanh^2 is near 0, so each step's
    diag(g'(z)) Waa.T shrinks the gradient although sigma_max = 4 would let it grow (notebook 07)."""
    weak = gradient_flow_view(sigma_max=4.0, input_scale=0.1, T=100, n_a=32, seed=0, reach=False)
    saturated = gradient_flow_view(sigma_max=4.0, input_scale=3.0, T=100, n_a=32, seed=0, reach=False)
    assert weak["verdict"] == "grows" and saturated["verdict"] == "vanishes"


def test_a_larger_sigma_makes_the_tanh_gradient_grow():
    """Gain ~2 > 1 with weak input: the random tanh network is chaotic, Jacobian products grow."""
    grown = [gradient_flow_view(sigma_max=4.0, input_scale=0.1, T=100, n_a=32, seed=s, reach=False)["ratio"]
             for s in range(10)]
    assert gradient_flow_view(sigma_max=4.0, input_scale=0.1, T=100, n_a=32, seed=0)["verdict"] == "grows"
    assert sum(r > 1.0 for r in grown) >= 9


@pytest.mark.parametrize("s", [0.9, 1.0, 1.1])
def test_linear_orthogonal_rnn_follows_s_to_the_power_exactly(s):
    v = gradient_flow_view("RNN", "linear", "orthogonal", s, 0.5, T=120, n_a=7, seed=3)
    assert v["exact"] and v["theory_error"] < 1e-12
    assert rel(v["norms"], s ** np.arange(119, -1, -1.0)) < 1e-12
    assert not gradient_flow_view("RNN", "linear", "gaussian", s, 0.5, T=20, n_a=7)["exact"]


def test_backward_explosion_starts_where_s_to_the_power_passes_1e300():
    """Zero input keeps every state at 0; the gradient is 8^(T-t) exactly. 8^332 = 10^299.8 < 1e300 and
    8^333 = 10^300.7 > 1e300, so with T = 400 step t = 400 - 333 = 67 is the first (latest) exploded one."""
    v = gradient_flow_view("RNN", "linear", "orthogonal", 8.0, 0.0, T=400, n_a=4, seed=0)
    assert v["exploded_in"] == "backward" and v["exploded_at"] == 67 and v["verdict"] == "exploded"
    assert np.all(np.isnan(v["norms"][:67])) and np.all(np.isfinite(v["norms"][67:]))
    assert v["map_exploded"]


def test_forward_explosion_is_reported_not_raised():
    v = gradient_flow_view("RNN", "linear", "orthogonal", 8.0, 0.5, T=400, n_a=4, seed=0)
    assert v["exploded_in"] == "forward" and 300 < v["exploded_at"] <= 400
    assert np.all(np.isnan(v["norms"]))
    rows = v["map_rows"]
    assert np.all(np.isnan(v["map"][rows >= v["exploded_at"]]))           # those losses are not numbers
    assert np.all(np.isfinite(v["map"][0, :1]))                           # the first loss still is


def test_gates_near_keep_carry_the_gradient_back():
    gru = gradient_flow_view("GRU", keep_bias=6.0, T=100, n_a=16)
    assert gru["verdict"] == "survives" and gru["ratio"] > 0.3       # (1 - sigmoid(-6))^99 ~ 0.78
    assert gradient_flow_view("GRU", keep_bias=0.0, T=100, n_a=16)["verdict"] == "vanishes"
    lstm = gradient_flow_view("LSTM", keep_bias=6.0, T=100, n_a=16)
    c = lstm["c_norms"]
    assert c[0] >= 0.5 * c[-2]                                       # sigmoid(6)^98 ~ 0.78
    assert lstm["measured_on"] == "c" and lstm["ratio"] == c[0] / c[-2] and lstm["verdict"] == "survives"
    plain = gradient_flow_view("LSTM", keep_bias=0.0, T=100, n_a=16)
    assert plain["c_norms"][0] < 1e-3 * plain["c_norms"][-2] and plain["verdict"] == "vanishes"
    assert gradient_flow_view("LSTM", T=1, n_a=3)["measured_on"] == "a"   # one step: no memory gradient yet


def test_view_is_the_cells_own_bptt_and_the_map_ends_with_it():
    v = gradient_flow_view(sigma_max=1.2, T=30, n_a=5, seed=7)
    cell, params, x = flow_network(sigma_max=1.2, T=30, n_a=5, seed=7)
    assert np.array_equal(v["norms"], state_gradient_norms(cell, params, x)["norms"])
    assert np.array_equal(v["map"][-1], v["norms"]) and v["map_rows"][-1] == 30
    assert np.allclose(v["map"], reach_map(cell, params, x)["map"], rtol=1e-12, equal_nan=True)
    assert gradient_flow_view(T=30, n_a=5, reach=False)["map"] is None


# ----------------------------------------------------------------------------------------------
# every corner of the controls: no exception, no warning (pytest turns warnings into errors)
# ----------------------------------------------------------------------------------------------

SIGMAS, INPUTS, TS, NS, SEEDS, KEEPS = (0.1, 8.0), (0.0, 3.0), (1, T_MAX), (1, N_A_MAX), (0, 9), (0.0, 8.0)


def _check_corner(v, T):
    n = v["norms"]
    assert n.shape == (T,) and not np.any(np.isinf(n))
    if v["exploded_at"] is None:
        assert np.all(np.isfinite(n)) and np.all(n >= 0)
    else:
        assert 1 <= v["exploded_at"] <= T and np.any(np.isnan(n))
    M = v["map"]
    assert M.shape == (v["map_rows"].size, T)
    assert np.all(np.isnan(M) | ((M >= 0) & (M <= 1e300)))


@pytest.mark.parametrize("activation,recurrent", list(itertools.product(ACTIVATIONS, RECURRENT_CHOICES)))
def test_every_corner_of_the_rnn_controls(activation, recurrent):
    for sigma, scale, T, n_a, seed in itertools.product(SIGMAS, INPUTS, TS, NS, SEEDS):
        v = gradient_flow_view("RNN", activation, recurrent, sigma, scale, 0.0, T, n_a, seed)
        _check_corner(v, T)
        assert v["bound_holds"]


@pytest.mark.parametrize("cell", ["GRU", "LSTM"])
def test_every_corner_of_the_gated_controls(cell):
    for keep, T, n_a, seed in itertools.product(KEEPS, TS, NS, SEEDS):
        _check_corner(gradient_flow_view(cell, keep_bias=keep, T=T, n_a=n_a, seed=seed), T)


def test_the_explorer_draws_the_extremes_without_warnings():
    ex = gradient_flow_explorer(T=20, n_a=4)
    settings = [dict(cell="RNN", activation="linear", recurrent="orthogonal", sigma_max=8.0, input_scale=0.0,
                     T=400, n_a=1), dict(input_scale=3.0, n_a=64), dict(sigma_max=0.1, T=400, input_scale=0.0),
                dict(activation="relu", sigma_max=8.0, T=1), dict(cell="GRU", keep_bias=0.0, T=400, n_a=64),
                dict(cell="LSTM", keep_bias=8.0, T=1, n_a=1), dict(cell="LSTM", keep_bias=0.0, T=400, reach=False)]
    for values in settings:
        ex.set(**values)
        ex.figure.canvas.draw()
        assert np.isfinite(ex.last_update_ms)


# ----------------------------------------------------------------------------------------------
# the explorer
# ----------------------------------------------------------------------------------------------

def test_map_image_by_hand():
    """rows 1 and 3 of a T = 3 map: row 1 fills image row 1, row 3 fills image rows 2 and 3.
    log10 values 0, -2 and 0 (the curve: 0 and 0) lie in -2 .. 2, the smallest coarse range, so the colour
    range is [-2, 2]; the exploded entry (k = 2 <= 3) is 2 + 1 = 3."""
    view = {"map": np.array([[1.0, np.nan, np.nan], [0.01, np.nan, 1.0]]), "map_rows": np.array([1, 3]),
            "norms": np.array([np.nan, np.nan, 1.0]), "c_norms": None}
    image, vmin, vmax = map_image(view)
    assert (vmin, vmax) == (-2.0, 2.0)
    expected = np.array([[0.0, np.nan, np.nan], [-2.0, 3.0, 0.0], [-2.0, 3.0, 0.0]])
    assert np.array_equal(image, expected, equal_nan=True)
    zero = {"map": np.array([[0.0, np.nan], [1.0, 1.0]]), "map_rows": np.array([1, 2]),
            "norms": np.array([1.0, 1.0]), "c_norms": None}
    image, vmin, vmax = map_image(zero)
    assert image[0, 0] == vmin - 1.0                                 # an exact zero: below the range
    # log10 values down to -2.5 (curve) and -12 (map, 1e-12), up to 4 (memory): the range steps out to
    # the next of 2, 3, 5, 10, 20, ...: [-20, 5], for the colours and the curves' y axis alike
    wide = {"map": np.array([[1.0, np.nan], [1e-12, 1.0]]), "map_rows": np.array([1, 2]),
            "norms": np.array([10 ** -2.5, 1.0]), "c_norms": np.array([1e4, 0.0])}
    assert map_image(wide)[1:] == (-20.0, 5.0)


def _flow_limits(ex):
    """Every limit the figure's axes and colours really have (the range they stand for is ex.frame)."""
    ax, ax_m = ex.figure.axes[:2]
    return ax.get_xlim(), ax.get_ylim(), ax_m.get_xlim(), ax_m.get_ylim(), ax_m.images[0].get_clim()


def _nice_ticks(low, high):
    """matplotlib's default tick choice (5 bins) on [low, high], the ticks inside only."""
    ticks = MaxNLocator(nbins=5, steps=[1, 2, 2.5, 5, 10]).tick_values(low, high)
    return [t for t in ticks if low - 1e-9 <= t <= high + 1e-9]


def _labels_shown(ex):
    """(y axis labels, colour bar labels): texts and heights of the tick labels the explorer shows."""
    return [[(label.get_text(), label.get_position()[1]) for label in pool.labels if label.get_visible()]
            for pool in (ex.ticks["y"], ex.ticks["colorbar"])]


def _check_frame(ex):
    """The fixed frame, and labels that say exactly which values of the range drawn are where:
    value v of [low, high] sits at (v - low) / (high - low), on the y axis and on the colour bar alike."""
    ax, ax_m = ex.figure.axes[:2]
    low, high = ex.frame["log_range"]
    assert ax.get_ylim() == (-0.04, 1.16)                # [low - 0.04 span, high + 0.16 span] in the frame
    assert ax_m.images[0].get_clim() == (0.0, 1.0) and not ax.get_yticks().size
    expected = [(f"{t:g}".replace("-", "\N{MINUS SIGN}"), pytest.approx((t - low) / (high - low)))
                for t in _nice_ticks(low, high)]
    y_labels, bar_labels = _labels_shown(ex)
    assert y_labels == expected and bar_labels == expected and ex.frame["ticks"] == [t for t in _nice_ticks(low, high)]
    return low, high


def test_the_frame_of_the_flow_picture_moves_in_coarse_steps():
    """x axes end at the first of 10, 25, 50, 100, 200, 300, 400 >= T; y axis and colours share one range."""
    ex = gradient_flow_explorer(cell="RNN", activation="tanh", sigma_max=1.0, T=100, n_a=32)
    ax, ax_m = ex.figure.axes[:2]
    for T, end in ((1, 10), (10, 10), (11, 25), (100, 100), (101, 200), (201, 300), (400, 400)):
        ex.set(T=T)
        assert ax.get_xlim() == (0.5, end + 0.5) and ax_m.get_xlim() == ax_m.get_ylim() == (0.5, end + 0.5)
        assert ax_m.images[0].get_extent() == [0.5, T + 0.5, 0.5, T + 0.5]
        _check_frame(ex)
    # linear, Waa = 0.8 Q: the norms are exactly 0.8^(T - t), down to 0.8^99 = 10^-9.6 (every row of the map
    # is a shorter stretch of the same), so the range steps out to -10 below and to the least, 2, above
    r = ex.set(T=100, activation="linear", recurrent="orthogonal", sigma_max=0.8, n_a=32)
    low, high = _check_frame(ex)
    finite = np.log10(r["norms"])
    assert (low, high) == (-10.0, 2.0) and low <= finite.min() and finite.max() <= high
    # by hand: steps of 2.5 fit 5 bins over 12 decades; 2.5 is above the range, so 0 is the top label
    assert [text for text, _ in _labels_shown(ex)[0]] == ["−10", "−7.5", "−5", "−2.5", "0"]
    # the curves and the colours are drawn in the frame of that one range
    line = next(ln for ln in ax.lines if ln.get_label().startswith("‖∂L<T>/∂a<t>‖"))
    assert np.allclose(low + (high - low) * line.get_ydata(), finite, rtol=1e-12, atol=1e-12)
    shown = ax_m.images[0].get_array()
    logs = np.log10(r["map"][-1])                       # the last row: image row T
    assert np.allclose(low + (high - low) * shown[-1], logs, rtol=1e-12, atol=1e-12)
    # more decades: the range steps out to the next coarse step, the frame stays
    ex.set(sigma_max=0.5)                                # 0.5^99 = 10^-29.8
    assert _check_frame(ex) == (-30.0, 2.0) and ex.last_render == "layers", ex._layers.reason


def test_moving_a_control_within_the_frame_keeps_the_layers():
    """Moves that keep the coarse frame redraw only the changed artists, for every cell; the legend,
    titles and axes stay in the kept background."""
    ex = gradient_flow_explorer(cell="RNN", activation="tanh", sigma_max=1.0, T=100, n_a=32)
    ex.set(sigma_max=0.9)                                # the curves become dynamic (one full render)
    kept = 0
    for values in (dict(sigma_max=0.95), dict(seed=3), dict(n_a=64), dict(input_scale=0.3), dict(T=90),
                   dict(T=60), dict(seed=5, n_a=40), dict(sigma_max=1.05), dict(activation="relu"),
                   dict(cell="GRU", keep_bias=6.0), dict(keep_bias=5.0), dict(keep_bias=5.5), dict(seed=2),
                   dict(n_a=16), dict(T=80), dict(cell="LSTM"), dict(keep_bias=4.0), dict(seed=7)):
        frame = _flow_limits(ex)
        ex.set(**values)
        _check_frame(ex)
        if _flow_limits(ex) == frame:
            kept += 1
            assert ex.last_render == "layers", (values, ex._layers.reason)
    assert kept >= 12                                    # most of these moves stay within the coarse frame
    kinds = {type(a).__name__ for a in ex._layers.dynamic}
    assert not kinds & {"Legend"}
    labels = {id(label) for pool in ex.ticks.values() for label in pool.labels}
    texts = [a for a in ex._layers.dynamic if type(a).__name__ == "Text" and id(a) not in labels]
    assert all(not a.get_text() for a in texts)                            # else only the empty notes


def test_an_explosion_is_marked_on_the_layers_too():
    """The hatched region and the message appear on a fast redraw as well, and leave with the overflow."""
    ex = gradient_flow_explorer(cell="RNN", activation="linear", recurrent="orthogonal", sigma_max=7.0,
                                input_scale=0.0, T=400, n_a=4)
    ax = ex.figure.axes[0]
    blast = next(p for p in ax.patches if p.get_hatch())
    note = next(t for t in ax.texts if t.get_clip_on())
    for s in (7.5, 8.0):                    # s^(T - t) passes 1e300 first at T - t = ceil(300 / log10 s)
        k = 400 - int(np.ceil(300 / np.log10(s)))                   # 57 for 7.5, 67 for 8
        r = ex.set(sigma_max=s)
        assert r["exploded_in"] == "backward" and r["exploded_at"] == k
        assert blast.get_visible() and blast.get_width() == k
        assert note.get_text().startswith(f"exploded at step {k}") and f"exploded at step {k}" in ex.status.value
    assert ex.last_render == "layers", ex._layers.reason
    ex.set(sigma_max=0.9)
    assert not blast.get_visible() and note.get_text() == ""
    image = ex.figure.axes[1].images[0]
    for s in (7.5, 8.0):                    # the map's exploded entries lie above the colour range too
        ex.set(sigma_max=s)
        assert np.nanmax(image.get_array()) > image.get_clim()[1] == 1.0 and ex.last_render == "layers"


def test_explorer_recomputes_and_redraws_in_place():
    ex = gradient_flow_explorer(T=50, n_a=8)
    ax, ax_m = ex.figure.axes[:2]
    line = next(ln for ln in ax.lines if ln.get_label().startswith("‖∂L<T>/∂a<t>‖"))
    r = ex.set(activation="linear", recurrent="orthogonal", sigma_max=8.0, input_scale=0.0, T=400, n_a=4)
    assert r["exploded_at"] == 67 and "exploded at step 67" in ex.status.value
    assert line is next(ln for ln in ax.lines if ln.get_label().startswith("‖∂L<T>/∂a<t>‖"))
    finite = np.isfinite(r["norms"])
    low, high = _check_frame(ex)
    assert np.allclose(low + (high - low) * line.get_ydata()[finite], np.log10(r["norms"][finite]))
    image = ax_m.images[0]
    assert image.get_array().shape == (400, 400)
    assert image.get_clim() == (0.0, 1.0)                           # the frame of the range [low, high]
    assert np.any(image.get_array() > image.get_clim()[1])          # exploded entries, drawn red
    blast = [p for p in ax.patches if p.get_visible()]
    assert len(blast) == 1 and blast[0].get_width() == 67
    ex.set(cell="GRU")
    assert ex.controls["sigma_max"].disabled and not ex.controls["keep_bias"].disabled
    ex.set(cell="RNN", reach=False)
    assert not ex.controls["sigma_max"].disabled and ex.controls["keep_bias"].disabled
    assert not image.get_visible() and np.isfinite(ex.last_update_ms)


MOVES = (dict(cell="GRU"), dict(cell="RNN"), dict(activation="relu"), dict(activation="tanh"),
         dict(recurrent="orthogonal"), dict(recurrent="gaussian"), dict(sigma_max=8.0), dict(input_scale=3.0),
         dict(T=400), dict(n_a=64), dict(seed=9), dict(reach=False), dict(reach=True))


def _pixels_of_a_full_render(ex):
    """What the whole figure looks like drawn at once (saving draws every artist, in order)."""
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(ex.snapshot_png())).convert("RGBA"))


def test_moves_that_change_the_range_stay_on_the_fast_redraw_with_the_same_picture():
    """The moves the browser tests make, which change the log10 range nearly every time: only T across one
    of STEP_RANGES renders the whole figure, and the layers show the same pixels as a full render."""
    ex = gradient_flow_explorer()
    canvas = ex.figure.canvas
    ranges, kinds = set(), []
    for values in MOVES + MOVES:
        limits = _flow_limits(ex)
        ex.set(**values)
        ranges.add(ex.frame["log_range"])
        _check_frame(ex)
        kinds.append((values, _flow_limits(ex) == limits, ex.last_render, ex._layers.reason))
        shown = np.asarray(canvas.buffer_rgba()).copy()
        assert np.array_equal(shown, _pixels_of_a_full_render(ex)), values
        canvas.draw()
        assert np.array_equal(shown, np.asarray(canvas.buffer_rgba())), values
    assert len(ranges) >= 5                          # the range did change, over and over
    # only T = 100 -> 400 (across the x ranges 200 and 300) moves an axis, and it alone renders everything;
    # the first move is fast too (the explorer found its changing artists when it was made)
    assert [values for values, kept, _, _ in kinds if not kept] == [{"T": 400}]
    for values, kept, render, reason in kinds:
        assert render == ("layers" if kept else "full"), (values, reason)


def test_view_refuses_bad_controls():
    with pytest.raises(ValueError, match="flow_network: cell must be one of 'RNN', 'GRU', 'LSTM'"):
        gradient_flow_view("rnn")
    with pytest.raises(ValueError, match=r"flow_network: sigma_max must be a finite number in \[0.1, 8\]"):
        gradient_flow_view(sigma_max=9.0)
    with pytest.raises(ValueError, match=r"flow_network: T must be an integer in \[1, 400\], got 401"):
        gradient_flow_view(T=401)
    with pytest.raises(ValueError, match=r"flow_network: n_a must be an integer in \[1, 64\], got 0"):
        gradient_flow_view(n_a=0)
    with pytest.raises(ValueError, match="flow_network: activation must be one of"):
        gradient_flow_view(activation="sigmoid")
    with pytest.raises(ValueError, match=r"flow_network: keep_bias must be a finite number in \[0, 8\]"):
        gradient_flow_view(keep_bias=np.nan)
    with pytest.raises(ValueError, match="gradient_flow_view: reach must be True or False"):
        gradient_flow_view(reach="yes")


# ----------------------------------------------------------------------------------------------
# the subject-verb example
# ----------------------------------------------------------------------------------------------

def _softmax(z):
    e = np.exp(z - z.max())
    return e / e.sum()


def test_sentence_gradient_starts_from_the_output_layer_and_matches_finite_differences():
    tokens = ("the", "cats", "ate", "a", "lot")
    n_a = 4
    v = sentence_gradient(tokens, subject=2, n_a=n_a, sigma_max=1.3, input_scale=0.8, seed=1)
    assert v["verb"] == "were" and v["tokens"] == tokens
    # rebuild the network through the documented builders and check the first and the deepest norm
    from helpers.gradient_flow import rnn_for_gradient_study
    from helpers.views.gradient_explorers import SENTENCE_WORDS
    cell, params, _ = rnn_for_gradient_study(n_a, len(SENTENCE_WORDS), 1.3, seed=1, T=1, input_scale=0.8)
    Wy = np.random.default_rng([1, 2]).normal(0.0, 1.0 / np.sqrt(n_a), size=(2, n_a))
    x = np.zeros((len(SENTENCE_WORDS), 1, 5))
    x[[SENTENCE_WORDS.index(w) for w in tokens], 0, np.arange(5)] = 1.0
    a, _ = cell.forward(x, np.zeros((n_a, 1)), params)
    p = _softmax(Wy @ a[:, 0, -1])
    assert v["loss"] == pytest.approx(-np.log(p[1]), rel=1e-12)
    assert v["norms"][-1] == pytest.approx(np.linalg.norm(Wy.T @ (p - [0.0, 1.0])), rel=1e-12)

    def loss_from(t):                       # L as a function of a<t>: run the words after t from it
        def f(state):
            h = cell.forward(x[:, :, t + 1:], state, params)[0][:, 0, -1] if t < 4 else state[:, 0]
            return float(-np.log(_softmax(Wy @ h)[1]))
        return f
    for t in (0, 1, 3):
        fd = numerical_gradient(loss_from(t), a[:, :, t])
        assert rel(v["norms"][t], np.linalg.norm(fd)) < 1e-7
    assert v["ratio"] == pytest.approx(v["norms"][1] / v["norms"][-1], rel=1e-15)


def test_the_verbs_gradient_at_the_subject_is_under_the_bound():
    v = sentence_gradient(sigma_max=1.0)
    assert v["tokens"] == CAT_SENTENCE and v["verb"] == "was" and v["subject"] == 2
    T = len(CAT_SENTENCE)
    assert np.all(v["norms"] <= v["norms"][-1] * (1 + 1e-12))      # sigma_max = 1: never above the last
    assert v["ratio"] < 1e-3
    reach = subject_reach([0, 5, 10, 20], sigma_max=0.9)
    assert reach["ratio"][0] == 1.0                                  # the subject is the last word
    assert np.all(reach["ratio"] <= 0.9 ** np.array([0, 5, 10, 20]) * (1 + 1e-12))
    assert T == 15


def test_sentence_functions_refuse_bad_input():
    with pytest.raises(ValueError, match="sentence_gradient: every token must be one of SENTENCE_WORDS, got 'dog'"):
        sentence_gradient(("the", "dog", "ate"))
    with pytest.raises(ValueError, match=r"sentence_gradient: subject must be an integer in \[1, 3\]"):
        sentence_gradient(("the", "cat", "ate"), subject=4)
    with pytest.raises(ValueError, match="sentence_gradient: tokens must be a sequence of at least 2 words"):
        sentence_gradient("the cat")
    with pytest.raises(ValueError, match="subject_reach: gaps must be a non-empty 1-D sequence of int >= 0"):
        subject_reach([-1])
    with pytest.raises(ValueError, match="subject_reach: subject_word must be one of"):
        subject_reach([1], subject_word="dog")
    with pytest.raises(KeyError, match="plot_sentence_gradient: view must be the dict of sentence_gradient"):
        plot_sentence_gradient({"tokens": ()})
    fig = plot_sentence_gradient(sentence_gradient(), subject_reach([0, 3]))
    assert len(fig.axes) == 2


# ----------------------------------------------------------------------------------------------
# clipping by value and by norm
# ----------------------------------------------------------------------------------------------

def test_clip_comparison_by_hand():
    """g = (3, 0.5), c = 1: by value (1, 0.5), cos = 3.25 / (sqrt(9.25) sqrt(1.25)); by norm g / sqrt(9.25)."""
    g = {"dW": np.array([3.0, 0.5])}
    out = clip_comparison(g, 1.0)
    assert out["norm"] == pytest.approx(np.sqrt(9.25)) and out["n_entries"] == 2
    assert out["value_norm"] == pytest.approx(np.sqrt(1.25))
    assert out["value_cosine"] == pytest.approx(3.25 / (np.sqrt(9.25) * np.sqrt(1.25)))
    assert out["norm_norm"] == pytest.approx(1.0) and out["norm_cosine"] == pytest.approx(1.0)
    assert out["norm_turn_deg"] == pytest.approx(0.0, abs=1e-6) and out["value_turn_deg"] > 1.0
    assert out["clipped_fraction"] == 0.5 and out["value_norm_limit"] == pytest.approx(np.sqrt(2))
    assert np.array_equal(g["dW"], [3.0, 0.5])                       # not changed


def test_clipping_by_value_does_not_bound_the_norm():
    """100 entries of 5 clipped to 1: norm sqrt(100) = 10 = c sqrt(N), ten times the threshold; the
    direction is kept here because every entry is cut by the same factor."""
    out = clip_comparison({"dA": np.full((10, 5), 5.0), "dB": np.full(50, -5.0)}, 1.0)
    assert out["value_norm"] == pytest.approx(10.0) and out["value_norm_limit"] == pytest.approx(10.0)
    assert out["value_cosine"] == pytest.approx(1.0) and out["norm_norm"] == pytest.approx(1.0)


def test_clip_2d_view_by_hand():
    v = clip_2d_view(angle=45.0, length=4.0, threshold=1.0)        # (2.83, 2.83) -> (1, 1): same direction
    assert np.allclose(v["by_value"], [1.0, 1.0]) and v["turn"] == pytest.approx(0.0, abs=1e-9)
    assert v["value_norm"] == pytest.approx(np.sqrt(2)) and v["norm_norm"] == pytest.approx(1.0)
    v = clip_2d_view(angle=20.0, length=4.0, threshold=1.0)        # (3.76, 1.37) -> (1, 1): turned to 45 degrees
    assert v["value_angle"] == pytest.approx(45.0) and v["turn"] == pytest.approx(25.0)
    assert v["norm_angle"] == pytest.approx(20.0) and np.allclose(v["by_norm"], v["g"] / 4.0)
    v = clip_2d_view(angle=30.0, length=0.5, threshold=1.0)        # shorter than c: both leave it alone
    assert np.allclose(v["by_value"], v["g"]) and np.allclose(v["by_norm"], v["g"])
    with pytest.raises(ValueError, match=r"clip_2d_view: angle must be a finite number in \[0, 90\]"):
        clip_2d_view(angle=100.0)
    with pytest.raises(ValueError, match="clip_2d_view: length and threshold must be > 0"):
        clip_2d_view(length=0.0)


def test_clip_2d_explorer_updates_its_artists():
    ex = clip_2d_explorer()
    r = ex.set(angle=20.0, length=4.0, threshold=1.0)
    value_line = next(ln for ln in ex.figure.axes[0].lines if ln.get_label() == "clipped by value")
    assert np.allclose(value_line.get_xydata()[1], r["by_value"])
    assert "+25.0°" in ex.status.value
    ex.set(length=10.0, threshold=5.0, angle=90.0)
    ex.figure.canvas.draw()


def test_clip_2d_picture_changes_its_axes_only_in_coarse_steps():
    """The axes show [-0.15 r, r]^2, r the first of CLIP_RANGES >= 1.12 max(||g||, c); angle moves, and
    length or threshold moves within one r, redraw only the arrows, the box and the circle."""
    ex = clip_2d_explorer(angle=20.0, length=4.0, threshold=1.0)
    ax = ex.figure.axes[0]
    assert ax.get_xlim() == ax.get_ylim() == pytest.approx((-0.9, 6.0))        # 1.12 * 4 = 4.48 -> 6
    ex.set(angle=30.0)
    for values in (dict(angle=45.0), dict(angle=90.0), dict(angle=0.0), dict(length=5.0), dict(threshold=3.0),
                   dict(length=4.5, threshold=0.2)):                            # 1.12 * 5 = 5.6 <= 6
        ex.set(**values)
        assert ax.get_xlim() == pytest.approx((-0.9, 6.0))
        assert ex.last_render == "layers", (values, ex._layers.reason)
    ex.set(length=10.0)                                                         # 11.2 -> 12
    assert ax.get_xlim() == ax.get_ylim() == pytest.approx((-1.8, 12.0)) and ex.last_render == "full"
    ex.set(length=0.1, threshold=0.1)                                           # 0.112 -> 0.2
    assert ax.get_xlim() == pytest.approx((-0.03, 0.2))
    assert not any(type(a).__name__ in ("Text", "Legend") for a in ex._layers.dynamic)


# ----------------------------------------------------------------------------------------------
# the latch
# ----------------------------------------------------------------------------------------------

def test_latch_curves_follow_the_chain_rule_and_the_fixed_points():
    c = latch_curves(ws=(0.5, 2.0), T=30, a0=0.5)
    for i, w in enumerate((0.5, 2.0)):
        a = c["a"][i]
        assert c["grad"][i, -1] == latch_experiment(w, 30, 0.5)["da_T_da0"]
        assert rel(c["grad"][i], np.cumprod(w * (1.0 - a ** 2))) < 1e-12     # da<t>/da<t-1> = w (1 - a<t>^2)
    w, fp, slope = c["w_grid"], c["grid_fixed_point"], c["grid_slope"]
    assert np.all(fp[w <= 1.0] == 0.0) and np.all(fp[w > 1.0] > 0.0)
    assert np.allclose(np.tanh(w * fp), fp, atol=1e-14)
    assert np.all(slope[w > 1.0] < 1.0)                              # every held value sits where the map is flat
    assert abs(c["a"][1, -1]) > 0.9 and abs(c["grad"][1, -1]) < 1e-15  # w = 2: holds, and the gradient is gone


def test_latch_bad_input_and_plot():
    with pytest.raises(ValueError, match="latch_curves: ws must hold 1 to 6 self-weights, got 7"):
        latch_curves(ws=np.ones(7))
    with pytest.raises(ValueError, match=r"latch_curves: T must be an integer in \[1, 400\]"):
        latch_curves(T=0)
    with pytest.raises(ValueError, match="latch_curves: ws must hold only finite"):
        latch_curves(ws=[np.inf])
    with pytest.raises(KeyError, match="plot_latch: curves must be the dict of latch_curves, missing 'ws'"):
        plot_latch({})
    fig = plot_latch(latch_curves(T=5))
    assert len(fig.axes) == 3 and len(fig.axes[0].lines) == 4


def test_gradient_flow_a_change_of_cell_shows_the_picture_before_it_disables_controls():
    """The browser redraws every control whose state changes; the picture must not wait for that."""
    ex = gradient_flow_explorer(T=20, n_a=4)
    events = []
    render = ex._layers.render
    ex._layers.render = lambda: (events.append("picture"), render())[1]
    ex.controls["sigma_max"].observe(lambda change: events.append(f"disabled={change['new']}"), names="disabled")
    ex.controls["cell"].value = "GRU"               # as the browser sets it
    ex.controls["cell"].value = "RNN"
    assert events == ["picture", "disabled=True", "picture", "disabled=False"]


def _achromatic_share(ex, x0, x1, y0, y1):
    """Share of the shown pixels of the reach map's axes, over data x0..x1, y0..y1 (a margin of 3 pixels
    kept from the edges), that are grey (R = G = B): white paper and black text are; every colour of the
    map (viridis, red for exploded) is not."""
    ax_m = ex.figure.axes[1]
    pixels = np.asarray(ex.figure.canvas.buffer_rgba())[:, :, :3].astype(int)
    height = pixels.shape[0]
    (px0, py0), (px1, py1) = ax_m.transData.transform([(x0, y0), (x1, y1)])
    rows = slice(int(height - py1) + 3, int(height - py0) - 3)      # the buffer's first row is the top
    cols = slice(int(px0) + 3, int(px1) - 3)
    region = pixels[rows, cols]
    assert region.size > 1000                                       # a real part of the picture
    grey = (region[:, :, 0] == region[:, :, 1]) & (region[:, :, 1] == region[:, :, 2])
    return float(grey.mean())


def test_unticking_the_reach_map_clears_it_on_the_fast_redraw():
    """After "reach map" is unticked, the fast redraw shows no trace of the map (its axes hold only the
    white paper and the note), and after T shrinks within the frame no old column or row is left beyond
    the new T. Matplotlib before 3.11 draws an animated image in every full render as well, so the kept
    background holds the old map: without a cover drawn under the map, the old map stays on screen."""
    ex = gradient_flow_explorer(cell="RNN", T=100, n_a=16)
    ex.set(seed=1)                                     # the map is a dynamic artist now; the frame is 0.5 .. 100.5
    assert ex.last_render == "layers", ex._layers.reason
    assert _achromatic_share(ex, 0.5, 100.5, 0.5, 100.5) < 0.9     # the map is on screen
    ex.set(T=60)                                       # same frame (x up to 100): the map shrinks to 60 x 60
    assert ex.last_render == "layers", ex._layers.reason
    assert _achromatic_share(ex, 60.5, 100.5, 0.5, 100.5) == 1.0   # nothing of the old map right of T
    assert _achromatic_share(ex, 0.5, 60.5, 60.5, 100.5) == 1.0    # nor above it
    ex.set(reach=False)
    assert ex.last_render == "layers", ex._layers.reason
    assert not ex.figure.axes[1].images[0].get_visible()
    assert _achromatic_share(ex, 0.5, 100.5, 0.5, 100.5) == 1.0
    shown = np.asarray(ex.figure.canvas.buffer_rgba()).copy()
    assert np.array_equal(shown, _pixels_of_a_full_render(ex))
