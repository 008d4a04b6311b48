# A small CNN with adaptive pooling on generated images, trained with Adadelta and StepLR.
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, TensorDataset


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 4, 3, 1)
        self.conv2 = nn.Conv2d(4, 8, 3, 1)
        self.pool = nn.AdaptiveAvgPool2d((2, 2))
        self.fc = nn.Linear(32, 3)

    def forward(self, x):
        x = F.relu(self.conv1(x))
        x = F.max_pool2d(F.relu(self.conv2(x)), 2)
        x = torch.flatten(self.pool(x), 1)
        return F.log_softmax(self.fc(x), dim=1)


torch.manual_seed(1)
model = Net()
with torch.no_grad():
    for i, p in enumerate(model.parameters()):
        p.copy_(torch.linspace(-0.3, 0.3, p.numel()).reshape(p.shape).cos() * (0.5 / (i + 1)))

n = 96
grid = torch.arange(12.0)
rows = grid.reshape(1, 12, 1)
cols = grid.reshape(1, 1, 12)
phase = torch.arange(n, dtype=torch.float32).reshape(n, 1, 1) * 0.37
images = torch.sin(rows * 0.5 + phase) * torch.cos(cols * 0.3 - phase)
labels = torch.arange(n) % 3
images = images + 0.5 * labels.reshape(n, 1, 1).float()
data = TensorDataset(images.unsqueeze(1), labels)
loader = DataLoader(data, batch_size=16, shuffle=False)
print("first batch", [tuple(t.shape) for t in data[0:16]])

optimizer = optim.Adadelta(model.parameters(), lr=1.0)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.7)
for epoch in range(1, 4):
    model.train()
    total = 0.0
    for x, y in loader:
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(x)
    scheduler.step()
    model.eval()
    with torch.no_grad():
        out = model(images.unsqueeze(1))
        correct = (out.argmax(dim=1) == labels).sum().item()
    lr = scheduler.get_last_lr()[0]
    print(f"epoch {epoch} loss {total / n:.4f} correct {correct}/{n} lr {lr:.4f}")
