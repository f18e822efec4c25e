"""The User client's chain protocol implemented on the contract wrappers.

:class:`UserRoleChain` is :class:`memo_py.user.chain.UserChain` on web3 (the protocol
is structural, so this module does not import the User role), the counterpart of
:class:`memo_py.chain.roles.RoleChain` for the daemons:

>>> memo = MemoContracts.connect("http://127.0.0.1:8545", "deployments/local.json", user_key)
>>> client = MemoClient(config, UserRoleChain(memo))

Writes return the transaction hash once the receipt is in; a revert raises
:class:`~memo_py.chain.errors.ChainRevert` (a ``MemoError``) carrying the
contract's exact reason. Every receipt of a write is also kept in
:attr:`UserRoleChain.receipts`, by step, so tools can report the gas each step
cost (the devnet demo does).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass

from web3.types import TxReceipt

from memo_py.amounts import require_uint
from memo_py.chain.contracts import MemoContracts
from memo_py.chain.eip712 import OrderUpdate
from memo_py.chain.errors import NoSigner
from memo_py.chain.market import MAX_BATCH
from memo_py.chain.records import ChainOrder

__all__ = ["GasRecord", "UserRoleChain", "PACE_BLOCKS"]

#: Blocks over which the chain's pace (seconds per block) is measured.
PACE_BLOCKS = 256


@dataclass(frozen=True)
class GasRecord:
    """One transaction a User sent: the step, its hash and the gas its receipt used."""

    step: str
    tx: bytes
    gas_used: int


class UserRoleChain:
    """What a User client reads from and sends to the chain, from ``contracts``' signer."""

    def __init__(self, contracts: MemoContracts) -> None:
        if contracts.client.address is None:
            raise NoSigner("a User's chain access needs the User's key (MemoContracts with an account)")
        self.contracts = contracts
        self.receipts: list[GasRecord] = []
        self._lock = threading.Lock()
        self._epoch_seconds: float | None = None

    @classmethod
    def connect(cls, url: str, deployment: object, private_key: bytes | str, **options: object) -> UserRoleChain:
        """Connect to ``url`` with ``deployment`` (a record or its JSON file), signing with ``private_key``."""
        return cls(MemoContracts.connect(url, deployment, private_key, **options))  # type: ignore[arg-type]

    def _record(self, step: str, receipt: TxReceipt | None) -> bytes:
        if receipt is None:
            return b""
        record = GasRecord(step, bytes(receipt["transactionHash"]), int(receipt["gasUsed"]))
        with self._lock:
            self.receipts.append(record)
        return record.tx

    # ------------------------------------------------------------------ identity

    @property
    def address(self) -> str:
        return self.contracts.client.address  # type: ignore[return-value]

    @property
    def chain_id(self) -> int:
        return self.contracts.deployment.chain_id

    @property
    def market(self) -> str:
        return self.contracts.deployment.market

    # ------------------------------------------------------------------ reads

    def current_epoch(self) -> int:
        return self.contracts.epochs.current_epoch()

    def epoch_seconds(self) -> float:
        """``epoch_length`` blocks times the mean interval of the last :data:`PACE_BLOCKS`
        blocks (12 s, Ethereum's slot, before there are two blocks to measure). The
        result is cached for the connection: a quote should not cost 2 RPC calls."""
        if self._epoch_seconds is None:
            client = self.contracts.client
            latest = client.get_block("latest")
            first = max(0, int(latest["number"]) - PACE_BLOCKS)
            span = int(latest["number"]) - first
            interval = 12.0
            if span > 0:
                elapsed = int(latest["timestamp"]) - int(client.get_block(first)["timestamp"])
                interval = max(elapsed / span, 0.001)
            self._epoch_seconds = self.contracts.epochs.epoch_length() * interval
        return self._epoch_seconds

    def balance_of(self, user: str) -> int:
        return self.contracts.market.balance_of(user)

    def provider_endpoint(self, provider: str) -> str | None:
        """The endpoint the Provider registered, or None if it never registered one."""
        info = self.contracts.registry.provider_info(provider)
        return info.endpoint or None

    def orders_of_user(self, user: str) -> list[ChainOrder]:
        return self.contracts.market.orders_of_user(user)

    # ------------------------------------------------------------------ writes

    def deposit(self, amount: int) -> bytes:
        """Approve the Market if needed, then deposit ``amount``; the deposit's tx hash."""
        amount = require_uint(amount, "a deposit", positive=True)
        self.contracts.token.require_balance(amount, "this deposit")
        self._record("approve", self.contracts.token.ensure_allowance(self.contracts.market.address, amount))
        # Market.deposit approves again only when the allowance falls short: it does not now.
        return self._record("deposit", self.contracts.market.deposit(amount))

    def withdraw(self, amount: int) -> bytes:
        amount = require_uint(amount, "a withdrawal", positive=True)
        return self._record("withdraw", self.contracts.market.withdraw(amount))

    def submit_orders(self, updates: Sequence[tuple[OrderUpdate, bytes, bytes]]) -> bytes:
        if len(updates) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} order updates per transaction, got {len(updates)}")
        return self._record("submit_orders", self.contracts.market.submit_orders(updates))

    def register_user(self, pledge: int | None = None) -> bytes:
        """Register the signer as a User (the pledge defaults to the Registry's minimum)."""
        if pledge is not None:
            pledge = require_uint(pledge, "a user pledge")
        return self._record("register_user", self.contracts.registry.register_user(pledge))
