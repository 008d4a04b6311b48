"""autograd.viz: DOT text of Value and Tensor graphs, limits, determinism, rendering."""

import re
import shutil
import time

import numpy as np
import pytest

import autograd as ag
from autograd import Value, viz

needs_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's `dot` binary is not installed"
)

_NODE = re.compile(r'^\s*(\w+) \[label="(.*?)", (.*)\];$')
_EDGE = re.compile(r"^\s*(\w+) -> (\w+);$")


def parse(dot):
    """{node id: (label, attribute text)} and [(tail, head)] of our DOT text."""
    nodes, edges = {}, []
    for line in dot.splitlines():
        if m := _NODE.match(line):
            assert m.group(1) not in nodes, f"node {m.group(1)} declared twice"
            nodes[m.group(1)] = (m.group(2), m.group(3))
        elif m := _EDGE.match(line):
            edges.append((m.group(1), m.group(2)))
    for tail, head in edges:
        assert tail in nodes and head in nodes, f"edge {tail} -> {head} to an undeclared node"
    return nodes, edges


def node_with(nodes, text):
    (found,) = [k for k, (label, _) in nodes.items() if text in label]
    return found


def seed_graph():
    """The seed's (x + y) * z, with x = 2, y = -3, z = 10, after backward."""
    x, y, z = Value(2.0, "x"), Value(-3.0, "y"), Value(10.0, "z")
    s = x + y
    s.label = "s"
    out = s * z
    out.label = "out"
    out.backward()
    return out


# --------------------------------------------------------------------------- Value graphs
def test_value_graph_seed_nodes_edges_labels():
    nodes, edges = parse(viz.to_dot(seed_graph()))
    # five Values (x, y, z, s, out) and two ops (+, *)
    assert len(nodes) == 7
    # x, y -> +, + -> s, s, z -> *, * -> out
    assert len(edges) == 6
    ops = sorted(label for label, attrs in nodes.values() if "ellipse" in attrs)
    assert ops == ["*", "+"]
    # out = (2 - 3) * 10 = -10; d out/dx = d out/dy = z = 10; d out/dz = x + y = -1
    assert nodes[node_with(nodes, "out")][0] == "{ out | data -10.0000 | grad 1.0000 }"
    assert nodes[node_with(nodes, "x |")][0] == "{ x | data 2.0000 | grad 10.0000 }"
    assert nodes[node_with(nodes, "y |")][0] == "{ y | data -3.0000 | grad 10.0000 }"
    assert nodes[node_with(nodes, "z |")][0] == "{ z | data 10.0000 | grad -1.0000 }"
    assert nodes[node_with(nodes, "s |")][0] == "{ s | data -1.0000 | grad 10.0000 }"


def test_value_graph_edges_follow_the_data():
    nodes, edges = parse(viz.to_dot(seed_graph()))
    ids = {label.split(" | ")[0].strip("{ "): k for k, (label, _) in nodes.items()}
    plus = next(k for k, (label, _) in nodes.items() if label == "+")
    times = next(k for k, (label, _) in nodes.items() if label == "*")
    assert sorted(edges) == sorted(
        [
            (ids["x"], plus),
            (ids["y"], plus),
            (plus, ids["s"]),
            (ids["s"], times),
            (ids["z"], times),
            (times, ids["out"]),
        ]
    )


def test_value_graph_show_data_grad_off():
    nodes, _ = parse(viz.to_dot(seed_graph(), show_data=False, show_grad=False))
    labels = [label for label, _ in nodes.values()]
    assert "{ x }" in labels
    assert not any("data" in label or "grad" in label for label in labels)


def test_value_graph_kinds_have_distinct_styles():
    x = Value(3.0, "x")
    out = x * 2 + 1  # the 2 and the 1 are unlabelled constants
    out.label = "out"
    out.backward()
    nodes, _ = parse(viz.to_dot(out))
    style_of = {label.split(" | ")[0].strip("{ "): attrs for label, attrs in nodes.values()}
    consts = sorted(label for label, attrs in nodes.values() if "dashed" in attrs)
    assert consts == ["{   | data 1.0000 | grad 1.0000 }", "{   | data 2.0000 | grad 3.0000 }"]
    const_style = next(attrs for label, attrs in nodes.values() if label == consts[0])
    inner_style = next(a for label, a in nodes.values() if "data 6.0000" in label)
    assert len({style_of["x"], style_of["out"], const_style, inner_style}) == 4


def test_value_used_twice_has_two_edges():
    x = Value(3.0, "x")
    out = x * x
    nodes, edges = parse(viz.to_dot(out))
    times = next(k for k, (label, _) in nodes.items() if label == "*")
    assert edges.count((node_with(nodes, "x |"), times)) == 2


def test_value_pow_shows_the_exponent():
    x = Value(3.0, "x")
    nodes, edges = parse(viz.to_dot(x**2))
    assert any(label == "**2" for label, _ in nodes.values())
    assert len(nodes) == 3 and len(edges) == 2


def test_value_labels_are_escaped():
    x = Value(1.0, 'a "q" {b|c} <d>')
    dot = viz.to_dot(x + 1)
    assert '{ a \\"q\\" \\{b\\|c\\} \\<d\\> | data' in dot


# --------------------------------------------------------------------------- Tensor graphs
def linear_graph(x_requires_grad=False):
    W = ag.tensor((np.arange(12.0).reshape(3, 4) / 10).tolist(), requires_grad=True)
    x = ag.tensor([1.0, -1.0, 2.0, 0.5], requires_grad=x_requires_grad)
    b = ag.tensor([0.1, 0.2, 0.3], requires_grad=True)
    W.name = "W"
    loss = (W @ x + b).sum()
    loss.backward()
    return loss, W, x, b


def test_tensor_graph_ops_and_shapes():
    loss, W, x, b = linear_graph()
    nodes, edges = parse(viz.to_dot(loss, labels={b: "b"}))
    ops = sorted(label for label, attrs in nodes.values() if "ellipse" in attrs)
    assert ops == ["+", "matmul", "sum"]
    # x needs no gradient, so it is no vertex: W, b, the output, and three ops
    assert len(nodes) == 6
    # W -> matmul -> + <- b, + -> sum -> output
    assert len(edges) == 5
    w = nodes[node_with(nodes, "{ W |")][0]
    assert "(3, 4) float32" in w
    # 12 elements > max_elements=8: summarised; W.grad = x in every row
    assert "data min 0 mean 0.55 max 1.1" in w
    assert "grad min -1 mean 0.625 max 2" in w
    bl = nodes[node_with(nodes, "{ b |")][0]
    assert bl == "{ b | (3,) float32 | data [0.1, 0.2, 0.3] | grad [1, 1, 1] }"
    out = node_with(nodes, "{ output |")
    assert nodes[out][0].startswith("{ output | () float32 | data [")
    assert "#ffd59e" in nodes[out][1]


def test_tensor_graph_edges_follow_the_data():
    loss, *_ = linear_graph(x_requires_grad=True)
    x = loss.grad_fn._next[0]._next[0]._next[1]
    nodes, edges = parse(viz.to_dot(loss, labels={x: "x"}))
    op = {label: k for k, (label, attrs) in nodes.items() if "ellipse" in attrs}
    leaf = {label.split(" | ")[0].strip("{ "): k for k, (label, attrs) in nodes.items()}
    assert len(nodes) == 7
    assert sorted(edges) == sorted(
        [
            (leaf["W"], op["matmul"]),
            (leaf["x"], op["matmul"]),
            (op["matmul"], op["+"]),
            (leaf["leaf"], op["+"]),  # b: no name, no label
            (op["+"], op["sum"]),
            (op["sum"], leaf["output"]),
        ]
    )


def test_tensor_labels_name_before_dict():
    loss, W, x, b = linear_graph()
    dot = viz.to_dot(loss, labels={W: "weight", b: "bias"})
    assert "{ W |" in dot and "{ weight |" not in dot and "{ bias |" in dot


def test_tensor_retained_intermediate_gets_a_box():
    W = ag.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    h = W * 2
    h.retain_grad()
    loss = h.sum()
    loss.backward()
    nodes, edges = parse(viz.to_dot(loss))
    h_box = node_with(nodes, "retained")
    assert (
        nodes[h_box][0] == "{ retained | (2, 2) float32 | data [2, 4, 6, 8] | grad [1, 1, 1, 1] }"
    )
    times = next(k for k, (label, _) in nodes.items() if label == "*")
    assert (times, h_box) in edges


def test_tensor_leaf_and_constant_roots():
    w = ag.tensor([1.0, 2.0], requires_grad=True)
    nodes, edges = parse(viz.to_dot(w))
    assert len(nodes) == 1 and not edges
    c = ag.tensor([1.0, 2.0])
    nodes, _ = parse(viz.to_dot(c))
    assert len(nodes) == 1


def test_tensor_parameter_is_distinct_from_a_plain_leaf():
    class Parameter(ag.Tensor):  # stands in for nn.Parameter, matched by class name
        __slots__ = ()

    p = Parameter([1.0, 2.0], requires_grad=True)
    a = ag.tensor([3.0, 4.0], requires_grad=True)
    nodes, _ = parse(viz.to_dot((p * a).sum(), labels={p: "p", a: "a"}))
    assert nodes[node_with(nodes, "{ p |")][1] != nodes[node_with(nodes, "{ a |")][1]


def test_tensor_bool_and_int_summaries():
    t = ag.tensor(np.arange(20))
    assert "min 0 mean 9.5 max 19" in viz.to_dot(t)
    m = ag.tensor(np.arange(20) > 9)
    assert "min 0 mean 0.5 max 1" in viz.to_dot(m)


# --------------------------------------------------------------------------- determinism
def test_same_graph_same_dot():
    out = seed_graph()
    assert viz.to_dot(out) == viz.to_dot(out)
    loss, *_ = linear_graph()
    assert viz.to_dot(loss) == viz.to_dot(loss)


def test_identical_graphs_same_dot():
    assert viz.to_dot(seed_graph()) == viz.to_dot(seed_graph())
    assert viz.to_dot(linear_graph()[0]) == viz.to_dot(linear_graph()[0])
    ids_a = re.findall(r"\bn\d+\w*", viz.to_dot(seed_graph()))
    assert ids_a and all(int(re.match(r"n(\d+)", i).group(1)) < 10 for i in ids_a)


# --------------------------------------------------------------------------- clusters
def test_clusters_from_a_mapping():
    loss, W, x, b = linear_graph()
    matmul = loss.grad_fn._next[0]._next[0]
    dot = viz.to_dot(loss, clusters={W: "linear", matmul: "linear", loss.grad_fn: "loss"})
    blocks = re.findall(
        r"subgraph (cluster_\d+) \{\n\t\tlabel=\"(\w+)\";\n((?:\t\t.*\n)*?)\t\}", dot
    )
    assert [(name, label) for name, label, _ in blocks] == [
        ("cluster_0", "loss"),
        ("cluster_1", "linear"),
    ]
    assert blocks[0][2].count("[label=") == 1  # sum
    assert blocks[1][2].count("[label=") == 2  # matmul and W
    assert 'label="matmul"' in blocks[1][2] and "{ W |" in blocks[1][2]
    nodes, _ = parse(dot)
    assert len(nodes) == 6


def test_clusters_from_a_callable():
    out = seed_graph()
    dot = viz.to_dot(out, clusters=lambda v: "inputs" if getattr(v, "label", "") in "xyz" else None)
    (block,) = re.findall(r"subgraph cluster_0 \{\n((?:\t\t.*\n)*?)\t\}", dot)
    assert block.count("{ x |") + block.count("{ y |") + block.count("{ z |") == 3
    assert block.count("[label=") == 3


# --------------------------------------------------------------------------- size limits
def big_value_graph(n):
    """sum of n products: 2n leaves, n products, n - 1 sums = 4n - 1 Values."""
    xs = [Value(float(i), f"x{i}") for i in range(n)]
    ys = [Value(1.0, f"y{i}") for i in range(n)]
    out = xs[0] * ys[0]
    for x, y in zip(xs[1:], ys[1:]):
        out = out + x * y
    return out


def test_max_nodes_summarises_a_10000_node_graph():
    out = big_value_graph(2500)  # 9999 Values
    t = time.perf_counter()
    dot = viz.to_dot(out, max_nodes=500)
    assert time.perf_counter() - t < 3.0
    nodes, edges = parse(dot)
    assert '"... 9499 more nodes"' in dot
    boxes = [k for k, (label, _) in nodes.items() if label.startswith("{")]
    assert len(boxes) == 500
    more_edges = [e for e in edges if e[0] == "more"]
    assert more_edges


def test_max_nodes_none_draws_everything():
    out = big_value_graph(50)
    nodes, edges = parse(viz.to_dot(out, max_nodes=None))
    boxes = [k for k, (label, _) in nodes.items() if label.startswith("{")]
    assert len(boxes) == 199
    assert "more" not in nodes


def test_100000_deep_value_chain():
    v = Value(0.5, "x")
    for _ in range(100_000):
        v = v.tanh()
    t = time.perf_counter()
    dot = viz.to_dot(v, max_nodes=None)
    assert time.perf_counter() - t < 10.0
    assert dot.count(" -> ") == 2 * 100_000
    assert dot.count('label="tanh"') == 100_000


def test_100000_deep_tensor_chain():
    x = ag.ones(2, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    t = time.perf_counter()
    dot = viz.to_dot(y, max_nodes=None)
    limited = viz.to_dot(y)
    assert time.perf_counter() - t < 10.0
    assert dot.count('label="*"') == 100_000
    assert dot.count(" -> ") == 100_000 + 1  # the chain, the leaf, and the output box
    assert '"... 99501 more nodes"' in limited


# --------------------------------------------------------------------------- rendering
def test_draw_builds_the_same_graph():
    pytest.importorskip("graphviz")
    loss, W, x, b = linear_graph()
    g = viz.draw(loss, clusters={W: "linear"})
    src = g.source
    nodes, edges = parse(viz.to_dot(loss))
    for tail, head in edges:
        assert f"{tail} -> {head}" in src
    for k in nodes:
        assert re.search(rf"^\s*{k} \[", src, re.M)
    assert "subgraph cluster_0" in src
    assert viz.draw_dot is viz.draw
    with pytest.raises(TypeError, match="unexpected keyword"):
        viz.draw(loss, colour="red")


@needs_dot
def test_draw_renders_svg(tmp_path):
    out = seed_graph()
    path = viz.draw(out).render(tmp_path / "seed", format="svg", cleanup=True)
    svg = open(path).read()
    assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    for text in ("data 2.0000", "grad 10.0000", "&#45;10.0000", ">+<", ">*<"):
        assert text in svg, text


@needs_dot
@pytest.mark.parametrize(
    "suffix, magic", [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")]
)
def test_save_by_suffix(tmp_path, suffix, magic):
    loss, *_ = linear_graph()
    path = tmp_path / f"graph{suffix}"
    assert viz.save(loss, path) == path
    assert path.read_bytes().startswith(magic)


@needs_dot
def test_save_large_graph_with_limit_is_fast(tmp_path):
    out = big_value_graph(2500)
    t = time.perf_counter()
    viz.save(out, tmp_path / "big.svg", max_nodes=200)
    assert time.perf_counter() - t < 10.0
    assert "9799 more nodes" in (tmp_path / "big.svg").read_text()


def test_save_rejects_unknown_suffix(tmp_path):
    with pytest.raises(ValueError, match="format"):
        viz.save(seed_graph(), tmp_path / "graph.txt")


def test_save_without_dot_says_so(tmp_path, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(RuntimeError, match="dot"):
        viz.save(seed_graph(), tmp_path / "graph.svg")


def test_draw_is_a_digraph_that_shows_its_source_without_dot(monkeypatch):
    graphviz = pytest.importorskip("graphviz")
    g = viz.draw(seed_graph())
    assert isinstance(g, graphviz.Digraph)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    bundle = g._repr_mimebundle_()
    assert list(bundle) == ["text/plain"]
    assert "not installed" in bundle["text/plain"] and g.source in bundle["text/plain"]


# --------------------------------------------------------------------------- module frames
nn = pytest.importorskip("nn")


def frames(dot):
    """{node id: the labels of the frames around it, outermost first}, from our DOT text."""
    where, path, opening = {}, [], False
    for line in dot.splitlines():
        text = line.strip()
        if text.startswith("subgraph cluster_"):
            opening = True
        elif opening and text.startswith("label="):
            path.append(re.match(r'label="(.*)";$', text).group(1))
            opening = False
        elif text == "}" and path:
            path.pop()
        elif m := _NODE.match(line):
            where[m.group(1)] = tuple(path)
    return where


class MLP(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))

    def forward(self, x):
        return self.layers(x) * 2.0


MLP_FRAME = ("mlp (MLP)", "mlp.layers (Sequential)")


def recorded_mlp(seed=0):
    """A recorded forward of MLP, then a loss outside the model, after backward."""
    ag.manual_seed(seed)
    mlp = MLP()
    x = ag.randn(4, 2)
    with viz.record(mlp) as rec:
        out = mlp(x)
    loss = (out**2).mean()
    loss.backward()
    return mlp, rec, loss


def test_record_frames_nest_and_hold_their_modules_ops():
    mlp, rec, loss = recorded_mlp()
    dot = viz.to_dot(loss, modules=rec, show_data=False, show_grad=False)
    nodes, edges = parse(dot)
    where = frames(dot)
    assert rec.calls == [
        "mlp (MLP)",
        "mlp.layers (Sequential)",
        "mlp.layers.0 (Linear)",
        "mlp.layers.1 (Tanh)",
        "mlp.layers.2 (Linear)",
    ]
    by_frame = {}
    for k, path in where.items():
        by_frame.setdefault(path, []).append(nodes[k][0])
    for i in (0, 2):
        inside = by_frame.pop((*MLP_FRAME, f"mlp.layers.{i} (Linear)"))
        params = sorted(label for label in inside if label.startswith("{"))
        assert [p.split(" | ")[0] for p in params] == [
            f"{{ layers.{i}.bias",
            f"{{ layers.{i}.weight",
        ]
        assert len(inside) > 2  # and the ops of F.linear
    assert by_frame.pop((*MLP_FRAME, "mlp.layers.1 (Tanh)")) == ["tanh"]
    assert by_frame.pop(("mlp (MLP)",)) == ["*"]  # the MLP's own op, outside its children
    outside = by_frame.pop(())
    assert "**" in outside and "{ output | () float32 }" in outside  # the loss: no module
    assert by_frame == {}  # the Sequential has no op of its own
    # the frames change nothing else: same nodes, same edges as without them
    plain_nodes, plain_edges = parse(viz.to_dot(loss, show_data=False, show_grad=False))
    assert sorted(edges) == sorted(plain_edges) and set(nodes) == set(plain_nodes)


def test_record_names_parameters_and_labels_win():
    mlp, rec, loss = recorded_mlp()
    nodes, _ = parse(viz.to_dot(loss, modules=rec))
    for name, p in mlp.named_parameters():
        label = nodes[node_with(nodes, f"{{ {name} |")][0]
        assert f"{tuple(p.shape)} float32" in label
    w = mlp.layers[0].weight
    assert "{ first |" in viz.to_dot(loss, modules=rec, labels={w: "first"})
    w.name = "W0"
    assert "{ W0 |" in viz.to_dot(loss, modules=rec, labels={w: "first"})


def test_record_collapse_one_box_edges_rewired():
    mlp, rec, loss = recorded_mlp()
    plain = viz.to_dot(loss, modules=rec, show_data=False, show_grad=False)
    nodes, edges = parse(plain)
    members = {k for k, path in frames(plain).items() if "mlp.layers.0 (Linear)" in path}
    for collapse in (["layers.0"], ["mlp.layers.0"], [mlp.layers[0]], "layers.0"):
        dot = viz.to_dot(loss, modules=rec, collapse=collapse, show_data=False, show_grad=False)
        cnodes, cedges = parse(dot)
        box = node_with(cnodes, "mlp.layers.0 (Linear)")
        assert box in members
        ops = sum("ellipse" in nodes[k][1] for k in members)
        assert cnodes[box][0] == (
            f"{{ mlp.layers.0 (Linear) | {ops} op{'s' if ops > 1 else ''}, 2 parameters "
            "| out (4, 3) float32 }"
        )
        assert "Mrecord" in cnodes[box][1]
        assert "layers.0.weight" not in dot and "layers.2.weight" in dot
        assert set(cnodes) == (set(nodes) - members) | {box}
        assert frames(dot)[box] == MLP_FRAME  # the box sits where the module's frame was
        # every edge of the full picture, its ends inside the module moved to the box
        moved = {(box if t in members else t, box if h in members else h) for t, h in edges}
        assert sorted(set(cedges)) == sorted(moved - {(box, box)})
        assert len(cedges) == len(set(cedges))
        tanh = node_with(cnodes, "tanh")
        assert (box, tanh) in cedges


def test_record_collapse_outer_module_wins():
    mlp, rec, loss = recorded_mlp()
    dot = viz.to_dot(loss, modules=rec, collapse=["layers.0", "layers"])
    nodes, edges = parse(dot)
    (box,) = [k for k, (_, attrs) in nodes.items() if "Mrecord" in attrs]
    assert nodes[box][0].startswith("{ mlp.layers (Sequential) | ")
    assert "Linear" not in dot and "tanh" not in dot
    (times,) = [k for k, (label, _) in nodes.items() if label == "*"]
    assert edges.count((box, times)) == 1
    assert frames(dot)[box] == ("mlp (MLP)",)
    whole = parse(viz.to_dot(loss, modules=rec, collapse=[""]))[0]
    assert sum("Mrecord" in attrs for _, attrs in whole.values()) == 1


def test_record_bad_arguments_say_what_is_wrong():
    mlp, rec, loss = recorded_mlp()
    with pytest.raises(ValueError, match="'layers.9'"):
        viz.to_dot(loss, modules=rec, collapse=["layers.9"])
    with pytest.raises(ValueError, match="not a submodule"):
        viz.to_dot(loss, modules=rec, collapse=[nn.Linear(1, 1)])
    with pytest.raises(ValueError, match="collapse needs modules"):
        viz.to_dot(loss, collapse=["layers"])
    with pytest.raises(TypeError, match="viz.record"):
        viz.to_dot(loss, modules=mlp)
    with pytest.raises(ValueError, match="not both"):
        viz.to_dot(loss, modules=rec, clusters={})
    with pytest.raises(TypeError, match="expected an nn.Module"):
        viz.record(object())


def hook_count(model):
    return sum(len(m._forward_pre_hooks) + len(m._forward_hooks) for m in model.modules())


def test_record_removes_its_hooks():
    mlp = MLP()
    x = ag.randn(4, 2)
    rec = viz.record(mlp)
    assert hook_count(mlp) == 0
    with rec:
        assert hook_count(mlp) == 2 * len(list(mlp.modules()))
        mlp(x)
    assert hook_count(mlp) == 0
    calls = rec.calls
    mlp(x)  # not recorded any more
    assert rec.calls == calls
    with pytest.raises(RuntimeError, match="shape"):
        with viz.record(mlp):
            mlp(ag.randn(4, 5))  # a forward that raises
    assert hook_count(mlp) == 0


def test_record_same_model_same_dot():
    _, rec, loss = recorded_mlp()
    assert viz.to_dot(loss, modules=rec) == viz.to_dot(loss, modules=rec)
    _, rec2, loss2 = recorded_mlp()
    assert viz.to_dot(loss, modules=rec) == viz.to_dot(loss2, modules=rec2)
    dot = viz.to_dot(loss, modules=rec, collapse=["layers.2"])
    assert dot == viz.to_dot(loss2, modules=rec2, collapse=["layers.2"])


def test_record_two_calls_of_one_module_two_frames():
    class Twice(nn.Module):
        def __init__(self):
            super().__init__()
            self.cell = nn.Linear(2, 2)

        def forward(self, x):
            return self.cell(self.cell(x).tanh())

    model = Twice()
    with viz.record(model, name="rnn") as rec:
        out = model(ag.randn(1, 2)).sum()
    assert rec.calls == ["rnn (Twice)", "rnn.cell (Linear)", "rnn.cell (Linear) #2"]
    dot = viz.to_dot(out, modules=rec)
    nodes, _ = parse(dot)
    where = frames(dot)
    first = [k for k, p in where.items() if p == ("rnn (Twice)", "rnn.cell (Linear)")]
    second = [k for k, p in where.items() if p == ("rnn (Twice)", "rnn.cell (Linear) #2")]
    assert second and not any(nodes[k][0].startswith("{") for k in second)
    # the parameters are drawn once, in the frame of the call that ended first
    assert sum("cell.weight" in nodes[k][0] for k in first + second) == 1
    assert where[node_with(nodes, "tanh")] == ("rnn (Twice)",)
    cdot = viz.to_dot(out, modules=rec, collapse=["cell"])
    cnodes, cedges = parse(cdot)
    boxes = [k for k, (_, attrs) in cnodes.items() if "Mrecord" in attrs]
    assert len(boxes) == 2  # one per call: the box of call 2 follows the tanh of call 1
    tanh = node_with(cnodes, "tanh")
    assert sum((b, tanh) in cedges for b in boxes) == 1
    assert sum((tanh, b) in cedges for b in boxes) == 1


def test_record_leaves_ops_before_and_after_the_model_outside():
    mlp = MLP()
    x = ag.randn(4, 2, requires_grad=True)
    h = x.exp()  # made before the forward: not the model's
    with viz.record(mlp) as rec:
        out = mlp(h).sum()
    nodes, _ = parse(viz.to_dot(out, modules=rec, labels={x: "x"}))
    where = frames(viz.to_dot(out, modules=rec, labels={x: "x"}))
    assert where[node_with(nodes, "exp")] == ()
    assert where[node_with(nodes, "{ x |")] == ()
    assert where[node_with(nodes, "sum")] == ()


def test_record_holds_the_graph_weakly():
    import gc
    import weakref

    mlp, rec, loss = recorded_mlp()
    node = weakref.ref(loss.grad_fn._next[0])
    del loss
    gc.collect()
    assert node() is None


def test_clusters_nest_from_tuples():
    out = seed_graph()
    dot = viz.to_dot(out, clusters=lambda v: ("all", v.label) if v.label in "xy" else None)
    nodes, _ = parse(dot)
    where = frames(dot)
    assert where[node_with(nodes, "{ x |")] == ("all", "x")
    assert where[node_with(nodes, "{ y |")] == ("all", "y")
    assert where[node_with(nodes, "{ z |")] == ()
    assert dot.count("subgraph cluster_") == 3


def deep_model(blocks):
    return nn.Sequential(*[nn.Sequential(nn.Linear(4, 4), nn.Tanh()) for _ in range(blocks)])


def test_record_a_10000_node_model_within_the_limit():
    ag.manual_seed(0)
    model = deep_model(1700)  # 1700 * (the ops of Linear and Tanh, 2 parameters) + sum
    t = time.perf_counter()
    with viz.record(model) as rec:
        out = model(ag.randn(2, 4)).sum()
    full = viz.to_dot(out, modules=rec, max_nodes=None)
    limited = viz.to_dot(out, modules=rec, max_nodes=500)
    collapse = [str(i) for i in range(1700)]
    collapsed = viz.to_dot(out, modules=rec, max_nodes=500, collapse=collapse)
    assert time.perf_counter() - t < 10.0
    vertices = len(parse(full)[0]) - 1  # less the output box
    assert vertices > 1700 * 4
    nodes, edges = parse(limited)
    assert len(nodes) == 500 + 2  # and the "more" box and the output box
    assert f'"... {vertices - 500} more nodes"' in limited
    where = frames(limited)
    assert where.pop(node_with(nodes, "sum")) == where.pop("more") == where.pop("out0") == ()
    # model > block i > its Linear or its Tanh
    for top, block, layer in where.values():
        assert top == "sequential (Sequential)"
        assert re.fullmatch(r"sequential\.\d+ \(Sequential\)", block)
        assert layer.startswith(block.split()[0] + ".")
    assert len({path[1] for path in where.values()}) > 50
    cnodes, _ = parse(collapsed)
    assert sum("Mrecord" in attrs for _, attrs in cnodes.values()) == 499  # and the sum
    assert '"... 1201 more nodes"' in collapsed


@needs_dot
def test_save_recorded_model_is_fast(tmp_path):
    model = deep_model(1700)
    with viz.record(model) as rec:
        out = model(ag.randn(2, 4)).sum()
    t = time.perf_counter()
    viz.save(out, tmp_path / "big.svg", modules=rec, max_nodes=300)
    assert time.perf_counter() - t < 10.0
    svg = (tmp_path / "big.svg").read_text()
    assert "sequential.1699.0 (Linear)" in svg and "more nodes" in svg


def test_draw_with_modules_builds_the_same_statements():
    pytest.importorskip("graphviz")
    _, rec, loss = recorded_mlp()
    src = viz.draw(loss, modules=rec, collapse=["layers.2"]).source
    dot = viz.to_dot(loss, modules=rec, collapse=["layers.2"])
    body = dot.splitlines()[3:-1]  # between the header and the closing brace
    assert body and all(line + "\n" in src for line in body)
