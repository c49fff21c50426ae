"""Text as numbers: tokens, a vocabulary, one-hot vectors.

A sentence is cut into tokens (words, or characters for a character-level model), and the t-th token
becomes the input x<t> of step t. Each token gets an index in a vocabulary of size n_x (the lecture
uses n_x = 10,000 words), and x<t> is the one-hot column of that index:

    x<t>_j = 1 if j == index(token<t>) else 0,        j = 0, ..., n_x - 1

so every column sums to 1 and argmax_j x<t>_j gives the index back. A sequence of T_x tokens is a
matrix X of shape (n_x, T_x); a batch of m sequences is (n_x, m, T_x): time is the last axis, as
everywhere in the course.

Special tokens (they always come first, so their indices do not depend on the vocabulary size):

    <PAD>   optional; index 0 when present, fills short sequences up to a common length
    <UNK>   stands for every token that is not in the vocabulary (encode never fails on a new word)
    <EOS>   marks the end of a sentence, so a language model can learn where sentences stop

The ordinary tokens are the k most frequent ones of a corpus; equal counts are ordered
alphabetically, so the same corpus always gives the same vocabulary. Because of that ordering, the
vocabulary for k is exactly the first entries of the vocabulary for any larger k.
"""
from __future__ import annotations

import re
from collections import Counter

import numpy as np

from .._checks import check_choice, check_entries, check_positive_int, told_as

__all__ = [
    "UNK",
    "EOS",
    "PAD",
    "tokenize_words",
    "tokenize_chars",
    "Vocabulary",
    "one_hot",
]

UNK = "<UNK>"
EOS = "<EOS>"
PAD = "<PAD>"

# A number (digits, possibly with inner "." or "," such as 3.5 or 10,000), a word (letters/digits,
# possibly with inner apostrophes such as don't), or any other single non-space character (punctuation).
_TOKEN = re.compile(r"\d+(?:[.,]\d+)+|[^\W_]+(?:['’][^\W_]+)*|[^\w\s]|_")
_WORDLIKE = re.compile(r"[^\W_]")


def _check_str(where: str, name: str, value) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{where}: {name} must be a str, got {type(value).__name__} ({value!r:.60})")
    return value


def _check_bool(where: str, name: str, value) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{where}: {name} must be True or False, got {value!r}")
    return bool(value)


def tokenize_words(text: str, *, punctuation: str = "keep", eos: bool = False, lower: bool = True) -> list:
    """Split a text into lower-case word tokens.

    Words are runs of letters and digits, so "15" is a token of its own; an apostrophe inside a word
    keeps it whole ("don't"); a number may hold inner "." or "," ("3.5", "10,000"). Every other
    non-space character (".", ",", "!", "-", ...) is a punctuation token of its own.

    Parameters
    ----------
    text : str
    punctuation : {"keep", "drop"}
        "keep" returns punctuation marks as tokens; "drop" removes them (the lecture's choice for
        its language model, which then ends the sentence with <EOS> instead of ".").
    eos : bool
        Append the end-of-sentence token "<EOS>".
    lower : bool
        Lower-case the text first (default), so "Cats" and "cats" are one token.

    Returns
    -------
    tokens : list of str, length T_x

    Example: tokenize_words("Cats average 15 hours of sleep a day.", punctuation="drop", eos=True)
    -> ['cats', 'average', '15', 'hours', 'of', 'sleep', 'a', 'day', '<EOS>']
    """
    where = "tokenize_words"
    _check_str(where, "text", text)
    check_choice(where, "punctuation", punctuation, ("keep", "drop"))
    eos = _check_bool(where, "eos", eos)
    lower = _check_bool(where, "lower", lower)
    if lower:
        text = text.lower()
    tokens = _TOKEN.findall(text)
    if punctuation == "drop":
        tokens = [tok for tok in tokens if _WORDLIKE.search(tok)]
    if eos:
        tokens.append(EOS)
    return tokens


def tokenize_chars(text: str, *, lower: bool = True, eos: bool = False) -> list:
    """Split a text into character tokens (spaces, punctuation and newlines included).

    Parameters
    ----------
    text : str
    lower : bool
        Lower-case the text first (default), which keeps a character vocabulary small.
    eos : bool
        Append "<EOS>" after the last character.

    Returns
    -------
    tokens : list of str, one character each (plus "<EOS>"), length T_x
    """
    where = "tokenize_chars"
    _check_str(where, "text", text)
    lower = _check_bool(where, "lower", lower)
    eos = _check_bool(where, "eos", eos)
    tokens = list(text.lower() if lower else text)
    if eos:
        tokens.append(EOS)
    return tokens


def _check_token_list(where: str, name: str, tokens) -> list:
    """A list/tuple of str tokens (a bare str is refused: it would be read one character at a time)."""
    if isinstance(tokens, str):
        raise ValueError(f"{where}: {name} must be a list of str tokens, got a str ({tokens!r:.60}); "
                         f"split it first with tokenize_words or tokenize_chars")
    if isinstance(tokens, np.ndarray):
        tokens = tokens.tolist()
    if not isinstance(tokens, (list, tuple)):
        raise ValueError(f"{where}: {name} must be a list of str tokens, got {type(tokens).__name__}")
    for pos, tok in enumerate(tokens):
        if not isinstance(tok, str):
            raise ValueError(f"{where}: {name}[{pos}] must be a str token, got {type(tok).__name__} ({tok!r:.60})")
    return list(tokens)


def _check_indices(where: str, name: str, indices, size: int, size_name: str) -> np.ndarray:
    """Integer array with every entry in [0, size); names the first bad entry and its position."""
    arr = np.asarray(indices)
    if arr.size == 0:
        return np.zeros(arr.shape, dtype=np.int64)
    if arr.dtype == np.bool_ or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"{where}: {name} must hold integer indices, got dtype {arr.dtype}")
    bad = (arr < 0) | (arr >= size)
    if bad.any():
        first = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{where}: {name} must lie in [0, {size_name}) = [0, {size}), "
                         f"got index {int(arr[first])} at position {first} ({int(bad.sum())} out of range)")
    return arr.astype(np.int64, copy=False)


class Vocabulary:
    """A fixed list of tokens, with token -> index and index -> token.

    Index order: the special tokens first ("<PAD>" if ``pad``, then "<UNK>", "<EOS>"), then the
    ordinary tokens in the order given.

    Parameters
    ----------
    tokens : list of str
        The ordinary tokens, in index order, without duplicates. Usually built with
        ``Vocabulary.from_tokens`` or ``Vocabulary.from_text`` instead.
    pad : bool
        Include "<PAD>" (index 0), needed by ``encode_batch``.
    counts : dict token -> int, optional
        How often each token occurred in the corpus the vocabulary came from (kept for inspection).

    Attributes
    ----------
    itos : list of str, index -> token (length ``len(self)``)
    stoi : dict str -> int, token -> index
    unk_index, eos_index : int; pad_index : int or None
    counts : collections.Counter of the corpus tokens (all of them, also those left out)
    """

    def __init__(self, tokens, *, pad: bool = False, counts=None):
        where = "Vocabulary"
        tokens = _check_token_list(where, "tokens", tokens)
        pad = _check_bool(where, "pad", pad)
        specials = ([PAD] if pad else []) + [UNK, EOS]
        clash = [tok for tok in tokens if tok in specials]
        if clash:
            raise ValueError(f"{where}: tokens must not contain the special tokens {', '.join(specials)} "
                             f"(they are added automatically), got {clash[0]!r}")
        seen = set()
        for pos, tok in enumerate(tokens):
            if tok in seen:
                raise ValueError(f"{where}: tokens must be distinct, got {tok!r} twice (again at position {pos})")
            seen.add(tok)
        self.specials = tuple(specials)
        self.itos = list(specials) + tokens
        self.stoi = {tok: i for i, tok in enumerate(self.itos)}
        self.unk_index = self.stoi[UNK]
        self.eos_index = self.stoi[EOS]
        self.pad_index = self.stoi[PAD] if pad else None
        self.counts = Counter(counts or {})

    # -- building ----------------------------------------------------------------------------------
    @classmethod
    def from_tokens(cls, sequences, k=None, *, order: str = "frequency", pad: bool = False) -> "Vocabulary":
        """Vocabulary of the k most frequent tokens of a tokenised corpus.

        Parameters
        ----------
        sequences : list of str (one token sequence) or list of lists of str (several)
            The corpus, already tokenised. Special tokens in it (e.g. "<EOS>" appended by the
            tokenizer) are not counted: they are always in the vocabulary anyway.
        k : int >= 1 or None
            How many ordinary tokens to keep (None: all). Ties in frequency are broken
            alphabetically, so the choice is deterministic. The vocabulary then has
            k + 2 entries (k + 3 with ``pad``), or fewer if the corpus has fewer distinct tokens.
        order : {"frequency", "alphabetical"}
            Index order of the kept tokens: most frequent first (ties alphabetical), or
            alphabetical like a dictionary (the lecture's "a", "aaron", ..., "zulu").
        pad : bool
            Include "<PAD>".

        Returns
        -------
        Vocabulary
        """
        where = "Vocabulary.from_tokens"
        if isinstance(sequences, (list, tuple)) and sequences and all(isinstance(s, str) for s in sequences):
            sequences = [sequences]
        if isinstance(sequences, str) or not isinstance(sequences, (list, tuple)):
            raise ValueError(f"{where}: sequences must be a list of str tokens or a list of such lists, "
                             f"got {type(sequences).__name__}")
        if k is not None:
            k = check_positive_int(where, "k", k)
        check_choice(where, "order", order, ("frequency", "alphabetical"))
        counts = Counter()
        for i, seq in enumerate(sequences):
            seq = _check_token_list(where, f"sequences[{i}]", seq)
            counts.update(tok for tok in seq if tok not in (PAD, UNK, EOS))
        if not counts:
            raise ValueError(f"{where}: sequences must hold at least one ordinary token, got an empty corpus "
                             f"({len(sequences)} sequence(s), no token other than the special ones)")
        ranked = sorted(counts, key=lambda tok: (-counts[tok], tok))
        kept = ranked if k is None else ranked[:k]
        if order == "alphabetical":
            kept = sorted(kept)
        return cls(kept, pad=pad, counts=counts)

    @classmethod
    def from_text(cls, texts, k=None, *, level: str = "word", punctuation: str = "drop",
                  order: str = "frequency", pad: bool = False, lower: bool = True) -> "Vocabulary":
        """Tokenise raw text(s) and build the vocabulary of the k most frequent tokens.

        Parameters
        ----------
        texts : str or list of str
        k : int >= 1 or None
        level : {"word", "char"}
            Word tokens (``tokenize_words``) or character tokens (``tokenize_chars``).
        punctuation : {"drop", "keep"}
            For word level: leave punctuation out of the vocabulary (default) or count it as tokens.
        order, pad : see ``from_tokens``.
        lower : bool, lower-case first (default).
        """
        where = "Vocabulary.from_text"
        if isinstance(texts, str):
            texts = [texts]
        if not isinstance(texts, (list, tuple)) or not texts:
            raise ValueError(f"{where}: texts must be a str or a non-empty list of str, got {texts!r:.60}")
        check_choice(where, "level", level, ("word", "char"))
        seqs = []
        for i, text in enumerate(texts):
            _check_str(where, f"texts[{i}]", text)
            if level == "word":
                seqs.append(tokenize_words(text, punctuation=punctuation, lower=lower))
            else:
                seqs.append(tokenize_chars(text, lower=lower))
        if not any(seqs):
            raise ValueError(f"{where}: texts must hold at least one token, got an empty corpus")
        with told_as(where, {"sequences": "texts"}):
            return cls.from_tokens(seqs, k, order=order, pad=pad)

    # -- look-ups ----------------------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.itos)

    def __contains__(self, token) -> bool:
        return token in self.stoi

    def __iter__(self):
        return iter(self.itos)

    def __repr__(self) -> str:
        head = ", ".join(self.itos[:8]) + (", ..." if len(self) > 8 else "")
        return f"Vocabulary({len(self)} tokens: {head})"

    def index(self, token: str) -> int:
        """Index of one token; a token that is not in the vocabulary gives the index of "<UNK>"."""
        _check_str("Vocabulary.index", "token", token)
        return self.stoi.get(token, self.unk_index)

    def token(self, index) -> str:
        """The token at one index; raises ValueError outside [0, len(self))."""
        if isinstance(index, (bool, np.bool_)) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"Vocabulary.token: index must be an int, got {type(index).__name__} ({index!r:.60})")
        if not 0 <= index < len(self):
            raise ValueError(f"Vocabulary.token: index must lie in [0, len(vocabulary)) = [0, {len(self)}), "
                             f"got {int(index)}")
        return self.itos[int(index)]

    def most_common(self, n=None) -> list:
        """The n most frequent corpus tokens as (token, count) pairs, ties alphabetical (all if n is None)."""
        if n is not None:
            n = check_positive_int("Vocabulary.most_common", "n", n)
        ranked = sorted(self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return ranked if n is None else ranked[:n]

    # -- encoding ----------------------------------------------------------------------------------
    def encode(self, tokens) -> np.ndarray:
        """Indices of a token sequence; tokens not in the vocabulary map to the "<UNK>" index.

        tokens : list of str, length T_x.  Returns ndarray of int64, shape (T_x,).
        """
        tokens = _check_token_list("Vocabulary.encode", "tokens", tokens)
        unk = self.unk_index
        return np.array([self.stoi.get(tok, unk) for tok in tokens], dtype=np.int64)

    def decode(self, indices) -> list:
        """Tokens of an index sequence: indices (T,) of int -> list of T str.

        An index outside [0, len(self)) raises ValueError naming it and the vocabulary size.
        """
        arr = _check_indices("Vocabulary.decode", "indices", indices, len(self), "len(vocabulary)")
        if arr.ndim != 1:
            raise ValueError(f"Vocabulary.decode: indices must be 1-D (T,), got shape {arr.shape}")
        return [self.itos[i] for i in arr.tolist()]

    def unknown(self, tokens) -> list:
        """The positions and tokens of ``tokens`` that encode maps to "<UNK>": list of (t, token).

        A literal "<UNK>" in the input is not counted as an unknown word.
        """
        tokens = _check_token_list("Vocabulary.unknown", "tokens", tokens)
        return [(t, tok) for t, tok in enumerate(tokens) if tok not in self.stoi]

    def encode_batch(self, sequences, length=None):
        """Encode m token sequences into one padded (m, T) index array, plus the mask of real steps.

        Parameters
        ----------
        sequences : list of m lists of str
        length : int >= 1 or None
            T, the common length: longer sequences are cut, shorter ones padded with "<PAD>".
            None: the length of the longest sequence.

        Returns
        -------
        indices : ndarray (m, T) of int64, padded with ``pad_index``
        mask : ndarray (m, T) of float64, 1.0 at real steps and 0.0 at padding (the ``mask`` of
            ``helpers.losses``)

        Requires a vocabulary built with ``pad=True``.
        """
        where = "Vocabulary.encode_batch"
        if self.pad_index is None:
            raise ValueError(f"{where}: this vocabulary has no <PAD> token; build it with pad=True")
        if isinstance(sequences, str) or not isinstance(sequences, (list, tuple)) or not sequences:
            raise ValueError(f"{where}: sequences must be a non-empty list of token lists, got {sequences!r:.60}")
        encoded = [self.encode(_check_token_list(where, f"sequences[{i}]", s)) for i, s in enumerate(sequences)]
        if length is None:
            length = max(len(e) for e in encoded)
            if length == 0:
                raise ValueError(f"{where}: every sequence is empty; there is no time step to encode")
        else:
            length = check_positive_int(where, "length", length)
        indices = np.full((len(encoded), length), self.pad_index, dtype=np.int64)
        mask = np.zeros((len(encoded), length))
        for i, e in enumerate(encoded):
            n = min(len(e), length)
            indices[i, :n] = e[:n]
            mask[i, :n] = 1.0
        return indices, mask


def one_hot(indices, vocab_size: int) -> np.ndarray:
    """One-hot columns of token indices: x<t>_j = 1 if j == indices[t] else 0.

    Parameters
    ----------
    indices : ndarray (T_x,) or (m, T_x) of int, each in [0, vocab_size)
    vocab_size : int >= 1, n_x

    Returns
    -------
    x : ndarray float64, (n_x, T_x) for one sequence or (n_x, m, T_x) for a batch; every column
        x[:, t] (or x[:, i, t]) holds a single 1, at row indices[t] (or indices[i, t]).
    """
    where = "one_hot"
    vocab_size = check_positive_int(where, "vocab_size", vocab_size)
    arr = np.asarray(indices)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{where}: indices must be 1-D (T_x,) or 2-D (m, T_x), "
                         f"got {arr.ndim}-D array of shape {arr.shape}")
    if arr.shape[-1] == 0:
        raise ValueError(f"{where}: indices has T_x = 0 time steps (shape {arr.shape}); "
                         f"a sequence needs at least one step")
    arr = _check_indices(where, "indices", arr, vocab_size, "vocab_size")
    check_entries(where, vocab_size * arr.size, f"vocab_size = {vocab_size} and indices of shape {arr.shape}")
    x = np.zeros((vocab_size,) + arr.shape)
    np.put_along_axis(x, arr[None], 1.0, axis=0)
    return x
