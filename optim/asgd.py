"""ASGD: SGD with a decaying step and a running (Polyak) average of the iterates in 'ax'."""

from autograd import ones, tensor, zeros_like
from optim._flags import flags
from optim.optimizer import Optimizer, _check_nonnegative, _weight_decay

__all__ = ["ASGD"]


class ASGD(Optimizer):
    """Averaged SGD, as torch.optim.ASGD.

    g <- g + weight_decay * p
    p <- p * (1 - lambd * eta) - eta * g
    ax <- p (while mu = 1),  ax <- ax + mu * (p - ax) (later)
    eta <- lr / (1 + lambd * lr * t)^alpha,  mu <- 1 / max(1, t - t0)

    eta and mu are scalars of the default dtype (float32), as PyTorch's: their rounding
    shows in the steps.
    """

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False,
                 capturable=False):  # fmt: skip
        _check_nonnegative(lr=lr, weight_decay=weight_decay)
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        maximize=maximize,
                        **flags("ASGD", foreach=foreach, differentiable=differentiable,
                                capturable=capturable))  # fmt: skip
        super().__init__(params, defaults)

    def _init_state(self, p, state, group):
        state["step"] = tensor(0.0)
        state["eta"] = tensor(float(group["lr"]))
        state["mu"] = ones(())
        state["ax"] = zeros_like(p)

    def _update(self, p, grad, state, group):
        lr, lambd = group["lr"], group["lambd"]
        step_t = state["step"]
        for key in ("eta", "mu"):
            # load_state_dict casts floating state to p's dtype; the scalars keep step's.
            if state[key].dtype != step_t.dtype:
                state[key] = state[key].to(step_t.dtype)
        eta, mu = state["eta"], state["mu"]
        step_t.add_(1)
        grad = _weight_decay(p, grad, group)
        eta_value = eta.item()
        p.mul_(1 - lambd * eta_value)
        p.add_(grad, alpha=-eta_value)
        mu_value = mu.item()
        if mu_value != 1:
            state["ax"].add_((p - state["ax"]) * mu_value)
        else:
            state["ax"].copy_(p)
        step = step_t.item()
        eta.fill_(lr / ((1 + lambd * lr * step) ** group["alpha"]))
        mu.fill_(1 / max(1, step - group["t0"]))
