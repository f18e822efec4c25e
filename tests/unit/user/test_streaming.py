"""Streaming puts: a file or an iterable of bytes is read, encoded and placed a window of
segments at a time (real Provider and Keeper apps, the in-memory Market)."""

from __future__ import annotations

import hashlib
import io
import os
import threading

import pytest

from memo_py.errors import WrongType
from memo_py.user import client as client_module
from memo_py.user.source import ObjectSource
from memo_py.user.upload import UploadSession

from .support import BLOB, CHUNK_BLOBS, K, M, SEGMENT


@pytest.fixture
def windows(monkeypatch):
    """Windows of 2 segments, and the stripe count of every place call the put makes."""
    monkeypatch.setattr(client_module, "WINDOW_SEGMENTS", 2)
    calls: list[int] = []
    honest = UploadSession.place

    def place(self, stripes, tags):
        calls.append(len(stripes))
        return honest(self, stripes, tags)

    monkeypatch.setattr(UploadSession, "place", place)
    return calls


def test_a_file_is_stored_a_window_at_a_time_and_reads_back(client, windows, tmp_path):
    client.create_bucket("bkt")
    windows.clear()
    data = os.urandom(5 * SEGMENT + 777)  # 6 segments: windows of 2, 2, 2
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    seen: list[tuple[int, int]] = []
    lock = threading.Lock()

    def progress(stored, total):
        with lock:
            seen.append((stored, total))

    with open(path, "rb") as file:
        info = client.put_object("bkt", "big.bin", file, progress=progress)
    assert (info.size, info.etag) == (len(data), hashlib.md5(data).hexdigest())
    assert windows[:3] == [2, 2, 2] and len(windows) == 4  # then the index record
    manifest = client.head_manifest("bkt", "big.bin")
    assert [s.length for s in manifest.segments] == [SEGMENT] * 5 + [777]
    assert client.get_object("bkt", "big.bin") == data
    total = 6 * (K + M) * CHUNK_BLOBS * BLOB  # 6 stripes of k+m chunks
    assert seen[-1] == (total, total) and all(t == total for _, t in seen)
    assert [s for s, _ in seen] == sorted(s for s, _ in seen)


def test_a_file_is_read_from_where_it_stands(client, tmp_path):
    client.create_bucket("bkt")
    path = tmp_path / "f.bin"
    path.write_bytes(b"header:" + b"payload" * 1000)
    with open(path, "rb") as file:
        file.seek(7)
        info = client.put_object("bkt", "f", file)
    assert info.size == 7000 and client.get_object("bkt", "f") == b"payload" * 1000


def test_an_iterable_of_uneven_pieces_is_stored_without_its_size(client, windows):
    client.create_bucket("bkt")
    windows.clear()
    data = os.urandom(3 * SEGMENT + 5)
    pieces = (data[i : i + 10_007] for i in range(0, len(data), 10_007))
    totals = []
    info = client.put_object("bkt", "stream", pieces, progress=lambda stored, total: totals.append(total))
    assert (info.size, info.etag) == (len(data), hashlib.md5(data).hexdigest())
    assert windows[:2] == [2, 2]
    assert set(totals) == {0}  # the size was not known before the end
    assert client.get_object("bkt", "stream") == data


@pytest.mark.parametrize(
    "data, fragment",
    [("text", "not str"), (5, "not int"), (["ok", b"x"], "must yield bytes, not str"), ([1, 2], "must yield bytes, not int")],
    ids=["str", "int", "iterable of str", "iterable of int"],
)
def test_what_is_not_bytes_is_refused_and_nothing_is_stored(network, client, data, fragment):
    client.create_bucket("bkt")
    stored = {a: s.service.store.used_bytes() for a, s in network.providers.items()}
    submitted = len(network.chain.submitted)
    with pytest.raises(WrongType, match=fragment):
        client.put_object("bkt", "bad", data)
    assert {a: s.service.store.used_bytes() for a, s in network.providers.items()} == stored
    assert len(network.chain.submitted) == submitted
    assert client.list_objects("bkt") == []


def test_a_source_knows_the_size_of_bytes_and_regular_files_only(tmp_path):
    assert ObjectSource(b"abc").size == 3
    assert ObjectSource(io.BytesIO(b"abcdef")).size == 6
    path = tmp_path / "x"
    path.write_bytes(b"0123456789")
    with open(path, "rb") as file:
        file.seek(4)
        assert ObjectSource(file).size == 6
    read, write = os.pipe()
    with os.fdopen(read, "rb") as pipe, os.fdopen(write, "wb"):
        assert ObjectSource(pipe).size is None
    assert ObjectSource(iter([b"a"])).size is None


def test_a_source_that_ends_short_of_its_announced_size_is_refused():
    class Shrinking(io.BytesIO):
        def read(self, n=-1):
            return super().read(min(n, 3)) if self.tell() < 3 else b""

    source = ObjectSource(Shrinking(b"abcdef"))
    assert source.size == 6
    with pytest.raises(WrongType, match="gave 3 bytes, not the 6 it announced"):
        list(source.segments(4))
