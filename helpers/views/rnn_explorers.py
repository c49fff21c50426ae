"""Views and explorers of the RNN model (notebook 02) and of backpropagation through time (notebook 03).

Forward, one step at a time (the time-step explorer): step t reads x<t> and a<t-1> and produces

    a<t>     = tanh(Waa @ a<t-1> + Wax @ x<t> + ba)         (a<0> = 0)
    y_hat<t> = sigmoid(Wya @ a<t> + by)                      (P(word t is part of a name))

Backward, one step at a time (the backward stepper), from t = T_x down to 1, for L = sum_t L<t>:

    da<t>  = Wya.T @ (y_hat<t> - y<t>)  +  Waa.T @ dz<t+1>      (the second term is 0 at t = T_x)
             \\_ from the loss of step t _/  \\_ from every later step _/
    dz<t>  = da<t> * (1 - a<t>^2)
    dWaa   = sum_t dz<t> @ a<t-1>.T       (the stepper shows the partial sum over t >= s)

Everything shown is computed by the course's own functions: ``helpers.rnn`` (the cell and the
sequence, forward and BPTT) and ``helpers.tasks.ner`` (the tagger's loss). The ``*_view`` functions are
pure (arrays in, dict out), so tests and notebooks can check what an explorer shows without a browser.
"""
from __future__ import annotations

import inspect

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from .._checks import as_float_array, check_ndim, check_positive_int, check_shape, fmt_shape
from .diagrams import (BACKWARD_PALETTE, CachedDrawing, Diagram, backward_roles, rnn_type_layout,
                       step_roles)
from .explorer import Explorer, new_figure
from ..tasks.ner import _binary_params, _check_vocab, binary_tagger_forward, binary_tagger_loss, encode_tagging
from ..rnn import initialize_rnn_parameters, rnn_cell_backward, rnn_cell_forward, rnn_forward, stack_Wa
from ..tasks.text import one_hot

__all__ = [
    "rnn_shapes",
    "format_shapes",
    "source_excerpt",
    "gradient_check_report",
    "plot_loss_curves",
    "time_step_view",
    "time_step_explorer",
    "bptt_by_steps",
    "backward_view",
    "backward_stepper",
]


# ----------------------------------------------------------------------------------------------
# shapes, code excerpts, gradient-check reports
# ----------------------------------------------------------------------------------------------

def rnn_shapes(n_x: int = 10_000, n_a: int = 100, n_y: int = 1, m: int = 1, T_x: int = 9, seed: int = 0) -> list:
    """The shape of every array of an RNN, read off real arrays of that size.

    Builds the parameters with ``initialize_rnn_parameters``, runs ``rnn_forward`` on m random
    one-hot sentences of T_x words, and stacks Wa = [Waa | Wax].

    Parameters
    ----------
    n_x : int >= 1, vocabulary size (one-hot length);  n_a : int >= 1, hidden units;
    n_y : int >= 1, output units;  m : int >= 1, examples;  T_x : int >= 1, time steps;
    seed : int >= 0, for the weights and the words.

    Returns
    -------
    rows : list of (name, meaning, shape tuple, number of entries), in the order
        x, x<t>, a<0>, a<t>, a, Wax, Waa, ba, Wa, Wya, by, y_hat<t>, y_hat
    """
    where = "rnn_shapes"
    n_x, n_a, n_y = (check_positive_int(where, k, v) for k, v in (("n_x", n_x), ("n_a", n_a), ("n_y", n_y)))
    m = check_positive_int(where, "m", m)
    T_x = check_positive_int(where, "T_x", T_x)
    seed = check_positive_int(where, "seed", seed, minimum=0)
    p = initialize_rnn_parameters(n_x, n_a, n_y, seed=seed)
    rng = np.random.default_rng(seed)
    x = one_hot(rng.integers(n_x, size=(m, T_x)), n_x)
    a0 = np.zeros((n_a, m))
    a, y_hat, _ = rnn_forward(x, a0, p)
    Wa = stack_Wa(p["Waa"], p["Wax"])
    arrays = [
        ("x", "the whole input: T_x one-hot columns per example", x),
        ("x<t>", "one time step of the input", x[:, :, 0]),
        ("a<0>", "the initial state (zeros)", a0),
        ("a<t>", "the state after step t", a[:, :, 0]),
        ("a", "all the states", a),
        ("Wax", "input -> state", p["Wax"]),
        ("Waa", "state -> state", p["Waa"]),
        ("ba", "state bias", p["ba"]),
        ("Wa", "[Waa | Wax], the compressed form", Wa),
        ("Wya", "state -> output", p["Wya"]),
        ("by", "output bias", p["by"]),
        ("y_hat<t>", "the prediction of step t", y_hat[:, :, 0]),
        ("y_hat", "all the predictions", y_hat),
    ]
    return [(name, meaning, tuple(int(s) for s in arr.shape), int(arr.size)) for name, meaning, arr in arrays]


def format_shapes(rows) -> str:
    """A fixed-width text table of ``rnn_shapes`` rows: name, shape, entries, meaning.

    rows : list of (name, meaning, shape tuple, number of entries), as ``rnn_shapes`` returns.
    """
    if not isinstance(rows, (list, tuple)) or not rows or not all(isinstance(r, tuple) and len(r) == 4 for r in rows):
        raise ValueError(f"format_shapes: rows must be a non-empty list of (name, meaning, shape, entries) "
                         f"tuples as rnn_shapes returns, got {rows!r:.60}")
    lines = [f"{'array':<9} {'shape':<16} {'entries':>10}   meaning", "-" * 72]
    for name, meaning, shape, size in rows:
        lines.append(f"{name:<9} {str(shape):<16} {size:>10,}   {meaning}")
    return "\n".join(lines)


def source_excerpt(func, start: str, stop: str) -> str:
    """The lines of ``func``'s source from the first line containing ``start`` to the next containing ``stop``.

    Parameters
    ----------
    func : a function (its source is read with ``inspect.getsource``)
    start, stop : str, text that the first and the last line of the excerpt contain

    Returns
    -------
    excerpt : str, the lines with their common indentation removed
    """
    where = "source_excerpt"
    if not callable(func):
        raise ValueError(f"{where}: func must be a function, got {type(func).__name__}")
    for name, value in (("start", start), ("stop", stop)):
        if not isinstance(value, str) or not value:
            raise ValueError(f"{where}: {name} must be a non-empty str, got {value!r}")
    lines = inspect.getsource(func).splitlines()
    first = next((i for i, line in enumerate(lines) if start in line), None)
    if first is None:
        raise ValueError(f"{where}: start {start!r} is not in the source of {func.__name__}")
    last = next((i for i in range(first, len(lines)) if stop in lines[i]), None)
    if last is None:
        raise ValueError(f"{where}: stop {stop!r} does not come after start {start!r} in {func.__name__}")
    chosen = lines[first:last + 1]
    indent = min(len(line) - len(line.lstrip()) for line in chosen if line.strip())
    return "\n".join(line[indent:] for line in chosen)


def gradient_check_report(errors: dict, threshold: float = 1e-7) -> str:
    """One line per parameter: passes when the relative error is below ``threshold``.

    The errors themselves (about 1e-10, different on every BLAS build) are not printed, only the
    comparison with the threshold, so the report is the same on every machine.

    errors : dict name -> float, e.g. from ``helpers.gradcheck.gradient_check``.
    threshold : float > 0.
    """
    where = "gradient_check_report"
    if not isinstance(errors, dict) or not errors:
        raise ValueError(f"{where}: errors must be a non-empty dict name -> relative error, got {errors!r:.60}")
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not threshold > 0:
        raise ValueError(f"{where}: threshold must be a positive number, got {threshold!r}")
    lines = []
    for name, err in errors.items():
        err = float(err)
        ok = np.isfinite(err) and err < threshold
        verdict = f"< {threshold:.0e}   pass" if ok else f">= {threshold:.0e}   FAIL"
        lines.append(f"{name:<6} relative error {verdict}")
    return "\n".join(lines)


def plot_loss_curves(curves: dict, title: str = "training loss", ylabel: str = "mean loss per example"):
    """Loss against epoch for one or more training runs, on a log scale.

    curves : dict label -> 1-D array of losses (one per epoch), at least one entry
    title, ylabel : str

    Returns the figure (not displayed; show it with ``helpers.views.explorer.show_figure``).
    """
    where = "plot_loss_curves"
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"{where}: curves must be a non-empty dict label -> losses, got {curves!r:.60}")
    fig, ax = new_figure(figsize=(6.0, 3.0))
    for label, losses in curves.items():
        losses = as_float_array(where, f"curves[{label!r}]", losses)
        if losses.ndim != 1 or losses.size == 0 or not np.all(np.isfinite(losses)) or np.any(losses <= 0):
            raise ValueError(f"{where}: curves[{label!r}] must be a non-empty 1-D array of positive finite losses, "
                             f"got shape {fmt_shape(losses.shape)}")
        ax.plot(np.arange(1, losses.size + 1), losses, "o-", ms=3, label=str(label))
    ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, which="both")
    if len(curves) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


# ----------------------------------------------------------------------------------------------
# notebook 02: the forward pass, one step at a time
# ----------------------------------------------------------------------------------------------

def _check_one_sentence(where, x):
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, 1, T_x)")
    check_shape(where, "x", x, (None, 1, None), "(n_x, 1, T_x)", "(one sentence)")
    if x.shape[2] == 0:
        raise ValueError(f"{where}: x has T_x = 0 time steps (shape {fmt_shape(x.shape)})")
    return x


def time_step_view(parameters: dict, x, t: int, columns=None) -> dict:
    """What the network has computed once step t is done (pure).

    Step t is computed twice: by the sequence (``rnn_states_forward`` through
    ``ner.binary_tagger_forward``) and by one call of the cell, ``rnn_cell_forward(x<t>, a<t-1>)``;
    both must give the same a<t>.

    Parameters
    ----------
    parameters : dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (1, n_a), by (1, 1)
    x : ndarray (n_x, 1, T_x), one sentence of one-hot words
    t : int in [1, T_x]
    columns : int >= T_x or None, the width of the returned images (default T_x)

    Returns
    -------
    dict with
        t, T_x : int
        a_prev : ndarray (n_a,), a<t-1> (zeros at t = 1)
        a_t : ndarray (n_a,), a<t> from the cell function
        a_t_sequence : ndarray (n_a,), a<t> from the sequence function
        p_t : float, y_hat<t>
        a_image : ndarray (n_a, columns), a<1> .. a<t> in columns 0 .. t-1, NaN after (not computed yet)
        p : ndarray (columns,), y_hat<1> .. y_hat<t>, NaN after
    """
    where = "time_step_view"
    p = _binary_params(where, parameters)
    x = _check_one_sentence(where, x)
    T = x.shape[2]
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) or not 1 <= t <= T:
        raise ValueError(f"{where}: t must be an integer in [1, T_x] = [1, {T}], got {t!r}")
    t = int(t)
    columns = T if columns is None else check_positive_int(where, "columns", columns, minimum=T)
    a, y_hat = binary_tagger_forward(p, x)
    a_prev = a[:, :, t - 2] if t > 1 else np.zeros((a.shape[0], 1))
    a_t, _, _ = rnn_cell_forward(x[:, :, t - 1], a_prev, p)
    a_image = np.full((a.shape[0], columns), np.nan)
    a_image[:, :t] = a[:, 0, :t]
    probs = np.full(columns, np.nan)
    probs[:t] = y_hat[0, 0, :t]
    return {"t": t, "T_x": T, "a_prev": a_prev[:, 0], "a_t": a_t[:, 0], "a_t_sequence": a[:, 0, t - 1],
            "p_t": float(y_hat[0, 0, t - 1]), "a_image": a_image, "p": probs}


def time_step_explorer(parameters: dict, vocab, sentences, sentence=None, t: int = 1) -> Explorer:
    """Slide t along a sentence and watch the unrolled tagger compute a<t> and y_hat<t>.

    The top panel is the unrolled network (``helpers.views.diagrams``): the cell of step t in orange, what
    it reads (x<t>, a<t-1>) in blue, what it produces (y_hat<t>, and a<t> handed to step t + 1) in
    green; the later steps are faded. Above each output is P(name) once computed. The bottom panel
    holds the states a<0> = 0, a<1> .. a<t> as coloured columns (one row per hidden unit), each under
    the step that computes it (the result's ``image``, (n_a, 1 + longest sentence)).

    Parameters
    ----------
    parameters : dict of the one-unit tagger (``ner.as_binary_tagger``)
    vocab : Vocabulary with <PAD> (``ner.build_vocabulary()``)
    sentences : list of str, the sentences in the dropdown (split on spaces, lower-case)
    sentence : str or None, the initial choice (default the first)
    t : int >= 1, the initial step

    Controls: ``sentence`` (Dropdown), ``t`` (IntSlider from 1 to the length of the chosen sentence;
    choosing a shorter sentence moves t back to its last word if needed).
    """
    where = "time_step_explorer"
    p = _binary_params(where, parameters)
    _check_vocab(where, vocab)
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences \
            or not all(isinstance(s, str) and s.split() for s in sentences):
        raise ValueError(f"{where}: sentences must be a non-empty list of non-empty str, got {sentences!r:.80}")
    sentence = sentences[0] if sentence is None else sentence
    if sentence not in sentences:
        raise ValueError(f"{where}: sentence must be one of sentences, got {sentence!r}")
    t = check_positive_int(where, "t", t)
    tokens = {s: s.lower().split() for s in sentences}
    xs = {s: encode_tagging([tokens[s]], None, vocab)[0] for s in sentences}
    T_max = max(len(tok) for tok in tokens.values())
    n_a = p["Waa"].shape[0]

    fig, (ax_d, ax_a) = new_figure(2, 1, figsize=(9.0, 5.4), gridspec_kw={"height_ratios": [3.0, 1.6]})
    layout = rnn_type_layout("many-to-many", T_max, T_max)
    diagram = Diagram(ax_d, layout, fontsize=10)
    # a title at a fixed height (y=1.0) spares matplotlib a search for its place at every redraw
    ax_d.set_title("one step of the unrolled network: reads (blue), computes (orange), produces (green)",
                   fontsize=10, y=1.0)
    # the diagram depends only on (sentence, t): its pictures are drawn once and then pasted
    probs = {s: binary_tagger_forward(p, xs[s])[1][0, 0] for s in sentences}

    def show_diagram(state):
        sentence, step = state
        T = len(tokens[sentence])
        diagram.show_steps(T)
        diagram.paint(step_roles(layout, step))
        captions = {}
        for k in range(1, T_max + 1):
            captions[f"x{k}"] = tokens[sentence][k - 1] if k <= T else ""
            captions[f"y{k}"] = f"{probs[sentence][k - 1]:.2f}" if k <= step else ""
        diagram.set_captions(captions)

    drawing = CachedDrawing(ax_d, diagram.artists(), show_diagram, (sentence, min(t, len(tokens[sentence]))),
                            states=[(s, k) for s in sentences for k in range(1, len(tokens[s]) + 1)])
    cmap = _diverging_cmap()
    # column k of the image is a<k>, from a<0> = 0 on the left, under the step that computes it
    image = ax_a.imshow(np.full((n_a, T_max + 1), np.nan), cmap=cmap, vmin=-1.0, vmax=1.0, aspect="auto",
                        interpolation="nearest", extent=(-0.5, T_max + 0.5, n_a - 0.5, -0.5))
    ax_a.set_xlim(*ax_d.get_xlim())
    ax_a.set_xticks([])          # the diagram above names the steps; fewer ticks, faster redraws
    ax_a.set_xlabel("a<0>, a<1>, ..., each under the step that computes it", fontsize=8)
    ax_a.set_yticks([0, n_a - 1])
    ax_a.set_ylabel("hidden unit", fontsize=8)
    ax_a.tick_params(labelsize=8)
    outline = Rectangle((0.5, -0.5), 1.0, n_a, fill=False, edgecolor="#d95f02", linewidth=2.2)
    ax_a.add_patch(outline)
    colorbar = fig.colorbar(image, cax=ax_a.inset_axes([1.005, 0.0, 0.012, 1.0]), ticks=[-1, 0, 1])
    colorbar.ax.tick_params(labelsize=7)
    fig.subplots_adjust(left=0.05, right=0.94, top=0.94, bottom=0.07, hspace=0.08)

    def compute(sentence, t):
        x = xs[sentence]
        view = time_step_view(p, x, min(t, x.shape[2]), columns=T_max)
        view["image"] = np.concatenate([np.zeros((n_a, 1)), view["a_image"]], axis=1)   # a<0> = 0 first
        view["tokens"] = tokens[sentence]
        view["word"] = tokens[sentence][view["t"] - 1]
        view["sentence"] = sentence
        return view

    def draw(r):
        drawing.show((r["sentence"], r["t"]))
        image.set_data(r["image"])
        outline.set_x(r["t"] - 0.5)

    def describe(r):
        return (f"step {r['t']} reads x<{r['t']}> = '{r['word']}' and a<{r['t'] - 1}>; "
                f"P(name) = y_hat<{r['t']}> = {r['p_t']:.2f}")

    controls = {
        "sentence": widgets.Dropdown(options=list(sentences), value=sentence, description="sentence",
                                     layout=widgets.Layout(width="480px")),
        "t": widgets.IntSlider(value=min(t, len(tokens[sentence])), min=1, max=len(tokens[sentence]),
                               description="step t"),
    }
    explorer = Explorer("the unrolled RNN tagger, one time step at a time", controls, fig, compute, draw,
                        describe=describe)
    explorer.link_max("sentence", "t", lambda s: len(tokens[s]))   # the step slider spans the chosen sentence
    explorer.drawing = drawing   # the cached diagram (its state: (sentence, t))
    return explorer


def _diverging_cmap():
    """A blue-white-red colour map whose NaN (not computed yet) is a light grey."""
    import matplotlib

    return matplotlib.colormaps["RdBu_r"].with_extremes(bad="0.93")


# ----------------------------------------------------------------------------------------------
# notebook 03: backpropagation through time, one step at a time
# ----------------------------------------------------------------------------------------------

def bptt_by_steps(parameters: dict, x, y) -> dict:
    """BPTT of the tagger's loss on one sentence, split into the share of every step.

    The total gradients come from ``ner.binary_tagger_loss`` (``rnn_backward`` inside). The share of
    step t comes from the cell function: re-running ``rnn_cell_forward`` step by step and calling
    ``rnn_cell_backward(da<t>, cache<t>)`` with the total da<t> that BPTT found. The shares add up to
    the totals, and ``da_prev`` of step t + 1 is exactly what BPTT added to da<t> from the future.

    Parameters
    ----------
    parameters : dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (1, n_a), by (1, 1)
    x : ndarray (n_x, 1, T_x), one sentence
    y : ndarray (1, T_x) of 0 / 1, its tags

    Returns
    -------
    dict with
        T_x : int;  loss : float;  loss_per_step : ndarray (T_x,)
        y_hat : ndarray (T_x,)
        da_up : ndarray (n_a, T_x), the output layer's gradient into a<t> (from L<t> alone)
        da : ndarray (n_a, T_x), the total dL/da<t>
        da_future : ndarray (n_a, T_x), da - da_up, what came back from the later steps
        dWaa_steps : ndarray (T_x, n_a, n_a), the share dz<t> @ a<t-1>.T of every step
        dWaa_from : ndarray (T_x, n_a, n_a), dWaa_from[s - 1] = sum over t >= s of the shares
        grads : dict, the totals (dWax, dWaa, dba, dWya, dby)
    """
    where = "bptt_by_steps"
    p = _binary_params(where, parameters)
    x = _check_one_sentence(where, x)
    T = x.shape[2]
    y = as_float_array(where, "y", y)
    check_shape(where, "y", y, (1, T), "(1, T_x)", f"to match x {fmt_shape(x.shape)}")
    loss, g = binary_tagger_loss(p, x, y, keep_state_grads=True)
    n_a = p["Waa"].shape[0]
    da = g["da_steps"][:, 0, :]
    shares = np.empty((T, n_a, n_a))
    a_prev = np.zeros((n_a, 1))
    for t in range(T):
        a_prev_next, _, cache = rnn_cell_forward(x[:, :, t], a_prev, p)
        shares[t] = rnn_cell_backward(da[:, t:t + 1], cache)["dWaa"]
        a_prev = a_prev_next
    dWaa_from = np.cumsum(shares[::-1], axis=0)[::-1]
    da_up = g["da_up"][:, 0, :]
    return {"T_x": T, "loss": float(loss), "loss_per_step": g["loss_per_step"], "y_hat": g["y_hat"][0, 0],
            "da_up": da_up, "da": da, "da_future": da - da_up, "dWaa_steps": shares, "dWaa_from": dWaa_from,
            "grads": {k: g[k] for k in ("dWax", "dWaa", "dba", "dWya", "dby")}}


def backward_view(steps: dict, s: int) -> dict:
    """What BPTT has computed once it has handled steps T_x, T_x - 1, ..., s (pure).

    Parameters
    ----------
    steps : dict from ``bptt_by_steps``
    s : int in [1, T_x]

    Returns
    -------
    dict with
        s, T_x : int
        da_image : ndarray (n_a, T_x), dL/da<t> for t >= s, NaN for t < s (not reached yet)
        dWaa_partial : ndarray (n_a, n_a), sum over t >= s of dz<t> @ a<t-1>.T
        norm_up, norm_future, norm_total : float, the norms of the two parts of dL/da<s> and of their sum
        complete : bool, s == 1 (the partial sum is then the whole dWaa)
    """
    where = "backward_view"
    if not isinstance(steps, dict) or "dWaa_from" not in steps:
        raise ValueError(f"{where}: steps must be the dict returned by bptt_by_steps, got {type(steps).__name__}")
    T = steps["T_x"]
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or not 1 <= s <= T:
        raise ValueError(f"{where}: s must be an integer in [1, T_x] = [1, {T}], got {s!r}")
    s = int(s)
    image = np.full(steps["da"].shape, np.nan)
    image[:, s - 1:] = steps["da"][:, s - 1:]
    return {"s": s, "T_x": T, "da_image": image, "dWaa_partial": steps["dWaa_from"][s - 1],
            "norm_up": float(np.linalg.norm(steps["da_up"][:, s - 1])),
            "norm_future": float(np.linalg.norm(steps["da_future"][:, s - 1])),
            "norm_total": float(np.linalg.norm(steps["da"][:, s - 1])), "complete": s == 1}


def backward_stepper(parameters: dict, vocab, text: str, tags, s=None) -> Explorer:
    """Slide s from T_x down to 1 and watch BPTT fill in dL/da<t> and add up dWaa.

    Left: the unrolled network with its losses above the outputs; the step being handled in red, the
    gradient arriving (from L<s> and from step s + 1) in red, what it sends back (to x<s> and a<s-1>)
    in purple. Below it, dL/da<t> of every step handled so far (one column per step, one row per
    hidden unit). Right: the running sum of dWaa over the steps handled so far.

    Parameters
    ----------
    parameters : dict of the one-unit tagger (``ner.as_binary_tagger``)
    vocab : Vocabulary with <PAD>
    text : str, the sentence (split on spaces, lower-case)
    tags : list of int 0 / 1, one per word
    s : int in [1, T_x] or None, the initial step (default T_x: the start of BPTT)

    Controls: ``s`` (IntSlider 1 .. T_x).
    """
    where = "backward_stepper"
    p = _binary_params(where, parameters)
    _check_vocab(where, vocab)
    if not isinstance(text, str) or not text.split():
        raise ValueError(f"{where}: text must be a non-empty str, got {text!r:.60}")
    tokens = text.lower().split()
    x, y, _ = encode_tagging([tokens], [list(tags)], vocab)
    steps = bptt_by_steps(p, x, y)
    T = steps["T_x"]
    s = T if s is None else s
    if isinstance(s, (bool, np.bool_)) or not isinstance(s, (int, np.integer)) or not 1 <= s <= T:
        raise ValueError(f"{where}: s must be an integer in [1, T_x] = [1, {T}], got {s!r}")
    n_a = p["Waa"].shape[0]

    fig = new_figure(figsize=(9.2, 5.0))[0]
    fig.clf()   # new_figure prepares the canvas; the panels of unequal size are laid out here
    grid = fig.add_gridspec(2, 2, width_ratios=[2.3, 1.0], height_ratios=[2.6, 1.5])
    ax_d = fig.add_subplot(grid[0, 0])
    ax_g = fig.add_subplot(grid[1, 0])
    ax_w = fig.add_subplot(grid[:, 1])
    layout = rnn_type_layout("many-to-many", T, T)
    diagram = Diagram(ax_d, layout, fontsize=10, palette=BACKWARD_PALETTE)
    diagram.set_captions({**{f"x{k}": tokens[k - 1] for k in range(1, T + 1)},
                          **{f"y{k}": f"L={steps['loss_per_step'][k - 1]:.2f}" for k in range(1, T + 1)}})
    ax_d.set_title("BPTT handles step s: gradient in (red), sent back (purple)", fontsize=10, y=1.0)
    cmap = _diverging_cmap()
    lim_a = float(np.abs(steps["da"]).max()) or 1.0
    image_a = ax_g.imshow(np.full((n_a, T), np.nan), cmap=cmap, vmin=-lim_a, vmax=lim_a, aspect="auto",
                          interpolation="nearest", extent=(0.5, T + 0.5, n_a - 0.5, -0.5))
    ax_g.set_xlim(*ax_d.get_xlim())
    ax_g.set_xticks([])          # the diagram above names the steps
    ax_g.set_xlabel("dL/da<t> of each step handled so far, under its step", fontsize=8)
    ax_g.set_yticks([0, n_a - 1])
    ax_g.tick_params(labelsize=7)
    ax_g.set_ylabel("hidden unit", fontsize=8)
    outline = Rectangle((T - 0.5, -0.5), 1.0, n_a, fill=False, edgecolor="#b2182b", linewidth=2.2)
    ax_g.add_patch(outline)
    lim_w = float(np.abs(steps["dWaa_from"]).max()) or 1.0
    image_w = ax_w.imshow(np.zeros((n_a, n_a)), cmap=cmap, vmin=-lim_w, vmax=lim_w, interpolation="nearest")
    ax_w.set_xticks([0, n_a - 1])
    ax_w.set_yticks([0, n_a - 1])
    ax_w.set_xlabel("column j (unit of a<t-1>)", fontsize=8)
    ax_w.set_ylabel("row i (unit of a<t>)", fontsize=8)
    ax_w.tick_params(labelsize=7)
    title_w = ax_w.set_title("", fontsize=9, y=1.0)
    # colour bars (fixed limits: the largest |value| over all steps), so the colours read as numbers
    for image, ax, lim, label in ((image_a, ax_g, lim_a, "dL/da"), (image_w, ax_w, lim_w, "dWaa")):
        bar = fig.colorbar(image, cax=ax.inset_axes([1.015, 0.0, 0.025 if ax is ax_w else 0.012, 1.0]),
                           ticks=[-lim, 0.0, lim], format="%.2g")
        bar.ax.tick_params(labelsize=7)
        bar.set_label(label, fontsize=7, labelpad=1)
    fig.subplots_adjust(left=0.045, right=0.91, top=0.93, bottom=0.08, wspace=0.22, hspace=0.1)
    # the diagram (~140 boxes, arrows and labels) depends only on s: its T pictures are drawn once, then pasted
    drawing = CachedDrawing(ax_d, diagram.artists(), lambda k: diagram.paint(backward_roles(layout, k)), int(s),
                            states=range(1, T + 1))

    def compute(s):
        return backward_view(steps, s)

    def draw(r):
        drawing.show(r["s"])
        image_a.set_data(r["da_image"])
        outline.set_x(r["s"] - 0.5)
        image_w.set_data(r["dWaa_partial"])
        if r["complete"]:
            which = "all steps: the full dWaa"
        else:
            which = f"step {T} only" if r["s"] == T else f"steps {r['s']}..{T}"
        title_w.set_text(f"dWaa summed over {which}")

    def describe(r):
        return (f"s = {r['s']}: |dL/da<{r['s']}>| = {r['norm_total']:.3f}; "
                f"from L<{r['s']}>: {r['norm_up']:.3f}, from the later steps: {r['norm_future']:.3f}")

    controls = {"s": widgets.IntSlider(value=int(s), min=1, max=T, description="step s")}
    explorer = Explorer("backpropagation through time, from the last step back to the first", controls, fig,
                        compute, draw, describe=describe)
    explorer.drawing = drawing   # the cached diagram (its state: s)
    return explorer
