"""Text drawn again from its glyph masks: the explorers' largest cost, made small for repeated text.

Drawing a text with matplotlib's Agg renderer lays the string out (shaping, kerning) and renders every
glyph with FreeType before blending the glyphs' coverage masks into the picture in the text's colour.
For a line of 15 characters that is about a millisecond, and an explorer's figure may redraw tens of
texts on every move: tick labels, titles, sample lines. Most of them are the same text at the same
place as at some earlier move; only the blending depends on what lies beneath and on the colour.

``remember_text_masks(renderer)`` makes a renderer keep, for each text it draws (the string, its font,
size, angle, position to the fraction of a pixel, and the settings that change how glyphs are rendered),
the masks it blended and where. Drawn again, the text is blended from the kept masks with the
current colour, clip and alpha: the same calls into the renderer with the same arguments, so the
same pixels, at a fraction of the cost. Mathtext, and any text whose drawing does something other
than blend masks, is drawn as usual and not kept.
"""
from __future__ import annotations

from collections import OrderedDict

import matplotlib
import numpy as np

from . import fast_redraw_enabled

__all__ = ["remember_text_masks"]

# rcParams that change which font is used or how its glyphs are rendered
_RC = ("text.hinting", "text.hinting_factor", "text.kerning_factor", "font.family", "font.serif",
       "font.sans-serif", "font.monospace", "font.cursive", "font.fantasy")


def remember_text_masks(renderer, size: int = 2048):
    """Make an Agg renderer draw repeated texts from kept glyph masks (idempotent); returns the store.

    renderer : matplotlib RendererAgg (``canvas.get_renderer()``)
    size : int, texts kept (the least recently drawn are forgotten first)
    """
    store = getattr(renderer, "_text_masks", None)
    if store is None:
        store = _TextMasks(renderer, size)
        renderer._text_masks = store
        renderer.draw_text = store.draw_text
    return store


def _frozen(value):
    return tuple(value) if isinstance(value, list) else value


class _TextMasks:
    def __init__(self, renderer, size):
        self.renderer, self.size = renderer, size
        self.plain = type(renderer).draw_text.__get__(renderer)
        self.kept: OrderedDict = OrderedDict()
        self.hits = self.misses = 0

    def key(self, gc, x, y, s, prop, angle, mtext):
        features = ()
        if mtext is not None:
            for name in ("get_fontfeatures", "get_language"):
                getter = getattr(mtext, name, None)
                features += (_frozen(getter()),) if getter is not None else ()
        font = (tuple(prop.get_family()), prop.get_style(), prop.get_variant(), prop.get_weight(),
                prop.get_stretch(), prop.get_size_in_points(), prop.get_file())
        settings = tuple(_frozen(matplotlib.rcParams[name]) for name in _RC)
        return (s, font, float(x), float(y), float(angle), bool(gc.get_antialiased()), features, settings)

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if ismath or not fast_redraw_enabled():
            return self.plain(gc, x, y, s, prop, angle, ismath, mtext)
        try:
            key = self.key(gc, x, y, s, prop, angle, mtext)
            hash(key)
        except Exception:        # a setting that cannot be a key: draw as usual
            return self.plain(gc, x, y, s, prop, angle, ismath, mtext)
        masks = self.kept.get(key)
        if masks is not None:
            self.kept.move_to_end(key)
            self.hits += 1
            agg = self.renderer._renderer
            for args in masks:
                agg.draw_text_image(*args, gc)
            return None
        self.misses += 1
        recorder = _Recorder(self.renderer._renderer)
        self.renderer._renderer = recorder
        try:
            result = self.plain(gc, x, y, s, prop, angle, ismath, mtext)
        finally:
            self.renderer._renderer = recorder.real
        if recorder.only_masks:
            self.kept[key] = recorder.masks
            if len(self.kept) > self.size:
                self.kept.popitem(last=False)
        return result


class _Recorder:
    """Stands in for the renderer's C++ half while a text is drawn: passes every call on, and keeps a
    copy of the masks blended (``only_masks`` turns False if the drawing did anything else)."""

    def __init__(self, real):
        self.real, self.masks, self.only_masks = real, [], True

    def draw_text_image(self, image, *args):
        *where, gc = args
        try:
            self.masks.append((np.array(image, dtype=np.uint8, copy=True), *where))
        except Exception:       # not an array of coverage values: do not keep this text
            self.only_masks = False
        return self.real.draw_text_image(image, *args)

    def __getattr__(self, name):
        self.only_masks = False
        return getattr(self.real, name)
