/* cmd_import.c - twoway import: record mailboxes in the ledger. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "ledger.h"
#include "mailbox.h"
#include "message.h"
#include "reading.h"

#define BATCH 2000 /* messages per transaction */

typedef struct {
    tw_cmd_t *cmd;
    bool sent;
    bool progress;
    guint64 read, recorded, known, not_mail, no_owner;
    guint64 bytes_done, bytes_total;
    guint in_batch;
    gint64 started, last_progress;
    tw_status_t failure;
    tw_error_t err;
} import_t;

static void
show_progress(import_t *im, bool final)
{
    gint64 now = g_get_monotonic_time();
    double secs = (double)(now - im->started) / G_USEC_PER_SEC;

    if (!im->progress || (!final && now - im->last_progress < 200000))
        return;
    im->last_progress = now;
    fprintf(stderr, "\rimport: %" G_GUINT64_FORMAT " messages, %3.0f%%, %.0f/s ", im->read,
            im->bytes_total ? 100.0 * (double)im->bytes_done / (double)im->bytes_total : 100.0,
            secs > 0 ? (double)im->read / secs : 0.0);
    if (final)
        fputc('\n', stderr);
}

/* Commits the batch so far and starts the next. */
static tw_status_t
next_batch(import_t *im)
{
    tw_status_t st = tw_store_commit(im->cmd->store);

    if (st == TW_OK)
        st = tw_store_begin(im->cmd->store);
    im->in_batch = 0;
    return st;
}

static bool
import_one(void *ctx, const char *data, size_t len, const char *origin)
{
    import_t *im = ctx;
    tw_cmd_t *cmd = im->cmd;
    tw_message_t *msg = NULL;
    tw_status_t st;

    im->read++;
    im->bytes_done += len;
    show_progress(im, false);
    st = tw_message_parse(data, len, cmd->cfg->max_body_bytes, cmd->cfg->subaddress_delims, &msg);
    if (st != TW_OK) {
        im->failure = st;
        tw_error_set(&im->err, "%s: %s", origin, tw_status_str(st));
        tw_message_free(msg);
        return false;
    }
    if (!msg->is_mail) {
        im->not_mail++;
        tw_message_free(msg);
        return true;
    }
    char *owner = cmd->owner ? g_strdup(cmd->owner) : tw_reading_owner(cmd->cfg, msg);
    if (owner == NULL) {
        im->no_owner++;
        tw_message_free(msg);
        return true;
    }
    tw_reading_t r;
    tw_record_t rec;
    tw_read(cmd->cfg, msg, owner, im->sent ? TW_HINT_OUT : TW_HINT_AUTO, &r);
    st = tw_ledger_record(cmd->store, cmd->cfg, &r, cmd->now, false, &rec, &im->err);
    if (st == TW_OK) {
        if (rec.recorded)
            im->recorded++;
        else
            im->known++;
        tw_record_clear(&rec);
        if (++im->in_batch >= BATCH)
            st = next_batch(im);
    }
    tw_reading_clear(&r);
    tw_message_free(msg);
    g_free(owner);
    if (st != TW_OK) {
        im->failure = st;
        if (im->err.text[0] == '\0')
            tw_error_set(&im->err, "%s: %s", origin, tw_store_error(cmd->store));
        return false;
    }
    return true;
}

static void
usage(FILE *fp)
{
    fputs("usage: twoway import [--sent] [--quiet] PATH...\n"
          "Records the mail in mbox files, maildirs, directories and message files.\n"
          "  --sent    the owner sent these messages\n"
          "  --quiet   no progress and no summary line\n",
          fp);
}

int
tw_cmd_import(tw_cmd_t *cmd, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"sent", no_argument, NULL, 's'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    import_t im = {.cmd = cmd, .progress = isatty(STDERR_FILENO)};
    bool quiet = false;
    int opt, rc;

    while ((opt = getopt_long(argc, argv, "sqh", longopts, NULL)) != -1) {
        switch (opt) {
        case 's': im.sent = true; break;
        case 'q': quiet = true; break;
        case 'h': usage(stdout); return 0;
        default: return tw_cmd_usage("import", "see 'twoway import --help'");
        }
    }
    if (optind >= argc)
        return tw_cmd_usage("import", "give one or more mailboxes or message files");
    if (quiet)
        im.progress = false;
    /* Without an owner, each message's own (Delivered-To) is used. */
    if ((rc = tw_cmd_store(cmd, true)) != 0 || (rc = tw_cmd_owner(cmd, false)) != 0)
        return rc;
    for (int i = optind; i < argc; i++) {
        if (access(argv[i], R_OK) != 0) {
            tw_warn("%s: %s", argv[i], g_strerror(errno));
            return 66;
        }
        im.bytes_total += tw_mailbox_bytes(argv[i]);
    }
    tw_store_tune_for_import(cmd->store);
    im.started = g_get_monotonic_time();
    tw_status_t st = tw_store_begin(cmd->store);
    for (int i = optind; i < argc && st == TW_OK; i++) {
        st = tw_mailbox_each(argv[i], import_one, &im, &im.err);
        if (st == TW_ERR_IO)
            st = im.failure;
    }
    if (st == TW_OK)
        st = tw_store_commit(cmd->store);
    else
        tw_store_rollback(cmd->store);
    show_progress(&im, true);
    if (st != TW_OK) {
        tw_warn("%s", im.err.text[0] ? im.err.text : tw_store_error(cmd->store));
        if (st != TW_ERR_NOINPUT)
            tw_warn("what was recorded before the error is kept; run the import again to finish");
        return tw_status_exit_code(st);
    }
    if (!quiet)
        printf("%" G_GUINT64_FORMAT " messages read, %" G_GUINT64_FORMAT " recorded, %"
               G_GUINT64_FORMAT " already known, %" G_GUINT64_FORMAT " not mail\n",
               im.read, im.recorded, im.known, im.not_mail);
    if (im.no_owner > 0) {
        tw_warn("%" G_GUINT64_FORMAT " messages skipped: no owner (give --owner ADDR)",
                im.no_owner);
        return 65;
    }
    return 0;
}
