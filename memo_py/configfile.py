"""Daemon configuration files: JSON or TOML, secrets in key files, clear errors.

A config file is one JSON object (``.json``) or TOML table (``.toml``) whose keys are
the fields of a daemon's pydantic config model
(:class:`memo_py.provider.config.ProviderConfig`, :class:`memo_py.keeper.config.KeeperConfig`).
Secrets are better kept out of it: a secret field ``<name>`` may instead be given as
``<name>_file``, a path to a file holding the key (hex, one line), or for the Ethereum
key an encrypted keystore (Web3 Secret Storage, as ``memo wallet`` writes) together
with ``key_password_file``. Relative paths (key files, ``data_dir``) are taken from the
config file's directory. Every problem is a :class:`~memo_py.errors.ConfigError` that
names the file and the field.
"""

from __future__ import annotations

import difflib
import json
import logging
import os
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any, TypeVar

from eth_account import Account
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, SecretStr, ValidationError

from memo_py.errors import ConfigError

__all__ = ["AgentEndpoint", "DaemonConfig", "PrivateKey", "load_model", "read_config_file", "read_secret"]

log = logging.getLogger(__name__)

M = TypeVar("M", bound=BaseModel)


def _parse(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except OSError as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc.strerror}") from None
    suffix = path.suffix.lower()
    try:
        if suffix == ".json":
            data = json.loads(text)
        elif suffix == ".toml":
            data = tomllib.loads(text)
        else:
            raise ConfigError(f"config file {path}: use a .json or .toml file, not {suffix or 'no suffix'!r}")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"config file {path} is not valid {suffix[1:].upper()}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path} must hold one object/table of settings")
    return data


def read_secret(base: Path, name: str, value: Any, password_file: Any) -> str:
    """The secret ``<name>_file = value`` names (relative to ``base``): a hex key on one line,
    or an encrypted keystore opened with the password in ``password_file``."""
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{name}_file must be a path")
    path = (base / value).expanduser()
    try:
        text = path.read_text().strip()
        mode = path.stat().st_mode
    except OSError as exc:
        raise ConfigError(f"{name}_file {path} cannot be read: {exc.strerror}") from None
    if mode & 0o077:
        log.warning("key file %s is readable by other users (chmod 600 it)", path)
    if text.startswith("{"):
        try:
            keystore = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"{name}_file {path} is neither a hex key nor a JSON keystore: {exc}") from None
        if password_file is None:
            raise ConfigError(f"{name}_file {path} is an encrypted keystore: give key_password_file too")
        password = read_secret(base, "key_password", password_file, None)
        try:
            return "0x" + bytes(Account.decrypt(keystore, password)).hex()
        except ValueError:
            raise ConfigError(f"key_password_file does not open the keystore {path}") from None
    return text


def read_config_file(path: str | os.PathLike[str], secrets: Iterable[str] = ()) -> dict[str, Any]:
    """The settings of a config file, with each secret field in ``secrets`` read from its
    ``<name>_file`` when given that way, and ``data_dir`` made absolute."""
    path = Path(path)
    data = _parse(path)
    base = path.resolve().parent
    password_file = data.pop("key_password_file", None)
    for name in secrets:
        file_key = f"{name}_file"
        if file_key not in data:
            continue
        if name in data:
            raise ConfigError(f"config file {path}: give {name} or {file_key}, not both")
        try:
            data[name] = read_secret(base, name, data.pop(file_key), password_file)
        except ConfigError as exc:
            raise ConfigError(f"config file {path}: {exc}") from None
    if isinstance(data.get("data_dir"), str):
        data["data_dir"] = str((base / data["data_dir"]).expanduser())
    return data


def _describe(model: type[BaseModel], exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        if error["type"] == "extra_forbidden":
            # A misspelled key must not leave its setting at the default unnoticed.
            close = difflib.get_close_matches(str(error["loc"][-1]), list(model.model_fields), n=1)
            hint = f" (did you mean {close[0]}?)" if len(error["loc"]) == 1 and close else ""
            parts.append(f"{where}: unknown setting{hint}")
        else:
            parts.append(f"{where}: {error['msg']}")
    return "; ".join(parts)


def load_model(model: type[M], path: str | os.PathLike[str], secrets: Iterable[str] = (), **overrides: Any) -> M:
    """Validate a config file as ``model`` (ConfigError on any problem)."""
    values: Mapping[str, Any] = {**read_config_file(path, secrets), **overrides}
    try:
        return model(**values)
    except ValidationError as exc:
        raise ConfigError(f"config file {path}: {_describe(model, exc)}") from None


def _check_private_key(value: SecretStr) -> SecretStr:
    try:
        Account.from_key(value.get_secret_value())
    except Exception as exc:  # eth-account raises several types for bad keys
        raise ValueError(f"private_key is not an Ethereum private key: {type(exc).__name__}") from None
    return value


#: A config's Ethereum private key: kept secret in reprs, checked to be a key.
PrivateKey = Annotated[SecretStr, AfterValidator(_check_private_key)]


class AgentEndpoint(BaseModel):
    """Another agent, by its Ethereum address and the URL of its HTTP API."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    address: str
    url: str


class DaemonConfig(BaseModel):
    """What every daemon's config has: its key, its data, its chain and its rhythm.

    Unknown keys are refused (``extra="forbid"``), in every config model: a misspelled
    ``keepers`` must not leave a Provider that silently never pushes a proof.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    private_key: PrivateKey
    data_dir: Path
    #: Seconds between two steps of the daemon's epoch cycle.
    tick_seconds: float = Field(default=2.0, gt=0)
    #: Once a step found nothing pending, the next steps of the same epoch only read the
    #: current epoch, for at most this many seconds (0: every step does everything). What
    #: happens on chain mid-epoch (a dispute, an attested root) is then seen within it.
    quiet_seconds: float = Field(default=60.0, ge=0)
    #: JSON-RPC URL of the chain node (used by ``run_from_config``; None when the caller
    #: builds the chain access itself).
    rpc_url: str | None = None
    #: The deployment record (``deployments/<network>.json``; relative to the config file).
    deployment: Path | None = None
    #: uvicorn's log level for the HTTP server.
    log_level: str = "warning"

    @property
    def address(self) -> str:
        """The daemon's checksum address (derived from its key)."""
        return Account.from_key(self.private_key.get_secret_value()).address
