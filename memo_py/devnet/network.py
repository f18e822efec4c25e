"""A whole local MEMO network in one directory: ``up``, ``status``, ``down``.

:func:`up` builds it step by step, each process recorded in the directory's
:class:`~memo_py.devnet.processes.ProcessTable` (so :func:`down` stops exactly
those, and nothing else):

1. **Node.** anvil (Prague) on a free port, as process ``anvil``, log in
   ``logs/anvil.log``. The set-up transactions are mined at once (automine);
   then the node switches to one block every ``block_time`` seconds
   (``evm_setIntervalMining``), so epochs of ``epoch_length`` blocks pass on
   their own.
2. **Contracts.** :func:`memo_py.chain.deploy.deploy_all` from anvil account 0,
   recorded in ``deployment.json``.
3. **Actors.** From anvil's public development mnemonic: account 0 deploys and
   mints, then the Users, the Providers and the Keepers, each minted
   :data:`FUNDS` and registered with the minimum pledge (Providers with
   :data:`PROVIDER_PLEDGE_FACTOR` times it, so that a few penalties do not take them
   below the minimum, where the Registry makes them inactive; with
   ``http://127.0.0.1:<free port>``, a capacity and a price; Keepers with a BLS key
   derived from a fixed seed, proof of possession and registration signature
   checked on chain).
4. **Daemons.** Per Provider and Keeper: a key file (``keys/<name>.key``, mode 600),
   a config file (``<name>/config.json``, with ``rpc_url`` and ``deployment`` so
   ``python -m memo_py.<role> --config`` runs it), and the daemon itself as its own
   process ``<name>`` with its own log ``logs/<name>.log``. ``up`` returns once
   every ``/health`` answers.
5. **Record.** ``devnet.json``: RPC URL, chain id, deployment, every endpoint and
   address, the Users' key files (a User needs nothing else: its master secret
   derives from its key), and the gas each set-up step used.

Everything here is for a development machine: the keys are anvil's well-known
ones, never to be used on a real network.

A devnet runs :data:`DEFAULT_PROVIDERS` (7) Providers, one more than a default bucket's
stripe (k=4, m=2) needs: with any one of them down, every write still finds its six.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
from eth_account import Account
from eth_account.signers.local import LocalAccount

from memo_py.crypto.challenge import DEFAULT_SAMPLE_SIZE
from memo_py.devnet.anvil import DEFAULT_MNEMONIC, anvil_args, free_port, free_ports, wait_for_rpc
from memo_py.devnet.processes import ProcessTable
from memo_py.errors import ConfigError, MemoError

__all__ = [
    "DevnetError",
    "DevnetInUse",
    "FUNDS",
    "DEVNET_FILE",
    "DEFAULT_PROVIDERS",
    "up",
    "status",
    "down",
    "load",
    "restart_daemon",
    "fund",
    "wait_healthy",
    "user_client",
    "mnemonic_account",
]

#: Providers of a devnet: one more than a default stripe (k=4 + m=2), so that a default
#: bucket stays writable with any one Provider down.
DEFAULT_PROVIDERS = 7

Account.enable_unaudited_hdwallet_features()

UNIT = 10**18
#: Tokens minted to every devnet actor.
FUNDS = 10_000 * UNIT
#: The record ``up`` writes.
DEVNET_FILE = "devnet.json"
#: Payload bytes a devnet Provider offers (1 GiB).
PROVIDER_CAPACITY = 2**30
#: Providers pledge this many times the minimum: one below the minimum takes no new orders
#: and its Users cannot update its orders, so a missed proof must not get it there at once.
PROVIDER_PLEDGE_FACTOR = 2
#: Base price per byte per epoch; Provider i asks ``PRICE * (100 + i) // 100``.
PRICE = 10**9


class DevnetError(MemoError, RuntimeError):
    """The devnet could not be started, or is not running."""


class DevnetInUse(DevnetError):
    """``up`` was given a directory that holds a devnet already, running or stopped."""


#: Directories ``up`` makes for each role, in its directory (``user-<i>``: by earlier versions).
_ROLE_DIR = re.compile(r"(provider|keeper|user)-[0-9]+")
#: Files and directories ``up`` writes besides the role directories.
_DEVNET_ENTRIES = (DEVNET_FILE, "deployment.json", "processes.json", "processes.tmp", "keys", "logs", "gateway")
#: Files only ``up`` writes: one of them tells a devnet's directory (and what --reset may wipe).
_DEVNET_MARKERS = (DEVNET_FILE, "processes.json", "deployment.json")


def _leftovers(directory: Path) -> list[Path]:
    """What an earlier ``up`` left in ``directory`` (only names ``up`` itself writes)."""
    if not directory.is_dir():
        return []
    found = [directory / name for name in _DEVNET_ENTRIES if (directory / name).exists()]
    found += sorted(p for p in directory.iterdir() if p.is_dir() and _ROLE_DIR.fullmatch(p.name))
    return found


def _is_devnet(directory: Path) -> bool:
    return any((directory / name).is_file() for name in _DEVNET_MARKERS)


def _wipe(directory: Path) -> tuple[list[str], list[str]]:
    """Stop what the devnet in ``directory`` runs and remove what ``up`` wrote there (nothing
    else); the names stopped and the entries removed."""
    stopped = ProcessTable(directory).stop_all() if (directory / "processes.json").exists() else []
    removed = []
    for path in _leftovers(directory):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
        removed.append(path.name)
    return stopped, removed


def _refuse_or_reset(directory: Path, reset: bool, say: Callable[[str], None]) -> None:
    """``up``'s check of its directory: raise :class:`DevnetInUse` (touching nothing) if it
    holds a devnet and ``reset`` is not set; with ``reset``, stop and wipe that devnet."""
    if directory.exists() and not directory.is_dir():
        raise DevnetInUse(f"{directory} is not a directory")
    leftovers = _leftovers(directory)
    if not leftovers:
        return
    names = ", ".join(p.name for p in leftovers)
    if not _is_devnet(directory):
        # Names `up` uses, but none of the files only `up` writes: maybe not a devnet's at all.
        raise DevnetInUse(
            f"{directory} holds {names} but no devnet record ({', '.join(_DEVNET_MARKERS)}), "
            "so neither `up` nor --reset will touch it: move them away or pick another --dir"
        )
    try:
        running = _running(directory)
    except (ValueError, TypeError, KeyError) as exc:
        raise DevnetInUse(
            f"{directory / 'processes.json'} is unreadable ({exc}), so what runs there is unknown: "
            "stop its processes by hand and remove the file"
        ) from None
    if reset:
        stopped, removed = _wipe(directory)
        say(f"reset {directory}: " + (f"stopped {', '.join(stopped)}; " if stopped else "")
            + f"removed {', '.join(removed)}")
    elif running:
        raise DevnetInUse(
            f"a devnet is running in {directory} ({', '.join(running)}): `memo devnet down --dir {directory}` "
            "stops it, or --reset stops and wipes it and starts clean"
        )
    else:
        raise DevnetInUse(
            f"{directory} holds a stopped devnet ({names}); its Providers keep the old chain's agreements, "
            "which a new chain would refuse every write to: --reset wipes it and starts clean, "
            "or pick another --dir"
        )


def mnemonic_account(index: int, mnemonic: str = DEFAULT_MNEMONIC) -> LocalAccount:
    """Account ``index`` of the development mnemonic (anvil's accounts, in order)."""
    return Account.from_mnemonic(mnemonic, account_path=f"m/44'/60'/0'/0/{index}")


def _write_secret(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text + "\n")
    return path


def _write_json(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n")
    os.replace(tmp, path)
    return path


def load(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """The ``devnet.json`` record of the devnet in ``directory``."""
    path = Path(directory) / DEVNET_FILE
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        raise DevnetError(f"no devnet in {directory} (no {DEVNET_FILE}; run `memo devnet up`)") from None


def _health(url: str, timeout: float = 2.0) -> dict[str, Any] | None:
    try:
        answer = httpx.get(url.rstrip("/") + "/health", timeout=timeout)
        if answer.status_code == 200:
            return answer.json()
    except (httpx.HTTPError, ValueError):
        pass
    return None


def _tail(path: str, lines: int = 15) -> str:
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def wait_healthy(
    directory: str | os.PathLike[str],
    names: list[str],
    urls: list[str],
    timeout: float = 90.0,
    addresses: list[str] | None = None,
) -> None:
    """Wait until every ``urls[i]`` answers ``/health``; fail at once if ``names[i]`` died.

    With ``addresses``, the answer must name ``addresses[i]``: an answer from another
    account means another process holds that port, and the daemon will never serve there.
    """
    table = ProcessTable(directory)
    pending = dict(zip(names, urls))
    expected = dict(zip(names, addresses)) if addresses is not None else {}
    deadline = time.monotonic() + timeout
    while pending:
        running = table.load()
        for name in list(pending):
            entry = running.get(name)
            if entry is None or not entry.alive():
                log = entry.log if entry else str(Path(directory) / "logs" / f"{name}.log")
                raise DevnetError(f"{name} exited during start-up; its log ({log}) ends with:\n{_tail(log)}")
            health = _health(pending[name], timeout=1.0)
            if health is None:
                continue
            if name in expected and str(health.get("address", "")).lower() != expected[name].lower():
                raise DevnetError(
                    f"{pending[name]} answers as {health.get('address')}, not {name} ({expected[name]}): "
                    "another process holds that port"
                )
            del pending[name]
        if not pending:
            return
        if time.monotonic() > deadline:
            raise DevnetError(f"no /health answer within {timeout:.0f} s from: {', '.join(pending)}")
        time.sleep(0.25)


def _daemon_args(role: str, config: str) -> list[str]:
    return [sys.executable, "-m", f"memo_py.{role}", "--config", config]


def _running(directory: Path) -> list[str]:
    return [name for name, entry in ProcessTable(directory).load().items() if entry.alive()]


def up(
    directory: str | os.PathLike[str],
    *,
    providers: int = DEFAULT_PROVIDERS,
    keepers: int = 3,
    users: int = 1,
    epoch_length: int = 8,
    block_time: int = 1,
    workers: int = 1,
    tick_seconds: float = 1.0,
    quiet_seconds: float | None = None,
    sample_size: int = DEFAULT_SAMPLE_SIZE,
    progress: Callable[[str], None] | None = None,
    timeout: float = 120.0,
    reset: bool = False,
    gateway: bool = False,
) -> dict[str, Any]:
    """Start a devnet in ``directory`` (see the module docstring); its ``devnet.json`` record.

    With ``gateway``, an S3 gateway runs too (process ``gateway``, config
    ``gateway/config.toml``), one access key per User: ``record["gateway"]``.

    A directory that holds a devnet already is refused (:class:`DevnetInUse`), running or
    stopped: a stopped one's Providers still hold the old chain's agreements, and the
    new chain would refuse every write to them. ``reset`` stops whatever of it still runs
    and removes what an earlier ``up`` wrote there (its record, deployment, keys, logs,
    process table and role directories; nothing else), then starts clean.
    On any failure everything started so far is stopped again before the error propagates.
    """
    from memo_py.chain.client import ChainClient
    from memo_py.chain.contracts import MemoContracts
    from memo_py.chain.deploy import deploy_all
    from memo_py.crypto import bls

    say = progress or (lambda _message: None)
    if providers < 1 or keepers < 1 or users < 1:
        raise ValueError("a devnet needs at least one User, one Provider and one Keeper")
    if epoch_length < 2 or block_time < 1:
        raise ValueError("epoch_length must be at least 2 blocks and block_time at least 1 s")
    directory = Path(directory).resolve()
    _refuse_or_reset(directory, reset, say)
    directory.mkdir(parents=True, exist_ok=True)
    table = ProcessTable(directory)
    started = time.monotonic()
    try:
        # 1. the node
        port = free_port()
        accounts = 1 + users + providers + keepers
        anvil = table.start("anvil", anvil_args(port=port, accounts=max(accounts, 10)))
        url = f"http://127.0.0.1:{port}"
        chain_id = wait_for_rpc(url)
        say(f"anvil on {url} (chain {chain_id}, pid {anvil.pid})")

        # 2. the contracts
        deployer_account = mnemonic_account(0)
        client = ChainClient.connect(url, deployer_account, poll_latency=0.02)
        deployment = deploy_all(client, epoch_length=epoch_length, network="devnet")
        deployment_path = deployment.save(directory / "deployment.json")
        deployer = MemoContracts(client, deployment)
        say(f"contracts deployed: {', '.join(f'{k} {v}' for k, v in deployment.addresses.items())}")

        # 3. the actors
        gas: dict[str, list[int]] = {}

        def note(step: str, receipt: Any) -> None:
            if receipt is not None:
                gas.setdefault(step, []).append(int(receipt["gasUsed"]))

        index = iter(range(1, accounts))
        user_accounts = [mnemonic_account(next(index)) for _ in range(users)]
        provider_accounts = [mnemonic_account(next(index)) for _ in range(providers)]
        keeper_accounts = [mnemonic_account(next(index)) for _ in range(keepers)]
        for account in [*user_accounts, *provider_accounts, *keeper_accounts]:
            note("mint", deployer.token.mint(account.address, FUNDS))
        ports = free_ports(providers + keepers)
        provider_ports, keeper_ports = ports[:providers], ports[providers:]
        bls_keys = [bls.key_from_seed(bytes([0xD0, i + 1]) * 16) for i in range(keepers)]

        def register(kind: str, i: int, account: LocalAccount) -> None:
            member = deployer.with_account(account)
            if kind == "user":
                note("register_user", member.registry.register_user())
            elif kind == "provider":
                price = PRICE * (100 + i) // 100
                endpoint = f"http://127.0.0.1:{provider_ports[i]}"
                pledge = PROVIDER_PLEDGE_FACTOR * member.registry.min_pledge("provider")
                note("register_provider", member.registry.register_provider(endpoint, PROVIDER_CAPACITY, price, pledge))
            else:
                note("register_keeper", member.registry.register_keeper(bls_keys[i]))

        jobs = [("user", i, a) for i, a in enumerate(user_accounts)]
        jobs += [("provider", i, a) for i, a in enumerate(provider_accounts)]
        jobs += [("keeper", i, a) for i, a in enumerate(keeper_accounts)]
        with ThreadPoolExecutor(8) as pool:
            for future in [pool.submit(register, *job) for job in jobs]:
                future.result()
        say(f"registered {users} User(s), {providers} Providers, {keepers} Keepers")

        # 4. configs, keys and daemons
        keeper_records = []
        for i, account in enumerate(keeper_accounts):
            name = f"keeper-{i + 1}"
            keeper_records.append(
                {
                    "name": name,
                    "address": account.address,
                    "url": f"http://127.0.0.1:{keeper_ports[i]}",
                    "port": keeper_ports[i],
                    "bls_public": "0x" + bls.public_key(bls_keys[i]).hex(),
                }
            )
        provider_records = []
        for i, account in enumerate(provider_accounts):
            name = f"provider-{i + 1}"
            info = deployer.registry.provider_info(account.address)
            provider_records.append(
                {
                    "name": name,
                    "address": account.address,
                    "endpoint": info.endpoint,
                    "port": provider_ports[i],
                    "price": info.price,
                    "capacity": info.capacity,
                }
            )
        # Config files sit in <dir>/<name>/: paths in them are relative to that directory.
        common: dict[str, Any] = {"rpc_url": url, "deployment": "../deployment.json", "tick_seconds": tick_seconds}
        if quiet_seconds is not None:  # else the daemons' default (DaemonConfig.quiet_seconds)
            common["quiet_seconds"] = quiet_seconds
        keys = {a.address: "0x" + bytes(a.key).hex() for a in [*provider_accounts, *keeper_accounts]}
        for record in provider_records:
            name = record["name"]
            key = _write_secret(directory / "keys" / f"{name}.key", keys[record["address"]])
            config = {
                **common,
                "private_key_file": os.path.relpath(key, directory / name),
                "data_dir": "data",
                "host": "127.0.0.1",
                "port": record["port"],
                "capacity": record["capacity"],
                "price": record["price"],
                "workers": workers,
                "sample_size": sample_size,
                "keepers": [{"address": k["address"], "url": k["url"]} for k in keeper_records],
                # Keepers judge an epoch a few seconds after it ends: retry pushes for a few epochs only.
                "push_retry_seconds": max(60.0, 6 * epoch_length * block_time),
            }
            record["config"] = str(_write_json(directory / name / "config.json", config))
        for i, record in enumerate(keeper_records):
            name = record["name"]
            key = _write_secret(directory / "keys" / f"{name}.key", keys[record["address"]])
            bls_file = _write_secret(directory / "keys" / f"{name}.bls", bls_keys[i].hex())
            config = {
                **common,
                "private_key_file": os.path.relpath(key, directory / name),
                "bls_key_file": os.path.relpath(bls_file, directory / name),
                "data_dir": "data",
                "host": "127.0.0.1",
                "port": record["port"],
                "sample_size": sample_size,
                "peers": [{"address": k["address"], "url": k["url"]} for k in keeper_records if k is not record],
                # A devnet epoch lasts seconds: wait for missing proofs and for a silent aggregator briefly.
                "proof_grace": float(max(6, 2 * epoch_length * block_time)),
                "aggregator_timeout": float(max(3, epoch_length * block_time // 2)),
                "request_timeout": 10.0,
                "first_epoch": 0,
            }
            record["config"] = str(_write_json(directory / name / "config.json", config))
        # A User needs only its key: the master secret derives from it (user_client, `memo user`).
        user_records = [
            {"name": f"user-{i + 1}", "address": account.address,
             "key_file": str(_write_secret(directory / "keys" / f"user-{i + 1}.key", "0x" + bytes(account.key).hex()))}
            for i, account in enumerate(user_accounts)
        ]

        for record in keeper_records:
            record["log"] = table.start(record["name"], _daemon_args("keeper", record["config"])).log
        for record in provider_records:
            record["log"] = table.start(record["name"], _daemon_args("provider", record["config"])).log
        say(f"started {keepers} Keeper and {providers} Provider daemons; waiting for /health")
        daemons = [*keeper_records, *provider_records]
        wait_healthy(directory, [d["name"] for d in daemons], [d.get("url") or d["endpoint"] for d in daemons], timeout,
                     addresses=[d["address"] for d in daemons])

        gateway_record = None
        if gateway:
            gateway_record = _start_gateway(directory, table, url, keeper_urls=[k["url"] for k in keeper_records],
                                            users=user_records, providers=providers, timeout=timeout)
            say(f"S3 gateway on {gateway_record['endpoint']}")

        # 5. epochs start to pass on their own
        client.w3.provider.make_request("evm_setIntervalMining", [int(block_time)])
        record = {
            "directory": str(directory),
            "rpc_url": url,
            "chain_id": chain_id,
            "epoch_length": epoch_length,
            "block_time": block_time,
            "deployment_file": str(deployment_path),
            "deployment": deployment.to_json(),
            "deployer": deployer_account.address,
            "anvil": {"pid": anvil.pid, "port": port, "log": anvil.log},
            "users": user_records,
            "providers": provider_records,
            "keepers": keeper_records,
            "gas": gas,
            "started_in_seconds": round(time.monotonic() - started, 1),
        }
        if gateway_record is not None:
            record["gateway"] = gateway_record
        _write_json(directory / DEVNET_FILE, record)
        say(f"devnet up in {record['started_in_seconds']} s: {directory / DEVNET_FILE}")
        return record
    except BaseException:
        table.stop_all()
        raise


def _start_gateway(directory: Path, table: ProcessTable, rpc_url: str, *, keeper_urls: list[str],
                   users: list[dict[str, Any]], providers: int, timeout: float) -> dict[str, Any]:
    """Write ``gateway/config.toml`` (an access key and a random secret per User, buckets of
    k+m that the Providers can hold, at most 4+2) and start ``python -m memo_py.gateway`` as process
    ``gateway``; its record once it answers HTTP."""
    import secrets

    port = free_port()
    m = min(2, providers // 3)
    keys = []
    for user in users:
        access_key = f"memo-{user['name']}"
        secret_file = _write_secret(directory / "keys" / f"{user['name']}.s3secret", secrets.token_urlsafe(24))
        keys.append({"access_key": access_key, "secret_key_file": str(secret_file), "user": user["name"]})
    lines = [f"rpc_url = {json.dumps(rpc_url)}", 'deployment = "../deployment.json"',
             f"keepers = {json.dumps(keeper_urls)}", 'data_dir = "data"', f"port = {port}",
             f"k = {min(4, providers - m)}", f"m = {m}"]
    for key, user in zip(keys, users, strict=True):
        lines += ["", "[[users]]", f"access_key = {json.dumps(key['access_key'])}",
                  f"secret_key_file = {json.dumps(key['secret_key_file'])}",
                  f"private_key_file = {json.dumps(user['key_file'])}"]
    config = directory / "gateway" / "config.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("\n".join(lines) + "\n")
    entry = table.start("gateway", _daemon_args("gateway", str(config)))
    endpoint = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while True:  # any S3 answer (403 to an unsigned request) means it serves
        try:
            httpx.get(endpoint + "/", timeout=1.0)
            break
        except httpx.HTTPError:
            if not entry.alive():
                raise DevnetError(f"the gateway exited during start-up; its log ({entry.log}) ends with:\n"
                                  f"{_tail(entry.log)}") from None
            if time.monotonic() > deadline:
                raise DevnetError(f"the gateway did not answer on {endpoint} within {timeout:.0f} s") from None
            time.sleep(0.2)
    return {"endpoint": endpoint, "config": str(config), "log": entry.log, "users": keys}


def fund(directory: str | os.PathLike[str], address: str, *, eth: int = 0, tokens: int = 0) -> dict[str, Any]:
    """Send ``eth`` wei and mint ``tokens`` token wei to ``address`` from the devnet's deployer
    (anvil's account 0, the token's minter), as ``up`` funds its actors."""
    from memo_py.chain.client import ChainClient
    from memo_py.chain.contracts import MemoContracts
    from memo_py.chain.deployment import Deployment

    record = load(directory)
    client = ChainClient.connect(record["rpc_url"], mnemonic_account(0), poll_latency=0.02)
    deployer = MemoContracts(client, Deployment.load(record["deployment_file"]))
    txs = {}
    if eth:
        txs["eth_tx"] = "0x" + bytes(client.transfer(address, eth)["transactionHash"]).hex()
    if tokens:
        txs["token_tx"] = "0x" + bytes(deployer.token.mint(address, tokens)["transactionHash"]).hex()
    return {"address": address, "eth_wei": eth, "token_wei": tokens, **txs,
            "eth_balance_wei": client.balance(address), "token_balance_wei": deployer.token.balance_of(address)}


def restart_daemon(directory: str | os.PathLike[str], name: str, timeout: float = 60.0) -> bool:
    """Restart daemon ``name`` (``provider-<i>``, ``keeper-<i>``) of the devnet; whether it was running.

    Stops it (and its process group) if it runs, starts it again on its config and data
    as a process of the devnet's table (so ``status`` and ``down`` see it), and waits for
    its /health. A devnet whose anvil is not running is refused (:class:`DevnetError`)
    before anything is stopped.
    """
    record = load(directory)
    daemons = {d["name"]: ("provider", d["endpoint"], d) for d in record["providers"]}
    daemons.update({d["name"]: ("keeper", d["url"], d) for d in record["keepers"]})
    if name not in daemons:
        raise DevnetError(f"the devnet has no daemon {name!r} (it has {', '.join(daemons)})")
    role, url, entry = daemons[name]
    table = ProcessTable(directory)
    anvil = table.load().get("anvil")
    if anvil is None or not anvil.alive():
        raise DevnetError(
            f"the devnet in {directory} is stopped (its anvil is not running), so {name} has no chain to "
            "serve: `memo devnet up --reset` starts a new devnet"
        )
    was_running = table.stop(name)
    table.start(name, _daemon_args(role, entry["config"]))
    wait_healthy(directory, [name], [url], timeout, addresses=[entry["address"]])
    return was_running


def status(directory: str | os.PathLike[str]) -> dict[str, Any]:
    """Processes alive, each daemon's /health, the current epoch and the latest attested one."""
    from memo_py.chain.contracts import MemoContracts

    record = load(directory)
    processes = ProcessTable(directory).load()
    rows = []
    for kind, key, entries in (("provider", "endpoint", record["providers"]), ("keeper", "url", record["keepers"])):
        for entry in entries:
            process = processes.get(entry["name"])
            alive = process is not None and process.alive()
            health = _health(entry[key]) if alive else None
            rows.append(
                {
                    "name": entry["name"],
                    "role": kind,
                    "address": entry["address"],
                    "url": entry[key],
                    "pid": process.pid if process else None,
                    "alive": alive,
                    "healthy": health is not None,
                    "epoch": None if health is None else health.get("epoch"),
                }
            )
    anvil = processes.get("anvil")
    chain: dict[str, Any] = {"rpc_url": record["rpc_url"], "alive": bool(anvil and anvil.alive())}
    if chain["alive"]:
        try:
            memo = MemoContracts.connect(record["rpc_url"], record["deployment_file"], check=False, retries=1)
            chain["block"] = memo.client.block_number()
            chain["epoch"] = memo.epochs.current_epoch()
            chain["latest_attested"] = memo.epochs.latest_attested()
        except Exception as exc:  # the node stopped answering
            chain["error"] = f"{type(exc).__name__}: {exc}"
    return {
        "directory": str(Path(directory).resolve()),
        "chain_id": record["chain_id"],
        "chain": chain,
        "daemons": rows,
        "users": [{"name": u["name"], "address": u["address"], "key_file": u["key_file"]} for u in record["users"]],
        "running": all(r["alive"] for r in rows) and chain["alive"],
    }


def down(directory: str | os.PathLike[str]) -> list[str]:
    """Stop every process the devnet in ``directory`` started (only those); their names."""
    directory = Path(directory)
    if not (directory / "processes.json").exists():
        raise DevnetError(f"no devnet in {directory} (no processes.json)")
    return ProcessTable(directory).stop_all()


def user_client(directory: str | os.PathLike[str], index: int = 0, **overrides: Any) -> Any:
    """A :class:`~memo_py.user.MemoClient` for devnet User ``index`` (real chain access, the Keepers' URLs).

    It is :meth:`MemoClient.open <memo_py.user.MemoClient.open>` with the User's key: the
    master secret derives from that key, as the CLI's does, so this client and ``memo user``
    with the same key see one index. ``overrides`` go to :class:`~memo_py.user.UserConfig`
    (``k``, ``m``, ``start_delay``, …). The client's chain access is a
    :class:`~memo_py.chain.user.UserRoleChain` (its ``receipts`` hold the gas of each User
    transaction).
    """
    from memo_py.user import MemoClient

    record = load(directory)
    try:
        user = record["users"][index]
    except IndexError:
        raise ConfigError(f"the devnet has {len(record['users'])} User(s), not {index + 1}") from None
    key = Path(user["key_file"]).read_text().strip()
    keepers = [k["url"] for k in record["keepers"]]
    return MemoClient.open(
        record["rpc_url"], record["deployment_file"], key, keepers, chain_options={"poll_latency": 0.05}, **overrides
    )
