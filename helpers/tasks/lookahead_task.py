"""Name or not? A tagging task in which the answer for a word is decided by the NEXT word.

The lecture's example: in "he said teddy roosevelt was a great president" the word "teddy" is part of
a person's name; in "he said teddy bears are on sale" it is not. Reading from the left, the two
sentences are the same up to and including "teddy"; only the word after it tells them apart. This
module makes a small data set built around exactly that situation, so that a unidirectional and a
bidirectional network can be compared on it.

Every sentence is a frame ("{P} saw {X} yesterday", "{X} arrived today", ...) whose slot {X} holds one
phrase, and whose {P} is a pronoun. A phrase is one of

    ambiguous word + surname      "teddy roosevelt"     tags 1 1     (a person)
    ambiguous word + its noun     "teddy bears"         tags 0 0     (a thing)
    first name (+ surname)        "ada" / "ada turing"  tags 1 (1)   (a person, never ambiguous)
    "the" + noun                  "the maps"            tags 0 0

Each ambiguous word (``AMBIGUOUS``) is a real first name that is also an ordinary word, and comes with
one noun of its own ("teddy bears", "grace notes", "rose petals", ...). Its two readings are equally
likely and the frame is drawn independently of the reading, so

    P(tag of the ambiguous word = 1 | every word up to and including it) = 1/2

exactly: a model that reads only the past can do no better than a coin at these positions (on
average 50 % of them right), while the next word (a surname or the word's own noun) decides the tag
with certainty. Every other word's tag is decided by the word itself (surnames and the
unambiguous first names are always names; everything else never is).

Besides the tags, every word gets a *role*, used to break the errors down:

    "ambiguous"   an ambiguous word (its tag needs the next word)
    "surname"     a surname (tag 1)
    "first name"  an unambiguous first name (tag 1)
    "other"       every other word (tag 0)

The sentences are drawn from ``np.random.default_rng(seed)``; the same seed gives the same data.
``encode_lookahead`` turns them into the arrays of the rest of the course: one-hot inputs
x (n_x, m, T_x) over ``lookahead_vocabulary()`` (with <PAD> at index 0), integer tags y (m, T_x) and
the mask of real words (m, T_x).
"""
from __future__ import annotations

import numpy as np

from .._checks import check_positive_int
from .text import Vocabulary, one_hot

__all__ = [
    "AMBIGUOUS",
    "SURNAMES",
    "FIRST_NAMES",
    "NOUNS",
    "PRONOUNS",
    "FRAMES",
    "ROLES",
    "make_lookahead_data",
    "lookahead_vocabulary",
    "encode_lookahead",
]

#: Ambiguous word -> the noun that makes it an ordinary word ("teddy bears"); before a surname it is a name.
AMBIGUOUS = {
    "teddy": "bears",
    "grace": "notes",
    "rose": "petals",
    "jack": "rabbits",
    "amber": "beads",
    "ruby": "rings",
    "april": "showers",
    "summer": "storms",
}
#: Always part of a name.
SURNAMES = ("roosevelt", "hopper", "kelly", "turing", "curie", "lovelace", "darwin", "austen")
#: First names that are never ordinary words.
FIRST_NAMES = ("ada", "alan", "marie", "isaac")
#: Nouns of the "the + noun" phrases (never names).
NOUNS = ("books", "trains", "songs", "maps")
PRONOUNS = ("he", "she", "they", "we")
#: Sentence frames: {X} is a phrase, {P} a pronoun.
FRAMES = (
    "{X} arrived today",
    "{P} saw {X} yesterday",
    "{P} talked about {X}",
    "yesterday {X} arrived",
    "{P} wrote about {X} last week",
    "{P} said {X} arrived",
    "{X} and {X} arrived today",
)
ROLES = ("ambiguous", "surname", "first name", "other")


def _check_probability(where, name, value):
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"{where}: {name} must be a number in [0, 1], got {value!r}")
    return float(value)


def _phrase(rng, p_ambiguous, p_name):
    """One phrase as parallel lists (words, tags, roles)."""
    if rng.random() < p_ambiguous:
        word = list(AMBIGUOUS)[rng.integers(len(AMBIGUOUS))]
        if rng.random() < p_name:
            return [word, SURNAMES[rng.integers(len(SURNAMES))]], [1, 1], ["ambiguous", "surname"]
        return [word, AMBIGUOUS[word]], [0, 0], ["ambiguous", "other"]
    if rng.random() < 0.5:
        first = FIRST_NAMES[rng.integers(len(FIRST_NAMES))]
        if rng.random() < 0.5:
            return [first], [1], ["first name"]
        return [first, SURNAMES[rng.integers(len(SURNAMES))]], [1, 1], ["first name", "surname"]
    return ["the", NOUNS[rng.integers(len(NOUNS))]], [0, 0], ["other", "other"]


def make_lookahead_data(n: int, seed: int = 0, p_ambiguous: float = 0.6, p_name: float = 0.5):
    """Draw n tagged sentences of the name-or-not task (see the module docstring).

    Each sentence picks a frame uniformly; each {P} gets a pronoun; each {X} independently becomes an
    ambiguous phrase with probability ``p_ambiguous`` (read as a person with probability ``p_name``,
    else as a thing), otherwise with equal chances a person with an unambiguous first name (with or
    without a surname, 50/50) or "the" + a noun.

    Parameters
    ----------
    n : int >= 1
        The number of sentences.
    seed : int >= 0
        Seed of np.random.default_rng: the same seed gives the same sentences.
    p_ambiguous : float in [0, 1]
        Chance that a phrase starts with an ambiguous word.
    p_name : float in [0, 1]
        Chance that an ambiguous word is followed by a surname (and so is a name).

    Returns
    -------
    sentences : list of n lists of str
    tags : list of n lists of int, 1 for a word that is part of a person's name, else 0
    roles : list of n lists of str, each word's role, one of ``ROLES``
    """
    where = "make_lookahead_data"
    n = check_positive_int(where, "n", n)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    p_ambiguous = _check_probability(where, "p_ambiguous", p_ambiguous)
    p_name = _check_probability(where, "p_name", p_name)
    rng = np.random.default_rng(seed)
    sentences, tags, roles = [], [], []
    for _ in range(n):
        frame = FRAMES[rng.integers(len(FRAMES))]
        words, labels, kinds = [], [], []
        for part in frame.split():
            if part == "{X}":
                w, t, r = _phrase(rng, p_ambiguous, p_name)
            elif part == "{P}":
                w, t, r = [PRONOUNS[rng.integers(len(PRONOUNS))]], [0], ["other"]
            else:
                w, t, r = [part], [0], ["other"]
            words += w
            labels += t
            kinds += r
        sentences.append(words)
        tags.append(labels)
        roles.append(kinds)
    return sentences, tags, roles


def lookahead_vocabulary() -> Vocabulary:
    """Every word the task can produce, alphabetical, with <PAD> at index 0 (then <UNK>, <EOS>).

    Independent of the drawn sentences, so models trained on any seed read the same one-hot rows.
    """
    words = set(AMBIGUOUS) | set(AMBIGUOUS.values()) | set(SURNAMES) | set(FIRST_NAMES) | set(NOUNS)
    words |= set(PRONOUNS) | {"the"}
    for frame in FRAMES:
        words.update(w for w in frame.split() if not w.startswith("{"))
    return Vocabulary(sorted(words), pad=True)


def encode_lookahead(sentences, tags, roles, vocab=None) -> dict:
    """The arrays of a batch of tagged sentences, padded to the longest one.

    Parameters
    ----------
    sentences : list of m lists of str
    tags : list of m lists of int in {0, 1}, one per word
    roles : list of m lists of str in ``ROLES``, one per word
    vocab : Vocabulary with <PAD>, default ``lookahead_vocabulary()``

    Returns
    -------
    dict with
        x : ndarray (n_x, m, T_x), one-hot words; padded steps are all-zero columns
        y : ndarray (m, T_x) of int, the tags (0 at padding)
        mask : ndarray (m, T_x) of 0.0 / 1.0, 1 at the real words
        lengths : ndarray (m,) of int, the number of words of each sentence
        roles : ndarray (m, T_x) of int, the index of each word's role in ``ROLES`` (-1 at padding)
        tokens : list of m lists of str (the sentences)
        vocab : the Vocabulary used
    """
    where = "encode_lookahead"
    vocab = lookahead_vocabulary() if vocab is None else vocab
    if not isinstance(vocab, Vocabulary) or vocab.pad_index is None:
        raise ValueError(f"{where}: vocab must be a Vocabulary with <PAD> (e.g. lookahead_vocabulary()), "
                         f"got {vocab!r:.60}")
    if isinstance(sentences, str) or not isinstance(sentences, (list, tuple)) or not sentences:
        raise ValueError(f"{where}: sentences must be a non-empty list of word lists, got {sentences!r:.60}")
    m = len(sentences)
    for name, per_word in (("tags", tags), ("roles", roles)):
        if not isinstance(per_word, (list, tuple)) or len(per_word) != m:
            got = f"{type(per_word).__name__} of length {len(per_word)}" if hasattr(per_word, "__len__") \
                else type(per_word).__name__
            raise ValueError(f"{where}: {name} must be a list of m = {m} lists, one per sentence, got {got}")
    unknown = sorted({w for s in sentences for w in s if w not in vocab.stoi})
    if unknown:
        raise ValueError(f"{where}: every word must be in vocab, got unknown word(s) "
                         f"{', '.join(repr(w) for w in unknown[:5])}")
    indices, mask = vocab.encode_batch([list(s) for s in sentences])
    T = indices.shape[1]
    y = np.zeros((m, T), dtype=np.int64)
    role_ids = np.full((m, T), -1, dtype=np.int64)
    for i, (words, labels, kinds) in enumerate(zip(sentences, tags, roles)):
        if len(labels) != len(words) or len(kinds) != len(words):
            raise ValueError(f"{where}: tags[{i}] and roles[{i}] must have one entry per word ({len(words)}), "
                             f"got {len(labels)} and {len(kinds)}")
        if any(label not in (0, 1) for label in labels):
            raise ValueError(f"{where}: tags[{i}] must hold only 0 or 1, got {list(labels)}")
        bad = [k for k in kinds if k not in ROLES]
        if bad:
            raise ValueError(f"{where}: roles[{i}] must hold roles from {ROLES}, got {bad[0]!r}")
        y[i, :len(labels)] = labels
        role_ids[i, :len(kinds)] = [ROLES.index(k) for k in kinds]
    x = one_hot(indices, len(vocab)) * mask[None]
    return {"x": x, "y": y, "mask": mask, "lengths": mask.sum(axis=1).astype(np.int64), "roles": role_ids,
            "tokens": [list(s) for s in sentences], "vocab": vocab}
