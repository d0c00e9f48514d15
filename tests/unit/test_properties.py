"""Property-based tests (hypothesis) of the small functions everything else trusts:
name canonicalisation, id hashing, grade banding and upsert idempotency."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dossier.extract.aliases import same_name
from dossier.ids import canonical_json, canonical_name, hash_text, make_id, name_key
from dossier.scoring.grades import GRADE_TABLE, grade_for
from dossier.store.warehouse import Warehouse, upsert

# Organisation-like names: words, legal suffixes, "the", possessives, punctuation, any script.
words = st.sampled_from(["Kestrel", "Hon", "Hai", "Precision", "Group", "Inc", "Inc.", "Ltd", "plc", "AG",
                         "Corp.", "the", "The", "S.A.", "GmbH", "&", "Co", "Holdings", "Société", "Générale",
                         "'s", "’s", "-", ",", "(", ")", "株式会社", "Ørsted", "A/S", "OpenAI", "Foxconn"])
names = st.lists(words | st.text(min_size=1, max_size=8), min_size=1, max_size=6).map(" ".join)
parts = st.one_of(st.none(), st.text(max_size=12), st.integers(), st.floats(allow_nan=False))


@given(names)
def test_canonical_name_is_a_fixed_point(name):
    once = canonical_name(name)
    assert canonical_name(once) == once


@given(names)
def test_name_key_is_stable_and_agrees_with_same_name(name):
    key = name_key(name)
    assert name_key(name) == key
    assert key == key.strip() and "  " not in key
    if key:
        assert same_name(name, canonical_name(name))


@given(st.lists(parts, max_size=5), st.lists(parts, max_size=5))
@example(["a\x1fb"], ["a", "b"])  # a part holding the separator
@example([None], ["\x00"])  # a missing part and a NUL character
@example(["\x1e", "\x1f"], ["\x1e\x1f"])
def test_make_id_is_deterministic_and_tells_part_lists_apart(a, b):
    assert make_id(*a) == make_id(*a)
    assert len(make_id(*a)) == 16
    if [None if p is None else str(p) for p in a] != [None if p is None else str(p) for p in b]:
        assert make_id(*a) != make_id(*b)


@given(st.text(), st.text(alphabet=" \t\n", min_size=1))
def test_hash_text_ignores_whitespace_layout_only(text, space):
    assert hash_text(text) == hash_text(space + text.replace(" ", space) + space)
    assert hash_text(text + "x") != hash_text(text)


@given(st.dictionaries(st.text(max_size=5), st.integers() | st.text(max_size=5), max_size=6))
def test_canonical_json_ignores_key_order(value):
    assert canonical_json(value) == canonical_json(dict(reversed(list(value.items()))))


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
def test_grades_are_monotonic_and_from_the_table(a, b):
    order = [(grade, label) for _, grade, label in reversed(GRADE_TABLE)]
    low, high = sorted((a, b))
    assert order.index(grade_for(low)) <= order.index(grade_for(high))
    assert grade_for(a) in order


@given(st.floats(allow_nan=False).filter(lambda x: not 0 <= x <= 1))
def test_scores_outside_the_unit_interval_are_refused(score):
    try:
        grade_for(score)
    except ValueError:
        return
    raise AssertionError(f"{score} was graded")


entity_rows = st.lists(
    st.fixed_dictionaries({
        "id": st.sampled_from(["e1", "e2", "e3", "e4"]),
        "name": st.text(min_size=1, max_size=10),
        "kind": st.sampled_from(["organisation", "place"]),
        "country": st.none() | st.sampled_from(["US", "DE", "TW"]),
        "continent": st.none() | st.sampled_from(["Europe", "Asia"]),
        "day": st.integers(min_value=0, max_value=30),
    }), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(entity_rows)
def test_upsert_twice_changes_nothing_the_second_time(rows):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    batch = [{"id": r["id"], "name": r["name"], "kind": r["kind"], "country": r["country"],
              "continent": r["continent"], "first_seen": start + timedelta(days=r["day"]),
              "last_seen": start + timedelta(days=r["day"])} for r in rows]
    with tempfile.TemporaryDirectory() as tmp:
        warehouse = Warehouse(Path(tmp) / "w.duckdb")
        with warehouse.write() as con:
            upsert(con, "entities", batch, key=["id"])
            before = con.execute("SELECT * FROM entities ORDER BY id").fetchall()
            assert upsert(con, "entities", batch, key=["id"]) == 0
            assert con.execute("SELECT * FROM entities ORDER BY id").fetchall() == before
        assert len(before) == len({r["id"] for r in batch})
        con = duckdb.connect(str(warehouse.path), read_only=True)
        assert con.execute("SELECT count(*) FROM entities").fetchone()[0] == len(before)
        con.close()
