"""memo_py.native against the pure-Python reference (hypothesis) and ckzg."""

from __future__ import annotations

import ckzg
from hypothesis import given
from hypothesis import strategies as st

from memo_py import native
from memo_py.crypto import fr

from .conftest import R, random_blob

seeds = st.integers(0, 2**64)
edge_values = st.sampled_from([0, 1, 2, R - 1, R - 2, 2**248 - 1, 2**254])
elements = st.one_of(edge_values, st.integers(0, R - 1))
edges = st.dictionaries(st.integers(0, fr.FIELD_ELEMENTS_PER_BLOB - 1), edge_values, max_size=8)


@given(data=st.binary(max_size=3 * fr.PAYLOAD_BYTES_PER_BLOB), pad=st.integers(0, 1))
def test_pack_matches_reference_and_round_trips(data, pad):
    data = data + bytes(pad * fr.PAYLOAD_BYTES_PER_BLOB)
    packed = native.pack_blobs(data)
    assert packed == fr.pack(data)
    assert len(packed) == max(1, -(-len(data) // fr.PAYLOAD_BYTES_PER_BLOB)) * native.BYTES_PER_BLOB
    assert native.unpack_blobs(packed, len(data)) == data
    assert native.unpack_blobs(packed) == fr.unpack(packed)
    native.check_blobs(packed)


@given(st.lists(st.tuples(seeds, edges, elements), min_size=0, max_size=6), st.booleans())
def test_fold_matches_reference(items, concatenated):
    blobs = [random_blob(seed, e) for seed, e, _ in items]
    coeffs = [c for _, _, c in items]
    arg = b"".join(blobs) if concatenated else blobs
    assert native.fold_blobs(arg, coeffs) == fr.fold(blobs, coeffs)


@given(seeds, edges, elements)
def test_fold_is_linear(seed, e, c):
    blob = random_blob(seed, e)
    assert native.fold_blobs([blob, blob], [c, R - c if c else 0]) == bytes(native.BYTES_PER_BLOB)
    assert native.fold_blobs([blob], [1]) == blob


@given(seeds, edges, elements)
def test_evaluate_matches_reference_and_ckzg(trusted_setup, seed, e, z):
    blob = random_blob(seed, e)
    y = native.evaluate_blob(blob, z)
    assert y == fr.evaluate(blob, z)
    _, y_ckzg = ckzg.compute_kzg_proof(blob, z.to_bytes(32, "big"), trusted_setup)
    assert y == int.from_bytes(y_ckzg, "big")


@given(seeds, st.integers(0, fr.FIELD_ELEMENTS_PER_BLOB - 1))
def test_evaluate_on_the_domain_is_the_element(seed, index):
    blob = random_blob(seed)
    z = native.roots_of_unity()[index]
    assert native.evaluate_blob(blob, z) == int.from_bytes(blob[32 * index : 32 * index + 32], "big")


@given(st.lists(st.integers(1, R - 1), max_size=50))
def test_batch_inverse_matches_reference(values):
    inverses = native.batch_inverse(values)
    assert inverses == fr.batch_inverse(values)
    assert all(v * w % R == 1 for v, w in zip(values, inverses))
