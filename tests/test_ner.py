"""NER tagging: the generated data, the one-unit tagger's loss and gradients, the softmax equivalence."""
import numpy as np
import pytest

from helpers.activations import sigmoid, softmax
from helpers.gradcheck import gradient_check
from helpers.losses import sigmoid_cross_entropy, softmax_cross_entropy
from helpers.tasks.ner import (
    FIRST_NAMES,
    LAST_NAMES,
    as_binary_tagger,
    binary_tagger_forward,
    binary_tagger_loss,
    build_vocabulary,
    encode_tagging,
    format_tagged,
    make_name_tagging_data,
    tag_probabilities,
    train_name_tagger,
)
from helpers.training import init_model, model_forward

NAMES = set(FIRST_NAMES) | set(LAST_NAMES)


def random_tagger(n_x, n_a, seed=0, scale=0.5):
    rng = np.random.default_rng(seed)
    return {"Wax": scale * rng.standard_normal((n_a, n_x)), "Waa": scale * rng.standard_normal((n_a, n_a)),
            "ba": 0.1 * rng.standard_normal((n_a, 1)), "Wya": scale * rng.standard_normal((1, n_a)),
            "by": 0.1 * rng.standard_normal((1, 1))}


# -- data ----------------------------------------------------------------------------------------------

def test_data_is_reproducible_and_aligned():
    s1, t1 = make_name_tagging_data(50, seed=3)
    s2, t2 = make_name_tagging_data(50, seed=3)
    assert s1 == s2 and t1 == t2
    assert make_name_tagging_data(50, seed=4)[0] != s1
    assert all(len(s) == len(t) for s, t in zip(s1, t1))


def test_a_word_is_tagged_as_a_name_exactly_when_it_is_one():
    sentences, tags = make_name_tagging_data(400, seed=0)
    for words, labels in zip(sentences, tags):
        for t, (word, label) in enumerate(zip(words, labels)):
            teddy_bears = word == "teddy" and t + 1 < len(words) and words[t + 1] == "bears"
            assert label == int(word in NAMES and not teddy_bears), (words, t)
    # both readings of "teddy" occur, so the data really hold the lecture's ambiguity
    flat = [(w, l) for s, t in zip(sentences, tags) for w, l in zip(s, t)]
    assert ("teddy", 0) in flat and ("teddy", 1) in flat


def test_vocabulary_covers_every_generated_word():
    vocab = build_vocabulary()
    sentences, _ = make_name_tagging_data(300, seed=1)
    assert all(vocab.unknown(s) == [] for s in sentences)
    assert vocab.pad_index == 0


def test_encode_tagging_one_hot_words_and_zero_padding():
    vocab = build_vocabulary()
    x, y, mask = encode_tagging([["harry", "potter", "met", "ron"], ["he", "said"]], [[1, 1, 0, 1], [0, 0]], vocab)
    assert x.shape == (len(vocab), 2, 4)
    assert np.array_equal(x.sum(axis=0), mask)                  # one 1 per real word, none at padding
    assert x[vocab.index("potter"), 0, 1] == 1.0
    assert np.array_equal(y, [[1, 1, 0, 1], [0, 0, 0, 0]])
    assert np.array_equal(mask, [[1, 1, 1, 1], [1, 1, 0, 0]])


def test_make_and_encode_check_their_arguments():
    vocab = build_vocabulary()
    with pytest.raises(ValueError, match="make_name_tagging_data: n must be an integer >= 1, got 0"):
        make_name_tagging_data(0)
    with pytest.raises(ValueError, match=r"p_full_name must be a number in \[0, 1\], got 2"):
        make_name_tagging_data(3, p_full_name=2)
    with pytest.raises(ValueError, match=r"tags\[0\] must have one tag per word \(2\), got 1"):
        encode_tagging([["he", "said"]], [[0]], vocab)
    with pytest.raises(ValueError, match=r"tags\[0\] must hold only 0 or 1"):
        encode_tagging([["he", "said"]], [[0, 2]], vocab)
    with pytest.raises(ValueError, match="vocab must be a Vocabulary with <PAD>"):
        encode_tagging([["he"]], None, "not a vocabulary")


# -- the one-unit tagger -------------------------------------------------------------------------------

def test_two_class_softmax_model_is_the_one_unit_sigmoid_model():
    model = init_model("rnn", 6, 4, 2, seed=2)
    model["by"] = np.array([[0.3], [-0.2]])
    x = np.random.default_rng(0).standard_normal((6, 3, 5))
    z, _ = model_forward(model, x, "rnn")
    p_softmax = softmax(z)[1]
    _, p_sigmoid = binary_tagger_forward(as_binary_tagger(model), x)
    # softmax(z)_1 = 1 / (1 + exp(z_0 - z_1)) = sigmoid(z_1 - z_0)
    assert np.allclose(p_sigmoid[0], p_softmax, rtol=0, atol=1e-14)


def test_two_class_softmax_loss_is_binary_cross_entropy_of_the_difference():
    rng = np.random.default_rng(1)
    z = rng.standard_normal((2, 4, 3))
    labels = rng.integers(0, 2, size=(4, 3))
    loss_softmax, _ = softmax_cross_entropy(z, labels)
    loss_sigmoid, _ = sigmoid_cross_entropy(z[1:2] - z[0:1], labels[None].astype(float))
    assert np.isclose(loss_softmax, loss_sigmoid, rtol=1e-13)


def test_loss_of_a_zero_network_by_hand():
    # all weights 0: a<t> = tanh(0) = 0, so y_hat<t> = sigmoid(by) at every step.
    p = {"Wax": np.zeros((2, 3)), "Waa": np.zeros((2, 2)), "ba": np.zeros((2, 1)), "Wya": np.zeros((1, 2)),
         "by": np.array([[np.log(3.0)]])}                       # sigmoid(log 3) = 3/4
    x = np.eye(3)[:, None, :]                                    # three one-hot steps
    loss, g = binary_tagger_loss(p, x, np.array([[1, 0, 1]]))
    assert np.isclose(loss, 2 * -np.log(0.75) - np.log(0.25))    # L = sum_t L<t>
    assert np.isclose(g["dby"][0, 0], (0.75 - 1) + 0.75 + (0.75 - 1))   # sum_t (y_hat - y)
    assert np.allclose(g["dWaa"], 0.0) and np.allclose(g["dWya"], 0.0)  # every a<t> is 0


def test_binary_tagger_gradients_match_finite_differences():
    vocab = build_vocabulary()
    sentences, tags = make_name_tagging_data(3, seed=5)
    x, y, mask = encode_tagging(sentences, tags, vocab)
    p = random_tagger(len(vocab), 5, seed=3)
    loss, g = binary_tagger_loss(p, x, y, mask=mask)
    errors = gradient_check(lambda q: binary_tagger_loss(q, x, y, mask=mask)[0], p, {k: g["d" + k] for k in p})
    assert max(errors.values()) < 1e-7, errors


def test_padding_adds_nothing_to_the_loss():
    vocab = build_vocabulary()
    sentences = [["harry", "met", "ron", "in", "paris"], ["he", "said"]]
    tags = [[1, 0, 1, 0, 0], [0, 0]]
    p = random_tagger(len(vocab), 4, seed=7)
    x, y, mask = encode_tagging(sentences, tags, vocab)
    together, _ = binary_tagger_loss(p, x, y, mask=mask)
    alone = sum(binary_tagger_loss(p, *encode_tagging([s], [t], vocab)[:2])[0] for s, t in zip(sentences, tags))
    assert np.isclose(together, alone, rtol=1e-13)


def test_state_gradients_are_upstream_plus_what_comes_back():
    vocab = build_vocabulary()
    x, y, _ = encode_tagging([["president", "ada", "lovelace", "gave", "a", "speech"]], [[0, 1, 1, 0, 0, 0]], vocab)
    p = random_tagger(len(vocab), 3, seed=11)
    _, g = binary_tagger_loss(p, x, y, keep_state_grads=True)
    a, da, up = g["a"][:, 0], g["da_steps"][:, 0], g["da_up"][:, 0]
    assert np.allclose(da[:, -1], up[:, -1])                     # nothing comes back to the last step
    for t in range(a.shape[1] - 1):                              # da<t> = up<t> + Waa.T (da<t+1> * (1 - a<t+1>^2))
        assert np.allclose(da[:, t], up[:, t] + p["Waa"].T @ (da[:, t + 1] * (1 - a[:, t + 1] ** 2)))
    assert np.isclose(g["loss_per_step"].sum(), binary_tagger_loss(p, x, y)[0])


def test_tagger_checks_its_arguments():
    p = random_tagger(4, 3)
    x = np.zeros((4, 1, 2))
    with pytest.raises(KeyError, match="missing the key 'Wya'"):
        binary_tagger_loss({k: v for k, v in p.items() if k != "Wya"}, x, np.zeros((1, 2)))
    with pytest.raises(ValueError, match=r"parameters\['Wya'\] must have shape \(1, n_a\) = \(1, 3\)"):
        binary_tagger_forward({**p, "Wya": np.zeros((2, 3))}, x)
    with pytest.raises(ValueError, match=r"binary_tagger_loss: y must have shape \(m, T_x\)"):
        binary_tagger_loss(p, x, np.zeros((1, 3)))
    with pytest.raises(KeyError, match="model is missing the key 'Wy'"):
        as_binary_tagger(p)
    with pytest.raises(ValueError, match=r"model\['Wy'\] must have shape \(2, n_a\)"):
        as_binary_tagger({**p, "Wy": np.zeros((3, 3)), "by": np.zeros((3, 1))})


# -- training and display ------------------------------------------------------------------------------

def test_training_lowers_the_loss_and_tags_unseen_sentences():
    result = train_name_tagger(n_train=120, n_a=8, epochs=6, seed=1)
    history = result["history"]
    assert history.shape == (6,) and history[-1] < 0.5 * history[0]
    p = as_binary_tagger(result["model"])
    probs = tag_probabilities(p, result["vocab"], ["yesterday", "harry", "visited", "london"])
    assert probs.shape == (4,) and np.all((probs > 0) & (probs < 1))


def test_format_tagged_brackets_names():
    line = format_tagged(["harry", "met", "ron"], np.array([0.97, 0.02, 0.5]))
    assert line == "[harry 0.97]  met 0.02  [ron 0.50]"
    with pytest.raises(ValueError, match=r"probabilities must have shape \(T_x,\) = \(3,\)"):
        format_tagged(["harry", "met", "ron"], np.array([0.9, 0.1]))


def test_tagger_probabilities_agree_with_the_formula_for_one_step():
    vocab = build_vocabulary()
    p = random_tagger(len(vocab), 3, seed=4)
    j = vocab.index("harry")
    expected = sigmoid(p["Wya"] @ np.tanh(p["Wax"][:, j:j + 1] + p["ba"]) + p["by"])[0, 0]   # a<0> = 0
    assert np.isclose(tag_probabilities(p, vocab, ["harry"])[0], expected)
