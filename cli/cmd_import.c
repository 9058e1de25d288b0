/* cmd_import.c - twoway import: record mailboxes in the ledger.
 *
 * Three stages run side by side: a walker thread reads the mailboxes
 * and hands the messages over in handfuls, each mailbox (each path
 * given) in date order, so that the ledger sees its mail as it came;
 * workers, one per processor, parse and read them (the CPU-heavy part);
 * the main thread records the readings in SQLite, in the order the
 * walker handed them over, a transaction per BATCH messages.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ask.h"
#include "commands.h"
#include "ledger.h"
#include "mailbox.h"
#include "message.h"
#include "reading.h"

#define BATCH 10000  /* messages per transaction: an index page is written
                     * to the log once per transaction that touches it */
#define HANDFUL 64   /* messages per hand-over */
#define MAX_WORKERS 8

/* One message on its way through the stages. */
typedef struct {
    bool end;          /* the walker is done; status tells how */
    tw_status_t status;
    char *data;        /* the raw message, until a worker has read it */
    size_t bytes;
    tw_message_t *msg; /* NULL when the input is not mail */
    char *owner;       /* NULL when no owner could be found */
    tw_reading_t reading;
    bool copy;         /* an earlier message has its key or content: not read */
    bool printed;      /* print holds the message's print */
    bool print_copy;   /* an earlier message has its print: not even parsed */
    tw_print_t print;
    guint64 order;     /* in the walker's order */
    char *origin;
} item_t;

/* A handful of items, numbered in the walker's order. */
typedef struct {
    guint64 seq;
    GPtrArray *items;
    bool recorded; /* back from the recorder, for a worker to free */
} handful_t;

typedef struct {
    tw_cmd_t *cmd;
    bool sent;
    bool progress;
    char **paths;
    int n_paths;
    GAsyncQueue *work;   /* walker, recorder -> workers: handful_t, or &quit */
    GAsyncQueue *tokens; /* handfuls that may still be in flight */
    GMutex lock;         /* guards done and the counters below it */
    GCond ready;         /* a handful was read */
    GHashTable *done;    /* seq -> handful_t read by a worker */
    handful_t *filling;  /* the walker's handful being filled */
    guint64 next_seq;    /* the walker's next number */
    gint stop;           /* set by the recorder when it fails */
    tw_error_t walker_err;
    guint64 next_order;  /* the walker's next message */
    GMutex seen_lock;    /* guards seen */
    GHashTable *seen;    /* hash of owner and key, or owner and content, or a
                          * print -> first order + 1 */
    GHashTable *printed; /* the recorder's: print -> content key recorded */
    char *fallback_owner; /* for messages that name no owner */
    guint64 read, recorded, known, not_mail, no_owner;
    guint64 bytes_done, bytes_total;
    guint in_batch;
    gint64 started, last_progress;
    tw_error_t err;
} import_t;

static handful_t quit; /* tells a worker to stop */

static void
item_free(item_t *it)
{
    if (it->owner != NULL)
        tw_reading_clear(&it->reading);
    tw_message_free(it->msg);
    g_free(it->data);
    g_free(it->owner);
    g_free(it->origin);
    g_free(it);
}

/* Walker: adds it to the handful being filled, handing the handful to
 * the workers when it is full or it is the last. */
static void
hand_over(import_t *im, item_t *it)
{
    if (im->filling == NULL) {
        im->filling = g_new0(handful_t, 1);
        im->filling->seq = im->next_seq++;
        im->filling->items = g_ptr_array_new_full(HANDFUL, (GDestroyNotify)item_free);
    }
    g_ptr_array_add(im->filling->items, it);
    if (im->filling->items->len < HANDFUL && !it->end)
        return;
    g_async_queue_pop(im->tokens);
    g_async_queue_push(im->work, im->filling);
    im->filling = NULL;
}

/* Walker: one message, copied for a worker to read. */
static bool
walk_one(void *ctx, const char *data, size_t len, const char *origin, char **take)
{
    import_t *im = ctx;
    item_t *it;

    if (g_atomic_int_get(&im->stop))
        return false;
    it = g_new0(item_t, 1);
    it->order = im->next_order++;
    if (take != NULL) { /* a file read whole: its buffer is the item's */
        it->data = *take;
        *take = NULL;
    } else {
        it->data = g_memdup2(data, len ? len : 1);
    }
    it->bytes = len;
    it->origin = g_strdup(origin);
    hand_over(im, it);
    return true;
}

static gpointer
walker(gpointer data)
{
    import_t *im = data;
    item_t *end = g_new0(item_t, 1);

    end->end = true;
    for (int i = 0; i < im->n_paths && end->status == TW_OK; i++) {
        end->status = tw_mailbox_each_by_date(im->paths[i], im->cmd->now, walk_one, im,
                                              &im->walker_err);
        if (end->status == TW_ERR_IO && g_atomic_int_get(&im->stop))
            end->status = TW_OK; /* stopped by the recorder */
    }
    hand_over(im, end);
    return NULL;
}

/* A 64-bit FNV-1a hash of the owner and a key. */
static gsize
key_hash(const char *owner, const char *kind, const char *key)
{
    const char *parts[] = {owner, kind, key};
    guint64 h = G_GUINT64_CONSTANT(14695981039346656037);

    for (size_t i = 0; i < G_N_ELEMENTS(parts); i++)
        for (const unsigned char *p = (const unsigned char *)parts[i];; p++) {
            h = (h ^ *p) * G_GUINT64_CONSTANT(1099511628211);
            if (*p == '\0')
                break;
        }
    return (gsize)h;
}

/* Whether an earlier message of this import has one of hashes: it is
 * recorded before this one is looked at, which then is known and needs
 * no reading (the recorder makes sure: hashes may collide, and workers
 * race).  This one's hashes are noted otherwise. */
static bool
seen_before(import_t *im, const item_t *it, const gsize *hashes, size_t n)
{
    gsize mine = (gsize)it->order + 1;
    bool copy = false;

    g_mutex_lock(&im->seen_lock);
    for (size_t k = 0; k < n; k++) {
        gsize first = GPOINTER_TO_SIZE(g_hash_table_lookup(im->seen, GSIZE_TO_POINTER(hashes[k])));
        copy = copy || (first != 0 && first < mine);
    }
    for (size_t k = 0; k < n && !copy; k++)
        g_hash_table_insert(im->seen, GSIZE_TO_POINTER(hashes[k]), GSIZE_TO_POINTER(mine));
    g_mutex_unlock(&im->seen_lock);
    return copy;
}

/* Whether an earlier message has the owner and the key or the content of
 * this parsed one. */
static bool
copy_by_key(import_t *im, const item_t *it)
{
    char *key = tw_message_key(it->msg);
    gsize hashes[] = {key_hash(it->owner, "key", key),
                      key_hash(it->owner, "content", it->msg->content_key)};

    g_free(key);
    return seen_before(im, it, hashes, G_N_ELEMENTS(hashes));
}

/* Whether an earlier message has the print of this one, for the one
 * owner of the whole import. */
static bool
copy_by_print(import_t *im, item_t *it)
{
    gsize hash;

    if (im->cmd->owner == NULL ||
        !tw_message_print(it->data, it->bytes, im->cmd->cfg->max_body_bytes, &it->print))
        return false;
    it->printed = true;
    memcpy(&hash, it->print.digest, sizeof hash);
    return seen_before(im, it, &hash, 1);
}

static guint
print_hash(gconstpointer p)
{
    guint h;

    memcpy(&h, ((const tw_print_t *)p)->digest, sizeof h);
    return h;
}

static gboolean
print_equal(gconstpointer a, gconstpointer b)
{
    return memcmp(a, b, sizeof(tw_print_t)) == 0;
}

/* The reading of an item's message, for its owner. */
static void
read_item(import_t *im, item_t *it)
{
    tw_read(im->cmd->cfg, it->msg, it->owner, im->sent ? TW_HINT_OUT : TW_HINT_AUTO,
            &it->reading);
}

/* Parses an item's message and finds its owner. */
static void
parse_item(import_t *im, item_t *it)
{
    tw_cmd_t *cmd = im->cmd;

    it->status = tw_message_parse(it->data, it->bytes, cmd->cfg->max_body_bytes,
                                  cmd->cfg->subaddress_delims, &it->msg);
    if (it->status == TW_OK && it->msg->is_mail) {
        it->owner = cmd->owner ? g_strdup(cmd->owner) : tw_reading_owner(cmd->cfg, it->msg);
        if (it->owner == NULL && im->fallback_owner != NULL)
            it->owner = g_strdup(im->fallback_owner);
    }
}

/* Worker: parses and reads one message, unless it is a copy.  A copy by
 * its print keeps its bytes, for the recorder to parse should it not be
 * one after all. */
static void
read_one(import_t *im, item_t *it)
{
    if ((it->print_copy = copy_by_print(im, it)))
        return;
    parse_item(im, it);
    if (it->owner != NULL && !(it->copy = copy_by_key(im, it)))
        read_item(im, it);
    g_clear_pointer(&it->data, g_free);
}

static void
handful_free(handful_t *h)
{
    g_ptr_array_free(h->items, TRUE);
    g_free(h);
}

static gpointer
worker(gpointer data)
{
    import_t *im = data;

    for (;;) {
        handful_t *h = g_async_queue_pop(im->work);
        if (h == &quit)
            return NULL;
        if (h->recorded) {
            handful_free(h);
            continue;
        }
        /* after a failure the rest is only drained */
        for (guint i = 0; i < h->items->len && !g_atomic_int_get(&im->stop); i++) {
            item_t *it = h->items->pdata[i];
            if (!it->end)
                read_one(im, it);
        }
        g_mutex_lock(&im->lock);
        g_hash_table_insert(im->done, &h->seq, h);
        g_cond_broadcast(&im->ready);
        g_mutex_unlock(&im->lock);
    }
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

/* Recorder stage: whether a copy by its print is known, by the content
 * key recorded for the print. */
static tw_status_t
known_by_print(import_t *im, const item_t *it, bool *known)
{
    const char *content = g_hash_table_lookup(im->printed, &it->print);

    *known = false;
    if (content == NULL)
        return TW_OK;
    return tw_ledger_known(im->cmd->store, im->cmd->owner, NULL, content, known, &im->err);
}

/* Recorder stage: one more message in the transaction, which is
 * committed every BATCH messages. */
static tw_status_t
count_in_batch(import_t *im)
{
    tw_status_t st;

    if (++im->in_batch < BATCH)
        return TW_OK;
    im->in_batch = 0;
    if ((st = tw_store_commit(im->cmd->store)) != TW_OK)
        return st;
    return tw_store_begin(im->cmd->store);
}

/* Recorder stage: one reading. */
static tw_status_t
record_one(import_t *im, item_t *it)
{
    tw_cmd_t *cmd = im->cmd;
    tw_record_t rec;
    tw_status_t st;
    bool known = false;

    im->read++;
    im->bytes_done += it->bytes;
    show_progress(im, false);
    if (it->print_copy) {
        if ((st = known_by_print(im, it, &known)) != TW_OK)
            return st;
        if (known) {
            im->known++;
            return count_in_batch(im);
        }
        parse_item(im, it); /* not the copy it seemed: parsed and read here */
    }
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
    if (it->copy) {
        char *key = tw_message_key(it->msg);
        st = tw_ledger_known(cmd->store, it->owner, key, it->msg->content_key, &known, &im->err);
        g_free(key);
        if (st != TW_OK)
            return st;
    }
    if ((it->copy || it->print_copy) && !known)
        read_item(im, it); /* not the copy it seemed */
    if (known) {
        im->known++;
        return count_in_batch(im);
    }
    st = tw_ledger_record(cmd->store, cmd->cfg, &it->reading, cmd->now, false, &rec, &im->err);
    if (st != TW_OK)
        return st;
    if (rec.recorded)
        im->recorded++;
    else
        im->known++;
    tw_record_clear(&rec);
    /* a later copy by print is known by this content key */
    if (it->printed && !g_hash_table_contains(im->printed, &it->print))
        g_hash_table_insert(im->printed, g_memdup2(&it->print, sizeof it->print),
                            g_strdup(it->msg->content_key));
    return count_in_batch(im);
}

/* Recorder: the next handful in the walker's order. */
static handful_t *
next_handful(import_t *im, guint64 seq)
{
    handful_t *h;

    g_mutex_lock(&im->lock);
    while ((h = g_hash_table_lookup(im->done, &seq)) == NULL)
        g_cond_wait(&im->ready, &im->lock);
    g_hash_table_remove(im->done, &seq);
    g_mutex_unlock(&im->lock);
    g_async_queue_push(im->tokens, GINT_TO_POINTER(1));
    return h;
}

/* Runs the stages over the paths; returns the first failure. */
static tw_status_t
run_import(import_t *im)
{
    tw_status_t st = tw_store_begin(im->cmd->store);
    tw_status_t walker_status = TW_OK;
    GThread *walker_thread, *workers[MAX_WORKERS];
    int n_workers = CLAMP((int)g_get_num_processors(), 1, MAX_WORKERS);

    im->work = g_async_queue_new();
    im->tokens = g_async_queue_new();
    /* enough in flight that a worker seldom waits for the recorder, nor
     * the recorder for the one handful it needs next */
    for (int i = 0; i < 4 * n_workers + 4; i++)
        g_async_queue_push(im->tokens, GINT_TO_POINTER(1));
    g_mutex_init(&im->lock);
    g_cond_init(&im->ready);
    im->done = g_hash_table_new(g_int64_hash, g_int64_equal);
    g_mutex_init(&im->seen_lock);
    im->seen = g_hash_table_new(g_direct_hash, g_direct_equal);
    im->printed = g_hash_table_new_full(print_hash, print_equal, g_free, g_free);
    if (st != TW_OK)
        g_atomic_int_set(&im->stop, 1);
    for (int i = 0; i < n_workers; i++)
        workers[i] = g_thread_new("worker", worker, im);
    walker_thread = g_thread_new("walker", walker, im);
    for (guint64 seq = 0, end = false; !end; seq++) {
        handful_t *h = next_handful(im, seq);
        for (guint i = 0; i < h->items->len; i++) {
            item_t *it = h->items->pdata[i];
            if (it->end) {
                walker_status = it->status;
                end = true;
            } else if (st == TW_OK && (st = record_one(im, it)) != TW_OK) {
                g_atomic_int_set(&im->stop, 1); /* then drain what is in flight */
            }
        }
        /* freed by a worker, beside the threads that made it, rather
         * than here, where every free would wait for their arenas */
        h->recorded = true;
        g_async_queue_push(im->work, h);
    }
    g_thread_join(walker_thread);
    for (int i = 0; i < n_workers; i++)
        g_async_queue_push(im->work, &quit);
    for (int i = 0; i < n_workers; i++)
        g_thread_join(workers[i]);
    g_hash_table_unref(im->done);
    g_hash_table_unref(im->seen);
    g_hash_table_unref(im->printed);
    g_mutex_clear(&im->seen_lock);
    g_cond_clear(&im->ready);
    g_mutex_clear(&im->lock);
    g_async_queue_unref(im->work);
    g_async_queue_unref(im->tokens);
    if (st == TW_OK && walker_status != TW_OK) {
        st = walker_status;
        im->err = im->walker_err;
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
        if (im.progress) /* a look at every file's size, for the share done */
            im.bytes_total += tw_mailbox_bytes(argv[i]);
    }
    im.paths = argv + optind;
    im.n_paths = argc - optind;
    tw_store_tune_for_import(cmd->store);
    tw_ask_optimise();
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
