/*
 * fr.h: internal Fr arithmetic shared by the native sources (not public).
 *
 * An element is 4 little-endian 64-bit limbs. "Montgomery form" means
 * a * R mod r with R = 2^256. Multiplication is CIOS Montgomery with
 * unsigned __int128; every function keeps its result fully reduced (< r).
 */
#ifndef MEMO_FR_H
#define MEMO_FR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef unsigned __int128 u128;

typedef struct {
    uint64_t l[4];
} fr_t;

/* r, -r^-1 mod 2^64, and the Montgomery constants (see gen comments in fr.c). */
extern const fr_t FR_MODULUS;
extern const fr_t FR_ONE_MONT;    /* R mod r */
extern const fr_t FR_R2;          /* R^2 mod r */
extern const fr_t FR_R576;        /* 2^576 mod r: mont_mul(a, FR_R576) = a * 2^320 mod r */
#define FR_INV 0xfffffffeffffffffULL

static inline uint64_t fr_load_be64(const uint8_t *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

static inline void fr_store_be64(uint8_t *p, uint64_t v) {
    v = __builtin_bswap64(v);
    memcpy(p, &v, 8);
}

/* 32 big-endian bytes -> limbs (no range check). */
static inline void fr_from_bytes(fr_t *out, const uint8_t b[32]) {
    out->l[3] = fr_load_be64(b);
    out->l[2] = fr_load_be64(b + 8);
    out->l[1] = fr_load_be64(b + 16);
    out->l[0] = fr_load_be64(b + 24);
}

static inline void fr_to_bytes(uint8_t b[32], const fr_t *a) {
    fr_store_be64(b, a->l[3]);
    fr_store_be64(b + 8, a->l[2]);
    fr_store_be64(b + 16, a->l[1]);
    fr_store_be64(b + 24, a->l[0]);
}

/* a < r ? */
static inline int fr_is_canonical(const fr_t *a) {
    for (int i = 3; i >= 0; i--) {
        if (a->l[i] < FR_MODULUS.l[i]) return 1;
        if (a->l[i] > FR_MODULUS.l[i]) return 0;
    }
    return 0; /* equal to r */
}

static inline int fr_is_zero(const fr_t *a) {
    return (a->l[0] | a->l[1] | a->l[2] | a->l[3]) == 0;
}

static inline int fr_equal(const fr_t *a, const fr_t *b) {
    return ((a->l[0] ^ b->l[0]) | (a->l[1] ^ b->l[1]) | (a->l[2] ^ b->l[2]) | (a->l[3] ^ b->l[3])) == 0;
}

/* out = a - r if a >= r (a < 2r, given as 4 limbs plus a carry bit). */
static inline void fr_reduce_once(fr_t *out, const uint64_t a[4], uint64_t carry) {
    uint64_t t[4];
    u128 d;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        d = (u128)a[i] - FR_MODULUS.l[i] - borrow;
        t[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    /* keep a when it was below r (borrow and no carry) */
    uint64_t keep = (uint64_t)0 - (borrow & (carry ^ 1));
    for (int i = 0; i < 4; i++) out->l[i] = (a[i] & keep) | (t[i] & ~keep);
}

static inline void fr_add(fr_t *out, const fr_t *a, const fr_t *b) {
    uint64_t s[4];
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)a->l[i] + b->l[i];
        s[i] = (uint64_t)c;
        c >>= 64;
    }
    fr_reduce_once(out, s, (uint64_t)c);
}

static inline void fr_sub(fr_t *out, const fr_t *a, const fr_t *b) {
    uint64_t s[4];
    u128 d;
    uint64_t borrow = 0;
    for (int i = 0; i < 4; i++) {
        d = (u128)a->l[i] - b->l[i] - borrow;
        s[i] = (uint64_t)d;
        borrow = (uint64_t)(d >> 64) & 1;
    }
    /* add r back when it borrowed */
    uint64_t mask = (uint64_t)0 - borrow;
    u128 c = 0;
    for (int i = 0; i < 4; i++) {
        c += (u128)s[i] + (FR_MODULUS.l[i] & mask);
        out->l[i] = (uint64_t)c;
        c >>= 64;
    }
}

/* out = a * b * R^-1 mod r (CIOS). Inputs < r; out may alias a or b. */
static inline void fr_mont_mul(fr_t *out, const fr_t *a, const fr_t *b) {
    uint64_t t[6] = {0, 0, 0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
        u128 c = 0;
        for (int j = 0; j < 4; j++) {
            c += (u128)a->l[j] * b->l[i] + t[j];
            t[j] = (uint64_t)c;
            c >>= 64;
        }
        c += t[4];
        t[4] = (uint64_t)c;
        t[5] = (uint64_t)(c >> 64);

        uint64_t m = t[0] * FR_INV;
        c = (u128)m * FR_MODULUS.l[0] + t[0];
        c >>= 64;
        for (int j = 1; j < 4; j++) {
            c += (u128)m * FR_MODULUS.l[j] + t[j];
            t[j - 1] = (uint64_t)c;
            c >>= 64;
        }
        c += t[4];
        t[3] = (uint64_t)c;
        t[4] = t[5] + (uint64_t)(c >> 64);
    }
    fr_reduce_once(out, t, t[4]);
}

static inline void fr_to_mont(fr_t *out, const fr_t *a) {
    fr_mont_mul(out, a, &FR_R2);
}

static inline void fr_from_mont(fr_t *out, const fr_t *a) {
    const fr_t one = {{1, 0, 0, 0}};
    fr_mont_mul(out, a, &one);
}

/* out = a^-1 in Montgomery form (a in Montgomery form, non-zero). */
void fr_mont_inverse(fr_t *out, const fr_t *a);

/* out = a^e in Montgomery form, e given as 4 limbs. */
void fr_mont_pow(fr_t *out, const fr_t *a, const uint64_t e[4]);

/* Invert the n non-zero Montgomery-form elements of v in place; scratch holds n elements. */
void fr_batch_inverse_mont(fr_t *v, size_t n, fr_t *scratch);

/* The bit-reversed 4096th roots of unity in Montgomery form (built once). */
const fr_t *fr_roots_brp_mont(void);

#endif /* MEMO_FR_H */
