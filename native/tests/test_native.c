/*
 * test_native.c: known-answer and edge-case tests of the native Fr core.
 *
 * Usage: test_native [path/to/tests/vectors/fr.txt]
 * (default: ../tests/vectors/fr.txt, then tests/vectors/fr.txt). The vector
 * format and the deterministic blob generator are documented in
 * tests/vectors/generate.py. Prints "N passed, M failed" and exits non-zero
 * on any failure.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "memo_native.h"

static int passed, failed;
static int lineno;

#define CHECK(cond, ...)                                          \
    do {                                                          \
        if (cond) {                                               \
            passed++;                                             \
        } else {                                                  \
            failed++;                                             \
            fprintf(stderr, "FAIL (line %d, %s:%d): ", lineno, __FILE__, __LINE__); \
            fprintf(stderr, __VA_ARGS__);                         \
            fputc('\n', stderr);                                  \
        }                                                         \
    } while (0)

static const uint8_t R_BYTES[32] = {0x73, 0xed, 0xa7, 0x53, 0x29, 0x9d, 0x7d, 0x48, 0x33, 0x39, 0xd8,
                                    0x08, 0x09, 0xa1, 0xd8, 0x05, 0x53, 0xbd, 0xa4, 0x02, 0xff, 0xfe,
                                    0x5b, 0xfe, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x00, 0x01};

/* ---- helpers: hex, status names, splitmix64 data, fnv ---- */

static int hexval(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int parse_hex(uint8_t *out, size_t n, const char *s) {
    if (s == NULL || strlen(s) != 2 * n) return 0;
    for (size_t i = 0; i < n; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return 0;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return 1;
}

static const char *status_name(memo_status s) {
    switch (s) {
    case MEMO_OK: return "OK";
    case MEMO_BADARGS: return "BADARGS";
    case MEMO_NONCANONICAL: return "NONCANONICAL";
    case MEMO_NOT_PACKED: return "NOT_PACKED";
    case MEMO_ZERO_INVERSE: return "ZERO_INVERSE";
    case MEMO_NONCANONICAL_COEFF: return "NONCANONICAL_COEFF";
    case MEMO_NOMEM: return "NOMEM";
    }
    return "?";
}

static void splitmix_bytes(uint8_t *out, uint64_t seed, size_t len) {
    uint64_t state = seed;
    for (size_t off = 0; off < len; off += 8) {
        state += 0x9e3779b97f4a7c15ULL;
        uint64_t z = state;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        z ^= z >> 31;
        for (size_t k = 0; k < 8 && off + k < len; k++) out[off + k] = (uint8_t)(z >> (56 - 8 * k));
    }
}

static uint64_t fnv(const uint8_t *p, size_t n) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 0x100000001b3ULL;
    return h;
}

/* Build the blob named by spec (see generate.py) into out; 0 on a bad spec. */
static int blob_from_spec(uint8_t *out, const char *spec) {
    if (strncmp(spec, "rand:", 5) == 0) {
        splitmix_bytes(out, strtoull(spec + 5, NULL, 16), MEMO_BYTES_PER_BLOB);
        for (size_t j = 0; j < MEMO_FIELD_ELEMENTS_PER_BLOB; j++) out[32 * j] &= 0x3f;
        return 1;
    }
    if (strcmp(spec, "max") == 0) {
        for (size_t j = 0; j < MEMO_FIELD_ELEMENTS_PER_BLOB; j++) {
            memcpy(out + 32 * j, R_BYTES, 32);
            out[32 * j + 31] -= 1;
        }
        return 1;
    }
    if (strncmp(spec, "data:", 5) == 0) {
        char *end;
        uint64_t seed = strtoull(spec + 5, &end, 16);
        size_t len = (size_t)strtoull(end + 1, NULL, 10);
        if (len > MEMO_PAYLOAD_BYTES_PER_BLOB) return 0;
        uint8_t *data = malloc(len + 1);
        splitmix_bytes(data, seed, len);
        memo_status s = memo_pack_blobs(out, MEMO_BYTES_PER_BLOB, data, len);
        free(data);
        return s == MEMO_OK;
    }
    return 0;
}

/* ---- vector cases ---- */

#define MAX_TOKENS 512

typedef memo_status (*binop_fn)(uint8_t *, const uint8_t *, const uint8_t *);

static void case_binop(binop_fn fn, char **tok, int ntok) {
    uint8_t a[32], b[32], out[32], want[32];
    if (ntok != 4 || !parse_hex(a, 32, tok[1]) || !parse_hex(b, 32, tok[2])) {
        CHECK(0, "malformed %s line", tok[0]);
        return;
    }
    memo_status s = fn(out, a, b);
    if (parse_hex(want, 32, tok[3])) {
        CHECK(s == MEMO_OK && memcmp(out, want, 32) == 0, "%s: status %s or wrong value", tok[0], status_name(s));
    } else {
        CHECK(strcmp(status_name(s), tok[3]) == 0, "%s: status %s, want %s", tok[0], status_name(s), tok[3]);
    }
}

static void case_inv(char **tok, int ntok) {
    uint8_t a[32], out[32], want[32];
    if (ntok != 3 || !parse_hex(a, 32, tok[1])) {
        CHECK(0, "malformed inv line");
        return;
    }
    memo_status s = memo_fr_inverse(out, a);
    if (parse_hex(want, 32, tok[2])) {
        CHECK(s == MEMO_OK && memcmp(out, want, 32) == 0, "inv: status %s or wrong value", status_name(s));
        /* batch inversion of one element agrees */
        uint64_t bad = 0;
        s = memo_batch_inverse(out, a, 1, &bad);
        CHECK(s == MEMO_OK && memcmp(out, want, 32) == 0, "batch inverse of one");
    } else {
        CHECK(strcmp(status_name(s), tok[2]) == 0, "inv: status %s, want %s", status_name(s), tok[2]);
    }
}

static void case_roots(char **tok, int ntok) {
    static uint8_t roots[MEMO_BYTES_PER_BLOB];
    uint8_t want1[32];
    if (ntok != 3 || !parse_hex(want1, 32, tok[2])) {
        CHECK(0, "malformed roots line");
        return;
    }
    CHECK(memo_roots_of_unity_brp(roots) == MEMO_OK, "roots status");
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)fnv(roots, sizeof roots));
    CHECK(strcmp(buf, tok[1]) == 0, "roots fnv %s, want %s", buf, tok[1]);
    CHECK(memcmp(roots + 32, want1, 32) == 0, "roots[1]");
}

static void case_pack(char **tok, int ntok) {
    if (ntok != 5) {
        CHECK(0, "malformed pack line");
        return;
    }
    uint64_t seed = strtoull(tok[1], NULL, 16);
    size_t len = (size_t)strtoull(tok[2], NULL, 10);
    size_t n_blobs = (size_t)strtoull(tok[3], NULL, 10);
    uint8_t *data = malloc(len + 1);
    uint8_t *blobs = malloc(n_blobs * MEMO_BYTES_PER_BLOB);
    uint8_t *back = malloc(n_blobs * MEMO_PAYLOAD_BYTES_PER_BLOB);
    splitmix_bytes(data, seed, len);
    memo_status s = memo_pack_blobs(blobs, n_blobs * MEMO_BYTES_PER_BLOB, data, len);
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)fnv(blobs, n_blobs * MEMO_BYTES_PER_BLOB));
    CHECK(s == MEMO_OK && strcmp(buf, tok[4]) == 0, "pack %s %s: status %s fnv %s", tok[1], tok[2], status_name(s), buf);
    /* a wrong output size is rejected */
    CHECK(memo_pack_blobs(blobs, n_blobs * MEMO_BYTES_PER_BLOB - 1, data, len) == MEMO_BADARGS, "pack short out");
    CHECK(memo_pack_blobs(blobs, (n_blobs - 1) * MEMO_BYTES_PER_BLOB, data, len) == MEMO_BADARGS, "pack fewer blobs");
    /* unpack round-trips, padding included */
    uint64_t bad = 0;
    s = memo_unpack_blobs(back, blobs, n_blobs, &bad);
    int tail_zero = 1;
    for (size_t i = len; i < n_blobs * MEMO_PAYLOAD_BYTES_PER_BLOB; i++) tail_zero &= back[i] == 0;
    CHECK(s == MEMO_OK && memcmp(back, data, len) == 0 && tail_zero, "unpack round trip");
    CHECK(memo_check_blobs(blobs, n_blobs, &bad) == MEMO_OK, "packed blobs are canonical");
    /* a non-zero top byte is rejected, naming the element; >= r is NONCANONICAL */
    size_t e = n_blobs * MEMO_FIELD_ELEMENTS_PER_BLOB - 1 - (seed % 97);
    blobs[32 * e] = 0x01;
    s = memo_unpack_blobs(back, blobs, n_blobs, &bad);
    CHECK(s == MEMO_NOT_PACKED && bad == e, "unpack top byte: %s at %llu", status_name(s), (unsigned long long)bad);
    blobs[32 * e] = 0xff;
    s = memo_unpack_blobs(back, blobs, n_blobs, &bad);
    CHECK(s == MEMO_NONCANONICAL && bad == e, "unpack >= r: %s at %llu", status_name(s), (unsigned long long)bad);
    s = memo_check_blobs(blobs, n_blobs, &bad);
    CHECK(s == MEMO_NONCANONICAL && bad == e, "check >= r");
    free(data);
    free(blobs);
    free(back);
}

static void case_fold(char **tok, int ntok) {
    size_t n = ntok > 1 ? (size_t)strtoull(tok[1], NULL, 10) : 0;
    if (n == 0 || ntok != (int)(2 * n + 5)) {
        CHECK(0, "malformed fold line");
        return;
    }
    uint8_t *blobs = malloc(n * MEMO_BYTES_PER_BLOB);
    const uint8_t **ptrs = malloc(n * sizeof *ptrs);
    uint8_t *coeffs = malloc(32 * n);
    static uint8_t out[MEMO_BYTES_PER_BLOB];
    uint8_t e0[32], elast[32];
    int ok = parse_hex(e0, 32, tok[2 * n + 3]) && parse_hex(elast, 32, tok[2 * n + 4]);
    for (size_t i = 0; i < n; i++) {
        ok &= blob_from_spec(blobs + i * MEMO_BYTES_PER_BLOB, tok[2 + i]);
        ok &= parse_hex(coeffs + 32 * i, 32, tok[2 + n + i]);
        ptrs[i] = blobs + i * MEMO_BYTES_PER_BLOB;
    }
    CHECK(ok, "malformed fold line");
    uint64_t bad = 0;
    memo_status s = memo_fold_blobs(out, ptrs, coeffs, n, &bad);
    char buf[17];
    snprintf(buf, sizeof buf, "%016llx", (unsigned long long)fnv(out, sizeof out));
    CHECK(s == MEMO_OK && strcmp(buf, tok[2 * n + 2]) == 0, "fold %zu: status %s fnv %s", n, status_name(s), buf);
    CHECK(memcmp(out, e0, 32) == 0 && memcmp(out + MEMO_BYTES_PER_BLOB - 32, elast, 32) == 0, "fold ends");

    /* a non-canonical element, then a non-canonical coefficient, are named */
    size_t bi = n - 1, ej = 4095 - n;
    uint8_t saved[32];
    memcpy(saved, blobs + bi * MEMO_BYTES_PER_BLOB + 32 * ej, 32);
    memcpy(blobs + bi * MEMO_BYTES_PER_BLOB + 32 * ej, R_BYTES, 32);
    s = memo_fold_blobs(out, ptrs, coeffs, n, &bad);
    CHECK(s == MEMO_NONCANONICAL && bad == bi * 4096 + ej, "fold element r: %s at %llu", status_name(s),
          (unsigned long long)bad);
    memcpy(blobs + bi * MEMO_BYTES_PER_BLOB + 32 * ej, saved, 32);
    memset(coeffs + 32 * (n - 1), 0xff, 32);
    s = memo_fold_blobs(out, ptrs, coeffs, n, &bad);
    CHECK(s == MEMO_NONCANONICAL_COEFF && bad == n - 1, "fold coefficient 2^256-1: %s", status_name(s));
    ptrs[0] = NULL;
    CHECK(memo_fold_blobs(out, ptrs, coeffs, n, &bad) == MEMO_BADARGS, "fold NULL blob");
    free(blobs);
    free(ptrs);
    free(coeffs);
}

static void case_eval(char **tok, int ntok) {
    static uint8_t blob[MEMO_BYTES_PER_BLOB];
    uint8_t z[32], want[32], out[32];
    if (ntok != 4 || !blob_from_spec(blob, tok[1]) || !parse_hex(z, 32, tok[2]) || !parse_hex(want, 32, tok[3])) {
        CHECK(0, "malformed eval line");
        return;
    }
    uint64_t bad = 0;
    memo_status s = memo_evaluate_blob(out, blob, z, &bad);
    CHECK(s == MEMO_OK && memcmp(out, want, 32) == 0, "eval %s: status %s or wrong y", tok[1], status_name(s));
}

static void case_batchinv(char **tok, int ntok, int zero) {
    size_t n = ntok > 1 ? (size_t)strtoull(tok[1], NULL, 10) : 0;
    if (n == 0 || ntok != (int)(2 + n + (zero ? 1 : n))) {
        CHECK(0, "malformed batchinv line");
        return;
    }
    uint8_t *in = malloc(32 * n), *out = malloc(32 * n), *want = malloc(32 * n);
    int ok = 1;
    for (size_t i = 0; i < n; i++) {
        ok &= parse_hex(in + 32 * i, 32, tok[2 + i]);
        if (!zero) ok &= parse_hex(want + 32 * i, 32, tok[2 + n + i]);
    }
    CHECK(ok, "malformed batchinv line");
    uint64_t bad = 0;
    memo_status s = memo_batch_inverse(out, in, n, &bad);
    if (zero) {
        CHECK(s == MEMO_ZERO_INVERSE && bad == strtoull(tok[2 + n], NULL, 10), "batchinv zero: %s at %llu",
              status_name(s), (unsigned long long)bad);
    } else {
        CHECK(s == MEMO_OK && memcmp(out, want, 32 * n) == 0, "batchinv %zu: %s", n, status_name(s));
        /* in place */
        s = memo_batch_inverse(in, in, n, &bad);
        CHECK(s == MEMO_OK && memcmp(in, want, 32 * n) == 0, "batchinv in place");
    }
    free(in);
    free(out);
    free(want);
}

static int run_vectors(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) return 0;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    char *tok[MAX_TOKENS];
    while ((len = getline(&line, &cap, f)) != -1) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n') line[len - 1] = 0;
        if (line[0] == '#' || line[0] == 0) continue;
        int ntok = 0;
        for (char *p = strtok(line, " "); p != NULL && ntok < MAX_TOKENS; p = strtok(NULL, " ")) tok[ntok++] = p;
        if (strcmp(tok[0], "mul") == 0) case_binop(memo_fr_mul, tok, ntok);
        else if (strcmp(tok[0], "add") == 0) case_binop(memo_fr_add, tok, ntok);
        else if (strcmp(tok[0], "sub") == 0) case_binop(memo_fr_sub, tok, ntok);
        else if (strcmp(tok[0], "inv") == 0) case_inv(tok, ntok);
        else if (strcmp(tok[0], "roots") == 0) case_roots(tok, ntok);
        else if (strcmp(tok[0], "pack") == 0) case_pack(tok, ntok);
        else if (strcmp(tok[0], "fold") == 0) case_fold(tok, ntok);
        else if (strcmp(tok[0], "eval") == 0) case_eval(tok, ntok);
        else if (strcmp(tok[0], "batchinv") == 0) case_batchinv(tok, ntok, 0);
        else if (strcmp(tok[0], "batchinv_zero") == 0) case_batchinv(tok, ntok, 1);
        else CHECK(0, "unknown case %s", tok[0]);
    }
    free(line);
    fclose(f);
    return 1;
}

/* ---- edge cases not in the vector file ---- */

static void edge_cases(void) {
    lineno = 0;
    static uint8_t blob[MEMO_BYTES_PER_BLOB], out[MEMO_BYTES_PER_BLOB];
    uint64_t bad = 0;
    uint8_t one[32] = {0}, z[32];
    one[31] = 1;

    /* fold of zero blobs is the zero blob; NULL arguments are BADARGS */
    memset(out, 0xaa, sizeof out);
    CHECK(memo_fold_blobs(out, NULL, NULL, 0, &bad) == MEMO_OK, "fold n=0");
    int zero = 1;
    for (size_t i = 0; i < sizeof out; i++) zero &= out[i] == 0;
    CHECK(zero, "fold n=0 is the zero blob");
    CHECK(memo_fold_blobs(NULL, NULL, NULL, 0, &bad) == MEMO_BADARGS, "fold NULL out");
    CHECK(memo_fold_blobs(out, NULL, one, 1, &bad) == MEMO_BADARGS, "fold NULL blobs");

    /* fold by 1 is the identity; by 0 the zero blob; the same blob twice adds */
    blob_from_spec(blob, "rand:77");
    const uint8_t *ptrs[2] = {blob, blob};
    uint8_t coeffs[64] = {0};
    coeffs[31] = 1;
    CHECK(memo_fold_blobs(out, ptrs, coeffs, 1, &bad) == MEMO_OK && memcmp(out, blob, sizeof blob) == 0, "fold by 1");
    coeffs[63] = 1;
    static uint8_t doubled[MEMO_BYTES_PER_BLOB];
    CHECK(memo_fold_blobs(doubled, ptrs, coeffs, 2, &bad) == MEMO_OK, "fold twice");
    int same = 1;
    for (size_t j = 0; j < MEMO_FIELD_ELEMENTS_PER_BLOB; j++) {
        uint8_t sum[32];
        memo_fr_add(sum, blob + 32 * j, blob + 32 * j);
        same &= memcmp(sum, doubled + 32 * j, 32) == 0;
    }
    CHECK(same, "fold (1, 1) of a blob with itself doubles it");
    /* coefficient exactly r */
    memcpy(coeffs, R_BYTES, 32);
    CHECK(memo_fold_blobs(out, ptrs, coeffs, 2, &bad) == MEMO_NONCANONICAL_COEFF && bad == 0, "fold coefficient r");

    /* evaluation: z = r is rejected; NULLs are BADARGS; a non-canonical blob is named */
    CHECK(memo_evaluate_blob(out, blob, R_BYTES, &bad) == MEMO_NONCANONICAL, "eval z = r");
    CHECK(memo_evaluate_blob(NULL, blob, one, &bad) == MEMO_BADARGS, "eval NULL out");
    memcpy(blob + 32 * 5, R_BYTES, 32);
    CHECK(memo_evaluate_blob(out, blob, one, &bad) == MEMO_NONCANONICAL && bad == 5, "eval non-canonical blob");

    /* evaluation at every 512th root of unity returns the element there */
    static uint8_t roots[MEMO_BYTES_PER_BLOB];
    blob_from_spec(blob, "rand:78");
    memo_roots_of_unity_brp(roots);
    int hits = 1;
    for (size_t i = 0; i < MEMO_FIELD_ELEMENTS_PER_BLOB; i += 511) {
        memcpy(z, roots + 32 * i, 32);
        hits &= memo_evaluate_blob(out, blob, z, &bad) == MEMO_OK && memcmp(out, blob + 32 * i, 32) == 0;
    }
    CHECK(hits, "eval on the domain");

    /* inversion: x * x^-1 = 1 at the edges; zero and r are rejected */
    uint8_t rm1[32], inv[32], prod[32], zero32[32] = {0};
    memcpy(rm1, R_BYTES, 32);
    rm1[31] -= 1;
    CHECK(memo_fr_inverse(inv, rm1) == MEMO_OK && memcmp(inv, rm1, 32) == 0, "(r-1)^-1 = r-1");
    CHECK(memo_fr_inverse(inv, one) == MEMO_OK && memcmp(inv, one, 32) == 0, "1^-1 = 1");
    CHECK(memo_fr_inverse(inv, zero32) == MEMO_ZERO_INVERSE, "0^-1");
    CHECK(memo_fr_inverse(inv, R_BYTES) == MEMO_NONCANONICAL, "r^-1");
    CHECK(memo_fr_mul(prod, rm1, rm1) == MEMO_OK && memcmp(prod, one, 32) == 0, "(r-1)^2 = 1");
    uint8_t three[96] = {0};
    three[31] = 2;
    three[95] = 3;
    CHECK(memo_batch_inverse(three, three, 3, &bad) == MEMO_ZERO_INVERSE && bad == 1, "batch zero at 1");
    memcpy(three + 32, R_BYTES, 32);
    CHECK(memo_batch_inverse(three, three, 3, &bad) == MEMO_NONCANONICAL && bad == 1, "batch r at 1");
    CHECK(memo_batch_inverse(NULL, NULL, 0, &bad) == MEMO_OK, "batch n=0");

    /* pack: empty data is one zero blob; NULL data with a length is BADARGS */
    CHECK(memo_pack_blobs(out, MEMO_BYTES_PER_BLOB, NULL, 0) == MEMO_OK, "pack empty");
    zero = 1;
    for (size_t i = 0; i < sizeof out; i++) zero &= out[i] == 0;
    CHECK(zero, "pack empty is zero");
    CHECK(memo_pack_blobs(out, MEMO_BYTES_PER_BLOB, NULL, 5) == MEMO_BADARGS, "pack NULL data");
    CHECK(memo_unpack_blobs(NULL, NULL, 0, &bad) == MEMO_OK, "unpack zero blobs");
    CHECK(memo_check_blobs(NULL, 1, &bad) == MEMO_BADARGS, "check NULL");
}

int main(int argc, char **argv) {
    const char *candidates[] = {argc > 1 ? argv[1] : NULL, "../tests/vectors/fr.txt", "tests/vectors/fr.txt"};
    int found = 0;
    for (size_t i = 0; i < 3 && !found; i++) {
        if (candidates[i] != NULL && run_vectors(candidates[i])) {
            printf("vectors: %s\n", candidates[i]);
            found = 1;
        }
    }
    if (!found) {
        fprintf(stderr, "cannot open the vector file tests/vectors/fr.txt\n");
        failed++;
    }
    edge_cases();
    printf("%d passed, %d failed\n", passed, failed);
    return failed == 0 ? 0 : 1;
}
