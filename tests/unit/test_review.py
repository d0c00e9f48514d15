"""Revisions as values (overrides, diffs) and the queue's order, without a warehouse."""

from datetime import UTC, datetime, timedelta

import pytest

from dossier.review.accounts import role_allows
from dossier.review.queue import order_queue, priority
from dossier.review.revisions import EditError, apply_overrides, check_edit, content_hash, diff_revisions

NOW = datetime(2026, 1, 31, tzinfo=UTC)


def draft(**fields):
    base = {"name": "Quayside Robotics", "type": "unknown", "aliases": ["Quayside"], "confidence": 0.6, "grade": "B/C",
            "key_points": [{"text": "Quayside: partnership with Marrowgate"}], "source_count": 1, "content_hash": "x"}
    base.update(fields)
    base["content_hash"] = content_hash(base)
    return base


def test_overrides_replace_fields_are_recorded_and_change_the_hash():
    d = draft()
    out = apply_overrides(d, {"type": "robot maker", "grade": "A"})
    assert out["type"] == "robot maker" and out["grade"] == "B/C"  # grade is computed, never overridden
    assert out["overrides"] == {"type": "robot maker"}
    assert out["content_hash"] != d["content_hash"]
    assert apply_overrides(d, {}) is d
    assert apply_overrides(d, {"type": "robot maker"})["content_hash"] == out["content_hash"]  # stable


def test_a_diff_names_changed_scalars_and_added_or_removed_items():
    approved = draft()
    new = draft(confidence=0.7, source_count=2, key_points=[{"text": "Quayside: partnership with Marrowgate"},
                                                            {"text": "Quayside: facility in Columbus"}])
    diff = diff_revisions(approved, new)
    assert diff == {"confidence": {"approved": 0.6, "draft": 0.7}, "source_count": {"approved": 1, "draft": 2},
                    "key_points": {"added": [{"text": "Quayside: facility in Columbus"}], "removed": []}}
    assert diff_revisions(approved, draft(confidence=0.60001)) == {}
    # Stored rows carry JSON text; it compares as the parsed value.
    assert diff_revisions({**approved, "key_points": '[{"text": "Quayside: partnership with Marrowgate"}]'}, approved) == {}


def test_only_descriptive_fields_can_be_edited():
    check_edit("type")
    with pytest.raises(EditError, match="cannot be edited"):
        check_edit("confidence")


def test_queue_order_is_impact_times_uncertainty_times_recency():
    fresh = NOW - timedelta(days=1)
    rows = [
        {"entity_id": "a", "name": "A", "impact": "low", "confidence": 0.3, "last_seen": fresh},
        {"entity_id": "b", "name": "B", "impact": "high", "confidence": 0.3, "last_seen": fresh},
        {"entity_id": "c", "name": "C", "impact": "high", "confidence": 0.9, "last_seen": fresh},
        {"entity_id": "d", "name": "D", "impact": "high", "confidence": 0.3, "last_seen": NOW - timedelta(days=28)},
    ]
    assert [r["entity_id"] for r in order_queue(rows, NOW)] == ["b", "a", "d", "c"]  # a 0.20, d 0.175, c 0.095
    p = priority(rows[3], NOW)
    assert p["recency"] == pytest.approx(0.25) and p["priority"] == pytest.approx(1.0 * 0.7 * 0.25)
    assert priority({"impact": None, "confidence": 1.0}, NOW) == {
        "impact_weight": 0.3, "uncertainty": 0.05, "recency": 0.1, "priority": pytest.approx(0.0015)}


def test_roles_are_ordered():
    assert role_allows("admin", "reviewer") and role_allows("reviewer", "viewer")
    assert not role_allows("viewer", "reviewer") and not role_allows("nobody", "viewer")


def test_refresh_slices_are_bounded_by_mentions_and_keep_every_organisation_in_order():
    from dossier.review.drafts import evidence_slices

    mentions = {"a": 3, "b": 4, "c": 10, "d": 1, "e": 2}
    parts = list(evidence_slices(["a", "b", "c", "d", "e", "f"], mentions, budget=7))
    assert parts == [["a", "b"], ["c"], ["d", "e", "f"]]  # c is over budget alone; f (no mentions) weighs 1
    assert [i for p in parts for i in p] == ["a", "b", "c", "d", "e", "f"]
    assert list(evidence_slices([], mentions, budget=7)) == []
    assert list(evidence_slices(["a", "b"], mentions, budget=1)) == [["a"], ["b"]]
