"""`dossier extract`: analyse articles without touching the warehouse (docs/extract-json.md)."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dossier.cli.output import console, print_error
from dossier.errors import EXIT_FAILED
from dossier.settings import load_settings

cli = typer.Typer()


@cli.command()
def extract(
    files: Annotated[list[str] | None, typer.Argument(help="Files to analyse; '-' or nothing reads standard input.")] = None,
    html: Annotated[bool, typer.Option("--html", help="Inputs are HTML pages: extract the main text first.")] = False,
    json_out: Annotated[bool, typer.Option("--json", help="One JSON object per input (docs/extract-json.md).")] = False,
) -> None:
    """Analyse articles without touching the warehouse."""
    from dossier.extract.analyse import load_analyser
    from dossier.extract.contract import analysis_to_json, error_to_json
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
    analyser = load_analyser(settings.spacy_model)  # a model that is not installed: a UsageError for main()
    good = [(name, text) for name, text, error in inputs if error is None]
    results = dict(zip((n for n, _ in good), analyser.analyse((t for _, t in good), batch_size=settings.nlp_batch_size,
                                                                     batch_chars=settings.nlp_batch_chars)))
    failed = False
    for name, _, error in inputs:
        if error is not None:
            failed = True
            print_error(f"{name}: {error}")
        out = error_to_json(name, error) if error is not None else analysis_to_json(name, results[name])
        if json_out:
            print(json.dumps(out, ensure_ascii=False))  # the extract contract: characters as they are
        elif error is None:
            _print_analysis(out)
    if failed:  # each failed input was named on its own line above
        raise typer.Exit(EXIT_FAILED)


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
