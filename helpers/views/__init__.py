"""Explorers and plots only: what the notebooks show. Each explorer is a ``helpers.views.explorer.Explorer``
(controls, one figure, a pure ``compute`` and a ``draw``); the fast-redraw machinery they rely on is
fenced off in ``helpers._render``."""
