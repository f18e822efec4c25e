import ape

from tests.contracts.support import UNIT, event_args


def test_transfer_moves_tokens(token, user, provider):
    before = token.balanceOf(provider)
    receipt = token.transfer(provider, 5 * UNIT, sender=user)
    assert token.balanceOf(provider) == before + 5 * UNIT
    assert event_args(receipt, token, "Transfer") == [{"sender": user.address, "receiver": provider.address, "value": 5 * UNIT}]


def test_transfer_over_balance_reverts(token, attacker, user):
    with ape.reverts("erc20: transfer amount exceeds balance"):
        token.transfer(user, token.balanceOf(attacker) + 1, sender=attacker)


def test_transfer_to_zero_address_reverts(token, user):
    with ape.reverts("erc20: transfer to the zero address"):
        token.transfer("0x0000000000000000000000000000000000000000", 1, sender=user)
