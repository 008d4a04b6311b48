# tolerance: abs=0 rel=0
# Seeded randomness end to end: torch.manual_seed, torch.randn data, nn.Sequential's default
# init (Linear), Dropout, DataLoader(shuffle=True) and SGD; the printed numbers are torch's.
import torch
import torch.nn as nn
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset

torch.manual_seed(0)
X = torch.randn(64, 4)
w_true = torch.randn(4, 1)
y = X @ w_true + 0.1 * torch.randn(64, 1)
print("first sample:", " ".join(f"{v:.4f}" for v in X[0].tolist()))

model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.2), nn.Linear(8, 1))
print("first weights:", " ".join(f"{v:.4f}" for v in model[0].weight[0].tolist()))
opt = optim.SGD(model.parameters(), lr=0.05)
loss_fn = nn.MSELoss()
loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
for epoch in range(4):
    for xb, yb in loader:
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
    print(f"epoch {epoch}: loss {loss:.4f}")

model.eval()
print(f"eval loss {loss_fn(model(X), y):.4f}")
print("sample order:", torch.randperm(8).tolist(), torch.randint(0, 10, (5,)).tolist())
