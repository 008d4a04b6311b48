"""The command line of `python -m nn.train` (`make run ARGS="..."`)."""

import argparse
import os
import sys

from nn.datasets import DatasetFileError
from nn.train.loop import Config, Interrupted, ResumeError, run
from nn.train.recipes import DEFAULT_RECIPE, OPTIMIZERS, RECIPES


def _number(convert, ok, expected):
    """An argparse type: text converted, then checked; a clear error naming what is wanted."""

    def parse(text):
        try:
            value = convert(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None
        if not ok(value):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}")
        return value

    return parse


_positive_int = _number(int, lambda v: v > 0, "a positive integer")
_seed = _number(int, lambda v: v >= 0, "an integer >= 0")
_positive_float = _number(float, lambda v: v > 0 and v != float("inf"), "a positive number")


def _device(text):
    from backends import DeviceError, available, parse_device

    try:
        device = parse_device(text)
    except DeviceError as e:
        raise argparse.ArgumentTypeError(str(e)) from None
    if device.type not in available():
        raise argparse.ArgumentTypeError(
            f"device {text!r} is not available on this machine (available: {available()})"
        )
    return str(device)


def parser():
    recipes = "\n".join(
        f"  {name:<10} {r.summary}; lr {r.lr:g}, batch {r.batch_size}, {r.epochs} epochs"
        for name, r in RECIPES.items()
    )
    p = argparse.ArgumentParser(
        prog="python -m nn.train",
        description="Train a network on Fashion-MNIST with dagrad, end to end.",
        epilog=f"recipes:\n{recipes}\n\nOutputs in --out: curves.png, confusion_matrix.png, "
        "misclassified.png, graph.svg, metrics.json, checkpoints/epoch-NNN.safetensors.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--recipe", choices=tuple(RECIPES),
                   help=f"what to train (default: {DEFAULT_RECIPE})")  # fmt: skip
    p.add_argument("--epochs", type=_positive_int, help="epochs in all (default: the recipe's)")
    p.add_argument("--batch-size", type=_positive_int, help="default: the recipe's")
    p.add_argument("--lr", type=_positive_float, help="learning rate (default: the recipe's)")
    p.add_argument("--optimizer", choices=tuple(OPTIMIZERS),
                   help="default: the recipe's")  # fmt: skip
    p.add_argument("--device", type=_device, default="cpu", help="cpu (default) or cuda[:N]")
    p.add_argument("--seed", type=_seed,
                   help="seeds the weights and the batch order (default: 0)")  # fmt: skip
    p.add_argument("--out", help="output folder (default: out/RECIPE)")
    p.add_argument("--resume", action="store_true",
                   help="continue from the newest checkpoint in --out, with the settings "
                   "it was made with (a setting given here must agree)")  # fmt: skip
    p.add_argument("--data", default=Config.data,
                   help="folder of the Fashion-MNIST .gz files (default: %(default)s)")  # fmt: skip
    p.add_argument("--limit-train", type=_positive_int, metavar="N",
                   help="train on the first N images only (a quick run)")  # fmt: skip
    p.add_argument("--limit-test", type=_positive_int, metavar="N",
                   help="test on the first N images only")  # fmt: skip
    p.add_argument("--no-progress", action="store_true", help="no progress bars")
    p.add_argument("--no-plots", action="store_true", help="no PNGs and no graph picture")
    p.add_argument("--distributed", action="store_true",
                   help="data-parallel over MPI: mpiexec -n N python -m nn.train --distributed "
                   "(--batch-size per rank; rank 0 logs, plots and checkpoints)")  # fmt: skip
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    settings = dict(vars(args))  # named as Config's fields, but for the two --no-* flags
    progress = not settings.pop("no_progress")
    plots = not settings.pop("no_plots")
    config = Config(**settings, progress=progress, graph=plots, plots=plots)
    if args.distributed:
        _abort_on_error()
    try:
        metrics = run(config)
    except Interrupted as e:
        where = e.checkpoint or "none written yet"
        print(f"\ninterrupted; last complete checkpoint: {where}", file=sys.stderr)
        if e.checkpoint:
            out = os.path.dirname(os.path.dirname(e.checkpoint))
            print(f"continue with: python -m nn.train --out {out} --resume", file=sys.stderr)
        return 130
    except ResumeError as e:
        p.error(str(e))
    except DatasetFileError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    final = metrics["final"]
    if args.distributed:
        import autograd.distributed as dist

        if dist.get_rank() != 0:
            return 0
    if final is not None:
        n = len(metrics["epochs"])
        print(f"done: test accuracy {100 * final['test_acc']:.2f}% after {n} "
              f"epoch{'s' if n != 1 else ''}; outputs in {metrics['out']}")  # fmt: skip
    return 0


def _abort_on_error():
    """An uncaught error on one rank ends the whole MPI job (the others would wait on it in
    an all-reduce for ever), as `python -m mpi4py` does."""
    previous = sys.excepthook

    def hook(kind, value, tb):
        previous(kind, value, tb)
        sys.stderr.flush()
        try:
            from mpi4py import MPI
        except ImportError:
            return
        MPI.COMM_WORLD.Abort(1)

    sys.excepthook = hook


if __name__ == "__main__":
    sys.exit(main())
