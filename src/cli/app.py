"""The `dossier` command line: a thin layer over the library that turns typed errors into one line."""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import click
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.text import Text
from typer.core import TyperGroup

from dossier.cli.cards import render_card
from dossier.profiles.render import profile_view
from dossier.settings import Settings, load_settings


class DossierGroup(TyperGroup):
    """The `dossier` command group: every command runs inside `invoke`, so any DossierError (or
    the file system or warehouse refusing) ends as one line on standard error and its family's
    exit code (README, "Exit codes"), never as a traceback. Sub-groups run inside it too."""

    def invoke(self, ctx: click.Context) -> Any:
        import duckdb

        from dossier.errors import STORAGE_ERRNOS, DossierError, StorageError, is_disk_full, storage_error

        try:
            return super().invoke(ctx)
        except DossierError as exc:
            raise typer.Exit(_report(exc)) from None
        except OSError as exc:
            if exc.errno not in STORAGE_ERRNOS:
                raise
            raise typer.Exit(_report(storage_error(exc))) from None
        except duckdb.Error as exc:
            if not is_disk_full(exc) and "read-only" not in str(exc).lower():
                raise
            raise typer.Exit(_report(StorageError(f"the warehouse could not be written: {str(exc).splitlines()[0]}"))) from None


def _report(exc: BaseException) -> int:
    """Print `exc` as one line (never wrapped, never read as markup) and return its exit code."""
    message = " ".join(str(exc).split()) or type(exc).__name__  # one line, whatever the message held
    Console(stderr=True).print(Text.assemble(("error: ", "red"), message), soft_wrap=True)
    return int(getattr(exc, "exit_code", 1))


app = typer.Typer(help="News in, reviewed organisation profiles out.", no_args_is_help=True, add_completion=False,
                  cls=DossierGroup)
feeds_app = typer.Typer(help="Configure the feeds `dossier ingest` polls.", no_args_is_help=True)
profiles_app = typer.Typer(help="Read organisation profiles.", no_args_is_help=True)
app.add_typer(feeds_app, name="feeds")
app.add_typer(profiles_app, name="profiles")
from dossier.cli.runs import runs_app  # noqa: E402 - a command group in its own module

app.add_typer(runs_app, name="runs")

from dossier.cli.config import config_app  # noqa: E402  (command groups live in their own modules)

app.add_typer(config_app, name="config")

console = Console()
errors = Console(stderr=True)


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print one error line (never wrapped, never read as markup) and return the Exit to raise."""
    errors.print(Text.assemble(("error: ", "red"), " ".join(message.split())), soft_wrap=True)
    return typer.Exit(code)


def _warehouse(settings: Settings):
    from dossier.store.warehouse import Warehouse

    return Warehouse(settings.warehouse_path, lock_wait=settings.warehouse_wait)


def _prefect_defaults(verbose: bool) -> None:
    """Quiet, offline Prefect defaults (explicit environment settings win)."""
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def _quiet_run_logs(handler: logging.Handler) -> None:
    """Without -v, a run that stops on an error is reported once, as the command's one error
    line: Prefect's flow and task run loggers would print the same error with its traceback
    (at ERROR, above any PREFECT_LOGGING_LEVEL), and the flow's own "run failed" record repeats it."""
    for name in ("prefect.flow_runs", "prefect.task_runs"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    handler.addFilter(lambda record: not (record.name == "dossier.flow" and str(record.msg).startswith("run failed")))


class _ProgressHandler(logging.Handler):
    """Draws the pipeline's progress events as a rich progress bar."""

    def __init__(self, progress: Progress) -> None:
        super().__init__()
        self.progress = progress
        self.tasks: dict[str, int] = {}

    def emit(self, record: logging.LogRecord) -> None:
        stage, done, total = getattr(record, "stage", None), getattr(record, "done", 0), getattr(record, "total", 0)
        if stage is None:
            return
        if stage not in self.tasks:
            self.tasks[stage] = self.progress.add_task(stage, total=total)
        self.progress.update(self.tasks[stage], completed=done, total=total)


@app.command()
def ingest(
    feed: Annotated[list[str] | None, typer.Option("--feed", help="Ingest this feed URL (repeatable) instead of the configured feeds.")] = None,
    demo: Annotated[bool, typer.Option(help="Ingest the built-in demo even when feeds are configured.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's run logs.")] = False,
    task_runner: Annotated[str | None, typer.Option("--task-runner", help="Where extraction batches run: default (threads in this process) or dask (setting task_runner).")] = None,
    wait: Annotated[float | None, typer.Option("--wait", min=0, help="Seconds to wait if another run holds the warehouse (setting run_lock_wait; default: exit at once).")] = None,
) -> None:
    """Poll feeds, fetch new articles, extract evidence and refresh draft profiles.

    With no feeds configured (see `dossier feeds add`), serves the built-in demo corpus from a
    loopback server and ingests it through the same code path as real feeds.
    """
    _prefect_defaults(verbose)
    from dossier.tracing import configure_logging, remove_logging

    settings = load_settings()
    log_handler = configure_logging(settings.log_format, "INFO" if verbose else settings.log_level)
    from dossier.demo.server import demo_feeds, serve_demo
    from dossier.flows.ingest import run_ingest

    if not verbose:
        _quiet_run_logs(log_handler)
    from dossier.cli.choices import check_choice
    from dossier.pipeline.plan import configured_feed_urls

    check_choice("--task-runner", task_runner, ("default", "dask"))
    overrides = {k: v for k, v in {"task_runner": task_runner, "run_lock_wait": wait}.items() if v is not None}
    settings = load_settings(**overrides)
    if not verbose:  # a LocalCluster announces every worker at INFO (read when dask is imported)
        os.environ.setdefault("DASK_LOGGING__DISTRIBUTED", "warning")
    warehouse = _warehouse(settings)
    from dossier.extract.nlp import check_model

    check_model(settings.spacy_model)  # before any feed is fetched: a run without its model only wastes the fetches
    progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        console=console, transient=True)
    handler = _ProgressHandler(progress)
    progress_logger = logging.getLogger("dossier.progress")
    progress_logger.addHandler(handler)
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False
    try:
        urls = list(feed or []) or ([] if demo else configured_feed_urls(warehouse))
        with progress:
            if urls:
                summary = run_ingest(urls, settings, origin="cli" if feed else "user")
            else:
                console.print("No feeds configured: ingesting the built-in demo corpus from a loopback server.")
                with serve_demo(settings.demo_port) as base:
                    # The demo's own loopback server is allow-listed explicitly, nothing else.
                    settings = settings.model_copy(update={"allowed_hosts": [*settings.allowed_hosts, "127.0.0.1"]})
                    summary = run_ingest(list(demo_feeds(base)), settings, origin="demo", publishers=demo_feeds(base),
                                         host_delay=settings.demo_host_delay)
    finally:
        progress_logger.removeHandler(handler)
        remove_logging(log_handler)
    _print_summary(summary)
    check_feeds_answered(summary)


def check_feeds_answered(summary) -> None:
    """Raise RunFailed when every feed polled failed: the run did nothing, and a scheduler or
    script must hear that from the exit code, not only from a table."""
    from dossier.errors import RunFailed

    if summary.feeds_polled and summary.feeds_failed == summary.feeds_polled:
        first = next((f for f in summary.failures if f.stage == "feed"), None)
        detail = f"; first: {first.item}: {first.reason}" if first else ""
        raise RunFailed(f"every feed failed ({summary.feeds_failed} of {summary.feeds_polled}) in run "
                        f"{summary.run_id}{detail}")


def _print_summary(summary) -> None:
    table = Table(title=f"ingest run {summary.run_id} — {summary.status}", show_header=False)
    table.add_column(style="bold")
    table.add_column(justify="right")
    feeds = f"{summary.feeds_polled} ({summary.feeds_not_modified} not modified, {summary.feeds_failed} failed"
    feeds += f", {summary.feeds_backed_off} backed off" if summary.feeds_backed_off else ""
    feeds += f", {summary.feeds_skipped} skipped by robots.txt" if summary.feeds_skipped else ""
    rows = [
        ("feeds polled", feeds + ")"),
        ("articles new", summary.articles_new), ("articles updated", summary.articles_updated),
        ("articles unchanged", summary.articles_unchanged), ("articles failed", summary.articles_failed),
        *([("articles skipped", summary.articles_skipped)] if summary.articles_skipped else []),
        ("organisations", f"{summary.organisations} ({summary.organisations_touched} touched by this run)"),
        ("claims", summary.claims),
        ("drafts", f"{summary.drafts} ({summary.drafts_created} created, {summary.drafts_updated} updated)"),
        ("run time", f"{summary.duration_s:.1f} s"),
    ]
    for name, value in rows:
        table.add_row(name, str(value))
    console.print(table)
    # Outside the table so a narrow terminal never truncates it: people copy this path.
    console.print(f"warehouse: {Path(summary.warehouse_path).resolve()}", soft_wrap=True)
    for failure in summary.failures:
        console.print(f"[yellow]failed[/yellow] {failure.stage} {failure.item}: {failure.reason}")
    for item in summary.skipped:
        console.print(f"[yellow]skipped[/yellow] {item.stage} {item.item}: {item.reason}")
    for warning in summary.warnings:
        console.print(f"[yellow]warning[/yellow] {warning}")


# --- feeds ------------------------------------------------------------------------------

@feeds_app.command("add")
def feeds_add(
    url: str,
    publisher: Annotated[str | None, typer.Option(help="Publisher domain, if not the feed's own.")] = None,
    reliability: Annotated[float | None, typer.Option(min=0.0, max=1.0, help="Reliability prior in [0, 1].")] = None,
) -> None:
    """Add a feed to poll (refused when every run would refuse to fetch it)."""
    from dossier.store import feeds as feed_store

    settings = load_settings()
    if not url.startswith(("http://", "https://")):
        raise fail(f"{url}: a feed URL must start with http:// or https://", code=2)
    unresolved = check_feed_scope(url, settings.allowed_hosts)
    if unresolved:
        errors.print(Text(f"note: {unresolved} does not resolve now; added anyway, every run checks it again"),
                     soft_wrap=True)
    with _warehouse(settings).write() as con:
        added = feed_store.add_feed(con, url, publisher, reliability)
    console.print(("added " if added else "already configured: ") + url)


def check_feed_scope(url: str, allowed_hosts: list[str]) -> str | None:
    """Refuse (UsageError) a feed the fetcher's scope check refuses: loopback, private, link-local
    addresses unless allow-listed. A host that does not resolve now is not refused (DNS may be
    down while configuring); its name is returned, and every run checks it again."""
    from dossier.errors import UsageError
    from dossier.ingest.scope import OutOfScope, UrlScope, resolve

    unresolved: list[str] = []

    def resolver(host: str, port: int) -> list[str]:
        try:
            return resolve(host, port)
        except OSError:
            unresolved.append(host)
            raise

    try:
        UrlScope.from_allow_list(allowed_hosts, resolver=resolver).check(url)
    except OutOfScope as exc:
        if unresolved:
            return unresolved[0]
        raise UsageError(f"refused: {exc}") from None
    return None


@feeds_app.command("list")
def feeds_list(
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per feed.")] = False,
) -> None:
    """List configured feeds with their health."""
    from dossier.store import feeds as feed_store

    settings = load_settings()
    if not settings.warehouse_path.exists():
        rows = []
    else:
        # Read-only: listing must work on a read-only file system and beside a writer's batches.
        with _warehouse(settings).read() as con:
            rows = feed_store.list_feeds(con)
    if json_out:
        for row in rows:
            print(json.dumps(row, default=str))
        return
    table = Table("url", "publisher", "last polled", "status", "errors", "backed off until", "last error")
    now = datetime.now(UTC)
    for row in rows:
        until = row.get("next_poll_after")
        table.add_row(row["url"], row["publisher"] or "", str(row["last_polled"] or "never"),
                      str(row["last_status"] or ""), str(row["error_count"]),
                      str(until) if until is not None and until > now else "", row["last_error"] or "")
    console.print(table if rows else "No feeds configured; `dossier ingest` runs the built-in demo.")


@feeds_app.command("remove")
def feeds_remove(url: str) -> None:
    """Stop polling a feed (its articles and evidence stay)."""
    from dossier.store import feeds as feed_store

    with _warehouse(load_settings()).write() as con:
        removed = feed_store.remove_feed(con, url)
    if not removed:
        raise fail(f"{url} is not a configured feed")
    console.print(f"removed {url}")


# --- profiles ---------------------------------------------------------------------------

@profiles_app.command("list")
def profiles_list(
    status: Annotated[str | None, typer.Option(help="Only profiles with this status (draft, approved).")] = None,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per profile.")] = False,
) -> None:
    """List current profiles, most confident first."""
    from dossier.cli.choices import check_choice
    from dossier.store import profiles as profile_store

    check_choice("--status", status, ("draft", "approved"))
    with _warehouse(load_settings()).read() as con:
        rows = profile_store.list_profiles(con, status)
    if json_out:
        for row in rows:
            print(json.dumps(row, default=str))
        return
    table = Table("name", "type", "region", "grade", "confidence", "sources", "status")
    for row in rows:
        table.add_row(row["name"], row["type"] or "", row["region"] or "", row["grade"], f"{row['confidence']:.2f}",
                      f"{row['independent_source_count']}/{row['source_count']}", row["status"])
    console.print(table)


@profiles_app.command("show")
def profiles_show(
    name: str,
    json_out: Annotated[bool, typer.Option("--json", help="The profile as JSON.")] = False,
) -> None:
    """Render an organisation's profile card (by name or alias)."""
    from dossier.store import profiles as profile_store

    with _warehouse(load_settings()).read() as con:
        profile = profile_store.find_profile(con, name)
    if profile is None:
        raise fail(f"no profile for {name!r}; `dossier profiles list` shows the names")
    if json_out:
        # Parsed first: dumping the stored JSON strings as they are would nest them as strings.
        print(json.dumps(profile_view(profile), default=str, indent=2))
        return
    console.print(render_card(profile))


@app.command()
def export(
    kind: Annotated[str, typer.Argument(help="cards (default): one profile card per organisation; parquet: the views as Parquet files.")] = "cards",
    format: Annotated[str, typer.Option("--format", help="Cards only: md, json or html.")] = "md",
    status: Annotated[str | None, typer.Option(help="Cards only: only profiles with this status (approved, draft).")] = None,
    out: Annotated[Path | None, typer.Option(help="Folder to write into (default exports/ for cards, exports/parquet/ for parquet).")] = None,
    tables: Annotated[bool, typer.Option("--tables", help="Parquet only: also every table, as DuckDB's EXPORT DATABASE layout in OUT/tables/.")] = False,
) -> None:
    """Write profile cards (current revision: approved over draft) as Markdown, JSON or HTML, or the views as Parquet."""
    from dossier.profiles.render import RENDERERS
    from dossier.store import profiles as profile_store

    if kind == "parquet":
        from dossier.cli.operations import export_parquet_command

        export_parquet_command(out or Path("exports/parquet"), tables)
        return
    if kind != "cards":
        raise fail(f"unknown export {kind!r}; use cards or parquet")
    out = out or Path("exports")

    if format not in RENDERERS:
        raise fail(f"unknown format {format!r}; use one of {', '.join(RENDERERS)}")
    if status not in (None, "approved", "draft"):
        raise fail(f"unknown status {status!r}; use approved or draft")
    out.mkdir(parents=True, exist_ok=True)  # before reading: an unwritable --out is named at once
    with _warehouse(load_settings()).read() as con:
        rows = profile_store.current_profiles(con, status)
    used: set[str] = set()
    for row in rows:
        slug = re.sub(r"[^a-z0-9]+", "-", row["name"].lower()).strip("-") or row["entity_id"]
        if slug in used:
            slug = f"{slug}-{row['entity_id'][:6]}"
        used.add(slug)
        (out / f"{slug}.{format}").write_text(RENDERERS[format](row), encoding="utf-8")
    console.print(f"{len(rows)} {format} card(s) written to {out.resolve()}", soft_wrap=True)


# --- extract ----------------------------------------------------------------------------

@app.command()
def extract(
    files: Annotated[list[str] | None, typer.Argument(help="Files to analyse; '-' or nothing reads standard input.")] = None,
    html: Annotated[bool, typer.Option("--html", help="Inputs are HTML pages: extract the main text first.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per input (docs/extract-json.md).")] = False,
) -> None:
    """Analyse articles without touching the warehouse."""
    from dossier.extract.analyse import load_analyser
    from dossier.extract.contract import analysis_to_json, error_to_json
    from dossier.extract.nlp import ModelNotInstalled
    from dossier.ingest.text import NoText, extract_article
    from dossier.records import Page

    settings = load_settings()
    inputs: list[tuple[str, str | None, str | None]] = []  # (doc name, text, error)
    for name in files or ["-"]:
        try:
            raw = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        except OSError as exc:
            inputs.append((name, None, f"cannot read: {exc.strerror or exc}"))
            continue
        refused = refuse_input(raw)
        if refused is not None:
            inputs.append((name, None, refused))
            continue
        if html:
            from dossier.ingest.text import decode_body

            url = "file://" + str(Path(name).resolve()) if name != "-" else "file:///dev/stdin"
            page = Page(url=url, final_url=url, status=200, html=decode_body(raw, None), fetched_at=datetime.now(UTC))
            try:
                inputs.append((name, extract_article(page).text, None))
            except NoText as exc:
                inputs.append((name, None, str(exc)))
        else:
            inputs.append((name, raw.decode("utf-8", errors="replace"), None))
    try:
        analyser = load_analyser(settings.spacy_model)
    except ModelNotInstalled as exc:
        raise fail(str(exc)) from None
    good = [(name, text) for name, text, error in inputs if error is None]
    results = dict(zip((n for n, _ in good), analyser.analyse((t for _, t in good), batch_size=settings.nlp_batch_size,
                                                                     batch_chars=settings.nlp_batch_chars)))
    failed = False
    for name, _, error in inputs:
        if error is not None:
            failed = True
            errors.print(Text.assemble(("error: ", "red"), f"{name}: {error}"), soft_wrap=True)
        out = error_to_json(name, error) if error is not None else analysis_to_json(name, results[name])
        if json_out:
            print(json.dumps(out, ensure_ascii=False))
        elif error is None:
            _print_analysis(out)
    if failed:
        raise typer.Exit(1)


def refuse_input(raw: bytes) -> str | None:
    """Why an input is not an article to analyse (empty, or binary data), else None."""
    if b"\x00" in raw[:65536]:  # no text encoding dossier reads puts NUL bytes in text
        return "binary data, not text"
    if not raw.strip():
        return "empty: no text to analyse"
    return None


def _print_analysis(out: dict) -> None:
    console.rule(out["doc"])
    orgs = Table("organisation", "aliases", "mentions")
    for o in out["organisations"]:
        orgs.add_row(o["name"], ", ".join(o["aliases"]), str(len(o["mentions"])))
    console.print(orgs)
    places = Table("place", "country", "continent", "mentions")
    for p in out["locations"]:
        places.add_row(p["name"], p["country"] or "?", p["continent"] or "?", str(len(p["mentions"])))
    console.print(places)
    claims = Table("subject", "type", "object", "polarity", "modality")
    for c in out["claims"]:
        claims.add_row(c["subject"], c["type"], c["object"] or "", c["polarity"], c["modality"])
    console.print(claims)


@app.command("eval")
def eval_command(
    gold: Annotated[Path, typer.Option(help="Folder of the project's annotated articles.")] = Path("tests/eval/gold"),
    dev: Annotated[Path, typer.Option(help="A development-only annotated set, reported apart and never gated.")] = Path("tests/eval/dev"),
    shared: Annotated[Path, typer.Option(help="The shared corpora (real-news gold, CoNLL-2003, extraction benchmark).")] = Path("../shared/data"),
    only: Annotated[list[str] | None, typer.Option(help="Run only: gold, realnews, conll, extraction (repeatable).")] = None,
    out: Annotated[Path, typer.Option(help="Where to write the JSON results.")] = Path(".eval/results.json"),
    write_baseline: Annotated[Path | None, typer.Option(help="Also pin these results as the eval gate's floors in this file.")] = None,
) -> None:
    """Measure extraction: real-news gold (by fold), the project's gold set, CoNLL-2003 dev ORG/LOC, text extraction F1."""
    from dossier.evaluation.report import PARTS, run_evaluations

    parts = set(only or PARTS)
    if not parts <= set(PARTS):
        raise fail(f"unknown evaluation in --only: {sorted(parts - set(PARTS))}", code=2)
    if "gold" in parts and not gold.is_dir():
        raise fail(f"no gold set at {gold}", code=2)
    check_writable(out)  # before minutes of evaluation, not after
    if write_baseline is not None:
        check_writable(write_baseline)
    results = run_evaluations(gold, shared if shared.is_dir() else None, load_settings().spacy_model, parts, dev)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    _print_eval(results)
    console.print(f"results: {out.resolve()}", soft_wrap=True)
    if write_baseline is not None:
        from dossier.evaluation.gate import make_baseline

        if parts != set(PARTS) or results["skipped"]:
            raise fail("a baseline needs every evaluation to run (with ../shared/data present)")
        write_baseline.write_text(json.dumps(make_baseline(results), indent=2) + "\n", encoding="utf-8")
        console.print(f"baseline written: {write_baseline}")


def check_writable(path: Path) -> None:
    """Raise StorageError unless a file can be created at `path` (its folder made if missing)."""
    import tempfile

    from dossier.errors import storage_error

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path.parent):
            pass
    except OSError as exc:
        if exc.filename is None:
            exc.filename = str(path)
        raise storage_error(exc) from None


def _print_eval(results: dict) -> None:
    table = Table("evaluation", "measure", "precision", "recall", "F1 / accuracy", "target")
    targets = {k: v for k, v in results["targets"].items()}

    def target(name: str) -> str:
        t = targets.get(name)
        if t is None:
            return ""
        bound = f"≥ {t['target']:.2f}" if "target" in t else f"≤ {t['ceiling']:.2f}"
        return f"{'met' if t['met'] else 'MISSED'} ({bound})"

    if "conll" in results:
        for label in ("ORG", "LOC"):
            r = results["conll"][label]
            table.add_row("CoNLL-2003 dev", f"{label} exact span", f"{r['precision']:.3f}", f"{r['recall']:.3f}",
                          f"{r['f1']:.3f}", target(f"conll.{label}.f1"))
    if "gold" in results:
        for split in ("dev", "test", "all"):
            g = results["gold"][split]
            name = {"dev": "gold (dev half)", "test": "gold (held-out half)", "all": "gold (all)"}[split]
            def t(metric: str, split: str = split) -> str:
                return target(f"gold.all.{metric}") if split == "all" else ""
            o, c = g["organisation"], g["claim"]
            table.add_row(name, "organisations", f"{o['precision']:.3f}", f"{o['recall']:.3f}", f"{o['f1']:.3f}", t("organisation.f1"))
            table.add_row("", "alias clusters", "", "", f"{g['alias_cluster_accuracy']:.3f}", "")
            table.add_row("", "place → country", "", "", f"{g['place_country_accuracy']:.3f}", t("place_country_accuracy"))
            table.add_row("", "claims (subject, type)", f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}", t("claim.f1"))
            table.add_row("", "claim polarity", "", "", f"{g['polarity_accuracy']:.3f}", t("polarity_accuracy"))
            table.add_row("", "claim modality", "", "", f"{g['modality_accuracy']:.3f}", t("modality_accuracy"))
    if "realnews" in results:
        _add_realnews_rows(table, results["realnews"], target)
    if "gold" in results:
        cal = results["gold"]["calibration"]
        table.add_row("claim calibration", f"ECE over {cal['claims']} claims", "", "", f"{cal['ece']:.3f}", "aim ≤ 0.10")
        for bucket in cal["buckets"]:
            table.add_row("", f"confidence {bucket['bucket']} ({bucket['claims']})", "", "",
                          f"mean {bucket['mean_confidence']:.2f} → right {bucket['accuracy']:.2f}", "")
    if "dev_set" in results:
        g = results["dev_set"]["all"]
        o, c = g["organisation"], g["claim"]
        table.add_row(f"second dev set ({results['dev_set']['articles']})", "organisations / claims F1", "",
                      "", f"{o['f1']:.3f} / {c['f1']:.3f}", "")
        table.add_row("", "places / polarity / modality", "", "",
                      f"{g['place_country_accuracy']:.3f} / {g['polarity_accuracy']:.3f} / {g['modality_accuracy']:.3f}", "")
    if "extraction" in results:
        e = results["extraction"]
        table.add_row("extraction benchmark", f"article body ({e['pages']} pages)", f"{e['precision']:.3f}",
                      f"{e['recall']:.3f}", f"{e['f1']:.3f}", target("extraction.f1"))
    console.print(table)
    if "realnews" in results:
        _print_realnews_detail(results["realnews"], target)
    for part, reason in results["skipped"].items():
        console.print(f"[yellow]skipped[/yellow] {part}: {reason}")


def _add_realnews_rows(table: Table, realnews: dict, target) -> None:
    """Real news: one compact row per held-out fold, then the figures over all folds."""
    for fold, g in realnews["folds"].items():
        o, c = g["organisation"], g["claim"]
        table.add_row(f"real news fold {fold} ({g['articles']})", "orgs F1 · claims F1 · place · pol · mod", "", "",
                      f"{o['f1']:.3f} · {c['f1']:.3f} · {g['place_country_accuracy']:.3f} · "
                      f"{g['polarity_accuracy']:.3f} · {g['modality_accuracy']:.3f}", "")
    g = realnews["all"]
    o, c = g["organisation"], g["claim"]
    name = f"real news (all {realnews['articles']}, held out)"
    table.add_row(name, "organisations", f"{o['precision']:.3f}", f"{o['recall']:.3f}", f"{o['f1']:.3f}",
                  target("realnews.all.organisation.f1"))
    table.add_row("", "alias clusters", "", "", f"{g['alias_cluster_accuracy']:.3f}", "")
    table.add_row("", "place → country", "", "", f"{g['place_country_accuracy']:.3f}", target("realnews.all.place_country_accuracy"))
    table.add_row("", "claims (subject, type)", f"{c['precision']:.3f}", f"{c['recall']:.3f}", f"{c['f1']:.3f}", target("realnews.all.claim.f1"))
    table.add_row("", f"claim polarity ({g['matched_claims']} matched)", "", "", f"{g['polarity_accuracy']:.3f}", target("realnews.all.polarity_accuracy"))
    table.add_row("", "affirmed read as negated", "", "", f"{g['affirmed_read_as_negated']:.3f}", target("realnews.all.affirmed_read_as_negated"))
    table.add_row("", "claim modality", "", "", f"{g['modality_accuracy']:.3f}", target("realnews.all.modality_accuracy"))


def _print_realnews_detail(realnews: dict, target) -> None:
    """Real news: claims per type, the polarity and modality confusion matrices, error classes."""
    g = realnews["all"]
    types = Table("claim type (real news)", "precision", "recall", "F1", "predicted", "gold", "target")
    for name, r in sorted(g["claim_types"].items(), key=lambda kv: -kv[1]["gold"]):
        types.add_row(name, f"{r['precision']:.3f}", f"{r['recall']:.3f}", f"{r['f1']:.3f}", str(r["predicted"]),
                      str(r["gold"]), target(f"realnews.all.claim_types.{name}.recall"))
    console.print(types)
    for attribute in ("polarity", "modality"):
        matrix = g[f"{attribute}_confusion"]
        confusion = Table(f"{attribute}: gold ↓ predicted →", *matrix["labels"])
        for gold_label in matrix["labels"]:
            confusion.add_row(gold_label, *(str(matrix["matrix"][gold_label][p]) for p in matrix["labels"]))
        console.print(confusion)
    classes = Table("organisation errors (real news)", "class", "count")
    for kind, label in (("org_fp", "false positives"), ("org_fn", "false negatives")):
        for number, (name, count) in enumerate(g["organisation_error_classes"].get(kind, {}).items()):
            classes.add_row(label if number == 0 else "", name, str(count))
    console.print(classes)


# The reviewer's desk: `dossier review …`, `dossier users …`, `dossier serve` (src/cli/review.py).
from dossier.cli.review import register as register_review  # noqa: E402

register_review(app)
from dossier.cli.operations import schedule, snapshot  # noqa: E402  (their own module, registered here)

app.command()(snapshot)
app.command()(schedule)


def main() -> None:
    """Entry point of the `dossier` script (errors are turned into one line by `DossierGroup`)."""
    app(prog_name="dossier")
