"""Reductions against PyTorch where they used to differ silently: float16 products through
inf, nan, 0 and overflow; softmax / log_softmax / logsumexp without a dim; the order of
var/std's argument checks; a nan correction; matmul with inf and nan."""

import warnings

import numpy as np
import pytest
import torch

import autograd
import nn.functional as F

INF = float("inf")
NAN = float("nan")

# float16 products: an intermediate overflow (300 * 300 > 65504), an input that is inf as a
# float16 (70000), inf or nan beside zeros, underflow to 0 (1e-4 * 1e-4), and rounding at
# every step (255 * 256 * 0.004)
HALF_PRODUCTS = [
    [300.0, 300.0, 0.001],
    [70000.0],
    [300.0, 300.0, 0.0],
    [INF, 0.0],
    [NAN, 0.0],
    [INF, 2.0, 0.5],
    [1e-4, 1e-4, 1e4, 1e4],
    [255.0, 256.0, 0.004],
    [-INF, -1.0],
    [0.0, 0.0, 3.0],
    [NAN, 1.0],
    [65504.0, 2.0, 0.5],
    [0.0, INF, 300.0, 300.0],
]


def _assert_same(ours, theirs):
    np.testing.assert_array_equal(ours.detach().numpy(), theirs.detach().numpy(), strict=True)


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("values", HALF_PRODUCTS, ids=str)
def test_float16_prod_with_inf_nan_zero_and_overflow_matches_torch(values, create_graph):
    """PyTorch's CPU prod of float16 rounds to float16 at every step (an intermediate
    overflow is inf even where the float32 product is finite); the gradient is y / x without
    zeros, else the products of the others, or zeros for a full product with two zeros when
    no graph of the backward is recorded (torch's rule, create_graph or not)."""
    a = np.array(values, dtype=np.float16)
    rows = np.stack([a, a[::-1]])  # (2, n), reduced along dim 1 and over all
    for dim in (None, 1, 0):
        ours = autograd.tensor(rows, requires_grad=True)
        theirs = torch.tensor(rows, requires_grad=True)
        with np.errstate(all="ignore"):
            y = ours.prod() if dim is None else ours.prod(dim)
            y.sum().backward(create_graph=create_graph)
        t = theirs.prod() if dim is None else theirs.prod(dim)
        t.sum().backward(create_graph=create_graph)
        _assert_same(y, t)
        _assert_same(ours.grad, theirs.grad)


@pytest.mark.parametrize(
    "call",
    [
        "x.softmax()", "x.log_softmax()", "x.logsumexp()", "L.softmax(x)", "L.log_softmax(x)",
        "L.logsumexp(x)", "x.softmax(None)", "x.log_softmax(dim=None)", "x.logsumexp(None)",
        "L.logsumexp(x, dim=None)",
    ],
)  # fmt: skip
def test_softmax_log_softmax_and_logsumexp_without_dim_raise_typeerror_as_torch(call):
    """torch: TypeError (dim is required); these used to pick dim -1 (softmax) or reduce
    everything (logsumexp)."""
    for L in (torch, autograd):
        with pytest.raises(TypeError, match="dim"):
            eval(call, {"L": L, "x": L.ones(2, 3)})


@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmin"])
@pytest.mark.parametrize("shape", [(), (3,), (2, 3), (2, 3, 4), (1, 2, 3, 4)])
def test_functional_softmax_without_dim_warns_and_picks_torchs_dim(name, shape):
    a = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
    results = []
    for fn, T in ((getattr(F, name), autograd), (getattr(torch.nn.functional, name), torch)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            results.append(fn(T.tensor(a)).numpy())
        messages = [str(w.message) for w in caught if w.category is UserWarning]
        assert any(f"Implicit dimension choice for {name}" in m for m in messages), messages
    np.testing.assert_allclose(results[0], results[1], rtol=1e-6)


def _outcome(call, lib, dtype):
    """(exception type, or None and the result) of call on a (2, 3) tensor of dtype."""
    T = torch if lib == "torch" else autograd
    x = T.tensor((np.arange(6).reshape(2, 3) % (2 if dtype is bool else 6)).astype(dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            out = eval(call, {"x": x, "T": T, "np": np})
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            return type(e), None
    return None, out.numpy()


REDUCTION_CALLS = [
    "x.var(5)", "x.std(5)", "x.var(-3)", "x.std((0, 0))", "x.var(5, correction=-1)",
    "x.var(1, correction=1.5)", "x.var(1.5)", "x.std(dim=1, correction='a')",
    "x.var(5, correction='a')", "x.var(1, correction=[1])", "x.var(1, unbiased=1)",
    "x.var(1, unbiased=True, correction=1)", "x.var(1, correction=1j)", "x.var(1, correction=None)",
    "x.var(1, correction=np.int64(2))", "x.var(1, correction=T.tensor(0))",
    "x.sum(5)", "x.mean(5)", "x.mean((0, 0))", "x.amax(5)", "x.amax((0, 0))", "x.sum(1.5)",
    "x.amin(-3)", "x.prod(5)", "x.logsumexp(5)",
]  # fmt: skip


@pytest.mark.parametrize("dtype", [np.int64, np.uint8, bool, np.float32])
@pytest.mark.parametrize("call", REDUCTION_CALLS)
def test_var_std_with_a_bad_dim_or_correction_raise_torchs_error_first(call, dtype):
    """torch checks the arguments' types (TypeError), then var/std's dtype (RuntimeError for
    integers and bool), then the dims (IndexError): var(5) of an int tensor was IndexError."""
    (ours, a), (theirs, b) = _outcome(call, "ours", dtype), _outcome(call, "torch", dtype)
    assert ours is theirs, (ours, theirs)
    if ours is None:
        np.testing.assert_allclose(a, b, rtol=1e-6)


def test_var_with_a_nan_correction_divides_by_zero_as_torch():
    """torch takes max(0, n - nan) = 0 degrees of freedom: inf (nan for a constant row)."""
    a = np.array([[1.0, 1.0, 1.0], [4.0, 5.0, 6.0]], dtype=np.float32)
    for dim in (1, None):
        ours = autograd.tensor(a).var(dim, correction=NAN)
        theirs = torch.tensor(a).var(dim, correction=NAN)
        _assert_same(ours, theirs)


@pytest.mark.parametrize("op", ["var", "std"])
def test_var_and_std_warn_when_degrees_of_freedom_are_not_positive(op):
    for L in (torch, autograd):
        with pytest.warns(UserWarning, match=rf"{op}\(\): degrees of freedom is <= 0"):
            getattr(L.ones(2, 3), op)(1, correction=3)


def _sprinkled(rng, shape):
    a = rng.standard_normal(shape).astype(np.float32)
    a[rng.random(shape) < 0.3] = 0
    u = rng.random(shape)
    a[u < 0.1] = INF
    a[(u >= 0.1) & (u < 0.2)] = -INF
    a[(u >= 0.2) & (u < 0.25)] = NAN
    return a


@pytest.mark.parametrize(
    "shapes",
    [((5,), (5,)), ((3, 5), (5,)), ((5,), (5, 4)), ((3, 5), (5, 4)), ((2, 3, 5), (5, 4)),
     ((2, 3, 5), (2, 5, 4)), ((1, 7), (7, 1)), ((17,), (17,)), ((4, 33), (33,))],
    ids=str,
)  # fmt: skip
def test_float32_matmul_with_inf_and_nan_inputs_matches_torch(shapes):
    """inf * 0 and inf - inf are nan, inf beside finite terms stays inf, in dot, mv, mm and
    bmm alike (no BLAS shortcut skips a zero operand)."""
    rng = np.random.default_rng(1)
    for _ in range(20):
        a, b = _sprinkled(rng, shapes[0]), _sprinkled(rng, shapes[1])
        with np.errstate(all="ignore"):
            ours = (autograd.tensor(a) @ autograd.tensor(b)).numpy()
        theirs = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
        np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
        np.testing.assert_array_equal(
            np.isinf(ours) * np.sign(ours), np.isinf(theirs) * np.sign(theirs)
        )
        finite = np.isfinite(theirs)
        np.testing.assert_allclose(ours[finite], theirs[finite], rtol=1e-5, atol=1e-5)
