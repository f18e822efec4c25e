"""cffi build script for MEMO-py's native core (out-of-line API mode).

``ffibuilder`` is what ``setup.py`` names in ``cffi_modules``; running this file
as a script compiles ``memo_py/_memo_native*.so`` in place:

    python native/build_ffi.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from cffi import FFI

NATIVE = Path(__file__).resolve().parent
ROOT = NATIVE.parent

# The declarations cffi exposes, kept in step with include/memo_native.h.
CDEF = """
typedef enum {
    MEMO_OK = 0,
    MEMO_BADARGS = 1,
    MEMO_NONCANONICAL = 2,
    MEMO_NOT_PACKED = 3,
    MEMO_ZERO_INVERSE = 4,
    MEMO_NONCANONICAL_COEFF = 5,
    MEMO_NOMEM = 6
} memo_status;

#define MEMO_FIELD_ELEMENTS_PER_BLOB 4096
#define MEMO_BYTES_PER_FIELD_ELEMENT 32
#define MEMO_BYTES_PER_BLOB 131072
#define MEMO_PAYLOAD_BYTES_PER_ELEMENT 31
#define MEMO_PAYLOAD_BYTES_PER_BLOB 126976

memo_status memo_fr_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
memo_status memo_fr_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
memo_status memo_fr_sub(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
memo_status memo_fr_inverse(uint8_t out[32], const uint8_t a[32]);
memo_status memo_pack_blobs(uint8_t *out, size_t out_len, const uint8_t *data, size_t data_len);
memo_status memo_unpack_blobs(uint8_t *out, const uint8_t *blobs, size_t n_blobs, uint64_t *bad_index);
memo_status memo_check_blobs(const uint8_t *blobs, size_t n_blobs, uint64_t *bad_index);
memo_status memo_fold_blobs(uint8_t out[131072], const uint8_t *const *blobs,
                            const uint8_t *coeffs, size_t n, uint64_t *bad_index);
memo_status memo_evaluate_blob(uint8_t out[32], const uint8_t blob[131072],
                               const uint8_t z[32], uint64_t *bad_index);
memo_status memo_roots_of_unity_brp(uint8_t out[131072]);
memo_status memo_batch_inverse(uint8_t *out, const uint8_t *in, size_t n, uint64_t *bad_index);
"""

# Portable optimisation only: CI may run on another CPU than the build machine.
CFLAGS = ["-O3", "-std=c11", "-Wall", "-Wextra", "-fvisibility=hidden"]



def make_builder(absolute: bool = False) -> FFI:
    """The FFI builder; sources relative to the repository root unless `absolute`.

    setuptools wants relative source paths (it runs from the repository root);
    ``FFI.compile`` changes into its temporary directory, so it needs absolute ones.
    """
    sources = sorted((NATIVE / "src").glob("*.c"))
    builder = FFI()
    builder.cdef(CDEF)
    builder.set_source(
        "memo_py._memo_native",
        '#include "memo_native.h"',
        sources=[str(p if absolute else p.relative_to(ROOT)) for p in sources],
        include_dirs=[str(NATIVE / "include"), str(NATIVE / "src")],
        extra_compile_args=CFLAGS,
        libraries=["pthread"],
    )
    return builder


ffibuilder = make_builder()


def build_in_place() -> Path:
    """Compile the extension and copy it next to memo_py/__init__.py."""
    with tempfile.TemporaryDirectory(prefix="memo-native-") as tmp:
        built = Path(make_builder(absolute=True).compile(tmpdir=tmp, verbose=False))
        target = ROOT / "memo_py" / built.name
        for old in (ROOT / "memo_py").glob("_memo_native*.so"):
            old.unlink()
        shutil.copy2(built, target)
    return target


if __name__ == "__main__":
    path = build_in_place()
    print(f"built {path.relative_to(ROOT)}", file=sys.stderr)
