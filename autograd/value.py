"""Value: micrograd's scalar node, on the same engine as Tensor.

A Value is its own graph vertex: `_fn` is the Function that made it and `_next` its inputs.
Every Value keeps its gradient in `.grad` (a float), as in micrograd, so a picture of the
graph can show the gradient of every node.

The local gradients are written once, in arithmetic that floats and Values share: a plain
backward runs them on floats (fast, nothing recorded), `create_graph=True` on Values (so
the backward is itself a graph that differentiates again).

Forward mode (autograd.forward_ad) runs on the same mechanism as for Tensors: inside a
dual_level, each op calls its `jvp(tangents, out, x, y)` rule, here on float tangents
(dual numbers w + ẇ ε), so the forward-accumulation table of a function can be read off op
by op with `forward_ad.unpack_dual`.
"""

import math

from autograd import function as _function
from autograd.engine import run_backward
from autograd.function import Function
from autograd.grad_mode import state as _grad

__all__ = ["Value"]

_new = object.__new__


class Value:
    """One float in the graph: `.data`, `.grad`, `.label`, and `.backward()`."""

    __slots__ = ("data", "grad", "label", "_fn", "_next", "exponent", "__weakref__")
    _backend = None  # a vertex of the engine: Values carry floats, on no backend and
    _dtype = None  # of no dtype
    _hooks = None
    _retain = True  # every Value shows its gradient, leaf or not
    _saved = ()  # nothing to free after backward: a Value's inputs are its graph
    __hash__ = object.__hash__

    def __init__(self, data, label=""):
        if isinstance(data, Value):
            data = data.data
        self.data = float(data)
        self.grad = 0.0
        self.label = label
        self._fn = None
        self._next = ()

    @property
    def inputs(self):
        return self._next

    @property
    def op(self):
        """The symbol of the op that made this Value ('' for a leaf)."""
        return "" if self._fn is None else self._fn.symbol

    @property
    def is_leaf(self):
        return self._fn is None

    @property
    def requires_grad(self):
        return True

    def backward(self, retain_graph=True, create_graph=False):
        """Fill .grad of every Value this one depends on with d(self)/d(that)."""
        run_backward((self,), (Value(1.0) if create_graph else 1.0,), retain_graph, create_graph)

    @property
    def saved_values(self):
        """The inputs as the backward should see them: Values while the backward is recorded
        (create_graph), their floats otherwise."""
        inputs = self._next
        if _grad.enabled:
            return inputs
        if len(inputs) == 1:
            return (inputs[0].data,)
        x, y = inputs  # every ScalarFunction takes one or two inputs
        return x.data, None if y is None else y.data

    @property
    def output(self):
        """This Value (the op's output) as the backward should see it; see saved_values."""
        return self if _grad.enabled else self.data

    def _accumulate(self, grad, create_graph):
        self.grad += (
            grad
            if grad.__class__ is float
            else float(grad.data if grad.__class__ is Value else grad)
        )

    def name(self):
        return f"{self._fn.__name__}Backward"

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # ----------------------------------------------------------------- operators
    def __add__(self, other):
        return Add.apply(self, _value(other))

    def __radd__(self, other):
        return Add.apply(_value(other), self)

    def __sub__(self, other):
        return Add.apply(self, Neg.apply(_value(other)))

    def __rsub__(self, other):
        return Add.apply(_value(other), Neg.apply(self))

    def __mul__(self, other):
        return Mul.apply(self, _value(other))

    def __rmul__(self, other):
        return Mul.apply(_value(other), self)

    def __truediv__(self, other):
        return Div.apply(self, _value(other))

    def __rtruediv__(self, other):
        return Div.apply(_value(other), self)

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** exponent: only int/float exponents are supported")
        return Pow.apply(self, exponent)

    def __neg__(self):
        return Neg.apply(self)

    def relu(self):
        return Relu.apply(self)

    def tanh(self):
        return Tanh.apply(self)

    def sigmoid(self):
        return Sigmoid.apply(self)

    def exp(self):
        return Exp.apply(self)

    def log(self):
        return Log.apply(self)

    def sin(self):
        return Sin.apply(self)

    def cos(self):
        return Cos.apply(self)

    def maximum(self, other):
        return Maximum.apply(self, _value(other))


def _value(x):
    return x if x.__class__ is Value else Value(x)


class ScalarFunction(Function):
    """A Function on Values: forward gets floats; backward gets the output Value as ctx
    (inputs in `ctx.saved_values`, itself in `ctx.output`) and the gradient, a float or a
    Value, and returns the same kind."""

    symbol = "?"
    _builtin = True
    _array_rule = True  # floats at either speed: the rule already takes both kinds

    @classmethod
    def apply(cls, x, y=None):
        out = _new(Value)
        if y is None:
            out.data = cls.forward(None, x.data)
            inputs = (x,)
        else:
            out.data = cls.forward(None, x.data, y.data if y.__class__ is Value else y)
            inputs = (x, y)
        out.grad = 0.0
        out.label = ""
        if _grad.enabled:
            out._fn = cls
            out._next = inputs
        else:
            out._fn = None
            out._next = ()
        if _function._dual_level is not None:
            _function._dual_level.jvp(cls, None, inputs, {}, out)
        return out


class Add(ScalarFunction):
    """z = x + y.  dz/dx = dz/dy = 1."""

    symbol = "+"

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    @staticmethod
    def jvp(tangents, out, x, y):
        tx, ty = tangents
        return _t(tx) + _t(ty)


class Neg(ScalarFunction):
    """z = -x.  dz/dx = -1."""

    symbol = "neg"

    @staticmethod
    def forward(ctx, x):
        return -x

    @staticmethod
    def backward(ctx, grad):
        return -grad

    @staticmethod
    def jvp(tangents, out, x):
        return -tangents[0]


class Mul(ScalarFunction):
    """z = x y.  dz/dx = y, dz/dy = x."""

    symbol = "*"

    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_values
        return grad * y, grad * x

    @staticmethod
    def jvp(tangents, out, x, y):
        """ż = ẋ y + x ẏ."""
        tx, ty = tangents
        return _t(tx) * y.data + x.data * _t(ty)


class Div(ScalarFunction):
    """z = x / y.  dz/dx = 1/y, dz/dy = -x/y^2."""

    symbol = "/"

    @staticmethod
    def forward(ctx, x, y):
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_values
        gx = grad / y
        return gx, -gx * x / y

    @staticmethod
    def jvp(tangents, out, x, y):
        """ż = (ẋ - z ẏ) / y."""
        tx, ty = tangents
        return (_t(tx) - out.data * _t(ty)) / y.data


class Pow(ScalarFunction):
    """z = x^n (n a number).  dz/dx = n x^(n-1)."""

    symbol = "**"

    @classmethod
    def apply(cls, x, n):
        out = super().apply(x, n)
        if out._fn is not None:
            out._next = (x, None)  # the exponent is a constant: no edge
        out.exponent = n
        return out

    @staticmethod
    def forward(ctx, x, n):
        return x**n

    @staticmethod
    def backward(ctx, grad):
        (x, _) = ctx.saved_values
        n = ctx.exponent
        return grad * n * x ** (n - 1), None

    @staticmethod
    def jvp(tangents, out, x, n):
        """ż = n x^(n-1) ẋ."""
        return n * x.data ** (n - 1) * tangents[0]


class Exp(ScalarFunction):
    """z = e^x.  dz/dx = e^x = z."""

    symbol = "exp"

    @staticmethod
    def forward(ctx, x):
        return math.exp(x)

    @staticmethod
    def backward(ctx, grad):
        return grad * ctx.output

    @staticmethod
    def jvp(tangents, out, x):
        return out.data * tangents[0]


class Log(ScalarFunction):
    """z = ln x.  dz/dx = 1/x."""

    symbol = "log"

    @staticmethod
    def forward(ctx, x):
        return math.log(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad / x

    @staticmethod
    def jvp(tangents, out, x):
        return tangents[0] / x.data


class Tanh(ScalarFunction):
    """z = tanh x.  dz/dx = 1 - z^2."""

    symbol = "tanh"

    @staticmethod
    def forward(ctx, x):
        return math.tanh(x)

    @staticmethod
    def backward(ctx, grad):
        y = ctx.output
        return grad * (1 - y * y)

    @staticmethod
    def jvp(tangents, out, x):
        return (1 - out.data * out.data) * tangents[0]


class Sigmoid(ScalarFunction):
    """z = 1 / (1 + e^-x).  dz/dx = z (1 - z)."""

    symbol = "sigmoid"

    @staticmethod
    def forward(ctx, x):
        if x >= 0:
            return 1.0 / (1.0 + math.exp(-x))
        e = math.exp(x)
        return e / (1.0 + e)

    @staticmethod
    def backward(ctx, grad):
        y = ctx.output
        return grad * y * (1 - y)

    @staticmethod
    def jvp(tangents, out, x):
        return out.data * (1 - out.data) * tangents[0]


class Relu(ScalarFunction):
    """z = max(x, 0).  dz/dx = 1 if x > 0 else 0."""

    symbol = "relu"

    @staticmethod
    def forward(ctx, x):
        return x if x > 0 else 0.0

    @staticmethod
    def backward(ctx, grad):
        return grad * (1.0 if ctx.data > 0 else 0.0)

    @staticmethod
    def jvp(tangents, out, x):
        return tangents[0] if x.data > 0 else 0.0


class Maximum(ScalarFunction):
    """z = max(x, y).  The gradient goes to the larger; a tie splits it in half (PyTorch)."""

    symbol = "max"

    @staticmethod
    def forward(ctx, x, y):
        return x if x >= y else y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs  # compared by value: the routing itself is not differentiated
        if x.data == y.data:
            half = grad * 0.5
            return half, half
        return (grad, grad * 0.0) if x.data > y.data else (grad * 0.0, grad)

    @staticmethod
    def jvp(tangents, out, x, y):
        """ż = ẋ or ẏ, the larger's; their mean on a tie (PyTorch)."""
        tx, ty = _t(tangents[0]), _t(tangents[1])
        if x.data == y.data:
            return (tx + ty) * 0.5
        return tx if x.data > y.data else ty


class Sin(ScalarFunction):
    """z = sin x.  dz/dx = cos x."""

    symbol = "sin"

    @staticmethod
    def forward(ctx, x):
        return math.sin(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return grad * (x.cos() if x.__class__ is Value else math.cos(x))

    @staticmethod
    def jvp(tangents, out, x):
        """ż = cos x ẋ."""
        return math.cos(x.data) * tangents[0]


class Cos(ScalarFunction):
    """z = cos x.  dz/dx = -sin x."""

    symbol = "cos"

    @staticmethod
    def forward(ctx, x):
        return math.cos(x)

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_values
        return -grad * (x.sin() if x.__class__ is Value else math.sin(x))

    @staticmethod
    def jvp(tangents, out, x):
        """ż = -sin x ẋ."""
        return -math.sin(x.data) * tangents[0]


class Alias(ScalarFunction):
    """z = x, a new node: forward_ad.make_dual's view of a Value.  dz/dx = 1."""

    symbol = "="

    @staticmethod
    def forward(ctx, x):
        return x

    @staticmethod
    def backward(ctx, grad):
        return grad

    @staticmethod
    def jvp(tangents, out, x):
        return tangents[0]


def _t(tangent):
    """A missing tangent is 0."""
    return 0.0 if tangent is None else tangent
