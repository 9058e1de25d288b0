/* test_thread.c - unit tests for lib/thread.c: subjects, resolution,
 * placeholders, late merges and the subject fallback. */
#include "unit.h"

#include "ledger.h"
#include "thread.h"

#define OWNER "me@example.org"
#define DAY 86400
/* Tue, 14 Nov 2023 10:00:00 +0000 */
#define T0 1699956000

typedef struct {
    char *dir;
    tw_store_t *store;
    tw_config_t *cfg;
    gint64 owner_id;
    bool created; /* the last resolve() made a new thread */
    bool later;   /* and found mail dated at or after its message */
} world_t;

static int
setup(void **state)
{
    world_t *w = g_new0(world_t, 1);
    tw_error_t err = {{0}};
    char *path;

    tw_message_init();
    w->dir = unit_tmpdir();
    path = g_build_filename(w->dir, "twoway.db", NULL);
    if (tw_store_open(path, 2000, true, &w->store, &err) != TW_OK) {
        print_error("%s\n", err.text);
        g_free(path);
        return -1;
    }
    g_free(path);
    w->cfg = tw_config_new();
    if (tw_config_set(w->cfg, "Owner", OWNER, "test", &err) != TW_OK ||
        tw_store_owner(w->store, OWNER, true, &w->owner_id) != TW_OK)
        return -1;
    *state = w;
    return 0;
}

static int
teardown(void **state)
{
    world_t *w = *state;

    if (w == NULL)
        return 0;
    tw_store_close(w->store);
    tw_config_free(w->cfg);
    unit_rmtree(w->dir);
    g_free(w->dir);
    g_free(w);
    return 0;
}

/* A message: headers (each line ending in \n) at T0 + minutes. */
static tw_message_t *
message(const char *headers, gint64 minutes, const char *body)
{
    GDateTime *dt = g_date_time_new_from_unix_utc(T0 + minutes * 60);
    char *date = g_date_time_format(dt, "%a, %d %b %Y %H:%M:%S +0000");
    char *text = g_strdup_printf("%sDate: %s\n\n%s", headers, date, body ? body : "Hello.\n");
    tw_message_t *msg = NULL;

    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    assert_true(msg->is_mail);
    assert_true(msg->date_valid);
    g_free(text);
    g_free(date);
    g_date_time_unref(dt);
    return msg;
}

/* Resolves the thread of a message without recording it. */
static gint64
resolve(world_t *w, const char *headers, gint64 minutes)
{
    tw_message_t *msg = message(headers, minutes, NULL);
    tw_reading_t r;
    gint64 thread = 0;
    char *key = tw_message_key(msg);

    tw_read(w->cfg, msg, OWNER, TW_HINT_AUTO, &r);
    assert_int_equal(tw_thread_resolve(w->store, w->cfg, w->owner_id, &r, key, msg->date, &thread,
                                       &w->created, &w->later),
                     TW_OK);
    assert_true(thread > 0);
    /* the message's own id is bound to the thread */
    gint64 bound = 0;
    assert_int_equal(tw_store_thread_of_id(w->store, w->owner_id, key, &bound), TW_OK);
    assert_int_equal(bound, thread);
    g_free(key);
    tw_reading_clear(&r);
    tw_message_free(msg);
    return thread;
}

/* Records a message through the ledger; returns its thread. */
static gint64
record(world_t *w, const char *headers, gint64 minutes, const char *body)
{
    tw_message_t *msg = message(headers, minutes, body);
    tw_reading_t r;
    tw_record_t rec;
    tw_error_t err = {{0}};

    tw_read(w->cfg, msg, OWNER, TW_HINT_AUTO, &r);
    if (tw_ledger_record_one(w->store, w->cfg, &r, T0, &rec, &err) != TW_OK)
        fail_msg("record: %s", err.text);
    assert_true(rec.recorded);
    gint64 thread = rec.thread;
    assert_true(thread > 0);
    tw_record_clear(&rec);
    tw_reading_clear(&r);
    tw_message_free(msg);
    return thread;
}

static gint64
thread_of(world_t *w, const char *id)
{
    gint64 t = -1;

    assert_int_equal(tw_store_thread_of_id(w->store, w->owner_id, id, &t), TW_OK);
    return t;
}

static gint64
thread_count(world_t *w)
{
    tw_stats_t stats;

    assert_int_equal(tw_store_stats(w->store, w->owner_id, &stats), TW_OK);
    return stats.threads;
}

static void
assert_subject(const char *in, const char *want)
{
    char *got = tw_thread_subject(in);

    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("subject '%s' gave '%s', want '%s'", in ? in : "(null)", got, want);
    g_free(got);
}

static void
test_subject_normalisation(void **state)
{
    assert_subject("Budget", "budget");
    assert_subject("Re: Budget", "budget");
    assert_subject("RE: Budget", "budget");
    assert_subject("re:Budget", "budget");
    assert_subject("Re: RE: re: Budget", "budget");
    assert_subject("RE[2]: Budget", "budget");
    assert_subject("Re(3): Budget", "budget");
    assert_subject("Re : Budget", "budget");
    assert_subject("AW: Budget", "budget");
    assert_subject("Aw: WG: Budget", "budget");
    assert_subject("Fwd: Budget", "budget");
    assert_subject("FW: Re: Budget", "budget");
    assert_subject("SV: Budget", "budget");
    assert_subject("TR: Budget", "budget");
    assert_subject("[team] Budget", "budget");
    assert_subject("Re: [team] Re: Budget", "budget");
    assert_subject("[team] [announce] Re: Budget", "budget");
    assert_subject("  Budget \t  for\n 2024  ", "budget for 2024");
    assert_subject("Re\xef\xbc\x9a Budget", "budget");
    assert_subject("Re: Gr\xc3\xbc\xc3\x9f" "e", "gr\xc3\xbc\xc3\x9f" "e");
}

static void
test_subject_not_prefixes(void **state)
{
    /* words that only start like a prefix stay */
    assert_subject("Reply needed", "reply needed");
    assert_subject("Research: results", "research: results");
    assert_subject("Awesome: news", "awesome: news");
    assert_subject("Forward planning", "forward planning");
    assert_subject("Budget Re: again", "budget re: again");
    assert_subject("[unclosed tag", "[unclosed tag");
}

static void
test_subject_edges(void **state)
{
    assert_subject(NULL, "");
    assert_subject("", "");
    assert_subject("Re:", "");
    assert_subject("   ", "");
    assert_subject("Re: Re: [x]", "");

    GString *big = g_string_new(NULL);
    for (int i = 0; i < 5000; i++)
        g_string_append(big, "Re: ");
    g_string_append(big, "Deep");
    assert_subject(big->str, "deep");
    g_string_free(big, TRUE);
}

static void
test_resolve_reply_joins_parent(void **state)
{
    world_t *w = *state;
    gint64 a = resolve(w, "From: alice@example.org\nTo: me@example.org\nSubject: One\n"
                          "Message-ID: <a@example.org>\n",
                       0);
    assert_true(w->created);
    gint64 b = resolve(w, "From: me@example.org\nTo: alice@example.org\nSubject: Re: One\n"
                          "Message-ID: <b@example.org>\nIn-Reply-To: <a@example.org>\n",
                       10);
    assert_false(w->created);
    assert_false(w->later);
    gint64 c = resolve(w, "From: bob@example.org\nTo: me@example.org\nSubject: Other\n"
                          "Message-ID: <c@example.org>\n",
                       20);
    assert_true(w->created);

    assert_int_equal(a, b);
    assert_true(c != a);
    /* the same message again finds the same thread */
    assert_int_equal(resolve(w, "From: alice@example.org\nTo: me@example.org\nSubject: One\n"
                                "Message-ID: <a@example.org>\n",
                             0),
                     a);
    assert_false(w->created);
    assert_true(w->later);
    assert_int_equal(thread_count(w), 2);
}

static void
test_resolve_child_before_parent(void **state)
{
    world_t *w = *state;
    /* the reply arrives first: its parents are placeholders */
    gint64 child = resolve(w, "From: alice@example.org\nTo: me@example.org\nSubject: Re: Plan\n"
                              "Message-ID: <child@example.org>\n"
                              "In-Reply-To: <parent@example.org>\n"
                              "References: <root@example.org> <parent@example.org>\n",
                           30);
    assert_true(w->created);

    assert_int_equal(thread_of(w, "parent@example.org"), child);
    assert_int_equal(thread_of(w, "root@example.org"), child);
    assert_int_equal(thread_of(w, "unseen@example.org"), 0);

    gint64 parent = resolve(w, "From: me@example.org\nTo: alice@example.org\nSubject: Plan\n"
                               "Message-ID: <parent@example.org>\n"
                               "References: <root@example.org>\n",
                            0);
    /* a reply recorded before it: the parent's thread is not new, and
     * holds later mail */
    assert_false(w->created);
    assert_true(w->later);
    gint64 root = resolve(w, "From: alice@example.org\nTo: me@example.org\nSubject: Plan\n"
                             "Message-ID: <root@example.org>\n",
                          -10);
    assert_false(w->created);
    assert_int_equal(parent, child);
    assert_int_equal(root, child);
    assert_int_equal(thread_count(w), 1);
}

static void
test_resolve_late_merge(void **state)
{
    world_t *w = *state;
    /* two messages, seen as two threads... */
    gint64 a = resolve(w, "From: alice@example.org\nTo: me@example.org\nSubject: Part A\n"
                          "Message-ID: <a@example.org>\n",
                       0);
    gint64 b = resolve(w, "From: bob@example.org\nTo: me@example.org\nSubject: Part B\n"
                          "Message-ID: <b@example.org>\nIn-Reply-To: <b-parent@example.org>\n",
                       5);
    assert_true(a != b);
    assert_int_equal(thread_count(w), 2);

    /* ...until one message refers to both */
    gint64 m = resolve(w, "From: carol@example.org\nTo: me@example.org\nSubject: Re: Parts\n"
                          "Message-ID: <m@example.org>\n"
                          "References: <a@example.org> <b-parent@example.org>\n"
                          "In-Reply-To: <b@example.org>\n",
                       10);
    assert_int_equal(thread_of(w, "a@example.org"), m);
    assert_int_equal(thread_of(w, "b@example.org"), m);
    assert_int_equal(thread_of(w, "b-parent@example.org"), m);
    assert_int_equal(thread_of(w, "m@example.org"), m);
    assert_int_equal(thread_count(w), 1);

    /* later mail in either branch stays in the merged thread */
    assert_int_equal(resolve(w, "From: me@example.org\nTo: alice@example.org\n"
                                "Subject: Re: Part A\nMessage-ID: <a2@example.org>\n"
                                "In-Reply-To: <a@example.org>\n",
                             20),
                     m);
}

static void
test_late_merge_moves_messages_and_asks(void **state)
{
    world_t *w = *state;
    gint64 ta = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Venue\n"
                          "Message-ID: <venue@example.org>\n",
                       0, "Could you book the venue for Friday?\n");
    gint64 tb = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Catering\n"
                          "Message-ID: <catering@example.org>\n",
                       5, "Could you order the catering as well?\n");
    assert_true(ta != tb);

    gint64 tm = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Both\n"
                          "Message-ID: <both@example.org>\n"
                          "References: <venue@example.org> <catering@example.org>\n",
                       10, "Just so you know, both are linked.\n");
    int asks = 0;
    gint64 since = 0;
    assert_int_equal(tw_store_thread_open(w->store, w->owner_id, tm, &asks, &since), TW_OK);
    assert_int_equal(asks, 2);
    assert_int_equal(since, T0);
    assert_int_equal(thread_count(w), 1);
}

static const char budget_body[] = "Could you send me the budget figures?\n";

static void
test_subject_fallback_same_people(void **state)
{
    world_t *w = *state;
    gint64 t1 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n", 0,
                       budget_body);
    gint64 t2 = record(w, "From: me@example.org\nTo: alice@example.org\nSubject: RE: Budget\n",
                       DAY / 60, "Here they are.\n");
    gint64 t3 = record(w, "From: Alice <alice@example.org>\nTo: me@example.org\n"
                          "Subject: AW: [finance] Budget\n",
                       29 * DAY / 60, "Thanks!\n");

    assert_int_equal(t2, t1);
    assert_int_equal(t3, t1);
}

static void
test_subject_fallback_not_across_people(void **state)
{
    world_t *w = *state;
    gint64 t1 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n", 0,
                       budget_body);
    gint64 t2 = record(w, "From: bob@example.org\nTo: me@example.org\nSubject: Re: Budget\n", 60,
                       "Mine is ready too.\n");
    gint64 t3 = record(w, "From: me@example.org\nTo: carol@example.org\nSubject: Re: Budget\n",
                       120, "Here is mine.\n");

    assert_true(t2 != t1);
    assert_true(t3 != t1);
    assert_true(t3 != t2);
}

static void
test_subject_fallback_not_outside_window(void **state)
{
    world_t *w = *state;
    gint64 t1 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n", 0,
                       budget_body);
    gint64 t2 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Re: Budget\n",
                       31 * DAY / 60, "Again?\n");
    /* nor before it, for mail imported out of order */
    gint64 t3 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n",
                       -40 * DAY / 60, "Last year's.\n");

    assert_true(t2 != t1);
    assert_true(t3 != t1);
    assert_true(t3 != t2);
}

static void
test_subject_fallback_window_configurable(void **state)
{
    world_t *w = *state;
    tw_error_t err;

    assert_int_equal(tw_config_set(w->cfg, "ThreadWindow", "2", "test", &err), TW_OK);
    gint64 t1 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n", 0,
                       budget_body);
    gint64 t2 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Re: Budget\n",
                       DAY / 60, "One day later.\n");
    gint64 t3 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Re: Budget\n",
                       10 * DAY / 60, "Ten days later.\n");

    assert_int_equal(t2, t1);
    assert_true(t3 != t1);
}

static void
test_reply_headers_win_over_subject(void **state)
{
    world_t *w = *state;
    gint64 t1 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n"
                          "Message-ID: <b1@example.org>\n",
                       0, budget_body);
    gint64 t2 = record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Travel\n"
                          "Message-ID: <t1@example.org>\n",
                       5, "Could you book the train?\n");
    /* a reply to the travel message, whatever its subject says */
    gint64 t3 = record(w, "From: me@example.org\nTo: alice@example.org\nSubject: Re: Budget\n"
                          "Message-ID: <r1@example.org>\nIn-Reply-To: <t1@example.org>\n",
                       10, "Booked.\n");

    assert_true(t1 != t2);
    assert_int_equal(t3, t2);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_subject_normalisation),
        cmocka_unit_test(test_subject_not_prefixes),
        cmocka_unit_test(test_subject_edges),
        T(test_resolve_reply_joins_parent),
        T(test_resolve_child_before_parent),
        T(test_resolve_late_merge),
        T(test_late_merge_moves_messages_and_asks),
        T(test_subject_fallback_same_people),
        T(test_subject_fallback_not_across_people),
        T(test_subject_fallback_not_outside_window),
        T(test_subject_fallback_window_configurable),
        T(test_reply_headers_win_over_subject),
    };

    return cmocka_run_group_tests_name("thread", tests, NULL, NULL);
}
