# tolerance: abs=0.03 rel=0.002  (sampled frequencies: the random streams differ)
# A character bigram model: counts, then the same model as a one-layer net trained by
# gradient descent, then sampling names with a seeded Generator.
import torch
import torch.nn.functional as F

words = (
    "emma olivia ava isabella sophia charlotte mia amelia harper evelyn abigail emily "
    "elizabeth mila ella avery sofia camila aria scarlett victoria madison luna grace "
    "chloe penelope layla riley zoey nora lily eleanor hannah lillian addison aubrey "
    "ellie stella natalie zoe leah hazel violet aurora savannah audrey brooklyn bella"
).split()
chars = sorted(set("".join(words)))
stoi = {s: i + 1 for i, s in enumerate(chars)}
stoi["."] = 0
itos = {i: s for s, i in stoi.items()}
V = len(stoi)

N = torch.zeros((V, V), dtype=torch.int32)
xs, ys = [], []
for w in words:
    seq = ["."] + list(w) + ["."]
    for ch1, ch2 in zip(seq, seq[1:]):
        N[stoi[ch1], stoi[ch2]] += 1
        xs.append(stoi[ch1])
        ys.append(stoi[ch2])
P = (N + 1).float()
P /= P.sum(1, keepdims=True)
xs = torch.tensor(xs)
ys = torch.tensor(ys)
print("bigrams", xs.nelement(), "vocab", V)
nll = -P[xs, ys].log().mean()
print(f"count model nll {nll:.4f}")

W = (torch.arange(V * V, dtype=torch.float32).reshape(V, V).sin() * 0.1).requires_grad_()
xenc = F.one_hot(xs, num_classes=V).float()
for k in range(60):
    logits = xenc @ W
    counts = logits.exp()
    probs = counts / counts.sum(1, keepdims=True)
    loss = -probs[torch.arange(len(ys)), ys].log().mean() + 0.01 * (W**2).mean()
    W.grad = None
    loss.backward()
    W.data += -10 * W.grad
    if k % 20 == 0:
        print(f"step {k} loss {loss.item():.4f}")

g = torch.Generator().manual_seed(2147483647)
first = torch.multinomial(P[0], num_samples=20000, replacement=True, generator=g)
freq = torch.bincount(first, minlength=V).float() / 20000
print("first-letter frequencies", [f"{v:.2f}" for v in freq[1:8].tolist()])
print("most frequent first letter", itos[int(freq.argmax())])
name = []
ix = 0
while True:
    ix = torch.multinomial(P[ix], num_samples=1, replacement=True, generator=g).item()
    if ix == 0 or len(name) > 30:
        break
    name.append(itos[ix])
print("sampled a name of", "ok" if all(c in stoi for c in name) else "bad", "letters")
