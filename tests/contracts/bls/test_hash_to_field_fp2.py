"""bls.hash_to_field_fp2 against the u[0], u[1] of RFC 9380 Appendix J.10.1."""


def _fp(hex48: str) -> bytes:
    return bytes(16) + bytes.fromhex(hex48)


def test_hash_to_field_fp2_matches_rfc9380_j10_1(bls, g2_vectors):
    dst = g2_vectors["dst"].encode()
    for case in g2_vectors["vectors"]:
        (u0c0, u0c1), (u1c0, u1c1) = case["u"]
        expected = _fp(u0c0) + _fp(u0c1) + _fp(u1c0) + _fp(u1c1)
        assert bytes(bls.hash_to_field_fp2(case["msg"].encode(), dst)) == expected, case["msg"][:8]


def test_hash_to_field_fp2_depends_on_dst(bls, g2_vectors):
    case = g2_vectors["vectors"][1]
    (u0c0, _), _ = case["u"]
    other = bytes(bls.hash_to_field_fp2(case["msg"].encode(), b"QUUX-V01-CS02-with-another-DST"))
    assert other[:64] != _fp(u0c0)
