"""An in-memory chain for the Provider's unit tests (implements ``ProviderChain``)."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import replace

from eth_utils import to_checksum_address

from memo_py.provider.chain import ChainOrder

CHAIN_ID = 31337
MARKET = "0x" + "4d" * 20
EPOCHS = "0x" + "e9" * 20


class FakeChain:
    """Roles, epochs, seeds and orders held in dicts; writes are recorded, not mined."""

    def __init__(self, *, users: Sequence[str] = (), keepers: Sequence[str] = (), epoch: int = 0) -> None:
        self.chain_id = CHAIN_ID
        self.market = to_checksum_address(MARKET)
        self.epochs = to_checksum_address(EPOCHS)
        self.users = {to_checksum_address(u) for u in users}
        self.keepers = {to_checksum_address(k) for k in keepers}
        self.epoch = epoch
        self.seeds: dict[int, bytes] = {}
        self.orders: dict[bytes, ChainOrder] = {}
        self.submitted: list[tuple[object, bytes, bytes]] = []
        self.withdrawals: list[tuple[int, int, int, list[bytes]]] = []
        self.roots: dict[int, bytes] = {}
        self._lock = threading.Lock()

    # -- test controls ------------------------------------------------------

    def open_epoch(self, epoch: int, seed: bytes | None = None) -> bytes:
        """Make ``epoch`` current with a seed (derived from the epoch unless given)."""
        self.epoch = epoch
        self.seeds[epoch] = seed if seed is not None else hashlib.sha256(b"seed" + epoch.to_bytes(8, "big")).digest()
        return self.seeds[epoch]

    def add_order(self, order: ChainOrder) -> None:
        with self._lock:
            self.orders[order.order_id] = order

    # -- ProviderChain --------------------------------------------------------

    def is_user(self, address: str) -> bool:
        return to_checksum_address(address) in self.users

    def is_keeper(self, address: str) -> bool:
        return to_checksum_address(address) in self.keepers

    def current_epoch(self) -> int:
        return self.epoch

    def seed_of(self, epoch: int) -> bytes | None:
        return self.seeds.get(epoch)

    def order_of(self, order_id: bytes) -> ChainOrder | None:
        with self._lock:
            return self.orders.get(bytes(order_id))

    def orders_of(self, provider: str, epoch: int | None = None) -> list[ChainOrder]:
        """The orders of ``provider`` (this fake keeps no history: every epoch sees the latest)."""
        provider = to_checksum_address(provider)
        with self._lock:
            return [o for o in self.orders.values() if o.provider == provider]

    def latest_attested(self) -> int | None:
        return max(self.roots) if self.roots else None

    def results_root(self, epoch: int) -> bytes | None:
        return self.roots.get(epoch)

    def submit_orders(self, updates: Sequence[tuple[object, bytes, bytes]]) -> bytes:
        """Apply co-signed updates as the Market would (signatures are trusted here)."""
        with self._lock:
            for update, user_sig, provider_sig in updates:
                self.submitted.append((update, user_sig, provider_sig))
                fields = update.order_fields()  # type: ignore[attr-defined]  # the deadline is signed, not stored
                order = ChainOrder(order_id=update.order_id, **fields)  # type: ignore[attr-defined]
                known = self.orders.get(order.order_id)
                self.orders[order.order_id] = order if known is None else replace(known, **fields)
        return hashlib.sha256(repr(len(self.submitted)).encode()).digest()

    def withdraw_pay(self, epoch: int, cum_pay: int, cum_penalty: int, proof: Sequence[bytes]) -> bytes:
        self.withdrawals.append((epoch, cum_pay, cum_penalty, list(proof)))
        return hashlib.sha256(repr(self.withdrawals[-1]).encode()).digest()
