"""Every feed under ../shared/data/feeds (feedparser's ill-formed and encoding cases, and real
captured feeds), served from loopback and ingested in one run: the run completes and each
feed leaves a poll record. Skipped when ../shared is absent."""

from __future__ import annotations

import socket
import time

import duckdb

from dossier.flows.ingest import ingest_feeds
from dossier.ingest import scope
from tests.support.loopback import LoopbackSite, Route
from tests.support.settings import test_settings

TYPES = {".atom": "application/atom+xml", ".rss": "application/rss+xml", ".rdf": "application/rdf+xml",
         ".json": "application/feed+json", ".opml": "text/x-opml"}


def offline_resolver(host: str, port: int) -> list[str]:
    """The entries link to real publishers; this machine has no route there, so no name
    resolves: fail at once instead of waiting on a resolver that cannot answer."""
    raise socket.gaierror(socket.EAI_NONAME, f"{host}: not resolved in tests")


def test_every_shared_feed_is_ingested_or_recorded(shared_data, prefect_harness, tmp_path, monkeypatch):
    monkeypatch.setattr(scope, "resolve", offline_resolver)
    files = sorted(p for p in (shared_data / "feeds").rglob("*") if p.is_file() and p.name != "LICENSE")
    assert len(files) > 100
    with LoopbackSite() as site:
        urls = []
        for n, path in enumerate(files):
            route = f"/f/{n}/{path.name}"
            site.routes[route] = Route(body=path.read_bytes(), content_type=TYPES.get(path.suffix, "application/xml"))
            urls.append(site.url(route))
        warehouse = tmp_path / "dossier.duckdb"
        started = time.monotonic()
        summary = ingest_feeds(urls, test_settings(warehouse, read_timeout=2.0, article_chunk_size=256))
        elapsed = time.monotonic() - started
    assert summary.status == "completed"
    assert summary.feeds_polled == len(files)
    # Every feed is either parsed (with entries, or a warning) or failed with a reason.
    failed = {f.item: f.reason for f in summary.failures if f.stage == "feed"}
    assert all(reason for reason in failed.values())
    assert len(failed) < len(files) / 4, sorted(failed.items())[:10]
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        polled = con.execute("SELECT count(*) FROM feeds WHERE last_polled IS NOT NULL").fetchone()[0]
        stuck = con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchone()[0]
    finally:
        con.close()
    assert polled == len(files) and stuck == 0
    # Links to other hosts were refused or failed, each with a reason, never waited on.
    assert all(f.reason for f in summary.failures)
    assert elapsed < 600, elapsed
