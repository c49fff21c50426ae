"""Sampling: temperature, feeding draws back, stopping, <UNK> rejection, seeds, prefixes, the explorer."""
import math

import numpy as np
import pytest

from helpers.tasks.language_model import LanguageModel, build_vocabulary, load_names, tokenize, train_language_model
from helpers.tasks.sampling import (
    encode_prefix,
    entropy_bits,
    fraction_new,
    next_token_probabilities,
    sample,
    temperature_softmax,
)
from helpers.tasks.text import EOS, PAD, UNK
from helpers.views.sampling_explorer import temperature_explorer, temperature_view


def _constant_model(probs, tokens="ab", level="char"):
    """An RNN whose state is always 0 (all cell weights 0), so every step draws from softmax(by) = probs.

    probs : dict token -> probability over the vocabulary <PAD> <UNK> <EOS> + tokens (missing: 0).
    """
    vocab = build_vocabulary([list(tokens)], order="alphabetical")
    V, n_a = len(vocab), 3
    p = np.array([probs.get(tok, 0.0) for tok in vocab.itos])
    with np.errstate(divide="ignore"):
        by = np.where(p > 0, np.log(np.where(p > 0, p, 1.0)), -1e3)
    params = {"Wax": np.zeros((n_a, V)), "Waa": np.zeros((n_a, n_a)), "ba": np.zeros((n_a, 1)),
              "Wy": np.zeros((V, n_a)), "by": by[:, None]}
    return LanguageModel(params, vocab, "rnn", level)


def _successor_model(chain=("a", "b", EOS)):
    """An RNN that deterministically spells "ab": start -> a, a -> b, b -> <EOS>.

    With Waa = 0 and Wax = 10 I, the state after reading token k is tanh(10) e_k ~ e_k (and tanh(ba)
    at the first step, where x<1> = 0); Wy maps each state to the next token with a score of 20.
    """
    vocab = build_vocabulary([list("ab")], order="alphabetical")
    V = len(vocab)
    n_a = V + 1                                     # one unit per token, and one for the start
    Wax = np.zeros((n_a, V))
    Wax[:V, :V] = 10.0 * np.eye(V)
    ba = np.zeros((n_a, 1))
    ba[V] = 10.0                                    # at t = 1 (x = 0) only the start unit is on
    Wy = np.zeros((V, n_a))
    Wy[vocab.index(chain[0]), V] = 20.0
    Wy[vocab.index(chain[1]), vocab.index(chain[0])] = 20.0
    Wy[vocab.index(chain[2]), vocab.index(chain[1])] = 20.0
    params = {"Wax": Wax, "Waa": np.zeros((n_a, n_a)), "ba": ba, "Wy": Wy, "by": np.zeros((V, 1))}
    # a token that is fed back switches its own unit on; ba must not keep the start unit on then
    params["Wax"][V, :] = -20.0
    return LanguageModel(params, vocab, "rnn", "char")


@pytest.fixture(scope="module")
def names_model():
    train = tokenize(load_names("train")[:400], "char")
    lm, _ = train_language_model(train, n_a=16, epochs=3, batch_size=32, seed=0)
    return lm


# ----------------------------------------------------------------------------------------------
# temperature
# ----------------------------------------------------------------------------------------------

def test_temperature_by_hand():
    z = np.array([0.0, math.log(2.0)])
    np.testing.assert_allclose(temperature_softmax(z, 1.0), [1 / 3, 2 / 3])
    np.testing.assert_allclose(temperature_softmax(z, 0.5), [1 / 5, 4 / 5])      # scores doubled: 1 : 4
    np.testing.assert_allclose(temperature_softmax(z, 2.0), [1 / (1 + 2 ** 0.5), 2 ** 0.5 / (1 + 2 ** 0.5)])


def test_temperature_limits_and_order():
    z = np.array([1.0, 3.0, 2.0, -1.0])
    cold = temperature_softmax(z, 1e-4)
    np.testing.assert_allclose(cold, [0, 1, 0, 0], atol=1e-12)                   # T -> 0: the argmax
    hot = temperature_softmax(z, 1e6)
    np.testing.assert_allclose(hot, 0.25, atol=1e-5)                             # T -> inf: uniform
    for T in (0.3, 1.0, 4.0):
        p = temperature_softmax(z, T)
        assert np.array_equal(np.argsort(p), np.argsort(z))                      # the order never changes
        assert math.isclose(p.sum(), 1.0, rel_tol=1e-15)


def test_entropy_falls_as_the_temperature_falls():
    z = np.random.default_rng(0).normal(size=12) * 2
    entropies = [entropy_bits(temperature_softmax(z, T)) for T in (3.0, 2.0, 1.0, 0.5, 0.2)]
    assert all(a > b for a, b in zip(entropies, entropies[1:]))
    assert entropies[0] < math.log2(12)


def test_entropy_by_hand():
    assert math.isclose(entropy_bits(np.full(8, 1 / 8)), 3.0)
    assert entropy_bits(np.array([0.0, 1.0, 0.0])) == 0.0
    assert math.isclose(entropy_bits(np.array([0.5, 0.25, 0.25])), 1.5)


@pytest.mark.parametrize("bad", [0, 0.0, -1.0, float("nan"), float("inf"), True, "1"])
def test_a_temperature_that_is_not_positive_is_refused(bad, names_model):
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        temperature_softmax(np.zeros(3), bad)
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        sample(names_model, 1, temperature=bad)
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        next_token_probabilities(names_model, "a", temperature=bad)


def test_huge_scores_give_no_warning_and_sum_to_one():
    z = np.array([1000.0, -1000.0, 999.0])
    p = temperature_softmax(z, 0.7)
    assert np.all(np.isfinite(p)) and math.isclose(p.sum(), 1.0, rel_tol=1e-15)


# ----------------------------------------------------------------------------------------------
# sampling
# ----------------------------------------------------------------------------------------------

def test_the_first_step_reads_a_zero_input():
    # with x<1> = 0 and a<0> = 0 the first state is tanh(ba), whatever Wax and Waa are
    lm = _constant_model({"a": 0.5, "b": 0.3, EOS: 0.2})
    rng = np.random.default_rng(1)
    lm.params["Wax"] = rng.normal(size=lm.params["Wax"].shape)
    lm.params["Waa"] = rng.normal(size=lm.params["Waa"].shape)
    lm.params["ba"] = rng.normal(size=lm.params["ba"].shape)
    lm.params["Wy"] = rng.normal(size=lm.params["Wy"].shape)
    z = lm.params["Wy"] @ np.tanh(lm.params["ba"][:, 0]) + lm.params["by"][:, 0]
    expected = np.exp(z - z.max())
    expected[lm.vocab.pad_index] = 0.0
    np.testing.assert_allclose(next_token_probabilities(lm), expected / expected.sum(), rtol=1e-12)


def test_draws_are_fed_back_and_sampling_stops_at_eos():
    lm = _successor_model()
    out = sample(lm, 5, seed=0, temperature=0.5)
    assert out["texts"] == ["ab"] * 5 and out["ended"].all()
    assert out["tokens"][0] == ["a", "b"]                       # <EOS> ends the sample and is not kept


def test_max_length_cuts_a_sequence_that_does_not_end():
    lm = _constant_model({"a": 1.0})                            # never <EOS>
    out = sample(lm, 3, seed=0, max_length=7)
    assert out["texts"] == ["aaaaaaa"] * 3 and not out["ended"].any()
    assert sample(lm, 1, seed=0)["texts"] == ["a" * 30]         # the default for characters


def test_samples_follow_the_model_distribution():
    # every step is an independent draw with P(a) = 0.6, P(b) = 0.3, P(<EOS>) = 0.1
    lm = _constant_model({"a": 0.6, "b": 0.3, EOS: 0.1})
    out = sample(lm, 2000, seed=3, max_length=200)
    letters = "".join(out["texts"])
    n_steps = len(letters) + int(out["ended"].sum())
    share_a = letters.count("a") / n_steps
    assert abs(share_a - 0.6) < 5 * math.sqrt(0.6 * 0.4 / n_steps)
    # lengths are geometric: mean (1 - 0.1) / 0.1 = 9 tokens before <EOS>
    mean_length = np.mean([len(t) for t in out["texts"]])
    assert abs(mean_length - 9.0) < 5 * math.sqrt(0.9 / 0.1 ** 2 / 2000)


def test_the_same_seed_gives_the_same_samples(names_model):
    a = sample(names_model, 8, seed=11)
    b = sample(names_model, 8, seed=11)
    c = sample(names_model, 8, seed=12)
    assert a["texts"] == b["texts"] and a["texts"] != c["texts"]


def test_pad_is_never_drawn_even_at_a_high_temperature(names_model):
    out = sample(names_model, 200, seed=0, temperature=3.0)
    assert all(PAD not in t for t in out["tokens"])
    assert all(0 <= len(t) <= 30 for t in out["tokens"])


def test_unk_rejection_removes_unk_and_renormalises():
    # P(<UNK>) = 0.5: without rejection about half of the tokens are <UNK>; with rejection none, and the
    # others keep their ratio: P(a) / P(b) = 0.2 / 0.2 and P(<EOS> | not <UNK>) = 0.1 / 0.5
    probs = {UNK: 0.5, "a": 0.2, "b": 0.2, EOS: 0.1}
    lm = _constant_model(probs, level="word")
    plain = sample(lm, 400, seed=0, max_length=50)
    assert plain["n_unk"] > 0 and plain["n_rejected"] == 0
    kept = sample(lm, 400, seed=0, max_length=50, reject_unk=True)
    assert kept["n_unk"] == 0 and all(UNK not in t for t in kept["tokens"])
    assert kept["n_rejected"] > 0
    n_steps = sum(len(t) for t in kept["tokens"]) + int(kept["ended"].sum())
    share_eos = kept["ended"].sum() / n_steps
    assert abs(share_eos - 0.2) < 5 * math.sqrt(0.2 * 0.8 / n_steps)
    p = next_token_probabilities(lm, reject_unk=True)
    np.testing.assert_allclose(p[[lm.vocab.index(t) for t in ("a", "b", EOS)]], [0.4, 0.4, 0.2], rtol=1e-9)
    assert p[lm.vocab.unk_index] == 0.0
    assert kept["texts"][0] == " ".join(kept["tokens"][0])            # words are joined by spaces


def test_a_model_that_only_says_unk_stops_the_rejection_loop():
    lm = _constant_model({UNK: 1.0})
    with pytest.raises(ValueError, match="drew <UNK> 5 times in a row"):
        sample(lm, 1, seed=0, reject_unk=True, max_rejections=5)


def test_probabilities_are_renormalised_before_every_draw():
    # a large vocabulary of scores near each other: the float64 softmax sums to 1 only up to rounding;
    # the sampler divides again, so choice never refuses them
    tokens = [f"t{i}" for i in range(3000)]
    vocab = build_vocabulary([tokens])
    V = len(vocab)
    rng = np.random.default_rng(0)
    params = {"Wax": np.zeros((2, V)), "Waa": np.zeros((2, 2)), "ba": np.zeros((2, 1)),
              "Wy": np.zeros((V, 2)), "by": rng.normal(0, 1e-3, size=(V, 1))}
    lm = LanguageModel(params, vocab, "rnn", "word")
    p = next_token_probabilities(lm, temperature=0.37)
    assert p.sum() == pytest.approx(1.0, abs=1e-15) and p[vocab.pad_index] == 0.0
    assert len(sample(lm, 20, seed=0, max_length=5, temperature=0.37)["texts"]) == 20


def test_prefix_starts_every_sample(names_model):
    out = sample(names_model, 6, seed=0, prefix="ma")
    assert all(t.startswith("ma") for t in out["texts"])
    p_after = next_token_probabilities(names_model, "ma")
    assert math.isclose(p_after.sum(), 1.0, rel_tol=1e-12)


def test_a_prefix_with_unseen_characters_is_refused_or_read_as_unk(names_model):
    with pytest.raises(ValueError, match=r"does not have: '1', '!'; remove them, or pass unknown='unk'"):
        sample(names_model, 1, prefix="a1!")
    out = sample(names_model, 2, seed=0, prefix="a1", unknown="unk")
    assert all(t.startswith("a" + UNK) for t in out["texts"])
    assert out["n_unk"] == 0                                           # the prefix's <UNK> is not a draw
    assert encode_prefix(names_model, "a1", unknown="unk") == ["a", UNK]
    with pytest.raises(ValueError, match="unknown must be one of"):
        encode_prefix(names_model, "a", unknown="skip")


def test_prefix_and_length_checks(names_model):
    with pytest.raises(ValueError, match="must not contain <EOS>"):
        sample(names_model, 1, prefix=["a", EOS])
    with pytest.raises(ValueError, match="more than max_length = 2"):
        sample(names_model, 1, prefix="abc", max_length=2)
    with pytest.raises(ValueError, match="n must be an integer >= 1"):
        sample(names_model, 0)
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        sample(names_model, 1, seed=-1)
    with pytest.raises(ValueError, match="lm must be a LanguageModel"):
        sample("model", 1)


def test_fraction_new_by_hand():
    assert fraction_new(["ann", "bob", "zed", "ann"], ["ann", "bob"]) == (0.25, ["zed"])
    with pytest.raises(ValueError, match="non-empty list"):
        fraction_new([], ["a"])


# ----------------------------------------------------------------------------------------------
# the explorer
# ----------------------------------------------------------------------------------------------

def test_temperature_view_is_consistent(names_model):
    known = load_names("train")
    cold = temperature_view(names_model, 0.3, "ma", 8, 0, known)
    warm = temperature_view(names_model, 1.0, "ma", 8, 0, known)
    assert PAD not in cold["labels"] and len(cold["labels"]) == names_model.V - 1
    assert math.isclose(cold["probs"].sum(), 1.0, rel_tol=1e-12)
    assert np.allclose(warm["probs"], warm["probs_model"]) and math.isclose(warm["entropy"], warm["entropy_model"])
    assert cold["entropy"] < warm["entropy"]
    assert cold["top"] == warm["top"]                                 # the argmax does not move with T
    assert all(s.startswith("ma") for s in cold["samples"])
    assert cold["new"] == [s not in set(known) for s in cold["samples"]]
    odd = temperature_view(names_model, 1.0, "a7", 2, 0, known)
    assert odd["unknown"] == [(1, "7")]


def test_temperature_explorer_updates_in_place(names_model):
    import matplotlib.pyplot as plt
    explorer = temperature_explorer(names_model, known=load_names("train"), prefix="", n=6)
    ax = explorer.figure.axes[0]
    bars = list(ax.patches)
    r = explorer.set(temperature=0.2, prefix="jo")
    assert list(ax.patches) == bars                                   # the same artists, new heights
    np.testing.assert_allclose([b.get_height() for b in bars], r["probs"])
    assert "at τ = 0.20" in ax.get_title()
    r2 = explorer.set(temperature=2.5)
    assert r2["entropy"] > r["entropy"]
    texts = [t.get_text() for t in explorer.figure.axes[1].texts if t.get_family() == ["monospace"]]  # the samples
    assert texts == [s if len(s) <= 24 else s[:23] + "…" for s in r2["samples"]]
    assert np.isfinite(explorer.last_update_ms)
    explorer.set(prefix="x!")                                         # unknown characters: no exception
    assert "&lt;UNK&gt;" in explorer.status.value
    plt.close(explorer.figure)


def test_temperature_explorer_moves_keep_the_layers(names_model):
    import io

    import matplotlib.pyplot as plt
    from PIL import Image
    explorer = temperature_explorer(names_model, known=load_names("train"), prefix="", n=6)
    explorer.set(temperature=0.5)
    explorer.set(prefix="ma")
    explorer.set(seed=3)                           # each control moved once: the changing artists are known
    for values in ({"temperature": 2.0}, {"seed": 7}, {"prefix": "jo"}, {"temperature": 0.3, "prefix": ""}):
        explorer.set(**values)
        assert explorer.last_render == "layers", explorer._layers.reason
        shown = np.asarray(explorer.figure.canvas.buffer_rgba()).copy()
        full = np.asarray(Image.open(io.BytesIO(explorer.snapshot_png())).convert("RGBA"))
        assert np.array_equal(shown, full), values
    ax = explorer.figure.axes[0]
    assert ax.get_legend() not in explorer._layers.dynamic      # drawn under the bars: never redrawn
    texts = [a for a in explorer._layers.dynamic if type(a).__name__ == "Text"]
    assert len(texts) == 2 + 6                     # the title, the heading's first line, the samples
    plt.close(explorer.figure)


def test_temperature_explorer_says_why_a_long_prefix_is_not_drawn(names_model):
    """A prefix longer than the 30 characters a sample may have: typed into the box (a widget callback),
    it does not raise into the front end; the status line says why and the picture stays; the next
    prefix that fits draws again."""
    import matplotlib.pyplot as plt
    explorer = temperature_explorer(names_model, known=load_names("train"), prefix="", n=6)
    bars = [b.get_height() for b in explorer.figure.axes[0].patches]
    explorer.controls["prefix"].value = "a" * 31
    assert "Cannot show these values" in explorer.status.value
    assert "prefix has 31 characters, more than the 30 a sample holds" in explorer.status.value
    assert [b.get_height() for b in explorer.figure.axes[0].patches] == bars
    explorer.controls["prefix"].value = "jo"
    assert explorer.error is None and explorer.status.value.startswith("Most likely next token")
    assert explorer.result["prefix"] == "jo"
    plt.close(explorer.figure)
