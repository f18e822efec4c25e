"""Bad input to memo_py.native raises typed MemoError subclasses."""

from __future__ import annotations

import pytest

from memo_py import native
from memo_py.errors import InvalidLength, MemoError, NonCanonicalElement, ZeroInverse

from .conftest import R, random_blob, with_element

BLOB = native.BYTES_PER_BLOB


@pytest.fixture(scope="module")
def blob() -> bytes:
    return random_blob(1)


def test_errors_are_memo_errors():
    assert issubclass(InvalidLength, MemoError) and issubclass(InvalidLength, ValueError)
    assert issubclass(NonCanonicalElement, ValueError)
    assert issubclass(ZeroInverse, ZeroDivisionError)


@pytest.mark.parametrize("size", [0, 1, BLOB - 1, BLOB + 1, 2 * BLOB - 32])
def test_wrong_blob_lengths(size):
    data = bytes(size)
    with pytest.raises(InvalidLength):
        native.check_blob(data)
    with pytest.raises(InvalidLength):
        native.evaluate_blob(data, 1)
    with pytest.raises(InvalidLength):
        native.fold_blobs([data], [1])
    if size % BLOB:
        with pytest.raises(InvalidLength):
            native.unpack_blobs(data)


def test_fold_count_mismatch(blob):
    with pytest.raises(InvalidLength):
        native.fold_blobs([blob, blob], [1])
    with pytest.raises(InvalidLength):
        native.fold_blobs(blob + blob, [1])
    with pytest.raises(InvalidLength):
        native.fold_blobs(blob, [])


def test_fold_of_nothing_is_zero():
    assert native.fold_blobs([], []) == bytes(BLOB)
    assert native.fold_blobs(b"", []) == bytes(BLOB)


@pytest.mark.parametrize("bad", [R, R + 1, 2**256 - 1])
def test_non_canonical_element_is_named(blob, bad):
    tampered = with_element(blob, 1234, bad.to_bytes(32, "big"))
    with pytest.raises(NonCanonicalElement, match="element 1234 "):
        native.check_blob(tampered)
    with pytest.raises(NonCanonicalElement, match="element 1234 "):
        native.evaluate_blob(tampered, 5)
    with pytest.raises(NonCanonicalElement, match=r"element 5330 \(blob 1, element 1234\)"):
        native.fold_blobs([blob, tampered], [1, 2])
    with pytest.raises(NonCanonicalElement, match=r"blob 1, element 1234"):
        native.check_blobs(blob + tampered)


@pytest.mark.parametrize("bad", [R, R + 5, 2**256, -1])
def test_out_of_range_scalars(blob, bad):
    with pytest.raises(NonCanonicalElement, match="coefficient 1"):
        native.fold_blobs([blob, blob], [3, bad])
    with pytest.raises(NonCanonicalElement, match="z"):
        native.evaluate_blob(blob, bad)
    with pytest.raises(NonCanonicalElement, match="element 0"):
        native.batch_inverse([bad, 1])


def test_zero_inversion():
    with pytest.raises(ZeroInverse, match="element 2 "):
        native.batch_inverse([1, 5, 0, 7])
    assert native.batch_inverse([]) == []


def test_unpack_rejects_unpacked_data():
    packed = native.pack_blobs(b"hello" * 1000)
    with pytest.raises(NonCanonicalElement, match="element 7 .*top byte"):
        native.unpack_blobs(with_element(packed, 7, b"\x01" + bytes(31)))
    with pytest.raises(NonCanonicalElement, match="element 4095 .*not below"):
        native.unpack_blobs(with_element(packed, 4095, b"\xff" * 32))


def test_unpack_length_bounds():
    packed = native.pack_blobs(b"x" * 10)
    assert native.unpack_blobs(packed, 0) == b""
    assert native.unpack_blobs(packed, native.PAYLOAD_BYTES_PER_BLOB) == b"x" * 10 + bytes(native.PAYLOAD_BYTES_PER_BLOB - 10)
    for bad in (-1, native.PAYLOAD_BYTES_PER_BLOB + 1):
        with pytest.raises(InvalidLength):
            native.unpack_blobs(packed, bad)


def test_types_and_buffers(blob):
    with pytest.raises(TypeError):
        native.pack_blobs("text")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        native.fold_blobs([blob], [1.5])  # type: ignore[list-item]
    assert native.pack_blobs(bytearray(b"ab")) == native.pack_blobs(memoryview(b"ab")) == native.pack_blobs(b"ab")
    assert native.fold_blobs([bytearray(blob)], [1]) == blob
