"""memo_py.crypto: lazy sub-modules, so BLS users do not load the KZG setup or the native core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import memo_py.crypto as crypto

REPO = Path(__file__).resolve().parents[3]


def test_all_lists_the_submodules() -> None:
    assert set(crypto.__all__) == {"aead", "bls", "challenge", "kzg", "setup"}
    assert crypto.kzg.__name__ == "memo_py.crypto.kzg"


def test_importing_bls_does_not_load_kzg() -> None:
    code = "import sys, memo_py.crypto.bls; print('ckzg' in sys.modules, 'memo_py.native' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO).stdout
    assert out.split() == ["False", "False"]


def test_unknown_attribute() -> None:
    import pytest

    with pytest.raises(AttributeError):
        crypto.nope  # noqa: B018
