"""Tests of helpers.views.intro_views: the slider demo, the tokenizer explorer, parameter counts, static figures.

Why each expected value can be trusted:
- tanh values at chosen points are known (tanh 0 = 0, tanh is odd, saturates to +-1), and its slope
  w (1 - tanh(b)^2) is compared with a centred finite difference;
- the tokenizer's tokens, indices and <UNK> hits are worked out by hand from a tiny corpus whose
  word counts are written in the comments;
- parameter counts are multiplied out by hand (the lecture's 10,000-word, 100-unit example).
"""
import base64

import matplotlib.pyplot as plt
import numpy as np
import pytest

from helpers.gradcheck import numerical_gradient
from helpers.views.intro_views import (
    dense_first_layer_parameters,
    figure_bundle,
    plot_parameter_counts,
    plot_token_counts,
    rnn_layer_parameters,
    tanh_curve,
    tanh_explorer,
    tokenizer_explorer,
    tokenizer_view,
)
from helpers.tasks.text import EOS, UNK, Vocabulary, tokenize_words

# counts: the 5 (2 + 1 + 1 + 1), cat 3, sat 2, dog 1, mat 1, on 1
SENTENCES = ["the cat sat on the mat", "the cat sat", "the dog", "the cat"]
CORPUS = [tokenize_words(s, punctuation="drop") for s in SENTENCES]


@pytest.fixture(autouse=True)
def close_figures():
    """Every explorer and plot makes a pyplot figure; close them so the suite never holds more than 20."""
    yield
    plt.close("all")


# -- tanh demo -------------------------------------------------------------------------------------
def test_tanh_curve_known_values_and_slope():
    r = tanh_curve(0.0, 0.0)
    assert np.array_equal(r["a"], np.zeros_like(r["z"]))  # tanh(0) = 0 everywhere
    r = tanh_curve(2.0, 0.0)
    assert np.allclose(r["a"], -r["a"][::-1])  # odd function on a symmetric grid
    assert 0.9999 < r["a"][-1] < 1.0  # tanh(6) = 1 - 2 e^-12 + ...: saturated
    w, b = 1.7, -0.4
    r = tanh_curve(w, b)
    assert r["a0"] == pytest.approx(np.tanh(b))
    num = numerical_gradient(lambda z: float(np.tanh(w * z[0] + b)), np.array([0.0]))[0]
    assert r["slope0"] == pytest.approx(num, rel=1e-8)


def test_tanh_curve_rejects_non_numbers():
    with pytest.raises(ValueError, match="tanh_curve: w must be a finite number"):
        tanh_curve("1", 0.0)
    with pytest.raises(ValueError, match="tanh_curve: b must be a finite number"):
        tanh_curve(1.0, float("nan"))


def test_tanh_explorer_updates_the_line_in_place():
    ex = tanh_explorer()
    line = ex.figure.axes[0].lines[0]
    r = ex.set(w=0.0, b=0.5)
    assert np.allclose(line.get_ydata(), np.tanh(0.5))  # a flat line at tanh(b)
    assert ex.figure.axes[0].lines[0] is line  # the same artist, not a new plot
    assert "a(0) = tanh(b) = 0.46" in ex.status.value
    assert r["slope0"] == 0.0


def _same_as_a_full_render(ex):
    import io

    from PIL import Image
    shown = np.asarray(ex.figure.canvas.buffer_rgba()).copy()
    return np.array_equal(shown, np.asarray(Image.open(io.BytesIO(ex.snapshot_png())).convert("RGBA")))


def test_tanh_explorer_moves_redraw_only_the_curve():
    ex = tanh_explorer()
    ex.set(w=2.0)                                   # the first change makes the curve, dot and label dynamic
    for values in ({"b": 0.5}, {"w": -1.0}, {"w": 3.0, "b": -2.0}):
        ex.set(**values)
        assert ex.last_render == "layers" and _same_as_a_full_render(ex), values


# -- tokenizer -------------------------------------------------------------------------------------
def test_tokenizer_view_hand_case():
    v = Vocabulary.from_tokens(CORPUS, 2)  # <UNK> 0, <EOS> 1, the 2, cat 3
    r = tokenizer_view(v, "The cat ate the fish.", eos=True, max_len=4, n_rows=6)
    assert r["tokens"] == ["the", "cat", "ate", "the", "fish", EOS]
    assert r["indices"].tolist() == [2, 3, 0, 2, 0, 1]
    assert r["unknown"] == [(2, "ate"), (4, "fish")]
    assert (r["T"], r["shown"], r["cropped"], r["vocab_size"]) == (6, 4, 2, 4)
    assert r["image"].shape == (6, 4)
    assert np.array_equal(np.argmax(r["image"], axis=0), [2, 3, 0, 2])
    assert np.array_equal(r["image"].sum(axis=0), np.ones(4))
    assert r["labels"] == ["the (2)", "cat (3)", "ate (0)", "the (2)"]


def test_tokenizer_view_pads_short_and_empty_sentences():
    v = Vocabulary.from_tokens(CORPUS)
    r = tokenizer_view(v, "cat", max_len=5)
    assert r["shown"] == 1 and r["cropped"] == 0
    assert r["image"][:, 1:].sum() == 0.0  # padding columns are empty
    assert r["labels"][1:] == [""] * 4
    r = tokenizer_view(v, "   ", max_len=5)
    assert r["T"] == 0 and r["image"].sum() == 0.0 and r["unknown"] == []


def test_tokenizer_view_bad_input():
    v = Vocabulary.from_tokens(CORPUS)
    with pytest.raises(ValueError, match="tokenizer_view: vocab must be a Vocabulary"):
        tokenizer_view(["the"], "the cat")
    with pytest.raises(ValueError, match="n_rows must be an integer >= 8"):
        tokenizer_view(v, "the", n_rows=3)
    with pytest.raises(ValueError, match="text must be a str"):
        tokenizer_view(v, 42)


def test_tokenizer_explorer_k_controls_the_unk_hits():
    ex = tokenizer_explorer(CORPUS, "the dog sat on the cat", k=6, max_len=8)
    assert ex.result["unknown"] == []  # k = 6 keeps every corpus word
    r = ex.set(k=2)  # keeps "the" (5) and "cat" (3): dog, sat, on become <UNK>
    assert [w for _, w in r["unknown"]] == ["dog", "sat", "on"]
    assert r["indices"].tolist() == [2, 0, 0, 0, 2, 3]
    assert r["image"].shape == (8, 8)  # rows: all 6 words + 2 specials, whatever k is
    img = ex.figure.axes[0].images[0]
    assert np.array_equal(img.get_array(), r["image"])  # drawn in place
    r = ex.set(eos=True, text="cat cat")
    assert r["tokens"] == ["cat", "cat", EOS] and r["indices"].tolist() == [3, 3, 1]
    assert "every word is in the vocabulary" in ex.status.value


def test_tokenizer_explorer_typing_keeps_the_layers():
    ex = tokenizer_explorer(CORPUS, "the", k=6, max_len=8)
    ex.set(text="the cat")
    ex.set(k=2)
    ex.set(eos=True)                                # each control changed once: the changing artists are known
    for values in ({"text": "the cat s"}, {"text": "the cat sat on the mat and more words"}, {"k": 5},
                   {"eos": False}, {"text": ""}):
        ex.set(**values)
        assert ex.last_render == "layers" and _same_as_a_full_render(ex), values
    row_labels = ex.figure.axes[0].texts[:8]
    assert not any(t in ex._layers.dynamic for t in row_labels)     # the vocabulary rows never change


def test_tokenizer_explorer_rows_are_the_largest_vocabulary():
    ex = tokenizer_explorer(CORPUS, "the", k=1, max_k=3)
    labels = [t.get_text() for t in ex.figure.axes[0].texts[:5]]  # the row labels are drawn first
    assert labels == [" 0 <UNK>", " 1 <EOS>", " 2 the", " 3 cat", " 4 sat"]
    assert ex.controls["k"].max == 3
    with pytest.raises(ValueError, match="k must be <= max_k = 3, got 4"):
        tokenizer_explorer(CORPUS, k=4, max_k=3)


def test_cropping_is_reported_in_the_title():
    ex = tokenizer_explorer(CORPUS, "the cat " * 5, k=2, max_len=4)
    assert ex.result["cropped"] == 6
    titles = [t.get_text() for t in ex.figure.axes[0].texts]   # the title is an axes text in figure coordinates
    assert any("6 more not shown (max 4)" in t for t in titles)


# -- parameter counts ------------------------------------------------------------------------------
def test_parameter_counts_lecture_example():
    # 20 one-hot words of 10,000 -> 200,000 inputs; times 100 units = 20,000,000 weights, plus 100 biases
    assert dense_first_layer_parameters(20, 10_000, 100) == 20_000_100
    # W_ax 100 x 10,000 = 1,000,000; W_aa 100 x 100 = 10,000; b_a 100
    assert rnn_layer_parameters(10_000, 100) == 1_010_100
    # the dense count grows linearly with T_x, the RNN count does not depend on it
    assert dense_first_layer_parameters(40, 10_000, 100) - 100 == 2 * (20_000_100 - 100)


def test_parameter_counts_bad_input():
    with pytest.raises(ValueError, match="dense_first_layer_parameters: T_x must be an integer >= 1, got 0"):
        dense_first_layer_parameters(0, 10, 10)
    with pytest.raises(ValueError, match="rnn_layer_parameters: n_a must be an integer >= 1"):
        rnn_layer_parameters(10, 2.0)
    with pytest.raises(ValueError, match="T_values must be a non-empty 1-D sequence of integers >= 1"):
        plot_parameter_counts([0, 5])


def test_plots_and_figure_bundle():
    fig = plot_parameter_counts([5, 10, 20], n_x=100, n_units=10)
    lines = fig.axes[0].lines
    assert lines[0].get_ydata().tolist() == [5 * 100 * 10 + 10, 10 * 100 * 10 + 10, 20 * 100 * 10 + 10]
    assert lines[1].get_ydata().tolist() == [100 * 10 + 10 * 10 + 10] * 3
    bundle = figure_bundle(fig, "parameter counts")
    assert bundle["text/plain"] == "Figure: parameter counts"
    assert base64.b64decode(bundle["image/png"])[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="alt must be a non-empty str"):
        figure_bundle(fig, "")
    fig2 = plot_token_counts(Vocabulary.from_tokens(CORPUS), n=4, k=2)
    bars = fig2.axes[0].patches
    assert [b.get_width() for b in bars] == [5, 3, 2, 1]  # the, cat, sat, then dog (ties alphabetical)
    assert [t.get_text() for t in fig2.axes[0].get_yticklabels()] == ["the", "cat", "sat", "dog"]
