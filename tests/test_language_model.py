"""The language model: data, batching with masks, exact gradients, chain-rule probabilities, baselines,
save / load, and every kind of bad input the issue lists."""
import math
import string
import zipfile

import numpy as np
import pytest

from helpers.gradcheck import gradient_check
from helpers.tasks.language_model import (
    Corpus,
    LanguageModel,
    batch_loss_and_gradients,
    build_vocabulary,
    corpus_statistics,
    encode_corpus,
    evaluate,
    initial_state,
    load_model,
    load_names,
    load_sentences,
    make_batch,
    new_language_model,
    ngram_baseline,
    save_model,
    sequence_probability,
    step,
    train_names_model,
    token_log_probs,
    tokenize,
    train_language_model,
)
from helpers.tasks.text import EOS, PAD, UNK
from helpers.views.language_model_views import TrainingProgress, plot_history, plot_step_probabilities

KINDS = ["rnn", "gru", "lstm"]


def _tiny_vocab():
    return build_vocabulary([list("ab")], order="alphabetical")     # <PAD> <UNK> <EOS> a b


# ----------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------

def test_names_split_is_fixed_disjoint_and_complete():
    train, held, everything = load_names("train"), load_names("heldout"), load_names("all")
    # 1,219 male + 4,275 female census names with 331 in both lists (data/names/README.md)
    assert len(everything) == 1219 + 4275 - 331 == 5163
    assert everything == sorted(set(everything))                    # distinct, alphabetical
    assert len(held) == 5163 // 10 and len(train) == 5163 - 5163 // 10
    assert set(train).isdisjoint(held) and set(train) | set(held) == set(everything)
    assert held[0] == everything[9]                                  # the 10th line is the first held out
    assert set("".join(everything)) <= set(string.ascii_lowercase)


def test_sentences_split_and_the_lecture_sentence_shape():
    train, held = load_sentences("train"), load_sentences("heldout")
    assert (len(train), len(held)) == (1800, 200)
    assert all(s == s.lower() and s.strip() == s for s in train + held)
    assert any(s.endswith("hours of sleep a day") for s in train)


def test_bad_split_is_refused():
    with pytest.raises(ValueError, match="split must be one of"):
        load_names("test")


def test_tokenize_at_both_levels():
    # the lecture's sentence: 8 words (the model appends <EOS> as a 9th token)
    assert tokenize("Cats average 15 hours of sleep a day.", "word")[0] == \
        ["cats", "average", "15", "hours", "of", "sleep", "a", "day"]
    assert tokenize(["Ab", "c"], "char") == [["a", "b"], ["c"]]
    with pytest.raises(ValueError, match="level must be one of"):
        tokenize("a", "byte")


def test_vocabulary_has_the_specials_first_and_refuses_an_empty_corpus():
    vocab = _tiny_vocab()
    assert vocab.itos == [PAD, UNK, EOS, "a", "b"]
    with pytest.raises(ValueError, match="empty corpus"):
        build_vocabulary([])
    with pytest.raises(ValueError, match="empty corpus"):
        build_vocabulary([[], []])


# ----------------------------------------------------------------------------------------------
# encoding and batches
# ----------------------------------------------------------------------------------------------

def test_encode_corpus_by_hand():
    vocab = _tiny_vocab()
    corpus = encode_corpus([list("ab"), list("b")], vocab)
    # a=3, b=4, <EOS>=2, <PAD>=0
    assert corpus.targets.tolist() == [[3, 4, 2], [4, 2, 0]]
    assert corpus.lengths.tolist() == [3, 2] and corpus.n_tokens == 5


def test_unknown_tokens_become_unk_never_a_key_error():
    vocab = _tiny_vocab()
    corpus = encode_corpus([list("az")], vocab)
    assert corpus.targets.tolist() == [[3, vocab.unk_index, 2]]


def test_a_sequence_longer_than_the_maximum_is_refused_by_name():
    vocab = _tiny_vocab()
    with pytest.raises(ValueError, match=r"token_lists\[1\] has 4 tokens with its <EOS>, more than max_length = 3"):
        encode_corpus([list("a"), list("aba")], vocab, max_length=3)
    assert len(encode_corpus([list("ab")], vocab, max_length=3)) == 1     # exactly the maximum is fine


def test_empty_corpus_and_bad_token_lists_are_refused():
    vocab = _tiny_vocab()
    with pytest.raises(ValueError, match="empty corpus"):
        encode_corpus([], vocab)
    with pytest.raises(ValueError, match="must be a list of str tokens"):
        encode_corpus(["ab"], vocab)
    with pytest.raises(ValueError, match="with <PAD>"):
        from helpers.tasks.text import Vocabulary
        encode_corpus([list("a")], Vocabulary(["a"]))


def test_make_batch_feeds_the_previous_token_and_zero_first():
    vocab = _tiny_vocab()
    corpus = encode_corpus([list("ab"), list("b")], vocab)
    x, y, mask = make_batch(corpus, np.array([0, 1]), len(vocab))
    assert x.shape == (5, 2, 3) and y.shape == (2, 3)
    assert mask.tolist() == [[1, 1, 1], [1, 1, 0]]
    assert np.all(x[:, :, 0] == 0)                                    # x<1> = 0 for every sequence
    assert x[:, 0, 1].tolist() == [0, 0, 0, 1, 0]                      # x<2> = y<1> = "a"
    assert x[:, 0, 2].tolist() == [0, 0, 0, 0, 1]                      # x<3> = y<2> = "b"
    assert x[:, 1, 1].tolist() == [0, 0, 0, 0, 1]                      # second sequence: x<2> = "b"
    assert np.all(x[:, 1, 2] == 0)                                    # padding gets a zero input
    assert x.sum() == mask.sum() - 2                                  # one 1 per real step after the first


# ----------------------------------------------------------------------------------------------
# loss and gradients
# ----------------------------------------------------------------------------------------------

def _small_model(kind, seed=0, n_a=4):
    vocab = build_vocabulary([list("abc")], order="alphabetical")
    lm = new_language_model(vocab, "char", kind, n_a=n_a, seed=seed)
    rng = np.random.default_rng(seed + 10)
    # weights of order 1 and non-zero biases: every term of the gradient is exercised and none is tiny
    lm.params = {k: rng.normal(0.0, 0.8, size=v.shape) for k, v in lm.params.items()}
    return lm


@pytest.mark.parametrize("kind", KINDS)
def test_batch_gradients_with_padding_match_finite_differences(kind):
    lm = _small_model(kind)
    corpus = encode_corpus([list("abca"), list("c"), list("ba")], lm.vocab)
    x, y, mask = make_batch(corpus, np.arange(3), lm.V)
    _, grads = batch_loss_and_gradients(lm, x, y, mask)

    def loss(params):
        return batch_loss_and_gradients(LanguageModel(params, lm.vocab, kind, "char"), x, y, mask)[0]

    errors = gradient_check(loss, lm.params, {k: grads["d" + k] for k in lm.params})
    assert max(errors.values()) < 1e-7, errors


@pytest.mark.parametrize("kind", KINDS)
def test_padded_steps_add_neither_loss_nor_gradient(kind):
    # a padded batch must give exactly the sums of its sequences run one at a time, without padding
    lm = _small_model(kind, seed=1)
    seqs = [list("abcab"), list("c"), list("bca")]
    corpus = encode_corpus(seqs, lm.vocab)
    x, y, mask = make_batch(corpus, np.arange(3), lm.V)
    loss, grads = batch_loss_and_gradients(lm, x, y, mask)
    total, summed = 0.0, {k: 0.0 for k in grads}
    for s in seqs:
        one = encode_corpus([s], lm.vocab)
        xs, ys, ms = make_batch(one, np.arange(1), lm.V)
        assert ms.all()                                                 # no padding at all
        l1, g1 = batch_loss_and_gradients(lm, xs, ys, ms)
        total += l1
        summed = {k: summed[k] + g1[k] for k in grads}
    assert math.isclose(loss, total, rel_tol=1e-12)
    for k in grads:
        np.testing.assert_allclose(grads[k], summed[k], rtol=1e-10, atol=1e-14)
    # and whatever stands in the padded targets is not looked at
    y2 = y.copy()
    y2[mask == 0] = 1
    loss2, grads2 = batch_loss_and_gradients(lm, x, y2, mask)
    assert loss2 == loss and all(np.array_equal(grads[k], grads2[k]) for k in grads)


@pytest.mark.parametrize("kind", KINDS)
def test_batch_loss_agrees_with_the_general_training_loss(kind):
    # the language model writes its output layer and loss out for index targets and a mask; the
    # general path (one-hot targets, helpers.losses) must give the same loss and gradients
    from helpers.training import loss_and_gradients

    lm = _small_model(kind, seed=2)
    corpus = encode_corpus([list("abcab"), list("c"), list("bca"), []], lm.vocab)
    x, y, mask = make_batch(corpus, np.arange(4), lm.V)
    loss, grads = batch_loss_and_gradients(lm, x, y, mask)
    loss2, grads2 = loss_and_gradients(lm.params, x, y, kind, mask=mask, reduction="sum")
    assert math.isclose(loss, loss2, rel_tol=1e-12)
    assert set(grads) == set(grads2) == {"d" + k for k in lm.params}
    for k in grads:
        np.testing.assert_allclose(grads[k], grads2[k], rtol=1e-10, atol=1e-14)


def test_batch_loss_by_hand_with_zero_output_weights():
    # Wy = 0, by = 0: every token has probability 1/V at every step, so L = (real steps) * log V,
    # and dL/dby_k = sum over real steps of (1/V - [target = k]) = n / V - count(k)
    lm = _small_model("rnn", seed=3)
    lm.params["Wy"][:] = 0.0
    lm.params["by"][:] = 0.0
    corpus = encode_corpus([list("abca"), list("b")], lm.vocab)
    x, y, mask = make_batch(corpus, np.arange(2), lm.V)
    loss, grads = batch_loss_and_gradients(lm, x, y, mask)
    n = corpus.n_tokens                                                # 5 + 2 = 7 real steps
    assert n == 7 and math.isclose(loss, 7 * math.log(lm.V), rel_tol=1e-14)
    counts = np.bincount(y[mask == 1], minlength=lm.V)                 # a: 2, b: 2, c: 1, <EOS>: 2
    np.testing.assert_allclose(grads["dby"][:, 0], n / lm.V - counts, rtol=0, atol=1e-14)
    # Wy = 0 also means no gradient reaches the hidden states: the cell's gradients are exactly zero
    assert not np.any(grads["dWaa"]) and not np.any(grads["dWax"]) and not np.any(grads["dba"])


def test_batch_loss_bad_input_names_the_argument():
    lm = _small_model("rnn")
    corpus = encode_corpus([list("ab"), list("c")], lm.vocab)
    x, y, mask = make_batch(corpus, np.arange(2), lm.V)
    with pytest.raises(ValueError, match=r"x must have shape \(V, m, T\) with V = 6"):
        batch_loss_and_gradients(lm, x[:5], y, mask)
    with pytest.raises(ValueError, match=r"y must be an integer array of shape \(m, T\) = \(2, 3\)"):
        batch_loss_and_gradients(lm, x, y[:, :2], mask)
    with pytest.raises(ValueError, match="y must be an integer array .* got a float64 array"):
        batch_loss_and_gradients(lm, x, y.astype(float), mask)
    with pytest.raises(ValueError, match=r"mask must have shape \(m, T\)"):
        batch_loss_and_gradients(lm, x, y, mask[:1])
    with pytest.raises(ValueError, match="mask must hold only 0 and 1"):
        batch_loss_and_gradients(lm, x, y, mask * 0.5)
    bad = y.copy()
    bad[0, 0] = lm.V
    with pytest.raises(ValueError, match=r"y must hold token indices in 0 \.\. V - 1 = 5 on the real steps, "
                                         r"got values from \d+ to 6"):
        batch_loss_and_gradients(lm, x, bad, mask)
    with pytest.raises(ValueError, match="lm must be a LanguageModel"):
        batch_loss_and_gradients(lm.params, x, y, mask)
    # a padded step's target is not looked at, even far outside the vocabulary
    padded = y.copy()
    padded[mask == 0] = -7
    assert batch_loss_and_gradients(lm, x, padded, mask)[0] == batch_loss_and_gradients(lm, x, y, mask)[0]
    padded[mask == 0] = lm.V + 3
    assert batch_loss_and_gradients(lm, x, padded, mask)[0] == batch_loss_and_gradients(lm, x, y, mask)[0]
    # a boolean mask is as good as a 0/1 one
    assert batch_loss_and_gradients(lm, x, y, mask.astype(bool))[0] == batch_loss_and_gradients(lm, x, y, mask)[0]


def test_a_model_with_zero_output_weights_is_uniform():
    # Wy = 0 and by = 0 give every one of the V tokens probability 1/V: loss log V, perplexity V
    lm = _small_model("rnn")
    lm.params["Wy"][:] = 0.0
    lm.params["by"][:] = 0.0
    result = evaluate(lm, [list("abc"), list("b")])
    assert math.isclose(result["loss_per_token"], math.log(lm.V), rel_tol=1e-12)
    assert math.isclose(result["perplexity"], lm.V, rel_tol=1e-12)
    assert result["n_tokens"] == 4 + 2
    assert math.isclose(result["bits_per_token"], math.log2(lm.V), rel_tol=1e-12)


@pytest.mark.parametrize("kind", KINDS)
def test_sentence_probability_is_the_chain_rule_and_matches_the_loss(kind):
    lm = _small_model(kind, seed=2)
    r = sequence_probability(lm, "abca")
    assert r["tokens"] == ["a", "b", "c", "a", EOS]
    assert math.isclose(r["log_prob"], float(np.log(r["step_probs"]).sum()), rel_tol=1e-12)
    assert math.isclose(r["prob"], float(np.prod(r["step_probs"])), rel_tol=1e-12)
    assert math.isclose(r["log10_prob"], math.log10(r["prob"]), rel_tol=1e-12)
    # the training loss of the sentence is its negative log-probability
    corpus = encode_corpus([list("abca")], lm.vocab)
    loss, _ = batch_loss_and_gradients(lm, *make_batch(corpus, np.arange(1), lm.V))
    assert math.isclose(loss, -r["log_prob"], rel_tol=1e-12)
    assert np.all((r["step_probs"] > 0) & (r["step_probs"] < 1))


@pytest.mark.parametrize("kind", KINDS)
def test_one_step_at_a_time_gives_the_teacher_forced_probabilities(kind):
    lm = _small_model(kind, seed=3)
    corpus = encode_corpus([list("bcab")], lm.vocab)
    expected = token_log_probs(lm, corpus)[0]
    state, previous, got = initial_state(lm, 1), None, []
    for target in corpus.targets[0]:
        z, state = step(lm, previous, state)
        logp = z[:, 0] - z[:, 0].max() - np.log(np.exp(z[:, 0] - z[:, 0].max()).sum())
        got.append(logp[target])
        previous = np.array([target])
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_sentence_probability_reads_unknown_tokens_as_unk():
    lm = _small_model("rnn")
    r = sequence_probability(lm, "az")
    assert r["tokens"] == ["a", UNK, EOS] and r["unknown"] == [(1, "z")]
    with pytest.raises(ValueError, match="text must be a str or a list"):
        sequence_probability(lm, 3)


def test_log_space_keeps_long_sequences_exact():
    # 600 steps at probability 1/V each (V = 6): P = 6^-600 ~ 1e-467 underflows to 0.0, its log does not
    lm = _small_model("rnn")
    lm.params["Wy"][:] = 0.0
    lm.params["by"][:] = 0.0
    assert lm.V == 6
    r = sequence_probability(lm, "a" * 599)
    assert r["prob"] == 0.0
    assert math.isclose(r["log_prob"], -600 * math.log(6), rel_tol=1e-12)


# ----------------------------------------------------------------------------------------------
# baselines
# ----------------------------------------------------------------------------------------------

def test_unigram_and_bigram_by_hand():
    vocab = _tiny_vocab()                                   # <PAD> <UNK> <EOS> a b: K = 4 possible tokens
    train = [list("ab"), list("b")]                         # targets: a b <EOS> | b <EOS>
    uni = ngram_baseline(train, vocab, order=1, alpha=1.0)
    # counts: a 1, b 2, <EOS> 2, <UNK> 0, N = 5 -> (c + 1) / (5 + 4)
    np.testing.assert_allclose(uni.probs, [0, 1 / 9, 3 / 9, 2 / 9, 3 / 9])
    bi = ngram_baseline(train, vocab, order=2, alpha=1.0)
    start = len(vocab)
    # start -> a once, start -> b once: (1 + 1) / (2 + 4)
    assert math.isclose(bi.probs[start, 3], 1 / 3) and math.isclose(bi.probs[start, 4], 1 / 3)
    assert math.isclose(bi.probs[4, 2], (2 + 1) / (2 + 4))                # b -> <EOS> twice out of 2
    assert math.isclose(bi.probs[3, 4], (1 + 1) / (1 + 4))                # a -> b once out of 1
    expected = -(math.log(1 / 3) + math.log(2 / 5) + math.log(1 / 2)) / 3
    assert math.isclose(bi.evaluate([list("ab")])["loss_per_token"], expected, rel_tol=1e-12)


def test_baseline_rows_are_distributions_without_pad():
    train = tokenize(load_names("train")[:300], "char")
    vocab = build_vocabulary(train)
    for order in (1, 2):
        probs = ngram_baseline(train, vocab, order=order).probs
        np.testing.assert_allclose(probs.sum(axis=-1), 1.0, rtol=1e-12)
        assert np.all(probs[..., vocab.pad_index] == 0)


def test_baseline_bad_input():
    vocab = _tiny_vocab()
    with pytest.raises(ValueError, match="order must be one of"):
        ngram_baseline([list("a")], vocab, order=3)
    with pytest.raises(ValueError, match="alpha must be a finite number > 0"):
        ngram_baseline([list("a")], vocab, alpha=0)


# ----------------------------------------------------------------------------------------------
# training
# ----------------------------------------------------------------------------------------------

def test_training_on_a_corpus_of_one_character_learns_it():
    # documented behaviour: one sequence "a" trains fine; the model learns "a" then <EOS>
    lm, history = train_language_model([["a"]], epochs=60, batch_size=1, n_a=8, learning_rate=0.05)
    r = sequence_probability(lm, "a")
    assert r["step_probs"].min() > 0.9
    assert history["train_loss"][-1] < history["train_loss"][0]
    assert history["train_tokens"].tolist() == [2] * 60


def test_training_refuses_an_empty_corpus():
    with pytest.raises(ValueError, match="empty corpus"):
        train_language_model([])
    with pytest.raises(ValueError, match="empty corpus"):
        train_language_model([[], []])


def test_training_refuses_a_sequence_longer_than_the_maximum():
    with pytest.raises(ValueError, match="more than max_length = 5"):
        train_language_model([list("abc"), list("abcdef")], max_length=5)


@pytest.mark.parametrize("kwargs, message", [
    ({"epochs": 0}, "epochs must be an integer >= 1"),
    ({"batch_size": 0}, "batch_size must be an integer >= 1"),
    ({"optimizer": "sgd"}, "optimizer must be one of"),
    ({"learning_rate": -1.0}, "learning_rate must be a finite number > 0"),
    ({"clip": 0.0}, "clip must be a finite number > 0"),
    ({"batching": "sorted"}, "batching must be one of"),
    ({"progress": 3}, "progress must be callable"),
    ({"cell": "transformer"}, "cell must be one of"),
    ({"level": "byte"}, "level must be one of"),
])
def test_training_argument_checks(kwargs, message):
    with pytest.raises(ValueError, match=message):
        train_language_model([list("ab")], **kwargs)


def test_training_beats_the_bigram_where_two_tokens_of_context_matter():
    # "xay" and "zaw", equally often: 4 tokens each with <EOS>. The first letter is a coin flip for any
    # model (log 2 nats). After "a" the next letter depends on the letter before "a": a bigram cannot see
    # it and pays log 2 again, a recurrent model can. Best possible per token: bigram 2 log 2 / 4,
    # recurrent model log 2 / 4.
    train = [list("xay"), list("zaw")] * 20
    vocab = build_vocabulary(train, order="alphabetical")
    lm, _ = train_language_model(train, vocab, n_a=8, epochs=40, batch_size=8, learning_rate=0.03, seed=0)
    rnn = evaluate(lm, train)["loss_per_token"]
    bigram = ngram_baseline(train, vocab, order=2, alpha=0.01).evaluate(train)["loss_per_token"]
    assert bigram > 2 * math.log(2) / 4
    assert math.log(2) / 4 <= rnn < math.log(2) / 4 + 0.02


@pytest.mark.parametrize("kind", KINDS)
def test_training_is_reproducible_and_does_not_change_the_given_model(kind):
    train = tokenize(load_names("train")[:64], "char")
    vocab = build_vocabulary(train)
    a, ha = train_language_model(train, vocab, cell=kind, n_a=8, epochs=2, batch_size=16, seed=5)
    b, hb = train_language_model(train, vocab, cell=kind, n_a=8, epochs=2, batch_size=16, seed=5)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert np.array_equal(ha["train_loss"], hb["train_loss"])
    before = {k: v.copy() for k, v in a.params.items()}
    c, _ = train_language_model(train, lm=a, epochs=1, batch_size=16, optimizer="adagrad", learning_rate=0.1)
    assert all(np.array_equal(a.params[k], before[k]) for k in a.params)
    assert not all(np.array_equal(c.params[k], before[k]) for k in a.params)


def test_history_counts_and_heldout():
    train = tokenize(load_names("train")[:100], "char")
    held = tokenize(load_names("heldout")[:20], "char")
    vocab = build_vocabulary(train)
    lm, h = train_language_model(train, vocab, n_a=8, epochs=3, batch_size=32, heldout=held, batching="by_length")
    n_real = sum(len(s) + 1 for s in train)                      # every name and its <EOS>
    assert h["epoch"].tolist() == [1, 2, 3]
    assert h["train_tokens"].tolist() == [n_real] * 3
    assert h["updates"].tolist() == [4] * 3                        # ceil(100 / 32)
    assert np.all(h["padded_steps"] >= n_real)
    assert math.isclose(h["heldout_loss"][-1], evaluate(lm, held)["loss_per_token"], rel_tol=1e-12)
    assert np.all(np.diff(h["seconds"]) >= 0)


def test_adagrad_and_adam_both_lower_the_loss():
    train = tokenize(load_names("train")[:200], "char")
    vocab = build_vocabulary(train)
    for optimizer, lr in (("adam", 0.01), ("adagrad", 0.1)):
        lm, h = train_language_model(train, vocab, n_a=16, epochs=4, batch_size=32, optimizer=optimizer,
                                     learning_rate=lr)
        assert h["train_loss"][-1] < h["train_loss"][0] - 0.2, optimizer


def test_progress_bar_follows_the_epochs():
    train = tokenize(load_names("train")[:40], "char")
    bar = TrainingProgress(3, "names")
    train_language_model(train, n_a=4, epochs=3, batch_size=20, progress=bar)
    assert bar.bar.value == 3 and len(bar.records) == 3
    assert bar.status.startswith("names: epoch 3/3")
    bundle = bar._repr_mimebundle_()
    assert bundle["text/plain"] == "Progress bar: names, 3 epochs (it moves while the notebook runs)"
    with pytest.raises(ValueError, match="epochs must be an integer >= 1"):
        TrainingProgress(0)


def test_progress_bar_shows_its_title_as_written():
    bar = TrainingProgress(2, "words with <UNK> & <EOS>")
    assert bar.label.value == "words with &lt;UNK&gt; &amp; &lt;EOS&gt;: waiting to start"
    bar({"epoch": 1, "train_loss": 2.5, "heldout_loss": float("nan"), "seconds": 0.25})
    assert bar.status == "words with <UNK> & <EOS>: epoch 1/2, loss per token: train 2.500; 0.2 s"
    assert bar.label.value == "words with &lt;UNK&gt; &amp; &lt;EOS&gt;: epoch 1/2, loss per token: train 2.500; 0.2 s"


def test_the_names_recipe_is_the_explicit_training_call():
    lm, history, data = train_names_model(epochs=1, n_a=8)
    assert data["vocab"].itos[3:] == list(string.ascii_lowercase)
    assert len(data["train_tokens"]) == 4647 and len(data["heldout_tokens"]) == 516
    again, _ = train_language_model(data["train_tokens"], data["vocab"], level="char", heldout=data["heldout_tokens"],
                                    cell="rnn", n_a=8, epochs=1, batch_size=64, learning_rate=0.01, clip=5.0, seed=0)
    assert all(np.array_equal(lm.params[k], again.params[k]) for k in lm.params)
    assert np.isfinite(history["heldout_loss"]).all()
    with pytest.raises(ValueError, match="layers is not a setting of NAMES_RECIPE"):
        train_names_model(layers=2)


# ----------------------------------------------------------------------------------------------
# save / load
# ----------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS)
def test_save_and_load_round_trip_exactly(tmp_path, kind):
    lm = _small_model(kind, seed=4)
    path = save_model(lm, tmp_path / "model")
    assert path.name == "model.npz"
    back = load_model(path)
    assert back.cell == kind and back.level == "char" and back.vocab.itos == lm.vocab.itos
    assert set(back.params) == set(lm.params)
    assert all(np.array_equal(back.params[k], lm.params[k]) for k in lm.params)
    assert sequence_probability(back, "abc")["log_prob"] == sequence_probability(lm, "abc")["log_prob"]


def _rewrite(tmp_path, lm, change):
    """Save lm, load the raw arrays, apply change(dict) and write them to bad.npz."""
    path = save_model(lm, tmp_path / "good.npz")
    with np.load(path, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    change(arrays)
    bad = tmp_path / "bad.npz"
    np.savez(bad, **arrays)
    return bad


def test_a_missing_array_is_a_key_error_naming_it(tmp_path):
    lm = _small_model("rnn")
    bad = _rewrite(tmp_path, lm, lambda a: a.pop("Waa"))
    with pytest.raises(KeyError, match="bad.npz is missing the array 'Waa' of a rnn model"):
        load_model(bad)
    bad = _rewrite(tmp_path, lm, lambda a: a.pop("__vocab__"))
    with pytest.raises(KeyError, match="missing the array '__vocab__'"):
        load_model(bad)


def test_a_mis_shaped_array_is_refused_with_both_shapes(tmp_path):
    lm = _small_model("gru")

    def shrink(arrays):
        arrays["Wu"] = arrays["Wu"][:, :-1]

    bad = _rewrite(tmp_path, lm, shrink)
    n_a, V = lm.n_a, lm.V
    with pytest.raises(ValueError, match=rf"array 'Wu' of bad.npz must have shape \(n_a, n_a \+ V\) = "
                                         rf"\({n_a}, {n_a + V}\).*got \({n_a}, {n_a + V - 1}\)"):
        load_model(bad)


def test_an_rnn_file_with_a_column_of_waa_lost_is_refused_with_both_shapes(tmp_path):
    """Notebook 05 saves the names model; a file whose W_aa lost a column must not load."""
    lm = _small_model("rnn")
    bad = _rewrite(tmp_path, lm, lambda a: a.update(Waa=a["Waa"][:, :-1]))
    n_a = lm.n_a
    with pytest.raises(ValueError, match=rf"array 'Waa' of bad.npz must have shape \(n_a, n_a\) = "
                                         rf"\({n_a}, {n_a}\).*got \({n_a}, {n_a - 1}\)"):
        load_model(bad)


def test_nan_extra_arrays_and_wrong_types_are_refused(tmp_path):
    lm = _small_model("rnn")

    def poison(arrays):
        arrays["by"] = arrays["by"].copy()
        arrays["by"][0, 0] = np.nan

    with pytest.raises(ValueError, match="must hold only finite numbers"):
        load_model(_rewrite(tmp_path, lm, poison))
    with pytest.raises(ValueError, match="does not have: Wf"):
        load_model(_rewrite(tmp_path, lm, lambda a: a.update(Wf=np.zeros((2, 2)))))
    with pytest.raises(ValueError, match="must hold float64"):
        load_model(_rewrite(tmp_path, lm, lambda a: a.update(ba=a["ba"].astype(np.float32))))
    with pytest.raises(ValueError, match="cell stored in bad.npz must be one of"):
        load_model(_rewrite(tmp_path, lm, lambda a: a.update(__cell__=np.array("cnn"))))


def test_a_corrupted_or_truncated_file_is_refused(tmp_path):
    lm = _small_model("lstm")
    good = save_model(lm, tmp_path / "good.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"this is not a zip file at all" * 10)
    with pytest.raises(ValueError, match="junk.npz is not a readable .npz file"):
        load_model(junk)
    truncated = tmp_path / "truncated.npz"
    truncated.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ValueError, match="truncated.npz is not a readable .npz file"):
        load_model(truncated)
    with pytest.raises(FileNotFoundError, match="no file named nothing.npz"):
        load_model(tmp_path / "nothing.npz")


def test_pickled_objects_are_never_loaded(tmp_path):
    lm = _small_model("rnn")
    bad = _rewrite(tmp_path, lm, lambda a: a.update(__vocab__=np.array([PAD, UNK, EOS, {"x": 1}], dtype=object)))
    with zipfile.ZipFile(bad) as z:                    # the file really holds a pickled array
        assert "__vocab__.npy" in z.namelist()
    with pytest.raises(ValueError, match="not a readable .npz file"):
        load_model(bad)


def test_a_model_for_another_vocabulary_or_cell_is_refused(tmp_path):
    lm = _small_model("rnn")
    path = save_model(lm, tmp_path / "m.npz")
    other = build_vocabulary([list("xyz")])
    with pytest.raises(ValueError, match="m.npz was saved with a different vocabulary"):
        load_model(path, vocab=other)
    with pytest.raises(ValueError, match="m.npz holds a rnn model, expected a gru model"):
        load_model(path, cell="gru")
    assert load_model(path, vocab=lm.vocab, cell="rnn").vocab.itos == lm.vocab.itos


def test_error_messages_name_the_file_not_its_folder(tmp_path):
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"\x00" * 50)
    with pytest.raises(ValueError) as info:
        load_model(junk)
    assert str(tmp_path) not in str(info.value)


# ----------------------------------------------------------------------------------------------
# statistics and plots
# ----------------------------------------------------------------------------------------------

def test_corpus_statistics_by_hand():
    vocab = _tiny_vocab()
    stats = corpus_statistics([list("ab"), list("bzz")], vocab)
    # lengths with <EOS>: 3 and 4; two of the 7 tokens are "z" -> <UNK>
    assert stats == {"n_sequences": 2, "vocab_size": 5, "mean_length": 3.5, "max_length": 4, "n_tokens": 7,
                     "unk_fraction": 2 / 7}


def test_plots_build_figures():
    import matplotlib.pyplot as plt
    lm = _small_model("rnn")
    history = {"epoch": np.array([1, 2]), "train_loss": np.array([2.0, 1.5]), "heldout_loss": np.array([2.1, 1.7])}
    fig = plot_history(history, {"bigram": 1.9, "unigram": 2.5})
    assert len(fig.axes[0].lines) == 4
    plt.close(fig)
    results = [sequence_probability(lm, "ab"), sequence_probability(lm, "ba")]
    fig = plot_step_probabilities(results, ["first", "second"])
    assert len(fig.axes) == 2 and len(fig.axes[0].patches) == 3          # a, b, <EOS>
    assert fig.axes[0].get_title().startswith("first:  log10 P = ")
    plt.close(fig)
    with pytest.raises(ValueError, match="non-empty list"):
        plot_step_probabilities([])


def test_new_model_argument_checks():
    vocab = _tiny_vocab()
    with pytest.raises(ValueError, match="n_a must be an integer >= 1"):
        new_language_model(vocab, "char", "rnn", n_a=0)
    with pytest.raises(ValueError, match="Vocabulary with <PAD>"):
        new_language_model(["a"], "char")
    with pytest.raises(ValueError, match="lm must be a LanguageModel"):
        evaluate({"Wy": 1}, [list("a")])
    assert isinstance(encode_corpus([list("a")], vocab), Corpus)
