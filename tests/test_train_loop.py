"""training.train_loop, the one training loop, and the training functions that are thin wrappers over it.

The loop is checked on problems small enough to follow by hand (a scalar quadratic, scripted losses),
and every wrapper is checked to run through it.
"""
import math

import numpy as np
import pytest

import helpers.networks as networks
import helpers.training as training
import helpers.tasks.language_model as language_model
import helpers.tasks.memory_task as memory_task
import helpers.tasks.toy_tasks as toy_tasks
import helpers.tasks.clipping_task as clipping_task
from helpers.optim import SGD, Adam, global_norm
from helpers.training import train_loop


def _quadratic(a=3.0, c=2.0):
    """L(w) = a/2 (w - c)^2 for a scalar w stored as a (1, 1) array; dL/dw = a (w - c)."""
    def loss_and_gradients(params, batch):
        w = params["w"]
        return float(0.5 * a * (w[0, 0] - c) ** 2), {"dw": a * (w - c)}
    return loss_and_gradients


def _one_batch(epoch):
    return [None]


class _Recorder:
    """An SGD that keeps the gradients it was given (to see what the loop really applied)."""

    def __init__(self, learning_rate):
        self.sgd, self.seen = SGD(learning_rate), []

    def step(self, parameters, gradients):
        self.seen.append({k: v.copy() for k, v in gradients.items()})
        return self.sgd.step(parameters, gradients)


def test_sgd_on_a_scalar_quadratic_follows_the_update_rule_exactly():
    a, c, lr = 3.0, 2.0, 0.1
    params, run = train_loop({"w": np.array([[5.0]])}, _quadratic(a, c), _one_batch, SGD(lr), 6)
    w, losses = 5.0, []
    for _ in range(6):
        losses.append(0.5 * a * (w - c) ** 2)
        w = w - lr * (a * (w - c))                 # w <- w - lr * dL/dw, the loss measured before the step
    assert params["w"][0, 0] == w
    np.testing.assert_array_equal(run["loss"], losses)
    assert np.isnan(run["norm"]).all()            # no clipping and nonfinite="raise": the norm is not measured
    assert run["stopped"] is None and run["epochs"] == []
    # the contraction factor of the quadratic: w_k - c = (1 - lr a)^k (w_0 - c)
    assert params["w"][0, 0] - c == pytest.approx((1 - lr * a) ** 6 * (5.0 - c), rel=1e-12)


def test_the_callers_params_are_not_changed_and_the_result_is_new():
    start = {"w": np.array([[5.0]]), "v": np.arange(3.0)}
    before = {k: v.copy() for k, v in start.items()}

    def loss_and_gradients(params, batch):
        return float(params["w"][0, 0] ** 2 + params["v"] @ params["v"]), {"dw": 2 * params["w"], "dv": 2 * params["v"]}

    params, _ = train_loop(start, loss_and_gradients, _one_batch, Adam(0.1), 3, clip=1.0)
    for k in start:
        np.testing.assert_array_equal(start[k], before[k])
        assert params[k] is not start[k] and not np.shares_memory(params[k], start[k])
        assert params[k].dtype == np.float64
    assert not np.array_equal(params["w"], before["w"])


def test_ints_are_trained_as_float64():
    params, _ = train_loop({"w": np.array([[5]])}, _quadratic(), _one_batch, SGD(0.1), 1)
    assert params["w"].dtype == np.float64 and params["w"][0, 0] == 5.0 - 0.1 * (3.0 * 3.0)


def test_clipping_bounds_the_applied_gradient_norm_and_keeps_its_direction():
    recorder = _Recorder(0.01)
    params, run = train_loop({"w": np.array([[50.0]]), "v": np.array([1.0, -2.0])},
                             lambda p, b: (1.0, {"dw": 100.0 * p["w"], "dv": 10.0 * p["v"]}),
                             _one_batch, recorder, 4, clip=0.5)
    for g, norm in zip(recorder.seen, run["norm"]):
        assert global_norm(g) <= 0.5 * (1 + 1e-12)
        assert norm > 0.5 and global_norm(g) == pytest.approx(0.5, rel=1e-12)
    first = recorder.seen[0]
    direction = np.array([100.0 * 50.0, 10.0, -20.0])
    applied = np.array([first["dw"][0, 0], *first["dv"]])
    np.testing.assert_allclose(applied / np.linalg.norm(applied), direction / np.linalg.norm(direction), rtol=1e-12)
    assert run["norm"][0] == pytest.approx(np.linalg.norm(direction), rel=1e-12)


def test_a_gradient_under_the_threshold_is_applied_unchanged():
    recorder = _Recorder(0.1)
    train_loop({"w": np.array([[2.5]])}, _quadratic(), _one_batch, recorder, 1, clip=10.0)
    assert recorder.seen[0]["dw"][0, 0] == 3.0 * 0.5


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_a_nonfinite_loss_stops_with_an_error_naming_the_epoch(bad):
    calls = []

    def loss_and_gradients(params, batch):
        calls.append(batch)
        return (bad if len(calls) == 5 else 1.0), {"dw": np.ones((1, 1))}

    batches = lambda epoch: [epoch, epoch]          # two steps per epoch: call 5 is the first of epoch 2
    with pytest.raises(ValueError, match=rf"^train_loop: the loss became {bad} at epoch 2; try clipping"):
        train_loop({"w": np.zeros((1, 1))}, loss_and_gradients, batches, SGD(0.1), 4)
    with pytest.raises(ValueError, match=rf"^mine: the loss became {bad} at step 3; lower it$"):
        calls.clear()
        train_loop({"w": np.zeros((1, 1))}, loss_and_gradients, batches, SGD(0.1), 4, where="mine",
                   unit="step", first=1, advice="lower it")


def _scripted(script):
    """A loss function that returns, call after call, what the script says (then finite steps)."""
    calls = iter(script)

    def loss_and_gradients(params, batch):
        kind = next(calls, "ok")
        g = {"dw": np.ones((1, 1)), "dv": np.zeros((1, 1))}
        if kind == "ok":
            return 1.0, g
        if kind == "nan loss":
            return math.nan, g
        if kind == "overflow":
            return math.nan, None
        if kind == "nan gradient":
            return 2.0, {"dw": np.full((1, 1), np.nan), "dv": np.zeros((1, 1))}
        if kind == "inf norm":                  # each entry finite, sqrt(2) * 1.5e308 is not
            return 3.0, {"dw": np.full((1, 1), 1.5e308), "dv": np.full((1, 1), 1.5e308)}
        if kind == "huge":                      # finite norm, but lr * g overflows the weights
            return 4.0, {"dw": np.full((1, 1), 1e300), "dv": np.zeros((1, 1))}
        raise AssertionError(kind)
    return loss_and_gradients


@pytest.mark.parametrize("kind, reason, loss, norm", [
    ("nan loss", "loss", math.nan, math.nan), ("overflow", "loss", math.nan, math.nan),
    ("nan gradient", "gradient", 2.0, math.inf), ("inf norm", "norm", 3.0, math.inf),
    ("huge", "parameters", 4.0, 1e300)])
def test_nonfinite_stop_ends_the_run_at_the_first_bad_step_and_keeps_the_last_finite_params(kind, reason, loss, norm):
    steps = []
    with np.errstate(over="ignore"):
        params, run = train_loop({"w": np.zeros((1, 1)), "v": np.zeros((1, 1))}, _scripted(["ok", "ok", kind]),
                                 _one_batch, SGD(1e10), 6, nonfinite="stop", on_step=steps.append)
    stop = run["stopped"]
    assert (stop["step"], stop["epoch"], stop["reason"]) == (2, 2, reason)
    np.testing.assert_array_equal([stop["loss"], stop["norm"]], [loss, norm])
    assert [r["step"] for r in steps] == [0, 1] and len(run["loss"]) == 2 and len(run["epochs"]) == 0
    np.testing.assert_array_equal(run["norm"], [1.0, 1.0])   # measured in "stop" mode even without clipping
    assert params["w"][0, 0] == -2e10                          # two finite SGD steps of lr * 1


def test_callbacks_are_called_once_per_step_and_per_epoch_with_the_right_values():
    steps, epochs = [], []
    losses = iter([4.0, 3.0, 2.0, 1.0, 0.5, 0.25])

    def loss_and_gradients(params, batch):
        return next(losses), {"dw": np.full((1, 1), 1.0)}

    def on_epoch(epoch, params, records):
        epochs.append((epoch, params["w"][0, 0], [r["step"] for r in records]))
        return sum(r["loss"] for r in records)

    batches = lambda epoch: ["a", "b"] if epoch != 1 else ["c", "d"]
    params, run = train_loop({"w": np.zeros((1, 1))}, loss_and_gradients, batches, SGD(0.5), 3, clip=10.0,
                             on_step=steps.append, on_epoch=on_epoch)
    assert [(r["step"], r["epoch"], r["batch"], r["loss"], r["norm"]) for r in steps] == [
        (0, 0, "a", 4.0, 1.0), (1, 0, "b", 3.0, 1.0), (2, 1, "c", 2.0, 1.0), (3, 1, "d", 1.0, 1.0),
        (4, 2, "a", 0.5, 1.0), (5, 2, "b", 0.25, 1.0)]
    assert epochs == [(0, -1.0, [0, 1]), (1, -2.0, [2, 3]), (2, -3.0, [4, 5])]
    assert run["epochs"] == [7.0, 3.0, 0.75]
    np.testing.assert_array_equal(run["loss"], [4.0, 3.0, 2.0, 1.0, 0.5, 0.25])
    assert params["w"][0, 0] == -3.0


def test_batches_are_drawn_at_the_start_of_each_epoch_in_order():
    drawn = []

    def batches(epoch):
        drawn.append(epoch)
        return [epoch]
    train_loop({"w": np.zeros((1, 1))}, lambda p, b: (1.0, {"dw": np.zeros((1, 1))}), batches, SGD(0.1), 4)
    assert drawn == [0, 1, 2, 3]


@pytest.mark.parametrize("change, message", [
    (dict(params=[1.0]), "train_loop: params must be a dict of arrays"),
    (dict(loss_and_gradients=3), "train_loop: loss_and_gradients must be a function .* got int"),
    (dict(batches=[None]), "train_loop: batches must be a function .* got list"),
    (dict(optimizer="adam"), r"train_loop: optimizer must be an optimiser of helpers.optim .* got str"),
    (dict(epochs=0), "train_loop: epochs must be"),
    (dict(clip=-1.0), "train_loop: clip must be"),
    (dict(on_step="print"), "train_loop: on_step must be a function .* or None, got str"),
    (dict(on_epoch=1), "train_loop: on_epoch must be a function .* or None, got int"),
    (dict(nonfinite="ignore"), "train_loop: nonfinite must be one of 'raise', 'stop', got 'ignore'"),
])
def test_bad_arguments_are_named(change, message):
    args = dict(params={"w": np.zeros((1, 1))}, loss_and_gradients=_quadratic(), batches=_one_batch,
                optimizer=SGD(0.1), epochs=1)
    args.update(change)
    with pytest.raises(ValueError, match=message):
        train_loop(**args)


def test_fit_checks_its_progress_and_optimizer():
    x, y = np.zeros((2, 3, 4)), np.zeros((3, 4), dtype=int)
    model = training.init_model("rnn", 2, 3, 2)
    with pytest.raises(ValueError, match="fit: progress must be a function .* or None, got int"):
        training.fit(model, x, y, "rnn", epochs=1, progress=3)
    with pytest.raises(ValueError, match="fit: optimizer must be an optimiser of helpers.optim"):
        training.fit(model, x, y, "rnn", epochs=1, optimizer="adam")


# ------------------------------------------------------------------------------------------------
# every training function of the course runs through the loop
# ------------------------------------------------------------------------------------------------

@pytest.fixture
def loop_calls(monkeypatch):
    """Replace train_loop in every module that uses it by a spy that counts the calls and passes them on."""
    calls = []

    def spy(*args, **kwargs):
        calls.append(kwargs.get("where"))
        return train_loop(*args, **kwargs)
    for module in (training, networks, memory_task, toy_tasks, language_model, clipping_task):
        monkeypatch.setattr(module, "train_loop", spy)
    return calls


def test_fit_runs_through_the_loop(loop_calls):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 5, 3)), rng.integers(0, 2, size=(5, 3))
    training.fit(training.init_model("gru", 2, 3, 2), x, y, "gru", epochs=2, batch_size=2)
    assert loop_calls == ["fit"]


def test_fit_network_runs_through_the_loop(loop_calls):
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(2, 5, 3)), rng.integers(0, 2, size=(5, 3))
    net = networks.init_network("bi", 2, 3, 2)
    trained, history = networks.fit_network(net, x, y, epochs=2, batch_size=2)
    assert loop_calls == ["fit_network"] and history.shape == (2,)
    assert trained["kind"] == "bi" and set(trained["parameters"]) == set(net["parameters"])


def test_fit_memory_task_runs_through_the_loop(loop_calls):
    train, test = memory_task.make_memory_task(8, 2, seed=1), memory_task.make_memory_task(8, 2, seed=2)
    out = memory_task.fit_memory_task("lstm", train, test, 3, steps=3, keep_bias=1.0)
    assert loop_calls == ["fit_memory_task"] and out["history"].shape == (3,)


def test_fit_encoder_decoder_runs_through_the_loop(loop_calls):
    batch = toy_tasks.encode_numbers([3, 14, 27, 8], toy_tasks.number_vocabulary())
    params = toy_tasks.init_encoder_decoder(batch["x"].shape[0], 4)
    _, history = toy_tasks.fit_encoder_decoder(params, batch, epochs=2, batch_size=3)
    assert loop_calls == ["fit_encoder_decoder"] and history.shape == (2,)


def test_train_language_model_runs_through_the_loop(loop_calls):
    tokens = language_model.tokenize(["anna", "bob", "eve", "otto"], "char")
    lm, history = language_model.train_language_model(tokens, n_a=3, epochs=2, batch_size=2, heldout=tokens[:2])
    assert loop_calls == ["train_language_model"] and list(history["epoch"]) == [1, 2]
    assert isinstance(lm, language_model.LanguageModel) and np.isfinite(history["heldout_loss"]).all()


def test_train_clipped_runs_through_the_loop(loop_calls):
    x, y = clipping_task.make_window_task(m=8, T=10, window=3)
    run = clipping_task.train_clipped(clipping_task.init_window_model(3), x, y, threshold=0.1, steps=4)
    assert loop_calls == ["train_clipped"] and run["clipped"].shape == (4,)


def test_fit_memory_task_reports_a_nonfinite_loss_at_its_step(monkeypatch):
    train, test = memory_task.make_memory_task(8, 2, seed=1), memory_task.make_memory_task(8, 2, seed=2)
    real = training._loss_and_gradients
    calls = []

    def poisoned(*args, **kwargs):
        calls.append(1)
        loss, grads = real(*args, **kwargs)
        return (math.nan if len(calls) == 3 else loss), grads
    monkeypatch.setattr(training, "_loss_and_gradients", poisoned)
    with pytest.raises(ValueError, match="^fit_memory_task: the loss became nan at step 2; try clipping"):
        memory_task.fit_memory_task("rnn", train, test, 3, steps=5)
