"""The least a define-by-run DAG engine in Python costs: per_op.py's "dag" contender.

Each op computes on numpy arrays and records one vertex holding a closure of its local
gradient; `backward` counts dependencies and walks the vertices in reverse topological
order (Kahn's algorithm, as autograd/engine.py), summing a gradient used twice. Nothing
else: no dtype promotion rules, no version counters, no hooks, no retain_graph or
create_graph, no grad mode, no devices, no error checks. It implements only the methods
per_op.chain calls, on float32 arrays of one shape. The gap between it and dagrad is the
cost of those features; the gap between it and the numpy tape is the cost of a graph.
"""

import numpy as np

_new = object.__new__


class Vertex:
    __slots__ = ("rule", "next")


class T:
    """A tensor: its array, and the vertex that made it (None for a leaf)."""

    __slots__ = ("array", "grad", "vertex", "requires_grad")

    def __init__(self, array, requires_grad=False):
        self.array = array
        self.grad = None
        self.vertex = None
        self.requires_grad = requires_grad

    def _edge(self):
        return (self.vertex or self) if self.requires_grad else None

    def __mul__(self, other):
        a = self.array
        if other.__class__ is T:
            b = other.array
            return _out(a * b, lambda g: (g * b, g * a), (self._edge(), other._edge()))
        return _out(a * other, lambda g: (g * other,), (self._edge(),))

    def __add__(self, other):
        return _out(self.array + other.array, lambda g: (g, g), (self._edge(), other._edge()))

    def __sub__(self, other):
        return _out(self.array - other.array, lambda g: (g, -g), (self._edge(), other._edge()))

    def tanh(self):
        y = np.tanh(self.array)
        return _out(y, lambda g: (g * (1 - y * y),), (self._edge(),))

    def exp(self):
        y = np.exp(self.array)
        return _out(y, lambda g: (g * y,), (self._edge(),))

    def relu(self):
        a = self.array
        return _out(np.maximum(a, 0), lambda g: (np.where(a > 0, g, 0),), (self._edge(),))

    def sigmoid(self):
        y = 1 / (1 + np.exp(-self.array))
        return _out(y, lambda g: (g * y * (1 - y),), (self._edge(),))

    def sum(self):
        a = self.array
        return _out(a.sum(), lambda g: (np.broadcast_to(g, a.shape),), (self._edge(),))

    def backward(self):
        backward(self)


def _out(array, rule, edges):
    v = _new(Vertex)
    v.rule = rule
    v.next = edges
    t = _new(T)
    t.array = array
    t.grad = None
    t.vertex = v
    t.requires_grad = True
    return t


def backward(t):
    """Accumulate d t / d leaf into each leaf's .grad (t a scalar)."""
    root = t.vertex
    deps = {root: 0}
    stack = [root]
    while stack:
        for u in stack.pop().next:
            if u is None or u.__class__ is T:
                continue
            if u in deps:
                deps[u] += 1
            else:
                deps[u] = 1
                stack.append(u)
    ready = [(root, np.ones_like(t.array))]
    partial = {}
    while ready:
        v, g = ready.pop()
        for u, gu in zip(v.next, v.rule(g)):
            if u is None:
                continue
            if u.__class__ is T:  # a leaf accumulates
                u.grad = gu if u.grad is None else u.grad + gu
                continue
            n = deps[u] - 1
            prev = partial.pop(u, None)
            gu = gu if prev is None else prev + gu
            if n:  # more consumers to come: park the partial sum
                deps[u] = n
                partial[u] = gu
            else:
                ready.append((u, gu))
