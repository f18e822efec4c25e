# pragma version ~=0.4.3
"""
@title Market
@custom:contract-name Market
@license MIT
@notice User balances, storage orders, escrow, Provider payouts and Provider
        penalties of MEMO.
        - Users `deposit` (or `deposit_with_permit`) and `withdraw` a balance.
        - An order is one (User, Provider) pair, created and updated by an
          EIP-712 `OrderUpdate` signed by both; anyone may submit a batch
          (`submit_orders`). Its whole escrow, size * price * term, leaves the
          User's balance when it is signed in; an update that grows the order
          takes the difference, one that shrinks it (the User deleted data and
          the Provider agreed) gives back the escrow of the epochs not vested.
        - Escrow vests to the Provider linearly, one epoch at a time, through
          a per-Provider rate with +rate / -rate deltas at the order bounds,
          advanced lazily (bounded loop; `sync` catches up a long backlog).
        - The Provider is paid with `withdraw_pay`: a Merkle proof of its leaf
          (provider, cum_pay, cum_penalty) against the Keepers' attested
          results root. What vested but was not proven is forfeited, and new
          penalties are slashed from its pledge; both go to its Users through
          a compensation accumulator weighted by order rate, which they
          collect when an order closes (`close_order`).
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


interface IERC20Permit:
    def permit(
        owner: address,
        spender: address,
        amount: uint256,
        deadline: uint256,
        v: uint8,
        r: bytes32,
        s: bytes32,
    ): nonpayable


USER: constant(uint256) = 1
PROVIDER: constant(uint256) = 2
BPS: constant(uint256) = 10_000
MAX_FEE_BPS: constant(uint256) = 5_000
MAX_BATCH: constant(uint256) = 32
MAX_PROOF: constant(uint256) = merkle.MAX_DEPTH
# Epochs vested by one call of `sync`, and by the catch-up inside `withdraw_pay`.
MAX_SYNC: constant(uint256) = 1024
WITHDRAW_SYNC: constant(uint256) = 64
COMP_PRECISION: constant(uint256) = 10**36
# Money bookkeeping of an order (the signed fields live in `IMarket.Order`).
struct OrderBook:
    escrow: uint256
    weight: uint256
    comp_checkpoint: uint256
    comp_owed: uint256
    closed: bool


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
    # Compensation accumulator for its Users, weighted by order rate.
    comp_weight: uint256
    comp_index: uint256
    comp_pending: uint256


token: public(immutable(IERC20))
registry: public(immutable(IRegistry))
epochs: public(immutable(IEpochs))

fee_bps: public(uint256)
balance_of: public(HashMap[address, uint256])
orders: HashMap[bytes32, IMarket.Order]
books: public(HashMap[bytes32, OrderBook])
providers: public(HashMap[address, ProviderBook])
rate_delta: public(HashMap[address, HashMap[uint256, int256]])
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
    amount: uint256
    comp_index: uint256


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
    @param amount Token wei (also the permit's value).
    @param deadline The permit's deadline.
    @param v Permit signature v.
    @param r Permit signature r.
    @param s Permit signature s.
    """
    extcall IERC20Permit(token.address).permit(msg.sender, self, amount, deadline, v, r, s)
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
            User and its Provider (EIP-712 OrderUpdate). Anyone may submit. An update
            may raise or lower the rate (size * price) from the current epoch on and
            lengthen the term; the escrow difference is taken from, or given back to,
            the User's balance.
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
def close_order(order_id: bytes32) -> uint256:
    """
    @notice Close an order after its end, once its Provider is settled through its last
            epoch; credits the User's balance with its share of the Provider's
            forfeits and penalties. Anyone may call.
    @param order_id The order.
    @return The compensation credited to the User.
    """
    order: IMarket.Order = self.orders[order_id]
    assert order.user != empty(address), "market: unknown order"
    assert not self.books[order_id].closed, "market: order closed"
    assert staticcall epochs.current_epoch() >= order.end_epoch, "market: order not ended"
    provider: address = order.provider
    assert (
        self.providers[provider].synced >= order.end_epoch and self.providers[provider].unsettled == 0
    ), "market: provider not settled"
    return self._close(order_id, order.user, provider)


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
            attested epoch (that one is left to the settlement that proves it).
    @param provider The Provider.
    @param max_epochs At most this many epochs (at most MAX_SYNC).
    @return The first epoch not yet vested.
    """
    assert max_epochs > 0 and max_epochs <= MAX_SYNC, "market: bad epoch count"
    return self._sync(provider, staticcall epochs.latest_attested(), max_epochs)


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
def compensation_of(order_id: bytes32) -> uint256:
    """
    @notice Compensation an order has accrued so far (paid out by `close_order`).
    @param order_id The order.
    @return Token wei.
    """
    return self._accrued(order_id, self.orders[order_id].provider)


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
    digest: bytes32 = eip712.digest(update)
    assert eip712.recover(digest, user_sig) == update.user, "market: bad user signature"
    assert eip712.recover(digest, provider_sig) == update.provider, "market: bad provider signature"
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
    assert update.start_epoch >= current, "market: start in the past"
    assert update.end_epoch > update.start_epoch, "market: empty term"
    rate: uint256 = update.size * update.price
    assert rate > 0, "market: zero rate"
    escrow: uint256 = rate * (update.end_epoch - update.start_epoch)
    self._take_escrow(update.user, escrow)
    provider: address = update.provider
    if self.providers[provider].locked == 0 and self.providers[provider].synced < current:
        # Nothing vests before `current`: skip the idle epochs.
        self.providers[provider].synced = current
    self.providers[provider].locked += escrow
    self.rate_delta[provider][update.start_epoch] += convert(rate, int256)
    self.rate_delta[provider][update.end_epoch] -= convert(rate, int256)
    self.providers[provider].comp_weight += rate
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
    self.books[oid] = OrderBook(
        escrow=escrow,
        weight=rate,
        comp_checkpoint=self.providers[provider].comp_index,
        comp_owed=0,
        closed=False,
    )
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
    assert staticcall registry.is_active(update.provider, PROVIDER), "market: provider not active"
    assert update.start_epoch == stored.start_epoch, "market: start changed"
    assert current < stored.end_epoch, "market: order ended"
    assert update.end_epoch >= stored.end_epoch, "market: end would shrink"
    old_rate: uint256 = stored.size * stored.price
    # A zero rate is allowed here: the User deleted everything the order held.
    new_rate: uint256 = update.size * update.price
    # The new rate applies from `switch` on; epochs before it keep the old one.
    # Nothing from `switch` on has vested yet: the books never pass the latest
    # attested epoch, and only epochs that are over can be attested.
    switch: uint256 = max(current, stored.start_epoch)
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
    self._checkpoint_order(oid, provider)
    self.books[oid].weight = new_rate
    self.providers[provider].comp_weight = self.providers[provider].comp_weight + new_rate - old_rate
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
def _close(oid: bytes32, user: address, provider: address) -> uint256:
    self._checkpoint_order(oid, provider)
    compensation: uint256 = self.books[oid].comp_owed
    self.providers[provider].comp_weight -= self.books[oid].weight
    self.books[oid].weight = 0
    self.books[oid].comp_owed = 0
    self.books[oid].closed = True
    if compensation > 0:
        self.total_compensation -= compensation
        self.balance_of[user] += compensation
    log OrderClosed(order_id=oid, user=user, provider=provider, compensation=compensation)
    return compensation


@internal
def _sync(provider: address, upto: uint256, max_epochs: uint256) -> uint256:
    synced: uint256 = self.providers[provider].synced
    if synced >= upto:
        return synced
    if self.providers[provider].locked == 0:
        # Nothing is vesting, so no delta lies ahead (and the rate is 0): jump.
        self.providers[provider].synced = upto
        log Synced(provider=provider, synced=upto, vested=0)
        return upto
    count: uint256 = min(upto - synced, max_epochs)
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
        self.providers[provider].unsettled += vested
    log Synced(provider=provider, synced=synced, vested=vested)
    return synced


@internal
def _settle(provider: address, epoch: uint256, cum_pay: uint256, cum_penalty: uint256, proof: DynArray[bytes32, MAX_PROOF]):
    root: bytes32 = staticcall epochs.results_root(epoch)
    assert root != empty(bytes32), "market: epoch not attested"
    # The leaf is merkle.results_leaf, written out: the internal call would cost ~190 gas a withdrawal.
    leaf: bytes32 = keccak256(keccak256(abi_encode(provider, cum_pay, cum_penalty)))
    assert merkle.verify_sorted(proof, root, leaf), "market: invalid proof"
    assert self.providers[provider].synced <= epoch + 1, "market: epoch already settled"
    assert self._sync(provider, epoch + 1, WITHDRAW_SYNC) == epoch + 1, "market: backlog, call sync first"

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
        self._compensate(provider, forfeited + penalty)

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
def _compensate(provider: address, amount: uint256):
    self.total_compensation += amount
    total: uint256 = amount + self.providers[provider].comp_pending
    weight: uint256 = self.providers[provider].comp_weight
    index: uint256 = self.providers[provider].comp_index
    if weight == 0:
        # No open order to share it with yet: it waits for the next one.
        self.providers[provider].comp_pending = total
    else:
        increment: uint256 = total * COMP_PRECISION // weight
        index += increment
        self.providers[provider].comp_index = index
        self.providers[provider].comp_pending = total - increment * weight // COMP_PRECISION
    log CompensationAdded(provider=provider, amount=amount, comp_index=index)


@internal
@view
def _accrued(oid: bytes32, provider: address) -> uint256:
    book: OrderBook = self.books[oid]
    return book.comp_owed + book.weight * (self.providers[provider].comp_index - book.comp_checkpoint) // COMP_PRECISION


@internal
def _checkpoint_order(oid: bytes32, provider: address):
    self.books[oid].comp_owed = self._accrued(oid, provider)
    self.books[oid].comp_checkpoint = self.providers[provider].comp_index


@internal
def _set_fee(fee_bps: uint256):
    assert fee_bps <= MAX_FEE_BPS, "market: fee too high"
    self.fee_bps = fee_bps
    log FeeSet(fee_bps=fee_bps)
