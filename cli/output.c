/* output.c - JSON, tables and human-readable times. */
#include "output.h"

#include <stdarg.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "tags.h"

void
tw_json_init(tw_json_t *j)
{
    memset(j, 0, sizeof *j);
    j->buf = g_string_new(NULL);
    j->first[0] = true;
}

static void
separate(tw_json_t *j)
{
    if (j->after_key) {
        j->after_key = false;
        return;
    }
    if (!j->first[j->depth])
        g_string_append_c(j->buf, ',');
    j->first[j->depth] = false;
}

static void
open_level(tw_json_t *j, char c)
{
    separate(j);
    g_string_append_c(j->buf, c);
    if (j->depth < 31)
        j->depth++;
    j->first[j->depth] = true;
}

void
tw_json_begin_object(tw_json_t *j)
{
    open_level(j, '{');
}

void
tw_json_end_object(tw_json_t *j)
{
    g_string_append_c(j->buf, '}');
    if (j->depth > 0)
        j->depth--;
}

void
tw_json_begin_array(tw_json_t *j)
{
    open_level(j, '[');
}

void
tw_json_end_array(tw_json_t *j)
{
    g_string_append_c(j->buf, ']');
    if (j->depth > 0)
        j->depth--;
}

static void
append_string(GString *buf, const char *s)
{
    char *valid = g_utf8_make_valid(s, -1);

    g_string_append_c(buf, '"');
    for (const unsigned char *p = (const unsigned char *)valid; *p; p++) {
        switch (*p) {
        case '"': g_string_append(buf, "\\\""); break;
        case '\\': g_string_append(buf, "\\\\"); break;
        case '\n': g_string_append(buf, "\\n"); break;
        case '\r': g_string_append(buf, "\\r"); break;
        case '\t': g_string_append(buf, "\\t"); break;
        default:
            if (*p < 0x20 || *p == 0x7f)
                g_string_append_printf(buf, "\\u%04x", *p);
            else
                g_string_append_c(buf, (char)*p);
        }
    }
    g_string_append_c(buf, '"');
    g_free(valid);
}

void
tw_json_key(tw_json_t *j, const char *key)
{
    separate(j);
    append_string(j->buf, key);
    g_string_append_c(j->buf, ':');
    j->after_key = true;
}

void
tw_json_string(tw_json_t *j, const char *s)
{
    separate(j);
    if (s == NULL)
        g_string_append(j->buf, "null");
    else
        append_string(j->buf, s);
}

void
tw_json_int(tw_json_t *j, gint64 v)
{
    separate(j);
    g_string_append_printf(j->buf, "%" G_GINT64_FORMAT, v);
}

void
tw_json_double(tw_json_t *j, double v)
{
    char num[G_ASCII_DTOSTR_BUF_SIZE];

    separate(j);
    g_string_append(j->buf, g_ascii_formatd(num, sizeof num, "%.4g", v));
}

void
tw_json_bool(tw_json_t *j, bool v)
{
    separate(j);
    g_string_append(j->buf, v ? "true" : "false");
}

void
tw_json_null(tw_json_t *j)
{
    separate(j);
    g_string_append(j->buf, "null");
}

bool
tw_json_print(tw_json_t *j, FILE *fp)
{
    bool ok = fwrite(j->buf->str, 1, j->buf->len, fp) == j->buf->len && fputc('\n', fp) != EOF;

    g_string_free(j->buf, TRUE);
    j->buf = NULL;
    return ok;
}

void
tw_json_kv_string(tw_json_t *j, const char *key, const char *s)
{
    tw_json_key(j, key);
    tw_json_string(j, s);
}

void
tw_json_kv_int(tw_json_t *j, const char *key, gint64 v)
{
    tw_json_key(j, key);
    tw_json_int(j, v);
}

void
tw_json_kv_bool(tw_json_t *j, const char *key, bool v)
{
    tw_json_key(j, key);
    tw_json_bool(j, v);
}

void
tw_json_kv_time(tw_json_t *j, const char *key, gint64 t)
{
    char iso[32];

    tw_tags_iso_time(t, iso);
    tw_json_kv_string(j, key, iso);
}

/* Tables. */

void
tw_table_init(tw_table_t *t, guint columns, ...)
{
    va_list ap;

    t->columns = columns;
    t->cells = g_ptr_array_new_with_free_func(g_free);
    va_start(ap, columns);
    for (guint i = 0; i < columns; i++)
        g_ptr_array_add(t->cells, g_strdup(va_arg(ap, const char *)));
    va_end(ap);
}

void
tw_table_row(tw_table_t *t, ...)
{
    va_list ap;

    va_start(ap, t);
    for (guint i = 0; i < t->columns; i++) {
        const char *cell = va_arg(ap, const char *);
        char *clean = tw_tags_clean_text(cell ? cell : "", 400);
        g_ptr_array_add(t->cells, clean);
    }
    va_end(ap);
}

static int
terminal_width(FILE *fp)
{
    struct winsize ws;

    if (!isatty(fileno(fp)))
        return 0;
    if (ioctl(fileno(fp), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
        return ws.ws_col;
    return 80;
}

bool
tw_table_print(tw_table_t *t, FILE *fp)
{
    guint rows = t->cells->len / t->columns;
    glong *width = g_new0(glong, t->columns);
    int term = terminal_width(fp);
    bool ok = true;

    for (guint r = 0; r < rows; r++)
        for (guint c = 0; c < t->columns; c++) {
            glong w = g_utf8_strlen(t->cells->pdata[r * t->columns + c], -1);
            width[c] = MAX(width[c], w);
        }
    for (guint r = 0; r < rows && ok; r++) {
        glong col = 0;
        for (guint c = 0; c < t->columns; c++) {
            const char *cell = t->cells->pdata[r * t->columns + c];
            bool last = c + 1 == t->columns;
            glong len = g_utf8_strlen(cell, -1);
            if (last && term > 0 && col + len > term - 1) {
                glong room = MAX(term - 1 - col, 4);
                const char *cut = g_utf8_offset_to_pointer(cell, MIN(len, room - 1));
                fprintf(fp, "%.*s~", (int)(cut - cell), cell);
            } else if (last) {
                fputs(cell, fp);
            } else {
                fprintf(fp, "%s%*s  ", cell, (int)(width[c] - len), "");
                col += width[c] + 2;
            }
        }
        ok = fputc('\n', fp) != EOF;
    }
    g_free(width);
    g_ptr_array_free(t->cells, TRUE);
    return ok && !ferror(fp);
}

char *
tw_age(gint64 s)
{
    if (s < 0)
        s = 0;
    if (s < 3600)
        return g_strdup_printf("%" G_GINT64_FORMAT "m", s / 60);
    if (s < 86400 * 2)
        return g_strdup_printf("%" G_GINT64_FORMAT "h", s / 3600);
    if (s < 86400 * 14)
        return g_strdup_printf("%" G_GINT64_FORMAT "d", s / 86400);
    if (s < 86400 * 365)
        return g_strdup_printf("%" G_GINT64_FORMAT "w", s / (86400 * 7));
    return g_strdup_printf("%" G_GINT64_FORMAT "y", s / (86400 * 365));
}

char *
tw_date(gint64 t)
{
    GDateTime *dt = g_date_time_new_from_unix_utc(t < 0 ? 0 : t);
    char *s = dt ? g_date_time_format(dt, "%Y-%m-%d") : g_strdup("?");

    if (dt)
        g_date_time_unref(dt);
    return s;
}

char *
tw_duration(double seconds)
{
    gint64 s = (gint64)seconds;

    if (seconds < 0)
        return g_strdup("-");
    if (s < 3600)
        return g_strdup_printf("%" G_GINT64_FORMAT "m", s / 60);
    if (s < 86400)
        return g_strdup_printf("%" G_GINT64_FORMAT "h%02" G_GINT64_FORMAT "m", s / 3600,
                               (s % 3600) / 60);
    return g_strdup_printf("%" G_GINT64_FORMAT "d%02" G_GINT64_FORMAT "h", s / 86400,
                           (s % 86400) / 3600);
}

bool
tw_parse_since(const char *text, gint64 now, gint64 *out)
{
    int y, m, d;
    char unit, extra;
    long n;

    if (sscanf(text, "%4d-%2d-%2d%c", &y, &m, &d, &extra) == 3) {
        GDateTime *dt = g_date_time_new_utc(y, m, d, 0, 0, 0);
        if (dt == NULL)
            return false;
        *out = g_date_time_to_unix(dt);
        g_date_time_unref(dt);
        return true;
    }
    if (sscanf(text, "%ld%c%c", &n, &unit, &extra) == 2 && n >= 0) {
        gint64 mult = unit == 'h' ? 3600 : unit == 'd' ? 86400 : unit == 'w' ? 604800 : 0;
        if (mult == 0)
            return false;
        *out = now - n * mult;
        return true;
    }
    return false;
}
