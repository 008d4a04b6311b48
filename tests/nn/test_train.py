"""python -m nn.train end to end on a tiny stand-in for Fashion-MNIST: the loss falls, the
outputs appear, --resume equals an uninterrupted run, Ctrl-C keeps the last checkpoint, and
bad command lines exit with code 2."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import numpy as np
import pytest
from helpers import write_fashion

import autograd
from autograd.serialization import load
from nn.train import loop
from nn.train.__main__ import main

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
QUIET = ["--no-progress", "--no-plots"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return str(write_fashion(tmp_path_factory.mktemp("fashion"), 300, 100))


def train(data, out, *args):
    return main(["--data", data, "--out", str(out), *args])


def weights(checkpoint):
    state = load(checkpoint)
    return {k: v.numpy() for k, v in state["model"].items()}, state


def assert_same_weights(a, b):
    assert a.keys() == b.keys()
    for k in a:
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)


@pytest.fixture(scope="module")
def full_run(data, tmp_path_factory):
    """keras-mlp, 2 epochs, every output on: the run the other tests compare against."""
    out = tmp_path_factory.mktemp("full")
    assert train(data, out, "--epochs", "2", "--lr", "0.1", "--no-progress") == 0
    return out


# --------------------------------------------------------------------------- end to end
def test_loss_falls_and_accuracy_beats_chance(full_run):
    metrics = json.loads((full_run / "metrics.json").read_text())
    epochs = metrics["epochs"]
    assert len(epochs) == 2 and metrics["settings"]["recipe"] == "keras-mlp"
    assert epochs[1]["train_loss"] < epochs[0]["train_loss"]
    assert epochs[1]["test_loss"] < np.log(10)  # below the loss of a uniform guess
    assert metrics["final"]["test_acc"] > 0.3  # chance is 0.1
    assert (metrics["train_images"], metrics["test_images"]) == (300, 100)
    confusion = np.array(metrics["confusion_matrix"])
    assert confusion.shape == (10, 10) and confusion.sum() == 100
    assert np.trace(confusion) / 100 == pytest.approx(metrics["final"]["test_acc"])


def test_outputs_appear(full_run):
    for name in ("curves.png", "confusion_matrix.png", "misclassified.png"):
        assert (full_run / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name
    graph = "graph.svg" if shutil.which("dot") else "graph.dot"
    text = (full_run / graph).read_text()
    assert "relu" in text and ("matmul" in text or "linear" in text)
    assert sorted(os.listdir(full_run / "checkpoints")) == [
        "epoch-001.safetensors",
        "epoch-002.safetensors",
    ]
    w, state = weights(full_run / "checkpoints" / "epoch-002.safetensors")
    assert state["epoch"] == 2 and set(state["optimizer"]) == {"state", "param_groups"}
    assert w["1.weight"].shape == (16, 784) and w["5.bias"].shape == (10,)


def test_graph_has_module_frames(full_run):
    from autograd import viz

    if not hasattr(viz, "record"):
        pytest.skip("autograd.viz has no module record")
    text = (full_run / ("graph.svg" if shutil.which("dot") else "graph.dot")).read_text()
    assert "(Linear)" in text and "1.weight" in text


def test_resume_equals_an_uninterrupted_run(data, full_run, tmp_path):
    assert train(data, tmp_path, "--epochs", "1", "--lr", "0.1", *QUIET) == 0
    assert train(data, tmp_path, "--epochs", "2", "--resume", *QUIET) == 0
    ours, _ = weights(tmp_path / "checkpoints" / "epoch-002.safetensors")
    theirs, _ = weights(full_run / "checkpoints" / "epoch-002.safetensors")
    assert_same_weights(ours, theirs)
    resumed = json.loads((tmp_path / "metrics.json").read_text())["epochs"]
    full = json.loads((full_run / "metrics.json").read_text())["epochs"]
    for a, b in zip(resumed, full):
        assert a["train_loss"] == b["train_loss"] and a["test_acc"] == b["test_acc"]


def test_resume_with_adam_state(data, tmp_path):
    # Adam keeps per-parameter state: the checkpoint must carry it for resume to be exact.
    args = ["--recipe", "mlp", "--batch-size", "50", *QUIET]
    assert train(data, tmp_path / "a", "--epochs", "2", *args) == 0
    assert train(data, tmp_path / "b", "--epochs", "1", *args) == 0
    assert train(data, tmp_path / "b", "--epochs", "2", "--resume", *QUIET) == 0
    a, state = weights(tmp_path / "a" / "checkpoints" / "epoch-002.safetensors")
    b, _ = weights(tmp_path / "b" / "checkpoints" / "epoch-002.safetensors")
    assert_same_weights(a, b)
    assert state["optimizer"]["state"][0]["step"].item() == 12  # 2 epochs of 6 batches


def test_ctrl_c_keeps_the_last_checkpoint(data, full_run, tmp_path, monkeypatch, capsys):
    real = loop.train_epoch
    calls = []

    def interrupted_in_epoch_2(*args):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(loop, "train_epoch", interrupted_in_epoch_2)
    assert train(data, tmp_path, "--epochs", "2", "--lr", "0.1", *QUIET) == 130
    assert "last complete checkpoint" in capsys.readouterr().err
    assert os.listdir(tmp_path / "checkpoints") == ["epoch-001.safetensors"]
    monkeypatch.setattr(loop, "train_epoch", real)
    assert train(data, tmp_path, "--resume", *QUIET) == 0
    ours, _ = weights(tmp_path / "checkpoints" / "epoch-002.safetensors")
    theirs, _ = weights(full_run / "checkpoints" / "epoch-002.safetensors")
    assert_same_weights(ours, theirs)


def test_a_real_sigint_leaves_loadable_checkpoints(data, tmp_path):
    # Epochs of 300 images take tens of milliseconds, so the signal lands at a random point:
    # in a batch, in the test pass, or while a checkpoint is being written.
    cmd = [sys.executable, "-m", "nn.train", "--data", data, "--out", str(tmp_path),
           "--epochs", "500", *QUIET]  # fmt: skip
    child = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        while loop.latest_checkpoint(str(tmp_path)) is None or not os.path.exists(
            loop.checkpoint_path(str(tmp_path), 3)
        ):
            assert time.monotonic() < deadline and child.poll() is None, child.stderr.read()
            time.sleep(0.02)
        child.send_signal(signal.SIGINT)
        _, err = child.communicate(timeout=60)
    finally:
        child.kill()
    assert child.returncode == 130, err
    assert "last complete checkpoint" in err and "Traceback" not in err
    names = os.listdir(tmp_path / "checkpoints")
    assert all(name.startswith("epoch-") for name in names), names  # no temporary file left
    last = load(loop.latest_checkpoint(str(tmp_path)))
    assert last["epoch"] == int(sorted(names)[-1][6:9]) >= 3
    assert train(data, tmp_path, "--resume", "--epochs", str(last["epoch"] + 1), *QUIET) == 0
    assert load(loop.latest_checkpoint(str(tmp_path)))["epoch"] == last["epoch"] + 1


def test_progress_bar_and_summary_lines(data, tmp_path, capsys):
    assert train(data, tmp_path, "--epochs", "1", "--no-plots") == 0
    captured = capsys.readouterr()
    assert "epoch 1/1" in captured.err and "img/s" in captured.err  # the tqdm bar
    summary = [line for line in captured.out.splitlines() if line.startswith("epoch 1/1")]
    assert len(summary) == 1
    assert "train loss" in summary[0] and "test acc" in summary[0] and "img/s" in summary[0]


def test_cnn_recipe_trains(data, tmp_path):
    pytest.importorskip("nn.conv", reason="nn.conv (Conv2d) is not there yet")
    pytest.importorskip("nn.pooling", reason="nn.pooling (MaxPool2d) is not there yet")
    args = ["--recipe", "cnn", "--epochs", "2", "--limit-train", "200", "--lr", "0.003"]
    assert train(data, tmp_path, *args, *QUIET) == 0
    epochs = json.loads((tmp_path / "metrics.json").read_text())["epochs"]
    assert epochs[1]["train_loss"] < epochs[0]["train_loss"]
    w, _ = weights(tmp_path / "checkpoints" / "epoch-002.safetensors")
    assert w["0.weight"].shape == (6, 1, 5, 5) and w["3.weight"].shape == (16, 6, 5, 5)


def test_limits_and_seed_change_the_run(data, tmp_path):
    assert train(data, tmp_path / "a", "--epochs", "1", "--limit-train", "50", *QUIET) == 0
    assert train(data, tmp_path / "b", "--epochs", "1", "--limit-train", "50", "--seed", "1",
                 *QUIET) == 0  # fmt: skip
    a = json.loads((tmp_path / "a" / "metrics.json").read_text())
    b = json.loads((tmp_path / "b" / "metrics.json").read_text())
    assert a["train_images"] == 50 and a["settings"]["seed"] == 0 and b["settings"]["seed"] == 1
    wa, _ = weights(tmp_path / "a" / "checkpoints" / "epoch-001.safetensors")
    wb, _ = weights(tmp_path / "b" / "checkpoints" / "epoch-001.safetensors")
    assert not np.array_equal(wa["1.weight"], wb["1.weight"])


# --------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "args, message",
    [
        (["--epochs", "0"], "expected a positive integer"),
        (["--epochs", "two"], "expected a positive integer"),
        (["--batch-size", "-3"], "expected a positive integer"),
        (["--lr", "-0.1"], "expected a positive number"),
        (["--lr", "nan"], "expected a positive number"),
        (["--seed", "-1"], "expected an integer >= 0"),
        (["--recipe", "resnet"], "invalid choice: 'resnet'"),
        (["--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
        (["--device", "tpu"], "unknown device 'tpu'"),
        (["--limit-train", "0"], "expected a positive integer"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_values_exit_with_code_2(args, message, capsys):
    with pytest.raises(SystemExit) as info:
        main(args)
    assert info.value.code == 2
    assert message in capsys.readouterr().err


def test_unavailable_cuda_exits_with_code_2(capsys):
    if "cuda" in autograd.available():
        pytest.skip("a GPU is available here")
    with pytest.raises(SystemExit) as info:
        main(["--device", "cuda"])
    assert info.value.code == 2 and "not available" in capsys.readouterr().err


def test_resume_errors_exit_with_code_2(data, full_run, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        train(data, tmp_path, "--resume")
    assert info.value.code == 2 and "no checkpoint" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        train(data, full_run, "--resume", "--lr", "0.5", *QUIET)
    assert info.value.code == 2 and "lr=0.1" in capsys.readouterr().err


def test_missing_data_is_explained(tmp_path, capsys):
    assert main(["--data", str(tmp_path / "nothing"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "train-images-idx3-ubyte.gz" in err and "apt-get install dataset-fashion-mnist" in err


def test_help_lists_recipes_and_flags():
    done = subprocess.run([sys.executable, "-m", "nn.train", "--help"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert done.returncode == 0
    for word in ("keras-mlp", "mlp", "cnn", "--epochs", "--batch-size", "--lr", "--optimizer",
                 "--device", "--seed", "--out", "--resume"):  # fmt: skip
        assert word in done.stdout


@pytest.mark.parametrize("flags", [[], QUIET])
def test_command_line_fills_every_config_field(flags, monkeypatch):
    import nn.train.__main__ as cli

    seen = []
    monkeypatch.setattr(cli, "run", lambda config: seen.append(config) or {"final": None})
    argv = ["--recipe", "mlp", "--epochs", "3", "--batch-size", "7", "--lr", "0.5"]
    argv += ["--optimizer", "adam", "--seed", "4", "--out", "o", "--resume", "--data", "d"]
    argv += ["--limit-train", "9", "--limit-test", "8", *flags]
    main(argv)
    shown = flags == []
    assert seen == [
        loop.Config(recipe="mlp", epochs=3, batch_size=7, lr=0.5, optimizer="adam", device="cpu",
                    seed=4, out="o", resume=True, data="d", limit_train=9, limit_test=8,
                    progress=shown, graph=shown, plots=shown, distributed=False)
    ]  # fmt: skip
