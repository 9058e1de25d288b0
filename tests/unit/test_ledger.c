/* test_ledger.c - unit tests for lib/ledger.c: recording, asks and
 * answers, the balance and the tags. */
#include "unit.h"

#include "ledger.h"

#define OWNER "me@example.org"
#define ALICE "alice@example.org"
#define BOB "bob@example.org"
/* Tue, 14 Nov 2023 10:00:00 +0000 */
#define T0 1699956000
#define MINUTE 60
#define DAY_MINUTES(n) ((n) * 24 * 60)

typedef struct world world_t;
struct world {
    char *dir;
    char *path;
    tw_store_t *store;
    tw_config_t *cfg;
    void (*reset)(world_t *w); /* starts again with an empty database */
};

static void
reset(world_t *w)
{
    tw_error_t err = {{0}};
    const char *suffixes[] = {"", "-wal", "-shm"};

    tw_store_close(w->store);
    for (size_t i = 0; i < G_N_ELEMENTS(suffixes); i++) {
        char *p = g_strconcat(w->path, suffixes[i], NULL);
        g_remove(p);
        g_free(p);
    }
    if (tw_store_open(w->path, 2000, true, &w->store, &err) != TW_OK)
        fail_msg("reopen: %s", err.text);
}

static int
setup(void **state)
{
    world_t *w = g_new0(world_t, 1);
    tw_error_t err = {{0}};

    tw_message_init();
    w->dir = unit_tmpdir();
    w->path = g_build_filename(w->dir, "twoway.db", NULL);
    if (tw_store_open(w->path, 2000, true, &w->store, &err) != TW_OK) {
        print_error("%s\n", err.text);
        return -1;
    }
    w->cfg = tw_config_new();
    if (tw_config_set(w->cfg, "Owner", OWNER, "test", &err) != TW_OK)
        return -1;
    w->reset = reset;
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
    g_free(w->path);
    g_free(w);
    return 0;
}

/* The text of a message: headers (each ending in \n), a Date at T0 +
 * minutes (none when minutes is NO_DATE), and the body. */
#define NO_DATE G_MININT64

static char *
message_text(const char *headers, gint64 minutes, const char *body)
{
    if (minutes == NO_DATE)
        return g_strdup_printf("%s\n%s", headers, body);
    GDateTime *dt = g_date_time_new_from_unix_utc(T0 + minutes * MINUTE);
    char *date = g_date_time_format(dt, "%a, %d %b %Y %H:%M:%S +0000");
    char *text = g_strdup_printf("%sDate: %s\n\n%s", headers, date, body);

    g_free(date);
    g_date_time_unref(dt);
    return text;
}

/* Records a message; rec is filled (tw_record_clear). */
static tw_status_t
record_text(world_t *w, const char *text, tw_direction_hint_t hint, gint64 now, tw_record_t *rec,
            tw_error_t *err)
{
    tw_message_t *msg = NULL;
    tw_reading_t r;

    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    assert_true(msg->is_mail);
    tw_read(w->cfg, msg, OWNER, hint, &r);
    tw_status_t st = tw_ledger_record_one(w->store, w->cfg, &r, now, rec, err);
    tw_reading_clear(&r);
    tw_message_free(msg);
    return st;
}

static void
record(world_t *w, const char *headers, gint64 minutes, const char *body, tw_record_t *rec)
{
    char *text = message_text(headers, minutes, body);
    tw_error_t err = {{0}};

    if (record_text(w, text, TW_HINT_AUTO, T0, rec, &err) != TW_OK)
        fail_msg("record: %s", err.text);
    g_free(text);
}

/* Records and forgets the record; returns whether it was new. */
static bool
record_quiet(world_t *w, const char *headers, gint64 minutes, const char *body)
{
    tw_record_t rec;

    record(w, headers, minutes, body, &rec);
    bool recorded = rec.recorded;
    tw_record_clear(&rec);
    return recorded;
}

static gint64
owner_id(world_t *w)
{
    gint64 id = 0;

    assert_int_equal(tw_store_owner(w->store, OWNER, false, &id), TW_OK);
    assert_true(id > 0);
    return id;
}

static int
open_asks(world_t *w, tw_direction_t dir, const char *addr)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(tw_ask_row_free);

    assert_int_equal(tw_store_open_asks(w->store, owner_id(w), dir, G_MININT64, addr, 0, rows),
                     TW_OK);
    int n = (int)rows->len;
    g_ptr_array_free(rows, TRUE);
    return n;
}

/* The ledger row of addr (tw_ledger_row_clear). */
static tw_ledger_row_t
ledger_of(world_t *w, const char *addr)
{
    GPtrArray *rows = g_ptr_array_new();
    tw_ledger_row_t row;

    assert_int_equal(tw_store_ledger(w->store, owner_id(w), G_MININT64, addr, rows), TW_OK);
    assert_int_equal(rows->len, 1);
    row = *(tw_ledger_row_t *)rows->pdata[0];
    g_free(rows->pdata[0]);
    g_ptr_array_free(rows, TRUE);
    return row;
}

static gint
by_address(gconstpointer a, gconstpointer b)
{
    const tw_ledger_row_t *x = *(tw_ledger_row_t *const *)a;
    const tw_ledger_row_t *y = *(tw_ledger_row_t *const *)b;

    return strcmp(x->address, y->address);
}

typedef struct {
    int received, sent, you_owe, they_owe;
} balance_t;

static balance_t
balance(world_t *w, const char *addr)
{
    balance_t b;

    assert_int_equal(tw_store_balance(w->store, owner_id(w), addr, &b.received, &b.sent,
                                      &b.you_owe, &b.they_owe),
                     TW_OK);
    return b;
}

static gint64
message_count(world_t *w)
{
    tw_stats_t s;

    assert_int_equal(tw_store_stats(w->store, owner_id(w), &s), TW_OK);
    return s.messages;
}

static const char ask_headers[] = "From: Alice <alice@example.org>\n"
                                  "To: Me <me@example.org>\n"
                                  "Subject: Budget\n"
                                  "Message-ID: <ask1@example.org>\n";
static const char ask_body[] = "Hi,\n\nCould you send me the budget figures by Friday?\n\n"
                               "Thanks,\nAlice\n";
static const char reply_headers[] = "From: Me <me@example.org>\n"
                                    "To: Alice <alice@example.org>\n"
                                    "Subject: Re: Budget\n"
                                    "Message-ID: <reply1@example.org>\n"
                                    "In-Reply-To: <ask1@example.org>\n"
                                    "References: <ask1@example.org>\n";
static const char reply_body[] = "Here they are.\n\n> Could you send me the budget figures?\n";

static void
test_ask_then_reply_closes_it(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    record(w, ask_headers, 0, ask_body, &rec);
    assert_true(rec.recorded);
    assert_true(rec.message_row > 0);
    assert_true(rec.thread > 0);
    assert_int_equal(rec.answered, 0);
    /* the tags of an incoming ask */
    assert_true(rec.tags.ask);
    assert_true(rec.tags.score >= 0.5 && rec.tags.score <= 1.0);
    assert_string_equal(rec.tags.cue, "Could you send me the budget figures by Friday?");
    assert_true(rec.tags.balance);
    assert_string_equal(rec.tags.correspondent, ALICE);
    assert_int_equal(rec.tags.received, 1);
    assert_int_equal(rec.tags.sent, 0);
    assert_int_equal(rec.tags.you_owe, 1);
    assert_int_equal(rec.tags.they_owe, 0);
    assert_true(rec.tags.thread);
    assert_int_equal(rec.tags.thread_asks, 1);
    assert_int_equal(rec.tags.since, T0);
    gint64 thread = rec.thread;
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);

    record(w, reply_headers, 90, reply_body, &rec);
    assert_true(rec.recorded);
    assert_int_equal(rec.answered, 1);
    assert_int_equal(rec.thread, thread);
    /* outgoing mail gets no tags */
    assert_false(rec.tags.ask);
    assert_false(rec.tags.balance);
    assert_false(rec.tags.thread);
    tw_record_clear(&rec);

    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);
    /* the question quoted in the reply is no ask of the owner's */
    assert_int_equal(open_asks(w, TW_DIR_OUT, NULL), 0);
    balance_t b = balance(w, ALICE);
    assert_int_equal(b.received, 1);
    assert_int_equal(b.sent, 1);
    assert_int_equal(b.you_owe, 0);
    assert_int_equal(b.they_owe, 0);

    /* the ledger knows the reply time */
    GPtrArray *rows = g_ptr_array_new();
    assert_int_equal(tw_store_ledger(w->store, owner_id(w), G_MININT64, ALICE, rows), TW_OK);
    assert_int_equal(rows->len, 1);
    tw_ledger_row_t *row = rows->pdata[0];
    assert_int_equal(row->asks_from, 1);
    assert_int_equal(row->answered_from, 1);
    assert_int_equal(row->open_from, 0);
    assert_int_equal(row->replies_owner, 1);
    assert_float_equal(row->reply_owner, 90 * MINUTE, 1e-6);
    assert_int_equal(row->started_by_them, 1);
    tw_ledger_row_clear(row);
    g_free(row);
    g_ptr_array_free(rows, TRUE);
}

static void
test_thanks_answers_nothing(void **state)
{
    world_t *w = *state;

    assert_true(record_quiet(w, ask_headers, 0, ask_body));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);
    /* the owner's "Thanks!" in reply leaves the ask open */
    assert_true(record_quiet(w, reply_headers, 30, "Thanks!\n\n> Could you send me the budget figures?\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);
    /* a real answer closes it */
    assert_true(record_quiet(w,
                             "From: Me <me@example.org>\nTo: Alice <alice@example.org>\n"
                             "Subject: Re: Budget\nMessage-ID: <reply2@example.org>\n"
                             "In-Reply-To: <ask1@example.org>\nReferences: <ask1@example.org>\n",
                             60, reply_body));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 0);
}

static void
test_reply_before_ask(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    /* an import that meets the answer first */
    record(w, reply_headers, 90, reply_body, &rec);
    assert_true(rec.recorded);
    assert_int_equal(rec.answered, 0);
    tw_record_clear(&rec);

    record(w, ask_headers, 0, ask_body, &rec);
    assert_true(rec.recorded);
    assert_true(rec.tags.ask);
    assert_false(rec.tags.thread);
    assert_int_equal(rec.tags.you_owe, 0);
    tw_record_clear(&rec);

    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);
    GPtrArray *rows = g_ptr_array_new();
    assert_int_equal(tw_store_ledger(w->store, owner_id(w), G_MININT64, ALICE, rows), TW_OK);
    assert_int_equal(rows->len, 1);
    tw_ledger_row_t *row = rows->pdata[0];
    assert_int_equal(row->asks_from, 1);
    assert_int_equal(row->answered_from, 1);
    assert_int_equal(row->replies_owner, 1);
    assert_float_equal(row->reply_owner, 90 * MINUTE, 1e-6);
    tw_ledger_row_clear(row);
    g_free(row);
    g_ptr_array_free(rows, TRUE);
}

static void
test_headerless_reply_in_thread_closes(void **state)
{
    world_t *w = *state;

    assert_true(record_quiet(w, ask_headers, 0, ask_body));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);

    /* the owner writes to someone else: nothing closes */
    assert_true(record_quiet(w, "From: me@example.org\nTo: bob@example.org\nSubject: Re: Budget\n",
                             30, "Bob, do you have the figures?\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);

    /* a reply without In-Reply-To or References, same subject, to Alice */
    tw_record_t rec;
    record(w, "From: me@example.org\nTo: alice@example.org\nSubject: RE: Budget\n", 60,
           "Attached.\n", &rec);
    assert_int_equal(rec.answered, 1);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 0);
}

static void
test_headerless_ask_and_reply(void **state)
{
    world_t *w = *state;

    /* neither message has a Message-ID (the Enron corpus) */
    assert_true(record_quiet(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n",
                             0, ask_body));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\nSubject: Re: Budget\n",
                             60, "Attached.\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 0);
}

static void
test_headerless_reply_before_ask(void **state)
{
    world_t *w = *state;

    /* imported out of order, neither with reply headers */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\nSubject: Re: Budget\n",
                             60, "Attached.\n"));
    tw_record_t rec;
    record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Budget\n", 0, ask_body, &rec);
    assert_true(rec.tags.ask);
    assert_int_equal(rec.tags.you_owe, 0);
    assert_false(rec.tags.thread);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 0);
}

static void
test_headerless_earlier_message_does_not_answer(void **state)
{
    world_t *w = *state;

    /* the owner wrote in the thread before Alice asked */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\nSubject: Budget\n",
                             0, "Here is the draft budget.\n"));
    assert_true(record_quiet(w, "From: alice@example.org\nTo: me@example.org\nSubject: Re: Budget\n",
                             60, "Could you add the travel costs?\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);

    /* the same, imported the other way round */
    assert_true(record_quiet(w, "From: bob@example.org\nTo: me@example.org\nSubject: Re: Plan\n",
                             60, "Could you add the hotel costs?\n"));
    assert_true(record_quiet(w, "From: me@example.org\nTo: bob@example.org\nSubject: Plan\n",
                             0, "Here is the plan.\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, BOB), 1);
}

static void
test_headerless_answer_to_two_people(void **state)
{
    world_t *w = *state;

    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org, bob@example.org\n"
                                "Subject: Talk\n",
                             0, "Could you two decide who gives the talk on Monday?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, NULL), 2);
    assert_true(record_quiet(w, "From: bob@example.org\nTo: me@example.org\nSubject: Re: Talk\n",
                             30, "I will do it.\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, NULL), 0);
}

static void
test_two_owners_separate_ledgers(void **state)
{
    world_t *w = *state;
    tw_error_t err;
    const char *text = "From: alice@example.org\nTo: me@example.org, you@example.org\n"
                       "Subject: Plan\nMessage-ID: <plan@example.org>\n"
                       "Date: Tue, 14 Nov 2023 10:00:00 +0000\n\n"
                       "Could you both confirm the plan?\n";
    tw_message_t *msg = NULL;
    tw_record_t rec;

    assert_int_equal(tw_config_set(w->cfg, "Owner", "you@example.org", "test", &err), TW_OK);
    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    for (int i = 0; i < 2; i++) {
        tw_reading_t r;
        const char *owner = i ? "you@example.org" : OWNER;
        tw_read(w->cfg, msg, owner, TW_HINT_AUTO, &r);
        assert_int_equal(tw_ledger_record_one(w->store, w->cfg, &r, T0, &rec, &err), TW_OK);
        /* the same message is new in each owner's ledger */
        assert_true(rec.recorded);
        assert_int_equal(rec.tags.received, 1);
        assert_int_equal(rec.tags.you_owe, 1);
        tw_record_clear(&rec);
        tw_reading_clear(&r);
    }
    tw_message_free(msg);

    /* one owner's answer closes only that owner's ask */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\nSubject: Re: Plan\n"
                                "Message-ID: <plan-re@example.org>\n"
                                "In-Reply-To: <plan@example.org>\n",
                             30, "Confirmed.\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);
    gint64 you = 0;
    assert_int_equal(tw_store_owner(w->store, "you@example.org", false, &you), TW_OK);
    GPtrArray *rows = g_ptr_array_new_with_free_func(tw_ask_row_free);
    assert_int_equal(tw_store_open_asks(w->store, you, TW_DIR_IN, G_MININT64, NULL, 0, rows),
                     TW_OK);
    assert_int_equal(rows->len, 1);
    g_ptr_array_free(rows, TRUE);
    int received, sent, you_owe, they_owe;
    assert_int_equal(tw_store_balance(w->store, you, ALICE, &received, &sent, &you_owe, &they_owe),
                     TW_OK);
    assert_int_equal(sent, 0);
    assert_int_equal(you_owe, 1);
}

static void
test_bulk_never_opens(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    record(w, "From: Alice <alice@example.org>\nTo: me@example.org\nSubject: Survey\n"
              "Message-ID: <bulk1@example.org>\nPrecedence: bulk\n",
           0, "Could you fill in our survey by Friday?\n", &rec);
    assert_true(rec.recorded);
    assert_false(rec.tags.ask);
    assert_false(rec.tags.balance);
    assert_false(rec.tags.thread);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);

    record(w, "From: noreply@shop.example\nTo: me@example.org\nSubject: Your order\n"
              "Message-ID: <bulk2@shop.example>\n",
           5, "Could you rate your purchase?\n", &rec);
    assert_false(rec.tags.ask);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);
    /* and bulk mail is no human mail in the balance */
    balance_t b = balance(w, ALICE);
    assert_int_equal(b.received, 0);
}

static void
test_bulk_never_closes(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    assert_true(record_quiet(w, ask_headers, 0, ask_body));
    /* the owner's vacation auto-reply names the ask */
    record(w, "From: me@example.org\nTo: alice@example.org\nSubject: Out of Office: Budget\n"
              "Message-ID: <ooo@example.org>\nIn-Reply-To: <ask1@example.org>\n"
              "References: <ask1@example.org>\nAuto-Submitted: auto-replied\n",
           1, "I am away until Monday.\n", &rec);
    assert_true(rec.recorded);
    assert_int_equal(rec.answered, 0);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);

    /* the mirror: the owner asks, an auto-reply comes back */
    assert_true(record_quiet(w, "From: me@example.org\nTo: bob@example.org\nSubject: Keys\n"
                                "Message-ID: <keys@example.org>\n",
                             10, "Could you leave the keys at the desk?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 1);
    record(w, "From: bob@example.org\nTo: me@example.org\nSubject: Automatic reply: Keys\n"
              "Message-ID: <bob-ooo@example.org>\nIn-Reply-To: <keys@example.org>\n"
              "Auto-Submitted: auto-replied\n",
           11, "I am out of the office.\n", &rec);
    assert_int_equal(rec.answered, 0);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 1);
    /* and a bounce does not either */
    record(w, "From: MAILER-DAEMON@mx.example.org\nTo: me@example.org\n"
              "Subject: Undelivered Mail Returned to Sender\nReturn-Path: <>\n"
              "Message-ID: <bounce@mx.example.org>\nReferences: <keys@example.org>\n",
           12, "Could not deliver.\n", &rec);
    assert_int_equal(rec.answered, 0);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 1);
}

static void
test_incoming_reply_closes_owner_ask(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    assert_true(record_quiet(w, "From: me@example.org\nTo: bob@example.org\nSubject: Keys\n"
                                "Message-ID: <keys@example.org>\n",
                             0, "Could you leave the keys at the desk?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 1);
    assert_int_equal(balance(w, BOB).they_owe, 1);

    record(w, "From: bob@example.org\nTo: me@example.org\nSubject: Re: Keys\n"
              "Message-ID: <keys-re@example.org>\nIn-Reply-To: <keys@example.org>\n",
           45, "Done.\n", &rec);
    assert_int_equal(rec.answered, 1);
    assert_true(rec.tags.balance);
    assert_int_equal(rec.tags.they_owe, 0);
    assert_int_equal(rec.tags.sent, 1);
    assert_int_equal(rec.tags.received, 1);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 0);
}

static void
test_follow_up_is_a_chase(void **state)
{
    world_t *w = *state;
    GPtrArray *rows = g_ptr_array_new_with_free_func(tw_ask_row_free);

    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\nSubject: Draft\n"
                                "Message-ID: <o1@example.org>\n",
                             0, "Could you review my draft?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, ALICE), 1);

    /* the owner asks again in the same thread */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\n"
                                "Subject: Re: Draft\nMessage-ID: <o2@example.org>\n"
                                "In-Reply-To: <o1@example.org>\nReferences: <o1@example.org>\n",
                             DAY_MINUTES(2), "Any news? Could you take a look this week?\n"));
    assert_int_equal(tw_store_open_asks(w->store, owner_id(w), TW_DIR_OUT, G_MININT64, ALICE, 0,
                                        rows),
                     TW_OK);
    assert_int_equal(rows->len, 1);
    tw_ask_row_t *a = rows->pdata[0];
    assert_int_equal(a->chases, 1);
    assert_string_equal(a->message_id, "o1@example.org");
    assert_int_equal(a->asked_at, T0);
    g_ptr_array_set_size(rows, 0);
    assert_int_equal(balance(w, ALICE).they_owe, 1);

    /* Alice answers the follow-up: the first ask is answered too */
    assert_true(record_quiet(w, "From: alice@example.org\nTo: me@example.org\n"
                                "Subject: Re: Draft\nMessage-ID: <a1@example.org>\n"
                                "In-Reply-To: <o2@example.org>\n"
                                "References: <o1@example.org> <o2@example.org>\n",
                             DAY_MINUTES(3), "Looks good.\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, ALICE), 0);
    g_ptr_array_free(rows, TRUE);
}

static void
test_follow_up_adding_a_person(void **state)
{
    world_t *w = *state;

    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\nSubject: Draft\n"
                                "Message-ID: <o1@example.org>\n",
                             0, "Could you review my draft?\n"));
    /* the follow-up chases Alice and asks Bob for the first time */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org, bob@example.org\n"
                                "Subject: Re: Draft\nMessage-ID: <o2@example.org>\n"
                                "In-Reply-To: <o1@example.org>\nReferences: <o1@example.org>\n",
                             DAY_MINUTES(2), "Could you two review it this week?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, ALICE), 1);
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 1);
}

static void
test_message_without_sender(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    record(w, "To: me@example.org\nSubject: Who?\nMessage-ID: <nofrom@example.org>\n", 0,
           "Could you call me back?\n", &rec);
    assert_true(rec.recorded);
    assert_false(rec.tags.ask);
    assert_false(rec.tags.balance);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);
    assert_int_equal(message_count(w), 1);
}

static void
test_ask_to_two_people(void **state)
{
    world_t *w = *state;
    GPtrArray *rows = g_ptr_array_new_with_free_func(tw_ask_row_free);

    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org, bob@example.org\n"
                                "Cc: carol@example.org\nSubject: Talk\n"
                                "Message-ID: <talk@example.org>\n",
                             0, "Could you two decide who gives the talk on Monday?\n"));
    assert_int_equal(tw_store_open_asks(w->store, owner_id(w), TW_DIR_OUT, G_MININT64, NULL, 0,
                                        rows),
                     TW_OK);
    /* asked: the people in To, not Cc */
    assert_int_equal(rows->len, 2);
    assert_int_equal(((tw_ask_row_t *)rows->pdata[0])->recipients, 2);
    assert_int_equal(open_asks(w, TW_DIR_OUT, "carol@example.org"), 0);

    tw_record_t rec;
    record(w, "From: bob@example.org\nTo: me@example.org, alice@example.org\n"
              "Subject: Re: Talk\nMessage-ID: <talk-re@example.org>\n"
              "In-Reply-To: <talk@example.org>\n",
           30, "I will do it.\n", &rec);
    assert_true(rec.answered >= 1);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_OUT, NULL), 0);
    assert_int_equal(balance(w, ALICE).they_owe, 0);
    assert_int_equal(balance(w, BOB).they_owe, 0);
    g_ptr_array_free(rows, TRUE);
}

static void
test_ask_to_two_people_per_person(void **state)
{
    world_t *w = *state;
    tw_error_t err;

    assert_int_equal(tw_config_set(w->cfg, "PerPersonAsks", "yes", "test", &err), TW_OK);
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org, bob@example.org\n"
                                "Subject: Talk\nMessage-ID: <talk@example.org>\n",
                             0, "Could you both send me your slides by Monday?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, NULL), 2);
    /* Bob answers: his part is done, Alice still owes hers */
    assert_true(record_quiet(w, "From: bob@example.org\nTo: me@example.org\n"
                                "Subject: Re: Talk\nMessage-ID: <talk-re@example.org>\n"
                                "In-Reply-To: <talk@example.org>\n",
                             30, "Here are mine.\n"));
    assert_int_equal(balance(w, BOB).they_owe, 0);
    assert_int_equal(balance(w, ALICE).they_owe, 1);
    assert_true(record_quiet(w, "From: alice@example.org\nTo: me@example.org\n"
                                "Subject: Re: Talk\nMessage-ID: <talk-re2@example.org>\n"
                                "In-Reply-To: <talk@example.org>\n",
                             60, "Attached.\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, NULL), 0);
}

static void
test_one_way_sender_is_bulk(void **state)
{
    world_t *w = *state;
    char headers[256];

    /* ten mails from one sender, never answered */
    for (int k = 0; k < 10; k++) {
        g_snprintf(headers, sizeof headers,
                   "From: Deals <deals@shop.example>\nTo: me@example.org\n"
                   "Subject: Offer %d\nMessage-ID: <offer%d@shop.example>\n", k, k);
        assert_true(record_quiet(w, headers, k, "Could you tell us what you think of our shop?\n"));
    }
    int asked = open_asks(w, TW_DIR_IN, "deals@shop.example");
    assert_int_equal(asked, 10);
    /* the eleventh asks nothing: the stream only ever goes one way, and
     * what it asked before is set aside, neither open nor answered */
    tw_record_t rec;
    record(w, "From: Deals <deals@shop.example>\nTo: me@example.org\nSubject: Offer 10\n"
              "Message-ID: <offer10@shop.example>\n",
           11, "Could you tell us what you think of our shop?\n", &rec);
    assert_false(rec.tags.ask);
    assert_false(rec.tags.balance);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, "deals@shop.example"), 0);
    tw_ledger_row_t row = ledger_of(w, "deals@shop.example");
    assert_int_equal(row.received, 10);
    assert_int_equal(row.bulk_received, 1);
    assert_int_equal(row.asks_from, asked);
    assert_int_equal(row.answered_from, 0);
    assert_int_equal(row.open_from, 0);
    tw_ledger_row_clear(&row);

    /* once the owner has answered, the sender is a correspondent again */
    assert_true(record_quiet(w, "From: me@example.org\nTo: deals@shop.example\nSubject: Re: Offer\n"
                                "Message-ID: <answer@example.org>\n",
                             12, "It is fine.\n"));
    record(w, "From: Deals <deals@shop.example>\nTo: me@example.org\nSubject: Offer 11\n"
              "Message-ID: <offer11@shop.example>\n",
           13, "Could you tell us what you think of our shop?\n", &rec);
    assert_true(rec.tags.ask);
    tw_record_clear(&rec);
    /* what was set aside before the owner wrote stays so */
    assert_int_equal(open_asks(w, TW_DIR_IN, "deals@shop.example"), 1);
}

static void
test_same_message_twice(void **state)
{
    world_t *w = *state;
    tw_record_t first, second;

    record(w, ask_headers, 0, ask_body, &first);
    record(w, ask_headers, 0, ask_body, &second);
    assert_true(first.recorded);
    assert_false(second.recorded);
    assert_int_equal(second.message_row, first.message_row);
    assert_int_equal(second.thread, first.thread);
    /* the tags are the same, counted once */
    assert_true(second.tags.balance);
    assert_int_equal(second.tags.received, 1);
    assert_int_equal(second.tags.you_owe, 1);
    tw_record_clear(&first);
    tw_record_clear(&second);
    assert_int_equal(message_count(w), 1);
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 1);
}

static void
test_copy_with_other_message_id(void **state)
{
    world_t *w = *state;

    assert_true(record_quiet(w, ask_headers, 0, ask_body));
    /* the same mail seen again with another id and other trace headers */
    assert_false(record_quiet(w,
                              "Received: from relay.example.net by mx.example.org\n"
                              "X-Twoway-Ask: yes\n"
                              "From: Alice <alice@example.org>\n"
                              "To: Me <me@example.org>\n"
                              "Subject: Budget\n"
                              "Message-ID: <ask1-copy@relay.example.net>\n",
                              0, ask_body));
    assert_int_equal(message_count(w), 1);
    assert_int_equal(balance(w, ALICE).received, 1);
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 1);

    /* and a header-less message twice */
    assert_true(record_quiet(w, "From: bob@example.org\nTo: me@example.org\nSubject: Hi\n", 10,
                             "Lunch?\n"));
    assert_false(record_quiet(w, "From: bob@example.org\nTo: me@example.org\nSubject: Hi\n", 10,
                              "Lunch?\n"));
    assert_int_equal(message_count(w), 2);
}

static void
test_balance_after_several_messages(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    /* 1: Alice asks */
    assert_true(record_quiet(w, ask_headers, 0, ask_body));
    /* 2: the owner answers and asks back */
    assert_true(record_quiet(w, reply_headers, 60,
                             "Here they are. Could you also send me the Q4 numbers?\n"));
    /* 3: Alice thanks, no ask */
    assert_true(record_quiet(w, "From: alice@example.org\nTo: me@example.org\n"
                                "Subject: Thanks\nMessage-ID: <thanks@example.org>\n",
                             120, "Thanks a lot!\n"));
    /* 4: Alice asks again, elsewhere */
    record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Room\n"
              "Message-ID: <room@example.org>\n",
           180, "Could you book the room for Monday?\n", &rec);
    assert_true(rec.tags.ask);
    assert_int_equal(rec.tags.received, 3);
    assert_int_equal(rec.tags.sent, 1);
    assert_int_equal(rec.tags.you_owe, 1);
    assert_int_equal(rec.tags.they_owe, 1);
    assert_true(rec.tags.thread);
    assert_int_equal(rec.tags.thread_asks, 1);
    assert_int_equal(rec.tags.since, T0 + 180 * MINUTE);
    tw_record_clear(&rec);
    /* 5: the owner writes to Bob: not Alice's */
    assert_true(record_quiet(w, "From: me@example.org\nTo: bob@example.org\nSubject: Lunch\n"
                                "Message-ID: <lunch@example.org>\n",
                             200, "See you at noon.\n"));
    /* 6: the owner writes to Alice about something else */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org, bob@example.org\n"
                                "Subject: Party\nMessage-ID: <party@example.org>\n",
                             240, "The party is on Friday.\n"));

    balance_t b = balance(w, ALICE);
    assert_int_equal(b.received, 3);
    assert_int_equal(b.sent, 2);
    assert_int_equal(b.you_owe, 1);
    assert_int_equal(b.they_owe, 1);
    b = balance(w, BOB);
    assert_int_equal(b.received, 0);
    assert_int_equal(b.sent, 2);
    assert_int_equal(b.you_owe, 0);
    assert_int_equal(b.they_owe, 0);
}

static void
test_thread_tag_counts_open_asks(void **state)
{
    world_t *w = *state;
    tw_record_t rec;

    assert_true(record_quiet(w, ask_headers, 0, ask_body));
    record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Re: Budget\n"
              "Message-ID: <ask2@example.org>\nIn-Reply-To: <ask1@example.org>\n",
           30, "And could you also send last year's figures?\n", &rec);
    assert_true(rec.tags.thread);
    assert_int_equal(rec.tags.thread_asks, 2);
    assert_int_equal(rec.tags.since, T0);
    assert_int_equal(rec.tags.you_owe, 2);
    tw_record_clear(&rec);

    /* a message in the thread that asks nothing still shows it */
    record(w, "From: alice@example.org\nTo: me@example.org\nSubject: Re: Budget\n"
              "Message-ID: <ask3@example.org>\nIn-Reply-To: <ask2@example.org>\n",
           40, "Thanks again for your help.\n", &rec);
    assert_false(rec.tags.ask);
    assert_true(rec.tags.thread);
    assert_int_equal(rec.tags.thread_asks, 2);
    tw_record_clear(&rec);

    /* answering the latest names both in its References */
    record(w, "From: me@example.org\nTo: alice@example.org\nSubject: Re: Budget\n"
              "Message-ID: <done@example.org>\nIn-Reply-To: <ask3@example.org>\n"
              "References: <ask1@example.org> <ask2@example.org> <ask3@example.org>\n",
           50, "Both attached.\n", &rec);
    assert_int_equal(rec.answered, 2);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);
}

static void
test_reply_further_down_the_branch(void **state)
{
    world_t *w = *state;

    assert_true(record_quiet(w, ask_headers, 0, ask_body));
    /* a side branch that does not name the ask closes nothing */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\n"
                                "Subject: Re: Budget\nMessage-ID: <side@example.org>\n"
                                "In-Reply-To: <other@example.org>\n"
                                "References: <root@example.org> <other@example.org>\n",
                             20, "About the other thing: fine.\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);
    /* Alice writes again below her ask; the owner replies to that */
    assert_true(record_quiet(w, "From: alice@example.org\nTo: me@example.org\n"
                                "Subject: Re: Budget\nMessage-ID: <more@example.org>\n"
                                "In-Reply-To: <ask1@example.org>\n"
                                "References: <ask1@example.org>\n",
                             30, "Some more context for you.\n"));
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\n"
                                "Subject: Re: Budget\nMessage-ID: <answer@example.org>\n"
                                "In-Reply-To: <more@example.org>\n"
                                "References: <ask1@example.org> <more@example.org>\n",
                             40, "Here you go.\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 0);
}

static void
test_list_traffic_not_in_balance(void **state)
{
    world_t *w = *state;
    tw_record_t rec;
    const char *list = "List-Id: <dev.lists.example.org>\n"
                       "List-Post: <mailto:dev@lists.example.org>\n";
    char *h = g_strconcat("From: alice@example.org\nTo: dev@lists.example.org\n"
                          "Subject: [dev] help\nMessage-ID: <l1@example.org>\n",
                          list, NULL);

    record(w, h, 0, "Could anyone review my patch?\n", &rec);
    assert_true(rec.recorded);
    assert_false(rec.tags.ask);
    assert_false(rec.tags.balance);
    tw_record_clear(&rec);
    assert_int_equal(open_asks(w, TW_DIR_IN, NULL), 0);
    assert_int_equal(balance(w, ALICE).received, 0);
    g_free(h);

    /* addressed to the owner, it is personal */
    h = g_strconcat("From: alice@example.org\nTo: me@example.org\nCc: dev@lists.example.org\n"
                    "Subject: [dev] help\nMessage-ID: <l2@example.org>\n",
                    list, NULL);
    record(w, h, 10, "Could you review my patch?\n", &rec);
    assert_true(rec.tags.ask);
    assert_true(rec.tags.balance);
    assert_int_equal(rec.tags.received, 1);
    tw_record_clear(&rec);
    /* the list itself is no correspondent */
    assert_int_equal(balance(w, "dev@lists.example.org").received, 0);
    assert_int_equal(open_asks(w, TW_DIR_IN, "dev@lists.example.org"), 0);
    g_free(h);
}

static void
test_missing_date_uses_now(void **state)
{
    world_t *w = *state;
    char *text = message_text(
        "From: alice@example.org\nTo: me@example.org\nSubject: Undated\n"
        "Message-ID: <undated@example.org>\n",
        NO_DATE, "Could you call me?\n");
    tw_record_t rec;
    tw_error_t err = {{0}};

    assert_int_equal(record_text(w, text, TW_HINT_AUTO, T0 + 12345, &rec, &err), TW_OK);
    assert_true(rec.tags.thread);
    assert_int_equal(rec.tags.since, T0 + 12345);
    tw_record_clear(&rec);
    g_free(text);
}

static void
test_busy_database(void **state)
{
    world_t *w = *state;
    tw_store_t *other = NULL;
    tw_error_t err = {{0}};
    tw_record_t rec;
    char *text = message_text(ask_headers, 0, ask_body);

    assert_int_equal(tw_store_open(w->path, 2000, false, &other, &err), TW_OK);
    assert_int_equal(tw_store_begin(other), TW_OK);
    tw_store_close(w->store);
    assert_int_equal(tw_store_open(w->path, 50, false, &w->store, &err), TW_OK);

    tw_status_t st = record_text(w, text, TW_HINT_AUTO, T0, &rec, &err);
    assert_int_equal(st, TW_ERR_DB_BUSY);
    assert_true(err.text[0] != '\0');
    assert_false(rec.tags.ask);
    assert_null(rec.tags.cue);

    tw_store_rollback(other);
    tw_store_close(other);
    memset(&err, 0, sizeof err);
    assert_int_equal(record_text(w, text, TW_HINT_AUTO, T0, &rec, &err), TW_OK);
    assert_true(rec.recorded);
    tw_record_clear(&rec);
    assert_int_equal(message_count(w), 1);
    g_free(text);
}

static void
test_batch_rolled_back(void **state)
{
    world_t *w = *state;
    tw_message_t *msg = NULL;
    tw_reading_t r;
    tw_record_t rec;
    tw_error_t err = {{0}};
    char *text = message_text(ask_headers, 0, ask_body);

    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    tw_read(w->cfg, msg, OWNER, TW_HINT_AUTO, &r);
    assert_int_equal(tw_store_begin(w->store), TW_OK);
    assert_int_equal(tw_ledger_record(w->store, w->cfg, &r, T0, true, &rec, &err), TW_OK);
    assert_true(rec.recorded);
    tw_record_clear(&rec);
    tw_store_rollback(w->store);
    /* nothing of it was kept */
    assert_int_equal(tw_store_begin(w->store), TW_OK);
    assert_int_equal(tw_ledger_record(w->store, w->cfg, &r, T0, true, &rec, &err), TW_OK);
    assert_true(rec.recorded);
    tw_record_clear(&rec);
    assert_int_equal(tw_store_commit(w->store), TW_OK);
    assert_int_equal(message_count(w), 1);
    tw_reading_clear(&r);
    tw_message_free(msg);
    g_free(text);
}


/* Recording out of order: the rules give what recording in date order
 * gives. */

/* The open asks of dir as "message-id correspondent chases" lines. */
static char *
open_list(world_t *w, tw_direction_t dir)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(tw_ask_row_free);
    GString *out = g_string_new(NULL);

    assert_int_equal(tw_store_open_asks(w->store, owner_id(w), dir, G_MININT64, NULL, 0, rows),
                     TW_OK);
    for (guint i = 0; i < rows->len; i++) {
        tw_ask_row_t *a = rows->pdata[i];
        g_string_append_printf(out, "%s %s %d\n", a->message_id ? a->message_id : "-",
                               a->correspondent, a->chases);
    }
    g_ptr_array_free(rows, TRUE);
    return g_string_free(out, FALSE);
}

/* The chases of the open ask of message msgid to addr, -1 when there is
 * none. */
static int
chases_of(world_t *w, const char *msgid, const char *addr)
{
    GPtrArray *rows = g_ptr_array_new_with_free_func(tw_ask_row_free);
    int chases = -1;

    assert_int_equal(tw_store_open_asks(w->store, owner_id(w), TW_DIR_OUT, G_MININT64, addr, 0,
                                        rows),
                     TW_OK);
    for (guint i = 0; i < rows->len; i++) {
        tw_ask_row_t *a = rows->pdata[i];
        if (a->message_id != NULL && strcmp(a->message_id, msgid) == 0)
            chases = a->chases;
    }
    g_ptr_array_free(rows, TRUE);
    return chases;
}

static const char contract_ask[] = "From: me@example.org\nTo: bob@example.org\nSubject: Contract\n"
                                   "Message-ID: <contract@example.org>\n";
static const char contract_body[] = "Hi Bob,\n\nCould you sign the contract and send it back by "
                                    "Friday?\n";

static void
test_thanks_before_ask_answers_nothing(void **state)
{
    world_t *w = *state;

    /* Bob's thank-you is recorded before the owner's ask it follows */
    assert_true(record_quiet(w, "From: bob@example.org\nTo: me@example.org\nSubject: Re: Contract\n"
                                "Message-ID: <thanks@example.org>\n"
                                "In-Reply-To: <contract@example.org>\n"
                                "References: <contract@example.org>\n",
                             DAY_MINUTES(1), "Thanks, got it.\n\n> Could you sign the contract?\n"));
    assert_true(record_quiet(w, contract_ask, 0, contract_body));
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 1);
    /* an auto-reply recorded first answers nothing either */
    assert_true(record_quiet(w, "From: carol@example.org\nTo: me@example.org\n"
                                "Subject: Automatic reply: Keys\nMessage-ID: <ooo@example.org>\n"
                                "In-Reply-To: <keys@example.org>\nAuto-Submitted: auto-replied\n",
                             61, "I am out of the office until Monday.\n"));
    assert_true(record_quiet(w, "From: me@example.org\nTo: carol@example.org\nSubject: Keys\n"
                                "Message-ID: <keys@example.org>\n",
                             60, "Could you leave the keys at the desk?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, "carol@example.org"), 1);
    /* and the mirror, without reply headers: the owner's thanks to
     * Alice, recorded before her ask */
    assert_true(record_quiet(w, "From: me@example.org\nTo: alice@example.org\nSubject: Re: Plan\n",
                             30, "Thanks a lot!\n"));
    assert_true(record_quiet(w, "From: alice@example.org\nTo: me@example.org\nSubject: Plan\n", 0,
                             "Could you review the plan?\n"));
    assert_int_equal(open_asks(w, TW_DIR_IN, ALICE), 1);
    /* a real answer recorded before its ask still answers it */
    assert_true(record_quiet(w, "From: bob@example.org\nTo: me@example.org\nSubject: Re: Contract\n"
                                "Message-ID: <signed@example.org>\n"
                                "In-Reply-To: <contract@example.org>\n"
                                "References: <contract@example.org>\n",
                             DAY_MINUTES(2), "Signed and sent.\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, BOB), 0);
}

static const char venue_ask[] = "From: me@example.org\nTo: dave@example.org, erin@example.org\n"
                                "Subject: Venue\nMessage-ID: <venue@example.org>\n";
static const char venue_body[] = "Hi both,\n\nCould you tell me which venue you prefer?\n";
static const char venue_answer[] = "From: dave@example.org\nTo: me@example.org\n"
                                   "Cc: erin@example.org\nSubject: Re: Venue\n"
                                   "Message-ID: <venue-re@example.org>\n"
                                   "In-Reply-To: <venue@example.org>\n"
                                   "References: <venue@example.org>\n";

static void
test_answer_before_ask_per_person(void **state)
{
    world_t *w = *state;
    tw_error_t err;

    /* without PerPersonAsks, Dave's answer closes the ask for both */
    assert_true(record_quiet(w, venue_answer, 60, "The old town hall; it has parking.\n"));
    assert_true(record_quiet(w, venue_ask, 0, venue_body));
    assert_int_equal(open_asks(w, TW_DIR_OUT, NULL), 0);

    /* with it, Dave's answer closes only Dave's, as in date order */
    assert_int_equal(tw_config_set(w->cfg, "PerPersonAsks", "yes", "test", &err), TW_OK);
    assert_true(record_quiet(w, "From: dave@example.org\nTo: me@example.org\n"
                                "Cc: erin@example.org\nSubject: Re: Room\n"
                                "Message-ID: <room-re@example.org>\n"
                                "In-Reply-To: <room@example.org>\n",
                             60, "Room 4, please.\n"));
    assert_true(record_quiet(w, "From: me@example.org\nTo: dave@example.org, erin@example.org\n"
                                "Subject: Room\nMessage-ID: <room@example.org>\n",
                             0, "Could you tell me which room you want?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, "dave@example.org"), 0);
    assert_int_equal(open_asks(w, TW_DIR_OUT, "erin@example.org"), 1);
    /* the same without reply headers */
    assert_true(record_quiet(w, "From: erin@example.org\nTo: me@example.org\n"
                                "Subject: Re: Dates\n",
                             DAY_MINUTES(1) + 60, "Tuesday suits me.\n"));
    assert_true(record_quiet(w, "From: me@example.org\nTo: dave@example.org, erin@example.org\n"
                                "Subject: Dates\n",
                             DAY_MINUTES(1), "Could you both tell me which day suits you?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, "dave@example.org"), 1);
    assert_int_equal(open_asks(w, TW_DIR_OUT, "erin@example.org"), 1);
}

static void
test_earliest_answer_counts(void **state)
{
    world_t *w = *state;
    tw_record_t rec;
    gint64 answer = 0, at = 0;

    record(w, ask_headers, 0, ask_body, &rec);
    gint64 ask_row = rec.message_row;
    tw_record_clear(&rec);
    /* the owner's second answer is recorded first, then the first */
    assert_true(record_quiet(w,
                             "From: me@example.org\nTo: alice@example.org\nSubject: Re: Budget\n"
                             "Message-ID: <reply2@example.org>\nIn-Reply-To: <ask1@example.org>\n",
                             120, "And the totals.\n"));
    record(w, reply_headers, 90, reply_body, &rec);
    gint64 first_row = rec.message_row;
    assert_int_equal(rec.answered, 1);
    tw_record_clear(&rec);
    assert_int_equal(tw_store_message_answer(w->store, ask_row, &answer, &at), TW_OK);
    assert_int_equal(answer, first_row);
    assert_int_equal(at, T0 + 90 * MINUTE);
}

static const char slides_ask[] = "From: me@example.org\nTo: carol@example.org\nSubject: Slides\n"
                                 "Message-ID: <s1@example.org>\n";
static const char slides_body[] = "Hi Carol,\n\nCould you send me the slides for the talk?\n";
static const char chase1[] = "From: me@example.org\nTo: carol@example.org\nSubject: Re: Slides\n"
                             "Message-ID: <s2@example.org>\nIn-Reply-To: <s1@example.org>\n"
                             "References: <s1@example.org>\n";
static const char chase2[] = "From: me@example.org\nTo: carol@example.org\nSubject: Re: Slides\n"
                             "Message-ID: <s3@example.org>\nIn-Reply-To: <s2@example.org>\n"
                             "References: <s1@example.org> <s2@example.org>\n";

static void
test_chases_before_ask(void **state)
{
    world_t *w = *state;

    /* the follow-ups are recorded before the ask they chase (an import
     * of files in name order) */
    assert_true(record_quiet(w, chase1, DAY_MINUTES(2), "Hi Carol, just following up on this.\n"));
    assert_true(record_quiet(w, chase2, DAY_MINUTES(6),
                             "Any news on the slides? The talk is on Wednesday.\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, "carol@example.org"), 1); /* s3 asks, so far */
    assert_true(record_quiet(w, slides_ask, 0, slides_body));
    /* one ask, chased twice: the follow-up's own ask is its chase */
    assert_int_equal(open_asks(w, TW_DIR_OUT, "carol@example.org"), 1);
    assert_int_equal(chases_of(w, "s1@example.org", "carol@example.org"), 2);

    /* without reply headers, the same */
    assert_true(record_quiet(w, "From: me@example.org\nTo: dave@example.org\nSubject: Re: Keys\n",
                             DAY_MINUTES(1), "Any news on the keys?\n"));
    assert_true(record_quiet(w, "From: me@example.org\nTo: dave@example.org\nSubject: Keys\n", 0,
                             "Could you leave the keys at the desk?\n"));
    assert_int_equal(open_asks(w, TW_DIR_OUT, "dave@example.org"), 1);
    char *list = open_list(w, TW_DIR_OUT);
    assert_non_null(strstr(list, "dave@example.org 1\n"));
    g_free(list);
}

static void
test_answer_between_follow_ups(void **state)
{
    world_t *w = *state;

    /* the Sent folder first: the ask, then a follow-up that asks again
     * after Carol's answer; her answer comes last */
    assert_true(record_quiet(w, slides_ask, 0, slides_body));
    assert_true(record_quiet(w, "From: me@example.org\nTo: carol@example.org\n"
                                "Subject: Re: Slides\nMessage-ID: <s3@example.org>\n"
                                "In-Reply-To: <s2@example.org>\n"
                                "References: <s1@example.org> <s2@example.org>\n",
                             DAY_MINUTES(2), "Could you also send the handout?\n"));
    /* so far a chase of the first ask */
    assert_int_equal(open_asks(w, TW_DIR_OUT, "carol@example.org"), 1);
    assert_int_equal(chases_of(w, "s1@example.org", "carol@example.org"), 1);
    assert_true(record_quiet(w, "From: carol@example.org\nTo: me@example.org\n"
                                "Subject: Re: Slides\nMessage-ID: <s2@example.org>\n"
                                "In-Reply-To: <s1@example.org>\n"
                                "References: <s1@example.org>\n",
                             DAY_MINUTES(1), "Here they are.\n"));
    /* the first ask was answered before the follow-up: the follow-up is
     * an ask of its own, and nobody's chase */
    assert_int_equal(open_asks(w, TW_DIR_OUT, "carol@example.org"), 1);
    assert_int_equal(chases_of(w, "s3@example.org", "carol@example.org"), 0);
    assert_int_equal(chases_of(w, "s1@example.org", "carol@example.org"), -1);
}

/* Records n mails from seller@shop.example, each an ask in a thread of
 * its own, at minutes first + k. */
static void
record_offers(world_t *w, int from, int to, int first)
{
    char headers[256];

    for (int k = from; k < to; k++) {
        g_snprintf(headers, sizeof headers,
                   "From: Seller <seller@shop.example>\nTo: me@example.org\n"
                   "Subject: Offer %d\nMessage-ID: <offer%d@shop.example>\n", k, k);
        assert_true(record_quiet(w, headers, first + k,
                                 "Could you tell us what you think of our shop?\n"));
    }
}

static const char owner_to_seller[] = "From: me@example.org\nTo: seller@shop.example\n"
                                      "Subject: Re: Offer 2\nMessage-ID: <o-re@example.org>\n"
                                      "In-Reply-To: <offer2@shop.example>\n";

static void
test_one_way_inbox_before_sent(void **state)
{
    world_t *w = *state;

    /* the inbox first: twelve asks, the sender one-way after ten */
    record_offers(w, 0, 12, 0);
    assert_int_equal(open_asks(w, TW_DIR_IN, "seller@shop.example"), 0);
    tw_ledger_row_t row = ledger_of(w, "seller@shop.example");
    assert_int_equal(row.received, 10);
    assert_int_equal(row.bulk_received, 2);
    tw_ledger_row_clear(&row);

    /* then the Sent folder: the owner answered the third, before any
     * rule applied; in date order the sender was never one-way */
    assert_true(record_quiet(w, owner_to_seller, 2, "Yes, it is fine.\n"));
    row = ledger_of(w, "seller@shop.example");
    assert_int_equal(row.received, 12);
    assert_int_equal(row.bulk_received, 0);
    assert_int_equal(row.asks_from, 12);
    assert_int_equal(row.answered_from, 1);
    assert_int_equal(row.open_from, 11);
    tw_ledger_row_clear(&row);
}

static void
test_one_way_sent_before_inbox(void **state)
{
    world_t *w = *state;

    /* the Sent folder first: the owner wrote after the sender's
     * eleventh mail; in date order the rule applied at the eleventh */
    assert_true(record_quiet(w,
                             "From: me@example.org\nTo: seller@shop.example\n"
                             "Subject: Stop\nMessage-ID: <stop@example.org>\n",
                             11, "Please stop writing to me.\n"));
    record_offers(w, 0, 14, 0);
    tw_ledger_row_t row = ledger_of(w, "seller@shop.example");
    /* ten human, the eleventh (minute 10) bulk; mail from minute 11 on,
     * after the owner wrote, human again */
    assert_int_equal(row.received, 13);
    assert_int_equal(row.bulk_received, 1);
    assert_int_equal(row.asks_from, 13);
    assert_int_equal(row.open_from, 3);
    tw_ledger_row_clear(&row);

    /* and the inbox imported before the Sent folder comes to the same */
    w->reset(w);
    record_offers(w, 0, 14, 0);
    assert_true(record_quiet(w,
                             "From: me@example.org\nTo: seller@shop.example\n"
                             "Subject: Stop\nMessage-ID: <stop@example.org>\n",
                             11, "Please stop writing to me.\n"));
    row = ledger_of(w, "seller@shop.example");
    assert_int_equal(row.received, 13);
    assert_int_equal(row.bulk_received, 1);
    assert_int_equal(row.asks_from, 13);
    assert_int_equal(row.open_from, 3);
    tw_ledger_row_clear(&row);
}

/* What explain learns of the one-way rule, the database read only. */
static void
test_one_way_for_explain(void **state)
{
    world_t *w = *state;
    tw_one_way_t ow;
    tw_message_t *msg = NULL;
    tw_reading_t r;
    char *text;

    record_offers(w, 0, 10, 0);
    /* the eleventh, not recorded: as it would be recorded now */
    text = message_text("From: Seller <seller@shop.example>\nTo: me@example.org\n"
                        "Subject: Offer 10\nMessage-ID: <offer10@shop.example>\n",
                        10, "Could you tell us what you think of our shop?\n");
    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    tw_read(w->cfg, msg, OWNER, TW_HINT_AUTO, &r);
    assert_int_equal(tw_ledger_one_way(w->store, &r, T0, &ow), TW_OK);
    assert_true(ow.one_way);
    assert_false(ow.recorded);
    assert_true(g_str_has_prefix(ow.reason, "one-way sender: seller@shop.example"));
    tw_one_way_clear(&ow);
    /* recorded: as recorded */
    tw_record_t rec;
    assert_int_equal(tw_ledger_record_one(w->store, w->cfg, &r, T0, &rec, NULL), TW_OK);
    tw_record_clear(&rec);
    assert_int_equal(tw_ledger_one_way(w->store, &r, T0, &ow), TW_OK);
    assert_true(ow.one_way);
    assert_true(ow.recorded);
    assert_true(g_str_has_prefix(ow.reason, "one-way sender: recorded as bulk"));
    tw_one_way_clear(&ow);
    tw_reading_clear(&r);
    tw_message_free(msg);
    g_free(text);

    /* the fifth, recorded as human mail: its ask set aside since */
    text = message_text("From: Seller <seller@shop.example>\nTo: me@example.org\n"
                        "Subject: Offer 4\nMessage-ID: <offer4@shop.example>\n",
                        4, "Could you tell us what you think of our shop?\n");
    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    tw_read(w->cfg, msg, OWNER, TW_HINT_AUTO, &r);
    assert_int_equal(tw_ledger_one_way(w->store, &r, T0, &ow), TW_OK);
    assert_false(ow.one_way);
    assert_true(ow.recorded);
    assert_true(ow.set_aside);
    assert_true(g_str_has_prefix(ow.reason, "its ask was set aside"));
    tw_one_way_clear(&ow);
    tw_reading_clear(&r);
    tw_message_free(msg);
    g_free(text);

    /* the owner's own mail, and mail for an owner not in the database */
    text = message_text("From: me@example.org\nTo: seller@shop.example\nSubject: Hi\n", 20,
                        "Could you stop?\n");
    assert_int_equal(tw_message_parse(text, strlen(text), 1 << 20, "+", &msg), TW_OK);
    tw_read(w->cfg, msg, OWNER, TW_HINT_AUTO, &r);
    assert_int_equal(tw_ledger_one_way(w->store, &r, T0, &ow), TW_OK);
    assert_false(ow.one_way);
    assert_null(ow.reason);
    tw_reading_clear(&r);
    tw_read(w->cfg, msg, "other@example.org", TW_HINT_IN, &r);
    assert_int_equal(tw_ledger_one_way(w->store, &r, T0, &ow), TW_OK);
    assert_false(ow.one_way);
    assert_false(ow.recorded);
    tw_reading_clear(&r);
    tw_message_free(msg);
    g_free(text);
}

/* One message of the order tests: headers, minutes after T0, body. */
typedef struct {
    const char *headers;
    int minutes;
    const char *body;
} mail_t;

static const mail_t order_mail[] = {
    /* thanks answer nothing */
    {"From: Alice <alice@example.org>\nTo: me@example.org\nSubject: Budget\n"
     "Message-ID: <b1@x.example>\n",
     0, "Could you send me the budget figures by Friday?\n"},
    {"From: me@example.org\nTo: alice@example.org\nSubject: Re: Budget\n"
     "Message-ID: <b2@x.example>\nIn-Reply-To: <b1@x.example>\nReferences: <b1@x.example>\n",
     10, "Thanks!\n\n> Could you send me the budget figures by Friday?\n"},
    {"From: me@example.org\nTo: bob@example.org\nSubject: Contract\nMessage-ID: <c1@x.example>\n",
     60, "Could you sign the contract and send it back by Friday?\n"},
    {"From: bob@example.org\nTo: me@example.org\nSubject: Automatic reply: Contract\n"
     "Message-ID: <c2@x.example>\nIn-Reply-To: <c1@x.example>\nAuto-Submitted: auto-replied\n",
     61, "I am out of the office until Monday.\n"},
    {"From: bob@example.org\nTo: me@example.org\nSubject: Re: Contract\n"
     "Message-ID: <c3@x.example>\nIn-Reply-To: <c1@x.example>\nReferences: <c1@x.example>\n",
     120, "Thanks, got it.\n"},
    /* chases */
    {"From: me@example.org\nTo: carol@example.org\nSubject: Slides\nMessage-ID: <s1@x.example>\n",
     200, "Could you send me the slides for the talk?\n"},
    {"From: me@example.org\nTo: carol@example.org\nSubject: Re: Slides\n"
     "Message-ID: <s2@x.example>\nIn-Reply-To: <s1@x.example>\nReferences: <s1@x.example>\n",
     300, "Hi Carol, just following up on this.\n"},
    {"From: me@example.org\nTo: carol@example.org\nSubject: Re: Slides\n"
     "Message-ID: <s3@x.example>\nIn-Reply-To: <s2@x.example>\n"
     "References: <s1@x.example> <s2@x.example>\n",
     400, "Any news on the slides? The talk is on Wednesday.\n"},
    /* an answer between an ask and the owner's next one */
    {"From: me@example.org\nTo: dave@example.org\nSubject: Report\nMessage-ID: <r1@x.example>\n",
     500, "Could you send me the quarterly report?\n"},
    {"From: dave@example.org\nTo: me@example.org\nSubject: Re: Report\n"
     "Message-ID: <r2@x.example>\nIn-Reply-To: <r1@x.example>\nReferences: <r1@x.example>\n",
     510, "Here is the report.\n"},
    {"From: me@example.org\nTo: dave@example.org\nSubject: Re: Report\n"
     "Message-ID: <r3@x.example>\nIn-Reply-To: <r2@x.example>\n"
     "References: <r1@x.example> <r2@x.example>\n",
     520, "Could you also send the appendix?\n"},
    {"From: me@example.org\nTo: dave@example.org\nSubject: Re: Report\n"
     "Message-ID: <r4@x.example>\nIn-Reply-To: <r3@x.example>\n"
     "References: <r1@x.example> <r2@x.example> <r3@x.example>\n",
     580, "Just checking on the appendix.\n"},
    /* without reply headers: an answer and a chase */
    {"From: erin@example.org\nTo: me@example.org\nSubject: Lunch\n", 600,
     "Could we meet for lunch on Monday?\n"},
    {"From: me@example.org\nTo: erin@example.org\nSubject: Re: Lunch\n", 660,
     "Monday works for me.\n"},
    {"From: me@example.org\nTo: frank@example.org\nSubject: Keys\n", 700,
     "Could you leave the keys at the desk?\n"},
    {"From: me@example.org\nTo: frank@example.org\nSubject: Re: Keys\n", 760,
     "Any news on the keys?\n"},
    /* the owner's real answer to Alice */
    {"From: me@example.org\nTo: alice@example.org\nSubject: Re: Budget\n"
     "Message-ID: <b3@x.example>\nIn-Reply-To: <b1@x.example>\nReferences: <b1@x.example>\n",
     800, "Here they are.\n"},
    /* two people asked, one answers */
    {"From: me@example.org\nTo: gina@example.org, hank@example.org\nSubject: Venue\n"
     "Message-ID: <v1@x.example>\n",
     900, "Could you tell me which venue you prefer?\n"},
    {"From: gina@example.org\nTo: me@example.org\nCc: hank@example.org\nSubject: Re: Venue\n"
     "Message-ID: <v2@x.example>\nIn-Reply-To: <v1@x.example>\nReferences: <v1@x.example>\n",
     960, "I prefer the old town hall.\n"},
    /* a one-way sender, never written to */
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 1\nMessage-ID: <d1@shop.example>\n",
     1000, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 2\nMessage-ID: <d2@shop.example>\n",
     1001, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 3\nMessage-ID: <d3@shop.example>\n",
     1002, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 4\nMessage-ID: <d4@shop.example>\n",
     1003, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 5\nMessage-ID: <d5@shop.example>\n",
     1004, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 6\nMessage-ID: <d6@shop.example>\n",
     1005, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 7\nMessage-ID: <d7@shop.example>\n",
     1006, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 8\nMessage-ID: <d8@shop.example>\n",
     1007, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 9\nMessage-ID: <d9@shop.example>\n",
     1008, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 10\nMessage-ID: <d10@shop.example>\n",
     1009, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 11\nMessage-ID: <d11@shop.example>\n",
     1010, "Could you tell us what you think of our shop?\n"},
    {"From: deals@shop.example\nTo: me@example.org\nSubject: Deal 12\nMessage-ID: <d12@shop.example>\n",
     1011, "Could you tell us what you think of our shop?\n"},
    /* a colleague the owner answers, writing more than ten times */
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 1\nMessage-ID: <i1@x.example>\n",
     1100, "Could you check task 1?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 2\nMessage-ID: <i2@x.example>\n",
     1101, "Could you check task 2?\n"},
    {"From: me@example.org\nTo: ivan@example.org\nSubject: Re: Task 2\nMessage-ID: <i2r@x.example>\n"
     "In-Reply-To: <i2@x.example>\nReferences: <i2@x.example>\n",
     1102, "Done, it is fine.\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 3\nMessage-ID: <i3@x.example>\n",
     1103, "Could you check task 3?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 4\nMessage-ID: <i4@x.example>\n",
     1104, "Could you check task 4?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 5\nMessage-ID: <i5@x.example>\n",
     1105, "Could you check task 5?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 6\nMessage-ID: <i6@x.example>\n",
     1106, "Could you check task 6?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 7\nMessage-ID: <i7@x.example>\n",
     1107, "Could you check task 7?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 8\nMessage-ID: <i8@x.example>\n",
     1108, "Could you check task 8?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 9\nMessage-ID: <i9@x.example>\n",
     1109, "Could you check task 9?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 10\nMessage-ID: <i10@x.example>\n",
     1110, "Could you check task 10?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 11\nMessage-ID: <i11@x.example>\n",
     1111, "Could you check task 11?\n"},
    {"From: ivan@example.org\nTo: me@example.org\nSubject: Task 12\nMessage-ID: <i12@x.example>\n",
     1112, "Could you check task 12?\n"},
};

/* What the commands show of the ledger: pending, waiting (with the
 * chases) and the summary's counts, as text. */
static char *
ledger_text(world_t *w)
{
    GString *out = g_string_new("pending:\n");
    char *in = open_list(w, TW_DIR_IN), *out_asks = open_list(w, TW_DIR_OUT);
    GPtrArray *rows = g_ptr_array_new();

    g_string_append_printf(out, "%swaiting:\n%ssummary:\n", in, out_asks);
    assert_int_equal(tw_store_ledger(w->store, owner_id(w), G_MININT64, NULL, rows), TW_OK);
    g_ptr_array_sort(rows, by_address);
    for (guint i = 0; i < rows->len; i++) {
        tw_ledger_row_t *r = rows->pdata[i];
        g_string_append_printf(out,
                               "%s recv=%d sent=%d bulk=%d asks=%d/%d answered=%d/%d open=%d/%d "
                               "replies=%d/%d\n",
                               r->address, r->received, r->sent, r->bulk_received, r->asks_from,
                               r->asks_to, r->answered_from, r->answered_to, r->open_from,
                               r->open_to, r->replies_owner, r->replies_them);
        tw_ledger_row_clear(r);
        g_free(r);
    }
    g_ptr_array_free(rows, TRUE);
    g_free(in);
    g_free(out_asks);
    return g_string_free(out, FALSE);
}

/* Records mail in the order of order[] and returns the ledger's text. */
static char *
record_in_order(world_t *w, const mail_t *mail, const guint *order, guint n)
{
    w->reset(w);
    for (guint i = 0; i < n; i++) {
        const mail_t *m = &mail[order[i]];
        assert_true(record_quiet(w, m->headers, m->minutes, m->body));
    }
    return ledger_text(w);
}

/* Fails, showing the lines that differ, unless got is expected. */
static void
assert_same_ledger(const char *got, const char *expected, const char *how)
{
    if (strcmp(got, expected) == 0)
        return;
    char **g = g_strsplit(got, "\n", -1), **e = g_strsplit(expected, "\n", -1);
    for (guint i = 0; g[i] != NULL || e[i] != NULL; i++) {
        if (g[i] != NULL && e[i] != NULL && strcmp(g[i], e[i]) == 0)
            continue;
        print_error("line %u: date order \"%s\", %s \"%s\"\n", i + 1, e[i] ? e[i] : "(end)",
                    how, g[i] ? g[i] : "(end)");
        if (g[i] == NULL || e[i] == NULL)
            break;
    }
    g_strfreev(g);
    g_strfreev(e);
    fail_msg("the ledger recorded %s differs from the ledger recorded in date order", how);
}

/* The same mail recorded in date order, in reverse, and shuffled (three
 * times, with fixed seeds) gives the same ledger. */
static void
check_any_order(world_t *w, const mail_t *mail, guint n)
{
    guint *order = g_new(guint, n);

    for (guint i = 0; i < n; i++)
        order[i] = i;
    char *expected = record_in_order(w, mail, order, n);
    for (guint i = 0; i < n; i++)
        order[i] = n - 1 - i;
    char *got = record_in_order(w, mail, order, n);
    assert_same_ledger(got, expected, "in reverse");
    g_free(got);
    for (guint32 seed = 1; seed <= 3; seed++) {
        GRand *rand = g_rand_new_with_seed(seed);
        for (guint i = 0; i < n; i++)
            order[i] = i;
        for (guint i = n - 1; i > 0; i--) {
            guint j = (guint)g_rand_int_range(rand, 0, (gint32)i + 1), t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        g_rand_free(rand);
        got = record_in_order(w, mail, order, n);
        char how[32];
        g_snprintf(how, sizeof how, "shuffled (seed %u)", seed);
        assert_same_ledger(got, expected, how);
        g_free(got);
    }
    g_free(expected);
    g_free(order);
}

static void
test_any_order_same_ledger(void **state)
{
    world_t *w = *state;

    check_any_order(w, order_mail, G_N_ELEMENTS(order_mail));
}

static void
test_any_order_same_ledger_per_person(void **state)
{
    world_t *w = *state;
    tw_error_t err;

    assert_int_equal(tw_config_set(w->cfg, "PerPersonAsks", "yes", "test", &err), TW_OK);
    check_any_order(w, order_mail, G_N_ELEMENTS(order_mail));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_ask_then_reply_closes_it),
        T(test_thanks_answers_nothing),
        T(test_reply_before_ask),
        T(test_headerless_reply_in_thread_closes),
        T(test_headerless_ask_and_reply),
        T(test_headerless_reply_before_ask),
        T(test_headerless_earlier_message_does_not_answer),
        T(test_headerless_answer_to_two_people),
        T(test_two_owners_separate_ledgers),
        T(test_bulk_never_opens),
        T(test_bulk_never_closes),
        T(test_incoming_reply_closes_owner_ask),
        T(test_follow_up_is_a_chase),
        T(test_follow_up_adding_a_person),
        T(test_message_without_sender),
        T(test_ask_to_two_people),
        T(test_ask_to_two_people_per_person),
        T(test_one_way_sender_is_bulk),
        T(test_same_message_twice),
        T(test_copy_with_other_message_id),
        T(test_balance_after_several_messages),
        T(test_thread_tag_counts_open_asks),
        T(test_reply_further_down_the_branch),
        T(test_list_traffic_not_in_balance),
        T(test_missing_date_uses_now),
        T(test_busy_database),
        T(test_batch_rolled_back),
        T(test_thanks_before_ask_answers_nothing),
        T(test_answer_before_ask_per_person),
        T(test_earliest_answer_counts),
        T(test_chases_before_ask),
        T(test_answer_between_follow_ups),
        T(test_one_way_inbox_before_sent),
        T(test_one_way_sent_before_inbox),
        T(test_one_way_for_explain),
        T(test_any_order_same_ledger),
        T(test_any_order_same_ledger_per_person),
    };

    return cmocka_run_group_tests_name("ledger", tests, NULL, NULL);
}
