"""memo_py.crypto.setup: the trusted setup is loaded once per process, thread-safely."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from memo_py.crypto import setup


def test_trusted_setup_is_cached() -> None:
    first = setup.trusted_setup()
    assert setup.is_loaded()
    assert setup.trusted_setup() is first


def test_trusted_setup_concurrent_callers_share_one_object() -> None:
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: setup.trusted_setup(), range(16)))
    assert all(r is results[0] for r in results)


def test_trusted_setup_path_is_shipped() -> None:
    path = setup.trusted_setup_path()
    assert path.is_file()
    assert path.name == "trusted_setup.txt"
