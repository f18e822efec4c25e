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
    with ape.reverts("erc20: invalid signature"):
        token.permit(user, keeper, UNIT, deadline, v, r, s, sender=keeper)


def test_permit_wrong_signer_reverts(token, user, attacker):
    deadline = ape.chain.pending_timestamp + 3600
    v, r, s = sign_permit(token, attacker, attacker.address, UNIT, deadline, nonce=0)
    with ape.reverts("erc20: invalid signature"):
        token.permit(user, attacker, UNIT, deadline, v, r, s, sender=attacker)


def test_permit_expired_reverts(token, user, keeper):
    deadline = ape.chain.pending_timestamp - 1
    v, r, s = sign_permit(token, user, keeper.address, UNIT, deadline)
    with ape.reverts("erc20: expired deadline"):
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


SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def test_permit_high_s_copy_reverts(token, user, keeper):
    # (r, n - s, v ^ 1) recovers the same signer: snekmate's ecdsa refuses the malleable copy.
    deadline = ape.chain.pending_timestamp + 3600
    v, r, s = sign_permit(token, user, keeper.address, UNIT, deadline)
    high_s = (SECP256K1_N - int.from_bytes(s, "big")).to_bytes(32, "big")
    with ape.reverts("ecdsa: invalid signature `s` value"):
        token.permit(user, keeper, UNIT, deadline, 55 - v, r, high_s, sender=keeper)
    assert token.nonces(user) == 0


def test_eip712_domain_is_name_and_version_1(token):
    fields, name, version, chain_id, contract, salt, extensions = token.eip712Domain()
    assert (fields, name, version, chain_id, contract) == (b"\x0f", token.name(), "1", ape.chain.chain_id, token.address)
    assert (salt, extensions) == (b"\x00" * 32, [])


def test_sdk_permit_uses_the_contracts_domain(token, user, keeper):
    # memo_py's Token wrapper reads (name, version) from eip712Domain and signs a permit the contract accepts.
    from eth_account import Account

    from memo_py.chain.ape_adapter import client_from_ape
    from memo_py.chain.client import ChainClient
    from memo_py.chain.token import Token

    sdk = Token(ChainClient(client_from_ape().w3, Account.from_key(user.private_key)), token.address)
    assert sdk.eip712_domain() == (token.name(), "1")
    v, r, s, deadline = sdk.sign_permit(keeper.address, 2 * UNIT)
    token.permit(user, keeper, 2 * UNIT, deadline, v, r, s, sender=keeper)
    assert token.allowance(user, keeper) == 2 * UNIT
