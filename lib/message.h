/* message.h - what twoway reads from a message's headers and text.
 *
 * tw_message_parse() reads the bytes through GMime once and copies out
 * everything later stages need, so no GMime object outlives it.  It
 * never fails on input: what cannot be read is left NULL or empty, and
 * input GMime cannot build a message from is "not mail".
 */
#ifndef TW_MESSAGE_H
#define TW_MESSAGE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>

#include "status.h"

typedef struct {
    char *name;  /* as written, e.g. "List-Id" */
    char *raw;   /* the value as written: folded, maybe encoded */
    char *value; /* unfolded and decoded on first use, tw_header_value() */
    size_t name_len;
} tw_header_t;

typedef struct {
    char *addr; /* normalised address */
    char *name; /* display name, or NULL */
} tw_mailbox_t;

typedef struct {
    bool is_mail;
    char *message_id;      /* without angle brackets, or NULL */
    char *in_reply_to;     /* first id of In-Reply-To, or NULL */
    GPtrArray *references; /* ids from References then In-Reply-To */
    tw_mailbox_t *from;    /* first From mailbox, or NULL */
    int n_from;            /* mailboxes in From */
    GPtrArray *to;         /* tw_mailbox_t *, each list normalised */
    GPtrArray *cc;
    GPtrArray *bcc;
    GPtrArray *delivered_to; /* char * normalised */
    char *return_path;     /* "" for the null path <>, NULL if absent */
    gint64 date;           /* seconds since the epoch */
    bool date_valid;
    char *subject;         /* decoded to UTF-8, or NULL */
    char *content_type;    /* of the top level, "type/subtype", lower case */
    char *report_type;     /* report-type of a multipart/report */
    GPtrArray *headers;    /* tw_header_t *, in order */
    GString *text;         /* the main text part in UTF-8 */
    bool text_from_html;
    bool body_truncated;   /* analysis stopped at the body cap */
    char content_key[33];  /* digest of sender, date, subject, body */
} tw_message_t;

/* Initialises GMime; call once before any parse (cheap to repeat). */
void tw_message_init(void);

/* Parses data[0, len) (no mbox "From " line), reading at most max_body
 * bytes of body.  delims are the sub-address delimiters.  Returns
 * TW_OK, or TW_ERR_NOMEM. */
tw_status_t tw_message_parse(const char *data, size_t len, size_t max_body,
                             const char *delims, tw_message_t **out);

void tw_message_free(tw_message_t *msg);

/* The first header of that name (case-insensitive), or NULL. */
const char *tw_message_header(const tw_message_t *msg, const char *name);

/* A header's value, unfolded, decoded (RFC 2047) and stripped the first
 * time it is asked for: most headers of a message are never read. */
const char *tw_header_value(tw_header_t *h);

/* Number of To, Cc and Bcc mailboxes. */
guint tw_message_recipient_count(const tw_message_t *msg);

/* The key under which a message is recorded once: its Message-ID, or
 * "digest:" and its content key when it has none.  Newly allocated. */
char *tw_message_key(const tw_message_t *msg);

/* A print of what a message's content key is made of, taken from its
 * bytes without parsing them: its From, Date and Subject fields as they
 * stand, and the body up to max_body.  Messages with equal prints have
 * equal content keys, so an import can tell a copy before parsing it. */
typedef struct {
    guint8 digest[16];
} tw_print_t;

/* Prints data[0, len) into out.  False, and no print, where the fields
 * GMime reads might not be the ones printed: not mail, a header block
 * read only in part (too long), a line in it that is not a plain field
 * ("Name:" with nothing between name and colon), or no blank line after
 * it. */
bool tw_message_print(const char *data, size_t len, size_t max_body, tw_print_t *out);

#endif
