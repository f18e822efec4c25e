"""Chunk tags: how a User with only their master secret finds their index again.

Every chunk the User stores carries a 32-byte tag that the Provider keeps and
lists (``GET /orders/{id}/chunks``) without understanding it::

    block = b"MT" | kind (1) | chunk index (1) | k (1) | m (1) | segment (2) | id (8)   # 16 bytes
    tag   = AES-256(K_enc, block) || HMAC-SHA256(K_mac, AES-256(K_enc, block))[:16]

``K_enc || K_mac = HKDF-SHA256(master_secret, info="MEMO-CHUNK-TAG-V1")``. One AES
block is a pseudorandom permutation and every block is unique (a record id or an
object id, a segment and a chunk index), so tags look random to everyone else and
never repeat; the truncated HMAC makes a tag unforgeable, so only the User's own
tags are recognised (a false match has probability 2^-128). ``kind`` tells index
records (:data:`INDEX`) from object data (:data:`DATA`): data chunks are tagged
too, so a Provider cannot tell which of a User's chunks hold the index.
"""

from __future__ import annotations

import hashlib
import hmac
import struct
from dataclasses import dataclass

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["TAG_BYTES", "INDEX", "DATA", "ChunkTag", "TagKey"]

TAG_BYTES = 32
INDEX = 1
DATA = 2

_INFO = b"MEMO-CHUNK-TAG-V1"
_MAGIC = b"MT"
_BLOCK = struct.Struct(">2sBBBBHQ")


@dataclass(frozen=True)
class ChunkTag:
    """What a tag says: which record (or object), segment and chunk a chunk is, and its code."""

    kind: int
    ident: int
    segment: int
    chunk: int
    k: int
    m: int

    def __post_init__(self) -> None:
        if self.kind not in (INDEX, DATA):
            raise ValueError(f"unknown tag kind {self.kind}")
        if not 0 <= self.ident < 2**64:
            raise ValueError("a tag id is 8 bytes")
        if not 0 <= self.segment < 2**16:
            raise ValueError(f"a tagged segment index is below 65536, got {self.segment}")
        if not (0 <= self.chunk < 256 and 1 <= self.k < 256 and 0 <= self.m < 256 and self.chunk < self.k + self.m):
            raise ValueError(f"chunk {self.chunk} of a {self.k}+{self.m} stripe does not fit a tag")


class TagKey:
    """Makes and recognises the tags of one User (keys derived from the master secret)."""

    def __init__(self, master_secret: bytes) -> None:
        keys = HKDF(algorithm=hashes.SHA256(), length=64, salt=None, info=_INFO).derive(bytes(master_secret))
        self._aes = Cipher(algorithms.AES(keys[:32]), modes.ECB())
        self._mac = keys[32:]

    def make(self, tag: ChunkTag) -> bytes:
        """The 32 tag bytes of ``tag``."""
        block = _BLOCK.pack(_MAGIC, tag.kind, tag.chunk, tag.k, tag.m, tag.segment, tag.ident)
        encryptor = self._aes.encryptor()
        sealed = encryptor.update(block) + encryptor.finalize()
        return sealed + self._check(sealed)

    def read(self, raw: bytes) -> ChunkTag | None:
        """The tag's contents if it is one of this User's tags, else None (never raises on junk)."""
        if len(raw) != TAG_BYTES:
            return None
        sealed, check = raw[:16], raw[16:]
        if not hmac.compare_digest(check, self._check(sealed)):
            return None
        decryptor = self._aes.decryptor()
        block = decryptor.update(sealed) + decryptor.finalize()
        magic, kind, chunk, k, m, segment, ident = _BLOCK.unpack(block)
        if magic != _MAGIC:
            return None
        try:
            return ChunkTag(kind, ident, segment, chunk, k, m)
        except ValueError:
            return None

    def _check(self, sealed: bytes) -> bytes:
        return hmac.new(self._mac, sealed, hashlib.sha256).digest()[:16]

