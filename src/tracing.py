"""Run tracing: which run and stage the work under way belongs to, how long each stage
takes, and structured (JSON lines) logs that carry both.

The run id and stage live in context variables, so every log record made while a stage
runs is labelled with them, in worker threads too (Prefect's thread pool copies the context).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, TextIO

_run_id: ContextVar[str | None] = ContextVar("dossier_run_id", default=None)
_stage: ContextVar[str | None] = ContextVar("dossier_stage", default=None)

# Attributes every LogRecord has; anything else was passed as `extra=` and goes into the JSON.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime", "run_id", "stage"}


@contextmanager
def run_context(run_id: str) -> Iterator[None]:
    """Label log records made inside with this run id."""
    token = _run_id.set(run_id)
    try:
        yield
    finally:
        _run_id.reset(token)


@contextmanager
def stage_context(stage: str) -> Iterator[None]:
    """Label log records made inside with this stage."""
    token = _stage.set(stage)
    try:
        yield
    finally:
        _stage.reset(token)


class Stopwatch:
    """Seconds spent per stage, exclusive of nested stages (a scoring step timed inside
    assembly counts as scoring only), so the figures add up to the work done."""

    def __init__(self) -> None:
        self.durations: dict[str, float] = {}
        self._children: list[float] = []

    @contextmanager
    def time(self, stage: str) -> Iterator[None]:
        """Time the block as `stage` and label its log records with it."""
        self._children.append(0.0)
        started = time.perf_counter()
        try:
            with stage_context(stage):
                yield
        finally:
            elapsed = time.perf_counter() - started
            nested = self._children.pop()
            self.durations[stage] = self.durations.get(stage, 0.0) + elapsed - nested
            if self._children:
                self._children[-1] += elapsed

    def merge(self, durations: dict[str, float]) -> None:
        """Add another stopwatch's figures (from a batch) to these."""
        for stage, seconds in durations.items():
            self.durations[stage] = self.durations.get(stage, 0.0) + seconds


class ContextFilter(logging.Filter):
    """Adds `run_id` and `stage` to every record (a stage given with `extra=` is kept)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "run_id"):
            record.run_id = _run_id.get()
        if not hasattr(record, "stage"):
            record.stage = _stage.get()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per record: time, level, logger, message, run id, stage, extras, exception."""

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "run_id": getattr(record, "run_id", None),
            "stage": getattr(record, "stage", None),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                out[key] = value
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str, ensure_ascii=False)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [run %(run_id)s, %(stage)s] %(message)s"


def configure_logging(log_format: str = "text", level: str = "WARNING", stream: TextIO | None = None) -> logging.Handler:
    """Send dossier's log records to `stream` (stderr) as text or JSON lines; replaces an
    earlier handler set up here, so calling it twice does not double the output."""
    logger = logging.getLogger("dossier")
    for handler in list(logger.handlers):
        if getattr(handler, "_dossier", False):
            logger.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler._dossier = True  # type: ignore[attr-defined]
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = False
    return handler


def remove_logging(handler: logging.Handler) -> None:
    """Undo `configure_logging`: detach its handler and let records propagate again."""
    logger = logging.getLogger("dossier")
    logger.removeHandler(handler)
    if not any(getattr(h, "_dossier", False) for h in logger.handlers):
        logger.propagate = True
