"""`explain(root)`: the backward pass as the lectures write it, one step per edge.

Each step reads: at this node, [upstream gradient] x [local gradient] = the gradient sent down
to that input; a value used twice gets one more step where its gradients sum. The walk is the
engine's own (`run_backward` with an observer), in the order the engine runs it, and nothing
accumulates into `.grad`: explaining a graph does not change it.

    x, y = Value(2.0, "x"), Value(1.0, "y")
    f = y * (x**2 + x)
    print(explain(f))      # ... x receives 4 + 1 = 5
"""

import re
from dataclasses import dataclass

from autograd._tensor import Tensor
from autograd.engine import run_backward
from autograd.value import Value

__all__ = ["explain", "Explanation", "Step"]


@dataclass
class Step:
    """One row of the walk.

    kind "start": the root's own gradient (d root/d root). kind "edge": `node` sends
    `sent = upstream * local` to `to` (for a tensor, `local` is None and `rule` is the
    vector-Jacobian rule that maps upstream to sent). kind "sum": `node` received several
    gradients (`parts`) that add up to `sent`.
    """

    kind: str
    node: str
    upstream: object = None
    rule: str = ""
    local: object = None
    sent: object = None
    to: str = ""
    parts: tuple = ()


class Explanation:
    """The steps of one backward pass; `str()` is a table, `to_markdown()` one for notebooks."""

    def __init__(self, steps, digits=4):
        self.steps = steps
        self.digits = digits

    def _rows(self):
        fmt = lambda v: _show(v, self.digits)  # noqa: E731
        rows = []
        for i, s in enumerate(self.steps, 1):
            if s.kind == "start":
                own = f"d{s.node}/d{s.node}" if s.node.isidentifier() else "the root's own"
                rows.append((str(i), s.node, "", own, "", fmt(s.sent), ""))
            elif s.kind == "sum":
                total = " + ".join(fmt(p) for p in s.parts) + " = " + fmt(s.sent)
                rows.append((str(i), s.node, "", "a value used twice sums", "", total, ""))
            else:
                local = s.rule
                if s.local is not None and not s.rule.endswith(f"= {fmt(s.local)}"):
                    local = f"{s.rule} = {fmt(s.local)}"
                if s.local is not None:
                    sent = f"{fmt(s.upstream)} x {fmt(s.local)} = {fmt(s.sent)}"
                else:
                    sent = fmt(s.sent)
                rows.append((str(i), s.node, fmt(s.upstream), local, s.to, sent, ""))
        return rows

    _HEAD = ("#", "at node", "upstream", "local gradient", "to", "sent down", "")

    def __str__(self):
        rows = [r[:6] for r in [self._HEAD] + self._rows()]
        widths = [max(len(r[c]) for r in rows) for c in range(6)]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows]
        lines.insert(1, "  ".join("-" * w for w in widths))
        return "\n".join(lines)

    def to_markdown(self):
        rows = [r[:6] for r in self._rows()]
        out = ["| " + " | ".join(self._HEAD[:6]) + " |", "|" + "---|" * 6]
        out += ["| " + " | ".join(c.replace("|", "\\|") for c in r) + " |" for r in rows]
        return "\n".join(out)

    def _repr_markdown_(self):
        return self.to_markdown()

    def __repr__(self):
        return f"<Explanation of {len(self.steps)} steps>\n{self}"


def explain(root, gradient=None, digits=4):
    """The backward pass from `root` (a Value or a Tensor) as a list of steps.

    Runs the engine's walk with the graph kept (as `retain_graph=True`) and leaves every
    `.grad` as it was, so it can be called before or after `root.backward(retain_graph=True)`.
    A graph whose saved values were freed by a plain `backward()` raises; build it again.
    gradient: the root's gradient (default 1, for a scalar root).
    """
    names = _Names()
    if isinstance(root, Value):
        start = 1.0 if gradient is None else float(gradient)
        vertex = root
    elif isinstance(root, Tensor):
        if not root.requires_grad:
            raise RuntimeError("explain: the root does not require grad, so there is no graph")
        if gradient is None:
            if root.numel() != 1:
                raise RuntimeError(
                    f"explain: a root of shape {tuple(root.shape)} needs `gradient=` "
                    "(the implicit gradient exists only for a single element)"
                )
            from autograd.creation import ones_like

            gradient = ones_like(root)
        start = gradient
        vertex = root.grad_fn if root.grad_fn is not None else root
        names.label(vertex, _tensor_name(root) or "root")
    else:
        raise TypeError(f"explain: expected a Value or a Tensor, got {type(root).__name__}")

    steps = [Step("start", names(vertex), sent=start)]
    received = {}  # vertex -> [(from, gradient)], to show the sums of values used twice

    def observe(v, g, out):
        parts = received.get(v, ())
        if len(parts) > 1:
            steps.append(Step("sum", names(v), sent=g, parts=tuple(p for _, p in parts)))
        if out is None:
            return
        fn = v._fn
        rules = _rules(fn, len(v._next))
        locals_ = _local_values(v) if isinstance(v, Value) else None
        for i, (u, gu) in enumerate(zip(v._next, out)):
            if u is None or gu is None:
                continue
            local = None if locals_ is None else locals_[i]
            steps.append(
                Step(
                    "edge", names(v), upstream=g, rule=rules[i], local=local, sent=gu, to=names(u)
                )  # fmt: skip
            )
            received.setdefault(u, []).append((v, gu))

    run_backward((vertex,), (start,), True, False, capture={}, observe=observe)
    return Explanation(steps, digits)


def _local_values(v):
    """d v / d input for each input of a Value: its rule run on an upstream gradient of 1."""
    out = v._fn.backward(v, 1.0)
    return out if isinstance(out, tuple) else (out,)


def _rules(fn, n):
    """The local-gradient part of the primitive's docstring ("dz/dx = ..."), split per input
    where it gives one rule per input ("dz/dx = y, dz/dy = x")."""
    doc = " ".join((fn.__doc__ or "").strip().split("\n\n")[0].split())
    found = re.search(r"\bd\w*/d\w+", doc)
    rule = (doc[found.start() :] if found else doc).rstrip(".")
    parts = re.split(r"(?:,| and) (?=d\w*/d\w+ =)", rule)
    if len(parts) == n:
        return tuple(parts)
    return (rule,) * n


def _tensor_name(t):
    return getattr(t, "name", None)


def _show(v, digits):
    if v is None:
        return ""
    if isinstance(v, Value):
        v = v.data
    if isinstance(v, Tensor):
        v = v.detach()
        if v.numel() <= 6:
            return _nested(v.tolist(), digits)
        a = v.double()
        return (
            f"{tuple(v.shape)} min {a.min().item():.{digits}g} mean {a.mean().item():.{digits}g} "
            f"max {a.max().item():.{digits}g}"
        )
    if isinstance(v, float):
        return f"{v:.{digits}g}"
    return str(v)


def _nested(x, digits):
    if isinstance(x, list):
        return "[" + ", ".join(_nested(e, digits) for e in x) + "]"
    return _show(float(x), digits)


class _Names:
    """A short, stable name per vertex: a Value's label, else its op and value; a tensor
    node by its op, numbered when the op recurs; a leaf tensor by its name or a letter."""

    def __init__(self):
        self._names = {}
        self._count = {}

    def label(self, v, name):
        self._names[v] = name

    def __call__(self, v):
        name = self._names.get(v)
        if name is None:
            name = self._names[v] = self._new(v)
        return name

    def _new(self, v):
        if isinstance(v, Value):
            if v.label:
                return v.label
            if v._fn is None:
                return f"{v.data:g}"
            return f"({v.op}) {v.data:.4g}"
        if isinstance(v, Tensor):
            if v.name:
                return v.name
            k = self._count.get("leaf", 0)
            self._count["leaf"] = k + 1
            return f"leaf {chr(ord('a') + k) if k < 26 else k} {tuple(v.shape)}"
        base = v._fn.__name__
        k = self._count.get(base, 0) + 1
        self._count[base] = k
        return base if k == 1 else f"{base}#{k}"
