"""The off switch of the fast-redraw machinery (helpers._render): off, every update renders the whole
figure with matplotlib's own code and diagrams draw their artists, and the pictures are the same."""
import os
import subprocess
import sys

import ipywidgets as widgets
import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers import _render
from helpers._render.cached_drawing import CachedDrawing
from helpers.views.diagrams import Diagram, rnn_type_layout, step_roles
from helpers.views.explorer import Explorer, new_figure


@pytest.fixture
def fast_redraw_off():
    _render.set_fast_redraw(False)
    yield
    _render.set_fast_redraw(True)


def _wave_explorer():
    fig, ax = new_figure()
    x = np.linspace(0, 6, 200)
    (line,) = ax.plot(x, np.sin(x))
    label = ax.text(0.5, 0.9, "", transform=ax.transAxes)
    ax.set_title("a wave")

    def draw(k):
        line.set_ydata(np.sin(k * x))
        label.set_text(f"k = {k:.2f}")
    return Explorer("a wave", {"k": widgets.FloatSlider(value=1.0, min=0.5, max=3.0)}, fig, lambda k: k, draw)


def _picture(explorer):
    return np.asarray(explorer.figure.canvas.buffer_rgba()).copy()


def test_off_every_update_is_a_full_render_with_the_picture_of_the_fast_path(fast_redraw_off):
    _render.set_fast_redraw(True)
    fast = _wave_explorer()
    _render.set_fast_redraw(False)
    plain = _wave_explorer()
    for k in (1.5, 2.25, 0.75):
        _render.set_fast_redraw(True)
        fast.set(k=k)
        assert fast.last_render == "layers"
        _render.set_fast_redraw(False)
        plain.set(k=k)
        assert plain.last_render == "full" and plain._layers.reason.startswith("the fast redraw is off")
        assert not plain._layers.dynamic
        assert np.array_equal(_picture(plain), _picture(fast)), f"k = {k}"


def test_turned_off_after_artists_became_dynamic_they_are_drawn_as_usual_again(fast_redraw_off):
    _render.set_fast_redraw(True)
    ex = _wave_explorer()
    ex.set(k=2.0)
    assert ex._layers.dynamic                           # the line and the label
    _render.set_fast_redraw(False)
    ex.set(k=2.5)
    assert ex.last_render == "full" and not ex._layers.dynamic
    assert not any(a.get_animated() for a in ex.figure.axes[0].get_children())


def test_off_a_cached_drawing_draws_its_members_with_the_same_picture(fast_redraw_off):
    lay = rnn_type_layout("many-to-many", 3)
    pictures = {}
    for on in (True, False):
        _render.set_fast_redraw(on)
        fig, ax = plt.subplots(figsize=(5, 2.5))
        ax.axis("off")
        d = Diagram(ax, lay)
        drawing = CachedDrawing(ax, d.artists(), lambda t: d.paint(step_roles(lay, t)), 1)
        drawing.show(2)
        fig.canvas.draw()
        pictures[on] = np.asarray(fig.canvas.buffer_rgba()).copy()
        assert bool(drawing._pixels) == on              # off: nothing kept
        plt.close(fig)
    assert np.array_equal(pictures[True], pictures[False])


def test_the_switch_takes_only_a_bool_and_reads_the_environment():
    with pytest.raises(ValueError, match="set_fast_redraw: on must be True or False, got 'no'"):
        _render.set_fast_redraw("no")
    code = "from helpers import _render; print(_render.fast_redraw_enabled())"
    for value, expected in (("0", "False"), ("off", "False"), ("1", "True"), (None, "True")):
        env = {k: v for k, v in os.environ.items() if k != "HELPERS_FAST_REDRAW"}
        if value is not None:
            env["HELPERS_FAST_REDRAW"] = value
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60)
        assert out.stdout.strip() == expected, (value, out.stderr)
