# A multilayer perceptron as the lessons build it: nn.Sequential with Flatten, ReLU and
# Dropout, initialisation through net.apply, weight decay in the optimizer, an L2 penalty
# written by hand, train/eval modes, and a state_dict round trip into a fresh network.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

n = 96
i = torch.arange(n * 6, dtype=torch.float32).reshape(n, 2, 3)
X = torch.cos(0.31 * i) + 0.1 * torch.sin(1.7 * i)
y = ((X[:, 0, 0] + X[:, 1, 2] > 0).long() + (X[:, 0, 1] > 0.5).long()) % 3
loader = DataLoader(TensorDataset(X, y), batch_size=12, shuffle=False)

x = torch.arange(-4.0, 4.0, 1.0, requires_grad=True)
print(torch.relu(x).detach())
torch.relu(x).sum().backward()
print(x.grad)
x.grad.data.zero_()
torch.sigmoid(x).sum().backward()
print(x.grad)
x.grad.data.zero_()
torch.tanh(x).sum().backward()
print(x.grad)


def get_net():
    return nn.Sequential(
        nn.Flatten(),
        nn.Linear(6, 32),
        nn.ReLU(),
        nn.Dropout(0.5),
        nn.Linear(32, 16),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Linear(16, 3),
    )


net = get_net()
print(net)


def init_weights(m):
    if isinstance(m, nn.Linear):
        with torch.no_grad():
            k = torch.arange(m.weight.numel(), dtype=torch.float32)
            m.weight.copy_((0.3 * torch.sin(0.9 * k + m.in_features)).reshape(m.weight.shape))
        nn.init.zeros_(m.bias)


net.apply(init_weights)
for name, param in net.named_parameters():
    print(name, tuple(param.shape), f"{param.detach().abs().sum().item():.4f}")
print(net[1].weight.data[0])
print(net[1].bias.data)

loss = nn.CrossEntropyLoss()
trainer = optim.SGD(net.parameters(), lr=0.2, weight_decay=1e-3)
net.eval()  # no dropout during training either, so the run is deterministic
for epoch in range(8):
    total, count = 0.0, 0
    for Xb, yb in loader:
        ls = loss(net(Xb), yb)
        trainer.zero_grad()
        ls.backward()
        trainer.step()
        total += ls.item() * len(yb)
        count += len(yb)
    if epoch % 2 == 1:
        with torch.no_grad():
            acc = (net(X).argmax(dim=1) == y).float().mean()
        print(f"epoch {epoch + 1}: loss {total / count:.4f}, accuracy {acc:.4f}")

net.train()
out = net[3](torch.ones(1000))
print("dropout zeros about half:", 400 < int((out == 0).sum()) < 600, out.max().item())
print("training flags", [m.training for m in net][:4])
net.eval()
print("eval keeps values:", torch.equal(net[3](torch.ones(5)), torch.ones(5)))
print(F.dropout(torch.ones(3), p=0.5, training=False))


def l2_penalty(w):
    return torch.sum(w.pow(2)) / 2


w = net[1].weight
print(f"l2 penalty {l2_penalty(w).item():.4f}")
print(f"weight norm {w.norm().item():.4f}")

state = net.state_dict()
print(list(state.keys()))
clone = get_net()
result = clone.load_state_dict(state)
print(result.missing_keys, result.unexpected_keys)
clone.eval()
print("same outputs:", torch.equal(clone(X), net(X)))
print(clone(X[:3]).detach())
print(F.softmax(clone(X[:3]), dim=1).detach())
print(sum(p.numel() for p in clone.parameters() if p.requires_grad))
