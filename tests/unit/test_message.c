/* test_message.c - unit tests for lib/message.c: what is read from mail. */
#include "unit.h"

#include "message.h"

#define CAP (1024 * 1024)

static tw_message_t *
parse_len(const char *data, size_t len, size_t max_body)
{
    tw_message_t *msg = NULL;

    assert_int_equal(tw_message_parse(data, len, max_body, "+", &msg), TW_OK);
    assert_non_null(msg);
    return msg;
}

static tw_message_t *
parse(const char *text)
{
    return parse_len(text, strlen(text), CAP);
}

static tw_message_t *
parse_fixture(const char *name)
{
    size_t len;
    char *data = unit_fixture(name, &len);
    tw_message_t *msg = parse_len(data, len, CAP);

    g_free(data);
    return msg;
}

static tw_mailbox_t *
mailbox(GPtrArray *list, guint i)
{
    assert_true(i < list->len);
    return list->pdata[i];
}

static int
is_hex_key(const char *k)
{
    if (strlen(k) != 32)
        return 0;
    for (; *k; k++)
        if (!g_ascii_isxdigit(*k))
            return 0;
    return 1;
}

static void
test_ids(void **state)
{
    tw_message_t *msg = parse_fixture("plain.eml");

    assert_true(msg->is_mail);
    assert_string_equal(msg->message_id, "budget-2023@mail.example.org");
    assert_string_equal(msg->in_reply_to, "q1@example.net");
    /* References, then In-Reply-To; no duplicates; never itself */
    assert_int_equal(msg->references->len, 3);
    assert_string_equal(msg->references->pdata[0], "root@example.org");
    assert_string_equal(msg->references->pdata[1], "q1@example.net");
    assert_string_equal(msg->references->pdata[2], "other@example.net");
    char *key = tw_message_key(msg);
    assert_string_equal(key, "budget-2023@mail.example.org");
    g_free(key);
    tw_message_free(msg);
}

static void
test_no_reply_headers(void **state)
{
    tw_message_t *msg = parse("From: a@example.org\nSubject: x\n\nbody\n");

    assert_true(msg->is_mail);
    assert_null(msg->message_id);
    assert_null(msg->in_reply_to);
    assert_int_equal(msg->references->len, 0);
    char *key = tw_message_key(msg);
    assert_true(g_str_has_prefix(key, "digest:"));
    assert_true(is_hex_key(key + 7));
    assert_string_equal(key + 7, msg->content_key);
    g_free(key);
    tw_message_free(msg);
}

static void
test_in_reply_to_only(void **state)
{
    tw_message_t *msg =
        parse("From: a@example.org\nIn-Reply-To: <parent@example.org>\nSubject: x\n\nb\n");

    assert_string_equal(msg->in_reply_to, "parent@example.org");
    assert_int_equal(msg->references->len, 1);
    assert_string_equal(msg->references->pdata[0], "parent@example.org");
    tw_message_free(msg);
}

static void
test_addresses(void **state)
{
    tw_message_t *msg = parse_fixture("plain.eml");

    assert_non_null(msg->from);
    assert_string_equal(msg->from->addr, "alice@example.org");
    assert_string_equal(msg->from->name, "Example, Alice");
    assert_int_equal(msg->n_from, 1);

    assert_int_equal(msg->to->len, 2);
    assert_string_equal(mailbox(msg->to, 0)->addr, "me@example.net");
    assert_string_equal(mailbox(msg->to, 0)->name, "Me");
    assert_string_equal(mailbox(msg->to, 1)->addr, "bob@example.com");
    assert_null(mailbox(msg->to, 1)->name);

    /* the group is flattened */
    assert_int_equal(msg->cc->len, 3);
    assert_string_equal(mailbox(msg->cc, 0)->addr, "carol@example.com");
    assert_string_equal(mailbox(msg->cc, 1)->addr, "dave@example.com");
    assert_string_equal(mailbox(msg->cc, 1)->name, "Dave D.");
    assert_string_equal(mailbox(msg->cc, 2)->addr, "erin@example.com");
    assert_int_equal(msg->bcc->len, 0);
    assert_int_equal(tw_message_recipient_count(msg), 5);

    assert_int_equal(msg->delivered_to->len, 1);
    assert_string_equal(msg->delivered_to->pdata[0], "me@example.net");
    assert_string_equal(msg->return_path, "alice@example.org");
    tw_message_free(msg);
}

static void
test_several_from_bcc_and_empty_group(void **state)
{
    tw_message_t *msg = parse("From: a@example.org, B <B@Example.org>\n"
                              "To: undisclosed-recipients:;\n"
                              "Bcc: x@example.org, y+tag@example.org\n"
                              "Subject: s\n\nbody\n");

    assert_int_equal(msg->n_from, 2);
    assert_string_equal(msg->from->addr, "a@example.org");
    assert_int_equal(msg->to->len, 0);
    assert_int_equal(msg->cc->len, 0);
    assert_int_equal(msg->bcc->len, 2);
    assert_string_equal(mailbox(msg->bcc, 1)->addr, "y@example.org");
    assert_int_equal(tw_message_recipient_count(msg), 2);
    assert_null(msg->return_path);
    tw_message_free(msg);
}

static void
test_address_gmime_refuses_is_kept(void **state)
{
    tw_message_t *msg = parse("From: a@example.org\nTo: a..smith@example.com, b@example.com\n"
                              "Subject: s\n\nb\n");

    assert_int_equal(msg->to->len, 2);
    assert_string_equal(mailbox(msg->to, 0)->addr, "b@example.com");
    assert_string_equal(mailbox(msg->to, 1)->addr, "a..smith@example.com");
    tw_message_free(msg);
}

static void
test_display_name_is_no_address(void **state)
{
    /* an address written in a display name or a comment is no
     * mailbox of its own */
    tw_message_t *msg = parse("From: \"bob@example.net via Team\" <team@groups.example>\n"
                              "To: \"alice@example.org\" <bob@example.org>,\n"
                              " Carol (carol@old.example) <carol@new.example>\n"
                              "Subject: s\n\nb\n");

    int n_from = msg->n_from;
    char *from = g_strdup(msg->from ? msg->from->addr : "");
    GString *to = g_string_new(NULL);
    for (guint i = 0; i < msg->to->len; i++)
        g_string_append_printf(to, "%s%s", i ? " " : "", mailbox(msg->to, i)->addr);
    tw_message_free(msg);
    bool from_ok = n_from == 1 && strcmp(from, "team@groups.example") == 0;
    bool to_ok = strcmp(to->str, "bob@example.org carol@new.example") == 0;
    if (!from_ok || !to_ok)
        print_error("From: %s (%d mailboxes); To: %s\n", from, n_from, to->str);
    g_free(from);
    g_string_free(to, TRUE);
    assert_true(from_ok);
    assert_true(to_ok);
}

static void
test_null_return_path(void **state)
{
    tw_message_t *msg = parse_fixture("bounce.eml");

    assert_non_null(msg->return_path);
    assert_string_equal(msg->return_path, "");
    assert_string_equal(msg->content_type, "multipart/report");
    assert_string_equal(msg->report_type, "delivery-status");
    assert_string_equal(msg->from->addr, "mailer-daemon@mx.example.org");
    tw_message_free(msg);
}

static void
test_no_addresses(void **state)
{
    tw_message_t *msg = parse("Subject: nobody\n\nbody\n");

    assert_true(msg->is_mail);
    assert_null(msg->from);
    assert_int_equal(msg->n_from, 0);
    assert_int_equal(tw_message_recipient_count(msg), 0);
    tw_message_free(msg);
}

static void
test_dates(void **state)
{
    tw_message_t *msg = parse_fixture("plain.eml");

    assert_true(msg->date_valid);
    assert_int_equal(msg->date, 1699952400); /* 2023-11-14T09:00:00Z */
    tw_message_free(msg);

    msg = parse("From: a@example.org\nDate: Wed, 15 Nov 2023 08:30:00 GMT\n\nb\n");
    assert_true(msg->date_valid);
    assert_int_equal(msg->date, 1700037000);
    tw_message_free(msg);

    msg = parse("From: a@example.org\nDate: not a date at all\n\nb\n");
    assert_false(msg->date_valid);
    tw_message_free(msg);

    msg = parse("From: a@example.org\n\nb\n");
    assert_false(msg->date_valid);
    tw_message_free(msg);
}

static void
test_subjects(void **state)
{
    tw_message_t *msg = parse_fixture("plain.eml");

    assert_string_equal(msg->subject, "Re: Gr\xc3\xbc\xc3\x9f" "e zum Budget");
    tw_message_free(msg);

    msg = parse_fixture("latin1.eml");
    assert_string_equal(msg->subject, "caf\xc3\xa9");
    tw_message_free(msg);

    msg = parse("From: a@example.org\nSubject: =?utf-8?B?SMOpbGxv?=\n\nb\n");
    assert_string_equal(msg->subject, "H\xc3\xa9llo");
    tw_message_free(msg);

    /* raw 8-bit bytes that are not UTF-8 still give valid UTF-8 */
    msg = parse("From: a@example.org\nSubject: caf\xe9 \xff\xfe\n\nb\n");
    assert_non_null(msg->subject);
    assert_true(g_utf8_validate(msg->subject, -1, NULL));
    assert_true(g_str_has_prefix(msg->subject, "caf"));
    tw_message_free(msg);

    msg = parse("From: a@example.org\n\nb\n");
    assert_null(msg->subject);
    tw_message_free(msg);
}

static void
test_headers_in_order(void **state)
{
    tw_message_t *msg = parse_fixture("plain.eml");
    tw_header_t *first = msg->headers->pdata[0];

    assert_true(msg->headers->len >= 12);
    assert_string_equal(first->name, "Return-Path");
    assert_string_equal(((tw_header_t *)msg->headers->pdata[1])->name, "Delivered-To");
    /* the first of that name, ignoring case */
    assert_string_equal(tw_message_header(msg, "delivered-to"), "me+inbox@example.net");
    assert_string_equal(tw_message_header(msg, "MESSAGE-ID"), "<budget-2023@mail.example.org>");
    assert_null(tw_message_header(msg, "X-Not-There"));
    /* unfolded */
    const char *custom = tw_message_header(msg, "X-Custom");
    assert_non_null(custom);
    assert_null(strchr(custom, '\n'));
    assert_null(strchr(custom, '\r'));
    assert_true(unit_contains(custom, "first part"));
    assert_true(unit_contains(custom, "second part"));
    tw_message_free(msg);
}

static void
test_text_plain(void **state)
{
    tw_message_t *msg = parse_fixture("plain.eml");

    assert_string_equal(msg->content_type, "text/plain");
    assert_false(msg->text_from_html);
    assert_false(msg->body_truncated);
    assert_true(g_str_has_prefix(msg->text->str, "Hi,\n\ncould you send me the figures"));
    assert_true(unit_contains(msg->text->str, "> old quoted text"));
    tw_message_free(msg);
}

static void
test_text_from_html_only(void **state)
{
    tw_message_t *msg = parse_fixture("html-only.eml");

    assert_true(msg->text_from_html);
    assert_string_equal(msg->content_type, "text/html");
    assert_true(unit_contains(msg->text->str, "Hello & welcome,"));
    assert_true(unit_contains(msg->text->str, "Could you review the draft?"));
    assert_true(unit_contains(msg->text->str, "> Earlier text"));
    assert_false(unit_contains(msg->text->str, "<p>"));
    assert_false(unit_contains(msg->text->str, "hidden"));
    assert_false(unit_contains(msg->text->str, "Ignored title"));
    assert_false(unit_contains(msg->text->str, "color"));
    tw_message_free(msg);
}

static void
test_text_prefers_plain_alternative(void **state)
{
    tw_message_t *msg = parse_fixture("alternative.eml");

    assert_string_equal(msg->content_type, "multipart/alternative");
    assert_false(msg->text_from_html);
    assert_true(g_str_has_prefix(msg->text->str, "The plain version."));
    assert_false(unit_contains(msg->text->str, "HTML"));
    tw_message_free(msg);
}

static void
test_text_html_beside_a_stub(void **state)
{
    tw_message_t *msg = parse_fixture("alternative-stub.eml");

    /* "View it in HTML." says nothing: the HTML is the text */
    assert_true(msg->text_from_html);
    assert_true(unit_contains(msg->text->str, "Could you tell us which of the talks"));
    assert_false(unit_contains(msg->text->str, "View it in HTML"));
    tw_message_free(msg);
}

static void
test_text_skips_attachments(void **state)
{
    tw_message_t *msg = parse_fixture("attachment-first.eml");

    assert_true(g_str_has_prefix(msg->text->str, "The message itself."));
    assert_false(unit_contains(msg->text->str, "attached notes"));
    assert_false(msg->text_from_html);
    tw_message_free(msg);
}

static void
test_charset_latin1(void **state)
{
    tw_message_t *msg = parse_fixture("latin1.eml");

    assert_true(g_utf8_validate(msg->text->str, (gssize)msg->text->len, NULL));
    assert_true(unit_contains(msg->text->str,
                              "Un caf\xc3\xa9 cr\xc3\xa8me, s'il vous pla\xc3\xaet. "
                              "Gr\xc3\xbc\xc3\x9f" "e, \xc2\xa3 5"));
    tw_message_free(msg);

    msg = parse_fixture("latin1-qp.eml");
    assert_true(unit_contains(msg->text->str, "Caf\xc3\xa9 cr\xc3\xa8me continued"));
    tw_message_free(msg);
}

/* Latin-1 and Windows-1252 are converted without the system's
 * converter: as it would, for every byte, whichever name the charset
 * goes by; a byte Windows-1252 has no character for makes the text
 * what it is without a charset. */
static void
test_charset_western_every_byte(void **state)
{
    const struct {
        const char *name, *iconv;
    } charsets[] = {
        {"ISO-8859-1", "ISO-8859-1"}, {"iso8859-1", "ISO-8859-1"}, {"latin1", "ISO-8859-1"},
        {"windows-1252", "CP1252"},   {"cp1252", "CP1252"},
    };

    for (size_t i = 0; i < G_N_ELEMENTS(charsets); i++) {
        for (int undefined = 0; undefined < 2; undefined++) {
            GString *body = g_string_new(NULL);
            for (int b = 0x80; b < 0x100; b++)
                if (strcmp(charsets[i].iconv, "CP1252") != 0 || undefined ||
                    (b != 0x81 && b != 0x8d && b != 0x8f && b != 0x90 && b != 0x9d))
                    g_string_append_c(body, (char)b);
            GError *error = NULL;
            gsize len = 0;
            char *want = g_convert(body->str, (gssize)body->len, "UTF-8", charsets[i].iconv, NULL,
                                   &len, &error);
            if (want == NULL) { /* what is read without a charset */
                assert_true(undefined);
                want = g_utf8_make_valid(body->str, (gssize)body->len);
                len = strlen(want);
                g_error_free(error);
            }
            char *m = g_strdup_printf("From: a@example.org\nSubject: s\nMIME-Version: 1.0\n"
                                      "Content-Type: text/plain; charset=%s\n"
                                      "Content-Transfer-Encoding: 8bit\n\nA%sZ\n",
                                      charsets[i].name, body->str);
            tw_message_t *msg = parse(m);
            if (!unit_contains(msg->text->str, want) || msg->text->len != len + 3)
                fail_msg("%s%s: not the system's conversion", charsets[i].name,
                         undefined ? " with bytes it lacks" : "");
            tw_message_free(msg);
            g_free(m);
            g_free(want);
            g_string_free(body, TRUE);
        }
    }
}

static void
test_text_invalid_utf8_without_charset(void **state)
{
    tw_message_t *msg = parse("From: a@example.org\nSubject: s\n\nabc \xff\xfe\xc3\x28 def\n");

    assert_true(g_utf8_validate(msg->text->str, (gssize)msg->text->len, NULL));
    assert_true(g_str_has_prefix(msg->text->str, "abc "));
    assert_true(unit_contains(msg->text->str, " def"));
    tw_message_free(msg);
}

static void
test_text_nul_bytes(void **state)
{
    static const char m[] = "From: a@example.org\nSubject: s\n\nbefore\0after\n";
    tw_message_t *msg = parse_len(m, sizeof m - 1, CAP);

    assert_true(msg->is_mail);
    assert_true(g_str_has_prefix(msg->text->str, "before"));
    assert_true(g_utf8_validate(msg->text->str, -1, NULL));
    tw_message_free(msg);
}

static const char base_msg[] =
    "From: Alice <alice@example.org>\n"
    "To: me@example.net\n"
    "Subject: Lunch\n"
    "Date: Tue, 14 Nov 2023 10:00:00 +0100\n"
    "Message-ID: <one@example.org>\n"
    "\n"
    "Shall we have lunch on Friday?\n"
    "Alice\n";

static char *
content_key_of(const char *text)
{
    tw_message_t *msg = parse(text);
    char *key = g_strdup(msg->content_key);

    assert_true(is_hex_key(key));
    tw_message_free(msg);
    return key;
}

static void
test_content_key_of_copy(void **state)
{
    /* another Message-ID, other headers, the date in another zone,
     * CRLF line endings and trailing blank lines */
    const char *copy =
        "Received: from relay.example.org by mx.example.net\r\n"
        "X-Twoway-Ask: yes\r\n"
        "From: \"A. Example\" <Alice@Example.ORG>\r\n"
        "To: someone-else@example.net\r\n"
        "Subject: Lunch\r\n"
        "Date: Tue, 14 Nov 2023 09:00:00 +0000\r\n"
        "Message-ID: <two@mirror.example.org>\r\n"
        "\r\n"
        "Shall we have lunch on Friday?\r\n"
        "Alice\r\n"
        "\r\n"
        "\r\n";
    char *a = content_key_of(base_msg);
    char *b = content_key_of(copy);

    assert_string_equal(a, b);
    g_free(a);
    g_free(b);
}

static void
test_content_key_differs(void **state)
{
    char *base = content_key_of(base_msg);
    const char *variants[] = {
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: Dinner\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\nMessage-ID: <one@example.org>\n\n"
        "Shall we have lunch on Friday?\nAlice\n",
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: Lunch\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\nMessage-ID: <one@example.org>\n\n"
        "Shall we have lunch on Saturday?\nAlice\n",
        "From: Bob <bob@example.org>\nTo: me@example.net\nSubject: Lunch\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\nMessage-ID: <one@example.org>\n\n"
        "Shall we have lunch on Friday?\nAlice\n",
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: Lunch\n"
        "Date: Wed, 15 Nov 2023 10:00:00 +0100\nMessage-ID: <one@example.org>\n\n"
        "Shall we have lunch on Friday?\nAlice\n",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(variants); i++) {
        char *k = content_key_of(variants[i]);
        if (strcmp(k, base) == 0)
            fail_msg("variant %zu has the same content key", i);
        g_free(k);
    }
    g_free(base);
}

/* The print of text with body cap cap; false when it has none. */
static bool
print_of(const char *text, size_t cap, tw_print_t *out)
{
    return tw_message_print(text, strlen(text), cap, out);
}

static void
test_print_of_copy(void **state)
{
    /* the copy of base_msg in another folder: another Message-ID, a
     * folder field, a field more, an mbox From line */
    const char *copy =
        "From alice@example.org Tue Nov 14 09:00:00 2023\n"
        "Received: from relay.example.org by mx.example.net\n"
        "From: Alice <alice@example.org>\n"
        "To: me@example.net\n"
        "Subject: Lunch\n"
        "X-Folder: \\Alice\\Sent\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\n"
        "Message-ID: <two@mirror.example.org>\n"
        "\n"
        "Shall we have lunch on Friday?\n"
        "Alice\n";
    tw_print_t a, b;

    assert_true(print_of(base_msg, CAP, &a));
    assert_true(print_of(copy, CAP, &b));
    assert_memory_equal(a.digest, b.digest, sizeof a.digest);
    /* what the print promises: the same content key */
    char *ka = content_key_of(base_msg), *kb = content_key_of(copy);
    assert_string_equal(ka, kb);
    g_free(ka);
    g_free(kb);
}

static void
test_print_differs(void **state)
{
    const char *variants[] = {
        /* another sender, date, subject, body byte */
        "From: Bob <alice@example.org>\nTo: me@example.net\nSubject: Lunch\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\n\nShall we have lunch on Friday?\nAlice\n",
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: Lunch\n"
        "Date: Tue, 14 Nov 2023 10:00:01 +0100\n\nShall we have lunch on Friday?\nAlice\n",
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: lunch\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\n\nShall we have lunch on Friday?\nAlice\n",
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: Lunch\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\n\nShall we have lunch on Friday!\nAlice\n",
        /* a second Subject, the fields in another order, a body moved
         * into the fields */
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: Lunch\nSubject: Re\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\n\nShall we have lunch on Friday?\nAlice\n",
        "Subject: Lunch\nFrom: Alice <alice@example.org>\nTo: me@example.net\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\n\nShall we have lunch on Friday?\nAlice\n",
        "From: Alice <alice@example.org>\nTo: me@example.net\nSubject: Lunch\n"
        "Date: Tue, 14 Nov 2023 10:00:00 +0100\n Shall we have lunch on Friday?\n\nAlice\n",
    };
    tw_print_t base, p;

    assert_true(print_of(base_msg, CAP, &base));
    for (size_t i = 0; i < G_N_ELEMENTS(variants); i++) {
        assert_true(print_of(variants[i], CAP, &p));
        if (memcmp(p.digest, base.digest, sizeof p.digest) == 0)
            fail_msg("variant %zu has the print of the original", i);
    }
}

static void
test_print_body_cap(void **state)
{
    const char *a = "From: a@example.org\nSubject: s\n\n0123456789 first end\n";
    const char *b = "From: a@example.org\nSubject: s\n\n0123456789 other end\n";
    tw_print_t pa, pb;

    /* past the cap, as for the content key, the bodies do not count */
    assert_true(print_of(a, 10, &pa) && print_of(b, 10, &pb));
    assert_memory_equal(pa.digest, pb.digest, sizeof pa.digest);
    assert_true(print_of(a, 12, &pa) && print_of(b, 12, &pb));
    assert_memory_not_equal(pa.digest, pb.digest, sizeof pa.digest);
}

static void
test_print_refused(void **state)
{
    const char *refused[] = {
        "",
        "Just some text\n",
        /* no blank line after the fields, or a line that is no field */
        "From: a@example.org\nSubject: s\n",
        "From: a@example.org\nSubject: s\nnot a field\n\nbody\n",
        /* a blank between a name and its colon */
        "From: a@example.org\nSubject : s\n\nbody\n",
        "From: a@example.org\nX-Note\t: n\n\nbody\n",
    };
    tw_print_t p;

    for (size_t i = 0; i < G_N_ELEMENTS(refused); i++)
        if (print_of(refused[i], CAP, &p))
            fail_msg("message %zu has a print", i);
    /* a header block GMime reads only in part: too long, or a field too long */
    GString *m = g_string_new("From: a@example.org\n");
    for (int i = 0; i < 30000; i++)
        g_string_append(m, "X-F: value\n");
    g_string_append(m, "\nbody\n");
    assert_false(print_of(m->str, CAP, &p));
    g_string_assign(m, "From: a@example.org\nX-Long: ");
    for (int i = 0; i < 110 * 1024; i++)
        g_string_append_c(m, 'x');
    g_string_append(m, "\n\nbody\n");
    assert_false(print_of(m->str, CAP, &p));
    g_string_free(m, TRUE);
}

static void
test_digest_key_stable(void **state)
{
    const char *m = "From: a@example.org\nSubject: no id\nDate: Tue, 14 Nov 2023 10:00:00 +0100"
                    "\n\nsame body\n";
    tw_message_t *a = parse(m), *b = parse(m);
    char *ka = tw_message_key(a), *kb = tw_message_key(b);

    assert_string_equal(ka, kb);
    g_free(ka);
    g_free(kb);
    tw_message_free(a);
    tw_message_free(b);
}

static void
test_body_cap(void **state)
{
    GString *m = g_string_new("From: a@example.org\nSubject: big\n\n");
    size_t header_len = m->len;

    for (int i = 0; i < 500; i++)
        g_string_append(m, "123456789\n"); /* 5000 bytes of body */

    tw_message_t *msg = parse_len(m->str, m->len, 1000);
    assert_true(msg->is_mail);
    assert_true(msg->body_truncated);
    assert_true(msg->text->len <= 1000);
    assert_true(msg->text->len >= 900);
    tw_message_free(msg);

    msg = parse_len(m->str, m->len, 5000);
    assert_false(msg->body_truncated);
    assert_int_equal(msg->text->len, m->len - header_len);
    tw_message_free(msg);

    msg = parse_len(m->str, m->len, 4999);
    assert_true(msg->body_truncated);
    tw_message_free(msg);

    /* the headers are read whole whatever the cap */
    msg = parse_len(m->str, m->len, 0);
    assert_true(msg->body_truncated);
    assert_string_equal(msg->subject, "big");
    assert_int_equal(msg->text->len, 0);
    tw_message_free(msg);
    g_string_free(m, TRUE);
}

static void
test_not_mail(void **state)
{
#define CASE(s) {s, sizeof s - 1}
    static const struct {
        const char *data;
        size_t len;
    } cases[] = {
        CASE(""),
        CASE("hello there, this is not mail\n"),
        CASE("\x89PNG\r\n\x1a\n\0\0\0\rIHDR"),
        CASE("\n\nFrom: a@example.org\n"),
        CASE("From alice@example.org Mon Nov 20 09:14:00 2026\n\nbody\n"),
    };
#undef CASE

    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        tw_message_t *msg = parse_len(cases[i].data, cases[i].len, CAP);
        if (msg->is_mail)
            fail_msg("case %zu was read as mail", i);
        assert_null(msg->message_id);
        assert_null(msg->from);
        assert_null(msg->subject);
        assert_non_null(msg->to);
        assert_int_equal(msg->to->len, 0);
        assert_non_null(msg->references);
        assert_non_null(msg->headers);
        assert_int_equal(msg->headers->len, 0);
        assert_non_null(msg->text);
        assert_int_equal(msg->text->len, 0);
        assert_int_equal(tw_message_recipient_count(msg), 0);
        assert_null(tw_message_header(msg, "From"));
        tw_message_free(msg);
    }
    tw_message_free(NULL);
}

static void
test_many_recipients(void **state)
{
    GString *m = g_string_new("From: a@example.org\nTo: ");

    for (int i = 0; i < 2000; i++)
        g_string_append_printf(m, "%sUser %d <user%d@example.org>", i ? ", " : "", i, i);
    g_string_append(m, "\nSubject: all\n\nhello\n");
    tw_message_t *msg = parse(m->str);
    /* a list is kept up to 1,000 mailboxes, in order */
    assert_int_equal(msg->to->len, 1000);
    assert_string_equal(mailbox(msg->to, 0)->addr, "user0@example.org");
    assert_string_equal(mailbox(msg->to, 999)->addr, "user999@example.org");
    tw_message_free(msg);
    g_string_free(m, TRUE);
}

/* 40,000 addresses GMime refuses, in one Cc field of 1 MB: the words
 * that look like addresses are kept up to the same bound, and reading
 * them stays linear (this took seconds when every word was compared
 * with every kept one). */
static void
test_many_refused_recipients(void **state)
{
    GString *m = g_string_new("From: a@example.org\nCc: ");

    for (int i = 0; i < 40000; i++)
        g_string_append_printf(m, "%sa..%d@example.net", i ? ",\n " : "", i);
    g_string_append(m, "\nSubject: all\n\nhello\n");
    gint64 start = g_get_monotonic_time();
    tw_message_t *msg = parse(m->str);
    assert_int_equal(msg->cc->len, 1000);
    assert_string_equal(mailbox(msg->cc, 0)->addr, "a..0@example.net");
    assert_string_equal(mailbox(msg->cc, 999)->addr, "a..999@example.net");
    /* generous for a sanitizer build; the quadratic version took 5 s */
    assert_true(g_get_monotonic_time() - start < 2 * G_USEC_PER_SEC);
    tw_message_free(msg);
    g_string_free(m, TRUE);
}

/* References of 5,000 ids (4,000 different ones, and itself): duplicates
 * still go, and what is kept is bounded: the first id (the thread's
 * root), then the newest, ending with In-Reply-To. */
static void
test_many_references(void **state)
{
    GString *m = g_string_new("From: a@example.org\nMessage-ID: <self@example.org>\n"
                              "References: <self@example.org>");

    for (int i = 0; i < 5000; i++)
        g_string_append_printf(m, "\n <r%d@example.org>", i % 4000);
    g_string_append(m, "\nIn-Reply-To: <parent@example.org> <r5@example.org>\nSubject: x\n\nb\n");
    gint64 start = g_get_monotonic_time();
    tw_message_t *msg = parse(m->str);
    assert_string_equal(msg->in_reply_to, "parent@example.org");
    assert_int_equal(msg->references->len, 500);
    assert_string_equal(msg->references->pdata[0], "r0@example.org");
    assert_string_equal(msg->references->pdata[1], "r3502@example.org");
    assert_string_equal(msg->references->pdata[498], "r3999@example.org");
    assert_string_equal(msg->references->pdata[499], "parent@example.org");
    for (guint i = 0; i < msg->references->len; i++)
        assert_string_not_equal(msg->references->pdata[i], "self@example.org");
    assert_true(g_get_monotonic_time() - start < 2 * G_USEC_PER_SEC);
    tw_message_free(msg);
    g_string_free(m, TRUE);
}

/* Too many references, the parent's among the old ones: it is kept,
 * since a reply is found through its parent's id. */
static void
test_many_references_keep_parent(void **state)
{
    GString *m = g_string_new("From: a@example.org\nMessage-ID: <self@example.org>\n"
                              "In-Reply-To: <r7@example.org>\nReferences:");

    (void)state;
    for (int i = 0; i < 4000; i++)
        g_string_append_printf(m, "\n <r%d@example.org>", i);
    g_string_append(m, "\nSubject: x\n\nb\n");
    tw_message_t *msg = parse(m->str);
    assert_string_equal(msg->in_reply_to, "r7@example.org");
    assert_int_equal(msg->references->len, 500);
    assert_string_equal(msg->references->pdata[0], "r0@example.org");
    assert_string_equal(msg->references->pdata[1], "r7@example.org");
    assert_string_equal(msg->references->pdata[2], "r3502@example.org");
    assert_string_equal(msg->references->pdata[499], "r3999@example.org");
    tw_message_free(msg);
    g_string_free(m, TRUE);
}

/* A field of 1 MB: GMime reads its first 100 KB, cut at a line end
 * when it is folded, and the fields after it as usual. */
static void
test_huge_field(void **state)
{
    GString *m = g_string_new("From: a@example.org\nX-Folded:");

    for (int i = 0; m->len < 1024 * 1024; i++)
        g_string_append_printf(m, "%sword%d", i % 8 ? " " : "\n ", i);
    g_string_append(m, "\nSubject: ");
    for (int i = 0; i < 1024 * 1024; i++)
        g_string_append_c(m, 'x');
    g_string_append(m, "\nMessage-ID: <after@example.org>\n\nbody\n");
    gint64 start = g_get_monotonic_time();
    tw_message_t *msg = parse_len(m->str, m->len, CAP);
    assert_string_equal(msg->message_id, "after@example.org");
    assert_string_equal(msg->from->addr, "a@example.org");
    assert_int_equal(strlen(msg->subject), 100 * 1024 - strlen("Subject: "));
    const char *folded = tw_message_header(msg, "X-Folded");
    assert_non_null(folded);
    assert_true(strlen(folded) < 100 * 1024);
    assert_true(g_str_has_prefix(folded, "word0 word1"));
    /* whole lines only: it ends with a whole word */
    const char *last = strrchr(folded, 'w');
    assert_non_null(last);
    assert_true(strncmp(last, "word", 4) == 0 && g_ascii_isdigit(last[4]));
    assert_true(g_get_monotonic_time() - start < 2 * G_USEC_PER_SEC);
    tw_message_free(msg);
    g_string_free(m, TRUE);
}

/* 1,000,000 short fields (7 MB): GMime reads the first 256 KB of the
 * header block; this took 37 s and 650 MB when it read them all. */
static void
test_many_fields(void **state)
{
    GString *m = g_string_new("From: a@example.org\nSubject: many\n");

    for (int i = 0; i < 1000000; i++)
        g_string_append(m, "X-F: v\n");
    g_string_append(m, "Message-ID: <late@example.org>\n\nCould you check this?\n");
    gint64 start = g_get_monotonic_time();
    tw_message_t *msg = parse_len(m->str, m->len, CAP);
    assert_true(msg->is_mail);
    assert_string_equal(msg->from->addr, "a@example.org");
    assert_string_equal(msg->subject, "many");
    /* the fields read stop near 256 KB; the late Message-ID is past it */
    assert_true(msg->headers->len > 30000 && msg->headers->len < 40000);
    assert_null(msg->message_id);
    assert_string_equal(msg->text->str, "Could you check this?\n");
    assert_true(g_get_monotonic_time() - start < 3 * G_USEC_PER_SEC);
    tw_message_free(msg);
    g_string_free(m, TRUE);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ids),
        cmocka_unit_test(test_no_reply_headers),
        cmocka_unit_test(test_in_reply_to_only),
        cmocka_unit_test(test_addresses),
        cmocka_unit_test(test_several_from_bcc_and_empty_group),
        cmocka_unit_test(test_address_gmime_refuses_is_kept),
        cmocka_unit_test(test_display_name_is_no_address),
        cmocka_unit_test(test_null_return_path),
        cmocka_unit_test(test_no_addresses),
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_subjects),
        cmocka_unit_test(test_headers_in_order),
        cmocka_unit_test(test_text_plain),
        cmocka_unit_test(test_text_from_html_only),
        cmocka_unit_test(test_text_prefers_plain_alternative),
        cmocka_unit_test(test_text_html_beside_a_stub),
        cmocka_unit_test(test_text_skips_attachments),
        cmocka_unit_test(test_charset_latin1),
        cmocka_unit_test(test_charset_western_every_byte),
        cmocka_unit_test(test_text_invalid_utf8_without_charset),
        cmocka_unit_test(test_text_nul_bytes),
        cmocka_unit_test(test_content_key_of_copy),
        cmocka_unit_test(test_content_key_differs),
        cmocka_unit_test(test_print_of_copy),
        cmocka_unit_test(test_print_differs),
        cmocka_unit_test(test_print_body_cap),
        cmocka_unit_test(test_print_refused),
        cmocka_unit_test(test_digest_key_stable),
        cmocka_unit_test(test_body_cap),
        cmocka_unit_test(test_not_mail),
        cmocka_unit_test(test_many_recipients),
        cmocka_unit_test(test_many_refused_recipients),
        cmocka_unit_test(test_many_references),
        cmocka_unit_test(test_many_references_keep_parent),
        cmocka_unit_test(test_huge_field),
        cmocka_unit_test(test_many_fields),
    };

    tw_message_init();
    return cmocka_run_group_tests_name("message", tests, NULL, NULL);
}
