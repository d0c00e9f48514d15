"""A claim verdict applies to every copy of the claim (docs/review.md, "The same claim"): the
same sentence from other publishers, and other copies of the story in its near-duplicate
cluster, now and in articles later runs write. Real model, real DuckDB file, no network."""

from __future__ import annotations

import json

import duckdb
import pytest
from typer.testing import CliRunner

from dossier.cli.app import app
from dossier.review import desk
from dossier.store.warehouse import Warehouse
from tests.support.articles import ingest

SUPPLY = "Quayside Robotics will supply 400 sorting robots to Marrowgate Logistics under the deal."
PARTNERSHIP = "Quayside Robotics signed a partnership with Marrowgate Logistics on Monday, the companies said."
REWORDED = "Quayside Robotics is to deliver 400 sorting robots to Marrowgate Logistics as part of the agreement."
REWORDED_ELSEWHERE = "Quayside Robotics agreed to supply sorting robots to Marrowgate Logistics, a person familiar with the order said."

# Each publisher tells the story in its own words around the shared sentences, so the articles
# are not near-duplicates of one another (each is a story cluster of its own).
HARBOUR = (f"{PARTNERSHIP} {SUPPLY} The robots sort parcels in three warehouses in Ohio. "
           "Harbour Ledger understands the first machines arrive before the winter peak, when parcel volumes "
           "double and the depots run night shifts. Local officials welcomed the investment in the region.")
DOCKSIDE = (f"Automation is spreading through American freight depots. {PARTNERSHIP} {SUPPLY} "
            "Dockside Weekly spoke to warehouse staff in Columbus who said training on the new systems starts "
            "in spring. Unions have asked for guarantees that no jobs will be cut as a result.")
QUAYWATCH = (f"{SUPPLY} Quaywatch notes the order is the largest in the company's history. "
             "Investors cheered the news, and shares in the robot maker rose by a tenth in early trading on "
             "Tuesday before settling. Competitors are expected to respond with discounts.")
# A copy of Harbour Ledger's story, syndicated with the supply sentence reworded: same cluster.
HARBOUR_COPY = HARBOUR.replace(SUPPLY, REWORDED)
# The same event told in other words, in a story of its own: a different claim.
ELSEWHERE = (f"{REWORDED_ELSEWHERE} Freight Pulse hears that rival suppliers in Germany and Japan bid for "
             "the contract as well. The tender closed in August after months of trials at a depot in Kentucky, "
             "where engineers tested picking speed, battery life and the software that routes the machines.")


class Desk:
    """The warehouse as a reviewer and an analyst see it."""

    def __init__(self, path) -> None:
        self.path, self.warehouse = path, Warehouse(path)

    def rows(self, sql: str, params=()) -> list[tuple]:
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            return con.execute(sql, list(params)).fetchall()
        finally:
            con.close()

    def entity(self, name: str) -> str:
        return self.rows("SELECT id FROM entities WHERE name = ? AND kind = 'organisation'", [name])[0][0]

    def claims(self, ctype: str) -> dict[str, str | None]:
        """{publisher: verdict} of Quayside's claims of `ctype`, as the desk shows them."""
        with self.warehouse.read() as session:
            return {c.publisher: c.verdict for c in session.claims.entity_claims(self.entity("Quayside Robotics"))
                    if c.type == ctype and c.subject == "Quayside Robotics"}

    def claim_id(self, ctype: str, publisher: str) -> str:
        [(claim_id,)] = self.rows(
            "SELECT c.id FROM claims c JOIN articles a ON a.id = c.article_id JOIN entities s ON s.id = c.subject_id"
            " WHERE c.type = ? AND a.publisher = ? AND s.name = 'Quayside Robotics'", [ctype, publisher])
        return claim_id

    def key_points(self) -> list[str]:
        [(points,)] = self.rows("SELECT key_points FROM profiles WHERE name = 'Quayside Robotics' AND status = 'draft'")
        return [p["type"] for p in json.loads(points)]

    def verdicts_in_view(self, ctype: str) -> set[str | None]:
        return {v for (v,) in self.rows("SELECT review_verdict FROM v_claims WHERE subject = 'Quayside Robotics'"
                                        " AND type = ?", [ctype])}

    def exported_card(self, out, monkeypatch) -> str:
        monkeypatch.setenv("DOSSIER_WAREHOUSE_PATH", str(self.path))
        result = CliRunner().invoke(app, ["export", "cards", "--out", str(out)])
        assert result.exit_code == 0, result.output
        return (out / "quayside-robotics.md").read_text(encoding="utf-8")


@pytest.fixture
def desk_(tmp_path):
    d = Desk(tmp_path / "dossier.duckdb")
    ingest(d.warehouse, HARBOUR, 1, "harbourledger.example")
    ingest(d.warehouse, DOCKSIDE, 2, "dockside.example")
    return d


def test_the_copies_are_separate_story_clusters_with_the_same_sentence(desk_):
    clusters = desk_.rows("SELECT DISTINCT coalesce(cluster_id, id) FROM articles")
    assert len(clusters) == 2
    assert desk_.claims("supply") == {"harbourledger.example": None, "dockside.example": None}


def test_a_claim_rejected_once_leaves_every_copy_now_and_on_later_runs(desk_, tmp_path, monkeypatch):
    assert "supply" in desk_.key_points()
    claim_id = desk_.claim_id("supply", "harbourledger.example")
    with desk_.warehouse.write() as session:
        done = desk.review_claim(session, claim_id, "rejected", "ana", "not signed")
    assert done.copies == 2
    # Both copies (two publishers, one sentence) read as rejected, and are out of the profile and its card.
    assert desk_.claims("supply") == {"harbourledger.example": "rejected", "dockside.example": "rejected"}
    assert desk_.verdicts_in_view("supply") == {"rejected"}
    assert "supply" not in desk_.key_points()
    card = desk_.exported_card(tmp_path / "cards", monkeypatch)
    assert "supplies" not in card and SUPPLY not in card
    assert PARTNERSHIP in card or "partners with" in card  # the rest of the story is still there

    # A third publisher's copy, written by a later run, is rejected as it arrives.
    ingest(desk_.warehouse, QUAYWATCH, 3, "quaywatch.example")
    assert desk_.claims("supply")["quaywatch.example"] == "rejected"
    assert "supply" not in desk_.key_points()
    assert SUPPLY not in desk_.exported_card(tmp_path / "cards2", monkeypatch)

    # A syndicated copy of the reviewed story (same cluster) takes the verdict whatever its wording;
    # the same event told in other words in a story of its own is another claim, still open.
    ingest(desk_.warehouse, HARBOUR_COPY, 4, "syndicated.example")
    ingest(desk_.warehouse, ELSEWHERE, 5, "freightpulse.example")
    [(harbour_cluster,)] = desk_.rows("SELECT coalesce(cluster_id, id) FROM articles WHERE publisher = 'harbourledger.example'")
    [(copy_cluster,)] = desk_.rows("SELECT coalesce(cluster_id, id) FROM articles WHERE publisher = 'syndicated.example'")
    assert copy_cluster == harbour_cluster
    verdicts = desk_.claims("supply")
    assert verdicts["syndicated.example"] == "rejected"
    assert verdicts["freightpulse.example"] is None
    assert "supply" in desk_.key_points()  # the open claim speaks for itself


def test_an_accepted_claim_is_accepted_in_every_copy_and_a_later_verdict_wins(desk_):
    claim_id = desk_.claim_id("partnership", "dockside.example")
    with desk_.warehouse.write() as session:
        desk.review_claim(session, claim_id, "accepted", "ana")
    assert desk_.claims("partnership") == {"harbourledger.example": "accepted", "dockside.example": "accepted"}
    ingest(desk_.warehouse, QUAYWATCH.replace(SUPPLY, PARTNERSHIP), 3, "quaywatch.example")
    assert desk_.claims("partnership")["quaywatch.example"] == "accepted"
    # Rejected later on another copy: the latest verdict covers them all.
    claim_id = desk_.claim_id("partnership", "quaywatch.example")
    with desk_.warehouse.write() as session:
        desk.review_claim(session, claim_id, "rejected", "ben")
    assert set(desk_.claims("partnership").values()) == {"rejected"}
    assert desk_.verdicts_in_view("partnership") == {"rejected"}
    assert "partnership" not in desk_.key_points()


def test_migration_017_keys_the_verdicts_stored_before_it(desk_):
    """Verdicts stored before the key columns existed take their claim's key where the sentence is
    still the one reviewed; one given on a sentence since changed keeps no key (and stays re-opened)."""
    supply, partnership = desk_.claim_id("supply", "harbourledger.example"), desk_.claim_id("partnership", "dockside.example")
    con = duckdb.connect(str(desk_.path))
    try:  # the warehouse as it was before migration 017, with one verdict per claim
        con.execute("DROP VIEW v_claims")  # recreated on the next writer connection
        con.execute("CREATE TABLE before_017 AS SELECT id, claim_id, evidence_hash, entity_id, verdict, reviewer,"
                    " created_at, note, superseded_by FROM claim_reviews")
        con.execute("DROP TABLE claim_reviews")
        con.execute("ALTER TABLE before_017 RENAME TO claim_reviews")
        con.execute("DELETE FROM schema_migrations WHERE version = 17")
        con.execute("INSERT INTO claim_reviews SELECT 'r1', id, sha256(evidence), subject_id, 'rejected', 'ana',"
                    " now(), NULL, NULL FROM claims WHERE id = ?", [supply])
        con.execute("INSERT INTO claim_reviews SELECT 'r2', id, sha256('an older sentence'), subject_id, 'rejected', 'ana',"
                    " now(), NULL, NULL FROM claims WHERE id = ?", [partnership])
    finally:
        con.close()
    desk_.warehouse = Warehouse(desk_.path)
    with desk_.warehouse.write():
        pass  # a new process's first writer connection applies migration 017 and recreates the views
    keyed = dict(desk_.rows("SELECT id, sentence_key IS NOT NULL AND cluster_id IS NOT NULL FROM claim_reviews"))
    assert keyed == {"r1": True, "r2": False}
    assert desk_.claims("supply") == {"harbourledger.example": "rejected", "dockside.example": "rejected"}
    assert desk_.claims("partnership") == {"harbourledger.example": None, "dockside.example": None}
    assert desk_.verdicts_in_view("supply") == {"rejected"}


def test_a_verdict_follows_its_claims_through_a_merge_and_back(tmp_path):
    """A merge moves the verdict's subject with the claims, so a copy a later run writes under
    the kept organisation is still covered; an un-merge moves it back."""
    d = Desk(tmp_path / "dossier.duckdb")
    tidewell = "Tidewell Freight will supply 30 loading robots to Marrowgate Logistics under the deal."
    ingest(d.warehouse, f"{PARTNERSHIP} {tidewell} The robots sort parcels in three warehouses in Ohio. Local officials"
                        " welcomed the investment in the region.", 1, "harbourledger.example")
    [(claim_id,)] = d.rows("SELECT c.id FROM claims c JOIN entities s ON s.id = c.subject_id"
                           " WHERE s.name = 'Tidewell Freight' AND c.type = 'supply'")
    quayside, tidewell_id = d.entity("Quayside Robotics"), d.entity("Tidewell Freight")
    with d.warehouse.write() as session:
        desk.review_claim(session, claim_id, "rejected", "ana")
        desk.merge(session, quayside, tidewell_id, "ana", "one company")
    assert d.rows("SELECT subject_id FROM claim_reviews") == [(quayside,)]
    ingest(d.warehouse, f"Automation is spreading through American freight depots. {tidewell} Unions have asked for"
                        " guarantees that no jobs will be cut as a result.", 2, "dockside.example")
    assert set(d.claims("supply").values()) == {"rejected"}  # both copies, now Quayside's
    assert len(d.claims("supply")) == 2
    with d.warehouse.write() as session:
        desk.unmerge(session, quayside, tidewell_id, "ana")
    assert d.rows("SELECT subject_id FROM claim_reviews") == [(tidewell_id,)]
