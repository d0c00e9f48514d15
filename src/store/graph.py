"""The organisation graph read from the documented views: who is tied to whom, by which claims.

Nodes are the organisations of `v_profiles_current`; edges are the claims of `v_claims` whose
subject and object are both such organisations, less those a reviewer rejected (as the cards
leave them out). So the graph's counts are the views' counts, and an organisation without a
current profile (rejected, merged away) never appears as a dangling end.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dossier.records.graph import GraphEdge, GraphNode, OrganisationGraph
from dossier.store.warehouse import fetch_dicts

if TYPE_CHECKING:
    from dossier.store.session import Session

# The base country is the current revision's `base`, which the view leaves out.
_NODES = """
SELECT p.entity_id AS id, p.name, p.type, p.category, p.grade, p.confidence, p.status,
       r.base AS country, p.region, p.ticker, p.isin
FROM v_profiles_current p
JOIN profiles r ON r.entity_id = p.entity_id AND r.revision = p.revision
ORDER BY p.name, p.entity_id
"""

# The claim's own row gives its two ends (v_claims names them, ids are what a graph needs).
_EDGES = """
SELECT c.id, c.subject_id AS source, c.object_id AS target, v.type, v.polarity, v.modality,
       coalesce(v.published_at, c.first_seen)::DATE AS date, v.confidence, v.review_verdict AS verdict,
       v.article_url, v.evidence
FROM v_claims v
JOIN claims c ON c.id = v.claim_id
WHERE c.subject_id IN (SELECT entity_id FROM v_profiles_current)
  AND c.object_id IN (SELECT entity_id FROM v_profiles_current)
  AND v.review_verdict IS DISTINCT FROM 'rejected'
ORDER BY date NULLS LAST, c.id
"""


def organisation_graph(session: Session) -> OrganisationGraph:
    """Every current organisation as a node, every claim between two of them as an edge."""
    nodes = tuple(GraphNode(**row) for row in fetch_dicts(session, _NODES))
    edges = tuple(GraphEdge(**row) for row in fetch_dicts(session, _EDGES))
    return OrganisationGraph(nodes=nodes, edges=edges)
