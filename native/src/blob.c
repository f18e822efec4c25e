/*
 * blob.c: packing bytes into blobs and back, and the canonical check.
 *
 * Element j of a packed blob is 0x00 || payload[31j .. 31j+31), so every
 * packed element is below 2^248 < r.
 */
#include "memo_native.h"
#include "fr.h"

memo_status memo_pack_blobs(uint8_t *out, size_t out_len, const uint8_t *data, size_t data_len) {
    if (out == NULL || (data == NULL && data_len != 0)) return MEMO_BADARGS;
    size_t n_blobs = data_len == 0 ? 1 : (data_len + MEMO_PAYLOAD_BYTES_PER_BLOB - 1) / MEMO_PAYLOAD_BYTES_PER_BLOB;
    if (n_blobs > SIZE_MAX / MEMO_BYTES_PER_BLOB || out_len != n_blobs * MEMO_BYTES_PER_BLOB) return MEMO_BADARGS;

    size_t n_elements = n_blobs * MEMO_FIELD_ELEMENTS_PER_BLOB;
    size_t full = data_len / MEMO_PAYLOAD_BYTES_PER_ELEMENT;
    size_t rest = data_len % MEMO_PAYLOAD_BYTES_PER_ELEMENT;
    for (size_t e = 0; e < full; e++) {
        uint8_t *dst = out + e * MEMO_BYTES_PER_FIELD_ELEMENT;
        dst[0] = 0;
        memcpy(dst + 1, data + e * MEMO_PAYLOAD_BYTES_PER_ELEMENT, MEMO_PAYLOAD_BYTES_PER_ELEMENT);
    }
    size_t e = full;
    if (rest != 0) {
        uint8_t *dst = out + e * MEMO_BYTES_PER_FIELD_ELEMENT;
        memset(dst, 0, MEMO_BYTES_PER_FIELD_ELEMENT);
        memcpy(dst + 1, data + e * MEMO_PAYLOAD_BYTES_PER_ELEMENT, rest);
        e++;
    }
    memset(out + e * MEMO_BYTES_PER_FIELD_ELEMENT, 0, (n_elements - e) * MEMO_BYTES_PER_FIELD_ELEMENT);
    return MEMO_OK;
}

memo_status memo_unpack_blobs(uint8_t *out, const uint8_t *blobs, size_t n_blobs, uint64_t *bad_index) {
    if (((out == NULL || blobs == NULL) && n_blobs != 0) || n_blobs > SIZE_MAX / MEMO_BYTES_PER_BLOB) return MEMO_BADARGS;
    size_t n_elements = n_blobs * MEMO_FIELD_ELEMENTS_PER_BLOB;
    for (size_t e = 0; e < n_elements; e++) {
        const uint8_t *src = blobs + e * MEMO_BYTES_PER_FIELD_ELEMENT;
        if (src[0] != 0) {
            fr_t v;
            fr_from_bytes(&v, src);
            if (bad_index != NULL) *bad_index = e;
            return fr_is_canonical(&v) ? MEMO_NOT_PACKED : MEMO_NONCANONICAL;
        }
        memcpy(out + e * MEMO_PAYLOAD_BYTES_PER_ELEMENT, src + 1, MEMO_PAYLOAD_BYTES_PER_ELEMENT);
    }
    return MEMO_OK;
}

memo_status memo_check_blobs(const uint8_t *blobs, size_t n_blobs, uint64_t *bad_index) {
    if ((blobs == NULL && n_blobs != 0) || n_blobs > SIZE_MAX / MEMO_BYTES_PER_BLOB) return MEMO_BADARGS;
    size_t n_elements = n_blobs * MEMO_FIELD_ELEMENTS_PER_BLOB;
    for (size_t e = 0; e < n_elements; e++) {
        fr_t v;
        fr_from_bytes(&v, blobs + e * MEMO_BYTES_PER_FIELD_ELEMENT);
        if (!fr_is_canonical(&v)) {
            if (bad_index != NULL) *bad_index = e;
            return MEMO_NONCANONICAL;
        }
    }
    return MEMO_OK;
}
