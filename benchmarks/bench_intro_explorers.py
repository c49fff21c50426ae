"""Time one update of the explorers of notebooks 00 and 01, headlessly (Agg backend).

For each explorer it moves the controls through a fixed list of values and reports two medians, in ms:

    update   Explorer.last_update_ms: compute + draw (the artists' set_data / set_text calls)
    render   the same plus a full Agg render of the figure (canvas.draw()), which is roughly what the
             ipympl backend does before it sends the new picture to the browser

Usage:
    python benchmarks/bench_intro_explorers.py               # 40 updates per explorer
    python benchmarks/bench_intro_explorers.py --updates 100
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

from helpers.intro_views import tanh_explorer, tokenizer_explorer
from helpers.text import tokenize_words

SENTENCES = [  # a few lines in the spirit of notebook 01's corpus
    "Maya Okafor designs bridges for the city.",
    "Tomas repairs old clocks in a small shop near the river.",
    "The cat sleeps on the warm windowsill all afternoon.",
    "Maya and Tomas meet at the market every Saturday.",
    "A cat can sleep for 15 hours a day.",
    "The old bridge over the river needs new paint.",
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
    corpus = [tokenize_words(s, punctuation="drop") for s in SENTENCES]
    words = "the cat and maya meet a zebra near the old river at night".split()
    cases = [
        ("00 tanh slider", lambda: tanh_explorer(),
         [{"w": -3.0 + 6.0 * i / n, "b": 0.1 * (i % 7) - 0.3} for i in range(n)]),
        ("01 tokenizer", lambda: tokenizer_explorer(corpus, "the cat", k=10, max_k=20, max_len=12),
         [{"text": " ".join(words[: 1 + i % len(words)]), "k": 1 + i % 20, "eos": bool(i % 2)} for i in range(n)]),
    ]
    print(f"{'explorer':<16} {'update ms':>10} {'update + render ms':>20}")
    for name, build, settings in cases:
        with contextlib.redirect_stdout(io.StringIO()):  # without ipympl the explorer displays into an Output
            explorer = build()
            upd, ren = measure(explorer, settings)
        print(f"{name:<16} {upd:>10.2f} {ren:>20.1f}")


if __name__ == "__main__":
    main()
