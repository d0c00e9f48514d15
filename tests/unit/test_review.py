"""Revisions as values (overrides, diffs) and the queue's order, without a warehouse."""

from datetime import UTC, datetime, timedelta

import pytest

from dossier.profiles.refresh import apply_overrides, diff_revisions
from dossier.records.profiles import Profile, Revision, content_hash
from dossier.records.review import QueueRow
from dossier.review.accounts import role_allows
from dossier.review.queue import order_queue, priority
from dossier.review.revisions import DIFF_FIELDS, EDITABLE_FIELDS, EditError, check_edit

NOW = datetime(2026, 1, 31, tzinfo=UTC)


def point(text):
    return {"text": text, "type": "partnership", "polarity": "affirmed", "modality": "asserted", "independent_sources": 1,
            "evidence": {"sentence": text, "url": "https://wire.example/1", "title": "t", "publisher": "wire.example"}}


def draft(**fields):
    base = {"entity_id": "e-quay", "name": "Quayside Robotics", "type": "unknown", "aliases": ["Quayside"],
            "confidence": 0.6, "grade": "B/C", "grade_label": "Medium", "key_points": [point("Quayside: partnership with Marrowgate")],
            "source_count": 1, "independent_source_count": 1}
    base.update(fields)
    return Profile.model_validate(base).with_hash()


def test_overrides_replace_fields_are_recorded_and_change_the_hash():
    d = draft()
    out = apply_overrides(d, {"type": "robot maker", "grade": "A"})
    assert out.type == "robot maker" and out.grade == "B/C"  # grade is computed, never overridden
    assert out.overrides == {"type": "robot maker"}
    assert out.content_hash != d.content_hash == content_hash(d)
    assert apply_overrides(d, {}) is d
    assert apply_overrides(d, {"type": "robot maker"}).content_hash == out.content_hash  # stable
    # The overrides themselves are outside the hash: only the values they set count.
    assert content_hash(out.model_copy(update={"overrides": None})) == out.content_hash


def test_a_diff_names_changed_scalars_and_added_or_removed_items():
    approved = draft()
    new = draft(confidence=0.7, source_count=2, key_points=[point("Quayside: partnership with Marrowgate"),
                                                            point("Quayside: facility in Columbus")])
    diff = diff_revisions(approved, new)
    assert diff == {"confidence": {"approved": 0.6, "draft": 0.7}, "source_count": {"approved": 1, "draft": 2},
                    "key_points": {"added": [point("Quayside: facility in Columbus")], "removed": []}}
    assert diff_revisions(approved, draft(confidence=0.60001)) == {}
    # Stored rows carry JSON text; read back as a revision, it compares as the parsed value.
    stored = Revision.from_row({**approved.to_row(), "revision": 1, "status": "approved"})
    assert stored.key_points == approved.key_points and diff_revisions(stored, approved) == {}


def test_field_roles_are_read_from_the_record():
    """The lists the review desk and the store used to spell out, now derived from `Meta`."""
    assert EDITABLE_FIELDS == ("name", "type", "category", "region", "base", "primary_domain", "topic", "impact",
                               "operational_criticality", "time_horizon")
    assert DIFF_FIELDS == ("name", "aliases", "type", "category", "region", "base", "primary_domain", "topic", "impact",
                           "operational_criticality", "time_horizon", "confidence", "grade", "source_count",
                           "independent_source_count", "key_points", "what_to_watch", "relationships", "places", "evidence")
    assert set(Profile.fields_where(json=True)) == {"score_components", "key_points", "what_happened", "what_to_watch",
                                                    "relationships", "places", "evidence", "overrides", "diff"}
    stored = Profile.fields_where(stored=True)
    assert set(stored) - set(Profile.fields_where(hashed=True)) == {"content_hash", "overrides", "diff", "approved_revision"}
    assert set(Profile.model_fields) - set(stored) == {"known_id", "ticker", "isin", "wikipedia_url"}  # joined, not stored


def test_a_profile_survives_its_row_and_keeps_its_hash():
    d = apply_overrides(draft(first_seen=NOW, last_seen=NOW), {"type": "robot maker"})
    row = d.to_row()
    assert isinstance(row["key_points"], str) and row["overrides"] == '{"type": "robot maker"}'
    back = Profile.from_row(row)
    assert back == d and content_hash(back) == d.content_hash
    assert back["type"] == back.type == "robot maker" and back.key_points[0]["text"] == back.key_points[0].text


def test_parts_stored_by_earlier_versions_read_back_as_stored():
    legacy = {"sentence": "s", "url": "https://x.example/", "type": "supply", "polarity": "affirmed", "modality": "asserted"}
    p = draft(evidence=[legacy])
    assert p.evidence[0].copies == 1 and p.evidence[0].claims == ()
    assert p.plain("evidence") == [legacy]  # no keys invented on the way back out


def test_only_descriptive_fields_can_be_edited():
    check_edit("type")
    with pytest.raises(EditError, match="cannot be edited"):
        check_edit("confidence")


def test_queue_order_is_impact_times_uncertainty_times_recency():
    fresh = NOW - timedelta(days=1)
    rows = [
        queue_row("a", impact="low", confidence=0.3, last_seen=fresh),
        queue_row("b", impact="high", confidence=0.3, last_seen=fresh),
        queue_row("c", impact="high", confidence=0.9, last_seen=fresh),
        queue_row("d", impact="high", confidence=0.3, last_seen=NOW - timedelta(days=28)),
    ]
    ranked = order_queue(rows, NOW)
    assert [r.entity_id for r in ranked] == ["b", "a", "d", "c"]  # a 0.20, d 0.175, c 0.095
    assert ranked[0].name == "B" and ranked[0].priority == priority(rows[1], NOW).priority
    p = priority(rows[3], NOW)
    assert p.recency == pytest.approx(0.25) and p.priority == pytest.approx(1.0 * 0.7 * 0.25)
    assert priority(queue_row("e", impact=None, confidence=1.0), NOW).model_dump() == {
        "impact_weight": 0.3, "uncertainty": 0.05, "recency": 0.1, "priority": pytest.approx(0.0015)}


def queue_row(entity_id: str, **fields: object) -> QueueRow:
    """A queue candidate with the given fields (the rest plausible defaults)."""
    values = {"entity_id": entity_id, "revision": 1, "status": "draft", "name": entity_id.upper(), "grade": "C/D",
              "grade_label": "Weak–medium", "confidence": 0.5, "source_count": 1, "independent_source_count": 1}
    return QueueRow.model_validate(values | fields)


def test_roles_are_ordered():
    assert role_allows("admin", "reviewer") and role_allows("reviewer", "viewer")
    assert not role_allows("viewer", "reviewer") and not role_allows("nobody", "viewer")


def test_refresh_slices_are_bounded_by_mentions_and_keep_every_organisation_in_order():
    from dossier.profiles.refresh import evidence_slices

    mentions = {"a": 3, "b": 4, "c": 10, "d": 1, "e": 2}
    parts = list(evidence_slices(["a", "b", "c", "d", "e", "f"], mentions, budget=7))
    assert parts == [["a", "b"], ["c"], ["d", "e", "f"]]  # c is over budget alone; f (no mentions) weighs 1
    assert [i for p in parts for i in p] == ["a", "b", "c", "d", "e", "f"]
    assert list(evidence_slices([], mentions, budget=7)) == []
    assert list(evidence_slices(["a", "b"], mentions, budget=1)) == [["a"], ["b"]]
