# pragma version ~=0.4.3
"""
@title Mock Registry (tests only)
@license MIT
@notice The slice of the Registry that Epochs and Disputes use: keeper slots
        (EIP-2537 public keys and weights), their aggregate key and total
        weight, and `slash`, which records its calls and pays the slashed
        pledge out in tokens.
@dev No access control: never deploy outside tests. The aggregate key is
     kept with modules/bls.vy (G1ADD) like the Registry does, and
     `signers_key` has the Registry's semantics.
"""

from ethereum.ercs import IERC20

from ..modules import bls

MAX_KEEPERS: constant(uint256) = 256

TOKEN: public(immutable(IERC20))

keeper_count: public(uint256)
keeper_bitmap: public(uint256)
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
    self.agg_pubkey = concat(empty(bytes32), empty(bytes32), empty(bytes32), empty(bytes32))


@external
def add_keeper(pubkey: Bytes[128], weight: uint256) -> uint256:
    """
    @notice Fill the next keeper slot.
    @param pubkey EIP-2537 G1 public key.
    @param weight Its weight (> 0).
    @return The slot index.
    """
    slot: uint256 = self.keeper_count
    self.keeper_count = slot + 1
    self.keeper_pubkey[slot] = pubkey
    self.keeper_weight[slot] = weight
    self.keeper_bitmap |= 1 << slot
    self.total_keeper_weight += weight
    self.agg_pubkey = bls.g1_add(self.agg_pubkey, pubkey)
    return slot


@external
def remove_keeper(slot: uint256):
    """
    @notice Deactivate a keeper slot (weight 0, key cleared), as an exit would.
    @param slot The slot.
    """
    self.agg_pubkey = bls.g1_sub(self.agg_pubkey, self.keeper_pubkey[slot])
    self.total_keeper_weight -= self.keeper_weight[slot]
    self.keeper_weight[slot] = 0
    self.keeper_pubkey[slot] = b""
    self.keeper_bitmap &= ~(1 << slot)


@external
def set_keeper_weight(slot: uint256, weight: uint256):
    """
    @notice Change an active slot's weight.
    @param slot The slot.
    @param weight The new weight.
    """
    self.total_keeper_weight = self.total_keeper_weight - self.keeper_weight[slot] + weight
    self.keeper_weight[slot] = weight


@external
@view
def signers_key(signer_bitmap: uint256) -> (Bytes[128], uint256):
    """
    @notice Aggregate key and weight of the signers (agg_pubkey minus the active non-signers), as the Registry computes them.
    @param signer_bitmap Bit i set = slot i signed.
    @return (aggregate key, signers' weight).
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
