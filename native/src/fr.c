/*
 * fr.c: Fr constants, exponentiation, inversion, the roots-of-unity table,
 * and the public single-element operations.
 *
 * Constants (checked by the C tests against Python's big integers):
 *   r        = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001
 *   R mod r, R^2 mod r, 2^576 mod r with R = 2^256.
 *   ROOT     = 7^((r-1)/4096) mod r, the primitive 4096th root of unity of EIP-4844.
 */
#include <pthread.h>

#include "memo_native.h"
#include "fr.h"

const fr_t FR_MODULUS = {{0xffffffff00000001ULL, 0x53bda402fffe5bfeULL, 0x3339d80809a1d805ULL, 0x73eda753299d7d48ULL}};
const fr_t FR_ONE_MONT = {{0x00000001fffffffeULL, 0x5884b7fa00034802ULL, 0x998c4fefecbc4ff5ULL, 0x1824b159acc5056fULL}};
const fr_t FR_R2 = {{0xc999e990f3f29c6dULL, 0x2b6cedcb87925c23ULL, 0x05d314967254398fULL, 0x0748d9d99f59ff11ULL}};
const fr_t FR_R576 = {{0x344171c0bba87a71ULL, 0x3c0538d1df7ed1caULL, 0x4aa18ade7ed9fe9fULL, 0x63643e570b4094fbULL}};

/* ROOT in Montgomery form. */
static const fr_t FR_ROOT_MONT = {{0xf2df262c09458a39ULL, 0x048cdf5b99dff177ULL, 0x16857bc5c7cce57bULL, 0x043b3dbca4a915aeULL}};

void fr_mont_pow(fr_t *out, const fr_t *a, const uint64_t e[4]) {
    fr_t acc = FR_ONE_MONT;
    fr_t base = *a;
    for (int i = 0; i < 4; i++) {
        uint64_t w = e[i];
        for (int b = 0; b < 64; b++) {
            if (w & 1) fr_mont_mul(&acc, &acc, &base);
            fr_mont_mul(&base, &base, &base);
            w >>= 1;
        }
    }
    *out = acc;
}

void fr_mont_inverse(fr_t *out, const fr_t *a) {
    /* a^(r-2) */
    const uint64_t e[4] = {FR_MODULUS.l[0] - 2, FR_MODULUS.l[1], FR_MODULUS.l[2], FR_MODULUS.l[3]};
    fr_mont_pow(out, a, e);
}

/* ---- roots of unity, bit-reversed, built once ---- */

static fr_t roots_brp[MEMO_FIELD_ELEMENTS_PER_BLOB];
static pthread_once_t roots_once = PTHREAD_ONCE_INIT;

static uint32_t reverse_bits12(uint32_t x) {
    uint32_t y = 0;
    for (int i = 0; i < 12; i++) {
        y = (y << 1) | (x & 1);
        x >>= 1;
    }
    return y;
}

static void build_roots(void) {
    fr_t w = FR_ONE_MONT;
    for (uint32_t i = 0; i < MEMO_FIELD_ELEMENTS_PER_BLOB; i++) {
        roots_brp[reverse_bits12(i)] = w;
        fr_mont_mul(&w, &w, &FR_ROOT_MONT);
    }
}

const fr_t *fr_roots_brp_mont(void) {
    pthread_once(&roots_once, build_roots);
    return roots_brp;
}

memo_status memo_roots_of_unity_brp(uint8_t out[MEMO_BYTES_PER_BLOB]) {
    if (out == NULL) return MEMO_BADARGS;
    const fr_t *roots = fr_roots_brp_mont();
    for (size_t i = 0; i < MEMO_FIELD_ELEMENTS_PER_BLOB; i++) {
        fr_t v;
        fr_from_mont(&v, &roots[i]);
        fr_to_bytes(out + 32 * i, &v);
    }
    return MEMO_OK;
}

/* ---- public single-element operations ---- */

static memo_status load_canonical(fr_t *out, const uint8_t b[32]) {
    if (b == NULL) return MEMO_BADARGS;
    fr_from_bytes(out, b);
    return fr_is_canonical(out) ? MEMO_OK : MEMO_NONCANONICAL;
}

memo_status memo_fr_mul(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    fr_t x, y;
    memo_status s;
    if (out == NULL) return MEMO_BADARGS;
    if ((s = load_canonical(&x, a)) != MEMO_OK) return s;
    if ((s = load_canonical(&y, b)) != MEMO_OK) return s;
    fr_to_mont(&x, &x);
    fr_mont_mul(&x, &x, &y); /* x*R * y / R = x*y */
    fr_to_bytes(out, &x);
    return MEMO_OK;
}

memo_status memo_fr_add(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    fr_t x, y;
    memo_status s;
    if (out == NULL) return MEMO_BADARGS;
    if ((s = load_canonical(&x, a)) != MEMO_OK) return s;
    if ((s = load_canonical(&y, b)) != MEMO_OK) return s;
    fr_add(&x, &x, &y);
    fr_to_bytes(out, &x);
    return MEMO_OK;
}

memo_status memo_fr_sub(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]) {
    fr_t x, y;
    memo_status s;
    if (out == NULL) return MEMO_BADARGS;
    if ((s = load_canonical(&x, a)) != MEMO_OK) return s;
    if ((s = load_canonical(&y, b)) != MEMO_OK) return s;
    fr_sub(&x, &x, &y);
    fr_to_bytes(out, &x);
    return MEMO_OK;
}

memo_status memo_fr_inverse(uint8_t out[32], const uint8_t a[32]) {
    fr_t x;
    memo_status s;
    if (out == NULL) return MEMO_BADARGS;
    if ((s = load_canonical(&x, a)) != MEMO_OK) return s;
    if (fr_is_zero(&x)) return MEMO_ZERO_INVERSE;
    fr_to_mont(&x, &x);
    fr_mont_inverse(&x, &x);
    fr_from_mont(&x, &x);
    fr_to_bytes(out, &x);
    return MEMO_OK;
}
