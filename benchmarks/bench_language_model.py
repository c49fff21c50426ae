"""Training throughput of the character-level language model, batched vs one character at a time.

Both train a 100-unit tanh RNN on the census first names of ``data/names`` (26 letters + <EOS>) and
count the characters they learn from per second (every <EOS> counts as a character):

    batched      ``helpers.tasks.language_model.train_language_model``: m names side by side, padded and
                 masked, one matrix product per time step for the whole batch (BPTT with the course's
                 ``rnn`` module, global-norm clipping, Adam). Reported for a few batch sizes and both
                 ways of forming batches ("random", and "by_length", which computes almost no padding).
    per char     a loop in the style of Karpathy's min-char-rnn, written out below: the names joined
                 by newlines into one text, read in windows of 25 characters, every step a
                 matrix-vector product on one column, Adagrad, clipping each entry to [-5, 5].

It also times the temperature explorer of notebook 06 (compute + draw, Agg backend, median of
``Explorer.last_update_ms``). Both trainers run with one BLAS thread (``single_blas_thread``), so
the numbers are per core and do not depend on how many cores the machine has. On a busy machine wall
time can be far above CPU time; both are printed, with the median of several repeats.

Usage:
    python benchmarks/bench_language_model.py              # about a minute
    python benchmarks/bench_language_model.py --quick      # fewer repeats
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

import numpy as np  # noqa: E402

try:
    import helpers  # noqa: F401  (installed editable, or run from the repository root)
except ImportError:  # run as a plain script from somewhere else: use the repository this file lives in
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from helpers.tasks.language_model import (  # noqa: E402
                                          build_vocabulary,
                                          load_names,
                                          single_blas_thread,
                                          tokenize,
                                          train_language_model,
                                          )
from helpers.views.sampling_explorer import temperature_explorer  # noqa: E402

N_A = 100
TARGET = 100_000


def batched(train, vocab, batch_size: int, batching: str, epochs: int, repeats: int) -> dict:
    """Median characters per second (wall and CPU) of train_language_model over a few runs."""
    wall, cpu = [], []
    for r in range(repeats):
        _, h = train_language_model(train, vocab, n_a=N_A, epochs=epochs, batch_size=batch_size,
                                    batching=batching, seed=r)
        chars = float(h["train_tokens"].sum())
        wall.append(chars / h["seconds"][-1])
        cpu.append(chars / h["cpu_seconds"][-1])
        padding = 1.0 - h["train_tokens"][0] / h["padded_steps"][0]
    return {"wall": statistics.median(wall), "cpu": statistics.median(cpu), "padding": padding}


def min_char_rnn(text: str, n_chars: int, seq_length: int = 25, lr: float = 0.1, seed: int = 0) -> dict:
    """Train a min-char-rnn style RNN on ``n_chars`` characters of ``text``, one character per step.

        h<t> = tanh(Wxh x<t> + Whh h<t-1> + bh),  y<t> = Why h<t> + by,  p<t> = softmax(y<t>)

    Returns characters per second (wall and CPU) and the mean loss per character of the last window.
    """
    chars = sorted(set(text))
    index = {c: i for i, c in enumerate(chars)}
    V = len(chars)
    rng = np.random.default_rng(seed)
    Wxh = rng.normal(0, 0.01, (N_A, V))
    Whh = rng.normal(0, 0.01, (N_A, N_A))
    Why = rng.normal(0, 0.01, (V, N_A))
    bh, by = np.zeros((N_A, 1)), np.zeros((V, 1))
    params = [Wxh, Whh, Why, bh, by]
    memory = [np.zeros_like(p) for p in params]
    h_prev = np.zeros((N_A, 1))
    data = [index[c] for c in text]
    p, done, loss = 0, 0, 0.0
    wall0, cpu0 = time.perf_counter(), time.process_time()
    while done < n_chars:
        if p + seq_length + 1 >= len(data):
            p, h_prev = 0, np.zeros((N_A, 1))
        inputs, targets = data[p:p + seq_length], data[p + 1:p + seq_length + 1]
        xs, hs, ps = {}, {-1: h_prev}, {}
        loss = 0.0
        for t, (i, j) in enumerate(zip(inputs, targets)):                   # forward, one character
            xs[t] = np.zeros((V, 1))
            xs[t][i] = 1.0
            hs[t] = np.tanh(Wxh @ xs[t] + Whh @ hs[t - 1] + bh)
            y = Why @ hs[t] + by
            e = np.exp(y - y.max())
            ps[t] = e / e.sum()
            loss -= float(np.log(ps[t][j, 0]))
        grads = [np.zeros_like(q) for q in params]
        dWxh, dWhh, dWhy, dbh, dby = grads
        dh_next = np.zeros((N_A, 1))
        for t in reversed(range(len(inputs))):                               # BPTT, one character
            dy = ps[t].copy()
            dy[targets[t]] -= 1.0
            dWhy += dy @ hs[t].T
            dby += dy
            dh = Why.T @ dy + dh_next
            draw = (1.0 - hs[t] * hs[t]) * dh
            dbh += draw
            dWxh += draw @ xs[t].T
            dWhh += draw @ hs[t - 1].T
            dh_next = Whh.T @ draw
        for q, g, mem in zip(params, grads, memory):                         # clip, Adagrad
            np.clip(g, -5, 5, out=g)
            mem += g * g
            q -= lr * g / np.sqrt(mem + 1e-8)
        h_prev = hs[len(inputs) - 1]
        p += seq_length
        done += len(inputs)
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return {"wall": done / wall, "cpu": done / cpu, "loss": loss / seq_length}


def explorer_median(updates: int) -> float:
    """Median compute + draw time of the temperature explorer, in ms, over ``updates`` control changes."""
    train = load_names("train")
    lm, _ = train_language_model(tokenize(train, "char"), n_a=N_A, epochs=1, batch_size=64, seed=0)
    times = []
    # without a notebook the explorer shows its figure through an Output widget, which prints a repr
    with contextlib.redirect_stdout(io.StringIO()):
        explorer = temperature_explorer(lm, known=train)
        explorer.figure.canvas.draw()
        for i in range(updates):
            explorer.set(temperature=0.1 + (i % 12) * 0.25, seed=i % 7, prefix=("", "ma", "jo")[i % 3])
            times.append(explorer.last_update_ms)
    return statistics.median(times)


def load_line(when: str) -> str:
    """The load average, with a note when other programs compete for the CPUs."""
    if not hasattr(os, "getloadavg"):
        return f"load average {when}: not available"
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    note = " (busy: other programs compete for the CPUs, so even CPU times are inflated)" \
        if load > 0.5 * cpus + 0.5 else ""
    return f"load average {when}: {load:.1f} on {cpus} CPU(s){note}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat of each measurement")
    args = parser.parse_args()
    repeats = 1 if args.quick else 3
    names = load_names("train")
    train = tokenize(names, "char")
    vocab = build_vocabulary(train, order="alphabetical")
    n_chars = sum(len(s) + 1 for s in train)
    print(load_line("at the start"))
    print(f"character-level RNN, n_a = {N_A}, vocabulary of {len(vocab)} tokens, "
          f"{len(train):,} names = {n_chars:,} characters per epoch (with <EOS>)\n")
    print(f"{'trainer':<34} {'chars/s (wall)':>15} {'chars/s (CPU)':>15} {'padding':>8}")
    best = 0.0
    for batching in ("random", "by_length"):
        for batch_size in (64, 128, 256):
            r = batched(train, vocab, batch_size, batching, epochs=2, repeats=repeats)
            best = max(best, r["cpu"])
            label = f"batched, m = {batch_size}, {batching}"
            print(f"{label:<34} {r['wall']:>15,.0f} {r['cpu']:>15,.0f} {r['padding']:>8.0%}")
    with single_blas_thread():
        loop = min_char_rnn("\n".join(names) + "\n", n_chars=20_000 if args.quick else 40_000)
    print(f"{'per character (min-char-rnn loop)':<34} {loop['wall']:>15,.0f} {loop['cpu']:>15,.0f} {'-':>8}")
    verdict = "meets" if best >= TARGET else "misses"
    print(f"\nbest batched throughput: {best:,.0f} characters per CPU second, {best / loop['cpu']:.1f} times the "
          f"per-character loop; it {verdict} the target of {TARGET:,}")
    print(f"temperature explorer (notebook 06): median update {explorer_median(40 if not args.quick else 15):.1f} ms "
          f"(compute + draw, Agg)")
    print(load_line("at the end"))


if __name__ == "__main__":
    main()
