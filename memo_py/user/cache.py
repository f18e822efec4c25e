"""A local cache of the User's index, so that a command need not rebuild it from the Providers.

The cache holds the index records the client has read or written, and the state of
the User's orders (sequence number and blob count of each) the records were read
against. It is a convenience, never the truth: the master secret, the chain and the
Providers alone still rebuild the index (:mod:`memo_py.user.recovery`), and a cache
that is missing, unreadable or made under another secret is ignored.

**Checked against the chain.** An index record is stored as chunks appended to k + m
orders, and every append settles a new sequence number on chain. So every record
written since the cache was saved lies in orders whose on-chain state differs from
the cached one (or that are new): the client lists only those orders' chunks and
reads only the records it does not know. When no order changed, the index comes from
the cache alone, with one chain read and no Provider asked.
A cache must describe a past of the chain: every order it lists is still on chain at
its sequence number or a later one. One that does not (a devnet started again keeps
the chain id and the contract addresses, not the orders) is not believed.

**Crash-safe.** The file is written whole to a temporary file beside it, fsynced, and
renamed over the old one (then the directory is fsynced): a crash leaves the old
cache or the new one, never a mix. It is encrypted and authenticated (AES-256-GCM
under a key derived from the master secret, bound to the chain, the Market and the
User's address), since object names and metadata are the User's own.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from memo_py.user.chain import ChainOrder
from memo_py.user.manifest import IndexRecord

__all__ = ["IndexCache", "CachedIndex", "order_states"]

log = logging.getLogger(__name__)

VERSION = 1
CACHE_INFO = b"memo-py user index cache v1"

#: ``order id (hex) -> (seq, blob_count)``.
OrderStates = dict[str, tuple[int, int]]


def order_states(orders: list[ChainOrder]) -> OrderStates:
    """The on-chain state of each order that the cache is checked against."""
    return {"0x" + o.order_id.hex(): (o.seq, o.blob_count) for o in orders}


@dataclass
class CachedIndex:
    """What a cache file holds: the order states the records were read against, and the records."""

    orders: OrderStates
    records: list[IndexRecord]


class IndexCache:
    """One User's index cache file in ``directory``."""

    def __init__(self, directory: Path, master_secret: bytes, address: str, chain_id: int, market: str) -> None:
        self.directory = Path(directory)
        self._key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CACHE_INFO).derive(master_secret)
        # one file per secret too: a client under another secret never replaces this one's cache
        secret_id = hashlib.sha256(self._key).hexdigest()[:16]
        self.path = self.directory / f"index-{chain_id}-{market.lower()}-{address.lower()}-{secret_id}.cache"
        self._ad = f"memo-py index cache|{chain_id}|{market.lower()}|{address.lower()}".encode()

    def load(self) -> CachedIndex | None:
        """The cached index, or None when there is none or it cannot be used (logged)."""
        try:
            blob = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("index cache %s unreadable, ignored: %s", self.path, exc)
            return None
        try:
            data = json.loads(AESGCM(self._key).decrypt(blob[:12], blob[12:], self._ad))
            if data.get("version") != VERSION:
                raise ValueError(f"version {data.get('version')!r}")
            orders = {str(k): (int(v[0]), int(v[1])) for k, v in data["orders"].items()}
            records = [IndexRecord.model_validate(r) for r in data["records"]]
        except (InvalidTag, ValueError, KeyError, TypeError, IndexError) as exc:
            log.warning("index cache %s cannot be used (another secret, or damaged), ignored: %s", self.path,
                        type(exc).__name__)
            return None
        return CachedIndex(orders, records)

    def save(self, cached: CachedIndex) -> None:
        """Replace the cache file atomically (best effort: a failure is logged, not raised)."""
        body = json.dumps(
            {
                "version": VERSION,
                "orders": {k: list(v) for k, v in sorted(cached.orders.items())},
                "records": [r.model_dump(mode="json") for r in cached.records],
            }
        ).encode()
        nonce = os.urandom(12)
        blob = nonce + AESGCM(self._key).encrypt(nonce, body, self._ad)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(blob)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(self.directory, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            log.warning("index cache %s not written: %s", self.path, exc)
