/* fuzz_message.c - lib/message.c (GMime) on any bytes.
 *
 * tw_message_parse() with a 64 KB body cap, then tw_message_key(),
 * tw_message_header() and the recipient count on what came out.
 * Invariants: parsing never fails on input; text and subject are valid
 * UTF-8; every address is non-empty; the key is the Message-ID or
 * "digest:" and 32 hex digits; a header found by name has that name.
 */
#include "fuzz.h"
#include "message.h"

#define MAX_BODY (64 * 1024)

static void
check_mailboxes(const GPtrArray *list, const char *what)
{
    for (guint i = 0; i < list->len; i++) {
        const tw_mailbox_t *mb = list->pdata[i];
        FUZZ_CHECK(mb != NULL && mb->addr != NULL && mb->addr[0] != '\0',
                   "empty %s address %u", what, i);
    }
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {
        "From", "To", "Subject", "Message-ID", "References", "In-Reply-To", "List-Id",
        "Auto-Submitted", "Content-Type", "X-Twoway-Ask", "",
    };
    tw_message_t *msg = NULL;

    FUZZ_CHECK(tw_message_parse((const char *)data, size, MAX_BODY, "+-", &msg) == TW_OK,
               "parse failed");
    FUZZ_CHECK(msg != NULL, "no message");

    char *key = tw_message_key(msg);
    FUZZ_CHECK(key != NULL && key[0] != '\0', "empty key");
    if (msg->message_id != NULL && msg->message_id[0] != '\0') {
        FUZZ_CHECK(strcmp(key, msg->message_id) == 0, "key is not the Message-ID");
    } else if (msg->is_mail) {
        /* (mail GMime could not read has no content key: it is never
         * recorded) */
        FUZZ_CHECK(g_str_has_prefix(key, "digest:") && strlen(key) == 7 + 32,
                   "digest key %s", key);
        for (const char *p = key + 7; *p; p++)
            FUZZ_CHECK(g_ascii_isxdigit(*p), "digest key %s", key);
    }
    g_free(key);

    FUZZ_CHECK(g_utf8_validate(msg->text->str, (gssize)msg->text->len, NULL),
               "text is not UTF-8");
    FUZZ_CHECK(msg->subject == NULL || g_utf8_validate(msg->subject, -1, NULL),
               "subject is not UTF-8");
    if (!msg->is_mail) {
        FUZZ_CHECK(msg->headers->len == 0 && msg->from == NULL && msg->to->len == 0,
                   "not mail, yet read");
    }
    FUZZ_CHECK(msg->from != NULL || msg->n_from == 0, "n_from %d without From", msg->n_from);
    if (msg->from != NULL)
        FUZZ_CHECK(msg->from->addr != NULL && msg->from->addr[0] != '\0', "empty From");
    check_mailboxes(msg->to, "To");
    check_mailboxes(msg->cc, "Cc");
    check_mailboxes(msg->bcc, "Bcc");
    FUZZ_CHECK(tw_message_recipient_count(msg) ==
                   msg->to->len + msg->cc->len + msg->bcc->len,
               "recipient count");
    for (guint i = 0; i < msg->references->len; i++) {
        const char *id = msg->references->pdata[i];
        FUZZ_CHECK(id != NULL && id[0] != '\0', "empty reference %u", i);
        FUZZ_CHECK(msg->message_id == NULL || strcmp(id, msg->message_id) != 0,
                   "the message refers to itself");
    }

    for (size_t k = 0; k < G_N_ELEMENTS(names); k++) {
        const char *v = tw_message_header(msg, names[k]);
        if (v == NULL)
            continue;
        bool found = false;
        for (guint i = 0; i < msg->headers->len && !found; i++) {
            const tw_header_t *h = msg->headers->pdata[i];
            found = h->value == v && g_ascii_strcasecmp(h->name, names[k]) == 0;
        }
        FUZZ_CHECK(found, "tw_message_header(%s) gave another header's value", names[k]);
    }
    /* every header is found by its own name */
    for (guint i = 0; i < msg->headers->len && i < 64; i++) {
        const tw_header_t *h = msg->headers->pdata[i];
        FUZZ_CHECK(h->name_len == strlen(h->name), "name length of header %u", i);
        if (h->name_len > 0)
            FUZZ_CHECK(tw_message_header(msg, h->name) != NULL, "header %s not found",
                       h->name);
    }

    tw_message_free(msg);
    return 0;
}
