"""Plain records the chain layer returns, shared by the daemons.

They live here (not in ``memo_py.provider`` or ``memo_py.keeper``) because roles never
import each other; ``memo_py.provider.chain`` and ``memo_py.keeper.chain`` re-export them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from memo_py.crypto.challenge import UniverseOrder
from memo_py.crypto.kzg import ZERO_COMMITMENT

__all__ = ["ChainOrder", "KeeperSlot", "RegisteredProvider", "Dispute", "blob_universe", "universe_order"]


@dataclass(frozen=True)
class ChainOrder:
    """An order as the Market stores it (``IMarket.Order``), with its id.

    It pays, and must be proven, for the epochs ``start_epoch <= e < end_epoch``.
    """

    order_id: bytes
    user: str
    provider: str
    nonce: int
    seq: int
    size: int
    price: int
    start_epoch: int
    end_epoch: int
    root: bytes
    blob_count: int

    def active_at(self, epoch: int) -> bool:
        """Whether the order is in force (paid and challenged) during ``epoch``."""
        return self.start_epoch <= epoch < self.end_epoch

    @property
    def rate(self) -> int:
        """Pay per epoch: size * price."""
        return self.size * self.price


@dataclass(frozen=True)
class KeeperSlot:
    """An active Keeper of the Registry: its attestation bitmap position, key and weight.

    ``pubkey`` is the 48-byte compressed BLS key (as in the ``KeeperAdded`` event);
    ``weight`` is the Keeper's weight (its pledge).
    """

    slot: int
    address: str
    pubkey: bytes
    weight: int


@dataclass(frozen=True)
class RegisteredProvider:
    """A Provider as the Registry lists it (``provider_info``), with whether it is active.

    An exiting Provider (``active`` False) still holds orders, so it is still
    verified and paid; the matcher offers only active ones.
    """

    address: str
    endpoint: str
    capacity: int
    price: int
    active: bool = True


@dataclass(frozen=True)
class Dispute:
    """A dispute as ``Disputes.disputes(id)`` stores it. ``status``: 0 none, 1 open, then resolved states."""

    dispute_id: int
    order_id: bytes
    blob_index: int
    challenger: str
    provider: str
    bond: int
    z: int
    deadline: int
    root: bytes
    blob_count: int
    status: int


def blob_universe(orders: Sequence[ChainOrder], epoch: int) -> list[ChainOrder]:
    """The orders whose blobs are challenged in ``epoch``, in universe order (by order id).

    ``orders`` must be the chain's orders as of ``Epochs.universe_block(epoch)`` (the
    last block of ``epoch - 1``): the Market applies a creation or an update from the
    epoch after the one it lands in, so that state is what ``epoch`` pays for, and it
    was fixed before the epoch's seed existed. An order of size 0 (its User deleted
    everything it held) pays nothing and is not challenged."""
    return sorted(
        (o for o in orders if o.active_at(epoch) and o.blob_count > 0 and o.size > 0), key=lambda o: o.order_id
    )


def universe_order(order: ChainOrder, commitments: Sequence[bytes | None]) -> UniverseOrder:
    """``order`` as its challenge sees it: its live blobs are those whose commitment under
    its root (``commitments``, its ``blob_count`` first) is not the zero commitment.

    A Provider that lost a chunk's record passes None there: the blob still counts as
    live (the root holds its real commitment), so the Provider and the Keepers derive
    the same challenge, and a sample that lands on it cannot be answered."""
    listed = commitments[: order.blob_count]
    if len(listed) != order.blob_count:
        raise ValueError(f"{len(listed)} commitments for an order of {order.blob_count} blobs")
    live = tuple(i for i, c in enumerate(listed) if c is None or bytes(c) != ZERO_COMMITMENT)
    return UniverseOrder(order.order_id, order.root, order.blob_count, order.size, live)
