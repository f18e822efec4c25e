"""memo_py.native and the reference memo_py.crypto.fr against tests/vectors/fr.txt."""

from __future__ import annotations

import pytest

from memo_py import native
from memo_py.crypto import fr
from memo_py.errors import ZeroInverse

from .conftest import R


def _cases(vector_lines: list[list[str]], kind: str) -> list[list[str]]:
    cases = [t for t in vector_lines if t[0] == kind]
    assert cases, f"no {kind} vectors"
    return cases


def test_field_ops_reference(vector_lines):
    ops = {"mul": lambda a, b: a * b % R, "add": lambda a, b: (a + b) % R, "sub": lambda a, b: (a - b) % R}
    for tok in _cases(vector_lines, "mul") + _cases(vector_lines, "add") + _cases(vector_lines, "sub"):
        a, b = int(tok[1], 16), int(tok[2], 16)
        if tok[3] == "NONCANONICAL":
            assert a >= R or b >= R
        else:
            assert ops[tok[0]](a, b) == int(tok[3], 16)


def test_inverse(vector_lines):
    for tok in _cases(vector_lines, "inv"):
        a = int(tok[1], 16)
        if tok[2] == "ZERO_INVERSE":
            with pytest.raises(ZeroInverse):
                native.batch_inverse([a])
        elif tok[2] == "NONCANONICAL":
            assert a >= R
        else:
            assert native.batch_inverse([a]) == [int(tok[2], 16)] == [fr.inverse(a)]


def test_roots(vector_lines, generator):
    (tok,) = _cases(vector_lines, "roots")
    roots = native.roots_of_unity()
    assert generator.fnv(b"".join(x.to_bytes(32, "big") for x in roots)) == tok[1]
    assert roots[1] == int(tok[2], 16)
    assert roots == fr.roots_of_unity_brp()


def test_pack(vector_lines, generator):
    for tok in _cases(vector_lines, "pack"):
        data = generator.splitmix_bytes(int(tok[1], 16), int(tok[2]))
        packed = native.pack_blobs(data)
        assert len(packed) == int(tok[3]) * native.BYTES_PER_BLOB
        assert generator.fnv(packed) == tok[4]
        assert packed == fr.pack(data)
        assert native.unpack_blobs(packed, len(data)) == data


def test_fold(vector_lines, generator):
    for tok in _cases(vector_lines, "fold"):
        n = int(tok[1])
        blobs = [generator.blob_from_spec(s) for s in tok[2 : 2 + n]]
        coeffs = [int(c, 16) for c in tok[2 + n : 2 + 2 * n]]
        out = native.fold_blobs(blobs, coeffs)
        assert generator.fnv(out) == tok[2 + 2 * n]
        assert out[:32].hex() == tok[3 + 2 * n] and out[-32:].hex() == tok[4 + 2 * n]
        assert out == fr.fold(blobs, coeffs)


def test_evaluate(vector_lines, generator):
    for tok in _cases(vector_lines, "eval"):
        blob = generator.blob_from_spec(tok[1])
        z, y = int(tok[2], 16), int(tok[3], 16)
        assert native.evaluate_blob(blob, z) == y == fr.evaluate(blob, z)


def test_batch_inverse(vector_lines):
    for tok in _cases(vector_lines, "batchinv"):
        n = int(tok[1])
        values = [int(v, 16) for v in tok[2 : 2 + n]]
        want = [int(v, 16) for v in tok[2 + n :]]
        assert native.batch_inverse(values) == want == fr.batch_inverse(values)
    for tok in _cases(vector_lines, "batchinv_zero"):
        n = int(tok[1])
        values = [int(v, 16) for v in tok[2 : 2 + n]]
        with pytest.raises(ZeroInverse, match=f"element {tok[2 + n]} "):
            native.batch_inverse(values)
