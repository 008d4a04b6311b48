"""Training on Fashion-MNIST, dagrad against PyTorch CPU: test accuracy and time per epoch.

For each recipe of `python -m nn.train` (nn/train/recipes.py), both libraries train the same
model from the same initial weights (ours, from --seed, copied into torch's twin) with the
same optimizer and learning rate, on the same batches in the same order (epoch k's order comes
from our DataLoader's (seed, k)). Accuracy is the test accuracy after the last epoch.

Time is the training pass of one epoch (forward, backward, optimizer step and fetching the
batches; not the test pass). The contenders alternate epoch by epoch, in an order that
rotates, so the machine's noise falls on all of them alike; the table gives min and median
over the epochs. PyTorch is timed twice:

  torch DataLoader   torch.utils.data.DataLoader over a TensorDataset, what a PyTorch user
                     writes (one __getitem__ per sample, then default_collate)
  torch indexed      batches cut from the tensors by indexing, PyTorch's fastest host loop

Ours is nn.train's own loop (`nn.train.loop.train_epoch`) over nn.data.DataLoader. PyTorch
runs in a child process, driven epoch by epoch, so the two never compete for the cores.

Run: .venv/bin/python bench/train_epoch.py [--recipes keras-mlp mlp cnn] [--epochs N]
     [--limit-train N] [--cnn-limit-train N] [--torch-threads N] [--json]
On a loaded machine torch's OpenMP threads wait on each other (a step of the keras-mlp took
100 ms with 2 threads and 4 ms with 1 at a load average of 9 on 2 CPUs): check the load
average the report prints, and --torch-threads 1 there.
"""

import argparse
import json
import os
import statistics
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import _cli as cli  # noqa: E402
from _timing import machine, machine_line, table  # noqa: E402

from nn.data import DataLoader  # noqa: E402
from nn.train import loop  # noqa: E402
from nn.train.recipes import RECIPES  # noqa: E402

_clock = time.perf_counter


# --------------------------------------------------------------------------- torch's twin
def torch_twin(model):
    """A torch.nn.Sequential with the same layers as ours and our weights copied in."""
    import torch

    layers = []
    for m in model:
        kind = type(m).__name__
        if kind == "Flatten":
            layers.append(torch.nn.Flatten(m.start_dim, m.end_dim))
        elif kind == "Linear":
            layers.append(torch.nn.Linear(m.in_features, m.out_features, m.bias is not None))
        elif kind == "ReLU":
            layers.append(torch.nn.ReLU())
        elif kind == "Conv2d":
            layers.append(
                torch.nn.Conv2d(
                    m.in_channels,
                    m.out_channels,
                    m.kernel_size,
                    stride=m.stride,
                    padding=m.padding,
                    dilation=m.dilation,
                    groups=m.groups,
                    bias=m.bias is not None,
                )
            )
        elif kind == "MaxPool2d":
            layers.append(torch.nn.MaxPool2d(m.kernel_size, m.stride, m.padding, m.dilation))
        else:
            raise TypeError(f"train_epoch: no torch twin for layer {kind}")
    twin = torch.nn.Sequential(*layers)
    state = {k: torch.from_numpy(v.numpy().copy()) for k, v in model.state_dict().items()}
    twin.load_state_dict(state)
    return twin


def torch_optimizer(name, params, lr):
    import torch

    classes = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
               "nadam": torch.optim.NAdam, "rmsprop": torch.optim.RMSprop,
               "adagrad": torch.optim.Adagrad}  # fmt: skip
    return classes[name](params, lr=lr)


def torch_epoch(model, optimizer, batches):
    import torch

    model.train()
    loss_fn = torch.nn.CrossEntropyLoss()
    total = 0.0
    seen = 0
    for x, y in batches:
        loss = loss_fn(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        total += loss.item() * y.shape[0]
        seen += y.shape[0]
    return total / seen


def torch_accuracy(model, x, y):
    import torch

    model.eval()
    with torch.no_grad():
        predictions = torch.cat([model(x[i : i + 1000]).argmax(1) for i in range(0, len(x), 1000)])
    return float((predictions == y).float().mean())


def as_torch(dataset):
    """(images (N, 1, 28, 28) float32 in [0, 1], labels int64) of a FashionMNIST (Subset)."""
    import torch

    images, labels = loop.images_and_labels(dataset)
    x = torch.from_numpy(images[:, None].astype(np.float32) / np.float32(255))
    return x, torch.from_numpy(labels.astype(np.int64))


# --------------------------------------------------------------------------- torch's side
# PyTorch runs in a child process that trains one epoch when told to. In one process, the
# two libraries' thread pools (numpy's OpenBLAS, torch's OpenMP/MKL) spin-wait after each
# call and take the cores from each other: both ran 3-30x slower than alone.
TORCH_CONTENDERS = ("torch DataLoader", "torch indexed")


def torch_worker(recipe, seed, limit_train, weights, threads):
    """The child: set up both torch twins, then answer "epoch K" and "accuracy" on stdin."""
    import torch

    if threads:
        torch.set_num_threads(threads)

    from autograd.serialization import load

    config = loop.Config(recipe=recipe, seed=seed, limit_train=limit_train).resolved()
    train_set, test_set = loop.load_data(config)
    model, _, _ = loop.build(config)
    model.load_state_dict(load(weights))
    twins = {n: torch_twin(model) for n in TORCH_CONTENDERS}
    opts = {n: torch_optimizer(config.optimizer, m.parameters(), config.lr)
            for n, m in twins.items()}  # fmt: skip
    x_train, y_train = as_torch(train_set)
    x_test, y_test = as_torch(test_set)
    data = torch.utils.data.TensorDataset(x_train, y_train)
    B = config.batch_size
    sampler = DataLoader(train_set, B, shuffle=True, seed=seed)

    def batches(name, order):
        if name == "torch DataLoader":
            return torch.utils.data.DataLoader(data, batch_size=B, sampler=order.tolist())
        return ((x_train[i], y_train[i]) for i in torch.from_numpy(order).split(B))

    print(json.dumps({"ready": True, "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        command = line.split()
        if command[0] == "epoch":
            epoch = int(command[1])
            order = sampler.sample_order(epoch)
            times, losses = {}, {}
            names = TORCH_CONTENDERS[epoch % 2 :] + TORCH_CONTENDERS[: epoch % 2]
            for n in names:
                t0 = _clock()
                losses[n] = torch_epoch(twins[n], opts[n], batches(n, order))
                times[n] = _clock() - t0
            print(json.dumps({"times": times, "losses": losses}), flush=True)
        elif command[0] == "accuracy":
            acc = {n: torch_accuracy(m, x_test, y_test) for n, m in twins.items()}
            print(json.dumps(acc), flush=True)
            return


class TorchChild:
    def __init__(self, recipe, seed, limit_train, weights, threads):
        import subprocess

        cmd = [sys.executable, os.path.abspath(__file__), "--worker", recipe, "--seed",
               str(seed), "--weights", weights]  # fmt: skip
        if limit_train:
            cmd += ["--limit-train", str(limit_train)]
        if threads:
            cmd += ["--torch-threads", str(threads)]
        self.process = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        text=True)  # fmt: skip
        self.info = self._reply()

    def _reply(self):
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the torch worker died (exit code {self.process.wait()})")
        return json.loads(line)

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self._reply()

    def close(self):
        self.process.stdin.close()
        self.process.wait(timeout=60)


# --------------------------------------------------------------------------- one recipe
def bench_recipe(name, epochs, limit_train, seed, log, tmp, threads):
    """Train `name` with dagrad here and with torch in the child, epoch for epoch."""
    from autograd.serialization import save

    config = loop.Config(recipe=name, epochs=epochs, seed=seed, limit_train=limit_train)
    config = config.resolved()
    train_set, test_set = loop.load_data(config)
    model, loss_fn, optimizer = loop.build(config)
    weights = os.path.join(tmp, f"{name}-initial.safetensors")
    save(model.state_dict(), weights)
    child = TorchChild(name, seed, limit_train, weights, threads)
    loader = DataLoader(train_set, config.batch_size, shuffle=True, seed=seed)

    names = ("dagrad",) + TORCH_CONTENDERS
    times = {n: [] for n in names}
    losses = {n: [] for n in names}
    try:
        for epoch in range(epochs):
            torch_first = epoch % 2 == 1  # alternate who goes first
            if torch_first:
                reply = child.ask(f"epoch {epoch}")
            loader.set_epoch(epoch)
            t0 = _clock()
            loss, _, _ = loop.train_epoch(model, loss_fn, optimizer, loader, "cpu", None)
            times["dagrad"].append(_clock() - t0)
            losses["dagrad"].append(loss)
            if not torch_first:
                reply = child.ask(f"epoch {epoch}")
            for n in TORCH_CONTENDERS:
                times[n].append(reply["times"][n])
                losses[n].append(reply["losses"][n])
            log(f"  {name} epoch {epoch + 1}/{epochs}: " + ", ".join(
                f"{n} {times[n][-1]:.2f} s (loss {losses[n][-1]:.4f})" for n in names))  # fmt: skip
        accuracy = child.ask("accuracy")
    finally:
        child.close()
    _, accuracy["dagrad"], _ = loop.evaluate(
        model, loss_fn, DataLoader(test_set, loop.EVAL_BATCH), "cpu"
    )
    return {
        "recipe": name,
        "epochs": epochs,
        "train_images": len(train_set),
        "test_images": len(test_set),
        "batch_size": config.batch_size,
        "optimizer": config.optimizer,
        "lr": config.lr,
        "seed": seed,
        "torch_threads": child.info["threads"],
        "times": times,
        "train_loss": losses,
        "accuracy": accuracy,
    }


# --------------------------------------------------------------------------- report
def _ms(times):
    return f"{min(times):.2f} / {statistics.median(times):.2f}"


def report(results):
    info = results["machine"]
    rows_acc = []
    rows_time = []
    for r in results["recipes"]:
        acc, t = r["accuracy"], r["times"]
        subset = "" if r["train_images"] == 60000 else f" (first {r['train_images']:,} images)"
        label = f"{r['recipe']}{subset}"
        # The torch twins train on the same batches from the same weights: either is "torch".
        rows_acc.append([
            label, r["epochs"], f"{r['optimizer']} lr {r['lr']:g}, batch {r['batch_size']}",
            f"{100 * acc['dagrad']:.2f}%", f"{100 * acc['torch indexed']:.2f}%",
            f"{100 * (acc['dagrad'] - acc['torch indexed']):+.2f}",
        ])  # fmt: skip
        ours = statistics.median(t["dagrad"])
        rows_time.append([
            label, _ms(t["dagrad"]), _ms(t["torch DataLoader"]), _ms(t["torch indexed"]),
            f"{ours / statistics.median(t['torch DataLoader']):.2f}x",
            f"{ours / statistics.median(t['torch indexed']):.2f}x",
        ])  # fmt: skip
    lines = [
        "Test accuracy after the recipe's epochs (same initial weights, batches and order):",
        "",
        table(
            ["recipe", "epochs", "optimizer", "dagrad", "PyTorch CPU", "difference (points)"],
            rows_acc,
        ),  # fmt: skip
        "",
        "Seconds per training epoch, min / median over the epochs; ratio = dagrad's median / "
        "torch's median:",
        "",
        table(
            [
                "recipe",
                "dagrad",
                "torch DataLoader",
                "torch indexed",
                "ratio vs DataLoader",
                "ratio vs indexed",
            ],
            rows_time,
        ),  # fmt: skip
        "",
        f"Machine: {machine_line(info)}; torch threads: {results['torch_threads']}; "
        f"1-minute load average {results['load_before']:.1f} before, "
        f"{results['load_after']:.1f} after (the machine has {info['cpus']} CPUs)",
    ]
    return "\n".join(lines)


def main(argv=None):
    parser = cli.parser(__doc__, quick=False, rounds=False)
    parser.add_argument("--recipes", nargs="+", choices=tuple(RECIPES),
                        default=["keras-mlp", "mlp", "cnn"])  # fmt: skip
    parser.add_argument("--epochs", type=int, default=None, help="default: each recipe's")
    parser.add_argument(
        "--limit-train",
        type=int,
        default=None,
        help="train on the first N images (MLP recipes; default: all 60,000)",
    )
    parser.add_argument(
        "--cnn-limit-train",
        type=int,
        default=0,
        help="the cnn recipe's training subset (default: 0, all 60,000)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--torch-threads",
        type=int,
        default=None,
        help="torch.set_num_threads (default: torch's own, one per core)",
    )
    parser.add_argument("--worker", help=argparse.SUPPRESS)  # the torch child
    parser.add_argument("--weights", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return torch_worker(
            args.worker, args.seed, args.limit_train, args.weights, args.torch_threads
        )

    import tempfile

    def log(message):
        print(message, file=sys.stderr, flush=True)

    results = {"machine": machine(), "recipes": [], "load_before": os.getloadavg()[0]}
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.recipes:
            limit = args.limit_train
            if name == "cnn":
                limit = args.cnn_limit_train or None
            epochs = args.epochs or RECIPES[name].epochs
            log(f"{name}: {epochs} epochs" + (f" on {limit} images" if limit else ""))
            results["recipes"].append(
                bench_recipe(name, epochs, limit, args.seed, log, tmp, args.torch_threads)
            )
    results["torch_threads"] = results["recipes"][0]["torch_threads"]
    results["load_after"] = os.getloadavg()[0]
    print(report(results))
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
