"""A recurrent language model: the probability of a sentence, one token at a time.

A language model gives every sequence of tokens y<1>, ..., y<T_y> (words or characters, the last one
<EOS>) a probability. By the chain rule of probability it is a product of next-token probabilities,

    P(y<1>, ..., y<T_y>) = P(y<1>) P(y<2> | y<1>) ... P(y<T_y> | y<1>, ..., y<T_y - 1>),

and a recurrent network computes every factor with one softmax per step. The input of step t is the
previous token, fed back as a one-hot vector, and the first input is the zero vector:

    x<1> = 0,   x<t> = y<t-1> (one-hot) for t >= 2,   a<0> = 0
    h<t> = cell(x<t>, h<t-1>)                       RNN, GRU or LSTM (``helpers.cells``)
    y_hat<t> = softmax(Wy @ h<t> + by)              y_hat<t>_k = P(y<t> = k | y<1>, ..., y<t-1>)

Training minimises the softmax cross-entropy summed over the steps, L = sum_t -log y_hat<t>[y<t>],
which is exactly -log P(y<1>, ..., y<T_y>): the loss of a sentence is its negative log-probability.
We report it per token ("loss per character" for a character model, counting each <EOS> as a
character), in nats (natural logarithms), and its exponential, the perplexity,

    loss per token = -(1/N) sum over all N predicted tokens of log P(token | what came before)
    perplexity     = exp(loss per token)

A model that guesses uniformly among V tokens has perplexity V; perplexity 5 means the model is as
unsure as a fair choice among five tokens.

Sequences of different lengths are trained together in mini-batches: they are padded with <PAD> to the
longest one in the batch, and a mask (m, T) of 0/1 marks the real steps, so padded steps add neither
loss nor gradient (``helpers.losses``). Gradients flow back through time (BPTT, ``helpers.cells``),
are divided by the number of real tokens in the batch, clipped by global norm, and applied with Adam
or Adagrad (``helpers.optim``).

Sentence probabilities are products of many numbers below 1 and underflow quickly (a 60-character
sentence at perplexity 8 has probability about 1e-54), so they are computed in log space:

    log P(y<1..T_y>) = sum_t log P(y<t> | y<1..t-1>)

Baselines. A unigram model ignores the context, P(y<t> = k) = (count(k) + alpha) / (N + alpha K);
a bigram model looks at the previous token only,
P(y<t> = k | y<t-1> = j) = (count(j, k) + alpha) / (count(j) + alpha K), with a start context for
t = 1. K is the number of tokens that can occur (the vocabulary without <PAD>) and alpha = 1 is
add-one (Laplace) smoothing, so unseen pairs keep a small probability.

Speed. The matrices of a small model (100 x 100 times 100 x 64) are too small for a multi-threaded
BLAS to gain much: handing every product to several threads costs about as much as it saves, and on
a machine shared with other work it can make training several times slower (eight times, measured on
a busy 2-core machine). ``train_language_model``
therefore runs with one BLAS thread (``single_blas_thread``; nothing changes if numpy's BLAS is not
OpenBLAS or cannot be found), and so do the scoring functions here and the sampler.

Models are saved with ``np.savez`` and loaded with ``np.load(allow_pickle=False)``: the arrays come
back bit for bit, and a file with a missing, extra or mis-shaped array is refused with a message that
names it.
"""
from __future__ import annotations

import math
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._checks import (
    check_real_number,MAX_STEPS, as_float_array, check_choice, check_finite, check_ndim, check_positive_int,
                       check_shape, told_as)
from ..cells import CELL_KINDS, get_cell
from ..gru import gru_states_forward
from ..lstm import lstm_states_forward
from ..optim import Adagrad, Adam
from ..rnn import rnn_states_forward
from .._blas import one_blas_thread as _one_blas_thread
from .._blas import single_blas_thread
from .text import EOS, PAD, UNK, Vocabulary, tokenize_chars, tokenize_words
from ..training import init_model, model_forward, train_loop

__all__ = [
    "DATA_DIR",
    "load_names",
    "load_sentences",
    "NAMES_RECIPE",
    "train_names_model",
    "tokenize",
    "build_vocabulary",
    "LanguageModel",
    "Corpus",
    "encode_corpus",
    "make_batch",
    "batch_loss_and_gradients",
    "new_language_model",
    "train_language_model",
    "single_blas_thread",
    "token_log_probs",
    "evaluate",
    "sequence_probability",
    "initial_state",
    "step",
    "NGramBaseline",
    "ngram_baseline",
    "save_model",
    "load_model",
    "corpus_statistics",
]

#: The data folder of the repository (data/names, data/grammar_sentences).
DATA_DIR = Path(__file__).resolve().parents[2] / "data"

#: How notebooks 05 and 06 train the character-level model of first names (``train_names_model``).
NAMES_RECIPE = {"cell": "rnn", "n_a": 64, "epochs": 8, "batch_size": 64, "optimizer": "adam",
                "learning_rate": 0.01, "clip": 5.0, "seed": 0}

LEVELS = ("char", "word")
SPLITS = ("train", "heldout", "all")
OPTIMIZERS = ("adam", "adagrad")
_FORMAT = "rnn-course language model v1"
_META = ("__format__", "__cell__", "__level__", "__n_a__", "__vocab__")


# ----------------------------------------------------------------------------------------------
# data
# ----------------------------------------------------------------------------------------------

def _read_lines(where: str, path: Path) -> list:
    if not path.is_file():
        raise ValueError(f"{where}: the data file {path.parent.name}/{path.name} is missing; "
                         f"remake it with the script in that folder")
    return [line for line in path.read_text(encoding="ascii").splitlines() if line.strip()]


def _split(where: str, lines: list, split: str) -> list:
    """Every tenth line (lines 10, 20, ... counting from 1) is held out; the rest is for training."""
    check_choice(where, "split", split, SPLITS)
    if split == "all":
        return list(lines)
    held = [i % 10 == 9 for i in range(len(lines))]
    return [line for line, h in zip(lines, held) if h == (split == "heldout")]


def load_names(split: str = "train") -> list:
    """US first names of the 1990 census (``data/names/names.txt``), lower-case, a to z only.

    Parameters
    ----------
    split : {"train", "heldout", "all"}
        The file lists 5,163 distinct names in alphabetical order; every tenth one (516 names) is
        held out, the other 4,647 are for training. The split is fixed: no random numbers involved.

    Returns
    -------
    names : list of str
    """
    return _split("load_names", _read_lines("load_names", DATA_DIR / "names" / "names.txt"), split)


def load_sentences(split: str = "train") -> list:
    """Sentences of the course's small grammar (``data/grammar_sentences/sentences.txt``).

    Parameters
    ----------
    split : {"train", "heldout", "all"}
        2,000 sentences; every tenth (200) is held out, 1,800 are for training.

    Returns
    -------
    sentences : list of str, lower-case words separated by spaces
    """
    path = DATA_DIR / "grammar_sentences" / "sentences.txt"
    return _split("load_sentences", _read_lines("load_sentences", path), split)


def tokenize(texts, level: str) -> list:
    """Cut texts into token lists: characters (``level="char"``) or words (``"word"``).

    Parameters
    ----------
    texts : str or list of str
        One text or several. Characters are lower-cased; words are lower-cased and punctuation is
        dropped (the lecture's choice: <EOS> marks the end instead of a full stop).
    level : {"char", "word"}

    Returns
    -------
    token_lists : list of lists of str (one list per text, without <EOS>: the model adds it)
    """
    where = "tokenize"
    check_choice(where, "level", level, LEVELS)
    if isinstance(texts, str):
        texts = [texts]
    if not isinstance(texts, (list, tuple)):
        raise ValueError(f"{where}: texts must be a str or a list of str, got {type(texts).__name__}")
    out = []
    for i, text in enumerate(texts):
        if not isinstance(text, str):
            raise ValueError(f"{where}: texts[{i}] must be a str, got {type(text).__name__}")
        out.append(tokenize_chars(text) if level == "char" else tokenize_words(text, punctuation="drop"))
    return out


@told_as("build_vocabulary", {"sequences": "token_lists"})
def build_vocabulary(token_lists, k=None, order: str = "frequency") -> Vocabulary:
    """The vocabulary of a language model: <PAD>, <UNK>, <EOS>, then the k most frequent tokens.

    Parameters
    ----------
    token_lists : list of lists of str, the training corpus (``tokenize``)
    k : int >= 1 or None (all tokens)
    order : {"frequency", "alphabetical"}, index order of the kept tokens

    Returns
    -------
    vocab : Vocabulary with pad=True (index 0 is <PAD>, 1 <UNK>, 2 <EOS>)

    An empty corpus (no token at all) raises ValueError.
    """
    where = "build_vocabulary"
    if not isinstance(token_lists, (list, tuple)) or not any(len(s) for s in token_lists):
        raise ValueError(f"{where}: token_lists must hold at least one token, got an empty corpus "
                         f"({len(token_lists) if isinstance(token_lists, (list, tuple)) else 0} sequence(s))")
    return Vocabulary.from_tokens([list(s) for s in token_lists], k, order=order, pad=True)


# ----------------------------------------------------------------------------------------------
# the model object
# ----------------------------------------------------------------------------------------------

@dataclass
class LanguageModel:
    """A trained (or new) language model: parameters, vocabulary, cell kind and token level.

    Attributes
    ----------
    params : dict
        The cell's parameters (``cells.Cell.param_keys``) and the output layer ``Wy`` (V, n_a),
        ``by`` (V, 1), where V = len(vocab) (the softmax has one entry per vocabulary token).
    vocab : Vocabulary with <PAD> (built by ``build_vocabulary``)
    cell : {"rnn", "gru", "lstm"}
    level : {"char", "word"}, how texts are cut into tokens (and joined back by the sampler)
    """

    params: dict
    vocab: Vocabulary
    cell: str
    level: str

    @property
    def n_a(self) -> int:
        """Number of hidden units."""
        return int(self.params["Wy"].shape[1])

    @property
    def V(self) -> int:
        """Vocabulary size: n_x = n_y."""
        return len(self.vocab)

    def join(self, tokens) -> str:
        """Tokens back to text: characters side by side, words separated by spaces."""
        return ("" if self.level == "char" else " ").join(tokens)

    def __repr__(self):
        return (f"LanguageModel({self.cell}, n_a={self.n_a}, {self.level}-level, "
                f"vocabulary of {self.V} tokens)")


def _check_lm(where: str, lm) -> LanguageModel:
    if not isinstance(lm, LanguageModel):
        raise ValueError(f"{where}: lm must be a LanguageModel (from new_language_model, "
                         f"train_language_model or load_model), got {type(lm).__name__}")
    return lm


def _param_shapes(cell: str, V: int, n_a: int) -> dict:
    """Expected shape and layout of every parameter of a language model."""
    keys = get_cell(cell).param_keys
    shapes = {}
    for key in keys:
        if cell == "rnn":
            shapes[key] = {"Wax": ((n_a, V), "(n_a, V)"), "Waa": ((n_a, n_a), "(n_a, n_a)"),
                           "ba": ((n_a, 1), "(n_a, 1)")}[key]
        elif key.startswith("W"):
            shapes[key] = ((n_a, n_a + V), "(n_a, n_a + V)")
        else:
            shapes[key] = ((n_a, 1), "(n_a, 1)")
    shapes["Wy"] = ((V, n_a), "(V, n_a)")
    shapes["by"] = ((V, 1), "(V, 1)")
    return shapes


def new_language_model(vocab: Vocabulary, level: str, cell: str = "rnn", n_a: int = 100,
                       seed: int = 0) -> LanguageModel:
    """A language model with random weights (``training.init_model``), ready to train.

    Parameters
    ----------
    vocab : Vocabulary with <PAD> (``build_vocabulary``); n_x = n_y = len(vocab)
    level : {"char", "word"}
    cell : {"rnn", "gru", "lstm"}
    n_a : int >= 1, hidden units
    seed : int >= 0, seed of the initial weights

    Returns
    -------
    LanguageModel
    """
    where = "new_language_model"
    if not isinstance(vocab, Vocabulary) or vocab.pad_index is None:
        raise ValueError(f"{where}: vocab must be a Vocabulary with <PAD> (use build_vocabulary), "
                         f"got {vocab!r:.80}")
    check_choice(where, "level", level, LEVELS)
    check_choice(where, "cell", cell, CELL_KINDS)
    n_a = check_positive_int(where, "n_a", n_a)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    return LanguageModel(init_model(cell, len(vocab), n_a, len(vocab), seed=seed), vocab, cell, level)


# ----------------------------------------------------------------------------------------------
# corpus -> padded index arrays -> batches
# ----------------------------------------------------------------------------------------------

@dataclass
class Corpus:
    """A tokenised corpus as one padded index array.

    Attributes
    ----------
    targets : ndarray (N, T_max) of int64
        Row i holds y<1>, ..., y<T_i> of sequence i (its tokens, then <EOS>), then <PAD>.
    lengths : ndarray (N,) of int64, T_i = number of tokens + 1 (the <EOS>)
    """

    targets: np.ndarray
    lengths: np.ndarray

    def __len__(self) -> int:
        return len(self.lengths)

    @property
    def n_tokens(self) -> int:
        """Number of predicted tokens (every token and every <EOS>)."""
        return int(self.lengths.sum())


def encode_corpus(token_lists, vocab: Vocabulary, max_length=None) -> Corpus:
    """Encode token lists, each followed by <EOS>, into a padded (N, T_max) index array.

    Parameters
    ----------
    token_lists : list of N lists of str (``tokenize``); tokens not in the vocabulary become <UNK>
    vocab : Vocabulary with <PAD>
    max_length : int >= 1 or None
        The longest sequence allowed, counting its <EOS>. A longer one raises ValueError naming it
        (cut or drop such sequences yourself if you mean to). None: no limit.

    Returns
    -------
    Corpus

    An empty list raises ValueError. An empty token list is allowed: it is the sequence "<EOS>".
    """
    where = "encode_corpus"
    if not isinstance(vocab, Vocabulary) or vocab.pad_index is None:
        raise ValueError(f"{where}: vocab must be a Vocabulary with <PAD> (use build_vocabulary), got {vocab!r:.80}")
    if isinstance(token_lists, str) or not isinstance(token_lists, (list, tuple)):
        raise ValueError(f"{where}: token_lists must be a list of token lists, got {type(token_lists).__name__}")
    if not token_lists:
        raise ValueError(f"{where}: token_lists is an empty corpus (0 sequences); there is nothing to encode")
    if max_length is not None:
        max_length = check_positive_int(where, "max_length", max_length)
    encoded = []
    for i, tokens in enumerate(token_lists):
        if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)):
            raise ValueError(f"{where}: token_lists[{i}] must be a list of str tokens, got {tokens!r:.60}")
        ids = vocab.encode(list(tokens) + [EOS])
        if max_length is not None and len(ids) > max_length:
            raise ValueError(f"{where}: token_lists[{i}] has {len(ids)} tokens with its <EOS>, more than "
                             f"max_length = {max_length} ({vocab.decode(ids[:12])}...); raise max_length, "
                             f"or cut or drop the long sequences first")
        encoded.append(ids)
    lengths = np.array([len(e) for e in encoded], dtype=np.int64)
    targets = np.full((len(encoded), int(lengths.max())), vocab.pad_index, dtype=np.int64)
    for i, e in enumerate(encoded):
        targets[i, :len(e)] = e
    return Corpus(targets, lengths)


def _check_corpus(where: str, corpus, name: str = "corpus") -> "Corpus":
    if not isinstance(corpus, Corpus):
        raise ValueError(f"{where}: {name} must be a Corpus (from encode_corpus), got {type(corpus).__name__}")
    return corpus


def _check_index(where: str, name: str, index, size: int, size_name: str) -> np.ndarray:
    """A non-empty 1-D int array of indices in 0 .. size - 1 (a negative index is refused, not wrapped)."""
    if index is None or isinstance(index, (str, bytes, float)):
        raise ValueError(f"{where}: {name} must be a 1-D array of int indices, got {index!r:.40}")
    arr = np.asarray(index)
    if arr.ndim == 0:
        arr = arr[None]
    if arr.ndim != 1 or arr.size == 0 or arr.dtype.kind not in "iu":
        raise ValueError(f"{where}: {name} must be a non-empty 1-D array of int indices, got a {arr.dtype} "
                         f"array of shape {arr.shape}")
    if arr.min() < 0 or arr.max() >= size:
        raise ValueError(f"{where}: {name} must hold indices in 0 .. {size_name} - 1 = {size - 1}, "
                         f"got values from {arr.min()} to {arr.max()}")
    return arr


def make_batch(corpus: Corpus, index, V: int):
    """Inputs, targets and mask of a mini-batch, padded to its longest sequence.

        x<1> = 0 (the zero vector),  x<t> = one-hot(y<t-1>) for 2 <= t <= T_i,  x<t> = 0 on padding

    Parameters
    ----------
    corpus : Corpus
    index : int array (m,), the sequences of the batch
    V : int, vocabulary size (n_x)

    Returns
    -------
    x : ndarray (V, m, T) float64, the one-hot inputs
    y : ndarray (m, T) int64, the targets (<PAD> after the end)
    mask : ndarray (m, T) float64, 1.0 on the T_i real steps of row i, 0.0 on padding
    """
    where = "make_batch"
    corpus = _check_corpus(where, corpus)
    V = check_positive_int(where, "V", V)
    index = _check_index(where, "index", index, len(corpus), "len(corpus)")
    tokens = corpus.targets[index][corpus.targets[index] >= 0]
    if tokens.size and tokens.max() >= V:
        raise ValueError(f"{where}: V = {V} is too small for this corpus, which holds token index "
                         f"{tokens.max()}; pass V = len(vocab) of the vocabulary that encoded it")
    lengths = corpus.lengths[index]
    T = int(lengths.max())
    y = corpus.targets[index, :T]
    mask = (np.arange(T)[None, :] < lengths[:, None]).astype(np.float64)
    x = np.zeros((V, len(index), T))
    rows, cols = np.nonzero(mask[:, 1:])                   # real steps t >= 2 (0-based cols + 1)
    x[y[rows, cols], rows, cols + 1] = 1.0
    return x, y, mask


def _check_batch(where: str, lm: LanguageModel, x, y, mask):
    """Check a batch against the model (shapes, token indices, a 0/1 mask); return float x, int y, float mask."""
    x = as_float_array(where, "x", x)
    check_finite(where, "x", x)
    if x.ndim != 3 or x.shape[0] != lm.V:
        raise ValueError(f"{where}: x must have shape (V, m, T) with V = {lm.V} (the vocabulary), "
                         f"got {x.shape}")
    _, m, T = x.shape
    y, mask = np.asarray(y), np.asarray(mask)
    if y.shape != (m, T) or y.dtype.kind not in "iu":
        raise ValueError(f"{where}: y must be an integer array of shape (m, T) = ({m}, {T}) to match x, "
                         f"got a {y.dtype} array of shape {y.shape}")
    mask = as_float_array(where, "mask", mask)          # a boolean mask becomes 0.0 / 1.0
    check_shape(where, "mask", mask, (m, T), "(m, T)", f"to match x {x.shape}")
    if not np.all((mask == 0.0) | (mask == 1.0)):
        raise ValueError(f"{where}: mask must hold only 0 and 1, got values {np.unique(mask)[:5]}")
    real_labels = y[mask == 1.0]
    if real_labels.size and (real_labels.min() < 0 or real_labels.max() >= lm.V):
        raise ValueError(f"{where}: y must hold token indices in 0 .. V - 1 = {lm.V - 1} on the real steps, "
                         f"got values from {real_labels.min()} to {real_labels.max()}")
    return x, y, mask


def batch_loss_and_gradients(lm: LanguageModel, x, y, mask):
    """Summed cross-entropy of a batch and its gradient, through the output layer and BPTT.

        z<t> = Wy @ h<t> + by,   y_hat<t> = softmax(z<t>)
        L = sum_i sum_t mask[i, t] * -log y_hat<t>_(i)[y<t>_(i)]
        dL/dz<t>_(i) = mask[i, t] * (y_hat<t>_(i) - one_hot(y<t>_(i)))

    The output layer and the loss are written out here for the case of a language model (targets
    as token indices, steps masked by 0/1): the same numbers as ``training.loss_and_gradients`` with
    ``reduction="sum"``, without building one-hot targets, in one pass over the (V, m * T) scores.

    Parameters
    ----------
    lm : LanguageModel
    x : ndarray (V, m, T), y : int ndarray (m, T), mask : ndarray (m, T) (``make_batch``)

    Returns
    -------
    loss : float, summed over the real steps (nats)
    grads : dict "d" + parameter key -> ndarray, the gradient of that sum. Padded steps contribute
        nothing to either (whatever their targets hold).
    """
    where = "batch_loss_and_gradients"
    lm = _check_lm(where, lm)
    x, y, mask = _check_batch(where, lm, x, y, mask)
    cell = get_cell(lm.cell)
    Wy, by = lm.params["Wy"], lm.params["by"]
    n_a = Wy.shape[1]
    _, m, T = x.shape
    h, cache = cell.forward(x, np.zeros((n_a, m)), {k: lm.params[k] for k in cell.param_keys})

    # every (example, step) pair is one column: column i * T + t holds example i at step t + 1
    h2 = h.reshape(n_a, m * T)
    real, cols = mask.reshape(m * T), np.arange(m * T)
    labels = np.where(real == 1.0, y.reshape(m * T), 0)   # a padded step's target is never looked at
    z = Wy @ h2 + by                                    # (V, m * T) scores
    z -= z.max(axis=0)                                  # every exponent <= 0: nothing overflows
    y_hat = np.exp(z)
    col_sum = y_hat.sum(axis=0)                         # >= 1: the column's maximum gives exp(0)
    log_p = z[labels, cols] - np.log(col_sum)           # log y_hat of the true token, every column
    loss = -float(log_p @ real)
    dz = y_hat                                          # becomes mask * (y_hat - one_hot(y)), in place
    dz /= col_sum
    dz[labels, cols] -= 1.0
    dz *= real

    dh = (Wy.T @ dz).reshape(n_a, m, T)
    grads = cell.backward(dh, cache)
    out = {"d" + k: grads["d" + k] for k in cell.param_keys}
    out["dWy"] = dz @ h2.T
    out["dby"] = dz.sum(axis=1, keepdims=True)
    return loss, out


# ----------------------------------------------------------------------------------------------
# training
# ----------------------------------------------------------------------------------------------

def _make_optimizer(where, optimizer, learning_rate):
    """An optimiser object passes through; "adam" / "adagrad" make a new one with the learning rate."""
    if not isinstance(optimizer, str) and callable(getattr(optimizer, "step", None)):
        return optimizer
    check_choice(where, "optimizer", optimizer, OPTIMIZERS)
    learning_rate = check_real_number(where, "learning_rate", learning_rate, 0.0, low_open=True)
    return Adam(learning_rate) if optimizer == "adam" else Adagrad(learning_rate)


def _batches(rng, lengths: np.ndarray, batch_size: int, batching: str) -> list:
    """The batches of one epoch: lists of sequence indices, every sequence exactly once.

    "random": shuffle, then cut into batches of ``batch_size``.
    "by_length": shuffle, sort by length (ties keep the random order), cut, shuffle the batches. The
    sequences of a batch then have (nearly) the same length, so almost no padded step is computed,
    but each update sees only one length, which makes training noisier per epoch.
    """
    order = rng.permutation(len(lengths))
    if batching == "by_length":
        order = order[np.argsort(lengths[order], kind="stable")]
    batches = [order[s:s + batch_size] for s in range(0, len(order), batch_size)]
    if batching == "by_length":
        batches = [batches[j] for j in rng.permutation(len(batches))]
    return batches


def train_language_model(train, vocab: Vocabulary = None, *, level: str = "char", cell: str = "rnn",
                         n_a: int = 100, epochs: int = 10, batch_size: int = 64, optimizer="adam",
                         learning_rate: float = 0.01, clip=5.0, seed: int = 0, heldout=None,
                         max_length=100, batching: str = "random", progress=None, lm: LanguageModel = None):
    """Train a language model on token lists with mini-batches, BPTT, clipping and Adam / Adagrad.

    Every epoch visits every training sequence once. Sequences are grouped by length into batches of
    ``batch_size`` (padded to the batch's longest, masked), and each batch makes one update:

        g = (1 / number of real tokens in the batch) * dL/dparameters        (BPTT through the cell)
        g = clip_by_global_norm(g, clip)
        parameters = optimizer.step(parameters, g)

    Parameters
    ----------
    train : list of lists of str, the training sequences (``tokenize``), without <EOS>
    vocab : Vocabulary with <PAD> (``build_vocabulary``); default: all tokens of ``train``
    level : {"char", "word"}, how the tokens were made (kept in the model, used by the sampler)
    cell : {"rnn", "gru", "lstm"}
    n_a : int >= 1, hidden units
    epochs : int >= 1
    batch_size : int >= 1, sequences per update
    optimizer : "adam", "adagrad", or an optimiser object of ``helpers.optim`` (its state carries on)
    learning_rate : float > 0 (used with a string optimizer)
    clip : float > 0 or None, threshold of the global gradient norm (None: no clipping)
    seed : int >= 0, seeds the initial weights and the order of the batches
    heldout : list of lists of str or None; if given, its loss per token is measured after every epoch
    max_length : int or None, the longest sequence allowed (with <EOS>); longer ones raise ValueError
    batching : {"random", "by_length"}, how sequences are grouped into batches: at random (the
        default), or sorted by length so that almost no padded step is computed (faster per epoch,
        but every update sees a single length, which learns less per epoch)
    progress : callable(record) or None, called after every epoch with a dict: epoch, train_loss,
        heldout_loss, seconds; a ``TrainingProgress`` fits
    lm : LanguageModel or None, a model to continue training (its vocabulary, cell, level and size
        are used; vocab, cell, level, n_a are then ignored). It is not changed: a new one is returned.

    Returns
    -------
    lm : LanguageModel, the trained model
    history : dict of ndarrays (epochs,)
        "epoch" 1..epochs; "train_loss", the mean loss per token over the epoch's batches (nats);
        "heldout_loss" (NaN without held-out data); "seconds" and "cpu_seconds" since the start;
        and the ints "train_tokens" (real tokens per epoch) and "padded_steps" (steps computed per
        epoch, padding included), "updates" (per epoch).

    A loss that becomes NaN or inf stops training with a ValueError saying at which epoch.
    """
    where = "train_language_model"
    epochs = check_positive_int(where, "epochs", epochs, maximum=MAX_STEPS)
    batch_size = check_positive_int(where, "batch_size", batch_size)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    check_choice(where, "batching", batching, ("random", "by_length"))
    if clip is not None:
        clip = check_real_number(where, "clip", clip, 0.0, low_open=True)
    if progress is not None and not callable(progress):
        raise ValueError(f"{where}: progress must be callable (e.g. a views.language_model_views.TrainingProgress) or None, got {progress!r:.60}")
    if isinstance(train, (list, tuple)) and not any(len(s) for s in train if isinstance(s, (list, tuple))):
        raise ValueError(f"{where}: train is an empty corpus ({len(train)} sequence(s), no token); "
                         f"a language model needs at least one token to learn from")
    with told_as(where, {"token_lists": "train"}):     # the errors of the steps below, in this function's words
        if lm is None:
            if vocab is None:
                vocab = build_vocabulary(train)
            lm = new_language_model(vocab, level, cell, n_a, seed)
        else:
            lm = _check_lm(where, lm)
            lm = LanguageModel({k: np.array(v, dtype=np.float64) for k, v in lm.params.items()},
                               lm.vocab, lm.cell, lm.level)
        vocab = lm.vocab
        corpus = encode_corpus(train, vocab, max_length)
    with told_as(where, {"token_lists": "heldout"}):
        held = None if heldout is None else encode_corpus(heldout, vocab, max_length)
    opt = _make_optimizer(where, optimizer, learning_rate)
    rng = np.random.default_rng(seed)

    history = {key: [] for key in ("epoch", "train_loss", "heldout_loss", "seconds", "cpu_seconds",
                                   "train_tokens", "padded_steps", "updates")}
    with single_blas_thread():
        lm = _train_epochs(where, lm, corpus, held, opt, rng, epochs, batch_size, batching, clip, progress,
                           history)
    return lm, {key: np.array(values) for key, values in history.items()}


def _train_epochs(where, lm, corpus, held, opt, rng, epochs, batch_size, batching, clip, progress, history):
    """The epochs of ``train_language_model``, run by ``training.train_loop``; fills ``history`` and
    returns the trained model (a new LanguageModel; ``lm`` is not changed)."""
    V = lm.V
    start, cpu_start = time.perf_counter(), time.process_time()

    def batches(epoch):
        """The epoch's batches (drawn from rng at its start), each built when its step comes."""
        for index in _batches(rng, corpus.lengths, batch_size, batching):
            x, y, mask = make_batch(corpus, index, V)
            yield {"x": x, "y": y, "mask": mask, "tokens": int(corpus.lengths[index].sum())}

    def loss_and_gradients(params, batch):
        """The summed loss of the batch, and its gradient per real token (what clipping and the step see)."""
        loss, grads = batch_loss_and_gradients(LanguageModel(params, lm.vocab, lm.cell, lm.level),
                                               batch["x"], batch["y"], batch["mask"])
        n = batch["tokens"]
        return loss, {k: g / n for k, g in grads.items()}

    def on_epoch(epoch, params, records):
        total, tokens, steps, updates = 0.0, 0, 0, 0
        for r in records:
            total, tokens = total + r["loss"], tokens + r["batch"]["tokens"]
            steps, updates = steps + r["batch"]["mask"].size, updates + 1
        now = LanguageModel(params, lm.vocab, lm.cell, lm.level)
        held_loss = evaluate(now, corpus=held)["loss_per_token"] if held is not None else float("nan")
        record = {"epoch": epoch + 1, "train_loss": total / tokens, "heldout_loss": held_loss,
                  "seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu_start,
                  "train_tokens": tokens, "padded_steps": steps, "updates": updates}
        for key, value in record.items():
            history[key].append(value)
        if progress is not None:
            progress(record)

    params, _ = train_loop(lm.params, loss_and_gradients, batches, opt, epochs, clip=clip, on_epoch=on_epoch,
                           where=where, first=1)
    return LanguageModel(params, lm.vocab, lm.cell, lm.level)


def train_names_model(progress=None, **changes):
    """The character-level model of notebook 05, trained on the census first names.

        train = tokenize(load_names("train"), "char"), held-out likewise
        vocab = build_vocabulary(train, order="alphabetical")          <PAD> <UNK> <EOS> a ... z
        train_language_model(train, vocab, level="char", heldout=held, **NAMES_RECIPE)

    Training is deterministic, so notebook 06 gets the same model as notebook 05 without a file
    passed between them.

    Parameters
    ----------
    progress : callable or None, passed to ``train_language_model`` (e.g. a ``TrainingProgress``)
    **changes : settings that replace those of ``NAMES_RECIPE`` (e.g. epochs=1 for a quick try)

    Returns
    -------
    lm : LanguageModel
    history : dict (``train_language_model``)
    data : dict with train_names, heldout_names (lists of str), train_tokens, heldout_tokens, vocab
    """
    unknown = sorted(set(changes) - set(NAMES_RECIPE))
    if unknown:
        raise ValueError(f"train_names_model: {', '.join(unknown)} is not a setting of NAMES_RECIPE "
                         f"(settings: {', '.join(NAMES_RECIPE)})")
    train_names, heldout_names = load_names("train"), load_names("heldout")
    train_tokens, heldout_tokens = tokenize(train_names, "char"), tokenize(heldout_names, "char")
    vocab = build_vocabulary(train_tokens, order="alphabetical")
    settings = {**NAMES_RECIPE, **changes}
    lm, history = train_language_model(train_tokens, vocab, level="char", heldout=heldout_tokens,
                                       progress=progress, **settings)
    data = {"train_names": train_names, "heldout_names": heldout_names, "train_tokens": train_tokens,
            "heldout_tokens": heldout_tokens, "vocab": vocab}
    return lm, history, data


# ----------------------------------------------------------------------------------------------
# probabilities
# ----------------------------------------------------------------------------------------------

def _log_softmax(z: np.ndarray) -> np.ndarray:
    shifted = z - z.max(axis=0, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=0, keepdims=True))


@_one_blas_thread
def token_log_probs(lm: LanguageModel, corpus: Corpus, chunk: int = 1024) -> np.ndarray:
    """log P(y<t> | y<1..t-1>) of every token of a corpus, teacher-forced (the true tokens are fed).

    Parameters
    ----------
    lm : LanguageModel
    corpus : Corpus (``encode_corpus``)
    chunk : int, sequences per forward pass (bounds the memory)

    Returns
    -------
    log_p : ndarray (N, T_max), the natural log of each step's probability; 0.0 on padding
    """
    where = "token_log_probs"
    lm = _check_lm(where, lm)
    corpus = _check_corpus(where, corpus)
    chunk = check_positive_int(where, "chunk", chunk)
    out = np.zeros(corpus.targets.shape)
    for s in range(0, len(corpus), chunk):
        index = np.arange(s, min(s + chunk, len(corpus)))
        x, y, mask = make_batch(corpus, index, lm.V)
        z, _ = model_forward(lm.params, x, lm.cell)
        logp = _log_softmax(z)                                      # (V, m, T)
        picked = np.take_along_axis(logp, y[None], axis=0)[0]      # (m, T)
        out[index, :y.shape[1]] = picked * mask
    return out


@told_as("evaluate")
def evaluate(lm: LanguageModel, token_lists=None, *, corpus: Corpus = None) -> dict:
    """Loss per token and perplexity of a model on a corpus.

        loss_per_token = -(1/N) sum over the N predicted tokens (with every <EOS>) of log P(token | before)
        perplexity = exp(loss_per_token)

    Parameters
    ----------
    lm : LanguageModel
    token_lists : list of lists of str (``tokenize``), or
    corpus : Corpus, already encoded

    Returns
    -------
    dict with loss_per_token (nats), perplexity, bits_per_token (= loss / ln 2), n_tokens,
    n_sequences, total_nats (= -log P of the whole corpus), loss_per_sequence (nats).
    """
    lm = _check_lm("evaluate", lm)
    if corpus is None:
        corpus = encode_corpus(token_lists, lm.vocab)
    total = -float(token_log_probs(lm, corpus).sum())
    n = corpus.n_tokens
    loss = total / n
    return {"loss_per_token": loss, "perplexity": math.exp(loss), "bits_per_token": loss / math.log(2),
            "n_tokens": n, "n_sequences": len(corpus), "total_nats": total,
            "loss_per_sequence": total / len(corpus)}


def sequence_probability(lm: LanguageModel, text) -> dict:
    """P(y<1>, ..., y<T_y>) of one sequence by the chain rule, in log space.

        log P = sum_t log P(y<t> | y<1..t-1>),   the last token being <EOS>

    Parameters
    ----------
    lm : LanguageModel
    text : str (tokenised at the model's level) or list of str tokens. Tokens the vocabulary does not
        know are scored as <UNK> (listed under "unknown"), never a KeyError.

    Returns
    -------
    dict with
        tokens : list of T_y str (the text's tokens as the model sees them, then "<EOS>")
        step_probs : ndarray (T_y,), P(y<t> | y<1..t-1>)
        log_probs : ndarray (T_y,), their natural logs
        log_prob : float, the sum (natural log of P)
        log10_prob : float, log_prob / ln 10 (P = 10 ** log10_prob)
        prob : float, exp(log_prob) (0.0 when it underflows; log_prob stays exact)
        unknown : list of (t, token) replaced by <UNK>
    """
    where = "sequence_probability"
    lm = _check_lm(where, lm)
    if isinstance(text, str):
        tokens = tokenize(text, lm.level)[0]
    elif isinstance(text, (list, tuple)) and all(isinstance(t, str) for t in text):
        tokens = list(text)
    else:
        raise ValueError(f"{where}: text must be a str or a list of str tokens, got {text!r:.60}")
    unknown = lm.vocab.unknown(tokens)
    corpus = encode_corpus([tokens], lm.vocab)
    log_probs = token_log_probs(lm, corpus)[0, :corpus.lengths[0]]
    shown = [UNK if tok not in lm.vocab else tok for tok in tokens] + [EOS]
    log_prob = float(log_probs.sum())
    return {"tokens": shown, "step_probs": np.exp(log_probs), "log_probs": log_probs, "log_prob": log_prob,
            "log10_prob": log_prob / math.log(10), "prob": math.exp(log_prob), "unknown": unknown}


def initial_state(lm: LanguageModel, m: int = 1):
    """The state before the first step: zeros (a<0>, and c<0> for the LSTM), for m sequences (m >= 1)."""
    where = "initial_state"
    lm = _check_lm(where, lm)
    m = check_positive_int(where, "m", m)
    z = np.zeros((lm.n_a, m))
    return (z, z.copy()) if lm.cell == "lstm" else z


def step(lm: LanguageModel, previous, state):
    """One step of the model for m sequences at once: feed the previous token, get next-token scores.

        x<t> = 0 if previous is None (t = 1), else one-hot(previous)
        h<t> = cell(x<t>, h<t-1>),   z<t> = Wy @ h<t> + by,   y_hat<t> = softmax(z<t>)

    Parameters
    ----------
    lm : LanguageModel
    previous : None (the first step) or int array (m,) of token indices y<t-1>
    state : the state after step t-1 (``initial_state`` for t = 1); for the LSTM a pair (a, c)

    Returns
    -------
    z : ndarray (V, m), the scores of the next token (softmax(z) gives its probabilities)
    state : the state after step t
    """
    where = "step"
    lm = _check_lm(where, lm)
    if lm.cell == "lstm":
        if not (isinstance(state, tuple) and len(state) == 2):
            raise ValueError(f"{where}: state of an LSTM model must be a pair (a, c) of arrays (n_a, m) "
                             f"(initial_state gives the first), got {type(state).__name__}")
        a_prev = as_float_array(where, "state[0] (a)", state[0])
        c_prev = as_float_array(where, "state[1] (c)", state[1])
        check_ndim(where, "state[0] (a)", a_prev, 2, "(n_a, m)")
        check_shape(where, "state[1] (c)", c_prev, a_prev.shape, "(n_a, m)", "to match state[0] (a)")
        check_finite(where, "state[0] (a)", a_prev)
        check_finite(where, "state[1] (c)", c_prev)
    else:
        if isinstance(state, tuple):
            raise ValueError(f"{where}: state of a {lm.cell} model must be one array (n_a, m) "
                             f"(initial_state gives the first), got a tuple")
        a_prev = as_float_array(where, "state", state)
        check_ndim(where, "state", a_prev, 2, "(n_a, m)")
        check_finite(where, "state", a_prev)
    state_name = "state[0] (a)" if lm.cell == "lstm" else "state"
    check_shape(where, state_name, a_prev, (lm.n_a, None), "(n_a, m)", f"for the model's n_a = {lm.n_a}")
    m = a_prev.shape[1]
    if m == 0:
        raise ValueError(f"{where}: {state_name} has m = 0 sequences (shape {a_prev.shape}); it needs at least one")
    x = np.zeros((lm.V, m, 1))
    if previous is not None:
        previous = _check_index(where, "previous", previous, lm.V, "V")
        if previous.shape != (m,):
            raise ValueError(f"{where}: previous must hold one token index per sequence, shape (m,) = ({m},) "
                             f"to match the state, got {previous.shape}")
        x[previous, np.arange(m), 0] = 1.0
    p = lm.params
    if lm.cell == "rnn":
        h, _ = rnn_states_forward(x, a_prev, p)
        new_state = h[:, :, 0]
    elif lm.cell == "gru":
        h, _ = gru_states_forward(x, a_prev, p)
        new_state = h[:, :, 0]
    else:
        h, c, _ = lstm_states_forward(x, a_prev, p, c0=c_prev)
        new_state = (h[:, :, 0], c[:, :, 0])
    z = p["Wy"] @ h[:, :, 0] + p["by"]
    return z, new_state


# ----------------------------------------------------------------------------------------------
# n-gram baselines
# ----------------------------------------------------------------------------------------------

class NGramBaseline:
    """A unigram (order 1) or bigram (order 2) model with add-alpha smoothing.

    Attributes
    ----------
    order : 1 or 2
    alpha : float, the added count
    vocab : Vocabulary
    probs : ndarray, (V,) for order 1: P(k); (V + 1, V) for order 2: probs[j, k] = P(k | previous j),
        with row V the start context (before the first token). Column <PAD> is 0: it never occurs.
    """

    def __init__(self, order, alpha, vocab, probs):
        self.order, self.alpha, self.vocab, self.probs = order, alpha, vocab, probs

    def token_log_probs(self, corpus: Corpus) -> np.ndarray:
        """log P of every token of an encoded corpus: ndarray (N, T_max), 0.0 on padding."""
        y = corpus.targets
        mask = np.arange(y.shape[1])[None, :] < corpus.lengths[:, None]
        if self.order == 1:
            p = self.probs[y]
        else:
            prev = np.concatenate([np.full((len(y), 1), len(self.vocab)), y[:, :-1]], axis=1)
            p = self.probs[prev, y]
        return np.where(mask, np.log(np.where(mask, p, 1.0)), 0.0)

    def evaluate(self, token_lists=None, *, corpus: Corpus = None) -> dict:
        """Loss per token (nats) and perplexity on a corpus (same keys as ``evaluate``)."""
        if corpus is None:
            corpus = encode_corpus(token_lists, self.vocab)
        total = -float(self.token_log_probs(corpus).sum())
        loss = total / corpus.n_tokens
        return {"loss_per_token": loss, "perplexity": math.exp(loss), "bits_per_token": loss / math.log(2),
                "n_tokens": corpus.n_tokens, "n_sequences": len(corpus), "total_nats": total,
                "loss_per_sequence": total / len(corpus)}

    def __repr__(self):
        return f"NGramBaseline({'unigram' if self.order == 1 else 'bigram'}, alpha={self.alpha:g}, V={len(self.vocab)})"


@told_as("ngram_baseline", {"token_lists": "train"})
def ngram_baseline(train, vocab: Vocabulary, order: int = 2, alpha: float = 1.0) -> NGramBaseline:
    """Count-based unigram or bigram model of a training corpus, with add-alpha smoothing.

        unigram:  P(k)     = (count(k) + alpha) / (N + alpha K)
        bigram:   P(k | j) = (count(j, k) + alpha) / (count(j) + alpha K),   j = start for the first token

    where counts run over the targets of the corpus (each sequence's tokens and its <EOS>) and K is
    the number of tokens that can occur: the vocabulary without <PAD>.

    Parameters
    ----------
    train : list of lists of str (``tokenize``) or Corpus
    vocab : Vocabulary with <PAD>
    order : 1 or 2
    alpha : float > 0

    Returns
    -------
    NGramBaseline
    """
    where = "ngram_baseline"
    check_choice(where, "order", order, (1, 2))
    alpha = check_real_number(where, "alpha", alpha, 0.0, low_open=True)
    if not isinstance(vocab, Vocabulary) or vocab.pad_index is None:
        raise ValueError(f"{where}: vocab must be a Vocabulary with <PAD> (use build_vocabulary), got {vocab!r:.80}")
    corpus = train if isinstance(train, Corpus) else encode_corpus(train, vocab)
    V, pad = len(vocab), vocab.pad_index
    y = corpus.targets
    mask = np.arange(y.shape[1])[None, :] < corpus.lengths[:, None]
    allowed = np.ones(V)
    allowed[pad] = 0.0
    K = V - 1
    if order == 1:
        counts = np.bincount(y[mask], minlength=V).astype(np.float64)
        probs = (counts + alpha) * allowed / (counts.sum() + alpha * K)
    else:
        prev = np.concatenate([np.full((len(y), 1), V), y[:, :-1]], axis=1)
        counts = np.zeros((V + 1, V))
        np.add.at(counts, (prev[mask], y[mask]), 1.0)
        probs = (counts + alpha) * allowed / (counts.sum(axis=1, keepdims=True) + alpha * K)
    return NGramBaseline(order, alpha, vocab, probs)


# ----------------------------------------------------------------------------------------------
# save / load
# ----------------------------------------------------------------------------------------------

def save_model(lm: LanguageModel, path) -> Path:
    """Save a model with ``np.savez``: its parameters, vocabulary, cell, level and size.

    Parameters
    ----------
    lm : LanguageModel
    path : str or Path; ".npz" is added if missing (as np.savez does)

    Returns
    -------
    path : Path of the written file
    """
    lm = _check_lm("save_model", lm)
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")
    meta = {"__format__": np.array(_FORMAT), "__cell__": np.array(lm.cell), "__level__": np.array(lm.level),
            "__n_a__": np.array(lm.n_a, dtype=np.int64), "__vocab__": np.array(lm.vocab.itos)}
    np.savez(path, **meta, **{k: np.asarray(v, dtype=np.float64) for k, v in lm.params.items()})
    return path


# The largest array a saved model may hold: a word-level model of MAX_SIZE tokens and 1000 units is
# far beyond what the course trains; a header that claims more is damaged or forged.
_MAX_FILE_ENTRIES = 10**8


def _read_npz(path: Path) -> dict:
    """Every array of an .npz file, reading each one's header first: a header that claims more than
    ``_MAX_FILE_ENTRIES`` entries, or more bytes than the file holds, is refused before any allocation."""
    out = {}
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            if not info.filename.endswith(".npy"):
                raise ValueError(f"{info.filename!r} is not an array (.npy) entry")
            key = info.filename[:-4]
            with archive.open(info) as handle:
                version = np.lib.format.read_magic(handle)
                reader = {(1, 0): np.lib.format.read_array_header_1_0,
                          (2, 0): np.lib.format.read_array_header_2_0}.get(version)
                if reader is None:
                    raise ValueError(f"array {key!r} has an unknown .npy format version {version}")
                shape, fortran, dtype = reader(handle)
                if dtype.hasobject:
                    raise ValueError(f"array {key!r} holds Python objects (pickled), which are not loaded")
                count = math.prod(shape)
                if count > _MAX_FILE_ENTRIES or count * dtype.itemsize > info.file_size:
                    raise ValueError(f"array {key!r} claims shape {shape} of {dtype} "
                                     f"({count * dtype.itemsize} bytes) but the file holds "
                                     f"{info.file_size} bytes for it")
                handle.seek(0)
                out[key] = np.lib.format.read_array(handle, allow_pickle=False)
    return out


def load_model(path, vocab: Vocabulary = None, cell: str = None) -> LanguageModel:
    """Load a model saved by ``save_model`` with ``np.load(allow_pickle=False)``, checking every array.

    Parameters
    ----------
    path : str or Path of a .npz file
    vocab : Vocabulary or None; if given, the file's vocabulary must be this one (same tokens, same order)
    cell : str or None; if given, the file's cell kind must be this one

    Returns
    -------
    LanguageModel whose arrays equal the saved ones bit for bit.

    Raises
    ------
    FileNotFoundError if there is no such file; ValueError if it is not a readable .npz file (corrupted,
    truncated, pickled objects), if an array has the wrong shape or type or holds NaN / inf, if it
    holds arrays a model of its kind does not have, or if it does not match ``vocab`` / ``cell``;
    KeyError if an array is missing. Every message names the file (not its folder) and the array.
    """
    where = "load_model"
    if not isinstance(path, (str, Path)) or (isinstance(path, str) and not path):
        raise ValueError(f"{where}: path must be the str or Path of a .npz file written by save_model, "
                         f"got {path!r:.60}")
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise FileNotFoundError(f"{where}: no file named {name}")
    if not zipfile.is_zipfile(path):
        with open(path, "rb") as handle:
            npy = handle.read(6) == b"\x93NUMPY"
        if npy:
            raise ValueError(f"{where}: {name} is not a readable .npz file of a language model: it is a .npy "
                             f"file, which holds one array (np.save), not a model; load a file of save_model")
        raise ValueError(f"{where}: {name} is not a readable .npz file of a language model "
                         f"(it may be corrupted or truncated)")
    try:
        arrays = _read_npz(path)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError, RuntimeError, MemoryError) as exc:
        raise ValueError(f"{where}: {name} is not a readable .npz file of a language model "
                         f"(it may be corrupted or truncated: {str(exc)[:120]})") from None
    for key in _META:
        if key not in arrays:
            have = ", ".join(sorted(arrays)) or "nothing"
            raise KeyError(f"{where}: {name} is missing the array '{key}' (it has: {have}); "
                           f"it was not written by save_model")
    fmt = arrays["__format__"]
    if fmt.shape != () or str(fmt) != _FORMAT:
        raise ValueError(f"{where}: {name} has format {str(fmt)!r:.60}, expected {_FORMAT!r}")
    kind, level = str(arrays["__cell__"]), str(arrays["__level__"])
    check_choice(where, f"the cell stored in {name}", kind, CELL_KINDS)
    check_choice(where, f"the level stored in {name}", level, LEVELS)
    n_a_arr = arrays["__n_a__"]
    if n_a_arr.shape != () or not np.issubdtype(n_a_arr.dtype, np.integer) or int(n_a_arr) < 1:
        raise ValueError(f"{where}: {name} stores n_a = {n_a_arr!r:.40}, expected a positive integer")
    n_a = int(n_a_arr)
    itos = arrays["__vocab__"]
    if itos.ndim != 1 or itos.dtype.kind != "U" or list(itos[:3]) != [PAD, UNK, EOS]:
        raise ValueError(f"{where}: {name} stores a vocabulary that does not start with <PAD>, <UNK>, <EOS> "
                         f"(got {itos[:3].tolist() if itos.ndim == 1 else itos!r:.60})")
    try:
        file_vocab = Vocabulary([str(t) for t in itos[3:]], pad=True)
    except ValueError as exc:
        raise ValueError(f"{where}: {name} stores an invalid vocabulary: {exc}") from None
    if vocab is not None and list(vocab.itos) != list(file_vocab.itos):
        raise ValueError(f"{where}: {name} was saved with a different vocabulary ({len(file_vocab)} tokens: "
                         f"{' '.join(file_vocab.itos[:8])} ...) than the expected one ({len(vocab)} tokens: "
                         f"{' '.join(vocab.itos[:8])} ...)")
    if cell is not None and cell != kind:
        raise ValueError(f"{where}: {name} holds a {kind} model, expected a {cell} model")
    V = len(file_vocab)
    shapes = _param_shapes(kind, V, n_a)
    params = {}
    for key, (expected, layout) in shapes.items():
        if key not in arrays:
            have = ", ".join(k for k in sorted(arrays) if k not in _META)
            raise KeyError(f"{where}: {name} is missing the array '{key}' of a {kind} model "
                           f"(it has: {have})")
        arr = arrays[key]
        if arr.dtype != np.float64:
            raise ValueError(f"{where}: array '{key}' of {name} must hold float64 numbers, got dtype {arr.dtype}")
        check_shape(where, f"array '{key}' of {name}", arr, expected, layout,
                    f"for n_a = {n_a} and a vocabulary of V = {V} tokens")
        check_finite(where, f"array '{key}' of {name}", arr)
        params[key] = arr
    extra = sorted(set(arrays) - set(shapes) - set(_META))
    if extra:
        raise ValueError(f"{where}: {name} holds arrays that a {kind} model does not have: {', '.join(extra)}")
    return LanguageModel(params, file_vocab, kind, level)


# ----------------------------------------------------------------------------------------------
# statistics (the plots: helpers/views/language_model_views.py)
# ----------------------------------------------------------------------------------------------

@told_as("corpus_statistics")
def corpus_statistics(token_lists, vocab: Vocabulary) -> dict:
    """Sizes that decide the cost of a language model on a corpus.

    Parameters
    ----------
    token_lists : list of lists of str, vocab : Vocabulary

    Returns
    -------
    dict with n_sequences, vocab_size (V), mean_length and max_length (tokens with <EOS>),
    n_tokens (predictions per epoch), unk_fraction (share of tokens that are <UNK>).
    """
    corpus = encode_corpus(token_lists, vocab)
    real = np.arange(corpus.targets.shape[1])[None, :] < corpus.lengths[:, None]
    n_unk = int(((corpus.targets == vocab.unk_index) & real).sum())
    return {"n_sequences": len(corpus), "vocab_size": len(vocab), "mean_length": float(corpus.lengths.mean()),
            "max_length": int(corpus.lengths.max()), "n_tokens": corpus.n_tokens,
            "unk_fraction": n_unk / corpus.n_tokens}
