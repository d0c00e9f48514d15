"""Import contracts: which package may import what, read from the source with `ast`.

import-linter cannot be used here: its graph builder (grimp) walks the directory of the root
package only, and `dossier` is spread over four folders (pyproject.toml's package-dir: src/,
flows/, models/, warehouse/), so `dossier.flows`, `dossier.assets` and `dossier.warehouse`
would be invisible to it and a contract over them could never fail. This test finds the
modules the way setuptools installs them, checks that it found every listed package, and
proves each contract by feeding it one bad import.

Imports inside functions count (a lazy import is still a dependency); strings passed to
importlib do not. The contracts cover the installed package only: bench/ and tests/ read the
warehouse as an analyst does and drive the flows, so they may import anything.
`make lint` runs this file.
"""

from __future__ import annotations

import ast
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Layer:
    packages: tuple[str, ...]
    independent: bool = False     # the packages of this layer may not import one another


# Pipeline order, top to bottom: a package may import from any layer below its own, never from
# one above. The CLI serves the web desk, so it sits above it. Ingestion (pipeline) and the
# reviewer's side (review) meet only in profiles and the store; the leaf stages (fetching,
# analysing, scoring, storing) know nothing of each other, only the shared ground.
LAYERS: tuple[Layer, ...] = (
    Layer(("dossier.cli",)),
    Layer(("dossier.web",)),
    Layer(("dossier.training",)),      # trains the claim detector on the evaluation's folds
    Layer(("dossier.evaluation",)),    # scores extraction against gold sets
    Layer(("dossier.flows",)),
    Layer(("dossier.pipeline", "dossier.review"), independent=True),
    Layer(("dossier.alerts",)),        # watchlists and alerts: read the store, called by the pipeline
    Layer(("dossier.profiles",)),
    Layer(("dossier.ingest", "dossier.extract", "dossier.scoring", "dossier.store"), independent=True),
    # the shared ground: records, identities, errors, settings, logging, assets, schema and demo site
    Layer(("dossier.records", "dossier.ids", "dossier.errors", "dossier.settings", "dossier.tracing",
           "dossier.assets", "dossier.warehouse", "dossier.demo")),
)

# Packages that must not import others even where the layers would allow it.
FORBIDDEN: dict[str, tuple[str, ...]] = {
    # The reviewer's side works on profiles and the store, never on text analysis or fetching.
    "dossier.review": ("dossier.extract", "dossier.ingest"),
    "dossier.web": ("dossier.extract", "dossier.ingest", "dossier.pipeline", "dossier.flows"),
    # Evaluation scores extraction alone: no warehouse, no ingestion run.
    "dossier.evaluation": ("dossier.store", "dossier.pipeline", "dossier.flows", "dossier.review", "dossier.web"),
}

# Third-party packages that only one part of dossier may import.
OWNERS: dict[str, tuple[str, ...]] = {
    "duckdb": ("dossier.store",),                    # the only door to the warehouse
    "httpx": ("dossier.ingest",),                    # the only package on the network
    # Prefect orchestrates: the flows, and the CLI module that serves their schedules.
    "prefect": ("dossier.flows", "dossier.cli.operations"),
    "prefect_dask": ("dossier.flows",),
}

# Imports that break a contract today, each to be deleted once its fix lands; an entry that
# no longer matches any import fails the test, so the list only ever shrinks.
# Format: "importing module -> imported module or third-party package": why it is still there.
EXCEPTIONS: dict[str, str] = {
    # duckdb outside the store.
    "dossier.cli.app -> duckdb": "catches duckdb.Error to print it as one line",
    # httpx outside ingest.
    "dossier.flows.schedule -> httpx": "polls the health of the local Prefect server it starts",
}


@dataclass(frozen=True)
class Import:
    importer: str     # module doing the import
    imported: str     # module (or package) named by the import statement
    line: int

    def key(self, target: str) -> str:
        return f"{self.importer} -> {target}"


def package_dirs() -> dict[str, Path]:
    """Top package name -> folder, as pyproject.toml's package-dir maps them."""
    setup = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    return {name: ROOT / folder for name, folder in setup["package-dir"].items()}


def listed_packages() -> list[str]:
    """The packages pyproject.toml installs."""
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"]


def find_modules() -> dict[str, Path]:
    """Every installed module by dotted name, each folder searched only for its own package
    (src/ holds dossier.*, flows/ holds dossier.flows.*, never both)."""
    dirs = package_dirs()
    modules: dict[str, Path] = {}
    for package, folder in dirs.items():
        nested = [d for d in dirs.values() if d != folder and folder in d.parents]
        for path in folder.rglob("*.py"):
            if any(n == path or n in path.parents for n in nested):
                continue
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join((package, *parts))] = path
    return modules


def read_imports(module: str, path: Path) -> Iterator[Import]:
    """Absolute names of everything `module` imports, at any depth of its body."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            yield from (Import(module, alias.name, node.lineno) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".") if is_package else module.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield Import(module, target, node.lineno)
            # "from dossier import ids": the names may be modules themselves
            for alias in node.names:
                if f"{target}.{alias.name}" in MODULES:
                    yield Import(module, f"{target}.{alias.name}", node.lineno)


def inside(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def placed(module: str) -> tuple[int, str] | None:
    """(layer index, package) of a dossier module, None for one in no layer."""
    for index, layer in enumerate(LAYERS):
        for package in layer.packages:
            if inside(module, package):
                return index, package
    return None


def breaches(imports: Iterable[Import]) -> list[tuple[str, str]]:
    """(exception key, why) for every import that breaks a contract."""
    found: list[tuple[str, str]] = []
    for imp in imports:
        top = imp.imported.split(".")[0]
        where = f"{imp.importer}:{imp.line} imports {imp.imported}"
        if top in OWNERS and not any(inside(imp.importer, owner) for owner in OWNERS[top]):
            found.append((imp.key(top), f"{where} (only {', '.join(OWNERS[top])} may)"))
        if top != "dossier":
            continue
        low, high = placed(imp.importer), placed(imp.imported)
        if low is None or high is None or low[1] == high[1]:
            continue
        if high[0] < low[0]:
            found.append((imp.key(imp.imported), f"{where}, a layer above its own"))
        elif high[0] == low[0] and LAYERS[low[0]].independent:
            found.append((imp.key(imp.imported), f"{where}, an independent package of its own layer"))
        elif any(inside(imp.imported, banned) for banned in FORBIDDEN.get(low[1], ())):
            found.append((imp.key(imp.imported), f"{where}, forbidden to {low[1]}"))
    return found


MODULES = find_modules()


def all_imports() -> list[Import]:
    return [imp for module, path in sorted(MODULES.items()) for imp in read_imports(module, path)]


def test_every_installed_package_is_seen_and_placed_in_a_layer():
    """The contracts cover what setuptools installs: every listed package with code is found
    (the mapped folders included), every package found is listed, every module has a layer."""
    found = {m for m, path in MODULES.items() if path.name == "__init__.py"}
    listed = set(listed_packages())
    assert {"dossier.flows", "dossier.assets", "dossier.warehouse", "dossier.store", "dossier.cli"} <= found
    assert not listed - found - _data_only(listed), f"listed but not found: {sorted(listed - found)}"
    assert not found - listed, f"packages pyproject.toml does not install: {sorted(found - listed)}"
    unplaced = sorted(m for m in MODULES if m != "dossier" and placed(m) is None)
    assert not unplaced, f"modules in no layer (add their package to LAYERS): {unplaced}"


def _data_only(packages: Iterable[str]) -> set[str]:
    """Listed packages that are folders of data files (no Python module at all)."""
    dirs = package_dirs()
    data = set()
    for package in packages:
        top = max((p for p in dirs if inside(package, p)), key=len)
        folder = dirs[top].joinpath(*package[len(top) + 1:].split(".")) if package != top else dirs[top]
        if not any(folder.glob("*.py")):
            data.add(package)
    return data


def test_no_import_breaks_a_contract_beyond_the_listed_exceptions():
    found = breaches(all_imports())
    new = sorted({why for key, why in found if key not in EXCEPTIONS})
    assert not new, "imports that break a contract:\n" + "\n".join(new)


def test_every_listed_exception_still_matches_an_import():
    used = {key for key, _ in breaches(all_imports())}
    stale = sorted(set(EXCEPTIONS) - used)
    assert not stale, f"exceptions no longer needed (delete them from EXCEPTIONS): {stale}"


@pytest.mark.parametrize(("importer", "imported"), [
    ("dossier.pipeline.write", "duckdb"),               # the warehouse, outside the store
    ("dossier.extract.nlp", "httpx"),                   # the network, outside ingest
    ("dossier.web.app", "prefect"),                     # orchestration, outside the flows
    ("dossier.store.profiles", "dossier.profiles.refresh"),  # an earlier stage reaching up
    ("dossier.ingest.fetch", "dossier.flows.ingest"),   # the mapped flows/ folder, reached from below
    ("dossier.assets", "dossier.extract.nlp"),          # the mapped models/ folder, reaching up
    ("dossier.warehouse", "dossier.store"),             # the mapped warehouse/ folder, reaching up
    ("dossier.flows.ingest", "dossier.cli.app"),        # the flows reaching up to the CLI
    ("dossier.store.profiles", "dossier.scoring.grades"),  # one leaf stage into another
    ("dossier.review.queue", "dossier.pipeline.write"),  # the reviewer's side into ingestion
    ("dossier.review.queue", "dossier.ingest.fetch"),   # forbidden though below
    ("dossier.evaluation.gate", "dossier.store.warehouse"),  # forbidden though below
])
def test_each_contract_fails_on_a_bad_import(importer, imported):
    """A contract that can never fail proves nothing: each one rejects a deliberately bad import."""
    assert importer in MODULES and (imported in MODULES or "." not in imported)
    assert breaches([Import(importer, imported, 1)])


def test_relative_imports_resolve_to_absolute_modules(tmp_path):
    source = tmp_path / "module.py"
    source.write_text("from . import write\nfrom ..store import warehouse\nfrom .summary import x\n", encoding="utf-8")
    names = {imp.imported for imp in read_imports("dossier.pipeline.plan", source)}
    assert names == {"dossier.pipeline", "dossier.pipeline.write", "dossier.store", "dossier.store.warehouse",
                     "dossier.pipeline.summary"}


# --- the test and benchmark code -----------------------------------------------------------

def _python_files(*folders: str) -> Iterator[Path]:
    for folder in folders:
        yield from sorted((ROOT / folder).rglob("*.py"))


def test_tests_import_shared_helpers_from_tests_support_only():
    """A helper imported from a test module or conftest runs that module's tests twice or ties
    two test files together; shared helpers and fixtures live in tests/support/."""
    wrong = []
    for path in _python_files("tests", "bench"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else (
                [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            wrong += [f"{path.relative_to(ROOT)}:{node.lineno} imports {name}" for name in names
                      if inside(name, "tests") and not inside(name, "tests.support")]
    assert not wrong, "\n".join(wrong)


def test_one_loopback_server_serves_every_local_site():
    """The demo, the benchmarks and the tests all serve through dossier.demo.loopback."""
    own = ROOT / "src" / "demo" / "loopback.py"
    servers = [str(path.relative_to(ROOT)) for path in _python_files("src", "flows", "bench", "tests")
               if path not in (own, Path(__file__).resolve()) and "HTTPServer" in path.read_text(encoding="utf-8")]
    assert not servers, f"HTTP servers of their own: {servers}"
