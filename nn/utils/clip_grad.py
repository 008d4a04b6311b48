"""Gradient clipping, in place on `.grad`, with PyTorch's formulas and order of operations."""

import math

from autograd import Tensor, no_grad, stack, tensor

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm"]


def _as_list(parameters):
    return [parameters] if isinstance(parameters, Tensor) else list(parameters)


def _vector_norm(t, norm_type):
    """||t||_p over all elements: max |t| for inf, the count of non-zeros for 0."""
    if t.numel() == 0:
        if math.isinf(norm_type):
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {norm_type} norm on an empty tensor "
                "because the operation does not have an identity"
            )
        return tensor(0.0, dtype=t.dtype, device=t.device)
    if norm_type == math.inf:
        return t.abs().max()
    if norm_type == -math.inf:
        return t.abs().min()
    if norm_type == 0:
        return (t != 0).to(t.dtype).sum()
    if norm_type == 1:
        return t.abs().sum()
    if norm_type == 2:
        return (t * t).sum().sqrt()
    return (t.abs() ** norm_type).sum() ** (1.0 / norm_type)


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The norm of the per-tensor norms: the p-norm of all elements as one vector."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        return tensor(0.0)
    with no_grad():
        norms = [_vector_norm(t.detach(), norm_type) for t in tensors]
        dtype = norms[0].dtype
        for n in norms[1:]:  # promote as torch.stack does
            if n.dtype.itemsize > dtype.itemsize:
                dtype = n.dtype
        total = _vector_norm(stack([n.to(dtype) for n in norms]), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return total


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False,
                    foreach=None):  # fmt: skip
    """Scale all gradients by min(1, max_norm / (total_norm + 1e-6)), total_norm the p-norm of
    all gradients as one vector; returns total_norm (a tensor), as PyTorch."""
    parameters = _as_list(parameters)
    grads = [p.grad for p in parameters if p.grad is not None]
    max_norm = float(max_norm)
    if not grads:
        return tensor(0.0)
    total = get_total_norm(grads, norm_type, error_if_nonfinite, foreach)
    with no_grad():
        coef = (max_norm / (total + 1e-6)).clamp(max=1.0)
        for g in grads:
            g.mul_(coef.to(g.dtype))
    return total


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    with no_grad():
        for p in _as_list(parameters):
            if p.grad is not None:
                p.grad.clamp_(-clip_value, clip_value)
