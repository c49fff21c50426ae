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
"""
from __future__ import annotations

import base64
import io
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt

from ._blas import single_blas_thread

__all__ = ["Explorer", "new_figure", "figure_bundle", "show_figure"]


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
        A short HTML/text status shown under the figure (e.g. "the bit survived 7 steps").

    Attributes
    ----------
    result : the latest ``compute`` result.
    last_update_ms : wall time of the latest compute + draw (the benchmarks read it).
    """

    def __init__(self, title, controls, figure, compute, draw, describe=None):
        if not isinstance(controls, dict) or not controls:
            raise ValueError(f"Explorer: controls must be a non-empty dict of widgets, got {controls!r}")
        self.title = title
        self.controls = dict(controls)
        self.figure = figure
        self._compute, self._draw, self._describe = compute, draw, describe
        self.status = widgets.HTML()
        self.result = None
        self.last_update_ms = float("nan")
        self._holding = False
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
        self._output = None
        if not isinstance(figure.canvas, widgets.DOMWidget):
            # Not the ipympl backend (e.g. plain inline): show the figure inside an Output widget.
            self._output = widgets.Output()
        self.refresh()

    # -- state -----------------------------------------------------------------------------------
    def values(self) -> dict:
        """The current value of every control, by name."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self):
        """Recompute from the current control values and redraw; returns the result."""
        start = time.perf_counter()
        with single_blas_thread():  # small products: one thread is faster (see _blas.py)
            self.result = self._compute(**self.values())
        self._draw(self.result)
        if self._describe is not None:
            self.status.value = self._describe(self.result)
        if self._output is None:
            self.figure.canvas.draw_idle()
        else:
            from IPython.display import clear_output, display
            with self._output:
                clear_output(wait=True)
                display(self.figure)
        self.last_update_ms = 1000.0 * (time.perf_counter() - start)
        return self.result

    def set(self, **values):
        """Set several controls at once (one recompute instead of one per control); returns the result.

        An unknown name raises ValueError listing the controls.
        """
        unknown = sorted(set(values) - set(self.controls))
        if unknown:
            raise ValueError(f"Explorer.set: no control named {', '.join(unknown)} "
                             f"(controls: {', '.join(self.controls)})")
        self._holding = True
        try:
            for name, value in values.items():
                self.controls[name].value = value
        finally:
            self._holding = False
        return self.refresh()

    def _on_change(self, change):
        if not self._holding:
            self.refresh()

    # -- views -----------------------------------------------------------------------------------
    @property
    def widget(self):
        """The live view: controls, figure and status line in one box."""
        view = self._output if self._output is not None else self.figure.canvas
        controls = widgets.HBox(list(self.controls.values()),
                                layout=widgets.Layout(flex_flow="row wrap"))
        return widgets.VBox([controls, view, self.status])

    def snapshot_png(self) -> bytes:
        """The current picture as PNG bytes."""
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=self.figure.dpi)
        return buf.getvalue()

    def _repr_mimebundle_(self, include=None, exclude=None):
        box = self.widget
        bundle = box._repr_mimebundle_(include=include, exclude=exclude) or {}
        if isinstance(bundle, tuple):
            bundle = bundle[0]
        bundle = dict(bundle)
        bundle["image/png"] = base64.b64encode(self.snapshot_png()).decode("ascii")
        bundle["text/plain"] = f"Explorer: {self.title} (run the notebook to use its controls)"
        return bundle

    def __repr__(self):
        return f"Explorer({self.title!r}, controls={list(self.controls)})"
