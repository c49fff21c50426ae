"""The memory task: labels follow the noun, the gap is what was asked for, seeds reproduce, bad input fails."""
import numpy as np
import pytest

from helpers.tasks.memory_task import (
    CLASSES,
    DEFAULT_DISTRACTORS,
    VERB,
    MemoryTask,
    encode_tokens,
    fit_memory_task,
    make_memory_task,
    memory_task_vocabulary,
)


def _one_hot_tokens(task, i):
    """Read example i back from its one-hot columns (argmax of every real column)."""
    cols = task.x[:, i, :task.lengths[i]]
    assert np.all(cols.sum(axis=0) == 1.0) and set(np.unique(cols)) <= {0.0, 1.0}
    return [task.vocab[j] for j in cols.argmax(axis=0)]


def test_labels_follow_the_noun_by_construction():
    task = make_memory_task(40, 5, nouns=[("cat", "cats"), ("dog", "dogs")], seed=3)
    singular, plural = {"cat", "dog"}, {"cats", "dogs"}
    for i in range(task.m):
        noun = task.tokens[i][1]
        assert noun in (singular if task.y[i] == 0 else plural)
        assert task.sentence(i).endswith("-> " + CLASSES[task.y[i]])
    assert CLASSES == ("was", "were")


def test_one_hot_inputs_spell_the_tokens_and_padding_is_zero():
    task = make_memory_task(25, (2, 9), seed=4)
    for i in range(task.m):
        assert _one_hot_tokens(task, i) == list(task.tokens[i])
        assert np.all(task.x[:, i, task.lengths[i]:] == 0.0)


def test_gap_is_respected_for_a_fixed_gap_and_a_range():
    fixed = make_memory_task(30, 7, seed=0)
    assert np.all(fixed.gaps == 7) and np.all(fixed.lengths == 10) and fixed.T_x == 10
    ranged = make_memory_task(300, (3, 6), seed=1)
    assert ranged.gaps.min() >= 3 and ranged.gaps.max() <= 6 and ranged.T_x == 9
    assert set(ranged.gaps.tolist()) == {3, 4, 5, 6}  # 300 draws from 4 values: every one appears
    assert np.array_equal(ranged.lengths, ranged.gaps + 3)
    for words, g in zip(ranged.tokens, ranged.gaps):
        assert words[0] == "the" and words[-1] == VERB and len(words) == g + 3
        assert all(w in DEFAULT_DISTRACTORS for w in words[2:-1])  # the gap holds distractors only


def test_gap_zero_puts_the_verb_right_after_the_noun():
    task = make_memory_task(4, 0, seed=0)
    assert all(len(words) == 3 and words[2] == VERB for words in task.tokens)


def test_balanced_labels_are_exactly_half_and_half():
    task = make_memory_task(41, 3, seed=5)
    assert int((task.y == 0).sum()) == 20 and int((task.y == 1).sum()) == 21
    unbalanced = make_memory_task(41, 3, seed=5, balanced=False)
    assert set(unbalanced.y.tolist()) <= {0, 1}


def test_distractors_carry_no_information_about_the_label():
    # the gap is drawn independently of the label: with many examples, the distractor counts of the
    # singular and the plural examples are close (a leak would make them differ systematically)
    task = make_memory_task(4000, 10, seed=6)
    counts = np.zeros((2, len(task.vocab)))
    for words, label in zip(task.tokens, task.y):
        for w in words[2:-1]:
            counts[label, task.vocab.index(w)] += 1
    freq = counts / counts.sum(axis=1, keepdims=True)
    assert np.max(np.abs(freq[0] - freq[1])) < 0.01


def test_same_seed_same_task_other_seed_other_task():
    a = make_memory_task(20, (1, 8), seed=11)
    b = make_memory_task(20, (1, 8), seed=11)
    c = make_memory_task(20, (1, 8), seed=12)
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y) and a.tokens == b.tokens
    assert a.tokens != c.tokens
    again = a.redraw(11)
    assert again.tokens == a.tokens and again.gap_range == (1, 8)
    other = a.redraw(13)
    assert other.m == a.m and other.vocab == a.vocab and other.gap_range == a.gap_range


def test_vocabulary_order_and_custom_distractors():
    vocab = memory_task_vocabulary(nouns=[("dog", "dogs")], distractors=["barked", "the", "loudly"])
    assert vocab == ("the", "dog", "dogs", "barked", "loudly", VERB)
    task = make_memory_task(6, 4, nouns=[("dog", "dogs")], distractors=["barked", "the", "loudly"], seed=0)
    assert task.vocab == vocab and task.n_x == 6
    assert all(w in ("barked", "the", "loudly") for words in task.tokens for w in words[2:-1])


def test_encode_tokens_is_one_hot_in_vocabulary_order():
    vocab = memory_task_vocabulary()
    x = encode_tokens(["the", "cats", VERB], vocab)
    assert x.shape == (len(vocab), 1, 3)
    assert [vocab[j] for j in x[:, 0, :].argmax(axis=0)] == ["the", "cats", VERB]
    assert np.all(x.sum(axis=0) == 1.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(m=0, gap=3), "m must be an integer >= 1"),
    (dict(m=5, gap=-1), "gap must be an integer >= 0"),
    (dict(m=5, gap=2.5), "gap must be an integer >= 0"),
    (dict(m=5, gap=(6, 2)), r"g_min <= g_max"),
    (dict(m=5, gap=(1, 2, 3)), r"pair \(g_min, g_max\)"),
    (dict(m=5, gap=3, seed=-1), "seed must be an integer >= 0"),
    (dict(m=5, gap=3, distractors=["ate", "cat"]), "must not contain a noun"),
    (dict(m=5, gap=3, distractors=["ate", VERB]), "must not contain a noun or '<verb>'"),
    (dict(m=5, gap=3, distractors=[]), "at least 1 word"),
    (dict(m=5, gap=3, distractors="ate"), "list or tuple of str"),
    (dict(m=5, gap=3, distractors=["ate", "ate"]), "must not repeat a word"),
    (dict(m=5, gap=3, nouns=[("cat",)]), r"\(singular, plural\) pairs"),
    (dict(m=5, gap=3, nouns=[("cat", "cat")]), "must not repeat a word"),
    (dict(m=5, gap=3, balanced=1), "balanced must be True or False"),
])
def test_bad_input_is_refused_with_a_clear_message(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_memory_task(**kwargs)


def test_encode_tokens_bad_input():
    vocab = memory_task_vocabulary()
    with pytest.raises(ValueError, match="unknown token"):
        encode_tokens(["the", "dog"], vocab)
    with pytest.raises(ValueError, match="non-empty list of str"):
        encode_tokens("the cat", vocab)


def test_sentence_index_is_checked():
    task = make_memory_task(3, 1, seed=0)
    with pytest.raises(ValueError, match="i must be < m = 3"):
        task.sentence(3)


def test_a_gated_cell_learns_a_short_gap():
    # gap 2 is a short dependency that any of the cells learns; a GRU started near "keep" learns it
    # within 60 updates, and then every test sentence is answered right
    train, test = make_memory_task(32, 2, seed=1), make_memory_task(100, 2, seed=2)
    result = fit_memory_task("gru", train, test, 4, steps=60, keep_bias=2.0, seed=0)
    assert result["history"].shape == (60,)
    assert result["history"][-1] < result["history"][0]
    assert result["test_accuracy"] == 1.0


def test_keep_bias_sets_the_gate_bias_of_the_initial_model():
    train, test = make_memory_task(8, 2, seed=1), make_memory_task(8, 2, seed=2)
    # one Adam step moves every parameter by at most its learning rate (its first step is
    # lr * g / (|g| + eps)), so after one update the biases are within 0.01 of where they started
    gru = fit_memory_task("gru", train, test, 3, steps=1, keep_bias=1.5)["model"]
    lstm = fit_memory_task("lstm", train, test, 3, steps=1, keep_bias=1.5)["model"]
    plain = fit_memory_task("gru", train, test, 3, steps=1)["model"]
    assert np.all(np.abs(gru["bu"] + 1.5) <= 0.01 + 1e-12)
    assert np.all(np.abs(lstm["bf"] - 1.5) <= 0.01 + 1e-12)
    assert np.all(np.abs(plain["bu"]) <= 0.01 + 1e-12)


def test_fit_memory_task_bad_input():
    train, test = make_memory_task(8, 2, seed=1), make_memory_task(8, 2, seed=2)
    other = make_memory_task(8, 2, distractors=["ran"], seed=2)
    with pytest.raises(ValueError, match="share one vocabulary"):
        fit_memory_task("gru", train, other, 3, steps=1)
    with pytest.raises(ValueError, match="the rnn has no gate"):
        fit_memory_task("rnn", train, test, 3, steps=1, keep_bias=1.0)
    with pytest.raises(ValueError, match="train must be a MemoryTask"):
        fit_memory_task("gru", train.x, test, 3, steps=1)
    with pytest.raises(ValueError, match="keep_bias must be a finite number >= 0"):
        fit_memory_task("gru", train, test, 3, steps=1, keep_bias=-1.0)
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        fit_memory_task("gru", train, test, 3, steps=0)


def test_repr_names_the_sizes():
    n_x = len(memory_task_vocabulary())
    assert repr(make_memory_task(5, (2, 4), seed=0)) == f"MemoryTask(m=5, gap=2..4, n_x={n_x}, T_x=7)"
    assert isinstance(make_memory_task(1, 0), MemoryTask)
