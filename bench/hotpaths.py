"""Where dagrad's time goes on the two benchmarks: a profile per op, and the building blocks.

  1. cProfile of per_op's dagrad chain (fwd+bwd): the top functions by own time, in
     microseconds per chain op (the profiler inflates small functions; read shares, not sums).
  2. The building blocks of one op, timed alone (timeit, best of 7): the numpy arithmetic
     floor, a full recorded Mul, its dispatch, _wrap, Node, edges, save_for_backward,
     saved_tensors, needs_input_grad, sum_to, operands, grad-mode reads, and the engine's
     cost per vertex (a chain of Clone ops, whose backward does no arithmetic).
  3. cProfile of value_mlp's dagrad step, per recorded Value op, and cyclic-gc time.

A block that no longer exists under its name (the library moves) prints "n/a".
Run: .venv/bin/python bench/hotpaths.py [--quick]
"""

import cProfile
import gc
import os
import pstats
import sys
import timeit

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import _cli as cli  # noqa: E402
import per_op  # noqa: E402
import value_mlp  # noqa: E402


def _where(key):
    path, line, name = key
    if path.startswith(ROOT):
        path = os.path.relpath(path, ROOT)
    elif path == "~":
        return name
    else:
        path = os.path.basename(path)
    return f"{path}:{line}({name})"


def profile(fn, calls, n_ops, top):
    """Run fn `calls` times under cProfile; rows of the `top` functions by own time."""
    pr = cProfile.Profile()
    pr.enable()
    for _ in range(calls):
        fn()
    pr.disable()
    stats = pstats.Stats(pr).stats
    total = sum(v[2] for v in stats.values())
    rows = sorted(stats.items(), key=lambda kv: -kv[1][2])[:top]
    out = []
    for key, (_, nc, tt, ct, _) in rows:
        per = calls * n_ops
        out.append((_where(key), nc / per, tt / per * 1e6, ct / per * 1e6, 100 * tt / total))
    return total / (calls * n_ops) * 1e6, out


def print_profile(title, total_us, rows, unit):
    print(f"\n## {title}\n")
    print(f"profiled total {total_us:.2f} µs per {unit} (profiler overhead included)\n")
    print(f"| function | calls/{unit} | own µs/{unit} | cum µs/{unit} | own % |")
    print("|---|---|---|---|---|")
    for where, calls, own, cum, share in rows:
        print(f"| `{where}` | {calls:.2f} | {own:.3f} | {cum:.3f} | {share:.1f} |")


def best(stmt, number, repeat=9, setup=None, g=None):
    """Best time of one call of stmt, in microseconds."""
    timer = timeit.Timer(stmt, setup=setup or "pass", globals=g)
    return min(timer.repeat(repeat=repeat, number=number)) / number * 1e6


def blocks(number):
    """Time the pieces an elementwise op is made of; returns rows (name, µs, note)."""
    import numpy as np

    import autograd
    from autograd import Tensor, no_grad

    g = {"np": np, "autograd": autograd, "Tensor": Tensor, "no_grad": no_grad}
    a = np.random.default_rng(0).uniform(-1, 1, (16, 16)).astype(np.float32)
    g.update(a=a, b=a.copy())
    g["x"] = Tensor(a, requires_grad=True)
    g["y"] = Tensor(a.copy())
    rows = []

    def add(name, stmt, note="", setup=None, n=number, grad_mode=True):
        from autograd.grad_mode import state

        try:
            exec(setup or "pass", g)
            state.enabled = grad_mode
            rows.append((name, best(stmt, n, g=g), note))
        except Exception as e:  # the library moved under this block: say so, go on
            rows.append((name, None, f"n/a ({type(e).__name__}: {e})"[:90]))
        finally:
            state.enabled = True

    add("numpy a * b (16x16 float32)", "a * b", "the arithmetic floor of one op")
    add("numpy np.tanh(a)", "np.tanh(a)")
    add("x * y, recording (Tensor.__mul__)", "x * y", "one whole forward op")
    add("Mul.apply(x, y), recording", "Mul.apply(x, y)", "", "from autograd.ops import Mul")
    add("x * y under no_grad", "with no_grad(): x * y", "incl. the with-block")
    add("x * y, grad mode off", "x * y", "what a backward rule's Tensor op costs", grad_mode=False)
    add("x * 0.5, grad mode off", "x * 0.5", "a Python-scalar operand", grad_mode=False)
    add(
        "Mul.forward alone (ctx = a Node)",
        "Mul.forward(ctx, x, y)",
        "array work + operands + save_for_backward",
        "from autograd.ops import Mul\nfrom autograd.function import Node\n"
        "ctx = Node(Mul, [x, None])",
    )
    add(
        "_wrap(array, backend)",
        "_wrap(a, be)",
        "",
        "from autograd._tensor import _wrap\nbe = x._backend",
    )
    add(
        "Node(Mul, edges)",
        "Node(Mul, e)",
        "",
        "from autograd.function import Node\nfrom autograd.ops import Mul\ne = [x, None]",
    )
    add(
        "edges list for (x, y)",
        "[(t.grad_fn or t) if t.requires_grad else None for t in xs]",
        "as apply builds it, roughly",
        "xs = (x, y)",
    )
    add(
        "ctx.save_for_backward(x, y)",
        "ctx.save_for_backward(x, y)",
        "",
        "from autograd.function import Node\nfrom autograd.ops import Mul\n"
        "ctx = Node(Mul, [x, None])",
    )
    add(
        "ctx.saved_tensors (2 tensors)",
        "ctx.saved_tensors",
        "version check per tensor",
        "from autograd.function import Node\nfrom autograd.ops import Mul\n"
        "ctx = Node(Mul, [x, None])\nctx.save_for_backward(x, y)",
    )
    add(
        "ctx.needs_input_grad",
        "ctx.needs_input_grad",
        "builds a new list/tuple per call",
        "from autograd.function import Node\nfrom autograd.ops import Mul\n"
        "ctx = Node(Mul, [x, None])",
    )
    add(
        "sum_to(g, same shape)",
        "sum_to(y, shp)",
        "the no-broadcast fast path",
        "from autograd.ops.shape import sum_to\nshp = y.shape",
    )
    add(
        "operands('mul', x, y)",
        "operands('mul', x, y)",
        "",
        "from autograd.ops._util import operands",
    )
    add(
        "grad-mode read (thread-local)",
        "st.enabled",
        "",
        "from autograd.grad_mode import state as st",
    )
    add("isinstance(x, Tensor)", "isinstance(x, Tensor)")
    add("x.shape (property)", "x.shape")
    add("x.xp (property, backend.xp)", "x.xp")
    for op, expr in (
        ("Mul", "x * y"),
        ("Tanh", "x.tanh()"),
        ("Relu", "x.relu()"),
        ("Add", "x + y"),
    ):
        add(
            f"{op}.backward(ctx, grad), grad mode off",
            f"{op}.backward(ctx, go)",
            "one backward rule, as the engine calls it",
            f"from autograd.ops import {op}\nt = {expr}\nctx = t.grad_fn\ngo = t.detach()",
            grad_mode=False,
        )
    add(
        "engine: backward of 200 Clone ops, per vertex",
        "x.grad = None; clone_chain(x).sum().backward()",
        "Clone's backward returns grad: the engine loop alone",
        "def clone_chain(t):\n    for _ in range(200):\n        t = t.clone()\n    return t\n",
        n=max(1, number // 200),
    )
    for i, (name, us, note) in enumerate(rows):
        if name.startswith("engine") and us is not None:
            fwd = best("clone_chain(x).sum()", max(1, number // 200), g=g)
            rows[i] = (name, (us - fwd) / 200, note + f" (fwd {fwd / 200:.2f} µs/op taken off)")
    return rows


def value_blocks(number):
    """The pieces of one scalar op, dagrad Value beside micrograd Value; then forward and
    backward of the demo's whole loss graph per vertex (gc off, to leave the collector out)."""
    from micrograd.engine import Value as MgValue

    from autograd import Value
    from autograd.grad_mode import state
    from autograd.value import Mul

    g = {"V": Value, "M": MgValue, "Mul": Mul}
    g.update(p=Value(0.3), q=Value(-0.7), mp=MgValue(0.3), mq=MgValue(-0.7))
    rows = []
    for name, stmt in (
        ("dagrad    p * q (recording)", "p * q"),
        ("dagrad    Mul.apply(p, q)", "Mul.apply(p, q)"),
        ("micrograd p * q", "mp * mq"),
        ("dagrad    Value(1.0)", "V(1.0)"),
        ("micrograd Value(1.0)", "M(1.0)"),
        ("dagrad    2 * p (rmul, wraps 2)", "2 * p"),
        ("micrograd 2 * p", "2 * mp"),
    ):
        rows.append((name, best(stmt, number, g=g), ""))
    state.enabled = False
    try:
        rows.append(
            (
                "dagrad    p + q, grad mode off",
                best("p + q", number, g=g),
                "the engine's accumulation of two Value grads",
            )
        )
    finally:
        state.enabled = True
    rows.append(
        (
            "float a + b",
            best("a + b", number, setup="a, b = 0.3, 0.7"),
            "what accumulating floats would cost",
        )
    )

    models, X, y = value_mlp.build()
    clock = timeit.default_timer
    for name in ("micrograd", "dagrad"):
        model, V = models[name]
        fwd = bwd = float("inf")
        gc.collect()
        gc.disable()
        try:
            with value_mlp._RecursionLimit():
                for _ in range(3):
                    t0 = clock()
                    total = value_mlp.loss(model, X, y, V)
                    t1 = clock()
                    total.backward()
                    t2 = clock()
                    fwd, bwd = min(fwd, t1 - t0), min(bwd, t2 - t1)
            n = _count_vertices(total, name)
            del total
        finally:
            gc.enable()
            gc.collect()
        rows.append((f"{name:9} loss forward, per vertex", fwd / n * 1e6, f"{n} vertices"))
        rows.append((f"{name:9} backward, per vertex", bwd / n * 1e6, "incl. topological sort"))
    return rows


def _count_vertices(root, name):
    seen = set()
    stack = [root]
    while stack:
        v = stack.pop()
        if id(v) in seen:
            continue
        seen.add(id(v))
        stack.extend(u for u in (v._prev if name == "micrograd" else v._next) if u is not None)
    return len(seen)


def print_blocks(title, rows):
    print(f"\n## {title}\n")
    print("| block | µs | note |")
    print("|---|---|---|")
    for name, us, note in rows:
        print(f"| {name} | {'n/a' if us is None else f'{us:.3f}'} | {note} |")


def value_profile(top):
    """cProfile one dagrad training step; costs per graph vertex (one recorded Value op)."""
    models, X, y = value_mlp.build()
    model, V = models["dagrad"]
    n_vertices = _count_vertices(value_mlp.loss(model, X, y, V), "dagrad")
    step = value_mlp.step_fn("dagrad", model, V, X, y)
    step(0)
    meter = value_mlp._GcMeter()
    gc.collect()
    with meter:
        t = timeit.default_timer()
        step(1)
        t = timeit.default_timer() - t
    gc.collect()
    total_us, rows = profile(lambda: step(2), 1, n_vertices, top)
    return n_vertices, total_us, rows, (t, meter.total, meter.count)


def main(argv=None):
    parser = cli.parser(__doc__, rounds=False, json=False)
    parser.add_argument("--top", type=int, default=18)
    args = parser.parse_args(argv)
    calls = 30 if args.quick else 150
    number = 2000 if args.quick else 20000

    inputs = per_op.make_inputs()
    _, fwd_bwd, _ = per_op.dagrad_contender(inputs)
    fwd_bwd()
    total, rows = profile(fwd_bwd, calls, per_op.N_OPS, args.top)
    print_profile(
        f"per_op: dagrad fwd+bwd, {per_op.N_OPS}-op chain, {calls} runs", total, rows, "op"
    )
    print_blocks("building blocks of one op (16x16 float32)", blocks(number))

    n, total, rows, (t, gc_t, gc_n) = value_profile(args.top)
    print_profile(
        f"value_mlp: dagrad step (forward, backward, SGD), {n} graph vertices",
        total,
        rows,
        "vertex",
    )
    print(
        f"\none step with gc on, unprofiled: {t * 1e3:.0f} ms, of which {gc_t * 1e3:.0f} ms "
        f"({100 * gc_t / t:.0f}%) in {gc_n} cyclic-gc runs; {t / n * 1e6:.2f} µs per vertex"
    )
    print_blocks("building blocks of one scalar op", value_blocks(number * 5))


if __name__ == "__main__":
    main()
