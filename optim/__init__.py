"""Optimizers: PyTorch's update rules over autograd Tensors, and learning-rate schedulers.

import optim
opt = optim.Adam(params, lr=1e-3)
loss.backward(); opt.step(); opt.zero_grad()
"""

from optim import lr_scheduler
from optim.adadelta import Adadelta
from optim.adagrad import Adagrad
from optim.adam import Adam
from optim.adamax import Adamax
from optim.adamw import AdamW
from optim.asgd import ASGD
from optim.lbfgs import LBFGS
from optim.nadam import NAdam
from optim.optimizer import Optimizer, required
from optim.radam import RAdam
from optim.rmsprop import RMSprop
from optim.rprop import Rprop
from optim.sgd import SGD

__all__ = [
    "Optimizer", "required", "SGD", "Adagrad", "RMSprop", "Adam", "AdamW", "NAdam",
    "Adadelta", "Adamax", "RAdam", "ASGD", "LBFGS", "Rprop", "lr_scheduler",
]  # fmt: skip
