/* fuzz_tags.c - lib/tags.c: the X-Twoway-* lines built from hostile text.
 *
 * Input: a 31-byte head (flags, score, counts, time; zeros when short),
 * then the cue and the correspondent, split at the first NUL byte (the
 * same text for both when there is none).
 * Invariants: the lines are ASCII, end in the requested line ending
 * and hold no other CR or LF, are at most 998 bytes, and each is an
 * X-Twoway-Ask/Balance/Thread field or a folded continuation; one
 * field per tag asked for; they read as header fields; the cue, once
 * unfolded and decoded, is the cleaned cue.
 */
#include <gmime/gmime.h>

#include "fuzz.h"
#include "raw.h"
#include "tags.h"

#define HEAD 31

static guint32
u32(const uint8_t *p)
{
    return (guint32)p[0] | (guint32)p[1] << 8 | (guint32)p[2] << 16 | (guint32)p[3] << 24;
}

/* The value of the cue parameter of an unfolded X-Twoway-Ask line,
 * decoded (newly allocated), or NULL when it has none. */
static char *
decoded_cue(const char *lines, const char *eol)
{
    char *ask = g_strdup(lines);
    char *end = strstr(ask, eol);
    /* unfold: the field runs while the next line starts with a blank */
    while (end != NULL && (end[strlen(eol)] == ' ' || end[strlen(eol)] == '\t')) {
        memmove(end, end + strlen(eol), strlen(end + strlen(eol)) + 1);
        end = strstr(end, eol);
    }
    if (end != NULL)
        *end = '\0';
    char *cue = strstr(ask, "; cue=");
    char *out = NULL;
    if (cue != NULL) {
        cue += 6;
        if (*cue == '"') {
            GString *s = g_string_new(NULL);
            const char *p = cue + 1;
            for (; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                g_string_append_c(s, *p);
            }
            FUZZ_CHECK(p[0] == '"' && p[1] == '\0', "quoted cue not closed at the end: %s",
                       cue);
            out = g_string_free(s, FALSE);
        } else {
            FUZZ_CHECK(*cue == ' ' && g_str_has_prefix(cue + 1, "=?UTF-8?Q?"),
                       "cue neither quoted nor encoded: %s", cue);
            for (const char *w = cue + 1; *w; w++)
                FUZZ_CHECK(*w != ' ' || g_str_has_prefix(w + 1, "=?UTF-8?Q?"),
                           "text between encoded words: %s", cue);
            out = g_mime_utils_header_decode_text(NULL, cue + 1);
        }
    }
    g_free(ask);
    return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static gsize init = 0;
    uint8_t head[HEAD] = {0};
    tw_tags_t tags = {0};
    size_t len = 0;

    if (g_once_init_enter(&init)) {
        g_mime_init();
        g_once_init_leave(&init, 1);
    }
    if (size > 64 * 1024)
        return 0;
    memcpy(head, data, MIN(size, (size_t)HEAD));
    const char *rest = size > HEAD ? (const char *)data + HEAD : "";
    size_t rest_len = size > HEAD ? size - HEAD : 0;
    const char *nul = memchr(rest, '\0', rest_len);

    tags.ask = head[0] & 1;
    tags.balance = head[0] & 2;
    tags.thread = head[0] & 4;
    const char *eol = (head[0] & 8) ? "\r\n" : "\n";
    /* scores from -0.25 to 1.25: out-of-range ones are clamped */
    tags.score = ((double)(head[1] | head[2] << 8) / 65535.0) * 1.5 - 0.25;
    tags.received = (int)u32(head + 3);
    tags.sent = (int)u32(head + 7);
    tags.you_owe = (int)u32(head + 11);
    tags.they_owe = (int)u32(head + 15);
    tags.thread_asks = (int)u32(head + 19);
    tags.since = (gint64)((guint64)u32(head + 23) | (guint64)u32(head + 27) << 32);
    tags.cue = (head[0] & 16) ? NULL : g_strndup(rest, rest_len);
    tags.correspondent = (head[0] & 32)
                             ? NULL
                             : g_strndup(nul ? nul + 1 : rest,
                                         nul ? rest_len - (size_t)(nul + 1 - rest) : rest_len);

    char *out = tw_tags_format(&tags, eol, &len);
    FUZZ_CHECK(out != NULL, "no output");
    size_t fields = fuzz_check_tag_block(out, len, eol);
    size_t want = (size_t)tags.ask + (size_t)(tags.balance && tags.correspondent) +
                  (size_t)tags.thread;
    FUZZ_CHECK(fields == want, "%zu tag fields, expected %zu:\n%s", fields, want, out);

    /* the lines read as header fields in front of a body */
    if (len > 0) {
        char *msg = g_strconcat(out, eol, "body", eol, NULL);
        tw_raw_t raw;
        size_t pos = 0, n = 0;
        tw_field_t f;
        tw_raw_scan(&raw, msg, strlen(msg));
        while (tw_raw_next_field(&raw, &pos, &f)) {
            FUZZ_CHECK(tw_raw_field_has_prefix(&raw, &f, TW_TAG_PREFIX), "foreign field");
            n++;
        }
        FUZZ_CHECK(n == fields && raw.header_end == len && raw.crlf == (eol[1] != '\0'),
                   "tags read as %zu fields ending at %zu", n, raw.header_end);
        g_free(msg);
    }

    /* the cue said is the cue given, cleaned */
    if (tags.ask) {
        char *want_cue = tw_tags_clean_text(tags.cue, 200);
        char *got = decoded_cue(out, eol);
        FUZZ_CHECK((got == NULL) == (want_cue[0] == '\0'), "cue present: %d, cleaned '%s'",
                   got != NULL, want_cue);
        if (got != NULL)
            FUZZ_CHECK(strcmp(got, want_cue) == 0, "cue reads '%s', expected '%s'", got,
                       want_cue);
        g_free(got);
        g_free(want_cue);
    }

    /* clean text keeps its promises on the correspondent too */
    char *clean = tw_tags_clean_text(tags.correspondent, 254);
    FUZZ_CHECK(g_utf8_validate(clean, -1, NULL), "clean text not UTF-8");
    FUZZ_CHECK(g_utf8_strlen(clean, -1) <= 254 + 3, "clean text of %ld characters",
               g_utf8_strlen(clean, -1));
    for (const char *p = clean; *p; p++)
        FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f, "control character in clean text");
    g_free(clean);

    g_free(out);
    tw_tags_clear(&tags);
    return 0;
}
