"""Per-op overhead: a 200-op elementwise chain on a 16x16 float32 tensor, forward + backward.

The arrays are tiny, so the time is almost all per-op bookkeeping (dispatch, graph recording,
the backward walk), not arithmetic. Three contenders run the identical chain:

  dagrad  autograd.Tensor(requires_grad=True), then .sum().backward()
  torch   PyTorch CPU autograd, torch.set_num_threads(1)
  dag     the least a define-by-run DAG engine in Python costs (bench/_dag_floor.py): the
          same numpy calls, one vertex with a gradient closure per op, the same Kahn walk
          as dagrad's engine, and none of dagrad's features (dtype rules, version counters,
          hooks, grad mode, create_graph, checks): the floor of dagrad's design
  numpy   the same numpy calls with a hand-written tape of backward closures: no graph at all

The per-op time is the time of the whole chain divided by 200 (the final sum is the 201st op
and is counted in the total). "fwd" records the graph (or tape) and drops it; "fwd+bwd" also
runs backward. Run: .venv/bin/python bench/per_op.py [--quick]
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _cli as cli  # noqa: E402
from _timing import ratio_rows, ratio_table, time_all  # noqa: E402

SHAPE = (16, 16)
CYCLE = 10  # ops per cycle, see chain()
N_OPS = 200
CYCLES = N_OPS // CYCLE


def make_inputs(seed=0):
    """x and the constants of the chain, float32. The ranges keep every value bounded (no
    overflow), every relu input positive (no gradient is cut) and the gradient of each element
    within float32's normal range (about 1e-11 .. 1e-3 after 200 ops)."""
    rng = np.random.default_rng(seed)

    def u(lo, hi):
        return rng.uniform(lo, hi, SHAPE).astype(np.float32)

    return {
        "x": u(-1.0, 1.0),
        "a": u(0.2, 0.4),
        "b": u(-0.2, 0.2),
        "c": u(0.1, 0.3),
        "a2": u(14.0, 16.0),
        "d": np.full(SHAPE, 10.0, np.float32),
    }


def chain(x, k):
    """The 200-op chain, written once for dagrad and torch (same method names)."""
    a, b, c, a2, d = k["a"], k["b"], k["c"], k["a2"], k["d"]
    for _ in range(CYCLES):
        x = x * a
        x = x + b
        x = x.tanh()
        x = x * 0.5
        x = x.exp()
        x = x - c
        x = x.relu()
        x = x.sigmoid()
        x = x * a2
        x = x - d
    return x


# ----------------------------------------------------------------------- contenders
def dagrad_contender(inputs):
    from autograd import Tensor

    k = {name: Tensor(v) for name, v in inputs.items() if name != "x"}
    x = Tensor(inputs["x"], requires_grad=True)
    return _steps(x, k)


def _steps(x, k):
    """(forward, forward+backward, the gradient) of the chain on a leaf x, for either library."""

    def fwd():
        chain(x, k)

    def fwd_bwd():
        x.grad = None
        chain(x, k).sum().backward()

    def grad():
        fwd_bwd()
        return x.grad.numpy().copy()

    return fwd, fwd_bwd, grad


def torch_contender(inputs):
    import torch

    torch.set_num_threads(1)
    k = {name: torch.from_numpy(v.copy()) for name, v in inputs.items() if name != "x"}
    x = torch.from_numpy(inputs["x"].copy()).requires_grad_(True)
    return _steps(x, k)


def numpy_forward(x, k):
    """The chain in numpy, recording one backward closure per op; returns (out, tape)."""
    a, b, c, a2, d = k["a"], k["b"], k["c"], k["a2"], k["d"]
    tape = []
    push = tape.append
    exp = np.exp
    tanh = np.tanh
    for _ in range(CYCLES):
        x = x * a
        push(lambda g, a=a: g * a)
        x = x + b
        push(lambda g: g)
        x = tanh(x)
        push(lambda g, y=x: g * (1 - y * y))
        x = x * 0.5
        push(lambda g: g * 0.5)
        x = exp(x)
        push(lambda g, y=x: g * y)
        x = x - c
        push(lambda g: g)
        mask = x > 0
        x = x * mask
        push(lambda g, m=mask: g * m)
        x = 1 / (1 + exp(-x))
        push(lambda g, y=x: g * y * (1 - y))
        x = x * a2
        push(lambda g, a=a2: g * a)
        x = x - d
        push(lambda g: g)
    return x, tape


def numpy_backward(out, tape):
    g = np.ones_like(out)  # d sum / d out
    for backward in reversed(tape):
        g = backward(g)
    return g


def numpy_contender(inputs):
    k = {name: v for name, v in inputs.items() if name != "x"}
    x = inputs["x"]

    def fwd():
        numpy_forward(x, k)

    def fwd_bwd():
        out, tape = numpy_forward(x, k)
        out.sum()
        return numpy_backward(out, tape)

    return fwd, fwd_bwd, fwd_bwd


def dag_contender(inputs):
    from _dag_floor import T

    k = {name: T(v) for name, v in inputs.items() if name != "x"}
    x = T(inputs["x"], requires_grad=True)
    fwd, fwd_bwd, _ = _steps(x, k)

    def grad():
        fwd_bwd()
        return x.grad.copy()

    return fwd, fwd_bwd, grad


CONTENDERS = {
    "dagrad": dagrad_contender,
    "torch": torch_contender,
    "dag": dag_contender,
    "numpy": numpy_contender,
}


# ----------------------------------------------------------------------- check and time
def reference_grad(inputs):
    """d sum(chain(x)) / dx in float64 numpy, to judge the three float32 results against."""
    k = {name: v.astype(np.float64) for name, v in inputs.items() if name != "x"}
    out, tape = numpy_forward(inputs["x"].astype(np.float64), k)
    return numpy_backward(out, tape)


def check(grads, reference, rtol=1e-3):
    """Every contender's x.grad matches the float64 reference elementwise, relative to each
    element (the gradients span many orders of magnitude, so an absolute tolerance would
    hide errors in the small ones). Raises AssertionError otherwise."""
    assert np.all(reference != 0), "a gradient vanished: the chain cut some path"
    errors = {}
    for name, g in grads.items():
        assert g.shape == SHAPE and g.dtype == np.float32, (name, g.shape, g.dtype)
        err = float(np.max(np.abs(g - reference) / np.abs(reference)))
        errors[name] = err
        assert err < rtol, f"{name}: x.grad differs from the float64 reference by {err:.2e}"
    return errors


def run(rounds=30, target_s=0.05, verbose=True):
    inputs = make_inputs()
    built = {name: make(inputs) for name, make in CONTENDERS.items()}
    errors = check({name: c[2]() for name, c in built.items()}, reference_grad(inputs))
    if verbose:
        detail = ", ".join(f"{n} {e:.1e}" for n, e in errors.items())
        print(f"per_op: x.grad max relative error vs float64: {detail}", file=sys.stderr)
    results = {}
    for mode, i in (("fwd+bwd", 1), ("fwd", 0)):
        fns = {name: c[i] for name, c in built.items()}
        results[mode] = time_all(fns, rounds, target_s, 1e6 / N_OPS)
    return {"rounds": rounds, "results": results, "errors": errors}


def report(res):
    """Markdown: per-op microseconds (min / median) and the ratios dagrad/torch, dagrad/numpy."""
    rows = []
    for mode, per in res["results"].items():
        rows += ratio_rows(per, digits=1, lead=(mode,))
    title = (
        f"Per-op overhead: {N_OPS}-op elementwise chain on {SHAPE[0]}x{SHAPE[1]} float32, "
        f"{res['rounds']} interleaved rounds (torch: 1 thread)"
    )
    return ratio_table(title, rows, "µs/op", lead=("pass",))


def main(argv=None):
    cli.timed_main(__doc__, argv, run, report, quick=(8, 0.01), full=(30, 0.05))


if __name__ == "__main__":
    main()
