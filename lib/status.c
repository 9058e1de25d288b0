/* status.c - the one table from status to description and exit code. */
#include "status.h"

#include <stdarg.h>
#include <stdio.h>
#include <sysexits.h>

void
tw_error_set(tw_error_t *err, const char *fmt, ...)
{
    va_list ap;

    if (err == NULL)
        return;
    va_start(ap, fmt);
    vsnprintf(err->text, sizeof err->text, fmt, ap);
    va_end(ap);
}

static const struct {
    tw_status_t status;
    const char *text;
    int exit_code;
    bool infrastructure;
} status_table[] = {
    {TW_OK, "success", EX_OK, false},
    {TW_ERR_USAGE, "usage error", EX_USAGE, false},
    {TW_ERR_CONFIG, "configuration error", EX_CONFIG, false},
    {TW_ERR_NOINPUT, "cannot open input", EX_NOINPUT, false},
    {TW_ERR_DATA, "unusable input", EX_DATAERR, false},
    {TW_ERR_NOMEM, "out of memory", EX_TEMPFAIL, true},
    {TW_ERR_DB_BUSY, "database locked", EX_TEMPFAIL, true},
    {TW_ERR_DB, "database error", EX_TEMPFAIL, true},
    {TW_ERR_IO, "input/output error", EX_TEMPFAIL, true},
    {TW_ERR_NOT_FOUND, "not found", 1, false},
    {TW_ERR_NO_OWNER, "no owner", EX_USAGE, false},
};

#define N_STATUS (sizeof status_table / sizeof status_table[0])

const char *
tw_status_str(tw_status_t status)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_table[i].status == status)
            return status_table[i].text;
    return "unknown status";
}

int
tw_status_exit_code(tw_status_t status)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_table[i].status == status)
            return status_table[i].exit_code;
    return EX_SOFTWARE;
}

bool
tw_status_is_infrastructure(tw_status_t status)
{
    for (size_t i = 0; i < N_STATUS; i++)
        if (status_table[i].status == status)
            return status_table[i].infrastructure;
    return true;
}
