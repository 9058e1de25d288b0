/* tags.c - formatting, encoding and folding of the tag headers. */
#include "tags.h"

#include <string.h>

#define FOLD_AT 78
#define CUE_CHARS 200

char *
tw_tags_clean_text(const char *text, glong max_chars)
{
    char *valid = g_utf8_make_valid(text ? text : "", -1);
    GString *out = g_string_new(NULL);
    bool space = false;
    glong chars = 0;

    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c < 0x20 || c == 0x7f || g_unichar_isspace(c) || (c >= 0x80 && c < 0xa0) ||
            c == 0x2028 || c == 0x2029) {
            space = out->len > 0;
            continue;
        }
        if (chars + (space ? 1 : 0) >= max_chars) {
            g_string_append(out, "...");
            break;
        }
        if (space) {
            g_string_append_c(out, ' ');
            chars++;
            space = false;
        }
        g_string_append_unichar(out, c);
        chars++;
    }
    g_free(valid);
    return g_string_free(out, FALSE);
}

static bool
is_plain_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || (unsigned char)*s > 0x7e)
            return false;
    return true;
}

/* Appends s as RFC 2047 Q-encoded words of at most 75 characters,
 * separated by spaces, never splitting a UTF-8 character. */
static void
append_encoded_words(GString *out, const char *s)
{
    static const char prefix[] = "=?UTF-8?Q?";
    size_t word_len = 0;

    for (const char *p = s; *p;) {
        const char *next = g_utf8_next_char(p);
        char piece[32];
        size_t n = 0;
        for (const char *q = p; q < next; q++) {
            unsigned char c = (unsigned char)*q;
            if (c == ' ')
                piece[n++] = '_';
            else if (g_ascii_isalnum(c) || strchr("!*+-/", c) != NULL)
                piece[n++] = (char)c;
            else
                n += (size_t)g_snprintf(piece + n, sizeof piece - n, "=%02X", c);
        }
        if (word_len > 0 && word_len + n + 2 > 75) {
            g_string_append(out, "?= ");
            word_len = 0;
        }
        if (word_len == 0) {
            g_string_append(out, prefix);
            word_len = sizeof prefix - 1;
        }
        g_string_append_len(out, piece, (gssize)n);
        word_len += n;
        p = next;
    }
    if (word_len > 0)
        g_string_append(out, "?=");
}

/* Appends text as an ASCII value: quoted when quote is set and the
 * text is ASCII, encoded words otherwise. */
static void
append_text(GString *out, const char *text, bool quote)
{
    if (is_plain_ascii(text)) {
        if (quote)
            g_string_append_c(out, '"');
        for (const char *p = text; *p; p++) {
            if (quote && (*p == '"' || *p == '\\'))
                g_string_append_c(out, '\\');
            g_string_append_c(out, *p);
        }
        if (quote)
            g_string_append_c(out, '"');
    } else {
        if (quote)
            g_string_append_c(out, ' ');
        append_encoded_words(out, text);
    }
}

/* Appends "Name: value" folded at FOLD_AT columns at spaces, then eol. */
static void
append_folded(GString *out, const char *line, const char *eol)
{
    size_t col = 0;
    const char *p = line;

    while (*p) {
        const char *sp = strchr(p + 1, ' ');
        size_t word = sp ? (size_t)(sp - p) : strlen(p);
        if (col > 0 && *p == ' ' && col + word > FOLD_AT) {
            g_string_append(out, eol);
            col = 0;
        }
        g_string_append_len(out, p, (gssize)word);
        col += word;
        p += word;
    }
    g_string_append(out, eol);
}

void
tw_tags_iso_time(gint64 t, char buf[32])
{
    GDateTime *dt = g_date_time_new_from_unix_utc(t < 0 ? 0 : t);
    char *s = dt ? g_date_time_format(dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;

    g_strlcpy(buf, s ? s : "1970-01-01T00:00:00Z", 32);
    g_free(s);
    if (dt)
        g_date_time_unref(dt);
}

char *
tw_tags_format(const tw_tags_t *tags, const char *eol, size_t *len)
{
    GString *out = g_string_new(NULL);
    GString *line = g_string_new(NULL);
    char num[G_ASCII_DTOSTR_BUF_SIZE];

    if (tags->ask) {
        char *cue = tw_tags_clean_text(tags->cue, CUE_CHARS);
        g_string_assign(line, TW_TAG_PREFIX "Ask: yes; score=");
        g_ascii_formatd(num, sizeof num, "%.2f", CLAMP(tags->score, 0.0, 1.0));
        g_string_append(line, num);
        if (*cue) {
            g_string_append(line, "; cue=");
            append_text(line, cue, true);
        }
        append_folded(out, line->str, eol);
        g_free(cue);
    }
    if (tags->balance && tags->correspondent) {
        char *who = tw_tags_clean_text(tags->correspondent, 254);
        g_string_assign(line, TW_TAG_PREFIX "Balance: ");
        /* ';' and '"' would break the value's structure */
        for (char *p = who; *p; p++)
            if (*p == ';' || *p == '"' || *p == ' ')
                *p = '_';
        append_text(line, who, false);
        g_string_append_printf(line, "; received=%d; sent=%d; you-owe=%d; they-owe=%d",
                               tags->received, tags->sent, tags->you_owe, tags->they_owe);
        append_folded(out, line->str, eol);
        g_free(who);
    }
    if (tags->thread) {
        char when[32];
        tw_tags_iso_time(tags->since, when);
        g_string_printf(line, TW_TAG_PREFIX "Thread: unanswered; asks=%d; since=%s",
                        tags->thread_asks, when);
        append_folded(out, line->str, eol);
    }
    g_string_free(line, TRUE);
    *len = out->len;
    return g_string_free(out, FALSE);
}

void
tw_tags_clear(tw_tags_t *tags)
{
    g_free(tags->cue);
    g_free(tags->correspondent);
    memset(tags, 0, sizeof *tags);
}
