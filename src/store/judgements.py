"""Reviewer judgements on identity (merge, split): recorded once, applied on every run."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from dossier.ids import make_id, name_key, organisation_id
from dossier.store.warehouse import utcnow


class JudgementError(ValueError):
    """A judgement that cannot apply (unknown entity, alias not held, merge into itself)."""


@dataclass(frozen=True)
class Judgements:
    """The active judgements: merged entity -> kept entity; entity -> alias keys split off it."""

    merges: dict[str, str] = field(default_factory=dict)
    splits: dict[str, frozenset[str]] = field(default_factory=dict)

    def kept(self, entity_id: str) -> str:
        """The entity an id was merged into, following chains of merges."""
        seen = set()
        while entity_id in self.merges and entity_id not in seen:
            seen.add(entity_id)
            entity_id = self.merges[entity_id]
        return entity_id


def load_judgements(con: duckdb.DuckDBPyConnection) -> Judgements:
    rows = con.execute(
        "SELECT kind, entity_id, other FROM judgements WHERE superseded_by IS NULL ORDER BY created_at, id"
    ).fetchall()
    merges = {other: entity for kind, entity, other in rows if kind == "merge"}
    splits: dict[str, set[str]] = {}
    for kind, entity, other in rows:
        if kind == "split":
            splits.setdefault(entity, set()).add(name_key(other))
    return Judgements(merges, {k: frozenset(v) for k, v in splits.items()})


def _entity_name(con: duckdb.DuckDBPyConnection, entity_id: str) -> str:
    row = con.execute("SELECT name FROM entities WHERE id = ? AND kind = 'organisation'", [entity_id]).fetchone()
    if row is None:
        raise JudgementError(f"no organisation with id {entity_id}")
    return row[0]


def record_merge(con: duckdb.DuckDBPyConnection, keep_id: str, merged_id: str, reviewer: str, note: str | None = None) -> str:
    """Merge `merged_id` into `keep_id`: its evidence and aliases move now, later runs follow."""
    if keep_id == merged_id:
        raise JudgementError("an organisation cannot be merged into itself")
    _entity_name(con, keep_id)
    _entity_name(con, merged_id)
    judgement_id = make_id("judgement", "merge", keep_id, merged_id, utcnow().isoformat())
    con.execute("INSERT INTO judgements VALUES (?, 'merge', ?, ?, ?, ?, ?, NULL)",
                [judgement_id, keep_id, merged_id, reviewer, utcnow(), note])
    for table, column in (("mentions", "entity_id"), ("claims", "subject_id"), ("claims", "object_id"), ("ties", "organisation_id")):
        con.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ?", [keep_id, merged_id])
    con.execute(
        "INSERT INTO aliases SELECT ?, alias, alias_key, 'reviewer', first_seen FROM aliases WHERE entity_id = ?"
        " ON CONFLICT DO NOTHING", [keep_id, merged_id])
    con.execute("DELETE FROM aliases WHERE entity_id = ?", [merged_id])
    con.execute("UPDATE profiles SET status = 'superseded' WHERE entity_id = ? AND status = 'draft'", [merged_id])
    return judgement_id


def record_split(con: duckdb.DuckDBPyConnection, entity_id: str, alias: str, reviewer: str, note: str | None = None) -> str:
    """Split `alias` off `entity_id`: its mentions become an organisation of their own."""
    name = _entity_name(con, entity_id)
    key = name_key(alias)
    if key == name_key(name):
        raise JudgementError(f"{alias!r} is the name of {name!r}; merge or rename instead")
    held = con.execute("SELECT alias FROM aliases WHERE entity_id = ? AND alias_key = ?", [entity_id, key]).fetchall()
    if not held:
        raise JudgementError(f"{name!r} has no alias {alias!r}")
    judgement_id = make_id("judgement", "split", entity_id, key, utcnow().isoformat())
    con.execute("INSERT INTO judgements VALUES (?, 'split', ?, ?, ?, ?, ?, NULL)",
                [judgement_id, entity_id, alias, reviewer, utcnow(), note])
    new_id, now = organisation_id(alias), utcnow()
    con.execute("INSERT INTO entities (id, name, kind, country, continent, first_seen, last_seen)"
                " VALUES (?, ?, 'organisation', NULL, NULL, ?, ?) ON CONFLICT DO NOTHING",
                [new_id, alias, now, now])
    con.execute("UPDATE aliases SET entity_id = ?, learned = 'reviewer' WHERE entity_id = ? AND alias_key = ?",
                [new_id, entity_id, key])
    mentions = con.execute("SELECT id, text FROM mentions WHERE entity_id = ?", [entity_id]).fetchall()
    moved = [m for m, text in mentions if name_key(text) == key]
    if moved:
        con.execute("UPDATE mentions SET entity_id = ? WHERE id IN (SELECT unnest(?))", [new_id, moved])
    return judgement_id
