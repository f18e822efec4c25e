# pragma version ~=0.4.3
"""
@title MEMO Epochs
@license MIT
@notice Epochs of `EPOCH_LENGTH` blocks, their seeds, and the Keepers'
        attested results roots.
        - What epoch e challenges is frozen at `universe_block(e)`, the last
          block of epoch e - 1: the Market lets an order start, and an update
          take effect, no earlier than the epoch after the one it is submitted
          in, so the chain state at that block is exactly what e pays for.
        - The seed of epoch e is the `prevrandao` of a fixed later block,
          `seed_block(e)` = the first block of e plus SEED_DELAY (1). It is
          recorded by `open_epoch(e, header)` (anyone, once, any time while the
          block's hash is still known on-chain): the caller hands in the RLP
          header of the seed block, the contract checks it against the block
          hash (BLOCKHASH for 256 blocks, then the EIP-2935 history contract
          for 8191) and reads its mixHash field, which is the block's
          prevrandao. Whoever calls, whenever, the seed is the same.
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
     An attestation needs signer weight >= quorum (at least 2/3 of
     `total_keeper_weight`, set by the owner as a fraction) and a valid
     aggregate signature; rogue keys are excluded by the proofs of possession
     the Registry checks at registration. The message binds the chain, this
     contract and the epoch, so a signature replays nowhere else.
     Seed: the universe is frozen one block before the seed block's parent is
     sealed, and prevrandao(B) is fixed once block B - 1 is, so nobody who can
     still change the universe knows the seed. What a block proposer keeps:
     the proposers of the slots up to the seed block may withhold their block
     (forfeiting its reward), which changes the RANDAO mix; k colluding
     consecutive proposers choose among at most 2^k seeds. They cannot choose
     the value. docs/proofs.md turns that into the soundness bound.
     The owner (two-step) may only set the quorum fraction, never below 2/3
     of Keeper weight. The epoch length is fixed at deployment: no one can make order
     terms pass in a few blocks or never.
"""

from snekmate.auth import ownable
from snekmate.auth import ownable_2step
from snekmate.utils import block_hash

from .interfaces import IEpochs
from .interfaces import IRegistry
from .modules import bls

implements: IEpochs

initializes: ownable
initializes: ownable_2step[ownable := ownable]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)

# ----------------------------------------------------------------------------- constants

SIG_DST: constant(Bytes[43]) = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
NO_EPOCH: constant(uint256) = max_value(uint256)
HALF: constant(uint256) = 1 << 128  # packs the quorum fraction
# The seed block is this many blocks after the epoch's first block: the proposer
# of the first block already sees the universe frozen (epoch e - 1 is sealed).
SEED_DELAY: constant(uint256) = 1
MAX_HEADER: constant(uint256) = 1024
# A block header is an RLP list whose 14th item (index 13) is mixHash = prevrandao.
MIX_HASH_ITEM: constant(uint256) = 13

# ----------------------------------------------------------------------------- storage

REGISTRY: public(immutable(IRegistry))
GENESIS_BLOCK: public(immutable(uint256))
EPOCH_LENGTH: public(immutable(uint256))

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
    seed_block: uint256
    end_block: uint256


event EpochAttested:
    epoch: indexed(uint256)
    results_root: bytes32
    signer_bitmap: uint256
    signer_weight: uint256
    submitter: indexed(address)


event QuorumUpdated:
    numerator: uint256
    denominator: uint256


# ----------------------------------------------------------------------------- constructor


@deploy
def __init__(registry: IRegistry, epoch_length: uint256):
    """
    @notice Start epoch 0 at the deployment block; the deployer becomes the owner.
    @param registry The Registry holding the Keeper set.
    @param epoch_length Blocks per epoch, fixed for the life of the contract (at least 2).
    """
    assert epoch_length >= 2, "epochs: epoch too short"
    REGISTRY = registry
    GENESIS_BLOCK = block.number
    EPOCH_LENGTH = epoch_length
    ownable.__init__()
    ownable_2step.__init__()
    self._set_quorum(2, 3)
    self._latest = NO_EPOCH


# ----------------------------------------------------------------------------- external


@external
@view
def current_epoch() -> uint256:
    """
    @notice The epoch the current block belongs to.
    @return The current epoch.
    """
    return (block.number - GENESIS_BLOCK) // EPOCH_LENGTH


@external
@view
def epoch_length() -> uint256:
    """
    @notice Blocks per epoch (fixed at deployment).
    @return The epoch length.
    """
    return EPOCH_LENGTH


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
    @notice The first block of an epoch.
    @param epoch The epoch.
    @return Its first block.
    """
    return self._start_of(epoch)


@external
@view
def universe_block(epoch: uint256) -> uint256:
    """
    @notice The block whose state fixes what `epoch` challenges and pays: the last block of the epoch before.
    @param epoch The epoch (at least 1: epoch 0 has no orders, none can start in it).
    @return The block number.
    """
    assert epoch > 0, "epochs: epoch 0 has no universe"
    return self._start_of(epoch) - 1


@external
@view
def seed_block(epoch: uint256) -> uint256:
    """
    @notice The block whose prevrandao is the seed of `epoch`.
    @param epoch The epoch.
    @return The block number.
    """
    return self._start_of(epoch) + SEED_DELAY


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
def open_epoch(epoch: uint256, header: Bytes[MAX_HEADER]) -> bytes32:
    """
    @notice Record the seed of `epoch`: the prevrandao (mixHash) of its seed block, read from
            that block's RLP header. Anyone may call, once per epoch, after the seed block.
    @param epoch The epoch to open.
    @param header The RLP-encoded header of `seed_block(epoch)`.
    @return The seed.
    """
    assert self.end_block_of[epoch] == 0, "epochs: epoch already opened"
    start: uint256 = self._start_of(epoch)
    seed_block: uint256 = start + SEED_DELAY
    assert block.number > seed_block, "epochs: seed block not sealed"
    # snekmate's block_hash: BLOCKHASH for 256 blocks, then the EIP-2935 history contract
    # for 8191; zero for anything older.
    known: bytes32 = block_hash._block_hash(seed_block)
    assert known != empty(bytes32), "epochs: seed block too old"
    assert keccak256(header) == known, "epochs: header does not match"
    seed: bytes32 = self._mix_hash(header)
    self._open(epoch, seed, seed_block, start + EPOCH_LENGTH)
    return seed


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
def _open(epoch: uint256, seed: bytes32, seed_block: uint256, end_block: uint256):
    self.seed_of[epoch] = seed
    self.end_block_of[epoch] = end_block
    log EpochOpened(epoch=epoch, seed=seed, seed_block=seed_block, end_block=end_block)


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
def _start_of(epoch: uint256) -> uint256:
    return GENESIS_BLOCK + epoch * EPOCH_LENGTH


@internal
@pure
def _byte(data: Bytes[MAX_HEADER], index: uint256) -> uint256:
    return convert(slice(data, index, 1), uint256)


@internal
@pure
def _mix_hash(header: Bytes[MAX_HEADER]) -> bytes32:
    # The header is an RLP list longer than 55 bytes: 0xf8/0xf9 then its length.
    # (Numbers are decimal: a hex literal is a bytes value in Vyper.)
    size: uint256 = len(header)
    assert size > 3, "epochs: malformed header"
    prefix: uint256 = self._byte(header, 0)
    assert prefix == 248 or prefix == 249, "epochs: malformed header"
    pos: uint256 = prefix - 246  # 2 or 3: past the list prefix and its length bytes
    payload: uint256 = self._byte(header, 1)
    if prefix == 249:
        payload = payload * 256 + self._byte(header, 2)
    assert pos + payload == size, "epochs: malformed header"
    # Skip the items before mixHash. Each is a string: one byte below 128, a short string
    # 128..0xb7 (length in the prefix) or a long one 0xb8/0xb9 (1 or 2 length bytes:
    # logsBloom is 256 bytes). No header item is a list.
    for i: uint256 in range(MIX_HASH_ITEM):
        assert pos < size, "epochs: malformed header"
        item: uint256 = self._byte(header, pos)
        if item < 128:
            pos += 1
        elif item <= 183:
            pos += 1 + item - 128
        elif item == 184:
            pos += 2 + self._byte(header, pos + 1)
        elif item == 185:
            pos += 3 + self._byte(header, pos + 1) * 256 + self._byte(header, pos + 2)
        else:
            raise "epochs: malformed header"
    assert pos + 33 <= size and self._byte(header, pos) == 160, "epochs: malformed header"
    return extract32(header, pos + 1)


@internal
def _set_quorum(numerator: uint256, denominator: uint256):
    assert denominator > 0 and numerator <= denominator and denominator < HALF, "epochs: bad quorum"
    assert numerator * 3 >= denominator * 2, "epochs: quorum below two thirds"
    self._quorum = numerator * HALF + denominator
    log QuorumUpdated(numerator=numerator, denominator=denominator)
