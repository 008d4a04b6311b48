"""Train a network on Fashion-MNIST with dagrad, end to end: `python -m nn.train --help`.

    python -m nn.train                          # the seed's 784-16-16-10 MLP, 5 epochs
    python -m nn.train --recipe mlp --out out/mlp
    python -m nn.train --recipe cnn --epochs 1 --limit-train 5000
    python -m nn.train --out out/mlp --resume  # continue from the newest checkpoint

Writes into --out: curves.png, confusion_matrix.png, misclassified.png, graph.svg,
metrics.json and checkpoints/epoch-NNN.safetensors (model and optimizer, each epoch).
"""

from nn.train.loop import Config, Interrupted, run
from nn.train.recipes import DEFAULT_RECIPE, RECIPES

__all__ = ["Config", "Interrupted", "run", "RECIPES", "DEFAULT_RECIPE"]
