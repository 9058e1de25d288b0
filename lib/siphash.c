/* siphash.c - SipHash-2-4, 128-bit output (Aumasson and Bernstein,
 * "SipHash: a fast short-input PRF", 2012). */
#include "siphash.h"

#include <string.h>

#define ROTL(x, b) (((x) << (b)) | ((x) >> (64 - (b))))

static void
sip_round(guint64 v[4])
{
    v[0] += v[1], v[1] = ROTL(v[1], 13), v[1] ^= v[0], v[0] = ROTL(v[0], 32);
    v[2] += v[3], v[3] = ROTL(v[3], 16), v[3] ^= v[2];
    v[0] += v[3], v[3] = ROTL(v[3], 21), v[3] ^= v[0];
    v[2] += v[1], v[1] = ROTL(v[1], 17), v[1] ^= v[2], v[2] = ROTL(v[2], 32);
}

static guint64
word(const guint8 *p)
{
    guint64 w;

    memcpy(&w, p, sizeof w);
    return GUINT64_FROM_LE(w);
}

static void
compress(tw_siphash_t *h, guint64 m)
{
    h->v[3] ^= m;
    sip_round(h->v);
    sip_round(h->v);
    h->v[0] ^= m;
}

void
tw_siphash_init(tw_siphash_t *h, const guint8 key[16])
{
    guint64 k0 = word(key), k1 = word(key + 8);

    h->v[0] = k0 ^ G_GUINT64_CONSTANT(0x736f6d6570736575);
    h->v[1] = k1 ^ G_GUINT64_CONSTANT(0x646f72616e646f6d) ^ 0xee;
    h->v[2] = k0 ^ G_GUINT64_CONSTANT(0x6c7967656e657261);
    h->v[3] = k1 ^ G_GUINT64_CONSTANT(0x7465646279746573);
    h->tail_len = 0;
    h->len = 0;
}

void
tw_siphash_update(tw_siphash_t *h, const void *data, size_t len)
{
    const guint8 *p = data;

    h->len += len;
    if (h->tail_len > 0) {
        size_t n = MIN(len, 8 - h->tail_len);
        memcpy(h->tail + h->tail_len, p, n);
        h->tail_len += n, p += n, len -= n;
        if (h->tail_len < 8)
            return;
        compress(h, word(h->tail));
        h->tail_len = 0;
    }
    for (; len >= 8; p += 8, len -= 8)
        compress(h, word(p));
    memcpy(h->tail, p, len);
    h->tail_len = len;
}

void
tw_siphash_final(tw_siphash_t *h, guint8 out[16])
{
    guint64 b = (guint64)(h->len & 0xff) << 56;

    for (size_t i = 0; i < h->tail_len; i++)
        b |= (guint64)h->tail[i] << (8 * i);
    compress(h, b);
    h->v[2] ^= 0xee;
    for (int i = 0; i < 4; i++)
        sip_round(h->v);
    guint64 r0 = GUINT64_TO_LE(h->v[0] ^ h->v[1] ^ h->v[2] ^ h->v[3]);
    h->v[1] ^= 0xdd;
    for (int i = 0; i < 4; i++)
        sip_round(h->v);
    guint64 r1 = GUINT64_TO_LE(h->v[0] ^ h->v[1] ^ h->v[2] ^ h->v[3]);
    memcpy(out, &r0, 8);
    memcpy(out + 8, &r1, 8);
}
