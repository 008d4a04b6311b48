"""`Function`: one primitive with its local gradient; `Node`: its record in the graph (the ctx).

Every op, built-in or user-defined, goes through `Function.apply`, so there is one mechanism.
"""

import weakref

from autograd._tensor import Tensor, _wrap
from autograd.grad_mode import state as _grad
from autograd.hooks import RemovableHandle
from autograd.inplace import epoch as _inplace_epoch
from autograd.inplace import register_view as _register_view
from backends import DeviceError

__all__ = ["Function", "Node", "AccumulateGrad", "once_differentiable"]

# The active forward-mode level (autograd.forward_ad), None when off: while it is None, an op
# pays one lookup of this global for forward mode.
_dual_level = None
_anomaly = None  # autograd.anomaly's checker while anomaly mode is on
# True while the engine runs a backward at array speed (create_graph=False): gradients are
# raw backend arrays, and `saved_tensors` hands a rule the arrays of what it saved.

_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


class Node:
    """A recorded op: the `ctx` its forward and backward share, and a vertex of the graph.

    `_next` holds one edge per forward argument: the producing Node, a leaf Tensor that
    accumulates, or None where no gradient is needed.
    """

    # Class-level defaults keep the per-op cost to the attributes an op actually sets.
    _hooks = None  # gradient hooks of the output tensor
    _retain = False  # output called retain_grad()
    _out = None  # weak reference to the output, for retain_grad
    _saved = ()
    _saved_forward = ()  # what a user Function's forward kept for its jvp
    _versions = None  # versions of the saved tensors, when any was ever modified in place
    _epoch = 0
    _out_vc = None  # version counter of the output, when backward reads the output's array
    _torch_name = None  # PyTorch's name for a composite that ends in this node (`named`)
    _outputs = None  # [(shape, dtype)] of a multi-output user Function's outputs
    _materialize = True  # a multi-output Function's missing gradients arrive as zeros
    _backend = None  # the output's backend: the array-speed walk wraps gradients on it
    _dtype = None  # the output's dtype: the array-speed walk casts a gradient to it

    def set_materialize_grads(self, value):
        """False: backward gets None, not zeros, for an output that received no gradient."""
        self._materialize = bool(value)

    def __init__(self, fn, edges):
        self._fn = fn
        self._next = edges

    @property
    def needs_input_grad(self):
        edges = self._next
        if len(edges) == 2:  # most ops: spare the comprehension
            return edges[0] is not None, edges[1] is not None
        return [edge is not None for edge in edges]

    def save_for_backward(self, *tensors):
        self._saved = tensors
        self._epoch = _inplace_epoch[0]
        for t in tensors:
            if getattr(t, "_vc", None) is not None:  # a Tensor that may change in place
                self._versions = [_version_of(t) for t in tensors]
                break

    def save_for_forward(self, *tensors):
        """Keep tensors for the Function's jvp (forward mode), which reads ctx.saved_tensors."""
        self._saved_forward = tensors

    def _release(self):
        """Drop what forward kept for backward (after a backward with retain_graph=False): the
        saved tensors, the tensors kept for the jvp, and the ctx attributes that the Function
        names in `_saved_attrs` (arrays such as exp's output), so that an output kept after
        backward holds its own data only, as PyTorch's. A later backward through it raises.
        `_saved` None marks a freed node."""
        d = self.__dict__
        for name in self._fn._saved_attrs:
            d.pop(name, None)
        self._saved = None
        self._saved_forward = ()

    def __getattr__(self, name):
        # only reached for a missing attribute: one that _release dropped raises torch's error
        if self._saved is None and name in self._fn._saved_attrs:
            raise RuntimeError(_FREED)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    @property
    def saved_tensors(self):
        saved = self._saved
        if saved is None:
            raise RuntimeError(_FREED)
        if self._epoch != _inplace_epoch[0]:  # some in-place op ran since: check ours
            self._check_versions(saved)
        if not _grad.raw:
            return saved
        # The raw arrays (numbers and None as they are).
        dtype = self._dtype
        arrays = []
        mixed = False
        for t in saved:
            if isinstance(t, Tensor):
                t = t.array
                if t.dtype is not dtype and dtype is not None and t.dtype.kind == "f":
                    mixed = True
            arrays.append(t)
        return _as_torch_promotes(arrays, dtype) if mixed else arrays

    def _check_versions(self, saved):
        versions = self._versions or [0] * len(saved)
        for t, v in zip(saved, versions):
            if v != _version_of(t):
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been "
                    f"modified by an inplace operation: [{t.dtype} tensor of shape "
                    f"{tuple(t.shape)}] is at version {_version_of(t)}; expected version "
                    f"{v} instead (saved by {self.name()}). Use an out-of-place op, or "
                    f".clone() the tensor before modifying it."
                )
        if self._out_vc is not None and self._out_vc[0]:
            raise RuntimeError(
                f"one of the variables needed for gradient computation has been modified "
                f"by an inplace operation: the output of {self.name()} is at version "
                f"{self._out_vc[0]}; expected version 0 instead. Use an out-of-place op, "
                f"or .clone() the output before modifying it."
            )

    def name(self):
        """PyTorch's name for this node: "MulBackward0", "SumBackward1", ...; a user
        Function's is its class name + "Backward", as in PyTorch."""
        if self._torch_name is not None:  # the op the user called was a composite
            return self._torch_name
        fn = self._fn
        if fn._builtin:
            entry = _TORCH_NODES.get(fn.__name__)
            if entry is not None:
                return entry(self)[0] if callable(entry) else entry[0]
        return f"{fn.__name__}Backward"

    @property
    def next_functions(self):
        """((node or None, 0), ...): one pair per tensor input as PyTorch lists them; a leaf
        that requires grad appears as its AccumulateGrad node (kept alive by the graph, as
        PyTorch's: every node that lists a leaf lists the same one)."""
        cached = self.__dict__.get("_next_functions")
        if cached is not None:
            return cached
        edges = self._next
        fn = self._fn
        entry = _TORCH_NODES.get(fn.__name__) if fn._builtin else None
        if entry is not None:
            positions = entry(self)[1] if callable(entry) else entry[1]
            edges = [
                (i.wrap(edges[i.index]) if isinstance(i, _Through) else edges[i])
                if (i.index if isinstance(i, _Through) else i) < len(edges)
                else None
                for i in positions
            ]
        self._next_functions = tuple((_as_node(edge), 0) for edge in edges)
        return self._next_functions

    @property
    def metadata(self):
        if "_metadata" not in self.__dict__:
            self._metadata = {}
        return self._metadata

    def register_hook(self, hook):
        if self._hooks is None:
            self._hooks = []
        self._hooks.append(hook)
        return RemovableHandle(self._hooks, hook)

    def _accumulate(self, grad, create_graph):
        """retain_grad(): the output tensor keeps its gradient, summed over backward calls."""
        out = self._out()
        if out is not None:
            _accumulate_into(out, grad, create_graph, inplace=False)  # torch: out of place

    def __repr__(self):
        return f"<{self.name()} object at {id(self):#x}>"


def _as_torch_promotes(arrays, dtype):
    """Saved float arrays of another dtype than the output's, as PyTorch's rule would see
    them beside the gradient: a 0-d one beside dimensioned tensors takes the output's dtype
    (float16 grad times a 0-d float32 tensor stays float16), where numpy would widen; among
    arrays all 0-d, or all dimensioned, the wider dtype wins in both."""
    if not any(getattr(a, "ndim", 0) for a in arrays):
        return arrays
    return [
        a.astype(dtype)
        if getattr(a, "ndim", 1) == 0 and a.dtype.kind == "f" and a.dtype != dtype
        else a
        for a in arrays
    ]


def _version_of(t):
    if isinstance(t, Tensor):
        vc = t._vc
        return 0 if vc is None else vc[0]
    return 0  # a saved number or None never changes


def _accumulate_into(t, grad, create_graph, inplace=True):
    """t.grad += grad. As PyTorch's AccumulateGrad: a first gradient is copied (no two tensors
    share a .grad buffer); a later one is added in place, so that a reference held to .grad
    (e.g. across zero_grad(set_to_none=False)) sees the sum; under create_graph the sum is
    recorded, out of place. A retained non-leaf's .grad is summed out of place, as torch."""
    old = t._grad
    if grad.array.dtype != t.array.dtype:
        grad = grad.to(t.array.dtype)
    if old is None:
        if create_graph:
            t._grad = grad.clone()  # recorded, so grad-of-grad still flows
        else:
            t._grad = _wrap(grad.array.copy(), grad._backend)
        return
    if (
        inplace
        and not create_graph
        and old.array.shape == grad.array.shape
        and old._backend is grad._backend
    ):
        array = old.array
        if getattr(array.flags, "writeable", True):
            array += grad.array
            vc = old._vc
            if vc is not None:
                vc[0] += 1
                _inplace_epoch[0] += 1
            return
    t._grad = old + (grad if create_graph else grad.detach())


class Function:
    """Subclass with static `forward(ctx, *args)` and `backward(ctx, grad)`; call `.apply`.

    `forward` sees Tensors (with grad recording off) and returns an array or a Tensor;
    `backward` returns one gradient (Tensor or None) per forward argument, written in
    Tensor ops so that `create_graph=True` differentiates it again. For forward mode
    (autograd.forward_ad), `jvp(ctx, *tangents)` returns the output's tangent from one
    tangent per positional forward argument, as in PyTorch; its ctx also shows the forward's
    arguments and output (`ctx.args`, `ctx.kwargs`, `ctx.inputs`, `ctx.output`), for the
    length of the call. One signature for user Functions and built-in primitives alike.
    """

    # Built-in primitives compute on arrays in forward (no grad mode to switch off) and are
    # trusted to return gradients of the right shapes; user Functions get both checks.
    _builtin = False
    # backward is written once for two speeds: on raw backend arrays (grad, saved_tensors and
    # the results all arrays; autograd.ops.rulemath's functions take either) when the engine
    # records no graph of the backward, on Tensors when it does (create_graph=True). A rule
    # not yet written so gets Tensors always.
    _array_rule = False
    _runs_raw = False  # _builtin and _array_rule, set per subclass
    # The output may share storage with the first argument (reshape, permute, ...).
    _view = False
    # forward keeps its output array in ctx.out for backward (exp, tanh, ...).
    _saves_output = False
    # The ctx attributes (besides save_for_backward's) that hold arrays for backward: freed
    # with the saved tensors after backward (Node._release). "out" is added for _saves_output.
    _saved_attrs = ()
    # (array, operand) -> None, updating the array in place: the op's `x op= y` for
    # in-place calls that record nothing; None means "compute out of place, then copy".
    _inplace = None

    _node_type = Node  # the class of this Function's nodes, named as PyTorch names them

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._runs_raw = cls._builtin and cls._array_rule  # the engine's one test per vertex
        if cls._saves_output and "out" not in cls._saved_attrs:
            cls._saved_attrs += ("out",)
        # Functions defined in this module before the table (below) keep the plain name.
        table = globals().get("_TORCH_NODES", {})
        entry = table.get(cls.__name__) if cls._builtin else None
        name = f"{cls.__name__}Backward"
        if isinstance(entry, tuple):
            name = entry[0].rsplit("::", 1)[-1]
        elif entry is not None:
            name = f"{cls.__name__}Backward0"
        cls._node_type = type(name, (Node,), {"__module__": __name__, "_fn": cls})

    @classmethod
    def call(cls, *args):
        """The op inside a backward rule, at the walk's speed: `kernel` (the forward's math
        on raw arrays) in an array-speed walk, `apply` (recorded under create_graph) else."""
        if _grad.raw:
            return cls.kernel(*args)
        return cls.apply(*args)

    @staticmethod
    def forward(ctx, *args, **kwargs):
        raise NotImplementedError

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError

    @staticmethod
    def jvp(ctx, *grad_inputs):
        raise NotImplementedError

    @classmethod
    def apply(cls, *args, **kwargs):
        backend = None
        record = False
        edges = [] if _grad.enabled else None  # one edge per argument while recording
        for a in args:
            edge = None
            if isinstance(a, Tensor):
                if backend is None:
                    backend = a._backend
                elif a._backend is not backend:
                    raise _mixed_devices(cls, args)
                if a._requires_grad and edges is not None:
                    record = True
                    edge = a.grad_fn or a
            if edges is not None:
                edges.append(edge)
        if record:
            ctx = _new(cls._node_type)  # Node(cls, edges) without the __init__ call
            ctx._next = edges
            ctx._backend = backend
            if cls._builtin:
                t = _result(cls, ctx, cls.forward(ctx, *args, **kwargs), backend)
            else:
                t = _custom_result(cls, ctx, args, kwargs, backend)
                if t.__class__ is tuple:
                    return t
        else:
            if cls._builtin:
                ctx = _NO_CTX
                out = cls.forward(ctx, *args, **kwargs)
            else:
                ctx = cls._node_type(cls, edges or [None] * len(args))
                out = _custom_forward(cls, ctx, args, kwargs)
                if out.__class__ is tuple:
                    return _outputs(cls, ctx, out, backend, False)
                if isinstance(out, Tensor):
                    out = out.array
            t = _wrap(out, backend)
        if cls._view:
            _register_view(args[0], t, cls, args[1:])
        if _dual_level is not None:
            _dual_level.jvp(cls, ctx, args, kwargs, t)
        if _anomaly is not None:
            _anomaly.forward(cls, ctx, args, t)
        return t

    # The hot path of Tensor's arithmetic and unary methods: the same forward, rule and
    # vertex as `apply`, with its bookkeeping unrolled for one Tensor, or a Tensor and a
    # Tensor or Python number, of a built-in op. Anything else (views, forward mode, anomaly
    # mode, two devices, other operand types) takes `apply`.
    @classmethod
    def _unary(cls, x):
        if _dual_level is not None or _anomaly is not None or cls._view:
            return cls.apply(x)
        backend = x._backend
        if not (x._requires_grad and _grad.enabled):
            return _wrap(cls.forward(_NO_CTX, x), backend)
        ctx = _new(cls._node_type)
        ctx._next = (x.grad_fn or x,)
        ctx._backend = backend
        out = cls.forward(ctx, x)
        return _result(cls, ctx, out, backend)

    @classmethod
    def _binary(cls, x, y):
        if _dual_level is not None or _anomaly is not None:
            return cls.apply(x, y)
        if isinstance(x, Tensor):
            backend = x._backend
            ex = (x.grad_fn or x) if x._requires_grad else None
            if isinstance(y, Tensor):
                if y._backend is not backend:
                    return cls.apply(x, y)
                ey = (y.grad_fn or y) if y._requires_grad else None
            elif y.__class__ is float or y.__class__ is int:
                ey = None
            else:
                return cls.apply(x, y)
        elif x.__class__ is float or x.__class__ is int:
            backend = y._backend
            ex = None
            ey = (y.grad_fn or y) if y._requires_grad else None
        else:
            return cls.apply(x, y)
        if (ex is None and ey is None) or not _grad.enabled:
            return _wrap(cls.forward(_NO_CTX, x, y), backend)
        ctx = _new(cls._node_type)
        ctx._next = (ex, ey)
        ctx._backend = backend
        out = cls.forward(ctx, x, y)
        return _result(cls, ctx, out, backend)


class Primitive(Function):
    """A built-in op. `forward(ctx, *args)` computes on the operands' arrays (grad mode needs
    no switching off) and returns an array; `backward` is trusted to return gradients of the
    right shapes; `jvp(ctx, *tangents)`, Function's signature, gives the output's tangent in
    Tensor ops, reading the forward's arguments and output as `ctx.args` / `ctx.inputs` and
    `ctx.output` (a forward that records nothing stores nothing on its ctx). Built-in ops
    are called with positional arguments, as PyTorch's `Function.apply`.

    `_builtin` (True here) also marks the cheaper tangent contract: an argument without a
    tangent gets None, not zeros as a user Function's (the rule skips that term), and the
    result is trusted (forward_ad broadcasts and casts it to the output's shape and dtype)."""

    _builtin = True


def _custom_result(cls, ctx, args, kwargs, backend):
    """The output(s) of a user Function's recorded forward, run with grad mode off."""
    ctx._shapes = [getattr(a, "shape", None) for a in args]
    ctx._dtypes = [getattr(a, "dtype", None) for a in args]
    _grad.enabled = False
    try:
        out = _custom_forward(cls, ctx, args, kwargs)
    finally:
        _grad.enabled = True
    if out.__class__ is tuple:
        return _outputs(cls, ctx, out, backend, True)
    if not isinstance(out, Tensor):
        return _result(cls, ctx, out, backend)
    t = _result(cls, ctx, out.array, backend)
    # t shares the returned tensor's array (maybe saved, maybe an input): and so its
    # version counter, so that the saved tensor's check sees t's in-place changes.
    if out._vc is None:
        out._vc = [0, False]
    t._vc = out._vc
    return t


def _result(cls, ctx, out, backend):
    """The output Tensor of a built-in op's recorded forward (ctx its vertex, if floating)."""
    t = _wrap(out, backend)
    if out.dtype.kind == "f":
        t._requires_grad = True
        t.grad_fn = ctx
        ctx._dtype = out.dtype
    if cls._saves_output:
        # backward reads the output's array (ctx.out): watch it for in-place changes.
        t._vc = ctx._out_vc = [0, False]
    return t


_new = object.__new__


def _outputs(cls, ctx, outs, backend, record):
    """The Tensors of a user Function whose forward returned a tuple. Each differentiable
    output gets its own vertex (`_Output`) that hands its gradient on to ctx in its slot,
    so ctx's backward receives one gradient per output, as PyTorch's."""
    if _dual_level is not None or _anomaly is not None:
        raise NotImplementedError(
            f"{cls.__name__}: a Function with several outputs is not supported in forward "
            "mode or anomaly mode"
        )
    result = []
    meta = []
    for i, o in enumerate(outs):
        if isinstance(o, Tensor):
            t = _wrap(o.array, backend)
            if o._vc is None:
                o._vc = [0, False]
            t._vc = o._vc  # as the one-output case: a returned saved tensor sees t's changes
        else:
            t = _wrap(o, backend)
        meta.append((t.array.shape, t.array.dtype))
        if record and t.array.dtype.kind == "f":
            vertex = _new(_Output)
            vertex._next = (ctx,)
            vertex.ctx = ctx
            vertex._backend = backend
            vertex.index = i
            t._requires_grad = True
            t.grad_fn = vertex
        result.append(t)
    ctx._outputs = meta
    ctx._out_backend = backend
    return tuple(result)


class _Grads(list):
    """The gradients of a multi-output Function's outputs, one slot each (None: none came);
    `+` sums slot by slot, so the engine's accumulation gathers them."""

    __slots__ = ()

    def __add__(self, other):
        return _Grads(b if a is None else a if b is None else a + b for a, b in zip(self, other))


class _Select(Function):
    """The vertex of output i of a multi-output Function: grad -> (None, .., grad, .., None)."""

    _builtin = True
    _array_rule = True

    @staticmethod
    def backward(v, grad):
        grads = _Grads([None] * len(v.ctx._outputs))
        grads[v.index] = grad
        return grads


class _Output(Node):
    """Output `index` of the multi-output Function recorded in `ctx`."""

    _fn = _Select

    def name(self):
        return self.ctx.name()


def _custom_backward(ctx, grad):
    """A user Function's backward, given its output's gradient (or `_Grads`, one per
    output, None for an output that received none: zeros, as torch's materialize_grads)."""
    fn = ctx._fn
    if grad.__class__ is _Grads:
        if ctx._materialize:
            grad = [_zeros_of_output(ctx, i) if g is None else g for i, g in enumerate(grad)]
        out = fn.backward(ctx, *grad)
    else:
        out = fn.backward(ctx, grad)
    if out.__class__ is not tuple:
        out = (out,)
    return _check_grads(ctx, out)


def _zeros_of_output(ctx, i):
    shape, dtype = ctx._outputs[i]
    backend = ctx._out_backend
    return _wrap(backend.xp.zeros(shape, dtype=dtype), backend)


def _check_grads(node, grads):
    """A user Function's backward returns one gradient (Tensor or None) per input; one of
    a broadcast-compatible shape is summed to the input's shape and one of another dtype is
    cast to the input's (as torch's validate_outputs); another shape raises."""
    if len(grads) != len(node._next):
        raise RuntimeError(
            f"function {node.name()} returned an incorrect number of gradients "
            f"(expected {len(node._next)}, got {len(grads)})"
        )
    shapes = node._shapes
    dtypes_ = node._dtypes
    fixed = None
    for i, g in enumerate(grads):
        if g is None or node._next[i] is None:
            continue
        if not isinstance(g, Tensor):
            raise RuntimeError(
                f"function {node.name()} returned a gradient of type {type(g).__name__} at "
                f"index {i}: expected Tensor or None (got {type(g).__name__})"
            )
        shape = shapes[i]
        g0 = g
        if g.shape != shape:
            if not _expandable(shape, g.shape):
                raise RuntimeError(
                    f"Function {node.name()} returned an invalid gradient at index {i} - got "
                    f"{list(g.shape)} but expected shape compatible with {list(shape)}"
                )
            from autograd.ops.shape import sum_to

            g = sum_to(g, shape)
        if g.dtype != dtypes_[i]:
            g = g.to(dtypes_[i])
        if g is not g0:
            if fixed is None:
                fixed = list(grads)
            fixed[i] = g
    return grads if fixed is None else tuple(fixed)


def _expandable(shape, to):
    """Whether `shape` broadcasts to `to` (torch's is_expandable_to)."""
    if len(shape) > len(to):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(to)))


def _custom_forward(cls, ctx, args, kwargs):
    """A user Function's forward. In forward mode its own ops carry no tangents: its jvp
    gives the output's."""
    global _dual_level
    level = _dual_level
    if level is None:
        return cls.forward(ctx, *args, **kwargs)
    _dual_level = None
    try:
        return cls.forward(ctx, *args, **kwargs)
    finally:
        _dual_level = level


class _NoCtx:
    """The ctx of a built-in op that records nothing: what forward stores is dropped."""

    __slots__ = ()

    def __setattr__(self, name, value):
        pass

    def save_for_backward(self, *tensors):
        pass


_NO_CTX = _NoCtx()


def _mixed_devices(cls, args):
    i = next(
        j
        for j, a in enumerate(args)
        if isinstance(a, Tensor)
        and a._backend is not next(b for b in args if isinstance(b, Tensor))._backend
    )
    devices = [f"argument {j} on {a.device}" for j, a in enumerate(args) if isinstance(a, Tensor)]
    return DeviceError(
        f"{cls.__name__}: expected all tensors on the same device, but argument {i} is on "
        f"{args[i].device} ({', '.join(devices)}). Move them with .to(device) first."
    )


def once_differentiable(backward):
    """Mark a backward that is not itself differentiable: create_graph through it raises."""

    def wrapper(ctx, *grads):
        if _grad.enabled:
            raise RuntimeError(
                f"{ctx.name()} is not differentiable twice (its backward is once_differentiable)"
            )
        return backward(ctx, *grads)

    return wrapper


# --- PyTorch's node names (helper random) -----------------------------------------------------
class AccumulateGrad:
    """The node PyTorch shows for a leaf that requires grad: `.variable` is the leaf."""

    __slots__ = ("variable", "__weakref__")
    next_functions = ()

    def __init__(self, variable):
        self.variable = variable

    def name(self):
        return "torch::autograd::AccumulateGrad"

    def register_hook(self, hook):
        return self.variable.register_hook(hook)

    def __repr__(self):
        return f"<AccumulateGrad object at {id(self):#x}>"


_accumulators = weakref.WeakValueDictionary()  # id(leaf) -> its node, while anyone holds it


def _as_node(edge):
    if edge is None or isinstance(edge, (Node, _Step)):
        return edge
    node = _accumulators.get(id(edge))
    if node is None or node.variable is not edge:
        node = _accumulators[id(edge)] = AccumulateGrad(edge)
    return node


class _Step:
    """A node PyTorch records where dagrad fuses it into its op (linear's weight.t())."""

    __slots__ = ("_name", "next_functions")

    def __init__(self, name, edge):
        self._name = name
        self.next_functions = ((_as_node(edge), 0),)

    def name(self):
        return self._name

    def __repr__(self):
        return f"<{self._name} object at {id(self):#x}>"


class _Through:
    """An edge position whose edge PyTorch reaches through an extra node (`name`)."""

    __slots__ = ("index", "name")

    def __init__(self, index, name):
        self.index = index
        self.name = name

    def wrap(self, edge):
        return None if edge is None else _Step(self.name, edge)


def _index_name(ctx):
    """x[i] -> Select, x[a:b] -> Slice, x[None] -> Unsqueeze, x[array] -> Index: torch names
    the node after the last index component it applies."""
    index = ctx.index if isinstance(ctx.index, tuple) else (ctx.index,)
    if any(hasattr(i, "shape") or isinstance(i, list) for i in index):
        return "IndexBackward0", (0,)
    for i in reversed(index):
        if isinstance(i, int):
            return "SelectBackward0", (0,)
        if i is None:
            return "UnsqueezeBackward0", (0,)
        if isinstance(i, slice) and i != slice(None):
            return "SliceBackward0", (0,)
    return "AliasBackward0", (0,)


# The names below read what forward recorded beside the saved tensors (ctx.kinds, ...):
# a node keeps its name after backward has freed them.
def _pow_name(ctx):
    x_is_tensor, y_is_tensor = ctx.kinds
    if not y_is_tensor:
        return "PowBackward0", (0,)
    if not x_is_tensor:
        return "PowBackward2", (1,)
    return "PowBackward1", (0, 1)


def _matmul_name(ctx):
    x, y = ctx.ndims
    names = {(1, 1): "DotBackward0", (2, 1): "MvBackward0", (2, 2): "MmBackward0"}
    name = names.get((x, y), "BmmBackward0" if x == y == 3 else "UnsafeViewBackward0")
    return name, (0, 1)


def _linear_name(ctx):
    if ctx.ndim != 2:
        return "ViewBackward0", (0, 1, 2)
    weight_t = _Through(1, "TBackward0")
    if ctx.__dict__.get("has_bias"):
        return "AddmmBackward0", (2, 0, weight_t)  # torch lists bias, input, weight.t()
    return "MmBackward0", (0, weight_t)


def _mul_name(ctx):
    """2 * x is x * 2 in PyTorch (the tensor first)."""
    return "MulBackward0", ((1, 0) if ctx.__dict__.get("number_first") else (0, 1))


def _reduce_name(base, full_number, dim_number):
    return lambda ctx: (f"{base}{full_number if ctx.dims is None else dim_number}", (0,))


def _amax_name(ctx):
    return ("MaxBackward1" if ctx.full else "AmaxBackward0"), (0,)


# builtin primitive -> (torch's name, positions of the forward arguments torch's node has an
# edge for), or a function of the node giving both
_UNARY = ("Neg", "Exp", "Log", "Sqrt", "Sin", "Cos", "Tanh", "Sigmoid", "Relu", "Abs", "Sign")
_TORCH_NODES = {name: (f"{name}Backward0", (0,)) for name in _UNARY}
_TORCH_NODES.update(
    {
        "Add": ("AddBackward0", (0, 1)),
        "Sub": ("SubBackward0", (0, 1)),
        "Mul": _mul_name,
        "Div": ("DivBackward0", (0, 1)),
        "Pow": _pow_name,
        "Maximum": ("MaximumBackward0", (0, 1)),
        "Minimum": ("MinimumBackward0", (0, 1)),
        "Where": ("WhereBackward0", (1, 2)),
        "Clamp": ("ClampBackward1", (0,)),
        "ClampTensor": ("ClampBackward0", (0, 1, 2)),
        "Clone": ("CloneBackward0", (0,)),
        "Cast": ("ToCopyBackward0", (0,)),
        "ToDevice": ("ToCopyBackward0", (0,)),
        "Fill": ("FillBackward2", (0,)),
        "Copy": ("torch::autograd::CopyBackwards", (0, 1)),
        "Sum": _reduce_name("SumBackward", 0, 1),
        "Prod": _reduce_name("ProdBackward", 0, 1),
        "Amax": _amax_name,
        "LogSoftmax": ("LogSoftmaxBackward0", (0,)),
        "LogSumExp": ("LogsumexpBackward0", (0,)),
        "NLLLoss": ("NllLossBackward0", (0,)),
        "CrossEntropy": ("NllLossBackward0", (0,)),
        "Reshape": ("ViewBackward0", (0,)),
        "Permute": ("PermuteBackward0", (0,)),
        "Expand": ("ExpandBackward0", (0,)),
        "Cat": lambda ctx: ("CatBackward0", tuple(range(1, len(ctx._next)))),
        "Pad": ("ConstantPadNdBackward0", (0,)),
        "GetItem": _index_name,
        "SetItem": ("torch::autograd::CopySlices", (0, 1)),
        "IndexAdd": ("IndexAddBackward0", (0,)),
        "Gather": ("GatherBackward0", (0,)),
        "MatMul": _matmul_name,
        "Linear": _linear_name,
        "Unfold": ("Im2ColBackward0", (0,)),
        "Fold": ("Col2ImBackward0", (0,)),
        "WindowMax": ("MaxPool2DWithIndicesBackward0", (0,)),
        "BlockMax": ("MaxPool2DWithIndicesBackward0", (0,)),
        "BlockMaxGrad": ("MaxPool2DWithIndicesBackwardBackward0", (0,)),
        "Convolution": ("ConvolutionBackward0", (0, 1, 2)),
        "ConvInputGrad": ("ConvolutionBackwardBackward0", (0, 1)),
        "ConvWeightGrad": ("ConvolutionBackwardBackward0", (0, 1)),
        "TanhGrad": ("TanhBackwardBackward0", (0, 1)),
        "SigmoidGrad": ("SigmoidBackwardBackward0", (0, 1)),
        "MaskedGrad": ("ThresholdBackwardBackward0", (0, 1)),
        "ReluGrad": ("ThresholdBackwardBackward0", (0, 1)),
        "LogSoftmaxGrad": ("LogSoftmaxBackwardDataBackward0", (0, 1)),
        "Softmax": ("SoftmaxBackward0", (0,)),  # (helper memory)
        "SoftmaxGrad": ("SoftmaxBackwardDataBackward0", (0, 1)),
        "Gelu": ("GeluBackward0", (0,)),
        "GeluGrad": ("GeluBackwardBackward0", (0, 1)),
        "CrossEntropyGrad": ("NllLossBackwardBackward0", (0,)),
    }
)


def _binary_name(base):
    """Name0 beside a Python number, Name1 beside a tensor (fmod, remainder)."""

    def name(ctx):
        if len(ctx._next) > 1 and ctx._next[1] is not None:
            return f"{base}Backward1", (0, 1)
        return f"{base}Backward0", (0,)

    return name


def _amin_name(ctx):
    return ("MinBackward1" if ctx.full else "AminBackward0"), (0,)


# the primitives added for learner code (special functions, scans, losses, ...)
_TORCH_NODES.update({name: (f"{name}Backward0", (0,)) for name in (
    "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Cosh", "Cumprod", "Cumsum",
    "Erf", "Erfc", "Erfinv", "Exp2", "Expm1", "Floor", "Log10", "Log2", "Round", "Sinh", "Tan",
    "Trunc", "Var", "Reciprocal", "Rsqrt",
)})  # fmt: skip
_TORCH_NODES.update(
    {
        "Log1p": ("Log1PBackward0", (0,)),
        "Amin": _amin_name,
        "Atan2": ("Atan2Backward0", (0, 1)),
        "Fmod": _binary_name("Fmod"),
        "Remainder": _binary_name("Remainder"),
        "DivFloor": ("DivBackward2", (0, 1)),
        "DivTrunc": ("DivBackward2", (0, 1)),
        "FloorDivide": ("NotImplemented", (0, 1)),
        "BinaryCrossEntropy": ("BinaryCrossEntropyBackward0", (0, 1)),
        "BinaryCrossEntropyWithLogits": ("BinaryCrossEntropyWithLogitsBackward0", (0, 1)),
        "Scatter": ("ScatterBackward0", (0, 3)),
        "Einsum": lambda ctx: ("ViewBackward0", tuple(range(1, len(ctx._next)))),  # decomposed
    }
)
