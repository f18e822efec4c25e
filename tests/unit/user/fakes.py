"""An in-memory chain for the User's unit tests.

:class:`MarketNetwork` extends the Keeper tests' fake network (roles, epochs,
providers, Keepers) with a Market that applies ``submit_orders`` the way
``Market.vy`` does: both EIP-712 signatures recovered, sequence rules, start/end
rules, escrow taken from the User's balance. :class:`UserView` is one User's
``UserChain`` on it.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from eth_utils import to_checksum_address

from memo_py.chain.eip712 import recover_signer
from memo_py.chain.errors import ChainRevert
from memo_py.provider.chain import ChainOrder
from tests.unit.keeper.fakes import FakeNetwork


class Reverted(ChainRevert):
    """What the Market would revert with: a ChainRevert naming the reason, as the real chain raises."""


class MarketNetwork(FakeNetwork):
    def __init__(self, **kw) -> None:
        super().__init__(**kw)
        self.balances: dict[str, int] = {}
        self.submitted: list[tuple[object, bytes, bytes]] = []
        self.transactions = 0
        #: What the real chain measures from block timestamps (an 8-block epoch of 1-s blocks).
        self.epoch_seconds = 8.0
        self._market_lock = threading.Lock()

    def orders_of_user(self, user: str) -> list[ChainOrder]:
        user = to_checksum_address(user)
        with self._lock:
            return [o for o in self.orders.values() if o.user == user]

    def provider_endpoint(self, provider: str) -> str | None:
        found = self.registered.get(to_checksum_address(provider))
        return None if found is None else found.endpoint

    def submit_orders(self, updates: Sequence[tuple[object, bytes, bytes]]) -> bytes:
        """All or nothing, like one transaction."""
        if len(updates) > 32:
            raise Reverted("market: batch too large")
        with self._market_lock:
            orders = dict(self.orders)
            balances = dict(self.balances)
            for update, user_sig, provider_sig in updates:
                self._apply(update, user_sig, provider_sig, orders, balances)
            with self._lock:
                self.orders = orders
            self.balances = balances
            self.submitted.extend(updates)
            self.transactions += 1
        return hashlib.sha256(repr(self.transactions).encode()).digest()

    def _apply(self, u, user_sig, provider_sig, orders, balances) -> None:
        current = self.epoch
        if current > u.deadline:
            raise Reverted("market: update expired")
        if recover_signer(u, user_sig, self.chain_id, self.market) != u.user:
            raise Reverted("market: bad user signature")
        if recover_signer(u, provider_sig, self.chain_id, self.market) != u.provider:
            raise Reverted("market: bad provider signature")
        if u.blob_count > 2**40:
            raise Reverted("market: too many blobs")
        if u.size > u.blob_count * 126_976:
            raise Reverted("market: size exceeds blobs")
        stored = orders.get(u.order_id)
        rate = u.size * u.price
        if u.seq == 0:
            if stored is not None:
                raise Reverted("market: stale sequence")
            if u.user not in self.users:
                raise Reverted("market: user not registered")
            if u.start_epoch < current + 1:
                raise Reverted("market: start too soon")
            if u.end_epoch <= u.start_epoch:
                raise Reverted("market: empty term")
            escrow = rate * (u.end_epoch - u.start_epoch)
        else:
            if stored is None:
                raise Reverted("market: unknown order")
            if u.seq <= stored.seq:
                raise Reverted("market: stale sequence")
            if u.seq != stored.seq + 1:
                raise Reverted("market: sequence gap")
            if u.start_epoch != stored.start_epoch:
                raise Reverted("market: start changed")
            if current + 1 >= stored.end_epoch:
                raise Reverted("market: order ended")
            if u.end_epoch < stored.end_epoch:
                raise Reverted("market: end would shrink")
            switch = max(current + 1, stored.start_epoch)
            old_rest = stored.size * stored.price * (stored.end_epoch - switch)
            new_rest = rate * (u.end_epoch - switch)
            escrow = new_rest - old_rest  # negative: a shrink, the difference goes back
        if rate == 0 and u.seq == 0:
            raise Reverted("market: zero rate")
        if balances.get(u.user, 0) < escrow:
            raise Reverted("market: balance too low")
        balances[u.user] = balances.get(u.user, 0) - escrow
        fields = u.order_fields()  # the deadline is signed, not stored
        orders[u.order_id] = ChainOrder(order_id=u.order_id, **fields)


@dataclass
class UserView:
    """One User's ``UserChain`` on the network."""

    network: MarketNetwork
    address: str

    @property
    def chain_id(self) -> int:
        return self.network.chain_id

    @property
    def market(self) -> str:
        return self.network.market

    def current_epoch(self) -> int:
        return self.network.current_epoch()

    def epoch_seconds(self) -> float:
        return self.network.epoch_seconds

    def balance_of(self, user: str) -> int:
        return self.network.balances.get(to_checksum_address(user), 0)

    def deposit(self, amount: int) -> bytes:
        self.network.balances[self.address] = self.balance_of(self.address) + amount
        return b"\x01" * 32

    def withdraw(self, amount: int) -> bytes:
        if self.balance_of(self.address) < amount:
            raise Reverted("market: balance too low")
        self.network.balances[self.address] -= amount
        return b"\x02" * 32

    def provider_endpoint(self, provider: str) -> str | None:
        return self.network.provider_endpoint(provider)

    def orders_of_user(self, user: str) -> list[ChainOrder]:
        return self.network.orders_of_user(user)

    def submit_orders(self, updates) -> bytes:
        return self.network.submit_orders(updates)
