"""One in-memory chain for a whole network of daemons: the Keeper tests' ``FakeNetwork``
(``KeeperChain`` and ``ProviderChain``), plus order history by epoch, a
``withdraw_pay`` that settles as ``Market._settle`` does, and disputes that check an
answer as ``Disputes.answer`` does (positional Merkle path, then the KZG opening)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import ckzg
from eth_utils import to_checksum_address

from memo_py.chain.merkle import (
    commitment_depth,
    commitment_leaf,
    results_leaf,
    verify_commitment_proof,
    verify_results_proof,
)
from memo_py.crypto.kzg import BLS_MODULUS
from memo_py.crypto.setup import trusted_setup
from memo_py.provider.chain import ChainOrder, OpenDispute
from tests.unit.keeper.fakes import AttestRefused, FakeNetwork

__all__ = ["AnswerRefused", "AttestRefused", "FakeDispute", "RuntimeChain", "SettleRefused"]


class SettleRefused(RuntimeError):
    """What ``Market.withdraw_pay`` would revert with."""


class AnswerRefused(RuntimeError):
    """What ``Disputes.answer`` would revert with."""


@dataclass
class FakeDispute:
    """A dispute as ``Disputes.vy`` stores it (the order's root and blob count copied at opening)."""

    dispute_id: int
    order_id: bytes
    blob_index: int
    provider: str
    z: int
    deadline: int
    root: bytes
    blob_count: int
    status: str = "open"  # open, answered, timed_out


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
        self.disputes: dict[int, FakeDispute] = {}
        #: Every accepted answer: (dispute_id, commitment, proof_path, y, kzg_proof).
        self.answers: list[tuple[int, bytes, list[bytes], bytes, bytes]] = []
        self.fail_answers = 0  # the next n answer_dispute calls raise (a node outage)
        #: An answered dispute is still listed open (a lagging node): the Provider must not answer twice.
        self.stale_disputes = False
        self.now = 1_000  # chain time of the dispute deadlines

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

    # -- disputes ---------------------------------------------------------------------

    def challenge(self, order_id: bytes, blob_index: int, *, z: int | None = None, window: int = 3600) -> int:
        """Open a dispute on blob ``blob_index`` of the order as it stands now."""
        with self._lock:
            order = self.orders[bytes(order_id)]
            if not 0 <= blob_index < order.blob_count:
                raise IndexError("disputes: blob index out of range")
            dispute_id = len(self.disputes) + 1
            if z is None:
                z = (
                    int.from_bytes(hashlib.sha256(b"z" + order_id + blob_index.to_bytes(32, "big")).digest(), "big")
                    % BLS_MODULUS
                )
            self.disputes[dispute_id] = FakeDispute(
                dispute_id,
                bytes(order_id),
                blob_index,
                order.provider,
                z,
                self.now + window,
                order.root,
                order.blob_count,
            )
            return dispute_id

    def open_disputes_of(self, provider: str) -> list[OpenDispute]:
        provider = to_checksum_address(provider)
        with self._lock:
            return [
                OpenDispute(d.dispute_id, d.order_id, d.blob_index, d.z, d.deadline, d.root, d.blob_count)
                for d in sorted(self.disputes.values(), key=lambda d: d.dispute_id)
                if d.provider == provider and (d.status == "open" or (self.stale_disputes and d.status == "answered"))
            ]

    def answer_dispute(
        self, dispute_id: int, commitment: bytes, proof_path: Sequence[bytes], y: bytes, kzg_proof: bytes
    ) -> bytes:
        with self._lock:
            if self.fail_answers > 0:
                self.fail_answers -= 1
                raise ConnectionError("the node is down")
            d = self.disputes.get(dispute_id)
            if d is None or d.status != "open":
                raise AnswerRefused("disputes: not open")
            if self.caller is not None and d.provider != self.caller:
                raise AnswerRefused("disputes: not the provider")
            if self.now > d.deadline:
                raise AnswerRefused("disputes: deadline passed")
            if len(commitment) != 48 or len(proof_path) != commitment_depth(d.blob_count):
                raise AnswerRefused("disputes: bad merkle path")
            if not verify_commitment_proof(
                list(proof_path), d.root, commitment_leaf(d.blob_index, commitment), d.blob_index
            ):
                raise AnswerRefused("disputes: bad merkle path")
            z = d.z.to_bytes(32, "big")
            if not ckzg.verify_kzg_proof(bytes(commitment), z, bytes(y), bytes(kzg_proof), trusted_setup()):
                raise AnswerRefused("disputes: invalid KZG opening")
            d.status = "answered"
            self.answers.append(
                (dispute_id, bytes(commitment), [bytes(p) for p in proof_path], bytes(y), bytes(kzg_proof))
            )
            return hashlib.sha256(repr(self.answers[-1]).encode()).digest()
