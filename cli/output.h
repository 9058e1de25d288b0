/* output.h - what the command prints: JSON for scripts, tables for
 * people, ages and dates.
 */
#ifndef TW_OUTPUT_H
#define TW_OUTPUT_H

#include <glib.h>
#include <stdbool.h>
#include <stdio.h>

/* A JSON writer that keeps track of commas. */
typedef struct {
    GString *buf;
    int depth;
    bool first[32];
    bool after_key;
} tw_json_t;

void tw_json_init(tw_json_t *j);
void tw_json_begin_object(tw_json_t *j);
void tw_json_end_object(tw_json_t *j);
void tw_json_begin_array(tw_json_t *j);
void tw_json_end_array(tw_json_t *j);
void tw_json_key(tw_json_t *j, const char *key);
void tw_json_string(tw_json_t *j, const char *s); /* NULL writes null */
void tw_json_int(tw_json_t *j, gint64 v);
void tw_json_double(tw_json_t *j, double v);
void tw_json_bool(tw_json_t *j, bool v);
void tw_json_null(tw_json_t *j);
/* Writes the document and a newline to fp; frees the buffer.
 * Returns false when the write failed. */
bool tw_json_print(tw_json_t *j, FILE *fp);

/* Shorthands for "key": value. */
void tw_json_kv_string(tw_json_t *j, const char *key, const char *s);
void tw_json_kv_int(tw_json_t *j, const char *key, gint64 v);
void tw_json_kv_bool(tw_json_t *j, const char *key, bool v);
void tw_json_kv_time(tw_json_t *j, const char *key, gint64 t);

/* A table of text cells printed with aligned columns; on a terminal
 * the last column is cut to its width. */
typedef struct {
    guint columns;
    GPtrArray *cells; /* char *, row-major; the first row is the heading */
} tw_table_t;

void tw_table_init(tw_table_t *t, guint columns, ...); /* heading texts */
void tw_table_row(tw_table_t *t, ...);                  /* cell texts */
bool tw_table_print(tw_table_t *t, FILE *fp);           /* and frees */

/* "3d", "5h", "12m", "2w" for an age in seconds. */
char *tw_age(gint64 seconds);
/* "2026-11-20" for a time. */
char *tw_date(gint64 t);
/* "3h 20m"-style duration, "-" when negative. */
char *tw_duration(double seconds);

/* Parses --since: YYYY-MM-DD, or Nh/Nd/Nw before now.  Returns false
 * on bad text. */
bool tw_parse_since(const char *text, gint64 now, gint64 *out);

#endif
