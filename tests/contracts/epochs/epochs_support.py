"""Helpers of the Epochs tests: BLS keepers (memo_py.crypto.bls, blspy PopSchemeMPL), a deployment wrapper."""

from memo_py.chain.epochs import header_rlp
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

    def header(self, number):
        """The RLP header of block ``number``, as open_epoch takes it."""
        return header_rlp(self.chain.provider.web3.eth.get_block(number))

    def open(self, epoch, sender):
        """Mine until ``epoch``'s seed block is sealed, then open it; the receipt."""
        seed_block = self.epochs.seed_block(epoch)
        gap = seed_block - self.chain.blocks.head.number
        if gap > 0:
            self.chain.mine(gap)  # the transaction lands in the block after the seed block
        return self.epochs.open_epoch(epoch, self.header(seed_block), sender=sender)

    def finished_epoch(self, sender):
        """Open the next epoch not yet opened (from the current one on) and mine past its end;
        returns the epoch."""
        epoch = self.epochs.current_epoch()
        while self.epochs.end_block_of(epoch) != 0:
            epoch += 1
        self.open(epoch, sender)
        gap = self.epochs.end_block_of(epoch) - self.chain.blocks.head.number
        if gap > 0:
            self.chain.mine(gap)
        return epoch
