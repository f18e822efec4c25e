import ape

from tests.contracts.support import UNIT, event_args, sign_permit


def test_deposit_with_permit(market, token, user):
    deadline = ape.chain.pending_timestamp + 600
    v, r, s = sign_permit(token, user, market.address, 3 * UNIT, deadline)
    receipt = market.deposit_with_permit(3 * UNIT, deadline, v, r, s, sender=user)
    assert market.balance_of(user) == 3 * UNIT
    assert token.allowance(user, market) == 0
    assert event_args(receipt, market, "Deposited") == [{"user": user.address, "amount": 3 * UNIT}]


def test_deposit_with_someone_elses_permit_reverts(market, token, user, attacker):
    deadline = ape.chain.pending_timestamp + 600
    v, r, s = sign_permit(token, user, market.address, 3 * UNIT, deadline)
    # The permit names `user` as owner: for the attacker it fails, and the attacker's own
    # allowance does not cover the amount.
    with ape.reverts("market: permit failed"):
        market.deposit_with_permit(3 * UNIT, deadline, v, r, s, sender=attacker)


def test_frontrun_permit_still_deposits(market, token, user, attacker):
    """Attack: an attacker copies the permit from the mempool and submits it to the token
    first, spending its nonce; the User's deposit_with_permit still goes through."""
    deadline = ape.chain.pending_timestamp + 600
    v, r, s = sign_permit(token, user, market.address, 3 * UNIT, deadline)
    token.permit(user, market, 3 * UNIT, deadline, v, r, s, sender=attacker)
    before = token.balanceOf(user)
    receipt = market.deposit_with_permit(3 * UNIT, deadline, v, r, s, sender=user)
    assert market.balance_of(user) == 3 * UNIT
    assert token.balanceOf(user) == before - 3 * UNIT
    assert token.allowance(user, market) == 0
    assert event_args(receipt, market, "Deposited") == [{"user": user.address, "amount": 3 * UNIT}]


def test_frontrun_permit_with_a_smaller_allowance_reverts(market, token, user, attacker):
    deadline = ape.chain.pending_timestamp + 600
    v, r, s = sign_permit(token, user, market.address, 3 * UNIT, deadline)
    token.permit(user, market, 3 * UNIT, deadline, v, r, s, sender=attacker)
    token.approve(market, UNIT, sender=user)
    with ape.reverts("market: permit failed"):
        market.deposit_with_permit(3 * UNIT, deadline, v, r, s, sender=user)
