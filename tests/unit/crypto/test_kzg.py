"""memo_py.crypto.kzg: commitments, the aggregated proof, its verification and the batch check."""

from __future__ import annotations

import ckzg
import py_arkworks_bls12381 as ark
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from memo_py import native
from memo_py.crypto import fr, kzg
from memo_py.crypto.setup import trusted_setup
from memo_py.errors import InvalidLength, InvalidPoint, InvalidProof, NonCanonicalElement

R = kzg.BLS_MODULUS
COEFFS = [3, R - 1, 2**200 + 17, 1]
Z = 0x1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF1234567890ABCDEF % R
GENERATOR = ark.G1Point().to_compressed_bytes()


@pytest.fixture(scope="module")
def opening(blobs):
    return kzg.prove(blobs, COEFFS, Z)


# ----------------------------------------------------------------------------- commit


def test_commit_matches_ckzg(blobs, commitments) -> None:
    assert len(commitments[0]) == kzg.BYTES_PER_COMMITMENT
    assert commitments[0] == bytes(ckzg.blob_to_kzg_commitment(blobs[0], trusted_setup()))
    assert len(set(commitments)) == len(commitments)


def test_commit_of_zero_blob_is_infinity() -> None:
    assert kzg.commit(bytes(kzg.BYTES_PER_BLOB)) == b"\xc0" + bytes(47)


def test_commit_rejects_bad_blobs(blobs) -> None:
    with pytest.raises(InvalidLength):
        kzg.commit(blobs[0][:-1])
    with pytest.raises(InvalidLength):
        kzg.commit(blobs[0] + b"\x00")
    with pytest.raises(TypeError):
        kzg.commit("blob")
    bad = bytearray(blobs[0])
    bad[32 * 5 : 32 * 6] = b"\xff" * 32
    with pytest.raises(NonCanonicalElement, match="element 5"):
        kzg.commit(bytes(bad))


def test_commit_many_matches_commit_in_processes(blobs, commitments) -> None:
    assert kzg.commit_many(blobs, workers=2) == commitments
    assert kzg.commit_many(b"".join(blobs), workers=1) == commitments
    with pytest.raises(InvalidLength):
        kzg.commit_many(b"".join(blobs)[:-1])


# ----------------------------------------------------------------------------- fold and prove


def test_fold_matches_reference(blobs) -> None:
    assert kzg.fold(blobs, COEFFS) == fr.fold(blobs, COEFFS)
    assert kzg.fold(b"".join(blobs), COEFFS) == fr.fold(blobs, COEFFS)


def test_fold_rejects_bad_arguments(blobs) -> None:
    with pytest.raises(InvalidLength):
        kzg.fold(blobs, COEFFS[:-1])
    with pytest.raises(InvalidLength):
        kzg.fold([], [])
    with pytest.raises(NonCanonicalElement):
        kzg.fold(blobs, [R] + COEFFS[1:])


def test_prove_equals_separate_openings_combined(blobs, opening) -> None:
    """Linearity: y = sum rho_i y_i and proof = sum rho_i proof_i (the same quotient polynomial)."""
    singles = [kzg.open_blob(b, Z) for b in blobs]
    assert opening.y == sum(c * s.y for c, s in zip(COEFFS, singles)) % R
    assert opening.proof == kzg.combine([s.proof for s in singles], COEFFS)
    assert opening.y == native.evaluate_blob(kzg.fold(blobs, COEFFS), Z)
    assert len(opening.proof) == kzg.BYTES_PER_PROOF
    assert opening.y_bytes == opening.y.to_bytes(32, "big")


def test_prove_at_a_domain_point_gives_the_folded_element(blobs) -> None:
    omega = native.roots_of_unity()[9]
    opening = kzg.prove(blobs, COEFFS, omega)
    folded = kzg.fold(blobs, COEFFS)
    assert opening.y == int.from_bytes(folded[9 * 32 : 10 * 32], "big")


def test_prove_rejects_bad_z(blobs) -> None:
    with pytest.raises(NonCanonicalElement):
        kzg.prove(blobs, COEFFS, R)
    with pytest.raises(InvalidLength):
        kzg.prove(blobs, COEFFS, b"\x00" * 31)


# ----------------------------------------------------------------------------- verify


def test_verify_accepts_the_proof(commitments, opening) -> None:
    assert kzg.verify(commitments, COEFFS, Z, opening.y, opening.proof)
    assert kzg.verify(commitments, COEFFS, Z.to_bytes(32, "big"), opening.y_bytes, opening.proof)
    kzg.verify_or_raise(commitments, COEFFS, Z, *opening)


def test_verify_with_cached_commitments(commitments, opening) -> None:
    cache = kzg.Commitments(commitments + [GENERATOR])
    sample = cache.subset([0, 1, 2, 3])
    assert list(sample) == commitments
    assert kzg.verify(sample, COEFFS, Z, *opening)
    assert kzg.verify(cache[:4], COEFFS, Z, *opening)
    assert not kzg.verify(cache.subset([1, 0, 2, 3]), COEFFS, Z, *opening)
    with pytest.raises(InvalidLength):
        cache.subset([5])


def test_verify_rejects_wrong_y_z_coefficients_and_proof(blobs, commitments, opening) -> None:
    y, proof = opening
    assert not kzg.verify(commitments, COEFFS, Z, (y + 1) % R, proof)
    assert not kzg.verify(commitments, COEFFS, (Z + 1) % R, y, proof)
    assert not kzg.verify(commitments, [COEFFS[0] + 1] + COEFFS[1:], Z, y, proof)
    assert not kzg.verify(commitments, COEFFS, Z, y, GENERATOR)
    assert not kzg.verify(commitments[::-1], COEFFS, Z, y, proof)
    with pytest.raises(InvalidProof):
        kzg.verify_or_raise(commitments, COEFFS, Z, (y + 1) % R, proof)


def test_verify_rejects_a_proof_over_a_substituted_blob(blobs, commitments, other_blob) -> None:
    """A Provider that lost blob 2 and folds another blob in its place fails."""
    forged = kzg.prove(blobs[:2] + [other_blob] + blobs[3:], COEFFS, Z)
    assert not kzg.verify(commitments, COEFFS, Z, *forged)


def test_verify_rejects_invalid_points(commitments, opening) -> None:
    y, proof = opening
    with pytest.raises(InvalidPoint):
        kzg.verify(commitments, COEFFS, Z, y, b"\x00" * 48)
    with pytest.raises(InvalidPoint):
        kzg.verify(commitments, COEFFS, Z, y, b"\x80" + b"\xff" * 47)  # x >= p
    with pytest.raises(InvalidPoint):
        kzg.verify([b"\x00" * 48] + commitments[1:], COEFFS, Z, y, proof)
    with pytest.raises(InvalidPoint):
        kzg.Commitments([b"\xa0" + bytes(47)])  # x = 0 is not on the curve


def test_verify_rejects_wrong_lengths_and_ranges(commitments, opening) -> None:
    y, proof = opening
    with pytest.raises(InvalidLength):
        kzg.verify(commitments, COEFFS[:-1], Z, y, proof)
    with pytest.raises(InvalidLength):
        kzg.verify(commitments, COEFFS, Z, y, proof[:-1])
    with pytest.raises(InvalidLength):
        kzg.verify([c[:-1] for c in commitments], COEFFS, Z, y, proof)
    with pytest.raises(InvalidLength):
        kzg.verify([], [], Z, y, proof)
    with pytest.raises(NonCanonicalElement):
        kzg.verify(commitments, COEFFS, Z, R, proof)
    with pytest.raises(NonCanonicalElement):
        kzg.verify(commitments, COEFFS, Z, -1, proof)
    with pytest.raises(NonCanonicalElement):
        kzg.verify(commitments, [R] + COEFFS[1:], Z, y, proof)


def test_verify_opening_single(blobs, commitments) -> None:
    single = kzg.open_blob(blobs[1], Z)
    assert kzg.verify_opening(commitments[1], Z, single.y, single.proof)
    assert not kzg.verify_opening(commitments[0], Z, single.y, single.proof)
    with pytest.raises(InvalidPoint):
        kzg.verify_opening(b"\x00" * 48, Z, single.y, single.proof)


@settings(max_examples=4)
@given(st.lists(st.integers(0, R - 1), min_size=2, max_size=2), st.integers(0, R - 1))
def test_prove_verify_round_trip_random(blobs, commitments, coeffs, z) -> None:
    opening = kzg.prove(blobs[:2], coeffs, z)
    assert kzg.verify(commitments[:2], coeffs, z, *opening)
    assert not kzg.verify(commitments[:2], coeffs, z, (opening.y + 1) % R, opening.proof)


# ----------------------------------------------------------------------------- batch check


def test_batch_check_accepts_correct_commitments(blobs, commitments) -> None:
    assert kzg.batch_check(blobs, commitments)
    assert kzg.batch_check(b"".join(blobs), kzg.Commitments(commitments))
    kzg.batch_check_or_raise(blobs, commitments)


def test_batch_check_catches_one_wrong_commitment(blobs, commitments, other_blob) -> None:
    wrong = list(commitments)
    wrong[2] = kzg.commit(other_blob)
    assert not kzg.batch_check(blobs, wrong)
    assert not kzg.batch_check(blobs, commitments[::-1])
    with pytest.raises(InvalidProof):
        kzg.batch_check_or_raise(blobs, wrong)


def test_batch_check_catches_wrong_commitments_that_cancel(blobs, commitments) -> None:
    """C_0 + D and C_1 - D: the plain sum is right, random coefficients still catch it."""
    d = ark.G1Point()
    c0 = (ark.G1Point.from_compressed_bytes(commitments[0]) + d).to_compressed_bytes()
    c1 = (ark.G1Point.from_compressed_bytes(commitments[1]) - d).to_compressed_bytes()
    assert kzg.combine([c0, c1], [1, 1]) == kzg.combine(commitments[:2], [1, 1])
    assert not kzg.batch_check(blobs[:2], [c0, c1])


def test_batch_check_rejects_bad_arguments(blobs, commitments) -> None:
    with pytest.raises(InvalidLength):
        kzg.batch_check(blobs, commitments[:-1])
    with pytest.raises(InvalidPoint):
        kzg.batch_check(blobs, [b"\x00" * 48] + commitments[1:])
    with pytest.raises(InvalidLength):
        kzg.batch_check([b[:-1] for b in blobs], commitments)


def test_random_coefficients_are_nonzero_and_in_range() -> None:
    values = kzg.random_coefficients(100)
    assert all(0 < v < R for v in values)
    assert len(set(values)) == 100
