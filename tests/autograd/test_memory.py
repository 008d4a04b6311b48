"""What a graph keeps alive after backward: an output kept after `backward()` (the everyday
`losses.append(loss)`) holds its own data and no saved activation, as PyTorch's; with
retain_graph=True the saved arrays stay.

The check is exact: every object reachable from the kept loss is visited (gc.get_referents),
stopping at the leaves (parameters), classes, modules and functions, and no array of more
than one element may be among them.
"""

import gc
import types

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from test_ops import GRAD_ROWS, SIDE_GRADCHECK, call, ours_leaves, param_rows

import autograd
import nn
import nn.functional as F
from autograd import Tensor
from backends.backend import Backend

_STOP = (type, types.ModuleType, types.FunctionType, types.BuiltinFunctionType, Backend)


def reachable_arrays(root):
    """The arrays of more than one element reachable from `root` without passing through a
    leaf tensor (a parameter, an input) or code."""
    seen = {id(root)}
    stack = [root]
    found = []
    while stack:
        obj = stack.pop()
        if isinstance(obj, np.ndarray):
            if obj.size > 1:
                found.append(obj)
            continue
        for ref in gc.get_referents(obj):
            if id(ref) in seen or isinstance(ref, _STOP):
                continue
            if isinstance(ref, Tensor) and ref.grad_fn is None:
                continue  # a leaf: its data is not the graph's to free
            seen.add(id(ref))
            stack.append(ref)
    return found


ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": F.leaky_relu,
    "elu": F.elu,
    "gelu": F.gelu,
    "gelu_tanh": lambda h: F.gelu(h, approximate="tanh"),
    "sigmoid": F.sigmoid,
    "tanh": F.tanh,
    "exp": lambda h: h.exp(),
    "softmax": lambda h: F.softmax(h, dim=-1),
    "log_softmax": lambda h: F.log_softmax(h, dim=-1),
    "silu": F.silu,
    "softplus": F.softplus,
    "mish": F.mish,
    "hardtanh": F.hardtanh,
    "relu6": F.relu6,
    "hardswish": F.hardswish,
    "hardsigmoid": F.hardsigmoid,
    "logsigmoid": F.logsigmoid,
    "softsign": F.softsign,
    "tanhshrink": F.tanhshrink,
    "celu": F.celu,
    "selu": F.selu,
    "softmin": lambda h: F.softmin(h, dim=-1),
    "hardshrink": F.hardshrink,
    "softshrink": F.softshrink,
    "threshold": lambda h: F.threshold(h, 0.1, 0.0),
    "max": lambda h: h.max(dim=-1, keepdim=True)[0] + h,
    "amax": lambda h: h.amax(dim=-1, keepdim=True) + h,
    "var": lambda h: h.var(dim=-1, keepdim=True) + h,
    "maximum": lambda h: autograd.maximum(h, h.flip(-1)),
    "clamp": lambda h: h.clamp(-0.5, 0.5),
    "sqrt_abs": lambda h: (h.abs() + 1).sqrt(),
}

N, D_IN, D_HIDDEN, D_OUT = 6, 5, 16, 4


def _targets():
    g = autograd.Generator().manual_seed(1)
    return {
        "classes": autograd.randint(0, D_OUT, (N,), generator=g),
        "probs": F.softmax(autograd.randn(N, D_OUT, generator=g), dim=-1),
        "real": autograd.randn(N, D_OUT, generator=g),
        "unit": autograd.rand(N, D_OUT, generator=g),
        "sign": autograd.randn(N, D_OUT, generator=g).sign(),
    }


LOSSES = {
    "mse": lambda z, t: F.mse_loss(z, t["real"]),
    "l1": lambda z, t: F.l1_loss(z, t["real"]),
    "smooth_l1": lambda z, t: F.smooth_l1_loss(z, t["real"]),
    "huber": lambda z, t: F.huber_loss(z, t["real"]),
    "cross_entropy": lambda z, t: F.cross_entropy(z, t["classes"]),
    "cross_entropy_weighted": lambda z, t: F.cross_entropy(
        z, t["classes"], weight=autograd.ones(D_OUT) * 0.5
    ),
    "cross_entropy_probs": lambda z, t: F.cross_entropy(z, t["probs"]),
    "cross_entropy_smoothing": lambda z, t: F.cross_entropy(z, t["classes"], label_smoothing=0.1),
    "nll": lambda z, t: F.nll_loss(F.log_softmax(z, dim=1), t["classes"]),
    "bce": lambda z, t: F.binary_cross_entropy(z.sigmoid(), t["unit"]),
    "bce_with_logits": lambda z, t: F.binary_cross_entropy_with_logits(z, t["unit"]),
    "bce_with_logits_pos_weight": lambda z, t: F.binary_cross_entropy_with_logits(
        z, t["unit"], pos_weight=autograd.full((D_OUT,), 2.0)
    ),
    "kl_div": lambda z, t: F.kl_div(F.log_softmax(z, dim=1), t["probs"], reduction="batchmean"),
    "soft_margin": lambda z, t: F.soft_margin_loss(z, t["sign"]),
    "poisson_nll": lambda z, t: F.poisson_nll_loss(z, t["unit"]),
    "hinge_embedding": lambda z, t: F.hinge_embedding_loss(z, t["sign"]),
}


def _mlp_loss(activation, loss):
    autograd.manual_seed(0)
    model = nn.Sequential(nn.Linear(D_IN, D_HIDDEN), nn.Linear(D_HIDDEN, D_OUT))
    x = autograd.randn(N, D_IN)
    z = model[1](ACTIVATIONS[activation](model[0](x)))
    return model, LOSSES[loss](z, _targets())


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_kept_loss_holds_no_saved_activation_after_backward(activation):
    _, loss = _mlp_loss(activation, "cross_entropy")
    assert reachable_arrays(loss), "the graph should hold saved arrays before backward"
    loss.backward()
    assert reachable_arrays(loss) == []


@pytest.mark.parametrize("loss_name", sorted(LOSSES))
def test_kept_loss_of_each_loss_holds_no_saved_activation_after_backward(loss_name):
    _, loss = _mlp_loss("tanh", loss_name)
    loss.backward()
    assert reachable_arrays(loss) == []


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "exp", "softmax", "gelu"])
def test_retain_graph_keeps_the_saved_arrays(activation):
    model, loss = _mlp_loss(activation, "cross_entropy")
    before = {id(a) for a in reachable_arrays(loss)}
    loss.backward(retain_graph=True)
    assert {id(a) for a in reachable_arrays(loss)} == before
    first = [p.grad.numpy().copy() for p in model.parameters()]
    loss.backward()  # the retained graph runs again, and gives the same gradients
    for p, g in zip(model.parameters(), first):
        np.testing.assert_allclose(p.grad.numpy(), 2 * g, rtol=1e-6)
    assert reachable_arrays(loss) == []


def test_autograd_grad_frees_the_saved_arrays_too():
    model, loss = _mlp_loss("sigmoid", "cross_entropy")
    autograd.grad(loss, list(model.parameters()))
    assert reachable_arrays(loss) == []


@pytest.mark.parametrize(
    "op",
    [
        lambda T, x: x.exp(),
        lambda T, x: x.tanh(),
        lambda T, x: x.sigmoid(),
        lambda T, x: x.softmax(-1),
        lambda T, x: x.log_softmax(-1),
        lambda T, x: x.amax(-1),
        lambda T, x: T.where(x > 0, x, x * 2),
    ],
    ids=["exp", "tanh", "sigmoid", "softmax", "log_softmax", "amax", "where"],
)
def test_second_backward_through_a_freed_saved_output_raises_like_torch(op):
    """The freed output of exp (or the condition of where) is gone, as in PyTorch: a second
    backward through it raises instead of reading it."""
    for T in (torch, autograd):
        x = T.ones(2, 3, requires_grad=True)
        y = op(T, x)
        y.sum().backward()
        with pytest.raises(RuntimeError, match="retain_graph=True"):
            y.sum().backward()


def test_a_freed_node_still_reports_its_name_and_edges():
    x = autograd.ones(2, 3, requires_grad=True)
    y = x.exp()
    y.sum().backward()
    assert y.grad_fn.name() == "ExpBackward0"
    assert y.grad_fn.next_functions[0][0].variable is x
    with pytest.raises(AttributeError):
        y.grad_fn.no_such_attribute  # noqa: B018


# Index arrays that the node's PyTorch name is read from (x[array] is IndexBackward0): kept,
# like the index itself; they are an input of the op, not an activation.
_KEEPS_INDEX = {"GetItem", "SetItem", "IndexAdd"}


@param_rows(GRAD_ROWS)
@settings(max_examples=3)
@given(data=st.data())
def test_every_op_frees_what_it_saved_after_backward(row, data):
    """Every row of the op table: after backward, each recorded node holds no array of more
    than one element (an op keeping one in a ctx attribute must name it in _saved_attrs)."""
    c = data.draw(row.inputs(SIDE_GRADCHECK), label="case")
    xs = ours_leaves(c.arrays)
    outs = [o for o in call(row, c, xs, True) if o.requires_grad]
    nodes = [o.grad_fn for o in outs]
    if not nodes:
        return
    autograd.backward(outs, [autograd.ones_like(o) for o in outs])
    del outs
    seen = set()
    stack = list(nodes)
    while stack:
        node = stack.pop()
        if node is None or isinstance(node, Tensor) or id(node) in seen:
            continue
        seen.add(id(node))
        stack.extend(node._next)
        if node._fn.__name__ in _KEEPS_INDEX:
            continue
        own = {k: v for k, v in vars(node).items() if k != "_next" and not isinstance(v, _STOP)}
        held = {k: [a.shape for a in reachable_arrays(v)] for k, v in own.items()}
        held = {k: v for k, v in held.items() if v}
        assert held == {}, f"{node.name()} ({node._fn.__name__}) still holds arrays {held}"


# --------------------------------------------------------------------------- peak memory
# Peak extra memory (tracemalloc sees numpy's allocations) in multiples of one input, for
# the ops of issue 14; the bound is PyTorch's peak (bench/memory.py, 2e7 elements) plus one
# input, plus 0.4 for blockwise temporaries at this small size. The same numbers at full
# size, side by side with PyTorch: `python bench/memory.py`.
_N = 1 << 21
_ROWS = (_N // 1024, 1024)


def _randn(shape, requires_grad=True, seed=0):
    g = autograd.Generator().manual_seed(seed)
    return autograd.randn(shape, generator=g, requires_grad=requires_grad)


PEAKS = {
    # name: (inputs, run, PyTorch's peak)
    "gelu fwd": (lambda: [_randn(_N)], lambda x: F.gelu(x), 1.0),
    "gelu fwd+bwd": (lambda: [_randn(_N)], lambda x: F.gelu(x).sum().backward(), 2.0),
    "bce_with_logits fwd+bwd": (
        lambda: [_randn(_N), autograd.rand(_N)],
        lambda x, t: F.binary_cross_entropy_with_logits(x, t).backward(),
        2.0,
    ),
    "softmax fwd+bwd": (
        lambda: [_randn(_ROWS)],
        lambda x: F.softmax(x, dim=-1).sum().backward(),
        3.0,
    ),
    "maximum fwd+bwd": (
        lambda: [_randn(_N), _randn(_N, seed=1)],
        lambda x, y: autograd.maximum(x, y).sum().backward(),
        3.5,
    ),
    "amax fwd+bwd": (lambda: [_randn(_ROWS)], lambda x: x.amax(dim=-1).sum().backward(), 2.25),
    "var fwd+bwd": (lambda: [_randn(_ROWS)], lambda x: x.var(dim=-1).sum().backward(), 2.0),
    "randn": (lambda: [], lambda: autograd.randn(_N), 1.0),
    "rand": (lambda: [], lambda: autograd.rand(_N), 1.0),
}


@pytest.mark.parametrize("name", sorted(PEAKS))
def test_peak_memory_is_at_most_torch_plus_one_input(name):
    import tracemalloc

    make, run, torch_peak = PEAKS[name]
    inputs = make()
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        out = run(*inputs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    del out
    extra = (peak - base) / (4 * _N)
    assert extra <= torch_peak + 1.4, f"{name}: {extra:.2f} inputs (PyTorch: {torch_peak})"


def test_var_of_float32_keeps_no_float64_copy_of_the_input():
    """var of float32 accumulated in float64 through a float64 copy of x that its graph kept
    (3 inputs' worth) until backward."""
    x = _randn(_ROWS)
    v = x.var(dim=-1)
    assert [a.shape for a in reachable_arrays(v) if a.dtype != np.float32] == []


def test_gelu_and_erf_in_float16_are_finite_like_torch():
    """float16 erf computed its rational approximation in float16, whose coefficients (8e4)
    overflow it: erf and gelu gave inf and nan."""
    a = np.linspace(-4, 4, 33).astype(np.float16)
    for ours, theirs in [(F.erf, torch.erf), (F.gelu, torch.nn.functional.gelu)]:
        x = autograd.tensor(a, requires_grad=True)
        t = torch.tensor(a, requires_grad=True)
        y, ty = ours(x), theirs(t)
        assert y.dtype == autograd.float16
        np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=2e-3, atol=2e-3)
        y.sum().backward()
        ty.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=5e-3, atol=5e-3)


@pytest.mark.parametrize(
    "op",
    [lambda F_, x: F_.gelu(x), lambda F_, x: F_.softmax(x, dim=-1)],
    ids=["gelu", "softmax"],
)
def test_gelu_and_softmax_nodes_are_named_as_torch(op):
    x = autograd.ones(2, 3, requires_grad=True)
    t = torch.ones(2, 3, requires_grad=True)
    y, ty = op(F, x), op(torch.nn.functional, t)
    assert y.grad_fn.name() == ty.grad_fn.name()
    (g,) = autograd.grad(y.sum(), x, create_graph=True)
    (tg,) = torch.autograd.grad(ty.sum(), t, create_graph=True)
    assert g.grad_fn.name() == tg.grad_fn.name()
