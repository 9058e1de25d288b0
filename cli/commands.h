/* commands.h - the commands of twoway(1) and what they share. */
#ifndef TW_COMMANDS_H
#define TW_COMMANDS_H

#include <glib.h>
#include <stdbool.h>

#include "config.h"
#include "options.h"
#include "status.h"
#include "store.h"

typedef struct {
    tw_globals_t globals;
    tw_config_t *cfg;
    tw_store_t *store; /* opened by tw_cmd_store() */
    char *owner;       /* normalised; resolved by tw_cmd_owner() */
    gint64 owner_id;
    gint64 now;
} tw_cmd_t;

typedef int (*tw_cmd_fn)(tw_cmd_t *cmd, int argc, char **argv);

int tw_cmd_import(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_pending(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_waiting(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_summary(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_show(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_digest(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_explain(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_done(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_forget(tw_cmd_t *cmd, int argc, char **argv);
int tw_cmd_stats(tw_cmd_t *cmd, int argc, char **argv);

/* Opens the database (creating it when create is set).  Prints the
 * error and returns its exit code, or 0. */
int tw_cmd_store(tw_cmd_t *cmd, bool create);

/* Resolves the owner: --owner, the config's first Owner, else the only
 * owner in the database.  Needs the store for the last.  Prints the
 * error and returns its exit code, or 0; with must_exist, an owner
 * with nothing recorded is an error. */
int tw_cmd_owner(tw_cmd_t *cmd, bool must_exist);

/* Prints a usage error for the command and returns 64. */
int tw_cmd_usage(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints a database error and returns the exit code of st. */
int tw_cmd_db_error(tw_cmd_t *cmd, tw_status_t st);

#endif
