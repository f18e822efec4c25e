"""What every `memo` command shares: the home directory, passwords, JSON or rich output,
the network options, token amounts, and one-line errors.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click
from rich.console import Console
from rich.table import Table

from memo_py.display import DECIMALS, format_tokens, format_utc
from memo_py.errors import ConfigError, MemoError
from memo_py.wallet import DEFAULT_HOME, WalletStore

if TYPE_CHECKING:
    from memo_py.chain.contracts import MemoContracts
    from memo_py.cli.settings import Settings

__all__ = [
    "home_option",
    "json_option",
    "password_option",
    "network_options",
    "Network",
    "InvalidAmount",
    "CommandFailed",
    "parse_amount",
    "parse_size",
    "parse_wei",
    "format_amount",
    "emit",
    "fail",
    "guard",
    "MemoGroup",
    "wallets",
    "read_password",
    "ask_secret",
    "NoPassword",
]

#: Token and ETH amounts on the command line have this many decimals (wei).

home_option = click.option(
    "--home",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_HOME,
    show_default=True,
    envvar="MEMO_HOME",
    help="Where memo keeps wallets and settings.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
password_option = click.option(
    "--password-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    envvar="MEMO_PASSWORD_FILE",
    help="Read the wallet password from this file [env MEMO_PASSWORD_FILE] (else $MEMO_PASSWORD, "
    "else a prompt on a terminal).",
)


def wallets(home: Path) -> WalletStore:
    return WalletStore(home / "wallets")


class NoPassword(MemoError, PermissionError):
    """A wallet password is needed, and there is neither a terminal to ask on nor a file or
    variable that holds it."""


def read_password(password_file: Path | None, *, confirm: bool = False) -> str:
    """The wallet password: ``--password-file`` (or ``$MEMO_PASSWORD_FILE``, read once), else
    ``$MEMO_PASSWORD``, else a hidden prompt. Without a terminal there is no prompt: NoPassword."""
    if password_file is not None:
        return password_file.read_text().rstrip("\n")
    if "MEMO_PASSWORD" in os.environ:
        return os.environ["MEMO_PASSWORD"]
    return ask_secret("Password", confirm=confirm, instead="set MEMO_PASSWORD or MEMO_PASSWORD_FILE, or pass --password-file")


def ask_secret(label: str, *, confirm: bool = False, instead: str) -> str:
    """A hidden prompt on the terminal; without one, NoPassword saying what to do ``instead``."""
    if not sys.stdin.isatty():
        raise NoPassword(f"no terminal to ask for the {label.lower()}: {instead}")
    return click.prompt(label, hide_input=True, confirmation_prompt=confirm)


def emit(data: dict[str, Any] | list[dict[str, Any]], as_json: bool, title: str | None = None) -> None:
    """Print a record or a list of records: as JSON (every field, amounts also in wei), or
    for a person, a record as ``key: value`` lines and a list as a table, without the
    ``…_wei`` twins of amounts and with ``…_at`` Unix times as UTC dates."""
    if as_json:
        click.echo(json.dumps(data, indent=None if isinstance(data, list) else 1, default=str))
        return
    if isinstance(data, dict):
        shown = _for_a_person(data)
        width = max((len(k) for k in shown), default=0)
        if title:
            click.echo(f"{title}:")
        for key, value in shown.items():
            click.echo(f"  {key.ljust(width)}  {value}")
        return
    rows = [_for_a_person(row) for row in data]
    table = Table(title=title)
    columns = list(rows[0]) if rows else ["(none)"]
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(str(row[c]) for c in columns))
    Console().print(table)


def _for_a_person(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without the ``…_wei`` fields that have a token twin, its ``…_at`` times as dates."""
    shown: dict[str, Any] = {}
    for key, value in record.items():
        if key.endswith("_wei") and key[: -len("_wei")] in record:
            continue
        if key.endswith("_at") and isinstance(value, int) and not isinstance(value, bool) and value > 0:
            value = format_utc(value)
        shown[key] = "-" if value is None else value
    return shown


def fail(exc: MemoError | Exception | str, *, status: int = 1) -> NoReturn:
    """One clear line on stderr and exit ``status`` (1; 2 for a usage error); never a traceback
    for bad input."""
    text = str(exc).strip() or type(exc).__name__
    function = getattr(exc, "function", None)
    if function and type(exc).__name__ == "ChainRevert":
        text = f"{function} reverted: {text}"
    click.echo("error: " + " ".join(text.split()), err=True)
    sys.exit(status)


class MemoGroup(click.Group):
    """The root ``memo`` group: click's own errors in the project's style.

    Every error is one ``error: ...`` line on stderr. Exit status 2 for a usage error (an
    unknown option, a missing or invalid argument: click's ``UsageError``), 1 for everything
    else (:func:`fail`). A negative amount (``memo user deposit -5``, which click takes for an
    option) is reported as the bad amount it is, exit 1, like any other bad amount.
    """

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            result = super().main(*args, standalone_mode=False, **kwargs)
        except click.NoSuchOption as exc:
            # click reports "-5.5" as the short option "-5": name the whole word typed
            words = kwargs.get("args") or (args[0] if args else None) or sys.argv[1:]
            negative = [w for w in words if _NEGATIVE.fullmatch(w) and w.startswith(exc.option_name)]
            if negative:
                fail(InvalidAmount(_negative_amount("amount", negative[0])))
            fail(_usage_text(exc), status=2)
        except click.UsageError as exc:
            fail(_usage_text(exc), status=2)
        except click.ClickException as exc:
            fail(exc.format_message(), status=exc.exit_code)
        except click.Abort:
            fail("aborted")
        sys.exit(result if isinstance(result, int) else 0)


_NEGATIVE = re.compile(r"-[0-9]+(?:\.[0-9]*)?")


def _usage_text(exc: click.UsageError) -> str:
    message = exc.format_message()
    message = message[:1].lower() + message[1:]
    if exc.ctx is not None:
        path = exc.ctx.command_path
        return f"{path}: {message.rstrip('.')} (see `{path} --help`)"
    return message


@contextmanager
def guard() -> Iterator[None]:
    """Turn the SDK's errors on bad input or a bad network into :func:`fail`.

    MemoError covers the SDK (chain reverts, an unreachable node, wrong passwords,
    unknown wallets); ValueError, LookupError and OSError cover the wrappers' own
    checks and files; the HTTP and JSON-RPC libraries' errors are a peer or node that
    misbehaves. Anything else is a bug and keeps its traceback.
    """
    try:
        yield
    except (MemoError, ValueError, LookupError, OSError) as exc:
        fail(exc)
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in _NETWORK_LIBRARIES:
            fail(f"{type(exc).__name__}: {exc}")
        raise


_NETWORK_LIBRARIES = frozenset({"httpx", "httpcore", "requests", "urllib3", "web3"})


# ---------------------------------------------------------------------------- amounts


class CommandFailed(MemoError, RuntimeError):
    """A command could not do what it was asked (the message says why)."""


class InvalidAmount(MemoError, ValueError):
    """A token amount, price or size on the command line is not a well-formed number."""


_AMOUNT = re.compile(r"([0-9]+)(?:\.([0-9]+))?")
_SIZE = re.compile(r"([0-9]+) ?([kmgtp]i?b?|b)?", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 10**3, "m": 10**6, "g": 10**9, "t": 10**12, "p": 10**15,
               "ki": 2**10, "mi": 2**20, "gi": 2**30, "ti": 2**40, "pi": 2**50}


def parse_amount(text: str, *, what: str = "amount", allow_zero: bool = False) -> int:
    """``"10"`` or ``"10.5"`` token units (18 decimals) as wei. Nothing else: no sign, exponent,
    separators, or more than 18 decimals."""
    match = _AMOUNT.fullmatch(text.strip())
    if match is None and _AMOUNT.fullmatch(text.strip().removeprefix("-")):
        raise InvalidAmount(_negative_amount(what, text.strip()))
    if match is None:
        raise InvalidAmount(f"{what} {text!r} is not a number of tokens like 10 or 10.5")
    whole, fraction = match.group(1), match.group(2) or ""
    if len(fraction) > DECIMALS:
        raise InvalidAmount(f"{what} {text!r} has more than {DECIMALS} decimals")
    wei = int(whole) * 10**DECIMALS + int(fraction.ljust(DECIMALS, "0") or 0)
    if wei == 0 and not allow_zero:
        raise InvalidAmount(f"{what} must be more than zero")
    if wei >= 2**256:
        raise InvalidAmount(f"{what} {text!r} is too large")
    return wei


def _negative_amount(what: str, text: str) -> str:
    return f"{what} {text} is negative: give a positive number of tokens like 10 or 10.5"


def parse_wei(text: str, *, what: str = "value") -> int:
    """A whole number of wei (no decimals, no sign)."""
    if not re.fullmatch(r"[0-9]+", text.strip()):
        raise InvalidAmount(f"{what} {text!r} is not a whole number of token wei")
    value = int(text)
    if value >= 2**256:
        raise InvalidAmount(f"{what} {text!r} is too large")
    return value


def parse_size(text: str, *, what: str = "size") -> int:
    """Bytes: ``1000000``, ``500MB``, ``10GiB`` (k/M/G/T/P powers of 1000, Ki/Mi/Gi/Ti/Pi of 1024)."""
    match = _SIZE.fullmatch(text.strip())
    if match is None:
        raise InvalidAmount(f"{what} {text!r} is not a size like 1000000, 500MB or 10GiB")
    unit = (match.group(2) or "").lower().removesuffix("b")
    value = int(match.group(1)) * _SIZE_UNITS[unit]
    if value <= 0:
        raise InvalidAmount(f"{what} must be more than zero")
    return value


def format_amount(wei: int) -> str:
    """Wei as token units, without trailing zeros: ``10500000000000000000`` → ``"10.5"``."""
    return format_tokens(wei)


def amount_fields(name: str, wei: int) -> dict[str, Any]:
    """``{name: "10.5", name_wei: 10500000000000000000}`` for output records."""
    return {name: format_amount(wei), f"{name}_wei": int(wei)}


# ---------------------------------------------------------------------------- network


rpc_option = click.option(
    "--rpc", "rpc_url", envvar="MEMO_RPC_URL", default=None, metavar="URL",
    help="JSON-RPC URL of the chain node [env MEMO_RPC_URL; default: settings, else http://127.0.0.1:8545].",
)
deployment_option = click.option(
    "--deployment", type=click.Path(dir_okay=False, path_type=Path), envvar="MEMO_DEPLOYMENT", default=None,
    help="The deployment JSON file (contract addresses) [env MEMO_DEPLOYMENT; default: settings].",
)
wallet_option = click.option(
    "--wallet", "wallet_name", envvar="MEMO_WALLET", default=None, metavar="NAME",
    help="The wallet to act as [env MEMO_WALLET; default: settings].",
)
keeper_option = click.option(
    "--keeper", "keeper_urls", multiple=True, envvar="MEMO_KEEPERS", metavar="URL",
    help="A Keeper's URL; repeat for several [env MEMO_KEEPERS, comma-separated; default: settings].",
)


class Network:
    """The network a command talks to: options first, then ``<home>/settings.json``, then defaults."""

    def __init__(
        self,
        home: Path,
        rpc_url: str | None = None,
        deployment: Path | None = None,
        wallet_name: str | None = None,
        password_file: Path | None = None,
        keeper_urls: tuple[str, ...] = (),
    ) -> None:
        self.home = Path(home)
        self._rpc_url = rpc_url
        self._deployment = deployment
        self._wallet = wallet_name
        self._password_file = password_file
        self._keepers = tuple(u for item in keeper_urls for u in (p.strip() for p in item.split(",")) if u)
        self._settings: Settings | None = None
        self._key: bytes | None = None
        self._daemon_rpc: str | None = None
        self._daemon_deployment: Path | None = None

    def use_daemon_config(self, path: Path, rpc_url: str | None, deployment: Path | None) -> None:
        """Take the node and deployment of a daemon config file at ``path`` when no option names
        them (they win over the settings file; relative paths are from the config's directory)."""
        self._daemon_rpc = rpc_url or None
        if deployment is not None:
            deployment = Path(deployment).expanduser()
            self._daemon_deployment = deployment if deployment.is_absolute() else path.resolve().parent / deployment

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            from memo_py.cli.settings import load_settings

            self._settings = load_settings(self.home)
        return self._settings

    @property
    def rpc_url(self) -> str:
        if self._rpc_url:
            if not _valid(self._rpc_url):
                raise ConfigError(f"--rpc {self._rpc_url!r} is not an http:// or https:// URL")
            return self._rpc_url.strip().rstrip("/")
        return self._daemon_rpc or self.settings.rpc_url

    @property
    def deployment(self) -> Path:
        path = self._deployment or self._daemon_deployment or self.settings.deployment
        if path is None:
            raise ConfigError(
                "no deployment file: pass --deployment PATH or run `memo config set deployment PATH`"
            )
        return Path(path)

    @property
    def keepers(self) -> tuple[str, ...]:
        from memo_py.cli.settings import Settings

        if self._keepers:
            try:
                return Settings(keepers=self._keepers).keepers
            except ValueError as exc:
                raise ConfigError(f"--keeper: {_first_error(exc)}") from None
        if not self.settings.keepers:
            raise ConfigError("no Keeper URL: pass --keeper URL or run `memo config set keepers URL[,URL...]`")
        return self.settings.keepers

    @property
    def wallet_name(self) -> str:
        name = self._wallet or self.settings.wallet
        if not name:
            raise ConfigError("no wallet chosen: pass --wallet NAME or run `memo config set wallet NAME`")
        return name

    def address(self, name: str | None = None) -> str:
        """The address of wallet ``name`` (default: the chosen wallet). Needs no password."""
        return wallets(self.home).get(name or self.wallet_name).address

    def resolve(self, who: str | None) -> tuple[str | None, str]:
        """``(wallet name or None, address)`` of ``who``: an 0x address, a wallet name, or
        (None) the chosen wallet."""
        if who is not None and who.startswith("0x"):
            from eth_utils import is_hex_address, to_checksum_address

            if not is_hex_address(who):
                raise ConfigError(f"{who!r} is not an Ethereum address")
            return None, to_checksum_address(who)
        name = who or self.wallet_name
        return name, self.address(name)

    def private_key(self) -> bytes:
        """The chosen wallet's key (asks for its password once)."""
        if self._key is None:
            name = self.wallet_name
            store = wallets(self.home)
            store.get(name)  # an unknown wallet fails before the password prompt
            self._key = store.unlock(name, read_password(self._password_file))
        return self._key

    def contracts(self, *, signer: bool = True, key: bytes | str | None = None) -> MemoContracts:
        """The deployed contracts, signing with ``key``, else the chosen wallet, else read-only."""
        from memo_py.chain.contracts import MemoContracts
        from memo_py.chain.deployment import Deployment

        from memo_py.chain.errors import ChainUnavailable

        deployment = Deployment.load(self.deployment)
        if key is None and signer:
            key = self.private_key()
        url = self.rpc_url
        try:
            return MemoContracts.connect(url, deployment, key, retries=3, request_timeout=15.0)
        except ChainUnavailable:
            raise ChainUnavailable(
                f"no answer from the chain node at {url} (is it running? set it with --rpc or `memo config set rpc-url`)"
            ) from None


def _valid(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url.strip())
    return parts.scheme in ("http", "https") and bool(parts.netloc)


def _first_error(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        return str(errors()[0]["msg"]).removeprefix("Value error, ")
    return str(exc)


def network_options(*, wallet: bool = True, password: bool = True, keepers: bool = False) -> Callable[[Callable], Callable]:
    """Add ``--home --rpc --deployment`` (and ``--wallet``, ``--password-file``, ``--keeper``) to a
    command and hand it one :class:`Network` as ``net``."""

    def decorate(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args: Any, home: Path, rpc_url: str | None, deployment: Path | None, **kwargs: Any) -> Any:
            net = Network(
                home,
                rpc_url,
                deployment,
                kwargs.pop("wallet_name", None),
                kwargs.pop("password_file", None),
                tuple(kwargs.pop("keeper_urls", ()) or ()),
            )
            return f(*args, net=net, **kwargs)

        options = [home_option, rpc_option, deployment_option]
        if wallet:
            options.append(wallet_option)
        if password:
            options.append(password_option)
        if keepers:
            options.append(keeper_option)
        for option in reversed(options):
            wrapper = option(wrapper)
        return wrapper

    return decorate
