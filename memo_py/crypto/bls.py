"""BLS signatures for Keeper attestations (blspy, proof-of-possession scheme).

Public keys are G1 points (48 B compressed), signatures are G2 points (96 B
compressed), secret keys are 32-byte big-endian scalars. The ciphersuite is
``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`` (``PopSchemeMPL``): Keepers
prove possession of their key at registration, which makes the cheap
same-message aggregate check (:func:`fast_aggregate_verify`) safe against
rogue keys.

The ``*_eip2537`` helpers give the uncompressed encodings that the EIP-2537
precompiles take, so that a contract can check the same signatures:

- G1: ``x || y``, each coordinate 64 bytes (16 zero bytes, then 48 big-endian);
- G2: ``x.c0 || x.c1 || y.c0 || y.c1``, each 64 bytes. Note that the
  compressed (zcash) form lists ``c1`` before ``c0``; EIP-2537 lists ``c0`` first.

Every function takes and returns ``bytes``. Malformed points raise
:class:`~memo_py.errors.InvalidPoint`; a signature that does not verify makes
``verify*`` return ``False`` (the ``*_or_raise`` variants raise
:class:`~memo_py.errors.InvalidSignature`).
"""

from __future__ import annotations

from collections.abc import Sequence

import py_arkworks_bls12381 as ark
from blspy import G1Element, G2Element, PopSchemeMPL, PrivateKey
from eth_utils import keccak, to_canonical_address

from memo_py.errors import InvalidLength, InvalidPoint, InvalidSignature

__all__ = [
    "SIG_DST",
    "POP_DST",
    "SECRET_KEY_BYTES",
    "PUBLIC_KEY_BYTES",
    "SIGNATURE_BYTES",
    "EIP2537_G1_BYTES",
    "EIP2537_G2_BYTES",
    "key_from_seed",
    "public_key",
    "sign",
    "aggregate",
    "aggregate_public_keys",
    "verify",
    "verify_or_raise",
    "fast_aggregate_verify",
    "fast_aggregate_verify_or_raise",
    "aggregate_verify",
    "pop_prove",
    "pop_verify",
    "pop_verify_or_raise",
    "KEEPER_REGISTRATION_TAG",
    "keeper_registration_message",
    "sign_keeper_registration",
    "g1_to_eip2537",
    "g2_to_eip2537",
    "hash_to_g2",
    "hash_to_g2_eip2537",
]

SIG_DST = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
"""Domain separation tag of message signatures (hash-to-G2)."""

POP_DST = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
"""Domain separation tag of proofs of possession (hash-to-G2 of the public key)."""

SECRET_KEY_BYTES = 32
PUBLIC_KEY_BYTES = 48
SIGNATURE_BYTES = 96
EIP2537_G1_BYTES = 128
EIP2537_G2_BYTES = 256

_FP_BYTES = 48
_FP_PAD = bytes(64 - _FP_BYTES)
_MIN_SEED_BYTES = 32


# ----------------------------------------------------------------------------- parsing


def _check_bytes(name: str, value: bytes, size: int) -> bytes:
    if not isinstance(value, (bytes, bytearray, memoryview)):
        raise TypeError(f"{name} must be bytes, not {type(value).__name__}")
    value = bytes(value)
    if len(value) != size:
        raise InvalidLength(f"{name} must be {size} bytes, got {len(value)}")
    return value


def _secret_key(sk: bytes) -> PrivateKey:
    sk = _check_bytes("secret key", sk, SECRET_KEY_BYTES)
    try:
        key = PrivateKey.from_bytes(sk)
    except ValueError as exc:
        raise InvalidLength(f"secret key is not a scalar below the group order: {exc}") from None
    if sk == bytes(SECRET_KEY_BYTES):
        raise InvalidLength("secret key must not be zero")
    return key


def _public_key(pk: bytes) -> G1Element:
    """Decode and validate a public key (on curve, in the subgroup, not infinity)."""
    pk = _check_bytes("public key", pk, PUBLIC_KEY_BYTES)
    try:
        point = G1Element.from_bytes(pk)
    except (ValueError, RuntimeError) as exc:
        raise InvalidPoint(f"public key is not a valid G1 point: {exc}") from None
    if point == G1Element():
        raise InvalidPoint("public key is the point at infinity")
    return point


def _signature(sig: bytes) -> G2Element:
    """Decode and validate a signature (on curve, in the subgroup)."""
    sig = _check_bytes("signature", sig, SIGNATURE_BYTES)
    try:
        return G2Element.from_bytes(sig)
    except (ValueError, RuntimeError) as exc:
        raise InvalidPoint(f"signature is not a valid G2 point: {exc}") from None


def _message(msg: bytes) -> bytes:
    if not isinstance(msg, (bytes, bytearray, memoryview)):
        raise TypeError(f"message must be bytes, not {type(msg).__name__}")
    return bytes(msg)


# ----------------------------------------------------------------------------- keys and signatures


def key_from_seed(seed: bytes) -> bytes:
    """Derive a secret key (32 B) from a seed of at least 32 bytes (EIP-2333 KeyGen)."""
    if not isinstance(seed, (bytes, bytearray, memoryview)):
        raise TypeError(f"seed must be bytes, not {type(seed).__name__}")
    if len(seed) < _MIN_SEED_BYTES:
        raise InvalidLength(f"seed must be at least {_MIN_SEED_BYTES} bytes, got {len(seed)}")
    return bytes(PopSchemeMPL.key_gen(bytes(seed)))


def public_key(sk: bytes) -> bytes:
    """The 48-byte compressed G1 public key of a secret key."""
    return bytes(_secret_key(sk).get_g1())


def sign(sk: bytes, msg: bytes) -> bytes:
    """Sign ``msg``; returns the 96-byte compressed G2 signature ``sk * H(msg)``."""
    return bytes(PopSchemeMPL.sign(_secret_key(sk), _message(msg)))


def aggregate(signatures: Sequence[bytes]) -> bytes:
    """Aggregate signatures (point addition in G2). At least one is required."""
    if len(signatures) == 0:
        raise InvalidLength("cannot aggregate zero signatures")
    return bytes(PopSchemeMPL.aggregate([_signature(s) for s in signatures]))


def aggregate_public_keys(public_keys: Sequence[bytes]) -> bytes:
    """Aggregate public keys (point addition in G1), as the contract does from a signer bitmap."""
    if len(public_keys) == 0:
        raise InvalidLength("cannot aggregate zero public keys")
    total = G1Element()
    for pk in public_keys:
        total = total + _public_key(pk)
    return bytes(total)


def verify(pk: bytes, msg: bytes, sig: bytes) -> bool:
    """Check one signature. Malformed points raise InvalidPoint; a wrong signature returns False."""
    return bool(PopSchemeMPL.verify(_public_key(pk), _message(msg), _signature(sig)))


def verify_or_raise(pk: bytes, msg: bytes, sig: bytes) -> None:
    """Like :func:`verify`, but raise InvalidSignature instead of returning False."""
    if not verify(pk, msg, sig):
        raise InvalidSignature("BLS signature does not verify")


def fast_aggregate_verify(public_keys: Sequence[bytes], msg: bytes, sig: bytes) -> bool:
    """Check an aggregate signature of one message by several keys (keys must have a checked PoP)."""
    if len(public_keys) == 0:
        return False
    pks = [_public_key(pk) for pk in public_keys]
    return bool(PopSchemeMPL.fast_aggregate_verify(pks, _message(msg), _signature(sig)))


def fast_aggregate_verify_or_raise(public_keys: Sequence[bytes], msg: bytes, sig: bytes) -> None:
    """Like :func:`fast_aggregate_verify`, but raise InvalidSignature instead of returning False."""
    if not fast_aggregate_verify(public_keys, msg, sig):
        raise InvalidSignature("aggregate BLS signature does not verify")


def aggregate_verify(public_keys: Sequence[bytes], messages: Sequence[bytes], sig: bytes) -> bool:
    """Check an aggregate signature of distinct messages, one per key."""
    if len(public_keys) != len(messages):
        raise InvalidLength(f"{len(public_keys)} public keys but {len(messages)} messages")
    if len(public_keys) == 0:
        return False
    pks = [_public_key(pk) for pk in public_keys]
    msgs = [_message(m) for m in messages]
    return bool(PopSchemeMPL.aggregate_verify(pks, msgs, _signature(sig)))


def pop_prove(sk: bytes) -> bytes:
    """Proof of possession of ``sk``: a signature of the public key under POP_DST (96 B)."""
    return bytes(PopSchemeMPL.pop_prove(_secret_key(sk)))


def pop_verify(pk: bytes, proof: bytes) -> bool:
    """Check a proof of possession. Malformed points raise InvalidPoint; a wrong proof returns False."""
    return bool(PopSchemeMPL.pop_verify(_public_key(pk), _signature(proof)))


def pop_verify_or_raise(pk: bytes, proof: bytes) -> None:
    """Like :func:`pop_verify`, but raise InvalidSignature instead of returning False."""
    if not pop_verify(pk, proof):
        raise InvalidSignature("proof of possession does not verify")


# ----------------------------------------------------------------------------- keeper registration

KEEPER_REGISTRATION_TAG = keccak(b"MEMO Registry.register_keeper")
"""First word of a Keeper's registration message (``Registry.REGISTRATION_TAG``)."""


def keeper_registration_message(chain_id: int, registry: str | bytes, keeper: str | bytes) -> bytes:
    """The message a Keeper's key signs to register ``keeper`` at ``registry`` on ``chain_id``.

    ``abi_encode(bytes32 tag, uint256 chain_id, address registry, address keeper)``, 128 bytes,
    as ``Registry.registration_message(keeper)`` builds it. Binding the Keeper's address
    means nobody else can register the key first; binding chain and Registry means the
    signature is good for one deployment only.
    """
    if isinstance(chain_id, bool) or not isinstance(chain_id, int) or not 0 <= chain_id < 2**256:
        raise TypeError(f"chain_id must be a uint256 int, not {chain_id!r}")
    words = [chain_id.to_bytes(32, "big")]
    words += [bytes(12) + to_canonical_address(a) for a in (registry, keeper)]
    return KEEPER_REGISTRATION_TAG + b"".join(words)


def sign_keeper_registration(sk: bytes, chain_id: int, registry: str | bytes, keeper: str | bytes) -> bytes:
    """Sign :func:`keeper_registration_message` with SIG_DST (96 B compressed G2; the
    Registry takes it in the EIP-2537 encoding, :func:`g2_to_eip2537`)."""
    return sign(sk, keeper_registration_message(chain_id, registry, keeper))


# ----------------------------------------------------------------------------- EIP-2537 encodings


def _pad_coordinates(xy: bytes) -> bytes:
    """Left-pad each 48-byte big-endian coordinate to 64 bytes."""
    return b"".join(_FP_PAD + xy[i : i + _FP_BYTES] for i in range(0, len(xy), _FP_BYTES))


def g1_to_eip2537(pk: bytes) -> bytes:
    """Compressed G1 point (48 B) to the EIP-2537 encoding (128 B: x || y).

    The point at infinity is accepted and encodes as 128 zero bytes, as in EIP-2537.
    """
    pk = _check_bytes("G1 point", pk, PUBLIC_KEY_BYTES)
    try:
        point = ark.G1Point.from_compressed_bytes(pk)
    except ValueError as exc:
        raise InvalidPoint(f"not a valid G1 point: {exc}") from None
    return _pad_coordinates(point.to_xy_bytes_be())


def g2_to_eip2537(sig: bytes) -> bytes:
    """Compressed G2 point (96 B) to the EIP-2537 encoding (256 B: x.c0 || x.c1 || y.c0 || y.c1)."""
    sig = _check_bytes("G2 point", sig, SIGNATURE_BYTES)
    try:
        point = ark.G2Point.from_compressed_bytes(sig)
    except ValueError as exc:
        raise InvalidPoint(f"not a valid G2 point: {exc}") from None
    return _pad_coordinates(point.to_xy_bytes_be())


def hash_to_g2(msg: bytes, dst: bytes = SIG_DST) -> bytes:
    """RFC 9380 hash-to-G2 (BLS12381G2_XMD:SHA-256_SSWU_RO_), compressed (96 B).

    With the default ``dst`` this is the point ``H(msg)`` that :func:`sign` multiplies by the key.
    """
    return ark.G2Point.hash_to_curve(_message(msg), _message(dst)).to_compressed_bytes()


def hash_to_g2_eip2537(msg: bytes, dst: bytes = SIG_DST) -> bytes:
    """RFC 9380 hash-to-G2 of ``msg`` in the EIP-2537 encoding (256 B).

    A contract that recomputes the hash (SHA-256 expand_message_xmd, MAP_FP2_TO_G2,
    G2ADD) must land on exactly these bytes.
    """
    return _pad_coordinates(ark.G2Point.hash_to_curve(_message(msg), _message(dst)).to_xy_bytes_be())
