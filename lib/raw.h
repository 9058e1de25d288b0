/* raw.h - a message as the bytes it arrived in.
 *
 * This layer finds the mbox "From " line, the header block, its end and
 * the body, and writes the message back out byte for byte with header
 * lines removed or added.  It never allocates and never fails on input:
 * anything that does not start with a header field is "not mail".
 */
#ifndef TW_RAW_H
#define TW_RAW_H

#include <stdbool.h>
#include <stddef.h>

typedef struct {
    const char *data;
    size_t len;
    size_t from_len;          /* leading mbox "From " line with its newline */
    size_t header_end;        /* just after the last header line */
    size_t body_start;        /* first body byte; len when there is none */
    bool is_mail;             /* at least one header field comes first */
    bool crlf;                /* the header block ends its lines in CRLF */
    bool header_unterminated; /* the data ends inside the last header line */
    size_t longest_field;     /* bytes of the longest header field, lines and all */
} tw_raw_t;

/* One header field: [start, end) covers its continuation lines and
 * final newline; the name is [start, start + name_len). */
typedef struct {
    size_t start;
    size_t end;
    size_t name_len;
} tw_field_t;

/* Reads the structure of data[0, len).  data must outlive raw. */
void tw_raw_scan(tw_raw_t *raw, const char *data, size_t len);

/* The message's own line ending: "\r\n" or "\n". */
const char *tw_raw_eol(const tw_raw_t *raw);

/* Steps through the header fields: start with *pos = 0; returns false
 * after the last one. */
bool tw_raw_next_field(const tw_raw_t *raw, size_t *pos, tw_field_t *field);

/* True when the field's name equals name, ignoring case. */
bool tw_raw_field_is(const tw_raw_t *raw, const tw_field_t *field,
                     const char *name);

/* True when the field's name starts with prefix, ignoring case. */
bool tw_raw_field_has_prefix(const tw_raw_t *raw, const tw_field_t *field,
                             const char *prefix);

/* Receives output; returns false when the bytes could not be written. */
typedef bool (*tw_sink_fn)(void *ctx, const void *buf, size_t len);

/* Writes the message through sink: every byte of the input, except
 * header fields whose name starts with remove_prefix (NULL: none), and
 * add[0, add_len) (complete header lines in the message's line ending)
 * at the end of the header block.  Input that is not mail is written
 * unchanged.  Returns false as soon as sink fails. */
bool tw_raw_write(const tw_raw_t *raw, const char *remove_prefix,
                  const char *add, size_t add_len, tw_sink_fn sink,
                  void *ctx);

#endif
