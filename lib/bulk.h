/* bulk.h - mail no person wrote to its readers, and mailing-list mail.
 *
 * Bulk mail (newsletters, notifications, auto-replies, bounces and
 * receipts) never creates an ask and never counts as a reply.  List
 * mail came through a mailing list; a person posting to a discussion
 * list is list mail but not bulk.
 */
#ifndef TW_BULK_H
#define TW_BULK_H

#include <glib.h>
#include <stdbool.h>

#include "message.h"

typedef struct {
    bool bulk;
    bool list;
    GPtrArray *reasons; /* char *, why it is bulk, for explain */
    char *list_id;      /* the list it came through, when list mail */
} tw_bulk_t;

/* Judges msg; out->reasons is newly allocated (tw_bulk_clear). */
void tw_bulk_judge(const tw_message_t *msg, tw_bulk_t *out);

void tw_bulk_clear(tw_bulk_t *b);

/* True for sender addresses nobody can reply to (noreply@,
 * mailer-daemon@, notifications@, ...). */
bool tw_bulk_is_noreply_address(const char *addr);

#endif
