"""Wrapper of ``Market.vy``: User balances, co-signed orders, Provider pay and order closing.

Orders are read two ways: :meth:`Market.order_of` (the stored state, ``eth_call``) and
:meth:`Market.orders_of` (a replay of ``OrderCreated``/``OrderUpdated`` events for one
Provider, up to any block: the terms as they stood then, without archive-node state).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from eth_account.messages import encode_typed_data
from eth_utils import to_checksum_address
from web3.types import TxReceipt

from memo_py.amounts import require_uint
from memo_py.chain import eip712
from memo_py.chain.base import ContractWrapper
from memo_py.chain.client import ChainClient
from memo_py.chain.eip712 import OrderUpdate
from memo_py.chain.errors import InsufficientFunds, NoSigner
from memo_py.chain.merkle import results_leaf, verify_results_proof
from memo_py.chain.records import ChainOrder
from memo_py.chain.token import Token
from memo_py.errors import InvalidLength, InvalidProof, InvalidSignature, UnknownOrder

__all__ = ["Market", "MAX_BATCH", "SignedUpdate"]

MAX_BATCH = 32
ZERO_ADDRESS = "0x" + "00" * 20

#: ``(update, user_signature, provider_signature)``
SignedUpdate = tuple[OrderUpdate, bytes, bytes]


def _order(order_id: bytes, fields: Sequence[Any]) -> ChainOrder:
    user, provider, nonce, seq, size, price, start, end, root, blob_count = fields
    return ChainOrder(
        order_id=bytes(order_id),
        user=to_checksum_address(user),
        provider=to_checksum_address(provider),
        nonce=int(nonce),
        seq=int(seq),
        size=int(size),
        price=int(price),
        start_epoch=int(start),
        end_epoch=int(end),
        root=bytes(root),
        blob_count=int(blob_count),
    )


def replay_orders(created: Iterable[Any], updated: Iterable[Any]) -> dict[bytes, ChainOrder]:
    """Fold decoded ``OrderCreated`` and ``OrderUpdated`` logs (any order) into order states."""
    logs = sorted([*created, *updated], key=lambda log: (log["blockNumber"], log["logIndex"]))
    orders: dict[bytes, ChainOrder] = {}
    for log in logs:
        args = log["args"]
        oid = bytes(args["order_id"])
        if log["event"] == "OrderCreated":
            orders[oid] = ChainOrder(
                order_id=oid,
                user=to_checksum_address(args["user"]),
                provider=to_checksum_address(args["provider"]),
                nonce=int(args["nonce"]),
                seq=0,
                size=int(args["size"]),
                price=int(args["price"]),
                start_epoch=int(args["start_epoch"]),
                end_epoch=int(args["end_epoch"]),
                root=bytes(args["root"]),
                blob_count=int(args["blob_count"]),
            )
        elif oid in orders:
            orders[oid] = replace(
                orders[oid],
                seq=int(args["seq"]),
                size=int(args["size"]),
                price=int(args["price"]),
                end_epoch=int(args["end_epoch"]),
                root=bytes(args["root"]),
                blob_count=int(args["blob_count"]),
            )
    return orders


#: Gas added per update to a ``submit_orders`` estimate (three fresh storage slots).
EPOCH_CROSSING_GAS = 3 * 22_100


class Market(ContractWrapper):
    NAME = "Market"

    def __init__(self, client: ChainClient, address: str, *, token: Token | None = None, from_block: int = 0) -> None:
        super().__init__(client, address, from_block=from_block)
        self._token = token

    @property
    def token(self) -> Token:
        if self._token is None:
            self._token = Token(self.client, self._call("token"), from_block=self.from_block)
        return self._token

    # ------------------------------------------------------------------ balances

    def balance_of(self, user: str | None = None) -> int:
        return int(self._call("balance_of", self._me(user)))

    def deposit(self, amount: int) -> TxReceipt:
        """Move ``amount`` tokens into the signer's Market balance (approving the Market first if needed)."""
        amount = require_uint(amount, "a deposit", positive=True)
        self.token.require_balance(amount, "this deposit")
        self.token.ensure_allowance(self.address, amount)
        return self._send("deposit", int(amount))

    def deposit_with_permit(self, amount: int, deadline: int | None = None) -> TxReceipt:
        """Deposit with an EIP-2612 permit instead of a separate approval (one transaction)."""
        amount = require_uint(amount, "a deposit", positive=True)
        self.token.require_balance(amount, "this deposit")
        v, r, s, deadline = self.token.sign_permit(self.address, amount, deadline)
        return self._send("deposit_with_permit", int(amount), deadline, v, r, s)

    def withdraw(self, amount: int) -> TxReceipt:
        """Take ``amount`` back from the signer's Market balance."""
        amount = require_uint(amount, "a withdrawal", positive=True)
        me = self.client.require_signer()
        balance = self.balance_of(me)
        if balance < amount:
            raise InsufficientFunds(f"market balance of {me} is {balance}, cannot withdraw {amount}")
        return self._send("withdraw", int(amount))

    # ------------------------------------------------------------------ orders

    def domain_separator(self) -> bytes:
        return bytes(self._call("domain_separator"))

    def order_update_digest(self, update: OrderUpdate) -> bytes:
        return bytes(self._call("order_update_digest", update.as_tuple()))

    def sign_update(self, update: OrderUpdate) -> bytes:
        """The signer's EIP-712 signature of ``update`` (65 bytes r || s || v)."""
        account = self.client.account
        if account is None or not hasattr(account, "sign_message"):
            raise NoSigner("signing an order update needs a local account (eth-account)")
        data = eip712.typed_data(update, self.client.chain_id, self.address)
        return bytes(account.sign_message(encode_typed_data(full_message=data)).signature)

    def submit_orders(self, updates: Sequence[SignedUpdate]) -> TxReceipt:
        """Submit co-signed updates (create with seq 0, then seq + 1 each time), at most 32.

        The signatures are checked locally first (a wrong one names the update and the side).
        """
        if not updates:
            raise ValueError("no order updates to submit")
        if len(updates) > MAX_BATCH:
            raise ValueError(f"at most {MAX_BATCH} order updates per transaction, got {len(updates)}")
        chain_id = self.client.chain_id
        for i, (update, user_sig, provider_sig) in enumerate(updates):
            for side, sig, expected in (("user", user_sig, update.user), ("provider", provider_sig, update.provider)):
                if len(sig) != 65:
                    raise InvalidLength(f"update {i}: the {side} signature is 65 bytes, got {len(sig)}")
                if eip712.recover_signer(update, bytes(sig), chain_id, self.address) != expected:
                    raise InvalidSignature(f"update {i}: the {side} signature is not by {expected}")
        fn = self.contract.functions.submit_orders(
            [u.as_tuple() for u, _, _ in updates],
            [bytes(s) for _, s, _ in updates],
            [bytes(s) for _, _, s in updates],
        )
        # An update's cost depends on the epoch it lands in (its new terms switch at
        # current + 1, which may be a fresh rate slot): a transaction estimated in the last
        # block of an epoch and mined in the next can need up to three fresh slots more
        # per update than the estimate saw.
        gas = self.client.estimate_gas(fn) + EPOCH_CROSSING_GAS * len(updates)
        return self.client.send(fn, gas=gas)

    def order_of(self, order_id: bytes, block: int | str | None = None) -> ChainOrder | None:
        """The stored order, or None if there is none under ``order_id``."""
        order = _order(order_id, self._call("order_of", bytes(order_id), block=block))
        return None if order.user == ZERO_ADDRESS else order

    def order(self, order_id: bytes) -> ChainOrder:
        """Like :meth:`order_of`, but raise :class:`UnknownOrder` for a missing order."""
        order = self.order_of(order_id)
        if order is None:
            raise UnknownOrder(f"no order 0x{bytes(order_id).hex()} on the Market")
        return order

    @staticmethod
    def order_id(user: str, provider: str, nonce: int) -> bytes:
        return eip712.order_id(user, provider, nonce)

    def orders_of(self, provider: str, *, block: int | str = "latest") -> list[ChainOrder]:
        """Every order of ``provider`` with its terms as of ``block`` (replayed from events)."""
        provider = to_checksum_address(provider)
        created = self._logs("OrderCreated", to_block=block, provider=provider)
        updated = self._logs("OrderUpdated", to_block=block, provider=provider)
        return list(replay_orders(created, updated).values())

    def all_orders(self, *, block: int | str = "latest") -> list[ChainOrder]:
        """Every order, of every User and Provider, with its terms as of ``block``."""
        return list(replay_orders(self._logs("OrderCreated", to_block=block), self._logs("OrderUpdated", to_block=block)).values())

    def orders_of_user(self, user: str, *, block: int | str = "latest") -> list[ChainOrder]:
        """Every order of ``user`` with its terms as of ``block`` (replayed from events)."""
        user = to_checksum_address(user)
        created = self._logs("OrderCreated", to_block=block, user=user)
        updated = self._logs("OrderUpdated", to_block=block, user=user)
        return list(replay_orders(created, updated).values())

    def is_closed(self, order_id: bytes) -> bool:
        return bool(self._call("books", bytes(order_id))[4])

    def close_order(self, order_id: bytes) -> TxReceipt:
        """Close an ended, settled order; the User's compensation goes to its Market balance."""
        order = self.order(order_id)
        if self.is_closed(order_id):
            raise ValueError(f"order 0x{bytes(order_id).hex()} is already closed")
        return self._send("close_order", order.order_id)

    def compensation_of(self, order_id: bytes) -> int:
        """Compensation the order has accrued and not yet been credited."""
        return int(self._call("compensation_of", bytes(order_id)))

    def claim_compensation(self, order_id: bytes, max_steps: int = 256) -> TxReceipt:
        """Credit the order's User with the compensation walked so far (anyone may call)."""
        if not 0 < int(max_steps) <= 1024:
            raise ValueError("max_steps must be in 1..1024")
        self.order(order_id)
        return self._send("claim_compensation", bytes(order_id), int(max_steps))

    def settled_to(self, provider: str | None = None) -> int:
        """The first epoch of the Provider that no settlement covers yet."""
        return int(self._call("settled_to", self._me(provider)))

    # ------------------------------------------------------------------ pay

    def locked_of(self, provider: str | None = None) -> int:
        return int(self._call("locked_of", self._me(provider)))

    def provider_books(self, provider: str | None = None) -> dict[str, int]:
        """The Market's per-Provider books (synced, rate, unsettled, paid, penalized, …)."""
        values = self._call("providers", self._me(provider))
        names = ("synced", "rate", "unsettled", "paid", "penalized", "locked", "interval_start", "loss_count")
        return {name: int(value) for name, value in zip(names, values)}

    def fee_bps(self) -> int:
        return int(self._call("fee_bps"))

    def _check_leaf(self, provider: str, epoch: int, cum_pay: int, cum_penalty: int, proof: Sequence[bytes]) -> None:
        epochs_address = self._call("epochs")
        root = bytes(self.client.call(self.client.contract("Epochs", epochs_address).functions.results_root(int(epoch))))
        if root == bytes(32):
            raise ValueError(f"epoch {epoch} has no attested results root yet")
        if not verify_results_proof([bytes(p) for p in proof], root, results_leaf(provider, cum_pay, cum_penalty)):
            raise InvalidProof(f"the results proof of {provider} does not lead to epoch {epoch}'s attested root")

    def withdraw_pay(self, epoch: int, cum_pay: int, cum_penalty: int, proof: Sequence[bytes]) -> TxReceipt:
        """The signer (a Provider) takes its pay through ``epoch`` with its results-tree proof."""
        cum_pay, cum_penalty = require_uint(cum_pay, "cum_pay"), require_uint(cum_penalty, "cum_penalty")
        me = self.client.require_signer()
        self._check_leaf(me, epoch, cum_pay, cum_penalty, proof)
        return self._send("withdraw_pay", int(epoch), int(cum_pay), int(cum_penalty), [bytes(p) for p in proof])

    def settle(self, provider: str, epoch: int, cum_pay: int, cum_penalty: int, proof: Sequence[bytes]) -> TxReceipt:
        """Anyone settles ``provider``'s pay (paid to the Provider) through ``epoch``."""
        cum_pay, cum_penalty = require_uint(cum_pay, "cum_pay"), require_uint(cum_penalty, "cum_penalty")
        provider = to_checksum_address(provider)
        self._check_leaf(provider, epoch, cum_pay, cum_penalty, proof)
        return self._send("settle", provider, int(epoch), int(cum_pay), int(cum_penalty), [bytes(p) for p in proof])

    def sync(self, provider: str, max_epochs: int = 64) -> TxReceipt:
        return self._send("sync", to_checksum_address(provider), int(max_epochs))

    def flush_fees(self) -> TxReceipt:
        return self._send("flush_fees")
