import ape

from tests.contracts.support import UNIT, event_args


def test_mint_by_owner(token, owner, user):
    supply = token.totalSupply()
    receipt = token.mint(user, 9 * UNIT, sender=owner)
    assert token.totalSupply() == supply + 9 * UNIT
    assert event_args(receipt, token, "Transfer") == [
        {"sender": "0x0000000000000000000000000000000000000000", "receiver": user.address, "value": 9 * UNIT}
    ]


def test_mint_by_attacker_reverts(token, attacker):
    with ape.reverts("ownable_2step: not the owner"):
        token.mint(attacker, UNIT, sender=attacker)
