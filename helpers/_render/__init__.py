"""Rendering machinery of the explorers, fenced off from the course's math and views.

The explorers redraw in tens of milliseconds because of the modules here, which reach into matplotlib's
and ipympl's internals: ``layers`` (a kept background with the changing artists drawn on it, and the
picture sent to the browser whole), ``cached_drawing`` (a diagram pasted from one kept picture per state),
``text_masks`` (repeated text blended from kept glyph masks) and ``freetype_lock`` (one lock for text
drawing, installed when the first explorer is built). Nothing in the numeric core or the tasks imports
them.

The off switch: with the environment variable ``HELPERS_FAST_REDRAW=0`` set before the helpers are
imported, or after ``set_fast_redraw(False)``, every explorer update renders the whole figure with
matplotlib's own code and diagrams draw their artists every time: slower, the same pictures. Use it
to tell whether a wrong picture comes from this machinery, or on a matplotlib the bounds in
``requirements.txt`` do not cover.
"""
from __future__ import annotations

import os

__all__ = ["fast_redraw_enabled", "set_fast_redraw"]

_enabled = os.environ.get("HELPERS_FAST_REDRAW", "1").strip().lower() not in ("0", "false", "no", "off")


def fast_redraw_enabled() -> bool:
    """Whether explorers use the fast redraw (kept backgrounds, cached drawings, kept glyph masks)."""
    return _enabled


def set_fast_redraw(on: bool) -> None:
    """Turn the fast redraw on or off for explorers and drawings made from now on (and the renders of
    those already made)."""
    global _enabled
    if not isinstance(on, bool):
        raise ValueError(f"set_fast_redraw: on must be True or False, got {on!r}")
    _enabled = on
