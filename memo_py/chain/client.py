"""One connection to an EVM chain, with one signer: calls, transactions, logs and reverts.

:class:`ChainClient` is what every contract wrapper sends through:

- **Transport:** web3.py's ``HTTPProvider`` with its exception-retry configuration
  (connection errors and timeouts are retried with backoff for idempotent methods),
  instead of a home-made retry loop.
- **Signer:** an eth-account ``LocalAccount`` (or anything with ``address`` and
  ``sign_transaction(dict)``, such as the ape adapter's signer). Without one the client
  is read-only and sending raises :class:`~memo_py.chain.errors.NoSigner`.
- **Nonces:** assigned under a lock, from ``max(local counter, pending count on chain)``,
  so several threads of one process may send at once; a "nonce too low" answer (another
  process used the key) resynchronises and retries.
- **Gas and fees:** ``eth_estimateGas`` with a margin; EIP-1559 fees from the latest base
  fee and ``eth_maxPriorityFeePerGas`` (legacy ``gasPrice`` on chains without a base fee).
- **Reverts:** a revert during estimation, a call or a mined transaction becomes a
  :class:`~memo_py.chain.errors.ChainRevert` whose ``reason`` is the contract's exact
  string (``"market: stale sequence"``). Estimation runs before signing, so a transaction
  that would revert is never sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, Protocol

import requests
from eth_abi import decode as abi_decode
from eth_account import Account
from eth_utils import to_checksum_address
from web3 import HTTPProvider, Web3
from web3.contract.contract import Contract, ContractConstructor, ContractFunction
from web3.exceptions import ContractLogicError, TimeExhausted, Web3RPCError
from web3.middleware import ExtraDataToPOAMiddleware
from web3.providers.rpc.utils import REQUEST_RETRY_ALLOWLIST, ExceptionRetryConfiguration
from web3.types import RPCEndpoint, TxReceipt

from memo_py.chain import artifacts
from memo_py.chain.errors import ChainError, ChainRevert, ChainUnavailable, NoSigner, TransactionTimeout
from memo_py.chain.logcache import LogCache

__all__ = ["Signer", "ChainClient", "decode_revert", "retry_configuration"]

ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)
_NONCE_RETRIES = 3


class Signer(Protocol):
    """What the client needs of an account: eth-account's ``LocalAccount`` fits."""

    @property
    def address(self) -> str: ...

    def sign_transaction(self, transaction_dict: dict[str, Any]) -> Any:
        """Return an object with ``raw_transaction`` (bytes) and ``hash``."""
        ...


def retry_configuration(retries: int = 5, backoff_factor: float = 0.25) -> ExceptionRetryConfiguration:
    """web3's retry policy for our HTTP provider: transport errors, idempotent methods only.

    ``eth_sendRawTransaction`` is in web3's allowlist: resending the same signed bytes is
    harmless (the node answers "already known", which :meth:`ChainClient.send` accepts).
    ``retries`` counts attempts, as web3 does (at least 1: web3 makes no request at 0).
    """
    return ExceptionRetryConfiguration(
        errors=(requests.ConnectionError, requests.Timeout, requests.HTTPError),
        retries=max(1, int(retries)),
        backoff_factor=backoff_factor,
        method_allowlist=list(REQUEST_RETRY_ALLOWLIST),
    )


def decode_revert(data: bytes) -> str | None:
    """The reason in ABI-encoded revert data: ``Error(string)`` text, ``Panic`` code, or None."""
    if data[:4] == ERROR_SELECTOR:
        try:
            return str(abi_decode(["string"], data[4:])[0])
        except Exception:
            return None
    if data[:4] == PANIC_SELECTOR and len(data) >= 36:
        return f"panic 0x{int.from_bytes(data[4:36], 'big'):02x}"
    return None


def _revert_bytes(data: Any) -> bytes:
    if isinstance(data, dict):
        data = data.get("data") or data.get("result")
    if isinstance(data, (bytes, bytearray)):
        return bytes(data)
    if isinstance(data, str) and data.startswith("0x"):
        try:
            return bytes.fromhex(data[2:])
        except ValueError:
            return b""
    return b""


def revert_from(exc: ContractLogicError, function: str | None = None, tx_hash: bytes | None = None) -> ChainRevert:
    """Turn web3's ``ContractLogicError`` into a :class:`ChainRevert` with the exact reason."""
    data = _revert_bytes(exc.data)
    reason = decode_revert(data)
    if reason is None:
        message = (getattr(exc, "message", None) or str(exc)).strip()
        prefix = "execution reverted"
        if message.startswith(prefix):
            message = message[len(prefix):].lstrip(": ").strip()
        reason = message or None
    return ChainRevert(reason, function=function, tx_hash=tx_hash, data=data)


def _describe(fn: ContractFunction | ContractConstructor) -> str:
    name = getattr(fn, "fn_name", None) or "constructor"
    return str(name)


class ChainClient:
    """A web3 connection plus an optional signer; see the module docstring.

    >>> client = ChainClient.connect("http://127.0.0.1:8545", private_key)
    >>> receipt = client.send(market.functions.deposit(10**18))
    """

    def __init__(
        self,
        web3: Web3,
        account: Signer | None = None,
        *,
        timeout: float = 120.0,
        poll_latency: float = 0.1,
        gas_margin: float = 1.25,
        log_chunk: int = 10_000,
        logs: LogCache | None = None,
    ) -> None:
        self.w3 = web3
        self.account = account
        self.timeout = timeout
        self.poll_latency = poll_latency
        self.gas_margin = gas_margin
        self.log_chunk = log_chunk
        #: Event logs already read (shared with :meth:`with_account` clients).
        self.logs = logs if logs is not None else LogCache()
        self._nonce_lock = threading.Lock()
        self._next_nonce: int | None = None
        self._chain_id: int | None = None

    @classmethod
    def connect(
        cls,
        url: str,
        account: Signer | bytes | str | None = None,
        *,
        retries: int = 5,
        request_timeout: float = 30.0,
        poa: bool = False,
        **options: Any,
    ) -> ChainClient:
        """A client for the JSON-RPC endpoint at ``url``; ``account`` is a signer or a private key."""
        provider = HTTPProvider(
            url,
            request_kwargs={"timeout": request_timeout},
            exception_retry_configuration=retry_configuration(retries),
            # web3's validation asks eth_chainId before every call: once per connection is enough
            # (it was half of an idle daemon's RPCs, and of its CPU).
            cache_allowed_requests=True,
            cacheable_requests={RPCEndpoint("eth_chainId")},
        )
        web3 = Web3(provider)
        if poa:
            web3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
        if isinstance(account, (bytes, str)):
            account = Account.from_key(account)
        return cls(web3, account, **options)

    def with_account(self, account: Signer | bytes | str) -> ChainClient:
        """Another client on the same connection, signing with ``account`` (its own nonces)."""
        if isinstance(account, (bytes, str)):
            account = Account.from_key(account)
        other = ChainClient(
            self.w3, account, timeout=self.timeout, poll_latency=self.poll_latency,
            gas_margin=self.gas_margin, log_chunk=self.log_chunk, logs=self.logs,
        )
        other._chain_id = self._chain_id
        return other

    # ------------------------------------------------------------------ basics

    @property
    def address(self) -> str | None:
        """The signer's address, or None for a read-only client."""
        return to_checksum_address(self.account.address) if self.account is not None else None

    def require_signer(self) -> str:
        if self.account is None:
            raise NoSigner("this chain client has no account: give it a private key to send transactions")
        return to_checksum_address(self.account.address)

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            with self.rpc():
                self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    def block_number(self) -> int:
        with self.rpc():
            return int(self.w3.eth.block_number)

    def get_block(self, block: int | str = "latest") -> Any:
        with self.rpc():
            return self.w3.eth.get_block(block)

    def balance(self, address: str | None = None) -> int:
        """Native (ETH) balance in wei."""
        with self.rpc():
            return int(self.w3.eth.get_balance(to_checksum_address(address or self.require_signer())))

    def has_code(self, address: str) -> bool:
        with self.rpc():
            return len(self.w3.eth.get_code(to_checksum_address(address))) > 0

    def contract(self, name: str, address: str) -> Contract:
        """A web3 contract object for the shipped ABI of ``name`` at ``address``."""
        return self.w3.eth.contract(address=to_checksum_address(address), abi=artifacts.abi(name))

    @contextmanager
    def rpc(self, function: str | None = None) -> Iterator[None]:
        """Translate web3/transport errors into the chain layer's typed errors."""
        try:
            yield
        except ContractLogicError as exc:
            raise revert_from(exc, function) from None
        except (requests.ConnectionError, requests.Timeout) as exc:
            # one line naming the node; urllib3's "Max retries exceeded ..." stays in __cause__
            raise ChainUnavailable(f"no answer from the chain node at {self.rpc_url}") from exc

    @property
    def rpc_url(self) -> str:
        """The JSON-RPC URL of the node (``"(unknown)"`` for a provider without one)."""
        return str(getattr(self.w3.provider, "endpoint_uri", None) or "(unknown)")

    # ------------------------------------------------------------------ calls

    def call(self, fn: ContractFunction, block: int | str | None = None) -> Any:
        """``eth_call`` of a contract function (at ``block``, default latest)."""
        params: dict[str, Any] = {"from": self.address} if self.address else {}
        with self.rpc(_describe(fn)):
            return fn.call(params, block_identifier=block if block is not None else "latest")

    # ------------------------------------------------------------------ transactions

    def fees(self) -> dict[str, int]:
        """EIP-1559 fee fields (``maxFeePerGas`` = 2 × base fee + tip), or a legacy gas price."""
        with self.rpc():
            block = self.w3.eth.get_block("latest")
            base = block.get("baseFeePerGas")
            if base is None:
                return {"gasPrice": int(self.w3.eth.gas_price)}
            try:
                tip = int(self.w3.eth.max_priority_fee)
            except (Web3RPCError, ValueError):
                tip = 10**9
        return {"maxFeePerGas": 2 * int(base) + tip, "maxPriorityFeePerGas": tip}

    def estimate_gas(self, fn: ContractFunction | ContractConstructor, value: int = 0) -> int:
        """Gas estimate with the client's margin; a revert raises :class:`ChainRevert` here."""
        sender = self.require_signer()
        with self.rpc(_describe(fn)):
            estimate = fn.estimate_gas({"from": sender, "value": value})
        return int(estimate * self.gas_margin) + 10_000

    def send(self, fn: ContractFunction | ContractConstructor, *, value: int = 0, gas: int | None = None) -> TxReceipt:
        """Estimate, sign, send and wait: the mined receipt, or :class:`ChainRevert`."""
        tx_hash = self.send_nowait(fn, value=value, gas=gas)
        return self.wait(tx_hash, fn)

    def send_nowait(self, fn: ContractFunction | ContractConstructor, *, value: int = 0, gas: int | None = None) -> bytes:
        """Estimate, sign and send; the transaction hash (see :meth:`wait`)."""
        sender = self.require_signer()
        if gas is None:
            gas = self.estimate_gas(fn, value)
        fees = self.fees()
        with self._nonce_lock:
            for attempt in range(_NONCE_RETRIES):
                with self.rpc():
                    pending = int(self.w3.eth.get_transaction_count(sender, "pending"))
                nonce = max(pending, self._next_nonce or 0) if attempt == 0 else pending
                with self.rpc(_describe(fn)):
                    tx = fn.build_transaction(
                        {"from": sender, "value": value, "gas": gas, "nonce": nonce, "chainId": self.chain_id, **fees}
                    )
                signed = self.account.sign_transaction(tx)  # type: ignore[union-attr]
                try:
                    with self.rpc(_describe(fn)):
                        tx_hash = bytes(self.w3.eth.send_raw_transaction(signed.raw_transaction))
                except (Web3RPCError, ValueError) as exc:
                    text = str(exc).lower()
                    if "already known" in text:
                        tx_hash = bytes(signed.hash)
                    elif "nonce too low" in text or "nonce has already been used" in text:
                        self._next_nonce = None
                        continue
                    else:
                        raise ChainError(f"sending {_describe(fn)} failed: {exc}") from exc
                self._next_nonce = nonce + 1
                return tx_hash
        raise ChainRevert(f"could not find a free nonce for {sender} after {_NONCE_RETRIES} tries", function=_describe(fn))

    def transfer(self, to: str, value: int) -> TxReceipt:
        """Send ``value`` wei of the native coin to ``to`` (a plain transfer, 21,000 gas) and wait."""
        sender = self.require_signer()
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise ValueError(f"a transfer sends a positive whole number of wei, not {value!r}")
        fees = self.fees()
        with self._nonce_lock:
            with self.rpc():
                nonce = max(int(self.w3.eth.get_transaction_count(sender, "pending")), self._next_nonce or 0)
            tx = {"from": sender, "to": to_checksum_address(to), "value": value, "gas": 21_000, "nonce": nonce,
                  "chainId": self.chain_id, **fees}
            signed = self.account.sign_transaction(tx)  # type: ignore[union-attr]
            try:
                with self.rpc("transfer"):
                    tx_hash = bytes(self.w3.eth.send_raw_transaction(signed.raw_transaction))
            except (Web3RPCError, ValueError) as exc:
                raise ChainError(f"sending {value} wei to {to} failed: {exc}") from exc
            self._next_nonce = nonce + 1
        return self.wait(tx_hash)

    def wait(self, tx_hash: bytes, fn: ContractFunction | ContractConstructor | None = None) -> TxReceipt:
        """Wait for the receipt; a reverted transaction raises :class:`ChainRevert` with its reason."""
        try:
            with self.rpc():
                receipt = self.w3.eth.wait_for_transaction_receipt(
                    tx_hash, timeout=self.timeout, poll_latency=self.poll_latency
                )
        except TimeExhausted:
            raise TransactionTimeout(f"transaction 0x{bytes(tx_hash).hex()} not mined within {self.timeout:.0f} s") from None
        if receipt["status"] != 1:
            raise self._replay_revert(receipt, fn)
        return receipt

    def _replay_revert(self, receipt: TxReceipt, fn: ContractFunction | ContractConstructor | None) -> ChainRevert:
        """Re-run a mined, reverted transaction as a call, for its reason.

        First on the state before its block (what it saw), which runs in that earlier
        block's context; a revert that depends on the block itself (an order that starts
        in the epoch its block opens) passes there, so then on the mined block, whose
        context is the transaction's own.
        """
        name = _describe(fn) if fn is not None else None
        tx_hash = bytes(receipt["transactionHash"])
        with self.rpc():
            tx = self.w3.eth.get_transaction(tx_hash)
        call = {"from": tx["from"], "to": tx.get("to"), "data": tx["input"], "value": tx.get("value", 0), "gas": tx["gas"]}
        mined = int(receipt["blockNumber"])
        for block in dict.fromkeys((max(mined - 1, 0), mined)):
            try:
                self.w3.eth.call(call, block_identifier=block)
            except ContractLogicError as exc:
                return revert_from(exc, name, tx_hash)
            except Exception:  # the node cannot replay there (pruned state): try the next, or give no reason
                continue
        if receipt["gasUsed"] >= tx["gas"]:
            return ChainRevert("out of gas", function=name, tx_hash=tx_hash)
        return ChainRevert(None, function=name, tx_hash=tx_hash)

    def deploy(self, name: str, *args: Any) -> tuple[str, TxReceipt]:
        """Deploy the shipped contract ``name`` with constructor ``args``: (address, receipt)."""
        factory = self.w3.eth.contract(abi=artifacts.abi(name), bytecode=artifacts.bytecode(name))
        receipt = self.send(factory.constructor(*args))
        return to_checksum_address(receipt["contractAddress"]), receipt

    # ------------------------------------------------------------------ logs

    def get_logs(
        self,
        event: Any,
        *,
        from_block: int = 0,
        to_block: int | str = "latest",
        argument_filters: dict[str, Any] | None = None,
    ) -> list[Any]:
        """Decoded logs of a contract event (``contract.events.X``), queried in chunks of
        ``log_chunk`` blocks (RPC providers cap ranges), ordered by (block, log index).

        Blocks read before (more than ``logs.reorg_depth`` behind the head) come from
        :attr:`logs` instead of the node: see :mod:`memo_py.chain.logcache`.
        """
        with self.rpc():
            head = int(self.w3.eth.block_number)
        first = max(int(from_block), 0)
        last = head if to_block == "latest" else int(to_block)
        filters = tuple(sorted((name, repr(value)) for name, value in (argument_filters or {}).items()))
        key = (event.address, event.event_name, filters, first)
        start, logs = self.logs.plan(key, first, last)
        while start <= last:
            end = min(start + self.log_chunk - 1, last)
            with self.rpc():
                logs.extend(event.get_logs(from_block=start, to_block=end, argument_filters=argument_filters or None))
            start = end + 1
        logs.sort(key=lambda log: (log["blockNumber"], log["logIndex"]))
        self.logs.store(key, first, last, head, logs)
        return logs

    @staticmethod
    def events_in(receipt: TxReceipt, event: Any) -> Sequence[Any]:
        """The decoded ``event`` logs a receipt holds (``contract.events.X``)."""
        from web3.logs import DISCARD

        return event.process_receipt(receipt, errors=DISCARD)
