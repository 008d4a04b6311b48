"""The pictures of a run: curves, confusion matrix, misclassified images, the model's graph.

matplotlib draws off screen (the Agg backend); Graphviz's `dot` draws the graph, and without
it the DOT text is written instead.
"""

import importlib.util
import os
import shutil

import numpy as np

import autograd
from autograd import viz

__all__ = [
    "curves", "confusion_matrix", "plot_confusion", "misclassified_grid", "graph_picture",
    "missing_tools",
]  # fmt: skip

GRAPH_MAX_NODES = 200  # a CNN's graph stays readable; larger graphs end in a "... more" box


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def curves(history, path, title):
    """Loss (train, test) and accuracy (train, test) per epoch, side by side."""
    plt = _pyplot()
    epochs = np.arange(1, len(history["train_loss"]) + 1)
    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 4))
    ax_loss.plot(epochs, history["train_loss"], "o-", label="train")
    ax_loss.plot(epochs, history["test_loss"], "s-", label="test")
    ax_loss.set(xlabel="epoch", ylabel="cross-entropy loss", title="loss")
    ax_acc.plot(epochs, 100 * np.asarray(history["train_acc"]), "o-", label="train")
    ax_acc.plot(epochs, 100 * np.asarray(history["test_acc"]), "s-", label="test")
    ax_acc.set(xlabel="epoch", ylabel="accuracy (%)", title="accuracy")
    for ax in (ax_loss, ax_acc):
        ax.grid(alpha=0.3)
        ax.legend()
        ax.xaxis.get_major_locator().set_params(integer=True)
    fig.suptitle(f"Fashion-MNIST, {title}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def confusion_matrix(labels, predictions, num_classes):
    """counts[i, j] = how many images of class i were predicted as class j."""
    counts = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(counts, (np.asarray(labels), np.asarray(predictions)), 1)
    return counts


def plot_confusion(counts, classes, path):
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(8, 7))
    image = ax.imshow(counts, cmap="Blues")
    fig.colorbar(image, ax=ax, fraction=0.046)
    ticks = np.arange(len(classes))
    ax.set_xticks(ticks, classes, rotation=45, ha="right")
    ax.set_yticks(ticks, classes)
    ax.set(xlabel="predicted", ylabel="true")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(f"confusion matrix (test accuracy {100 * accuracy:.2f}%)")
    threshold = counts.max() / 2
    for i in range(counts.shape[0]):
        for j in range(counts.shape[1]):
            color = "white" if counts[i, j] > threshold else "black"
            ax.text(j, i, str(counts[i, j]), ha="center", va="center", color=color, fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def misclassified_grid(images, labels, predictions, classes, path, count=36):
    """The first `count` misclassified test images, each titled "true -> predicted".

    One mosaic in one axes (not a subplot per image): 36 subplots take seconds to lay out."""
    plt = _pyplot()
    wrong = np.flatnonzero(np.asarray(labels) != np.asarray(predictions))[:count]
    cols = 6
    rows = max(1, -(-len(wrong) // cols))
    h, w = images.shape[1:]
    pad_top, pad = 14, 4  # pixels: room for a tile's two-line title, and between tiles
    cell_h, cell_w = h + pad_top + pad, w + pad
    mosaic = np.zeros((rows * cell_h, cols * cell_w), dtype=images.dtype)
    fig, ax = plt.subplots(figsize=(1.6 * cols, 1.9 * rows + 0.4))
    for k, i in enumerate(wrong):
        top, left = (k // cols) * cell_h + pad_top, (k % cols) * cell_w + pad // 2
        mosaic[top : top + h, left : left + w] = images[i]
        title = f"{classes[labels[i]]}\n-> {classes[predictions[i]]}"
        ax.text(left + w / 2, top - 1, title, ha="center", va="bottom", fontsize=7)
    ax.imshow(mosaic, cmap="gray_r", interpolation="nearest")
    ax.axis("off")
    shown = f"{len(wrong)} shown" if len(wrong) else "none misclassified"
    ax.set_title(f"misclassified test images ({shown}): true -> predicted", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def missing_tools(plots):
    """Warnings for the optional packages this run would use but cannot import."""
    wanted = {"tqdm": "progress bars"}
    if plots:
        wanted.update(matplotlib="the PNG plots", graphviz="graph.svg (graph.dot instead)")
    return [
        f"{name} is not installed: no {what} (pip install 'dagrad[train,viz]', or make venv)"
        for name, what in wanted.items()
        if importlib.util.find_spec(name) is None
    ]


def graph_picture(model, loss_fn, dataset, out, device="cpu", samples=2):
    """Draw the graph of the loss on `samples` test images: out/graph.svg, or out/graph.dot
    when Graphviz (the `dot` program or the graphviz package) is missing. Returns the path."""
    loader_batch = [dataset[i] for i in range(min(samples, len(dataset)))]
    x = autograd.stack([image for image, _ in loader_batch])
    y = autograd.tensor([label for _, label in loader_batch], dtype=autograd.int64)
    if device != "cpu":
        x, y = x.to(device), y.to(device)
    options = {"show_grad": False, "max_nodes": GRAPH_MAX_NODES, "rankdir": "TB"}
    if hasattr(viz, "record"):  # module frames: which layer made which ops
        with viz.record(model, name="model") as rec:
            loss = loss_fn(model(x), y)
        options["modules"] = rec
    else:
        loss = loss_fn(model(x), y)
        options["labels"] = {p: name for name, p in model.named_parameters()}
    if shutil.which("dot") is None or importlib.util.find_spec("graphviz") is None:
        path = os.path.join(out, "graph.dot")
        with open(path, "w") as f:
            f.write(viz.to_dot(loss, **options))
        return path
    return viz.save(loss, os.path.join(out, "graph.svg"), **options)
