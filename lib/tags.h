/* tags.h - the X-Twoway-* header lines added to incoming mail.
 *
 * Names are fixed; values are ASCII (RFC 2047 encoded words for any
 * non-ASCII text), folded at 78 columns in the message's own line
 * ending, and never carry a CR or LF from the message.
 */
#ifndef TW_TAGS_H
#define TW_TAGS_H

#include <glib.h>
#include <stdbool.h>

#define TW_TAG_PREFIX "X-Twoway-"

typedef struct {
    bool ask;                  /* X-Twoway-Ask */
    double score;
    char *cue;
    bool balance;              /* X-Twoway-Balance */
    char *correspondent;
    int received, sent, you_owe, they_owe;
    bool thread;               /* X-Twoway-Thread */
    int thread_asks;
    gint64 since;
} tw_tags_t;

/* The header lines for tags, each ending in eol ("\n" or "\r\n");
 * "" when there are none.  Newly allocated; *len gets its length. */
char *tw_tags_format(const tw_tags_t *tags, const char *eol, size_t *len);

void tw_tags_clear(tw_tags_t *tags);

/* Text made safe for a header value: control characters as spaces,
 * runs of white space as one, at most max_chars characters (an
 * ellipsis marks a cut).  Newly allocated UTF-8. */
char *tw_tags_clean_text(const char *text, glong max_chars);

/* ISO 8601 UTC form of t ("2026-11-20T09:14:00Z"), into buf. */
void tw_tags_iso_time(gint64 t, char buf[32]);

#endif
