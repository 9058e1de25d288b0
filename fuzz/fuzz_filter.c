/* fuzz_filter.c - the filter as a whole: what twoway-filter does with
 * one message, on any bytes.
 *
 * Scan, parse (64 KB body cap), tw_read(), tw_ledger_record_one() into a
 * real SQLite database, tw_tags_format(), then tw_raw_write() of the
 * original with the tags, as filters/twoway-filter.c does.  The
 * database lives in a private directory made at the first input and
 * removed at exit; it is opened at the first input and kept, so
 * messages meet the threads and asks of earlier ones, and it is started
 * afresh every RESET_EVERY inputs so that work per input stays bounded.
 * Invariants: recording never fails on input; the tags are well formed
 * (see fuzz_check_tag_block); the written message minus our lines is
 * the input minus its forged X-Twoway-* fields, our lines are the only
 * X-Twoway-* fields of its header, and its body is the input's.
 */
#include <glib/gstdio.h>
#include <unistd.h>

#include "fuzz.h"
#include "ledger.h"
#include "message.h"
#include "raw.h"
#include "reading.h"
#include "tags.h"

#define FUZZ_MAX_INPUT (1024 * 1024)
#define MAX_BODY (64 * 1024)
#define RESET_EVERY 4096
#define NOW G_GINT64_CONSTANT(1795000000) /* 2026-11-18, stands in for a missing Date */

static char *dir;
static char *db_path;
static tw_config_t *cfg;
static tw_store_t *store;
static unsigned long inputs;

static void
remove_db(void)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};

    for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        char *p = g_strconcat(db_path, suffixes[i], NULL);
        g_unlink(p);
        g_free(p);
    }
}

static void
cleanup(void)
{
    tw_store_close(store);
    store = NULL;
    if (db_path != NULL) {
        remove_db();
        g_rmdir(dir);
    }
}

static void
setup(void)
{
    tw_error_t err = {{0}};
    GError *gerr = NULL;

    dir = g_dir_make_tmp("twoway-fuzz-XXXXXX", &gerr);
    FUZZ_CHECK(dir != NULL, "cannot make a temporary directory: %s", gerr->message);
    db_path = g_build_filename(dir, "twoway.db", NULL);
    atexit(cleanup);
    cfg = tw_config_new();
    FUZZ_CHECK(tw_config_set(cfg, "Owner", "robin@example.org", "fuzz", &err) == TW_OK &&
                   tw_config_set(cfg, "Alias", "robin@example.org robin@work.example.com",
                                 "fuzz", &err) == TW_OK &&
                   tw_config_set(cfg, "Database", db_path, "fuzz", &err) == TW_OK,
               "config: %s", err.text);
    cfg->max_body_bytes = MAX_BODY;
}

/* Opens the store at the first input, and afresh every RESET_EVERY. */
static void
open_store(void)
{
    tw_error_t err = {{0}};

    if (store != NULL && inputs % RESET_EVERY != 0)
        return;
    tw_store_close(store);
    store = NULL;
    remove_db();
    FUZZ_CHECK(tw_store_open(db_path, cfg->busy_timeout_ms, true, &store, &err) == TW_OK,
               "cannot open the database: %s", err.text);
    tw_store_defer_checkpoints(store);
}

/* Records the message and returns its tag lines ("" when none),
 * as filter_record() in filters/record.c does, at a fixed time. */
static char *
record(const tw_raw_t *raw, size_t *tags_len)
{
    tw_message_t *msg = NULL;
    char *tags = NULL;
    tw_error_t err = {{0}};

    *tags_len = 0;
    FUZZ_CHECK(tw_message_parse(raw->data, raw->len, cfg->max_body_bytes,
                                cfg->subaddress_delims, &msg) == TW_OK,
               "parse failed");
    if (msg->is_mail) {
        char *owner = tw_reading_owner(cfg, msg);
        FUZZ_CHECK(owner != NULL, "no owner, though one is configured");
        tw_reading_t r;
        tw_record_t rec;
        tw_read(cfg, msg, owner, TW_HINT_AUTO, &r);
        tw_status_t st = tw_ledger_record_one(store, cfg, &r, NOW, &rec, &err);
        FUZZ_CHECK(st == TW_OK, "recording failed (%s): %s", tw_status_str(st), err.text);
        tags = tw_tags_format(&rec.tags, tw_raw_eol(raw), tags_len);
        tw_record_clear(&rec);
        tw_store_trim_log(store, 512 * 1024);
        tw_reading_clear(&r);
        g_free(owner);
    }
    tw_message_free(msg);
    return tags;
}

/* The input without its X-Twoway-* fields, built from its fields. */
static GString *
strip_forged(const tw_raw_t *raw)
{
    GString *s = g_string_new_len(raw->data, (gssize)raw->from_len);
    size_t pos = 0;
    tw_field_t f;

    while (tw_raw_next_field(raw, &pos, &f))
        if (!tw_raw_field_has_prefix(raw, &f, TW_TAG_PREFIX))
            g_string_append_len(s, raw->data + f.start, (gssize)(f.end - f.start));
    g_string_append_len(s, raw->data + raw->header_end, (gssize)(raw->len - raw->header_end));
    return s;
}

static void
check_output(const tw_raw_t *raw, const GString *out, const char *tags, size_t tags_len)
{
    GString *stripped = strip_forged(raw);
    const char *eol = tw_raw_eol(raw);
    tw_raw_t w;
    size_t pos = 0, ours = 0;
    tw_field_t f;

    if (tags_len == 0) {
        FUZZ_CHECK(g_string_equal(out, stripped), "untagged output is not the input "
                                                  "minus its forged fields");
        g_string_free(stripped, TRUE);
        return;
    }
    /* our lines end the header block of what was written */
    tw_raw_scan(&w, out->str, out->len);
    FUZZ_CHECK(w.is_mail, "tagged output is not mail");
    FUZZ_CHECK(w.header_end >= tags_len &&
                   memcmp(out->str + w.header_end - tags_len, tags, tags_len) == 0,
               "the tags do not end the header block");
    while (tw_raw_next_field(&w, &pos, &f))
        if (tw_raw_field_has_prefix(&w, &f, TW_TAG_PREFIX)) {
            FUZZ_CHECK(f.start >= w.header_end - tags_len, "a forged field survived");
            ours++;
        }
    FUZZ_CHECK(ours == fuzz_check_tag_block(tags, tags_len, eol),
               "%zu X-Twoway fields written", ours);
    /* minus our lines, the input minus its forged fields; an input
     * whose header ends without a newline gets one before them */
    size_t at = w.header_end - tags_len;
    GString *minus = g_string_new_len(out->str, (gssize)at);
    g_string_append_len(minus, out->str + w.header_end, (gssize)(out->len - w.header_end));
    if (!g_string_equal(minus, stripped)) {
        size_t e = strlen(eol);
        FUZZ_CHECK(raw->header_unterminated && at >= e && at == out->len - tags_len &&
                       memcmp(out->str + at - e, eol, e) == 0 &&
                       minus->len == stripped->len + e &&
                       memcmp(minus->str, stripped->str, stripped->len) == 0,
                   "written message minus the tags is not the input minus forged fields");
    }
    /* and the body is the input's */
    FUZZ_CHECK(w.len - w.body_start == raw->len - raw->body_start &&
                   memcmp(w.data + w.body_start, raw->data + raw->body_start,
                          raw->len - raw->body_start) == 0,
               "body changed");
    g_string_free(minus, TRUE);
    g_string_free(stripped, TRUE);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tw_raw_t raw;
    char *tags = NULL;
    size_t tags_len = 0;

    if (size > FUZZ_MAX_INPUT)
        return 0;
    if (cfg == NULL)
        setup();
    open_store();
    inputs++;

    /* the message read as twoway-filter reads stdin: into a GByteArray
     * (whose data is NULL when stdin is empty) */
    GByteArray *in = g_byte_array_new();
    g_byte_array_append(in, data, (guint)size);
    tw_raw_scan(&raw, (const char *)in->data, in->len);
    if (raw.is_mail)
        tags = record(&raw, &tags_len);
    if (tags != NULL)
        fuzz_check_tag_block(tags, tags_len, tw_raw_eol(&raw));

    GString *out = g_string_new(NULL);
    FUZZ_CHECK(tw_raw_write(&raw, TW_TAG_PREFIX, tags, tags_len, fuzz_sink_collect, out),
               "write failed");
    if (!raw.is_mail)
        FUZZ_CHECK(out->len == size && memcmp(out->str, data, size) == 0,
                   "not mail, yet changed");
    else
        check_output(&raw, out, tags ? tags : "", tags_len);

    g_string_free(out, TRUE);
    g_free(tags);
    g_byte_array_free(in, TRUE);
    return 0;
}
