/* twoway.c - the twoway command: global options and the command table. */
#include "autoconfig.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "config.h"
#include "message.h"

static const struct {
    const char *name;
    tw_cmd_fn fn;
    const char *summary;
} commands[] = {
    {"import", tw_cmd_import, "record mbox files, maildirs and messages (--sent: yours)"},
    {"pending", tw_cmd_pending, "asks to you that wait for your answer"},
    {"waiting", tw_cmd_waiting, "your asks that wait for their answer"},
    {"summary", tw_cmd_summary, "the reply ledger, one row per correspondent"},
    {"show", tw_cmd_show, "one correspondent: ledger and open asks"},
    {"explain", tw_cmd_explain, "how messages are read: bulk, fresh text, ask, cue, why"},
    {"done", tw_cmd_done, "mark asks as dealt with"},
    {"forget", tw_cmd_forget, "remove everything about a correspondent"},
    {"digest", tw_cmd_digest, "what is open, for a daily mail from cron"},
    {"stats", tw_cmd_stats, "what the database holds"},
};

static void
usage(FILE *fp)
{
    fputs("usage: twoway [--db PATH] [--owner ADDR] [--config FILE] COMMAND [ARGS]\n"
          "Keeps a reply ledger of your mail: who asks, who answers, what is open.\n\n"
          "Commands:\n",
          fp);
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        fprintf(fp, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fputs("\nOptions before the command:\n"
          "  --db PATH      database (default ~/.local/share/twoway/twoway.db)\n"
          "  --owner ADDR   whose ledger (default: the config's Owner)\n"
          "  --config FILE  configuration (default ~/.config/twoway/twoway.conf)\n"
          "  --help, --version\n"
          "'twoway COMMAND --help' describes a command; see twoway(1).\n",
          fp);
}

int
tw_cmd_usage(const char *command, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s %s: ", tw_progname, command);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return 64;
}

int
tw_cmd_db_error(tw_cmd_t *cmd, tw_status_t st)
{
    if (st == TW_ERR_IO)
        tw_warn("cannot write the output");
    else
        tw_warn("%s: %s", cmd->store ? tw_store_path(cmd->store) : "database",
                cmd->store ? tw_store_error(cmd->store) : tw_status_str(st));
    return tw_status_exit_code(st);
}

int
tw_cmd_store(tw_cmd_t *cmd, bool create)
{
    char *path = tw_config_database(cmd->cfg);
    tw_error_t err = {{0}};
    tw_status_t st = tw_store_open(path, cmd->cfg->busy_timeout_ms, create, &cmd->store, &err);

    g_free(path);
    if (st != TW_OK) {
        tw_warn("%s", err.text);
        return tw_status_exit_code(st);
    }
    return 0;
}

int
tw_cmd_owner(tw_cmd_t *cmd, bool must_exist)
{
    tw_status_t st;
    gint64 owners = 0;

    if (cmd->cfg->owners->len > 0) {
        cmd->owner = g_strdup(cmd->cfg->owners->pdata[0]);
    } else if ((cmd->owner = tw_store_sole_owner(cmd->store)) == NULL) {
        if ((st = tw_store_owner_count(cmd->store, &owners)) != TW_OK)
            return tw_cmd_db_error(cmd, st);
        if (owners > 1) {
            tw_warn("the database holds %" G_GINT64_FORMAT " owners: give --owner ADDR",
                    owners);
            return 64;
        }
        if (must_exist) {
            tw_warn("nothing recorded yet");
            return 1;
        }
        cmd->owner = g_strdup("(nobody)");
        cmd->owner_id = -1; /* matches nothing */
        return 0;
    }
    st = tw_store_owner(cmd->store, cmd->owner, false, &cmd->owner_id);
    if (st != TW_OK)
        return tw_cmd_db_error(cmd, st);
    if (cmd->owner_id == 0) {
        if (must_exist) {
            tw_warn("%s: nothing recorded for this owner", cmd->owner);
            return 1;
        }
        cmd->owner_id = -1; /* matches nothing */
    }
    return 0;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        TW_GLOBAL_OPTIONS,
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    tw_cmd_t cmd = {0};
    tw_error_t err = {{0}};
    int opt, rc;

    tw_progname = "twoway";
    while ((opt = getopt_long(argc, argv, "+hV", longopts, NULL)) != -1) {
        if (tw_globals_take(&cmd.globals, opt, optarg))
            continue;
        switch (opt) {
        case 'h':
            usage(stdout);
            return 0;
        case 'V':
            puts("twoway " PACKAGE_VERSION);
            return 0;
        default:
            usage(stderr);
            return 64;
        }
    }
    if (optind >= argc) {
        usage(stderr);
        return 64;
    }
    const char *name = argv[optind];
    tw_cmd_fn fn = NULL;
    for (size_t i = 0; i < G_N_ELEMENTS(commands); i++)
        if (strcmp(commands[i].name, name) == 0)
            fn = commands[i].fn;
    if (fn == NULL) {
        tw_warn("unknown command '%s' (see 'twoway --help')", name);
        return 64;
    }
    if (tw_globals_config(&cmd.globals, &cmd.cfg, &err) != TW_OK) {
        tw_warn("%s", err.text);
        return 78;
    }
    tw_message_init();
    cmd.now = g_get_real_time() / G_USEC_PER_SEC;
    /* The command parses its own options from its name on. */
    argc -= optind;
    argv += optind;
    optind = 0; /* 0 makes glibc's getopt start afresh */
    char *command_name = g_strdup_printf("twoway %s", name);
    argv[0] = command_name; /* getopt's messages name the command */
    rc = fn(&cmd, argc, argv);
    if (fflush(stdout) != 0 && rc == 0) {
        tw_warn("cannot write the output");
        rc = 75;
    }
    tw_store_close(cmd.store);
    tw_config_free(cmd.cfg);
    g_free(cmd.owner);
    g_free(command_name);
    return rc;
}
