"""Texts drawn again from kept glyph masks give the same pixels as drawing them afresh."""
import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers._render.text_masks import remember_text_masks


def _figure():
    fig = Figure(figsize=(4, 2.5), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], lw=6)                       # text drawn over a line: blending matters
    texts = [ax.text(0.1, 0.8, "", fontsize=11),
             ax.text(0.5, 0.5, "", fontsize=9, rotation=30, family="monospace"),
             ax.text(0.2, 0.2, "", fontsize=8, alpha=0.5),
             ax.text(0.6, 0.1, "", fontsize=10, weight="bold"),
             ax.text(0.1, 0.6, "", fontsize=9),            # pairs of one font that swap strings: the
             ax.text(0.533, 0.6, "", fontsize=9),          # place (to the fraction of a pixel) and
             ax.text(0.3, 0.3, "", fontsize=9, rotation_mode="anchor"),   # the angle are part of what
             ax.text(0.3, 0.3, "", fontsize=9, rotation=90, rotation_mode="anchor")]     # is kept
    ax.set_title("a title")
    return fig, texts


def _set(texts, k):
    words = ["mara", "jon", "two\nlines", "x<t>"]
    for pair in (texts[4:6], texts[6:8]):
        pair[0].set_text(["left", "right"][k % 2])
        pair[1].set_text(["right", "left"][k % 2])
    for i, t in enumerate(texts[:4]):
        t.set_text(f"{words[(i + k) % 4]} {k % 3}")
        t.set_color(["C0", "C3", "0.4"][(i + k) % 3])   # colour is not part of what is kept


def _pixels(fig, remember):
    canvas = fig.canvas
    if remember:
        remember_text_masks(canvas.get_renderer())
    canvas.draw()
    return np.asarray(canvas.buffer_rgba()).copy()


def test_repeated_texts_come_from_the_store_and_match_a_fresh_render():
    fig, texts = _figure()
    fresh, fresh_texts = _figure()
    store = remember_text_masks(fig.canvas.get_renderer())
    for k in [0, 1, 2, 0, 1, 2, 5, 0]:                  # states seen before come back
        _set(texts, k)
        _set(fresh_texts, k)
        shown = _pixels(fig, remember=True)
        expected = _pixels(fresh, remember=False)       # a renderer that keeps nothing
        assert np.array_equal(shown, expected), k
    assert store.hits > 20 and store.misses > 0         # the store was used, not just filled
    assert fresh.canvas.get_renderer().__dict__.get("_text_masks") is None


def test_changing_a_font_setting_draws_the_text_anew():
    """After a change of hinting the kept masks do not fit: the texts are drawn anew, and the picture
    is what the same figure shows without the store (its twin, drawn through the same steps)."""
    fig, texts = _figure()
    twin, twin_texts = _figure()
    store = remember_text_masks(fig.canvas.get_renderer())
    _set(texts, 0)
    _set(twin_texts, 0)
    _pixels(fig, remember=True)
    _pixels(twin, remember=False)
    before = store.misses
    with matplotlib.rc_context({"text.hinting": "no_hinting"}):
        shown = _pixels(fig, remember=True)
        expected = _pixels(twin, remember=False)
    assert store.misses > before                        # nothing kept under the old setting was used
    assert np.array_equal(shown, expected)


def test_the_store_forgets_the_least_recently_drawn_texts_beyond_its_size():
    fig, texts = _figure()
    store = remember_text_masks(fig.canvas.get_renderer(), size=3)
    assert remember_text_masks(fig.canvas.get_renderer()) is store     # installed once
    for k in range(6):
        _set(texts, k)
        _pixels(fig, remember=True)
        assert len(store.kept) <= 3
