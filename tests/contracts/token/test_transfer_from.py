import ape

from tests.contracts.support import UNIT, event_args


def test_transfer_from_spends_allowance(token, user, provider, keeper):
    token.approve(keeper, 10 * UNIT, sender=user)
    receipt = token.transferFrom(user, provider, 4 * UNIT, sender=keeper)
    assert token.allowance(user, keeper) == 6 * UNIT
    assert event_args(receipt, token, "Transfer") == [{"sender": user.address, "receiver": provider.address, "value": 4 * UNIT}]


def test_transfer_from_unlimited_allowance_stays(token, user, provider, keeper):
    token.approve(keeper, 2**256 - 1, sender=user)
    token.transferFrom(user, provider, UNIT, sender=keeper)
    assert token.allowance(user, keeper) == 2**256 - 1


def test_transfer_from_without_allowance_reverts(token, user, attacker):
    with ape.reverts("erc20: insufficient allowance"):
        token.transferFrom(user, attacker, 1, sender=attacker)
