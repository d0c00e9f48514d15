from datetime import UTC, datetime

from dossier.demo.server import demo_files
from dossier.ingest.dedupe import assign_clusters, buckets, signature
from dossier.ingest.text import extract_article
from dossier.records import Page
from dossier.scoring.confidence import (
    ClaimEvidence,
    ScoreInput,
    SourceEvidence,
    independent_source_count,
    score_profile,
)


def demo_text(slug: str) -> str:
    html = demo_files()[f"/articles/{slug}.html"].decode()
    url = f"http://127.0.0.1:9/articles/{slug}.html"
    return extract_article(Page(url=url, final_url=url, status=200, html=html, fetched_at=datetime.now(UTC))).text


def test_syndicated_copies_share_a_cluster_and_other_stories_do_not():
    wire, copy, other = (demo_text(s) for s in ("foxconn-openai-wire", "foxconn-openai-wire-northgate", "openai-foxconn-hardware"))
    first = assign_clusters([("a", signature(wire))], [])
    assert first == {"a": "a"}
    later = assign_clusters([("b", signature(copy)), ("c", signature(other))], [("a", "a", signature(wire))])
    assert later == {"b": "a", "c": "c"}  # the copy joins the wire story; the same news in other words does not


def test_copies_in_one_batch_join_the_first():
    wire, copy = demo_text("foxconn-openai-wire"), demo_text("foxconn-openai-wire-northgate")
    assert assign_clusters([("a", signature(wire)), ("b", signature(copy))], []) == {"a": "a", "b": "a"}


def source(article, publisher, cluster, day):
    return SourceEvidence(article, publisher, cluster, 0.7, datetime(2025, 11, day, tzinfo=UTC))


def claim(article, cluster, confidence, modality="asserted", ctype="partnership"):
    return ClaimEvidence(("foxconn", ctype, "openai"), "affirmed", modality, confidence, article, cluster)


def test_three_syndicated_copies_do_not_raise_confidence_a_second_publisher_does():
    now = datetime(2025, 11, 30, tzinfo=UTC)
    one = [source("a", "wire.example", "a", 1)]
    copies = one + [source("b", "paper-b.example", "a", 2), source("c", "paper-c.example", "a", 3)]
    independent = one + [source("d", "paper-d.example", "d", 2)]
    assert independent_source_count(copies) == 1
    assert independent_source_count(independent) == 2
    # The wire story carries a hedged claim and an asserted one; the copies, cut for length as
    # syndicated text often is, repeat only the asserted one. Counted per article, the copies
    # would outvote the hedge and lift extraction certainty: they are one story.
    first = [claim("a", "a", 0.6, "hedged"), claim("a", "a", 0.9, ctype="supply")]
    with_copies = first + [claim("b", "a", 0.9, ctype="supply"), claim("c", "a", 0.9, ctype="supply")]
    score = lambda sources, claims: score_profile(ScoreInput(sources=sources, claims=claims, now=now)).score
    assert score(copies, []) == score(one, [])
    assert score(copies, with_copies) == score(one, first)
    # The same claim in another publisher's own story is corroboration and counts.
    assert score(independent, first + [claim("d", "d", 0.9, ctype="supply")]) > score(one, first)


def test_copies_with_more_certain_claims_do_not_raise_confidence():
    """Copies whose claims read more certainly than the first report add nothing either: only
    the story's first report speaks for it."""
    now = datetime(2025, 11, 30, tzinfo=UTC)
    sources = [source("a", "wire.example", "a", 1), source("b", "paper-b.example", "a", 2)]
    first = [claim("a", "a", 0.6, "hedged")]
    copy = [claim("b", "a", 0.9, "asserted")]
    score = lambda claims: score_profile(ScoreInput(sources=sources, claims=claims, now=now)).score
    assert score(first + copy) == score(first)


def test_a_contradiction_needs_two_independent_stories():
    now = datetime(2025, 11, 30, tzinfo=UTC)
    negated = lambda article, cluster: ClaimEvidence(("foxconn", "partnership", "openai"), "negated", "asserted", 0.8, article, cluster)
    copies = [source("a", "wire.example", "a", 1), source("b", "paper-b.example", "a", 2)]
    edited_copy = ScoreInput(sources=copies, claims=[claim("a", "a", 0.8), negated("b", "a")], now=now)
    assert score_profile(edited_copy).contradicted == ()
    two_stories = ScoreInput(sources=[copies[0], source("d", "paper-d.example", "d", 2)],
                             claims=[claim("a", "a", 0.8), negated("d", "d")], now=now)
    assert score_profile(two_stories).contradicted == (("foxconn", "partnership", "openai"),)


def test_bands_are_the_ones_datasketch_chooses():
    from datasketch import MinHashLSH

    from dossier.ingest.dedupe import BANDS, NUM_PERM, ROWS, THRESHOLD

    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    assert (lsh.b, lsh.r) == (BANDS, ROWS)


def test_migration_fills_the_bucket_index_with_the_keys_python_computes(tmp_path):
    import duckdb

    from dossier.ingest.dedupe import buckets
    from dossier.store import warehouse as store

    con = duckdb.connect(str(tmp_path / "old.duckdb"))
    before = [m for m in store._migrations() if m[0] < 9]
    con.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL)")
    for number, name, sql in before:  # a warehouse as it was before the index existed
        con.execute(sql)
        con.execute("INSERT INTO schema_migrations VALUES (?, ?, now())", [number, name])
    texts = {"a": demo_text("foxconn-openai-wire"), "b": demo_text("openai-foxconn-hardware")}
    for aid, text in texts.items():
        con.execute("INSERT INTO articles (id, url, canonical_url, status, fetched, first_seen, last_seen, minhash)"
                    " VALUES (?, ?, ?, 'ok', now(), now(), now(), ?)", [aid, f"http://x.example/{aid}", f"http://x.example/{aid}", signature(text)])
    assert "009_near_duplicate_buckets.sql" in store.migrate(con)
    stored = {aid: sorted(b for (b,) in con.execute(
        "SELECT bucket FROM article_buckets WHERE article_id = ?", [aid]).fetchall()) for aid in texts}
    assert stored == {aid: sorted(buckets(signature(text))) for aid, text in texts.items()}


def test_candidates_come_from_the_bucket_index_only(tmp_path):
    from dossier.store import articles as article_store
    from dossier.store.warehouse import Warehouse

    wire, copy, other = (demo_text(s) for s in ("foxconn-openai-wire", "foxconn-openai-wire-northgate", "openai-foxconn-hardware"))
    with Warehouse(tmp_path / "w.duckdb").write() as con:
        for aid, text in (("a", wire), ("c", other)):
            con.execute("INSERT INTO articles (id, url, canonical_url, status, fetched, first_seen, last_seen, minhash)"
                        " VALUES (?, ?, ?, 'ok', now(), now(), now(), ?)", [aid, f"http://x.example/{aid}", f"http://x.example/{aid}", signature(text)])
        article_store.write_buckets(con, {"a": buckets(signature(wire)), "c": buckets(signature(other))})
        known = article_store.load_near_duplicate_candidates(con, buckets(signature(copy)), ["b"])
        assert [row[0] for row in known] == ["a"]  # the wire story, not the same news in other words
        assert assign_clusters([("b", signature(copy))], known) == {"b": "a"}
