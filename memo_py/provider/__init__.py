"""The Provider role: stores chunks and proves it every epoch."""

from memo_py.provider.store import ChunkConflict, ChunkMissing, ChunkRecord, ChunkStore, StoreFull

__all__ = ["ChunkConflict", "ChunkMissing", "ChunkRecord", "ChunkStore", "StoreFull"]
