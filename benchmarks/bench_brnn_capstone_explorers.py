"""Time one update of the explorers of notebooks 10 and 12, headlessly (Agg backend).

For each explorer it moves the controls through a fixed list of values and reports two medians, in ms:

    update   Explorer.last_update_ms: compute + draw (the artists' set_height / set_data / set_text calls)
    render   the same plus a full Agg render of the figure (canvas.draw()), roughly what the ipympl
             backend does before it sends the new picture to the browser

The influence explorer of notebook 10 needs two trained taggers; they are trained here as in the
notebook (a few seconds of CPU time), before any timing starts.

Usage:
    python benchmarks/bench_brnn_capstone_explorers.py               # 40 updates per explorer
    python benchmarks/bench_brnn_capstone_explorers.py --updates 100
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

from helpers.brnn_explorers import fit_network, influence_explorer, init_network
from helpers.capstone import config_label, load_results, sweep_explorer
from helpers.lookahead_task import encode_lookahead, lookahead_vocabulary, make_lookahead_data


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


def taggers():
    """The two trained taggers and the test data of notebook 10."""
    vocab = lookahead_vocabulary()
    train = encode_lookahead(*make_lookahead_data(300, seed=1), vocab)
    test = encode_lookahead(*make_lookahead_data(200, seed=2), vocab)
    settings = dict(epochs=15, batch_size=32, learning_rate=0.02, seed=0)
    nets = []
    for kind, n_a in (("uni", 16), ("bi", 8)):
        net = init_network(kind, len(vocab), n_a, 2, cell="rnn", seed=0)
        nets.append(fit_network(net, train["x"], train["y"], train["mask"], train["lengths"], **settings)[0])
    return nets[0], nets[1], test


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=40, help="updates per explorer (default 40)")
    n = parser.parse_args().updates
    uni, bi, test = taggers()
    examples = list(range(8))
    stored = load_results()
    labels = [config_label(c, kb) for c, kb in stored["settings"]["configs"]]
    gaps = stored["settings"]["gaps"]
    cases = [
        ("10 influence", lambda: influence_explorer(uni, bi, test, examples),
         [{"sentence": examples[i % len(examples)], "t": 1 + i % int(test["lengths"][examples[i % len(examples)]])}
          for i in range(n)]),
        ("12 sweep browser", lambda: sweep_explorer(stored),
         [{"config": labels[i % len(labels)], "gap": gaps[(i // len(labels)) % len(gaps)]} for i in range(n)]),
    ]
    print(f"{'explorer':<18} {'update ms':>10} {'update + render ms':>20}")
    for name, build, settings in cases:
        with contextlib.redirect_stdout(io.StringIO()):  # without ipympl the explorer displays into an Output
            explorer = build()
            upd, ren = measure(explorer, settings)
        print(f"{name:<18} {upd:>10.2f} {ren:>20.1f}")


if __name__ == "__main__":
    main()
