"""One in-memory chain for a whole network of daemons: the Keeper tests' ``FakeNetwork``
(``KeeperChain`` and ``ProviderChain``), plus order history by epoch and a
``withdraw_pay`` that settles as ``Market._settle`` does."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from eth_utils import to_checksum_address

from memo_py.chain.merkle import results_leaf, verify_results_proof
from memo_py.provider.chain import ChainOrder
from tests.unit.keeper.fakes import AttestRefused, FakeNetwork

__all__ = ["AttestRefused", "RuntimeChain", "SettleRefused"]


class SettleRefused(RuntimeError):
    """What ``Market.withdraw_pay`` would revert with."""


class RuntimeChain(FakeNetwork):
    """Orders keep their versions: ``orders_of(provider, epoch)`` sees each order as it was
    in force during ``epoch`` (an update takes effect from the epoch it was submitted in).

    ``withdraw_pay`` is called by the Provider daemon, whose address the test names
    with ``caller`` (one Provider per chain object), and pays ``cum_pay - paid``.
    """

    def __init__(self, *, caller: str | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.caller = None if caller is None else to_checksum_address(caller)
        self.history: dict[bytes, list[tuple[int, ChainOrder]]] = {}
        self.paid: dict[str, int] = {}
        self.penalized: dict[str, int] = {}
        self.settled: dict[str, int] = {}  # provider -> epoch + 1 of its last settlement
        self.transfers: list[tuple[str, int]] = []
        self.withdrawals: list[tuple[int, int, int, list[bytes]]] = []
        self.fail_withdrawals = 0  # the next n withdraw_pay calls raise (a node outage)

    # -- orders with history ----------------------------------------------------------

    def add_order(self, order: ChainOrder, *, from_epoch: int = 0) -> None:
        with self._lock:
            self.orders[order.order_id] = order
            versions = self.history.setdefault(order.order_id, [])
            versions.append((from_epoch, order))
            versions.sort(key=lambda v: v[0])

    def update_order(self, order: ChainOrder) -> None:
        """An order update submitted now: in force from the current epoch on."""
        self.add_order(order, from_epoch=self.epoch)

    def orders_of(self, provider: str, epoch: int | None = None) -> list[ChainOrder]:
        provider = to_checksum_address(provider)
        with self._lock:
            out = []
            for versions in self.history.values():
                seen = [o for e, o in versions if epoch is None or e <= epoch]
                if seen and seen[-1].provider == provider:
                    out.append(seen[-1])
            return out

    # -- settlement -------------------------------------------------------------------

    def withdraw_pay(self, epoch: int, cum_pay: int, cum_penalty: int, proof: Sequence[bytes]) -> bytes:
        assert self.caller is not None, "RuntimeChain(caller=...) names the withdrawing Provider"
        provider = self.caller
        with self._lock:
            if self.fail_withdrawals > 0:
                self.fail_withdrawals -= 1
                raise ConnectionError("the node is down")
            root = self.roots.get(epoch)
            if root is None:
                raise SettleRefused("market: epoch not attested")
            if not verify_results_proof(list(proof), root, results_leaf(provider, cum_pay, cum_penalty)):
                raise SettleRefused("market: invalid proof")
            if self.settled.get(provider, 0) > epoch + 1:
                raise SettleRefused("market: epoch already settled")
            paid = self.paid.get(provider, 0)
            if cum_pay < paid:
                raise SettleRefused("market: pay below paid")
            self.settled[provider] = epoch + 1
            self.paid[provider] = cum_pay
            self.penalized[provider] = max(cum_penalty, self.penalized.get(provider, 0))
            if cum_pay > paid:
                self.transfers.append((provider, cum_pay - paid))
            self.withdrawals.append((epoch, cum_pay, cum_penalty, list(proof)))
            return hashlib.sha256(repr(self.withdrawals[-1]).encode()).digest()

    def received(self, provider: str) -> int:
        """Tokens transferred to ``provider`` by settlements."""
        provider = to_checksum_address(provider)
        return sum(amount for who, amount in self.transfers if who == provider)
