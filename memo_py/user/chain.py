"""What the User client needs from the chain, as a protocol.

The real implementation (web3, against Registry and Market) lives in the chain
layer; unit tests use an in-memory fake. Every method may block (JSON-RPC). The
client signs its own EIP-712 order updates with its key; the implementation only
sends transactions from ``address`` and reads state.

Orders are the same :class:`~memo_py.provider.chain.ChainOrder` the daemons read,
so one chain class can serve every role.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from memo_py.chain.eip712 import OrderUpdate
from memo_py.provider.chain import ChainOrder

__all__ = ["ChainOrder", "SignedUpdate", "UserChain", "MAX_BATCH"]

#: ``(update, user_signature, provider_signature)``, as ``Market.submit_orders`` takes them.
SignedUpdate = tuple[OrderUpdate, bytes, bytes]

#: Updates ``Market.submit_orders`` accepts in one transaction.
MAX_BATCH = 32


@runtime_checkable
class UserChain(Protocol):
    """Chain reads and writes of a User client."""

    @property
    def address(self) -> str:
        """The User's checksum address (the account that sends the transactions)."""
        ...

    @property
    def chain_id(self) -> int:
        """The chain id (EIP-712 domain of order updates)."""
        ...

    @property
    def market(self) -> str:
        """The Market contract's address (EIP-712 verifying contract)."""
        ...

    def current_epoch(self) -> int:
        """``Epochs.current_epoch()``."""
        ...

    def epoch_seconds(self) -> float:
        """Seconds an epoch takes at the chain's current pace (quotes and dates only)."""
        ...

    def balance_of(self, user: str) -> int:
        """``Market.balance_of(user)``: token wei free to escrow."""
        ...

    def deposit(self, amount: int) -> bytes:
        """Approve (if needed) and ``Market.deposit(amount)`` from ``address``; the tx hash."""
        ...

    def withdraw(self, amount: int) -> bytes:
        """``Market.withdraw(amount)`` to ``address``; the tx hash."""
        ...

    def provider_endpoint(self, provider: str) -> str | None:
        """The HTTP endpoint the Provider registered (Registry ``provider_info``), or None if unknown."""
        ...

    def orders_of_user(self, user: str) -> Sequence[ChainOrder]:
        """Every order of ``user`` in its latest on-chain state (from ``OrderCreated`` and
        ``OrderUpdated`` events, or ``Market.order_of``), any state, any Provider."""
        ...

    def submit_orders(self, updates: Sequence[SignedUpdate]) -> bytes:
        """``Market.submit_orders`` with at most :data:`MAX_BATCH` co-signed updates; the tx hash.

        Must raise (a ``MemoError`` naming the revert reason) when the transaction reverts.
        """
        ...
