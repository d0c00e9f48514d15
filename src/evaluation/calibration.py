"""Calibration of claim confidence: does a claim scored 0.8 turn out right about 80% of the time?

Each predicted claim on the gold set is correct when its (subject, type, polarity) is in
the gold annotation (a negated claim read as affirmed is wrong); its confidence is the score the warehouse would store (`score_claim`, with the
default source reliability, as the gold set has no sources). Claims fall into equal-width
confidence buckets; the expected calibration error (ECE) is the bucket-size-weighted mean
gap between mean confidence and accuracy.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

BUCKETS = 10


def reliability_table(pairs: Iterable[tuple[float, bool]], buckets: int = BUCKETS) -> dict[str, Any]:
    """Per-bucket count, mean confidence and accuracy, and the ECE, from (confidence, correct) pairs."""
    pairs = list(pairs)
    rows = []
    ece = 0.0
    for b in range(buckets):
        low, high = b / buckets, (b + 1) / buckets
        members = [(c, ok) for c, ok in pairs if low <= c < high or (b == buckets - 1 and c == 1.0)]
        if not members:
            continue
        confidence = sum(c for c, _ in members) / len(members)
        accuracy = sum(ok for _, ok in members) / len(members)
        ece += len(members) / len(pairs) * abs(confidence - accuracy)
        rows.append({"bucket": f"{low:.1f}–{high:.1f}", "claims": len(members),
                     "mean_confidence": round(confidence, 4), "accuracy": round(accuracy, 4)})
    return {"buckets": rows, "ece": round(ece, 4), "claims": len(pairs)}
