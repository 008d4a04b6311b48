"""`python -m autograd` (the README's `make run`): build a graph, run backward, print gradients.

Later issues turn this into end-to-end training; for now it shows the engine at work on the
seed lectures' examples, with Value (scalars) and with Tensor.
"""

from autograd import Tensor, Value


def main():
    print("f = (x + y) * z at x=-2, y=5, z=-4")
    x, y, z = Value(-2.0, "x"), Value(5.0, "y"), Value(-4.0, "z")
    f = (x + y) * z
    f.backward()
    print(f"  f = {f.array:g}   df/dx = {x.grad:g}   df/dy = {y.grad:g}   df/dz = {z.grad:g}")

    print("2-2-2 sigmoid network, one SGD step (lr 0.5), as Tensors")
    i = Tensor([0.05, 0.10], dtype="float64")
    w1 = Tensor([[0.15, 0.20], [0.25, 0.30]], dtype="float64", requires_grad=True)
    w2 = Tensor([[0.40, 0.45], [0.50, 0.55]], dtype="float64", requires_grad=True)
    b1, b2 = 0.35, 0.60
    target = Tensor([0.01, 0.99], dtype="float64")
    out = (w2 @ (w1 @ i + b1).sigmoid() + b2).sigmoid()
    loss = (0.5 * (target - out) ** 2).sum()
    loss.backward()
    print(f"  loss = {loss.item():.9f}")
    print(f"  dloss/dw1 =\n{w1.grad.numpy()}\n  dloss/dw2 =\n{w2.grad.numpy()}")
    w1.array -= 0.5 * w1.grad.array
    w2.array -= 0.5 * w2.grad.array
    print(
        f"  after one step: w5..w8 = {w2.array.reshape(-1).round(9).tolist()}, "
        f"w1 = {w1.array[0, 0]:.9f}"
    )


if __name__ == "__main__":
    main()
