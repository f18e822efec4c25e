"""Benchmark of a read-only CLI command on an unchanged account: `memo user ls BUCKET`.

Issue 13's target: with the local index cache (``<home>/cache``), a read-only
command on a devnet answers in well under a second. The same run measures the
baseline, the same command with the cache removed first (the whole index read
from the Providers, as every command did before the cache), so the figure is a
ratio on this machine as it is now.

A devnet (anvil, 7 Providers, 3 Keepers, each its own process) is started in a
temporary directory and torn down at the end, also on failure. The User stores
``--objects`` random objects through the CLI, then each command runs ``--rounds``
times in-process (click's runner: the wallet unlock, the chain reads and, for the
baseline, the Providers' HTTP answers are all real). Figures are medians.

``cached_s`` (target < 1.0), ``uncached_s``, ``speedup`` = uncached / cached.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memo_py.cli import main  # noqa: E402
from memo_py.cli.settings import Settings, save_settings  # noqa: E402
from memo_py.devnet import network  # noqa: E402
from memo_py.wallet import WalletStore  # noqa: E402


def cli(home: Path, *args: str):
    env = {"MEMO_PASSWORD": "bench"}
    for name in ("MEMO_RPC_URL", "MEMO_DEPLOYMENT", "MEMO_WALLET", "MEMO_KEEPERS", "MEMO_HOME", "MEMO_SECRET_FILE"):
        env[name] = None
    result = CliRunner(mix_stderr=False).invoke(main, [*args, "--home", str(home)], env=env)
    if result.exit_code != 0:
        raise RuntimeError(f"memo {' '.join(args)}: {result.stderr or result.exception}")
    return result


def timed(home: Path, rounds: int, before=None) -> float:
    times = []
    for _ in range(rounds):
        if before is not None:
            before()
        start = time.perf_counter()
        cli(home, "user", "ls", "bench", "--json")
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer objects and rounds")
    parser.add_argument("--objects", type=int, default=None)
    parser.add_argument("--rounds", type=int, default=None)
    args = parser.parse_args()
    objects = args.objects or (4 if args.quick else 12)
    rounds = args.rounds or (3 if args.quick else 7)
    began = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="memo-bench-cache-"))
    try:
        record = network.up(root / "devnet")
        home = root / "home"
        user = record["users"][0]
        WalletStore(home / "wallets").import_key("user", Path(user["key_file"]).read_text().strip(), "bench")
        save_settings(home, Settings(rpc_url=record["rpc_url"], deployment=record["deployment_file"],
                                     keepers=tuple(k["url"] for k in record["keepers"]), wallet="user"))
        cli(home, "user", "deposit", "1000")
        cli(home, "user", "buckets", "create", "bench")
        for i in range(objects):
            source = root / f"object-{i}.bin"
            source.write_bytes(os.urandom(50_000))
            cli(home, "user", "put", f"bench/object-{i}.bin", str(source), "--json")
        cli(home, "user", "ls", "bench", "--json")  # lists the orders the puts changed, saves the cache
        cached = timed(home, rounds)
        uncached = timed(home, rounds, before=lambda: shutil.rmtree(home / "cache", ignore_errors=True))
    finally:
        if (root / "devnet" / "processes.json").exists():
            network.down(root / "devnet")
        shutil.rmtree(root, ignore_errors=True)
    result = {
        "cached_s": round(cached, 3),
        "uncached_s": round(uncached, 3),
        "speedup": round(uncached / cached, 1),
        "objects": objects,
        "rounds": rounds,
        "timing": "median of the rounds",
        "mode": "quick" if args.quick else "full",
        "machine": f"{os.cpu_count()} cores, {sys.platform}, Python {sys.version.split()[0]}",
        "seconds": round(time.monotonic() - began, 1),
        "targets_met": cached < 1.0,
    }
    print(f"memo user ls, unchanged account: {cached:.3f} s with the cache, {uncached:.3f} s without "
          f"({result['speedup']}x)")
    print(json.dumps(result))


if __name__ == "__main__":
    main_()
