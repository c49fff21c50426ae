"""One lock for the text drawing of matplotlib's Agg renderer, shared by every thread of the process.

matplotlib renders glyphs with the FreeType library it bundles, whose rasteriser keeps its working
memory in the library object that every font shares. Two threads that draw text at the same moment
can therefore fail ("FT_Render_Glyph ... failed with error 0x62: raster overflow") or garble each
other's glyphs, even on separate figures. A kernel does draw from two threads: a cell on the main
thread, and a widget message (a control moved, the browser asking for a picture) on a thread of its
own.

``install()`` wraps the three renderer methods that reach FreeType's rasteriser (``draw_text``,
``draw_mathtext``, and ``get_text_width_height_descent``, which rasterises mathtext to measure it) in one
process-wide re-entrant lock. Nothing else is locked, so the cost is one lock per text, and a thread
holding it takes no other lock (no lock order to get wrong).
"""
from __future__ import annotations

import functools
import threading

from matplotlib.backends.backend_agg import RendererAgg

__all__ = ["FREETYPE_LOCK", "install"]

FREETYPE_LOCK = threading.RLock()
_METHODS = ("draw_text", "draw_mathtext", "get_text_width_height_descent")


def _locked(method):
    @functools.wraps(method)
    def locked(*args, **kwargs):
        with FREETYPE_LOCK:
            return method(*args, **kwargs)
    locked.__wrapped_by_freetype_lock__ = method
    return locked


def install():
    """Wrap RendererAgg's text methods in FREETYPE_LOCK (idempotent)."""
    for name in _METHODS:
        method = getattr(RendererAgg, name)
        if not hasattr(method, "__wrapped_by_freetype_lock__"):
            setattr(RendererAgg, name, _locked(method))


def uninstall():
    """Undo ``install`` (for the test that shows what the lock prevents)."""
    for name in _METHODS:
        method = getattr(RendererAgg, name)
        if hasattr(method, "__wrapped_by_freetype_lock__"):
            setattr(RendererAgg, name, method.__wrapped_by_freetype_lock__)
