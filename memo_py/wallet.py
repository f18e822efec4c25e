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

__all__ = ["DEFAULT_HOME", "WalletExists", "WrongPassword", "WalletDamaged", "Wallet", "WalletStore"]

#: Where the CLI keeps its files unless ``--home`` or ``$MEMO_HOME`` says otherwise.
DEFAULT_HOME = Path(os.environ.get("MEMO_HOME", Path.home() / ".memo"))

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class WalletExists(MemoError, FileExistsError):
    """A wallet of that name already exists; nothing was overwritten."""


class WrongPassword(MemoError, PermissionError):
    """The password does not open the keystore."""


class WalletDamaged(MemoError, ValueError):
    """A keystore file is not a keystore: not JSON, or fields missing or malformed. ``path`` names it."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


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
        """Save an existing key, encrypted. Refuses to overwrite another key; the same key
        imported again under the same name is the wallet already there (nothing is written),
        so a set-up script can run twice."""
        path = self._path(name)
        try:
            account = Account.from_key(private_key)
        except Exception as exc:  # eth-account raises ValueError / binascii errors for bad keys
            raise ConfigError(f"not a valid private key: {exc}") from None
        if path.exists():
            existing = self.get(name)
            if existing.address == account.address:
                return existing
            raise WalletExists(f"wallet {name!r} already exists at {path} and holds another key ({existing.address})")
        if not password:
            raise ConfigError("a wallet needs a non-empty password")
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
        """Wallet ``name``; ConfigError when there is none, WalletDamaged when its file is not a keystore."""
        path = self._path(name)
        return Wallet(name, _address(_read_keystore(path, f"no wallet named {name!r} in {self.directory}")), path)

    def scan(self) -> tuple[list[Wallet], list[WalletDamaged]]:
        """The readable wallets, and one WalletDamaged per file that is not a keystore."""
        good: list[Wallet] = []
        damaged: list[WalletDamaged] = []
        if not self.directory.is_dir():
            return good, damaged
        for path in sorted(self.directory.glob("*.json")):
            try:
                good.append(self.get(path.stem))
            except WalletDamaged as exc:
                damaged.append(exc)
            except ConfigError as exc:  # a file whose name is not a wallet name
                damaged.append(WalletDamaged(str(exc), path))
        return good, damaged

    def list(self) -> list[Wallet]:
        """Every wallet; WalletDamaged for the first file that is not a keystore (see :meth:`scan`)."""
        good, damaged = self.scan()
        if damaged:
            raise damaged[0]
        return good

    def unlock(self, name: str, password: str) -> bytes:
        """The private key; WrongPassword when the keystore's MAC does not match (a wrong password, or
        a file altered inside its encrypted fields), WalletDamaged when it is not a keystore at all."""
        path = self._path(name)
        keystore = _read_keystore(path, f"no wallet named {name!r} in {self.directory}")
        try:
            return bytes(Account.decrypt(keystore, password))
        except ValueError:
            raise WrongPassword(f"the password does not open wallet {name!r} (or its file {path} is damaged)") from None


def _read_keystore(path: Path, missing: str) -> dict:
    """The keystore JSON at ``path``, its fields checked, so that decrypting it can fail only on the MAC."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        raise ConfigError(missing) from None
    try:
        keystore = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise WalletDamaged(f"wallet file {path} is damaged: not JSON", path) from None
    problem = _keystore_problem(keystore)
    if problem:
        raise WalletDamaged(f"wallet file {path} is damaged: {problem}", path)
    return keystore


def _keystore_problem(keystore: object) -> str | None:
    if not isinstance(keystore, dict):
        return "not a JSON object"
    if keystore.get("version") != 3:
        return "not a version 3 keystore"
    if not _is_hex(keystore.get("address"), 20):
        return "no 20-byte hex address"
    crypto = keystore.get("crypto", keystore.get("Crypto"))
    if not isinstance(crypto, dict):
        return "no crypto section"
    params = crypto.get("kdfparams")
    if crypto.get("kdf") not in ("scrypt", "pbkdf2") or not isinstance(params, dict) or not _is_hex(params.get("salt")):
        return "no scrypt or pbkdf2 parameters"
    needed = ("dklen", "n", "r", "p") if crypto["kdf"] == "scrypt" else ("dklen", "c")
    if not all(isinstance(params.get(k), int) and params[k] > 0 for k in needed):
        return f"{crypto['kdf']} parameters {', '.join(needed)} missing or not positive integers"
    iv = (crypto.get("cipherparams") or {}).get("iv") if isinstance(crypto.get("cipherparams"), dict) else None
    # eth-keyfile writes the IV as an integer, so one of 256 keystores has a 15-byte IV
    # (its leading zero byte dropped): any hex of at most 16 bytes is an IV.
    if crypto.get("cipher") != "aes-128-ctr" or not _is_short_hex(iv, 16):
        return "no aes-128-ctr cipher parameters"
    if not _is_hex(crypto.get("ciphertext")) or not _is_hex(crypto.get("mac"), 32):
        return "no hex ciphertext and 32-byte mac"
    return None


def _is_hex(value: object, size: int | None = None) -> bool:
    if not isinstance(value, str):
        return False
    try:
        data = bytes.fromhex(value.removeprefix("0x"))
    except ValueError:
        return False
    return bool(data) and (size is None or len(data) == size)


def _is_short_hex(value: object, most: int) -> bool:
    """``value`` is hex digits for at most ``most`` bytes (leading zeros may be dropped)."""
    if not isinstance(value, str):
        return False
    digits = value.removeprefix("0x")
    return 0 < len(digits) <= 2 * most and all(c in "0123456789abcdefABCDEF" for c in digits)


def _address(keystore: dict) -> str:
    from eth_utils import to_checksum_address

    return to_checksum_address("0x" + keystore["address"].removeprefix("0x"))
