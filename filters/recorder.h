/* recorder.h - a process that keeps the database open between
 * deliveries.
 *
 * Each twoway-filter process would otherwise open the database, read
 * its schema, rebuild the index of its write-ahead log and compile its
 * SQL anew: half of what a delivery costs.  The first delivery that
 * finds no recorder starts one (and records its message itself); the
 * next ones hand their message to it over a Unix socket and get the
 * tags back.  The recorder leaves when no delivery came for Recorder
 * seconds, or when its database is gone.  Whatever goes wrong on the
 * way, the delivery records its message itself.
 */
#ifndef TW_FILTER_RECORDER_H
#define TW_FILTER_RECORDER_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "options.h"
#include "raw.h"
#include "status.h"

/* Has the recorder for this program (argv[0]) and configuration
 * record the message.  True when it answered: *st, *tags, *tags_len and
 * err are its answer, as filter_record() gives them.  False when it
 * failed or there is none: the caller records the message itself, and,
 * when *start was set to the socket's path (to free), starts one with
 * recorder_start() once the message is written out. */
bool recorder_deliver(const char *argv0, const tw_globals_t *g, tw_config_t *cfg, bool sent,
                      const tw_raw_t *raw, tw_status_t *st, char **tags, size_t *tags_len,
                      tw_error_t *err, char **start);

/* Starts a recorder serving path, detached: its own session, none of
 * the delivery's descriptors (procmail waits until every copy of the
 * filter's output is closed), the delivery not waiting for it. */
void recorder_start(const tw_config_t *cfg, const char *path);

/* Runs the recorder in the foreground (twoway-filter --recorder) until
 * it leaves; returns the exit code.  Problems go to stderr. */
int recorder_run(const char *argv0, const tw_globals_t *g, tw_config_t *cfg);

#endif
