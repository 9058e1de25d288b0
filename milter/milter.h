/* milter.h - what the parts of twoway-milter share. */
#ifndef TW_MILTER_H
#define TW_MILTER_H

#include <glib.h>
#include <libmilter/mfapi.h>
#include <stdbool.h>

#include "config.h"
#include "status.h"

/* The configuration in use, counted: SIGHUP swaps in a new one while
 * connections finish with the one they started with. */
typedef struct {
    tw_config_t *cfg;
    gint refs;
} tw_mconf_t;

tw_mconf_t *tw_mconf_get(void);
void tw_mconf_put(tw_mconf_t *conf);
/* Makes cfg (owned) the configuration for new connections. */
void tw_mconf_set(tw_config_t *cfg);

/* Logging: to syslog, or stderr in the foreground without Syslog.
 * Every line about a message starts with its queue id. */
void tw_mlog_open(const tw_config_t *cfg, bool foreground);
void tw_mlog(int priority, const char *queue_id, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* The reply to the MTA for a status: the one policy table. */
sfsistat tw_policy_reply(tw_status_t status, const tw_config_t *cfg);
/* Its name in the log: "accept", "tempfail". */
const char *tw_policy_name(sfsistat reply);

/* True when the address (text) is in InternalHosts (addresses and
 * CIDR ranges; 127.0.0.1 and ::1 when none are configured). */
bool tw_internal_host(const tw_config_t *cfg, const char *addr);

/* The libmilter description: callbacks in callbacks.c. */
extern struct smfiDesc tw_milter_desc;
/* Closes the ledger once libmilter has stopped: its log is written
 * back into the database and removed. */
void tw_milter_close_store(void);

#endif
