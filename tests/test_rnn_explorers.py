"""Views and explorers of notebooks 02 and 03: shapes, excerpts, reports, the time-step and BPTT explorers."""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.tasks.ner import binary_tagger_loss, build_vocabulary, encode_tagging
from helpers.rnn import rnn_backward
from helpers.views.rnn_explorers import (
    backward_stepper,
    backward_view,
    bptt_by_steps,
    format_shapes,
    gradient_check_report,
    rnn_shapes,
    source_excerpt,
    time_step_explorer,
    time_step_view,
)

VOCAB = build_vocabulary()
ROOSEVELT = "he said teddy roosevelt was a great president"
BEARS = "he said teddy bears are on sale"


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def tagger(n_a=4, seed=0, scale=0.6):
    rng = np.random.default_rng(seed)
    n_x = len(VOCAB)
    return {"Wax": scale * rng.standard_normal((n_a, n_x)), "Waa": scale * rng.standard_normal((n_a, n_a)),
            "ba": 0.1 * rng.standard_normal((n_a, 1)), "Wya": scale * rng.standard_normal((1, n_a)),
            "by": np.array([[0.2]])}


def encode(text, tags=None):
    words = text.split()
    x, y, _ = encode_tagging([words], None if tags is None else [tags], VOCAB)
    return x, y


# -- shapes, excerpts, reports ---------------------------------------------------------------------------

def test_shapes_of_the_lecture_example():
    rows = {name: (shape, size) for name, _, shape, size in rnn_shapes(10_000, 100, 1, m=1, T_x=9)}
    # the lecture: x<t> is a 10,000-long one-hot column, a<t> has 100 units
    assert rows["x<t>"][0] == (10_000, 1) and rows["a<t>"][0] == (100, 1)
    assert rows["Wax"][0] == (100, 10_000) and rows["Waa"][0] == (100, 100)
    assert rows["Wa"] == ((100, 10_100), 100 * 10_100)       # [Waa | Wax] side by side
    assert rows["Wya"][0] == (1, 100) and rows["by"][0] == (1, 1)
    assert rows["x"][0] == (10_000, 1, 9) and rows["y_hat"][0] == (1, 1, 9)
    text = format_shapes(rnn_shapes(50, 7, 3, m=2, T_x=4))
    assert "Wa        (7, 57)" in text and "x         (50, 2, 4)" in text


def test_source_excerpt_cuts_between_the_markers():
    text = source_excerpt(rnn_backward, "for t in reversed", "da_rec = Waa")
    lines = text.splitlines()
    assert lines[0].startswith("for t in reversed") and "da_rec = Waa" in lines[-1]
    assert not lines[1].startswith(" " * 8)                 # the common indentation is removed
    with pytest.raises(ValueError, match="start 'no such line' is not in the source of rnn_backward"):
        source_excerpt(rnn_backward, "no such line", "x")
    with pytest.raises(ValueError, match="func must be a function"):
        source_excerpt("rnn_backward", "a", "b")


def test_gradient_check_report_prints_verdicts_not_numbers():
    report = gradient_check_report({"dWaa": 3.2e-10, "dba": 0.02})
    assert report.splitlines() == ["dWaa   relative error < 1e-07   pass", "dba    relative error >= 1e-07   FAIL"]
    with pytest.raises(ValueError, match="errors must be a non-empty dict"):
        gradient_check_report({})


# -- the time-step view ----------------------------------------------------------------------------------

def test_time_step_view_agrees_with_the_cell_and_hides_the_future():
    p = tagger()
    x, _ = encode(ROOSEVELT)
    v = time_step_view(p, x, 3, columns=10)
    assert np.allclose(v["a_t"], v["a_t_sequence"], rtol=0, atol=1e-14)
    assert v["a_image"].shape == (4, 10)
    assert not np.isnan(v["a_image"][:, :3]).any() and np.isnan(v["a_image"][:, 3:]).all()
    assert np.isnan(v["p"][3:]).all() and np.isclose(v["p"][2], v["p_t"])
    # a<3> = tanh(Waa a<2> + Wax x<3> + ba) with x<3> the one-hot of "teddy"
    j = VOCAB.index("teddy")
    assert np.allclose(v["a_t"], np.tanh(p["Waa"] @ v["a_prev"] + p["Wax"][:, j] + p["ba"][:, 0]))
    assert np.array_equal(time_step_view(p, x, 1)["a_prev"], np.zeros(4))   # a<0> = 0


def test_a_forward_rnn_cannot_tell_teddy_roosevelt_from_teddy_bears_at_teddy():
    p = tagger(seed=3)
    v1 = time_step_view(p, encode(ROOSEVELT)[0], 3)
    v2 = time_step_view(p, encode(BEARS)[0], 3)
    assert np.array_equal(v1["a_t"], v2["a_t"]) and v1["p_t"] == v2["p_t"]   # same three words read
    w1 = time_step_view(p, encode(ROOSEVELT)[0], 4)
    w2 = time_step_view(p, encode(BEARS)[0], 4)
    assert not np.allclose(w1["a_t"], w2["a_t"])                               # the fourth word differs


def test_time_step_view_checks_its_arguments():
    p = tagger()
    x, _ = encode(BEARS)
    with pytest.raises(ValueError, match=r"t must be an integer in \[1, T_x\] = \[1, 7\], got 8"):
        time_step_view(p, x, 8)
    with pytest.raises(ValueError, match=r"x must have shape \(n_x, 1, T_x\)"):
        time_step_view(p, np.zeros((len(VOCAB), 2, 3)), 1)
    with pytest.raises(ValueError, match="columns must be an integer >= 7"):
        time_step_view(p, x, 1, columns=5)


def test_time_step_explorer_follows_its_controls():
    ex = time_step_explorer(tagger(), VOCAB, [ROOSEVELT, BEARS], t=2)
    r = ex.set(sentence=BEARS, t=3)
    assert r["word"] == "teddy" and r["t"] == 3
    assert ex.controls["t"].max == 7                  # the bears sentence has 7 words
    r = ex.set(t=8)                                   # past its end: the slider stops at the last word
    assert r["t"] == 7 and r["word"] == "sale"
    ex.controls["sentence"].value = ROOSEVELT         # 8 words: the slider reaches 8 again
    assert ex.controls["t"].max == 8 and ex.result["t"] == 7 and ex.result["word"] == "great"
    assert np.isfinite(ex.last_update_ms)
    with pytest.raises(ValueError, match="sentence must be one of sentences"):
        time_step_explorer(tagger(), VOCAB, [BEARS], sentence=ROOSEVELT)


# -- BPTT, step by step ----------------------------------------------------------------------------------

def test_the_shares_of_the_steps_add_up_to_the_bptt_gradient():
    p = tagger(seed=5)
    x, y = encode(ROOSEVELT, [0, 0, 1, 1, 0, 0, 0, 0])
    steps = bptt_by_steps(p, x, y)
    _, g = binary_tagger_loss(p, x, y)
    assert np.allclose(steps["dWaa_steps"].sum(axis=0), g["dWaa"], rtol=0, atol=1e-13)
    assert np.allclose(steps["dWaa_from"][0], g["dWaa"], rtol=0, atol=1e-13)
    assert np.allclose(steps["dWaa_from"][-1], steps["dWaa_steps"][-1])       # only the last step
    # nothing comes back from after the last step
    assert np.allclose(steps["da_future"][:, -1], 0.0)
    assert np.isclose(steps["loss_per_step"].sum(), steps["loss"])


def test_backward_view_fills_in_from_the_end():
    p = tagger(seed=6)
    x, y = encode(BEARS, [0] * 7)
    steps = bptt_by_steps(p, x, y)
    v = backward_view(steps, 5)
    assert np.isnan(v["da_image"][:, :4]).all() and not np.isnan(v["da_image"][:, 4:]).any()
    assert not v["complete"]
    assert np.isclose(v["norm_total"], np.linalg.norm(steps["da"][:, 4]))
    done = backward_view(steps, 1)
    assert done["complete"] and np.array_equal(done["dWaa_partial"], steps["dWaa_from"][0])
    with pytest.raises(ValueError, match=r"s must be an integer in \[1, T_x\] = \[1, 7\], got 0"):
        backward_view(steps, 0)
    with pytest.raises(ValueError, match="steps must be the dict returned by bptt_by_steps"):
        backward_view({}, 1)


def test_backward_stepper_starts_at_the_last_step():
    ex = backward_stepper(tagger(), VOCAB, ROOSEVELT, [0, 0, 1, 1, 0, 0, 0, 0])
    assert ex.result["s"] == 8 and np.isnan(ex.result["da_image"][:, :7]).all()
    r = ex.set(s=1)
    assert r["complete"]
    with pytest.raises(ValueError, match=r"tags\[0\] must have one tag per word \(8\), got 2"):
        backward_stepper(tagger(), VOCAB, ROOSEVELT, [0, 1])


def test_plot_loss_curves_draws_one_line_per_run():
    from helpers.views.rnn_explorers import plot_loss_curves
    fig = plot_loss_curves({"a": [3.0, 2.0, 1.0], "b": np.array([2.0, 0.5])})
    lines = fig.axes[0].get_lines()
    assert [line.get_xdata().tolist() for line in lines] == [[1, 2, 3], [1, 2]]   # epochs count from 1
    with pytest.raises(ValueError, match="must be a non-empty 1-D array of positive finite losses"):
        plot_loss_curves({"a": [1.0, 0.0]})
    with pytest.raises(ValueError, match="curves must be a non-empty dict"):
        plot_loss_curves({})


def test_time_step_explorer_image_starts_with_the_zero_initial_state():
    ex = time_step_explorer(tagger(), VOCAB, [ROOSEVELT], t=2)
    image = ex.result["image"]
    assert image.shape == (4, 1 + 8)
    assert np.array_equal(image[:, 0], np.zeros(4))                       # a<0> = 0
    assert np.array_equal(image[:, 1:], ex.result["a_image"], equal_nan=True)    # then a<1>, a<2>, NaN...


def test_format_shapes_checks_its_rows():
    with pytest.raises(ValueError, match="rows must be a non-empty list of"):
        format_shapes([("x", (1, 2))])


# -- fast redraws: the diagrams are pasted from their cached pictures -------------------------------------

def _pixels(fig):
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _pixels_of_a_full_render(ex):
    """The whole figure drawn again with the diagram drawn artist by artist (its cache off)."""
    ex.drawing.cache_enabled = False
    try:
        ex.figure.canvas.draw()
        return _pixels(ex.figure)
    finally:
        ex.drawing.cache_enabled = True


def test_time_step_explorer_moves_redraw_few_artists_and_the_same_picture():
    ex = time_step_explorer(tagger(), VOCAB, [ROOSEVELT, BEARS], t=1)
    ex.set(t=2)
    ex.set(sentence=BEARS)                  # every control moved once: the changing artists are known
    kinds = []
    for values in ({"t": 5}, {"sentence": ROOSEVELT}, {"t": 8}, {"t": 1}, {"sentence": BEARS, "t": 7}):
        ex.set(**values)
        kinds.append(ex.last_render)
        assert np.array_equal(_pixels(ex.figure), _pixels_of_a_full_render(ex)), values
    assert kinds == ["layers"] * 5
    dynamic = ex._layers.dynamic
    assert ex.drawing in dynamic and not any(type(a).__name__ == "Text" for a in dynamic)
    assert len(dynamic) <= 8                # the diagram, the state image, its outline and frame


def test_backward_stepper_pastes_the_diagram_pixel_for_pixel():
    ex = backward_stepper(tagger(), VOCAB, ROOSEVELT, [0, 0, 1, 1, 0, 0, 0, 0])
    assert sorted(ex.drawing._pixels) == list(range(1, 9))     # every step's diagram drawn at the first render
    ex.set(s=7)
    kinds = []
    for s in (3, 1, 8, 5, 2):
        ex.set(s=s)
        kinds.append(ex.last_render)
        assert np.array_equal(_pixels(ex.figure), _pixels_of_a_full_render(ex)), f"s = {s}"
    assert kinds == ["layers"] * 5
