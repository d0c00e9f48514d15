"""No secret reaches an analyst (issue 16, item 8): the snapshot notebooks open and the tables of
`dossier export parquet --tables` hold no users, password hashes, session versions or sign-in
attempts; everything else is there. A real warehouse with a user and sign-in attempts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.review.accounts import add_account
from dossier.store.snapshot import SECRET_TABLES, publish_snapshot
from dossier.store.warehouse import Warehouse

PASSWORD = "a long enough password"
CLIENT = "203.0.113.77"


@pytest.fixture
def warehouse(tmp_path) -> Warehouse:
    warehouse = Warehouse(tmp_path / "dossier.duckdb")
    with warehouse.write() as con:
        con.execute("INSERT INTO feeds (url, added_at, origin, active) VALUES ('https://news.example/rss', now(), 'user', TRUE)")
        add_account(con, "ana", PASSWORD, "admin")
        con.accounts.record_login_attempt(datetime.now(UTC), "mallory", CLIENT, "failed")
    return warehouse


def tables(path: Path) -> set[str]:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    finally:
        con.close()


def objects(path: Path) -> dict[str, set[str]]:
    """Tables, views, sequences and indexes of a database file."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {kind: {name for (name,) in con.execute(sql).fetchall()} for kind, sql in {
            "tables": "SELECT table_name FROM duckdb_tables()",
            "views": "SELECT view_name FROM duckdb_views() WHERE NOT internal",
            "sequences": "SELECT sequence_name FROM duckdb_sequences()",
            "indexes": "SELECT index_name FROM duckdb_indexes()"}.items()}
    finally:
        con.close()


def test_the_snapshot_schema_is_the_warehouse_without_its_secret_tables(warehouse, tmp_path):
    snap = publish_snapshot(warehouse, tmp_path / "snap" / "dossier.snapshot.duckdb")
    live, published = objects(warehouse.path), objects(snap.path)
    assert SECRET_TABLES == {"users", "login_attempts"} and SECRET_TABLES <= live["tables"]
    assert published["tables"] == live["tables"] - SECRET_TABLES
    assert published["views"] == live["views"] and published["sequences"] == live["sequences"]
    assert published["indexes"] == {i for i in live["indexes"] if not i.startswith(("login_attempts", "users"))}
    con = duckdb.connect(str(snap.path), read_only=True)
    try:
        assert con.execute("SELECT url FROM feeds").fetchall() == [("https://news.example/rss",)]
        assert con.execute("SELECT count(*) FROM schema_migrations").fetchone()[0] > 0
    finally:
        con.close()
    # Not in free pages either: no byte of the hash, the client address or the name tried.
    raw = snap.path.read_bytes()
    assert b"$argon2id$" not in raw and CLIENT.encode() not in raw and b"mallory" not in raw
    assert b"$argon2id$" in warehouse.path.read_bytes()  # the check can see them where they are
    assert not list(snap.path.parent.glob(".*tmp"))  # the private full copy is gone


def test_the_table_export_leaves_out_users_and_sign_in_attempts(warehouse, tmp_path, monkeypatch):
    monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(warehouse.path))
    out = tmp_path / "parquet"
    result = CliRunner().invoke(app, ["export", "parquet", "--tables", "--out", str(out)])
    assert result.exit_code == 0, result.output
    exported = {p.stem for p in (out / "tables").glob("*.parquet")}
    assert "feeds" in exported and not exported & SECRET_TABLES
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert b"$argon2id$" not in data and CLIENT.encode() not in data and b"login_attempts" not in data, path
            assert b"password_hash" not in data, path
    rebuilt = duckdb.connect(str(tmp_path / "rebuilt.duckdb"))
    try:
        rebuilt.execute(f"IMPORT DATABASE '{out / 'tables'}'")
        assert rebuilt.execute("SELECT url FROM feeds").fetchall() == [("https://news.example/rss",)]
    finally:
        rebuilt.close()
    assert not [p for p in tmp_path.rglob(".dossier-export-*")]  # the redacted scratch copy is gone
