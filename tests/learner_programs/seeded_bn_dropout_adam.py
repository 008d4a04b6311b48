# A seeded training script as tutorials write it: default init, BatchNorm, Dropout, Adam, a
# shuffled DataLoader, then an LSTM, a conv and the random factories; torch's own random
# streams make every printed number the same.
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(42)
X = torch.randn(200, 10)
w = torch.randn(10, 1)
y = (X @ w + 0.1 * torch.randn(200, 1) > 0).float().squeeze()


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(10, 32)
        self.bn = nn.BatchNorm1d(32)
        self.drop = nn.Dropout(0.2)
        self.fc2 = nn.Linear(32, 2)

    def forward(self, x):
        return self.fc2(self.drop(F.relu(self.bn(self.fc1(x)))))


model = Net()
opt = torch.optim.Adam(model.parameters(), lr=1e-2)
dl = DataLoader(TensorDataset(X, y.long()), batch_size=32, shuffle=True)
for epoch in range(3):
    model.train()
    total = 0
    for xb, yb in dl:
        opt.zero_grad()
        loss = F.cross_entropy(model(xb), yb)
        loss.backward()
        opt.step()
        total += loss.item()
    model.eval()
    with torch.no_grad():
        acc = (model(X).argmax(1) == y.long()).float().mean().item()
    print(f"epoch {epoch} loss {total / len(dl):.4f} acc {acc:.4f}")
print(model.fc1.weight[0, :4])
emb = nn.Embedding(5, 3)
print(emb.weight[0])
lstm = nn.LSTM(3, 4, batch_first=True)
out, (h, c) = lstm(torch.randn(2, 5, 3))
print(out[0, -1])
conv = nn.Conv2d(1, 2, 3)
print(conv(torch.randn(1, 1, 5, 5)).sum())
print(torch.randint(0, 10, (5,)), torch.randperm(8))
print(torch.multinomial(torch.tensor([0.2, 0.5, 0.3]), 4, replacement=True))
g = torch.Generator().manual_seed(2147483647)
p = torch.rand(27, generator=g)
p = p / p.sum()
print(torch.multinomial(p, num_samples=5, replacement=True, generator=g))
