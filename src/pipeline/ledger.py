"""The ledger of one run: what each stage did, how long it took, and what is left for later stages.

The flow hands every batch's outcome to the ledger and the ledger alone turns them into the
run summary (counts per stage, failures, skipped items, warnings, durations), so the figures
in the run report, the `runs` row and the Prefect artifact are made in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from dossier.pipeline.alerts import AlertOutcome
from dossier.pipeline.analyse import AnalyseOutcome
from dossier.pipeline.fetch import FetchOutcome
from dossier.pipeline.plan import FeedConfig, FetchJob, PlanOutcome
from dossier.pipeline.summary import RunSummary
from dossier.pipeline.write import Row, WriteOutcome
from dossier.records import Failure, FeedPoll
from dossier.tracing import Stopwatch

Progress = Callable[[str, int, int], None]  # (stage, done, total)


class Ledger:
    """Counts, failures and durations of one run, added batch by batch; `close` makes the summary.

    Durations are measured inside the stage functions (so they exclude Prefect's overhead and a
    benchmark calling the stages directly gets the same figures) and summed over batches here."""

    def __init__(self, summary: RunSummary, progress: Progress) -> None:
        self.summary = summary
        self.watch = Stopwatch()
        self.affected: set[str] = set()   # organisations whose evidence the run changed
        self.unreached: set[str] = set()  # feeds with entries the run budget did not reach
        self._progress = progress
        self._done = 0
        self._total = 0
        self._reprocess_done = 0
        self._reprocess_total = 0

    def record_plan(
        self, feeds: Sequence[FeedConfig], backed_off: Sequence[Failure], polls: Sequence[FeedPoll], plan: PlanOutcome
    ) -> None:
        """The feeds polled (or backed off, or skipped) and the entries planned for fetching."""
        for poll in polls:
            self.watch.merge(poll.durations)
        s = self.summary
        s.feeds_polled = sum(p.skipped is None for p in polls)
        s.feeds_not_modified = sum(p.not_modified for p in polls)
        s.feeds_failed = sum(p.error is not None for p in polls)
        s.feeds_skipped = sum(p.skipped is not None for p in polls)
        s.feeds_backed_off = len(backed_off)
        s.articles_unchanged = plan.unchanged
        s.failures.extend(Failure(stage="feed", item=p.feed_url, reason=p.error) for p in polls if p.error)
        s.skipped.extend([*backed_off, *(Failure(stage="robots", item=p.feed_url, reason=p.skipped)
                                         for p in polls if p.skipped)])
        s.warnings.extend(f"{p.feed_url}: {p.warning}" for p in polls if p.warning)
        s.count("feed_poll", feeds=len(feeds), backed_off=len(backed_off), polled=s.feeds_polled,
                not_modified=s.feeds_not_modified, failed=s.feeds_failed, skipped=s.feeds_skipped)
        s.count("feed_parse", entries=sum(len(p.entries) for p in polls), unchanged=plan.unchanged,
                repeated=plan.repeated, to_fetch=len(plan.jobs))
        self._total = len(plan.jobs)

    def start_articles(self) -> None:
        """Report the articles' progress at zero, before the first chunk is fetched."""
        self._progress("articles", self._done, self._total)

    def record_batch(
        self, chunk: Sequence[FetchJob], fetched: FetchOutcome, nlp: AnalyseOutcome, failed: Sequence[Row],
        written: WriteOutcome,
    ) -> None:
        """One chunk fetched, analysed and written: its counts, failures and durations, and its progress."""
        jobs_by_link = {job.entry.link: job for job in chunk}
        self.unreached.update(jobs_by_link[f.item].entry.feed_url for f in fetched.skipped if f.stage == "budget")
        for part in (fetched.durations, nlp.durations, written.durations):
            self.watch.merge(part)
        self.affected |= written.affected_entities
        failures = [*fetched.failures, *nlp.failures]
        fetch_failed = sum(f.stage == "fetch" for f in fetched.failures)
        s = self.summary
        s.count("fetch", requested=len(chunk) - len(fetched.skipped), not_modified=fetched.not_modified,
                failed=fetch_failed, skipped=len(fetched.skipped))
        limited = [a.fetched for a in nlp.analysed if a.fetched.limited_reason is not None]
        s.count("text", extracted=len(fetched.articles), unchanged=fetched.unchanged - fetched.not_modified,
                failed=len(fetched.failures) - fetch_failed, warned=len(fetched.warnings),
                **({"limited": len(limited)} if limited else {}))
        s.count("nlp", analysed=len(nlp.analysed), failed=len(nlp.failures),
                **({"dask_batches": 1} if nlp.dask_worker else {}))
        s.count("write", **{"failure_rows": len(failed), **written.written})
        s.articles_new += sum(a.fetched.is_new for a in nlp.analysed)
        s.articles_updated += sum(not a.fetched.is_new for a in nlp.analysed)
        s.articles_unchanged += fetched.unchanged
        s.articles_failed += len(failures)
        s.articles_skipped += len(fetched.skipped)
        s.failures.extend(failures)
        s.skipped.extend(fetched.skipped)
        s.warnings.extend(fetched.warnings)
        s.articles_limited += len(limited)
        s.warnings.extend(f"{a.job.entry.link}: access-limited: {a.limited_reason}" for a in limited)
        self._done += len(chunk)
        self._progress("articles", self._done, self._total)

    def start_reprocess(self, selected: int, stale: int) -> None:
        """Stored texts about to be analysed again (`selected` of the `stale` ones), progress at zero."""
        self.summary.count("reprocess", stale=stale, selected=selected)
        self._reprocess_done, self._reprocess_total = 0, selected
        self._progress("reprocess", 0, selected)

    def record_reprocess(self, selected: int, nlp: AnalyseOutcome, written: WriteOutcome) -> None:
        """One batch of stored texts analysed again and written: its counts, failures, durations and progress."""
        for part in (nlp.durations, written.durations):
            self.watch.merge(part)
        self.affected |= written.affected_entities
        s = self.summary
        s.count("reprocess", analysed=len(nlp.analysed), missing=selected - len(nlp.analysed) - len(nlp.failures))
        s.count("nlp", analysed=len(nlp.analysed), failed=len(nlp.failures),
                **({"dask_batches": 1} if nlp.dask_worker else {}))
        s.count("write", **written.written)
        s.articles_reprocessed += len(nlp.analysed)
        s.articles_failed += len(nlp.failures)
        s.failures.extend(nlp.failures)
        self._reprocess_done += selected
        self._progress("reprocess", self._reprocess_done, self._reprocess_total)

    def record_stale(self, stale: int) -> None:
        """Stored texts still stamped with another models version as the run ends."""
        self.summary.articles_stale = stale

    def record_refresh(self, drafts: dict[str, int], durations: dict[str, float]) -> None:
        """The drafts the refresh created and updated, over the organisations the run touched."""
        self.watch.merge(durations)
        s = self.summary
        s.organisations_touched = len(self.affected)
        s.drafts_created, s.drafts_updated = drafts["created"], drafts["updated"]
        s.count("assembly", organisations=len(self.affected), **{f"drafts_{k}": v for k, v in drafts.items()})

    def record_alerts(self, outcome: AlertOutcome) -> None:
        """The alerts the run raised over its changes, and what their delivery did."""
        self.watch.merge(outcome.durations)
        s = self.summary
        s.alerts = [a.summary for a in outcome.raised]
        delivery = outcome.delivery
        s.count("alerts", raised=len(outcome.raised), delivered=delivery.delivered, failed=delivery.failed)
        s.warnings.extend(f"alerts not delivered: {error}" for error in delivery.errors)

    def close(self) -> RunSummary:
        """The summary as the run ends (warehouse totals are added when the run record is closed).

        A run in which every feed it polled failed did nothing: it is recorded `failed`, so the run
        row, the report and a scheduler say so (docs/RELIABILITY.md), not `completed`."""
        s = self.summary
        if s.feeds_polled and s.feeds_failed == s.feeds_polled:
            s.status = "failed"
        self.summary.durations = {k: round(v, 4) for k, v in self.watch.durations.items()}
        self.summary.finished_at = datetime.now(UTC)
        return self.summary
