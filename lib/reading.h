/* reading.h - how one message reads for one owner.
 *
 * Direction, bulk and list mail, fresh text, the text's ask and the
 * verdict for this owner, with the reasons in words.  Nothing here
 * touches the database: `twoway explain` shows a reading as it is, and
 * the ledger records it.
 */
#ifndef TW_READING_H
#define TW_READING_H

#include <glib.h>
#include <stdbool.h>

#include "ask.h"
#include "bulk.h"
#include "config.h"
#include "message.h"
#include "store.h"

typedef enum {
    TW_HINT_AUTO, /* outgoing when From is one of the owner's addresses */
    TW_HINT_IN,
    TW_HINT_OUT,
} tw_direction_hint_t;

typedef struct {
    const tw_message_t *msg;   /* borrowed */
    const char *owner;         /* borrowed, normalised */
    tw_direction_t direction;
    tw_bulk_t bulk;
    bool names_owner;          /* the owner is in To or Cc */
    bool personal;             /* not bulk, and not list traffic that
                                * leaves the owner out of To and Cc */
    tw_reader_role_t role;     /* where the owner stands among recipients */
    char *fresh;               /* fresh text */
    tw_ask_t text;             /* the text's own reading */
    bool text_ask;             /* the text asks its readers */
    double score;              /* weighed for this owner */
    bool ask;                  /* the verdict for this owner */
    bool thanks;               /* only thanks: answers no ask */
    GPtrArray *correspondents; /* IN: the sender; OUT: the recipients */
    GPtrArray *askees;         /* OUT: whom an ask asks (To, else Cc) */
    GPtrArray *participants;   /* everyone but the owner */
    GPtrArray *lists;          /* the addresses of the list it came through */
    GPtrArray *why;            /* the reasons, one sentence each */
} tw_reading_t;

/* Reads msg for owner (normalised).  out is newly filled
 * (tw_reading_clear). */
void tw_read(const tw_config_t *cfg, const tw_message_t *msg, const char *owner,
             tw_direction_hint_t hint, tw_reading_t *out);

void tw_reading_clear(tw_reading_t *r);

/* Makes the reading bulk for a reason found outside the message (the
 * ledger's one-way rule): the reason joins the bulk reasons and the
 * why, and bulk mail asks nothing. */
void tw_reading_set_bulk(tw_reading_t *r, const char *reason);

/* True when addr is the owner's or the mailing list's: not a
 * correspondent. */
bool tw_reading_is_nobody(const tw_config_t *cfg, const tw_reading_t *r,
                          const char *addr);

/* The owner a message is for when no --owner is given: the configured
 * owner it is addressed to, else the first configured owner, else its
 * first Delivered-To.  Newly allocated or NULL. */
char *tw_reading_owner(const tw_config_t *cfg, const tw_message_t *msg);

#endif
