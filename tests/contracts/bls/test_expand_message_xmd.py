"""bls.expand_message_xmd against RFC 9380 Appendix K.1 (SHA-256)."""

import ape
import pytest


def test_expand_message_xmd_matches_rfc9380_k1(bls, xmd_vectors):
    dst = xmd_vectors["dst"].encode()
    assert len(xmd_vectors["tests"]) == 10
    for case in xmd_vectors["tests"]:
        out = bls.expand_message_xmd(case["msg"].encode(), dst, case["len_in_bytes"])
        assert bytes(out).hex() == case["uniform_bytes"], (case["msg"][:8], case["len_in_bytes"])


def test_expand_message_xmd_full_length_prefix_differs(bls, xmd_vectors):
    # len_in_bytes is hashed into b_0, so a shorter output is not a prefix of a longer one.
    dst = xmd_vectors["dst"].encode()
    short = bytes(bls.expand_message_xmd(b"abc", dst, 32))
    long = bytes(bls.expand_message_xmd(b"abc", dst, 256))
    assert len(long) == 256
    assert long[:32] != short


@pytest.mark.parametrize("length", [0, 257])
def test_expand_message_xmd_rejects_bad_length(bls, length):
    with ape.reverts("bls: bad output length"):
        bls.expand_message_xmd(b"abc", b"DST", length)
