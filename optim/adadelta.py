"""Adadelta: steps in units of the parameter, from running averages of g^2 and of dx^2."""

from optim._flags import flags
from optim.optimizer import Optimizer, _check, _check_nonnegative, _fresh_state, _weight_decay

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta, as torch.optim.Adadelta.

    g <- g + weight_decay * p
    v <- rho * v + (1 - rho) * g * g
    dx = sqrt(u + eps) / sqrt(v + eps) * g
    u <- rho * u + (1 - rho) * dx * dx
    p <- p - lr * dx
    """

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):  # fmt: skip
        _check_nonnegative(lr=lr)
        _check(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        **flags("Adadelta", capturable=capturable, foreach=foreach,
                                differentiable=differentiable))  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        _fresh_state(p, state, "square_avg", "acc_delta")

    def _update(self, p, grad, state, group):
        rho, eps = group["rho"], group["eps"]
        square_avg = state["square_avg"]
        acc_delta = state["acc_delta"]
        state["step"].add_(1)
        grad = _weight_decay(p, grad, group)
        square_avg.mul_(rho).add_(grad * grad, alpha=1 - rho)
        std = (square_avg + eps).sqrt()
        delta = (acc_delta + eps).sqrt().div_(std).mul_(grad)
        acc_delta.mul_(rho).add_(delta * delta, alpha=1 - rho)
        p.add_(delta, alpha=-group["lr"])
