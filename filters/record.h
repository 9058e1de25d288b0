/* record.h - one delivery's work, wherever it runs: in the filter
 * itself, or in the recorder that keeps the database open between
 * deliveries.
 */
#ifndef TW_FILTER_RECORD_H
#define TW_FILTER_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "raw.h"
#include "status.h"
#include "store.h"

/* Parses, reads and records the message and formats its tags in the
 * message's line ending (*tags NULL and *tags_len 0 for none).  *store
 * is the database, opened here when NULL and left open for the caller
 * to close.  After recording, the database's log is trimmed when it
 * holds more than trim_at bytes.  Mail that is not mail is left alone
 * (TW_OK, no tags); TW_ERR_NO_OWNER when no owner is known. */
tw_status_t filter_record(const tw_config_t *cfg, bool sent, const tw_raw_t *raw,
                          tw_store_t **store, gint64 trim_at, char **tags, size_t *tags_len,
                          tw_error_t *err);

#endif
