"""The whole deployed set behind one object: ``MemoContracts``.

>>> memo = MemoContracts.connect("http://127.0.0.1:8545", "deployments/local.json", private_key)
>>> memo.market.deposit(10 * 10**18)
"""

from __future__ import annotations

import os
from typing import Any

from memo_py.chain.client import ChainClient, Signer
from memo_py.chain.deployment import Deployment
from memo_py.chain.disputes import Disputes
from memo_py.chain.epochs import Epochs
from memo_py.chain.market import Market
from memo_py.chain.registry import Registry
from memo_py.chain.token import Token

__all__ = ["MemoContracts"]


class MemoContracts:
    """Token, Registry, Epochs, Market and Disputes wrappers on one client and deployment."""

    def __init__(self, client: ChainClient, deployment: Deployment) -> None:
        self.client = client
        self.deployment = deployment
        start = deployment.block
        self.token = Token(client, deployment.token, from_block=start)
        self.registry = Registry(client, deployment.registry, token=self.token, from_block=start)
        self.epochs = Epochs(client, deployment.epochs, from_block=start)
        self.market = Market(client, deployment.market, token=self.token, from_block=start)
        self.disputes = Disputes(client, deployment.disputes, token=self.token, from_block=start)

    @classmethod
    def connect(
        cls,
        url: str,
        deployment: Deployment | str | os.PathLike[str],
        account: Signer | bytes | str | None = None,
        *,
        check: bool = True,
        **options: Any,
    ) -> MemoContracts:
        """Connect to ``url`` with ``deployment`` (a record or the path of its JSON file)."""
        if not isinstance(deployment, Deployment):
            deployment = Deployment.load(deployment)
        client = ChainClient.connect(url, account, **options)
        if check:
            deployment.check(client)
        return cls(client, deployment)

    def with_account(self, account: Signer | bytes | str) -> MemoContracts:
        """The same contracts, signing as ``account``."""
        return MemoContracts(self.client.with_account(account), self.deployment)

    @property
    def address(self) -> str | None:
        return self.client.address

    def __repr__(self) -> str:
        return f"MemoContracts(chain {self.deployment.chain_id}, signer {self.client.address})"
