/* ledger.h - the rules: recording a message, opening and closing asks,
 * reply times, the balance and the tags.
 *
 * An ask from C to the owner is answered when the owner sends a human
 * message whose In-Reply-To/References name it, or, for mail without
 * those headers, a message in the same thread addressed to C.  The
 * mirror holds for the owner's asks; an ask to several people closes
 * when any of them answers (with PerPersonAsks, for each who answers).
 * Bulk mail and thanks never close an ask, nor does bulk mail open one.
 * The owner's own follow-up to an open ask counts as a chase.  A sender
 * who has mailed the owner more than ONE_WAY_AFTER times without a
 * message from the owner is bulk from then on, and its open asks are
 * set aside.
 *
 * The rules come to the same ledger whatever order mail is recorded
 * in: a message recorded after mail dated later in its thread puts
 * right what that mail decided without it (answers, chases, reply
 * times), and the owner's first message to a one-way sender applies
 * that rule again in date order.
 */
#ifndef TW_LEDGER_H
#define TW_LEDGER_H

#include <glib.h>
#include <stdbool.h>

#include "config.h"
#include "reading.h"
#include "status.h"
#include "store.h"
#include "tags.h"

typedef struct {
    bool recorded;      /* false: the message was recorded before */
    gint64 message_row;
    gint64 thread;
    int answered;       /* asks this message answered */
    tw_tags_t tags;     /* for incoming mail */
} tw_record_t;

/* Records the message read in r for its owner within the caller's
 * transaction (which may hold several), and, when tags is set, computes
 * its tags.  now stands in for a missing Date.  On failure the message
 * may be half recorded: the caller rolls the transaction back. */
tw_status_t tw_ledger_record(tw_store_t *store, const tw_config_t *cfg,
                             const tw_reading_t *r, gint64 now, bool tags,
                             tw_record_t *out, tw_error_t *err);

/* Records in a transaction of its own, with tags: begin, record,
 * commit. */
tw_status_t tw_ledger_record_one(tw_store_t *store, const tw_config_t *cfg,
                                 const tw_reading_t *r, gint64 now,
                                 tw_record_t *out, tw_error_t *err);

void tw_record_clear(tw_record_t *rec);

/* Whether a message is recorded for owner already, by its key (as
 * tw_message_key() makes it; NULL: not looked at) or its content key, as
 * tw_ledger_record() would find it. */
tw_status_t tw_ledger_known(tw_store_t *store, const char *owner, const char *key,
                            const char *content_key, bool *known, tw_error_t *err);

/* What the one-way rule makes of the message read in r: a sender who
 * has mailed the owner more than ten times, never written to, is bulk
 * from then on, and what it asked before is set aside. */
typedef struct {
    bool one_way;   /* the rule makes the message bulk */
    bool recorded;  /* the message is recorded: as it was recorded then */
    bool set_aside; /* recorded as human mail; its asks set aside since */
    char *reason;   /* in words (newly allocated), NULL when neither */
} tw_one_way_t;

/* Looks the message up for `twoway explain`: recorded, as it was
 * recorded; else as it would be recorded now (now stands in for a
 * missing Date).  Reads the database, writes nothing. */
tw_status_t tw_ledger_one_way(tw_store_t *store, const tw_reading_t *r, gint64 now,
                              tw_one_way_t *out);

void tw_one_way_clear(tw_one_way_t *ow);

#endif
