/* thread.h - which conversation a message belongs to.
 *
 * Messages are linked by Message-ID, In-Reply-To and References; ids
 * referred to but not seen are kept as placeholders, and threads that
 * turn out to be one are merged when the link arrives.  Mail without
 * reply headers joins the latest thread with the same normalised
 * subject, shared people and nearby dates.
 */
#ifndef TW_THREAD_H
#define TW_THREAD_H

#include <glib.h>

#include "config.h"
#include "reading.h"
#include "status.h"
#include "store.h"

/* The subject without reply and forward prefixes and [list] tags,
 * white space collapsed, lower case.  Newly allocated. */
char *tw_thread_subject(const char *subject);

/* Finds or creates the thread of the message read in r, recorded
 * under key for owner_id at date, and binds its ids to it.  *created
 * says the thread is new: no message recorded before shares an id with
 * this one (its parent, a reply to it) or its subject and people.
 * *later says the thread holds mail dated at or after date: this
 * message comes out of order. */
tw_status_t tw_thread_resolve(tw_store_t *store, const tw_config_t *cfg,
                              gint64 owner_id, const tw_reading_t *r,
                              const char *key, gint64 date, gint64 *thread,
                              bool *created, bool *later);

#endif
