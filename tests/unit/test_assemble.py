"""Profile assembly from evidence rows (no warehouse needed)."""

from datetime import UTC, datetime

from dossier.profiles.assemble import assemble_profile, render_claim
from dossier.records.profiles import EntityEvidence, Place

WHEN = datetime(2025, 11, 20, tzinfo=UTC)


def claim(cid, ctype, polarity, modality, obj_id=None, obj=None, article="a1", publisher="wire.example", cluster=None):
    return {"id": cid, "subject_id": "e-open", "subject_name": "OpenAI", "type": ctype, "object_id": obj_id,
            "object_name": obj if obj_id else None, "object_text": None if obj_id else obj, "polarity": polarity,
            "modality": modality, "evidence": f"sentence {cid}", "evidence_start": 0, "evidence_end": 10,
            "article_id": article, "url": f"https://{publisher}/{article}", "title": "t", "publisher": publisher,
            "cluster_id": cluster or article, "published": WHEN, "reliability": 0.7, "extractor_confidence": 0.85,
            "confidence": 0.8}


def evidence(claims):
    articles = {c["article_id"]: {"article_id": c["article_id"], "url": c["url"], "title": "t", "publisher": c["publisher"],
                                  "cluster_id": c["cluster_id"], "published": WHEN, "reliability": 0.7} for c in claims}
    return EntityEvidence.model_validate({"entity": {"id": "e-open", "name": "OpenAI"}, "articles": list(articles.values()),
                                          "claims": claims})


def test_a_negated_claim_is_never_an_affirmed_key_point_or_relationship():
    claims = [claim("c1", "purchase_commitment", "negated", "asserted", "e-fox", "Foxconn"),
              claim("c2", "partnership", "affirmed", "reported", "e-fox", "Foxconn")]
    profile = assemble_profile("e-open", evidence(claims), now=WHEN)
    negated = [k for k in profile["key_points"] if k["type"] == "purchase_commitment"]
    assert negated and all(k["polarity"] == "negated" and "no purchase commitment" in k["text"] for k in negated)
    relation = [r for r in profile["relationships"] if r["type"] == "purchase_commitment"]
    assert relation and relation[0]["polarity"] == "negated"
    assert all(w["polarity"] == "affirmed" for w in profile["what_to_watch"])


def test_contradicting_sources_are_flagged_and_lower_confidence():
    agree = [claim("c1", "supply", "affirmed", "asserted", "e-fox", "Foxconn", article="a1", publisher="one.example"),
             claim("c2", "supply", "affirmed", "asserted", "e-fox", "Foxconn", article="a2", publisher="two.example")]
    disagree = [agree[0], claim("c3", "supply", "negated", "asserted", "e-fox", "Foxconn", article="a2", publisher="two.example")]
    agreed, contradicted = (assemble_profile("e-open", evidence(c), now=WHEN) for c in (agree, disagree))
    assert contradicted["score_components"]["contradictions"] and not agreed["score_components"]["contradictions"]
    assert contradicted["confidence"] < agreed["confidence"]


def test_object_less_claims_render_as_labels():
    assert render_claim("OpenAI", "purchase_commitment", None, "negated") == "OpenAI: no purchase commitment"
    assert render_claim("OpenAI", "purchase_option", None, "affirmed") == "OpenAI: option to buy"
    assert render_claim("Foxconn", "supply", "OpenAI", "affirmed") == "Foxconn supplies OpenAI"


def test_dated_claims_are_watched_and_history_is_not():
    from dossier.profiles.assemble import dated

    assert dated("Shipments will begin by the end of 2026.") == "by the end of 2026"
    assert dated("Deliveries start next year.") == "next year"
    assert dated("It was founded in 1990 by two engineers.") is None
    claims = [claim("c1", "supply", "affirmed", "asserted", "e-fox", "Foxconn")]
    claims[0]["evidence"] = "OpenAI will take delivery of racks from Foxconn by March 2026."
    profile = assemble_profile("e-open", evidence(claims), now=WHEN)
    assert [w["when"] for w in profile["what_to_watch"]] == ["by March 2026"]


def place(name, country, kind, articles=1, continent="North America"):
    return Place(name=name, country=country, continent=continent, tie=kind, articles=articles, kinds={kind: articles})


def test_base_comes_from_headquarters_ties_never_from_sites_or_passing_mentions():
    from dossier.profiles.assemble import decide_base

    hq = place("Taipei", "TW", "headquarters", continent="Asia")
    sites = [place("Wisconsin", "US", "site", 5), place("Texas", "US", "site", 3)]
    market = place("Mexico", "MX", "market", 9)
    assert decide_base([*sites, market, hq])[0] == "TW"  # one headquarters article beats five site articles
    assert decide_base([market, *sites]) == (None, "no headquarters tie")  # sites and markets never decide
    assert decide_base([market, place("Chile", "CL", "other", 12, "South America")])[0] is None


def test_base_takes_the_majority_of_headquarters_ties_and_reference_data_first():
    from dossier.profiles.assemble import decide_base

    us = [place("Redmond", "US", "headquarters", 3), place("US", "US", "headquarters", 2)]
    netherlands = place("Amsterdam", "NL", "headquarters", 1, "Europe")
    assert decide_base([netherlands, *us]) == ("US", "headquarters ties: US in 5, NL in 1 article(s)")
    assert decide_base([netherlands, place("Berlin", "DE", "headquarters", 1, "Europe")])[0] is None  # a tie: unknown
    assert decide_base([place("North America", None, "headquarters", 9)])[0] is None  # a region has no country
    assert decide_base([netherlands], "GB", "ptk:GB0001") == ("GB", "reference: ptk:GB0001")


def test_the_evidence_list_shows_a_sentence_once_with_its_copies():
    first = claim("c1", "partnership", "affirmed", "reported", "e-fox", "Foxconn", article="a1")
    same = {**claim("c2", "supply", "affirmed", "asserted", "e-fox", "Foxconn", article="a1"), "evidence": first["evidence"]}
    copy = {**first, "id": "c3", "article_id": "a2", "url": "https://wire.example/a2"}
    other = claim("c4", "facility", "affirmed", "planned", article="a3")
    items = assemble_profile("e-open", evidence([first, same, copy, other]), now=WHEN)["evidence"]
    assert [(i["sentence"], i["copies"]) for i in items] == [("sentence c1", 2), ("sentence c4", 1)]
    assert [c["type"] for c in items[0]["claims"]] == ["partnership", "supply"]


def test_syndicated_copies_with_claims_leave_the_profile_score_unchanged():
    # The first report carries a hedged claim and an asserted one; two copies repeat the asserted one.
    first = [claim("c1", "partnership", "affirmed", "hedged", "e-fox", "Foxconn", article="a1"),
             claim("c2", "supply", "affirmed", "asserted", "e-fox", "Foxconn", article="a1")]
    first[0]["extractor_confidence"] = 0.6
    copies = [{**first[1], "id": f"c{n}", "article_id": f"a{n}", "url": f"https://paper{n}.example/a{n}",
               "publisher": f"paper{n}.example", "cluster_id": "a1"} for n in (3, 4)]
    other = {**first[1], "id": "c5", "article_id": "a5", "url": "https://other.example/a5", "publisher": "other.example",
             "cluster_id": "a5"}
    score = lambda claims: assemble_profile("e-open", evidence(claims), now=WHEN)["confidence"]
    assert score(first + copies) == score(first)
    assert score(first + [other]) > score(first)


def test_a_symmetric_claim_is_one_key_point_not_one_per_direction():
    ours = claim("c1", "partnership", "affirmed", "reported", "e-fox", "Foxconn")
    theirs = {**claim("c2", "partnership", "affirmed", "reported", "e-open", "OpenAI", article="a2"),
              "subject_id": "e-fox", "subject_name": "Foxconn"}
    supply = {**claim("c3", "supply", "affirmed", "asserted", "e-open", "OpenAI", article="a3"),
              "subject_id": "e-fox", "subject_name": "Foxconn"}
    points = [k["text"] for k in assemble_profile("e-open", evidence([ours, theirs, supply]), now=WHEN)["key_points"]]
    assert sum("partners with" in p for p in points) == 1 and "Foxconn supplies OpenAI" in points


def test_a_name_can_say_where_the_organisation_is_based():
    from dossier.profiles.assemble import decide_base, name_country

    assert name_country(["Bank of England"]) == ("GB", "Bank of England")
    assert name_country(["BA", "British Airways"]) == ("GB", "British Airways")
    assert name_country(["European Union"]) is None and name_country(["Microsoft"]) is None
    hq = place("Amsterdam", "NL", "headquarters", 1, "Europe")
    assert decide_base([hq], named=("GB", "Bank of England")) == ("GB", "its name: Bank of England")
