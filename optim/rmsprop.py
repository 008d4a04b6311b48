"""RMSprop: steps scaled by a running average of squared gradients."""

from autograd import zeros_like
from optim._flags import flags
from optim.optimizer import Optimizer, _check_nonnegative, _fresh_state, _lerp_, _weight_decay

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop, as torch.optim.RMSprop.

    g <- g + weight_decay * p
    v <- alpha * v + (1 - alpha) * g * g
    centered: a <- a + (1 - alpha) * (g - a),  denom = sqrt(v - a * a) + eps
    otherwise: denom = sqrt(v) + eps
    momentum: b <- momentum * b + g / denom,  p <- p - lr * b
    otherwise: p <- p - lr * g / denom
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):  # fmt: skip
        _check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay,
                           alpha=alpha)  # fmt: skip
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, maximize=maximize,
                        **flags("RMSprop", capturable=capturable, foreach=foreach,
                                differentiable=differentiable))  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        _fresh_state(p, state, "square_avg")
        if group["momentum"] > 0:
            state["momentum_buffer"] = zeros_like(p)
        if group["centered"]:
            state["grad_avg"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        alpha = group["alpha"]
        state["step"].add_(1)
        grad = _weight_decay(p, grad, group)
        square_avg = state["square_avg"]
        square_avg.mul_(alpha).add_(grad * grad, alpha=1 - alpha)
        if group["centered"]:
            grad_avg = state["grad_avg"]
            _lerp_(grad_avg, grad, 1 - alpha)
            avg = (square_avg - grad_avg * grad_avg).sqrt()
        else:
            avg = square_avg.sqrt()
        avg = avg.add_(group["eps"])
        if group["momentum"] > 0:
            buf = state["momentum_buffer"]
            buf.mul_(group["momentum"]).add_(grad / avg)
            p.add_(buf, alpha=-group["lr"])
        else:
            p.add_(grad / avg, alpha=-group["lr"])
