"""The summary of one ingestion run: what the CLI prints, `runs` stores and Prefect shows."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from dossier.records import Failure
from dossier.records.warehouse import RunEnd

# Stages in pipeline order, with what their seconds cover (documented in warehouse/README.md).
STAGES = {
    "feed_poll": "conditional GET of the feeds (robots.txt included)",
    "feed_parse": "feedparser over the feed documents",
    "fetch": "article pages over HTTP (robots.txt, waits for the host's turn and retries included)",
    "text": "main-text extraction (trafilatura)",
    "nlp": "spaCy and dossier's components (model loading included the first time)",
    "assembly": "profile drafts from evidence, scoring excepted",
    "scoring": "claim and profile confidence, impact, criticality, time horizon",
    "write": "warehouse transactions (evidence rows, failures, drafts)",
    "alerts": "watchlists evaluated over the run's changes, alerts written and posted to the webhook",
}


class RunSummary(BaseModel):
    run_id: str
    started_at: datetime
    finished_at: datetime
    status: str = "completed"
    kind: str = "ingest"                 # ingest, or reprocess (stored texts analysed again)
    warehouse_path: str
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    feeds_skipped: int = 0
    feeds_backed_off: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_failed: int = 0
    articles_skipped: int = 0
    articles_limited: int = 0            # of the new and updated ones, pages that could not be read whole
    articles_reprocessed: int = 0        # stored texts analysed again (stamped with another models version)
    articles_stale: int = 0              # stored texts still stamped with another models version at the end
    organisations: int = 0
    organisations_touched: int = 0
    claims: int = 0
    drafts_created: int = 0
    drafts_updated: int = 0
    drafts: int = 0
    durations: dict[str, float] = {}
    stage_counts: dict[str, dict[str, int]] = {}
    failures: list[Failure] = []
    skipped: list[Failure] = []
    warnings: list[str] = []
    alerts: list[str] = []  # one line per alert the run raised (the alerts table holds them whole)

    @property
    def duration_s(self) -> float:
        return round((self.finished_at - self.started_at).total_seconds(), 3)

    def counts(self) -> dict[str, int]:
        fields = ("feeds_polled", "feeds_not_modified", "feeds_failed", "feeds_skipped", "feeds_backed_off",
                  "articles_new", "articles_updated", "articles_unchanged", "articles_failed", "articles_skipped",
                  "articles_limited", "articles_reprocessed", "articles_stale", "organisations", "organisations_touched", "claims", "drafts_created", "drafts_updated", "drafts")
        return {f: getattr(self, f) for f in fields}

    def count(self, stage: str, **counts: int) -> None:
        """Add to the counts of one stage."""
        bucket = self.stage_counts.setdefault(stage, {})
        for name, value in counts.items():
            bucket[name] = bucket.get(name, 0) + value

    def to_row(self) -> RunEnd:
        """The `runs` row of this summary."""
        return {
            "finished_at": self.finished_at, "status": self.status, "kind": self.kind, "duration_s": self.duration_s,
            "counts": self.counts(), "durations": self.durations, "stage_counts": self.stage_counts,
            "failures": [f.model_dump() for f in self.failures], "skipped": [f.model_dump() for f in self.skipped],
            "warnings": self.warnings,
        }

    def to_markdown(self) -> str:
        """The Prefect artifact of the run."""
        return render_markdown(self.run_id, self.status, self.duration_s, self.warehouse_path, self.counts(),
                               self.stage_counts, self.durations, self.failures, self.skipped, self.warnings,
                               alerts=self.alerts)


def format_counts(counts: dict[str, int]) -> str:
    """"failed 1, requested 2": a stage's counts in name order (as stored, in canonical JSON)."""
    return ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in sorted(counts.items()))


def _cell(text: object) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(
    run_id: str, status: str, duration_s: float | None, warehouse_path: str | None, counts: dict[str, int],
    stage_counts: dict[str, dict[str, int]], durations: dict[str, float], failures: list[Failure],
    skipped: list[Failure], warnings: list[str], alerts: list[str] | None = None,
) -> str:
    """A run report as Markdown (the Prefect artifact; `dossier runs show --markdown`)."""
    lines = [f"# dossier run {run_id}", "", f"{status} in {duration_s or 0:.1f} s"
             + (f" · warehouse `{warehouse_path}`" if warehouse_path else ""), ""]
    lines += ["| measure | count |", "|---|---|", *(f"| {name.replace('_', ' ')} | {value} |" for name, value in counts.items())]
    stages = [s for s in STAGES if s in durations or s in stage_counts]
    stages += [s for s in (*stage_counts, *durations) if s not in stages]
    if stages:
        lines += ["", "## Stages", "", "| stage | seconds | counts |", "|---|---|---|"]
        for stage in stages:
            seconds = f"{durations[stage]:.3f}" if stage in durations else ""
            tallies = format_counts(stage_counts.get(stage, {}))
            lines.append(f"| {stage} | {seconds} | {tallies} |")
    if failures:
        lines += ["", "## Failures", "", "| stage | item | reason |", "|---|---|---|",
                  *(f"| {f.stage} | {_cell(f.item)} | {_cell(f.reason)} |" for f in failures)]
    if skipped:
        lines += ["", "## Skipped", "", "| stage | item | reason |", "|---|---|---|",
                  *(f"| {f.stage} | {_cell(f.item)} | {_cell(f.reason)} |" for f in skipped)]
    if warnings:
        lines += ["", "## Warnings", "", *(f"- {w}" for w in warnings)]
    if alerts:
        lines += ["", "## Alerts", "", *(f"- {_cell(a)}" for a in alerts)]
    return "\n".join(lines) + "\n"
