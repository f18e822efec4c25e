"""Token's constructor bounds (snekmate's erc20: name String[25], symbol String[5]), checked before sending."""

import pytest
from eth_account import Account

from memo_py.chain.ape_adapter import client_from_ape
from memo_py.chain.client import ChainClient
from memo_py.chain.deploy import deploy_all


def test_token_takes_the_longest_name_and_symbol(owner, project):
    token = project.Token.deploy("x" * 25, "MEMOX", 18, sender=owner)
    assert (token.name(), token.symbol(), token.decimals()) == ("x" * 25, "MEMOX", 18)


@pytest.mark.parametrize(("name", "symbol"), [("x" * 26, "MEMO"), ("MEMO Token", "MEMOXY")])
def test_deploy_all_refuses_a_name_or_symbol_too_long_before_sending(owner, name, symbol):
    client = ChainClient(client_from_ape().w3, Account.from_key(owner.private_key))
    nonce = client.w3.eth.get_transaction_count(owner.address)
    with pytest.raises(ValueError, match="at most 25 bytes"):
        deploy_all(client, token_name=name, token_symbol=symbol)
    assert client.w3.eth.get_transaction_count(owner.address) == nonce
