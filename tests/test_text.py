"""Tests of helpers.tasks.text: tokenizers, the vocabulary, one-hot vectors.

Why each expected value can be trusted:
- token lists of short sentences are written out by hand from the tokenizer's documented rules;
- vocabularies come from hand-built corpora whose word counts are counted in the comments;
- one-hot arrays are checked by their defining invariants (one 1 per column, at the index, zeros elsewhere)
  and against a hand-written 3 x 3 case;
- the lecture's sentence "cats average 15 hours of sleep a day" has 8 words, 9 with <EOS>.
"""
import numpy as np
import pytest

from helpers.tasks.text import EOS, PAD, UNK, Vocabulary, one_hot, tokenize_chars, tokenize_words

LECTURE = "Cats average 15 hours of sleep a day."

# Word counts, by hand: the 4, sat 3, cat 2, dog 2, mat 1, on 1, ran 1, rug 1
CORPUS = [
    "the cat sat on the mat",
    "the dog sat",
    "the dog ran",
    "cat sat rug",
]


# -- tokenizers ------------------------------------------------------------------------------------
def test_lecture_sentence_gives_8_words_and_9_with_eos():
    words = tokenize_words(LECTURE, punctuation="drop")
    assert words == ["cats", "average", "15", "hours", "of", "sleep", "a", "day"]
    with_eos = tokenize_words(LECTURE, punctuation="drop", eos=True)
    assert len(with_eos) == 9 and with_eos[-1] == EOS and with_eos[:-1] == words


def test_punctuation_kept_by_default_as_its_own_token():
    assert tokenize_words(LECTURE)[-2:] == ["day", "."]
    assert tokenize_words("Wait, what?!") == ["wait", ",", "what", "?", "!"]


def test_word_rules_lowercase_digits_apostrophes_numbers():
    assert tokenize_words("The CAT") == ["the", "cat"]
    assert tokenize_words("The CAT", lower=False) == ["The", "CAT"]
    assert tokenize_words("don't stop") == ["don't", "stop"]
    assert tokenize_words("3.5 kg, 10,000 words") == ["3.5", "kg", ",", "10,000", "words"]
    assert tokenize_words("room 15b") == ["room", "15b"]
    assert tokenize_words("") == [] and tokenize_words("  \n ") == []
    assert tokenize_words("...", punctuation="drop", eos=True) == [EOS]


def test_tokenize_chars_keeps_every_character():
    assert tokenize_chars("Ab c.") == ["a", "b", " ", "c", "."]
    assert tokenize_chars("Ab", lower=False, eos=True) == ["A", "b", EOS]
    # joining the characters gives the (lower-cased) text back
    text = "Hello, World!\nBye."
    assert "".join(tokenize_chars(text)) == text.lower()


@pytest.mark.parametrize("bad", [None, 15, ["a", "b"], b"bytes"])
def test_tokenizers_refuse_non_strings(bad):
    with pytest.raises(ValueError, match="tokenize_words: text must be a str"):
        tokenize_words(bad)
    with pytest.raises(ValueError, match="tokenize_chars: text must be a str"):
        tokenize_chars(bad)


def test_tokenizer_options_are_checked():
    with pytest.raises(ValueError, match="punctuation must be one of 'keep', 'drop', got 'remove'"):
        tokenize_words("a b", punctuation="remove")
    with pytest.raises(ValueError, match="eos must be True or False"):
        tokenize_words("a b", eos="yes")


# -- vocabulary ------------------------------------------------------------------------------------
def corpus_vocab(k=None, **kw):
    return Vocabulary.from_text(CORPUS, k, **kw)


def test_top_k_picks_the_most_frequent_words_ties_alphabetical():
    # counts: the 4, sat 3, then cat 2 and dog 2 (tie -> cat first), then mat/on/ran/rug 1 each
    v = corpus_vocab(3)
    assert v.itos == [UNK, EOS, "the", "sat", "cat"]
    assert len(v) == 3 + 2
    v4 = corpus_vocab(4)
    assert v4.itos[2:] == ["the", "sat", "cat", "dog"]
    v5 = corpus_vocab(5)  # the four 1-count words tie: alphabetical order picks "mat"
    assert v5.itos[-1] == "mat"


def test_k_larger_than_the_corpus_keeps_every_word():
    v = corpus_vocab(100)
    assert len(v) == 8 + 2  # eight distinct words plus <UNK>, <EOS>
    assert v.itos == corpus_vocab().itos


def test_smaller_k_is_a_prefix_of_larger_k():
    full = corpus_vocab()
    for k in range(1, 9):
        assert corpus_vocab(k).itos == full.itos[: 2 + k]


def test_alphabetical_order_keeps_the_same_words():
    v = corpus_vocab(4, order="alphabetical")
    assert v.itos == [UNK, EOS, "cat", "dog", "sat", "the"]


def test_pad_token_comes_first_at_index_0():
    v = corpus_vocab(2, pad=True)
    assert v.itos == [PAD, UNK, EOS, "the", "sat"]
    assert (v.pad_index, v.unk_index, v.eos_index) == (0, 1, 2)


def test_counts_and_most_common():
    v = corpus_vocab(2)
    assert v.counts["the"] == 4 and v.counts["rug"] == 1  # all corpus words are counted, kept or not
    assert v.most_common(4) == [("the", 4), ("sat", 3), ("cat", 2), ("dog", 2)]


def test_word_and_char_level():
    v = Vocabulary.from_text("abba c", level="char")
    # a 2, b 2, then " " 1 and c 1 (" " sorts before "c")
    assert v.itos == [UNK, EOS, "a", "b", " ", "c"]
    v2 = Vocabulary.from_tokens([["x", "y", "x"], ["y", "x"]])
    assert v2.itos == [UNK, EOS, "x", "y"]
    v3 = Vocabulary.from_tokens(["b", "a", "b"])  # one flat token list is one sequence
    assert v3.itos == [UNK, EOS, "b", "a"]


def test_special_tokens_in_the_corpus_are_not_counted_twice():
    seqs = [tokenize_words("the cat", eos=True), tokenize_words("the dog", eos=True)]
    v = Vocabulary.from_tokens(seqs)
    assert v.itos.count(EOS) == 1
    assert v.itos == [UNK, EOS, "the", "cat", "dog"]


def test_encode_decode_round_trip_for_known_words():
    v = corpus_vocab()
    words = ["the", "dog", "ran", "on", "the", "rug", EOS]
    ids = v.encode(words)
    assert ids.dtype == np.int64 and ids.shape == (7,)
    assert v.decode(ids) == words
    assert [v.index(w) for w in words] == ids.tolist()
    assert [v.token(i) for i in ids] == words


def test_unknown_word_maps_to_unk_never_keyerror():
    v = corpus_vocab(3)  # keeps the, sat, cat
    ids = v.encode(["the", "zebra", "dog", "sat"])
    assert ids.tolist() == [2, v.unk_index, v.unk_index, 3]
    assert v.index("zebra") == v.unk_index
    assert v.decode(ids) == ["the", UNK, UNK, "sat"]
    assert v.unknown(["the", "zebra", UNK, "dog"]) == [(1, "zebra"), (3, "dog")]
    assert "zebra" not in v and "the" in v


def test_encode_batch_pads_and_masks():
    v = corpus_vocab(pad=True)
    seqs = [["the", "cat"], ["dog"], ["the", "dog", "ran", "on"]]
    ids, mask = v.encode_batch(seqs)
    assert ids.shape == mask.shape == (3, 4)
    assert ids[0].tolist() == v.encode(["the", "cat"]).tolist() + [0, 0]
    assert mask.tolist() == [[1, 1, 0, 0], [1, 0, 0, 0], [1, 1, 1, 1]]
    ids2, mask2 = v.encode_batch(seqs, length=2)  # longer sequences are cut
    assert ids2[2].tolist() == v.encode(["the", "dog"]).tolist() and mask2.sum() == 2 + 1 + 2
    with pytest.raises(ValueError, match="no <PAD> token; build it with pad=True"):
        corpus_vocab().encode_batch(seqs)


def test_empty_corpus_and_bad_k_raise():
    for empty in ([""], "", ["  ", "..."]):  # no word at all once tokenised
        with pytest.raises(ValueError, match="Vocabulary.from_text: texts must hold at least one token"):
            Vocabulary.from_text(empty)
    with pytest.raises(ValueError, match="texts must be a str or a non-empty list"):
        Vocabulary.from_text([])
    for empty in ([], [[]], [[EOS, UNK]]):  # nothing, an empty sequence, only special tokens
        with pytest.raises(ValueError, match="Vocabulary.from_tokens: .*empty corpus"):
            Vocabulary.from_tokens(empty)
    for bad_k in (0, -3, 2.5, True):
        with pytest.raises(ValueError, match="k must be an integer >= 1"):
            Vocabulary.from_text(CORPUS, bad_k)


def test_non_string_input_raises():
    with pytest.raises(ValueError, match=r"texts\[1\] must be a str"):
        Vocabulary.from_text(["a b", 7])
    with pytest.raises(ValueError, match=r"sequences\[0\]\[1\] must be a str token"):
        Vocabulary.from_tokens([["a", 3]])
    v = corpus_vocab()
    with pytest.raises(ValueError, match="got a str .* split it first"):
        v.encode("the cat")
    with pytest.raises(ValueError, match=r"tokens\[1\] must be a str token, got int"):
        v.encode(["the", 1])
    with pytest.raises(ValueError, match="Vocabulary.index: token must be a str, got int"):
        v.index(3)


def test_decode_and_token_out_of_range_name_index_and_size():
    v = corpus_vocab(3)  # 5 entries
    with pytest.raises(ValueError, match=r"\[0, 5\), got index 5 at position \(1,\)"):
        v.decode([0, 5])
    with pytest.raises(ValueError, match=r"got index -1"):
        v.decode([-1])
    with pytest.raises(ValueError, match=r"\[0, 5\), got 7"):
        v.token(7)


def test_vocabulary_constructor_checks():
    with pytest.raises(ValueError, match="must not contain the special tokens"):
        Vocabulary(["a", UNK])
    with pytest.raises(ValueError, match="must be distinct, got 'a' twice"):
        Vocabulary(["a", "b", "a"])
    assert Vocabulary(["x", "y"]).itos == [UNK, EOS, "x", "y"]


# -- one-hot ---------------------------------------------------------------------------------------
def test_one_hot_hand_case():
    expected = np.array([[0.0, 1.0, 0.0],
                         [1.0, 0.0, 0.0],
                         [0.0, 0.0, 1.0]])
    x = one_hot([1, 0, 2], 3)
    assert x.dtype == np.float64
    assert np.array_equal(x, expected)


def test_one_hot_columns_sum_to_one_and_argmax_recovers_indices():
    rng = np.random.default_rng(0)
    ids = rng.integers(0, 50, size=17)
    x = one_hot(ids, 50)
    assert x.shape == (50, 17)
    assert np.array_equal(x.sum(axis=0), np.ones(17))
    assert np.array_equal(np.argmax(x, axis=0), ids)
    assert set(np.unique(x)) == {0.0, 1.0}


def test_one_hot_batch_layout_is_n_x_m_T():
    ids = np.array([[0, 3, 3], [2, 1, 0]])  # m = 2 sequences of T_x = 3
    x = one_hot(ids, 4)
    assert x.shape == (4, 2, 3)
    assert np.array_equal(x.sum(axis=0), np.ones((2, 3)))
    assert np.array_equal(np.argmax(x, axis=0), ids)
    for i in range(2):  # each example's slice is the single-sequence one-hot
        assert np.array_equal(x[:, i, :], one_hot(ids[i], 4))


def test_one_hot_of_encoded_sentence_matches_vocabulary():
    v = corpus_vocab(3)
    x = one_hot(v.encode(["cat", "sat", "zebra"]), len(v))
    assert x[v.index("cat"), 0] == 1.0 and x[v.index("sat"), 1] == 1.0 and x[v.unk_index, 2] == 1.0


def test_one_hot_bad_input():
    with pytest.raises(ValueError, match=r"one_hot: indices must lie in \[0, vocab_size\) = \[0, 4\), "
                                         r"got index 4 at position \(2,\)"):
        one_hot([0, 1, 4], 4)
    with pytest.raises(ValueError, match="got index -2 at position"):
        one_hot([[0, -2]], 4)
    with pytest.raises(ValueError, match="integer indices, got dtype float64"):
        one_hot([0.0, 1.0], 4)
    with pytest.raises(ValueError, match="integer indices, got dtype bool"):
        one_hot([True, False], 4)
    with pytest.raises(ValueError, match="vocab_size must be an integer >= 1, got 0"):
        one_hot([0], 0)
    with pytest.raises(ValueError, match="1-D .* or 2-D .* got 3-D"):
        one_hot(np.zeros((1, 1, 1), dtype=int), 4)
    with pytest.raises(ValueError, match="T_x = 0 time steps"):
        one_hot([], 4)
