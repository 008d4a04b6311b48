"""SGD with momentum, dampening, Nesterov momentum, weight decay and maximize."""

from optim._flags import flags
from optim.optimizer import Optimizer, _add_scaled_, _check, _check_nonnegative, _weight_decay

__all__ = ["SGD"]


class SGD(Optimizer):
    """Stochastic gradient descent, as torch.optim.SGD.

    g <- g + weight_decay * p
    b <- g (first step),  b <- momentum * b + (1 - dampening) * g (later steps)
    g <- g + momentum * b (nesterov),  g <- b (otherwise)
    p <- p - lr * g
    """

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):  # fmt: skip
        _check_nonnegative(lr=lr, momentum=momentum, weight_decay=weight_decay)
        _check(
            not nesterov or (momentum > 0 and dampening == 0),
            "Nesterov momentum requires a momentum and zero dampening",
        )
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize,
                        **flags("SGD", foreach=foreach, differentiable=differentiable,
                                fused=fused))  # fmt: skip
        super().__init__(params, defaults)

    def _update(self, p, grad, state, group):
        momentum = group["momentum"]
        if group["weight_decay"] != 0:
            grad = _weight_decay(p, grad, group)
        if momentum != 0:
            buf = state.get("momentum_buffer")
            if buf is None:
                buf = state["momentum_buffer"] = grad.detach().clone()
            else:
                buf.mul_(momentum).add_(grad, alpha=1 - group["dampening"])
            if group["nesterov"]:
                grad = grad + momentum * buf
            else:
                grad = buf
        _add_scaled_(p, grad, -group["lr"])
