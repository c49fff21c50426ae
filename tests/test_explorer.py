"""The explorer base: callbacks recompute, set() recomputes once, views carry a stable text."""
import json

import numpy as np
import ipywidgets as widgets
import pytest

from helpers.views.explorer import Explorer, new_figure


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


# -- the fast redraw: background + dynamic artists ---------------------------------------------------

def _pixels_shown(fig):
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _pixels_full(ex):
    """What a full render of the current state looks like (saving draws every artist)."""
    import io
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(ex.snapshot_png())).convert("RGBA"))


def make_layered(calls=None):
    """A line that moves inside fixed limits, a text that changes, and static artists drawn above
    the line (a legend and an annotation) that must stay on top."""
    fig, ax = new_figure()
    x = np.linspace(0.1, 0.9, 50)
    (line,) = ax.plot(x, 0.5 + 0.3 * np.sin(6 * x), lw=3, label="y")
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.legend(loc="center")                                   # zorder 5, over the line
    ax.text(0.5, 0.5, "static note", ha="center", fontsize=14, zorder=4,
            bbox=dict(facecolor="yellow", alpha=0.5))        # half transparent: drawn twice would darken
    label = ax.text(0.02, 0.95, "", va="top")
    ax.set_title("fixed title")

    def compute(phase):
        if calls is not None:
            calls.append(phase)
        return {"y": 0.5 + 0.3 * np.sin(6 * x + phase), "phase": phase}

    def draw(r):
        line.set_ydata(r["y"])
        label.set_text(f"phase {r['phase']:.2f}")

    ex = Explorer("layers", {"phase": widgets.FloatSlider(value=0.0, min=0, max=6)}, fig, compute, draw)
    return ex, ax, line


def test_layers_give_the_same_picture_as_a_full_render():
    ex, _, _ = make_layered()
    kinds = []
    for phase in (0.5, 1.0, 2.5, 4.0, 5.5):
        ex.controls["phase"].value = phase
        kinds.append(ex.last_render)
        assert np.array_equal(_pixels_shown(ex.figure), _pixels_full(ex)), f"phase {phase}"
    # the explorer drew its first result twice when it was made, and so knows the dynamic artists:
    # every move, the first too, reuses the background
    assert kinds == ["layers"] * 5


def test_static_artists_above_a_dynamic_one_are_redrawn_with_it():
    ex, ax, line = make_layered()
    ex.controls["phase"].value = 1.0
    dynamic = ex._layers.dynamic
    assert line in dynamic and ax.legend_ in dynamic            # the legend overlaps the line
    assert ax.title not in dynamic                             # above the axes: no overlap, stays static
    assert all(a.get_animated() == (a in dynamic) for a in ax.get_children() if a is not ax.patch
               and a not in ax._axis_map.values())


def test_a_change_of_limits_or_a_new_artist_renders_everything_and_says_why():
    ex, ax, _ = make_layered()
    ex.controls["phase"].value = 1.0
    ax.set_ylim(-1, 2)
    ex.controls["phase"].value = 2.0
    assert ex.last_render == "full" and "limits changed" in ex._layers.reason
    assert np.array_equal(_pixels_shown(ex.figure), _pixels_full(ex))
    ax.axhline(0.2, color="red")
    ex.controls["phase"].value = 3.0
    assert ex.last_render == "full" and "changed for the first time" in ex._layers.reason
    ex.controls["phase"].value = 4.0
    assert ex.last_render == "layers"
    assert np.array_equal(_pixels_shown(ex.figure), _pixels_full(ex))


def test_figure_level_text_stays_in_the_background_and_in_the_snapshot():
    ex, _, _ = make_layered()
    note = ex.figure.text(0.01, 0.01, "before")
    ex.controls["phase"].value = 1.0
    note.set_text("after")
    ex.controls["phase"].value = 2.0
    assert ex.last_render == "full" and "figure-level" in ex._layers.reason
    assert not note.get_animated()
    assert np.array_equal(_pixels_shown(ex.figure), _pixels_full(ex))


def test_snapshot_shows_the_dynamic_artists():
    ex, _, _ = make_layered()
    for phase in (1.0, 2.0):
        ex.controls["phase"].value = phase
    assert np.array_equal(_pixels_full(ex), _pixels_shown(ex.figure))
    ex.controls["phase"].value = 3.0
    assert ex.last_render == "layers"                          # the snapshot did not spoil the layers


def _ipympl_figure():
    """A figure on the ipympl canvas, as in a notebook with %matplotlib widget (no browser attached)."""
    import warnings
    import matplotlib
    from matplotlib.figure import Figure
    backend = matplotlib.get_backend()
    from ipympl.backend_nbagg import Canvas, FigureManager
    matplotlib.use(backend)           # importing ipympl makes it pyplot's backend: the other tests use Agg
    fig = Figure(figsize=(4, 2), dpi=100)
    canvas = Canvas(fig)
    with warnings.catch_warnings():   # ipympl's own toolbar construction, not ours (traitlets deprecation)
        warnings.filterwarnings("ignore", message="Passing unrecognized arguments", category=DeprecationWarning)
        FigureManager(canvas, 1)
    return fig, canvas


def _ipympl_line():
    """An ipympl figure with one line y = x on fixed limits: (fig, canvas, ax, line, x)."""
    fig, canvas = _ipympl_figure()
    ax = fig.add_subplot()
    ax.set_ylim(-2, 2)
    x = np.linspace(0, 1, 30)
    (line,) = ax.plot(x, x)
    return fig, canvas, ax, line, x


def _ipympl_k_explorer(title):
    """An explorer of one slider k on the ipympl canvas, a line to (1, k), sending nowhere: (ex, canvas)."""
    fig, canvas = _ipympl_figure()
    ax = fig.add_subplot()
    (line,) = ax.plot([0, 1], [0, 1])
    canvas.send = lambda content, buffers=None: None
    ex = Explorer(title, {"k": widgets.FloatSlider(value=1.0, min=-2, max=2)}, fig,
                  lambda k: {"k": k}, lambda r: line.set_ydata([0, r["k"]]))
    return ex, canvas


def test_ipympl_gets_each_new_picture_at_once_without_a_round_trip():
    fig, canvas, ax, line, x = _ipympl_line()
    sent = []
    canvas.send = lambda content, buffers=None: sent.append((content, buffers))
    ex = Explorer("ipympl", {"k": widgets.FloatSlider(value=1.0, min=-2, max=2)}, fig,
                  lambda k: {"y": k * x}, lambda r: line.set_ydata(r["y"]))
    canvas.syncing_data_url = False                            # as once a browser view has connected
    for k in (0.5, -0.5):
        sent.clear()
        ex.controls["k"].value = k
        kinds = [content["data"] for content, _ in sent]
        assert kinds == ['{"type": "binary"}'], kinds          # the picture itself, no "draw" request
        assert sent[0][1] and len(sent[0][1][0]) > 0
    assert ex.last_render == "layers"


def test_without_a_browser_the_canvas_keeps_a_static_copy_of_the_picture():
    import base64
    import io
    from PIL import Image
    ex, canvas = _ipympl_k_explorer("static")
    for k in (1.0, 0.5):
        ex.controls["k"].value = k
        prefix = "data:image/png;base64,"
        assert canvas._data_url.startswith(prefix)
        png = base64.b64decode(canvas._data_url[len(prefix):])
        assert Image.open(io.BytesIO(png)).size == (400, 200)
        assert png == ex.snapshot_png()                        # the current picture, not the first one
        assert tuple(canvas._size) == (400.0, 200.0)


def test_a_browser_answering_every_draw_request_is_not_drawn_into_a_loop():
    """In a notebook (pyplot, interactive) a figure that turns stale asks the browser for a redraw, and
    the browser answers by asking the kernel for a full render; pyplot also asks again after every
    widget message for a figure still stale. A full render must leave nothing stale that would ask
    again: the browser below answers every request, as JupyterLab does, and the exchange has to stop
    by itself, after moves on the fast path, moves that render everything, a
    redraw the browser asks for itself, and a snapshot."""
    import matplotlib
    import matplotlib.pyplot as plt
    fig, canvas = _ipympl_figure()
    fig.stale_callback = plt._auto_draw_if_interactive      # what pyplot gives the figures it makes
    ax = fig.add_subplot()
    ax.set_xlabel("x")
    ax.set_title("a line")
    x = np.linspace(0, 1, 30)
    (line,) = ax.plot(x, x)
    browser_state = {"waiting": False, "requests": 0}

    def receive(content, buffers=None):
        """What ipympl's front end does with a message: a "draw" event becomes a request for a full
        render unless it still waits for the picture of its last request; a picture ends the wait."""
        kind = json.loads(content["data"])["type"]
        if kind == "binary":
            browser_state["waiting"] = False
        elif kind == "draw" and not browser_state["waiting"]:
            browser_state["waiting"] = True
            browser_state["requests"] += 1
    canvas.send = receive

    def kernel_done():
        """What pyplot does after every cell and widget message: ask to redraw a figure still stale."""
        if fig.stale:
            canvas.draw_idle()

    def browser(limit=20):
        """Send the kernel each request the front end makes (a full render each); how many it sent."""
        answered = 0
        kernel_done()
        while browser_state["requests"] and answered < limit:
            browser_state["requests"] -= 1
            canvas.handle_draw({"type": "draw"})
            kernel_done()
            answered += 1
        return answered

    was = matplotlib.is_interactive()
    matplotlib.interactive(True)
    try:
        def draw(r):
            line.set_ydata(r["y"])
            ax.set_ylim(-abs(r["k"]) - 1, abs(r["k"]) + 1) if r["rescale"] else None
        ex = Explorer("loop", {"k": widgets.FloatSlider(value=1.0, min=-4, max=4),
                               "rescale": widgets.Checkbox(value=False)}, fig,
                      lambda k, rescale: {"y": k * x, "k": k, "rescale": rescale}, draw)
        canvas.syncing_data_url = False                          # a browser view has connected
        assert browser() <= 1
        for values in ({"k": 0.5}, {"k": -0.5}, {"rescale": True}, {"k": 3.0}, {"rescale": False}):
            ex.set(**values)
            assert browser() == 0, (values, ex.last_render)     # the explorer sent the picture itself
        canvas.handle_refresh({"type": "refresh"})              # the browser asks for the whole picture
        assert browser() <= 1
        assert browser() == 0
        ex.snapshot_png()
        assert browser() <= 1
        ex.set(k=1.5)
        assert browser() == 0 and ex.last_render == "layers"
    finally:
        matplotlib.interactive(was)


def _pictures_sent(ours, values=(0.5, -1.5, 2.0, 0.0, 1.25)):
    """Build the line explorer on an ipympl canvas with a browser attached, ask for its first picture
    as the browser does, move k through ``values``; every message sent to the browser, in order:
    ("message", json) or (image mode, decoded RGBA pixels), and the canvas's last rendered pixels.
    ``ours`` False: matplotlib's own get_diff_image instead of the explorer's."""
    import io
    from PIL import Image

    fig, canvas, ax, line, x = _ipympl_line()
    sent = []

    def receive(content, buffers=None):
        if canvas.syncing_data_url:                 # no browser yet: ipympl sends raw pixels
            return
        if buffers:                                 # a picture, and the mode it is painted in
            sent.append((canvas._current_image_mode, np.asarray(Image.open(io.BytesIO(bytes(buffers[0]))))))
        else:
            sent.append(("message", json.loads(content["data"])))
    canvas.send = receive
    ex = Explorer("png", {"k": widgets.FloatSlider(value=1.0, min=-2, max=2)}, fig,
                  lambda k: {"y": k * x}, lambda r: line.set_ydata(r["y"]))
    if not ours:
        del canvas.get_diff_image                  # matplotlib's own method again
    canvas.syncing_data_url = False                 # a browser has connected: from now on PNGs
    sent.clear()
    canvas.handle_refresh({"type": "refresh"})
    canvas.handle_draw({"type": "draw"})
    for k in values:
        ex.controls["k"].value = k
    return sent, np.asarray(canvas.get_renderer().buffer_rgba()).copy()


def _paint(shown, mode, picture):
    """What ipympl's view shows after painting ``picture`` in ``mode`` over ``shown`` (None: nothing):
    "full" replaces the picture, "diff" draws it over (its transparent pixels leave what was there)."""
    if mode == "full" or shown is None:
        return picture.copy()
    return np.where(picture[:, :, 3:] == 0, shown, picture)


def test_the_pictures_sent_to_the_browser_show_what_matplotlib_would_show():
    """The explorer writes the PNGs for ipympl itself, faster than matplotlib; painted as the browser
    paints them, every one must show the same pixels as matplotlib's own would, and each is a whole
    picture (mode "full"): the latest, decoded, is exactly the canvas's render."""
    (ours, last), (theirs, _) = _pictures_sent(True), _pictures_sent(False)
    assert [kind == "message" for kind, _ in ours] == [kind == "message" for kind, _ in theirs]
    assert {kind for kind, _ in ours} - {"message"} == {"full"}
    assert "diff" in {kind for kind, _ in theirs}   # (matplotlib sends diffs: the comparison below is not trivial)
    shown_ours = shown_theirs = None
    pictures = 0
    for (kind, a), (their_kind, b) in zip(ours, theirs):
        if kind == "message":
            if a.get("type") != "image_mode":       # the mode messages differ: ours is "full" throughout
                assert a == b
            continue
        shown_ours, shown_theirs = _paint(shown_ours, kind, a), _paint(shown_theirs, their_kind, b)
        assert a.shape == (200, 400, 4) and np.array_equal(shown_ours, shown_theirs)
        pictures += 1
    assert pictures >= 6 and np.array_equal(shown_ours, last)


@pytest.mark.parametrize("skipped", [{1}, {2, 3}, {1, 3, 4}])
def test_a_picture_the_browser_skips_leaves_no_trace(skipped):
    """ipympl paints a picture once it is decoded, and one that arrives during the decoding of the one
    before replaces it: the one before is never painted (a drag sends a burst of them). Whatever
    pictures the browser skips, the last one it paints must show the figure as the kernel rendered it.
    (With matplotlib's diffs it would not: the check that it fails is the reason for whole pictures.)"""
    for ours in (True, False):
        sent, last = _pictures_sent(ours)
        pictures = [(kind, a) for kind, a in sent if kind != "message"]
        shown = None
        for i, (kind, picture) in enumerate(pictures):
            if i not in skipped:
                shown = _paint(shown, kind, picture)
        assert np.array_equal(shown, last) == ours, (ours, skipped)


def test_a_redraw_from_another_thread_waits_for_the_update_in_progress():
    """The kernel may handle the browser's requests (a full redraw, the picture's pixels) on another
    thread while a cell updates the explorer: those wait until the update is done, never interleave."""
    import threading
    import time as clock
    ex, canvas = _ipympl_k_explorer("threads")
    canvas.syncing_data_url = False
    for request in (lambda: canvas.handle_draw({"type": "draw"}), ex.snapshot_png,
                    lambda: ex.set(k=0.25)):
        done = threading.Event()
        with ex._lock:                                 # an update in progress on this thread
            worker = threading.Thread(target=lambda: (request(), done.set()))
            worker.start()
            clock.sleep(0.2)
            assert not done.is_set()                   # the other thread waits
        worker.join(5)
        assert done.is_set()                           # and goes on once the update is done
    assert ex.result == {"k": 0.25}


def test_pictures_sent_before_the_browser_view_is_ready_are_pngs():
    """ipympl sends raw pixels instead of the PNG until the browser's view says it is ready; a picture
    sent then (the cell after the explorer runs while the view starts) must still be one the browser
    can decode."""
    import io
    from PIL import Image
    fig, canvas, ax, line, x = _ipympl_line()
    pictures = []
    canvas.send = lambda content, buffers=None: pictures.extend(bytes(b) for b in buffers or [])
    ex = Explorer("early", {"k": widgets.FloatSlider(value=1.0, min=-2, max=2)}, fig,
                  lambda k: {"y": k * x}, lambda r: line.set_ydata(r["y"]))
    assert canvas.syncing_data_url                              # the view has not said it is ready
    ex.set(k=0.5)
    canvas.handle_draw({"type": "draw"})
    assert pictures
    for picture in pictures:
        assert Image.open(io.BytesIO(picture)).size == (400, 200)


def test_png_writer_round_trips_any_rgba_picture():
    """The explorer writes its PNGs itself; Pillow's decoder (an independent reader) must give back
    every byte, for odd sizes and for every channel value, transparent pixels included."""
    import io
    from PIL import Image

    from helpers._render.layers import png_rgba as _png_rgba

    rng = np.random.default_rng(3)
    for shape in [(1, 1), (3, 5), (17, 2), (64, 33)]:
        rgba = rng.integers(0, 256, size=(*shape, 4), dtype=np.uint8)
        back = np.asarray(Image.open(io.BytesIO(_png_rgba(rgba.view(np.uint32).squeeze(2)))).convert("RGBA"))
        assert back.shape == (*shape, 4) and np.array_equal(back, rgba), shape


# -- what the learner reads and where the explorer starts ---------------------------------------------

def test_status_text_is_shown_as_written():
    """A status with angle brackets and ampersands reaches the page escaped, so the browser shows it
    as written (unescaped, HTML would swallow <t> as an unknown tag)."""
    import html
    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    text = "c<t> = Γu ⊙ c̃<t> & <UNK> at <write>"
    ex = Explorer("status", {"k": widgets.IntSlider(value=1, min=0, max=3)}, fig, lambda k: {"k": k},
                  lambda r: line.set_ydata([0, r["k"]]), describe=lambda r: text)
    assert "<t>" not in ex.status.value and "<write>" not in ex.status.value
    assert html.unescape(ex.status.value) == text            # what a browser renders from the HTML


def test_reset_returns_every_control_to_its_first_value():
    calls = []
    ex, line = make_explorer(calls)
    first_y = line.get_ydata().copy()
    first_status = ex.status.value
    ex.set(k=-2.0, b=0.75)
    assert ex.status.value != first_status
    r = ex.reset()
    assert ex.values() == {"k": 1.0, "b": 0.0} and calls[-1] == (1.0, 0.0)
    assert np.array_equal(r["y"], np.linspace(0, 1, 11))       # y = 1 x + 0
    assert np.array_equal(line.get_ydata(), first_y) and ex.status.value == first_status


def test_a_failing_update_says_why_and_the_next_good_move_recovers():
    """compute raises for some values: a moved control (a widget callback) must not raise into the
    front end; the status line says what went wrong, the picture keeps the last values that worked,
    and the next move that works draws again and clears the message."""
    fig, ax = new_figure()
    x = np.linspace(0, 1, 5)
    (line,) = ax.plot(x, x)

    def compute(n):
        if n > 3:
            raise ValueError(f"compute: n must be at most 3, got {n}")
        return {"y": n * x}

    ex = Explorer("fails above 3", {"n": widgets.IntSlider(value=1, min=0, max=6)}, fig, compute,
                  lambda r: line.set_ydata(r["y"]), describe=lambda r: f"n = {r['y'][-1]:.0f}")
    ex.controls["n"].value = 5                                      # what a slider drag does: no exception
    assert isinstance(ex.error, ValueError)
    assert "n must be at most 3, got 5" in ex.status.value and "Cannot show these values" in ex.status.value
    assert np.array_equal(line.get_ydata(), x) and np.array_equal(ex.result["y"], x)   # still n = 1
    with pytest.raises(ValueError, match="got 4"):                  # code that asks for it gets the error
        ex.set(n=4)
    ex.controls["n"].value = 2
    assert ex.error is None and ex.status.value == "n = 2"
    assert np.array_equal(line.get_ydata(), 2 * x)


def test_a_linked_slider_gets_a_new_widget_with_the_new_range():
    """link_max: the slider's maximum follows a choice. The slider is a new widget in every view (the
    browser's slider would keep its first range for the End key), with the same label and a value
    moved into the new range; the explorer follows the new widget."""
    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    lengths = {"short": 3, "long": 7}
    controls = {"kind": widgets.Dropdown(options=list(lengths), value="short"),
                "t": widgets.IntSlider(value=2, min=1, max=3, description="step")}
    ex = Explorer("linked", controls, fig, lambda kind, t: {"kind": kind, "t": t},
                  lambda r: line.set_ydata([0, r["t"]]))
    ex.link_max("kind", "t", lambda kind: lengths[kind])
    box = ex.widget.children[0]
    first = ex.controls["t"]
    assert box.children[1] is first and first.max == 3
    r = ex.set(kind="long", t=7)
    second = ex.controls["t"]
    assert second is not first and second.max == 7 and second.description == "step"
    assert box.children[1] is second and r == {"kind": "long", "t": 7}
    second.value = 5                                                  # the new widget moves the picture
    assert ex.result["t"] == 5
    ex.controls["kind"].value = "short"                               # 5 is past the end: back to 3
    assert ex.controls["t"].max == 3 and ex.controls["t"].value == 3 and ex.result == {"kind": "short", "t": 3}
    ex.reset()
    assert ex.values() == {"kind": "short", "t": 2}


def test_controls_beside_the_figure():
    fig, ax = new_figure()
    ax.plot([0, 1], [0, 1])
    ex = Explorer("side", {"k": widgets.IntSlider()}, fig, lambda k: k, lambda r: None, beside=True)
    box = ex.widget
    (row, status) = box.children
    controls, view = row.children
    assert isinstance(controls, widgets.VBox) and list(controls.children) == [ex.controls["k"]]
    assert view is ex._output and status is ex.status          # (Agg here: the figure in an Output)
    assert "explorer" in box._dom_classes and "explorer-controls" in controls._dom_classes


def test_the_browser_harness_knows_how_an_error_status_begins():
    """The browser tests recognise a failed update by the start of its status line."""
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent / "browser"))
    try:
        import browser_harness
    finally:
        sys.path.pop(0)
    import html
    from helpers.views.explorer import error_html
    import re
    shown = html.unescape(re.sub(r"<[^>]*>", "", error_html(RuntimeError("x < y"))))
    assert shown.startswith(browser_harness.ERROR_STATUS) and "RuntimeError: x < y" in shown


def test_a_late_echo_from_the_browser_does_not_undo_reset():
    """During Run All the cell after an explorer sets a float slider to 0.3 and later resets it to 1.0.
    The browser puts 0.3 on its grid of steps (0.1 + 4 x 0.05 = 0.30000000000000004) and sends that
    back; the kernel reads it after the reset. The explorer must stay at 1.0. A real move of the slider
    (any other value, or the echo of the current value) is taken as usual."""
    calls = []
    fig, ax = new_figure()
    (line,) = ax.plot([0, 1], [0, 1])
    slider = widgets.FloatSlider(value=1.0, min=0.1, max=3.0, step=0.05)

    def compute(T):
        calls.append(T)
        return {"T": T}
    ex = Explorer("echo", {"T": slider}, fig, compute, lambda r: line.set_ydata([0, r["T"]]))
    ex.set(T=0.3)
    ex.set(T=2.5)
    ex.reset()
    n = len(calls)
    echo = 0.1 + 4 * 0.05
    assert echo != 0.3 and abs(echo - 0.3) < 1e-15
    slider.set_state({"value": echo})        # what the kernel does with the browser's message
    assert slider.value == 1.0 and ex.result == {"T": 1.0} and len(calls) == n
    slider.set_state({"value": 2.0})         # the learner drags the slider
    assert slider.value == 2.0 and ex.result == {"T": 2.0}
    ex.set(T=0.3)
    slider.set_state({"value": echo})        # the echo of the value it has: taken (no back and forth)
    assert slider.value == echo and ex.result == {"T": echo}
