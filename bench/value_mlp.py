"""micrograd's demo training step, with dagrad's `autograd.Value` against micrograd 0.1.0.

The demo: MLP(2, [16, 16, 1]) (337 parameters) on 100 two-moons points, SVM max-margin loss
mean((1 - y * score).relu()) + 1e-4 * sum(p * p), backward, SGD with the demo's decaying
learning rate. Both models start from micrograd's initial weights (dagrad's copies them), so
the two compute the same losses and gradients step after step; this is checked.

One sample is one full training step (forward + zero_grad + backward + update). Each round
runs one step of each library in alternating order, then gc.collect()s, timing that collect
too ("cleanup"): micrograd's graph is cyclic (every node's _backward closure holds the node),
so it is freed by the cyclic collector, not when the step returns; the step plus its cleanup
is what a training loop pays. A second pass with gc disabled during the step shows how much
of the step is cyclic-gc time.

Then the backward alone of a 500-deep chain, y = relu(w relu(w ... relu(w x))): dagrad's
iterative walk against micrograd's recursive topological sort, the graph built once and its
backward timed again and again (the gradients accumulate, in both).
Run: .venv/bin/python bench/value_mlp.py [--quick]
"""

import gc
import math
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import _cli as cli  # noqa: E402
from _timing import calibrate, interleaved, summary, table  # noqa: E402

N_POINTS = 100
SIZES = (2, [16, 16, 1])
ALPHA = 1e-4
MICROGRAD_RECURSION_LIMIT = 100_000
CHAIN_DEPTH = 500


def make_moons(n=N_POINTS, noise=0.1, seed=1337):
    """Two interleaving half circles, as sklearn.datasets.make_moons, with labels -1 / +1
    (the demo's y * 2 - 1). Deterministic: Python's random with a fixed seed."""
    rng = random.Random(seed)
    n_out = n // 2
    n_in = n - n_out
    points = []
    for i in range(n_out):
        t = math.pi * i / (n_out - 1)
        points.append((math.cos(t), math.sin(t), -1))
    for i in range(n_in):
        t = math.pi * i / (n_in - 1)
        points.append((1 - math.cos(t), 1 - math.sin(t) - 0.5, 1))
    points = [(x + rng.gauss(0, noise), y + rng.gauss(0, noise), label) for x, y, label in points]
    rng.shuffle(points)
    X = [(x, y) for x, y, _ in points]
    labels = [label for _, _, label in points]
    return X, labels


# ----------------------------------------------------------------------- dagrad's MLP
class Neuron:
    """micrograd's Neuron on autograd.Value: act = b + sum_i w_i x_i, relu unless last."""

    def __init__(self, w, b, nonlin, Value):
        self.w = [Value(wi) for wi in w]
        self.b = Value(b)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x, strict=True)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, neurons):
        self.neurons = neurons

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    """The same network as micrograd.nn.MLP, with its weights copied from `like`."""

    def __init__(self, like, Value):
        self.layers = [
            Layer([Neuron([w.data for w in n.w], n.b.data, n.nonlin, Value) for n in layer.neurons])
            for layer in like.layers
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0.0


# ----------------------------------------------------------------------- the demo's step
def loss(model, X, y, Value):
    """The demo's loss(): SVM max-margin data loss + L2 regularisation."""
    inputs = [[Value(a), Value(b)] for a, b in X]
    scores = [model(x) for x in inputs]
    losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    return data_loss + reg_loss


def train_step(model, X, y, Value, k):
    """Forward, zero_grad, backward, SGD update (learning rate 1 - 0.9 k / 100)."""
    total = loss(model, X, y, Value)
    model.zero_grad()
    total.backward()
    lr = 1.0 - 0.9 * k / 100
    for p in model.parameters():
        p.data -= lr * p.grad
    return total.data


class _RecursionLimit:
    """micrograd's topological sort recurses once per graph level: raise the limit for it."""

    def __enter__(self):
        self.prev = sys.getrecursionlimit()
        sys.setrecursionlimit(max(self.prev, MICROGRAD_RECURSION_LIMIT))

    def __exit__(self, *exc):
        sys.setrecursionlimit(self.prev)


def build():
    """Both models from the same initial weights, and the data."""
    import micrograd.nn
    from micrograd.engine import Value as MgValue

    from autograd import Value

    random.seed(1337)  # the demo's seed, for micrograd's random.uniform initialisation
    mg = micrograd.nn.MLP(*SIZES)
    dg = MLP(mg, Value)
    X, y = make_moons()
    return {"micrograd": (mg, MgValue), "dagrad": (dg, Value)}, X, y


def step_fn(name, model, Value, X, y):
    if name == "micrograd":

        def step(k):
            with _RecursionLimit():
                return train_step(model, X, y, Value, k)

    else:

        def step(k):
            return train_step(model, X, y, Value, k)

    return step


def check_step0(models, X, y):
    """Both libraries give the same step-0 loss and the same gradient for every parameter."""
    mg, MgValue = models["micrograd"]
    dg, Value = models["dagrad"]
    with _RecursionLimit():
        lm = loss(mg, X, y, MgValue)
        mg.zero_grad()
        lm.backward()
    ld = loss(dg, X, y, Value)
    dg.zero_grad()
    ld.backward()
    assert type(ld.data) is float and math.isclose(lm.data, ld.data, rel_tol=1e-12), (
        lm.data,
        ld.data,
    )
    pm, pd = mg.parameters(), dg.parameters()
    assert len(pm) == len(pd) == 337
    worst = 0.0
    nonzero = 0
    for a, b in zip(pm, pd, strict=True):
        assert type(b.grad) is float
        err = abs(a.grad - b.grad) / max(abs(a.grad), 1e-12)
        worst = max(worst, err)
        nonzero += a.grad != 0
        assert math.isclose(a.grad, b.grad, rel_tol=1e-9, abs_tol=1e-15), (a.grad, b.grad)
    assert nonzero > len(pm) // 2, "most gradients are zero: the check would prove little"
    mg.zero_grad()
    dg.zero_grad()
    return lm.data, worst, nonzero


class _GcMeter:
    """Time spent inside the cyclic garbage collector, read through gc.callbacks."""

    def __init__(self):
        self.total = 0.0
        self.count = 0
        self._t0 = None

    def __call__(self, phase, info):
        if phase == "start":
            self._t0 = time.perf_counter()
        elif self._t0 is not None:
            self.total += time.perf_counter() - self._t0
            self.count += 1
            self._t0 = None

    def __enter__(self):
        self.total = 0.0
        self.count = 0
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc):
        gc.callbacks.remove(self)


def make_chain(Value, depth=CHAIN_DEPTH):
    """y = relu(w * relu(w * ... relu(w * x))): `depth` ops, each on the previous output."""
    x, w = Value(0.5), Value(0.99)
    y = x
    for _ in range(depth // 2):
        y = (y * w).relu()
    return y, x, w


def chain_backward(rounds):
    """Seconds per backward of the deep chain, {library: [one per round]}; the gradients of
    the two chains are checked equal first."""
    from micrograd.engine import Value as MgValue

    from autograd import Value

    chains = {"micrograd": make_chain(MgValue), "dagrad": make_chain(Value)}
    with _RecursionLimit():
        for y, _, _ in chains.values():
            y.backward()
    (_, xm, wm), (_, xd, wd) = chains["micrograd"], chains["dagrad"]
    for a, b in ((xm, xd), (wm, wd)):
        assert math.isclose(a.grad, b.grad, rel_tol=1e-12), (a.grad, b.grad)
    steps = {name: chain[0].backward for name, chain in chains.items()}
    with _RecursionLimit():
        reps = {name: calibrate(fn, 0.02) for name, fn in steps.items()}
        return interleaved(steps, rounds * 3, reps)


def run(rounds=10, verbose=True):
    models, X, y = build()
    loss0, worst, nonzero = check_step0(models, X, y)
    if verbose:
        print(
            f"value_mlp: step 0 loss {loss0:.12f} in both; {nonzero}/337 nonzero parameter "
            f"gradients, largest relative difference {worst:.1e}",
            file=sys.stderr,
        )
    steps = {name: step_fn(name, m, V, X, y) for name, (m, V) in models.items()}
    names = list(steps)
    keys = ("step", "cleanup", "gc_in_step", "gc_runs", "step_nogc")
    samples = {name: {key: [] for key in keys} for name in names}
    losses = {name: [] for name in names}
    clock = time.perf_counter
    k = 0
    gc.collect()
    # Rounds with gc enabled (the honest default), then rounds with gc disabled in the step.
    for gc_on in (True, False):
        for r in range(rounds):
            for name in names[r % 2 :] + names[: r % 2]:
                s = samples[name]
                if gc_on:
                    with _GcMeter() as meter:
                        t0 = clock()
                        losses[name].append(steps[name](k))
                        t1 = clock()
                    s["step"].append(t1 - t0)
                    s["gc_in_step"].append(meter.total)
                    s["gc_runs"].append(meter.count)
                else:
                    gc.disable()
                    try:
                        t0 = clock()
                        losses[name].append(steps[name](k))
                        t1 = clock()
                    finally:
                        gc.enable()
                    s["step_nogc"].append(t1 - t0)
                t0 = clock()
                gc.collect()
                if gc_on:
                    s["cleanup"].append(clock() - t0)
            k += 1
    # The two models stayed in lockstep: the same loss at every step.
    for a, b in zip(losses["micrograd"], losses["dagrad"], strict=True):
        assert math.isclose(a, b, rel_tol=1e-9), (a, b)
    return {
        "rounds": rounds,
        "samples": samples,
        "final_loss": losses["dagrad"][-1],
        "steps": k,
        "chain": chain_backward(rounds),
    }


def report(res):
    s = res["samples"]
    rows = []
    for name in ("micrograd", "dagrad"):
        step = summary(s[name]["step"], 1e3)
        clean = summary(s[name]["cleanup"], 1e3)
        nogc = summary(s[name]["step_nogc"], 1e3)
        gc_share = sorted(
            g / t for g, t in zip(s[name]["gc_in_step"], s[name]["step"], strict=True)
        )
        gc_runs = sorted(s[name]["gc_runs"])
        rows.append(
            [
                name,
                f"{step[0]:.0f}",
                f"{step[1]:.0f}",
                f"{clean[1]:.0f}",
                f"{nogc[0]:.0f}",
                f"{nogc[1]:.0f}",
                f"{100 * gc_share[len(gc_share) // 2]:.0f}% ({gc_runs[len(gc_runs) // 2]} runs)",
            ]
        )
    ratio = {}
    for key in ("step", "step_nogc"):
        m = summary(s["micrograd"][key])
        d = summary(s["dagrad"][key])
        ratio[key] = (m[0] / d[0], m[1] / d[1])
    with_cleanup = {
        name: [a + b for a, b in zip(s[name]["step"], s[name]["cleanup"], strict=True)]
        for name in s
    }
    wm = summary(with_cleanup["micrograd"])
    wd = summary(with_cleanup["dagrad"])
    header = [
        "library",
        "step ms min",
        "step ms median",
        "cleanup ms median",
        "gc off: min",
        "gc off: median",
        "cyclic gc in step (median)",
    ]
    title = (
        f"micrograd demo step: MLP(2, [16, 16, 1]) on {N_POINTS} points, forward + backward + "
        f"SGD, {res['rounds']} interleaved rounds"
    )
    lines = [
        title,
        "",
        table(header, rows),
        "",
        f"Speed-up micrograd ÷ dagrad, gc on (min / median): "
        f"{ratio['step'][0]:.2f}x / {ratio['step'][1]:.2f}x; "
        f"with cleanup: {wm[0] / wd[0]:.2f}x / {wm[1] / wd[1]:.2f}x; "
        f"gc off: {ratio['step_nogc'][0]:.2f}x / {ratio['step_nogc'][1]:.2f}x",
    ]
    chain = {name: summary(t, 1e6) for name, t in res["chain"].items()}
    cm, cd = chain["micrograd"], chain["dagrad"]
    lines += [
        "",
        f"Backward of a {CHAIN_DEPTH}-deep chain (relu(w * ...)), µs min / median: micrograd "
        f"{cm[0]:.0f} / {cm[1]:.0f}, dagrad {cd[0]:.0f} / {cd[1]:.0f}; micrograd ÷ dagrad "
        f"{cm[0] / cd[0]:.2f}x / {cm[1] / cd[1]:.2f}x",
    ]
    return "\n".join(lines)


def main(argv=None):
    args = cli.parser(__doc__).parse_args(argv)
    cli.finish(args, run(rounds=cli.rounds(args, 4, 10)), report)


if __name__ == "__main__":
    main()
