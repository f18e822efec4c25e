"""S3 naming rules for buckets and keys."""

from __future__ import annotations

import pytest

from memo_py.errors import InvalidBucketName, InvalidObjectKey
from memo_py.user import validate_bucket_name, validate_object_key


@pytest.mark.parametrize("name", ["abc", "my-bucket.2024", "a" * 63, "1bucket", "b.a.c", "192.168.5.4x"])
def test_valid_bucket_names(name):
    assert validate_bucket_name(name) == name


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("ab", "3 to 63"),
        ("a" * 64, "3 to 63"),
        ("", "3 to 63"),
        ("MyBucket", "lowercase"),
        ("my_bucket", "lowercase"),
        ("-bucket", "start and end"),
        ("bucket-", "start and end"),
        (".bucket", "start and end"),
        ("bucket.", "start and end"),
        ("buck et", "lowercase"),
        ("bück", "lowercase"),
        ("my..bucket", "adjacent dots"),
        ("192.168.5.4", "IP address"),
        ("xn--bucket", "xn--"),
        ("sthree-bucket", "sthree-"),
        ("amzn-s3-demo-bucket", "amzn-s3-demo-"),
        ("bucket-s3alias", "-s3alias"),
        ("bucket--ol-s3", "--ol-s3"),
        ("bucket.mrap", ".mrap"),
        ("bucket--x-s3", "--x-s3"),
    ],
)
def test_invalid_bucket_names_say_which_rule(name, rule):
    with pytest.raises(InvalidBucketName, match=rule):
        validate_bucket_name(name)


def test_invalid_bucket_names_are_value_errors():
    with pytest.raises(ValueError):
        validate_bucket_name(None)


@pytest.mark.parametrize("key", ["a", "dir/sub/file.txt", "ключ", "x" * 1024, "é" * 512, " spaced /key "])
def test_valid_keys(key):
    assert validate_object_key(key) == key


@pytest.mark.parametrize("key", ["", "x" * 1025, "é" * 513, "\ud800", b"bytes", None])
def test_invalid_keys(key):
    with pytest.raises(InvalidObjectKey):
        validate_object_key(key)


def test_the_client_refuses_bad_names_before_any_network_call(client):
    with pytest.raises(InvalidBucketName):
        client.create_bucket("Bad_Name")
    client.create_bucket("good")
    with pytest.raises(InvalidObjectKey):
        client.put_object("good", "", b"data")
    with pytest.raises(InvalidBucketName):
        client.get_object("a", "key")
