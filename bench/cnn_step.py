"""A small CNN's training step: dagrad against hand-written numpy and PyTorch CPU.

The model, on a batch of 64 1x28x28 float32 images with 10 classes:

  Conv2d(1, 8, 3, padding=1) -> ReLU -> MaxPool2d(2)
  -> Conv2d(8, 16, 3, padding=1) -> ReLU -> MaxPool2d(2) -> Flatten -> Linear(16*7*7, 10)

One step: forward, cross-entropy loss, backward, SGD update (lr 0.01). Three contenders start
from the same weights (PyTorch's default initialisation) and the same batch:

  dagrad  nn.conv.Conv2d, nn.pooling.MaxPool2d, nn.ReLU, nn.Flatten, nn.Linear; optim.SGD
  numpy   the same math and the same algorithms written by hand, with a manual backward:
          im2col through a strided view (columns (C, kh, kw, N, Ho, Wo)) and one GEMM per
          convolution, col2im by one strided slice-add per kernel offset, max pooling over
          the unfolded windows with the gradient routed to each window's first maximum. The
          floor that dagrad's bookkeeping (graph, engine, checks) is measured against.
  torch   PyTorch CPU autograd and torch.optim.SGD

Threads: one everywhere. Run as a script (as run.py does), it sets OPENBLAS_NUM_THREADS=1
before numpy loads (the GEMMs of dagrad and numpy), and torch.set_num_threads(1): the step is
small, and on a shared machine one thread gives steadier numbers. Each contender's first step
is checked: the three losses and gradients agree. Run: .venv/bin/python bench/cnn_step.py
[--quick]
"""

import os
import sys

if __name__ == "__main__":  # before numpy loads: one BLAS thread (run.py runs this as a script)
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np  # noqa: E402
from numpy.lib.stride_tricks import as_strided  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.dirname(HERE))

import _cli as cli  # noqa: E402
from _timing import ratio_rows, ratio_table, time_all  # noqa: E402

BATCH = 64
CLASSES = 10
LR = 0.01
PARAMS = ("conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc.weight", "fc.bias")


def make_inputs(seed=0):
    """The batch, labels and PyTorch's default initial weights (float32 numpy arrays)."""
    import torch

    torch.manual_seed(seed)
    model = TorchNet(torch)
    weights = {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((BATCH, 1, 28, 28)).astype(np.float32)
    y = rng.integers(0, CLASSES, BATCH)
    return x, y, weights


def TorchNet(torch):
    return Net(torch.nn)


def Net(nn):
    """The model, built from `nn` (dagrad's, or torch.nn), its parameters named as PARAMS."""
    layers = {
        "conv1": nn.Conv2d(1, 8, 3, padding=1),
        "relu1": nn.ReLU(),
        "pool1": nn.MaxPool2d(2),
        "conv2": nn.Conv2d(8, 16, 3, padding=1),
        "relu2": nn.ReLU(),
        "pool2": nn.MaxPool2d(2),
        "flatten": nn.Flatten(),
        "fc": nn.Linear(16 * 7 * 7, CLASSES),
    }
    model = nn.Sequential()
    for name, layer in layers.items():
        model.add_module(name, layer)
    return model


# ----------------------------------------------------------------------- contenders
def dagrad_contender(x, y, weights):
    import autograd
    import nn
    import optim

    model = Net(nn)
    model.load_state_dict(weights)
    opt = optim.SGD(model.parameters(), lr=LR)
    return _steps(model, opt, nn.functional.cross_entropy, autograd.tensor(x), autograd.tensor(y))


def torch_contender(x, y, weights):
    import torch

    torch.set_num_threads(1)
    model = TorchNet(torch)
    model.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in weights.items()})
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    xt = torch.from_numpy(x.copy())
    yt = torch.from_numpy(y.copy())
    return _steps(model, opt, torch.nn.functional.cross_entropy, xt, yt)


def _steps(model, opt, cross_entropy, xt, yt):
    """(fast_step, step) of an autograd library with PyTorch's API (dagrad's or torch's): one
    SGD step; step also returns the loss and a copy of every gradient, for the check."""

    def step():
        opt.zero_grad()
        loss = cross_entropy(model(xt), yt)
        loss.backward()
        grads = {k: p.grad.numpy().copy() for k, p in model.named_parameters()}
        opt.step()
        return loss.item(), grads

    def fast_step():
        opt.zero_grad()
        loss = cross_entropy(model(xt), yt)
        loss.backward()
        opt.step()

    return fast_step, step


# ----------------------------------------------------------------------- hand-written numpy
def unfold(a, k, stride):
    """Columns (C, k, k, N, Ho, Wo) of a (N, C, H, W) array: a strided view, one copy."""
    n, c, h, w = a.shape
    ho = (h - k) // stride + 1
    wo = (w - k) // stride + 1
    s_n, s_c, s_h, s_w = a.strides
    view = as_strided(a, (c, k, k, n, ho, wo), (s_c, s_h, s_w, s_n, stride * s_h, stride * s_w))
    return np.ascontiguousarray(view)


def fold(cols, size, stride):
    """The adjoint of unfold: (C, k, k, N, Ho, Wo) -> (N, C, H, W), overlaps summed."""
    c, k, _, n, ho, wo = cols.shape
    out = np.zeros((c, n) + size, cols.dtype)
    for i in range(k):
        rows = slice(i, i + stride * (ho - 1) + 1, stride)
        for j in range(k):
            out[:, :, rows, j : j + stride * (wo - 1) + 1 : stride] += cols[:, i, j]
    return out.transpose(1, 0, 2, 3)


def conv_forward(x, w, b):
    """3x3 convolution, padding 1, stride 1: out (N, O, H, W) and what backward needs."""
    n, c, h, wd = x.shape
    o = w.shape[0]
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    cols = unfold(xp, 3, 1).reshape(c * 9, n * h * wd)
    out = (w.reshape(o, -1) @ cols).reshape(o, n, h, wd).transpose(1, 0, 2, 3) + b.reshape(o, 1, 1)
    return out, (cols, x.shape)


def conv_backward(g, cache, w, need_dx):
    cols, (n, c, h, wd) = cache
    o = w.shape[0]
    g2 = g.transpose(1, 0, 2, 3).reshape(o, -1)  # (O, N*H*W)
    dw = (g2 @ cols.T).reshape(w.shape)
    db = g2.sum(axis=1)
    dx = None
    if need_dx:
        dcols = (w.reshape(o, -1).T @ g2).reshape(c, 3, 3, n, h, wd)
        dx = fold(dcols, (h + 2, wd + 2), 1)[:, :, 1:-1, 1:-1]
    return dx, dw, db


def pool_forward(a):
    """2x2 max pooling, stride 2; the first maximum of each window is the one routed to."""
    n, c, h, w = a.shape
    cols = unfold(a, 2, 2).reshape(c, 4, n, h // 2, w // 2)
    best = cols[:, 0].copy()
    index = np.zeros(best.shape, np.int8)
    for k in range(1, 4):
        v = cols[:, k]
        wins = v > best
        index += wins.view(np.int8) * (k - index)
        np.maximum(best, v, out=best)
    return best.transpose(1, 0, 2, 3), (index, a.shape)


def pool_backward(g, cache):
    index, (n, c, h, w) = cache
    onehot = index[:, None] == np.arange(4, dtype=np.int8).reshape(4, 1, 1, 1)  # (C, 4, N, ..)
    dcols = onehot * g.transpose(1, 0, 2, 3)[:, None]
    return fold(dcols.reshape(c, 2, 2, n, h // 2, w // 2), (h, w), 2)


def numpy_contender(x, y, weights):
    p = {k: v.copy() for k, v in weights.items()}
    labels = np.eye(CLASSES, dtype=np.float32)[y]

    def forward_backward():
        z1, c1 = conv_forward(x, p["conv1.weight"], p["conv1.bias"])
        a1 = np.maximum(z1, 0)
        h1, q1 = pool_forward(a1)
        z2, c2 = conv_forward(h1, p["conv2.weight"], p["conv2.bias"])
        a2 = np.maximum(z2, 0)
        h2, q2 = pool_forward(a2)
        flat = h2.reshape(BATCH, -1)
        logits = flat @ p["fc.weight"].T + p["fc.bias"]
        shifted = logits - logits.max(axis=1, keepdims=True)
        e = np.exp(shifted)
        s = e.sum(axis=1, keepdims=True)
        loss = -(shifted[np.arange(BATCH), y] - np.log(s[:, 0])).mean()
        g = (e / s - labels) / BATCH  # d loss / d logits
        grads = {"fc.weight": g.T @ flat, "fc.bias": g.sum(axis=0)}
        g = (g @ p["fc.weight"]).reshape(h2.shape)
        g = pool_backward(g, q2) * (z2 > 0)
        g, grads["conv2.weight"], grads["conv2.bias"] = conv_backward(
            g, c2, p["conv2.weight"], True
        )
        g = pool_backward(g, q1) * (z1 > 0)
        _, grads["conv1.weight"], grads["conv1.bias"] = conv_backward(
            g, c1, p["conv1.weight"], False
        )
        return float(loss), grads

    def update(grads):
        for k, grad in grads.items():
            p[k] -= LR * grad

    def step():
        loss, grads = forward_backward()
        update(grads)
        return loss, {k: grads[k].copy() for k in PARAMS}

    def fast_step():
        update(forward_backward()[1])

    return fast_step, step


CONTENDERS = {"dagrad": dagrad_contender, "numpy": numpy_contender, "torch": torch_contender}


# ----------------------------------------------------------------------- check and time
def check(results, rtol=1e-4):
    """The three agree on the loss and on every gradient (float32: relative to each
    gradient's largest element). Returns the largest relative difference to torch."""
    loss_t, grads_t = results["torch"]
    worst = 0.0
    for name, (loss, grads) in results.items():
        assert abs(loss - loss_t) <= rtol * abs(loss_t), f"{name}: loss {loss} != torch {loss_t}"
        for k in PARAMS:
            scale = np.abs(grads_t[k]).max()
            err = float(np.abs(grads[k] - grads_t[k]).max() / scale)
            assert err < rtol, f"{name}: {k}.grad differs from torch's by {err:.1e}"
            worst = max(worst, err)
    return worst


def run(rounds=20, target_s=0.2, verbose=True):
    x, y, weights = make_inputs()
    built = {name: make(x, y, weights) for name, make in CONTENDERS.items()}
    worst = check({name: c[1]() for name, c in built.items()})
    if verbose:
        print(
            f"cnn_step: losses and gradients agree (largest relative difference {worst:.1e})",
            file=sys.stderr,
        )
    results = time_all({name: c[0] for name, c in built.items()}, rounds, target_s, 1e3)
    return {"rounds": rounds, "results": results, "worst": worst}


def report(res):
    """Markdown: ms per step (min / median) and dagrad's ratio to each."""
    title = (
        f"CNN training step (2 conv + 2 max-pool + linear, batch {BATCH} of 1x28x28 float32, "
        f"SGD), {res['rounds']} interleaved rounds (one thread: BLAS and torch)"
    )
    return ratio_table(title, ratio_rows(res["results"]), "ms/step")


def main(argv=None):
    cli.timed_main(__doc__, argv, run, report, quick=(5, 0.05), full=(20, 0.2))


if __name__ == "__main__":
    main()
