"""The compiled contracts shipped as package data: ``memo_py/data/abi/<Contract>.json``.

Each file holds ``{"contractName", "abi", "bytecode"}``, written by
``scripts/export_abis.py`` from ape's compiled manifest. Loading needs only the
standard library, so daemons and dapps never need ape. (An older file that holds
the bare ABI list still loads, without bytecode.)
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from memo_py.chain.errors import ArtifactMissing

__all__ = ["CONTRACTS", "Artifact", "load", "abi", "bytecode"]

#: The deployable contracts, in deployment order.
CONTRACTS = ("Token", "Registry", "Epochs", "Market", "Disputes")


@dataclass(frozen=True)
class Artifact:
    """One contract's ABI and deployment bytecode (hex, 0x-prefixed; None if not shipped)."""

    name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: str | None

    def function_names(self) -> set[str]:
        return {item["name"] for item in self.abi if item.get("type") == "function"}


@lru_cache(maxsize=None)
def load(name: str) -> Artifact:
    """The shipped artifact of contract ``name`` (``"Market"``)."""
    try:
        text = resources.files("memo_py").joinpath("data", "abi", f"{name}.json").read_text()
    except FileNotFoundError:
        raise ArtifactMissing(f"no artifact for {name!r} in memo_py/data/abi (run `make abi`)") from None
    data = json.loads(text)
    if isinstance(data, list):  # older export: the ABI alone
        return Artifact(name, tuple(data), None)
    code = data.get("bytecode") or None
    if code is not None and not code.startswith("0x"):
        code = "0x" + code
    return Artifact(data.get("contractName", name), tuple(data["abi"]), code)


def abi(name: str) -> list[dict[str, Any]]:
    """The ABI of contract ``name``, as web3.py takes it."""
    return list(load(name).abi)


def bytecode(name: str) -> str:
    """The deployment bytecode of contract ``name`` (raises if the artifact has none)."""
    code = load(name).bytecode
    if not code:
        raise ArtifactMissing(f"the artifact of {name!r} has no bytecode (re-run `make abi`)")
    return code
