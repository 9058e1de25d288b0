/* html.c - HTML mail turned into plain text for reading. */
#include "text.h"

#include <string.h>

typedef struct {
    GString *out;
    int quote_depth;   /* open <blockquote> elements */
    bool at_line_start;
    bool space_pending;
    int skip_depth;    /* inside <script>, <style>, <head>, <title> */
    bool pre;
} html_state_t;

static void
newline(html_state_t *st)
{
    /* collapse runs of blank lines to one */
    gsize n = st->out->len;
    if (n >= 2 && st->out->str[n - 1] == '\n' && st->out->str[n - 2] == '\n')
        goto done;
    if (n == 0)
        goto done;
    g_string_append_c(st->out, '\n');
done:
    st->at_line_start = true;
    st->space_pending = false;
}

static void
emit(html_state_t *st, const char *s, gsize n)
{
    if (st->skip_depth > 0 || n == 0)
        return;
    if (st->at_line_start) {
        for (int i = 0; i < st->quote_depth; i++)
            g_string_append(st->out, "> ");
        st->at_line_start = false;
        st->space_pending = false;
    } else if (st->space_pending) {
        g_string_append_c(st->out, ' ');
        st->space_pending = false;
    }
    g_string_append_len(st->out, s, (gssize)n);
}

static const struct {
    const char *name;
    const char *utf8;
} entities[] = {
    {"amp", "&"}, {"lt", "<"}, {"gt", ">"}, {"quot", "\""}, {"apos", "'"},
    {"nbsp", " "}, {"ndash", "\xe2\x80\x93"}, {"mdash", "\xe2\x80\x94"},
    {"rsquo", "\xe2\x80\x99"}, {"lsquo", "\xe2\x80\x98"}, {"rdquo", "\xe2\x80\x9d"},
    {"ldquo", "\xe2\x80\x9c"}, {"hellip", "\xe2\x80\xa6"}, {"euro", "\xe2\x82\xac"},
    {"copy", "\xc2\xa9"}, {"reg", "\xc2\xae"}, {"bull", "\xe2\x80\xa2"},
    {"auml", "\xc3\xa4"}, {"ouml", "\xc3\xb6"}, {"uuml", "\xc3\xbc"},
    {"Auml", "\xc3\x84"}, {"Ouml", "\xc3\x96"}, {"Uuml", "\xc3\x9c"},
    {"szlig", "\xc3\x9f"}, {"eacute", "\xc3\xa9"}, {"egrave", "\xc3\xa8"},
    {"agrave", "\xc3\xa0"}, {"ccedil", "\xc3\xa7"}, {"ntilde", "\xc3\xb1"},
    {"iquest", "\xc2\xbf"}, {"iexcl", "\xc2\xa1"},
};

/* Decodes the entity at p ('&'); returns bytes consumed, 0 if none. */
static gsize
entity(html_state_t *st, const char *p, const char *end)
{
    const char *semi = memchr(p, ';', (gsize)MIN(end - p, 12));

    if (semi == NULL)
        return 0;
    if (p[1] == '#') {
        gunichar c = (p[2] == 'x' || p[2] == 'X')
                         ? (gunichar)g_ascii_strtoull(p + 3, NULL, 16)
                         : (gunichar)g_ascii_strtoull(p + 2, NULL, 10);
        char buf[8];
        if (c == 0 || !g_unichar_validate(c))
            c = 0xfffd;
        if (c == 0xa0 || c == '\t')
            c = ' ';
        emit(st, buf, (gsize)g_unichar_to_utf8(c, buf));
        return (gsize)(semi - p) + 1;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(entities); i++) {
        gsize k = strlen(entities[i].name);
        if ((gsize)(semi - p - 1) == k && strncmp(p + 1, entities[i].name, k) == 0) {
            if (strcmp(entities[i].name, "nbsp") == 0)
                st->space_pending = !st->at_line_start;
            else
                emit(st, entities[i].utf8, strlen(entities[i].utf8));
            return k + 2;
        }
    }
    return 0;
}

static bool
name_is(const char *name, gsize n, const char *want)
{
    return strlen(want) == n && g_ascii_strncasecmp(name, want, n) == 0;
}

static void
tag(html_state_t *st, const char *p, const char *end)
{
    static const char *const blocks[] = {
        "p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
        "table", "ul", "ol", "hr", "pre", "dt", "dd", "section", "article",
        "header", "footer",
    };
    static const char *const skipped[] = {"script", "style", "head", "title"};
    bool closing = false;
    const char *name;
    gsize n = 0;

    p++; /* '<' */
    if (p < end && *p == '/') {
        closing = true;
        p++;
    }
    name = p;
    while (p + n < end && (g_ascii_isalnum(p[n])))
        n++;
    if (n == 0)
        return;
    if (name_is(name, n, "blockquote")) {
        newline(st);
        st->quote_depth += closing ? (st->quote_depth > 0 ? -1 : 0) : 1;
        return;
    }
    for (gsize i = 0; i < G_N_ELEMENTS(skipped); i++)
        if (name_is(name, n, skipped[i])) {
            /* <head/> style self-closing is not worth honouring */
            st->skip_depth += closing ? (st->skip_depth > 0 ? -1 : 0) : 1;
            return;
        }
    if (name_is(name, n, "pre"))
        st->pre = !closing;
    for (gsize i = 0; i < G_N_ELEMENTS(blocks); i++)
        if (name_is(name, n, blocks[i])) {
            newline(st);
            if (!closing && name_is(name, n, "li"))
                emit(st, "- ", 2);
            return;
        }
    if (name_is(name, n, "td") || name_is(name, n, "th"))
        st->space_pending = !st->at_line_start;
}

char *
tw_text_from_html(const char *html, size_t len)
{
    html_state_t st = {.out = g_string_sized_new(len / 2 + 16), .at_line_start = true};
    const char *p = html, *end = html + len;

    while (p < end) {
        if (*p == '<') {
            if (end - p >= 4 && strncmp(p, "<!--", 4) == 0) {
                const char *close = g_strstr_len(p + 4, end - p - 4, "-->");
                p = close ? close + 3 : end;
                continue;
            }
            const char *gt = memchr(p, '>', (gsize)(end - p));
            if (gt == NULL)
                break;
            tag(&st, p, gt);
            p = gt + 1;
        } else if (*p == '&') {
            gsize used = entity(&st, p, end);
            if (used == 0) {
                emit(&st, "&", 1);
                used = 1;
            }
            p += used;
        } else if (g_ascii_isspace(*p)) {
            if (st.pre && *p == '\n')
                newline(&st);
            else if (!st.at_line_start)
                st.space_pending = true;
            p++;
        } else {
            const char *q = p;
            while (q < end && *q != '<' && *q != '&' && !g_ascii_isspace(*q))
                q++;
            emit(&st, p, (gsize)(q - p));
            p = q;
        }
    }
    char *text = g_string_free(st.out, FALSE);
    char *valid = g_utf8_make_valid(text, -1);
    g_free(text);
    return valid;
}
