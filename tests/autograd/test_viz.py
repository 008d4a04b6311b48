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
