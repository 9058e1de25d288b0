/* message.c - reading a message through GMime. */
#include "message.h"

#include <gmime/gmime.h>
#include <string.h>

#include "address.h"
#include "raw.h"
#include "siphash.h"
#include "text.h"

/* What one message may make us keep, whatever its headers hold: a To
 * field of 1 MB names 40,000 mailboxes and References can name as many
 * ids, and every later stage walks these lists (some pairwise).  Real
 * mail stays far below both. */
#define MAX_MAILBOXES 1000 /* per list: From, To, Cc, Bcc */
#define MAX_REFERENCES 500 /* the first (the thread's root), then the newest */

/* How much of the header block GMime reads.  It builds an object of
 * several hundred bytes for every field (1,000,000 short fields took
 * 2 s and 650 MB) and grows its buffer for one field a line at a time.
 * Postfix passes no longer field (it keeps 100 KB of one:
 * header_size_limit), and Sendmail no header block over 32 KB
 * (MaxHeadersLength). */
#define MAX_FIELD_BYTES (100 * 1024)
#define MAX_HEADER_BYTES (256 * 1024)

static gpointer
init_once(gpointer unused)
{
    g_mime_init();
    return NULL;
}

void
tw_message_init(void)
{
    static GOnce once = G_ONCE_INIT;

    g_once(&once, init_once, NULL);
}

static void
mailbox_free(gpointer p)
{
    tw_mailbox_t *mb = p;

    g_free(mb->addr);
    g_free(mb->name);
    g_free(mb);
}

static void
header_free(gpointer p)
{
    tw_header_t *h = p;

    g_free(h->value);
    g_free(h); /* its name and raw value with it */
}

void
tw_message_free(tw_message_t *msg)
{
    if (msg == NULL)
        return;
    g_free(msg->message_id);
    g_free(msg->in_reply_to);
    g_ptr_array_free(msg->references, TRUE);
    if (msg->from)
        mailbox_free(msg->from);
    g_ptr_array_free(msg->to, TRUE);
    g_ptr_array_free(msg->cc, TRUE);
    g_ptr_array_free(msg->bcc, TRUE);
    g_ptr_array_free(msg->delivered_to, TRUE);
    g_free(msg->return_path);
    g_free(msg->subject);
    g_free(msg->content_type);
    g_free(msg->report_type);
    g_ptr_array_free(msg->headers, TRUE);
    g_string_free(msg->text, TRUE);
    g_free(msg);
}

const char *
tw_message_header(const tw_message_t *msg, const char *name)
{
    size_t n = strlen(name);
    char first = g_ascii_tolower(name[0]);

    for (guint i = 0; i < msg->headers->len; i++) {
        tw_header_t *h = msg->headers->pdata[i];
        if (h->name_len == n && g_ascii_tolower(h->name[0]) == first &&
            g_ascii_strcasecmp(h->name, name) == 0)
            return tw_header_value(h);
    }
    return NULL;
}

/* Whether a header value may hold an RFC 2047 encoded word. */
static bool
may_be_encoded(const char *value)
{
    return strstr(value, "=?") != NULL;
}

const char *
tw_header_value(tw_header_t *h)
{
    if (h->value == NULL) {
        char *unfolded = g_mime_utils_header_unfold(h->raw);
        /* ASCII without an encoded word decodes to itself */
        if (unfolded != NULL && (may_be_encoded(unfolded) || !g_str_is_ascii(unfolded))) {
            h->value = g_mime_utils_header_decode_text(NULL, unfolded);
            g_free(unfolded);
        } else {
            h->value = unfolded;
        }
        h->value = h->value ? g_strstrip(h->value) : g_strdup("");
    }
    return h->value;
}

guint
tw_message_recipient_count(const tw_message_t *msg)
{
    return msg->to->len + msg->cc->len + msg->bcc->len;
}

char *
tw_message_key(const tw_message_t *msg)
{
    if (msg->message_id != NULL && msg->message_id[0] != '\0')
        return g_strdup(msg->message_id);
    return g_strconcat("digest:", msg->content_key, NULL);
}

/* Appends every mailbox of list (groups flattened) to out. */
static void
add_mailboxes(GPtrArray *out, InternetAddressList *list, const char *delims,
              int depth)
{
    int n = list ? internet_address_list_length(list) : 0;

    for (int i = 0; i < n && depth < 4 && out->len < MAX_MAILBOXES; i++) {
        InternetAddress *ia = internet_address_list_get_address(list, i);
        if (INTERNET_ADDRESS_IS_GROUP(ia)) {
            add_mailboxes(out, internet_address_group_get_members(
                                   INTERNET_ADDRESS_GROUP(ia)),
                          delims, depth + 1);
        } else if (INTERNET_ADDRESS_IS_MAILBOX(ia)) {
            const char *a =
                internet_address_mailbox_get_addr(INTERNET_ADDRESS_MAILBOX(ia));
            char *norm = tw_address_normalise(a, delims);
            if (norm == NULL)
                continue;
            tw_mailbox_t *mb = g_new0(tw_mailbox_t, 1);
            const char *name = internet_address_get_name(ia);
            mb->addr = norm;
            mb->name = (name && *name) ? g_strdup(name) : NULL;
            g_ptr_array_add(out, mb);
        }
    }
}

static GPtrArray *
mailbox_array(void)
{
    return g_ptr_array_new_with_free_func(mailbox_free);
}

/* Appends the ids of a References-style value to out, skipping those
 * already in seen (which takes the new ones). */
static void
add_references(GPtrArray *out, GHashTable *seen, const char *value)
{
    GMimeReferences *refs;

    if (value == NULL)
        return;
    refs = g_mime_references_parse(NULL, value);
    if (refs == NULL)
        return;
    for (int i = 0; i < g_mime_references_length(refs); i++) {
        const char *id = g_mime_references_get_message_id(refs, i);
        if (id == NULL || *id == '\0' || g_hash_table_contains(seen, id))
            continue;
        char *copy = g_strdup(id);
        g_ptr_array_add(out, copy);
        g_hash_table_add(seen, copy);
    }
    g_mime_references_free(refs);
}

/* Windows-1252 bytes 0x80 to 0x9f as code points (0: none); the rest
 * is ISO-8859-1, where each byte is the code point of its value. */
static const guint16 cp1252_high[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
    0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0,      0x017d, 0,
    0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
    0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

/* ISO-8859-1 or, with cp1252, Windows-1252 text in UTF-8; NULL when a
 * byte has no character (as the system's converter fails). */
static GString *
western_to_utf8(const char *data, size_t n, bool cp1252)
{
    GString *out = g_string_sized_new(n + n / 8);
    char utf8[6];

    for (size_t i = 0; i < n; i++) {
        gunichar c = (unsigned char)data[i];
        if (cp1252 && c >= 0x80 && c < 0xa0 && (c = cp1252_high[c - 0x80]) == 0) {
            g_string_free(out, TRUE);
            return NULL;
        }
        g_string_append_len(out, utf8, g_unichar_to_utf8(c, utf8));
    }
    return out;
}

/* Text in charset converted to UTF-8, "?" for what has no character
 * there; NULL when it cannot be converted.  The western charsets are
 * converted here: mail in them is common enough to spare a static
 * program the load of the system's conversion module, a fraction of a
 * millisecond. */
static GString *
to_utf8(const char *data, size_t n, const char *charset)
{
    const char *name = g_mime_charset_iconv_name(charset);
    gsize written = 0;

    if (g_ascii_strcasecmp(name, "iso-8859-1") == 0 || g_ascii_strcasecmp(name, "latin1") == 0)
        return western_to_utf8(data, n, false);
    if (g_ascii_strcasecmp(name, "cp1252") == 0)
        return western_to_utf8(data, n, true);
    char *conv = g_convert_with_fallback(data, (gssize)n, "UTF-8", name, "?", NULL, &written, NULL);
    if (conv == NULL)
        return NULL;
    GString *out = g_string_new_len(conv, (gssize)written);
    g_free(conv);
    return out;
}

/* The content of a leaf part, transfer-decoded and converted to valid
 * UTF-8, at most cap bytes of it. */
static GString *
part_text(GMimePart *part, size_t cap)
{
    GMimeDataWrapper *content = g_mime_part_get_content(part);
    GMimeStream *mem;
    GByteArray *bytes;
    GString *out;
    const char *charset;

    if (content == NULL)
        return NULL;
    mem = g_mime_stream_mem_new();
    g_mime_data_wrapper_write_to_stream(content, mem);
    bytes = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(mem));
    size_t n = bytes->len < cap ? bytes->len : cap;
    const char *data = bytes->data ? (const char *)bytes->data : "";

    charset = g_mime_object_get_content_type_parameter(GMIME_OBJECT(part), "charset");
    out = NULL;
    if (g_utf8_validate(data, (gssize)n, NULL)) {
        out = g_string_new_len(data, (gssize)n); /* valid: no NUL in it either */
    } else if (charset != NULL && g_ascii_strcasecmp(charset, "utf-8") != 0) {
        out = to_utf8(data, n, charset);
    }
    if (out == NULL) {
        char *valid = g_utf8_make_valid(data, (gssize)n);
        out = g_string_new(valid);
        g_free(valid);
    }
    g_object_unref(mem);
    return out;
}

static bool
is_attachment(GMimeObject *obj)
{
    GMimeContentDisposition *disp = g_mime_object_get_content_disposition(obj);

    return disp != NULL && g_mime_content_disposition_is_attachment(disp);
}

/* The first inline part of type text/subtype, depth-first, not looking
 * inside attached messages. */
static GMimePart *
find_text_part(GMimeObject *obj, const char *subtype, int depth)
{
    if (obj == NULL || depth > 32)
        return NULL;
    if (GMIME_IS_MULTIPART(obj)) {
        GMimeMultipart *mp = GMIME_MULTIPART(obj);
        int n = g_mime_multipart_get_count(mp);
        for (int i = 0; i < n; i++) {
            GMimePart *p = find_text_part(g_mime_multipart_get_part(mp, i),
                                          subtype, depth + 1);
            if (p != NULL)
                return p;
        }
        return NULL;
    }
    if (!GMIME_IS_PART(obj) || is_attachment(obj))
        return NULL;
    GMimeContentType *ct = g_mime_object_get_content_type(obj);
    if (ct == NULL || !g_mime_content_type_is_type(ct, "text", subtype))
        return NULL;
    return GMIME_PART(obj);
}

/* The HTML part as text, or NULL when there is none. */
static char *
html_text(GMimeObject *body, size_t cap)
{
    GMimePart *part = find_text_part(body, "html", 0);
    GString *text = part ? part_text(part, cap) : NULL;
    char *plain;

    if (text == NULL)
        return NULL;
    plain = tw_text_from_html(text->str, text->len);
    g_string_free(text, TRUE);
    return plain;
}

/* Letters in s, up to enough. */
static size_t
letters(const char *s, size_t enough)
{
    size_t n = 0;

    for (; *s && n < enough; s++)
        n += g_ascii_isalpha(*s) || (unsigned char)*s >= 0x80;
    return n;
}

/* The text to read: the plain part, or the HTML part when there is no
 * plain part or the plain one is a stub beside it ("view this mail in
 * HTML", a few stray bytes): short, and a quarter of the HTML's text
 * or less. */
static void
read_text(tw_message_t *msg, GMimeMessage *message, size_t cap)
{
    enum { SHORT = 200 };
    GMimeObject *body = g_mime_message_get_mime_part(message);
    GMimePart *part = find_text_part(body, "plain", 0);
    GString *text = part ? part_text(part, cap) : NULL;
    size_t have = text ? letters(text->str, SHORT) : 0;
    char *html = have < SHORT ? html_text(body, cap) : NULL;

    if (html != NULL && (text == NULL || 4 * have < letters(html, 4 * SHORT))) {
        g_string_assign(msg->text, html);
        msg->text_from_html = true;
    } else if (text != NULL) {
        g_string_assign(msg->text, text->str);
    }
    g_free(html);
    if (text != NULL)
        g_string_free(text, TRUE);
}

static void
read_headers(tw_message_t *msg, GMimeMessage *message, const char *delims)
{
    GMimeHeaderList *list = g_mime_object_get_header_list(GMIME_OBJECT(message));
    int n = list ? g_mime_header_list_get_count(list) : 0;

    for (int i = 0; i < n; i++) {
        GMimeHeader *h = g_mime_header_list_get_header_at(list, i);
        const char *name = g_mime_header_get_name(h);
        const char *raw = g_mime_header_get_raw_value(h);
        if (name == NULL)
            continue;
        /* one allocation: the header, its name and its raw value */
        size_t name_len = strlen(name), raw_len = raw ? strlen(raw) : 0;
        tw_header_t *copy = g_malloc(sizeof *copy + name_len + 1 + raw_len + 1);
        copy->name = memcpy((char *)(copy + 1), name, name_len + 1);
        copy->name_len = name_len;
        copy->raw = memcpy(copy->name + name_len + 1, raw ? raw : "", raw_len + 1);
        copy->value = NULL;
        g_ptr_array_add(msg->headers, copy);

        if (g_ascii_strcasecmp(name, "Delivered-To") == 0) {
            char *a = tw_address_normalise(tw_header_value(copy), delims);
            if (a)
                g_ptr_array_add(msg->delivered_to, a);
        } else if (g_ascii_strcasecmp(name, "Return-Path") == 0 &&
                   msg->return_path == NULL) {
            const char *v = tw_header_value(copy);
            msg->return_path = (strcmp(v, "<>") == 0 || *v == '\0')
                                   ? g_strdup("")
                                   : tw_address_normalise(v, delims);
        }
    }
}

static bool
has_mailbox(GPtrArray *list, const char *addr)
{
    for (guint i = 0; i < list->len; i++)
        if (strcmp(((tw_mailbox_t *)list->pdata[i])->addr, addr) == 0)
            return true;
    return false;
}

/* GMime drops addresses it finds invalid ("a..smith@example.com", a
 * common sight in real mail): every addr-spec-looking word of the
 * header that GMime did not return is added, without a name. */
static void
add_missed(GPtrArray *out, const tw_message_t *msg, const char *name, const char *delims)
{
    static const char stop[] = " \t\r\n<>,;:\"()[]";
    guint ats = 0;
    bool encoded = false;

    /* no more '@' in these fields than GMime gave mailboxes, and no
     * encoded word that decodes to more: it dropped none (most mail,
     * spared the decoding and the look below) */
    for (guint i = 0; i < msg->headers->len; i++) {
        tw_header_t *h = msg->headers->pdata[i];
        if (g_ascii_strcasecmp(h->name, name) != 0)
            continue;
        encoded = encoded || may_be_encoded(h->raw);
        for (const char *p = h->raw; (p = strchr(p, '@')) != NULL; p++)
            ats++;
    }
    if (ats <= out->len && !encoded)
        return;
    for (guint i = 0; i < msg->headers->len && out->len < MAX_MAILBOXES; i++) {
        tw_header_t *h = msg->headers->pdata[i];
        if (g_ascii_strcasecmp(h->name, name) != 0)
            continue;
        for (const char *p = tw_header_value(h); *p && out->len < MAX_MAILBOXES;) {
            size_t len;
            /* display names in quotes and comments name no recipient */
            if (*p == '"' || *p == '(') {
                const char *close = strchr(p + 1, *p == '"' ? '"' : ')');
                p = close ? close + 1 : p + strlen(p);
                continue;
            }
            if (strchr(stop, *p) != NULL) {
                p++;
                continue;
            }
            len = strcspn(p, stop);
            if (len == 0)
                break;
            const char *at = memchr(p, '@', len);
            /* a word before "<addr>" in the same mailbox is its name */
            size_t rest = strcspn(p + len, ",;");
            bool named = memchr(p + len, '<', rest) != NULL;
            if (at != NULL && at > p && at < p + len - 1 && !named) {
                char *word = g_strndup(p, len);
                char *norm = tw_address_normalise(word, delims);
                if (norm != NULL && !has_mailbox(out, norm)) {
                    tw_mailbox_t *mb = g_new0(tw_mailbox_t, 1);
                    mb->addr = norm;
                    g_ptr_array_add(out, mb);
                } else {
                    g_free(norm);
                }
                g_free(word);
            }
            p += len;
        }
    }
}

static void
read_addresses(tw_message_t *msg, GMimeMessage *message, const char *delims)
{
    GPtrArray *from = mailbox_array();

    add_mailboxes(from, g_mime_message_get_from(message), delims, 0);
    add_missed(from, msg, "From", delims);
    msg->n_from = (int)from->len;
    if (from->len > 0)
        msg->from = g_ptr_array_steal_index(from, 0);
    g_ptr_array_free(from, TRUE);
    add_mailboxes(msg->to, g_mime_message_get_to(message), delims, 0);
    add_mailboxes(msg->cc, g_mime_message_get_cc(message), delims, 0);
    add_mailboxes(msg->bcc, g_mime_message_get_bcc(message), delims, 0);
    add_missed(msg->to, msg, "To", delims);
    add_missed(msg->cc, msg, "Cc", delims);
    add_missed(msg->bcc, msg, "Bcc", delims);
}

static void
read_ids(tw_message_t *msg, GMimeMessage *message)
{
    const char *id = g_mime_message_get_message_id(message);
    GPtrArray *irt = g_ptr_array_new_with_free_func(g_free);
    GHashTable *seen = g_hash_table_new(g_str_hash, g_str_equal);
    GHashTable *irt_seen = g_hash_table_new(g_str_hash, g_str_equal);

    if (id != NULL && *id != '\0' && strlen(id) < 1000)
        msg->message_id = g_strdup(id);
    add_references(msg->references, seen, tw_message_header(msg, "References"));
    add_references(irt, irt_seen, tw_message_header(msg, "In-Reply-To"));
    if (irt->len > 0) {
        msg->in_reply_to = g_strdup(irt->pdata[0]);
        add_references(msg->references, seen, tw_message_header(msg, "In-Reply-To"));
    }
    g_hash_table_destroy(irt_seen);
    g_ptr_array_free(irt, TRUE);
    /* A message never refers to itself. */
    for (guint i = 0; msg->message_id && i < msg->references->len; i++)
        if (strcmp(msg->references->pdata[i], msg->message_id) == 0)
            g_ptr_array_remove_index(msg->references, i--);
    /* Too many: the root, the parent and the newest are the ones that
     * find a thread (and the parent's id is how a reply is found). */
    if (msg->references->len > MAX_REFERENCES) {
        const char *parent = msg->in_reply_to;
        bool kept = parent == NULL || (msg->message_id && strcmp(parent, msg->message_id) == 0);
        g_ptr_array_remove_range(msg->references, 1, msg->references->len - MAX_REFERENCES);
        for (guint i = 0; i < msg->references->len && !kept; i++)
            kept = strcmp(msg->references->pdata[i], parent) == 0;
        if (!kept) {
            g_free(msg->references->pdata[1]);
            msg->references->pdata[1] = g_strdup(parent);
        }
    }
    g_hash_table_destroy(seen);
}

static void
read_content_type(tw_message_t *msg, GMimeMessage *message)
{
    GMimeObject *body = g_mime_message_get_mime_part(message);
    GMimeContentType *ct = body ? g_mime_object_get_content_type(body) : NULL;

    if (ct == NULL)
        return;
    char *type = g_mime_content_type_get_mime_type(ct);
    if (type != NULL) {
        msg->content_type = g_ascii_strdown(type, -1);
        g_free(type);
    }
    const char *rt = g_mime_content_type_get_parameter(ct, "report-type");
    if (rt != NULL)
        msg->report_type = g_ascii_strdown(rt, -1);
}

/* Digest of sender, date, subject and body: the same mail filed twice
 * under different Message-IDs gets the same key. */
static void
compute_content_key(tw_message_t *msg, const char *body, size_t body_len)
{
    GChecksum *sum = g_checksum_new(G_CHECKSUM_MD5);
    char date[32];
    const char *date_text = tw_message_header(msg, "Date");

    g_checksum_update(sum, (const guchar *)(msg->from ? msg->from->addr : ""), -1);
    g_checksum_update(sum, (const guchar *)"\n", 1);
    if (msg->date_valid) {
        g_snprintf(date, sizeof date, "%" G_GINT64_FORMAT, msg->date);
        g_checksum_update(sum, (const guchar *)date, -1);
    } else if (date_text != NULL) {
        g_checksum_update(sum, (const guchar *)date_text, -1);
    }
    g_checksum_update(sum, (const guchar *)"\n", 1);
    g_checksum_update(sum, (const guchar *)(msg->subject ? msg->subject : ""), -1);
    g_checksum_update(sum, (const guchar *)"\n", 1);

    /* The body with CRLF as LF and trailing white space dropped. */
    while (body_len > 0 && g_ascii_isspace(body[body_len - 1]))
        body_len--;
    size_t start = 0;
    for (size_t i = 0; i < body_len; i++) {
        if (body[i] == '\r' && i + 1 < body_len && body[i + 1] == '\n') {
            g_checksum_update(sum, (const guchar *)body + start, (gssize)(i - start));
            start = i + 1;
        }
    }
    g_checksum_update(sum, (const guchar *)body + start, (gssize)(body_len - start));
    g_strlcpy(msg->content_key, g_checksum_get_string(sum), sizeof msg->content_key);
    g_checksum_free(sum);
}

/* One parser per thread, kept: a new one allocates and clears several
 * kilobytes of buffer for every message.  It holds the last stream until
 * the next message; the stream never owns the bytes it reads. */
static GPrivate thread_parser = G_PRIVATE_INIT(g_object_unref);

static GMimeMessage *
construct_message(GMimeStream *stream)
{
    GMimeParser *parser = g_private_get(&thread_parser);

    if (parser == NULL) {
        parser = g_mime_parser_new();
        g_private_set(&thread_parser, parser);
    }
    g_mime_parser_init_with_stream(parser, stream);
    g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
    return g_mime_parser_construct_message(parser, NULL);
}

/* The key of this process's prints: they are compared within one
 * process only, and a sender who cannot know the key cannot make a
 * message print as another. */
static const guint8 *
print_key(void)
{
    static guint32 key[4];
    static gsize done;

    if (g_once_init_enter(&done)) {
        for (size_t i = 0; i < G_N_ELEMENTS(key); i++)
            key[i] = g_random_int();
        g_once_init_leave(&done, 1);
    }
    return (const guint8 *)key;
}

bool
tw_message_print(const char *data, size_t len, size_t max_body, tw_print_t *out)
{
    tw_raw_t raw;
    tw_field_t f;
    tw_siphash_t h;
    size_t pos = 0;

    tw_raw_scan(&raw, data, len);
    if (!raw.is_mail || raw.body_start == raw.header_end ||
        raw.header_end - raw.from_len > MAX_HEADER_BYTES || raw.longest_field > MAX_FIELD_BYTES)
        return false;
    tw_siphash_init(&h, print_key());
    while (tw_raw_next_field(&raw, &pos, &f)) {
        if (data[f.start + f.name_len] != ':')
            return false;
        if (tw_raw_field_is(&raw, &f, "From") || tw_raw_field_is(&raw, &f, "Date") ||
            tw_raw_field_is(&raw, &f, "Subject"))
            tw_siphash_update(&h, data + f.start, f.end - f.start);
    }
    tw_siphash_update(&h, "\n", 1); /* the fields end here */
    tw_siphash_update(&h, data + raw.body_start, MIN(len - raw.body_start, max_body));
    tw_siphash_final(&h, out->digest);
    return true;
}

static tw_message_t *
message_new(void)
{
    tw_message_t *msg = g_new0(tw_message_t, 1);

    msg->references = g_ptr_array_new_with_free_func(g_free);
    msg->to = mailbox_array();
    msg->cc = mailbox_array();
    msg->bcc = mailbox_array();
    msg->delivered_to = g_ptr_array_new_with_free_func(g_free);
    msg->headers = g_ptr_array_new_with_free_func(header_free);
    msg->text = g_string_new(NULL);
    return msg;
}

/* The header block cut to the bounds above, or NULL when it is within
 * them (the common case: nothing is copied).  A long field keeps its
 * lines up to MAX_FIELD_BYTES (a single long line is cut there) and is
 * ended with a line ending; the fields after MAX_HEADER_BYTES are left
 * out.  The rest of the message is not included. */
static GString *
bounded_header(const tw_raw_t *raw)
{
    const char *eol = tw_raw_eol(raw);
    size_t pos = 0;
    tw_field_t f;

    if (raw->header_end - raw->from_len <= MAX_HEADER_BYTES &&
        raw->longest_field <= MAX_FIELD_BYTES)
        return NULL;

    GString *out = g_string_sized_new(MAX_HEADER_BYTES + MAX_FIELD_BYTES);
    while (out->len < MAX_HEADER_BYTES && tw_raw_next_field(raw, &pos, &f)) {
        const char *p = raw->data + f.start;
        size_t n = f.end - f.start;
        if (n <= MAX_FIELD_BYTES) {
            g_string_append_len(out, p, (gssize)n);
            continue;
        }
        const char *nl = memrchr(p, '\n', MAX_FIELD_BYTES);
        n = nl != NULL ? (size_t)(nl - p) + 1 : MAX_FIELD_BYTES;
        g_string_append_len(out, p, (gssize)n);
        if (nl == NULL)
            g_string_append(out, eol);
    }
    return out;
}

tw_status_t
tw_message_parse(const char *data, size_t len, size_t max_body,
                 const char *delims, tw_message_t **out)
{
    tw_message_t *msg = message_new();
    tw_raw_t raw;
    size_t parse_len, body_len;

    tw_message_init();
    *out = msg;
    tw_raw_scan(&raw, data, len);
    if (!raw.is_mail)
        return TW_OK;
    /* A leading mbox "From " line is not part of the message. */
    data += raw.from_len;
    len -= raw.from_len;
    size_t body_start = raw.body_start - raw.from_len;
    body_len = len - body_start;
    parse_len = len;
    if (body_len > max_body) {
        body_len = max_body;
        parse_len = body_start + max_body;
        msg->body_truncated = true;
    }

    /* GMime reads a bounded header block, then the body up to the cap:
     * a copy when the header block is bounded, else the data itself
     * (the stream only reads it, and all made from it is gone before
     * this returns) */
    GString *head = bounded_header(&raw);
    bool copied = head != NULL;
    GByteArray *bytes;
    if (copied) {
        size_t header_end = raw.header_end - raw.from_len;
        g_string_append_len(head, data + header_end, (gssize)(parse_len - header_end));
        gsize head_len = head->len;
        bytes = g_byte_array_new_take((guint8 *)g_string_free(head, FALSE), head_len);
    } else {
        bytes = g_byte_array_new_take((guint8 *)data, parse_len);
    }
    GMimeStream *stream = g_mime_stream_mem_new_with_byte_array(bytes);
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(stream), FALSE);
    GMimeMessage *message = construct_message(stream);
    g_object_unref(stream);
    if (message == NULL) {
        g_byte_array_free(bytes, copied);
        return TW_OK;
    }

    msg->is_mail = true;
    read_headers(msg, message, delims);
    read_addresses(msg, message, delims);
    read_ids(msg, message);
    GDateTime *dt = g_mime_message_get_date(message);
    if (dt != NULL) {
        msg->date = g_date_time_to_unix(dt);
        msg->date_valid = true;
    }
    const char *subject = g_mime_message_get_subject(message);
    if (subject != NULL)
        msg->subject = g_utf8_make_valid(subject, -1);
    read_content_type(msg, message);
    read_text(msg, message, max_body);
    compute_content_key(msg, data + body_start, body_len);
    g_object_unref(message);
    g_byte_array_free(bytes, copied);
    return TW_OK;
}
