"""Reviewer judgements on identity (merge, split): recorded once, applied on every run, and
reversible. A merge or split records every row it moves in `judgement_moves` (which column,
from what, to what); reverting the judgement puts exactly those rows back. Nothing is deleted.

What may be merged or split, and when, is decided in dossier.review; this module only stores.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from dossier.ids import make_id, organisation_id
from dossier.records.review import (
    EntityArticle,
    EntityRef,
    MergePreview,
    MovingClaim,
    RevisionState,
    SplitOff,
    SplitPreview,
)
from dossier.store.warehouse import fetch_dicts, utcnow

if TYPE_CHECKING:
    from dossier.store.session import Session

# Columns a merge moves from the merged organisation to the kept one, in tables keyed by `id`
# (claim verdicts' keys too, so a verdict keeps covering the claims it moved with).
MERGED_COLUMNS = (("mentions", "entity_id"), ("claims", "subject_id"), ("claims", "object_id"),
                  ("ties", "organisation_id"), ("claim_reviews", "subject_id"), ("claim_reviews", "object_key"))


@dataclass(frozen=True)
class Judgements:
    """The active judgements: merged entity -> kept entity; entity -> alias keys split off it."""

    merges: dict[str, str] = field(default_factory=dict)
    splits: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Judgement:
    """One stored judgement row."""

    id: str
    kind: str
    entity_id: str
    other: str
    other_key: str | None
    reviewer: str
    created_at: datetime
    note: str | None


def load_judgements(con: Session) -> Judgements:
    """The merges and splits in force (neither superseded nor reverted), for the resolver."""
    rows = con.execute(
        "SELECT kind, entity_id, other, coalesce(other_key, lower(other)) FROM judgements"
        " WHERE superseded_by IS NULL AND kind IN ('merge', 'split') ORDER BY created_at, id"
    ).fetchall()
    merges = {other: entity for kind, entity, other, _ in rows if kind == "merge"}
    splits: dict[str, set[str]] = {}
    for kind, entity, _, key in rows:
        if kind == "split":
            splits.setdefault(entity, set()).add(key)
    return Judgements(merges, {k: frozenset(v) for k, v in splits.items()})


def organisation_name(con: Session, entity_id: str) -> str | None:
    """The name of an organisation, None when there is none with that id."""
    row = con.execute("SELECT name FROM entities WHERE id = ? AND kind = 'organisation'", [entity_id]).fetchone()
    return row[0] if row else None


def holds_alias(con: Session, entity_id: str, alias_key: str) -> bool:
    """Whether an organisation holds an alias with this match key."""
    return bool(con.execute("SELECT count(*) FROM aliases WHERE entity_id = ? AND alias_key = ?",
                            [entity_id, alias_key]).fetchone()[0])


def _insert(con: Session, kind: str, entity_id: str, other: str, other_key: str | None,
            reviewer: str, note: str | None) -> tuple[str, datetime]:
    now = utcnow()
    judgement_id = make_id("judgement", kind, entity_id, other_key or other, now.isoformat())
    con.execute("INSERT INTO judgements (id, kind, entity_id, other, reviewer, created_at, note, superseded_by,"
                " other_key) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                [judgement_id, kind, entity_id, other, reviewer, now, note, other_key])
    return judgement_id, now


def _move_by_id(con: Session, judgement_id: str, table: str, column: str,
                old: str, new: str, where: str = "TRUE", params: tuple[object, ...] = ()) -> None:
    """Set `column` from `old` to `new` in the rows of `table` matching `where`, recording each."""
    con.execute(f"INSERT INTO judgement_moves SELECT ?, '{table}', id, '{column}', {column}, ? FROM {table}"
                f" WHERE {column} = ? AND {where}", [judgement_id, new, old, *params])
    con.execute(f"UPDATE {table} SET {column} = ? WHERE {column} = ? AND {where}", [new, old, *params])


def _move_aliases(con: Session, judgement_id: str, old: str, new: str,
                  alias_key: str | None = None) -> None:
    """Move alias rows from one organisation to another as a reviewer's, recording what they were.
    An alias the target holds already stays where it is (the resolver follows the judgement)."""
    where = "a.entity_id = ? AND NOT EXISTS (SELECT 1 FROM aliases t WHERE t.entity_id = ? AND t.alias = a.alias)"
    params: list[object] = [old, new]
    if alias_key is not None:
        where += " AND a.alias_key = ?"
        params.append(alias_key)
    con.execute(f"INSERT INTO judgement_moves SELECT ?, 'aliases', alias, 'learned', learned, 'reviewer'"
                f" FROM aliases a WHERE {where}", [judgement_id, *params])
    con.execute(f"INSERT INTO judgement_moves SELECT ?, 'aliases', alias, 'entity_id', entity_id, ?"
                f" FROM aliases a WHERE {where}", [judgement_id, new, *params])
    con.execute(f"UPDATE aliases SET entity_id = ?, learned = 'reviewer' WHERE alias IN"
                f" (SELECT alias FROM aliases a WHERE {where}) AND entity_id = ?", [new, *params, old])


def retire_profiles(con: Session, judgement_id: str, entity_id: str) -> None:
    """Supersede an organisation's draft and approved revisions, recording their statuses."""
    con.execute("INSERT INTO judgement_moves SELECT ?, 'profiles', entity_id || '/' || revision, 'status', status,"
                " 'superseded' FROM profiles WHERE entity_id = ? AND status IN ('draft', 'approved')",
                [judgement_id, entity_id])
    con.execute("UPDATE profiles SET status = 'superseded' WHERE entity_id = ? AND status IN ('draft', 'approved')",
                [entity_id])


def record_merge(con: Session, keep_id: str, merged_id: str, reviewer: str,
                 note: str | None = None) -> str:
    """Merge `merged_id` into `keep_id`: its evidence and aliases move now (each move recorded),
    its revisions are superseded, later runs follow the judgement."""
    judgement_id, _ = _insert(con, "merge", keep_id, merged_id, None, reviewer, note)
    for table, column in MERGED_COLUMNS:
        _move_by_id(con, judgement_id, table, column, merged_id, keep_id)
    _move_aliases(con, judgement_id, merged_id, keep_id)
    retire_profiles(con, judgement_id, merged_id)
    return judgement_id


def mention_texts(con: Session, entity_id: str) -> list[str]:
    """The distinct surface texts of an organisation's mentions."""
    return [r[0] for r in con.execute("SELECT DISTINCT text FROM mentions WHERE entity_id = ? ORDER BY 1",
                                      [entity_id]).fetchall()]


def record_split(con: Session, entity_id: str, alias: str, alias_key: str, new_id: str,
                 texts: Sequence[str], reviewer: str, note: str | None = None) -> str:
    """Split the alias with match key `alias_key` off `entity_id` into organisation `new_id`
    (created if new): the alias and the mentions written as one of `texts` move there, each
    move recorded."""
    judgement_id, now = _insert(con, "split", entity_id, alias, alias_key, reviewer, note)
    con.execute("INSERT INTO entities (id, name, kind, country, continent, first_seen, last_seen)"
                " VALUES (?, ?, 'organisation', NULL, NULL, ?, ?) ON CONFLICT DO NOTHING",
                [new_id, alias, now, now])
    _move_aliases(con, judgement_id, entity_id, new_id, alias_key)
    _move_by_id(con, judgement_id, "mentions", "entity_id", entity_id, new_id, "text IN (SELECT unnest(?))",
                (list(texts),))
    return judgement_id


def active_judgement(con: Session, kind: str, entity_id: str, other_key: str) -> Judgement | None:
    """The judgement of `kind` on `entity_id` in force whose `other` (merge: the merged id;
    split: the alias's key) is `other_key`; None when there is none."""
    column = "other" if kind == "merge" else "coalesce(other_key, lower(other))"
    row = con.execute(
        f"SELECT id, kind, entity_id, other, other_key, reviewer, created_at, note FROM judgements"
        f" WHERE kind = ? AND entity_id = ? AND {column} = ? AND superseded_by IS NULL"
        f" ORDER BY created_at DESC, id LIMIT 1", [kind, entity_id, other_key]).fetchall()
    return Judgement(*row[0]) if row else None


def merged_into(con: Session, keep_id: str) -> dict[str, str]:
    """{merged organisation id: its name} of the merges into `keep_id` in force."""
    return dict(con.execute(
        "SELECT j.other, coalesce(e.name, j.other) FROM judgements j LEFT JOIN entities e ON e.id = j.other"
        " WHERE j.kind = 'merge' AND j.entity_id = ? AND j.superseded_by IS NULL ORDER BY j.created_at",
        [keep_id]).fetchall())


def _revert_aliases(con: Session, judgement_id: str) -> None:
    """Alias rows back to the organisation and `learned` they had, if still where the judgement put them."""
    moved = ("FROM judgement_moves m WHERE m.judgement_id = ? AND m.table_name = 'aliases'"
             " AND m.column_name = 'entity_id' AND aliases.alias = m.row_key AND aliases.entity_id = m.new_value")
    con.execute("UPDATE aliases SET learned = l.old_value FROM judgement_moves l WHERE l.judgement_id = ?"
                " AND l.table_name = 'aliases' AND l.column_name = 'learned' AND aliases.alias = l.row_key"
                f" AND EXISTS (SELECT 1 {moved})", [judgement_id, judgement_id])
    rows = con.execute("SELECT m.row_key, m.old_value, m.new_value FROM judgement_moves m WHERE m.judgement_id = ?"
                       " AND m.table_name = 'aliases' AND m.column_name = 'entity_id'", [judgement_id]).fetchall()
    for alias, old, new in rows:  # a few rows per judgement; the key column is updated row by row
        con.execute("UPDATE aliases SET entity_id = ? WHERE entity_id = ? AND alias = ? AND NOT EXISTS"
                    " (SELECT 1 FROM aliases t WHERE t.entity_id = ? AND t.alias = ?)", [old, new, alias, old, alias])


def revert_judgement(con: Session, judgement_id: str, kind: str, reviewer: str,
                     note: str | None = None) -> str:
    """Undo a judgement as a new one of `kind` (unmerge, unsplit) that supersedes it: every row
    it moved goes back where it was, unless something later moved it again."""
    original = con.execute("SELECT kind, entity_id, other, other_key, created_at FROM judgements WHERE id = ?",
                           [judgement_id]).fetchone()
    original_kind, entity_id, other, other_key, made_at = original
    revert_id, _ = _insert(con, kind, entity_id, other, other_key, reviewer, note)
    con.execute("UPDATE judgements SET superseded_by = ? WHERE id = ?", [revert_id, judgement_id])
    for table, column in {*MERGED_COLUMNS, ("mentions", "entity_id")}:
        con.execute(f"UPDATE {table} SET {column} = m.old_value FROM judgement_moves m WHERE m.judgement_id = ?"
                    f" AND m.table_name = '{table}' AND m.column_name = '{column}' AND {table}.id = m.row_key"
                    f" AND {table}.{column} = m.new_value", [judgement_id])
    _revert_aliases(con, judgement_id)
    con.execute("UPDATE profiles SET status = m.old_value FROM judgement_moves m WHERE m.judgement_id = ?"
                " AND m.table_name = 'profiles' AND profiles.entity_id || '/' || profiles.revision = m.row_key"
                " AND profiles.status = m.new_value", [judgement_id])
    if original_kind == "merge":
        # Mentions runs wrote after the merge under the kept organisation, of the merged one's names.
        _move_by_id(con, revert_id, "mentions", "entity_id", entity_id, other,
                    "first_seen >= ? AND text IN (SELECT alias FROM aliases WHERE entity_id = ?)", (made_at, other))
    return revert_id


# --- what a judgement would move, read before it is made ---------------------------------
# Each query selects exactly the rows record_merge / record_split would move (same columns,
# same conditions), so the confirmation a reviewer reads is what the judgement does.

# The alias rows _move_aliases moves: held by the source, not yet by the target.
_MOVING_ALIASES = ("SELECT a.alias FROM aliases a WHERE a.entity_id = ? AND NOT EXISTS"
                   " (SELECT 1 FROM aliases t WHERE t.entity_id = ? AND t.alias = a.alias)")


def _articles_of_mentions(con: Session, where: str, params: Sequence[object]) -> list[EntityArticle]:
    rows = fetch_dicts(
        con,
        "SELECT DISTINCT a.id, a.canonical_url AS url, a.title, a.publisher,"
        " coalesce(a.published, a.fetched) AS published FROM mentions m JOIN articles a ON a.id = m.article_id"
        f" WHERE {where} ORDER BY published DESC NULLS LAST, a.id",
        params,
    )
    return [EntityArticle.model_validate(row) for row in rows]


def _ref(con: Session, entity_id: str) -> EntityRef:
    return EntityRef(id=entity_id, name=organisation_name(con, entity_id) or entity_id)


def merge_preview(con: Session, keep_id: str, merged_id: str) -> MergePreview:
    """What record_merge(keep_id, merged_id) would move, without moving anything."""
    aliases = [r[0] for r in con.execute(_MOVING_ALIASES + " ORDER BY a.alias", [merged_id, keep_id]).fetchall()]
    mentions = con.execute("SELECT count(*) FROM mentions WHERE entity_id = ?", [merged_id]).fetchone()[0]
    claims = fetch_dicts(
        con,
        "SELECT c.id, c.type, c.polarity, c.modality, coalesce(s.name, c.subject_id) AS subject,"
        " coalesce(o.name, c.object_text) AS object, c.evidence FROM claims c"
        " LEFT JOIN entities s ON s.id = c.subject_id LEFT JOIN entities o ON o.id = c.object_id"
        " WHERE c.subject_id = ? OR c.object_id = ? ORDER BY c.type, c.evidence, c.id",
        [merged_id, merged_id],
    )
    ties = con.execute("SELECT count(*) FROM ties WHERE organisation_id = ?", [merged_id]).fetchone()[0]
    retired = con.execute("SELECT revision, status FROM profiles WHERE entity_id = ? AND status IN"
                          " ('draft', 'approved') ORDER BY revision", [merged_id]).fetchall()
    return MergePreview(
        kept=_ref(con, keep_id), merged=_ref(con, merged_id), aliases=aliases, mentions=mentions,
        articles=_articles_of_mentions(con, "m.entity_id = ?", [merged_id]),
        claims=[MovingClaim.model_validate(row) for row in claims], ties=ties,
        retired=[RevisionState(revision=r, status=s) for r, s in retired])


def split_preview(con: Session, entity_id: str, alias: str, alias_key: str, new_id: str,
                  texts: Sequence[str]) -> SplitPreview:
    """What record_split(entity_id, alias, alias_key, new_id, texts) would move, without moving anything."""
    aliases = [r[0] for r in con.execute(_MOVING_ALIASES + " AND a.alias_key = ? ORDER BY a.alias",
                                         [entity_id, new_id, alias_key]).fetchall()]
    where, params = "m.entity_id = ? AND m.text IN (SELECT unnest(?))", [entity_id, list(texts)]
    mentions = con.execute(f"SELECT count(*) FROM mentions m WHERE {where}", params).fetchone()[0]
    return SplitPreview(entity=_ref(con, entity_id), alias=alias, new_id=new_id,
                        new_exists=organisation_name(con, new_id) is not None, aliases=aliases, mentions=mentions,
                        articles=_articles_of_mentions(con, where, params))


def splits_off(con: Session, entity_id: str) -> list[SplitOff]:
    """The splits off `entity_id` in force, oldest first: each alias and the organisation it names now."""
    rows = con.execute("SELECT other FROM judgements WHERE kind = 'split' AND entity_id = ? AND superseded_by IS NULL"
                       " ORDER BY created_at, id", [entity_id]).fetchall()
    return [SplitOff(alias=alias, new_id=organisation_id(alias)) for (alias,) in rows]
