import ape

from tests.contracts.support import UNIT, event_args, sign_permit


def test_permit_sets_allowance_and_nonce(token, user, keeper):
    deadline = ape.chain.pending_timestamp + 3600
    v, r, s = sign_permit(token, user, keeper.address, 7 * UNIT, deadline)
    receipt = token.permit(user, keeper, 7 * UNIT, deadline, v, r, s, sender=keeper)
    assert token.allowance(user, keeper) == 7 * UNIT
    assert token.nonces(user) == 1
    assert event_args(receipt, token, "Approval") == [{"owner": user.address, "spender": keeper.address, "value": 7 * UNIT}]


def test_permit_replay_reverts(token, user, keeper):
    deadline = ape.chain.pending_timestamp + 3600
    v, r, s = sign_permit(token, user, keeper.address, UNIT, deadline)
    token.permit(user, keeper, UNIT, deadline, v, r, s, sender=keeper)
    with ape.reverts("token: invalid signature"):
        token.permit(user, keeper, UNIT, deadline, v, r, s, sender=keeper)


def test_permit_wrong_signer_reverts(token, user, attacker):
    deadline = ape.chain.pending_timestamp + 3600
    v, r, s = sign_permit(token, attacker, attacker.address, UNIT, deadline, nonce=0)
    with ape.reverts("token: invalid signature"):
        token.permit(user, attacker, UNIT, deadline, v, r, s, sender=attacker)


def test_permit_expired_reverts(token, user, keeper):
    deadline = ape.chain.pending_timestamp - 1
    v, r, s = sign_permit(token, user, keeper.address, UNIT, deadline)
    with ape.reverts("token: permit expired"):
        token.permit(user, keeper, UNIT, deadline, v, r, s, sender=keeper)


def test_domain_separator_matches_eip712(token):
    from eth_abi import encode
    from eth_utils import keccak

    expected = keccak(
        encode(
            ["bytes32", "bytes32", "bytes32", "uint256", "address"],
            [
                keccak(text="EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"),
                keccak(text=token.name()),
                keccak(text="1"),
                ape.chain.chain_id,
                token.address,
            ],
        )
    )
    assert token.DOMAIN_SEPARATOR() == expected
