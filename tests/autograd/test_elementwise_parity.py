"""Elementwise ops against PyTorch where they once differed silently (issue 12): in-place ops
into a tensor that can't hold the result, add/sub's alpha, remainder/fmod values and
gradients, pow's scalar exponents with kernels of their own, float16 rsqrt."""

import operator

import numpy as np
import pytest
import torch

import autograd

_X_DTYPES = ["int64", "int32", "uint8", "bool", "float16", "float32"]
_OTHERS = [
    "L.tensor([1.5, 2.0])",
    "L.tensor([1.5, 2.0], dtype=L.float64)",
    "L.tensor(2.5)",
    "L.tensor(2.5, dtype=L.float64)",
    "L.tensor([3, 1])",
    "L.tensor([True, True])",
    "1.5",
    "2",
    "True",
]


def _outcome(lib, code, x_dtype, values=(4, 1)):
    """What code does to x: ("ok", result dtype, values, x's version, x's values) or
    ("error", type, message, x's version, x's values)."""
    x = lib.tensor(list(values), dtype=getattr(lib, x_dtype))
    try:
        out = eval(code, {"L": lib, "x": x})
    except Exception as e:  # noqa: BLE001  (compared with PyTorch's, type and message)
        state = (x._version, np.asarray(x.tolist()).tolist())
        return ("error", type(e).__name__, str(e).split(" (in ")[0]) + state
    dtype = str(out.dtype).replace("torch.", "")
    state = (x._version, np.asarray(x.tolist()).tolist())
    return ("ok", dtype, np.asarray(out.tolist()).tolist()) + state


def _same_as_torch(code, x_dtype, values=(4, 1)):
    expected = _outcome(torch, code, x_dtype, values)
    ours = _outcome(autograd, code, x_dtype, values)
    if expected[0] == "error":
        # PyTorch's type and message, and nothing changed (PyTorch changes nothing here either)
        assert ours[:3] == expected[:3]
        assert ours[3:] == (0, list(values) if x_dtype != "bool" else [True, True])
    else:
        assert ours == expected


@pytest.mark.parametrize("other", _OTHERS)
@pytest.mark.parametrize("op", ["pow_", "div_", "mul_", "add_", "sub_", "remainder_", "fmod_"])
@pytest.mark.parametrize("x_dtype", _X_DTYPES)
def test_inplace_into_a_narrower_dtype_is_torchs_value_or_error(x_dtype, op, other):
    """x.op_(y) with y of a wider or float dtype: PyTorch's values (a float16 x keeps float16),
    or its RuntimeError "result type Float can't be cast to the desired output type Long"
    with x's data and version unchanged (remainder_/fmod_ once wrote int(x % 1.5))."""
    _same_as_torch(f"x.{op}({other})", x_dtype)


@pytest.mark.parametrize("alpha", ["2", "1.5", "True", "False"])
@pytest.mark.parametrize("other", _OTHERS)
@pytest.mark.parametrize("form", ["x.add({o}, alpha={a})", "L.add(x, {o}, alpha={a})",
                                  "x.add_({o}, alpha={a})", "x.sub({o}, alpha={a})",
                                  "x.sub_({o}, alpha={a})"])  # fmt: skip
@pytest.mark.parametrize("x_dtype", ["int64", "uint8", "bool", "float32"])
def test_add_and_sub_alpha_on_bool_and_int_tensors_is_torchs(x_dtype, form, other, alpha):
    """PyTorch's order of checks: sub's bool operand, then (in place) the cast into x, then
    alpha (a bool alpha only for bool results, a float one only for floats); a bool result
    of add keeps bool (b.add(True, alpha=False) once gave int64)."""
    _same_as_torch(form.format(o=other, a=alpha), x_dtype)


def test_bool_minus_a_python_bool_names_two_bool_tensors():
    for code in ("x - True", "x.sub(True)", "True - x", "x.sub_(True)"):
        _same_as_torch(code, "bool", (True, True))


# ----------------------------------------------------------------------- remainder / fmod
_A = [2.5, -3.0, 0.7, 4.0, -0.0, 3.0, 1.0, -1.0, 7.0, 1e4, np.inf, 2.0]
_B = [1.5, 2.0, -0.3, 0.0, 1.0, -3.0, 0.1, np.inf, -2.0, 0.3, 1.0, -np.inf]


def _values_and_grads(lib, op, dtype, a_needs=True, b_needs=True):
    a = lib.tensor(_A, dtype=getattr(lib, dtype), requires_grad=a_needs)
    b = lib.tensor(_B, dtype=getattr(lib, dtype), requires_grad=b_needs)
    out = getattr(lib, op)(a, b)
    out.backward(lib.ones_like(out))
    grads = [None if t.grad is None else t.grad.detach().numpy() for t in (a, b)]
    return [out.detach().numpy()] + grads


@pytest.mark.parametrize("needs", [(True, True), (True, False), (False, True)])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", ["remainder", "fmod"])
def test_remainder_and_fmod_values_and_gradients_are_torchs(op, dtype, needs):
    """Values to the bit, signed zeros included (-0 % 1 is -0, 3 % -3 is +0: numpy gave the
    divisor's sign), and the gradient of y, -(x // y) for remainder (Python's floor division:
    1 // 0.1 is 9, where floor(1 / 0.1) is 10), -trunc(x / y) for fmod."""
    expected = _values_and_grads(torch, op, dtype, *needs)
    ours = _values_and_grads(autograd, op, dtype, *needs)
    for o, e in zip(ours, expected, strict=True):
        assert (o is None) == (e is None)
        if o is not None:
            np.testing.assert_array_equal(o, e, strict=True)
            numbers = ~np.isnan(e)  # (a nan's sign bit is no contract)
            np.testing.assert_array_equal(np.signbit(o[numbers]), np.signbit(e[numbers]))


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_remainder_is_torchs(dtype):
    a = [7, -7, 0, 5, 9] if dtype != "uint8" else [7, 250, 0, 5, 9]
    b = [3, 3, 2, -2, 9] if dtype != "uint8" else [3, 3, 2, 2, 9]
    for lib_op in ("remainder", "fmod"):
        t = getattr(torch, lib_op)(torch.tensor(a, dtype=getattr(torch, dtype)), torch.tensor(b))
        o = getattr(autograd, lib_op)(
            autograd.tensor(a, dtype=getattr(autograd, dtype)), autograd.tensor(b)
        )
        assert str(o.dtype) == str(t.dtype).replace("torch.", "")
        np.testing.assert_array_equal(o.numpy(), t.numpy())


@pytest.mark.parametrize("number", [2, 2.5, -3])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_number_remainder_tensor_has_no_gradient_as_torch(number, dtype):
    """2 % a with a requiring grad: PyTorch's values, a result that requires grad, and a
    backward that raises its RuntimeError (no gradient for a is defined), leaving a.grad."""
    values = [2.5, -3.0, 0.7, -0.0, 4.0]
    results = []
    for lib in (torch, autograd):
        a = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
        out = number % a
        assert out.requires_grad
        results.append(out.detach().numpy())
        with pytest.raises(RuntimeError, match="derivative for aten::remainder is not implemented"):
            out.sum().backward()
        assert a.grad is None
        np.testing.assert_array_equal(lib.remainder(number, a.detach()).numpy(), results[-1])
    np.testing.assert_array_equal(results[1], results[0], strict=True)


def test_fmod_of_a_number_and_a_tensor_is_a_type_error_as_torch():
    for lib in (torch, autograd):
        with pytest.raises(TypeError):
            lib.fmod(2, lib.tensor([1.0, 2.0]))


# ----------------------------------------------------------------------- pow, rsqrt
@pytest.mark.parametrize("exponent", [3, 3.0, -2, -2.0, 2, -1])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_pow_of_a_scalar_exponent_with_its_own_kernel_is_torchs_to_the_bit(dtype, exponent):
    """PyTorch computes x^3 as x x x and x^-2 as 1 / (x x) in float32/64 (a third of float32
    cubes by numpy's pow were 1 ulp off); so the gradients 3 x^2, 2 x, -x^-2 are its to the
    bit too (-2 x^-3 is a general pow, SLEEF's in PyTorch: within an ulp or two)."""
    a = np.random.default_rng(0).uniform(-10, 10, 4000)
    a[:4] = [0.0, -0.0, np.inf, -np.inf]
    res = []
    for lib in (torch, autograd):
        x = lib.tensor(a, dtype=getattr(lib, dtype), requires_grad=True)
        out = x**exponent
        out.backward(lib.ones_like(out))
        res.append((out.detach().numpy(), x.grad.numpy()))
    (t_out, t_grad), (o_out, o_grad) = res
    np.testing.assert_array_equal(o_out, t_out, strict=True)
    if exponent == -2 and dtype != "float16":
        np.testing.assert_allclose(o_grad, t_grad, rtol=4 * np.finfo(dtype).eps, atol=0)
    else:
        np.testing.assert_array_equal(o_grad, t_grad, strict=True)


def test_float16_rsqrt_rounds_once_as_torch():
    """1 / sqrt(x) in float32, rounded once to float16, as PyTorch (twice: 8402 of the finite
    float16 values were 1 ulp off)."""
    allh = np.arange(65536, dtype=np.uint16).view(np.float16)
    allh = allh[np.isfinite(allh)]
    expected = torch.from_numpy(allh).rsqrt().numpy()
    ours = autograd.from_numpy(allh).rsqrt().numpy()
    np.testing.assert_array_equal(ours, expected, strict=True)


# ----------------------------------------------------------------------- maximum's tangent
@pytest.mark.parametrize("which", ["both", "x", "y"])
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_maximum_tangent_is_torchs_formula(op, dtype, which):
    """ẏ + w (ẋ - ẏ), w = 1/2 at ties, else 1 where x wins: at a nan x the tangent is ẏ, and
    1 + (1e-20 - 1) is 0, as PyTorch's (the weighted sum gave ẋ + ẏ and 1e-20)."""
    import torch.autograd.forward_ad as torch_fwd

    import autograd.forward_ad as ours_fwd

    x = [1.0, 2.0, np.nan, 3.0, 1e-20, 5.0, -0.0]
    y = [2.0, 2.0, 1.0, 1.0, 1.0, np.nan, 0.0]
    tx = [np.inf, 1.0, 2.0, 1e-20, 3.0, 1.0, -0.0]
    ty = [1.0, 3.0, 5.0, 1.0, 1.0, 2.0, 0.5]
    results = []
    for lib, fwd in ((torch, torch_fwd), (autograd, ours_fwd)):
        dt = getattr(lib, dtype)
        with fwd.dual_level():
            a, b = lib.tensor(x, dtype=dt), lib.tensor(y, dtype=dt)
            if which != "y":
                a = fwd.make_dual(a, lib.tensor(tx, dtype=dt))
            if which != "x":
                b = fwd.make_dual(b, lib.tensor(ty, dtype=dt))
            out = getattr(lib, op)(a, b)
            results.append(fwd.unpack_dual(out).tangent.numpy())
    np.testing.assert_array_equal(results[1], results[0], strict=True)


@pytest.mark.parametrize("create_graph", [False, True])
def test_pow_by_a_bool_tensor_backward_raises_as_torch(create_graph):
    """x ** bool tensor: PyTorch's backward takes exponent - 1 of the bool tensor and raises
    Sub's error, at either speed (the array-speed rule once computed numpy's False - 1)."""
    for lib in (torch, autograd):
        x = lib.tensor([0.0, 2.0], dtype=lib.float16, requires_grad=True)
        out = x ** lib.tensor(False)
        with pytest.raises(RuntimeError, match="Subtraction, the `-` operator, with a bool"):
            out.backward(lib.ones_like(out), create_graph=create_graph and lib is autograd)
        assert x.grad is None


_HALF_VALUES = [float("inf"), 3.0, 1000.0, 60000.0, -60000.0, 1.0, 1e-4]


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("scalar", [1e-10, 1e-5, 3.3, 7e4, -7e4])
@pytest.mark.parametrize("kind", ["0-d first", "0-d second", "number first", "number second"])
@pytest.mark.parametrize("wide", ["float32", "float64"])
def test_float16_beside_a_wider_scalar_rounds_as_torch(op, scalar, kind, wide):
    """float16 x + 70000 is inf in PyTorch (add and sub cast the scalar to float16 first; we
    gave 10000 for -60000 + 70000), s * x with a 0-d s first casts s too (1e-10 * inf was inf
    here, nan there), and mul/div with the scalar second compute in float32."""
    f = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}
    results = []
    for lib in (torch, autograd):
        h = lib.tensor(_HALF_VALUES, dtype=lib.float16)
        s = lib.tensor(scalar, dtype=getattr(lib, wide))
        a, b = {
            "0-d first": (s, h),
            "0-d second": (h, s),
            "number first": (scalar, h),
            "number second": (h, scalar),
        }[kind]
        results.append(np.asarray(f[op](a, b).tolist()))
    np.testing.assert_array_equal(results[1], results[0])


@pytest.mark.parametrize(
    "dtype", ["bool", "uint8", "int32", "int64", "float16", "float32", "float64"]
)
@pytest.mark.parametrize("number", [2, 2.5, 0, -1, 3.3])
def test_number_divided_by_a_tensor_rounds_as_torch(dtype, number):
    """number / x is x.reciprocal() * number in PyTorch: 3.3 / x differed from it in the last
    bit for about a quarter of float32 and float64 values; the graph is Mul of Reciprocal."""
    rng = np.random.default_rng(0)
    values = rng.uniform(0.1, 10, 200) if dtype.startswith("float") else rng.integers(0, 5, 200)
    values = values.astype(dtype)
    theirs = number / torch.tensor(values)
    ours = number / autograd.tensor(values)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    if dtype.startswith("float"):
        x = autograd.tensor(values, requires_grad=True)
        t = torch.tensor(values, requires_grad=True)
        (number / x).sum().backward()
        (number / t).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), t.grad.numpy())


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div"])
@pytest.mark.parametrize("shape", [(), (1,), (1, 1, 1), (3,)])
@pytest.mark.parametrize("first", [False, True])
def test_float16_beside_a_one_element_int_tensor_as_torch(op, shape, first):
    """float16 zeros *= int32 [[[-2^31]]] is -0.0 in PyTorch (a one-element operand second
    computes in float32) where we gave nan (-2^31 cast to float16 first is -inf)."""
    f = {"add": operator.add, "sub": operator.sub, "mul": operator.mul, "div": operator.truediv}
    results = []
    for lib in (torch, autograd):
        h = lib.tensor([0.0, 1.0, 60000.0], dtype=lib.float16)
        b = lib.full(shape, -(2**31), dtype=lib.int32)
        results.append(np.asarray(f[op](b, h) if first else f[op](h, b)).tolist())
    np.testing.assert_array_equal(np.asarray(results[1]), np.asarray(results[0]))
