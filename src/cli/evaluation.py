"""`dossier eval`: measure extraction against the gold sets and print the figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from dossier.cli.output import console, say
from dossier.errors import RunFailed, UsageError
from dossier.settings import load_settings

cli = typer.Typer()


@cli.command("eval")
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
        raise UsageError(f"unknown evaluation in --only: {sorted(parts - set(PARTS))}")
    if "gold" in parts and not gold.is_dir():
        raise UsageError(f"no gold set at {gold}")
    check_writable(out)  # before minutes of evaluation, not after
    if write_baseline is not None:
        check_writable(write_baseline)
    results = run_evaluations(gold, shared if shared.is_dir() else None, load_settings().spacy_model, parts, dev)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    _print_eval(results)
    say(f"results: {out.resolve()}")
    if write_baseline is not None:
        from dossier.evaluation.gate import make_baseline

        if parts != set(PARTS) or results["skipped"]:
            raise RunFailed("a baseline needs every evaluation to run (with ../shared/data present)")
        write_baseline.write_text(json.dumps(make_baseline(results), indent=2) + "\n", encoding="utf-8")
        say(f"baseline written: {write_baseline}")


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
