"""Small tasks, one for each kind of RNN (notebook 04), and the encoder-decoder model.

    one-to-one       digit -> "is it even?"                    T_x = T_y = 1
    many-to-one      short review phrase -> positive / negative  (data/sentiment_phrases)
    many-to-many     word -> "part of a name?" at every step    (helpers.tasks.ner)
    one-to-many      start digit s -> the last digits of 2s, 3s, 4s, ...     ("count by s")
    encoder-decoder  number words -> digits, "three hundred forty two" -> 3 4 2   (T_x != T_y)

The first four are trained with ``helpers.training.fit``. One-to-many is trained with *teacher
forcing*: the input of step t is the true output of step t - 1, so training is a many-to-many fit;
generating then feeds the network its own previous output instead (``generate``).

The encoder-decoder is two RNNs. The encoder reads the T_x words and keeps only its last state, the
context c = a_enc<T_x>. The decoder starts from a_dec<0> = c and writes T_y digits and then <EOS>:

    encoder   a_enc<t> = tanh(Waa_e @ a_enc<t-1> + Wax_e @ x<t> + ba_e),      a_enc<0> = 0
    decoder   a_dec<j> = tanh(Waa_d @ a_dec<j-1> + Wax_d @ d<j> + ba_d),      a_dec<0> = a_enc<T_x>
              y_hat<j> = softmax(Wy @ a_dec<j> + by)
    d<1> = <GO>, d<j> = y<j-1> (the previous digit: teacher forcing in training, the model's own
    choice when decoding)
    L = sum_j -log y_hat<j>[y<j>]

Backward: the decoder's BPTT ends with dL/da_dec<0>, which is dL/dc; it enters the encoder's BPTT as
the upstream gradient of a_enc<T_x> (the only encoder state the loss sees). With padded batches the
context of example i is the state at its own last word, a_enc<T_i>, and its gradient goes there.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np

from .._checks import (MAX_STEPS, as_float_array, check_choice, check_finite, check_ndim, check_positive_int,
                       check_shape, fmt_shape)
from ..cells import as_cell
from ..losses import output_layer_backward, output_layer_forward, softmax_cross_entropy
from ..optim import Adam
from ..rnn import initialize_rnn_parameters, rnn_backward, rnn_states_forward
from .text import Vocabulary, one_hot
from ..training import _check_model, _example_mean, train_loop

__all__ = [
    "SENTIMENT_PATH",
    "make_parity_task",
    "load_sentiment_phrases",
    "split_phrases",
    "encode_phrases",
    "make_count_by_task",
    "generate",
    "number_to_words",
    "number_vocabulary",
    "encode_numbers",
    "init_encoder_decoder",
    "encoder_decoder_loss",
    "fit_encoder_decoder",
    "greedy_decode",
    "digits_to_str",
    "GO",
    "EOS",
]

#: The phrases of the many-to-one task (written for the course, see data/sentiment_phrases/README.md).
SENTIMENT_PATH = Path(__file__).resolve().parents[2] / "data" / "sentiment_phrases" / "phrases.tsv"

#: Decoder classes 0..9 are the digits; class 10 is <EOS> (in the output) and <GO> (as the first input).
EOS = 10
GO = 10

_ONES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_TEENS = ("ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
          "nineteen")
_TENS = (None, None, "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")


def _check_seed(where, seed):
    return check_positive_int(where, "seed", seed, minimum=0, maximum=None)


# ----------------------------------------------------------------------------------------------
# one-to-one: parity of a digit
# ----------------------------------------------------------------------------------------------

def make_parity_task():
    """The ten digits and whether each is even: a one-to-one task (T_x = T_y = 1).

    Returns
    -------
    x : ndarray (10, 10, 1), one-hot digit d in column d
    y : ndarray (10, 1) of int, 1 if d is even, else 0
    """
    x = np.eye(10)[:, :, None]
    y = (np.arange(10) % 2 == 0).astype(np.int64)[:, None]
    return x, y


# ----------------------------------------------------------------------------------------------
# many-to-one: sentiment of short phrases
# ----------------------------------------------------------------------------------------------

def load_sentiment_phrases(path=None) -> list:
    """Read the labelled phrases: a list of (text, label) with label 1 positive, 0 negative.

    path : str or Path or None, a TSV file of ``text<TAB>label`` lines (default SENTIMENT_PATH).
    """
    where = "load_sentiment_phrases"
    path = SENTIMENT_PATH if path is None else Path(path)
    if not path.is_file():
        raise ValueError(f"{where}: path must be an existing file of text<TAB>label lines, got {str(path)!r}")
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split("\t")
        if len(parts) != 2 or parts[1] not in ("0", "1") or not parts[0].strip():
            raise ValueError(f"{where}: line {number} of {path.name} must be 'text<TAB>0' or 'text<TAB>1', "
                             f"got {line!r}")
        pairs.append((parts[0], int(parts[1])))
    return pairs


def split_phrases(pairs, n_test: int = 24, seed: int = 0):
    """Shuffle (seeded) and split into training and test phrases, half of the test set of each label.

    Every word of a test phrase also occurs in some training phrase (a test phrase whose words were
    never seen is swapped for a training phrase of the same label), so a test error is about word
    order and combination, not about a word the model never read.

    Parameters
    ----------
    pairs : list of (text, label)
    n_test : int >= 2, even, the size of the test set
    seed : int >= 0

    Returns
    -------
    train, test : lists of (text, label)
    """
    where = "split_phrases"
    if not isinstance(pairs, (list, tuple)) or not all(
            isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], str) and p[1] in (0, 1) for p in pairs):
        raise ValueError(f"{where}: pairs must be a list of (text, label) with label 0 or 1, got {pairs!r:.60}")
    n_test = check_positive_int(where, "n_test", n_test, minimum=2)
    if n_test % 2:
        raise ValueError(f"{where}: n_test must be even (half positive, half negative), got {n_test}")
    seed = _check_seed(where, seed)
    rng = np.random.default_rng(seed)
    by_label = {label: [p for p in pairs if p[1] == label] for label in (0, 1)}
    if min(len(v) for v in by_label.values()) <= n_test // 2:
        raise ValueError(f"{where}: n_test must leave training phrases of both labels, got n_test = {n_test} "
                         f"for {len(by_label[0])} negative and {len(by_label[1])} positive phrases")
    train, test = [], []
    for label in (0, 1):
        group = [by_label[label][i] for i in rng.permutation(len(by_label[label]))]
        test.extend(group[:n_test // 2])
        train.extend(group[n_test // 2:])
    # swap a test phrase with an unseen word for a training phrase of the same label whose every word
    # also occurs in another training phrase (so the swap cannot create a new unseen word)
    for _ in range(len(pairs)):
        counts = Counter(w for text, _ in train for w in set(text.split()))
        bad = next((i for i, (text, _) in enumerate(test) if any(counts[w] == 0 for w in text.split())), None)
        if bad is None:
            break
        label = test[bad][1]
        j = next((j for j, (text, lab) in enumerate(train)
                  if lab == label and all(counts[w] >= 2 for w in set(text.split()))), None)
        if j is None:
            raise ValueError(f"{where}: cannot build a test set whose words all occur in training; "
                             f"lower n_test (got {n_test})")
        train[j], test[bad] = test[bad], train[j]
    order = rng.permutation(len(train))
    return [train[i] for i in order], test


def encode_phrases(pairs, vocab: Vocabulary):
    """One-hot inputs, labels and real lengths of a batch of phrases (for ``fit(readout="last")``).

    Parameters
    ----------
    pairs : list of m (text, label)
    vocab : Vocabulary with <PAD>

    Returns
    -------
    x : ndarray (n_x, m, T_x), zero columns at the padding
    y : ndarray (m,) of int
    lengths : ndarray (m,) of int, the number of words of each phrase
    """
    where = "encode_phrases"
    if not isinstance(vocab, Vocabulary) or vocab.pad_index is None:
        raise ValueError(f"{where}: vocab must be a Vocabulary built with pad=True, got {vocab!r:.60}")
    if not isinstance(pairs, (list, tuple)) or not pairs:
        raise ValueError(f"{where}: pairs must be a non-empty list of (text, label), got {pairs!r:.60}")
    indices, mask = vocab.encode_batch([text.split() for text, _ in pairs])
    x = one_hot(indices, len(vocab)) * mask[None]
    y = np.array([label for _, label in pairs], dtype=np.int64)
    return x, y, mask.sum(axis=1).astype(np.int64)


# ----------------------------------------------------------------------------------------------
# one-to-many: count by s
# ----------------------------------------------------------------------------------------------

def make_count_by_task(T_y: int = 6):
    """From a start digit s, write the last digits of 2s, 3s, ..., (T_y + 1)s: "count by s".

    s = 3 gives 6 9 2 5 8 1. The next digit is (previous + s) mod 10, so the network must remember
    s, which it only saw at step 1: the previous digit alone does not say what comes next.

    Teacher forcing: the input of step 1 is s, the input of step t > 1 is the true digit of step t - 1.

    Parameters
    ----------
    T_y : int >= 1, the length of the generated sequence.

    Returns
    -------
    x : ndarray (10, 10, T_y), example s: one-hot of s, then of the targets shifted by one step
    y : ndarray (10, T_y) of int, y[s, t - 1] = (t + 1) * s mod 10
    """
    T_y = check_positive_int("make_count_by_task", "T_y", T_y)
    s = np.arange(10)
    y = ((np.arange(2, T_y + 2)[None, :] * s[:, None]) % 10).astype(np.int64)
    inputs = np.concatenate([s[:, None], y[:, :-1]], axis=1)
    return one_hot(inputs, 10), y


def generate(model: dict, start: int, T_y: int, cell="rnn") -> list:
    """Free-running generation: read the start digit, then feed every output back in as the next input.

        a<1> = cell(x<1> = start, a<0> = 0),   d<t> = argmax_k y_hat<t>_k,   x<t+1> = d<t>

    Parameters
    ----------
    model : dict of ``helpers.training`` (cell parameters, Wy (10, n_a), by (10, 1)), trained on digits
    start : int in 0..9
    T_y : int >= 1, how many digits to write
    cell : "rnn", "gru", "lstm" or a ``cells.Cell``

    Returns
    -------
    digits : list of T_y int
    """
    where = "generate"
    cell = as_cell(where, cell)
    model = _check_model(where, model, cell)
    if isinstance(start, (bool, np.bool_)) or not isinstance(start, (int, np.integer)) or not 0 <= start <= 9:
        raise ValueError(f"{where}: start must be a digit 0..9, got {start!r}")
    T_y = check_positive_int(where, "T_y", T_y)
    params = {k: model[k] for k in cell.param_keys}
    n_a = model["Wy"].shape[1]
    h = np.zeros((n_a, 1))
    current, digits = int(start), []
    for _ in range(T_y):
        out, _ = cell.forward(one_hot(np.array([[current]]), 10), h, params)
        h = out[:, :, 0]
        current = int(np.argmax(model["Wy"] @ h + model["by"]))
        digits.append(current)
    return digits


# ----------------------------------------------------------------------------------------------
# encoder-decoder: number words -> digits
# ----------------------------------------------------------------------------------------------

def number_to_words(n: int) -> list:
    """English words of 0 <= n <= 999, without "and": 342 -> ['three', 'hundred', 'forty', 'two'].

    Returns a list of 1 to 4 lower-case words.
    """
    where = "number_to_words"
    if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)) or not 0 <= n <= 999:
        raise ValueError(f"{where}: n must be an integer in [0, 999], got {n!r}")
    hundreds, rest = divmod(int(n), 100)
    words = [_ONES[hundreds], "hundred"] if hundreds else []
    if rest == 0:
        return words or ["zero"]
    if rest < 10:
        words.append(_ONES[rest])
    elif rest < 20:
        words.append(_TEENS[rest - 10])
    else:
        words.append(_TENS[rest // 10])
        if rest % 10:
            words.append(_ONES[rest % 10])
    return words


def number_vocabulary() -> Vocabulary:
    """The 29 number words (alphabetical) with <PAD>, <UNK>, <EOS>: 32 entries."""
    words = set(_ONES) | set(_TEENS) | {w for w in _TENS if w} | {"hundred"}
    return Vocabulary(sorted(words), pad=True)


def encode_numbers(numbers, vocab: Vocabulary) -> dict:
    """The encoder-decoder's batch for a list of numbers: words in, digits + <EOS> out.

    Parameters
    ----------
    numbers : sequence of m int in [0, 999]
    vocab : Vocabulary with <PAD> (``number_vocabulary()``)

    Returns
    -------
    batch : dict with
        x : ndarray (n_x, m, T_x), the one-hot words (zero columns at the padding)
        lengths : ndarray (m,) of int, the number of words T_i of each example
        d : ndarray (11, m, T_y), decoder inputs: <GO>, then the true digits (teacher forcing)
        y : ndarray (m, T_y) of int, the digits then EOS (padding: 0)
        mask : ndarray (m, T_y), 1 at the digits and the EOS of each example
        numbers : ndarray (m,) of int
    """
    where = "encode_numbers"
    if not isinstance(vocab, Vocabulary) or vocab.pad_index is None:
        raise ValueError(f"{where}: vocab must be a Vocabulary built with pad=True, got {vocab!r:.60}")
    numbers = np.asarray(numbers)
    if numbers.ndim != 1 or numbers.size == 0 or not np.issubdtype(numbers.dtype, np.integer):
        raise ValueError(f"{where}: numbers must be a non-empty 1-D sequence of integers, got {numbers!r:.60}")
    indices, mask_x = vocab.encode_batch([number_to_words(int(n)) for n in numbers])
    targets = [[int(c) for c in str(int(n))] + [EOS] for n in numbers]
    m, T_y = len(targets), max(len(t) for t in targets)
    y = np.zeros((m, T_y), dtype=np.int64)
    mask = np.zeros((m, T_y))
    d = np.zeros((11, m, T_y))
    for i, target in enumerate(targets):
        y[i, :len(target)] = target
        mask[i, :len(target)] = 1.0
        for j, previous in enumerate([GO] + target[:-1]):
            d[previous, i, j] = 1.0
    return {"x": one_hot(indices, len(vocab)) * mask_x[None], "lengths": mask_x.sum(axis=1).astype(np.int64),
            "d": d, "y": y, "mask": mask, "numbers": numbers.astype(np.int64)}


_ENC = ("enc_Wax", "enc_Waa", "enc_ba")
_DEC = ("dec_Wax", "dec_Waa", "dec_ba")
_KEYS = _ENC + _DEC + ("Wy", "by")


def init_encoder_decoder(n_x: int, n_a: int, n_y: int = 11, n_d: int = 11, seed: int = 0) -> dict:
    """Random encoder-decoder parameters (``initialize_rnn_parameters`` for each RNN).

    Parameters
    ----------
    n_x : int, encoder input size (vocabulary);  n_a : int, hidden units of both RNNs;
    n_y : int, output classes;  n_d : int, decoder input size;  seed : int >= 0.

    Returns
    -------
    params : dict enc_Wax (n_a, n_x), enc_Waa (n_a, n_a), enc_ba (n_a, 1), dec_Wax (n_a, n_d),
        dec_Waa (n_a, n_a), dec_ba (n_a, 1), Wy (n_y, n_a), by (n_y, 1)
    """
    where = "init_encoder_decoder"
    n_x, n_a, n_y, n_d = (check_positive_int(where, name, value)
                          for name, value in (("n_x", n_x), ("n_a", n_a), ("n_y", n_y), ("n_d", n_d)))
    seed = _check_seed(where, seed)
    enc = initialize_rnn_parameters(n_x, n_a, n_y, seed=seed)
    dec = initialize_rnn_parameters(n_d, n_a, n_y, seed=seed + 1)
    return {"enc_Wax": enc["Wax"], "enc_Waa": enc["Waa"], "enc_ba": enc["ba"],
            "dec_Wax": dec["Wax"], "dec_Waa": dec["Waa"], "dec_ba": dec["ba"],
            "Wy": dec["Wya"], "by": dec["by"]}


def _check_ed_params(where, params):
    if not isinstance(params, dict):
        raise ValueError(f"{where}: params must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in _KEYS if k not in params]
    if missing:
        raise KeyError(f"{where}: params is missing the key '{missing[0]}' (it needs: {', '.join(_KEYS)})")
    for key in _KEYS:
        check_finite(where, f"params['{key}']", as_float_array(where, f"params['{key}']", params[key]))
    enc = {k[4:]: params[k] for k in _ENC}
    dec = {k[4:]: params[k] for k in _DEC}
    return enc, dec


def _check_inputs(where, x, lengths, name="x"):
    """Encoder inputs: x (n_x, m, T_x) finite, lengths (m,) integers in [1, T_x]."""
    x = as_float_array(where, name, x)
    check_ndim(where, name, x, 3, "(n_x, m, T_x)")
    check_finite(where, name, x)
    m, T_x = x.shape[1], x.shape[2]
    lengths = np.asarray(lengths)
    if lengths.shape != (m,) or not np.issubdtype(lengths.dtype, np.integer) or lengths.min() < 1 \
            or lengths.max() > T_x:
        raise ValueError(f"{where}: lengths must be integers in [1, T_x] = [1, {T_x}] of shape (m,) = ({m},), "
                         f"got {lengths!r:.60}")
    return x, lengths


def _check_batch(where, batch):
    if not isinstance(batch, dict):
        raise ValueError(f"{where}: batch must be the dict of encode_numbers, got {type(batch).__name__}")
    for key in ("x", "lengths", "d", "y", "mask"):
        if key not in batch:
            raise KeyError(f"{where}: batch is missing the key '{key}' (it needs: x, lengths, d, y, mask)")
    x, lengths = _check_inputs(where, batch["x"], batch["lengths"], "batch['x']")
    d = as_float_array(where, "batch['d']", batch["d"])
    check_ndim(where, "batch['d']", d, 3, "(n_d, m, T_y)")
    check_shape(where, "batch['d']", d, (None, x.shape[1], None), "(n_d, m, T_y)",
                f"to match batch['x'] {fmt_shape(x.shape)}")
    return x, lengths, d


def _encode(enc, x, lengths):
    """Encoder states and the context a_enc<T_i> of every example."""
    n_a, m = enc["Waa"].shape[0], x.shape[1]
    h, cache = rnn_states_forward(x, np.zeros((n_a, m)), enc)
    return h, cache, h[:, np.arange(m), lengths - 1]


def encoder_decoder_loss(params: dict, batch: dict, reduction: str = "mean"):
    """Softmax cross-entropy of the decoder's outputs (teacher forcing) and the exact gradients.

    Forward: encoder over the words, context c<i> = a_enc<T_i>, decoder from c over d<1..T_y>.
    Backward: output layer, decoder BPTT (which gives dL/dc = dL/da_dec<0>), then encoder BPTT with
    dL/dc placed at step T_i of example i (zero upstream gradient at every other encoder step).

    Parameters
    ----------
    params : dict of ``init_encoder_decoder``
    batch : dict of ``encode_numbers`` (x, lengths, d, y, mask)
    reduction : "mean" (divide by m) or "sum"

    Returns
    -------
    loss : float
    grads : dict "d" + every key of params
    """
    where = "encoder_decoder_loss"
    check_choice(where, "reduction", reduction, ("mean", "sum"))
    enc, dec = _check_ed_params(where, params)
    x, lengths, d = _check_batch(where, batch)
    m = x.shape[1]
    h, enc_cache, context = _encode(enc, x, lengths)
    s, dec_cache = rnn_states_forward(d, context, dec)
    z = output_layer_forward(s, params["Wy"], params["by"])
    loss, dz = softmax_cross_entropy(z, batch["y"], mask=batch["mask"], reduction=reduction)
    dWy, dby, ds = output_layer_backward(dz, s, params["Wy"])
    g_dec = rnn_backward(ds, dec_cache)
    dh = np.zeros_like(h)
    dh[:, np.arange(m), lengths - 1] = g_dec["da0"]
    g_enc = rnn_backward(dh, enc_cache)
    grads = {"dWy": dWy, "dby": dby}
    for key in ("Wax", "Waa", "ba"):
        grads["denc_" + key] = g_enc["d" + key]
        grads["ddec_" + key] = g_dec["d" + key]
    return loss, grads


def fit_encoder_decoder(params: dict, batch: dict, epochs: int = 10, batch_size: int = 32,
                        learning_rate: float = 0.01, clip: float = 5.0, seed: int = 0):
    """Train with mini-batches of Adam steps (gradients clipped by global norm); returns (params, history).

    The steps are those of ``training.train_loop``, with the loss of ``encoder_decoder_loss`` (teacher
    forcing) on each mini-batch.

    Parameters
    ----------
    params : dict of ``init_encoder_decoder`` (not changed)
    batch : dict of ``encode_numbers``, the whole training set
    epochs, batch_size : int >= 1
    learning_rate : float > 0;  clip : float > 0, the global-norm threshold;  seed : int >= 0 (shuffling)

    Returns
    -------
    params : dict, the trained parameters
    history : ndarray (epochs,), the mean loss per example in each epoch
    """
    where = "fit_encoder_decoder"
    epochs = check_positive_int(where, "epochs", epochs, maximum=MAX_STEPS)
    batch_size = check_positive_int(where, "batch_size", batch_size)
    seed = _check_seed(where, seed)
    for name, value in (("learning_rate", learning_rate), ("clip", clip)):
        if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) \
                or not np.isfinite(value) or value <= 0:
            raise ValueError(f"{where}: {name} must be a positive finite number, got {value!r}")
    _check_ed_params(where, params)
    x, _, _ = _check_batch(where, batch)
    N = x.shape[1]
    rng = np.random.default_rng(seed)

    def batches(epoch):
        """The epoch's mini-batches: the examples shuffled, then cut into parts of batch_size."""
        order = rng.permutation(N)
        for start in range(0, N, batch_size):
            idx = order[start:start + batch_size]
            yield {"x": batch["x"][:, idx], "lengths": batch["lengths"][idx], "d": batch["d"][:, idx],
                   "y": batch["y"][idx], "mask": batch["mask"][idx], "size": len(idx)}

    params, run = train_loop({k: params[k] for k in _KEYS}, encoder_decoder_loss, batches, Adam(learning_rate),
                             epochs, clip=clip, on_epoch=lambda epoch, p, records: _example_mean(records, N),
                             where=where, advice="lower the learning rate")
    return params, np.array(run["epochs"])


def greedy_decode(params: dict, x, lengths, max_len: int = 5) -> np.ndarray:
    """Read the words, then write digits one at a time, each the most likely, fed back as the next input.

    Parameters
    ----------
    params : dict of ``init_encoder_decoder``
    x : ndarray (n_x, m, T_x);  lengths : ndarray (m,) of int
    max_len : int >= 1, the most outputs written (an example stops at its first EOS)

    Returns
    -------
    outputs : ndarray (m, max_len) of int, EOS after the end of every finished example
    """
    where = "greedy_decode"
    enc, dec = _check_ed_params(where, params)
    max_len = check_positive_int(where, "max_len", max_len)
    x, lengths = _check_inputs(where, x, lengths)
    n_x = np.shape(enc["Wax"])[1]
    check_shape(where, "x", x, (n_x, None, None), "(n_x, m, T_x)", f"to match params['enc_Wax'] with n_x = {n_x}")
    m = x.shape[1]
    _, _, state = _encode(enc, x, lengths)
    previous = np.full(m, GO)
    done = np.zeros(m, dtype=bool)
    outputs = np.full((m, max_len), EOS, dtype=np.int64)
    n_d = dec["Wax"].shape[1]
    for j in range(max_len):
        d = np.zeros((n_d, m, 1))
        d[previous, np.arange(m), 0] = 1.0
        s, _ = rnn_states_forward(d, state, dec)
        state = s[:, :, 0]
        previous = np.argmax(params["Wy"] @ state + params["by"], axis=0)
        outputs[:, j] = np.where(done, EOS, previous)
        done |= previous == EOS
        if done.all():
            break
    return outputs


def digits_to_str(outputs) -> list:
    """Rows of decoder outputs -> strings of digits, each cut at its first EOS: [[3, 4, 2, 10]] -> ['342']."""
    rows = np.asarray(outputs)
    if rows.ndim != 2:
        raise ValueError(f"digits_to_str: outputs must be 2-D (m, T_y), got shape {fmt_shape(rows.shape)}")
    result = []
    for row in rows:
        digits = []
        for v in row:
            if v == EOS:
                break
            digits.append(str(int(v)))
        result.append("".join(digits))
    return result
