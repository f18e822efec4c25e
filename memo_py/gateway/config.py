"""The S3 gateway's configuration file (JSON or TOML, as :mod:`memo_py.configfile` reads them).

One gateway serves several MEMO Users, each behind its own S3 access key::

    rpc_url = "http://127.0.0.1:8545"
    deployment = "deployment.json"
    keepers = ["http://127.0.0.1:8800"]
    data_dir = "gateway-data"        # multipart parts and the index caches
    host = "127.0.0.1"
    port = 9000
    k = 4                            # a new bucket's redundancy, unless its CreateBucket says otherwise
    m = 2

    [[users]]
    access_key = "memo-alice"
    secret_key_file = "alice.s3secret"   # or secret_key = "..." (the file is better)
    private_key_file = "alice.key"       # the User's wallet: a hex key, or a keystore
    key_password_file = "alice.password" # with a keystore

Secrets live in files named by the config, never on the command line. Relative paths
are the config file's. Every problem is a :class:`~memo_py.errors.ConfigError` naming
the file and the setting.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from memo_py.configfile import PrivateKey, load_model, read_config_file, read_secret
from memo_py.errors import ConfigError

__all__ = ["GatewayConfig", "GatewayUser", "load_config"]


class GatewayUser(BaseModel):
    """One S3 identity: its access key and secret, and the MEMO User (wallet key) it acts as."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    access_key: str = Field(min_length=3, max_length=128, pattern=r"^[A-Za-z0-9._\-]+$")
    secret_key: SecretStr
    private_key: PrivateKey

    @field_validator("secret_key")
    @classmethod
    def _long_enough(cls, value: SecretStr) -> SecretStr:
        if len(value.get_secret_value()) < 16:
            raise ValueError("secret_key must be at least 16 characters")
        return value


class GatewayConfig(BaseModel):
    """Where the gateway listens, which network its Users are on, and who they are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    rpc_url: str
    deployment: Path
    keepers: tuple[str, ...] = Field(min_length=1)
    data_dir: Path
    users: tuple[GatewayUser, ...] = Field(min_length=1)
    host: str = "127.0.0.1"
    port: int = Field(default=9000, ge=0, lt=65536)
    #: The region the gateway answers for (SigV4 scopes name it; GetBucketLocation returns it).
    region: str = "us-east-1"
    #: Virtual-host addressing: ``<bucket>.<domain>`` (None: path style only).
    domain: str | None = None
    #: A new bucket's redundancy, unless CreateBucket sends ``x-memo-redundancy: K+M``.
    k: int = Field(default=4, ge=1, le=64)
    m: int = Field(default=2, ge=0, le=64)
    #: Epochs from a write's settlement to the start of the orders it opens (the SDK's
    #: ``UserConfig.start_delay``; an upload that outlasts them is re-timed at commit).
    start_delay: int = Field(default=2, ge=1)
    #: HTTPS when both are given (PEM files, relative to the config file).
    tls_certfile: Path | None = None
    tls_keyfile: Path | None = None
    #: uvicorn's log level.
    log_level: str = "warning"

    @field_validator("users")
    @classmethod
    def _distinct(cls, users: tuple[GatewayUser, ...]) -> tuple[GatewayUser, ...]:
        keys = [u.access_key for u in users]
        if len(set(keys)) != len(keys):
            raise ValueError("two users have the same access_key")
        return users

    def secret_of(self, access_key: str) -> str | None:
        """The secret of ``access_key`` (None for a key the gateway does not know)."""
        user = self.user(access_key)
        return None if user is None else user.secret_key.get_secret_value()

    def user(self, access_key: str) -> GatewayUser | None:
        return next((u for u in self.users if u.access_key == access_key), None)


def load_config(path: str | os.PathLike[str]) -> GatewayConfig:
    """A :class:`GatewayConfig` from a JSON or TOML file (ConfigError on any problem)."""
    path = Path(path)
    base = path.resolve().parent
    data = read_config_file(path)
    users = data.get("users")
    if isinstance(users, list):
        data["users"] = [_user_secrets(base, path, i, u) for i, u in enumerate(users)]
    for name in ("deployment", "tls_certfile", "tls_keyfile"):
        if isinstance(data.get(name), str):
            data[name] = str((base / data[name]).expanduser())
    if (data.get("tls_certfile") is None) != (data.get("tls_keyfile") is None):
        raise ConfigError(f"config file {path}: give both tls_certfile and tls_keyfile, or neither")
    return load_model(GatewayConfig, path, (), **data)  # data as read here wins over the raw file


def _user_secrets(base: Path, path: Path, index: int, user: object) -> object:
    """``users[index]`` with ``secret_key_file`` and ``private_key_file`` read."""
    if not isinstance(user, dict):
        return user
    user = dict(user)
    password_file = user.pop("key_password_file", None)
    for name in ("secret_key", "private_key"):
        file_key = f"{name}_file"
        if file_key not in user:
            continue
        if name in user:
            raise ConfigError(f"config file {path}: users[{index}]: give {name} or {file_key}, not both")
        try:
            user[name] = read_secret(base, name, user.pop(file_key), password_file)
        except ConfigError as exc:
            raise ConfigError(f"config file {path}: users[{index}]: {exc}") from None
    return user
