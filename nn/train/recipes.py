"""The recipes: a model, an optimizer with its learning rate, a batch size and an epoch count.

keras-mlp  the seed lecture's network: Flatten -> Dense(16, relu) -> Dense(16, relu) ->
           Dense(10, softmax), SGD lr 0.01, batch 10, 5 epochs (softmax lives in the loss)
mlp        a wider MLP, 784-256-256-10, Adam lr 1e-3, batch 64, 5 epochs
cnn        LeNet-5 style: two 5x5 convolutions with ReLU and 2x2 max pooling, then 120-84-10,
           Adam lr 1e-3, batch 64, 5 epochs
"""

from dataclasses import dataclass
from typing import Callable

import nn
import optim

__all__ = ["Recipe", "RECIPES", "DEFAULT_RECIPE", "OPTIMIZERS", "make_optimizer"]


@dataclass(frozen=True)
class Recipe:
    name: str
    summary: str
    build: Callable[[], nn.Module]  # called after the seed is set
    optimizer: str
    lr: float
    batch_size: int
    epochs: int


def _mlp(*widths):
    """Flatten, then a Linear layer from each width to the next, with a ReLU between two."""
    layers = [nn.Flatten()]
    for fan_in, fan_out in zip(widths, widths[1:]):
        layers += [nn.Linear(fan_in, fan_out), nn.ReLU()]
    return nn.Sequential(*layers[:-1])


def keras_mlp():
    return _mlp(784, 16, 16, 10)


def mlp():
    return _mlp(784, 256, 256, 10)


def cnn():
    # Imported here: the convolution layers live in their own modules and only this recipe
    # needs them, so the MLP recipes run without them.
    from nn.conv import Conv2d
    from nn.pooling import MaxPool2d

    return nn.Sequential(
        Conv2d(1, 6, kernel_size=5, padding=2),  # (N, 6, 28, 28)
        nn.ReLU(),
        MaxPool2d(2),  # (N, 6, 14, 14)
        Conv2d(6, 16, kernel_size=5),  # (N, 16, 10, 10)
        nn.ReLU(),
        MaxPool2d(2),  # (N, 16, 5, 5)
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.ReLU(),
        nn.Linear(120, 84),
        nn.ReLU(),
        nn.Linear(84, 10),
    )


RECIPES = {
    r.name: r
    for r in (
        Recipe("keras-mlp", "the seed's 784-16-16-10 MLP, SGD", keras_mlp, "sgd", 0.01, 10, 5),
        Recipe("mlp", "a 784-256-256-10 MLP, Adam", mlp, "adam", 1e-3, 64, 5),
        Recipe(
            "cnn", "a LeNet-style CNN (Conv2d, ReLU, MaxPool2d), Adam", cnn, "adam", 1e-3, 64, 5
        ),
    )
}
DEFAULT_RECIPE = "keras-mlp"

# optimizer name -> (class, learning rate used when the recipe's optimizer is replaced)
OPTIMIZERS = {
    "sgd": (optim.SGD, 0.01),
    "adam": (optim.Adam, 1e-3),
    "adamw": (optim.AdamW, 1e-3),
    "nadam": (optim.NAdam, 2e-3),
    "rmsprop": (optim.RMSprop, 1e-3),
    "adagrad": (optim.Adagrad, 1e-2),
}


def make_optimizer(name, params, lr):
    """optimizer `name` (a key of OPTIMIZERS) over params with learning rate lr."""
    cls, _ = OPTIMIZERS[name]
    return cls(params, lr=lr)
