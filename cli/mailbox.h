/* mailbox.h - the messages in an mbox file, a maildir, a directory of
 * message files or a single file.
 *
 * A file that starts with "From " is an mbox: a message starts at each
 * "From " line at the start of the file or after a blank line.  Any
 * other file is one message.  A directory with cur/ and new/ is a
 * maildir; any other directory is walked for files (dot files left
 * out), in name order.
 */
#ifndef TW_MAILBOX_H
#define TW_MAILBOX_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* Receives one message; origin is "PATH" or "PATH:LINE".  When take is
 * not NULL, *take is data itself, the whole of a file read into memory
 * (g_malloc'd): the receiver may keep it by setting *take to NULL, instead
 * of copying it.  Returning false stops the walk. */
typedef bool (*tw_mailbox_fn)(void *ctx, const char *data, size_t len,
                              const char *origin, char **take);

/* Total bytes of the files under path that tw_mailbox_each() reads. */
guint64 tw_mailbox_bytes(const char *path);

/* Calls fn for every message under path.  Returns TW_ERR_NOINPUT (err
 * names the path) when path cannot be read, TW_ERR_IO when fn stopped. */
tw_status_t tw_mailbox_each(const char *path, tw_mailbox_fn fn, void *ctx,
                            tw_error_t *err);

/* The same in date order, by the messages' Date headers: a message
 * without one counts as dated undated; messages of the same date come
 * in the order tw_mailbox_each() gives.  Every message under path is
 * looked at, by as many threads as there are processors (up to four),
 * before the first is handed over: an mbox stays loaded until the end,
 * a message file is kept from that look (up to 64 MB of them in all) or
 * read again. */
tw_status_t tw_mailbox_each_by_date(const char *path, gint64 undated,
                                    tw_mailbox_fn fn, void *ctx,
                                    tw_error_t *err);

#endif
