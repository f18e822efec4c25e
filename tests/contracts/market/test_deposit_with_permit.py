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
    with ape.reverts("erc20: invalid signature"):
        market.deposit_with_permit(3 * UNIT, deadline, v, r, s, sender=attacker)
