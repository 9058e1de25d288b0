/* cmd_manage.c - done, forget and stats. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "commands.h"
#include "output.h"

/* Only --help: returns -1 to go on, else an exit code. */
static int
help_only(const char *command, const char *help, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt;

    while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        if (opt == 'h') {
            fputs(help, stdout);
            return 0;
        }
        return tw_cmd_usage(command, "see 'twoway %s --help'", command);
    }
    return -1;
}

int
tw_cmd_done(tw_cmd_t *cmd, int argc, char **argv)
{
    int rc = help_only("done",
                       "usage: twoway done ID...\n"
                       "Marks asks (IDs from pending or waiting) as dealt with.\n",
                       argc, argv);

    if (rc >= 0)
        return rc;
    if (optind >= argc)
        return tw_cmd_usage("done", "give the ID of an ask (see 'twoway pending')");
    for (int i = optind; i < argc; i++) {
        char *end;
        long long id = strtoll(argv[i], &end, 10);
        if (*end != '\0' || id <= 0)
            return tw_cmd_usage("done", "'%s' is not an ask ID", argv[i]);
    }
    if ((rc = tw_cmd_store(cmd, false)) != 0 || (rc = tw_cmd_owner(cmd, true)) != 0)
        return rc;
    tw_status_t st = tw_store_begin(cmd->store);
    for (int i = optind; i < argc && st == TW_OK; i++) {
        gint64 id = g_ascii_strtoll(argv[i], NULL, 10);
        st = tw_store_mark_done(cmd->store, cmd->owner_id, id, cmd->now);
        if (st == TW_ERR_NOT_FOUND) {
            tw_warn("%s: no open ask with this ID", argv[i]);
            rc = 1;
            st = TW_OK;
        }
    }
    if (st == TW_OK)
        st = tw_store_commit(cmd->store);
    else
        tw_store_rollback(cmd->store);
    return st == TW_OK ? rc : tw_cmd_db_error(cmd, st);
}

int
tw_cmd_forget(tw_cmd_t *cmd, int argc, char **argv)
{
    int rc = help_only("forget",
                       "usage: twoway forget ADDRESS\n"
                       "Removes everything recorded about a correspondent.\n",
                       argc, argv);
    int removed = 0;

    if (rc >= 0)
        return rc;
    if (optind + 1 != argc)
        return tw_cmd_usage("forget", "give one address");
    char *addr = strchr(argv[optind], '@') ? tw_config_normalise(cmd->cfg, argv[optind]) : NULL;
    if (addr == NULL)
        return tw_cmd_usage("forget", "'%s' is not an address", argv[optind]);
    if ((rc = tw_cmd_store(cmd, false)) != 0 || (rc = tw_cmd_owner(cmd, true)) != 0) {
        g_free(addr);
        return rc;
    }
    tw_status_t st = tw_store_begin(cmd->store);
    if (st == TW_OK)
        st = tw_store_forget(cmd->store, cmd->owner_id, addr, &removed);
    if (st == TW_OK)
        st = tw_store_commit(cmd->store);
    else
        tw_store_rollback(cmd->store);
    if (st == TW_OK)
        printf("forgot %s: %d messages removed\n", addr, removed);
    g_free(addr);
    return st == TW_OK ? 0 : tw_cmd_db_error(cmd, st);
}

int
tw_cmd_stats(tw_cmd_t *cmd, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    bool json = false;
    int opt, rc;
    tw_stats_t s;
    struct stat sb;

    while ((opt = getopt_long(argc, argv, "jh", longopts, NULL)) != -1) {
        if (opt == 'j') {
            json = true;
        } else if (opt == 'h') {
            fputs("usage: twoway stats [--json]\n"
                  "Counts of what the database holds for the owner.\n",
                  stdout);
            return 0;
        } else {
            return tw_cmd_usage("stats", "see 'twoway stats --help'");
        }
    }
    if (optind < argc)
        return tw_cmd_usage("stats", "unexpected argument '%s'", argv[optind]);
    if ((rc = tw_cmd_store(cmd, false)) != 0 || (rc = tw_cmd_owner(cmd, false)) != 0)
        return rc;
    tw_status_t st = tw_store_stats(cmd->store, cmd->owner_id, &s);
    if (st != TW_OK)
        return tw_cmd_db_error(cmd, st);
    gint64 size = stat(tw_store_path(cmd->store), &sb) == 0 ? (gint64)sb.st_size : 0;
    if (json) {
        tw_json_t j;
        tw_json_init(&j);
        tw_json_begin_object(&j);
        tw_json_kv_string(&j, "owner", cmd->owner);
        tw_json_kv_int(&j, "messages", s.messages);
        tw_json_kv_int(&j, "incoming", s.incoming);
        tw_json_kv_int(&j, "outgoing", s.outgoing);
        tw_json_kv_int(&j, "bulk", s.bulk);
        tw_json_kv_int(&j, "list", s.list);
        tw_json_kv_int(&j, "correspondents", s.correspondents);
        tw_json_kv_int(&j, "threads", s.threads);
        tw_json_kv_int(&j, "asks_to_you", s.asks_in);
        tw_json_kv_int(&j, "asks_by_you", s.asks_out);
        tw_json_kv_int(&j, "pending", s.open_in);
        tw_json_kv_int(&j, "waiting", s.open_out);
        tw_json_kv_int(&j, "owners", s.owners);
        tw_json_kv_string(&j, "database", tw_store_path(cmd->store));
        tw_json_kv_int(&j, "database_bytes", size);
        tw_json_end_object(&j);
        return tw_json_print(&j, stdout) ? 0 : 75;
    }
    printf("owner:          %s\n"
           "messages:       %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " in, %" G_GINT64_FORMAT
           " out; %" G_GINT64_FORMAT " bulk, %" G_GINT64_FORMAT " list)\n"
           "correspondents: %" G_GINT64_FORMAT "\n"
           "threads:        %" G_GINT64_FORMAT "\n"
           "asks to you:    %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " pending)\n"
           "asks by you:    %" G_GINT64_FORMAT " (%" G_GINT64_FORMAT " waiting)\n"
           "database:       %s (%" G_GINT64_FORMAT " bytes)\n",
           cmd->owner, s.messages, s.incoming, s.outgoing, s.bulk, s.list, s.correspondents,
           s.threads, s.asks_in, s.open_in, s.asks_out, s.open_out, tw_store_path(cmd->store),
           size);
    return fflush(stdout) == 0 ? 0 : 75;
}
