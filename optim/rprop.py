"""Rprop: per-coordinate step sizes grown or shrunk by the sign agreement of gradients."""

from autograd import full_like
from optim._flags import flags
from optim.optimizer import Optimizer, _check, _check_nonnegative, _fresh_state

__all__ = ["Rprop"]


class Rprop(Optimizer):
    """Resilient backpropagation, as torch.optim.Rprop.

    s = sign(g * g_prev):  factor = etaplus (s > 0), etaminus (s < 0), 1 (s = 0)
    step_size <- clamp(step_size * factor, step_size_min, step_size_max)
    g <- 0 where the sign flipped;  p <- p - sign(g) * step_size;  g_prev <- g
    """

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *,
                 capturable=False, foreach=None, maximize=False,
                 differentiable=False):  # fmt: skip
        _check_nonnegative(lr=lr)
        _check(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, maximize=maximize,
                        **flags("Rprop", foreach=foreach, differentiable=differentiable,
                                capturable=capturable))  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        _fresh_state(p, state, "prev")
        state["step_size"] = full_like(p, group["lr"])

    def _update(self, p, grad, state, group):
        etaminus, etaplus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        prev = state["prev"]
        step_size = state["step_size"]
        state["step"].add_(1)
        sign = (grad * prev).sign()
        # Sequential fills, as PyTorch's: a factor written first is never rewritten.
        factor = sign.masked_fill(sign > 0, etaplus)
        factor = factor.masked_fill(factor < 0, etaminus)
        factor = factor.masked_fill(factor == 0, 1)
        step_size.mul_(factor).clamp_(step_size_min, step_size_max)
        grad = grad.masked_fill(factor == etaminus, 0)
        p.add_(grad.sign() * step_size, alpha=-1)
        prev.copy_(grad)
