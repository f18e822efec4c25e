"""What the Provider daemon needs from the chain, as a protocol.

The real implementation (web3, against Registry, Market and Epochs) lives in the
chain layer; unit tests use an in-memory fake. Every method may block (it is a
JSON-RPC call), so the service calls them from a worker thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, Protocol, runtime_checkable

from memo_py.chain.records import ChainOrder  # re-exported: the record lives in the chain layer

__all__ = ["ChainOrder", "OpenDispute", "ProviderChain"]


class OpenDispute(NamedTuple):
    """An open on-chain dispute against a Provider (``Disputes.disputes(id)``, status open).

    ``root`` and ``blob_count`` are the order's as the dispute copied them when it opened:
    the answer's Merkle path must lead to that root, whatever the order became since.
    """

    dispute_id: int
    order_id: bytes
    blob_index: int
    z: int
    deadline: int
    root: bytes
    blob_count: int


@runtime_checkable
class ProviderChain(Protocol):
    """Chain reads and writes of a Provider daemon."""

    @property
    def chain_id(self) -> int:
        """The chain id (EIP-712 domain of order updates)."""
        ...

    @property
    def epochs(self) -> str:
        """The Epochs contract's address (bound into every challenge)."""
        ...

    @property
    def market(self) -> str:
        """The Market contract's address (EIP-712 verifying contract)."""
        ...

    def is_user(self, address: str) -> bool:
        """Whether ``address`` is an active registered User."""
        ...

    def is_keeper(self, address: str) -> bool:
        """Whether ``address`` is an active registered Keeper."""
        ...

    def current_epoch(self) -> int:
        """The Epochs contract's current epoch."""
        ...

    def seed_of(self, epoch: int) -> bytes | None:
        """The 32-byte challenge seed of ``epoch``, or None while the epoch is not open."""
        ...

    def orders_of(self, provider: str, epoch: int | None = None) -> Sequence[ChainOrder]:
        """Every on-chain order of ``provider`` (any state; callers filter with ``active_at``).

        With ``epoch``, the orders as the Market vests them for that epoch: the state at
        the epoch's last block, as :meth:`memo_py.keeper.chain.KeeperChain.orders_of`
        (an epoch not over yet reads the latest state). None reads the latest state.
        """
        ...

    def order_of(self, order_id: bytes) -> ChainOrder | None:
        """The order stored under ``order_id`` in its latest state, or None if the Market has none."""
        ...

    def latest_attested(self) -> int | None:
        """The newest epoch with an attested results root, or None before the first."""
        ...

    def results_root(self, epoch: int) -> bytes | None:
        """The attested results root of ``epoch``, or None if it has none."""
        ...

    def submit_orders(self, updates: Sequence[tuple[object, bytes, bytes]]) -> bytes:
        """Submit co-signed ``(OrderUpdate, user_signature, provider_signature)`` triples; the tx hash."""
        ...

    def withdraw_pay(self, epoch: int, cum_pay: int, cum_penalty: int, proof: Sequence[bytes]) -> bytes:
        """Withdraw pay through ``epoch`` against its attested results root; the tx hash."""
        ...

    def open_disputes_of(self, provider: str) -> Sequence[OpenDispute]:
        """Every dispute against ``provider`` that is still open (answerable until its deadline)."""
        ...

    def answer_dispute(
        self, dispute_id: int, commitment: bytes, proof_path: Sequence[bytes], y: bytes, kzg_proof: bytes
    ) -> bytes:
        """Answer a dispute with the blob's commitment, its Merkle path and the KZG opening at z; the tx hash."""
        ...
