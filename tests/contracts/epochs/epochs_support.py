"""Helpers of the Epochs tests: BLS keepers (blspy PopSchemeMPL), EIP-2537 encodings, a deployment wrapper."""

import py_arkworks_bls12381 as ark
from blspy import PopSchemeMPL

from memo_py.chain.merkle import attestation_message

EPOCH_LENGTH = 5
SIG_DST = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"


def _pad(xy: bytes) -> bytes:
    return b"".join(bytes(16) + xy[i : i + 48] for i in range(0, len(xy), 48))


def g1_to_eip2537(pk48: bytes) -> bytes:
    return _pad(ark.G1Point.from_compressed_bytes(pk48).to_xy_bytes_be())


def g2_to_eip2537(sig96: bytes) -> bytes:
    return _pad(ark.G2Point.from_compressed_bytes(sig96).to_xy_bytes_be())


class Keeper:
    def __init__(self, index: int):
        self.sk = PopSchemeMPL.key_gen(bytes([index + 1]) * 32)
        self.pk = self.sk.get_g1()
        self.pubkey_xy = g1_to_eip2537(bytes(self.pk))

    def sign(self, message: bytes):
        return PopSchemeMPL.sign(self.sk, message)


def aggregate(signatures) -> bytes:
    return g2_to_eip2537(bytes(PopSchemeMPL.aggregate(list(signatures))))


class Deployment:
    def __init__(self, chain, registry, epochs, keepers):
        self.chain, self.registry, self.epochs, self.keepers = chain, registry, epochs, keepers

    def message(self, epoch, root):
        return attestation_message(self.chain.chain_id, self.epochs.address, epoch, root)

    def signature(self, signers, epoch, root):
        msg = self.message(epoch, root)
        return aggregate(self.keepers[i].sign(msg) for i in signers)

    def finished_epoch(self, sender):
        """Open the current epoch and mine past its end; returns the epoch."""
        tx = self.epochs.open_epoch(sender=sender)
        epoch = tx.return_value if tx.return_value is not None else self.epochs.current_epoch()
        end = self.epochs.end_block_of(epoch)
        gap = end - self.chain.blocks.head.number
        if gap > 0:
            self.chain.mine(gap)
        return epoch
