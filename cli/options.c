/* options.c - global options and configuration for the faces. */
#include "options.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

const char *tw_progname = "twoway";

void
tw_warn(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", tw_progname);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool
tw_globals_take(tw_globals_t *g, int opt, const char *arg)
{
    switch (opt) {
    case 0x100:
        g->db = arg;
        return true;
    case 0x101:
        g->owner = arg;
        return true;
    case 0x102:
        g->config = arg;
        return true;
    }
    return false;
}

tw_status_t
tw_globals_config(const tw_globals_t *g, tw_config_t **out, tw_error_t *err)
{
    tw_config_t *cfg = tw_config_new();
    tw_status_t st = TW_OK;

    if (g->config != NULL) {
        st = tw_config_load(cfg, g->config, err);
    } else {
        char *path = tw_config_default_path();
        if (access(path, F_OK) == 0)
            st = tw_config_load(cfg, path, err);
        g_free(path);
    }
    if (st == TW_OK && g->db != NULL)
        st = tw_config_set(cfg, "Database", g->db, "--db", err);
    if (st == TW_OK && g->owner != NULL) {
        char *owner = tw_config_normalise(cfg, g->owner);
        st = tw_config_set(cfg, "Owner", g->owner, "--owner", err);
        if (st == TW_OK) {
            /* --owner is the owner: first in the list */
            for (guint i = 0; i < cfg->owners->len; i++)
                if (g_strcmp0(cfg->owners->pdata[i], owner) == 0) {
                    gpointer p = g_ptr_array_steal_index(cfg->owners, i);
                    g_ptr_array_insert(cfg->owners, 0, p);
                    break;
                }
        }
        g_free(owner);
    }
    if (st != TW_OK) {
        tw_config_free(cfg);
        cfg = NULL;
    }
    *out = cfg;
    return st;
}
