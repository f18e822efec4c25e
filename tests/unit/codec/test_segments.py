import os

import pytest

from memo_py.codec.segments import StripeLayout, decode_segment, encode_segment
from memo_py.errors import DecryptionFailed, InvalidLength, NotEnoughChunks

KEY = b"\x42" * 32
OBJECT = b"bucket/object"
SMALL = StripeLayout(k=3, m=2, chunk_blobs=1)


def test_default_layout_matches_the_design():
    layout = StripeLayout(4, 2)
    assert layout.chunk_bytes == 253_952
    assert layout.segment_bytes == 4 * 253_952 - 16


@pytest.mark.parametrize("length", [1, 1000, SMALL.segment_bytes])
def test_a_segment_survives_the_loss_of_m_chunks(length):
    plaintext = os.urandom(length)
    chunks = encode_segment(SMALL, KEY, OBJECT, 7, plaintext)
    assert len(chunks) == 5 and all(len(c) == SMALL.chunk_bytes for c in chunks)
    survivors = {1: chunks[1], 3: chunks[3], 4: chunks[4]}
    assert decode_segment(SMALL, KEY, OBJECT, 7, survivors, length) == plaintext


def test_chunks_carry_no_plaintext():
    plaintext = b"A" * 5000
    chunks = encode_segment(SMALL, KEY, OBJECT, 0, plaintext)
    assert all(b"AAAAAAAA" not in c for c in chunks)


def test_segment_counts_and_lengths():
    seg = SMALL.segment_bytes
    assert SMALL.segment_count(0) == 0
    assert SMALL.segment_count(seg) == 1
    assert SMALL.segment_count(seg + 1) == 2
    assert SMALL.segment_length(2 * seg + 5, 2) == 5
    data = os.urandom(seg + 10)
    assert [len(s) for _, s in SMALL.segments(data)] == [seg, 10]
    with pytest.raises(InvalidLength, match="outside"):
        SMALL.segment_length(seg, 1)


def test_a_tampered_or_moved_segment_is_detected():
    chunks = encode_segment(SMALL, KEY, OBJECT, 1, b"secret data")
    bad = bytearray(chunks[0])
    bad[3] ^= 1
    with pytest.raises(DecryptionFailed):
        decode_segment(SMALL, KEY, OBJECT, 1, {0: bytes(bad), 1: chunks[1], 2: chunks[2]}, 11)
    with pytest.raises(DecryptionFailed):
        decode_segment(SMALL, KEY, OBJECT, 2, dict(enumerate(chunks)), 11)


def test_bad_input_is_refused():
    chunks = encode_segment(SMALL, KEY, OBJECT, 0, b"x")
    with pytest.raises(NotEnoughChunks):
        decode_segment(SMALL, KEY, OBJECT, 0, {0: chunks[0]}, 1)
    with pytest.raises(InvalidLength, match="layout needs"):
        decode_segment(SMALL, KEY, OBJECT, 0, {0: chunks[0][:-1], 1: chunks[1], 2: chunks[2]}, 1)
    with pytest.raises(InvalidLength, match="segment holds"):
        encode_segment(SMALL, KEY, OBJECT, 0, b"")
    with pytest.raises(InvalidLength, match="1..64 blobs"):
        StripeLayout(2, 1, chunk_blobs=0)
