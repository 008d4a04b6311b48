"""Pictures of the graph: DOT text for Graphviz, from a `Value` or a `Tensor`.

    from autograd import viz
    viz.to_dot(loss)                 # DOT source, a str: no Graphviz needed
    viz.draw(loss)                   # a graphviz.Digraph (shows itself in Jupyter)
    viz.save(loss, "graph.svg")      # svg / png / pdf by the suffix: needs Graphviz's `dot`

A `Value` graph looks like micrograd's `draw_dot`: every Value is a record box
"label | data | grad", and the op that made it is an ellipse in front of it.

A `Tensor` graph has one ellipse per recorded op (a `Node`) and one box per leaf tensor,
plus the box of the output. Intermediate tensors are not held by the graph, so they get a
box only when they called `retain_grad()` and are still alive. A box shows shape and dtype,
and the values (and grad) when there are at most `max_elements` of them, else min/mean/max.

Colours: output orange, leaf requiring grad blue, parameter green, constant grey (dashed),
collapsed module purple.

The walk is breadth-first from the output with an explicit queue (no recursion), and names
the vertices in the order it meets them, so the same graph always gives the same text.
Past `max_nodes` vertices it stops drawing and puts one "... N more nodes" box instead.

Module clusters: `record(model)` hooks every submodule for one forward pass and notes which
op nodes each module call made, so that the picture frames them by module:

    with viz.record(model) as rec:
        loss = loss_fn(model(x), y)
    viz.draw(loss, modules=rec, collapse=["features"])

Each call is a labelled frame ("mlp.layers.0 (Linear)"), nested as the calls were;
parameters carry their `named_parameters()` names ("layers.0.weight"); a module named in
`collapse` is drawn as one box, the edges into and out of it kept. `clusters` is the plain
form of the same thing: a map (or callable) from vertices to a frame name, or to a tuple
of names for nested frames.
"""

import weakref
from collections import deque

from autograd._tensor import Tensor
from autograd.explain import Explanation, explain

__all__ = ["to_dot", "draw", "draw_dot", "save", "record", "ModuleRecord", "explain", "Explanation"]

# Short labels for the ops that have a symbol; the rest show their lowercased class name.
_SYMBOLS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**", "MatMul": "matmul"}

_STYLE = {
    "output": {"shape": "record", "style": "filled", "fillcolor": "#ffd59e"},
    "leaf": {"shape": "record", "style": "filled", "fillcolor": "#cfe2ff"},
    "parameter": {"shape": "record", "style": "filled", "fillcolor": "#c7f0d2"},
    "constant": {"shape": "record", "style": "dashed,filled", "fillcolor": "#eeeeee"},
    "value": {"shape": "record"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#f2f2f2"},
    "module": {"shape": "Mrecord", "style": "filled", "fillcolor": "#e5dbf5"},
    "more": {"shape": "note", "style": "dashed"},
    "gate": {
        "shape": "circle",
        "style": "filled",
        "fillcolor": "#f2f2f2",
        "fixedsize": "true",
        "width": "0.5",
    },
    "wire": {"shape": "plaintext"},
}
# Circuit pictures: the value above each wire, the gradient below it, as the lectures draw
# them (green and red), the gradient also set apart without colour (italic, after a "∂").
_VALUE_COLOR = "#1a7f37"
_GRAD_COLOR = "#cf222e"
_CLUSTER_STYLE = 'style="rounded"; color="#8c8c8c"; fontname="Helvetica";'


class _Graph:
    """The description both `to_dot` and `draw` are built from."""

    def __init__(self, rankdir):
        self.rankdir = rankdir
        self.nodes = []  # (id, kind, label, cluster path: a tuple of frame names, maybe ())
        self.edges = []  # (tail id, head id, HTML label or None)

    def node(self, name, kind, label, cluster=()):
        self.nodes.append((name, kind, label, cluster or ()))

    def edge(self, tail, head, label=None):
        self.edges.append((tail, head, label))


# --------------------------------------------------------------------------- the walk
def _is_value(v):
    return type(v).__name__ == "Value" and hasattr(v, "label")


def _inputs(v):
    """The graph vertices v points to (inputs of a Value, edges of a Node); None skipped."""
    return [u for u in getattr(v, "_next", ()) if u is not None]


def _walk(roots, max_nodes, unit_of=None):
    """Vertices breadth-first from the roots: (the drawn ones, how many more there are).

    At most `max_nodes` units are drawn; a unit is one vertex, or all the vertices for
    which `unit_of` gives the same key (a collapsed module: one box).
    """
    order = []
    seen = set()
    queue = deque()
    for r in roots:
        if id(r) not in seen:
            seen.add(id(r))
            queue.append(r)
    while queue:
        v = queue.popleft()
        order.append(v)
        for u in _inputs(v):
            if id(u) not in seen:
                seen.add(id(u))
                queue.append(u)
    if max_nodes is None:
        return order, 0
    if unit_of is None:
        if len(order) <= max_nodes:
            return order, 0
        return order[:max_nodes], len(order) - max_nodes
    rank = {}  # unit -> its rank by first appearance
    drawn = []
    for v in order:
        unit = unit_of(v)
        key = id(v) if unit is None else unit  # ints and tuples never compare equal
        if key not in rank:
            rank[key] = len(rank)
        if rank[key] < max_nodes:
            drawn.append(v)
    return drawn, max(0, len(rank) - max_nodes)


# --------------------------------------------------------------------------- module record
def _tensors_in(obj):
    """The Tensors in a forward's arguments or output (nested tuples, lists, dicts)."""
    found = []
    todo = [obj]
    while todo:
        x = todo.pop()
        if isinstance(x, Tensor):
            found.append(x)
        elif isinstance(x, (tuple, list)):
            todo.extend(reversed(x))
        elif isinstance(x, dict):
            todo.extend(reversed(list(x.values())))
    return found


def _plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class ModuleRecord:
    """Which module call made each op node of a forward pass: see `record`.

    A call owns the op nodes on the paths from its outputs back to its inputs that no call
    inside it owns (the innermost call wins), and the parameters its module holds itself.
    Nodes are held weakly, so the record keeps no graph alive.
    """

    _HOOKS = (
        "named_modules",
        "named_parameters",
        "register_forward_pre_hook",
        "register_forward_hook",
    )

    def __init__(self, module, name=None):
        missing = [a for a in self._HOOKS if not callable(getattr(module, a, None))]
        if missing:
            raise TypeError(
                f"record: expected an nn.Module, got {type(module).__name__} "
                f"(it has no {', '.join(missing)})"
            )
        self.module = module
        self.name = type(module).__name__.lower() if name is None else str(name)
        self._modules = {}  # id(module) -> (qualified name, module)
        self._params = {}  # id(parameter) -> (parameter, name, the module holding it)
        self._calls = {}  # call label -> (qualified name, module, "out (shape) dtype")
        self._seen = {}  # id(node) -> (weak ref, stamp, call path or None)
        self._counts = {}  # id(module) -> calls so far
        self._stack = []  # the calls under way: (module, call path, stamp)
        self._clock = 0
        self._handles = []

    @property
    def calls(self):
        """The labels of the recorded module calls, in the order they began."""
        return list(self._calls)

    # ------------------------------------------------------------------ recording
    def __enter__(self):
        if self._handles:
            raise RuntimeError("record: this record is already recording")
        named = list(self.module.named_modules())
        self._modules = {id(m): (qual, m) for qual, m in named}
        by_name = dict(named)
        for pname, p in self.module.named_parameters():
            self._params[id(p)] = (p, pname, by_name.get(pname.rpartition(".")[0]))
        try:
            for _, m in named:
                self._handles.append(m.register_forward_pre_hook(self._pre))
                self._handles.append(m.register_forward_hook(self._post))
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        for handle in self._handles:
            handle.remove()
        self._handles = []
        self._stack = []
        return False

    def _label(self, qual, module):
        full = ".".join(part for part in (self.name, qual) if part)
        kind = type(module).__name__
        return f"{full} ({kind})" if full else kind

    def _entry(self, v):
        entry = self._seen.get(id(v))
        return entry if entry is not None and entry[0]() is v else None  # ids get reused

    def _pre(self, module, args):
        n = self._counts[id(module)] = self._counts.get(id(module), 0) + 1
        qual = self._modules[id(module)][0]
        label = self._label(qual, module) + (f" #{n}" if n > 1 else "")
        parent = self._stack[-1][1] if self._stack else ()
        self._clock += 1
        stamp = self._clock
        self._calls[label] = (qual, module, "")
        # Every node the inputs reach existed before this call: the call's walk stops there.
        seen = self._seen
        todo = [t.grad_fn for t in _tensors_in(args) if t.grad_fn is not None]
        while todo:
            v = todo.pop()
            if self._entry(v) is not None:
                continue
            seen[id(v)] = (weakref.ref(v), stamp, None)
            todo.extend(u for u in v._next if u is not None and u._fn is not None)
        self._stack.append((module, parent + (label,), stamp))

    def _post(self, module, args, output):
        stack = self._stack
        while stack and stack[-1][0] is not module:
            stack.pop()  # a forward that raised never reached its post hook
        if not stack:
            return None
        _, path, stamp = stack.pop()
        self._clock += 1
        clock = self._clock
        outs = _tensors_in(output)
        shapes = ", ".join(str(tuple(t.shape)) for t in outs)
        text = f"out {shapes} {outs[0].dtype}" if len(outs) == 1 else f"out {shapes}"
        self._calls[path[-1]] = (self._modules[id(module)][0], module, text if outs else "")
        seen = self._seen
        todo = [t.grad_fn for t in outs if t.grad_fn is not None]
        visited = set()
        while todo:
            v = todo.pop()
            if id(v) in visited:
                continue
            visited.add(id(v))
            if v._fn is None:  # a leaf: ours when the module holds it as a parameter
                held = self._params.get(id(v))
                if held is not None and held[2] is module and self._entry(v) is None:
                    seen[id(v)] = (weakref.ref(v), clock, path)
                continue
            entry = self._entry(v)
            if entry is None:
                seen[id(v)] = (weakref.ref(v), clock, path)
            elif entry[1] <= stamp:
                continue  # it existed when this call began: an input, or older
            elif entry[2] is None:  # made here, before an inner call read it
                seen[id(v)] = (entry[0], entry[1], path)
            todo.extend(u for u in v._next if u is not None)
        return None

    # ------------------------------------------------------------------ drawing
    def _path_of(self, v):
        """The frames of v: the labels of the calls it was made in, outermost first."""
        entry = self._entry(v)
        return entry[2] if entry is not None and entry[2] is not None else ()

    def _param_names(self):
        return {id(p): name for p, name, _ in self._params.values()}

    def _box_of(self, collapse):
        """vertex -> the call path of its collapsed box (or None); None if none collapse."""
        if not collapse:
            return None
        if isinstance(collapse, str) or not hasattr(collapse, "__iter__"):
            collapse = [collapse]
        by_name = {}
        for qual, m in self._modules.values():
            by_name.setdefault(qual, m)
            by_name.setdefault(".".join(part for part in (self.name, qual) if part), m)
        targets = set()
        for c in collapse:
            if isinstance(c, str):
                if c not in by_name:
                    known = ", ".join(repr(q) for q, _ in self._modules.values())
                    raise ValueError(f"collapse: no module named {c!r} in {self.name} ({known})")
                targets.add(id(by_name[c]))
            elif id(c) in self._modules:
                targets.add(id(c))
            else:
                raise ValueError(
                    f"collapse: the {type(c).__name__} given is not a submodule of {self.name}"
                )
        boxed = {label for label, (_, m, _) in self._calls.items() if id(m) in targets}
        cache = {}

        def box_of(v):
            path = self._path_of(v)
            if not path:
                return None
            if path not in cache:
                cut = next((k for k, label in enumerate(path) if label in boxed), None)
                cache[path] = None if cut is None else path[: cut + 1]
            return cache[path]

        return box_of

    def _box_label(self, path, ops, params):
        fields = [_plural(ops, "op")]
        if params:
            fields.append(_plural(params, "parameter"))
        out = self._calls[path[-1]][2]
        return _record(path[-1], ", ".join(fields), *([_escape(out)] if out else []))


def record(module, name=None):
    """Record which submodule made each op of a forward pass, for module frames in `draw`.

        with viz.record(model) as rec:
            loss = loss_fn(model(x), y)
        viz.draw(loss, modules=rec, collapse=["layers.1"])

    `module` is any `nn.Module` (duck-typed: `named_modules`, `named_parameters` and the
    forward hooks); `name` prefixes the frame labels (default: the class name, lowercased).
    Forward pre- and post-hooks sit on every submodule inside the `with` block only. A
    forward that reads tensors other than its positional arguments and parameters (keyword
    arguments, tensors kept from earlier) has the ops behind them counted as its own.
    """
    return ModuleRecord(module, name)


# --------------------------------------------------------------------------- labels
_SPECIAL = str.maketrans({c: "\\" + c for c in '\\"{}|<>'})


def _escape(text):
    """Text safe inside a quoted (record) label."""
    return str(text).translate(_SPECIAL)


def _record(title, *fields):
    """A record label: the title is escaped; the fields are numbers and shapes, safe as is."""
    return "{ " + " | ".join((_escape(title), *fields)) + " }"


def _fmt(x):
    return f"{x:.4g}" if isinstance(x, float) else str(x)


def _array_text(t, array, max_elements):
    """Values of a small array; min/mean/max of a larger one. `array` is a backend array."""
    n = int(array.size)
    if n <= max_elements:
        values = array.ravel().tolist()
        return "[" + ", ".join(_fmt(x) for x in values) + "]"
    if array.dtype.kind == "b":
        array = array.astype("int64")
    lo, mean, hi = array.min().item(), array.mean().item(), array.max().item()
    return f"min {lo:.4g} mean {mean:.4g} max {hi:.4g}"


def _tensor_label(t, title, show_data, show_grad, max_elements):
    data = t.array
    fields = [title, f"{tuple(data.shape)} {t.dtype}"]
    if show_data:
        fields.append("data " + _array_text(t, data, max_elements))
    if show_grad and t.grad is not None:
        fields.append("grad " + _array_text(t, t.grad.array, max_elements))
    return _record(*fields)


def _tensor_kind(t):
    if any(c.__name__ == "Parameter" for c in type(t).__mro__):
        return "parameter"
    return "leaf" if t.requires_grad else "constant"


def _op_label(fn):
    name = fn.__name__
    return _SYMBOLS.get(name, name.lower())


def _as_path(cluster):
    """A frame name, a tuple of nested frame names, or None -> a tuple of names."""
    if cluster is None:
        return ()
    if isinstance(cluster, (tuple, list)):
        return tuple(str(c) for c in cluster)
    return (str(cluster),)


def _cluster_of(clusters, modules):
    if modules is not None:
        if clusters is not None:
            raise ValueError("draw: give clusters= or modules=, not both")
        if not isinstance(modules, ModuleRecord):
            raise TypeError(
                f"modules= takes what viz.record(model) records, got {type(modules).__name__}: "
                "`with viz.record(model) as rec: loss = ...`, then draw(loss, modules=rec)"
            )
        return modules._path_of
    if clusters is None:
        return lambda v: ()
    if callable(clusters) and not hasattr(clusters, "items"):
        return lambda v: _as_path(clusters(v))
    by_id = {id(k): _as_path(name) for k, name in clusters.items()}
    return lambda v: by_id.get(id(v), ())


# --------------------------------------------------------------------------- building
def _describe(root, show_data=True, show_grad=True, max_elements=8, max_nodes=500, rankdir="LR",
              labels=None, clusters=None, modules=None, collapse=(), style="graph"):  # fmt: skip
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    graph = _Graph(rankdir)
    if style not in ("graph", "circuit"):
        raise ValueError(f"draw: style must be 'graph' or 'circuit', got {style!r}")
    if style == "circuit":
        if modules is not None or clusters is not None or collapse:
            raise ValueError("draw: style='circuit' draws no module frames or clusters")
        _describe_circuit(graph, roots, show_data, show_grad, max_elements, max_nodes, labels)
        return graph
    cluster_of = _cluster_of(clusters, modules)
    if collapse and modules is None:
        raise ValueError("collapse needs modules=: the record of `with viz.record(model)`")
    if not roots:
        return graph
    if all(_is_value(r) for r in roots):
        _describe_values(graph, roots, show_data, show_grad, max_nodes, cluster_of)
        return graph
    names = modules._param_names() if modules is not None else {}
    names.update({id(k): name for k, name in (labels or {}).items()})
    box_of = modules._box_of(collapse) if modules is not None else None
    _describe_tensors(
        graph,
        roots,
        show_data,
        show_grad,
        max_elements,
        max_nodes,
        names,
        cluster_of,
        box_of,
        modules,
    )
    return graph


def _more(graph, order, hidden, ids, suffix):
    """The "... N more nodes" box, fed into the drawn vertices whose inputs were cut off."""
    if not hidden:
        return
    graph.node("more", "more", f"... {hidden} more nodes")
    heads = set()
    for v in order:
        head = ids[id(v)] + suffix
        if head not in heads and any(id(u) not in ids for u in _inputs(v)):
            heads.add(head)
            graph.edge("more", head)


def _describe_values(graph, roots, show_data, show_grad, max_nodes, cluster_of):
    order, hidden = _walk(roots, max_nodes)
    ids = {id(v): f"n{k}" for k, v in enumerate(order)}
    outputs = {id(r) for r in roots}
    for v in order:
        name = ids[id(v)]
        cluster = cluster_of(v)
        if id(v) in outputs:
            kind = "output"
        elif v._fn is not None:
            kind = "value"
        else:  # a leaf: labelled ones are inputs, unlabelled ones the numbers `x + 1` wraps
            kind = "leaf" if v.label else "constant"
        fields = [v.label or " "]
        if show_data:
            fields.append(f"data {v.data:.4f}")
        if show_grad:
            fields.append(f"grad {v.grad:.4f}")
        graph.node(name, kind, _record(*fields), cluster)
        if v._fn is not None:
            symbol = v._fn.symbol
            if symbol == "**":
                symbol = f"**{_fmt(v.exponent)}"
            graph.node(name + "op", "op", _escape(symbol), cluster)
            graph.edge(name + "op", name)
            for u in v._next:
                if u is not None and id(u) in ids:
                    graph.edge(ids[id(u)], name + "op")
    _more(graph, order, hidden, ids, "op")


def _describe_tensors(
    graph, roots, show_data, show_grad, max_elements, max_nodes, names, cluster_of, box_of, modules
):
    # The walk starts at the ops that made the outputs; an output without one is a vertex.
    starts = [r.grad_fn if r.grad_fn is not None else r for r in roots]
    order, hidden = _walk(starts, max_nodes, box_of)
    ids = {}
    boxes = {}  # collapsed call path -> [box id, ops inside, parameters inside]
    for k, v in enumerate(order):
        box = box_of(v) if box_of is not None else None
        if box is None:
            ids[id(v)] = f"n{k}"
            continue
        if box not in boxes:
            boxes[box] = [f"n{k}", 0, 0]
        ids[id(v)] = boxes[box][0]
        boxes[box][1 if v._fn is not None else 2] += 1
    box_ids = {b[0] for b in boxes.values()}
    outputs = {id(r) for r in roots}
    drawn_boxes = set()
    edges = set()  # edges at a box: drawn once, and none from a box to itself
    for v in order:
        name = ids[id(v)]
        if name in box_ids:
            box = box_of(v)
            if name not in drawn_boxes:  # the first member draws the box
                drawn_boxes.add(name)
                label = modules._box_label(box, boxes[box][1], boxes[box][2])
                graph.node(name, "module", label, box[:-1])
        elif v._fn is None:  # a leaf tensor
            title = v.name or names.get(id(v)) or ("output" if id(v) in outputs else "leaf")
            label = _tensor_label(v, title, show_data, show_grad, max_elements)
            kind = "output" if id(v) in outputs else _tensor_kind(v)
            graph.node(name, kind, label, cluster_of(v))
            continue
        else:
            cluster = cluster_of(v)
            graph.node(name, "op", _escape(_op_label(v._fn)), cluster)
            out = v._out() if v._out is not None else None  # retain_grad() keeps a weak ref
            if out is not None and all(out is not r for r in roots):
                title = out.name or names.get(id(out)) or "retained"
                label = _tensor_label(out, title, show_data, show_grad, max_elements)
                graph.node(name + "val", "value", label, cluster_of(out) or cluster)
                graph.edge(name, name + "val")
        for u in v._next:
            if u is None or id(u) not in ids:
                continue
            tail = ids[id(u)]
            if tail not in box_ids and name not in box_ids:
                graph.edge(tail, name)  # x * x: two edges, as two arguments
            elif tail != name and (tail, name) not in edges:
                edges.add((tail, name))
                graph.edge(tail, name)
    for k, r in enumerate(roots):
        if r.grad_fn is None:  # the output is itself a leaf or a constant: already drawn
            continue
        title = r.name or names.get(id(r)) or "output"
        label = _tensor_label(r, title, show_data, show_grad, max_elements)
        name = f"out{k}"
        graph.node(name, "output", label, cluster_of(r))
        graph.edge(ids[id(r.grad_fn)], name)
    _more(graph, order, hidden, ids, "")


# --------------------------------------------------------------------------- circuit style
def _wire_label(value, grad, show_data, show_grad, digits=4):
    from autograd.explain import _show

    rows = []
    if show_data and value is not None:
        rows.append(f'<font color="{_VALUE_COLOR}">{_escape_html(_show(value, digits))}</font>')
    if show_grad and grad is not None:
        text = _escape_html("∂ " + _show(grad, digits))
        rows.append(f'<font color="{_GRAD_COLOR}"><i>{text}</i></font>')
    return "<br/>".join(rows) or None


def _escape_html(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wire_gradients(starts, root_grads):
    """{(vertex, input index): the gradient sent back along that wire}, from the engine's
    walk (nothing accumulates). None where the walk cannot run (a freed graph)."""
    from autograd.engine import run_backward

    sent = {}

    def observe(v, g, out):
        for i, gu in enumerate(out or ()):
            sent[(v, i)] = gu

    try:
        run_backward(starts, root_grads, True, False, capture={}, observe=observe)
    except RuntimeError:
        return None
    return sent


def _describe_circuit(graph, roots, show_data, show_grad, max_elements, max_nodes, labels):
    """Gates as circles, inputs and outputs as bare names, and on every wire the value that
    flows forward above and the gradient that flows back along it below (computed by the
    engine's walk, as `explain` does, whether or not backward() ran)."""
    values = all(_is_value(r) for r in roots)
    if values:
        starts, root_grads = roots, [1.0] * len(roots)
    else:
        from autograd.creation import ones_like

        starts = [r.grad_fn if r.grad_fn is not None else r for r in roots]
        root_grads = [ones_like(r) if r.numel() == 1 else None for r in roots]
    sent = None
    if show_grad and all(g is not None for g in root_grads):
        sent = _wire_gradients(starts, root_grads)
    order, hidden = _walk(starts, max_nodes)
    ids = {id(v): f"n{k}" for k, v in enumerate(order)}
    names = {id(k): name for k, name in (labels or {}).items()}

    def value_of(v):
        if values:
            return v.data
        if v._fn is None:
            return v.detach()
        out = v._out() if v._out is not None else None  # kept by retain_grad()
        for r in roots:
            if r.grad_fn is v:
                out = r
        return None if out is None else out.detach()

    for v in order:
        name = ids[id(v)]
        if v._fn is None:
            if values:
                title = v.label or f"{v.data:g}"
            else:
                title = v.name or names.get(id(v)) or f"leaf {tuple(v.shape)}"
            graph.node(name, "wire", _escape(title))
        else:
            symbol = getattr(v._fn, "symbol", None) or _op_label(v._fn)
            if values and symbol == "**":
                symbol = f"**{_fmt(v.exponent)}"
            graph.node(name, "gate", _escape(symbol))
        for i, u in enumerate(v._next):
            if u is not None and id(u) in ids:
                grad = None if sent is None else sent.get((v, i))
                graph.edge(ids[id(u)], name, _wire_label(value_of(u), grad, show_data, show_grad))
    for k, r in enumerate(roots):
        start = starts[k]
        if start is r and (not values or r._fn is None):
            continue  # a root that is a leaf is drawn already
        title = (r.label if values else r.name or names.get(id(r))) or "output"
        graph.node(f"out{k}", "wire", _escape(title))
        grad = root_grads[k] if sent is not None else None
        graph.edge(
            ids[id(start)], f"out{k}", _wire_label(value_of(start), grad, show_data, show_grad)
        )
    _more(graph, order, hidden, ids, "")


# --------------------------------------------------------------------------- output
def _attrs(attrs):
    return ", ".join(f'{key}="{value}"' for key, value in attrs.items())


def _dot_body(graph):
    """The node and edge statements, each node inside its (nested) frames; frames come in
    the order their first node was met, and are numbered cluster_0, cluster_1, ... so."""
    styles = {kind: _attrs(style) for kind, style in _STYLE.items()}
    members = {(): []}
    children = {(): []}
    for node in graph.nodes:
        path = node[3]
        for k in range(1, len(path) + 1):
            if path[:k] not in children:
                children[path[:k]] = []
                members[path[:k]] = []
                children[path[: k - 1]].append(path[:k])
        members[path].append(node)
    lines = []
    count = 0
    todo = [((), 0)]  # (frame, depth) to open, or a depth whose frame to close
    while todo:
        item = todo.pop()
        if isinstance(item, int):
            lines.append("\t" * item + "}")
            continue
        path, depth = item
        indent = "\t" * (depth + 1)
        if path:
            lines.append("\t" * depth + f"subgraph cluster_{count} {{")
            lines.append(f'{indent}label="{_escape(path[-1])}";')
            lines.append(indent + _CLUSTER_STYLE)
            count += 1
            todo.append(depth)
        for name, kind, label, _ in members[path]:
            lines.append(f'{indent}{name} [label="{label}", {styles[kind]}];')
        todo.extend((child, depth + 1) for child in reversed(children[path]))
    for tail, head, label in graph.edges:
        lines.append(
            f"\t{tail} -> {head};" if label is None else f"\t{tail} -> {head} [label=<{label}>];"
        )
    return lines


def to_dot(root, show_data=True, show_grad=True, max_elements=8, max_nodes=500, rankdir="LR",
           labels=None, clusters=None, modules=None, collapse=(), style="graph"):  # fmt: skip
    """The DOT source of the graph that produced `root` (a Value, a Tensor, or a list).

    show_data / show_grad: put values / gradients in the boxes.
    max_elements: a tensor with more elements shows min/mean/max instead of its values.
    max_nodes: draw at most this many vertices (Values, ops, leaves, collapsed modules);
        None for all.
    rankdir: "LR" (inputs on the left) or "TB" (inputs on top).
    labels: {tensor: "name"} for tensors without a `.name`; parameter names of a model:
        `{p: name for name, p in model.named_parameters()}`.
    clusters: {vertex: frame} or a callable vertex -> frame or None; a frame is a name, or a
        tuple of names for frames inside frames.
    modules: what `record(model)` recorded: a frame per module call, parameter names.
    collapse: modules (names as in `named_modules()`, or the modules) drawn as one box each.
    style: "graph" (data and op nodes) or "circuit" (the lectures' circuit: gates, and on
        each wire its forward value above and its gradient below, green and red, the
        gradient also in italics after a "∂").
    """
    graph = _describe(root, show_data, show_grad, max_elements, max_nodes, rankdir, labels,
                      clusters, modules, collapse, style)  # fmt: skip
    head = ["digraph {", f'\trankdir="{graph.rankdir}";', '\tnode [fontname="Helvetica"];']
    return "\n".join(head + _dot_body(graph) + ["}"]) + "\n"


def draw(root, show_data=True, show_grad=True, max_elements=8, max_nodes=500, rankdir="LR",
         labels=None, clusters=None, modules=None, collapse=(), style="graph"):  # fmt: skip
    """The graph as a `graphviz.Digraph` (`pip install graphviz`): Jupyter shows it, and
    `.render()` / `.pipe()` turn it into an image (they need Graphviz's `dot`).

    Takes the arguments of `to_dot` and draws the same statements.
    """
    graph = _describe(root, show_data, show_grad, max_elements, max_nodes, rankdir, labels,
                      clusters, modules, collapse, style)  # fmt: skip
    g = _digraph_class()(graph_attr={"rankdir": graph.rankdir}, node_attr={"fontname": "Helvetica"})
    g.body.extend(line + "\n" for line in _dot_body(graph))
    return g


draw_dot = draw  # micrograd's name

_Digraph = None


def _digraph_class():
    """graphviz.Digraph, except that without Graphviz's `dot` Jupyter shows the DOT text
    and a hint instead of a traceback (made on first use: graphviz is an optional extra)."""
    global _Digraph
    if _Digraph is None:
        import shutil

        import graphviz

        class Digraph(graphviz.Digraph):
            def _repr_mimebundle_(self, include=None, exclude=None, **kw):
                if shutil.which("dot") is not None:
                    return super()._repr_mimebundle_(include, exclude, **kw)
                hint = "(Graphviz's `dot` is not installed: the DOT source follows)\n"
                return {"text/plain": hint + self.source}

        _Digraph = Digraph
    return _Digraph


def save(root, path, **kw):
    """Draw the graph into `path`: .svg, .png or .pdf (needs Graphviz's `dot`); takes the
    arguments of `to_dot`."""
    import os
    import shutil

    fmt = os.path.splitext(str(path))[1].lstrip(".").lower()
    if fmt not in ("svg", "png", "pdf"):
        raise ValueError(f"save: cannot tell the format from {str(path)!r}; use .svg, .png or .pdf")
    if shutil.which("dot") is None:
        raise RuntimeError(
            "save: Graphviz's `dot` program was not found on PATH "
            "(apt install graphviz, brew install graphviz, or conda install graphviz); "
            "to_dot() gives the DOT text without it"
        )
    image = draw(root, **kw).pipe(format=fmt)
    with open(path, "wb") as f:
        f.write(image)
    return path
