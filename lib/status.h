/* status.h - status values shared by every module, and their meanings.
 *
 * Every fallible core function returns a tw_status_t and, where the
 * caller passed one, fills a tw_error_t with a sentence for the user.
 * Faces map statuses to exit codes (tw_status_exit_code) or to milter
 * replies; no core function exits or prints.
 */
#ifndef TW_STATUS_H
#define TW_STATUS_H

#include <stdbool.h>

typedef enum {
    TW_OK = 0,
    TW_ERR_USAGE,     /* bad arguments */
    TW_ERR_CONFIG,    /* configuration file or value */
    TW_ERR_NOINPUT,   /* an input file cannot be opened */
    TW_ERR_DATA,      /* input that cannot be used */
    TW_ERR_NOMEM,     /* out of memory */
    TW_ERR_DB_BUSY,   /* database locked past the busy timeout */
    TW_ERR_DB,        /* database unusable: unwritable, corrupt, full */
    TW_ERR_IO,        /* reading or writing failed */
    TW_ERR_NOT_FOUND, /* nothing matched */
    TW_ERR_NO_OWNER,  /* no owner could be determined */
} tw_status_t;

typedef struct {
    char text[512];
} tw_error_t;

/* Sets err (when not NULL) to the formatted sentence. */
void tw_error_set(tw_error_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A short, fixed description of the status. */
const char *tw_status_str(tw_status_t status);

/* The sysexits(3) code a command exits with for this status. */
int tw_status_exit_code(tw_status_t status);

/* True for failures of the machinery (database, memory, I/O) rather than
 * of the input: these follow the OnError policy. */
bool tw_status_is_infrastructure(tw_status_t status);

#endif
