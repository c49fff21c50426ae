"""Checks for the "Your turn" exercises: run the learner's function next to the course's, say what is wrong.

Every code exercise has one check, ``check_<exercise>(learner_function)``. It calls the learner's
function and the reference implementation (built on the other modules of ``helpers``) on a few seeded
random inputs and compares every output. When they differ, it also runs a catalogue of common
mistakes, each written as the wrong function a learner might write, on the same inputs: if the
learner's outputs are those of a catalogued mistake (or the learner's function fails with the same
error the mistake produces), the message names the mistake and says how to fix it. Otherwise it says
which output is wrong and by how much. A function whose body still reads ``raise NotImplementedError()``
gets a message saying it is not written yet.

A check prints one line when everything agrees and raises ``ExerciseError`` (an ``AssertionError``, so
an autograder counts it as a failed test) when it does not.

The predict-then-check questions work the same way with a number or a letter: ``check_question(key,
learner_function)`` calls the learner's function, which returns the answer, compares it with the right
answer and, for a wrong answer that a known slip of reasoning produces, says which slip.

Exercises (notebook: learner function -> check):

    02  rnn_cell_step(xt, a_prev, parameters) -> a_next, yt_pred            check_rnn_cell_step
    03  bptt(da, x, a0, a, parameters) -> dict dx, da0, dWax, dWaa, dba     check_bptt
    06  sample_step(z, temperature, rng) -> p, index                         check_sample_step
    07  clip_global(gradients, max_norm) -> dict of clipped gradients        check_clip_global
    08  gru_step(xt, c_prev, parameters) -> c_next                           check_gru_step
    09  lstm_step(xt, a_prev, c_prev, parameters) -> a_next, c_next          check_lstm_step
    10  brnn_output(a_fwd, a_bwd_run, Wy, by) -> y_hat                       check_brnn_output
    11  deep_rnn_states(x, layers) -> [a^[1], ..., a^[L]]                    check_deep_rnn_states

and the questions listed in ``QUESTIONS``.
"""
from __future__ import annotations

import copy
import warnings
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .activations import sigmoid, softmax
from .gru import gru_cell_forward
from .lstm import lstm_cell_forward
from .optim import clip_by_global_norm
from .rnn import rnn_backward, rnn_cell_forward, rnn_states_forward

__all__ = [
    "ExerciseError",
    "EXERCISES",
    "QUESTIONS",
    "check_rnn_cell_step",
    "check_bptt",
    "check_sample_step",
    "check_clip_global",
    "check_gru_step",
    "check_lstm_step",
    "check_brnn_output",
    "check_deep_rnn_states",
    "check_question",
]

RTOL, ATOL = 1e-6, 1e-9     # two correct implementations differ by rounding only, far below this


class ExerciseError(AssertionError):
    """An exercise's function is missing, fails, or computes something else than it should."""


@dataclass
class Mistake:
    """A catalogued mistake: a short title, how to fix it, and the wrong function that makes it."""

    title: str
    fix: str
    fn: Callable


@dataclass
class Exercise:
    """One code exercise: the learner's function name, its outputs, inputs, reference and mistakes."""

    name: str
    signature: str
    outputs: tuple
    cases: Callable            # () -> list of argument tuples (seeded, the same on every call)
    reference: Callable
    mistakes: list = field(default_factory=list)
    kind: str = "tuple"        # "tuple" (or one array), "dict" (keys = outputs), "list" (outputs = its items)


# ----------------------------------------------------------------------------------------------
# running and comparing
# ----------------------------------------------------------------------------------------------

def _call(fn, args):
    """fn(*args) on private copies of args, numpy warnings silenced; returns (result, exception)."""
    args = copy.deepcopy(args)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        try:
            return fn(*args), None
        except NotImplementedError:
            raise
        except Exception as exc:                     # noqa: BLE001 - the learner's code may raise anything
            return None, exc


def _as_outputs(ex: Exercise, result, who: str) -> dict:
    """The result of ``ex``'s function as {output name: ndarray}; raise ExerciseError if its form is wrong."""
    names = ex.outputs
    if ex.kind == "dict":
        if not isinstance(result, dict):
            raise ExerciseError(f"{who} must return a dict with the keys {', '.join(names)}, "
                                f"got {type(result).__name__}")
        missing = [k for k in names if k not in result]
        if missing:
            raise ExerciseError(f"{who} returned a dict without the key(s) {', '.join(missing)} "
                                f"(expected the keys {', '.join(names)})")
        values = [result[k] for k in names]
    elif ex.kind == "list":
        if not isinstance(result, (list, tuple)) or len(result) != len(names):
            got = f"{type(result).__name__} of length {len(result)}" if isinstance(result, (list, tuple)) \
                else type(result).__name__
            raise ExerciseError(f"{who} must return a list of {len(names)} arrays, one per layer "
                                f"({', '.join(names)}), got {got}")
        values = list(result)
    elif len(names) == 1:
        values = [result]
    else:
        if not isinstance(result, tuple) or len(result) != len(names):
            got = f"a tuple of {len(result)} values" if isinstance(result, tuple) else type(result).__name__
            raise ExerciseError(f"{who} must return {len(names)} values, {', '.join(names)}, got {got}")
        values = list(result)
    out = {}
    for name, value in zip(names, values):
        try:
            out[name] = np.asarray(value, dtype=np.float64)
        except (TypeError, ValueError):
            raise ExerciseError(f"{who}: {name} must be an array of numbers, got {type(value).__name__}") from None
    return out


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=RTOL, atol=ATOL, equal_nan=True))


def _difference(name: str, got: np.ndarray, want: np.ndarray) -> str:
    """One line saying how output ``name`` differs from what it should be."""
    if got.shape != want.shape:
        return f"{name} has shape {got.shape}, expected {want.shape}"
    bad_got, bad_want = ~np.isfinite(got), ~np.isfinite(want)
    if (bad_got & ~bad_want).any():
        return f"{name} holds {int((bad_got & ~bad_want).sum())} NaN/inf value(s) where the expected values are finite"
    gap = np.abs(got - want)
    where = np.unravel_index(int(np.argmax(gap)), gap.shape) if gap.ndim else ()
    scale = float(np.abs(want).max()) if want.size else 0.0
    at = f" at index {tuple(int(i) for i in where)}" if gap.ndim else ""
    return (f"{name} differs from the expected values by up to {float(gap.max()):.3g}{at} "
            f"(the expected values are up to {scale:.3g} in size)")


def _shapes(args) -> str:
    parts = []
    for a in args:
        if isinstance(a, np.ndarray):
            parts.append(str(a.shape))
        elif isinstance(a, dict):
            parts.append("{" + ", ".join(f"{k}: {np.shape(v)}" for k, v in a.items()) + "}")
        elif isinstance(a, list):
            parts.append(f"[{len(a)} layers]")
        else:
            parts.append(type(a).__name__ if isinstance(a, np.random.Generator) else repr(a))
    return ", ".join(parts)


def _same_error(e1: BaseException, e2: BaseException) -> bool:
    return type(e1) is type(e2) and str(e1) == str(e2)


def _changed_inputs(args, before) -> list:
    """Names (positions) of array arguments that the learner's function changed in place."""
    changed = []
    for i, (a, b) in enumerate(zip(args, before)):
        if isinstance(a, np.ndarray) and not np.array_equal(a, b, equal_nan=True):
            changed.append(f"argument {i + 1}")
        elif isinstance(a, dict):
            for k, v in a.items():
                if isinstance(v, np.ndarray) and not np.array_equal(v, b[k], equal_nan=True):
                    changed.append(f"{k}")
    return changed


def _diagnose(ex: Exercise, fn, args, got, error) -> str:
    """The message for a function whose result (or error) differs from the reference on ``args``."""
    who = f"{ex.name}({_shapes(args)})"
    want = _as_outputs(ex, _call(ex.reference, args)[0], "the reference")
    for mistake in ex.mistakes:
        m_result, m_error = _call(mistake.fn, args)
        if error is not None:
            if m_error is not None and _same_error(error, m_error):
                return f"{ex.name}: it looks like {mistake.title}. {mistake.fix}"
            continue
        if m_error is not None:
            continue
        m_out = _as_outputs(ex, m_result, mistake.title)
        if all(_same(got[k], m_out[k]) for k in ex.outputs):
            return f"{ex.name}: it looks like {mistake.title}. {mistake.fix}"
    if error is not None:
        return (f"{ex.name} raised {type(error).__name__}: {error}\n(called as {who}; the traceback above "
                f"shows the line)")
    lines = [_difference(k, got[k], want[k]) for k in ex.outputs if not _same(got[k], want[k])]
    right = [k for k in ex.outputs if _same(got[k], want[k])]
    text = f"{ex.name} computes something else than expected on {who}:\n  " + "\n  ".join(lines)
    if right:
        text += f"\n  ({', '.join(right)} {'is' if len(right) == 1 else 'are'} right.)"
    text += "\nNone of the usual mistakes explains it; compare your code with the equations above, line by line."
    return text


def run_check(ex: Exercise, fn) -> str:
    """Check ``fn`` against ``ex``; return the success line or raise ExerciseError with the diagnosis."""
    if not callable(fn):
        raise ExerciseError(f"{ex.name} should be a function, got {type(fn).__name__}")
    cases = ex.cases()
    for args in cases:
        before = copy.deepcopy(args)
        try:
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                try:
                    result, error = fn(*args), None
                except NotImplementedError:
                    raise
                except Exception as exc:             # noqa: BLE001
                    result, error = None, exc
        except NotImplementedError:
            raise ExerciseError(
                f"{ex.name} is not written yet: replace `raise NotImplementedError()` in its cell with your "
                f"code, run that cell, then run this check again.") from None
        if error is not None:
            raise ExerciseError(_diagnose(ex, fn, before, None, error)) from error
        got = _as_outputs(ex, result, ex.name)
        want = _as_outputs(ex, _call(ex.reference, before)[0], "the reference")
        if not all(_same(got[k], want[k]) for k in ex.outputs):
            raise ExerciseError(_diagnose(ex, fn, before, got, None))
        changed = _changed_inputs(args, before)
        if changed:
            raise ExerciseError(f"{ex.name} gives the right result but changes what it was given "
                                f"({', '.join(changed)}); work on new arrays (e.g. `g * scale`, not `g *= scale`).")
    return f"{ex.name}: correct on {len(cases)} random cases."


def _checker(ex: Exercise):
    def check(fn):
        print(run_check(ex, fn))
    check.__name__ = f"check_{ex.name}"
    check.__doc__ = (f"Check the learner's ``{ex.signature}`` against the course's implementation on "
                     f"seeded random inputs; print one line if it is right, raise ExerciseError naming the "
                     f"mistake if not.")
    return check


def _rng(seed):
    return np.random.default_rng(seed)


# ----------------------------------------------------------------------------------------------
# 02: one RNN cell, forward
# ----------------------------------------------------------------------------------------------

def _rnn_params(rng, n_x, n_a, n_y=None, scale=0.6):
    p = {"Wax": rng.normal(0, scale, (n_a, n_x)), "Waa": rng.normal(0, scale, (n_a, n_a)),
         "ba": rng.normal(0, 0.3, (n_a, 1))}
    if n_y is not None:
        p["Wya"] = rng.normal(0, scale, (n_y, n_a))
        p["by"] = rng.normal(0, 0.3, (n_y, 1))
    return p


def _rnn_cell_cases():
    out = []
    for seed, (n_x, n_a, n_y, m) in enumerate([(3, 5, 4, 2), (4, 2, 3, 3)]):
        rng = _rng(100 + seed)
        out.append((rng.normal(size=(n_x, m)), rng.normal(size=(n_a, m)), _rnn_params(rng, n_x, n_a, n_y)))
    return out


def _rnn_cell_ref(xt, a_prev, p):
    a_next, yt_pred, _ = rnn_cell_forward(xt, a_prev, p)
    return a_next, yt_pred


def _rnn_cell_with(pre, out_from_prev=False, out_axis=0, g=np.tanh):
    def wrong(xt, a_prev, p):
        a_next = g(pre(xt, a_prev, p))
        s = p["Wya"] @ (a_prev if out_from_prev else a_next) + p["by"]
        e = np.exp(s - s.max(axis=out_axis, keepdims=True))
        return a_next, e / e.sum(axis=out_axis, keepdims=True)
    return wrong


def _z(xt, a_prev, p):
    return p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"]


RNN_CELL = Exercise(
    "rnn_cell_step", "rnn_cell_step(xt, a_prev, parameters) -> a_next, yt_pred", ("a_next", "yt_pred"),
    _rnn_cell_cases, _rnn_cell_ref, [
        Mistake("tanh is forgotten (a<t> is the pre-activation itself)",
                "Apply g = tanh to Waa a<t-1> + Wax x<t> + ba.", _rnn_cell_with(_z, g=lambda z: z)),
        Mistake("the bias ba is left out", "Add ba (shape (n_a, 1); broadcasting adds it to every column).",
                _rnn_cell_with(lambda xt, a, p: p["Waa"] @ a + p["Wax"] @ xt)),
        Mistake("Waa is transposed (Waa.T @ a<t-1>)",
                "Waa has shape (n_a, n_a) with row i giving the input weights of unit i: use Waa @ a_prev.",
                _rnn_cell_with(lambda xt, a, p: p["Waa"].T @ a + p["Wax"] @ xt + p["ba"])),
        Mistake("y_hat<t> is computed from a<t-1> instead of a<t>",
                "The prediction reads the NEW state: yt_pred = softmax(Wya a_next + by).",
                _rnn_cell_with(_z, out_from_prev=True)),
        Mistake("the softmax runs over the examples (axis 1) instead of over the classes",
                "Each column is one example: normalise every column, softmax over axis 0.",
                _rnn_cell_with(_z, out_axis=1)),
        Mistake("sigmoid is used instead of tanh for the state", "The course's RNN cell uses g = tanh.",
                _rnn_cell_with(_z, g=sigmoid)),
    ])


# ----------------------------------------------------------------------------------------------
# 03: the BPTT loop
# ----------------------------------------------------------------------------------------------

def _bptt_cases():
    out = []
    for seed, (n_x, n_a, m, T) in enumerate([(3, 4, 2, 5), (2, 3, 3, 4)]):
        rng = _rng(300 + seed)
        p = _rnn_params(rng, n_x, n_a)
        x = rng.normal(size=(n_x, m, T))
        a0 = rng.normal(0, 0.5, (n_a, m))
        a, _ = rnn_states_forward(x, a0, p)
        da = rng.normal(size=(n_a, m, T))
        out.append((da, x, a0, a, p))
    return out


def _bptt_ref(da, x, a0, a, p):
    _, caches = rnn_states_forward(x, a0, p)
    g = rnn_backward(da, caches)
    return {k: g[k] for k in ("dx", "da0", "dWax", "dWaa", "dba")}


def _bptt_wrong(tanh_prime=True, carry=True, Waa_T=True, prev_state=True, accumulate=True,
                sum_examples=True, backwards=True):
    def wrong(da, x, a0, a, p):
        n_x, m, T = x.shape
        n_a = a0.shape[0]
        Waa = p["Waa"].T if Waa_T else p["Waa"]
        g = {"dx": np.zeros((n_x, m, T)), "dWax": np.zeros((n_a, n_x)), "dWaa": np.zeros((n_a, n_a)),
             "dba": np.zeros((n_a, 1) if sum_examples else (n_a, m))}
        da_rec = np.zeros((n_a, m))
        for t in (reversed(range(T)) if backwards else range(T)):
            a_t = a[:, :, t]
            a_prev = a0 if t == 0 else a[:, :, t - 1]
            da_t = da[:, :, t] + (da_rec if carry else 0.0)
            dz = da_t * (1 - a_t ** 2) if tanh_prime else da_t
            g["dx"][:, :, t] = p["Wax"].T @ dz
            terms = {"dWax": dz @ x[:, :, t].T, "dWaa": dz @ (a_prev if prev_state else a_t).T,
                     "dba": dz.sum(axis=1, keepdims=True) if sum_examples else dz}
            for k, v in terms.items():
                g[k] = g[k] + v if accumulate else v
            da_rec = Waa @ dz
        g["da0"] = da_rec
        return g
    return wrong


BPTT = Exercise(
    "bptt", "bptt(da, x, a0, a, parameters) -> {dx, da0, dWax, dWaa, dba}",
    ("dx", "da0", "dWax", "dWaa", "dba"), _bptt_cases, _bptt_ref, [
        Mistake("tanh' is forgotten (dz<t> = da<t>)",
                "Multiply by the derivative of tanh: dz<t> = da<t> * (1 - a<t>**2).", _bptt_wrong(tanh_prime=False)),
        Mistake("the gradient from the next step is not carried back (da<t> uses only the upstream da[:, :, t])",
                "a<t> also feeds step t+1: add Waa.T @ dz<t+1> to da[:, :, t] (zero at the last step).",
                _bptt_wrong(carry=False)),
        Mistake("Waa is used where Waa.T belongs when passing the gradient back",
                "Going backwards through z<t+1> = Waa a<t> + ... multiplies by the transpose: Waa.T @ dz<t+1>.",
                _bptt_wrong(Waa_T=False)),
        Mistake("a<t> is used where a<t-1> belongs in dWaa",
                "z<t> reads a<t-1>, so dWaa collects dz<t> @ a<t-1>.T (a<0> = a0 at the first step).",
                _bptt_wrong(prev_state=False)),
        Mistake("dWax, dWaa and dba are not summed over time (each step overwrites them)",
                "The weights are shared by all steps: add every step's term (+=), starting from zeros.",
                _bptt_wrong(accumulate=False)),
        Mistake("dba is not summed over the examples (it keeps one column per example)",
                "ba is one column (n_a, 1): sum dz<t> over axis 1 with keepdims=True.",
                _bptt_wrong(sum_examples=False)),
        Mistake("the loop runs forward in time (t = 1 .. T_x) instead of backwards",
                "The gradient of a<t> needs dz<t+1>, so start at the last step: for t in reversed(range(T_x)).",
                _bptt_wrong(backwards=False)),
    ], kind="dict")


# ----------------------------------------------------------------------------------------------
# 06: one sampling step with temperature
# ----------------------------------------------------------------------------------------------

class _SeededRng:
    """Placeholder in a case: the check gives every call a fresh generator with this seed."""


def _sample_cases():
    out = []
    for seed, (V, T, scale) in enumerate([(6, 2.0, 1.0), (5, 0.5, 1.0), (7, 0.5, 400.0)]):
        rng = _rng(600 + seed)
        out.append((rng.normal(0, scale, V), T, 610 + seed))
    return out


def _draw(p, seed):
    return int(_rng(seed).choice(len(p), p=p))


def _sample_ref(z, T, seed):
    e = np.exp((z - z.max()) / T)
    p = e / e.sum()
    return p, float(_draw(p, seed))


def _sample_wrong(probs, greedy=False):
    def wrong(z, T, seed):
        p = probs(z, T)
        index = int(np.argmax(p)) if greedy else _draw(p, seed)
        return p, float(index)
    return wrong


def _stable(s):
    e = np.exp(s - s.max())
    return e / e.sum()


SAMPLE = Exercise(
    "sample_step", "sample_step(z, temperature, rng) -> p, index", ("p", "index"),
    _sample_cases, _sample_ref, [
        Mistake("the temperature is applied after the softmax (p = softmax(z) / T, which does not sum to 1)",
                "Divide the SCORES by T, then take the softmax: p = softmax(z / T).",
                _sample_wrong(lambda z, T: _stable(z) / T)),
        Mistake("the temperature has no effect (it cancels out when the probabilities are scaled and "
                "renormalised, or it is not used at all)", "Divide the scores by T before the softmax: p = softmax(z / T).",
                _sample_wrong(lambda z, T: _stable(z))),
        Mistake("the scores are multiplied by T instead of divided",
                "A high temperature must flatten the distribution: p = softmax(z / T).",
                _sample_wrong(lambda z, T: _stable(z * T))),
        Mistake("exp overflows for large scores (the scores are not shifted by their maximum first)",
                "Subtract z.max() before exp: exp((z - z.max()) / T) gives the same p without overflow.",
                _sample_wrong(lambda z, T: np.exp(z / T) / np.exp(z / T).sum())),
        Mistake("the most likely token is taken instead of a random draw",
                "Sampling draws: index = rng.choice(len(p), p=p).",
                _sample_wrong(lambda z, T: _stable(z / T), greedy=True)),
    ])


def _with_rng(fn):
    """Wrap a learner's sample_step(z, T, rng) so that the check's cases (z, T, seed) can call it."""
    def call(z, T, seed):
        p, index = fn(z, T, _rng(seed))
        return p, float(index)
    call.__name__ = getattr(fn, "__name__", "sample_step")
    return call


# ----------------------------------------------------------------------------------------------
# 07: clip by global norm
# ----------------------------------------------------------------------------------------------

def _clip_cases():
    rng = _rng(700)
    shapes = {"dWax": (3, 2), "dWaa": (3, 3), "dba": (3, 1)}
    out = []
    for norms, max_norm in [({"dWax": 8.0, "dWaa": 9.0, "dba": 1.0}, 5.0),      # clipped, two parts above 5
                            ({"dWax": 1.0, "dWaa": 1.5, "dba": 0.5}, 5.0),      # below: unchanged
                            ({"dWax": 2.0, "dWaa": 2.0, "dba": 1.0}, 5.0)]:     # norm 3, sum of squares 9
        g = {}
        for k, shape in shapes.items():
            v = rng.normal(size=shape)
            g[k] = v * norms[k] / np.linalg.norm(v)
        out.append((g, max_norm))
    return out


def _clip_ref(g, max_norm):
    return clip_by_global_norm(g, max_norm)[0]


def _clip_wrong(kind):
    def wrong(g, max_norm):
        total = sum(float(np.sum(v * v)) for v in g.values())
        norm = np.sqrt(total)
        if kind == "own":
            return {k: v * min(1.0, max_norm / np.linalg.norm(v)) for k, v in g.items()}
        if kind == "value":
            return {k: np.clip(v, -max_norm, max_norm) for k, v in g.items()}
        if kind == "nosqrt":
            return {k: v * (max_norm / total if total > max_norm else 1.0) for k, v in g.items()}
        if kind == "always":
            return {k: v * max_norm / norm for k, v in g.items()}
        if kind == "inverted":
            return {k: v * (norm / max_norm if norm > max_norm else 1.0) for k, v in g.items()}
        raise AssertionError(kind)
    return wrong


CLIP = Exercise(
    "clip_global", "clip_global(gradients, max_norm) -> clipped gradients", ("dWax", "dWaa", "dba"),
    _clip_cases, _clip_ref, [
        Mistake("each gradient is clipped by its own norm instead of the global one",
                "Compute ONE norm over all the arrays together, sqrt(sum over arrays of sum g**2), and scale "
                "every array by the same factor, so the direction of the whole gradient is kept.",
                _clip_wrong("own")),
        Mistake("the gradients are clipped by value (each entry cut to [-max_norm, max_norm])",
                "Clipping by norm rescales: multiply every array by max_norm / norm when norm > max_norm.",
                _clip_wrong("value")),
        Mistake("the norm is missing its square root (the sum of squares is used as the norm)",
                "The norm is sqrt(sum of all squares).", _clip_wrong("nosqrt")),
        Mistake("the gradients are rescaled even when their norm is already below max_norm",
                "Only a norm ABOVE max_norm is brought down; a smaller gradient is returned unchanged.",
                _clip_wrong("always")),
        Mistake("the factor is inverted (norm / max_norm instead of max_norm / norm)",
                "Scale by max_norm / norm (< 1), so the clipped gradient has norm max_norm.",
                _clip_wrong("inverted")),
    ], kind="dict")


# ----------------------------------------------------------------------------------------------
# 08: one step of the full GRU
# ----------------------------------------------------------------------------------------------

def _gate_params(rng, names, n_a, n_x, scale=0.7):
    p = {}
    for g in names:
        p["W" + g] = rng.normal(0, scale, (n_a, n_a + n_x))
        p["b" + g] = rng.normal(0, 0.4, (n_a, 1))
    return p


def _gru_cases():
    out = []
    for seed, (n_x, n_a, m) in enumerate([(3, 4, 2), (2, 5, 3)]):
        rng = _rng(800 + seed)
        p = _gate_params(rng, "urc", n_a, n_x)
        p["Wy"], p["by"] = rng.normal(size=(2, n_a)), np.zeros((2, 1))
        out.append((rng.normal(size=(n_x, m)), rng.normal(0, 0.8, (n_a, m)), p))
    return out


def _gru_ref(xt, c_prev, p):
    return gru_cell_forward(xt, c_prev, p)[0]


def _gru_wrong(kind):
    def wrong(xt, c_prev, p):
        stack = [xt, c_prev] if kind == "order" else [c_prev, xt]
        cx = np.concatenate(stack, axis=0)
        G_u = sigmoid(p["Wu"] @ cx + p["bu"])
        G_r = sigmoid(p["Wr"] @ cx + p["br"])
        rc = c_prev if kind == "no_r" else G_r * c_prev
        cand_in = np.concatenate([xt, rc] if kind == "order" else [rc, xt], axis=0)
        if kind == "r_after":
            c_tilde = G_r * np.tanh(p["Wc"] @ cx + p["bc"])
        elif kind == "sigmoid":
            c_tilde = sigmoid(p["Wc"] @ cand_in + p["bc"])
        else:
            c_tilde = np.tanh(p["Wc"] @ cand_in + p["bc"])
        if kind == "swap_u":
            return G_u * c_prev + (1 - G_u) * c_tilde
        return G_u * c_tilde + (1 - G_u) * c_prev
    return wrong


GRU = Exercise(
    "gru_step", "gru_step(xt, c_prev, parameters) -> c_next", ("c_next",), _gru_cases, _gru_ref, [
        Mistake("Γu and 1 - Γu are swapped (Γu weights c<t-1>)",
                "In the lecture's GRU, Γu = 1 writes the candidate: c<t> = Γu ⊙ c̃<t> + (1 - Γu) ⊙ c<t-1>.",
                _gru_wrong("swap_u")),
        Mistake("Γr is left out (the candidate reads c<t-1> itself, as in the simplified GRU)",
                "The full GRU's candidate reads Γr ⊙ c<t-1>: c̃ = tanh(Wc [Γr ⊙ c<t-1>; x<t>] + bc).",
                _gru_wrong("no_r")),
        Mistake("[x, c] are stacked in the wrong order (x<t> on top)",
                "The weights act on [c<t-1>; x<t>], the previous state on top: "
                "np.concatenate([c_prev, xt], axis=0).", _gru_wrong("order")),
        Mistake("Γr multiplies the candidate instead of c<t-1> inside it",
                "Γr acts on the old memory before the product: tanh(Wc [Γr ⊙ c<t-1>; x<t>] + bc).",
                _gru_wrong("r_after")),
        Mistake("the candidate uses a sigmoid instead of tanh",
                "Gates are sigmoids (between 0 and 1); the candidate c̃ is a tanh (between -1 and 1).",
                _gru_wrong("sigmoid")),
    ])


# ----------------------------------------------------------------------------------------------
# 09: one step of the LSTM
# ----------------------------------------------------------------------------------------------

def _lstm_cases():
    out = []
    for seed, (n_x, n_a, m) in enumerate([(3, 4, 2), (2, 5, 3)]):
        rng = _rng(900 + seed)
        p = _gate_params(rng, "fuoc", n_a, n_x)
        p["Wy"], p["by"] = rng.normal(size=(2, n_a)), np.zeros((2, 1))
        out.append((rng.normal(size=(n_x, m)), rng.normal(0, 0.8, (n_a, m)), rng.normal(0, 1.0, (n_a, m)), p))
    return out


def _lstm_ref(xt, a_prev, c_prev, p):
    a_next, c_next, _, _ = lstm_cell_forward(xt, a_prev, c_prev, p)
    return a_next, c_next


def _lstm_wrong(kind):
    def wrong(xt, a_prev, c_prev, p):
        s = np.concatenate([xt, a_prev] if kind == "order" else [a_prev, xt], axis=0)
        G_f, G_u, G_o = (sigmoid(p["W" + g] @ s + p["b" + g]) for g in "fuo")
        c_tilde = np.tanh(p["Wc"] @ s + p["bc"])
        if kind == "f_on_candidate":
            c_next = G_f * c_tilde + G_u * c_prev
        else:
            c_next = G_u * c_tilde + G_f * c_prev
        if kind == "no_tanh":
            a_next = G_o * c_next
        elif kind == "old_c":
            a_next = G_o * np.tanh(c_prev)
        else:
            a_next = G_o * np.tanh(c_next)
        return a_next, c_next
    return wrong


LSTM = Exercise(
    "lstm_step", "lstm_step(xt, a_prev, c_prev, parameters) -> a_next, c_next", ("a_next", "c_next"),
    _lstm_cases, _lstm_ref, [
        Mistake("Γf is applied to c̃ and Γu to c<t-1> (the two gates are swapped)",
                "The forget gate decides what to KEEP of the old memory: c<t> = Γu ⊙ c̃<t> + Γf ⊙ c<t-1>.",
                _lstm_wrong("f_on_candidate")),
        Mistake("the tanh of c<t> is forgotten in a<t> (a<t> = Γo ⊙ c<t>)",
                "The output squashes the memory first: a<t> = Γo ⊙ tanh(c<t>).", _lstm_wrong("no_tanh")),
        Mistake("a<t> is computed from c<t-1> instead of the new c<t>",
                "Update the memory first, then read it: a<t> = Γo ⊙ tanh(c<t>) with the c<t> just computed.",
                _lstm_wrong("old_c")),
        Mistake("[x, a] are stacked in the wrong order (x<t> on top)",
                "The gate weights act on [a<t-1>; x<t>], the previous state on top: "
                "np.concatenate([a_prev, xt], axis=0).", _lstm_wrong("order")),
    ])


# ----------------------------------------------------------------------------------------------
# 10: the output of a bidirectional RNN
# ----------------------------------------------------------------------------------------------

def _brnn_cases():
    out = []
    for seed, (n_a, n_y, m, T) in enumerate([(3, 4, 2, 5), (2, 3, 3, 4)]):
        rng = _rng(1000 + seed)
        out.append((np.tanh(rng.normal(size=(n_a, m, T))), np.tanh(rng.normal(size=(n_a, m, T))),
                    rng.normal(size=(n_y, 2 * n_a)), rng.normal(0, 0.5, (n_y, 1))))
    return out


def _brnn_wrong(reverse=True, order="fb", axis=0, use_bwd=True, bias=True):
    def wrong(a_fwd, a_bwd_run, Wy, by):
        n_a = a_fwd.shape[0]
        a_bwd = a_bwd_run[:, :, ::-1] if reverse else a_bwd_run
        if use_bwd:
            h = np.concatenate([a_fwd, a_bwd] if order == "fb" else [a_bwd, a_fwd], axis=0)
            z = np.einsum("yk,kmt->ymt", Wy, h)
        else:
            z = np.einsum("yk,kmt->ymt", Wy[:, :n_a], a_fwd)
        if bias:
            z = z + by[:, :, None]
        e = np.exp(z - z.max(axis=axis, keepdims=True))
        return e / e.sum(axis=axis, keepdims=True)
    return wrong


def _brnn_ref(a_fwd, a_bwd_run, Wy, by):
    from .losses import output_layer_forward
    h = np.concatenate([a_fwd, a_bwd_run[:, :, ::-1]], axis=0)
    return softmax(output_layer_forward(h, Wy, by))


BRNN = Exercise(
    "brnn_output", "brnn_output(a_fwd, a_bwd_run, Wy, by) -> y_hat", ("y_hat",), _brnn_cases, _brnn_ref, [
        Mistake("the backward chain's states are not put back in time order",
                "a_bwd_run[:, :, k] was computed k + 1 steps from the END: a_bwd<t> is a_bwd_run[:, :, ::-1][:, :, t].",
                _brnn_wrong(reverse=False)),
        Mistake("[a_bwd, a_fwd] are stacked in the wrong order",
                "Wy[:, :n_a] reads the forward chain: stack [a_fwd<t>; a_bwd<t>], forward on top.",
                _brnn_wrong(order="bf")),
        Mistake("the backward chain is ignored (only a_fwd reaches the output)",
                "The output reads both chains: z<t> = Wy [a_fwd<t>; a_bwd<t>] + by.", _brnn_wrong(use_bwd=False)),
        Mistake("the softmax runs over the time steps instead of over the classes",
                "Normalise over the classes, axis 0 of (n_y, m, T_x).", _brnn_wrong(axis=2)),
        Mistake("the softmax runs over the examples instead of over the classes",
                "Normalise over the classes, axis 0 of (n_y, m, T_x).", _brnn_wrong(axis=1)),
        Mistake("the bias by is left out", "Add by (n_y, 1) at every step: by[:, :, None] broadcasts over m and t.",
                _brnn_wrong(bias=False)),
    ])


# ----------------------------------------------------------------------------------------------
# 11: the states of a deep RNN
# ----------------------------------------------------------------------------------------------

def _deep_cases():
    out = []
    for seed, sizes in enumerate([(4, 4, 4, 4), (3, 5, 4, 2)]):      # n_x, n_a[1], n_a[2], n_a[3]
        rng = _rng(1100 + seed)
        m, T = 2, 4
        layers = [_rnn_params(rng, sizes[l], sizes[l + 1]) for l in range(3)]
        out.append((rng.normal(size=(sizes[0], m, T)), layers))
    return out


def _deep_ref(x, layers):
    states, below = [], x
    for p in layers:
        a, _ = rnn_states_forward(below, np.zeros((p["Waa"].shape[0], x.shape[1])), p)
        states.append(a)
        below = a
    return states


def _deep_wrong(kind):
    def wrong(x, layers):
        m, T = x.shape[1], x.shape[2]
        states, below, a_prev = [], x, None
        for l, p in enumerate(layers):
            n_a = p["Waa"].shape[0]
            if kind != "no_reset" or a_prev is None:
                a_prev = np.zeros((n_a, m))
            a = np.zeros((n_a, m, T))
            for t in range(T):
                if kind == "all_read_x":
                    inp = x[:, :, t]
                elif kind == "below_prev" and l > 0:
                    inp = below[:, :, t - 1] if t > 0 else np.zeros_like(below[:, :, 0])
                else:
                    inp = below[:, :, t]
                if kind == "swap_w" and l > 0:
                    z = p["Waa"] @ inp + p["Wax"] @ a_prev + p["ba"]
                else:
                    z = p["Waa"] @ a_prev + p["Wax"] @ inp + p["ba"]
                a_prev = np.tanh(z)
                a[:, :, t] = a_prev
            states.append(a)
            below = a
        return states
    return wrong


DEEP = Exercise(
    "deep_rnn_states", "deep_rnn_states(x, layers) -> [a^[1], ..., a^[L]]", ("a^[1]", "a^[2]", "a^[3]"),
    _deep_cases, _deep_ref, [
        Mistake("every layer reads x<t> instead of the layer below",
                "Layer l reads a^[l-1]<t>, the states just computed by layer l - 1 (a^[0] = x).",
                _deep_wrong("all_read_x")),
        Mistake("layer l reads a^[l-1]<t-1> (the layer below one step late) instead of a^[l-1]<t>",
                "Up the stack there is no delay: a^[l]<t> = g(Waa^[l] a^[l]<t-1> + Wax^[l] a^[l-1]<t> + ba^[l]).",
                _deep_wrong("below_prev")),
        Mistake("each layer starts from the last state of the layer below instead of a^[l]<0> = 0",
                "Reset the running state to zeros((n_a^[l], m)) at the start of every layer.",
                _deep_wrong("no_reset")),
        Mistake("Waa and Wax are swapped in the upper layers (Waa reads the layer below)",
                "Wax^[l] reads the input from below, Waa^[l] the layer's own previous state.",
                _deep_wrong("swap_w")),
    ], kind="list")


EXERCISES = {ex.name: ex for ex in (RNN_CELL, BPTT, SAMPLE, CLIP, GRU, LSTM, BRNN, DEEP)}

check_rnn_cell_step = _checker(RNN_CELL)
check_bptt = _checker(BPTT)
check_gru_step = _checker(GRU)
check_lstm_step = _checker(LSTM)
check_brnn_output = _checker(BRNN)
check_deep_rnn_states = _checker(DEEP)


def check_clip_global(fn):
    """Check the learner's ``clip_global(gradients, max_norm)``: one line if right, ExerciseError if not."""
    print(run_check(CLIP, fn))


def check_sample_step(fn):
    """Check the learner's ``sample_step(z, temperature, rng) -> p, index`` (drawn with rng.choice(len(p), p=p))."""
    print(run_check(SAMPLE, _with_rng(fn) if callable(fn) else fn))


# ----------------------------------------------------------------------------------------------
# predict-then-check questions
# ----------------------------------------------------------------------------------------------

@dataclass
class Question:
    """A question with one right answer (a number or a letter) and the slips that give known wrong answers."""

    text: str
    answer: object
    why: str
    slips: list            # (wrong answer, what it means)
    rel_tol: float = 1e-3      # for answers that are not whole numbers (whole numbers must be exact)


QUESTIONS = {
    "wa_size": Question(
        "How many numbers does W_a = [W_aa | W_ax] hold for n_x = 10,000 and n_a = 100?",
        1_010_000, "W_a is (n_a, n_a + n_x) = (100, 10,100).",
        [(1_000_000, "that is W_ax alone; W_aa's 100 x 100 = 10,000 numbers sit beside it"),
         (10_000, "that is W_aa alone"),
         (1_010_100, "that counts b_a too; the bias is a separate (n_a, 1) vector"),
         (10_100, "that is the number of columns, n_a + n_x; each of the n_a = 100 rows has that many")]),
    "tanh_step": Question(
        "A tanh unit has a<t> = 0.6, and dL/da<t> = 2.0 reaches it. What is dL/dz<t>?",
        1.28, "dz = da * (1 - a**2) = 2.0 * (1 - 0.36) = 1.28.",
        [(2.0, "that forgets tanh': the gradient must be multiplied by 1 - a**2"),
         (0.8, "that uses 1 - a instead of 1 - a**2"),
         (1.2, "that multiplies by a instead of by 1 - a**2")]),
    "temperature": Question(
        "Scores z = [2, 0] and temperature T = 0.5. What is the probability of the first token? (3 decimals)",
        0.982, "softmax(z / T) = softmax([4, 0]): e^4 / (e^4 + 1) ≈ 0.982.",
        [(0.881, "that is softmax(z) at T = 1: divide the scores by T first"),
         (0.731, "that multiplies the scores by T (softmax([1, 0])) instead of dividing"),
         (1.762, "that divides the probability by T after the softmax: it is no longer a probability")],
        rel_tol=2e-3),
    "global_norm": Question(
        "Two gradient arrays, dWaa = [[3, 4]] and dba = [[12]]. What is their global norm?",
        13.0, "sqrt(3² + 4² + 12²) = sqrt(169) = 13.",
        [(17.0, "that adds the two norms (5 + 12); the global norm takes all entries together"),
         (19.0, "that adds the absolute values; the norm is the square root of the sum of squares"),
         (169.0, "that is the sum of squares: take its square root"),
         (12.0, "that is the largest array's norm alone")]),
    "gru_copy": Question(
        "Which value of Γu makes the GRU copy c<t-1> to c<t> unchanged? (a) 0  (b) 0.5  (c) 1",
        "a", "c<t> = Γu ⊙ c̃<t> + (1 - Γu) ⊙ c<t-1>: with Γu = 0 only c<t-1> is left.",
        [("c", "Γu = 1 writes the candidate c̃<t> and forgets c<t-1>"),
         ("b", "Γu = 0.5 averages the old memory and the candidate")]),
    "lstm_keep": Question(
        "An LSTM unit holds c<0> = 0.8. For 50 steps Γf = 1 and Γu = 0. What is c<50>?",
        0.8, "c<t> = Γu ⊙ c̃ + Γf ⊙ c<t-1> = c<t-1> at every step: the memory is kept exactly.",
        [(0.0, "Γf = 1 means keep (the name says forget, the value 1 says keep all)"),
         (0.8 ** 50, "there is no weight on the path from c<t-1> to c<t>: it is multiplied by Γf = 1, not by 0.8"),
         (float(np.tanh(0.8)), "that is a<t> with Γo = 1; the memory c<t> itself is not squashed")]),
    "brnn_online": Question(
        "Can a bidirectional RNN tag each word while the speaker is still talking? "
        "(a) yes, as a forward RNN can  (b) no, the backward chain needs the whole sentence first",
        "b", "The backward chain starts at the LAST word, so no output is ready before the sentence ends.",
        [("a", "a_bwd<t> is computed from x<T_x> down to x<t>, so it needs the end of the sentence")]),
    "deep_params": Question(
        "A deep RNN has 3 tanh layers of n_a = 20 units on inputs of n_x = 10. How many parameters do its three "
        "recurrent layers have (Wax, Waa, ba of each layer; no output layer)?",
        2260, "Layer 1: 20·10 + 20·20 + 20 = 620; layers 2 and 3 read 20 numbers from below: 20·20 + 20·20 + 20 "
              "= 820 each; 620 + 2·820 = 2260.",
        [(1860, "layers 2 and 3 read a^[l-1] (20 numbers), not x (10): their Wax is 20 x 20"),
         (2200, "the biases b_a^[l] (20 per layer) count too"),
         (620, "each layer has its own parameters; they are not shared across layers"),
         (2460, "that counts all three layers as reading 20 inputs; layer 1 reads x, 10 numbers")]),
}


def _matches(question: Question, given, value) -> bool:
    if isinstance(question.answer, str):
        return isinstance(given, str) and given.strip().lower().strip("()") == value
    try:
        g = float(given)
    except (TypeError, ValueError):
        return False
    if isinstance(question.answer, int):                      # a count: exact
        return g == float(value)
    return abs(g - float(value)) <= question.rel_tol * max(abs(float(value)), 1e-12)


def check_question(key, fn):
    """Check the answer returned by the learner's ``fn()`` to question ``key`` of ``QUESTIONS``.

    Prints one line when it is right; raises ExerciseError saying why when it is wrong (naming the slip
    of reasoning a known wrong answer comes from), or when the answer is not written yet.
    """
    if key not in QUESTIONS:
        raise KeyError(f"check_question: no question {key!r}; the questions are {', '.join(QUESTIONS)}")
    q = QUESTIONS[key]
    try:
        given = fn() if callable(fn) else fn
    except NotImplementedError:
        raise ExerciseError(f"question '{key}' is not answered yet: replace `raise NotImplementedError()` with "
                            f"`return <your answer>`, run that cell, then run this check again.") from None
    expected = ("a letter, e.g. 'a'" if isinstance(q.answer, str) else "a number")
    if isinstance(q.answer, str):
        ok_type = isinstance(given, str)
    else:
        ok_type = isinstance(given, (int, float, np.integer, np.floating)) and not isinstance(given, bool)
    if not ok_type:
        raise ExerciseError(f"question '{key}': the answer must be {expected}, got {given!r}")
    if _matches(q, given, q.answer):
        print(f"{key}: right. {q.why}")
        return
    for wrong, meaning in q.slips:
        if _matches(q, given, wrong):
            raise ExerciseError(f"question '{key}': {given!r} is not right: {meaning}.")
    raise ExerciseError(f"question '{key}': {given!r} is not right. Work it out again from the equations above.")
