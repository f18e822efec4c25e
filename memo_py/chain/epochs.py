"""Wrapper of ``Epochs.vy``: the epoch schedule, seeds, and the Keepers' attested results roots."""

from __future__ import annotations

from eth_utils import to_checksum_address
from web3.types import TxReceipt

from memo_py.chain.base import ContractWrapper
from memo_py.chain.merkle import ZERO, attestation_message
from memo_py.crypto import bls
from memo_py.errors import InvalidLength

__all__ = ["Epochs"]


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
        """The last block of ``epoch`` (the block at which its orders' terms are final)."""
        return self.epoch_start_block(epoch + 1) - 1

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

    def open_epoch(self) -> TxReceipt:
        """Open the current epoch (record its seed). Reverts ``"epochs: epoch already opened"``."""
        return self._send("open_epoch")

    def ensure_open(self) -> TxReceipt | None:
        """Open the current epoch unless it already is; the receipt, or None."""
        if self.is_open(self.current_epoch()):
            return None
        return self.open_epoch()

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
