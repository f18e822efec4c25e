"""The proof engine end to end on one file (what ``memo proof-demo`` shows).

:func:`run` packs a file into blobs, commits them on every core, checks the
commitments in one batch, derives an epoch challenge, builds and verifies the
aggregated proof, shows that a tampered blob fails both checks, and unpacks the
blobs back into the file. It returns a :class:`DemoReport`; printing is the CLI's job.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from memo_py import native
from memo_py.cores import usable_cores
from memo_py.crypto import challenge, kzg
from memo_py.crypto.setup import trusted_setup

__all__ = ["DEMO_PROVIDER", "Step", "DemoReport", "sample_data", "run"]

DEMO_PROVIDER = bytes.fromhex("f39fd6e51aad88f6f4ce6ab8827279cfffb92266")
DEMO_CHAIN_ID = 31337
DEMO_EPOCHS = bytes.fromhex("e9" * 20)
"""The demo Provider's address (anvil's first account)."""


@dataclass(frozen=True, slots=True)
class Step:
    """One step of the demo: what was done, whether it came out as expected, and how long it took."""

    name: str
    ok: bool
    ms: float
    detail: str


@dataclass(slots=True)
class DemoReport:
    """Everything the demo measured."""

    file_bytes: int
    blob_count: int
    sample_size: int
    workers: int
    seed: str
    steps: list[Step] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(step.ok for step in self.steps)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["ok"] = self.ok
        return out


def sample_data(size: int, seed: int = 2026) -> bytes:
    """``size`` reproducible random bytes (a fixed-seed PRNG, not a secret)."""
    return random.Random(seed).randbytes(size)


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, (time.perf_counter() - start) * 1e3


def run(
    data: bytes,
    *,
    sample_size: int = challenge.DEFAULT_SAMPLE_SIZE,
    epoch_seed: bytes | None = None,
    workers: int | None = None,
    on_step: Callable[[Step], None] | None = None,
) -> DemoReport:
    """Run the proof engine on ``data``; ``on_step`` is called after each step (for live output)."""
    workers = workers or usable_cores()
    seed = epoch_seed if epoch_seed is not None else hashlib.sha256(b"MEMO demo epoch 1").digest()
    report = DemoReport(file_bytes=len(data), blob_count=0, sample_size=sample_size, workers=workers, seed=seed.hex())

    def step(name: str, ok: bool, ms: float, detail: str) -> None:
        item = Step(name, bool(ok), round(ms, 2), detail)
        report.steps.append(item)
        if on_step is not None:
            on_step(item)

    _, ms = _timed(trusted_setup)
    step("load trusted setup", True, ms, "EIP-4844 ceremony, 4096 G1 points")

    blob_data, ms = _timed(lambda: native.pack_blobs(data))
    n = len(blob_data) // native.BYTES_PER_BLOB
    report.blob_count = n
    blobs = [blob_data[k : k + native.BYTES_PER_BLOB] for k in range(0, len(blob_data), native.BYTES_PER_BLOB)]
    step("pack", True, ms, f"{len(data):,} B into {n} blobs of {native.PAYLOAD_BYTES_PER_BLOB:,} payload bytes")

    commitments, ms = _timed(lambda: kzg.commit_many(blobs, workers=workers))
    report.figures["commit_ms_per_blob"] = round(ms / n, 2)
    report.figures["commit_mib_s"] = round(len(data) / 2**20 / (ms / 1e3), 2)
    step("commit", len(commitments) == n, ms, f"{n} commitments on {workers} processes, {ms / n:.1f} ms per blob")

    cache, ms = _timed(lambda: kzg.Commitments(commitments))
    step("validate commitments", True, ms, "decoded and subgroup-checked once, cached as G1 points")

    ok, ms = _timed(lambda: kzg.batch_check(blobs, cache))
    report.figures["batch_check_ms"] = round(ms, 2)
    step("batch check", ok, ms, f"all {n} commitments at once: one fold, one commit, one MSM")

    # One order holding every blob, in an epoch of a chain that does not exist: the
    # derivation is the Keepers' and the Provider's own.
    order = challenge.UniverseOrder(
        order_id=hashlib.sha256(b"demo order").digest(),
        root=hashlib.sha256(b"".join(commitments)).digest(),
        blob_count=n,
        size=len(data),
        live=tuple(range(n)),
    )
    binding = challenge.EpochBinding(chain_id=DEMO_CHAIN_ID, epochs=DEMO_EPOCHS, epoch=1, seed=seed)
    chal, ms = _timed(lambda: challenge.derive(binding, DEMO_PROVIDER, [order], sample_size))
    indices = [index for _, index in chal.samples]
    step("challenge", True, ms, f"{len(chal)} of {n} blobs, z = {chal.z_bytes.hex()[:16]}…")

    sampled = [blobs[i] for i in indices]
    opening, ms = _timed(lambda: kzg.prove(sampled, chal.coeffs, chal.z))
    report.figures["prove_ms"] = round(ms, 2)
    report.figures["proof_bytes"] = len(opening.y_bytes) + len(opening.proof)
    step("prove", True, ms, f"fold {len(sampled)} blobs, one opening: {report.figures['proof_bytes']} B")

    subset = cache.subset(indices)
    ok, ms = _timed(lambda: kzg.verify(subset, chal.coeffs, chal.z, opening.y, opening.proof))
    report.figures["verify_ms"] = round(ms, 2)
    step("verify", ok, ms, "MSM of the sampled commitments, one pairing check")

    victim = indices[0]
    tampered = bytearray(blobs[victim])
    tampered[1000] ^= 0x01
    forged_blobs = list(sampled)
    forged_blobs[0] = bytes(tampered)

    def tampered_proof() -> bool:
        forged = kzg.prove(forged_blobs, chal.coeffs, chal.z)
        return kzg.verify(subset, chal.coeffs, chal.z, forged.y, forged.proof)

    accepted, ms = _timed(tampered_proof)
    step("tampered proof", not accepted, ms, f"one bit flipped in blob {victim}: proof {'ACCEPTED' if accepted else 'rejected'}")

    all_tampered = list(blobs)
    all_tampered[victim] = bytes(tampered)
    accepted, ms = _timed(lambda: kzg.batch_check(all_tampered, cache))
    step("tampered batch check", not accepted, ms, f"batch check {'ACCEPTED' if accepted else 'rejected'} blob {victim}")

    restored, ms = _timed(lambda: native.unpack_blobs(blob_data, len(data)))
    same = restored == data
    step("unpack", same, ms, "byte-for-byte identical" if same else "MISMATCH")
    return report
