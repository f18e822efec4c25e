/*
 * memo_native.h: the one public header of MEMO-py's native core.
 *
 * Arithmetic over Fr, the scalar field of BLS12-381
 * (r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001),
 * on EIP-4844 blobs: 4096 field elements of 32 bytes each, big-endian.
 *
 * Conventions:
 *   - Every function returns a memo_status; outputs go to caller-allocated
 *     buffers whose sizes are stated here. On an error the output buffer's
 *     contents are unspecified.
 *   - A field element on the boundary is 32 big-endian bytes (memo_fr_bytes).
 *     Inputs must be canonical (< r), else MEMO_NONCANONICAL, and when the
 *     function takes a `bad_index` pointer it receives the offending index
 *     (for blobs: blob_number * 4096 + element_number).
 *   - Packing puts 31 payload bytes in each element behind a 0x00 byte, so
 *     packed elements are always canonical.
 *   - Functions are reentrant and thread-safe; no state is kept between calls
 *     except a table of roots of unity built once (pthread_once).
 */
#ifndef MEMO_NATIVE_H
#define MEMO_NATIVE_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MEMO_FIELD_ELEMENTS_PER_BLOB 4096
#define MEMO_BYTES_PER_FIELD_ELEMENT 32
#define MEMO_BYTES_PER_BLOB 131072
#define MEMO_PAYLOAD_BYTES_PER_ELEMENT 31
#define MEMO_PAYLOAD_BYTES_PER_BLOB 126976
/* The fold accepts at most this many blobs (keeps its wide accumulators exact). */
#define MEMO_MAX_FOLD_BLOBS 0x100000000ULL

typedef enum {
    MEMO_OK = 0,
    MEMO_BADARGS = 1,          /* NULL pointer, wrong size or count */
    MEMO_NONCANONICAL = 2,     /* a field element is >= r (index in *bad_index) */
    MEMO_NOT_PACKED = 3,       /* unpack: an element's top byte is not 0x00 (index in *bad_index) */
    MEMO_ZERO_INVERSE = 4,     /* inversion of zero (index in *bad_index) */
    MEMO_NONCANONICAL_COEFF = 5, /* fold: a coefficient is >= r (index in *bad_index) */
    MEMO_NOMEM = 6             /* allocation failed */
} memo_status;

/* A field element: 32 bytes, big-endian, canonical (< r). */
typedef uint8_t memo_fr_bytes[32];

/* ---- Single field elements (mostly for tests and small callers) ---- */

/* out = a * b mod r. */
memo_status memo_fr_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
/* out = a + b mod r. */
memo_status memo_fr_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
/* out = a - b mod r. */
memo_status memo_fr_sub(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
/* out = a^-1 mod r (Fermat); MEMO_ZERO_INVERSE when a == 0. */
memo_status memo_fr_inverse(uint8_t out[32], const uint8_t a[32]);

/* ---- Blobs ---- */

/*
 * Pack data_len bytes into n_blobs = max(1, ceil(data_len / 126976)) blobs.
 * out_len must be exactly n_blobs * 131072; the tail is zero-padded.
 * data may be NULL when data_len == 0.
 */
memo_status memo_pack_blobs(uint8_t *out, size_t out_len, const uint8_t *data, size_t data_len);

/*
 * Unpack n_blobs blobs (n_blobs * 131072 bytes) into n_blobs * 126976 payload
 * bytes. Rejects an element >= r (MEMO_NONCANONICAL) or with a non-zero top
 * byte (MEMO_NOT_PACKED); the first such element's index goes to *bad_index.
 */
memo_status memo_unpack_blobs(uint8_t *out, const uint8_t *blobs, size_t n_blobs, uint64_t *bad_index);

/* Check that every element of n_blobs blobs is canonical (< r). */
memo_status memo_check_blobs(const uint8_t *blobs, size_t n_blobs, uint64_t *bad_index);

/*
 * Fold: out[j] = sum_i coeffs[i] * blobs[i][j] mod r for j < 4096.
 * blobs is an array of n pointers to 131072-byte blobs; coeffs is n * 32 bytes
 * (big-endian, each < r). n may be 0 (out is the zero blob); n <= MEMO_MAX_FOLD_BLOBS.
 * A blob element >= r is MEMO_NONCANONICAL (index i * 4096 + j), a coefficient
 * >= r is MEMO_NONCANONICAL_COEFF (index i).
 */
memo_status memo_fold_blobs(uint8_t out[MEMO_BYTES_PER_BLOB], const uint8_t *const *blobs,
                            const uint8_t *coeffs, size_t n, uint64_t *bad_index);

/*
 * Evaluate the blob's polynomial, given in evaluation form over the
 * bit-reversed 4096th roots of unity, at z (EIP-4844
 * evaluate_polynomial_in_evaluation_form). When z is in the domain, out is
 * the blob's element at that index.
 */
memo_status memo_evaluate_blob(uint8_t out[32], const uint8_t blob[MEMO_BYTES_PER_BLOB],
                               const uint8_t z[32], uint64_t *bad_index);

/*
 * The 4096th roots of unity (root = 7^((r-1)/4096)) in bit-reversed order,
 * 4096 * 32 bytes.
 */
memo_status memo_roots_of_unity_brp(uint8_t out[MEMO_BYTES_PER_BLOB]);

/*
 * Batch inversion (Montgomery's trick) of n elements (n * 32 bytes in, n * 32
 * bytes out; in and out may alias). A zero element is MEMO_ZERO_INVERSE with
 * its index in *bad_index; n may be 0.
 */
memo_status memo_batch_inverse(uint8_t *out, const uint8_t *in, size_t n, uint64_t *bad_index);

#ifdef __cplusplus
}
#endif

#endif /* MEMO_NATIVE_H */
