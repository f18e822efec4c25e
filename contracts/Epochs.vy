# pragma version ~=0.4.3
"""
@title MEMO Epochs
@license MIT
@notice Epochs of `epoch_length` blocks, their seeds, and the Keepers'
        attested results roots.
        - `open_epoch` (anyone) records the current epoch's seed from
          `block.prevrandao`, once per epoch. An epoch nobody opened cannot be
          attested.
        - `attest` (anyone, usually the aggregating Keeper) records an over
          epoch's results root: a Merkle root over (provider, cumulative pay,
          cumulative penalty), see modules/merkle.vy. It carries the bitmap of
          the Keeper slots that signed and one aggregated BLS signature (G2,
          EIP-2537 encoding) over
              message = abi_encode(uint256 chain.id, address this, uint256 epoch, bytes32 results_root)
          with the DST `BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_` (blspy
          PopSchemeMPL). memo_py.chain.merkle.attestation_message builds the
          same 128 bytes. Roots are attested in increasing epoch order, once.
@dev Trust model: holds no money. It trusts the Registry for the Keeper set:
     `signers_key(bitmap)` returns the signers' aggregate key (the aggregate of
     all active keys minus the active non-signers', so the cost does not grow
     with the signers) and their weight, and refuses bits of inactive slots.
     An attestation needs signer weight ≥ quorum (at least 2/3 of
     `total_keeper_weight`, set by the owner as a fraction) and a valid
     aggregate signature; rogue keys are excluded by the proofs of possession
     the Registry checks at registration. The message binds the chain, this
     contract and the epoch, so a signature replays nowhere else.
     The owner (two-step) may change the epoch length, which applies from the
     next epoch boundary (the current epoch keeps its end block), and the
     quorum fraction, never below 2/3.
"""

from .interfaces import IEpochs
from .interfaces import IRegistry
from .modules import bls
from .modules import ownable_2step as ownable

implements: IEpochs

initializes: ownable

exports: (
    ownable.owner,
    ownable.pending_owner,
    ownable.transfer_ownership,
    ownable.accept_ownership,
)

# ----------------------------------------------------------------------------- constants

SIG_DST: constant(Bytes[43]) = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
NO_EPOCH: constant(uint256) = max_value(uint256)
HALF: constant(uint256) = 1 << 128  # packs the quorum fraction

# ----------------------------------------------------------------------------- storage

REGISTRY: public(immutable(IRegistry))
GENESIS_BLOCK: public(immutable(uint256))

# Epoch schedule: the running regime (epoch `_anchor_epoch` starts at block
# `_anchor_block`, epochs last `_anchor_length` blocks) and at most one pending
# regime that takes over at the next epoch boundary (`_next_length` 0: none).
_anchor_epoch: uint256
_anchor_block: uint256
_anchor_length: uint256
_next_epoch: uint256
_next_block: uint256
_next_length: uint256

# Quorum fraction, packed in one slot: numerator << 128 | denominator.
_quorum: uint256

seed_of: public(HashMap[uint256, bytes32])
# First block after the epoch; set when the epoch is opened (0: not opened).
end_block_of: public(HashMap[uint256, uint256])
results_root: public(HashMap[uint256, bytes32])
# Latest attested epoch; NO_EPOCH before the first attestation (a non-zero
# sentinel, so the first attestation does not pay for a fresh slot).
_latest: uint256

# ----------------------------------------------------------------------------- events


event EpochOpened:
    epoch: indexed(uint256)
    seed: bytes32
    end_block: uint256


event EpochAttested:
    epoch: indexed(uint256)
    results_root: bytes32
    signer_bitmap: uint256
    signer_weight: uint256
    submitter: indexed(address)


event EpochLengthUpdated:
    old_value: uint256
    new_value: uint256
    from_epoch: uint256
    from_block: uint256


event QuorumUpdated:
    numerator: uint256
    denominator: uint256


# ----------------------------------------------------------------------------- constructor


@deploy
def __init__(registry: IRegistry, epoch_length: uint256):
    """
    @notice Start epoch 0 at the deployment block; the deployer becomes the owner.
    @param registry The Registry holding the Keeper set.
    @param epoch_length Blocks per epoch.
    """
    assert epoch_length > 0, "epochs: zero epoch length"
    REGISTRY = registry
    GENESIS_BLOCK = block.number
    self._anchor_block = block.number
    self._anchor_length = epoch_length
    ownable.__init__()
    self._set_quorum(2, 3)
    self._latest = NO_EPOCH
    log EpochLengthUpdated(old_value=0, new_value=epoch_length, from_epoch=0, from_block=block.number)


# ----------------------------------------------------------------------------- external


@external
@view
def current_epoch() -> uint256:
    """
    @notice The epoch the current block belongs to.
    @return The current epoch.
    """
    return self._epoch_at(block.number)


@external
@view
def epoch_length() -> uint256:
    """
    @notice Blocks per epoch now (a pending change shows once its boundary is reached).
    @return The current epoch length.
    """
    if self._next_length != 0 and block.number >= self._next_block:
        return self._next_length
    return self._anchor_length


@external
@view
def latest_attested() -> uint256:
    """
    @notice The newest attested epoch (0 before any; check `results_root`).
    @return The latest attested epoch.
    """
    latest: uint256 = self._latest
    if latest == NO_EPOCH:
        return 0
    return latest


@external
@view
def quorum() -> (uint256, uint256):
    """
    @notice The quorum fraction of Keeper weight an attestation needs.
    @return (numerator, denominator).
    """
    quorum: uint256 = self._quorum
    return quorum // HALF, quorum % HALF


@external
@view
def epoch_start_block(epoch: uint256) -> uint256:
    """
    @notice The first block of an epoch, under the schedule known now.
    @param epoch An epoch, not before the running regime's first epoch.
    @return Its first block.
    """
    return self._start_of(epoch)


@external
@view
def attestation_message(epoch: uint256, results_root: bytes32) -> Bytes[128]:
    """
    @notice The bytes Keepers BLS-sign to attest `results_root` for `epoch`.
    @param epoch The epoch.
    @param results_root The results root.
    @return abi_encode(chain.id, this contract, epoch, results_root).
    """
    return self._message(epoch, results_root)


@external
def open_epoch() -> uint256:
    """
    @notice Open the current epoch: record its seed (`block.prevrandao`) and end block. Anyone may call, once per epoch.
    @return The epoch opened.
    """
    self._settle()
    epoch: uint256 = self._epoch_at(block.number)
    assert self.end_block_of[epoch] == 0, "epochs: epoch already opened"
    self._open(epoch)
    return epoch


@external
def attest(epoch: uint256, results_root: bytes32, signer_bitmap: uint256, signature: Bytes[256]):
    """
    @notice Record the results root of an opened, finished epoch, signed by a quorum of Keepers.
    @param epoch The epoch (opened, over, after the latest attested one).
    @param results_root Merkle root over (provider, cum_pay, cum_penalty); not zero.
    @param signer_bitmap Bit i set = the Keeper in Registry slot i signed.
    @param signature Aggregated BLS signature of the signers (EIP-2537 G2, 256 bytes).
    """
    assert results_root != empty(bytes32), "epochs: empty results root"
    end_block: uint256 = self.end_block_of[epoch]
    assert end_block != 0, "epochs: epoch not opened"
    assert block.number >= end_block, "epochs: epoch not over"
    assert self.results_root[epoch] == empty(bytes32), "epochs: already attested"
    latest: uint256 = self._latest
    assert latest == NO_EPOCH or epoch > latest, "epochs: older than latest attested"

    key: Bytes[128] = b""
    weight: uint256 = 0
    key, weight = staticcall REGISTRY.signers_key(signer_bitmap)
    total: uint256 = staticcall REGISTRY.total_keeper_weight()
    quorum: uint256 = self._quorum
    assert weight > 0 and weight * (quorum % HALF) >= total * (quorum // HALF), "epochs: below quorum"

    assert bls.verify(key, self._message(epoch, results_root), signature, SIG_DST), "epochs: invalid signature"
    self._attest(epoch, results_root, signer_bitmap, weight)


@external
def set_epoch_length(epoch_length: uint256):
    """
    @notice Change the epoch length from the next epoch boundary on (owner only). A second change before that boundary replaces the first.
    @param epoch_length The new number of blocks per epoch.
    """
    ownable._check_owner()
    assert epoch_length > 0, "epochs: zero epoch length"
    self._settle()
    if self._next_length == 0:
        epoch: uint256 = self._epoch_at(block.number)
        self._next_epoch = epoch + 1
        self._next_block = self._start_of(epoch + 1)
    log EpochLengthUpdated(
        old_value=self._anchor_length,
        new_value=epoch_length,
        from_epoch=self._next_epoch,
        from_block=self._next_block,
    )
    self._next_length = epoch_length


@external
def set_quorum(numerator: uint256, denominator: uint256):
    """
    @notice Set the quorum fraction of Keeper weight (owner only); never below 2/3 nor above 1.
    @param numerator Numerator of the fraction.
    @param denominator Denominator of the fraction.
    """
    ownable._check_owner()
    self._set_quorum(numerator, denominator)



# ----------------------------------------------------------------------------- internal


@internal
def _open(epoch: uint256):
    seed: bytes32 = block.prevrandao
    end_block: uint256 = self._start_of(epoch + 1)
    self.seed_of[epoch] = seed
    self.end_block_of[epoch] = end_block
    log EpochOpened(epoch=epoch, seed=seed, end_block=end_block)


@internal
def _attest(epoch: uint256, results_root: bytes32, signer_bitmap: uint256, weight: uint256):
    self.results_root[epoch] = results_root
    self._latest = epoch
    log EpochAttested(
        epoch=epoch,
        results_root=results_root,
        signer_bitmap=signer_bitmap,
        signer_weight=weight,
        submitter=msg.sender,
    )


@internal
@view
def _message(epoch: uint256, results_root: bytes32) -> Bytes[128]:
    return abi_encode(chain.id, self, epoch, results_root)


@internal
@view
def _epoch_at(block_number: uint256) -> uint256:
    if self._next_length != 0 and block_number >= self._next_block:
        return self._next_epoch + (block_number - self._next_block) // self._next_length
    return self._anchor_epoch + (block_number - self._anchor_block) // self._anchor_length


@internal
@view
def _start_of(epoch: uint256) -> uint256:
    if self._next_length != 0 and epoch >= self._next_epoch:
        return self._next_block + (epoch - self._next_epoch) * self._next_length
    return self._anchor_block + (epoch - self._anchor_epoch) * self._anchor_length


@internal
def _settle():
    # Once its boundary is reached, the pending regime becomes the running one.
    if self._next_length != 0 and block.number >= self._next_block:
        self._anchor_epoch = self._next_epoch
        self._anchor_block = self._next_block
        self._anchor_length = self._next_length
        self._next_length = 0


@internal
def _set_quorum(numerator: uint256, denominator: uint256):
    assert denominator > 0 and numerator <= denominator and denominator < HALF, "epochs: bad quorum"
    assert numerator * 3 >= denominator * 2, "epochs: quorum below two thirds"
    self._quorum = numerator * HALF + denominator
    log QuorumUpdated(numerator=numerator, denominator=denominator)
