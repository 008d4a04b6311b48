"""What the GPU path needs, on every device present plus the strict test double: moving
tensors (`to/cuda/cpu`), `device=` on the factories, seeded random numbers per device,
device-mixing errors that name the op, the argument and both devices, DLPack routing, the
cuDNN convolution behind its availability check, and the no-GPU branch of bench/gpu_check.sh.
"""

import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import torch
from strict_backend import HostLeak, StrictArray

import autograd
import nn
import nn.functional as F
from backends import DeviceError

ROOT = Path(__file__).resolve().parents[2]
# `device`: the fixture in tests/conftest.py (the strict device, and cuda where there is one)


# --------------------------------------------------------------------------- the double itself
def test_strict_arrays_refuse_every_implicit_host_conversion(device):
    if not device.startswith("cuda") or autograd.cuda.is_available():
        pytest.skip("checks the strict double")
    a = autograd.arange(6.0, device=device).reshape(2, 3).array
    assert isinstance(a, StrictArray)
    for leak in (
        lambda: np.asarray(a),
        lambda: np.array(a),
        lambda: np.exp(a),
        lambda: np.sum(a),
        lambda: a + np.ones(3),
        lambda: np.ones(3) * a,
        lambda: float(a[0, 0]),
        lambda: int(a[0, 0]),
        lambda: bool(a[0, 0]),
        lambda: [0, 1][a[0, 0].astype("int64")],
        lambda: autograd.tensor(a).xp.asarray(0.0) + np.zeros(1),  # a host constant
    ):
        with pytest.raises(HostLeak):
            leak()
    # explicit copies and Python values are fine, as cupy's
    assert a.sum().item() == 15.0 and a.tolist()[1] == [3.0, 4.0, 5.0]
    assert isinstance(a.sum(), StrictArray) and a.sum().ndim == 0  # no numpy scalars
    t = autograd.tensor(a)
    assert float(t[0, 1]) == 1.0 and bool(t[0, 1]) and int(t[1, 2]) == 5 and "5." in repr(t)
    host = t.cpu().numpy()
    host[0, 0] = 99  # a device-to-host copy, never an alias
    assert t[0, 0].item() == 0.0


# --------------------------------------------------------------------------- moving tensors
def test_to_cuda_cpu_round_trip(device):
    x = autograd.randn(3, 2, requires_grad=True)
    index = autograd.device(device).index or 0
    for moved in (
        x.to(device),
        x.to(autograd.device(device)),
        x.to(device, non_blocking=True),
        x.cuda(index),
        x.cuda(device),
        x.cuda(autograd.device(device)),
        x.to(device, autograd.float64),
    ):
        assert moved.device == device and moved.is_cuda and moved.get_device() == index
        assert moved.requires_grad and moved.grad_fn is not None
        back = moved.cpu()
        assert back.device == "cpu"
        np.testing.assert_allclose(back.detach().numpy(), x.detach().numpy(), rtol=1e-7)
    x.to(device).sum().backward()
    assert x.grad.device == "cpu"  # the gradient comes back to the leaf's device
    assert x.to(device).to(device).array.__class__ is x.to(device).array.__class__
    with pytest.raises(RuntimeError, match="cuda device"):
        x.cuda("cpu")


def test_module_to_and_cuda(device):
    m = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    assert m.to(device) is m
    for t in (*m.parameters(), *m.buffers()):
        assert t.device == device
    m.cpu()
    m.cuda(autograd.device(device))
    assert all(p.device == device for p in m.parameters())


FACTORIES = {
    "tensor": lambda d: autograd.tensor([1.0, 2.0], device=d),
    "as_tensor": lambda d: autograd.as_tensor([1, 2], device=d),
    "zeros": lambda d: autograd.zeros(2, 3, device=d),
    "ones": lambda d: autograd.ones(2, device=d),
    "empty": lambda d: autograd.empty(2, device=d),
    "full": lambda d: autograd.full((2,), 3.0, device=d),
    "zeros_like": lambda d: autograd.zeros_like(autograd.ones(2), device=d),
    "ones_like": lambda d: autograd.ones_like(autograd.ones(2), device=d),
    "empty_like": lambda d: autograd.empty_like(autograd.ones(2), device=d),
    "full_like": lambda d: autograd.full_like(autograd.ones(2), 7, device=d),
    "rand_like": lambda d: autograd.rand_like(autograd.ones(2), device=d),
    "randn_like": lambda d: autograd.randn_like(autograd.ones(2), device=d),
    "randint_like": lambda d: autograd.randint_like(autograd.ones(2), 5, device=d),
    "arange": lambda d: autograd.arange(5, device=d),
    "linspace": lambda d: autograd.linspace(0, 1, 5, device=d),
    "eye": lambda d: autograd.eye(3, device=d),
    "rand": lambda d: autograd.rand(2, 3, device=d),
    "randn": lambda d: autograd.randn(2, 3, device=d),
    "randint": lambda d: autograd.randint(0, 5, (3,), device=d),
    "randperm": lambda d: autograd.randperm(5, device=d),
    "normal": lambda d: autograd.normal(0.0, 1.0, (3,), device=d),
    "Tensor": lambda d: autograd.Tensor([1.0], device=d),
    "default_device": lambda d: _with_default(d),
}


def _with_default(d):
    with autograd.device(d):
        return autograd.zeros(2) + autograd.rand(2) + autograd.tensor([1.0, 2.0])


@pytest.mark.parametrize("name", sorted(FACTORIES))
def test_factories_take_device(device, name):
    t = FACTORIES[name](device)
    assert t.device == device, f"{name} made a tensor on {t.device}"


def test_seeded_random_numbers_per_device(device):
    draws = []
    for _ in range(2):
        autograd.manual_seed(3)
        draws.append([autograd.rand(4, device=device).cpu().numpy(),
                      autograd.randn(3, device=device).cpu().numpy(),
                      autograd.randint(0, 9, (5,), device=device).cpu().numpy()])  # fmt: skip
    for a, b in zip(*draws):
        np.testing.assert_array_equal(a, b)
    # cuda.manual_seed seeds the GPU's generator and leaves the CPU's stream alone
    autograd.manual_seed(0)
    cpu_first = autograd.rand(3).numpy()
    autograd.manual_seed(0)
    autograd.cuda.manual_seed(11)
    np.testing.assert_array_equal(autograd.rand(3).numpy(), cpu_first)
    gpu = autograd.rand(3, device=device).cpu().numpy()
    autograd.cuda.manual_seed(11)
    np.testing.assert_array_equal(autograd.rand(3, device=device).cpu().numpy(), gpu)
    # a Generator made for the device draws there, reproducibly
    g = autograd.Generator(device=device).manual_seed(5)
    a = autograd.rand(3, generator=g, device=device)
    g.manual_seed(5)
    assert a.device == device
    np.testing.assert_array_equal(autograd.rand(3, generator=g, device=device).cpu().numpy(),
                                  a.cpu().numpy())  # fmt: skip
    # dropout in training mode draws on the device
    out = F.dropout(autograd.ones(100, device=device), 0.5, training=True)
    assert out.device == device


# --------------------------------------------------------------------------- mixing devices
MIXES = {
    "Add": lambda x, c: x + c,
    "Mul": lambda x, c: c * x,
    "MatMul": lambda x, c: x @ c.T,
    "Cat": lambda x, c: autograd.cat([x, c]),
    "Where": lambda x, c: autograd.where(x > 0, x, c),
    "Linear": lambda x, c: F.linear(x, c),
    "Maximum": lambda x, c: autograd.maximum(x, c),
    "gather": lambda x, c: x.gather(1, autograd.tensor([[0], [1]])),
    "index_select": lambda x, c: x.index_select(0, autograd.tensor([0])),
    "conv2d": lambda x, c: F.conv2d(x.reshape(1, 1, 2, 3), c.reshape(1, 1, 2, 3)),
    "cross_entropy": lambda x, c: F.cross_entropy(x, autograd.tensor([0, 1])),
    "nll_loss": lambda x, c: F.nll_loss(x, autograd.tensor([0, 1])),
}


@pytest.mark.parametrize("op", sorted(MIXES))
def test_mixing_devices_names_the_op_the_argument_and_both_devices(device, op):
    x = autograd.ones(2, 3, device=device, requires_grad=True)
    c = autograd.ones(2, 3)
    with pytest.raises(RuntimeError) as info:
        MIXES[op](x, c)
    message = str(info.value)
    assert not isinstance(info.value, HostLeak), message
    assert op in message and "cpu" in message and device in message, message
    assert "argument" in message or "index" in message or "target" in message or "value" in message
    assert x.grad is None and x._version == 0  # nothing changed


def test_copy_moves_across_devices_as_torch(device):
    x = autograd.zeros(3, device=device)
    x.copy_(autograd.tensor([1.0, 2.0, 3.0]))
    assert x.device == device and x.tolist() == [1.0, 2.0, 3.0]
    y = autograd.zeros(3)
    y.copy_(x)
    assert y.tolist() == [1.0, 2.0, 3.0]
    z = autograd.zeros(2, 3, device=device)
    z[0] = autograd.tensor([4.0, 5.0, 6.0])  # setitem copies too
    assert z.device == device and z[0].tolist() == [4.0, 5.0, 6.0]


def test_grad_of_another_device_is_refused(device):
    p = autograd.ones(2, device=device, requires_grad=True)
    with pytest.raises(RuntimeError, match="different device"):
        p.grad = autograd.ones(2)
    assert p.grad is None


# --------------------------------------------------------------------------- DLPack
class _FakeCudaExporter:
    """A host array that says it lives on CUDA device 0: from_dlpack must route it there."""

    def __init__(self, t):
        self.t = t

    def __dlpack__(self, **kwargs):
        return self.t.__dlpack__()

    def __dlpack_device__(self):
        return (2, 0)


def test_dlpack_routes_cuda_exporters_to_the_cuda_backend(device):
    if autograd.cuda.is_available():
        pytest.skip("the real CUDA round trip is test_dlpack_with_torch_cuda")
    source = torch.arange(4.0)
    t = autograd.from_dlpack(_FakeCudaExporter(source))
    assert t.device == "cuda:0" and t.tolist() == [0.0, 1.0, 2.0, 3.0]
    source[0] = 7.0  # zero-copy
    assert t[0].item() == 7.0
    back = torch.from_dlpack(autograd.tensor([1.0, 2.0], device=device))
    assert back.tolist() == [1.0, 2.0]


def test_dlpack_without_a_gpu_fails_clearly():
    if autograd.cuda.is_available():
        pytest.skip("a GPU is present")
    with pytest.raises(DeviceError, match="not available"):
        autograd.from_dlpack(_FakeCudaExporter(torch.arange(2.0)))


@pytest.mark.skipif(not (torch.cuda.is_available() and autograd.cuda.is_available()),
                    reason="needs torch with CUDA and cupy on a GPU")  # fmt: skip
def test_dlpack_with_torch_cuda():
    source = torch.arange(6.0, device="cuda").reshape(2, 3)
    ours = autograd.from_dlpack(source)
    assert ours.device == "cuda:0" and ours.shape == (2, 3)
    source[0, 0] = 5.0
    torch.cuda.synchronize()
    assert ours[0, 0].item() == 5.0  # zero-copy
    back = torch.from_dlpack(ours * 2)
    assert back.device.type == "cuda" and back[0, 0].item() == 10.0


# --------------------------------------------------------------------------- cuDNN
def test_cudnn_convolution_is_used_where_available_and_matches_im2col(device):
    """The cuDNN path (cupy's cupyx.cudnn) where the backend offers it; im2col elsewhere.
    Both give the same values and gradients."""
    from nn._functional_conv import _use_cudnn

    backend = autograd.zeros(1, device=device).backend
    expected = autograd.cuda.is_available() and backend.cudnn() is not None
    assert _use_cudnn(backend) == expected
    rng = np.random.default_rng(0)
    x0, w0 = rng.standard_normal((2, 4, 7, 6)), rng.standard_normal((6, 2, 3, 2))
    outs = []
    for dev in ("cpu", device):
        x = autograd.tensor(x0, device=dev, requires_grad=True)
        w = autograd.tensor(w0, device=dev, requires_grad=True)
        y = F.conv2d(x, w, stride=(2, 1), padding=1, dilation=(1, 2), groups=2)
        (y * y).sum().backward()
        outs.append([y.detach().cpu().numpy(), x.grad.cpu().numpy(), w.grad.cpu().numpy()])
    for a, b in zip(*outs):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


# --------------------------------------------------------------------------- gpu_check.sh
@pytest.mark.skipif(shutil.which("nvidia-smi") is not None, reason="a GPU machine")
def test_gpu_check_without_a_gpu_says_so_and_writes_nothing(tmp_path):
    env = {**os.environ, "GPU_CHECK_RESULTS": str(tmp_path), "PATH": "/usr/bin:/bin"}
    run = subprocess.run(["bash", str(ROOT / "bench/gpu_check.sh")], env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert "no NVIDIA GPU here" in run.stdout
    assert not any(tmp_path.iterdir())


def test_gpu_check_with_a_broken_driver_says_so(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "nvidia-smi").write_text("#!/bin/sh\necho 'NVIDIA-SMI has failed' >&2\nexit 9\n")
    (fake / "nvidia-smi").chmod(0o755)
    env = {**os.environ, "GPU_CHECK_RESULTS": str(tmp_path / "out"),
           "PATH": f"{fake}:/usr/bin:/bin"}  # fmt: skip
    run = subprocess.run(["bash", str(ROOT / "bench/gpu_check.sh")], env=env,
                         capture_output=True, text=True, timeout=60)  # fmt: skip
    assert run.returncode == 0 and "nvidia-smi failed" in run.stdout, run.stdout + run.stderr
    assert not (tmp_path / "out").exists()


def test_gpu_check_without_cupy_reports_it(tmp_path):
    """A GPU whose cupy cannot be installed (no network, no wheelhouse): a report that says
    so, and no test or benchmark pretending to have run."""
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "nvidia-smi").write_text(
        "#!/bin/sh\n"
        'case "$1" in --query-gpu*) echo "Fake GPU, 550.0, 81559 MiB";;\n'
        '*) echo "| NVIDIA-SMI 550.0   Driver Version: 550.0   CUDA Version: 12.4 |";; esac\n'
    )
    (fake / "nvidia-smi").chmod(0o755)
    out = tmp_path / "out"
    env = {**os.environ, "GPU_CHECK_RESULTS": str(out), "PATH": f"{fake}:/usr/bin:/bin",
           "CUPY_WHEELHOUSE": str(tmp_path / "no-wheels"), "GPU_CHECK_BUDGET": "60"}  # fmt: skip
    if autograd.cuda.is_available():
        pytest.skip("cupy is installed here")
    run = subprocess.run(["bash", str(ROOT / "bench/gpu_check.sh")], env=env, cwd=ROOT,
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "cupy-cuda12x" in run.stdout and "cupy does not import" in run.stdout
    report = (out / "gpu.md").read_text()
    assert "Fake GPU" in report and "install-cupy-cuda12x | FAILED" in report
    assert "tests-cuda" not in report
