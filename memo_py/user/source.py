"""The bytes of a put, whatever holds them: bytes, a binary file, or an iterable of bytes.

:class:`ObjectSource` reads them a segment at a time, so a put of a file or a stream
holds a bounded window of it in memory whatever its size, and hashes them (the
object's MD5, its etag) and counts them as they pass. The size is known up front for
bytes and for a file that can seek (from where it is positioned to its end), so the put can
be priced before anything is sent; for any other stream it is known at the end only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from typing import Any

from memo_py.errors import WrongType

__all__ = ["ObjectSource", "READ_BYTES"]

#: Bytes asked of a file per read.
READ_BYTES = 1 << 20


class ObjectSource:
    """One put's bytes (see the module docstring); WrongType for anything else."""

    def __init__(self, data: Any) -> None:
        self.md5 = hashlib.md5(usedforsecurity=False)
        #: Bytes handed out so far.
        self.read = 0
        #: The whole object is in memory already (bytes-like): nothing is gained by windows.
        self.in_memory = isinstance(data, (bytes, bytearray, memoryview))
        if self.in_memory:
            self.size: int | None = len(data)
            self._pieces: Iterator[Any] = iter([memoryview(data).cast("B")])
        elif hasattr(data, "read"):
            self.size = _remaining(data)
            self._pieces = iter(lambda: data.read(READ_BYTES), b"")
        elif isinstance(data, Iterable) and not isinstance(data, (str, dict)):
            self.size = None
            self._pieces = iter(data)
        else:  # bytes(5) would be five zero bytes: an int is refused, as is text
            raise WrongType(f"an object's data must be bytes-like, a binary file or an iterable of bytes, not {type(data).__name__}")

    def segments(self, segment_bytes: int) -> Iterator[bytes]:
        """The bytes in pieces of exactly ``segment_bytes`` (the last one shorter, none for an
        empty object), hashed and counted as they go."""
        if self.in_memory:  # slices of it, without a second copy of the whole
            (view,) = self._pieces
            for start in range(0, len(view), segment_bytes):
                segment = bytes(view[start : start + segment_bytes])
                self.md5.update(segment)
                self.read += len(segment)
                yield segment
            return
        buffer = bytearray()
        for piece in self._pieces:
            if isinstance(piece, str) or not isinstance(piece, (bytes, bytearray, memoryview)):
                raise WrongType(f"an object's stream must yield bytes, not {type(piece).__name__}")
            buffer += piece
            while len(buffer) >= segment_bytes:
                yield self._take(buffer, segment_bytes)
        if buffer:
            yield self._take(buffer, len(buffer))
        if self.size is not None and self.read != self.size:
            raise WrongType(f"the object's source gave {self.read} bytes, not the {self.size} it announced")

    def _take(self, buffer: bytearray, count: int) -> bytes:
        segment = bytes(buffer[:count])
        del buffer[:count]
        self.md5.update(segment)
        self.read += len(segment)
        return segment


def _remaining(file: Any) -> int | None:
    """Bytes from ``file``'s position to its end, for a file that can seek (a regular file,
    an in-memory one); None for a pipe or a socket. Seeking, not ``fstat``: a spooled
    temporary file asked for its descriptor would move itself to disk."""
    try:
        if not file.seekable():
            return None
        here = file.tell()
        end = file.seek(0, os.SEEK_END)
        file.seek(here)
        return max(end - here, 0)
    except (AttributeError, OSError, ValueError):
        return None
