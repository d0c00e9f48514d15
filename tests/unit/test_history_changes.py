"""The history's before/after as field lines: what differs, in words, never raw JSON."""

from __future__ import annotations

import json

from dossier.review.history import ABSENT, VALUE_CHARS, ChangeLine, HistoryFilters, event_changes


def lines(before: object, after: object) -> list[tuple[str, str, str]]:
    dump = lambda v: None if v is None else json.dumps(v)  # noqa: E731 - as the log stores them
    return [(c.field, c.old, c.new) for c in event_changes(dump(before), dump(after))]


def test_an_approval_is_compared_with_the_draft_it_approved():
    draft = {"revision": 3, "status": "draft", "content_hash": "h", "confidence": 0.61, "grade": "B/C"}
    after = {**draft, "status": "approved", "superseded": 2}
    assert lines({"draft": draft, "approved": {**draft, "revision": 2, "status": "approved"}}, after) == [
        ("status", "draft", "approved"), ("superseded", ABSENT, "2")]


def test_an_edit_lines_up_the_old_value_with_the_override():
    assert lines({"type": None, "region": "Asia"}, {"overrides": {"type": "robot maker", "region": "Europe"},
                                                    "draft_revision": 2}) == [
        ("type", ABSENT, "robot maker"), ("region", "Asia", "Europe"), ("draft_revision", ABSENT, "2")]


def test_nested_values_are_dotted_lists_joined_and_revisions_named():
    before = {"merged": "abc", "merged_revisions": [{"revision": 1, "status": "draft"}, {"revision": 2, "status": "approved"}]}
    after = {"judgement": "j1", "kept": "k", "drafts": {"created": 0, "updated": 1}}
    assert lines(before, after) == [
        ("merged", "abc", ABSENT), ("merged_revisions", "revision 1 (draft), revision 2 (approved)", ABSENT),
        ("judgement", ABSENT, "j1"), ("kept", ABSENT, "k"), ("drafts.created", ABSENT, "0"),
        ("drafts.updated", ABSENT, "1")]


def test_unchanged_fields_are_left_out_and_long_values_cut():
    assert lines({"a": 1, "b": 2}, {"a": 1, "b": 3}) == [("b", "2", "3")]
    assert lines(None, None) == []
    [line] = event_changes(None, json.dumps({"evidence": "x" * 1000}))
    assert len(line.new) == VALUE_CHARS and line.new.endswith("…")
    assert event_changes("not json", None) == [ChangeLine("value", "not json", ABSENT)]


def test_filters_make_the_query_of_each_page():
    assert HistoryFilters().params(1) == {}
    assert HistoryFilters(reviewer="rita", organisation="fox").params(3) == {
        "reviewer": "rita", "organisation": "fox", "page": 3}
