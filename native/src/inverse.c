/*
 * inverse.c: batch inversion by Montgomery's trick (one Fermat inversion
 * plus three multiplications per element).
 */
#include <stdlib.h>

#include "memo_native.h"
#include "fr.h"

void fr_batch_inverse_mont(fr_t *v, size_t n, fr_t *scratch) {
    if (n == 0) return;
    scratch[0] = v[0];
    for (size_t i = 1; i < n; i++) fr_mont_mul(&scratch[i], &scratch[i - 1], &v[i]);
    fr_t inv;
    fr_mont_inverse(&inv, &scratch[n - 1]);
    for (size_t i = n - 1; i > 0; i--) {
        fr_t vi = v[i];
        fr_mont_mul(&v[i], &inv, &scratch[i - 1]);
        fr_mont_mul(&inv, &inv, &vi);
    }
    v[0] = inv;
}

memo_status memo_batch_inverse(uint8_t *out, const uint8_t *in, size_t n, uint64_t *bad_index) {
    if (n == 0) return MEMO_OK;
    if (out == NULL || in == NULL || n > SIZE_MAX / (2 * sizeof(fr_t))) return MEMO_BADARGS;
    fr_t *v = malloc(2 * n * sizeof(fr_t));
    if (v == NULL) return MEMO_NOMEM;
    for (size_t i = 0; i < n; i++) {
        fr_from_bytes(&v[i], in + 32 * i);
        memo_status s = MEMO_OK;
        if (!fr_is_canonical(&v[i])) s = MEMO_NONCANONICAL;
        else if (fr_is_zero(&v[i])) s = MEMO_ZERO_INVERSE;
        if (s != MEMO_OK) {
            free(v);
            if (bad_index != NULL) *bad_index = i;
            return s;
        }
        fr_to_mont(&v[i], &v[i]);
    }
    fr_batch_inverse_mont(v, n, v + n);
    for (size_t i = 0; i < n; i++) {
        fr_from_mont(&v[i], &v[i]);
        fr_to_bytes(out + 32 * i, &v[i]);
    }
    free(v);
    return MEMO_OK;
}
