"""Time one update of the gate explorers of notebooks 08 (GRU) and 09 (LSTM), headlessly (Agg backend).

For each explorer it moves the controls through a fixed list of settings and reports two medians, in ms:

    update   Explorer.last_update_ms: compute (forward + backward of the cell) + draw (the artists'
             set_data / set_text calls)
    render   the same plus a full Agg render of the figure (canvas.draw()), roughly what the ipympl
             backend does before it sends the new picture to the browser

Usage:
    python benchmarks/bench_gate_explorers.py               # 40 updates per explorer
    python benchmarks/bench_gate_explorers.py --updates 100
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import statistics
import sys
import time

import matplotlib

matplotlib.use("Agg")

try:
    import helpers  # noqa: F401  (installed editable, or run from the repository root)
except ImportError:  # run as a plain script from somewhere else: use the repository this file lives in
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from helpers.gate_explorers import gru_gate_explorer, lstm_gate_explorer


def measure(explorer, settings):
    """Median last_update_ms and median update + full render, over the settings (dicts of control values)."""
    update, render = [], []
    explorer.figure.canvas.draw()  # warm-up: fonts, layout caches
    for values in settings:
        start = time.perf_counter()
        explorer.set(**values)
        update.append(explorer.last_update_ms)
        explorer.figure.canvas.draw()
        render.append(1000.0 * (time.perf_counter() - start))
    return statistics.median(update), statistics.median(render)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=40, help="updates per explorer (default 40)")
    n = parser.parse_args().updates
    gates = [round(0.05 * k, 2) for k in range(21)]
    cases = [
        ("08 GRU gates", gru_gate_explorer,
         [{"u_hold": gates[i % 21], "r": gates[(3 * i) % 21], "write": 1 + i % 14,
           "subject": "cats" if i % 5 == 0 else "cat"} for i in range(n)]),
        ("09 LSTM gates", lstm_gate_explorer,
         [{"f_hold": gates[i % 21], "u_hold": gates[(7 * i) % 21], "o_hold": gates[(3 * i) % 21],
           "peephole": bool(i % 2), "p": -2.0 + 0.25 * (i % 17), "write": 1 + i % 14} for i in range(n)]),
    ]
    print(f"{'explorer':<16} {'update ms':>10} {'update + render ms':>20}")
    for name, build, settings in cases:
        with contextlib.redirect_stdout(io.StringIO()):  # without ipympl the explorer displays into an Output
            explorer = build()
            upd, ren = measure(explorer, settings)
        print(f"{name:<16} {upd:>10.2f} {ren:>20.1f}")


if __name__ == "__main__":
    main()
