/* callbacks.c - libmilter callbacks: collect the envelope and the
 * message, hand them to the core at the end of the message, apply the
 * tags.  No rule lives here: direction, owners and tags come from the
 * core; failures go through the policy table.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>

#include "ledger.h"
#include "message.h"
#include "milter.h"
#include "reading.h"
#include "tags.h"

typedef struct {
    char *name;
    int index; /* 1-based among headers of the same name */
} forged_t;

/* The database: one connection for the whole milter, used by one
 * thread at a time.  SQLite would serialise the writers anyway, but by
 * sleeping between retries; a mutex hands the ledger over at once.
 * store_file is the file it opened (device and inode): when the path
 * names another file, or none, the database was removed or replaced
 * under the milter, and the connection is opened afresh. */
static GMutex store_lock;
static tw_store_t *store;
static struct stat store_file;

/* Steps the MTA need not wait on: each reply it waits for costs a
 * round trip and, in libmilter's pool of workers, thread hand-overs. */
#define NO_REPLY_STEPS                                                        \
    (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_MAIL | SMFIP_NR_RCPT | SMFIP_NR_HDR | \
     SMFIP_NR_EOH | SMFIP_NR_BODY)

/* One SMTP connection; the message part is reset for each transaction. */
typedef struct {
    unsigned long no_reply; /* SMFIP_NR_* agreed with the MTA */
    tw_mconf_t *conf;
    char client[INET6_ADDRSTRLEN];
    bool internal;      /* the client is in InternalHosts */
    /* the current message */
    char *queue_id;
    char *env_from;
    bool authenticated;
    GPtrArray *rcpts;   /* char *, as given */
    GString *head;      /* "Name: value\n" lines */
    GHashTable *seen;   /* lower-case header name -> count */
    GArray *forged;     /* forged_t: X-Twoway-* to remove */
    GString *body;
    size_t body_bytes;  /* seen, including what was not kept */
} conn_t;

static conn_t *
conn_of(SMFICTX *ctx)
{
    return (conn_t *)smfi_getpriv(ctx);
}

/* The reply to a step: none when the MTA agreed not to wait for one. */
static sfsistat
go_on(const conn_t *c, unsigned long step)
{
    return c != NULL && (c->no_reply & step) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static conn_t *
conn_new(SMFICTX *ctx)
{
    conn_t *c = g_new0(conn_t, 1);

    c->conf = tw_mconf_get();
    c->rcpts = g_ptr_array_new_with_free_func(g_free);
    c->head = g_string_new(NULL);
    c->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    c->forged = g_array_new(FALSE, FALSE, sizeof(forged_t));
    c->body = g_string_new(NULL);
    smfi_setpriv(ctx, c);
    return c;
}

static void
forged_clear(conn_t *c)
{
    for (guint i = 0; c->forged && i < c->forged->len; i++)
        g_free(g_array_index(c->forged, forged_t, i).name);
    if (c->forged)
        g_array_set_size(c->forged, 0);
}

static void
message_reset(conn_t *c)
{
    g_clear_pointer(&c->queue_id, g_free);
    g_clear_pointer(&c->env_from, g_free);
    c->authenticated = false;
    g_ptr_array_set_size(c->rcpts, 0);
    g_string_truncate(c->head, 0);
    g_hash_table_remove_all(c->seen);
    forged_clear(c);
    g_string_truncate(c->body, 0);
    c->body_bytes = 0;
}

static void
conn_free(conn_t *c)
{
    if (c == NULL)
        return;
    message_reset(c);
    g_ptr_array_free(c->rcpts, TRUE);
    g_string_free(c->head, TRUE);
    g_hash_table_destroy(c->seen);
    g_array_free(c->forged, TRUE);
    g_string_free(c->body, TRUE);
    tw_mconf_put(c->conf);
    g_free(c);
}

static const char *
queue_id(SMFICTX *ctx, conn_t *c)
{
    const char *i = smfi_getsymval(ctx, "i");

    if (i == NULL)
        i = smfi_getsymval(ctx, "{i}");
    if (i != NULL && (c->queue_id == NULL || strcmp(c->queue_id, i) != 0)) {
        g_free(c->queue_id);
        c->queue_id = g_strdup(i);
    }
    return c->queue_id ? c->queue_id : "NOQUEUE";
}

static sfsistat
cb_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1, unsigned long f2,
             unsigned long f3, unsigned long *pf0, unsigned long *pf1, unsigned long *pf2,
             unsigned long *pf3)
{
    conn_t *c = conn_of(ctx) ? conn_of(ctx) : conn_new(ctx);

    *pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS);
    c->no_reply = f1 & NO_REPLY_STEPS;
    /* and no DATA or unknown command at all: nothing to do there */
    *pf1 = c->no_reply | (f1 & (SMFIP_NODATA | SMFIP_NOUNKNOWN));
    *pf2 = 0;
    *pf3 = 0;
    return SMFIS_CONTINUE;
}

static sfsistat
cb_connect(SMFICTX *ctx, char *hostname, _SOCK_ADDR *hostaddr)
{
    conn_t *c = conn_of(ctx) ? conn_of(ctx) : conn_new(ctx);

    if (hostaddr != NULL && hostaddr->sa_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in *)(void *)hostaddr)->sin_addr, c->client,
                  sizeof c->client);
    else if (hostaddr != NULL && hostaddr->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 *)(void *)hostaddr)->sin6_addr, c->client,
                  sizeof c->client);
    else if (hostname != NULL && strcmp(hostname, "localhost") == 0)
        g_strlcpy(c->client, "127.0.0.1", sizeof c->client); /* local submission */
    c->internal = tw_internal_host(c->conf->cfg, c->client);
    return go_on(c, SMFIP_NR_CONN);
}

static sfsistat
cb_helo(SMFICTX *ctx, char *helo)
{
    return go_on(conn_of(ctx), SMFIP_NR_HELO);
}

static sfsistat
cb_envfrom(SMFICTX *ctx, char **argv)
{
    conn_t *c = conn_of(ctx);
    const char *auth;

    if (c == NULL)
        return SMFIS_ACCEPT;
    message_reset(c);
    c->env_from = g_strdup(argv && argv[0] ? argv[0] : "");
    auth = smfi_getsymval(ctx, "{auth_authen}");
    c->authenticated = auth != NULL && *auth != '\0';
    queue_id(ctx, c);
    return go_on(c, SMFIP_NR_MAIL);
}

static sfsistat
cb_envrcpt(SMFICTX *ctx, char **argv)
{
    conn_t *c = conn_of(ctx);

    if (c == NULL)
        return SMFIS_ACCEPT;
    if (argv && argv[0] && c->rcpts->len < 10000)
        g_ptr_array_add(c->rcpts, g_strdup(argv[0]));
    return go_on(c, SMFIP_NR_RCPT);
}

static sfsistat
cb_header(SMFICTX *ctx, char *name, char *value)
{
    conn_t *c = conn_of(ctx);
    const tw_config_t *cfg;

    if (c == NULL || name == NULL)
        return go_on(c, SMFIP_NR_HDR);
    cfg = c->conf->cfg;
    char *key = g_ascii_strdown(name, -1);
    int n = GPOINTER_TO_INT(g_hash_table_lookup(c->seen, key)) + 1;
    g_hash_table_replace(c->seen, key, GINT_TO_POINTER(n));
    if (g_ascii_strncasecmp(name, TW_TAG_PREFIX, strlen(TW_TAG_PREFIX)) == 0) {
        forged_t f = {g_strdup(name), n};
        g_array_append_val(c->forged, f);
        return go_on(c, SMFIP_NR_HDR);
    }
    /* the header block is kept for analysis, up to the body cap */
    if (c->head->len < cfg->max_body_bytes)
        g_string_append_printf(c->head, "%s: %s\n", name, value ? value : "");
    return go_on(c, SMFIP_NR_HDR);
}

static sfsistat
cb_eoh(SMFICTX *ctx)
{
    return go_on(conn_of(ctx), SMFIP_NR_EOH);
}

static sfsistat
cb_body(SMFICTX *ctx, unsigned char *chunk, size_t len)
{
    conn_t *c = conn_of(ctx);
    size_t cap;

    if (c == NULL)
        return SMFIS_CONTINUE;
    cap = c->conf->cfg->max_body_bytes;
    c->body_bytes += len;
    if (c->body->len < cap)
        g_string_append_len(c->body, (const char *)chunk,
                            (gssize)MIN(len, cap - c->body->len));
    /* beyond the cap the body is counted, not kept: the mail itself
     * always passes whole */
    return go_on(c, SMFIP_NR_BODY);
}

/* Applies tags: every line of the formatted block becomes one header
 * (continuation lines stay in its value).  A header the MTA does not
 * take (the conversation failed) ends it: the mail passes with the
 * tags added so far, and the log says so. */
static void
add_tags(SMFICTX *ctx, const char *qid, const char *block)
{
    const char *p = block;

    while (*p) {
        const char *colon = strchr(p, ':');
        const char *end = p;
        /* the header ends at a newline not followed by a blank */
        while (*end && !(end[0] == '\n' && end[1] != ' ' && end[1] != '\t'))
            end++;
        if (colon == NULL || colon > end)
            break;
        char *name = g_strndup(p, (gsize)(colon - p));
        const char *v = colon + 1;
        while (*v == ' ')
            v++;
        char *value = g_strndup(v, (gsize)(end - v));
        bool added = smfi_addheader(ctx, name, value) == MI_SUCCESS;
        if (!added)
            tw_mlog(LOG_WARNING, qid, "the MTA did not take header %s: tags left incomplete",
                    name);
        g_free(name);
        g_free(value);
        if (!added)
            break;
        p = *end ? end + 1 : end;
    }
}

/* Owner-independent tags for a message that concerns several owners. */
static void
shared_tags(const tw_reading_t *r, tw_tags_t *t)
{
    memset(t, 0, sizeof *t);
    if (r->text_ask && !r->bulk.bulk && (!r->bulk.list || r->names_owner)) {
        t->ask = true;
        t->score = r->text.score;
        t->cue = g_strdup(r->text.cue);
    }
}

typedef struct {
    char *owner;
    tw_direction_hint_t hint;
} concern_t;

/* Who the message concerns: the local sender when the client may
 * submit mail (authenticated or internal), and every local
 * recipient. */
static GArray *
concerned(conn_t *c, const tw_message_t *msg)
{
    const tw_config_t *cfg = c->conf->cfg;
    GArray *out = g_array_new(FALSE, FALSE, sizeof(concern_t));
    char *from = tw_config_normalise(cfg, c->env_from);
    const char *sender_owner;

    if (from == NULL && msg->from != NULL)
        from = g_strdup(msg->from->addr);
    sender_owner = tw_config_owner_of(cfg, from);
    if (sender_owner != NULL && (c->authenticated || c->internal)) {
        concern_t k = {g_strdup(sender_owner), TW_HINT_OUT};
        g_array_append_val(out, k);
    }
    for (guint i = 0; i < c->rcpts->len; i++) {
        char *rcpt = tw_config_normalise(cfg, c->rcpts->pdata[i]);
        const char *o = tw_config_owner_of(cfg, rcpt);
        bool dup = false;
        for (guint k = 0; k < out->len && o; k++) {
            concern_t *e = &g_array_index(out, concern_t, k);
            dup = dup || (e->hint == TW_HINT_IN && strcmp(e->owner, o) == 0);
        }
        if (o != NULL && !dup && (sender_owner == NULL || strcmp(o, sender_owner) != 0 ||
                                  !(c->authenticated || c->internal))) {
            concern_t k = {g_strdup(o), TW_HINT_IN};
            g_array_append_val(out, k);
        }
        g_free(rcpt);
    }
    g_free(from);
    return out;
}

static void
concerned_free(GArray *a)
{
    for (guint i = 0; i < a->len; i++)
        g_free(g_array_index(a, concern_t, i).owner);
    g_array_free(a, TRUE);
}

void
tw_milter_close_store(void)
{
    g_mutex_lock(&store_lock);
    g_clear_pointer(&store, tw_store_close);
    g_mutex_unlock(&store_lock);
}

/* Whether every envelope recipient is an address of owner: only then
 * may the one copy the MTA delivers carry that owner's ledger. */
static bool
all_recipients_of(conn_t *c, const char *owner)
{
    const tw_config_t *cfg = c->conf->cfg;
    bool yes = c->rcpts->len > 0;

    for (guint i = 0; i < c->rcpts->len && yes; i++) {
        char *rcpt = tw_config_normalise(cfg, c->rcpts->pdata[i]);
        const char *o = tw_config_owner_of(cfg, rcpt);
        yes = o != NULL && strcmp(o, owner) == 0;
        g_free(rcpt);
    }
    return yes;
}

/* Records the message for everyone it concerns, in one transaction;
 * *tags gets the header block to add (or NULL): the owner's own tags
 * when the message concerns one owner and goes to that owner alone,
 * else the tags that hold nothing of anyone's ledger. */
static tw_status_t
record(conn_t *c, const char *qid, const tw_message_t *msg, char **tags, tw_error_t *err)
{
    const tw_config_t *cfg = c->conf->cfg;
    GArray *who = concerned(c, msg);
    tw_status_t st = TW_OK;
    tw_tags_t shared = {0};
    char *path;
    gint64 now = g_get_real_time() / G_USEC_PER_SEC;
    GPtrArray *done; /* log lines, one per owner recorded */

    *tags = NULL;
    if (who->len == 0) {
        tw_mlog(LOG_INFO, qid, "no local owner concerned: not recorded");
        concerned_free(who);
        return TW_OK;
    }
    done = g_ptr_array_new_with_free_func(g_free);
    /* reading needs no ledger: it is done before the ledger is taken,
     * so that other connections' messages are read meanwhile */
    tw_reading_t *readings = g_new0(tw_reading_t, who->len);
    for (guint i = 0; i < who->len; i++) {
        concern_t *k = &g_array_index(who, concern_t, i);
        tw_read(cfg, msg, k->owner, k->hint, &readings[i]);
    }
    g_mutex_lock(&store_lock);
    path = tw_config_database(cfg);
    if (store != NULL && strcmp(tw_store_path(store), path) != 0)
        g_clear_pointer(&store, tw_store_close); /* Database changed by a reload */
    if (store != NULL) {
        /* SQLite would go on writing into a removed file, and the
         * ledger at the path would never see that mail */
        struct stat sb;
        if (stat(path, &sb) != 0 || sb.st_dev != store_file.st_dev ||
            sb.st_ino != store_file.st_ino) {
            tw_mlog(LOG_WARNING, qid,
                    "%s: the database file was removed or replaced: opening it afresh", path);
            g_clear_pointer(&store, tw_store_close);
        }
    }
    if (store == NULL && (st = tw_store_open(path, cfg->busy_timeout_ms, true, &store, err)) ==
                             TW_OK)
        stat(path, &store_file);
    g_free(path);
    if (st == TW_OK && (st = tw_store_begin(store)) != TW_OK)
        tw_error_set(err, "%s: %s", tw_store_path(store), tw_store_error(store));
    for (guint i = 0; i < who->len && st == TW_OK; i++) {
        concern_t *k = &g_array_index(who, concern_t, i);
        const tw_reading_t *r = &readings[i];
        tw_record_t rec;
        bool own_tags = k->hint == TW_HINT_IN && who->len == 1 && all_recipients_of(c, k->owner);
        st = tw_ledger_record(store, cfg, r, now, own_tags, &rec, err);
        if (st == TW_OK) {
            g_ptr_array_add(done, g_strdup_printf("%s %s for %s%s%s",
                                                  rec.recorded ? "recorded" : "known",
                                                  r->direction == TW_DIR_IN ? "incoming" : "outgoing",
                                                  k->owner, r->ask ? ", an ask" : "",
                                                  r->bulk.bulk ? ", bulk" : ""));
            if (own_tags)
                *tags = tw_tags_format(&rec.tags, "\n", &(size_t){0});
            else if (k->hint == TW_HINT_IN && *tags == NULL && shared.cue == NULL)
                shared_tags(r, &shared);
            tw_record_clear(&rec);
        }
    }
    if (st == TW_OK && (st = tw_store_commit(store)) != TW_OK)
        tw_error_set(err, "%s: %s", tw_store_path(store), tw_store_error(store));
    /* what was recorded is said once it is committed: a failure is
     * said once, by the caller */
    for (guint i = 0; st == TW_OK && i < done->len; i++)
        tw_mlog(LOG_INFO, qid, "%s", (const char *)done->pdata[i]);
    g_ptr_array_free(done, TRUE);
    if (st != TW_OK && store != NULL) {
        tw_store_rollback(store);
        /* a database that failed is opened afresh for the next message:
         * it may have been replaced, deleted or repaired meanwhile */
        if (st != TW_ERR_DB_BUSY)
            g_clear_pointer(&store, tw_store_close);
    }
    g_mutex_unlock(&store_lock);
    for (guint i = 0; i < who->len; i++)
        tw_reading_clear(&readings[i]);
    g_free(readings);
    if (st != TW_OK) {
        g_clear_pointer(tags, g_free);
    } else if (*tags == NULL && shared.ask) {
        *tags = tw_tags_format(&shared, "\n", &(size_t){0});
    }
    tw_tags_clear(&shared);
    concerned_free(who);
    return st;
}

static sfsistat
cb_eom(SMFICTX *ctx)
{
    conn_t *c = conn_of(ctx);
    tw_error_t err = {{0}};
    tw_message_t *msg = NULL;
    char *tags = NULL;
    sfsistat reply;
    tw_status_t st;

    if (c == NULL)
        return SMFIS_ACCEPT;
    const char *qid = queue_id(ctx, c);
    const tw_config_t *cfg = c->conf->cfg;

    /* forged tags go whatever else happens: last first, so that the
     * indexes of the others stay right */
    for (guint i = c->forged->len; i-- > 0;) {
        forged_t *f = &g_array_index(c->forged, forged_t, i);
        smfi_chgheader(ctx, f->name, f->index, NULL);
    }
    if (c->forged->len > 0)
        tw_mlog(LOG_NOTICE, qid, "removed %u forged X-Twoway header(s)", c->forged->len);

    GString *raw = g_string_sized_new(c->head->len + c->body->len + 2);
    g_string_append_len(raw, c->head->str, (gssize)c->head->len);
    g_string_append_c(raw, '\n');
    g_string_append_len(raw, c->body->str, (gssize)c->body->len);
    st = tw_message_parse(raw->str, raw->len, cfg->max_body_bytes, cfg->subaddress_delims, &msg);
    if (st == TW_OK && !msg->is_mail) {
        tw_mlog(LOG_INFO, qid, "not readable as mail: passed untagged");
    } else if (st == TW_OK) {
        st = record(c, qid, msg, &tags, &err);
    }
    reply = tw_policy_reply(st, cfg);
    if (st != TW_OK)
        tw_mlog(LOG_ERR, qid, "%s (%s): %s", err.text[0] ? err.text : tw_status_str(st),
                tw_status_str(st), reply == SMFIS_TEMPFAIL ? "OnError tempfail: mail deferred"
                                                           : "mail passed untagged");
    else if (tags != NULL && *tags)
        add_tags(ctx, qid, tags);
    if (reply == SMFIS_TEMPFAIL)
        smfi_setreply(ctx, "451", "4.3.0", "twoway: ledger unavailable, try again later");
    g_free(tags);
    tw_message_free(msg);
    g_string_free(raw, TRUE);
    message_reset(c);
    return reply == SMFIS_ACCEPT ? SMFIS_CONTINUE : reply;
}

static sfsistat
cb_abort(SMFICTX *ctx)
{
    conn_t *c = conn_of(ctx);

    if (c != NULL)
        message_reset(c);
    return SMFIS_CONTINUE;
}

static sfsistat
cb_close(SMFICTX *ctx)
{
    conn_free(conn_of(ctx));
    smfi_setpriv(ctx, NULL);
    return SMFIS_CONTINUE;
}

struct smfiDesc tw_milter_desc = {
    .xxfi_name = "twoway",
    .xxfi_version = SMFI_VERSION,
    .xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS,
    .xxfi_connect = cb_connect,
    .xxfi_helo = cb_helo,
    .xxfi_envfrom = cb_envfrom,
    .xxfi_envrcpt = cb_envrcpt,
    .xxfi_header = cb_header,
    .xxfi_eoh = cb_eoh,
    .xxfi_body = cb_body,
    .xxfi_eom = cb_eom,
    .xxfi_abort = cb_abort,
    .xxfi_close = cb_close,
    .xxfi_unknown = NULL,
    .xxfi_data = NULL,
    .xxfi_negotiate = cb_negotiate,
};
