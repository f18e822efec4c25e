"""Wire-level protocol between agents: signed HTTP requests."""

from memo_py.protocol.auth import (
    MemoryNonceStore,
    NonceStore,
    RequestVerifier,
    SqliteNonceStore,
    canonical_request,
    sign_request,
)

__all__ = [
    "MemoryNonceStore",
    "NonceStore",
    "RequestVerifier",
    "SqliteNonceStore",
    "canonical_request",
    "sign_request",
]
