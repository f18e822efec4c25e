# pragma version ~=0.4.3
"""
@title BLS12-381 signatures over EIP-2537
@license MIT
@notice Library module: RFC 9380 hash-to-G2 (suite BLS12381G2_XMD:SHA-256_SSWU_RO_),
        BLS signature verification with public keys in G1 and signatures in G2
        (blspy's PopSchemeMPL layout), and the G1 helpers the keeper set needs.
        It has no storage and only internal functions, so an importing contract
        needs neither `initializes` nor `uses`:

            import modules.bls as bls          # from a contract in contracts/
            from .modules import bls           # the same, relative
            from ..modules import bls          # from contracts/test/

            assert bls.verify(pubkey_xy, message, sig, DST), "epochs: bad signature"

        Functions meant for importers carry no leading underscore (the names the
        contracts plan fixed); helpers private to this module start with `_`.
@dev Encodings are those of EIP-2537: an Fp element is 64 bytes (16 zero bytes,
     then the 48-byte big-endian value), a G1 point is x || y (128 bytes), a G2
     point is x.c0 || x.c1 || y.c0 || y.c1 (256 bytes); the point at infinity is
     all zeros. Every curve operation runs in a precompile (MODEXP 0x05, G1ADD
     0x0b, G2ADD 0x0d, PAIRING_CHECK 0x0f, MAP_FP2_TO_G2 0x11, Prague addresses),
     so the trust model is the chain's own: this module adds only encoding, the
     hash-to-field arithmetic of RFC 9380 and the final pairing equation.
     `verify` returns False for any invalid input (wrong length, a point not on
     the curve or not in its subgroup, the infinity public key). A precompile
     that fails consumes the gas forwarded to it, so a transaction carrying a
     malformed signature pays for it; no gas cap is set, so a future repricing
     of the precompiles cannot lock the callers out (on anvil, a 1,000,000-gas
     transaction with an off-curve signature used 986,160 gas). Public keys must
     come with a proof of possession (checked by the Registry) for aggregation
     to be safe.
     Gas (anvil, Prague, 128-byte message): hash_to_g2 57,371; verify 161,371,
     of which 154,524 are precompiles.
     Note for importers: ape does not recompile a contract when only an
     imported module changed; run `ape compile --force` after editing this file.
"""

# Precompiles (EIP-198 and EIP-2537, Prague).
MODEXP: constant(address) = 0x0000000000000000000000000000000000000005
G1ADD: constant(address) = 0x000000000000000000000000000000000000000b
G2ADD: constant(address) = 0x000000000000000000000000000000000000000d
PAIRING_CHECK: constant(address) = 0x000000000000000000000000000000000000000F
MAP_FP2_TO_G2: constant(address) = 0x0000000000000000000000000000000000000011

# Bounds of the byte strings this module hashes. RFC 9380 allows a DST of up to
# 255 bytes; messages are bounded so that the RFC's 517-byte test vectors fit.
MAX_MSG_LEN: constant(uint256) = 1024
MAX_DST_LEN: constant(uint256) = 255

# p as two limbs of its 64-byte encoding: bytes 0..31 (16 zero bytes, then the top
# 16 bytes of p) and bytes 32..63.
P_HI: constant(uint256) = 34565483545414906068789196026815425751  # 0x1a0111ea397fe69a4b1ba7b6434bacd7
P_LO: constant(uint256) = 45442060874369865957053122457065728162598490762543039060009208264153100167851  # 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab
# (p - 1) / 2 in the same two limbs: y is "lexicographically larger" iff y > HALF.
HALF_P_HI: constant(uint256) = 17282741772707453034394598013407712875  # 0x0d0088f51cbff34d258dd3db21a5d66b
HALF_P_LO: constant(uint256) = 80617075055843030690312053732876818007934237714091801549733396136033114903893  # 0xb23ba5c279c2895fb39869507b587b120f55ffff58a9ffffdcff7fffffffd555

# MODEXP header words: base length 64, exponent length 1, modulus length 64.
# (bytes32 constants: concat() stores them directly, cheaper than a Bytes constant.)
WORD_64: constant(bytes32) = 0x0000000000000000000000000000000000000000000000000000000000000040
WORD_1: constant(bytes32) = 0x0000000000000000000000000000000000000000000000000000000000000001
# The 64-byte modulus (16 zero bytes, then p) as two words.
P_WORD_HI: constant(bytes32) = 0x000000000000000000000000000000001a0111ea397fe69a4b1ba7b6434bacd7
P_WORD_LO: constant(bytes32) = 0x64774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab

# -G1 generator (x, p - y), the fixed left-hand point of the second pairing, as
# four words of its EIP-2537 encoding.
NEG_G1_X_HI: constant(bytes32) = 0x0000000000000000000000000000000017f1d3a73197d7942695638c4fa9ac0f
NEG_G1_X_LO: constant(bytes32) = 0xc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb
NEG_G1_Y_HI: constant(bytes32) = 0x00000000000000000000000000000000114d1d6855d545a8aa7d76c8cf2e21f2
NEG_G1_Y_LO: constant(bytes32) = 0x67816aef1db507c96655b9d5caac42364e6f38ba0ecb751bad54dcd6b939c2ca

# The G1 point at infinity (the sum of no keys), for an empty aggregate key.
G1_INFINITY: constant(Bytes[128]) = x"0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"

# Flags of the first byte of a compressed (zcash / blspy) G1 point.
FLAG_COMPRESSED: constant(uint256) = 1 << 127
FLAG_INFINITY: constant(uint256) = 1 << 126
FLAG_SIGN: constant(uint256) = 1 << 125


@view
def verify(
    pubkey_xy: Bytes[128],
    message: Bytes[MAX_MSG_LEN],
    sig: Bytes[256],
    dst: Bytes[MAX_DST_LEN],
) -> bool:
    """
    @notice Check a BLS signature: e(pk, H(msg)) == e(G1, sig), as
            e(pk, H(msg)) * e(-G1, sig) == 1 through the pairing precompile.
    @param pubkey_xy Public key (or aggregate key), EIP-2537 G1 encoding.
    @param message The signed message.
    @param sig Signature (or aggregate signature), EIP-2537 G2 encoding.
    @param dst Domain separation tag, e.g. b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_".
    @return True iff the signature is valid; False for any malformed input,
            including the infinity public key and points outside the subgroups.
    """
    if len(pubkey_xy) != 128 or len(sig) != 256:
        return False
    # The infinity key would accept the infinity signature on any message.
    if (
        convert(extract32(pubkey_xy, 0), uint256)
        | convert(extract32(pubkey_xy, 32), uint256)
        | convert(extract32(pubkey_xy, 64), uint256)
        | convert(extract32(pubkey_xy, 96), uint256)
    ) == 0:
        return False
    success: bool = False
    response: Bytes[32] = b""
    success, response = raw_call(
        PAIRING_CHECK,
        concat(
            pubkey_xy,
            self.hash_to_g2(message, dst),
            NEG_G1_X_HI,
            NEG_G1_X_LO,
            NEG_G1_Y_HI,
            NEG_G1_Y_LO,
            sig,
        ),
        max_outsize=32,
        is_static_call=True,
        revert_on_failure=False,
    )
    return success and len(response) == 32 and convert(response, uint256) == 1


@view
def hash_to_g2(message: Bytes[MAX_MSG_LEN], dst: Bytes[MAX_DST_LEN]) -> Bytes[256]:
    """
    @notice RFC 9380 hash_to_curve for BLS12381G2_XMD:SHA-256_SSWU_RO_.
    @dev MAP_FP2_TO_G2 clears the cofactor of each mapped point; clearing is
         linear, so map(u0) + map(u1) equals clear_cofactor(Q0 + Q1) of the RFC.
    @param message The message.
    @param dst Domain separation tag (at most 255 bytes).
    @return The point, EIP-2537 G2 encoding.
    """
    u: bytes32[8] = self._expand_message_xmd(message, dst, 256)
    q0: Bytes[256] = raw_call(
        MAP_FP2_TO_G2,
        concat(self._mod_p(u[0], u[1]), self._mod_p(u[2], u[3])),
        max_outsize=256,
        is_static_call=True,
    )
    q1: Bytes[256] = raw_call(
        MAP_FP2_TO_G2,
        concat(self._mod_p(u[4], u[5]), self._mod_p(u[6], u[7])),
        max_outsize=256,
        is_static_call=True,
    )
    return raw_call(G2ADD, concat(q0, q1), max_outsize=256, is_static_call=True)


@view
def hash_to_field_fp2(message: Bytes[MAX_MSG_LEN], dst: Bytes[MAX_DST_LEN]) -> Bytes[256]:
    """
    @notice RFC 9380 hash_to_field(msg, 2) over Fp2 (L = 64, expand_message_xmd
            with SHA-256), the step before the map to the curve.
    @param message The message.
    @param dst Domain separation tag (at most 255 bytes).
    @return u0.c0 || u0.c1 || u1.c0 || u1.c1, each an EIP-2537 Fp (64 bytes).
    """
    u: bytes32[8] = self._expand_message_xmd(message, dst, 256)
    return concat(
        self._mod_p(u[0], u[1]),
        self._mod_p(u[2], u[3]),
        self._mod_p(u[4], u[5]),
        self._mod_p(u[6], u[7]),
    )


@pure
def expand_message_xmd(
    message: Bytes[MAX_MSG_LEN], dst: Bytes[MAX_DST_LEN], len_in_bytes: uint256
) -> Bytes[256]:
    """
    @notice RFC 9380 expand_message_xmd with SHA-256.
    @param message The message.
    @param dst Domain separation tag (at most 255 bytes).
    @param len_in_bytes Output length, 1..256.
    @return len_in_bytes uniform bytes.
    """
    u: bytes32[8] = self._expand_message_xmd(message, dst, len_in_bytes)
    return slice(concat(u[0], u[1], u[2], u[3], u[4], u[5], u[6], u[7]), 0, len_in_bytes)


@view
def g1_add(a: Bytes[128], b: Bytes[128]) -> Bytes[128]:
    """
    @notice a + b in G1 (G1ADD checks that both points are on the curve; it does
            not check the subgroup). An empty byte string reads as infinity.
    @param a A point, EIP-2537 G1 encoding.
    @param b A point, EIP-2537 G1 encoding.
    @return a + b, EIP-2537 G1 encoding.
    """
    if len(a) == 0:
        return b
    if len(b) == 0:
        return a
    success: bool = False
    response: Bytes[128] = b""
    success, response = raw_call(
        G1ADD, concat(a, b), max_outsize=128, is_static_call=True, revert_on_failure=False
    )
    assert success, "bls: invalid point"
    return response


@view
def g1_sub(a: Bytes[128], b: Bytes[128]) -> Bytes[128]:
    """
    @notice a - b in G1, e.g. an aggregate key minus the key of a keeper that left.
    @param a A point, EIP-2537 G1 encoding.
    @param b A point, EIP-2537 G1 encoding.
    @return a - b, EIP-2537 G1 encoding.
    """
    return self.g1_add(a, self.g1_neg(b))


@pure
def g1_neg(a: Bytes[128]) -> Bytes[128]:
    """
    @notice -a in G1: (x, p - y), with infinity mapped to itself.
    @param a A point, EIP-2537 G1 encoding (y must be a reduced field element).
    @return -a, EIP-2537 G1 encoding.
    """
    if len(a) == 0:
        return a
    assert len(a) == 128, "bls: invalid point"
    y_hi: uint256 = convert(extract32(a, 64), uint256)
    y_lo: uint256 = convert(extract32(a, 96), uint256)
    if y_hi | y_lo == 0:
        return a
    assert y_hi < P_HI or (y_hi == P_HI and y_lo < P_LO), "bls: invalid point"
    borrow: uint256 = 0
    if y_lo > P_LO:
        borrow = 1
    return concat(
        slice(a, 0, 64),
        convert(unsafe_sub(unsafe_sub(P_HI, y_hi), borrow), bytes32),
        convert(unsafe_sub(P_LO, y_lo), bytes32),
    )


@pure
def g1_matches_compressed(xy: Bytes[128], compressed: Bytes[48]) -> bool:
    """
    @notice Whether an uncompressed G1 point and a compressed one (zcash / blspy
            format: flag bits 0x80 compressed, 0x40 infinity, 0x20 sign of y)
            name the same point: same x, and the sign bit set iff y > (p - 1) / 2.
    @dev Does not check that xy is on the curve or in G1; the pairing in `verify`
         (the proof of possession) does that.
    @param xy A point, EIP-2537 G1 encoding.
    @param compressed The same point, 48-byte compressed encoding.
    @return True iff both encode the same point.
    """
    if len(xy) != 128 or len(compressed) != 48:
        return False
    c_hi: uint256 = convert(slice(compressed, 0, 16), uint256)
    c_lo: uint256 = convert(extract32(compressed, 16), uint256)
    x_hi: uint256 = convert(extract32(xy, 0), uint256)
    x_lo: uint256 = convert(extract32(xy, 32), uint256)
    y_hi: uint256 = convert(extract32(xy, 64), uint256)
    y_lo: uint256 = convert(extract32(xy, 96), uint256)
    if c_hi & FLAG_COMPRESSED == 0:
        return False
    if c_hi & FLAG_INFINITY != 0:
        # Canonical infinity is 0xc0 followed by zeros; xy must be all zeros.
        return c_hi == FLAG_COMPRESSED | FLAG_INFINITY and c_lo == 0 and (
            x_hi | x_lo | y_hi | y_lo
        ) == 0
    if c_hi & (FLAG_SIGN - 1) != x_hi or c_lo != x_lo:
        return False
    if y_hi | y_lo == 0:
        return False
    y_is_larger: bool = y_hi > HALF_P_HI or (y_hi == HALF_P_HI and y_lo > HALF_P_LO)
    return (c_hi & FLAG_SIGN != 0) == y_is_larger


@pure
def _expand_message_xmd(
    message: Bytes[MAX_MSG_LEN], dst: Bytes[MAX_DST_LEN], len_in_bytes: uint256
) -> bytes32[8]:
    """
    @dev RFC 9380 section 5.3.1 with b_in_bytes = 32, s_in_bytes = 64. Always
         computes eight blocks (hash_to_g2 needs all of them); a shorter output
         is a prefix of these (len_in_bytes is hashed into b_0). Unrolled: a loop
         with an array index costs ~150 gas more per block.
    """
    assert len_in_bytes != 0 and len_in_bytes <= 256, "bls: bad output length"
    dst_prime: Bytes[MAX_DST_LEN + 1] = concat(dst, convert(convert(len(dst), uint8), bytes1))
    # msg_prime = Z_pad || msg || I2OSP(len_in_bytes, 2) || I2OSP(0, 1) || DST_prime
    b0: bytes32 = sha256(
        concat(
            empty(bytes32),
            empty(bytes32),
            message,
            convert(convert(len_in_bytes, uint16), bytes2),
            x"00",
            dst_prime,
        )
    )
    x0: uint256 = convert(b0, uint256)
    b1: bytes32 = sha256(concat(b0, x"01", dst_prime))
    b2: bytes32 = sha256(concat(convert(x0 ^ convert(b1, uint256), bytes32), x"02", dst_prime))
    b3: bytes32 = sha256(concat(convert(x0 ^ convert(b2, uint256), bytes32), x"03", dst_prime))
    b4: bytes32 = sha256(concat(convert(x0 ^ convert(b3, uint256), bytes32), x"04", dst_prime))
    b5: bytes32 = sha256(concat(convert(x0 ^ convert(b4, uint256), bytes32), x"05", dst_prime))
    b6: bytes32 = sha256(concat(convert(x0 ^ convert(b5, uint256), bytes32), x"06", dst_prime))
    b7: bytes32 = sha256(concat(convert(x0 ^ convert(b6, uint256), bytes32), x"07", dst_prime))
    b8: bytes32 = sha256(concat(convert(x0 ^ convert(b7, uint256), bytes32), x"08", dst_prime))
    return [b1, b2, b3, b4, b5, b6, b7, b8]


@view
def _mod_p(hi: bytes32, lo: bytes32) -> Bytes[64]:
    """
    @dev (hi || lo) mod p through MODEXP (base^1 mod p), as a 64-byte EIP-2537 Fp.
    """
    return raw_call(
        MODEXP,
        concat(WORD_64, WORD_1, WORD_64, hi, lo, x"01", P_WORD_HI, P_WORD_LO),
        max_outsize=64,
        is_static_call=True,
    )
