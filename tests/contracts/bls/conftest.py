"""Fixtures for the BLS module tests: the harness contract, keepers' keys, encodings.

Encodings (EIP-2537 points, hash-to-G2, the PoP scheme's DSTs) come from
``memo_py.crypto.bls``, which tests/unit/crypto/test_bls.py checks against
blspy and py_ecc.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType, SimpleNamespace

import pytest
from blspy import BasicSchemeMPL, PopSchemeMPL
from py_arkworks_bls12381 import G1Point, G2Point

from memo_py.crypto import bls as memo_bls

VECTORS = Path(__file__).resolve().parents[2] / "vectors"

P = 0x1A0111EA397FE69A4B1BA7B6434BACD764774B84F38512BF6730D2A0F6B0F6241EABFFFEB153FFFFB9FEFFFFFFFFAAAB
"""The BLS12-381 base field modulus."""


def _pad(xy: bytes) -> bytes:
    """Left-pad each 48-byte coordinate to the 64-byte EIP-2537 Fp encoding."""
    return b"".join(bytes(16) + xy[i : i + 48] for i in range(0, len(xy), 48))


def fp(value: int) -> bytes:
    """An integer as an EIP-2537 Fp (64 bytes big-endian)."""
    return value.to_bytes(64, "big")


def fp_hex(hex48: str) -> bytes:
    """A 48-byte hex field element (RFC vector format) as an EIP-2537 Fp."""
    return fp(int(hex48, 16))


@pytest.fixture(scope="session")
def codec() -> ModuleType:
    """EIP-2537 conversions and the PoP scheme's DSTs."""
    return memo_bls


@pytest.fixture(scope="session")
def owner(accounts):
    return accounts[0]


@pytest.fixture(scope="session")
def bls(project, owner):
    """The BlsHarness contract: external wrappers around contracts/modules/bls.vy."""
    return owner.deploy(project.BlsHarness)


@pytest.fixture(scope="session")
def create_keeper(codec):
    """Factory: a keeper's BLS key from a seed byte, with both public key encodings."""

    def create(seed: int) -> SimpleNamespace:
        sk = PopSchemeMPL.key_gen(bytes([seed]) * 32)
        pk = bytes(sk.get_g1())
        return SimpleNamespace(
            sk=sk,
            pk=pk,
            pk_xy=codec.g1_to_eip2537(pk),
            sign=lambda msg: bytes(PopSchemeMPL.sign(sk, msg)),
            sign_basic=lambda msg: bytes(BasicSchemeMPL.sign(sk, msg)),
            pop=bytes(PopSchemeMPL.pop_prove(sk)),
        )

    return create


@pytest.fixture(scope="session")
def keepers(create_keeper):
    """Three keepers."""
    return [create_keeper(seed) for seed in (1, 2, 3)]


@pytest.fixture(scope="session")
def keeper(keepers):
    return keepers[0]


@pytest.fixture(scope="session")
def g2_vectors():
    """RFC 9380 Appendix J.10.1 (BLS12381G2_XMD:SHA-256_SSWU_RO_)."""
    return json.loads((VECTORS / "rfc9380_g2_sha256_ro.json").read_text())


@pytest.fixture(scope="session")
def xmd_vectors():
    """RFC 9380 Appendix K.1 (expand_message_xmd, SHA-256)."""
    return json.loads((VECTORS / "rfc9380_expand_xmd_sha256.json").read_text())


@pytest.fixture(scope="session")
def g1_off_subgroup() -> bytes:
    """A point on the G1 curve y^2 = x^3 + 4 that is not in the prime-order subgroup."""
    x = 5
    while True:
        rhs = (x**3 + 4) % P
        y = pow(rhs, (P + 1) // 4, P)  # p = 3 mod 4
        if y * y % P == rhs:
            xy = x.to_bytes(48, "big") + y.to_bytes(48, "big")
            if not G1Point.from_xy_bytes_unchecked_be(xy).is_in_subgroup():
                return fp(x) + fp(y)
        x += 1


@pytest.fixture(scope="session")
def g2_off_subgroup() -> bytes:
    """A point on the G2 curve that is not in the prime-order subgroup.

    The SSWU map plus isogeny of RFC 9380, before cofactor clearing, lands on E2
    but (almost always) outside G2.
    """
    from py_ecc.bls.hash_to_curve import map_to_curve_G2  # noqa: PLC0415
    from py_ecc.optimized_bls12_381 import FQ2, normalize  # noqa: PLC0415

    x, y = normalize(map_to_curve_G2(FQ2([7, 11])))
    raw = b"".join(int(c).to_bytes(48, "big") for c in (*x.coeffs, *y.coeffs))
    assert not G2Point.from_xy_bytes_unchecked_be(raw).is_in_subgroup()
    return _pad(raw)
