"""The engine: the only walk over the graph, for Tensors and Values alike.

Vertices are the recorded ops (`Node`, or a `Value`, which is its own node) and the leaves
that accumulate (`Tensor`, `Value`). Each vertex exposes `_fn` (the Function, None for a
leaf), `_next` (one edge per input), `_hooks` and `_retain`; the walk needs nothing else.
Dependencies are counted first, then vertices run once every consumer has sent its gradient
(Kahn's algorithm): no recursion, so graphs of any depth work.
"""

from autograd import function as _function
from autograd.grad_mode import state as _grad

__all__ = ["backward", "grad", "run_backward"]


def _dependencies(roots):
    """How many edges point at each vertex reachable from the roots."""
    deps = dict.fromkeys(roots, 0)
    stack = list(roots)
    pop = stack.pop
    push = stack.append
    while stack:
        for u in pop()._next:
            if u is None:
                continue
            if u in deps:
                deps[u] += 1
            else:
                deps[u] = 1
                push(u)
    return deps


def run_backward(roots, root_grads, retain_graph, create_graph, capture=None, observe=None):
    """Send root_grads back from roots. Leaves accumulate into .grad, unless `capture`
    (vertex -> slot) is given, in which case the gradients reaching those vertices are
    returned in a list and nothing accumulates. `observe(vertex, grad, grads_sent)` (None
    sent for a leaf) watches each vertex as it runs: autograd.explain's table."""
    deps = _dependencies(roots)
    # Array speed: with no graph of the backward to record (and no anomaly mode, which
    # inspects Tensors), gradients travel as raw backend arrays; a rule not written for
    # arrays, a hook and every hand-over to the caller see Tensors (_lift).
    # Forward mode (forward-over-reverse) needs the rules' Tensor ops to carry tangents.
    raw = (
        not create_graph
        and _function._anomaly is None
        and _function._dual_level is None
        and observe is None
    )
    if raw:
        root_grads = [g.array if g.__class__ is not float else g for g in root_grads]
    grads = {}
    for r, g in zip(roots, root_grads):
        grads[r] = grads[r] + g if r in grads else g
    # (vertex, its whole gradient), for vertices whose consumers have all been run. `grads`
    # only parks the partial sums of vertices that still wait on a consumer.
    ready = [(r, grads.pop(r)) for r in dict.fromkeys(roots) if deps[r] == 0]
    captured = None if capture is None else [None] * (max(capture.values(), default=-1) + 1)
    keep = capture is None  # accumulate into .grad (backward), or only capture (grad)
    pop = ready.pop
    push = ready.append
    # Leaves (and retained vertices) with their gradients, applied at the end so that an
    # error half-way leaves every .grad untouched.
    leaves = []
    leaf_grads = []
    anomaly = _function._anomaly
    if anomaly is not None:
        anomaly.in_backward += 1
    prev = _grad.enabled
    prev_raw = _grad.raw
    _grad.enabled = create_graph
    _grad.raw = raw
    try:
        while ready:
            v, g = pop()
            # As PyTorch's engine: a gradient arrives in its vertex's dtype (numpy would
            # have widened float32 * int64 to float64 in a rule on arrays; a float16 input
            # beside float32 gets its gradient in float16).
            dt = v._dtype
            if raw:
                if dt is not None and g.dtype is not dt:
                    g = g.astype(dt)
            elif dt is not None and isinstance(g, _function.Tensor) and g.dtype != dt:
                g = g.to(dt)  # recorded under create_graph: the cast is differentiated too
            if v._hooks is not None:
                g = _run_hooks(v._hooks, _lift(g, v._backend)) if raw else _run_hooks(v._hooks, g)
                if raw:
                    g = _lower(g)
            if capture is not None and v in capture:
                captured[capture[v]] = _lift(g, v._backend) if raw else g
            fn = v._fn
            if fn is None or v._retain:
                if keep:
                    leaves.append(v)
                    leaf_grads.append(g)
                    if _grad_final_hooks and fn is None:
                        _grad_final(v, g, raw)
                if fn is None:
                    if observe is not None:
                        observe(v, g, None)
                    continue
            if fn._runs_raw if raw else fn._builtin:
                out = fn.backward(v, g)
                if out.__class__ is not tuple:
                    out = (out,)
            else:
                out = _other_rule(fn, v, g, raw)
            if observe is not None:
                observe(v, g, out)
            if anomaly is not None:
                anomaly.backward(v, out)
            if not retain_graph:  # free what it saved once used
                if fn._saved_attrs:
                    v._release()
                elif v._saved:
                    v._saved = None
            for u, gu in zip(v._next, out):
                if u is None:
                    continue
                n = deps[u] - 1
                if n:  # more consumers to come: park the partial sum
                    deps[u] = n
                    if gu is not None:
                        prev_g = grads.get(u)
                        grads[u] = gu if prev_g is None else prev_g + gu
                    continue
                if grads:
                    prev_g = grads.pop(u, None)
                    if gu is not None:
                        prev_g = gu if prev_g is None else prev_g + gu
                else:
                    prev_g = gu
                if prev_g is not None:
                    if keep and u._fn is None and u._hooks is None:
                        leaves.append(u)  # a leaf without hooks: nothing to run, it waits
                        leaf_grads.append(prev_g)
                        if _grad_final_hooks:
                            _grad_final(u, prev_g, raw)
                        continue
                    push((u, prev_g))
                else:
                    # No gradient arrived (all None): its inputs still wait on it.
                    deps[u] = 0
                    _skip(u, deps, grads, ready)
        # Hand each leaf its gradient with the engine's other references to it dropped, so
        # that a gradient nothing else holds becomes .grad without a copy (Tensor._accumulate).
        v = g = r = out = gu = prev_g = None
        for i, leaf in enumerate(leaves):
            g = leaf_grads[i]
            leaf_grads[i] = None
            if raw:
                g = _lift(g, leaf._backend)
            leaf._accumulate(g, create_graph)
        if _post_accumulate_hooks:
            _run_post_accumulate_hooks(leaves)
    finally:
        _grad.enabled = prev
        _grad.raw = prev_raw
        if anomaly is not None:
            anomaly.in_backward -= 1
    return captured


def _other_rule(fn, v, g, raw):
    """The gradients of a vertex whose rule is not an array rule run at its speed: a user
    Function's, or (in an array-speed walk) a built-in rule written on Tensors only."""
    if not raw:
        return _function._custom_backward(v, g)
    _grad.raw = False
    try:
        if fn._builtin:
            out = fn.backward(v, _lift(g, v._backend))
            if out.__class__ is not tuple:
                out = (out,)
        else:
            out = _function._custom_backward(v, _lift(g, v._backend))
    finally:
        _grad.raw = True
    return [_lower(o) for o in out]


def _lift(g, backend):
    """A gradient of the array-speed walk as the Tensor (on the vertex's backend) that a
    hook, a rule on Tensors or the caller sees; a Value's float passes through, and a
    multi-output Function's slots are lifted one by one."""
    if g is None or g.__class__ is float:
        return g
    if g.__class__ is _function._Grads:
        return _function._Grads(_lift(x, backend) for x in g)
    if isinstance(g, _function.Tensor):
        return g
    return _function._wrap(g, backend)


def _lower(g):
    """The raw array of a Tensor gradient (the inverse of _lift)."""
    if g.__class__ is _function._Grads:
        return _function._Grads(_lower(x) for x in g)
    return g.array if isinstance(g, _function.Tensor) else g


def _skip(v, deps, grads, ready):
    """Release the dependencies of a vertex that received no gradient at all."""
    stack = [v]
    while stack:
        w = stack.pop()
        for u in w._next:
            if u is None:
                continue
            n = deps[u] - 1
            deps[u] = n
            if n == 0:
                if u in grads:
                    ready.append((u, grads.pop(u)))
                else:
                    stack.append(u)


def _run_hooks(hooks, g):
    """Each hook sees the gradient; a Tensor it returns replaces it, and must keep its
    shape, dtype and device (PyTorch's check_single_result)."""
    from autograd._tensor import Tensor

    for hook in hooks:
        r = hook(g)
        if r is None:
            continue
        if isinstance(g, Tensor):
            name = getattr(hook, "__name__", type(hook).__name__)
            if not isinstance(r, Tensor):
                raise TypeError(f"expected Tensor, but hook '{name}' returned '{type(r).__name__}'")
            if r.shape != g.shape:
                raise RuntimeError(
                    f"hook '{name}' has changed the size of value (was {list(g.shape)} got "
                    f"{list(r.shape)})"
                )
            if r.dtype != g.dtype:
                raise RuntimeError(
                    f"hook '{name}' has changed the type of value (was {g.dtype} got {r.dtype})"
                )
            if r._backend is not g._backend:
                raise RuntimeError(
                    f"hook '{name}' has changed the device of value (was {g.device} got {r.device})"
                )
        g = r
    return g


def _vertex(t):
    grad_fn = getattr(t, "grad_fn", None)  # a Value is its own vertex
    return grad_fn if grad_fn is not None else t


def _root_grads(outputs, grad_outputs, op, create_graph=False):
    from autograd._tensor import Tensor, _wrap
    from autograd.value import Value

    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    if len(grad_outputs) != len(outputs):
        raise RuntimeError(f"{op}: got {len(grad_outputs)} gradients for {len(outputs)} outputs")
    result = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if not getattr(t, "requires_grad", False):
            raise RuntimeError(
                f"{op}: element {i} of tensors does not require grad and does not have a grad_fn"
            )
        if t.__class__ is Value:
            # Values backpropagate floats unless the backward itself is recorded.
            g = 1.0 if g is None else g.data if g.__class__ is Value else float(g)
            result.append(Value(g) if create_graph else g)
            continue
        if g is None:
            a = t.array
            if a.size != 1:
                raise RuntimeError(
                    f"{op}: grad can be implicitly created only for scalar outputs "
                    f"(output {i} has shape {tuple(t.shape)}); pass gradient= of that shape"
                )
            backend = t._backend
            result.append(_wrap(backend.xp.ones(a.shape, dtype=a.dtype), backend))
            continue  # of t's shape, dtype and device by construction
        elif not isinstance(g, Tensor):
            g = Tensor(g, dtype=t.dtype, device=t.device)
        if g.shape != t.shape:
            raise RuntimeError(
                f"{op}: Mismatch in shape: grad_output[{i}] has a shape of {tuple(g.shape)} "
                f"and output[{i}] has a shape of {tuple(t.shape)}"
            )
        if g._backend is not t._backend:
            raise RuntimeError(
                f"{op}: grad_output[{i}] is on {g.device} but output[{i}] is on {t.device}"
            )
        result.append(g)
    return result


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False, inputs=None):
    """Accumulate the gradients of `tensors` into the .grad of the leaves (or of `inputs`)."""
    tensors = _as_tuple(tensors)
    grad_tensors = None if grad_tensors is None else _as_tuple(grad_tensors)
    if retain_graph is None:
        retain_graph = create_graph
    root_grads = _root_grads(tensors, grad_tensors, "backward", create_graph)
    roots = [_vertex(t) for t in tensors]
    if inputs is None:
        run_backward(roots, root_grads, retain_graph, create_graph)
        return
    inputs = _as_tuple(inputs)
    capture = {_vertex(t): i for i, t in enumerate(inputs)}
    captured = run_backward(roots, root_grads, retain_graph, create_graph, capture)
    if _grad_final_hooks:
        for t, g in zip(inputs, captured):
            if g is not None:
                _grad_final(t, g, False)
    for t, g in zip(inputs, captured):
        if g is not None:
            t._accumulate(g, create_graph)
    if _post_accumulate_hooks:
        _run_post_accumulate_hooks([t for t, g in zip(inputs, captured) if g is not None])


def grad(
    outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False, allow_unused=False
):
    """The gradients of outputs with respect to inputs, as a tuple; .grad is left alone."""
    outputs = _as_tuple(outputs)
    inputs = _as_tuple(inputs)
    grad_outputs = None if grad_outputs is None else _as_tuple(grad_outputs)
    if retain_graph is None:
        retain_graph = create_graph
    for i, t in enumerate(inputs):
        if not t.requires_grad:
            raise RuntimeError(f"grad: input {i} of shape {tuple(t.shape)} does not require grad")
    root_grads = _root_grads(outputs, grad_outputs, "grad", create_graph)
    roots = [_vertex(t) for t in outputs]
    capture = {}
    for i, t in enumerate(inputs):
        capture.setdefault(_vertex(t), i)
    captured = run_backward(roots, root_grads, retain_graph, create_graph, capture)
    result = []
    for i, t in enumerate(inputs):
        g = captured[capture[_vertex(t)]]
        if g is None and not allow_unused:
            raise RuntimeError(
                f"grad: One of the differentiated Tensors (input {i}, shape "
                f"{tuple(getattr(t, 'shape', ()))}) "
                "appears to not have been used in the graph. Set allow_unused=True if this is "
                "the desired behavior."
            )
        if g is not None and not create_graph:
            if hasattr(g, "detach"):
                g = _detach_keeping_tangent(g)
            else:  # a Value's gradient: a float, or a Value when recorded; hand back a leaf
                from autograd.value import Value

                g = Value(g if g.__class__ is float else g.data)
        result.append(g)
    return tuple(result)


def _detach_keeping_tangent(g):
    """g cut from the graph; in forward mode it keeps its tangent (forward-over-reverse)."""
    level = _function._dual_level
    tangent = None if level is None else level.tangent(g)
    g = g.detach()
    if tangent is not None:
        level.set_tangent(g, tangent)
    return g


def _as_tuple(x):
    if isinstance(x, (tuple, list)):
        return tuple(x)
    return (x,)


# --- leaf hooks kept outside the Tensor (post-accumulate-grad, gradient-final) ---
# Each registry maps id(leaf) -> (weakref to it, [hook, ...]). Kept here, not in a Tensor
# slot, so that the walk pays one falsy dict test when nobody registered any.
def _register_leaf_hook(registry, t, hook):
    import weakref

    key = id(t)
    entry = registry.get(key)
    if entry is None or entry[0]() is not t:

        def forget(ref, key=key, registry=registry):  # safe at shutdown
            e = registry.get(key)
            if e is not None and e[0] is ref:
                del registry[key]

        entry = registry[key] = (weakref.ref(t, forget), [])
    entry[1].append(hook)
    return _function.RemovableHandle(entry[1], hook)


def _leaf_hooks(registry, leaf):
    entry = registry.get(id(leaf))
    return () if entry is None or entry[0]() is not leaf else tuple(entry[1])


# Post-accumulate-grad hooks run after every leaf of the walk has accumulated (the walk
# defers accumulation so that an error half-way changes no .grad), in the order the leaves
# became final: reverse order of use.
_post_accumulate_hooks = {}


def register_post_accumulate_grad_hook(t, hook):
    return _register_leaf_hook(_post_accumulate_hooks, t, hook)


def _run_post_accumulate_hooks(leaves):
    for leaf in leaves:
        for hook in _leaf_hooks(_post_accumulate_hooks, leaf):
            r = hook(leaf)
            if r is not None:
                raise TypeError(
                    "post accumulate grad hook must return None, but hook returned "
                    f"'{type(r).__name__}'"
                )


# Gradient-final hooks: hook(leaf, grad) runs during the walk, the moment the gradient a
# backward brings to the leaf is final (every consumer has sent its part), before it is
# accumulated: DDP copies it into a bucket and starts that bucket's all-reduce while the walk
# goes on. The hook must not modify grad or leaf.grad: .grad is still only written at the
# end of the walk, so an error half-way leaves every .grad as it was.
_grad_final_hooks = {}


def register_grad_final_hook(t, hook):
    """Call hook(t, grad) whenever a backward's gradient for leaf t is final (before it is
    accumulated into t.grad; autograd.grad and leaves not accumulated do not call it)."""
    return _register_leaf_hook(_grad_final_hooks, t, hook)


def _grad_final(leaf, g, raw):
    hooks = _leaf_hooks(_grad_final_hooks, leaf)
    if hooks and raw:
        g = _lift(g, leaf._backend)
    for hook in hooks:
        hook(leaf, g)
