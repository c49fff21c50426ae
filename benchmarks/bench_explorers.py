"""Time every explorer of the notebooks as the learner uses it: one control moved at a time, redrawn as in the browser.

EXPLORERS below lists every explorer of notebooks 00-12, each with the builder call of its notebook
("module:function" and its arguments), the setup that makes those arguments (a trained model, a finished
sweep, a corpus) and, where needed, limits for some controls. For each explorer the script

1. runs the setup once (setups shared by several explorers run once) and reports how long it took;
2. builds the explorer on the ipympl canvas (the backend of the notebooks, with no browser attached but
   acting as if one were: each update encodes and "sends" the changed pixels as PNG, as it would to
   JupyterLab), renders it once and makes two untimed moves (fonts, layout caches, the layers);
3. makes N moves, seeded so every run times the same moves. A move picks one control at random and gives
   it a new value within the widget's own range, as a learner dragging one slider or clicking one button
   does: sliders uniform between min and max, drop-downs, toggle buttons and selection sliders one of
   their options, check boxes the other state. A limit narrows a control: a (low, high) pair for a slider,
   a list of the allowed values otherwise (free-text boxes must have one), or a function of the current
   values (e.g. the word slider of a sentence, whose range depends on the sentence shown) that may return
   None to leave that control alone;
4. reports, over the N moves: the update time in ms (``Explorer.last_update_ms``: compute, draw, render
   and the PNG of the changed pixels: everything between the control's new value arriving in the kernel
   and the picture leaving it) as median and 90th percentile; the share of moves redrawn from the kept
   background ("layers", see helpers/views/explorer.py) rather than by a full render; and the median of the
   full renders. The course's target: moving a control redraws in <= 100 ms (median).

Usage:
    python benchmarks/bench_explorers.py                  # 30 moves per explorer
    python benchmarks/bench_explorers.py --quick          # 10 moves per explorer, a rough look
    python benchmarks/bench_explorers.py --repeats 60 --only "07"
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import io
import os
import sys
import time

import matplotlib

matplotlib.use("module://ipympl.backend_nbagg")   # the notebooks' backend (no browser needed)

try:
    import helpers  # noqa: F401  (installed editable, or run from the repository root)
except ImportError:  # run as a plain script from elsewhere: use the repository this file lives in
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402

TARGET_MS = 100.0

# ---------------------------------------------------------------------------------------------------
# setups: the data and models the builders need, made as in the notebooks (small where training is
# involved). Each returns a dict; it is computed once and shared by the explorers that name it.
# ---------------------------------------------------------------------------------------------------

INTRO_SENTENCES = [  # a few lines in the spirit of notebook 01's corpus
    "Maya Okafor designs bridges for the city.",
    "Tomas repairs old clocks in a small shop near the river.",
    "The cat sleeps on the warm windowsill all afternoon.",
    "Maya and Tomas meet at the market every Saturday.",
    "A cat can sleep for 15 hours a day.",
    "The old bridge over the river needs new paint.",
]
TYPED = "the cat and maya meet a zebra near the old river at night".split()
TYPED_TEXTS = [" ".join(TYPED[:k]) for k in range(1, len(TYPED) + 1)]   # what the learner might type

TAGGER_SENTENCES = [  # notebook 02
    "harry potter and hermione granger invented a new spell",
    "he said teddy roosevelt was a great president",
    "he said teddy bears are on sale",
]


def setup_corpus():
    """Notebook 01: a small tokenized corpus."""
    from helpers.tasks.text import tokenize_words
    return {"corpus": [tokenize_words(s, punctuation="drop") for s in INTRO_SENTENCES]}


def setup_name_tagger():
    """Notebooks 02-03: the name tagger trained as in notebook 02, and the same model untrained."""
    from helpers.tasks.ner import as_binary_tagger, train_name_tagger
    from helpers.training import init_model
    tagger = train_name_tagger(n_train=400, n_a=16, epochs=10, seed=0)
    return {"vocab": tagger["vocab"], "trained": as_binary_tagger(tagger["model"]),
            "untrained": as_binary_tagger(init_model("rnn", len(tagger["vocab"]), 16, 2, seed=0))}


def setup_names_model():
    """Notebook 06: the character model of the names, the notebook's size (n_a = 64) but one epoch, not 8.

    The explorer's cost depends on the model's size, not on how well it is trained.
    """
    from helpers.tasks.language_model import train_names_model
    lm, _, data = train_names_model(epochs=1)
    return {"lm": lm, "known": data["train_names"]}


def setup_clipping_sweep():
    """Notebook 07: the clipping sweep (8 thresholds x 80 steps of a 4-unit RNN, about a second)."""
    from helpers.tasks.clipping_task import clipping_sweep
    return {"sweep": clipping_sweep(thresholds=(0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, None), steps=80,
                                    learning_rate=0.2)}


def setup_lookahead_taggers():
    """Notebook 10: a unidirectional and a bidirectional tagger, trained on 300 sentences for 15 epochs."""
    from helpers.networks import fit_network, init_network
    from helpers.tasks.lookahead_task import encode_lookahead, lookahead_vocabulary, make_lookahead_data
    vocab = lookahead_vocabulary()
    train = encode_lookahead(*make_lookahead_data(300, seed=1), vocab)
    test = encode_lookahead(*make_lookahead_data(200, seed=2), vocab)
    nets = []
    for kind, n_a in (("uni", 16), ("bi", 8)):
        net = init_network(kind, len(vocab), n_a, 2, cell="rnn", seed=0)
        nets.append(fit_network(net, train["x"], train["y"], train["mask"], train["lengths"],
                                epochs=15, batch_size=32, learning_rate=0.02, seed=0)[0])
    return {"uni": nets[0], "bi": nets[1], "test": test, "examples": list(range(8))}


def setup_stored_sweep():
    """Notebook 12: the stored results of the memory-task sweep (read from data/, no training)."""
    from helpers.tasks.capstone import load_results
    return {"stored": load_results()}


SETUPS = {
    "01 corpus": setup_corpus,
    "02-03 name tagger": setup_name_tagger,
    "06 names model": setup_names_model,
    "07 clipping sweep": setup_clipping_sweep,
    "10 look-ahead taggers": setup_lookahead_taggers,
    "12 stored sweep": setup_stored_sweep,
}

# ---------------------------------------------------------------------------------------------------
# the registry: one entry per explorer (and a few fixed configurations of the heaviest one)
#   name, builder "module:function", setup name or None, arguments(setup) -> (args, kwargs), limits
# ---------------------------------------------------------------------------------------------------

NO_ARGS = None
FLOW = "helpers.views.gradient_explorers:gradient_flow_explorer"
FLOW_ARGS = lambda s: ((), dict(cell="RNN", activation="tanh", sigma_max=1.0, T=100, n_a=32))  # noqa: E731


def _word_of_sentence(setup):
    """Limit of the word slider of notebook 10: 1 .. the length of the sentence drawn before it."""
    lengths = setup["test"]["lengths"]
    return lambda values: (1, int(lengths[values["sentence"]]))


EXPLORERS = [
    ("00 tanh demo", "helpers.views.intro_views:tanh_explorer", None,
     lambda s: ((), dict(w=1.0, b=0.0)), {}),
    ("01 tokenizer", "helpers.views.intro_views:tokenizer_explorer", "01 corpus",
     lambda s: ((s["corpus"], "the cat"), dict(k=10, max_k=20, max_len=12)),
     {"text": TYPED_TEXTS}),
    ("02 time step", "helpers.views.rnn_explorers:time_step_explorer", "02-03 name tagger",
     lambda s: ((s["trained"], s["vocab"], TAGGER_SENTENCES), dict(t=1)),
     {"t": lambda values: (1, len(values["sentence"].split()))}),
    ("03 BPTT stepper", "helpers.views.rnn_explorers:backward_stepper", "02-03 name tagger",
     lambda s: ((s["untrained"], s["vocab"], TAGGER_SENTENCES[1], [0, 0, 1, 1, 0, 0, 0, 0]), {}), {}),
    ("04 RNN types", "helpers.views.diagrams:rnn_types_explorer", None,
     lambda s: ((), dict(kind="many-to-one", step=1)), {}),
    ("06 temperature", "helpers.views.sampling_explorer:temperature_explorer", "06 names model",
     lambda s: ((s["lm"],), dict(known=s["known"], prefix="", temperature=1.0, n=10, seed=0)),
     {"prefix": ["", "ma", "jo", "al", "kri"]}),
    ("07 gradient flow (T <= 200)", FLOW, None, FLOW_ARGS, {"T": (1, 200)}),
    ("07 gradient flow, RNN", FLOW, None, FLOW_ARGS, {"T": (1, 200), "cell": ["RNN"]}),
    ("07 gradient flow, GRU", FLOW, None, FLOW_ARGS, {"T": (1, 200), "cell": ["GRU"]}),
    ("07 gradient flow, LSTM", FLOW, None, FLOW_ARGS, {"T": (1, 200), "cell": ["LSTM"]}),
    ("07 gradient flow, map off", FLOW, None, FLOW_ARGS, {"T": (1, 200), "reach": [False]}),
    ("07 flow worst: LSTM T=200 n_a=64", FLOW, None, FLOW_ARGS,
     {"T": [200], "n_a": [64], "cell": ["LSTM"], "reach": [True]}),
    ("07 clip 2-D", "helpers.views.gradient_explorers:clip_2d_explorer", None,
     lambda s: ((), dict(angle=20.0, length=4.0, threshold=1.0)), {}),
    ("07 clipping sweep", "helpers.views.clipping_demo:clipping_sweep_explorer", "07 clipping sweep",
     lambda s: ((s["sweep"],), dict(threshold="none")), {}),
    ("08 GRU gates", "helpers.views.gate_explorers:gru_gate_explorer", None, lambda s: ((), {}), {}),
    # the preset menu is not an input of the picture: it sets the other controls, which are varied directly
    ("09 LSTM gates", "helpers.views.gate_explorers:lstm_gate_explorer", None, lambda s: ((), {}),
     {"preset": lambda values: None}),
    ("10 input influence", "helpers.views.brnn_explorers:influence_explorer", "10 look-ahead taggers",
     lambda s: ((s["uni"], s["bi"], s["test"], s["examples"]), {}), {"t": "word of sentence"}),
    ("12 sweep browser", "helpers.views.capstone_views:sweep_explorer", "12 stored sweep",
     lambda s: ((s["stored"],), dict(config="GRU", gap=40)), {}),
]
DEPENDENT_LIMITS = {"word of sentence": _word_of_sentence}   # limits that need the setup's data


# ---------------------------------------------------------------------------------------------------
# the timing loop
# ---------------------------------------------------------------------------------------------------

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
    if isinstance(control, widgets.FloatLogSlider):
        low, high = limit if limit is not None else (control.min, control.max)   # exponents
        return float(control.base ** rng.uniform(low, high))
    if isinstance(control, (widgets.FloatSlider, widgets.BoundedFloatText)):
        low, high = limit if limit is not None else (control.min, control.max)
        return float(rng.uniform(max(low, control.min), min(high, control.max)))
    options = getattr(control, "options", None)
    if options:
        values = [o[1] if isinstance(o, tuple) else o for o in options]
        return values[rng.integers(len(values))]
    raise ValueError(f"no limit for the control {control.__class__.__name__} {control.description!r}: "
                     "give a list of values in EXPLORERS")


def next_move(explorer, rng, limits):
    """One move: {name: value} for one control chosen at random, with a value it does not have now.

    A limit that is a function gets the current values and returns a limit, or None to leave the
    control alone for this move.
    """
    current = explorer.values()
    movable = {}
    for name, control in explorer.controls.items():
        limit = limits.get(name)
        if callable(limit):
            limit = limit(current)
            if limit is None:
                continue
        movable[name] = (control, limit)
    names = list(movable)
    name = names[rng.integers(len(names))]
    control, limit = movable[name]
    if isinstance(control, widgets.Checkbox) and limit is None:
        return {name: not control.value}
    value = random_value(control, rng, limit)
    for _ in range(5):                  # a value equal to the current one would not fire in a browser
        if value != current[name]:
            break
        value = random_value(control, rng, limit)
    return {name: value}


def measure(explorer, n, limits, seed):
    """Times (ms) and render kinds ("layers" / "full") of n moves, after two untimed warm-up moves."""
    rng = np.random.default_rng(seed)
    explorer.figure.canvas.draw()                   # the first picture, as the browser asks for it
    for _ in range(2):
        explorer.set(**next_move(explorer, rng, limits))
    times, kinds = [], []
    for _ in range(n):
        explorer.set(**next_move(explorer, rng, limits))
        times.append(explorer.last_update_ms)
        kinds.append(explorer.last_render)
    return times, kinds


def load_line(when):
    """The load average, with a warning when other programs compete for the CPUs."""
    if not hasattr(os, "getloadavg"):
        return f"load average {when}: not available"
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    note = " (busy: other programs compete for the CPUs, times are inflated)" if load > 0.5 * cpus + 0.5 else ""
    return f"load average {when}: {load:.1f} on {cpus} CPU(s){note}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=None, help="timed settings per explorer (default 30)")
    parser.add_argument("--quick", action="store_true", help="10 timed settings per explorer, a rough look")
    parser.add_argument("--only", default="", help="time only the explorers whose name contains this text")
    parser.add_argument("--seed", type=int, default=0, help="seed of the random settings (default 0)")
    args = parser.parse_args()
    repeats = args.repeats if args.repeats is not None else (10 if args.quick else 30)
    if repeats < 1:
        parser.error(f"--repeats must be at least 1, got {repeats}")
    chosen = [e for e in EXPLORERS if args.only.lower() in e[0].lower()]
    if not chosen:
        parser.error(f"no explorer name contains {args.only!r}; names: {', '.join(e[0] for e in EXPLORERS)}")
    import matplotlib.pyplot as plt

    print(f"{len(chosen)} explorers, headless (matplotlib {matplotlib.__version__}, Agg), "
          f"{repeats} seeded settings each (seed {args.seed}) after one warm-up")
    print(load_line("at the start"))

    # the setups first, so that training does not run between timings
    made, seconds = {}, {}
    for name in dict.fromkeys(e[2] for e in chosen if e[2] is not None):
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            made[name] = SETUPS[name]()
        seconds[name] = time.perf_counter() - start
    if seconds:
        parts = ", ".join(f"{name} {s:.1f} s" for name, s in seconds.items())
        print(f"setup (training / loading, before any timing): {parts}; total {sum(seconds.values()):.1f} s")

    header = (f"{'explorer':<34} {'update ms':>15} {'layers':>7} {'full ms':>8} {'build':>7} {'target':>7}\n"
              f"{'':<34} {'median':>7} {'p90':>7} {'share':>7} {'median':>8} {'ms':>7} {'100 ms':>7}")
    print()
    print(header)
    print("-" * len(header.splitlines()[0]))
    over = []
    for name, builder, setup, arguments, limits in chosen:
        setup_data = made.get(setup, {})
        limits = {k: DEPENDENT_LIMITS[v](setup_data) if isinstance(v, str) else v for k, v in limits.items()}
        pos, kw = arguments(setup_data)
        start = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            explorer = load(builder)(*pos, **kw)
            build_ms = 1000.0 * (time.perf_counter() - start)
            explorer.figure.canvas.syncing_data_url = False    # act as if a browser view were connected
            times, kinds = measure(explorer, repeats, limits, args.seed)
        plt.close(explorer.figure)
        median = float(np.median(times))
        full = [t for t, k in zip(times, kinds) if k != "layers"]
        full_text = f"{np.median(full):>8.1f}" if full else f"{'-':>8}"
        verdict = "ok" if median <= TARGET_MS else "over"
        if verdict == "over":
            over.append(name)
        share = kinds.count("layers") / len(kinds)
        print(f"{name:<34} {median:>7.1f} {np.percentile(times, 90):>7.1f} {share:>7.0%} {full_text} "
              f"{build_ms:>7.0f} {verdict:>7}")
    print()
    print(f"within {TARGET_MS:.0f} ms (median update): {len(chosen) - len(over)} of {len(chosen)}")
    if over:
        print(f"over {TARGET_MS:.0f} ms: {', '.join(over)}")
    print(load_line("at the end"))


if __name__ == "__main__":
    main()
