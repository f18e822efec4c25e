# pragma version ~=0.4.3
"""
@title Registry
@custom:contract-name Registry
@license MIT
@notice Roles and pledges of MEMO: Users, Providers and Keepers register with a
        pledge, top it up, and leave through an exit queue with an unbonding
        delay. Keepers register a BLS public key with a proof of possession,
        verified on-chain through EIP-2537; the Registry keeps the active
        Keeper set (slots 0..255 = attestation bitmap positions), its aggregate
        key and total weight for the Epochs contract. Keepers also collect the
        Market's fee share here, pro-rata to their weight.
@dev Trust model:
     - Pledges are per (account, role). Only the Market and the Disputes
       contract may `slash`, and only a Provider pledge; slashed tokens go to
       the recipient they name (the Market for its Users; the Disputes
       contract, which splits them between the challenger, the order's User
       and a burn address). The Market and Disputes addresses are wired once
       (`set_market`, `set_disputes`; a second call reverts), so after the
       deployment's wiring nobody, the owner included, can add a slasher.
     - A Provider is active (`is_active`: may take new orders) only while its
       pledge is at least `min_pledge(PROVIDER)`; a slash below it stops new
       orders until the Provider tops up. Existing orders continue.
     - A Provider cannot complete its exit while the Market still holds escrow
       for it (`IMarket.locked_of > 0`) or a dispute against it is open.
     - A Keeper leaving stops counting for quorum at once (`request_exit`
       removes its key from `agg_pubkey` and its weight from the total).
       A Keeper's registration carries, besides the proof of possession, a BLS
       signature by the key over (tag, chain id, this Registry, the Keeper's
       address), so nobody can register another's key; a key once registered
       can never be registered again (not even by the same Keeper after exit).
     - What the owner (two-step) can still do: set `min_pledge(role)` within
       [0, MAX_MIN_PLEDGE] (raising it deactivates Providers below it until
       they top up; it never moves a pledge), set the unbonding delay within
       [MIN_UNBONDING_DELAY, MAX_UNBONDING_DELAY] for exits requested from then
       on, and wire the Market and Disputes once. The bounds are immutables
       fixed at deployment. It cannot move, slash or freeze pledges beyond that.
     - Keeper weight = Keeper pledge. Fees stream out linearly: `add_fees`
       spreads the new amount plus what is still unstreamed over the next
       FEE_STREAM_SECONDS (`fee_rate` tokens per second, scaled by
       FEE_PRECISION); a per-weight accumulator (`fee_index`) advances with
       time, so a Keeper earns in proportion to its weight times the time it
       held it (from registration to `request_exit`). Fees streamed while no
       Keeper has weight, and rounding remainders, are carried in
       `fee_unassigned` and streamed again; nothing is lost but sub-wei dust.
     Tokens held = total_pledged + fee_balance (the conservation invariant).
"""

from ethereum.ercs import IERC20

from snekmate.auth import ownable
from snekmate.auth import ownable_2step

from .interfaces import IRegistry
from .interfaces import IMarket
from .modules import bls

implements: IRegistry

initializes: ownable
initializes: ownable_2step[ownable := ownable]

exports: (
    ownable.owner,
    ownable_2step.pending_owner,
    ownable_2step.transfer_ownership,
    ownable_2step.accept_ownership,
)


interface IDisputes:
    def open_disputes(provider: address) -> uint256: view


USER: constant(uint256) = 1
PROVIDER: constant(uint256) = 2
KEEPER: constant(uint256) = 4
MAX_KEEPERS: constant(uint256) = 256
FEE_PRECISION: constant(uint256) = 10**27
# Fees added by `add_fees` are paid out linearly over this many seconds.
FEE_STREAM_SECONDS: public(constant(uint256)) = 86400
POP_DST: constant(Bytes[64]) = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
SIG_DST: constant(Bytes[64]) = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
# keccak256("MEMO Registry.register_keeper"): the first word of a Keeper's registration message.
REGISTRATION_TAG: constant(bytes32) = 0xeade19790feac282e447aab448b450768860dfb2b9775202efaaa967f0c10b39


struct ProviderInfo:
    endpoint: String[256]
    capacity: uint256
    price: uint256


token: public(immutable(IERC20))
# Bounds of the owner's setters, fixed at deployment.
MIN_UNBONDING_DELAY: public(immutable(uint256))
MAX_UNBONDING_DELAY: public(immutable(uint256))
MAX_MIN_PLEDGE: public(immutable(uint256))
market: public(address)
disputes: public(address)
min_pledge: public(HashMap[uint256, uint256])
unbonding_delay: public(uint256)

roles_of: public(HashMap[address, uint256])
pledge_of: public(HashMap[address, HashMap[uint256, uint256]])
# Timestamp from which a role's exit can complete; 0 while the role is not exiting.
unbond_at: public(HashMap[address, HashMap[uint256, uint256]])
total_pledged: public(uint256)
provider_info: public(HashMap[address, ProviderInfo])

# Keeper set. `keeper_slot_of` stores slot + 1 (0 = no slot).
keeper_slot_of: HashMap[address, uint256]
slot_keeper: public(HashMap[uint256, address])
keeper_pubkey: public(HashMap[uint256, Bytes[128]])
keeper_weight: public(HashMap[uint256, uint256])
# Set at registration and never cleared: a key is registered at most once.
key_in_use: public(HashMap[bytes32, bool])
keeper_key_hash: HashMap[uint256, bytes32]
keeper_bitmap: public(uint256)
keeper_count: public(uint256)
agg_pubkey: public(Bytes[128])
total_keeper_weight: public(uint256)

# Keeper fees (streamed; see the module docstring).
fee_index: public(uint256)
fee_rate: public(uint256)
fee_stream_end: public(uint256)
fee_updated_at: public(uint256)
fee_unassigned: public(uint256)
fee_balance: public(uint256)
fee_checkpoint: HashMap[address, uint256]
fees_owed: HashMap[address, uint256]


event Registered:
    account: indexed(address)
    role: indexed(uint256)
    pledge: uint256


event ProviderUpdated:
    provider: indexed(address)
    endpoint: String[256]
    capacity: uint256
    price: uint256


event KeeperAdded:
    keeper: indexed(address)
    slot: indexed(uint256)
    pubkey: Bytes[48]
    weight: uint256


event KeeperRemoved:
    keeper: indexed(address)
    slot: indexed(uint256)


event KeeperWeightChanged:
    keeper: indexed(address)
    slot: indexed(uint256)
    weight: uint256


event ToppedUp:
    account: indexed(address)
    role: indexed(uint256)
    amount: uint256
    pledge: uint256


event ExitRequested:
    account: indexed(address)
    role: indexed(uint256)
    unbond_at: uint256


event Exited:
    account: indexed(address)
    role: indexed(uint256)
    amount: uint256


event Slashed:
    provider: indexed(address)
    recipient: indexed(address)
    requested: uint256
    taken: uint256


event FeesAdded:
    amount: uint256
    fee_rate: uint256
    stream_end: uint256


event FeeStreamRestarted:
    fee_rate: uint256
    stream_end: uint256


event FeesClaimed:
    keeper: indexed(address)
    amount: uint256


event MinPledgeSet:
    role: indexed(uint256)
    amount: uint256


event UnbondingDelaySet:
    delay: uint256


event MarketSet:
    market: indexed(address)


event DisputesSet:
    disputes: indexed(address)


@deploy
def __init__(
    token_: IERC20,
    unbonding_delay_: uint256,
    min_unbonding_delay_: uint256,
    max_unbonding_delay_: uint256,
    max_min_pledge_: uint256,
):
    """
    @notice Deploy the Registry; the deployer becomes the owner. The bounds of
            the owner's setters are fixed here for good.
    @param token_ The ERC-20 pledges and fees are held in.
    @param unbonding_delay_ The initial unbonding delay (seconds), within the bounds.
    @param min_unbonding_delay_ The floor the unbonding delay can never go below.
    @param max_unbonding_delay_ The ceiling the unbonding delay can never go above.
    @param max_min_pledge_ The highest minimum pledge the owner may set for any role.
    """
    assert min_unbonding_delay_ <= max_unbonding_delay_, "registry: bad delay bounds"
    ownable.__init__()
    ownable_2step.__init__()
    token = token_
    MIN_UNBONDING_DELAY = min_unbonding_delay_
    MAX_UNBONDING_DELAY = max_unbonding_delay_
    MAX_MIN_PLEDGE = max_min_pledge_
    self.agg_pubkey = bls.G1_INFINITY
    self._set_unbonding_delay(unbonding_delay_)


# ----------------------------------------------------------------------------- registration


@external
@nonreentrant
def register_user(pledge: uint256):
    """
    @notice Register the caller as a User with `pledge` tokens (pulled with transferFrom).
    @param pledge The pledge, at least `min_pledge(USER)`.
    """
    self._register(msg.sender, USER, pledge)


@external
@nonreentrant
def register_provider(pledge: uint256, endpoint: String[256], capacity: uint256, price: uint256):
    """
    @notice Register the caller as a Provider with `pledge` tokens and its offer.
    @param pledge The pledge, at least `min_pledge(PROVIDER)`.
    @param endpoint The URL Users and Keepers reach it at.
    @param capacity Bytes it offers.
    @param price Its asking price, token wei per byte per epoch.
    """
    self._register(msg.sender, PROVIDER, pledge)
    self._update_provider(msg.sender, endpoint, capacity, price)


@external
@nonreentrant
def register_keeper(
    pledge: uint256, pubkey: Bytes[48], pubkey_xy: Bytes[128], pop: Bytes[256], signature: Bytes[256]
):
    """
    @notice Register the caller as a Keeper with `pledge` tokens and a BLS key
            never registered before. The proof of possession and the
            registration signature are checked on-chain (EIP-2537).
    @param pledge The pledge (= its attestation weight), at least `min_pledge(KEEPER)`.
    @param pubkey The G1 public key, 48-byte compressed (as blspy serializes it).
    @param pubkey_xy The same key in the EIP-2537 G1 encoding (128 bytes).
    @param pop The proof of possession (PopSchemeMPL.pop_prove), EIP-2537 G2 encoding.
    @param signature The key's signature (DST BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_)
           of `registration_message(msg.sender)`, EIP-2537 G2 encoding.
    """
    self._register(msg.sender, KEEPER, pledge)
    self._add_keeper(msg.sender, pubkey, pubkey_xy, pop, signature, pledge)


@external
def update_provider(endpoint: String[256], capacity: uint256, price: uint256):
    """
    @notice Change the caller's Provider offer.
    @param endpoint The URL Users and Keepers reach it at.
    @param capacity Bytes it offers.
    @param price Its asking price, token wei per byte per epoch.
    """
    assert self.roles_of[msg.sender] & PROVIDER != 0, "registry: not a provider"
    self._update_provider(msg.sender, endpoint, capacity, price)


@external
@nonreentrant
def top_up(role: uint256, amount: uint256):
    """
    @notice Add `amount` to the caller's pledge for `role` (a Keeper's weight grows with it).
    @param role USER, PROVIDER or KEEPER.
    @param amount Tokens pulled with transferFrom.
    """
    assert self.roles_of[msg.sender] & role != 0 and self._is_role(role), "registry: role not held"
    assert amount > 0, "registry: zero amount"
    self._pull(msg.sender, amount)
    pledge: uint256 = self.pledge_of[msg.sender][role] + amount
    self.pledge_of[msg.sender][role] = pledge
    self.total_pledged += amount
    log ToppedUp(account=msg.sender, role=role, amount=amount, pledge=pledge)
    if role == KEEPER and self.unbond_at[msg.sender][KEEPER] == 0:
        self._set_keeper_weight(msg.sender, pledge)


@external
def request_exit(role: uint256):
    """
    @notice Enter the exit queue for `role`. A Keeper stops counting for quorum and
            earning fees at once; a Provider takes no new orders.
    @param role USER, PROVIDER or KEEPER; the exit completes after `unbonding_delay` seconds.
    """
    assert self.roles_of[msg.sender] & role != 0 and self._is_role(role), "registry: role not held"
    assert self.unbond_at[msg.sender][role] == 0, "registry: already exiting"
    unbond_at: uint256 = block.timestamp + self.unbonding_delay
    self.unbond_at[msg.sender][role] = unbond_at
    log ExitRequested(account=msg.sender, role=role, unbond_at=unbond_at)
    if role == KEEPER:
        self._remove_keeper(msg.sender)


@external
@nonreentrant
def complete_exit(role: uint256) -> uint256:
    """
    @notice Leave `role` after the unbonding delay and get the pledge back.
            Refused while a Provider still has escrow locked or a dispute open.
    @param role USER, PROVIDER or KEEPER.
    @return The pledge returned.
    """
    assert self.roles_of[msg.sender] & role != 0 and self._is_role(role), "registry: role not held"
    unbond_at: uint256 = self.unbond_at[msg.sender][role]
    assert unbond_at != 0, "registry: not exiting"
    assert block.timestamp >= unbond_at, "registry: still unbonding"
    if role == PROVIDER:
        if self.market != empty(address):
            assert staticcall IMarket(self.market).locked_of(msg.sender) == 0, "registry: stake locked"
        if self.disputes != empty(address):
            assert staticcall IDisputes(self.disputes).open_disputes(msg.sender) == 0, "registry: open disputes"
    return self._exit(msg.sender, role)


# ----------------------------------------------------------------------------- market and disputes


@external
@nonreentrant
def slash(provider: address, amount: uint256, recipient: address) -> uint256:
    """
    @notice Take min(amount, pledge) from a Provider's pledge and pay it to `recipient`.
            Only the Market and the Disputes contract may call it.
    @param provider The Provider.
    @param amount The amount asked for.
    @param recipient Who receives the tokens.
    @return The amount taken.
    """
    assert msg.sender != empty(address) and (
        msg.sender == self.market or msg.sender == self.disputes
    ), "registry: not a slasher"
    return self._slash(provider, amount, recipient)


@external
def add_fees(amount: uint256):
    """
    @notice Account for `amount` fee tokens the Market has just transferred here.
            They and whatever is still unstreamed are paid out linearly over the
            next FEE_STREAM_SECONDS to the Keepers, pro-rata to weight over time.
    @param amount The tokens received.
    """
    assert msg.sender == self.market, "registry: not the market"
    self._add_fees(amount)


@external
@nonreentrant
def claim_fees() -> uint256:
    """
    @notice Pay the caller its accrued share of the Keeper fees.
    @return The amount paid.
    """
    self._checkpoint_fees(msg.sender)
    amount: uint256 = self.fees_owed[msg.sender]
    assert amount > 0, "registry: no fees"
    self.fees_owed[msg.sender] = 0
    self.fee_balance -= amount
    assert extcall token.transfer(msg.sender, amount, default_return_value=True), "registry: transfer failed"
    log FeesClaimed(keeper=msg.sender, amount=amount)
    return amount


# ----------------------------------------------------------------------------- admin


@external
def set_min_pledge(role: uint256, amount: uint256):
    """
    @notice Set the minimum pledge of `role` (owner only), at most MAX_MIN_PLEDGE.
            It applies to new registrations, and a Provider whose pledge is below
            it is not active (takes no new orders) until it tops up.
    @param role USER, PROVIDER or KEEPER.
    @param amount The minimum, in token wei.
    """
    ownable._check_owner()
    assert self._is_role(role), "registry: unknown role"
    assert amount <= MAX_MIN_PLEDGE, "registry: min pledge above cap"
    self.min_pledge[role] = amount
    log MinPledgeSet(role=role, amount=amount)


@external
def set_unbonding_delay(delay: uint256):
    """
    @notice Set the unbonding delay for exits requested from now on (owner only),
            within [MIN_UNBONDING_DELAY, MAX_UNBONDING_DELAY].
    @param delay Seconds.
    """
    ownable._check_owner()
    self._set_unbonding_delay(delay)


@external
def set_market(market: address):
    """
    @notice Wire the Market (may slash; its `locked_of` gates Provider exits; sends fees).
            Owner only, once: a second call reverts.
    @param market The Market address.
    """
    ownable._check_owner()
    assert self.market == empty(address), "registry: already wired"
    assert market != empty(address), "registry: zero address"
    self.market = market
    log MarketSet(market=market)


@external
def set_disputes(disputes: address):
    """
    @notice Wire the Disputes contract (may slash; open disputes gate Provider exits).
            Owner only, once: a second call reverts.
    @param disputes The Disputes address.
    """
    ownable._check_owner()
    assert self.disputes == empty(address), "registry: already wired"
    assert disputes != empty(address), "registry: zero address"
    self.disputes = disputes
    log DisputesSet(disputes=disputes)


# ----------------------------------------------------------------------------- views


@external
@view
def is_active(account: address, role: uint256) -> bool:
    """
    @notice Whether `account` holds `role` and has not asked to leave it; a
            Provider must also have a pledge of at least `min_pledge(PROVIDER)`.
    @param account The account.
    @param role USER, PROVIDER or KEEPER.
    @return True if active.
    """
    if self.roles_of[account] & role == 0 or self.unbond_at[account][role] != 0:
        return False
    if role == PROVIDER:
        return self.pledge_of[account][PROVIDER] >= self.min_pledge[PROVIDER]
    return True


@external
@view
def registration_message(keeper: address) -> Bytes[128]:
    """
    @notice The message a Keeper's BLS key signs to register for `keeper`:
            abi_encode(REGISTRATION_TAG, chain.id, this Registry, keeper).
    @param keeper The address that will send `register_keeper`.
    @return The 128-byte message.
    """
    return self._registration_message(keeper)


@external
@view
def keeper_slot(keeper: address) -> uint256:
    """
    @notice The attestation bitmap position of an active Keeper.
    @param keeper The Keeper.
    @return Its slot (reverts if it has none).
    """
    slot: uint256 = self.keeper_slot_of[keeper]
    assert slot != 0, "registry: not an active keeper"
    return slot - 1


@external
@view
def signers_key(signer_bitmap: uint256) -> (Bytes[128], uint256):
    """
    @notice The aggregate key and total weight of the Keepers in `signer_bitmap`,
            computed as agg_pubkey minus the keys of the active non-signers.
    @param signer_bitmap Bit i set = the Keeper in slot i signed.
    @return (aggregate G1 key, EIP-2537 encoding; signers' weight).
    """
    active: uint256 = self.keeper_bitmap
    assert signer_bitmap & ~active == 0, "registry: inactive signer"
    key: Bytes[128] = self.agg_pubkey
    weight: uint256 = self.total_keeper_weight
    missing: uint256 = active & ~signer_bitmap
    for slot: uint256 in range(MAX_KEEPERS):
        if missing == 0:
            break
        if missing & 1 != 0:
            key = bls.g1_sub(key, self.keeper_pubkey[slot])
            weight -= self.keeper_weight[slot]
        missing >>= 1
    return key, weight


@external
@view
def claimable_fees(keeper: address) -> uint256:
    """
    @notice Fees `keeper` could claim now.
    @param keeper The Keeper.
    @return The amount.
    """
    return self.fees_owed[keeper] + self._accrued_fees(keeper, self._fee_index_now())


# ----------------------------------------------------------------------------- internal


@internal
@pure
def _is_role(role: uint256) -> bool:
    return role == USER or role == PROVIDER or role == KEEPER


@internal
def _pull(account: address, amount: uint256):
    assert extcall token.transferFrom(account, self, amount, default_return_value=True), "registry: transfer failed"


@internal
def _register(account: address, role: uint256, pledge: uint256):
    roles: uint256 = self.roles_of[account]
    assert roles & role == 0, "registry: already registered"
    assert pledge >= self.min_pledge[role], "registry: pledge too small"
    if pledge > 0:
        self._pull(account, pledge)
    self.roles_of[account] = roles | role
    self.pledge_of[account][role] = pledge
    self.total_pledged += pledge
    log Registered(account=account, role=role, pledge=pledge)


@internal
def _update_provider(provider: address, endpoint: String[256], capacity: uint256, price: uint256):
    self.provider_info[provider] = ProviderInfo(endpoint=endpoint, capacity=capacity, price=price)
    log ProviderUpdated(provider=provider, endpoint=endpoint, capacity=capacity, price=price)


@internal
def _exit(account: address, role: uint256) -> uint256:
    amount: uint256 = self.pledge_of[account][role]
    self.pledge_of[account][role] = 0
    self.unbond_at[account][role] = 0
    self.roles_of[account] &= ~role
    self.total_pledged -= amount
    if role == PROVIDER:
        self.provider_info[account] = empty(ProviderInfo)
    if amount > 0:
        assert extcall token.transfer(account, amount, default_return_value=True), "registry: transfer failed"
    log Exited(account=account, role=role, amount=amount)
    return amount


@internal
def _slash(provider: address, amount: uint256, recipient: address) -> uint256:
    pledge: uint256 = self.pledge_of[provider][PROVIDER]
    taken: uint256 = min(amount, pledge)
    if taken > 0:
        self.pledge_of[provider][PROVIDER] = pledge - taken
        self.total_pledged -= taken
        assert extcall token.transfer(recipient, taken, default_return_value=True), "registry: transfer failed"
    log Slashed(provider=provider, recipient=recipient, requested=amount, taken=taken)
    return taken


@internal
def _add_keeper(
    keeper: address, pubkey: Bytes[48], pubkey_xy: Bytes[128], pop: Bytes[256], signature: Bytes[256], weight: uint256
):
    key_hash: bytes32 = keccak256(pubkey)
    assert not self.key_in_use[key_hash], "registry: key in use"
    assert self._pop_valid(pubkey, pubkey_xy, pop), "registry: invalid proof of possession"
    assert self._registration_valid(keeper, pubkey_xy, signature), "registry: invalid registration signature"
    active: uint256 = self.keeper_bitmap
    assert active != max_value(uint256), "registry: keeper set full"
    slot: uint256 = 0
    for i: uint256 in range(MAX_KEEPERS):
        if active & (1 << i) == 0:
            slot = i
            break
    self._checkpoint_fees(keeper)
    self.keeper_bitmap = active | (1 << slot)
    if slot >= self.keeper_count:
        self.keeper_count = slot + 1
    self.keeper_slot_of[keeper] = slot + 1
    self.slot_keeper[slot] = keeper
    self.keeper_pubkey[slot] = pubkey_xy
    self.keeper_weight[slot] = weight
    self.keeper_key_hash[slot] = key_hash
    self.key_in_use[key_hash] = True
    self.agg_pubkey = self._key_add(self.agg_pubkey, pubkey_xy)
    total: uint256 = self.total_keeper_weight
    self.total_keeper_weight = total + weight
    log KeeperAdded(keeper=keeper, slot=slot, pubkey=pubkey, weight=weight)
    if total == 0 and weight > 0:
        self._restart_fee_stream(0)


@internal
def _remove_keeper(keeper: address):
    slot: uint256 = self.keeper_slot_of[keeper] - 1
    self._checkpoint_fees(keeper)
    self.agg_pubkey = self._key_sub(self.agg_pubkey, self.keeper_pubkey[slot])
    self.total_keeper_weight -= self.keeper_weight[slot]
    self.keeper_bitmap &= ~(1 << slot)
    self.keeper_slot_of[keeper] = 0
    self.slot_keeper[slot] = empty(address)
    self.keeper_pubkey[slot] = b""
    self.keeper_weight[slot] = 0
    # key_in_use stays set: the key can never be registered again.
    self.keeper_key_hash[slot] = empty(bytes32)
    log KeeperRemoved(keeper=keeper, slot=slot)


@internal
def _set_keeper_weight(keeper: address, weight: uint256):
    slot: uint256 = self.keeper_slot_of[keeper] - 1
    self._checkpoint_fees(keeper)
    total: uint256 = self.total_keeper_weight
    self.total_keeper_weight = total - self.keeper_weight[slot] + weight
    self.keeper_weight[slot] = weight
    log KeeperWeightChanged(keeper=keeper, slot=slot, weight=weight)
    if total == 0 and weight > 0:
        self._restart_fee_stream(0)


@internal
def _set_unbonding_delay(delay: uint256):
    assert delay >= MIN_UNBONDING_DELAY, "registry: delay below floor"
    assert delay <= MAX_UNBONDING_DELAY, "registry: delay above ceiling"
    self.unbonding_delay = delay
    log UnbondingDelaySet(delay=delay)


@internal
def _add_fees(amount: uint256):
    self.fee_balance += amount
    self._stream_fees()
    self._restart_fee_stream(amount * FEE_PRECISION)
    log FeesAdded(amount=amount, fee_rate=self.fee_rate, stream_end=self.fee_stream_end)


@internal
def _restart_fee_stream(extra: uint256):
    # Spread `extra` (scaled), what the running stream has not paid out yet and what
    # waits unassigned over the next FEE_STREAM_SECONDS. Call _stream_fees first.
    end: uint256 = self.fee_stream_end
    total: uint256 = extra + self.fee_unassigned
    if end > block.timestamp:
        total += self.fee_rate * (end - block.timestamp)
    if total == 0:
        return  # nothing to stream
    rate: uint256 = total // FEE_STREAM_SECONDS
    end = block.timestamp + FEE_STREAM_SECONDS
    self.fee_rate = rate
    self.fee_stream_end = end
    self.fee_unassigned = total - rate * FEE_STREAM_SECONDS
    self.fee_updated_at = block.timestamp
    if extra == 0:
        log FeeStreamRestarted(fee_rate=rate, stream_end=end)


@internal
def _stream_fees():
    # Advance the accumulator to now. While no Keeper has weight, and for the part
    # the index cannot represent, the streamed amount is kept in fee_unassigned.
    until: uint256 = min(block.timestamp, self.fee_stream_end)
    last: uint256 = self.fee_updated_at
    rate: uint256 = self.fee_rate
    if until > last and rate > 0:
        streamed: uint256 = rate * (until - last)
        weight: uint256 = self.total_keeper_weight
        if weight == 0:
            self.fee_unassigned += streamed
        else:
            increment: uint256 = streamed // weight
            self.fee_index += increment
            self.fee_unassigned += streamed - increment * weight
    self.fee_updated_at = block.timestamp


@internal
@view
def _fee_index_now() -> uint256:
    until: uint256 = min(block.timestamp, self.fee_stream_end)
    last: uint256 = self.fee_updated_at
    weight: uint256 = self.total_keeper_weight
    if until <= last or weight == 0:
        return self.fee_index
    return self.fee_index + self.fee_rate * (until - last) // weight


@internal
@view
def _accrued_fees(keeper: address, index: uint256) -> uint256:
    slot: uint256 = self.keeper_slot_of[keeper]
    if slot == 0:
        return 0
    return self.keeper_weight[slot - 1] * (index - self.fee_checkpoint[keeper]) // FEE_PRECISION


@internal
def _checkpoint_fees(keeper: address):
    self._stream_fees()
    index: uint256 = self.fee_index
    self.fees_owed[keeper] += self._accrued_fees(keeper, index)
    self.fee_checkpoint[keeper] = index


@internal
@view
def _registration_message(keeper: address) -> Bytes[128]:
    return abi_encode(REGISTRATION_TAG, chain.id, self, keeper)


# BLS: the only functions that touch modules/bls.vy.


@internal
@view
def _pop_valid(pubkey: Bytes[48], pubkey_xy: Bytes[128], pop: Bytes[256]) -> bool:
    if not bls.g1_matches_compressed(pubkey_xy, pubkey):
        return False
    return bls.verify(pubkey_xy, pubkey, pop, POP_DST)


@internal
@view
def _registration_valid(keeper: address, pubkey_xy: Bytes[128], signature: Bytes[256]) -> bool:
    return bls.verify(pubkey_xy, self._registration_message(keeper), signature, SIG_DST)


@internal
@view
def _key_add(a: Bytes[128], b: Bytes[128]) -> Bytes[128]:
    return bls.g1_add(a, b)


@internal
@view
def _key_sub(a: Bytes[128], b: Bytes[128]) -> Bytes[128]:
    return bls.g1_sub(a, b)
