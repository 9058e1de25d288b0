/* fuzz.h - helpers shared by the libFuzzer targets in fuzz/.
 *
 * A violated invariant prints what went wrong and aborts, so libFuzzer
 * reports it as a crash and keeps the input.  Nothing here allocates
 * across inputs.
 */
#ifndef TW_FUZZ_H
#define TW_FUZZ_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* FUZZ_CHECK(cond, fmt, ...): aborts with a message when cond is false. */
#define FUZZ_CHECK(cond, ...)                                              \
    do {                                                                   \
        if (!(cond)) {                                                     \
            fprintf(stderr, "%s:%d: invariant failed: %s\n  ", __FILE__,   \
                    __LINE__, #cond);                                      \
            fprintf(stderr, __VA_ARGS__);                                  \
            fputc('\n', stderr);                                           \
            abort();                                                       \
        }                                                                  \
    } while (0)

/* A tw_sink_fn that appends to a GString (ctx). */
static inline bool
fuzz_sink_collect(void *ctx, const void *buf, size_t len)
{
    g_string_append_len((GString *)ctx, (const char *)buf, (gssize)len);
    return true;
}

/* The input as a NUL-terminated string (stops at its first NUL byte
 * when read as one).  g_free() it. */
static inline char *
fuzz_cstring(const uint8_t *data, size_t size)
{
    return g_strndup((const char *)data, size);
}

/* True when s[0, n) holds only printable ASCII, tabs, CR and LF. */
static inline bool
fuzz_is_text_ascii(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c > 0x7e)
            return false;
    }
    return true;
}

/* Checks a block of tag lines as tw_tags_format() promises them:
 * ASCII, every line ended by eol and no CR or LF elsewhere, lines of at
 * most 998 bytes, each line either an X-Twoway-Ask/Balance/Thread field
 * or a continuation starting with a space or tab that holds more than
 * white space.  Returns the number of fields; aborts on a violation. */
static inline size_t
fuzz_check_tag_block(const char *s, size_t n, const char *eol)
{
    static const char *const names[] = {
        "X-Twoway-Ask:", "X-Twoway-Balance:", "X-Twoway-Thread:",
    };
    size_t eol_len = strlen(eol), fields = 0, pos = 0;

    FUZZ_CHECK(strlen(s) == n, "tag block holds a NUL byte");
    FUZZ_CHECK(fuzz_is_text_ascii(s, n), "tag block is not printable ASCII: %s", s);
    FUZZ_CHECK(n == 0 || (n >= eol_len && memcmp(s + n - eol_len, eol, eol_len) == 0),
               "tag block does not end in its line ending");
    while (pos < n) {
        const char *line = s + pos;
        const char *lf = memchr(line, '\n', n - pos);
        FUZZ_CHECK(lf != NULL, "unterminated tag line");
        size_t len = (size_t)(lf - line) + 1; /* with its '\n' */
        FUZZ_CHECK(len >= eol_len && memcmp(lf + 1 - eol_len, eol, eol_len) == 0,
                   "tag line not ended by the message's line ending: %.*s",
                   (int)len, line);
        size_t body = len - eol_len;
        FUZZ_CHECK(memchr(line, '\r', body) == NULL, "bare CR in a tag line: %.*s",
                   (int)body, line);
        FUZZ_CHECK(body <= 998, "tag line of %zu bytes", body);
        if (line[0] == ' ' || line[0] == '\t') {
            bool blank = true;
            for (size_t i = 0; i < body; i++)
                blank = blank && (line[i] == ' ' || line[i] == '\t');
            FUZZ_CHECK(fields > 0, "tag block starts with a continuation line");
            FUZZ_CHECK(!blank, "white-space-only continuation line");
        } else {
            bool known = false;
            /* the name, then a space or (folded at once) the end */
            for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
                size_t nl = strlen(names[k]);
                known = known || (body >= nl && strncmp(line, names[k], nl) == 0 &&
                                  (body == nl || line[nl] == ' '));
            }
            FUZZ_CHECK(known, "tag line is neither a tag nor a continuation: %.*s",
                       (int)body, line);
            fields++;
        }
        pos += len;
    }
    return fields;
}

#endif
