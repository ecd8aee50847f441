"""The public draw (当众抽签) algorithm: pure functions anyone can re-run.

Protocol (what the public verification page explains):

1. Before the draw the platform publishes the candidate list (each with a ``key``,
   e.g. ``E12`` for an expert or a case number) and the commitment
   ``SHA-256(seed)`` of a secret seed of 32 random bytes written as 64 lowercase
   hex characters. The seed stays secret until the draw.
2. At the meeting, the chair announces a public number (``public_entropy``: dice
   rolled in the room, the last digits of a lottery draw …). Staff who know the
   seed therefore cannot know the result in advance, and the meeting cannot steer
   it because the seed is already fixed by the commitment.
3. Every candidate gets the score
   ``HMAC-SHA256(key=seed, message=public_entropy + "|" + candidate key)`` (both
   UTF-8, the score as lowercase hex). Candidates are ordered by score, then by key;
   the first ``count`` are drawn, in that order.
4. After the draw the seed is revealed. Anyone checks ``SHA-256(seed)`` against the
   commitment and recomputes step 3, e.g. in Python::

       import hashlib, hmac
       score = lambda key: hmac.new(seed.encode(), f"{entropy}|{key}".encode(),
                                    hashlib.sha256).hexdigest()
       drawn = sorted(keys, key=lambda k: (score(k), k))[:count]
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable

SEED_BYTES = 32


def seed_new() -> str:
    """A new secret seed: 32 random bytes as 64 lowercase hex characters."""
    return secrets.token_hex(SEED_BYTES)


def seed_commitment(seed: str) -> str:
    """The published commitment: SHA-256 of the seed's ASCII text, in hex."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def candidate_score(*, seed: str, public_entropy: str, key: str) -> str:
    """The HMAC-SHA256 score of one candidate (lowercase hex)."""
    message = f"{public_entropy}|{key}".encode()
    return hmac.new(seed.encode("utf-8"), message, hashlib.sha256).hexdigest()


def draw_compute(
    *, seed: str, public_entropy: str, keys: Iterable[str], count: int
) -> list[str]:
    """The keys drawn: lowest scores first, ties (never in practice) by key."""
    ordered = sorted(
        (str(k) for k in keys),
        key=lambda k: (
            candidate_score(seed=seed, public_entropy=public_entropy, key=k),
            k,
        ),
    )
    return ordered[:count]
