"""The `extract --json` contract version in the code is the one its document states."""

from __future__ import annotations

import re
from pathlib import Path

from dossier.extract.contract import CONTRACT_VERSION

DOC = Path(__file__).resolve().parents[2] / "docs" / "extract-json.md"


def test_the_document_states_the_contract_version_of_the_code():
    title = DOC.read_text(encoding="utf-8").splitlines()[0]
    assert re.search(r"\(version (\d+)\)", title).group(1) == str(CONTRACT_VERSION)
