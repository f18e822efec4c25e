"""Helpers of the Epochs tests: BLS keepers (memo_py.crypto.bls, blspy PopSchemeMPL), a deployment wrapper."""

from memo_py.chain.merkle import attestation_message
from memo_py.crypto import bls

EPOCH_LENGTH = 5
SIG_DST = bls.SIG_DST


class Keeper:
    def __init__(self, index: int):
        self.sk = bls.key_from_seed(bytes([index + 1]) * 32)
        self.pk = bls.public_key(self.sk)
        self.pubkey_xy = bls.g1_to_eip2537(self.pk)

    def sign(self, message: bytes) -> bytes:
        return bls.sign(self.sk, message)


def aggregate(signatures) -> bytes:
    """The EIP-2537 encoding of the aggregate of compressed signatures."""
    return bls.g2_to_eip2537(bls.aggregate(list(signatures)))


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
