"""bls.g1_add, bls.g1_sub and bls.g1_neg against arkworks."""

import ape
from py_arkworks_bls12381 import G1Point

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB


def _xy(point: G1Point) -> bytes:
    raw = point.to_xy_bytes_be()
    return bytes(16) + raw[:48] + bytes(16) + raw[48:]


def _point(xy: bytes) -> G1Point:
    return G1Point.from_xy_bytes_be(bytes(xy[16:64]) + bytes(xy[80:128]))


def test_g1_add_matches_arkworks(bls, keepers):
    a, b = keepers[0], keepers[1]
    expected = G1Point.from_compressed_bytes(a.pk) + G1Point.from_compressed_bytes(b.pk)
    assert bytes(bls.g1_add(a.pk_xy, b.pk_xy)) == _xy(expected)


def test_g1_add_infinity_is_neutral(bls, keeper):
    assert bytes(bls.g1_add(bytes(128), keeper.pk_xy)) == keeper.pk_xy
    assert bytes(bls.g1_add(bls.g1_infinity(), keeper.pk_xy)) == keeper.pk_xy
    # An empty byte string reads as infinity too (an unset aggregate key).
    assert bytes(bls.g1_add(b"", keeper.pk_xy)) == keeper.pk_xy
    assert bytes(bls.g1_add(keeper.pk_xy, b"")) == keeper.pk_xy


def test_g1_add_rejects_point_off_curve(bls, keeper):
    bad = keeper.pk_xy[:-1] + bytes([keeper.pk_xy[-1] ^ 1])
    with ape.reverts("bls: invalid point"):
        bls.g1_add(keeper.pk_xy, bad)


def test_g1_add_rejects_short_point(bls, keeper):
    with ape.reverts("bls: invalid point"):
        bls.g1_add(keeper.pk_xy, keeper.pk_xy[:127])


def test_g1_neg_matches_arkworks(bls, keepers):
    for k in keepers:
        assert bytes(bls.g1_neg(k.pk_xy)) == _xy(-G1Point.from_compressed_bytes(k.pk))


def test_g1_neg_borrows_across_limbs(bls):
    # y with low limb above p's low limb: p - y must borrow from the high limb.
    y = (1 << 256) - 1  # high limb 0, low limb all ones > P_LO
    xy = bytes(64) + y.to_bytes(64, "big")
    assert int.from_bytes(bytes(bls.g1_neg(xy))[64:], "big") == P - y


def test_g1_neg_of_infinity_is_infinity(bls):
    assert bytes(bls.g1_neg(bytes(128))) == bytes(128)
    assert bytes(bls.g1_neg(b"")) == b""


def test_g1_neg_rejects_unreduced_y(bls, keeper):
    for y in (P, P + 1, (1 << 384) - 1):
        with ape.reverts("bls: invalid point"):
            bls.g1_neg(keeper.pk_xy[:64] + y.to_bytes(64, "big"))


def test_g1_neg_rejects_short_point(bls, keeper):
    with ape.reverts("bls: invalid point"):
        bls.g1_neg(keeper.pk_xy[:100])


def test_g1_sub_inverts_g1_add(bls, keepers):
    a, b = keepers[0].pk_xy, keepers[1].pk_xy
    total = bytes(bls.g1_add(a, b))
    assert bytes(bls.g1_sub(total, b)) == a
    assert bytes(bls.g1_sub(a, a)) == bytes(128)
    assert _point(bytes(bls.g1_sub(total, a))) == G1Point.from_compressed_bytes(keepers[1].pk)


def test_g1_sub_rejects_point_off_curve(bls, keeper):
    bad = keeper.pk_xy[:-1] + bytes([keeper.pk_xy[-1] ^ 1])
    with ape.reverts("bls: invalid point"):
        bls.g1_sub(keeper.pk_xy, bad)
