"""The summary of one ingestion run: what the CLI prints, `runs` stores and Prefect shows."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel

from dossier.records import Failure


class RunSummary(BaseModel):
    run_id: str
    started_at: datetime
    finished_at: datetime
    status: str = "completed"
    warehouse_path: str
    feeds_polled: int = 0
    feeds_not_modified: int = 0
    feeds_failed: int = 0
    articles_new: int = 0
    articles_updated: int = 0
    articles_unchanged: int = 0
    articles_failed: int = 0
    organisations: int = 0
    organisations_touched: int = 0
    claims: int = 0
    drafts_created: int = 0
    drafts_updated: int = 0
    drafts: int = 0
    durations: dict[str, float] = {}
    failures: list[Failure] = []
    warnings: list[str] = []

    @property
    def duration_s(self) -> float:
        return round((self.finished_at - self.started_at).total_seconds(), 3)

    def counts(self) -> dict[str, int]:
        fields = ("feeds_polled", "feeds_not_modified", "feeds_failed", "articles_new", "articles_updated",
                  "articles_unchanged", "articles_failed", "organisations", "organisations_touched", "claims",
                  "drafts_created", "drafts_updated", "drafts")
        return {f: getattr(self, f) for f in fields}

    def to_row(self) -> dict[str, Any]:
        """The `runs` row of this summary."""
        return {
            "finished_at": self.finished_at, "status": self.status, "duration_s": self.duration_s,
            "counts": self.counts(), "durations": self.durations,
            "failures": [f.model_dump() for f in self.failures], "warnings": self.warnings,
        }

    def to_markdown(self) -> str:
        """The Prefect artifact of the run."""
        lines = [
            f"# dossier run {self.run_id}", "",
            f"{self.status} in {self.duration_s:.1f} s · warehouse `{self.warehouse_path}`", "",
            "| measure | count |", "|---|---|",
            *(f"| {name.replace('_', ' ')} | {value} |" for name, value in self.counts().items()),
        ]
        if self.durations:
            lines += ["", "| stage | seconds |", "|---|---|", *(f"| {k} | {v:.2f} |" for k, v in self.durations.items())]
        if self.failures:
            lines += ["", "## Failures", "", "| stage | item | reason |", "|---|---|---|",
                      *(f"| {f.stage} | {f.item} | {f.reason} |" for f in self.failures)]
        if self.warnings:
            lines += ["", "## Warnings", "", *(f"- {w}" for w in self.warnings)]
        return "\n".join(lines) + "\n"
