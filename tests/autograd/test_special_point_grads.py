"""Values and gradients at special points (nan, +-inf, +-0, ties, huge values, n <= correction)
against PyTorch 2.13: the classes the thorough differential fuzzer found (issue 12). Each test
runs one op over several dtypes and layouts through the fuzzer's `check_case` (values, dtypes,
errors and the gradients of a random-weighted sum, three weightings each)."""

import math

import numpy as np
import pytest
import torch
from fuzz_strategies import FLOATS, LAYOUTS, Case, Input, check_case

import autograd as T

nan, inf = math.nan, math.inf
# Finite values near the top of each float type.
BIG = {"float16": 6.0e4, "float32": 3.0e38, "float64": 1.0e308}


def _check(code, *arrays, layout="contiguous", grad=True, seeds=3):
    inputs = [
        Input("abcdefgh"[i], np.asarray(v), layout, grad and np.asarray(v).dtype.kind == "f")
        for i, v in enumerate(arrays)
    ]
    for seed in range(seeds):
        check_case(Case("regression", inputs, code), seed=seed)


def _special(dtype, shape=(2, 5)):
    """nan, +-inf, +-0, ties and the dtype's huge values, shaped."""
    big = BIG[dtype]
    values = [nan, inf, -inf, 0.0, -0.0, 1.0, 1.0, -2.0, big, -big]
    return np.resize(np.array(values, dtype), shape)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("code", ["a.sign()", "a.abs()", "abs(a)", "(a * 2).sign() * a"])
def test_sign_of_nan_is_zero_and_abs_grad_is_zero_there(code, dtype, layout):
    """sign(nan) was nan (numpy's), torch 0; abs's gradient at nan was nan, torch 0."""
    _check(code, _special(dtype), layout=layout)
    _check(code, np.array(nan, dtype))
    _check(code, np.zeros((0, 3), dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("correction", [0, 1, 2, 3])
@pytest.mark.parametrize(
    "values, dims",
    [
        ([1.0, 2.0], ["", "0, "]),  # n == correction: inf (dim given: +-inf by the sign)
        ([1.0, 1.0], ["", "0, "]),  # ties: zero spread
        ([3.0], ["", "0, ", "-1, keepdim=True, "]),  # n = 1
        ([[1.0, 2.0], [3.0, 3.0]], ["", "0, ", "(0, 1), ", "1, keepdim=True, "]),
        ([[0.5], [0.5]], ["", "0, ", "1, "]),
        ([inf, 1.0, 2.0], ["", "0, "]),
        ([nan, 2.0], ["", "0, "]),
        ([[]], ["", "1, ", "0, "]),
        (2.0, ["", "0, "]),  # 0-d: the rule for all dims, even with dim=0
    ],
)
def test_var_std_grads_at_ties_and_n_le_correction(values, dims, correction, op, dtype):
    """var/std gradients at n <= correction were nan everywhere; PyTorch's var_backward
    keeps 2 / (n - c) over given dims (finite below n = c) and gives nan/inf over all."""
    x = np.array(values, dtype)
    for dim in dims:
        _check(f"a.{op}({dim}correction={correction})", x)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "exponent",
    ["False", "True", "0", "0.0", "-0.0", "2", "-1", "0.5", "-0.5", "-1.5", "math.inf", "math.nan"],
)
def test_pow_scalar_exponent_at_special_points(exponent, dtype):
    """a ** False has PyTorch's slope 0 * a^-1 (nan at 0: its bool Scalar is no 0), float16
    a ** 0.5 is pow there (not sqrt), and a float16 a ** nan does not raise."""
    _check(f"a ** {exponent}", _special(dtype))
    _check(f"out = a.clone()\nout.pow_({exponent})", _special(dtype, (10,)))
    _check(f"{exponent if exponent not in ('True', 'False') else 2.5} ** a", _special(dtype))


@pytest.mark.parametrize(
    "dtypes",
    [("float16", "float64"), ("float64", "float16"), ("float32", "float16"), FLOATS[2:] * 2],
)
def test_pow_exponent_grad_takes_log_in_the_result_dtype(dtypes):
    """d(a**b)/db with a float16 a and a float64 b took ln a in float16 (-0.34668, torch
    -0.346574); zero bases and all special values too."""
    values = np.array([0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, 0.7071, 3.0, inf, -inf, nan])
    a, b = (g.ravel() for g in np.meshgrid(values, values))
    _check("a ** b", a.astype(dtypes[0]), b.astype(dtypes[1]))
    _check("a ** b", np.array(0.7071, dtypes[0]), np.array([[0.5], [-1.5]], dtypes[1]))


@pytest.mark.parametrize("dtype", ["int8", "uint8", "int32", "int64", "bool"])
@pytest.mark.parametrize("code", ["a ** b", "b ** a", "a ** -1", "out = a.clone()\nout.pow_(b)"])
def test_integer_pow_negative_exponents(code, dtype):
    """Integer powers: a negative Python exponent raises, negative tensor exponents give 0
    (1 and -1 bases excepted), as PyTorch."""
    a = np.array([-2, -1, 0, 1, 2, 3]).astype(dtype)
    b = np.array([[-2], [-1], [0], [3]]).astype("int64")
    _check(code, a, b)
    _check(code, np.array(2).astype(dtype), np.array([-1]))


@pytest.mark.parametrize("op", ["add", "sub"])
@pytest.mark.parametrize(
    "alpha", ["2", "-3", "0.5", "math.inf", "-math.inf", "math.nan", "True", "False", "0", "1.0"]
)
@pytest.mark.parametrize(
    "dtypes",
    [
        ("float16", "int8"),
        ("float64", "float16"),
        ("float32", "float64"),
        ("int64", "int32"),
        ("int16", "uint8"),
        ("float32", "float32"),
        ("bool", "bool"),
    ],
)
def test_add_alpha_checks_alpha_and_scales_in_the_result_dtype(dtypes, alpha, op):
    """a.add(b, alpha): a float alpha with integer tensors raises (it returned), b * alpha
    was rounded in b's dtype (float16 beside float64) or wrapped in int32 beside int64, and
    b's gradient with alpha = inf summed before scaling (torch: grad * alpha, then summed)."""
    a = np.array([[-1.0, 0.0, 3.0], [2.0, 1.0, 0.0]]).astype(dtypes[0])
    b = np.array([0.0, 1.0, -2.0]).astype(dtypes[1])
    if dtypes[0] == "int64":
        a[0, 0] = np.iinfo("int64").max
        b[2] = np.iinfo("int32").max
    for code in [
        f"a.{op}(b, alpha={alpha})",
        f"T.{op}(a, b, alpha={alpha})",
        f"a.{op}(b[:1], alpha={alpha})",  # b broadcast up: grad * alpha, then summed
        f"out = a.clone()\nout.{op}_(b, alpha={alpha})",
        f"a.{op}(0.5, alpha={alpha})",
        f"a.{op}(2, alpha={alpha})",
    ]:
        _check(code, a, b)
    _check(f"a.{op}(b, alpha={alpha})", a[:0], b)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize(
    "dtypes", [FLOATS[2:] * 3, FLOATS[1:2] * 3, FLOATS, ("int16", "float16", "float32")]
)
def test_clamp_tensor_bounds_take_torch_subgradients(dtypes, layout):
    """clamp with tensor bounds: a nan input gives its gradient to no one (we passed it to
    x), at lo = hi > x no one takes it (we gave it to lo), lo > hi gives it to hi, and the
    result dtype is promoted over all three (float16 beside a 0-d float32 hi is float32)."""
    values = np.array([nan, -inf, -1.0, 0.0, -0.0, 1.0, inf], "float64")
    x, lo, hi = (g.ravel() for g in np.meshgrid(values, values, values, indexing="ij"))
    x, lo, hi = x.astype(dtypes[0], copy=False), lo.astype(dtypes[1]), hi.astype(dtypes[2])
    if dtypes[0].startswith("int"):
        x = np.nan_to_num(x, posinf=5, neginf=-5).astype(dtypes[0])
    shaped = [v.reshape(7, 7, 7) for v in (x, lo, hi)]
    for code in ["a.clamp(b, c)", "a.clamp(b)", "a.clamp(None, c)", "a.clamp(min=b, max=c)"]:
        _check(code, *shaped, layout=layout)
    _check("a.clamp(b, c)", shaped[0], lo[:1].reshape(()), hi[:1].reshape(()), layout=layout)
    _check("out = a.clone()\nout.clamp_(b, c)", *shaped, layout=layout)


@pytest.mark.parametrize(
    "code", ["a.clamp(b, 1.0)", "a.clamp(0, b)", "a.clamp(math.nan, 2)", "a.clamp(2, -1)"]
)
def test_clamp_mixed_bounds_and_special_scalars(code):
    """A tensor bound beside a number: TypeError as torch; a nan bound on float16 does not
    raise; min > max gives max."""
    for dtype in FLOATS:
        _check(code, _special(dtype), np.array([0.5], dtype))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "code",
    [
        "a.max()",
        "a.min()",
        "a.amax()",
        "a.amin((0, 1))",
        "a.max(1)",
        "a.min(0, keepdim=True)",
        "a.amax(1, keepdim=True)",
        "T.maximum(a, b)",
        "T.minimum(a, b)",
        "a.max(b)",
    ],
)
def test_extrema_grads_with_nan(code, dtype, layout):
    """max()/min() over all elements spread the gradient over the nan elements (we gave
    nan everywhere); maximum/minimum give a nan's gradient to both sides (we gave 0)."""
    a = np.array([[nan, 2.0, 2.0], [2.0, 2.0, nan], [1.0, -inf, inf]], dtype)
    b = np.array([[inf, 2.0, nan], [nan, -1.0, 1.0], [1.0, nan, -inf]], dtype)
    _check(code, a, b, layout=layout)
    _check(code, a[2:], b[2:], layout=layout)  # no nan: ties and infinities


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "code", ["a.prod()", "a.prod(0)", "a.prod(1, keepdim=True)", "a.prod(-1)", "a[0, 0].prod()"]
)
def test_prod_grads_with_zeros_nan_and_overflow(code, dtype, layout):
    """prod's gradient as PyTorch's: grad * (y / x) without zeros (we multiplied grad * y
    first: overflow in float16), exclusive cumulative products with zeros (nan and inf
    propagate as there), zeros for a full product with two zeros; float16 rounds each step."""
    big = BIG[dtype]
    rows = [
        [[big, 2.0, 0.5, 0.0], [1.0, 2.0, 3.0, 4.0]],
        [[0.0, -0.0, nan, inf], [2.0, 0.0, -1.0, big]],
        [[-big, -1.0, big, -1.0], [-1.0, -0.0, 1.0, 1.0]],
        [[inf, 2.0, 0.0, 3.0], [nan, 1.0, 1.0, 0.5]],
    ]
    for x in rows:
        _check(code, np.array(x, dtype), layout=layout)
    _check(code, np.ones((2, 0), dtype)) if "[0, 0]" not in code else None


@pytest.mark.parametrize("dtype", FLOATS)
def test_prod_double_backward_with_zeros(dtype):
    """With create_graph, PyTorch takes the exclusive-products path even for two zeros."""
    for values in ([0.0, 2.0, 0.0, 3.0], [0.0, 2.0, 5.0, 3.0], [1.5, 2.0, 0.5, 3.0]):
        grads = []
        for lib in (T, torch):
            x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
            (g,) = (torch.autograd if lib is torch else T).grad(x.prod(), [x], create_graph=True)
            (gg,) = (torch.autograd if lib is torch else T).grad((g * g).sum(), [x])
            grads.append([np.asarray(t.detach().numpy(), "float64") for t in (g, gg)])
        for ours, theirs in zip(*grads, strict=True):
            np.testing.assert_allclose(ours, theirs, rtol=1e-2 if dtype == "float16" else 1e-6)


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize(
    "code", ["a.logsumexp(0)", "a.logsumexp((0, 1))", "a.logsumexp(1, keepdim=True)"]
)
def test_logsumexp_grad_is_exp_of_x_minus_out(code, dtype, layout):
    """logsumexp's gradient is e^(x - y) with the rounded y (0 beside an infinite y): the
    composition's shift by the max gave nan next to +inf."""
    big = BIG[dtype]
    for x in (
        [[big, inf, -1.0], [-0.0, big, -big]],
        [[inf, 1.0, -big], [-0.0, big, -0.0]],
        [[-inf, -inf, nan], [2.0, -inf, 0.5]],
        [[big, big, 1.0], [-inf, -inf, -inf]],
    ):
        _check(code, np.array(x, dtype), layout=layout)
    _check(code, np.zeros((0, 3), dtype))


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("op", ["a / {}", "out = a.clone()\nout.div_({})", "{} / a", "a * {}"])
def test_division_by_negative_zero_keeps_its_sign(op, dtype):
    """x / -0.0 after x / 0.0 (or the other way) reused the cached 0-d array of the other
    zero (-0.0 == 0.0 as a dict key): -4 / 0.0 gave +inf."""
    x = np.array([-4.0, 1.0, 0.0, inf], dtype)
    for zero in ["0.0", "-0.0", "0.0", "0", "-0.0"]:
        _check(op.format(zero), x)


@pytest.mark.parametrize("dtype", FLOATS)
@pytest.mark.parametrize("code", ["a.mean()", "a.mean(0)", "a.sum()", "a.mean((0, 1))"])
def test_mean_of_huge_values_beside_inf(code, dtype):
    big = BIG[dtype]
    _check(code, np.array([[-big, inf], [-big, 1.0], [big, -0.5]], dtype))


@pytest.mark.parametrize("dtypes", [("float32", "float64"), ("float16", "float32")])
@pytest.mark.parametrize("code", ["T.maximum(a, b)", "T.minimum(a, b)", "a.max(b)"])
def test_maximum_ties_are_judged_in_the_result_dtype(code, dtypes):
    """A float64 0-d b equal to a float32 a once rounded is a tie (half the gradient each),
    as PyTorch compares in the result dtype; we compared the unrounded values."""
    a = np.array([[-2.4944231510162354, nan, 1.0]], dtypes[0])
    _check(code, a, np.array(-2.494423074116923, dtypes[1]))


@pytest.mark.parametrize("dtype", FLOATS)
def test_relu_backward_selects_so_a_nonfinite_gradient_is_zero_where_x_is_not_positive(dtype):
    """relu's backward multiplied by a 0/1 mask: an inf or nan incoming gradient where x <= 0
    gave nan; PyTorch's threshold_backward selects, giving 0 (and passes it where x is nan)."""
    x = _special(dtype)
    upstream = np.resize(np.array([nan, inf, -inf, 1.0, 2.0], dtype), x.shape)
    for create_graph in (False, True):
        ours = T.tensor(x, requires_grad=True)
        ours.relu().backward(T.tensor(upstream), create_graph=create_graph)
        theirs = torch.tensor(x, requires_grad=True)
        theirs.relu().backward(torch.tensor(upstream))
        np.testing.assert_array_equal(ours.grad.detach().numpy(), theirs.grad.numpy())


# ------------------------------------------------- found by the thorough fuzzer (2026-12-06)
def _both(run):
    """run(lib) for dagrad and torch: the results, as numpy, or the error's type."""
    out = []
    for lib in (T, torch):
        try:
            out.append([None if r is None else r.detach().numpy() for r in run(lib)])
        except Exception as e:  # the same exception type from both, or a failure
            out.append(type(e))
    return out


def test_inplace_mul_by_an_int_operand_computes_the_gradient_in_the_float_dtype():
    """a.grad of `a *= b`, b int32 -2^31, a float16: PyTorch's rule multiplies in float16
    (b is -inf there, 0 * -inf is nan); numpy widened to float64 (-0.0)."""

    def run(L):
        a = L.zeros((2, 2), dtype=L.float16, requires_grad=True)
        b = L.full((2, 2), -(2**31), dtype=L.int32)
        out = a.clone()
        out *= b
        g = L.tensor([[1.5, 0.625], [0.0, -1.0]], dtype=L.float16)
        L.autograd.backward([out], [g]) if L is torch else L.backward([out], [g])
        return [a.grad]

    ours, theirs = _both(run)
    np.testing.assert_array_equal(ours[0], theirs[0])


def test_inplace_op_into_a_narrower_tensor_takes_its_gradient_in_that_dtype():
    """float16 a.mul_(0-d float32 b): the op's result dtype is float32, but the gradient that
    arrives is a's (float16), and PyTorch's rule computes b's gradient in it."""

    def run(L):
        a = L.tensor(2.640625, dtype=L.float16)
        b = L.tensor(0.0, dtype=L.float32, requires_grad=True)
        a.mul_(b)
        g = L.tensor(1.625, dtype=L.float16)
        L.autograd.backward([a], [g]) if L is torch else L.backward([a], [g])
        return [b.grad]

    ours, theirs = _both(run)
    assert ours[0].dtype == theirs[0].dtype
    np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("source", ["int16", "int64", "float32", "float64"])
def test_mean_with_dtype_float16_accumulates_from_the_input_values(source):
    """int16 [-32768, 32767].mean(dtype=float16): PyTorch reads the values into its float32
    accumulator (-0.5); casting to float16 first made 32767 into 32768 (0)."""
    a = np.array([-32768, 32767, 5, 2049], dtype=source)
    ours = T.tensor(a).mean(dtype=T.float16)
    theirs = torch.tensor(a).mean(dtype=torch.float16)
    assert ours.dtype == T.float16
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


@pytest.mark.parametrize("value", [math.inf, -1.5, 300, -1, 7])
@pytest.mark.parametrize("shape,index", [((), 0), ((3,), 5), ((3,), 1)])
def test_setitem_converts_the_value_before_checking_the_index(value, shape, index):
    """uint8 x[i] = inf: PyTorch's RuntimeError (the value can't be converted) comes before
    any IndexError; we raised IndexError first."""

    def run(L):
        x = L.zeros(shape, dtype=L.uint8)
        x[index] = value
        return [x]

    ours, theirs = _both(run)
    if isinstance(theirs, type):
        assert ours is theirs
    else:
        np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize(
    "x,y,dtype",
    [(0.0, 8.342290300128209e-218, "float64"), (1.0, 1e-4, "float16"), (0.0, 1e-4, "float16")],
)
def test_div_grad_of_a_tensor_numerator_is_minus_g_x_over_y_over_y(x, y, dtype, inplace):
    """d(x/y)/dy for a tensor x is PyTorch's -g ((x / y) / y): 0 / tiny y gives -0 (the
    -g x / y^2 kept for a Python-number x gave nan there)."""

    def run(L):
        a = L.tensor([x], dtype=getattr(L, dtype))
        b = L.tensor([y], dtype=getattr(L, dtype), requires_grad=True)
        out = a.clone().div_(b) if inplace else a / b
        out.backward(L.tensor([1.5], dtype=getattr(L, dtype)))
        return [b.grad]

    ours, theirs = _both(run)
    np.testing.assert_array_equal(ours[0], theirs[0])


def test_inplace_copy_into_a_bool_view_records_nothing():
    def run(L):
        a = L.zeros((2, 3), dtype=L.bool)[:, ::2]
        b = L.ones((2, 2), dtype=L.float16, requires_grad=True)
        a.copy_(b)
        return [a]

    ours, theirs = _both(run)
    np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("dtype", FLOATS)
def test_rsqrt_grad_is_minus_half_y_cubed_as_torch(dtype):
    """rsqrt's gradient is PyTorch's -g y^3 / 2: at a tiny x, y^3 overflows, so a 0 gradient
    gives nan there (1 / sqrt(x) differentiated as a composite gave -0)."""
    tiny = {"float16": 6e-8, "float32": 1e-44, "float64": 2.19e-245}[dtype]
    x = np.array([tiny, 0.0, 0.3, 4.0, tiny], dtype=dtype)
    g = np.array([0.0, 1.0, -1.0, 2.0, 1.5], dtype=dtype)
    results = []
    for lib in (T, torch):
        a = lib.tensor(x, requires_grad=True)
        out = a.rsqrt()
        out.backward(lib.tensor(g))
        results.append((out.detach().numpy(), a.grad.numpy(), type(out.grad_fn).__name__))
    (yo, go, no), (yt, gt, nt) = results
    np.testing.assert_array_equal(yo, yt)
    np.testing.assert_allclose(go, gt, rtol=1e-3 if dtype == "float16" else 1e-6)
    assert np.array_equal(np.isnan(go), np.isnan(gt)) and no == nt


@pytest.mark.parametrize("shape", [(), (4,)])
def test_inplace_div_of_float16_by_float32_takes_torchs_dtype_for_the_gradient(shape):
    """a (float16) /= b (float32): the gradient arrives in float16, and b's is computed as
    PyTorch's rule promotes it (float32, dimensioned or 0-d alike)."""

    def run(L):
        a = L.full(shape, 1.0, dtype=L.float16)
        b = L.full(shape, 3.0, dtype=L.float32, requires_grad=True)
        a /= b
        L.autograd.backward([a], [L.full(shape, 1.5, dtype=L.float16)]) if L is torch else (
            L.backward([a], [L.full(shape, 1.5, dtype=L.float16)])
        )
        return [b.grad]

    ours, theirs = _both(run)
    assert ours[0].dtype == theirs[0].dtype
    np.testing.assert_array_equal(ours[0], theirs[0])


@pytest.mark.parametrize(
    "shape,index", [((), [0]), ((1, 2, 3), ([1], 0)), ((3,), [1]), ((3,), [7]), ((0,), [0])]
)
def test_setitem_checks_the_index_form_then_dtypes_then_bounds(shape, index):
    def run(L):
        x = L.zeros(shape, dtype=L.float16)
        x[index] = L.tensor(False)
        return [x]

    ours, theirs = _both(run)
    assert ours is theirs if isinstance(theirs, type) else ours == theirs


# Values that other float dtypes round to 0 or inf (1e-10, 7e4), beside +-0, +-inf, nan.
_POW_VALUES = [0.0, -0.0, 1e-10, 1e-5, -2.0, 0.5, 3.0, 7.0e4, inf, -inf, nan]
_POW_EXPONENTS = [0.0, -0.0, 1e-10, -1.0, 0.5, -0.5, 2.0, 1e-5, -20.0, inf, nan]


@pytest.mark.parametrize("exponent_dtype", FLOATS)
@pytest.mark.parametrize("base_dtype", FLOATS)
def test_pow_gradient_with_mixed_dtypes_compares_operands_as_given(base_dtype, exponent_dtype):
    """pow's gradients between float dtypes, a 0-d side beside a dimensioned one: a float64
    0-d base 1e-10 with a float16 exponent is no 0 (x^y ln x takes ln of its float16 0: -inf;
    we masked it to 0), y = 0 masks every x^(y-1) that is inf or nan (a float16 x = 1e-5: 0,
    not 0 * inf), a number base's ln is taken in double, and a 0-d exponent of 0.5 is pow's
    ((-inf)^0.5 = inf; numpy takes sqrt for an exponent it broadcasts)."""
    xs = np.array(_POW_VALUES, base_dtype)
    ys = np.array(_POW_EXPONENTS, exponent_dtype)
    for code in ("a ** b", "T.pow(a, b)"):
        for x in _POW_VALUES:
            _check(code, np.array(x, base_dtype), ys, seeds=1)
        for y in _POW_EXPONENTS:
            _check(code, xs, np.array(y, exponent_dtype), seeds=1)
        _check(code, xs[:, None], ys, seeds=1)
    for x in ("1e-10", "7e4", "1e-300", "0.0", "-2.0", "(-math.inf)", "math.nan"):
        _check(f"{x} ** b", ys, seeds=1)
        _check(f"{x} ** b", np.array(0.5, exponent_dtype), seeds=1)


def _lanes_case(dtype, n, at):
    """n ones with the dtype's huge value at `at[0]`, `at[1]` and a 0 at `at[2]`."""
    x = np.ones(n, dtype)
    x[at[0]] = x[at[1]] = BIG[dtype]
    x[at[2]] = 0.0
    return x


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", FLOATS)
def test_prod_multiplies_in_torchs_vector_lanes(dtype, layout):
    """A float product of 4V or more contiguous elements is PyTorch's 4 vectors of V lanes:
    6e4 * 6e4 * 0 in float16 is 0 where the 0 has a lane of its own (we multiplied in order:
    inf * 0 = nan), and nan where the 6e4s sit in different lanes from the 0."""
    lanes = 32 // np.dtype(dtype).itemsize
    for n, at in [
        (8 * lanes, (0, 1, 4 * lanes)),  # overflow in lanes 0, 1; the 0 meets 1s first
        (4 * lanes, (0, lanes, 1)),  # overflow in lane 0 (two vectors), the 0 in lane 1
        (4 * lanes + 3, (0, 4 * lanes + 1, 4 * lanes + 2)),  # the tail, one by one
        (4 * lanes - 1, (0, 1, 2)),  # too short for vectors: in order
    ]:
        x = _lanes_case(dtype, n, at)
        _check("a.prod()", x, layout=layout, seeds=1)
        rows = np.stack([x, np.roll(x, 1), np.roll(x, lanes)])
        for code in ("a.prod(1)", "a.prod(0)", "a.prod(-1, keepdim=True)", "a.prod()"):
            _check(code, rows, layout=layout, seeds=1)
    # rounding order alone: near-1 factors show the lanes bit for bit
    x = (1 + np.linspace(-0.3, 0.3, 9 * lanes + 5)).astype(dtype)
    _check("a.prod()", x, layout=layout, seeds=1)
    _check("a.prod(0)", x.reshape(-1, 1), layout=layout, seeds=1)


@pytest.mark.parametrize("dtype", FLOATS)
def test_cumprod_grad_past_a_zero_is_zero_and_cumsum_adds_wide(dtype):
    """cumprod's gradient, not recorded, is PyTorch's: 0 after a slice's first zero (we gave
    0 * inf = nan: float16 [0, 1, inf]), the gradient itself along a dim of size 1 (not
    g * inf / inf); cumsum adds float16 in float32 and float32 in float64, as cumprod
    multiplies ([6e4, 6e4, -6e4] is [6e4, inf, 6e4])."""
    big = BIG[dtype]
    for x in (
        [0.0, 1.0, inf, 0.5],
        [2.0, 0.0, big, big, 0.0, inf],
        [big, big, 0.0, 1.0],
        [[nan, inf, 0.0], [0.0, -big, -big]],
        [[inf], [nan], [0.0]],
    ):
        for dim in (0, -1):
            _check(f"a.cumprod({dim})", np.array(x, dtype))
    _check("a.cumprod(0)", np.array(inf, dtype))
    _check("a.cumsum(0)", np.array([big, big, -big, -big, 1.0], dtype))
    _check("a.cumsum(1)", np.array([[big, big, -big], [inf, -big, big]], dtype))


@pytest.mark.parametrize(
    "dtypes", [("float16", "float16"), ("float32", "float64"), ("int64", "float32")]
)
@pytest.mark.parametrize(
    "shape, index, vshape",
    [
        ((2,), "[2]", (0,)),  # an index array past the end and a value that can't broadcast
        ((2,), "[5, 0]", (3,)),
        ((2,), "T.tensor([-3])", (2, 2)),
        ((2, 3), "[0], [5]", (4,)),
        ((2, 3), "[[1]], :", (2, 4)),
        ((2, 3), "T.tensor([True, False]), [7]", (2,)),
        ((2, 3), ":, [3]", (3,)),
        ((2, 3), "[1], 5", (4,)),  # an int past its dim: PyTorch selects with it first
        ((2, 3), "[1], [5]", (1,)),  # the value fits: dtypes, then bounds
        ((2, 3), "[1], [5]", ()),
        ((2,), "[2]", (1, 1, 1)),  # leading ones fit
        ((0,), "[0]", (3,)),  # no index fits a dim of size 0
        ((2,), "[]", (3,)),
    ],
)
def test_setitem_checks_the_value_shape_before_an_index_arrays_bounds(shape, index, vshape, dtypes):
    """x[[2]] = zeros(0) on a tensor of 2: PyTorch's index_put_ raises RuntimeError (shape
    mismatch) before the IndexError of the index's bound (we raised IndexError), and its
    dtype check comes between; x is unchanged either way."""

    def run(L):
        x = L.zeros(shape, dtype=getattr(L, dtypes[0]))
        before = x.clone()
        try:
            exec(f"x[{index}] = L.ones({vshape!r}, dtype=L.{dtypes[1]})", {"x": x, "L": L, "T": L})
        finally:
            assert bool((x == before).all()) and x._version == 0
        return [x]

    ours, theirs = _both(run)
    assert ours is theirs if isinstance(theirs, type) else np.array_equal(ours[0], theirs[0])


@pytest.mark.parametrize("dtype", ["int16", "uint8", "int64"])
@pytest.mark.parametrize(
    "code",
    [
        "a.fmod(0)",
        "T.remainder(a, 0)",
        "a % b",
        "T.fmod(a, b)",
        "T.div(a, b, rounding_mode='floor')",
        "a // b",
        "a.fmod(b[:1])",
    ],
)
@pytest.mark.parametrize("shape", [(0, 2), (2, 0), (2,)])
def test_integer_division_by_zero_raises_only_where_an_element_divides(code, shape, dtype):
    """An integer fmod / remainder / div by 0 raises in PyTorch's kernel, for an element it
    divides: an empty result returns (we raised ZeroDivisionError for zeros((0, 2)).fmod(0))."""
    b = np.zeros(shape[-1:], dtype)
    _check(code, np.ones(shape, dtype), b)


@pytest.mark.parametrize(
    "a, b",
    [
        (np.array(-6.0e4, "float16"), np.array([True, True])),  # broadcasts a up: raises
        (np.array(3, "uint8"), np.array(2.5, "float32")),  # a float into uint8: raises
        (np.array([3.0, -4.0, 5.5]), np.array([2.5, 3.0, -2.0])),
        (np.array([[3.0, -4.0]], "float32"), np.array(2, "int32")),
    ],
)
def test_inplace_mod_is_remainder_in_place(a, b):
    """x %= y was x = x % y (no __imod__): it neither wrote x nor raised where PyTorch's
    remainder_ does (a result dtype x can't hold, a shape x can't take)."""
    _check("out = a.clone()\nout %= b\nout = [out, a]", a, b)
    _check("out = a\nout %= b", a, b, grad=False)


@pytest.mark.parametrize(
    "code", ["2 % a", "0 % a", "T.remainder(2, a)", "T.remainder(2.5, a)", "2 // a", "True % a"]
)
@pytest.mark.parametrize("shape", [(), (3,), (0, 2)])
def test_number_remainder_of_a_bool_tensor_is_an_integer(code, shape):
    """2 % a for a bool tensor a is int64 in PyTorch (the number makes it no bool op); we
    raised "remainder_cpu" not implemented for 'Bool' (still right for True % a)."""
    _check(code, np.resize(np.array([True, False, True]), shape) | (len(shape) == 0))


@pytest.mark.parametrize(
    "code",
    [
        "T.fmod(a, b)",
        "T.remainder(a, b)",
        "T.atan2(a, b)",
        "T.remainder(b, a)",
        "a.fmod(-1e-9)",
        "a % 1e-9",
        "T.remainder(1e5, a)",
        "out = a.clone()\nout.fmod_(b)",
    ],
)
@pytest.mark.parametrize("scalar", [-1.2e-9, 7.0e4, 0.1])
def test_fmod_remainder_atan2_cast_a_scalar_to_float16_first(code, scalar):
    """float16 a beside a 0-d float64 b (or a number): PyTorch's fmod/remainder/atan2 cast
    b to float16 first (1.2e-9 is 0 there: fmod gives nan), not its float32 opmath of mul and
    div (we gave 0)."""
    a = np.array([2.75, -0.87, 0.0, 6.0e4, -inf], "float16")
    # atan2's gradient beside a 0-d float64 is not PyTorch's yet (nan where it has 0)
    _check(code, a, np.array(scalar, "float64"), grad="atan2" not in code)


@pytest.mark.parametrize("code", ["a % b", "T.fmod(a, b)", "a // b", "a % 65536", "a.fmod(256)"])
@pytest.mark.parametrize("dtype", ["int16", "uint8"])
def test_integer_division_by_a_divisor_that_wraps_to_zero_raises(code, dtype):
    """int16 a % int32 0-d -2^31: the divisor is cast to int16 (0), so PyTorch raises
    ZeroDivisionError; we checked the uncast value and returned."""
    _check(code, np.array([3, 0, 7], dtype), np.array(-(2**31), "int32"))
    _check(code, np.array([3, 0, 7], dtype), np.array(2**16, "int32"))


@pytest.mark.parametrize("op", ["imul", "mul_", "iadd", "div_"])
@pytest.mark.parametrize("view", ["[1:, :]", "[:, ::2]", "[...]"])
def test_inplace_into_a_float16_view_takes_its_gradient_in_float16(op, view):
    """a[1:] *= float32 b, a float16: b's gradient is computed in float16 as PyTorch's (the
    products overflow to -inf there); in place into a view it was computed in float32."""
    base = np.array([[1.0, 2.0, 3.0], [6e4, 6e4, 6e4]], dtype=np.float16)
    g = np.array([[1.0, 1.0, 1.0], [-1.875, -1.875, -1.875]], dtype=np.float16)
    code = {"imul": "v *= b", "mul_": "v.mul_(b)", "iadd": "v += b * 1", "div_": "v.div_(b)"}[op]
    grads = []
    for lib in (T, torch):
        a = lib.tensor(base.copy()) * 1  # a non-leaf, so its view may be written
        b = lib.tensor(np.array([[0.5]], dtype=np.float32), requires_grad=True)
        v = eval(f"a{view}")
        exec(code, {"v": v, "b": b})
        a.backward(lib.tensor(g))
        grads.append(b.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize(
    "code",
    [
        "a = L.zeros(0, dtype=L.bool); a[L.tensor([0])] = L.zeros(0, dtype=L.bool)",
        "a = L.zeros(0); a[L.tensor([0])] = L.zeros(5)",
        "a = L.zeros(0, 3); a[L.tensor([[0]])] = L.zeros(7)",
        "a = L.zeros(0); a[L.tensor([0])]",
        "a = L.zeros(0, 3); a[L.tensor([0, 1])]",
    ],
)
def test_an_index_array_into_a_dim_of_size_0_is_refused_first(code):
    """x[idx] (and x[idx] = v) on a dim of size 0 raises PyTorch's IndexError before the
    value's shape is looked at (the one-array fast path reported the shape mismatch)."""
    raised = []
    for lib in (T, torch):
        with pytest.raises(Exception) as info:
            exec(code, {"L": lib})
        raised.append((type(info.value), str(info.value)))
    assert raised[0] == raised[1]
