"""The CLI's network settings: ``<home>/settings.json``.

One small JSON object (a pydantic model) that says which network the ``memo``
commands talk to::

    {"rpc_url": "http://127.0.0.1:8545",
     "deployment": "/home/me/.memo/devnet/deployment.json",
     "keepers": ["http://127.0.0.1:8800"],
     "wallet": "alice"}

Each value may be overridden per command, most specific first:

1. the command's option (``--rpc``, ``--deployment``, ``--keeper``, ``--wallet``);
2. the environment (``MEMO_RPC_URL``, ``MEMO_DEPLOYMENT``, ``MEMO_KEEPERS`` comma-separated,
   ``MEMO_WALLET``);
3. this file (``memo config set KEY VALUE``);
4. the default: a local node at ``http://127.0.0.1:8545``; no deployment, Keepers or wallet.

The file holds no secret: wallets are encrypted keystores under ``<home>/wallets``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from memo_py.errors import ConfigError

__all__ = ["DEFAULT_RPC_URL", "KEYS", "Settings", "settings_path", "load_settings", "save_settings", "update_settings"]

DEFAULT_RPC_URL = "http://127.0.0.1:8545"
FILE_NAME = "settings.json"

#: The keys ``memo config set`` accepts (dashes may replace the underscores).
KEYS = ("rpc_url", "deployment", "keepers", "wallet")


def _check_url(url: str, what: str) -> str:
    url = url.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{what} {url!r} is not an http:// or https:// URL")
    return url.rstrip("/")


class Settings(BaseModel):
    """Which chain, deployment, Keepers and wallet the commands use."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpc_url: str = DEFAULT_RPC_URL
    deployment: Path | None = None
    keepers: tuple[str, ...] = ()
    wallet: str | None = None

    @field_validator("rpc_url")
    @classmethod
    def _rpc(cls, value: str) -> str:
        return _check_url(value, "rpc_url")

    @field_validator("keepers", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(part for part in (p.strip() for p in value.split(",")) if part)
        return value

    @field_validator("keepers")
    @classmethod
    def _keepers(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(_check_url(url, "keeper URL") for url in value)

    @field_validator("deployment")
    @classmethod
    def _absolute(cls, value: Path | None) -> Path | None:
        return None if value is None else value.expanduser().absolute()

    @field_validator("wallet")
    @classmethod
    def _wallet(cls, value: str | None) -> str | None:
        if value is None:
            return None
        from memo_py.wallet import WalletStore

        WalletStore(".")._path(value)  # the name rules of the wallet store (ConfigError)
        return value

    def as_json(self) -> dict[str, Any]:
        return {
            "rpc_url": self.rpc_url,
            "deployment": None if self.deployment is None else str(self.deployment),
            "keepers": list(self.keepers),
            "wallet": self.wallet,
        }


def _describe(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        message = str(error["msg"]).removeprefix("Value error, ")
        parts.append(f"{where}: {message}")
    return "; ".join(parts)


def settings_path(home: str | os.PathLike[str]) -> Path:
    return Path(home) / FILE_NAME


def load_settings(home: str | os.PathLike[str]) -> Settings:
    """The settings in ``home`` (the defaults when there is no file); ConfigError if it is broken."""
    path = settings_path(home)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return Settings()
    except OSError as exc:
        raise ConfigError(f"settings file {path} cannot be read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"settings file {path} is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"settings file {path} must hold one JSON object")
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(f"settings file {path}: {_describe(exc)}") from None


def save_settings(home: str | os.PathLike[str], settings: Settings) -> Path:
    """Write the settings atomically (a temporary file, then a rename)."""
    path = settings_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(settings.as_json(), indent=2) + "\n")
    os.replace(tmp, path)
    return path


def _key(name: str) -> str:
    key = name.strip().lower().replace("-", "_")
    if key == "rpc":
        key = "rpc_url"
    if key not in KEYS:
        raise ConfigError(f"unknown setting {name!r}: use one of {', '.join(k.replace('_', '-') for k in KEYS)}")
    return key


def update_settings(settings: Settings, name: str, value: str | None) -> Settings:
    """``settings`` with ``name`` set to ``value`` (None: back to its default); ConfigError on a bad value."""
    key = _key(name)
    data = settings.model_dump()
    if value is None:
        data[key] = Settings.model_fields[key].default
    else:
        data[key] = value
    try:
        return Settings(**data)
    except ValidationError as exc:
        raise ConfigError(_describe(exc)) from None
