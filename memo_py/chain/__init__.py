"""The SDK's chain layer: web3.py wrappers of the MEMO contracts, with ABIs shipped as package data.

- :mod:`~memo_py.chain.eip712`: EIP-712 ``OrderUpdate`` messages, signed with eth-account.
- :mod:`~memo_py.chain.merkle`: the results and commitment trees, as the contracts check them.
- :mod:`~memo_py.chain.records`: ``ChainOrder``, ``KeeperSlot``, ``RegisteredProvider``, ``Dispute``.
- :mod:`~memo_py.chain.artifacts`: ABIs and bytecode (``memo_py/data/abi``).
- :mod:`~memo_py.chain.client`: :class:`ChainClient` (transport, signer, nonces, fees, reverts).
- :mod:`~memo_py.chain.deployment`: :class:`Deployment` (``deployments/<network>.json``).
- :mod:`~memo_py.chain.deploy`: :func:`deploy_all`, the whole set wired, with web3.
- one wrapper per contract: :mod:`~memo_py.chain.token`, :mod:`~memo_py.chain.registry`,
  :mod:`~memo_py.chain.epochs`, :mod:`~memo_py.chain.market`, :mod:`~memo_py.chain.disputes`;
  :class:`MemoContracts` holds all five.
- :mod:`~memo_py.chain.roles`: :class:`RoleChain`, the daemons' chain protocols on the wrappers.
- :mod:`~memo_py.chain.ape_adapter`: the same from ape's provider and accounts (imports ape).

The web3-backed names load on first use, so importing the light parts (records, EIP-712,
Merkle) stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

from memo_py.chain.eip712 import OrderUpdate, digest, order_id, recover_signer, sign_order_update
from memo_py.chain.errors import (
    AlreadyRegistered,
    ChainError,
    ChainRevert,
    ChainUnavailable,
    DeploymentMismatch,
    ExitNotReady,
    InsufficientFunds,
    NoSigner,
    NotRegistered,
    PledgeTooSmall,
    TransactionTimeout,
)
from memo_py.chain.records import ChainOrder, Dispute, KeeperSlot, RegisteredProvider, blob_universe

_LAZY = {
    "ChainClient": "memo_py.chain.client",
    "Deployment": "memo_py.chain.deployment",
    "deploy_all": "memo_py.chain.deploy",
    "MemoContracts": "memo_py.chain.contracts",
    "Token": "memo_py.chain.token",
    "Registry": "memo_py.chain.registry",
    "Role": "memo_py.chain.registry",
    "Epochs": "memo_py.chain.epochs",
    "Market": "memo_py.chain.market",
    "Disputes": "memo_py.chain.disputes",
    "RoleChain": "memo_py.chain.roles",
}

__all__ = [
    "OrderUpdate",
    "digest",
    "order_id",
    "recover_signer",
    "sign_order_update",
    "ChainOrder",
    "Dispute",
    "KeeperSlot",
    "RegisteredProvider",
    "blob_universe",
    "ChainError",
    "ChainRevert",
    "ChainUnavailable",
    "TransactionTimeout",
    "NoSigner",
    "InsufficientFunds",
    "NotRegistered",
    "AlreadyRegistered",
    "PledgeTooSmall",
    "ExitNotReady",
    "DeploymentMismatch",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'memo_py.chain' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value
