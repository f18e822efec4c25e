"""Shared fixtures of the crypto unit tests: a few packed random blobs and their commitments.

Committing a blob costs about 45 ms, so the blobs are made once per session.
"""

from __future__ import annotations

import random

import pytest

from memo_py import native

BLOB_COUNT = 4


def random_blob(rng: random.Random) -> bytes:
    return native.pack_blobs(rng.randbytes(native.PAYLOAD_BYTES_PER_BLOB))


@pytest.fixture(scope="session")
def blobs() -> list[bytes]:
    rng = random.Random(2026)
    return [random_blob(rng) for _ in range(BLOB_COUNT)]


@pytest.fixture(scope="session")
def commitments(blobs: list[bytes]) -> list[bytes]:
    from memo_py.crypto import kzg

    return [kzg.commit(b) for b in blobs]


@pytest.fixture(scope="session")
def other_blob() -> bytes:
    return random_blob(random.Random(7))


@pytest.fixture(scope="session", autouse=True)
def _session_blobs(blobs: list[bytes], commitments: list[bytes], other_blob: bytes) -> None:
    """Build the session fixtures before any test-level isolation starts (ape warns otherwise)."""
