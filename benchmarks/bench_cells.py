"""Time forward + backward of the RNN, GRU and LSTM over a whole sequence.

For each cell and each size it measures, in milliseconds (median of several repeats after a warm-up):

    ours      x_states_forward + x_backward of helpers, with an upstream gradient G<t> on every step
    per-step  the readable reference: x_cell_forward at every step, then x_cell_backward at every step
              in reverse, adding up the weight gradients by hand
    torch     torch.nn.RNN / GRU / LSTM in float64 on the CPU, forward + backward of sum(out * G),
              only if PyTorch can be imported (it is not a requirement of the course)

All three compute the same gradients (of the weights, of the inputs x and of the initial state) for the
loss L = sum_t sum(a<t> * G<t>), so dL/da<t> = G<t> from outside the recurrence. Before timing, the
script checks that ours and per-step agree, and (RNN, LSTM) that ours and torch agree when torch gets
our weights; the largest difference is printed, so the table never times two different computations.
torch's GRU is the "reset after" variant, r * (W_hn @ h + b_hn), a different model of the same cost
order, so it is timed but not compared.

Every table is printed once per thread count (--threads, default 1 and 2): threadpoolctl limits numpy's
BLAS and torch.set_num_threads sets PyTorch to the same number. numpy and torch are timed in two separate
worker processes of this script, which the parent asks in turn for blocks of timed runs, with a short
rest before each block (see "timing" below for why).

Usage:
    python benchmarks/bench_cells.py              # 9 timed runs in 3 turns per measurement, 1 and 2 threads
    python benchmarks/bench_cells.py --threads 1  # one thread only
    python benchmarks/bench_cells.py --repeats 15 --rounds 5
    python benchmarks/bench_cells.py --quick      # 3 runs, 1 warm-up: a rough look in half a minute
"""
from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time

import numpy as np

if importlib.util.find_spec("helpers") is None:  # not installed: use the repository this file is in
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from helpers.gru import gru_backward, gru_cell_backward, gru_cell_forward, gru_states_forward, \
    initialize_gru_parameters
from helpers.lstm import initialize_lstm_parameters, lstm_backward, lstm_cell_backward, lstm_cell_forward, \
    lstm_states_forward
from helpers.rnn import initialize_rnn_parameters, rnn_backward, rnn_cell_backward, rnn_cell_forward, \
    rnn_states_forward

from threadpoolctl import threadpool_limits

try:
    import torch
except ImportError:
    torch = None

SIZES = [  # (n_x, n_a, m, T_x)
    (27, 64, 32, 50),
    (27, 128, 64, 100),
]
CELLS = ("rnn", "gru", "lstm")


# ----------------------------------------------------------------------------------------------
# the problem: parameters, inputs and the upstream gradient, the same for all three implementations
# ----------------------------------------------------------------------------------------------

def make_problem(cell, n_x, n_a, m, T_x, seed=0):
    """Parameters of `cell` (n_y = n_x, as in a character model), x (n_x, m, T_x), a0, c0 (n_a, m) and
    the upstream gradient G (n_a, m, T_x)."""
    init = {"rnn": initialize_rnn_parameters, "gru": initialize_gru_parameters,
            "lstm": initialize_lstm_parameters}[cell]
    parameters = init(n_x, n_a, n_x, seed=seed)
    rng = np.random.default_rng(seed + 1)
    # non-zero biases, so a wrong bias layout would show up in the comparison with torch
    for key in parameters:
        if key.startswith("b"):
            parameters[key] = 0.1 * rng.standard_normal(parameters[key].shape)
    x = rng.standard_normal((n_x, m, T_x))
    a0 = 0.5 * rng.standard_normal((n_a, m))
    c0 = 0.5 * rng.standard_normal((n_a, m))
    G = rng.standard_normal((n_a, m, T_x))
    return parameters, x, a0, c0, G


# ----------------------------------------------------------------------------------------------
# (1) ours: the sequence functions
# ----------------------------------------------------------------------------------------------

def ours(cell, parameters, x, a0, c0, G):
    """Forward + backward with helpers' sequence functions; returns the gradients dict."""
    if cell == "rnn":
        _, caches = rnn_states_forward(x, a0, parameters)
        return rnn_backward(G, caches)
    if cell == "gru":
        _, caches = gru_states_forward(x, a0, parameters)
        return gru_backward(G, caches)
    _, _, caches = lstm_states_forward(x, a0, parameters, c0=c0)
    return lstm_backward(G, caches)


# ----------------------------------------------------------------------------------------------
# (2) per-step: the cell functions in a Python loop
# ----------------------------------------------------------------------------------------------

def _add(total, step, skip):
    """total += step, key by key, for the weight gradients (keys not in `skip`)."""
    for key, value in step.items():
        if key not in skip:
            total[key] = total[key] + value if key in total else value


def per_step(cell, parameters, x, a0, c0, G):
    """Forward with x_cell_forward at every step, backward with x_cell_backward in reverse.

    Returns the gradients under the names of the sequence functions (dx, da0 or dc0, dW..., db...).
    The cell forwards also compute their softmax output yt_pred, which this loss does not use: that
    is part of what calling the one-step reference costs.
    """
    T_x = x.shape[2]
    dx = np.empty_like(x)
    grads = {}
    if cell == "rnn":
        caches, a = [], a0
        for t in range(T_x):
            a, _, cache = rnn_cell_forward(x[:, :, t], a, parameters)
            caches.append(cache)
        da_next = np.zeros_like(a0)
        for t in reversed(range(T_x)):
            step = rnn_cell_backward(G[:, :, t] + da_next, caches[t])
            dx[:, :, t], da_next = step["dxt"], step["da_prev"]
            _add(grads, step, ("dxt", "da_prev"))
        grads["da0"] = da_next
    elif cell == "gru":
        caches, c = [], a0
        for t in range(T_x):
            c, _, cache = gru_cell_forward(x[:, :, t], c, parameters)
            caches.append(cache)
        dc_next = np.zeros_like(a0)
        for t in reversed(range(T_x)):
            step = gru_cell_backward(G[:, :, t] + dc_next, caches[t])
            dx[:, :, t], dc_next = step["dxt"], step["dc_prev"]
            _add(grads, step, ("dxt", "dc_prev"))
        grads["dc0"] = dc_next
    else:
        caches, a, c = [], a0, c0
        for t in range(T_x):
            a, c, _, cache = lstm_cell_forward(x[:, :, t], a, c, parameters)
            caches.append(cache)
        da_next, dc_next = np.zeros_like(a0), np.zeros_like(c0)
        for t in reversed(range(T_x)):
            step = lstm_cell_backward(G[:, :, t] + da_next, dc_next, caches[t])
            dx[:, :, t], da_next, dc_next = step["dxt"], step["da_prev"], step["dc_prev"]
            _add(grads, step, ("dxt", "da_prev", "dc_prev"))
        grads["da0"], grads["dc0"] = da_next, dc_next
    grads["dx"] = dx
    return grads


# ----------------------------------------------------------------------------------------------
# (3) torch, when importable
# ----------------------------------------------------------------------------------------------

def blas_threads():
    """(number of threads numpy's BLAS uses, how it was found).

    threadpoolctl asks the BLAS library itself; without it, a thread-count variable that OpenBLAS or
    MKL read at start-up is used if set, and the number of CPUs (their default) otherwise.
    """
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        for var in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
            if os.environ.get(var, "").strip().isdigit() and int(os.environ[var]) > 0:
                return int(os.environ[var]), f"${var}, threadpoolctl is not installed"
        return os.cpu_count() or 1, "os.cpu_count(), threadpoolctl is not installed"
    blas = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    if not blas:
        return os.cpu_count() or 1, "os.cpu_count(), threadpoolctl found no BLAS pool"
    pool = blas[0]
    return int(pool["num_threads"]), f"threadpoolctl, {pool.get('internal_api')} {pool.get('version')}"


class TorchModel:
    """torch.nn.RNN / GRU / LSTM in float64 holding our weights, with inputs in torch's (T, m, n) layout.

    torch's gates:  RNN  h' = tanh(W_ih x + b_ih + W_hh h + b_hh)             -> W_ih = Wax, W_hh = Waa
                    LSTM rows of W_ih, W_hh are the gates i, f, g, o          -> i = u, f = f, g = c, o = o
                         (our W acts on [a; x]: its first n_a columns are W_hh's block, the rest W_ih's)
                    GRU  rows r, z, n, with n = tanh(W_in x + r * (W_hn h + b_hn)) and h' = (1 - z) n + z h:
                         the "reset after" GRU, a different model; it keeps torch's random weights.
    Both torch biases of a gate add up, so ours goes to b_ih and b_hh is set to zero.
    """

    def __init__(self, cell, parameters, x, a0, c0, G):
        n_x, m, T_x = x.shape
        n_a = a0.shape[0]
        module = {"rnn": torch.nn.RNN, "gru": torch.nn.GRU, "lstm": torch.nn.LSTM}[cell]
        self.cell = cell
        self.net = module(n_x, n_a).double()
        with torch.no_grad():
            if cell == "rnn":
                self._set(parameters["Wax"], parameters["Waa"], parameters["ba"])
            elif cell == "lstm":
                W = np.concatenate([parameters["W" + g] for g in "ufco"], axis=0)   # torch's i, f, g, o
                b = np.concatenate([parameters["b" + g] for g in "ufco"], axis=0)
                self._set(W[:, n_a:], W[:, :n_a], b)

        def tensor(arr):
            return torch.from_numpy(np.ascontiguousarray(arr))

        self.x = tensor(x.transpose(2, 1, 0))          # (T_x, m, n_x)
        self.G = tensor(G.transpose(2, 1, 0))          # (T_x, m, n_a)
        self.h0 = tensor(a0.T[None])                   # (1, m, n_a)
        self.c0 = tensor(c0.T[None])

    def _set(self, W_ih, W_hh, b):
        self.net.weight_ih_l0.copy_(torch.from_numpy(W_ih))
        self.net.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        self.net.bias_ih_l0.copy_(torch.from_numpy(b[:, 0]))
        self.net.bias_hh_l0.zero_()

    def run(self):
        """Forward + backward of sum(out * G), with gradients for the weights, x and the initial state."""
        self.net.zero_grad(set_to_none=True)
        x = self.x.detach().requires_grad_(True)
        h0 = self.h0.detach().requires_grad_(True)
        if self.cell == "lstm":
            c0 = self.c0.detach().requires_grad_(True)
            out, _ = self.net(x, (h0, c0))
        else:
            c0 = None
            out, _ = self.net(x, h0)
        (out * self.G).sum().backward()
        return x, h0, c0

    def gradients(self):
        """torch's gradients in our names and layout (RNN and LSTM only)."""
        x, h0, c0 = self.run()
        n_a = self.h0.shape[2]
        W_ih, W_hh = self.net.weight_ih_l0.grad.numpy(), self.net.weight_hh_l0.grad.numpy()
        b = self.net.bias_ih_l0.grad.numpy()[:, None]
        grads = {"dx": x.grad.numpy().transpose(2, 1, 0), "da0": h0.grad.numpy()[0].T}
        if self.cell == "rnn":
            grads.update(dWax=W_ih, dWaa=W_hh, dba=b)
        else:
            grads["dc0"] = c0.grad.numpy()[0].T
            W = np.concatenate([W_hh, W_ih], axis=1)
            for k, g in enumerate("ufco"):
                grads["dW" + g] = W[k * n_a:(k + 1) * n_a]
                grads["db" + g] = b[k * n_a:(k + 1) * n_a]
        return grads


# ----------------------------------------------------------------------------------------------
# timing: one worker process per library, asked in turn
# ----------------------------------------------------------------------------------------------
#
# numpy (ours and per-step) and torch are timed in two separate worker processes, never in one. Both
# libraries keep their idle threads polling for new work for a while after a call (OpenBLAS for up to
# about 0.1 s, OpenMP for a shorter time); in one process, or in two processes running at once, one
# library's polling threads take the CPUs the other one needs, and at two threads torch came out up
# to 7 times slower than it is alone. The parent asks one worker at a time for a block of timed runs,
# waits --pause seconds between blocks so that the threads of the last one go to sleep, and takes
# turns over several rounds, so that a change in the machine's load reaches both libraries alike.

def _worker_main(kind, threads):
    """Serve timing requests on stdin, one JSON object per line, answering on stdout.

    A request {"cell": ..., "size": [n_x, n_a, m, T_x], "repeats": r, "warmup": w} is answered with
    {"ours": [...], "per-step": [...]} (kind "numpy", the two alternating) or {"torch": [...]} (kind
    "torch"): r wall times in seconds, after w untimed calls of each.
    """
    import json
    if kind == "torch":
        torch.set_num_threads(threads)
    problems = {}
    with threadpool_limits(limits=threads, user_api="blas"):
        n_blas, how = blas_threads()
        hello = {"blas": f"numpy's BLAS uses {n_blas} (from {how})"}
        if kind == "torch":
            hello["torch"] = f"torch uses {torch.get_num_threads()} (torch.get_num_threads())"
        print(json.dumps(hello), flush=True)
        for line in sys.stdin:
            request = json.loads(line)
            key = (request["cell"], tuple(request["size"]))
            if key not in problems:
                cell = request["cell"]
                problem = make_problem(cell, *key[1])
                if kind == "numpy":
                    problems[key] = {"ours": lambda c=cell, p=problem: ours(c, *p),
                                     "per-step": lambda c=cell, p=problem: per_step(c, *p)}
                else:
                    torch.manual_seed(0)               # the GRU keeps torch's own weights: the same ones each run
                    problems[key] = {"torch": TorchModel(cell, *problem).run}
            fns = problems[key]
            for fn in fns.values():
                for _ in range(request["warmup"]):
                    fn()
            times = {name: [] for name in fns}
            for _ in range(request["repeats"]):
                for name, fn in fns.items():
                    start = time.perf_counter()
                    fn()
                    times[name].append(time.perf_counter() - start)
            print(json.dumps(times), flush=True)


class Worker:
    """A worker process of this script (see _worker_main), with BLAS (and torch) limited to `threads`."""

    def __init__(self, kind, threads):
        import subprocess
        self.kind = kind
        self.process = subprocess.Popen(
            [sys.executable, os.path.abspath(__file__), "--worker", kind, "--threads", str(threads)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        self.hello = self._answer()

    def _answer(self):
        import json
        answer = self.process.stdout.readline()
        if not answer:
            raise RuntimeError(f"the {self.kind} worker stopped (exit code {self.process.wait()})")
        return json.loads(answer)

    def time(self, cell, size, repeats, warmup):
        import json
        request = {"cell": cell, "size": list(size), "repeats": repeats, "warmup": warmup}
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        return self._answer()

    def close(self):
        self.process.stdin.close()
        self.process.wait()


def max_difference(g1, g2):
    """Largest |g1[k] - g2[k]| over the keys of g2, relative to the largest |g2[k]|."""
    worst = 0.0
    for key, ref in g2.items():
        worst = max(worst, float(np.max(np.abs(g1[key] - ref)) / max(np.max(np.abs(ref)), 1e-300)))
    return worst


def checks(cell, size):
    """Before any timing: the largest differences of our gradients from per-step's and from torch's."""
    problem = make_problem(cell, *size)
    mine = ours(cell, *problem)
    found = [f"{max_difference(per_step(cell, *problem), mine):.0e}"]
    if torch is not None:
        found.append("-" if cell == "gru" else f"{max_difference(mine, TorchModel(cell, *problem).gradients()):.0e}")
    return ", ".join(found)


def table(threads, repeats, warmup, rounds, pause, differences):
    """Time every cell at every size with `threads` threads; print one table, return the times."""
    workers = [Worker("numpy", threads)] + ([Worker("torch", threads)] if torch is not None else [])
    print("in the workers: " + "; ".join(dict.fromkeys(t for worker in workers for t in worker.hello.values())))
    header = f"{'cell':<5} {'size (n_x, n_a, m, T_x)':<24} {'ours ms':>9} {'per-step ms':>12} " \
             f"{'torch ms':>9} {'torch/ours':>11}  {'max rel. diff: per-step, torch':>31}"
    print(header)
    print("-" * len(header))
    per_round = [repeats // rounds + (1 if r < repeats % rounds else 0) for r in range(rounds)]
    results = {}
    try:
        for cell in CELLS:
            for size in SIZES:
                times = {}
                for n in per_round:
                    for worker in workers:
                        time.sleep(pause)
                        for name, t in worker.time(cell, size, n, warmup).items():
                            times.setdefault(name, []).extend(t)
                ms = {name: 1000.0 * statistics.median(t) for name, t in times.items()}
                t_ours, t_step, t_torch = ms["ours"], ms["per-step"], ms.get("torch")
                results[cell, size] = (t_ours, t_torch)
                torch_ms = f"{t_torch:9.2f}" if t_torch is not None else f"{'-':>9}"
                ratio = f"{t_torch / t_ours:11.2f}" if t_torch is not None else f"{'-':>11}"
                print(f"{cell:<5} {str(size):<24} {t_ours:9.2f} {t_step:12.2f} {torch_ms} {ratio}  "
                      f"{differences[cell, size]:>31}", flush=True)
    finally:
        for worker in workers:
            worker.close()
    return results


def verdicts(results):
    """One line per cell: is ours no slower than torch at both sizes?"""
    print("target: every cell no slower than PyTorch's CPU float64 module (torch/ours >= 1) at both sizes:")
    for cell in CELLS:
        lines = []
        for size in SIZES:
            t_ours, t_torch = results[cell, size]
            if t_torch is None:
                lines.append("cannot be checked, PyTorch is not importable")
                break
            holds = "holds" if t_ours <= t_torch else "does NOT hold"
            lines.append(f"n_a={size[1]}: {holds} ({t_ours:.1f} vs {t_torch:.1f} ms)")
        print(f"  {cell:<5}{'; '.join(lines)}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed runs of each implementation per measurement (default 9)")
    parser.add_argument("--rounds", type=int, default=3,
                        help="the repeats are split into this many turns of each worker (default 3)")
    parser.add_argument("--pause", type=float, default=0.25,
                        help="seconds of rest before each block of timed runs (default 0.25)")
    parser.add_argument("--quick", action="store_true", help="3 repeats and 1 warm-up: a rough look")
    parser.add_argument("--threads", default="1,2",
                        help="comma-separated thread counts, one table each, the same for numpy's BLAS and "
                             "torch (default 1,2)")
    parser.add_argument("--worker", choices=("numpy", "torch"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:
        _worker_main(args.worker, int(args.threads))
        return
    repeats = args.repeats if args.repeats is not None else (3 if args.quick else 9)
    if repeats < 1:
        parser.error("--repeats must be at least 1")
    if not 1 <= args.rounds <= repeats:
        parser.error(f"--rounds must be between 1 and --repeats ({repeats}), got {args.rounds}")
    if not 0 <= args.pause <= 10:
        parser.error(f"--pause must be between 0 and 10 seconds, got {args.pause}")
    try:
        thread_counts = [int(n) for n in args.threads.split(",")]
    except ValueError:
        thread_counts = []
    if not thread_counts or min(thread_counts) < 1:
        parser.error(f"--threads must be positive integers separated by commas, got {args.threads!r}")
    warmup = 1 if args.quick else 2

    print(f"numpy {np.__version__} with {blas_name()}")
    if torch is None:
        print("PyTorch: not importable, its column is left empty")
    else:
        print(f"PyTorch {torch.__version__}: float64 on the CPU")
        print("note: torch's GRU is the 'reset after' variant, r * (W_hn @ h + b_hn), not the lecture's "
              "tanh(Wc @ [r * c; x]): a different model with the same cost order, timed but not compared")
    print(f"median of {repeats} timed runs in {args.rounds} turns of each worker process, {warmup} warm-up(s) "
          f"per turn, {args.pause} s of rest before each; times in ms for forward + backward")
    differences = {(cell, size): checks(cell, size) for cell in CELLS for size in SIZES}

    all_results = {}
    for n in thread_counts:
        print(f"\n=== {n} thread(s)")
        print_load("before this table")
        all_results[n] = table(n, repeats, warmup, args.rounds, args.pause, differences)
        print_load("after this table")
    for n, results in all_results.items():
        print(f"\n{n} thread(s), ", end="")
        verdicts(results)


def print_load(when):
    """Print the load average, with a warning when other programs compete for the CPUs."""
    if not hasattr(os, "getloadavg"):
        return
    load, cpus = os.getloadavg()[0], os.cpu_count() or 1
    busy = load > 0.5 * cpus + 0.5
    note = ("  <- other programs are using the CPUs: timings are noisy (multithreaded BLAS most of all); "
            "rerun on an idle machine") if busy else ""
    print(f"load average {when}: {load:.1f} on {cpus} CPU(s){note}")


def blas_name():
    """'name version' of the BLAS library numpy was built with, if numpy can tell."""
    try:
        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
    except (TypeError, KeyError):  # numpy < 1.26 has no mode="dicts"
        return "an unknown BLAS"
    return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()


if __name__ == "__main__":
    main()
