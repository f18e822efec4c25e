"""Small objects packed into shared stripes.

An object smaller than one segment of its bucket's layout would fill k+m whole chunks
on its own. Instead it is *sealed* (AES-256-GCM under its own object key, bound to its
object id: ``plaintext || 16-byte tag``) and its sealed bytes are laid end to end with
other sealed objects of the same layout into a *pack*: one more object, stored,
encrypted (under the pack's own key) and erasure-coded like any other. The object's
manifest says where its sealed bytes lie (:class:`~memo_py.user.manifest.PackedAt`),
so it is read alone (the one or two pack segments that hold it), and deleted alone
(an index change; the pack's chunks are released once no object lies in it).

Holes: a pack whose live objects fill less than :data:`REPACK_BELOW` of it is
*repacked* when one of its objects is deleted or replaced: its live objects go into
the next flush's pack, and the old pack's chunks are released then
(:meth:`memo_py.user.client.MemoClient.flush`).
"""

from __future__ import annotations

from dataclasses import dataclass

from memo_py.crypto.aead import TAG_BYTES, decrypt_segment, derive_object_key, encrypt_segment
from memo_py.user.manifest import Pack, PackedAt

__all__ = ["REPACK_BELOW", "sealed_size", "seal", "unseal", "PackPlan", "plan_pack", "covering_segments", "live_bytes"]

#: A pack is repacked when its live objects fill less than this fraction of it.
REPACK_BELOW = 0.5


def sealed_size(size: int) -> int:
    """Bytes a packed object of ``size`` plaintext bytes takes in its pack."""
    return size + TAG_BYTES


def seal(master_secret: bytes, object_id: bytes, plaintext: bytes) -> bytes:
    """The object's bytes as they lie in a pack: encrypted under the object's own key."""
    return encrypt_segment(derive_object_key(master_secret, object_id), object_id, 0, plaintext)


def unseal(master_secret: bytes, object_id: bytes, sealed: bytes) -> bytes:
    """The plaintext of sealed bytes (DecryptionFailed when they are not the object's)."""
    return decrypt_segment(derive_object_key(master_secret, object_id), object_id, 0, sealed)


@dataclass(frozen=True)
class PackPlan:
    """Sealed objects laid end to end: the pack's plaintext and where each one lies."""

    plaintext: bytes
    places: tuple[tuple[int, int], ...]  # (offset, length) per sealed object, in order


def plan_pack(sealed: list[bytes]) -> PackPlan:
    places, offset = [], 0
    for item in sealed:
        places.append((offset, len(item)))
        offset += len(item)
    return PackPlan(b"".join(sealed), tuple(places))


def covering_segments(at: PackedAt, segment_bytes: int) -> range:
    """Indexes of the pack segments that hold the bytes ``at`` names."""
    return range(at.offset // segment_bytes, (at.offset + at.length - 1) // segment_bytes + 1)


def live_bytes(pack: Pack, packed: list[PackedAt]) -> float:
    """The fraction of ``pack`` that the objects lying in it (``packed``) fill."""
    return sum(at.length for at in packed) / pack.size
