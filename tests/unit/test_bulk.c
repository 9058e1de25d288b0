/* test_bulk.c - unit tests for lib/bulk.c: bulk and list mail. */
#include "unit.h"

#include "bulk.h"

/* A personal message from from, with extra header lines and subject. */
static tw_message_t *
message(const char *from, const char *subject, const char *extra)
{
    char *text = g_strdup_printf("From: %s\n"
                                 "To: Me <me@example.net>\n"
                                 "Subject: %s\n"
                                 "Date: Tue, 14 Nov 2023 10:00:00 +0100\n"
                                 "Message-ID: <m1@example.org>\n"
                                 "%s"
                                 "\n"
                                 "Could you have a look at the draft?\n",
                                 from, subject, extra);
    tw_message_t *msg = NULL;

    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    assert_true(msg->is_mail);
    g_free(text);
    return msg;
}

typedef struct {
    bool bulk;
    bool list;
    int reasons;
} verdict_t;

static verdict_t
judge(const char *from, const char *subject, const char *extra, const char *reason)
{
    tw_message_t *msg = message(from, subject, extra);
    tw_bulk_t b;
    verdict_t v;

    tw_bulk_judge(msg, &b);
    v.bulk = b.bulk;
    v.list = b.list;
    v.reasons = (int)b.reasons->len;
    if (reason != NULL && !unit_any_contains(b.reasons, reason) &&
        !unit_contains(b.list_id, reason))
        fail_msg("neither a reason nor the list id mentions '%s' for %s", reason, extra);
    /* a list id exactly for list mail, on one line */
    assert_true(b.list == (b.list_id != NULL));
    if (b.list_id != NULL) {
        assert_true(*b.list_id != '\0');
        assert_null(strpbrk(b.list_id, "\r\n"));
        assert_true(g_utf8_validate(b.list_id, -1, NULL));
    }
    for (guint i = 0; i < b.reasons->len; i++) {
        const char *r = b.reasons->pdata[i];
        assert_null(strchr(r, '\n'));
        assert_null(strchr(r, '\r'));
        assert_true(g_utf8_validate(r, -1, NULL));
    }
    tw_bulk_clear(&b);
    assert_null(b.reasons);
    assert_null(b.list_id);
    tw_message_free(msg);
    return v;
}

/* The extra headers make the message bulk, and reason names why. */
static void
assert_bulk(const char *extra, const char *reason)
{
    verdict_t v = judge("Alice <alice@example.org>", "Draft", extra, reason);

    if (!v.bulk)
        fail_msg("not bulk: %s", extra);
    assert_true(v.reasons > 0);
}

static void
test_personal_mail_is_not_bulk(void **state)
{
    verdict_t v = judge("Alice <alice@example.org>", "Draft", "", NULL);

    assert_false(v.bulk);
    assert_false(v.list);
    assert_int_equal(v.reasons, 0);

    /* ordinary headers a person's mail carries */
    v = judge("Alice <alice@example.org>", "Re: Draft",
              "In-Reply-To: <x@example.net>\nReferences: <x@example.net>\n"
              "User-Agent: Mutt/2.2\nX-Mailer: Apple Mail\nAuto-Submitted: no\n"
              "Precedence: first-class\nMIME-Version: 1.0\n",
              NULL);
    assert_false(v.bulk);
    assert_false(v.list);
}

static void
test_auto_submitted(void **state)
{
    assert_bulk("Auto-Submitted: auto-replied\n", "Auto-Submitted");
    assert_bulk("Auto-Submitted: auto-generated\n", "Auto-Submitted");
    assert_bulk("Auto-Submitted: auto-notified\n", "Auto-Submitted");
    assert_bulk("Auto-Submitted: Auto-Generated; owner-email=\"x@y.org\"\n", "Auto-Submitted");
    verdict_t v = judge("alice@example.org", "Draft", "Auto-Submitted: No\n", NULL);
    assert_false(v.bulk);
}

static void
test_precedence(void **state)
{
    assert_bulk("Precedence: bulk\n", "Precedence");
    assert_bulk("Precedence: junk\n", "Precedence");
    assert_bulk("Precedence: auto_reply\n", "Precedence");
    verdict_t v = judge("alice@example.org", "Draft", "Precedence: list\n", "list");
    assert_false(v.bulk);
    assert_true(v.list);
}

static void
test_vendor_headers(void **state)
{
    assert_bulk("Feedback-ID: 1234:campaign:mailer\n", "Feedback-ID");
    assert_bulk("X-Mailchimp-Campaign: abc\n", "X-Mailchimp-Campaign");
    assert_bulk("X-Campaign: spring\n", "X-Campaign");
    assert_bulk("X-SG-EID: abc\n", "X-SG-EID");
    assert_bulk("x-csa-complaints: csa-complaints@eco.de\n", NULL);
    assert_bulk("X-Autoreply: yes\n", "X-Autoreply");
}

static void
test_exchange_auto_reply(void **state)
{
    assert_bulk("X-Auto-Response-Suppress: All, OOF, AutoReply\n"
                "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n",
                NULL);
    /* Outlook sets X-Auto-Response-Suppress on ordinary mail too */
    verdict_t v = judge("alice@example.org", "Draft", "X-Auto-Response-Suppress: OOF, AutoReply\n",
                        NULL);
    assert_false(v.bulk);
}

static void
test_null_return_path(void **state)
{
    assert_bulk("Return-Path: <>\n", "null return path");
    verdict_t v = judge("alice@example.org", "Draft", "Return-Path: <alice@example.org>\n", NULL);
    assert_false(v.bulk);
}

static void
test_multipart_report(void **state)
{
    assert_bulk("MIME-Version: 1.0\n"
                "Content-Type: multipart/report; report-type=disposition-notification;"
                " boundary=\"b\"\n",
                "multipart/report");
}

static void
test_noreply_sender(void **state)
{
    verdict_t v = judge("GitHub <noreply@github.com>", "Draft", "", "noreply@github.com");
    assert_true(v.bulk);
    v = judge("Mail Delivery Subsystem <MAILER-DAEMON@mx.example.org>", "Draft", "", NULL);
    assert_true(v.bulk);
    v = judge("Shop <no-reply-4711@shop.example>", "Draft", "", NULL);
    assert_true(v.bulk);
}

static void
test_auto_reply_subjects(void **state)
{
    static const char *const subjects[] = {
        "Out of Office: Draft",
        "Automatic reply: Draft",
        "AutoReply: Draft",
        "Abwesenheitsnotiz: Draft",
        "Undeliverable: Draft",
        "Delivery Status Notification (Failure)",
        "Read: Draft",
        "R\xc3\xa9ponse automatique : Draft",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(subjects); i++) {
        verdict_t v = judge("alice@example.org", subjects[i], "", NULL);
        if (!v.bulk)
            fail_msg("subject '%s' is not bulk", subjects[i]);
    }
    /* a person's subjects that only look alike */
    static const char *const personal[] = {
        "Re: Out of office plans for December",
        "Reading list",
        "Delivery of the chairs",
        "Autumn party",
    };
    for (size_t i = 0; i < G_N_ELEMENTS(personal); i++) {
        verdict_t v = judge("alice@example.org", personal[i], "", NULL);
        if (v.bulk)
            fail_msg("subject '%s' is bulk", personal[i]);
    }
}

static void
test_spam_flag(void **state)
{
    assert_bulk("X-Spam-Flag: YES\n", "X-Spam-Flag");
    verdict_t v = judge("alice@example.org", "Draft", "X-Spam-Flag: NO\n", NULL);
    assert_false(v.bulk);
}

static void
test_discussion_list_is_list_not_bulk(void **state)
{
    const char *mailman =
        "List-Id: Developers <dev.lists.example.org>\n"
        "List-Post: <mailto:dev@lists.example.org>\n"
        "List-Unsubscribe: <https://lists.example.org/unsub>, <mailto:dev-leave@lists.example.org>\n"
        "List-Subscribe: <mailto:dev-join@lists.example.org>\n"
        "Precedence: list\n"
        "X-BeenThere: dev@lists.example.org\n";
    verdict_t v = judge("alice@example.org", "[dev] Draft", mailman, "dev.lists.example.org");

    assert_true(v.list);
    assert_false(v.bulk);

    v = judge("alice@example.org", "Draft", "List-Id: <x.example.org>\n", NULL);
    assert_true(v.list);
    assert_false(v.bulk);
    v = judge("alice@example.org", "Draft", "Mailing-List: list dev@example.org\n", NULL);
    assert_true(v.list);
    assert_false(v.bulk);
    v = judge("alice@example.org", "Draft", "X-Mailing-List: dev@example.org\n", NULL);
    assert_true(v.list);
    assert_false(v.bulk);
}

static void
test_newsletter_is_bulk(void **state)
{
    verdict_t v = judge("Shop <hello@shop.example>", "Our autumn sale",
                        "List-Unsubscribe: <https://shop.example/u?id=1>\n"
                        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n",
                        "newsletter");
    assert_true(v.bulk);

    v = judge("Shop <hello@shop.example>", "Our autumn sale",
              "List-Id: <offers.shop.example>\nList-Unsubscribe: <https://shop.example/u>\n",
              NULL);
    assert_true(v.bulk);
    assert_true(v.list);
}

static void
test_announce_list_post_no_with_comment(void **state)
{
    /* RFC 2369, 3.4: its own example of NO carries a comment */
    verdict_t v = judge("Maintainer <maintainer@project.example>", "Release 2.0",
                        "List-Id: <releases.project.example>\n"
                        "List-Post: NO (posting not allowed on this list)\n",
                        NULL);
    assert_true(v.list);
    assert_true(v.bulk);
}

static void
test_list_post_address_with_no_in_it(void **state)
{
    /* Only the value NO (RFC 2369) makes an announce-only list; an
     * address that happens to hold the letters "no" does not. */
    verdict_t v = judge("alice@example.org", "Draft",
                        "List-Id: GNOME desktop <desktop-devel-list.gnome.org>\n"
                        "List-Post: <mailto:desktop-devel-list@gnome.org>\n"
                        "List-Unsubscribe: <mailto:desktop-devel-list-request@gnome.org>\n"
                        "X-BeenThere: desktop-devel-list@gnome.org\n",
                        NULL);
    assert_true(v.list);
    assert_false(v.bulk);

    v = judge("alice@example.org", "Draft",
              "List-Id: <users.nodejs.example>\n"
              "List-Post: <mailto:users@nodejs.example>\n",
              NULL);
    assert_true(v.list);
    assert_false(v.bulk);
}

static void
test_list_with_precedence_bulk(void **state)
{
    /* vger.kernel.org marks every post "Precedence: bulk" */
    verdict_t v = judge("alice@example.org", "[PATCH] fix",
                        "List-Id: <linux-kernel.vger.kernel.org>\n"
                        "List-Post: <mailto:linux-kernel@vger.kernel.org>\n"
                        "Precedence: bulk\n",
                        "linux-kernel");
    assert_true(v.list);
    assert_false(v.bulk);
}

static void
test_feedback_id_of_mailbox_provider(void **state)
{
    verdict_t v = judge("alice@example.org", "Draft",
                        "Feedback-ID: 123456:user:proxy\n", NULL);
    assert_false(v.bulk);
}

static void
test_announce_only_list_is_bulk(void **state)
{
    verdict_t v = judge("announce@project.example", "Release 2.0",
                        "List-Id: <announce.project.example>\nList-Post: NO\n", "List-Post");

    assert_true(v.bulk);
    assert_true(v.list);
}

static void
test_list_id(void **state)
{
    tw_message_t *msg = message("alice@example.org", "Draft",
                                "List-Id: Developers\n <dev.lists.example.org>\n"
                                "List-Post: <mailto:dev@lists.example.org>\n");
    tw_bulk_t b;

    tw_bulk_judge(msg, &b);
    assert_true(b.list);
    assert_false(b.bulk);
    assert_non_null(b.list_id);
    assert_true(unit_contains(b.list_id, "dev.lists.example.org"));
    assert_int_equal(b.reasons->len, 0);
    tw_bulk_clear(&b);
    tw_message_free(msg);

    msg = message("alice@example.org", "Draft", "");
    tw_bulk_judge(msg, &b);
    assert_false(b.list);
    assert_null(b.list_id);
    tw_bulk_clear(&b);
    tw_message_free(msg);
}

static void
test_reason_is_one_short_line(void **state)
{
    GString *extra = g_string_new("List-Id: ");

    for (int i = 0; i < 50; i++)
        g_string_append(extra, "very long list name\n ");
    g_string_append(extra, "<long.example.org>\nAuto-Submitted: auto-generated\n");
    tw_message_t *msg = message("alice@example.org", "x", extra->str);
    tw_bulk_t b;

    tw_bulk_judge(msg, &b);
    assert_true(b.bulk);
    assert_true(b.list);
    for (guint i = 0; i < b.reasons->len; i++) {
        const char *r = b.reasons->pdata[i];
        assert_null(strpbrk(r, "\r\n\t"));
        assert_true(g_utf8_strlen(r, -1) <= 100);
    }
    assert_non_null(b.list_id);
    assert_null(strpbrk(b.list_id, "\r\n\t"));
    assert_true(g_utf8_strlen(b.list_id, -1) < 200);
    tw_bulk_clear(&b);
    tw_message_free(msg);
    g_string_free(extra, TRUE);
}

static void
test_not_mail_is_nothing(void **state)
{
    tw_message_t *msg = NULL;
    tw_bulk_t b;

    assert_int_equal(tw_message_parse("junk", 4, 1024, "+", &msg), TW_OK);
    assert_false(msg->is_mail);
    tw_bulk_judge(msg, &b);
    assert_false(b.bulk);
    assert_false(b.list);
    assert_null(b.list_id);
    assert_non_null(b.reasons);
    assert_int_equal(b.reasons->len, 0);
    tw_bulk_clear(&b);
    tw_bulk_clear(&b);
    tw_message_free(msg);
}

static void
test_noreply_addresses(void **state)
{
    static const char *const yes[] = {
        "noreply@example.org",       "no-reply@example.org",     "no_reply@example.org",
        "donotreply@example.org",    "do-not-reply@example.org", "mailer-daemon@example.org",
        "MAILER-DAEMON@example.org", "mailer-daemon",            "postmaster@example.org",
        "bounces+abc=x@example.org", "notifications@github.com", "no-reply-1234@example.org",
        "info-noreply@example.org",  "shop.noreply@example.org", "NoReply@Example.org",
        "newsletter@example.org",
    };
    static const char *const no[] = {
        "alice@example.org", "info@example.org", "support@example.org",
        "newsom@example.org", "mark@example.org", "nora@example.org",
        "reply@example.org", "", NULL,
    };

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++)
        if (!tw_bulk_is_noreply_address(yes[i]))
            fail_msg("%s should take no replies", yes[i]);
    for (size_t i = 0; i < G_N_ELEMENTS(no); i++)
        if (tw_bulk_is_noreply_address(no[i]))
            fail_msg("%s should take replies", no[i] ? no[i] : "(null)");
}

static void
test_bulk_senders_and_texts(void **state)
{
    verdict_t v;

    v = judge("CNET <Online#3@newsletter.online.com>", "Daily", "", "mailing host");
    assert_true(v.bulk);
    v = judge("News <news@example.com>", "Weekly", "X-Mailer: Accucast (http://www.accucast.com)\n",
              "X-Mailer");
    assert_true(v.bulk);
    v = judge("Spam <x1@example.com>", "Save big on prints!        OYDQH", "", "tracking code");
    assert_true(v.bulk);
    v = judge("Update <enron_update@concur.example.com>", "Expense reports", "", "takes no replies");
    assert_true(v.bulk);
    /* a normal subject with a short upper-case word stays personal */
    v = judge("Ann <ann@example.org>", "Meeting with IBM", "", NULL);
    assert_false(v.bulk);
    /* a person whose address holds "address" is no no-reply sender */
    assert_false(tw_bulk_is_noreply_address("old-address@example.net"));
    assert_true(tw_bulk_is_noreply_address("no.address@enron.com"));
    /* older list software: Sender "-owner@" makes Precedence: bulk list mail */
    v = judge("Terry <t@example.com>", "q", "Precedence: bulk\nSender: pgsql-novice-owner@postgresql.org\n",
              NULL);
    assert_true(v.list);
    assert_false(v.bulk);
}

static void
test_self_addressed_mass_mail(void **state)
{
    const char *text = "From: Anthony <a@bank.example>\nTo: a@bank.example\nSubject: Report\n"
                       "Message-ID: <r1@bank.example>\n\nThe weekly report.\n";
    tw_message_t *msg = NULL;
    tw_bulk_t b;

    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    tw_bulk_judge(msg, &b);
    assert_true(b.bulk);
    assert_true(unit_any_contains(b.reasons, "own sender"));
    tw_bulk_clear(&b);
    tw_message_free(msg);
}

/* judge_text: the verdict on a whole message given as text. */
static bool
judge_text(const char *text, const char *reason)
{
    tw_message_t *msg = NULL;
    tw_bulk_t b;
    bool bulk;

    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    tw_bulk_judge(msg, &b);
    bulk = b.bulk;
    if (reason != NULL && !unit_any_contains(b.reasons, reason))
        fail_msg("no reason mentions '%s'", reason);
    tw_bulk_clear(&b);
    tw_message_free(msg);
    return bulk;
}

/* An out-of-office note without the headers that mark one is bulk; a
 * person who mentions being away and asks or writes more is not. */
static void
test_away_note_without_headers(void **state)
{
#define AWAY_HEAD "From: Alice <alice@example.com>\nTo: me@example.org\nSubject: Re: report\n\n"
    assert_true(judge_text(AWAY_HEAD "I am out of the office until Monday 9 March with limited "
                           "access to e-mail.\nFor urgent matters please contact Bob.\n\nAlice\n",
                           "out-of-office"));
    assert_true(judge_text(AWAY_HEAD "This is an automated response to a message you sent.\n\n"
                           "I will be out of the office until Monday.\n\nI will reply to your "
                           "email when I return.\n", "out-of-office"));
    assert_true(judge_text(AWAY_HEAD "Hallo,\n\nich bin bis 12. M\xc3\xa4rz nicht im B\xc3\xbcro. "
                           "In dringenden F\xc3\xa4llen wenden Sie sich an Bob.\n", "out-of-office"));
    /* away, and asking */
    assert_false(judge_text(AWAY_HEAD "I am out of the office until Monday. When I return, could "
                            "we go over the draft?\n", NULL));
    /* away, but the note says more first */
    assert_false(judge_text(AWAY_HEAD "Attached are the minutes. Please review them. I will be out "
                            "of the office from 2/5 until 2/8; in my absence ask Bob.\n", NULL));
    /* away, without the words of an automatic note */
    assert_false(judge_text(AWAY_HEAD "I'm out of the office until Monday, but yes, go ahead with "
                            "the order.\n", NULL));
#undef AWAY_HEAD
}

static void
test_self_addressed_list_mail(void **state)
{
    /* sent to the list in Bcc, To the sender's own address: mass mail */
    assert_true(judge_text("From: Tayeb <scco@example.br>\nTo: Recipients <scco@example.br>\n"
                           "List-Id: <util-linux.vger.example.org>\nSubject: Spende\n\nHallo.\n",
                           "own sender"));
    /* a list that rewrites From to itself is a list */
    assert_false(judge_text("From: Ann via dev <dev@lists.example.org>\nTo: dev@lists.example.org\n"
                            "List-Id: <dev.lists.example.org>\nSubject: build\n\nIt fails.\n", NULL));
    assert_false(judge_text("From: Ann via dev <dev@example.org>\nTo: dev@example.org\n"
                            "List-Id: Development <devel.example.org>\n"
                            "List-Post: <mailto:dev@example.org>\nSubject: build\n\nIt fails.\n",
                            NULL));
}

static void
test_hidden_readers(void **state)
{
    /* To names a group without members: the readers were in Bcc */
    assert_true(judge_text("From: Miss P <p@example.com>\nTo: undisclosed-recipients:;\n"
                           "Subject: Urgent reply needed\n\nPlease contact me.\n", "names no reader"));
    /* no To at all says less: archives drop it */
    assert_false(judge_text("From: Skip <skip@example.com>\nSubject: Re: test sets\n\n"
                            "Could you send the numbers?\n", NULL));
}

static void
test_tracking_return_path(void **state)
{
    const char *body = "Subject: Your daily strip\nTo: me@example.net\n\nToday's strip.\n";
    char *t;

    t = g_strconcat("Return-Path: <2.20880.71-S6_ngjncfBFy.1.b@mail4.example.com>\n"
                    "From: Strips <strips@example.com>\n", body, NULL);
    assert_true(judge_text(t, "tracks each reader"));
    g_free(t);
    t = g_strconcat("Return-Path: <news-me=example.net@bounces.example.com>\n"
                    "From: News <news@example.com>\n", body, NULL);
    assert_true(judge_text(t, "tracks each reader"));
    g_free(t);
    /* forwarding rewrites the return path (SRS): still a person's mail */
    t = g_strconcat("Return-Path: <SRS0=Ab12=XY=example.org=ann@fwd.example.net>\n"
                    "From: Ann <ann@example.org>\n", body, NULL);
    assert_false(judge_text(t, NULL));
    g_free(t);
    /* a reply, from a dated address, is a person's */
    t = g_strconcat("Return-Path: <jo-exp-1031164464.7f11b3@example.org>\n"
                    "From: Jo <jo@example.org>\nIn-Reply-To: <a1@example.net>\n", body, NULL);
    assert_false(judge_text(t, NULL));
    g_free(t);
}

static void
test_mailing_text(void **state)
{
    const char *footer = "You have received this message because you subscribed to it.\n"
                         "To stop receiving these, change your preferences.\n";
    char *t;

    t = g_strconcat("From: Perl <pudge@example.org>\nTo: me@example.net\nSubject: Headlines\n\n"
                    "Today's headlines.\n", footer, NULL);
    assert_true(judge_text(t, "text of a mailing"));
    g_free(t);
    /* a person forwarding a mailing, the forward marked, is not one */
    t = g_strconcat("From: Joe <joe@example.org>\nTo: me@example.net\nSubject: Fw: Headlines\n\n"
                    "Have a look.\n\n-----Original Message-----\nFrom: Perl\n\n", footer, NULL);
    assert_false(judge_text(t, NULL));
    g_free(t);
    /* a mailing that only says "Fw:" still is */
    t = g_strconcat("From: x@example.com\nTo: me@example.net\nSubject: Fw: YOU NEED THIS\n\n"
                    "Buy it.\n", footer, NULL);
    assert_true(judge_text(t, "text of a mailing"));
    g_free(t);
    /* nor is a reply to one */
    t = g_strconcat("From: Joe <joe@example.org>\nTo: me@example.net\nSubject: Re: Headlines\n"
                    "In-Reply-To: <h1@example.org>\n\nWhat do you make of this?\n\n", footer, NULL);
    assert_false(judge_text(t, NULL));
    g_free(t);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_personal_mail_is_not_bulk),
        cmocka_unit_test(test_auto_submitted),
        cmocka_unit_test(test_precedence),
        cmocka_unit_test(test_vendor_headers),
        cmocka_unit_test(test_exchange_auto_reply),
        cmocka_unit_test(test_null_return_path),
        cmocka_unit_test(test_multipart_report),
        cmocka_unit_test(test_noreply_sender),
        cmocka_unit_test(test_auto_reply_subjects),
        cmocka_unit_test(test_away_note_without_headers),
        cmocka_unit_test(test_spam_flag),
        cmocka_unit_test(test_discussion_list_is_list_not_bulk),
        cmocka_unit_test(test_newsletter_is_bulk),
        cmocka_unit_test(test_announce_only_list_is_bulk),
        cmocka_unit_test(test_announce_list_post_no_with_comment),
        cmocka_unit_test(test_list_post_address_with_no_in_it),
        cmocka_unit_test(test_list_with_precedence_bulk),
        cmocka_unit_test(test_feedback_id_of_mailbox_provider),
        cmocka_unit_test(test_list_id),
        cmocka_unit_test(test_reason_is_one_short_line),
        cmocka_unit_test(test_not_mail_is_nothing),
        cmocka_unit_test(test_noreply_addresses),
        cmocka_unit_test(test_bulk_senders_and_texts),
        cmocka_unit_test(test_self_addressed_mass_mail),
        cmocka_unit_test(test_hidden_readers),
        cmocka_unit_test(test_self_addressed_list_mail),
        cmocka_unit_test(test_tracking_return_path),
        cmocka_unit_test(test_mailing_text),
    };

    tw_message_init();
    return cmocka_run_group_tests_name("bulk", tests, NULL, NULL);
}
