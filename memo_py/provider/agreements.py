"""Agreements: the terms a User and the Provider settle on before any chunk moves.

An agreement is keyed by the Market's order id,
``keccak256(abi_encode(address user, address provider, uint256 nonce))``, so the
off-chain agreement and the on-chain order are the same thing seen twice.

Each agreement reserves ``blob_count * 126976`` payload bytes. Reserved bytes
count against the Provider's capacity whether or not the chunks have arrived,
so two Users cannot both be promised the same free space. Proposing the same
nonce again is idempotent when the terms are identical and grows the
reservation when only ``blob_count`` is larger; any other change is a conflict.

The table lives in SQLite (WAL, ``synchronous=FULL``): an agreement the Provider
answered for survives a crash. Co-signed order updates are kept too, so the
Provider can submit them itself.

**Releases.** A User who deletes data asks for an update that *releases* chunks:
their blobs leave the order's ``size`` (the escrow of the epochs not yet paid
goes back) and the root puts the zero commitment in their place
(:mod:`memo_py.provider.versions`). Two tables record this, in the same
transaction as the co-signed update, before the signature leaves the Provider:

- ``released``: every chunk the Provider agreed to release (it stays released:
  every later update of the order must release it too), and whether its file is
  deleted yet; a deleted chunk's bytes no longer count against the capacity;
- ``versions``: for every root the Provider co-signed, the chunks it releases, so
  that an epoch proven (or a dispute opened) under an older root still finds the
  data that root commits to, and one under a newer root knows what it may skip.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from eth_abi import encode as abi_encode
from eth_utils import keccak, to_checksum_address

from memo_py.errors import AgreementConflict, CapacityExceeded, UnknownOrder
from memo_py.native import PAYLOAD_BYTES_PER_BLOB

__all__ = ["Terms", "Agreement", "AgreementBook", "Released", "order_id"]

_UINT256 = 2**256


def order_id(user: str, provider: str, nonce: int) -> bytes:
    """keccak256(abi_encode(user, provider, nonce)): the Market's order id."""
    return keccak(abi_encode(["address", "address", "uint256"], [user, provider, int(nonce)]))


@dataclass(frozen=True)
class Terms:
    """What a User proposes in ``POST /agreements``."""

    nonce: int
    price: int
    start_epoch: int
    end_epoch: int
    blob_count: int
    chunk_blobs: int

    @classmethod
    def from_json(cls, body: Any) -> Terms:
        """Parse and range-check a JSON body (raises ValueError naming the field)."""
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        values = {}
        for name in ("nonce", "price", "start_epoch", "end_epoch", "blob_count", "chunk_blobs"):
            value = body.get(name)
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"{name} must be an integer")
            if not 0 <= value < _UINT256:
                raise ValueError(f"{name} must be a uint256")
            values[name] = value
        terms = cls(**values)
        if terms.end_epoch <= terms.start_epoch:
            raise ValueError(f"end_epoch {terms.end_epoch} must be after start_epoch {terms.start_epoch}")
        if terms.chunk_blobs < 1:
            raise ValueError("chunk_blobs must be at least 1")
        if terms.blob_count < 1 or terms.blob_count % terms.chunk_blobs:
            raise ValueError(f"blob_count {terms.blob_count} must be a positive multiple of chunk_blobs {terms.chunk_blobs}")
        return terms


@dataclass(frozen=True)
class Agreement:
    """An accepted agreement: the order id, its User and its terms."""

    order_id: bytes
    user: str
    provider: str
    nonce: int
    price: int
    start_epoch: int
    end_epoch: int
    blob_count: int
    chunk_blobs: int

    @property
    def size(self) -> int:
        """Payload bytes reserved (the order's ``size``)."""
        return self.blob_count * PAYLOAD_BYTES_PER_BLOB

    @property
    def chunk_bytes(self) -> int:
        return self.chunk_blobs * PAYLOAD_BYTES_PER_BLOB

    def same_terms(self, terms: Terms) -> bool:
        """Whether ``terms`` match in everything but the blob count."""
        return self.same_price(terms) and self.end_epoch == terms.end_epoch

    def same_price(self, terms: Terms) -> bool:
        """Whether ``terms`` match in everything but the blob count and the end."""
        return (self.price, self.start_epoch, self.chunk_blobs) == (terms.price, terms.start_epoch, terms.chunk_blobs)

    def retimable(self, terms: Terms) -> bool:
        """Whether ``terms`` move this agreement's start later at the same price and chunk
        size, for no shorter a term (see :meth:`AgreementBook.propose`)."""
        return (
            terms.start_epoch > self.start_epoch
            and (terms.price, terms.chunk_blobs) == (self.price, self.chunk_blobs)
            and terms.end_epoch - terms.start_epoch >= self.end_epoch - self.start_epoch
        )


@dataclass(frozen=True)
class Released:
    """A chunk the Provider agreed to release: from which update on, and whether it is gone."""

    first_blob: int
    blobs: int
    seq: int
    deleted: bool


_SCHEMA = """
CREATE TABLE IF NOT EXISTS agreements (
    order_id    BLOB PRIMARY KEY,
    user        TEXT NOT NULL,
    provider    TEXT NOT NULL,
    nonce       TEXT NOT NULL,
    price       TEXT NOT NULL,
    start_epoch INTEGER NOT NULL,
    end_epoch   INTEGER NOT NULL,
    blob_count  INTEGER NOT NULL,
    chunk_blobs INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS cosigned (
    order_id           BLOB NOT NULL,
    seq                TEXT NOT NULL,
    update_json        TEXT NOT NULL,
    user_signature     BLOB NOT NULL,
    provider_signature BLOB NOT NULL,
    PRIMARY KEY (order_id, seq)
);
CREATE TABLE IF NOT EXISTS released (
    order_id   BLOB NOT NULL,
    first_blob INTEGER NOT NULL,
    blobs      INTEGER NOT NULL,
    seq        TEXT NOT NULL,
    deleted    INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (order_id, first_blob)
);
CREATE TABLE IF NOT EXISTS versions (
    order_id   BLOB NOT NULL,
    root       BLOB NOT NULL,
    seq        TEXT NOT NULL,
    released   TEXT NOT NULL,
    seen_epoch INTEGER,
    PRIMARY KEY (order_id, root)
);
"""


class AgreementBook:
    """The Provider's agreements, with capacity reservation."""

    def __init__(self, path: str | os.PathLike[str], provider: str, capacity: int) -> None:
        if capacity <= 0:
            raise ValueError(f"capacity must be positive, got {capacity}")
        self.provider = to_checksum_address(provider)
        self.capacity = capacity
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(os.fspath(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)
        self._lock = threading.Lock()

    # -- agreements ---------------------------------------------------------

    def propose(self, user: str, terms: Terms, *, unsettled: bool = False) -> tuple[Agreement, bool]:
        """Accept, grow, renew (a later ``end_epoch``, same price), re-time or confirm an
        agreement; returns it and whether anything changed.

        **Re-timing.** With ``unsettled`` (the caller found no such order on chain), the
        User may move the start later, keeping the price, the chunk size and at least the
        term: an upload that outlasted its order's start can still be settled. Nothing
        was paid under an unsettled agreement and the stored blobs stay, so the move
        costs the Provider nothing; an update it co-signed under the old start can still
        land, and then the chain's terms are the order's (the User's loss, not its).

        Raises AgreementConflict when the nonce is taken with other terms (or a smaller
        blob count), and CapacityExceeded when the new bytes do not fit.
        """
        user = to_checksum_address(user)
        oid = order_id(user, self.provider, terms.nonce)
        with self._lock:
            existing = self._get(oid)
            retimed = existing is not None and unsettled and existing.retimable(terms)
            if retimed:
                assert existing is not None
                shift = terms.start_epoch - existing.start_epoch
                existing = replace(existing, start_epoch=terms.start_epoch, end_epoch=existing.end_epoch + shift)
            if existing is None:
                extra = terms.blob_count * PAYLOAD_BYTES_PER_BLOB
                agreement = Agreement(oid, user, self.provider, **asdict(terms))
            else:
                # A later end at the same price is a renewal (the Market lets a co-signed
                # update lengthen the term); anything else is another order's terms.
                if not existing.same_price(terms) or terms.end_epoch < existing.end_epoch:
                    raise AgreementConflict(f"order 0x{oid.hex()} exists with other terms")
                if terms.blob_count < existing.blob_count:
                    raise AgreementConflict(
                        f"order 0x{oid.hex()} already covers {existing.blob_count} blobs; it cannot shrink"
                    )
                if terms.blob_count == existing.blob_count and terms.end_epoch == existing.end_epoch and not retimed:
                    return existing, False
                extra = (terms.blob_count - existing.blob_count) * PAYLOAD_BYTES_PER_BLOB
                agreement = replace(existing, blob_count=terms.blob_count, end_epoch=terms.end_epoch)
            free = self.capacity - self._reserved()
            if extra > free:
                raise CapacityExceeded(f"{extra} more bytes requested, {max(free, 0)} free")
            self._db.execute(
                "INSERT OR REPLACE INTO agreements VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    oid,
                    agreement.user,
                    agreement.provider,
                    str(agreement.nonce),
                    str(agreement.price),
                    agreement.start_epoch,
                    agreement.end_epoch,
                    agreement.blob_count,
                    agreement.chunk_blobs,
                ),
            )
            return agreement, True

    def get(self, oid: bytes) -> Agreement:
        """The agreement of an order id, or UnknownOrder."""
        with self._lock:
            found = self._get(oid)
        if found is None:
            raise UnknownOrder(f"no agreement for order 0x{oid.hex()}")
        return found

    def find(self, oid: bytes) -> Agreement | None:
        with self._lock:
            return self._get(oid)

    def all(self) -> list[Agreement]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM agreements ORDER BY order_id").fetchall()
        return [_agreement(r) for r in rows]

    def remove(self, oid: bytes) -> bool:
        """Forget an agreement and its co-signed updates (its reservation is freed);
        whether there was one. Only for agreements that are over (see housekeeping)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                found = self._db.execute("DELETE FROM agreements WHERE order_id = ?", (oid,)).rowcount
                for table in ("cosigned", "released", "versions"):
                    self._db.execute(f"DELETE FROM {table} WHERE order_id = ?", (oid,))
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        return bool(found)

    def reserved_bytes(self) -> int:
        with self._lock:
            return self._reserved()

    def free_bytes(self) -> int:
        return max(0, self.capacity - self.reserved_bytes())

    # -- co-signed updates --------------------------------------------------

    def record_cosigned(
        self,
        oid: bytes,
        seq: int,
        update: dict[str, Any],
        user_signature: bytes,
        provider_signature: bytes,
        *,
        root: bytes,
        released: dict[int, int] | None = None,
    ) -> None:
        """Keep a co-signed update (the latest signature for a sequence number wins), the
        version its ``root`` names and the chunks it releases (``{first_blob: blobs}``),
        in one transaction."""
        released = released or {}
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    "INSERT OR REPLACE INTO cosigned VALUES (?, ?, ?, ?, ?)",
                    (oid, str(seq), json.dumps(update, sort_keys=True), user_signature, provider_signature),
                )
                self._db.execute(
                    "INSERT INTO versions (order_id, root, seq, released) VALUES (?, ?, ?, ?)"
                    " ON CONFLICT(order_id, root) DO UPDATE SET seq = excluded.seq, released = excluded.released",
                    (oid, root, str(seq), json.dumps(sorted(released))),
                )
                self._db.executemany(
                    "INSERT OR IGNORE INTO released (order_id, first_blob, blobs, seq) VALUES (?, ?, ?, ?)",
                    [(oid, first, blobs, str(seq)) for first, blobs in sorted(released.items())],
                )
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def cosigned(self, oid: bytes) -> list[tuple[dict[str, Any], bytes, bytes]]:
        """Co-signed updates of an order, by sequence number."""
        with self._lock:
            rows = self._db.execute(
                "SELECT update_json, user_signature, provider_signature FROM cosigned WHERE order_id = ?", (oid,)
            ).fetchall()
        out = [(json.loads(u), bytes(us), bytes(ps)) for u, us, ps in rows]
        return sorted(out, key=lambda item: int(item[0]["seq"]))

    # -- releases and versions ----------------------------------------------

    def released(self, oid: bytes) -> dict[int, Released]:
        """The chunks of an order the Provider agreed to release, by first blob."""
        with self._lock:
            rows = self._db.execute(
                "SELECT first_blob, blobs, seq, deleted FROM released WHERE order_id = ? ORDER BY first_blob", (oid,)
            ).fetchall()
        return {int(f): Released(int(f), int(b), int(q), bool(d)) for f, b, q, d in rows}

    def mark_deleted(self, oid: bytes, first_blob: int) -> None:
        """Record that a released chunk's file is gone (its bytes are free again)."""
        with self._lock:
            self._db.execute("UPDATE released SET deleted = 1 WHERE order_id = ? AND first_blob = ?", (oid, first_blob))

    def version(self, oid: bytes, root: bytes) -> frozenset[int] | None:
        """The first blobs of the chunks that ``root`` releases, or None for a root never co-signed here."""
        with self._lock:
            row = self._db.execute(
                "SELECT released FROM versions WHERE order_id = ? AND root = ?", (oid, bytes(root))
            ).fetchone()
        return None if row is None else frozenset(int(f) for f in json.loads(row[0]))

    def seen_epoch(self, oid: bytes, root: bytes, current: int) -> int | None:
        """The epoch in which the chain was first seen holding ``root`` for the order (recorded
        now, as ``current``, the first time it is asked); None for a root never co-signed here."""
        with self._lock:
            row = self._db.execute(
                "SELECT seen_epoch FROM versions WHERE order_id = ? AND root = ?", (oid, bytes(root))
            ).fetchone()
            if row is None:
                return None
            if row[0] is None:
                self._db.execute(
                    "UPDATE versions SET seen_epoch = ? WHERE order_id = ? AND root = ?", (current, oid, bytes(root))
                )
                return current
            return int(row[0])

    def close(self) -> None:
        self._db.close()

    # -- internals ----------------------------------------------------------

    def _get(self, oid: bytes) -> Agreement | None:
        row = self._db.execute("SELECT * FROM agreements WHERE order_id = ?", (oid,)).fetchone()
        return None if row is None else _agreement(row)

    def _reserved(self) -> int:
        (blobs,) = self._db.execute("SELECT COALESCE(SUM(blob_count), 0) FROM agreements").fetchone()
        (freed,) = self._db.execute("SELECT COALESCE(SUM(blobs), 0) FROM released WHERE deleted = 1").fetchone()
        return (int(blobs) - int(freed)) * PAYLOAD_BYTES_PER_BLOB


def _agreement(row: tuple) -> Agreement:
    oid, user, provider, nonce, price, start, end, blob_count, chunk_blobs = row
    return Agreement(
        bytes(oid), user, provider, int(nonce), int(price), int(start), int(end), int(blob_count), int(chunk_blobs)
    )
