"""Diagrams: layouts of the five kinds of RNN, step and backward highlighting, in-place painting."""
import threading

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.views.diagrams import (
    BACKWARD_PALETTE,
    FORWARD_PALETTE,
    KINDS,
    ROLES,
    CachedDrawing,
    Diagram,
    backward_roles,
    computation_graph_layout,
    gru_cell_layout,
    lstm_chain_layout,
    plot_computation_graph,
    plot_gru_cell,
    plot_lstm_chain,
    plot_rnn_type,
    plot_rolled_rnn,
    rnn_type_layout,
    rnn_types_explorer,
    step_roles,
    type_step_view,
)


def edges_of(layout, kind):
    return [(e["src"], e["dst"]) for e in layout["edges"] if e["kind"] == kind]


def nodes_of(layout, kind):
    return sorted(name for name, n in layout["nodes"].items() if n["kind"] == kind)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


# -- layouts ---------------------------------------------------------------------------------------

def test_many_to_many_reads_and_writes_at_every_step():
    lay = rnn_type_layout("many-to-many", 5)
    assert lay["T_y"] == 5 and lay["n_steps"] == 5
    assert edges_of(lay, "input") == [(f"x{t}", f"a{t}") for t in range(1, 6)]
    assert edges_of(lay, "output") == [(f"a{t}", f"y{t}") for t in range(1, 6)]
    # a<0> -> a<1>, ..., a<4> -> a<5>: one recurrent arrow into every cell
    assert edges_of(lay, "recurrent") == [(f"a{t - 1}", f"a{t}") for t in range(1, 6)]
    assert edges_of(lay, "feedback") == []


def test_many_to_one_writes_only_after_the_last_step():
    lay = rnn_type_layout("many-to-one", 4)
    assert len(edges_of(lay, "input")) == 4
    assert edges_of(lay, "output") == [("a4", "y1")]
    assert lay["nodes"]["y1"]["step"] == 4


def test_one_to_many_reads_once_and_feeds_its_outputs_back():
    lay = rnn_type_layout("one-to-many", 1, 4)
    assert edges_of(lay, "input") == [("x1", "a1")]
    assert len(edges_of(lay, "output")) == 4
    assert edges_of(lay, "feedback") == [("y1", "a2"), ("y2", "a3"), ("y3", "a4")]


def test_one_to_one_has_no_recurrence():
    lay = rnn_type_layout("one-to-one")
    assert lay["n_steps"] == 1
    assert edges_of(lay, "recurrent") == []
    assert "a0" not in lay["nodes"]
    assert nodes_of(lay, "input") == ["x1"] and nodes_of(lay, "output") == ["y1"]


def test_encoder_decoder_reads_everything_then_writes_a_sequence_of_another_length():
    lay = rnn_type_layout("encoder-decoder", 3, 5)
    assert lay["n_steps"] == 8
    assert [lay["nodes"][x]["step"] for x in nodes_of(lay, "input")] == [1, 2, 3]
    out_steps = sorted(lay["nodes"][y]["step"] for y in nodes_of(lay, "output"))
    assert out_steps == [4, 5, 6, 7, 8]
    parts = [lay["nodes"][f"a{t}"]["part"] for t in range(1, 9)]
    assert parts == ["encoder"] * 3 + ["decoder"] * 5
    # the context: the last encoder cell hands its state to the first decoder cell
    assert ("a3", "a4") in edges_of(lay, "recurrent")
    assert len(edges_of(lay, "feedback")) == 4


@pytest.mark.parametrize("kind, T_x, T_y, rule", [
    ("one-to-one", 2, None, "T_x = T_y = 1"),
    ("one-to-many", 3, 4, "T_x = 1"),
    ("many-to-one", 3, 2, "T_y = 1"),
    ("many-to-many", 3, 4, "T_x = T_y"),
])
def test_layout_refuses_lengths_that_do_not_fit_the_kind(kind, T_x, T_y, rule):
    with pytest.raises(ValueError, match=f"a {kind} network needs {rule}"):
        rnn_type_layout(kind, T_x, T_y)


def test_layout_bad_arguments():
    with pytest.raises(ValueError, match="rnn_type_layout: kind must be one of"):
        rnn_type_layout("two-to-two")
    with pytest.raises(ValueError, match="T_x must be an integer >= 1, got 0"):
        rnn_type_layout("many-to-many", 0)
    with pytest.raises(ValueError, match="a0 must be True, False or None"):
        rnn_type_layout("many-to-many", 2, a0="yes")


def test_computation_graph_shares_parameters_and_sums_the_losses():
    lay = computation_graph_layout(3)
    assert sorted(src for src, dst in edges_of(lay, "sum")) == ["L1", "L2", "L3"]
    assert all(dst == "L" for _, dst in edges_of(lay, "sum"))
    # the same parameter node feeds every step: that is parameter sharing
    assert sorted(dst for src, dst in edges_of(lay, "param") if src == "Wa") == ["a1", "a2", "a3"]
    assert sorted(dst for src, dst in edges_of(lay, "param") if src == "Wy") == ["y1", "y2", "y3"]


# -- highlighting ------------------------------------------------------------------------------------

def test_step_roles_mark_what_step_t_reads_and_produces():
    lay = rnn_type_layout("many-to-many", 5)
    r = step_roles(lay, 3)
    assert r["a3"] == "current"
    assert r["x3"] == "reads" and r[("x3", "a3")] == "reads" and r[("a2", "a3")] == "reads"
    assert r["y3"] == "produces" and r[("a3", "y3")] == "produces" and r[("a3", "a4")] == "produces"
    assert r["a1"] == r["x2"] == r[("a1", "a2")] == "done"
    assert r["a5"] == r["x4"] == r[("a4", "a5")] == "future"
    assert set(r.values()) <= set(ROLES)


def test_step_roles_at_the_first_step_read_the_initial_state():
    r = step_roles(rnn_type_layout("many-to-many", 3), 1)
    assert r["a0"] == "reads" and r[("a0", "a1")] == "reads"


def test_step_roles_in_generation_read_the_previous_output():
    r = step_roles(rnn_type_layout("one-to-many", 1, 4), 3)
    assert r[("y2", "a3")] == "reads" and r["y2"] == "reads"


def test_backward_roles_run_against_the_arrows():
    lay = rnn_type_layout("many-to-many", 5)
    r = backward_roles(lay, 3)
    assert r["a3"] == "current"
    # the gradient of a<3> arrives from L<3> (through y_hat<3>) and from step 4
    assert r[("a3", "y3")] == "reads" and r[("a3", "a4")] == "reads" and r["y3"] == "reads"
    # and leaves towards x<3> and a<2>
    assert r[("x3", "a3")] == "produces" and r[("a2", "a3")] == "produces"
    assert r["a4"] == r["a5"] == "done"     # already handled: BPTT started at T_x = 5
    assert r["a1"] == r["a2"] == "future"


@pytest.mark.parametrize("func", [step_roles, backward_roles])
def test_roles_refuse_a_step_outside_the_network(func):
    lay = rnn_type_layout("many-to-many", 3)
    with pytest.raises(ValueError, match=r"must be an integer in \[1, n_steps\] = \[1, 3\], got 4"):
        func(lay, 4)
    with pytest.raises(ValueError, match="layout must be a dict made by rnn_type_layout"):
        func({"nodes": {}}, 1)


# -- drawing -----------------------------------------------------------------------------------------

def test_diagram_has_one_box_per_node_and_one_arrow_per_edge():
    lay = rnn_type_layout("encoder-decoder", 2, 3)
    fig, ax = plt.subplots()
    d = Diagram(ax, lay)
    assert set(d.boxes) == set(lay["nodes"])
    assert set(d.arrows) == {(e["src"], e["dst"]) for e in lay["edges"]}
    assert set(d.captions) == set(nodes_of(lay, "input") + nodes_of(lay, "output"))


def test_paint_changes_colours_in_place():
    lay = rnn_type_layout("many-to-many", 4)
    fig, ax = plt.subplots()
    d = Diagram(ax, lay)
    box, arrow = d.boxes["a2"], d.arrows[("x2", "a2")]
    d.paint(step_roles(lay, 2))
    assert d.boxes["a2"] is box and d.arrows[("x2", "a2")] is arrow
    face, edge, _, lw = FORWARD_PALETTE["current"]
    assert np.allclose(box.get_facecolor()[:3], plt.matplotlib.colors.to_rgb(face))
    assert box.get_linewidth() == lw
    assert np.allclose(arrow.get_edgecolor()[:3], plt.matplotlib.colors.to_rgb(FORWARD_PALETTE["reads"][1]))
    d.paint({})   # everything idle again
    assert np.allclose(box.get_facecolor()[:3], (1.0, 1.0, 1.0))


def test_paint_and_palette_and_captions_check_their_arguments():
    lay = rnn_type_layout("many-to-many", 2)
    fig, ax = plt.subplots()
    d = Diagram(ax, lay, palette=BACKWARD_PALETTE)
    with pytest.raises(ValueError, match="roles must be among"):
        d.paint({"a1": "glowing"})
    with pytest.raises(KeyError, match="no input or output node named 'a1'"):
        d.set_captions({"a1": "hello"})
    with pytest.raises(KeyError, match="palette is missing the role"):
        Diagram(ax, lay, palette={"idle": ("w", "k", 1.0, 1.0)})


def test_show_steps_hides_the_later_steps():
    lay = rnn_type_layout("many-to-many", 4)
    fig, ax = plt.subplots()
    d = Diagram(ax, lay)
    d.show_steps(2)
    assert d.boxes["a2"].get_visible() and d.boxes["x2"].get_visible()
    assert not d.boxes["a3"].get_visible() and not d.captions["y4"].get_visible()
    assert not d.arrows[("a2", "a3")].get_visible()   # a<2> is not handed to a step that is not there
    d.show_steps(4)
    assert all(b.get_visible() for b in d.boxes.values())


def test_static_figures_carry_their_diagram():
    fig = plot_rnn_type("many-to-one", captions={"x1": "not", "x2": "good"})
    assert fig.diagram.captions["x2"].get_text() == "good"
    fig = plot_computation_graph(3)
    assert "L" in fig.diagram.boxes
    with pytest.raises(ValueError, match="backward must be True or False"):
        plot_computation_graph(3, backward="yes")


# -- the explorer of the five kinds ------------------------------------------------------------------

def test_type_step_view_of_the_encoder_decoder():
    lay = rnn_type_layout("encoder-decoder", 3, 4)
    v = type_step_view(lay, 3)
    assert v["reads_input"] and not v["writes_output"] and v["outputs_so_far"] == 0 and v["part"] == "encoder"
    v = type_step_view(lay, 4)   # the first decoder step reads no input, only the context
    assert not v["reads_input"] and not v["feedback"] and v["writes_output"]
    v = type_step_view(lay, 7)
    assert v["feedback"] and v["outputs_so_far"] == 4 and v["inputs_so_far"] == 3


def test_types_explorer_shows_only_the_chosen_kind():
    ex = rnn_types_explorer("many-to-one", 1)
    r = ex.set(kind="many-to-one", step=4)
    assert r["writes_output"] and r["outputs_so_far"] == 1
    r = ex.set(kind="one-to-one", step=6)   # the slider ends at the kind's last step: here its only one
    assert r["step"] == 1 and ex.controls["step"].max == 1
    ex.set(kind="encoder-decoder")          # 3 + 4 steps: the slider reaches 7 again
    assert ex.controls["step"].max == 7
    ex.controls["step"].value = 7           # a slider move recomputes on its own
    assert ex.result["step"] == 7 and ex.result["outputs_so_far"] == 4
    ex.controls["kind"].value = "many-to-one"   # 4 steps: the step moves back to 4, and the picture follows
    assert ex.controls["step"].value == 4 and ex.result["step"] == 4 and ex.result["kind"] == "many-to-one"
    assert np.isfinite(ex.last_update_ms)
    visible = {k for k, d in ex.diagrams.items() if any(b.get_visible() for b in d.boxes.values())}
    assert visible == {"many-to-one"}


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_one_cell_per_step_and_edges_between_known_nodes(kind):
    lay = rnn_type_layout(kind)
    assert nodes_of(lay, "cell") == sorted(f"a{t}" for t in range(1, lay["n_steps"] + 1))
    assert all(e["src"] in lay["nodes"] and e["dst"] in lay["nodes"] for e in lay["edges"])
    assert len(nodes_of(lay, "input")) == lay["T_x"] and len(nodes_of(lay, "output")) == lay["T_y"]


# -- the cached drawing: pasted pixels, the same picture -------------------------------------------------

def _pixels(fig):
    return np.asarray(fig.canvas.buffer_rgba()).copy()


def _pixels_in_place(fig, drawing):
    """The picture with the members drawn the usual way (no cache)."""
    drawing.cache_enabled = False
    try:
        fig.canvas.draw()
        return _pixels(fig)
    finally:
        drawing.cache_enabled = True


def test_cached_drawing_pastes_the_picture_a_direct_drawing_makes():
    lay = rnn_type_layout("many-to-many", 4)
    fig, ax = plt.subplots(figsize=(5, 2.5))
    d = Diagram(ax, lay, captions={"x1": "the", "y2": "0.75"})
    members = d.artists()
    drawing = CachedDrawing(ax, members, lambda t: d.paint(step_roles(lay, t)), 1, states=[1, 2, 3])
    # the members left the axes: the axes holds the one artist that draws them
    children = ax.get_children()
    assert drawing in children and not any(a in children for a in members)
    fig.canvas.draw()
    assert sorted(drawing._pixels) == [1, 2, 3]            # the states drawn ahead, at the first render
    for t in (2, 3, 4, 1, 4):                            # 4 was not drawn ahead: drawn once, then kept
        drawing.show(t)
        fig.canvas.draw()
        assert np.array_equal(_pixels(fig), _pixels_in_place(fig, drawing)), f"step {t}"
        assert np.allclose(d.boxes[f"a{t}"].get_facecolor()[:3],          # the members follow the state
                           plt.matplotlib.colors.to_rgb(FORWARD_PALETTE["current"][0]))
    assert 4 in drawing._pixels


def test_cached_drawing_draws_a_state_on_its_first_visit_the_same_as_in_place_and_starts_no_thread():
    lay = rnn_type_layout("many-to-many", 4)
    fig, ax = plt.subplots(figsize=(5, 2.5))
    d = Diagram(ax, lay)
    threads = threading.active_count()
    drawing = CachedDrawing(ax, d.artists(), lambda t: d.paint(step_roles(lay, t)), 2)
    assert drawing._pixels == {}                         # nothing before the first render (no canvas size)
    fig.canvas.draw()
    assert sorted(drawing._pixels) == [2]                # only the state shown
    for t in (4, 1, 3, 2, 4):
        drawing.show(t)
        fig.canvas.draw()
        assert np.array_equal(_pixels(fig), _pixels_in_place(fig, drawing)), f"step {t}"
    assert sorted(drawing._pixels) == [1, 2, 3, 4] and threading.active_count() == threads


def test_cached_drawing_changes_only_when_its_state_does():
    lay = rnn_type_layout("many-to-one", 3)
    fig, ax = plt.subplots()
    d = Diagram(ax, lay)
    painted = []
    drawing = CachedDrawing(ax, d.artists(), painted.append, 2)
    assert painted == [2] and drawing.state == 2
    fig.canvas.draw()
    assert painted == [2]
    drawing.show(2)
    assert not drawing.stale and painted == [2]          # same state: nothing to do
    drawing.show(3)
    assert drawing.stale and painted == [2, 3]
    with pytest.raises(ValueError, match="members must be a non-empty list of artists of ax"):
        CachedDrawing(ax, [plt.Line2D([0], [0])], painted.append, 1)


def test_types_explorer_redraws_one_cached_artist_per_move():
    ex = rnn_types_explorer("many-to-one", 1)
    ex.set(step=2)                                       # the first change makes the drawing dynamic
    kinds = []
    for values in ({"step": 4}, {"kind": "encoder-decoder"}, {"step": 6}, {"kind": "one-to-one"},
                   {"kind": "one-to-many", "step": 3}):
        ex.set(**values)
        kinds.append(ex.last_render)
        assert np.array_equal(_pixels(ex.figure), _pixels_in_place(ex.figure, ex.drawing)), values
    assert kinds == ["layers"] * 5
    assert ex._layers.dynamic == {ex.drawing}            # titles, captions and diagrams: all in its pictures


# -- the static pictures: rolled RNN, GRU cell, LSTM chain ---------------------------------------------

def inputs_of(layout, name):
    return {src for src, dst in layout["edges"] if dst == name}


def drawn_texts(fig):
    return {t.get_text() for ax in fig.axes for t in ax.texts}


def test_rolled_rnn_loops_the_state_back_into_its_own_cell_and_unrolls_into_T_cells():
    fig = plot_rolled_rnn(4)
    rolled = fig.rolled
    assert {r"$x^{\langle t \rangle}$", r"$a^{\langle t \rangle}$", r"$\hat y^{\langle t \rangle}$"} <= drawn_texts(fig)
    # the loop leaves the cell and comes back into the same cell: both ends on its right side
    box = rolled["cell"]
    right = box.get_x() + box.get_width()
    verts = rolled["loop_path"]
    start, end = verts[0], verts[-1]
    for point in (start, end):
        assert abs(point[0] - right) < 0.05
        assert box.get_y() < point[1] < box.get_y() + box.get_height()
    assert start[1] != end[1]                       # out at one height, back in at another
    # ... through the delay square, which sits on the loop's far side
    delay = rolled["delay"]
    far = verts[:, 0].max()
    assert delay.get_x() < far < delay.get_x() + delay.get_width()
    # the unrolled half is the many-to-many network of T cells, each handing its state to the next
    cells = [n for n, node in fig.diagram.layout["nodes"].items() if node["kind"] == "cell"]
    assert sorted(cells) == ["a1", "a2", "a3", "a4"]
    assert all((f"a{t}", f"a{t + 1}") in fig.diagram.arrows for t in range(1, 4))


def test_gru_cell_layout_wires_the_lecture_equations():
    lay = gru_cell_layout()
    # the gates read the stacked [c<t-1>, x<t>]
    assert inputs_of(lay, "stack") == {"c_prev", "x"}
    assert inputs_of(lay, "Gamma_r") == inputs_of(lay, "Gamma_u") == {"stack"}
    # Gamma_r multiplies the old memory *inside* the candidate: c~ = tanh(Wc [Gamma_r * c<t-1>, x<t>] + bc)
    assert inputs_of(lay, "r_times_c") == {"c_prev", "Gamma_r"}
    assert inputs_of(lay, "candidate") == {"r_times_c", "x"}
    # c<t> = Gamma_u * c~ + (1 - Gamma_u) * c<t-1>
    assert inputs_of(lay, "write") == {"Gamma_u", "candidate"}
    assert inputs_of(lay, "one_minus") == {"Gamma_u"}
    assert inputs_of(lay, "keep") == {"c_prev", "one_minus"}
    assert inputs_of(lay, "plus") == {"keep", "write"}
    # the memory line is one path from c<t-1> to c<t>, along the top of the picture
    line = lay["memory_line"]
    assert line[0][0] == "c_prev" and line[-1][1] == "c_next"
    assert all(a[1] == b[0] for a, b in zip(line, line[1:]))
    top = max(node["xy"][1] for node in lay["nodes"].values())
    assert all(lay["nodes"][n]["xy"][1] == top for edge in line for n in edge)


def test_gru_cell_figure_draws_every_label_and_the_memory_line_on_top():
    fig = plot_gru_cell()
    sch = fig.schematic
    assert {node["label"] for node in sch["layout"]["nodes"].values()} <= drawn_texts(fig)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    line_bottom = min(sch["arrows"][e].get_window_extent(renderer).y0 for e in sch["layout"]["memory_line"])
    gates = [shape for name, shape in sch["shapes"].items() if sch["layout"]["nodes"][name]["kind"] == "gate"]
    assert len(gates) == 3 and all(g.get_window_extent(renderer).y1 < line_bottom for g in gates)


@pytest.mark.parametrize("T", [1, 3])
def test_lstm_chain_layout_wires_the_lecture_equations(T):
    lay = lstm_chain_layout(T)
    for t in range(1, T + 1):
        a_prev, c_prev = ("a0", "c0") if t == 1 else (f"a{t - 1}", f"c{t - 1}")
        # every gate reads [a<t-1>, x<t>] with its own weights: no c<t-1> inside a gate (no peepholes here)
        assert inputs_of(lay, f"stack{t}") == {a_prev, f"x{t}"}
        for gate in ("Gamma_f", "Gamma_u", "Gamma_o", "cand"):
            assert inputs_of(lay, f"{gate}{t}") == {f"stack{t}"}
        # c<t> = Gamma_u * c~<t> + Gamma_f * c<t-1>: two gates, each with its own product
        assert inputs_of(lay, f"forget{t}") == {c_prev, f"Gamma_f{t}"}
        assert inputs_of(lay, f"write{t}") == {f"Gamma_u{t}", f"cand{t}"}
        assert inputs_of(lay, f"plus{t}") == {f"forget{t}", f"write{t}"}
        # a<t> = Gamma_o * tanh(c<t>)
        assert inputs_of(lay, f"tanh{t}") == {f"c{t}"}
        assert inputs_of(lay, f"out{t}") == {f"tanh{t}", f"Gamma_o{t}"}
        # y_hat<t> is read from a<t> (after the output gate), by an arrow that goes straight up
        assert inputs_of(lay, f"y{t}") == {f"read{t}"} and inputs_of(lay, f"read{t}") == {f"out{t}"}
        assert lay["nodes"][f"read{t}"]["xy"][0] == lay["nodes"][f"y{t}"]["xy"][0]
    # one unbroken memory line from c<0> to c<T>, three edges per cell
    line = lay["memory_line"]
    assert len(line) == 3 * T and line[0][0] == "c0" and line[-1][1] == f"c{T}"
    assert all(a[1] == b[0] for a, b in zip(line, line[1:]))


def test_lstm_chain_figure_puts_the_memory_line_above_every_cell():
    fig = plot_lstm_chain(3)
    sch = fig.schematic
    texts = [t.get_text() for t in fig.axes[0].texts]
    for symbol in (r"$\Gamma_f$", r"$\Gamma_u$", r"$\Gamma_o$", r"$\tilde c$"):
        assert texts.count(symbol) == 3
    assert {r"$c^{\langle %d \rangle}$" % t for t in range(4)} <= set(texts)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    line_bottom = min(sch["arrows"][e].get_window_extent(renderer).y0 for e in sch["layout"]["memory_line"])
    panel_tops = [p.get_window_extent(renderer).y1 for p in sch["panels"].values()]
    assert len(panel_tops) == 3 and max(panel_tops) < line_bottom
    # and the line is drawn in one colour, unlike the other arrows
    colours = {tuple(sch["arrows"][e].get_edgecolor()) for e in sch["layout"]["memory_line"]}
    others = {tuple(a.get_edgecolor()) for e, a in sch["arrows"].items() if e not in sch["layout"]["memory_line"]}
    assert len(colours) == 1 and not colours & others
    # the word "tanh" stays inside its circle
    for t in range(1, 4):
        word = sch["labels"][f"tanh{t}"].get_window_extent(renderer)
        circle = sch["shapes"][f"tanh{t}"].get_window_extent(renderer)
        assert circle.x0 < word.x0 and word.x1 < circle.x1, (word, circle)


def test_static_pictures_check_their_arguments():
    with pytest.raises(ValueError, match="lstm_chain_layout"):
        lstm_chain_layout(0)
    with pytest.raises(ValueError, match="plot_rolled_rnn"):
        plot_rolled_rnn(0)


@pytest.mark.parametrize("make", [plot_gru_cell, lambda: plot_lstm_chain(2)], ids=["gru cell", "lstm chain"])
def test_every_operation_label_stays_inside_its_circle(make):
    fig = make()
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    sch = fig.schematic
    ops = [name for name, node in sch["layout"]["nodes"].items() if node["kind"] == "op"]
    assert ops
    for name in ops:
        word = sch["labels"][name].get_window_extent(renderer)
        circle = sch["shapes"][name].get_window_extent(renderer)
        assert circle.x0 < word.x0 and word.x1 < circle.x1 and circle.y0 < word.y0 and word.y1 < circle.y1, name
