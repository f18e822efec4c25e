"""Fixtures of the native-core tests: the known-answer vectors and helpers to build blobs."""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType

import pytest

from memo_py.crypto import fr

ROOT = Path(__file__).resolve().parents[2]
VECTORS = ROOT / "tests" / "vectors" / "fr.txt"
TRUSTED_SETUP = ROOT / "memo_py" / "data" / "trusted_setup.txt"
R = fr.BLS_MODULUS


def load_generator() -> ModuleType:
    """tests/vectors/generate.py as a module (its splitmix64 and blob specs)."""
    spec = importlib.util.spec_from_file_location("memo_vectors_generate", ROOT / "tests" / "vectors" / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_blob(seed: int, edges: dict[int, int] | None = None) -> bytes:
    """A blob of uniform canonical elements from a seed, with some elements overridden."""
    rng = random.Random(seed)
    values = [rng.randrange(R) for _ in range(fr.FIELD_ELEMENTS_PER_BLOB)]
    for index, value in (edges or {}).items():
        values[index] = value
    return fr.ints_to_blob(values)


def with_element(blob: bytes, index: int, raw: bytes) -> bytes:
    """The blob with element `index` replaced by 32 raw bytes."""
    return blob[: 32 * index] + raw + blob[32 * index + 32 :]


@pytest.fixture(scope="session")
def generator() -> ModuleType:
    return load_generator()


@pytest.fixture(scope="session")
def vector_lines() -> list[list[str]]:
    lines = VECTORS.read_text().splitlines()
    return [line.split(" ") for line in lines if line and not line.startswith("#")]


@pytest.fixture(scope="session")
def trusted_setup():
    import ckzg

    return ckzg.load_trusted_setup(str(TRUSTED_SETUP), 0)
