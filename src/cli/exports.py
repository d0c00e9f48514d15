"""`dossier export`: profile cards as files (Markdown, JSON, HTML), the views as Parquet, or the
organisation graph as GraphML or CSV."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from dossier.cli.access import connect
from dossier.cli.choices import check_choice
from dossier.cli.options import ExportFormat
from dossier.cli.output import say
from dossier.errors import Refused

cli = typer.Typer()


@cli.command()
def export(
    kind: Annotated[str, typer.Argument(help="cards (default): one profile card per organisation; parquet: the views as Parquet files; graph: organisations and the claims between them.")] = "cards",
    format: ExportFormat = None,
    status: Annotated[str | None, typer.Option(help="Cards only: only profiles with this status (approved, draft).")] = None,
    out: Annotated[Path | None, typer.Option(help="Where to write (default exports/ for cards, exports/parquet/ for parquet, exports/graph.graphml or the folder exports/graph/ for graph).")] = None,
    tables: Annotated[bool, typer.Option("--tables", help="Parquet only: also every table, as DuckDB's EXPORT DATABASE layout in OUT/tables/.")] = False,
) -> None:
    """Write profile cards (current revision: approved over draft) as Markdown, JSON or HTML, the views as
    Parquet, or the organisation graph as GraphML or CSV (docs/graph.md)."""
    from dossier.profiles.render import RENDERERS

    if kind == "parquet":
        export_parquet(out or Path("exports/parquet"), tables)
        return
    if kind == "graph":
        check_choice("--format", format, GRAPH_FORMATS)
        export_graph(format or "graphml", out)
        return
    if kind != "cards":
        raise Refused(f"unknown export {kind!r}; use cards, parquet or graph")
    format = format or "md"
    if format not in RENDERERS:
        raise Refused(f"unknown format {format!r}; use one of {', '.join(RENDERERS)}")
    if status not in (None, "approved", "draft"):
        raise Refused(f"unknown status {status!r}; use approved or draft")
    export_cards(out or Path("exports"), format, status)


def export_cards(out: Path, format: str, status: str | None) -> None:
    """One card file per current profile, named by a slug of the organisation's name (HTML: and
    `index.html`); the cards an earlier export of this format wrote into OUT for organisations
    no longer exported are removed, as its manifest lists them."""
    from dossier.profiles.export import (
        MANIFEST,
        card_files,
        cited_urls,
        manifest_text,
        read_manifest,
        stale_files,
    )

    out.mkdir(parents=True, exist_ok=True)  # before reading: an unwritable --out is named at once
    with connect(write=False) as session:
        profiles = session.profiles.current_profiles(status)
        dates = session.profiles.article_dates(cited_urls(profiles))
    files = card_files(profiles, format, dates, status)
    manifest = out / MANIFEST
    previous = read_manifest(manifest.read_text(encoding="utf-8") if manifest.is_file() else None)
    for name, text in files.items():
        (out / name).write_text(text, encoding="utf-8")
    removed = stale_files(previous, format, files)
    for name in removed:
        (out / name).unlink(missing_ok=True)
    manifest.write_text(manifest_text(previous, format, files), encoding="utf-8")
    say(f"{len(profiles)} {format} card(s) written to {out.resolve()}"
        + (f"; {len(removed)} card(s) of organisations no longer exported removed" if removed else ""))


def export_parquet(out: Path, tables: bool) -> None:
    """`dossier export parquet`: each public view as OUT/<view>.parquet, with --tables every table too."""
    from dossier.store.snapshot import export_parquet as write_parquet

    out.mkdir(parents=True, exist_ok=True)  # before reading: an unwritable --out is named at once
    with connect(write=False) as con:
        written = write_parquet(con, out, tables=tables)
    for path in written:
        say(f"wrote {path}")


GRAPH_FORMATS = ("graphml", "csv")


def export_graph(format: str, out: Path | None) -> None:
    """`dossier export graph`: one GraphML file (OUT, or OUT/graph.graphml when OUT is a folder), or
    nodes.csv and edges.csv in the folder OUT."""
    from dossier.profiles.graph import render_csv, render_graphml

    target = out or Path("exports/graph.graphml" if format == "graphml" else "exports/graph")
    if format == "graphml" and target.is_dir():
        target = target / "graph.graphml"
    folder = target.parent if format == "graphml" else target
    folder.mkdir(parents=True, exist_ok=True)  # before reading: an unwritable --out is named at once
    with connect(write=False) as session:
        graph = session.exports.organisation_graph()
    if format == "graphml":
        written = {target: render_graphml(graph)}
    else:
        written = {folder / name: text.encode("utf-8") for name, text in render_csv(graph).items()}
    for path, data in written.items():
        path.write_bytes(data)
    say(f"graph: {len(graph.nodes)} organisation(s), {len(graph.edges)} claim(s) between them")
    for path in written:
        say(f"wrote {path.resolve()}")
