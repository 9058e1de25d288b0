/* twoway-filter.c - stdin to stdout for procmail and maildrop.
 *
 * Writes the message exactly as read, with the tag headers inserted at
 * the end of its header block and forged X-Twoway-* headers removed.
 * It exits 0 only after the whole message was written; when it cannot
 * write it all, it exits 75 so that procmail and maildrop keep the
 * original.  Database trouble follows OnError: accept writes the
 * message untagged, tempfail exits 75.
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "io.h"
#include "options.h"
#include "raw.h"
#include "record.h"
#include "recorder.h"
#include "tags.h"

/* The log a delivery leaves is read back by the next one: past this
 * size it is copied into the database and emptied. */
#define TRIM_AT (512 * 1024)

typedef struct {
    tw_globals_t globals;
    bool sent;
    bool pass;
    bool recorder;
} filter_opts_t;

static void
usage(FILE *fp)
{
    fputs("usage: twoway-filter [--db PATH] [--owner ADDR] [--config FILE]\n"
          "                     [--sent [--pass] | --recorder]\n"
          "Reads a message on stdin and writes it to stdout with X-Twoway-* tags added.\n"
          "  --sent       record a message the owner sent; write nothing\n"
          "  --pass       with --sent, also write the message unchanged\n"
          "  --recorder   run the recorder deliveries hand their mail to, in the\n"
          "               foreground, until none came for Recorder seconds\n"
          "Exit: 0 message written whole, 75 try again later, 78 configuration error.\n"
          "See twoway-filter(1).\n",
          fp);
}

/* Reads all of fd; false on a read error. */
static bool
read_all(int fd, GByteArray *buf)
{
    guint8 chunk[65536];

    for (;;) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n > 0)
            g_byte_array_append(buf, chunk, (guint)n);
        else if (n == 0)
            return true;
        else if (errno != EINTR)
            return false;
    }
}

static bool
write_fd(void *ctx, const void *data, size_t len)
{
    return io_write_all(*(int *)ctx, data, len);
}

/* Writes the message with tags (may be empty) and returns the exit
 * code: 0 only when every byte was written. */
static int
emit(const tw_raw_t *raw, const char *tags, size_t tags_len)
{
    int fd = STDOUT_FILENO;

    if (!tw_raw_write(raw, TW_TAG_PREFIX, tags, tags_len, write_fd, &fd)) {
        tw_warn("cannot write the message: %s", g_strerror(errno));
        return EX_TEMPFAIL;
    }
    if (fsync(fd) != 0 && errno != EINVAL && errno != EROFS && errno != EBADF) {
        /* pipes cannot be synced; a file that cannot be is not whole */
        tw_warn("cannot write the message: %s", g_strerror(errno));
        return EX_TEMPFAIL;
    }
    return EX_OK;
}

/* Writes the original bytes untouched (for --sent --pass). */
static int
emit_unchanged(const GByteArray *in)
{
    if (!io_write_all(STDOUT_FILENO, in->data, in->len)) {
        tw_warn("cannot write the message: %s", g_strerror(errno));
        return EX_TEMPFAIL;
    }
    return EX_OK;
}

int
main(int argc, char **argv)
{
    static const struct option longopts[] = {
        TW_GLOBAL_OPTIONS,
        {"sent", no_argument, NULL, 's'},
        {"pass", no_argument, NULL, 'p'},
        {"recorder", no_argument, NULL, 'r'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0},
    };
    filter_opts_t o = {.sent = false};
    tw_config_t *cfg = NULL;
    tw_error_t err = {{0}};
    GByteArray *in;
    tw_raw_t raw;
    int opt, rc;

    tw_progname = "twoway-filter";
    signal(SIGPIPE, SIG_IGN);
    while ((opt = getopt_long(argc, argv, "sprhV", longopts, NULL)) != -1) {
        if (tw_globals_take(&o.globals, opt, optarg))
            continue;
        switch (opt) {
        case 's': o.sent = true; break;
        case 'p': o.pass = true; break;
        case 'r': o.recorder = true; break;
        case 'h': usage(stdout); return EX_OK;
        case 'V': puts("twoway-filter " PACKAGE_VERSION); return EX_OK;
        default: usage(stderr); return EX_USAGE;
        }
    }
    if (optind < argc) {
        tw_warn("unexpected argument '%s'", argv[optind]);
        return EX_USAGE;
    }
    if (o.pass && !o.sent) {
        tw_warn("--pass goes with --sent");
        return EX_USAGE;
    }
    if (o.recorder) {
        if (o.sent) {
            tw_warn("--recorder takes no message: it goes without --sent");
            return EX_USAGE;
        }
        if (tw_globals_config(&o.globals, &cfg, &err) != TW_OK) {
            tw_warn("%s", err.text);
            return EX_CONFIG;
        }
        rc = recorder_run(argv[0], &o.globals, cfg);
        tw_config_free(cfg);
        return rc;
    }

    /* Always read the whole message first: a filter that stops reading
     * early makes procmail and maildrop fail the delivery. */
    in = g_byte_array_new();
    if (!read_all(STDIN_FILENO, in)) {
        tw_warn("cannot read the message: %s", g_strerror(errno));
        g_byte_array_free(in, TRUE);
        return EX_TEMPFAIL;
    }
    tw_status_t cst = tw_globals_config(&o.globals, &cfg, &err);
    if (cst != TW_OK) {
        tw_warn("%s", err.text);
        g_byte_array_free(in, TRUE);
        /* a configuration that could not be read whole (no memory, a
         * read error) may read next time: that is no configuration
         * error */
        return cst == TW_ERR_NOMEM || cst == TW_ERR_IO ? EX_TEMPFAIL : EX_CONFIG;
    }
    tw_raw_scan(&raw, (const char *)in->data, in->len);

    char *tags = NULL;
    size_t tags_len = 0;
    tw_status_t st = TW_OK;
    char *start = NULL;
    if (raw.is_mail && !recorder_deliver(argv[0], &o.globals, cfg, o.sent, &raw, &st, &tags,
                                         &tags_len, &err, &start)) {
        tw_store_t *store = NULL;
        st = filter_record(cfg, o.sent, &raw, &store, TRIM_AT, &tags, &tags_len, &err);
        tw_store_close(store);
    }
    if (st == TW_ERR_NO_OWNER) {
        tw_warn("no owner: give --owner ADDR, or Owner in the config; message passed untagged");
    } else if (st != TW_OK) {
        /* one line: the database, the cause, what becomes of the mail */
        const char *why = err.text[0] ? err.text : tw_status_str(st);
        if (cfg->on_error == TW_ON_ERROR_TEMPFAIL) {
            tw_warn("%s; OnError tempfail: delivery deferred", why);
            rc = EX_TEMPFAIL;
            goto done;
        }
        tw_warn("%s; OnError accept: %s", why,
                o.sent ? "message not recorded" : "message passed untagged");
    }
    if (o.sent)
        rc = o.pass ? emit_unchanged(in) : EX_OK;
    else
        rc = emit(&raw, tags, tags_len);
done:
    if (start != NULL) {
        /* for the deliveries after this one, now that it is written */
        recorder_start(cfg, start);
        g_free(start);
    }
    g_free(tags);
    tw_config_free(cfg);
    g_byte_array_free(in, TRUE);
    return rc;
}
