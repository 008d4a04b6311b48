"""Neural-network layers, losses and initialisation, built from the engine's Tensor ops.

import nn
import nn.functional as F
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
loss = nn.CrossEntropyLoss()(model(x), y)
"""

from nn import data, datasets, functional, init
from nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from nn.attention import MultiheadAttention
from nn.checkpoint import load, save
from nn.containers import ModuleList, Sequential
from nn.conv import Conv2d
from nn.dropout import Dropout
from nn.embedding import Embedding
from nn.lazy import (
    LazyBatchNorm1d,
    LazyBatchNorm2d,
    LazyConv2d,
    LazyLinear,
    UninitializedBuffer,
    UninitializedParameter,
)
from nn.linear import Flatten, Identity, Linear, Maxout
from nn.loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HingeEmbeddingLoss,
    MSELoss,
    NLLLoss,
)
from nn.module import Module, RemovableHandle
from nn.normalization import BatchNorm1d, BatchNorm2d, LayerNorm
from nn.parameter import Parameter
from nn.pooling import AvgPool2d, MaxPool2d
from nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell

__all__ = [
    "functional", "init", "Module", "RemovableHandle", "Parameter", "Sequential", "ModuleList",
    "Identity", "Linear", "Maxout", "Flatten", "Dropout", "Embedding", "ReLU", "LeakyReLU",
    "ELU", "GELU", "Sigmoid", "Tanh", "Softmax", "LogSoftmax", "MSELoss", "CrossEntropyLoss",
    "NLLLoss", "BCELoss", "BCEWithLogitsLoss", "HingeEmbeddingLoss", "save", "load",
    "data", "datasets", "Conv2d", "MaxPool2d", "AvgPool2d", "BatchNorm1d", "BatchNorm2d",
    "LayerNorm", "MultiheadAttention", "RNN", "LSTM", "GRU", "RNNCell", "LSTMCell", "GRUCell",
    "LazyLinear", "LazyConv2d", "LazyBatchNorm1d", "LazyBatchNorm2d", "UninitializedParameter",
    "UninitializedBuffer",
]  # fmt: skip

# --- mpi (data parallel) ---
from nn import parallel  # noqa: E402,F401
