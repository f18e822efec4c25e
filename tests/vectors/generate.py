"""Generate tests/vectors/fr.txt, the known-answer vectors of the native Fr core.

Run from the repository root:  python tests/vectors/generate.py
The answers come from the pure-Python reference (memo_py/crypto/fr.py) and,
for evaluations, from ckzg.compute_kzg_proof's y, never from the C code.

Format: one case per line, fields separated by single spaces, '#' starts a
comment line. Numbers are lowercase hex without 0x (field elements 64 digits),
except counts and indices, which are decimal.

Deterministic data (so the file stays small; both C and Python rebuild it):
  splitmix64(seed): state += 0x9e3779b97f4a7c15; z = state;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9; z = (z ^ (z >> 27)) * 0x94d049bb133111eb;
      output z ^ (z >> 31)   (all mod 2^64; seed is the initial state)
  bytes(seed, len): the outputs as 8-byte big-endian words, concatenated, cut to len.
  blob specs:
    rand:SEED   element j = bytes 32j..32j+32 of bytes(SEED, 131072) with the top
                two bits of its first byte cleared (so < 2^254 < r)
    max         every element r - 1
    data:SEED:LEN   pack(bytes(SEED, LEN)) (LEN <= 126976)
  fnv: FNV-1a 64 of a byte string (offset 0xcbf29ce484222325, prime 0x100000001b3).

Lines:
  mul A B OUT | add A B OUT | sub A B OUT      OUT is an element or a status name
  inv A OUT                                    OUT is an element, ZERO_INVERSE or NONCANONICAL
  roots FNV ROOT1                              fnv of the 4096 bit-reversed roots; the brp root at index 1
  pack SEED LEN NBLOBS FNV                     pack(bytes(SEED, LEN)): blob count and fnv
  fold N SPEC0..SPEC(N-1) C0..C(N-1) FNV E0 E4095
                                               fold of N blobs (specs) with coefficients
  eval SPEC Z Y                                evaluation of the blob at z
  batchinv N V0..V(N-1) OUT0..OUT(N-1)         batch inversion
  batchinv_zero N V0..V(N-1) INDEX             a zero at INDEX
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import ckzg  # noqa: E402

from memo_py.crypto import fr  # noqa: E402

R = fr.BLS_MODULUS
M64 = (1 << 64) - 1
OUT = Path(__file__).resolve().parent / "fr.txt"


def splitmix_bytes(seed: int, length: int) -> bytes:
    state = seed & M64
    words = []
    for _ in range(-(-length // 8)):
        state = (state + 0x9E3779B97F4A7C15) & M64
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
        words.append((z ^ (z >> 31)).to_bytes(8, "big"))
    return b"".join(words)[:length]


def blob_from_spec(spec: str) -> bytes:
    kind, _, rest = spec.partition(":")
    if kind == "rand":
        raw = bytearray(splitmix_bytes(int(rest, 16), fr.BYTES_PER_BLOB))
        raw[0::32] = bytes(b & 0x3F for b in raw[0::32])
        return bytes(raw)
    if kind == "max":
        return (R - 1).to_bytes(32, "big") * fr.FIELD_ELEMENTS_PER_BLOB
    if kind == "data":
        seed, length = rest.split(":")
        return fr.pack(splitmix_bytes(int(seed, 16), int(length)))
    raise ValueError(spec)


def fnv(data: bytes) -> str:
    h = 0xCBF29CE484222325
    for b in data:
        h = ((h ^ b) * 0x100000001B3) & M64
    return f"{h:016x}"


def h(x: int) -> str:
    return f"{x:064x}"


def main() -> None:
    rng = random.Random(4844)
    ts = ckzg.load_trusted_setup(str(ROOT / "memo_py" / "data" / "trusted_setup.txt"), 0)
    lines = ["# Known-answer vectors for the native Fr core; see generate.py for the format."]

    edge = [0, 1, 2, R - 1, R - 2, (R - 1) // 2, 1 << 254, (1 << 64) - 1, 1 << 64]
    pairs = [(a, b) for a in edge for b in edge] + [(rng.randrange(R), rng.randrange(R)) for _ in range(40)]
    for a, b in pairs:
        lines.append(f"mul {h(a)} {h(b)} {h(a * b % R)}")
        lines.append(f"add {h(a)} {h(b)} {h((a + b) % R)}")
        lines.append(f"sub {h(a)} {h(b)} {h((a - b) % R)}")
    for bad in (R, R + 1, (1 << 256) - 1):
        lines.append(f"mul {h(bad)} {h(1)} NONCANONICAL")
        lines.append(f"add {h(1)} {h(bad)} NONCANONICAL")
        lines.append(f"inv {h(bad)} NONCANONICAL")
    lines.append(f"inv {h(0)} ZERO_INVERSE")
    for a in edge[1:] + [rng.randrange(1, R) for _ in range(20)]:
        lines.append(f"inv {h(a)} {h(fr.inverse(a))}")

    roots = fr.roots_of_unity_brp()
    lines.append(f"roots {fnv(b''.join(x.to_bytes(32, 'big') for x in roots))} {h(roots[1])}")

    for seed, length in [(1, 0), (2, 1), (3, 30), (4, 31), (5, 32), (6, 126975), (7, 126976), (8, 126977), (9, 300000)]:
        packed = fr.pack(splitmix_bytes(seed, length))
        lines.append(f"pack {seed:x} {length} {len(packed) // fr.BYTES_PER_BLOB} {fnv(packed)}")

    fold_cases = [
        ["rand:10"],
        ["rand:11", "rand:12", "max"],
        ["max"] * 4,
        [f"rand:{100 + i:x}" for i in range(16)],
        ["data:20:126976", "data:21:5000", "rand:22"],
    ]
    for specs in fold_cases:
        n = len(specs)
        coeffs = [rng.choice([0, 1, R - 1, rng.randrange(R)]) for _ in range(n)]
        if specs[0] == "max":
            coeffs = [R - 1] * n
        blobs = [blob_from_spec(s) for s in specs]
        out = fr.fold(blobs, coeffs)
        lines.append(
            f"fold {n} {' '.join(specs)} {' '.join(h(c) for c in coeffs)} "
            f"{fnv(out)} {out[:32].hex()} {out[-32:].hex()}"
        )

    for spec, z in [
        ("rand:30", rng.randrange(R)),
        ("rand:31", rng.randrange(R)),
        ("max", rng.randrange(R)),
        ("data:32:1000", rng.randrange(R)),
        ("rand:33", 0),
        ("rand:34", 1),
        ("rand:35", R - 1),
        ("rand:36", roots[1234]),
        ("rand:37", 2),
    ]:
        blob = blob_from_spec(spec)
        _, y = ckzg.compute_kzg_proof(blob, z.to_bytes(32, "big"), ts)
        assert int.from_bytes(y, "big") == fr.evaluate(blob, z)
        lines.append(f"eval {spec} {h(z)} {y.hex()}")

    for n in (1, 2, 7, 64):
        values = [rng.choice([1, R - 1, rng.randrange(1, R)]) for _ in range(n)]
        inverses = fr.batch_inverse(values)
        lines.append(f"batchinv {n} {' '.join(map(h, values))} {' '.join(map(h, inverses))}")
    values = [rng.randrange(1, R) for _ in range(5)]
    values[3] = 0
    lines.append(f"batchinv_zero 5 {' '.join(map(h, values))} 3")

    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} ({OUT.stat().st_size} bytes, {len(lines) - 1} cases)")


if __name__ == "__main__":
    main()
