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
    with ape.reverts("ownable: caller is not the owner"):
        token.mint(attacker, UNIT, sender=attacker)


def test_mint_to_zero_address_reverts(token, owner):
    with ape.reverts("erc20: mint to the zero address"):
        token.mint("0x0000000000000000000000000000000000000000", UNIT, sender=owner)


def test_mint_follows_two_step_ownership(token, owner, keeper):
    token.transfer_ownership(keeper, sender=owner)
    token.mint(keeper, UNIT, sender=owner)  # still the owner until keeper accepts
    token.accept_ownership(sender=keeper)
    token.mint(keeper, UNIT, sender=keeper)
    with ape.reverts("ownable: caller is not the owner"):
        token.mint(owner, UNIT, sender=owner)


def test_snekmate_minter_role_is_not_exported(token):
    # Only the owner mints: snekmate's minter list, burn and one-step ownership stay internal.
    for name in ("set_minter", "is_minter", "burn", "burn_from", "renounce_ownership"):
        assert not hasattr(token, name)
