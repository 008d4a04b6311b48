"""new_* factories, nonzero, select, bitwise operators and the legacy typed constructors,
against torch."""

import math

import numpy as np
import pytest
import torch

import autograd as ag

DTYPES = ["bool", "uint8", "int8", "int32", "int64", "float32", "float64"]


def _pair(values, dtype):
    return ag.tensor(values, dtype=getattr(ag, dtype)), torch.tensor(
        values, dtype=getattr(torch, dtype)
    )


def _same(ours, theirs):
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            _same(a, b)
        return
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("values", [[[0, 1, 0], [2, 0, 3]], [0, 0], 5, 0, [[[1]], [[0]]], []])
def test_nonzero_as_torch(values, dtype):
    ours, theirs = _pair(values, dtype)
    _same(ours.nonzero(), theirs.nonzero())
    _same(ours.nonzero(as_tuple=True), theirs.nonzero(as_tuple=True))
    _same(ag.argwhere(ours), torch.argwhere(theirs))


@pytest.mark.parametrize("name, args", [
    ("new_zeros", ((2, 3),)), ("new_ones", (4,)), ("new_empty", ((0, 2),)),
    ("new_full", ((2,), 7)), ("new_tensor", ([1, 2, 3],)), ("new_tensor", ([[1.5]],)),
])  # fmt: skip
@pytest.mark.parametrize("dtype", ["int32", "float64", "bool"])
def test_new_factories_take_dtype_and_device_of_self(name, args, dtype):
    ours, theirs = _pair([1, 0], dtype)
    a, b = getattr(ours, name)(*args), getattr(theirs, name)(*args)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype).split(".")[1]
    if name != "new_empty":
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    c = getattr(ours, name)(*args, dtype=ag.float16)
    assert c.dtype == ag.float16


def test_select_as_torch():
    x, t = ag.arange(24.0).reshape(2, 3, 4), torch.arange(24.0).reshape(2, 3, 4)
    for dim, index in [(0, 1), (1, -1), (-1, 2), (2, 0)]:
        _same(x.select(dim, index), t.select(dim, index))
    with pytest.raises(IndexError):
        x.select(1, 3)
    with pytest.raises(IndexError):
        ag.tensor(1.0).select(0, 0)


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "int64"])
def test_bitwise_operators_are_bitwise_on_integers(dtype):
    values = [True, False, True] if dtype == "bool" else [6, 3, 0]
    x, t = _pair(values, dtype)
    y, u = _pair(values[::-1], dtype)
    for op in ("__and__", "__or__", "__xor__"):
        _same(getattr(x, op)(y), getattr(t, op)(u))
    _same(~x, ~t)
    _same(ag.bitwise_and(x, y), torch.bitwise_and(t, u))


def test_bitwise_of_floats_is_refused_as_torch():
    x, t = ag.tensor([1.0]), torch.tensor([1.0])
    for op in (lambda a: a & a, lambda a: a | a, lambda a: a.bitwise_not()):
        with pytest.raises(RuntimeError):
            op(t)
        with pytest.raises(RuntimeError, match="bitwise"):
            op(x)
    with pytest.raises(TypeError):
        _ = ~t
    with pytest.raises(TypeError, match="invert"):
        _ = ~x


@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "LongTensor", "IntTensor",
                                  "BoolTensor", "ByteTensor", "HalfTensor"])  # fmt: skip
def test_legacy_typed_constructors(name):
    ours, theirs = getattr(ag, name), getattr(torch, name)
    _same(ours([1, 0, 2]), theirs([1, 0, 2]))
    a, b = ours(2, 3), theirs(2, 3)
    assert tuple(a.shape) == tuple(b.shape) and str(a.dtype) == str(b.dtype).split(".")[1]


def test_top_level_math_and_constants():
    x, t = ag.tensor([1e-8, 0.5]), torch.tensor([1e-8, 0.5])
    for name in ("log1p", "expm1", "rsqrt", "reciprocal"):
        np.testing.assert_allclose(getattr(ag, name)(x).numpy(), getattr(torch, name)(t).numpy(),
                                   rtol=1e-6)  # fmt: skip
    assert (ag.pi, ag.e, ag.inf) == (math.pi, math.e, math.inf) and math.isnan(ag.nan)


@pytest.mark.parametrize(
    "name", ["subtract", "multiply", "divide", "true_divide", "negative", "absolute", "positive"]
)
def test_torch_aliases_of_arithmetic_give_torchs_values_and_gradients(name):
    x = np.array([[-1.5, 2.0, 0.25], [3.0, -0.5, 4.0]], dtype=np.float32)
    y = np.array([2.0, -4.0, 0.5], dtype=np.float32)
    results = []
    for lib in (ag, torch):
        a = lib.tensor(x, requires_grad=True)
        b = lib.tensor(y, requires_grad=True)
        args = (a,) if name in ("negative", "absolute", "positive") else (a, b)
        out = getattr(lib, name)(*args)
        (out * out).sum().backward()
        grads = [t.grad.numpy() for t in (a, b) if t.grad is not None]
        results.append((out.detach().numpy(), grads))
    (ours, our_grads), (theirs, their_grads) = results
    np.testing.assert_allclose(ours, theirs, rtol=1e-6)
    assert len(our_grads) == len(their_grads)
    for g, h in zip(our_grads, their_grads):
        np.testing.assert_allclose(g, h, rtol=1e-6)


DIV_DTYPES = [("int64", "int64"), ("int32", "float32"), ("float16", "float16"),
              ("float64", "int64"), ("bool", "bool"), ("uint8", "uint8")]  # fmt: skip


@pytest.mark.parametrize("mode", ["floor", "trunc", None, "bad"])
@pytest.mark.parametrize("dtypes", DIV_DTYPES)
def test_div_rounding_modes_match_torch(mode, dtypes):
    """torch.div(a, b, rounding_mode=...): values, dtype, and errors (bools, an integer 0)."""
    a = np.array([7, -7, 7, -7, 0, 5, 3], dtype=np.float64)
    b = np.array([2, 2, -2, -2, 3, 1, 0], dtype=np.float64)
    for divisor in (b, b[:-1]):  # with and without a zero divisor
        results = []
        for lib in (ag, torch):
            x = lib.tensor(a[: len(divisor)].astype(dtypes[0]))
            y = lib.tensor(divisor.astype(dtypes[1]))
            try:
                out = lib.div(x, y, rounding_mode=mode)
                results.append((str(out.dtype).split(".")[-1], out.numpy()))
            except (RuntimeError, NotImplementedError) as e:
                results.append(type(e))
        ours, theirs = results
        if isinstance(theirs, type):
            assert ours is theirs
        else:
            assert ours[0] == theirs[0]
            np.testing.assert_array_equal(ours[1], theirs[1])
