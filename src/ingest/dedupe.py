"""Near-duplicate detection: syndicated and wire copies of one story share a cluster.

MinHash signatures of word 5-gram shingles, compared with MinHash LSH (datasketch). A new
article joins the cluster of the earliest stored article it nearly duplicates (estimated
Jaccard similarity of shingles at least THRESHOLD); otherwise it starts its own cluster.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np
from datasketch import MinHash, MinHashLSH

NUM_PERM = 128
SCHEME = "affine32"  # stated explicitly: stored signatures must be rebuilt with the scheme that made them
SHINGLE = 5
THRESHOLD = 0.5  # wire copies with a rewritten lead and a line added stay above it; distinct stories fall far below
_WORD = re.compile(r"\w+", re.UNICODE)
# LSH bands x rows: what MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM) chooses (a test
# checks); the warehouse's bucket index (migration 009) is cut the same way.
BANDS, ROWS = 25, 5


def signature(text: str) -> bytes:
    """The MinHash signature of a text's word shingles, as bytes for storage."""
    words = [w.lower() for w in _WORD.findall(text)]
    shingles = {" ".join(words[i : i + SHINGLE]) for i in range(max(1, len(words) - SHINGLE + 1))}
    minhash = MinHash(num_perm=NUM_PERM, scheme=SCHEME)
    minhash.update_batch([s.encode("utf-8") for s in shingles])
    return minhash.hashvalues.astype(np.uint32).tobytes()


def buckets(blob: bytes) -> list[int]:
    """The LSH bucket of each band of a stored signature: articles sharing one are candidates.

    The first 60 bits of md5("<band>:<band bytes in upper-case hex>"), so SQL can compute the
    same keys (migration 009 fills the index of warehouses that predate it)."""
    width = ROWS * 4  # bytes of a band: ROWS uint32 values
    return [
        int(hashlib.md5(f"{band}:{blob[band * width:(band + 1) * width].hex().upper()}".encode()).hexdigest()[:15], 16)
        for band in range(BANDS)
    ]


def _minhash(blob: bytes) -> MinHash:
    return MinHash(num_perm=NUM_PERM, hashvalues=np.frombuffer(blob, dtype=np.uint32), scheme=SCHEME)


def assign_clusters(
    new: Sequence[tuple[str, bytes]], known: Sequence[tuple[str, str, bytes]]
) -> dict[str, str]:
    """{article id: cluster id} for `new` (id, signature) articles, given `known` (id, cluster, signature).

    New articles are matched in order, so a later copy in the same batch joins an earlier one.
    `known` need only hold the stored articles sharing a bucket with a new one (and the new
    ones' own earlier rows): no other stored article can be an LSH candidate."""
    lsh = MinHashLSH(threshold=THRESHOLD, num_perm=NUM_PERM)
    cluster_of: dict[str, str] = {}
    hashes: dict[str, MinHash] = {}
    for article_id, cluster_id, blob in known:
        if article_id in cluster_of or blob is None:
            continue
        hashes[article_id] = _minhash(blob)
        lsh.insert(article_id, hashes[article_id])
        cluster_of[article_id] = cluster_id or article_id
    assigned: dict[str, str] = {}
    for article_id, blob in new:
        minhash = _minhash(blob)
        matches = [m for m in lsh.query(minhash) if m != article_id and hashes[m].jaccard(minhash) >= THRESHOLD]
        # The cluster of the best match; its cluster id is its earliest article's id.
        best = max(matches, key=lambda m: (hashes[m].jaccard(minhash), m), default=None)
        cluster = cluster_of[best] if best is not None else cluster_of.get(article_id, article_id)
        assigned[article_id] = cluster
        if article_id not in hashes:
            hashes[article_id] = minhash
            lsh.insert(article_id, minhash)
        cluster_of[article_id] = cluster
    return assigned
