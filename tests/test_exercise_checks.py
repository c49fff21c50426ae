"""The exercise checks: a right solution passes, every catalogued mistake is named, a blank one is "not written yet".

The solutions and the wrong solutions below are written the way a learner would write them, loop by loop
from the equations, independently of the catalogue's own wrong functions in helpers/exercise_checks.py.
"""
import numpy as np
import pytest

from helpers import exercise_checks as ec
from helpers.exercise_checks import ExerciseError


def _sigmoid(z):
    return 1 / (1 + np.exp(-z))


def _softmax0(s):
    e = np.exp(s - s.max(axis=0, keepdims=True))
    return e / e.sum(axis=0, keepdims=True)


# ----------------------------------------------------------------------------------------------
# 02 rnn_cell_step
# ----------------------------------------------------------------------------------------------

def rnn_cell_step(xt, a_prev, parameters):
    a_next = np.tanh(parameters["Waa"] @ a_prev + parameters["Wax"] @ xt + parameters["ba"])
    yt_pred = _softmax0(parameters["Wya"] @ a_next + parameters["by"])
    return a_next, yt_pred


def cell_no_tanh(xt, a_prev, p):
    a_next = p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"]
    return a_next, _softmax0(p["Wya"] @ a_next + p["by"])


def cell_no_bias(xt, a_prev, p):
    a_next = np.tanh(np.dot(p["Waa"], a_prev) + np.dot(p["Wax"], xt))
    return a_next, _softmax0(p["Wya"] @ a_next + p["by"])


def cell_waa_t(xt, a_prev, p):
    a_next = np.tanh(p["Waa"].T @ a_prev + p["Wax"] @ xt + p["ba"])
    return a_next, _softmax0(p["Wya"] @ a_next + p["by"])


def cell_y_from_prev(xt, a_prev, p):
    a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    return a_next, _softmax0(p["Wya"] @ a_prev + p["by"])


def cell_softmax_axis1(xt, a_prev, p):
    a_next = np.tanh(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    s = p["Wya"] @ a_next + p["by"]
    return a_next, np.exp(s) / np.exp(s).sum(axis=1, keepdims=True)


def cell_sigmoid(xt, a_prev, p):
    a_next = _sigmoid(p["Waa"] @ a_prev + p["Wax"] @ xt + p["ba"])
    return a_next, _softmax0(p["Wya"] @ a_next + p["by"])


# ----------------------------------------------------------------------------------------------
# 03 bptt
# ----------------------------------------------------------------------------------------------

def make_bptt(tanh_prime=True, carry=True, transpose=True, prev=True, add=True, sum_m=True, backwards=True):
    def bptt(da, x, a0, a, parameters):
        Wax, Waa = parameters["Wax"], parameters["Waa"]
        n_x, m, T_x = x.shape
        n_a = a0.shape[0]
        dx = np.zeros((n_x, m, T_x))
        dWax, dWaa = np.zeros_like(Wax), np.zeros_like(Waa)
        dba = np.zeros((n_a, 1)) if sum_m else np.zeros((n_a, m))
        da_next = np.zeros((n_a, m))
        steps = range(T_x - 1, -1, -1) if backwards else range(T_x)
        for t in steps:
            da_t = da[:, :, t] + da_next if carry else da[:, :, t]
            dz = da_t * (1 - a[:, :, t] ** 2) if tanh_prime else da_t
            dx[:, :, t] = Wax.T @ dz
            prev_state = (a[:, :, t - 1] if t > 0 else a0) if prev else a[:, :, t]
            if add:
                dWax += dz @ x[:, :, t].T
                dWaa += dz @ prev_state.T
                dba += dz.sum(axis=1, keepdims=True) if sum_m else dz
            else:
                dWax = dz @ x[:, :, t].T
                dWaa = dz @ prev_state.T
                dba = dz.sum(axis=1, keepdims=True)
            da_next = (Waa.T if transpose else Waa) @ dz
        return {"dx": dx, "da0": da_next, "dWax": dWax, "dWaa": dWaa, "dba": dba}
    return bptt


def test_bptt_solution_agrees_with_finite_differences():
    """An independent reason to trust the reference the check uses: the solution matches a numerical gradient."""
    args = ec.BPTT.cases()[0]
    da, x, a0, a, p = args
    g = make_bptt()(*args)

    def loss(p_, x_, a0_):
        state, total = a0_, 0.0
        for t in range(x_.shape[2]):
            state = np.tanh(p_["Waa"] @ state + p_["Wax"] @ x_[:, :, t] + p_["ba"])
            total += float(np.sum(da[:, :, t] * state))
        return total

    eps = 1e-6
    for key in ("Waa", "Wax", "ba"):
        num = np.zeros_like(p[key])
        for idx in np.ndindex(p[key].shape):
            hi, lo = {k: v.copy() for k, v in p.items()}, {k: v.copy() for k, v in p.items()}
            hi[key][idx] += eps
            lo[key][idx] -= eps
            num[idx] = (loss(hi, x, a0) - loss(lo, x, a0)) / (2 * eps)
        assert np.allclose(g["d" + key], num, rtol=1e-6, atol=1e-8), key


# ----------------------------------------------------------------------------------------------
# 06 sample_step
# ----------------------------------------------------------------------------------------------

def make_sample(kind=None):
    def sample_step(z, temperature, rng):
        if kind == "after":
            e = np.exp(z - np.max(z))
            p = e / e.sum() / temperature
        elif kind == "ignored":
            e = np.exp(z - np.max(z))
            p = e / e.sum()
        elif kind == "times":
            s = z * temperature
            e = np.exp(s - s.max())
            p = e / e.sum()
        elif kind == "overflow":
            e = np.exp(z / temperature)
            p = e / np.sum(e)
        else:
            s = z / temperature
            e = np.exp(s - s.max())
            p = e / e.sum()
        index = int(np.argmax(p)) if kind == "greedy" else rng.choice(len(p), p=p)
        return p, index
    return sample_step


# ----------------------------------------------------------------------------------------------
# 07 clip_global
# ----------------------------------------------------------------------------------------------

def clip_global(gradients, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))
    scale = max_norm / norm if norm > max_norm else 1.0
    return {name: g * scale for name, g in gradients.items()}


def clip_own_norm(gradients, max_norm):
    out = {}
    for name, g in gradients.items():
        n = np.linalg.norm(g)
        out[name] = g * max_norm / n if n > max_norm else g.copy()
    return out


def clip_value(gradients, max_norm):
    return {name: np.clip(g, -max_norm, max_norm) for name, g in gradients.items()}


def clip_no_sqrt(gradients, max_norm):
    norm = sum(np.sum(g * g) for g in gradients.values())
    return {name: (g * max_norm / norm if norm > max_norm else g.copy()) for name, g in gradients.items()}


def clip_always(gradients, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))
    return {name: g * (max_norm / norm) for name, g in gradients.items()}


def clip_inverted(gradients, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))
    return {name: (g * norm / max_norm if norm > max_norm else g.copy()) for name, g in gradients.items()}


def clip_in_place(gradients, max_norm):
    norm = np.sqrt(sum(np.sum(g ** 2) for g in gradients.values()))
    if norm > max_norm:
        for g in gradients.values():
            g *= max_norm / norm
    return gradients


# ----------------------------------------------------------------------------------------------
# 08 gru_step
# ----------------------------------------------------------------------------------------------

def make_gru(kind=None):
    def gru_step(xt, c_prev, parameters):
        p = parameters
        top, bottom = (xt, c_prev) if kind == "order" else (c_prev, xt)
        concat = np.vstack([top, bottom])
        G_u = _sigmoid(p["Wu"] @ concat + p["bu"])
        G_r = _sigmoid(p["Wr"] @ concat + p["br"])
        kept = c_prev if kind == "no_r" else G_r * c_prev
        concat_r = np.vstack([xt, kept]) if kind == "order" else np.vstack([kept, xt])
        if kind == "r_outside":
            c_tilde = G_r * np.tanh(p["Wc"] @ concat + p["bc"])
        elif kind == "sigmoid":
            c_tilde = _sigmoid(p["Wc"] @ concat_r + p["bc"])
        else:
            c_tilde = np.tanh(p["Wc"] @ concat_r + p["bc"])
        if kind == "swap":
            return (1 - G_u) * c_tilde + G_u * c_prev
        return G_u * c_tilde + (1 - G_u) * c_prev
    return gru_step


# ----------------------------------------------------------------------------------------------
# 09 lstm_step
# ----------------------------------------------------------------------------------------------

def make_lstm(kind=None):
    def lstm_step(xt, a_prev, c_prev, parameters):
        p = parameters
        concat = np.vstack([xt, a_prev]) if kind == "order" else np.vstack([a_prev, xt])
        forget = _sigmoid(p["Wf"] @ concat + p["bf"])
        update = _sigmoid(p["Wu"] @ concat + p["bu"])
        out = _sigmoid(p["Wo"] @ concat + p["bo"])
        cand = np.tanh(p["Wc"] @ concat + p["bc"])
        c_next = forget * cand + update * c_prev if kind == "swap" else update * cand + forget * c_prev
        if kind == "no_tanh":
            a_next = out * c_next
        elif kind == "old_c":
            a_next = out * np.tanh(c_prev)
        else:
            a_next = out * np.tanh(c_next)
        return a_next, c_next
    return lstm_step


# ----------------------------------------------------------------------------------------------
# 10 brnn_output
# ----------------------------------------------------------------------------------------------

def make_brnn(kind=None):
    def brnn_output(a_fwd, a_bwd_run, Wy, by):
        n_a, m, T_x = a_fwd.shape
        a_bwd = a_bwd_run if kind == "no_reverse" else a_bwd_run[:, :, ::-1]
        y_hat = np.zeros((Wy.shape[0], m, T_x))
        scores = np.zeros((Wy.shape[0], m, T_x))
        for t in range(T_x):
            if kind == "order":
                h = np.concatenate([a_bwd[:, :, t], a_fwd[:, :, t]], axis=0)
            else:
                h = np.concatenate([a_fwd[:, :, t], a_bwd[:, :, t]], axis=0)
            if kind == "fwd_only":
                scores[:, :, t] = Wy[:, :n_a] @ a_fwd[:, :, t] + by
            elif kind == "no_bias":
                scores[:, :, t] = Wy @ h
            else:
                scores[:, :, t] = Wy @ h + by
        if kind == "time_axis":
            return np.exp(scores) / np.exp(scores).sum(axis=2, keepdims=True)
        if kind == "example_axis":
            return np.exp(scores) / np.exp(scores).sum(axis=1, keepdims=True)
        for t in range(T_x):
            y_hat[:, :, t] = _softmax0(scores[:, :, t])
        return y_hat
    return brnn_output


# ----------------------------------------------------------------------------------------------
# 11 deep_rnn_states
# ----------------------------------------------------------------------------------------------

def make_deep(kind=None):
    def deep_rnn_states(x, layers):
        n_x, m, T_x = x.shape
        states = []
        below = x
        a = None
        for l, p in enumerate(layers):
            n_a = p["Waa"].shape[0]
            if kind != "no_reset" or a is None:
                a = np.zeros((n_a, m))
            out = np.zeros((n_a, m, T_x))
            for t in range(T_x):
                if kind == "x_everywhere":
                    inp = x[:, :, t]
                elif kind == "late" and l > 0:
                    inp = below[:, :, t - 1] if t >= 1 else np.zeros((below.shape[0], m))
                else:
                    inp = below[:, :, t]
                if kind == "swap" and l > 0:
                    a = np.tanh(p["Wax"] @ a + p["Waa"] @ inp + p["ba"])
                else:
                    a = np.tanh(p["Waa"] @ a + p["Wax"] @ inp + p["ba"])
                out[:, :, t] = a
            states.append(out)
            below = out
        return states
    return deep_rnn_states


# ----------------------------------------------------------------------------------------------
# the table: (check, right solution, [(wrong solution, words of the mistake's title)])
# ----------------------------------------------------------------------------------------------

CHECKS = {
    "rnn_cell_step": (ec.check_rnn_cell_step, rnn_cell_step, [
        (cell_no_tanh, "tanh is forgotten"), (cell_no_bias, "bias ba is left out"),
        (cell_waa_t, "Waa is transposed"), (cell_y_from_prev, "from a<t-1> instead of a<t>"),
        (cell_softmax_axis1, "softmax runs over the examples"), (cell_sigmoid, "sigmoid is used instead of tanh"),
    ]),
    "bptt": (ec.check_bptt, make_bptt(), [
        (make_bptt(tanh_prime=False), "tanh' is forgotten"),
        (make_bptt(carry=False), "not carried back"),
        (make_bptt(transpose=False), "Waa is used where Waa.T belongs"),
        (make_bptt(prev=False), "a<t> is used where a<t-1> belongs"),
        (make_bptt(add=False), "not summed over time"),
        (make_bptt(sum_m=False), "dba is not summed over the examples"),
        (make_bptt(backwards=False), "runs forward in time"),
    ]),
    "sample_step": (ec.check_sample_step, make_sample(), [
        (make_sample("after"), "applied after the softmax"),
        (make_sample("ignored"), "temperature has no effect"),
        (make_sample("times"), "multiplied by T"),
        (make_sample("overflow"), "exp overflows"),
        (make_sample("greedy"), "most likely token is taken"),
    ]),
    "clip_global": (ec.check_clip_global, clip_global, [
        (clip_own_norm, "clipped by its own norm"), (clip_value, "clipped by value"),
        (clip_no_sqrt, "missing its square root"), (clip_always, "rescaled even when"),
        (clip_inverted, "factor is inverted"),
    ]),
    "gru_step": (ec.check_gru_step, make_gru(), [
        (make_gru("swap"), "Γu and 1 - Γu are swapped"), (make_gru("no_r"), "Γr is left out"),
        (make_gru("order"), "[x, c] are stacked in the wrong order"),
        (make_gru("r_outside"), "Γr multiplies the candidate"), (make_gru("sigmoid"), "sigmoid instead of tanh"),
    ]),
    "lstm_step": (ec.check_lstm_step, make_lstm(), [
        (make_lstm("swap"), "Γf is applied to c̃"), (make_lstm("no_tanh"), "tanh of c<t> is forgotten"),
        (make_lstm("old_c"), "computed from c<t-1>"), (make_lstm("order"), "[x, a] are stacked in the wrong order"),
    ]),
    "brnn_output": (ec.check_brnn_output, make_brnn(), [
        (make_brnn("no_reverse"), "not put back in time order"), (make_brnn("order"), "[a_bwd, a_fwd]"),
        (make_brnn("fwd_only"), "backward chain is ignored"), (make_brnn("time_axis"), "over the time steps"),
        (make_brnn("example_axis"), "over the examples"), (make_brnn("no_bias"), "bias by is left out"),
    ]),
    "deep_rnn_states": (ec.check_deep_rnn_states, make_deep(), [
        (make_deep("x_everywhere"), "every layer reads x<t>"), (make_deep("late"), "one step late"),
        (make_deep("no_reset"), "last state of the layer below"), (make_deep("swap"), "Waa and Wax are swapped"),
    ]),
}

MISTAKE_CASES = [(name, wrong, words) for name, (_, _, wrongs) in CHECKS.items() for wrong, words in wrongs]


def test_every_exercise_and_every_catalogued_mistake_is_covered():
    assert set(CHECKS) == set(ec.EXERCISES)
    for name, ex in ec.EXERCISES.items():
        assert len(ex.mistakes) >= 3, name
        covered = [words for _, words in CHECKS[name][2]]
        for mistake in ex.mistakes:      # every catalogued mistake has a learner-style wrong solution here
            assert sum(words in mistake.title for words in covered) == 1, (name, mistake.title)


@pytest.mark.parametrize("name", list(CHECKS))
def test_the_right_solution_passes(name, capsys):
    check, solution, _ = CHECKS[name]
    check(solution)
    assert capsys.readouterr().out.strip().startswith(f"{name}: correct on ")


@pytest.mark.parametrize("name, wrong, words", MISTAKE_CASES, ids=[f"{n}-{w}" for n, _, w in MISTAKE_CASES])
def test_each_catalogued_mistake_is_named(name, wrong, words):
    check = CHECKS[name][0]
    with pytest.raises(ExerciseError, match="it looks like") as info:
        check(wrong)
    assert words in str(info.value)
    title = next(m.title for m in ec.EXERCISES[name].mistakes if words in m.title)
    assert title in str(info.value)


@pytest.mark.parametrize("name", list(CHECKS))
def test_an_unwritten_function_is_not_written_yet(name):
    def blank(*args):
        # YOUR CODE HERE
        raise NotImplementedError()

    with pytest.raises(ExerciseError, match=f"^{name} is not written yet: replace `raise NotImplementedError\\(\\)`"):
        CHECKS[name][0](blank)


def test_an_unknown_mistake_says_which_output_is_wrong_and_by_how_much():
    def off(xt, a_prev, p):
        a_next, y = rnn_cell_step(xt, a_prev, p)
        return a_next + 0.25, y

    with pytest.raises(ExerciseError) as info:
        ec.check_rnn_cell_step(off)
    text = str(info.value)
    assert "a_next differs from the expected values by up to 0.25" in text
    assert "(yt_pred is right.)" in text and "None of the usual mistakes" in text


def test_a_wrong_shape_is_reported_with_both_shapes():
    def column(xt, a_prev, p):
        a_next, y = rnn_cell_step(xt, a_prev, p)
        return a_next[:, :1], y

    with pytest.raises(ExerciseError, match=r"a_next has shape \(5, 1\), expected \(5, 2\)"):
        ec.check_rnn_cell_step(column)


def test_an_error_in_the_learners_code_is_reported_with_its_message():
    def broken(xt, a_prev, p):
        return np.tanh(p["Wax"] @ a_prev), None          # (5, 3) @ (5, 2): shapes do not match

    with pytest.raises(ExerciseError, match="rnn_cell_step raised ValueError: matmul") as info:
        ec.check_rnn_cell_step(broken)
    assert isinstance(info.value.__cause__, ValueError)


def test_a_wrong_return_form_is_named():
    with pytest.raises(ExerciseError, match="must return 2 values, a_next, yt_pred, got ndarray"):
        ec.check_rnn_cell_step(lambda xt, a_prev, p: rnn_cell_step(xt, a_prev, p)[0])
    with pytest.raises(ExerciseError, match="without the key\\(s\\) dba"):
        ec.check_bptt(lambda *a: {k: v for k, v in make_bptt()(*a).items() if k != "dba"})
    with pytest.raises(ExerciseError, match="must return a list of 3 arrays"):
        ec.check_deep_rnn_states(lambda x, layers: make_deep()(x, layers)[-1])


def test_changing_the_given_arrays_is_named():
    with pytest.raises(ExerciseError, match="gives the right result but changes what it was given"):
        ec.check_clip_global(clip_in_place)


def test_the_checks_do_not_depend_on_the_examples_given():
    """Running a check twice gives the same verdict: the cases are seeded, and the learner gets copies."""
    ec.check_clip_global(clip_global)
    ec.check_clip_global(clip_global)
    with pytest.raises(ExerciseError):
        ec.check_clip_global(clip_value)


# ----------------------------------------------------------------------------------------------
# questions
# ----------------------------------------------------------------------------------------------

# the right answers, worked out independently of QUESTIONS
RIGHT = {
    "wa_size": 100 * (100 + 10_000),
    "tanh_step": 2.0 * (1 - 0.6 ** 2),
    "temperature": round(np.exp(4) / (np.exp(4) + 1), 3),
    "global_norm": float(np.sqrt(3 ** 2 + 4 ** 2 + 12 ** 2)),
    "gru_copy": "a",
    "lstm_keep": 0.8,
    "brnn_online": "b",
    "deep_params": (20 * 10 + 20 * 20 + 20) + 2 * (20 * 20 + 20 * 20 + 20),
}


def test_every_question_has_a_right_answer_here():
    assert set(RIGHT) == set(ec.QUESTIONS)
    assert len(ec.EXERCISES) + len(ec.QUESTIONS) >= 12


@pytest.mark.parametrize("key", list(RIGHT))
def test_the_right_answer_passes(key, capsys):
    ec.check_question(key, lambda: RIGHT[key])
    assert capsys.readouterr().out.startswith(f"{key}: right.")


@pytest.mark.parametrize("key", list(RIGHT))
def test_every_known_slip_is_explained(key):
    q = ec.QUESTIONS[key]
    assert q.slips, key
    for wrong, meaning in q.slips:
        with pytest.raises(ExerciseError, match="is not right: ") as info:
            ec.check_question(key, lambda: wrong)
        assert meaning in str(info.value)


def test_question_slips_reproduce_the_slip():
    """The wrong answers are what the named slip computes (a few, derived by hand)."""
    assert 10_000 * 100 in [w for w, _ in ec.QUESTIONS["wa_size"].slips]                  # W_ax alone
    assert 2.0 * (1 - 0.6) in [w for w, _ in ec.QUESTIONS["tanh_step"].slips]              # 1 - a
    assert round(np.exp(2) / (np.exp(2) + 1), 3) in [w for w, _ in ec.QUESTIONS["temperature"].slips]
    assert 5 + 12 in [w for w, _ in ec.QUESTIONS["global_norm"].slips]
    assert 3 * (20 * 10 + 20 * 20 + 20) in [w for w, _ in ec.QUESTIONS["deep_params"].slips]


def test_an_unknown_wrong_answer_and_an_unanswered_question():
    with pytest.raises(ExerciseError, match="'wa_size': 42 is not right. Work it out again"):
        ec.check_question("wa_size", lambda: 42)

    def blank():
        raise NotImplementedError()

    with pytest.raises(ExerciseError, match="question 'gru_copy' is not answered yet"):
        ec.check_question("gru_copy", blank)
    with pytest.raises(ExerciseError, match="must be a letter"):
        ec.check_question("gru_copy", lambda: 0)
    with pytest.raises(ExerciseError, match="must be a number"):
        ec.check_question("lstm_keep", lambda: "0.8")
    with pytest.raises(KeyError, match="no question 'nope'"):
        ec.check_question("nope", lambda: 1)


def test_letters_are_read_loosely():
    ec.check_question("gru_copy", lambda: " A ")
    ec.check_question("brnn_online", lambda: "(b)")
