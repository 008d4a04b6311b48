"""Optimizers: PyTorch's update rules over autograd Tensors, and learning-rate schedulers.

import optim
opt = optim.Adam(params, lr=1e-3)
loss.backward(); opt.step(); opt.zero_grad()
"""

from optim import lr_scheduler
from optim.adagrad import Adagrad
from optim.adam import Adam
from optim.adamw import AdamW
from optim.nadam import NAdam
from optim.optimizer import Optimizer, required
from optim.rmsprop import RMSprop
from optim.sgd import SGD

__all__ = [
    "Optimizer", "required", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam",
    "lr_scheduler",
]  # fmt: skip
