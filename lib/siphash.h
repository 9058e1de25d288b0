/* siphash.h - SipHash-2-4 with its 128-bit result, fed in pieces: a
 * keyed hash whose collisions cannot be made without the key. */
#ifndef TW_SIPHASH_H
#define TW_SIPHASH_H

#include <glib.h>

typedef struct {
    guint64 v[4];
    guint8 tail[8]; /* bytes short of a word */
    size_t tail_len;
    size_t len; /* bytes fed in all */
} tw_siphash_t;

/* Starts a hash under the 16-byte key. */
void tw_siphash_init(tw_siphash_t *h, const guint8 key[16]);

void tw_siphash_update(tw_siphash_t *h, const void *data, size_t len);

/* Ends the hash: 16 bytes into out. */
void tw_siphash_final(tw_siphash_t *h, guint8 out[16]);

#endif
