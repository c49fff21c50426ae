"""The small tasks of notebook 04 and the encoder-decoder (gradient checked against finite differences)."""
import numpy as np
import pytest

from helpers.gradcheck import gradient_check
from helpers.tasks.text import Vocabulary
from helpers.tasks.toy_tasks import (
    EOS,
    GO,
    digits_to_str,
    encode_numbers,
    encode_phrases,
    encoder_decoder_loss,
    fit_encoder_decoder,
    generate,
    greedy_decode,
    init_encoder_decoder,
    load_sentiment_phrases,
    make_count_by_task,
    make_parity_task,
    number_to_words,
    number_vocabulary,
    split_phrases,
)
from helpers.training import init_model

# -- an independent reader of number words, to check number_to_words without reusing it ---------------
_VALUES = {w: i for i, w in enumerate("zero one two three four five six seven eight nine ten eleven twelve "
                                      "thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split())}
_VALUES.update({w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)})


def read_number(words):
    total = 0
    for w in words:
        total = total * 100 if w == "hundred" else total + _VALUES[w]
    return total


# -- one-to-one, one-to-many -----------------------------------------------------------------------------

def test_parity_task():
    x, y = make_parity_task()
    assert x.shape == (10, 10, 1) and np.array_equal(x[:, :, 0], np.eye(10))
    assert y[:, 0].tolist() == [1, 0, 1, 0, 1, 0, 1, 0, 1, 0]


def test_count_by_task_by_hand_and_teacher_forcing():
    x, y = make_count_by_task(6)
    assert y[3].tolist() == [6, 9, 2, 5, 8, 1]       # 6, 9, 12, 15, 18, 21
    assert y[5].tolist() == [0, 5, 0, 5, 0, 5]       # 10, 15, 20, ...
    assert y[0].tolist() == [0] * 6
    assert x.shape == (10, 10, 6)
    digits = x.argmax(axis=0)                        # (examples, steps)
    assert digits[:, 0].tolist() == list(range(10))  # step 1 reads the start digit
    assert np.array_equal(digits[:, 1:], y[:, :-1])  # step t reads the true digit of step t - 1
    assert np.all(x.sum(axis=0) == 1.0)


def test_generate_feeds_its_output_back():
    # a network whose state is always 0 and whose output layer always picks 4
    model = init_model("rnn", 10, 3, 10, seed=0)
    model.update(Wax=np.zeros((3, 10)), Waa=np.zeros((3, 3)), ba=np.zeros((3, 1)), Wy=np.zeros((10, 3)))
    model["by"] = np.zeros((10, 1))
    model["by"][4] = 5.0
    assert generate(model, 7, 3) == [4, 4, 4]
    # a state that remembers the input: unit j lights up for digit j, and Wy copies it forward by one
    model.update(Wax=np.eye(10) * 3.0, Waa=np.zeros((10, 10)), ba=np.zeros((10, 1)),
                 Wy=np.roll(np.eye(10), 1, axis=0), by=np.zeros((10, 1)))
    assert generate(model, 7, 4) == [8, 9, 0, 1]      # each step writes its input + 1 (mod 10)
    with pytest.raises(ValueError, match="start must be a digit 0..9, got 12"):
        generate(model, 12, 3)


# -- many-to-one: the phrases ----------------------------------------------------------------------------

POSITIVE = {"good", "great", "fun", "funny", "clever", "lovely", "wonderful", "brilliant"}
NEGATIVE = {"bad", "awful", "boring", "dull", "slow", "terrible", "silly", "weak"}


def test_phrases_file_is_balanced_and_labelled_by_the_negation_rule():
    pairs = load_sentiment_phrases()
    assert len(pairs) == 400 and sum(label for _, label in pairs) == 200
    assert len({text for text, _ in pairs}) == 400
    checked = 0
    for text, label in pairs:
        words = text.split()
        opinion = [w for w in words if w in POSITIVE | NEGATIVE]
        if len(opinion) == 1 and words[0] != "i":           # adjective phrases (verb phrases are listed by hand)
            negated = "not" in words or "never" in words
            polarity = int(opinion[0] in POSITIVE)
            assert label == (1 - polarity if negated else polarity), text
            checked += 1
    assert checked > 350


def test_load_refuses_a_malformed_file(tmp_path):
    bad = tmp_path / "bad.tsv"
    bad.write_text("good\t1\nbad phrase without label\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 2 of bad.tsv must be 'text<TAB>0' or 'text<TAB>1'"):
        load_sentiment_phrases(bad)
    with pytest.raises(ValueError, match="path must be an existing file"):
        load_sentiment_phrases(tmp_path / "missing.tsv")


def test_split_is_balanced_disjoint_reproducible_and_uses_only_seen_words():
    pairs = load_sentiment_phrases()
    train, test = split_phrases(pairs, 40, seed=0)
    assert len(test) == 40 and sum(label for _, label in test) == 20
    assert len(train) == 360 and not {t for t, _ in train} & {t for t, _ in test}
    seen = {w for t, _ in train for w in t.split()}
    assert all(set(t.split()) <= seen for t, _ in test)
    assert split_phrases(pairs, 40, seed=0) == (train, test)
    with pytest.raises(ValueError, match="n_test must be even"):
        split_phrases(pairs, 5)


def test_encode_phrases_lengths_and_padding():
    pairs = [("not good", 0), ("the film was very good", 1)]
    vocab = Vocabulary.from_tokens([t.split() for t, _ in pairs], pad=True)
    x, y, lengths = encode_phrases(pairs, vocab)
    assert x.shape == (len(vocab), 2, 5) and y.tolist() == [0, 1] and lengths.tolist() == [2, 5]
    assert x[:, 0, 2:].sum() == 0.0 and np.all(x[:, 1].sum(axis=0) == 1.0)
    with pytest.raises(ValueError, match="vocab must be a Vocabulary built with pad=True"):
        encode_phrases(pairs, Vocabulary(["good"]))


# -- encoder-decoder: number words -> digits -------------------------------------------------------------

@pytest.mark.parametrize("n, words", [
    (0, "zero"), (7, "seven"), (12, "twelve"), (20, "twenty"), (42, "forty two"), (100, "one hundred"),
    (105, "one hundred five"), (342, "three hundred forty two"), (999, "nine hundred ninety nine"),
])
def test_number_words_by_hand(n, words):
    assert number_to_words(n) == words.split()


def test_number_words_read_back_for_every_number():
    assert all(read_number(number_to_words(n)) == n for n in range(1000))
    assert len({" ".join(number_to_words(n)) for n in range(1000)}) == 1000
    assert all(1 <= len(number_to_words(n)) <= 4 for n in range(1000))
    with pytest.raises(ValueError, match=r"n must be an integer in \[0, 999\], got 1000"):
        number_to_words(1000)


def test_encode_numbers_teacher_forcing_and_masks():
    vocab = number_vocabulary()
    assert len(vocab) == 32 and vocab.unknown(["hundred", "nineteen", "ninety"]) == []
    b = encode_numbers([7, 342], vocab)
    assert b["lengths"].tolist() == [1, 4]
    assert b["y"].tolist() == [[7, EOS, 0, 0], [3, 4, 2, EOS]]
    assert b["mask"].tolist() == [[1, 1, 0, 0], [1, 1, 1, 1]]
    assert b["d"].argmax(axis=0)[1].tolist() == [GO, 3, 4, 2]   # <GO>, then the previous true digit
    assert b["d"].argmax(axis=0)[0, :2].tolist() == [GO, 7]


def small_problem(seed=0):
    vocab = number_vocabulary()
    batch = encode_numbers([7, 342, 15, 90], vocab)
    rng = np.random.default_rng(seed)
    params = init_encoder_decoder(len(vocab), 4, seed=seed)
    params = {k: v + 0.2 * rng.standard_normal(v.shape) for k, v in params.items()}   # non-zero biases too
    return params, batch


@pytest.mark.parametrize("reduction", ["sum", "mean"])
def test_encoder_decoder_gradients_match_finite_differences(reduction):
    params, batch = small_problem(seed=1)
    loss, grads = encoder_decoder_loss(params, batch, reduction=reduction)
    errors = gradient_check(lambda p: encoder_decoder_loss(p, batch, reduction=reduction)[0], params,
                            {k: grads["d" + k] for k in params})
    assert set(errors) == set(params)
    assert max(errors.values()) < 1e-7, errors


def test_encoder_ignores_what_comes_after_the_last_word():
    params, batch = small_problem(seed=2)
    loss, _ = encoder_decoder_loss(params, batch)
    noisy = dict(batch)
    x = batch["x"].copy()
    x[:, 0, 1:] = np.random.default_rng(0).standard_normal(x[:, 0, 1:].shape)   # example 0 has one word
    noisy["x"] = x
    assert encoder_decoder_loss(params, noisy)[0] == loss


def test_the_loss_of_a_silent_decoder_by_hand():
    # Wy = 0 and by = 0: every step gives probability 1/11 to every class, so each real step costs log 11
    params, batch = small_problem()
    params.update(Wy=np.zeros_like(params["Wy"]), by=np.zeros_like(params["by"]))
    loss, _ = encoder_decoder_loss(params, batch, reduction="sum")
    assert np.isclose(loss, batch["mask"].sum() * np.log(11))


def test_greedy_decode_of_a_hand_built_decoder():
    params, batch = small_problem()
    params.update(Wy=np.zeros_like(params["Wy"]), by=np.zeros((11, 1)))
    params["by"][7] = 3.0                                   # always "7", never <EOS>
    out = greedy_decode(params, batch["x"], batch["lengths"], max_len=3)
    assert out.tolist() == [[7, 7, 7]] * 4 and digits_to_str(out) == ["777"] * 4
    params["by"][EOS] = 9.0                                 # now <EOS> at once: the empty answer
    assert digits_to_str(greedy_decode(params, batch["x"], batch["lengths"])) == [""] * 4


def test_digits_to_str_stops_at_the_first_eos():
    assert digits_to_str([[3, 4, 2, EOS], [EOS, 1, 1, 1], [9, 9, 9, 9]]) == ["342", "", "9999"]


def test_training_lowers_the_loss():
    vocab = number_vocabulary()
    batch = encode_numbers(np.arange(0, 1000, 7), vocab)
    params = init_encoder_decoder(len(vocab), 8, seed=0)
    trained, history = fit_encoder_decoder(params, batch, epochs=4, batch_size=32, learning_rate=0.01)
    assert history.shape == (4,) and history[-1] < history[0]
    assert params["Wy"] is not trained["Wy"] and np.array_equal(params["Wy"], init_encoder_decoder(len(vocab), 8)["Wy"])


def test_encoder_decoder_checks_its_arguments():
    params, batch = small_problem()
    with pytest.raises(KeyError, match="params is missing the key 'dec_Waa'"):
        encoder_decoder_loss({k: v for k, v in params.items() if k != "dec_Waa"}, batch)
    with pytest.raises(KeyError, match="batch is missing the key 'mask'"):
        encoder_decoder_loss(params, {k: v for k, v in batch.items() if k != "mask"})
    with pytest.raises(ValueError, match=r"lengths must be integers in \[1, T_x\] = \[1, 4\]"):
        encoder_decoder_loss(params, {**batch, "lengths": np.array([1, 5, 1, 1])})
    with pytest.raises(ValueError, match=r"batch\['d'\] must have shape \(n_d, m, T_y\)"):
        encoder_decoder_loss(params, {**batch, "d": batch["d"][:, :2]})
    with pytest.raises(ValueError, match="epochs must be an integer >= 1, got 0"):
        fit_encoder_decoder(params, batch, epochs=0)


def test_init_and_fit_check_sizes_and_rates():
    with pytest.raises(ValueError, match="init_encoder_decoder: n_a must be an integer >= 1, got 0"):
        init_encoder_decoder(5, 0)
    params, batch = small_problem()
    with pytest.raises(ValueError, match="fit_encoder_decoder: learning_rate must be a positive finite number"):
        fit_encoder_decoder(params, batch, learning_rate=-0.1)
    with pytest.raises(ValueError, match="fit_encoder_decoder: clip must be a positive finite number"):
        fit_encoder_decoder(params, batch, clip=0)
