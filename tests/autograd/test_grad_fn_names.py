"""grad_fn nodes carry PyTorch's names, and next_functions walks the graph as PyTorch's does
(AccumulateGrad nodes for leaves that require grad)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from helpers import Cube

import autograd
import nn.functional as F


def walk(t):
    """The names of the graph behind t, breadth first from its grad_fn, edges included."""
    out, queue, seen = [], [t.grad_fn], set()
    while queue:
        node = queue.pop(0)
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        nexts = node.next_functions
        out.append((node.name(), tuple(None if n is None else n.name() for n, _ in nexts)))
        queue.extend(n for n, _ in nexts)
    return out


def inputs(lib):
    rng = np.random.default_rng(0)
    x = lib.tensor(rng.standard_normal((2, 3)), dtype=lib.float32, requires_grad=True)
    y = lib.tensor(rng.standard_normal((2, 3)), dtype=lib.float32, requires_grad=True)
    v = lib.tensor(rng.standard_normal(3), dtype=lib.float32, requires_grad=True)
    b = lib.tensor(rng.standard_normal((4, 2, 3)), dtype=lib.float32, requires_grad=True)
    w = lib.tensor(rng.standard_normal((4, 3)), dtype=lib.float32, requires_grad=True)
    c = lib.tensor(rng.standard_normal(4), dtype=lib.float32, requires_grad=True)
    return x, y, v, b, w, c


def functional(lib):
    return TF if lib is torch else F


EXPRESSIONS = {
    "add": lambda m, x, y, v, b, w, c: x + y,
    "add_scalar": lambda m, x, y, v, b, w, c: x + 2,
    "rmul": lambda m, x, y, v, b, w, c: 2 * x,
    "sub": lambda m, x, y, v, b, w, c: x - y,
    "sub_scalar": lambda m, x, y, v, b, w, c: x - 2,
    "mul": lambda m, x, y, v, b, w, c: x * y,
    "mul_scalar": lambda m, x, y, v, b, w, c: x * 2,
    "div": lambda m, x, y, v, b, w, c: x / y,
    "div_scalar": lambda m, x, y, v, b, w, c: x / 2,
    "pow_scalar": lambda m, x, y, v, b, w, c: x**2,
    "pow_tensor": lambda m, x, y, v, b, w, c: x.abs() ** y,
    "rpow": lambda m, x, y, v, b, w, c: 2**x,
    "neg": lambda m, x, y, v, b, w, c: -x,
    "unary_chain": lambda m, x, y, v, b, w, c: x.exp().log().abs().sqrt().sin().cos(),
    "activations": lambda m, x, y, v, b, w, c: x.tanh().sigmoid().relu(),
    "sign": lambda m, x, y, v, b, w, c: x.sign() * x,
    "clamp": lambda m, x, y, v, b, w, c: x.clamp(-1, 1),
    "clamp_min": lambda m, x, y, v, b, w, c: x.clamp(min=0),
    "maximum": lambda m, x, y, v, b, w, c: m.maximum(x, y),
    "minimum": lambda m, x, y, v, b, w, c: m.minimum(x, y),
    "where": lambda m, x, y, v, b, w, c: m.where(x > 0, x, y),
    "clone": lambda m, x, y, v, b, w, c: x.clone(),
    "double": lambda m, x, y, v, b, w, c: x.double(),
    "sum": lambda m, x, y, v, b, w, c: x.sum(),
    "sum_dim": lambda m, x, y, v, b, w, c: x.sum(0),
    "sum_keepdim": lambda m, x, y, v, b, w, c: x.sum(1, keepdim=True),
    "max": lambda m, x, y, v, b, w, c: x.max(),
    "amax": lambda m, x, y, v, b, w, c: x.amax(0),
    "prod": lambda m, x, y, v, b, w, c: x.prod(),
    "prod_dim": lambda m, x, y, v, b, w, c: x.prod(0),
    "log_softmax": lambda m, x, y, v, b, w, c: x.log_softmax(-1),
    "reshape": lambda m, x, y, v, b, w, c: x.reshape(3, 2),
    "view": lambda m, x, y, v, b, w, c: x.view(6),
    "flatten": lambda m, x, y, v, b, w, c: x.flatten(),
    "permute": lambda m, x, y, v, b, w, c: x.permute(1, 0),
    "T": lambda m, x, y, v, b, w, c: x.T,
    "expand": lambda m, x, y, v, b, w, c: v.expand(2, 3),
    "cat": lambda m, x, y, v, b, w, c: m.cat([x, y]),
    "pad": lambda m, x, y, v, b, w, c: functional(m).pad(x, (1, 1)),
    "select": lambda m, x, y, v, b, w, c: x[0],
    "slice": lambda m, x, y, v, b, w, c: x[:, 1:],
    "index": lambda m, x, y, v, b, w, c: x[[0, 1]],
    "bool_index": lambda m, x, y, v, b, w, c: x[x > 0],
    "gather": lambda m, x, y, v, b, w, c: x.gather(1, m.tensor([[0], [1]])),
    "mm": lambda m, x, y, v, b, w, c: x @ w.T,
    "mv": lambda m, x, y, v, b, w, c: x @ v,
    "dot": lambda m, x, y, v, b, w, c: v @ v,
    "linear": lambda m, x, y, v, b, w, c: functional(m).linear(x, w, c),
    "linear_no_bias": lambda m, x, y, v, b, w, c: functional(m).linear(x, w),
    "nll_loss": lambda m, x, y, v, b, w, c: functional(m).nll_loss(
        x.log_softmax(-1), m.tensor([0, 1])
    ),
    "copy_": lambda m, x, y, v, b, w, c: (x * 1).copy_(y),
    "fill_": lambda m, x, y, v, b, w, c: (x * 1).fill_(2.0),
    "add_": lambda m, x, y, v, b, w, c: (x * 1).add_(y),
    "mlp": lambda m, x, y, v, b, w, c: (
        functional(m).linear(x, w, c).relu().sum() * 0.5 + (x * y).sum()
    ),
}


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_graph_names_as_torch(name):
    expr = EXPRESSIONS[name]
    theirs = walk(expr(torch, *inputs(torch)))
    ours = walk(expr(autograd, *inputs(autograd)))
    assert ours == theirs


@pytest.mark.parametrize("name", sorted(EXPRESSIONS))
def test_graph_names_survive_backward(name):
    """After backward frees what the nodes saved, the names and edges stay PyTorch's (the
    names of pow, mul, matmul and linear were read from the saved tensors: printing the
    output raised TypeError)."""
    theirs = EXPRESSIONS[name](torch, *inputs(torch))
    ours = EXPRESSIONS[name](autograd, *inputs(autograd))
    theirs.sum().backward()
    ours.sum().backward()
    assert walk(ours) == walk(theirs)
    assert "grad_fn=<" in repr(ours)


def test_accumulate_grad_nodes_hold_their_leaf():
    x = autograd.ones(3, requires_grad=True)
    y = x * 2
    (acc, index), (none, _) = y.grad_fn.next_functions
    assert index == 0 and none is None
    assert acc.variable is x and type(acc).__name__ == "AccumulateGrad"
    assert acc.name() == "torch::autograd::AccumulateGrad" and acc.next_functions == ()
    assert y.grad_fn.next_functions[0][0] is acc  # the same node while it is held


def test_node_class_names_as_torch():
    x = autograd.ones(2, 2, requires_grad=True)
    tx = torch.ones(2, 2, requires_grad=True)
    for fn in (lambda t: t * 2, lambda t: t + t, lambda t: t.exp(), lambda t: t.reshape(4)):
        assert type(fn(x).grad_fn).__name__ == type(fn(tx).grad_fn).__name__
    assert repr(x.exp().grad_fn).startswith("<ExpBackward0 object at 0x")
    assert repr(x.exp()).endswith("grad_fn=<ExpBackward0>)")


def test_custom_function_is_named_after_its_class_as_torch():
    class TorchCube(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x**3

        @staticmethod
        def backward(ctx, grad):
            return grad

    y = Cube.apply(autograd.ones(2, requires_grad=True))
    assert y.grad_fn.name() == "CubeBackward"
    assert TorchCube.apply(torch.ones(2, requires_grad=True)).grad_fn.name() == "TorchCubeBackward"
    assert type(y.grad_fn).__name__ == "CubeBackward"


def test_every_primitive_has_a_torch_name():
    from autograd.function import _TORCH_NODES
    from autograd.ops import PRIMITIVES

    assert {p.__name__ for p in PRIMITIVES} <= set(_TORCH_NODES)


COMPOSITES = {
    "mean": lambda T, x: x.mean(),
    "mean_dim": lambda T, x: x.mean(0),
    "std": lambda T, x: x.std(),
    "var": lambda T, x: x.var(0),
    "softmax": lambda T, x: x.softmax(0),
    "logsumexp": lambda T, x: x.logsumexp(1),
    "stack": lambda T, x: T.stack([x, x]),
    "transpose": lambda T, x: x.transpose(0, 1),
    "t": lambda T, x: x.t(),
    "unsqueeze": lambda T, x: x.unsqueeze(0),
    "squeeze": lambda T, x: x.unsqueeze(0).squeeze(),
    "squeeze_dim": lambda T, x: x.unsqueeze(0).squeeze(0),
    "max_dim": lambda T, x: x.max(0)[0],
    "min_dim": lambda T, x: x.min(1).values,
    "rsub": lambda T, x: 2 - x,
    "split": lambda T, x: x.split(2)[1],
    "chunk": lambda T, x: x.chunk(2)[0],
    "unbind": lambda T, x: x.unbind()[0],
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composite_ops_are_named_as_torch_names_them(name):
    """Ops that are compositions here still show PyTorch's node name (MeanBackward0, ...)."""
    fn = COMPOSITES[name]
    a = np.random.default_rng(0).standard_normal((3, 4))
    ours = fn(autograd, autograd.tensor(a, requires_grad=True))
    theirs = fn(torch, torch.tensor(a, requires_grad=True))
    assert ours.grad_fn.name() == theirs.grad_fn.name()
    assert repr(ours).rsplit("grad_fn=", 1)[1] == repr(theirs).rsplit("grad_fn=", 1)[1]
