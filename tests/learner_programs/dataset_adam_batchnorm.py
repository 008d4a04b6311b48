# The pieces of a typical training script: a Dataset subclass, a DataLoader with a
# drop_last batch size, a model with Embedding and BatchNorm1d, Adam with a StepLR
# schedule, train/eval switching (batch statistics vs running statistics), and a
# checkpoint saved with torch.save and restored with torch.load.
import os
import tempfile

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim
from torch.utils.data import DataLoader, Dataset


class Sequences(Dataset):
    """Pairs of token ids and a real feature; the label says which token is larger."""

    def __init__(self, n):
        k = torch.arange(n)
        self.tokens = torch.stack([(k * 7) % 11, (k * 5 + 3) % 11], dim=1)
        self.feature = torch.cos(0.5 * k.float()).unsqueeze(1)
        self.labels = (self.tokens[:, 0] > self.tokens[:, 1]).long()

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, idx):
        return self.tokens[idx], self.feature[idx], self.labels[idx]


data = Sequences(90)
print(len(data), data[3])
loader = DataLoader(data, batch_size=16, shuffle=False, drop_last=True)
print("batches", len(loader))
tok, feat, lab = next(iter(loader))
print(tuple(tok.shape), tuple(feat.shape), lab[:6])


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.embed = nn.Embedding(11, 4)
        self.fc1 = nn.Linear(9, 12, bias=False)  # BatchNorm cancels a bias here
        self.bn = nn.BatchNorm1d(12)
        self.fc2 = nn.Linear(12, 2)

    def forward(self, tokens, feature):
        e = self.embed(tokens).flatten(1)
        h = torch.cat([e, feature], dim=1)
        h = F.relu(self.bn(self.fc1(h)))
        return self.fc2(h)


model = Net()
with torch.no_grad():
    for j, (_name, p) in enumerate(model.named_parameters()):
        k = torch.arange(p.numel(), dtype=torch.float32)
        p.copy_((0.4 * torch.cos(1.3 * k + 0.5 * j)).reshape(p.shape))
print([name for name, _ in model.named_parameters()])
print([name for name, _ in model.named_buffers()])

optimizer = optim.Adam(model.parameters(), lr=0.05)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
criterion = nn.CrossEntropyLoss()
for epoch in range(9):
    model.train()
    running = 0.0
    for tokens, feature, labels in loader:
        optimizer.zero_grad()
        loss = criterion(model(tokens, feature), labels)
        loss.backward()
        optimizer.step()
        running += loss.item()
    scheduler.step()
    model.eval()
    with torch.no_grad():
        logits = model(data.tokens, data.feature)
        correct = (logits.argmax(1) == data.labels).sum().item()
    lr = scheduler.get_last_lr()[0]
    print(
        f"epoch {epoch}: loss {running / len(loader):.4f} correct {correct}/{len(data)} lr {lr:.4f}"
    )

print("running mean", model.bn.running_mean[:4])
print("running var ", model.bn.running_var[:4])
print("batches tracked", model.bn.num_batches_tracked.item())
state = optimizer.state_dict()
print("adam steps", state["state"][0]["step"].item(), "groups", len(state["param_groups"]))

path = os.path.join(tempfile.mkdtemp(), "checkpoint.pt")
torch.save(model.state_dict(), path)
restored = Net()
restored.load_state_dict(torch.load(path))
restored.eval()
with torch.no_grad():
    same = torch.allclose(restored(data.tokens, data.feature), model(data.tokens, data.feature))
print("restored model agrees:", same)
model.train()
with torch.no_grad():
    batch_out = model(data.tokens[:8], data.feature[:8])
print("train-mode outputs", batch_out[:2])
print(f"{F.cross_entropy(batch_out, data.labels[:8]).item():.4f}")
os.remove(path)
