"""The primitives: every op with a backward of its own is listed here.

Everything else (mean, var, softmax, stack, split, ...) is in `composite` and builds on these.
"""

from autograd.ops.conv import Fold, Unfold, WindowMax
from autograd.ops.elementwise import (
    Abs,
    Add,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    Cast,
    Clamp,
    Clone,
    Copy,
    Cos,
    Div,
    Exp,
    Expm1,
    Fill,
    Log,
    Log1p,
    MaskedGrad,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    SigmoidGrad,
    Sign,
    Sin,
    Sqrt,
    Sub,
    Tanh,
    TanhGrad,
    ToDevice,
    Where,
)
from autograd.ops.index import Gather, GetItem, IndexAdd, SetItem
from autograd.ops.linalg import Linear, MatMul
from autograd.ops.reduce import (
    Amax,
    Amin,
    CrossEntropy,
    CrossEntropyGrad,
    LogSoftmax,
    LogSoftmaxGrad,
    NLLLoss,
    Prod,
    Sum,
    Var,
)
from autograd.ops.shape import Cat, Expand, Pad, Permute, Reshape

PRIMITIVES = (
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Where,
    Neg, Exp, Log, Log1p, Expm1, Sqrt, Sin, Cos, Tanh, Sigmoid, Relu, Abs, Sign, Clamp,
    TanhGrad, SigmoidGrad, MaskedGrad, BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    Clone, Cast, ToDevice, Fill, Copy,
    Sum, Var, Amax, Amin, Prod, LogSoftmax, LogSoftmaxGrad, NLLLoss, CrossEntropy, CrossEntropyGrad,
    Reshape, Permute, Expand, Cat, Pad,
    GetItem, IndexAdd, SetItem, Gather,
    MatMul, Linear,
    Unfold, Fold, WindowMax,
)  # fmt: skip
