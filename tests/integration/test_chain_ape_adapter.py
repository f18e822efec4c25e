"""The ape adapter: the SDK built from ape's connected provider and ape accounts, on a real anvil."""

from __future__ import annotations

import ape
import pytest

from memo_py.chain.client import ChainClient
from memo_py.chain.contracts import MemoContracts
from memo_py.devnet.anvil import start_anvil


@pytest.fixture(scope="module")
def connected(tmp_path_factory):
    with start_anvil(log_path=tmp_path_factory.mktemp("anvil") / "anvil.log") as node:
        with ape.networks.parse_network_choice(node.url) as provider:
            yield node, provider


def test_deploy_and_use_through_ape(connected):
    from memo_py.chain.ape_adapter import ApeSigner, client_from_ape, contracts_from_ape, deploy_all

    node, _ = connected
    owner, user = ape.accounts.test_accounts[0], ape.accounts.test_accounts[1]
    deployment = deploy_all(owner)
    assert deployment.chain_id == node.chain_id
    memo = contracts_from_ape(owner, deployment)
    assert memo.address == owner.address
    memo.token.mint(user.address, 10**18)

    # An account that does not expose its key signs through ape (ApeSigner).
    via_ape = MemoContracts(ChainClient(client_from_ape().w3, ApeSigner(user)), deployment)
    via_ape.registry.register_user()
    assert memo.registry.is_user(user.address)
