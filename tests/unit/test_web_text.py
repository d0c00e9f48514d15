"""What the desk tells a reviewer after an action."""

from __future__ import annotations

import pytest

from dossier.records.review import ClaimVerdict
from dossier.web.routes.claims import verdict_done


@pytest.mark.parametrize(("copies", "said"), [
    (1, "Claim rejected."),
    (2, "Claim rejected, and with it 1 copy of it from other stories."),
    (4, "Claim rejected, and with it 3 copies of it from other stories."),
])
def test_a_claim_verdict_says_how_many_copies_it_covered(copies, said):
    done = ClaimVerdict(verdict="rejected", claim="c1", type="supply", polarity="affirmed",
                        evidence="Quayside supplies Marrowgate.", copies=copies)
    assert verdict_done(done) == said
