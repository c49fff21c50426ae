"""Text drawn from several threads at once: with the lock, every picture is the one drawn alone.

A kernel may draw from two threads (a cell on the main thread, a widget message on a thread of its
own). Older matplotlib releases garbled or refused glyphs when two threads drew text at once
("raster overflow", glyphs in the wrong place); matplotlib 3.11 survives this test without the lock as
well, so here it checks the invariant the lock exists for: figures with mathtext labels drawn on four
threads at once come out exactly as drawn alone.
"""
import threading

import matplotlib.pyplot as plt
import numpy as np

from helpers._render import freetype_lock as _freetype_lock
from helpers.views.diagrams import Diagram, rnn_type_layout


def _diagram_figure(T):
    fig, ax = plt.subplots(figsize=(5, 2.5))
    Diagram(ax, rnn_type_layout("many-to-many", T))  # boxes with mathtext labels
    return fig


def test_text_drawn_from_several_threads_at_once_is_drawn_as_if_alone():
    _freetype_lock.install()      # as building an explorer does
    assert all(hasattr(getattr(_freetype_lock.RendererAgg, m), "__wrapped_by_freetype_lock__")
               for m in _freetype_lock._METHODS)
    figures = [_diagram_figure(T) for T in (3, 4, 5, 6)]
    alone = []
    for fig in figures:
        fig.canvas.draw()
        alone.append(np.asarray(fig.canvas.buffer_rgba()).copy())
    errors, wrong = [], [0] * len(figures)
    start = threading.Barrier(len(figures))

    def draw_again(i):
        try:
            start.wait()
            for _ in range(15):
                figures[i].canvas.draw()
                wrong[i] += not np.array_equal(np.asarray(figures[i].canvas.buffer_rgba()), alone[i])
        except Exception as exc:        # noqa: BLE001  (kept for the assertion)
            errors.append(exc)
    threads = [threading.Thread(target=draw_again, args=(i,)) for i in range(len(figures))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    assert not errors and not any(wrong), (errors[:1], wrong)


def test_install_is_idempotent_and_uninstall_restores_the_methods():
    _freetype_lock.install()
    plain = {m: getattr(_freetype_lock.RendererAgg, m).__wrapped_by_freetype_lock__ for m in _freetype_lock._METHODS}
    _freetype_lock.install()
    assert all(getattr(_freetype_lock.RendererAgg, m).__wrapped_by_freetype_lock__ is plain[m] for m in plain)
    _freetype_lock.uninstall()
    try:
        assert all(getattr(_freetype_lock.RendererAgg, m) is plain[m] for m in plain)
    finally:
        _freetype_lock.install()


def test_the_lock_is_installed_when_the_first_explorer_is_built_not_on_import():
    """Importing the helpers (every module, views included) leaves matplotlib as it is; building an
    explorer installs the lock. Run in a fresh interpreter: this process has installed it already."""
    import subprocess
    import sys
    code = """
import importlib, pkgutil
import helpers
from matplotlib.backends.backend_agg import RendererAgg
for m in pkgutil.walk_packages(helpers.__path__, "helpers."):
    importlib.import_module(m.name)
from helpers._render.freetype_lock import _METHODS
def wrapped():
    return [hasattr(getattr(RendererAgg, m), "__wrapped_by_freetype_lock__") for m in _METHODS]
print(wrapped())
import ipywidgets as widgets
from helpers.views.explorer import Explorer, new_figure
fig, ax = new_figure()
line, = ax.plot([0, 1], [0, 0])
Explorer("a line", {"y": widgets.FloatSlider(value=0.5)}, fig, lambda y: y, lambda y: line.set_ydata([y, y]))
print(wrapped())
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**__import__("os").environ, "MPLBACKEND": "Agg"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[:2] == [str([False] * 3), str([True] * 3)]
