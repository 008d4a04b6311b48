"""Peak extra memory of single ops, dagrad beside PyTorch, in multiples of the input's size.

Each (op, library) pair runs in a child interpreter of its own: the child imports the
library, builds the inputs (float32, `--size` elements; 2e7 by default), runs the op once on a
small input (lazy imports, first-call caches), resets the kernel's peak-RSS mark
(/proc/self/clear_refs) and then runs the op once at full size. What it reports is
(VmHWM - VmRSS before) / bytes of one input: the op's output, its gradient buffers
and every temporary that was alive at the worst moment. 1.0 is an output the size of the
input and nothing else; inputs and upstream gradients that exist before the op are not
counted. Linux only (it reads /proc).

  forward     y = op(x), x requiring grad (what the graph saves counts), from before it
  backward    y.backward(ones) (or a loss's backward()), x.grad included, from after the
              forward (y and the ones already there)

Run: .venv/bin/python bench/memory.py [--quick] [--size N] [--only NAME]
"""

import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(1, os.path.dirname(HERE))

import _cli as cli  # noqa: E402
from _timing import table  # noqa: E402

ROW = 1000  # the reduced dim of softmax, amax and var: inputs are (size / ROW, ROW)


def _inputs(T, n, requires_grad=True, rows=False, second=False, target=False):
    g = T.Generator().manual_seed(0)
    shape = (n // ROW, ROW) if rows else (n,)
    xs = [T.randn(shape, generator=g, requires_grad=requires_grad)]
    if second:
        xs.append(T.randn(shape, generator=g, requires_grad=True))
    if target:
        xs.append(T.rand(shape, generator=g))
    return xs


# name -> (setup(T, n) -> inputs, forward(T, F, *inputs) -> output); None: no backward
CASES = {
    "gelu": (lambda T, n: _inputs(T, n), lambda T, F, x: F.gelu(x)),
    "bce_with_logits": (
        lambda T, n: _inputs(T, n, target=True),
        lambda T, F, x, t: F.binary_cross_entropy_with_logits(x, t),
    ),
    "bce_with_logits (none)": (
        lambda T, n: _inputs(T, n, target=True),
        lambda T, F, x, t: F.binary_cross_entropy_with_logits(x, t, reduction="none"),
    ),
    "softmax": (lambda T, n: _inputs(T, n, rows=True), lambda T, F, x: F.softmax(x, dim=-1)),
    "log_softmax": (
        lambda T, n: _inputs(T, n, rows=True),
        lambda T, F, x: F.log_softmax(x, dim=-1),
    ),
    "cross_entropy": (
        lambda T, n: _inputs(T, n, rows=True) + [T.zeros(n // ROW, dtype=T.long)],
        lambda T, F, x, y: F.cross_entropy(x, y),
    ),
    "maximum": (lambda T, n: _inputs(T, n, second=True), lambda T, F, x, y: T.maximum(x, y)),
    "amax": (lambda T, n: _inputs(T, n, rows=True), lambda T, F, x: x.amax(dim=-1)),
    "var": (lambda T, n: _inputs(T, n, rows=True), lambda T, F, x: x.var(dim=-1)),
    "tanh": (lambda T, n: _inputs(T, n), lambda T, F, x: x.tanh()),
    "sigmoid": (lambda T, n: _inputs(T, n), lambda T, F, x: x.sigmoid()),
    "randn": (lambda T, n: [n], lambda T, F, n: T.randn(n)),
    "rand": (lambda T, n: [n], lambda T, F, n: T.rand(n)),
}


def _kib(key):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/self/status")


def _reset_peak():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # VmHWM back to the current RSS
    return _kib("VmRSS")


def child(library, name, n):
    """Measure one case in this process; print [fwd, bwd] multiples as JSON (bwd None for
    an op without a backward)."""
    import gc

    if library == "torch":
        import torch as T
        import torch.nn.functional as F

        T.set_num_threads(1)
    else:
        import autograd as T
        import nn.functional as F
    setup, forward = CASES[name]

    def backward(y):
        if not y.requires_grad:
            return None, None
        g = None if y.ndim == 0 else T.ones_like(y)  # the upstream gradient exists before
        gc.collect()
        base = _reset_peak()
        y.backward(g)
        return _kib("VmHWM") - base, g

    backward(forward(T, F, *setup(T, 4 * ROW)))  # warm up: lazy imports, first-call caches
    inputs = setup(T, n)
    gc.collect()
    base = _reset_peak()
    y = forward(T, F, *inputs)
    fwd = _kib("VmHWM") - base
    bwd, _ = backward(y)
    size = 4 * n
    print(json.dumps([fwd * 1024 / size, None if bwd is None else bwd * 1024 / size]))


def measure(name, n):
    res = {}
    for library in ("dagrad", "torch"):
        cmd = [sys.executable, os.path.abspath(__file__), "--child", library, name, str(n)]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, check=True, text=True)
        res[library] = json.loads(done.stdout.strip().splitlines()[-1])
    return res


def run(size, only=None):
    names = [only] if only else list(CASES)
    return {"size": size, "results": {name: measure(name, size) for name in names}}


def report(res):
    rows = []
    for name, r in res["results"].items():
        cells = [name]
        verdict = "ok"
        for k in (0, 1):
            d, t = r["dagrad"][k], r["torch"][k]
            if d is None:
                cells.append("")
                continue
            cells.append(f"{d:.2f} ({t:.2f})")
            if d > t + 1.05:
                verdict = "over"
        rows.append(cells + [verdict])
    header = ["op", "forward: dagrad (torch)", "backward: dagrad (torch)", "<= torch + 1"]
    title = (
        f"Peak extra memory, in multiples of the input ({res['size']:.0e} float32 elements, "
        f"x requiring grad; peak RSS in a child process per op and library): the forward "
        f"from before it, the backward (an upstream gradient of ones) from after the forward"
    )
    return title + "\n\n" + table(header, rows)


def main(argv=None):
    parser = cli.parser(__doc__, quick="a smaller input (4e6)", rounds=False)
    parser.add_argument("--size", type=int, default=None, help="elements per input (2e7)")
    parser.add_argument("--only", choices=tuple(CASES), default=None)
    parser.add_argument("--child", nargs=3, metavar=("LIBRARY", "NAME", "SIZE"), help="internal")
    args = parser.parse_args(argv)
    if args.child:
        library, name, n = args.child
        child(library, name, int(n))
        return
    size = args.size or (4_000_000 if args.quick else 20_000_000)
    cli.finish(args, run(size, args.only), report)


if __name__ == "__main__":
    main()
