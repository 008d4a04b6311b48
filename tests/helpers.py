"""Helpers shared by the test files (`from helpers import ...`; tests/ is on the path): one
array on both sides, closeness (by dtype or given tolerances), torch's weights copied into
ours, error parity with torch, a second (fake) device, and snapshots of tensor state for the
"bad input changes nothing" checks. The `fake_device` fixture is in tests/conftest.py."""

import numpy as np
import pytest
import torch

import autograd
import optim
from backends.numpy_backend import NumpyBackend

# float32 differs from torch by the order of its sums; float64 to rounding.
TOLERANCES = {np.dtype(np.float32): (2e-4, 2e-5), np.dtype(np.float64): (1e-9, 1e-11)}


# --------------------------------------------------------------------------- both sides
def ours(array, requires_grad=False):
    return autograd.tensor(array, requires_grad=requires_grad)


def theirs(array, requires_grad=False):
    return torch.tensor(array, requires_grad=requires_grad)


def to_numpy(t):
    """A torch or dagrad tensor (or anything array-like) as a numpy array."""
    return t.detach().numpy() if hasattr(t, "detach") else np.asarray(t)


def assert_close(a, b, rtol=1e-10, atol=1e-12, err_msg="", equal_nan=False, check_dtype=True):
    """Same shape, same dtype (unless check_dtype=False), values within rtol/atol."""
    a, b = to_numpy(a), to_numpy(b)
    assert a.shape == b.shape, (a.shape, b.shape, err_msg)
    if check_dtype:
        assert a.dtype == b.dtype, (a.dtype, b.dtype, err_msg)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, err_msg=err_msg, equal_nan=equal_nan)


def assert_close_as(a, b, err_msg=""):
    """assert_close with the tolerance of b's dtype."""
    rtol, atol = TOLERANCES[to_numpy(b).dtype]
    assert_close(a, b, rtol, atol, err_msg)


def copy_weights(our_module, torch_module):
    """Load torch's state dict into ours: proves the names and shapes map one to one."""
    sd = {k: v.detach().numpy() for k, v in torch_module.state_dict().items()}
    result = our_module.load_state_dict(sd)
    assert result.missing_keys == [] and result.unexpected_keys == []


def assert_same_grads(our_module, torch_module):
    """Every parameter's gradient (None where torch's is None) equals torch's."""
    torch_params = dict(torch_module.named_parameters())
    our_params = dict(our_module.named_parameters())
    assert our_params.keys() == torch_params.keys()
    for name, p in our_params.items():
        pt = torch_params[name]
        if pt.grad is None:
            assert p.grad is None or not to_numpy(p.grad).any(), name
            continue
        assert p.grad is not None, name
        assert_close_as(p.grad, pt.grad, err_msg=name)


# --------------------------------------------------------------------------- errors
def outcome(fn):
    """(fn(), None), or (None, the exception) for the errors indexing and views raise."""
    try:
        return fn(), None
    except (IndexError, RuntimeError, ValueError, TypeError) as exc:
        return None, exc


def raises_like_torch(ours, theirs):
    """Run both; they must raise the same exception type. Returns our exception."""
    with pytest.raises(Exception) as t_exc:
        theirs()
    with pytest.raises(Exception) as o_exc:
        ours()
    assert type(o_exc.value) is type(t_exc.value), (o_exc.value, t_exc.value)
    return o_exc.value


# --------------------------------------------------------------------------- state
def snapshot(*tensors):
    """Each tensor's data, .grad, version and grad_fn, for assert_unchanged."""
    return [
        (t.array.copy(), None if t.grad is None else t.grad.array.copy(), t._version, t.grad_fn)
        for t in tensors
    ]


def assert_unchanged(before, tensors):
    for (data, grad, version, grad_fn), t in zip(before, tensors, strict=True):
        np.testing.assert_array_equal(t.array, data)
        if grad is None:
            assert t.grad is None
        else:
            np.testing.assert_array_equal(t.grad.array, grad)
        assert t._version == version
        assert t.grad_fn is grad_fn


# --------------------------------------------------------------------------- a second device
class FakeDevice(NumpyBackend):
    """A second device that computes with numpy: moving data and mixing devices without a GPU."""

    def __init__(self, device):
        super().__init__()
        self.device = device

    def from_numpy(self, array):
        return np.array(array)  # a real transfer copies


# --------------------------------------------------------------------------- a custom Function
class Cube(autograd.Function):
    """y = x^3.  dy/dx = 3 x^2 (a user-defined Function; subclasses override backward)."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x**3

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 3 * x**2


class Double(autograd.Function):
    """y = 2 x.  dy/dx = 2 (subclasses override backward with a faulty one)."""

    @staticmethod
    def forward(ctx, x):
        return x * 2

    @staticmethod
    def backward(ctx, grad):
        return grad * 2


def check_forward_backward(our_module, torch_module, x, rng, upstream=None):
    """One forward and backward of both modules on x (upstream gradient: `upstream`, or drawn
    from rng): the same output, input gradient and parameter gradients."""
    xo, xt = ours(x, True), theirs(x, True)
    yo, yt = our_module(xo), torch_module(xt)
    assert_close(yo, yt)
    g = rng.standard_normal(yt.shape) if upstream is None else upstream
    yo.backward(ours(g))
    yt.backward(theirs(g))
    assert_close(xo.grad, xt.grad)
    torch_params = dict(torch_module.named_parameters())
    our_params = dict(our_module.named_parameters())
    assert our_params.keys() == torch_params.keys()
    for name, p in our_params.items():
        assert_close(p.grad, torch_params[name].grad)


# --------------------------------------------------------------------------- optimizers
class OptimizerSide:
    """One side of an optimizer comparison: `ours` (autograd + optim) or `torch`, holding a
    small MLP's parameters W1, b1, W2, b2 and its data X, Y, from (arrays, X, Y)."""

    def __init__(self, lib, values):
        self.lib = lib
        arrays, X, Y = values
        make = autograd.Tensor if lib == "ours" else torch.tensor
        self.params = [make(a.copy(), requires_grad=True) for a in arrays]
        self.X, self.Y = make(X), make(Y)

    def optimizer(self, name, groups=None, **kwargs):
        cls = getattr(optim if self.lib == "ours" else torch.optim, name)
        if groups is None:
            return cls(self.params, **kwargs)
        return cls(
            [dict(g, params=[self.params[i] for i in g["params"]]) for g in groups], **kwargs
        )

    def loss(self):
        W1, b1, W2, b2 = self.params
        h = (self.X @ W1.T + b1).tanh()
        return (((h @ W2.T + b2) - self.Y) ** 2).mean()

    def closure(self, opt):
        def f():
            opt.zero_grad()
            loss = self.loss()
            loss.backward()
            return loss

        return f

    def train(self, opt, steps):
        for _ in range(steps):
            if isinstance(opt, (optim.LBFGS, torch.optim.LBFGS)):
                opt.step(self.closure(opt))
            else:
                opt.zero_grad()
                self.loss().backward()
                opt.step()

    def arrays(self):
        return [p.detach().numpy().copy() for p in self.params]


# --------------------------------------------------------------------------- training data
def learnable_images(n, rng):
    """Class c is a bright 6x5 block at its own place on a noisy background."""
    labels = rng.integers(0, 10, n)
    images = rng.integers(0, 60, (n, 28, 28))
    for i, c in enumerate(labels):
        r, k = 3 + 12 * (c // 5), 1 + 5 * (c % 5)
        images[i, r : r + 6, k : k + 5] += 180
    return images.astype(np.uint8), labels.astype(np.uint8)


def write_fashion(root, n_train, n_test):
    """Fashion-MNIST's four files in the folder root (made here): learnable_images, seed 0."""
    from nn.datasets import FashionMNIST, write_idx

    root.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    for train, n in ((True, n_train), (False, n_test)):
        images, labels = learnable_images(n, rng)
        for name, array in zip(FashionMNIST.files[train], (images, labels)):
            write_idx(root / name, array)
    return root
