"""Dtype rules against PyTorch: each test is a class of discrepancy the differential fuzzer
(test_fuzz_torch.py) found, named after the bug and checked with its `check_case` (values,
dtypes, exception types, gradients) on several dtypes, size-0/size-1 dims and layouts."""

import numpy as np
import pytest
from fuzz_strategies import INTS, LAYOUTS, Case, Input, check_case

ALL = ("bool", *INTS, "float16", "float32", "float64")


def _case(code, *arrays, layout="contiguous", grad=True):
    inputs = [
        Input("abcdefgh"[i], np.asarray(v), layout, grad and np.asarray(v).dtype.kind == "f")
        for i, v in enumerate(arrays)
    ]
    return Case("regression", inputs, code)


def _values(shape, dtype):
    return (np.arange(int(np.prod(shape))).reshape(shape) % 3).astype(dtype)


# ---------------------------------------------------------------- numbers into a tensor
FILLS = [
    "a.masked_fill(b, {v})",
    "out = a.clone()\nout.fill_({v})",
    "out = a.clone()\nout[...] = {v}",
    "out = a.clone()\nout[b] = {v}",
    "out = a.clone()\nout[T.tensor([0, 0], dtype=T.int64)[: a.shape[0]]] = {v}",
    "T.full_like(a, {v})",
    "F.pad(a, (1, 0), value={v})",
    "F.pad(a, (0, 0), value={v})",
    "T.where(b, a, {v})",
]


@pytest.mark.parametrize("shape", [(0,), (1,), (3,)])
@pytest.mark.parametrize("dtype", ["bool", "uint8", "int8", "int32", "float16", "float32"])
@pytest.mark.parametrize(
    "value", ["-1", "-129", "-1.5", "0.5", "256", "math.nan", "-math.inf", "70000.0", "1e300"]
)
def test_number_out_of_range_of_the_tensor_dtype_raises_as_torch(value, dtype, shape):
    """masked_fill(m, -1.5) / a[:] = nan / F.pad(value=-1) on uint8 or int tensors returned
    or raised numpy's OverflowError; torch raises RuntimeError (value cannot be converted
    ... without overflow) by c10's rule, and lets uint8 take a negative int as it wraps."""
    a, m = _values(shape, dtype), np.ones(shape, bool)
    for code in FILLS:
        check_case(_case(code.format(v=value), a, m, grad=False))


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("dtype", ["uint8", "int8", "int16"])
@pytest.mark.parametrize("code", ["a <= -3", "a == -1", "-3 > a", "a != -253", "a >= -1.5"])
def test_comparison_with_a_negative_number_wraps_as_torch(code, dtype, layout):
    x = np.array([[3, 0, 253], [255, 1, 2]]).astype(dtype)
    check_case(_case(code, x, layout=layout))


# ---------------------------------------------------------------- reductions' dtype=
@pytest.mark.parametrize("source", ["bool", "uint8", "int32", "float16", "float64"])
@pytest.mark.parametrize("dtype", ALL)
@pytest.mark.parametrize("shape", [(0,), (1,), (2, 3)])
def test_sum_and_prod_dtype_argument_cast_first_as_torch(shape, dtype, source):
    """sum(dtype=uint8) was int64 (small ints widened after the cast); torch sums in the
    dtype asked for (wrapping), prod too; an integer dtype under autograd raises."""
    # values whose products are exact in every dtype, but wrap in uint8/int8: 3^5 = 243
    x = (np.arange(int(np.prod(shape))).reshape(shape) % 3 + 2).astype(source)
    for code in ("a.sum(dtype=T.{d})", "a.sum(0, dtype=T.{d})", "a.prod(dtype=T.{d})"):
        check_case(_case(code.format(d=dtype), x, grad=True))
        check_case(_case(code.format(d=dtype), x, grad=False))
    check_case(_case(f"a.mean(dtype=T.{dtype})", x))
    # forward only: a float64 gradient through a float16 softmax differs in rounding
    check_case(_case(f"a.softmax(-1, dtype=T.{dtype})", x, grad=False))
    check_case(_case(f"a.log_softmax(0, dtype=T.{dtype})", x, grad=False))


@pytest.mark.parametrize("dtype", ["bool", *INTS])
@pytest.mark.parametrize("shape", [(0,), (0, 3), (1,), (2, 3)])
@pytest.mark.parametrize(
    "code",
    [
        "a.softmax(0)",
        "a.log_softmax(-1)",
        "F.softmax(a, -1)",
        "a.mean()",
        "a.mean(0)",
        "a.mean(-3)",  # the dtype is checked before the dim
        "a.std()",
        "a.var(0, correction=0)",
        "a.logsumexp(0)",
    ],
)
def test_float_only_ops_on_integer_input_as_torch(code, shape, dtype):
    """softmax of an int tensor returned floats; torch raises NotImplementedError (mean, std
    and var RuntimeError), except softmax of an empty one: an empty tensor of its dtype."""
    check_case(_case(code, _values(shape, dtype)))


# ---------------------------------------------------------------- bool in arithmetic
@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("shape", [(0,), (1,), (2, 3)])
@pytest.mark.parametrize(
    "code",
    [
        *(
            f"a.{name}()"
            for name in "neg abs sign exp log sqrt sigmoid relu square rsqrt reciprocal".split()
        ),
        "-a",
        "abs(a)",
        "a + a",
        "a - a",
        "a * 2",
        "a / a",
        "a ** 2",
        "a.sum()",
        "a.prod(0)",
        "a.amax()",
        "a.argmax()",
        "a.clamp(a, a)",
        "a.clamp(a, None)",
        "a.clamp(True, True)",
        "a.clamp(0, 1)",
        "T.maximum(a, a)",
    ],
)
def test_bool_tensor_in_arithmetic_as_torch(code, shape, layout):
    """Bool tensors followed numpy (abs() returned, -a raised TypeError, clamp(a, a) returned);
    torch raises or promotes."""
    check_case(_case(code, _values(shape, "bool"), layout=layout))


BOOL_MATMUL_SHAPES = [
    ((0,), (0,)),
    ((3,), (3,)),
    ((2, 0), (0, 2)),
    ((0, 3), (3, 2)),
    ((2, 3), (3, 0)),
    ((2, 3), (3, 2)),
    ((2, 3), (3,)),
    ((3,), (3, 2)),
    ((2, 2, 3), (3, 2)),
    ((2, 2, 3), (2, 3, 1)),
    ((2, 2, 0), (2, 0, 1)),
    ((0,), (2, 0, 1)),
    ((0, 1, 2), (0, 2, 1)),
    ((2, 2, 0), (1, 0, 1)),  # a batch of one that requires grad folds into mm
    ((1, 2, 0), (2, 0, 1)),
    ((2, 0), (3, 2, 0, 1)),
    ((2, 2, 0), (0, 1)),
]


@pytest.mark.parametrize("dtype", ["bool", "uint8", "int64", "float32"])
@pytest.mark.parametrize("shapes", BOOL_MATMUL_SHAPES)
def test_bool_matmul_raises_unless_nothing_is_multiplied(shapes, dtype):
    """bool @ bool returned numpy's result; torch has no bool kernel (NotImplementedError)
    but fills an empty product (k = 0) or an empty result without one. Mixed dtypes raise,
    except in an empty batched product (y's dtype), which a graph may fold into mm."""
    a, b = (np.ones(s, dtype) for s in shapes)
    check_case(_case("a @ b", a, b))
    for grad in (True, False):
        check_case(_case("a @ b", a, b.astype("float64"), grad=grad))
        check_case(_case("a @ b", b.astype("float16").swapaxes(0, -1), a.T, grad=grad))


# ---------------------------------------------------------------- indexing
@pytest.mark.parametrize("value_dtype", ["int64", "float64", "bool", "float16"])
@pytest.mark.parametrize(
    "index",
    [
        "T.tensor([0])",
        "[0]",
        "[[0, 1]]",
        "T.tensor([True, False, True])",
        "T.tensor(True)",
        "..., [0]",
        "T.tensor([], dtype=T.int64)",
        "[True, False, True]",
        "T.tensor([True, False, True]), None",
        ":",
        "1",
        "False",
        "True",
    ],
)
@pytest.mark.parametrize("value_shape", [(), (1,), (2,)])
def test_setitem_value_of_another_dtype_under_an_advanced_index(index, value_shape, value_dtype):
    """a[T.tensor([0])] = an int64 tensor cast into float a; torch's index_put_ raises unless
    it is masked_fill_ in disguise (one mask, a one-element value)."""
    for dtype in ("float32", "uint8"):
        a = np.zeros((3,), dtype)
        v = (-np.ones(value_shape)).astype(value_dtype)
        check_case(_case(f"out = a.clone()\nout[{index}] = b", a, v, grad=False))


@pytest.mark.parametrize("shape", [(0,), (0, 0), (0, 2), (2, 0), (1, 0), (0, 1, 2)])
@pytest.mark.parametrize(
    "index",
    [
        "[0]",
        "[0, 0]",
        "[-1]",
        "[]",
        "T.tensor([[0]])",
        "..., [0]",
        "None, [0]",
        ":, [0]",
        "1:, [0]",
        "[0], 1:",
        "T.tensor([], dtype=T.int64), [0]",
        "T.tensor([True])",
        ":, T.tensor([], dtype=T.bool)",
    ],
)
def test_integer_index_into_an_empty_dim_raises(index, shape):
    """zeros(0, 0)[[0, 0]] returned an empty tensor (nothing is read); torch raises IndexError
    as soon as an index array of elements meets a dim of size 0."""
    a = np.zeros(shape, "float32")
    check_case(_case(f"a[{index}]", a))
    check_case(_case(f"out = a.clone()\nout[{index}] = 1.5", a))


@pytest.mark.parametrize("shape", [(3,), (2, 3), (1, 3), (2, 0)])
def test_from_numpy_refuses_negative_strides_as_torch(shape):
    """T.from_numpy(np.flip(x)) shared the reversed view; torch.from_numpy raises ValueError
    (a size-0 array has no negative stride to refuse)."""
    import torch

    import autograd

    x = np.flip(np.ones(shape), 0)
    for lib in (torch, autograd):
        if x.size:
            with pytest.raises(ValueError, match="negative"):
                lib.from_numpy(x)
        else:
            assert tuple(lib.from_numpy(x).shape) == shape
    assert tuple(autograd.from_numpy(x.copy()).shape) == shape
