"""Benchmark of the S3 gateway against the User client it fronts, in the same run.

Issue 12's figures: one large object put and got through boto3 against the gateway
(``put_mb_s``, ``get_mb_s``), and the same transfers through the User client called
directly in this process (``put_ratio``, ``get_ratio``: gateway / SDK, target >= 0.8);
4 KiB PutObjects per second from 16 boto3 threads against 16 threads on the SDK
(``small_objects_s``, ``small_ratio``, target >= 0.8); and the gateway's peak resident
memory (``peak_rss_mb``, its VmHWM after moving the large object up and down; target
<= 200 for a 256 MiB object).

A devnet with its gateway (``memo devnet up --gateway``: anvil, 7 Providers, 3 Keepers
and the gateway, each its own process) runs in a temporary directory, torn down at the
end. Objects are random bytes. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from memo_py.devnet import network  # noqa: E402
from memo_py.devnet.processes import ProcessTable  # noqa: E402

UNIT = 10**18
MIB = 2**20


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc status")


def timed(call) -> float:
    start = time.perf_counter()
    call()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a 16 MiB object and 32 small ones")
    parser.add_argument("--size-mib", type=int, default=None, help="the large object (default 256, quick 16)")
    parser.add_argument("--small", type=int, default=None, help="4 KiB objects per side (default 128, quick 32)")
    args = parser.parse_args()
    size = (args.size_mib or (16 if args.quick else 256)) * MIB
    small = args.small or (32 if args.quick else 128)
    began = time.monotonic()
    root = Path(tempfile.mkdtemp(prefix="memo-bench-gateway-"))
    directory = root / "devnet"
    try:
        record = network.up(directory, gateway=True)
        gateway = record["gateway"]
        key = gateway["users"][0]
        s3 = boto3.client("s3", endpoint_url=gateway["endpoint"], aws_access_key_id=key["access_key"],
                          aws_secret_access_key=Path(key["secret_key_file"]).read_text().strip(),
                          region_name="us-east-1",
                          config=Config(s3={"addressing_style": "path"}, max_pool_connections=32,
                                        read_timeout=600, retries={"max_attempts": 1}))
        sdk = network.user_client(directory, 0)  # as the devnet's gateway
        sdk.deposit(5000 * UNIT)
        s3.create_bucket(Bucket="via-gateway")
        sdk.create_bucket("via-sdk")
        data = os.urandom(size)

        put_sdk = timed(lambda: sdk.put_object("via-sdk", "large", data))
        get_sdk = timed(lambda: sdk.get_object("via-sdk", "large"))
        put_gw = timed(lambda: s3.put_object(Bucket="via-gateway", Key="large", Body=data))
        got = []
        get_gw = timed(lambda: got.append(s3.get_object(Bucket="via-gateway", Key="large")["Body"].read()))
        assert got[0] == data
        gateway_pid = ProcessTable(directory).load()["gateway"].pid
        rss = peak_rss_mb(gateway_pid)

        bodies = [os.urandom(4096) for _ in range(small)]
        with ThreadPoolExecutor(16) as pool:
            small_sdk = timed(lambda: list(pool.map(lambda i: sdk.put_object("via-sdk", f"s/{i}", bodies[i]),
                                                    range(small))))
            small_gw = timed(lambda: list(pool.map(
                lambda i: s3.put_object(Bucket="via-gateway", Key=f"s/{i}", Body=bodies[i]), range(small))))
        sdk.close()
    finally:
        if (directory / "processes.json").exists():
            network.down(directory)
        shutil.rmtree(root, ignore_errors=True)
    mb = size / 1e6
    result = {
        "put_mb_s": round(mb / put_gw, 2),
        "get_mb_s": round(mb / get_gw, 2),
        "sdk_put_mb_s": round(mb / put_sdk, 2),
        "sdk_get_mb_s": round(mb / get_sdk, 2),
        "put_ratio": round(put_sdk / put_gw, 2),
        "get_ratio": round(get_sdk / get_gw, 2),
        "small_objects_s": round(small / small_gw, 2),
        "sdk_small_objects_s": round(small / small_sdk, 2),
        "small_ratio": round(small_sdk / small_gw, 2),
        "peak_rss_mb": round(rss, 1),
        "object_mib": size // MIB,
        "small_objects": small,
        "mode": "quick" if args.quick else "full",
        "machine": f"{os.cpu_count()} cores, {sys.platform}, Python {sys.version.split()[0]}",
        "seconds": round(time.monotonic() - began, 1),
    }
    # The memory target is for a 256 MiB object; a smaller one must stay under it all the more.
    result["targets_met"] = (result["put_ratio"] >= 0.8 and result["get_ratio"] >= 0.8
                             and result["small_ratio"] >= 0.8 and rss <= 200)
    print(f"gateway: put {result['put_mb_s']} MB/s ({result['put_ratio']} of the SDK's), get {result['get_mb_s']} "
          f"MB/s ({result['get_ratio']}), {result['small_objects_s']} small puts/s ({result['small_ratio']}), "
          f"peak RSS {result['peak_rss_mb']} MB")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
