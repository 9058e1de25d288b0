/* config.h - the configuration file and the owner's identities.
 *
 * One file, "Key value" per line, '#' comments, keys from one table.
 * An unknown key or a bad value is an error naming the file and line.
 * Every face reads the same file; keys meant for another face are
 * checked and kept, not rejected.
 */
#ifndef TW_CONFIG_H
#define TW_CONFIG_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef enum {
    TW_ON_ERROR_ACCEPT,
    TW_ON_ERROR_TEMPFAIL,
} tw_on_error_t;

typedef struct {
    char *path;              /* the file read, or NULL */
    char *database;          /* NULL: tw_config_default_database() */
    GPtrArray *owners;       /* normalised owner addresses, in order */
    GHashTable *aliases;     /* normalised alias -> owner */
    GPtrArray *domains;      /* lower-cased domains of owners */
    char *subaddress_delims; /* "+" by default; "" keeps sub-addresses */
    tw_on_error_t on_error;
    size_t max_body_bytes;
    int busy_timeout_ms;
    bool list_asks;
    int thread_window_days;
    double ask_threshold;
    bool per_person_asks;    /* an ask to several stays open for each */
    /* twoway-filter */
    int recorder_seconds;    /* its recorder waits this long for more; 0: none */
    /* twoway-milter */
    char *socket;
    GPtrArray *internal_hosts;
    char *user_id;
    bool allow_root;         /* may keep running as root */
    char *pid_file;
    int umask;
    bool syslog;
    char *syslog_facility;
} tw_config_t;

/* A configuration holding every default. */
tw_config_t *tw_config_new(void);
void tw_config_free(tw_config_t *cfg);

/* Reads path into cfg.  On error, err says "path:line: what", or
 * "path: what" for a file that is not safe to trust (see
 * tw_config_check_file). */
tw_status_t tw_config_load(tw_config_t *cfg, const char *path,
                           tw_error_t *err);

/* Whether the open file fd, read from path, may be trusted as a
 * configuration: it must belong to root or to the user the program
 * runs as; nobody else may write it (for a program running as root,
 * no group but root's either); and no directory above it may be one
 * where anyone could replace it (writable by all without the sticky
 * bit).
 * Character devices such as /dev/null escape the writing rule.  On
 * refusal, err names path and the reason. */
tw_status_t tw_config_check_file(int fd, const char *path, tw_error_t *err);

/* The first directory above path, from its own up to "/", that anyone
 * may write and that is not sticky (anyone could put another file or
 * directory in path's place), newly allocated; NULL when there is
 * none. */
char *tw_config_unsafe_dir(const char *path);

/* Applies one "Key value" setting as if read from a file; origin names
 * where it came from in messages (e.g. "--owner"). */
tw_status_t tw_config_set(tw_config_t *cfg, const char *key,
                          const char *value, const char *origin,
                          tw_error_t *err);

/* $XDG_CONFIG_HOME/twoway/twoway.conf (newly allocated). */
char *tw_config_default_path(void);

/* $XDG_DATA_HOME/twoway/twoway.db (newly allocated). */
char *tw_config_default_database(void);

/* The database path in use (configured or default), newly allocated. */
char *tw_config_database(const tw_config_t *cfg);

/* Normalises addr with the configured sub-address delimiters. */
char *tw_config_normalise(const tw_config_t *cfg, const char *addr);

/* The owner a normalised address belongs to (itself, the owner it is
 * an alias of, or itself when its domain is configured), else NULL. */
const char *tw_config_owner_of(const tw_config_t *cfg, const char *addr);

/* True when addr is owner or one of owner's aliases. */
bool tw_config_is_identity(const tw_config_t *cfg, const char *owner,
                           const char *addr);

#endif
