"""Adagrad: per-coordinate step sizes from the running sum of squared gradients."""

from autograd import full_like, tensor
from optim._flags import flags
from optim.optimizer import Optimizer, _check_nonnegative, _weight_decay

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad, as torch.optim.Adagrad.

    g <- g + weight_decay * p
    clr = lr / (1 + (t - 1) * lr_decay)
    sum <- sum + g * g
    p <- p - clr * g / (sqrt(sum) + eps)
    """

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False,
                 fused=None):  # fmt: skip
        _check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                           initial_accumulator_value=initial_accumulator_value,
                           eps=eps)  # fmt: skip
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, maximize=maximize,
                        **flags("Adagrad", foreach=foreach, differentiable=differentiable,
                                fused=fused))  # fmt: skip
        super().__init__(params, defaults)
        # As PyTorch, the accumulators exist from the start (state_dict() shows them).
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, self.state[p], group)

    def _init_state(self, p, state, group):
        state["step"] = tensor(0.0)
        state["sum"] = full_like(p, group["initial_accumulator_value"])

    def _update(self, p, grad, state, group):
        state["step"].add_(1)
        step = state["step"].item()
        grad = _weight_decay(p, grad, group)
        clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
        state["sum"].add_(grad * grad)
        std = state["sum"].sqrt().add_(group["eps"])
        p.add_(grad / std, alpha=-clr)
