"""Regression tests for checkpoints: bad metadata is a ValueError naming the file (never a
RecursionError or an error without the path), torch-written bfloat16 tensors load as float32
with a warning, and a save killed midway leaves nothing that the next save does not remove."""

import json
import os
import re
import subprocess
import sys
import warnings

import numpy as np
import pytest

import autograd
import nn

torch = pytest.importorskip("torch")
safetensors_torch = pytest.importorskip("safetensors.torch")
safetensors_numpy = pytest.importorskip("safetensors.numpy")

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def write_meta(path, tree, arrays=None):
    arrays = arrays or {"w": np.ones(2, np.float32)}
    spec = json.dumps({"version": 1, "tree": tree})
    safetensors_numpy.save_file(arrays, str(path), metadata={"dagrad": spec})


@pytest.mark.parametrize("depth", [200, 5000, 100_000])
def test_deeply_nested_metadata_escapes_as_recursion_error(tmp_path, depth):
    path = tmp_path / "deep.safetensors"
    spec = '{"version": 1, "tree": ' + '{"list": [' * depth + "1" + "]}" * depth + "}"
    safetensors_numpy.save_file({"w": np.ones(2)}, str(path), metadata={"dagrad": spec})
    if depth == 200:  # deep but fine: loads
        out = nn.load(path)
        for _ in range(depth):
            (out,) = out
        assert out == 1
        return
    with pytest.raises(ValueError, match=re.escape(f"'{path}'")):
        nn.load(path)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_])
def test_requires_grad_on_integer_tensor_metadata_escapes_without_path(tmp_path, dtype):
    path = tmp_path / "int.safetensors"
    write_meta(path, {"tensor": "w", "requires_grad": True}, {"w": np.ones(2, dtype)})
    with pytest.raises(ValueError, match=re.escape(f"'{path}'") + ".*requires_grad"):
        nn.load(path)


def test_requires_grad_on_float_tensor_metadata_still_loads(tmp_path):
    path = tmp_path / "f.safetensors"
    write_meta(path, {"tensor": "w", "requires_grad": True})
    assert nn.load(path).requires_grad


@pytest.mark.parametrize(
    "tree",
    [{"tensor": 3}, {"dict": [[1]]}, {"dict": 5}, {"list": 5}, {"tensor": "missing"}, [1, 2]],
)
def test_bad_metadata_is_a_value_error_naming_the_file(tmp_path, tree):
    path = tmp_path / "bad.safetensors"
    write_meta(path, tree)
    with pytest.raises(ValueError, match=re.escape(f"'{path}'")):
        nn.load(path)


def test_torch_written_bfloat16_tensor_is_not_a_safetensors_checkpoint(tmp_path):
    path = tmp_path / "bf16.safetensors"
    rng = np.random.default_rng(0)
    w = torch.tensor(rng.standard_normal((3, 4)), dtype=torch.bfloat16)
    state = {"w": w, "b": torch.arange(3), "h": torch.ones(2, dtype=torch.float16)}
    safetensors_torch.save_file(state, str(path))
    with pytest.warns(UserWarning, match=r"bfloat16 tensors \['w'\].*float32"):
        out = nn.load(path)
    assert out["w"].dtype == np.float32
    np.testing.assert_array_equal(out["w"].numpy(), w.float().numpy())  # widening is exact
    np.testing.assert_array_equal(out["b"].numpy(), state["b"].numpy())
    assert out["h"].dtype == np.float16


def test_bfloat16_state_dict_loads_into_a_module(tmp_path):
    path = tmp_path / "m.safetensors"
    tm = torch.nn.Linear(3, 2).to(torch.bfloat16)
    safetensors_torch.save_file(tm.state_dict(), str(path))
    m = nn.Linear(3, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m.load_state_dict(nn.load(path))
    np.testing.assert_array_equal(m.weight.detach().numpy(), tm.weight.float().detach().numpy())


KILLED_SAVE = """
import os, sys
sys.path.insert(0, {root!r})
import autograd, nn
os.fsync = lambda fd: os._exit(3)  # killed after the bytes are written, before the rename
nn.save({{"w": autograd.ones(1000)}}, {path!r})
"""


def leftovers(directory):
    return [f for f in os.listdir(directory) if f.endswith(".tmp")]


def test_process_killed_during_save_leaves_a_hidden_temporary_file(tmp_path):
    path = str(tmp_path / "ckpt.safetensors")
    nn.save({"w": autograd.zeros(3)}, path)
    code = KILLED_SAVE.format(root=ROOT, path=path)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=120)
    assert proc.returncode == 3, proc.stderr.decode()
    assert len(leftovers(tmp_path)) == 1  # the kill left a full-size temporary file
    np.testing.assert_array_equal(nn.load(path)["w"].numpy(), np.zeros(3))  # old file intact
    nn.save({"w": autograd.ones(2)}, path)
    assert leftovers(tmp_path) == []
    np.testing.assert_array_equal(nn.load(path)["w"].numpy(), np.ones(2))


def test_save_leaves_a_live_writers_temporary_file_alone(tmp_path):
    path = str(tmp_path / "ckpt.safetensors")
    parent = os.getppid()  # alive: our own parent process
    live = tmp_path / f".ckpt.safetensors.{parent}.{'a' * 32}.tmp"
    live.write_bytes(b"x")
    other = tmp_path / ".ckpt.safetensors.notmine.tmp"
    other.write_bytes(b"x")
    nn.save({"w": autograd.ones(2)}, path)
    assert live.exists() and other.exists()


@pytest.mark.parametrize("where", ["open", "fdopen", "fsync", "replace"])
def test_ctrl_c_at_any_step_of_a_save_leaves_no_temporary_file(tmp_path, monkeypatch, where):
    # Ctrl-C is raised at the first check after a call returns: os.open has made the file.
    path = str(tmp_path / "ckpt.safetensors")
    nn.save({"w": autograd.zeros(3)}, path)
    real = getattr(os, where)

    def interrupted(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt

    monkeypatch.setattr(os, where, interrupted)
    with pytest.raises(KeyboardInterrupt):
        nn.save({"w": autograd.ones(2)}, path)
    monkeypatch.undo()
    assert leftovers(tmp_path) == []
    kept = nn.load(path)["w"].numpy()  # the old file, or the new one once the rename is done
    np.testing.assert_array_equal(kept, np.ones(2) if where == "replace" else np.zeros(3))
