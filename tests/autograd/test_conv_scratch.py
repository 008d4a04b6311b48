"""The convolution's reused scratch arrays (autograd/ops/conv.py `_reused`): the columns a
graph saves and the columns' gradient come from a per-thread cache, and an array is handed
out again only once nothing else refers to it. These tests hold graphs, views and threads
that would see a wrong number if a live array were reused."""

import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import autograd
from autograd.ops import conv as C
from backends import get_backend
from nn.functional import conv2d

CPU = get_backend("cpu")

SHAPE = (8, 4, 32, 32)  # columns of 8*4*9*32*32 float64: 2.4 MB, inside the cached sizes
WEIGHT = (6, 4, 3, 3)


def _data(seed, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return rng.standard_normal(SHAPE).astype(dtype), rng.standard_normal(WEIGHT).astype(dtype)


def _torch_grads(x, w, upstream_seed, **kwargs):
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    y = TF.conv2d(xt, wt, **kwargs)
    g = torch.tensor(np.random.default_rng(upstream_seed).standard_normal(y.shape), dtype=y.dtype)
    y.backward(g)
    return xt.grad.numpy(), wt.grad.numpy(), g.numpy()


@pytest.mark.parametrize("kwargs", [dict(padding=1), dict(padding=0, stride=2)])
def test_graphs_alive_together_keep_their_own_columns(kwargs):
    """Three forwards of one shape before any backward: each graph's saved columns must
    survive the later forwards (and backwards), so each gets its own array."""
    data = [_data(seed) for seed in range(3)]
    graphs = []
    for x, w in data:
        xd = autograd.tensor(x, requires_grad=True)
        wd = autograd.tensor(w, requires_grad=True)
        graphs.append((xd, wd, conv2d(xd, wd, **kwargs)))
    for k in (1, 0, 2):  # out of order
        x, w = data[k]
        gx, gw, g = _torch_grads(x, w, 10 + k, **kwargs)
        xd, wd, y = graphs[k]
        y.backward(autograd.tensor(g))
        np.testing.assert_allclose(xd.grad.numpy(), gx, rtol=1e-10, atol=1e-10)
        np.testing.assert_allclose(wd.grad.numpy(), gw, rtol=1e-10, atol=1e-10)


def test_second_order_through_reused_columns_matches_torch():
    x, w = _data(5)
    xd = autograd.tensor(x, requires_grad=True)
    wd = autograd.tensor(w, requires_grad=True)
    (gxd,) = autograd.grad(conv2d(xd, wd, padding=1).square().sum(), xd, create_graph=True)
    conv2d(xd, wd, padding=1)  # another forward of the same shape in between
    (ggd,) = autograd.grad(gxd.square().sum(), wd)
    xt = torch.tensor(x, requires_grad=True)
    wt = torch.tensor(w, requires_grad=True)
    (gxt,) = torch.autograd.grad(TF.conv2d(xt, wt, padding=1).square().sum(), xt,
                                 create_graph=True)  # fmt: skip
    (ggt,) = torch.autograd.grad(gxt.square().sum(), wt)
    np.testing.assert_allclose(ggd.numpy(), ggt.numpy(), rtol=1e-10, atol=1e-8)


def test_conv_in_threads_matches_torch():
    """Each thread has its own cache: concurrent steps never share a scratch array."""
    results = {}

    def work(seed):
        x, w = _data(seed)
        out = []
        for _ in range(4):
            xd = autograd.tensor(x, requires_grad=True)
            wd = autograd.tensor(w, requires_grad=True)
            y = conv2d(xd, wd, padding=1)
            y.backward(autograd.tensor(np.ones(y.shape)))
            out.append((y.detach().numpy(), xd.grad.numpy(), wd.grad.numpy()))
        results[seed] = out

    threads = [threading.Thread(target=work, args=(seed,)) for seed in (20, 21, 22)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for seed, out in results.items():
        x, w = _data(seed)
        xt = torch.tensor(x, requires_grad=True)
        wt = torch.tensor(w, requires_grad=True)
        y = TF.conv2d(xt, wt, padding=1)
        y.backward(torch.ones_like(y))
        for yd, gx, gw in out:
            np.testing.assert_allclose(yd, y.detach().numpy(), rtol=1e-10, atol=1e-10)
            np.testing.assert_allclose(gx, xt.grad.numpy(), rtol=1e-10, atol=1e-10)
            np.testing.assert_allclose(gw, wt.grad.numpy(), rtol=1e-10, atol=1e-10)


def test_reused_hands_out_an_array_only_when_nothing_refers_to_it(monkeypatch):
    monkeypatch.setattr(C._scratch, "arrays", [], raising=False)
    shape, dtype = (512, 256), np.dtype(np.float32)  # 512 KiB
    a = C._reused(CPU, shape, dtype)
    a_id, view = id(a), a[1:]
    del a
    b = C._reused(CPU, shape, dtype)
    b_id = id(b)
    assert b_id != a_id  # a's view is alive
    del b
    c = C._reused(CPU, shape, dtype)
    assert id(c) == b_id  # free again, and a is still held by the view
    assert C._reused(CPU, shape, dtype) is not c  # c is held here
    del c, view
    assert id(C._reused(CPU, shape, dtype)) == a_id  # free now: the least recently used first
    small = C._reused(CPU, (4, 4), dtype)
    assert all(x is not small for x in C._scratch.arrays)  # small arrays are not cached
    assert C._reused(CPU, shape, np.dtype(np.float64)).dtype == np.float64


def test_reused_cache_keeps_within_its_bound(monkeypatch):
    monkeypatch.setattr(C._scratch, "arrays", [], raising=False)
    monkeypatch.setattr(C, "_SCRATCH_MAX", 3 << 20)
    for rows in range(256, 256 + 8 * 64, 64):  # eight shapes of 1 to 2.8 MB
        C._reused(CPU, (rows, 1024), np.dtype(np.float32))
        assert sum(b.nbytes for b in C._scratch.arrays) <= 3 << 20
    big = C._reused(CPU, (1024, 1024), np.dtype(np.float32))  # 4 MB: over the bound
    assert all(b is not big for b in C._scratch.arrays)
