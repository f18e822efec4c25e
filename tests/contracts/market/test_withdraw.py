import ape

from tests.contracts.support import UNIT, event_args


def test_withdraw_returns_tokens(market, token, create_user, user):
    create_user(user, deposit=10 * UNIT)
    before = token.balanceOf(user)
    receipt = market.withdraw(4 * UNIT, sender=user)
    assert token.balanceOf(user) == before + 4 * UNIT
    assert market.balance_of(user) == 6 * UNIT
    assert event_args(receipt, market, "Withdrawn") == [{"user": user.address, "amount": 4 * UNIT}]


def test_withdraw_more_than_balance_reverts(market, create_user, user):
    create_user(user, deposit=UNIT)
    with ape.reverts("market: balance too low"):
        market.withdraw(UNIT + 1, sender=user)


def test_withdraw_zero_reverts(market, user):
    with ape.reverts("market: zero amount"):
        market.withdraw(0, sender=user)
