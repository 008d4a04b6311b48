"""NAdam: Adam with Nesterov momentum and a momentum-decay schedule."""

from autograd import ones, tensor, zeros_like
from optim._flags import flags
from optim.adam import _check_betas_eps
from optim.optimizer import Optimizer, _adam_moments, _check_nonnegative, _weight_decay

__all__ = ["NAdam"]


class NAdam(Optimizer):
    """NAdam, as torch.optim.NAdam.

    g <- g + weight_decay * p  (or p <- p * (1 - lr * weight_decay) when decoupled)
    mu_t = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)),  prod <- prod * mu_t
    m <- m + (1 - beta1) * (g - m),  v <- beta2 * v + (1 - beta2) * g * g
    denom = sqrt(v / (1 - beta2^t)) + eps
    p <- p - lr * (1 - mu_t) / (1 - prod) * g / denom
    p <- p - lr * mu_{t+1} / (1 - prod * mu_{t+1}) * m / denom
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None,
                 maximize=False, capturable=False, differentiable=False):  # fmt: skip
        _check_betas_eps(lr, betas, eps, weight_decay)
        _check_nonnegative(momentum_decay=momentum_decay)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        **flags("NAdam", foreach=foreach, capturable=capturable,
                                differentiable=differentiable))  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = tensor(0.0)
        # A scalar of the default dtype, as PyTorch: its rounding shows in the step sizes.
        state["mu_product"] = ones(())
        state["exp_avg"] = zeros_like(p)
        state["exp_avg_sq"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr = group["lr"]
        beta1, beta2 = group["betas"]
        momentum_decay = group["momentum_decay"]
        mu_product = state["mu_product"]
        state["step"].add_(1)
        step = state["step"].item()
        bias_correction2 = 1 - beta2**step
        grad = _weight_decay(p, grad, group, group["decoupled_weight_decay"])
        mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
        mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
        mu_product.mul_(mu)
        exp_avg, exp_avg_sq = _adam_moments(state, grad, beta1, beta2)
        denom = (exp_avg_sq / bias_correction2).sqrt().add_(group["eps"])
        mu_product = mu_product.item()
        mu_product_next = mu_product * mu_next
        p.add_(grad / denom, alpha=-lr * (1.0 - mu) / (1.0 - mu_product))
        p.add_(exp_avg / denom, alpha=-lr * mu_next / (1.0 - mu_product_next))
