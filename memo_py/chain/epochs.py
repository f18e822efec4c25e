"""Wrapper of ``Epochs.vy``: the epoch schedule, seeds, and the Keepers' attested results roots.

Epoch ``e`` challenges the chain state of ``universe_block(e)`` (the last block of
``e - 1``) with the prevrandao of ``seed_block(e)`` (its first block + 1) as seed.
``open_epoch`` hands the contract the RLP header of the seed block, which it checks
against the block hash and reads the mixHash (prevrandao) from.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import rlp
from eth_utils import keccak, to_checksum_address
from web3.types import TxReceipt

from memo_py.chain.base import ContractWrapper
from memo_py.chain.merkle import ZERO, attestation_message
from memo_py.crypto import bls
from memo_py.errors import InvalidLength

__all__ = ["Epochs", "header_rlp", "HeaderMismatch"]

# The fields of an execution block header, in RLP order. The first 15 are in every
# header; each later fork appended some (London, Shanghai, Cancun, Prague).
_HEADER_FIELDS = (
    "parentHash", "sha3Uncles", "miner", "stateRoot", "transactionsRoot", "receiptsRoot",
    "logsBloom", "difficulty", "number", "gasLimit", "gasUsed", "timestamp", "extraData",
    "mixHash", "nonce",
)
_FORK_FIELDS = (
    "baseFeePerGas", "withdrawalsRoot", "blobGasUsed", "excessBlobGas", "parentBeaconBlockRoot", "requestsHash",
)


class HeaderMismatch(ValueError):
    """The header rebuilt from a node's block fields does not hash to the block's hash."""


def _field(value: Any) -> int | bytes:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return bytes.fromhex(value[2:] if value.startswith(("0x", "0X")) else value)
    return bytes(value)


def header_rlp(block: Mapping[str, Any]) -> bytes:
    """The RLP encoding of a block's header, from ``eth_getBlockByNumber`` fields.

    The fields a fork added are taken in order while the block has them. The result is
    checked against the block hash, so a node whose header layout differs raises
    :class:`HeaderMismatch` rather than sending a header the contract would refuse.
    """
    fields = [_field(block[name]) for name in _HEADER_FIELDS]
    for name in _FORK_FIELDS:
        if block.get(name) is None:
            break
        fields.append(_field(block[name]))
    encoded = rlp.encode(fields)
    if keccak(encoded) != bytes(block["hash"]):
        raise HeaderMismatch(f"the header of block {block['number']} rebuilt from its fields does not match its hash")
    return encoded


class Epochs(ContractWrapper):
    NAME = "Epochs"

    # ------------------------------------------------------------------ schedule

    def current_epoch(self, block: int | str | None = None) -> int:
        return int(self._call("current_epoch", block=block))

    def epoch_length(self) -> int:
        return int(self._call("epoch_length"))

    def epoch_start_block(self, epoch: int) -> int:
        return int(self._call("epoch_start_block", int(epoch)))

    def epoch_last_block(self, epoch: int) -> int:
        """The last block of ``epoch``."""
        return self.epoch_start_block(epoch + 1) - 1

    def universe_block(self, epoch: int) -> int:
        """The block whose state fixes what ``epoch`` challenges and pays (the last of ``epoch - 1``)."""
        return self.epoch_start_block(epoch) - 1

    def seed_block(self, epoch: int) -> int:
        """The block whose prevrandao is ``epoch``'s seed."""
        return int(self._call("seed_block", int(epoch)))

    def registry(self) -> str:
        return to_checksum_address(self._call("REGISTRY"))

    # ------------------------------------------------------------------ seeds

    def is_open(self, epoch: int) -> bool:
        """Whether somebody opened ``epoch`` (its seed is recorded)."""
        return int(self._call("end_block_of", int(epoch))) != 0

    def seed_of(self, epoch: int) -> bytes | None:
        """The 32-byte seed of ``epoch``, or None while nobody opened it."""
        if not self.is_open(epoch):
            return None
        return bytes(self._call("seed_of", int(epoch)))

    def can_open(self, epoch: int) -> bool:
        """Whether ``epoch``'s seed block is sealed (``open_epoch`` needs a later block)."""
        return self.client.block_number() > self.seed_block(epoch)

    def open_epoch(self, epoch: int | None = None) -> TxReceipt:
        """Record ``epoch``'s seed (default: the current epoch) from its seed block's header.

        Raises ValueError while the seed block is not sealed yet; reverts
        ``"epochs: epoch already opened"`` for an opened one.
        """
        epoch = self.current_epoch() if epoch is None else int(epoch)
        seed_block = self.seed_block(epoch)
        if self.client.block_number() <= seed_block:
            raise ValueError(f"epoch {epoch} cannot be opened before its seed block {seed_block} is sealed")
        header = header_rlp(self.client.get_block(seed_block))
        return self._send("open_epoch", epoch, header)

    def ensure_open(self, epoch: int | None = None) -> TxReceipt | None:
        """Open ``epoch`` (default: the current one) unless it is open or its seed block is not
        sealed yet; the receipt, or None."""
        epoch = self.current_epoch() if epoch is None else int(epoch)
        if self.is_open(epoch) or not self.can_open(epoch):
            return None
        return self.open_epoch(epoch)

    # ------------------------------------------------------------------ attestations

    def quorum(self) -> tuple[int, int]:
        numerator, denominator = self._call("quorum")
        return int(numerator), int(denominator)

    def results_root(self, epoch: int) -> bytes | None:
        """The attested results root of ``epoch``, or None."""
        root = bytes(self._call("results_root", int(epoch)))
        return None if root == ZERO else root

    def latest_attested(self) -> int | None:
        """The newest attested epoch, or None before the first attestation."""
        latest = int(self._call("latest_attested"))
        if latest == 0 and self.results_root(0) is None:
            return None
        return latest

    def attestation_message(self, epoch: int, results_root: bytes) -> bytes:
        """The 128 bytes Keepers BLS-sign for ``epoch`` (built locally, as the contract does)."""
        return attestation_message(self.client.chain_id, self.address, epoch, results_root)

    def attest(self, epoch: int, results_root: bytes, signer_bitmap: int, signature: bytes) -> TxReceipt:
        """Submit an attestation. ``signature`` is the 96-byte compressed aggregate (blspy) or
        its 256-byte EIP-2537 encoding."""
        if len(results_root) != 32:
            raise InvalidLength(f"a results root is 32 bytes, got {len(results_root)}")
        if results_root == ZERO:
            raise ValueError("an empty results root cannot be attested")
        if signer_bitmap <= 0:
            raise ValueError("an attestation needs at least one signer")
        if len(signature) == bls.SIGNATURE_BYTES:
            signature = bls.g2_to_eip2537(signature)
        elif len(signature) != 256:
            raise InvalidLength(f"an aggregate signature is 96 (compressed) or 256 (EIP-2537) bytes, got {len(signature)}")
        return self._send("attest", int(epoch), bytes(results_root), int(signer_bitmap), bytes(signature))
