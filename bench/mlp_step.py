"""One training step of an MNIST-sized MLP: dagrad against hand-written numpy and PyTorch.

The step: MLP 784-256-256-10 (Linear, ReLU, Linear, ReLU, Linear), batch 128, float32,
cross-entropy (mean), backward, plain SGD (lr 0.01) and zero_grad. Three contenders run it
from the same initial weights and data:

  dagrad  nn.Sequential, nn.CrossEntropyLoss, optim.SGD
  torch   the same code on torch.nn / torch.optim, CPU
  numpy   the same math written by hand: forward, stable log-softmax cross-entropy, the
          backward by the chain rule, an in-place SGD update; the floor dagrad aims at

BLAS threads: numpy's OpenBLAS and torch get the same count (--threads, 1 by default: the
machine is small and shared, and one thread keeps the three comparable). The arrays are big
enough that the matrix products dominate, so the ratio to numpy is dagrad's overhead:
bookkeeping, extra copies and extra elementwise passes.
Run: .venv/bin/python bench/mlp_step.py [--quick] [--threads N]
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(1, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _threads_from_argv(argv):
    """--threads N, read before numpy loads: OpenBLAS reads its thread count at load time."""
    for i, a in enumerate(argv):
        if a == "--threads" and i + 1 < len(argv):
            return argv[i + 1]
        if a.startswith("--threads="):
            return a.split("=", 1)[1]
    return "1"


if __name__ == "__main__":
    for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_var] = _threads_from_argv(sys.argv[1:])


import _cli as cli  # noqa: E402
import numpy as np  # noqa: E402
from _timing import ratio_rows, ratio_table, time_all  # noqa: E402

SIZES = (784, 256, 256, 10)
BATCH = 128
LR = 0.01


def make_inputs(seed=0):
    """Weights with PyTorch's default Linear init (U(-1/sqrt(fan_in), 1/sqrt(fan_in))), a batch
    of inputs in [0, 1) and class labels; float32 (labels int64)."""
    rng = np.random.default_rng(seed)
    params = []
    for fan_in, fan_out in zip(SIZES[:-1], SIZES[1:]):
        bound = 1 / np.sqrt(fan_in)
        params.append(rng.uniform(-bound, bound, (fan_out, fan_in)).astype(np.float32))
        params.append(rng.uniform(-bound, bound, (fan_out,)).astype(np.float32))
    x = rng.random((BATCH, SIZES[0]), dtype=np.float32)
    y = rng.integers(0, SIZES[-1], BATCH).astype(np.int64)
    return params, x, y


# ----------------------------------------------------------------------- contenders
# Each maker returns (step, params): step() runs one training step and returns the loss as a
# float; params() returns the current weights as numpy arrays, in make_inputs' order.
def dagrad_contender(inputs):
    import nn
    import optim
    from autograd import Tensor

    weights, x, y = inputs
    model = nn.Sequential(
        nn.Linear(SIZES[0], SIZES[1]),
        nn.ReLU(),
        nn.Linear(SIZES[1], SIZES[2]),
        nn.ReLU(),
        nn.Linear(SIZES[2], SIZES[3]),
    )
    for p, w in zip(model.parameters(), weights, strict=True):
        p.array[...] = w
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.SGD(model.parameters(), lr=LR)
    xt, yt = Tensor(x), Tensor(y)

    step = _training_step(model, loss_fn, opt, xt, yt)

    def params():
        return [p.array.copy() for p in model.parameters()]

    return step, params


def _training_step(model, loss_fn, opt, x, y):
    """One SGD step on the batch (x, y), the same lines for either library; returns the loss."""

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    return step


def torch_contender(inputs, threads=1):
    import torch

    torch.set_num_threads(threads)
    weights, x, y = inputs
    model = torch.nn.Sequential(
        torch.nn.Linear(SIZES[0], SIZES[1]),
        torch.nn.ReLU(),
        torch.nn.Linear(SIZES[1], SIZES[2]),
        torch.nn.ReLU(),
        torch.nn.Linear(SIZES[2], SIZES[3]),
    )
    with torch.no_grad():
        for p, w in zip(model.parameters(), weights, strict=True):
            p.copy_(torch.from_numpy(w))
    loss_fn = torch.nn.CrossEntropyLoss()
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xt, yt = torch.from_numpy(x.copy()), torch.from_numpy(y.copy())

    step = _training_step(model, loss_fn, opt, xt, yt)

    def params():
        return [p.detach().numpy().copy() for p in model.parameters()]

    return step, params


def numpy_step(params, x, y, lr):
    """One SGD step of the MLP on (x, y) by hand, updating params in place; returns the loss."""
    w1, b1, w2, b2, w3, b3 = params
    n = x.shape[0]
    rows = np.arange(n)
    # forward
    z1 = x @ w1.T + b1
    a1 = np.maximum(z1, 0)
    z2 = a1 @ w2.T + b2
    a2 = np.maximum(z2, 0)
    logits = a2 @ w3.T + b3
    shifted = logits - logits.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    total = e.sum(axis=1, keepdims=True)
    loss = np.log(total[:, 0]).mean() - shifted[rows, y].mean()  # mean of -log softmax[y]
    # backward: d loss / d logits = (softmax - onehot) / n
    g3 = e / total
    g3[rows, y] -= 1
    g3 /= n
    g2 = g3 @ w3
    g2 *= z2 > 0
    g1 = g2 @ w2
    g1 *= z1 > 0
    grads = (g1.T @ x, g1.sum(0), g2.T @ a1, g2.sum(0), g3.T @ a2, g3.sum(0))
    for p, g in zip(params, grads):
        p -= lr * g
    return float(loss)


def numpy_contender(inputs):
    weights, x, y = inputs
    params = [w.copy() for w in weights]

    def step():
        return numpy_step(params, x, y, LR)

    def snapshot():
        return [p.copy() for p in params]

    return step, snapshot


CONTENDERS = ("dagrad", "torch", "numpy")


def build(inputs, threads):
    return {
        "dagrad": dagrad_contender(inputs),
        "torch": torch_contender(inputs, threads),
        "numpy": numpy_contender(inputs),
    }


# ----------------------------------------------------------------------- check and time
def check(steps=3, seed=0):
    """From the same start, every contender's losses over `steps` steps and its weights after
    them match a float64 run of numpy_step; the weights must have moved. Raises AssertionError
    otherwise; returns each contender's largest relative error."""
    inputs = make_inputs(seed)
    weights, x, y = inputs
    ref = [w.astype(np.float64) for w in weights]
    ref_losses = [numpy_step(ref, x.astype(np.float64), y, LR) for _ in range(steps)]
    moved = max(float(np.abs(r - w).max()) for r, w in zip(ref, weights))
    assert moved > 1e-5, "the weights barely moved: the check would prove little"
    errors = {}
    for name, (step, params) in build(inputs, threads=1).items():
        losses = [step() for _ in range(steps)]
        for a, b in zip(losses, ref_losses):
            assert abs(a - b) <= 1e-5 * abs(b), f"{name}: loss {a} vs float64 {b}"
        err = 0.0
        for p, r in zip(params(), ref, strict=True):
            assert p.dtype == np.float32 and p.shape == r.shape, (name, p.dtype, p.shape)
            err = max(err, float(np.abs(p - r).max() / np.abs(r).max()))
        assert err < 1e-5, f"{name}: weights differ from the float64 reference by {err:.1e}"
        errors[name] = err
    return errors


def run(rounds=40, target_s=0.05, threads=1, verbose=True):
    errors = check()
    if verbose:
        detail = ", ".join(f"{n} {e:.1e}" for n, e in errors.items())
        print(f"mlp_step: weights after 3 steps vs float64, error: {detail}", file=sys.stderr)
    built = build(make_inputs(), threads)
    results = time_all({name: step for name, (step, _) in built.items()}, rounds, target_s)
    return {"rounds": rounds, "threads": threads, "results": results, "errors": errors}


def report(res):
    """Markdown: ms per step (min / median) and the ratios dagrad/torch, dagrad/numpy."""
    title = (
        f"MLP training step: {'-'.join(map(str, SIZES))}, batch {BATCH}, float32, "
        f"cross-entropy + backward + SGD, {res['rounds']} interleaved rounds "
        f"(BLAS and torch: {res['threads']} thread{'s' if res['threads'] > 1 else ''})"
    )
    return ratio_table(title, ratio_rows(res["results"]), "ms/step")


def main(argv=None):
    parser = cli.parser(__doc__)
    parser.add_argument("--threads", type=int, default=1, help="BLAS and torch threads")
    args = parser.parse_args(argv)
    res = run(rounds=cli.rounds(args, 8, 40), target_s=0.02 if args.quick else 0.1,
              threads=args.threads)  # fmt: skip
    cli.finish(args, res, report)


if __name__ == "__main__":
    main()
