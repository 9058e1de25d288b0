/* fuzz_text.c - lib/text.c and lib/html.c on UTF-8-ish text.
 *
 * The input (to its first NUL byte) goes through tw_text_zones(),
 * tw_text_fresh() and tw_text_sentences(); all of it through
 * tw_text_from_html().  Inputs over 64 KB (the message target's body
 * cap) are skipped.
 * Invariants: one zone per line and every zone known; the fresh text
 * is no longer than the text and holds only author lines; sentences
 * are non-empty, trimmed, at most 400; HTML comes out valid UTF-8.
 */
#include "fuzz.h"
#include "text.h"

#define FUZZ_MAX_INPUT (64 * 1024)

static void
check_sentences(GPtrArray *s, const char *from)
{
    FUZZ_CHECK(s != NULL, "no sentences");
    FUZZ_CHECK(s->len <= 400, "%u sentences", s->len);
    for (guint i = 0; i < s->len; i++) {
        const char *t = s->pdata[i];
        size_t n = strlen(t);
        FUZZ_CHECK(n > 0, "empty sentence %u", i);
        FUZZ_CHECK(!g_ascii_isspace(t[0]) && !g_ascii_isspace(t[n - 1]),
                   "sentence %u not trimmed: '%s'", i, t);
        FUZZ_CHECK(n <= strlen(from), "sentence %u longer than its text", i);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > FUZZ_MAX_INPUT)
        return 0;
    char *text = fuzz_cstring(data, size);
    size_t text_len = strlen(text);
    char **lines;
    tw_zone_t *zones;

    size_t n = tw_text_zones(text, &lines, &zones);
    FUZZ_CHECK(g_strv_length(lines) == n, "%zu lines, %u in the vector", n,
               g_strv_length(lines));
    size_t newlines = 0;
    for (const char *p = text; *p; p++)
        newlines += *p == '\n';
    FUZZ_CHECK(n == newlines || n == newlines + 1, "%zu lines for %zu newlines", n, newlines);
    GHashTable *author = g_hash_table_new(g_str_hash, g_str_equal);
    for (size_t i = 0; i < n; i++) {
        FUZZ_CHECK((size_t)zones[i] <= TW_ZONE_PATCH, "line %zu in zone %d", i, zones[i]);
        FUZZ_CHECK(strcmp(tw_zone_name(zones[i]), "unknown") != 0, "zone without a name");
        if (zones[i] == TW_ZONE_AUTHOR)
            g_hash_table_add(author, lines[i]);
    }

    char *fresh = tw_text_fresh(text);
    FUZZ_CHECK(fresh != NULL && strlen(fresh) <= text_len, "fresh text longer than its text");
    /* every line of the fresh text is an author line, or the blank that
     * stands for a run of them */
    char **fl = g_strsplit(fresh, "\n", -1);
    for (size_t i = 0; fl[i] != NULL; i++)
        FUZZ_CHECK(fl[i][0] == '\0' || g_hash_table_contains(author, fl[i]),
                   "fresh line not an author line: '%s'", fl[i]);
    g_strfreev(fl);
    g_hash_table_destroy(author);
    g_free(lines);
    g_free(zones);

    GPtrArray *s = tw_text_sentences(fresh);
    check_sentences(s, fresh);
    g_ptr_array_free(s, TRUE);
    s = tw_text_sentences(text);
    check_sentences(s, text);
    g_ptr_array_free(s, TRUE);
    g_free(fresh);

    char *plain = tw_text_from_html((const char *)data, size);
    FUZZ_CHECK(plain != NULL && g_utf8_validate(plain, -1, NULL), "HTML text not UTF-8");
    /* and what a message would do with it */
    char *fresh2 = tw_text_fresh(plain);
    s = tw_text_sentences(fresh2);
    check_sentences(s, fresh2);
    g_ptr_array_free(s, TRUE);
    g_free(fresh2);
    g_free(plain);
    g_free(text);
    return 0;
}
