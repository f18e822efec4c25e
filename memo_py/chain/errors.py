"""Errors of the chain layer. All are :class:`~memo_py.errors.MemoError` subclasses.

- :class:`ChainRevert` carries the contract's exact revert reason (``"market: stale sequence"``),
  whether the revert came from gas estimation, a call, or a mined transaction.
- The other classes are raised by the wrappers' checks *before* a transaction is sent.
"""

from __future__ import annotations

from memo_py.errors import MemoError

__all__ = [
    "ChainError",
    "ChainUnavailable",
    "ChainRevert",
    "TransactionTimeout",
    "NoSigner",
    "InsufficientFunds",
    "NotRegistered",
    "AlreadyRegistered",
    "PledgeTooSmall",
    "ExitNotReady",
    "ArtifactMissing",
    "DeploymentMismatch",
]


class ChainError(MemoError, RuntimeError):
    """Talking to the chain failed (base of the chain layer's runtime errors)."""


class ChainUnavailable(ChainError, ConnectionError):
    """The JSON-RPC endpoint did not answer, even after web3's retries."""


class ChainRevert(ChainError):
    """A contract call or transaction reverted.

    ``reason`` is the contract's revert string, exactly (``"market: stale sequence"``), or
    None when the revert carried no reason; ``function`` names the contract function;
    ``tx_hash`` is set when a mined transaction reverted (it cost gas).
    """

    def __init__(self, reason: str | None, *, function: str | None = None, tx_hash: bytes | None = None, data: bytes = b""):
        self.reason = reason
        self.function = function
        self.tx_hash = tx_hash
        self.data = data
        super().__init__(reason if reason is not None else f"reverted without a reason (data 0x{data.hex()})")


class TransactionTimeout(ChainError, TimeoutError):
    """A sent transaction was not mined within the client's timeout."""


class NoSigner(MemoError, PermissionError):
    """A transaction was asked of a read-only client (no account)."""


class InsufficientFunds(MemoError, ValueError):
    """A token or Market balance (or allowance) is too low for what was asked."""


class NotRegistered(MemoError, PermissionError):
    """The account does not hold (or no longer holds) the role the action needs."""


class AlreadyRegistered(MemoError, ValueError):
    """The account already holds the role it tried to register for."""


class PledgeTooSmall(MemoError, ValueError):
    """A pledge below the Registry's minimum for the role."""


class ExitNotReady(MemoError, ValueError):
    """``complete_exit`` before ``request_exit``, or before the unbonding delay has passed."""


class ArtifactMissing(MemoError, LookupError):
    """A contract artifact (ABI or bytecode) is not shipped in memo_py/data/abi."""


class DeploymentMismatch(MemoError, ValueError):
    """A deployment record does not fit the chain it is used with (chain id, missing code)."""
