"""Optimizer: the loop over param groups and parameters, per-parameter state, state_dict.

A subclass validates its options in `__init__`, may fill a fresh parameter's state in
`_init_state`, and writes the update of one parameter in `_update`, in PyTorch's order of
operations. Updates run under `no_grad()` with in-place Tensor ops, so they reach the arrays
through the parameter's backend and bump its version counter.
"""

import warnings
from collections import defaultdict
from itertools import chain

from autograd import Tensor, enable_grad, no_grad, tensor, zeros_like
from autograd import function as _function
from autograd.grad_mode import state as _grad
from autograd.inplace import bump
from backends import dtypes

__all__ = ["Optimizer", "required"]


class _RequiredParameter:
    """Marks an option a param group must set when the optimizer has no default for it."""

    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


class Optimizer:
    """Base class of all optimizers.

    params: an iterable of Tensors, or of dicts (param groups) holding 'params' and any
    per-group options; options a group leaves out take their values from `defaults`.
    """

    def __init__(self, params, defaults):
        self.defaults = defaults
        self.state = defaultdict(dict)  # keyed by the parameter itself (identity hash)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {type(params).__name__}"
            )
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for group in param_groups:
            self.add_param_group(group)

    def __repr__(self):
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group):
        """Add a group of parameters with its own options (e.g. a different lr)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError(
                    f"optimizer can only optimize Tensors, but one of the params is "
                    f"{type(p).__name__}"
                )
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        group = dict(param_group, params=params)
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(
                    "parameter group didn't specify a value of required optimization "
                    f"parameter {name}"
                )
            group.setdefault(name, default)
        if len(set(params)) != len(params):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; "
                "in future, this will cause an error; "
                "see github.com/pytorch/pytorch/issues/40967 for more information",
                stacklevel=3,
            )
        seen = set(chain.from_iterable(g["params"] for g in self.param_groups))
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(group)

    # ------------------------------------------------------------------ step
    def zero_grad(self, set_to_none=True):
        """Reset the gradients: drop them (set_to_none) or fill them with zeros in place."""
        # p._grad is what the p.grad property reads (and writing None is all its setter does)
        for group in self.param_groups:
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if set_to_none:
                    p._grad = None
                else:
                    if grad.grad_fn is not None:
                        grad.detach_()
                    else:
                        grad.requires_grad_(False)
                    grad.zero_()

    @no_grad()
    def step(self, closure=None):
        """One update of every parameter that has a gradient; returns closure()'s loss."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        self._check_step()  # all-or-nothing: every parameter is checked before any changes
        all_state = self.state
        update = self._update
        # an optimizer without state of its own (plain SGD) need not call _init_state
        init = self._init_state
        if getattr(init, "__func__", None) is Optimizer._init_state:
            init = None
        for group in self.param_groups:
            maximize = group.get("maximize", False)
            for p in group["params"]:
                grad = p._grad
                if grad is None:
                    continue
                if maximize:
                    grad = -grad
                state = all_state.get(p)
                if state is None:
                    state = {}
                    if init is not None:
                        init(p, state, group)
                update(p, grad, state, group)
                if state:  # an optimizer without state (plain SGD) keeps `state` empty
                    all_state[p] = state
        return loss

    def _check_step(self):
        """Raise, naming the parameter, if any parameter's gradient or state could not be
        applied: a failure half-way would leave some parameters stepped and others not."""
        all_state = self.state
        for g, group in enumerate(self.param_groups):
            for i, p in enumerate(group["params"]):
                grad = p._grad
                if grad is None:
                    continue
                if grad.__class__ is Tensor:  # the usual case: a floating gradient that fits
                    a, b = grad.array, p.array
                    if (
                        a.shape == b.shape
                        and a.dtype == b.dtype
                        and b.dtype.kind == "f"
                        and grad._backend is p._backend
                        and not all_state.get(p)
                    ):
                        continue
                problem = _mismatch(p, grad, "gradient")
                if problem is None and not dtypes.is_floating(p.dtype):
                    problem = f"the parameter has dtype {p.dtype}; only floating point " + (
                        "parameters can be optimized"
                    )
                state = all_state.get(p)
                for key, value in (state or {}).items():
                    if problem is not None:
                        break
                    if isinstance(value, Tensor) and value.ndim > 0:
                        problem = _mismatch(p, value, f"state '{key}'")
                if problem is not None:
                    where = f"param_groups[{g}]['params'][{i}]"
                    raise RuntimeError(
                        f"{type(self).__name__}.step: {where} (shape {tuple(p.shape)}, "
                        f"{p.dtype}, {p.device}): {problem}; no parameter was updated"
                    )

    def _init_state(self, p, state, group):
        """Fill the state of a parameter seen for the first time (nothing by default)."""

    def _update(self, p, grad, state, group):
        """Update one parameter in place, given its gradient (already negated by maximize)."""
        raise NotImplementedError

    # ------------------------------------------------------------------ state_dict
    def state_dict(self):
        """The optimizer's state in PyTorch's layout, parameters replaced by indices.

        {'state': {index: {name: value}}, 'param_groups': [{option: value, 'params': [index]}]}.
        State tensors are copies: stepping on does not change a saved dict.
        """
        index = {}
        start = 0
        groups = []
        for group in self.param_groups:
            for i, p in enumerate(group["params"], start):
                index.setdefault(p, i)
            start += len(group["params"])
            packed = {k: v for k, v in group.items() if k != "params"}
            packed["params"] = [index[p] for p in group["params"]]
            groups.append(packed)
        with no_grad():
            state = {
                (index[p] if isinstance(p, Tensor) else p): {
                    k: (v.detach().clone() if isinstance(v, Tensor) else v) for k, v in s.items()
                }
                for p, s in self.state.items()
            }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore a `state_dict()`; the optimizer is left unchanged if it does not fit."""
        groups = self.param_groups
        saved_groups = state_dict["param_groups"]
        saved_state = state_dict["state"]
        if len(groups) != len(saved_groups):
            raise ValueError(
                "loaded state dict has a different number of parameter groups "
                f"({len(saved_groups)} saved, {len(groups)} in the optimizer)"
            )
        for i, (group, saved) in enumerate(zip(groups, saved_groups)):
            if len(group["params"]) != len(saved["params"]):
                raise ValueError(
                    "loaded state dict contains a parameter group that doesn't match the size "
                    f"of optimizer's group (group {i}: {len(saved['params'])} saved, "
                    f"{len(group['params'])} in the optimizer)"
                )
        id_map = dict(
            zip(
                chain.from_iterable(g["params"] for g in saved_groups),
                chain.from_iterable(g["params"] for g in groups),
            )
        )
        where = {}
        for g, saved in enumerate(saved_groups):
            for i, index in enumerate(saved["params"]):
                where[index] = (g, i)
        for index, s in saved_state.items():
            p = id_map.get(index)
            if p is None:
                continue
            if not isinstance(s, dict):
                raise ValueError(
                    f"loaded state of parameter {index} is a {type(s).__name__}, not a dict"
                )
            g, i = where[index]
            fresh = {}
            with no_grad():
                self._init_state(p, fresh, groups[g])
            for k, v in s.items():
                problem = _bad_state(p, k, v, fresh.get(k))
                if problem is not None:
                    raise ValueError(
                        f"loaded state dict holds a state for param_groups[{g}]['params'][{i}] "
                        f"(saved index {index}, parameter of shape {tuple(p.shape)}, {p.dtype}) "
                        f"that does not fit: '{k}' {problem}"
                    )
        state = defaultdict(dict)
        with no_grad():
            for index, s in saved_state.items():
                p = id_map.get(index)
                if p is None:
                    state[index] = dict(s)
                else:
                    state[p] = {k: _cast_state(p, k, v) for k, v in s.items()}
        new_groups = []
        for group, saved in zip(groups, saved_groups):
            new_groups.append(dict(saved, params=group["params"]))
        self.state = state
        self.param_groups = new_groups


def _mismatch(p, t, what):
    """Why tensor t (a gradient or a state) cannot be applied to parameter p, or None."""
    if isinstance(t, Tensor):
        a, b = t.array, p.array
        if a.shape == b.shape and a.dtype == b.dtype and t._backend is p._backend:
            return None  # the usual case, in three comparisons (one backend per device)
    else:
        return f"the {what} is a {type(t).__name__}, not a Tensor"
    if tuple(t.shape) != tuple(p.shape):
        return f"the {what} has shape {tuple(t.shape)}"
    if t.dtype != p.dtype and not (what != "gradient" and dtypes.is_floating(t.dtype)):
        return f"the {what} has dtype {t.dtype}"
    if t.device != p.device:
        return f"the {what} is on {t.device}"
    return None


def _bad_state(p, key, value, fresh):
    """Why a loaded state value does not fit parameter p (fresh: what _init_state makes for
    that key, None when the optimizer creates it lazily), or None."""
    if isinstance(fresh, Tensor):
        if not isinstance(value, Tensor):
            return (
                f"is a {type(value).__name__}, where a Tensor of shape {tuple(fresh.shape)} is kept"
            )
        if tuple(value.shape) != tuple(fresh.shape):
            return f"of shape {tuple(value.shape)}, expected {tuple(fresh.shape)}"
    elif fresh is None and not isinstance(value, (Tensor, int, float, type(None))):
        return f"is a {type(value).__name__}, expected a Tensor of the parameter's shape"
    if isinstance(value, Tensor):
        # a state the optimizer creates lazily (SGD's momentum_buffer) has p's shape
        lazy_scalar = fresh is None and value.ndim == 0 and p.ndim > 0
        if lazy_scalar or value.ndim > 0 and tuple(value.shape) != tuple(p.shape):
            return f"of shape {tuple(value.shape)}, expected {tuple(p.shape)}"
        if dtypes.is_floating(p.dtype) and value.dtype.kind not in "fiu":
            return f"has dtype {value.dtype}, expected a floating point dtype"
        if (
            isinstance(fresh, Tensor)
            and dtypes.is_floating(fresh.dtype) != dtypes.is_floating(value.dtype)
            and fresh.ndim > 0
        ):
            return f"has dtype {value.dtype}, expected {fresh.dtype}"
    return None


def _cast_state(p, key, value):
    """A copy of one saved state value on p's device; floating state takes p's dtype too.

    The scalar counters keep their own dtype: 'step' as in PyTorch, and NAdam's float32
    'mu_product' too (PyTorch casts it to p's dtype, so a resumed run drifts from an
    uninterrupted one by its rounding; here the two agree exactly).
    """
    if not isinstance(value, Tensor):
        return value
    if (
        key not in ("step", "mu_product")
        and dtypes.is_floating(p.dtype)
        and dtypes.is_floating(value.dtype)
    ):
        return value.to(device=p.device, dtype=p.dtype).detach().clone()
    return value.to(device=p.device).detach().clone()


def _check(ok, message):
    """Validate an optimizer option at the public boundary, with PyTorch's wording."""
    if not ok:
        raise ValueError(message)


def _lerp_(start, end, weight):
    """start <- start + weight * (end - start), in place (torch.lerp_)."""
    return start.add_(end - start, alpha=weight)


def _fresh_state(p, state, *buffers):
    """A parameter's first state: its step count (a float32 0-d Tensor, as PyTorch's) and a
    buffer of zeros like p under each name, in that order (state_dict's order)."""
    state["step"] = tensor(0.0)
    for name in buffers:
        state[name] = zeros_like(p)


_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def _check_nonnegative(**options):
    """ValueError, in PyTorch's words, for the first option (in the order given) below 0."""
    for name, value in options.items():
        _check(value >= 0.0, f"Invalid {_LABELS.get(name, name + ' value')}: {value}")


def _add_scaled_(p, t, alpha):
    """p.add_(t, alpha=alpha), an update's last line. The usual case (nothing recorded, a float
    parameter and a tensor of its dtype on its device, p's elements all distinct, a Python
    number alpha) runs straight on the arrays: p += t * alpha, the numbers and the version
    bump of add_'s own direct route, without its checks of the cases that need them."""
    a = p.array
    b = t.array
    dt = a.dtype
    if (
        t.__class__ is Tensor
        and not _grad.enabled
        and _function._dual_level is None
        and dt == b.dtype
        and dt.kind == "f"
        and dt.itemsize >= 4  # float16: add_ computes in float32, as PyTorch
        and a.shape == b.shape
        and t._backend is p._backend
        and (alpha.__class__ is float or alpha.__class__ is int)
    ):
        flags = a.flags
        if flags.c_contiguous and flags.writeable:
            if alpha == 1:
                a += b
            else:
                a += b * alpha
            bump(p)
            return p
    return p.add_(t, alpha=alpha)


def _weight_decay(p, grad, group, decoupled=False):
    """The gradient after weight decay: g + weight_decay * p, or, decoupled (AdamW),
    g itself after p <- p * (1 - lr * weight_decay)."""
    weight_decay = group["weight_decay"]
    if weight_decay == 0:
        return grad
    if decoupled:
        p.mul_(1 - group["lr"] * weight_decay)
        return grad
    return grad + weight_decay * p


def _adam_moments(state, grad, beta1, beta2):
    """m <- m + (1 - beta1) (g - m), v <- beta2 v + (1 - beta2) g^2 (the Adam family's
    running averages, in state 'exp_avg' and 'exp_avg_sq'); returns (m, v)."""
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_avg_sq.mul_(beta2).add_(grad * grad, alpha=1 - beta2)
    return exp_avg, exp_avg_sq
