"""Sampling novel sequences from a trained language model, with a temperature.

A language model gives, at every step, a probability for each possible next token. Running it as a
generator means drawing the next token from that distribution and feeding the draw back in:

    x<1> = 0,  a<0> = 0
    for t = 1, 2, ...:
        y_hat<t> = softmax(z<t> / T)                          z<t> = Wy @ h<t> + by, T the temperature
        y<t> ~ y_hat<t>            (np.random.choice(V, p=y_hat<t>); here a seeded Generator's choice)
        stop if y<t> is <EOS>, or when the sequence has max_length tokens
        x<t+1> = one-hot(y<t>)

Temperature. Dividing the scores by T > 0 before the softmax keeps their order but changes how
peaked the distribution is: T = 1 is the model itself, T < 1 sharpens it (T -> 0 always picks the
most likely token), T > 1 flattens it (T -> infinity gives every token the same probability):

    p_k(T) = exp(z_k / T) / sum_j exp(z_j / T)

<UNK> rejection. A word model may draw <UNK>. With ``reject_unk`` every such draw is thrown away and
the token drawn again, as many times as needed. Rejecting and redrawing gives exactly the
distribution with <UNK> removed and the rest renormalised, p_k / (1 - p_UNK) for k != <UNK>.

Details that keep sampling safe: <PAD> is never drawn (it only fills batches; its probability is
set to 0), and the probabilities are divided by their sum in float64 just before every draw, so
rounding can never make them fail ``choice``'s check that they add up to 1. The small matrix products
run with one BLAS thread (``_blas.single_blas_thread``), which is faster for models this size.
"""
from __future__ import annotations

import math

import numpy as np

from .._checks import as_float_array, check_choice, check_finite, check_ndim, check_positive_int, told_as
from .language_model import LanguageModel, _one_blas_thread, initial_state, step, tokenize
from .text import EOS, UNK

__all__ = [
    "temperature_softmax",
    "entropy_bits",
    "encode_prefix",
    "default_max_length",
    "next_token_probabilities",
    "sample",
    "fraction_new",
]


def _check_temperature(where: str, temperature) -> float:
    if isinstance(temperature, (bool, np.bool_)) or not isinstance(temperature, (int, float, np.integer, np.floating)) \
            or not math.isfinite(temperature) or temperature <= 0:
        raise ValueError(f"{where}: temperature must be a finite number > 0 (1 is the model itself, "
                         f"below 1 sharper, above 1 flatter), got {temperature!r}")
    return float(temperature)


def _check_lm(where: str, lm) -> LanguageModel:
    if not isinstance(lm, LanguageModel):
        raise ValueError(f"{where}: lm must be a LanguageModel, got {type(lm).__name__}")
    return lm


def temperature_softmax(z, temperature: float = 1.0) -> np.ndarray:
    """Softmax of the scores divided by the temperature, over axis 0.

        p_k = exp(z_k / T) / sum_j exp(z_j / T)        computed as exp((z_k - max z) / T) / sum

    Parameters
    ----------
    z : ndarray (V,) or (V, m), scores (logits)
    temperature : float > 0

    Returns
    -------
    p : ndarray of the same shape; every column sums to 1. A very small T gives (almost) one-hot
        columns at the largest score, without overflow.
    """
    where = "temperature_softmax"
    temperature = _check_temperature(where, temperature)
    z = as_float_array(where, "z", z)
    if z.ndim not in (1, 2) or z.shape[0] == 0:
        raise ValueError(f"{where}: z must be 1-D (V,) or 2-D (V, m) with V >= 1, got shape {z.shape}")
    if not np.all(np.isfinite(z)):
        raise ValueError(f"{where}: z must hold only finite numbers")
    e = np.exp((z - z.max(axis=0, keepdims=True)) / temperature)
    return e / e.sum(axis=0, keepdims=True)


def entropy_bits(p) -> float:
    """Entropy of a probability vector in bits: H = -sum_k p_k log2 p_k (terms with p_k = 0 add 0).

    p : ndarray (V,), V >= 1, entries >= 0 that sum to 1. A uniform choice among n tokens has
        H = log2 n; a certain one has H = 0.
    """
    where = "entropy_bits"
    p = as_float_array(where, "p", p)
    check_ndim(where, "p", p, 1, "(V,)")
    if p.size == 0:
        raise ValueError(f"{where}: p is empty (shape (0,)); a distribution needs at least one entry")
    check_finite(where, "p", p)
    if p.min() < 0 or abs(p.sum() - 1.0) > 1e-6:
        raise ValueError(f"{where}: p must be a probability vector (entries >= 0 that sum to 1), got entries "
                         f"from {p.min():.4g} to {p.max():.4g} that sum to {p.sum():.6g}")
    nz = p[p > 0]
    return float(-(nz * np.log2(nz)).sum())


def encode_prefix(lm: LanguageModel, prefix, unknown: str = "error") -> list:
    """Tokens of a seed text that a sample should start with.

    Parameters
    ----------
    lm : LanguageModel
    prefix : str (tokenised at the model's level), list of str tokens, or None / "" (no prefix)
    unknown : {"error", "unk"}
        What to do with tokens the vocabulary does not know: "error" raises ValueError listing them
        (the default, so a typo is not silently replaced), "unk" feeds them as <UNK>.

    Returns
    -------
    tokens : list of str, unknown ones replaced by "<UNK>" when unknown="unk"
    """
    where = "encode_prefix"
    check_choice(where, "unknown", unknown, ("error", "unk"))
    if prefix is None or prefix == "":
        return []
    if isinstance(prefix, str):
        tokens = tokenize(prefix, lm.level)[0]
    elif isinstance(prefix, (list, tuple)) and all(isinstance(t, str) for t in prefix):
        tokens = list(prefix)
    else:
        raise ValueError(f"{where}: prefix must be a str or a list of str tokens, got {prefix!r:.60}")
    if EOS in tokens:
        raise ValueError(f"{where}: prefix must not contain <EOS> (the sequence would already be over)")
    unseen = lm.vocab.unknown(tokens)
    if unseen and unknown == "error":
        listed = ", ".join(repr(tok) for _, tok in unseen)
        raise ValueError(f"{where}: prefix {prefix!r:.40} holds token(s) the model's vocabulary does not have: "
                         f"{listed}; remove them, or pass unknown='unk' to feed them as <UNK>")
    return [UNK if tok not in lm.vocab else tok for tok in tokens]


def default_max_length(lm: LanguageModel) -> int:
    """The longest sample ``sample`` draws by default: 30 characters or 20 words."""
    return 30 if lm.level == "char" else 20


def _run_prefix(lm: LanguageModel, tokens: list, m: int):
    """Feed x<1> = 0 and then the prefix tokens; return the scores of the next token and the state."""
    state = initial_state(lm, m)
    z, state = step(lm, None, state)
    for tok in tokens:
        z, state = step(lm, np.full(m, lm.vocab.index(tok)), state)
    return z, state


def _probabilities(lm: LanguageModel, z, temperature: float, reject_unk: bool = False) -> np.ndarray:
    """Sampling distribution(s): temperature softmax, <PAD> (and <UNK> if rejected) set to 0, renormalised."""
    p = temperature_softmax(z, temperature)
    p[lm.vocab.pad_index] = 0.0
    if reject_unk:
        p[lm.vocab.unk_index] = 0.0
    total = p.sum(axis=0, keepdims=True)
    if np.any(total <= 0):
        raise ValueError("the model gives every allowed token probability 0 at this temperature")
    return p / total


@_one_blas_thread
@told_as("next_token_probabilities")
def next_token_probabilities(lm: LanguageModel, prefix=None, temperature: float = 1.0,
                             reject_unk: bool = False, unknown: str = "error") -> np.ndarray:
    """The distribution the sampler draws the next token from, after a prefix.

        p = softmax(z / T) with p[<PAD>] = 0 (and p[<UNK>] = 0 with reject_unk), renormalised,
        where z are the scores after feeding x<1> = 0 and then the prefix tokens.

    Parameters
    ----------
    lm : LanguageModel
    prefix : str, list of str, or None (the first token of a sequence)
    temperature : float > 0
    reject_unk : bool
    unknown : {"error", "unk"}, see ``encode_prefix``

    Returns
    -------
    p : ndarray (V,), indexed like ``lm.vocab``; sums to 1
    """
    where = "next_token_probabilities"
    lm = _check_lm(where, lm)
    temperature = _check_temperature(where, temperature)
    tokens = encode_prefix(lm, prefix, unknown)
    z, _ = _run_prefix(lm, tokens, 1)
    return _probabilities(lm, z[:, 0], temperature, bool(reject_unk))


@_one_blas_thread
def sample(lm: LanguageModel, n: int = 1, *, seed=0, temperature: float = 1.0, max_length=None,
           reject_unk: bool = False, prefix=None, unknown: str = "error", max_rejections: int = 1000) -> dict:
    """Draw n sequences from a language model, feeding every draw back as the next input.

    The n sequences are run side by side (one column each); at every step each unfinished sequence
    draws its token with ``rng.choice(V, p=...)``, in order, from one seeded ``np.random.default_rng``.

    Parameters
    ----------
    lm : LanguageModel
    n : int >= 1, how many sequences
    seed : int >= 0 or None; the same seed gives the same samples (None: fresh randomness)
    temperature : float > 0 (1: the model's own distribution)
    max_length : int >= 1 or None
        Stop a sequence when it has this many tokens (the prefix included, <EOS> not counted);
        default 30 for characters, 20 for words. Such a sequence has ended = False.
    reject_unk : bool
        Throw away every <UNK> that is drawn and draw again.
    prefix : str, list of str or None
        Tokens every sample starts with (they are fed, not drawn); returned as part of each sample.
    unknown : {"error", "unk"}, for prefix tokens the vocabulary does not have (``encode_prefix``)
    max_rejections : int >= 1
        With reject_unk, the most redraws of a single token before giving up with a ValueError (only
        a model that is almost sure of <UNK> gets there).

    Returns
    -------
    dict with
        tokens : list of n lists of str (without <EOS>)
        texts : list of n str (characters joined, or words joined by spaces)
        ended : ndarray (n,) bool, True if the sequence stopped at <EOS>
        n_unk : int, <UNK> tokens in the samples (0 with reject_unk)
        n_rejected : int, draws of <UNK> that were thrown away
    """
    where = "sample"
    lm = _check_lm(where, lm)
    n = check_positive_int(where, "n", n)
    if seed is not None:
        seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    temperature = _check_temperature(where, temperature)
    if max_length is None:
        max_length = default_max_length(lm)
    max_length = check_positive_int(where, "max_length", max_length)
    max_rejections = check_positive_int(where, "max_rejections", max_rejections)
    if not isinstance(reject_unk, (bool, np.bool_)):
        raise ValueError(f"{where}: reject_unk must be True or False, got {reject_unk!r}")
    start = encode_prefix(lm, prefix, unknown)
    if len(start) > max_length:
        raise ValueError(f"{where}: prefix has {len(start)} tokens, more than max_length = {max_length} (the "
                         f"longest sample, prefix included); shorten the prefix or pass a larger max_length")

    rng = np.random.default_rng(seed)
    vocab, V = lm.vocab, lm.V
    tokens = [list(start) for _ in range(n)]
    ended = np.zeros(n, dtype=bool)
    n_rejected = 0
    z, state = _run_prefix(lm, start, n)
    for _ in range(max_length - len(start)):
        p = _probabilities(lm, z, temperature)
        drawn = np.full(n, vocab.eos_index)
        for i in np.flatnonzero(~ended):
            k = rng.choice(V, p=p[:, i])
            if reject_unk:
                tries = 0
                while k == vocab.unk_index:
                    tries += 1
                    if tries > max_rejections:
                        raise ValueError(f"{where}: drew <UNK> {max_rejections} times in a row (P(<UNK>) = "
                                         f"{p[vocab.unk_index, i]:.4f}); the model can hardly produce anything else")
                    k = rng.choice(V, p=p[:, i])
                n_rejected += tries
            drawn[i] = k
            if k == vocab.eos_index:
                ended[i] = True
            else:
                tokens[i].append(vocab.itos[k])
        if ended.all():
            break
        z, state = step(lm, drawn, state)
    texts = [lm.join(t) for t in tokens]
    n_unk = sum(t.count(UNK) for t in tokens) - (start.count(UNK) * n)
    return {"tokens": tokens, "texts": texts, "ended": ended, "n_unk": int(n_unk), "n_rejected": int(n_rejected)}


def fraction_new(texts, known) -> tuple:
    """How many texts are not in a known collection (e.g. the training set).

    Parameters
    ----------
    texts : list of str, known : iterable of str

    Returns
    -------
    (fraction, new) : the share of ``texts`` not in ``known`` (float in [0, 1]), and those texts in order
    """
    if isinstance(texts, str) or not isinstance(texts, (list, tuple)) or not texts:
        raise ValueError(f"fraction_new: texts must be a non-empty list of str, got {texts!r:.60}")
    known = set(known)
    new = [t for t in texts if t not in known]
    return len(new) / len(texts), new
