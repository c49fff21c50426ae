"""Text drawn from two threads at once: with the lock, every picture is the one drawn alone."""
import threading

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import helpers.explorer  # noqa: F401  (installs the lock, as every plotting module of the course does)
from helpers import _freetype_lock


def _figure(words):
    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    for i, word in enumerate(words):
        ax.text(0.05 + 0.3 * (i % 3), 0.05 + 0.09 * (i // 3), word, fontsize=7 + i % 5)
    ax.set_title(r"$\partial L / \partial a^{\langle t \rangle}$")
    return fig


def _pixels(fig):
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _draw_in_two_threads(rounds=15):
    """Two threads redraw their own figures `rounds` times; the errors they met and the pictures that
    differ from the one drawn alone."""
    figures = [_figure([f"word{i}{k}" for i in range(30)]) for k in "ab"]
    alone = [_pixels(f) for f in figures]
    errors, wrong = [], []
    start = threading.Barrier(2)

    def work(k):
        start.wait()
        for _ in range(rounds):
            try:
                if not np.array_equal(_pixels(figures[k]), alone[k]):
                    wrong.append(k)
            except Exception as exc:   # noqa: BLE001  (what FreeType raises is what the test looks for)
                errors.append(exc)
    threads = [threading.Thread(target=work, args=(k,)) for k in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors, wrong


def test_text_drawn_from_two_threads_at_once_is_drawn_as_if_alone():
    assert all(hasattr(getattr(_freetype_lock.RendererAgg, m), "__wrapped_by_freetype_lock__")
               for m in _freetype_lock._METHODS)
    errors, wrong = _draw_in_two_threads()
    assert not errors and not wrong, (errors[:1], len(wrong))


def test_install_is_idempotent_and_uninstall_restores_the_methods():
    plain = {m: getattr(_freetype_lock.RendererAgg, m).__wrapped_by_freetype_lock__ for m in _freetype_lock._METHODS}
    _freetype_lock.install()
    assert all(getattr(_freetype_lock.RendererAgg, m).__wrapped_by_freetype_lock__ is plain[m] for m in plain)
    _freetype_lock.uninstall()
    try:
        assert all(getattr(_freetype_lock.RendererAgg, m) is plain[m] for m in plain)
    finally:
        _freetype_lock.install()
