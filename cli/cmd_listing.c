/* cmd_listing.c - pending, waiting, summary, show and digest. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "output.h"
#include "tags.h"

typedef struct {
    bool json;
    gint64 since;
    int limit;
} listing_opts_t;

/* Parses --json, --since, --limit; returns -1 to go on, else an exit
 * code. */
static int
parse_listing(const char *command, const char *help, tw_cmd_t *cmd, int argc, char **argv,
              listing_opts_t *o, bool with_since)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"since", required_argument, NULL, 's'},
        {"limit", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;
    char *end;

    o->json = false;
    o->since = G_MININT64;
    o->limit = 0;
    while ((opt = getopt_long(argc, argv, "js:n:h", longopts, NULL)) != -1) {
        switch (opt) {
        case 'j':
            o->json = true;
            break;
        case 's':
            if (!with_since || !tw_parse_since(optarg, cmd->now, &o->since))
                return tw_cmd_usage(command, "--since takes YYYY-MM-DD or an age like 7d, 2w, 12h");
            break;
        case 'n':
            o->limit = (int)strtol(optarg, &end, 10);
            if (*end != '\0' || o->limit < 0)
                return tw_cmd_usage(command, "--limit takes a number");
            break;
        case 'h':
            fputs(help, stdout);
            return 0;
        default:
            return tw_cmd_usage(command, "see 'twoway %s --help'", command);
        }
    }
    return -1;
}

static int
open_for_reading(tw_cmd_t *cmd)
{
    int rc = tw_cmd_store(cmd, false);

    return rc != 0 ? rc : tw_cmd_owner(cmd, false);
}

static void
json_ask(tw_json_t *j, const tw_ask_row_t *a, gint64 now)
{
    tw_json_begin_object(j);
    tw_json_kv_int(j, "id", a->id);
    tw_json_kv_string(j, "correspondent", a->correspondent);
    tw_json_kv_string(j, "message_id", a->message_id);
    tw_json_kv_int(j, "thread", a->thread);
    tw_json_kv_time(j, "date", a->asked_at);
    tw_json_kv_int(j, "age_seconds", MAX(0, now - a->asked_at));
    tw_json_kv_string(j, "subject", a->subject);
    tw_json_kv_string(j, "cue", a->cue);
    tw_json_key(j, "score");
    tw_json_double(j, a->score);
    if (a->direction == TW_DIR_OUT) {
        tw_json_kv_int(j, "chases", a->chases);
        tw_json_kv_int(j, "asked_people", a->recipients);
    }
    tw_json_end_object(j);
}

static bool
print_asks(tw_cmd_t *cmd, GPtrArray *rows, bool json, tw_direction_t dir)
{
    if (json) {
        tw_json_t j;
        tw_json_init(&j);
        tw_json_begin_array(&j);
        for (guint i = 0; i < rows->len; i++)
            json_ask(&j, rows->pdata[i], cmd->now);
        tw_json_end_array(&j);
        return tw_json_print(&j, stdout);
    }
    if (rows->len == 0) {
        puts(dir == TW_DIR_IN ? "Nobody is waiting on you." : "You are waiting on nobody.");
        return !ferror(stdout);
    }
    tw_table_t t;
    tw_table_init(&t, 5, "ID", "AGE", dir == TW_DIR_IN ? "FROM" : "TO", "SUBJECT", "ASK");
    for (guint i = 0; i < rows->len; i++) {
        tw_ask_row_t *a = rows->pdata[i];
        char *age = tw_age(cmd->now - a->asked_at);
        char *id = g_strdup_printf("%" G_GINT64_FORMAT, a->id);
        char *cue = dir == TW_DIR_OUT && a->chases > 0
                        ? g_strdup_printf("%s (chased %d)", a->cue ? a->cue : "", a->chases)
                        : g_strdup(a->cue ? a->cue : "");
        char *subject = g_strdup(a->subject ? a->subject : "(no subject)");
        if (g_utf8_strlen(subject, -1) > 40) {
            char *cut = g_utf8_offset_to_pointer(subject, 39);
            strcpy(cut, "~");
        }
        tw_table_row(&t, id, age, a->correspondent, subject, cue);
        g_free(age);
        g_free(id);
        g_free(cue);
        g_free(subject);
    }
    return tw_table_print(&t, stdout);
}

static int
list_asks(tw_cmd_t *cmd, int argc, char **argv, tw_direction_t dir)
{
    const char *name = dir == TW_DIR_IN ? "pending" : "waiting";
    const char *help = dir == TW_DIR_IN
                           ? "usage: twoway pending [--json] [--since DATE] [--limit N]\n"
                             "Asks to you that you have not answered, oldest first.\n"
                           : "usage: twoway waiting [--json] [--since DATE] [--limit N]\n"
                             "Your asks that others have not answered, oldest first.\n";
    listing_opts_t o;
    int rc = parse_listing(name, help, cmd, argc, argv, &o, true);

    if (rc >= 0)
        return rc;
    if (optind < argc)
        return tw_cmd_usage(name, "unexpected argument '%s'", argv[optind]);
    if ((rc = open_for_reading(cmd)) != 0)
        return rc;
    GPtrArray *rows = g_ptr_array_new_with_free_func(tw_ask_row_free);
    tw_status_t st = tw_store_open_asks(cmd->store, cmd->owner_id, dir, o.since, NULL, o.limit, rows);
    if (st == TW_OK && !print_asks(cmd, rows, o.json, dir))
        st = TW_ERR_IO;
    g_ptr_array_free(rows, TRUE);
    return st == TW_OK ? 0 : tw_cmd_db_error(cmd, st);
}

int
tw_cmd_pending(tw_cmd_t *cmd, int argc, char **argv)
{
    return list_asks(cmd, argc, argv, TW_DIR_IN);
}

int
tw_cmd_waiting(tw_cmd_t *cmd, int argc, char **argv)
{
    return list_asks(cmd, argc, argv, TW_DIR_OUT);
}

static void
json_seconds(tw_json_t *j, const char *key, double v)
{
    tw_json_key(j, key);
    if (v < 0)
        tw_json_null(j);
    else
        tw_json_int(j, (gint64)v);
}

static void
json_ledger_row(tw_json_t *j, const tw_ledger_row_t *r)
{
    tw_json_begin_object(j);
    tw_json_kv_string(j, "correspondent", r->address);
    tw_json_kv_int(j, "received", r->received);
    tw_json_kv_int(j, "sent", r->sent);
    tw_json_kv_int(j, "bulk_received", r->bulk_received);
    tw_json_kv_int(j, "list_received", r->list_received);
    tw_json_kv_int(j, "asks_from_them", r->asks_from);
    tw_json_kv_int(j, "asks_to_them", r->asks_to);
    tw_json_kv_int(j, "answered_by_you", r->answered_from);
    tw_json_kv_int(j, "answered_by_them", r->answered_to);
    tw_json_kv_int(j, "you_owe", r->open_from);
    tw_json_kv_int(j, "they_owe", r->open_to);
    json_seconds(j, "median_reply_seconds_you", r->reply_owner);
    json_seconds(j, "median_reply_seconds_them", r->reply_them);
    tw_json_kv_int(j, "replies_you", r->replies_owner);
    tw_json_kv_int(j, "replies_them", r->replies_them);
    tw_json_kv_int(j, "threads_started_by_you", r->started_by_owner);
    tw_json_kv_int(j, "threads_started_by_them", r->started_by_them);
    if (r->last_contact != G_MININT64) {
        tw_json_kv_time(j, "first_contact", r->first_contact);
        tw_json_kv_time(j, "last_contact", r->last_contact);
    }
    tw_json_end_object(j);
}

static void
ledger_row_free(gpointer p)
{
    tw_ledger_row_clear(p);
    g_free(p);
}

static bool
print_ledger(GPtrArray *rows, int limit)
{
    tw_table_t t;
    guint n = limit > 0 ? MIN((guint)limit, rows->len) : rows->len;

    if (rows->len == 0) {
        puts("No correspondents yet.");
        return !ferror(stdout);
    }
    tw_table_init(&t, 9, "CORRESPONDENT", "RECV", "SENT", "ASKS IN/OUT", "YOU OWE",
                  "THEY OWE", "YOU REPLY", "THEY REPLY", "LAST");
    for (guint i = 0; i < n; i++) {
        tw_ledger_row_t *r = rows->pdata[i];
        char *recv = g_strdup_printf("%d", r->received);
        char *sent = g_strdup_printf("%d", r->sent);
        char *asks = g_strdup_printf("%d/%d", r->asks_from, r->asks_to);
        char *owe = g_strdup_printf("%d", r->open_from);
        char *owed = g_strdup_printf("%d", r->open_to);
        char *mine = tw_duration(r->reply_owner);
        char *theirs = tw_duration(r->reply_them);
        char *last = r->last_contact != G_MININT64 ? tw_date(r->last_contact) : g_strdup("-");
        tw_table_row(&t, r->address, recv, sent, asks, owe, owed, mine, theirs, last);
        g_free(recv);
        g_free(sent);
        g_free(asks);
        g_free(owe);
        g_free(owed);
        g_free(mine);
        g_free(theirs);
        g_free(last);
    }
    return tw_table_print(&t, stdout);
}

int
tw_cmd_summary(tw_cmd_t *cmd, int argc, char **argv)
{
    listing_opts_t o;
    int rc = parse_listing("summary",
                           "usage: twoway summary [--json] [--since DATE] [--limit N]\n"
                           "The reply ledger: one row per correspondent, latest contact first.\n",
                           cmd, argc, argv, &o, true);

    if (rc >= 0)
        return rc;
    if (optind < argc)
        return tw_cmd_usage("summary", "unexpected argument '%s'", argv[optind]);
    if ((rc = open_for_reading(cmd)) != 0)
        return rc;
    GPtrArray *rows = g_ptr_array_new_with_free_func(ledger_row_free);
    tw_status_t st = tw_store_ledger(cmd->store, cmd->owner_id, o.since, NULL, rows);
    if (st == TW_OK) {
        bool ok;
        if (o.json) {
            tw_json_t j;
            guint n = o.limit > 0 ? MIN((guint)o.limit, rows->len) : rows->len;
            tw_json_init(&j);
            tw_json_begin_array(&j);
            for (guint i = 0; i < n; i++)
                json_ledger_row(&j, rows->pdata[i]);
            tw_json_end_array(&j);
            ok = tw_json_print(&j, stdout);
        } else {
            ok = print_ledger(rows, o.limit);
        }
        if (!ok)
            st = TW_ERR_IO;
    }
    g_ptr_array_free(rows, TRUE);
    return st == TW_OK ? 0 : tw_cmd_db_error(cmd, st);
}

int
tw_cmd_show(tw_cmd_t *cmd, int argc, char **argv)
{
    listing_opts_t o;
    int rc = parse_listing("show",
                           "usage: twoway show [--json] ADDRESS\n"
                           "One correspondent: the ledger row and the open asks each way.\n",
                           cmd, argc, argv, &o, false);

    if (rc >= 0)
        return rc;
    if (optind + 1 != argc)
        return tw_cmd_usage("show", "give one address");
    if ((rc = open_for_reading(cmd)) != 0)
        return rc;
    char *addr = strchr(argv[optind], '@') ? tw_config_normalise(cmd->cfg, argv[optind]) : NULL;
    if (addr == NULL)
        return tw_cmd_usage("show", "'%s' is not an address", argv[optind]);

    GPtrArray *rows = g_ptr_array_new_with_free_func(ledger_row_free);
    GPtrArray *in = g_ptr_array_new_with_free_func(tw_ask_row_free);
    GPtrArray *out = g_ptr_array_new_with_free_func(tw_ask_row_free);
    tw_status_t st = tw_store_ledger(cmd->store, cmd->owner_id, G_MININT64, addr, rows);
    if (st == TW_OK)
        st = tw_store_open_asks(cmd->store, cmd->owner_id, TW_DIR_IN, G_MININT64, addr, 0, in);
    if (st == TW_OK)
        st = tw_store_open_asks(cmd->store, cmd->owner_id, TW_DIR_OUT, G_MININT64, addr, 0, out);
    if (st == TW_OK && rows->len == 0) {
        tw_warn("%s: nothing recorded with this address", addr);
        rc = 1;
    } else if (st == TW_OK) {
        bool ok;
        if (o.json) {
            tw_json_t j;
            tw_json_init(&j);
            tw_json_begin_object(&j);
            tw_json_key(&j, "ledger");
            json_ledger_row(&j, rows->pdata[0]);
            tw_json_key(&j, "you_owe");
            tw_json_begin_array(&j);
            for (guint i = 0; i < in->len; i++)
                json_ask(&j, in->pdata[i], cmd->now);
            tw_json_end_array(&j);
            tw_json_key(&j, "they_owe");
            tw_json_begin_array(&j);
            for (guint i = 0; i < out->len; i++)
                json_ask(&j, out->pdata[i], cmd->now);
            tw_json_end_array(&j);
            tw_json_end_object(&j);
            ok = tw_json_print(&j, stdout);
        } else {
            ok = print_ledger(rows, 0);
            printf("\nWaiting on you:\n");
            ok = ok && print_asks(cmd, in, false, TW_DIR_IN);
            printf("\nYou are waiting on them:\n");
            ok = ok && print_asks(cmd, out, false, TW_DIR_OUT);
        }
        if (!ok)
            st = TW_ERR_IO;
    }
    g_ptr_array_free(rows, TRUE);
    g_ptr_array_free(in, TRUE);
    g_ptr_array_free(out, TRUE);
    g_free(addr);
    if (st != TW_OK)
        return tw_cmd_db_error(cmd, st);
    return rc;
}

static void
digest_section(tw_cmd_t *cmd, GPtrArray *rows, const char *title)
{
    printf("%s (%u):\n", title, rows->len);
    for (guint i = 0; i < rows->len; i++) {
        tw_ask_row_t *a = rows->pdata[i];
        char *age = tw_age(cmd->now - a->asked_at);
        char *subject = tw_tags_clean_text(a->subject ? a->subject : "(no subject)", 60);
        char *cue = tw_tags_clean_text(a->cue ? a->cue : "", 200);
        printf("  %-5s %s  \"%s\"\n", age, a->correspondent, subject);
        if (*cue)
            printf("        %s\n", cue);
        g_free(age);
        g_free(subject);
        g_free(cue);
    }
}

int
tw_cmd_digest(tw_cmd_t *cmd, int argc, char **argv)
{
    listing_opts_t o;
    int rc = parse_listing("digest",
                           "usage: twoway digest [--since DATE] [--limit N]\n"
                           "What is waiting on you and on others, for a daily mail from cron.\n"
                           "Prints nothing when nothing is open.\n",
                           cmd, argc, argv, &o, true);

    if (rc >= 0)
        return rc;
    if (optind < argc || o.json)
        return tw_cmd_usage("digest", optind < argc ? "unexpected argument" : "digest has no --json");
    if ((rc = open_for_reading(cmd)) != 0)
        return rc;
    GPtrArray *in = g_ptr_array_new_with_free_func(tw_ask_row_free);
    GPtrArray *out = g_ptr_array_new_with_free_func(tw_ask_row_free);
    tw_status_t st = tw_store_open_asks(cmd->store, cmd->owner_id, TW_DIR_IN, o.since, NULL,
                                        o.limit, in);
    if (st == TW_OK)
        st = tw_store_open_asks(cmd->store, cmd->owner_id, TW_DIR_OUT, o.since, NULL, o.limit,
                                out);
    if (st == TW_OK && (in->len > 0 || out->len > 0)) {
        printf("twoway digest for %s\n\n", cmd->owner);
        digest_section(cmd, in, "Waiting on you");
        putchar('\n');
        digest_section(cmd, out, "You are waiting on");
        if (fflush(stdout) != 0)
            st = TW_ERR_IO;
    }
    g_ptr_array_free(in, TRUE);
    g_ptr_array_free(out, TRUE);
    return st == TW_OK ? 0 : tw_cmd_db_error(cmd, st);
}
