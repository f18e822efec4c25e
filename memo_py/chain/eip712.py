"""EIP-712 ``OrderUpdate`` messages of the MEMO Market, built and signed with eth-account.

An order is one (User, Provider) pair. It is created (``seq == 0``) and then
extended or updated (``seq`` + 1 each time) by an ``OrderUpdate`` that both
sides sign; either side (or anyone) submits it to ``Market.submit_orders``.

The domain is ``("MEMO Market", "1", chainId, Market address)`` and the type is::

    OrderUpdate(address user,address provider,uint256 nonce,uint256 seq,uint256 size,
                uint256 price,uint256 start_epoch,uint256 end_epoch,bytes32 root,uint256 blob_count,
                uint256 deadline)

which is exactly what ``contracts/Market.vy`` hashes (``Market.order_update_digest``
returns the same digest as :func:`digest`).

``deadline`` is the last epoch in which the Market accepts the update ("market: update
expired" after it), so a co-signed update that was never submitted does not stay usable
forever. Signers set it with :func:`deadline_after` (``UPDATE_TTL_EPOCHS`` ahead of the
current epoch). An order starts no earlier than the epoch after the current one
(:func:`first_start`), and an update applies from ``max(current + 1, start)``.
"""

from __future__ import annotations

from dataclasses import astuple, dataclass, replace
from typing import Any

from eth_abi import encode as abi_encode
from eth_account import Account
from eth_account.messages import encode_typed_data
from eth_utils import keccak, to_checksum_address

from memo_py.errors import InvalidLength

__all__ = [
    "DOMAIN_NAME",
    "DOMAIN_VERSION",
    "ORDER_UPDATE_TYPES",
    "OrderUpdate",
    "UPDATE_TTL_EPOCHS",
    "NO_DEADLINE",
    "deadline_after",
    "first_start",
    "domain",
    "typed_data",
    "digest",
    "sign_order_update",
    "recover_signer",
    "order_id",
]

DOMAIN_NAME = "MEMO Market"
DOMAIN_VERSION = "1"

ORDER_UPDATE_TYPES: dict[str, list[dict[str, str]]] = {
    "OrderUpdate": [
        {"name": "user", "type": "address"},
        {"name": "provider", "type": "address"},
        {"name": "nonce", "type": "uint256"},
        {"name": "seq", "type": "uint256"},
        {"name": "size", "type": "uint256"},
        {"name": "price", "type": "uint256"},
        {"name": "start_epoch", "type": "uint256"},
        {"name": "end_epoch", "type": "uint256"},
        {"name": "root", "type": "bytes32"},
        {"name": "blob_count", "type": "uint256"},
        {"name": "deadline", "type": "uint256"},
    ]
}

#: Epochs after the current one during which a freshly signed update may be submitted.
UPDATE_TTL_EPOCHS = 8
#: A deadline that never passes (for tests and tools that build updates by hand).
NO_DEADLINE = 2**256 - 1


def deadline_after(current_epoch: int, ttl: int = UPDATE_TTL_EPOCHS) -> int:
    """The deadline of an update signed in ``current_epoch``: valid through ``current + ttl``."""
    return int(current_epoch) + int(ttl)


def first_start(current_epoch: int) -> int:
    """The earliest start epoch the Market accepts for an order created in ``current_epoch``."""
    return int(current_epoch) + 1


@dataclass(frozen=True)
class OrderUpdate:
    """One signed state of an order; field order matches the Solidity-style type string."""

    user: str
    provider: str
    nonce: int
    seq: int
    size: int
    price: int
    start_epoch: int
    end_epoch: int
    root: bytes = b"\x00" * 32
    blob_count: int = 0
    deadline: int = NO_DEADLINE

    def __post_init__(self) -> None:
        if len(self.root) != 32:
            raise InvalidLength(f"root must be 32 bytes, got {len(self.root)}")
        object.__setattr__(self, "user", to_checksum_address(self.user))
        object.__setattr__(self, "provider", to_checksum_address(self.provider))

    @property
    def order_id(self) -> bytes:
        """keccak256(abi_encode(user, provider, nonce)), as ``Market.order_id``."""
        return order_id(self.user, self.provider, self.nonce)

    @property
    def rate(self) -> int:
        """Pay per epoch: size * price."""
        return self.size * self.price

    def as_tuple(self) -> tuple[Any, ...]:
        """The struct as a tuple, for a contract call."""
        return astuple(self)

    def order_fields(self) -> dict[str, Any]:
        """The fields the Market stores, by name (``ChainOrder(order_id=..., **order_fields())``)."""
        message = self.as_message()
        del message["deadline"]
        return message

    def order_tuple(self) -> tuple[Any, ...]:
        """The fields the Market stores (``Market.order_of``): all but ``deadline``."""
        return astuple(self)[:-1]

    def as_message(self) -> dict[str, Any]:
        """The struct as an EIP-712 message dict."""
        return {name["name"]: getattr(self, name["name"]) for name in ORDER_UPDATE_TYPES["OrderUpdate"]}

    def next(self, **changes: Any) -> "OrderUpdate":
        """The following update: ``seq`` + 1 and the given field changes."""
        return replace(self, seq=self.seq + 1, **changes)


def domain(chain_id: int, market: str) -> dict[str, Any]:
    """The EIP-712 domain of the Market at ``market`` on ``chain_id``."""
    return {
        "name": DOMAIN_NAME,
        "version": DOMAIN_VERSION,
        "chainId": int(chain_id),
        "verifyingContract": to_checksum_address(market),
    }


def typed_data(update: OrderUpdate, chain_id: int, market: str) -> dict[str, Any]:
    """The full EIP-712 typed data (for ``eth_signTypedData_v4`` wallets)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            **ORDER_UPDATE_TYPES,
        },
        "primaryType": "OrderUpdate",
        "domain": domain(chain_id, market),
        "message": update.as_message(),
    }


def _signable(update: OrderUpdate, chain_id: int, market: str):
    return encode_typed_data(full_message=typed_data(update, chain_id, market))


def digest(update: OrderUpdate, chain_id: int, market: str) -> bytes:
    """The 32-byte digest both sides sign (``Market.order_update_digest``)."""
    signable = _signable(update, chain_id, market)
    return keccak(b"\x19" + signable.version + signable.header + signable.body)


def sign_order_update(update: OrderUpdate, private_key: bytes | str, chain_id: int, market: str) -> bytes:
    """Sign ``update`` with ``private_key``: 65 bytes r || s || v (v = 27 or 28)."""
    signed = Account.sign_message(_signable(update, chain_id, market), private_key)
    return bytes(signed.signature)


def recover_signer(update: OrderUpdate, signature: bytes, chain_id: int, market: str) -> str:
    """The address that produced ``signature`` over ``update``."""
    if len(signature) != 65:
        raise InvalidLength(f"signature must be 65 bytes, got {len(signature)}")
    return Account.recover_message(_signable(update, chain_id, market), signature=signature)


def order_id(user: str, provider: str, nonce: int) -> bytes:
    """keccak256(abi_encode(user, provider, nonce)): the Market's order id."""
    return keccak(abi_encode(["address", "address", "uint256"], [user, provider, int(nonce)]))
