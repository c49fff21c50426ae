"""Named-entity tagging, the lecture's running example: is word t part of a person's name?

The task (many-to-many, T_y = T_x): for a sentence x<1>, ..., x<T_x> of one-hot words, predict at every
step y<t> = 1 if word t belongs to a person's name, else 0.

    "harry potter and hermione granger invented a new spell"
      1     1      0    1        1       0        0  0   0

The model is one RNN layer and one output unit per step (the lecture's form):

    a<t>     = tanh(Waa @ a<t-1> + Wax @ x<t> + ba),      a<0> = 0
    y_hat<t> = sigmoid(Wya @ a<t> + by)                   (n_y = 1: the probability of "name")
    L<t>     = -( y<t> log y_hat<t> + (1 - y<t>) log(1 - y_hat<t>) )
    L        = sum_t L<t>

Two-class softmax is the same model. ``helpers.training`` trains with a softmax over the two classes
(0 = not a name, 1 = name) and scores z<t> = Wy @ a<t> + by, Wy (2, n_a). Since

    softmax(z)_1 = e^{z_1} / (e^{z_0} + e^{z_1}) = 1 / (1 + e^{-(z_1 - z_0)}) = sigmoid(z_1 - z_0),

the trained model is exactly the one-unit model with Wya = Wy[1] - Wy[0] and by = by[1] - by[0]
(``as_binary_tagger``), and the softmax cross-entropy of the two classes is the binary cross-entropy
of sigmoid(z_1 - z_0).

The data are sentences made from templates and small word lists (``make_name_tagging_data``), seeded,
so every run of a notebook sees the same sentences. Some words are names only in some sentences
("teddy" in "teddy roosevelt" but not in "teddy bears"), which a forward-only RNN cannot tell apart
until it has read the next word.
"""
from __future__ import annotations

import numpy as np

from .._checks import (
    as_float_array,
    check_finite,
    check_ndim,
    check_params,
    check_positive_int,
    check_shape,
    check_time_steps,
    fmt_shape,
    check_real_number,
    told_as,
)
from ..activations import sigmoid
from ..losses import output_layer_backward, output_layer_forward, sigmoid_cross_entropy
from ..rnn import rnn_backward, rnn_states_forward
from .text import Vocabulary, one_hot

__all__ = [
    "FIRST_NAMES",
    "LAST_NAMES",
    "TEMPLATES",
    "make_name_tagging_data",
    "build_vocabulary",
    "encode_tagging",
    "train_name_tagger",
    "as_binary_tagger",
    "binary_tagger_forward",
    "binary_tagger_loss",
    "tag_probabilities",
    "format_tagged",
]

FIRST_NAMES = ("harry", "hermione", "ron", "teddy", "ada", "alan", "marie", "grace", "albert", "isaac",
               "nelson", "frida", "jane", "charles", "rosa", "amelia", "nikola", "katherine")
LAST_NAMES = ("potter", "granger", "weasley", "roosevelt", "lovelace", "turing", "curie", "hopper",
              "einstein", "newton", "mandela", "kahlo", "austen", "darwin", "parks", "earhart", "tesla",
              "johnson")

# Slots: {P} a person (one or two name words, tagged 1); every other word is tagged 0.
_SLOTS = {
    "thing": ("spell", "engine", "machine", "game", "recipe", "telescope", "song", "map"),
    "role": ("president", "scientist", "writer", "painter", "teacher", "pilot", "friend", "leader"),
    "place": ("london", "paris", "the park", "the library", "the station", "school", "the museum"),
    "adj": ("new", "great", "strange", "small", "famous", "broken", "cheap", "old"),
    "pron": ("he", "she", "they", "we"),
    "day": ("yesterday", "today", "on monday", "last week"),
}

#: The sentence templates. "{P}" is a person; the other slots are filled from word lists.
TEMPLATES = (
    "{P} and {P} invented a new {thing}",
    "{pron} said {P} was a great {role}",
    "{P} met {P} in {place}",
    "{day} {P} visited {place}",
    "{pron} said teddy bears are on sale",
    "the teddy bears are on sale in {place}",
    "{pron} said the {thing} was {adj}",
    "president {P} gave a speech in {place}",
    "a letter from {P} arrived {day}",
    "{P} wrote a book about the {adj} {thing}",
    "the {adj} {thing} is in {place}",
    "{pron} saw {P} at {place} {day}",
    "{P} said the {thing} was on sale",
    "{pron} bought a {adj} {thing} for {P}",
)


def _check_seed(where, seed):
    return check_positive_int(where, "seed", seed, minimum=0, maximum=None)


def make_name_tagging_data(n: int, seed: int = 0, p_full_name: float = 0.6):
    """Sentences from ``TEMPLATES`` with the tag of every word (1: part of a person's name).

    Each sentence picks a template uniformly, then fills every slot at random: a person is a first
    name followed, with probability ``p_full_name``, by a last name (both words tagged 1).

    Parameters
    ----------
    n : int >= 1, the number of sentences.
    seed : int >= 0, seed of ``np.random.default_rng``: the same seed gives the same sentences.
    p_full_name : float in [0, 1], the chance that a person gets a last name too.

    Returns
    -------
    sentences : list of n lists of str (lower-case word tokens)
    tags : list of n lists of int (0 or 1), tags[i][t] for sentences[i][t]
    """
    where = "make_name_tagging_data"
    n = check_positive_int(where, "n", n)
    seed = _check_seed(where, seed)
    if isinstance(p_full_name, bool) or not isinstance(p_full_name, (int, float, np.floating)) \
            or not 0.0 <= p_full_name <= 1.0:
        raise ValueError(f"{where}: p_full_name must be a number in [0, 1], got {p_full_name!r}")
    rng = np.random.default_rng(seed)
    sentences, tags = [], []
    for _ in range(n):
        template = TEMPLATES[rng.integers(len(TEMPLATES))]
        words, labels = [], []
        for part in template.split():
            if part == "{P}":
                words.append(FIRST_NAMES[rng.integers(len(FIRST_NAMES))])
                labels.append(1)
                if rng.random() < p_full_name:
                    words.append(LAST_NAMES[rng.integers(len(LAST_NAMES))])
                    labels.append(1)
            elif part.startswith("{"):
                choices = _SLOTS[part[1:-1]]
                filler = choices[rng.integers(len(choices))].split()
                words.extend(filler)
                labels.extend([0] * len(filler))
            else:
                words.append(part)
                labels.append(0)
        sentences.append(words)
        tags.append(labels)
    return sentences, tags


def build_vocabulary() -> Vocabulary:
    """The vocabulary of every word the templates can produce, alphabetical, with <PAD> (index 0).

    It does not depend on which sentences were drawn, so a model trained on any seed reads the
    same one-hot columns.
    """
    words = set(FIRST_NAMES) | set(LAST_NAMES)
    for template in TEMPLATES:
        words.update(w for w in template.split() if not w.startswith("{"))
    for choices in _SLOTS.values():
        for choice in choices:
            words.update(choice.split())
    return Vocabulary(sorted(words), pad=True)


def _check_vocab(where, vocab):
    if not isinstance(vocab, Vocabulary) or vocab.pad_index is None:
        raise ValueError(f"{where}: vocab must be a Vocabulary with <PAD> (e.g. build_vocabulary()), "
                         f"got {vocab!r:.60}")


@told_as("encode_tagging", {"sequences": "sentences"})
def encode_tagging(sentences, tags, vocab):
    """One-hot inputs, integer targets and the mask of real steps, for a batch of tagged sentences.

    Parameters
    ----------
    sentences : list of m lists of str
    tags : list of m lists of int in {0, 1}, each as long as its sentence (or None: targets all 0)
    vocab : Vocabulary with <PAD>

    Returns
    -------
    x : ndarray (n_x, m, T_x), one-hot words; padded steps are all-zero columns
    y : ndarray (m, T_x) of int, the tags (0 at padded steps)
    mask : ndarray (m, T_x) of 0.0 / 1.0, 1 at the real words
    """
    where = "encode_tagging"
    _check_vocab(where, vocab)
    indices, mask = vocab.encode_batch(sentences)
    m, T = indices.shape
    y = np.zeros((m, T), dtype=np.int64)
    if tags is not None:
        if not isinstance(tags, (list, tuple)) or len(tags) != m:
            raise ValueError(f"{where}: tags must be a list of m = {m} tag lists, one per sentence, "
                             f"got {type(tags).__name__} of length {len(tags) if hasattr(tags, '__len__') else '?'}")
        for i, (words, labels) in enumerate(zip(sentences, tags)):
            if len(labels) != len(words):
                raise ValueError(f"{where}: tags[{i}] must have one tag per word ({len(words)}), got {len(labels)}")
            if any(label not in (0, 1) for label in labels):
                raise ValueError(f"{where}: tags[{i}] must hold only 0 or 1, got {list(labels)}")
            y[i, :len(labels)] = labels
    x = one_hot(indices, len(vocab)) * mask[None]
    return x, y, mask


@told_as("train_name_tagger")
def train_name_tagger(n_train: int = 400, n_a: int = 16, epochs: int = 25, batch_size: int = 32,
                      learning_rate: float = 0.02, seed: int = 0) -> dict:
    """Generate data, then train the tagger with ``helpers.training.fit`` (two-class softmax).

    Parameters
    ----------
    n_train : int >= 1, training sentences (``make_name_tagging_data`` with ``seed``).
    n_a : int >= 1, hidden units.
    epochs, batch_size : passed to ``fit``.
    learning_rate : float > 0, of the Adam optimiser.
    seed : int >= 0, seeds the data, the initial weights and the shuffling.

    Returns
    -------
    dict with
        model : the trained model of ``helpers.training`` (Wax, Waa, ba, Wy (2, n_a), by (2, 1))
        initial : the model before training (same keys)
        history : ndarray (epochs,), mean loss per sentence after each epoch
        vocab : Vocabulary (``build_vocabulary()``)
        sentences, tags : the training data
    """
    from ..optim import Adam
    from ..training import fit, init_model

    where = "train_name_tagger"
    n_train = check_positive_int(where, "n_train", n_train)
    n_a = check_positive_int(where, "n_a", n_a)
    seed = _check_seed(where, seed)
    vocab = build_vocabulary()
    sentences, tags = make_name_tagging_data(n_train, seed=seed)
    x, y, mask = encode_tagging(sentences, tags, vocab)
    initial = init_model("rnn", len(vocab), n_a, 2, seed=seed)
    model, history = fit(initial, x, y, "rnn", epochs=epochs, optimizer=Adam(learning_rate),
                         batch_size=batch_size, readout="every", mask=mask, seed=seed)
    return {"model": model, "initial": initial, "history": history, "vocab": vocab,
            "sentences": sentences, "tags": tags}


def as_binary_tagger(model: dict) -> dict:
    """The one-output-unit form of a two-class tagger: sigmoid(Wya @ a + by) = softmax(Wy @ a + by)[1].

    Parameters
    ----------
    model : dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wy (2, n_a), by (2, 1)
        (a model of ``helpers.training`` with n_y = 2).

    Returns
    -------
    parameters : dict with Wax, Waa, ba (copies), Wya = Wy[1] - Wy[0] (1, n_a), by = by[1] - by[0] (1, 1)
    """
    where = "as_binary_tagger"
    Wax = check_params(where, model, {"Wax": ((None, None), "(n_a, n_x)")}, what="model")["Wax"]
    n_a, n_x = Wax.shape
    p = check_params(where, model, {
        "Wax": ((n_a, n_x), "(n_a, n_x)"),
        "Waa": ((n_a, n_a), "(n_a, n_a)"),
        "ba": ((n_a, 1), "(n_a, 1)"),
        "Wy": ((2, n_a), "(2, n_a)"),
        "by": ((2, 1), "(2, 1)"),
    }, what="model")
    return {"Wax": p["Wax"].copy(), "Waa": p["Waa"].copy(), "ba": p["ba"].copy(),
            "Wya": p["Wy"][1:2] - p["Wy"][0:1], "by": p["by"][1:2] - p["by"][0:1]}


def _binary_params(where, parameters):
    Wax = check_params(where, parameters, {"Wax": ((None, None), "(n_a, n_x)")})["Wax"]
    n_a, n_x = Wax.shape
    return check_params(where, parameters, {
        "Wax": ((n_a, n_x), "(n_a, n_x)"),
        "Waa": ((n_a, n_a), "(n_a, n_a)"),
        "ba": ((n_a, 1), "(n_a, 1)"),
        "Wya": ((1, n_a), "(1, n_a)"),
        "by": ((1, 1), "(1, 1)"),
    })


@told_as("binary_tagger_forward")
def binary_tagger_forward(parameters: dict, x):
    """Hidden states and name probabilities of the one-unit tagger.

        a<t> = tanh(Waa @ a<t-1> + Wax @ x<t> + ba), a<0> = 0;    y_hat<t> = sigmoid(Wya @ a<t> + by)

    Parameters
    ----------
    parameters : dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (1, n_a), by (1, 1)
    x : ndarray (n_x, m, T_x)

    Returns
    -------
    a : ndarray (n_a, m, T_x)
    y_hat : ndarray (1, m, T_x), each entry in (0, 1)
    """
    where = "binary_tagger_forward"
    p = _binary_params(where, parameters)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    n_a = p["Waa"].shape[0]
    a, _ = rnn_states_forward(x, np.zeros((n_a, x.shape[1])), p)
    z = output_layer_forward(a, p["Wya"], p["by"], kind="sigmoid")
    return a, sigmoid(z)


@told_as("binary_tagger_loss")
def binary_tagger_loss(parameters: dict, x, y, mask=None, keep_state_grads: bool = False):
    """The lecture's loss L = sum_t L<t> (binary cross-entropy per step) and its exact gradients.

    Forward as ``binary_tagger_forward``; backward:

        dz_y<t>  = y_hat<t> - y<t>                                    (sigmoid + cross-entropy)
        dWya     = sum_t dz_y<t> @ a<t>.T,     dby = sum_t dz_y<t>
        da_up<t> = Wya.T @ dz_y<t>                                    (the output layer's share)
        then BPTT (``rnn_backward``) adds Waa.T @ dz<t+1> and gives dWax, dWaa, dba.

    Parameters
    ----------
    parameters : dict with Wax (n_a, n_x), Waa (n_a, n_a), ba (n_a, 1), Wya (1, n_a), by (1, 1)
    x : ndarray (n_x, m, T_x), one-hot words
    y : ndarray (m, T_x) of 0 / 1 (or (1, m, T_x)), the tags
    mask : ndarray (m, T_x) of 0 / 1, optional; steps with 0 (padding) add nothing
    keep_state_grads : bool, also return the per-step gradients (for the backward stepper)

    Returns
    -------
    loss : float, summed over steps and examples
    grads : dict dWax, dWaa, dba, dWya, dby; with ``keep_state_grads`` also
        da_up (n_a, m, T_x), the output layer's gradient into a<t>;
        da_steps (n_a, m, T_x), the total dL/da<t>;
        loss_per_step (T_x,), L<t> summed over the examples;
        a (n_a, m, T_x) and y_hat (1, m, T_x), the forward values
    """
    where = "binary_tagger_loss"
    p = _binary_params(where, parameters)
    x = as_float_array(where, "x", x)
    check_ndim(where, "x", x, 3, "(n_x, m, T_x)")
    check_time_steps(where, "x", x)
    _, m, T = x.shape
    y = as_float_array(where, "y", y)
    if y.ndim == 2:
        y = y[None]
    check_shape(where, "y", y, (1, m, T), "(m, T_x)", f"to match x {fmt_shape(x.shape)}")
    check_finite(where, "y", y)
    if not isinstance(keep_state_grads, (bool, np.bool_)):
        raise ValueError(f"{where}: keep_state_grads must be True or False, got {keep_state_grads!r}")
    n_a = p["Waa"].shape[0]
    a, caches = rnn_states_forward(x, np.zeros((n_a, m)), p)
    z = output_layer_forward(a, p["Wya"], p["by"], kind="sigmoid")
    loss, dz, per_step = sigmoid_cross_entropy(z, y, mask=mask, reduction="sum", per_step=True)
    dWya, dby, da_up = output_layer_backward(dz, a, p["Wya"])
    g = rnn_backward(da_up, caches, keep_state_grads=keep_state_grads)
    grads = {"dWax": g["dWax"], "dWaa": g["dWaa"], "dba": g["dba"], "dWya": dWya, "dby": dby}
    if keep_state_grads:
        grads.update(da_up=da_up, da_steps=g["da_steps"], loss_per_step=per_step, a=a, y_hat=sigmoid(z))
    return loss, grads


@told_as("tag_probabilities")
def tag_probabilities(parameters: dict, vocab, tokens) -> np.ndarray:
    """P(name) for every word of one sentence, from the one-unit tagger.

    parameters : dict of ``as_binary_tagger``;  vocab : Vocabulary;  tokens : list of T_x str.
    Returns ndarray (T_x,) of probabilities (unknown words are read as "<UNK>").
    """
    where = "tag_probabilities"
    _check_vocab(where, vocab)
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)) or not all(isinstance(t, str) for t in tokens):
        raise ValueError(f"{where}: tokens must be a list of str (the words of one sentence), got {tokens!r:.60}")
    x, _, _ = encode_tagging([list(tokens)], None, vocab)
    _, y_hat = binary_tagger_forward(parameters, x)
    return y_hat[0, 0]


def format_tagged(tokens, probabilities, threshold: float = 0.5, decimals: int = 2) -> str:
    """One line: every word with its P(name), names in brackets, e.g. "[harry 0.97] and 0.02".

    tokens : list of T_x str;  probabilities : array (T_x,);  threshold : a word with P >= threshold
    is bracketed;  decimals : digits printed.
    """
    where = "format_tagged"
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
        raise ValueError(f"{where}: tokens must be a list of str, got {tokens!r:.60}")
    threshold = check_real_number(where, "threshold", threshold, 0.0, 1.0)
    probabilities = as_float_array(where, "probabilities", probabilities)
    check_finite(where, "probabilities", probabilities)
    check_shape(where, "probabilities", probabilities, (len(tokens),), "(T_x,)",
                f"to match the {len(tokens)} tokens")
    decimals = check_positive_int(where, "decimals", decimals, minimum=0)
    parts = []
    for word, p in zip(tokens, probabilities):
        shown = f"{word} {p:.{decimals}f}"
        parts.append(f"[{shown}]" if p >= threshold else shown)
    return "  ".join(parts)
