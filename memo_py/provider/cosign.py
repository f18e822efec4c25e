"""Co-signing order updates: the Provider signs only what its disk backs.

Before signing a User's ``OrderUpdate`` the Provider checks that

1. it describes the agreement: same user, provider, nonce, price, epochs and blob
   count, and ``size = (blob_count - released blobs) * 126976``;
2. the chunks it releases (``released``, by first blob: the User deleted their
   data) include every chunk an earlier co-signed update released: a chunk once
   released stays released, since its file may already be gone;
3. every other blob of the order is stored here, and ``root`` is the
   commitment-tree root of the commitments the Provider computed itself, with the
   zero commitment in place of the released blobs (:mod:`memo_py.provider.versions`);
4. the User's EIP-712 signature over the update is the User's;
5. when the current epoch is known (the service passes it), the update's ``deadline`` is
   not past and at most ``MAX_COSIGN_TTL`` epochs ahead: a co-signed update must not stay
   usable for long (the Market refuses it after its deadline).

The commitment tree and the EIP-712 encoding belong to the chain layer
(:mod:`memo_py.chain.merkle`, :mod:`memo_py.chain.eip712`); the functions
below are the only places this module touches them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

from memo_py.errors import AgreementConflict, InvalidSignature, NotPermitted
from memo_py.native import PAYLOAD_BYTES_PER_BLOB
from memo_py.provider.agreements import Agreement, AgreementBook, order_id
from memo_py.provider.store import ChunkStore
from memo_py.crypto.kzg import with_released
from memo_py.provider.versions import stored_commitments

__all__ = ["Cosigned", "commitment_root", "parse_update", "parse_released", "recover_update_signer", "sign_update", "Cosigner"]

#: Most chunks one update may list as released (a JSON body stays well under the request limit).
MAX_RELEASED = 1 << 16

#: The furthest ahead of the current epoch an update's deadline may be for the Provider to sign it.
MAX_COSIGN_TTL = 32

_UPDATE_INTS = ("nonce", "seq", "size", "price", "start_epoch", "end_epoch", "blob_count", "deadline")


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


def parse_released(value: Any, agreement: Agreement) -> frozenset[int]:
    """The ``released`` list of a cosign body: first blobs of whole chunks inside the order."""
    if value is None:
        return frozenset()
    if not isinstance(value, list) or len(value) > MAX_RELEASED:
        raise ValueError(f"released must be a list of at most {MAX_RELEASED} first blobs")
    out = set()
    for first in value:
        if not isinstance(first, int) or isinstance(first, bool) or first < 0:
            raise ValueError("released must list non-negative integers (first blobs)")
        if first % agreement.chunk_blobs or first + agreement.chunk_blobs > agreement.blob_count:
            raise ValueError(
                f"released blob {first} does not start a chunk of {agreement.chunk_blobs} blobs"
                f" inside the order's {agreement.blob_count}"
            )
        out.add(first)
    return frozenset(out)


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


class Cosigned(NamedTuple):
    """A checked and co-signed update: what the Provider records before answering."""

    update: Any
    user_signature: bytes
    provider_signature: bytes
    #: The chunks the update releases: first blob -> blobs.
    released: dict[int, int]


class Cosigner:
    """Checks and co-signs order updates for one Provider."""

    def __init__(
        self,
        private_key: bytes | str,
        provider: str,
        store: ChunkStore,
        agreements: AgreementBook,
        chain_id: int,
        market: str,
    ) -> None:
        self._key = private_key
        self.provider = provider
        self.store = store
        self.agreements = agreements
        self.chain_id = chain_id
        self.market = market

    def cosign(self, agreement: Agreement, signer: str, body: Any, current_epoch: int | None = None) -> Cosigned:
        """Check a cosign request (see the module docstring) and sign it."""
        if signer != agreement.user:
            raise NotPermitted(f"{signer} is not the User of order 0x{agreement.order_id.hex()}")
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        update = parse_update(body.get("update"))
        user_signature = _hex_bytes("user_signature", body.get("user_signature"), 65)
        released = parse_released(body.get("released"), agreement)
        if current_epoch is not None and not current_epoch <= update.deadline <= current_epoch + MAX_COSIGN_TTL:
            raise ValueError(
                f"update.deadline {update.deadline} must be within epochs {current_epoch}..{current_epoch + MAX_COSIGN_TTL}"
            )
        if order_id(update.user, update.provider, update.nonce) != agreement.order_id:
            raise ValueError("the update's (user, provider, nonce) is not this order")
        earlier = self.agreements.released(agreement.order_id)
        kept = sorted(set(earlier) - released)
        if kept:
            raise AgreementConflict(
                f"blob {kept[0]} was released by update {earlier[kept[0]].seq}: it stays released in every later update"
            )
        live_blobs = agreement.blob_count - len(released) * agreement.chunk_blobs
        expected = {
            "user": agreement.user,
            "provider": self.provider,
            "nonce": agreement.nonce,
            "price": agreement.price,
            "start_epoch": agreement.start_epoch,
            "end_epoch": agreement.end_epoch,
            "blob_count": agreement.blob_count,
            "size": live_blobs * PAYLOAD_BYTES_PER_BLOB,
        }
        for name, value in expected.items():
            if getattr(update, name) != value:
                raise ValueError(f"update.{name} is {getattr(update, name)}, the agreement says {value}")
        commitments = with_released(stored_commitments(self.store, agreement), released, agreement.chunk_blobs)
        missing = sum(c is None for c in commitments)
        if missing:
            raise AgreementConflict(f"{missing} of the order's {agreement.blob_count} blobs are not stored yet")
        root = commitment_root(commitments)  # type: ignore[arg-type]
        if update.root != root:
            raise ValueError(f"update.root 0x{update.root.hex()} is not the root of the stored commitments 0x{root.hex()}")
        if recover_update_signer(update, user_signature, self.chain_id, self.market) != agreement.user:
            raise InvalidSignature("user_signature is not the User's signature over this update")
        provider_signature = sign_update(update, self._key, self.chain_id, self.market)
        return Cosigned(update, user_signature, provider_signature, {f: agreement.chunk_blobs for f in released})
