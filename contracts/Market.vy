# pragma version ~=0.4.3
"""
@title Market
@custom:contract-name Market
@license MIT
@notice User balances, storage orders, escrow, Provider payouts and Provider
        penalties of MEMO.
        - Users `deposit` (or `deposit_with_permit`) and `withdraw` a balance.
        - An order is one (User, Provider) pair, created and updated by an
          EIP-712 `OrderUpdate` signed by both, valid through its `deadline`
          epoch; anyone may submit a batch (`submit_orders`). It starts no
          earlier than the next epoch, and an update applies from
          max(next epoch, start), so nothing changes the epoch whose challenge
          may already be known. Its size is at most blob_count * 126,976 bytes.
          Its whole escrow, size * price * term, leaves the User's balance
          when it is signed in; an update that grows the order takes the
          difference, one that shrinks it (the User deleted data and the
          Provider agreed) gives back the escrow of the epochs not vested. A
          Provider that requested exit takes no growth, but its orders may
          still shrink.
        - Escrow vests to the Provider linearly, one epoch at a time, through
          a per-Provider rate with +rate / -rate deltas at the order bounds,
          advanced lazily (bounded loop; `sync` catches up a long backlog).
        - The Provider is paid with `withdraw_pay`: a Merkle proof of its leaf
          (provider, cum_pay, cum_penalty) against the Keepers' attested
          results root. What vested but was not proven is forfeited, and new
          penalties are slashed from its pledge; both go to its Users.
        - Compensation follows the losses on each User's own order. A
          settlement covers the epochs [first, end) since the previous one;
          its loss (forfeit + penalty taken) is shared among the Provider's
          orders in proportion to what each vested in [first, end) (rate x
          active epochs in that range), so an order that was not active then
          gets nothing. A settlement with a loss records one checkpoint
          (first, end, loss * 1e36 / vested); an order walks the checkpoints
          from the first one after its creation against its own rate history
          (`claim_compensation`, bounded steps; `close_order` finishes the
          walk). A penalty of a settlement in which nothing vested belongs to
          no User's order: it goes to the Keepers' fee pool.
        - A fee share (`fee_bps`) of the pay goes to the Keepers: it gathers in
          `fee_pool` and `flush_fees` hands it to the Registry, which shares it
          among Keepers pro-rata to weight.
@dev Trust model:
     - The Epochs contract is trusted for `current_epoch` and for results roots
       (it accepts them only with a 2/3 BLS quorum of Keeper weight, and only
       for epochs that are over). Keepers decide how much of the vested pay a
       Provider earned, but never more than has vested: cum_pay is capped by
       the escrow vested through the proven epoch, and everything vested is
       settled at each withdrawal (paid + forfeited = vested).
     - Orders need both signatures (EIP-712, hashed and recovered in
       modules/eip712_orders.vy); a replayed or stale sequence number is
       rejected. The submitter needs no authority.
     - The owner sets only `fee_bps` (capped at MAX_FEE_BPS, evented).
     Conservation: tokens held = sum(balance_of) + sum(locked_of) + fee_pool
     + total_compensation (see docs/contracts.md).
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

from .interfaces import IEpochs
from .interfaces import IMarket
from .interfaces import IRegistry
from .modules import eip712_orders as eip712
from .modules import merkle

implements: IMarket

initializes: ownable
initializes: ownable_2step[ownable := ownable]
initializes: eip712

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


USER: constant(uint256) = 1
PROVIDER: constant(uint256) = 2
BPS: constant(uint256) = 10_000
MAX_FEE_BPS: constant(uint256) = 5_000
MAX_BATCH: constant(uint256) = 32
MAX_PROOF: constant(uint256) = merkle.MAX_DEPTH
# Epochs vested by one call of `sync`, and by the catch-up inside `withdraw_pay`.
MAX_SYNC: constant(uint256) = 1024
WITHDRAW_SYNC: constant(uint256) = 64
# Steps of one compensation walk (`claim_compensation`), and of the one inside `close_order`.
MAX_WALK: constant(uint256) = 1024
CLOSE_WALK: constant(uint256) = 64
LOSS_PRECISION: constant(uint256) = 10**36
# Payload bytes of one blob (4096 field elements of 31 bytes), and a bound on an order's blobs.
BLOB_BYTES: constant(uint256) = 126_976
MAX_BLOBS: constant(uint256) = 2**40
# A rate history entry packs (first epoch << 192 | rate).
MAX_RATE: constant(uint256) = 2**192 - 1
LOW_128: constant(uint256) = 2**128 - 1


# Money bookkeeping of an order (the signed fields live in `IMarket.Order`).
struct OrderBook:
    escrow: uint256
    # Rate segments before the current one, in `rate_history` (0: the rate never changed).
    segments: uint256
    # First epoch of the current rate (meaningful once `segments` > 0; else `start_epoch`).
    switch: uint256
    # Next loss checkpoint of the Provider this order's compensation walk reads.
    loss_cursor: uint256
    closed: bool
    # Where the walk stands inside checkpoint `loss_cursor`: its rate segment and what it
    # has counted as vested there so far.
    seg_cursor: uint256
    walk_vested: uint256
    # Compensation credited to the User so far.
    claimed: uint256


struct ProviderBook:
    # First epoch not yet vested, and the pay rate of the epoch before it.
    synced: uint256
    rate: uint256
    # Vested since the last settlement (neither paid nor forfeited yet).
    unsettled: uint256
    # Proven cumulative pay and penalty of the last settlement.
    paid: uint256
    penalized: uint256
    # Escrow not yet paid or forfeited (vesting or vested-unsettled).
    locked: uint256
    # First epoch of the vested-unsettled range; meaningful while `unsettled` > 0 (when it
    # is 0, every epoch before `synced` is settled or vested nothing).
    interval_start: uint256
    # Loss checkpoints recorded (see `loss_bounds`, `loss_ratio`).
    loss_count: uint256


token: public(immutable(IERC20))
registry: public(immutable(IRegistry))
epochs: public(immutable(IEpochs))

fee_bps: public(uint256)
balance_of: public(HashMap[address, uint256])
orders: HashMap[bytes32, IMarket.Order]
books: public(HashMap[bytes32, OrderBook])
providers: public(HashMap[address, ProviderBook])
rate_delta: public(HashMap[address, HashMap[uint256, int256]])
# Per order, its earlier rate segments: (first epoch << 192 | rate).
rate_history: public(HashMap[bytes32, HashMap[uint256, uint256]])
# Per Provider, its loss checkpoints: (first | end << 128) of the settled epochs, and
# loss * LOSS_PRECISION // vested over them.
loss_bounds: public(HashMap[address, HashMap[uint256, uint256]])
loss_ratio: public(HashMap[address, HashMap[uint256, uint256]])
fee_pool: public(uint256)
total_compensation: public(uint256)


event Deposited:
    user: indexed(address)
    amount: uint256


event Withdrawn:
    user: indexed(address)
    amount: uint256


event OrderCreated:
    order_id: indexed(bytes32)
    user: indexed(address)
    provider: indexed(address)
    nonce: uint256
    size: uint256
    price: uint256
    start_epoch: uint256
    end_epoch: uint256
    root: bytes32
    blob_count: uint256
    escrow: uint256


event OrderUpdated:
    order_id: indexed(bytes32)
    user: indexed(address)
    provider: indexed(address)
    seq: uint256
    size: uint256
    price: uint256
    end_epoch: uint256
    root: bytes32
    blob_count: uint256
    escrow_added: uint256
    escrow_refunded: uint256


event OrderClosed:
    order_id: indexed(bytes32)
    user: indexed(address)
    provider: indexed(address)
    compensation: uint256


event CompensationClaimed:
    order_id: indexed(bytes32)
    user: indexed(address)
    provider: indexed(address)
    amount: uint256
    loss_cursor: uint256


event Synced:
    provider: indexed(address)
    synced: uint256
    vested: uint256


event PaySettled:
    provider: indexed(address)
    epoch: indexed(uint256)
    cum_pay: uint256
    cum_penalty: uint256
    paid: uint256
    fee: uint256
    forfeited: uint256
    penalty: uint256


event CompensationAdded:
    provider: indexed(address)
    checkpoint: indexed(uint256)
    amount: uint256
    first_epoch: uint256
    end_epoch: uint256
    vested: uint256


event PenaltyPooled:
    provider: indexed(address)
    amount: uint256


event FeesFlushed:
    registry: indexed(address)
    amount: uint256


event FeeSet:
    fee_bps: uint256


@deploy
def __init__(token_: IERC20, registry_: IRegistry, epochs_: IEpochs, fee_bps_: uint256):
    ownable.__init__()
    ownable_2step.__init__()
    token = token_
    registry = registry_
    epochs = epochs_
    eip712.__init__()
    self._set_fee(fee_bps_)


# ----------------------------------------------------------------------------- balances


@external
@nonreentrant
def deposit(amount: uint256):
    """
    @notice Add `amount` tokens (pulled with transferFrom) to the caller's balance.
    @param amount Token wei.
    """
    self._deposit(msg.sender, amount)


@external
@nonreentrant
def deposit_with_permit(amount: uint256, deadline: uint256, v: uint8, r: bytes32, s: bytes32):
    """
    @notice `deposit` with an EIP-2612 permit signed by the caller, in one transaction.
            If the permit call fails (someone already submitted it from the mempool, which
            spends its nonce) but the allowance covers `amount`, the deposit goes ahead.
    @param amount Token wei (also the permit's value).
    @param deadline The permit's deadline.
    @param v Permit signature v.
    @param r Permit signature r.
    @param s Permit signature s.
    """
    permitted: bool = raw_call(
        token.address,
        abi_encode(
            msg.sender,
            self,
            amount,
            deadline,
            v,
            r,
            s,
            method_id=method_id("permit(address,address,uint256,uint256,uint8,bytes32,bytes32)"),
        ),
        revert_on_failure=False,
    )
    if not permitted:
        assert staticcall token.allowance(msg.sender, self) >= amount, "market: permit failed"
    self._deposit(msg.sender, amount)


@external
@nonreentrant
def withdraw(amount: uint256):
    """
    @notice Send `amount` of the caller's balance back to it.
    @param amount Token wei.
    """
    balance: uint256 = self.balance_of[msg.sender]
    assert amount > 0, "market: zero amount"
    assert balance >= amount, "market: balance too low"
    self.balance_of[msg.sender] = balance - amount
    assert extcall token.transfer(msg.sender, amount, default_return_value=True), "market: transfer failed"
    log Withdrawn(user=msg.sender, amount=amount)


# ----------------------------------------------------------------------------- orders


@external
@nonreentrant
def submit_orders(
    updates: DynArray[eip712.OrderUpdate, MAX_BATCH],
    user_sigs: DynArray[Bytes[65], MAX_BATCH],
    provider_sigs: DynArray[Bytes[65], MAX_BATCH],
) -> DynArray[bytes32, MAX_BATCH]:
    """
    @notice Create (seq 0) or update (seq = stored seq + 1) orders, each signed by its
            User and its Provider (EIP-712 OrderUpdate) and submitted no later than its
            `deadline` epoch. Anyone may submit. An order starts no earlier than the next
            epoch; an update may raise or lower the rate (size * price) from
            max(next epoch, start) on and lengthen the term; the escrow difference is
            taken from, or given back to, the User's balance. A Provider that requested
            exit may still co-sign updates that do not grow the order.
    @param updates The signed updates.
    @param user_sigs The Users' 65-byte signatures (r || s || v), one per update.
    @param provider_sigs The Providers' signatures, one per update.
    @return The order ids, in order.
    """
    assert len(updates) == len(user_sigs) and len(updates) == len(provider_sigs), "market: length mismatch"
    current: uint256 = staticcall epochs.current_epoch()
    ids: DynArray[bytes32, MAX_BATCH] = []
    for i: uint256 in range(len(updates), bound=MAX_BATCH):
        ids.append(self._apply(updates[i], user_sigs[i], provider_sigs[i], current))
    return ids


@external
@nonreentrant
def claim_compensation(order_id: bytes32, max_steps: uint256) -> uint256:
    """
    @notice Credit the User's balance with the compensation its order has accrued from
            the Provider's loss checkpoints walked so far, walking at most `max_steps`
            more (a step is one checkpoint or one rate segment). Anyone may call; the
            compensation always goes to the order's User.
    @param order_id The order.
    @param max_steps At most this many steps (at most MAX_WALK).
    @return The compensation credited by this call.
    """
    assert max_steps > 0 and max_steps <= MAX_WALK, "market: bad step count"
    order: IMarket.Order = self.orders[order_id]
    assert order.user != empty(address), "market: unknown order"
    assert not self.books[order_id].closed, "market: order closed"
    amount: uint256 = 0
    done: bool = False
    amount, done = self._claim(order_id, order, max_steps)
    log CompensationClaimed(
        order_id=order_id,
        user=order.user,
        provider=order.provider,
        amount=amount,
        loss_cursor=self.books[order_id].loss_cursor,
    )
    return amount


@external
@nonreentrant
def close_order(order_id: bytes32) -> uint256:
    """
    @notice Close an order after its end, once its Provider's settlements cover its last
            epoch (a later `sync` does not matter); credits the User's balance with the
            rest of its compensation: its share of each loss of the Provider, in
            proportion to what it vested in the settled range. Anyone may call. If the
            walk needs more than CLOSE_WALK steps, `claim_compensation` first.
    @param order_id The order.
    @return The compensation credited by this call.
    """
    order: IMarket.Order = self.orders[order_id]
    assert order.user != empty(address), "market: unknown order"
    assert not self.books[order_id].closed, "market: order closed"
    assert staticcall epochs.current_epoch() >= order.end_epoch, "market: order not ended"
    provider: address = order.provider
    assert self._settled_to(provider) >= order.end_epoch, "market: provider not settled"
    compensation: uint256 = 0
    done: bool = False
    compensation, done = self._claim(order_id, order, CLOSE_WALK)
    assert done, "market: compensation backlog"
    self.books[order_id].closed = True
    log OrderClosed(order_id=order_id, user=order.user, provider=provider, compensation=compensation)
    return compensation


# ----------------------------------------------------------------------------- pay


@external
@nonreentrant
def withdraw_pay(epoch: uint256, cum_pay: uint256, cum_penalty: uint256, proof: DynArray[bytes32, MAX_PROOF]):
    """
    @notice Settle the caller's pay through `epoch` with its leaf of that epoch's attested
            results root: pays cum_pay - paid so far (less the Keeper fee share),
            forfeits the rest of what vested to its Users, and slashes any new penalty
            from its pledge for them.
    @param epoch An attested epoch, not older than the caller's last settlement.
    @param cum_pay Cumulative pay in the leaf.
    @param cum_penalty Cumulative penalty in the leaf.
    @param proof Sorted-pair Merkle proof of the leaf.
    """
    self._settle(msg.sender, epoch, cum_pay, cum_penalty, proof)


@external
@nonreentrant
def settle(provider: address, epoch: uint256, cum_pay: uint256, cum_penalty: uint256, proof: DynArray[bytes32, MAX_PROOF]):
    """
    @notice `withdraw_pay` on behalf of `provider` (its pay still goes to it), so that
            Users can force the forfeits and penalties of an absent Provider.
    @param provider The Provider.
    @param epoch An attested epoch, not older than its last settlement.
    @param cum_pay Cumulative pay in the leaf.
    @param cum_penalty Cumulative penalty in the leaf.
    @param proof Sorted-pair Merkle proof of the leaf.
    """
    self._settle(provider, epoch, cum_pay, cum_penalty, proof)


@external
def sync(provider: address, max_epochs: uint256) -> uint256:
    """
    @notice Vest up to `max_epochs` epochs of `provider`'s backlog, never past the latest
            attested epoch (that one is left to the settlement that proves it). It
            settles nothing, so it never holds back `close_order`.
    @param provider The Provider.
    @param max_epochs At most this many epochs (at most MAX_SYNC).
    @return The first epoch not yet vested.
    """
    assert max_epochs > 0 and max_epochs <= MAX_SYNC, "market: bad epoch count"
    return self._sync(provider, staticcall epochs.latest_attested(), max_epochs, True)


@external
@nonreentrant
def flush_fees() -> uint256:
    """
    @notice Hand the Keeper fee pool to the Registry, which shares it among Keepers.
    @return The amount handed over.
    """
    amount: uint256 = self.fee_pool
    assert amount > 0, "market: no fees"
    self.fee_pool = 0
    assert extcall token.transfer(registry.address, amount, default_return_value=True), "market: transfer failed"
    extcall registry.add_fees(amount)
    log FeesFlushed(registry=registry.address, amount=amount)
    return amount


@external
def set_fee(fee_bps: uint256):
    """
    @notice Set the Keepers' share of Provider pay, in basis points (owner only).
    @param fee_bps At most MAX_FEE_BPS.
    """
    ownable._check_owner()
    self._set_fee(fee_bps)


# ----------------------------------------------------------------------------- views


@external
@view
def order_of(order_id: bytes32) -> IMarket.Order:
    """
    @notice The signed fields of an order (all zero if unknown).
    @param order_id The order id.
    @return The order.
    """
    return self.orders[order_id]


@external
@view
def locked_of(provider: address) -> uint256:
    """
    @notice Escrow the Market still holds for `provider`: vesting, or vested but not yet
            paid or forfeited. The Registry refuses a Provider's exit while it is > 0.
    @param provider The Provider.
    @return Token wei.
    """
    return self.providers[provider].locked


@external
@view
def settled_to(provider: address) -> uint256:
    """
    @notice The first epoch of `provider` that no settlement covers yet (every epoch before
            it is settled or vested nothing); `close_order` needs it >= the order's end.
    @param provider The Provider.
    @return The epoch.
    """
    return self._settled_to(provider)


@external
@view
def compensation_of(order_id: bytes32) -> uint256:
    """
    @notice Compensation an order has accrued and not yet been credited, from the loss
            checkpoints recorded so far (walking at most MAX_WALK steps).
    @param order_id The order.
    @return Token wei.
    """
    order: IMarket.Order = self.orders[order_id]
    if order.user == empty(address):
        return 0
    owed: uint256 = 0
    done: bool = False
    cursor: uint256 = 0
    seg: uint256 = 0
    vested: uint256 = 0
    owed, done, cursor, seg, vested = self._walk(order_id, order, MAX_WALK)
    return owed


@external
@view
def loss_checkpoint(provider: address, index: uint256) -> (uint256, uint256, uint256):
    """
    @notice One loss checkpoint of `provider`.
    @param provider The Provider.
    @param index Its index, below `providers(provider).loss_count`.
    @return First epoch and end epoch of the settled range, and loss * 1e36 / vested.
    """
    bounds: uint256 = self.loss_bounds[provider][index]
    return bounds & LOW_128, bounds >> 128, self.loss_ratio[provider][index]


@external
@pure
def order_id(user: address, provider: address, nonce: uint256) -> bytes32:
    """
    @notice The id of the order (user, provider, nonce).
    @param user The User.
    @param provider The Provider.
    @param nonce The User's nonce for this pair.
    @return keccak256(abi_encode(user, provider, nonce)).
    """
    return keccak256(abi_encode(user, provider, nonce))


@external
@view
def domain_separator() -> bytes32:
    """
    @notice The EIP-712 domain separator ("MEMO Market", "1", chain id, this contract).
    @return The separator.
    """
    return eip712.domain_separator()


@external
@view
def order_update_digest(update: eip712.OrderUpdate) -> bytes32:
    """
    @notice The EIP-712 digest both sides sign for `update`.
    @param update The update.
    @return The digest.
    """
    return eip712.digest(update)


# ----------------------------------------------------------------------------- internal


@internal
def _deposit(user: address, amount: uint256):
    assert amount > 0, "market: zero amount"
    assert extcall token.transferFrom(user, self, amount, default_return_value=True), "market: transfer failed"
    self.balance_of[user] += amount
    log Deposited(user=user, amount=amount)


@internal
def _apply(update: eip712.OrderUpdate, user_sig: Bytes[65], provider_sig: Bytes[65], current: uint256) -> bytes32:
    oid: bytes32 = keccak256(abi_encode(update.user, update.provider, update.nonce))
    assert current <= update.deadline, "market: update expired"
    digest: bytes32 = eip712.digest(update)
    assert eip712.recover(digest, user_sig) == update.user, "market: bad user signature"
    assert eip712.recover(digest, provider_sig) == update.provider, "market: bad provider signature"
    assert update.blob_count <= MAX_BLOBS, "market: too many blobs"
    assert update.size <= update.blob_count * BLOB_BYTES, "market: size exceeds blobs"
    stored: IMarket.Order = self.orders[oid]
    if update.seq == 0:
        assert stored.user == empty(address), "market: stale sequence"
        self._create(oid, update, current)
    else:
        assert stored.user != empty(address), "market: unknown order"
        assert update.seq > stored.seq, "market: stale sequence"
        assert update.seq == stored.seq + 1, "market: sequence gap"
        self._update(oid, update, stored, current)
    return oid


@internal
def _create(oid: bytes32, update: eip712.OrderUpdate, current: uint256):
    assert staticcall registry.is_active(update.user, USER), "market: user not registered"
    assert staticcall registry.is_active(update.provider, PROVIDER), "market: provider not active"
    # The current epoch's challenge may already be known: an order starts in a later one.
    assert update.start_epoch >= current + 1, "market: start too soon"
    assert update.end_epoch > update.start_epoch, "market: empty term"
    rate: uint256 = update.size * update.price
    assert rate > 0, "market: zero rate"
    assert rate <= MAX_RATE, "market: rate too high"
    escrow: uint256 = rate * (update.end_epoch - update.start_epoch)
    self._take_escrow(update.user, escrow)
    provider: address = update.provider
    synced: uint256 = self.providers[provider].synced
    if self.providers[provider].locked == 0 and synced < current:
        # Nothing vests before `current`: skip the idle epochs (if the books allow it).
        self._skip_idle(provider, synced, current)
    self.providers[provider].locked += escrow
    self.rate_delta[provider][update.start_epoch] += convert(rate, int256)
    self.rate_delta[provider][update.end_epoch] -= convert(rate, int256)
    self.orders[oid] = IMarket.Order(
        user=update.user,
        provider=provider,
        nonce=update.nonce,
        seq=0,
        size=update.size,
        price=update.price,
        start_epoch=update.start_epoch,
        end_epoch=update.end_epoch,
        root=update.root,
        blob_count=update.blob_count,
    )
    # Every loss checkpoint recorded so far covers epochs before this order's start.
    cursor: uint256 = self.providers[provider].loss_count
    if cursor > 0:
        self.books[oid].loss_cursor = cursor
    self.books[oid].escrow = escrow
    log OrderCreated(
        order_id=oid,
        user=update.user,
        provider=provider,
        nonce=update.nonce,
        size=update.size,
        price=update.price,
        start_epoch=update.start_epoch,
        end_epoch=update.end_epoch,
        root=update.root,
        blob_count=update.blob_count,
        escrow=escrow,
    )


@internal
def _update(oid: bytes32, update: eip712.OrderUpdate, stored: IMarket.Order, current: uint256):
    assert not self.books[oid].closed, "market: order closed"
    assert update.start_epoch == stored.start_epoch, "market: start changed"
    # The new terms apply from the next epoch on: an order in its last epoch is over.
    assert current + 1 < stored.end_epoch, "market: order ended"
    assert update.end_epoch >= stored.end_epoch, "market: end would shrink"
    old_rate: uint256 = stored.size * stored.price
    # A zero rate is allowed here: the User deleted everything the order held.
    new_rate: uint256 = update.size * update.price
    assert new_rate <= MAX_RATE, "market: rate too high"
    if new_rate > old_rate or update.end_epoch > stored.end_epoch:
        # A Provider that requested exit takes no growth; it may still release data.
        assert staticcall registry.is_active(update.provider, PROVIDER), "market: provider not active"
    # The new rate applies from `switch` on; epochs before it keep the old one.
    # Nothing from `switch` on has vested yet: the books never pass the current epoch.
    switch: uint256 = max(current + 1, stored.start_epoch)
    old_rest: uint256 = old_rate * (stored.end_epoch - switch)
    new_rest: uint256 = new_rate * (update.end_epoch - switch)
    added: uint256 = 0
    refunded: uint256 = 0
    provider: address = stored.provider
    if new_rest > old_rest:
        added = new_rest - old_rest
        self._take_escrow(stored.user, added)
        self.providers[provider].locked += added
        self.books[oid].escrow += added
    elif old_rest > new_rest:
        # The Provider co-signed a smaller order (the User deleted data): the escrow
        # of the epochs not yet vested goes back to the User's balance.
        refunded = old_rest - new_rest
        self.providers[provider].locked -= refunded
        self.books[oid].escrow -= refunded
        self.balance_of[stored.user] += refunded
    self.rate_delta[provider][switch] += convert(new_rate, int256) - convert(old_rate, int256)
    self.rate_delta[provider][stored.end_epoch] += convert(old_rate, int256)
    self.rate_delta[provider][update.end_epoch] -= convert(new_rate, int256)
    # Rate history for the compensation walk: the old rate keeps the epochs before `switch`.
    segments: uint256 = self.books[oid].segments
    current_from: uint256 = stored.start_epoch
    if segments > 0:
        current_from = self.books[oid].switch
    if switch > current_from:
        self.rate_history[oid][segments] = (current_from << 192) | old_rate
        self.books[oid].segments = segments + 1
        self.books[oid].switch = switch
    self.orders[oid] = IMarket.Order(
        user=stored.user,
        provider=provider,
        nonce=stored.nonce,
        seq=update.seq,
        size=update.size,
        price=update.price,
        start_epoch=stored.start_epoch,
        end_epoch=update.end_epoch,
        root=update.root,
        blob_count=update.blob_count,
    )
    log OrderUpdated(
        order_id=oid,
        user=stored.user,
        provider=provider,
        seq=update.seq,
        size=update.size,
        price=update.price,
        end_epoch=update.end_epoch,
        root=update.root,
        blob_count=update.blob_count,
        escrow_added=added,
        escrow_refunded=refunded,
    )


@internal
def _take_escrow(user: address, amount: uint256):
    balance: uint256 = self.balance_of[user]
    assert balance >= amount, "market: balance too low"
    self.balance_of[user] = balance - amount


@internal
@view
def _settled_to(provider: address) -> uint256:
    if self.providers[provider].unsettled == 0:
        return self.providers[provider].synced
    return self.providers[provider].interval_start


@internal
def _skip_idle(provider: address, synced: uint256, to: uint256) -> bool:
    # Called with `locked` == 0: no escrow is left to vest, so the rate of every epoch
    # from `synced` on is 0. The only delta that can still lie ahead is the one at
    # `synced` itself, which brings the rate of the epoch before it down to 0 (an order
    # that was settled exactly through its last epoch, or released with a zero-rate
    # update). Spend it, then jump. If the books say otherwise, do not jump.
    rate: uint256 = self.providers[provider].rate
    if rate != 0:
        if convert(rate, int256) + self.rate_delta[provider][synced] != 0:
            return False
        self.providers[provider].rate = 0
        self.rate_delta[provider][synced] = 0
    self.providers[provider].synced = to
    return True


@internal
def _sync(provider: address, upto: uint256, max_epochs: uint256, mark: bool) -> uint256:
    synced: uint256 = self.providers[provider].synced
    if synced >= upto:
        return synced
    if self.providers[provider].locked == 0:
        if self._skip_idle(provider, synced, upto):
            log Synced(provider=provider, synced=upto, vested=0)
            return upto
    count: uint256 = min(upto - synced, max_epochs)
    first: uint256 = synced
    rate: uint256 = self.providers[provider].rate
    start_rate: uint256 = rate
    vested: uint256 = 0
    for i: uint256 in range(count, bound=MAX_SYNC):
        delta: int256 = self.rate_delta[provider][synced]
        if delta != 0:
            rate = convert(convert(rate, int256) + delta, uint256)
            # The delta is spent: clearing it refunds gas.
            self.rate_delta[provider][synced] = 0
        vested += rate
        synced += 1
    self.providers[provider].synced = synced
    if rate != start_rate:
        self.providers[provider].rate = rate
    if vested > 0:
        unsettled: uint256 = self.providers[provider].unsettled
        if mark and unsettled == 0:
            # A new unsettled range begins here (a settlement reads it from its own start).
            self.providers[provider].interval_start = first
        self.providers[provider].unsettled = unsettled + vested
    log Synced(provider=provider, synced=synced, vested=vested)
    return synced


@internal
def _settle(provider: address, epoch: uint256, cum_pay: uint256, cum_penalty: uint256, proof: DynArray[bytes32, MAX_PROOF]):
    root: bytes32 = staticcall epochs.results_root(epoch)
    assert root != empty(bytes32), "market: epoch not attested"
    # The leaf is merkle.results_leaf, written out: the internal call would cost ~190 gas a withdrawal.
    leaf: bytes32 = keccak256(keccak256(abi_encode(provider, cum_pay, cum_penalty)))
    assert merkle.verify_sorted(proof, root, leaf), "market: invalid proof"
    synced: uint256 = self.providers[provider].synced
    assert synced <= epoch + 1, "market: epoch already settled"
    # The settled range [first, epoch + 1): from the end of the previous settlement (or,
    # if nothing is unsettled, from `synced`: the epochs before it vested nothing).
    first: uint256 = synced
    if self.providers[provider].unsettled > 0:
        first = self.providers[provider].interval_start
    assert self._sync(provider, epoch + 1, WITHDRAW_SYNC, False) == epoch + 1, "market: backlog, call sync first"

    paid: uint256 = self.providers[provider].paid
    assert cum_pay >= paid, "market: pay below paid"
    pay: uint256 = cum_pay - paid
    unsettled: uint256 = self.providers[provider].unsettled
    assert pay <= unsettled, "market: pay exceeds vested"
    forfeited: uint256 = unsettled - pay
    if unsettled > 0:
        self.providers[provider].unsettled = 0
        self.providers[provider].locked -= unsettled
    if pay > 0:
        self.providers[provider].paid = cum_pay

    penalized: uint256 = self.providers[provider].penalized
    assert cum_penalty >= penalized, "market: penalty below penalized"
    penalty: uint256 = 0
    if cum_penalty > penalized:
        self.providers[provider].penalized = cum_penalty
        penalty = extcall registry.slash(provider, cum_penalty - penalized, self)

    if forfeited + penalty > 0:
        if unsettled > 0:
            self._compensate(provider, forfeited + penalty, first, epoch + 1, unsettled)
        else:
            # Nothing vested in the range: no User's order lost anything. The penalty
            # goes to the Keepers, who caught it.
            self.fee_pool += penalty
            log PenaltyPooled(provider=provider, amount=penalty)

    fee: uint256 = pay * self.fee_bps // BPS
    if fee > 0:
        self.fee_pool += fee
    if pay > fee:
        assert extcall token.transfer(provider, pay - fee, default_return_value=True), "market: transfer failed"
    log PaySettled(
        provider=provider,
        epoch=epoch,
        cum_pay=cum_pay,
        cum_penalty=cum_penalty,
        paid=pay - fee,
        fee=fee,
        forfeited=forfeited,
        penalty=penalty,
    )


@internal
def _compensate(provider: address, amount: uint256, first: uint256, end: uint256, vested: uint256):
    # One checkpoint per settlement with a loss; each order takes its share by walking them.
    index: uint256 = self.providers[provider].loss_count
    self.loss_bounds[provider][index] = first | (end << 128)
    self.loss_ratio[provider][index] = amount * LOSS_PRECISION // vested
    self.providers[provider].loss_count = index + 1
    self.total_compensation += amount
    log CompensationAdded(
        provider=provider, checkpoint=index, amount=amount, first_epoch=first, end_epoch=end, vested=vested
    )


@internal
@view
def _walk(oid: bytes32, order: IMarket.Order, max_steps: uint256) -> (uint256, bool, uint256, uint256, uint256):
    # Walk the Provider's loss checkpoints from the order's cursor against its rate
    # segments: in checkpoint [first, end) the order vested sum(rate x overlap), and its
    # share is that times the checkpoint's ratio. Checkpoints and segments are both in
    # epoch order and never change once written (a later update only adds a segment that
    # starts after every checkpoint recorded so far), so the walk is final.
    # Returns (owed, done, cursor, segment, vested inside the cursor's checkpoint).
    provider: address = order.provider
    count: uint256 = self.providers[provider].loss_count
    cursor: uint256 = self.books[oid].loss_cursor
    seg: uint256 = self.books[oid].seg_cursor
    vested: uint256 = self.books[oid].walk_vested
    segments: uint256 = self.books[oid].segments
    current_from: uint256 = order.start_epoch
    if segments > 0:
        current_from = self.books[oid].switch
    owed: uint256 = 0
    for step: uint256 in range(max_steps, bound=MAX_WALK):
        if cursor >= count:
            return owed, True, cursor, seg, vested
        bounds: uint256 = self.loss_bounds[provider][cursor]
        first: uint256 = bounds & LOW_128
        end: uint256 = bounds >> 128
        if first >= order.end_epoch:
            return owed, True, cursor, seg, vested
        seg_from: uint256 = current_from
        seg_to: uint256 = order.end_epoch
        rate: uint256 = order.size * order.price
        last: bool = seg >= segments
        if not last:
            entry: uint256 = self.rate_history[oid][seg]
            seg_from = entry >> 192
            rate = entry & MAX_RATE
            seg_to = current_from
            if seg + 1 < segments:
                seg_to = self.rate_history[oid][seg + 1] >> 192
        lo: uint256 = max(first, seg_from)
        hi: uint256 = min(end, seg_to)
        if hi > lo:
            vested += rate * (hi - lo)
        if not last and seg_to <= end:
            # This segment is spent (later checkpoints start at or after `end`).
            seg += 1
        else:
            owed += vested * self.loss_ratio[provider][cursor] // LOSS_PRECISION
            vested = 0
            cursor += 1
    done: bool = cursor >= count
    if not done:
        done = (self.loss_bounds[provider][cursor] & LOW_128) >= order.end_epoch
    return owed, done, cursor, seg, vested


@internal
def _claim(oid: bytes32, order: IMarket.Order, max_steps: uint256) -> (uint256, bool):
    owed: uint256 = 0
    done: bool = False
    cursor: uint256 = 0
    seg: uint256 = 0
    vested: uint256 = 0
    owed, done, cursor, seg, vested = self._walk(oid, order, max_steps)
    if cursor != self.books[oid].loss_cursor:
        self.books[oid].loss_cursor = cursor
    if seg != self.books[oid].seg_cursor:
        self.books[oid].seg_cursor = seg
    if vested != self.books[oid].walk_vested:
        self.books[oid].walk_vested = vested
    if owed > 0:
        self.books[oid].claimed += owed
        self.total_compensation -= owed
        self.balance_of[order.user] += owed
    return owed, done


@internal
def _set_fee(fee_bps: uint256):
    assert fee_bps <= MAX_FEE_BPS, "market: fee too high"
    self.fee_bps = fee_bps
    log FeeSet(fee_bps=fee_bps)
