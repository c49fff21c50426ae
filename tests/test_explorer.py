"""The explorer base: callbacks recompute, set() recomputes once, views carry a stable text."""
import numpy as np
import ipywidgets as widgets
import pytest

from helpers.explorer import Explorer, new_figure


def make_explorer(calls):
    fig, ax = new_figure()
    x = np.linspace(0, 1, 11)
    (line,) = ax.plot(x, x)

    def compute(k, b):
        calls.append((k, b))
        return {"y": k * x + b}

    ex = Explorer("a line", {"k": widgets.FloatSlider(value=1.0, min=-2, max=2),
                             "b": widgets.FloatSlider(value=0.0, min=-1, max=1)},
                  fig, compute, lambda r: line.set_ydata(r["y"]), describe=lambda r: f"y(1) = {r['y'][-1]:.1f}")
    return ex, line


def test_moving_a_control_recomputes_and_redraws():
    calls = []
    ex, line = make_explorer(calls)
    assert calls == [(1.0, 0.0)]  # built once at creation
    ex.controls["k"].value = 2.0  # what a slider drag does
    assert calls[-1] == (2.0, 0.0)
    assert np.allclose(line.get_ydata(), 2.0 * np.linspace(0, 1, 11))
    assert ex.status.value == "y(1) = 2.0"


def test_set_recomputes_once_for_several_controls():
    calls = []
    ex, _ = make_explorer(calls)
    result = ex.set(k=-1.0, b=0.5)
    assert calls[1:] == [(-1.0, 0.5)]
    assert np.isclose(result["y"][-1], -0.5)
    with pytest.raises(ValueError, match="no control named c"):
        ex.set(c=1.0)


def test_views_hold_widget_png_and_stable_text():
    ex, _ = make_explorer([])
    bundle = ex._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/plain"] == "Explorer: a line (run the notebook to use its controls)"
    import base64
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
