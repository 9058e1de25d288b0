/* fuzz_raw.c - lib/raw.c on any bytes: scan, fields, byte-exact writes.
 *
 * Invariants (abort() when broken):
 * - the scan's offsets are ordered and within the input, and the header
 *   fields tile [from_len, header_end) exactly, each starting with a
 *   field name and continued only by lines starting with a blank;
 * - tw_raw_write() with nothing removed or added gives the input back;
 * - removing "X-Twoway-" fields and inserting lines keeps every other
 *   byte in place, puts the lines at the end of the header block (which
 *   still reads as the same header plus ours and the same body);
 * - a failing sink makes the write fail and is not called again.
 */
#include "fuzz.h"
#include "raw.h"

#define PREFIX "X-Twoway-"

/* A sink that fails at its call number fail_at and counts calls. */
typedef struct {
    size_t calls;
    size_t fail_at;
    bool failed;
} failing_sink_t;

static bool
sink_failing(void *ctx, const void *buf, size_t len)
{
    failing_sink_t *s = ctx;

    (void)buf;
    (void)len;
    FUZZ_CHECK(!s->failed, "sink called again after it failed");
    if (s->calls++ == s->fail_at) {
        s->failed = true;
        return false;
    }
    return true;
}

/* The fields of raw, checked; newly allocated array in *out. */
static size_t
check_fields(const tw_raw_t *raw, tw_field_t **out)
{
    GArray *fields = g_array_new(FALSE, FALSE, sizeof(tw_field_t));
    size_t pos = 0, expect = raw->from_len;
    tw_field_t f;

    while (tw_raw_next_field(raw, &pos, &f)) {
        FUZZ_CHECK(f.start == expect, "field starts at %zu, expected %zu", f.start, expect);
        FUZZ_CHECK(f.end > f.start && f.end <= raw->header_end,
                   "field [%zu, %zu) outside the header (end %zu)", f.start, f.end,
                   raw->header_end);
        FUZZ_CHECK(pos == f.end, "position %zu after a field ending at %zu", pos, f.end);
        FUZZ_CHECK(f.name_len > 0, "field at %zu has no name", f.start);
        FUZZ_CHECK(f.start + f.name_len < f.end, "field name runs to the field's end");
        /* continuation lines start with a blank; lines end in '\n' except
         * for the last of an unterminated header */
        for (size_t i = f.start; i < f.end; i++) {
            if (raw->data[i] != '\n')
                continue;
            if (i + 1 < f.end)
                FUZZ_CHECK(raw->data[i + 1] == ' ' || raw->data[i + 1] == '\t',
                           "line inside a field at %zu does not start with a blank", i + 1);
        }
        if (raw->data[f.end - 1] != '\n')
            FUZZ_CHECK(raw->header_unterminated && f.end == raw->header_end,
                       "field [%zu, %zu) not ended by a newline", f.start, f.end);
        char *name = g_strndup(raw->data + f.start, f.name_len);
        FUZZ_CHECK(strlen(name) == f.name_len, "NUL byte in a field name");
        FUZZ_CHECK(tw_raw_field_is(raw, &f, name), "field is not named %s", name);
        FUZZ_CHECK(tw_raw_field_has_prefix(raw, &f, name), "field lacks its own prefix");
        g_free(name);
        expect = f.end;
        g_array_append_val(fields, f);
        FUZZ_CHECK(fields->len <= raw->len, "more fields than bytes");
    }
    FUZZ_CHECK(expect == raw->header_end, "fields end at %zu, header at %zu", expect,
               raw->header_end);
    FUZZ_CHECK(raw->is_mail == (fields->len > 0), "is_mail=%d with %u fields",
               raw->is_mail, fields->len);
    size_t n = fields->len;
    *out = (tw_field_t *)(void *)g_array_free(fields, FALSE);
    return n;
}

static void
check_scan(const tw_raw_t *raw, const char *data, size_t size)
{
    FUZZ_CHECK(raw->data == data && raw->len == size, "scan lost its input");
    FUZZ_CHECK(raw->from_len <= raw->header_end && raw->header_end <= raw->body_start &&
                   raw->body_start <= raw->len,
               "offsets out of order: from %zu header %zu body %zu len %zu", raw->from_len,
               raw->header_end, raw->body_start, raw->len);
    FUZZ_CHECK((raw->from_len > 0) == (size >= 5 && memcmp(data, "From ", 5) == 0),
               "From line of %zu bytes", raw->from_len);
    if (raw->from_len > 0 && raw->from_len < size)
        FUZZ_CHECK(data[raw->from_len - 1] == '\n', "From line not ended by a newline");
    if (!raw->is_mail)
        FUZZ_CHECK(raw->header_end == raw->from_len, "not mail with a header block");
    /* between the header and the body: nothing, or one blank line */
    size_t gap = raw->body_start - raw->header_end;
    if (raw->is_mail && raw->body_start < raw->len)
        FUZZ_CHECK(gap == 0 || (gap == 1 && data[raw->header_end] == '\n') ||
                       (gap == 2 && memcmp(data + raw->header_end, "\r\n", 2) == 0),
                   "%zu bytes between header and body", gap);
    FUZZ_CHECK(strcmp(tw_raw_eol(raw), raw->crlf ? "\r\n" : "\n") == 0, "eol");
}

/* What tw_raw_write(raw, PREFIX, add) must give, built from the fields. */
static GString *
expected_write(const tw_raw_t *raw, const tw_field_t *f, size_t n, const char *add,
               size_t add_len)
{
    GString *want = g_string_new_len(raw->data, (gssize)raw->from_len);
    bool last_kept = false;
    size_t first_kept = 0;

    /* ours first when the removal would leave a "From " field first */
    while (first_kept < n && f[first_kept].name_len >= strlen(PREFIX) &&
           g_ascii_strncasecmp(raw->data + f[first_kept].start, PREFIX, strlen(PREFIX)) == 0)
        first_kept++;
    bool add_first = add_len > 0 && raw->from_len == 0 && first_kept > 0 && first_kept < n &&
                     f[first_kept].end - f[first_kept].start >= 5 &&
                     memcmp(raw->data + f[first_kept].start, "From ", 5) == 0;
    if (add_first)
        g_string_append_len(want, add, (gssize)add_len);

    for (size_t i = 0; i < n; i++) {
        bool ours = f[i].name_len >= strlen(PREFIX) &&
                    g_ascii_strncasecmp(raw->data + f[i].start, PREFIX, strlen(PREFIX)) == 0;
        if (!ours)
            g_string_append_len(want, raw->data + f[i].start,
                                (gssize)(f[i].end - f[i].start));
        last_kept = !ours;
    }
    if (add_len > 0 && !add_first) {
        if (raw->header_unterminated && last_kept)
            g_string_append(want, tw_raw_eol(raw));
        g_string_append_len(want, add, (gssize)add_len);
    }
    g_string_append_len(want, raw->data + raw->header_end,
                        (gssize)(raw->len - raw->header_end));
    return want;
}

/* The rewritten message reads as the kept fields, then ours, then the
 * same body. */
static void
check_rescan(const tw_raw_t *raw, const tw_field_t *f, size_t n, const GString *got,
             size_t added_fields)
{
    tw_raw_t again;
    tw_field_t *g;
    size_t kept = 0, m, k = 0;

    tw_raw_scan(&again, got->str, got->len);
    m = check_fields(&again, &g);
    FUZZ_CHECK(again.is_mail, "rewritten message is not mail");
    FUZZ_CHECK(again.from_len == raw->from_len, "From line changed");
    /* ours may come first (see expected_write) */
    while (k < m && k < added_fields && tw_raw_field_has_prefix(&again, &g[k], PREFIX))
        k++;
    size_t lead = k;
    for (size_t i = 0; i < n; i++) {
        if (tw_raw_field_has_prefix(raw, &f[i], PREFIX))
            continue;
        kept++;
        FUZZ_CHECK(k < m, "kept field %zu missing", i);
        size_t a = f[i].end - f[i].start, b = g[k].end - g[k].start;
        /* an unterminated last field gets its newline */
        FUZZ_CHECK((a == b || (a + strlen(tw_raw_eol(raw)) == b &&
                               f[i].end == raw->header_end && raw->header_unterminated)) &&
                       memcmp(raw->data + f[i].start, got->str + g[k].start, a) == 0,
                   "kept field %zu changed", i);
        k++;
    }
    FUZZ_CHECK(m == kept + added_fields, "%zu fields after rewriting, expected %zu + %zu", m,
               kept, added_fields);
    FUZZ_CHECK(lead == 0 || lead == added_fields, "%zu of the added fields first", lead);
    for (; k < m; k++)
        FUZZ_CHECK(tw_raw_field_has_prefix(&again, &g[k], PREFIX), "added field %zu", k);
    FUZZ_CHECK(again.len - again.body_start == raw->len - raw->body_start &&
                   memcmp(again.data + again.body_start, raw->data + raw->body_start,
                          raw->len - raw->body_start) == 0,
               "body changed: %zu bytes, was %zu", again.len - again.body_start,
               raw->len - raw->body_start);
    g_free(g);
}

int
LLVMFuzzerTestOneInput(const uint8_t *bytes, size_t size)
{
    const char *data = (const char *)bytes;
    tw_raw_t raw;
    tw_field_t *f;
    size_t n;

    tw_raw_scan(&raw, data, size);
    check_scan(&raw, data, size);
    n = check_fields(&raw, &f);

    /* 1. nothing removed or added: the input, byte for byte */
    GString *got = g_string_new(NULL);
    FUZZ_CHECK(tw_raw_write(&raw, NULL, NULL, 0, fuzz_sink_collect, got), "write failed");
    FUZZ_CHECK(got->len == size && memcmp(got->str, data, size) == 0,
               "plain write changed the message (%zu bytes, was %zu)", got->len, size);

    /* 2. forged fields removed, nothing added */
    g_string_truncate(got, 0);
    FUZZ_CHECK(tw_raw_write(&raw, PREFIX, NULL, 0, fuzz_sink_collect, got), "write failed");
    if (raw.is_mail) {
        GString *want = expected_write(&raw, f, n, NULL, 0);
        FUZZ_CHECK(g_string_equal(got, want), "removal changed other bytes");
        g_string_free(want, TRUE);
    } else {
        FUZZ_CHECK(got->len == size && memcmp(got->str, data, size) == 0,
                   "not mail, yet changed");
    }

    /* 3. removed and two fields inserted (one folded) */
    const char *eol = tw_raw_eol(&raw);
    char *add = g_strconcat("X-Twoway-Ask: yes; score=0.50", eol, "X-Twoway-Thread: unanswered;",
                            eol, " asks=1", eol, NULL);
    size_t add_len = strlen(add);
    g_string_truncate(got, 0);
    FUZZ_CHECK(tw_raw_write(&raw, PREFIX, add, add_len, fuzz_sink_collect, got),
               "write failed");
    if (raw.is_mail) {
        GString *want = expected_write(&raw, f, n, add, add_len);
        FUZZ_CHECK(g_string_equal(got, want), "insertion changed other bytes");
        g_string_free(want, TRUE);
        check_rescan(&raw, f, n, got, 2);
    } else {
        FUZZ_CHECK(got->len == size && memcmp(got->str, data, size) == 0,
                   "not mail, yet changed");
    }

    /* 4. a sink that fails: the first, a middle and the last call */
    failing_sink_t count = {.fail_at = SIZE_MAX};
    FUZZ_CHECK(tw_raw_write(&raw, PREFIX, add, add_len, sink_failing, &count),
               "write failed");
    size_t at[] = {0, count.calls / 2, count.calls > 0 ? count.calls - 1 : 0};
    for (size_t i = 0; i < G_N_ELEMENTS(at) && count.calls > 0; i++) {
        failing_sink_t s = {.fail_at = at[i]};
        FUZZ_CHECK(!tw_raw_write(&raw, PREFIX, add, add_len, sink_failing, &s),
                   "write succeeded through a failing sink (call %zu)", at[i]);
        FUZZ_CHECK(s.failed, "the failing call was never made");
    }

    g_free(add);
    g_string_free(got, TRUE);
    g_free(f);
    return 0;
}
