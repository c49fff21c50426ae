"""Time the update of every explorer listed in EXPLORERS, headlessly (Agg backend), and print medians.

Each entry of EXPLORERS names a builder ("module:function") and, optionally, a function that makes the
builder's arguments (for explorers built on data, e.g. a finished training sweep) and limits for some
controls. The script builds the explorer, then moves its controls to random settings drawn from the
widgets' own ranges (sliders: uniform between min and max; drop-downs, toggle buttons and selection
sliders: one of the options; check boxes: True or False), seeded so every run times the same settings.
A limit narrows a control: a (low, high) pair for a slider, a list of the values allowed otherwise.

For every explorer it prints, in ms:

    update    median of Explorer.last_update_ms: compute + draw (the artists' set_data / set_text calls)
    p90       the 90th percentile of the same
    render    median of update + a full Agg render of the figure (canvas.draw()), roughly what the ipympl
              backend does before it sends the new picture to the browser

The target of the course is update <= 100 ms. To time another notebook's explorers, add entries below.

Usage:
    python benchmarks/bench_explorers.py                 # 30 settings per explorer
    python benchmarks/bench_explorers.py --updates 60 --only "07"
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

try:
    import helpers  # noqa: F401  (installed editable, or run from the repository root)
except ImportError:  # run as a plain script from elsewhere: use the repository this file lives in
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402


def _clipping_sweep_args():
    from helpers.clipping_demo import clipping_sweep
    return (clipping_sweep(),), {}


# name, builder, make_args (None, or a function returning (args, kwargs)), limits {control: (low, high) | [values]}
EXPLORERS = [
    ("07 gradient flow (T <= 200)", "helpers.gradient_explorers:gradient_flow_explorer", None, {"T": (1, 200)}),
    ("07 gradient flow, RNN", "helpers.gradient_explorers:gradient_flow_explorer", None,
     {"T": (1, 200), "cell": ["RNN"]}),
    ("07 gradient flow, GRU", "helpers.gradient_explorers:gradient_flow_explorer", None,
     {"T": (1, 200), "cell": ["GRU"]}),
    ("07 gradient flow, LSTM", "helpers.gradient_explorers:gradient_flow_explorer", None,
     {"T": (1, 200), "cell": ["LSTM"]}),
    ("07 gradient flow, map off", "helpers.gradient_explorers:gradient_flow_explorer", None,
     {"T": (1, 200), "reach": [False]}),
    ("07 flow worst: LSTM T=200 n_a=64", "helpers.gradient_explorers:gradient_flow_explorer", None,
     {"T": [200], "n_a": [64], "cell": ["LSTM"], "reach": [True]}),
    ("07 clip 2-D", "helpers.gradient_explorers:clip_2d_explorer", None, {}),
    ("07 clipping sweep", "helpers.clipping_demo:clipping_sweep_explorer", _clipping_sweep_args, {}),
]


def load(spec):
    """The function named by "package.module:function"."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def random_value(control, rng, limit=None):
    """A random value for one control widget, within its range (narrowed by ``limit``)."""
    if isinstance(limit, list):
        return limit[rng.integers(len(limit))]
    if isinstance(control, widgets.Checkbox):
        return bool(rng.integers(2))
    if isinstance(control, (widgets.IntSlider, widgets.BoundedIntText)):
        low, high = limit if limit is not None else (control.min, control.max)
        return int(rng.integers(max(low, control.min), min(high, control.max) + 1))
    if isinstance(control, (widgets.FloatSlider, widgets.FloatLogSlider, widgets.BoundedFloatText)):
        low, high = limit if limit is not None else (control.min, control.max)
        if isinstance(control, widgets.FloatLogSlider):
            return float(control.base ** rng.uniform(low, high))
        return float(rng.uniform(max(low, control.min), min(high, control.max)))
    options = getattr(control, "options", None)
    if options:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        return values[rng.integers(len(values))]
    return control.value          # a control we do not know how to vary (e.g. free text): keep it


def settings_for(explorer, n, limits, seed):
    """n random settings of every control of the explorer."""
    rng = np.random.default_rng(seed)
    return [{name: random_value(control, rng, limits.get(name)) for name, control in explorer.controls.items()}
            for _ in range(n)]


def measure(explorer, settings):
    """Lists of update times (last_update_ms) and update + render times, in ms."""
    update, render = [], []
    explorer.figure.canvas.draw()          # warm-up: fonts, layout caches
    for values in settings:
        start = time.perf_counter()
        explorer.set(**values)
        update.append(explorer.last_update_ms)
        explorer.figure.canvas.draw()
        render.append(1000.0 * (time.perf_counter() - start))
    return update, render


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=30, help="settings per explorer (default 30)")
    parser.add_argument("--only", default="", help="time only the explorers whose name contains this text")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random settings (default 0)")
    args = parser.parse_args()
    import matplotlib.pyplot as plt

    print(f"{'explorer':<36} {'updates':>7} {'update ms':>10} {'p90 ms':>8} {'update + render ms':>19}")
    for name, builder, make_args, limits in EXPLORERS:
        if args.only not in name:
            continue
        pos, kw = make_args() if make_args is not None else ((), {})
        with contextlib.redirect_stdout(io.StringIO()):   # without ipympl the explorer displays into an Output
            explorer = load(builder)(*pos, **kw)
            update, render = measure(explorer, settings_for(explorer, args.updates, limits, args.seed))
        plt.close(explorer.figure)
        p90 = float(np.percentile(update, 90))
        print(f"{name:<36} {len(update):>7} {statistics.median(update):>10.1f} {p90:>8.1f} "
              f"{statistics.median(render):>19.1f}")


if __name__ == "__main__":
    main()
