"""Tensor math against PyTorch beyond the op table: dtypes (integers and bools where torch
takes them), size-0 / size-1 and non-contiguous inputs, errors, ties and NaN, the norms'
gradient at zero, erf/erfinv to float64 rounding, counting, and numpy's axis/keepdims.

The op table (test_ops.py, MATH_ROWS) checks values, gradients, gradcheck, gradgradcheck and
jvps of the differentiable ones under hypothesis shapes.
"""

import inspect
import math

import numpy as np
import pytest
import torch

import autograd
import nn.functional as F
from autograd import Tensor

RNG = np.random.default_rng(1234)

FLOATS = ["float32", "float64"]
INTS = ["int64", "int32", "uint8"]
ALL_DTYPES = FLOATS + INTS + ["bool"]


def _array(shape, dtype, low=-3.0, high=3.0):
    if dtype == "bool":
        return RNG.integers(0, 2, shape).astype(bool)
    if dtype in INTS:
        lo = 0 if dtype == "uint8" else int(low)
        return RNG.integers(lo, int(high) + 1, shape).astype(dtype)
    return RNG.uniform(low, high, shape).astype(dtype)


# size 0 and 1 dims, and a non-contiguous view (a transpose)
SHAPES = [(0,), (1,), (3, 1), (2, 0, 3), (2, 3, 4), "noncontiguous"]


def _inputs(shape, dtype, low=-3.0, high=3.0):
    if shape == "noncontiguous":
        a = _array((4, 3), dtype, low, high)
        return Tensor(a).transpose(0, 1), torch.tensor(a).transpose(0, 1)
    a = _array(shape, dtype, low, high)
    return Tensor(a), torch.tensor(a)


def _same(ours, theirs, rtol=1e-6, atol=1e-7):
    if isinstance(theirs, (tuple, list)):
        assert len(ours) == len(theirs)
        for o, t in zip(ours, theirs, strict=True):
            _same(o, t, rtol, atol)
        return
    if isinstance(theirs, Tensor):  # ours against ours (two spellings)
        theirs = torch.from_numpy(theirs.detach().numpy().copy())
    if not isinstance(theirs, torch.Tensor):
        assert ours == theirs, (ours, theirs)
        return
    assert isinstance(ours, Tensor), type(ours)
    assert tuple(ours.shape) == tuple(theirs.shape), (ours.shape, theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", ""), (ours.dtype, theirs.dtype)
    a, b = ours.detach().numpy(), theirs.detach().numpy()
    if a.dtype.kind in "biu":
        np.testing.assert_array_equal(a, b)
    else:
        np.testing.assert_allclose(a, b, rtol=rtol, atol=atol, equal_nan=True)


def _both(f_ours, f_theirs, *pairs, **kw):
    """Same result, or the same exception type."""
    try:
        theirs = f_theirs(*[p[1] for p in pairs])
    except Exception as exc:  # noqa: BLE001  (any torch error: ours must raise the same type)
        with pytest.raises(type(exc)):
            f_ours(*[p[0] for p in pairs])
        return
    _same(f_ours(*[p[0] for p in pairs]), theirs, **kw)


# --------------------------------------------------------------------------- elementwise
UNARY = {
    "log10": (0.1, 5.0), "log2": (0.1, 5.0), "exp2": (-3, 3), "tan": (-1.2, 1.2),
    "sinh": (-3, 3), "cosh": (-3, 3), "asin": (-0.99, 0.99), "acos": (-0.99, 0.99),
    "atan": (-3, 3), "asinh": (-3, 3), "acosh": (1.0, 4.0), "atanh": (-0.99, 0.99),
    "erf": (-3, 3), "erfc": (-3, 3), "erfinv": (-0.99, 0.99), "floor": (-3, 3),
    "ceil": (-3, 3), "trunc": (-3, 3), "round": (-3, 3), "frac": (-3, 3),
    "isnan": (-3, 3), "isinf": (-3, 3), "isfinite": (-3, 3), "isposinf": (-3, 3),
    "isneginf": (-3, 3), "logical_not": (-3, 3), "nan_to_num": (-3, 3),
}  # fmt: skip


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary_values_and_dtypes_match_torch(name, dtype, shape):
    lo, hi = UNARY[name]
    x, t = _inputs(shape, dtype, lo, hi)
    _both(lambda a: getattr(a, name)(), lambda a: getattr(a, name)(), (x, t))
    _both(lambda a: getattr(autograd, name)(a), lambda a: getattr(torch, name)(a), (x, t))


@pytest.mark.parametrize("name", ["floor", "ceil", "trunc", "round", "frac", "nan_to_num"])
def test_rounding_and_nan_to_num_of_special_values(name):
    values = np.array([np.nan, np.inf, -np.inf, -0.0, 0.5, 1.5, 2.5, -0.5, -2.5, 1e300])
    for dtype in FLOATS:
        x, t = Tensor(values.astype(dtype)), torch.tensor(values.astype(dtype))
        _same(getattr(x, name)(), getattr(t, name)())
    x, t = Tensor(values), torch.tensor(values)
    _same(x.nan_to_num(1.0, 2.0, -3.0), t.nan_to_num(1.0, 2.0, -3.0))


@pytest.mark.parametrize("decimals", [0, 1, 2, 3, -1, -2])
@pytest.mark.parametrize("dtype", FLOATS)
def test_round_decimals_matches_torch(decimals, dtype):
    values = (RNG.uniform(-500, 500, 200) * np.repeat([1, 0.01], 100)).astype(dtype)
    values = np.concatenate([values, np.array([0.125, 0.375, 2.5, 25.0, 250.0], dtype)])
    x, t = Tensor(values), torch.tensor(values)
    _same(x.round(decimals=decimals), t.round(decimals=decimals), rtol=0, atol=0)


def test_erf_and_erfinv_to_float64_rounding():
    y = np.concatenate([np.linspace(-1, 1, 20001), [1 - 1e-15, -1 + 1e-12, 1e-300, 0.0, 1.0]])
    ours = autograd.erfinv(Tensor(y)).numpy()
    theirs = torch.erfinv(torch.tensor(y)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)
    x = np.linspace(-7, 7, 20001)
    np.testing.assert_allclose(
        autograd.erf(Tensor(x)).numpy(), torch.erf(torch.tensor(x)).numpy(), rtol=1e-14, atol=0
    )
    np.testing.assert_allclose(
        autograd.erfc(Tensor(x)).numpy(), torch.erfc(torch.tensor(x)).numpy(), rtol=1e-13, atol=0
    )
    assert np.isnan(autograd.erfinv(Tensor([np.nan, 1.5, -2.0])).numpy()).all()
    # the round trip and float32
    y32 = np.linspace(-0.999, 0.999, 2001).astype(np.float32)
    _same(Tensor(y32).erfinv(), torch.tensor(y32).erfinv(), rtol=2e-6)


def test_erf_gradient_and_erfinv_gradient_match_torch():
    v = np.linspace(-0.95, 0.95, 9)
    for name in ("erf", "erfc", "erfinv"):
        x, t = Tensor(v, requires_grad=True), torch.tensor(v, requires_grad=True)
        getattr(x, name)().sum().backward()
        getattr(t, name)().sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)


BINARY = [
    "fmod",
    "remainder",
    "atan2",
    "logaddexp",
    "hypot",
    "xlogy",
    "logical_and",
    "logical_or",
    "logical_xor",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
]


@pytest.mark.parametrize(
    "dtypes",
    [
        ("float32", "float32"),
        ("float64", "float32"),
        ("int64", "int64"),
        ("int32", "float64"),
        ("bool", "bool"),
        ("int64", "bool"),
    ],
    ids=str,
)
@pytest.mark.parametrize("name", BINARY)
def test_binary_values_and_promotion_match_torch(name, dtypes):
    a, b = _array((2, 3), dtypes[0], 1, 4), _array((3,), dtypes[1], 1, 4)
    x, t = Tensor(a), torch.tensor(a)
    y, u = Tensor(b), torch.tensor(b)
    _both(
        lambda p, q: getattr(autograd, name)(p, q),
        lambda p, q: getattr(torch, name)(p, q),
        (x, t),
        (y, u),
    )
    if name not in ("logical_and", "logical_or", "logical_xor", "atan2", "logaddexp", "hypot"):
        for scalar in (2, 2.5):
            _both(
                lambda p, s=scalar: getattr(p, name)(s),
                lambda p, s=scalar: getattr(p, name)(s),
                (x, t),
            )


def test_fmod_and_remainder_signs_match_torch():
    a = np.array([-7.5, -3.0, -0.5, 0.0, 0.5, 3.0, 7.5])
    for b in (2.0, -2.0, 0.75):
        x, t = Tensor(a), torch.tensor(a)
        _same(x.fmod(b), t.fmod(b))
        _same(x.remainder(b), t.remainder(b))
        _same(x % b, t % b)
    ia = np.array([-7, -3, 0, 3, 7])
    _same(Tensor(ia) % 3, torch.tensor(ia) % 3)
    _same(Tensor(ia).fmod(-3), torch.tensor(ia).fmod(-3))


def test_lerp_matches_torch_on_both_branches():
    s, e = RNG.standard_normal(50), RNG.standard_normal(50)
    w = np.linspace(-1, 2, 50)
    _same(
        autograd.lerp(Tensor(s), Tensor(e), Tensor(w)),
        torch.lerp(torch.tensor(s), torch.tensor(e), torch.tensor(w)),
        rtol=1e-15,  # an ulp: torch fuses the multiply-add
        atol=1e-15,
    )
    for weight in (0.25, 0.5, 0.75):
        _same(
            Tensor(s).lerp(Tensor(e), weight),
            torch.tensor(s).lerp(torch.tensor(e), weight),
            rtol=1e-15,
            atol=1e-15,
        )


def test_xlogy_at_zero_and_special_values():
    x = np.array([0.0, 0.0, 0.0, 1.0, 2.0, 0.0])
    y = np.array([0.0, np.inf, np.nan, 0.0, 3.0, 2.0])
    _same(autograd.xlogy(Tensor(x), Tensor(y)), torch.xlogy(torch.tensor(x), torch.tensor(y)))
    xs, ys = Tensor(x[3:], requires_grad=True), Tensor(y[3:], requires_grad=True)
    ts, us = torch.tensor(x[3:], requires_grad=True), torch.tensor(y[3:], requires_grad=True)
    autograd.xlogy(xs[1:], ys[1:]).sum().backward()
    torch.xlogy(ts[1:], us[1:]).sum().backward()
    np.testing.assert_allclose(xs.grad.numpy(), ts.grad.numpy())
    np.testing.assert_allclose(ys.grad.numpy(), us.grad.numpy())


def test_logaddexp_of_infinities_and_large_values():
    a = np.array([-np.inf, np.inf, 1000.0, -1000.0, 0.0])
    b = np.array([-np.inf, 1.0, 1000.0, -1000.5, -40.0])
    _same(
        autograd.logaddexp(Tensor(a), Tensor(b)), torch.logaddexp(torch.tensor(a), torch.tensor(b))
    )


def test_clamp_min_and_clamp_max():
    a = np.array([-2.0, 0.0, 1.5])
    x, t = Tensor(a), torch.tensor(a)
    _same(x.clamp_min(0.5), t.clamp_min(0.5))
    _same(autograd.clamp_max(x, 0.5), torch.clamp_max(t, 0.5))


# --------------------------------------------------------------------------- norms
ORDS = [2, 1, 3, 0.5, 0, math.inf, -math.inf, -1, -2.5]


@pytest.mark.parametrize("ord", ORDS, ids=str)
@pytest.mark.parametrize("dim", [None, 0, -1, (0, 1)], ids=str)
@pytest.mark.parametrize("keepdim", [False, True])
def test_vector_norm_values_and_gradients_match_torch(ord, dim, keepdim):
    a = RNG.standard_normal((3, 4))
    a[0, 1] = 0.0  # a zero element: the p-norms' gradients are 0 there, as torch's
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    ours = autograd.linalg.vector_norm(x, ord, dim, keepdim)
    theirs = torch.linalg.vector_norm(t, ord, dim, keepdim)
    _same(ours, theirs, rtol=1e-10)
    g = RNG.standard_normal(tuple(theirs.shape))
    ours.backward(Tensor(g))
    theirs.backward(torch.tensor(g))
    expected = np.zeros(a.shape) if t.grad is None else t.grad.numpy()  # ord 0: torch's None
    np.testing.assert_allclose(x.grad.numpy(), expected, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("ord", [2, 1, 3, 0.5, math.inf, "fro"], ids=str)
def test_norm_gradient_at_zero_is_zero_like_torch(ord):
    for shape in [(3,), (2, 2), (1,), ()]:
        x, t = Tensor(np.zeros(shape), requires_grad=True), torch.zeros(shape, requires_grad=True)
        x64 = x
        t64 = t.double().detach().requires_grad_()
        if ord == "fro":
            x64.norm().backward()
            t64.norm().backward()
        else:
            autograd.linalg.vector_norm(x64, ord).backward()
            torch.linalg.vector_norm(t64, ord).backward()
        np.testing.assert_array_equal(x64.grad.numpy(), t64.grad.numpy())
        assert not np.isnan(x64.grad.numpy()).any()


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("shape", [(0,), (1,), (3, 1), (2, 0, 3), (2, 3, 4)], ids=str)
def test_tensor_norm_variants_match_torch(dtype, shape):
    a = _array(shape, dtype)
    x, t = Tensor(a), torch.tensor(a)
    _same(x.norm(), t.norm(), rtol=1e-5)
    _same(autograd.norm(x), torch.norm(t), rtol=1e-5)
    if len(shape) >= 2:
        _same(x.norm(p=1, dim=1), t.norm(p=1, dim=1), rtol=1e-5)
        _same(x.norm(dim=(0, 1), keepdim=True), t.norm(dim=(0, 1), keepdim=True), rtol=1e-5)
        _same(x.norm(p="fro", dim=-1), t.norm(p="fro", dim=-1), rtol=1e-5)
        _same(autograd.linalg.norm(x, dim=(0, 1)), torch.linalg.norm(t, dim=(0, 1)), rtol=1e-5)
    _same(x.norm(dtype=autograd.float64), t.norm(dtype=torch.float64), rtol=1e-12)


@pytest.mark.parametrize("ord", ["fro", 1, -1, math.inf, -math.inf, None], ids=str)
def test_matrix_and_linalg_norm_match_torch(ord):
    a = RNG.standard_normal((2, 3, 4))
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    if ord is not None:
        _same(autograd.linalg.matrix_norm(x, ord), torch.linalg.matrix_norm(t, ord))
        _same(
            autograd.linalg.matrix_norm(x, ord, dim=(0, 2), keepdim=True),
            torch.linalg.matrix_norm(t, ord, dim=(0, 2), keepdim=True),
        )
    _same(autograd.linalg.norm(x[0], ord), torch.linalg.norm(t[0], ord))
    _same(
        autograd.linalg.norm(x[0, 0], ord if ord != "fro" else None),
        torch.linalg.norm(t[0, 0], ord if ord != "fro" else None),
    )
    ours = autograd.linalg.norm(x, ord, dim=(1, 2)) if ord is not None else x.norm()
    theirs = torch.linalg.norm(t, ord, dim=(1, 2)) if ord is not None else t.norm()
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10)


def test_norm_errors_match_torch():
    for ours, theirs in [
        (lambda: autograd.linalg.vector_norm(Tensor([1, 2])),
         lambda: torch.linalg.vector_norm(torch.tensor([1, 2]))),
        (lambda: Tensor([1, 2]).norm(), lambda: torch.tensor([1, 2]).norm()),
        (lambda: autograd.linalg.vector_norm(Tensor(np.zeros(0)), math.inf),
         lambda: torch.linalg.vector_norm(torch.zeros(0), math.inf)),
        (lambda: autograd.linalg.matrix_norm(Tensor([1.0, 2.0])),
         lambda: torch.linalg.matrix_norm(torch.tensor([1.0, 2.0]))),
        (lambda: autograd.linalg.norm(Tensor(np.ones((2, 2, 2))), 2),
         lambda: torch.linalg.norm(torch.ones(2, 2, 2), 2)),
    ]:  # fmt: skip
        with pytest.raises(Exception) as expected:
            theirs()
        with pytest.raises(expected.type):
            ours()


# --------------------------------------------------------------------------- logical
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("name", ["all", "any"])
def test_all_any_match_torch(name, dtype, shape):
    x, t = _inputs(shape, dtype, -1, 1)
    _same(getattr(x, name)(), getattr(t, name)())
    for dim in range(-x.ndim, x.ndim):
        for keepdim in (False, True):
            _same(getattr(autograd, name)(x, dim, keepdim), getattr(torch, name)(t, dim, keepdim))
    if x.ndim >= 2:
        _same(getattr(x, name)(dim=(0, 1)), getattr(t, name)(dim=(0, 1)))


@pytest.mark.parametrize("equal_nan", [False, True])
def test_isclose_allclose_match_torch(equal_nan):
    a = np.array([1.0, np.nan, np.inf, -np.inf, 1e-9, 1.0, 100.0, np.inf])
    b = np.array([1.0 + 1e-6, np.nan, np.inf, np.inf, 0.0, 1.1, 100.001, 1e308])
    for dtype in FLOATS:
        x, t = Tensor(a.astype(dtype)), torch.tensor(a.astype(dtype))
        y, u = Tensor(b.astype(dtype)), torch.tensor(b.astype(dtype))
        _same(autograd.isclose(x, y, equal_nan=equal_nan), torch.isclose(t, u, equal_nan=equal_nan))
        _same(x.isclose(y, rtol=0.1, atol=0.01), t.isclose(u, rtol=0.1, atol=0.01))
        assert autograd.allclose(x, x, equal_nan=equal_nan) == torch.allclose(
            t, t, equal_nan=equal_nan
        )
        assert x[:1].allclose(y[:1]) == t[:1].allclose(u[:1])
    ia = np.array([1, 2, 3])
    _same(
        autograd.isclose(Tensor(ia), Tensor(ia + 1), atol=1),
        torch.isclose(torch.tensor(ia), torch.tensor(ia + 1), atol=1),
    )
    with pytest.raises(RuntimeError):
        autograd.isclose(Tensor(ia), Tensor(ia.astype(float)))
    assert autograd.equal(Tensor(a[:1]), Tensor(a[:1])) and not autograd.equal(Tensor(a), Tensor(b))


# --------------------------------------------------------------------------- sort and scan
def test_sort_is_stable_puts_nan_last_and_descending_first():
    a = np.array([[3.0, 1.0, np.nan, 1.0, 3.0, -0.0, 0.0, np.nan], [2, 2, 2, 1, 1, 1, 0, 0]])
    for descending in (False, True):
        x, t = Tensor(a), torch.tensor(a)
        _same(x.sort(1, descending=descending), t.sort(dim=1, descending=descending, stable=True))
        _same(
            x.argsort(dim=1, descending=descending),
            t.argsort(dim=1, descending=descending, stable=True),
        )
        _same(
            autograd.sort(x, 0, descending),
            torch.sort(t, dim=0, descending=descending, stable=True),
        )
    r = x.sort(1)
    assert r.values is r[0] and r.indices is r[1]


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_sort_dtypes_and_shapes(dtype, shape):
    x, t = _inputs(shape, dtype)
    if x.ndim == 0:
        return
    _same(x.sort(stable=True), t.sort(stable=True))
    _same(x.sort(0, descending=True, stable=True), t.sort(dim=0, descending=True, stable=True))
    if dtype != "bool":
        _same(x.msort(), t.msort())


def test_sort_gradient_follows_the_permutation():
    a = RNG.standard_normal((3, 5))
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    g = RNG.standard_normal((3, 5))
    x.sort(1, descending=True).values.backward(Tensor(g))
    t.sort(1, descending=True).values.backward(torch.tensor(g))
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("largest", [True, False])
@pytest.mark.parametrize("k", [0, 1, 3])
def test_topk_kthvalue_median_mode(largest, k):
    a = RNG.permutation(24).reshape(4, 6).astype(np.float64)
    x, t = Tensor(a), torch.tensor(a)
    _same(x.topk(k, largest=largest), t.topk(k, largest=largest))
    _same(autograd.topk(x, k, 0, largest), torch.topk(t, k, 0, largest))
    if k:
        _same(x.kthvalue(k, 0, keepdim=True), t.kthvalue(k, 0, keepdim=True))
    _same(x.median(), t.median())
    _same(x.median(1), t.median(1))
    _same(x.median(0, keepdim=True), t.median(0, keepdim=True))
    with pytest.raises(RuntimeError):
        x.topk(7)
    ints = np.array([[1, 3, 3, 2, 2], [5, 5, 1, 1, 0], [4, 4, 4, 4, 4]])
    _same(Tensor(ints).mode(1), torch.tensor(ints).mode(1))
    _same(Tensor(ints).mode(0, keepdim=True), torch.tensor(ints).mode(0, keepdim=True))
    _same(Tensor(ints).median(), torch.tensor(ints).median())


def test_median_with_nan_returns_nan():
    a = np.array([[1.0, np.nan, 0.0, 2.0], [3.0, 1.0, 2.0, 0.0]])
    x, t = Tensor(a), torch.tensor(a)
    _same(x.median(), t.median())
    _same(x.median(1), t.median(1))


@pytest.mark.parametrize("dtype", ALL_DTYPES)
@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
def test_cumsum_cumprod_dtypes_and_shapes(name, dtype, shape):
    x, t = _inputs(shape, dtype, -2, 2)
    for dim in range(-max(x.ndim, 1), max(x.ndim, 1)):
        _both(lambda a, d=dim: getattr(a, name)(d), lambda a, d=dim: getattr(a, name)(d), (x, t))
    if dtype in INTS:
        _same(getattr(x, name)(0, dtype=autograd.float64), getattr(t, name)(0, dtype=torch.float64))


def test_cumprod_gradient_with_zeros_matches_torch():
    a = np.array(
        [
            [0.0, 2.0, 3.0, 0.0, 5.0],
            [2.0, 0.0, 0.0, 1.5, 2.0],
            [1.0, 2.0, 3.0, 4.0, 0.0],
            [0.0, 0.0, 0.0, 0.0, 0.0],
            [1.0, -2.0, 0.5, 3.0, 1.5],
        ]
    )
    g = RNG.standard_normal(a.shape)
    for dim in (0, 1):
        x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        x.cumprod(dim).backward(Tensor(g))
        t.cumprod(dim).backward(torch.tensor(g))
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-12)
        # second order, through the zeros too
        x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
        (gx,) = autograd.grad((x.cumprod(dim) * Tensor(g)).sum(), x, create_graph=True)
        (gt,) = torch.autograd.grad((t.cumprod(dim) * torch.tensor(g)).sum(), t, create_graph=True)
        (gx * gx).sum().backward()
        (gt * gt).sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_diff_matches_torch(dtype):
    x, t = _inputs((3, 5), dtype)
    for n in (1, 2, 6):
        for dim in (0, 1, -1):
            _same(x.diff(n, dim), t.diff(n, dim))
    p, q = _inputs((3, 1), dtype)
    _same(autograd.diff(x, 1, 1, prepend=p, append=p), torch.diff(t, 1, 1, prepend=q, append=q))
    with pytest.raises(RuntimeError):
        Tensor(1.0).diff()


# --------------------------------------------------------------------------- counting
def test_histc_matches_torch():
    for dtype in FLOATS:
        a = RNG.standard_normal(1000).astype(dtype)
        x, t = Tensor(a), torch.tensor(a)
        _same(x.histc(), t.histc())
        _same(x.histc(7), t.histc(7))
        _same(autograd.histc(x, 10, -1, 1), torch.histc(t, 10, -1, 1))
        edges = np.linspace(-1, 1, 11).astype(dtype)  # elements right on the bin edges
        _same(Tensor(edges).histc(10, -1, 1), torch.tensor(edges).histc(10, -1, 1))
        _same(Tensor(np.ones(3, dtype)).histc(4), torch.tensor(np.ones(3, dtype)).histc(4))
        _same(Tensor(np.zeros(0, dtype)).histc(4), torch.tensor(np.zeros(0, dtype)).histc(4))
    with pytest.raises(RuntimeError):
        Tensor([1, 2]).histc()


def test_histogram_matches_torch():
    a = RNG.standard_normal(500)
    w = RNG.uniform(0, 1, 500)
    x, t = Tensor(a), torch.tensor(a)
    _same(autograd.histogram(x, 8), torch.histogram(t, 8))
    _same(
        x.histogram(5, range=(-1.0, 1.0), density=True),
        t.histogram(5, range=(-1.0, 1.0), density=True),
    )
    _same(autograd.histogram(x, 6, weight=Tensor(w)), torch.histogram(t, 6, weight=torch.tensor(w)))
    edges = np.array([-2.0, -0.5, 0.0, 0.25, 3.0])
    _same(autograd.histogram(x, Tensor(edges)), torch.histogram(t, torch.tensor(edges)))


def test_bincount_matches_torch():
    a = np.array([0, 1, 1, 4, 4, 4, 7])
    x, t = Tensor(a), torch.tensor(a)
    _same(x.bincount(), t.bincount())
    _same(autograd.bincount(x, minlength=10), torch.bincount(t, minlength=10))
    for wd in ("float32", "float64", "int64"):
        w = np.arange(7).astype(wd)
        _same(x.bincount(Tensor(w)), t.bincount(torch.tensor(w)))
    _same(Tensor(np.zeros(0, np.int64)).bincount(), torch.tensor(np.zeros(0, np.int64)).bincount())
    for bad in (np.array([-1, 2]), np.array([[1, 2]]), np.array([1.0])):
        with pytest.raises(RuntimeError):
            Tensor(bad).bincount()


@pytest.mark.parametrize("dtype", ["float64", "int64", "bool"])
def test_unique_and_unique_consecutive_match_torch(dtype):
    a = _array((4, 6), dtype, -2, 2)
    a[1] = a[0]
    x, t = Tensor(a), torch.tensor(a)
    for inverse in (False, True):
        for counts in (False, True):
            kw = {"return_inverse": inverse, "return_counts": counts}
            _same(x.unique(**kw), t.unique(**kw))
            _same(autograd.unique(x, dim=0, **kw), torch.unique(t, dim=0, **kw))
            _same(autograd.unique(x, dim=1, **kw), torch.unique(t, dim=1, **kw))
            _same(x.unique_consecutive(**kw), t.unique_consecutive(**kw))
            _same(
                autograd.unique_consecutive(x, dim=0, **kw),
                torch.unique_consecutive(t, dim=0, **kw),
            )
    _same(Tensor(a[:0]).unique(), torch.tensor(a[:0]).unique())


# --------------------------------------------------------------------------- selection
def test_index_select_take_masked_select_match_torch():
    a = RNG.standard_normal((3, 4))
    x, t = Tensor(a), torch.tensor(a)
    _same(x.index_select(1, Tensor([3, 0, 0])), t.index_select(1, torch.tensor([3, 0, 0])))
    _same(autograd.index_select(x, 0, Tensor(2)), torch.index_select(t, 0, torch.tensor(2)))
    _same(x.T.index_select(0, Tensor([1])), t.T.index_select(0, torch.tensor([1])))
    for bad in ([-1], [4]):
        with pytest.raises(RuntimeError):
            x.index_select(1, Tensor(bad))
    _same(x.take(Tensor([[0, -1], [11, 5]])), t.take(torch.tensor([[0, -1], [11, 5]])))
    with pytest.raises(IndexError):
        x.take(Tensor([12]))
    m = np.array([True, False, True, False])
    _same(x.masked_select(Tensor(m)), t.masked_select(torch.tensor(m)))


def test_masked_fill_and_inplace_variants_match_torch():
    a = RNG.standard_normal((3, 4))
    m = a > 0
    for value in (0.5, -np.inf, 2):
        x, t = Tensor(a), torch.tensor(a)
        _same(x.masked_fill(Tensor(m), value), t.masked_fill(torch.tensor(m), value))
        _same(x.masked_fill_(Tensor(m[0]), value), t.masked_fill_(torch.tensor(m[0]), value))
        _same(x, t)
    ia = np.arange(6).reshape(2, 3)
    _same(
        Tensor(ia).masked_fill(Tensor(ia > 2), 9),
        torch.tensor(ia).masked_fill(torch.tensor(ia > 2), 9),
    )
    big = np.ones((2, 3, 4), bool)  # the mask may broadcast the result, as torch's
    _same(
        Tensor(a).masked_fill(Tensor(big), 0.0), torch.tensor(a).masked_fill(torch.tensor(big), 0.0)
    )
    with pytest.raises(RuntimeError):
        Tensor(a).masked_fill(Tensor(np.ones((3, 4))), 0.0)
    # in place on a non-leaf records the gradient, as torch
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = x * 2, t * 2
    y.masked_fill_(Tensor(m), 0.0)
    u.masked_fill_(torch.tensor(m), 0.0)
    y.sum().backward()
    u.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


def test_scatter_family_matches_torch():
    a = RNG.standard_normal((3, 4))
    src = RNG.standard_normal((2, 4))
    idx = np.array([[0, 1, 2, 0], [2, 0, 1, 1]])
    x, t = Tensor(a), torch.tensor(a)
    _same(
        x.scatter_add(0, Tensor(idx), Tensor(src)),
        t.scatter_add(0, torch.tensor(idx), torch.tensor(src)),
    )
    _same(
        x.scatter(1, Tensor([[1], [0], [3]]), value=2.0),
        t.scatter(1, torch.tensor([[1], [0], [3]]), value=2.0),
    )
    _same(
        x.scatter(0, Tensor(idx[:1]), Tensor(src)),
        t.scatter(0, torch.tensor(idx[:1]), torch.tensor(src)),
    )
    _same(
        x.scatter(0, Tensor(idx), Tensor(src), reduce="add"),
        t.scatter(0, torch.tensor(idx), torch.tensor(src), reduce="add"),
    )
    x.scatter_(1, Tensor([[0], [1], [2]]), -1.0)
    t.scatter_(1, torch.tensor([[0], [1], [2]]), -1.0)
    _same(x, t)
    x.scatter_add_(0, Tensor(idx), Tensor(src))
    t.scatter_add_(0, torch.tensor(idx), torch.tensor(src))
    _same(x, t)
    with pytest.raises(RuntimeError):
        x.scatter(0, Tensor([[3, 0, 0, 0]]), Tensor(src))
    with pytest.raises(RuntimeError):
        x.scatter_add(0, Tensor(idx), Tensor(src.astype(np.float32)))


def test_index_add_fill_copy_match_torch():
    a = RNG.standard_normal((4, 3))
    s = RNG.standard_normal((3, 3))
    idx = np.array([0, 2, 0])
    x, t = Tensor(a), torch.tensor(a)
    _same(
        x.index_add(0, Tensor(idx), Tensor(s), alpha=0.5),
        t.index_add(0, torch.tensor(idx), torch.tensor(s), alpha=0.5),
    )
    _same(x.index_fill(1, Tensor([0, 2]), -1.0), t.index_fill(1, torch.tensor([0, 2]), -1.0))
    _same(
        x.index_copy(0, Tensor([3, 1, 0]), Tensor(s)),
        t.index_copy(0, torch.tensor([3, 1, 0]), torch.tensor(s)),
    )
    x.index_add_(1, Tensor([2]), Tensor(a[:, :1]))
    t.index_add_(1, torch.tensor([2]), torch.tensor(a[:, :1]))
    _same(x, t)


# --------------------------------------------------------------------------- construction
@pytest.mark.parametrize("dtype", ["float64", "int64", "bool"])
def test_construction_ops_match_torch(dtype):
    x, t = _inputs((3, 4), dtype)
    v, u = _inputs((3,), dtype)
    for f in [
        lambda T, a: a.roll(1, 1), lambda T, a: T.roll(a, (2, -5), (0, 1)), lambda T, a: a.roll(7),
        lambda T, a: a.flip(0), lambda T, a: T.flip(a, (0, 1)), lambda T, a: T.fliplr(a),
        lambda T, a: T.flipud(a), lambda T, a: a.repeat_interleave(2),
        lambda T, a: a.repeat_interleave(T.tensor([1, 0, 2]), dim=0), lambda T, a: a.tile((2,)),
        lambda T, a: T.tile(a, (2, 1, 2)), lambda T, a: a.tril(), lambda T, a: T.triu(a, 1),
        lambda T, a: a.tril(-1), lambda T, a: a.diagonal(), lambda T, a: T.diagonal(a, 1),
        lambda T, a: a.diagonal(-1, 1, 0), lambda T, a: a.diag(2), lambda T, a: a.narrow(1, 1, 2),
        lambda T, a: a.narrow(0, -2, 2), lambda T, a: T.movedim(a, 0, 1),
        lambda T, a: a.moveaxis((0, 1), (1, 0)), lambda T, a: a.swapdims(0, 1),
        lambda T, a: T.swapaxes(a, 0, 1), lambda T, a: T.kron(a, a[:2, :2]),
    ]:  # fmt: skip
        _both(lambda a, f=f: f(autograd, a), lambda a, f=f: f(torch, a), (x, t))
    for f in [
        lambda T, a: T.diag(a), lambda T, a: T.diag(a, -1), lambda T, a: T.outer(a, a),
        lambda T, a: T.cartesian_prod(a, a[:2]), lambda T, a: T.meshgrid(a, a[:2], indexing="ij"),
        lambda T, a: T.meshgrid(a, a[:2], indexing="xy"),
    ]:  # fmt: skip
        _both(lambda a, f=f: f(autograd, a), lambda a, f=f: f(torch, a), (v, u))
    if dtype == "float64":
        _same(x.trace(), t.trace())
        _same(x[:, :3].trace(), t[:, :3].trace())


def test_flip_and_roll_return_copies():
    a = np.arange(6.0).reshape(2, 3)
    x = Tensor(a)
    for y in (x.flip(0), x.roll(1), x.roll(0, 0), x.fliplr()):
        y += 100
    np.testing.assert_array_equal(x.numpy(), a)


def test_einsum_matches_torch():
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))
    x, t = Tensor(a, requires_grad=True), torch.tensor(a, requires_grad=True)
    y, u = Tensor(b, requires_grad=True), torch.tensor(b, requires_grad=True)
    cases = [
        ("bij,bjk->bik", (0, 1)), ("bij, bjk -> bik", (0, 1)), ("bij,bjk", (0, 1)),
        ("...ij,...jk->...ik", (0, 1)), ("bij->bji", (0,)), ("bij->", (0,)), ("bij", (0,)),
        ("bii->bi", (2,)), ("bii", (2,)), ("bij,bij->b", (0, 0)),
    ]  # fmt: skip
    sq = RNG.standard_normal((2, 3, 3))
    pairs = [(x, t), (y, u), (Tensor(sq, requires_grad=True), torch.tensor(sq, requires_grad=True))]
    for eq, which in cases:
        ours = autograd.einsum(eq, *[pairs[i][0] for i in which])
        theirs = torch.einsum(eq, *[pairs[i][1] for i in which])
        _same(ours, theirs, rtol=1e-12)
        ours.sum().backward()
        theirs.sum().backward()
    for o, th in pairs:
        np.testing.assert_allclose(o.grad.numpy(), th.grad.numpy(), rtol=1e-12)
    _same(autograd.einsum("ij,jk->ik", [x[0], y[0]]), torch.einsum("ij,jk->ik", [t[0], u[0]]))
    with pytest.raises(RuntimeError):
        autograd.einsum("ij,jk->ik", x[0])


def test_matrix_products_check_shapes_like_torch():
    a, b, v = RNG.standard_normal((3, 4)), RNG.standard_normal((4, 2)), RNG.standard_normal(4)
    x, t = Tensor(a), torch.tensor(a)
    y, u = Tensor(b), torch.tensor(b)
    w, s = Tensor(v), torch.tensor(v)
    _same(x.mv(w), t.mv(s))
    _same(autograd.dot(w, w), torch.dot(s, s))
    _same(autograd.inner(w, w), torch.inner(s, s))
    c = RNG.standard_normal((3, 2))
    _same(
        autograd.addmm(Tensor(c), x, y, beta=0.5, alpha=2.0),
        torch.addmm(torch.tensor(c), t, u, beta=0.5, alpha=2.0),
    )
    _same(Tensor(c).addmm(x, y), torch.tensor(c).addmm(t, u))
    bb = RNG.standard_normal((2, 3, 4))
    _same(
        autograd.baddbmm(Tensor(c), Tensor(bb), Tensor(bb).transpose(1, 2)[:, :, :2]),
        torch.baddbmm(
            torch.tensor(c), torch.tensor(bb), torch.tensor(bb).transpose(1, 2)[:, :, :2]
        ),
    )
    for ours, theirs in [
        (lambda: x.mv(x), lambda: t.mv(t)),
        (lambda: autograd.dot(x, x), lambda: torch.dot(t, t)),
        (lambda: autograd.dot(w, w.float()), lambda: torch.dot(s, s.float())),
        (lambda: autograd.dot(w, w[:2]), lambda: torch.dot(s, s[:2])),
    ]:  # fmt: skip
        with pytest.raises(Exception) as expected:
            theirs()
        with pytest.raises(expected.type):
            ours()


def test_cross_matches_torch():
    a, b = RNG.standard_normal((4, 3)), RNG.standard_normal((1, 3))
    _same(
        autograd.linalg.cross(Tensor(a), Tensor(b)),
        torch.linalg.cross(torch.tensor(a), torch.tensor(b)),
    )
    _same(Tensor(a).T.cross(Tensor(a).T, dim=0), torch.tensor(a).T.cross(torch.tensor(a).T, dim=0))
    _same(
        autograd.cross(Tensor(a), Tensor(a), dim=1),
        torch.cross(torch.tensor(a), torch.tensor(a), dim=1),
    )


def test_broadcast_tensors_regression():
    # functional_ops' `max` (torch.max) shadowed the builtin: broadcast_tensors raised
    ours = autograd.broadcast_tensors(autograd.ones(2, 1), autograd.ones(3))
    assert [o.shape for o in ours] == [(2, 3), (2, 3)]


# --------------------------------------------------------------------------- axis / keepdims
def _public_callables():
    for name in dir(Tensor):
        f = getattr(Tensor, name)
        if not name.startswith("_") and callable(f):
            yield f"Tensor.{name}", f
    for name in autograd.__all__:
        f = getattr(autograd, name)
        if callable(f) and not isinstance(f, type):
            yield f"autograd.{name}", f
    for module, prefix in ((autograd.linalg, "autograd.linalg"), (F, "F")):
        for name in getattr(module, "__all__", dir(module)):
            f = getattr(module, name)
            if not name.startswith("_") and callable(f) and not isinstance(f, type):
                yield f"{prefix}.{name}", f


def test_every_dim_argument_also_takes_numpy_axis():
    missing = []
    for label, f in _public_callables():
        try:
            params = inspect.signature(f).parameters
        except (TypeError, ValueError):
            continue
        if "dim" in params and "axis" not in params:
            missing.append(f"{label}: axis")
        if "keepdim" in params and "keepdims" not in params:
            missing.append(f"{label}: keepdims")
    assert not missing, missing


@pytest.mark.parametrize(
    "call",
    [
        lambda T, x, **k: x.softmax(**k), lambda T, x, **k: x.log_softmax(**k),
        lambda T, x, **k: T.softmax(x, **k), lambda T, x, **k: T.log_softmax(x, **k),
        lambda T, x, **k: x.cumsum(**k), lambda T, x, **k: x.sort(**k)[0],
        lambda T, x, **k: x.squeeze(**k), lambda T, x, **k: x.unsqueeze(**k),
        lambda T, x, **k: x.argsort(**k),
        lambda T, x, **k: T.index_select(x, index=T.tensor([0, 0]), **k),
        lambda T, x, **k: x.unbind(**k)[0], lambda T, x, **k: x.split(1, **k)[0],
        lambda T, x, **k: x.chunk(2, **k)[0], lambda T, x, **k: T.diff(x, **k),
        lambda T, x, **k: x.repeat_interleave(2, **k),
        lambda T, x, **k: x.narrow(start=0, length=1, **k),
    ],
)  # fmt: skip
def test_axis_spells_dim(call):
    a = RNG.standard_normal((2, 1, 3))
    x = Tensor(a)
    for d in (0, 1, -1):
        ours = call(autograd, x, dim=d)
        by_axis = call(autograd, x, axis=d)
        _same(by_axis, ours)
    ax = {"dim": -1}
    _same(F.softmax(x, axis=-1), F.softmax(x, **ax))
    _same(F.log_softmax(x, axis=0), torch.log_softmax(torch.tensor(a), 0))


@pytest.mark.parametrize("name", ["all", "any", "median", "kthvalue", "mode", "norm"])
def test_keepdims_spells_keepdim(name):
    a = RNG.standard_normal((2, 3))
    x = Tensor(a)
    args = (2,) if name == "kthvalue" else ()
    kw = {"p": 2} if name == "norm" else {}
    ours = getattr(x, name)(*args, dim=1, keepdim=True, **kw)
    theirs = getattr(x, name)(*args, axis=1, keepdims=True, **kw)
    _same(theirs, ours)


def test_errors_match_torch():
    a = RNG.standard_normal((3, 4))
    x, t = Tensor(a), torch.tensor(a)
    cases = [
        lambda T, x: x.index_select(1, T.tensor([4])),
        lambda T, x: x.take(T.tensor([12])),
        lambda T, x: x.take(T.tensor([-13])),
        lambda T, x: x.index_add(0, T.tensor([3]), T.ones(1, 4, dtype=T.float64)),
        lambda T, x: x.narrow(1, 3, 2),
        lambda T, x: x.kthvalue(5),
        lambda T, x: T.diag(T.ones(2, 2, 2)),
        lambda T, x: x.repeat_interleave(T.tensor([1, 2]), dim=1),
        lambda T, x: T.tril(T.ones(3)),
        lambda T, x: T.outer(x, x),
        lambda T, x: T.einsum("ij,jk->ik", x),
        lambda T, x: x.roll(1, 2),
        lambda T, x: T.histc(T.tensor([1.0, 2.0]), 3, 2, 1),
        lambda T, x: T.bincount(T.tensor([-1])),
        lambda T, x: T.topk(x, 5),
        lambda T, x: x.flip(2),
        lambda T, x: x.scatter(0, T.tensor([[3, 0, 0, 0]]), x),
        lambda T, x: x.cumsum(2),
        lambda T, x: x.sort(2),
        lambda T, x: x.all(2),
        lambda T, x: x.movedim(0, 2),
        lambda T, x: T.dot(x[0], x[:, 0]),
        lambda T, x: x.mv(x[:, 0]),
        lambda T, x: T.trace(x[0]),
        lambda T, x: x.diagonal(0, 1, 1),
        lambda T, x: T.unique(x, dim=2),
    ]
    for i, f in enumerate(cases):
        with pytest.raises(Exception) as expected:
            f(torch, t)
        with pytest.raises(expected.type):
            f(autograd, x)
        assert i >= 0  # every case raised on both sides


@pytest.mark.parametrize("beta, threshold", [(1.0, 20.0), (2.0, 5.0), (0.5, 1.0)])
def test_softplus_matches_torch(beta, threshold):
    a = np.concatenate([np.linspace(-30, 30, 61), [0.0, 2.4999, 2.5, 2.5001]])
    for dtype in FLOATS:
        x = Tensor(a.astype(dtype), requires_grad=True)
        t = torch.tensor(a.astype(dtype), requires_grad=True)
        ours, theirs = (
            F.softplus(x, beta, threshold),
            torch.nn.functional.softplus(t, beta, threshold),
        )
        _same(ours, theirs, rtol=1e-6, atol=1e-6)  # log1p: exact once it is a primitive
        ours.sum().backward()
        theirs.sum().backward()
        np.testing.assert_allclose(x.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_mm_bmm_check_shapes_like_torch():
    a, b = RNG.standard_normal((2, 3, 4)), RNG.standard_normal((2, 4, 5))
    _same(Tensor(a[0]).mm(Tensor(b[0])), torch.tensor(a[0]).mm(torch.tensor(b[0])))
    _same(autograd.mm(Tensor(a[0]), Tensor(b[0])), torch.mm(torch.tensor(a[0]), torch.tensor(b[0])))
    _same(autograd.bmm(Tensor(a), Tensor(b)), torch.bmm(torch.tensor(a), torch.tensor(b)))
    _same(Tensor(a).bmm(Tensor(b)), torch.tensor(a).bmm(torch.tensor(b)))
    for f in [
        lambda T, x, y: T.mm(x, y),
        lambda T, x, y: x[0].bmm(y[0]),
        lambda T, x, y: T.bmm(x, y[:1]),
    ]:
        with pytest.raises(Exception) as expected:
            f(torch, torch.tensor(a), torch.tensor(b))
        with pytest.raises(expected.type):
            f(autograd, Tensor(a), Tensor(b))


@pytest.mark.parametrize(
    "index",
    [[[0.5]], [[0]], [0.5], [True]],
    ids=["2d-float", "2d-int", "1d-float", "1d-bool"],
)
def test_index_select_checks_the_index_as_torch_in_its_order(index):
    """A 2-D index is an IndexError before its dtype is looked at (a 2-D float index was a
    dtype RuntimeError); a 1-D non-integer index a RuntimeError."""
    a = RNG.standard_normal((3, 4))
    with pytest.raises(Exception) as theirs:
        torch.tensor(a).index_select(0, torch.tensor(index))
    with pytest.raises(Exception) as ours:
        Tensor(a).index_select(0, autograd.tensor(index))
    assert type(ours.value) is type(theirs.value)
    assert "index_select" in str(ours.value)
