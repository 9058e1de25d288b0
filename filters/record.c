/* record.c - one delivery's work: parse, read, record, tags. */
#include "record.h"

#include "ledger.h"
#include "message.h"
#include "reading.h"
#include "tags.h"

tw_status_t
filter_record(const tw_config_t *cfg, bool sent, const tw_raw_t *raw, tw_store_t **store,
              gint64 trim_at, char **tags, size_t *tags_len, tw_error_t *err)
{
    tw_message_t *msg = NULL;
    char *owner = NULL;
    tw_status_t st;

    *tags = NULL;
    *tags_len = 0;
    st = tw_message_parse(raw->data, raw->len, cfg->max_body_bytes, cfg->subaddress_delims, &msg);
    if (st != TW_OK || !msg->is_mail)
        goto out; /* not mail: passed through */
    owner = tw_reading_owner(cfg, msg);
    if (owner == NULL) {
        st = TW_ERR_NO_OWNER;
        goto out;
    }
    if (*store == NULL) {
        char *path = tw_config_database(cfg);
        st = tw_store_open(path, cfg->busy_timeout_ms, true, store, err);
        g_free(path);
        if (st != TW_OK)
            goto out;
        /* the log is trimmed below, not at every close */
        tw_store_defer_checkpoints(*store);
    }
    tw_reading_t r;
    tw_record_t rec;
    tw_read(cfg, msg, owner, sent ? TW_HINT_OUT : TW_HINT_AUTO, &r);
    st = tw_ledger_record_one(*store, cfg, &r, g_get_real_time() / G_USEC_PER_SEC, &rec, err);
    if (st == TW_OK) {
        *tags = tw_tags_format(&rec.tags, tw_raw_eol(raw), tags_len);
        tw_record_clear(&rec);
        /* the message is recorded: a failure to trim changes nothing */
        tw_store_trim_log(*store, trim_at);
    }
    tw_reading_clear(&r);
out:
    tw_message_free(msg);
    g_free(owner);
    return st;
}
