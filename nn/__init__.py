"""Neural-network layers, losses and initialisation, built from the engine's Tensor ops.

import nn
import nn.functional as F
model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))
loss = nn.CrossEntropyLoss()(model(x), y)
"""

from autograd.serialization import load, save
from nn import data, datasets, functional, init
from nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from nn.attention import MultiheadAttention
from nn.containers import ModuleList, Sequential
from nn.conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
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
from nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool1d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
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

# (helper nnlayers) the rest of torch.nn's common layers
from nn import utils  # noqa: E402
from nn.activation import (  # noqa: E402
    CELU,
    GLU,
    SELU,
    Hardshrink,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    PReLU,
    ReLU6,
    SiLU,
    Softmax2d,
    Softmin,
    Softplus,
    Softshrink,
    Softsign,
    Tanhshrink,
    Threshold,
)
from nn.containers import ModuleDict, ParameterDict, ParameterList  # noqa: E402
from nn.distance import CosineSimilarity, PairwiseDistance  # noqa: E402
from nn.dropout import AlphaDropout, Dropout1d, Dropout2d  # noqa: E402
from nn.linear import Bilinear, Unflatten  # noqa: E402
from nn.loss import (  # noqa: E402
    CosineEmbeddingLoss,
    GaussianNLLLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MarginRankingLoss,
    PoissonNLLLoss,
    SmoothL1Loss,
    SoftMarginLoss,
    TripletMarginLoss,
)
from nn.normalization import GroupNorm, InstanceNorm1d, InstanceNorm2d  # noqa: E402
from nn.transformer import TransformerEncoder, TransformerEncoderLayer  # noqa: E402
from nn.upsampling import (  # noqa: E402
    ConstantPad1d,
    ConstantPad2d,
    PixelShuffle,
    PixelUnshuffle,
    ReflectionPad1d,
    ReflectionPad2d,
    ReplicationPad1d,
    ReplicationPad2d,
    Upsample,
    UpsamplingBilinear2d,
    UpsamplingNearest2d,
    ZeroPad1d,
    ZeroPad2d,
)

__all__ += [
    "utils", "SiLU", "Softplus", "Mish", "Hardtanh", "ReLU6", "Hardswish", "Hardsigmoid",
    "PReLU", "LogSigmoid", "Softsign", "Tanhshrink", "CELU", "SELU", "GLU", "Threshold",
    "Softmax2d", "Softmin", "Hardshrink", "Softshrink", "ModuleDict", "ParameterList",
    "ParameterDict", "Conv1d", "ConvTranspose1d", "ConvTranspose2d", "CosineSimilarity",
    "PairwiseDistance", "Dropout1d", "Dropout2d", "AlphaDropout", "Unflatten", "Bilinear",
    "L1Loss", "SmoothL1Loss", "HuberLoss", "KLDivLoss", "SoftMarginLoss", "MarginRankingLoss",
    "CosineEmbeddingLoss", "TripletMarginLoss", "PoissonNLLLoss", "GaussianNLLLoss",
    "GroupNorm", "InstanceNorm1d", "InstanceNorm2d", "MaxPool1d", "AvgPool1d",
    "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool1d", "AdaptiveMaxPool2d",
    "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d", "PixelShuffle", "PixelUnshuffle",
    "ZeroPad1d", "ZeroPad2d", "ConstantPad1d", "ConstantPad2d", "ReflectionPad1d",
    "ReflectionPad2d", "ReplicationPad1d", "ReplicationPad2d", "TransformerEncoderLayer",
    "TransformerEncoder",
]  # fmt: skip
# --- mpi (data parallel) ---
from nn import parallel  # noqa: E402,F401

# --- learner names (names helper): more losses ---
from nn.loss import (  # noqa: E402
    MultiLabelMarginLoss,
    MultiLabelSoftMarginLoss,
    MultiMarginLoss,
    TripletMarginWithDistanceLoss,
)

__all__ += [
    "MultiLabelSoftMarginLoss", "MultiMarginLoss", "MultiLabelMarginLoss",
    "TripletMarginWithDistanceLoss",
]  # fmt: skip
# --- learner names (names helper): im2col layers, local response norm ---
from nn.fold import Fold, Unfold  # noqa: E402
from nn.normalization import LocalResponseNorm  # noqa: E402

__all__ += ["Unfold", "Fold", "LocalResponseNorm"]
