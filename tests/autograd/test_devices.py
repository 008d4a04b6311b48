"""Devices, the cuda/accelerator/backends queries, and dtype names, as PyTorch's (on a
machine without a GPU, as this one; the GPU paths run where cupy sees one)."""

import numpy as np
import pytest
import torch

import autograd
from backends import DeviceError

NO_GPU = not autograd.cuda.is_available()


@pytest.mark.parametrize(
    "args", [("cpu",), ("cuda",), ("cuda:1",), ("cuda", 1), ("cpu", 0), ("mps",), ("meta",)]
)
def test_device_objects_as_torch(args):
    ours, theirs = autograd.device(*args), torch.device(*args)
    assert (ours.type, ours.index) == (theirs.type, theirs.index)
    assert str(ours) == str(theirs) and repr(ours) == repr(theirs)
    assert autograd.device(ours) == ours


@pytest.mark.parametrize("text", ["foo", "cuda:x", "cuda:-1"])
def test_bad_device_strings_raise_as_torch(text):
    with pytest.raises(RuntimeError) as theirs:
        torch.device(text)
    with pytest.raises(RuntimeError) as ours:
        autograd.device(text)
    assert str(ours.value).split(":")[0] == str(theirs.value).split(":")[0]


def test_cpu_index_zero_is_the_cpu():
    x = autograd.zeros(2, device="cpu:0")
    assert x.device == "cpu" and (x + autograd.zeros(2)).device == "cpu"
    assert autograd.zeros(2, device=autograd.device("cpu", 0)).backend is x.backend


@pytest.mark.skipif(not NO_GPU, reason="checks the answers of a machine without a GPU")
def test_queries_without_a_gpu_as_torch_built_without_cuda():
    assert autograd.cuda.is_available() is torch.cuda.is_available() is False
    assert autograd.cuda.device_count() == torch.cuda.device_count() == 0
    assert autograd.accelerator.is_available() is False
    assert autograd.accelerator.current_accelerator() is None
    assert autograd.accelerator.device_count() == 0
    assert autograd.backends.mps.is_available() is torch.backends.mps.is_available() is False
    assert autograd.backends.cudnn.is_available() is False
    autograd.backends.cudnn.benchmark = True  # the flags tutorials set exist
    autograd.backends.cudnn.deterministic = True
    autograd.cuda.manual_seed(0)  # no error without a GPU, as torch
    autograd.cuda.manual_seed_all(0)
    autograd.cuda.empty_cache()
    assert autograd.cuda.is_bf16_supported() is False
    for call in (autograd.cuda.synchronize, autograd.cuda.current_device):
        with pytest.raises(RuntimeError, match="CUDA is not available"):
            call()
    with pytest.raises(RuntimeError, match="accelerator"):
        autograd.accelerator.current_device_index()


@pytest.mark.skipif(not NO_GPU, reason="checks the errors of a machine without a GPU")
def test_cuda_tensors_raise_a_clear_error_without_a_gpu():
    x = autograd.ones(2)
    for move in (lambda: x.cuda(), lambda: x.to("cuda"), lambda: autograd.zeros(2, device="cuda")):
        with pytest.raises(DeviceError, match="cuda.*not available"):
            move()
    with pytest.raises(DeviceError):
        autograd.set_default_device("cuda")
    assert autograd.get_default_device() == autograd.device("cpu")


def test_tensor_device_attributes_as_torch():
    x, tx = autograd.ones(2), torch.ones(2)
    assert repr(x.device) == repr(tx.device)
    assert x.is_cuda == tx.is_cuda and x.is_cpu == tx.is_cpu and x.is_mps == tx.is_mps
    assert x.get_device() == tx.get_device() == -1
    assert x.cpu() is x and x.to(autograd.device("cpu")) is x


def test_default_device_is_honoured_by_factories():
    assert autograd.get_default_device() == autograd.device("cpu")
    autograd.set_default_device("cpu")
    try:
        for make in (
            lambda: autograd.zeros(2),
            lambda: autograd.rand(2),
            lambda: autograd.randn(2),
            lambda: autograd.randint(3, (2,)),
            lambda: autograd.arange(3),
        ):
            assert make().device == "cpu"
        with autograd.device("cpu"):
            assert autograd.get_default_device() == "cpu"
    finally:
        autograd.set_default_device(None)
    assert repr(autograd.get_default_device()) == repr(torch.get_default_device())


@pytest.mark.skipif(NO_GPU, reason="no GPU/cupy on this machine")
def test_gpu_queries_and_seeding():
    assert autograd.cuda.device_count() >= 1
    assert autograd.accelerator.current_accelerator() == autograd.device("cuda")
    autograd.cuda.manual_seed(3)
    a = autograd.rand(4, device="cuda").cpu().numpy()
    autograd.cuda.manual_seed(3)
    np.testing.assert_array_equal(autograd.rand(4, device="cuda").cpu().numpy(), a)
    autograd.cuda.synchronize()
    assert isinstance(autograd.cuda.get_device_name(), str)
    x = autograd.ones(2).cuda()
    assert x.is_cuda and x.get_device() == 0 and x.device == "cuda:0"


# ------------------------------------------------------------------ dtype names
ALIASES = ["float", "double", "half", "float16", "float32", "float64", "int", "int8", "int16",
           "int32", "int64", "long", "short", "uint8", "bool"]  # fmt: skip


@pytest.mark.parametrize("name", ALIASES)
def test_dtype_aliases_as_torch(name):
    ours, theirs = getattr(autograd, name), getattr(torch, name)
    assert str(theirs) == f"torch.{ours}"
    assert isinstance(ours, autograd.dtype)
    assert autograd.zeros(2, dtype=ours).dtype == ours
    x = autograd.zeros(2, dtype=ours)
    assert x.is_floating_point() == torch.zeros(2, dtype=theirs).is_floating_point()
    assert x.element_size() == x.itemsize == theirs.itemsize


def test_bfloat16_exists_and_fails_clearly():
    with pytest.raises(TypeError, match="bfloat16"):
        autograd.zeros(2, dtype=autograd.bfloat16)


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo_as_torch(name):
    ours, theirs = autograd.finfo(getattr(autograd, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)
    assert autograd.finfo().eps == torch.finfo().eps


@pytest.mark.parametrize("name", ["int8", "int16", "int32", "int64", "uint8"])
def test_iinfo_as_torch(name):
    ours, theirs = autograd.iinfo(getattr(autograd, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
    assert repr(ours) == repr(theirs)


def test_finfo_iinfo_of_the_wrong_kind_raise_as_torch():
    with pytest.raises(TypeError):
        torch.finfo(torch.int32)
    with pytest.raises(TypeError, match="finfo"):
        autograd.finfo(autograd.int32)
    with pytest.raises(TypeError, match="iinfo"):
        autograd.iinfo(autograd.float32)


DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@pytest.mark.parametrize("a", DTYPES)
def test_promote_types_and_can_cast_as_torch(a):
    for b in DTYPES:
        ours = autograd.promote_types(getattr(autograd, a), getattr(autograd, b))
        theirs = torch.promote_types(getattr(torch, a), getattr(torch, b))
        assert f"torch.{ours}" == str(theirs), (a, b)
        ok = autograd.can_cast(getattr(autograd, a), getattr(autograd, b))
        assert ok == torch.can_cast(getattr(torch, a), getattr(torch, b)), (a, b)


RESULT_TYPE = [
    (lambda m: m.tensor([1]), lambda m: 1.0),
    (lambda m: m.tensor([1]), lambda m: 2),
    (lambda m: m.tensor([True]), lambda m: 2),
    (lambda m: m.tensor([1], dtype=m.int32), lambda m: m.tensor(1.0, dtype=m.float64)),
    (lambda m: m.tensor(1, dtype=m.int8), lambda m: m.tensor([1], dtype=m.uint8)),
    (lambda m: m.tensor([1.0], dtype=m.float16), lambda m: m.tensor(1.0, dtype=m.float64)),
    (lambda m: 1, lambda m: 1.0),
    (lambda m: True, lambda m: 2),
]


@pytest.mark.parametrize("i", range(len(RESULT_TYPE)))
def test_result_type_as_torch(i):
    a, b = RESULT_TYPE[i]
    assert f"torch.{autograd.result_type(a(autograd), b(autograd))}" == str(
        torch.result_type(a(torch), b(torch))
    )


def test_is_tensor_is_floating_point_numel():
    x = autograd.ones(2, 3)
    assert autograd.is_tensor(x) and not autograd.is_tensor(np.ones(2))
    assert autograd.is_floating_point(x) and not autograd.is_floating_point(autograd.ones(2).long())
    assert autograd.numel(x) == 6
    assert x.dtype == autograd.float32 and autograd.get_default_dtype() == autograd.float32


def test_tensor_constructor_honours_the_default_device(monkeypatch):
    from backends import backend as backend_module

    seen = []
    real = backend_module.get_backend

    def spy(device=None):
        seen.append(device)
        return real(device)

    monkeypatch.setattr(backend_module, "get_backend", spy)
    autograd.set_default_device("cpu")
    try:
        x = autograd.tensor([1.0, 2.0])
    finally:
        autograd.set_default_device(None)
    assert x.device == "cpu" and autograd.device("cpu") in seen
