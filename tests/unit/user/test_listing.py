"""Listing a page at a time: S3's ListObjectsV2 rules (the examples of its documentation),
and, for any keys, paging through with any page size lists exactly what one listing does."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from memo_py.user.listing import MAX_KEYS, InvalidListing, list_page

DOCS_KEYS = [
    "sample.jpg",
    "photos/2006/January/sample.jpg",
    "photos/2006/February/sample2.jpg",
    "photos/2006/February/sample3.jpg",
    "photos/2006/February/sample4.jpg",
]


def entries(keys):
    return [(k, k) for k in keys]


def test_a_delimiter_rolls_keys_up_into_common_prefixes():
    top = list_page(entries(DOCS_KEYS), delimiter="/")
    assert top.items == ("sample.jpg",) and top.common_prefixes == ("photos/",) and not top.is_truncated
    year = list_page(entries(DOCS_KEYS), prefix="photos/2006/", delimiter="/")
    assert year.items == () and year.common_prefixes == ("photos/2006/February/", "photos/2006/January/")
    flat = list_page(entries(DOCS_KEYS), prefix="photos/2006/F")
    assert flat.items == tuple(sorted(k for k in DOCS_KEYS if "February" in k)) and flat.common_prefixes == ()


def test_a_common_prefix_takes_one_place_and_the_next_page_starts_past_it():
    keys = ["a/1", "a/2", "a/3", "b", "c/1", "d"]
    first = list_page(entries(keys), delimiter="/", max_keys=2)
    assert (first.common_prefixes, first.items, first.is_truncated) == (("a/",), ("b",), True)
    second = list_page(entries(keys), delimiter="/", max_keys=2, token=first.next_token)
    assert (second.common_prefixes, second.items, second.is_truncated) == (("c/",), ("d",), False)
    assert second.next_token is None
    ends_on_prefix = list_page(entries(keys), delimiter="/", max_keys=1)
    rest = list_page(entries(keys), delimiter="/", token=ends_on_prefix.next_token)
    assert ends_on_prefix.common_prefixes == ("a/",) and rest.items == ("b", "d") and rest.common_prefixes == ("c/",)


def test_start_after_and_the_token_taking_precedence():
    keys = ["a", "b", "c", "d"]
    assert list_page(entries(keys), start_after="b").items == ("c", "d")
    first = list_page(entries(keys), max_keys=1)
    assert list_page(entries(keys), start_after="c", token=first.next_token).items == ("b", "c", "d")
    assert list_page(entries(keys), max_keys=0).items == ()


def test_keys_are_ordered_by_their_utf8_bytes():
    keys = ["é", "z", "Z", "a/b", "a0", "日本"]
    listed = list_page(entries(keys)).items
    assert list(listed) == sorted(keys, key=lambda k: k.encode())


@pytest.mark.parametrize("bad", [-1, MAX_KEYS + 1, True, 1.5])
def test_max_keys_out_of_range_is_refused(bad):
    with pytest.raises(InvalidListing, match="max_keys must be an integer from 0 to 1000"):
        list_page(entries(["a"]), max_keys=bad)


@pytest.mark.parametrize("token", ["not base64!", "", "eA==", "\u00e9"])
def test_a_malformed_token_is_an_error_not_a_restart(token):
    with pytest.raises(InvalidListing, match="continuation token is malformed"):
        list_page(entries(["a", "b"]), token=token)


def one_listing(keys, prefix, delimiter):
    """The reference: every key under ``prefix``, rolled up by ``delimiter``, in one go."""
    items, prefixes = [], []
    for key in sorted(set(keys)):
        if not key.startswith(prefix):
            continue
        rest = key[len(prefix):]
        if delimiter and delimiter in rest:
            common = prefix + rest[: rest.index(delimiter) + len(delimiter)]
            if common not in prefixes:
                prefixes.append(common)
        else:
            items.append(key)
    return items, prefixes


@given(
    keys=st.lists(st.text(alphabet="ab/.", min_size=1, max_size=6), max_size=30, unique=True),
    prefix=st.sampled_from(["", "a", "a/", "b/"]),
    delimiter=st.sampled_from(["", "/", "."]),
    size=st.integers(1, 7),
)
def test_paging_through_lists_exactly_one_listing(keys, prefix, delimiter, size):
    items, prefixes = [], []
    token = None
    for _ in range(len(keys) + 2):
        page = list_page(entries(keys), prefix=prefix, delimiter=delimiter, max_keys=size, token=token)
        assert len(page.items) + len(page.common_prefixes) <= size
        items += page.items
        prefixes += page.common_prefixes
        if not page.is_truncated:
            break
        token = page.next_token
    else:
        raise AssertionError("the listing never ended")
    assert (items, prefixes) == one_listing(keys, prefix, delimiter)
