"""`Module`: the base of every layer. Attributes that are Parameters or Modules register
themselves in ordered dicts, so a model's weights can be walked, saved and loaded by name."""

from collections import OrderedDict, namedtuple
from collections.abc import Mapping

from autograd import Tensor, float16, float32, float64, no_grad
from autograd.hooks import RemovableHandle
from nn.parameter import Parameter

__all__ = ["Module", "RemovableHandle"]


_IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])


def _addindent(s, spaces):
    """Indent every line of s but the first (PyTorch's repr layout)."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    return lines[0] + "\n" + "\n".join(" " * spaces + line for line in lines[1:])


def _check_name(name, kind, module, registry):
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {type(name).__name__}")
    if "." in name:
        raise KeyError(f'{kind} name can\'t contain ".", got: {name}')
    if name == "":
        raise KeyError(f'{kind} name can\'t be empty string ""')
    if hasattr(module, name) and name not in module.__dict__[registry]:
        raise KeyError(f"attribute '{name}' already exists")


def _load_source(key, value, target):
    """(value as a tensor on target's device and dtype, None) or (None, the error message)."""
    if not (isinstance(value, Tensor) or (hasattr(value, "shape") and hasattr(value, "dtype"))):
        return None, (
            f'While copying the parameter named "{key}", expected Tensor or Tensor-like '
            f"object from checkpoint but received {type(value)}"
        )
    if tuple(value.shape) != tuple(target.shape):
        return None, (
            f"size mismatch for {key}: copying a param with shape {tuple(value.shape)} "
            f"from checkpoint, the shape in current model is {tuple(target.shape)}."
        )
    try:
        with no_grad():
            value = value.detach() if isinstance(value, Tensor) else Tensor(value)
            return value.to(device=target.device, dtype=target.dtype), None
    except Exception as exc:  # e.g. an unreadable array: reported, and nothing copied yet
        return None, f'While copying the parameter named "{key}", {type(exc).__name__}: {exc}'


def _set_storage(t, new):
    """Point t at new's array (and device) in place, so references to t (an optimizer's)
    stay valid across `Module.to` (PyTorch's `param.array = fn(param.array)`)."""
    t.array = new.array
    t._backend = new.backend


class Module:
    """Base class for all layers: subclass, create parameters and submodules in `__init__`,
    compute in `forward`, and call the module (`model(x)`) so that hooks run."""

    training: bool

    def __init__(self):
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers"] = set()
        d["_modules"] = OrderedDict()
        d["_forward_pre_hooks"] = OrderedDict()
        d["_forward_hooks"] = OrderedDict()

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name, value):
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, keep="_parameters")
            params[name] = value
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as parameter '{name}' "
                    "(nn.Parameter or None expected)"
                )
            params[name] = None
        elif isinstance(value, Module):
            if params is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, keep="_modules")
            d["_modules"][name] = value
        elif params is not None and name in d["_modules"]:
            if value is not None:
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as child module '{name}' "
                    "(nn.Module or None expected)"
                )
            d["_modules"][name] = None
        elif params is not None and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(
                    f"cannot assign '{type(value).__name__}' as buffer '{name}' "
                    "(Tensor or None expected)"
                )
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name, keep=None):
        """Drop `name` from the other registries before it is registered anew (in `keep` it
        is overwritten where it stands, so the order of registration is kept)."""
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                d[registry].pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    def __getattr__(self, name):
        # Only called when normal lookup fails: look in the registries.
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            found = d.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __delattr__(self, name):
        d = self.__dict__
        for registry in ("_parameters", "_buffers", "_modules"):
            if name in d[registry]:
                del d[registry][name]
                d["_non_persistent_buffers"].discard(name)
                return
        object.__delattr__(self, name)

    def __dir__(self):
        d = self.__dict__
        return sorted(
            set(super().__dir__()) | set(d["_parameters"]) | set(d["_buffers"])
            | set(d["_modules"])
        )  # fmt: skip

    def _register(self, registry, kind, name, value, cls, cls_name):
        """File value (a cls or None) under name in registry, after PyTorch's checks."""
        if registry not in self.__dict__:
            raise AttributeError(f"cannot assign {kind} before Module.__init__() call")
        _check_name(name, kind, self, registry)
        if value is not None and not isinstance(value, cls):
            raise TypeError(
                f"cannot assign '{type(value).__name__}' object to {kind} '{name}' "
                f"({cls_name} or None required)"
            )
        self._forget(name, keep=registry)
        self.__dict__[registry][name] = value

    def register_parameter(self, name, param):
        self._register("_parameters", "parameter", name, param, Parameter, "nn.Parameter")

    def register_buffer(self, name, tensor, persistent=True):
        """A tensor that belongs to the module's state (saved, moved by `to`) but is not
        learned, e.g. BatchNorm's running mean. persistent=False keeps it out of state_dict."""
        self._register("_buffers", "buffer", name, tensor, Tensor, "Tensor")
        if not persistent:
            self._non_persistent_buffers.add(name)

    def add_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name(name, "module", self, "_modules")
        self._forget(name, keep="_modules")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target):
        """The module at a dotted path such as "layers.0"."""
        module = self
        if target == "":
            return module
        for item in target.split("."):
            if not isinstance(module._modules.get(item), Module):
                raise AttributeError(f"{module._get_name()} has no attribute `{item}`")
            module = module._modules[item]
        return module

    def get_parameter(self, target):
        module_path, _, name = target.rpartition(".")
        module = self.get_submodule(module_path)
        if name not in module._parameters:
            raise AttributeError(f"{module._get_name()} has no parameter `{name}`")
        return module._parameters[name]

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function'
        )

    def __call__(self, *args, **kwargs):
        if self._forward_pre_hooks:  # tested first: most modules have no hooks
            with_kwargs = self.__dict__.get("_hooks_with_kwargs", ())
            for hook_id, hook in tuple(self._forward_pre_hooks.items()):
                if hook_id in with_kwargs:
                    result = hook(self, args, kwargs)
                    if result is not None:
                        if not (isinstance(result, tuple) and len(result) == 2):
                            raise RuntimeError(
                                "forward pre-hook must return None or a tuple of (new_args, "
                                f"new_kwargs), but got {result}."
                            )
                        args, kwargs = result
                    continue
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        backward_state = None
        if self.__dict__.get("_full_backward_hooks"):
            backward_state, args = _setup_backward_hooks(self, args)
        if not self._forward_hooks and backward_state is None:
            return self.forward(*args, **kwargs)
        try:
            out = self.forward(*args, **kwargs)
        except Exception:
            always = self.__dict__.get("_hooks_always_called", ())
            for hook_id, hook in tuple(self._forward_hooks.items()):
                if hook_id in always:
                    try:  # PyTorch: an always_call hook runs, and the forward's error is raised
                        self._run_forward_hook(hook_id, hook, args, kwargs, None)
                    except Exception:
                        pass
            raise
        for hook_id, hook in tuple(self._forward_hooks.items()):
            result = self._run_forward_hook(hook_id, hook, args, kwargs, out)
            if result is not None:
                out = result
        if backward_state is not None:
            out = _setup_backward_output(self, backward_state, out)
        return out

    def register_full_backward_hook(self, hook, prepend=False):
        """hook(module, grad_input, grad_output) runs when the gradient with respect to the
        module's input is computed; a non-None return replaces grad_input. grad_input holds
        None for an input that needs no gradient. Here for modules with one Tensor input and
        one Tensor output (PyTorch takes any number)."""
        d = self.__dict__
        if "_full_backward_hooks" not in d:
            d["_full_backward_hooks"] = OrderedDict()
        return self._add_hook(d["_full_backward_hooks"], hook, prepend, False)

    def _call_full_backward_hooks(self, grad_input, grad_output):
        for hook in tuple(self._full_backward_hooks.values()):
            result = hook(self, grad_input, grad_output)
            if result is None:
                continue
            result = tuple(result) if isinstance(result, (tuple, list)) else (result,)
            if len(result) != len(grad_input):
                raise RuntimeError(
                    f"Backward hook returned an invalid number of grad_input, got "
                    f"{len(result)}, but expected {len(grad_input)}"
                )
            grad_input = result
        return grad_input

    def _run_forward_hook(self, hook_id, hook, args, kwargs, out):
        if hook_id in self.__dict__.get("_hooks_with_kwargs", ()):
            return hook(self, args, kwargs, out)
        return hook(self, args, out)

    def _add_hook(self, registry, hook, prepend, with_kwargs, always_call=False):
        handle = RemovableHandle(registry)
        registry[handle.id] = hook
        if prepend:
            registry.move_to_end(handle.id, last=False)
        d = self.__dict__
        if with_kwargs:
            d.setdefault("_hooks_with_kwargs", set()).add(handle.id)
        if always_call:
            d.setdefault("_hooks_always_called", set()).add(handle.id)
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """hook(module, args) runs before forward; a non-None return replaces the args.
        with_kwargs: hook(module, args, kwargs), returning None or (args, kwargs)."""
        return self._add_hook(self._forward_pre_hooks, hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False,
                              always_call=False):  # fmt: skip
        """hook(module, args, output) runs after forward; a non-None return replaces output.
        with_kwargs: hook(module, args, kwargs, output); always_call: also when forward raises."""
        return self._add_hook(self._forward_hooks, hook, prepend, with_kwargs, always_call)

    # ------------------------------------------------------------------ walking
    def named_modules(self, memo=None, prefix="", remove_duplicate=True):
        """(dotted name, module) for self and every descendant, depth first, in order."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if self in memo:
                return
            memo.add(self)
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + ("." if prefix else "") + name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self):
        for _, module in self.named_modules():
            yield module

    def named_children(self):
        seen = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, registry, prefix, recurse, remove_duplicate=True):
        modules = self.named_modules(prefix=prefix) if recurse else [(prefix, self)]
        seen = set()
        for module_prefix, module in modules:
            for name, value in module.__dict__[registry].items():
                if value is None or (remove_duplicate and value in seen):
                    continue
                seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + name, value

    def named_parameters(self, prefix="", recurse=True, remove_duplicate=True):
        """(dotted name, Parameter), e.g. ("layers.0.weight", ...); shared ones once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse=True):
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix="", recurse=True, remove_duplicate=True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse=True):
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    def apply(self, fn):
        """Call fn on every submodule (children first) and then on self, as PyTorch."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and grads
    def train(self, mode=True):
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self):
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none=True):
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                with no_grad():
                    p.grad = p.grad.detach()
                    p.grad.zero_()

    # ------------------------------------------------------------------ state
    def state_dict(self, destination=None, prefix="", keep_vars=False):
        """Ordered {dotted name: tensor} of parameters and persistent buffers, detached
        unless keep_vars; a PyTorch model's state dict has the same keys and shapes."""
        if destination is None:
            destination = OrderedDict()
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.detach()
        for name, b in self._buffers.items():
            if b is not None and name not in self._non_persistent_buffers:
                destination[prefix + name] = b if keep_vars else b.detach()
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination, prefix + name + ".", keep_vars)
        return destination

    def load_state_dict(self, state_dict, strict=True):
        """Copy tensors (or backend arrays) into the parameters and buffers of the same names.

        All or nothing: every key, type and shape is checked, and every value converted to its
        target's device and dtype, before anything is copied, so on an error the model is
        unchanged. Copies are in place, so an optimizer holding the parameters still works.
        Returns (missing_keys, unexpected_keys), as PyTorch.
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        errors = []
        if strict:  # PyTorch's order: missing, unexpected, then each bad value
            if missing:
                names = ", ".join(f'"{k}"' for k in missing)
                errors.append(f"Missing key(s) in state_dict: {names}. ")
            if unexpected:
                names = ", ".join(f'"{k}"' for k in unexpected)
                errors.append(f"Unexpected key(s) in state_dict: {names}. ")
        sources = {}
        for key, target in own.items():
            if key in state_dict:
                source, error = _load_source(key, state_dict[key], target)
                if error is None:
                    sources[key] = source
                else:
                    errors.append(error)
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {self._get_name()}:\n\t" + "\n\t".join(errors)
            )
        with no_grad():
            for key, source in sources.items():
                own[key].copy_(source)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ devices and dtypes
    def _apply(self, fn):
        """Replace every parameter's and buffer's array by fn(tensor)'s, in place."""
        for module in self.modules():
            for p in module._parameters.values():
                if p is None:
                    continue
                with no_grad():
                    _set_storage(p, fn(p.detach()))
                    if p.grad is not None:
                        p.grad = fn(p.grad.detach())
            for name, b in module._buffers.items():
                if b is not None:
                    with no_grad():
                        module._buffers[name] = fn(b)
        return self

    def to(self, *args, device=None, dtype=None, non_blocking=False):
        """`to(device)`, `to(dtype)`, `to(device, dtype)` or `to(tensor)`, in place on the
        module (returns self). A dtype applies to floating-point tensors only, as PyTorch."""
        for a in args:
            if isinstance(a, Tensor):
                device, dtype = a.device, a.dtype
            elif isinstance(a, str) or a.__class__.__name__ == "Device":
                device = a
            else:
                dtype = a

        def convert(t):
            if dtype is not None and t.dtype.kind == "f":
                return t.to(device=device, dtype=dtype)
            return t.to(device=device)

        return self._apply(convert)

    def cpu(self):
        return self.to("cpu")

    def cuda(self, device=None):
        from autograd.ops.elementwise import cuda_device

        return self.to(cuda_device(device))

    def float(self):
        return self.to(float32)

    def double(self):
        return self.to(float64)

    def half(self):
        return self.to(float16)

    def type(self, dst_type):
        """Cast every parameter and buffer (integer ones too, as PyTorch) to dst_type."""
        return self._apply(lambda t: t.to(dst_type))

    # ------------------------------------------------------------------ repr
    def _get_name(self):
        return type(self).__name__

    def extra_repr(self):
        """The layer's own settings, shown inside its repr (override in subclasses)."""
        return ""

    def __repr__(self):
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [
            f"({name}): " + _addindent(repr(module), 2) for name, module in self._modules.items()
        ]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"


# --------------------------------------------------------------------------- (helper nnlayers)
# Full backward hooks: identity Functions around the module's input and output. The output's
# backward runs first and keeps grad_output; the input's calls the hooks with both (or the
# output's does, when the input needs no gradient).
from autograd import Function, is_grad_enabled  # noqa: E402


class _BackwardHookOutput(Function):
    """y = x.  dy/dx = 1; backward hands grad_output to the module's hooks."""

    @staticmethod
    def forward(ctx, x, state):
        ctx.state = state
        return x * 1.0

    @staticmethod
    def backward(ctx, grad):
        state = ctx.state
        state["grad_output"] = (grad,)
        if not state["input_needs_grad"]:
            import warnings

            warnings.warn(
                "Full backward hook is firing when gradients are computed with respect to "
                "module outputs since no inputs require gradients.",
                stacklevel=2,
            )
            state["module"]._call_full_backward_hooks((None,), state["grad_output"])
        return grad, None


class _BackwardHookInput(_BackwardHookOutput):
    """y = x.  dy/dx = 1; backward calls the module's hooks with (grad_input, grad_output)."""

    @staticmethod
    def backward(ctx, grad):
        state = ctx.state
        grad_output = state.get("grad_output", (None,))
        (grad,) = state["module"]._call_full_backward_hooks((grad,), grad_output)
        return grad, None


def _setup_backward_hooks(module, args):
    tensors = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    if len(tensors) != 1:
        raise NotImplementedError(
            "register_full_backward_hook: modules called with one Tensor argument only, got "
            f"{len(tensors)}"
        )
    if not is_grad_enabled():
        return None, args
    (i,) = tensors
    state = {"module": module, "input_needs_grad": args[i].requires_grad}
    if args[i].requires_grad:
        args = args[:i] + (_BackwardHookInput.apply(args[i], state),) + args[i + 1 :]
    return state, args


def _setup_backward_output(module, state, out):
    if not isinstance(out, Tensor):
        raise NotImplementedError(
            "register_full_backward_hook: modules returning one Tensor only, got "
            f"{type(out).__name__}"
        )
    if not out.requires_grad:
        return out
    return _BackwardHookOutput.apply(out, state)
