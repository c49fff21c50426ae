"""A group of artists drawn from a pixel cache, one kept picture per state (see ``CachedDrawing``).

Rendering machinery (``helpers._render``): the diagrams of ``helpers/views/diagrams.py`` and the explorers
use it so that a diagram of a hundred artists costs a paste, not a drawing, when a slider moves.
"""
from __future__ import annotations

import threading
import zlib

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.transforms import Bbox

from . import fast_redraw_enabled
from .text_masks import remember_text_masks

__all__ = ["CachedDrawing"]


class CachedDrawing(Artist):
    """A group of artists drawn from a pixel cache: one picture per *state* of the group.

    A diagram of ~100 boxes, arrows and labels costs tens of milliseconds to draw, yet an explorer
    only ever shows it in a few states (one colouring per time step, say). This artist takes the given
    artists out of their axes and draws them itself: on an Agg canvas it draws each state once, off
    screen on the figure's background, keeps the pixels the state paints (compressed: a few tens of kB
    per state), and from then on pastes them. The states listed in ``states`` are drawn at the first
    render (so that every later move is a paste), any other state the first time it is shown (that
    move costs one drawing of the members). Nothing is drawn on another thread. For an explorer's fast
    redraw it is one artist that changes (``show``), not a hundred.

    The picture is the same, pixel for pixel, as drawing the artists in place, provided they lie on the
    figure's plain background (no other artist under them, no axes background: ``ax.axis("off")`` or
    outside the axes). Renderers without pixel access (PDF, SVG) and pictures saved at another size
    draw the artists as usual. Drawing and ``show`` hold a lock: a kernel may draw a figure from two
    threads (cells, and widget messages on a subshell).

    Parameters
    ----------
    ax : matplotlib Axes, the axes the artists were added to (it holds this artist instead).
    members : list of artists of ``ax`` (drawn in the axes' order: by zorder, then as added).
    apply : callable (state) -> None, sets the members' properties to show ``state``.
    state : hashable, the state shown now (``apply(state)`` is called).
    states : iterable of hashable, the states drawn ahead at the first render.

    Attributes
    ----------
    state : the state shown.
    cache_enabled : bool (default True); False draws the members every time (to compare pictures).
    """

    def __init__(self, ax, members, apply, state, states=()):
        super().__init__()
        children = ax.get_children()
        position = {id(a): i for i, a in enumerate(children)}
        missing = [a for a in members if id(a) not in position]
        if missing or not members:
            raise ValueError(f"CachedDrawing: members must be a non-empty list of artists of ax, got "
                             f"{missing[0] if missing else members!r}")
        self.members = sorted(members, key=lambda a: (a.get_zorder(), position[id(a)]))
        self._apply = apply
        self.states = list(dict.fromkeys(states))
        self.cache_enabled = True   # (and the fast redraw on: see helpers._render)
        self._lock = threading.RLock()
        self._setting = None      # the canvas (size, dpi, background, place) the pixels belong to
        self._pixels = {}         # state -> (crop (x0, y0, x1, y1) in canvas pixels, top down, or None; bytes)
        self._offscreen = None    # (a renderer to draw the states on, its plain background's pixels)
        self._scratch = None      # a pixel region holding every crop, refilled before each paste
        self._box = None          # the union of the crops, in display coordinates
        figure = ax.get_figure(root=False)
        for artist in self.members:
            artist.remove()       # the group draws them; they keep their transforms and clipping
            artist.axes = ax
            artist.set_figure(figure)
        self.set_zorder(self.members[0].get_zorder())
        ax.add_artist(self)
        self.set_clip_on(False)   # it paints where its members do (see get_window_extent)
        self.state = self._applied = state
        apply(state)

    def show(self, state) -> None:
        """Show ``state``: set the members (``apply``) and mark the picture as changed, if it differs."""
        with self._lock:
            if state != self.state:
                self._set_members(state)
                self.state = state
                self.stale = True

    def _set_members(self, state):
        if state != self._applied:
            self._apply(state)
            self._applied = state

    def _members_box(self, renderer):
        """Where the visible members may paint: the clip box of a clipped one, the extent of the others."""
        boxes = []
        for artist in self.members:
            if not artist.get_visible():
                continue
            clip = artist.get_clip_box() if artist.get_clip_on() else None
            box = clip if clip is not None else artist.get_window_extent(renderer)
            if box.width > 0 or box.height > 0:
                boxes.append(box)
        return Bbox.union(boxes) if boxes else None

    def get_window_extent(self, renderer=None):
        """Where the group paints: every pixel its kept pictures change, or its members' box."""
        if self._box is not None:
            return self._box
        renderer = renderer or self.get_figure(root=True).canvas.get_renderer()
        return self._members_box(renderer) or Bbox.null()

    def _setting_of(self, renderer):
        figure = self.get_figure(root=True)
        return (renderer.width, renderer.height, float(renderer.dpi), tuple(figure.patch.get_facecolor()),
                tuple(figure.patch.get_edgecolor()), figure.patch.get_linewidth(), figure.patch.get_visible(),
                tuple(self.axes.bbox.bounds))

    def _draw_members(self, renderer):
        for artist in self.members:
            artist.draw(renderer)

    def draw(self, renderer):
        if not self.get_visible():
            return
        with self._lock:
            figure = self.get_figure(root=True)
            pixels = all(hasattr(renderer, m) for m in ("buffer_rgba", "copy_from_bbox", "restore_region"))
            setting = self._setting_of(renderer) if pixels else None
            if not (pixels and self.cache_enabled and fast_redraw_enabled()) or (setting != self._setting and figure.canvas.is_saving()):
                self._draw_members(renderer)       # no pixels to keep, or a one-off picture of another size
            else:
                if setting != self._setting:
                    self._prepare(renderer, setting)
                if self.state not in self._pixels:
                    self._render(self.state)
                self._paste(renderer, self.state)
        self.stale = False

    def _prepare(self, renderer, setting):
        """A fresh off-screen canvas of this size, and every state of ``states`` drawn on it."""
        figure = self.get_figure(root=True)
        offscreen = RendererAgg(int(renderer.width), int(renderer.height), renderer.dpi)
        remember_text_masks(offscreen)      # the states share most labels: blend their kept glyph masks
        figure.patch.draw(offscreen)                        # the figure's background, as under the group
        self._offscreen = (offscreen, np.asarray(offscreen.buffer_rgba()).copy())
        self._setting, self._pixels, self._scratch, self._box = setting, {}, None, None
        for state in self.states:
            self._render(state)
        self._set_members(self.state)

    def _render(self, state):
        """Draw ``state`` off screen and keep the pixels it changes (x0, y0, x1, y1: columns and rows)."""
        offscreen, plain = self._offscreen
        self._set_members(state)
        self._draw_members(offscreen)
        canvas = np.asarray(offscreen.buffer_rgba())
        changed = canvas.view(np.uint32)[:, :, 0] != plain.view(np.uint32)[:, :, 0]
        rows, cols = np.flatnonzero(changed.any(axis=1)), np.flatnonzero(changed.any(axis=0))
        if not rows.size:
            self._pixels[state] = (None, b"")
            return
        x0, y0, x1, y1 = int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1
        self._pixels[state] = ((x0, y0, x1, y1), zlib.compress(canvas[y0:y1, x0:x1].tobytes(), 1))
        canvas[y0:y1, x0:x1] = plain[y0:y1, x0:x1]                                     # plain again
        height = offscreen.height
        box = Bbox([[x0, height - y1], [x1, height - y0]])
        if self._box is None or not (self._box.x0 <= box.x0 and self._box.y0 <= box.y0
                                     and box.x1 <= self._box.x1 and box.y1 <= self._box.y1):
            self._box = box if self._box is None else Bbox.union([box, self._box])
            self._scratch = offscreen.copy_from_bbox(self._box)

    def _paste(self, renderer, state):
        crop, data = self._pixels[state]
        if crop is None:
            return                                 # this state paints nothing
        x0, y0, x1, y1 = crop
        left, top = self._scratch.get_extents()[:2]
        pixels = np.asarray(self._scratch)
        pixels[y0 - top:y1 - top, x0 - left:x1 - left] = (
            np.frombuffer(zlib.decompress(data), np.uint8).reshape(y1 - y0, x1 - x0, 4))
        renderer.restore_region(self._scratch, bbox=(x0, y0, x1 - 1, y1 - 1), xy=(left, top))
