"""Checkpoints (nn.save / nn.load, safetensors) and all-or-nothing Module.load_state_dict.

Round trips compare against the saved objects themselves; interchange compares against
PyTorch's own safetensors reader and writer; resumed training against an uninterrupted run.
"""

import math
import os
import re

import numpy as np
import pytest

import autograd
import nn
import optim
from autograd import serialization as checkpoint
from backends import DeviceError

torch = pytest.importorskip("torch", reason="torch is the oracle for checkpoint interchange")
safetensors_torch = pytest.importorskip("safetensors.torch", reason="safetensors is required")
safetensors_numpy = pytest.importorskip("safetensors.numpy", reason="safetensors is required")


def mlp():
    return nn.Sequential(nn.Linear(3, 5), nn.Tanh(), nn.Linear(5, 2))


def torch_mlp():
    return torch.nn.Sequential(torch.nn.Linear(3, 5), torch.nn.Tanh(), torch.nn.Linear(5, 2))


def arrays_of(state):
    return {k: v.detach().numpy().copy() for k, v in state.items()}


def assert_same_arrays(a, b):
    assert list(a) == list(b)
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].shape == b[k].shape, k
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


def data(seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((6, 3)).astype(np.float32)
    y = rng.standard_normal((6, 2)).astype(np.float32)
    return autograd.tensor(x), autograd.tensor(y)


# --------------------------------------------------------------------------- round trips
def test_model_state_dict_round_trip(tmp_path):
    model = mlp()
    path = tmp_path / "model.safetensors"
    nn.save(model.state_dict(), path)
    loaded = nn.load(path)
    assert all(isinstance(v, autograd.Tensor) and v.device == "cpu" for v in loaded.values())
    assert_same_arrays(arrays_of(loaded), arrays_of(model.state_dict()))

    fresh = mlp()
    weight = fresh[0].weight
    result = fresh.load_state_dict(loaded)
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert fresh[0].weight is weight  # copied in place
    x, _ = data()
    np.testing.assert_array_equal(fresh(x).detach().numpy(), model(x).detach().numpy())


def test_nested_structure_round_trip(tmp_path):
    model = mlp()
    opt = optim.Adam(model.parameters(), lr=0.01, betas=(0.8, 0.9))
    x, y = data()
    ((model(x) - y) ** 2).mean().backward()
    opt.step()
    obj = {
        "model": model.state_dict(),
        "optimizer": opt.state_dict(),
        "epoch": 3,
        "history": [0.5, float("inf"), None, "note", True],
        "pair": (1, autograd.arange(3)),
        7: {"1": "str key", 1: "int key"},
    }
    path = tmp_path / "ckpt.safetensors"
    nn.save(obj, path)
    got = nn.load(path)

    assert list(got) == list(obj)
    assert got["epoch"] == 3 and type(got["epoch"]) is int
    assert got["history"] == [0.5, math.inf, None, "note", True]
    assert type(got["history"][-1]) is bool
    assert isinstance(got["pair"], tuple) and got["pair"][0] == 1
    np.testing.assert_array_equal(got["pair"][1].numpy(), np.arange(3))
    assert got[7] == {"1": "str key", 1: "int key"}
    assert_same_arrays(arrays_of(got["model"]), arrays_of(obj["model"]))

    saved_opt, loaded_opt = obj["optimizer"], got["optimizer"]
    assert loaded_opt["param_groups"] == saved_opt["param_groups"]
    assert isinstance(loaded_opt["param_groups"][0]["betas"], tuple)
    assert list(loaded_opt["state"]) == list(saved_opt["state"]) == [0, 1, 2, 3]
    for i, s in saved_opt["state"].items():
        assert_same_arrays(arrays_of(loaded_opt["state"][i]), arrays_of(s))


@pytest.mark.parametrize("dtype", ["float32", "float64", "int64", "int32", "bool"])
def test_dtypes_and_shapes_preserved(tmp_path, dtype):
    rng = np.random.default_rng(1)
    cases = {
        "matrix": (rng.standard_normal((3, 4)) * 10).astype(dtype),
        "scalar": np.asarray(rng.standard_normal() * 10).astype(dtype),
        "empty": np.zeros((0, 2), dtype=dtype),
        "strided": (rng.standard_normal((4, 6)) * 10).astype(dtype)[:, ::2].T,
    }
    obj = {k: autograd.from_numpy(v) for k, v in cases.items()}
    nn.save(obj, tmp_path / "d.safetensors")
    got = nn.load(tmp_path / "d.safetensors")
    assert_same_arrays(arrays_of(got), cases)


def test_requires_grad_and_dotted_name_collisions_round_trip(tmp_path):
    w = autograd.randn(2, 2, requires_grad=True)
    obj = {"a.b": autograd.ones(2), "a": {"b": autograd.zeros(2)}, "w": w, "__metadata__": w}
    nn.save(obj, tmp_path / "c.safetensors")
    got = nn.load(tmp_path / "c.safetensors")
    np.testing.assert_array_equal(got["a.b"].numpy(), np.ones(2, np.float32))
    np.testing.assert_array_equal(got["a"]["b"].numpy(), np.zeros(2, np.float32))
    assert got["w"].requires_grad and got["w"].is_leaf and not got["a.b"].requires_grad
    np.testing.assert_array_equal(got["__metadata__"].detach().numpy(), w.detach().numpy())


# --------------------------------------------------------------------------- resuming training
def train(model, opt, steps, x, y):
    for _ in range(steps):
        opt.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        opt.step()


RESUME = [
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("Adam", dict(lr=0.05)),
]


@pytest.mark.parametrize("name, kwargs", RESUME, ids=[c[0] for c in RESUME])
def test_resumed_training_equals_uninterrupted(tmp_path, name, kwargs):
    x, y = data(2)
    autograd.manual_seed(0)
    straight = mlp()
    start = straight.state_dict()
    start = {k: v.detach().clone() for k, v in start.items()}
    opt = getattr(optim, name)(straight.parameters(), **kwargs)
    train(straight, opt, 4, x, y)
    path = tmp_path / "resume.safetensors"
    nn.save({"model": straight.state_dict(), "optimizer": opt.state_dict(), "epoch": 4}, path)
    train(straight, opt, 4, x, y)

    resumed = mlp()  # another random init: everything must come from the file
    opt2 = getattr(optim, name)(resumed.parameters(), **kwargs)
    ckpt = nn.load(path)
    resumed.load_state_dict(ckpt["model"])
    opt2.load_state_dict(ckpt["optimizer"])
    assert ckpt["epoch"] == 4 and opt2.state  # momentum buffers / moments restored
    train(resumed, opt2, 4, x, y)
    assert_same_arrays(arrays_of(resumed.state_dict()), arrays_of(straight.state_dict()))
    moved = arrays_of(straight.state_dict())
    assert any(not np.array_equal(moved[k], start[k].numpy()) for k in moved)


# --------------------------------------------------------------------------- PyTorch interchange
def assert_same_model(model, tmodel):
    """Ours and torch's hold the same weights under the same names, and compute the same."""
    ours, theirs = model.state_dict(), tmodel.state_dict()
    assert sorted(ours) == sorted(theirs)
    for k, v in ours.items():
        np.testing.assert_array_equal(theirs[k].numpy(), v.numpy(), err_msg=k)
    x, _ = data()
    out = tmodel(torch.from_numpy(x.numpy())).detach().numpy()
    np.testing.assert_allclose(model(x).detach().numpy(), out, rtol=1e-5, atol=1e-6)


def test_our_checkpoint_loads_into_torch(tmp_path):
    model, tmodel = mlp(), torch_mlp()
    path = tmp_path / "ours.safetensors"
    nn.save(model.state_dict(), path)
    tensors = safetensors_torch.load_file(str(path))
    result = tmodel.load_state_dict(tensors)  # strict: same names and shapes
    assert not result.missing_keys and not result.unexpected_keys
    assert_same_model(model, tmodel)


def test_torch_checkpoint_loads_into_ours(tmp_path):
    tmodel = torch_mlp()
    path = tmp_path / "torch.safetensors"
    safetensors_torch.save_file(tmodel.state_dict(), str(path))
    loaded = nn.load(path)
    assert sorted(loaded) == sorted(tmodel.state_dict())
    model = mlp()
    model.load_state_dict(loaded)
    assert_same_model(model, tmodel)


# --------------------------------------------------------------------------- atomic write
def _fail_fsync(monkeypatch):
    def fsync(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", fsync)


def _fail_replace(monkeypatch):
    def replace(src, dst):
        raise KeyboardInterrupt  # even an interrupt must not leave a temporary file

    monkeypatch.setattr(os, "replace", replace)


def _torn_write(monkeypatch):
    """The disk fills up half way through the bytes."""
    real_fdopen = os.fdopen

    class Torn:
        def __init__(self, f):
            self.f = f

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

        def write(self, data):
            self.f.write(data[: len(data) // 2])
            self.f.flush()
            raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fdopen", lambda fd, mode: Torn(real_fdopen(fd, mode)))


@pytest.mark.parametrize("failure", [_fail_fsync, _fail_replace, _torn_write])
def test_failed_save_keeps_old_file_and_leaves_no_temp(tmp_path, monkeypatch, failure):
    path = tmp_path / "ckpt.safetensors"
    nn.save({"w": autograd.ones(50, 50), "epoch": 1}, path)
    before = path.read_bytes()
    failure(monkeypatch)
    with pytest.raises((OSError, KeyboardInterrupt)):
        nn.save({"w": autograd.zeros(50, 50), "epoch": 2}, path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.safetensors"]
    assert nn.load(path)["epoch"] == 1


def test_unsaveable_object_fails_before_touching_the_file(tmp_path):
    path = tmp_path / "ckpt.safetensors"
    nn.save({"epoch": 1}, path)
    before = path.read_bytes()
    with pytest.raises(TypeError, match=r"cannot save a object at 'model\.extra'"):
        nn.save({"model": {"w": autograd.ones(2), "extra": object()}}, path)
    with pytest.raises(TypeError, match="dict keys must be str or int"):
        nn.save({(1, 2): autograd.ones(2)}, path)
    loop = []
    loop.append(loop)
    with pytest.raises(ValueError, match="contains itself"):
        nn.save({"loop": loop}, path)
    assert path.read_bytes() == before and os.listdir(tmp_path) == ["ckpt.safetensors"]
    with pytest.raises(FileNotFoundError, match="no such directory"):
        nn.save({"epoch": 1}, tmp_path / "missing_dir" / "c.safetensors")


def test_written_file_gets_umask_permissions(tmp_path):
    path = tmp_path / "perm.safetensors"
    nn.save({"epoch": 1}, path)
    (tmp_path / "plain").write_bytes(b"")
    assert os.stat(path).st_mode == os.stat(tmp_path / "plain").st_mode


# --------------------------------------------------------------------------- bad files
def test_missing_file_and_directory_name_the_path(tmp_path):
    path = tmp_path / "nope.safetensors"
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        nn.load(path)
    with pytest.raises(IsADirectoryError, match=str(tmp_path.name)):
        nn.load(tmp_path)
    with pytest.raises(DeviceError):
        nn.load(path, device="tpu")


def _good_bytes(tmp_path):
    nn.save({"w": autograd.ones(4, 4), "epoch": 1}, tmp_path / "good.safetensors")
    return (tmp_path / "good.safetensors").read_bytes()


@pytest.mark.parametrize("corrupt", ["truncated", "garbage", "empty", "header_only"])
def test_bad_file_raises_naming_the_path(tmp_path, corrupt):
    good = _good_bytes(tmp_path)
    blob = {
        "truncated": good[:-7],
        "garbage": b"this is not a checkpoint at all" * 3,
        "empty": b"",
        "header_only": good[:12],
    }[corrupt]
    path = tmp_path / f"{corrupt}.safetensors"
    path.write_bytes(blob)
    with pytest.raises(ValueError, match=re.escape(f"'{path}' is not a safetensors checkpoint")):
        nn.load(path)


@pytest.mark.parametrize(
    "spec",
    ["{not json", '{"version": 99, "tree": null}', '{"version": 1, "tree": {"tensor": "gone"}}',
     '{"version": 1, "tree": {"what": 1}}', '{"version": 1, "tree": [1, 2]}'],
)  # fmt: skip
def test_corrupt_metadata_raises_naming_the_path(tmp_path, spec):
    path = tmp_path / "meta.safetensors"
    safetensors_numpy.save_file({"w": np.ones(2)}, str(path), metadata={"dagrad": spec})
    with pytest.raises(ValueError, match=re.escape(f"'{path}' has a corrupt 'dagrad' entry")):
        nn.load(path)


def test_unreadable_dtype_raises_naming_tensor_and_path(tmp_path):
    path = tmp_path / "f8.safetensors"
    safetensors_torch.save_file({"w": torch.ones(2, dtype=torch.float8_e4m3fn)}, str(path))
    with pytest.raises(ValueError, match=r"f8\.safetensors.*tensor 'w'"):
        nn.load(path)


# --------------------------------------------------------------------------- load_state_dict
class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(4, 2)
        self.out = nn.Linear(2, 1)
        self.register_buffer("steps", autograd.zeros(1, dtype=autograd.int64))

    def forward(self, x):
        return self.out(self.fc(x))


def good_state():
    return {k: v + 1 for k, v in TwoLayer().state_dict().items()}


def test_size_mismatch_wording_and_model_unchanged():
    model = TwoLayer()
    before = arrays_of(model.state_dict())
    bad = dict(good_state(), **{"fc.weight": autograd.ones(3, 4)})
    message = (
        "size mismatch for fc.weight: copying a param with shape (3, 4) from checkpoint, "
        "the shape in current model is (2, 4)."
    )
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    assert message in str(info.value)
    assert str(info.value).startswith("Error(s) in loading state_dict for TwoLayer:")
    assert_same_arrays(arrays_of(model.state_dict()), before)
    # a bad key after good ones: the good ones before it are not copied either
    late = dict(good_state(), **{"out.weight": autograd.ones(2, 2)})
    with pytest.raises(RuntimeError, match=r"size mismatch for out\.weight"):
        model.load_state_dict(late)
    assert_same_arrays(arrays_of(model.state_dict()), before)


def test_every_error_reported_at_once_in_torch_order_and_model_unchanged():
    model = TwoLayer()
    before = arrays_of(model.state_dict())
    bad = good_state()
    del bad["out.bias"]
    bad["extra"] = autograd.ones(1)
    bad["out.weight"] = np.ones((1, 3))
    with pytest.raises(RuntimeError) as info:
        model.load_state_dict(bad)
    text = str(info.value)
    missing = text.index('Missing key(s) in state_dict: "out.bias"')
    unexpected = text.index('Unexpected key(s) in state_dict: "extra"')
    mismatch = text.index("size mismatch for out.weight")
    assert missing < unexpected < mismatch
    assert_same_arrays(arrays_of(model.state_dict()), before)

    # torch orders the same messages the same way
    tmodel = torch.nn.Sequential(torch.nn.Linear(2, 1))
    with pytest.raises(RuntimeError) as tinfo:
        tmodel.load_state_dict({"0.weight": torch.ones(1, 3), "extra": torch.ones(1)})
    ttext = str(tinfo.value)
    assert ttext.index("Missing") < ttext.index("Unexpected") < ttext.index("size mismatch")


def test_non_tensor_value_rejected_and_model_unchanged():
    model = TwoLayer()
    before = arrays_of(model.state_dict())
    bad = dict(good_state(), **{"fc.bias": [1.0, 2.0]})
    with pytest.raises(RuntimeError, match=r'parameter named "fc\.bias", expected Tensor'):
        model.load_state_dict(bad)
    assert_same_arrays(arrays_of(model.state_dict()), before)
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like"):
        model.load_state_dict([("fc.bias", autograd.ones(2))])


def test_load_casts_dtype_in_place_and_optimizer_keeps_working(tmp_path):
    model = TwoLayer()
    params = list(model.parameters())
    opt = optim.SGD(model.parameters(), lr=0.1)
    src = {k: v.double() for k, v in good_state().items()}  # float64 (and the int64 buffer)
    src["steps"] = autograd.tensor(np.array([5], dtype=np.int32))
    nn.save(src, tmp_path / "f64.safetensors")
    model.load_state_dict(nn.load(tmp_path / "f64.safetensors"))
    assert list(model.parameters()) == params and all(a is b for a, b in zip(params, params))
    assert all(p.dtype == autograd.float32 and p.requires_grad for p in params)
    assert model.steps.dtype == autograd.int64 and model.steps.item() == 5
    np.testing.assert_array_equal(
        model.fc.weight.detach().numpy(), src["fc.weight"].numpy().astype(np.float32)
    )
    before = model.fc.weight.detach().numpy().copy()
    model(autograd.ones(3, 4)).sum().backward()
    opt.step()  # the optimizer still holds the very parameters that were loaded into
    assert not np.array_equal(model.fc.weight.detach().numpy(), before)


def test_checkpoint_module_exports():
    assert nn.save is checkpoint.save and nn.load is checkpoint.load
