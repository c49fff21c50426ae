"""Drawings of unrolled recurrent networks, as matplotlib artists that can be recoloured in place.

A recurrent network unrolled in time is a row of copies of one cell, step 1 at the left. Every copy
reads the input of its step and the state the copy before it handed on, and may produce an output:

    a<t> = g(Waa @ a<t-1> + Wax @ x<t> + ba),    a<0> = 0          (the cell of step t)
    y_hat<t> = g_y(Wya @ a<t> + by)                                  (the output of step t, if it has one)

The five kinds of the lecture differ only in which steps read an input and which produce an output:

    one-to-one        T_x = T_y = 1: one input, one output, no recurrence (a plain network)
    one-to-many       one input at step 1, an output at every step; the output of step t - 1 is fed
                      back as the input of step t (dashed arrows)
    many-to-one       an input at every step, one output after the last step
    many-to-many      an input and an output at every step, T_x = T_y
    encoder-decoder   T_x steps that only read (the encoder), then T_y steps that only write (the
                      decoder, fed back its own outputs); T_x and T_y may differ

This module keeps the *layout* (pure data: where every node sits, which arrows join them, which time
step each belongs to) apart from the *drawing* (a ``Diagram`` holds one patch per node and one arrow
per edge). Highlighting a step is then a pure function of the layout (``step_roles``,
``backward_roles``) followed by ``Diagram.paint``, which only changes colours: the figure is never
rebuilt, so an explorer redraws fast.

Node names: ``x<t>`` inputs, ``a<t>`` cells (the box that computes a<t>), ``y<t>`` outputs,
``a0`` the initial state; the computation graph adds ``L<t>`` (the loss of step t), ``L`` (the total
loss) and the shared parameters ``Wa`` and ``Wy``. An edge is the pair (source, destination).

Three static pictures of the lecture close the module: ``plot_rolled_rnn`` (one cell whose state
loops back into itself, next to the same network unrolled), ``plot_gru_cell`` (the full GRU,
Gamma_r inside the candidate) and ``plot_lstm_chain`` (LSTM cells in a row, the memory line along the
top). Their layouts (``gru_cell_layout``, ``lstm_chain_layout``) are pure data too, so the tests can
check that the wiring follows the equations.
"""
from __future__ import annotations


import ipywidgets as widgets
import numpy as np
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from .._checks import check_choice, check_positive_int
from .._render.cached_drawing import CachedDrawing
from .explorer import Explorer, new_figure

__all__ = [
    "KINDS",
    "ROLES",
    "FORWARD_PALETTE",
    "BACKWARD_PALETTE",
    "rnn_type_layout",
    "computation_graph_layout",
    "step_roles",
    "backward_roles",
    "Diagram",
    "CachedDrawing",
    "plot_rnn_type",
    "plot_computation_graph",
    "type_step_view",
    "rnn_types_explorer",
    "plot_rolled_rnn",
    "gru_cell_layout",
    "plot_gru_cell",
    "lstm_chain_layout",
    "plot_lstm_chain",
]

KINDS = ("one-to-one", "one-to-many", "many-to-one", "many-to-many", "encoder-decoder")

#: What a node or an edge is doing at the highlighted step.
ROLES = ("idle", "done", "reads", "current", "produces", "future")

# role -> (face colour, edge colour, alpha, line width)
FORWARD_PALETTE = {
    "idle": ("#ffffff", "0.15", 1.0, 1.2),
    "done": ("#ffffff", "0.15", 1.0, 1.2),
    "reads": ("#dbe9f6", "#1f77b4", 1.0, 2.4),
    "current": ("#ffd9a8", "#d95f02", 1.0, 2.6),
    "produces": ("#d7f0d2", "#2ca02c", 1.0, 2.4),
    "future": ("#ffffff", "0.6", 0.35, 1.0),
}
#: Backward pass: "reads" is the gradient arriving at the step, "produces" the gradient it sends back.
BACKWARD_PALETTE = {
    "idle": ("#ffffff", "0.15", 1.0, 1.2),
    "done": ("#ffffff", "0.15", 1.0, 1.2),
    "reads": ("#fbd5d5", "#d62728", 1.0, 2.4),
    "current": ("#f4a6a6", "#b2182b", 1.0, 2.6),
    "produces": ("#e5d8f0", "#7b3294", 1.0, 2.4),
    "future": ("#ffffff", "0.6", 0.35, 1.0),
}

# node kind -> (width, height) of its box, and the face colour used when idle
_BOX = {"cell": (0.62, 0.44), "input": (0.56, 0.34), "output": (0.56, 0.34), "state": (0.5, 0.34),
        "param": (0.9, 0.34), "loss": (0.56, 0.34), "total": (0.56, 0.34)}
_PART_COLOUR = {"encoder": "#eef3fb", "decoder": "#fdf1e6"}


def _tex(symbol: str, step) -> str:
    """Mathtext of symbol<step>, e.g. $x^{\\langle 3 \\rangle}$."""
    return rf"${symbol}^{{\langle {step} \rangle}}$"


def _node(xy, kind, label, step, part=None):
    return {"xy": (float(xy[0]), float(xy[1])), "kind": kind, "label": label, "step": int(step), "part": part}


def _check_kind(where, kind):
    check_choice(where, "kind", kind, KINDS)


# ----------------------------------------------------------------------------------------------
# layouts (pure data)
# ----------------------------------------------------------------------------------------------

def rnn_type_layout(kind: str, T_x=None, T_y=None, a0=None) -> dict:
    """Where the nodes of one kind of RNN sit and which edges join them (no drawing).

    Columns are time steps (step t at x = t), rows are inputs (y = 0), cells (y = 1) and outputs
    (y = 2). The encoder-decoder has T_x + T_y steps: the encoder's T_x, then the decoder's T_y.

    Parameters
    ----------
    kind : str
        One of KINDS: "one-to-one", "one-to-many", "many-to-one", "many-to-many", "encoder-decoder".
    T_x : int >= 1 or None
        Input length; default 1 for one-to-one and one-to-many, 4 for many-to-one and
        many-to-many, 3 for encoder-decoder. Must be 1 for one-to-one and one-to-many.
    T_y : int >= 1 or None
        Output length; default 1 for one-to-one and many-to-one, T_x for many-to-many, 4 for
        one-to-many and encoder-decoder. Must be 1 for one-to-one and many-to-one, T_x for many-to-many.
    a0 : bool or None
        Draw the initial state a<0> left of step 1 (default: True, except for one-to-one, which
        has no recurrence).

    Returns
    -------
    layout : dict
        kind, T_x, T_y : as given (or defaulted).
        n_steps : int, the number of cells (T_x + T_y for encoder-decoder, else max(T_x, T_y)).
        nodes : dict name -> {"xy": (x, y), "kind": "input" | "cell" | "output" | "state",
                "label": mathtext str, "step": int (0 for a<0>), "part": "encoder" | "decoder" | None}
        edges : list of {"src": name, "dst": name, "kind": "input" | "recurrent" | "output" | "feedback",
                "step": int}, where "step" is the time step that uses the edge (an edge into the
                cell of step t, or out of it to its output, belongs to step t).
    """
    where = "rnn_type_layout"
    _check_kind(where, kind)
    defaults = {"one-to-one": (1, 1), "one-to-many": (1, 4), "many-to-one": (4, 1),
                "many-to-many": (4, None), "encoder-decoder": (3, 4)}[kind]
    T_x = defaults[0] if T_x is None else check_positive_int(where, "T_x", T_x)
    if T_y is None:
        T_y = T_x if kind == "many-to-many" else defaults[1]
    else:
        T_y = check_positive_int(where, "T_y", T_y)
    rules = {
        "one-to-one": (T_x == 1 and T_y == 1, "T_x = T_y = 1"),
        "one-to-many": (T_x == 1, "T_x = 1"),
        "many-to-one": (T_y == 1, "T_y = 1"),
        "many-to-many": (T_x == T_y, "T_x = T_y"),
        "encoder-decoder": (True, ""),
    }
    ok, rule = rules[kind]
    if not ok:
        raise ValueError(f"{where}: a {kind} network needs {rule}, got T_x = {T_x}, T_y = {T_y}")
    if a0 is None:
        a0 = kind != "one-to-one"
    if not isinstance(a0, (bool, np.bool_)):
        raise ValueError(f"{where}: a0 must be True, False or None, got {a0!r}")

    n_steps = T_x + T_y if kind == "encoder-decoder" else max(T_x, T_y)
    nodes, edges = {}, []
    if a0:
        nodes["a0"] = _node((0, 1), "state", _tex("a", 0), 0)
    for t in range(1, n_steps + 1):
        part = None
        if kind == "encoder-decoder":
            part = "encoder" if t <= T_x else "decoder"
        nodes[f"a{t}"] = _node((t, 1), "cell", _tex("a", t), t, part)
        prev = f"a{t - 1}"
        if t > 1 or a0:
            if kind != "one-to-one":
                edges.append({"src": prev, "dst": f"a{t}", "kind": "recurrent", "step": t})

    def add_input(t, label_step):
        nodes[f"x{t}"] = _node((t, 0), "input", _tex("x", label_step), t)
        edges.append({"src": f"x{t}", "dst": f"a{t}", "kind": "input", "step": t})

    def add_output(t, j):
        nodes[f"y{j}"] = _node((t, 2), "output", _tex(r"\hat{y}", j), t)
        edges.append({"src": f"a{t}", "dst": f"y{j}", "kind": "output", "step": t})

    if kind in ("one-to-one", "one-to-many"):
        add_input(1, 1)
    elif kind in ("many-to-one", "many-to-many"):
        for t in range(1, T_x + 1):
            add_input(t, t)
    else:
        for t in range(1, T_x + 1):
            add_input(t, t)

    if kind in ("one-to-one", "many-to-one"):
        add_output(n_steps, 1)
    elif kind in ("one-to-many", "many-to-many"):
        for t in range(1, n_steps + 1):
            add_output(t, t)
    else:
        for j in range(1, T_y + 1):
            add_output(T_x + j, j)

    # generation: the output of one step is the input of the next
    if kind == "one-to-many":
        for t in range(2, n_steps + 1):
            edges.append({"src": f"y{t - 1}", "dst": f"a{t}", "kind": "feedback", "step": t})
    elif kind == "encoder-decoder":
        for j in range(2, T_y + 1):
            edges.append({"src": f"y{j - 1}", "dst": f"a{T_x + j}", "kind": "feedback", "step": T_x + j})
    return {"kind": kind, "T_x": T_x, "T_y": T_y, "n_steps": n_steps, "nodes": nodes, "edges": edges}


def computation_graph_layout(T: int = 4) -> dict:
    """The forward computation graph of a many-to-many RNN with a loss at every step.

    Rows: inputs x<t> (y = 0), cells a<t> (y = 1), predictions y_hat<t> (y = 2), step losses L<t>
    (y = 3), and the total loss L = sum_t L<t> (y = 4). The shared parameters are two nodes, "Wa"
    (Wa, ba: into every cell) and "Wy" (Wy, by: into every prediction), drawn left of step 1:
    one node with an arrow to every step says that every step uses the same numbers.

    Parameters
    ----------
    T : int >= 1, the number of time steps T_x = T_y.

    Returns
    -------
    layout : dict as ``rnn_type_layout`` (kind "computation-graph"), with node kinds also
        "loss", "total" and "param", and edge kinds also "loss", "sum" and "param".
    """
    T = check_positive_int("computation_graph_layout", "T", T)
    layout = rnn_type_layout("many-to-many", T, T, a0=True)
    nodes, edges = layout["nodes"], layout["edges"]
    mid = (1 + T) / 2
    nodes["L"] = _node((mid, 4), "total", r"$\mathcal{L}$", T + 1)
    for t in range(1, T + 1):
        nodes[f"L{t}"] = _node((t, 3), "loss", _tex(r"\mathcal{L}", t), t)
        edges.append({"src": f"y{t}", "dst": f"L{t}", "kind": "loss", "step": t})
        edges.append({"src": f"L{t}", "dst": "L", "kind": "sum", "step": t})
    nodes["Wa"] = _node((-0.35, 0.05), "param", r"$W_a, b_a$", 0)
    nodes["Wy"] = _node((-0.35, 2.45), "param", r"$W_y, b_y$", 0)
    for t in range(1, T + 1):
        edges.append({"src": "Wa", "dst": f"a{t}", "kind": "param", "step": t})
        edges.append({"src": "Wy", "dst": f"y{t}", "kind": "param", "step": t})
    layout["kind"] = "computation-graph"
    return layout


def _check_layout(where, layout):
    if not (isinstance(layout, dict) and "nodes" in layout and "edges" in layout and "n_steps" in layout):
        raise ValueError(f"{where}: layout must be a dict made by rnn_type_layout or computation_graph_layout, "
                         f"got {type(layout).__name__}")


def _check_step(where, name, t, n_steps):
    if isinstance(t, (bool, np.bool_)) or not isinstance(t, (int, np.integer)) or not 1 <= t <= n_steps:
        raise ValueError(f"{where}: {name} must be an integer in [1, n_steps] = [1, {n_steps}], got {t!r}")
    return int(t)


# ----------------------------------------------------------------------------------------------
# highlighting (pure: layout + step -> role of every node and edge)
# ----------------------------------------------------------------------------------------------

def step_roles(layout: dict, t: int) -> dict:
    """The role of every node and edge while the network computes step t (forward pass).

    The cell of step t is "current"; what it reads (its input x<t>, the state a<t-1> handed on by
    step t - 1, and in generation the fed-back output y_hat<t-1>) is "reads"; what it produces (its
    output y_hat<t> and the arrow that hands a<t> on to step t + 1) is "produces". Everything of the
    earlier steps is "done", everything of the later steps "future".

    Parameters
    ----------
    layout : dict from ``rnn_type_layout`` or ``computation_graph_layout``.
    t : int in [1, layout["n_steps"]].

    Returns
    -------
    roles : dict, node name -> role and (src, dst) -> role, every role one of ROLES.
    """
    where = "step_roles"
    _check_layout(where, layout)
    t = _check_step(where, "t", t, layout["n_steps"])
    cell = f"a{t}"
    roles = {}
    for name, node in layout["nodes"].items():
        roles[name] = "future" if node["step"] > t else "done"
    for edge in layout["edges"]:
        key = (edge["src"], edge["dst"])
        s = edge["step"]
        if edge["dst"] == cell and edge["kind"] != "param":
            roles[key] = "reads"
            if layout["nodes"][edge["src"]]["kind"] in ("input", "state", "output"):
                roles[edge["src"]] = "reads"
        elif edge["src"] == cell and edge["kind"] in ("output", "recurrent"):
            roles[key] = "produces"
            if edge["kind"] == "output":
                roles[edge["dst"]] = "produces"
        else:
            roles[key] = "future" if s > t else "done"
    roles[cell] = "current"
    return roles


def backward_roles(layout: dict, s: int) -> dict:
    """The role of every node and edge while backpropagation through time handles step s.

    Gradients flow against the arrows, from the last step back to the first. At step s the cell of
    step s is "current"; the gradient reaching a<s> arrives along its output arrow (from the loss of
    step s) and along the recurrent arrow to step s + 1 (from every later loss): those are "reads".
    It sends gradient on along its input arrows (dx<s>, and Waa.T @ dz<s> to a<s-1>): "produces".
    Steps after s are "done" (already handled), steps before s "future".

    Parameters
    ----------
    layout : dict from ``rnn_type_layout`` or ``computation_graph_layout``.
    s : int in [1, layout["n_steps"]].

    Returns
    -------
    roles : dict, node name -> role and (src, dst) -> role, every role one of ROLES.
    """
    where = "backward_roles"
    _check_layout(where, layout)
    s = _check_step(where, "s", s, layout["n_steps"])
    cell = f"a{s}"
    nodes = layout["nodes"]
    roles = {}
    for name, node in nodes.items():
        step = node["step"]
        if node["kind"] == "param":
            roles[name] = "done"
        else:
            roles[name] = "done" if step > s else ("future" if step < s else "done")
    for edge in layout["edges"]:
        key = (edge["src"], edge["dst"])
        step = edge["step"]
        if edge["src"] == cell and edge["kind"] in ("output", "recurrent"):
            roles[key] = "reads"
        elif edge["dst"] == cell and edge["kind"] != "param":
            roles[key] = "produces"
            if nodes[edge["src"]]["kind"] in ("input", "state"):
                roles[edge["src"]] = "produces"
        else:
            roles[key] = "done" if step > s else ("future" if step < s else "done")
    for edge in layout["edges"]:
        if edge["src"] == cell and edge["kind"] == "output":
            roles[edge["dst"]] = "reads"
    roles[cell] = "current"
    return roles


# ----------------------------------------------------------------------------------------------
# drawing
# ----------------------------------------------------------------------------------------------

def _box_exit(center, direction, half_w, half_h):
    """The point where the ray from ``center`` along ``direction`` leaves a half_w x half_h box."""
    dx, dy = direction
    limits = []
    if dx:
        limits.append(half_w / abs(dx))
    if dy:
        limits.append(half_h / abs(dy))
    s = min(limits)
    return center[0] + s * dx, center[1] + s * dy


class Diagram:
    """The artists of one layout on one axes: a box and a label per node, an arrow per edge.

    Parameters
    ----------
    ax : matplotlib Axes
        Where to draw; its limits are set to fit the layout and its frame is hidden.
    layout : dict from ``rnn_type_layout`` or ``computation_graph_layout``.
    fontsize : float, the size of the node labels.
    captions : dict node name -> str, optional
        A line of text under an input node (e.g. the word it holds) or above an output node.
    palette : dict role -> (face colour, edge colour, alpha, line width), default FORWARD_PALETTE.

    Attributes
    ----------
    boxes : dict name -> FancyBboxPatch
    labels : dict name -> Text (inside the box)
    captions : dict name -> Text (under inputs, above outputs; "" until set)
    arrows : dict (src, dst) -> FancyArrowPatch
    roles : dict, the roles of the latest ``paint`` (all "idle" at first)
    """

    def __init__(self, ax, layout, fontsize: float = 11, captions=None, palette=None):
        _check_layout("Diagram", layout)
        self.ax = ax
        self.layout = layout
        self.palette = dict(FORWARD_PALETTE if palette is None else palette)
        missing = [role for role in ROLES if role not in self.palette]
        if missing:
            raise KeyError(f"Diagram: palette is missing the role(s) {', '.join(missing)} "
                           f"(it needs every one of {', '.join(ROLES)})")
        self.boxes, self.labels, self.captions, self.arrows = {}, {}, {}, {}
        nodes = layout["nodes"]
        for name, node in nodes.items():
            w, h = _BOX[node["kind"]]
            x, y = node["xy"]
            box = FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.0,rounding_size=0.08",
                                 linewidth=1.2, edgecolor="0.15", facecolor="white", zorder=3)
            ax.add_patch(box)
            self.boxes[name] = box
            self.labels[name] = ax.text(x, y, node["label"], ha="center", va="center", fontsize=fontsize,
                                        zorder=4)
            if node["kind"] == "input":
                self.captions[name] = ax.text(x, y - h / 2 - 0.08, "", ha="center", va="top",
                                              fontsize=fontsize - 1, zorder=4)
            elif node["kind"] == "output":
                self.captions[name] = ax.text(x, y + h / 2 + 0.06, "", ha="center", va="bottom",
                                              fontsize=fontsize - 1, zorder=4)
        for edge in layout["edges"]:
            src, dst = nodes[edge["src"]], nodes[edge["dst"]]
            p, q = np.array(src["xy"]), np.array(dst["xy"])
            d = q - p
            start = _box_exit(p, d, *(np.array(_BOX[src["kind"]]) / 2 + 0.02))
            end = _box_exit(q, -d, *(np.array(_BOX[dst["kind"]]) / 2 + 0.02))
            style = {"feedback": dict(linestyle=(0, (3, 2)), connectionstyle="arc3,rad=-0.25"),
                     "param": dict(linestyle=(0, (1, 2)), connectionstyle="arc3,rad=0.0")}.get(
                edge["kind"], dict(linestyle="-", connectionstyle="arc3,rad=0.0"))
            arrow = FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, linewidth=1.2,
                                    color="0.15", zorder=2, shrinkA=0, shrinkB=0, **style)
            ax.add_patch(arrow)
            self.arrows[(edge["src"], edge["dst"])] = arrow
        xs = [n["xy"][0] for n in nodes.values()]
        ys = [n["xy"][1] for n in nodes.values()]
        ax.set_xlim(min(xs) - 0.6, max(xs) + 0.6)
        ax.set_ylim(min(ys) - 0.55, max(ys) + 0.5)
        ax.set_aspect("equal", adjustable="box")
        ax.axis("off")
        self.roles = {}
        self.paint({})
        if captions:
            self.set_captions(captions)

    def _part_face(self, name):
        part = self.layout["nodes"][name]["part"]
        return _PART_COLOUR.get(part, "#ffffff")

    def paint(self, roles: dict) -> None:
        """Recolour every node and edge by its role (missing entries are "idle"); nothing is re-created.

        roles : dict node name or (src, dst) -> one of ROLES, e.g. from ``step_roles``.
        """
        unknown = sorted({str(r) for r in roles.values() if r not in ROLES})
        if unknown:
            raise ValueError(f"Diagram.paint: roles must be among {', '.join(ROLES)}, got {', '.join(unknown)}")
        for name, box in self.boxes.items():
            role = roles.get(name, "idle")
            face, edge, alpha, lw = self.palette[role]
            if role in ("idle", "done", "future"):
                face = self._part_face(name)
            box.set_facecolor(face)
            box.set_edgecolor(edge)
            box.set_linewidth(lw)
            box.set_alpha(alpha)
            self.labels[name].set_alpha(max(alpha, 0.45))
            if name in self.captions:
                self.captions[name].set_alpha(max(alpha, 0.45))
        for key, arrow in self.arrows.items():
            role = roles.get(key, "idle")
            _, edge, alpha, lw = self.palette[role]
            arrow.set_color(edge)
            arrow.set_linewidth(lw)
            arrow.set_alpha(alpha)
        self.roles = dict(roles)

    def set_captions(self, captions: dict) -> None:
        """Set the caption texts of input / output nodes: dict name -> str (others unchanged)."""
        for name, text in captions.items():
            if name not in self.captions:
                raise KeyError(f"Diagram.set_captions: no input or output node named '{name}' "
                               f"(captions exist for: {', '.join(self.captions)})")
            self.captions[name].set_text(str(text))

    def set_visible(self, visible: bool) -> None:
        """Show or hide every artist of the diagram (to keep several diagrams on one axes)."""
        for artist in self.artists():
            artist.set_visible(bool(visible))

    def show_steps(self, n: int) -> None:
        """Show the nodes and edges of steps 0 .. n and hide the later ones (a shorter sentence on the
        same drawing); n = n_steps shows everything."""
        n = check_positive_int("Diagram.show_steps", "n", n)
        nodes = self.layout["nodes"]
        for name in self.boxes:
            visible = nodes[name]["step"] <= n
            self.boxes[name].set_visible(visible)
            self.labels[name].set_visible(visible)
            if name in self.captions:
                self.captions[name].set_visible(visible)
        for edge in self.layout["edges"]:
            self.arrows[(edge["src"], edge["dst"])].set_visible(edge["step"] <= n)

    def artists(self) -> list:
        """Every artist of the diagram."""
        return (list(self.boxes.values()) + list(self.labels.values()) + list(self.captions.values())
                + list(self.arrows.values()))


# ----------------------------------------------------------------------------------------------
# static figures
# ----------------------------------------------------------------------------------------------

_TITLES = {
    "one-to-one": "one-to-one: a plain network",
    "one-to-many": "one-to-many: generate a sequence from one input",
    "many-to-one": "many-to-one: read a sequence, answer once",
    "many-to-many": r"many-to-many, $T_x = T_y$: an output at every step",
    "encoder-decoder": r"encoder-decoder, $T_x \neq T_y$: read everything, then write",
}


def plot_rnn_type(kind: str, T_x=None, T_y=None, captions=None, title=None):
    """A figure with the unrolled diagram of one kind of RNN (see ``rnn_type_layout``).

    Parameters
    ----------
    kind, T_x, T_y : see ``rnn_type_layout``.
    captions : dict node name -> str, optional, e.g. {"x1": "not", "x2": "good"}.
    title : str or None, default a one-line description of the kind.

    Returns
    -------
    fig : matplotlib Figure (not displayed), and its Diagram as ``fig.diagram``.
    """
    layout = rnn_type_layout(kind, T_x, T_y)
    width = 1.2 + 1.05 * (layout["n_steps"] + 1)
    fig, ax = new_figure(figsize=(max(width, 4.0), 2.7))
    diagram = Diagram(ax, layout, captions=captions)
    if layout["kind"] == "encoder-decoder":
        T_x = layout["T_x"]
        ax.text((1 + T_x) / 2, 2.05, "encoder", ha="center", va="center", fontsize=10, color="#1f4e8c")
        ax.text(T_x + (1 + layout["T_y"]) / 2, 0.0, "decoder", ha="center", va="center", fontsize=10,
                color="#a0522d")
    ax.set_title(_TITLES[layout["kind"]] if title is None else title, fontsize=10)
    fig.tight_layout()
    fig.diagram = diagram
    return fig


def plot_computation_graph(T: int = 4, backward: bool = True):
    """The computation graph of a many-to-many RNN with its losses (see ``computation_graph_layout``).

    With ``backward`` the picture adds, in red, the path of the gradient: from the total loss down to
    every step's loss, and from each cell back to the cell before it (the recursion of BPTT runs from
    step T to step 1, against the forward arrows).

    Returns the figure (not displayed) with its Diagram as ``fig.diagram``.
    """
    if not isinstance(backward, (bool, np.bool_)):
        raise ValueError(f"plot_computation_graph: backward must be True or False, got {backward!r}")
    layout = computation_graph_layout(T)
    fig, ax = new_figure(figsize=(1.6 + 1.25 * (layout["n_steps"] + 1), 4.4))
    diagram = Diagram(ax, layout, fontsize=10)
    ax.set_xlim(-1.0, T + 0.7)
    if backward:
        nodes = layout["nodes"]
        for t in range(T, 0, -1):
            x = nodes[f"a{t}"]["xy"][0]
            if t > 1:   # the recursion da<t-1> += Waa.T @ dz<t>, drawn under the forward arrow
                ax.add_patch(FancyArrowPatch((x - 0.31, 0.86), (x - 0.69, 0.86), arrowstyle="-|>",
                                             mutation_scale=10, color="#d62728", lw=1.6, zorder=2,
                                             connectionstyle="arc3,rad=-0.35", shrinkA=0, shrinkB=0))
            ax.add_patch(FancyArrowPatch((x + 0.12, 2.83), (x + 0.12, 2.17), arrowstyle="-|>",
                                         mutation_scale=10, color="#d62728", lw=1.4, zorder=2,
                                         connectionstyle="arc3,rad=-0.3", shrinkA=0, shrinkB=0))
            ax.add_patch(FancyArrowPatch((x + 0.12, 1.83), (x + 0.12, 1.22), arrowstyle="-|>",
                                         mutation_scale=10, color="#d62728", lw=1.4, zorder=2,
                                         connectionstyle="arc3,rad=-0.3", shrinkA=0, shrinkB=0))
        ax.text(-0.95, 4.2, "red: the gradient,\nfrom step T back to 1", ha="left", va="top", fontsize=8,
                color="#d62728")
    ax.set_title("forward (black) and backward (red) through time", fontsize=10)
    fig.tight_layout()
    fig.diagram = diagram
    return fig


# ----------------------------------------------------------------------------------------------
# explorer: the five kinds, step by step
# ----------------------------------------------------------------------------------------------

def type_step_view(layout: dict, step: int) -> dict:
    """What happens at one step of one kind of RNN (pure; the explorer draws it).

    Parameters
    ----------
    layout : dict from ``rnn_type_layout``.
    step : int in [1, layout["n_steps"]].

    Returns
    -------
    dict with
        kind : str;  step : int;  n_steps : int
        reads_input : bool, the step reads an input x (not a fed-back output)
        feedback : bool, the step reads the output of the step before
        writes_output : bool, the step produces an output y_hat
        outputs_so_far : int, outputs produced by steps 1 .. step
        inputs_so_far : int, inputs read by steps 1 .. step
        part : "encoder", "decoder" or None
        roles : dict, ``step_roles(layout, step)``
        text : str, one sentence saying what the step does
    """
    where = "type_step_view"
    _check_layout(where, layout)
    step = _check_step(where, "step", step, layout["n_steps"])
    cell = f"a{step}"
    into = [e for e in layout["edges"] if e["dst"] == cell]
    out = [e for e in layout["edges"] if e["src"] == cell and e["kind"] == "output"]
    reads_input = any(e["kind"] == "input" for e in into)
    feedback = any(e["kind"] == "feedback" for e in into)
    writes = bool(out)
    inputs_so_far = sum(1 for e in layout["edges"] if e["kind"] == "input" and e["step"] <= step)
    outputs_so_far = sum(1 for e in layout["edges"] if e["kind"] == "output" and e["step"] <= step)
    part = layout["nodes"][cell]["part"]
    parts = []
    if reads_input:
        parts.append(f"reads x<{step}>")
    if feedback:
        parts.append("reads its own previous output y_hat")
    if not reads_input and not feedback and step > 1:
        parts.append("reads only the state a<t-1>")
    parts.append(f"writes y_hat<{out[0]['dst'][1:]}>" if writes else "writes no output")
    who = f"the {part}" if part else "the cell"
    text = f"step {step} of {layout['n_steps']}: {who} " + ", ".join(parts)
    return {"kind": layout["kind"], "step": step, "n_steps": layout["n_steps"], "reads_input": reads_input,
            "feedback": feedback, "writes_output": writes, "outputs_so_far": outputs_so_far,
            "inputs_so_far": inputs_so_far, "part": part, "roles": step_roles(layout, step), "text": text}


def rnn_types_explorer(kind: str = "many-to-one", step: int = 1) -> Explorer:
    """Choose a kind of RNN and a time step; see which steps read an input and which write an output.

    The five diagrams (default sizes of ``rnn_type_layout``) are drawn once on one axes; choosing a
    kind shows its diagram and hides the others, moving the step recolours it (``step_roles``).

    Parameters
    ----------
    kind : str, one of KINDS, the initial choice.
    step : int >= 1, the initial step (clipped to the kind's number of steps).

    Controls: ``kind`` (Dropdown of KINDS), ``step`` (IntSlider from 1 to the chosen kind's
    n_steps: choosing a shorter kind moves the step back to its last step if needed).
    The returned explorer has an extra attribute ``diagrams``: kind -> its ``Diagram``.
    """
    where = "rnn_types_explorer"
    _check_kind(where, kind)
    step = check_positive_int(where, "step", step)
    layouts = {k: rnn_type_layout(k) for k in KINDS}
    max_steps = max(lay["n_steps"] for lay in layouts.values())
    fig, ax = new_figure(figsize=(8.0, 3.3))
    diagrams = {k: Diagram(ax, layouts[k]) for k in KINDS}
    ax.set_xlim(-0.6, max_steps + 0.6)
    ax.set_ylim(-0.65, 2.55)
    # the longest title reserves the room for every title in the layout
    ax.set_title(_TITLES["encoder-decoder"], fontsize=10, y=1.0)
    caption = ax.text(-0.55, -0.6, "", ha="left", va="bottom", fontsize=9)
    counter = ax.text(max_steps + 0.55, 2.5, "", ha="right", va="top", fontsize=9, color="0.3")
    fig.tight_layout()
    # the title becomes a text at the title's place, so that it can join the cached drawing below
    title = ax.text(0.5, 1.0, "", transform=ax.title.get_transform(), ha="center", va="baseline", fontsize=10)
    ax.set_title("")

    def compute(kind, step):
        layout = layouts[kind]
        view = type_step_view(layout, min(step, layout["n_steps"]))
        view["requested_step"] = step
        return view

    def show(state):
        kind, step = state
        view = type_step_view(layouts[kind], step)
        for k, diagram in diagrams.items():
            diagram.set_visible(k == kind)
        diagrams[kind].paint(view["roles"])
        title.set_text(_TITLES[kind])
        caption.set_text(view["text"])
        counter.set_text(f"inputs read: {view['inputs_so_far']}\noutputs written: {view['outputs_so_far']}")

    # everything on the axes depends only on (kind, step): each of its 20 pictures is drawn on its first
    # visit (one full drawing of the diagram, ~25 ms), then pasted (all at the first render would delay
    # the first picture by half a second)
    members = [a for d in diagrams.values() for a in d.artists()] + [title, caption, counter]
    first = compute(kind, step)
    drawing = CachedDrawing(ax, members, show, (first["kind"], first["step"]))

    def draw(r):
        drawing.show((r["kind"], r["step"]))

    controls = {
        "kind": widgets.Dropdown(options=list(KINDS), value=kind, description="kind"),
        "step": widgets.IntSlider(value=min(step, layouts[kind]["n_steps"]), min=1, max=layouts[kind]["n_steps"],
                                  description="step t"),
    }
    explorer = Explorer("the five kinds of RNN, one time step at a time", controls, fig, compute, draw,
                        describe=lambda r: r["text"])
    # choosing a kind gives the step slider that kind's range (a shorter kind moves the step back)
    explorer.link_max("kind", "step", lambda k: layouts[k]["n_steps"])
    explorer.diagrams = diagrams   # kind -> Diagram, for tests and for a closer look
    explorer.drawing = drawing     # the cached drawing of the axes (its state: (kind, step))
    return explorer


# ----------------------------------------------------------------------------------------------
# static pictures of the lecture: the rolled RNN, the GRU cell, a chain of LSTM cells
# ----------------------------------------------------------------------------------------------
#
# A schematic layout is pure data, like the layouts above: ``nodes`` name -> {"xy", "kind", "label"}
# (optionally "size": the half width and half height of a box, "fontsize", and "side": "left" to put
# a point's label on its left) and ``edges``, a list of (src, dst);
# ``memory_line`` lists the edges drawn as the memory line. Node kinds: "io" (a quantity entering or
# leaving: text only), "point" (a junction on a line: a dot, labelled beside it), "gate" (a sigmoid or
# tanh layer: a rounded box), "op" (an element-wise operation: a circle), "stack" (the stacking
# [.,.] of two vectors: a small box). ``_draw_schematic`` draws one.

_SCHEMATIC_SIZE = {"gate": (0.5, 0.28), "stack": (0.3, 0.22)}
_SCHEMATIC_FACE = {"gate": "#fff1c9", "stack": "#eef3fb"}
_OP_RADIUS, _POINT_RADIUS = 0.17, 0.05
_MEMORY_COLOUR = "#b2182b"


def _schematic_exit(node, direction):
    """Where an arrow along ``direction`` leaves (or, reversed, enters) the drawn shape of ``node``."""
    x, y = node["xy"]
    kind = node["kind"]
    d = np.asarray(direction, dtype=float)
    d = d / np.hypot(*d)
    if kind in ("op", "point"):
        r = node.get("radius", _OP_RADIUS if kind == "op" else _POINT_RADIUS) + 0.03
        return x + r * d[0], y + r * d[1]
    if kind == "io":
        return _box_exit((x, y), d, 0.42, 0.2)
    half_w, half_h = node.get("size", _SCHEMATIC_SIZE[kind])
    return _box_exit((x, y), d, half_w + 0.03, half_h + 0.03)


def _draw_schematic(ax, layout, fontsize: float = 11.0) -> dict:
    """Draw a schematic layout on ``ax``; returns {"shapes": name -> patch (None for "io"),
    "labels": name -> Text, "arrows": (src, dst) -> FancyArrowPatch}."""
    from matplotlib.patches import Circle

    nodes = layout["nodes"]
    memory = {tuple(e) for e in layout.get("memory_line", ())}
    shapes, labels, arrows = {}, {}, {}
    for name, node in nodes.items():
        x, y = node["xy"]
        kind = node["kind"]
        shape, at, align = None, (x, y), dict(ha="center", va="center")
        size = node.get("fontsize", fontsize)
        if kind == "op":
            shape = Circle((x, y), node.get("radius", _OP_RADIUS), facecolor="white", edgecolor="0.15", lw=1.2,
                           zorder=3)
        elif kind == "point":
            shape = Circle((x, y), _POINT_RADIUS, facecolor="0.15", edgecolor="0.15", lw=1.0, zorder=3)
            if node.get("side") == "left":                                   # the label beside the dot
                at, align = (x - 0.1, y + 0.12), dict(ha="right", va="bottom")
            else:
                at, align = (x + 0.1, y + 0.12), dict(ha="left", va="bottom")
        elif kind in ("gate", "stack"):
            w, h = node.get("size", _SCHEMATIC_SIZE[kind])
            shape = FancyBboxPatch((x - w, y - h), 2 * w, 2 * h, boxstyle="round,pad=0.0,rounding_size=0.06",
                                   facecolor=_SCHEMATIC_FACE[kind], edgecolor="0.15", lw=1.2, zorder=3)
            size = node.get("fontsize", fontsize - 1)
        if shape is not None:
            ax.add_patch(shape)
        shapes[name] = shape
        labels[name] = ax.text(*at, node["label"], zorder=4, fontsize=size, **align)
    for src, dst in layout["edges"]:
        p, q = np.array(nodes[src]["xy"]), np.array(nodes[dst]["xy"])
        on_line = (src, dst) in memory
        arrow = FancyArrowPatch(_schematic_exit(nodes[src], q - p), _schematic_exit(nodes[dst], p - q),
                                arrowstyle="-|>", mutation_scale=10, shrinkA=0, shrinkB=0,
                                color=_MEMORY_COLOUR if on_line else "0.25", lw=2.6 if on_line else 1.1,
                                zorder=2.5 if on_line else 2)
        ax.add_patch(arrow)
        arrows[(src, dst)] = arrow
    xs = [n["xy"][0] for n in nodes.values()]
    ys = [n["xy"][1] for n in nodes.values()]
    ax.set_xlim(min(xs) - 0.7, max(xs) + 0.7)
    ax.set_ylim(min(ys) - 0.45, max(ys) + 0.5)
    ax.set_aspect("equal", adjustable="box")
    ax.axis("off")
    return {"shapes": shapes, "labels": labels, "arrows": arrows}


def gru_cell_layout() -> dict:
    """The full GRU cell as a schematic layout (see ``_draw_schematic``):

        Gamma_r = sigma(Wr [c<t-1>, x<t>] + br),  Gamma_u = sigma(Wu [c<t-1>, x<t>] + bu)
        c~<t>   = tanh(Wc [Gamma_r * c<t-1>, x<t>] + bc)
        c<t>    = Gamma_u * c~<t> + (1 - Gamma_u) * c<t-1>,   a<t> = c<t>

    The memory line c<t-1> -> (times 1 - Gamma_u) -> (+) -> c<t> runs along the top (``memory_line``).
    """
    def node(xy, kind, label, **more):
        return dict(xy=xy, kind=kind, label=label, **more)

    nodes = {
        "c_prev": node((0.0, 4.0), "io", r"$c^{\langle t-1 \rangle}$"),
        "x": node((0.0, 0.0), "io", r"$x^{\langle t \rangle}$"),
        "stack": node((1.1, 1.3), "stack", r"$[c, x]$"),
        "Gamma_r": node((2.3, 2.0), "gate", r"$\Gamma_r$ ($\sigma$)"),
        "Gamma_u": node((2.3, 0.6), "gate", r"$\Gamma_u$ ($\sigma$)"),
        "r_times_c": node((3.3, 2.8), "op", r"$\odot$"),
        "candidate": node((4.5, 2.8), "gate", r"$\tilde c^{\langle t \rangle}$ (tanh)"),
        "one_minus": node((5.5, 1.5), "op", r"$1-$", fontsize=8, radius=0.22),   # a circle "1 -" fits in
        "keep": node((5.5, 4.0), "op", r"$\odot$"),
        "write": node((6.6, 2.8), "op", r"$\odot$"),
        "plus": node((6.6, 4.0), "op", "$+$"),
        "c_next": node((8.1, 4.0), "io", r"$c^{\langle t \rangle} = a^{\langle t \rangle}$"),
    }
    memory = [("c_prev", "keep"), ("keep", "plus"), ("plus", "c_next")]
    edges = memory + [
        ("c_prev", "stack"), ("x", "stack"), ("stack", "Gamma_r"), ("stack", "Gamma_u"),
        ("c_prev", "r_times_c"), ("Gamma_r", "r_times_c"), ("r_times_c", "candidate"), ("x", "candidate"),
        ("Gamma_u", "one_minus"), ("one_minus", "keep"), ("Gamma_u", "write"), ("candidate", "write"),
        ("write", "plus"),
    ]
    return {"nodes": nodes, "edges": edges, "memory_line": memory}


def plot_gru_cell():
    """A figure of the full GRU cell (``gru_cell_layout``), the memory line in red along the top.

    Returns the figure (not displayed) with ``fig.schematic``: the layout and its artists
    (``shapes``, ``labels``, ``arrows``).
    """
    layout = gru_cell_layout()
    fig, ax = new_figure(figsize=(7.6, 4.0))
    artists = _draw_schematic(ax, layout)
    ax.text(2.75, 3.85, r"memory line: kept where $\Gamma_u \approx 0$", ha="center", va="top", fontsize=9,
            color=_MEMORY_COLOUR)
    ax.set_title(r"the full GRU cell: $\Gamma_r$ inside the candidate, $\Gamma_u$ mixing old and new",
                 fontsize=10)
    fig.tight_layout()
    fig.schematic = dict(artists, layout=layout)
    return fig


def lstm_chain_layout(T: int = 3) -> dict:
    """T LSTM cells in a row as a schematic layout (see ``_draw_schematic``); for cell t:

        Gamma_f, Gamma_u, Gamma_o = sigma(W. [a<t-1>, x<t>] + b.),   c~<t> = tanh(Wc [a<t-1>, x<t>] + bc)
        c<t> = Gamma_u * c~<t> + Gamma_f * c<t-1>,                   a<t> = Gamma_o * tanh(c<t>)

    The memory line c<0> -> (times Gamma_f) -> (+) -> c<1> -> ... -> c<T> runs along the top, above
    every gate (``memory_line``: its edges in order, ``top``: its height); a<t> leaves each cell at the
    bottom into the next cell's stack, and y_hat<t> is read from it at the cell's right edge, by a
    vertical arrow that crosses the memory line between two cells. ``cells``: t ->
    (x_min, x_max, y_min, y_max) of the panel drawn for cell t.
    """
    T = check_positive_int("lstm_chain_layout", "T", T)
    width, top = 4.4, 4.0
    small = (0.28, 0.24)
    nodes = {"c0": {"xy": (-0.4, top), "kind": "point", "label": r"$c^{\langle 0 \rangle}$"},
             "a0": {"xy": (-0.4, 0.4), "kind": "point", "label": r"$a^{\langle 0 \rangle}$"}}
    edges, memory, cells = [], [], {}
    for t in range(1, T + 1):
        x0 = (t - 1) * width
        cells[t] = (x0 + 0.2, x0 + width - 0.2, -0.35, 3.45)
        parts = {
            f"x{t}": ((x0 + 0.7, -0.9), "io", rf"$x^{{\langle {t} \rangle}}$"),
            f"stack{t}": ((x0 + 0.7, 0.4), "stack", r"$[a, x]$"),
            f"Gamma_f{t}": ((x0 + 1.0, 1.6), "gate", r"$\Gamma_f$"),
            f"Gamma_u{t}": ((x0 + 1.7, 1.6), "gate", r"$\Gamma_u$"),
            f"cand{t}": ((x0 + 2.4, 1.6), "gate", r"$\tilde c$"),
            f"Gamma_o{t}": ((x0 + 3.1, 1.6), "gate", r"$\Gamma_o$"),
            f"forget{t}": ((x0 + 1.0, top), "op", r"$\odot$"),
            f"write{t}": ((x0 + 2.05, 2.9), "op", r"$\odot$"),
            f"plus{t}": ((x0 + 2.05, top), "op", "$+$"),
            f"c{t}": ((x0 + 3.75, top), "point", r"$c^{\langle %d \rangle}$" % t),
            f"tanh{t}": ((x0 + 3.75, 2.9), "op", "tanh"),
            f"out{t}": ((x0 + 3.75, 1.6), "op", r"$\odot$"),
            f"a{t}": ((x0 + 3.75, 0.4), "point", r"$a^{\langle %d \rangle}$" % t),
            f"read{t}": ((x0 + 4.15, 1.6), "point", ""),
            f"y{t}": ((x0 + 4.15, top + 1.0), "io", rf"$\hat y^{{\langle {t} \rangle}}$"),
        }
        for name, (xy, kind, label) in parts.items():
            nodes[name] = {"xy": xy, "kind": kind, "label": label}
            if kind == "gate":
                nodes[name]["size"] = small
        nodes[f"tanh{t}"].update(fontsize=7, radius=0.25)   # a circle the word fits in
        nodes[f"c{t}"]["side"] = "left"          # clear of the arrow up to y_hat<t>
        c_in, a_in = ("c0", "a0") if t == 1 else (f"c{t - 1}", f"a{t - 1}")
        line = [(c_in, f"forget{t}"), (f"forget{t}", f"plus{t}"), (f"plus{t}", f"c{t}")]
        memory += line
        edges += line + [
            (a_in, f"stack{t}"), (f"x{t}", f"stack{t}"),
            (f"stack{t}", f"Gamma_f{t}"), (f"stack{t}", f"Gamma_u{t}"), (f"stack{t}", f"cand{t}"),
            (f"stack{t}", f"Gamma_o{t}"),
            (f"Gamma_f{t}", f"forget{t}"), (f"Gamma_u{t}", f"write{t}"), (f"cand{t}", f"write{t}"),
            (f"write{t}", f"plus{t}"),
            (f"c{t}", f"tanh{t}"), (f"tanh{t}", f"out{t}"), (f"Gamma_o{t}", f"out{t}"), (f"out{t}", f"a{t}"),
            (f"out{t}", f"read{t}"), (f"read{t}", f"y{t}"),
        ]
    return {"nodes": nodes, "edges": edges, "memory_line": memory, "cells": cells, "T": T, "top": top}


def plot_lstm_chain(T: int = 3):
    """A figure of ``T`` LSTM cells in a row (``lstm_chain_layout``): each cell a grey panel, the
    memory line c<0> ... c<T> in red along the top, above every gate.

    Returns the figure (not displayed) with ``fig.schematic``: the layout, its artists (``shapes``,
    ``labels``, ``arrows``) and ``panels``: t -> the Rectangle of cell t.
    """
    from matplotlib.patches import Rectangle

    layout = lstm_chain_layout(T)
    fig, ax = new_figure(figsize=(1.4 + 2.6 * layout["T"], 4.4))
    artists = _draw_schematic(ax, layout, fontsize=10)
    panels = {}
    for t, (x_min, x_max, y_min, y_max) in layout["cells"].items():
        panel = Rectangle((x_min, y_min), x_max - x_min, y_max - y_min, facecolor="#f2f2f2", edgecolor="0.6",
                          lw=1.0, zorder=0)
        ax.add_patch(panel)
        panels[t] = panel
    ax.set_title(r"LSTM cells in a row: the memory line (red) runs along the top, through one $\odot\,\Gamma_f$ "
                 "and one $+$ per step", fontsize=10)
    fig.tight_layout()
    fig.schematic = dict(artists, layout=layout, panels=panels)
    return fig


def plot_rolled_rnn(T: int = 4):
    """The same RNN drawn two ways: rolled up (one cell whose state loops back into it through a
    one-step delay, the shaded square) and unrolled over ``T`` steps (``rnn_type_layout("many-to-many")``).

    Returns the figure (not displayed) with ``fig.rolled``: "cell", "delay" (patches), "loop" (the
    arrow out of the cell's right side and back into it) and "loop_path" (its corners in data
    coordinates, ndarray (4, 2)), "labels" (name -> Text); and
    ``fig.diagram``, the Diagram of the unrolled network.
    """
    from matplotlib.path import Path

    T = check_positive_int("plot_rolled_rnn", "T", T)
    layout = rnn_type_layout("many-to-many", T)
    fig, (ax_r, ax_u) = new_figure(1, 2, figsize=(2.8 + 1.05 * (T + 1), 3.0),
                                   gridspec_kw={"width_ratios": [1.6, T + 1.2]})
    w, h = _BOX["cell"]
    cell = FancyBboxPatch((-w / 2, 1 - h / 2), w, h, boxstyle="round,pad=0.0,rounding_size=0.08",
                          facecolor="#ffd9a8", edgecolor="#d95f02", lw=2.0, zorder=3)
    ax_r.add_patch(cell)
    labels = {"cell": ax_r.text(0, 1, r"$a^{\langle t \rangle}$", ha="center", va="center", fontsize=11, zorder=4),
              "x": ax_r.text(0, 0, r"$x^{\langle t \rangle}$", ha="center", va="center", fontsize=11),
              "y": ax_r.text(0, 2, r"$\hat y^{\langle t \rangle}$", ha="center", va="center", fontsize=11)}
    for start, end in (((0, 0.17), (0, 1 - h / 2 - 0.02)), ((0, 1 + h / 2 + 0.02), (0, 1.83))):
        ax_r.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=11, color="0.15", lw=1.2,
                                       shrinkA=0, shrinkB=0))
    # the loop: a<t> leaves the right side, waits one step (the delay) and comes back in as a<t-1>
    right, reach = w / 2, w / 2 + 0.45
    loop_path = np.array([(right, 1.12), (reach, 1.12), (reach, 0.88), (right + 0.02, 0.88)])
    loop = FancyArrowPatch(path=Path(loop_path),
                           arrowstyle="-|>", mutation_scale=11, color="0.15", lw=1.4, zorder=2)
    ax_r.add_patch(loop)
    delay = FancyBboxPatch((reach - 0.08, 0.92), 0.16, 0.16, boxstyle="square,pad=0.0", facecolor="0.45",
                           edgecolor="0.15", lw=1.0, zorder=3)
    ax_r.add_patch(delay)
    labels["delay"] = ax_r.text(reach, 0.8, "one-step\ndelay", ha="center", va="top", fontsize=8, color="0.3")
    ax_r.text(1.45, 1.0, "=", fontsize=18, ha="center", va="center")
    ax_r.set_xlim(-0.7, 1.6)
    ax_r.set_ylim(-0.4, 2.45)
    ax_r.set_aspect("equal", adjustable="box")
    ax_r.axis("off")
    ax_r.set_title("rolled up", fontsize=10)
    diagram = Diagram(ax_u, layout)
    ax_u.set_title(f"unrolled over $T_x = {T}$ steps", fontsize=10)
    fig.tight_layout()
    fig.rolled = {"cell": cell, "delay": delay, "loop": loop, "loop_path": loop_path, "labels": labels}
    fig.diagram = diagram
    return fig
