"""bls.hash_to_g2: RFC 9380 Appendix J.10.1 vectors, and agreement with arkworks/blspy."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st


def _g2(point: dict) -> bytes:
    return b"".join(bytes(16) + bytes.fromhex(c) for c in (*point["x"], *point["y"]))


def test_hash_to_g2_matches_rfc9380_j10_1(bls, g2_vectors):
    dst = g2_vectors["dst"].encode()
    assert [v["msg"][:5] for v in g2_vectors["vectors"]] == ["", "abc", "abcde", "q128_", "a512_"]
    for case in g2_vectors["vectors"]:
        assert bytes(bls.hash_to_g2(case["msg"].encode(), dst)) == _g2(case["P"]), case["msg"][:8]


def test_hash_to_g2_differs_across_dsts(bls, codec):
    sig_point = bytes(bls.hash_to_g2(b"epoch 7", codec.SIG_DST))
    pop_point = bytes(bls.hash_to_g2(b"epoch 7", codec.POP_DST))
    assert sig_point == codec.hash_to_g2_eip2537(b"epoch 7", codec.SIG_DST)
    assert sig_point != pop_point


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(message=st.binary(max_size=300), dst=st.binary(min_size=1, max_size=255))
def test_hash_to_g2_matches_arkworks(bls, codec, message, dst):
    assert bytes(bls.hash_to_g2(message, dst)) == codec.hash_to_g2_eip2537(message, dst)
