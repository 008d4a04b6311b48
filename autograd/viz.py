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

Colours: output orange, leaf requiring grad blue, parameter green, constant grey (dashed).

The walk is breadth-first from the output with an explicit queue (no recursion), and names
the vertices in the order it meets them, so the same graph always gives the same text.
Past `max_nodes` vertices it stops drawing and puts one "... N more nodes" box instead.

`clusters` maps vertices (Values, Tensors or Nodes) to a cluster name, or is a callable
returning one (or None): each cluster is drawn in its own frame. This is the hook for
grouping by `nn.Module`: a module can map the Nodes its forward recorded to its name.
"""

from collections import deque

__all__ = ["to_dot", "draw", "draw_dot", "save"]

# Short labels for the ops that have a symbol; the rest show their lowercased class name.
_SYMBOLS = {"Add": "+", "Sub": "-", "Mul": "*", "Div": "/", "Pow": "**", "MatMul": "matmul"}

_STYLE = {
    "output": {"shape": "record", "style": "filled", "fillcolor": "#ffd59e"},
    "leaf": {"shape": "record", "style": "filled", "fillcolor": "#cfe2ff"},
    "parameter": {"shape": "record", "style": "filled", "fillcolor": "#c7f0d2"},
    "constant": {"shape": "record", "style": "dashed,filled", "fillcolor": "#eeeeee"},
    "value": {"shape": "record"},
    "op": {"shape": "ellipse", "style": "filled", "fillcolor": "#f2f2f2"},
    "more": {"shape": "note", "style": "dashed"},
}


class _Graph:
    """The description both `to_dot` and `draw` are built from."""

    def __init__(self, rankdir):
        self.rankdir = rankdir
        self.nodes = []  # (id, kind, label, cluster)
        self.edges = []  # (tail id, head id)

    def node(self, name, kind, label, cluster=None):
        self.nodes.append((name, kind, label, cluster))

    def edge(self, tail, head):
        self.edges.append((tail, head))


# --------------------------------------------------------------------------- the walk
def _is_value(v):
    return type(v).__name__ == "Value" and hasattr(v, "label")


def _inputs(v):
    """The graph vertices v points to (inputs of a Value, edges of a Node); None skipped."""
    return [u for u in getattr(v, "_next", ()) if u is not None]


def _walk(roots, max_nodes):
    """Vertices breadth-first from the roots: (the first `max_nodes` of them, how many more)."""
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
    if max_nodes is None or len(order) <= max_nodes:
        return order, 0
    return order[:max_nodes], len(order) - max_nodes


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
    lo, mean, hi = float(array.min()), float(array.mean()), float(array.max())
    return f"min {lo:.4g} mean {mean:.4g} max {hi:.4g}"


def _tensor_label(t, title, show_data, show_grad, max_elements):
    data = t.data
    fields = [title, f"{tuple(data.shape)} {t.dtype}"]
    if show_data:
        fields.append("data " + _array_text(t, data, max_elements))
    if show_grad and t.grad is not None:
        fields.append("grad " + _array_text(t, t.grad.data, max_elements))
    return _record(*fields)


def _tensor_kind(t):
    if any(c.__name__ == "Parameter" for c in type(t).__mro__):
        return "parameter"
    return "leaf" if t.requires_grad else "constant"


def _op_label(fn):
    name = fn.__name__
    return _SYMBOLS.get(name, name.lower())


def _cluster_of(clusters):
    if clusters is None:
        return lambda v: None
    if callable(clusters) and not hasattr(clusters, "items"):
        return clusters
    by_id = {id(k): name for k, name in clusters.items()}
    return lambda v: by_id.get(id(v))


# --------------------------------------------------------------------------- building
def _describe(root, show_data, show_grad, max_elements, max_nodes, rankdir, labels, clusters):
    roots = list(root) if isinstance(root, (list, tuple)) else [root]
    graph = _Graph(rankdir)
    if not roots:
        return graph
    cluster_of = _cluster_of(clusters)
    if all(_is_value(r) for r in roots):
        _describe_values(graph, roots, show_data, show_grad, max_nodes, cluster_of)
    else:
        names = {id(k): name for k, name in (labels or {}).items()}
        _describe_tensors(
            graph, roots, show_data, show_grad, max_elements, max_nodes, names, cluster_of
        )
    return graph


def _more(graph, order, hidden, ids, suffix):
    """The "... N more nodes" box, fed into the drawn vertices whose inputs were cut off."""
    if not hidden:
        return
    graph.node("more", "more", f"... {hidden} more nodes")
    for v in order:
        if any(id(u) not in ids for u in _inputs(v)):
            graph.edge("more", ids[id(v)] + suffix)


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
    graph, roots, show_data, show_grad, max_elements, max_nodes, names, cluster_of
):
    # The walk starts at the ops that made the outputs; an output without one is a vertex.
    starts = [r.grad_fn if r.grad_fn is not None else r for r in roots]
    order, hidden = _walk(starts, max_nodes)
    ids = {id(v): f"n{k}" for k, v in enumerate(order)}
    outputs = {id(r) for r in roots}
    for v in order:
        name = ids[id(v)]
        cluster = cluster_of(v)
        if v._fn is None:  # a leaf tensor
            title = v.name or names.get(id(v)) or ("output" if id(v) in outputs else "leaf")
            label = _tensor_label(v, title, show_data, show_grad, max_elements)
            kind = "output" if id(v) in outputs else _tensor_kind(v)
            graph.node(name, kind, label, cluster)
            continue
        graph.node(name, "op", _escape(_op_label(v._fn)), cluster)
        for u in v._next:
            if u is not None and id(u) in ids:
                graph.edge(ids[id(u)], name)
        out = v._out() if v._out is not None else None  # retain_grad() keeps a weak ref
        if out is not None and all(out is not r for r in roots):
            title = out.name or names.get(id(out)) or "retained"
            label = _tensor_label(out, title, show_data, show_grad, max_elements)
            graph.node(name + "val", "value", label, cluster_of(out) or cluster)
            graph.edge(name, name + "val")
    for k, r in enumerate(roots):
        if r.grad_fn is None:  # the output is itself a leaf or a constant: already drawn
            continue
        title = r.name or names.get(id(r)) or "output"
        label = _tensor_label(r, title, show_data, show_grad, max_elements)
        name = f"out{k}"
        graph.node(name, "output", label, cluster_of(r))
        graph.edge(ids[id(r.grad_fn)], name)
    _more(graph, order, hidden, ids, "")


# --------------------------------------------------------------------------- output
def _attrs(attrs):
    return ", ".join(f'{key}="{value}"' for key, value in attrs.items())


def _node_attrs(kind, label):
    return {"label": label, **_STYLE[kind]}


def _by_cluster(nodes):
    """Nodes grouped by cluster in first-seen order: [(k, cluster or None, [nodes])], k
    numbering the clusters 0, 1, ..."""
    groups = {}
    for node in nodes:
        groups.setdefault(node[3], []).append(node)
    named = [cluster for cluster in groups if cluster is not None]
    return [(named.index(c) if c is not None else -1, c, group) for c, group in groups.items()]


def to_dot(
    root,
    show_data=True,
    show_grad=True,
    max_elements=8,
    max_nodes=500,
    rankdir="LR",
    labels=None,
    clusters=None,
):
    """The DOT source of the graph that produced `root` (a Value, a Tensor, or a list).

    show_data / show_grad: put values / gradients in the boxes.
    max_elements: a tensor with more elements shows min/mean/max instead of its values.
    max_nodes: draw at most this many vertices (Values, ops and leaves); None for all.
    rankdir: "LR" (inputs on the left) or "TB" (inputs on top).
    labels: {tensor: "name"} for tensors without a `.name`.
    clusters: {vertex: "cluster name"} or a callable vertex -> name or None.
    """
    graph = _describe(
        root, show_data, show_grad, max_elements, max_nodes, rankdir, labels, clusters
    )
    styles = {kind: _attrs(style) for kind, style in _STYLE.items()}
    lines = ["digraph {", f'\trankdir="{graph.rankdir}";', '\tnode [fontname="Helvetica"];']
    for k, cluster, nodes in _by_cluster(graph.nodes):
        indent = "\t"
        if cluster is not None:
            lines.append(f"\tsubgraph cluster_{k} {{")
            lines.append(f'\t\tlabel="{_escape(cluster)}";')
            indent = "\t\t"
        for name, kind, label, _ in nodes:
            lines.append(f'{indent}{name} [label="{label}", {styles[kind]}];')
        if cluster is not None:
            lines.append("\t}")
    for tail, head in graph.edges:
        lines.append(f"\t{tail} -> {head};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def draw(root, show_data=True, show_grad=True, **kw):
    """The graph as a `graphviz.Digraph` (`pip install graphviz`): Jupyter shows it, and
    `.render()` / `.pipe()` turn it into an image (they need Graphviz's `dot`).

    Takes the keyword arguments of `to_dot` and draws the same description.
    """
    graph = _describe(
        root,
        show_data,
        show_grad,
        kw.pop("max_elements", 8),
        kw.pop("max_nodes", 500),
        kw.pop("rankdir", "LR"),
        kw.pop("labels", None),
        kw.pop("clusters", None),
    )
    if kw:
        raise TypeError(f"draw() got unexpected keyword arguments {sorted(kw)}")
    g = _digraph_class()(graph_attr={"rankdir": graph.rankdir}, node_attr={"fontname": "Helvetica"})
    for k, cluster, nodes in _by_cluster(graph.nodes):
        if cluster is None:
            for name, kind, label, _ in nodes:
                g.node(name, **_node_attrs(kind, label))
            continue
        with g.subgraph(name=f"cluster_{k}") as sub:
            sub.attr(label=_escape(cluster))
            for name, kind, label, _ in nodes:
                sub.node(name, **_node_attrs(kind, label))
    for tail, head in graph.edges:
        g.edge(tail, head)
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
    """Draw the graph into `path`: .svg, .png or .pdf (needs Graphviz's `dot`)."""
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
