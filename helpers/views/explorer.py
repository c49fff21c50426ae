"""The explorer: a few controls, one persistent figure, and plain functions that update it.

Every interactive explorer of the course is an ``Explorer``:

    compute(**values) -> result     pure numpy: what the picture shows, for the current control values
    draw(result)                    changes the figure's artists in place (set_data, set_array, set_text)

Keeping the two apart means tests and the notebooks' "check yourself" cells can call ``set(...)`` and
read ``result`` with no browser, while the learner drags the sliders. The figure is created once and
only its artists change, which with the ipympl backend (``%matplotlib widget``) redraws in tens of
milliseconds instead of rebuilding the whole plot.

Static figures (no controls) are shown with ``show_figure(fig, alt)``: it stores a PNG and a fixed
one-line text in the notebook. Do not use ``plt.show()`` with the ipympl backend: the canvas it
displays carries an HTML copy of the PNG whose bytes change with the matplotlib version, and nbval
compares HTML.

Displayed in a notebook, an explorer offers three views of itself: the live widget (JupyterLab,
Notebook 7), a PNG of the current picture (for viewers without a kernel, such as a repository
browser), and a one-line text (what nbval compares: it does not depend on the machine).

Fast redraws. Rendering the whole figure costs far more than computing it: tick labels, titles and
legends are most of the pixels' price, and they rarely change when a slider moves. So the explorer
renders in two layers (matplotlib's "blitting"):

- After each update it looks at which artists the draw function changed (matplotlib marks them
  ``stale``). The first time an artist changes it becomes *dynamic* (``set_animated(True)``), and so
  does every static artist drawn above it that overlaps it (else it would be covered). Then the whole
  figure is rendered once, and its pixels without the dynamic artists are kept as the *background*.
- Later updates that change only dynamic artists, and leave every axes' limits, scales, tick rules and
  labels as they were, paste the background back and draw just the dynamic artists on it. With the ipympl
  backend the new picture goes to the browser at once (no round trip), whole: the browser skips a
  picture that arrives while it still decodes the one before, so none may depend on the one before
  (``whole_image`` in ``helpers/_render/layers.py``).
- Anything else (new limits, a new artist, a resized figure) renders the whole figure again, and the
  background is taken anew.

The picture is the same as a full render, except that a dynamic artist is drawn over the axes' ticks
and gridlines (never over other artists). Two kinds of artists never become dynamic, so a change to them
renders the whole figure: figure-level artists (``fig.text``, ``suptitle``: matplotlib would leave an
animated one out of saved pictures; for a title that changes, use ``ax.text(x, y, s,
transform=fig.transFigure)`` instead) and the artists of axes with a ``draw`` of their own (a pixel
cache, as in the BPTT stepper).

The explorer draws its first result twice when it is made, so it knows its dynamic artists before
the learner's first move. It renders one update at a time (a lock): the kernel may handle widget
messages, a move or the browser asking for a redraw, on a thread of their own while a cell runs.
While it renders, the figure asks the front end for no redraw (``no_redraw_requests``).

The machinery of the fast redraw lives in ``helpers/_render/`` (it uses matplotlib and ipympl internals);
with the environment variable ``HELPERS_FAST_REDRAW=0`` (or ``helpers._render.set_fast_redraw(False)``)
every update renders the whole figure with matplotlib's own code: slower, the same pictures.
"""
from __future__ import annotations

import base64
import html
import io
import threading
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt

from .. import _render
from .._blas import single_blas_thread
from .._render.freetype_lock import install as _lock_freetype
from .._render.layers import Layers, no_redraw_requests, whole_image

__all__ = ["Explorer", "new_figure", "figure_bundle", "show_figure"]

BESIDE_WIDTH = "280px"   # the width of each control in a column beside the figure


def new_figure(nrows: int = 1, ncols: int = 1, figsize=(8, 3.2), **kwargs):
    """Create a figure that is not displayed on creation (the explorer displays it), with its axes.

    Returns (fig, axes) like ``plt.subplots``. With the ipympl backend the canvas header and
    toolbar are hidden: the sliders are the interface.
    """
    with plt.ioff():
        fig, axes = plt.subplots(nrows, ncols, figsize=figsize, **kwargs)
    canvas = fig.canvas
    if isinstance(canvas, widgets.DOMWidget):  # ipympl
        canvas.header_visible = False
        canvas.toolbar_visible = False
        canvas.footer_visible = False
        canvas.resizable = False
    return fig, axes


def figure_bundle(fig, alt: str) -> dict:
    """The display data of a static figure: {"image/png": base64 PNG, "text/plain": "Figure: <alt>"}.

    fig : matplotlib Figure
    alt : str, one line that says what the figure shows (the text view nbval compares).
    """
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"figure_bundle: alt must be a non-empty str describing the figure, got {alt!r}")
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return {"image/png": base64.b64encode(buf.getvalue()).decode("ascii"), "text/plain": f"Figure: {alt}"}


def show_figure(fig, alt: str) -> None:
    """Display a finished static figure as a PNG (plus the one-line text ``alt``) and close it."""
    from IPython.display import display

    bundle = figure_bundle(fig, alt)
    plt.close(fig)
    display(bundle, raw=True)


class Explorer:
    """Controls + one figure + ``compute`` / ``draw``.

    Parameters
    ----------
    title : str
        One line that says what the explorer shows (also its plain-text view).
    controls : dict name -> ipywidgets value widget
        ``compute`` receives ``{name: widget.value}`` as keyword arguments.
    figure : matplotlib Figure, made with ``new_figure``.
    compute : callable (**values) -> result (any object, usually a dict)
    draw : callable (result) -> None, updates the figure's artists in place.
    describe : callable (result) -> str, optional
        A short plain-text status shown under the figure (e.g. "the bit survived 7 steps"). It is shown
        as written: the explorer escapes it (``status_html``), so ``c<t>`` and ``<UNK>`` appear as such.
    beside : bool, default False
        Put the controls in a column left of the figure instead of a row above it (for tall figures:
        the explorer then fits a laptop's screen). The controls without a width of their own get
        ``BESIDE_WIDTH``: with a figure at most 6.3 in (630 px) wide, the explorer fits the notebook's
        width in JupyterLab on a 1366 px wide screen with the file browser open.

    Attributes
    ----------
    result : the latest ``compute`` result (the last one that worked: see ``error``).
    error : the exception of the latest update, or None when it worked. A control moved to values that
        ``compute`` or ``draw`` cannot handle leaves the picture as it was and says why in the status line
        (``error_html``); the next move that works draws again and clears the message. ``set`` and
        ``refresh`` raise the exception as well (a cell that asks for such values fails).
    last_update_ms : wall time of the latest update: compute, draw and render (the benchmarks read it).
    last_render : how the latest update was rendered: "layers" (background + dynamic artists), "full"
        (the whole figure), or None (a backend without pixel access: the figure is shown as a new image).
    """

    def __init__(self, title, controls, figure, compute, draw, describe=None, beside=False):
        if not isinstance(controls, dict) or not controls:
            raise ValueError(f"Explorer: controls must be a non-empty dict of widgets, got {controls!r}")
        self.title = title
        self.controls = dict(controls)
        self.figure = figure
        self.beside = bool(beside)
        self._compute, self._draw, self._describe = compute, draw, describe
        _lock_freetype()   # a kernel draws from two threads: text must not meet in FreeType (_render/freetype_lock.py)
        self.status = widgets.HTML()
        self.status.add_class("explorer-status")
        self._control_boxes = []    # the boxes of controls shown so far (replace_control updates them)
        self._initial = self.values()   # what reset() goes back to
        self.result = None
        self.error = None
        self.last_update_ms = float("nan")
        self.last_render = None
        self._holding = False
        self._reverting = False       # while a stale echo from the browser is undone (_stale_echo)
        self._set_by_code = {}        # id(control) -> the latest float values code gave it
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._output = None
        if not isinstance(figure.canvas, widgets.DOMWidget):
            # Not the ipympl backend (e.g. plain inline): show the figure inside an Output widget.
            self._output = widgets.Output()
        # the two layers of a fast redraw (see the module docstring)
        self._layers = None
        if self._output is None or type(figure.canvas).__name__ == "FigureCanvasAgg":
            self._layers = Layers(figure)
        # One render at a time: the kernel may handle widget messages (a control moved, the browser
        # asking for a redraw) on a thread of their own while a cell runs, e.g. the cell after the
        # explorer during Run All. Updates, full renders and reading the pixels take this lock.
        self._lock = lock = threading.RLock()
        canvas, plain_draw = figure.canvas, figure.canvas.draw

        def draw(*args, **kwargs):
            with lock:
                return plain_draw(*args, **kwargs)
        canvas.draw = draw
        if _render.fast_redraw_enabled() and hasattr(canvas, "get_diff_image") and hasattr(canvas, "_last_buff"):
            def whole_picture():     # a web canvas (ipympl): always send the whole picture
                with lock:
                    return whole_image(canvas)
            canvas.get_diff_image = whole_picture
        if isinstance(canvas, widgets.DOMWidget) and hasattr(canvas, "send_binary"):
            # ipympl, until the browser's view says it is ready, sends the raw pixels in place of the
            # PNG (and keeps a copy of the picture, which _keep_static_copy does here): a picture sent in
            # that moment (the cell after the explorer, during Run All) cannot be decoded, and the
            # figure stays blank until the next move. Always send the PNG.
            canvas.send_binary = lambda data: canvas.send({"data": '{"type": "binary"}'}, buffers=[data])
        self.refresh()
        if self._layers is not None:
            # draw the same result once more: the artists the draw function changes become dynamic
            # now, so that the learner's first move is a fast redraw too (the picture is the same)
            with lock:
                self._show()

    # -- state -----------------------------------------------------------------------------------
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self):
        """Recompute from the current control values and redraw; returns the result.

        An exception of ``compute``, ``draw`` or ``describe`` is shown in the status line (the picture
        stays as it was) and raised.
        """
        with self._lock:
            return self._refresh()

    def _refresh(self):
        start = time.perf_counter()
        try:
            with single_blas_thread():  # small products: one thread is faster (see _blas.py)
                result = self._compute(**self.values())
            self.result = result
            self._show()
            status = self._describe(result) if self._describe is not None else None
        except Exception as exc:
            self.error = exc
            self.status.value = error_html(exc)
            raise
        self.error = None
        self.status.value = status_html(status) if status is not None else ""
        self.last_update_ms = 1000.0 * (time.perf_counter() - start)
        return self.result

    def _show(self):
        """Draw ``self.result`` and render it (call with the lock held)."""
        figure = self.figure
        if self._layers is None:
            self._draw(self.result)
            from IPython.display import clear_output, display
            with self._output:
                clear_output(wait=True)
                display(figure)
            return
        with no_redraw_requests(figure):       # the layers render and send the picture themselves
            self._draw(self.result)
            self.last_render = self._layers.render()
        if self._output is None:
            self._keep_static_copy()

    def _keep_static_copy(self, png: bytes | None = None):
        """With no browser attached (a notebook run by nbconvert or nbval), store the picture in the
        ipympl canvas's saved state, so a trusted notebook opened without a kernel shows it."""
        canvas = self.figure.canvas
        if not getattr(canvas, "syncing_data_url", False):
            return                                  # a live front end: it receives the pixels
        png = self.snapshot_png() if png is None else png
        canvas._data_url = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        ratio = getattr(canvas, "device_pixel_ratio", 1.0) or 1.0
        canvas._size = (self.figure.bbox.width / ratio, self.figure.bbox.height / ratio)

    def set(self, **values):
        """Set several controls at once (one recompute instead of one per control); returns the result.

        An unknown name raises ValueError listing the controls.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"Explorer.set: no control named {', '.join(unknown)} "
                             f"(controls: {', '.join(self.controls)})")
        with self._lock:
            self._holding = True
            try:
                for name, value in values.items():
                    self.controls[name].value = value
            finally:
                self._holding = False
            return self.refresh()

    def reset(self):
        """Put every control back to the value it had when the explorer was made, and redraw; returns
        the result. The cell that checks an explorer (it moves the controls) ends with ``reset()``, so
        that after Run All the explorer shows the state its text describes."""
        return self.set(**self._initial)

    def replace_control(self, name, control):
        """Show ``control`` in place of the control called ``name`` (same name, a new widget), in every
        view shown so far; the old widget is closed. Does not recompute (the caller changes nothing
        the picture depends on, or refreshes)."""
        old = self.controls[name]
        old.unobserve(self._on_change, names="value")
        control.observe(self._on_change, names="value")
        self.controls[name] = control
        for box in self._control_boxes:
            box.children = tuple(control if child is old else child for child in box.children)
        old.close()

    def link_max(self, choice, slider, top):
        """Keep the maximum of the slider ``slider`` at ``top(value of the control choice)``, now and
        whenever that choice changes (the slider's value moves down to the new maximum if needed).

        The slider is replaced by a new one with the new range (``replace_control``), not given a new
        ``max``: the browser's slider keeps the range it was first shown with for its End key, and so
        would jump to an old maximum.
        """
        chooser = self.controls[choice]

        def fit(change=None):
            old = self.controls[slider]
            new_max = top(chooser.value)
            if old.max != new_max:
                self.replace_control(slider, _with_max(old, new_max))
            return old.max != new_max
        if fit():
            self._initial = self.values()
            self.refresh()
        # before the explorer's own observer: the update that follows a choice sees the fitted slider
        chooser.unobserve(self._on_change, names="value")
        chooser.observe(fit, names="value")
        chooser.observe(self._on_change, names="value")

    def _on_change(self, change):
        if self._reverting:
            return
        control, new = change["owner"], change["new"]
        if "value" in getattr(control, "_property_lock", {}):      # the browser sent this value
            if self._stale_echo(control, change["old"], new):
                self._reverting = True
                try:
                    control.value = change["old"]                   # sent back to the browser
                finally:
                    self._reverting = False
                return
            self._set_by_code.pop(id(control), None)
        elif isinstance(new, float):
            kept = self._set_by_code.setdefault(id(control), [])
            kept[:] = [*kept[-(_ECHO_MEMORY - 1):], new]
        if self._holding:
            return
        try:
            self.refresh()
        except Exception:
            pass        # said in the status line (_refresh); the picture stays at the last values that worked

    def _stale_echo(self, control, old, new) -> bool:
        """Whether a value the browser sent is its late echo of a value code set earlier, not a move.

        A browser's float slider puts a value set from the kernel on its own grid of steps (0.3 becomes
        0.30000000000000004, from 0.1 + 4 x 0.05) and, when that differs from the value it got, sends its
        version back. The kernel reads that message only after the cells queued before it: during Run
        All, after the checks and the reset() that follow, so the explorer would end at a value the
        checks used. A value a hair away from one that code set, and not from the current one, is such
        an echo: the explorer keeps its current value (and sends it to the browser again).
        """
        if not isinstance(new, float) or not isinstance(old, (int, float)):
            return False
        near = lambda a, b: a != b and abs(a - b) <= 1e-9 * max(1.0, abs(b))
        return not near(new, old) and new != old and any(near(new, u) for u in self._set_by_code.get(id(control), []))

    # -- views -----------------------------------------------------------------------------------
    @property
    def widget(self):
        """The live view: controls (a row above the figure, or a column beside it), figure and status
        line in one box (its DOM classes: "explorer", "explorer-controls", "explorer-status")."""
        view = self._output if self._output is not None else self.figure.canvas
        if self.beside:
            for control in self.controls.values():    # a column of one width (the figure's neighbour)
                if control.layout.width is None:
                    control.layout.width = BESIDE_WIDTH
            controls = widgets.VBox(list(self.controls.values()),
                                    layout=widgets.Layout(flex="0 0 auto", margin="0 8px 0 0"))
            box = widgets.VBox([widgets.HBox([controls, view]), self.status])
        else:
            controls = widgets.HBox(list(self.controls.values()), layout=widgets.Layout(flex_flow="row wrap"))
            box = widgets.VBox([controls, view, self.status])
        controls.add_class("explorer-controls")
        box.add_class("explorer")
        self._control_boxes.append(controls)
        return box

    def snapshot_png(self) -> bytes:
        """The current picture as PNG bytes."""
        buf = io.BytesIO()
        # saving re-lays out titles and so marks them changed; that is not a change of the picture
        artists = self._layers.candidates() if self._layers is not None else []
        stale = [a.stale for a in artists]
        with self._lock, no_redraw_requests(self.figure):
            self.figure.savefig(buf, format="png", dpi=self.figure.dpi)
        for artist, was in zip(artists, stale):
            artist.stale = was
        return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        box = self.widget
        bundle = box._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        png = self.snapshot_png()
        if self._output is None:
            self._keep_static_copy(png)
        bundle["image/png"] = base64.b64encode(png).decode("ascii")
        bundle["text/plain"] = f"Explorer: {self.title} (run the notebook to use its controls)"
        return bundle

    def __repr__(self):
        return f"Explorer({self.title!r}, controls={list(self.controls)})"


_ECHO_MEMORY = 50     # how many values set by code are remembered per control (see Explorer._stale_echo)


def status_html(text: str) -> str:
    """The HTML of a status line that shows ``text`` as written (``<t>``, ``<UNK>``, ``&`` included)."""
    return html.escape(str(text), quote=False)


def error_html(exc: BaseException) -> str:
    """The HTML of the status line after an update failed: what went wrong, and that the picture still
    shows the last values that worked."""
    what = f"{type(exc).__name__}: {exc}".rstrip()
    if not what.endswith((".", "!", "?")):
        what += "."
    return ('<span style="color:#b00020"><b>Cannot show these values.</b> '
            f"{html.escape(what, quote=False)} (The picture still shows the last values that worked.)</span>")


def _with_max(slider, new_max):
    """A new slider like ``slider`` (same kind, label, step, style, layout), with maximum ``new_max``
    and its value moved into the new range."""
    keep = ("description", "min", "step", "disabled", "continuous_update", "orientation", "readout",
            "readout_format", "style", "layout", "tooltip", "behavior", "description_allow_html")
    settings = {k: getattr(slider, k) for k in keep if slider.has_trait(k)}
    settings.update(max=new_max, value=min(max(slider.value, slider.min), new_max))
    return type(slider)(**settings)
