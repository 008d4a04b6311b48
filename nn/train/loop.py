"""The training run: data, model, optimizer, the epoch loop, checkpoints and resuming.

One epoch is: train over the shuffled training set (a tqdm bar with loss and images/s), test
on the whole test set, write a checkpoint, update metrics.json and the curves. A run that is
resumed continues from the newest checkpoint and ends with the same weights as one that was
never stopped: the model's weights come from the seed, epoch k's batch order from (seed, k),
and the checkpoint holds the rest (weights, optimizer state, history).
"""

import importlib.util
import json
import os
import re
import sys
import time
from dataclasses import dataclass, replace

import autograd
import nn
from autograd.serialization import atomic_write
from nn.data import DataLoader, Subset
from nn.datasets import FashionMNIST
from nn.train.recipes import DEFAULT_RECIPE, OPTIMIZERS, RECIPES, make_optimizer

__all__ = ["Config", "Interrupted", "ResumeError", "run", "latest_checkpoint", "checkpoint_path"]

# The settings that decide the result: a resumed run must use the ones it was started with.
RESULT_SETTINGS = ("recipe", "batch_size", "lr", "optimizer", "seed", "limit_train", "limit_test")

EVAL_BATCH = 1000


@dataclass
class Config:
    """The settings of a run; None means the recipe's value (or, with resume, the saved one)."""

    recipe: str = None  # None: DEFAULT_RECIPE
    epochs: int = None
    batch_size: int = None
    lr: float = None
    optimizer: str = None
    device: str = "cpu"
    seed: int = None  # None: 0
    out: str = None  # None: out/RECIPE
    resume: bool = False
    data: str = FashionMNIST.default_root
    limit_train: int = None  # the first N training images only (quick runs)
    limit_test: int = None
    progress: bool = True
    graph: bool = True
    plots: bool = True
    distributed: bool = False  # one rank of `mpiexec -n N`: shards the data, rank 0 writes

    def resolved(self, saved=None):
        """A copy with every None filled in: from `saved` (a checkpoint's settings) first,
        then from the recipe."""
        c = replace(self)
        for key, value in (saved or {}).items():
            if getattr(c, key) is None:
                setattr(c, key, value)
        c.recipe = DEFAULT_RECIPE if c.recipe is None else c.recipe
        c.seed = 0 if c.seed is None else c.seed
        c.out = f"out/{c.recipe}" if c.out is None else c.out
        recipe = RECIPES[c.recipe]
        c.epochs = recipe.epochs if c.epochs is None else c.epochs
        c.batch_size = recipe.batch_size if c.batch_size is None else c.batch_size
        if c.optimizer is None:
            c.optimizer = recipe.optimizer
            c.lr = recipe.lr if c.lr is None else c.lr
        elif c.lr is None:
            c.lr = recipe.lr if c.optimizer == recipe.optimizer else OPTIMIZERS[c.optimizer][1]
        return c


class ResumeError(ValueError):
    """--resume found no checkpoint, or one made with other settings than those asked for."""


class Interrupted(Exception):
    """Ctrl-C during a run: carries the last complete checkpoint (or None)."""

    def __init__(self, checkpoint):
        super().__init__(checkpoint)
        self.checkpoint = checkpoint


# --------------------------------------------------------------------------- checkpoints
_CHECKPOINT = re.compile(r"epoch-(\d+)\.safetensors$")


def checkpoint_path(out, epoch):
    return os.path.join(out, "checkpoints", f"epoch-{epoch:03d}.safetensors")


def latest_checkpoint(out):
    """The checkpoint of the highest epoch in out/checkpoints, or None."""
    folder = os.path.join(out, "checkpoints")
    if not os.path.isdir(folder):
        return None
    found = [
        (int(m.group(1)), name) for name in os.listdir(folder) if (m := _CHECKPOINT.match(name))
    ]
    if not found:
        return None
    return os.path.join(folder, max(found)[1])


def _save_checkpoint(config, model, optimizer, epoch, history):
    from autograd.serialization import save

    path = checkpoint_path(config.out, epoch)
    settings = {k: getattr(config, k) for k in RESULT_SETTINGS}
    save(
        {
            "model": model.state_dict(),
            "optimizer": optimizer.state_dict(),
            "epoch": epoch,
            "settings": settings,
            "history": history,
        },
        path,
    )
    return path


def read_checkpoint(path, device="cpu"):
    from autograd.serialization import load

    state = load(path, device=device)
    missing = {"model", "optimizer", "epoch", "settings", "history"} - set(state)
    if missing:
        raise ValueError(f"{path} is not a training checkpoint (no {sorted(missing)})")
    return state


# --------------------------------------------------------------------------- data
def load_data(config):
    train = FashionMNIST(config.data, train=True)
    test = FashionMNIST(config.data, train=False)
    if config.limit_train is not None:
        train = Subset(train, range(min(config.limit_train, len(train))))
    if config.limit_test is not None:
        test = Subset(test, range(min(config.limit_test, len(test))))
    return train, test


def images_and_labels(dataset):
    """The uint8 images and int64 labels behind a FashionMNIST or a Subset of one."""
    if isinstance(dataset, Subset):
        return dataset.dataset.data[dataset.indices], dataset.dataset.targets[dataset.indices]
    return dataset.data, dataset.targets


# --------------------------------------------------------------------------- epochs
def train_epoch(model, loss_fn, optimizer, loader, device, bar):
    """One pass over loader; returns (mean loss, accuracy, number of samples)."""
    model.train()
    total_loss = 0.0
    correct = 0
    seen = 0
    for step, (x, y) in enumerate(loader):
        if device != "cpu":
            x, y = x.to(device), y.to(device)
        logits = model(x)
        loss = loss_fn(logits, y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        n = y.shape[0]
        total_loss += loss.item() * n
        with autograd.no_grad():
            correct += int((logits.argmax(dim=1) == y).sum().item())
        seen += n
        if bar is not None:
            bar.update(n)
            if step % 50 == 0:
                bar.set_postfix(loss=f"{total_loss / seen:.4f}", refresh=False)
    return total_loss / max(seen, 1), correct / max(seen, 1), seen


@autograd.no_grad()
def evaluate(model, loss_fn, loader, device):
    """(mean loss, accuracy, predicted labels as a numpy array) over loader."""
    model.eval()
    total_loss = 0.0
    predictions = []
    labels = []
    for x, y in loader:
        if device != "cpu":
            x, y = x.to(device), y.to(device)
        logits = model(x)
        total_loss += loss_fn(logits, y).item() * y.shape[0]
        predictions.append(logits.argmax(dim=1))
        labels.append(y)
    predictions = autograd.cat(predictions)
    accuracy = (predictions == autograd.cat(labels)).to(autograd.float64).mean().item()
    return total_loss / len(predictions), accuracy, predictions.cpu().numpy()


def _progress_bar(config, epoch, total):
    if not config.progress:
        return None
    from tqdm import tqdm

    return tqdm(
        total=total,
        desc=f"epoch {epoch}/{config.epochs}",
        unit="img",
        unit_scale=True,
        leave=False,
        dynamic_ncols=True,
        file=sys.stderr,
    )


def _log(message, config):
    if getattr(config, "_rank", 0):
        return  # distributed: rank 0 speaks for all
    if config.progress:
        from tqdm import tqdm

        tqdm.write(message, file=sys.stdout)
    else:
        print(message, flush=True)


# --------------------------------------------------------------------------- the run
def build(config):
    """(model, loss_fn, optimizer) for a resolved config, the model's weights from the seed."""
    autograd.manual_seed(config.seed)
    model = RECIPES[config.recipe].build()
    if config.device != "cpu":
        model.to(config.device)
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr)
    return model, nn.CrossEntropyLoss(), optimizer


def _write_json(path, obj):
    atomic_write(path, (json.dumps(obj, indent=2) + "\n").encode())


def run(config):
    """Train as config says; returns the metrics dict (also written to out/metrics.json).

    Raises Interrupted on Ctrl-C (the last complete checkpoint stays in place), and
    ResumeError when resume finds no checkpoint or one made with other settings.
    """
    state = None
    checkpoint = None
    if config.resume:
        out = config.resolved().out
        checkpoint = latest_checkpoint(out)
        if checkpoint is None:
            raise ResumeError(f"--resume: no checkpoint in {os.path.join(out, 'checkpoints')}")
        state = read_checkpoint(checkpoint, device=config.device)
        asked = config.resolved(state["settings"])
        for key in RESULT_SETTINGS:
            if state["settings"].get(key) != getattr(asked, key):
                raise ResumeError(
                    f"--resume: {checkpoint} was made with {key}={state['settings'].get(key)!r}, "
                    f"this run asks for {key}={getattr(asked, key)!r}"
                )
    config = config.resolved(None if state is None else state["settings"])
    os.makedirs(os.path.join(config.out, "checkpoints"), exist_ok=True)
    try:
        return _run(config, state, checkpoint)
    except KeyboardInterrupt:
        # Checkpoints are written atomically: the newest one on disk is complete.
        raise Interrupted(latest_checkpoint(config.out)) from None


def _run(config, state, checkpoint):
    from nn.train import report

    for warning in report.missing_tools(config.plots):
        print(f"warning: {warning}", file=sys.stderr)
    if importlib.util.find_spec("matplotlib") is None:
        config.plots = False
    if importlib.util.find_spec("tqdm") is None:
        config.progress = False
    dist = world = None
    rank = 0
    if config.distributed:
        import autograd.distributed as dist

        if not dist.is_initialized():
            dist.init_process_group("mpi")
        rank, world = dist.get_rank(), dist.get_world_size()
        config._rank = rank
        if rank != 0:
            config.progress = config.graph = config.plots = False
    lead = rank == 0  # the one that logs, plots and writes checkpoints
    train_set, test_set = load_data(config)
    model, loss_fn, optimizer = build(config)
    trained = model
    if config.distributed:
        from nn.parallel import DistributedDataParallel

        trained = DistributedDataParallel(model)
    history = {k: [] for k in ("train_loss", "train_acc", "test_loss", "test_acc", "epoch_s")}
    start = 0
    if state is not None:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        start = state["epoch"]
        history = {k: list(v) for k, v in state["history"].items()}
        _log(f"resumed from {checkpoint} (epoch {start} done)", config)

    if config.distributed:  # --batch-size is per rank: N ranks step on N * B images
        from nn.data import DistributedSampler

        sampler = DistributedSampler(train_set, world, rank, shuffle=True, seed=config.seed)
        train_loader = DataLoader(train_set, batch_size=config.batch_size, sampler=sampler)
    else:
        sampler = train_loader = DataLoader(
            train_set, batch_size=config.batch_size, shuffle=True, seed=config.seed
        )
    test_loader = DataLoader(test_set, batch_size=EVAL_BATCH)
    if config.graph:
        report.graph_picture(model, loss_fn, test_set, config.out, device=config.device)

    metrics = None
    predictions = None
    for epoch in range(start, config.epochs):
        sampler.set_epoch(epoch)
        bar = _progress_bar(
            config, epoch + 1, len(sampler) if config.distributed else len(train_set)
        )
        t0 = time.perf_counter()
        try:
            train_loss, train_acc, seen = train_epoch(
                trained, loss_fn, optimizer, train_loader, config.device, bar
            )
        finally:
            if bar is not None:
                bar.close()
        if config.distributed:  # the whole training set's figures, from every rank's shard
            sums = autograd.tensor([train_loss * seen, train_acc * seen, seen], dtype="float64")
            dist.all_reduce(sums)
            total, correct, seen = sums.tolist()
            train_loss, train_acc, seen = total / seen, correct / seen, int(seen)
        epoch_s = time.perf_counter() - t0
        test_loss, test_acc, predictions = evaluate(model, loss_fn, test_loader, config.device)
        test_s = time.perf_counter() - t0 - epoch_s
        for key, value in zip(history, (train_loss, train_acc, test_loss, test_acc, epoch_s)):
            history[key].append(value)
        if lead:
            checkpoint = _save_checkpoint(config, model, optimizer, epoch + 1, history)
        _log(
            f"epoch {epoch + 1}/{config.epochs}  train loss {train_loss:.4f}  "
            f"train acc {100 * train_acc:.2f}%  test loss {test_loss:.4f}  "
            f"test acc {100 * test_acc:.2f}%  time {epoch_s:.1f} s "
            f"({seen / epoch_s:,.0f} img/s) + {test_s:.1f} s test",
            config,
        )
        metrics = _metrics(config, history, train_set, test_set, checkpoint)
        if lead:
            _write_json(os.path.join(config.out, "metrics.json"), metrics)
        if config.plots:
            report.curves(history, os.path.join(config.out, "curves.png"), config.recipe)

    if predictions is None:  # nothing left to train: test the resumed model once
        _, _, predictions = evaluate(model, loss_fn, test_loader, config.device)
        metrics = _metrics(config, history, train_set, test_set, checkpoint)
    images, labels = images_and_labels(test_set)
    confusion = report.confusion_matrix(labels, predictions, len(FashionMNIST.classes))
    metrics["confusion_matrix"] = confusion.tolist()
    if lead:
        _write_json(os.path.join(config.out, "metrics.json"), metrics)
    if config.plots:
        report.curves(history, os.path.join(config.out, "curves.png"), config.recipe)
        report.plot_confusion(confusion, FashionMNIST.classes,
                              os.path.join(config.out, "confusion_matrix.png"))  # fmt: skip
        report.misclassified_grid(images, labels, predictions, FashionMNIST.classes,
                                  os.path.join(config.out, "misclassified.png"))  # fmt: skip
    return metrics


def _metrics(config, history, train_set, test_set, checkpoint):
    settings = {k: getattr(config, k) for k in ("recipe", "epochs", "batch_size", "lr",
                                                "optimizer", "seed", "device")}  # fmt: skip
    if config.distributed:
        import autograd.distributed as dist

        settings["world_size"] = dist.get_world_size()
    epochs = [
        {"epoch": i + 1, **{k: v[i] for k, v in history.items()}}
        for i in range(len(history["train_loss"]))
    ]
    return {
        "settings": settings,
        "out": config.out,
        "train_images": len(train_set),
        "test_images": len(test_set),
        "epochs": epochs,
        "final": epochs[-1] if epochs else None,
        "checkpoint": checkpoint,
    }
