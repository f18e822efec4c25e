"""Wire-level protocol between agents: signed HTTP requests."""

from memo_py.protocol.auth import (
    MemoryNonceStore,
    NonceStore,
    RequestVerifier,
    SqliteNonceStore,
    canonical_request,
    sign_request,
)
from memo_py.protocol.http import (
    RemoteError,
    SignedClient,
    authenticate,
    error_response,
    get_public_json,
    parse_answer,
    read_body,
)

__all__ = [
    "RemoteError",
    "SignedClient",
    "authenticate",
    "error_response",
    "get_public_json",
    "parse_answer",
    "read_body",
    "MemoryNonceStore",
    "NonceStore",
    "RequestVerifier",
    "SqliteNonceStore",
    "canonical_request",
    "sign_request",
]
