"""AES-256-GCM encryption of object segments, with one key per object.

- **Key.** ``HKDF-SHA256(master_secret, salt=None, info=b"MEMO-OBJECT-KEY-V1" || object_id)``,
  32 bytes. The User keeps only the master secret; every object gets its own key.
- **Nonce.** 12 bytes: 4 zero bytes, then the segment index as 8 bytes big-endian. Within
  one object each segment has its own index, so a (key, nonce) pair is never reused as
  long as a segment index is encrypted once per object (re-encrypting an edited
  object must use a new object id, which gives a new key).
- **Associated data.** ``b"MEMO-SEGMENT-V1" || len(object_id) (2 B) || object_id || index (8 B)``:
  a segment cannot be moved to another index or another object without detection
  (the key already binds the object; the AD makes the binding explicit and checkable
  even under a shared key).

Tampering, a wrong key, a wrong object id or a wrong index raise
:class:`~memo_py.errors.DecryptionFailed`.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from memo_py.errors import DecryptionFailed, InvalidLength

__all__ = [
    "KEY_INFO",
    "SEGMENT_AD",
    "KEY_BYTES",
    "NONCE_BYTES",
    "TAG_BYTES",
    "MIN_MASTER_SECRET_BYTES",
    "MAX_OBJECT_ID_BYTES",
    "MAX_SEGMENT_INDEX",
    "derive_object_key",
    "segment_nonce",
    "segment_associated_data",
    "encrypt_segment",
    "decrypt_segment",
    "ObjectCipher",
]

KEY_INFO = b"MEMO-OBJECT-KEY-V1"
SEGMENT_AD = b"MEMO-SEGMENT-V1"
KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
MIN_MASTER_SECRET_BYTES = 32
MAX_OBJECT_ID_BYTES = 0xFFFF
MAX_SEGMENT_INDEX = 2**64 - 1


def _as_bytes(name: str, value: bytes) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    return bytes(value)


def _object_id(object_id: bytes) -> bytes:
    object_id = _as_bytes("object id", object_id)
    if not 1 <= len(object_id) <= MAX_OBJECT_ID_BYTES:
        raise InvalidLength(f"object id must be 1..{MAX_OBJECT_ID_BYTES} bytes, got {len(object_id)}")
    return object_id


def _segment_index(index: int) -> int:
    if not isinstance(index, int) or isinstance(index, bool):
        raise TypeError(f"segment index must be an int, not {type(index).__name__}")
    if not 0 <= index <= MAX_SEGMENT_INDEX:
        raise InvalidLength(f"segment index must be in [0, 2**64), got {index}")
    return index


def _key(key: bytes) -> bytes:
    key = _as_bytes("key", key)
    if len(key) != KEY_BYTES:
        raise InvalidLength(f"key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def derive_object_key(master_secret: bytes, object_id: bytes) -> bytes:
    """The 32-byte AES-256 key of one object, derived from the User's master secret."""
    master_secret = _as_bytes("master secret", master_secret)
    if len(master_secret) < MIN_MASTER_SECRET_BYTES:
        raise InvalidLength(
            f"master secret must be at least {MIN_MASTER_SECRET_BYTES} bytes, got {len(master_secret)}"
        )
    hkdf = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=None, info=KEY_INFO + _object_id(object_id))
    return hkdf.derive(master_secret)


def segment_nonce(index: int) -> bytes:
    """The 12-byte GCM nonce of segment ``index``: 4 zero bytes then the index, big-endian."""
    return bytes(4) + _segment_index(index).to_bytes(8, "big")


def segment_associated_data(object_id: bytes, index: int) -> bytes:
    """The associated data that binds a ciphertext to its object and segment index."""
    object_id = _object_id(object_id)
    return SEGMENT_AD + len(object_id).to_bytes(2, "big") + object_id + _segment_index(index).to_bytes(8, "big")


def encrypt_segment(key: bytes, object_id: bytes, index: int, plaintext: bytes) -> bytes:
    """Encrypt one segment; returns ciphertext || 16-byte tag."""
    plaintext = _as_bytes("plaintext", plaintext)
    return AESGCM(_key(key)).encrypt(segment_nonce(index), plaintext, segment_associated_data(object_id, index))


def decrypt_segment(key: bytes, object_id: bytes, index: int, ciphertext: bytes) -> bytes:
    """Decrypt and authenticate one segment; raises DecryptionFailed on any mismatch."""
    ciphertext = _as_bytes("ciphertext", ciphertext)
    if len(ciphertext) < TAG_BYTES:
        raise DecryptionFailed(f"ciphertext shorter than the {TAG_BYTES}-byte tag")
    try:
        return AESGCM(_key(key)).decrypt(segment_nonce(index), ciphertext, segment_associated_data(object_id, index))
    except InvalidTag:
        raise DecryptionFailed(f"segment {index} failed authentication (tampered, or wrong key or index)") from None


class ObjectCipher:
    """Encrypts and decrypts the segments of one object under its derived key."""

    __slots__ = ("_aead", "_object_id")

    def __init__(self, master_secret: bytes, object_id: bytes) -> None:
        self._object_id = _object_id(object_id)
        self._aead = AESGCM(derive_object_key(master_secret, self._object_id))

    @property
    def object_id(self) -> bytes:
        return self._object_id

    def encrypt(self, index: int, plaintext: bytes) -> bytes:
        """Encrypt segment ``index``; returns ciphertext || tag."""
        plaintext = _as_bytes("plaintext", plaintext)
        return self._aead.encrypt(segment_nonce(index), plaintext, segment_associated_data(self._object_id, index))

    def decrypt(self, index: int, ciphertext: bytes) -> bytes:
        """Decrypt segment ``index``; raises DecryptionFailed if it does not authenticate."""
        ciphertext = _as_bytes("ciphertext", ciphertext)
        if len(ciphertext) < TAG_BYTES:
            raise DecryptionFailed(f"ciphertext shorter than the {TAG_BYTES}-byte tag")
        try:
            return self._aead.decrypt(
                segment_nonce(index), ciphertext, segment_associated_data(self._object_id, index)
            )
        except InvalidTag:
            raise DecryptionFailed(
                f"segment {index} failed authentication (tampered, or wrong key or index)"
            ) from None
