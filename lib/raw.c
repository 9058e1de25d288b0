/* raw.c - header block boundaries and byte-exact rewriting. */
#include "raw.h"

#include <string.h>
#include <strings.h>

/* Length of the line at p (up to and including '\n'), within end. */
static size_t
line_length(const char *p, const char *end)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));

    return nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
}

/* True for a line holding only its line ending. */
static bool
is_blank_line(const char *p, size_t n)
{
    return (n == 1 && p[0] == '\n') || (n == 2 && p[0] == '\r' && p[1] == '\n');
}

/* Length of a field name followed (after optional blanks) by ':', or 0
 * when the line does not start a header field. */
static size_t
field_name_length(const char *p, size_t n)
{
    size_t i = 0;

    while (i < n && p[i] > 32 && p[i] < 127 && p[i] != ':')
        i++;
    if (i == 0)
        return 0;
    size_t name_len = i;
    while (i < n && (p[i] == ' ' || p[i] == '\t'))
        i++;
    return (i < n && p[i] == ':') ? name_len : 0;
}

void
tw_raw_scan(tw_raw_t *raw, const char *data, size_t len)
{
    if (data == NULL) /* an empty buffer may have no storage at all */
        data = "", len = 0;
    const char *end = data + len;
    size_t pos = 0;
    size_t fields = 0;
    size_t field_start = 0;

    memset(raw, 0, sizeof *raw);
    raw->data = data;
    raw->len = len;
    raw->body_start = len;

    if (len >= 5 && memcmp(data, "From ", 5) == 0) {
        raw->from_len = line_length(data, end);
        pos = raw->from_len;
    }
    raw->header_end = pos;

    while (pos < len) {
        const char *p = data + pos;
        size_t n = line_length(p, end);

        if (is_blank_line(p, n)) {
            raw->body_start = pos + n;
            break;
        }
        if (p[0] == ' ' || p[0] == '\t') {
            if (fields == 0)
                break; /* a continuation with nothing to continue */
        } else if (field_name_length(p, n) > 0) {
            field_start = pos;
            if (fields++ == 0)
                raw->crlf = n >= 2 && p[n - 2] == '\r' && p[n - 1] == '\n';
        } else {
            raw->body_start = pos; /* body without a separator line */
            break;
        }
        pos += n;
        raw->header_end = pos;
        if (pos - field_start > raw->longest_field)
            raw->longest_field = pos - field_start;
        if (p[n - 1] != '\n')
            raw->header_unterminated = true;
    }
    raw->is_mail = fields > 0;
}

const char *
tw_raw_eol(const tw_raw_t *raw)
{
    return raw->crlf ? "\r\n" : "\n";
}

bool
tw_raw_next_field(const tw_raw_t *raw, size_t *pos, tw_field_t *field)
{
    const char *end = raw->data + raw->header_end;
    size_t p = *pos < raw->from_len ? raw->from_len : *pos;

    if (!raw->is_mail || p >= raw->header_end)
        return false;
    field->start = p;
    field->name_len = field_name_length(raw->data + p, raw->header_end - p);
    p += line_length(raw->data + p, end);
    while (p < raw->header_end && (raw->data[p] == ' ' || raw->data[p] == '\t'))
        p += line_length(raw->data + p, end);
    field->end = p;
    *pos = p;
    return true;
}

bool
tw_raw_field_is(const tw_raw_t *raw, const tw_field_t *field, const char *name)
{
    size_t n = strlen(name);

    return field->name_len == n &&
           strncasecmp(raw->data + field->start, name, n) == 0;
}

bool
tw_raw_field_has_prefix(const tw_raw_t *raw, const tw_field_t *field,
                        const char *prefix)
{
    size_t n = strlen(prefix);

    return field->name_len >= n &&
           strncasecmp(raw->data + field->start, prefix, n) == 0;
}

/* Whether removing the fields named by remove_prefix leaves one that
 * begins "From " at the very start, where it would read as an mbox From
 * line. */
static bool
exposes_from_line(const tw_raw_t *raw, const char *remove_prefix)
{
    size_t pos = 0;
    tw_field_t f;
    bool removed = false;

    if (raw->from_len > 0 || remove_prefix == NULL)
        return false;
    while (tw_raw_next_field(raw, &pos, &f)) {
        if (!tw_raw_field_has_prefix(raw, &f, remove_prefix))
            return removed && f.end - f.start >= 5 && memcmp(raw->data + f.start, "From ", 5) == 0;
        removed = true;
    }
    return false;
}

bool
tw_raw_write(const tw_raw_t *raw, const char *remove_prefix, const char *add,
             size_t add_len, tw_sink_fn sink, void *ctx)
{
    size_t pos = 0, copied;
    tw_field_t f;

    if (!raw->is_mail)
        return raw->len == 0 || sink(ctx, raw->data, raw->len);
    /* Added lines go after the header block's own, unless removing
     * forged fields would leave a "From " field first: then before it. */
    bool add_first = add_len > 0 && exposes_from_line(raw, remove_prefix);
    if (add_first && !sink(ctx, add, add_len))
        return false;

    /* Copy runs of kept bytes; skip removed fields. */
    copied = 0;
    while (tw_raw_next_field(raw, &pos, &f)) {
        if (remove_prefix == NULL || !tw_raw_field_has_prefix(raw, &f, remove_prefix))
            continue;
        if (f.start > copied && !sink(ctx, raw->data + copied, f.start - copied))
            return false;
        copied = f.end;
    }
    if (raw->header_end > copied &&
        !sink(ctx, raw->data + copied, raw->header_end - copied))
        return false;
    if (add_len > 0 && !add_first) {
        const char *eol = tw_raw_eol(raw);
        /* A header block that ends the data without a newline needs one
         * before the added lines; a removed last field needs none. */
        if (raw->header_unterminated && copied < raw->header_end &&
            !sink(ctx, eol, strlen(eol)))
            return false;
        if (!sink(ctx, add, add_len))
            return false;
    }
    if (raw->len > raw->header_end &&
        !sink(ctx, raw->data + raw->header_end, raw->len - raw->header_end))
        return false;
    return true;
}
