/* cmd_import.c - twoway import: record mailboxes in the ledger.
 *
 * Two stages run side by side: a reader thread walks the mailboxes,
 * parses and reads every message (the CPU-heavy part), and hands the
 * readings over a bounded queue to the main thread, which records them
 * in SQLite, a transaction per BATCH messages.
 */
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
#define QUEUE 8    /* batches in flight between the two stages */
#define HANDFUL 64 /* readings per batch */

/* What the reader hands to the recorder. */
typedef struct {
    bool end;          /* the reader is done; status tells how */
    tw_status_t status;
    size_t bytes;
    tw_message_t *msg; /* NULL when the input is not mail */
    char *owner;       /* NULL when no owner could be found */
    tw_reading_t reading;
    char *origin;
} item_t;

typedef struct {
    tw_cmd_t *cmd;
    bool sent;
    bool progress;
    char **paths;
    int n_paths;
    GAsyncQueue *items;  /* reader -> recorder: GPtrArray of item_t */
    GAsyncQueue *tokens; /* free places in the queue */
    GPtrArray *handful;  /* the reader's batch being filled */
    gint stop;           /* set by the recorder when it fails */
    tw_error_t reader_err;
    char *fallback_owner; /* for messages that name no owner */
    guint64 read, recorded, known, not_mail, no_owner;
    guint64 bytes_done, bytes_total;
    guint in_batch;
    gint64 started, last_progress;
    tw_error_t err;
} import_t;

static void
item_free(item_t *it)
{
    if (it->owner != NULL)
        tw_reading_clear(&it->reading);
    tw_message_free(it->msg);
    g_free(it->owner);
    g_free(it->origin);
    g_free(it);
}

/* Adds it to the reader's batch, handing the batch over when it is
 * full or it is the last. */
static void
hand_over(import_t *im, item_t *it)
{
    if (im->handful == NULL)
        im->handful = g_ptr_array_sized_new(HANDFUL);
    g_ptr_array_add(im->handful, it);
    if (im->handful->len < HANDFUL && !it->end)
        return;
    g_async_queue_pop(im->tokens);
    g_async_queue_push(im->items, im->handful);
    im->handful = NULL;
}

/* Reader stage: one message. */
static bool
read_one(void *ctx, const char *data, size_t len, const char *origin)
{
    import_t *im = ctx;
    tw_cmd_t *cmd = im->cmd;
    item_t *it = g_new0(item_t, 1);

    if (g_atomic_int_get(&im->stop)) {
        g_free(it);
        return false;
    }
    it->bytes = len;
    it->origin = g_strdup(origin);
    it->status = tw_message_parse(data, len, cmd->cfg->max_body_bytes,
                                  cmd->cfg->subaddress_delims, &it->msg);
    if (it->status == TW_OK && it->msg->is_mail) {
        it->owner = cmd->owner ? g_strdup(cmd->owner) : tw_reading_owner(cmd->cfg, it->msg);
        if (it->owner == NULL && im->fallback_owner != NULL)
            it->owner = g_strdup(im->fallback_owner);
        if (it->owner != NULL)
            tw_read(cmd->cfg, it->msg, it->owner, im->sent ? TW_HINT_OUT : TW_HINT_AUTO,
                    &it->reading);
    }
    hand_over(im, it);
    return true;
}

static gpointer
reader(gpointer data)
{
    import_t *im = data;
    item_t *end = g_new0(item_t, 1);

    end->end = true;
    for (int i = 0; i < im->n_paths && end->status == TW_OK; i++) {
        end->status = tw_mailbox_each(im->paths[i], read_one, im, &im->reader_err);
        if (end->status == TW_ERR_IO) /* stopped by the recorder */
            end->status = TW_OK;
    }
    hand_over(im, end);
    return NULL;
}

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

/* Recorder stage: one reading. */
static tw_status_t
record_one(import_t *im, item_t *it)
{
    tw_cmd_t *cmd = im->cmd;
    tw_record_t rec;
    tw_status_t st;

    im->read++;
    im->bytes_done += it->bytes;
    show_progress(im, false);
    if (it->status != TW_OK) {
        tw_error_set(&im->err, "%s: %s", it->origin, tw_status_str(it->status));
        return it->status;
    }
    if (!it->msg->is_mail) {
        im->not_mail++;
        return TW_OK;
    }
    if (it->owner == NULL) {
        im->no_owner++;
        return TW_OK;
    }
    st = tw_ledger_record(cmd->store, cmd->cfg, &it->reading, cmd->now, false, &rec, &im->err);
    if (st != TW_OK)
        return st;
    if (rec.recorded)
        im->recorded++;
    else
        im->known++;
    tw_record_clear(&rec);
    if (++im->in_batch >= BATCH) {
        im->in_batch = 0;
        if ((st = tw_store_commit(cmd->store)) == TW_OK)
            st = tw_store_begin(cmd->store);
    }
    return st;
}

/* Runs both stages over the paths; returns the first failure. */
static tw_status_t
run_import(import_t *im)
{
    tw_status_t st = tw_store_begin(im->cmd->store);
    tw_status_t reader_status = TW_OK;
    GThread *thread;

    im->items = g_async_queue_new();
    im->tokens = g_async_queue_new();
    for (intptr_t i = 0; i < QUEUE; i++)
        g_async_queue_push(im->tokens, GINT_TO_POINTER(1));
    if (st != TW_OK)
        g_atomic_int_set(&im->stop, 1);
    thread = g_thread_new("reader", reader, im);
    for (bool end = false; !end;) {
        GPtrArray *batch = g_async_queue_pop(im->items);
        g_async_queue_push(im->tokens, GINT_TO_POINTER(1));
        for (guint i = 0; i < batch->len; i++) {
            item_t *it = batch->pdata[i];
            if (it->end) {
                reader_status = it->status;
                end = true;
            } else if (st == TW_OK && (st = record_one(im, it)) != TW_OK) {
                g_atomic_int_set(&im->stop, 1); /* then drain what is in flight */
            }
            item_free(it);
        }
        g_ptr_array_free(batch, TRUE);
    }
    g_thread_join(thread);
    g_async_queue_unref(im->items);
    g_async_queue_unref(im->tokens);
    if (st == TW_OK && reader_status != TW_OK) {
        st = reader_status;
        im->err = im->reader_err;
    }
    if (st == TW_OK)
        st = tw_store_commit(im->cmd->store);
    else
        tw_store_rollback(im->cmd->store);
    if (st != TW_OK && im->err.text[0] == '\0')
        tw_error_set(&im->err, "%s: %s", tw_store_path(im->cmd->store),
                     tw_store_error(im->cmd->store));
    return st;
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
    if ((rc = tw_cmd_store(cmd, true)) != 0)
        return rc;
    /* --owner records everything for that owner.  Otherwise each message
     * goes to the configured owner it is addressed to (or the first),
     * else to its Delivered-To, else to the database's only owner. */
    if (cmd->globals.owner != NULL)
        cmd->owner = tw_config_normalise(cmd->cfg, cmd->globals.owner);
    else
        im.fallback_owner = tw_store_sole_owner(cmd->store);
    for (int i = optind; i < argc; i++) {
        if (access(argv[i], R_OK) != 0) {
            tw_warn("%s: %s", argv[i], g_strerror(errno));
            return 66;
        }
        im.bytes_total += tw_mailbox_bytes(argv[i]);
    }
    im.paths = argv + optind;
    im.n_paths = argc - optind;
    tw_store_tune_for_import(cmd->store);
    im.started = g_get_monotonic_time();
    tw_status_t st = run_import(&im);
    g_free(im.fallback_owner);
    show_progress(&im, true);
    if (st != TW_OK) {
        tw_warn("%s", im.err.text);
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
