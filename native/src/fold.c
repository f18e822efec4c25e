/*
 * fold.c: F[j] = sum_i rho_i * f_i[j] mod r, the hot loop of the proofs.
 *
 * Lazy reduction: one reduction per output element, however many blobs.
 *
 * 1. Each coefficient becomes rho'_i = rho_i * 2^320 mod r, once.
 * 2. For one output element, T = sum_i f_i[j] * rho'_i is computed exactly by
 *    product scanning (Comba) over all blobs at once: column k collects every
 *    128-bit partial product a_x * b_y with x + y = k, for every i, in a
 *    three-word accumulator (c0, c1, c2); then c0 is limb k of T and the
 *    accumulator shifts down a word. 16 multiplications and about 3 additions
 *    each per blob and element, no reduction. T < n r^2 < 2^(510 + 32) for
 *    n <= 2^32 blobs, so T fits in 10 limbs and c2 (< 4n) cannot overflow.
 * 3. Five Montgomery reduction rounds divide by 2^320:
 *    (T + M r) / 2^320 < n r^2 / 2^320 + r < 2r, and one conditional
 *    subtraction leaves sum_i rho_i f_i[j] mod r.
 *
 * The elements are taken FOLD_TILE at a time: their limbs (byte-swapped and
 * range-checked once) sit in a small buffer that stays in L1 while the seven
 * column passes walk it.
 */
#include <stdlib.h>

#include "memo_native.h"
#include "fr.h"

#define FOLD_TILE 4

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(MEMO_NO_ASM)
/* (c0, c1, c2) += a * b: mul, add, adc, adc; the compiler's u128 code needs twice the instructions. */
#define FOLD_MAC(a, b)                                                              \
    do {                                                                            \
        uint64_t a_ = (a);                                                          \
        __asm__("mulq %[bb]\n\t"                                                    \
                "addq %%rax, %[r0]\n\t"                                             \
                "adcq %%rdx, %[r1]\n\t"                                             \
                "adcq $0, %[r2]"                                                    \
                : [r0] "+r"(c0), [r1] "+r"(c1), [r2] "+r"(c2), "+a"(a_)             \
                : [bb] "m"(b)                                                       \
                : "rdx", "cc");                                                     \
    } while (0)
#else
#define FOLD_MAC(a, b)                                                              \
    do {                                                                            \
        u128 p_ = (u128)(a) * (b);                                                  \
        u128 s_ = (u128)c0 + (uint64_t)p_;                                          \
        c0 = (uint64_t)s_;                                                          \
        s_ = (u128)c1 + (uint64_t)(p_ >> 64) + (uint64_t)(s_ >> 64);                \
        c1 = (uint64_t)s_;                                                          \
        c2 += (uint64_t)(s_ >> 64);                                                 \
    } while (0)
#endif

/* One column pass: every product a_x * b_y of the listed (x, y) pairs, over all blobs. */
#define FOLD_COLUMN(k, PRODUCTS)                                                    \
    do {                                                                            \
        for (size_t i = 0; i < n; i++) {                                            \
            const uint64_t *a = A[i].l;                                             \
            const uint64_t *b = rho[i].l;                                           \
            PRODUCTS;                                                               \
        }                                                                           \
        t[k] = c0;                                                                  \
        c0 = c1;                                                                    \
        c1 = c2;                                                                    \
        c2 = 0;                                                                     \
    } while (0)

/* sum_i A[i] * rho[i] as the 10-limb integer t (exact). */
static void fold_dot(uint64_t t[10], const fr_t *A, const fr_t *rho, size_t n) {
    uint64_t c0 = 0, c1 = 0, c2 = 0;
    FOLD_COLUMN(0, FOLD_MAC(a[0], b[0]));
    FOLD_COLUMN(1, FOLD_MAC(a[0], b[1]); FOLD_MAC(a[1], b[0]));
    FOLD_COLUMN(2, FOLD_MAC(a[0], b[2]); FOLD_MAC(a[1], b[1]); FOLD_MAC(a[2], b[0]));
    FOLD_COLUMN(3, FOLD_MAC(a[0], b[3]); FOLD_MAC(a[1], b[2]); FOLD_MAC(a[2], b[1]); FOLD_MAC(a[3], b[0]));
    FOLD_COLUMN(4, FOLD_MAC(a[1], b[3]); FOLD_MAC(a[2], b[2]); FOLD_MAC(a[3], b[1]));
    FOLD_COLUMN(5, FOLD_MAC(a[2], b[3]); FOLD_MAC(a[3], b[2]));
    FOLD_COLUMN(6, FOLD_MAC(a[3], b[3]));
    t[7] = c0;
    t[8] = c1;
    t[9] = c2;
}

/* out = t / 2^320 mod r (t < 2^576), as 32 big-endian bytes. t is clobbered. */
static void fold_finish(uint8_t out[32], uint64_t t[10]) {
    for (int i = 0; i < 5; i++) {
        uint64_t m = t[i] * FR_INV;
        u128 c = (u128)m * FR_MODULUS.l[0] + t[i];
        c >>= 64;
        for (int j = 1; j < 4; j++) {
            c += (u128)m * FR_MODULUS.l[j] + t[i + j];
            t[i + j] = (uint64_t)c;
            c >>= 64;
        }
        for (int k = i + 4; k < 10; k++) {
            c += t[k];
            t[k] = (uint64_t)c;
            c >>= 64;
        }
    }
    /* t[5..9] < 2r < 2^256, so t[9] is 0 */
    fr_t v;
    fr_reduce_once(&v, t + 5, t[9]);
    fr_to_bytes(out, &v);
}

memo_status memo_fold_blobs(uint8_t out[MEMO_BYTES_PER_BLOB], const uint8_t *const *blobs,
                            const uint8_t *coeffs, size_t n, uint64_t *bad_index) {
    if (out == NULL || ((blobs == NULL || coeffs == NULL) && n != 0)) return MEMO_BADARGS;
    if ((uint64_t)n > MEMO_MAX_FOLD_BLOBS) return MEMO_BADARGS;
    if (n == 0) {
        memset(out, 0, MEMO_BYTES_PER_BLOB);
        return MEMO_OK;
    }
    for (size_t i = 0; i < n; i++)
        if (blobs[i] == NULL) return MEMO_BADARGS;
    if (n > SIZE_MAX / ((1 + FOLD_TILE) * sizeof(fr_t))) return MEMO_NOMEM;

    /* rho[0..n), then FOLD_TILE rows of n element limbs */
    fr_t *rho = malloc((1 + FOLD_TILE) * n * sizeof(fr_t));
    if (rho == NULL) return MEMO_NOMEM;
    fr_t *tile = rho + n;
    memo_status status = MEMO_OK;

    for (size_t i = 0; i < n; i++) {
        fr_t c;
        fr_from_bytes(&c, coeffs + 32 * i);
        if (!fr_is_canonical(&c)) {
            if (bad_index != NULL) *bad_index = i;
            status = MEMO_NONCANONICAL_COEFF;
            goto done;
        }
        fr_mont_mul(&rho[i], &c, &FR_R576); /* c * 2^576 / 2^256 = c * 2^320 */
    }

    for (size_t t0 = 0; t0 < MEMO_FIELD_ELEMENTS_PER_BLOB; t0 += FOLD_TILE) {
        for (size_t i = 0; i < n; i++) {
            for (size_t k = 0; k < FOLD_TILE; k++) {
                fr_t *v = &tile[k * n + i];
                fr_from_bytes(v, blobs[i] + 32 * (t0 + k));
                if (__builtin_expect(v->l[3] >= FR_MODULUS.l[3], 0) && !fr_is_canonical(v)) {
                    if (bad_index != NULL) *bad_index = (uint64_t)i * MEMO_FIELD_ELEMENTS_PER_BLOB + t0 + k;
                    status = MEMO_NONCANONICAL;
                    goto done;
                }
            }
        }
        for (size_t k = 0; k < FOLD_TILE; k++) {
            uint64_t t[10];
            fold_dot(t, tile + k * n, rho, n);
            fold_finish(out + 32 * (t0 + k), t);
        }
    }

done:
    free(rho);
    return status;
}
