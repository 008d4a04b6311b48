"""PyTorch's implementation switches (foreach, fused, capturable, differentiable).

They choose among PyTorch's kernels, never the update rule, so one per-parameter loop serves
them all: the values are accepted and kept in the param groups (state_dict shows them, as
PyTorch's), except `differentiable=True`, which would need the step recorded in the graph.
"""

__all__ = ["flags"]


def flags(name, *, differentiable=False, **switches):
    """The switches to add to an optimizer's defaults; raises for differentiable=True."""
    if differentiable:
        raise NotImplementedError(
            f"{name}: differentiable=True (a step recorded by autograd) is not supported; "
            "the update runs under no_grad"
        )
    return dict(switches, differentiable=False)
