/* options.h - what the command and the filter share: the global
 * options (--db, --owner, --config) and how they make a configuration.
 */
#ifndef TW_OPTIONS_H
#define TW_OPTIONS_H

#include <stdbool.h>

#include "config.h"
#include "status.h"

typedef struct {
    const char *db;
    const char *owner;
    const char *config;
} tw_globals_t;

/* The global options as getopt_long entries (ids 0x100..0x102), for a
 * face's own option table.  Returns true when opt was one of them. */
#define TW_GLOBAL_OPTIONS                                                   \
    {"db", required_argument, NULL, 0x100},                                 \
        {"owner", required_argument, NULL, 0x101},                          \
        {"config", required_argument, NULL, 0x102}
bool tw_globals_take(tw_globals_t *g, int opt, const char *arg);

/* Builds the configuration: the --config file (which must exist), else
 * the default file when it exists; then --db and --owner on top.
 * --owner becomes the first owner. */
tw_status_t tw_globals_config(const tw_globals_t *g, tw_config_t **cfg,
                              tw_error_t *err);

/* The program name for messages. */
extern const char *tw_progname;

/* Prints "PROG: message" to stderr. */
void tw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
