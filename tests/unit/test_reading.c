/* test_reading.c - unit tests for lib/reading.c: how a message reads
 * for one owner. */
#include "unit.h"

#include "reading.h"

#define OWNER "me@example.org"

typedef struct {
    tw_config_t *cfg;
    tw_message_t *msg;
    tw_reading_t r;
} reading_t;

static tw_config_t *
config(void)
{
    tw_config_t *cfg = tw_config_new();
    tw_error_t err;

    assert_int_equal(tw_config_set(cfg, "Owner", OWNER, "test", &err), TW_OK);
    assert_int_equal(tw_config_set(cfg, "Alias", OWNER " me@work.example.com", "test", &err),
                     TW_OK);
    return cfg;
}

static tw_message_t *
parse(const char *text)
{
    tw_message_t *msg = NULL;

    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    return msg;
}

/* Reads a message built from headers and body for OWNER. */
static reading_t *
read_with(tw_config_t *cfg, const char *headers, const char *body, tw_direction_hint_t hint)
{
    reading_t *x = g_new0(reading_t, 1);
    char *text = g_strdup_printf("%sDate: Tue, 14 Nov 2023 10:00:00 +0100\n"
                                 "Message-ID: <m@example.org>\n\n%s",
                                 headers, body);

    x->cfg = cfg ? cfg : config();
    x->msg = parse(text);
    tw_read(x->cfg, x->msg, OWNER, hint, &x->r);
    assert_ptr_equal(x->r.msg, x->msg);
    assert_string_equal(x->r.owner, OWNER);
    assert_non_null(x->r.why);
    assert_true(x->r.why->len > 0);
    g_free(text);
    return x;
}

static reading_t *
read_msg(const char *headers, const char *body)
{
    return read_with(NULL, headers, body, TW_HINT_AUTO);
}

static void
done(reading_t *x)
{
    tw_reading_clear(&x->r);
    assert_null(x->r.correspondents);
    tw_message_free(x->msg);
    tw_config_free(x->cfg);
    g_free(x);
}

static int
has(GPtrArray *list, const char *addr)
{
    for (guint i = 0; i < list->len; i++)
        if (strcmp(list->pdata[i], addr) == 0)
            return 1;
    return 0;
}

static const char ask_body[] = "Hi,\n\nCould you send me the figures?\n\n> old quote?\n";
static const char weak_ask_body[] = "Please check the figures.\n";

static void
test_direction_auto(void **state)
{
    reading_t *x = read_msg("From: Alice <alice@example.org>\nTo: Me <me@example.org>\n"
                            "Subject: s\n",
                            ask_body);

    assert_int_equal(x->r.direction, TW_DIR_IN);
    assert_int_equal(x->r.correspondents->len, 1);
    assert_string_equal(x->r.correspondents->pdata[0], "alice@example.org");
    assert_true(x->r.names_owner);
    assert_true(x->r.personal);
    assert_int_equal(x->r.role, TW_READER_TO);
    assert_true(x->r.ask);
    assert_true(x->r.text_ask);
    assert_string_equal(x->r.fresh, "Hi,\n\nCould you send me the figures?");
    assert_string_equal(x->r.text.cue, "Could you send me the figures?");
    done(x);

    x = read_msg("From: Me <Me@Example.org>\nTo: Alice <alice@example.org>, bob@example.org\n"
                 "Cc: carol@example.org, me@example.org\nBcc: dave@example.org\nSubject: s\n",
                 ask_body);
    assert_int_equal(x->r.direction, TW_DIR_OUT);
    assert_int_equal(x->r.correspondents->len, 4);
    assert_true(has(x->r.correspondents, "alice@example.org"));
    assert_true(has(x->r.correspondents, "dave@example.org"));
    assert_false(has(x->r.correspondents, OWNER));
    assert_int_equal(x->r.askees->len, 2);
    assert_true(has(x->r.askees, "alice@example.org"));
    assert_true(has(x->r.askees, "bob@example.org"));
    assert_false(has(x->r.participants, OWNER));
    assert_true(has(x->r.participants, "carol@example.org"));
    assert_true(x->r.ask);
    done(x);
}

static void
test_direction_alias(void **state)
{
    reading_t *x = read_msg("From: Me <me+lists@work.example.com>\nTo: alice@example.org\n"
                            "Subject: s\n",
                            ask_body);

    assert_int_equal(x->r.direction, TW_DIR_OUT);
    assert_true(has(x->r.askees, "alice@example.org"));
    done(x);

    x = read_msg("From: alice@example.org\nCc: me@work.example.com\nSubject: s\n", ask_body);
    assert_int_equal(x->r.direction, TW_DIR_IN);
    assert_true(x->r.names_owner);
    assert_true(x->r.personal);
    assert_int_equal(x->r.role, TW_READER_CC);
    done(x);
}

static void
test_direction_hints(void **state)
{
    /* a message from the owner's address, said to be incoming */
    reading_t *x = read_with(NULL, "From: me@example.org\nTo: alice@example.org\nSubject: s\n",
                             ask_body, TW_HINT_IN);
    assert_int_equal(x->r.direction, TW_DIR_IN);
    assert_false(x->r.ask); /* nobody but the owner to answer */
    done(x);

    /* sent from an address not configured (a Sent folder import) */
    x = read_with(NULL, "From: old-address@example.net\nTo: alice@example.org\nSubject: s\n",
                  ask_body, TW_HINT_OUT);
    assert_int_equal(x->r.direction, TW_DIR_OUT);
    assert_true(has(x->r.correspondents, "alice@example.org"));
    assert_true(x->r.ask);
    done(x);
}

static void
test_outgoing_askees_cc_when_no_to(void **state)
{
    reading_t *x = read_msg("From: me@example.org\nTo: me@example.org\n"
                            "Cc: bob@example.org\nSubject: s\n",
                            ask_body);

    assert_int_equal(x->r.direction, TW_DIR_OUT);
    assert_int_equal(x->r.askees->len, 1);
    assert_string_equal(x->r.askees->pdata[0], "bob@example.org");
    assert_true(x->r.ask);
    done(x);
}

static void
test_outgoing_to_self_is_no_ask(void **state)
{
    reading_t *x = read_msg("From: me@example.org\nTo: me@example.org\nSubject: note\n", ask_body);

    assert_int_equal(x->r.direction, TW_DIR_OUT);
    assert_true(x->r.text.score >= 0.5);
    assert_int_equal(x->r.askees->len, 0);
    assert_false(x->r.ask);
    done(x);
}

static void
test_cc_only_weighting(void **state)
{
    reading_t *to = read_msg("From: alice@example.org\nTo: me@example.org\nSubject: s\n",
                             weak_ask_body);
    reading_t *cc = read_msg("From: alice@example.org\nTo: bob@example.org\n"
                             "Cc: me@example.org\nSubject: s\n",
                             weak_ask_body);

    assert_float_equal(to->r.text.score, cc->r.text.score, 1e-9);
    assert_int_equal(to->r.role, TW_READER_TO);
    assert_int_equal(cc->r.role, TW_READER_CC);
    assert_true(cc->r.names_owner);
    assert_true(cc->r.personal);
    assert_float_equal(to->r.score, to->r.text.score, 1e-9);
    assert_float_equal(cc->r.score, to->r.score * 0.75, 1e-9);
    assert_true(unit_any_contains(cc->r.why, "Cc"));
    /* the weaker reading falls below the threshold */
    assert_true(to->r.ask);
    assert_false(cc->r.ask);
    done(to);
    done(cc);
}

static void
test_many_recipients_weigh_less(void **state)
{
    GString *h = g_string_new("From: alice@example.org\nTo: me@example.org");

    for (int i = 0; i < 19; i++)
        g_string_append_printf(h, ", p%d@example.org", i);
    g_string_append(h, "\nSubject: s\n");
    reading_t *x = read_msg(h->str, weak_ask_body);
    assert_float_equal(x->r.score, x->r.text.score * 0.7, 1e-9);
    assert_false(x->r.ask);
    done(x);
    g_string_free(h, TRUE);
}

static void
test_greeting_names_owner(void **state)
{
    reading_t *x = read_msg("From: alice@example.org\nTo: Robin Vale <me@example.org>\n"
                            "Subject: s\n",
                            "Hi Robin,\n\nCould you check the figures.\n");

    assert_true(x->r.score > x->r.text.score);
    assert_true(unit_any_contains(x->r.why, "greeting"));
    assert_true(x->r.ask);
    done(x);
}

/* "Hi Sam," to Robin and Sam asks Sam; "Hi Sam and Robin," both */
static void
test_greeting_names_another_reader(void **state)
{
    static const char headers[] = "From: alice@example.org\nTo: Robin Vale <me@example.org>, "
                                  "Sam Reed <sam@example.org>\nSubject: s\n";
    reading_t *x = read_msg(headers, "Hi Sam,\n\nCould you send me the figures?\n");

    assert_true(x->r.text_ask);
    assert_float_equal(x->r.score, x->r.text.score * 0.5, 1e-9);
    assert_true(unit_any_contains(x->r.why, "another reader"));
    assert_false(x->r.ask);
    done(x);

    x = read_msg(headers, "Hi Sam and Robin,\n\nCould you send me the figures?\n");
    assert_float_equal(x->r.score, x->r.text.score, 1e-9);
    assert_true(x->r.ask);
    done(x);

    /* a name that is no reader's changes nothing */
    x = read_msg(headers, "Hi Kim,\n\nCould you send me the figures?\n");
    assert_float_equal(x->r.score, x->r.text.score, 1e-9);
    done(x);
}

static const char list_headers[] = "List-Id: Developers <dev.lists.example.org>\n"
                                   "List-Post: <mailto:dev@lists.example.org>\n"
                                   "Precedence: list\n";

static void
test_personal_list_mail(void **state)
{
    char *h = g_strconcat("From: alice@example.org\nTo: me@example.org\n"
                          "Cc: dev@lists.example.org\nSubject: [dev] patch\n",
                          list_headers, NULL);
    reading_t *x = read_msg(h, ask_body);

    assert_true(x->r.bulk.list);
    assert_false(x->r.bulk.bulk);
    assert_true(x->r.names_owner);
    assert_true(x->r.personal);
    assert_int_equal(x->r.role, TW_READER_TO);
    assert_true(x->r.ask);
    assert_true(unit_any_contains(x->r.why, "personal"));
    assert_true(unit_any_contains(x->r.why, "dev.lists.example.org"));
    /* the list is no person */
    assert_false(has(x->r.participants, "dev@lists.example.org"));
    assert_true(tw_reading_is_nobody(x->cfg, &x->r, "dev@lists.example.org"));
    assert_true(tw_reading_is_nobody(x->cfg, &x->r, OWNER));
    assert_true(tw_reading_is_nobody(x->cfg, &x->r, "me@work.example.com"));
    assert_false(tw_reading_is_nobody(x->cfg, &x->r, "alice@example.org"));
    done(x);
    g_free(h);
}

static void
test_list_traffic_is_no_ask(void **state)
{
    const char *body = "Could anyone review my patch? Could you also test it on ARM?\n";
    char *h = g_strconcat("From: alice@example.org\nTo: dev@lists.example.org\n"
                          "Subject: [dev] patch\n",
                          list_headers, NULL);
    reading_t *x = read_msg(h, body);

    assert_true(x->r.bulk.list);
    assert_false(x->r.names_owner);
    assert_false(x->r.personal);
    assert_int_equal(x->r.role, TW_READER_UNSEEN);
    assert_true(x->r.text_ask);
    assert_true(x->r.score >= 0.5);
    assert_false(x->r.ask);
    assert_true(unit_any_contains(x->r.why, "list traffic"));
    done(x);

    /* unless the config asks for list asks */
    tw_config_t *cfg = config();
    tw_error_t err;
    assert_int_equal(tw_config_set(cfg, "ListAsks", "yes", "test", &err), TW_OK);
    x = read_with(cfg, h, body, TW_HINT_AUTO);
    assert_false(x->r.personal);
    assert_true(x->r.ask);
    done(x);
    g_free(h);
}

static void
test_bulk_is_no_ask(void **state)
{
    reading_t *x = read_msg("From: alice@example.org\nTo: me@example.org\nSubject: s\n"
                            "Auto-Submitted: auto-generated\n",
                            ask_body);

    assert_true(x->r.bulk.bulk);
    assert_true(x->r.names_owner);
    assert_false(x->r.personal);
    /* the text asks, but what bulk mail asks is a call to action */
    assert_true(x->r.text.score >= 0.5);
    assert_false(x->r.text_ask);
    assert_false(x->r.ask);
    assert_true(unit_any_contains(x->r.why, "calls to action"));
    done(x);

    x = read_msg("From: me@example.org\nTo: alice@example.org\nSubject: s\n"
                 "Auto-Submitted: auto-replied\n",
                 ask_body);
    assert_int_equal(x->r.direction, TW_DIR_OUT);
    assert_false(x->r.ask);
    done(x);
}

/* The ledger's one-way rule makes a reading bulk from outside. */
static void
test_set_bulk_from_outside(void **state)
{
    reading_t *x = read_msg("From: seller@shop.example\nTo: me@example.org\nSubject: s\n",
                            ask_body);

    assert_true(x->r.ask);
    assert_true(x->r.personal);
    tw_reading_set_bulk(&x->r, "one-way sender: seller@shop.example");
    assert_true(x->r.bulk.bulk);
    assert_int_equal(x->r.bulk.reasons->len, 1);
    assert_string_equal(x->r.bulk.reasons->pdata[0], "one-way sender: seller@shop.example");
    assert_true(unit_any_contains(x->r.why, "one-way sender: seller@shop.example"));
    assert_false(x->r.personal);
    assert_false(x->r.text_ask);
    assert_false(x->r.ask);
    assert_true(unit_any_contains(x->r.why, "not an ask: bulk mail asks nobody"));
    /* a second reason for mail already bulk adds nothing */
    tw_reading_set_bulk(&x->r, "again");
    assert_int_equal(x->r.bulk.reasons->len, 1);
    done(x);
}

static void
test_not_an_ask(void **state)
{
    reading_t *x = read_msg("From: alice@example.org\nTo: me@example.org\nSubject: s\n",
                            "Thanks for the figures.\n\nLet me know if you have any questions.\n");

    assert_false(x->r.text_ask);
    assert_false(x->r.ask);
    assert_true(x->r.personal);
    done(x);
}

static void
test_html_only_and_quotes(void **state)
{
    reading_t *x = read_msg("From: alice@example.org\nTo: me@example.org\nSubject: s\n"
                            "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\n",
                            "<p>Thanks.</p><blockquote><p>Could you send me the figures?</p>"
                            "</blockquote>");

    /* the question is in the quoted part */
    assert_string_equal(x->r.fresh, "Thanks.");
    assert_false(x->r.ask);
    done(x);
}

static void
test_not_mail(void **state)
{
    tw_config_t *cfg = config();
    tw_message_t *msg = parse("this is not mail\n");
    tw_reading_t r;

    tw_read(cfg, msg, OWNER, TW_HINT_AUTO, &r);
    assert_false(r.ask);
    assert_false(r.bulk.bulk);
    assert_int_equal(r.correspondents->len, 0);
    assert_int_equal(r.direction, TW_DIR_IN);
    tw_reading_clear(&r);
    tw_reading_clear(&r);
    tw_message_free(msg);
    tw_config_free(cfg);
}

static void
test_reading_owner(void **state)
{
    tw_config_t *cfg = tw_config_new();
    tw_error_t err;
    tw_message_t *msg;
    char *o;

    /* no configuration: the first Delivered-To */
    msg = parse("Delivered-To: Someone+box@Example.net\nDelivered-To: other@example.net\n"
                "From: alice@example.org\nTo: x@example.org\n\nb\n");
    o = tw_reading_owner(cfg, msg);
    assert_string_equal(o, "someone@example.net");
    g_free(o);
    tw_message_free(msg);

    msg = parse("From: alice@example.org\nTo: x@example.org\n\nb\n");
    assert_null(tw_reading_owner(cfg, msg));
    tw_message_free(msg);

    assert_int_equal(tw_config_set(cfg, "Owner", "first@example.org", "t", &err), TW_OK);
    assert_int_equal(tw_config_set(cfg, "Owner", "second@example.org", "t", &err), TW_OK);
    assert_int_equal(tw_config_set(cfg, "Alias", "second@example.org sec@home.example", "t", &err),
                     TW_OK);
    assert_int_equal(tw_config_set(cfg, "Domain", "corp.example", "t", &err), TW_OK);

    /* addressed to a configured owner */
    msg = parse("From: alice@example.org\nTo: x@example.org, Second <second@example.org>\n\nb\n");
    o = tw_reading_owner(cfg, msg);
    assert_string_equal(o, "second@example.org");
    g_free(o);
    tw_message_free(msg);

    /* through an alias, in Cc */
    msg = parse("From: alice@example.org\nTo: x@example.org\nCc: sec@home.example\n\nb\n");
    o = tw_reading_owner(cfg, msg);
    assert_string_equal(o, "second@example.org");
    g_free(o);
    tw_message_free(msg);

    /* an address in a configured domain */
    msg = parse("From: alice@example.org\nTo: carol@corp.example\n\nb\n");
    o = tw_reading_owner(cfg, msg);
    assert_string_equal(o, "carol@corp.example");
    g_free(o);
    tw_message_free(msg);

    /* Delivered-To that is an owner wins */
    msg = parse("Delivered-To: second@example.org\nFrom: alice@example.org\n"
                "To: first@example.org\n\nb\n");
    o = tw_reading_owner(cfg, msg);
    assert_string_equal(o, "second@example.org");
    g_free(o);
    tw_message_free(msg);

    /* nothing matches: the first configured owner */
    msg = parse("Delivered-To: stranger@example.net\nFrom: alice@example.org\n"
                "To: x@example.org\n\nb\n");
    o = tw_reading_owner(cfg, msg);
    assert_string_equal(o, "first@example.org");
    g_free(o);
    tw_message_free(msg);
    tw_config_free(cfg);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_direction_auto),
        cmocka_unit_test(test_direction_alias),
        cmocka_unit_test(test_direction_hints),
        cmocka_unit_test(test_outgoing_askees_cc_when_no_to),
        cmocka_unit_test(test_outgoing_to_self_is_no_ask),
        cmocka_unit_test(test_cc_only_weighting),
        cmocka_unit_test(test_many_recipients_weigh_less),
        cmocka_unit_test(test_greeting_names_owner),
        cmocka_unit_test(test_greeting_names_another_reader),
        cmocka_unit_test(test_personal_list_mail),
        cmocka_unit_test(test_list_traffic_is_no_ask),
        cmocka_unit_test(test_bulk_is_no_ask),
        cmocka_unit_test(test_set_bulk_from_outside),
        cmocka_unit_test(test_not_an_ask),
        cmocka_unit_test(test_html_only_and_quotes),
        cmocka_unit_test(test_not_mail),
        cmocka_unit_test(test_reading_owner),
    };

    tw_message_init();
    return cmocka_run_group_tests_name("reading", tests, NULL, NULL);
}
