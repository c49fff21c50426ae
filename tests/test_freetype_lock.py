"""Text drawn from several threads at once: with the lock, every picture is the one drawn alone.

Without the lock this scenario (explorers of notebook 04 drawing their kept pictures in the background
while the main thread draws a figure with mathtext labels) fails within a few draws: FreeType reports
"invalid outline" or "raster overflow", and the heap can be corrupted to the point of aborting.
"""
import matplotlib.pyplot as plt
import numpy as np

from helpers import _freetype_lock
from helpers.diagrams import CachedDrawing, Diagram, rnn_type_layout, rnn_types_explorer


def test_text_drawn_from_several_threads_at_once_is_drawn_as_if_alone(monkeypatch):
    assert all(hasattr(getattr(_freetype_lock.RendererAgg, m), "__wrapped_by_freetype_lock__")
               for m in _freetype_lock._METHODS)
    errors = []
    plain = CachedDrawing._draw_ahead

    def draw_ahead(self):               # what the background threads raise, kept for the assertion
        try:
            plain(self)
        except Exception as exc:        # noqa: BLE001
            errors.append(exc)
    monkeypatch.setattr(CachedDrawing, "_draw_ahead", draw_ahead)

    fig, ax = plt.subplots(figsize=(5, 2.5))
    Diagram(ax, rnn_type_layout("many-to-many", 4))            # boxes with mathtext labels
    fig.canvas.draw()
    alone = np.asarray(fig.canvas.buffer_rgba()).copy()
    explorers = [rnn_types_explorer() for _ in range(3)]
    for ex in explorers:                # each draws its 19 other pictures on a thread of its own, now
        ex.drawing.idle = 0.0
        ex.drawing._start_drawing_ahead()
    wrong = 0
    for _ in range(30):
        fig.canvas.draw()
        wrong += not np.array_equal(np.asarray(fig.canvas.buffer_rgba()), alone)
    for ex in explorers:
        ex.drawing._ahead.join(timeout=60)
    plt.close(fig)
    assert not errors and not wrong, (errors[:1], wrong)
    every = {(k, t) for k, t in explorers[0].drawing.later}
    for ex in explorers:                # every picture kept, and each the same as drawn in place
        assert set(ex.drawing._pixels) == every
    ex = explorers[0]
    for state in [("one-to-many", 3), ("encoder-decoder", 7)]:
        ex.set(kind=state[0], step=state[1])
        shown = np.asarray(ex.figure.canvas.buffer_rgba()).copy()
        ex.drawing.cache_enabled = False
        try:
            ex.figure.canvas.draw()
            assert np.array_equal(shown, np.asarray(ex.figure.canvas.buffer_rgba())), state
        finally:
            ex.drawing.cache_enabled = True
    for ex in explorers:
        plt.close(ex.figure)


def test_install_is_idempotent_and_uninstall_restores_the_methods():
    plain = {m: getattr(_freetype_lock.RendererAgg, m).__wrapped_by_freetype_lock__ for m in _freetype_lock._METHODS}
    _freetype_lock.install()
    assert all(getattr(_freetype_lock.RendererAgg, m).__wrapped_by_freetype_lock__ is plain[m] for m in plain)
    _freetype_lock.uninstall()
    try:
        assert all(getattr(_freetype_lock.RendererAgg, m) is plain[m] for m in plain)
    finally:
        _freetype_lock.install()
