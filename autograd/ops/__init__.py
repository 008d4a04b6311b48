"""The primitives: every op with a backward of its own is listed here.

Everything else (mean, var, softmax, stack, split, ...) is in `composite` and builds on these.
"""

from autograd.ops.conv import (
    BlockMax,
    BlockMaxGrad,
    ConvInputGrad,
    Convolution,
    ConvWeightGrad,
    Fold,
    Unfold,
    WindowMax,
)
from autograd.ops.elementwise import (
    Abs,
    Add,
    BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    Cast,
    Clamp,
    ClampTensor,
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
    ReluGrad,
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
from autograd.ops.linalg import Det, Inv, Linear, MatMul
from autograd.ops.loss import CrossEntropy, CrossEntropyGrad, NLLLoss
from autograd.ops.reduce import (
    Amax,
    Amin,
    LogSoftmax,
    LogSoftmaxGrad,
    LogSumExp,
    Prod,
    Softmax,
    SoftmaxGrad,
    Var,
)
from autograd.ops.scan import Cumprod, Cumsum
from autograd.ops.select import Einsum, Scatter
from autograd.ops.shape import Cat, Expand, Pad, Permute, Reshape, Sum
from autograd.ops.special import (
    Acos,
    Acosh,
    Asin,
    Asinh,
    Atan,
    Atan2,
    Atanh,
    Ceil,
    Cosh,
    DivFloor,
    DivTrunc,
    Erf,
    Erfc,
    Erfinv,
    Exp2,
    Floor,
    FloorDivide,
    Fmod,
    Gelu,
    GeluGrad,
    Log2,
    Log10,
    Reciprocal,
    Remainder,
    Round,
    Rsqrt,
    Sinh,
    Tan,
    Trunc,
)

PRIMITIVES = (
    Add, Sub, Mul, Div, Pow, Maximum, Minimum, Where,
    Neg, Exp, Log, Log1p, Expm1, Sqrt, Sin, Cos, Tanh, Sigmoid, Relu, Abs, Sign, Clamp,
    ClampTensor,
    TanhGrad, SigmoidGrad, ReluGrad, MaskedGrad, BinaryCrossEntropy,
    BinaryCrossEntropyWithLogits,
    Clone, Cast, ToDevice, Fill, Copy,
    Sum, Var, Amax, Amin, Prod, LogSoftmax, LogSoftmaxGrad, NLLLoss,
    Softmax, SoftmaxGrad, CrossEntropy, CrossEntropyGrad,
    LogSumExp,
    Reshape, Permute, Expand, Cat, Pad,
    GetItem, IndexAdd, SetItem, Gather,
    MatMul, Linear,
    Unfold, Fold, WindowMax,
    Convolution, ConvInputGrad, ConvWeightGrad, BlockMax, BlockMaxGrad,
    # tensor math (helper math): special.py, scan.py, select.py
    Log10, Log2, Exp2, Reciprocal, Rsqrt, Tan, Sinh, Cosh, Asin, Acos, Atan, Asinh, Acosh, Atanh,
    Erf, Erfc, Erfinv, Floor, Ceil, Trunc, Round, Atan2, Fmod, Remainder,
    DivFloor, DivTrunc, FloorDivide,
    Cumsum, Cumprod, Scatter, Einsum,
    Gelu, GeluGrad,  # (helper memory)
    Inv, Det,  # (names helper)
)  # fmt: skip
