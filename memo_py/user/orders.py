"""The User's orders: one growing order per (Provider, chunk size), as the Market allows.

``Market._update`` lets a co-signed update with ``seq + 1`` change ``size``,
``blob_count`` and ``root`` (and lengthen ``end_epoch``), as long as the escrow
left does not shrink; ``start_epoch`` and ``price``-times-term must hold. The
Provider's agreement grows the same way (same nonce, same terms, larger
``blob_count``). So a User keeps **one open order per Provider** (and chunk size,
which is part of the agreement) and appends every new object's chunks to it: one
order update per Provider per upload, rather than one new order per object.

**Releases.** Deleting an object *releases* its chunks: the next update of each
order that held them lists them (``released``), lowers ``size`` by their blobs
and puts the zero commitment in their place in the root; the Market gives the
escrow of the epochs not yet paid back to the User's balance, and the Provider
deletes the chunks once no epoch under an older root is left to judge. Blob
positions never move, and a released chunk stays released in every later update.

A new order (the next nonce) is opened when there is none yet, when the open one
ends within ``min_remaining`` epochs, or when the old one cannot be grown any more
(the Provider raised its price, or an upload failed half-way on it: such an order
is *retired* and simply runs to its end).

:class:`OrderState` keeps what the User must know to sign the next update: the
agreed terms, the last sequence number on chain and the checked commitments of
every blob (the root of the next update is computed over all of them).
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from eth_utils import to_checksum_address

from memo_py.chain.eip712 import OrderUpdate, order_id
from memo_py.chain.merkle import CommitmentTree
from memo_py.crypto.kzg import with_released
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from memo_py.user.chain import ChainOrder

__all__ = ["OrderState", "OrderBook"]


@dataclass
class OrderState:
    """One order of the User with one Provider, as far as the User knows it."""

    user: str
    provider: str
    nonce: int
    price: int
    start_epoch: int
    end_epoch: int
    chunk_blobs: int
    #: Last sequence number on chain (None: the order is not on chain yet).
    chain_seq: int | None = None
    chain_blob_count: int = 0
    chain_root: bytes = b"\x00" * 32
    #: The order's size on chain (None: not on chain yet).
    chain_size: int | None = None
    #: Blobs stored and checked (the next update covers all of them).
    blob_count: int = 0
    #: Checked commitments of blobs 0..blob_count-1; None until loaded (after a recovery).
    commitments: list[bytes] | None = field(default_factory=list)
    #: True once the order may not grow any more.
    retired: bool = False
    #: First blobs of the chunks released (their objects were deleted): in every update from now on.
    released: set[int] = field(default_factory=set)

    @property
    def order_id(self) -> bytes:
        return order_id(self.user, self.provider, self.nonce)

    @property
    def dirty(self) -> bool:
        """Whether blobs were added since the last update on chain."""
        return self.blob_count != self.chain_blob_count

    @property
    def live_blobs(self) -> int:
        """Blobs the order pays for: all but those of the released chunks."""
        return self.blob_count - len(self.released) * self.chunk_blobs

    def root_commitments(self) -> list[bytes]:
        """The commitments the order's root covers: the zero commitment for released chunks."""
        if self.commitments is None or len(self.commitments) != self.blob_count:
            raise RuntimeError("the order's commitments are not loaded")
        return with_released(self.commitments, self.released, self.chunk_blobs)  # type: ignore[return-value]

    def terms(self, blob_count: int) -> dict[str, int]:
        """The body of ``POST /agreements`` for this order grown to ``blob_count``."""
        return {
            "nonce": self.nonce,
            "price": self.price,
            "start_epoch": self.start_epoch,
            "end_epoch": self.end_epoch,
            "blob_count": blob_count,
            "chunk_blobs": self.chunk_blobs,
        }

    def update(self, deadline: int) -> OrderUpdate:
        """The next update: every stored blob, the root of their commitments, the released
        chunks out of the size and zero in the root; valid through epoch ``deadline``
        (:func:`memo_py.chain.eip712.deadline_after` of the current epoch)."""
        return OrderUpdate(
            user=self.user,
            provider=self.provider,
            nonce=self.nonce,
            seq=0 if self.chain_seq is None else self.chain_seq + 1,
            size=self.live_blobs * PAYLOAD_BYTES_PER_BLOB,
            price=self.price,
            start_epoch=self.start_epoch,
            end_epoch=self.end_epoch,
            root=CommitmentTree(self.root_commitments()).root,
            blob_count=self.blob_count,
            deadline=deadline,
        )


class OrderBook:
    """The User's orders, by order id (thread-safe)."""

    def __init__(self, user: str) -> None:
        self.user = to_checksum_address(user)
        self._orders: dict[bytes, OrderState] = {}
        self._lock = threading.Lock()

    def all(self) -> list[OrderState]:
        with self._lock:
            return list(self._orders.values())

    def get(self, oid: bytes) -> OrderState | None:
        with self._lock:
            return self._orders.get(oid)

    def sync(self, chain_orders: Iterable[ChainOrder]) -> None:
        """Merge the chain's view: new orders are added (commitments to load), known ones get
        their on-chain sequence number; an order grown on chain beyond what this book
        knows is taken as the chain says."""
        with self._lock:
            for o in chain_orders:
                if to_checksum_address(o.user) != self.user:
                    continue
                state = self._orders.get(o.order_id)
                if state is None:
                    state = OrderState(
                        user=self.user,
                        provider=to_checksum_address(o.provider),
                        nonce=o.nonce,
                        price=o.price,
                        start_epoch=o.start_epoch,
                        end_epoch=o.end_epoch,
                        chunk_blobs=0,  # learnt from the Provider's listing when loaded
                        blob_count=o.blob_count,
                        commitments=None,
                    )
                    self._orders[o.order_id] = state
                state.chain_seq = o.seq
                state.chain_blob_count = o.blob_count
                state.chain_root = o.root
                state.chain_size = o.size
                state.end_epoch = o.end_epoch
                if o.blob_count > state.blob_count:
                    state.blob_count = o.blob_count
                    state.commitments = None

    def pick(self, provider: str, chunk_blobs: int, current_epoch: int, min_remaining: int) -> OrderState | None:
        """The open order to grow with ``provider``, or None if a new one is needed."""
        provider = to_checksum_address(provider)
        with self._lock:
            candidates = [
                s
                for s in self._orders.values()
                if s.provider == provider
                and not s.retired
                and s.chunk_blobs in (chunk_blobs, 0)
                and s.end_epoch - max(current_epoch, s.start_epoch) >= min_remaining
            ]
        return max(candidates, key=lambda s: s.nonce, default=None)

    def open(
        self, provider: str, price: int, start_epoch: int, end_epoch: int, chunk_blobs: int
    ) -> OrderState:
        """A new order with ``provider`` under the next unused nonce."""
        provider = to_checksum_address(provider)
        with self._lock:
            nonce = 1 + max((s.nonce for s in self._orders.values() if s.provider == provider), default=0)
            state = OrderState(self.user, provider, nonce, price, start_epoch, end_epoch, chunk_blobs)
            self._orders[state.order_id] = state
            return state
