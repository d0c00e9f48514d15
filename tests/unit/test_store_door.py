"""The store is the only door to DuckDB: code outside dossier.store reaches the warehouse
through session repositories, never by running SQL on a session or a connection."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"
# What a session passes through for the store's own modules only.
CONNECTION_METHODS = {"execute", "register", "unregister", "sql"}
# Packages that hold review rules and serve readers: no DuckDB in them at all.
NO_DUCKDB = ("review", "web")
# Modules outside the store allowed to import duckdb (none).
KNOWN_DUCKDB: set[str] = set()


def modules_outside_store() -> list[Path]:
    return [p for p in sorted(SRC.rglob("*.py")) if p.relative_to(SRC).parts[0] != "store"]


def test_no_module_outside_the_store_runs_sql():
    found = []
    for path in modules_outside_store():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in CONNECTION_METHODS):
                found.append(f"{path.relative_to(SRC)}:{node.lineno} .{node.func.attr}()")
    assert found == []


def test_review_and_web_never_import_duckdb():
    found = []
    for package in NO_DUCKDB:
        for path in sorted((SRC / package).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                         else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
                found += [f"{path.relative_to(SRC)}:{node.lineno}" for name in names if name.split(".")[0] == "duckdb"]
    assert [f for f in found if f.split(":")[0] not in KNOWN_DUCKDB] == []


def test_sessions_hand_out_repositories_and_read_sessions_are_read_only(tmp_path):
    import duckdb
    import pytest

    from dossier.store.session import ReadSession, WriteSession
    from dossier.store.warehouse import Warehouse

    warehouse = Warehouse(tmp_path / "w.duckdb")
    with warehouse.write() as session:
        assert isinstance(session, WriteSession)
        session.accounts.add_user("ana", "hash", "admin")
    with warehouse.read() as session:
        assert isinstance(session, ReadSession)
        assert [u["username"] for u in session.accounts.list_users()] == ["ana"]
        with pytest.raises(duckdb.Error, match="read-only"):
            session.accounts.add_user("ben", "hash", "viewer")
