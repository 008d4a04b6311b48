"""The Tensor protocol as PyTorch's: sizes, format, bool/index/len/contains, strides and
contiguity, data pointers, DLPack (zero-copy with torch and numpy)."""

import numpy as np
import pytest
import torch

import autograd


def pair(data, dtype="float32"):
    a = np.asarray(data, dtype=dtype)
    return autograd.tensor(a), torch.tensor(a)


@pytest.mark.parametrize("shape", [(), (0,), (1,), (2, 3), (2, 0, 4)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_sizes_as_torch(shape, dtype):
    x, t = pair(np.zeros(shape), dtype)
    assert x.numel() == x.nelement() == t.nelement()
    assert x.dim() == x.ndimension() == t.ndimension()
    assert x.element_size() == t.element_size() and x.itemsize == t.itemsize
    assert x.nbytes == t.nbytes
    assert x.is_floating_point() == t.is_floating_point()
    assert x.is_signed() == t.is_signed() and x.is_complex() == t.is_complex()
    assert x.type() == t.type()
    for d in range(-len(shape), len(shape)):
        assert x.size(d) == t.size(d)
    assert x.is_contiguous() == t.is_contiguous()
    assert x.stride() == t.stride()


FORMATS = {
    "0d_float": (lambda m: m.tensor(1.23456), ".2f"),
    "0d_int": (lambda m: m.tensor(3), "d"),
    "0d_empty_spec": (lambda m: m.tensor(2.5), ""),
    "0d_width": (lambda m: m.tensor(2.5), ">8.3f"),
    "1elem_1d": (lambda m: m.tensor([1.5]), ".2f"),
    "multi": (lambda m: m.tensor([1.0, 2.0]), ".2f"),
}


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_format_as_torch(name):
    make, spec = FORMATS[name]
    try:
        expected = format(make(torch), spec)
    except TypeError:
        with pytest.raises(TypeError):
            format(make(autograd), spec)
        return
    assert format(make(autograd), spec) == expected


def test_format_without_spec_is_str():
    x = autograd.tensor([1.0, 2.0])
    assert f"{x}" == str(x)


INDEXES = {
    "int_0d": lambda m: [10, 20, 30][m.tensor(1)],
    "int_1elem": lambda m: [10, 20, 30][m.tensor([2])],
    "bool_0d": lambda m: [10, 20][m.tensor(True)],
    "range": lambda m: list(range(m.tensor(3))),
    "float": lambda m: [10, 20][m.tensor(1.0)],
    "multi": lambda m: [10, 20][m.tensor([0, 1])],
    "int32": lambda m: [10, 20][m.tensor(1, dtype=m.int32)],
}


@pytest.mark.parametrize("name", sorted(INDEXES))
def test_index_as_torch(name):
    fn = INDEXES[name]
    try:
        expected = fn(torch)
    except TypeError as exc:
        with pytest.raises(TypeError, match="only integer tensors of a single element"):
            fn(autograd)
        assert "only integer tensors of a single element" in str(exc)
        return
    assert fn(autograd) == expected


CONTAINS = [
    (lambda m: 2 in m.tensor([1, 2])),
    (lambda m: 5 in m.tensor([1, 2])),
    (lambda m: 2.0 in m.tensor([[1, 2]])),
    (lambda m: m.tensor(1) in m.tensor([1, 2])),
    (lambda m: m.tensor([9, 2]) in m.tensor([1, 2])),
    (lambda m: True in m.tensor([0.0, 1.0])),
]


@pytest.mark.parametrize("i", range(len(CONTAINS)))
def test_contains_as_torch(i):
    assert CONTAINS[i](autograd) == CONTAINS[i](torch)


@pytest.mark.parametrize("element", ["a", [1], None])
def test_contains_rejects_what_torch_rejects(element):
    with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
        element in torch.tensor([1])  # noqa: B015
    with pytest.raises(RuntimeError, match="only supports Tensor or scalar"):
        element in autograd.tensor([1])  # noqa: B015


def test_bool_and_len_as_torch():
    assert bool(autograd.tensor([0.0])) is bool(torch.tensor([0.0])) is False
    assert bool(autograd.tensor(3)) is True
    with pytest.raises(RuntimeError):
        bool(autograd.tensor([1.0, 2.0]))
    assert len(autograd.zeros(4, 2)) == 4
    with pytest.raises(TypeError, match="0-d"):
        len(autograd.tensor(1.0))


def test_hash_stays_identity():
    x = autograd.ones(2)
    assert hash(x) == object.__hash__(x)
    assert {x: 1}[x] == 1


def test_strides_and_contiguity_of_views_as_torch():
    base = np.arange(24, dtype="float32").reshape(2, 3, 4)
    x, t = autograd.tensor(base), torch.tensor(base)
    views = {
        "T": lambda a: a.permute(2, 1, 0),
        "transpose": lambda a: a.transpose(0, 1),
        "slice": lambda a: a[:, 1:],
        "select": lambda a: a[1],
        "step": lambda a: a[:, :, ::2],
        "expand": lambda a: a[:, :1].expand(2, 5, 4),
    }
    for name, view in views.items():
        ours, theirs = view(x), view(t)
        assert ours.stride() == theirs.stride(), name
        assert ours.is_contiguous() == theirs.is_contiguous(), name
        assert ours.storage_offset() == theirs.storage_offset(), name
        c = ours.contiguous()
        assert c.is_contiguous()
        np.testing.assert_array_equal(c.numpy(), theirs.contiguous().numpy())
        assert (c is ours) == ours.is_contiguous()
    assert x.stride(1) == t.stride(1) and x.stride(-1) == t.stride(-1)


def test_contiguous_copy_records_a_clone_and_passes_gradients():
    x = autograd.ones(2, 3, requires_grad=True)
    y = x.T.contiguous()
    assert y.grad_fn.name() == "CloneBackward0"
    (y * autograd.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])).sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[1, 3, 5], [2, 4, 6]])


def test_data_ptr_follows_storage():
    x = autograd.arange(6.0)
    assert x.data_ptr() == x.array.__array_interface__["data"][0]
    assert x[2:].data_ptr() == x.data_ptr() + 2 * x.element_size()
    assert x.detach().data_ptr() == x.data_ptr()
    assert x.clone().data_ptr() != x.data_ptr()


# ------------------------------------------------------------------ DLPack
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "uint8", "bool"])
def test_torch_reads_our_tensor_without_a_copy(dtype):
    x = autograd.tensor(np.arange(6).reshape(2, 3).astype(dtype))
    t = torch.from_dlpack(x)
    assert str(t.dtype) == f"torch.{x.dtype}" and tuple(t.shape) == x.shape
    assert t.data_ptr() == x.data_ptr()
    t[0, 0] = 1
    assert x.array[0, 0] == 1


def test_we_read_torch_and_numpy_without_a_copy():
    t = torch.arange(6.0).reshape(2, 3)
    x = autograd.from_dlpack(t)
    assert x.data_ptr() == t.data_ptr() and x.dtype == autograd.float32
    x.array[0, 1] = 7
    assert t[0, 1] == 7
    a = np.arange(4.0)
    y = autograd.from_dlpack(a)
    assert y.dtype == autograd.float64 and y.data_ptr() == a.__array_interface__["data"][0]
    back = np.from_dlpack(y)
    assert back.__array_interface__["data"][0] == a.__array_interface__["data"][0]
    assert autograd.from_dlpack(y).data_ptr() == y.data_ptr()


def test_dlpack_of_non_contiguous_views_keeps_strides():
    x = autograd.arange(12.0).reshape(3, 4).T
    t = torch.from_dlpack(x)
    assert t.stride() == x.stride() == (1, 4)
    np.testing.assert_array_equal(t.numpy(), x.numpy())


def test_dlpack_refuses_tensors_that_require_grad_as_torch():
    with pytest.raises(BufferError, match="require gradient"):
        torch.from_dlpack(autograd.ones(2, requires_grad=True))
    with pytest.raises(BufferError, match="require gradient"):
        torch.ones(2, requires_grad=True).__dlpack__()
    assert torch.from_dlpack(autograd.ones(2, requires_grad=True).detach()).shape == (2,)
    assert autograd.ones(2).__dlpack_device__() == torch.ones(2).__dlpack_device__()


def test_from_dlpack_rejects_other_objects():
    with pytest.raises(TypeError, match="__dlpack__"):
        autograd.from_dlpack([1, 2])


# ------------------------------------------------------------------ repr
_rng = np.random.default_rng(0)
REPR_CASES = {
    "0d_float": np.array(1.5, dtype="float32"),
    "0d_int": np.array(3),
    "whole_floats": np.array([1.0, 2.0], dtype="float32"),
    "nan_inf": np.array([0.5, np.nan, -np.inf], dtype="float32"),
    "zeros": np.zeros(2, dtype="float32"),
    "only_nan": np.array([np.nan], dtype="float32"),
    "matrix": _rng.standard_normal((3, 4)).astype("float32"),
    "3d_large": (_rng.standard_normal((2, 3, 4)) * 1000).astype("float32"),
    "tiny_sci": (_rng.standard_normal(5) * 1e-5).astype("float32"),
    "wide_range_sci": np.array([1e9, 1.0], dtype="float32"),
    "ratio_1000": np.array([2.0, 2001.0], dtype="float32"),
    "summarised_2d": np.arange(2000.0, dtype="float32").reshape(40, 50),
    "summarised_1d": _rng.standard_normal(1500).astype("float32"),
    "summarised_int": np.arange(1500),
    "bool": np.array([True, False]),
    "empty_2d": np.zeros((0, 3), dtype="float32"),
    "empty_1d": np.zeros(0, dtype="float32"),
    "empty_int": np.zeros(0, dtype="int64"),
    "float64_wrapped": _rng.standard_normal(30),
    "int32": np.array([1, -200, 30], dtype="int32"),
    "uint8_matrix": np.array([[1, 2], [3, 4]], dtype="uint8"),
    "4d": _rng.standard_normal((4, 4, 4, 4)).astype("float32"),
    "half": _rng.standard_normal(3).astype("float16"),
    "long_rows": _rng.standard_normal((2, 40)).astype("float32"),
}


@pytest.mark.parametrize("name", sorted(REPR_CASES))
@pytest.mark.parametrize("requires_grad", [False, True])
def test_repr_as_torch(name, requires_grad):
    a = REPR_CASES[name]
    if requires_grad and a.dtype.kind != "f":
        return
    ours = autograd.tensor(a, requires_grad=requires_grad)
    theirs = torch.tensor(a, requires_grad=requires_grad)
    assert repr(ours) == repr(theirs).replace("torch.", "")  # dtype=float64 spelled our way


def test_repr_of_a_result_names_its_grad_fn_as_torch():
    a = _rng.standard_normal((2, 3)).astype("float32")
    ours = autograd.tensor(a, requires_grad=True)
    theirs = torch.tensor(a, requires_grad=True)
    assert repr(ours * 2) == repr(theirs * 2)
    assert repr((ours * 2).sum()) == repr((theirs * 2).sum())
