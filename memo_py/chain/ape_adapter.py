"""Build the SDK from ape's connected provider and accounts (for ``ape console`` users).

This is the only module of ``memo_py`` that imports ape, and only inside its functions::

    >>> from memo_py.chain.ape_adapter import contracts_from_ape
    >>> memo = contracts_from_ape(accounts.test_accounts[0], "deployments/local.json")
    >>> memo.registry.register_user()

Test accounts and anything else that exposes its private key sign locally with
eth-account; other ape accounts (keyfiles, hardware wallets) sign through
``account.sign_transaction`` (see :class:`ApeSigner`).
"""

from __future__ import annotations

import os
from typing import Any

from eth_account import Account
from web3 import Web3

from memo_py.chain.client import ChainClient, Signer
from memo_py.chain.contracts import MemoContracts
from memo_py.chain.deployment import Deployment
from memo_py.errors import ConfigError

__all__ = ["ApeSigner", "signer_from_ape", "client_from_ape", "contracts_from_ape", "deploy_all"]


class _Signed:
    def __init__(self, raw: bytes) -> None:
        self.raw_transaction = raw
        self.hash = Web3.keccak(raw)


class ApeSigner:
    """A :class:`~memo_py.chain.client.Signer` backed by an ape account's ``sign_transaction``."""

    def __init__(self, account: Any) -> None:
        self._account = account

    @property
    def address(self) -> str:
        return str(self._account.address)

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> _Signed:
        import ape

        fields = dict(transaction_dict)
        fields.pop("from", None)
        txn = ape.networks.provider.network.ecosystem.create_transaction(
            sender=self.address,
            **{key: value for key, value in fields.items()},
        )
        signed = self._account.sign_transaction(txn)
        if signed is None or signed.signature is None:
            raise ConfigError(f"ape account {self.address} refused to sign")
        return _Signed(bytes(signed.serialize_transaction()))


def signer_from_ape(account: Any) -> Signer:
    """An eth-account signer for ape accounts that hold their key, else an :class:`ApeSigner`."""
    key = getattr(account, "private_key", None)
    if key:
        return Account.from_key(key)
    return ApeSigner(account)


def client_from_ape(account: Any | None = None, **options: Any) -> ChainClient:
    """A :class:`ChainClient` on ape's connected provider, signing as ``account`` (optional)."""
    import ape

    provider = ape.networks.active_provider
    if provider is None or not provider.is_connected:
        raise ConfigError("ape is not connected to a network (use `ape console --network …` or a provider context)")
    uri = getattr(provider, "http_uri", None) or getattr(provider, "uri", None)
    signer = signer_from_ape(account) if account is not None else None
    if uri:
        return ChainClient.connect(uri, signer, **options)
    return ChainClient(provider.web3, signer, **options)


def contracts_from_ape(account: Any | None, deployment: Deployment | str | os.PathLike[str], **options: Any) -> MemoContracts:
    """All five wrappers for ``deployment`` on ape's connected provider."""
    if not isinstance(deployment, Deployment):
        deployment = Deployment.load(deployment)
    client = client_from_ape(account, **options)
    deployment.check(client)
    return MemoContracts(client, deployment)


def deploy_all(account: Any, *, network: str | None = None, **parameters: Any) -> Deployment:
    """Deploy and wire the set with ape's provider and ``account`` (see :func:`memo_py.chain.deploy.deploy_all`).

    ``scripts/deploy.py`` can call this so the wiring lives in one place.
    """
    import ape

    from memo_py.chain.deploy import deploy_all as deploy_with_web3

    if network is None:
        network = ape.networks.provider.network.name
    return deploy_with_web3(client_from_ape(account), network=network, **parameters)
