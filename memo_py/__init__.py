"""MEMO-py: decentralized cloud storage settled on Ethereum.

The SDK's public entry points live in the sub-packages:

- ``memo_py.crypto``: KZG storage proofs, BLS signatures, AES-GCM.
- ``memo_py.native``: the C field arithmetic (the only user of the cffi module).
"""

from memo_py.errors import MemoError

__all__ = ["MemoError", "__version__"]

__version__ = "0.1.0"
