"""autograd.testing.assert_close against torch.testing.assert_close: same pass/fail, same
exception type, same message (up to the spelling of dtypes, Size and the Tensor class)."""

import numpy as np
import pytest
import torch

import autograd
from autograd.testing import assert_close


def _outcome(fn, *args, **kwargs):
    try:
        fn(*args, **kwargs)
    except Exception as error:  # noqa: BLE001  (the outcome is what is compared)
        return type(error), str(error)
    return None, None


def _ours_text(text):
    return text.replace("autograd.Size", "torch.Size").replace(
        "autograd._tensor.Tensor", "torch.Tensor"
    )


def _torch_text(text):
    for name in ("float16", "float32", "float64", "int64", "int32", "uint8", "bool"):
        text = text.replace(f"torch.{name}", name)
    return text


def _convert(x, to_torch):
    if isinstance(x, np.ndarray):
        return torch.tensor(x) if to_torch else autograd.tensor(x)
    if isinstance(x, list):
        return [_convert(v, to_torch) for v in x]
    if isinstance(x, tuple):
        return tuple(_convert(v, to_torch) for v in x)
    if isinstance(x, dict):
        return {k: _convert(v, to_torch) for k, v in x.items()}
    return x


def check(actual, expected, **kwargs):
    """Run both on the same inputs (numpy arrays become each library's tensors)."""
    ours = _outcome(assert_close, _convert(actual, False), _convert(expected, False), **kwargs)
    theirs = _outcome(
        torch.testing.assert_close, _convert(actual, True), _convert(expected, True), **kwargs
    )
    assert ours[0] is theirs[0], (ours, theirs)
    if ours[0] is not None:
        assert _ours_text(ours[1]) == _torch_text(theirs[1])
    return ours


DTYPES = ["float16", "float32", "float64", "int64", "int32", "uint8", "bool"]
SHAPES = [(), (0,), (1,), (3,), (2, 3), (2, 0, 3), (1, 1)]


def _data(shape, dtype, seed=0):
    rng = np.random.default_rng(seed)
    if dtype == "bool":
        return np.asarray(rng.random(shape) > 0.5)
    if np.dtype(dtype).kind in "iu":
        return rng.integers(0, 9, shape).astype(dtype)
    return rng.standard_normal(shape).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", SHAPES)
def test_equal_tensors_pass_and_one_off_fails_as_torch(dtype, shape):
    a = _data(shape, dtype)
    assert check(a, a.copy()) == (None, None)
    if a.size:
        b = a.copy()
        b.flat[-1] = (not b.flat[-1]) if dtype == "bool" else b.flat[-1] + 1
        error, text = check(a, b)
        assert error is AssertionError


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_default_tolerances_per_dtype(dtype):
    rtol, atol = {"float16": (1e-3, 1e-5), "float32": (1.3e-6, 1e-5), "float64": (1e-7, 1e-7)}[
        dtype
    ]
    e = np.array([1.0, 100.0, -3.0, 0.0], dtype=dtype)
    for factor in (0.5, 0.9, 1.1, 2.0, 10.0):
        a = (e + np.asarray(factor * (atol + rtol * np.abs(e)), dtype=dtype)).astype(dtype)
        check(a, e)
        check(a.reshape(2, 2), e.reshape(2, 2))
        check(a[1], e[1])  # 0-d: the scalar message


def test_messages_name_the_greatest_differences():
    e = np.arange(12, dtype="float32").reshape(3, 4)
    a = e.copy()
    a[1, 2] += 0.5
    a[2, 0] -= 3.0
    a[0, 0] = 1e-3  # against 0: relative difference inf
    error, text = check(a, e)
    assert "Tensor-likes are not close!" in text
    assert "Mismatched elements: 3 / 12 (25.0%)" in text
    assert "Greatest absolute difference: 3.0 at index (2, 0)" in text
    check(a, e, rtol=0.0, atol=0.0)  # "not equal", no "allowed"
    check(a, e, rtol=0.1, atol=0.6)
    check(e.astype("int64") + np.eye(3, 4, dtype="int64"), e.astype("int64"))


def test_nan_and_inf():
    e = np.array([np.nan, np.inf, -np.inf, 1.0])
    check(e, e.copy())
    check(e, e.copy(), equal_nan=True)
    check(np.array([np.inf, 1.0]), np.array([-np.inf, 1.0]))
    check(np.array([np.nan, 1.0, 2.0]), np.array([1.0, 1.0, 5.0]))
    check(np.array(np.nan), np.array(np.nan), equal_nan=True)


def test_attribute_mismatches():
    a = np.zeros((2, 3), "float32")
    check(a, np.zeros((3, 2), "float32"))
    check(a, np.zeros((2, 3), "float64"))
    check(a, np.zeros((2, 3), "float64"), check_dtype=False)
    check(a, np.ones((2, 3), "float64") * 1e-6, check_dtype=False)
    check(a.astype("int64"), np.zeros((2, 3), "float16"), check_dtype=False)
    ours = autograd.zeros(2, 3).t()
    theirs = torch.zeros(2, 3).t()
    assert (
        _outcome(assert_close, ours, autograd.zeros(3, 2), check_stride=True)[0]
        is (_outcome(torch.testing.assert_close, theirs, torch.zeros(3, 2), check_stride=True)[0])
    )


def test_numbers_sequences_mappings_and_none():
    check(1.0, 1.0 + 1e-8)
    check(1.0, 1.1)
    check(1, 1)
    check(1, 2)
    check(1, 1.0)
    check(1, 1.0, check_dtype=False)
    check(0.0, 1e-9)
    check(True, True)
    check(True, False)
    check(None, None)
    check(None, 1)
    check(float("nan"), float("nan"))
    check(float("nan"), float("nan"), equal_nan=True)
    check(np.float32(1.0), np.float32(1.0))
    check([1.0, 2.0], [1.0, 2.0])
    check([1.0, 2.0], (1.0, 2.5))
    check([1.0, 2.0], [1.0])
    check({"a": 1.0, "b": [2.0, 3.0]}, {"a": 1.0, "b": [2.0, 3.5]})
    check({"a": 1.0}, {"b": 1.0})
    check([np.zeros(3), {"w": np.ones(2)}], [np.zeros(3), {"w": np.ones(2) * 2}])


def test_bad_arguments_and_messages():
    a = np.zeros(3)
    check(a, a, rtol=1e-3)
    check(a, a, atol=1e-3)
    check(a, 0.0)  # a tensor against a number: no pair handles it (TypeError)
    check("ab", "ab")
    check([a], [a + 1], msg="custom")
    ours = _outcome(assert_close, autograd.zeros(2), autograd.ones(2), msg=lambda m: "X" + m)
    theirs = _outcome(
        torch.testing.assert_close, torch.zeros(2), torch.ones(2), msg=lambda m: "X" + m
    )
    assert ours[1] == theirs[1]


def test_torch_testing_under_import_as_torch():
    import autograd as t

    t.testing.assert_close(t.ones(2, requires_grad=True) * 2, t.full((2,), 2.0))
    with pytest.raises(AssertionError, match="Tensor-likes are not close!"):
        t.testing.assert_close(t.ones(2), t.zeros(2))
