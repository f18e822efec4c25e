import ape

from tests.contracts.support import UNIT, event_args


def test_deposit_credits_balance(market, token, user):
    token.approve(market, 10 * UNIT, sender=user)
    receipt = market.deposit(10 * UNIT, sender=user)
    assert market.balance_of(user) == 10 * UNIT
    assert token.balanceOf(market) == 10 * UNIT
    assert event_args(receipt, market, "Deposited") == [{"user": user.address, "amount": 10 * UNIT}]


def test_deposit_zero_reverts(market, user):
    with ape.reverts("market: zero amount"):
        market.deposit(0, sender=user)


def test_deposit_without_allowance_reverts(market, user):
    with ape.reverts("erc20: insufficient allowance"):
        market.deposit(UNIT, sender=user)
