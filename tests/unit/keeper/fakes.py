"""An in-memory chain for the Keeper's unit tests: implements both ``ProviderChain`` and
``KeeperChain``, so real Provider apps and Keeper apps share one view of the network."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence

from eth_utils import to_checksum_address

from memo_py.chain.merkle import ZERO, attestation_message
from memo_py.crypto import bls
from memo_py.keeper.chain import KeeperSlot, RegisteredProvider
from memo_py.provider.chain import ChainOrder

CHAIN_ID = 31337
MARKET = "0x" + "4d" * 20
EPOCHS = "0x" + "e9" * 20


class AttestRefused(RuntimeError):
    """What the Epochs contract would revert with."""


class FakeNetwork:
    """Roles, epochs, seeds, orders and attestations in dicts. ``attest`` checks what
    ``Epochs.attest`` checks (opened, over, increasing, quorum, aggregate signature)."""

    def __init__(self, *, users: Sequence[str] = (), epoch: int = 0, quorum: tuple[int, int] = (2, 3)) -> None:
        self.chain_id = CHAIN_ID
        self.market = to_checksum_address(MARKET)
        self.epochs = to_checksum_address(EPOCHS)
        self.users = {to_checksum_address(u) for u in users}
        self.registered: dict[str, RegisteredProvider] = {}
        self.slots: dict[int, KeeperSlot] = {}
        self.epoch = epoch
        self.seeds: dict[int, bytes] = {}
        self.orders: dict[bytes, ChainOrder] = {}
        self.roots: dict[int, bytes] = {}
        self.attestations: list[tuple[int, bytes, int, bytes]] = []
        self._quorum = quorum
        self._lock = threading.Lock()

    # -- test controls ------------------------------------------------------------

    def set_epoch(self, epoch: int, *, open_it: bool = False) -> bytes | None:
        self.epoch = epoch
        return self.open_seed(epoch) if open_it else None

    def open_seed(self, epoch: int) -> bytes:
        self.seeds.setdefault(epoch, hashlib.sha256(b"seed" + epoch.to_bytes(8, "big")).digest())
        return self.seeds[epoch]

    def add_provider(self, address: str, endpoint: str, capacity: int, price: int) -> None:
        address = to_checksum_address(address)
        self.registered[address] = RegisteredProvider(address, endpoint, capacity, price)

    def add_keeper(self, slot: int, address: str, pubkey: bytes, weight: int) -> None:
        self.slots[slot] = KeeperSlot(slot, to_checksum_address(address), pubkey, weight)

    def add_order(self, order: ChainOrder) -> None:
        with self._lock:
            self.orders[order.order_id] = order

    # -- shared ---------------------------------------------------------------------

    def current_epoch(self) -> int:
        return self.epoch

    def seed_of(self, epoch: int) -> bytes | None:
        return self.seeds.get(epoch)

    def is_user(self, address: str) -> bool:
        return to_checksum_address(address) in self.users

    def order_of(self, order_id: bytes) -> ChainOrder | None:
        with self._lock:
            return self.orders.get(bytes(order_id))

    def orders_of(self, provider: str, epoch: int | None = None) -> list[ChainOrder]:
        provider = to_checksum_address(provider)
        with self._lock:
            return [o for o in self.orders.values() if o.provider == provider]

    # -- ProviderChain ----------------------------------------------------------------

    def is_keeper(self, address: str) -> bool:
        return any(k.address == to_checksum_address(address) for k in self.slots.values())

    # -- KeeperChain -----------------------------------------------------------------

    def open_epoch(self, epoch: int) -> bytes | None:
        """As ``RoleChain.open_epoch``: None when ``epoch`` is open already or its seed block
        (in this fake: the epoch itself) has not come yet."""
        if epoch in self.seeds or epoch > self.epoch:
            return None
        self.open_seed(epoch)
        return b"\x01" * 32

    def providers(self) -> list[RegisteredProvider]:
        return list(self.registered.values())

    def keepers(self) -> list[KeeperSlot]:
        return [self.slots[s] for s in sorted(self.slots)]

    def quorum(self) -> tuple[int, int]:
        return self._quorum

    def results_root(self, epoch: int) -> bytes | None:
        return self.roots.get(epoch)

    def latest_attested(self) -> int | None:
        return max(self.roots) if self.roots else None

    def attest(self, epoch: int, root: bytes, bitmap: int, signature: bytes) -> bytes:
        with self._lock:
            if root == ZERO:
                raise AttestRefused("epochs: empty results root")
            if epoch not in self.seeds:
                raise AttestRefused("epochs: epoch not opened")
            if epoch >= self.epoch:
                raise AttestRefused("epochs: epoch not over")
            if epoch in self.roots:
                raise AttestRefused("epochs: already attested")
            latest = self.latest_attested()
            if latest is not None and epoch <= latest:
                raise AttestRefused("epochs: older than latest attested")
            if any(bitmap >> s & 1 and s not in self.slots for s in range(256)):
                raise AttestRefused("registry: inactive signer")
            signers = [k for s, k in self.slots.items() if bitmap >> s & 1]
            weight = sum(k.weight for k in signers)
            total = sum(k.weight for k in self.slots.values())
            num, den = self._quorum
            if not (weight > 0 and weight * den >= total * num):
                raise AttestRefused("epochs: below quorum")
            message = attestation_message(self.chain_id, self.epochs, epoch, root)
            if not bls.fast_aggregate_verify([k.pubkey for k in signers], message, signature):
                raise AttestRefused("epochs: invalid signature")
            self.roots[epoch] = root
            self.attestations.append((epoch, root, bitmap, signature))
        return hashlib.sha256(repr(self.attestations[-1]).encode()).digest()
