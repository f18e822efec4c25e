"""The test encodings agree with memo_py.crypto.bls (when it is importable) and with the chain."""

import pytest
from blspy import PopSchemeMPL


def test_codec_roundtrips_through_the_chain(bls, codec, keeper):
    assert bytes(bls.g1_neg(bls.g1_neg(keeper.pk_xy))) == keeper.pk_xy
    assert codec.SIG_DST == b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"
    assert codec.POP_DST == b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_"


def test_local_helpers_agree_with_memo_py(codec, local_codec, keeper):
    if codec.source != "memo_py.crypto.bls":
        pytest.skip("memo_py.crypto.bls is not importable here; the local helpers are in use")
    sig = bytes(PopSchemeMPL.sign(keeper.sk, b"m"))
    assert codec.g1_to_eip2537(keeper.pk) == local_codec.g1_to_eip2537(keeper.pk)
    assert codec.g2_to_eip2537(sig) == local_codec.g2_to_eip2537(sig)
    assert codec.hash_to_g2_eip2537(b"m", codec.SIG_DST) == local_codec.hash_to_g2_eip2537(b"m", codec.SIG_DST)
    assert (codec.SIG_DST, codec.POP_DST) == (local_codec.SIG_DST, local_codec.POP_DST)
