"""add_fees and claim_fees: Keeper fees stream out over FEE_STREAM_SECONDS, pro-rata to weight over time.

Each test deploys its own Registry and stands in for the Market as the owner (the wiring is
one-time), transferring fee tokens then calling add_fees as Market.flush_fees does. Block
timestamps are set explicitly so that every share is an exact number.
"""

import ape
import pytest

from tests.contracts.support import KEEPER, MIN_KEEPER_PLEDGE, UNIT, event_args, keeper_key

STREAM = 86400  # Registry.FEE_STREAM_SECONDS
FEES = STREAM * UNIT  # streams exactly 1 token a second


@pytest.fixture
def fee_registry(create_registry, token, owner):
    registry = create_registry(token)
    registry.set_market(owner, sender=owner)
    return registry


def at(t):
    """Make the next block's timestamp exactly `t`."""
    ape.chain.pending_timestamp = t


def register(registry, token, account, pledge, seed):
    key = keeper_key(seed)
    if token.allowance(account, registry) < pledge:  # one transaction less keeps the timestamps exact
        token.approve(registry, 2**256 - 1, sender=account)
    return registry.register_keeper(*key.register_args(registry, account, pledge), sender=account)


def add_fees(registry, token, owner, amount):
    token.transfer(registry, amount, sender=owner)
    return registry.add_fees(amount, sender=owner)


def test_add_fees_only_from_market(registry, attacker):
    with ape.reverts("registry: not the market"):
        registry.add_fees(UNIT, sender=attacker)


def test_fees_stream_pro_rata_and_are_claimed(fee_registry, token, owner, keeper, accounts):
    registry = fee_registry
    t = ape.chain.pending_timestamp + 10
    at(t)
    register(registry, token, keeper, MIN_KEEPER_PLEDGE, 1)  # weight 50
    at(t + 1)
    register(registry, token, accounts[7], 3 * MIN_KEEPER_PLEDGE, 2)  # weight 150
    at(t + 2)
    token.transfer(registry, FEES, sender=owner)
    at(t + 3)
    receipt = registry.add_fees(FEES, sender=owner)
    assert registry.FEE_STREAM_SECONDS() == STREAM
    assert event_args(receipt, registry, "FeesAdded") == [{"amount": FEES, "fee_rate": UNIT * 10**27, "stream_end": t + 3 + STREAM}]
    assert registry.claimable_fees(keeper) == 0  # nothing streamed yet
    # 400 s later: 400 tokens streamed, a quarter to the first Keeper.
    at(t + 403)
    before = token.balanceOf(keeper)
    receipt = registry.claim_fees(sender=keeper)
    assert token.balanceOf(keeper) == before + 100 * UNIT
    assert event_args(receipt, registry, "FeesClaimed") == [{"keeper": keeper.address, "amount": 100 * UNIT}]
    # A leaving Keeper keeps what it earned, and earns nothing more.
    at(t + 803)
    registry.request_exit(KEEPER, sender=accounts[7])  # earned 3/4 of 800 s
    at(t + 3 + STREAM + 100)
    ape.chain.mine()
    assert registry.claimable_fees(accounts[7]) == 600 * UNIT
    assert registry.claimable_fees(keeper) == FEES - 600 * UNIT - 100 * UNIT
    assert token.balanceOf(registry) == registry.total_pledged() + registry.fee_balance()


def test_fee_sniper_gets_only_its_time_weighted_share(fee_registry, token, owner, keeper, attacker):
    """Attack: the incumbents have earned fees that sit in the Market's pool. A sniper registers
    9x their weight, has the pool flushed, requests exit and claims. Before, it took 90 % of the
    pool at once. Now the pool streams over a day and the sniper earns only while it holds
    weight: 9/10 of what streams in its 10 seconds, 9 tokens of 86,400."""
    registry = fee_registry
    t = ape.chain.pending_timestamp + 10
    at(t)
    register(registry, token, keeper, 100 * UNIT, 1)  # the incumbents' weight
    at(t + 1)
    token.transfer(registry, FEES, sender=owner)  # the pool the incumbents earned
    at(t + 2)
    register(registry, token, attacker, 900 * UNIT, 2)
    at(t + 3)
    registry.add_fees(FEES, sender=owner)  # flush_fees
    at(t + 3)  # the same second: nothing streamed, nothing to claim
    with ape.reverts("registry: no fees"):
        registry.claim_fees(sender=attacker)
    at(t + 13)
    registry.request_exit(KEEPER, sender=attacker)
    at(t + 14)
    before = token.balanceOf(attacker)
    registry.claim_fees(sender=attacker)
    assert token.balanceOf(attacker) - before == 9 * UNIT
    # The sniper earns nothing more; the incumbent gets everything else.
    at(t + 3 + STREAM)
    before = token.balanceOf(keeper)
    registry.claim_fees(sender=keeper)
    assert token.balanceOf(keeper) - before == FEES - 9 * UNIT
    assert registry.claimable_fees(attacker) == 0
    assert registry.fee_balance() == 0


def test_fees_added_while_no_keeper_wait_for_the_first_one(fee_registry, token, owner, keeper):
    registry = fee_registry
    t = ape.chain.pending_timestamp + 10
    at(t)
    token.transfer(registry, FEES, sender=owner)
    at(t + 1)
    registry.add_fees(FEES, sender=owner)
    token.approve(registry, 2**256 - 1, sender=keeper)
    at(t + 1 + 1000)
    receipt = register(registry, token, keeper, MIN_KEEPER_PLEDGE, 1)
    # What streamed to nobody is streamed again, with the rest, from the registration on.
    (restart,) = event_args(receipt, registry, "FeeStreamRestarted")
    assert restart["stream_end"] == t + 1001 + STREAM
    at(t + 1001 + STREAM)
    before = token.balanceOf(keeper)
    registry.claim_fees(sender=keeper)
    assert token.balanceOf(keeper) - before == FEES
    assert registry.fee_unassigned() == 0


def test_new_fees_extend_the_stream(fee_registry, token, owner, keeper):
    registry = fee_registry
    t = ape.chain.pending_timestamp + 10
    at(t)
    register(registry, token, keeper, MIN_KEEPER_PLEDGE, 1)
    at(t + 1)
    token.transfer(registry, 2 * FEES, sender=owner)
    at(t + 2)
    registry.add_fees(FEES, sender=owner)
    at(t + 2 + STREAM // 2)
    receipt = registry.add_fees(FEES, sender=owner)
    # Half a day left of the first (43,200 tokens) plus the new 86,400, over a new day.
    assert event_args(receipt, registry, "FeesAdded")[0]["fee_rate"] == (STREAM // 2 + STREAM) * UNIT * 10**27 // STREAM
    at(t + 2 + STREAM // 2 + STREAM)
    before = token.balanceOf(keeper)
    registry.claim_fees(sender=keeper)
    assert token.balanceOf(keeper) - before == 2 * FEES


def test_claim_fees_with_nothing_reverts(registry, attacker):
    with ape.reverts("registry: no fees"):
        registry.claim_fees(sender=attacker)
