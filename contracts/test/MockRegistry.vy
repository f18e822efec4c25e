# pragma version ~=0.4.3
"""
@title Mock Registry (tests only)
@license MIT
@notice The slice of the Registry that Epochs and Disputes use: keeper slots
        (EIP-2537 public keys and weights), their aggregate key and total
        weight, and `slash`, which records its calls and pays the slashed
        pledge out in tokens.
@dev No access control: never deploy outside tests. The aggregate key is
     recomputed with the G1ADD precompile (0x0b) over the active slots.
"""

from ethereum.ercs import IERC20

G1ADD: constant(address) = 0x000000000000000000000000000000000000000b
MAX_KEEPERS: constant(uint256) = 256

TOKEN: public(immutable(IERC20))

keeper_count: public(uint256)
keeper_pubkey: public(HashMap[uint256, Bytes[128]])
keeper_weight: public(HashMap[uint256, uint256])
agg_pubkey: public(Bytes[128])
total_keeper_weight: public(uint256)

pledge_of: public(HashMap[address, uint256])
slash_calls: public(uint256)
last_slash_provider: public(address)
last_slash_amount: public(uint256)
last_slash_recipient: public(address)
last_slash_caller: public(address)

event Slashed:
    provider: indexed(address)
    recipient: indexed(address)
    requested: uint256
    taken: uint256


@deploy
def __init__(token: IERC20):
    TOKEN = token
    self.agg_pubkey = empty(Bytes[128])


@external
def add_keeper(pubkey: Bytes[128], weight: uint256) -> uint256:
    """
    @notice Append a keeper slot.
    @param pubkey EIP-2537 G1 public key.
    @param weight Its weight.
    @return The slot index.
    """
    slot: uint256 = self.keeper_count
    self.keeper_count = slot + 1
    self.keeper_pubkey[slot] = pubkey
    self.keeper_weight[slot] = weight
    self.total_keeper_weight += weight
    self._recompute()
    return slot


@external
def remove_keeper(slot: uint256):
    """
    @notice Deactivate a keeper slot (weight 0, key cleared), as an exit would.
    @param slot The slot.
    """
    self.total_keeper_weight -= self.keeper_weight[slot]
    self.keeper_weight[slot] = 0
    self.keeper_pubkey[slot] = b""
    self._recompute()


@external
def set_keeper_weight(slot: uint256, weight: uint256):
    """
    @notice Change a slot's weight.
    @param slot The slot.
    @param weight The new weight.
    """
    self.total_keeper_weight = self.total_keeper_weight - self.keeper_weight[slot] + weight
    self.keeper_weight[slot] = weight
    self._recompute()


@external
def fund_pledge(provider: address, amount: uint256):
    """
    @notice Pledge tokens for a Provider (pulled from the caller).
    @param provider The Provider.
    @param amount The amount.
    """
    assert extcall TOKEN.transferFrom(msg.sender, self, amount)
    self.pledge_of[provider] += amount


@external
def slash(provider: address, amount: uint256, recipient: address) -> uint256:
    """
    @notice Take min(amount, pledge) from a Provider's pledge and pay it to `recipient`.
    @param provider The Provider.
    @param amount The requested amount.
    @param recipient Who receives it.
    @return What was taken.
    """
    taken: uint256 = min(amount, self.pledge_of[provider])
    self.pledge_of[provider] -= taken
    self.slash_calls += 1
    self.last_slash_provider = provider
    self.last_slash_amount = amount
    self.last_slash_recipient = recipient
    self.last_slash_caller = msg.sender
    if taken > 0:
        assert extcall TOKEN.transfer(recipient, taken)
    log Slashed(provider=provider, recipient=recipient, requested=amount, taken=taken)
    return taken


@internal
def _recompute():
    agg: Bytes[128] = concat(empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes32))
    for slot: uint256 in range(MAX_KEEPERS):
        if slot >= self.keeper_count:
            break
        if self.keeper_weight[slot] == 0:
            continue
        agg = raw_call(G1ADD, concat(agg, self.keeper_pubkey[slot]), max_outsize=128, is_static_call=True)
    self.agg_pubkey = agg
