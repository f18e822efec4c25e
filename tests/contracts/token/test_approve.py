import ape

from tests.contracts.support import UNIT, event_args


def test_approve_sets_allowance(token, user, keeper):
    receipt = token.approve(keeper, 3 * UNIT, sender=user)
    assert token.allowance(user, keeper) == 3 * UNIT
    assert event_args(receipt, token, "Approval") == [{"owner": user.address, "spender": keeper.address, "value": 3 * UNIT}]


def test_approve_zero_address_reverts(token, user):
    with ape.reverts("erc20: approve to the zero address"):
        token.approve("0x0000000000000000000000000000000000000000", 1, sender=user)
