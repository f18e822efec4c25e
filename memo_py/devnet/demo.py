"""The whole lifecycle on a fresh devnet (``make demo``, ``memo devnet demo``).

:func:`run_demo` starts a devnet in a temporary directory and then, with every
role in its own process and talking over real HTTP and a real anvil:

1. the User deposits into the Market, creates a bucket and stores a sample file
   of random bytes (encrypted, erasure-coded, placed by the Keepers' matcher,
   committed by the Providers and batch-checked, orders co-signed and submitted);
2. waits while at least two epochs of the new orders pass: Providers prove,
   Keepers verify and attest on chain;
3. waits until a Provider has withdrawn its pay against an attested root
   (the Provider's own loop does it; the demo reads it from the chain);
4. reads the file back and compares it byte for byte;
5. reports Providers used, commitments, gas per step (from the receipts) and pay;
6. stops the devnet, also on failure (the directory is then kept for its logs).

:func:`store_and_settle` is steps 1–4 on a devnet that is already up (the
integration tests call it).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from statistics import mean
from typing import Any

from memo_py.devnet import network

__all__ = ["DemoFailed", "run_demo", "store_and_settle", "chain_activity"]

UNIT = 10**18
BUCKET = "demo"
KEY = "sample.bin"


class DemoFailed(network.DevnetError):
    """A step of the lifecycle did not happen in time, or the data came back wrong."""


def _wait(what: str, check: Callable[[], Any], timeout: float, say: Callable[[str], None], every: float = 1.0) -> Any:
    deadline = time.monotonic() + timeout
    last = None
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise DemoFailed(f"timed out after {timeout:.0f} s waiting for {what}")
        message = f"waiting for {what}"
        if message != last:
            say(message)
            last = message
        time.sleep(every)


def chain_activity(memo: Any) -> dict[str, Any]:
    """Epochs opened and attested, and pay settled, with each transaction's gas (from the logs)."""
    client, start = memo.client, memo.deployment.block

    def logs(contract: Any, event: str) -> list[Any]:
        return client.get_logs(getattr(contract.contract.events, event), from_block=start)

    receipts: dict[bytes, int] = {}

    def gas(log: Any) -> int:
        tx = bytes(log["transactionHash"])
        if tx not in receipts:
            receipts[tx] = int(client.w3.eth.get_transaction_receipt(tx)["gasUsed"])
        return receipts[tx]

    opened = [(int(l["args"]["epoch"]), gas(l)) for l in logs(memo.epochs, "EpochOpened")]
    attested = [
        {"epoch": int(l["args"]["epoch"]), "signers": bin(int(l["args"]["signer_bitmap"])).count("1"), "gas": gas(l)}
        for l in logs(memo.epochs, "EpochAttested")
    ]
    settled = [
        {
            "provider": l["args"]["provider"],
            "epoch": int(l["args"]["epoch"]),
            "paid": int(l["args"]["paid"]),
            "fee": int(l["args"]["fee"]),
            "penalty": int(l["args"]["penalty"]),
            "gas": gas(l),
        }
        for l in logs(memo.market, "PaySettled")
    ]
    return {"opened": opened, "attested": attested, "settled": settled}


def store_and_settle(
    directory: str | os.PathLike[str],
    *,
    size: int = 6 * 2**20,
    epochs: int = 2,
    deposit: int = 100 * UNIT,
    progress: Callable[[str], None] | None = None,
    timeout: float = 240.0,
    data: bytes | None = None,
    client: Any = None,
    start_delay: int = 3,
) -> dict[str, Any]:
    """Store ``size`` random bytes with devnet User 0, wait for ``epochs`` attested epochs of
    its orders and a Provider's withdrawal, read the object back; a report.

    Raises :class:`DemoFailed` when a step does not happen within ``timeout`` seconds or the
    bytes read back differ. ``client`` is a :class:`~memo_py.user.MemoClient` of that User
    to use (and leave open) instead of a new one.
    """
    from memo_py.chain.contracts import MemoContracts

    say = progress or (lambda _message: None)
    record = network.load(directory)
    memo = MemoContracts.connect(record["rpc_url"], record["deployment_file"], check=False)
    timings: dict[str, float] = {}
    # Orders start two epochs ahead, so an upload of several MiB lands before they start.
    own = client is None
    if own:
        client = network.user_client(directory, 0, start_delay=start_delay)
    try:
        t = time.monotonic()
        if client.balance() < deposit:
            client.deposit(deposit)
        if BUCKET not in {b.name for b in client.list_buckets()}:
            client.create_bucket(BUCKET)
        timings["deposit_and_bucket_s"] = time.monotonic() - t
        data = os.urandom(size) if data is None else data
        say(f"storing {len(data) / 2**20:.1f} MiB as {BUCKET}/{KEY}")
        t = time.monotonic()
        info = client.put_object(BUCKET, KEY, data)
        timings["put_s"] = time.monotonic() - t
        manifest = client.head_manifest(BUCKET, KEY)
        chunks: dict[str, int] = defaultdict(int)
        blobs: dict[str, int] = defaultdict(int)
        for segment in manifest.segments:
            for chunk in segment.chunks:
                chunks[chunk.provider] += 1
                blobs[chunk.provider] += len(chunk.commitments)
        orders = [o for o in client.chain.orders_of_user(client.address) if o.blob_count > 0]
        first = min(o.start_epoch for o in orders)
        last_needed = first + epochs - 1
        say(
            f"stored on {len(chunks)} Providers in {timings['put_s']:.1f} s; {len(orders)} orders start at epoch {first}, "
            f"now epoch {memo.epochs.current_epoch()}"
        )

        t = time.monotonic()

        def attested() -> bool:
            latest = memo.epochs.latest_attested()
            return latest is not None and latest >= last_needed

        _wait(f"epochs {first}..{last_needed} to be proven and attested", attested, timeout, say)
        timings["epochs_attested_s"] = time.monotonic() - t

        def withdrawn() -> list[dict[str, Any]]:
            activity = chain_activity(memo)
            return [s for s in activity["settled"] if s["paid"] > 0 and s["epoch"] >= last_needed]

        _wait(f"a Provider to withdraw its pay through epoch {last_needed}", withdrawn, timeout, say)
        timings["withdrawal_s"] = time.monotonic() - t

        t = time.monotonic()
        back = client.get_object(BUCKET, KEY)
        timings["get_s"] = time.monotonic() - t
        if back != data:
            raise DemoFailed(f"the object read back differs ({len(back)} bytes, {len(data)} stored)")
        say(f"read back {len(back) / 2**20:.1f} MiB in {timings['get_s']:.1f} s: identical")

        activity = chain_activity(memo)
        user_gas: dict[str, list[int]] = defaultdict(list)
        for receipt in client.chain.receipts:
            user_gas[receipt.step].append(receipt.gas_used)
        pay: dict[str, dict[str, int]] = {}
        for s in activity["settled"]:
            entry = pay.setdefault(s["provider"], {"paid": 0, "fee": 0, "penalty": 0, "withdrawals": 0})
            entry["paid"] += s["paid"]
            entry["fee"] += s["fee"]
            entry["penalty"] += s["penalty"]
            entry["withdrawals"] += 1
        names = {p["address"]: p["name"] for p in record["providers"]}
        by_provider = {o.provider: o for o in orders}
        steps: dict[str, list[int]] = {**record.get("gas", {}), **user_gas}
        steps["open_epoch"] = [g for _, g in activity["opened"]]
        steps["attest"] = [a["gas"] for a in activity["attested"]]
        steps["withdraw_pay"] = [s["gas"] for s in activity["settled"]]
        return {
            "object": {"bucket": BUCKET, "key": KEY, "size": info.size, "etag": info.etag, "identical": True},
            "layout": {"k": manifest.layout.k, "m": manifest.layout.m, "segments": len(manifest.segments)},
            "providers": [
                {
                    "name": names.get(p, p),
                    "address": p,
                    "chunks": chunks[p],
                    "blobs": blobs[p],
                    "order": "0x" + by_provider[p].order_id.hex() if p in by_provider else None,
                    "root": "0x" + by_provider[p].root.hex() if p in by_provider else None,
                    "paid": pay.get(p, {}).get("paid", 0),
                }
                for p in sorted(chunks, key=lambda a: names.get(a, a))
            ],
            "commitments": sum(blobs.values()),
            "orders_start_epoch": first,
            "epochs_attested": [a["epoch"] for a in activity["attested"]],
            "gas": {step: {"count": len(v), "mean": round(mean(v)), "total": sum(v)} for step, v in steps.items() if v},
            "pay": pay,
            "timings": {k: round(v, 1) for k, v in timings.items()},
        }
    finally:
        if own:
            client.close()


def run_demo(
    *,
    size: int = 6 * 2**20,
    directory: str | os.PathLike[str] | None = None,
    keep: bool = False,
    progress: Callable[[str], None] | None = None,
    **devnet_options: Any,
) -> dict[str, Any]:
    """Start a devnet, run :func:`store_and_settle`, stop the devnet; the report.

    The devnet lives in ``directory`` (a new temporary directory by default), which is
    removed afterwards unless ``keep`` is set or a step failed (its logs are kept then).
    ``devnet_options`` go to :func:`memo_py.devnet.network.up`: ``reset=True`` lets a
    ``directory`` that holds an earlier devnet (an earlier demo's) be wiped and reused.
    """
    say = progress or (lambda _message: None)
    started = time.monotonic()
    path = Path(directory) if directory is not None else Path(tempfile.mkdtemp(prefix="memo-devnet-"))
    failed = True
    refused = False
    record = None
    try:
        say(f"starting a devnet in {path}")
        try:
            record = network.up(path, progress=say, **devnet_options)
        except network.DevnetInUse:
            refused = True  # nothing was started, nothing in the directory changed
            raise
        report = store_and_settle(path, size=size, progress=say)
        report["devnet"] = {
            "directory": str(path),
            "rpc_url": record["rpc_url"],
            "providers": len(record["providers"]),
            "keepers": len(record["keepers"]),
            "epoch_length": record["epoch_length"],
            "block_time": record["block_time"],
            "up_s": record["started_in_seconds"],
        }
        failed = False
    finally:
        if record is not None:  # a failed `up` stopped what it started; one refused started nothing
            stopped = network.down(path)
            say(f"devnet stopped ({len(stopped)} processes)")
        if failed and not refused:
            say(f"the devnet's logs are kept in {path / 'logs'}")
        elif not keep and directory is None:
            shutil.rmtree(path, ignore_errors=True)
    report["total_s"] = round(time.monotonic() - started, 1)
    return report
