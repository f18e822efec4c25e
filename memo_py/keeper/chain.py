"""What the Keeper daemon needs from the chain, as a protocol.

The real implementation (web3, against Registry, Market and Epochs) lives in the
chain layer; unit tests use an in-memory fake. Every method may block (it is a
JSON-RPC call): the HTTP service calls them from worker threads, and the epoch
loop runs in a thread of its own.

Orders are :class:`~memo_py.chain.records.ChainOrder`, as for the Provider, so one
chain class (:class:`memo_py.chain.roles.RoleChain`) serves both daemons.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from memo_py.chain.records import ChainOrder, KeeperSlot, RegisteredProvider  # re-exported

__all__ = ["ChainOrder", "KeeperChain", "KeeperSlot", "RegisteredProvider"]


@runtime_checkable
class KeeperChain(Protocol):
    """Chain reads and writes of a Keeper daemon."""

    @property
    def chain_id(self) -> int:
        """The chain id (bound into the attestation message)."""
        ...

    @property
    def epochs(self) -> str:
        """The Epochs contract's address (bound into the attestation message)."""
        ...

    def current_epoch(self) -> int:
        """``Epochs.current_epoch()``: the epoch the latest block belongs to."""
        ...

    def seed_of(self, epoch: int) -> bytes | None:
        """The 32-byte seed of ``epoch``, or None while nobody opened it."""
        ...

    def open_epoch(self, epoch: int) -> bytes | None:
        """Open ``epoch`` (``Epochs.open_epoch`` with its seed block's header) unless it is
        open already; the tx hash, or None when it is open or its seed block is not sealed
        yet. Raises ChainRevert ``"epochs: seed block too old"`` once it can never be opened."""
        ...

    def is_user(self, address: str) -> bool:
        """Whether ``address`` is an active registered User."""
        ...

    def providers(self) -> Sequence[RegisteredProvider]:
        """Every Provider holding the role (active or exiting), with its Registry info."""
        ...

    def orders_of(self, provider: str, epoch: int) -> Sequence[ChainOrder]:
        """The orders of ``provider`` with the terms the Market vests for ``epoch``.

        That is the state at ``Epochs.universe_block(epoch)``, the last block of the epoch
        before: an order starts, and an update takes effect, from the epoch after the one
        it is submitted in (``Market._create``/``_update``), so later ones must not show,
        and that state was fixed before the epoch's seed existed. The real implementation
        replays the ``OrderCreated``/``OrderUpdated`` events up to that block. Callers
        filter with ``ChainOrder.active_at``.
        """
        ...

    def keepers(self) -> Sequence[KeeperSlot]:
        """The active Keeper set (Registry ``keeper_bitmap``), by slot."""
        ...

    def quorum(self) -> tuple[int, int]:
        """``Epochs.quorum()``: (numerator, denominator) of Keeper weight an attestation needs."""
        ...

    def results_root(self, epoch: int) -> bytes | None:
        """The attested results root of ``epoch``, or None if it has none."""
        ...

    def latest_attested(self) -> int | None:
        """The newest attested epoch, or None before the first attestation."""
        ...

    def attest(self, epoch: int, root: bytes, bitmap: int, signature: bytes) -> bytes:
        """Send ``Epochs.attest``; the tx hash.

        ``signature`` is the 96-byte compressed aggregate (blspy); the implementation
        converts it with :func:`memo_py.crypto.bls.g2_to_eip2537` for the contract.
        """
        ...
