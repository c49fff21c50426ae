"""Time one update of the explorers of notebooks 02, 03 and 04, headlessly (Agg backend).

For each explorer it moves the controls through a fixed list of values and reports two medians, in ms:

    update   Explorer.last_update_ms: compute + draw (the artists' set_data / set_text / colour calls)
    render   the same plus a full Agg render of the figure (canvas.draw()), roughly what the ipympl
             backend does before it sends the new picture to the browser

The models are those of the notebooks: the name tagger trained by ``ner.train_name_tagger`` (02), the
same tagger before training (03), and the five diagrams of ``diagrams.rnn_types_explorer`` (04).

Usage:
    python benchmarks/bench_rnn_explorers.py               # 40 updates per explorer
    python benchmarks/bench_rnn_explorers.py --updates 100
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

from helpers.diagrams import KINDS, rnn_types_explorer
from helpers.ner import as_binary_tagger, train_name_tagger
from helpers.rnn_explorers import backward_stepper, time_step_explorer
from helpers.training import init_model

SENTENCES = [
    "harry potter and hermione granger invented a new spell",
    "he said teddy roosevelt was a great president",
    "he said teddy bears are on sale",
]


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
    tagger = train_name_tagger(n_train=400, n_a=16, epochs=10, seed=0)
    trained = as_binary_tagger(tagger["model"])
    untrained = as_binary_tagger(init_model("rnn", len(tagger["vocab"]), 16, 2, seed=0))
    cases = [
        ("02 time step", lambda: time_step_explorer(trained, tagger["vocab"], SENTENCES),
         [{"sentence": SENTENCES[i % 3], "t": 1 + i % 9} for i in range(n)]),
        ("03 BPTT stepper", lambda: backward_stepper(untrained, tagger["vocab"], SENTENCES[1],
                                                     [0, 0, 1, 1, 0, 0, 0, 0]),
         [{"s": 8 - i % 8} for i in range(n)]),
        ("04 RNN types", lambda: rnn_types_explorer(),
         [{"kind": KINDS[i % 5], "step": 1 + i % 7} for i in range(n)]),
    ]
    print(f"{'explorer':<16} {'update ms':>10} {'update + render ms':>20}")
    for name, build, settings in cases:
        with contextlib.redirect_stdout(io.StringIO()):  # without ipympl the explorer displays into an Output
            explorer = build()
            upd, ren = measure(explorer, settings)
        print(f"{name:<16} {upd:>10.2f} {ren:>20.1f}")


if __name__ == "__main__":
    main()
