"""Where a MEMO deployment lives: ``deployments/<network>.json``.

The file is what ``scripts/deploy.py`` (ape) and :func:`memo_py.chain.deploy.deploy_all`
(web3) write::

    {"chain_id": 31337, "network": "local", "block": 12,
     "contracts": {"Token": "0x…", "Registry": "0x…", "Epochs": "0x…", "Market": "0x…", "Disputes": "0x…"},
     "parameters": {"epoch_length": 10, "fee_bps": 500, …}}

``block`` is the chain head right after the deployment: event scans start there.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_utils import is_address, to_checksum_address

from memo_py.chain.artifacts import CONTRACTS
from memo_py.chain.errors import DeploymentMismatch
from memo_py.errors import ConfigError

__all__ = ["Deployment"]


@dataclass(frozen=True)
class Deployment:
    """The addresses of one deployed set, with its chain id and the block it was deployed at."""

    chain_id: int
    token: str
    registry: str
    epochs: str
    market: str
    disputes: str
    block: int = 0
    network: str = "local"
    parameters: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        for name in ("token", "registry", "epochs", "market", "disputes"):
            value = getattr(self, name)
            if not isinstance(value, str) or not is_address(value):
                raise ConfigError(f"deployment: {name} address {value!r} is not an address")
            object.__setattr__(self, name, to_checksum_address(value))

    @property
    def addresses(self) -> dict[str, str]:
        """``{"Token": …, "Registry": …, …}`` in deployment order."""
        return {name: getattr(self, name.lower()) for name in CONTRACTS}

    def to_json(self) -> dict[str, Any]:
        return {
            "chain_id": self.chain_id,
            "network": self.network,
            "block": self.block,
            "contracts": self.addresses,
            "parameters": dict(self.parameters),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        try:
            contracts = data["contracts"]
            missing = [name for name in CONTRACTS if name not in contracts]
            if missing:
                raise ConfigError(f"deployment: no address for {', '.join(missing)}")
            return cls(
                chain_id=int(data["chain_id"]),
                block=int(data.get("block", 0)),
                network=str(data.get("network", "local")),
                parameters=dict(data.get("parameters", {})),
                **{name.lower(): contracts[name] for name in CONTRACTS},
            )
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, ConfigError):
                raise
            raise ConfigError(f"deployment: malformed record ({exc!r})") from None

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Deployment:
        path = Path(path)
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"no deployment file at {path} (run `ape run deploy` or `memo devnet up`)") from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"deployment file {path} is not JSON: {exc}") from None
        return cls.from_json(data)

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write the record (atomically: a temporary file, then a rename)."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        os.replace(tmp, path)
        return path

    def check(self, client: Any) -> None:
        """Raise :class:`DeploymentMismatch` unless ``client`` is on this chain and every contract has code."""
        if client.chain_id != self.chain_id:
            raise DeploymentMismatch(f"deployment is for chain {self.chain_id}, the node is chain {client.chain_id}")
        for name, address in self.addresses.items():
            if not client.has_code(address):
                raise DeploymentMismatch(f"no contract code at {name} {address} on chain {self.chain_id}")
