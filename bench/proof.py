"""Benchmark of the proof engine: aggregated proofs against their naive baselines.

Every figure is measured in the same run, on random blobs (packed random bytes):

- ``commit_ms``: one blob commitment (ckzg).
- ``prove_ms_s128``: the aggregated proof of 128 blobs (native fold + one opening).
- ``naive_ratio``: 128 separate ckzg openings / ``prove_ms_s128`` (target >= 50).
- ``verify_ms_s128``: a Keeper's check of that proof, commitments already validated
  and cached (one MSM + one opening check).
- ``verify_ratio``: 128 separate ``verify_kzg_proof`` / ``verify_ms_s128`` (target >= 5).
- ``fold_speedup``: reference Python fold (``memo_py/crypto/fr.py``) / native fold,
  128 blobs (target >= 20).
- ``batch_check_ratio``: recommitting 64 blobs one by one / one batch check of the
  64 (target >= 20).

Every figure is the best of several runs (the run least disturbed by other load),
and each baseline is taken the same way. ``--quick`` (well under 3 minutes) times
fewer repetitions and runs the three slow baselines (separate openings, separate
verifications, reference fold) on 32 blobs, scaled linearly to 128; the JSON says
which figures were scaled. The last line printed is one JSON object.

Run: ``.venv/bin/python bench/proof.py --quick``
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import ckzg  # noqa: E402

from memo_py import native  # noqa: E402
from memo_py.crypto import challenge, fr, kzg  # noqa: E402
from memo_py.crypto.setup import trusted_setup  # noqa: E402

SAMPLE = 128
BATCH = 64
PROVIDER = bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266")
TARGETS = {"naive_ratio": 50, "verify_ratio": 5, "fold_speedup": 20, "batch_check_ratio": 20}


def best_ms(fn: Callable[[], object], repeat: int) -> float:
    """Best (minimum) wall time of ``fn`` in milliseconds over ``repeat`` calls, after a warm-up.

    The minimum is the time least disturbed by other load on the machine; every
    figure and its baseline are taken the same way.
    """
    fn()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1e3)
    return min(times)


def each_ms(fn: Callable[[bytes], object], items: list[bytes]) -> list[float]:
    """Wall time of ``fn(item)`` for each item, in milliseconds."""
    out = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        out.append((time.perf_counter() - start) * 1e3)
    return out


def log(message: str) -> None:
    print(message, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions; scale the slow baselines")
    args = parser.parse_args()
    repeat = 5 if args.quick else 15
    naive_count = 32 if args.quick else SAMPLE
    ref_fold_count = 32 if args.quick else SAMPLE
    started = time.perf_counter()

    log(f"proof engine benchmark ({'quick' if args.quick else 'full'}): {platform.machine()} "
        f"{platform.system()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    settings = trusted_setup()

    packed = native.pack_blobs(os.urandom(SAMPLE * native.PAYLOAD_BYTES_PER_BLOB))
    blobs = [packed[k : k + native.BYTES_PER_BLOB] for k in range(0, len(packed), native.BYTES_PER_BLOB)]
    assert len(blobs) == SAMPLE
    order = challenge.UniverseOrder(os.urandom(32), os.urandom(32), SAMPLE, SAMPLE, tuple(range(SAMPLE)))
    binding = challenge.EpochBinding(31337, bytes(20), 1, os.urandom(32))
    chal = challenge.derive(binding, PROVIDER, [order], SAMPLE)
    coeffs, z = list(chal.coeffs), chal.z
    z_bytes = chal.z_bytes

    # Commitments (all 128 are needed for verification); the per-blob cost is timed separately.
    commit_ms = best_ms(lambda: kzg.commit(blobs[0]), repeat)
    log(f"commit: {commit_ms:.1f} ms per blob")
    commitments = kzg.commit_many(blobs)
    cache = kzg.Commitments(commitments)

    # Aggregated proof against 128 separate openings.
    prove_ms = best_ms(lambda: kzg.prove(blobs, coeffs, z), repeat)
    opening = kzg.prove(blobs, coeffs, z)
    # Baseline: one opening per blob, each timed; 128 times the best one (a conservative baseline).
    singles: list[tuple[bytes, bytes]] = []  # (proof, y) per blob, for the verification baseline
    opening_times = each_ms(lambda b: singles.append(ckzg.compute_kzg_proof(b, z_bytes, settings)), blobs[:naive_count])
    naive_ms = min(opening_times) * SAMPLE
    log(f"prove s=128: {prove_ms:.1f} ms; 128 separate openings: {naive_ms:.0f} ms "
        f"(best of {naive_count} openings, times 128)")

    # Keeper-side verification (commitments cached) against 128 separate verifications.
    sample = cache.subset(chal.indices)
    assert kzg.verify(sample, coeffs, z, opening.y, opening.proof)
    verify_ms = best_ms(lambda: kzg.verify(sample, coeffs, z, opening.y, opening.proof), repeat * 4)
    verify_uncached_ms = best_ms(lambda: kzg.verify(commitments, coeffs, z, opening.y, opening.proof), repeat)

    def naive_verify() -> None:
        for c, (proof, y) in zip(commitments, singles):
            assert ckzg.verify_kzg_proof(c, z_bytes, y, proof, settings)

    naive_verify_ms = best_ms(naive_verify, max(3, repeat // 2)) * SAMPLE / len(singles)
    log(f"verify s=128: {verify_ms:.2f} ms cached ({verify_uncached_ms:.1f} ms with decoding); "
        f"128 separate verifications: {naive_verify_ms:.1f} ms")

    # Native fold against the Python reference.
    native_fold_ms = best_ms(lambda: native.fold_blobs(blobs, coeffs), repeat * 2)
    ref_subset_ms = best_ms(lambda: fr.fold(blobs[:ref_fold_count], coeffs[:ref_fold_count]), max(3, repeat // 2))
    ref_fold_ms = ref_subset_ms * SAMPLE / ref_fold_count
    assert native.fold_blobs(blobs[:4], coeffs[:4]) == fr.fold(blobs[:4], coeffs[:4])
    ref_note = "" if ref_fold_count == SAMPLE else f" (timed on {ref_fold_count}, scaled)"
    log(f"fold 128 blobs: native {native_fold_ms:.1f} ms, Python reference {ref_fold_ms:.0f} ms{ref_note}")

    # Batch check of 64 commitments against recommitting them one by one.
    batch_blobs, batch_commitments = blobs[:BATCH], kzg.Commitments(commitments[:BATCH])
    assert kzg.batch_check(batch_blobs, batch_commitments)
    batch_ms = best_ms(lambda: kzg.batch_check(batch_blobs, batch_commitments), repeat)
    recommit_ms = min(each_ms(kzg.commit, batch_blobs)) * BATCH
    log(f"check 64 commitments: batch {batch_ms:.1f} ms, recommit one by one {recommit_ms:.0f} ms")

    result = {
        "prove_ms_s128": round(prove_ms, 2),
        "naive_ratio": round(naive_ms / prove_ms, 1),
        "verify_ms_s128": round(verify_ms, 3),
        "verify_ratio": round(naive_verify_ms / verify_ms, 1),
        "fold_speedup": round(ref_fold_ms / native_fold_ms, 1),
        "batch_check_ratio": round(recommit_ms / batch_ms, 1),
        "commit_ms": round(commit_ms, 2),
        "naive_prove_ms_s128": round(naive_ms, 1),
        "naive_verify_ms_s128": round(naive_verify_ms, 2),
        "verify_uncached_ms_s128": round(verify_uncached_ms, 2),
        "native_fold_ms_128": round(native_fold_ms, 2),
        "reference_fold_ms_128": round(ref_fold_ms, 1),
        "batch_check_ms_64": round(batch_ms, 2),
        "recommit_ms_64": round(recommit_ms, 1),
        "scaled": [] if not args.quick else ["naive_prove_ms_s128", "naive_verify_ms_s128", "reference_fold_ms_128"],
        "timing": "best of N runs for every figure and baseline; naive baselines: best single opening times 128",
        "mode": "quick" if args.quick else "full",
        "machine": f"{os.cpu_count()} cores, {platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "seconds": round(time.perf_counter() - started, 1),
    }
    missed = [k for k, target in TARGETS.items() if result[k] < target]
    result["targets_met"] = not missed
    if missed:
        log(f"below target: {', '.join(missed)}")
    print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
