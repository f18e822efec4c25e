# pragma version ~=0.4.3
"""
@title BLS module test harness
@license MIT
@notice External wrappers around modules/bls.vy for tests and gas measurement.
        Not deployed outside tests.
@dev Holds no state and no funds; every function is a view or pure wrapper, plus
     `*_gas` variants that report the gas spent inside the library call.
"""

from ..modules import bls


@external
@view
def verify(pubkey_xy: Bytes[128], message: Bytes[1024], sig: Bytes[256], dst: Bytes[255]) -> bool:
    """
    @notice bls.verify.
    @param pubkey_xy Public key, EIP-2537 G1.
    @param message Message.
    @param sig Signature, EIP-2537 G2.
    @param dst Domain separation tag.
    @return Whether the signature is valid.
    """
    return bls.verify(pubkey_xy, message, sig, dst)


@external
@view
def hash_to_g2(message: Bytes[1024], dst: Bytes[255]) -> Bytes[256]:
    """
    @notice bls.hash_to_g2.
    @param message Message.
    @param dst Domain separation tag.
    @return The point, EIP-2537 G2.
    """
    return bls.hash_to_g2(message, dst)


@external
@view
def hash_to_field_fp2(message: Bytes[1024], dst: Bytes[255]) -> Bytes[256]:
    """
    @notice bls.hash_to_field_fp2.
    @param message Message.
    @param dst Domain separation tag.
    @return u0.c0 || u0.c1 || u1.c0 || u1.c1.
    """
    return bls.hash_to_field_fp2(message, dst)


@external
@pure
def expand_message_xmd(message: Bytes[1024], dst: Bytes[255], len_in_bytes: uint256) -> Bytes[256]:
    """
    @notice bls.expand_message_xmd.
    @param message Message.
    @param dst Domain separation tag.
    @param len_in_bytes Output length.
    @return The uniform bytes.
    """
    return bls.expand_message_xmd(message, dst, len_in_bytes)


@external
@view
def g1_add(a: Bytes[128], b: Bytes[128]) -> Bytes[128]:
    """
    @notice bls.g1_add.
    @param a A point, EIP-2537 G1.
    @param b A point, EIP-2537 G1.
    @return a + b.
    """
    return bls.g1_add(a, b)


@external
@view
def g1_sub(a: Bytes[128], b: Bytes[128]) -> Bytes[128]:
    """
    @notice bls.g1_sub.
    @param a A point, EIP-2537 G1.
    @param b A point, EIP-2537 G1.
    @return a - b.
    """
    return bls.g1_sub(a, b)


@external
@pure
def g1_neg(a: Bytes[128]) -> Bytes[128]:
    """
    @notice bls.g1_neg.
    @param a A point, EIP-2537 G1.
    @return -a.
    """
    return bls.g1_neg(a)


@external
@pure
def g1_matches_compressed(xy: Bytes[128], compressed: Bytes[48]) -> bool:
    """
    @notice bls.g1_matches_compressed.
    @param xy A point, EIP-2537 G1.
    @param compressed A point, 48-byte compressed.
    @return Whether both encode the same point.
    """
    return bls.g1_matches_compressed(xy, compressed)


@external
@pure
def g1_infinity() -> Bytes[128]:
    """
    @notice bls.G1_INFINITY, to check that importers can read module constants.
    @return 128 zero bytes.
    """
    return bls.G1_INFINITY


@external
@view
def hash_to_g2_gas(message: Bytes[1024], dst: Bytes[255]) -> uint256:
    """
    @notice Gas spent inside bls.hash_to_g2.
    @param message Message.
    @param dst Domain separation tag.
    @return Gas used by the library call.
    """
    start: uint256 = msg.gas
    point: Bytes[256] = bls.hash_to_g2(message, dst)
    return start - msg.gas


@external
@view
def verify_gas(pubkey_xy: Bytes[128], message: Bytes[1024], sig: Bytes[256], dst: Bytes[255]) -> uint256:
    """
    @notice Gas spent inside bls.verify (reverts if the signature is invalid).
    @param pubkey_xy Public key, EIP-2537 G1.
    @param message Message.
    @param sig Signature, EIP-2537 G2.
    @param dst Domain separation tag.
    @return Gas used by the library call.
    """
    start: uint256 = msg.gas
    assert bls.verify(pubkey_xy, message, sig, dst), "blsharness: invalid signature"
    return start - msg.gas


@external
def verify_tx(pubkey_xy: Bytes[128], message: Bytes[1024], sig: Bytes[256], dst: Bytes[255]):
    """
    @notice bls.verify as a transaction, to measure a whole transaction's gas.
    @param pubkey_xy Public key, EIP-2537 G1.
    @param message Message.
    @param sig Signature, EIP-2537 G2.
    @param dst Domain separation tag.
    """
    assert bls.verify(pubkey_xy, message, sig, dst), "blsharness: invalid signature"
