"""Gate explorers and plots of notebooks 08-09: the views follow the gate equations, the explorers redraw
in place, the helpers refuse bad input.

Expected values come from the cell equations with the gates fixed by hand:
    GRU:  c<t> = Gamma_u c_tilde<t> + (1 - Gamma_u) c<t-1>,     LSTM: c<t> = Gamma_u c_tilde<t> + Gamma_f c<t-1>
and from the design of the explorers' cells (module docstring of helpers.views.gate_explorers): the number
unit's candidate is tanh(+3) for "cat", tanh(-3) for "cats", 0 for the other words (GRU: plus
2 Gamma_r c<t-1> inside the tanh).
"""
import numpy as np
import pytest

from helpers.views.gate_explorers import (
    EXPLORER_SENTENCE,
    LSTM_PRESETS,
    backward_product,
    cell_gradient_check,
    gate_demo_parameters,
    gru_gate_explorer,
    gru_gate_view,
    lstm_gate_explorer,
    lstm_gate_view,
    phase_gate,
    plot_gate_heatmap,
    plot_update_mask,
    retention_steps,
    survival_steps,
    time_forward_backward,
    trained_gates,
    update_mask_demo,
)
from helpers.tasks.memory_task import make_memory_task
from helpers.training import init_model

T = len(EXPLORER_SENTENCE)
STORED = np.tanh(3.0)


def _sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


# -- small pieces --------------------------------------------------------------------------------
def test_phase_gate_by_hand():
    assert np.array_equal(phase_gate(4, 2, 1.0, 0.25), [0.25, 1.0, 0.25, 0.25])
    assert np.array_equal(phase_gate(3, 3, 0.5, 0.0), [0.0, 0.0, 0.5])


def test_backward_product_by_hand():
    assert np.allclose(backward_product([2.0, 3.0, 5.0]), [15.0, 5.0, 1.0])
    assert np.array_equal(backward_product([0.5]), [1.0])


def test_survival_steps_by_hand():
    trace = np.array([0.0, 1.0, 0.9, 0.6, 0.4, 0.9])
    # written at step 2 (value 1): 0.9 and 0.6 are within 0.5 of it, 0.4 is not -> 2 steps
    assert survival_steps(trace, 2) == 2
    assert survival_steps(np.array([0.0, -1.0, -1.0, -1.0]), 2) == 2   # kept to the end
    assert survival_steps(np.array([0.0, 0.0, 1.0]), 2) == 0            # nothing stored
    assert survival_steps(np.array([0.0, 1.0, 1.4]), 2, threshold=0.3) == 0


def test_retention_steps_by_hand():
    # 0.9^6 = 0.531 > 1/2 and 0.9^7 = 0.478 < 1/2: six steps, if there are that many
    factors = np.full(20, 0.9)
    assert retention_steps(factors, 3) == 6
    assert retention_steps(np.full(5, 0.9), 2) == 3          # only three steps after the write
    assert retention_steps(np.ones(8), 1) == 7               # a factor of 1 keeps everything
    assert retention_steps(np.full(8, 0.5), 1) == 0          # 0.5 is not more than 1/2


@pytest.mark.parametrize("call, match", [
    (lambda: phase_gate(4, 5, 1.0, 0.0), r"write must be a step in \[1, T\]"),
    (lambda: phase_gate(4, 2, 1.5, 0.0), r"at_write must be a number in \[0, 1\]"),
    (lambda: phase_gate(1, 1, 1.0, 0.0), "T must be an integer >= 2"),
    (lambda: backward_product(np.ones((2, 2))), r"factors must be 1-D"),
    (lambda: backward_product([]), "T = 0 steps"),
    (lambda: survival_steps([1.0, np.nan], 1), "finite"),
    (lambda: survival_steps([1.0, 1.0], 3), r"write must be a step in \[1, T\] = \[1, 2\]"),
    (lambda: retention_steps([0.9, 0.9], 1, threshold=2.0), "threshold must be a finite number"),
])
def test_small_pieces_refuse_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


# -- the GRU view ----------------------------------------------------------------------------------
def test_gru_update_gate_zero_keeps_the_memory_exactly():
    view = gru_gate_view(write=2, u_write=1.0, u_hold=0.0, r=0.7)
    c = view["c"]
    assert view["c_write"] == pytest.approx(STORED, abs=1e-15)   # c<1> = 0, so the candidate is tanh(3)
    for t in range(2, T):                                       # every unit, every step after the write
        assert np.array_equal(c[:, t], c[:, 1])
    assert np.all(c[:, 0] == 0.0)                               # Gamma_u = 0 before the write: c<0> = 0 kept
    assert view["survival"] == view["predicted"] == view["max_steps"] == T - 2


def test_gru_plural_noun_stores_the_opposite_sign():
    assert gru_gate_view(subject="cats")["c_write"] == pytest.approx(-STORED, abs=1e-15)


def test_gru_leak_follows_the_product_of_one_minus_gamma_u_when_gamma_r_is_zero():
    u = 0.1
    view = gru_gate_view(write=2, u_write=1.0, u_hold=u, r=0.0)
    steps = np.arange(T)
    # c<1> = u tanh(0) = 0; c<2> = tanh(3); then the candidate is tanh(0) = 0: c<t> = (1 - u)^(t-2) tanh(3)
    expected = np.where(steps >= 1, (1 - u) ** np.maximum(steps - 1, 0) * STORED, 0.0)
    assert np.allclose(view["c"][0], expected, rtol=1e-13, atol=0)
    # d c<T> / d c<t> = (1 - u)^(T - t) for t >= 2, and 0 before the write (Gamma_u = 1 there)
    t = steps + 1
    assert np.allclose(view["grad"][1:], (1 - u) ** (T - t[1:]), rtol=1e-13)
    assert np.all(view["grad"][0] == 0.0)
    assert view["product_matches"]
    assert view["survival"] == view["predicted"] == 6            # 0.9^6 > 1/2 > 0.9^7


@pytest.mark.parametrize("leak", [0.05, 0.1, 0.2, 0.3])
def test_gru_survival_is_the_last_step_at_which_the_product_stays_above_one_half(leak):
    """With Gamma_r = 0 the number unit's candidate is 0 after the noun, so c<w+k> = (1 - leak)^k c<w>:
    the bit survives k steps while (1 - leak)^k > 1/2, i.e. floor(log(1/2) / log(1 - leak)) steps
    (notebook 08 checked this for these leaks)."""
    view = gru_gate_view(write=2, u_write=1.0, u_hold=leak, r=0.0)
    expected = int(np.floor(np.log(0.5) / np.log(1 - leak) - 1e-12))
    assert view["survival"] == view["predicted"] == expected and view["product_matches"]


def test_gru_update_gate_one_everywhere_keeps_nothing_and_passes_no_gradient_back():
    """Gamma_u = 1: c<t> = c~<t>, and with Gamma_r = 0 the candidate does not read c<t-1> at all."""
    view = gru_gate_view(write=2, u_write=1.0, u_hold=1.0, r=0.0)
    assert np.all(view["grad"][:-1] == 0.0) and view["grad"][-1] == 1.0


def test_gru_relevance_gate_opens_a_second_path_and_refreshes_the_memory():
    view = gru_gate_view(write=2, u_write=1.0, u_hold=0.1, r=1.0)
    assert not view["product_matches"]
    # the candidate is tanh(2 c<t-1>), which for c near 0.99 is about 0.96: the memory stays near it
    assert view["survival"] == view["max_steps"] > view["predicted"] == 6
    assert np.all(view["grad"][1:-1] > view["grad_product"][1:-1])  # the extra path adds to the gradient


def test_gru_view_bad_input():
    with pytest.raises(ValueError, match=r"write must be a step in \[1, T - 1\]"):
        gru_gate_view(write=T)
    with pytest.raises(ValueError, match=r"u_hold must be a number in \[0, 1\]"):
        gru_gate_view(u_hold=-0.1)
    with pytest.raises(ValueError, match="subject must be one of"):
        gru_gate_view(subject="dog")


# -- the LSTM view ---------------------------------------------------------------------------------
def test_lstm_forget_one_update_zero_keeps_the_memory_exactly():
    view = lstm_gate_view(write=2, u_write=1.0, u_hold=0.0, f_write=0.0, f_hold=1.0)
    c = view["c"]
    for t in range(2, T):
        assert np.array_equal(c[:, t], c[:, 1])
    assert view["c_write"] == pytest.approx(STORED, abs=1e-15)
    assert view["survival"] == view["predicted"] == T - 2
    assert np.array_equal(view["grad"][1:], np.ones(T - 1))    # prod of Gamma_f = 1 after the write
    assert view["grad"][0] == 0.0                              # Gamma_f = 0 at the write cuts the path


def test_lstm_carry_preset_keeps_c0_to_c3_on_every_unit():
    settings = {k: v for k, v in LSTM_PRESETS["carry c<0> to c<3> (lecture)"].items()}
    view = lstm_gate_view(**settings)
    assert np.array_equal(view["c"][:, 2], np.full(3, settings["c0"]))      # c<3> = c<0>
    assert np.array_equal(view["c"], np.full_like(view["c"], settings["c0"]))


def test_lstm_carry_preset_keeps_any_start_value():
    settings = dict(LSTM_PRESETS["carry c<0> to c<3> (lecture)"], c0=-0.3)
    assert np.all(lstm_gate_view(**settings)["c"] == -0.3)


@pytest.mark.parametrize("keep", [0.95, 0.9, 0.8, 0.7])
def test_lstm_survival_follows_the_product_of_the_forget_gates(keep):
    """From "remember the noun" (Gamma_u = 0 after the write), c<w+k> = keep^k c<w>: the bit survives
    floor(log(1/2) / log(keep)) steps (notebook 09 checked this for these values)."""
    settings = dict(LSTM_PRESETS["remember the noun"], f_hold=keep)
    view = lstm_gate_view(**settings)
    expected = int(np.floor(np.log(0.5) / np.log(keep) - 1e-12))
    assert view["survival"] == view["predicted"] == expected and view["product_matches"]


def test_lstm_output_gate_shows_the_memory_only_when_open():
    view = lstm_gate_view(o_hold=0.0, o_read=1.0)
    assert np.all(view["a"][:, :-1] == 0.0)
    assert np.allclose(view["a"][:, -1], np.tanh(view["c"][:, -1]), rtol=1e-15)
    half = lstm_gate_view(o_hold=0.5, o_read=0.5)
    assert np.allclose(half["a"], 0.5 * np.tanh(half["c"]), rtol=1e-15)


def test_lstm_leak_follows_the_product_of_gamma_f():
    f = 0.8
    view = lstm_gate_view(write=2, u_write=1.0, u_hold=0.5, f_write=0.0, f_hold=f)
    t = np.arange(1, T + 1)
    # the number unit's candidate is 0 on the gap words: c<t> = f^(t-2) tanh(3) from the write on
    assert np.allclose(view["c"][0, 1:], f ** (t[1:] - 2) * STORED, rtol=1e-13)
    assert np.allclose(view["grad"][1:], f ** (T - t[1:]), rtol=1e-13)
    assert view["product_matches"]
    assert view["survival"] == view["predicted"] == 3           # 0.8^3 = 0.512 > 1/2 > 0.8^4


def test_lstm_peepholes_with_zero_weight_reproduce_the_set_gates():
    settings = dict(write=2, u_write=1.0, u_hold=0.3, f_write=0.0, f_hold=0.8, o_hold=0.4, o_read=1.0)
    plain = lstm_gate_view(**settings)
    peep = lstm_gate_view(**settings, peephole=True, p=0.0)
    for name in ("Gamma_f", "Gamma_u", "Gamma_o"):
        assert np.allclose(peep[name], plain[name], rtol=1e-12, atol=1e-16)  # sigmoid(+-40) for 0 and 1
    assert np.allclose(peep["c"], plain["c"], rtol=1e-12, atol=1e-15)


def test_lstm_peephole_gate_reads_the_previous_memory_elementwise():
    p, f_hold = 2.0, 0.8
    view = lstm_gate_view(write=2, f_write=0.0, f_hold=f_hold, peephole=True, p=p)
    logit = np.log(f_hold / (1 - f_hold))
    c_prev = view["c"][:, 1:-2]                                  # c<t-1> for t = 3 .. T-1 (no write, no read)
    assert np.allclose(view["Gamma_f"][:, 2:-1], _sigmoid(logit + p * c_prev), rtol=1e-12)
    assert not view["product_matches"]                           # the gates now depend on c<t-1>


def test_lstm_view_bad_input():
    with pytest.raises(ValueError, match=r"f_hold must be a number in \[0, 1\]"):
        lstm_gate_view(f_hold=1.2)
    with pytest.raises(ValueError, match=r"c0 must be a finite number in \[-1, 1\]"):
        lstm_gate_view(c0=2.0)
    with pytest.raises(ValueError, match="peephole must be True or False"):
        lstm_gate_view(peephole="yes")
    with pytest.raises(ValueError, match=r"p must be a finite number in \[-5, 5\]"):
        lstm_gate_view(peephole=True, p=9.0)


def test_demo_parameters_follow_the_design():
    gru = gate_demo_parameters("gru")
    lstm = gate_demo_parameters("lstm")
    n_a = gru["Wc"].shape[0]
    assert gru["Wc"][0, 0] == 2.0 and np.all(gru["Wc"][0, 1:n_a] == 0.0)
    assert sorted(np.unique(gru["Wc"][0, n_a:]).tolist()) == [-3.0, 0.0, 3.0]
    assert lstm["Wc"].shape[1] == gru["Wc"].shape[1] + 2                  # the two flag rows
    assert np.all(lstm["Wc"][:, :n_a] == 0.0)                             # the candidate reads x<t> only
    with pytest.raises(ValueError, match="kind must be one of"):
        gate_demo_parameters("rnn")


# -- the explorers -----------------------------------------------------------------------------------
def test_gru_explorer_recomputes_and_redraws_in_place():
    ex = gru_gate_explorer()
    fig = ex.figure
    result = ex.set(u_hold=0.1, r=0.0)
    assert result["survival"] == 6
    main_line = next(line for line in fig.axes[0].lines if line.get_label() == "unit 0 (number unit)")
    assert np.array_equal(main_line.get_xdata(), np.arange(T + 1))                 # steps 0 .. T
    assert np.array_equal(main_line.get_ydata(), np.concatenate([[0.0], result["c"][0]]))   # c<0> = 0 first
    assert "survives 6 of 14 steps" in ex.status.value
    ex.controls["subject"].value = "cats"
    assert ex.result["c_write"] < 0
    # the noun is a text in the place of the empty tick label of step 2 (switching it keeps the ticks)
    assert [t.get_text() for t in fig.axes[2].get_xticklabels()][:4] == ["start", "the", "", "which"]
    assert _noun_text(fig.axes[2]).get_text() == "cats"
    assert np.isfinite(ex.last_update_ms)


def test_lstm_explorer_preset_sets_the_controls():
    ex = lstm_gate_explorer()
    assert ex.controls["preset"].value == "remember the noun"      # the defaults are this preset
    assert lstm_gate_explorer(f_hold=0.5).controls["preset"].value is None
    ex.controls["preset"].value = "carry c<0> to c<3> (lecture)"
    assert ex.controls["c0"].value == 0.8 and ex.controls["f_hold"].value == 1.0
    assert np.array_equal(ex.result["c"][:, 2], np.full(3, 0.8))
    main_line = next(line for line in ex.figure.axes[0].lines if line.get_label() == "unit 0 (number unit)")
    assert main_line.get_ydata()[0] == 0.8                          # c<0> is drawn at step 0
    ex.set(peephole=True, f_hold=0.9)
    assert ex.result["peephole"] and "differs from" in ex.status.value
    texts = [t.get_text() for t in ex.figure.axes[2].texts]
    assert "peepholes on, p = +2.00" in texts
    ex.set(peephole=False, p=-1.0)                                   # p unused, but the picture says so
    assert "peepholes off (p = -1.00 unused)" in [t.get_text() for t in ex.figure.axes[2].texts]
    with pytest.raises(ValueError, match="unknown setting"):
        lstm_gate_explorer(f=1.0)


def _noun_text(ax):
    """The text that shows the noun under step 2 of the x axis."""
    (noun,) = [t for t in ax.texts if t.get_position()[0] == 2 and t.get_text() in ("cat", "cats")]
    return noun


def test_the_noun_sits_where_its_tick_label_would():
    ex = gru_gate_explorer(subject="cats")
    ax = ex.figure.axes[2]
    ex.figure.canvas.draw()
    box = _noun_text(ax).get_window_extent()
    labels = [t.get_text() for t in ax.get_xticklabels()]
    labels[2] = "cats"
    ax.set_xticks(ax.get_xticks(), labels, rotation=45, ha="right", fontsize=8)
    ex.figure.canvas.draw()
    assert np.allclose(ax.get_xticklabels()[2].get_window_extent().get_points(), box.get_points())


def _random_moves(explorer, n, seed, skip=("preset",)):
    """n seeded moves of one control each, anywhere in its range (as a learner drags one slider)."""
    rng = np.random.default_rng(seed)
    names = [k for k in explorer.controls if k not in skip]
    for _ in range(n):
        name = names[rng.integers(len(names))]
        control = explorer.controls[name]
        if hasattr(control, "options"):
            value = [o for o in control.options if o != control.value][0]
        elif isinstance(control.value, bool):
            value = not control.value
        elif isinstance(control.value, int):
            value = int(rng.integers(control.min, control.max + 1))
        else:
            value = float(np.round(rng.uniform(control.min, control.max) / control.step) * control.step)
        yield {name: value}


def _touch_every_control(explorer):
    """Move every control once and back: every artist a move can change has then changed once."""
    for name, control in explorer.controls.items():
        if name == "preset":
            continue
        before = control.value
        if hasattr(control, "options"):
            explorer.set(**{name: [o for o in control.options if o != before][0]})
        elif isinstance(before, bool):
            explorer.set(**{name: not before})
        else:
            explorer.set(**{name: control.max if before != control.max else control.min})
        explorer.set(**{name: before})


def _moving_artists_are_lines_and_few_texts(explorer, texts):
    kinds = sorted(type(a).__name__ for a in explorer._layers.dynamic)
    assert set(kinds) == {"Line2D", "Text"}, kinds          # no legend, no frame, no tick labels
    assert kinds.count("Text") == texts


def test_gru_explorer_redraws_every_move_from_the_kept_background():
    ex = gru_gate_explorer()
    ex.figure.canvas.draw()
    _touch_every_control(ex)
    limits = ex.figure.axes[0].get_ylim()
    for move in _random_moves(ex, 60, seed=3):
        ex.set(**move)
        assert ex.last_render == "layers", (move, ex._layers.reason)
    assert ex.figure.axes[0].get_ylim() == limits               # |c| <= 1 always fits the GRU's axis
    _moving_artists_are_lines_and_few_texts(ex, texts=2)      # the survival line and the noun


def test_memory_axis_grows_in_doublings():
    from helpers.views.gate_explorers import _memory_limit
    assert _memory_limit(2.0, np.array([0.5, -1.8])) == 2.0     # 1.1 * 1.8 = 1.98 fits
    assert _memory_limit(2.0, np.array([0.5, -1.9])) == 4.0     # 1.1 * 1.9 = 2.09 does not
    assert _memory_limit(2.0, np.array([3.7])) == 8.0
    assert _memory_limit(1.2, np.zeros(3)) == 1.2


def test_lstm_explorer_redraws_from_the_kept_background_unless_the_memory_axis_doubles():
    ex = lstm_gate_explorer()
    ex.figure.canvas.draw()
    _touch_every_control(ex)
    ax = ex.figure.axes[0]
    kinds = []
    for move in _random_moves(ex, 80, seed=4):
        before = ax.get_ylim()
        ex.set(**move)
        kinds.append(ex.last_render)
        top = ax.get_ylim()[1] / 1.35
        assert top in (2.2, 4.4)                                 # the memory never needs more than 4.4
        assert 1.1 * np.abs(ex.result["c"]).max() <= top
        if ax.get_ylim() == before:
            assert ex.last_render == "layers", (move, ex._layers.reason)
        else:
            assert ex.last_render == "full" and "limits changed" in ex._layers.reason
    assert kinds.count("layers") >= 0.8 * len(kinds)
    _moving_artists_are_lines_and_few_texts(ex, texts=3)      # survival, peepholes, noun


def test_lstm_number_unit_always_fits_the_smallest_memory_axis():
    # c<t> = Gamma_u c_tilde + Gamma_f c<t-1> with gates in [0, 1] and the number unit's candidate 0 except
    # tanh(+-3) at the noun: |c<t>| <= |c<0>| + tanh(3) = 1.995, so only the grey units double the axis
    bound = 1.0 + np.tanh(3.0)
    widest = lstm_gate_view(c0=1.0, u_write=1.0, u_hold=1.0, f_write=1.0, f_hold=1.0)
    assert np.abs(widest["c"][0]).max() == pytest.approx(bound, abs=1e-12)   # the bound is reached
    rng = np.random.default_rng(5)
    for _ in range(200):
        gates = dict(zip(("u_write", "u_hold", "f_write", "f_hold", "o_hold", "o_read"), rng.uniform(0, 1, 6)))
        view = lstm_gate_view(subject=("cat", "cats")[rng.integers(2)], c0=rng.uniform(-1, 1),
                              write=int(rng.integers(1, T)), peephole=bool(rng.integers(2)),
                              p=rng.uniform(-5, 5), **gates)
        assert np.abs(view["c"][0]).max() <= bound + 1e-12
    assert 1.1 * bound <= 2.2


def test_lstm_preset_can_be_chosen_again_after_the_sliders_moved():
    ex = lstm_gate_explorer()
    menu = ex.controls["preset"]
    assert menu.value == "remember the noun"
    ex.set(f_hold=0.6)                                   # away from the preset: the menu says so
    assert menu.value is None and ex.result["survival"] == 1          # 0.6 > 1/2 > 0.6**2
    updates = []
    refresh = ex.refresh
    ex.refresh = lambda: updates.append(1) or refresh()
    menu.value = "remember the noun"                     # the learner picks it again
    assert len(updates) == 1                             # one update for the whole preset
    assert ex.controls["f_hold"].value == 1.0 and ex.result["survival"] == ex.result["max_steps"]
    assert menu.value == "remember the noun"
    ex.controls["u_hold"].value = 0.3
    assert menu.value is None
    ex.controls["u_hold"].value = 0.0                    # back on the preset by hand: the menu shows it
    assert menu.value == "remember the noun"
    # a slider value as a browser may send it still matches the preset's 0.9
    ex.set(preset="leaky memory (Γf = 0.9)")
    ex.set(f_hold=0.9000000000000001)
    assert menu.value == "leaky memory (Γf = 0.9)"
    assert list(ex.controls)[0] == "preset"              # shown first, next to the sliders it sets


def test_gate_explorers_give_no_warning_at_any_control_position():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for ex in (gru_gate_explorer(), lstm_gate_explorer()):
            for name, control in ex.controls.items():
                if name == "preset":
                    for option in control.options:
                        ex.set(preset=option)
                    continue
                if hasattr(control, "options"):
                    values = list(control.options)
                elif isinstance(control.value, bool):
                    values = [True, False]
                else:
                    values = list(np.linspace(control.min, control.max, 5))
                for value in values:
                    ex.set(**{name: value})
                    assert np.all(np.isfinite(ex.result["c"])) and np.all(np.isfinite(ex.result["grad"]))
            if "peephole" in ex.controls:        # the extremes together: saturated gates, largest peepholes
                for p in (-5.0, 5.0):
                    ex.set(peephole=True, p=p, c0=1.0, u_write=1.0, u_hold=1.0, f_write=1.0, f_hold=1.0,
                           o_hold=1.0, o_read=1.0)
                    assert np.all(np.isfinite(ex.result["grad"]))
            ex.figure.canvas.draw()


# -- the mask, the trained gates, the heatmaps ------------------------------------------------------
def test_update_mask_decides_exactly_which_units_change():
    demo = update_mask_demo(n_a=50, T=8, fraction=0.2, seed=1)
    assert demo["mask"].shape == demo["c"].shape == (50, 8)
    assert np.all(demo["mask"][:, 0] == 1.0)
    # Gamma_u = 0 copies c<t-1> bit for bit; Gamma_u = 1 takes the candidate, which differs from it
    assert np.array_equal(demo["changed"], demo["mask"] == 1.0)
    fig = plot_update_mask(demo)
    assert np.array_equal(fig.axes[0].images[0].get_array(), demo["mask"])
    with pytest.raises(ValueError, match=r"fraction must be a number in \[0, 1\]"):
        update_mask_demo(fraction=2.0)
    with pytest.raises(KeyError, match="missing 'mask'"):
        plot_update_mask({"c": 1})


def _constant_gate_model(cell, n_x, n_a, biases):
    model = init_model(cell, n_x, n_a, 2, seed=0)
    for key, value in biases.items():
        model["W" + key[1:]] = np.zeros_like(model["W" + key[1:]])
        model[key] = np.full_like(model[key], value)
    return model


def test_trained_gates_read_the_gates_of_the_model():
    task = make_memory_task(3, 4, seed=0)
    gru = _constant_gate_model("gru", task.n_x, 5, {"bu": -1.0, "br": 2.0})
    view = trained_gates(gru, task, 1, "gru")
    T_i = task.lengths[1]
    assert view["tokens"] == list(task.tokens[1]) and view["label"] in ("was", "were")
    assert view["Gamma_u"].shape == view["Gamma_r"].shape == view["state"].shape == (5, T_i)
    assert np.allclose(view["Gamma_u"], _sigmoid(-1.0), rtol=1e-15)    # zero weights: sigmoid(bias)
    assert np.allclose(view["Gamma_r"], _sigmoid(2.0), rtol=1e-15)
    lstm = _constant_gate_model("lstm", task.n_x, 4, {"bf": 3.0, "bu": -2.0, "bo": 0.0})
    view = trained_gates(lstm, task, 0, "lstm")
    assert np.allclose(view["Gamma_f"], _sigmoid(3.0), rtol=1e-15)
    assert np.allclose(view["Gamma_o"], 0.5, rtol=1e-15)
    assert np.allclose(view["a"], 0.5 * np.tanh(view["state"]), rtol=1e-14)


def test_trained_gates_bad_input():
    task = make_memory_task(3, 4, seed=0)
    gru = init_model("gru", task.n_x, 3, 2, seed=0)
    with pytest.raises(ValueError, match=r"i must be an example index in \[0, m\)"):
        trained_gates(gru, task, 3, "gru")
    with pytest.raises(KeyError, match="missing the lstm parameter"):
        trained_gates(gru, task, 0, "lstm")
    with pytest.raises(ValueError, match="cell must be one of"):
        trained_gates(gru, task, 0, "rnn")
    with pytest.raises(ValueError, match="task must be a MemoryTask"):
        trained_gates(gru, task.x, 0, "gru")


def test_gate_heatmap_shows_the_gates_in_the_chosen_order():
    task = make_memory_task(2, 3, seed=0)
    model = init_model("lstm", task.n_x, 4, 2, seed=3)
    view = trained_gates(model, task, 0, "lstm")
    order = np.array([2, 0, 3, 1])
    fig = plot_gate_heatmap(view, gates=("Gamma_f", "Gamma_u"), order=order)
    images = [ax.images[0] for ax in fig.axes if ax.images]
    assert len(images) == 3                                  # two gates and the memory
    assert np.array_equal(images[0].get_array(), view["Gamma_f"][order])
    assert np.array_equal(images[2].get_array(), view["state"][order])
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == list(task.tokens[0])                    # a short sentence: every word
    with pytest.raises(KeyError, match="no gate 'Gamma_r'"):
        plot_gate_heatmap(view, gates=("Gamma_r",))
    with pytest.raises(ValueError, match="order must be a permutation"):
        plot_gate_heatmap(view, order=[0, 0, 1, 2])


def test_gate_heatmap_of_a_long_sentence_labels_its_ends_and_every_tenth_step():
    task = make_memory_task(1, 30, seed=0)                   # 33 steps
    view = trained_gates(init_model("gru", task.n_x, 3, 2, seed=0), task, 0, "gru")
    fig = plot_gate_heatmap(view)
    labels = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert labels == ["the", task.tokens[0][1], "t=10", "t=20", "t=30", "<verb>"]
    with pytest.raises(ValueError, match="max_labels must be an integer >= 3"):
        plot_gate_heatmap(view, max_labels=2)


# -- gradient check, counts, timing -----------------------------------------------------------------
@pytest.mark.parametrize("cell, options", [("gru", {}), ("gru", {"simplified": True}),
                                           ("lstm", {}), ("lstm", {"peephole": True})])
def test_cell_gradient_check_passes_for_every_variant(cell, options):
    errors = cell_gradient_check(cell, **options)
    assert max(errors.values()) < 1e-7, errors
    assert "x" in errors and ("c0" in errors)
    assert ("Wr" in errors) == (cell == "gru" and not options)
    assert ("pf" in errors) == bool(options.get("peephole"))


def test_cell_gradient_check_refuses_mixed_options():
    with pytest.raises(ValueError, match="peephole applies to the LSTM only"):
        cell_gradient_check("gru", peephole=True)
    with pytest.raises(ValueError, match="simplified applies to the GRU only"):
        cell_gradient_check("lstm", simplified=True)


def test_timing_is_a_positive_number_per_cell_and_checks_its_input():
    times = time_forward_backward(("gru", "lstm"), n_x=3, n_a=4, m=2, T=5, repeats=2)
    assert set(times) == {"gru", "lstm"} and all(v > 0.0 for v in times.values())
    with pytest.raises(ValueError, match="repeats must be an integer >= 1"):
        time_forward_backward(repeats=0)
    with pytest.raises(ValueError, match="cells must be a non-empty tuple"):
        time_forward_backward("gru")
    with pytest.raises(ValueError, match="kind must be one of"):
        time_forward_backward(("gru", "transformer"), T=2)
