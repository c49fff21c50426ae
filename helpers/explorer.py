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
  (``_whole_image``).
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
While it renders, the figure asks the front end for no redraw (``_no_redraw_requests``).
"""
from __future__ import annotations

import base64
import html
import io
import struct
import threading
import time
from contextlib import contextmanager

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ._blas import single_blas_thread
from ._freetype_lock import install as _lock_freetype
from ._text_masks import remember_text_masks

_lock_freetype()   # text drawn from two threads at once must not meet in FreeType (see _freetype_lock.py)

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
            self._layers = _Layers(figure)
        # One render at a time: the kernel may handle widget messages (a control moved, the browser
        # asking for a redraw) on a thread of their own while a cell runs, e.g. the cell after the
        # explorer during Run All. Updates, full renders and reading the pixels take this lock.
        self._lock = lock = threading.RLock()
        canvas, plain_draw = figure.canvas, figure.canvas.draw

        def draw(*args, **kwargs):
            with lock:
                return plain_draw(*args, **kwargs)
        canvas.draw = draw
        if hasattr(canvas, "get_diff_image") and hasattr(canvas, "_last_buff"):   # a web canvas (ipympl)
            def whole_image():
                with lock:
                    return _whole_image(canvas)
            canvas.get_diff_image = whole_image
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
        with _no_redraw_requests(figure):       # the layers render and send the picture themselves
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
        with self._lock, _no_redraw_requests(self.figure):
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


class _Layers:
    """The fast redraw of one figure: a kept background plus the dynamic artists drawn on it.

    ``render()`` is called after the artists have changed; it returns "layers" or "full". See the module
    docstring for the rules. ``dynamic`` is the set of artists currently drawn on top of the background.
    """

    def __init__(self, figure):
        self.figure = figure
        self.dynamic = set()
        self._order = []            # the dynamic artists, in the order a full render draws them
        self._background = None     # pixels of the figure without the dynamic artists
        self._renderer = None       # the renderer those pixels belong to
        self._layout = None         # _layout_key() when the background was taken
        self.reason = None          # why the latest render was full (None: it used the layers)
        figure.canvas.mpl_connect("draw_event", self._on_full_draw)

    # -- which artists -----------------------------------------------------------------------------
    def _axes_in_order(self):
        return sorted(self.figure.axes, key=lambda ax: ax.get_zorder())

    @staticmethod
    def _own_draw(ax) -> bool:
        return "draw" in vars(ax)

    def _children(self, ax):
        """The artists of one axes that may become dynamic, in draw order (axis objects and the
        background patch never do: they are the frame the rest is drawn in)."""
        skip = {id(ax.patch), *(id(a) for a in ax._axis_map.values()), *(id(a) for a in ax.child_axes)}
        if not (ax.axison and ax.get_frame_on()):     # a full render leaves the frame out too
            skip.update(id(a) for a in ax.spines.values())
        return sorted((a for a in ax.get_children() if id(a) not in skip), key=lambda a: a.get_zorder())

    def _figure_artists(self):
        f = self.figure
        return [*f.texts, *f.legends, *f.lines, *f.patches, *f.images, *f.artists]

    def candidates(self):
        """Every artist whose changes the layers follow."""
        return [a for _, artists in self._groups() for a in artists] + self._figure_artists()

    def _groups(self):
        """(axes, its candidate artists in draw order), in the figure's draw order."""
        return [(ax, self._children(ax)) for ax in self._axes_in_order()]

    def _layout_key(self):
        """Everything outside the artists that a full render depends on, as (what, value) pairs: figure
        size, and per axes its position, limits, scales, tick locators and formatters (compared by
        identity: ``set_xticks`` makes new ones) and axis labels."""
        f = self.figure
        key = [("figure size", (tuple(f.bbox.bounds), f.dpi, f.patch.get_facecolor()))]
        for i, ax in enumerate(self._axes_in_order()):
            name = f"axes {i}" + (f" ({ax.get_title()[:40]!r})" if ax.get_title() else "")
            key += [(f"{name}: presence", (ax, ax.get_visible(), ax.axison)),
                    (f"{name}: position", tuple(ax.get_position().bounds)),
                    (f"{name}: limits", (ax.get_xlim(), ax.get_ylim())),
                    (f"{name}: scales", (ax.get_xscale(), ax.get_yscale()))]
            for axis_name, axis in ax._axis_map.items():
                key += [(f"{name}: {axis_name} ticks", (axis.get_visible(), axis.get_major_locator(),
                         axis.get_minor_locator(), axis.get_major_formatter(), axis.get_minor_formatter())),
                        (f"{name}: {axis_name} label", (axis.label.get_text(), axis.label.get_visible()))]
        return key

    # -- rendering ---------------------------------------------------------------------------------
    def render(self) -> str:
        """Redraw after the artists changed: "layers" if the background could be kept, else "full"
        (``reason`` then says why: what changed that the background depends on)."""
        canvas = self.figure.canvas
        _remember_text(canvas)
        changed, reason = set(), None
        # figure-level artists (fig.text, suptitle) stay in the background: matplotlib leaves animated
        # figure-level artists out of saved pictures too
        if any(a.stale for a in self._figure_artists()):
            reason = "a figure-level artist changed"
        for ax, artists in self._groups():
            if self._own_draw(ax):
                if any(a.stale for a in artists):
                    reason = reason or "an artist of axes with its own draw changed"
            else:
                changed.update(a for a in artists if a.stale)
        if reason is None:
            reason = self._why_not_layers(changed)
        self.reason = reason
        if reason is None:
            canvas.restore_region(self._background)
            for artist in self._order:
                self.figure.draw_artist(artist)
            canvas.blit(self.figure.bbox)
            return "layers"
        if self._background is not None:   # at the first render every artist is new, not changed
            self._promote(changed)
        canvas.draw()                  # -> _on_full_draw takes the background and adds the dynamic artists
        return "full"

    def _why_not_layers(self, changed):
        if self._background is None:
            return "first render"
        new = changed - self.dynamic
        if new:
            artist = next(iter(new))
            return f"{len(new)} artist(s) changed for the first time, e.g. {type(artist).__name__} {artist!r}"
        if self._renderer is not self.figure.canvas.get_renderer():
            return "new renderer (size or dpi)"
        key = self._layout_key()
        if len(key) != len(self._layout):
            return "axes added or removed"
        for (what, value), (_, before) in zip(key, self._layout):
            if not _same(value, before):
                return f"{what} changed"
        return None

    def _promote(self, changed):
        """Make the changed artists dynamic, with every static artist drawn after one and overlapping it."""
        renderer = self.figure.canvas.get_renderer()
        dynamic, order = set(), []
        for ax, artists in self._groups():
            if self._own_draw(ax):
                for artist in artists:
                    artist.set_animated(False)
                continue
            boxes = []
            for artist in artists:
                moving = artist in changed or artist in self.dynamic
                if not moving and boxes and artist.get_visible():
                    box = _extent(artist, renderer)
                    moving = box is not None and any(box.overlaps(b) for b in boxes)
                if moving:
                    dynamic.add(artist)
                    order.append(artist)
                    # a dynamic artist may later paint anywhere it is allowed to (its clip box)
                    boxes.append(_extent(artist, renderer) or self.figure.bbox)
                artist.set_animated(moving)
        self.dynamic, self._order = dynamic, order

    def _on_full_draw(self, event):
        """After a full render (ours, or one the browser asked for): keep the background, add the rest."""
        canvas = self.figure.canvas
        if canvas.is_saving():          # savefig draws every artist itself, into its own picture
            return
        with _no_redraw_requests(self.figure):
            self._keep_background()

    def _keep_background(self):
        canvas = self.figure.canvas
        _remember_text(canvas)
        self._background = canvas.copy_from_bbox(self.figure.bbox)
        self._renderer = canvas.get_renderer()
        # The picture now shows every artist as it is. Invisible and empty artists are not drawn, and
        # axes with a draw of their own may paste pixels instead: mark them all as shown too.
        for ax in self.figure.axes:
            for artist in self._children(ax):
                artist.stale = False
        for artist in self._figure_artists():
            artist.stale = False
        for artist in self._order:
            self.figure.draw_artist(artist)
        self._layout = self._layout_key()


def _whole_image(canvas, compress_level=1):
    """The PNG a web canvas (ipympl) sends the browser after a render: always the whole picture.

    matplotlib's ``FigureCanvasWebAggCore.get_diff_image`` sends, after the first picture, only the
    pixels that changed since the last one ("diff" mode, the rest transparent), for the browser to
    paint over what it shows. But the browser paints a picture only once it has decoded it, and a
    picture that arrives while the one before is still being decoded replaces it (ipympl sets its
    image's source anew): the one before is never painted. A diff painted over a picture that missed
    one shows neither the old nor the new state, and stays wrong where later diffs do not reach; quick
    moves (a drag sends a value at every step) make exactly such bursts. A whole picture does not
    depend on the ones before it, so a picture the browser skips costs nothing but that frame. It costs
    little more either: a figure's picture of the same size, mostly plain background, compresses
    nearly as fast as the diff (and the diff had to be computed).

    matplotlib has Pillow write the PNG at zlib level 6, which tries several row filters: for a
    figure of 800 x 800 pixels that takes 10 to 25 ms of every update. The PNG here is written
    directly (``_png_rgba``: no row filter, zlib level 1), 3 to 4 times faster, for a file about as
    large. Returns None when the picture has not changed since the last call.
    """
    import numpy as np

    if not canvas._png_is_old:
        return None
    canvas.set_image_mode("full")          # (sends the mode to the browser only when it changes)
    pixels = np.asarray(canvas.get_renderer().buffer_rgba())
    canvas._force_full = False
    canvas._png_is_old = False
    return _png_rgba(pixels.view(np.uint32).squeeze(2), compress_level)


def _png_rgba(pixels, compress_level=1) -> bytes:
    """A PNG of an RGBA picture: 8 bits per channel, no row filter, the rows deflated at ``compress_level``.

    pixels : ndarray (height, width) of uint32, one RGBA pixel per word (bytes in the order R, G, B, A)
    """
    import zlib

    import numpy as np

    height, width = pixels.shape
    rows = np.empty((height, 4 * width + 1), dtype=np.uint8)
    rows[:, 0] = 0                                      # each row starts with its filter type: 0, none
    rows[:, 1:] = np.ascontiguousarray(pixels).view(np.uint8).reshape(height, 4 * width)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)   # 8 bits, colour type 6: RGBA
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, compress_level)) + chunk(b"IEND", b""))


def _remember_text(canvas):
    """Let the canvas's Agg renderer draw texts it drew before from their kept glyph masks (the same
    pixels, several times faster; see _text_masks.py)."""
    get_renderer = getattr(canvas, "get_renderer", None)
    renderer = get_renderer() if get_renderer is not None else None
    if renderer is not None and hasattr(renderer, "_renderer"):
        remember_text_masks(renderer)


@contextmanager
def _no_redraw_requests(figure):
    """Within: a figure that turns stale does not ask the front end for a full redraw.

    In an interactive session pyplot asks for a redraw (``draw_idle``) of a figure that turns stale,
    and again after every cell and every widget message of the kernel for each figure still stale;
    with ipympl that asks the browser, which then asks the kernel for a full render. The explorer
    renders each update itself, and the bookkeeping after a full render (reading axes positions,
    drawing the dynamic artists) marks artists stale too: left so, every render would ask for the
    next one, and the kernel and the browser would redraw forever. So within, the request is off,
    and on leaving the figure counts as shown as it is.
    """
    callback, figure.stale_callback = figure.stale_callback, None
    try:
        yield
    finally:
        figure.stale_callback = callback
        figure.stale = False


def _extent(artist, renderer):
    """Where an artist paints: its clip box if it is clipped to one, else its window extent; the
    figure's box if it cannot tell, None if it paints nothing (an empty text)."""
    if artist.get_clip_on() and artist.get_clip_box() is not None:
        return artist.get_clip_box()
    try:
        box = artist.get_window_extent(renderer)
    except Exception:    # an artist that cannot tell: assume it may paint anywhere
        return artist.figure.bbox
    return box if box.width > 0 or box.height > 0 else None


def _same(a, b) -> bool:
    """Equality for layout keys: numbers and strings by value, matplotlib objects by identity."""
    if isinstance(a, tuple) and isinstance(b, tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, (int, float, str, bool, type(None))):
        return type(a) is type(b) and a == b
    return a is b
