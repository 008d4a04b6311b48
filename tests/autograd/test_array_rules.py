"""Backward rules at array speed (create_graph=False: raw arrays) against the same rules on
Tensors (create_graph=True) and PyTorch, where raw arrays behave unlike Tensors: numpy
scalars from 0-d math, read-only broadcast views, and numpy's promotion of integer (or 0-d
float64) operands, which differs from PyTorch's."""

import numpy as np
import pytest
import torch

import autograd
from autograd import Tensor


def _grads(fn, arrays, needs, lib):
    """The gradients of sum(fn(*leaves)) for each leaf that needs one: ours at both speeds
    ([fast, recorded]), or PyTorch's."""
    if lib == "torch":
        xs = [torch.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
        fn(torch, *xs).sum().backward()
        return [[x.grad.numpy() for x, n in zip(xs, needs) if n]]
    out = []
    for create_graph in (False, True):
        xs = [Tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
        fn(autograd, *xs).sum().backward(create_graph=create_graph)
        out.append([x.grad.detach().numpy() for x, n in zip(xs, needs) if n])
    return out


def check(fn, arrays, needs, rtol=1e-6):
    """Both speeds give PyTorch's gradients, values and dtypes, and the same bits: the
    arithmetic of a rule is the same at either speed, in the same dtypes."""
    (expected,) = _grads(fn, arrays, needs, "torch")
    fast, recorded = _grads(fn, arrays, needs, "ours")
    for f, r in zip(fast, recorded, strict=True):
        np.testing.assert_array_equal(f, r, strict=True)
    for ours in (fast, recorded):
        for o, e in zip(ours, expected, strict=True):
            assert o.dtype == e.dtype
            assert o.shape == e.shape
            np.testing.assert_allclose(o, e, rtol=rtol, atol=0)


_INTS = np.array([7, -7, 3, 1000003], dtype=np.int64)
_TENTHS = np.array([0.1, 0.1, 0.3, 0.7], dtype=np.float32)


def test_fmod_gradient_by_an_integer_dividend_divides_in_float32():
    """numpy's int64 / float32 is float64, where trunc(7 / 0.1f) is 69, not PyTorch's 70."""
    check(lambda lib, x, y: lib.fmod(x, y), [_INTS, _TENTHS], [False, True])


@pytest.mark.parametrize("x_dtype", [np.int64, np.int32, np.float64])
def test_atan2_gradient_beside_an_integer_or_0d_float64_operand_is_float32(x_dtype):
    """atan2(y, x) with x an integer (or a 0-d float64) tensor: the result and the gradient
    of y are float32; numpy would compute x / (x^2 + y^2) in float64."""
    y = np.array([0.3, -1.7, 2.5, 11.0], dtype=np.float32)
    x = np.array(3, dtype=x_dtype) if x_dtype is np.float64 else np.array([3, 5, -7, 4097], x_dtype)
    check(lambda lib, y, x: lib.atan2(y, x), [y, x], [True, False])


def test_remainder_and_fmod_gradients_of_0d_float64_divisor_keep_its_dtype():
    x = np.array([7.0, -7.0, 2.5], dtype=np.float32)
    y = np.array(0.75, dtype=np.float64)
    for op in ("fmod", "atan2"):
        check(lambda lib, x, y, op=op: getattr(lib, op)(x, y), [x, y], [True, True])


def _scalar_chain(lib, x, w):
    """A 0-d gradient that numpy's 0-d math hands over as a numpy scalar (x * w), then ops
    whose rules index, write into, scan or contract it."""
    y = x.clone()
    y[...] = x * w  # SetItem on a 0-d tensor
    z = (y * w).reshape(1)
    z = lib.cat([z, z * 2]).cumsum(0)  # Cat, Cumsum
    return lib.einsum("i,i->", z, z) * w  # Einsum


def test_rules_take_numpy_scalars_from_0d_math():
    x = np.array(0.5)
    w = np.array(-1.25)
    check(_scalar_chain, [x, w], [True, True], rtol=1e-12)


@pytest.mark.parametrize("op", ["erfinv", "asin", "acosh", "tan", "exp2", "erf", "cosh"])
def test_unary_rules_on_0d_tensors(op):
    x = np.array(0.4 if op != "acosh" else 1.7)
    check(lambda lib, x: getattr(lib, op)(x) * x, [x], [True], rtol=1e-12)


def test_setitem_gradient_of_a_read_only_broadcast_gradient():
    """The gradient reaching SetItem is Expand's read-only broadcast of sum's: its rule
    writes zeros into a copy, not into that view."""

    def fn(lib, x, v):
        y = x.expand(3, 4).clone()
        y[1] = v
        y[:, 2] = v[2]
        return y

    x = np.arange(4.0)
    v = np.linspace(-1.0, 1.0, 4)
    check(fn, [x, v], [True, True], rtol=1e-12)


def test_scatter_and_gather_of_a_broadcast_gradient():
    def fn(lib, x, src):
        index = lib.tensor([[0, 2], [1, 0]])
        y = x.scatter(1, index, src) if lib is torch else x.scatter(1, index, src)
        return y.gather(1, index).expand(3, 2, 2) * 1.5

    x = np.arange(6.0).reshape(2, 3)
    src = np.array([[1.0, 2.0], [3.0, 4.0]])
    check(fn, [x, src], [True, True], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cumprod_gradient_with_zeros_at_both_speeds(dtype):
    x = np.array([[2.0, 0.0, 3.0, 0.0, 5.0], [0.0, 1.5, -2.0, 4.0, 0.5]], dtype=dtype)
    check(lambda lib, x: lib.cumprod(x, 1) * 1.5, [x], [True])


def test_cast_and_where_gradients_at_array_speed_keep_the_leaf_dtype():
    def fn(lib, x, y):
        z = lib.where(x > 0, x.double(), y)  # float32 and float64 leaves, float64 result
        return (z * 3).float()

    x = np.array([1.0, -2.0, 3.0], dtype=np.float32)
    y = np.array([0.5, 0.25, -1.0])
    check(fn, [x, y], [True, True])


def test_fill_and_copy_gradients_of_0d_values():
    def fn(lib, x, v, s):
        y = x * 2
        y = y.clone().fill_(v)
        return y.clone().copy_(s) * x + y

    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    v = np.array(1.5)
    s = np.array([0.25, -0.5])
    check(fn, [x, v, s], [True, True, True], rtol=1e-12)


def test_gather_and_index_of_0d_tensors_at_both_speeds():
    def fn(lib, x, w):
        y = (x * w).reshape(1, 1)  # a 0-d gradient through numpy scalars, then (1, 1)
        g = y.gather(1, lib.tensor([[0, 0, 0]]))
        return g[0, lib.tensor([2, 0])] * w

    check(fn, [np.array(0.75), np.array(-2.0)], [True, True], rtol=1e-12)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_where_kernel_beside_a_python_number_keeps_the_array_dtype(dtype):
    """Where.call(cond, array, 0.0) at array speed: the number does not widen float32."""
    from autograd.ops.elementwise import Where

    a = np.array([1.5, -2.0, 3.0], dtype=dtype)
    cond = np.array([True, False, True])
    for out in (Where.kernel(cond, a, 0.0), Where.kernel(cond, 0.0, a)):
        expected = torch.where(torch.tensor(cond), torch.tensor(a), 0.0)
        assert out.dtype == expected.numpy().dtype
    np.testing.assert_array_equal(Where.kernel(cond, a, 0.0), expected.numpy())


@pytest.mark.parametrize("op", ["log10", "log2", "exp2", "erf", "erfc"])
def test_float16_gradients_with_a_float_constant_round_as_pytorch(op):
    """d/dx log2 x = 1 / (x ln 2): numpy's float16 array * ln 2 rounds ln 2 to float16 first
    (0.6934); PyTorch (and our Tensor ops) multiply in float32 and round once."""
    a = np.random.default_rng(1).uniform(0.1, 0.9, 500).astype(np.float16)
    (expected,) = _grads(lambda lib, x: getattr(lib, op)(x), [a], [True], "torch")
    for (ours,) in _grads(lambda lib, x: getattr(lib, op)(x), [a], [True], "ours"):
        np.testing.assert_array_equal(ours, expected[0], strict=True)


def test_div_grad_is_torchs_formula_where_y_squared_under_or_overflows():
    """d(x/y)/dy = -g x / (y y), term for term as PyTorch: 0 / tiny y and inf / y (float16)
    give its nan, at both speeds."""
    cases = [
        (0.0, 1.2150797477669916e-273, np.float64),
        (np.inf, 6e4, np.float16),
    ]
    for x, y, dtype in cases:
        for create_graph in (False, True):
            ours = autograd.tensor([y], dtype=getattr(autograd, np.dtype(dtype).name))
            ours.requires_grad_()
            (x / ours).sum().backward(create_graph=create_graph)
            theirs = torch.tensor([y], dtype=getattr(torch, np.dtype(dtype).name))
            theirs.requires_grad_()
            (x / theirs).sum().backward()
            np.testing.assert_array_equal(ours.grad.detach().numpy(), theirs.grad.numpy())


def test_a_saved_operand_of_higher_precision_computes_in_the_output_dtype():
    """float16 a / 0-d float32 b is float16, and so is its backward, as PyTorch's (numpy
    would widen the array-speed rule to float32: -0.16666667 where torch gives -0.1666)."""
    a = np.array([1.0], dtype=np.float16)
    g = np.array([1.5], dtype=np.float16)
    ob = autograd.tensor(3.0, dtype=autograd.float32, requires_grad=True)
    autograd.backward([autograd.from_numpy(a) / ob], [autograd.from_numpy(g)])
    tb = torch.tensor(3.0, dtype=torch.float32, requires_grad=True)
    torch.autograd.backward([torch.from_numpy(a) / tb], [torch.from_numpy(g)])
    assert ob.grad.dtype == autograd.float32
    np.testing.assert_array_equal(ob.grad.numpy(), tb.grad.numpy())


# ------------------------------------------------- reductions, losses and convolution (reduce)
def _grads2(fn, arrays, lib):
    """Second order: the gradient of sum(w * d sum(fn^2) / dx) for each leaf, the first gradient
    recorded (create_graph), the second taken at array speed and recorded ([fast, recorded]),
    or PyTorch's ([theirs])."""
    out = []
    for create_graph in (False,) if lib == "torch" else (False, True):
        rng = np.random.default_rng(7)
        mod = torch if lib == "torch" else autograd
        new = (lambda a: torch.tensor(a, requires_grad=True)) if lib == "torch" else None
        xs = [new(a) if new else Tensor(a, requires_grad=True) for a in arrays]
        grad = torch.autograd.grad if new else autograd.grad
        firsts = grad((fn(mod, *xs) ** 2).sum(), xs, create_graph=True)
        total = 0
        for g in firsts:
            w = rng.standard_normal(tuple(g.shape)).astype(g.dtype if new is None else None)
            w = torch.tensor(w, dtype=g.dtype) if new else Tensor(w)
            total = total + (g * w).sum()
        if new:
            total.backward()
            out.append([x.grad.numpy() for x in xs])
        else:
            total.backward(create_graph=create_graph)
            out.append([x.grad.detach().numpy() for x in xs])
    return out


def check2(fn, arrays, rtol=1e-6):
    """check() one order up: the backward of each rule's backward at both speeds (the rule of
    SoftmaxGrad, ConvInputGrad, ... run on raw arrays and on Tensors) against PyTorch."""
    (expected,) = _grads2(fn, arrays, "torch")
    fast, recorded = _grads2(fn, arrays, "ours")
    for f, r in zip(fast, recorded, strict=True):
        np.testing.assert_allclose(f, r, rtol=1e-12 if f.dtype == np.float64 else 1e-5)
    for ours in (fast, recorded):
        for o, e in zip(ours, expected, strict=True):
            assert o.dtype == e.dtype and o.shape == e.shape
            np.testing.assert_allclose(o, e, rtol=rtol, atol=rtol)


_R = np.random.default_rng(3)
_X = _R.standard_normal((3, 4))
_TIES = np.array([[1.0, 3.0, 3.0, -2.0], [0.5, 0.5, 0.5, 0.5], [-1.0, 2.0, 0.0, 2.0]])
_ZEROS = np.array([[2.0, 0.0, 3.0, 0.5], [0.0, 1.5, 0.0, 4.0], [1.0, -2.0, 0.5, 3.0]])
_IMG = _R.standard_normal((2, 4, 7, 6))
_W = _R.standard_normal((6, 2, 3, 2))
_PROB = _R.uniform(0.05, 0.95, (3, 4))
_F = torch.nn.functional

REDUCE_ROWS = {
    "var": (lambda L, x: x.var(1) * x.var(), [_X]),
    "var_correction": (lambda L, x: x.var((0, 1), correction=0) + x.std(0, correction=2), [_X]),
    "var_keepdim_0d": (lambda L, x: x.var(1, keepdim=True) * x[0, 0].var(correction=0), [_X]),
    "amax_ties": (lambda L, x: x.amax(1) + x.amin((0, 1)) + x.max(), [_TIES]),
    "amin_keepdim": (lambda L, x: x.amin(0, keepdim=True) * x, [_TIES]),
    "prod": (lambda L, x: x.prod(1) + x.prod(), [_X]),
    "prod_zeros": (lambda L, x: x.prod(1) + x.prod(0).sum() + x[1].prod(), [_ZEROS]),
    "logsumexp": (lambda L, x: L.logsumexp(x, 1) + x.logsumexp((0, 1), keepdim=True), [_X]),
    "softmax": (lambda L, x: x.softmax(1) * x + x.softmax(0)[0].sum(), [_X]),
    "log_softmax": (lambda L, x: x.log_softmax(0) * x, [_X]),
    "bce": (lambda L, x, y: _functional(L).binary_cross_entropy(x, y), [_PROB, _PROB[::-1]]),
    "bce_logits": (lambda L, x, y: _bce_logits(L, x, y, None), [_X, _PROB]),
    "bce_logits_pos_weight": (
        lambda L, x, y: _bce_logits(L, x, y, [0.5, 2.0, 1.0, 3.0]),
        [_X, _PROB],
    ),
    "conv2d": (
        lambda L, x, w: _conv(L, x, w, stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2),
        [_IMG, _W],
    ),
    "conv2d_same": (
        lambda L, x, w: _conv(L, x, w[:, :, :, :1].repeat(1, 2, 1, 1), padding=(1, 0)),
        [_IMG, _W],
    ),
    "max_pool_blocks": (lambda L, x: _pool(L, "max_pool2d", x, 2) * x[:, :, :3, :3].sum(), [_IMG]),
    "max_pool_windows": (
        lambda L, x: _pool(L, "max_pool2d", x, 3, stride=2, padding=1, dilation=1),
        [_IMG],
    ),
    "avg_pool": (lambda L, x: _pool(L, "avg_pool2d", x, 3, stride=2, padding=1) ** 2, [_IMG]),
    "conv_transpose": (lambda L, x, w: _conv_t(L, x, w), [_IMG, _W[:4]]),
}


def _functional(L):
    import nn.functional as F

    return _F if L is torch else F


def _bce_logits(L, x, y, pos_weight):
    p = None if pos_weight is None else L.tensor(pos_weight, dtype=x.dtype)
    return _functional(L).binary_cross_entropy_with_logits(x, y, pos_weight=p, reduction="none")


def _conv(L, x, w, **kw):
    return _functional(L).conv2d(x, w, **kw)


def _conv_t(L, x, w):
    return _functional(L).conv_transpose2d(x, w, stride=2, padding=1, dilation=(1, 2))


def _pool(L, name, x, *args, **kw):
    return getattr(_functional(L), name)(x, *args, **kw)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", sorted(REDUCE_ROWS))
def test_reduction_loss_and_conv_rules_at_both_speeds_match_torch(name, dtype):
    fn, arrays = REDUCE_ROWS[name]
    arrays = [a.astype(dtype) for a in arrays]
    rtol = 1e-10 if dtype == np.float64 else 2e-4
    if name.startswith("bce") and name != "bce_logits_pos_weight":
        needs = [True, True]
    else:
        needs = [True] * len(arrays)
    check(fn, arrays, needs, rtol=rtol)


@pytest.mark.parametrize(
    "name",
    "softmax log_softmax logsumexp var prod_zeros bce_logits conv2d conv2d_same max_pool_blocks "
    "max_pool_windows conv_transpose avg_pool amax_ties".split(),
)
def test_second_order_rules_at_both_speeds_match_torch(name):
    fn, arrays = REDUCE_ROWS[name]
    check2(fn, arrays, rtol=1e-9)


# ------------------------------------------------- (helper elem) the rules converted to two speeds
_FLOATS = [np.float16, np.float32, np.float64]


def _grads_with(fn, arrays, needs, upstream, lib, create_graph=False):
    """The gradients of fn(*leaves) for an explicit upstream gradient, for each leaf that
    needs one (None where none arrived)."""
    T = torch if lib == "torch" else autograd
    xs = [T.tensor(a, requires_grad=n) for a, n in zip(arrays, needs)]
    out = fn(T, *xs)
    g = T.tensor(
        np.broadcast_to(upstream, tuple(out.shape)).astype(np.dtype(str(out.dtype).split(".")[-1]))
    )
    if lib == "torch":
        torch.autograd.backward([out], [g])
    else:
        autograd.backward([out], [g], create_graph=create_graph)
    return [None if x.grad is None else x.grad.detach().numpy() for x, n in zip(xs, needs) if n]


def check_exact(fn, arrays, needs, upstream=None):
    """PyTorch's gradients bit for bit (nan where PyTorch has nan), at both speeds."""
    if upstream is None:
        upstream = np.array(1.0)
    expected = _grads_with(fn, arrays, needs, upstream, "torch")
    for create_graph in (False, True):
        ours = _grads_with(fn, arrays, needs, upstream, "ours", create_graph)
        for o, e in zip(ours, expected, strict=True):
            assert (o is None) == (e is None)
            if o is not None:
                assert o.dtype == e.dtype and o.shape == e.shape
                np.testing.assert_array_equal(o, e, strict=True)


_X = np.array([-2.5, -1.0, -0.0, 0.0, 0.5, 1.0, 1.5, 3.0, np.nan, np.inf, -np.inf])
_Y = np.array([1.0, -1.0, 0.0, -0.0, 0.5, 2.0, -1.5, 3.0, 1.0, 2.0, -np.inf])


def _functional(T):
    from nn import functional

    return torch.nn.functional if T is torch else functional


_CONVERTED = {
    "maximum": (lambda T, x, y: T.maximum(x, y), [_X, _Y]),
    "minimum": (lambda T, x, y: T.minimum(x, y), [_X, _Y]),
    "maximum_broadcast": (lambda T, x, y: T.maximum(x, y), [_X.reshape(-1, 1), _Y[:3]]),
    "abs": (lambda T, x: x.abs(), [_X]),
    "sign": (lambda T, x: x.sign() * x, [_X]),
    "clamp": (lambda T, x: x.clamp(-1.0, 1.0), [_X]),
    "clamp_min": (lambda T, x: x.clamp(min=0.5), [_X]),
    "clamp_tensor": (lambda T, x, lo: x.clamp(lo, lo + 1), [_X, _Y]),
    "gelu": (lambda T, x: _functional(T).gelu(x), [_X[np.isfinite(_X)]]),
    "pow_scalar": (lambda T, x: x**3, [_X]),
    "pow_half": (lambda T, x: x**1.5, [np.abs(_X)]),
    "rpow": (lambda T, y: 2**y, [_Y]),
    "pow_tensor": (lambda T, x, y: x**y, [np.abs(_X) + 0.25, _Y.clip(-3, 3)]),
    "relu": (lambda T, x: T.relu(x), [_X]),
}


@pytest.mark.parametrize("dtype", _FLOATS)
@pytest.mark.parametrize("name", sorted(_CONVERTED))
def test_converted_rules_give_torchs_gradients_at_both_speeds(name, dtype):
    """Pow, Maximum, Minimum, Abs, Sign, Clamp, ClampTensor, Gelu (and MaskedGrad under
    relu) at array speed and recorded: PyTorch's gradients to the bit, over float16/32/64
    (pow: numpy's float32 power may be 1 ulp off PyTorch's; both speeds still agree)."""
    fn, arrays = _CONVERTED[name]
    arrays = [a.astype(dtype) for a in arrays]
    if name.startswith("pow") or name == "rpow" or name == "gelu":
        fast, recorded = (
            _grads_with(fn, arrays, [True] * len(arrays), np.array(1.0), "ours", cg)
            for cg in (False, True)
        )
        expected = _grads_with(fn, arrays, [True] * len(arrays), np.array(1.0), "torch")
        rtol = {np.float16: 2e-3, np.float32: 2e-6, np.float64: 1e-13}[dtype]
        for f, r, e in zip(fast, recorded, expected, strict=True):
            np.testing.assert_array_equal(f, r, strict=True)
            np.testing.assert_allclose(f, e, rtol=rtol, atol=0)
            assert f.dtype == e.dtype
        return
    check_exact(fn, arrays, [True] * len(arrays))


_NONFINITE = np.array([np.inf, -np.inf, np.nan, np.inf, np.nan, -np.inf, np.inf, np.nan, 1.0])


@pytest.mark.parametrize("dtype", _FLOATS)
@pytest.mark.parametrize(
    "name", ["maximum", "minimum", "abs", "sign", "clamp", "clamp_min", "clamp_tensor", "relu"]
)
def test_nonfinite_grad_on_the_masked_side_is_torchs(name, dtype):
    """An inf or nan upstream gradient where an op routes nothing (the losing side of
    maximum/minimum, outside clamp's bounds, relu below 0) gives PyTorch's 0, not 0 * inf =
    nan; abs at 0 gives PyTorch's grad * sgn(x) (nan); ties halve it (inf / 2)."""
    fn, arrays = _CONVERTED[name]
    arrays = [a[:9].astype(dtype) for a in arrays]
    check_exact(fn, arrays, [True] * len(arrays), _NONFINITE.astype(dtype))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float16])
def test_maximum_of_a_float_and_an_integer_tensor_compares_in_the_result_dtype(dtype):
    """maximum(float32 y, int x): PyTorch compares x cast to float32 (2^24 + 1 ties 2^24),
    at both speeds; numpy would compare in float64."""
    y = np.array([16777216.0, 2.0, -3.0], dtype=np.float32)
    x = (
        np.array([16777217, 2, -5]).astype(dtype)
        if dtype is not np.float16
        else _Y[:3].astype(dtype)
    )
    for op in ("maximum", "minimum"):
        check_exact(lambda T, y, x, op=op: getattr(T, op)(y, x), [y, x], [True, False])


def _bce_none(T, x, y):
    return _functional(T).binary_cross_entropy(x, y, reduction="none")


def _bce_logits_w(T, x, y, p=None):
    return _functional(T).binary_cross_entropy_with_logits(x, y, reduction="none", pos_weight=p)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_bce_rules_give_torchs_gradients_at_both_speeds(dtype):
    """BinaryCrossEntropy(WithLogits) at array speed and recorded, pos_weight broadcast too:
    PyTorch's gradients (the in-place sigmoid(x) - y path at array speed included)."""
    x = np.array([[0.0, 1e-8, 0.25], [0.5, 0.999999, 1.0]], dtype=dtype)
    y = np.array([[0.0, 1.0, 0.5], [1.0, 0.0, 0.25]], dtype=dtype)
    logits = np.array([[-40.0, -2.5, 0.0], [0.0, 3.0, 40.0]], dtype=dtype)
    p = np.array([0.5, 2.0, 3.0], dtype=dtype)
    rtol = 1e-5 if dtype is np.float32 else 1e-12
    check(_bce_none, [x.clip(1e-6, 1 - 1e-6), y], [True, True], rtol=rtol)
    check(_bce_logits_w, [logits, y], [True, True], rtol=rtol)
    check(_bce_logits_w, [logits, y, p], [True, True, False], rtol=rtol)
    check(lambda T, x, y: _bce_logits_w(T, x, y).sum(1) * 3, [logits, y], [True, True], rtol=rtol)


@pytest.mark.parametrize(
    "x, y",
    [
        (np.array(1e-10), np.array([0.0, 2.0, -1.0, 0.5], np.float16)),
        (np.array([0.0, 1e-5, 3.0, -np.inf], np.float16), np.array(0.0, np.float32)),
        (np.array([0.0, 1e-5, 3.0, -np.inf], np.float32), np.array(0.5, np.float64)),
        (np.array(7e4, np.float32), np.array([0.0, -1.0, 1e-5], np.float16)),
    ],
)
def test_pow_gradient_with_mixed_dtypes_at_both_speeds(x, y):
    """The array-speed walk hands pow's 0-d operand over in the output's dtype; its rule
    takes them as given (a float64 1e-10 base is no 0 beside a float16 exponent)."""
    check(lambda lib, x, y: lib.pow(x, y), [x, y], [True, True])
