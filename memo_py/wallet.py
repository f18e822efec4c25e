"""Keys on disk: encrypted Ethereum keystores (the Web3 Secret Storage format).

A wallet directory holds one ``<name>.json`` keystore per key. Keys are
encrypted with a password (scrypt + AES-128-CTR, as geth and ape do), so a
keystore made here opens in other Ethereum tools and the other way round.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from eth_account import Account

from memo_py.errors import ConfigError, MemoError

__all__ = ["DEFAULT_HOME", "WalletExists", "WrongPassword", "Wallet", "WalletStore"]

#: Where the CLI keeps its files unless ``--home`` or ``$MEMO_HOME`` says otherwise.
DEFAULT_HOME = Path(os.environ.get("MEMO_HOME", Path.home() / ".memo"))

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class WalletExists(MemoError, FileExistsError):
    """A wallet of that name already exists; nothing was overwritten."""


class WrongPassword(MemoError, PermissionError):
    """The password does not open the keystore."""


@dataclass(frozen=True)
class Wallet:
    name: str
    address: str
    path: Path


class WalletStore:
    """The keystores in one directory."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _path(self, name: str) -> Path:
        if not _NAME.match(name):
            raise ConfigError(f"wallet name {name!r}: use 1-64 letters, digits, '.', '_' or '-'")
        return self.directory / f"{name}.json"

    def create(self, name: str, password: str) -> Wallet:
        """A new random key, saved encrypted."""
        return self.import_key(name, Account.create().key, password)

    def import_key(self, name: str, private_key: bytes | str, password: str) -> Wallet:
        """Save an existing key, encrypted. Refuses to overwrite."""
        path = self._path(name)
        if path.exists():
            raise WalletExists(f"wallet {name!r} already exists at {path}")
        if not password:
            raise ConfigError("a wallet needs a non-empty password")
        try:
            account = Account.from_key(private_key)
        except Exception as exc:  # eth-account raises ValueError / binascii errors for bad keys
            raise ConfigError(f"not a valid private key: {exc}") from None
        keystore = Account.encrypt(account.key, password)
        self.directory.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(keystore, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
        return Wallet(name, account.address, path)

    def get(self, name: str) -> Wallet:
        path = self._path(name)
        try:
            keystore = json.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(f"no wallet named {name!r} in {self.directory}") from None
        return Wallet(name, _address(keystore), path)

    def list(self) -> list[Wallet]:
        if not self.directory.is_dir():
            return []
        return [self.get(p.stem) for p in sorted(self.directory.glob("*.json"))]

    def unlock(self, name: str, password: str) -> bytes:
        """The private key, or WrongPassword."""
        keystore = json.loads(self.get(name).path.read_text())
        try:
            return bytes(Account.decrypt(keystore, password))
        except ValueError:
            raise WrongPassword(f"the password does not open wallet {name!r}") from None


def _address(keystore: dict) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address("0x" + keystore["address"].removeprefix("0x"))
