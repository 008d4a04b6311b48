# The "Learn the Basics" idioms that stopped ported code before: nn.ReLU(inplace=True),
# torch.load(..., weights_only=True), @torch.no_grad without parentheses, out= arguments,
# in-place tensor methods, and the grad_fn names the autograd page prints.
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(0)
model = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(inplace=True), nn.Linear(8, 3))
print(model)
x = torch.linspace(-1, 1, 4 * 16).reshape(4, 1, 4, 4)
y = torch.tensor([0, 1, 2, 1])
opt = torch.optim.SGD(model.parameters(), lr=0.5)
for step in range(5):
    loss = F.cross_entropy(model(x), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    print(f"step {step} loss {loss.item():.6f}")
path = os.path.join(tempfile.mkdtemp(), "model.pth")
torch.save(model.state_dict(), path)
model2 = nn.Sequential(nn.Flatten(), nn.Linear(16, 8), nn.ReLU(inplace=True), nn.Linear(8, 3))
model2.load_state_dict(torch.load(path, weights_only=True))


@torch.no_grad
def evaluate(m):
    return m(x).argmax(1), torch.is_grad_enabled()


print(evaluate(model2))
t = torch.ones(4, 4)
t[:, 1] = 0
z = torch.empty(4, 4)
torch.matmul(t, t.T, out=z)
print(z)
torch.mul(t, t, out=z)
print(z.sum().item(), t.add_(5)[0])
w = torch.ones(5, requires_grad=True)
b = torch.zeros(3, requires_grad=True)
zz = torch.matmul(torch.ones(5), torch.ones(5, 3) * w[:, None]) + b
loss = F.binary_cross_entropy_with_logits(zz, torch.zeros(3))
print(f"Gradient function for z = {zz.grad_fn.name()}")
print(f"Gradient function for loss = {loss.grad_fn.name()}")
h = torch.tensor([0.5, -1.0, 2.0], requires_grad=True) * 1
h.exp_()
h.sigmoid_()
print(h, h.grad_fn.name())
print(F.mse_loss(h, torch.zeros(3)).grad_fn.name(), F.elu(h * 1, inplace=True).grad_fn.name())
