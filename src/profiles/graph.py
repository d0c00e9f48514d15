"""The organisation graph as files other tools load: GraphML (Gephi, networkx, yEd) and CSV in
the header conventions of Neo4j's bulk import (`neo4j-admin database import`), also fine for
`LOAD CSV`. docs/graph.md has the recipes.

GraphML is written with the standard library's ElementTree: the format is a few elements, and
the writers of graph libraries (networkx) are not a dependency of the core install.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from dossier.records.graph import GraphEdge, GraphNode, OrganisationGraph

GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
GRAPHML_SCHEMA = "http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd"

# (attribute name, GraphML type, value of a record). Gephi takes a node's `label` as its label.
NODE_ATTRIBUTES: tuple[tuple[str, str, Callable[[GraphNode], Any]], ...] = (
    ("label", "string", lambda n: n.name),
    ("type", "string", lambda n: n.type),
    ("category", "string", lambda n: n.category),
    ("grade", "string", lambda n: n.grade),
    ("confidence", "double", lambda n: n.confidence),
    ("status", "string", lambda n: n.status),
    ("country", "string", lambda n: n.country),
    ("region", "string", lambda n: n.region),
    ("ticker", "string", lambda n: n.ticker),
    ("isin", "string", lambda n: n.isin),
)
EDGE_ATTRIBUTES: tuple[tuple[str, str, Callable[[GraphEdge], Any]], ...] = (
    ("type", "string", lambda e: e.type),
    ("polarity", "string", lambda e: e.polarity),
    ("modality", "string", lambda e: e.modality),
    ("date", "string", lambda e: e.date.isoformat() if e.date else None),
    ("confidence", "double", lambda e: e.confidence),
    ("verdict", "string", lambda e: e.verdict),
    ("article_url", "string", lambda e: e.article_url),
    ("evidence", "string", lambda e: e.evidence),
)

# Neo4j's import headers: `:ID(group)` / `:START_ID(group)` / `:END_ID(group)` tie the two files
# together, `:LABEL` and `:TYPE` name node labels and relationship types, `name:float` and
# `name:date` type a property (untyped ones are strings).
NODE_LABEL = "Organisation"
NODE_HEADER = ("id:ID(Organisation)", "name", "type", "category", "grade", "confidence:float", "status",
               "country", "region", "ticker", "isin", ":LABEL")
EDGE_HEADER = (":START_ID(Organisation)", ":END_ID(Organisation)", ":TYPE", "claim_id", "polarity", "modality",
               "date:date", "confidence:float", "verdict", "article_url", "evidence")


def render_graphml(graph: OrganisationGraph) -> bytes:
    """The graph as one directed GraphML document (UTF-8); a claim is an edge whose id is the claim's."""
    ET.register_namespace("", GRAPHML_NS)
    ET.register_namespace("xsi", XSI_NS)
    root = ET.Element(_tag("graphml"), {f"{{{XSI_NS}}}schemaLocation": GRAPHML_SCHEMA})
    # Key ids are prefixed by what they describe: a node's and an edge's `type` are two keys.
    for prefix, target, attributes in (("n", "node", NODE_ATTRIBUTES), ("e", "edge", EDGE_ATTRIBUTES)):
        for name, kind, _ in attributes:
            ET.SubElement(root, _tag("key"), {"id": f"{prefix}_{name}", "for": target, "attr.name": name,
                                              "attr.type": kind})
    body = ET.SubElement(root, _tag("graph"), {"id": "dossier", "edgedefault": "directed"})
    for node in graph.nodes:
        _add_data(ET.SubElement(body, _tag("node"), {"id": node.id}), "n", NODE_ATTRIBUTES, node)
    for edge in graph.edges:
        element = ET.SubElement(body, _tag("edge"), {"id": edge.id, "source": edge.source, "target": edge.target})
        _add_data(element, "e", EDGE_ATTRIBUTES, edge)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _tag(name: str) -> str:
    return f"{{{GRAPHML_NS}}}{name}"


def _add_data(element: ET.Element, prefix: str, attributes: tuple, record: Any) -> None:
    """One <data> per attribute with a value; a missing value is left out (GraphML's null)."""
    for name, _, value_of in attributes:
        value = value_of(record)
        if value is not None:
            ET.SubElement(element, _tag("data"), {"key": f"{prefix}_{name}"}).text = _text(value)


def _text(value: Any) -> str:
    return repr(value) if isinstance(value, float) else str(value)


def render_csv(graph: OrganisationGraph) -> dict[str, str]:
    """`nodes.csv` and `edges.csv` with Neo4j import headers; an empty cell is a missing value."""
    nodes = [(n.id, n.name, n.type, n.category, n.grade, n.confidence, n.status, n.country, n.region, n.ticker,
              n.isin, NODE_LABEL) for n in graph.nodes]
    # Relationship types in Neo4j's convention, upper case: PURCHASE_COMMITMENT.
    edges = [(e.source, e.target, e.type.upper(), e.id, e.polarity, e.modality, e.date.isoformat() if e.date else None,
              e.confidence, e.verdict, e.article_url, e.evidence) for e in graph.edges]
    return {"nodes.csv": _csv(NODE_HEADER, nodes), "edges.csv": _csv(EDGE_HEADER, edges)}


def _csv(header: tuple[str, ...], rows: list[tuple[Any, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(["" if value is None else value for value in row] for row in rows)
    return buffer.getvalue()
