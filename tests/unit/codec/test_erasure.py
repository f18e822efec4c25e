import itertools
import os

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memo_py.codec.erasure import decode_stripe, encode_stripe
from memo_py.errors import InvalidLength, MemoError, NotEnoughChunks


@given(k=st.integers(1, 6), m=st.integers(0, 4), size=st.integers(1, 64), data=st.data())
def test_any_k_chunks_rebuild_the_stripe(k, m, size, data):
    stripe = data.draw(st.binary(min_size=k * size, max_size=k * size))
    chunks = encode_stripe(stripe, k, m)
    assert len(chunks) == k + m
    assert all(len(c) == size for c in chunks)
    keep = data.draw(st.lists(st.sampled_from(range(k + m)), min_size=k, max_size=k + m, unique=True))
    assert decode_stripe({i: chunks[i] for i in keep}, k, m) == stripe


def test_every_choice_of_k_of_6_chunks_decodes():
    stripe = os.urandom(4 * 1000)
    chunks = encode_stripe(stripe, 4, 2)
    for keep in itertools.combinations(range(6), 4):
        assert decode_stripe({i: chunks[i] for i in keep}, 4, 2) == stripe


def test_replication_is_k_equal_one():
    stripe = os.urandom(100)
    chunks = encode_stripe(stripe, 1, 2)
    assert chunks == [stripe, stripe, stripe]
    assert decode_stripe({2: chunks[2]}, 1, 2) == stripe


def test_too_few_chunks_is_a_clear_error():
    chunks = encode_stripe(os.urandom(30), 3, 2)
    with pytest.raises(NotEnoughChunks, match="need 3 chunks"):
        decode_stripe({0: chunks[0], 4: chunks[4]}, 3, 2)


@pytest.mark.parametrize(
    "data,k,m,match",
    [
        (b"abc", 2, 1, "equal non-empty"),
        (b"", 1, 1, "equal non-empty"),
        (b"ab", 0, 1, "1 <= k"),
        (b"ab", 2, -1, "0 <= m"),
        (b"ab", 200, 57, "k \\+ m <= 256"),
    ],
)
def test_bad_parameters_are_rejected(data, k, m, match):
    with pytest.raises(InvalidLength, match=match):
        encode_stripe(data, k, m)


def test_bad_indices_and_sizes_are_rejected():
    chunks = encode_stripe(os.urandom(40), 2, 2)
    with pytest.raises(InvalidLength, match="outside"):
        decode_stripe({0: chunks[0], 4: chunks[1]}, 2, 2)
    with pytest.raises(InvalidLength, match="equal"):
        decode_stripe({0: chunks[0], 3: chunks[3][:-1]}, 2, 2)
    # Every error is a MemoError and the matching builtin.
    with pytest.raises(MemoError):
        decode_stripe({}, 2, 2)
    with pytest.raises(LookupError):
        decode_stripe({}, 2, 2)
