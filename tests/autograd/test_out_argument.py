"""PyTorch's out= argument of the free functions (`torch.mul(a, b, out=c)`), against torch:
values, dtype casts, resizing (and its warning), version bumps, errors, and no state
changed by a refused call."""

import warnings

import numpy as np
import pytest
import torch

import autograd as ag

A = [[1.0, -2.0, 3.5], [0.25, 4.0, -1.0]]
B = [[2.0, 0.5, -1.0], [3.0, -2.0, 0.5]]

CASES = [
    ("mul", lambda L, a, b, **o: L.mul(a, b, **o)),
    ("add", lambda L, a, b, **o: L.add(a, b, alpha=2, **o)),
    ("sub", lambda L, a, b, **o: L.sub(a, b, **o)),
    ("div", lambda L, a, b, **o: L.div(a, b, **o)),
    ("matmul", lambda L, a, b, **o: L.matmul(a, b.T, **o)),
    ("exp", lambda L, a, b, **o: L.exp(a, **o)),
    ("tanh", lambda L, a, b, **o: L.tanh(a, **o)),
    ("abs", lambda L, a, b, **o: L.abs(a, **o)),
    ("clamp", lambda L, a, b, **o: L.clamp(a, -1, 1, **o)),
    ("maximum", lambda L, a, b, **o: L.maximum(a, b, **o)),
    ("sum_dim", lambda L, a, b, **o: L.sum(a, 0, **o)),
    ("mean_dim", lambda L, a, b, **o: L.mean(a, 1, **o)),
    ("cat", lambda L, a, b, **o: L.cat([a, b], 0, **o)),
    ("stack", lambda L, a, b, **o: L.stack([a, b], **o)),
    ("cumsum", lambda L, a, b, **o: L.cumsum(a, 1, **o)),
    ("eq", lambda L, a, b, **o: L.eq(a, b, **o)),
]


def _libs_pair(values):
    return ag.tensor(values), torch.tensor(values)


def _same(ours, theirs):
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert str(ours.dtype) == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("name, call", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("out_shape", ["same", "empty", "other"])
@pytest.mark.parametrize("out_dtype", ["float32", "float64", "bool"])
def test_out_as_torch(name, call, out_shape, out_dtype):
    (a, ta), (b, tb) = _libs_pair(A), _libs_pair(B)
    expected_shape = tuple(call(torch, ta, tb).shape)
    shape = {"same": expected_shape, "empty": (0,), "other": (7,)}[out_shape]
    out = ag.zeros(shape, dtype=getattr(ag, out_dtype))
    tout = torch.zeros(shape, dtype=getattr(torch, out_dtype))
    outcomes = []
    for lib, x, y, o in ((ag, a, b, out), (torch, ta, tb, tout)):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                r = call(lib, x, y, out=o)
                outcomes.append(("ok", r is o, o._version > 0, bool(caught)))
            except (RuntimeError, TypeError, NotImplementedError) as e:
                outcomes.append(("refused", str(e)))  # the words differ from op to op in torch
    assert outcomes[0][0] == outcomes[1][0], outcomes
    assert outcomes[0][0] == "refused" or outcomes[0] == outcomes[1]
    if outcomes[0][0] == "ok":
        _same(out, tout)
    else:  # refused: out unchanged
        assert tuple(out.shape) == shape and out._version == 0


def test_out_writes_in_place_and_views_see_it():
    a, b = ag.tensor(A), ag.tensor(B)
    out = ag.zeros(2, 3)
    row = out[1]
    assert ag.mul(a, b, out=out) is out
    np.testing.assert_array_equal(row.numpy(), (np.array(A) * np.array(B))[1].astype(np.float32))


@pytest.mark.parametrize("which", ["input", "out"])
def test_out_refuses_autograd_as_torch(which):
    for lib in (ag, torch):
        a = lib.tensor(A, requires_grad=which == "input")
        out = lib.zeros(2, 3, requires_grad=which == "out")
        with pytest.raises(RuntimeError, match="functions with out=... arguments don't support"):
            lib.mul(a, a, out=out)
        assert out._version == 0 and not out.detach().numpy().any()
        with lib.no_grad():  # without grad mode it is an ordinary write
            lib.mul(a, a, out=out)
        assert out._version == 1


def test_out_of_a_multi_result_op_as_torch():
    (a, ta) = _libs_pair(A)
    v, i = ag.zeros(3), ag.zeros(3, dtype=ag.int64)
    tv, ti = torch.zeros(3), torch.zeros(3, dtype=torch.int64)
    ours = ag.max(a, 0, out=(v, i))
    theirs = torch.max(ta, 0, out=(tv, ti))
    assert ours[0] is v and ours[1] is i
    _same(v, tv)
    _same(i, ti)
    _same(ours[0], theirs[0])


def test_out_must_be_a_tensor_as_torch():
    for lib in (ag, torch):
        a = lib.tensor(A)
        with pytest.raises(TypeError, match="argument 'out' must be Tensor, not list"):
            lib.add(a, a, out=[1])


def test_norm_writes_out():
    (a, ta) = _libs_pair(A)
    out, tout = ag.zeros(()), torch.zeros(())
    ag.norm(a, out=out)
    torch.norm(ta, out=tout)
    _same(out, tout)


# found while testing out= against torch
@pytest.mark.parametrize("name", ["cumsum", "cumprod"])
@pytest.mark.parametrize("dtype", ["int32", "int64", "float16", "float64", "bool"])
@pytest.mark.parametrize("src", ["float32", "int32", "bool"])
def test_scan_with_a_dtype_gives_that_dtype_as_torch(name, dtype, src):
    values = [[1.5, 2.5, 0.0], [3.0, 1e9, -2.0]] if src == "float32" else [[1, 2, 0], [3, 7, 1]]
    results = []
    for lib in (ag, torch):
        x = lib.tensor(values).to(getattr(lib, src))
        try:
            r = getattr(x, name)(1, dtype=getattr(lib, dtype))
            results.append((str(r.dtype).replace("torch.", ""), r.tolist()))
        except NotImplementedError as e:  # a bool scan, as torch's cumsum_out_cpu
            results.append(("NotImplementedError", str(e)))
    assert results[0] == results[1]


@pytest.mark.parametrize("name", ["bitwise_and", "bitwise_or", "bitwise_xor"])
def test_bitwise_of_floats_is_not_implemented_as_torch(name):
    for lib in (ag, torch):
        with pytest.raises(NotImplementedError, match=f"{name}_cpu"):
            getattr(lib, name)(lib.ones(2), lib.ones(2))


def test_histc_of_integers_is_not_implemented_as_torch():
    for lib in (ag, torch):
        with pytest.raises(
            NotImplementedError, match="\"histogram_cpu\" not implemented for 'Long'"
        ):
            lib.histc(lib.ones(2, dtype=lib.int64))
