"""Render the exported dependency graph as Graphviz DOT, Mermaid or JSON.

Violating edges are drawn red (``color=red`` in DOT, ``linkStyle N stroke:red`` in Mermaid) and
labelled with the rules they break; type-only imports are dashed, external packages are
ellipses, and in the module view files are grouped into one cluster/subgraph per layer.
"""

from __future__ import annotations

import json


def render(graph: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(graph, indent=2, ensure_ascii=False) + "\n"
    if fmt == "mermaid":
        return render_mermaid(graph)
    return render_dot(graph)


def _dot_id(text: str) -> str:
    """A quoted DOT string: backslashes and quotes escaped, newlines as DOT's ``\\n``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _label(node: dict) -> str:
    if node["kind"] in ("layer", "unlayered", "composition-roots") and node["modules"]:
        noun = "module" if node["modules"] == 1 else "modules"
        return f"{node['id']}\n({node['modules']} {noun})"
    return node["id"]


def _node_dot(node: dict) -> str:
    attributes = {"label": _label(node)}
    if node["kind"] == "external":
        attributes.update(shape="ellipse", style="dashed", color="gray40")
    elif node["kind"] in ("unlayered", "composition-roots"):
        attributes.update(style="rounded,dashed")
    text = ", ".join(f"{key}={_dot_id(value)}" for key, value in attributes.items())
    return f"{_dot_id(node['id'])} [{text}];"


def render_dot(graph: dict) -> str:
    lines = [
        "digraph archlint {",
        "  rankdir=TB;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    if graph["view"] == "modules":
        clusters: dict[str | None, list[dict]] = {}
        for node in graph["nodes"]:
            clusters.setdefault(node["layer"], []).append(node)
        for number, (layer, members) in enumerate(clusters.items()):
            if layer is None:
                lines.extend(f"  {_node_dot(node)}" for node in members)
                continue
            lines.append(f"  subgraph cluster_{number} {{")
            lines.append(f"    label={_dot_id(layer)};")
            lines.extend(f"    {_node_dot(node)}" for node in members)
            lines.append("  }")
    else:
        lines.extend(f"  {_node_dot(node)}" for node in graph["nodes"])
    for edge in graph["edges"]:
        attributes = []
        if edge["violation"]:
            attributes += ["color=red", "fontcolor=red", "penwidth=2", f"label={_dot_id(', '.join(edge['rules']))}"]
        if edge["type_only"]:
            attributes.append("style=dashed")
        suffix = f" [{', '.join(attributes)}]" if attributes else ""
        lines.append(f"  {_dot_id(edge['source'])} -> {_dot_id(edge['target'])}{suffix};")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _mermaid_text(text: str) -> str:
    return text.replace('"', "#quot;").replace("\n", "<br/>")


def render_mermaid(graph: dict) -> str:
    ids = {node["id"]: f"n{index}" for index, node in enumerate(graph["nodes"])}
    lines = ["flowchart TD"]

    def declare(node: dict, indent: str) -> str:
        text = _mermaid_text(_label(node))
        shape = f'(["{text}"])' if node["kind"] == "external" else f'["{text}"]'
        return f"{indent}{ids[node['id']]}{shape}"

    if graph["view"] == "modules":
        groups: dict[str | None, list[dict]] = {}
        for node in graph["nodes"]:
            groups.setdefault(node["layer"], []).append(node)
        for number, (layer, members) in enumerate(groups.items()):
            if layer is None:
                lines.extend(declare(node, "  ") for node in members)
                continue
            lines.append(f'  subgraph g{number}["{_mermaid_text(layer)}"]')
            lines.extend(declare(node, "    ") for node in members)
            lines.append("  end")
    else:
        lines.extend(declare(node, "  ") for node in graph["nodes"])
    styles = []
    for index, edge in enumerate(graph["edges"]):
        arrow = "-.->" if edge["type_only"] else "-->"
        label = f"|{_mermaid_text(', '.join(edge['rules']))}|" if edge["violation"] else ""
        lines.append(f"  {ids[edge['source']]} {arrow}{label} {ids[edge['target']]}")
        if edge["violation"]:
            styles.append(f"  linkStyle {index} stroke:red,stroke-width:2px,color:red")
    lines.extend(styles)
    return "\n".join(lines) + "\n"
