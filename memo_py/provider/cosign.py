"""Co-signing order updates: the Provider signs only what its disk backs.

Before signing a User's ``OrderUpdate`` the Provider checks that

1. it describes the agreement: same user, provider, nonce, price, epochs and blob
   count, and ``size = blob_count * 126976``;
2. every blob of the order is stored here, and ``root`` is the commitment-tree
   root of the commitments the Provider computed itself;
3. the User's EIP-712 signature over the update is the User's.

The commitment tree and the EIP-712 encoding belong to the chain layer
(:mod:`memo_py.chain.merkle`, :mod:`memo_py.chain.eip712`); the two functions
below are the only places this module touches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from memo_py.errors import AgreementConflict, InvalidSignature, NotPermitted
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from memo_py.provider.agreements import Agreement, order_id
from memo_py.provider.store import ChunkStore

__all__ = ["commitment_root", "parse_update", "recover_update_signer", "sign_update", "stored_commitments", "Cosigner"]

_UPDATE_INTS = ("nonce", "seq", "size", "price", "start_epoch", "end_epoch", "blob_count")


def commitment_root(commitments: Sequence[bytes]) -> bytes:
    """The commitment-tree root of an order's blob commitments (as the Market checks it)."""
    from memo_py.chain.merkle import CommitmentTree

    return CommitmentTree(commitments).root


def parse_update(fields: Any) -> Any:
    """An ``eip712.OrderUpdate`` from its JSON form (ints, addresses, ``root`` as 0x hex)."""
    from memo_py.chain.eip712 import OrderUpdate

    if not isinstance(fields, dict):
        raise ValueError("update must be a JSON object")
    values: dict[str, Any] = {}
    for name in _UPDATE_INTS:
        value = fields.get(name)
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value < 2**256:
            raise ValueError(f"update.{name} must be a uint256")
        values[name] = value
    for name in ("user", "provider"):
        if not isinstance(fields.get(name), str):
            raise ValueError(f"update.{name} must be an address")
        values[name] = fields[name]
    values["root"] = _hex_bytes("update.root", fields.get("root"), 32)
    return OrderUpdate(**values)


def recover_update_signer(update: Any, signature: bytes, chain_id: int, market: str) -> str:
    """The address whose EIP-712 signature over ``update`` this is."""
    from memo_py.chain.eip712 import recover_signer

    return recover_signer(update, signature, chain_id, market)


def sign_update(update: Any, private_key: bytes | str, chain_id: int, market: str) -> bytes:
    """The Provider's EIP-712 signature over ``update`` (65 bytes)."""
    from memo_py.chain.eip712 import sign_order_update

    return sign_order_update(update, private_key, chain_id, market)


def stored_commitments(store: ChunkStore, agreement: Agreement) -> list[bytes | None]:
    """The order's commitments in blob order, None where no chunk is stored."""
    out: list[bytes | None] = [None] * agreement.blob_count
    for record in store.records(agreement.order_id):
        for k, commitment in enumerate(record.commitments):
            if record.first_blob + k < agreement.blob_count:
                out[record.first_blob + k] = commitment
    return out


def _hex_bytes(name: str, value: Any, size: int | None = None) -> bytes:
    if not isinstance(value, str) or not value.startswith(("0x", "0X")):
        raise ValueError(f"{name} must be 0x-prefixed hex")
    try:
        raw = bytes.fromhex(value[2:])
    except ValueError:
        raise ValueError(f"{name} is not hex") from None
    if size is not None and len(raw) != size:
        raise ValueError(f"{name} must be {size} bytes, got {len(raw)}")
    return raw


class Cosigner:
    """Checks and co-signs order updates for one Provider."""

    def __init__(self, private_key: bytes | str, provider: str, store: ChunkStore, chain_id: int, market: str) -> None:
        self._key = private_key
        self.provider = provider
        self.store = store
        self.chain_id = chain_id
        self.market = market

    def cosign(self, agreement: Agreement, signer: str, body: Any) -> tuple[Any, bytes, bytes]:
        """Check a cosign request; return (update, user signature, provider signature)."""
        if signer != agreement.user:
            raise NotPermitted(f"{signer} is not the User of order 0x{agreement.order_id.hex()}")
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        update = parse_update(body.get("update"))
        user_signature = _hex_bytes("user_signature", body.get("user_signature"), 65)
        if order_id(update.user, update.provider, update.nonce) != agreement.order_id:
            raise ValueError("the update's (user, provider, nonce) is not this order")
        expected = {
            "user": agreement.user,
            "provider": self.provider,
            "nonce": agreement.nonce,
            "price": agreement.price,
            "start_epoch": agreement.start_epoch,
            "end_epoch": agreement.end_epoch,
            "blob_count": agreement.blob_count,
            "size": agreement.blob_count * PAYLOAD_BYTES_PER_BLOB,
        }
        for name, value in expected.items():
            if getattr(update, name) != value:
                raise ValueError(f"update.{name} is {getattr(update, name)}, the agreement says {value}")
        commitments = stored_commitments(self.store, agreement)
        missing = sum(c is None for c in commitments)
        if missing:
            raise AgreementConflict(f"{missing} of the order's {agreement.blob_count} blobs are not stored yet")
        root = commitment_root(commitments)  # type: ignore[arg-type]
        if update.root != root:
            raise ValueError(f"update.root 0x{update.root.hex()} is not the root of the stored commitments 0x{root.hex()}")
        if recover_update_signer(update, user_signature, self.chain_id, self.market) != agreement.user:
            raise InvalidSignature("user_signature is not the User's signature over this update")
        return update, user_signature, sign_update(update, self._key, self.chain_id, self.market)
