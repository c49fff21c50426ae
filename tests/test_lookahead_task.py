"""The name-or-not task: tags follow the rule of the module docstring, the past alone cannot decide the
ambiguous words, the encoding spells the sentences, bad input fails."""
import numpy as np
import pytest

from helpers.tasks.lookahead_task import (
    AMBIGUOUS,
    FIRST_NAMES,
    NOUNS,
    ROLES,
    SURNAMES,
    encode_lookahead,
    lookahead_vocabulary,
    make_lookahead_data,
)


def test_data_is_reproducible_aligned_and_seed_dependent():
    a = make_lookahead_data(60, seed=3)
    b = make_lookahead_data(60, seed=3)
    assert a == b
    assert make_lookahead_data(60, seed=4)[0] != a[0]
    for words, tags, roles in zip(*a):
        assert len(words) == len(tags) == len(roles)


def test_every_tag_follows_the_rule_of_the_next_word():
    sentences, tags, roles = make_lookahead_data(500, seed=0)
    for words, labels, kinds in zip(sentences, tags, roles):
        for t, (word, label, kind) in enumerate(zip(words, labels, kinds)):
            nxt = words[t + 1] if t + 1 < len(words) else None
            if word in AMBIGUOUS:
                # a name exactly when a surname follows; otherwise its own noun follows
                assert kind == "ambiguous"
                assert nxt in SURNAMES or nxt == AMBIGUOUS[word]
                assert label == int(nxt in SURNAMES)
            elif word in SURNAMES:
                assert (kind, label) == ("surname", 1)
            elif word in FIRST_NAMES:
                assert (kind, label) == ("first name", 1)
            else:
                assert (kind, label) == ("other", 0)


def test_the_past_cannot_decide_an_ambiguous_word():
    # readings are drawn after the frame: the same prefix occurs with both tags, and the name reading
    # has the asked-for frequency (2000 sentences give ~1300 ambiguous words: 0.5 +- 4 sigma ~ 0.055)
    sentences, tags, _ = make_lookahead_data(2000, seed=1, p_name=0.5)
    by_prefix = {}
    labels = []
    for words, tag in zip(sentences, tags):
        for t, word in enumerate(words):
            if word in AMBIGUOUS:
                by_prefix.setdefault(tuple(words[:t + 1]), []).append(tag[t])
                labels.append(tag[t])
    assert abs(np.mean(labels) - 0.5) < 0.055
    # a prefix seen 20 times shows only one reading with probability 2 * 0.5**20 ~ 2e-6
    common = [p for p, seen in by_prefix.items() if len(seen) >= 20]
    assert len(common) >= 8
    assert all(set(by_prefix[p]) == {0, 1} for p in common)


def test_probabilities_at_the_extremes():
    _, tags, roles = make_lookahead_data(200, seed=2, p_ambiguous=1.0, p_name=1.0)
    amb = [t for ts, rs in zip(tags, roles) for t, r in zip(ts, rs) if r == "ambiguous"]
    assert amb and all(t == 1 for t in amb)
    _, tags, roles = make_lookahead_data(200, seed=2, p_ambiguous=1.0, p_name=0.0)
    amb = [t for ts, rs in zip(tags, roles) for t, r in zip(ts, rs) if r == "ambiguous"]
    assert amb and all(t == 0 for t in amb)
    _, _, roles = make_lookahead_data(200, seed=2, p_ambiguous=0.0)
    assert all(r != "ambiguous" for rs in roles for r in rs)


def test_vocabulary_covers_every_word_with_pad_first():
    vocab = lookahead_vocabulary()
    assert vocab.pad_index == 0
    sentences, _, _ = make_lookahead_data(400, seed=5)
    assert all(w in vocab.stoi for s in sentences for w in s)
    for word in list(AMBIGUOUS) + list(AMBIGUOUS.values()) + list(SURNAMES) + list(FIRST_NAMES) + list(NOUNS):
        assert word in vocab.stoi


def test_encoding_spells_the_sentences_and_zeroes_the_padding():
    sentences, tags, roles = make_lookahead_data(30, seed=6)
    data = encode_lookahead(sentences, tags, roles)
    vocab = data["vocab"]
    x, y, mask, lengths = data["x"], data["y"], data["mask"], data["lengths"]
    assert x.shape == (len(vocab), 30, max(len(s) for s in sentences))
    for i, words in enumerate(sentences):
        T = len(words)
        assert lengths[i] == T
        assert [vocab.itos[j] for j in x[:, i, :T].argmax(axis=0)] == words
        assert np.all(x[:, i, :T].sum(axis=0) == 1.0) and np.all(x[:, i, T:] == 0.0)
        assert list(y[i, :T]) == tags[i] and np.all(y[i, T:] == 0)
        assert np.all(mask[i, :T] == 1.0) and np.all(mask[i, T:] == 0.0)
        assert [ROLES[r] for r in data["roles"][i, :T]] == roles[i] and np.all(data["roles"][i, T:] == -1)


@pytest.mark.parametrize("kwargs, match", [
    ({"n": 0}, "n must be an integer >= 1"),
    ({"n": 5, "seed": -1}, "seed must be an integer >= 0"),
    ({"n": 5, "p_name": 1.5}, r"p_name must be a number in \[0, 1\]"),
    ({"n": 5, "p_ambiguous": True}, r"p_ambiguous must be a number in \[0, 1\]"),
])
def test_make_lookahead_data_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_lookahead_data(**kwargs)


def test_encode_lookahead_rejects_bad_input():
    s, t, r = [["teddy", "bears"]], [[0, 0]], [["ambiguous", "other"]]
    with pytest.raises(ValueError, match="tags must be a list of m = 1"):
        encode_lookahead(s, [], r)
    with pytest.raises(ValueError, match="one entry per word"):
        encode_lookahead(s, [[0]], r)
    with pytest.raises(ValueError, match="only 0 or 1"):
        encode_lookahead(s, [[0, 2]], r)
    with pytest.raises(ValueError, match="roles from"):
        encode_lookahead(s, t, [["ambiguous", "noun"]])
    with pytest.raises(ValueError, match="unknown word"):
        encode_lookahead([["teddy", "zebra"]], t, r)
    with pytest.raises(ValueError, match="non-empty list"):
        encode_lookahead("teddy bears", t, r)
    with pytest.raises(ValueError, match="Vocabulary with <PAD>"):
        encode_lookahead(s, t, r, vocab=["teddy"])
