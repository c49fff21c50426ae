"""The fast redraw of an explorer's figure: a kept background and the artists that change drawn on it.

This is rendering machinery, fenced off from the course's math and views: it reaches into matplotlib
and ipympl internals (a web canvas's ``_png_is_old`` and ``_force_full``, the axes' ``_axis_map``), so
``pyproject.toml``/``requirements.txt`` bound matplotlib and ipympl from above, and ``helpers._render``
has an off switch (``HELPERS_FAST_REDRAW=0``) that falls back to plain full renders. How the layers
work is told in ``helpers/views/explorer.py``'s module docstring.
"""
from __future__ import annotations

import struct
from contextlib import contextmanager

from . import fast_redraw_enabled
from .text_masks import remember_text_masks

__all__ = ["Layers", "whole_image", "png_rgba", "remember_text", "no_redraw_requests"]


class Layers:
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
        if not fast_redraw_enabled():
            self.reason = "the fast redraw is off (helpers._render)"
            for artist in self._order:      # turned off after some artists became dynamic
                artist.set_animated(False)
            self.dynamic, self._order, self._background = set(), [], None
            canvas.draw()
            return "full"
        remember_text(canvas)
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
        if canvas.is_saving() or not fast_redraw_enabled():   # savefig draws every artist itself
            return
        with no_redraw_requests(self.figure):
            self._keep_background()

    def _keep_background(self):
        canvas = self.figure.canvas
        remember_text(canvas)
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


def whole_image(canvas, compress_level=1):
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
    return png_rgba(pixels.view(np.uint32).squeeze(2), compress_level)


def png_rgba(pixels, compress_level=1) -> bytes:
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


def remember_text(canvas):
    """Let the canvas's Agg renderer draw texts it drew before from their kept glyph masks (the same
    pixels, several times faster; see text_masks.py)."""
    get_renderer = getattr(canvas, "get_renderer", None)
    renderer = get_renderer() if get_renderer is not None else None
    if renderer is not None and hasattr(renderer, "_renderer"):
        remember_text_masks(renderer)


@contextmanager
def no_redraw_requests(figure):
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
