"""Signed HTTP requests between MEMO agents.

Every request between a User, a Provider and a Keeper carries four headers:

- ``X-Memo-Address``: the sender's Ethereum address;
- ``X-Memo-Expiry``: a Unix time after which the request is void;
- ``X-Memo-Nonce``: 16 random bytes, hex;
- ``X-Memo-Signature``: an EIP-191 signature over the canonical request.

The canonical request binds the method, path, query, a SHA-256 of the body,
the expiry, the nonce and the *audience* (the receiver's address), so a
request cannot be replayed, moved to another path, or relayed to another
Provider. The receiver remembers each accepted nonce until its expiry; the
store is pluggable so a daemon can keep nonces across restarts (SQLite).
"""

from __future__ import annotations

import functools
import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Mapping
from typing import Protocol

from eth_account import Account
from eth_account.signers.local import LocalAccount
from eth_account.messages import encode_defunct
from eth_utils import is_address, to_checksum_address

from memo_py.errors import BadRequestSignature, RequestExpired, RequestReplayed

__all__ = [
    "HEADER_ADDRESS",
    "HEADER_EXPIRY",
    "HEADER_NONCE",
    "HEADER_SIGNATURE",
    "DEFAULT_TTL",
    "MAX_TTL",
    "canonical_request",
    "sign_request",
    "NonceStore",
    "MemoryNonceStore",
    "SqliteNonceStore",
    "RequestVerifier",
]

HEADER_ADDRESS = "X-Memo-Address"
HEADER_EXPIRY = "X-Memo-Expiry"
HEADER_NONCE = "X-Memo-Nonce"
HEADER_SIGNATURE = "X-Memo-Signature"

#: Lifetime a sender gives its requests by default, in seconds.
DEFAULT_TTL = 60
#: Longest lifetime a receiver accepts; longer would make the nonce store grow without bound.
MAX_TTL = 600

_DOMAIN = b"MEMO-REQUEST-V1"


def canonical_request(
    method: str, path: str, query: str, body: bytes, expiry: int, nonce: str, audience: str
) -> bytes:
    """The exact bytes both sides sign and check (one field per line)."""
    fields = [
        _DOMAIN,
        method.upper().encode(),
        path.encode(),
        query.encode(),
        hashlib.sha256(body).hexdigest().encode(),
        str(int(expiry)).encode(),
        nonce.lower().encode(),
        to_checksum_address(audience).encode(),
    ]
    return b"\n".join(fields)


def sign_request(
    private_key: bytes | str,
    method: str,
    path: str,
    body: bytes = b"",
    *,
    audience: str,
    query: str = "",
    ttl: int = DEFAULT_TTL,
    now: float | None = None,
) -> dict[str, str]:
    """Headers that authenticate one request from the key's owner to ``audience``."""
    if not 0 < ttl <= MAX_TTL:
        raise ValueError(f"ttl must be in 1..{MAX_TTL} seconds, got {ttl}")
    account = _account(private_key)
    expiry = int((time.time() if now is None else now) + ttl)
    nonce = os.urandom(16).hex()
    message = canonical_request(method, path, query, body, expiry, nonce, audience)
    signature = account.sign_message(encode_defunct(primitive=message)).signature
    return {
        HEADER_ADDRESS: account.address,
        HEADER_EXPIRY: str(expiry),
        HEADER_NONCE: nonce,
        HEADER_SIGNATURE: "0x" + bytes(signature).hex(),
    }


@functools.lru_cache(maxsize=64)
def _account(private_key: bytes | str) -> LocalAccount:
    """Key parsing costs more than the signature itself; agents sign with few keys, many times."""
    return Account.from_key(private_key)


class NonceStore(Protocol):
    """Remembers accepted nonces until they expire."""

    def claim(self, address: str, nonce: str, expiry: int, now: float) -> bool:
        """Record the nonce; False if it was already recorded (a replay)."""
        ...


class MemoryNonceStore:
    """A process-local nonce store, pruned of expired entries as it goes."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], int] = {}
        self._lock = threading.Lock()

    def claim(self, address: str, nonce: str, expiry: int, now: float) -> bool:
        key = (address, nonce)
        with self._lock:
            if len(self._seen) > 4096:
                self._seen = {k: e for k, e in self._seen.items() if e >= now}
            if key in self._seen:
                return False
            self._seen[key] = expiry
            return True


class SqliteNonceStore:
    """A nonce store that survives restarts, so a replay after a crash is still refused."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._db = sqlite3.connect(os.fspath(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        # NORMAL in WAL mode survives a process crash; only a power loss could forget the last
        # few nonces, and their requests expire within MAX_TTL anyway. FULL would fsync on every
        # request and serialise a Provider's reads behind the disk.
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS nonces ("
            " address TEXT NOT NULL, nonce TEXT NOT NULL, expiry INTEGER NOT NULL,"
            " PRIMARY KEY (address, nonce))"
        )
        self._db.execute("CREATE INDEX IF NOT EXISTS nonces_expiry ON nonces (expiry)")
        self._lock = threading.Lock()
        self._pruned = 0.0

    def claim(self, address: str, nonce: str, expiry: int, now: float) -> bool:
        with self._lock:
            if now - self._pruned >= 1.0:  # pruning once a second is plenty
                self._db.execute("DELETE FROM nonces WHERE expiry < ?", (int(now),))
                self._pruned = now
            try:
                self._db.execute(
                    "INSERT INTO nonces (address, nonce, expiry) VALUES (?, ?, ?)", (address, nonce, expiry)
                )
            except sqlite3.IntegrityError:
                return False
            return True

    def close(self) -> None:
        self._db.close()


class RequestVerifier:
    """Checks signed requests addressed to ``audience`` and returns their sender."""

    def __init__(
        self,
        audience: str,
        nonces: NonceStore | None = None,
        *,
        max_ttl: int = MAX_TTL,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not is_address(audience):
            raise ValueError(f"audience must be an address, got {audience!r}")
        self.audience = to_checksum_address(audience)
        self.nonces = nonces if nonces is not None else MemoryNonceStore()
        self.max_ttl = max_ttl
        self.clock = clock

    def verify(
        self, method: str, path: str, query: str, body: bytes, headers: Mapping[str, str]
    ) -> str:
        """Return the checksum address of the signer, or raise a ``RequestRejected`` subclass."""
        lowered = {k.lower(): v for k, v in headers.items()}
        try:
            claimed = lowered[HEADER_ADDRESS.lower()]
            expiry_text = lowered[HEADER_EXPIRY.lower()]
            nonce = lowered[HEADER_NONCE.lower()]
            signature = lowered[HEADER_SIGNATURE.lower()]
        except KeyError as missing:
            raise BadRequestSignature(f"request is not signed: header {missing.args[0]} is missing") from None
        if not is_address(claimed):
            raise BadRequestSignature(f"{HEADER_ADDRESS} is not an address: {claimed!r}")
        if not expiry_text.isdigit():
            raise BadRequestSignature(f"{HEADER_EXPIRY} is not a Unix time: {expiry_text!r}")
        if len(nonce) != 32 or any(c not in "0123456789abcdefABCDEF" for c in nonce):
            raise BadRequestSignature(f"{HEADER_NONCE} must be 16 bytes of hex")
        expiry = int(expiry_text)
        now = self.clock()
        if expiry < now:
            raise RequestExpired(f"request expired {int(now - expiry)} s ago")
        if expiry > now + self.max_ttl:
            raise RequestExpired(f"request expiry is more than {self.max_ttl} s ahead")
        message = canonical_request(method, path, query, body, expiry, nonce, self.audience)
        try:
            signer = Account.recover_message(encode_defunct(primitive=message), signature=signature)
        except Exception as exc:  # eth-account raises several types for malformed signatures
            raise BadRequestSignature(f"signature is malformed: {exc}") from None
        if signer != to_checksum_address(claimed):
            raise BadRequestSignature("signature does not match the request or the sender")
        if not self.nonces.claim(signer, nonce.lower(), expiry, now):
            raise RequestReplayed(f"nonce {nonce} was already used by {signer}")
        return signer
