# A two-layer MLP on generated data: Module subclass, CrossEntropyLoss, SGD with momentum,
# a loop printing f"{loss:.4f}", accuracy and a gradient-norm clip.
import torch
import torch.nn as nn
import torch.optim as optim

torch.manual_seed(0)
X = torch.linspace(-1, 1, 240).reshape(60, 4)
X = torch.cat([X.sin(), X.cos()], dim=1)
y = (X[:, 0] * 3 + X[:, 5]).floor().long() % 3


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Linear(8, 16), nn.Tanh(), nn.Linear(16, 3))

    def forward(self, x):
        return self.net(x)


model = MLP()
with torch.no_grad():
    for p in model.parameters():
        p.copy_(torch.linspace(-0.5, 0.5, p.numel()).reshape(p.shape).sin())
criterion = nn.CrossEntropyLoss()
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
for epoch in range(40):
    opt.zero_grad()
    loss = criterion(model(X), y)
    loss.backward()
    norm = nn.utils.clip_grad_norm_(model.parameters(), max_norm=1.0)
    opt.step()
    if epoch % 10 == 9:
        acc = (model(X).argmax(1) == y).float().mean()
        print(f"epoch {epoch + 1}: loss {loss:.4f} grad-norm {norm:.4f} accuracy {acc:.3f}")
print("allclose to itself:", torch.allclose(model(X), model(X)))
n_params = sum(p.numel() for p in model.parameters())
print("parameters:", n_params)
