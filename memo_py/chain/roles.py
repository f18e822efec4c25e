"""The daemons' chain protocols implemented on the contract wrappers.

:class:`RoleChain` is both :class:`memo_py.provider.chain.ProviderChain` and
:class:`memo_py.keeper.chain.KeeperChain` (the protocols are structural, so this
module imports neither role). Writes return the transaction hash, after the
receipt is in; reverts raise :class:`~memo_py.chain.errors.ChainRevert`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import TYPE_CHECKING

from eth_utils import to_checksum_address

from memo_py.chain.contracts import MemoContracts
from memo_py.chain.disputes import STATUS_OPEN
from memo_py.chain.records import ChainOrder, KeeperSlot, RegisteredProvider

if TYPE_CHECKING:
    from memo_py.provider.chain import OpenDispute

__all__ = ["RoleChain"]

#: Universe blocks whose frozen orders are kept (a Keeper catching up judges a few epochs at once).
FROZEN_BLOCKS_KEPT = 4


def _tx_hash(receipt: dict) -> bytes:
    return bytes(receipt["transactionHash"])


class RoleChain:
    """What a Provider or Keeper daemon reads from and sends to the chain."""

    def __init__(self, contracts: MemoContracts) -> None:
        self.contracts = contracts
        # DisputeOpened scan: next block to read, and the ids seen per Provider (not yet closed).
        self._disputes_scanned: int | None = None
        self._dispute_ids: dict[str, set[int]] = {}
        # The orders frozen at a universe block, by Provider, for the last few such blocks:
        # judging an epoch asks for every Provider's (and twice), and that state never changes.
        self._frozen: OrderedDict[int, dict[str, list[ChainOrder]]] = OrderedDict()
        self._universe_blocks: dict[int, int] = {}
        # Held while a replay runs: the Keeper's parallel verifications wait for the one replay.
        self._frozen_lock = threading.Lock()

    @property
    def chain_id(self) -> int:
        return self.contracts.deployment.chain_id

    @property
    def market(self) -> str:
        """The Market's address (EIP-712 verifying contract)."""
        return self.contracts.deployment.market

    @property
    def epochs(self) -> str:
        """The Epochs contract's address (bound into attestation messages)."""
        return self.contracts.deployment.epochs

    @property
    def address(self) -> str | None:
        """The daemon's own account (the signer)."""
        return self.contracts.client.address

    # ------------------------------------------------------------------ roles

    def is_user(self, address: str) -> bool:
        return self.contracts.registry.is_user(address)

    def is_keeper(self, address: str) -> bool:
        return self.contracts.registry.is_keeper(address)

    def providers(self) -> list[RegisteredProvider]:
        return self.contracts.registry.providers()

    def keepers(self) -> list[KeeperSlot]:
        return self.contracts.registry.keepers()

    # ------------------------------------------------------------------ epochs

    def current_epoch(self) -> int:
        return self.contracts.epochs.current_epoch()

    def seed_of(self, epoch: int) -> bytes | None:
        return self.contracts.epochs.seed_of(epoch)

    def open_epoch(self, epoch: int) -> bytes | None:
        receipt = self.contracts.epochs.ensure_open(epoch)
        return None if receipt is None else _tx_hash(receipt)

    def quorum(self) -> tuple[int, int]:
        return self.contracts.epochs.quorum()

    def results_root(self, epoch: int) -> bytes | None:
        return self.contracts.epochs.results_root(epoch)

    def latest_attested(self) -> int | None:
        return self.contracts.epochs.latest_attested()

    def attest(self, epoch: int, root: bytes, bitmap: int, signature: bytes) -> bytes:
        return _tx_hash(self.contracts.epochs.attest(epoch, root, bitmap, signature))

    # ------------------------------------------------------------------ orders

    def orders_of(self, provider: str, epoch: int | None = None) -> list[ChainOrder]:
        """The orders of ``provider``: as they stand now (``epoch`` None), or as of
        ``Epochs.universe_block(epoch)``, the frozen state that ``epoch`` challenges and pays
        (the same snapshot for the Provider and every Keeper).

        For an epoch whose universe block is not mined yet, that is the latest state.
        """
        if epoch is not None:
            frozen = self._universe_blocks.get(epoch)
            if frozen is None:  # a function of the deployment's constants: asked once per epoch
                frozen = self._universe_blocks[epoch] = self.contracts.epochs.universe_block(epoch)
            if frozen <= self.contracts.client.block_number():
                return list(self._frozen_orders(frozen).get(to_checksum_address(provider), []))
        return self.contracts.market.orders_of(provider)

    def _frozen_orders(self, block: int) -> dict[str, list[ChainOrder]]:
        """Every order as of the mined ``block``, by Provider: one replay for all Providers."""
        with self._frozen_lock:
            found = self._frozen.get(block)
            if found is None:
                found = {}
                for order in self.contracts.market.all_orders(block=block):
                    found.setdefault(to_checksum_address(order.provider), []).append(order)
                self._frozen[block] = found
                while len(self._frozen) > FROZEN_BLOCKS_KEPT:
                    self._frozen.popitem(last=False)
            self._frozen.move_to_end(block)
            return found

    def order_of(self, order_id: bytes) -> ChainOrder | None:
        return self.contracts.market.order_of(order_id)

    def submit_orders(self, updates: Sequence[tuple[object, bytes, bytes]]) -> bytes:
        return _tx_hash(self.contracts.market.submit_orders(updates))  # type: ignore[arg-type]

    def withdraw_pay(self, epoch: int, cum_pay: int, cum_penalty: int, proof: Sequence[bytes]) -> bytes:
        return _tx_hash(self.contracts.market.withdraw_pay(epoch, cum_pay, cum_penalty, proof))

    # ------------------------------------------------------------------ disputes

    def open_disputes_of(self, provider: str) -> list[OpenDispute]:
        """The open disputes against ``provider``, oldest first.

        One ``eth_call`` while it has none (``Disputes.open_disputes``); otherwise the
        ``DisputeOpened`` events are scanned incrementally (``provider`` is not indexed,
        so they are filtered here) and each candidate is read back from ``disputes(id)``.
        """
        from memo_py.provider.chain import OpenDispute  # the record of the Provider's protocol

        provider = to_checksum_address(provider)
        disputes = self.contracts.disputes
        if disputes.open_disputes(provider) == 0:
            self._dispute_ids.pop(provider, None)
            return []
        latest = self.contracts.client.block_number()
        start = (
            disputes.from_block
            if self._disputes_scanned is None
            else max(disputes.from_block, self._disputes_scanned - 16)
        )
        if start <= latest:
            for event in disputes._logs("DisputeOpened", from_block=start, to_block=latest):
                args = event["args"]
                self._dispute_ids.setdefault(to_checksum_address(args["provider"]), set()).add(int(args["dispute_id"]))
            self._disputes_scanned = latest + 1
        out = []
        ids = self._dispute_ids.get(provider, set())
        for dispute_id in sorted(ids):
            d = disputes.dispute(dispute_id)
            if d is None or d.status != STATUS_OPEN or d.provider != provider:
                ids.discard(dispute_id)
                continue
            out.append(OpenDispute(d.dispute_id, d.order_id, d.blob_index, d.z, d.deadline, d.root, d.blob_count))
        return out

    def answer_dispute(
        self, dispute_id: int, commitment: bytes, proof_path: Sequence[bytes], y: bytes, kzg_proof: bytes
    ) -> bytes:
        return _tx_hash(self.contracts.disputes.answer(dispute_id, commitment, proof_path, y, kzg_proof))
