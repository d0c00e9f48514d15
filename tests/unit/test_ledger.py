"""The run's ledger and context, without Prefect: the accounting the run report is made from."""

from datetime import UTC, datetime

from dossier.pipeline.analyse import AnalyseOutcome
from dossier.pipeline.context import RunContext
from dossier.pipeline.fetch import FetchOutcome
from dossier.pipeline.ledger import Ledger
from dossier.pipeline.plan import FeedConfig, FetchJob, PlanOutcome, polls_to_record
from dossier.pipeline.summary import RunSummary
from dossier.pipeline.write import WriteOutcome
from dossier.records import Failure, FeedEntry, FeedPoll
from dossier.settings import load_settings
from dossier.store.warehouse import Warehouse

FEED = "http://127.0.0.1:9/rss"


def job(n: int) -> FetchJob:
    return FetchJob(entry=FeedEntry(feed_url=FEED, key=str(n), link=f"http://127.0.0.1:9/{n}.html"),
                    publisher="example", reliability=0.6)


def test_the_ledger_adds_up_a_run_batch_by_batch():
    started = datetime.now(UTC)
    progress = []
    ledger = Ledger(RunSummary(run_id="r", started_at=started, finished_at=started, warehouse_path="w"),
                    lambda stage, done, total: progress.append((stage, done, total)))
    polls = [FeedPoll(feed_url=FEED, status=200, entries=(), durations={"feed_poll": 0.5}),
             FeedPoll(feed_url="http://127.0.0.1:9/bad", status=None, error="HTTP 500")]
    backed_off = [Failure(stage="feed", item="http://127.0.0.1:9/off", reason="backed off")]
    jobs = [job(1), job(2), job(3)]
    ledger.record_plan([FeedConfig(url=FEED)] * 3, backed_off, polls, PlanOutcome(jobs=jobs, unchanged=4))
    ledger.start_articles()
    skipped = Failure(stage="budget", item=jobs[2].entry.link, reason="run budget spent")
    fetched = FetchOutcome(failures=(Failure(stage="fetch", item=jobs[1].entry.link, reason="HTTP 404"),),
                           skipped=(skipped,), unchanged=1, not_modified=1, durations={"fetch": 1.0})
    written = WriteOutcome(affected_entities={"e1"}, written={"articles": 0}, durations={"write": 0.25})
    ledger.record_batch(jobs, fetched, AnalyseOutcome(durations={"nlp": 2.0}), [{"id": "x"}], written)
    ledger.record_refresh({"created": 1, "updated": 0, "unchanged": 0}, {"assembly": 0.125})
    summary = ledger.close()

    assert progress == [("articles", 0, 3), ("articles", 3, 3)]
    assert ledger.unreached == {FEED} and ledger.affected == {"e1"}
    assert (summary.feeds_polled, summary.feeds_failed, summary.feeds_backed_off) == (2, 1, 1)
    assert (summary.articles_unchanged, summary.articles_failed, summary.articles_skipped) == (5, 1, 1)
    assert (summary.organisations_touched, summary.drafts_created) == (1, 1)
    assert [f.stage for f in summary.failures] == ["feed", "fetch"]
    assert [f.stage for f in summary.skipped] == ["feed", "budget"]
    assert summary.stage_counts["fetch"] == {"requested": 2, "not_modified": 1, "failed": 1, "skipped": 1}
    assert summary.stage_counts["write"] == {"failure_rows": 1, "articles": 0}
    assert summary.durations == {"feed_poll": 0.5, "fetch": 1.0, "nlp": 2.0, "write": 0.25, "assembly": 0.125}


def test_a_feed_the_budget_did_not_reach_keeps_its_old_validators():
    feeds = [FeedConfig(url=FEED, etag="old"), FeedConfig(url="http://127.0.0.1:9/other", etag="old")]
    polls = [FeedPoll(feed_url=f.url, status=200, etag="new") for f in feeds]
    assert [p.etag for p in polls_to_record(feeds, polls, {FEED})] == ["old", "new"]


def test_a_run_context_is_built_from_the_settings_it_is_given(tmp_path):
    settings = load_settings(warehouse_path=tmp_path / "w.duckdb", host_delay=3.0)
    ctx = RunContext.start(settings, Warehouse(tmp_path / "w.duckdb"), host_delay=0.0)
    assert ctx.settings is settings and len(ctx.run_id) == 12 and ctx.throttle.delay == 0.0
    assert ctx.ledger.summary.run_id == ctx.run_id and ctx.ledger.summary.started_at == ctx.started_at
    assert ctx.ledger.summary.warehouse_path == str(tmp_path / "w.duckdb")
