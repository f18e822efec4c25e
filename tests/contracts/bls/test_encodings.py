"""The SDK's encodings round-trip through the chain and name the PoP scheme's DSTs."""


def test_codec_roundtrips_through_the_chain(bls, codec, keeper):
    assert bytes(bls.g1_neg(bls.g1_neg(keeper.pk_xy))) == keeper.pk_xy
    assert codec.SIG_DST == b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
    assert codec.POP_DST == b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
