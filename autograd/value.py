"""Value: micrograd's scalar node, on the same engine as Tensor.

A Value is its own graph vertex: `_fn` is the Function that made it (its op code; None for a
leaf) and `_a`, `_b` its inputs (`_next` is the pair as the engine reads it). Every Value keeps
its gradient in `.grad` (a float), as in micrograd, so a picture of the graph can show the
gradient of every node. A Value holds only its inputs, never its consumers: the graph has no
reference cycle, so it is freed as soon as the last Value of it is dropped, and the cyclic
garbage collector has nothing to find in it.

The local gradients are written once per op, in arithmetic that floats and Values share, in
each Function's `backward`: the engine runs them on Values when the backward is recorded
(`create_graph=True`, so it differentiates again), and `autograd.grad` and `autograd.backward`
run them on floats. `Value.backward()`, the everyday call, takes a fast walk of its own
(`_backward_floats`): a topological order built iteratively, then one loop that applies each
op's local gradient as float arithmetic, inlined for the common ops (a copy of the rule beside
it, checked against it bit for bit in tests/autograd/test_value.py) and the rule itself for
the others. It keeps the engine's promise that an error half-way leaves every `.grad` as it was.

Forward mode (autograd.forward_ad) runs on the same mechanism as for Tensors: inside a
dual_level, each op calls its `jvp(ctx, *tangents)` rule, here on float tangents
(dual numbers w + ẇ ε), so the forward-accumulation table of a function can be read off op
by op with `forward_ad.unpack_dual`.
"""

import math
import operator
import threading

from autograd import function as _function
from autograd.engine import run_backward
from autograd.function import Function
from autograd.grad_mode import state as _grad

__all__ = ["Value"]

_new = object.__new__
# Held by the float walk, whose marks (`_g`) are shared by everyone walking the same Values;
# a second walk at the same time (another thread's, or a rule's own) takes the engine's.
_walking = threading.Lock()


class Value:
    """One float in the graph: `.data`, `.grad`, `.label`, and `.backward()`."""

    # _g: the gradient being summed during Value.backward's walk, None outside it.
    __slots__ = ("data", "grad", "label", "_fn", "_a", "_b", "_g", "exponent", "__weakref__")
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
        self._fn = self._a = self._b = self._g = None

    @property
    def _next(self):
        """The inputs, one edge each, as the engine reads them (None: a constant exponent)."""
        fn = self._fn
        if fn is None:
            return ()
        return (self._a,) if fn._unary else (self._a, self._b)

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
        if (
            create_graph
            or _function._anomaly is not None
            or not _walking.acquire(False)  # another thread's walk, or one in progress here
        ):
            root_grad = Value(1.0) if create_graph else 1.0
            run_backward((self,), (root_grad,), retain_graph, create_graph)
            return
        try:
            _backward_floats(self)
        finally:
            _walking.release()

    @property
    def saved_values(self):
        """The inputs as the backward should see them: Values while the backward is recorded
        (create_graph), their floats otherwise."""
        if _grad.enabled:
            return self._next
        if self._fn._unary:
            return (self._a.data,)
        y = self._b  # every ScalarFunction takes one or two inputs
        return self._a.data, None if y is None else y.data

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
    # The hot ones build their node inline: one call per op, as in micrograd.
    def __add__(self, other):
        if other.__class__ is not Value:
            other = _leaf(other)
        return _node(Add, self.data + other.data, self, other)

    def __radd__(self, other):
        other = _leaf(other)
        return _node(Add, other.data + self.data, other, self)

    def __sub__(self, other):
        return self + -_value(other)

    def __rsub__(self, other):
        return _leaf(other) + -self

    def __mul__(self, other):
        if other.__class__ is not Value:
            other = _leaf(other)
        return _node(Mul, self.data * other.data, self, other)

    def __rmul__(self, other):
        other = _leaf(other)
        return _node(Mul, other.data * self.data, other, self)

    def __truediv__(self, other):
        return Div.apply(self, _value(other))

    def __rtruediv__(self, other):
        return Div.apply(_leaf(other), self)

    def __pow__(self, exponent):
        if not isinstance(exponent, (int, float)):
            raise TypeError("Value ** exponent: only int/float exponents are supported")
        return Pow.apply(self, exponent)

    def __neg__(self):
        return _node(Neg, -self.data, self, None)

    def relu(self):
        x = self.data
        return _node(Relu, x if x > 0 else 0.0, self, None)

    def tanh(self):
        return _node(Tanh, math.tanh(self.data), self, None)

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


def _leaf(x):
    """A number an operator met (`v * 2`) as a leaf Value; Value(x) without the __init__ call."""
    v = _new(Value)
    v.data = x.data if isinstance(x, Value) else float(x)  # a subclass: its number, as before
    v.grad = 0.0
    v.label = ""
    v._fn = v._a = v._b = v._g = None
    return v


def _value(x):
    return x if x.__class__ is Value else _leaf(x)


def _node(fn, data, a, b):
    """The Value `data` = fn(a) or fn(a, b), recorded as a vertex while grad mode is on."""
    out = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._g = None
    if _grad.enabled:
        out._fn = fn
        out._a = a
        out._b = b
    else:
        out._fn = out._a = out._b = None
    if _function._dual_level is not None:
        _function._dual_level.jvp(fn, None, (a,) if fn._unary else (a, b), {}, out)
    return out


def _topological_order(root):
    """Every Value that root depends on, inputs before the Values made from them: a
    depth-first search in post-order, with an explicit stack (no recursion limit). Marks
    each Value it meets in `_g`: False while its inputs are being visited, then -0.0 (the
    float that adds as an exact zero: -0.0 + x is x, sign of zero included)."""
    order = []
    emit = order.append
    stack = [root]
    push = stack.append
    pop = stack.pop
    try:
        while stack:
            v = stack[-1]
            if v._g is None:  # first meeting: visit its inputs, then come back to it
                a = v._a
                if a is None:  # a leaf
                    pop()
                    v._g = -0.0
                    emit(v)
                    continue
                v._g = False
                if a._g is None:
                    push(a)
                b = v._b
                if b is not None and b._g is None:
                    push(b)
            else:
                pop()
                if v._g is False:  # its inputs are all in order now
                    v._g = -0.0
                    emit(v)
                # else: a second copy of a Value already placed
    except BaseException:
        _clear(order)
        _clear(stack)
        raise
    return order


def _clear(values):
    for v in values:
        v._g = None


def _backward_floats(root):
    """Value.backward(): root's gradient sent back to every Value it depends on, in floats.

    Each Value's gradient is summed in its `_g`, in reverse topological order (every
    consumer of a Value runs before it), and added to `.grad` once the walk is done, so that
    an error half-way changes no `.grad`."""
    order = _topological_order(root)
    prev = _grad.enabled
    _grad.enabled = False  # the rules called below compute on floats and record nothing
    try:
        root._g = 1.0
        for v in reversed(order):
            fn = v._fn
            if fn is None:
                continue
            g = v._g
            # The common rules, inlined: each is its Function's backward, on floats.
            if fn is Mul:
                a = v._a
                b = v._b
                a._g += g * b.data
                b._g += g * a.data
            elif fn is Add:
                v._a._g += g
                v._b._g += g
            elif fn is Relu:
                v._a._g += g if v.data > 0 else 0.0
            elif fn is Tanh:
                y = v.data
                v._a._g += g * (1 - y * y)
            elif fn is Neg:
                v._a._g += -g
            elif fn is Exp:
                v._a._g += g * v.data
            elif fn is Pow:
                a = v._a
                n = v.exponent
                a._g += g * n * a.data ** (n - 1)
            else:
                grads = fn.backward(v, g)
                if grads.__class__ is not tuple:
                    grads = (grads,)
                for u, gu in zip(v._next, grads):
                    if u is not None and gu is not None:
                        u._g += gu if gu.__class__ is float else _number(gu)
        for v in order:
            v.grad += v._g
            v._g = None
    except BaseException:
        _clear(order)
        raise
    finally:
        _grad.enabled = prev


def _number(g):
    return g.data if g.__class__ is Value else float(g)


class ScalarFunction(Function):
    """A Function on Values: forward gets floats; backward gets the output Value as ctx
    (inputs in `ctx.saved_values`, itself in `ctx.output`) and the gradient, a float or a
    Value, and returns the same kind."""

    symbol = "?"
    _builtin = True
    _array_rule = True  # floats at either speed: the rule already takes both kinds
    _unary = True  # one input; binary ops set False

    @classmethod
    def apply(cls, x, y=None):
        if y is None:
            return _node(cls, cls.forward(None, x.data), x, None)
        return _node(cls, cls.forward(None, x.data, y.data), x, y)


class Add(ScalarFunction):
    """z = x + y.  dz/dx = dz/dy = 1."""

    symbol = "+"
    _unary = False

    @staticmethod
    def forward(ctx, x, y):
        return x + y

    @staticmethod
    def backward(ctx, grad):
        return grad, grad

    @staticmethod
    def jvp(ctx, tx, ty):
        return _t(tx) + _t(ty)


class Mul(ScalarFunction):
    """z = x y.  dz/dx = y, dz/dy = x."""

    symbol = "*"
    _unary = False

    @staticmethod
    def forward(ctx, x, y):
        return x * y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_values
        return grad * y, grad * x

    @staticmethod
    def jvp(ctx, tx, ty):
        """ż = ẋ y + x ẏ."""
        x, y = ctx.args
        return _t(tx) * y.data + x.data * _t(ty)


class Div(ScalarFunction):
    """z = x / y.  dz/dx = 1/y, dz/dy = -x/y^2."""

    symbol = "/"
    _unary = False

    @staticmethod
    def forward(ctx, x, y):
        return x / y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.saved_values
        gx = grad / y
        return gx, -gx * x / y

    @staticmethod
    def jvp(ctx, tx, ty):
        """ż = (ẋ - z ẏ) / y."""
        return (_t(tx) - ctx.output.data * _t(ty)) / ctx.args[1].data


class Pow(ScalarFunction):
    """z = x^n (n a number).  dz/dx = n x^(n-1)."""

    symbol = "**"

    _unary = False  # (x, None): the exponent is a constant, with no edge

    @classmethod
    def apply(cls, x, n):
        level = _function._dual_level
        _function._dual_level = None  # the tangent rule needs the exponent: below
        try:
            out = _node(cls, x.data**n, x, None)
        finally:
            _function._dual_level = level
        out.exponent = n
        if level is not None:
            level.jvp(cls, None, (x, n), {}, out)
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
    def jvp(ctx, tx, _):
        """ż = n x^(n-1) ẋ."""
        x, n = ctx.args
        return n * x.data ** (n - 1) * tx


class _Unary:
    """The rules of z = f(x), f a function of math (`_f`), whose local gradient reads best in
    x: subclasses give `_chain(v, x)`, v dz/dx for x a float or (recorded) a Value; backward
    applies it to grad, the jvp to the tangent. Mixed in before ScalarFunction."""

    @classmethod
    def forward(cls, ctx, x):
        return cls._f(x)

    @classmethod
    def backward(cls, ctx, grad):
        (x,) = ctx.saved_values
        return cls._chain(grad, x)

    @classmethod
    def jvp(cls, ctx, tx):
        return cls._chain(tx, ctx.args[0].data)


class _UnaryOfOutput(_Unary):
    """A _Unary whose local gradient reads best in its output z: `_chain(v, z)`."""

    @classmethod
    def backward(cls, ctx, grad):
        return cls._chain(grad, ctx.output)

    @classmethod
    def jvp(cls, ctx, tx):
        return cls._chain(tx, ctx.output.data)


class Neg(_Unary, ScalarFunction):
    """z = -x.  dz/dx = -1."""

    symbol = "neg"
    _f = operator.neg
    _chain = staticmethod(lambda v, x: -v)


class Exp(_UnaryOfOutput, ScalarFunction):
    """z = e^x.  dz/dx = e^x = z."""

    symbol = "exp"
    _f = math.exp
    _chain = staticmethod(lambda v, z: v * z)


class Log(_Unary, ScalarFunction):
    """z = ln x.  dz/dx = 1/x."""

    symbol = "log"
    _f = math.log
    _chain = staticmethod(lambda v, x: v / x)


class Tanh(_UnaryOfOutput, ScalarFunction):
    """z = tanh x.  dz/dx = 1 - z^2."""

    symbol = "tanh"
    _f = math.tanh
    _chain = staticmethod(lambda v, z: v * (1 - z * z))


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
    def jvp(ctx, tx):
        y = ctx.output.data
        return y * (1 - y) * tx


class Relu(ScalarFunction):
    """z = max(x, 0).  dz/dx = 1 if x > 0 else 0."""

    symbol = "relu"

    @staticmethod
    def forward(ctx, x):
        return x if x > 0 else 0.0

    @staticmethod
    def backward(ctx, grad):
        # A zero where x <= 0, not grad * 0: an inf or nan gradient stops here (PyTorch).
        return grad if ctx.data > 0 else _zero(grad)

    @staticmethod
    def jvp(ctx, tx):
        return tx if ctx.args[0].data > 0 else 0.0


class Maximum(ScalarFunction):
    """z = max(x, y).  The gradient goes to the larger; a tie splits it in half (PyTorch)."""

    symbol = "max"
    _unary = False

    @staticmethod
    def forward(ctx, x, y):
        return x if x >= y else y

    @staticmethod
    def backward(ctx, grad):
        x, y = ctx.inputs  # compared by value: the routing itself is not differentiated
        if x.data == y.data:
            half = grad * 0.5
            return half, half
        return (grad, _zero(grad)) if x.data > y.data else (_zero(grad), grad)

    @staticmethod
    def jvp(ctx, tx, ty):
        """ż = ẋ or ẏ, the larger's; their mean on a tie (PyTorch)."""
        x, y = ctx.args
        tx, ty = _t(tx), _t(ty)
        if x.data == y.data:
            return (tx + ty) * 0.5
        return tx if x.data > y.data else ty


class Sin(_Unary, ScalarFunction):
    """z = sin x.  dz/dx = cos x."""

    symbol = "sin"
    _f = math.sin
    _chain = staticmethod(lambda v, x: v * (x.cos() if x.__class__ is Value else math.cos(x)))


class Cos(_Unary, ScalarFunction):
    """z = cos x.  dz/dx = -sin x."""

    symbol = "cos"
    _f = math.cos
    _chain = staticmethod(lambda v, x: -v * (x.sin() if x.__class__ is Value else math.sin(x)))


class Alias(_Unary, ScalarFunction):
    """z = x, a new node: forward_ad.make_dual's view of a Value.  dz/dx = 1."""

    symbol = "="
    _f = staticmethod(lambda x: x)
    _chain = staticmethod(lambda v, x: v)


def _zero(grad):
    """The gradient of an input the output does not depend on, as grad's kind."""
    return 0.0 if grad.__class__ is float else Value(0.0)


def _t(tangent):
    """A missing tangent is 0."""
    return 0.0 if tangent is None else tangent
