/*
 * eval.c: barycentric evaluation of a blob, exactly as EIP-4844's
 * evaluate_polynomial_in_evaluation_form:
 *
 *   p(z) = (z^N - 1) / N * sum_i f_i * w_i / (z - w_i)
 *
 * over the bit-reversed N = 4096th roots of unity w_i, and p(z) = f_i when
 * z = w_i.
 *
 * Mixed-form products keep the blob out of Montgomery form:
 * mont_mul(plain, montgomery) is the plain product.
 */
#include <stdlib.h>

#include "memo_native.h"
#include "fr.h"

/* 1/4096 in Montgomery form is 2^256 / 2^12 = 2^244. */
static const fr_t FR_INV_N_MONT = {{0, 0, 0, 0x0010000000000000ULL}};

memo_status memo_evaluate_blob(uint8_t out[32], const uint8_t blob[MEMO_BYTES_PER_BLOB],
                               const uint8_t z[32], uint64_t *bad_index) {
    const size_t N = MEMO_FIELD_ELEMENTS_PER_BLOB;
    if (out == NULL || blob == NULL || z == NULL) return MEMO_BADARGS;
    memo_status s = memo_check_blobs(blob, 1, bad_index);
    if (s != MEMO_OK) return s;
    fr_t zp, zm;
    fr_from_bytes(&zp, z);
    if (!fr_is_canonical(&zp)) {
        if (bad_index != NULL) *bad_index = N; /* one past the blob: z itself */
        return MEMO_NONCANONICAL;
    }
    fr_to_mont(&zm, &zp);

    const fr_t *roots = fr_roots_brp_mont();
    for (size_t i = 0; i < N; i++) {
        if (fr_equal(&zm, &roots[i])) {
            memcpy(out, blob + 32 * i, 32);
            return MEMO_OK;
        }
    }

    fr_t *den = malloc(2 * N * sizeof(fr_t));
    if (den == NULL) return MEMO_NOMEM;
    for (size_t i = 0; i < N; i++) fr_sub(&den[i], &zm, &roots[i]);
    fr_batch_inverse_mont(den, N, den + N);

    fr_t sum = {{0, 0, 0, 0}};
    for (size_t i = 0; i < N; i++) {
        fr_t f, a;
        fr_from_bytes(&f, blob + 32 * i);
        fr_mont_mul(&a, &f, &roots[i]); /* f * w_i, plain */
        fr_mont_mul(&a, &a, &den[i]);   /* / (z - w_i), plain */
        fr_add(&sum, &sum, &a);
    }
    free(den);

    fr_t zn = zm;
    for (int k = 0; k < 12; k++) fr_mont_mul(&zn, &zn, &zn); /* z^4096 */
    fr_sub(&zn, &zn, &FR_ONE_MONT);
    fr_mont_mul(&sum, &sum, &zn);
    fr_mont_mul(&sum, &sum, &FR_INV_N_MONT);
    fr_to_bytes(out, &sum);
    return MEMO_OK;
}
