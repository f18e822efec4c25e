"""bls.g1_matches_compressed: uncompressed EIP-2537 vs compressed (zcash / blspy) G1 points."""

from blspy import G1Element

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB


def _negate(xy: bytes) -> bytes:
    y = int.from_bytes(xy[64:], "big")
    return xy[:64] + (P - y).to_bytes(64, "big")


def test_g1_matches_compressed_accepts_blspy_keys(bls, keepers, create_keeper):
    more = [create_keeper(seed) for seed in range(10, 26)]
    signs = set()
    for k in keepers + more:
        assert bls.g1_matches_compressed(k.pk_xy, k.pk)
        signs.add(k.pk[0] & 0x20)
    assert signs == {0, 0x20}, "the sample should cover both signs of y"


def test_g1_matches_compressed_rejects_flipped_sign(bls, keepers):
    for k in keepers:
        flipped = bytes([k.pk[0] ^ 0x20]) + k.pk[1:]
        assert not bls.g1_matches_compressed(k.pk_xy, flipped)
        # The negated point has the other sign of y.
        assert not bls.g1_matches_compressed(_negate(k.pk_xy), k.pk)
        assert bls.g1_matches_compressed(_negate(k.pk_xy), flipped)


def test_g1_matches_compressed_rejects_wrong_x(bls, keepers):
    assert not bls.g1_matches_compressed(keepers[0].pk_xy, keepers[1].pk)
    tweaked = keepers[0].pk[:-1] + bytes([keepers[0].pk[-1] ^ 1])
    assert not bls.g1_matches_compressed(keepers[0].pk_xy, tweaked)
    # Nonzero padding in front of x is not the same point.
    padded = b"\x01" + keepers[0].pk_xy[1:]
    assert not bls.g1_matches_compressed(padded, keepers[0].pk)


def test_g1_matches_compressed_requires_compression_flag(bls, keeper):
    uncompressed_flag = bytes([keeper.pk[0] & 0x7F]) + keeper.pk[1:]
    assert not bls.g1_matches_compressed(keeper.pk_xy, uncompressed_flag)


def test_g1_matches_compressed_infinity(bls, keeper):
    infinity = bytes(G1Element())
    assert infinity[0] == 0xC0
    assert bls.g1_matches_compressed(bytes(128), infinity)
    assert not bls.g1_matches_compressed(keeper.pk_xy, infinity)
    assert not bls.g1_matches_compressed(bytes(128), keeper.pk)
    # Infinity with the sign bit or stray x bits is not canonical.
    assert not bls.g1_matches_compressed(bytes(128), b"\xe0" + bytes(47))
    assert not bls.g1_matches_compressed(bytes(128), b"\xc0" + bytes(46) + b"\x01")


def test_g1_matches_compressed_rejects_wrong_lengths(bls, keeper):
    assert not bls.g1_matches_compressed(keeper.pk_xy[:127], keeper.pk)
    assert not bls.g1_matches_compressed(keeper.pk_xy, keeper.pk[:47])
