"""Wrapper of ``Disputes.vy``: challenge a blob of an order, answer with a KZG opening, or time out."""

from __future__ import annotations

from collections.abc import Sequence

from eth_utils import to_checksum_address
from web3.types import TxReceipt

from memo_py.amounts import require_uint
from memo_py.chain.base import ContractWrapper
from memo_py.chain.client import ChainClient
from memo_py.chain.errors import ChainError, NotRegistered
from memo_py.chain.records import Dispute
from memo_py.chain.token import Token
from memo_py.display import format_tokens
from memo_py.errors import InvalidLength, UnknownOrder

__all__ = ["Disputes", "STATUS_NONE", "STATUS_OPEN", "STATUS_ANSWERED", "STATUS_TIMED_OUT"]

STATUS_NONE, STATUS_OPEN, STATUS_ANSWERED, STATUS_TIMED_OUT = 0, 1, 2, 3


class Disputes(ContractWrapper):
    NAME = "Disputes"

    def __init__(self, client: ChainClient, address: str, *, token: Token | None = None, from_block: int = 0) -> None:
        super().__init__(client, address, from_block=from_block)
        self._token = token

    @property
    def token(self) -> Token:
        if self._token is None:
            self._token = Token(self.client, self._call("TOKEN"), from_block=self.from_block)
        return self._token

    def min_bond(self) -> int:
        return int(self._call("min_bond"))

    def dispute_window(self) -> int:
        return int(self._call("dispute_window"))

    def slash_amount(self) -> int:
        return int(self._call("slash_amount"))

    def dispute_count(self) -> int:
        return int(self._call("dispute_count"))

    def open_disputes(self, provider: str) -> int:
        return int(self._call("open_disputes", to_checksum_address(provider)))

    def dispute(self, dispute_id: int) -> Dispute | None:
        order_id, blob_index, challenger, provider, bond, z, deadline, root, blob_count, status = self._call(
            "disputes", int(dispute_id)
        )
        if int(status) == STATUS_NONE:
            return None
        return Dispute(
            int(dispute_id), bytes(order_id), int(blob_index), to_checksum_address(challenger),
            to_checksum_address(provider), int(bond), int(z), int(deadline), bytes(root), int(blob_count), int(status),
        )

    def challenge(self, order_id: bytes, blob_index: int, bond: int | None = None) -> int:
        """Challenge blob ``blob_index`` of an active order, posting ``bond`` (default: the minimum).

        Approves the bond first; returns the new dispute's id.
        """
        if bond is not None:
            bond = require_uint(bond, "a dispute bond")
        minimum = self.min_bond()
        bond = minimum if bond is None else bond
        if bond < minimum:
            raise ValueError(f"a dispute bond is at least {format_tokens(minimum)} tokens, got {format_tokens(bond)}")
        market = self.client.contract("Market", self._call("MARKET"))
        order = self.client.call(market.functions.order_of(bytes(order_id)))
        if int(order[1], 16) == 0:  # provider: zero address = no such order
            raise UnknownOrder(f"no order 0x{bytes(order_id).hex()} on the Market")
        if not 0 <= blob_index < int(order[9]):
            raise IndexError(f"blob {blob_index} is outside the order's {int(order[9])} blobs")
        self.token.require_balance(bond, "this dispute bond")
        self.token.ensure_allowance(self.address, bond)
        receipt = self._send("challenge", bytes(order_id), int(blob_index), bond)
        opened = self._events(receipt, "DisputeOpened")
        if not opened:
            raise ChainError("challenge mined without a DisputeOpened event")
        return int(opened[0]["args"]["dispute_id"])

    def answer(self, dispute_id: int, commitment: bytes, proof_path: Sequence[bytes], y: bytes, kzg_proof: bytes) -> TxReceipt:
        """Answer a dispute (the Provider only) with the blob's commitment, Merkle path and KZG opening at z."""
        if len(commitment) != 48 or len(kzg_proof) != 48:
            raise InvalidLength("a KZG commitment and a KZG proof are 48 bytes each")
        if len(y) != 32:
            raise InvalidLength("y is a 32-byte field element")
        dispute = self.dispute(dispute_id)
        if dispute is None:
            raise LookupError(f"no dispute {dispute_id}")
        me = self.client.require_signer()
        if dispute.provider != me:
            raise NotRegistered(f"dispute {dispute_id} is against {dispute.provider}, not {me}")
        return self._send("answer", int(dispute_id), bytes(commitment), [bytes(p) for p in proof_path], bytes(y), bytes(kzg_proof))

    def resolve_timeout(self, dispute_id: int) -> TxReceipt:
        """Slash the Provider of an unanswered dispute whose deadline passed (anyone may call)."""
        return self._send("resolve_timeout", int(dispute_id))
