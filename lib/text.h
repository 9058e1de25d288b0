/* text.h - the author's fresh text and its sentences.
 *
 * A message body is read line by line and every line is put in a zone:
 * the author's own words, or quoted replies, attributions, forwarded
 * parts, signatures, list footers and disclaimers.  Fresh text is the
 * author's zone; sentences are cut from it for the ask detector.
 */
#ifndef TW_TEXT_H
#define TW_TEXT_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

typedef enum {
    TW_ZONE_AUTHOR,      /* what the author wrote in this message */
    TW_ZONE_QUOTE,       /* quoted earlier mail: '>' lines, Outlook blocks */
    TW_ZONE_ATTRIBUTION, /* "On ... wrote:" */
    TW_ZONE_FORWARD,     /* a forwarded message */
    TW_ZONE_SIGNATURE,   /* after "-- ", "Sent from my phone" */
    TW_ZONE_FOOTER,      /* mailing-list footer */
    TW_ZONE_DISCLAIMER,  /* confidentiality notices */
    TW_ZONE_PATCH,       /* a patch: diffstat and diff */
} tw_zone_t;

/* The name of a zone ("author", "quote", ...). */
const char *tw_zone_name(tw_zone_t zone);

/* The lines of text, without their '\n', as a NULL-terminated vector
 * that holds them in the same allocation: one g_free() frees it all.
 * Like g_strsplit(text, "\n", -1), without a copy per line. */
char **tw_text_lines(const char *text);

/* Splits text into lines (without their line endings) and gives each
 * a zone.  Returns the number of lines; *lines is a NULL-terminated
 * vector (tw_text_lines: g_free) and *zones an array of tw_zone_t
 * (g_free). */
size_t tw_text_zones(const char *text, char ***lines, tw_zone_t **zones);

/* The fresh text of a body: the author's lines, without leading and
 * trailing blank lines.  Newly allocated. */
char *tw_text_fresh(const char *text);

/* The sentences of a fresh text, trimmed, newly allocated strings in a
 * GPtrArray that frees them. */
GPtrArray *tw_text_sentences(const char *fresh);

/* The first n bytes of s (all of it when n < 0) in ASCII lower case,
 * newly allocated; with pad, a space before and after, so that a word
 * looked up with spaces around it is found at either end.  Faster than
 * g_ascii_strdown(), which calls a function per byte. */
char *tw_text_lower(const char *s, gssize n, gboolean pad);

/* A lower-case text and the pairs of bytes in it, for looking up many
 * words in a short text: a word with a pair the text lacks is not in
 * it, and most words are ruled out without a search. */
typedef struct {
    const char *text;
    guint64 pairs[64]; /* one bit per hashed pair */
} tw_text_view_t;

/* Sees lower (which must outlive the view). */
void tw_text_view_init(tw_text_view_t *v, const char *lower);

/* A word looked up in many views, its pairs hashed once (the first
 * TW_TEXT_WORD_PAIRS of them: a longer word is ruled out by those). */
#define TW_TEXT_WORD_PAIRS 31
typedef struct {
    const char *word;
    guint8 n_pairs;
    guint16 pairs[TW_TEXT_WORD_PAIRS];
} tw_text_word_t;

/* Prepares word (which must outlive w). */
void tw_text_word_init(tw_text_word_t *w, const char *word);

/* True when the word occurs in the text. */
bool tw_text_view_has(const tw_text_view_t *v, const tw_text_word_t *w);

/* False when the word cannot occur in the text: the text lacks one of
 * its pairs.  True may be wrong: no search is made. */
bool tw_text_view_may_have(const tw_text_view_t *v, const tw_text_word_t *w);

/* HTML turned into plain text: tags dropped, block elements as line
 * breaks, entities decoded, <blockquote> lines prefixed with "> " so
 * that quoted HTML reads as quoted text.  Newly allocated UTF-8. */
char *tw_text_from_html(const char *html, size_t len);

#endif
