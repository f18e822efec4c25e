"""Cryptography of MEMO-py: KZG storage proofs, challenges, BLS signatures, AES-GCM.

Sub-modules (imported lazily, so ``import memo_py.crypto.bls`` does not load
the KZG trusted setup or the native extension):

- :mod:`memo_py.crypto.kzg`: blob commitments, aggregated openings, batch checks.
- :mod:`memo_py.crypto.challenge`: per-epoch challenges derived from the chain seed.
- :mod:`memo_py.crypto.bls`: Keeper signatures (blspy PopSchemeMPL) and EIP-2537 encodings.
- :mod:`memo_py.crypto.aead`: AES-256-GCM segment encryption with per-object keys.
- :mod:`memo_py.crypto.setup`: the EIP-4844 trusted setup, loaded once per process.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__all__ = ["aead", "bls", "challenge", "kzg", "setup"]


def __getattr__(name: str) -> ModuleType:
    if name in __all__:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(list(globals()) + __all__)
