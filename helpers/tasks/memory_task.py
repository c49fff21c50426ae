"""A memory task: remember the subject's number across a gap of distractor words.

The lecture's example of a long-range dependency is agreement between a subject and its verb:

    the cat  which already ate ... and then slept  was  full
    the cats which already ate ... and then slept  were full

To choose "was" or "were" a model has to carry one bit (singular or plural) from the noun to the
verb, across every word in between. This module makes that a small, exactly controlled data set.
Each example is the token sequence

    the, noun, d_1, ..., d_g, <verb>          noun in {cat, cats, ...},  d_k drawn from the distractors

of length T_i = g + 3, where g is the gap: the number of distractor tokens between the noun and the
"<verb>" token that asks for the verb. The model reads it left to right and answers once, at the last
step (many-to-one); the label is

    y = 0 ("was")  if the noun is singular,        y = 1 ("were") if it is plural.

The label depends on the noun only; the distractors never contain a noun, so they carry no
information about it, and a model that has forgotten the noun can do no better than chance (1/2 on
a balanced set).

Inputs are one-hot columns over the task's vocabulary (n_x = its size): x<t>_j = 1 if j is the index
of token t. With a range of gaps, (g_min, g_max), the sequences have different lengths; they are
stored in one array of T_x = g_max + 3 steps with all-zero columns after each example's end, and
``lengths`` holds every T_i, so that ``training.fit(..., readout="last", lengths=task.lengths)``
reads each example's state at its own last step.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .._blas import one_blas_thread
from .._checks import MAX_STEPS, as_float_array, check_positive_int
from ..cells import as_cell
from ..optim import Adam
from ..training import (_batch_loss, _example_batches, _example_mean, _fit_data, accuracy, check_optimizer, init_model,
                        train_loop)

__all__ = [
    "VERB",
    "CLASSES",
    "DEFAULT_NOUNS",
    "DEFAULT_DISTRACTORS",
    "MemoryTask",
    "memory_task_vocabulary",
    "encode_tokens",
    "make_memory_task",
    "fit_memory_task",
]

VERB = "<verb>"
CLASSES = ("was", "were")
DEFAULT_NOUNS = (("cat", "cats"),)
DEFAULT_DISTRACTORS = ("which", "already", "ate", "a", "lot", "of", "food", "and", "then",
                       "slept", "on", "mat", "after", "long", "day", "in")


# ----------------------------------------------------------------------------------------------
# argument checks
# ----------------------------------------------------------------------------------------------

def _check_words(where, name, words, minimum=1):
    """A list/tuple of distinct, non-empty str words; returns it as a tuple."""
    if isinstance(words, str) or not isinstance(words, (list, tuple)):
        raise ValueError(f"{where}: {name} must be a list or tuple of str words, got {type(words).__name__}")
    if len(words) < minimum:
        raise ValueError(f"{where}: {name} must hold at least {minimum} word(s), got {len(words)}")
    for word in words:
        if not isinstance(word, str) or not word or word != word.strip():
            raise ValueError(f"{where}: {name} must hold non-empty str words without surrounding spaces, "
                             f"got {word!r}")
    if len(set(words)) != len(words):
        twice = sorted({w for w in words if words.count(w) > 1})
        raise ValueError(f"{where}: {name} must not repeat a word, got {', '.join(twice)} more than once")
    return tuple(words)


def _check_nouns(where, nouns):
    """A list of (singular, plural) pairs of distinct words; returns it as a tuple of tuples."""
    if isinstance(nouns, str) or not isinstance(nouns, (list, tuple)) or not nouns:
        raise ValueError(f"{where}: nouns must be a non-empty list of (singular, plural) pairs, got {nouns!r}")
    pairs = []
    for pair in nouns:
        if isinstance(pair, str) or not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise ValueError(f"{where}: nouns must hold (singular, plural) pairs, got {pair!r}")
        pairs.append(tuple(pair))
    _check_words(where, "the words of nouns", [w for pair in pairs for w in pair], minimum=2)
    return tuple(pairs)


def _check_vocabulary_parts(where, nouns, distractors):
    nouns = _check_nouns(where, DEFAULT_NOUNS if nouns is None else nouns)
    distractors = _check_words(where, "distractors", DEFAULT_DISTRACTORS if distractors is None else distractors)
    reserved = {"the", VERB} | {w for pair in nouns for w in pair}
    clash = [w for w in distractors if w in reserved - {"the"}]
    if clash:
        raise ValueError(f"{where}: distractors must not contain a noun or {VERB!r} (they would give the "
                         f"answer away or mark the wrong step), got {', '.join(repr(w) for w in clash)}")
    return nouns, distractors


def _check_gap(where, gap):
    """gap: int >= 0, or a pair (g_min, g_max) with 0 <= g_min <= g_max; returns (g_min, g_max)."""
    if isinstance(gap, (tuple, list)):
        if len(gap) != 2:
            raise ValueError(f"{where}: gap must be an int >= 0 or a pair (g_min, g_max), got {gap!r}")
        lo = check_positive_int(where, "gap[0] (g_min)", gap[0], minimum=0)
        hi = check_positive_int(where, "gap[1] (g_max)", gap[1], minimum=0)
        if lo > hi:
            raise ValueError(f"{where}: gap (g_min, g_max) must have g_min <= g_max, got {gap!r}")
        return lo, hi
    g = check_positive_int(where, "gap", gap, minimum=0)
    return g, g


# ----------------------------------------------------------------------------------------------
# the data set
# ----------------------------------------------------------------------------------------------

@dataclass(frozen=True, eq=False)
class MemoryTask:
    """A batch of the memory task (see the module docstring).

    Attributes
    ----------
    x : ndarray (n_x, m, T_x)
        One-hot inputs; the columns after an example's last step are all zero.
    y : ndarray (m,) int
        0 ("was") for a singular noun, 1 ("were") for a plural one.
    lengths : ndarray (m,) int
        T_i = gap_i + 3, the number of real steps of each example.
    gaps : ndarray (m,) int
        The number of distractor tokens between the noun and "<verb>".
    tokens : tuple of m tuples of str
        The words of each example (without padding).
    vocab : tuple of str
        The vocabulary; token ``vocab[j]`` is input row j.
    nouns : tuple of (singular, plural) pairs
    distractors : tuple of str
    gap_range : (g_min, g_max), the gaps the examples were drawn from
    balanced : bool, seed : int, the other settings of make_memory_task (for ``redraw``)
    """

    x: np.ndarray
    y: np.ndarray
    lengths: np.ndarray
    gaps: np.ndarray
    tokens: tuple
    vocab: tuple
    nouns: tuple
    distractors: tuple
    gap_range: tuple
    balanced: bool
    seed: int

    @property
    def n_x(self) -> int:
        """The input size (vocabulary size)."""
        return self.x.shape[0]

    @property
    def m(self) -> int:
        """The number of examples."""
        return self.x.shape[1]

    @property
    def T_x(self) -> int:
        """The number of time steps of the array (the longest example)."""
        return self.x.shape[2]

    @property
    def classes(self) -> tuple:
        """The answers, by label: ("was", "were")."""
        return CLASSES

    def sentence(self, i: int) -> str:
        """Example i as text with its answer, e.g. "the cat which ate <verb> -> was"."""
        i = check_positive_int("MemoryTask.sentence", "i", i, minimum=0)
        if i >= self.m:
            raise ValueError(f"MemoryTask.sentence: i must be < m = {self.m}, got {i}")
        return " ".join(self.tokens[i]) + " -> " + CLASSES[int(self.y[i])]

    def redraw(self, seed: int) -> "MemoryTask":
        """A new task with the same settings (m, gap range, nouns, distractors, balance) and another seed."""
        return make_memory_task(self.m, self.gap_range, nouns=self.nouns, distractors=self.distractors,
                                seed=seed, balanced=self.balanced)

    def __repr__(self):
        lo, hi = self.gap_range
        gap = f"{lo}" if lo == hi else f"{lo}..{hi}"
        return f"MemoryTask(m={self.m}, gap={gap}, n_x={self.n_x}, T_x={self.T_x})"


def memory_task_vocabulary(nouns=None, distractors=None) -> tuple:
    """The vocabulary of the task, in input-row order.

        ("the", singular nouns..., plural nouns..., distractors not already listed..., "<verb>")

    Parameters
    ----------
    nouns : list of (singular, plural) str pairs, default (("cat", "cats"),)
    distractors : list of str, default DEFAULT_DISTRACTORS; may contain "the", never a noun or "<verb>".

    Returns
    -------
    vocab : tuple of str, of length n_x = 2 + 2 len(nouns) + (distractors other than "the").
    """
    nouns, distractors = _check_vocabulary_parts("memory_task_vocabulary", nouns, distractors)
    words = ["the"] + [s for s, _ in nouns] + [p for _, p in nouns]
    words += [w for w in distractors if w != "the"]
    return tuple(words + [VERB])


def encode_tokens(tokens, vocab) -> np.ndarray:
    """One sentence as a batch of one: x (n_x, 1, T) with x[j, 0, t] = 1 if tokens[t] == vocab[j].

    Parameters
    ----------
    tokens : list of str, length T >= 1, every token in ``vocab``
    vocab : tuple of str, length n_x (e.g. from memory_task_vocabulary)

    Returns
    -------
    x : ndarray (n_x, 1, T) float64, one-hot columns.
    """
    where = "encode_tokens"
    if isinstance(tokens, str) or not isinstance(tokens, (list, tuple)) or not tokens:
        raise ValueError(f"{where}: tokens must be a non-empty list of str, got {tokens!r:.60}")
    vocab = _check_words(where, "vocab", vocab)
    index = {w: j for j, w in enumerate(vocab)}
    missing = [t for t in tokens if t not in index]
    if missing:
        raise ValueError(f"{where}: every token must be in vocab, got unknown token(s) "
                         f"{', '.join(repr(t) for t in missing[:5])}")
    x = np.zeros((len(vocab), 1, len(tokens)))
    x[[index[t] for t in tokens], 0, np.arange(len(tokens))] = 1.0
    return x


def make_memory_task(m: int, gap, *, nouns=None, distractors=None, seed: int = 0,
                     balanced: bool = True) -> MemoryTask:
    """Draw m examples of the memory task.

    Example i is (the, noun_i, d_1 .. d_{g_i}, <verb>) with label y_i = 0 if noun_i is singular, 1 if
    plural. Drawn from np.random.default_rng(seed), in this order: the labels (with ``balanced``, a
    random permutation of m // 2 zeros and m - m // 2 ones; otherwise independent fair coins), the
    noun pair of every example (uniform), the gap of every example (uniform on g_min..g_max), and the
    distractors (independent and uniform over ``distractors``).

    Parameters
    ----------
    m : int >= 1, the number of examples.
    gap : int >= 0, or (g_min, g_max) with 0 <= g_min <= g_max
        The number of distractor tokens between the noun and "<verb>".
    nouns : list of (singular, plural) pairs of str, default (("cat", "cats"),)
    distractors : list of distinct str, default DEFAULT_DISTRACTORS
        The words of the gap; they must not contain a noun or "<verb>".
    seed : int >= 0, the seed of the generator: the same seed gives the same task.
    balanced : bool, exactly half (m // 2) of the labels are 0.

    Returns
    -------
    task : MemoryTask with x (n_x, m, g_max + 3), y (m,), lengths (m,), gaps (m,), tokens, vocab.
    """
    where = "make_memory_task"
    m = check_positive_int(where, "m", m)
    g_min, g_max = _check_gap(where, gap)
    nouns, distractors = _check_vocabulary_parts(where, nouns, distractors)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    if not isinstance(balanced, (bool, np.bool_)):
        raise ValueError(f"{where}: balanced must be True or False, got {balanced!r}")
    vocab = memory_task_vocabulary(nouns, distractors)

    rng = np.random.default_rng(seed)
    if balanced:
        y = rng.permutation(np.arange(m) >= m // 2).astype(int)
    else:
        y = rng.integers(0, 2, size=m)
    pair = rng.integers(0, len(nouns), size=m)
    gaps = rng.integers(g_min, g_max + 1, size=m)
    fill = rng.integers(0, len(distractors), size=(m, g_max))

    index = {w: j for j, w in enumerate(vocab)}
    T_x = g_max + 3
    x = np.zeros((len(vocab), m, T_x))
    tokens = []
    for i in range(m):
        words = ["the", nouns[pair[i]][y[i]]] + [distractors[k] for k in fill[i, :gaps[i]]] + [VERB]
        x[[index[w] for w in words], i, np.arange(len(words))] = 1.0
        tokens.append(tuple(words))
    return MemoryTask(x=x, y=y, lengths=gaps + 3, gaps=gaps, tokens=tuple(tokens), vocab=vocab,
                      nouns=nouns, distractors=distractors, gap_range=(g_min, g_max), balanced=bool(balanced),
                      seed=seed)


# ----------------------------------------------------------------------------------------------
# training a model on it
# ----------------------------------------------------------------------------------------------

@one_blas_thread
def fit_memory_task(cell, train: MemoryTask, test: MemoryTask, n_a: int, *, steps: int = 100,
                    fresh: bool = True, keep_bias: float = 0.0, optimizer=None, seed: int = 0) -> dict:
    """Train a one-layer model of ``cell`` on the memory task (many-to-one) and score it.

    The model is ``training.init_model(cell, n_x, n_a, 2, seed)``. With ``keep_bias`` = b > 0 the gate
    that decides how much old memory is kept starts biased towards keeping it: the GRU's update gate
    bias becomes bu - b (Gamma_u starts near sigmoid(-b)), the LSTM's forget gate bias bf + b (Gamma_f
    near sigmoid(b)). Each of ``steps`` updates is one step of ``training.train_loop`` on one batch,
    its examples shuffled as in an epoch of ``training.fit``: with ``fresh`` a new batch with the
    settings of ``train`` (``train.redraw``, seeds drawn from ``seed``; the first batch is ``train``
    itself), so no sentence is seen twice; otherwise ``train`` every time.
    Readout at every example's own last step, softmax cross-entropy, Adam(0.01) unless an optimiser is
    given, gradient norm clipped at 5. Runs with one BLAS thread, like ``training.fit`` (``_blas.py``).

    Parameters
    ----------
    cell : "rnn", "gru", "lstm" or a cells.Cell
    train, test : MemoryTask with the same vocabulary
    n_a : int >= 1, the number of hidden units.
    steps : int >= 1, the number of parameter updates (the training budget).
    fresh : bool
    keep_bias : float >= 0 (gated cells only; the RNN has no gate to bias).
    optimizer : an optim optimiser, default Adam(0.01)
    seed : int >= 0, for the initial parameters, the batches and the shuffling.

    Returns
    -------
    dict with model (parameters dict), history (steps,) the training loss of every update,
    train_accuracy (on ``train``) and test_accuracy (on ``test``), floats in [0, 1].
    """
    where = "fit_memory_task"
    for name, task in (("train", train), ("test", test)):
        if not isinstance(task, MemoryTask):
            raise ValueError(f"{where}: {name} must be a MemoryTask (from make_memory_task), "
                             f"got {type(task).__name__}")
    if train.vocab != test.vocab:
        raise ValueError(f"{where}: train and test must share one vocabulary, got {len(train.vocab)} and "
                         f"{len(test.vocab)} words ({train.vocab[:3]}... vs {test.vocab[:3]}...)")
    n_a = check_positive_int(where, "n_a", n_a)
    steps = check_positive_int(where, "steps", steps, maximum=MAX_STEPS)
    seed = check_positive_int(where, "seed", seed, minimum=0, maximum=None)
    if not isinstance(fresh, (bool, np.bool_)):
        raise ValueError(f"{where}: fresh must be True or False, got {fresh!r}")
    if isinstance(keep_bias, bool) or not isinstance(keep_bias, (int, float, np.integer, np.floating)) \
            or not np.isfinite(keep_bias) or keep_bias < 0:
        raise ValueError(f"{where}: keep_bias must be a finite number >= 0, got {keep_bias!r}")
    kind = as_cell(where, cell).kind
    if keep_bias and kind == "rnn":
        raise ValueError(f"{where}: keep_bias applies to the gated cells (gru, lstm); the rnn has no gate, "
                         f"got keep_bias={keep_bias!r}")

    model = init_model(cell, train.n_x, n_a, 2, seed=seed)
    if kind == "gru":
        model["bu"] = model["bu"] - keep_bias
    elif kind == "lstm":
        model["bf"] = model["bf"] + keep_bias
    optimizer = Adam(0.01) if optimizer is None else check_optimizer(where, optimizer)
    batch_seeds = np.random.default_rng(seed).integers(0, 2 ** 31, size=steps)
    loss_fn = _batch_loss(where, as_cell(where, cell), "last")

    def batches(step):
        """Step ``step``'s batch (a fresh draw or ``train``), its examples shuffled like one epoch of fit."""
        batch = train.redraw(int(batch_seeds[step])) if fresh and step else train
        x = as_float_array(where, "x", batch.x)
        data = _fit_data(where, 2, x, batch.y, "last", None, batch.lengths)
        return _example_batches(np.random.default_rng(int(batch_seeds[step])), data["N"], data["N"], data)

    model, run = train_loop(model, loss_fn, batches, optimizer, steps, clip=5.0,
                            on_epoch=lambda step, params, records: _example_mean(records, records[0]["batch"]["size"]),
                            where=where, unit="step")
    history = np.array(run["epochs"])
    return {"model": model, "history": history,
            "train_accuracy": accuracy(model, train.x, train.y, cell, readout="last", lengths=train.lengths),
            "test_accuracy": accuracy(model, test.x, test.y, cell, readout="last", lengths=test.lengths)}
