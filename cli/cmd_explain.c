/* cmd_explain.c - twoway explain: how each message is read.
 *
 * With a database (--db, the config's, or one at the default path), the
 * ledger's one-way rule is applied too: it reads the database and
 * writes nothing.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "ledger.h"
#include "mailbox.h"
#include "message.h"
#include "output.h"
#include "reading.h"
#include "tags.h"

typedef struct {
    tw_cmd_t *cmd;
    tw_store_t *store; /* read only; NULL without a database */
    bool json;
    guint count;
    bool write_failed;
} explain_t;

static void
explain_json(explain_t *ex, const tw_reading_t *r, const char *origin)
{
    const tw_message_t *msg = r->msg;
    tw_json_t j;

    tw_json_init(&j);
    tw_json_begin_object(&j);
    tw_json_kv_string(&j, "file", origin);
    tw_json_kv_string(&j, "message_id", msg->message_id);
    tw_json_kv_string(&j, "owner", r->owner);
    tw_json_kv_string(&j, "from", msg->from ? msg->from->addr : NULL);
    tw_json_kv_string(&j, "subject", msg->subject);
    if (msg->date_valid)
        tw_json_kv_time(&j, "date", msg->date);
    tw_json_kv_string(&j, "direction", r->direction == TW_DIR_IN ? "incoming" : "outgoing");
    tw_json_kv_bool(&j, "bulk", r->bulk.bulk);
    tw_json_key(&j, "bulk_reasons");
    tw_json_begin_array(&j);
    for (guint i = 0; i < r->bulk.reasons->len; i++)
        tw_json_string(&j, r->bulk.reasons->pdata[i]);
    tw_json_end_array(&j);
    tw_json_kv_bool(&j, "list", r->bulk.list);
    tw_json_kv_bool(&j, "personal", r->personal);
    tw_json_kv_string(&j, "list_id", r->bulk.list_id);
    tw_json_kv_bool(&j, "text_ask", r->text_ask);
    tw_json_kv_bool(&j, "ask", r->ask);
    tw_json_key(&j, "score");
    tw_json_double(&j, r->score);
    tw_json_key(&j, "text_score");
    tw_json_double(&j, r->text.score);
    tw_json_kv_string(&j, "cue", r->text.cue);
    tw_json_key(&j, "cues");
    tw_json_begin_array(&j);
    for (guint i = 0; i < r->text.hits->len; i++) {
        tw_cue_hit_t *h = r->text.hits->pdata[i];
        tw_json_begin_object(&j);
        tw_json_kv_string(&j, "name", h->name);
        tw_json_key(&j, "weight");
        tw_json_double(&j, h->weight);
        tw_json_kv_string(&j, "matched", h->matched);
        tw_json_kv_string(&j, "sentence", r->text.sentences->pdata[h->sentence]);
        tw_json_end_object(&j);
    }
    tw_json_end_array(&j);
    tw_json_kv_string(&j, "fresh_text", r->fresh);
    tw_json_key(&j, "why");
    tw_json_begin_array(&j);
    for (guint i = 0; i < r->why->len; i++)
        tw_json_string(&j, r->why->pdata[i]);
    tw_json_end_array(&j);
    tw_json_end_object(&j);
    if (!tw_json_print(&j, stdout))
        ex->write_failed = true;
}

static void
explain_text(explain_t *ex, const tw_reading_t *r, const char *origin)
{
    const tw_message_t *msg = r->msg;
    char *subject = tw_tags_clean_text(msg->subject ? msg->subject : "(no subject)", 200);

    if (ex->count > 1)
        putchar('\n');
    printf("%s\n", origin);
    printf("  message:   %s\n", msg->message_id ? msg->message_id : "(no Message-ID)");
    printf("  from:      %s\n", msg->from ? msg->from->addr : "(none)");
    printf("  subject:   %s\n", subject);
    printf("  owner:     %s\n", r->owner);
    printf("  direction: %s\n", r->direction == TW_DIR_IN ? "incoming" : "outgoing");
    printf("  bulk:      %s\n", r->bulk.bulk ? "yes" : "no");
    printf("  list:      %s%s\n", r->bulk.list ? "yes" : "no",
           r->bulk.list ? (r->names_owner ? " (names the owner)" : " (list traffic)") : "");
    printf("  ask:       %s (score %.2f, text %.2f)\n", r->ask ? "yes" : "no", r->score,
           r->text.score);
    if (r->text.cue)
        printf("  cue:       %s\n", r->text.cue);
    if (r->text.hits->len > 0) {
        printf("  cues fired:\n");
        for (guint i = 0; i < r->text.hits->len; i++) {
            tw_cue_hit_t *h = r->text.hits->pdata[i];
            printf("    %+.2f %-22s \"%s\" (sentence %d)\n", h->weight, h->name, h->matched,
                   h->sentence + 1);
        }
    }
    printf("  why:\n");
    for (guint i = 0; i < r->why->len; i++)
        printf("    - %s\n", (const char *)r->why->pdata[i]);
    printf("  fresh text:\n");
    char **lines = g_strsplit(r->fresh, "\n", -1);
    for (char **l = lines; *l; l++)
        printf("    | %s\n", *l);
    g_strfreev(lines);
    g_free(subject);
    if (ferror(stdout))
        ex->write_failed = true;
}

/* What the ledger adds to the reading: the one-way rule. */
static void
apply_ledger(explain_t *ex, tw_reading_t *r)
{
    tw_one_way_t ow;

    if (tw_ledger_one_way(ex->store, r, ex->cmd->now, &ow) != TW_OK) {
        tw_warn("%s: %s; the one-way rule is left out", tw_store_path(ex->store),
                tw_store_error(ex->store));
        tw_store_close(ex->store);
        ex->store = NULL;
        return;
    }
    if (ow.one_way)
        tw_reading_set_bulk(r, ow.reason);
    else if (ow.reason != NULL)
        g_ptr_array_add(r->why, g_strdup(ow.reason));
    tw_one_way_clear(&ow);
}

/* Opens the database to read, when there is one: the configured one,
 * or one at the default path.  Without it, explain reads the messages
 * alone. */
static void
open_database(explain_t *ex)
{
    tw_cmd_t *cmd = ex->cmd;
    char *path = tw_config_database(cmd->cfg);
    tw_error_t err = {{0}};
    tw_status_t st;

    if (cmd->cfg->database != NULL || g_file_test(path, G_FILE_TEST_EXISTS)) {
        st = tw_store_open_readonly(path, cmd->cfg->busy_timeout_ms, &ex->store, &err);
        /* a database named but not made yet: as without one */
        if (st != TW_OK && (st != TW_ERR_NOINPUT || g_file_test(path, G_FILE_TEST_EXISTS)))
            tw_warn("%s; the one-way rule is left out", err.text);
    }
    g_free(path);
}

static bool
explain_one(void *ctx, const char *data, size_t len, const char *origin, char **take)
{
    explain_t *ex = ctx;
    tw_cmd_t *cmd = ex->cmd;
    tw_message_t *msg = NULL;

    (void)take; /* read where it lies */
    if (tw_message_parse(data, len, cmd->cfg->max_body_bytes, cmd->cfg->subaddress_delims,
                         &msg) != TW_OK) {
        tw_message_free(msg);
        return false;
    }
    ex->count++;
    if (!msg->is_mail) {
        tw_warn("%s: not a mail message", origin);
        tw_message_free(msg);
        return !ex->write_failed;
    }
    char *owner = cmd->owner ? g_strdup(cmd->owner) : tw_reading_owner(cmd->cfg, msg);
    if (owner == NULL && msg->to->len > 0)
        owner = g_strdup(((tw_mailbox_t *)msg->to->pdata[0])->addr);
    if (owner == NULL)
        owner = g_strdup("(unknown)");
    tw_reading_t r;
    tw_read(cmd->cfg, msg, owner, TW_HINT_AUTO, &r);
    if (ex->store != NULL)
        apply_ledger(ex, &r);
    if (ex->json)
        explain_json(ex, &r, origin);
    else
        explain_text(ex, &r, origin);
    tw_reading_clear(&r);
    tw_message_free(msg);
    g_free(owner);
    return !ex->write_failed;
}

int
tw_cmd_explain(tw_cmd_t *cmd, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    explain_t ex = {.cmd = cmd};
    int opt, rc = 0;

    while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            ex.json = true;
            break;
        case 'h':
            fputs("usage: twoway explain [--json] FILE...\n"
                  "How each message is read: direction, bulk, list, fresh text, ask, cue, why.\n"
                  "Records nothing.  With a database, the one-way rule is applied too.\n"
                  "With --json, one object per message, one per line.\n",
                  stdout);
            return 0;
        default:
            return tw_cmd_usage("explain", "see 'twoway explain --help'");
        }
    }
    if (optind >= argc)
        return tw_cmd_usage("explain", "give one or more message files");
    if (cmd->globals.owner == NULL && cmd->cfg->owners->len > 0)
        cmd->owner = g_strdup(cmd->cfg->owners->pdata[0]);
    else if (cmd->globals.owner != NULL)
        cmd->owner = tw_config_normalise(cmd->cfg, cmd->globals.owner);
    open_database(&ex);
    for (int i = optind; i < argc; i++) {
        tw_error_t err = {{0}};
        tw_status_t st = tw_mailbox_each(argv[i], explain_one, &ex, &err);
        if (ex.write_failed) {
            rc = 75;
            break;
        }
        if (st != TW_OK) {
            tw_warn("%s", err.text[0] ? err.text : tw_status_str(st));
            rc = tw_status_exit_code(st);
        }
    }
    tw_store_close(ex.store);
    return rc;
}
