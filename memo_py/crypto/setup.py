"""The EIP-4844 KZG trusted setup, loaded once per process.

The setup file (``memo_py/data/trusted_setup.txt``, Ethereum's KZG ceremony) takes
about 1.6 s to load, so it is loaded on first use and cached. Loading is
thread-safe: concurrent first callers wait for one load. Processes forked after
the first load inherit the cached settings.

``ckzg`` can precompute tables for cell proofs (PeerDAS); MEMO commits and opens
whole blobs, which the precomputation does not speed up, so it stays at 0.
"""

from __future__ import annotations

import threading
from importlib import resources
from pathlib import Path
from typing import Any

import ckzg

__all__ = ["PRECOMPUTE", "trusted_setup_path", "trusted_setup", "is_loaded"]

PRECOMPUTE = 0
"""The ``precompute`` argument of ``ckzg.load_trusted_setup`` (0: no cell-proof tables)."""

_lock = threading.Lock()
_settings: Any = None


def trusted_setup_path() -> Path:
    """Path of the shipped trusted setup file."""
    return Path(str(resources.files("memo_py") / "data" / "trusted_setup.txt"))


def trusted_setup() -> Any:
    """The process-wide ``ckzg`` settings object (loaded on first call)."""
    global _settings
    settings = _settings
    if settings is not None:
        return settings
    with _lock:
        if _settings is None:
            _settings = ckzg.load_trusted_setup(str(trusted_setup_path()), PRECOMPUTE)
        return _settings


def is_loaded() -> bool:
    """Whether this process has already loaded the setup (no load is triggered)."""
    return _settings is not None
