# pragma version ~=0.4.3
"""
@title MEMO Disputes
@license MIT
@notice On-chain storage challenges. Anyone may challenge one blob of an
        active order by posting a bond. The order's Provider answers before
        the deadline with a KZG opening of that blob at a point z drawn from
        `prevrandao`: the blob's 48-byte commitment must prove to the order's
        commitment root (positional Merkle path, see modules/merkle.vy) and
        the 0x0A point-evaluation precompile must accept
        (versioned_hash(commitment), z, y, commitment, proof).
        - A correct answer closes the dispute and pays the bond to the
          Provider (it covers the Provider's gas).
        - No answer by the deadline: anyone may resolve the dispute. The
          Provider's pledge is slashed by `slash_amount` (through the Registry,
          into this contract) and split: the challenger gets its bond back
          plus a reward of min(bond, slashed / 2); the rest goes to the order's
          User, at most the order's full-term value size * price * (end - start)
          over all the disputes of that order (`compensated_of`); anything
          beyond is burned (sent to BURN_ADDRESS). So a Provider that
          challenges itself from a second account always loses at least half
          of the slash, and a challenger never earns more than its bond.
@dev Trust model: the contract trusts the Market for an order's Provider,
     User, commitment root, blob count and term (`IMarket.order_of`, both
     sides co-signed them), the Epochs contract for the current epoch, the
     Registry to slash (the owner wires this contract there once), and the
     token to move bonds. The order's root and Provider are copied into the
     dispute when it opens, so a later order update cannot move the target.
     z is fixed at the challenge from `prevrandao`, which the challenger does
     not control, and is below the BLS modulus as the precompile requires.
     The contract holds only bonds: its token balance is the sum of the bonds
     of the open disputes (a slash passes through within the transaction).
     What the owner (two-step) can still do: set the minimum bond (at least
     MIN_BOND_FLOOR > 0), the answer window (within [DISPUTE_WINDOW_FLOOR,
     DISPUTE_WINDOW_CEILING]) and the slash amount (at most SLASH_AMOUNT_CAP);
     the bounds are immutables fixed at deployment. The window applies to
     disputes opened afterwards, the slash amount to disputes resolved
     afterwards. The owner has no other power: it cannot slash, and as a
     challenger it earns at most its bond per unanswered dispute.
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

from .interfaces import IDisputes
from .interfaces import IEpochs
from .interfaces import IMarket
from .interfaces import IRegistry
from .modules import merkle

implements: IDisputes

initializes: ownable
initializes: ownable_2step[ownable := ownable]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)

# ----------------------------------------------------------------------------- constants

# EIP-4844 point evaluation precompile and the scalar field it works in.
POINT_EVALUATION: constant(address) = 0x000000000000000000000000000000000000000A
BLS_MODULUS: constant(uint256) = 52435875175126190479447740508185965837690552500527637822603658699938581184513
FIELD_ELEMENTS_PER_BLOB: constant(uint256) = 4096
VERSIONED_HASH_VERSION_KZG: constant(uint256) = 1
COMMITMENT_BYTES: constant(uint256) = 48
# Where the part of a slash that neither the challenger nor the User may take goes.
BURN_ADDRESS: public(constant(address)) = 0x000000000000000000000000000000000000dEaD

STATUS_NONE: constant(uint8) = 0
STATUS_OPEN: constant(uint8) = 1
STATUS_ANSWERED: constant(uint8) = 2
STATUS_TIMED_OUT: constant(uint8) = 3

# ----------------------------------------------------------------------------- storage


struct Dispute:
    order_id: bytes32
    blob_index: uint256
    challenger: address
    provider: address
    bond: uint256
    z: uint256
    deadline: uint256
    root: bytes32
    blob_count: uint256
    status: uint8


TOKEN: public(immutable(IERC20))
MARKET: public(immutable(IMarket))
EPOCHS: public(immutable(IEpochs))
REGISTRY: public(immutable(IRegistry))
# Bounds of the owner's setters, fixed at deployment.
MIN_BOND_FLOOR: public(immutable(uint256))
DISPUTE_WINDOW_FLOOR: public(immutable(uint256))
DISPUTE_WINDOW_CEILING: public(immutable(uint256))
SLASH_AMOUNT_CAP: public(immutable(uint256))

min_bond: public(uint256)
dispute_window: public(uint256)
slash_amount: public(uint256)

disputes: public(HashMap[uint256, Dispute])
dispute_count: public(uint256)
open_disputes: public(HashMap[address, uint256])
# Slashed tokens paid to an order's User so far, over all its disputes (at most its full-term value).
compensated_of: public(HashMap[bytes32, uint256])

# ----------------------------------------------------------------------------- events


event DisputeOpened:
    dispute_id: indexed(uint256)
    order_id: indexed(bytes32)
    challenger: indexed(address)
    provider: address
    blob_index: uint256
    z: uint256
    bond: uint256
    deadline: uint256


event DisputeAnswered:
    dispute_id: indexed(uint256)
    provider: indexed(address)
    y: bytes32
    bond: uint256


event DisputeTimedOut:
    dispute_id: indexed(uint256)
    provider: indexed(address)
    challenger: indexed(address)
    slashed: uint256
    bond: uint256
    reward: uint256
    user: address
    compensation: uint256
    burned: uint256


event MinBondUpdated:
    old_value: uint256
    new_value: uint256


event DisputeWindowUpdated:
    old_value: uint256
    new_value: uint256


event SlashAmountUpdated:
    old_value: uint256
    new_value: uint256


# ----------------------------------------------------------------------------- constructor


@deploy
def __init__(
    token: IERC20,
    market: IMarket,
    epochs: IEpochs,
    registry: IRegistry,
    min_bond: uint256,
    dispute_window: uint256,
    slash_amount: uint256,
    min_bond_floor: uint256,
    dispute_window_floor: uint256,
    dispute_window_ceiling: uint256,
    slash_amount_cap: uint256,
):
    """
    @notice Deploy the dispute desk; the deployer becomes the owner.
    @param token The ERC-20 bonds are posted in (the Market's token).
    @param market The Market that holds the orders.
    @param epochs The Epochs contract (current epoch).
    @param registry The Registry that slashes pledges.
    @param min_bond The smallest bond a challenge may post.
    @param dispute_window Seconds the Provider has to answer.
    @param slash_amount Pledge taken from a Provider that does not answer.
    @param min_bond_floor The lowest minimum bond the owner may ever set (> 0).
    @param dispute_window_floor The shortest answer window the owner may ever set (> 0).
    @param dispute_window_ceiling The longest answer window the owner may ever set.
    @param slash_amount_cap The largest slash amount the owner may ever set.
    """
    assert min_bond_floor > 0, "disputes: zero bond floor"
    assert dispute_window_floor > 0, "disputes: zero window floor"
    assert dispute_window_floor <= dispute_window_ceiling, "disputes: bad window bounds"
    TOKEN = token
    MARKET = market
    EPOCHS = epochs
    REGISTRY = registry
    MIN_BOND_FLOOR = min_bond_floor
    DISPUTE_WINDOW_FLOOR = dispute_window_floor
    DISPUTE_WINDOW_CEILING = dispute_window_ceiling
    SLASH_AMOUNT_CAP = slash_amount_cap
    ownable.__init__()
    ownable_2step.__init__()
    self._set_min_bond(min_bond)
    self._set_dispute_window(dispute_window)
    self._set_slash_amount(slash_amount)


# ----------------------------------------------------------------------------- external


@external
@nonreentrant
def challenge(order_id: bytes32, blob_index: uint256, bond: uint256) -> uint256:
    """
    @notice Challenge blob `blob_index` of an active order, posting `bond`
            tokens (approve this contract first).
    @param order_id The order.
    @param blob_index The blob to open, below the order's blob count.
    @param bond The bond, at least `min_bond`.
    @return The new dispute's id (ids start at 1).
    """
    assert bond >= self.min_bond, "disputes: bond too small"
    order: IMarket.Order = staticcall MARKET.order_of(order_id)
    assert order.provider != empty(address), "disputes: unknown order"
    epoch: uint256 = staticcall EPOCHS.current_epoch()
    assert order.start_epoch <= epoch and epoch < order.end_epoch, "disputes: order not active"
    assert blob_index < order.blob_count, "disputes: blob index out of range"
    assert extcall TOKEN.transferFrom(msg.sender, self, bond, default_return_value=True), "disputes: bond transfer failed"
    return self._open(order_id, blob_index, order, bond)


@external
@nonreentrant
def answer(
    dispute_id: uint256,
    commitment: Bytes[48],
    proof_path: DynArray[bytes32, 32],
    y: bytes32,
    kzg_proof: Bytes[48],
):
    """
    @notice Answer a dispute with the blob's commitment, its Merkle path to the
            order's root and a KZG opening at the dispute's z. Pays the bond to
            the Provider.
    @param dispute_id The dispute.
    @param commitment The blob's 48-byte KZG commitment.
    @param proof_path The commitment leaf's positional Merkle path (exactly the tree depth).
    @param y The blob polynomial's value at z (32-byte big-endian field element).
    @param kzg_proof The 48-byte KZG opening proof.
    """
    dispute: Dispute = self.disputes[dispute_id]
    assert dispute.status == STATUS_OPEN, "disputes: not open"
    assert msg.sender == dispute.provider, "disputes: not the provider"
    assert block.timestamp <= dispute.deadline, "disputes: deadline passed"
    assert len(commitment) == COMMITMENT_BYTES, "disputes: bad commitment length"
    assert len(proof_path) == merkle.depth_of(dispute.blob_count), "disputes: bad merkle path"
    assert merkle.verify_positional(
        proof_path, dispute.root, merkle.commitment_leaf(dispute.blob_index, commitment), dispute.blob_index
    ), "disputes: bad merkle path"
    assert self._point_evaluation(commitment, dispute.z, y, kzg_proof), "disputes: invalid KZG opening"
    self._close_answered(dispute_id, dispute, y)


@external
@nonreentrant
def resolve_timeout(dispute_id: uint256) -> uint256:
    """
    @notice Close an unanswered dispute after its deadline: slash the Provider,
            return the bond plus a reward of min(bond, slashed / 2) to the
            challenger, pay the rest to the order's User up to the order's
            full-term value (over all its disputes) and burn any excess.
            Anyone may call.
    @param dispute_id The dispute.
    @return The amount actually slashed (capped by the Provider's pledge).
    """
    dispute: Dispute = self.disputes[dispute_id]
    assert dispute.status == STATUS_OPEN, "disputes: not open"
    assert block.timestamp > dispute.deadline, "disputes: deadline not passed"
    return self._close_timed_out(dispute_id, dispute)


@external
def set_min_bond(min_bond: uint256):
    """
    @notice Set the smallest bond a challenge may post (owner only), at least MIN_BOND_FLOOR.
    @param min_bond The new minimum bond.
    """
    ownable._check_owner()
    self._set_min_bond(min_bond)


@external
def set_dispute_window(dispute_window: uint256):
    """
    @notice Set how many seconds a Provider has to answer (owner only), within
            [DISPUTE_WINDOW_FLOOR, DISPUTE_WINDOW_CEILING].
    @param dispute_window The new window.
    """
    ownable._check_owner()
    self._set_dispute_window(dispute_window)


@external
def set_slash_amount(slash_amount: uint256):
    """
    @notice Set the pledge taken from a Provider that does not answer (owner only),
            at most SLASH_AMOUNT_CAP.
    @param slash_amount The new slash amount.
    """
    ownable._check_owner()
    self._set_slash_amount(slash_amount)


# ----------------------------------------------------------------------------- internal


@internal
def _open(order_id: bytes32, blob_index: uint256, order: IMarket.Order, bond: uint256) -> uint256:
    dispute_id: uint256 = self.dispute_count + 1
    self.dispute_count = dispute_id
    z: uint256 = convert(
        keccak256(concat(block.prevrandao, order_id, convert(blob_index, bytes32))), uint256
    ) % BLS_MODULUS
    deadline: uint256 = block.timestamp + self.dispute_window
    self.disputes[dispute_id] = Dispute(
        order_id=order_id,
        blob_index=blob_index,
        challenger=msg.sender,
        provider=order.provider,
        bond=bond,
        z=z,
        deadline=deadline,
        root=order.root,
        blob_count=order.blob_count,
        status=STATUS_OPEN,
    )
    self.open_disputes[order.provider] += 1
    log DisputeOpened(
        dispute_id=dispute_id,
        order_id=order_id,
        challenger=msg.sender,
        provider=order.provider,
        blob_index=blob_index,
        z=z,
        bond=bond,
        deadline=deadline,
    )
    return dispute_id


@internal
def _close_answered(dispute_id: uint256, dispute: Dispute, y: bytes32):
    self.disputes[dispute_id].status = STATUS_ANSWERED
    self.open_disputes[dispute.provider] -= 1
    if dispute.bond > 0:
        assert extcall TOKEN.transfer(dispute.provider, dispute.bond, default_return_value=True), "disputes: transfer failed"
    log DisputeAnswered(dispute_id=dispute_id, provider=dispute.provider, y=y, bond=dispute.bond)


@internal
def _close_timed_out(dispute_id: uint256, dispute: Dispute) -> uint256:
    self.disputes[dispute_id].status = STATUS_TIMED_OUT
    self.open_disputes[dispute.provider] -= 1
    slashed: uint256 = extcall REGISTRY.slash(dispute.provider, self.slash_amount, self)
    reward: uint256 = min(dispute.bond, slashed // 2)
    order: IMarket.Order = staticcall MARKET.order_of(dispute.order_id)
    value: uint256 = order.size * order.price * (order.end_epoch - order.start_epoch)
    paid: uint256 = self.compensated_of[dispute.order_id]
    compensation: uint256 = 0
    if order.user != empty(address) and value > paid:
        compensation = min(slashed - reward, value - paid)
        self.compensated_of[dispute.order_id] = paid + compensation
    burned: uint256 = slashed - reward - compensation
    self._pay(dispute.challenger, dispute.bond + reward)
    self._pay(order.user, compensation)
    self._pay(BURN_ADDRESS, burned)
    log DisputeTimedOut(
        dispute_id=dispute_id,
        provider=dispute.provider,
        challenger=dispute.challenger,
        slashed=slashed,
        bond=dispute.bond,
        reward=reward,
        user=order.user,
        compensation=compensation,
        burned=burned,
    )
    return slashed


@internal
def _pay(recipient: address, amount: uint256):
    if amount > 0:
        assert extcall TOKEN.transfer(recipient, amount, default_return_value=True), "disputes: transfer failed"


@internal
@view
def _point_evaluation(commitment: Bytes[48], z: uint256, y: bytes32, kzg_proof: Bytes[48]) -> bool:
    # versioned_hash = 0x01 ++ sha256(commitment)[1:]
    versioned_hash: uint256 = convert(sha256(commitment), uint256)
    versioned_hash = (versioned_hash & (max_value(uint256) >> 8)) | (VERSIONED_HASH_VERSION_KZG << 248)
    success: bool = False
    response: Bytes[64] = b""
    success, response = raw_call(
        POINT_EVALUATION,
        concat(convert(versioned_hash, bytes32), convert(z, bytes32), y, commitment, kzg_proof),
        max_outsize=64,
        is_static_call=True,
        revert_on_failure=False,
    )
    # On success the precompile returns FIELD_ELEMENTS_PER_BLOB ++ BLS_MODULUS.
    return (
        success
        and len(response) == 64
        and convert(slice(response, 32, 32), uint256) == BLS_MODULUS
        and convert(slice(response, 0, 32), uint256) == FIELD_ELEMENTS_PER_BLOB
    )


@internal
def _set_min_bond(min_bond: uint256):
    assert min_bond >= MIN_BOND_FLOOR, "disputes: bond below floor"
    log MinBondUpdated(old_value=self.min_bond, new_value=min_bond)
    self.min_bond = min_bond


@internal
def _set_dispute_window(dispute_window: uint256):
    assert dispute_window >= DISPUTE_WINDOW_FLOOR, "disputes: window below floor"
    assert dispute_window <= DISPUTE_WINDOW_CEILING, "disputes: window above ceiling"
    log DisputeWindowUpdated(old_value=self.dispute_window, new_value=dispute_window)
    self.dispute_window = dispute_window


@internal
def _set_slash_amount(slash_amount: uint256):
    assert slash_amount <= SLASH_AMOUNT_CAP, "disputes: slash above cap"
    log SlashAmountUpdated(old_value=self.slash_amount, new_value=slash_amount)
    self.slash_amount = slash_amount
